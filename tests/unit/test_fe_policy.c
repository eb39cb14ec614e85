// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of lib/fe_policy: policy model, validation, encoding. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "tests/unit/test_pfx.h"

#include "lib/fe_policy.h"

static char err[256];

static void test_complete_policy_encodes(void **state)
{
	struct fe_policy_set *s = fe_policy_set_new();
	struct fe_prefix d = pfx("198.18.0.0/16"), src = pfx("192.0.2.0/24");
	struct fe_prefix nh = pfx("192.0.2.9/32");
	const struct fe_policy *p;
	union fe_route_key key;
	struct fe_policy_val val;
	size_t keylen;

	assert_int_equal(fe_policy_set_match(s, "p1", &d, &src, "eth0", err,
					     sizeof(err)), 0);
	p = fe_policy_get(s, "p1");
	assert_non_null(p);
	assert_false(fe_policy_complete(p));
	assert_int_equal(fe_policy_encode(p, 3, &key, &keylen, &val), -EINVAL);

	assert_int_equal(fe_policy_set_action(s, "p1", FE_POL_PIN, 0, &nh, err,
					      sizeof(err)), 0);
	p = fe_policy_get(s, "p1");
	assert_true(fe_policy_complete(p));
	assert_int_equal(fe_policy_encode(p, 3, &key, &keylen, &val), 0);
	assert_int_equal(keylen, sizeof(struct fe_lpm4_key));
	assert_int_equal(key.v4.prefixlen, 16);
	assert_int_equal(key.v4.addr[0], 198);
	assert_int_equal(key.v4.addr[1], 18);
	assert_int_equal(val.action, FE_POL_PIN);
	assert_int_equal(val.ingress, 3);
	assert_int_equal(val.src_len, 24);
	assert_int_equal(val.src[0], 192);
	assert_int_equal(val.nh[3], 9);
	assert_int_equal(val.id, p->id);
	fe_policy_set_free(s);
}

static void test_conflicting_destination_refused(void **state)
{
	struct fe_policy_set *s = fe_policy_set_new();
	struct fe_prefix d = pfx("198.18.0.0/16"), d2 = pfx("198.18.0.0/17");

	assert_int_equal(fe_policy_set_match(s, "a", &d, NULL, NULL, err,
					     sizeof(err)), 0);
	assert_int_equal(fe_policy_set_match(s, "b", &d, NULL, NULL, err,
					     sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "policy a"));
	/* nothing changed: b does not exist */
	assert_null(fe_policy_get(s, "b"));
	assert_int_equal(fe_policy_count(s), 1);
	/* a more specific is a different destination: fine */
	assert_int_equal(fe_policy_set_match(s, "b", &d2, NULL, NULL, err,
					     sizeof(err)), 0);
	/* re-matching a policy on its own destination is fine */
	assert_int_equal(fe_policy_set_match(s, "a", &d, NULL, NULL, err,
					     sizeof(err)), 0);
	fe_policy_set_free(s);
}

