/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DIR-24-8 IPv4 longest-prefix-match table: the layout shared by the
 * builder (lib/fe_dir24.c, userspace) and the fast path (BPF), and the
 * BPF-side lookup. Two memory reads per lookup at most, whatever the
 * number of prefixes, where the BPF LPM trie walks up to 32 nodes.
 *
 * Tables
 *
 *   tbl24  2^24 entries, one per /24, indexed by addr >> 8.
 *   tbl8   ngroups groups of 256 entries; a group refines one /24 whose
 *          prefixes include at least one longer than /24, indexed by the
 *          last address byte.
 *
 * Both are BPF_MAP_TYPE_ARRAY maps whose value is a block of 256 entries
 * (1 KiB, struct fe_dir24_val), created with BPF_F_MMAPABLE so that the
 * builder writes them through mmap. An array map rounds its value size up
 * to 8 bytes, so a map of single __u32 entries would not be a flat u32
 * array through mmap; 1 KiB values are, since 1024 is a multiple of 8:
 *
 *   tbl24: map key addr >> 16, entry (addr >> 8) & 0xff  (65536 values)
 *   tbl8:  map key = group,   entry addr & 0xff          (ngroups values)
 *
 * which is, seen flat from userspace, tbl24[addr >> 8] and
 * tbl8[group * 256 + (addr & 0xff)].
 *
 * Entry (32 bits, 0 = no route)
 *
 *   31     valid
 *   30     ext: tbl24 only, bits 0..23 are a tbl8 group index
 *   24..29 depth: length of the prefix that set the entry (0..32);
 *          0 in an ext entry. The builder needs it to update
 *          incrementally: a new prefix overwrites only entries set by a
 *          prefix no longer than itself, a withdrawn one only its own.
 *   0..23  value: the route's value (0..FE_DIR24_VALUE_MAX), chosen by
 *          the caller (e.g. an index into a route/NHG table), or the
 *          group index of an ext entry.
 *
 * An ext entry has valid set too, so that a reader tests one bit for
 * "anything here".
 */
#ifndef FE_DIR24_H
#define FE_DIR24_H

#include <linux/types.h>

/* Map names (at most 15 characters), versioned as in frr_ebpf_abi.h. */
#define FE_MAP_DIR24_TBL24 "fe_d24_tbl24_v1"
#define FE_MAP_DIR24_TBL8 "fe_d24_tbl8_v1"

#define FE_DIR24_ENTRIES 256			/* entries per map value */
#define FE_DIR24_TBL24_ENTRIES (1U << 24)
#define FE_DIR24_TBL24_VALUES (FE_DIR24_TBL24_ENTRIES / FE_DIR24_ENTRIES)
#define FE_DIR24_GROUPS_DEFAULT 65536		/* tbl8 groups: 64 MiB */
#define FE_DIR24_GROUPS_MAX (1U << 24)		/* what 24 bits can index */

#define FE_DIR24_VALID 0x80000000U
#define FE_DIR24_EXT 0x40000000U
#define FE_DIR24_DEPTH_SHIFT 24
#define FE_DIR24_DEPTH_MASK 0x3fU
#define FE_DIR24_VALUE_MASK 0x00ffffffU
#define FE_DIR24_VALUE_MAX FE_DIR24_VALUE_MASK

/* A route entry (tbl24 or tbl8). */
#define FE_DIR24_ENTRY(depth, value)                                        \
	(FE_DIR24_VALID |                                                   \
	 (((__u32)(depth) & FE_DIR24_DEPTH_MASK) << FE_DIR24_DEPTH_SHIFT) | \
	 ((__u32)(value) & FE_DIR24_VALUE_MASK))
/* A tbl24 entry pointing to a tbl8 group. */
#define FE_DIR24_GROUP_ENTRY(group)                                         \
	(FE_DIR24_VALID | FE_DIR24_EXT | ((__u32)(group) & FE_DIR24_VALUE_MASK))

#define FE_DIR24_IS_VALID(e) (((e) & FE_DIR24_VALID) != 0)
#define FE_DIR24_IS_EXT(e) (((e) & FE_DIR24_EXT) != 0)
#define FE_DIR24_DEPTH(e) (((e) >> FE_DIR24_DEPTH_SHIFT) & FE_DIR24_DEPTH_MASK)
#define FE_DIR24_VALUE(e) ((e) & FE_DIR24_VALUE_MASK)

/* Value of both array maps. */
struct fe_dir24_val {
	__u32 e[FE_DIR24_ENTRIES];
};

#ifdef __bpf__
#include <bpf/bpf_helpers.h>

/*
 * Longest-prefix match of addr (host byte order: bpf_ntohl(ip->daddr))
 * in the DIR-24-8 table held by the two array maps. Returns 0 and sets
 * *value on a hit, -1 when no prefix covers addr.
 *
 * Each entry is read once (volatile): the builder rewrites entries while
 * programs run, and an entry tested and then read again could have
 * changed in between. The builder publishes a group only once it is
 * full and reuses a freed one only after a grace period, so a group
 * reached through a tbl24 entry just read is always a consistent one.
 */
static __always_inline int fe_dir24_lookup(void *tbl24_map, void *tbl8_map,
					   __u32 addr, __u32 *value)
{
	struct fe_dir24_val *blk;
	__u32 key = addr >> 16;
	__u32 e;

	blk = bpf_map_lookup_elem(tbl24_map, &key);
	if (!blk)
		return -1;
	e = *(volatile __u32 *)&blk->e[(addr >> 8) & 0xff];
	if (e & FE_DIR24_EXT) {
		key = e & FE_DIR24_VALUE_MASK;
		blk = bpf_map_lookup_elem(tbl8_map, &key);
		if (!blk)
			return -1;
		e = *(volatile __u32 *)&blk->e[addr & 0xff];
	}
	if (!(e & FE_DIR24_VALID))
		return -1;
	*value = e & FE_DIR24_VALUE_MASK;
	return 0;
}
#endif /* __bpf__ */

#endif /* FE_DIR24_H */
