// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What the fast path knows and would do:
 *   show ebpf nexthop-groups [json]
 *   show ebpf route (A.B.C.D|X:X::X:X) [json]
 */
#include "lib/zebra.h"

#include "lib/command.h"
#include "lib/if.h"
#include "lib/json.h"
#include "lib/prefix.h"
#include "lib/vrf.h"
#include "lib/vty.h"

#include "fe_ecmp.h"
#include "ebpf_detect.h"
#include "ebpf_fastpath.h"
#include "ebpf_fwdstats.h"
#include "ebpf_mirror.h"
#include "ebpf_policy.h"
#include "ebpf_vty.h"

/* Scratch for one group: 6 KiB, kept off the stack. */
static struct fe_nhg_val nhg;

static const char *ifname(uint32_t ifindex)
{
	struct interface *ifp = if_lookup_by_index(ifindex, VRF_DEFAULT);

	return ifp ? ifp->name : "?";
}

static void gateway_str(const struct fe_nexthop *nh, char *buf, size_t size)
{
	buf[0] = '\0';
	if (nh->type == FE_NH_IPV4)
		inet_ntop(AF_INET, nh->addr, buf, size);
	else if (nh->type == FE_NH_IPV6)
		inet_ntop(AF_INET6, nh->addr, buf, size);
}

/* The counters key of a path: how the datapath names the nexthop. */
static void nh_key(const struct fe_nexthop *nh, struct fe_nh_key *k)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = nh->ifindex;
	k->family = nh->type == FE_NH_IPV6 ? AF_INET6 : AF_INET;
	if (nh->type != FE_NH_IFINDEX)
		memcpy(k->gw, nh->addr, sizeof(k->gw));
}

static json_object *paths_json(const struct fe_nhg_val *g)
{
	json_object *ja = json_object_new_array();
	char gw[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < g->count && i < FE_MAX_PATHS; i++) {
		const struct fe_nexthop *nh = &g->nh[i];
		json_object *jp = json_object_new_object();
		struct fe_nh_key k;
		uint64_t pk = 0, by = 0;

		nh_key(nh, &k);
		if (nh->type != FE_NH_IFINDEX)
			ebpf_fastpath_nh_stats(&k, &pk, &by);
		json_object_int_add(jp, "forwardedPackets", pk);
		json_object_int_add(jp, "forwardedBytes", by);

		gateway_str(nh, gw, sizeof(gw));
		if (gw[0])
			json_object_string_add(jp, "gateway", gw);
		else
			json_object_boolean_add(jp, "directlyConnected", true);
		json_object_string_add(jp, "interface", ifname(nh->ifindex));
		json_object_int_add(jp, "ifindex", nh->ifindex);
		json_object_int_add(jp, "weight", nh->weight);
		json_object_boolean_add(jp, "up", nh->weight != 0);
		json_object_boolean_add(jp, "fastPath",
					ebpf_fastpath_mode(nh->ifindex) !=
						EBPF_FP_NONE);
		json_object_array_add(ja, jp);
	}
	return ja;
}

static void paths_text(struct vty *vty, const struct fe_nhg_val *g,
		       const char *indent)
{
	char gw[INET6_ADDRSTRLEN];

	for (unsigned int i = 0; i < g->count && i < FE_MAX_PATHS; i++) {
		const struct fe_nexthop *nh = &g->nh[i];

		gateway_str(nh, gw, sizeof(gw));
		vty_out(vty, "%s%s %s, weight %u%s%s\n", indent,
			gw[0] ? "via" : "directly connected,",
			gw[0] ? gw : ifname(nh->ifindex), nh->weight,
			"", nh->weight ? "" : " (down: local repair)");
		if (gw[0])
			vty_out(vty, "%s    interface %s\n", indent,
				ifname(nh->ifindex));
	}
}

struct nhg_show {
	struct vty *vty;
	json_object *json; /* the array of groups */
	int n;
};

