// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of growing the group array while a table is in use:
 * lib/fe_groups.c fe_groups_grow() (the free stack and the pending ring
 * carried over, checked against a model of the pool through thousands of
 * random takes, releases, grace periods and growths) and lib/fe_lpm6.c
 * fe_lpm6_regroup() (errors change nothing; -ENOSPC then a larger copy of
 * the array handed over and the add goes in; pending groups stay pending
 * until a grace period with a mark from before the growth; IPv4 and IPv6
 * tables grown from 2 groups by doubling through thousands of random
 * prefixes, every lookup compared with a reference after each growth).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "lib/fe_groups.h"
#include "lib/fe_lpm6.h"
#include "tests/unit/test_lpm_tabs.h"

#define IP(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Deterministic generator: tests must not depend on the clock. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ================================================================== */
/* fe_groups                                                           */
/* ================================================================== */

/* Takes all free groups, in order, into out; returns how many. */
static uint32_t take_all(struct fe_groups *g, uint32_t *out)
{
	uint32_t n = 0;

	while (g->nfree)
		out[n++] = fe_groups_take(g);
	return n;
}

/* Growth: the new groups are free, taken after the old free ones. */
static void test_groups_grow_order(void **state)
{
	struct fe_groups g;
	uint32_t got[16];

	(void)state;
	assert_int_equal(fe_groups_init(&g, 4), 0);
	assert_int_equal(fe_groups_take(&g), 0);
	assert_int_equal(fe_groups_take(&g), 1);

	/* Not larger: refused, nothing changed. */
	assert_int_equal(fe_groups_grow(&g, 4), -EINVAL);
	assert_int_equal(fe_groups_grow(&g, 3), -EINVAL);
	assert_int_equal(fe_groups_grow(&g, 0), -EINVAL);
	assert_int_equal(g.total, 4);
	assert_int_equal(g.nfree, 2);
	assert_int_equal(g.used, 2);

	assert_int_equal(fe_groups_grow(&g, 7), 0);
	assert_int_equal(g.total, 7);
	assert_int_equal(g.nfree, 5);
	assert_int_equal(g.used, 2);
	assert_int_equal(fe_groups_pending(&g), 0);
	assert_int_equal(take_all(&g, got), 5);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(got[i], 2 + i);
	assert_true(fe_groups_heap_bytes(&g) >= 2 * 7 * sizeof(uint32_t));
	fe_groups_fini(&g);

	/* From an empty pool. */
	assert_int_equal(fe_groups_init(&g, 0), 0);
	assert_int_equal(g.nfree, 0);
	assert_int_equal(fe_groups_grow(&g, 3), 0);
	assert_int_equal(take_all(&g, got), 3);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(got[i], i);
	/* Released, grown again while pending, back after grace. */
	fe_groups_release(&g, 1);
	assert_int_equal(fe_groups_grow(&g, 4), 0);
	assert_int_equal(fe_groups_pending(&g), 1);
	assert_int_equal(take_all(&g, got), 1);
	assert_int_equal(got[0], 3);
	fe_groups_grace_upto(&g, g.freed_seq);
	assert_int_equal(take_all(&g, got), 1);
	assert_int_equal(got[0], 1);
	fe_groups_fini(&g);
}

/*
 * The pending ring wraps around its end when the pool grows: the groups
 * released before the growth still come back, exactly those, in release
 * order, and only up to the grace mark.
 */
