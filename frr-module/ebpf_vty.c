// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CLI of the ebpf module. Handlers validate, then call the same setters a
 * northbound callback would; invalid input prints `% ...` and changes
 * nothing.
 */
#include "lib/zebra.h"

#include "lib/command.h"
#include "lib/json.h"
#include "lib/vty.h"
#include "zebra/debug.h"

#include "ebpf_debug.h"
#include "ebpf_detect.h"
#include "ebpf_events.h"
#include "ebpf_fastpath.h"
#include "ebpf_policy.h"
#include "ebpf_dplane.h"
#include "ebpf_mirror.h"
#include "ebpf_vty.h"

atomic_uint ebpf_debug_flags;

static const struct {
	const char *word;
	enum ebpf_map_id id;
} map_words[] = {
	{ "route4", EBPF_MAP_ROUTE4 },
	{ "route6", EBPF_MAP_ROUTE6 },
	{ "nexthop-group", EBPF_MAP_NHG },
	{ "dir24-groups", EBPF_MAP_L4_GRP },
	{ "lpm6-groups", EBPF_MAP_L6_GRP },
};

static int map_word_id(const char *word)
{
	size_t i;

	for (i = 0; i < array_size(map_words); i++)
		if (strcmp(word, map_words[i].word) == 0)
			return map_words[i].id;
	return -1;
}

/*
 * The maps failed to open (no bpffs, no permission, ...) and the operator
 * just set a pin path: try again now rather than at the next restart, and
 * bring the mirror up to the RIB. Before the configuration is read the
 * module opens the maps itself.
 */
static void retry_open(struct vty *vty)
{
	unsigned int routes;

	if (!ebpf_dplane_config_is_ready() || ebpf_mirror_is_open())
		return;
	if (ebpf_mirror_open()) {
		vty_out(vty, "%% the maps still cannot be opened (see show ebpf mirror)\n");
		return;
	}
	routes = ebpf_dplane_replay();
	vty_out(vty, "mirror maps opened under %s; %u routes mirrored\n",
		ebpf_mirror_pin_path(), routes);
}

