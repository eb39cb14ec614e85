/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The route tables, IPv6 and IPv4: a multibit trie in the spirit of
 * DPDK's DIR-24-8, the layout shared by the builder (lib/fe_lpm6.c,
 * userspace) and the fast path (BPF), and the BPF-side lookups. At most
 * 15 memory reads per IPv6 lookup (5 for a /48), 3 per IPv4 lookup,
 * whatever the number of prefixes, where the BPF LPM trie walks up to
 * 128 nodes.
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
 * The top is a BPF_MAP_TYPE_ARRAY of 1 KiB values (struct fe_lpm6_val)
 * created with BPF_F_MMAPABLE, written by the builder through mmap:
 *
 *   top:    map key a[0], entry a[1]     (256 values)
 *
 * The groups are an array of the same kind, ngroups values (map key
 * group, entry a[L+1]), reached through slot 0 of a one-slot
 * BPF_MAP_TYPE_ARRAY_OF_MAPS: the module starts it small and, when the
 * builder runs out of groups, copies it into a larger one and swaps that
 * in with one update (BPF_F_INNER_MAP lets the sizes differ). A program
 * that fetched the old array reads a consistent table: the old one.
 * Memory thus follows the table: 256 KiB and 1 KiB a group in use.
 *
 * IPv4 uses the same layout in tables of its own: the address's 4 bytes,
 * top then two levels of groups (DIR-16-8-8), fe_lpm4_lookup() below.
 *
 * Entry (32 bits, 0 = no route)
 *
 *   24..31 tag: 0 no route; 1..129 a route whose prefix length is
 *          tag - 1 (the builder needs it to update in place: a new
 *          prefix overwrites only entries of prefixes no longer than
 *          itself, a withdrawn one only its own); 0xff a link to a group.
 *   0..23  value: the route's value (0..FE_LPM6_VALUE_MAX), chosen by
 *          the caller (the module: an NHG id, or FE_TBL_NONUNICAST |
 *          kind), or the group of a link.
 */
#ifndef FE_LPM6_H
#define FE_LPM6_H

#include <linux/types.h>

/* Map names (at most 15 characters), versioned as in frr_ebpf_abi.h. */
#define FE_MAP_LPM6_TOP "fe_l6_top_v1"
#define FE_MAP_LPM6_GROUPS "fe_l6_grp_v2"
#define FE_MAP_LPM4_TOP "fe_l4_top_v1"
#define FE_MAP_LPM4_GROUPS "fe_l4_grp_v1"
/* Name of the group arrays the module makes (one per table in use). */
#define FE_MAP_LPM_GROUP_ARRAY "fe_lpm_grp"

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

/* The group array, inner map of the groups map: its flags are part of
 * the type every swapped-in array must match. */
struct fe_lpm6_grp_array {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE | BPF_F_INNER_MAP);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fe_lpm6_val);
};

/*
 * The type of a groups map (one slot, holding the group array):
 *   FE_LPM6_GROUPS() groups SEC(".maps");
 * with more fields (pinning) as arguments.
 */
#define FE_LPM6_GROUPS(...)                                          \
	struct {                                                     \
		__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);            \
		__uint(max_entries, 1);                              \
		__type(key, __u32);                                  \
		__VA_ARGS__ /* before the flexible array */          \
		__array(values, struct fe_lpm6_grp_array);           \
	}

/*
 * Longest-prefix match of the IPv6 address a (network order, as in the
 * header) in the table held by the top array and the groups map. Returns
 * 0 and sets *value on a hit, -1 when no prefix covers a.
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
	void *grp;
	__u32 key = a[0];
	__u32 e;

	blk = bpf_map_lookup_elem(top_map, &key);
	if (!blk)
		return -1;
	e = *(volatile __u32 *)&blk->e[a[1]];
	/* fetched whatever e is: the verifier cannot tie the loop's test
	 * of e to this one */
	key = 0;
	grp = bpf_map_lookup_elem(groups_map, &key);
	if (!grp)
		return FE_LPM6_IS_ROUTE(e) ? (*value = FE_LPM6_VALUE(e), 0) : -1;
	for (int i = 2; i < 16; i++) {
		if (!FE_LPM6_IS_LINK(e))
			break;
		key = FE_LPM6_VALUE(e);
		blk = bpf_map_lookup_elem(grp, &key);
		if (!blk)
			return -1;
		e = *(volatile __u32 *)&blk->e[a[i]];
	}
	if (!FE_LPM6_IS_ROUTE(e))
		return -1;
	*value = FE_LPM6_VALUE(e);
	return 0;
}

/*
 * The same for IPv4 (addr in host byte order: bpf_ntohl(ip->daddr)) in
 * an IPv4 table: three reads at most, no loop.
 */
static __always_inline int fe_lpm4_lookup(void *top_map, void *groups_map,
					  __u32 addr, __u32 *value)
{
	struct fe_lpm6_val *blk;
	void *grp;
	__u32 key = addr >> 24;
	__u32 e;

	blk = bpf_map_lookup_elem(top_map, &key);
	if (!blk)
		return -1;
	e = *(volatile __u32 *)&blk->e[(addr >> 16) & 0xff];
	if (FE_LPM6_IS_LINK(e)) {
		key = 0;
		grp = bpf_map_lookup_elem(groups_map, &key);
		if (!grp)
			return -1;
		key = FE_LPM6_VALUE(e);
		blk = bpf_map_lookup_elem(grp, &key);
		if (!blk)
			return -1;
		e = *(volatile __u32 *)&blk->e[(addr >> 8) & 0xff];
		if (FE_LPM6_IS_LINK(e)) {
			key = FE_LPM6_VALUE(e);
			blk = bpf_map_lookup_elem(grp, &key);
			if (!blk)
				return -1;
			e = *(volatile __u32 *)&blk->e[addr & 0xff];
		}
	}
	if (!FE_LPM6_IS_ROUTE(e))
		return -1;
	*value = FE_LPM6_VALUE(e);
	return 0;
}
#endif /* __bpf__ */

#endif /* FE_LPM6_H */
