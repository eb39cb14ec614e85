// SPDX-License-Identifier: GPL-2.0-or-later
/* Group pool with grace periods: see fe_groups.h. */
#include <errno.h>
#include <stdlib.h>

#include "fe_groups.h"

int fe_groups_init(struct fe_groups *g, uint32_t total)
{
	size_t n = total ? total : 1;

	*g = (struct fe_groups){ .total = total };
	g->free = malloc(n * sizeof(*g->free));
	g->pending = malloc(n * sizeof(*g->pending));
	if (!g->free || !g->pending) {
		fe_groups_fini(g);
		return -ENOMEM;
	}
	/* Stack popping group 0 first: low groups are reused first. */
	for (uint32_t i = 0; i < total; i++)
		g->free[i] = total - 1 - i;
	g->nfree = total;
	return 0;
}

void fe_groups_fini(struct fe_groups *g)
{
	free(g->free);
	free(g->pending);
	g->free = g->pending = NULL;
}

void fe_groups_grace_upto(struct fe_groups *g, uint64_t mark)
{
	while (g->released_seq < mark && g->released_seq < g->freed_seq) {
		g->free[g->nfree++] = g->pending[g->released_seq % g->total];
		g->released_seq++;
	}
}

uint64_t fe_groups_heap_bytes(const struct fe_groups *g)
{
	return 2 * (uint64_t)(g->total ? g->total : 1) * sizeof(uint32_t);
}
