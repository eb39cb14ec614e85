// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/fe_shadow.c: the route/NHG shadow and its hash tables.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "lib/fe_shadow.h"

static struct fe_prefix pfx(int family, const char *addr, unsigned int len)
{
	struct fe_prefix p;
	uint8_t a[16] = { 0 };

	assert_int_equal(inet_pton(family, addr, a), 1);
	assert_int_equal(fe_prefix_set(&p, family, a, len), 0);
	return p;
}

/* Deterministic generator: tests must not depend on the clock. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * The i-th prefix of a set of distinct prefixes mixing both families and
 * many lengths, including prefixes that share address bytes and differ
 * only by length or family.
 */
static struct fe_prefix nth_prefix(uint32_t i)
{
	uint8_t a[16] = { 0 };
	struct fe_prefix p;
	uint32_t n = i / 4;

	switch (i % 4) {
	case 0: /* IPv4 /24s, sequential */
		a[0] = (uint8_t)(1 + (n >> 16));
		a[1] = (uint8_t)(n >> 8);
		a[2] = (uint8_t)n;
		assert_int_equal(fe_prefix_set(&p, AF_INET, a, 24), 0);
		break;
	case 1: /* IPv4 /32s with the same leading bytes as above */
		a[0] = (uint8_t)(1 + (n >> 16));
		a[1] = (uint8_t)(n >> 8);
		a[2] = (uint8_t)n;
		assert_int_equal(fe_prefix_set(&p, AF_INET, a, 32), 0);
		break;
	case 2: /* IPv6 /48s */
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = (uint8_t)(n >> 16);
		a[3] = (uint8_t)(n >> 8);
		a[4] = (uint8_t)n;
		assert_int_equal(fe_prefix_set(&p, AF_INET6, a, 48), 0);
		break;
	default: /* IPv6 with the IPv4 bytes above, as a /24 */
		a[0] = (uint8_t)(1 + (n >> 16));
		a[1] = (uint8_t)(n >> 8);
		a[2] = (uint8_t)n;
		assert_int_equal(fe_prefix_set(&p, AF_INET6, a, 24), 0);
		break;
	}
	return p;
}

static uint64_t hash_zero(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return 0;
}

/* Every key's home is the last slot: every cluster wraps around. */
static uint64_t hash_ones(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return UINT64_MAX;
}

/* Eight homes at most: long, interleaved clusters. */
static uint64_t hash_few(const void *key, size_t len)
{
	const uint8_t *b = key;

	return (uint64_t)((b[0] ^ b[len - 1]) & 7) * 3;
}

/* The same homes counted back from the last slot: clusters that wrap. */
static uint64_t hash_few_wrap(const void *key, size_t len)
{
	return ~hash_few(key, len);
}

/* ---- routes ---- */

static void test_empty(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	struct fe_prefix p = pfx(AF_INET, "192.0.2.0", 24);
	uint32_t old = 99;

	(void)state;
	assert_non_null(sh);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET), 0);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET6), 0);
	assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 0);
	assert_int_equal(fe_shadow_nhg_count(sh), 0);
	assert_false(fe_shadow_route_has(sh, &p));
	assert_int_equal(fe_shadow_route_del(sh, &p, &old), -ENOENT);
	assert_int_equal(old, 99);
	assert_int_equal(fe_shadow_route_get(sh, &p, &old), -ENOENT);
	assert_int_equal(old, 99);
	assert_false(fe_shadow_nhg_has(sh, 1));
	assert_true(fe_shadow_nhg_unused(sh, 1));
	assert_true(fe_shadow_mem_bytes(sh) > 0);
	fe_shadow_free(sh);
	fe_shadow_free(NULL);
}

