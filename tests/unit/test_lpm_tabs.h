/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit-test helper: an fe_lpm6 table on heap arrays, as the module has
 * one on its mapped maps. The arrays start poisoned: fe_lpm6_new must
 * clear them itself. Include after <cmocka.h>.
 */
#ifndef TEST_LPM_TABS_H
#define TEST_LPM_TABS_H

#include <stdlib.h>
#include <string.h>

#include "lib/fe_lpm6.h"

#define TOP_BYTES ((size_t)FE_LPM6_TOP_ENTRIES * sizeof(uint32_t))
#define GROUP_BYTES (FE_LPM6_ENTRIES * sizeof(uint32_t))

struct tabs {
	uint32_t *top;
	uint32_t *grp;
	uint32_t ngroups;
	struct fe_lpm6 *t;
};

static inline void tabs_init(struct tabs *t, uint32_t ngroups)
{
	t->ngroups = ngroups;
	t->top = malloc(TOP_BYTES);
	t->grp = malloc((ngroups ? ngroups : 1) * GROUP_BYTES);
	assert_non_null(t->top);
	assert_non_null(t->grp);
	memset(t->top, 0xa5, TOP_BYTES);
	memset(t->grp, 0x5a, (ngroups ? ngroups : 1) * GROUP_BYTES);
	t->t = fe_lpm6_new(t->top, t->grp, ngroups);
	assert_non_null(t->t);
}

static inline void tabs_fini(struct tabs *t)
{
	fe_lpm6_free(t->t);
	free(t->top);
	free(t->grp);
}

static inline struct fe_lpm6_stats stats(const struct tabs *t)
{
	struct fe_lpm6_stats st;

	fe_lpm6_stats(t->t, &st);
	return st;
}

#endif /* TEST_LPM_TABS_H */
