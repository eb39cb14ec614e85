/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hijack detection for prefixes the operator protects. Pure C: no FRR,
 * no clock (time in ms is passed in).
 *
 *   ebpf hijack protect PREFIX origin-as ASN [ASN ...] [max-length N] [mitigate]
 *
 * The caller feeds every change of the RIB's selected route (present or
 * gone, with its origin AS when the AS path is known). For the protection
 * covering the changed prefix, alerts are raised and cleared:
 *
 *   ORIGIN        the protected prefix itself is selected with an origin
 *                 that is not one of the expected; cleared when the origin
 *                 is expected again or the route goes;
 *   MORE_SPECIFIC a more-specific is selected that is longer than
 *                 max-length, or (within max-length) from an unexpected
 *                 origin; cleared when it goes or becomes acceptable;
 *   WITHDRAWN     the protected prefix was in the RIB and is gone; cleared
 *                 when it comes back;
 *   MOAS          the protected prefix's origin changed between two
 *                 announcements (multiple origins seen); stays until
 *                 cleared by the operator.
 *
 * Origin unknown (no AS path: not BGP, or bgpd without `bgp send-extra-data
 * zebra`, or an AS_SET / empty path): every origin check and MOAS are
 * skipped; length and withdrawal checks still apply.
 *
 * Protections never overlap (neither covers the other), so at most one
 * covers a route; it is found by binary search in a sorted array.
 */
#ifndef FE_HIJACK_H
#define FE_HIJACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fe_route.h"

#define FE_HIJACK_ORIGINS_MAX 16
#define FE_HIJACK_PROTECT_MAX 1024
#define FE_HIJACK_ALERTS_MAX 64 /* active alerts kept per protection */
#define FE_HIJACK_AS_TRANS 23456

enum fe_hijack_kind {
	FE_HIJACK_ORIGIN,
	FE_HIJACK_MORE_SPECIFIC,
	FE_HIJACK_WITHDRAWN,
	FE_HIJACK_MOAS,
};

struct fe_hijack_alert {
	enum fe_hijack_kind kind;
	struct fe_prefix prefix; /* the route concerned */
	bool origin_known;
	uint32_t origin;         /* the route's origin when raised */
	bool prev_origin_known;  /* MOAS: the origin before */
	uint32_t prev_origin;
	bool beyond_max_length;  /* MORE_SPECIFIC: longer than max-length */
	bool tracked;            /* kept in the protection's alert list */
	int64_t since;           /* ms */
};

struct fe_hijack_protect {
	struct fe_prefix prefix;
	uint32_t origins[FE_HIJACK_ORIGINS_MAX];
	uint8_t norigins;
	uint8_t max_len;
	bool mitigate;

	/* What the RIB showed last for the protected prefix itself. */
	bool seen;          /* selected at least once */
	bool present;
	bool origin_known;
	uint32_t origin;
	int64_t last_change;

	struct fe_hijack_alert alerts[FE_HIJACK_ALERTS_MAX];
	size_t nalerts;
	uint64_t alerts_untracked; /* raised while the list was full */
};

/* A change of the RIB's selected route for one prefix. */
struct fe_hijack_route {
	struct fe_prefix prefix;
	bool present;      /* a route is selected after the change */
	bool origin_known;
	uint32_t origin;
};

enum fe_hijack_action {
	FE_HIJACK_RAISED,
	FE_HIJACK_CLEARED,
};

typedef void (*fe_hijack_cb)(const struct fe_hijack_protect *pr,
			     const struct fe_hijack_alert *a,
			     enum fe_hijack_action act, int64_t now,
			     void *arg);

struct fe_hijack_set;

struct fe_hijack_set *fe_hijack_new(fe_hijack_cb cb, void *arg);
void fe_hijack_free(struct fe_hijack_set *s);

/*
 * Protect a prefix (or replace the protection of that same prefix; its
 * alerts are then cleared and the RIB should be fed again). max_len < 0
 * means the prefix length (no more-specific allowed). 0 or -errno with
 * err set and nothing changed: -EINVAL bad prefix, no origin, AS 0 or
 * AS_TRANS, more than FE_HIJACK_ORIGINS_MAX origins, max-length shorter
 * than the prefix or longer than the family allows; -EEXIST overlaps
 * another protection; -ENOSPC too many protections.
 */
int fe_hijack_protect(struct fe_hijack_set *s, const struct fe_prefix *p,
		      const uint32_t *origins, size_t norigins, int max_len,
		      bool mitigate, int64_t now, char *err, size_t errlen);

/* Remove a protection (its alerts are cleared first). -ENOENT if none. */
int fe_hijack_unprotect(struct fe_hijack_set *s, const struct fe_prefix *p,
			int64_t now);

/*
 * Forget a protection's alerts (each reported as CLEARED), as the operator
 * acknowledged them. Returns the number cleared, -ENOENT if no protection.
 */
int fe_hijack_clear(struct fe_hijack_set *s, const struct fe_prefix *p,
		    int64_t now);

/*
 * Evaluate one RIB change. Returns 1 if a protection covers the prefix,
 * 0 if none does, -EINVAL for a bad prefix.
 */
int fe_hijack_route_change(struct fe_hijack_set *s,
			   const struct fe_hijack_route *r, int64_t now);

/* The protection covering p (p itself or a more-specific), or NULL. */
const struct fe_hijack_protect *fe_hijack_covering(const struct fe_hijack_set *s,
						   const struct fe_prefix *p);
const struct fe_hijack_protect *fe_hijack_get(const struct fe_hijack_set *s,
					      const struct fe_prefix *p);

/* Protections sorted by family, address, length (stable for config). */
size_t fe_hijack_count(const struct fe_hijack_set *s);
const struct fe_hijack_protect *fe_hijack_at(const struct fe_hijack_set *s,
					     size_t i);

bool fe_hijack_origin_expected(const struct fe_hijack_protect *pr,
			       uint32_t origin);

/*
 * Origin AS of an AS path as bgpd prints it ("65001 65002", "(65010)
 * 65001", "65001 {65002,65003}"): the last AS of the last segment. Returns
 * true with *origin set, false when the origin is unknown: empty path
 * (locally originated), or a path ending in an AS_SET or confederation
 * segment, or unparsable text.
 */
bool fe_aspath_origin(const char *aspath, uint32_t *origin);

/* Parse an ASN "65001" or asdot "1.10"; false if invalid (0 included). */
bool fe_asn_parse(const char *s, uint32_t *asn);

/* "origin", "moreSpecific", "withdrawn", "moas". */
const char *fe_hijack_kind_str(enum fe_hijack_kind k);

#endif /* FE_HIJACK_H */