static int nhg_show_one(uint32_t id, void *arg)
{
	struct nhg_show *s = arg;
	uint32_t refs = 0;
	bool held = false;

	if (ebpf_mirror_nhg_get(id, &nhg, &refs, &held))
		return 0;
	s->n++;
	if (s->json) {
		json_object *jg = json_object_new_object();
		uint64_t pk = 0, by = 0;

		ebpf_fastpath_nhg_stats(id, &pk, &by);
		json_object_int_add(jg, "id", id);
		json_object_int_add(jg, "routes", refs);
		json_object_int_add(jg, "fastPathChosenPackets", pk);
		json_object_int_add(jg, "fastPathChosenBytes", by);
		json_object_boolean_add(jg, "installedByZebra", held);
		json_object_int_add(jg, "totalWeight", nhg.total_weight);
		json_object_object_add(jg, "paths", paths_json(&nhg));
		json_object_array_add(s->json, jg);
		return 0;
	}
	vty_out(s->vty, "ID %u: %u path%s, used by %u route%s%s\n", id,
		nhg.count, nhg.count == 1 ? "" : "s", refs, refs == 1 ? "" : "s",
		held ? ", installed by zebra" : "");
	paths_text(s->vty, &nhg, "    ");
	return 0;
}

DEFUN (show_ebpf_nexthop_groups,
       show_ebpf_nexthop_groups_cmd,
       "show ebpf nexthop-groups [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "Nexthop groups as the fast path sees them\n"
       JSON_STR)
{
	struct nhg_show s = { .vty = vty };
	json_object *json = NULL;

	ebpf_fwdstats_begin();
	if (argc > 3) {
		json = json_object_new_object();
		s.json = json_object_new_array();
		json_object_object_add(json, "nexthopGroups", s.json);
	}
	ebpf_mirror_nhg_foreach(nhg_show_one, &s);
	if (json)
		vty_json(vty, json);
	else if (!s.n)
		vty_out(vty, "No nexthop groups in the mirror.\n");
	return CMD_SUCCESS;
}

/* The policy the fast path would find: longest destination match. */
static const struct fe_policy *policy_for(const struct fe_prefix *addr)
{
	struct fe_policy_set *s = ebpf_policies();
	const struct fe_policy *best = NULL;

	for (size_t i = 0; s && i < fe_policy_count(s); i++) {
		const struct fe_policy *p = fe_policy_at(s, i);
		struct fe_prefix masked;

		if (!fe_policy_complete(p) || p->dst.family != addr->family)
			continue;
		if (fe_prefix_set(&masked, addr->family, addr->addr, p->dst.len) ||
		    memcmp(masked.addr, p->dst.addr, sizeof(masked.addr)))
			continue;
		if (!best || p->dst.len > best->dst.len)
			best = p;
	}
	return best;
}

/*
 * The path the fast path picks for a flow of addresses only (source
 * unspecified, no ports), by the configured algorithm: the same code the
 * datapath runs. -1 when the kernel picks.
 */
static int sample_path(const struct fe_prefix *addr, const struct fe_nhg_val *g)
{
	struct fe_flow f = { .family = addr->family };
	uint32_t hash;

	if (ebpf_ecmp.algo == FE_ECMP_KERNEL || g->count < 2)
		return -1;
	memcpy(f.dst, addr->addr, sizeof(f.dst));
	hash = fe_flow_hash(&f, ebpf_ecmp.seed,
			    ebpf_ecmp.hash_l4 ? FE_HASH_L3L4 : FE_HASH_L3);
	if (ebpf_ecmp.algo == FE_ECMP_HASH_THRESHOLD)
		return fe_ecmp_hash_threshold_nhg(hash, g);
	return fe_ecmp_weighted(hash, g); /* resilient starts out weighted */
}