static void test_route_set_replace_del(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	struct fe_prefix a = pfx(AF_INET, "192.0.2.0", 24);
	struct fe_prefix b = pfx(AF_INET6, "2001:db8::", 32);
	uint32_t old = 99, id = 0;

	(void)state;
	assert_int_equal(fe_shadow_route_set(sh, &a, 10, &old), 1);
	assert_int_equal(old, 0);
	assert_int_equal(fe_shadow_route_set(sh, &b, 0, &old), 1);
	assert_int_equal(old, 0);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET), 1);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET6), 1);
	assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 2);
	assert_int_equal(fe_shadow_route_count(sh, AF_UNIX), 0);
	assert_true(fe_shadow_route_has(sh, &a));
	assert_true(fe_shadow_route_has(sh, &b));

	/* Replace: old id back, count unchanged. */
	assert_int_equal(fe_shadow_route_set(sh, &a, 11, &old), 0);
	assert_int_equal(old, 10);
	assert_int_equal(fe_shadow_route_set(sh, &a, 11, NULL), 0);
	assert_int_equal(fe_shadow_route_get(sh, &a, &id), 0);
	assert_int_equal(id, 11);
	assert_int_equal(fe_shadow_route_set(sh, &b, 7, &old), 0);
	assert_int_equal(old, 0);
	assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 2);

	/* Delete. */
	assert_int_equal(fe_shadow_route_del(sh, &a, &old), 0);
	assert_int_equal(old, 11);
	assert_false(fe_shadow_route_has(sh, &a));
	assert_int_equal(fe_shadow_route_del(sh, &a, &old), -ENOENT);
	assert_int_equal(old, 11);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET), 0);
	assert_int_equal(fe_shadow_route_del(sh, &b, NULL), 0);
	assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 0);

	/* Reinsert after delete: new again. */
	assert_int_equal(fe_shadow_route_set(sh, &a, 12, &old), 1);
	assert_int_equal(old, 0);
	assert_int_equal(fe_shadow_route_get(sh, &a, &id), 0);
	assert_int_equal(id, 12);
	fe_shadow_free(sh);
}

/* Same bytes, other length or family: other routes. */
static void test_route_keys_distinct(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	uint8_t a[16] = { 0 };
	struct fe_prefix p;
	uint32_t id;

	(void)state;
	a[0] = 10;
	for (unsigned int len = 0; len <= 32; len++) {
		assert_int_equal(fe_prefix_set(&p, AF_INET, a, len), 0);
		assert_int_equal(fe_shadow_route_set(sh, &p, len, NULL), 1);
	}
	for (unsigned int len = 0; len <= 128; len++) {
		assert_int_equal(fe_prefix_set(&p, AF_INET6, a, len), 0);
		assert_int_equal(fe_shadow_route_set(sh, &p, 1000 + len, NULL),
				 1);
	}
	assert_int_equal(fe_shadow_route_count(sh, AF_INET), 33);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET6), 129);
	for (unsigned int len = 0; len <= 32; len++) {
		assert_int_equal(fe_prefix_set(&p, AF_INET, a, len), 0);
		assert_int_equal(fe_shadow_route_get(sh, &p, &id), 0);
		assert_int_equal(id, len);
	}
	for (unsigned int len = 0; len <= 128; len++) {
		assert_int_equal(fe_prefix_set(&p, AF_INET6, a, len), 0);
		assert_int_equal(fe_shadow_route_get(sh, &p, &id), 0);
		assert_int_equal(id, 1000 + len);
	}
	fe_shadow_free(sh);
}

