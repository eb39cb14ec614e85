// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flap and hijack detection, fed by zebra's rib_update hook (main thread).
 *
 * The hook fires several times per change ("new route selected" then
 * "installing in kernel", ...) and before the new route is known, so it
 * only classifies the change from the reason zebra gives (install,
 * update, delete), snapshots the route being replaced, locks the node and
 * queues it. A batched job (at most DETECT_BATCH changes per run, so
 * zebra's main thread is never held long) then reads the selected route
 * zebra settled on, its AS path from re->opaque (struct bgp_zebra_opaque,
 * sent by bgpd with `bgp send-extra-data zebra`), and feeds both
 * detectors. Only the default VRF's main table is looked at, as the
 * mirror does.
 */
#include "lib/zebra.h"

#include "lib/log.h"
#include "lib/monotime.h"
#include "lib/nexthop.h"
#include "lib/route_opaque.h"
#include "lib/srcdest_table.h"
#include "lib/table.h"
#include "zebra/rib.h"
#include "zebra/zebra_nhg.h"
#include "zebra/zebra_vrf.h"

#include "frr_compat.h"
#include "ebpf_debug.h"
#include "ebpf_detect.h"
#include "ebpf_events.h"
#include "ebpf_mirror.h"
#include "ebpf_policy.h"

#define DETECT_BATCH 2000      /* changes per run of the job */
#define DETECT_SWEEP 4096      /* flap buckets swept per second */

struct pending {
	struct route_node *rn; /* locked while queued */
	enum fe_flap_change kind;
	struct ebpf_ev_route old;
};

/* The change being evaluated: the detectors' callbacks read it. */
struct change {
	struct fe_prefix prefix;
	const struct ebpf_ev_route *old, *new;
};

static struct {
	struct fe_loop *tm;
	struct fe_task *run, *tick;
	struct fe_flap_table *flap;
	bool flap_kernel;
	struct fe_hijack_set *hijack;
	struct pending *q;
	size_t qhead, qn, qcap;
	const struct change *cur;
	uint64_t changes, batches;
	uint64_t busy_ns; /* time spent in the hook and the job */
	uint64_t aspath_with, aspath_without;
} d;

int64_t ebpf_detect_now(void)
{
	struct timeval tv;

	monotime(&tv);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

time_t ebpf_detect_wall(int64_t ms)
{
	struct timespec rt;

	clock_gettime(CLOCK_REALTIME, &rt);
	return (time_t)(((int64_t)rt.tv_sec * 1000 + rt.tv_nsec / 1000000 -
			 (ebpf_detect_now() - ms)) /
			1000);
}

/* The detectors' own cost, reported by show ebpf status json. */
static uint64_t ns_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static bool detect_on(void)
{
	return d.flap || fe_hijack_count(d.hijack);
}

static void to_fe(const struct prefix *p, struct fe_prefix *out)
{
	fe_prefix_set(out, p->family, &p->u.prefix, p->prefixlen);
}

static void to_prefix(const struct fe_prefix *fp, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = fp->family;
	p->prefixlen = fp->len;
	memcpy(&p->u.prefix, fp->addr, fp->family == AF_INET ? 4 : 16);
}

/* The route zebra has selected for the FIB, if it is usable. */
static struct route_entry *selected(struct route_node *rn)
{
	rib_dest_t *dest = rib_dest_from_rnode(rn);
	struct route_entry *re = dest ? dest->selected_fib : NULL;

	if (!re || CHECK_FLAG(re->status, ROUTE_ENTRY_REMOVED) ||
	    !nexthop_group_active_nexthop_num(&re->nhe->nhg))
		return NULL;
	return re;
}

/* Origin AS from bgpd's opaque data; false when there is none. */
static bool re_origin(const struct route_entry *re, uint32_t *origin,
		      bool *has_aspath)
{
	const struct bgp_zebra_opaque *o;
	char path[sizeof(o->aspath)];
	size_t len;

	*has_aspath = false;
	if (re->type != ZEBRA_ROUTE_BGP || !re->opaque || !re->opaque->length)
		return false;
	o = (const struct bgp_zebra_opaque *)re->opaque->data;
	len = MIN(re->opaque->length, sizeof(path) - 1);
	memcpy(path, o->aspath, len);
	path[len] = '\0';
	*has_aspath = true;
	return fe_aspath_origin(path, origin);
}

/* has_aspath (may be NULL): a BGP route that came with its AS path. */
static void snap(const struct route_entry *re, struct ebpf_ev_route *r,
		 bool *has_aspath)
{
	const struct nexthop *nh;
	bool aspath;

	memset(r, 0, sizeof(*r));
	if (has_aspath)
		*has_aspath = false;
	if (!re)
		return;
	r->present = true;
	r->protocol = re->type;
	r->origin_known = re_origin(re, &r->origin, &aspath);
	if (has_aspath)
		*has_aspath = aspath;
	for (ALL_NEXTHOPS(re->nhe->nhg, nh)) {
		struct ebpf_ev_nh *e;

		/* The resolved paths follow a recursive one. */
		if (CHECK_FLAG(nh->flags, NEXTHOP_FLAG_RECURSIVE) ||
		    !CHECK_FLAG(nh->flags, NEXTHOP_FLAG_ACTIVE))
			continue;
		r->nnh_total++;
		if (r->nnh == EBPF_EV_NH_MAX)
			continue;
		e = &r->nh[r->nnh++];
		e->ifindex = nh->ifindex;
		switch (nh->type) {
		case NEXTHOP_TYPE_IPV4:
		case NEXTHOP_TYPE_IPV4_IFINDEX:
			e->family = AF_INET;
			memcpy(e->addr, &nh->gate.ipv4, 4);
			break;
		case NEXTHOP_TYPE_IPV6:
		case NEXTHOP_TYPE_IPV6_IFINDEX:
			e->family = AF_INET6;
			memcpy(e->addr, &nh->gate.ipv6, 16);
			break;
		default:
			break;
		}
	}
}

static struct route_table *main_table(int family)
{
	return zebra_vrf_table(family == AF_INET ? AFI_IP : AFI_IP6,
			       SAFI_UNICAST, VRF_DEFAULT);
}

/* What the RIB holds for a prefix now (for events raised off a change). */
static void rib_snap(const struct fe_prefix *fp, struct ebpf_ev_route *r)
{
	struct route_table *t = main_table(fp->family);
	struct route_node *rn;
	struct prefix p;

	memset(r, 0, sizeof(*r));
	if (!t)
		return;
	to_prefix(fp, &p);
	rn = route_node_lookup(t, &p);
	if (rn) {
		snap(selected(rn), r, NULL);
		route_unlock_node(rn);
	}
}

static bool same_prefix(const struct fe_prefix *a, const struct fe_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

/* Fill an event's routes from the change being evaluated, or the RIB. */
static void event_routes(struct ebpf_event *ev, const struct fe_prefix *p)
{
	if (d.cur && same_prefix(&d.cur->prefix, p)) {
		ev->old = *d.cur->old;
		ev->new = *d.cur->new;
	} else {
		rib_snap(p, &ev->new);
		ev->old = ev->new;
	}
}

static void on_flap(const struct fe_flap_entry *e, enum fe_flap_event fev,
		    int64_t now, void *arg)
{
	const struct fe_flap_config *c = fe_flap_get_config(d.flap);
	struct ebpf_event ev = {};

	fe_prefix_str(&e->prefix, ev.prefix, sizeof(ev.prefix));
	event_routes(&ev, &e->prefix);
	if (fev == FE_FLAP_EV_FLAPPING) {
		ev.kind = EBPF_EV_FLAPPING;
		snprintf(ev.detail, sizeof(ev.detail),
			 "%s is flapping: penalty %.0f crossed %u after %u changes in %.1fs%s",
			 ev.prefix, e->penalty, c->suppress, e->changes,
			 (now - e->first) / 1000.0,
			 d.flap_kernel ? "; the fast path hands it to the kernel until it is stable"
				       : "");
		if (d.flap_kernel)
			ebpf_internal_set(EBPF_INTERNAL_FLAP, &e->prefix,
					  FE_POL_KERNEL, 0);
	} else {
		ev.kind = EBPF_EV_STABLE;
		snprintf(ev.detail, sizeof(ev.detail),
			 "%s is stable: penalty fell below %u after %llds flapping",
			 ev.prefix, c->reuse,
			 (long long)(now - e->flapping_since) / 1000);
		ebpf_internal_del(EBPF_INTERNAL_FLAP, &e->prefix);
	}
	ebpf_event_raise(&ev);
}

/* The covering protected route's group in the mirror, 0 if none yet. */
static uint32_t cover_nhg(const struct fe_prefix *p)
{
	struct fe_route_val val;
	struct fe_prefix m;

	if (ebpf_mirror_route_lookup(p, &m, &val) || m.len != p->len ||
	    val.kind != FE_ROUTE_UNICAST)
		return 0;
	return val.nhg_id;
}

static void mitigate(const struct fe_hijack_protect *pr,
		     const struct fe_hijack_alert *a, bool on)
{
	if (a->kind != FE_HIJACK_MORE_SPECIFIC || !a->tracked)
		return;
	if (on && pr->mitigate)
		ebpf_internal_set(EBPF_INTERNAL_HIJACK, &a->prefix, FE_POL_NHG,
				  cover_nhg(&pr->prefix));
	else
		ebpf_internal_del(EBPF_INTERNAL_HIJACK, &a->prefix);
}

static const enum ebpf_event_kind hijack_kinds[] = {
	[FE_HIJACK_ORIGIN] = EBPF_EV_HIJACK_ORIGIN,
	[FE_HIJACK_MORE_SPECIFIC] = EBPF_EV_HIJACK_MORE_SPECIFIC,
	[FE_HIJACK_WITHDRAWN] = EBPF_EV_HIJACK_WITHDRAWN,
	[FE_HIJACK_MOAS] = EBPF_EV_HIJACK_MOAS,
};

static void hijack_detail(struct ebpf_event *ev,
			  const struct fe_hijack_protect *pr,
			  const struct fe_hijack_alert *a,
			  enum fe_hijack_action act)
{
	char prot[64];

	fe_prefix_str(&pr->prefix, prot, sizeof(prot));
	if (act == FE_HIJACK_CLEARED) {
		snprintf(ev->detail, sizeof(ev->detail),
			 "%s alert on %s (protected %s) cleared",
			 fe_hijack_kind_str(a->kind), ev->prefix, prot);
		return;
	}
	switch (a->kind) {
	case FE_HIJACK_ORIGIN:
		snprintf(ev->detail, sizeof(ev->detail),
			 "protected %s is selected with origin AS %u, not an expected origin",
			 prot, a->origin);
		break;
	case FE_HIJACK_MORE_SPECIFIC:
		if (a->beyond_max_length)
			snprintf(ev->detail, sizeof(ev->detail),
				 "%s, more-specific of protected %s, is longer than max-length /%u%s",
				 ev->prefix, prot, pr->max_len,
				 pr->mitigate ? "; the fast path forwards it by the protected route"
					      : "");
		else
			snprintf(ev->detail, sizeof(ev->detail),
				 "%s, more-specific of protected %s, comes from unexpected origin AS %u%s",
				 ev->prefix, prot, a->origin,
				 pr->mitigate ? "; the fast path forwards it by the protected route"
					      : "");
		break;
	case FE_HIJACK_WITHDRAWN:
		snprintf(ev->detail, sizeof(ev->detail),
			 "protected %s is no longer in the RIB", prot);
		break;
	case FE_HIJACK_MOAS:
		snprintf(ev->detail, sizeof(ev->detail),
			 "protected %s changed origin from AS %u to AS %u (multiple origins)",
			 prot, a->prev_origin, a->origin);
		break;
	}
}

static void on_hijack(const struct fe_hijack_protect *pr,
		      const struct fe_hijack_alert *a,
		      enum fe_hijack_action act, int64_t now, void *arg)
{
	struct ebpf_event ev = {};

	ev.kind = act == FE_HIJACK_CLEARED ? EBPF_EV_HIJACK_CLEARED
					   : hijack_kinds[a->kind];
	fe_prefix_str(&a->prefix, ev.prefix, sizeof(ev.prefix));
	event_routes(&ev, &a->prefix);
	/* The alert knows the origins it was raised for. */
	if (a->kind == FE_HIJACK_MOAS) {
		ev.old.origin_known = a->prev_origin_known;
		ev.old.origin = a->prev_origin;
	}
	if (act == FE_HIJACK_RAISED && a->kind != FE_HIJACK_WITHDRAWN) {
		ev.new.origin_known = a->origin_known;
		ev.new.origin = a->origin;
	}
	hijack_detail(&ev, pr, a, act);
	mitigate(pr, a, act == FE_HIJACK_RAISED);
	ebpf_event_raise(&ev);
}

static void evaluate(const struct fe_prefix *p, bool flap,
		     enum fe_flap_change kind, const struct ebpf_ev_route *old,
		     struct route_entry *re, int64_t now)
{
	struct ebpf_ev_route new;
	struct change c = { .prefix = *p, .old = old, .new = &new };
	bool has_aspath;

	snap(re, &new, &has_aspath);
	if (re && re->type == ZEBRA_ROUTE_BGP) {
		if (has_aspath)
			d.aspath_with++;
		else
			d.aspath_without++;
	}
	d.cur = &c;
	if (flap && d.flap)
		fe_flap_change(d.flap, p, kind, now);
	if (fe_hijack_count(d.hijack)) {
		struct fe_hijack_route r = { .prefix = *p,
					     .present = new.present,
					     .origin_known = new.origin_known,
					     .origin = new.origin };

		fe_hijack_route_change(d.hijack, &r, now);
	}
	d.cur = NULL;
	d.changes++;
	if (IS_EBPF_DEBUG(DETECTION)) {
		char buf[64];

		zlog_debug("ebpf: detection: %s %s, origin %s%u",
			   fe_prefix_str(p, buf, sizeof(buf)),
			   !flap ? "evaluated" : kind == FE_FLAP_INSTALL ? "installed"
				 : kind == FE_FLAP_UPDATE	       ? "updated"
								       : "deleted",
			   new.origin_known ? "AS" : "unknown ",
			   new.origin_known ? new.origin : 0);
	}
}

static void detect_run(struct fe_task *t);

static void schedule(void)
{
	if (!d.run)
		event_add_timer_msec(d.tm, detect_run, NULL, 0, &d.run);
}

static void detect_run(struct fe_task *t)
{
	int64_t now = ebpf_detect_now();
	unsigned int budget = DETECT_BATCH;
	uint64_t t0 = ns_now();

	while (d.qhead < d.qn && budget--) {
		struct pending *pe = &d.q[d.qhead++];
		struct fe_prefix p;
		const struct prefix *dst, *src;

		srcdest_rnode_prefixes(pe->rn, &dst, &src);
		to_fe(dst, &p);
		evaluate(&p, true, pe->kind, &pe->old, selected(pe->rn), now);
		route_unlock_node(pe->rn);
	}
	if (d.qhead == d.qn)
		d.qhead = d.qn = 0;
	d.batches++;
	ebpf_internal_commit();
	if (d.qhead < d.qn)
		schedule();
	d.busy_ns += ns_now() - t0;
}

static int detect_rib_update(struct route_node *rn, const char *reason)
{
	struct rib_table_info *info;
	const struct prefix *dst, *src;
	enum fe_flap_change kind;
	struct pending *pe;
	uint64_t t0;

	if (!detect_on())
		return 0;
	t0 = ns_now();
	/* The steps of rib_process that change the selected route. */
	if (strcmp(reason, "new route selected") == 0)
		kind = FE_FLAP_INSTALL;
	else if (strcmp(reason, "updating existing route") == 0)
		kind = FE_FLAP_UPDATE;
	else if (strcmp(reason, "removing existing route") == 0)
		kind = FE_FLAP_DELETE;
	else
		return 0;
	info = srcdest_rnode_table_info(rn);
	if (!info || info->safi != SAFI_UNICAST || !info->zvrf ||
	    zvrf_id(info->zvrf) != VRF_DEFAULT ||
	    info->table_id != info->zvrf->table_id)
		return 0;
	srcdest_rnode_prefixes(rn, &dst, &src);
	if (src && src->prefixlen)
		return 0;
	if (d.qhead && d.qn == d.qcap) {
		/* Reuse the consumed front before growing. */
		memmove(d.q, d.q + d.qhead, (d.qn - d.qhead) * sizeof(*d.q));
		d.qn -= d.qhead;
		d.qhead = 0;
	}
	if (d.qn == d.qcap) {
		d.qcap = d.qcap ? d.qcap * 2 : 1024;
		d.q = XREALLOC(MTYPE_TMP, d.q, d.qcap * sizeof(*d.q));
	}
	pe = &d.q[d.qn++];
	pe->rn = route_lock_node(rn);
	pe->kind = kind;
	/* The route being replaced; it may be freed before the job runs. */
	if (kind == FE_FLAP_INSTALL)
		snap(NULL, &pe->old, NULL);
	else
		snap(rib_dest_from_rnode(rn) ? rib_dest_from_rnode(rn)->selected_fib
					     : NULL,
		     &pe->old, NULL);
	schedule();
	d.busy_ns += ns_now() - t0;
	return 0;
}

/* Keep mitigations on the protected route's current group. */
static void refresh_mitigations(void)
{
	for (size_t i = 0; i < fe_hijack_count(d.hijack); i++) {
		const struct fe_hijack_protect *pr = fe_hijack_at(d.hijack, i);

		for (size_t k = 0; k < pr->nalerts; k++)
			mitigate(pr, &pr->alerts[k], true);
	}
}

static void detect_tick(struct fe_task *t)
{
	if (d.flap)
		fe_flap_tick(d.flap, ebpf_detect_now(), DETECT_SWEEP);
	refresh_mitigations();
	ebpf_internal_commit();
	if (detect_on())
		event_add_timer(d.tm, detect_tick, NULL, 1, &d.tick);
}

static void start_tick(void)
{
	if (!d.tick && d.tm)
		event_add_timer(d.tm, detect_tick, NULL, 1, &d.tick);
}

int ebpf_detect_flap_on(const struct fe_flap_config *c, char *err,
			size_t errlen)
{
	int ret = fe_flap_config_check(c, err, errlen);

	if (ret)
		return ret;
	if (d.flap)
		return fe_flap_set_config(d.flap, c, err, errlen);
	d.flap = fe_flap_new(c, on_flap, NULL);
	if (!d.flap) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	start_tick();
	return 0;
}

void ebpf_detect_flap_off(void)
{
	fe_flap_free(d.flap);
	d.flap = NULL;
	d.flap_kernel = false;
	ebpf_internal_del_all(EBPF_INTERNAL_FLAP);
	ebpf_internal_commit();
}

const struct fe_flap_table *ebpf_detect_flaps(void)
{
	return d.flap;
}

static int add_kernel_entry(const struct fe_flap_entry *e, void *arg)
{
	if (e->flapping)
		ebpf_internal_set(EBPF_INTERNAL_FLAP, &e->prefix, FE_POL_KERNEL,
				  0);
	return 0;
}

void ebpf_detect_flap_kernel(bool on)
{
	d.flap_kernel = on;
	if (on && d.flap)
		fe_flap_foreach(d.flap, add_kernel_entry, NULL);
	if (!on)
		ebpf_internal_del_all(EBPF_INTERNAL_FLAP);
	ebpf_internal_commit();
}

bool ebpf_detect_flap_kernel_on(void)
{
	return d.flap_kernel;
}

/* Evaluate what the RIB holds under a (new) protection. */
static void evaluate_subtree(const struct fe_prefix *fp)
{
	struct route_table *t = main_table(fp->family);
	struct route_node *top, *rn;
	int64_t now = ebpf_detect_now();
	struct ebpf_ev_route none;
	struct prefix p;

	if (!t)
		return;
	memset(&none, 0, sizeof(none));
	to_prefix(fp, &p);
	top = route_node_get(t, &p);
	for (rn = route_lock_node(top); rn; rn = route_next_until(rn, top)) {
		struct route_entry *re = rn->info ? selected(rn) : NULL;
		struct fe_prefix q;

		if (!re)
			continue;
		to_fe(&rn->p, &q);
		evaluate(&q, false, FE_FLAP_UPDATE, &none, re, now);
	}
	route_unlock_node(top);
}

int ebpf_detect_protect(const struct fe_prefix *p, const uint32_t *origins,
			size_t n, int max_len, bool mitigate_on, char *err,
			size_t errlen)
{
	int ret = fe_hijack_protect(d.hijack, p, origins, n, max_len,
				    mitigate_on, ebpf_detect_now(), err, errlen);

	if (ret)
		return ret;
	evaluate_subtree(p);
	ebpf_internal_commit();
	start_tick();
	return 0;
}

int ebpf_detect_unprotect(const struct fe_prefix *p)
{
	int ret = fe_hijack_unprotect(d.hijack, p, ebpf_detect_now());

	ebpf_internal_commit();
	return ret;
}

int ebpf_detect_clear(const struct fe_prefix *p)
{
	int ret = fe_hijack_clear(d.hijack, p, ebpf_detect_now());

	ebpf_internal_commit();
	return ret;
}

const struct fe_hijack_set *ebpf_detect_hijacks(void)
{
	return d.hijack;
}

const char *ebpf_detect_aspath_state(uint64_t *with, uint64_t *without)
{
	*with = d.aspath_with;
	*without = d.aspath_without;
	if (!detect_on() && !d.aspath_with && !d.aspath_without)
		return "detectionOff";
	if (d.aspath_with)
		return "received";
	return d.aspath_without ? "notReceived" : "noBgpRoutes";
}

void ebpf_detect_get_counters(struct ebpf_detect_counters *c)
{
	c->changes = d.changes;
	c->queued = d.qn - d.qhead;
	c->batches = d.batches;
	c->busy_us = d.busy_ns / 1000;
}

void ebpf_detect_init(struct fe_loop *tm)
{
	d.tm = tm;
	d.hijack = fe_hijack_new(on_hijack, NULL);
	hook_register(rib_update, detect_rib_update);
}

void ebpf_detect_fini(void)
{
	EVENT_OFF(d.run);
	EVENT_OFF(d.tick);
	hook_unregister(rib_update, detect_rib_update);
	/* zebra frees its tables itself: queued nodes are just dropped. */
	XFREE(MTYPE_TMP, d.q);
	d.qn = d.qhead = d.qcap = 0;
	fe_flap_free(d.flap);
	d.flap = NULL;
	fe_hijack_free(d.hijack);
	d.hijack = NULL;
}
