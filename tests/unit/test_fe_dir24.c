// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/fe_dir24.c, the DIR-24-8 builder: every lookup is
 * compared with a naive reference (a list of prefixes, longest match by
 * scanning it all) after adds, replaces and deletes in random orders;
 * tbl8 groups, their exhaustion and their grace period; a reader thread
 * racing the writer; a full-table scale run.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include <cmocka.h>

#include "lib/fe_dir24.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define T24_BYTES ((size_t)FE_DIR24_TBL24_ENTRIES * sizeof(uint32_t))
#define GROUP_BYTES (FE_DIR24_ENTRIES * sizeof(uint32_t))

/* Deterministic generator: tests must not depend on the clock. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t mask_of(uint8_t depth)
{
	return depth ? ~0U << (32 - depth) : 0;
}

/* ---- tables under test ---- */

struct tabs {
	uint32_t *t24;
	uint32_t *t8;
	uint32_t ngroups;
	struct fe_dir24 *d;
};

/* malloc, not calloc: fe_dir24_new must clear the tables itself. */
static void tabs_init(struct tabs *t, uint32_t ngroups)
{
	t->ngroups = ngroups;
	t->t24 = malloc(T24_BYTES);
	t->t8 = malloc((ngroups ? ngroups : 1) * GROUP_BYTES);
	assert_non_null(t->t24);
	assert_non_null(t->t8);
	memset(t->t24, 0xa5, T24_BYTES);
	memset(t->t8, 0x5a, (ngroups ? ngroups : 1) * GROUP_BYTES);
	t->d = fe_dir24_new(t->t24, t->t8, ngroups);
	assert_non_null(t->d);
}

static void tabs_fini(struct tabs *t)
{
	fe_dir24_free(t->d);
	free(t->t24);
	free(t->t8);
}

static struct fe_dir24_stats stats(const struct tabs *t)
{
	struct fe_dir24_stats st;

	fe_dir24_stats(t->d, &st);
	return st;
}

/* tbl8 group linked from the /24 of addr, or -1. */
static int64_t group_at(const struct tabs *t, uint32_t addr)
{
	uint32_t e = t->t24[addr >> 8];

	return FE_DIR24_IS_EXT(e) ? (int64_t)FE_DIR24_VALUE(e) : -1;
}

static void expect_hit(const struct tabs *t, uint32_t addr, uint32_t value)
{
	uint32_t v = ~0U;

	assert_int_equal(fe_dir24_lookup(t->d, addr, &v), 0);
	assert_int_equal(v, value);
}

static void expect_miss(const struct tabs *t, uint32_t addr)
{
	uint32_t v = 12345;

	assert_int_equal(fe_dir24_lookup(t->d, addr, &v), -ENOENT);
	assert_int_equal(v, 12345);
}

/* ---- naive reference ---- */

struct rule {
	uint32_t addr;
	uint8_t depth;
	uint32_t value;
};

struct ref {
	struct rule *r;
	size_t n, cap;
};

static ssize_t ref_find(const struct ref *ref, uint32_t addr, uint8_t depth)
{
	for (size_t i = 0; i < ref->n; i++)
		if (ref->r[i].addr == addr && ref->r[i].depth == depth)
			return (ssize_t)i;
	return -1;
}

static void ref_add(struct ref *ref, uint32_t addr, uint8_t depth,
		    uint32_t value)
{
	ssize_t i = ref_find(ref, addr, depth);

	if (i >= 0) {
		ref->r[i].value = value;
		return;
	}
	if (ref->n == ref->cap) {
		ref->cap = ref->cap ? ref->cap * 2 : 256;
		ref->r = realloc(ref->r, ref->cap * sizeof(*ref->r));
		assert_non_null(ref->r);
	}
	ref->r[ref->n++] = (struct rule){ addr, depth, value };
}

static int ref_del(struct ref *ref, uint32_t addr, uint8_t depth)
{
	ssize_t i = ref_find(ref, addr, depth);

	if (i < 0)
		return -ENOENT;
	ref->r[i] = ref->r[--ref->n];
	return 0;
}

static int ref_lookup(const struct ref *ref, uint32_t addr, uint32_t *value)
{
	int best = -1;

	for (size_t i = 0; i < ref->n; i++) {
		const struct rule *r = &ref->r[i];

		if ((addr & mask_of(r->depth)) == r->addr && r->depth > best) {
			best = r->depth;
			*value = r->value;
		}
	}
	return best < 0 ? -ENOENT : 0;
}

/* /24s holding a prefix longer than /24: the groups there must be. */
static uint32_t ref_groups(const struct ref *ref)
{
	uint32_t *s = malloc((ref->n + 1) * sizeof(*s));
	uint32_t n = 0, groups = 0;

	assert_non_null(s);
	for (size_t i = 0; i < ref->n; i++)
		if (ref->r[i].depth > 24)
			s[n++] = ref->r[i].addr >> 8;
	for (uint32_t i = 0; i < n; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < i && !seen; j++)
			seen = s[j] == s[i];
		groups += !seen;
	}
	free(s);
	return groups;
}

/* ---- prefix sets ---- */

struct len_weight {
	uint8_t depth;
	uint16_t weight;
};

/* Roughly the IPv4 DFZ of the 2020s (per mille). */
static const struct len_weight mix_dfz[] = {
	{ 8, 1 },   { 10, 1 },  { 12, 2 },  { 13, 2 },  { 14, 3 },
	{ 15, 4 },  { 16, 13 }, { 17, 7 },  { 18, 12 }, { 19, 22 },
	{ 20, 36 }, { 21, 42 }, { 22, 100 }, { 23, 90 }, { 24, 600 },
	{ 25, 6 },  { 26, 5 },  { 27, 4 },  { 28, 5 },  { 29, 5 },
	{ 30, 6 },  { 31, 2 },  { 32, 10 },
};

