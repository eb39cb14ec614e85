// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Compressed front of DIR-24-8 (see fe_dxr.h). Each sync reads the 256
 * tbl24 entries of a /16, folds them into runs of equal (valid, value)
 * (the depth the builder keeps in an entry does not change an answer),
 * and publishes the cheapest form that says exactly the same.
 *
 * The dict gives each distinct value a 16-bit index, counted by the runs
 * that use it; an index no run uses goes back to its pool (fe_groups)
 * and is reused after a grace period, so a reader of an old chunk still
 * finds the value it was written with.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fe_dxr.h"
#include "fe_groups.h"
#include "fe_lines.h"
#include "fe_rules.h"

enum kind { K_SINGLE, K_CHUNK, K_LONG, K_NO_ROOM, K_COUNT };

/* value -> dict index; the value (never 0 here) marks the slot used */
struct dict_slot {
	uint32_t value;
	uint32_t index;
};

struct fe_dxr {
	uint32_t *dir;
	uint32_t *pool;
	uint32_t *dict;
	const struct fe_dir24 *d24;
	const uint32_t *tbl24;
	struct fe_lines lines;
	struct fe_groups indices; /* dict indices 1..65535 (0: no route) */
	struct fe_rules by_value;
	uint32_t refs[FE_DXR_DICT_ENTRIES];
	uint8_t kind[FE_DXR_DIR_ENTRIES];
	uint32_t count[K_COUNT];
	uint64_t runs;
};

/* The runs of one /16. */
struct runs {
	uint64_t bits[4];
	uint32_t n;
	uint32_t val[FE_DIR24_ENTRIES];
	uint16_t idx[FE_DIR24_ENTRIES];
};

