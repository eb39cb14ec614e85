// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of lib/fe_slots: path-counter slots of the nexthop groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/fe_slots.h"

static struct fe_nhg_val *group(unsigned int paths, uint8_t first_gw)
{
	static struct fe_nhg_val v;

	memset(&v, 0, sizeof(v));
	v.count = paths;
	for (unsigned int i = 0; i < paths; i++) {
		v.nh[i].ifindex = 2;
		v.nh[i].type = FE_NH_IPV4;
		v.nh[i].weight = 1;
		v.nh[i].addr[0] = 192;
		v.nh[i].addr[3] = first_gw + i;
	}
	return &v;
}

struct reaped {
	uint16_t slot[16];
	uint32_t id[16];
	uint8_t gw3[16];
	int n;
};

static void on_reap(uint16_t slot, const struct fe_slot_info *in, void *arg)
{
	struct reaped *r = arg;

	r->slot[r->n] = slot;
	r->id[r->n] = in->nhg_id;
	r->gw3[r->n] = in->nh[0].addr[3];
	r->n++;
}

/* A rewrite gets a new slot; the old one keeps its paths until reaped. */
static void test_rewrite_retires_old(void **state)
{
	struct fe_slots *s = fe_slots_new(8);
	struct reaped r = {};
	uint16_t a, b;

	(void)state;
	a = fe_slots_take(s, 100, group(2, 1));
	assert_int_not_equal(a, 0);
	b = fe_slots_take(s, 100, group(3, 7));
	assert_int_not_equal(b, 0);
	assert_int_not_equal(a, b);
	fe_slots_retire_others(s, 100, b, 50);
	assert_int_equal(fe_slots_get(s, a)->state, FE_SLOT_RETIRED);
	assert_int_equal(fe_slots_get(s, b)->state, FE_SLOT_LIVE);
	assert_int_equal(fe_slots_get(s, b)->count, 3);

	/* not before its time */
	assert_int_equal(fe_slots_reap(s, 49, on_reap, &r), 0);
	assert_int_equal(fe_slots_reap(s, 50, on_reap, &r), 1);
	assert_int_equal(r.slot[0], a);
	assert_int_equal(r.id[0], 100);
	assert_int_equal(r.gw3[0], 1); /* the old paths, not the new ones */
	assert_null(fe_slots_get(s, a));
	assert_int_equal(fe_slots_used(s), 1);
	fe_slots_free(s);
}

/* Other groups' slots are left alone; a dropped slot is free at once. */
static void test_retire_only_that_group(void **state)
{
	struct fe_slots *s = fe_slots_new(16);
	uint16_t a, b, c;

	(void)state;
	a = fe_slots_take(s, 1, group(1, 1));
	b = fe_slots_take(s, 1025, group(1, 2)); /* same bucket as 1? no matter */
	c = fe_slots_take(s, 1, group(1, 3));
	fe_slots_retire_others(s, 1, c, 10);
	assert_int_equal(fe_slots_get(s, a)->state, FE_SLOT_RETIRED);
	assert_int_equal(fe_slots_get(s, b)->state, FE_SLOT_LIVE);
	assert_int_equal(fe_slots_get(s, c)->state, FE_SLOT_LIVE);
	fe_slots_drop(s, c);
	assert_null(fe_slots_get(s, c));
	assert_int_equal(fe_slots_used(s), 2);
	fe_slots_free(s);
}

/* Too many paths, or no slot left: 0, and the caller counts the old way. */
static void test_no_slot(void **state)
{
	struct fe_slots *s = fe_slots_new(3); /* slots 1 and 2 */

	(void)state;
	assert_int_equal(fe_slots_take(s, 1, group(FE_SLOT_PATHS + 1, 1)), 0);
	assert_int_not_equal(fe_slots_take(s, 1, group(1, 1)), 0);
	assert_int_not_equal(fe_slots_take(s, 2, group(1, 1)), 0);
	assert_int_equal(fe_slots_take(s, 3, group(1, 1)), 0);
	/* freed by reaping, given again */
	fe_slots_retire_others(s, 1, 0, 5);
	assert_int_equal(fe_slots_reap(s, 5, NULL, NULL), 1);
	assert_int_not_equal(fe_slots_take(s, 3, group(1, 1)), 0);
	fe_slots_free(s);
}

/* Slots of pinned groups (a restarted zebra) are live, never given twice. */
static void test_adopt(void **state)
{
	struct fe_slots *s = fe_slots_new(4);
	uint16_t got[3];

	(void)state;
	assert_true(fe_slots_adopt(s, 2, 7, group(2, 1)));
	assert_false(fe_slots_adopt(s, 2, 8, group(2, 1))); /* taken */
	assert_false(fe_slots_adopt(s, 0, 8, group(2, 1)));
	assert_false(fe_slots_adopt(s, 4, 8, group(2, 1))); /* out of range */
	got[0] = fe_slots_take(s, 9, group(1, 1));
	got[1] = fe_slots_take(s, 10, group(1, 1));
	got[2] = fe_slots_take(s, 11, group(1, 1));
	assert_int_not_equal(got[0], 2);
	assert_int_not_equal(got[1], 2);
	assert_int_not_equal(got[0], 0);
	assert_int_not_equal(got[1], 0);
	assert_int_equal(got[2], 0); /* 1 and 3 given, 2 adopted */
	fe_slots_free(s);
}

/* Many rewrites of many groups: never two owners, nothing leaks. */
static void test_churn(void **state)
{
	enum { N = 64, GROUPS = 20 };
	struct fe_slots *s = fe_slots_new(N);
	uint16_t live[GROUPS] = {};
	uint64_t now = 0;

	(void)state;
	srand(1);
	for (int round = 0; round < 20000; round++) {
		uint32_t g = rand() % GROUPS;
		uint16_t n = fe_slots_take(s, g + 1, group(1 + rand() % 4, g));

		now++;
		if (n) {
			fe_slots_retire_others(s, g + 1, n, now);
			live[g] = n;
		}
		fe_slots_reap(s, now - 3, NULL, NULL);
		for (int i = 0; i < GROUPS; i++) {
			const struct fe_slot_info *in =
				live[i] ? fe_slots_get(s, live[i]) : NULL;

			if (!live[i])
				continue;
			assert_non_null(in);
			assert_int_equal(in->nhg_id, (uint32_t)i + 1);
			assert_int_equal(in->state, FE_SLOT_LIVE);
		}
	}
	fe_slots_reap(s, now, NULL, NULL);
	assert_int_equal(fe_slots_used(s), GROUPS);
	fe_slots_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrite_retires_old),
		cmocka_unit_test(test_retire_only_that_group),
		cmocka_unit_test(test_no_slot),
		cmocka_unit_test(test_adopt),
		cmocka_unit_test(test_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
