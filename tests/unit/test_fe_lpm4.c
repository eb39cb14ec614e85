// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/fe_lpm6.c used as the IPv4 table (DIR-16-8-8): the
 * IPv4 address in bytes 0..3, zeros in bytes 4..15, depth <= 32. These
 * are the cases of the former DIR-24-8 tests (test_fe_dir24.c): every
 * prefix length /0../32 and its boundaries, nesting, replace, withdraw
 * back to the cover, groups made, folded and reused only after a grace
 * period, -ENOSPC changing nothing, value limits, random sets against a
 * naive reference (a list of prefixes scanned in full), every address of
 * a /16, a reader thread racing the writer, and a DFZ-like table of 200k
 * prefixes. An IPv4 lookup never goes below group level 2.
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

#include "lib/fe_lpm6.h"
#include "tests/unit/test_lpm_tabs.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

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

/* The fe_lpm6 form of an IPv4 address: 4 bytes, then 12 zeros. */
static void v4(uint32_t a, uint8_t b[16])
{
	memset(b, 0, 16);
	b[0] = a >> 24;
	b[1] = a >> 16;
	b[2] = a >> 8;
	b[3] = a;
}

/* ---- tables under test ---- */

static int add4(const struct tabs *t, uint32_t a, uint8_t depth,
		uint32_t value)
{
	uint8_t b[16];

	v4(a, b);
	return fe_lpm6_add(t->t, b, depth, value);
}

static int del4(const struct tabs *t, uint32_t a, uint8_t depth)
{
	uint8_t b[16];

	v4(a, b);
	return fe_lpm6_del(t->t, b, depth);
}

static int get4(const struct tabs *t, uint32_t a, uint8_t depth,
		uint32_t *value)
{
	uint8_t b[16];

	v4(a, b);
	return fe_lpm6_get(t->t, b, depth, value);
}

static int lookup4(const struct tabs *t, uint32_t a, uint32_t *value)
{
	uint8_t b[16];

	v4(a, b);
	return fe_lpm6_lookup(t->t, b, value);
}

/* Group of level 1 (a /16) linked from the top for addr, or -1. */
static int64_t group_l1(const struct tabs *t, uint32_t addr)
{
	uint32_t e = t->top[addr >> 16];

	return FE_LPM6_IS_LINK(e) ? (int64_t)FE_LPM6_VALUE(e) : -1;
}

/* Group of level 2 (a /24) linked from the level-1 group, or -1. */
static int64_t group_l2(const struct tabs *t, uint32_t addr)
{
	int64_t g1 = group_l1(t, addr);
	uint32_t e;

	if (g1 < 0)
		return -1;
	e = t->grp[g1 * FE_LPM6_ENTRIES + (addr >> 8 & 0xff)];
	return FE_LPM6_IS_LINK(e) ? (int64_t)FE_LPM6_VALUE(e) : -1;
}

static void expect_hit(const struct tabs *t, uint32_t addr, uint32_t value)
{
	uint32_t v = ~0U;

	assert_int_equal(lookup4(t, addr, &v), 0);
	assert_int_equal(v, value);
}

static void expect_miss(const struct tabs *t, uint32_t addr)
{
	uint32_t v = 12345;

	assert_int_equal(lookup4(t, addr, &v), -ENOENT);
	assert_int_equal(v, 12345);
}

/* IPv4 stays within DIR-16-8-8: no group below level 2, ever. */
static void assert_two_levels(const struct fe_lpm6_stats *st)
{
	for (int l = 3; l < FE_LPM6_LEVELS; l++)
		if (st->groups_level[l])
			fail_msg("IPv4 groups at level %d: %u", l,
				 st->groups_level[l]);
	assert_int_equal(st->groups_level[0], 0);
	assert_int_equal(st->groups_level[1] + st->groups_level[2],
			 st->groups_used);
}

static void assert_top_empty(const struct tabs *t)
{
	for (size_t i = 0; i < FE_LPM6_TOP_ENTRIES; i++)
		if (t->top[i])
			fail_msg("top[%zu] = %#x", i, t->top[i]);
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

/* Distinct addr >> shift among the rules longer than `longer`. */
static uint32_t ref_distinct(const struct ref *ref, uint8_t longer,
			     int shift)
{
	uint32_t *s = malloc((ref->n + 1) * sizeof(*s));
	uint32_t n = 0, distinct = 0;

	assert_non_null(s);
	for (size_t i = 0; i < ref->n; i++)
		if (ref->r[i].depth > longer)
			s[n++] = ref->r[i].addr >> shift;
	for (uint32_t i = 0; i < n; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < i && !seen; j++)
			seen = s[j] == s[i];
		distinct += !seen;
	}
	free(s);
	return distinct;
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
	{ 16, 15 }, { 17, 10 }, { 18, 10 }, { 20, 25 }, { 21, 20 },
	{ 22, 40 }, { 23, 40 }, { 24, 300 }, { 25, 25 }, { 26, 25 },
	{ 27, 25 }, { 28, 30 }, { 29, 25 }, { 30, 30 }, { 31, 15 },
	{ 32, 60 },
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
		return (r >> 8) & 1 ? FE_LPM6_VALUE_MAX : 0;
	return (uint32_t)(r >> 16) & FE_LPM6_VALUE_MAX;
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

/* Whether the table and the reference disagree on addr. */
static bool mismatch(const struct tabs *t, const struct ref *ref,
		     uint32_t addr, char *why, size_t whylen)
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = ref_lookup(ref, addr, &v1);
	int r2 = lookup4(t, addr, &v2);

	checks++;
	if (r1 == r2 && (r1 || v1 == v2))
		return false;
	snprintf(why, whylen, "%u.%u.%u.%u: reference %d/%u, lpm6 %d/%u",
		 addr >> 24, addr >> 16 & 0xff, addr >> 8 & 0xff, addr & 0xff,
		 r1, v1, r2, v2);
	return true;
}

