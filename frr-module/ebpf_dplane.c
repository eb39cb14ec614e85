// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dataplane provider: sees every route and nexthop-group context after
 * the kernel provider (POSTPROCESS), mirrors what the kernel accepted, and
 * always passes the context on.
 *
 * Runs in the dplane pthread. Work is taken in batches no larger than the
 * provider's work limit, so zebra's other providers are never starved.
 */
#include "lib/zebra.h"

/* RT_TABLE_MAIN: FRR 10's zebra.h no longer includes it. */
#include <linux/rtnetlink.h>

#include "lib/nexthop.h"
#include "lib/nexthop_group.h"
#include "lib/privs.h"
#include "lib/table.h"
#include "zebra/rib.h"
#include "zebra/zebra_dplane.h"
#include "zebra/zebra_nhg.h"
#include "zebra/zebra_router.h"
#include "zebra/zebra_vrf.h"

#include "frr_compat.h"
#include "ebpf_dplane.h"
#include "ebpf_errors.h"
#include "ebpf_mirror.h"

extern struct zebra_privs_t zserv_privs;

static struct zebra_dplane_provider *prov;
static struct fe_task *tick_thread;

/* Set by the main thread once the configuration has been read. */
static atomic_bool config_ready;

/*
 * Set when zebra starts shutting down: from then on the mirror is frozen,
 * so the fast path keeps forwarding while zebra is down; the next zebra
 * reconciles. Contexts still pass through.
 */
static atomic_bool frozen;

/* Scratch group: 6 KiB, too big for the stack of a pthread. */
static struct fe_nhg scratch_nhg;
/* A mirrored group read back (as big): handle_sys_route_del(). */
static struct fe_nhg_val scratch_nhg_val;

static void count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add(c, 1);
}

/* One zebra nexthop into the model; false if it cannot be encoded. */
static bool nh_from_zebra(const struct nexthop *znh, struct fe_nh *nh)
{
	memset(nh, 0, sizeof(*nh));
	nh->ifindex = znh->ifindex;
	nh->weight = znh->weight;
	if (CHECK_FLAG(znh->flags, NEXTHOP_FLAG_ONLINK))
		nh->flags |= FE_NH_F_ONLINK;

	switch (znh->type) {
	case NEXTHOP_TYPE_IFINDEX:
		nh->type = FE_NH_IFINDEX;
		return true;
	case NEXTHOP_TYPE_IPV4:
	case NEXTHOP_TYPE_IPV4_IFINDEX:
		nh->type = FE_NH_IPV4;
		memcpy(nh->addr, &znh->gate.ipv4, 4);
		return true;
	case NEXTHOP_TYPE_IPV6:
	case NEXTHOP_TYPE_IPV6_IFINDEX:
		nh->type = FE_NH_IPV6;
		memcpy(nh->addr, &znh->gate.ipv6, 16);
		return true;
	case NEXTHOP_TYPE_BLACKHOLE:
		break;
	}
	return false;
}

static enum fe_route_kind blackhole_kind(const struct nexthop *znh)
{
	switch (znh->bh_type) {
	case BLACKHOLE_REJECT:
		return FE_ROUTE_UNREACHABLE;
	case BLACKHOLE_ADMINPROHIB:
		return FE_ROUTE_PROHIBIT;
	case BLACKHOLE_NULL:
	case BLACKHOLE_UNSPEC:
		break;
	}
	return FE_ROUTE_BLACKHOLE;
}

/*
 * Flatten the route's nexthops the way the kernel provider does: resolved
 * paths only (recursion already followed), active ones only.
 */
static int route_from_ctx(struct zebra_dplane_ctx *ctx, struct fe_route *r,
			  struct fe_nhg *g)
{
	const struct prefix *p = dplane_ctx_get_dest(ctx);
	const struct nexthop *znh;
	struct fe_nh nh;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(g, 0, sizeof(*g));
	ret = fe_prefix_set(&r->dst, p->family, &p->u.prefix, p->prefixlen);
	if (ret)
		return ret;
	r->protocol = dplane_ctx_get_type(ctx);
	r->distance = dplane_ctx_get_distance(ctx);
	r->metric = dplane_ctx_get_metric(ctx);
	r->kind = FE_ROUTE_UNICAST;

