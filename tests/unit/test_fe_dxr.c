// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/fe_lines.c (line pool) and lib/fe_dxr.c, the
 * compressed front of DIR-24-8. The front must answer exactly as
 * DIR-24-8 (itself checked against a naive reference in test_fe_dir24)
 * for every address, after every add, replace and delete, whatever form
 * each /16 takes: one value, a chunk of runs, or DIR-24-8 itself.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/fe_dxr.h"
#include "lib/fe_lines.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define T24_BYTES ((size_t)FE_DIR24_TBL24_ENTRIES * sizeof(uint32_t))
#define BLOCK_BYTES (FE_DIR24_ENTRIES * sizeof(uint32_t))

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static uint32_t mask_of(uint8_t depth)
{
	return depth ? ~0U << (32 - depth) : 0;
}

/* ---- line pool ---- */

static void test_lines_take_release(void **state)
{
	struct fe_lines l;
	int64_t a, b, c;

	(void)state;
	assert_int_equal(fe_lines_init(&l, 2), 0);
	assert_int_equal(fe_lines_take(&l, 0), -EINVAL);
	assert_int_equal(fe_lines_take(&l, 17), -EINVAL);
	a = fe_lines_take(&l, 16);
	b = fe_lines_take(&l, 10);
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(a % 16, 0); /* a whole block */
	assert_int_not_equal(a / 16, b / 16);
	/* 6 lines left, in one block: 7 do not fit anywhere */
	assert_int_equal(fe_lines_take(&l, 7), -ENOSPC);
	c = fe_lines_take(&l, 6);
	assert_int_equal(c / 16, b / 16);
	assert_int_equal(l.used, 32);
	assert_int_equal(fe_lines_take(&l, 1), -ENOSPC);

	/* released lines stay taken until the grace period */
	uint64_t mark;

	assert_int_equal(fe_lines_release(&l, (uint32_t)a, 16), 0);
	assert_int_equal(fe_lines_pending(&l), 1);
	assert_int_equal(fe_lines_take(&l, 1), -ENOSPC);
	mark = fe_lines_mark(&l);
	assert_int_equal(fe_lines_release(&l, (uint32_t)c, 6), 0);
	fe_lines_grace_upto(&l, mark);
	assert_int_equal(fe_lines_pending(&l), 1); /* c: after the mark */
	assert_int_equal(fe_lines_take(&l, 16), a);
	fe_lines_grace_upto(&l, fe_lines_mark(&l));
	assert_int_equal(fe_lines_pending(&l), 0);
	assert_int_equal(fe_lines_take(&l, 6), c);
	fe_lines_fini(&l);
}

/* Best fit: a one-line request goes where a short hole is, not into a
 * free block, so that whole blocks stay for long chunks.
 */
static void test_lines_best_fit(void **state)
{
	struct fe_lines l;
	int64_t a, b;

	(void)state;
	assert_int_equal(fe_lines_init(&l, 3), 0);
	a = fe_lines_take(&l, 15); /* one line left in a's block */
	b = fe_lines_take(&l, 1);
	assert_int_equal(b / 16, a / 16);
	assert_int_equal(fe_lines_take(&l, 16) % 16, 0);
	assert_int_equal(fe_lines_take(&l, 16) % 16, 0);
	fe_lines_fini(&l);
}