static void test_groups_grow_ring_wrap(void **state)
{
	static const uint32_t first[] = { 3, 7, 1 }, second[] = { 6, 0, 4 };
	struct fe_groups g;
	uint32_t got[64], got2[8];
	uint64_t mark;

	(void)state;
	assert_int_equal(fe_groups_init(&g, 8), 0);
	assert_int_equal(take_all(&g, got), 8);
	/* Move the ring's start to slot 5. */
	for (uint32_t i = 0; i < 5; i++)
		fe_groups_release(&g, i);
	fe_groups_grace_upto(&g, g.freed_seq);
	assert_int_equal(take_all(&g, got), 5);
	assert_int_equal(g.freed_seq, 5);

	/* Six releases, slots 5 6 7 0 1 2: across the end of the ring. */
	for (int i = 0; i < 3; i++)
		fe_groups_release(&g, first[i]);
	mark = g.freed_seq;
	for (int i = 0; i < 3; i++)
		fe_groups_release(&g, second[i]);
	assert_int_equal(fe_groups_pending(&g), 6);
	assert_int_equal(g.pending[7], 1);
	assert_int_equal(g.pending[0], 6);

	/* 13: the sequences 5..10 land in slots 5..10 of the new ring. */
	assert_int_equal(fe_groups_grow(&g, 13), 0);
	assert_int_equal(fe_groups_pending(&g), 6);
	assert_int_equal(g.nfree, 5);
	assert_int_equal(g.used, 2);

	/* Up to the mark: the first three only, last released on top. */
	fe_groups_grace_upto(&g, mark);
	assert_int_equal(fe_groups_pending(&g), 3);
	assert_int_equal(take_all(&g, got), 8);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], 7);
	assert_int_equal(got[2], 3);
	for (uint32_t i = 0; i < 5; i++)
		assert_int_equal(got[3 + i], 8 + i);

	/*
	 * The eight taken released, half before a new mark: sequences 11..18
	 * wrap in the ring of 13 (slots 11, 12, 0..5); with the three still
	 * pending, 8..18 go to slots 8..13, 0..4 of a ring of 14: wrapped
	 * again. One new group, 13.
	 */
	memcpy(got2, got, sizeof(got2));
	for (int i = 0; i < 4; i++)
		fe_groups_release(&g, got2[i]);
	mark = g.freed_seq;
	for (int i = 4; i < 8; i++)
		fe_groups_release(&g, got2[i]);
	assert_int_equal(fe_groups_pending(&g), 11);
	assert_int_equal(g.pending[12], got2[1]);
	assert_int_equal(g.pending[0], got2[2]);
	assert_int_equal(fe_groups_grow(&g, 14), 0);
	assert_int_equal(fe_groups_pending(&g), 11);
	assert_int_equal(g.pending[13], got2[2]);
	assert_int_equal(g.pending[0], got2[3]);
	assert_int_equal(g.nfree, 1);
	fe_groups_grace_upto(&g, mark);
	assert_int_equal(fe_groups_pending(&g), 4);
	assert_int_equal(take_all(&g, got), 8);
	for (int i = 0; i < 4; i++)
		assert_int_equal(got[i], got2[3 - i]);
	for (int i = 0; i < 3; i++)
		assert_int_equal(got[4 + i], second[2 - i]);
	assert_int_equal(got[7], 13);
	fe_groups_grace_upto(&g, g.freed_seq);
	assert_int_equal(fe_groups_pending(&g), 0);
	assert_int_equal(take_all(&g, got), 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(got[i], got2[7 - i]);
	assert_int_equal(g.used, 14);
	fe_groups_fini(&g);

	/* The same with no growth in between: a plain wrap. */
	assert_int_equal(fe_groups_init(&g, 3), 0);
	for (int round = 0; round < 10; round++) {
		assert_int_equal(take_all(&g, got), 3);
		fe_groups_release(&g, got[2]);
		fe_groups_release(&g, got[0]);
		fe_groups_release(&g, got[1]);
		fe_groups_grace_upto(&g, g.freed_seq);
	}
	fe_groups_fini(&g);
}

/*
 * A model of the pool: the free stack in order, the pending FIFO with
 * sequence numbers. Random takes, releases, marks, grace periods and
 * growths (by 1 to a quarter of the size plus one), and after each the
 * pool equals the model: same free stack, same pending count, same
 * counters. Many growths happen with pending groups that wrap around the
 * end of the old ring or of the new one.
 */
struct model {
	uint32_t total;
	uint32_t *free, nfree;
	uint32_t *pend;   /* groups, oldest first */
	uint64_t *pseq;   /* their sequence numbers */
	uint32_t npend;
	uint64_t freed;
	uint8_t *used;    /* per group: taken and not released */
	uint32_t nused;
};

static void model_check(const struct fe_groups *g, const struct model *m)
{
	assert_int_equal(g->total, m->total);
	assert_int_equal(g->nfree, m->nfree);
	assert_memory_equal(g->free, m->free, m->nfree * sizeof(uint32_t));
	assert_int_equal(g->used, m->nused);
	assert_int_equal(fe_groups_pending(g), m->npend);
	assert_int_equal(g->freed_seq, m->freed);
	assert_int_equal(m->nfree + m->npend + m->nused, m->total);
}