static void check_addr(const struct tabs *t, const struct ref *ref,
		       uint32_t addr)
{
	char why[96];

	if (mismatch(t, ref, addr, why, sizeof(why)))
		fail_msg("%s", why);
}

/*
 * Compare the boundaries of every prefix of `set` (present or not: first
 * and last address, and the ones just outside), nprobe random addresses
 * of the small space and a few of the whole space; and the structure:
 * rule count, one level-1 group per /16 and one level-2 group per /24
 * holding longer prefixes, nothing deeper.
 */
static void check_all(const struct tabs *t, const struct ref *ref,
		      const struct rule *set, size_t nset, size_t nprobe,
		      uint64_t *s)
{
	struct fe_lpm6_stats st = stats(t);

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
	assert_int_equal(st.groups_level[1], ref_distinct(ref, 16, 16));
	assert_int_equal(st.groups_level[2], ref_distinct(ref, 24, 8));
	assert_two_levels(&st);
	assert_true(st.groups_used + st.groups_pending <= st.groups_total);
}

/* ---- tests ---- */

/* The checks above do catch a wrong table and a wrong reference. */
static void test_checks_can_fail(void **state)
{
	struct ref ref = { 0 };
	struct tabs t;
	char why[96];
	int64_t g;

	(void)state;
	tabs_init(&t, 4);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 8, 1), 0);
	assert_int_equal(add4(&t, IP(10, 1, 2, 0), 25, 2), 0);
	ref_add(&ref, IP(10, 0, 0, 0), 8, 1);
	ref_add(&ref, IP(10, 1, 2, 0), 25, 2);
	assert_false(mismatch(&t, &ref, IP(10, 1, 2, 3), why, sizeof(why)));
	assert_false(mismatch(&t, &ref, IP(10, 1, 2, 200), why, sizeof(why)));
	assert_false(mismatch(&t, &ref, IP(11, 0, 0, 0), why, sizeof(why)));

	/* One group entry wrong: a different value, then no route. */
	g = group_l2(&t, IP(10, 1, 2, 0));
	assert_true(g >= 0);
	t.grp[g * FE_LPM6_ENTRIES + 3] = FE_LPM6_ENTRY(25, 3);
	assert_true(mismatch(&t, &ref, IP(10, 1, 2, 3), why, sizeof(why)));
	assert_false(mismatch(&t, &ref, IP(10, 1, 2, 4), why, sizeof(why)));
	t.grp[g * FE_LPM6_ENTRIES + 3] = 0;
	assert_true(mismatch(&t, &ref, IP(10, 1, 2, 3), why, sizeof(why)));
	t.grp[g * FE_LPM6_ENTRIES + 3] = FE_LPM6_ENTRY(25, 2);
	assert_false(mismatch(&t, &ref, IP(10, 1, 2, 3), why, sizeof(why)));

	/* A route the reference lacks, and one it has that the table lacks. */
	assert_int_equal(add4(&t, IP(11, 0, 0, 0), 8, 7), 0);
	assert_true(mismatch(&t, &ref, IP(11, 0, 0, 0), why, sizeof(why)));
	ref_add(&ref, IP(11, 0, 0, 0), 8, 7);
	ref_add(&ref, IP(12, 0, 0, 0), 8, 8);
	assert_true(mismatch(&t, &ref, IP(12, 0, 0, 0), why, sizeof(why)));
	assert_int_equal(add4(&t, IP(12, 0, 0, 0), 8, 8), 0);
	assert_false(mismatch(&t, &ref, IP(12, 0, 0, 0), why, sizeof(why)));
	free(ref.r);
	tabs_fini(&t);
}

static void test_errors(void **state)
{
	struct fe_lpm6_stats st;
	struct tabs t;
	uint32_t v = 77;
	uint8_t b[16];

	(void)state;
	tabs_init(&t, 4);
	/* Cleared by fe_lpm6_new, whatever was there. */
	assert_top_empty(&t);
	for (size_t i = 0; i < 4 * FE_LPM6_ENTRIES; i++)
		assert_int_equal(t.grp[i], 0);

	assert_int_equal(add4(&t, IP(10, 0, 0, 1), 24, 1), -EINVAL);
	assert_int_equal(add4(&t, IP(11, 0, 0, 0), 7, 1), -EINVAL);
	assert_int_equal(add4(&t, IP(0, 0, 0, 1), 0, 1), -EINVAL);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 129, 1), -EINVAL);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 8, FE_LPM6_VALUE_MAX + 1),
			 -EINVAL);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 8, UINT32_MAX), -EINVAL);
	/* A /32 with something in bytes 4..15 is not an IPv4 prefix. */
	v4(IP(10, 0, 0, 1), b);
	b[4] = 1;
	assert_int_equal(fe_lpm6_add(t.t, b, 32, 1), -EINVAL);
	b[4] = 0;
	b[15] = 0x80;
	assert_int_equal(fe_lpm6_add(t.t, b, 32, 1), -EINVAL);
	assert_int_equal(del4(&t, IP(10, 0, 0, 0), 8), -ENOENT);
	assert_int_equal(del4(&t, IP(10, 0, 0, 1), 8), -EINVAL);
	assert_int_equal(del4(&t, IP(10, 0, 0, 0), 200), -EINVAL);
	assert_int_equal(get4(&t, IP(10, 0, 0, 0), 8, &v), -ENOENT);
	assert_int_equal(get4(&t, IP(10, 0, 0, 1), 8, &v), -EINVAL);
	assert_int_equal(v, 77);
	expect_miss(&t, IP(10, 0, 0, 0));
	assert_int_equal(stats(&t).rules, 0);

	/* Withdraw of an unknown prefix next to known ones. */
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 8, 5), 0);
	assert_int_equal(add4(&t, IP(10, 1, 2, 0), 25, 6), 0);
	assert_int_equal(del4(&t, IP(10, 0, 0, 0), 9), -ENOENT);
	assert_int_equal(del4(&t, IP(10, 1, 2, 128), 25), -ENOENT);
	assert_int_equal(del4(&t, IP(10, 1, 2, 0), 24), -ENOENT);
	assert_int_equal(del4(&t, IP(10, 1, 2, 0), 26), -ENOENT);
	assert_int_equal(del4(&t, IP(11, 0, 0, 0), 8), -ENOENT);
	assert_int_equal(get4(&t, IP(10, 0, 0, 0), 8, &v), 0);
	assert_int_equal(v, 5);
	st = stats(&t);
	assert_int_equal(st.rules, 2);
	assert_int_equal(st.groups_used, 2); /* 10.1/16 and 10.1.2/24 */
	assert_int_equal(st.groups_level[1], 1);
	assert_int_equal(st.groups_level[2], 1);
	assert_int_equal(st.groups_total, 4);
	assert_int_equal(st.top_bytes, 256 << 10);
	assert_int_equal(st.group_bytes, 2048);
	assert_int_equal(st.pool_bytes, 4096);
	assert_true(st.rules_bytes > 0);
	expect_hit(&t, IP(10, 1, 2, 127), 6);
	expect_hit(&t, IP(10, 1, 2, 128), 5);
	tabs_fini(&t);
}

