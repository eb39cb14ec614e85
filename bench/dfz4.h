/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A DFZ-like IPv4 prefix set, deterministic from a seed: the IPv4
 * sibling of bench/dfz6.h, shared by bench/pkt_cost.c, bench/map_memory.c
 * and tests/datapath/test_fe_lpm6.c. Header only, plain C.
 *
 * Lengths follow today's IPv4 DFZ (60 % /24, then /22, /23, /21 ...
 * /16; the same mix as bench/bgp_convergence.py and bench/rig_pps.py).
 * With DFZ4_LONGER a few percent are /25../32 (what an IGP or a
 * customer's more-specifics add), so that a table's third level is used
 * too. Prefixes avoid 0/8, 10/8, 127/8, 192/8, 198/8 and 224/3: nothing
 * overlaps the link subnets the benchmarks' namespaces use.
 */
#ifndef FE_BENCH_DFZ4_H
#define FE_BENCH_DFZ4_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "bench/dfz6.h" /* dfz6_rnd */

struct dfz4_prefix {
	uint32_t addr; /* host order, masked */
	uint8_t len;
};

#define DFZ4_LONGER 1 /* flag of dfz4_gen: some /25../32 too */

/* Per 100000 routes. */
static const struct {
	uint8_t len;
	uint32_t weight;
} dfz4_mix[] = {
	{ 24, 60000 }, { 22, 13000 }, { 23, 10000 }, { 21, 5500 },
	{ 20, 5000 },  { 19, 3000 },  { 18, 1500 },  { 16, 1200 },
	{ 17, 800 },
}, dfz4_mix_longer[] = {
	{ 24, 56000 }, { 22, 13000 }, { 23, 10000 }, { 21, 5500 },
	{ 20, 5000 },  { 19, 3000 },  { 18, 1500 },  { 16, 1200 },
	{ 17, 800 },   { 32, 2000 },  { 28, 800 },   { 30, 500 },
	{ 25, 300 },   { 26, 200 },   { 27, 100 },   { 29, 80 },
	{ 31, 20 },
};

static inline bool dfz4_first_octet_ok(uint32_t a)
{
	uint32_t o = a >> 24;

	return o != 0 && o != 10 && o != 127 && o != 192 && o != 198 &&
	       o < 224;
}

static inline uint8_t dfz4_pick_len(uint64_t *s, unsigned int flags)
{
	bool lg = flags & DFZ4_LONGER;
	size_t n = lg ? sizeof(dfz4_mix_longer) / sizeof(dfz4_mix_longer[0])
		      : sizeof(dfz4_mix) / sizeof(dfz4_mix[0]);
	uint32_t r = dfz6_rnd(s) % 100000;

	for (size_t i = 0; i < n; i++) {
		uint32_t w = lg ? dfz4_mix_longer[i].weight : dfz4_mix[i].weight;

		if (r < w)
			return lg ? dfz4_mix_longer[i].len : dfz4_mix[i].len;
		r -= w;
	}
	return 24;
}

/*
 * n distinct prefixes into out (caller's array of n), drawing from *s
 * (which goes on from there: a caller may keep using it). 0, or -1 when
 * out of memory.
 */
static inline int dfz4_gen(struct dfz4_prefix *out, long n, uint64_t *s,
			   unsigned int flags)
{
	uint64_t *seen, mask;
	int bits = 1;
	long k = 0;

	while ((1ULL << bits) < (uint64_t)n * 2)
		bits++;
	mask = (1ULL << bits) - 1;
	seen = calloc(mask + 1, sizeof(*seen));
	if (!seen)
		return -1;
	while (k < n) {
		uint8_t len = dfz4_pick_len(s, flags);
		uint32_t addr = (uint32_t)dfz6_rnd(s) &
				(len ? ~0u << (32 - len) : 0);
		uint64_t key = ((uint64_t)addr << 8 | len) + 1; /* 0: free */
		/* the high bits of the product: the low ones of a /24 are 0 */
		uint64_t h = ((key - 1) * 0x9e3779b97f4a7c15ULL) >> (64 - bits);

		if (!dfz4_first_octet_ok(addr))
			continue;
		while (seen[h] && seen[h] != key)
			h = (h + 1) & mask;
		if (seen[h])
			continue; /* a short length that ran out just retries */
		seen[h] = key;
		out[k].addr = addr;
		out[k].len = len;
		k++;
	}
	free(seen);
	return 0;
}

/* A random address inside p, host order. */
static inline uint32_t dfz4_addr_in(const struct dfz4_prefix *p, uint64_t *s)
{
	return p->addr | (p->len == 32 ? 0 : (uint32_t)dfz6_rnd(s) >> p->len);
}

/* p's address as the route table builder takes it (lib/fe_lpm6.h). */
static inline void dfz4_to16(uint32_t addr, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = addr >> 24;
	a[1] = addr >> 16;
	a[2] = addr >> 8;
	a[3] = addr;
}

#endif /* FE_BENCH_DFZ4_H */
