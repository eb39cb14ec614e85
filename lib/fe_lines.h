/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pool of 64-byte lines in blocks of 16 (the 1 KiB values of an array
 * map), handing out runs of 1..16 contiguous lines that never cross a
 * block, with grace periods as fe_groups. Pure C. Used for the chunks of
 * fe_dxr.
 *
 * Blocks sit on one list per length of their longest free run; a request
 * for n lines takes the block with the shortest run that fits (best fit),
 * so a few long runs stay for long chunks.
 */
#ifndef FE_LIB_LINES_H
#define FE_LIB_LINES_H

#include <stdint.h>

#define FE_LINES_PER_BLOCK 16

struct fe_lines_freed {
	uint32_t line;
	uint32_t count;
};

struct fe_lines {
	uint32_t nblocks;
	uint32_t used;		/* lines taken and not yet released */
	uint16_t *taken;	/* per block: bit i = line i taken or pending */
	uint8_t *run;		/* per block: longest free run */
	uint32_t *next, *prev;	/* per block: links of its run list */
	uint32_t head[FE_LINES_PER_BLOCK + 1];

	/* Released, waiting for a grace period, oldest first. */
	struct fe_lines_freed *pending;
	uint32_t pending_first, pending_len, pending_cap;
	uint64_t freed_seq, released_seq;
};

/* All blocks free. 0, -ENOMEM. */
int fe_lines_init(struct fe_lines *l, uint32_t nblocks);
void fe_lines_fini(struct fe_lines *l);

/* The first line of count (1..16) free contiguous lines; -ENOSPC. */
int64_t fe_lines_take(struct fe_lines *l, uint32_t count);

/*
 * Unlinked: the lines stay taken until a grace period has passed.
 * -ENOMEM (then the lines are simply never reused).
 */
int fe_lines_release(struct fe_lines *l, uint32_t line, uint32_t count);

/* A mark before a grace period; free what was released before it. */
static inline uint64_t fe_lines_mark(const struct fe_lines *l)
{
	return l->freed_seq;
}
void fe_lines_grace_upto(struct fe_lines *l, uint64_t mark);

static inline uint32_t fe_lines_pending(const struct fe_lines *l)
{
	return (uint32_t)(l->freed_seq - l->released_seq);
}

/* Heap bytes of the bookkeeping. */
uint64_t fe_lines_heap_bytes(const struct fe_lines *l);

#endif /* FE_LIB_LINES_H */
