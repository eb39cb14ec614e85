// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Route-flap detection: RFC 2439 penalties per prefix (see fe_flap.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fe_flap.h"

struct node {
	struct fe_flap_entry e;
	struct node *next;             /* hash chain */
	struct node *fprev, *fnext;    /* flapping list */
};

struct fe_flap_table {
	struct fe_flap_config cfg;
	fe_flap_event_cb cb;
	void *arg;
	struct node **buckets;
	size_t nbuckets; /* power of two */
	size_t count;
	size_t nflapping;
	size_t sweep;    /* next bucket the expiry sweep looks at */
	struct node *flapping;
};

#define MIN_BUCKETS 1024

void fe_flap_config_default(struct fe_flap_config *c)
{
	*c = (struct fe_flap_config){
		.half_life = FE_FLAP_DEFAULT_HALF_LIFE,
		.suppress = FE_FLAP_DEFAULT_SUPPRESS,
		.reuse = FE_FLAP_DEFAULT_REUSE,
		.max_penalty = FE_FLAP_DEFAULT_MAX_PENALTY,
		.fom_install = FE_FLAP_DEFAULT_FOM_INSTALL,
		.fom_update = FE_FLAP_DEFAULT_FOM_UPDATE,
		.fom_delete = FE_FLAP_DEFAULT_FOM_DELETE,
	};
}

int fe_flap_config_check(const struct fe_flap_config *c, char *err,
			 size_t errlen)
{
	if (!c->half_life) {
		snprintf(err, errlen, "half-life must be at least 1 second");
		return -EINVAL;
	}
	if (!(c->reuse < c->suppress && c->suppress < c->max_penalty)) {
		snprintf(err, errlen,
			 "thresholds out of order: need reuse-threshold (%u) < suppress-threshold (%u) < max-penalty (%u)",
			 c->reuse, c->suppress, c->max_penalty);
		return -EINVAL;
	}
	return 0;
}