static void test_route_invalid(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	struct fe_prefix ok = pfx(AF_INET, "192.0.2.0", 24), p;
	uint32_t old = 99;

	(void)state;
	assert_int_equal(fe_shadow_route_set(NULL, &ok, 1, &old), -EINVAL);
	assert_int_equal(fe_shadow_route_set(sh, NULL, 1, &old), -EINVAL);
	p = ok;
	p.addr[3] = 1; /* host bit */
	assert_int_equal(fe_shadow_route_set(sh, &p, 1, &old), -EINVAL);
	p = ok;
	p.addr[9] = 1; /* past an IPv4 address */
	assert_int_equal(fe_shadow_route_set(sh, &p, 1, &old), -EINVAL);
	p = ok;
	p.len = 33;
	assert_int_equal(fe_shadow_route_set(sh, &p, 1, &old), -EINVAL);
	p = ok;
	p.family = AF_UNIX;
	assert_int_equal(fe_shadow_route_set(sh, &p, 1, &old), -EINVAL);
	assert_int_equal(fe_shadow_route_del(sh, &p, &old), -EINVAL);
	assert_int_equal(fe_shadow_route_get(sh, &p, &old), -EINVAL);
	assert_int_equal(fe_shadow_route_del(NULL, &ok, &old), -EINVAL);
	assert_false(fe_shadow_route_has(sh, &p));
	assert_false(fe_shadow_route_has(NULL, &ok));
	assert_false(fe_shadow_route_has(sh, NULL));
	assert_int_equal(fe_shadow_route_count(NULL, AF_INET), 0);
	assert_int_equal(old, 99);
	assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 0);
	fe_shadow_free(sh);
}

/* ---- NHGs ---- */

static void nhg_expect(struct fe_shadow *sh, uint32_t id, uint32_t refs,
		       bool held)
{
	uint32_t r = 0;
	bool h = !held;

	assert_int_equal(fe_shadow_nhg_get(sh, id, &r, &h), 0);
	assert_int_equal(r, refs);
	assert_int_equal(h, held);
	assert_true(fe_shadow_nhg_has(sh, id));
	assert_false(fe_shadow_nhg_unused(sh, id));
}

static void test_nhg_refcount(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();

	(void)state;
	/* Routes only: dropped with the last reference. */
	assert_int_equal(fe_shadow_nhg_ref(sh, 5), 0);
	assert_int_equal(fe_shadow_nhg_ref(sh, 5), 0);
	nhg_expect(sh, 5, 2, false);
	assert_int_equal(fe_shadow_nhg_unref(sh, 5), 0);
	nhg_expect(sh, 5, 1, false);
	assert_int_equal(fe_shadow_nhg_unref(sh, 5), 1);
	assert_false(fe_shadow_nhg_has(sh, 5));
	assert_true(fe_shadow_nhg_unused(sh, 5));
	assert_int_equal(fe_shadow_nhg_unref(sh, 5), -ENOENT);

	/* Held first, then routes come and go: kept while held. */
	assert_int_equal(fe_shadow_nhg_hold(sh, 6, true), 0);
	nhg_expect(sh, 6, 0, true);
	assert_int_equal(fe_shadow_nhg_hold(sh, 6, true), 0); /* idempotent */
	nhg_expect(sh, 6, 0, true);
	assert_int_equal(fe_shadow_nhg_ref(sh, 6), 0);
	assert_int_equal(fe_shadow_nhg_unref(sh, 6), 0);
	nhg_expect(sh, 6, 0, true);
	assert_int_equal(fe_shadow_nhg_unref(sh, 6), -EINVAL);
	nhg_expect(sh, 6, 0, true);
	/* Released with no route: dropped. */
	assert_int_equal(fe_shadow_nhg_hold(sh, 6, false), 1);
	assert_true(fe_shadow_nhg_unused(sh, 6));
	assert_int_equal(fe_shadow_nhg_hold(sh, 6, false), -ENOENT);

	/* Released while routes still use it: kept until the last unref. */
	assert_int_equal(fe_shadow_nhg_hold(sh, 7, true), 0);
	assert_int_equal(fe_shadow_nhg_ref(sh, 7), 0);
	assert_int_equal(fe_shadow_nhg_ref(sh, 7), 0);
	assert_int_equal(fe_shadow_nhg_hold(sh, 7, false), 0);
	nhg_expect(sh, 7, 2, false);
	assert_int_equal(fe_shadow_nhg_hold(sh, 7, false), 0); /* idempotent */
	assert_int_equal(fe_shadow_nhg_unref(sh, 7), 0);
	/* Held again before the last route goes. */
	assert_int_equal(fe_shadow_nhg_hold(sh, 7, true), 0);
	assert_int_equal(fe_shadow_nhg_unref(sh, 7), 0);
	nhg_expect(sh, 7, 0, true);
	assert_int_equal(fe_shadow_nhg_hold(sh, 7, false), 1);

	assert_int_equal(fe_shadow_nhg_count(sh), 0);

	/* Several at once; ids at the ends of the range. */
	assert_int_equal(fe_shadow_nhg_ref(sh, 1), 0);
	assert_int_equal(fe_shadow_nhg_hold(sh, UINT32_MAX, true), 0);
	assert_int_equal(fe_shadow_nhg_ref(sh, 0x80000000u), 0);
	assert_int_equal(fe_shadow_nhg_count(sh), 3);
	nhg_expect(sh, 1, 1, false);
	nhg_expect(sh, UINT32_MAX, 0, true);
	nhg_expect(sh, 0x80000000u, 1, false);
	fe_shadow_free(sh);
}