/* Many long and short prefixes, all nesting: groups made and folded. */
static const struct len_weight mix_stress[] = {
	{ 0, 2 },   { 4, 2 },   { 8, 6 },   { 12, 6 },  { 14, 6 },
	{ 16, 15 }, { 18, 10 }, { 20, 25 }, { 21, 20 }, { 22, 40 },
	{ 23, 40 }, { 24, 300 }, { 25, 25 }, { 26, 25 }, { 27, 25 },
	{ 28, 30 }, { 29, 25 }, { 30, 30 }, { 31, 15 }, { 32, 60 },
};

static uint8_t pick_depth(uint64_t *s, const struct len_weight *mix,
			  size_t n)
{
	uint32_t total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += mix[i].weight;
	x = rnd(s) % total;
	for (size_t i = 0; i < n; i++) {
		if (x < mix[i].weight)
			return mix[i].depth;
		x -= mix[i].weight;
	}
	return 24;
}

/*
 * An address in a small space (4 /8s, 4 /16s in each) so that prefixes
 * overlap a lot.
 */
static uint32_t small_space_addr(uint64_t *s)
{
	static const uint8_t a[] = { 10, 11, 172, 192 };
	uint64_t r = rnd(s);

	return IP(a[r & 3], (r >> 2) & 3, 0, 0) | (uint32_t)(r >> 32 & 0xffff);
}

static uint32_t rnd_value(uint64_t *s)
{
	uint64_t r = rnd(s);

	/* The extremes too: 0 and the largest value are valid. */
	if ((r & 31) == 0)
		return (r >> 8) & 1 ? FE_DIR24_VALUE_MAX : 0;
	return (uint32_t)(r >> 16) & FE_DIR24_VALUE_MAX;
}

static void shuffle(struct rule *r, size_t n, uint64_t *s)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd(s) % i;
		struct rule t = r[i - 1];

		r[i - 1] = r[j];
		r[j] = t;
	}
}

/* n distinct prefixes (values random) of the small space. */
static struct rule *gen_small_set(size_t n, uint64_t *s)
{
	struct rule *r = calloc(n, sizeof(*r));
	size_t k = 0;

	assert_non_null(r);
	while (k < n) {
		uint8_t depth = pick_depth(s, mix_stress,
					   sizeof(mix_stress) /
						   sizeof(mix_stress[0]));
		uint32_t addr = small_space_addr(s) & mask_of(depth);
		bool dup = false;

		for (size_t i = 0; i < k && !dup; i++)
			dup = r[i].addr == addr && r[i].depth == depth;
		if (dup)
			continue;
		r[k++] = (struct rule){ addr, depth, rnd_value(s) };
	}
	return r;
}

/* ---- checks ---- */

static uint64_t checks; /* lookups compared with the reference */

static void check_addr(const struct tabs *t, const struct ref *ref,
		       uint32_t addr)
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = ref_lookup(ref, addr, &v1);
	int r2 = fe_dir24_lookup(t->d, addr, &v2);

	if (r1 != r2 || (r1 == 0 && v1 != v2))
		fail_msg("%u.%u.%u.%u: reference %d/%u, dir24 %d/%u",
			 addr >> 24, addr >> 16 & 0xff, addr >> 8 & 0xff,
			 addr & 0xff, r1, v1, r2, v2);
	checks++;
}

/*
 * Compare the boundaries of every prefix of `set` (present or not: first
 * and last address, and the ones just outside), nprobe random addresses
 * of the small space and a few of the whole space; and the structure:
 * rule count, one group per /24 with long prefixes.
 */
static void check_all(const struct tabs *t, const struct ref *ref,
		      const struct rule *set, size_t nset, size_t nprobe,
		      uint64_t *s)
{
	struct fe_dir24_stats st = stats(t);

	for (size_t i = 0; i < nset; i++) {
		uint32_t first = set[i].addr;
		uint32_t last = first | ~mask_of(set[i].depth);

		check_addr(t, ref, first);
		check_addr(t, ref, last);
		check_addr(t, ref, first - 1);
		check_addr(t, ref, last + 1);
	}
	for (size_t i = 0; i < nprobe; i++)
		check_addr(t, ref, small_space_addr(s));
	for (size_t i = 0; i < nprobe / 8; i++)
		check_addr(t, ref, (uint32_t)rnd(s));
	assert_int_equal(st.rules, ref->n);
	assert_int_equal(st.groups_used, ref_groups(ref));
	assert_int_equal(st.groups_used + st.groups_pending <= st.groups_total,
			 1);
}

/* ---- tests ---- */

static void test_layout(void **state)
{
	uint32_t e = FE_DIR24_ENTRY(17, 0xabcdef);
	uint32_t g = FE_DIR24_GROUP_ENTRY(0x123456);

	(void)state;
	assert_int_equal(sizeof(struct fe_dir24_val), 1024);
	assert_int_equal(FE_DIR24_TBL24_VALUES, 65536);
	assert_true(FE_DIR24_IS_VALID(e));
	assert_false(FE_DIR24_IS_EXT(e));
	assert_int_equal(FE_DIR24_DEPTH(e), 17);
	assert_int_equal(FE_DIR24_VALUE(e), 0xabcdef);
	assert_true(FE_DIR24_IS_VALID(g));
	assert_true(FE_DIR24_IS_EXT(g));
	assert_int_equal(FE_DIR24_VALUE(g), 0x123456);
	assert_int_equal(FE_DIR24_DEPTH(FE_DIR24_ENTRY(32, 0)), 32);
	assert_int_equal(FE_DIR24_ENTRY(0, 0), FE_DIR24_VALID);
	assert_int_equal(FE_DIR24_VALUE_MAX, (1U << 24) - 1);
	assert_true(strlen(FE_MAP_DIR24_TBL24) <= 15);
	assert_true(strlen(FE_MAP_DIR24_TBL8) <= 15);
}