static inline void wr(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static inline uint32_t rd(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static struct fe_dxr_chunk *chunk_at(const struct fe_dxr *x, uint32_t e)
{
	return (struct fe_dxr_chunk *)(x->pool + (size_t)(e & FE_DXR_LINE_MASK) *
							 FE_DXR_LINE_WORDS);
}

static uint32_t chunk_runs(const struct fe_dxr_chunk *c)
{
	uint32_t n = 0;

	for (int w = 0; w < 4; w++)
		n += fe_dxr_popcount(c->bits[w]);
	return n;
}

static uint32_t chunk_index(const struct fe_dxr_chunk *c, uint32_t e,
			    uint32_t i)
{
	return e & FE_DXR_IDX8 ? c->idx8[i] : c->idx16[i];
}

static uint32_t chunk_lines(uint32_t e)
{
	return ((e >> FE_DXR_LINES_SHIFT) & 0xf) + 1;
}

/* ------------------------------------------------------------------ */
/* Dict                                                                */
/* ------------------------------------------------------------------ */

static uint64_t value_hash(const void *slot)
{
	uint64_t k = ((const struct dict_slot *)slot)->value *
		     0x9e3779b97f4a7c15ULL;

	return k ^ (k >> 29);
}

static bool value_same(const void *a, const void *b)
{
	return ((const struct dict_slot *)a)->value ==
	       ((const struct dict_slot *)b)->value;
}

static const struct fe_rules_ops dict_ops = {
	.slot_size = sizeof(struct dict_slot),
	.hash = value_hash,
	.same_key = value_same,
	.entry_offset = offsetof(struct dict_slot, value),
};

/*
 * Take a reference on value's index (a new index if it has none): the
 * index, or -ENOSPC / -ENOMEM with nothing changed.
 */
static int dict_ref(struct fe_dxr *x, uint32_t value)
{
	struct dict_slot key = { value, 0 }, *s;
	uint32_t i;

	if (!value)
		return 0;
	s = fe_rules_find(&x->by_value, &key);
	if (s) {
		x->refs[s->index]++;
		return (int)s->index;
	}
	if (!x->indices.nfree)
		return -ENOSPC;
	if (fe_rules_reserve(&x->by_value))
		return -ENOMEM;
	i = fe_groups_take(&x->indices) + 1;
	wr(&x->dict[i], value); /* before any chunk names i */
	key.index = i;
	fe_rules_put(&x->by_value, &key);
	x->refs[i] = 1;
	return (int)i;
}

/*
 * Drop a reference. An index no run uses any more is free again: at once
 * if no published chunk ever named it, else after a grace period, since
 * readers of an old chunk may still look it up.
 */
static void dict_unref(struct fe_dxr *x, uint32_t i, bool published)
{
	struct dict_slot key = { 0, 0 }, *s;

	if (!i || --x->refs[i])
		return;
	key.value = rd(&x->dict[i]);
	s = fe_rules_find(&x->by_value, &key);
	if (s)
		fe_rules_remove(&x->by_value, s);
	if (published)
		fe_groups_release(&x->indices, i - 1);
	else
		fe_groups_untake(&x->indices, i - 1);
}

/* ------------------------------------------------------------------ */
/* Builder                                                             */
/* ------------------------------------------------------------------ */

struct fe_dxr *fe_dxr_new(uint32_t *dir, uint32_t *pool, uint32_t nblocks,
			  uint32_t *dict, const struct fe_dir24 *d24)
{
	struct fe_dxr *x;

	if (!dir || !pool || !dict || !d24 || nblocks > FE_DXR_BLOCKS_MAX) {
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (!x)
		goto nomem;
	if (fe_lines_init(&x->lines, nblocks))
		goto nomem;
	if (fe_groups_init(&x->indices, FE_DXR_DICT_ENTRIES - 1))
		goto nomem;
	if (fe_rules_init(&x->by_value, &dict_ops, 1024))
		goto nomem;
	x->dir = dir;
	x->pool = pool;
	x->dict = dict;
	x->d24 = d24;
	x->tbl24 = fe_dir24_tbl24(d24);
	memset(dir, 0, FE_DXR_DIR_ENTRIES * sizeof(*dir));
	dict[0] = 0;
	x->count[K_SINGLE] = FE_DXR_DIR_ENTRIES;
	return x;
nomem:
	fe_dxr_free(x);
	errno = ENOMEM;
	return NULL;
}

void fe_dxr_free(struct fe_dxr *x)
{
	if (!x)
		return;
	fe_rules_fini(&x->by_value);
	fe_groups_fini(&x->indices);
	fe_lines_fini(&x->lines);
	free(x);
}

/* The runs of /16 hi; false if it holds a prefix longer than /24. */
static bool read_runs(const struct fe_dxr *x, uint32_t hi, struct runs *r)
{
	const uint32_t *t = x->tbl24 + (size_t)hi * FE_DIR24_ENTRIES;

	memset(r->bits, 0, sizeof(r->bits));
	r->n = 0;
	for (uint32_t o = 0; o < FE_DIR24_ENTRIES; o++) {
		uint32_t e = rd(&t[o]), v;

		if (FE_DIR24_IS_EXT(e))
			return false;
		v = e & (FE_DIR24_VALID | FE_DIR24_VALUE_MASK);
		if (r->n && v == r->val[r->n - 1])
			continue;
		r->bits[o / 64] |= 1ULL << (o % 64);
		r->val[r->n++] = v;
	}
	return true;
}

/* The chunk of dir entry e says the same as r (values through the dict). */
static bool chunk_same(const struct fe_dxr *x, uint32_t e,
		       const struct runs *r)
{
	const struct fe_dxr_chunk *c = chunk_at(x, e);

	if (memcmp(c->bits, r->bits, sizeof(r->bits)))
		return false;
	for (uint32_t i = 0; i < r->n; i++)
		if (rd(&x->dict[chunk_index(c, e, i)]) != r->val[i])
			return false;
	return true;
}

static void chunk_unref(struct fe_dxr *x, uint32_t e)
{
	const struct fe_dxr_chunk *c = chunk_at(x, e);
	uint32_t n = chunk_runs(c);

	for (uint32_t i = 0; i < n; i++)
		dict_unref(x, chunk_index(c, e, i), true);
}

/*
 * Write r as a chunk: the dir entry for it, or 0 with nothing changed
 * (no free lines or dict indices, or no memory).
 */
static uint32_t chunk_make(struct fe_dxr *x, struct runs *r)
{
	uint32_t nl, i, e, max = 0;
	struct fe_dxr_chunk *c;
	uint8_t before = 0;
	int64_t line;
	int idx;

	for (i = 0; i < r->n; i++) {
		idx = dict_ref(x, r->val[i]);
		if (idx < 0)
			goto undo;
		r->idx[i] = (uint16_t)idx;
		if ((uint32_t)idx > max)
			max = (uint32_t)idx;
	}
	nl = FE_DXR_CHUNK_LINES(r->n, max < 256 ? 1 : 2);
	line = fe_lines_take(&x->lines, nl);
	if (line < 0)
		goto undo;
	e = FE_DXR_CHUNK | (max < 256 ? FE_DXR_IDX8 : 0) |
	    (nl - 1) << FE_DXR_LINES_SHIFT | (uint32_t)line;
	c = chunk_at(x, e);
	for (int w = 0; w < 4; w++) {
		c->bits[w] = r->bits[w];
		c->before[w] = before;
		before += (uint8_t)fe_dxr_popcount(r->bits[w]);
	}
	for (i = 0; i < r->n; i++) {
		if (e & FE_DXR_IDX8)
			c->idx8[i] = (uint8_t)r->idx[i];
		else
			c->idx16[i] = r->idx[i];
	}
	return e;
undo:
	/* an index this attempt made has never been published */
	while (i-- > 0)
		dict_unref(x, r->idx[i], x->refs[r->idx[i]] > 1);
	return 0;
}

static int sync16(struct fe_dxr *x, uint32_t hi, struct runs *r)
{
	uint32_t old = rd(&x->dir[hi]), want = FE_DXR_DIR24;
	enum kind k;
	int ret = 0;

	if (!read_runs(x, hi, r)) {
		k = K_LONG;
	} else if (r->n == 1) {
		k = K_SINGLE;
		want = r->val[0];
	} else if ((old & FE_DXR_CHUNK) && chunk_same(x, old, r)) {
		return 0;
	} else {
		uint32_t e = chunk_make(x, r);

		k = e ? K_CHUNK : K_NO_ROOM;
		if (e)
			want = e;
	}

	if (k == K_CHUNK)
		x->runs += r->n;
	x->count[x->kind[hi]]--;
	x->count[k]++;
	x->kind[hi] = k;
	if (want == old)
		return 0;
	wr(&x->dir[hi], want);
	if (old & FE_DXR_CHUNK) {
		x->runs -= chunk_runs(chunk_at(x, old));
		chunk_unref(x, old);
		/* on -ENOMEM the lines are never reused, nothing else */
		ret = fe_lines_release(&x->lines, old & FE_DXR_LINE_MASK,
				       chunk_lines(old));
	}
	return ret;
}

int fe_dxr_sync(struct fe_dxr *x, uint32_t addr, uint8_t depth)
{
	uint32_t first, n;
	struct runs *r;
	int ret = 0;

	if (depth > 32 || (addr & ~(depth ? ~0U << (32 - depth) : 0)))
		return -EINVAL;
	first = addr >> 16;
	n = depth >= 16 ? 1 : 1U << (16 - depth);
	r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	for (uint32_t i = 0; i < n && !ret; i++)
		ret = sync16(x, first + i, r);
	free(r);
	return ret;
}

int fe_dxr_lookup(const struct fe_dxr *x, uint32_t addr, uint32_t *value)
{
	uint32_t e = rd(&x->dir[addr >> 16]);

	if (e & FE_DXR_DIR24)
		return fe_dir24_lookup(x->d24, addr, value);
	if (e & FE_DXR_CHUNK) {
		const struct fe_dxr_chunk *c = chunk_at(x, e);
		uint32_t o = (addr >> 8) & 0xff;

		e = rd(&x->dict[chunk_index(c, e,
					    fe_dxr_run(c->bits[o / 64],
						       c->before[o / 64], o))]);
	}
	if (!(e & FE_DIR24_VALID))
		return -ENOENT;
	*value = e & FE_DIR24_VALUE_MASK;
	return 0;
}

struct fe_dxr_mark fe_dxr_grace_mark(const struct fe_dxr *x)
{
	return (struct fe_dxr_mark){ fe_lines_mark(&x->lines),
				     x->indices.freed_seq };
}

/*
 * Lines come back: the /16s that found none take a chunk now. During a
 * full-table load each sync leaves the chunk it replaced pending, so some
 * /16s may run out of room until the next grace period; they answer
 * through DIR-24-8 meanwhile, exact but slower.
 */
void fe_dxr_grace_upto(struct fe_dxr *x, struct fe_dxr_mark mark)
{
	struct runs *r;

	fe_lines_grace_upto(&x->lines, mark.lines);
	fe_groups_grace_upto(&x->indices, mark.indices);
	if (!x->count[K_NO_ROOM] || !(r = malloc(sizeof(*r))))
		return;
	for (uint32_t hi = 0; hi < FE_DXR_DIR_ENTRIES && x->count[K_NO_ROOM];
	     hi++)
		if (x->kind[hi] == K_NO_ROOM && sync16(x, hi, r))
			break;
	free(r);
}

void fe_dxr_stats(const struct fe_dxr *x, struct fe_dxr_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->single = x->count[K_SINGLE];
	st->chunks = x->count[K_CHUNK];
	st->long_prefix = x->count[K_LONG];
	st->no_room = x->count[K_NO_ROOM];
	st->runs = x->runs;
	st->values = (uint32_t)x->by_value.count;
	st->lines_used = x->lines.used;
	st->lines_pending = fe_lines_pending(&x->lines);
	st->values_pending = fe_groups_pending(&x->indices);
	st->lines_total = x->lines.nblocks * FE_DXR_BLOCK_LINES;
	st->dir_bytes = FE_DXR_DIR_ENTRIES * sizeof(uint32_t);
	st->pool_bytes = (uint64_t)(st->lines_used + st->lines_pending) * 64;
	st->dict_bytes = FE_DXR_DICT_ENTRIES * sizeof(uint32_t);
	st->heap_bytes = sizeof(*x) + fe_lines_heap_bytes(&x->lines) +
			 fe_groups_heap_bytes(&x->indices) +
			 fe_rules_bytes(&x->by_value);
}