static void test_groups_model(void **state)
{
	const uint32_t cap = 1U << 12;
	struct model m = { 0 };
	struct fe_groups g;
	uint64_t s = 0x1234567, marks[8] = { 0 };
	uint32_t grows = 0, wraps = 0, wrapped_grows = 0;

	(void)state;
	m.free = calloc(cap, sizeof(*m.free));
	m.pend = calloc(cap, sizeof(*m.pend));
	m.pseq = calloc(cap, sizeof(*m.pseq));
	m.used = calloc(cap, 1);
	assert_true(m.free && m.pend && m.pseq && m.used);
	m.total = 5;
	for (uint32_t i = 0; i < m.total; i++)
		m.free[m.nfree++] = m.total - 1 - i;
	assert_int_equal(fe_groups_init(&g, m.total), 0);
	model_check(&g, &m);

	for (int op = 0; op < 40000; op++) {
		uint64_t x = rnd(&s), r = x % 100;

		if (r < 40 && m.nfree) {
			uint32_t want = m.free[--m.nfree];

			assert_int_equal(fe_groups_take(&g), want);
			assert_false(m.used[want]);
			m.used[want] = 1;
			m.nused++;
		} else if (r < 75 && m.nused) {
			/* A random used group. */
			uint32_t grp = (uint32_t)(x >> 8) % m.total;

			while (!m.used[grp])
				grp = (grp + 1) % m.total;
			m.used[grp] = 0;
			m.nused--;
			m.pend[m.npend] = grp;
			m.pseq[m.npend++] = m.freed++;
			fe_groups_release(&g, grp);
			wraps += g.freed_seq % g.total == 0;
		} else if (r < 85) {
			marks[(x >> 8) % 8] = m.freed;
		} else if (r < 99) {
			/* Up to an old mark, or everything. */
			uint64_t mark = (x >> 8) % 4 ? marks[(x >> 16) % 8] :
						       m.freed;
			uint32_t k = 0;

			while (k < m.npend && m.pseq[k] < mark)
				m.free[m.nfree++] = m.pend[k++];
			memmove(m.pend, m.pend + k,
				(m.npend - k) * sizeof(*m.pend));
			memmove(m.pseq, m.pseq + k,
				(m.npend - k) * sizeof(*m.pseq));
			m.npend -= k;
			fe_groups_grace_upto(&g, mark);
		} else if (m.total < cap / 2) {
			uint32_t add =
				1 + (uint32_t)(x >> 8) % (m.total / 4 + 1);
			uint32_t total = m.total + add;

			/* New groups under the old free ones, lowest on top. */
			memmove(m.free + add, m.free,
				m.nfree * sizeof(*m.free));
			for (uint32_t i = 0; i < add; i++)
				m.free[i] = total - 1 - i;
			m.nfree += add;
			if (m.npend &&
			    (m.pseq[0] / m.total != (m.freed - 1) / m.total ||
			     m.pseq[0] / total != (m.freed - 1) / total))
				wrapped_grows++;
			m.total = total;
			assert_int_equal(fe_groups_grow(&g, total), 0);
			grows++;
		}
		model_check(&g, &m);
	}
	/* Everything back. */
	fe_groups_grace_upto(&g, g.freed_seq);
	assert_int_equal(fe_groups_pending(&g), 0);
	assert_int_equal(g.nfree + g.used, g.total);
	print_message("groups model: %u growths to %u groups (%u with the "
		      "pending groups wrapped), %u ring wraps\n",
		      grows, m.total, wrapped_grows, wraps);
	assert_true(grows >= 10);
	assert_true(wrapped_grows >= 5);
	assert_true(wraps >= 10);
	fe_groups_fini(&g);
	free(m.free);
	free(m.pend);
	free(m.pseq);
	free(m.used);
}

/* ================================================================== */
/* fe_lpm6_regroup                                                     */
/* ================================================================== */

/*
 * What the module does: a larger array, the groups copied into it,
 * handed over. The new groups hold garbage (the builder fills a group
 * before linking it) and the old array is wiped before it is freed, so
 * that a read through the old array would show.
 */
static void tabs_grow(struct tabs *t, uint32_t ngroups)
{
	uint32_t *grp = malloc((size_t)ngroups * GROUP_BYTES);

	assert_non_null(grp);
	memset(grp, 0x5a, (size_t)ngroups * GROUP_BYTES);
	memcpy(grp, t->grp, (size_t)t->ngroups * GROUP_BYTES);
	assert_int_equal(fe_lpm6_regroup(t->t, grp, ngroups), 0);
	assert_int_equal(fe_lpm6_groups_total(t->t), ngroups);
	memset(t->grp, 0xff, (t->ngroups ? t->ngroups : 1) * GROUP_BYTES);
	free(t->grp);
	t->grp = grp;
	t->ngroups = ngroups;
}

static void v4(uint32_t a, uint8_t b[16])
{
	memset(b, 0, 16);
	b[0] = a >> 24;
	b[1] = a >> 16;
	b[2] = a >> 8;
	b[3] = a;
}

static int add4(const struct tabs *t, uint32_t a, uint8_t d, uint32_t v)
{
	uint8_t b[16];

	v4(a, b);
	return fe_lpm6_add(t->t, b, d, v);
}

static int del4(const struct tabs *t, uint32_t a, uint8_t d)
{
	uint8_t b[16];

	v4(a, b);
	return fe_lpm6_del(t->t, b, d);
}

static void expect4(const struct tabs *t, uint32_t a, int rc, uint32_t value)
{
	uint8_t b[16];
	uint32_t v = 12345;

	v4(a, b);
	assert_int_equal(fe_lpm6_lookup(t->t, b, &v), rc);
	assert_int_equal(v, rc ? 12345 : value);
}

/* Groups linked for the /16 and the /24 of an IPv4 address, or -1. */
static int64_t link_at(const uint32_t *p, uint32_t i)
{
	return FE_LPM6_IS_LINK(p[i]) ? (int64_t)FE_LPM6_VALUE(p[i]) : -1;
}

