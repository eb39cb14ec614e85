// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of ECMP: the flow hash (bpf/fe_hash.h) and the path
 * selectors (bpf/fe_ecmp.h), built here as userspace C from the very
 * headers the BPF programs include, and the resilient table builder
 * (lib/fe_resilient.c).
 *
 * Random inputs come from a seeded generator: every run sees the same
 * numbers, so a statistical bound that holds once holds always.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "lib/fe_resilient.h"

#define SLOTS FE_RES_SLOTS
#define TWO32 4294967296ULL
#define POISON 0xa5

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

/* splitmix64: small, seeded, good enough to feed a hash test. */
static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s;
}

static uint64_t rng64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng32(void)
{
	return (uint32_t)(rng64() >> 32);
}

/* Uniform enough on 0..n-1 for the small n used here. */
static uint32_t rng_below(uint32_t n)
{
	return (uint32_t)(rng64() % n);
}

static void rand_flow(struct fe_flow *f)
{
	unsigned int i, alen;

	memset(f, 0, sizeof(*f));
	if (rng32() & 1) {
		f->family = AF_INET;
		alen = 4;
	} else {
		f->family = AF_INET6;
		alen = 16;
	}
	for (i = 0; i < alen; i++) {
		f->src[i] = (uint8_t)rng32();
		f->dst[i] = (uint8_t)rng32();
	}
	f->proto = (rng32() & 1) ? 6 : 17;
	f->sport = (uint16_t)rng32();
	f->dport = (uint16_t)rng32();
}

/* A random IPv6 flow: every hashed byte random, for avalanche tests. */
static void rand_flow6(struct fe_flow *f)
{
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->family = (uint8_t)rng32();
	f->proto = (uint8_t)rng32();
	f->sport = (uint16_t)rng32();
	f->dport = (uint16_t)rng32();
	for (i = 0; i < 16; i++) {
		f->src[i] = (uint8_t)rng32();
		f->dst[i] = (uint8_t)rng32();
	}
}

static uint32_t flow_hash(uint32_t seed)
{
	struct fe_flow f;

	rand_flow(&f);
	return fe_flow_hash(&f, seed, FE_HASH_L3L4);
}

/* Path number k: a distinct identity (type, ifindex, gateway). */
static struct fe_nexthop path(unsigned int k, uint16_t weight)
{
	struct fe_nexthop nh;

	memset(&nh, 0, sizeof(nh));
	nh.type = FE_NH_IPV4;
	nh.ifindex = 10 + k % 7;
	nh.addr[0] = 192;
	nh.addr[1] = 0;
	nh.addr[2] = (uint8_t)(k >> 8);
	nh.addr[3] = (uint8_t)k;
	nh.weight = weight;
	return nh;
}

static void group_sum(struct fe_nhg_val *g)
{
	unsigned int i;

	g->total_weight = 0;
	for (i = 0; i < g->count; i++)
		g->total_weight += g->nh[i].weight;
}

/* Paths 0..n-1 with the given weights (NULL: all 1). */
static void group(struct fe_nhg_val *g, unsigned int n, const uint16_t *w)
{
	unsigned int i;

	memset(g, 0, sizeof(*g));
	g->count = (uint16_t)n;
	for (i = 0; i < n; i++)
		g->nh[i] = path(i, w ? w[i] : 1);
	group_sum(g);
}

static void group_remove(struct fe_nhg_val *g, unsigned int i)
{
	memmove(&g->nh[i], &g->nh[i + 1],
		(g->count - i - 1) * sizeof(g->nh[0]));
	g->count--;
	memset(&g->nh[g->count], 0, sizeof(g->nh[0]));
	group_sum(g);
}

static void group_shuffle(struct fe_nhg_val *g)
{
	unsigned int i, j;
	struct fe_nexthop tmp;

	for (i = g->count - 1; i > 0; i--) {
		j = rng_below(i + 1);
		tmp = g->nh[i];
		g->nh[i] = g->nh[j];
		g->nh[j] = tmp;
	}
}

static uint64_t up_weight(const struct fe_nhg_val *g)
{
	uint64_t w = 0;
	unsigned int i;

	for (i = 0; i < g->count; i++)
		w += g->nh[i].weight;
	return w;
}

static unsigned int up_count(const struct fe_nhg_val *g)
{
	unsigned int i, n = 0;

	for (i = 0; i < g->count; i++)
		n += g->nh[i].weight != 0;
	return n;
}

/*
 * |count - expected| within rel of expected, or within 5 sigma of
 * binomial noise (~sqrt(expected)) when that is wider: small shares are
 * too noisy for a relative bound.
 */
static void assert_share(uint64_t count, double expected, double rel)
{
	double tol = expected * rel, diff = (double)count - expected;

	if (diff >= -tol && diff <= tol)
		return;
	if (diff * diff <= 25.0 * expected)
		return;
	fail_msg("count %llu, expected %.1f +- %.1f%%",
		 (unsigned long long)count, expected, rel * 100);
}

/* ------------------------------------------------------------------ */
/* Naive references                                                    */
/* ------------------------------------------------------------------ */