/* Random churn: no line is ever handed out twice. */
static void test_lines_churn(void **state)
{
	enum { BLOCKS = 64, LIVE = 200 };
	struct fe_lines l;
	uint8_t owner[BLOCKS * 16] = { 0 };
	struct {
		int64_t line;
		uint32_t n;
	} live[LIVE] = { 0 };
	uint64_t s = 7, takes = 0;

	(void)state;
	assert_int_equal(fe_lines_init(&l, BLOCKS), 0);
	for (int i = 0; i < LIVE; i++)
		live[i].line = -1;
	for (int step = 0; step < 50000; step++) {
		int i = rnd(&s) % LIVE;

		if (live[i].line >= 0) {
			for (uint32_t k = 0; k < live[i].n; k++)
				owner[live[i].line + k] = 0;
			assert_int_equal(fe_lines_release(&l, live[i].line,
							  live[i].n), 0);
			live[i].line = -1;
		} else {
			uint32_t n = 1 + rnd(&s) % 8;
			int64_t line = fe_lines_take(&l, n);

			if (line == -ENOSPC)
				continue;
			assert_true(line >= 0);
			assert_int_equal(line / 16, (line + n - 1) / 16);
			for (uint32_t k = 0; k < n; k++) {
				assert_int_equal(owner[line + k], 0);
				owner[line + k] = 1;
			}
			live[i].line = line;
			live[i].n = n;
			takes++;
		}
		if (step % 97 == 0)
			fe_lines_grace_upto(&l, fe_lines_mark(&l));
	}
	assert_true(takes > 10000);
	fe_lines_grace_upto(&l, fe_lines_mark(&l));
	uint32_t used = 0;

	for (int i = 0; i < LIVE; i++)
		if (live[i].line >= 0)
			used += live[i].n;
	assert_int_equal(l.used, used);
	fe_lines_fini(&l);
}

/* ---- the front ---- */

struct tabs {
	uint32_t *t24, *t8, *dir, *pool, *dict;
	struct fe_dir24 *d;
	struct fe_dxr *x;
};

/* malloc and junk: fe_dxr_new must clear the dir itself. */
static void tabs_init(struct tabs *t, uint32_t groups, uint32_t blocks)
{
	t->t24 = malloc(T24_BYTES);
	t->t8 = malloc((size_t)groups * BLOCK_BYTES);
	t->dir = malloc(FE_DXR_DIR_ENTRIES * sizeof(uint32_t));
	t->pool = malloc((size_t)(blocks ? blocks : 1) * BLOCK_BYTES);
	t->dict = malloc(FE_DXR_DICT_ENTRIES * sizeof(uint32_t));
	assert_true(t->t24 && t->t8 && t->dir && t->pool && t->dict);
	memset(t->dict, 0x77, FE_DXR_DICT_ENTRIES * sizeof(uint32_t));
	memset(t->dir, 0xa5, FE_DXR_DIR_ENTRIES * sizeof(uint32_t));
	memset(t->pool, 0x5a, (size_t)(blocks ? blocks : 1) * BLOCK_BYTES);
	t->d = fe_dir24_new(t->t24, t->t8, groups);
	assert_non_null(t->d);
	t->x = fe_dxr_new(t->dir, t->pool, blocks, t->dict, t->d);
	assert_non_null(t->x);
}

static void tabs_fini(struct tabs *t)
{
	fe_dxr_free(t->x);
	fe_dir24_free(t->d);
	free(t->t24);
	free(t->t8);
	free(t->dir);
	free(t->pool);
	free(t->dict);
}

static int add(struct tabs *t, uint32_t a, uint8_t depth, uint32_t v)
{
	int ret = fe_dir24_add(t->d, a, depth, v);

	return ret ? ret : fe_dxr_sync(t->x, a, depth);
}

static int del(struct tabs *t, uint32_t a, uint8_t depth)
{
	int ret = fe_dir24_del(t->d, a, depth);

	return ret ? ret : fe_dxr_sync(t->x, a, depth);
}

static uint64_t checks;

static void check_addr(const struct tabs *t, uint32_t a)
{
	uint32_t v1 = 0xdead, v2 = 0xbeef;
	int r1 = fe_dir24_lookup(t->d, a, &v1);
	int r2 = fe_dxr_lookup(t->x, a, &v2);

	checks++;
	if (r1 != r2 || (!r1 && v1 != v2))
		fail_msg("%u.%u.%u.%u: DIR-24-8 %d/%u, front %d/%u", a >> 24,
			 a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff, r1, v1, r2, v2);
}

/* Both ends of a prefix and their neighbours. */
static void check_prefix(const struct tabs *t, uint32_t a, uint8_t depth)
{
	uint32_t last = a | ~mask_of(depth);

	check_addr(t, a);
	check_addr(t, last);
	check_addr(t, a - 1);
	check_addr(t, last + 1);
}