/* Value limits: 0 and FE_LPM6_VALUE_MAX are routes at every level. */
static void test_values(void **state)
{
	static const uint8_t depths[] = { 0, 8, 16, 17, 24, 25, 32 };
	struct tabs t;
	uint32_t v;

	(void)state;
	tabs_init(&t, 8);
	for (size_t i = 0; i < sizeof(depths); i++) {
		uint32_t a = IP(192, 0, 2, 255) & mask_of(depths[i]);

		assert_int_equal(add4(&t, a, depths[i], 0), 0);
		expect_hit(&t, IP(192, 0, 2, 255), 0);
		expect_hit(&t, a, 0);
		assert_int_equal(get4(&t, a, depths[i], &v), 0);
		assert_int_equal(v, 0);
		assert_int_equal(add4(&t, a, depths[i], FE_LPM6_VALUE_MAX), 0);
		expect_hit(&t, IP(192, 0, 2, 255), FE_LPM6_VALUE_MAX);
		assert_int_equal(get4(&t, a, depths[i], &v), 0);
		assert_int_equal(v, FE_LPM6_VALUE_MAX);
		assert_int_equal(add4(&t, a, depths[i], FE_LPM6_VALUE_MAX + 1),
				 -EINVAL);
		assert_int_equal(get4(&t, a, depths[i], &v), 0);
		assert_int_equal(v, FE_LPM6_VALUE_MAX);
	}
	/* A value-0 /32 under a MAX /31: both seen, neither a miss. */
	assert_int_equal(add4(&t, IP(192, 0, 2, 254), 31, 1), 0);
	assert_int_equal(add4(&t, IP(192, 0, 2, 255), 32, 0), 0);
	expect_hit(&t, IP(192, 0, 2, 255), 0);
	expect_hit(&t, IP(192, 0, 2, 254), 1);
	for (size_t i = 0; i < sizeof(depths); i++)
		assert_int_equal(del4(&t, IP(192, 0, 2, 255) &
					       mask_of(depths[i]),
				      depths[i]),
				 0);
	expect_hit(&t, IP(192, 0, 2, 255), 1);
	assert_int_equal(del4(&t, IP(192, 0, 2, 254), 31), 0);
	expect_miss(&t, IP(192, 0, 2, 255));
	assert_top_empty(&t);
	tabs_fini(&t);
}

/*
 * Every prefix length /0../32: alone, its first and last address hit and
 * the neighbours outside miss, with the groups its level needs (none up
 * to /16, one to /24, two beyond); then all nested on one address,
 * withdrawn in an odd order, against the reference.
 */
static void test_every_length(void **state)
{
	const uint32_t x = IP(203, 0, 113, 77) ^ 0x5a5a5a5a;
	struct ref ref = { 0 };
	struct rule set[33];
	uint64_t s = 33;
	struct tabs t;

	(void)state;
	tabs_init(&t, 4);
	for (int d = 0; d <= 32; d++) {
		uint32_t first = x & mask_of(d), last = first | ~mask_of(d);
		struct fe_lpm6_stats st;

		assert_int_equal(add4(&t, first, d, 100 + d), 0);
		expect_hit(&t, first, 100 + d);
		expect_hit(&t, last, 100 + d);
		expect_hit(&t, x, 100 + d);
		if (d) {
			expect_miss(&t, first - 1);
			expect_miss(&t, last + 1);
		}
		st = stats(&t);
		assert_int_equal(st.groups_used, d <= 16 ? 0 : d <= 24 ? 1 : 2);
		assert_int_equal(st.groups_level[1], d > 16);
		assert_int_equal(st.groups_level[2], d > 24);
		assert_two_levels(&st);
		assert_int_equal(del4(&t, first, d), 0);
		expect_miss(&t, x);
		assert_top_empty(&t);
		fe_lpm6_grace(t.t);
	}

	for (int d = 0; d <= 32; d++) {
		set[d] = (struct rule){ x & mask_of(d), (uint8_t)d,
					rnd_value(&s) };
		assert_int_equal(add4(&t, set[d].addr, d, set[d].value), 0);
		ref_add(&ref, set[d].addr, d, set[d].value);
		check_all(&t, &ref, set, (size_t)d + 1, 100, &s);
	}
	/* Odd lengths, then even ones from the longest. */
	for (int d = 1; d <= 32; d += 2) {
		assert_int_equal(del4(&t, set[d].addr, d), 0);
		assert_int_equal(ref_del(&ref, set[d].addr, d), 0);
		check_all(&t, &ref, set, 33, 100, &s);
	}
	for (int d = 32; d >= 0; d -= 2) {
		assert_int_equal(del4(&t, set[d].addr, d), 0);
		assert_int_equal(ref_del(&ref, set[d].addr, d), 0);
		check_all(&t, &ref, set, 33, 100, &s);
	}
	assert_top_empty(&t);
	free(ref.r);
	tabs_fini(&t);
}