static void test_nhg_invalid(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	uint32_t refs = 99;
	bool held = true;

	(void)state;
	assert_int_equal(fe_shadow_nhg_ref(sh, 0), -EINVAL);
	assert_int_equal(fe_shadow_nhg_unref(sh, 0), -EINVAL);
	assert_int_equal(fe_shadow_nhg_hold(sh, 0, true), -EINVAL);
	assert_int_equal(fe_shadow_nhg_hold(sh, 0, false), -EINVAL);
	assert_int_equal(fe_shadow_nhg_get(sh, 0, &refs, &held), -EINVAL);
	assert_int_equal(fe_shadow_nhg_ref(NULL, 1), -EINVAL);
	assert_int_equal(fe_shadow_nhg_unref(NULL, 1), -EINVAL);
	assert_int_equal(fe_shadow_nhg_hold(NULL, 1, true), -EINVAL);
	assert_int_equal(fe_shadow_nhg_get(NULL, 1, &refs, &held), -EINVAL);
	assert_int_equal(fe_shadow_nhg_get(sh, 1, &refs, &held), -ENOENT);
	assert_int_equal(refs, 99);
	assert_true(held);
	assert_false(fe_shadow_nhg_has(sh, 0));
	assert_false(fe_shadow_nhg_has(NULL, 1));
	assert_int_equal(fe_shadow_nhg_count(sh), 0);
	assert_int_equal(fe_shadow_nhg_count(NULL), 0);
	assert_int_equal(fe_shadow_mem_bytes(NULL), 0);
	assert_int_equal(fe_shadow_route_foreach(NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fe_shadow_route_foreach(sh, NULL, NULL), -EINVAL);
	assert_int_equal(fe_shadow_nhg_foreach(sh, NULL, NULL), -EINVAL);
	fe_shadow_free(sh);
}

/* ---- iteration ---- */

struct visit {
	uint32_t n;		/* prefixes that exist: nth_prefix(0..n-1) */
	uint8_t *seen;
	uint32_t calls;
	uint32_t stop_after;	/* 0: never stop */
};

/* Route i carries nhg_id i + 1, so the callback knows what it should see. */
static int route_visit(const struct fe_prefix *p, uint32_t nhg_id, void *arg)
{
	struct visit *v = arg;
	struct fe_prefix want;

	assert_true(nhg_id >= 1 && nhg_id <= v->n);
	want = nth_prefix(nhg_id - 1);
	assert_memory_equal(p, &want, sizeof(want));
	v->seen[nhg_id - 1]++;
	v->calls++;
	if (v->stop_after && v->calls == v->stop_after)
		return 7;
	return 0;
}

static void test_route_foreach(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	const uint32_t n = 20000;
	struct visit v = { .n = n };
	struct fe_prefix p;

	(void)state;
	v.seen = calloc(n, 1);
	assert_non_null(v.seen);

	/* Empty: no call. */
	assert_int_equal(fe_shadow_route_foreach(sh, route_visit, &v), 0);
	assert_int_equal(v.calls, 0);

	for (uint32_t i = 0; i < n; i++) {
		p = nth_prefix(i);
		assert_int_equal(fe_shadow_route_set(sh, &p, i + 1, NULL), 1);
	}
	assert_int_equal(fe_shadow_route_count(sh, AF_INET), n / 2);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET6), n / 2);

	assert_int_equal(fe_shadow_route_foreach(sh, route_visit, &v), 0);
	assert_int_equal(v.calls, n);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(v.seen[i], 1);

	/* Delete every third, visit again: the rest exactly once. */
	for (uint32_t i = 0; i < n; i += 3) {
		p = nth_prefix(i);
		assert_int_equal(fe_shadow_route_del(sh, &p, NULL), 0);
	}
	memset(v.seen, 0, n);
	v.calls = 0;
	assert_int_equal(fe_shadow_route_foreach(sh, route_visit, &v), 0);
	for (uint32_t i = 0; i < n; i++)
		assert_int_equal(v.seen[i], i % 3 ? 1 : 0);

	/* A non-zero return stops the walk and is passed back. */
	v.calls = 0;
	v.stop_after = 5;
	assert_int_equal(fe_shadow_route_foreach(sh, route_visit, &v), 7);
	assert_int_equal(v.calls, 5);

	free(v.seen);
	fe_shadow_free(sh);
}