DEFUN (show_ebpf_route,
       show_ebpf_route_cmd,
       "show ebpf route <A.B.C.D|X:X::X:X> [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "What the fast path does for a destination, and why\n"
       "IPv4 destination\n" "IPv6 destination\n"
       JSON_STR)
{
	bool uj = argc > 4;
	json_object *json = uj ? json_object_new_object() : NULL;
	const struct fe_policy *pol;
	struct fe_prefix addr, matched;
	struct fe_route_val rv;
	struct prefix p;
	char buf[64];
	uint32_t refs;
	bool held, have_route, have_nhg = false, have_mit;
	struct ebpf_internal_match mit;
	int chosen = -1, tret;
	uint32_t tval = 0, want = 0;
	bool t_in_use, agrees;

	ebpf_fwdstats_begin();
	if (!str2prefix(argv[3]->arg, &p) ||
	    fe_prefix_set(&addr, p.family, &p.u.prefix,
			  p.family == AF_INET ? 32 : 128)) {
		vty_out(vty, "%% invalid address %s\n", argv[3]->arg);
		return CMD_WARNING;
	}
	pol = policy_for(&addr);
	/* A detection mitigation sits in the same tries: the longer wins. */
	have_mit = ebpf_internal_lookup(&addr, &mit) &&
		   (!pol || mit.dst.len > pol->dst.len);
	if (have_mit)
		pol = NULL;
	have_route = ebpf_mirror_route_lookup(&addr, &matched, &rv) == 0;
	if (have_route && rv.kind == FE_ROUTE_UNICAST)
		have_nhg = ebpf_mirror_nhg_get(rv.nhg_id, &nhg, &refs,
					       &held) == 0;
	if (have_nhg)
		chosen = sample_path(&addr, &nhg);
	/* the route table must say what the trie says (or "no route") */
	tret = ebpf_mirror_table_lookup(&addr, &tval, &t_in_use);
	if (have_route)
		want = ebpf_mirror_table_value(rv.kind, rv.nhg_id);
	agrees = have_route ? tret == 0 && tval == want : tret == -ENOENT;

	if (uj) {
		json_object_string_add(json, "destination", argv[3]->arg);
		if (pol) {
			json_object *jp = json_object_new_object();

			json_object_string_add(jp, "name", pol->name);
			json_object_string_add(jp, "action",
					       fe_policy_action_str(pol->action));
			json_object_boolean_add(jp, "filtered",
						pol->has_src || pol->ingress[0]);
			json_object_object_add(json, "policy", jp);
		}
		if (have_mit) {
			json_object *jm = json_object_new_object();

			json_object_string_add(jm, "owner",
					       mit.owner == EBPF_INTERNAL_HIJACK
						       ? "hijack"
						       : "flap");
			json_object_string_add(
				jm, "prefix",
				fe_prefix_str(&mit.dst, buf, sizeof(buf)));
			json_object_string_add(jm, "action",
					       fe_policy_action_str(mit.action));
			if (mit.nhg_id)
				json_object_int_add(jm, "nexthopGroup",
						    mit.nhg_id);
			json_object_object_add(json, "mitigation", jm);
		}
		if (have_route) {
			json_object *jr = json_object_new_object();

			json_object_string_add(
				jr, "prefix",
				fe_prefix_str(&matched, buf, sizeof(buf)));
			json_object_string_add(jr, "kind", fe_route_kind_str(rv.kind));
			json_object_int_add(jr, "protocol", rv.protocol);
			json_object_int_add(jr, "distance", rv.distance);
			json_object_int_add(jr, "metric", rv.metric);
			json_object_int_add(jr, "nexthopGroup", rv.nhg_id);
			if (have_nhg)
				json_object_object_add(jr, "paths",
						       paths_json(&nhg));
			json_object_object_add(json, "route", jr);
		}
		if (tret != -ENOTCONN) {
			json_object *jt = json_object_new_object();

			json_object_boolean_add(jt, "inUse", t_in_use);
			json_object_boolean_add(jt, "hit", tret == 0);
			if (tret == 0)
				json_object_int_add(jt, "value", tval);
			json_object_boolean_add(jt, "matchesTrie", agrees);
			json_object_object_add(json, "routeTable", jt);
		}
		json_object_string_add(json, "ecmpAlgorithm",
				       ebpf_ecmp_algo_str(ebpf_ecmp.algo));
		if (chosen >= 0)
			json_object_int_add(json, "chosenPathIndex", chosen);
		json_object_string_add(
			json, "decision",
			have_mit ? "mitigation"
			: pol && pol->action != FE_POL_COUNT
				? "policy"
				: !have_route ? "kernel (no mirrored route)"
				: rv.kind != FE_ROUTE_UNICAST
					? "kernel (not unicast)"
				: chosen >= 0 ? "fast path, chosen path"
					      : "fast path, kernel's choice");
		vty_json(vty, json);
		return CMD_SUCCESS;
	}

	vty_out(vty, "Destination %s\n", argv[3]->arg);
	if (pol)
		vty_out(vty, "  Policy %s: %s%s\n", pol->name,
			fe_policy_action_str(pol->action),
			pol->has_src || pol->ingress[0]
				? " (if source/ingress match)"
				: "");
	if (have_mit)
		vty_out(vty, "  Detection mitigation for %s (%s): %s%s\n",
			fe_prefix_str(&mit.dst, buf, sizeof(buf)),
			mit.owner == EBPF_INTERNAL_HIJACK ? "hijack" : "flapping",
			fe_policy_action_str(mit.action),
			mit.owner == EBPF_INTERNAL_HIJACK
				? " by the protected route's group"
				: " (the kernel forwards it)");
	if (tret != -ENOTCONN)
		vty_out(vty, "  Route table (%s): %s%s\n",
			t_in_use ? "in use" : "not in use",
			agrees ? "agrees with the route trie"
			       : "DISAGREES with the route trie",
			tret == 0 ? "" : " (no route)");
	if (!have_route) {
		vty_out(vty, "  No mirrored route: the kernel decides (local, kernel-only or no route)\n");
		return CMD_SUCCESS;
	}
	vty_out(vty, "  Route %s, %s, protocol %u, distance %u, metric %u\n",
		fe_prefix_str(&matched, buf, sizeof(buf)), fe_route_kind_str(rv.kind),
		rv.protocol, rv.distance, rv.metric);
	if (have_nhg) {
		vty_out(vty, "  Nexthop group %u:\n", rv.nhg_id);
		paths_text(vty, &nhg, "    ");
	}
	if (chosen >= 0)
		vty_out(vty, "  ECMP %s: a flow with no source and ports takes path %d\n",
			ebpf_ecmp_algo_str(ebpf_ecmp.algo), chosen + 1);
	else
		vty_out(vty, "  ECMP kernel: bpf_fib_lookup picks the path per flow\n");
	return CMD_SUCCESS;
}

