/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The mirror: zebra's routes and nexthop groups kept in pinned BPF maps.
 *
 * Called from two threads: the dplane pthread applies route and NHG
 * changes, the main pthread (vty) reads state and changes settings. One
 * mutex inside serialises them; counters are atomics so that `show` never
 * waits for a batch.
 */
#ifndef EBPF_MIRROR_H
#define EBPF_MIRROR_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "fe_route.h"

enum ebpf_sync_state {
	EBPF_SYNC_WAIT_CONFIG, /* config not read yet: nothing opened */
	EBPF_SYNC_RECONCILING, /* maps from a previous run adopted; stale
				* entries are swept once the RIB replayed */
	EBPF_SYNC_IN_SYNC,     /* maps hold exactly what zebra installed */
	EBPF_SYNC_FAILED,      /* maps could not be opened: not mirroring */
};

enum ebpf_map_id {
	EBPF_MAP_ROUTE4,
	EBPF_MAP_ROUTE6,
	EBPF_MAP_NHG,
	EBPF_MAP_NHGRES,    /* resilient slot tables */
	EBPF_MAP_L4_TOP, /* route table of the IPv4 routes (bpf/fe_lpm6.h) */
	EBPF_MAP_L4_GRP, /* its groups: one slot, the array that grows */
	EBPF_MAP_L4_STATE,
	EBPF_MAP_L6_TOP, /* the same for IPv6 */
	EBPF_MAP_L6_GRP,
	EBPF_MAP_L6_STATE,
	EBPF_MAP_PATHSTATS, /* per-path counters of the groups */
	EBPF_MAP_PATHSUMS,  /* what retired path counters counted */
	EBPF_MAP_COUNT
};

struct ebpf_mirror_counters {
	atomic_uint_fast64_t route_installs;
	atomic_uint_fast64_t route_updates;
	atomic_uint_fast64_t route_deletes;
	atomic_uint_fast64_t nhg_installs;
	atomic_uint_fast64_t nhg_updates;
	atomic_uint_fast64_t nhg_deletes;
	atomic_uint_fast64_t errors;
	atomic_uint_fast64_t map_full;
	atomic_uint_fast64_t skipped_other_table;
	atomic_uint_fast64_t skipped_other_vrf;
	atomic_uint_fast64_t skipped_kernel_failed;
	atomic_uint_fast64_t skipped_unsupported;
	atomic_uint_fast64_t skipped_not_open;
	atomic_uint_fast64_t stale_swept;
	atomic_uint_fast64_t l4_errors;       /* IPv4 table updates that failed */
	atomic_uint_fast64_t l6_errors;       /* IPv6 table updates that failed */
	atomic_uint_fast64_t repair_events;   /* links seen going down */
	atomic_uint_fast64_t repair_nhg_writes;
};

extern struct ebpf_mirror_counters ebpf_counters;

/* Settings (main thread). Sizes apply when maps are created. */
int ebpf_mirror_set_pin_path(const char *path, char *err, size_t errlen);
const char *ebpf_mirror_pin_path(void);
bool ebpf_mirror_pin_path_is_default(void);
void ebpf_mirror_set_map_size(enum ebpf_map_id id, uint32_t entries);
uint32_t ebpf_mirror_map_size(enum ebpf_map_id id);
uint32_t ebpf_mirror_map_size_default(enum ebpf_map_id id);
void ebpf_mirror_set_reconcile_delay(unsigned int seconds);
unsigned int ebpf_mirror_reconcile_delay(void);
#define EBPF_RECONCILE_DELAY_DEFAULT 30

/* Open (create or adopt) the pinned maps. 0 or negative errno. */
int ebpf_mirror_open(void);
void ebpf_mirror_close(void);
bool ebpf_mirror_is_open(void);
/* fd of an open map (for the fast path to share it), or -1. */
int ebpf_mirror_map_fd(enum ebpf_map_id id);

/* Batch bracket for the dplane thread: takes the lock once per batch. */
void ebpf_mirror_lock(void);
void ebpf_mirror_unlock(void);

/* Changes, called with the lock held. 0 or negative errno. */
int ebpf_mirror_route_set(const struct fe_route *r, const struct fe_nhg *g,
			  bool *replaced);