struct nhg_visit {
	uint32_t calls;
	uint32_t seen[64];
};

static int nhg_visit(uint32_t id, uint32_t refs, bool held, void *arg)
{
	struct nhg_visit *v = arg;

	assert_true(id >= 1 && id < 64);
	/* Set up below: refs = id % 4, held iff id is even. */
	assert_int_equal(refs, id % 4);
	assert_int_equal(held, id % 2 == 0);
	v->seen[id]++;
	v->calls++;
	return 0;
}

static void test_nhg_foreach(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	struct nhg_visit v;
	const uint32_t want = 63;

	(void)state;
	memset(&v, 0, sizeof(v));
	/* Every id is held (even) or referenced (odd, so id % 4 != 0). */
	for (uint32_t id = 1; id < 64; id++) {
		if (id % 2 == 0)
			assert_int_equal(fe_shadow_nhg_hold(sh, id, true), 0);
		for (uint32_t r = 0; r < id % 4; r++)
			assert_int_equal(fe_shadow_nhg_ref(sh, id), 0);
	}
	assert_int_equal(fe_shadow_nhg_count(sh), want);
	assert_int_equal(fe_shadow_nhg_foreach(sh, nhg_visit, &v), 0);
	assert_int_equal(v.calls, want);
	for (uint32_t id = 1; id < 64; id++)
		assert_int_equal(v.seen[id], 1);
	fe_shadow_free(sh);
}

/* ---- hash table stress ---- */

/*
 * Random set/del/get against a plain array model over a small key space,
 * so that the table sees growth, shrinking, long clusters and deletion in
 * their middle. Routes and NHGs alike.
 */