static int64_t group_l2(const struct tabs *t, uint32_t a)
{
	int64_t g1 = link_at(t->top, a >> 16);

	return g1 < 0 ? -1 : link_at(t->grp + g1 * FE_LPM6_ENTRIES,
				     a >> 8 & 0xff);
}

/* Bad arguments: -EINVAL, and the table still uses its own array. */
static void test_regroup_errors(void **state)
{
	struct fe_lpm6_stats st0, st1;
	uint32_t *grpcopy = malloc(2 * GROUP_BYTES);
	uint32_t *topcopy = malloc(TOP_BYTES);
	uint32_t *buf = malloc(8 * GROUP_BYTES);
	struct tabs t;
	void *huge;
	size_t huge_len = (size_t)FE_LPM6_GROUPS_MAX * GROUP_BYTES;

	(void)state;
	assert_true(grpcopy && topcopy && buf);
	tabs_init(&t, 2);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 8, 1), 0);
	assert_int_equal(add4(&t, IP(10, 1, 2, 3), 32, 2), 0); /* 2 groups */
	memcpy(topcopy, t.top, TOP_BYTES);
	memcpy(grpcopy, t.grp, 2 * GROUP_BYTES);
	memcpy(buf, t.grp, 2 * GROUP_BYTES);
	fe_lpm6_stats(t.t, &st0);

	assert_int_equal(fe_lpm6_regroup(t.t, NULL, 8), -EINVAL);
	assert_int_equal(fe_lpm6_regroup(t.t, buf, 2), -EINVAL);
	assert_int_equal(fe_lpm6_regroup(t.t, buf, 1), -EINVAL);
	assert_int_equal(fe_lpm6_regroup(t.t, buf, 0), -EINVAL);
	assert_int_equal(fe_lpm6_regroup(t.t, buf, FE_LPM6_GROUPS_MAX + 1),
			 -EINVAL);
	assert_int_equal(fe_lpm6_regroup(t.t, buf, UINT32_MAX), -EINVAL);
	fe_lpm6_stats(t.t, &st1);
	assert_memory_equal(&st0, &st1, sizeof(st0));
	assert_int_equal(fe_lpm6_groups_total(t.t), 2);
	assert_memory_equal(topcopy, t.top, TOP_BYTES);
	assert_memory_equal(grpcopy, t.grp, 2 * GROUP_BYTES);
	/* Still full, and still reading the old array, not buf. */
	assert_int_equal(add4(&t, IP(10, 2, 0, 0), 17, 3), -ENOSPC);
	memset(buf, 0xee, 8 * GROUP_BYTES);
	expect4(&t, IP(10, 1, 2, 3), 0, 2);
	expect4(&t, IP(10, 1, 2, 4), 0, 1);
	assert_int_equal(add4(&t, IP(10, 1, 2, 4), 32, 4), 0);
	assert_int_equal(t.grp[1 * FE_LPM6_ENTRIES + 4], FE_LPM6_ENTRY(32, 4));

	/*
	 * FE_LPM6_GROUPS_MAX itself is accepted. The array is reserved, not
	 * committed: the builder touches only the groups it takes.
	 */
	huge = mmap(NULL, huge_len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (huge != MAP_FAILED) {
		memcpy(huge, t.grp, 2 * GROUP_BYTES);
		assert_int_equal(fe_lpm6_regroup(t.t, huge,
						 FE_LPM6_GROUPS_MAX), 0);
		assert_int_equal(fe_lpm6_groups_total(t.t),
				 FE_LPM6_GROUPS_MAX);
		assert_int_equal(stats(&t).groups_total, FE_LPM6_GROUPS_MAX);
		assert_int_equal(add4(&t, IP(10, 2, 0, 0), 17, 3), 0);
		expect4(&t, IP(10, 2, 0, 0), 0, 3);
		expect4(&t, IP(10, 1, 2, 3), 0, 2);
		/* Nothing larger than the maximum. */
		assert_int_equal(fe_lpm6_regroup(t.t, huge,
						 FE_LPM6_GROUPS_MAX), -EINVAL);
		fe_lpm6_free(t.t);
		munmap(huge, huge_len);
		t.t = NULL;
	} else {
		print_message("regroup: no 16 GiB reservation, maximum "
			      "not tried\n");
	}
	fe_lpm6_free(t.t);
	free(t.top);
	free(t.grp);
	free(buf);
	free(grpcopy);
	free(topcopy);
}

