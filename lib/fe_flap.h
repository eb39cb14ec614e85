/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Route-flap detection: a per-prefix penalty in RFC 2439 arithmetic.
 * Pure C: no FRR, no clock (the caller passes the time, in milliseconds
 * of any monotonic clock, so tests can simulate timelines).
 *
 * Each change of a prefix's selected route adds a figure of merit to its
 * penalty (capped at max_penalty); the penalty decays exponentially,
 * halving every half-life. Crossing suppress_threshold upwards raises
 * FE_FLAP_EV_FLAPPING; decaying below reuse_threshold afterwards raises
 * FE_FLAP_EV_STABLE. Observation only: nothing is withheld here.
 *
 * Defaults (FE_FLAP_DEFAULT_*), in the spirit of RFC 7196:
 *   - half-life 900 s (RFC 2439's 15 minutes);
 *   - a delete costs 1000, an install or update 500 (RFC 2439 withdrawal
 *     and attribute-change figures), so one flap (delete + install) adds
 *     1500;
 *   - suppress 6000 (RFC 7196 recommends 6000 or more: four flaps in a
 *     row, not one or two, make a prefix "flapping");
 *   - reuse 750 (RFC 2439);
 *   - max-penalty 12000 = reuse * 2^(60 min / 15 min): RFC 2439's
 *     ceiling for a 60-minute maximum suppression, so a flapping prefix
 *     becomes stable at most four half-lives after its last change.
 * A first install of a prefix not in the table costs nothing (a full
 * table load is not churn); entries are forgotten once their penalty has
 * decayed below half the reuse threshold, as bgpd's dampening does, so
 * only prefixes that changed recently take memory.
 *
 * Table: a chained hash that doubles when full (amortised O(1) per
 * change); fe_flap_tick() checks only the flapping prefixes for reuse
 * (they are kept on their own list) and sweeps a bounded number of
 * buckets for expiry, so no periodic call walks the whole table.
 */
#ifndef FE_FLAP_H
#define FE_FLAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fe_route.h"

#define FE_FLAP_DEFAULT_HALF_LIFE 900 /* seconds */
#define FE_FLAP_DEFAULT_SUPPRESS 6000
#define FE_FLAP_DEFAULT_REUSE 750
#define FE_FLAP_DEFAULT_MAX_PENALTY 12000
#define FE_FLAP_DEFAULT_FOM_DELETE 1000
#define FE_FLAP_DEFAULT_FOM_INSTALL 500
#define FE_FLAP_DEFAULT_FOM_UPDATE 500

struct fe_flap_config {
	uint32_t half_life;   /* seconds, >= 1 */
	uint32_t suppress;    /* reuse < suppress < max_penalty */
	uint32_t reuse;
	uint32_t max_penalty;
	uint32_t fom_install; /* figure of merit per change kind */
	uint32_t fom_update;
	uint32_t fom_delete;
};

enum fe_flap_change {
	FE_FLAP_INSTALL,
	FE_FLAP_UPDATE,
	FE_FLAP_DELETE,
};

enum fe_flap_event {
	FE_FLAP_EV_FLAPPING, /* penalty crossed suppress upwards */
	FE_FLAP_EV_STABLE,   /* a flapping prefix decayed below reuse */
};

/* What the table knows of one prefix. */
struct fe_flap_entry {
	struct fe_prefix prefix;
	bool flapping;
	double penalty;     /* at time `updated` */
	int64_t updated;    /* ms, time of the last change */
	int64_t first;      /* ms, first change since the entry was created */
	int64_t flapping_since;
	int64_t reuse_at;   /* ms, when a flapping prefix falls below reuse */
	uint32_t changes;   /* changes since the entry was created */
};

/* Called for every crossing; the entry stays valid during the call. */
typedef void (*fe_flap_event_cb)(const struct fe_flap_entry *e,
				 enum fe_flap_event ev, int64_t now,
				 void *arg);

struct fe_flap_table;

void fe_flap_config_default(struct fe_flap_config *c);

/*
 * Check a configuration: 0, or -EINVAL with err explaining (half-life 0,
 * thresholds not in the order reuse < suppress < max-penalty).
 */
int fe_flap_config_check(const struct fe_flap_config *c, char *err,
			 size_t errlen);

/* NULL with errno set on a bad configuration or no memory. */
struct fe_flap_table *fe_flap_new(const struct fe_flap_config *c,
				  fe_flap_event_cb cb, void *arg);
void fe_flap_free(struct fe_flap_table *t);

/*
 * Change the configuration (checked as fe_flap_config_check); penalties
 * are kept, crossings are re-evaluated at the next change or tick.
 */
int fe_flap_set_config(struct fe_flap_table *t, const struct fe_flap_config *c,
		       char *err, size_t errlen);
const struct fe_flap_config *fe_flap_get_config(const struct fe_flap_table *t);

/*
 * One change of a prefix's selected route at time now (ms). May raise
 * STABLE (if a flapping prefix had decayed below reuse without a tick)
 * then FLAPPING. 0, or -ENOMEM / -EINVAL (bad prefix).
 */
int fe_flap_change(struct fe_flap_table *t, const struct fe_prefix *p,
		   enum fe_flap_change kind, int64_t now);

/*
 * Periodic work: raise STABLE for flapping prefixes whose reuse time has
 * come, and expire up to `budget` buckets' worth of decayed entries.
 * Returns the number of entries expired.
 */
size_t fe_flap_tick(struct fe_flap_table *t, int64_t now, size_t budget);

/* The penalty of an entry at time now. */
double fe_flap_penalty(const struct fe_flap_table *t,
		       const struct fe_flap_entry *e, int64_t now);

/* NULL if the prefix has no entry. */
const struct fe_flap_entry *fe_flap_get(const struct fe_flap_table *t,
					const struct fe_prefix *p);

size_t fe_flap_count(const struct fe_flap_table *t);
size_t fe_flap_flapping_count(const struct fe_flap_table *t);
/* Bytes held by the table (entries and buckets). */
size_t fe_flap_memory(const struct fe_flap_table *t);

/* Every entry, in no particular order; stop when cb returns non-zero. */
int fe_flap_foreach(const struct fe_flap_table *t,
		    int (*cb)(const struct fe_flap_entry *e, void *arg),
		    void *arg);

const char *fe_flap_event_str(enum fe_flap_event ev);

#endif /* FE_FLAP_H */
