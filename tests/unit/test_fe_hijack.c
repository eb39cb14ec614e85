// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of lib/fe_hijack: every rule of hijack detection. */
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

#include "lib/fe_hijack.h"

struct ev {
	enum fe_hijack_action act;
	enum fe_hijack_kind kind;
	char prefix[64];
	uint32_t origin;
	bool origin_known;
	uint32_t prev_origin;
};

static struct {
	struct ev e[64];
	int n;
} seen;

static void record(const struct fe_hijack_protect *pr,
		   const struct fe_hijack_alert *a, enum fe_hijack_action act,
		   int64_t now, void *arg)
{
	struct ev *e = &seen.e[seen.n < 64 ? seen.n : 63];

	e->act = act;
	e->kind = a->kind;
	fe_prefix_str(&a->prefix, e->prefix, sizeof(e->prefix));
	e->origin = a->origin;
	e->origin_known = a->origin_known;
	e->prev_origin = a->prev_origin;
	seen.n++;
}

static char err[256];

static struct fe_hijack_set *setup_one(const char *prefix, int max_len,
				       uint32_t o1, uint32_t o2)
{
	struct fe_hijack_set *s = fe_hijack_new(record, NULL);
	struct fe_prefix p = pfx(prefix);
	uint32_t o[2] = { o1, o2 };

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(fe_hijack_protect(s, &p, o, o2 ? 2 : 1, max_len,
					   true, 0, err, sizeof(err)),
			 0);
	return s;
}

static int change(struct fe_hijack_set *s, const char *prefix, bool present,
		  bool known, uint32_t origin, int64_t now)
{
	struct fe_hijack_route r = { .prefix = pfx(prefix),
				     .present = present,
				     .origin_known = known,
				     .origin = origin };

	return fe_hijack_route_change(s, &r, now);
}

static void test_exact_expected_origin_is_quiet(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/24", -1, 64500, 64501);

	assert_int_equal(change(s, "192.0.2.0/24", true, true, 64500, 1), 1);
	assert_int_equal(change(s, "192.0.2.0/24", true, true, 64500, 2), 1);
	assert_int_equal(seen.n, 0);
	assert_true(fe_hijack_get(s, &(struct fe_prefix){ 0 }) == NULL);
	/* Unrelated and covering routes are not ours. */
	assert_int_equal(change(s, "198.51.100.0/24", true, true, 666, 3), 0);
	assert_int_equal(change(s, "192.0.0.0/16", true, true, 666, 3), 0);
	assert_int_equal(change(s, "0.0.0.0/0", true, true, 666, 3), 0);
	assert_int_equal(seen.n, 0);
	fe_hijack_free(s);
}

static void test_exact_unexpected_origin(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/24", -1, 64500, 0);
	const struct fe_hijack_protect *pr;

	change(s, "192.0.2.0/24", true, true, 64666, 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.e[0].act, FE_HIJACK_RAISED);
	assert_int_equal(seen.e[0].kind, FE_HIJACK_ORIGIN);
	assert_int_equal(seen.e[0].origin, 64666);
	/* The same hijack announced again is not a new event. */
	change(s, "192.0.2.0/24", true, true, 64666, 2);
	assert_int_equal(seen.n, 1);
	pr = fe_hijack_at(s, 0);
	assert_int_equal(pr->nalerts, 1);
	/* Back to the expected origin: cleared, and MOAS seen twice. */
	change(s, "192.0.2.0/24", true, true, 64500, 3);
	assert_int_equal(seen.e[1].kind, FE_HIJACK_MOAS);
	assert_int_equal(seen.e[1].prev_origin, 64666);
	assert_int_equal(seen.e[2].act, FE_HIJACK_CLEARED);
	assert_int_equal(seen.e[2].kind, FE_HIJACK_ORIGIN);
	assert_int_equal(pr->nalerts, 1); /* MOAS stays */
	fe_hijack_free(s);
}

