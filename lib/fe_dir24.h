/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DIR-24-8 IPv4 LPM table builder (layout: bpf/fe_dir24.h). Pure C: no
 * FRR, no libbpf.
 *
 * The builder writes into memory the caller provides: plain heap in unit
 * tests, the mmap'd BPF array maps in the module. It keeps its own rule
 * store (every prefix with its value), so that withdrawing a prefix puts
 * back the next shorter one covering it.
 *
 * Readers (BPF programs, fe_dir24_lookup) may run concurrently with the
 * one writer and never see a wrong answer: every entry is written with a
 * single 32-bit store, so an address resolves either as before or as
 * after an update, and
 *  - a new tbl8 group is filled completely before the tbl24 entry points
 *    to it (release store);
 *  - a group no longer needed is unlinked first (the tbl24 entry gets the
 *    covering route back) and then only put on a pending list: a reader
 *    that loaded the old tbl24 entry may still read it. It becomes
 *    reusable after the caller has waited for every reader that may have
 *    seen it, i.e. an RCU grace period, and said so with fe_dir24_grace()
 *    (or fe_dir24_grace_mark() / fe_dir24_grace_upto() when updates
 *    continue while the grace period runs). XDP and TC programs run under
 *    rcu_read_lock, so any synchronize_rcu() done after the update is
 *    enough; from userspace: an update of a map-in-map
 *    (BPF_MAP_TYPE_ARRAY_OF_MAPS waits for running programs), or
 *    membarrier(MEMBARRIER_CMD_GLOBAL) where nohz_full is off.
 *
 * Not thread-safe for writers: one thread updates (and calls grace).
 * Addresses are in host byte order. Every function returns 0 or a
 * negative errno; on error nothing has changed, neither the tables nor
 * the rule store.
 */
#ifndef FE_LIB_DIR24_H
#define FE_LIB_DIR24_H

#include <stddef.h>
#include <stdint.h>

#include "../bpf/fe_dir24.h"

struct fe_dir24;

struct fe_dir24_stats {
	uint32_t rules;          /* prefixes in the table */
	uint32_t groups_total;   /* tbl8 pool size */
	uint32_t groups_used;    /* linked from tbl24 */
	uint32_t groups_pending; /* freed, waiting for a grace period */
	uint64_t tbl24_bytes;    /* 64 MiB, always */
	uint64_t tbl8_bytes;     /* groups used and pending, 1 KiB each */
	uint64_t rules_bytes;    /* the builder's heap: rule store, lists */
};

/*
 * A builder on tbl24 (FE_DIR24_TBL24_ENTRIES entries) and tbl8 (ngroups
 * groups of FE_DIR24_ENTRIES entries). Both tables are cleared: never
 * call it on memory readers are using. ngroups may be 0 (no prefix
 * longer than /24 then fits). NULL with errno EINVAL (NULL table,
 * ngroups > FE_DIR24_GROUPS_MAX) or ENOMEM.
 */
struct fe_dir24 *fe_dir24_new(uint32_t *tbl24, uint32_t *tbl8,
			      uint32_t ngroups);
/* Frees the builder only; the tables are the caller's. NULL is fine. */
void fe_dir24_free(struct fe_dir24 *d);

/*
 * Add addr/depth with value, or replace the value of that prefix.
 * -EINVAL: depth > 32, host bits set, value > FE_DIR24_VALUE_MAX.
 * -ENOSPC: depth > 24 in a /24 without a group, and no free group.
 * -ENOMEM: the rule store cannot grow.
 */
int fe_dir24_add(struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		 uint32_t value);

/*
 * Withdraw addr/depth: its addresses go back to the longest shorter
 * prefix covering them, or to no route. -EINVAL as for add, -ENOENT for
 * a prefix not in the table.
 */
int fe_dir24_del(struct fe_dir24 *d, uint32_t addr, uint8_t depth);

/* Value of exactly addr/depth in the rule store; -ENOENT, -EINVAL. */
int fe_dir24_get(const struct fe_dir24 *d, uint32_t addr, uint8_t depth,
		 uint32_t *value);

/*
 * Longest-prefix match of addr, read from the tables as the BPF program
 * does (the reference for tests). 0 and *value, or -ENOENT.
 */
int fe_dir24_lookup(const struct fe_dir24 *d, uint32_t addr,
		    uint32_t *value);

/*
 * The tables' readers have all passed a grace period since the last
 * update: make every pending group reusable.
 */
void fe_dir24_grace(struct fe_dir24 *d);

/*
 * For a grace period that runs while updates go on: take a mark before
 * it starts, and once it is over, fe_dir24_grace_upto(d, mark) releases
 * the groups freed before the mark and keeps the later ones pending.
 */
uint64_t fe_dir24_grace_mark(const struct fe_dir24 *d);
void fe_dir24_grace_upto(struct fe_dir24 *d, uint64_t mark);

void fe_dir24_stats(const struct fe_dir24 *d, struct fe_dir24_stats *st);

#endif /* FE_LIB_DIR24_H */