/* Full: -ENOSPC; a larger array handed over: the add goes in. */
static void test_regroup_enospc(void **state)
{
	struct tabs t;

	(void)state;
	tabs_init(&t, 2);
	assert_int_equal(add4(&t, 0, 0, 1), 0);
	assert_int_equal(add4(&t, IP(192, 0, 2, 77), 32, 2), 0);
	assert_int_equal(add4(&t, IP(192, 0, 3, 0), 25, 3), -ENOSPC);
	assert_int_equal(add4(&t, IP(198, 51, 96, 0), 20, 4), -ENOSPC);
	tabs_grow(&t, 4);
	expect4(&t, IP(192, 0, 2, 77), 0, 2);
	expect4(&t, IP(192, 0, 2, 76), 0, 1);
	assert_int_equal(add4(&t, IP(192, 0, 3, 0), 25, 3), 0);
	assert_int_equal(add4(&t, IP(198, 51, 96, 0), 20, 4), 0);
	assert_int_equal(stats(&t).groups_used, 4);
	assert_int_equal(add4(&t, IP(198, 51, 100, 0), 24, 5), 0);
	assert_int_equal(add4(&t, IP(198, 51, 100, 1), 32, 6), -ENOSPC);
	tabs_grow(&t, 5);
	assert_int_equal(add4(&t, IP(198, 51, 100, 1), 32, 6), 0);
	expect4(&t, IP(192, 0, 3, 1), 0, 3);
	expect4(&t, IP(198, 51, 100, 1), 0, 6);
	expect4(&t, IP(198, 51, 100, 2), 0, 5);
	expect4(&t, IP(198, 51, 101, 2), 0, 4);
	expect4(&t, IP(198, 51, 112, 0), 0, 1);
	/* The groups made after the growth are the new ones. */
	assert_int_equal(group_l2(&t, IP(192, 0, 3, 0)), 2);
	assert_int_equal(group_l2(&t, IP(198, 51, 100, 0)), 4);
	tabs_fini(&t);
}

/*
 * Groups pending at the growth stay pending: the new groups are taken,
 * the pending ones only after a grace period, with a mark taken before
 * the growth; one released after the mark waits for the next.
 */
static void test_regroup_pending(void **state)
{
	struct tabs t;
	uint64_t mark;
	int64_t ga, gb, g;

	(void)state;
	tabs_init(&t, 4);
	assert_int_equal(add4(&t, IP(10, 0, 0, 0), 25, 1), 0); /* g0, g1 */
	assert_int_equal(add4(&t, IP(10, 0, 1, 0), 25, 2), 0); /* g2 */
	ga = group_l2(&t, IP(10, 0, 0, 0));
	gb = group_l2(&t, IP(10, 0, 1, 0));
	assert_int_equal(del4(&t, IP(10, 0, 0, 0), 25), 0);
	mark = fe_lpm6_grace_mark(t.t);
	assert_int_equal(stats(&t).groups_pending, 1);

	tabs_grow(&t, 6);
	assert_int_equal(stats(&t).groups_pending, 1);
	assert_int_equal(stats(&t).groups_used, 2);
	/* Free: g3, then the new g4, g5; not ga. */
	for (uint32_t c = 2; c <= 4; c++) {
		assert_int_equal(add4(&t, IP(10, 0, c, 0), 25, c), 0);
		g = group_l2(&t, IP(10, 0, c, 0));
		assert_true(g != ga);
		assert_int_equal(g, c + 1);
	}
	assert_int_equal(add4(&t, IP(10, 0, 5, 0), 25, 5), -ENOSPC);

	/* gb released after the mark, then grow again: still two pending. */
	assert_int_equal(del4(&t, IP(10, 0, 1, 0), 25), 0);
	tabs_grow(&t, 7);
	assert_int_equal(stats(&t).groups_pending, 2);
	assert_int_equal(add4(&t, IP(10, 0, 5, 0), 25, 5), 0);
	assert_int_equal(group_l2(&t, IP(10, 0, 5, 0)), 6);
	assert_int_equal(add4(&t, IP(10, 0, 6, 0), 25, 6), -ENOSPC);

	/* The mark from before: ga only. */
	fe_lpm6_grace_upto(t.t, mark);
	assert_int_equal(stats(&t).groups_pending, 1);
	assert_int_equal(add4(&t, IP(10, 0, 6, 0), 25, 6), 0);
	assert_int_equal(group_l2(&t, IP(10, 0, 6, 0)), ga);
	assert_int_equal(add4(&t, IP(10, 0, 7, 0), 25, 7), -ENOSPC);
	fe_lpm6_grace(t.t);
	assert_int_equal(add4(&t, IP(10, 0, 7, 0), 25, 7), 0);
	assert_int_equal(group_l2(&t, IP(10, 0, 7, 0)), gb);
	for (uint32_t c = 0; c <= 7; c++) {
		expect4(&t, IP(10, 0, c, 1), c < 2 ? -ENOENT : 0, c);
		expect4(&t, IP(10, 0, c, 200), -ENOENT, 0);
	}
	tabs_fini(&t);
}

/* ---- random growth against a reference ---- */

/* Reference: a binary trie over 128 bits, one node per bit. */
struct bnode {
	int32_t child[2];
	uint32_t value;
	bool has;
};

