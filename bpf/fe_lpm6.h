/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 longest-prefix-match table, a multibit trie in the DIR-24-8 spirit:
 * the layout shared by the builder (lib/fe_lpm6.c, userspace) and the
 * fast path (BPF), and the BPF-side lookup. At most 15 memory reads per
 * lookup (5 for a /48), whatever the number of prefixes, where the BPF
 * LPM trie walks up to 128 nodes.
 *
 * Levels (address bytes in network order, a[0] first)
 *
 *   top     2^16 entries, one per /16, indexed by a[0] a[1].
 *   groups  ngroups groups of 256 entries. A group refines one entry of
 *           the level above whose range holds a longer prefix: a group
 *           of level L (1..14) covers a /(8 + 8L) and is indexed by
 *           a[L + 1]. Groups of every level share one pool.
 *
 * 16 then stride 8: the first level costs 256 KiB whatever the table
 * (IPv6 routes all sit in 2000::/3, a 2^24 first level like DIR-24-8
 * would be 64 MiB mostly empty), and a /32 (the common allocation) is
 * two reads, a /48 five.
 *
 * Both are BPF_MAP_TYPE_ARRAY maps of 1 KiB values (struct fe_lpm6_val,
 * the same block as fe_dir24_val) created with BPF_F_MMAPABLE, written by
 * the builder through mmap:
 *
 *   top:    map key a[0], entry a[1]     (256 values)
 *   groups: map key group, entry a[L+1]  (ngroups values)
 *
 * Entry (32 bits, 0 = no route)
 *
 *   24..31 tag: 0 no route; 1..129 a route whose prefix length is
 *          tag - 1 (the builder needs it to update in place: a new
 *          prefix overwrites only entries of prefixes no longer than
 *          itself, a withdrawn one only its own); 0xff a link to a group.
 *   0..23  value: the route's value (0..FE_LPM6_VALUE_MAX), chosen by
 *          the caller: the same values as DIR-24-8 (an NHG id, or
 *          FE_D24_NONUNICAST | kind), or the group of a link.
 */
#ifndef FE_LPM6_H
#define FE_LPM6_H

#include <linux/types.h>

/* Map names (at most 15 characters), versioned as in frr_ebpf_abi.h. */
#define FE_MAP_LPM6_TOP "fe_l6_top_v1"
#define FE_MAP_LPM6_GROUPS "fe_l6_grp_v1"

#define FE_LPM6_ENTRIES 256			/* entries per map value */
#define FE_LPM6_TOP_ENTRIES (1U << 16)
#define FE_LPM6_TOP_VALUES (FE_LPM6_TOP_ENTRIES / FE_LPM6_ENTRIES)
#define FE_LPM6_LEVELS 15			/* top and 14 group levels */
#define FE_LPM6_GROUPS_MAX (1U << 24)		/* what 24 bits can index */

#define FE_LPM6_TAG_SHIFT 24
#define FE_LPM6_TAG_LINK 0xffU
#define FE_LPM6_VALUE_MASK 0x00ffffffU
#define FE_LPM6_VALUE_MAX FE_LPM6_VALUE_MASK

#define FE_LPM6_TAG(e) ((__u32)(e) >> FE_LPM6_TAG_SHIFT)
/* A route entry of a prefix of length depth (0..128). */
#define FE_LPM6_ENTRY(depth, value)                                  \
	(((__u32)(depth) + 1) << FE_LPM6_TAG_SHIFT |                 \
	 ((__u32)(value) & FE_LPM6_VALUE_MASK))
/* A link to a group of the next level. */
#define FE_LPM6_LINK(group)                                          \
	(FE_LPM6_TAG_LINK << FE_LPM6_TAG_SHIFT |                     \
	 ((__u32)(group) & FE_LPM6_VALUE_MASK))
#define FE_LPM6_IS_LINK(e) (FE_LPM6_TAG(e) == FE_LPM6_TAG_LINK)
#define FE_LPM6_IS_ROUTE(e) ((e) != 0 && !FE_LPM6_IS_LINK(e))
/* Prefix length of a route entry; -1 for no route. */
#define FE_LPM6_DEPTH(e) ((int)FE_LPM6_TAG(e) - 1)
#define FE_LPM6_VALUE(e) ((e) & FE_LPM6_VALUE_MASK)

/* Value of both array maps. */
struct fe_lpm6_val {
	__u32 e[FE_LPM6_ENTRIES];
};

#ifdef __bpf__
#include <bpf/bpf_helpers.h>

/*
 * The type of either map, for an object to define under its names:
 *   FE_LPM6_ARRAY(FE_LPM6_TOP_VALUES) top SEC(".maps");
 * with more fields (pinning) as further arguments.
 */
#define FE_LPM6_ARRAY(nvalues, ...)                                  \
	struct {                                                     \
		__uint(type, BPF_MAP_TYPE_ARRAY);                    \
		__uint(map_flags, BPF_F_MMAPABLE);                   \
		__uint(max_entries, nvalues);                        \
		__type(key, __u32);                                  \
		__type(value, struct fe_lpm6_val);                   \
		__VA_ARGS__                                          \
	}

/*
 * Longest-prefix match of the IPv6 address a (network order, as in the
 * header) in the table held by the two array maps. Returns 0 and sets
 * *value on a hit, -1 when no prefix covers a.
 *
 * A bounded loop: call it from a global (noinline) function, so that the
 * verifier walks it once and not once per path of the caller. Each entry
 * is read once (volatile); the builder publishes a group only once it is
 * full and reuses a freed one only after a grace period, so a group
 * reached through a link just read is a consistent one.
 */
static __always_inline int fe_lpm6_lookup(void *top_map, void *groups_map,
					  const __u8 *a, __u32 *value)
{
	struct fe_lpm6_val *blk;
	__u32 key = a[0];
	__u32 e;

	blk = bpf_map_lookup_elem(top_map, &key);
	if (!blk)
		return -1;
	e = *(volatile __u32 *)&blk->e[a[1]];
	for (int i = 2; i < 16; i++) {
		if (!FE_LPM6_IS_LINK(e))
			break;
		key = FE_LPM6_VALUE(e);
		blk = bpf_map_lookup_elem(groups_map, &key);
		if (!blk)
			return -1;
		e = *(volatile __u32 *)&blk->e[a[i]];
	}
	if (!FE_LPM6_IS_ROUTE(e))
		return -1;
	*value = FE_LPM6_VALUE(e);
	return 0;
}
#endif /* __bpf__ */

#endif /* FE_LPM6_H */
