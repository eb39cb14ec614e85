// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/fe_lpm6.c, the IPv6 multibit-trie builder: every
 * lookup is compared with a naive reference (a list of prefixes, longest
 * match by scanning it all) after adds, replaces and withdrawals in
 * random orders, on DFZ-like tables; the groups (one per level and
 * covered prefix that holds something longer), their exhaustion and
 * their grace period; a reader thread racing the writer.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/fe_lpm6.h"
#include "tests/unit/test_lpm_tabs.h"


/* Deterministic generator: tests must not depend on the clock. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- addresses ---- */

struct addr6 {
	uint8_t b[16];
};

static struct addr6 masked(struct addr6 a, uint8_t depth)
{
	for (int i = 0; i < 16; i++) {
		int bits = depth - 8 * i;

		a.b[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : 0xff << (8 - bits);
	}
	return a;
}

/* Last address of a/depth. */
static struct addr6 last_of(struct addr6 a, uint8_t depth)
{
	struct addr6 m = masked((struct addr6){ .b = { [0 ... 15] = 0xff } },
				depth);

	for (int i = 0; i < 16; i++)
		a.b[i] |= (uint8_t)~m.b[i];
	return a;
}

static struct addr6 add1(struct addr6 a, int delta)
{
	for (int i = 15; i >= 0; i--) {
		uint8_t old = a.b[i];

		a.b[i] = (uint8_t)(old + delta);
		if (delta > 0 ? a.b[i] != 0 : old != 0)
			break;
	}
	return a;
}

static bool covers(struct addr6 p, uint8_t depth, struct addr6 a)
{
	return memcmp(masked(a, depth).b, p.b, 16) == 0;
}

/* ---- tables under test ---- */

static struct addr6 A(const char *s)
{
	struct addr6 a = { 0 };
	unsigned int w[8] = { 0 };
	const char *dbl = strstr(s, "::");
	int n = 0, tail = 0;

