/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A compressed front for the DIR-24-8 table (bpf/fe_dir24.h), in the
 * spirit of DXR (Zec, Rizzo, Mikuc, 2012): the layout shared by the
 * builder (lib/fe_dxr.c) and the fast path, and the BPF-side lookup.
 *
 * Why: tbl24 is 64 MiB, so with a full table every lookup of a random
 * destination misses the caches. Measured here, a random read costs
 * ~45 ns in up to 8 MiB and ~135-150 ns beyond 16 MiB. Folded into runs
 * of equal tbl24 entries, with 16-bit value indices, a DFZ-like million
 * routes over 16 groups takes ~7 MiB, read in one round of misses.
 *
 * Tables (BPF_MAP_TYPE_ARRAY of 1 KiB values, BPF_F_MMAPABLE, as DIR-24-8)
 *
 *   dir   65536 entries, one per /16, indexed by addr >> 16
 *         (map key addr >> 24, entry (addr >> 16) & 0xff).
 *   pool  blocks of 16 lines of 64 bytes (map key line / 16); a chunk is
 *         1..9 contiguous lines of one block.
 *   dict  65536 values, indexed by the chunks' 16-bit indices (map key
 *         index >> 8); index 0 is "no route".
 *
 * Dir entry (32 bits)
 *
 *   0                       no route anywhere in the /16
 *   FE_DIR24_VALID | value  one value for the whole /16
 *   FE_DXR_CHUNK [| FE_DXR_IDX8] | (lines - 1) << 24 | line
 *                           the /16's runs are in the chunk at pool line,
 *                           with 8-bit indices if IDX8, else 16-bit
 *   FE_DXR_DIR24            the /16 holds a prefix longer than /24 (or
 *                           the pool or the dict was full): look it up
 *                           in DIR-24-8
 *
 * Chunk: the 256 /24s of the /16 as runs of equal entries
 *
 *   bits[4]    bit o (of 256) set where /24 number o starts a run;
 *              bit 0 always set
 *   before[4]  runs starting in the words before word w (at most 192)
 *   idx[n]     each run's dict index: one byte when all of the chunk's
 *              are below 256 (a table over a few hundred groups at most,
 *              the usual case: ~4.6 MiB for a DFZ-like million routes
 *              over 16 groups), else two
 *
 * The run of /24 o is before[o / 64] + popcount(bits[o / 64] up to bit
 * o % 64) - 1. The lookup touches every line of the chunk (at most 4)
 * before it reads the header, so that their misses overlap: one round
 * of misses, not two. A chunk is written once and never changed: a new
 * one is published with one 32-bit store of the dir entry, and the old
 * one, and a dict index no chunk uses any more, are reused only after a
 * grace period, as DIR-24-8 groups are.
 */
#ifndef FE_DXR_H
#define FE_DXR_H

#include <linux/types.h>

#include "fe_dir24.h"

#define FE_MAP_DXR_DIR "fe_dxr_dir_v1"
#define FE_MAP_DXR_POOL "fe_dxr_pool_v1"
#define FE_MAP_DXR_DICT "fe_dxr_dict_v1"

#define FE_DXR_DIR_ENTRIES 65536
#define FE_DXR_DIR_VALUES (FE_DXR_DIR_ENTRIES / FE_DIR24_ENTRIES)
#define FE_DXR_LINE_WORDS 16	/* 64-byte lines */
#define FE_DXR_BLOCK_LINES 16	/* per 1 KiB map value */
/* 16 MiB: ~2x what a DFZ-like million routes takes, for the chunks that
 * wait for a grace period after a change and for growth
 */
#define FE_DXR_BLOCKS_DEFAULT 16384
#define FE_DXR_BLOCKS_MAX (1U << 20)

#define FE_DXR_DICT_VALUES 256	/* 65536 entries */
#define FE_DXR_DICT_ENTRIES (FE_DXR_DICT_VALUES * FE_DIR24_ENTRIES)