/* The dict index of the first run of the chunk at dir entry e. */
static uint32_t chunk_first_index(const struct tabs *t, uint32_t e)
{
	const struct fe_dxr_chunk *c =
		(const void *)(t->pool + (e & FE_DXR_LINE_MASK) * 16);

	assert_true(e & FE_DXR_CHUNK);
	return e & FE_DXR_IDX8 ? c->idx8[0] : c->idx16[0];
}

static struct fe_dxr_stats stats(const struct tabs *t)
{
	struct fe_dxr_stats st;

	fe_dxr_stats(t->x, &st);
	return st;
}

static void test_forms(void **state)
{
	struct tabs t;
	struct fe_dxr_stats st;
	uint32_t v;

	(void)state;
	tabs_init(&t, 16, 16);
	st = stats(&t);
	assert_int_equal(st.single, FE_DXR_DIR_ENTRIES);
	assert_int_equal(fe_dxr_lookup(t.x, IP(1, 2, 3, 4), &v), -ENOENT);
	assert_int_equal(fe_dxr_sync(t.x, IP(1, 2, 3, 4), 24), -EINVAL);
	assert_int_equal(fe_dxr_sync(t.x, 0, 33), -EINVAL);

	/* a /8: 256 /16s of one value each, no chunk */
	assert_int_equal(add(&t, IP(20, 0, 0, 0), 8, 7), 0);
	assert_int_equal(t.dir[IP(20, 5, 0, 0) >> 16], FE_DIR24_VALID | 7);
	assert_int_equal(stats(&t).chunks, 0);
	check_prefix(&t, IP(20, 0, 0, 0), 8);

	/* /24s inside: runs 7 | 8 8 | 7 | 9 | 7 => one chunk of 5 runs */
	assert_int_equal(add(&t, IP(20, 1, 10, 0), 24, 8), 0);
	assert_int_equal(add(&t, IP(20, 1, 11, 0), 24, 8), 0);
	assert_int_equal(add(&t, IP(20, 1, 200, 0), 24, 9), 0);
	st = stats(&t);
	assert_int_equal(st.chunks, 1);
	assert_int_equal(st.runs, 5);
	assert_int_equal(st.values, 3); /* 7, 8, 9: no route needs none */
	assert_int_equal(st.lines_used, 1); /* 36 + 5 bytes */
	assert_true(t.dir[IP(20, 1, 0, 0) >> 16] & FE_DXR_CHUNK);
	for (uint32_t o = 0; o < 256; o++)
		check_addr(&t, IP(20, 1, o, 77));
	assert_int_equal(fe_dxr_lookup(t.x, IP(20, 1, 11, 255), &v), 0);
	assert_int_equal(v, 8);
	assert_int_equal(fe_dxr_lookup(t.x, IP(20, 1, 12, 0), &v), 0);
	assert_int_equal(v, 7);

	/* a replace with the same value changes nothing: no new chunk */
	uint32_t before = t.dir[IP(20, 1, 0, 0) >> 16];

	assert_int_equal(add(&t, IP(20, 1, 10, 0), 24, 8), 0);
	assert_int_equal(t.dir[IP(20, 1, 0, 0) >> 16], before);

	/* a /25: the /16 goes to DIR-24-8 as a whole */
	fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	assert_int_equal(add(&t, IP(20, 1, 200, 128), 25, 3), 0);
	assert_int_equal(t.dir[IP(20, 1, 0, 0) >> 16], FE_DXR_DIR24);
	st = stats(&t);
	assert_int_equal(st.long_prefix, 1);
	assert_int_equal(st.chunks, 0);
	assert_int_equal(st.lines_pending, 1);
	check_prefix(&t, IP(20, 1, 200, 128), 25);
	assert_int_equal(fe_dxr_lookup(t.x, IP(20, 1, 200, 129), &v), 0);
	assert_int_equal(v, 3);

	/* and back to a chunk when it goes */
	assert_int_equal(del(&t, IP(20, 1, 200, 128), 25), 0);
	st = stats(&t);
	assert_int_equal(st.long_prefix, 0);
	assert_int_equal(st.chunks, 1);

	/* withdrawing everything leaves no route anywhere */
	assert_int_equal(del(&t, IP(20, 1, 10, 0), 24), 0);
	assert_int_equal(del(&t, IP(20, 1, 11, 0), 24), 0);
	assert_int_equal(del(&t, IP(20, 1, 200, 0), 24), 0);
	assert_int_equal(del(&t, IP(20, 0, 0, 0), 8), 0);
	st = stats(&t);
	assert_int_equal(st.single, FE_DXR_DIR_ENTRIES);
	assert_int_equal(st.runs, 0);
	assert_int_equal(st.lines_used, 0);
	assert_int_equal(fe_dxr_lookup(t.x, IP(20, 1, 10, 1), &v), -ENOENT);

	/* the default route reaches every /16 */
	assert_int_equal(add(&t, 0, 0, 1), 0);
	assert_int_equal(t.dir[0xffff], FE_DIR24_VALID | 1);
	check_addr(&t, IP(255, 255, 255, 255));
	tabs_fini(&t);
}

