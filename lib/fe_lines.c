// SPDX-License-Identifier: GPL-2.0-or-later
/* Line pool with grace periods: see fe_lines.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fe_lines.h"

#define NONE UINT32_MAX
#define FULL_MASK 0xffffU

static uint8_t longest_run(uint16_t taken)
{
	uint8_t best = 0, cur = 0;

	for (int i = 0; i < FE_LINES_PER_BLOCK; i++) {
		cur = (taken >> i & 1) ? 0 : cur + 1;
		if (cur > best)
			best = cur;
	}
	return best;
}

static void unlink_block(struct fe_lines *l, uint32_t b)
{
	uint8_t r = l->run[b];

	if (!r)
		return; /* full blocks are on no list */
	if (l->prev[b] != NONE)
		l->next[l->prev[b]] = l->next[b];
	else
		l->head[r] = l->next[b];
	if (l->next[b] != NONE)
		l->prev[l->next[b]] = l->prev[b];
}

static void link_block(struct fe_lines *l, uint32_t b)
{
	uint8_t r = longest_run(l->taken[b]);

	l->run[b] = r;
	if (!r)
		return;
	l->prev[b] = NONE;
	l->next[b] = l->head[r];
	if (l->head[r] != NONE)
		l->prev[l->head[r]] = b;
	l->head[r] = b;
}

int fe_lines_init(struct fe_lines *l, uint32_t nblocks)
{
	size_t n = nblocks ? nblocks : 1;

	memset(l, 0, sizeof(*l));
	l->nblocks = nblocks;
	l->taken = calloc(n, sizeof(*l->taken));
	l->run = calloc(n, sizeof(*l->run));
	l->next = calloc(n, sizeof(*l->next));
	l->prev = calloc(n, sizeof(*l->prev));
	if (!l->taken || !l->run || !l->next || !l->prev) {
		fe_lines_fini(l);
		return -ENOMEM;
	}
	for (int r = 0; r <= FE_LINES_PER_BLOCK; r++)
		l->head[r] = NONE;
	/* linked backwards: block 0 ends up first */
	for (uint32_t b = nblocks; b-- > 0;)
		link_block(l, b);
	return 0;
}

void fe_lines_fini(struct fe_lines *l)
{
	free(l->taken);
	free(l->run);
	free(l->next);
	free(l->prev);
	free(l->pending);
	memset(l, 0, sizeof(*l));
}

static uint16_t run_mask(uint32_t first, uint32_t count)
{
	return (uint16_t)(((1U << count) - 1) << first);
}

int64_t fe_lines_take(struct fe_lines *l, uint32_t count)
{
	if (count < 1 || count > FE_LINES_PER_BLOCK)
		return -EINVAL;
	for (uint32_t r = count; r <= FE_LINES_PER_BLOCK; r++) {
		uint32_t b = l->head[r];

		if (b == NONE)
			continue;
		for (uint32_t i = 0; i + count <= FE_LINES_PER_BLOCK; i++) {
			uint16_t m = run_mask(i, count);

			if (l->taken[b] & m)
				continue;
			unlink_block(l, b);
			l->taken[b] |= m;
			link_block(l, b);
			l->used += count;
			return (int64_t)b * FE_LINES_PER_BLOCK + i;
		}
	}
	return -ENOSPC;
}

int fe_lines_release(struct fe_lines *l, uint32_t line, uint32_t count)
{
	if (l->pending_first + l->pending_len == l->pending_cap) {
		struct fe_lines_freed *p;
		uint32_t cap;

		if (l->pending_first) { /* slide the queue down first */
			memmove(l->pending, l->pending + l->pending_first,
				l->pending_len * sizeof(*l->pending));
			l->pending_first = 0;
		} else {
			cap = l->pending_cap ? 2 * l->pending_cap : 256;
			p = realloc(l->pending, cap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			l->pending = p;
			l->pending_cap = cap;
		}
	}
	l->pending[l->pending_first + l->pending_len++] =
		(struct fe_lines_freed){ line, count };
	l->freed_seq++;
	l->used -= count;
	return 0;
}

void fe_lines_grace_upto(struct fe_lines *l, uint64_t mark)
{
	while (l->released_seq < mark && l->pending_len) {
		struct fe_lines_freed f = l->pending[l->pending_first++];
		uint32_t b = f.line / FE_LINES_PER_BLOCK;

		l->pending_len--;
		l->released_seq++;
		unlink_block(l, b);
		l->taken[b] &= ~run_mask(f.line % FE_LINES_PER_BLOCK, f.count);
		link_block(l, b);
	}
	if (!l->pending_len)
		l->pending_first = 0;
}

uint64_t fe_lines_heap_bytes(const struct fe_lines *l)
{
	return (uint64_t)l->nblocks * (sizeof(*l->taken) + sizeof(*l->run) +
				       sizeof(*l->next) + sizeof(*l->prev)) +
	       (uint64_t)l->pending_cap * sizeof(*l->pending);
}