static void test_errors(void **state)
{
	struct tabs t;
	struct fe_dir24_stats st;
	uint32_t v = 77, t24 = 0;

	(void)state;
	errno = 0;
	assert_null(fe_dir24_new(NULL, &t24, 1));
	assert_int_equal(errno, EINVAL);
	assert_null(fe_dir24_new(&t24, NULL, 1));
	assert_null(fe_dir24_new(&t24, &t24, FE_DIR24_GROUPS_MAX + 1));
	fe_dir24_free(NULL);

	tabs_init(&t, 4);
	/* Cleared by fe_dir24_new, whatever was there. */
	for (size_t i = 0; i < FE_DIR24_TBL24_ENTRIES; i += 4099)
		assert_int_equal(t.t24[i], 0);
	assert_int_equal(t.t24[FE_DIR24_TBL24_ENTRIES - 1], 0);
	for (size_t i = 0; i < 4 * FE_DIR24_ENTRIES; i++)
		assert_int_equal(t.t8[i], 0);

	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 33, 1), -EINVAL);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 1), 24, 1), -EINVAL);
	assert_int_equal(fe_dir24_add(t.d, IP(11, 0, 0, 0), 7, 1), -EINVAL);
	assert_int_equal(fe_dir24_add(t.d, IP(0, 0, 0, 1), 0, 1), -EINVAL);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 8,
				      FE_DIR24_VALUE_MAX + 1),
			 -EINVAL);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 8, UINT32_MAX),
			 -EINVAL);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 0, 0), 8), -ENOENT);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 0, 1), 8), -EINVAL);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 0, 0), 40), -EINVAL);
	assert_int_equal(fe_dir24_get(t.d, IP(10, 0, 0, 0), 8, &v), -ENOENT);
	assert_int_equal(fe_dir24_get(t.d, IP(10, 0, 0, 1), 8, &v), -EINVAL);
	assert_int_equal(v, 77);
	expect_miss(&t, IP(10, 0, 0, 0));

	/* Delete of an unknown prefix next to known ones. */
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 8, 5), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 1, 2, 0), 25, 6), 0);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 0, 0), 9), -ENOENT);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 1, 2, 128), 25), -ENOENT);
	assert_int_equal(fe_dir24_del(t.d, IP(11, 0, 0, 0), 8), -ENOENT);
	assert_int_equal(fe_dir24_get(t.d, IP(10, 0, 0, 0), 8, &v), 0);
	assert_int_equal(v, 5);
	st = stats(&t);
	assert_int_equal(st.rules, 2);
	assert_int_equal(st.groups_used, 1);
	assert_int_equal(st.groups_total, 4);
	assert_int_equal(st.tbl24_bytes, 64ULL << 20);
	assert_int_equal(st.tbl8_bytes, 1024);
	assert_true(st.rules_bytes > 0);
	expect_hit(&t, IP(10, 1, 2, 127), 6);
	expect_hit(&t, IP(10, 1, 2, 128), 5);
	tabs_fini(&t);
}

static void test_basic(void **state)
{
	struct tabs t;

	(void)state;
	tabs_init(&t, 16);

	/* Default route: everything. */
	assert_int_equal(fe_dir24_add(t.d, 0, 0, 1), 0);
	expect_hit(&t, 0, 1);
	expect_hit(&t, UINT32_MAX, 1);
	expect_hit(&t, IP(192, 0, 2, 1), 1);

	assert_int_equal(fe_dir24_add(t.d, IP(192, 0, 0, 0), 8, 2), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(192, 0, 2, 0), 24, 3), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(192, 0, 2, 64), 26, 4), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(192, 0, 2, 77), 32, 5), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(192, 0, 0, 0), 16, 6), 0);
	expect_hit(&t, IP(191, 255, 255, 255), 1);
	expect_hit(&t, IP(192, 0, 0, 0), 6);
	expect_hit(&t, IP(192, 0, 1, 255), 6);
	expect_hit(&t, IP(192, 0, 2, 0), 3);
	expect_hit(&t, IP(192, 0, 2, 63), 3);
	expect_hit(&t, IP(192, 0, 2, 64), 4);
	expect_hit(&t, IP(192, 0, 2, 76), 4);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 2, 78), 4);
	expect_hit(&t, IP(192, 0, 2, 127), 4);
	expect_hit(&t, IP(192, 0, 2, 128), 3);
	expect_hit(&t, IP(192, 0, 3, 0), 6);
	expect_hit(&t, IP(192, 1, 0, 0), 2);
	expect_hit(&t, IP(193, 0, 0, 0), 1);

	/* Replace: the value everywhere the prefix wins, nowhere else. */
	assert_int_equal(fe_dir24_add(t.d, IP(192, 0, 2, 0), 24, 30), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 30);
	expect_hit(&t, IP(192, 0, 2, 200), 30);
	expect_hit(&t, IP(192, 0, 2, 64), 4);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	assert_int_equal(stats(&t).rules, 6);

	/* A shorter prefix added last does not hide longer ones. */
	assert_int_equal(fe_dir24_add(t.d, IP(192, 0, 0, 0), 12, 7), 0);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 9, 1), 6);
	expect_hit(&t, IP(192, 1, 0, 0), 7);
	expect_hit(&t, IP(192, 16, 0, 0), 2);

	/* Withdraw: back to the next shorter prefix. */
	assert_int_equal(fe_dir24_del(t.d, IP(192, 0, 2, 0), 24), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 6);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 2, 64), 4);
	assert_int_equal(fe_dir24_del(t.d, IP(192, 0, 0, 0), 16), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 7);
	expect_hit(&t, IP(192, 0, 2, 66), 4);
	assert_int_equal(fe_dir24_del(t.d, IP(192, 0, 0, 0), 12), 0);
	assert_int_equal(fe_dir24_del(t.d, IP(192, 0, 0, 0), 8), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 1);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	assert_int_equal(fe_dir24_del(t.d, 0, 0), 0);
	expect_miss(&t, IP(192, 0, 2, 0));
	expect_miss(&t, IP(8, 8, 8, 8));
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 2, 65), 4);
	assert_int_equal(fe_dir24_del(t.d, IP(192, 0, 2, 64), 26), 0);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_miss(&t, IP(192, 0, 2, 76));
	assert_int_equal(fe_dir24_del(t.d, IP(192, 0, 2, 77), 32), 0);
	expect_miss(&t, IP(192, 0, 2, 77));
	assert_int_equal(stats(&t).rules, 0);
	assert_int_equal(stats(&t).groups_used, 0);

	/* Empty again: every entry is zero. */
	for (size_t i = 0; i < FE_DIR24_TBL24_ENTRIES; i++)
		if (t.t24[i])
			fail_msg("tbl24[%zu] = %#x", i, t.t24[i]);
	tabs_fini(&t);
}