/* Every /24 of a /16 its own run: 256 runs, the longest chunk. */
static void test_longest_chunk(void **state)
{
	struct tabs t;
	struct fe_dxr_stats st;

	(void)state;
	tabs_init(&t, 4, 64);
	for (uint32_t o = 0; o < 256; o++) {
		assert_int_equal(add(&t, IP(30, 3, o, 0), 24, 1 + (o & 1)), 0);
		fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	}
	st = stats(&t);
	assert_int_equal(st.chunks, 1);
	assert_int_equal(st.runs, 256);
	assert_int_equal(FE_DXR_CHUNK_LINES(256, 1), 5); /* indices 1, 2 */
	assert_true(t.dir[IP(30, 3, 0, 0) >> 16] & FE_DXR_IDX8);
	assert_int_equal((t.dir[IP(30, 3, 0, 0) >> 16] >> FE_DXR_LINES_SHIFT) & 0xf,
			 4);
	for (uint32_t o = 0; o < 256; o++)
		check_addr(&t, IP(30, 3, o, 9));
	tabs_fini(&t);
}

/*
 * More distinct values than the dict has indices: the /16s that find no
 * free index go to DIR-24-8 and answer the same; once values go and a
 * grace period passes, their indices serve again, and not before.
 */
static void test_dict_full(void **state)
{
	struct tabs t;
	struct fe_dxr_stats st;
	uint32_t v = 1, e, i0;

	(void)state;
	tabs_init(&t, 4, 8192);
	/* 280 /16s of 256 distinct values: 71680 > 65535 */
	for (uint32_t hi = 0; hi < 280; hi++) {
		for (uint32_t o = 0; o < 256; o++)
			assert_int_equal(fe_dir24_add(t.d, IP(70, 0, 0, 0) |
							     hi << 16 | o << 8,
						      24, v++), 0);
		assert_int_equal(fe_dxr_sync(t.x, IP(70, 0, 0, 0) | hi << 16, 16),
				 0);
	}
	st = stats(&t);
	/* 255 /16s take 65280 indices; 255 are left, the next needs 256 */
	assert_int_equal(st.values, 255 * 256);
	assert_int_equal(st.chunks, 255);
	assert_int_equal(st.no_room, 25);
	for (uint32_t k = 0; k < 5000; k++)
		check_addr(&t, IP(70, 0, 0, 0) | (k * 2654435761U & 0x01ffffff));

	/* withdraw the first /16's routes: its values' indices wait */
	e = t.dir[IP(70, 0, 0, 0) >> 16];
	i0 = chunk_first_index(&t, e);
	for (uint32_t o = 0; o < 256; o++)
		assert_int_equal(fe_dir24_del(t.d, IP(70, 0, o, 0), 24), 0);
	assert_int_equal(fe_dxr_sync(t.x, IP(70, 0, 0, 0), 16), 0);
	st = stats(&t);
	assert_int_equal(st.values_pending, 256);
	assert_int_equal(st.no_room, 25);
	assert_int_equal(t.dict[i0], FE_DIR24_VALID | 1); /* still readable */
	fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	st = stats(&t);
	assert_int_equal(st.chunks, 255); /* one more /16 took the indices */
	assert_int_equal(st.no_room, 24);
	for (uint32_t k = 0; k < 5000; k++)
		check_addr(&t, IP(70, 0, 0, 0) | (k * 2654435761U & 0x01ffffff));
	tabs_fini(&t);
}

