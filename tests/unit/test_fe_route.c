// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of lib/fe_route.c: prefixes, nexthop groups and their
 * encoding into the BPF map keys and values.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "lib/fe_route.h"

/* Garbage the functions must either overwrite fully or leave alone. */
#define POISON 0xa5

static void v4(uint8_t *out, const char *s)
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void v6(uint8_t *out, const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, out), 1);
}

/* Reference mask, computed bit by bit (independent of the library's). */
static void ref_mask(uint8_t *out, const uint8_t *in, size_t alen,
		     unsigned int len)
{
	memset(out, 0, 16);
	for (unsigned int bit = 0; bit < len; bit++)
		if (in[bit / 8] & (0x80 >> (bit % 8)))
			out[bit / 8] |= (uint8_t)(0x80 >> (bit % 8));
	assert_true(alen <= 16);
}

static struct fe_nh gw4(uint32_t ifindex, const char *gw)
{
	struct fe_nh nh;

	memset(&nh, 0, sizeof(nh));
	nh.type = FE_NH_IPV4;
	nh.ifindex = ifindex;
	v4(nh.addr, gw);
	return nh;
}

static struct fe_nh gw6(uint32_t ifindex, const char *gw)
{
	struct fe_nh nh;

	memset(&nh, 0, sizeof(nh));
	nh.type = FE_NH_IPV6;
	nh.ifindex = ifindex;
	v6(nh.addr, gw);
	return nh;
}

static struct fe_nh dev(uint32_t ifindex)
{
	struct fe_nh nh;

	memset(&nh, 0, sizeof(nh));
	nh.type = FE_NH_IFINDEX;
	nh.ifindex = ifindex;
	return nh;
}

static struct fe_route route(int family, const char *addr, unsigned int len,
			     enum fe_route_kind kind, uint32_t nhg_id)
{
	struct fe_route r;
	uint8_t a[16] = { 0 };

	memset(&r, 0, sizeof(r));
	assert_int_equal(inet_pton(family, addr, a), 1);
	assert_int_equal(fe_prefix_set(&r.dst, family, a, len), 0);
	r.kind = kind;
	r.nhg_id = nhg_id;
	r.metric = 20;
	r.protocol = 13;
	r.distance = 110;
	return r;
}

/* ---- prefixes ---- */

static void test_prefix_v4_all_lengths(void **state)
{
	static const char *const addrs[] = { "255.255.255.255", "192.0.2.77",
					     "10.170.85.1", "0.0.0.1" };
	(void)state;

	for (size_t a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++) {
		uint8_t in[16], want[16];

		v4(in, addrs[a]);
		for (unsigned int len = 0; len <= 32; len++) {
			struct fe_prefix p;

			memset(&p, POISON, sizeof(p));
			ref_mask(want, in, 4, len);
			assert_int_equal(fe_prefix_set(&p, AF_INET, in, len),
					 0);
			assert_int_equal(p.family, AF_INET);
			assert_int_equal(p.len, len);
			assert_memory_equal(p.addr, want, 16);
			assert_true(fe_prefix_valid(&p));
		}
	}
}

static void test_prefix_v6_all_lengths(void **state)
{
	static const char *const addrs[] = {
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		"2001:db8:aaaa:5555:1234:5678:9abc:def1", "::1",
	};
	(void)state;

	for (size_t a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++) {
		uint8_t in[16], want[16];

		v6(in, addrs[a]);
		for (unsigned int len = 0; len <= 128; len++) {
			struct fe_prefix p;

			memset(&p, POISON, sizeof(p));
			ref_mask(want, in, 16, len);
			assert_int_equal(fe_prefix_set(&p, AF_INET6, in, len),
					 0);
			assert_int_equal(p.family, AF_INET6);
			assert_int_equal(p.len, len);
			assert_memory_equal(p.addr, want, 16);
			assert_true(fe_prefix_valid(&p));
		}
	}
}