#define FE_DXR_CHUNK 0x40000000U
#define FE_DXR_IDX8 0x10000000U
#define FE_DXR_DIR24 0x20000000U
#define FE_DXR_LINES_SHIFT 24
#define FE_DXR_LINE_MASK 0x00ffffffU
#define FE_DXR_TOUCH_LINES 4	/* lines the lookup touches ahead */

struct fe_dxr_chunk {
	__u64 bits[4];
	__u8 before[4];
	union {
		__u8 idx8[0];
		__u16 idx16[0];
	};
};

#define FE_DXR_HDR_BYTES 36
/* Lines a chunk of n runs with indices of w bytes takes: 1 to 9. */
#define FE_DXR_CHUNK_LINES(n, w) ((FE_DXR_HDR_BYTES + (w) * (n) + 63) / 64)

static inline __u32 fe_dxr_popcount(__u64 x)
{
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (__u32)((x * 0x0101010101010101ULL) >> 56);
}

/* The run of /24 o, from its word of bits and the runs before the word. */
static inline __u32 fe_dxr_run(__u64 bits, __u32 before, __u32 o)
{
	return before + fe_dxr_popcount(bits & (~0ULL >> (63 - (o & 63)))) - 1;
}

#ifdef __bpf__
#include <bpf/bpf_helpers.h>

/*
 * Longest-prefix match of addr (host byte order) through the compressed
 * front, falling back to DIR-24-8 where the front says so. Same answers
 * as fe_dir24_lookup(). 0 and *value on a hit, -1 for no route.
 */
static __always_inline int fe_dxr_lookup(void *dir_map, void *pool_map,
					 void *dict_map, void *tbl24_map,
					 void *tbl8_map, __u32 addr, __u32 *value)
{
	struct fe_dir24_val *blk;
	struct fe_dxr_chunk *c;
	__u32 key = addr >> 24, e, base, lines, o, w, i;

	blk = bpf_map_lookup_elem(dir_map, &key);
	if (!blk)
		return -1;
	e = *(volatile __u32 *)&blk->e[(addr >> 16) & 0xff];
	if (e & FE_DXR_DIR24)
		return fe_dir24_lookup(tbl24_map, tbl8_map, addr, value);
	if (e & FE_DXR_CHUNK) {
		key = (e & FE_DXR_LINE_MASK) / FE_DXR_BLOCK_LINES;
		blk = bpf_map_lookup_elem(pool_map, &key);
		if (!blk)
			return -1;
		base = (e % FE_DXR_BLOCK_LINES) * FE_DXR_LINE_WORDS;
		lines = ((e >> FE_DXR_LINES_SHIFT) & 0xf) + 1;
		/* start every line's miss now; the header's comes with them */
#pragma unroll
		for (i = 1; i < FE_DXR_TOUCH_LINES; i++)
			if (i < lines)
				(void)*(volatile __u32 *)&blk->e[(base + i * FE_DXR_LINE_WORDS) &
								 (FE_DIR24_ENTRIES - 1)];
		c = (void *)&blk->e[base];
		o = (addr >> 8) & 0xff;
		w = o >> 6;
		i = fe_dxr_run(c->bits[w], c->before[w], o);
		/* the builder keeps a chunk inside its block; the mask says so
		 * to the verifier
		 */
		if (e & FE_DXR_IDX8)
			i = ((__u8 *)blk->e)[(base * 4 + FE_DXR_HDR_BYTES + i) &
					      (4 * FE_DIR24_ENTRIES - 1)];
		else
			i = ((__u16 *)blk->e)[(base * 2 + FE_DXR_HDR_BYTES / 2 +
					       i) &
					      (2 * FE_DIR24_ENTRIES - 1)];
		key = i >> 8; /* one key on the stack for the three maps */
		blk = bpf_map_lookup_elem(dict_map, &key);
		if (!blk)
			return -1;
		e = blk->e[i & 0xff];
	}
	if (!(e & FE_DIR24_VALID))
		return -1;
	*value = e & FE_DIR24_VALUE_MASK;
	return 0;
}
#endif /* __bpf__ */

#endif /* FE_DXR_H */