	for (ALL_NEXTHOPS_PTR(dplane_ctx_get_ng(ctx), znh)) {
		if (CHECK_FLAG(znh->flags, NEXTHOP_FLAG_RECURSIVE) ||
		    !CHECK_FLAG(znh->flags, NEXTHOP_FLAG_ACTIVE))
			continue;
		if (znh->type == NEXTHOP_TYPE_BLACKHOLE) {
			r->kind = blackhole_kind(znh);
			g->count = 0;
			return 0;
		}
		if (!nh_from_zebra(znh, &nh))
			continue;
		ret = fe_nhg_add(g, &nh);
		if (ret)
			return ret;
	}
	if (g->count == 0)
		return -ENOENT;
	g->id = r->nhg_id = dplane_ctx_get_nhe_id(ctx);
	return r->nhg_id ? 0 : -EINVAL;
}

static bool route_in_scope(struct zebra_dplane_ctx *ctx)
{
	const struct prefix *src = dplane_ctx_get_src(ctx);

	if (dplane_ctx_get_vrf(ctx) != VRF_DEFAULT) {
		count(&ebpf_counters.skipped_other_vrf);
		return false;
	}
	if (dplane_ctx_get_table(ctx) != RT_TABLE_MAIN ||
	    dplane_ctx_get_safi(ctx) != SAFI_UNICAST) {
		count(&ebpf_counters.skipped_other_table);
		return false;
	}
	/* Source-specific (srcdest) routes have no place in a dest trie. */
	if (src && src->prefixlen) {
		count(&ebpf_counters.skipped_unsupported);
		return false;
	}
	return true;
}

static void route_unsupported(const struct fe_prefix *p, int err)
{
	char buf[64];

	count(&ebpf_counters.skipped_unsupported);
	if (IS_EBPF_DEBUG_MIRROR)
		zlog_debug("ebpf: %s not mirrored: %s",
			   fe_prefix_str(p, buf, sizeof(buf)), strerror(-err));
}

static void handle_route(struct zebra_dplane_ctx *ctx, enum dplane_op_e op)
{
	struct fe_route r;
	bool replaced = false;
	int ret;

	if (!route_in_scope(ctx))
		return;

	if (op == DPLANE_OP_ROUTE_DELETE) {
		const struct prefix *p = dplane_ctx_get_dest(ctx);

		if (fe_prefix_set(&r.dst, p->family, &p->u.prefix,
				  p->prefixlen))
			return;
		if (ebpf_mirror_route_del(&r.dst) == 0)
			count(&ebpf_counters.route_deletes);
		return;
	}

	ret = route_from_ctx(ctx, &r, &scratch_nhg);
	if (ret) {
		/* Nothing encodable: the route must not linger either. */
		route_unsupported(&r.dst, ret);
		ebpf_mirror_route_del(&r.dst);
		return;
	}
	ret = ebpf_mirror_route_set(&r, &scratch_nhg, &replaced);
	if (ret == 0)
		count(replaced ? &ebpf_counters.route_updates
			       : &ebpf_counters.route_installs);
	if (IS_EBPF_DEBUG_MIRROR) {
		char buf[64];

		zlog_debug("ebpf: route %s %s nhg %u (%u paths): %s",
			   fe_prefix_str(&r.dst, buf, sizeof(buf)),
			   dplane_op2str(op), r.nhg_id, scratch_nhg.count,
			   ret ? strerror(-ret) : "ok");
	}
}

/*
 * Whether the mirrored route val (group g) is the system route of ctx: the
 * same protocol and, for a unicast route, every path on an interface of
 * ctx's nexthops (a connected prefix can be on several interfaces, such
 * as fe80::/64: only the one zebra selected is mirrored).
 */
