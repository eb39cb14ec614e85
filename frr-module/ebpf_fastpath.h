/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fast path's life cycle: load the XDP/TC programs, attach them to
 * interfaces through pinned BPF links (so forwarding outlives zebra), adopt
 * the links a previous zebra left, read the counters. Main thread only.
 */
#ifndef EBPF_FASTPATH_H
#define EBPF_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "frr_ebpf_abi.h"
#include "frr_compat.h" /* struct fe_loop */

enum ebpf_fp_mode {
	EBPF_FP_NONE,
	EBPF_FP_XDP,         /* native (driver) XDP */
	EBPF_FP_XDP_GENERIC, /* skb-mode XDP: any driver, slower */
	EBPF_FP_TC,          /* tcx ingress */
};

const char *ebpf_fp_mode_str(enum ebpf_fp_mode mode);
int ebpf_fp_mode_parse(const char *word);

/* Attach (or change the mode on) ifindex. 0 or negative errno, with a
 * message for the operator in err. Nothing changes on error.
 */
int ebpf_fastpath_attach(const char *ifname, uint32_t ifindex,
			 enum ebpf_fp_mode mode, char *err, size_t errlen);
int ebpf_fastpath_detach(uint32_t ifindex, char *err, size_t errlen);
enum ebpf_fp_mode ebpf_fastpath_mode(uint32_t ifindex);

/*
 * Must packets arriving on ifindex be checked for partial TCP/UDP
 * checksums (native XDP on a veth: FE_IF_CSUM_GUARD)?
 */
bool ebpf_fastpath_csum_guard(uint32_t ifindex);

/*
 * Until zebra has read its configuration file the maps are not open (the
 * pin path may come later in the file): attachments wait, and are applied
 * in file order once it has been read.
 */
void ebpf_fastpath_defer(const char *ifname, uint32_t ifindex,
			 enum ebpf_fp_mode mode);
void ebpf_fastpath_apply_deferred(void);
bool ebpf_fastpath_deferring(void);

/* The interface went away: forget it (the kernel dropped the link). */
void ebpf_fastpath_if_gone(uint32_t ifindex);

/* Detach links pinned by a previous zebra that no config claimed. */
int ebpf_fastpath_sweep_unclaimed(void);

/* True when programs are loaded or links attached (pin path is fixed). */
bool ebpf_fastpath_active(void);

struct ebpf_fp_if {
	uint32_t ifindex;
	enum ebpf_fp_mode mode;
	uint32_t link_id;
	uint32_t prog_id;
	bool adopted;          /* link inherited from a previous zebra */
	bool xdp_redirect_target; /* XDP modes: in fe_txports */
	bool csum_guard;       /* partial checksums go to the kernel */
	struct fe_if_stats stats; /* summed over CPUs */
};

/* Fill up to max entries; returns the number of attached interfaces. */
int ebpf_fastpath_list(struct ebpf_fp_if *out, int max);
int ebpf_fastpath_clear_counters(void);

const char *ebpf_pass_reason_json(int reason);
const char *ebpf_drop_reason_json(int reason);

struct fe_fwd;
/* The loaded fast-path object, or NULL (for the policy and show code). */
struct fe_fwd *ebpf_fastpath_skel(void);

void ebpf_fastpath_start(struct fe_loop *tm);
struct fe_loop *ebpf_fastpath_master(void);
void ebpf_fastpath_close(void);

#endif /* EBPF_FASTPATH_H */
