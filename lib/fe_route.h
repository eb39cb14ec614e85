/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route and nexthop-group model, and its encoding into the map keys and
 * values of bpf/frr_ebpf_abi.h. Pure C: no FRR, no libbpf.
 *
 * Every function returns 0 or a negative errno and leaves its output
 * untouched on error.
 */
#ifndef FE_ROUTE_H
#define FE_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../bpf/frr_ebpf_abi.h"

/* A prefix with its host bits cleared. family is AF_INET or AF_INET6. */
struct fe_prefix {
	uint8_t family;
	uint8_t len;
	uint8_t addr[16];
};

/* One path as zebra describes it (after recursive resolution). */
struct fe_nh {
	enum fe_nh_type type;
	uint32_t ifindex;
	uint16_t weight; /* 0 is read as 1, as the kernel does */
	uint8_t flags;   /* FE_NH_F_* */
	uint8_t addr[16];
};

/* A nexthop group: zebra's NHG id and its flat list of paths. */
struct fe_nhg {
	uint32_t id;
	uint16_t count;
	struct fe_nh nh[FE_MAX_PATHS];
};

/* A route of the mirrored table. */
struct fe_route {
	struct fe_prefix dst;
	enum fe_route_kind kind;
	uint8_t protocol; /* zebra route type */
	uint8_t distance;
	uint32_t metric;
	uint32_t nhg_id; /* 0 unless kind is FE_ROUTE_UNICAST */
};

/* Both families' LPM keys, so callers can hold either. */
union fe_route_key {
	struct fe_lpm4_key v4;
	struct fe_lpm6_key v6;
};

/*
 * Set *p from an address and a length, clearing host bits.
 * -EAFNOSUPPORT for a family other than AF_INET/AF_INET6,
 * -EINVAL for a length over 32/128 or a NULL argument.
 */
int fe_prefix_set(struct fe_prefix *p, int family, const void *addr,
		  unsigned int len);

/*
 * True if p is a prefix fe_prefix_set could have produced: AF_INET with
 * len <= 32 or AF_INET6 with len <= 128, no host bit set, and the unused
 * addr bytes (4..15 for IPv4) zero.
 */
bool fe_prefix_valid(const struct fe_prefix *p);

/*
 * Format "192.0.2.0/24" or "2001:db8::/32"; returns buf. Never fails, so
 * that it can feed printf directly: an invalid prefix prints "(invalid)",
 * and a short buffer gets a truncated, NUL-terminated string.
 */
const char *fe_prefix_str(const struct fe_prefix *p, char *buf, size_t size);

/*
 * Append a path to a group. -E2BIG when the group already has
 * FE_MAX_PATHS paths; -EINVAL for an invalid path (no ifindex, unknown
 * type, an IPv4 gateway with bytes set past the first four).
 *
 * A valid path has: a known type; 0 < ifindex <= INT32_MAX; no flag but
 * FE_NH_F_ONLINK; for FE_NH_IFINDEX an all-zero addr; for FE_NH_IPV4 a
 * non-zero gateway in addr[0..3] and addr[4..15] zero; for FE_NH_IPV6 a
 * non-zero gateway. A weight of 0 is stored as 1.
 */
int fe_nhg_add(struct fe_nhg *g, const struct fe_nh *nh);

/*
 * Encode a route into its LPM key and value. *keylen gets the size of the
 * key of the route's family (sizeof struct fe_lpm4_key or fe_lpm6_key).
 * -EINVAL for an invalid route: bad prefix, unknown kind, unicast without
 * an NHG id, or a non-unicast kind with one.
 */
int fe_route_encode(const struct fe_route *r, union fe_route_key *key,
		    size_t *keylen, struct fe_route_val *val);

/*
 * Decode a key back into a prefix (for dumps and reconcile). key points at
 * a struct fe_lpm4_key or fe_lpm6_key (any alignment). -EAFNOSUPPORT for
 * another family, -EINVAL for a prefix length over 32/128 or a key with
 * host bits set (fe_route_encode never writes one).
 */
int fe_route_key_decode(int family, const void *key, struct fe_prefix *p);

/*
 * Encode a group into the map value. Only val->nh[0..count-1] and the
 * header are written; the caller passes a zeroed value if it wants the
 * unused tail to be zero. -EINVAL for an empty group or a bad path.
 */
int fe_nhg_encode(const struct fe_nhg *g, struct fe_nhg_val *val);

/* "unicast", "blackhole", "unreachable", "prohibit" or "unknown". */
const char *fe_route_kind_str(unsigned int kind);

#endif /* FE_ROUTE_H */