static void test_basic(void **state)
{
	struct tabs t;

	(void)state;
	tabs_init(&t, 16);

	/* Default route: everything. */
	assert_int_equal(add4(&t, 0, 0, 1), 0);
	expect_hit(&t, 0, 1);
	expect_hit(&t, UINT32_MAX, 1);
	expect_hit(&t, IP(192, 0, 2, 1), 1);

	assert_int_equal(add4(&t, IP(192, 0, 0, 0), 8, 2), 0);
	assert_int_equal(add4(&t, IP(192, 0, 2, 0), 24, 3), 0);
	assert_int_equal(add4(&t, IP(192, 0, 2, 64), 26, 4), 0);
	assert_int_equal(add4(&t, IP(192, 0, 2, 77), 32, 5), 0);
	assert_int_equal(add4(&t, IP(192, 0, 0, 0), 16, 6), 0);
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
	assert_int_equal(stats(&t).groups_used, 2);

	/* Replace: the value everywhere the prefix wins, nowhere else. */
	assert_int_equal(add4(&t, IP(192, 0, 2, 0), 24, 30), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 30);
	expect_hit(&t, IP(192, 0, 2, 200), 30);
	expect_hit(&t, IP(192, 0, 2, 64), 4);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 3, 0), 6);
	assert_int_equal(stats(&t).rules, 6);
	/* Replace in the top level (/8) under groups. */
	assert_int_equal(add4(&t, IP(192, 0, 0, 0), 8, 20), 0);
	expect_hit(&t, IP(192, 1, 0, 0), 20);
	expect_hit(&t, IP(192, 0, 2, 0), 30);
	assert_int_equal(add4(&t, IP(192, 0, 0, 0), 8, 2), 0);

	/* A shorter prefix added last does not hide longer ones. */
	assert_int_equal(add4(&t, IP(192, 0, 0, 0), 12, 7), 0);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 9, 1), 6);
	expect_hit(&t, IP(192, 1, 0, 0), 7);
	expect_hit(&t, IP(192, 16, 0, 0), 2);

	/* Withdraw: back to the next shorter prefix. */
	assert_int_equal(del4(&t, IP(192, 0, 2, 0), 24), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 6);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 2, 64), 4);
	assert_int_equal(del4(&t, IP(192, 0, 0, 0), 16), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 7);
	expect_hit(&t, IP(192, 0, 2, 66), 4);
	assert_int_equal(del4(&t, IP(192, 0, 0, 0), 12), 0);
	assert_int_equal(del4(&t, IP(192, 0, 0, 0), 8), 0);
	expect_hit(&t, IP(192, 0, 2, 0), 1);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	assert_int_equal(del4(&t, 0, 0), 0);
	expect_miss(&t, IP(192, 0, 2, 0));
	expect_miss(&t, IP(8, 8, 8, 8));
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_hit(&t, IP(192, 0, 2, 65), 4);
	assert_int_equal(del4(&t, IP(192, 0, 2, 64), 26), 0);
	expect_hit(&t, IP(192, 0, 2, 77), 5);
	expect_miss(&t, IP(192, 0, 2, 76));
	assert_int_equal(del4(&t, IP(192, 0, 2, 77), 32), 0);
	expect_miss(&t, IP(192, 0, 2, 77));
	assert_int_equal(stats(&t).rules, 0);
	assert_int_equal(stats(&t).groups_used, 0);
	assert_int_equal(stats(&t).groups_pending, 2);

	/* Empty again: every entry is zero. */
	assert_top_empty(&t);
	tabs_fini(&t);
}

/*
 * /32 and /25 inside one /24 under a default route and a /16: the groups
 * of levels 1 and 2, their contents, kept while needed, folded bottom up
 * (level 2 first, level 1 when nothing longer than /16 is left).
 */