static void model_run(fe_shadow_hash_fn fn, uint32_t keys, uint32_t ops,
		      uint64_t seed)
{
	struct fe_shadow *sh = fe_shadow_new_hash(fn);
	uint32_t *nhg = calloc(keys, sizeof(*nhg));
	bool *present = calloc(keys, sizeof(*present));
	uint32_t *refs = calloc(keys + 1, sizeof(*refs));
	bool *held = calloc(keys + 1, sizeof(*held));
	size_t count[2] = { 0, 0 }, nhgs = 0;
	uint64_t s = seed;

	assert_non_null(sh);
	assert_non_null(nhg);
	assert_non_null(present);
	assert_non_null(refs);
	assert_non_null(held);

	for (uint32_t op = 0; op < ops; op++) {
		uint64_t r = rnd(&s);
		uint32_t k = (uint32_t)((r >> 8) % keys);
		struct fe_prefix p = nth_prefix(k);
		int fi = p.family == AF_INET6;
		uint32_t id = k + 1, old = 12345, got;
		/*
		 * 3/10 NHG ops; of the rest, mostly inserts in the first
		 * half and mostly deletes in the second.
		 */
		unsigned int sel = (unsigned int)(r % 10);
		unsigned int set_lim = op < ops / 2 ? 5 : 2;
		int ret;

		if (sel < set_lim) {
			ret = fe_shadow_route_set(sh, &p, (uint32_t)(r >> 40),
						  &old);
			assert_int_equal(ret, present[k] ? 0 : 1);
			assert_int_equal(old, present[k] ? nhg[k] : 0);
			if (!present[k])
				count[fi]++;
			present[k] = true;
			nhg[k] = (uint32_t)(r >> 40);
		} else if (sel < 7) {
			ret = fe_shadow_route_del(sh, &p, &old);
			assert_int_equal(ret, present[k] ? 0 : -ENOENT);
			if (present[k]) {
				assert_int_equal(old, nhg[k]);
				count[fi]--;
			} else {
				assert_int_equal(old, 12345);
			}
			present[k] = false;
		} else {
			/* NHGs: ref, unref or hold/release on the same id. */
			switch ((r >> 20) % 4) {
			case 0:
				assert_int_equal(fe_shadow_nhg_ref(sh, id), 0);
				if (!refs[id] && !held[id])
					nhgs++;
				refs[id]++;
				break;
			case 1:
				ret = fe_shadow_nhg_unref(sh, id);
				if (!refs[id] && !held[id]) {
					assert_int_equal(ret, -ENOENT);
				} else if (!refs[id]) {
					assert_int_equal(ret, -EINVAL);
				} else {
					bool gone;

					refs[id]--;
					gone = !refs[id] && !held[id];
					assert_int_equal(ret, gone);
					if (ret)
						nhgs--;
				}
				break;
			case 2:
				assert_int_equal(
					fe_shadow_nhg_hold(sh, id, true), 0);
				if (!refs[id] && !held[id])
					nhgs++;
				held[id] = true;
				break;
			default:
				ret = fe_shadow_nhg_hold(sh, id, false);
				if (!refs[id] && !held[id]) {
					assert_int_equal(ret, -ENOENT);
				} else {
					held[id] = false;
					assert_int_equal(ret, !refs[id]);
					if (ret)
						nhgs--;
				}
				break;
			}
		}

		/* Every lookup agrees with the model now and then. */
		if (op % 1024 == 0 || op == ops - 1) {
			for (uint32_t j = 0; j < keys; j++) {
				struct fe_prefix q = nth_prefix(j);
				uint32_t rr;
				bool hh;

				ret = fe_shadow_route_get(sh, &q, &got);
				assert_int_equal(ret, present[j] ? 0 : -ENOENT);
				if (present[j])
					assert_int_equal(got, nhg[j]);
				ret = fe_shadow_nhg_get(sh, j + 1, &rr, &hh);
				if (refs[j + 1] || held[j + 1]) {
					assert_int_equal(ret, 0);
					assert_int_equal(rr, refs[j + 1]);
					assert_int_equal(hh, held[j + 1]);
				} else {
					assert_int_equal(ret, -ENOENT);
				}
			}
			assert_int_equal(fe_shadow_route_count(sh, AF_INET),
					 count[0]);
			assert_int_equal(fe_shadow_route_count(sh, AF_INET6),
					 count[1]);
			assert_int_equal(fe_shadow_nhg_count(sh), nhgs);
		}
	}

	/* Delete what is left, then the table is empty again. */
	for (uint32_t j = 0; j < keys; j++) {
		struct fe_prefix q = nth_prefix(j);

		assert_int_equal(fe_shadow_route_del(sh, &q, NULL),
				 present[j] ? 0 : -ENOENT);
	}
	assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 0);

	free(nhg);
	free(present);
	free(refs);
	free(held);
	fe_shadow_free(sh);
}

static void test_model_default_hash(void **state)
{
	(void)state;
	model_run(NULL, 5000, 200000, 0x9e3779b97f4a7c15ULL);
}

static void test_model_all_collide(void **state)
{
	(void)state;
	model_run(hash_zero, 600, 30000, 1);
}

static void test_model_all_collide_wrap(void **state)
{
	(void)state;
	model_run(hash_ones, 600, 30000, 2);
}