/* /32 and /25 inside one /24, under a default route; every address. */
static void test_tbl8_create_collapse(void **state)
{
	uint32_t base = IP(198, 51, 100, 0);
	struct fe_dir24_stats st;
	struct tabs t;
	int64_t g;

	(void)state;
	tabs_init(&t, 8);
	assert_int_equal(fe_dir24_add(t.d, 0, 0, 9), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(198, 51, 0, 0), 16, 10), 0);
	assert_int_equal(group_at(&t, base), -1);

	assert_int_equal(fe_dir24_add(t.d, base | 200, 32, 11), 0);
	g = group_at(&t, base);
	assert_int_equal(g, 0);
	assert_int_equal(stats(&t).groups_used, 1);
	/* Filled from the /24's entry: depth 16 everywhere but .200. */
	for (int j = 0; j < 256; j++)
		assert_int_equal(t.t8[j], j == 200 ? FE_DIR24_ENTRY(32, 11) :
						     FE_DIR24_ENTRY(16, 10));

	assert_int_equal(fe_dir24_add(t.d, base, 25, 12), 0);
	assert_int_equal(group_at(&t, base), g); /* same group */
	assert_int_equal(stats(&t).groups_used, 1);
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, j < 128 ? 12 : j == 200 ? 11 : 10);

	/* A /24 for the whole block goes under the long prefixes. */
	assert_int_equal(fe_dir24_add(t.d, base, 24, 13), 0);
	assert_int_equal(group_at(&t, base), g);
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, j < 128 ? 12 : j == 200 ? 11 : 13);

	/* First long prefix out: the group stays. */
	assert_int_equal(fe_dir24_del(t.d, base, 25), 0);
	assert_int_equal(group_at(&t, base), g);
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, j == 200 ? 11 : 13);

	/* Last one out: folded into tbl24, group pending, not free. */
	assert_int_equal(fe_dir24_del(t.d, base | 200, 32), 0);
	assert_int_equal(group_at(&t, base), -1);
	assert_int_equal(t.t24[base >> 8], FE_DIR24_ENTRY(24, 13));
	st = stats(&t);
	assert_int_equal(st.groups_used, 0);
	assert_int_equal(st.groups_pending, 1);
	assert_int_equal(st.tbl8_bytes, 1024);
	/* A late reader still in the group reads the same answers. */
	for (int j = 0; j < 256; j++)
		assert_int_equal(t.t8[j], FE_DIR24_ENTRY(24, 13));
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, 13);
	fe_dir24_grace(t.d);
	st = stats(&t);
	assert_int_equal(st.groups_pending, 0);
	assert_int_equal(st.tbl8_bytes, 0);

	/* Folding with no route below: tbl24 entry back to zero. */
	assert_int_equal(fe_dir24_del(t.d, base, 24), 0);
	assert_int_equal(fe_dir24_del(t.d, IP(198, 51, 0, 0), 16), 0);
	assert_int_equal(fe_dir24_del(t.d, 0, 0), 0);
	assert_int_equal(fe_dir24_add(t.d, base | 4, 30, 14), 0);
	g = group_at(&t, base);
	assert_true(g >= 0);
	for (int j = 0; j < 256; j++)
		assert_int_equal(t.t8[g * 256 + j],
				 j >= 4 && j < 8 ? FE_DIR24_ENTRY(30, 14) : 0);
	for (int j = 0; j < 256; j++) {
		if (j >= 4 && j < 8)
			expect_hit(&t, base | j, 14);
		else
			expect_miss(&t, base | j);
	}
	assert_int_equal(fe_dir24_del(t.d, base | 4, 30), 0);
	assert_int_equal(t.t24[base >> 8], 0);
	expect_miss(&t, base | 5);
	assert_int_equal(stats(&t).groups_used, 0);
	tabs_fini(&t);
}