static void test_group_create_collapse(void **state)
{
	uint32_t base = IP(198, 51, 100, 0);
	struct fe_lpm6_stats st;
	struct tabs t;
	int64_t g1, g2;

	(void)state;
	tabs_init(&t, 8);
	assert_int_equal(add4(&t, 0, 0, 9), 0);
	assert_int_equal(add4(&t, IP(198, 51, 0, 0), 16, 10), 0);
	assert_int_equal(group_l1(&t, base), -1);
	assert_int_equal(t.top[base >> 16], FE_LPM6_ENTRY(16, 10));

	assert_int_equal(add4(&t, base | 200, 32, 11), 0);
	g1 = group_l1(&t, base);
	g2 = group_l2(&t, base);
	/* Low groups first, made top down. */
	assert_int_equal(g1, 0);
	assert_int_equal(g2, 1);
	st = stats(&t);
	assert_int_equal(st.groups_used, 2);
	assert_int_equal(st.groups_level[1], 1);
	assert_int_equal(st.groups_level[2], 1);
	/* Filled from the entry above: depth 16 everywhere but the path. */
	for (int j = 0; j < 256; j++) {
		assert_int_equal(t.grp[g1 * 256 + j],
				 j == 100 ? FE_LPM6_LINK(g2) :
					    FE_LPM6_ENTRY(16, 10));
		assert_int_equal(t.grp[g2 * 256 + j],
				 j == 200 ? FE_LPM6_ENTRY(32, 11) :
					    FE_LPM6_ENTRY(16, 10));
	}

	assert_int_equal(add4(&t, base, 25, 12), 0);
	assert_int_equal(group_l1(&t, base), g1); /* same groups */
	assert_int_equal(group_l2(&t, base), g2);
	assert_int_equal(stats(&t).groups_used, 2);
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, j < 128 ? 12 : j == 200 ? 11 : 10);

	/* A /24 for the whole block goes under the long prefixes. */
	assert_int_equal(add4(&t, base, 24, 13), 0);
	assert_int_equal(group_l2(&t, base), g2);
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, j < 128 ? 12 : j == 200 ? 11 : 13);
	expect_hit(&t, base - 1, 10);
	expect_hit(&t, base + 256, 10);

	/* First long prefix out: the groups stay. */
	assert_int_equal(del4(&t, base, 25), 0);
	assert_int_equal(group_l2(&t, base), g2);
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, j == 200 ? 11 : 13);

	/*
	 * Last one out: level 2 folded into its level-1 entry, pending, not
	 * free; level 1 stays (it holds the /24, longer than its /16).
	 */
	assert_int_equal(del4(&t, base | 200, 32), 0);
	assert_int_equal(group_l1(&t, base), g1);
	assert_int_equal(group_l2(&t, base), -1);
	assert_int_equal(t.grp[g1 * 256 + 100], FE_LPM6_ENTRY(24, 13));
	st = stats(&t);
	assert_int_equal(st.groups_used, 1);
	assert_int_equal(st.groups_pending, 1);
	assert_int_equal(st.group_bytes, 2048);
	/* A late reader still in the group reads the same answers. */
	for (int j = 0; j < 256; j++)
		assert_int_equal(t.grp[g2 * 256 + j], FE_LPM6_ENTRY(24, 13));
	for (int j = 0; j < 256; j++)
		expect_hit(&t, base | j, 13);
	fe_lpm6_grace(t.t);
	st = stats(&t);
	assert_int_equal(st.groups_pending, 0);
	assert_int_equal(st.group_bytes, 1024);

	/* The /24 out: level 1 folds back into the top, to the /16. */
	assert_int_equal(del4(&t, base, 24), 0);
	assert_int_equal(group_l1(&t, base), -1);
	assert_int_equal(t.top[base >> 16], FE_LPM6_ENTRY(16, 10));
	assert_int_equal(stats(&t).groups_used, 0);
	assert_int_equal(stats(&t).groups_pending, 1);
	expect_hit(&t, base | 5, 10);
	fe_lpm6_grace(t.t);

	/* Folding with no route around: entries back to zero. */
	assert_int_equal(del4(&t, IP(198, 51, 0, 0), 16), 0);
	assert_int_equal(del4(&t, 0, 0), 0);
	assert_int_equal(add4(&t, base | 4, 30, 14), 0);
	g2 = group_l2(&t, base);
	assert_true(g2 >= 0);
	for (int j = 0; j < 256; j++)
		assert_int_equal(t.grp[g2 * 256 + j],
				 j >= 4 && j < 8 ? FE_LPM6_ENTRY(30, 14) : 0);
	for (int j = 0; j < 256; j++) {
		if (j >= 4 && j < 8)
			expect_hit(&t, base | j, 14);
		else
			expect_miss(&t, base | j);
	}
	assert_int_equal(del4(&t, base | 4, 30), 0);
	assert_int_equal(t.top[base >> 16], 0);
	expect_miss(&t, base | 5);
	assert_int_equal(stats(&t).groups_used, 0);
	assert_top_empty(&t);

	/* A /17 and a /20 need level 1 only; a /25 beside them level 2. */
	assert_int_equal(add4(&t, IP(198, 51, 128, 0), 17, 15), 0);
	assert_int_equal(add4(&t, IP(198, 51, 16, 0), 20, 16), 0);
	st = stats(&t);
	assert_int_equal(st.groups_level[1], 1);
	assert_int_equal(st.groups_level[2], 0);
	assert_int_equal(add4(&t, IP(198, 51, 16, 128), 25, 17), 0);
	st = stats(&t);
	assert_int_equal(st.groups_level[2], 1);
	assert_two_levels(&st);
	expect_hit(&t, IP(198, 51, 16, 127), 16);
	expect_hit(&t, IP(198, 51, 16, 128), 17);
	expect_hit(&t, IP(198, 51, 255, 255), 15);
	expect_miss(&t, IP(198, 51, 127, 255));
	tabs_fini(&t);
}