static void test_moas(void **state)
{
	struct fe_hijack_set *s = setup_one("2001:db8::/32", -1, 64500, 64501);
	const struct fe_hijack_protect *pr = fe_hijack_at(s, 0);

	change(s, "2001:db8::/32", true, true, 64500, 1);
	change(s, "2001:db8::/32", true, true, 64501, 2);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.e[0].kind, FE_HIJACK_MOAS);
	assert_int_equal(seen.e[0].origin, 64501);
	assert_int_equal(seen.e[0].prev_origin, 64500);
	/* Each further origin change is reported. */
	change(s, "2001:db8::/32", true, true, 64500, 3);
	assert_int_equal(seen.n, 2);
	/* Withdrawn and back with another origin: still MOAS. */
	change(s, "2001:db8::/32", false, false, 0, 4);
	change(s, "2001:db8::/32", true, true, 64501, 5);
	assert_int_equal(seen.e[seen.n - 2].kind, FE_HIJACK_WITHDRAWN);
	assert_int_equal(seen.e[seen.n - 2].act, FE_HIJACK_CLEARED);
	assert_int_equal(seen.e[seen.n - 1].kind, FE_HIJACK_MOAS);
	/* Operator clears: every alert reported as cleared. */
	assert_int_equal(fe_hijack_clear(s, &pr->prefix, 6), 1);
	assert_int_equal(pr->nalerts, 0);
	assert_int_equal(seen.e[seen.n - 1].act, FE_HIJACK_CLEARED);
	fe_hijack_free(s);
}

static void test_withdrawal(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/24", -1, 64500, 0);

	/* Gone before ever seen: nothing to report. */
	change(s, "192.0.2.0/24", false, false, 0, 1);
	assert_int_equal(seen.n, 0);
	change(s, "192.0.2.0/24", true, true, 64500, 2);
	change(s, "192.0.2.0/24", false, false, 0, 3);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.e[0].kind, FE_HIJACK_WITHDRAWN);
	assert_int_equal(seen.e[0].act, FE_HIJACK_RAISED);
	assert_int_equal(seen.e[0].origin, 64500);
	change(s, "192.0.2.0/24", false, false, 0, 4);
	assert_int_equal(seen.n, 1);
	change(s, "192.0.2.0/24", true, true, 64500, 5);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.e[1].act, FE_HIJACK_CLEARED);
	fe_hijack_free(s);
}

static void test_more_specific_beyond_max_length(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/23", 24, 64500, 0);

	/* Within max-length from an expected origin: fine. */
	change(s, "192.0.3.0/24", true, true, 64500, 1);
	assert_int_equal(seen.n, 0);
	/* Beyond max-length, even from an expected origin or unknown. */
	change(s, "192.0.2.128/25", true, true, 64500, 2);
	change(s, "192.0.3.0/26", true, false, 0, 2);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.e[0].kind, FE_HIJACK_MORE_SPECIFIC);
	assert_string_equal(seen.e[0].prefix, "192.0.2.128/25");
	assert_int_equal(fe_hijack_at(s, 0)->alerts[0].beyond_max_length, 1);
	/* It goes: cleared (mitigation reverts). */
	change(s, "192.0.2.128/25", false, false, 0, 3);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.e[2].act, FE_HIJACK_CLEARED);
	assert_string_equal(seen.e[2].prefix, "192.0.2.128/25");
	assert_int_equal(fe_hijack_at(s, 0)->nalerts, 1);
	fe_hijack_free(s);
}

static void test_more_specific_unexpected_origin(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/23", 24, 64500, 0);

	change(s, "192.0.2.0/24", true, true, 64666, 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.e[0].kind, FE_HIJACK_MORE_SPECIFIC);
	assert_int_equal(seen.e[0].origin, 64666);
	assert_false(fe_hijack_at(s, 0)->alerts[0].beyond_max_length);
	/* Becomes acceptable: cleared. */
	change(s, "192.0.2.0/24", true, true, 64500, 2);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.e[1].act, FE_HIJACK_CLEARED);
	fe_hijack_free(s);
}