/* Out of groups: -ENOSPC, and not one byte changed. */
static void test_enospc(void **state)
{
	uint32_t *t24copy = malloc(T24_BYTES);
	uint32_t t8copy[2 * FE_DIR24_ENTRIES];
	struct fe_dir24_stats st0, st1;
	struct tabs t;
	uint32_t v;

	(void)state;
	assert_non_null(t24copy);
	tabs_init(&t, 2);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 8, 1), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 1, 0), 25, 2), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 2, 0), 26, 3), 0);
	assert_int_equal(stats(&t).groups_used, 2);

	memcpy(t24copy, t.t24, T24_BYTES);
	memcpy(t8copy, t.t8, sizeof(t8copy));
	st0 = stats(&t);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 3, 0), 25, 4), -ENOSPC);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 3, 255), 32, 4),
			 -ENOSPC);
	st1 = stats(&t);
	assert_memory_equal(&st0, &st1, sizeof(st0));
	assert_memory_equal(t24copy, t.t24, T24_BYTES);
	assert_memory_equal(t8copy, t.t8, sizeof(t8copy));
	assert_int_equal(fe_dir24_get(t.d, IP(10, 0, 3, 0), 25, &v), -ENOENT);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 3, 0), 25), -ENOENT);
	expect_hit(&t, IP(10, 0, 3, 1), 1);

	/* Short prefixes need no group; long ones in a grouped /24 fit. */
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 3, 0), 24, 5), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 1, 128), 25, 6), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 2, 255), 32, 7), 0);
	/* Replacing a long prefix needs no new group either. */
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 1, 0), 25, 8), 0);
	expect_hit(&t, IP(10, 0, 1, 1), 8);
	expect_hit(&t, IP(10, 0, 3, 1), 5);

	/* A freed group is usable only after the grace period. */
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 2, 0), 26), 0);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 2, 255), 32), 0);
	assert_int_equal(stats(&t).groups_pending, 1);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 3, 0), 25, 4), -ENOSPC);
	fe_dir24_grace(t.d);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 3, 0), 25, 4), 0);
	expect_hit(&t, IP(10, 0, 3, 1), 4);
	expect_hit(&t, IP(10, 0, 3, 129), 5);
	expect_hit(&t, IP(10, 0, 2, 255), 1);

	/* No groups at all: every /25-/32 is refused, the rest works. */
	tabs_fini(&t);
	tabs_init(&t, 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 24, 1), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 1), 32, 1), -ENOSPC);
	assert_int_equal(stats(&t).rules, 1);
	expect_hit(&t, IP(10, 0, 0, 1), 1);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 0, 0), 24), 0);
	fe_dir24_grace(t.d);
	tabs_fini(&t);
	free(t24copy);
}

/* Freed groups are not reused before fe_dir24_grace; marks. */
static void test_grace(void **state)
{
	struct fe_dir24_stats st;
	struct tabs t;
	int64_t ga, gb, gc;
	uint64_t mark;

	(void)state;
	tabs_init(&t, 4);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 25, 1), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 1, 0), 25, 2), 0);
	ga = group_at(&t, IP(10, 0, 0, 0));
	gb = group_at(&t, IP(10, 0, 1, 0));
	assert_true(ga >= 0 && gb >= 0 && ga != gb);

	/* Free ga: the next new group must be another one. */
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 0, 0), 25), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 2, 0), 25, 3), 0);
	gc = group_at(&t, IP(10, 0, 2, 0));
	assert_true(gc >= 0 && gc != ga && gc != gb);
	/* Its content is still what a late reader of 10.0.0/24 expects. */
	for (int j = 0; j < 256; j++)
		assert_int_equal(t.t8[ga * 256 + j], 0);

	/* Mark, free gb after the mark, grace up to the mark: ga only. */
	mark = fe_dir24_grace_mark(t.d);
	assert_int_equal(fe_dir24_del(t.d, IP(10, 0, 1, 0), 25), 0);
	st = stats(&t);
	assert_int_equal(st.groups_pending, 2);
	assert_int_equal(st.groups_used, 1);
	fe_dir24_grace_upto(t.d, mark);
	st = stats(&t);
	assert_int_equal(st.groups_pending, 1);

	/* 4 groups: gc used, gb pending, so two new /24s fit, a third not. */
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 3, 0), 25, 4), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 4, 0), 25, 5), 0);
	assert_true(group_at(&t, IP(10, 0, 3, 0)) != gb);
	assert_true(group_at(&t, IP(10, 0, 4, 0)) != gb);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 5, 0), 25, 6), -ENOSPC);
	/* An old mark releases nothing more; a new grace releases gb. */
	fe_dir24_grace_upto(t.d, mark);
	assert_int_equal(stats(&t).groups_pending, 1);
	fe_dir24_grace(t.d);
	assert_int_equal(stats(&t).groups_pending, 0);
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 5, 0), 25, 6), 0);
	assert_int_equal(group_at(&t, IP(10, 0, 5, 0)), gb);
	expect_hit(&t, IP(10, 0, 5, 1), 6);
	expect_miss(&t, IP(10, 0, 5, 200));
	expect_miss(&t, IP(10, 0, 1, 1));

	/* Many cycles through a small pool: pending never exceeds it. */
	for (uint32_t c = 2; c <= 5; c++)
		fe_dir24_del(t.d, IP(10, 0, c, 0), 25);
	fe_dir24_grace(t.d);
	assert_int_equal(stats(&t).groups_used, 0);
	for (int i = 0; i < 1000; i++) {
		uint32_t a = IP(20, 0, i & 7, 0);

		if (fe_dir24_add(t.d, a, 26, i) == -ENOSPC) {
			fe_dir24_grace(t.d);
			assert_int_equal(fe_dir24_add(t.d, a, 26, i), 0);
		}
		expect_hit(&t, a | 1, i);
		assert_int_equal(fe_dir24_del(t.d, a, 26), 0);
		st = stats(&t);
		assert_true(st.groups_used + st.groups_pending <= 4);
	}
	tabs_fini(&t);
}

/*
 * Random prefix sets against the naive reference: adds in random order,
 * replaces, deletes, mixed operations, and finally everything withdrawn.
 */