struct btrie {
	struct bnode *n;
	size_t len, cap;
};

static int32_t bt_node(struct btrie *bt)
{
	if (bt->len == bt->cap) {
		bt->cap = bt->cap ? 2 * bt->cap : 1024;
		bt->n = realloc(bt->n, bt->cap * sizeof(*bt->n));
		assert_non_null(bt->n);
	}
	bt->n[bt->len] = (struct bnode){ { -1, -1 }, 0, false };
	return (int32_t)bt->len++;
}

static inline int bit(const uint8_t *a, int i)
{
	return a[i / 8] >> (7 - i % 8) & 1;
}

/* The node of a/depth, made if asked. -1 if absent. */
static int32_t bt_find(struct btrie *bt, const uint8_t *a, int depth,
		       bool make)
{
	int32_t x = 0;

	if (!bt->len)
		bt_node(bt);
	for (int i = 0; i < depth && x >= 0; i++) {
		int32_t c = bt->n[x].child[bit(a, i)];

		if (c < 0 && make) {
			c = bt_node(bt);
			bt->n[x].child[bit(a, i)] = c;
		}
		x = c;
	}
	return x;
}

static int bt_lookup(const struct btrie *bt, const uint8_t *a,
		     uint32_t *value)
{
	int32_t x = bt->len ? 0 : -1;
	int rc = -ENOENT;

	for (int i = 0; x >= 0; i++) {
		if (bt->n[x].has) {
			*value = bt->n[x].value;
			rc = 0;
		}
		if (i == 128)
			break;
		x = bt->n[x].child[bit(a, i)];
	}
	return rc;
}

struct pfx {
	uint8_t a[16];
	uint8_t depth;
	uint32_t value;
};

