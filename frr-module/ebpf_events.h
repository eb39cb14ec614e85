/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Events: one structured type shared by the datapath (ring buffer reader),
 * flap detection and hijack detection. Each event is logged as a warning
 * with an error code, counted per kind and kept in a bounded history for
 * `show ebpf events [json] [kind ...]` (ebpf_events.c). Main thread.
 */
#ifndef EBPF_EVENTS_H
#define EBPF_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "lib/prefix.h"
#include "frr_compat.h" /* struct fe_loop */


enum ebpf_event_kind {
	EBPF_EV_MIRROR_MISMATCH, /* datapath: mirror and kernel FIB disagree */
	EBPF_EV_FLAPPING,
	EBPF_EV_STABLE,
	EBPF_EV_HIJACK_ORIGIN,
	EBPF_EV_HIJACK_MORE_SPECIFIC,
	EBPF_EV_HIJACK_WITHDRAWN,
	EBPF_EV_HIJACK_MOAS,
	EBPF_EV_HIJACK_CLEARED,
	EBPF_EV_KIND_COUNT
};

enum ebpf_event_severity {
	EBPF_SEV_INFORMATIONAL,
	EBPF_SEV_WARNING,
	EBPF_SEV_CRITICAL,
};

#define EBPF_EV_NH_MAX 4 /* nexthops kept per side of an event */
#define EBPF_EV_DETAIL 320

struct ebpf_ev_nh {
	uint8_t family; /* 0: interface only */
	uint8_t addr[16];
	uint32_t ifindex;
};

/* The routes before and after a change, as far as detection needs them. */
struct ebpf_ev_route {
	bool present;
	uint8_t protocol;     /* zebra route type */
	bool origin_known;
	uint32_t origin;      /* origin AS */
	uint8_t nnh;          /* nexthops kept (at most EBPF_EV_NH_MAX) */
	uint16_t nnh_total;   /* nexthops the route had */
	struct ebpf_ev_nh nh[EBPF_EV_NH_MAX];
};

struct ebpf_event {
	enum ebpf_event_kind kind;
	time_t when; /* wall clock */
	char prefix[PREFIX_STRLEN];
	struct ebpf_ev_route old, new;
	char detail[EBPF_EV_DETAIL];
	/* mirrorMismatch only (kept as before for its JSON keys) */
	uint32_t ifindex;
	uint32_t nhg_id;
	char gw[46];
};

/* Log, count and keep an event (its `when` is set here). */
void ebpf_event_raise(struct ebpf_event *e);

const char *ebpf_event_kind_str(enum ebpf_event_kind k);
/* -1 if the word names no kind. */
int ebpf_event_kind_parse(const char *word);
enum ebpf_event_severity ebpf_event_severity(enum ebpf_event_kind k);
const char *ebpf_event_severity_str(enum ebpf_event_severity s);
uint64_t ebpf_event_count(enum ebpf_event_kind k);

/* Start reading once the fast path is loaded (idempotent). */
void ebpf_events_attach(struct fe_loop *tm);
void ebpf_events_close(void);
void ebpf_events_vty_init(void);

struct vty;
/* `ebpf events history N` when not the default; lines written. */
int ebpf_events_config_write(struct vty *vty);

#endif /* EBPF_EVENTS_H */
