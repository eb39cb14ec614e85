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

int fe_groups_grow(struct fe_groups *g, uint32_t total)
{
	uint32_t *nf, *np, add;

	if (total <= g->total)
		return -EINVAL;
	nf = malloc((size_t)total * sizeof(*nf));
	np = malloc((size_t)total * sizeof(*np));
	if (!nf || !np) {
		free(nf);
		free(np);
		return -ENOMEM;
	}
	/* The new groups under the old free ones, highest at the bottom. */
	add = total - g->total;
	for (uint32_t i = 0; i < add; i++)
		nf[i] = total - 1 - i;
	for (uint32_t i = 0; i < g->nfree; i++)
		nf[add + i] = g->free[i];
	/* The ring is indexed by sequence modulo its size: re-seat it. */
	for (uint64_t s = g->released_seq; s < g->freed_seq; s++)
		np[s % total] = g->pending[s % (g->total ? g->total : 1)];
	free(g->free);
	free(g->pending);
	g->free = nf;
	g->pending = np;
	g->nfree += add;
	g->total = total;
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
