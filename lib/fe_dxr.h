/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Builder of the compressed front of a DIR-24-8 table (layout and why:
 * bpf/fe_dxr.h). Pure C: no FRR, no libbpf.
 *
 * The front is derived from the DIR-24-8 tables, never from routes: after
 * every fe_dir24_add()/fe_dir24_del() of addr/depth, fe_dxr_sync() with
 * the same prefix rebuilds the chunks of the /16s it covers from tbl24.
 * So the two can never disagree on a route: where the front cannot say
 * it as runs (a prefix longer than /24, no free lines or dict indices),
 * its dir entry sends the lookup to DIR-24-8.
 *
 * Readers run concurrently with the one writer and see each /16 either
 * as before or as after a sync: a chunk is complete before the dir entry
 * that publishes it (one 32-bit release store) and the lines of the one
 * it replaces are reused only after a grace period (fe_dxr_grace_upto()
 * with a mark taken before it, as for fe_dir24). Between a DIR-24-8
 * update and its sync the front answers as before the update.
 *
 * Not thread-safe for writers. Every function returns 0 or a negative
 * errno; a failed sync leaves the /16s it had not reached as they were,
 * which is the answer before the update (the caller degrades as for a
 * failed DIR-24-8 update).
 */
#ifndef FE_LIB_DXR_H
#define FE_LIB_DXR_H

#include <stdint.h>

#include "../bpf/fe_dxr.h"
#include "fe_dir24.h"

struct fe_dxr;

struct fe_dxr_stats {
	uint32_t single;        /* /16s with one value (or none) */
	uint32_t chunks;        /* /16s as a chunk of runs */
	uint32_t long_prefix;   /* /16s left to DIR-24-8: a prefix > /24 */
	uint32_t no_room;       /* left to DIR-24-8: no free lines or indices */
	uint64_t runs;          /* in all chunks */
	uint32_t values;        /* distinct values in the dict */
	uint32_t values_pending;/* indices waiting for a grace period */
	uint32_t lines_used;    /* pool lines of the chunks */
	uint32_t lines_pending; /* released, waiting for a grace period */
	uint32_t lines_total;
	uint64_t dir_bytes;     /* 256 KiB, always */
	uint64_t pool_bytes;    /* lines used and pending, 64 bytes each */
	uint64_t dict_bytes;    /* 256 KiB, always */
	uint64_t heap_bytes;    /* the builder's bookkeeping */
};

/* What was freed before a grace period started (fe_dxr_grace_mark()). */
struct fe_dxr_mark {
	uint64_t lines, indices;
};

/*
 * A builder writing dir (FE_DXR_DIR_ENTRIES entries), pool (nblocks
 * blocks of FE_DXR_BLOCK_LINES lines) and dict (FE_DXR_DICT_ENTRIES),
 * reading the tables of d24. dir is cleared to "no route": call it with
 * d24 still empty, or fe_dxr_sync() everything. NULL with errno EINVAL
 * (NULL argument, nblocks too large) or ENOMEM.
 */
struct fe_dxr *fe_dxr_new(uint32_t *dir, uint32_t *pool, uint32_t nblocks,
			  uint32_t *dict, const struct fe_dir24 *d24);
void fe_dxr_free(struct fe_dxr *x);

/* Rebuild the /16s covered by addr/depth (host order) from DIR-24-8. */
int fe_dxr_sync(struct fe_dxr *x, uint32_t addr, uint8_t depth);

/* Longest-prefix match as the BPF program does it (the tests' reference). */
int fe_dxr_lookup(const struct fe_dxr *x, uint32_t addr, uint32_t *value);

/*
 * Grace periods, as fe_dir24_grace_mark() / fe_dir24_grace_upto(). The
 * /16s a sync left to DIR-24-8 for want of free lines are synced again
 * once lines are free.
 */
struct fe_dxr_mark fe_dxr_grace_mark(const struct fe_dxr *x);
void fe_dxr_grace_upto(struct fe_dxr *x, struct fe_dxr_mark mark);

void fe_dxr_stats(const struct fe_dxr *x, struct fe_dxr_stats *st);

#endif /* FE_LIB_DXR_H */