static void test_model_few_homes(void **state)
{
	(void)state;
	model_run(hash_few, 1000, 40000, 3);
}

static void test_model_few_homes_wrap(void **state)
{
	(void)state;
	model_run(hash_few_wrap, 1000, 40000, 4);
}

/*
 * Deterministic collision case: one cluster, delete from its head, middle
 * and tail, then reinsert; with the home at the last slot it wraps.
 */
static void collide_delete_reinsert(fe_shadow_hash_fn fn)
{
	static const uint32_t order[] = { 0, 5, 10, 1, 9 };
	struct fe_shadow *sh = fe_shadow_new_hash(fn);
	const uint32_t n = 11; /* fits in the first table (16 slots) */
	struct fe_prefix p;
	uint32_t id;

	for (uint32_t i = 0; i < n; i++) {
		p = nth_prefix(i * 4); /* IPv4 only: one table */
		assert_int_equal(fe_shadow_route_set(sh, &p, i + 1, NULL), 1);
	}
	for (size_t d = 0; d < 5; d++) {
		p = nth_prefix(order[d] * 4);
		assert_int_equal(fe_shadow_route_del(sh, &p, &id), 0);
		assert_int_equal(id, order[d] + 1);
		for (uint32_t i = 0; i < n; i++) {
			bool gone = false;

			for (size_t e = 0; e <= d; e++)
				gone |= order[e] == i;
			p = nth_prefix(i * 4);
			assert_int_equal(fe_shadow_route_has(sh, &p), !gone);
		}
	}
	for (size_t d = 0; d < 5; d++) {
		p = nth_prefix(order[d] * 4);
		assert_int_equal(fe_shadow_route_set(sh, &p, 100 + order[d],
						     &id), 1);
	}
	for (uint32_t i = 0; i < n; i++) {
		p = nth_prefix(i * 4);
		assert_int_equal(fe_shadow_route_get(sh, &p, &id), 0);
		if (i == 0 || i == 1 || i == 5 || i == 9 || i == 10)
			assert_int_equal(id, 100 + i);
		else
			assert_int_equal(id, i + 1);
	}
	assert_int_equal(fe_shadow_route_count(sh, AF_INET), n);
	fe_shadow_free(sh);
}

static void test_collide_delete_reinsert(void **state)
{
	(void)state;
	collide_delete_reinsert(hash_zero);
	collide_delete_reinsert(hash_ones);
	collide_delete_reinsert(hash_few);
	collide_delete_reinsert(hash_few_wrap);
	collide_delete_reinsert(NULL);
}

/* Fill, empty, refill: growth, shrink and reuse keep every key findable. */
static void test_delete_reinsert_cycles(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	const uint32_t n = 50000;
	size_t base = fe_shadow_mem_bytes(sh);
	struct fe_prefix p;
	uint32_t id;

	(void)state;
	for (int cycle = 0; cycle < 3; cycle++) {
		for (uint32_t i = 0; i < n; i++) {
			p = nth_prefix(i);
			assert_int_equal(
				fe_shadow_route_set(sh, &p, i + cycle, &id), 1);
			assert_int_equal(id, 0);
		}
		assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), n);
		/* Delete the first half only: the second half must stay. */
		for (uint32_t i = 0; i < n / 2; i++) {
			p = nth_prefix(i);
			assert_int_equal(fe_shadow_route_del(sh, &p, &id), 0);
			assert_int_equal(id, i + cycle);
		}
		for (uint32_t i = 0; i < n; i++) {
			p = nth_prefix(i);
			assert_int_equal(fe_shadow_route_has(sh, &p),
					 i >= n / 2);
		}
		for (uint32_t i = n / 2; i < n; i++) {
			p = nth_prefix(i);
			assert_int_equal(fe_shadow_route_del(sh, &p, NULL), 0);
		}
		assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 0);
		/* Emptied tables give their memory back. */
		assert_int_equal(fe_shadow_mem_bytes(sh), base);
	}
	fe_shadow_free(sh);
}

