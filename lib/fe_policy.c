// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy overrides: configuration model, validation, encoding.
 *
 * A small sorted array: policies are few (at most FE_POLICIES_MAX) and are
 * changed by an operator, so simplicity beats asymptotics here.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fe_policy.h"

struct fe_policy_set {
	struct fe_policy *p[FE_POLICIES_MAX];
	size_t n;
	/* Counter slots in use: a policy keeps its slot for its lifetime. */
	uint8_t id_used[FE_POLICIES_MAX];
	size_t reserved; /* slots held by fe_policy_reserve_id */
};

static const char *const action_names[] = {
	[FE_POL_DROP] = "drop",
	[FE_POL_KERNEL] = "kernel",
	[FE_POL_COUNT] = "count",
	[FE_POL_NHG] = "nexthop-group",
	[FE_POL_PIN] = "pin",
	[FE_POL_EXCLUDE] = "exclude",
};

const char *fe_policy_action_str(enum fe_policy_action a)
{
	if (a >= FE_POL_DROP && a <= FE_POL_EXCLUDE)
		return action_names[a];
	return "unknown";
}

int fe_policy_action_parse(const char *word)
{
	for (int a = FE_POL_DROP; a <= FE_POL_EXCLUDE; a++)
		if (strcmp(word, action_names[a]) == 0)
			return a;
	return -EINVAL;
}

struct fe_policy_set *fe_policy_set_new(void)
{
	return calloc(1, sizeof(struct fe_policy_set));
}

void fe_policy_set_free(struct fe_policy_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->p[i]);
	free(s);
}

static long find(const struct fe_policy_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->p[i]->name, name) == 0)
			return (long)i;
	return -1;
}

const struct fe_policy *fe_policy_get(const struct fe_policy_set *s,
				      const char *name)
{
	long i = find(s, name);

	return i < 0 ? NULL : s->p[i];
}

size_t fe_policy_count(const struct fe_policy_set *s)
{
	return s->n;
}

const struct fe_policy *fe_policy_at(const struct fe_policy_set *s, size_t i)
{
	return i < s->n ? s->p[i] : NULL;
}

bool fe_policy_complete(const struct fe_policy *p)
{
	return p->has_match && p->has_action;
}

static bool name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > FE_POLICY_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.'))
			return false;
	}
	return true;
}

/*
 * Get the policy to change: a copy of the existing one, or a new one.
 * The caller commits the copy only once every check has passed.
 */
static int prepare(struct fe_policy_set *s, const char *name,
		   struct fe_policy *out, char *err, size_t errlen)
{
	long i;

	if (!name_ok(name)) {
		snprintf(err, errlen,
			 "policy name must be 1-%d characters of letters, digits, '-', '_', '.'",
			 FE_POLICY_NAME_MAX);
		return -EINVAL;
	}
	i = find(s, name);
	if (i >= 0) {
		*out = *s->p[i];
		return 0;
	}
	if (s->n + s->reserved >= FE_POLICIES_MAX) {
		snprintf(err, errlen, "at most %d policies (%zu slots used by detection)",
			 FE_POLICIES_MAX, s->reserved);
		return -ENOSPC;
	}
	memset(out, 0, sizeof(*out));
	strcpy(out->name, name);
	out->id = UINT32_MAX; /* assigned on commit */
	return 0;
}