/* fe_prefix_set reads only the family's bytes: a 4-byte buffer is enough. */
static void test_prefix_v4_short_buffer(void **state)
{
	const uint8_t in[4] = { 198, 51, 100, 255 };
	const uint8_t want[16] = { 198, 51, 100, 0 };
	struct fe_prefix p;

	(void)state;
	assert_int_equal(fe_prefix_set(&p, AF_INET, in, 24), 0);
	assert_memory_equal(p.addr, want, 16);
}

static void test_prefix_invalid(void **state)
{
	uint8_t a[16] = { 10, 1, 2, 3 };
	struct fe_prefix p, orig;

	(void)state;
	memset(&p, POISON, sizeof(p));
	orig = p;

	assert_int_equal(fe_prefix_set(&p, AF_UNIX, a, 8), -EAFNOSUPPORT);
	assert_int_equal(fe_prefix_set(&p, AF_UNSPEC, a, 8), -EAFNOSUPPORT);
	assert_int_equal(fe_prefix_set(&p, 255, a, 8), -EAFNOSUPPORT);
	assert_int_equal(fe_prefix_set(&p, AF_INET, a, 33), -EINVAL);
	assert_int_equal(fe_prefix_set(&p, AF_INET, a, 4096), -EINVAL);
	assert_int_equal(fe_prefix_set(&p, AF_INET6, a, 129), -EINVAL);
	assert_int_equal(fe_prefix_set(&p, AF_INET, NULL, 8), -EINVAL);
	assert_int_equal(fe_prefix_set(&p, AF_INET, NULL, 0), -EINVAL);
	assert_int_equal(fe_prefix_set(NULL, AF_INET, a, 8), -EINVAL);
	assert_memory_equal(&p, &orig, sizeof(p));
}

static void test_prefix_valid(void **state)
{
	struct fe_prefix p;

	(void)state;
	assert_false(fe_prefix_valid(NULL));

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.len = 24;
	p.addr[0] = 192;
	assert_true(fe_prefix_valid(&p));
	p.addr[3] = 1; /* host bit */
	assert_false(fe_prefix_valid(&p));
	p.addr[3] = 0;
	p.addr[4] = 1; /* past an IPv4 address */
	assert_false(fe_prefix_valid(&p));
	p.addr[4] = 0;
	p.len = 33;
	assert_false(fe_prefix_valid(&p));
	p.len = 0;
	assert_false(fe_prefix_valid(&p)); /* addr[0] is a host bit at /0 */
	p.addr[0] = 0;
	assert_true(fe_prefix_valid(&p));
	p.family = AF_UNIX;
	assert_false(fe_prefix_valid(&p));

	p.family = AF_INET6;
	p.len = 128;
	memset(p.addr, 0xff, 16);
	assert_true(fe_prefix_valid(&p));
	p.len = 129;
	assert_false(fe_prefix_valid(&p));
	p.len = 127;
	assert_false(fe_prefix_valid(&p));
}

