/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flow hash of the fast path. The same code runs in BPF and in userspace
 * (tools and unit tests include it), so that a flow's path can be
 * predicted offline.
 *
 * The hash is MurmurHash3 (x86_32) over a canonical byte string of the
 * flow, read as little-endian 32-bit words, where A is the address
 * length: 4 bytes for AF_INET, 16 for any other family:
 *
 *   FE_HASH_L3:   family, 0, 0, 0 | src[A] | dst[A]        12 or 36 bytes
 *   FE_HASH_L3L4: family, proto, 0, 0 | src[A] | dst[A] |
 *                 sport (2 bytes, wire order) | dport (2 bytes)
 *                                                          16 or 40 bytes
 *
 * (IPv4 flows hashed 16-byte addresses until 2026-11: 24 zero bytes, six
 * rounds, ~25 ns a packet in BPF for nothing.)
 *
 * Words are built from bytes, never loaded as integers, so the result is
 * the same on every architecture for the same flow. The hash is not
 * symmetric: (a -> b) and (b -> a) may take different paths.
 *
 * IPv6 flows hash all 16 bytes of src and dst, IPv4 flows the first 4.
 */
#ifndef FE_HASH_H
#define FE_HASH_H

#include <linux/types.h>
#ifndef __bpf__
#include <stdint.h> /* glibc's __always_inline, before our fallback */
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

/* Unrolled by clang (BPF); gcc builds of the tests unroll as they like. */
#ifdef __clang__
#define FE_UNROLL _Pragma("unroll")
#else
#define FE_UNROLL
#endif

#define FE_HASH_AF_INET 2 /* AF_INET, without the libc header in BPF */

enum fe_hash_fields {
	FE_HASH_L3 = 0,   /* family and addresses */
	FE_HASH_L3L4 = 1, /* and protocol and ports */
};

struct fe_flow {
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 proto;  /* IPPROTO_*; ignored by FE_HASH_L3 */
	__be16 sport, dport; /* 0 unless TCP/UDP; ignored by FE_HASH_L3 */
	__u8 src[16], dst[16]; /* IPv4 in the first 4 bytes, rest zero */
};

static __always_inline __u32 fe_rol32(__u32 x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* Little-endian word from bytes: the same on big-endian hosts. */
static __always_inline __u32 fe_le32(const __u8 *p)
{
	return (__u32)p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 |
	       (__u32)p[3] << 24;
}

/* One MurmurHash3 body round. */
static __always_inline __u32 fe_hash_round(__u32 h, __u32 k)
{
	k *= 0xcc9e2d51;
	k = fe_rol32(k, 15);
	k *= 0x1b873593;
	h ^= k;
	h = fe_rol32(h, 13);
	return h * 5 + 0xe6546b64;
}

/* MurmurHash3 finalizer: every input bit affects every output bit. */
static __always_inline __u32 fe_hash_fmix(__u32 h)
{
	h ^= h >> 16;
	h *= 0x85ebca6b;
	h ^= h >> 13;
	h *= 0xc2b2ae35;
	h ^= h >> 16;
	return h;
}

/*
 * Hash of a flow. fields is FE_HASH_L3 or FE_HASH_L3L4 (any other value
 * reads as FE_HASH_L3). seed is per router, so that neighbours hashing
 * the same flows do not all pick the same member (polarization).
 */
static __always_inline __u32 fe_flow_hash(const struct fe_flow *f, __u32 seed,
					  int fields)
{
	const __u8 *sp = (const __u8 *)&f->sport;
	const __u8 *dp = (const __u8 *)&f->dport;
	int l4 = fields == FE_HASH_L3L4;
	int alen = f->family == FE_HASH_AF_INET ? 4 : 16;
	__u32 h = seed;
	int i;

	h = fe_hash_round(h, (__u32)f->family | (l4 ? (__u32)f->proto << 8 : 0));
	if (alen == 4) {
		h = fe_hash_round(h, fe_le32(f->src));
		h = fe_hash_round(h, fe_le32(f->dst));
	} else {
FE_UNROLL
		for (i = 0; i < 16; i += 4)
			h = fe_hash_round(h, fe_le32(&f->src[i]));
FE_UNROLL
		for (i = 0; i < 16; i += 4)
			h = fe_hash_round(h, fe_le32(&f->dst[i]));
	}
	if (l4)
		h = fe_hash_round(h, (__u32)sp[0] | (__u32)sp[1] << 8 |
					     (__u32)dp[0] << 16 |
					     (__u32)dp[1] << 24);
	return fe_hash_fmix(h ^ (4 + 2 * alen + (l4 ? 4 : 0)));
}

#endif /* FE_HASH_H */