	/* Enough of inet_pton for the literals below: no dotted quads. */
	for (const char *p = s; *p && p != dbl; n++) {
		w[n] = (unsigned int)strtoul(p, (char **)&p, 16);
		if (*p == ':' && p != dbl)
			p++;
	}
	if (dbl) {
		unsigned int t[8];

		for (const char *p = dbl + 2; *p; tail++) {
			t[tail] = (unsigned int)strtoul(p, (char **)&p, 16);
			if (*p == ':')
				p++;
		}
		for (int i = 0; i < tail; i++)
			w[8 - tail + i] = t[i];
	}
	for (int i = 0; i < 8; i++) {
		a.b[2 * i] = w[i] >> 8;
		a.b[2 * i + 1] = w[i] & 0xff;
	}
	return a;
}

static void expect_hit(const struct tabs *t, struct addr6 a, uint32_t value)
{
	uint32_t v = ~0U;

	assert_int_equal(fe_lpm6_lookup(t->t, a.b, &v), 0);
	assert_int_equal(v, value);
}

static void expect_miss(const struct tabs *t, struct addr6 a)
{
	uint32_t v = 12345;

	assert_int_equal(fe_lpm6_lookup(t->t, a.b, &v), -ENOENT);
	assert_int_equal(v, 12345);
}

/* ---- naive reference ---- */

struct rule {
	struct addr6 a;
	uint8_t depth;
	uint32_t value;
};

struct ref {
	struct rule *r;
	size_t n, cap;
};

static ssize_t ref_find(const struct ref *ref, struct addr6 a, uint8_t depth)
{
	for (size_t i = 0; i < ref->n; i++)
		if (ref->r[i].depth == depth && !memcmp(ref->r[i].a.b, a.b, 16))
			return (ssize_t)i;
	return -1;
}

static void ref_add(struct ref *ref, const struct rule *r)
{
	ssize_t i = ref_find(ref, r->a, r->depth);

	if (i >= 0) {
		ref->r[i].value = r->value;
		return;
	}
	if (ref->n == ref->cap) {
		ref->cap = ref->cap ? ref->cap * 2 : 256;
		ref->r = realloc(ref->r, ref->cap * sizeof(*ref->r));
		assert_non_null(ref->r);
	}
	ref->r[ref->n++] = *r;
}

static void ref_del(struct ref *ref, const struct rule *r)
{
	ssize_t i = ref_find(ref, r->a, r->depth);

	assert_true(i >= 0);
	ref->r[i] = ref->r[--ref->n];
}

static int ref_lookup(const struct ref *ref, struct addr6 a, uint32_t *value)
{
	int best = -1;

	for (size_t i = 0; i < ref->n; i++) {
		const struct rule *r = &ref->r[i];

		if (r->depth > best && covers(r->a, r->depth, a)) {
			best = r->depth;
			*value = r->value;
		}
	}
	return best < 0 ? -ENOENT : 0;
}

/*
 * Groups there must be: one per level L (1..14) and /(8 + 8L) that holds
 * a prefix ending at a deeper level.
 */
static uint32_t ref_groups(const struct ref *ref)
{
	struct rule *s = malloc((ref->n * 14 + 1) * sizeof(*s));
	uint32_t n = 0, groups = 0;

	assert_non_null(s);
	for (size_t i = 0; i < ref->n; i++) {
		uint8_t d = ref->r[i].depth;
		int target = d <= 16 ? 0 : (d - 9) / 8;

		for (int l = 1; l <= target; l++)
			s[n++] = (struct rule){ masked(ref->r[i].a, 8 + 8 * l),
						(uint8_t)l, 0 };
	}
	for (uint32_t i = 0; i < n; i++) {
		bool seen = false;

		for (uint32_t j = 0; j < i && !seen; j++)
			seen = s[j].depth == s[i].depth &&
			       !memcmp(s[j].a.b, s[i].a.b, 16);
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

/* Roughly the IPv6 DFZ of the 2020s (per mille), and a few odd lengths. */
static const struct len_weight mix_dfz[] = {
	{ 0, 1 },   { 16, 2 },  { 19, 2 },  { 20, 3 },  { 24, 3 },
	{ 28, 8 },  { 29, 60 }, { 32, 180 }, { 33, 8 }, { 36, 40 },
	{ 40, 60 }, { 44, 70 }, { 47, 8 },  { 48, 440 }, { 52, 6 },
	{ 56, 25 }, { 60, 5 },  { 63, 3 },  { 64, 30 }, { 65, 3 },
	{ 96, 3 },  { 112, 3 }, { 127, 5 }, { 128, 30 },
};

static uint8_t pick_depth(uint64_t *s)
{
	size_t n = sizeof(mix_dfz) / sizeof(mix_dfz[0]);
	uint32_t total = 0, x;

	for (size_t i = 0; i < n; i++)
		total += mix_dfz[i].weight;
	x = rnd(s) % total;
	for (size_t i = 0; i < n; i++) {
		if (x < mix_dfz[i].weight)
			return mix_dfz[i].depth;
		x -= mix_dfz[i].weight;
	}
	return 48;
}

/*
 * An address in a small space (4 /16s, few values in the next 6 bytes)
 * so that prefixes nest and share groups at every level.
 */
static struct addr6 small_space_addr(uint64_t *s)
{
	static const uint16_t first[] = { 0x2001, 0x2400, 0x2a00, 0x2c0f };
	uint64_t r = rnd(s), r2 = rnd(s);
	struct addr6 a;

	a.b[0] = first[r & 3] >> 8;
	a.b[1] = first[r & 3] & 0xff;
	for (int i = 2; i < 8; i++)
		a.b[i] = (uint8_t)((r >> (8 * i)) & 0x31);
	for (int i = 8; i < 16; i++)
		a.b[i] = (uint8_t)(r2 >> (8 * (i - 8)));
	if (r2 & 1) /* the interface-ID bits often zero, as in real /64s */
		memset(a.b + 8, 0, 7);
	return a;
}

static struct addr6 any_addr(uint64_t *s)
{
	uint64_t r = rnd(s), r2 = rnd(s);
	struct addr6 a;

	memcpy(a.b, &r, 8);
	memcpy(a.b + 8, &r2, 8);
	return a;
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
static struct rule *gen_set(size_t n, uint64_t *s)
{
	struct ref seen = { 0 };
	struct rule *r = calloc(n, sizeof(*r));
	size_t k = 0;

	assert_non_null(r);
	while (k < n) {
		uint8_t depth = pick_depth(s);
		struct rule x = { masked(small_space_addr(s), depth), depth,
				  rnd_value(s) };

		if (ref_find(&seen, x.a, depth) >= 0)
			continue;
		ref_add(&seen, &x);
		r[k++] = x;
	}
	free(seen.r);
	return r;
}

/* ---- checks ---- */

static void check_addr(const struct tabs *t, const struct ref *ref,
		       struct addr6 a)
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = ref_lookup(ref, a, &v1);
	int r2 = fe_lpm6_lookup(t->t, a.b, &v2);

	if (r1 != r2 || (r1 == 0 && v1 != v2)) {
		char buf[64];

		for (int i = 0; i < 16; i++)
			sprintf(buf + 3 * i, "%02x%c", a.b[i], i < 15 ? ':' : 0);
		fail_msg("%s: reference %d/%u, lpm6 %d/%u", buf, r1, v1, r2,
			 v2);
	}
}

/*
 * The boundaries of every prefix of `set` (present or not: first and last
 * address, and the ones just outside), nprobe random addresses of the
 * small space and a few of the whole space; and the structure: rule
 * count, exactly the groups the prefixes need.
 */
static void check_all(const struct tabs *t, const struct ref *ref,
		      const struct rule *set, size_t nset, size_t nprobe,
		      uint64_t *s)
{
	struct fe_lpm6_stats st = stats(t);
	uint32_t per_level = 0;

	for (size_t i = 0; i < nset; i++) {
		struct addr6 last = last_of(set[i].a, set[i].depth);

		check_addr(t, ref, set[i].a);
		check_addr(t, ref, last);
		check_addr(t, ref, add1(set[i].a, -1));
		check_addr(t, ref, add1(last, 1));
	}
	for (size_t i = 0; i < nprobe; i++)
		check_addr(t, ref, small_space_addr(s));
	for (size_t i = 0; i < nprobe / 8; i++)
		check_addr(t, ref, any_addr(s));
	assert_int_equal(st.rules, ref->n);
	assert_int_equal(st.groups_used, ref_groups(ref));
	for (int l = 0; l < FE_LPM6_LEVELS; l++)
		per_level += st.groups_level[l];
	assert_int_equal(per_level, st.groups_used);
	assert_true(st.groups_used + st.groups_pending <= st.groups_total);
}

/* ---- tests ---- */

/* The entry encoding is what bpf/fe_lpm6.h's reader expects. */
static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct fe_lpm6_val), 1024);
	assert_int_equal(FE_LPM6_TOP_VALUES, 256);
	assert_true(FE_LPM6_IS_ROUTE(FE_LPM6_ENTRY(0, 0)));
	assert_int_equal(FE_LPM6_DEPTH(FE_LPM6_ENTRY(128, 7)), 128);
	assert_int_equal(FE_LPM6_VALUE(FE_LPM6_ENTRY(128, FE_LPM6_VALUE_MAX)),
			 FE_LPM6_VALUE_MAX);
	assert_false(FE_LPM6_IS_LINK(FE_LPM6_ENTRY(128, FE_LPM6_VALUE_MAX)));
	assert_true(FE_LPM6_IS_LINK(FE_LPM6_LINK(5)));
	assert_false(FE_LPM6_IS_ROUTE(FE_LPM6_LINK(5)));
	assert_false(FE_LPM6_IS_ROUTE(0));
	assert_int_equal(FE_LPM6_DEPTH(0), -1);
}

