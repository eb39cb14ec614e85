// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hijack detection for protected prefixes (see fe_hijack.h).
 *
 * Protections are few and changed by an operator; RIB changes are many:
 * a sorted array of pointers gives a binary search per change.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fe_hijack.h"

struct fe_hijack_set {
	struct fe_hijack_protect *p[FE_HIJACK_PROTECT_MAX];
	size_t n;
	fe_hijack_cb cb;
	void *arg;
};

static const char *const kind_names[] = {
	[FE_HIJACK_ORIGIN] = "origin",
	[FE_HIJACK_MORE_SPECIFIC] = "moreSpecific",
	[FE_HIJACK_WITHDRAWN] = "withdrawn",
	[FE_HIJACK_MOAS] = "moas",
};

const char *fe_hijack_kind_str(enum fe_hijack_kind k)
{
	return k <= FE_HIJACK_MOAS ? kind_names[k] : "unknown";
}

struct fe_hijack_set *fe_hijack_new(fe_hijack_cb cb, void *arg)
{
	struct fe_hijack_set *s = calloc(1, sizeof(*s));

	if (s) {
		s->cb = cb;
		s->arg = arg;
	}
	return s;
}

void fe_hijack_free(struct fe_hijack_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->p[i]);
	free(s);
}

static unsigned int maxlen_of(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Order: family, address, length. */
static int cmp_prefix(const struct fe_prefix *a, const struct fe_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

/* True if a covers b (b is a itself or a more-specific of it). */
static bool covers(const struct fe_prefix *a, const struct fe_prefix *b)
{
	unsigned int full = a->len / 8, rest = a->len % 8;

	if (a->family != b->family || a->len > b->len)
		return false;
	if (memcmp(a->addr, b->addr, full))
		return false;
	return !rest ||
	       ((a->addr[full] ^ b->addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* Index of the last protection ordered <= p, or -1. */
static long floor_index(const struct fe_hijack_set *s,
			const struct fe_prefix *p)
{
	long lo = 0, hi = (long)s->n - 1, found = -1;

	while (lo <= hi) {
		long mid = (lo + hi) / 2;

		if (cmp_prefix(&s->p[mid]->prefix, p) <= 0) {
			found = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return found;
}

static struct fe_hijack_protect *covering(const struct fe_hijack_set *s,
					  const struct fe_prefix *p)
{
	/*
	 * Protections do not overlap, so the covering one, if any, is the
	 * last one ordered before p: any protection between it and p would
	 * lie inside it.
	 */
	long i = floor_index(s, p);

	return i >= 0 && covers(&s->p[i]->prefix, p) ? s->p[i] : NULL;
}

const struct fe_hijack_protect *fe_hijack_covering(const struct fe_hijack_set *s,
						   const struct fe_prefix *p)
{
	return covering(s, p);
}

const struct fe_hijack_protect *fe_hijack_get(const struct fe_hijack_set *s,
					      const struct fe_prefix *p)
{
	long i = floor_index(s, p);

	return i >= 0 && cmp_prefix(&s->p[i]->prefix, p) == 0 ? s->p[i] : NULL;
}

size_t fe_hijack_count(const struct fe_hijack_set *s)
{
	return s->n;
}

const struct fe_hijack_protect *fe_hijack_at(const struct fe_hijack_set *s,
					     size_t i)
{
	return i < s->n ? s->p[i] : NULL;
}

bool fe_hijack_origin_expected(const struct fe_hijack_protect *pr,
			       uint32_t origin)
{
	for (unsigned int i = 0; i < pr->norigins; i++)
		if (pr->origins[i] == origin)
			return true;
	return false;
}

static void clear_at(struct fe_hijack_set *s, struct fe_hijack_protect *pr,
		     size_t i, int64_t now)
{
	struct fe_hijack_alert a = pr->alerts[i];

	memmove(&pr->alerts[i], &pr->alerts[i + 1],
		(pr->nalerts - i - 1) * sizeof(pr->alerts[0]));
	pr->nalerts--;
	if (s->cb)
		s->cb(pr, &a, FE_HIJACK_CLEARED, now, s->arg);
}

static long find_alert(const struct fe_hijack_protect *pr,
		       enum fe_hijack_kind kind, const struct fe_prefix *p)
{
	for (size_t i = 0; i < pr->nalerts; i++)
		if (pr->alerts[i].kind == kind &&
		    cmp_prefix(&pr->alerts[i].prefix, p) == 0)
			return (long)i;
	return -1;
}

static void clear_alert(struct fe_hijack_set *s, struct fe_hijack_protect *pr,
			enum fe_hijack_kind kind, const struct fe_prefix *p,
			int64_t now)
{
	long i = find_alert(pr, kind, p);

	if (i >= 0)
		clear_at(s, pr, i, now);
}

/*
 * Raise (or re-raise with new details) an alert. An alert already standing
 * with the same origin is not raised again: a re-announcement of the same
 * hijack is one event, not one per update.
 */
static void raise_alert(struct fe_hijack_set *s, struct fe_hijack_protect *pr,
			const struct fe_hijack_alert *a, int64_t now)
{
	long i = find_alert(pr, a->kind, &a->prefix);
	struct fe_hijack_alert *slot, tmp;

	if (i >= 0) {
		slot = &pr->alerts[i];
		if (a->kind != FE_HIJACK_MOAS &&
		    slot->origin_known == a->origin_known &&
		    slot->origin == a->origin &&
		    slot->beyond_max_length == a->beyond_max_length)
			return;
		*slot = *a;
		slot->tracked = true;
	} else if (pr->nalerts < FE_HIJACK_ALERTS_MAX) {
		slot = &pr->alerts[pr->nalerts++];
		*slot = *a;
		slot->tracked = true;
	} else {
		pr->alerts_untracked++;
		tmp = *a;
		tmp.tracked = false;
		slot = &tmp;
	}
	slot->since = now;
	if (s->cb)
		s->cb(pr, slot, FE_HIJACK_RAISED, now, s->arg);
}

static void clear_all(struct fe_hijack_set *s, struct fe_hijack_protect *pr,
		      int64_t now)
{
	while (pr->nalerts)
		clear_at(s, pr, pr->nalerts - 1, now);
}

int fe_hijack_protect(struct fe_hijack_set *s, const struct fe_prefix *p,
		      const uint32_t *origins, size_t norigins, int max_len,
		      bool mitigate, int64_t now, char *err, size_t errlen)
{
	struct fe_hijack_protect *pr;
	char buf[64], buf2[64];
	long i;

	if (!fe_prefix_valid(p)) {
		snprintf(err, errlen, "invalid prefix");
		return -EINVAL;
	}
	if (!norigins || norigins > FE_HIJACK_ORIGINS_MAX) {
		snprintf(err, errlen, "give 1 to %d origin ASNs",
			 FE_HIJACK_ORIGINS_MAX);
		return -EINVAL;
	}
	for (size_t k = 0; k < norigins; k++)
		if (!origins[k] || origins[k] == FE_HIJACK_AS_TRANS) {
			snprintf(err, errlen,
				 "invalid origin AS %u (AS 0 and AS_TRANS 23456 never originate a route)",
				 origins[k]);
			return -EINVAL;
		}
	if (max_len < 0)
		max_len = p->len;
	if ((unsigned int)max_len < p->len ||
	    (unsigned int)max_len > maxlen_of(p->family)) {
		snprintf(err, errlen,
			 "max-length %d must be between the prefix length %u and %u",
			 max_len, p->len, maxlen_of(p->family));
		return -EINVAL;
	}
	pr = (struct fe_hijack_protect *)fe_hijack_get(s, p);
	for (size_t k = 0; k < s->n; k++) {
		const struct fe_prefix *q = &s->p[k]->prefix;

		if (s->p[k] == pr || !(covers(q, p) || covers(p, q)))
			continue;
		snprintf(err, errlen,
			 "%s overlaps the protection of %s: protections must not cover one another",
			 fe_prefix_str(p, buf, sizeof(buf)),
			 fe_prefix_str(q, buf2, sizeof(buf2)));
		return -EEXIST;
	}
	if (!pr) {
		if (s->n == FE_HIJACK_PROTECT_MAX) {
			snprintf(err, errlen, "at most %d protected prefixes",
				 FE_HIJACK_PROTECT_MAX);
			return -ENOSPC;
		}
		pr = calloc(1, sizeof(*pr));
		if (!pr) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		pr->prefix = *p;
		i = floor_index(s, p) + 1;
		memmove(&s->p[i + 1], &s->p[i], (s->n - i) * sizeof(s->p[0]));
		s->p[i] = pr;
		s->n++;
	} else {
		/* New expectations: old verdicts no longer hold. */
		clear_all(s, pr, now);
		pr->seen = pr->present = pr->origin_known = false;
	}
	pr->norigins = 0;
	for (size_t k = 0; k < norigins; k++)
		if (!fe_hijack_origin_expected(pr, origins[k]))
			pr->origins[pr->norigins++] = origins[k];
	pr->max_len = max_len;
	pr->mitigate = mitigate;
	return 0;
}

int fe_hijack_unprotect(struct fe_hijack_set *s, const struct fe_prefix *p,
			int64_t now)
{
	long i = floor_index(s, p);
	struct fe_hijack_protect *pr;

	if (i < 0 || cmp_prefix(&s->p[i]->prefix, p))
		return -ENOENT;
	pr = s->p[i];
	clear_all(s, pr, now);
	memmove(&s->p[i], &s->p[i + 1], (s->n - i - 1) * sizeof(s->p[0]));
	s->n--;
	free(pr);
	return 0;
}

int fe_hijack_clear(struct fe_hijack_set *s, const struct fe_prefix *p,
		    int64_t now)
{
	struct fe_hijack_protect *pr =
		(struct fe_hijack_protect *)fe_hijack_get(s, p);
	int n;

	if (!pr)
		return -ENOENT;
	n = (int)pr->nalerts;
	clear_all(s, pr, now);
	pr->alerts_untracked = 0;
	return n;
}

static void exact_change(struct fe_hijack_set *s, struct fe_hijack_protect *pr,
			 const struct fe_hijack_route *r, int64_t now)
{
	struct fe_hijack_alert a = { .prefix = r->prefix,
				     .origin_known = r->origin_known,
				     .origin = r->origin };

	pr->last_change = now;
	if (!r->present) {
		clear_alert(s, pr, FE_HIJACK_ORIGIN, &r->prefix, now);
		if (pr->present) {
			a.kind = FE_HIJACK_WITHDRAWN;
			a.origin_known = pr->origin_known;
			a.origin = pr->origin;
			raise_alert(s, pr, &a, now);
		}
		pr->present = false;
		return;
	}
	clear_alert(s, pr, FE_HIJACK_WITHDRAWN, &r->prefix, now);
	if (r->origin_known) {
		if (pr->seen && pr->origin_known && pr->origin != r->origin) {
			a.kind = FE_HIJACK_MOAS;
			a.prev_origin_known = true;
			a.prev_origin = pr->origin;
			raise_alert(s, pr, &a, now);
		}
		if (!fe_hijack_origin_expected(pr, r->origin)) {
			a.kind = FE_HIJACK_ORIGIN;
			raise_alert(s, pr, &a, now);
		} else {
			clear_alert(s, pr, FE_HIJACK_ORIGIN, &r->prefix, now);
		}
		pr->origin = r->origin;
	}
	pr->origin_known = r->origin_known;
	pr->seen = pr->present = true;
}

static void more_specific_change(struct fe_hijack_set *s,
				 struct fe_hijack_protect *pr,
				 const struct fe_hijack_route *r, int64_t now)
{
	struct fe_hijack_alert a = { .kind = FE_HIJACK_MORE_SPECIFIC,
				     .prefix = r->prefix,
				     .origin_known = r->origin_known,
				     .origin = r->origin };

	a.beyond_max_length = r->prefix.len > pr->max_len;
	if (r->present &&
	    (a.beyond_max_length ||
	     (r->origin_known && !fe_hijack_origin_expected(pr, r->origin))))
		raise_alert(s, pr, &a, now);
	else
		clear_alert(s, pr, FE_HIJACK_MORE_SPECIFIC, &r->prefix, now);
}

int fe_hijack_route_change(struct fe_hijack_set *s,
			   const struct fe_hijack_route *r, int64_t now)
{
	struct fe_hijack_protect *pr;

	if (!fe_prefix_valid(&r->prefix))
		return -EINVAL;
	pr = covering(s, &r->prefix);
	if (!pr)
		return 0;
	if (r->prefix.len == pr->prefix.len)
		exact_change(s, pr, r, now);
	else
		more_specific_change(s, pr, r, now);
	return 1;
}

bool fe_asn_parse(const char *s, uint32_t *asn)
{
	unsigned long long v = 0, hi = 0;
	bool dot = false, digits = false;

	for (; *s; s++) {
		if (*s == '.' && !dot && digits) {
			/* asdot: HI.LO, each 16 bits */
			if (v > 0xffff)
				return false;
			hi = v;
			v = 0;
			dot = true;
			digits = false;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return false;
		v = v * 10 + (unsigned long long)(*s - '0');
		if (v > 0xffffffffULL)
			return false;
		digits = true;
	}
	if (!digits || (dot && v > 0xffff))
		return false;
	if (dot)
		v = hi << 16 | v;
	if (!v)
		return false;
	*asn = (uint32_t)v;
	return true;
}

bool fe_aspath_origin(const char *aspath, uint32_t *origin)
{
	const char *end, *start;
	char tok[16];
	size_t len;

	if (!aspath)
		return false;
	end = aspath + strlen(aspath);
	while (end > aspath && isspace((unsigned char)end[-1]))
		end--;
	if (end == aspath)
		return false; /* empty: originated in our own AS */
	/* Ending in a set or a confederation segment: no single origin. */
	if (end[-1] == '}' || end[-1] == ')' || end[-1] == ']')
		return false;
	start = end;
	while (start > aspath && !isspace((unsigned char)start[-1]) &&
	       start[-1] != '}' && start[-1] != ')')
		start--;
	len = (size_t)(end - start);
	if (!len || len >= sizeof(tok))
		return false;
	memcpy(tok, start, len);
	tok[len] = '\0';
	return fe_asn_parse(tok, origin);
}