/* Out of groups: -ENOSPC, and not one byte changed. */
static void test_enospc(void **state)
{
	uint32_t *topcopy = malloc(TOP_BYTES);
	uint32_t grpcopy[3 * FE_LPM6_ENTRIES];
	struct fe_lpm6_stats st0, st1;
	struct tabs t;
	uint32_t v;

	(void)state;
	assert_non_null(topcopy);
	tabs_init(&t, 3);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 8, 1), 0);
	assert_int_equal(add4(&t, IP(10, 0, 1, 0), 25, 2), 0); /* 2 groups */
	assert_int_equal(add4(&t, IP(10, 0, 2, 0), 26, 3), 0); /* 1 more */
	assert_int_equal(stats(&t).groups_used, 3);

	memcpy(topcopy, t.top, TOP_BYTES);
	memcpy(grpcopy, t.grp, sizeof(grpcopy));
	/* Not stats(): a copy returned by value need not keep the padding. */
	fe_lpm6_stats(t.t, &st0);
	assert_int_equal(add4(&t, IP(10, 0, 3, 0), 25, 4), -ENOSPC);
	assert_int_equal(add4(&t, IP(10, 0, 3, 255), 32, 4), -ENOSPC);
	assert_int_equal(add4(&t, IP(10, 1, 0, 0), 17, 4), -ENOSPC);
	assert_int_equal(add4(&t, IP(10, 1, 0, 0), 32, 4), -ENOSPC);
	fe_lpm6_stats(t.t, &st1);
	assert_memory_equal(&st0, &st1, sizeof(st0));
	assert_memory_equal(topcopy, t.top, TOP_BYTES);
	assert_memory_equal(grpcopy, t.grp, sizeof(grpcopy));
	assert_int_equal(get4(&t, IP(10, 0, 3, 0), 25, &v), -ENOENT);
	assert_int_equal(del4(&t, IP(10, 0, 3, 0), 25), -ENOENT);
	assert_int_equal(get4(&t, IP(10, 1, 0, 0), 17, &v), -ENOENT);
	expect_hit(&t, IP(10, 0, 3, 1), 1);
	expect_hit(&t, IP(10, 1, 0, 1), 1);

	/*
	 * Short prefixes need no group; longer ones whose groups exist fit:
	 * a /24 or /20 in the grouped /16, a /25 or /32 in a grouped /24.
	 */
	assert_int_equal(add4(&t, IP(10, 0, 3, 0), 24, 5), 0);
	assert_int_equal(add4(&t, IP(10, 0, 16, 0), 20, 9), 0);
	assert_int_equal(add4(&t, IP(10, 1, 0, 0), 16, 10), 0);
	assert_int_equal(add4(&t, IP(10, 0, 1, 128), 25, 6), 0);
	assert_int_equal(add4(&t, IP(10, 0, 2, 255), 32, 7), 0);
	/* Replacing a long prefix needs no new group either. */
	assert_int_equal(add4(&t, IP(10, 0, 1, 0), 25, 8), 0);
	expect_hit(&t, IP(10, 0, 1, 1), 8);
	expect_hit(&t, IP(10, 0, 3, 1), 5);
	expect_hit(&t, IP(10, 0, 17, 1), 9);
	expect_hit(&t, IP(10, 1, 0, 1), 10);

	/* A freed group is usable only after the grace period. */
	assert_int_equal(del4(&t, IP(10, 0, 2, 0), 26), 0);
	assert_int_equal(del4(&t, IP(10, 0, 2, 255), 32), 0);
	assert_int_equal(stats(&t).groups_pending, 1);
	assert_int_equal(add4(&t, IP(10, 0, 3, 0), 25, 4), -ENOSPC);
	fe_lpm6_grace(t.t);
	assert_int_equal(add4(&t, IP(10, 0, 3, 0), 25, 4), 0);
	expect_hit(&t, IP(10, 0, 3, 1), 4);
	expect_hit(&t, IP(10, 0, 3, 129), 5);
	expect_hit(&t, IP(10, 0, 2, 255), 1);

	/* No groups at all: every /17-/32 is refused, the rest works. */
	tabs_fini(&t);
	tabs_init(&t, 0);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 16, 1), 0);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 17, 1), -ENOSPC);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 24, 1), -ENOSPC);
	assert_int_equal(add4(&t, IP(10, 0, 0, 1), 32, 1), -ENOSPC);
	assert_int_equal(stats(&t).rules, 1);
	expect_hit(&t, IP(10, 0, 0, 1), 1);
	assert_int_equal(del4(&t, IP(10, 0, 0, 0), 16), 0);
	fe_lpm6_grace(t.t);
	tabs_fini(&t);
	free(topcopy);
}

/* Freed groups are not reused before a grace period; marks. */
static void test_grace(void **state)
{
	struct fe_lpm6_stats st;
	struct tabs t;
	int64_t ga, gb, gc;
	uint64_t mark;

	(void)state;
	tabs_init(&t, 5);
	/* One level-1 group for 10.0/16, then one level-2 group per /24. */
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 25, 1), 0);
	assert_int_equal(add4(&t, IP(10, 0, 1, 0), 25, 2), 0);
	ga = group_l2(&t, IP(10, 0, 0, 0));
	gb = group_l2(&t, IP(10, 0, 1, 0));
	assert_true(ga >= 0 && gb >= 0 && ga != gb);

	/* Free ga: the next new group must be another one. */
	assert_int_equal(del4(&t, IP(10, 0, 0, 0), 25), 0);
	assert_int_equal(add4(&t, IP(10, 0, 2, 0), 25, 3), 0);
	gc = group_l2(&t, IP(10, 0, 2, 0));
	assert_true(gc >= 0 && gc != ga && gc != gb);
	/* Its content is still what a late reader of 10.0.0/24 expects. */
	for (int j = 0; j < 256; j++)
		assert_int_equal(t.grp[ga * 256 + j], 0);

	/* Mark, free gb after the mark, grace up to the mark: ga only. */
	mark = fe_lpm6_grace_mark(t.t);
	assert_int_equal(del4(&t, IP(10, 0, 1, 0), 25), 0);
	st = stats(&t);
	assert_int_equal(st.groups_pending, 2);
	assert_int_equal(st.groups_used, 2);
	fe_lpm6_grace_upto(t.t, mark);
	st = stats(&t);
	assert_int_equal(st.groups_pending, 1);

	/* 5 groups: 2 used, gb pending, so two new /24s fit, a third not. */
	assert_int_equal(add4(&t, IP(10, 0, 3, 0), 25, 4), 0);
	assert_int_equal(add4(&t, IP(10, 0, 4, 0), 25, 5), 0);
	assert_true(group_l2(&t, IP(10, 0, 3, 0)) != gb);
	assert_true(group_l2(&t, IP(10, 0, 4, 0)) != gb);
	assert_int_equal(add4(&t, IP(10, 0, 5, 0), 25, 6), -ENOSPC);
	/* An old mark releases nothing more; a new grace releases gb. */
	fe_lpm6_grace_upto(t.t, mark);
	assert_int_equal(stats(&t).groups_pending, 1);
	fe_lpm6_grace(t.t);
	assert_int_equal(stats(&t).groups_pending, 0);
	assert_int_equal(add4(&t, IP(10, 0, 5, 0), 25, 6), 0);
	assert_int_equal(group_l2(&t, IP(10, 0, 5, 0)), gb);
	expect_hit(&t, IP(10, 0, 5, 1), 6);
	expect_miss(&t, IP(10, 0, 5, 200));
	expect_miss(&t, IP(10, 0, 1, 1));

	/* Many cycles through a small pool: pending never exceeds it. */
	for (uint32_t c = 2; c <= 5; c++)
		del4(&t, IP(10, 0, c, 0), 25);
	fe_lpm6_grace(t.t);
	assert_int_equal(stats(&t).groups_used, 0);
	for (int i = 0; i < 1000; i++) {
		uint32_t a = IP(20, i & 3, i >> 2 & 7, 0);

		if (add4(&t, a, 26, i) == -ENOSPC) {
			fe_lpm6_grace(t.t);
			assert_int_equal(add4(&t, a, 26, i), 0);
		}
		expect_hit(&t, a | 1, i);
		assert_int_equal(del4(&t, a, 26), 0);
		st = stats(&t);
		assert_true(st.groups_used + st.groups_pending <= 5);
	}
	tabs_fini(&t);
}