static void test_bad_input_changes_nothing(void **state)
{
	struct fe_policy_set *s = fe_policy_set_new();
	struct fe_prefix d4 = pfx("198.18.0.0/16"), d6 = pfx("2001:db8::/32");
	struct fe_prefix nh6 = pfx("2001:db8::1/128"), notahost = pfx("192.0.2.0/24");
	const struct fe_policy *p;

	assert_int_equal(fe_policy_set_match(s, "bad name", &d4, NULL, NULL,
					     err, sizeof(err)), -EINVAL);
	assert_int_equal(fe_policy_set_match(s, "", &d4, NULL, NULL, err,
					     sizeof(err)), -EINVAL);
	assert_int_equal(fe_policy_set_match(s, "x", &d4, &d6, NULL, err,
					     sizeof(err)), -EAFNOSUPPORT);
	assert_int_equal(fe_policy_set_match(s, "x", &d4, NULL,
					     "a-very-long-interface-name",
					     err, sizeof(err)), -EINVAL);
	assert_int_equal(fe_policy_count(s), 0);

	assert_int_equal(fe_policy_set_match(s, "x", &d4, NULL, NULL, err,
					     sizeof(err)), 0);
	assert_int_equal(fe_policy_set_action(s, "x", FE_POL_NHG, 0, NULL, err,
					      sizeof(err)), -EINVAL);
	assert_int_equal(fe_policy_set_action(s, "x", FE_POL_PIN, 0, &nh6, err,
					      sizeof(err)), -EAFNOSUPPORT);
	assert_int_equal(fe_policy_set_action(s, "x", FE_POL_EXCLUDE, 0,
					      &notahost, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fe_policy_set_action(s, "x", 42, 0, NULL, err,
					      sizeof(err)), -EINVAL);
	p = fe_policy_get(s, "x");
	assert_false(p->has_action);

	/* an action first, then a match of the wrong family */
	assert_int_equal(fe_policy_set_action(s, "y", FE_POL_PIN, 0, &nh6, err,
					      sizeof(err)), 0);
	d4 = pfx("198.19.0.0/16");
	assert_int_equal(fe_policy_set_match(s, "y", &d4, NULL, NULL, err,
					     sizeof(err)), -EAFNOSUPPORT);
	assert_false(fe_policy_get(s, "y")->has_match);
	fe_policy_set_free(s);
}

static void test_order_ids_and_delete(void **state)
{
	struct fe_policy_set *s = fe_policy_set_new();
	const char *names[] = { "zeta", "alpha", "mid" };
	uint32_t alpha_id;

	for (int i = 0; i < 3; i++) {
		char p[32];
		struct fe_prefix d;

		snprintf(p, sizeof(p), "198.18.%d.0/24", i);
		d = pfx(p);
		assert_int_equal(fe_policy_set_match(s, names[i], &d, NULL, NULL,
						     err, sizeof(err)), 0);
		assert_int_equal(fe_policy_set_action(s, names[i], FE_POL_DROP,
						      0, NULL, err, sizeof(err)),
				 0);
	}
	assert_string_equal(fe_policy_at(s, 0)->name, "alpha");
	assert_string_equal(fe_policy_at(s, 1)->name, "mid");
	assert_string_equal(fe_policy_at(s, 2)->name, "zeta");
	alpha_id = fe_policy_get(s, "alpha")->id;
	/* an update keeps the counter slot */
	assert_int_equal(fe_policy_set_action(s, "alpha", FE_POL_COUNT, 0, NULL,
					      err, sizeof(err)), 0);
	assert_int_equal(fe_policy_get(s, "alpha")->id, alpha_id);
	assert_int_equal(fe_policy_del(s, "alpha"), 0);
	assert_int_equal(fe_policy_del(s, "alpha"), -ENOENT);
	assert_int_equal(fe_policy_count(s), 2);
	/* its slot is free again */
	{
		struct fe_prefix d = pfx("198.18.9.0/24");

		assert_int_equal(fe_policy_set_match(s, "new", &d, NULL, NULL,
						     err, sizeof(err)), 0);
		assert_int_equal(fe_policy_get(s, "new")->id, alpha_id);
	}
	fe_policy_set_free(s);
}

static void test_capacity(void **state)
{
	struct fe_policy_set *s = fe_policy_set_new();
	char name[32];

	for (int i = 0; i < FE_POLICIES_MAX; i++) {
		snprintf(name, sizeof(name), "p%d", i);
		assert_int_equal(fe_policy_set_action(s, name, FE_POL_DROP, 0,
						      NULL, err, sizeof(err)),
				 0);
	}
	assert_int_equal(fe_policy_set_action(s, "one-more", FE_POL_DROP, 0,
					      NULL, err, sizeof(err)), -ENOSPC);
	/* an existing one can still change */
	assert_int_equal(fe_policy_set_action(s, "p7", FE_POL_KERNEL, 0, NULL,
					      err, sizeof(err)), 0);
	fe_policy_set_free(s);
}

static void test_action_names(void **state)
{
	for (int a = FE_POL_DROP; a <= FE_POL_EXCLUDE; a++)
		assert_int_equal(fe_policy_action_parse(fe_policy_action_str(a)),
				 a);
	assert_int_equal(fe_policy_action_parse("nope"), -EINVAL);
}

/* Does prefix pfx/len contain addr (IPv4, host order)? */
static bool covers(uint32_t pfx, unsigned int len, uint32_t addr)
{
	uint32_t mask = len ? ~0u << (32 - len) : 0;

	return ((pfx ^ addr) & mask) == 0;
}

/*
 * The prefilter against a naive check, on random prefixes of every
 * length: an address some prefix covers always has its bit set (no
 * policy is ever skipped), and a bit is set only where some prefix
 * meets that /16 (the filter is as tight as 16 bits allow).
 */
static void test_polmask(void **state)
{
	static struct fe_polmask m;
	uint32_t pfx[40], seed = 12345;
	unsigned int len[40];

	for (int round = 0; round < 50; round++) {
		int n = 1 + round % 40;

		memset(&m, 0, sizeof(m));
		for (int i = 0; i < n; i++) {
			uint8_t a[4];

			seed = seed * 1103515245 + 12345;
			len[i] = 8 + (seed >> 16) % 25; /* 8..32 */
			if (round % 10 == 0 && i == 0)
				len[i] = round % 20 == 0 ? 0 : 3;
			seed = seed * 1103515245 + 12345;
			pfx[i] = len[i] ? seed & (~0u << (32 - len[i])) : 0;
			a[0] = pfx[i] >> 24, a[1] = pfx[i] >> 16;
			a[2] = pfx[i] >> 8, a[3] = pfx[i];
			fe_polmask_add(&m, a, len[i]);
		}
		for (int k = 0; k < 20000; k++) {
			uint32_t addr;
			uint8_t a[4];
			bool any = false, block = false;

			seed = seed * 1103515245 + 12345;
			addr = seed ^ (seed << 7);
			if (k & 1) /* also addresses inside the prefixes */
				addr = pfx[k % n] |
				       (uint32_t)((uint64_t)addr >> (len[k % n] + 1));
			a[0] = addr >> 24, a[1] = addr >> 16;
			a[2] = addr >> 8, a[3] = addr;
			for (int i = 0; i < n; i++) {
				any |= covers(pfx[i], len[i], addr);
				/* the /16 of addr meets prefix i */
				block |= covers(pfx[i], len[i] < 16 ? len[i] : 16,
						addr);
			}
			if (any)
				assert_true(fe_polmask_test(&m, a));
			assert_int_equal(!!fe_polmask_test(&m, a), block);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_policy_encodes),
		cmocka_unit_test(test_conflicting_destination_refused),
		cmocka_unit_test(test_bad_input_changes_nothing),
		cmocka_unit_test(test_order_ids_and_delete),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_action_names),
		cmocka_unit_test(test_polmask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