static uint64_t hash_prefix(const struct fe_prefix *p)
{
	/* FNV-1a over the significant bytes: cheap and well spread. */
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t n = p->family == AF_INET6 ? 16 : 4;

	h = (h ^ p->family) * 0x100000001b3ULL;
	h = (h ^ p->len) * 0x100000001b3ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p->addr[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

static bool same_prefix(const struct fe_prefix *a, const struct fe_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

struct fe_flap_table *fe_flap_new(const struct fe_flap_config *c,
				  fe_flap_event_cb cb, void *arg)
{
	struct fe_flap_table *t;
	char err[8];

	if (fe_flap_config_check(c, err, sizeof(err))) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->buckets = calloc(MIN_BUCKETS, sizeof(*t->buckets));
	if (!t->buckets) {
		free(t);
		return NULL;
	}
	t->nbuckets = MIN_BUCKETS;
	t->cfg = *c;
	t->cb = cb;
	t->arg = arg;
	return t;
}

void fe_flap_free(struct fe_flap_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct node *n = t->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			free(n);
		}
	}
	free(t->buckets);
	free(t);
}

const struct fe_flap_config *fe_flap_get_config(const struct fe_flap_table *t)
{
	return &t->cfg;
}

double fe_flap_penalty(const struct fe_flap_table *t,
		       const struct fe_flap_entry *e, int64_t now)
{
	double dt = (double)(now - e->updated);

	if (dt <= 0)
		return e->penalty;
	return e->penalty * exp2(-dt / (t->cfg.half_life * 1000.0));
}

/* When a penalty p at time `at` decays to the reuse threshold. */
static int64_t reuse_time(const struct fe_flap_table *t, double p, int64_t at)
{
	if (p <= t->cfg.reuse)
		return at;
	return at + (int64_t)ceil(t->cfg.half_life * 1000.0 *
				  log2(p / t->cfg.reuse));
}

static void flapping_add(struct fe_flap_table *t, struct node *n)
{
	n->fprev = NULL;
	n->fnext = t->flapping;
	if (t->flapping)
		t->flapping->fprev = n;
	t->flapping = n;
	t->nflapping++;
}

static void flapping_del(struct fe_flap_table *t, struct node *n)
{
	if (n->fprev)
		n->fprev->fnext = n->fnext;
	else
		t->flapping = n->fnext;
	if (n->fnext)
		n->fnext->fprev = n->fprev;
	n->fprev = n->fnext = NULL;
	t->nflapping--;
}

static void become_stable(struct fe_flap_table *t, struct node *n,
			  int64_t now)
{
	n->e.flapping = false;
	flapping_del(t, n);
	if (t->cb)
		t->cb(&n->e, FE_FLAP_EV_STABLE, now, t->arg);
}

int fe_flap_set_config(struct fe_flap_table *t, const struct fe_flap_config *c,
		       char *err, size_t errlen)
{
	int ret = fe_flap_config_check(c, err, errlen);

	if (ret)
		return ret;
	t->cfg = *c;
	for (struct node *n = t->flapping; n; n = n->fnext)
		n->e.reuse_at = reuse_time(t, n->e.penalty, n->e.updated);
	return 0;
}

static struct node **slot(const struct fe_flap_table *t,
			  const struct fe_prefix *p)
{
	struct node **pp = &t->buckets[hash_prefix(p) & (t->nbuckets - 1)];

	while (*pp && !same_prefix(&(*pp)->e.prefix, p))
		pp = &(*pp)->next;
	return pp;
}

/* Double the buckets; on failure keep the old ones (longer chains). */
static void grow(struct fe_flap_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct node **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (size_t i = 0; i < t->nbuckets; i++) {
		struct node *n = t->buckets[i], *next;

		for (; n; n = next) {
			size_t h = hash_prefix(&n->e.prefix) & (nb - 1);

			next = n->next;
			n->next = b[h];
			b[h] = n;
		}
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	t->sweep = 0;
}

/* Below half the reuse threshold an entry says nothing any more. */
static bool decayed(const struct fe_flap_table *t, const struct node *n,
		    int64_t now)
{
	return !n->e.flapping &&
	       fe_flap_penalty(t, &n->e, now) < t->cfg.reuse / 2.0;
}

int fe_flap_change(struct fe_flap_table *t, const struct fe_prefix *p,
		   enum fe_flap_change kind, int64_t now)
{
	uint32_t fom = kind == FE_FLAP_DELETE	? t->cfg.fom_delete
		       : kind == FE_FLAP_UPDATE ? t->cfg.fom_update
						: t->cfg.fom_install;
	struct node **pp, *n;
	double pen;

	if (!fe_prefix_valid(p))
		return -EINVAL;
	pp = slot(t, p);
	n = *pp;
	if (n && n->e.flapping && now >= n->e.reuse_at)
		become_stable(t, n, now);
	if (n && decayed(t, n, now)) {
		/* Forgotten history: as if the sweep had expired it already. */
		*pp = n->next;
		free(n);
		t->count--;
		n = NULL;
	}
	if (!n) {
		/* A first install is not churn. */
		if (kind == FE_FLAP_INSTALL || !fom)
			return 0;
		n = calloc(1, sizeof(*n));
		if (!n)
			return -ENOMEM;
		n->e.prefix = *p;
		n->e.first = now;
		*pp = n;
		t->count++;
		if (t->count > t->nbuckets)
			grow(t);
	}
	pen = fe_flap_penalty(t, &n->e, now) + fom;
	if (pen > t->cfg.max_penalty)
		pen = t->cfg.max_penalty;
	n->e.penalty = pen;
	n->e.updated = now;
	n->e.changes++;
	if (n->e.flapping) {
		n->e.reuse_at = reuse_time(t, pen, now);
	} else if (pen >= t->cfg.suppress) {
		n->e.flapping = true;
		n->e.flapping_since = now;
		n->e.reuse_at = reuse_time(t, pen, now);
		flapping_add(t, n);
		if (t->cb)
			t->cb(&n->e, FE_FLAP_EV_FLAPPING, now, t->arg);
	}
	return 0;
}

size_t fe_flap_tick(struct fe_flap_table *t, int64_t now, size_t budget)
{
	struct node *n, *next;
	size_t expired = 0;

	for (n = t->flapping; n; n = next) {
		next = n->fnext;
		if (now >= n->e.reuse_at)
			become_stable(t, n, now);
	}
	if (budget > t->nbuckets)
		budget = t->nbuckets;
	while (budget--) {
		struct node **pp = &t->buckets[t->sweep];

		while ((n = *pp)) {
			if (decayed(t, n, now)) {
				*pp = n->next;
				free(n);
				t->count--;
				expired++;
			} else {
				pp = &n->next;
			}
		}
		t->sweep = (t->sweep + 1) & (t->nbuckets - 1);
	}
	return expired;
}

const struct fe_flap_entry *fe_flap_get(const struct fe_flap_table *t,
					const struct fe_prefix *p)
{
	struct node *n = *slot(t, p);

	return n ? &n->e : NULL;
}

size_t fe_flap_count(const struct fe_flap_table *t)
{
	return t->count;
}

size_t fe_flap_flapping_count(const struct fe_flap_table *t)
{
	return t->nflapping;
}

size_t fe_flap_memory(const struct fe_flap_table *t)
{
	return sizeof(*t) + t->nbuckets * sizeof(*t->buckets) +
	       t->count * sizeof(struct node);
}

int fe_flap_foreach(const struct fe_flap_table *t,
		    int (*cb)(const struct fe_flap_entry *e, void *arg),
		    void *arg)
{
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct node *n = t->buckets[i]; n; n = n->next) {
			int ret = cb(&n->e, arg);

			if (ret)
				return ret;
		}
	return 0;
}

const char *fe_flap_event_str(enum fe_flap_event ev)
{
	return ev == FE_FLAP_EV_FLAPPING ? "flapping" : "stable";
}