static bool sys_route_is_mirrored(struct zebra_dplane_ctx *ctx,
				  const struct fe_route_val *val,
				  const struct fe_nhg_val *g)
{
	const struct nexthop *znh;
	unsigned int i;

	if (val->protocol != dplane_ctx_get_type(ctx))
		return false;
	if (val->kind != FE_ROUTE_UNICAST) {
		for (ALL_NEXTHOPS_PTR(dplane_ctx_get_ng(ctx), znh))
			if (znh->type == NEXTHOP_TYPE_BLACKHOLE)
				return true;
		return false;
	}
	if (!g->count)
		return false;
	for (i = 0; i < g->count && i < FE_MAX_PATHS; i++) {
		bool found = false;

		for (ALL_NEXTHOPS_PTR(dplane_ctx_get_ng(ctx), znh))
			if ((uint32_t)znh->ifindex == g->nh[i].ifindex)
				found = true;
		if (!found)
			return false;
	}
	return true;
}

/*
 * A kernel, connected or local route left zebra's RIB (FE_SYS_ROUTE_DELETES,
 * see frr_compat.h): FRR 10.3 sends no ROUTE_DELETE when it leaves the FIB
 * with nothing in its place. Remove it if it is the route mirrored for its
 * prefix; a route zebra selects in its place comes as ROUTE_INSTALL or
 * ROUTE_UPDATE right after.
 */
static void handle_sys_route_del(struct zebra_dplane_ctx *ctx)
{
	const struct prefix *p = dplane_ctx_get_dest(ctx);
	const struct prefix *src = dplane_ctx_get_src(ctx);
	struct fe_route_val val;
	struct fe_prefix dst;
	char buf[64];

	/* route_in_scope() without its counters: not a FIB change. */
	if (dplane_ctx_get_vrf(ctx) != VRF_DEFAULT ||
	    dplane_ctx_get_table(ctx) != RT_TABLE_MAIN ||
	    dplane_ctx_get_safi(ctx) != SAFI_UNICAST ||
	    (src && src->prefixlen))
		return;
	if (fe_prefix_set(&dst, p->family, &p->u.prefix, p->prefixlen))
		return;
	if (ebpf_mirror_route_get(&dst, &val, &scratch_nhg_val) ||
	    !sys_route_is_mirrored(ctx, &val, &scratch_nhg_val))
		return;
	if (ebpf_mirror_route_del(&dst) == 0)
		count(&ebpf_counters.route_deletes);
	if (IS_EBPF_DEBUG_MIRROR)
		zlog_debug("ebpf: route %s %s (%s): removed",
			   fe_prefix_str(&dst, buf, sizeof(buf)),
			   dplane_op2str(dplane_ctx_get_op(ctx)),
			   zebra_route_string(dplane_ctx_get_type(ctx)));
}

static void handle_nhg(struct zebra_dplane_ctx *ctx, enum dplane_op_e op)
{
	const struct nh_grp *grp;
	uint32_t members[FE_MAX_PATHS];
	uint16_t weights[FE_MAX_PATHS]; /* 16 bits from FRR 10.5 */
	uint32_t id = dplane_ctx_get_nhe_id(ctx);
	const struct nexthop *znh;
	struct fe_nh nh;
	bool replaced = false;
	unsigned int i, n;
	int ret;

	if (op == DPLANE_OP_NH_DELETE) {
		ebpf_mirror_nhg_del(id);
		return;
	}
	if (dplane_ctx_get_nhe_vrf_id(ctx) != VRF_DEFAULT) {
		count(&ebpf_counters.skipped_other_vrf);
		return;
	}

	n = dplane_ctx_get_nhe_nh_grp_count(ctx);
	if (n) {
		grp = dplane_ctx_get_nhe_nh_grp(ctx);
		for (i = 0; i < n && i < FE_MAX_PATHS; i++) {
			members[i] = grp[i].id;
			weights[i] = grp[i].weight;
		}
		ret = ebpf_mirror_nhg_group_set(id, members, weights, i,
						&replaced);
	} else {
		/* A singleton: the kernel installs its one nexthop as is. */
		memset(&scratch_nhg, 0, sizeof(scratch_nhg));
		scratch_nhg.id = id;
		ret = -ENOENT;
		znh = dplane_ctx_get_nhe_ng(ctx)->nexthop;
		/* Blackhole groups need no entry: such routes carry their
		 * kind and no NHG.
		 */
		if (znh && znh->type == NEXTHOP_TYPE_BLACKHOLE)
			return;
		if (znh && nh_from_zebra(znh, &nh))
			ret = fe_nhg_add(&scratch_nhg, &nh);
		if (!ret)
			ret = ebpf_mirror_nhg_set(&scratch_nhg, &replaced);
	}
	if (ret == 0)
		count(replaced ? &ebpf_counters.nhg_updates
			       : &ebpf_counters.nhg_installs);
	else if (ret != -ENOTCONN)
		count(&ebpf_counters.skipped_unsupported);
	if (IS_EBPF_DEBUG_MIRROR)
		zlog_debug("ebpf: nhg %u %s (%u members): %s", id,
			   dplane_op2str(op), n, ret ? strerror(-ret) : "ok");
}