/*
 * A pool too small for every chunk: the /16s without room go to DIR-24-8
 * and answer the same; lines freed after a grace period are used again.
 */
static void test_no_room(void **state)
{
	struct tabs t;
	struct fe_dxr_stats st;

	(void)state;
	tabs_init(&t, 4, 1); /* 16 lines: 16 chunks of 5 runs */
	for (uint32_t hi = 0; hi < 40; hi++) { /* one sync per /16 */
		assert_int_equal(fe_dir24_add(t.d, IP(40, hi, 1, 0), 24, 5), 0);
		assert_int_equal(fe_dir24_add(t.d, IP(40, hi, 7, 0), 24, 6), 0);
		assert_int_equal(fe_dxr_sync(t.x, IP(40, hi, 0, 0), 16), 0);
	}
	st = stats(&t);
	assert_int_equal(st.chunks, 16);
	assert_int_equal(st.no_room, 24);
	for (uint32_t hi = 0; hi < 40; hi++)
		for (uint32_t o = 0; o < 9; o++)
			check_addr(&t, IP(40, hi, o, 1));

	/* empty the first 8 chunks' /16s: 8 lines, once graced */
	for (uint32_t hi = 0; hi < 8; hi++) {
		assert_int_equal(fe_dir24_del(t.d, IP(40, hi, 1, 0), 24), 0);
		assert_int_equal(fe_dir24_del(t.d, IP(40, hi, 7, 0), 24), 0);
		assert_int_equal(fe_dxr_sync(t.x, IP(40, hi, 0, 0), 16), 0);
	}
	assert_int_equal(stats(&t).lines_pending, 8);
	/* a change in a /16 without room: still no room before the grace */
	assert_int_equal(add(&t, IP(40, 20, 8, 0), 24, 6), 0); /* 5 runs still */
	assert_int_equal(stats(&t).no_room, 24);
	/* the grace period gives 8 of them a chunk */
	fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	st = stats(&t);
	assert_int_equal(st.chunks, 16);
	assert_int_equal(st.no_room, 16);
	assert_int_equal(st.lines_pending, 0);
	for (uint32_t hi = 0; hi < 40; hi++)
		for (uint32_t o = 0; o < 10; o++)
			check_addr(&t, IP(40, hi, o, 1));
	tabs_fini(&t);
}

/* The chunk a sync replaced stays intact until the grace period. */
static void test_grace(void **state)
{
	struct tabs t;
	uint32_t e1, e2, copy[16];

	(void)state;
	tabs_init(&t, 4, 2); /* 8 chunks */
	assert_int_equal(add(&t, IP(50, 1, 4, 0), 24, 5), 0);
	e1 = t.dir[IP(50, 1, 0, 0) >> 16];
	memcpy(copy, t.pool + (e1 & FE_DXR_LINE_MASK) * 16, sizeof(copy));
	for (int i = 0; i < 6; i++) { /* churn through the other lines */
		assert_int_equal(add(&t, IP(50, 1, 5, 0), 24, 10 + i), 0);
		assert_int_equal(memcmp(copy, t.pool + (e1 & FE_DXR_LINE_MASK) * 16,
					sizeof(copy)), 0);
	}
	e2 = t.dir[IP(50, 1, 0, 0) >> 16];
	assert_int_not_equal(e1, e2);
	fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	assert_int_equal(stats(&t).lines_pending, 0);
	assert_int_equal(stats(&t).lines_used, 1);
	tabs_fini(&t);
}

/*
 * Random adds, replaces and deletes of prefixes of every length in a
 * small space (so that /16s hold many), values from a few groups (so that
 * runs merge and split), every prefix's ends checked after each change
 * and random addresses every few.
 */