static struct ebpf_fp_if status_ifs[FE_IFSTATS_MAX];

DEFUN (show_ebpf_status,
       show_ebpf_status_cmd,
       "show ebpf status [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "Programs, attachments, pin path, lookup in use, sync state, errors\n"
       JSON_STR)
{
	struct ebpf_mirror_state st;
	const char *why = NULL, *lookup = ebpf_ipv4_lookup(&why);
	int n = ebpf_fastpath_list(status_ifs, FE_IFSTATS_MAX);
	uint32_t prog_ids[2] = {};
	bool uj = argc > 3;

	ebpf_mirror_get_state(&st);
	for (int i = 0; i < n; i++) {
		int k = status_ifs[i].mode == EBPF_FP_TC;

		if (status_ifs[i].prog_id)
			prog_ids[k] = status_ifs[i].prog_id;
	}
	if (uj) {
		json_object *json = json_object_new_object();
		json_object *jifs = json_object_new_array();
		json_object *jmaps = json_object_new_object();

		json_object_string_add(json, "pinPath", st.pin_path);
		json_object_string_add(json, "mirrorSyncState",
				       ebpf_sync_state_json(st.state));
		if (st.reason[0])
			json_object_string_add(json, "mirrorReason", st.reason);
		json_object_boolean_add(json, "fastPathLoaded",
					ebpf_fastpath_skel() != NULL);
		if (prog_ids[0])
			json_object_int_add(json, "xdpProgramId", prog_ids[0]);
		if (prog_ids[1])
			json_object_int_add(json, "tcProgramId", prog_ids[1]);
		for (int i = 0; i < n; i++) {
			json_object *ji = json_object_new_object();

			json_object_string_add(ji, "name",
					       ifname(status_ifs[i].ifindex));
			json_object_string_add(ji, "mode",
					       ebpf_fp_mode_str(status_ifs[i].mode));
			ebpf_fp_if_notes_json(ji, &status_ifs[i]);
			json_object_array_add(jifs, ji);
		}
		json_object_object_add(json, "interfaces", jifs);
		json_object_string_add(json, "ipv4Lookup", lookup);
		if (why)
			json_object_string_add(json, "ipv4LookupReason", why);
		json_object_string_add(json, "ecmpAlgorithm",
				       ebpf_ecmp_algo_str(ebpf_ecmp.algo));
		json_object_int_add(json, "policies",
				    fe_policy_count(ebpf_policies()));
		for (int i = 0; i < EBPF_MAP_COUNT; i++) {
			json_object *jm = json_object_new_object();

			json_object_int_add(jm, "entries", st.maps[i].entries);
			json_object_int_add(jm, "maxEntries",
					    st.maps[i].max_entries);
			json_object_object_add(jmaps, st.maps[i].name, jm);
		}
		json_object_object_add(json, "maps", jmaps);
		{
			uint64_t with, without;
			const struct fe_flap_table *ft = ebpf_detect_flaps();

			json_object_string_add(json, "asPathInfo",
					       ebpf_detect_aspath_state(&with,
									&without));
			json_object_boolean_add(json, "originChecks",
						with > 0);
			json_object_boolean_add(json, "flapDetection", ft != NULL);
			json_object_int_add(json, "hijackProtections",
					    fe_hijack_count(ebpf_detect_hijacks()));
		}
		{
			struct ebpf_detect_counters dc;

			ebpf_detect_get_counters(&dc);
			json_object_int_add(json, "detectionChangesEvaluated",
					    dc.changes);
			json_object_int_add(json, "detectionQueued", dc.queued);
			json_object_int_add(json, "detectionBusyMicroseconds",
					    dc.busy_us);
		}
		json_object_int_add(json, "mirrorErrors", ebpf_counters.errors);
		json_object_int_add(json, "dir24Errors",
				    ebpf_counters.l4_errors);
		json_object_int_add(json, "lpm6Errors",
				    ebpf_counters.l6_errors);
		vty_json(vty, json);
		return CMD_SUCCESS;
	}
	vty_out(vty, "eBPF status\n");
	vty_out(vty, "  Pin path:          %s\n", st.pin_path);
	vty_out(vty, "  Mirror:            %s%s%s\n",
		ebpf_sync_state_str(st.state), st.reason[0] ? ": " : "",
		st.reason);
	vty_out(vty, "  Fast path:         %s", ebpf_fastpath_skel()
						       ? "loaded"
						       : "not loaded");
	if (prog_ids[0])
		vty_out(vty, ", XDP program %u", prog_ids[0]);
	if (prog_ids[1])
		vty_out(vty, ", TC program %u", prog_ids[1]);
	vty_out(vty, "\n");
	for (int i = 0; i < n; i++) {
		vty_out(vty, "    %-16s %s%s\n", ifname(status_ifs[i].ifindex),
			ebpf_fp_mode_str(status_ifs[i].mode),
			status_ifs[i].link_id ? "" : " (detached)");
		ebpf_fp_if_notes_vty(vty, &status_ifs[i]);
	}
	vty_out(vty, "  IPv4 lookup:       %s%s%s\n", lookup, why ? ": " : "",
		why ? why : "");
	vty_out(vty, "  ECMP algorithm:    %s\n",
		ebpf_ecmp_algo_str(ebpf_ecmp.algo));
	vty_out(vty, "  Policies:          %zu\n",
		fe_policy_count(ebpf_policies()));
	vty_out(vty, "  Map fill:\n");
	for (int i = 0; i < EBPF_MAP_COUNT; i++)
		if (st.maps[i].entries)
			vty_out(vty, "    %-16s %" PRIu64 " of %u\n",
				st.maps[i].name, st.maps[i].entries,
				st.maps[i].max_entries);
	{
		uint64_t with, without;
		const char *asp = ebpf_detect_aspath_state(&with, &without);

		vty_out(vty, "  Detection:         flaps %s, %zu protected prefixes\n",
			ebpf_detect_flaps() ? "on" : "off",
			fe_hijack_count(ebpf_detect_hijacks()));
		if (with)
			vty_out(vty, "  AS path info:      received from bgpd (%" PRIu64 " BGP routes with an AS path): origin checks on\n",
				with);
		else
			vty_out(vty, "  AS path info:      %s: origin checks are skipped; configure `bgp send-extra-data zebra` in bgpd\n",
				strcmp(asp, "notReceived") == 0
					? "not received from bgpd"
				: strcmp(asp, "noBgpRoutes") == 0
					? "no BGP routes seen yet"
					: "not looked at (detection off)");
	}
	vty_out(vty, "  Errors:            mirror %" PRIu64 ", IPv4 table %" PRIu64 ", IPv6 table %" PRIu64 "\n",
		(uint64_t)ebpf_counters.errors,
		(uint64_t)ebpf_counters.l4_errors,
		(uint64_t)ebpf_counters.l6_errors);
	return CMD_SUCCESS;
}

void ebpf_show_init(void)
{
	install_element(VIEW_NODE, &show_ebpf_status_cmd);
	install_element(VIEW_NODE, &show_ebpf_nexthop_groups_cmd);
	install_element(VIEW_NODE, &show_ebpf_route_cmd);
}
