// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route and nexthop-group model, and its encoding into the BPF map keys and
 * values. Every entry point validates everything before it writes anything,
 * so that an error leaves the caller's output untouched.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fe_route.h"

_Static_assert(sizeof(struct fe_lpm4_key) == 8, "fe_lpm4_key has holes");
_Static_assert(sizeof(struct fe_lpm6_key) == 20, "fe_lpm6_key has holes");
_Static_assert(sizeof(struct fe_route_val) == 12, "fe_route_val has holes");
_Static_assert(sizeof(struct fe_nexthop) == 24, "fe_nexthop has holes");
_Static_assert(sizeof(struct fe_nhg_val) == 8 + 24 * FE_MAX_PATHS,
	       "fe_nhg_val has holes");
/* fe_nhg_val.count is 16 bits wide. */
_Static_assert(FE_MAX_PATHS <= UINT16_MAX, "FE_MAX_PATHS too large");

/* Address bytes and maximum length of a family; 0 if unsupported. */
static size_t family_alen(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

/* True if addr[0..alen-1] has no bit set at or past bit len. */
static bool host_bits_zero(const uint8_t *addr, size_t alen, unsigned int len)
{
	size_t i = len / 8;

	if (len % 8) {
		if (addr[i] & (uint8_t)(0xff >> (len % 8)))
			return false;
		i++;
	}
	for (; i < alen; i++)
		if (addr[i])
			return false;
	return true;
}

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

bool fe_prefix_valid(const struct fe_prefix *p)
{
	size_t alen;

	if (!p)
		return false;
	alen = family_alen(p->family);
	if (!alen || p->len > alen * 8)
		return false;
	/* Checking all 16 bytes also covers the unused tail of IPv4. */
	return host_bits_zero(p->addr, sizeof(p->addr), p->len);
}

int fe_prefix_set(struct fe_prefix *p, int family, const void *addr,
		  unsigned int len)
{
	struct fe_prefix tmp;
	size_t alen;

	if (!p || !addr)
		return -EINVAL;
	alen = family_alen(family);
	if (!alen)
		return -EAFNOSUPPORT;
	if (len > alen * 8)
		return -EINVAL;

	memset(&tmp, 0, sizeof(tmp));
	tmp.family = (uint8_t)family;
	tmp.len = (uint8_t)len;
	memcpy(tmp.addr, addr, len / 8);
	if (len % 8)
		tmp.addr[len / 8] = ((const uint8_t *)addr)[len / 8] &
				    (uint8_t)(0xff << (8 - len % 8));
	*p = tmp;
	return 0;
}

const char *fe_prefix_str(const struct fe_prefix *p, char *buf, size_t size)
{
	char abuf[INET6_ADDRSTRLEN];

	if (!buf || !size)
		return buf;
	/* Callers pass the result straight to printf: never fail. */
	if (!fe_prefix_valid(p) ||
	    !inet_ntop(p->family, p->addr, abuf, sizeof(abuf))) {
		snprintf(buf, size, "(invalid)");
		return buf;
	}
	snprintf(buf, size, "%s/%u", abuf, (unsigned int)p->len);
	return buf;
}

/* The path rules shared by fe_nhg_add and fe_nhg_encode. */
static bool nh_valid(const struct fe_nh *nh)
{
	/* The kernel's ifindex is a positive int. */
	if (nh->ifindex == 0 || nh->ifindex > INT32_MAX)
		return false;
	if (nh->flags & ~FE_NH_F_ONLINK)
		return false;

	switch (nh->type) {
	case FE_NH_IFINDEX:
		return all_zero(nh->addr, sizeof(nh->addr));
	case FE_NH_IPV4:
		return !all_zero(nh->addr, 4) &&
		       all_zero(nh->addr + 4, sizeof(nh->addr) - 4);
	case FE_NH_IPV6:
		return !all_zero(nh->addr, sizeof(nh->addr));
	default:
		return false;
	}
}

int fe_nhg_add(struct fe_nhg *g, const struct fe_nh *nh)
{
	struct fe_nh *slot;

	if (!g || !nh || !nh_valid(nh) || g->count > FE_MAX_PATHS)
		return -EINVAL;
	if (g->count == FE_MAX_PATHS)
		return -E2BIG;

	slot = &g->nh[g->count];
	memset(slot, 0, sizeof(*slot));
	slot->type = nh->type;
	slot->ifindex = nh->ifindex;
	slot->weight = nh->weight ? nh->weight : 1;
	slot->flags = nh->flags;
	memcpy(slot->addr, nh->addr, sizeof(slot->addr));
	g->count++;
	return 0;
}

int fe_route_encode(const struct fe_route *r, union fe_route_key *key,
		    size_t *keylen, struct fe_route_val *val)
{
	union fe_route_key k;
	struct fe_route_val v;
	size_t klen;

	if (!r || !key || !keylen || !val || !fe_prefix_valid(&r->dst))
		return -EINVAL;

	switch (r->kind) {
	case FE_ROUTE_UNICAST:
		if (!r->nhg_id)
			return -EINVAL;
		break;
	case FE_ROUTE_BLACKHOLE:
	case FE_ROUTE_UNREACHABLE:
	case FE_ROUTE_PROHIBIT:
		if (r->nhg_id)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	/* Zero everything first: the bytes are hashed and compared as is. */
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	if (r->dst.family == AF_INET) {
		k.v4.prefixlen = r->dst.len;
		memcpy(k.v4.addr, r->dst.addr, sizeof(k.v4.addr));
		klen = sizeof(k.v4);
	} else {
		k.v6.prefixlen = r->dst.len;
		memcpy(k.v6.addr, r->dst.addr, sizeof(k.v6.addr));
		klen = sizeof(k.v6);
	}
	v.nhg_id = r->nhg_id;
	v.metric = r->metric;
	v.kind = (uint8_t)r->kind;
	v.protocol = r->protocol;
	v.distance = r->distance;
	v.flags = 0;

	memcpy(key, &k, sizeof(k));
	*keylen = klen;
	*val = v;
	return 0;
}

int fe_route_key_decode(int family, const void *key, struct fe_prefix *p)
{
	struct fe_prefix tmp;
	uint32_t plen;
	size_t alen;

	if (!key || !p)
		return -EINVAL;
	alen = family_alen(family);
	if (!alen)
		return -EAFNOSUPPORT;

	/* The key may come from an unaligned buffer: copy, never cast. */
	memcpy(&plen, key, sizeof(plen));
	if (plen > alen * 8)
		return -EINVAL;

	memset(&tmp, 0, sizeof(tmp));
	tmp.family = (uint8_t)family;
	tmp.len = (uint8_t)plen;
	memcpy(tmp.addr, (const uint8_t *)key + sizeof(plen), alen);
	/* We never write host bits; a key with some is not ours to name. */
	if (!host_bits_zero(tmp.addr, alen, plen))
		return -EINVAL;
	*p = tmp;
	return 0;
}

int fe_nhg_encode(const struct fe_nhg *g, struct fe_nhg_val *val)
{
	uint32_t total = 0;

	if (!g || !val || g->count < 1 || g->count > FE_MAX_PATHS)
		return -EINVAL;
	for (unsigned int i = 0; i < g->count; i++) {
		if (!nh_valid(&g->nh[i]))
			return -EINVAL;
		total += g->nh[i].weight ? g->nh[i].weight : 1;
	}

	val->count = g->count;
	val->stats_slot = 0; /* the mirror gives one */
	val->total_weight = total;
	for (unsigned int i = 0; i < g->count; i++) {
		const struct fe_nh *nh = &g->nh[i];
		struct fe_nexthop *out = &val->nh[i];

		out->ifindex = nh->ifindex;
		out->type = (uint8_t)nh->type;
		out->flags = nh->flags;
		out->weight = nh->weight ? nh->weight : 1;
		memcpy(out->addr, nh->addr, sizeof(out->addr));
	}
	return 0;
}

const char *fe_route_kind_str(unsigned int kind)
{
	switch (kind) {
	case FE_ROUTE_UNICAST:
		return "unicast";
	case FE_ROUTE_BLACKHOLE:
		return "blackhole";
	case FE_ROUTE_UNREACHABLE:
		return "unreachable";
	case FE_ROUTE_PROHIBIT:
		return "prohibit";
	}
	return "unknown";
}