static void test_random_vs_reference(void **state)
{
	const size_t n = 2000;

	(void)state;
	checks = 0;
	for (uint64_t seed = 1; seed <= 4; seed++) {
		uint64_t s = 0x9e3779b97f4a7c15ULL * seed;
		struct rule *set = gen_small_set(n, &s);
		struct ref ref = { 0 };
		struct tabs t;
		uint32_t v;

		tabs_init(&t, 2048);

		/* Adds, checked along the way. */
		shuffle(set, n, &s);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(fe_dir24_add(t.d, set[i].addr,
						      set[i].depth,
						      set[i].value),
					 0);
			ref_add(&ref, set[i].addr, set[i].depth,
				set[i].value);
			if (i % 500 == 0)
				check_all(&t, &ref, set, i + 1, 1000, &s);
		}
		check_all(&t, &ref, set, n, 8000, &s);

		/* Replaces of a third. */
		for (size_t i = 0; i < n; i++) {
			if (rnd(&s) % 3)
				continue;
			set[i].value = rnd_value(&s);
			assert_int_equal(fe_dir24_add(t.d, set[i].addr,
						      set[i].depth,
						      set[i].value),
					 0);
			ref_add(&ref, set[i].addr, set[i].depth,
				set[i].value);
		}
		check_all(&t, &ref, set, n, 8000, &s);

		/* Deletes of half, in another order. */
		shuffle(set, n, &s);
		for (size_t i = 0; i < n / 2; i++) {
			assert_int_equal(fe_dir24_del(t.d, set[i].addr,
						      set[i].depth),
					 0);
			assert_int_equal(ref_del(&ref, set[i].addr,
						 set[i].depth),
					 0);
			assert_int_equal(fe_dir24_get(t.d, set[i].addr,
						      set[i].depth, &v),
					 -ENOENT);
			if (i % 250 == 0)
				check_all(&t, &ref, set, n, 1000, &s);
		}
		check_all(&t, &ref, set, n, 8000, &s);

		/* Mixed: add back, replace, delete (some unknown). */
		for (size_t k = 0; k < 3000; k++) {
			struct rule *r = &set[rnd(&s) % n];
			uint64_t op = rnd(&s) % 4;

			if (op < 2) {
				r->value = rnd_value(&s);
				assert_int_equal(fe_dir24_add(t.d, r->addr,
							      r->depth,
							      r->value),
						 0);
				ref_add(&ref, r->addr, r->depth, r->value);
			} else {
				assert_int_equal(fe_dir24_del(t.d, r->addr,
							      r->depth),
						 ref_del(&ref, r->addr,
							 r->depth));
			}
			if (k % 100 == 0)
				fe_dir24_grace(t.d);
			if (k % 1000 == 0)
				check_all(&t, &ref, set, n, 1000, &s);
		}
		check_all(&t, &ref, set, n, 8000, &s);
		for (size_t i = 0; i < ref.n; i++) {
			assert_int_equal(fe_dir24_get(t.d, ref.r[i].addr,
						      ref.r[i].depth, &v),
					 0);
			assert_int_equal(v, ref.r[i].value);
		}

		/* Everything out: all misses, all zero, all groups back. */
		shuffle(set, n, &s);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(fe_dir24_del(t.d, set[i].addr,
						      set[i].depth),
					 ref_del(&ref, set[i].addr,
						 set[i].depth));
		check_all(&t, &ref, set, n, 2000, &s);
		for (size_t i = 0; i < FE_DIR24_TBL24_ENTRIES; i++)
			if (t.t24[i])
				fail_msg("tbl24[%zu] = %#x", i, t.t24[i]);
		fe_dir24_grace(t.d);
		assert_int_equal(stats(&t).groups_used, 0);
		assert_int_equal(stats(&t).groups_pending, 0);

		tabs_fini(&t);
		free(ref.r);
		free(set);
	}
	print_message("dir24: %llu lookups equal to the reference\n",
		      (unsigned long long)checks);
}

/* Every address of a /16 (and around it), after each phase. */
static void test_exhaustive_16(void **state)
{
	const uint32_t base = IP(100, 64, 0, 0);
	uint64_t s = 42;
	struct ref ref = { 0 };
	struct rule set[600];
	size_t n = 0;
	struct tabs t;

	(void)state;
	tabs_init(&t, 512);
	/* Covering prefixes, then random ones inside the /16. */
	set[n++] = (struct rule){ 0, 0, 1 };
	set[n++] = (struct rule){ IP(100, 0, 0, 0), 8, 2 };
	set[n++] = (struct rule){ IP(100, 64, 0, 0), 10, 3 };
	set[n++] = (struct rule){ base, 16, 4 };
	while (n < sizeof(set) / sizeof(set[0])) {
		uint8_t depth = 17 + rnd(&s) % 16;
		uint32_t addr = (base | (rnd(&s) & 0xffff)) & mask_of(depth);

		if (ref_find(&ref, addr, depth) >= 0)
			continue;
		set[n] = (struct rule){ addr, depth, rnd_value(&s) };
		ref_add(&ref, addr, depth, set[n].value);
		n++;
	}
	free(ref.r);
	ref = (struct ref){ 0 };

	for (int phase = 0; phase < 4; phase++) {
		shuffle(set, n, &s);
		for (size_t i = 0; i < n; i++) {
			if (phase % 2 == 0 || rnd(&s) % 2) {
				assert_int_equal(fe_dir24_add(t.d, set[i].addr,
							      set[i].depth,
							      (set[i].value + phase) &
								      FE_DIR24_VALUE_MAX),
						 0);
				ref_add(&ref, set[i].addr, set[i].depth,
					(set[i].value + phase) &
						FE_DIR24_VALUE_MAX);
			} else {
				assert_int_equal(fe_dir24_del(t.d, set[i].addr,
							      set[i].depth),
						 ref_del(&ref, set[i].addr,
							 set[i].depth));
			}
		}
		for (uint32_t a = base - 256; a < base + 0x10000 + 256; a++)
			check_addr(&t, &ref, a);
		assert_int_equal(stats(&t).groups_used, ref_groups(&ref));
		fe_dir24_grace(t.d);
	}
	free(ref.r);
	tabs_fini(&t);
}