static void test_errors(void **state)
{
	struct tabs t;
	struct addr6 a = A("2001:db8::");
	uint32_t v, top[4];

	(void)state;
	errno = 0;
	assert_null(fe_lpm6_new(NULL, NULL, 0));
	assert_int_equal(errno, EINVAL);
	assert_null(fe_lpm6_new(top, NULL, 4));
	assert_null(fe_lpm6_new(top, top, FE_LPM6_GROUPS_MAX + 1));

	tabs_init(&t, 4);
	assert_int_equal(fe_lpm6_add(t.t, a.b, 129, 1), -EINVAL);
	assert_int_equal(fe_lpm6_add(t.t, a.b, 16, 1), -EINVAL); /* host bits */
	assert_int_equal(fe_lpm6_add(t.t, a.b, 32, FE_LPM6_VALUE_MAX + 1),
			 -EINVAL);
	assert_int_equal(fe_lpm6_del(t.t, a.b, 32), -ENOENT);
	assert_int_equal(fe_lpm6_del(t.t, a.b, 16), -EINVAL);
	assert_int_equal(fe_lpm6_get(t.t, a.b, 32, &v), -ENOENT);
	assert_int_equal(fe_lpm6_get(t.t, a.b, 200, &v), -EINVAL);
	expect_miss(&t, a);
	assert_int_equal(stats(&t).rules, 0);
	tabs_fini(&t);
}

