// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of lib/fe_flap: penalties on simulated timelines. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "tests/unit/test_pfx.h"

#include "lib/fe_flap.h"

#define SEC 1000LL

/* Events seen, in order. */
static struct {
	enum fe_flap_event ev[64];
	int64_t at[64];
	int n;
} seen;

static void record(const struct fe_flap_entry *e, enum fe_flap_event ev,
		   int64_t now, void *arg)
{
	(void)e;
	(void)arg;
	if (seen.n < 64) {
		seen.ev[seen.n] = ev;
		seen.at[seen.n] = now;
	}
	seen.n++;
}

static struct fe_flap_config cfg(uint32_t hl, uint32_t sup, uint32_t reuse,
				 uint32_t max)
{
	struct fe_flap_config c;

	fe_flap_config_default(&c);
	c.half_life = hl;
	c.suppress = sup;
	c.reuse = reuse;
	c.max_penalty = max;
	return c;
}

static int setup(void **state)
{
	memset(&seen, 0, sizeof(seen));
	return 0;
}

static void test_defaults_valid(void **state)
{
	struct fe_flap_config c;
	char err[256];

	fe_flap_config_default(&c);
	assert_int_equal(fe_flap_config_check(&c, err, sizeof(err)), 0);
	assert_int_equal(c.half_life, 900);
	assert_true(c.reuse < c.suppress && c.suppress < c.max_penalty);
}

static void test_thresholds_out_of_order(void **state)
{
	struct fe_flap_config c = cfg(60, 2000, 2000, 5000);
	struct fe_flap_table *t;
	char err[256] = "";

	assert_int_equal(fe_flap_config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "reuse-threshold"));
	c = cfg(60, 6000, 750, 6000);
	assert_int_equal(fe_flap_config_check(&c, err, sizeof(err)), -EINVAL);
	c = cfg(0, 6000, 750, 12000);
	assert_int_equal(fe_flap_config_check(&c, err, sizeof(err)), -EINVAL);
	assert_null(fe_flap_new(&c, NULL, NULL));

	/* A rejected change keeps the old configuration. */
	c = cfg(60, 6000, 750, 12000);
	t = fe_flap_new(&c, NULL, NULL);
	assert_non_null(t);
	c.reuse = 7000;
	assert_int_equal(fe_flap_set_config(t, &c, err, sizeof(err)), -EINVAL);
	assert_int_equal(fe_flap_get_config(t)->reuse, 750);
	fe_flap_free(t);
}