int ebpf_mirror_route_del(const struct fe_prefix *p);
int ebpf_mirror_nhg_set(const struct fe_nhg *g, bool *replaced);
int ebpf_mirror_nhg_group_set(uint32_t id, const uint32_t *members,
			      const uint16_t *weights, unsigned int count,
			      bool *replaced);
int ebpf_mirror_nhg_del(uint32_t id);
/*
 * The mirrored route of exactly prefix p and, for a unicast route, its
 * group (count 0 otherwise); -ENOENT if p is not mirrored. Lock held.
 */
int ebpf_mirror_route_get(const struct fe_prefix *p, struct fe_route_val *val,
			  struct fe_nhg_val *nhg);

/*
 * Fast local repair: a link went down (or came back). Paths through it
 * are marked down (weight 0) in every group at once, one map write per
 * group whatever the number of routes, so the fast path stops using them
 * before zebra reconverges; coming back restores what was marked, unless
 * zebra has rewritten the group meanwhile. Takes the lock itself.
 * Returns the number of groups written.
 */
int ebpf_mirror_link_state(uint32_t ifindex, bool up);

/* Release table groups freed a grace period ago (dplane tick). */
void ebpf_mirror_grace(void);

/* Reconcile: remove what the replayed RIB did not re-learn. */
bool ebpf_mirror_reconcile_due(time_t now);
int ebpf_mirror_reconcile(void);
void ebpf_mirror_note_change(time_t now);

/*
 * Read back for show commands (main thread; take the lock themselves).
 * route_lookup: the longest mirrored prefix covering addr (a host prefix)
 * and its value; -ENOENT if none. nhg_get: a group's value and whether a
 * route uses it / zebra holds it. nhg_foreach: every group, in map order.
 */
int ebpf_mirror_route_lookup(const struct fe_prefix *addr,
			     struct fe_prefix *matched,
			     struct fe_route_val *val);
/*
 * The route table's answer for a destination (what the fast path reads):
 * 0 and the value, -ENOENT (no route there), -ENOTCONN (no table);
 * *in_use: the datapath uses the table. table_value: the value a route
 * of that kind and group has in the table (bpf/frr_ebpf_abi.h).
 */
int ebpf_mirror_table_lookup(const struct fe_prefix *dst, uint32_t *value,
			     bool *in_use);
uint32_t ebpf_mirror_table_value(uint8_t kind, uint32_t nhg_id);
int ebpf_mirror_nhg_get(uint32_t id, struct fe_nhg_val *val, uint32_t *refs,
			bool *held);
int ebpf_mirror_nhg_foreach(int (*cb)(uint32_t id, void *arg), void *arg);

/* State for `show ebpf mirror` (main thread). */
struct ebpf_map_usage {
	const char *name;
	uint32_t max_entries;
	uint32_t configured_entries;
	uint64_t entries;
	uint64_t memory_bytes;
};

/* A route table (IPv4 or IPv6) for `show ebpf mirror`. */
struct ebpf_table_state {
	bool ready;
	bool degraded;
	uint32_t rules, groups_used, groups_total, groups_max, grown;
	uint64_t bytes; /* arrays and the builder's heap */
};

struct ebpf_mirror_state {
	enum ebpf_sync_state state;
	char reason[512];
	char pin_path[256];
	bool adopted;
	uint64_t routes_v4, routes_v6, nhgs;
	uint64_t shadow_bytes;
	struct ebpf_map_usage maps[EBPF_MAP_COUNT];
	time_t opened_at;
	time_t synced_at;
	uint64_t map_bytes; /* every map, group arrays included */
	struct ebpf_table_state l4, l6;
};

void ebpf_mirror_get_state(struct ebpf_mirror_state *st);
const char *ebpf_sync_state_str(enum ebpf_sync_state s);
const char *ebpf_sync_state_json(enum ebpf_sync_state s);

/* Per-path forwarding counts kept by the mirror (ebpf_pathstats.c). */
void ebpf_mirror_path_counts(void (*cb)(const struct fe_nh_key *k,
					 uint64_t packets, uint64_t bytes,
					 void *arg),
			     void *arg);
void ebpf_mirror_path_counts_clear(void);

#endif /* EBPF_MIRROR_H */