static void test_random_vs_dir24(void **state)
{
	enum { N = 3000 };
	struct rule {
		uint32_t a;
		uint8_t depth;
		bool in;
	} *r = calloc(N, sizeof(*r));
	struct tabs t;
	uint64_t s = 0x1234567;
	struct fe_dxr_stats st;

	(void)state;
	assert_non_null(r);
	tabs_init(&t, 8192, 256);
	for (int i = 0; i < N; i++) {
		uint64_t k = rnd(&s) % 100;
		uint8_t depth = k < 5 ? 8 + rnd(&s) % 8 :
				k < 60 ? 24 :
				k < 85 ? 16 + rnd(&s) % 8 :
					 25 + rnd(&s) % 8;

		/* 60.0.0.0/10: 64 /16s */
		r[i].a = (IP(60, 0, 0, 0) | (rnd(&s) & 0x003fffff)) &
			 mask_of(depth);
		if (depth < 10)
			r[i].a = IP(60, 0, 0, 0) & mask_of(depth);
		r[i].depth = depth;
	}
	checks = 0;
	for (int step = 0; step < 40000; step++) {
		int i = rnd(&s) % N;
		int ret;

		if (r[i].in && rnd(&s) % 3 == 0) {
			ret = del(&t, r[i].a, r[i].depth);
			if (ret != -ENOENT) { /* a duplicate prefix */
				assert_int_equal(ret, 0);
			}
			for (int j = 0; j < N; j++)
				if (r[j].a == r[i].a && r[j].depth == r[i].depth)
					r[j].in = false;
		} else {
			ret = add(&t, r[i].a, r[i].depth, 1 + rnd(&s) % 4);
			assert_int_equal(ret, 0);
			r[i].in = true;
		}
		check_prefix(&t, r[i].a, r[i].depth);
		if (step % 50 == 0)
			for (int k = 0; k < 200; k++)
				check_addr(&t, IP(60, 0, 0, 0) |
						       (rnd(&s) & 0x003fffff));
		if (step % 1000 == 0)
			fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	}
	st = stats(&t);
	/* every form was exercised */
	assert_true(st.chunks > 0 && st.long_prefix > 0);
	assert_true(checks > 300000);
	free(r);
	tabs_fini(&t);
}

/*
 * A DFZ-like million routes over 16 groups (no prefix longer than /24):
 * all /16s fit in the default pool, and random addresses agree.
 */
static void test_scale_1m(void **state)
{
	static const uint8_t lens[] = { 24, 24, 24, 24, 24, 24, 22, 23, 21, 20 };
	struct tabs t;
	struct fe_dxr_stats st;
	uint64_t s = 99;
	uint32_t n = 0;

	(void)state;
	tabs_init(&t, 16, FE_DXR_BLOCKS_DEFAULT);
	while (n < 1000000) {
		uint8_t depth = lens[rnd(&s) % sizeof(lens)];
		uint32_t a = (uint32_t)rnd(&s) & mask_of(depth);
		uint32_t v;

		if (a >> 24 == 0 || a >> 24 >= 224 ||
		    fe_dir24_get(t.d, a, depth, &v) == 0)
			continue;
		assert_int_equal(add(&t, a, depth, 1 + rnd(&s) % 16), 0);
		if (++n % 20000 == 0) /* the module's tick */
			fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	}
	fe_dxr_grace_upto(t.x, fe_dxr_grace_mark(t.x));
	st = stats(&t);
	assert_int_equal(st.no_room, 0);
	print_message("1M routes: %u chunks, %llu runs, %u lines (%.1f MiB), %.1f bytes/route\n",
		      st.chunks, (unsigned long long)st.runs, st.lines_used,
		      st.pool_bytes / 1048576.0,
		      (double)(st.pool_bytes + st.dir_bytes) / n);
	checks = 0;
	for (int k = 0; k < 2000000; k++)
		check_addr(&t, (uint32_t)rnd(&s));
	tabs_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_take_release),
		cmocka_unit_test(test_lines_best_fit),
		cmocka_unit_test(test_lines_churn),
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_longest_chunk),
		cmocka_unit_test(test_dict_full),
		cmocka_unit_test(test_no_room),
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_random_vs_dir24),
		cmocka_unit_test(test_scale_1m),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
