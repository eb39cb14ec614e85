/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A DFZ-like IPv6 prefix set, deterministic from a seed: the benchmark
 * (bench/lpm6_cost.c) and the datapath test (tests/datapath/
 * test_fe_lpm6.c) load the same kind of table. Header only, plain C.
 *
 * Lengths follow the IPv6 DFZ of the 2020s (mostly /48, then /32, /44,
 * /40, /29, /36; a few /56, /64, /128). Prefixes up to /32 fall anywhere
 * in the RIR blocks (2001::/16, 2400::/12 ... 2c00::/12); longer ones sit
 * inside a pool of /32 allocations, as more-specifics of real holders do,
 * so that groups are shared the way a real table shares them.
 */
#ifndef FE_BENCH_DFZ6_H
#define FE_BENCH_DFZ6_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct dfz6_prefix {
	uint8_t a[16];
	uint8_t len;
};

static const struct {
	uint8_t len;
	uint16_t weight; /* per mille */
} dfz6_mix[] = {
	{ 20, 3 },   { 24, 5 },  { 28, 10 }, { 29, 40 }, { 30, 10 },
	{ 31, 5 },   { 32, 120 }, { 33, 10 }, { 34, 10 }, { 35, 5 },
	{ 36, 40 },  { 38, 10 }, { 40, 80 }, { 42, 15 }, { 44, 80 },
	{ 45, 10 },  { 46, 25 }, { 47, 15 }, { 48, 470 }, { 52, 2 },
	{ 56, 20 },  { 64, 10 }, { 128, 5 },
};

static const struct {
	uint16_t first; /* top 16 bits */
	uint8_t len;    /* block length */
	uint8_t weight;
} dfz6_blocks[] = {
	{ 0x2001, 16, 20 }, { 0x2400, 12, 20 }, { 0x2600, 12, 25 },
	{ 0x2800, 12, 5 },  { 0x2a00, 12, 28 }, { 0x2c00, 12, 2 },
};

static inline uint64_t dfz6_rnd(uint64_t *s) /* splitmix64 */
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline void dfz6_mask(uint8_t a[16], uint8_t len)
{
	for (int i = 0; i < 16; i++) {
		int bits = len - 8 * i;

		a[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : 0xff << (8 - bits);
	}
}

/* Random bytes from bit `from` on, the first `from` bits kept. */
static inline void dfz6_fill(uint8_t a[16], int from, uint64_t *s)
{
	uint64_t r[2] = { dfz6_rnd(s), dfz6_rnd(s) };
	uint8_t rb[16];

	memcpy(rb, r, 16);
	for (int i = 0; i < 16; i++) {
		int bits = from - 8 * i;
		uint8_t keep = bits >= 8 ? 0xff : bits <= 0 ? 0 : 0xff << (8 - bits);

		a[i] = (a[i] & keep) | (rb[i] & ~keep);
	}
}

static inline uint8_t dfz6_pick_len(uint64_t *s)
{
	uint32_t total = 0, x;
	size_t n = sizeof(dfz6_mix) / sizeof(dfz6_mix[0]);

	for (size_t i = 0; i < n; i++)
		total += dfz6_mix[i].weight;
	x = dfz6_rnd(s) % total;
	for (size_t i = 0; i < n; i++) {
		if (x < dfz6_mix[i].weight)
			return dfz6_mix[i].len;
		x -= dfz6_mix[i].weight;
	}
	return 48;
}

static inline void dfz6_in_block(uint8_t a[16], uint64_t *s)
{
	size_t n = sizeof(dfz6_blocks) / sizeof(dfz6_blocks[0]);
	uint32_t x = dfz6_rnd(s) % 100;
	size_t b = 0;

	while (b + 1 < n && x >= dfz6_blocks[b].weight)
		x -= dfz6_blocks[b++].weight;
	a[0] = dfz6_blocks[b].first >> 8;
	a[1] = dfz6_blocks[b].first & 0xff;
	dfz6_fill(a, dfz6_blocks[b].len, s);
}

static inline uint64_t dfz6_key(const struct dfz6_prefix *p)
{
	uint64_t hi, lo;

	memcpy(&hi, p->a, 8);
	memcpy(&lo, p->a + 8, 8);
	hi = (hi ^ p->len) * 0x9e3779b97f4a7c15ULL;
	lo = (lo ^ (hi >> 31)) * 0xbf58476d1ce4e5b9ULL;
	return (lo ^ (lo >> 29)) | 1; /* 0 marks a free set slot */
}

/*
 * n distinct prefixes into out (caller's array of n). 0, or -1 when out
 * of memory.
 */
static inline int dfz6_gen(struct dfz6_prefix *out, long n, uint64_t seed)
{
	long nalloc = n / 4 + 1, k = 0;
	size_t cap = 1;
	uint8_t(*alloc)[16] = malloc(nalloc * 16);
	uint64_t *seen, s = seed;

	while (cap < (size_t)n * 2)
		cap <<= 1;
	seen = calloc(cap, sizeof(*seen));
	if (!alloc || !seen) {
		free(alloc);
		free(seen);
		return -1;
	}
	for (long i = 0; i < nalloc; i++) {
		dfz6_in_block(alloc[i], &s);
		dfz6_mask(alloc[i], 32);
	}
	while (k < n) {
		struct dfz6_prefix p = { .len = dfz6_pick_len(&s) };
		uint64_t key;
		size_t i;

		if (p.len <= 32) {
			dfz6_in_block(p.a, &s);
		} else {
			memcpy(p.a, alloc[dfz6_rnd(&s) % nalloc], 16);
			dfz6_fill(p.a, 32, &s);
		}
		dfz6_mask(p.a, p.len);
		key = dfz6_key(&p);
		for (i = key & (cap - 1); seen[i] && seen[i] != key;
		     i = (i + 1) & (cap - 1))
			;
		if (seen[i])
			continue;
		seen[i] = key;
		out[k++] = p;
	}
	free(alloc);
	free(seen);
	return 0;
}

/* A random address inside p. */
static inline void dfz6_addr_in(const struct dfz6_prefix *p, uint8_t a[16],
				uint64_t *s)
{
	memcpy(a, p->a, 16);
	dfz6_fill(a, p->len, s);
}

#endif /* FE_BENCH_DFZ6_H */