static uint32_t rotl(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* MurmurHash3_x86_32 over bytes, tail included, as published. */
static uint32_t ref_murmur3(const uint8_t *data, size_t len, uint32_t seed)
{
	const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
	size_t i, nblocks = len / 4;
	const uint8_t *tail = data + nblocks * 4;
	uint32_t h = seed, k;

	for (i = 0; i < nblocks; i++) {
		const uint8_t *p = data + i * 4;

		k = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		k *= c1;
		k = rotl(k, 15);
		k *= c2;
		h ^= k;
		h = rotl(h, 13);
		h = h * 5 + 0xe6546b64;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (uint32_t)tail[2] << 16;
		/* fall through */
	case 2:
		k ^= (uint32_t)tail[1] << 8;
		/* fall through */
	case 1:
		k ^= tail[0];
		k *= c1;
		k = rotl(k, 15);
		k *= c2;
		h ^= k;
	}
	h ^= (uint32_t)len;
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/* The canonical byte string fe_hash.h documents. */
static size_t flow_bytes(const struct fe_flow *f, int fields, uint8_t *out)
{
	size_t n = 0, alen = f->family == AF_INET ? 4 : 16;

	out[n++] = f->family;
	out[n++] = fields == FE_HASH_L3L4 ? f->proto : 0;
	out[n++] = 0;
	out[n++] = 0;
	memcpy(out + n, f->src, alen);
	n += alen;
	memcpy(out + n, f->dst, alen);
	n += alen;
	if (fields == FE_HASH_L3L4) {
		memcpy(out + n, &f->sport, 2);
		n += 2;
		memcpy(out + n, &f->dport, 2);
		n += 2;
	}
	return n;
}

/* Hash-threshold by its definition: region k is [k, k+1) * 2^32 / n. */
static int ref_threshold(uint32_t h, uint32_t n)
{
	uint32_t k;

	if (n == 0 || n > FE_MAX_PATHS)
		return -1;
	for (k = 0; k < n; k++)
		if ((uint64_t)h * n < (uint64_t)(k + 1) * TWO32)
			return (int)k;
	return -2; /* unreachable */
}

/*
 * Path i takes the hashes h with cum_before(i) <= h * W / 2^32 <
 * cum_before(i) + w_i; down paths are skipped. unit: all weights 1.
 */
static int ref_pick(uint32_t h, const struct fe_nhg_val *g, bool unit)
{
	uint64_t total = 0, cum = 0;
	unsigned int i;

	for (i = 0; i < g->count; i++)
		total += unit ? g->nh[i].weight != 0 : g->nh[i].weight;
	if (total == 0)
		return -1;
	for (i = 0; i < g->count; i++) {
		uint64_t w = unit ? g->nh[i].weight != 0 : g->nh[i].weight;

		if (w == 0)
			continue;
		cum += w;
		if ((uint64_t)h * total < cum * TWO32)
			return (int)i;
	}
	return -2; /* unreachable */
}

static int ref_resilient(uint32_t h, const struct fe_res_table *t)
{
	unsigned int s = t->slot[h % SLOTS];

	return s < t->count ? (int)s : -1;
}

static int ref_resilient_nhg(uint32_t h, const struct fe_res_table *t,
			     const struct fe_nhg_val *g)
{
	int i = ref_resilient(h, t);

	if (i >= 0 && t->count == g->count && g->nh[i].weight != 0)
		return i;
	return ref_pick(h, g, false);
}

/* Slots per path of a table. */
static void slot_counts(const struct fe_res_table *t, unsigned int *c)
{
	unsigned int s;

	memset(c, 0, FE_MAX_PATHS * sizeof(*c));
	for (s = 0; s < SLOTS; s++) {
		assert_true(t->slot[s] < t->count);
		c[t->slot[s]]++;
	}
}

/* Every up path within one slot of its exact share; down paths none. */
static void assert_proportional(const struct fe_res_table *t,
				const struct fe_nhg_val *g)
{
	unsigned int c[FE_MAX_PATHS], i;
	uint64_t w = up_weight(g);

	assert_int_equal(t->count, g->count);
	slot_counts(t, c);
	for (i = 0; i < g->count; i++) {
		/* |c - SLOTS * w_i / W| < 1, in integers */
		int64_t d = (int64_t)c[i] * (int64_t)w -
			    (int64_t)SLOTS * g->nh[i].weight;

		if (d <= -(int64_t)w || d >= (int64_t)w)
			fail_msg("path %u weight %u: %u slots of %u, sum %llu",
				 i, g->nh[i].weight, c[i], SLOTS,
				 (unsigned long long)w);
	}
}

/* Slots whose path changed, counted independently of fe_res_moved. */
static unsigned int ref_moved(const struct fe_res_table *a,
			      const struct fe_nhg_val *ga,
			      const struct fe_res_table *b,
			      const struct fe_nhg_val *gb)
{
	const struct fe_nexthop *x, *y;
	unsigned int s, n = 0;

	for (s = 0; s < SLOTS; s++) {
		x = &ga->nh[a->slot[s]];
		y = &gb->nh[b->slot[s]];
		if (x->type != y->type || x->ifindex != y->ifindex ||
		    memcmp(x->addr, y->addr, 16) != 0)
			n++;
	}
	return n;
}

/* Index of the path of identity nh in g, or -1. */
static int find_path(const struct fe_nhg_val *g, const struct fe_nexthop *nh)
{
	unsigned int i;

	for (i = 0; i < g->count; i++)
		if (fe_res_same_path(&g->nh[i], nh))
			return (int)i;
	return -1;
}

/*
 * The builder's promise, checked slot by slot: a path keeps
 * min(slots before, slots now) of its old slots, i.e. it gives slots away
 * only when over its new share, and a path that gained kept all of its
 * old ones. Returns the number of moved slots. Identities must be unique.
 */
static unsigned int assert_minimal(const struct fe_res_table *a,
				   const struct fe_nhg_val *ga,
				   const struct fe_res_table *b,
				   const struct fe_nhg_val *gb)
{
	unsigned int had[FE_MAX_PATHS] = { 0 }, kept[FE_MAX_PATHS] = { 0 };
	unsigned int now[FE_MAX_PATHS], s, j, moved = 0;
	int o;

	slot_counts(b, now);
	for (s = 0; s < SLOTS; s++) {
		o = find_path(gb, &ga->nh[a->slot[s]]);
		if (o < 0) {
			moved++;
			continue;
		}
		had[o]++;
		if (b->slot[s] == (unsigned int)o)
			kept[o]++;
		else
			moved++;
	}
	for (j = 0; j < gb->count; j++) {
		unsigned int want = had[j] < now[j] ? had[j] : now[j];

		if (kept[j] != want)
			fail_msg("path %u: had %u, has %u, kept %u (want %u)",
				 j, had[j], now[j], kept[j], want);
	}
	assert_int_equal(moved, ref_moved(a, ga, b, gb));
	assert_int_equal(fe_res_moved(a, ga, b, gb), (int)moved);
	return moved;
}

/* ------------------------------------------------------------------ */
/* Flow hash                                                           */
/* ------------------------------------------------------------------ */

/* The reference itself, against MurmurHash3_x86_32's published vectors. */
static void test_hash_reference_vectors(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		uint32_t seed, hash;
	} v[] = {
		{ "", 0, 0, 0 },
		{ "", 0, 1, 0x514e28b7 },
		{ "", 0, 0xffffffff, 0x81f16f39 },
		{ "\0\0\0\0", 4, 0, 0x2362f9de },
		{ "aaaa", 4, 0x9747b28c, 0x5a97808a },
		{ "abcd", 4, 0x9747b28c, 0xf0478627 },
		{ "Hello, world!", 13, 0x9747b28c, 0x24884cba },
		{ "The quick brown fox jumps over the lazy dog", 43,
		  0x9747b28c, 0x2fa826cd },
	};
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		assert_int_equal(ref_murmur3((const uint8_t *)v[i].s, v[i].len,
					     v[i].seed),
				 v[i].hash);
}

/* fe_flow_hash is MurmurHash3 of the documented byte string. */
static void test_hash_is_murmur3(void **state)
{
	struct fe_flow f;
	uint8_t buf[64];
	unsigned int i;
	uint32_t seed;
	size_t n;

	rng_seed(1);
	for (i = 0; i < 20000; i++) {
		rand_flow(&f);
		seed = rng32();
		n = flow_bytes(&f, FE_HASH_L3, buf);
		assert_int_equal(n, f.family == AF_INET ? 12 : 36);
		assert_int_equal(fe_flow_hash(&f, seed, FE_HASH_L3),
				 ref_murmur3(buf, n, seed));
		n = flow_bytes(&f, FE_HASH_L3L4, buf);
		assert_int_equal(n, f.family == AF_INET ? 16 : 40);
		assert_int_equal(fe_flow_hash(&f, seed, FE_HASH_L3L4),
				 ref_murmur3(buf, n, seed));
	}
}

/*
 * Same input, same hash; and pinned values (computed apart, by a Python
 * MurmurHash3 of the byte string), so that a change of the function,
 * which would move every flow on upgrade, cannot go unnoticed.
 */
static void test_hash_deterministic(void **state)
{
	struct fe_flow f, g;
	unsigned int i;

	memset(&f, 0, sizeof(f));
	f.family = AF_INET;
	f.proto = 6;
	f.src[0] = 192, f.src[1] = 0, f.src[2] = 2, f.src[3] = 1;
	f.dst[0] = 198, f.dst[1] = 51, f.dst[2] = 100, f.dst[3] = 7;
	memcpy(&f.sport, "\xc0\x00", 2); /* 49152, wire order on any host */
	memcpy(&f.dport, "\x01\xbb", 2); /* 443 */
	/* 4-byte IPv4 addresses since 2026-11 (before: 0x09921d1d,
	 * 0x733928ff, 0xc2383b28 with 16-byte ones)
	 */
	assert_int_equal(fe_flow_hash(&f, 0, FE_HASH_L3L4), 0xf866ec80);
	assert_int_equal(fe_flow_hash(&f, 0, FE_HASH_L3), 0x1dcd33cc);
	assert_int_equal(fe_flow_hash(&f, 0x5eed, FE_HASH_L3L4), 0x0e3d31cb);

	rng_seed(2);
	for (i = 0; i < 10000; i++) {
		rand_flow(&f);
		memcpy(&g, &f, sizeof(f));
		assert_int_equal(fe_flow_hash(&f, i, FE_HASH_L3L4),
				 fe_flow_hash(&g, i, FE_HASH_L3L4));
		assert_int_equal(fe_flow_hash(&f, i, FE_HASH_L3),
				 fe_flow_hash(&g, i, FE_HASH_L3));
	}
}

/*
 * Avalanche: flipping any one hashed input bit flips each output bit
 * with probability ~1/2 (so ~16 of 32 bits), over many random flows.
 */
static void test_hash_avalanche(void **state)
{
	enum { N = 2000, IN_BITS = 38 * 8, OUT = 32 };
	static uint32_t flips[IN_BITS][OUT];
	struct fe_flow f, g;
	uint64_t all = 0, per_bit;
	unsigned int n, b, o, used = 0;
	uint32_t h0, d;

	memset(flips, 0, sizeof(flips));
	rng_seed(3);
	for (n = 0; n < N; n++) {
		rand_flow6(&f);
		h0 = fe_flow_hash(&f, 0x1234, FE_HASH_L3L4);
		for (b = 0; b < IN_BITS; b++) {
			memcpy(&g, &f, sizeof(f));
			((uint8_t *)&g)[b / 8] ^= (uint8_t)(1u << (b % 8));
			d = h0 ^ fe_flow_hash(&g, 0x1234, FE_HASH_L3L4);
			for (o = 0; o < OUT; o++)
				flips[b][o] += (d >> o) & 1;
		}
	}
	assert_int_equal(sizeof(struct fe_flow), 38);
	for (b = 0; b < IN_BITS; b++) {
		per_bit = 0;
		for (o = 0; o < OUT; o++) {
			per_bit += flips[b][o];
			/* p = 1/2, sigma ~0.011 at N = 2000: +-0.1 is ~9 sigma */
			if (flips[b][o] < N * 4 / 10 || flips[b][o] > N * 6 / 10)
				fail_msg("input bit %u -> output bit %u: %u/%u",
					 b, o, flips[b][o], N);
		}
		/* mean flipped bits per flip: 16 +- 0.5 (~5.6 sigma) */
		if (per_bit < (uint64_t)N * 31 / 2 ||
		    per_bit > (uint64_t)N * 33 / 2)
			fail_msg("input bit %u: %.2f output bits flipped", b,
				 (double)per_bit / N);
		all += per_bit;
		used++;
	}
	assert_int_equal(used, IN_BITS);
	/* over all flips: 16 +- 0.1 */
	assert_true(all * 10 >= (uint64_t)N * IN_BITS * 159);
	assert_true(all * 10 <= (uint64_t)N * IN_BITS * 161);
}

/* FE_HASH_L3 ignores protocol and ports; FE_HASH_L3L4 does not. */
static void test_hash_fields(void **state)
{
	struct fe_flow f, g;
	unsigned int i, diff_l3l4 = 0;

	rng_seed(4);
	for (i = 0; i < 10000; i++) {
		rand_flow(&f);
		memcpy(&g, &f, sizeof(f));
		switch (i % 3) {
		case 0:
			g.sport ^= (uint16_t)(1 + rng_below(0xffff));
			break;
		case 1:
			g.dport ^= (uint16_t)(1 + rng_below(0xffff));
			break;
		default:
			g.proto ^= (uint8_t)(1 + rng_below(0xff));
			break;
		}
		assert_int_equal(fe_flow_hash(&f, 7, FE_HASH_L3),
				 fe_flow_hash(&g, 7, FE_HASH_L3));
		/* any other fields value reads as L3 */
		assert_int_equal(fe_flow_hash(&f, 7, 42),
				 fe_flow_hash(&g, 7, FE_HASH_L3));
		diff_l3l4 += fe_flow_hash(&f, 7, FE_HASH_L3L4) !=
			     fe_flow_hash(&g, 7, FE_HASH_L3L4);
		/* the L3 hash is not the L3L4 one with ports zero */
		assert_int_not_equal(fe_flow_hash(&f, 7, FE_HASH_L3),
				     fe_flow_hash(&f, 7, FE_HASH_L3L4));
		/* addresses, family and seed all count */
		memcpy(&g, &f, sizeof(f));
		g.dst[rng_below(f.family == AF_INET ? 4 : 16)] ^= 0x10;
		assert_int_not_equal(fe_flow_hash(&f, 7, FE_HASH_L3),
				     fe_flow_hash(&g, 7, FE_HASH_L3));
		memcpy(&g, &f, sizeof(f));
		g.family = g.family == AF_INET ? AF_INET6 : AF_INET;
		assert_int_not_equal(fe_flow_hash(&f, 7, FE_HASH_L3),
				     fe_flow_hash(&g, 7, FE_HASH_L3));
		assert_int_not_equal(fe_flow_hash(&f, 7, FE_HASH_L3L4),
				     fe_flow_hash(&f, 8, FE_HASH_L3L4));
	}
	assert_int_equal(diff_l3l4, 10000);
}

/* ------------------------------------------------------------------ */
/* Hash-threshold and weighted selection                               */
/* ------------------------------------------------------------------ */

/* Region boundaries, exactly: ceil(k * 2^32 / n) starts region k. */
static void test_threshold_exact(void **state)
{
	uint32_t n, k, b;

	assert_int_equal(fe_ecmp_hash_threshold(123, 0), -1);
	assert_int_equal(fe_ecmp_hash_threshold(123, FE_MAX_PATHS + 1), -1);
	for (n = 1; n <= FE_MAX_PATHS; n++) {
		assert_int_equal(fe_ecmp_hash_threshold(0, n), 0);
		assert_int_equal(fe_ecmp_hash_threshold(UINT32_MAX, n),
				 (int)n - 1);
		for (k = 1; k < n; k++) {
			b = (uint32_t)(((uint64_t)k * TWO32 + n - 1) / n);
			assert_int_equal(fe_ecmp_hash_threshold(b, n), (int)k);
			assert_int_equal(fe_ecmp_hash_threshold(b - 1, n),
					 (int)k - 1);
		}
	}
}

/* 1..16 equal paths: each within 3% of its share, over hashed flows. */
static void test_threshold_uniform(void **state)
{
	enum { PER_PATH = 100000 };
	uint64_t c[16];
	uint32_t n, i, flows;
	int k;

	rng_seed(5);
	for (n = 1; n <= 16; n++) {
		memset(c, 0, sizeof(c));
		flows = PER_PATH * n;
		for (i = 0; i < flows; i++) {
			k = fe_ecmp_hash_threshold(flow_hash(0xabcd), n);
			assert_true(k >= 0 && (uint32_t)k < n);
			c[k]++;
		}
		for (k = 0; k < (int)n; k++)
			assert_share(c[k], PER_PATH, 0.03);
	}
}

/* Weights 3:1 give 75% / 25%, within 2%. */
static void test_weighted_3_1(void **state)
{
	enum { FLOWS = 100000 };
	static const uint16_t w[] = { 3, 1 };
	struct fe_nhg_val g;
	uint64_t c[2] = { 0, 0 };
	unsigned int i;
	int k;

	group(&g, 2, w);
	rng_seed(6);
	for (i = 0; i < FLOWS; i++) {
		k = fe_ecmp_weighted(flow_hash(1), &g);
		assert_true(k == 0 || k == 1);
		c[k]++;
	}
	assert_share(c[0], FLOWS * 0.75, 0.02);
	assert_share(c[1], FLOWS * 0.25, 0.02);
	/* and the exact region: [0, 3 * 2^32 / 4) */
	assert_int_equal(fe_ecmp_weighted(0xbfffffff, &g), 0);
	assert_int_equal(fe_ecmp_weighted(0xc0000000, &g), 1);
}

/*
 * Random mixes of weights, 1..255 (zebra up to FRR 10.4) and 1..65535
 * (10.5+): exact regions and measured shares.
 */
static void test_weighted_mixes(void **state)
{
	enum { GROUPS = 60, FLOWS = 100000 };
	struct fe_nhg_val g;
	uint16_t w[16];
	uint64_t c[16], W, cum;
	unsigned int r, n, i, f;
	uint32_t lo, hi;
	int k;

	rng_seed(7);
	for (r = 0; r < GROUPS; r++) {
		n = 1 + rng_below(16);
		for (i = 0; i < n; i++)
			w[i] = (uint16_t)(1 + rng_below(r % 2 ? 255 : 65535));
		if (r < 2) { /* the extremes of both ranges */
			n = 2;
			w[0] = 1;
			w[1] = r ? 255 : 65535;
		}
		group(&g, n, w);
		W = up_weight(&g);
		cum = 0;
		for (i = 0; i < n; i++) {
			/* hashes with cum <= h * W / 2^32 < cum + w_i */
			lo = (uint32_t)((cum * TWO32 + W - 1) / W);
			cum += w[i];
			hi = (uint32_t)((cum * TWO32 + W - 1) / W - 1);
			assert_int_equal(fe_ecmp_weighted(lo, &g), (int)i);
			assert_int_equal(fe_ecmp_weighted(hi, &g), (int)i);
			if (i > 0)
				assert_int_equal(fe_ecmp_weighted(lo - 1, &g),
						 (int)i - 1);
		}
		if (r % 6)
			continue; /* measured shares on a tenth of them */
		memset(c, 0, sizeof(c));
		for (f = 0; f < FLOWS; f++) {
			k = fe_ecmp_weighted(flow_hash(2), &g);
			assert_true(k >= 0 && (unsigned int)k < n);
			c[k]++;
		}
		for (i = 0; i < n; i++)
			assert_share(c[i], (double)FLOWS * w[i] / W, 0.02);
	}
}

/* Weight 0 (interface down) is never chosen; all down gives -1. */
static void test_down_paths(void **state)
{
	enum { GROUPS = 200, FLOWS = 5000 };
	struct fe_nhg_val g;
	uint64_t c[FE_MAX_PATHS];
	unsigned int r, n, i, f, up;
	uint32_t h;
	int k;

	rng_seed(8);
	for (r = 0; r < GROUPS; r++) {
		n = 1 + rng_below(r < 100 ? 16 : FE_MAX_PATHS);
		group(&g, n, NULL);
		for (i = 0; i < n; i++)
			g.nh[i].weight = (uint16_t)(1 + rng_below(255));
		/* down a random subset, keeping one up */
		for (i = 0; i < n; i++)
			if (rng32() & 1)
				g.nh[i].weight = 0;
		g.nh[rng_below(n)].weight = (uint16_t)(1 + rng_below(255));
		/* total_weight is stale on purpose: the selectors ignore it */
		up = up_count(&g);
		memset(c, 0, sizeof(c));
		for (f = 0; f < FLOWS; f++) {
			h = flow_hash(3);
			k = fe_ecmp_weighted(h, &g);
			assert_true(k >= 0 && (unsigned int)k < n);
			assert_int_not_equal(g.nh[k].weight, 0);
			k = fe_ecmp_hash_threshold_nhg(h, &g);
			assert_true(k >= 0 && (unsigned int)k < n);
			assert_int_not_equal(g.nh[k].weight, 0);
			c[k]++;
		}
		/* hash-threshold over the up ones: equal shares among them */
		if (up <= 4)
			for (i = 0; i < n; i++)
				if (g.nh[i].weight)
					assert_share(c[i], (double)FLOWS / up,
						     0.10);
		/* every path down */
		for (i = 0; i < n; i++)
			g.nh[i].weight = 0;
		for (f = 0; f < 100; f++) {
			h = rng32();
			assert_int_equal(fe_ecmp_weighted(h, &g), -1);
			assert_int_equal(fe_ecmp_hash_threshold_nhg(h, &g), -1);
		}
		assert_int_equal(fe_ecmp_weighted(0, &g), -1);
		assert_int_equal(fe_ecmp_weighted(UINT32_MAX, &g), -1);
	}
	/* an empty group */
	memset(&g, 0, sizeof(g));
	assert_int_equal(fe_ecmp_weighted(5, &g), -1);
	assert_int_equal(fe_ecmp_hash_threshold_nhg(5, &g), -1);
}

/* All up, hash-threshold over the group is plain hash-threshold. */
static void test_threshold_nhg_all_up(void **state)
{
	struct fe_nhg_val g;
	unsigned int r, n, i;
	uint32_t h;

	rng_seed(9);
	for (r = 0; r < 300; r++) {
		n = 1 + rng_below(FE_MAX_PATHS);
		group(&g, n, NULL);
		for (i = 0; i < n; i++)
			g.nh[i].weight = (uint16_t)(1 + rng_below(255));
		for (i = 0; i < 200; i++) {
			h = i == 0 ? 0 : i == 1 ? UINT32_MAX : rng32();
			assert_int_equal(fe_ecmp_hash_threshold_nhg(h, &g),
					 fe_ecmp_hash_threshold(h, n));
		}
	}
}

/* The userspace build of every selector against the naive references. */
static void test_selectors_match_reference(void **state)
{
	static struct fe_nhg_val g;
	static struct fe_res_table t;
	unsigned int r, n, i, s;
	uint32_t h, x;

	rng_seed(10);
	for (r = 0; r < 400; r++) {
		n = 1 + rng_below(r % 2 ? 16 : FE_MAX_PATHS);
		group(&g, n, NULL);
		for (i = 0; i < n; i++) {
			x = rng_below(8);
			/* some down, some small, some large, one odd */
			g.nh[i].weight = x == 0 ? 0 :
					 x < 4 ? (uint16_t)(1 + rng_below(4)) :
					 (uint16_t)(1 + rng_below(255));
		}
		if (r % 50 == 7)
			g.nh[0].weight = 65535; /* beyond zebra's range */
		if (r % 40 == 3)
			for (i = 0; i < n; i++)
				g.nh[i].weight = 0;
		t.count = (uint16_t)(r % 17 ? n : n + 1); /* some stale */
		for (s = 0; s < SLOTS; s++)
			t.slot[s] = (uint8_t)rng_below(n + (r % 5 == 0));
		for (i = 0; i < 1000; i++) {
			h = i == 0 ? 0 : i == 1 ? UINT32_MAX : rng32();
			assert_int_equal(fe_ecmp_hash_threshold(h, n),
					 ref_threshold(h, n));
			x = rng_below(FE_MAX_PATHS + 40); /* 0 and too many too */
			assert_int_equal(fe_ecmp_hash_threshold(h, x),
					 ref_threshold(h, x));
			assert_int_equal(fe_ecmp_weighted(h, &g),
					 ref_pick(h, &g, false));
			assert_int_equal(fe_ecmp_hash_threshold_nhg(h, &g),
					 ref_pick(h, &g, true));
			assert_int_equal(fe_ecmp_resilient(h, &t),
					 ref_resilient(h, &t));
			assert_int_equal(fe_ecmp_resilient_nhg(h, &t, &g),
					 ref_resilient_nhg(h, &t, &g));
		}
	}
}

/* fe_ecmp_nh: the bounds check callers rely on. */
static void test_ecmp_nh(void **state)
{
	struct fe_nhg_val g;

	group(&g, 3, NULL);
	assert_ptr_equal(fe_ecmp_nh(&g, 0), &g.nh[0]);
	assert_ptr_equal(fe_ecmp_nh(&g, 2), &g.nh[2]);
	assert_null(fe_ecmp_nh(&g, 3));
	assert_null(fe_ecmp_nh(&g, -1));
	assert_null(fe_ecmp_nh(&g, FE_MAX_PATHS));
	g.count = FE_MAX_PATHS + 5;
	assert_null(fe_ecmp_nh(&g, FE_MAX_PATHS));
	assert_ptr_equal(fe_ecmp_nh(&g, FE_MAX_PATHS - 1),
			 &g.nh[FE_MAX_PATHS - 1]);
}

/* ------------------------------------------------------------------ */
/* Resilient tables                                                    */
/* ------------------------------------------------------------------ */

static void test_res_bad_input(void **state)
{
	static struct fe_nhg_val g, g2;
	static struct fe_res_table t, p, before;

	group(&g, 4, NULL);
	assert_int_equal(fe_res_build(&p, &g, NULL, NULL), 0);
	memset(&t, POISON, sizeof(t));
	memcpy(&before, &t, sizeof(t));

	assert_int_equal(fe_res_build(NULL, &g, NULL, NULL), -EINVAL);
	assert_int_equal(fe_res_build(&t, NULL, NULL, NULL), -EINVAL);
	assert_int_equal(fe_res_build(&t, &g, &p, NULL), -EINVAL);
	assert_int_equal(fe_res_build(&t, &g, NULL, &g), -EINVAL);
	g2 = g;
	g2.count = 0;
	assert_int_equal(fe_res_build(&t, &g2, NULL, NULL), -EINVAL);
	assert_int_equal(fe_res_build(&t, &g, &p, &g2), -EINVAL);
	g2.count = FE_MAX_PATHS + 1;
	assert_int_equal(fe_res_build(&t, &g2, NULL, NULL), -EINVAL);
	g2 = g;
	g2.nh[0].weight = g2.nh[1].weight = g2.nh[2].weight = 0;
	g2.nh[3].weight = 0;
	assert_int_equal(fe_res_build(&t, &g2, NULL, NULL), -EINVAL);
	assert_int_equal(fe_res_build(&t, &g2, &p, &g), -EINVAL);
	/* a previous table that is not its group's */
	g2 = g;
	g2.count = 3;
	assert_int_equal(fe_res_build(&t, &g, &p, &g2), -EINVAL);
	assert_memory_equal(&t, &before, sizeof(t));

	assert_int_equal(fe_res_moved(NULL, &g, &p, &g), -EINVAL);
	assert_int_equal(fe_res_moved(&p, &g, &p, &g2), -EINVAL);
	assert_int_equal(fe_res_moved(&p, &g, &p, &g), 0);
}

/* Shares proportional to weights, whatever the weights. */
static void test_res_shares(void **state)
{
	static struct fe_nhg_val g;
	static struct fe_res_table t, t2;
	unsigned int n, r, i, c[FE_MAX_PATHS];

	for (n = 1; n <= FE_MAX_PATHS; n++) {
		group(&g, n, NULL);
		assert_int_equal(fe_res_build(&t, &g, NULL, NULL), 0);
		assert_proportional(&t, &g);
		/* equal weights: SLOTS / n, the first SLOTS % n one more */
		slot_counts(&t, c);
		for (i = 0; i < n; i++)
			assert_true(c[i] == SLOTS / n ||
				    c[i] == SLOTS / n + 1);
	}
	rng_seed(11);
	for (r = 0; r < 500; r++) {
		n = 1 + rng_below(r % 2 ? 16 : FE_MAX_PATHS);
		group(&g, n, NULL);
		for (i = 0; i < n; i++)
			g.nh[i].weight = (uint16_t)(rng_below(4) ?
					 1 + rng_below(r % 3 ? 255 : 65535) : 0);
		g.nh[rng_below(n)].weight = (uint16_t)(1 + rng_below(255));
		assert_int_equal(fe_res_build(&t, &g, NULL, NULL), 0);
		assert_proportional(&t, &g);
		/* deterministic */
		assert_int_equal(fe_res_build(&t2, &g, NULL, NULL), 0);
		assert_memory_equal(&t, &t2, sizeof(t));
		/* lookups follow the table */
		for (i = 0; i < 100; i++) {
			uint32_t h = rng32();

			assert_int_equal(fe_ecmp_resilient(h, &t),
					 t.slot[h & (SLOTS - 1)]);
		}
	}
}

/* Removing one path moves exactly its slots, with equal weights. */
static void test_res_remove_one(void **state)
{
	static struct fe_nhg_val g0, g1;
	static struct fe_res_table t0, t1;
	unsigned int n, k, r, c[FE_MAX_PATHS], moved;

	rng_seed(12);
	for (n = 2; n <= FE_MAX_PATHS; n += (n < 40 ? 1 : 23)) {
		for (k = 0; k < 3; k++) {
			r = k == 0 ? 0 : k == 1 ? n - 1 : rng_below(n);
			group(&g0, n, NULL);
			assert_int_equal(fe_res_build(&t0, &g0, NULL, NULL), 0);
			slot_counts(&t0, c);
			g1 = g0;
			group_remove(&g1, r);
			if (k == 2)
				group_shuffle(&g1);
			assert_int_equal(fe_res_build(&t1, &g1, &t0, &g0), 0);
			assert_proportional(&t1, &g1);
			moved = assert_minimal(&t0, &g0, &t1, &g1);
			assert_int_equal(moved, c[r]);

			/* down instead of gone: the same slots move */
			g1 = g0;
			g1.nh[r].weight = 0;
			assert_int_equal(fe_res_build(&t1, &g1, &t0, &g0), 0);
			assert_proportional(&t1, &g1);
			assert_int_equal(assert_minimal(&t0, &g0, &t1, &g1),
					 c[r]);
		}
	}
}

/* Adding a path to n moves at most ceil(SLOTS / (n + 1)) + n slots. */
static void test_res_add_one(void **state)
{
	static struct fe_nhg_val g0, g1;
	static struct fe_res_table t0, t1, t2;
	unsigned int n, c[FE_MAX_PATHS], moved, bound;

	for (n = 1; n < FE_MAX_PATHS; n += (n < 40 ? 1 : 17)) {
		group(&g0, n, NULL);
		assert_int_equal(fe_res_build(&t0, &g0, NULL, NULL), 0);
		group(&g1, n + 1, NULL);
		assert_int_equal(fe_res_build(&t1, &g1, &t0, &g0), 0);
		assert_proportional(&t1, &g1);
		moved = assert_minimal(&t0, &g0, &t1, &g1);
		bound = (SLOTS + n) / (n + 1) + n;
		if (moved > bound)
			fail_msg("n %u: %u moved, bound %u", n, moved, bound);
		/* at least the new path's share */
		slot_counts(&t1, c);
		assert_true(moved >= c[n]);

		/* and away again: exactly its slots move back */
		assert_int_equal(fe_res_build(&t2, &g0, &t1, &g1), 0);
		assert_proportional(&t2, &g0);
		assert_int_equal(assert_minimal(&t1, &g1, &t2, &g0), c[n]);
	}
}

/* Down, then up again (the same identity): both steps bounded. */
static void test_res_down_up(void **state)
{
	static struct fe_nhg_val g0, g1;
	static struct fe_res_table t0, t1, t2;
	unsigned int n, r, c[FE_MAX_PATHS], moved;

	rng_seed(13);
	for (n = 2; n <= 64; n++) {
		r = rng_below(n);
		group(&g0, n, NULL);
		assert_int_equal(fe_res_build(&t0, &g0, NULL, NULL), 0);
		slot_counts(&t0, c);
		g1 = g0;
		g1.nh[r].weight = 0;
		assert_int_equal(fe_res_build(&t1, &g1, &t0, &g0), 0);
		assert_int_equal(assert_minimal(&t0, &g0, &t1, &g1), c[r]);
		assert_int_equal(fe_res_build(&t2, &g0, &t1, &g1), 0);
		assert_proportional(&t2, &g0);
		moved = assert_minimal(&t1, &g1, &t2, &g0);
		assert_true(moved <= (SLOTS + n - 1) / n + (n - 1));
	}
}

/* The same paths listed in another order: nothing moves. */
static void test_res_reorder(void **state)
{
	static struct fe_nhg_val g0, g1;
	static struct fe_res_table t0, t1, t2;
	unsigned int r, n, i, s;

	rng_seed(14);
	for (r = 0; r < 300; r++) {
		n = 1 + rng_below(r % 2 ? 16 : FE_MAX_PATHS);
		group(&g0, n, NULL);
		for (i = 0; i < n; i++)
			g0.nh[i].weight = (uint16_t)(1 + rng_below(255));
		assert_int_equal(fe_res_build(&t0, &g0, NULL, NULL), 0);
		g1 = g0;
		group_shuffle(&g1);
		assert_int_equal(fe_res_build(&t1, &g1, &t0, &g0), 0);
		assert_int_equal(fe_res_moved(&t0, &g0, &t1, &g1), 0);
		assert_int_equal(ref_moved(&t0, &g0, &t1, &g1), 0);
		for (s = 0; s < SLOTS; s++)
			assert_true(fe_res_same_path(&g0.nh[t0.slot[s]],
						     &g1.nh[t1.slot[s]]));
		/* the same group again, in place: nothing moves either */
		t2 = t1;
		assert_int_equal(fe_res_build(&t2, &g1, &t2, &g1), 0);
		assert_memory_equal(&t1, &t2, sizeof(t1));
	}
}

/* The table and fast local repair, through the BPF lookups. */
static void test_res_lookup_repair(void **state)
{
	enum { FLOWS = 200000 };
	static const uint16_t w[] = { 1, 2, 3, 2 };
	static struct fe_nhg_val g, gd;
	static struct fe_res_table t;
	uint64_t c[4] = { 0 };
	unsigned int i;
	uint32_t h;
	int k, kd;

	group(&g, 4, w);
	assert_int_equal(fe_res_build(&t, &g, NULL, NULL), 0);
	gd = g;
	gd.nh[2].weight = 0; /* interface down, table not rebuilt yet */
	rng_seed(15);
	for (i = 0; i < FLOWS; i++) {
		h = flow_hash(4);
		k = fe_ecmp_resilient(h, &t);
		assert_true(k >= 0 && k < 4);
		assert_int_equal(fe_ecmp_resilient_nhg(h, &t, &g), k);
		c[k]++;
		kd = fe_ecmp_resilient_nhg(h, &t, &gd);
		if (k != 2)
			assert_int_equal(kd, k); /* only its flows move */
		else
			assert_int_equal(kd, fe_ecmp_weighted(h, &gd));
		assert_int_not_equal(kd, 2);
	}
	for (i = 0; i < 4; i++)
		assert_share(c[i], (double)FLOWS * w[i] / 8, 0.02);

	/* a table of another group (count differs) is not used */
	t.count = 3;
	assert_int_equal(fe_ecmp_resilient_nhg(12345, &t, &g),
			 fe_ecmp_weighted(12345, &g));
	t.count = 0;
	assert_int_equal(fe_ecmp_resilient(12345, &t), -1);
	/* every path down */
	t.count = 4;
	memset(&gd, 0, sizeof(gd));
	gd.count = 4;
	assert_int_equal(fe_ecmp_resilient_nhg(12345, &t, &gd), -1);
}

/*
 * Random histories of adds, removals, downs, ups, weight changes and
 * reorders: after each rebuild the shares are proportional, the moves
 * minimal, and the documented bounds hold.
 */
static void test_res_random_history(void **state)
{
	enum { RUNS = 150, STEPS = 40 };
	static struct fe_nhg_val g0, g1;
	static struct fe_res_table t0, t1;
	unsigned int run, step, n, next_id, r, i, had_r, moved, up0;
	unsigned int c0[FE_MAX_PATHS];
	uint16_t w;
	bool equal;

	rng_seed(16);
	for (run = 0; run < RUNS; run++) {
		equal = run % 3 == 0;
		n = 1 + rng_below(run % 2 ? 8 : 48);
		group(&g0, n, NULL);
		if (!equal)
			for (i = 0; i < n; i++)
				g0.nh[i].weight = (uint16_t)(1 + rng_below(255));
		next_id = n;
		assert_int_equal(fe_res_build(&t0, &g0, NULL, NULL), 0);
		for (step = 0; step < STEPS; step++) {
			unsigned int op = rng_below(6);

			g1 = g0;
			n = g1.count;
			up0 = up_count(&g0);
			slot_counts(&t0, c0);
			r = rng_below(n);
			w = equal ? 1 : (uint16_t)(1 + rng_below(255));
			if (op == 0 && n < FE_MAX_PATHS) { /* add */
				g1.nh[n] = path(next_id++, w);
				g1.count++;
			} else if (op == 1 && up0 > 1 &&
				   g1.nh[r].weight) { /* remove */
				group_remove(&g1, r);
			} else if (op == 2 && up0 > 1) { /* down */
				g1.nh[r].weight = 0;
			} else if (op == 3) { /* up, or reweight */
				g1.nh[r].weight = w;
			} else if (op == 4) { /* reorder */
				group_shuffle(&g1);
			} else {
				op = 5; /* rebuild as is */
			}
			group_sum(&g1);
			if (up_count(&g1) == 0)
				continue;
			had_r = c0[r];
			assert_int_equal(fe_res_build(&t1, &g1, &t0, &g0), 0);
			assert_proportional(&t1, &g1);
			moved = assert_minimal(&t0, &g0, &t1, &g1);

			if (op == 4 || op == 5)
				assert_int_equal(moved, 0);
			if ((op == 1 || op == 2) && g0.nh[r].weight) {
				/* its slots, and at most one per other path */
				assert_true(moved >= had_r);
				assert_true(moved <= had_r + up0 - 1);
				if (equal)
					assert_int_equal(moved, had_r);
			}
			if (op == 0 && n < FE_MAX_PATHS) {
				uint64_t W = up_weight(&g1);

				assert_true(moved <=
					    (SLOTS * (uint64_t)w + W - 1) / W +
						    up0);
			}
			if (op == 3 && g0.nh[r].weight == 0) {
				/* a path back up: an add of weight w */
				uint64_t W = up_weight(&g1);

				assert_true(moved <=
					    (SLOTS * (uint64_t)w + W - 1) / W +
						    up0);
			}
			g0 = g1;
			t0 = t1;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_reference_vectors),
		cmocka_unit_test(test_hash_is_murmur3),
		cmocka_unit_test(test_hash_deterministic),
		cmocka_unit_test(test_hash_avalanche),
		cmocka_unit_test(test_hash_fields),
		cmocka_unit_test(test_threshold_exact),
		cmocka_unit_test(test_threshold_uniform),
		cmocka_unit_test(test_weighted_3_1),
		cmocka_unit_test(test_weighted_mixes),
		cmocka_unit_test(test_down_paths),
		cmocka_unit_test(test_threshold_nhg_all_up),
		cmocka_unit_test(test_selectors_match_reference),
		cmocka_unit_test(test_ecmp_nh),
		cmocka_unit_test(test_res_bad_input),
		cmocka_unit_test(test_res_shares),
		cmocka_unit_test(test_res_remove_one),
		cmocka_unit_test(test_res_add_one),
		cmocka_unit_test(test_res_down_up),
		cmocka_unit_test(test_res_reorder),
		cmocka_unit_test(test_res_lookup_repair),
		cmocka_unit_test(test_res_random_history),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