static void masked(uint8_t a[16], int depth)
{
	for (int i = 0; i < 16; i++) {
		int bits = depth - 8 * i;

		a[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : 0xff << (8 - bits);
	}
}

static void step(uint8_t a[16], int delta)
{
	for (int i = 15; i >= 0; i--) {
		uint8_t old = a[i];

		a[i] = (uint8_t)(old + delta);
		if (delta > 0 ? a[i] != 0 : old != 0)
			break;
	}
}

struct grow_run {
	bool v4;
	struct tabs t;
	struct btrie ref;
	struct pfx *live; /* prefixes in the table */
	size_t nlive;
	uint64_t s;
	uint64_t lookups;
};

/* Whether the table and the reference disagree on a (then why). */
static bool disagree(struct grow_run *g, const uint8_t a[16], char *why,
		     size_t len)
{
	uint32_t v1 = 0, v2 = 0;
	int r1 = bt_lookup(&g->ref, a, &v1);
	int r2 = fe_lpm6_lookup(g->t.t, a, &v2);
	char buf[64];

	g->lookups++;
	if (r1 == r2 && (r1 || v1 == v2))
		return false;
	for (int i = 0; i < 16; i++)
		sprintf(buf + 3 * i, "%02x%c", a[i], i < 15 ? ':' : 0);
	snprintf(why, len, "%s: reference %d/%u, lpm6 %d/%u (%u groups)", buf,
		 r1, v1, r2, v2, g->t.ngroups);
	return true;
}

static void check_one(struct grow_run *g, const uint8_t a[16])
{
	char why[128];

	if (disagree(g, a, why, sizeof(why)))
		fail_msg("%s", why);
}

static void random_addr(struct grow_run *g, uint8_t a[16])
{
	static const uint16_t first6[] = { 0x2001, 0x2400, 0x2a00, 0x2c0f };
	static const uint8_t first4[] = { 10, 11, 172, 192 };
	uint64_t r = rnd(&g->s), r2 = rnd(&g->s);

	memset(a, 0, 16);
	if (g->v4) {
		/* 4 /8s, 4 /16s in each: prefixes overlap. */
		a[0] = first4[r & 3];
		a[1] = (r >> 2) & 3;
		a[2] = (uint8_t)(r >> 32);
		a[3] = (uint8_t)(r >> 40);
		return;
	}
	a[0] = first6[r & 3] >> 8;
	a[1] = first6[r & 3] & 0xff;
	for (int i = 2; i < 8; i++)
		a[i] = (uint8_t)((r >> (8 * i)) & 0x31);
	for (int i = 8; i < 16; i++)
		a[i] = (uint8_t)(r2 >> (8 * (i - 8)));
	if (r2 & 1)
		memset(a + 8, 0, 7);
}

static uint8_t random_depth(struct grow_run *g)
{
	static const uint8_t d4[] = { 0,  8,  12, 16, 17, 18, 20, 22, 23, 24,
				      24, 24, 24, 24, 25, 26, 27, 28, 29, 30,
				      31, 32, 32, 32 };
	static const uint8_t d6[] = { 0,  16, 20, 28, 29, 32, 32,  32,
				      33, 36, 40, 44, 47, 48, 48,  48,
				      48, 52, 56, 60, 64, 64, 112, 128 };
	uint64_t r = rnd(&g->s);

	return g->v4 ? d4[r % sizeof(d4)] : d6[r % sizeof(d6)];
}

/*
 * Every lookup that can tell: the first and last address of each prefix
 * in the table and the ones just outside, and random addresses; and the
 * structure: rule count, groups within the pool, IPv4 in two levels.
 */
static void check_run(struct grow_run *g, size_t nprobe)
{
	struct fe_lpm6_stats st = stats(&g->t);
	uint8_t a[16];

	for (size_t i = 0; i < g->nlive; i++) {
		const struct pfx *p = &g->live[i];

		memcpy(a, p->a, 16);
		check_one(g, a);
		step(a, -1);
		check_one(g, a);
		memcpy(a, p->a, 16);
		for (int k = p->depth; k < (g->v4 ? 32 : 128); k++)
			a[k / 8] |= 0x80 >> (k % 8);
		check_one(g, a);
		step(a, 1);
		check_one(g, a);
	}
	for (size_t i = 0; i < nprobe; i++) {
		random_addr(g, a);
		check_one(g, a);
	}
	assert_int_equal(st.rules, g->nlive);
	assert_int_equal(st.groups_total, g->t.ngroups);
	assert_true(st.groups_used + st.groups_pending <= st.groups_total);
	if (g->v4)
		for (int l = 3; l < FE_LPM6_LEVELS; l++)
			assert_int_equal(st.groups_level[l], 0);
}

/*
 * From 2 groups: random adds (new prefixes and replaces) and withdrawals,
 * grace periods up to marks taken earlier (so groups are pending when
 * the pool grows). Every -ENOSPC leaves the table as it was; the array
 * then doubles and everything is checked again.
 */
static void grow_random(bool v4, uint64_t seed, size_t nadds,
			uint32_t *growths, uint32_t *final_groups,
			uint64_t *lookups)
{
	struct grow_run g = { .v4 = v4, .s = seed };
	uint64_t mark = 0;
	size_t adds = 0;

	tabs_init(&g.t, 2);
	g.live = calloc(nadds, sizeof(*g.live));
	assert_non_null(g.live);
	*growths = 0;
	while (adds < nadds) {
		uint64_t r = rnd(&g.s) % 100;

		if (r < 70) {
			struct pfx p;
			struct fe_lpm6_stats st0, st1;
			int32_t node;
			int rc;

			random_addr(&g, p.a);
			p.depth = random_depth(&g);
			masked(p.a, p.depth);
			p.value = (uint32_t)rnd(&g.s) & FE_LPM6_VALUE_MAX;
			node = bt_find(&g.ref, p.a, p.depth, false);
			fe_lpm6_stats(g.t.t, &st0);
			while ((rc = fe_lpm6_add(g.t.t, p.a, p.depth,
						 p.value)) == -ENOSPC) {
				uint32_t pending;

				/* Refused: nothing changed. */
				fe_lpm6_stats(g.t.t, &st1);
				assert_memory_equal(&st0, &st1, sizeof(st0));
				assert_true(node < 0 || !g.ref.n[node].has);
				pending = st1.groups_pending;
				tabs_grow(&g.t, 2 * g.t.ngroups);
				(*growths)++;
				assert_int_equal(stats(&g.t).groups_pending,
						 pending);
				check_run(&g, 500);
				fe_lpm6_stats(g.t.t, &st0);
			}
			assert_int_equal(rc, 0);
			node = bt_find(&g.ref, p.a, p.depth, true);
			if (!g.ref.n[node].has)
				g.live[g.nlive++] = p;
			g.ref.n[node].has = true;
			g.ref.n[node].value = p.value;
			adds++;
		} else if (r < 92 && g.nlive) {
			size_t i = rnd(&g.s) % g.nlive;
			struct pfx *p = &g.live[i];

			assert_int_equal(fe_lpm6_del(g.t.t, p->a, p->depth), 0);
			g.ref.n[bt_find(&g.ref, p->a, p->depth, false)].has =
				false;
			*p = g.live[--g.nlive];
		} else {
			fe_lpm6_grace_upto(g.t.t, mark);
			mark = fe_lpm6_grace_mark(g.t.t);
		}
	}
	check_run(&g, 5000);

	/* Everything out: empty top, every group back. */
	while (g.nlive) {
		struct pfx *p = &g.live[--g.nlive];

		assert_int_equal(fe_lpm6_del(g.t.t, p->a, p->depth), 0);
		g.ref.n[bt_find(&g.ref, p->a, p->depth, false)].has = false;
	}
	check_run(&g, 1000);
	for (size_t i = 0; i < FE_LPM6_TOP_ENTRIES; i++)
		assert_int_equal(g.t.top[i], 0);
	fe_lpm6_grace(g.t.t);
	assert_int_equal(stats(&g.t).groups_used, 0);
	assert_int_equal(stats(&g.t).groups_pending, 0);
	*final_groups = g.t.ngroups;
	*lookups = g.lookups;
	free(g.live);
	free(g.ref.n);
	tabs_fini(&g.t);
}

static void test_regroup_random_v4(void **state)
{
	uint32_t growths, groups;
	uint64_t lookups;

	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		grow_random(true, 0x9e3779b97f4a7c15ULL * seed, 4000, &growths,
			    &groups, &lookups);
		print_message("regroup v4: %u growths to %u groups, %llu "
			      "lookups equal to the reference\n",
			      growths, groups, (unsigned long long)lookups);
		assert_true(growths >= 6);
	}
}