/* Default route, nesting, replace, withdraw back to the cover, /128. */
static void test_basic(void **state)
{
	struct tabs t;
	struct addr6 zero = { 0 };
	struct addr6 p32 = A("2001:db8::"), p48 = A("2001:db8:1::");
	struct addr6 h = A("2001:db8:1::5"), h2 = A("2001:db8:2::5");
	uint32_t v;

	(void)state;
	tabs_init(&t, 64);
	expect_miss(&t, h);
	assert_int_equal(fe_lpm6_add(t.t, zero.b, 0, 1), 0);
	expect_hit(&t, h, 1);
	expect_hit(&t, A("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 1);
	assert_int_equal(fe_lpm6_add(t.t, p32.b, 32, 2), 0);
	assert_int_equal(fe_lpm6_add(t.t, p48.b, 48, 3), 0);
	assert_int_equal(fe_lpm6_add(t.t, h.b, 128, 4), 0);
	expect_hit(&t, h, 4);
	expect_hit(&t, add1(h, 1), 3);
	expect_hit(&t, h2, 2);
	expect_hit(&t, A("2001:db9::"), 1);
	/* Levels 1-4 for the /48 (the /32 ends in level 2), 5-14 below. */
	assert_int_equal(stats(&t).groups_used, 14);
	assert_int_equal(stats(&t).groups_level[4], 1);

	assert_int_equal(fe_lpm6_add(t.t, p48.b, 48, 30), 0); /* replace */
	assert_int_equal(fe_lpm6_get(t.t, p48.b, 48, &v), 0);
	assert_int_equal(v, 30);
	expect_hit(&t, add1(h, -1), 30);
	expect_hit(&t, h, 4);

	assert_int_equal(fe_lpm6_del(t.t, h.b, 128), 0);
	expect_hit(&t, h, 30);
	assert_int_equal(stats(&t).groups_used, 4);
	assert_int_equal(stats(&t).groups_pending, 10);
	assert_int_equal(fe_lpm6_del(t.t, p32.b, 32), 0);
	expect_hit(&t, h, 30);
	expect_hit(&t, h2, 1);
	assert_int_equal(fe_lpm6_del(t.t, zero.b, 0), 0);
	expect_miss(&t, h2);
	expect_hit(&t, h, 30);
	assert_int_equal(fe_lpm6_del(t.t, p48.b, 48), 0);
	expect_miss(&t, h);
	assert_int_equal(stats(&t).groups_used, 0);
	assert_int_equal(stats(&t).groups_pending, 14);
	/* Everything folded: the top is all zero again. */
	for (uint32_t i = 0; i < FE_LPM6_TOP_ENTRIES; i++)
		assert_int_equal(t.top[i], 0);
	tabs_fini(&t);
}

/*
 * A short prefix added under existing groups reaches every group below;
 * withdrawn, it gives every entry back to its own cover.
 */
static void test_short_over_groups(void **state)
{
	struct tabs t;
	struct ref ref = { 0 };
	struct rule r[] = {
		{ A("2001:db8:1:2::"), 64, 10 },  { A("2001:db8:1::"), 48, 11 },
		{ A("2001:db8:ff00::"), 40, 12 }, { A("2001:db8::"), 32, 13 },
		{ A("2001::"), 16, 14 },	  { A("2000::"), 3, 15 },
		{ A("2001:db8:1:2::"), 63, 16 },  { A("2001:db8::"), 29, 17 },
	};
	size_t n = sizeof(r) / sizeof(r[0]);
	uint64_t s = 7;

	(void)state;
	tabs_init(&t, 64);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(fe_lpm6_add(t.t, r[i].a.b, r[i].depth,
					     r[i].value), 0);
		ref_add(&ref, &r[i]);
		check_all(&t, &ref, r, n, 200, &s);
	}
	for (size_t i = n; i-- > 0;) {
		assert_int_equal(fe_lpm6_del(t.t, r[i].a.b, r[i].depth), 0);
		ref_del(&ref, &r[i]);
		check_all(&t, &ref, r, n, 200, &s);
	}
	free(ref.r);
	tabs_fini(&t);
}

/*
 * No free group: -ENOSPC, and nothing changed (tables byte for byte, rule
 * store); a prefix whose path exists still goes in.
 */
static void test_enospc(void **state)
{
	struct tabs t;
	struct addr6 p48 = A("2001:db8:1::"), h = A("2001:db8:1::5");
	struct addr6 other = A("2001:db8:2::");
	uint32_t *top_copy = malloc(TOP_BYTES);
	uint32_t *grp_copy = malloc(4 * GROUP_BYTES);
	uint32_t v;

	(void)state;
	assert_non_null(top_copy);
	assert_non_null(grp_copy);
	tabs_init(&t, 4);
	assert_int_equal(fe_lpm6_add(t.t, p48.b, 48, 1), 0); /* 4 groups */
	memcpy(top_copy, t.top, TOP_BYTES);
	memcpy(grp_copy, t.grp, 4 * GROUP_BYTES);
	assert_int_equal(fe_lpm6_add(t.t, h.b, 128, 2), -ENOSPC);
	assert_int_equal(fe_lpm6_add(t.t, other.b, 48, 2), 0); /* same /40 */
	assert_int_equal(fe_lpm6_del(t.t, other.b, 48), 0);
	assert_int_equal(fe_lpm6_add(t.t, A("2001:db9::").b, 48, 2), -ENOSPC);
	assert_int_equal(fe_lpm6_get(t.t, h.b, 128, &v), -ENOENT);
	assert_memory_equal(top_copy, t.top, TOP_BYTES);
	assert_memory_equal(grp_copy, t.grp, 4 * GROUP_BYTES);
	assert_int_equal(stats(&t).rules, 1);
	expect_hit(&t, h, 1);

	/* No pool at all: only /0../16 fit. */
	tabs_fini(&t);
	tabs_init(&t, 0);
	assert_int_equal(fe_lpm6_add(t.t, A("2001::").b, 16, 3), 0);
	assert_int_equal(fe_lpm6_add(t.t, A("2001::").b, 17, 3), -ENOSPC);
	expect_hit(&t, h, 3);
	tabs_fini(&t);
	free(top_copy);
	free(grp_copy);
}

/* Freed groups wait for the grace period; marks release only older ones. */
static void test_grace(void **state)
{
	struct tabs t;
	struct addr6 a = A("2001:db8:1::"), b = A("2001:db8:2::");
	struct addr6 c = A("2400:1::");
	uint64_t mark;

	(void)state;
	tabs_init(&t, 4);
	assert_int_equal(fe_lpm6_add(t.t, a.b, 48, 1), 0); /* 4 groups */
	assert_int_equal(fe_lpm6_del(t.t, a.b, 48), 0);
	assert_int_equal(stats(&t).groups_pending, 4);
	/* Pending groups are not reused before the grace period. */
	assert_int_equal(fe_lpm6_add(t.t, b.b, 48, 2), -ENOSPC);
	mark = fe_lpm6_grace_mark(t.t);
	fe_lpm6_grace_upto(t.t, mark);
	assert_int_equal(stats(&t).groups_pending, 0);
	assert_int_equal(fe_lpm6_add(t.t, b.b, 48, 2), 0);
	expect_hit(&t, b, 2);
	expect_miss(&t, a);

	/* Freed after the mark: still pending after grace_upto(mark). */
	mark = fe_lpm6_grace_mark(t.t);
	assert_int_equal(fe_lpm6_del(t.t, b.b, 48), 0);
	fe_lpm6_grace_upto(t.t, mark);
	assert_int_equal(stats(&t).groups_pending, 4);
	assert_int_equal(fe_lpm6_add(t.t, c.b, 32, 3), -ENOSPC);
	fe_lpm6_grace(t.t);
	assert_int_equal(fe_lpm6_add(t.t, c.b, 32, 3), 0);
	expect_hit(&t, c, 3);
	assert_int_equal(stats(&t).groups_used, 2);
	tabs_fini(&t);
}

/*
 * Random DFZ-like sets: add in random order, replace values, withdraw
 * half, add again with grace periods between, withdraw all. The
 * reference agrees after every phase and the groups are exactly those
 * needed.
 */
static void test_random_vs_reference(void **state)
{
	const size_t n = 3000;
	uint64_t s = 0x6b8b4567;

	(void)state;
	for (int round = 0; round < 3; round++) {
		struct tabs t;
		struct ref ref = { 0 };
		struct rule *set = gen_set(n, &s);

		tabs_init(&t, 8192);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(fe_lpm6_add(t.t, set[i].a.b,
						     set[i].depth,
						     set[i].value), 0);
			ref_add(&ref, &set[i]);
		}
		check_all(&t, &ref, set, n, 3000, &s);

		for (size_t i = 0; i < n; i += 3) {
			set[i].value = rnd_value(&s);
			assert_int_equal(fe_lpm6_add(t.t, set[i].a.b,
						     set[i].depth,
						     set[i].value), 0);
			ref_add(&ref, &set[i]);
		}
		check_all(&t, &ref, set, n, 1000, &s);

		shuffle(set, n, &s);
		for (size_t i = 0; i < n / 2; i++) {
			assert_int_equal(fe_lpm6_del(t.t, set[i].a.b,
						     set[i].depth), 0);
			ref_del(&ref, &set[i]);
		}
		check_all(&t, &ref, set, n, 3000, &s);
		fe_lpm6_grace(t.t);

		for (size_t i = 0; i < n / 4; i++) {
			assert_int_equal(fe_lpm6_add(t.t, set[i].a.b,
						     set[i].depth,
						     set[i].value), 0);
			ref_add(&ref, &set[i]);
		}
		check_all(&t, &ref, set, n, 1000, &s);

		for (size_t i = 0; i < n; i++) {
			if (ref_find(&ref, set[i].a, set[i].depth) < 0)
				continue;
			assert_int_equal(fe_lpm6_del(t.t, set[i].a.b,
						     set[i].depth), 0);
			ref_del(&ref, &set[i]);
		}
		check_all(&t, &ref, set, n, 500, &s);
		assert_int_equal(stats(&t).groups_used, 0);
		for (uint32_t i = 0; i < FE_LPM6_TOP_ENTRIES; i++)
			assert_int_equal(t.top[i], 0);
		free(ref.r);
		free(set);
		tabs_fini(&t);
	}
}