DEFUN (ebpf_pin_path,
       ebpf_pin_path_cmd,
       "ebpf pin-path PATH",
       "eBPF fast path and RIB mirror\n"
       "Directory on bpffs where maps and programs are pinned\n"
       "Absolute path, e.g. /sys/fs/bpf/frr-ebpf\n")
{
	char err[512] = "";

	if (ebpf_fastpath_active() &&
	    strcmp(argv[2]->arg, ebpf_mirror_pin_path()) != 0) {
		vty_out(vty,
			"%% the fast path is loaded from %s: remove `ebpf fast-path` from every interface and restart zebra to change the pin path\n",
			ebpf_mirror_pin_path());
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (ebpf_mirror_set_pin_path(argv[2]->arg, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	retry_open(vty);
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_pin_path,
       no_ebpf_pin_path_cmd,
       "no ebpf pin-path [PATH]",
       NO_STR
       "eBPF fast path and RIB mirror\n"
       "Directory on bpffs where maps and programs are pinned\n"
       "Absolute path\n")
{
	char err[512] = "";

	if (ebpf_fastpath_active() && !ebpf_mirror_pin_path_is_default()) {
		vty_out(vty,
			"%% the fast path is loaded from %s: remove `ebpf fast-path` from every interface and restart zebra to change the pin path\n",
			ebpf_mirror_pin_path());
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (ebpf_mirror_set_pin_path(FE_PIN_ROOT_DEFAULT, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	retry_open(vty);
	return CMD_SUCCESS;
}

static int set_map_size(struct vty *vty, const char *word, uint32_t entries)
{
	int id = map_word_id(word);
	struct ebpf_mirror_state st;

	if (id < 0) {
		vty_out(vty, "%% unknown map %s\n", word);
		return CMD_WARNING_CONFIG_FAILED;
	}
	ebpf_mirror_set_map_size(id, entries);
	ebpf_mirror_get_state(&st);
	/* a group array grows up to the limit: it applies from now on */
	if (id == EBPF_MAP_L4_GRP || id == EBPF_MAP_L6_GRP) {
		if (ebpf_mirror_is_open() &&
		    st.maps[id].max_entries > ebpf_mirror_map_size(id))
			vty_out(vty,
				"%% note: the %s array already has %u groups; it keeps them until zebra restarts\n",
				word, st.maps[id].max_entries);
		return CMD_SUCCESS;
	}
	if (ebpf_mirror_is_open() &&
	    st.maps[id].max_entries != ebpf_mirror_map_size(id))
		vty_out(vty,
			"%% note: the %s map exists with %u entries; the new size applies when it is re-created (remove %s/%s and restart zebra)\n",
			word, st.maps[id].max_entries, st.pin_path,
			st.maps[id].name);
	return CMD_SUCCESS;
}

DEFUN (ebpf_map_size,
       ebpf_map_size_cmd,
       "ebpf map-size <route4|route6|nexthop-group|dir24-groups|lpm6-groups> (1-16777216)",
       "eBPF fast path and RIB mirror\n"
       "Capacity of a mirror map\n"
       "IPv4 route trie (default 1200000)\n"
       "IPv6 route trie (default 300000)\n"
       "Nexthop-group map (default 65536)\n"
       "Most groups (1 KiB each) the IPv4 route table may grow to; a full table needs ~100k (default 1048576)\n"
       "Most groups (1 KiB each) the IPv6 route table may grow to, ~1.1 per prefix (default 1048576)\n"
       "Entries\n")
{
	return set_map_size(vty, argv[2]->text,
			    strtoul(argv[3]->arg, NULL, 10));
}

DEFUN (no_ebpf_map_size,
       no_ebpf_map_size_cmd,
       "no ebpf map-size <route4|route6|nexthop-group|dir24-groups|lpm6-groups> [(1-16777216)]",
       NO_STR
       "eBPF fast path and RIB mirror\n"
       "Capacity of a mirror map\n"
       "IPv4 route trie\n"
       "IPv6 route trie\n"
       "Nexthop-group map\n"
       "IPv4 route table groups\n"
       "IPv6 route table groups\n"
       "Entries\n")
{
	return set_map_size(vty, argv[3]->text, 0);
}

DEFUN (ebpf_reconcile_delay,
       ebpf_reconcile_delay_cmd,
       "ebpf reconcile-delay (0-3600)",
       "eBPF fast path and RIB mirror\n"
       "After a restart, seconds before entries not re-learned are removed\n"
       "Seconds (default 30)\n")
{
	ebpf_mirror_set_reconcile_delay(strtoul(argv[2]->arg, NULL, 10));
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_reconcile_delay,
       no_ebpf_reconcile_delay_cmd,
       "no ebpf reconcile-delay [(0-3600)]",
       NO_STR
       "eBPF fast path and RIB mirror\n"
       "After a restart, seconds before entries not re-learned are removed\n"
       "Seconds\n")
{
	ebpf_mirror_set_reconcile_delay(EBPF_RECONCILE_DELAY_DEFAULT);
	return CMD_SUCCESS;
}

DEFUN (debug_ebpf,
       debug_ebpf_cmd,
       "[no] debug ebpf <mirror|datapath|events|detection>",
       NO_STR
       DEBUG_STR
       "eBPF fast path and RIB mirror\n"
       "Route and nexthop-group mirroring\n"
       "Fast-path programs, attachments, policies and settings\n"
       "Datapath events\n"
       "Flap and hijack detection: every RIB change evaluated\n")
{
	bool no = strcmp(argv[0]->text, "no") == 0;
	const char *what = argv[no ? 3 : 2]->text;
	unsigned int flag = strcmp(what, "mirror") == 0	  ? EBPF_DEBUG_MIRROR
			    : strcmp(what, "datapath") == 0 ? EBPF_DEBUG_DATAPATH
			    : strcmp(what, "events") == 0   ? EBPF_DEBUG_EVENTS
							    : EBPF_DEBUG_DETECTION;

	if (no)
		atomic_fetch_and(&ebpf_debug_flags, ~flag);
	else
		atomic_fetch_or(&ebpf_debug_flags, flag);
	return CMD_SUCCESS;
}

/* `show debugging` lists ours too. */
static int ebpf_show_debugging(struct vty *vty)
{
	if (IS_EBPF_DEBUG(MIRROR))
		vty_out(vty, "  eBPF mirror debugging is on\n");
	if (IS_EBPF_DEBUG(DATAPATH))
		vty_out(vty, "  eBPF datapath debugging is on\n");
	if (IS_EBPF_DEBUG(EVENTS))
		vty_out(vty, "  eBPF events debugging is on\n");
	if (IS_EBPF_DEBUG(DETECTION))
		vty_out(vty, "  eBPF detection debugging is on\n");
	return 0;
}

/* One route table (IPv4, IPv6) of show ebpf mirror. */
static void show_table_text(struct vty *vty, const char *what,
			    const struct ebpf_table_state *t)
{
	vty_out(vty, "  %s: %s, %u prefixes, %u groups used of %u (grows up to %u, grown %u times), %" PRIu64 " bytes\n",
		what,
		t->degraded ? "degraded (LPM trie used)"
		: t->ready  ? "in use"
			    : "building",
		t->rules, t->groups_used, t->groups_total, t->groups_max,
		t->grown, t->bytes);
}

/* Map memory per route: what the mirror costs for the table it holds. */
static uint64_t bytes_per_route(const struct ebpf_mirror_state *st)
{
	uint64_t routes = st->routes_v4 + st->routes_v6;

	return routes ? st->map_bytes / routes : 0;
}

static void show_mirror_text(struct vty *vty, const struct ebpf_mirror_state *st)
{
	const struct ebpf_mirror_counters *c = &ebpf_counters;
	time_t now = monotime(NULL);
	int i;

	vty_out(vty, "eBPF RIB mirror\n");
	vty_out(vty, "  Pin path:        %s\n", st->pin_path);
	vty_out(vty, "  Sync state:      %s%s%s\n",
		ebpf_sync_state_str(st->state), st->reason[0] ? ": " : "",
		st->reason);
	if (st->state == EBPF_SYNC_IN_SYNC && st->synced_at)
		vty_out(vty, "  In sync for:     %llds\n",
			(long long)(now - st->synced_at));
	vty_out(vty, "  Routes:          %" PRIu64 " IPv4, %" PRIu64 " IPv6\n",
		st->routes_v4, st->routes_v6);
	vty_out(vty, "  Nexthop groups:  %" PRIu64 "\n", st->nhgs);
	vty_out(vty, "  Counters:\n");
	vty_out(vty, "    route installs/updates/deletes: %" PRIu64 "/%" PRIu64 "/%" PRIu64 "\n",
		(uint64_t)c->route_installs, (uint64_t)c->route_updates,
		(uint64_t)c->route_deletes);
	vty_out(vty, "    NHG installs/updates/deletes:   %" PRIu64 "/%" PRIu64 "/%" PRIu64 "\n",
		(uint64_t)c->nhg_installs, (uint64_t)c->nhg_updates,
		(uint64_t)c->nhg_deletes);
	vty_out(vty, "    errors: %" PRIu64 " (map full %" PRIu64 ")\n",
		(uint64_t)c->errors, (uint64_t)c->map_full);
	vty_out(vty, "    skipped: other table %" PRIu64 ", other VRF %" PRIu64 ", kernel failed %" PRIu64 ", unsupported %" PRIu64 ", mirror off %" PRIu64 "\n",
		(uint64_t)c->skipped_other_table,
		(uint64_t)c->skipped_other_vrf,
		(uint64_t)c->skipped_kernel_failed,
		(uint64_t)c->skipped_unsupported,
		(uint64_t)c->skipped_not_open);
	vty_out(vty, "    stale entries swept: %" PRIu64 "\n",
		(uint64_t)c->stale_swept);
	vty_out(vty, "    local repairs: %" PRIu64 " (nexthop-group writes %" PRIu64 ")\n",
		(uint64_t)c->repair_events, (uint64_t)c->repair_nhg_writes);
	vty_out(vty, "  Maps:\n");
	vty_out(vty, "    %-14s %10s %10s %12s\n", "Name", "Entries", "Max",
		"Memory");
	for (i = 0; i < EBPF_MAP_COUNT; i++)
		vty_out(vty, "    %-14s %10" PRIu64 " %10u %12" PRIu64 "\n",
			st->maps[i].name, st->maps[i].entries,
			st->maps[i].max_entries, st->maps[i].memory_bytes);
	vty_out(vty, "  Map memory:      %" PRIu64 " bytes, %" PRIu64 " per route\n",
		st->map_bytes, bytes_per_route(st));
	vty_out(vty, "  Shadow table:    %" PRIu64 " bytes\n", st->shadow_bytes);
	{
		const char *why, *mode = ebpf_ipv4_lookup(&why);

		vty_out(vty, "  Fast path IPv4 lookup: %s%s%s\n", mode,
			why ? ": " : "", why ? why : "");
	}
	show_table_text(vty, "IPv4 table (IPv4 lookup)", &st->l4);
	show_table_text(vty, "IPv6 table (IPv6 lookup)", &st->l6);
}

#define JSON_U64(o, k, v) json_object_int_add(o, k, (int64_t)(v))

static json_object *table_json(const struct ebpf_table_state *t,
				uint64_t errors)
{
	json_object *jd = json_object_new_object();

	json_object_boolean_add(jd, "inUse", t->ready);
	json_object_boolean_add(jd, "degraded", t->degraded);
	JSON_U64(jd, "prefixes", t->rules);
	JSON_U64(jd, "groupsUsed", t->groups_used);
	JSON_U64(jd, "groupsTotal", t->groups_total);
	JSON_U64(jd, "groupsMax", t->groups_max);
	JSON_U64(jd, "grown", t->grown);
	JSON_U64(jd, "bytes", t->bytes);
	JSON_U64(jd, "errors", errors);
	return jd;
}

static void show_mirror_json(struct vty *vty, const struct ebpf_mirror_state *st)
{
	const struct ebpf_mirror_counters *c = &ebpf_counters;
	json_object *json = json_object_new_object();
	json_object *jroutes, *jc, *jmaps, *jm;
	int i;

	json_object_string_add(json, "pinPath", st->pin_path);
	json_object_string_add(json, "syncState",
			       ebpf_sync_state_json(st->state));
	if (st->reason[0])
		json_object_string_add(json, "reason", st->reason);
	json_object_boolean_add(json, "adoptedPinnedMaps", st->adopted);

	jroutes = json_object_new_object();
	JSON_U64(jroutes, "ipv4", st->routes_v4);
	JSON_U64(jroutes, "ipv6", st->routes_v6);
	json_object_object_add(json, "routes", jroutes);
	JSON_U64(json, "nexthopGroups", st->nhgs);

	jc = json_object_new_object();
	JSON_U64(jc, "routeInstalls", c->route_installs);
	JSON_U64(jc, "routeUpdates", c->route_updates);
	JSON_U64(jc, "routeDeletes", c->route_deletes);
	JSON_U64(jc, "nhgInstalls", c->nhg_installs);
	JSON_U64(jc, "nhgUpdates", c->nhg_updates);
	JSON_U64(jc, "nhgDeletes", c->nhg_deletes);
	JSON_U64(jc, "errors", c->errors);
	JSON_U64(jc, "mapFull", c->map_full);
	JSON_U64(jc, "skippedOtherTable", c->skipped_other_table);
	JSON_U64(jc, "skippedOtherVrf", c->skipped_other_vrf);
	JSON_U64(jc, "skippedKernelFailed", c->skipped_kernel_failed);
	JSON_U64(jc, "skippedUnsupported", c->skipped_unsupported);
	JSON_U64(jc, "skippedMirrorOff", c->skipped_not_open);
	JSON_U64(jc, "staleSwept", c->stale_swept);
	JSON_U64(jc, "localRepairs", c->repair_events);
	JSON_U64(jc, "localRepairNhgWrites", c->repair_nhg_writes);
	json_object_object_add(json, "counters", jc);

	jmaps = json_object_new_object();
	for (i = 0; i < EBPF_MAP_COUNT; i++) {
		jm = json_object_new_object();
		JSON_U64(jm, "entries", st->maps[i].entries);
		JSON_U64(jm, "maxEntries", st->maps[i].max_entries);
		JSON_U64(jm, "configuredMaxEntries",
			 st->maps[i].configured_entries);
		JSON_U64(jm, "memoryBytes", st->maps[i].memory_bytes);
		json_object_object_add(jmaps, st->maps[i].name, jm);
	}
	json_object_object_add(json, "maps", jmaps);
	JSON_U64(json, "mapMemoryBytes", st->map_bytes);
	JSON_U64(json, "mapMemoryBytesPerRoute", bytes_per_route(st));
	{
		const char *why, *mode = ebpf_ipv4_lookup(&why);

		json_object_string_add(json, "fastPathIpv4Lookup", mode);
		if (why)
			json_object_string_add(json, "fastPathIpv4LookupReason",
					       why);
	}
	/* names of the first release, kept for exporters */
	json_object_object_add(json, "dir24", table_json(&st->l4, c->l4_errors));
	json_object_object_add(json, "lpm6", table_json(&st->l6, c->l6_errors));
	JSON_U64(json, "shadowMemoryBytes", st->shadow_bytes);
	vty_json(vty, json);
}

DEFUN (show_ebpf_mirror,
       show_ebpf_mirror_cmd,
       "show ebpf mirror [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "State of the RIB mirror in pinned maps\n"
       JSON_STR)
{
	struct ebpf_mirror_state st;

	ebpf_mirror_get_state(&st);
	if (argc > 3)
		show_mirror_json(vty, &st);
	else
		show_mirror_text(vty, &st);
	return CMD_SUCCESS;
}

/* Global config lines, in a fixed order; defaults are not written. */
static int ebpf_config_write(struct vty *vty)
{
	int lines = 0;
	size_t i;

	if (!ebpf_mirror_pin_path_is_default()) {
		vty_out(vty, "ebpf pin-path %s\n", ebpf_mirror_pin_path());
		lines++;
	}
	for (i = 0; i < array_size(map_words); i++) {
		enum ebpf_map_id id = map_words[i].id;

		if (ebpf_mirror_map_size(id) == ebpf_mirror_map_size_default(id))
			continue;
		vty_out(vty, "ebpf map-size %s %u\n", map_words[i].word,
			ebpf_mirror_map_size(id));
		lines++;
	}
	if (ebpf_mirror_reconcile_delay() != EBPF_RECONCILE_DELAY_DEFAULT) {
		vty_out(vty, "ebpf reconcile-delay %u\n",
			ebpf_mirror_reconcile_delay());
		lines++;
	}
	lines += ebpf_policy_config_write(vty);
	lines += ebpf_detect_config_write(vty);
	lines += ebpf_events_config_write(vty);
	/* last, where the interface blocks used to carry them */
	lines += ebpf_fastpath_config_write(vty);
	if (lines)
		vty_out(vty, "!\n");
	return lines;
}

/*
 * A module cannot add a node type. Zebra never installs DEBUG_VNC_NODE
 * (bgpd's), so its slot carries our config writer; it sorts before the
 * interface blocks, so `ebpf pin-path` is read before an interface-node
 * `ebpf fast-path` of an older configuration (8.4).
 */
static struct cmd_node ebpf_node = {
	.name = "ebpf",
	.node = DEBUG_VNC_NODE,
	.parent_node = CONFIG_NODE,
	.prompt = "",
	.config_write = ebpf_config_write,
};

void ebpf_vty_init(void)
{
	install_node(&ebpf_node);
	install_element(CONFIG_NODE, &ebpf_pin_path_cmd);
	install_element(CONFIG_NODE, &no_ebpf_pin_path_cmd);
	install_element(CONFIG_NODE, &ebpf_map_size_cmd);
	install_element(CONFIG_NODE, &no_ebpf_map_size_cmd);
	install_element(CONFIG_NODE, &ebpf_reconcile_delay_cmd);
	install_element(CONFIG_NODE, &no_ebpf_reconcile_delay_cmd);
	install_element(ENABLE_NODE, &debug_ebpf_cmd);
	install_element(CONFIG_NODE, &debug_ebpf_cmd);
	hook_register(zebra_debug_show_debugging, ebpf_show_debugging);
	install_element(VIEW_NODE, &show_ebpf_mirror_cmd);
}