static void handle_ctx(struct zebra_dplane_ctx *ctx)
{
	enum dplane_op_e op = dplane_ctx_get_op(ctx);

	switch (op) {
	case DPLANE_OP_ROUTE_INSTALL:
	case DPLANE_OP_ROUTE_UPDATE:
	case DPLANE_OP_ROUTE_DELETE:
	case DPLANE_OP_NH_INSTALL:
	case DPLANE_OP_NH_UPDATE:
	case DPLANE_OP_NH_DELETE:
		break;
	case DPLANE_OP_SYS_ROUTE_DELETE:
		if (FE_SYS_ROUTE_DELETES)
			break;
		return;
	default:
		return;
	}
	/* Mirror only what the kernel took: the fast path must not know
	 * routes the kernel does not.
	 */
	if (dplane_ctx_get_status(ctx) != ZEBRA_DPLANE_REQUEST_SUCCESS) {
		count(&ebpf_counters.skipped_kernel_failed);
		return;
	}
	ebpf_mirror_note_change(monotime(NULL));
	if (op == DPLANE_OP_NH_INSTALL || op == DPLANE_OP_NH_UPDATE ||
	    op == DPLANE_OP_NH_DELETE)
		handle_nhg(ctx, op);
	else if (op == DPLANE_OP_SYS_ROUTE_DELETE)
		handle_sys_route_del(ctx);
	else
		handle_route(ctx, op);
}

static int ebpf_dplane_process(struct zebra_dplane_provider *p)
{
	struct zebra_dplane_ctx *ctx;
	int limit = dplane_provider_get_work_limit(p);
	int done;

	/*
	 * Until the configuration (pin path, sizes) is read, contexts wait
	 * in our queue; the config hook wakes us. It is the first event
	 * zebra runs, so the wait is short.
	 */
	if (!atomic_load(&config_ready))
		return 0;

	ebpf_mirror_lock();
	frr_with_privs (&zserv_privs) {
		for (done = 0; done < limit; done++) {
			ctx = dplane_provider_dequeue_in_ctx(p);
			if (!ctx)
				break;
			if (!atomic_load(&frozen))
				handle_ctx(ctx);
			dplane_provider_enqueue_out_ctx(p, ctx);
		}
	}
	ebpf_mirror_unlock();

	/* More left: ask to be called again rather than hog the thread. */
	if (done == limit)
		dplane_provider_work_ready();
	return 0;
}

/* Once a second on the dplane thread: sweep when the replay is over. */
static void ebpf_dplane_tick(struct fe_task *t)
{
	/* Shutting down: let the timer die with the dplane thread (it can
	 * only be cancelled from that thread).
	 */
	if (atomic_load(&frozen))
		return;
	ebpf_mirror_lock();
	if (ebpf_mirror_reconcile_due(monotime(NULL))) {
		frr_with_privs (&zserv_privs) {
			ebpf_mirror_reconcile();
		}
	}
	ebpf_mirror_unlock();
	ebpf_mirror_grace();
	event_add_timer(dplane_get_thread_master(), ebpf_dplane_tick, NULL, 1,
			&tick_thread);
}

static int ebpf_dplane_start(struct zebra_dplane_provider *p)
{
	event_add_timer(dplane_get_thread_master(), ebpf_dplane_tick, NULL, 1,
			&tick_thread);
	return 0;
}

static int ebpf_dplane_fini(struct zebra_dplane_provider *p, bool early)
{
	if (early) {
		atomic_store(&frozen, true);
		/* Whatever still waits for the config must not be stuck. */
		atomic_store(&config_ready, true);
		return 0;
	}
	/* Called on the main thread once the dplane thread has stopped. */
	tick_thread = NULL;
	ebpf_mirror_close();
	return 0;
}