/*
 * A reader thread looks up addresses of two /8s whose answer never
 * changes (every prefix churned inside a /8 carries the /8's value),
 * while the writer adds and withdraws prefixes there through a tiny
 * group pool, so groups are made, folded and reused all the time. A
 * group published before it is full, a tbl24 entry folded after its
 * group is changed, or a group reused without a grace period shows up
 * as a wrong value. The grace period is a quiescent-state counter.
 *
 * Every other lookup is the library's; the others are the BPF helper's
 * two loads with a pause between them, as a program interrupted in the
 * middle would make, so that a stale tbl24 entry meets a reused group.
 */
struct race {
	struct fe_dir24 *d;
	const uint32_t *t24, *t8;
	int stop;
	uint64_t qs;      /* lookups completed */
	uint64_t errors;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	uint64_t s = 7;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint64_t x = rnd(&s);
		uint32_t a = IP(10 + (x & 1), 0, 0, 0) |
			     (uint32_t)(x >> 8 & 0x3fff);
		uint32_t v = 0, e;

		if (x & 2) {
			if (fe_dir24_lookup(r->d, a, &v))
				v = 0;
		} else {
			e = __atomic_load_n(&r->t24[a >> 8], __ATOMIC_ACQUIRE);
			for (uint64_t i = (x >> 32) % 4096; i; i--)
				__asm__ volatile("" ::: "memory");
			if (FE_DIR24_IS_EXT(e))
				e = __atomic_load_n(&r->t8[FE_DIR24_VALUE(e) *
							   FE_DIR24_ENTRIES +
							   (a & 0xff)],
						    __ATOMIC_RELAXED);
			v = FE_DIR24_IS_VALID(e) ? FE_DIR24_VALUE(e) : 0;
		}
		if (v != 100 + (a >> 24))
			r->errors++;
		/* Full barrier: no load of the next lookup before this. */
		__atomic_fetch_add(&r->qs, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void race_synchronize(struct race *r)
{
	uint64_t s0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s0 = __atomic_load_n(&r->qs, __ATOMIC_SEQ_CST);
	/* The lookup running at s0 ends at s0 + 1; the next began after. */
	while (__atomic_load_n(&r->qs, __ATOMIC_SEQ_CST) < s0 + 2)
		sched_yield();
}

static void test_concurrent_reader(void **state)
{
	struct race r = { 0 };
	struct rule live[64];
	size_t nlive = 0;
	uint64_t s = 99, ops = 0, graces = 0;
	pthread_t th;
	struct tabs t;
	double t0;

	(void)state;
	tabs_init(&t, 6);
	r.d = t.d;
	r.t24 = t.t24;
	r.t8 = t.t8;
	assert_int_equal(fe_dir24_add(t.d, IP(10, 0, 0, 0), 8, 110), 0);
	assert_int_equal(fe_dir24_add(t.d, IP(11, 0, 0, 0), 8, 111), 0);
	assert_int_equal(pthread_create(&th, NULL, race_reader, &r), 0);

	/* A fixed time: the reader needs it to meet the races. */
	t0 = now_s();
	while (now_s() - t0 < 0.4) {
		uint64_t x = rnd(&s);
		int rc;

		if (nlive == sizeof(live) / sizeof(live[0]) ||
		    (nlive && x % 2)) {
			size_t i = (x >> 8) % nlive;

			assert_int_equal(fe_dir24_del(t.d, live[i].addr,
						      live[i].depth),
					 0);
			live[i] = live[--nlive];
		} else {
			uint8_t depth = 18 + (x >> 8) % 15;
			uint32_t addr = (IP(10 + (x >> 16 & 1), 0, 0, 0) |
					 (uint32_t)(x >> 20 & 0x3fff)) &
					mask_of(depth);
			uint32_t v;

			if (fe_dir24_get(t.d, addr, depth, &v) == 0)
				continue;
			rc = fe_dir24_add(t.d, addr, depth, 100 + (addr >> 24));
			if (rc == -ENOSPC) {
				race_synchronize(&r);
				fe_dir24_grace(t.d);
				graces++;
				continue;
			}
			assert_int_equal(rc, 0);
			live[nlive++] = (struct rule){ addr, depth, 0 };
		}
		ops++;
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	print_message("dir24 race: %llu updates, %llu grace periods, "
		      "%llu concurrent lookups, %llu wrong\n",
		      (unsigned long long)ops, (unsigned long long)graces,
		      (unsigned long long)r.qs, (unsigned long long)r.errors);
	assert_int_equal(r.errors, 0);
	assert_true(graces > 0);
	assert_true(r.qs > 0);
	tabs_fini(&t);
}

/* ---- scale ---- */

static int rule_cmp(const void *a, const void *b)
{
	const struct rule *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return 0;
}

/* Reference for big sets: per depth, sorted prefixes; longest first. */
struct sref {
	const struct rule *by_depth[33];
	size_t count[33];
};

static void sref_init(struct sref *sr, const struct rule *sorted, size_t n)
{
	memset(sr, 0, sizeof(*sr));
	for (size_t i = 0; i < n; i++) {
		if (!sr->count[sorted[i].depth])
			sr->by_depth[sorted[i].depth] = &sorted[i];
		sr->count[sorted[i].depth]++;
	}
}

static int sref_lookup(const struct sref *sr, uint32_t addr, uint32_t *value)
{
	for (int d = 32; d >= 0; d--) {
		const struct rule *r = sr->by_depth[d];
		uint32_t key = addr & mask_of(d);
		size_t lo = 0, hi = sr->count[d];

		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (r[mid].addr < key)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < sr->count[d] && r[lo].addr == key) {
			*value = r[lo].value;
			return 0;
		}
	}
	return -ENOENT;
}

static void scale_check(const struct tabs *t, const struct sref *sr,
			uint32_t addr)
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = sref_lookup(sr, addr, &v1);
	int r2 = fe_dir24_lookup(t->d, addr, &v2);

	if (r1 != r2 || (r1 == 0 && v1 != v2))
		fail_msg("%#x: reference %d/%u, dir24 %d/%u", addr, r1, v1, r2,
			 v2);
}

/*
 * A full table: 1M DFZ-like prefixes in 1.0.0.0-223.255.255.255, built
 * in random order; then lookups against a binary-search reference, and
 * timed single updates of /24s and /28s.
 */
static void test_scale_1m(void **state)
{
	const size_t want = 1000000;
	size_t gen = want + want / 10, n = 0;
	struct rule *set = malloc(gen * sizeof(*set));
	struct fe_dir24_stats st;
	uint64_t s = 2026;
	struct sref sr;
	struct tabs t;
	double t0, t_build, t_upd24, t_upd28;
	uint64_t mem;
	const int nupd = 20000;

	(void)state;
	assert_non_null(set);
	for (size_t i = 0; i < gen; i++) {
		uint8_t depth = pick_depth(&s, mix_dfz,
					   sizeof(mix_dfz) / sizeof(mix_dfz[0]));
		uint32_t addr = IP(1, 0, 0, 0) +
				(uint32_t)(rnd(&s) % (223U << 24));

		set[i] = (struct rule){ addr & mask_of(depth), depth,
					rnd_value(&s) };
	}
	qsort(set, gen, sizeof(*set), rule_cmp);
	for (size_t i = 0; i < gen; i++)
		if (!n || rule_cmp(&set[n - 1], &set[i]))
			set[n++] = set[i];
	assert_true(n >= want);
	/* Keep want of them, evenly; sorted they stay. */
	for (size_t i = 0; i < want; i++)
		set[i] = set[i * n / want];
	n = want;
	sref_init(&sr, set, n);

	tabs_init(&t, FE_DIR24_GROUPS_DEFAULT);
	{
		struct rule *order = malloc(n * sizeof(*order));

		assert_non_null(order);
		memcpy(order, set, n * sizeof(*order));
		shuffle(order, n, &s);
		t0 = now_s();
		for (size_t i = 0; i < n; i++) {
			int rc = fe_dir24_add(t.d, order[i].addr,
					      order[i].depth, order[i].value);

			if (rc)
				fail_msg("add %zu: %d", i, rc);
		}
		t_build = now_s() - t0;
		free(order);
	}
	st = stats(&t);
	assert_int_equal(st.rules, n);

	/* Random addresses, and the boundaries of a sample of prefixes. */
	for (int i = 0; i < 300000; i++)
		scale_check(&t, &sr, (uint32_t)rnd(&s));
	for (size_t i = 0; i < n; i += 7) {
		uint32_t last = set[i].addr | ~mask_of(set[i].depth);

		scale_check(&t, &sr, set[i].addr);
		scale_check(&t, &sr, set[i].addr - 1);
		scale_check(&t, &sr, last);
		scale_check(&t, &sr, last + 1);
	}

	/* Update cost in a full table: add then withdraw /24s and /28s. */
	t0 = now_s();
	for (int i = 0; i < nupd; i++) {
		uint32_t a = IP(224, 0, 0, 0) | (uint32_t)(i << 8);

		assert_int_equal(fe_dir24_add(t.d, a, 24, 1), 0);
		assert_int_equal(fe_dir24_del(t.d, a, 24), 0);
	}
	t_upd24 = (now_s() - t0) / (2 * nupd);
	t0 = now_s();
	for (int i = 0; i < nupd; i++) {
		const struct rule *r = &set[rnd(&s) % n];
		uint32_t a = (r->addr & 0xffffff00) | 0x10;
		uint32_t v;

		/* Under a random existing prefix: groups made and folded. */
		if (fe_dir24_get(t.d, a, 28, &v) == 0)
			continue;
		if (fe_dir24_add(t.d, a, 28, 2) == -ENOSPC) {
			fe_dir24_grace(t.d);
			assert_int_equal(fe_dir24_add(t.d, a, 28, 2), 0);
		}
		assert_int_equal(fe_dir24_del(t.d, a, 28), 0);
	}
	t_upd28 = (now_s() - t0) / (2 * nupd);
	fe_dir24_grace(t.d);
	/* The table is back to what it was. */
	for (int i = 0; i < 100000; i++)
		scale_check(&t, &sr, (uint32_t)rnd(&s));
	st = stats(&t);
	mem = st.tbl24_bytes + st.tbl8_bytes + st.rules_bytes;
	print_message("dir24 scale: %zu prefixes added in %.3f s "
		      "(%.0f ns each); %u tbl8 groups (%.1f MiB); rule store "
		      "%.1f MiB; tbl24 64 MiB; %.1f bytes/prefix in all "
		      "(%.1f without tbl24)\n",
		      n, t_build, t_build * 1e9 / n, st.groups_used,
		      st.tbl8_bytes / 1048576.0, st.rules_bytes / 1048576.0,
		      (double)mem / n,
		      (double)(st.tbl8_bytes + st.rules_bytes) / n);
	print_message("dir24 scale: one /24 add or del %.2f us, one /28 "
		      "add or del %.2f us (full table)\n",
		      t_upd24 * 1e6, t_upd28 * 1e6);

	/* Withdraw everything, in random order. */
	shuffle(set, n, &s);
	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		assert_int_equal(fe_dir24_del(t.d, set[i].addr, set[i].depth),
				 0);
	print_message("dir24 scale: %zu prefixes withdrawn in %.3f s\n", n,
		      now_s() - t0);
	st = stats(&t);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	for (size_t i = 0; i < FE_DIR24_TBL24_ENTRIES; i++)
		if (t.t24[i])
			fail_msg("tbl24[%zu] = %#x", i, t.t24[i]);
	tabs_fini(&t);
	free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_tbl8_create_collapse),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_exhaustive_16),
		cmocka_unit_test(test_concurrent_reader),
		cmocka_unit_test(test_scale_1m),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
