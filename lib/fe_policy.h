/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Policy overrides: the configuration model and its validation, and the
 * encoding of a complete policy into the fast path's map entry. Pure C.
 *
 *   ebpf policy NAME match destination PREFIX [source PREFIX] [ingress IFNAME]
 *   ebpf policy NAME action (drop|kernel|count|nexthop-group ID|pin NH|exclude NH)
 *
 * One policy per destination prefix (the fast path finds policies by a
 * longest-prefix match on the destination); a second policy on the same
 * destination is a conflict and is refused. A policy takes effect once it
 * has both a match and an action.
 */
#ifndef FE_POLICY_H
#define FE_POLICY_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fe_polmask.h"
#include "fe_route.h"

#define FE_POLICY_NAME_MAX 63

struct fe_policy {
	char name[FE_POLICY_NAME_MAX + 1];
	uint32_t id; /* stable index into the per-policy counters */

	bool has_match;
	struct fe_prefix dst;
	bool has_src;
	struct fe_prefix src;
	char ingress[IF_NAMESIZE]; /* "" for any */

	bool has_action;
	enum fe_policy_action action;
	uint32_t nhg_id;     /* FE_POL_NHG */
	struct fe_prefix nh; /* FE_POL_PIN / FE_POL_EXCLUDE: a host prefix */
};

struct fe_policy_set;

struct fe_policy_set *fe_policy_set_new(void);
void fe_policy_set_free(struct fe_policy_set *s);

/*
 * Set the match of policy `name` (created if new). src may be NULL,
 * ingress NULL or "". On error (0 or negative errno) err explains and
 * nothing changed: -EINVAL bad name/prefix/interface name, -EAFNOSUPPORT
 * source of another family, -EEXIST another policy has this destination,
 * -ENOSPC too many policies.
 */
int fe_policy_set_match(struct fe_policy_set *s, const char *name,
			const struct fe_prefix *dst, const struct fe_prefix *src,
			const char *ingress, char *err, size_t errlen);

/*
 * Set the action. nhg_id for FE_POL_NHG (> 0), nh for pin/exclude (a host
 * address: /32 or /128). -EINVAL on a bad argument, -EAFNOSUPPORT when the
 * nexthop's family differs from the match's, -ENOSPC too many policies.
 */
int fe_policy_set_action(struct fe_policy_set *s, const char *name,
			 enum fe_policy_action action, uint32_t nhg_id,
			 const struct fe_prefix *nh, char *err, size_t errlen);

/* Remove a policy. -ENOENT if there is none of that name. */
int fe_policy_del(struct fe_policy_set *s, const char *name);

const struct fe_policy *fe_policy_get(const struct fe_policy_set *s,
				      const char *name);

/* Policies in name order (stable output for config and show). */
size_t fe_policy_count(const struct fe_policy_set *s);
const struct fe_policy *fe_policy_at(const struct fe_policy_set *s, size_t i);

/* Complete (match and action) and so installable. */
bool fe_policy_complete(const struct fe_policy *p);

/*
 * Encode a complete policy for the fast path: its destination key (an
 * LPM key of the policy's family) and value. ingress_ifindex is the
 * resolved interface (0 for any). -EINVAL if incomplete.
 */
int fe_policy_encode(const struct fe_policy *p, uint32_t ingress_ifindex,
		     union fe_route_key *key, size_t *keylen,
		     struct fe_policy_val *val);

/*
 * A counter slot (and room in the policy tries) for an entry the module
 * installs on its own, e.g. a detection mitigation; operators then have
 * one policy less. -ENOSPC when the tries are full.
 */
int fe_policy_reserve_id(struct fe_policy_set *s, uint32_t *id);
void fe_policy_release_id(struct fe_policy_set *s, uint32_t id);

/* The policy matching exactly this destination, or NULL. */
const struct fe_policy *fe_policy_find_dst(const struct fe_policy_set *s,
					   const struct fe_prefix *dst);

/*
 * Mark in m the destinations a policy prefix (addr in network order, len
 * bits) may cover: the fast path's prefilter (bpf/fe_polmask.h).
 */
void fe_polmask_add(struct fe_polmask *m, const uint8_t *addr,
		    unsigned int len);

const char *fe_policy_action_str(enum fe_policy_action a);
int fe_policy_action_parse(const char *word);

#endif /* FE_POLICY_H */