static void test_half_life_halves(void **state)
{
	struct fe_flap_config c = cfg(60, 6000, 750, 12000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	struct fe_prefix p = pfx("192.0.2.0/24");
	const struct fe_flap_entry *e;

	assert_int_equal(fe_flap_change(t, &p, FE_FLAP_DELETE, 1000 * SEC), 0);
	e = fe_flap_get(t, &p);
	assert_non_null(e);
	assert_true(fabs(fe_flap_penalty(t, e, 1000 * SEC) - 1000) < 1e-9);
	assert_true(fabs(fe_flap_penalty(t, e, 1060 * SEC) - 500) < 1e-6);
	assert_true(fabs(fe_flap_penalty(t, e, 1120 * SEC) - 250) < 1e-6);
	assert_true(fabs(fe_flap_penalty(t, e, 1030 * SEC) - 1000 / sqrt(2)) <
		    1e-6);
	/* Decay and addition: 500 left after one half-life, plus 500. */
	assert_int_equal(fe_flap_change(t, &p, FE_FLAP_INSTALL, 1060 * SEC), 0);
	assert_true(fabs(e->penalty - 1000) < 1e-6);
	assert_int_equal(e->changes, 2);
	assert_int_equal(e->first, 1000 * SEC);
	assert_int_equal(e->updated, 1060 * SEC);
	assert_int_equal(seen.n, 0);
	fe_flap_free(t);
}

static void test_first_install_is_free(void **state)
{
	struct fe_flap_config c = cfg(60, 6000, 750, 12000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	struct fe_prefix p = pfx("2001:db8::/32");

	assert_int_equal(fe_flap_change(t, &p, FE_FLAP_INSTALL, 0), 0);
	assert_null(fe_flap_get(t, &p));
	assert_int_equal(fe_flap_count(t), 0);
	assert_int_equal(fe_flap_change(t, &p, FE_FLAP_UPDATE, 0), 0);
	assert_non_null(fe_flap_get(t, &p));
	assert_true(fabs(fe_flap_get(t, &p)->penalty - 500) < 1e-9);
	fe_flap_free(t);
}

/*
 * A route flapping every 2 s (delete then install 1 s later): 1500 per
 * flap less the decay, so with a 60 s half-life suppress 5500 is crossed
 * at the fourth flap's install; stable comes H * log2(P / reuse) after
 * the last change.
 */
static void test_crossings_at_the_right_times(void **state)
{
	struct fe_flap_config c = cfg(60, 5500, 750, 12000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	struct fe_prefix p = pfx("198.51.100.0/24");
	const struct fe_flap_entry *e;
	int64_t now = 0, last, expect;
	double pen;

	for (int i = 0; i < 4; i++) {
		fe_flap_change(t, &p, FE_FLAP_DELETE, now);
		now += SEC;
		fe_flap_change(t, &p, FE_FLAP_INSTALL, now);
		if (i < 3)
			assert_int_equal(seen.n, 0);
		now += SEC;
	}
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.ev[0], FE_FLAP_EV_FLAPPING);
	assert_int_equal(seen.at[0], 7 * SEC);
	e = fe_flap_get(t, &p);
	assert_true(e->flapping);
	assert_int_equal(fe_flap_flapping_count(t), 1);
	last = e->updated;
	pen = e->penalty;
	assert_true(pen > 5500 && pen < 6000 + 1);
	expect = last + (int64_t)ceil(60 * SEC * log2(pen / 750));
	assert_int_equal(e->reuse_at, expect);

	/* Ticks before the reuse time say nothing, the one after does. */
	fe_flap_tick(t, expect - 1, 16);
	assert_int_equal(seen.n, 1);
	assert_true(fe_flap_penalty(t, e, expect - 1000) > 750);
	fe_flap_tick(t, expect, 16);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.ev[1], FE_FLAP_EV_STABLE);
	assert_int_equal(seen.at[1], expect);
	assert_int_equal(fe_flap_flapping_count(t), 0);
	assert_true(fe_flap_penalty(t, e, expect) <= 750.0 + 1e-6);
	fe_flap_free(t);
}

/* Without ticks, the next change reports stable before anything else. */
static void test_stable_on_change_without_tick(void **state)
{
	struct fe_flap_config c = cfg(10, 2000, 1000, 4000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	struct fe_prefix p = pfx("203.0.113.0/24");

	fe_flap_change(t, &p, FE_FLAP_DELETE, 0);
	fe_flap_change(t, &p, FE_FLAP_DELETE, 0);
	assert_int_equal(seen.n, 1);
	/* 2000 -> 1000 after 10 s; at 20 s it is 500: below reuse. */
	fe_flap_change(t, &p, FE_FLAP_DELETE, 20 * SEC);
	assert_int_equal(seen.n, 2);
	assert_int_equal(seen.ev[1], FE_FLAP_EV_STABLE);
	assert_false(fe_flap_get(t, &p)->flapping);
	fe_flap_free(t);
}

static void test_ceiling(void **state)
{
	struct fe_flap_config c = cfg(60, 6000, 750, 12000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	struct fe_prefix p = pfx("192.0.2.0/25");
	const struct fe_flap_entry *e;

	for (int i = 0; i < 100; i++)
		fe_flap_change(t, &p, FE_FLAP_DELETE, 0);
	e = fe_flap_get(t, &p);
	assert_true(fabs(e->penalty - 12000) < 1e-9);
	assert_int_equal(e->changes, 100);
	assert_int_equal(seen.n, 1);
	/* The ceiling bounds the time to stable: 4 half-lives here. */
	assert_int_equal(e->reuse_at, 4 * 60 * SEC);
	fe_flap_free(t);
}

static void test_expiry(void **state)
{
	struct fe_flap_config c = cfg(60, 6000, 750, 12000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	struct fe_prefix p = pfx("192.0.2.0/24");

	fe_flap_change(t, &p, FE_FLAP_DELETE, 0);
	/* 1000 decays below reuse/2 = 375 after log2(1000/375) = 1.42 H. */
	assert_int_equal(fe_flap_tick(t, 84 * SEC, 1 << 20), 0);
	assert_int_equal(fe_flap_count(t), 1);
	assert_int_equal(fe_flap_tick(t, 86 * SEC, 1 << 20), 1);
	assert_int_equal(fe_flap_count(t), 0);
	assert_null(fe_flap_get(t, &p));
	/* Decayed but not swept: the next change starts afresh. */
	fe_flap_change(t, &p, FE_FLAP_DELETE, 100 * SEC);
	fe_flap_change(t, &p, FE_FLAP_DELETE, 300 * SEC);
	assert_int_equal(fe_flap_get(t, &p)->changes, 1);
	assert_int_equal(fe_flap_get(t, &p)->first, 300 * SEC);
	/* An install after the history is forgotten is free, as a first one. */
	assert_int_equal(fe_flap_change(t, &p, FE_FLAP_INSTALL, 1000 * SEC), 0);
	assert_null(fe_flap_get(t, &p));
	assert_int_equal(fe_flap_count(t), 0);
	fe_flap_free(t);
}

/* A changed half-life moves the reuse time of flapping prefixes. */
static void test_config_change_keeps_penalties(void **state)
{
	struct fe_flap_config c = cfg(60, 2000, 1000, 8000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	struct fe_prefix p = pfx("10.0.0.0/8");
	char err[128];

	for (int i = 0; i < 4; i++)
		fe_flap_change(t, &p, FE_FLAP_DELETE, 0);
	assert_int_equal(fe_flap_get(t, &p)->reuse_at, 120 * SEC);
	c.half_life = 30;
	assert_int_equal(fe_flap_set_config(t, &c, err, sizeof(err)), 0);
	assert_int_equal(fe_flap_get(t, &p)->reuse_at, 60 * SEC);
	assert_true(fabs(fe_flap_get(t, &p)->penalty - 4000) < 1e-9);
	fe_flap_free(t);
}

/*
 * Many prefixes: 1M changes over 1M distinct prefixes, each O(1); then
 * a sweep in bounded slices frees them all once decayed.
 */
static void test_many_prefixes(void **state)
{
	struct fe_flap_config c = cfg(60, 6000, 750, 12000);
	struct fe_flap_table *t = fe_flap_new(&c, record, NULL);
	const size_t n = 1000000;
	struct timespec a, b;
	size_t expired = 0;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < n; i++) {
		uint32_t addr = htonl(0x0a000000u + (uint32_t)(i << 8));
		struct fe_prefix p;

		fe_prefix_set(&p, AF_INET, &addr, 24);
		assert_int_equal(fe_flap_change(t, &p, FE_FLAP_DELETE, 0), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n;
	print_message("  1M prefixes: %.0f ns per change of a new prefix, %zu bytes\n", ns,
		      fe_flap_memory(t));
	assert_int_equal(fe_flap_count(t), n);
	/* Steady state: changes of prefixes that already have an entry. */
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (size_t i = 0; i < n; i++) {
		uint32_t addr = htonl(0x0a000000u + (uint32_t)(i << 8));
		struct fe_prefix p;

		fe_prefix_set(&p, AF_INET, &addr, 24);
		assert_int_equal(fe_flap_change(t, &p, FE_FLAP_INSTALL, SEC), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	print_message("  1M prefixes: %.0f ns per change of a known prefix\n",
		      ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
	/* Every one is found again. */
	for (size_t i = 0; i < n; i += 9973) {
		uint32_t addr = htonl(0x0a000000u + (uint32_t)(i << 8));
		struct fe_prefix p;

		fe_prefix_set(&p, AF_INET, &addr, 24);
		assert_non_null(fe_flap_get(t, &p));
	}
	/* Nothing expires early; a bounded tick touches a bounded slice. */
	assert_int_equal(fe_flap_tick(t, 60 * SEC, 1 << 22), 0);
	while (fe_flap_count(t)) {
		size_t got = fe_flap_tick(t, 3600 * SEC, 4096);

		assert_true(got <= 4096 * 8);
		expired += got;
	}
	assert_int_equal(expired, n);
	assert_int_equal(seen.n, 0);
	fe_flap_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_valid, setup),
		cmocka_unit_test_setup(test_thresholds_out_of_order, setup),
		cmocka_unit_test_setup(test_half_life_halves, setup),
		cmocka_unit_test_setup(test_first_install_is_free, setup),
		cmocka_unit_test_setup(test_crossings_at_the_right_times, setup),
		cmocka_unit_test_setup(test_stable_on_change_without_tick, setup),
		cmocka_unit_test_setup(test_ceiling, setup),
		cmocka_unit_test_setup(test_expiry, setup),
		cmocka_unit_test_setup(test_config_change_keeps_penalties, setup),
		cmocka_unit_test_setup(test_many_prefixes, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