/*
 * A reader thread looks up a /48's addresses while the writer adds and
 * withdraws a /64 and a /128 under it (groups made and folded) and
 * replaces a /32 above: every answer is one of the values that prefix
 * set could have at that point, never a miss or a stale group's.
 */
struct race {
	struct tabs *t;
	struct addr6 probe;
	volatile int stop;
	volatile unsigned long bad, reads;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		uint32_t v;

		if (fe_lpm6_lookup(r->t->t, r->probe.b, &v) ||
		    (v != 1 && v != 2 && v != 3 && v != 4))
			r->bad++;
		r->reads++;
	}
	return NULL;
}

static void test_concurrent_reader(void **state)
{
	struct tabs t;
	struct race r = { 0 };
	struct addr6 p32 = A("2001:db8::"), p48 = A("2001:db8:1::");
	struct addr6 p64 = A("2001:db8:1:2::"), h = A("2001:db8:1:2::9");
	pthread_t th;

	(void)state;
	tabs_init(&t, 64);
	assert_int_equal(fe_lpm6_add(t.t, p32.b, 32, 1), 0);
	r.t = &t;
	r.probe = h;
	assert_int_equal(pthread_create(&th, NULL, race_reader, &r), 0);
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(fe_lpm6_add(t.t, p48.b, 48, 2), 0);
		assert_int_equal(fe_lpm6_add(t.t, p64.b, 64, 3), 0);
		assert_int_equal(fe_lpm6_add(t.t, h.b, 128, 4), 0);
		assert_int_equal(fe_lpm6_add(t.t, p32.b, 32, 1), 0);
		assert_int_equal(fe_lpm6_del(t.t, h.b, 128), 0);
		assert_int_equal(fe_lpm6_del(t.t, p64.b, 64), 0);
		assert_int_equal(fe_lpm6_del(t.t, p48.b, 48), 0);
		/*
		 * The grace period: wait until the reader has done two more
		 * lookups, so none still holds a freed group.
		 */
		for (unsigned long seen = r.reads; r.reads < seen + 2;)
			;
		fe_lpm6_grace(t.t);
	}
	r.stop = 1;
	pthread_join(th, NULL);
	assert_int_equal(r.bad, 0);
	tabs_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_short_over_groups),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_random_vs_reference),
		cmocka_unit_test(test_concurrent_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
