/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route table builder, IPv6 and IPv4 (layout: bpf/fe_lpm6.h): a multibit
 * trie after DPDK's DIR-24-8. Pure C: no FRR, no libbpf.
 *
 * The builder writes into memory the caller provides: plain heap in unit
 * tests, the mmap'd BPF array maps in the module. It keeps its own rule
 * store (every prefix with its value), so that withdrawing a prefix puts
 * back the next shorter one covering it.
 *
 * Readers (BPF programs, fe_lpm6_lookup) may run concurrently with the one
 * writer and never see a wrong answer: every entry is written with a
 * single 32-bit store, so an address resolves either as before or as
 * after an update; new groups are filled completely before the link that
 * publishes them (release store); a group no longer needed is unlinked
 * first and then waits on a pending list until the caller says a grace
 * period has passed (fe_lpm6_grace(), or fe_lpm6_grace_mark() and
 * fe_lpm6_grace_upto() when updates go on meanwhile). XDP and TC programs
 * run under rcu_read_lock, so any synchronize_rcu() after the update is a
 * grace period; from userspace: membarrier(MEMBARRIER_CMD_GLOBAL) where
 * nohz_full is off, or an update of a map-in-map (which waits for the
 * programs running).
 *
 * IPv4 uses the same builder and layout (a table of its own): the IPv4
 * address in the first 4 bytes, the other 12 zero, depth <= 32. Its
 * prefixes end at level 2 at most: 16 bits, then two groups of 8
 * (DIR-16-8-8), three reads at most, and 256 KiB plus 1 KiB per group
 * where DIR-24-8's first level alone is 64 MiB.
 *
 * The group array can grow while the table is in use: the caller makes a
 * larger array, copies the groups into it and hands it over with
 * fe_lpm6_regroup() (the module swaps the inner map of a map-in-map).
 *
 * Not thread-safe for writers. Addresses are 16 bytes in network order
 * (struct in6_addr). Every function returns 0 or a negative errno; on
 * error nothing has changed, neither the tables nor the rule store.
 */
#ifndef FE_LIB_LPM6_H
#define FE_LIB_LPM6_H

#include <stddef.h>
#include <stdint.h>

#include "../bpf/fe_lpm6.h"

struct fe_lpm6;

struct fe_lpm6_stats {
	uint32_t rules;          /* prefixes in the table */
	uint32_t groups_total;   /* group pool size */
	uint32_t groups_used;    /* linked */
	uint32_t groups_pending; /* freed, waiting for a grace period */
	uint32_t groups_level[FE_LPM6_LEVELS]; /* used, per level (1..14) */
	uint64_t top_bytes;      /* 256 KiB, always */
	uint64_t group_bytes;    /* groups used and pending, 1 KiB each */
	uint64_t pool_bytes;     /* the whole group array, 1 KiB a group */
	uint64_t rules_bytes;    /* the builder's heap: rule store, lists */
};

/*
 * A builder on top (FE_LPM6_TOP_ENTRIES entries) and groups (ngroups
 * groups of FE_LPM6_ENTRIES entries). Both are cleared: never call it on
 * memory readers are using. NULL with errno EINVAL (NULL table, ngroups >
 * FE_LPM6_GROUPS_MAX) or ENOMEM.
 */
struct fe_lpm6 *fe_lpm6_new(uint32_t *top, uint32_t *groups,
			    uint32_t ngroups);
/* Frees the builder only; the tables are the caller's. NULL is fine. */
void fe_lpm6_free(struct fe_lpm6 *t);

/*
 * Add addr/depth with value, or replace the value of that prefix.
 * -EINVAL: depth > 128, host bits set, value > FE_LPM6_VALUE_MAX.
 * -ENOSPC: the groups its path needs are not free.
 * -ENOMEM: the rule store cannot grow.
 */
int fe_lpm6_add(struct fe_lpm6 *t, const uint8_t addr[16], uint8_t depth,
		uint32_t value);

/*
 * Withdraw addr/depth: its addresses go back to the longest shorter
 * prefix covering them, or to no route. -EINVAL as for add, -ENOENT for
 * a prefix not in the table.
 */
int fe_lpm6_del(struct fe_lpm6 *t, const uint8_t addr[16], uint8_t depth);

/* Value of exactly addr/depth in the rule store; -ENOENT, -EINVAL. */
int fe_lpm6_get(const struct fe_lpm6 *t, const uint8_t addr[16],
		uint8_t depth, uint32_t *value);

/*
 * Longest-prefix match of addr, read from the tables as the BPF program
 * does (the reference for tests). 0 and *value, or -ENOENT.
 */
int fe_lpm6_lookup(const struct fe_lpm6 *t, const uint8_t addr[16],
		   uint32_t *value);

/*
 * The group array is now groups, ngroups long (more than before); its
 * first groups are a copy of the old array made after the last update.
 * The new groups are free. 0, -EINVAL (NULL, not larger, above
 * FE_LPM6_GROUPS_MAX) or -ENOMEM; on error the old array stays in use.
 */
int fe_lpm6_regroup(struct fe_lpm6 *t, uint32_t *groups, uint32_t ngroups);

/* Groups in the array (fe_lpm6_regroup() makes more). */
uint32_t fe_lpm6_groups_total(const struct fe_lpm6 *t);

/*
 * Grace periods: fe_lpm6_grace() once every reader that may have seen a
 * freed group is gone; with updates going on, a mark taken before the
 * grace period started, then fe_lpm6_grace_upto(t, mark) after it.
 */
void fe_lpm6_grace(struct fe_lpm6 *t);
uint64_t fe_lpm6_grace_mark(const struct fe_lpm6 *t);
void fe_lpm6_grace_upto(struct fe_lpm6 *t, uint64_t mark);

void fe_lpm6_stats(const struct fe_lpm6 *t, struct fe_lpm6_stats *st);

#endif /* FE_LIB_LPM6_H */