static int commit(struct fe_policy_set *s, const struct fe_policy *np)
{
	long i = find(s, np->name);
	struct fe_policy *p;
	size_t pos;

	if (i >= 0) {
		*s->p[i] = *np;
		return 0;
	}
	p = malloc(sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = *np;
	for (uint32_t id = 0; id < FE_POLICIES_MAX; id++) {
		if (!s->id_used[id]) {
			s->id_used[id] = 1;
			p->id = id;
			break;
		}
	}
	/* keep name order */
	for (pos = 0; pos < s->n && strcmp(s->p[pos]->name, p->name) < 0; pos++)
		;
	memmove(&s->p[pos + 1], &s->p[pos], (s->n - pos) * sizeof(s->p[0]));
	s->p[pos] = p;
	s->n++;
	return 0;
}

static bool same_prefix(const struct fe_prefix *a, const struct fe_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static int nh_family_check(const struct fe_policy *p, char *err,
			   size_t errlen)
{
	if (!p->has_match || !p->has_action ||
	    (p->action != FE_POL_PIN && p->action != FE_POL_EXCLUDE))
		return 0;
	if (p->nh.family != p->dst.family) {
		snprintf(err, errlen,
			 "nexthop and destination are of different address families");
		return -EAFNOSUPPORT;
	}
	return 0;
}

int fe_policy_set_match(struct fe_policy_set *s, const char *name,
			const struct fe_prefix *dst, const struct fe_prefix *src,
			const char *ingress, char *err, size_t errlen)
{
	struct fe_policy np;
	int ret;

	ret = prepare(s, name, &np, err, errlen);
	if (ret)
		return ret;
	if (!dst || !fe_prefix_valid(dst)) {
		snprintf(err, errlen, "invalid destination prefix");
		return -EINVAL;
	}
	if (src && !fe_prefix_valid(src)) {
		snprintf(err, errlen, "invalid source prefix");
		return -EINVAL;
	}
	if (src && src->family != dst->family) {
		snprintf(err, errlen,
			 "source and destination are of different address families");
		return -EAFNOSUPPORT;
	}
	if (ingress && strlen(ingress) >= IF_NAMESIZE) {
		snprintf(err, errlen, "interface name too long");
		return -EINVAL;
	}
	for (size_t i = 0; i < s->n; i++) {
		const struct fe_policy *o = s->p[i];

		if (o->has_match && strcmp(o->name, name) != 0 &&
		    same_prefix(&o->dst, dst)) {
			snprintf(err, errlen,
				 "policy %s already matches this destination",
				 o->name);
			return -EEXIST;
		}
	}
	np.has_match = true;
	np.dst = *dst;
	np.has_src = src != NULL;
	memset(&np.src, 0, sizeof(np.src));
	if (src)
		np.src = *src;
	memset(np.ingress, 0, sizeof(np.ingress));
	if (ingress)
		strcpy(np.ingress, ingress);
	ret = nh_family_check(&np, err, errlen);
	if (ret)
		return ret;
	return commit(s, &np);
}

int fe_policy_set_action(struct fe_policy_set *s, const char *name,
			 enum fe_policy_action action, uint32_t nhg_id,
			 const struct fe_prefix *nh, char *err, size_t errlen)
{
	struct fe_policy np;
	int ret;

	ret = prepare(s, name, &np, err, errlen);
	if (ret)
		return ret;
	if (action < FE_POL_DROP || action > FE_POL_EXCLUDE) {
		snprintf(err, errlen, "unknown action");
		return -EINVAL;
	}
	if (action == FE_POL_NHG && nhg_id == 0) {
		snprintf(err, errlen, "nexthop-group id must be 1 or more");
		return -EINVAL;
	}
	if (action == FE_POL_PIN || action == FE_POL_EXCLUDE) {
		if (!nh || !fe_prefix_valid(nh) ||
		    nh->len != (nh->family == AF_INET ? 32 : 128)) {
			snprintf(err, errlen, "invalid nexthop address");
			return -EINVAL;
		}
	}
	np.has_action = true;
	np.action = action;
	np.nhg_id = action == FE_POL_NHG ? nhg_id : 0;
	memset(&np.nh, 0, sizeof(np.nh));
	if (action == FE_POL_PIN || action == FE_POL_EXCLUDE)
		np.nh = *nh;
	ret = nh_family_check(&np, err, errlen);
	if (ret)
		return ret;
	return commit(s, &np);
}

int fe_policy_del(struct fe_policy_set *s, const char *name)
{
	long i = find(s, name);

	if (i < 0)
		return -ENOENT;
	s->id_used[s->p[i]->id] = 0;
	free(s->p[i]);
	memmove(&s->p[i], &s->p[i + 1], (s->n - i - 1) * sizeof(s->p[0]));
	s->n--;
	return 0;
}

int fe_policy_encode(const struct fe_policy *p, uint32_t ingress_ifindex,
		     union fe_route_key *key, size_t *keylen,
		     struct fe_policy_val *val)
{
	struct fe_route r = { .dst = p->dst, .kind = FE_ROUTE_BLACKHOLE };
	struct fe_route_val rv;
	union fe_route_key k;
	size_t kl;
	int ret;

	if (!fe_policy_complete(p))
		return -EINVAL;
	ret = fe_route_encode(&r, &k, &kl, &rv);
	if (ret)
		return ret;
	memset(val, 0, sizeof(*val));
	val->id = p->id;
	val->action = p->action;
	val->ingress = ingress_ifindex;
	val->nhg_id = p->nhg_id;
	if (p->has_src) {
		val->src_len = p->src.len;
		memcpy(val->src, p->src.addr, sizeof(val->src));
	}
	if (p->action == FE_POL_PIN || p->action == FE_POL_EXCLUDE)
		memcpy(val->nh, p->nh.addr, sizeof(val->nh));
	*key = k;
	*keylen = kl;
	return 0;
}

int fe_policy_reserve_id(struct fe_policy_set *s, uint32_t *id)
{
	if (s->n + s->reserved >= FE_POLICIES_MAX)
		return -ENOSPC;
	for (uint32_t i = 0; i < FE_POLICIES_MAX; i++) {
		if (!s->id_used[i]) {
			s->id_used[i] = 1;
			s->reserved++;
			*id = i;
			return 0;
		}
	}
	return -ENOSPC;
}

void fe_policy_release_id(struct fe_policy_set *s, uint32_t id)
{
	if (id < FE_POLICIES_MAX && s->id_used[id] && s->reserved) {
		s->id_used[id] = 0;
		s->reserved--;
	}
}

const struct fe_policy *fe_policy_find_dst(const struct fe_policy_set *s,
					   const struct fe_prefix *dst)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i]->has_match && same_prefix(&s->p[i]->dst, dst))
			return s->p[i];
	return NULL;
}

void fe_polmask_add(struct fe_polmask *m, const uint8_t *addr,
		    unsigned int len)
{
	uint32_t top = (uint32_t)addr[0] << 8 | addr[1];
	uint32_t span = len >= 16 ? 1 : 1u << (16 - len);

	/* a prefix shorter than 16 bits covers a run of first-16-bit values */
	top &= ~(span - 1);
	for (uint32_t v = top; v < top + span; v++)
		m->bits[v >> 6] |= 1ULL << (v & 63);
}