static void test_origin_unknown_skips_origin_checks(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/23", 24, 64500, 0);

	change(s, "192.0.2.0/23", true, false, 0, 1);
	change(s, "192.0.2.0/24", true, false, 0, 1);
	assert_int_equal(seen.n, 0);
	/* Known origins then unknown: no MOAS from the unknown one. */
	change(s, "192.0.2.0/23", true, true, 64500, 2);
	change(s, "192.0.2.0/23", true, false, 0, 3);
	change(s, "192.0.2.0/23", true, true, 64500, 4);
	assert_int_equal(seen.n, 0);
	/* Withdrawal is still seen. */
	change(s, "192.0.2.0/23", false, false, 0, 5);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.e[0].kind, FE_HIJACK_WITHDRAWN);
	fe_hijack_free(s);
}

static void test_bad_input_changes_nothing(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/24", -1, 64500, 0);
	struct fe_prefix p;
	uint32_t o[17], zero = 0, trans = FE_HIJACK_AS_TRANS, ok = 64500;

	/* Overlaps: covering, covered, and in another family fine. */
	p = pfx("192.0.0.0/16");
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 1, -1, false, 0, err,
					   sizeof(err)),
			 -EEXIST);
	assert_non_null(strstr(err, "overlaps"));
	p = pfx("192.0.2.128/25");
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 1, -1, false, 0, err,
					   sizeof(err)),
			 -EEXIST);
	p = pfx("192.0.3.0/24");
	assert_int_equal(fe_hijack_protect(s, &p, &zero, 1, -1, false, 0, err,
					   sizeof(err)),
			 -EINVAL);
	assert_int_equal(fe_hijack_protect(s, &p, &trans, 1, -1, false, 0, err,
					   sizeof(err)),
			 -EINVAL);
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 0, -1, false, 0, err,
					   sizeof(err)),
			 -EINVAL);
	for (int i = 0; i < 17; i++)
		o[i] = 64500 + i;
	assert_int_equal(fe_hijack_protect(s, &p, o, 17, -1, false, 0, err,
					   sizeof(err)),
			 -EINVAL);
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 1, 23, false, 0, err,
					   sizeof(err)),
			 -EINVAL);
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 1, 33, false, 0, err,
					   sizeof(err)),
			 -EINVAL);
	assert_int_equal(fe_hijack_count(s), 1);
	/* Adjacent and other-family protections are fine, kept sorted. */
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 1, 32, false, 0, err,
					   sizeof(err)),
			 0);
	p = pfx("2001:db8::/32");
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 1, 48, false, 0, err,
					   sizeof(err)),
			 0);
	p = pfx("10.0.0.0/8");
	assert_int_equal(fe_hijack_protect(s, &p, &ok, 1, -1, false, 0, err,
					   sizeof(err)),
			 0);
	assert_int_equal(fe_hijack_count(s), 4);
	assert_int_equal(fe_hijack_at(s, 0)->prefix.addr[0], 10);
	assert_int_equal(fe_hijack_at(s, 3)->prefix.family, AF_INET6);
	p = pfx("192.0.3.77/32");
	assert_ptr_equal(fe_hijack_covering(s, &p), fe_hijack_at(s, 2));
	p = pfx("192.0.4.0/24");
	assert_null(fe_hijack_covering(s, &p));
	p = pfx("10.0.0.0/8");
	assert_int_equal(fe_hijack_unprotect(s, &p, 0), 0);
	assert_int_equal(fe_hijack_unprotect(s, &p, 0), -ENOENT);
	assert_int_equal(fe_hijack_clear(s, &p, 0), -ENOENT);
	fe_hijack_free(s);
}