/* ------------------------------------------------------------------ */
/* Replay of the RIB (maps opened late)                                */
/* ------------------------------------------------------------------ */

/* One context built from zebra's own state, mirrored as if the kernel
 * provider had just handed it on.
 */
static void replay_ctx(struct zebra_dplane_ctx *ctx, int init_ret,
		       unsigned int *n)
{
	if (init_ret == 0) {
		dplane_ctx_set_status(ctx, ZEBRA_DPLANE_REQUEST_SUCCESS);
		handle_ctx(ctx);
		(*n)++;
	}
	dplane_ctx_fini(&ctx);
}

struct replay_pass {
	bool groups; /* false: single nexthops; true: groups of them */
	unsigned int n;
};

static int replay_nhe(struct hash_bucket *b, void *arg)
{
	struct nhg_hash_entry *nhe = b->data;
	struct replay_pass *pass = arg;
	struct zebra_dplane_ctx *ctx;

	if (!CHECK_FLAG(nhe->flags, NEXTHOP_GROUP_INSTALLED) ||
	    nhe->vrf_id != VRF_DEFAULT ||
	    pass->groups != !zebra_nhg_depends_is_empty(nhe))
		return HASHWALK_CONTINUE;
	ctx = dplane_ctx_alloc();
	replay_ctx(ctx, dplane_ctx_nexthop_init(ctx, DPLANE_OP_NH_INSTALL, nhe),
		   &pass->n);
	return HASHWALK_CONTINUE;
}

static unsigned int replay_routes(afi_t afi)
{
	struct route_table *table =
		zebra_vrf_table(afi, SAFI_UNICAST, VRF_DEFAULT);
	struct route_node *rn;
	unsigned int n = 0;

	if (!table)
		return 0;
	for (rn = route_top(table); rn; rn = srcdest_route_next(rn)) {
		rib_dest_t *dest = rib_dest_from_rnode(rn);
		struct route_entry *re = dest ? dest->selected_fib : NULL;
		struct zebra_dplane_ctx *ctx;

		if (!re || !CHECK_FLAG(re->status, ROUTE_ENTRY_INSTALLED))
			continue;
		ctx = dplane_ctx_alloc();
		replay_ctx(ctx,
			   dplane_ctx_route_init(ctx, DPLANE_OP_ROUTE_INSTALL,
						 rn, re),
			   &n);
	}
	return n;
}

/*
 * When the maps could only be opened at run time (the pin path fixed by
 * the operator), every route the kernel took until then went by
 * unmirrored. Mirror what zebra has installed now, on the main thread,
 * from contexts zebra itself builds: single nexthops, then groups (they
 * name their members), then the selected routes. Contexts still in
 * flight are older than this state and applied after it, in order, so
 * the mirror ends up where the RIB is.
 */
unsigned int ebpf_dplane_replay(void)
{
	struct replay_pass pass = {};
	unsigned int routes = 0;

	if (atomic_load(&frozen))
		return 0;
	ebpf_mirror_lock();
	frr_with_privs (&zserv_privs) {
		hash_walk(zrouter.nhgs_id, replay_nhe, &pass);
		pass.groups = true;
		hash_walk(zrouter.nhgs_id, replay_nhe, &pass);
		routes = replay_routes(AFI_IP) + replay_routes(AFI_IP6);
	}
	ebpf_mirror_unlock();
	zlog_notice("ebpf: replayed %u nexthop groups and %u routes of the RIB into the mirror",
		    pass.n, routes);
	return routes;
}

bool ebpf_dplane_config_is_ready(void)
{
	return atomic_load(&config_ready);
}

int ebpf_dplane_register(void)
{
	if (FE_SYS_ROUTE_DELETES)
		dplane_enable_sys_route_notifs();
	return dplane_provider_register("ebpf", DPLANE_PRIO_POSTPROCESS,
					DPLANE_PROV_FLAGS_DEFAULT,
					ebpf_dplane_start, ebpf_dplane_process,
					ebpf_dplane_fini, NULL, &prov);
}

void ebpf_dplane_config_ready(void)
{
	atomic_store(&config_ready, true);
	dplane_provider_work_ready();
}