/*
 * Random prefix sets against the naive reference: adds in random order,
 * replaces, withdrawals, mixed operations, and finally everything
 * withdrawn.
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
			assert_int_equal(add4(&t, set[i].addr, set[i].depth,
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
			assert_int_equal(add4(&t, set[i].addr, set[i].depth,
					      set[i].value),
					 0);
			ref_add(&ref, set[i].addr, set[i].depth,
				set[i].value);
		}
		check_all(&t, &ref, set, n, 8000, &s);

		/* Withdrawals of half, in another order. */
		shuffle(set, n, &s);
		for (size_t i = 0; i < n / 2; i++) {
			assert_int_equal(del4(&t, set[i].addr, set[i].depth),
					 0);
			assert_int_equal(ref_del(&ref, set[i].addr,
						 set[i].depth),
					 0);
			assert_int_equal(get4(&t, set[i].addr, set[i].depth,
					      &v),
					 -ENOENT);
			if (i % 250 == 0)
				check_all(&t, &ref, set, n, 1000, &s);
		}
		check_all(&t, &ref, set, n, 8000, &s);

		/* Mixed: add back, replace, withdraw (some unknown). */
		for (size_t k = 0; k < 3000; k++) {
			struct rule *r = &set[rnd(&s) % n];
			uint64_t op = rnd(&s) % 4;

			if (op < 2) {
				r->value = rnd_value(&s);
				assert_int_equal(add4(&t, r->addr, r->depth,
						      r->value),
						 0);
				ref_add(&ref, r->addr, r->depth, r->value);
			} else {
				assert_int_equal(del4(&t, r->addr, r->depth),
						 ref_del(&ref, r->addr,
							 r->depth));
			}
			if (k % 100 == 0)
				fe_lpm6_grace(t.t);
			if (k % 1000 == 0)
				check_all(&t, &ref, set, n, 1000, &s);
		}
		check_all(&t, &ref, set, n, 8000, &s);
		for (size_t i = 0; i < ref.n; i++) {
			assert_int_equal(get4(&t, ref.r[i].addr,
					      ref.r[i].depth, &v),
					 0);
			assert_int_equal(v, ref.r[i].value);
		}

		/* Everything out: all misses, all zero, all groups back. */
		shuffle(set, n, &s);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(del4(&t, set[i].addr, set[i].depth),
					 ref_del(&ref, set[i].addr,
						 set[i].depth));
		check_all(&t, &ref, set, n, 2000, &s);
		assert_top_empty(&t);
		fe_lpm6_grace(t.t);
		assert_int_equal(stats(&t).groups_used, 0);
		assert_int_equal(stats(&t).groups_pending, 0);

		tabs_fini(&t);
		free(ref.r);
		free(set);
	}
	print_message("lpm4: %llu lookups equal to the reference\n",
		      (unsigned long long)checks);
}

/* Every address of a /16 (and around it), after each phase. */
static void test_exhaustive_16(void **state)
{
	const uint32_t base = IP(100, 64, 0, 0);
	uint64_t s = 42;
	struct ref ref = { 0 };
	struct rule set[400];
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
			uint32_t v = (set[i].value + phase) &
				     FE_LPM6_VALUE_MAX;

			if (phase % 2 == 0 || rnd(&s) % 2) {
				assert_int_equal(add4(&t, set[i].addr,
						      set[i].depth, v),
						 0);
				ref_add(&ref, set[i].addr, set[i].depth, v);
			} else {
				assert_int_equal(del4(&t, set[i].addr,
						      set[i].depth),
						 ref_del(&ref, set[i].addr,
							 set[i].depth));
			}
		}
		for (uint32_t a = base - 256; a < base + 0x10000 + 256; a++)
			check_addr(&t, &ref, a);
		assert_int_equal(stats(&t).groups_level[1],
				 ref_distinct(&ref, 16, 16));
		assert_int_equal(stats(&t).groups_level[2],
				 ref_distinct(&ref, 24, 8));
		fe_lpm6_grace(t.t);
	}
	free(ref.r);
	tabs_fini(&t);
}

/*
 * A reader thread looks up addresses of two /8s whose answer never
 * changes (every prefix churned inside a /8 carries the /8's value),
 * while the writer adds and withdraws prefixes there through a tiny
 * group pool, so groups of both levels are made, folded and reused all
 * the time. A group published before it is full, an entry folded after
 * its group is changed, or a group reused without a grace period shows
 * up as a wrong value. The grace period is a quiescent-state counter.
 *
 * Every other lookup is the library's; the others are the BPF helper's
 * three loads with pauses between them, as a program interrupted in the
 * middle would make, so that a stale link meets a reused group.
 */
struct race {
	const struct tabs *t;
	int stop;
	uint64_t qs; /* lookups completed */
	uint64_t errors;
};

static void pause_for(uint64_t n)
{
	for (; n; n--)
		__asm__ volatile("" ::: "memory");
}

