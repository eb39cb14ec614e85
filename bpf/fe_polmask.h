/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy prefilter: one bit per value of a destination's first 16 bits,
 * set where some policy's destination prefix covers addresses that start
 * so (one mask per family). A packet whose bit is clear matches no policy
 * and skips the policy trie lookup, which otherwise every packet pays
 * once any policy exists. A superset: a set bit only says "look".
 *
 * Built by lib/fe_policy (fe_polmask_add), tested by the fast path and
 * by the unit tests with fe_polmask_test.
 */
#ifndef FE_POLMASK_H
#define FE_POLMASK_H

#include <linux/types.h>

/* Map name (at most 15 characters), versioned as in frr_ebpf_abi.h:
 * an array of four masks, one per policy generation and family, key
 * FE_POLMASK_KEY(gen, v6). (v1 had two, without generations.)
 */
#define FE_MAP_POLMASK "fe_polmask_v2"
#define FE_POLMASK_KEY(gen, v6) ((__u32)(gen) * 2 + ((v6) ? 1 : 0))
#define FE_POLMASK_WORDS (65536 / 64)

struct fe_polmask {
	__u64 bits[FE_POLMASK_WORDS];
};

/* Might a policy cover addr (network order, IPv4 or IPv6)? */
static inline int fe_polmask_test(const struct fe_polmask *m,
				  const __u8 *addr)
{
	__u32 top = (__u32)addr[0] << 8 | addr[1];

	return (m->bits[top >> 6] >> (top & 63)) & 1;
}

/*
 * The same kind of mask over the router's own IPv4 addresses
 * (fe_local4_v1's keys), twice: by the first 16 bits (m) and by the last
 * 16 (lo). An address clear in either is not local: no hash lookup. Two
 * halves, because a host on a connected subnet shares the router's first
 * 16 bits (every packet from it would look) but rarely its last 16.
 * Until the module has written one (ready 0) every packet looks. (v1
 * had m only.)
 */
struct fe_localmask {
	__u32 ready;
	__u32 pad;
	struct fe_polmask m;
	struct fe_polmask lo;
};

static inline void fe_polmask_bit(struct fe_polmask *m, __u32 v16)
{
	m->bits[v16 >> 6] |= 1ULL << (v16 & 63);
}

/* Mark the IPv4 address addr (network order) in both halves. */
static inline void fe_localmask_add(struct fe_localmask *lm, const __u8 *addr)
{
	fe_polmask_bit(&lm->m, (__u32)addr[0] << 8 | addr[1]);
	fe_polmask_bit(&lm->lo, (__u32)addr[2] << 8 | addr[3]);
}

/* Might addr (network order) be local? */
static inline int fe_localmask_test(const struct fe_localmask *lm,
				    const __u8 *addr)
{
	__u32 lo = (__u32)addr[2] << 8 | addr[3];

	return fe_polmask_test(&lm->m, addr) &&
	       ((lm->lo.bits[lo >> 6] >> (lo & 63)) & 1);
}

#endif /* FE_POLMASK_H */
