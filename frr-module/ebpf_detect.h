/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flap and hijack detection on zebra's main thread: the rib_update hook
 * queues each change of a selected route, a batched job feeds lib/fe_flap
 * and lib/fe_hijack, raises events and keeps the mitigation entries.
 */
#ifndef EBPF_DETECT_H
#define EBPF_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include "fe_flap.h"
#include "fe_hijack.h"
#include "frr_compat.h" /* struct fe_loop */

struct vty;

void ebpf_detect_init(struct fe_loop *tm);
void ebpf_detect_fini(void);

/* Flap detection: on with a configuration (checked), or off. */
int ebpf_detect_flap_on(const struct fe_flap_config *c, char *err,
			size_t errlen);
void ebpf_detect_flap_off(void);
/* NULL when off. */
const struct fe_flap_table *ebpf_detect_flaps(void);
void ebpf_detect_flap_kernel(bool on);
bool ebpf_detect_flap_kernel_on(void);

/* Hijack protections; the RIB under a new protection is evaluated at once. */
int ebpf_detect_protect(const struct fe_prefix *p, const uint32_t *origins,
			size_t n, int max_len, bool mitigate, char *err,
			size_t errlen);
int ebpf_detect_unprotect(const struct fe_prefix *p);
int ebpf_detect_clear(const struct fe_prefix *p);
const struct fe_hijack_set *ebpf_detect_hijacks(void);

/* Monotonic ms, the time base of both tables, and its wall-clock value. */
int64_t ebpf_detect_now(void);
time_t ebpf_detect_wall(int64_t ms);

/*
 * Whether zebra gets AS paths from bgpd (`bgp send-extra-data zebra`):
 * "received", "notReceived" (BGP routes came without one), "noBgpRoutes",
 * or "detectionOff" (not looked at); with the counts behind it.
 */
const char *ebpf_detect_aspath_state(uint64_t *with, uint64_t *without);

struct ebpf_detect_counters {
	uint64_t changes;   /* RIB changes evaluated */
	uint64_t queued;    /* waiting now */
	uint64_t batches;
	uint64_t busy_us;   /* main-thread time spent detecting */
};
void ebpf_detect_get_counters(struct ebpf_detect_counters *c);

/* Config lines of detection, in a stable order; lines written. */
int ebpf_detect_config_write(struct vty *vty);
void ebpf_detect_vty_init(void);

#endif /* EBPF_DETECT_H */