/* A full Internet table: 1.2M IPv4 and 300k IPv6 routes, in and out. */
static void test_scale_full_table(void **state)
{
	struct fe_shadow *sh = fe_shadow_new();
	const uint32_t n4 = 1200000, n6 = 300000;
	size_t base = fe_shadow_mem_bytes(sh), mem;
	uint8_t a[16];
	struct fe_prefix p;
	uint32_t id;

	(void)state;
	for (uint32_t i = 0; i < n4; i++) {
		/* Sequential /24s from 1.0.0.0: bad for a weak hash. */
		memset(a, 0, sizeof(a));
		a[0] = (uint8_t)(1 + (i >> 16));
		a[1] = (uint8_t)(i >> 8);
		a[2] = (uint8_t)i;
		assert_int_equal(fe_prefix_set(&p, AF_INET, a, 24), 0);
		assert_int_equal(fe_shadow_route_set(sh, &p, 1 + i % 1000,
						     NULL), 1);
	}
	for (uint32_t i = 0; i < n6; i++) {
		memset(a, 0, sizeof(a));
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = (uint8_t)(i >> 16);
		a[3] = (uint8_t)(i >> 8);
		a[4] = (uint8_t)i;
		assert_int_equal(fe_prefix_set(&p, AF_INET6, a, 48), 0);
		assert_int_equal(fe_shadow_route_set(sh, &p, 1 + i % 1000,
						     NULL), 1);
	}
	assert_int_equal(fe_shadow_route_count(sh, AF_INET), n4);
	assert_int_equal(fe_shadow_route_count(sh, AF_INET6), n6);

	mem = fe_shadow_mem_bytes(sh) - base;
	print_message("shadow: %u IPv4 + %u IPv6 routes in %zu bytes "
		      "(%.1f bytes/route)\n",
		      n4, n6, mem, (double)mem / (n4 + n6));
	/* 12/24-byte slots at 3/8..3/4 load: at most 64 bytes a route. */
	assert_true(mem <= (size_t)(n4 + n6) * 64);

	for (uint32_t i = 0; i < n4; i++) {
		memset(a, 0, sizeof(a));
		a[0] = (uint8_t)(1 + (i >> 16));
		a[1] = (uint8_t)(i >> 8);
		a[2] = (uint8_t)i;
		assert_int_equal(fe_prefix_set(&p, AF_INET, a, 24), 0);
		assert_int_equal(fe_shadow_route_del(sh, &p, &id), 0);
		assert_int_equal(id, 1 + i % 1000);
	}
	for (uint32_t i = 0; i < n6; i++) {
		memset(a, 0, sizeof(a));
		a[0] = 0x20;
		a[1] = 0x01;
		a[2] = (uint8_t)(i >> 16);
		a[3] = (uint8_t)(i >> 8);
		a[4] = (uint8_t)i;
		assert_int_equal(fe_prefix_set(&p, AF_INET6, a, 48), 0);
		assert_int_equal(fe_shadow_route_del(sh, &p, &id), 0);
	}
	assert_int_equal(fe_shadow_route_count(sh, AF_UNSPEC), 0);
	assert_int_equal(fe_shadow_mem_bytes(sh), base);
	fe_shadow_free(sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_route_set_replace_del),
		cmocka_unit_test(test_route_keys_distinct),
		cmocka_unit_test(test_route_invalid),
		cmocka_unit_test(test_nhg_refcount),
		cmocka_unit_test(test_nhg_invalid),
		cmocka_unit_test(test_route_foreach),
		cmocka_unit_test(test_nhg_foreach),
		cmocka_unit_test(test_model_default_hash),
		cmocka_unit_test(test_model_all_collide),
		cmocka_unit_test(test_model_all_collide_wrap),
		cmocka_unit_test(test_model_few_homes),
		cmocka_unit_test(test_model_few_homes_wrap),
		cmocka_unit_test(test_collide_delete_reinsert),
		cmocka_unit_test(test_delete_reinsert_cycles),
		cmocka_unit_test(test_scale_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