static void test_prefix_str(void **state)
{
	struct fe_route r;
	struct fe_prefix bad;
	char buf[64];

	(void)state;
	r = route(AF_INET, "192.0.2.99", 24, FE_ROUTE_BLACKHOLE, 0);
	assert_string_equal(fe_prefix_str(&r.dst, buf, sizeof(buf)),
			    "192.0.2.0/24");
	r = route(AF_INET, "1.2.3.4", 0, FE_ROUTE_BLACKHOLE, 0);
	assert_string_equal(fe_prefix_str(&r.dst, buf, sizeof(buf)),
			    "0.0.0.0/0");
	r = route(AF_INET6, "2001:db8:ffff::1", 32, FE_ROUTE_BLACKHOLE, 0);
	assert_string_equal(fe_prefix_str(&r.dst, buf, sizeof(buf)),
			    "2001:db8::/32");
	r = route(AF_INET6, "::", 0, FE_ROUTE_BLACKHOLE, 0);
	assert_string_equal(fe_prefix_str(&r.dst, buf, sizeof(buf)), "::/0");
	r = route(AF_INET6, "fe80::1:2", 128, FE_ROUTE_BLACKHOLE, 0);
	assert_ptr_equal(fe_prefix_str(&r.dst, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "fe80::1:2/128");

	/* Short buffer: truncated, terminated, still buf. */
	r = route(AF_INET, "192.0.2.0", 24, FE_ROUTE_BLACKHOLE, 0);
	memset(buf, POISON, sizeof(buf));
	assert_ptr_equal(fe_prefix_str(&r.dst, buf, 8), buf);
	assert_string_equal(buf, "192.0.2");
	assert_int_equal((uint8_t)buf[8], POISON);

	memset(&bad, 0, sizeof(bad));
	bad.family = AF_UNIX;
	assert_string_equal(fe_prefix_str(&bad, buf, sizeof(buf)),
			    "(invalid)");
	assert_string_equal(fe_prefix_str(NULL, buf, sizeof(buf)),
			    "(invalid)");
	assert_null(fe_prefix_str(&r.dst, NULL, 0));
}

/* ---- nexthop groups ---- */

static void test_nhg_add_kinds(void **state)
{
	struct fe_nhg g;
	struct fe_nh nh;
	uint8_t want[16];

	(void)state;
	memset(&g, 0, sizeof(g));
	g.id = 7;

	nh = gw4(2, "192.0.2.1");
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	nh = gw6(3, "fe80::1");
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	nh = dev(4);
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	nh = gw4(5, "203.0.113.9");
	nh.flags = FE_NH_F_ONLINK;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	nh = gw6(6, "2001:db8::1");
	nh.flags = FE_NH_F_ONLINK;
	nh.weight = 200;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	/* v4 gateway via a v6 route is fine: the group does not care. */
	nh = gw4(7, "255.255.255.255");
	assert_int_equal(fe_nhg_add(&g, &nh), 0);

	assert_int_equal(g.count, 6);
	assert_int_equal(g.id, 7);
	assert_int_equal(g.nh[0].type, FE_NH_IPV4);
	assert_int_equal(g.nh[0].ifindex, 2);
	v4(want, "192.0.2.1");
	assert_memory_equal(g.nh[0].addr, want, 16);
	assert_int_equal(g.nh[1].type, FE_NH_IPV6);
	v6(want, "fe80::1");
	assert_memory_equal(g.nh[1].addr, want, 16);
	assert_int_equal(g.nh[2].type, FE_NH_IFINDEX);
	assert_int_equal(g.nh[2].ifindex, 4);
	memset(want, 0, 16);
	assert_memory_equal(g.nh[2].addr, want, 16);
	assert_int_equal(g.nh[3].flags, FE_NH_F_ONLINK);
	assert_int_equal(g.nh[4].flags, FE_NH_F_ONLINK);
	assert_int_equal(g.nh[4].weight, 200);
	assert_int_equal(g.nh[5].ifindex, 7);
}

static void test_nhg_add_weight_zero(void **state)
{
	struct fe_nhg g;
	struct fe_nh nh = gw4(2, "192.0.2.1");

	(void)state;
	memset(&g, 0, sizeof(g));
	nh.weight = 0;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	assert_int_equal(g.nh[0].weight, 1);
	nh.weight = 1;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	assert_int_equal(g.nh[1].weight, 1);
	nh.weight = 255;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	assert_int_equal(g.nh[2].weight, 255);
}

/* Every invalid path: exact error, group untouched. */
static void test_nhg_add_invalid(void **state)
{
	static struct fe_nhg g, orig;
	struct fe_nh nh, ok = gw4(2, "192.0.2.1");

	(void)state;
	memset(&g, POISON, sizeof(g));
	g.count = 1;
	orig = g;

#define BAD(mutate)                                                     \
	do {                                                            \
		nh = ok;                                                \
		mutate;                                                 \
		assert_int_equal(fe_nhg_add(&g, &nh), -EINVAL);         \
		assert_memory_equal(&g, &orig, sizeof(g));              \
	} while (0)

	BAD(nh.ifindex = 0);
	BAD(nh.ifindex = 0x80000000u);
	BAD(nh.ifindex = UINT32_MAX);
	BAD(nh.type = (enum fe_nh_type)0);
	BAD(nh.type = (enum fe_nh_type)4);
	BAD(nh.type = (enum fe_nh_type)255);
	BAD(nh.flags = 0x02);
	BAD(nh.flags = FE_NH_F_ONLINK | 0x80);
	/* IPv4 gateway: bytes past the first four, or 0.0.0.0. */
	BAD(nh.addr[4] = 1);
	BAD(nh.addr[15] = 1);
	BAD(memset(nh.addr, 0, 16));
	/* IPv6 gateway ::. */
	BAD(nh = gw6(2, "::"));
	/* Interface route with an address. */
	BAD(nh = dev(2); nh.addr[0] = 10);
	BAD(nh = dev(2); nh.addr[15] = 1);
	BAD(nh = dev(0));
#undef BAD

	assert_int_equal(fe_nhg_add(NULL, &ok), -EINVAL);
	assert_int_equal(fe_nhg_add(&g, NULL), -EINVAL);
	/* A corrupt count is refused rather than written past. */
	g.count = FE_MAX_PATHS + 1;
	orig = g;
	assert_int_equal(fe_nhg_add(&g, &ok), -EINVAL);
	assert_memory_equal(&g, &orig, sizeof(g));
}

static void test_nhg_ecmp_max(void **state)
{
	static struct fe_nhg g, orig;
	static struct fe_nhg_val val;
	uint32_t want_total = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.id = 42;
	for (unsigned int i = 0; i < FE_MAX_PATHS; i++) {
		struct fe_nh nh;

		if (i % 3 == 0) {
			nh = gw4(i + 1, "10.0.0.1");
			nh.addr[3] = (uint8_t)(i + 1);
		} else if (i % 3 == 1) {
			nh = gw6(i + 1, "2001:db8::1");
			nh.addr[15] = (uint8_t)i;
			nh.addr[14] = 1;
		} else {
			nh = dev(i + 1);
		}
		nh.weight = (uint16_t)(i % 256); /* includes 0 */
		want_total += nh.weight ? nh.weight : 1;
		assert_int_equal(fe_nhg_add(&g, &nh), 0);
		assert_int_equal(g.count, i + 1);
	}
	assert_int_equal(g.count, 256);
	assert_int_equal(FE_MAX_PATHS, 256);

	/* Path 257. */
	orig = g;
	{
		struct fe_nh nh = dev(999);

		assert_int_equal(fe_nhg_add(&g, &nh), -E2BIG);
	}
	assert_memory_equal(&g, &orig, sizeof(g));

	memset(&val, 0, sizeof(val));
	assert_int_equal(fe_nhg_encode(&g, &val), 0);
	assert_int_equal(val.count, 256);
	assert_int_equal(val.stats_slot, 0);
	assert_int_equal(val.total_weight, want_total);
	for (unsigned int i = 0; i < FE_MAX_PATHS; i++) {
		assert_int_equal(val.nh[i].ifindex, i + 1);
		assert_int_equal(val.nh[i].type, g.nh[i].type);
		assert_int_equal(val.nh[i].weight, i % 256 ? i % 256 : 1);
		assert_memory_equal(val.nh[i].addr, g.nh[i].addr, 16);
	}
}

static void test_nhg_encode_weights(void **state)
{
	static struct fe_nhg g;
	static struct fe_nhg_val val;
	struct fe_nh nh;

	(void)state;
	memset(&g, 0, sizeof(g));
	nh = gw4(2, "192.0.2.1");
	nh.weight = 3;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	nh = gw4(3, "192.0.2.2");
	nh.weight = 0;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	nh = gw6(4, "fe80::2");
	nh.weight = 255;
	nh.flags = FE_NH_F_ONLINK;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	/* A group built by hand may hold weight 0: encode reads it as 1. */
	g.nh[1].weight = 0;

	memset(&val, POISON, sizeof(val));
	assert_int_equal(fe_nhg_encode(&g, &val), 0);
	assert_int_equal(val.count, 3);
	assert_int_equal(val.stats_slot, 0);
	assert_int_equal(val.total_weight, 3 + 1 + 255);
	assert_int_equal(val.nh[0].weight, 3);
	assert_int_equal(val.nh[1].weight, 1);
	assert_int_equal(val.nh[2].weight, 255);
	assert_int_equal(val.nh[2].flags, FE_NH_F_ONLINK);
	assert_int_equal(val.nh[2].type, FE_NH_IPV6);
	assert_int_equal(val.nh[2].ifindex, 4);
	/* Only the used entries are written: the tail keeps the poison. */
	for (size_t i = 3; i < FE_MAX_PATHS; i++) {
		const uint8_t *b = (const uint8_t *)&val.nh[i];

		for (size_t j = 0; j < sizeof(val.nh[i]); j++)
			assert_int_equal(b[j], POISON);
	}
}

/* Byte layout of one encoded path, built by hand. */
static void test_nhg_encode_layout(void **state)
{
	static struct fe_nhg g;
	static struct fe_nhg_val val;
	struct fe_nh nh = gw4(0x01020304, "192.0.2.1");
	uint8_t want[8 + 24];
	uint16_t w = 9;
	uint16_t count = 1, flags = 0;
	uint32_t total = 9, ifindex = 0x01020304;

	(void)state;
	memset(&g, 0, sizeof(g));
	nh.weight = 9;
	nh.flags = FE_NH_F_ONLINK;
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	memset(&val, 0, sizeof(val));
	assert_int_equal(fe_nhg_encode(&g, &val), 0);

	memset(want, 0, sizeof(want));
	memcpy(want + 0, &count, 2);
	memcpy(want + 2, &flags, 2);
	memcpy(want + 4, &total, 4);
	memcpy(want + 8, &ifindex, 4);
	want[12] = FE_NH_IPV4;
	want[13] = FE_NH_F_ONLINK;
	memcpy(want + 14, &w, 2);
	want[16] = 192;
	want[17] = 0;
	want[18] = 2;
	want[19] = 1;
	assert_memory_equal(&val, want, sizeof(want));
}

static void test_nhg_encode_invalid(void **state)
{
	static struct fe_nhg g;
	static struct fe_nhg_val val, orig;
	struct fe_nh nh = gw4(2, "192.0.2.1");

	(void)state;
	memset(&val, POISON, sizeof(val));
	orig = val;
	memset(&g, 0, sizeof(g));

	/* Empty group. */
	assert_int_equal(fe_nhg_encode(&g, &val), -EINVAL);
	assert_memory_equal(&val, &orig, sizeof(val));

	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	assert_int_equal(fe_nhg_add(&g, &nh), 0);
	assert_int_equal(fe_nhg_encode(NULL, &val), -EINVAL);
	assert_int_equal(fe_nhg_encode(&g, NULL), -EINVAL);

	/* Count past the array. */
	g.count = FE_MAX_PATHS + 1;
	assert_int_equal(fe_nhg_encode(&g, &val), -EINVAL);
	assert_memory_equal(&val, &orig, sizeof(val));
	g.count = 2;

	/* A path broken after fe_nhg_add: every rule is checked again. */
#define BAD(mutate)                                                     \
	do {                                                            \
		g.nh[1] = nh;                                           \
		mutate;                                                 \
		assert_int_equal(fe_nhg_encode(&g, &val), -EINVAL);     \
		assert_memory_equal(&val, &orig, sizeof(val));          \
	} while (0)

	BAD(g.nh[1].ifindex = 0);
	BAD(g.nh[1].type = (enum fe_nh_type)9);
	BAD(g.nh[1].flags = 0x40);
	BAD(g.nh[1].addr[7] = 1);
	BAD(memset(g.nh[1].addr, 0, 16));
	BAD(g.nh[1] = gw6(3, "::"));
	BAD(g.nh[1] = dev(3); g.nh[1].addr[1] = 1);
#undef BAD

	g.nh[1] = nh;
	assert_int_equal(fe_nhg_encode(&g, &val), 0);
	assert_int_equal(val.count, 2);
	assert_int_equal(val.total_weight, 2);
}

/* ---- routes ---- */

static void test_route_encode_v4_unicast(void **state)
{
	struct fe_route r = route(AF_INET, "198.51.100.0", 24,
				  FE_ROUTE_UNICAST, 77);
	union fe_route_key key;
	struct fe_route_val val;
	size_t keylen = 0;
	uint8_t want_key[8], want_val[12];
	uint32_t plen = 24, nhg = 77, metric = 20;

	(void)state;
	memset(&key, POISON, sizeof(key));
	memset(&val, POISON, sizeof(val));
	assert_int_equal(fe_route_encode(&r, &key, &keylen, &val), 0);
	assert_int_equal(keylen, sizeof(struct fe_lpm4_key));
	assert_int_equal(keylen, 8);

	memcpy(want_key, &plen, 4);
	want_key[4] = 198;
	want_key[5] = 51;
	want_key[6] = 100;
	want_key[7] = 0;
	assert_memory_equal(&key, want_key, 8);
	/* The rest of the union is zeroed, not left as garbage. */
	for (size_t i = 8; i < sizeof(key); i++)
		assert_int_equal(((uint8_t *)&key)[i], 0);

	memcpy(want_val, &nhg, 4);
	memcpy(want_val + 4, &metric, 4);
	want_val[8] = FE_ROUTE_UNICAST;
	want_val[9] = 13;
	want_val[10] = 110;
	want_val[11] = 0;
	assert_memory_equal(&val, want_val, 12);
}

static void test_route_encode_v6_unicast(void **state)
{
	struct fe_route r = route(AF_INET6, "2001:db8:1234::", 48,
				  FE_ROUTE_UNICAST, 0xdeadbeef);
	union fe_route_key key;
	struct fe_route_val val;
	size_t keylen = 0;
	uint8_t want_key[20];
	uint32_t plen = 48;

	(void)state;
	r.metric = 0xffffffff;
	r.distance = 255;
	r.protocol = 0;
	memset(&key, POISON, sizeof(key));
	memset(&val, POISON, sizeof(val));
	assert_int_equal(fe_route_encode(&r, &key, &keylen, &val), 0);
	assert_int_equal(keylen, sizeof(struct fe_lpm6_key));
	assert_int_equal(keylen, 20);
	assert_int_equal(sizeof(key), 20);

	memcpy(want_key, &plen, 4);
	v6(want_key + 4, "2001:db8:1234::");
	assert_memory_equal(&key, want_key, 20);
	assert_int_equal(key.v6.prefixlen, 48);

	assert_int_equal(val.nhg_id, 0xdeadbeef);
	assert_int_equal(val.metric, 0xffffffff);
	assert_int_equal(val.kind, FE_ROUTE_UNICAST);
	assert_int_equal(val.protocol, 0);
	assert_int_equal(val.distance, 255);
	assert_int_equal(val.flags, 0);
}

static void test_route_encode_drop_kinds(void **state)
{
	static const enum fe_route_kind kinds[] = {
		FE_ROUTE_BLACKHOLE, FE_ROUTE_UNREACHABLE, FE_ROUTE_PROHIBIT
	};
	(void)state;

	for (size_t i = 0; i < 3; i++) {
		for (int f = 0; f < 2; f++) {
			struct fe_route r =
				f ? route(AF_INET6, "2001:db8::", 32, kinds[i],
					  0)
				  : route(AF_INET, "192.0.2.0", 24, kinds[i],
					  0);
			union fe_route_key key, okey;
			struct fe_route_val val, oval;
			size_t keylen = 0;

			memset(&key, POISON, sizeof(key));
			memset(&val, POISON, sizeof(val));
			assert_int_equal(
				fe_route_encode(&r, &key, &keylen, &val), 0);
			assert_int_equal(val.kind, kinds[i]);
			assert_int_equal(val.nhg_id, 0);
			assert_int_equal(val.flags, 0);
			assert_int_equal(keylen, f ? 20 : 8);

			/* With an NHG id: refused, outputs untouched. */
			okey = key;
			oval = val;
			r.nhg_id = 5;
			keylen = 1234;
			assert_int_equal(
				fe_route_encode(&r, &key, &keylen, &val),
				-EINVAL);
			assert_int_equal(keylen, 1234);
			assert_memory_equal(&key, &okey, sizeof(key));
			assert_memory_equal(&val, &oval, sizeof(val));
		}
	}
}

static void test_route_encode_invalid(void **state)
{
	const struct fe_route ok = route(AF_INET, "192.0.2.0", 24,
					 FE_ROUTE_UNICAST, 1);
	struct fe_route r;
	union fe_route_key key, okey;
	struct fe_route_val val, oval;
	size_t keylen = 99;

	(void)state;
	memset(&key, POISON, sizeof(key));
	memset(&val, POISON, sizeof(val));
	okey = key;
	oval = val;

#define BAD(mutate)                                                       \
	do {                                                              \
		r = ok;                                                   \
		mutate;                                                   \
		assert_int_equal(fe_route_encode(&r, &key, &keylen, &val),\
				 -EINVAL);                                \
		assert_int_equal(keylen, 99);                             \
		assert_memory_equal(&key, &okey, sizeof(key));            \
		assert_memory_equal(&val, &oval, sizeof(val));            \
	} while (0)

	BAD(r.dst.family = AF_UNIX);
	BAD(r.dst.family = 0);
	BAD(r.dst.len = 33);
	BAD(r.dst.addr[3] = 1);		/* host bits */
	BAD(r.dst.len = 22);		/* 192.0.2.0/22 has a host bit */
	BAD(r.dst.addr[4] = 1);		/* past an IPv4 address */
	BAD(r.dst.addr[15] = 1);
	BAD(r.dst.family = AF_INET6; r.dst.len = 129);
	BAD(r.kind = (enum fe_route_kind)0);
	BAD(r.kind = (enum fe_route_kind)5);
	BAD(r.kind = (enum fe_route_kind)-1);
	BAD(r.nhg_id = 0);		/* unicast without a group */
	BAD(r.kind = FE_ROUTE_PROHIBIT);	/* drop kind with a group */
#undef BAD

	r = ok;
	assert_int_equal(fe_route_encode(NULL, &key, &keylen, &val), -EINVAL);
	assert_int_equal(fe_route_encode(&r, NULL, &keylen, &val), -EINVAL);
	assert_int_equal(fe_route_encode(&r, &key, NULL, &val), -EINVAL);
	assert_int_equal(fe_route_encode(&r, &key, &keylen, NULL), -EINVAL);
	assert_int_equal(keylen, 99);
	assert_memory_equal(&key, &okey, sizeof(key));
	assert_memory_equal(&val, &oval, sizeof(val));
}

/* Equal routes encode to equal bytes, whatever the buffers held. */
static void test_route_encode_deterministic(void **state)
{
	(void)state;

	for (int f = 0; f < 2; f++) {
		struct fe_route a, b;
		union fe_route_key ka, kb;
		struct fe_route_val va, vb;
		size_t la = 0, lb = 0;

		a = f ? route(AF_INET6, "2001:db8::", 64, FE_ROUTE_UNICAST, 3)
		      : route(AF_INET, "10.0.0.0", 8, FE_ROUTE_UNICAST, 3);
		/* b differs from a only in its padding and junk fields. */
		memset(&b, 0xff, sizeof(b));
		b.dst = a.dst;
		b.kind = a.kind;
		b.protocol = a.protocol;
		b.distance = a.distance;
		b.metric = a.metric;
		b.nhg_id = a.nhg_id;

		memset(&ka, 0x00, sizeof(ka));
		memset(&kb, 0xff, sizeof(kb));
		memset(&va, 0x00, sizeof(va));
		memset(&vb, 0xff, sizeof(vb));
		assert_int_equal(fe_route_encode(&a, &ka, &la, &va), 0);
		assert_int_equal(fe_route_encode(&b, &kb, &lb, &vb), 0);
		assert_int_equal(la, lb);
		assert_memory_equal(&ka, &kb, sizeof(ka));
		assert_memory_equal(&va, &vb, sizeof(va));
	}
}

static void round_trip(int family, const uint8_t *addr, unsigned int len)
{
	struct fe_route r;
	struct fe_prefix p;
	union fe_route_key key;
	struct fe_route_val val;
	size_t keylen;
	/* Decode from an odd address: keys may come from any buffer. */
	uint8_t raw[1 + sizeof(key)];

	memset(&r, 0, sizeof(r));
	assert_int_equal(fe_prefix_set(&r.dst, family, addr, len), 0);
	r.kind = FE_ROUTE_BLACKHOLE;
	assert_int_equal(fe_route_encode(&r, &key, &keylen, &val), 0);
	memcpy(raw + 1, &key, keylen);

	memset(&p, POISON, sizeof(p));
	assert_int_equal(fe_route_key_decode(family, raw + 1, &p), 0);
	assert_memory_equal(&p, &r.dst, sizeof(p));
}

static void test_route_key_round_trip(void **state)
{
	uint8_t a4[16], a6[16];

	(void)state;
	v4(a4, "203.0.113.201");
	v6(a6, "2001:db8:dead:beef:cafe:f00d:1234:5678");
	for (unsigned int len = 0; len <= 32; len++)
		round_trip(AF_INET, a4, len);
	for (unsigned int len = 0; len <= 128; len++)
		round_trip(AF_INET6, a6, len);
	memset(a6, 0xff, 16);
	for (unsigned int len = 0; len <= 128; len++)
		round_trip(AF_INET6, a6, len);
}

static void test_route_key_decode_invalid(void **state)
{
	struct fe_lpm4_key k4;
	struct fe_lpm6_key k6;
	struct fe_prefix p, orig;

	(void)state;
	memset(&p, POISON, sizeof(p));
	orig = p;

	memset(&k4, 0, sizeof(k4));
	memset(&k6, 0, sizeof(k6));
	k4.prefixlen = 33;
	assert_int_equal(fe_route_key_decode(AF_INET, &k4, &p), -EINVAL);
	k4.prefixlen = 0xffffffff;
	assert_int_equal(fe_route_key_decode(AF_INET, &k4, &p), -EINVAL);
	k4.prefixlen = 24;
	k4.addr[3] = 1; /* host bit */
	assert_int_equal(fe_route_key_decode(AF_INET, &k4, &p), -EINVAL);
	k6.prefixlen = 129;
	assert_int_equal(fe_route_key_decode(AF_INET6, &k6, &p), -EINVAL);
	k6.prefixlen = 127;
	k6.addr[15] = 1;
	assert_int_equal(fe_route_key_decode(AF_INET6, &k6, &p), -EINVAL);
	k6.addr[15] = 0;
	assert_int_equal(fe_route_key_decode(AF_UNIX, &k6, &p), -EAFNOSUPPORT);
	assert_int_equal(fe_route_key_decode(AF_INET6, NULL, &p), -EINVAL);
	assert_int_equal(fe_route_key_decode(AF_INET6, &k6, NULL), -EINVAL);
	assert_memory_equal(&p, &orig, sizeof(p));

	/* An IPv4 decode leaves no junk in addr[4..15]. */
	k4.prefixlen = 32;
	k4.addr[3] = 1;
	assert_int_equal(fe_route_key_decode(AF_INET, &k4, &p), 0);
	assert_true(fe_prefix_valid(&p));
	for (size_t i = 4; i < 16; i++)
		assert_int_equal(p.addr[i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_v4_all_lengths),
		cmocka_unit_test(test_prefix_v6_all_lengths),
		cmocka_unit_test(test_prefix_v4_short_buffer),
		cmocka_unit_test(test_prefix_invalid),
		cmocka_unit_test(test_prefix_valid),
		cmocka_unit_test(test_prefix_str),
		cmocka_unit_test(test_nhg_add_kinds),
		cmocka_unit_test(test_nhg_add_weight_zero),
		cmocka_unit_test(test_nhg_add_invalid),
		cmocka_unit_test(test_nhg_ecmp_max),
		cmocka_unit_test(test_nhg_encode_weights),
		cmocka_unit_test(test_nhg_encode_layout),
		cmocka_unit_test(test_nhg_encode_invalid),
		cmocka_unit_test(test_route_encode_v4_unicast),
		cmocka_unit_test(test_route_encode_v6_unicast),
		cmocka_unit_test(test_route_encode_drop_kinds),
		cmocka_unit_test(test_route_encode_invalid),
		cmocka_unit_test(test_route_encode_deterministic),
		cmocka_unit_test(test_route_key_round_trip),
		cmocka_unit_test(test_route_key_decode_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