/* Re-protecting the same prefix replaces it and clears its alerts. */
static void test_reprotect_clears(void **state)
{
	struct fe_hijack_set *s = setup_one("192.0.2.0/24", -1, 64500, 0);
	struct fe_prefix p = pfx("192.0.2.0/24");
	uint32_t o[3] = { 64666, 64666, 64500 };

	change(s, "192.0.2.0/24", true, true, 64666, 1);
	assert_int_equal(seen.n, 1);
	assert_int_equal(fe_hijack_protect(s, &p, o, 3, 25, false, 2, err,
					   sizeof(err)),
			 0);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.e[1].act, FE_HIJACK_CLEARED);
	assert_int_equal(fe_hijack_at(s, 0)->norigins, 2); /* deduplicated */
	assert_int_equal(fe_hijack_at(s, 0)->max_len, 25);
	change(s, "192.0.2.0/24", true, true, 64666, 3);
	assert_int_equal(seen.n, 2);
	/* Unprotect clears what stands. */
	change(s, "192.0.2.0/26", true, true, 64666, 4);
	assert_int_equal(seen.n, 3);
	assert_int_equal(fe_hijack_unprotect(s, &p, 5), 0);
	assert_int_equal(seen.n, 4);
	assert_int_equal(seen.e[3].act, FE_HIJACK_CLEARED);
	fe_hijack_free(s);
}

static void test_alert_list_bounded(void **state)
{
	struct fe_hijack_set *s = setup_one("10.0.0.0/8", -1, 64500, 0);
	char buf[32];

	for (int i = 0; i < FE_HIJACK_ALERTS_MAX + 10; i++) {
		snprintf(buf, sizeof(buf), "10.%d.0.0/16", i);
		change(s, buf, true, true, 64500, i);
	}
	assert_int_equal(seen.n, FE_HIJACK_ALERTS_MAX + 10);
	assert_int_equal(fe_hijack_at(s, 0)->nalerts, FE_HIJACK_ALERTS_MAX);
	assert_int_equal(fe_hijack_at(s, 0)->alerts_untracked, 10);
	fe_hijack_free(s);
}

static void test_aspath_origin(void **state)
{
	uint32_t o = 0;

	assert_true(fe_aspath_origin("64500", &o));
	assert_int_equal(o, 64500);
	assert_true(fe_aspath_origin("65001 65002 4200000000", &o));
	assert_int_equal(o, 4200000000u);
	assert_true(fe_aspath_origin("(65010 65011) 65001 64501 ", &o));
	assert_int_equal(o, 64501);
	assert_true(fe_aspath_origin("65001 1.10", &o));
	assert_int_equal(o, 65546);
	assert_false(fe_aspath_origin("", &o));
	assert_false(fe_aspath_origin("   ", &o));
	assert_false(fe_aspath_origin(NULL, &o));
	assert_false(fe_aspath_origin("65001 {65002,65003}", &o));
	assert_false(fe_aspath_origin("(65010 65011)", &o));
	assert_false(fe_aspath_origin("65001 abc", &o));

	assert_true(fe_asn_parse("4294967295", &o));
	assert_false(fe_asn_parse("4294967296", &o));
	assert_false(fe_asn_parse("0", &o));
	assert_false(fe_asn_parse("-1", &o));
	assert_false(fe_asn_parse("", &o));
	assert_false(fe_asn_parse("1.65536", &o));
	assert_false(fe_asn_parse("1.", &o));
	assert_false(fe_asn_parse(".1", &o));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_expected_origin_is_quiet),
		cmocka_unit_test(test_exact_unexpected_origin),
		cmocka_unit_test(test_moas),
		cmocka_unit_test(test_withdrawal),
		cmocka_unit_test(test_more_specific_beyond_max_length),
		cmocka_unit_test(test_more_specific_unexpected_origin),
		cmocka_unit_test(test_origin_unknown_skips_origin_checks),
		cmocka_unit_test(test_bad_input_changes_nothing),
		cmocka_unit_test(test_reprotect_clears),
		cmocka_unit_test(test_alert_list_bounded),
		cmocka_unit_test(test_aspath_origin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