static void test_regroup_random_v6(void **state)
{
	uint32_t growths, groups;
	uint64_t lookups;

	(void)state;
	for (uint64_t seed = 1; seed <= 2; seed++) {
		grow_random(false, 0x6b8b4567ULL * seed, 3000, &growths,
			    &groups, &lookups);
		print_message("regroup v6: %u growths to %u groups, %llu "
			      "lookups equal to the reference\n",
			      growths, groups, (unsigned long long)lookups);
		assert_true(growths >= 8);
	}
}

/* The reference agrees with a scan of the prefixes, and can disagree. */
static void test_reference(void **state)
{
	struct grow_run g = { .v4 = true, .s = 5 };
	struct pfx p[200];
	uint8_t a[16];

	(void)state;
	for (int i = 0; i < 200; i++) {
		random_addr(&g, p[i].a);
		p[i].depth = random_depth(&g);
		masked(p[i].a, p[i].depth);
		p[i].value = (uint32_t)i;
		for (int j = 0; j < i; j++)
			if (p[j].depth == p[i].depth &&
			    !memcmp(p[j].a, p[i].a, 16))
				p[i].depth = 255; /* duplicate: unused */
		if (p[i].depth == 255)
			continue;
		int32_t x = bt_find(&g.ref, p[i].a, p[i].depth, true);

		g.ref.n[x].has = true;
		g.ref.n[x].value = p[i].value;
	}
	for (int k = 0; k < 5000; k++) {
		int best = -1, r;
		uint32_t want = 0, v = 0;

		random_addr(&g, a);
		for (int i = 0; i < 200; i++) {
			uint8_t m[16];

			if (p[i].depth == 255 || p[i].depth <= best)
				continue;
			memcpy(m, a, 16);
			masked(m, p[i].depth);
			if (!memcmp(m, p[i].a, 16)) {
				best = p[i].depth;
				want = p[i].value;
			}
		}
		r = bt_lookup(&g.ref, a, &v);
		assert_int_equal(r, best < 0 ? -ENOENT : 0);
		if (!r)
			assert_int_equal(v, want);
	}
	free(g.ref.n);

	/* The check does see a table that differs from the reference. */
	{
		struct grow_run h = { .v4 = true, .s = 9 };
		char why[128];
		int32_t x;

		tabs_init(&h.t, 2);
		v4(IP(10, 0, 0, 0), a);
		assert_int_equal(fe_lpm6_add(h.t.t, a, 8, 3), 0);
		x = bt_find(&h.ref, a, 8, true);
		h.ref.n[x].has = true;
		h.ref.n[x].value = 3;
		assert_false(disagree(&h, a, why, sizeof(why)));
		h.ref.n[x].value = 4;
		assert_true(disagree(&h, a, why, sizeof(why)));
		h.ref.n[x].value = 3;
		v4(IP(10, 255, 255, 255), a);
		assert_false(disagree(&h, a, why, sizeof(why)));
		/* A group entry gone wrong, after a growth. */
		v4(IP(10, 1, 2, 3), a);
		assert_int_equal(fe_lpm6_add(h.t.t, a, 32, 5), 0);
		x = bt_find(&h.ref, a, 32, true);
		h.ref.n[x].has = true;
		h.ref.n[x].value = 5;
		tabs_grow(&h.t, 4);
		assert_false(disagree(&h, a, why, sizeof(why)));
		h.t.grp[1 * FE_LPM6_ENTRIES + 3] = FE_LPM6_ENTRY(32, 6);
		assert_true(disagree(&h, a, why, sizeof(why)));
		h.t.grp[1 * FE_LPM6_ENTRIES + 3] = 0;
		assert_true(disagree(&h, a, why, sizeof(why)));
		free(h.ref.n);
		tabs_fini(&h.t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_grow_order),
		cmocka_unit_test(test_groups_grow_ring_wrap),
		cmocka_unit_test(test_groups_model),
		cmocka_unit_test(test_regroup_errors),
		cmocka_unit_test(test_regroup_enospc),
		cmocka_unit_test(test_regroup_pending),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_regroup_random_v4),
		cmocka_unit_test(test_regroup_random_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