static void *race_reader(void *arg)
{
	struct race *r = arg;
	const struct tabs *t = r->t;
	uint64_t s = 7;

	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		uint64_t x = rnd(&s);
		uint32_t a = IP(10 + (x & 1), 0, 0, 0) |
			     (uint32_t)(x >> 8 & 0x3fff);
		uint32_t v = 0, e;

		if (x & 2) {
			if (lookup4(t, a, &v))
				v = 0;
		} else {
			e = __atomic_load_n(&t->top[a >> 16], __ATOMIC_ACQUIRE);
			for (int l = 1; l <= 2 && FE_LPM6_IS_LINK(e); l++) {
				uint32_t g = FE_LPM6_VALUE(e);

				pause_for((x >> (16 + 8 * l)) % 2048);
				if (g >= t->ngroups) {
					e = 0;
					break;
				}
				e = __atomic_load_n(
					&t->grp[g * FE_LPM6_ENTRIES +
						(a >> (16 - 8 * l) & 0xff)],
					__ATOMIC_ACQUIRE);
			}
			v = FE_LPM6_IS_ROUTE(e) ? FE_LPM6_VALUE(e) : 0;
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
	r.t = &t;
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 8, 110), 0);
	assert_int_equal(add4(&t, IP(11, 0, 0, 0), 8, 111), 0);
	assert_int_equal(pthread_create(&th, NULL, race_reader, &r), 0);

	/* A fixed time: the reader needs it to meet the races. */
	t0 = now_s();
	while (now_s() - t0 < 0.4) {
		uint64_t x = rnd(&s);
		int rc;

		if (nlive == sizeof(live) / sizeof(live[0]) ||
		    (nlive && x % 2)) {
			size_t i = (x >> 8) % nlive;

			assert_int_equal(del4(&t, live[i].addr, live[i].depth),
					 0);
			live[i] = live[--nlive];
		} else {
			uint8_t depth = 17 + (x >> 8) % 16;
			uint32_t addr = (IP(10 + (x >> 16 & 1), 0, 0, 0) |
					 (uint32_t)(x >> 20 & 0x3fff)) &
					mask_of(depth);
			uint32_t v;

			if (get4(&t, addr, depth, &v) == 0)
				continue;
			rc = add4(&t, addr, depth, 100 + (addr >> 24));
			if (rc == -ENOSPC) {
				race_synchronize(&r);
				fe_lpm6_grace(t.t);
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
	print_message("lpm4 race: %llu updates, %llu grace periods, "
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
	int r2 = lookup4(t, addr, &v2);

	if (r1 != r2 || (r1 == 0 && v1 != v2))
		fail_msg("%#x: reference %d/%u, lpm6 %d/%u", addr, r1, v1, r2,
			 v2);
}

/*
 * A DFZ-like table of 200k prefixes in 1.0.0.0-223.255.255.255, built in
 * random order: lookups against a binary-search reference, groups only
 * at levels 1 and 2, the memory it takes; /28s added and withdrawn under
 * random prefixes leave it as it was; everything withdrawn, all empty.
 */
static void test_scale_200k(void **state)
{
	const size_t want = 200000;
	size_t gen = want + want / 10, n = 0;
	struct rule *set = malloc(gen * sizeof(*set));
	struct rule *order;
	struct fe_lpm6_stats st;
	uint64_t s = 2026;
	struct sref sr;
	struct tabs t;
	double t0, t_build;

	(void)state;
	assert_non_null(set);
	for (size_t i = 0; i < gen; i++) {
		uint8_t depth = pick_depth(
			&s, mix_dfz, sizeof(mix_dfz) / sizeof(mix_dfz[0]));
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

	tabs_init(&t, 65536);
	order = malloc(n * sizeof(*order));
	assert_non_null(order);
	memcpy(order, set, n * sizeof(*order));
	shuffle(order, n, &s);
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		int rc = add4(&t, order[i].addr, order[i].depth,
			      order[i].value);

		if (rc)
			fail_msg("add %zu: %d", i, rc);
	}
	t_build = now_s() - t0;
	st = stats(&t);
	assert_int_equal(st.rules, n);
	assert_two_levels(&st);

	for (int i = 0; i < 200000; i++)
		scale_check(&t, &sr, (uint32_t)rnd(&s));
	for (size_t i = 0; i < n; i += 5) {
		uint32_t last = set[i].addr | ~mask_of(set[i].depth);

		scale_check(&t, &sr, set[i].addr);
		scale_check(&t, &sr, set[i].addr - 1);
		scale_check(&t, &sr, last);
		scale_check(&t, &sr, last + 1);
	}
	print_message("lpm4 scale: %zu prefixes in %.3f s; groups %u + %u "
		      "(%.1f MiB), top 0.25 MiB, rule store %.1f MiB\n",
		      n, t_build, st.groups_level[1], st.groups_level[2],
		      st.group_bytes / 1048576.0, st.rules_bytes / 1048576.0);

	/* /28s under random existing prefixes: groups made and folded. */
	for (int i = 0; i < 5000; i++) {
		const struct rule *r = &set[rnd(&s) % n];
		uint32_t a = (r->addr & 0xffffff00) | 0x10;
		uint32_t v;

		if (get4(&t, a, 28, &v) == 0)
			continue;
		if (add4(&t, a, 28, 2) == -ENOSPC) {
			fe_lpm6_grace(t.t);
			assert_int_equal(add4(&t, a, 28, 2), 0);
		}
		assert_int_equal(get4(&t, a, 28, &v), 0);
		assert_int_equal(v, 2);
		assert_int_equal(del4(&t, a, 28), 0);
	}
	fe_lpm6_grace(t.t);
	for (int i = 0; i < 100000; i++)
		scale_check(&t, &sr, (uint32_t)rnd(&s));
	assert_int_equal(stats(&t).groups_used, st.groups_used);

	/* Withdraw everything, in random order. */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(del4(&t, order[i].addr, order[i].depth), 0);
	st = stats(&t);
	assert_int_equal(st.rules, 0);
	assert_int_equal(st.groups_used, 0);
	assert_top_empty(&t);
	tabs_fini(&t);
	free(order);
	free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks_can_fail),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_every_length),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_group_create_collapse),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_exhaustive_16),
		cmocka_unit_test(test_concurrent_reader),
		cmocka_unit_test(test_scale_200k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
