// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CLI of policy overrides and ECMP control:
 *   ebpf policy NAME match destination PREFIX [source PREFIX] [ingress IFNAME]
 *   ebpf policy NAME action (drop|kernel|count|nexthop-group ID|pin NH|exclude NH)
 *   no ebpf policy NAME [match|action]            (at once)
 *   no ebpf policy NAME match|action ...the line  (after a hold: reloads)
 *   ebpf ecmp algorithm (kernel|hash-threshold|weighted|resilient)
 *   ebpf ecmp hash-fields (l3|l3-l4) [seed (0-4294967295)]
 *   show ebpf policies [json]
 */
#include "lib/zebra.h"

#include "lib/command.h"
#include "lib/json.h"
#include "lib/prefix.h"
#include "lib/vty.h"

#include "ebpf_policy.h"
#include "ebpf_policy_hold.h"
#include "ebpf_vty.h"

#define EBPF_STR "eBPF fast path and RIB mirror\n"
#define POLICY_STR "Policy override in the fast path\n" "Policy name\n"
/* A policy's two lines, set and deleted (`no` + the line) alike. */
#define MATCH_CMD                                                          \
	"match destination <A.B.C.D/M|X:X::X:X/M> [source <A.B.C.D/M|X:X::X:X/M>] [ingress IFNAME]"
#define MATCH_HELP                                                         \
	"What the policy applies to\n"                                     \
	"Destination prefix (longest match)\n"                             \
	"IPv4 prefix\n" "IPv6 prefix\n"                                    \
	"Only from this source prefix\n"                                   \
	"IPv4 prefix\n" "IPv6 prefix\n"                                    \
	"Only arriving on this interface\n"                                \
	"Interface name\n"
#define ACTION_CMD                                                         \
	"action <drop|kernel|count|nexthop-group (1-4294967295)|pin <A.B.C.D|X:X::X:X>|exclude <A.B.C.D|X:X::X:X>>"
#define ACTION_HELP                                                        \
	"What the fast path does with matching packets\n"                  \
	"Drop them\n"                                                      \
	"Hand them to the kernel\n"                                        \
	"Count them, then forward as usual\n"                              \
	"Forward by this nexthop group\n" "Zebra nexthop-group id\n"       \
	"Forward via this nexthop\n" "IPv4 nexthop\n" "IPv6 nexthop\n"     \
	"Never forward via this nexthop\n" "IPv4 nexthop\n" "IPv6 nexthop\n"

/* "192.0.2.0/24" or "192.0.2.1" (as a host prefix) into the lib model. */
static int str2fe(const char *s, bool host, struct fe_prefix *out)
{
	struct prefix p;

	if (!str2prefix(s, &p) || (p.family != AF_INET && p.family != AF_INET6))
		return -EINVAL;
	if (host && p.prefixlen != (p.family == AF_INET ? 32 : 128))
		return -EINVAL;
	return fe_prefix_set(out, p.family, &p.u.prefix, p.prefixlen);
}

DEFUN (ebpf_policy_match,
       ebpf_policy_match_cmd,
       "ebpf policy WORD " MATCH_CMD,
       EBPF_STR POLICY_STR
       MATCH_HELP)
{
	struct fe_prefix dst, src;
	const char *ingress = NULL;
	char err[256] = "";
	bool has_src = false;
	int idx = 0;

	if (str2fe(argv[5]->arg, false, &dst)) {
		vty_out(vty, "%% invalid destination prefix %s\n", argv[5]->arg);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (argv_find(argv, argc, "source", &idx)) {
		if (str2fe(argv[idx + 1]->arg, false, &src)) {
			vty_out(vty, "%% invalid source prefix %s\n",
				argv[idx + 1]->arg);
			return CMD_WARNING_CONFIG_FAILED;
		}
		has_src = true;
	}
	idx = 0;
	if (argv_find(argv, argc, "ingress", &idx))
		ingress = argv[idx + 1]->arg;
	if (fe_policy_set_match(ebpf_policies(), argv[2]->arg, &dst,
				has_src ? &src : NULL, ingress, err,
				sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	ebpf_policy_unhold(argv[2]->arg, EBPF_POLICY_MATCH);
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

DEFUN (ebpf_policy_action,
       ebpf_policy_action_cmd,
       "ebpf policy WORD " ACTION_CMD,
       EBPF_STR POLICY_STR
       ACTION_HELP)
{
	int action = fe_policy_action_parse(argv[4]->text);
	struct fe_prefix nh = {};
	uint32_t nhg = 0;
	char err[256] = "";

	if (action == FE_POL_NHG)
		nhg = strtoul(argv[5]->arg, NULL, 10);
	if ((action == FE_POL_PIN || action == FE_POL_EXCLUDE) &&
	    str2fe(argv[5]->arg, true, &nh)) {
		vty_out(vty, "%% invalid nexthop %s\n", argv[5]->arg);
		return CMD_WARNING_CONFIG_FAILED;
	}
	if (fe_policy_set_action(ebpf_policies(), argv[2]->arg, action, nhg,
				 &nh, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	ebpf_policy_unhold(argv[2]->arg, EBPF_POLICY_ACTION);
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_policy,
       no_ebpf_policy_cmd,
       "no ebpf policy WORD [match|action]",
       NO_STR EBPF_STR POLICY_STR
       "Remove the policy (a match alone cannot be removed)\n"
       "Remove the policy (an action alone cannot be removed)\n")
{
	if (fe_policy_del(ebpf_policies(), argv[3]->arg)) {
		vty_out(vty, "%% no policy %s\n", argv[3]->arg);
		return CMD_WARNING_CONFIG_FAILED;
	}
	ebpf_policy_unhold_all(argv[3]->arg);
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

static void policy_line(const struct fe_policy *p, enum ebpf_policy_part part,
			char *buf, size_t size);

/*
 * `no` + a line of the running configuration, as frr-reload.py deletes
 * it: the line must be the policy's own, and the policy goes after a hold
 * (ebpf_policy_hold.h) unless the line is configured again.
 */
static int no_policy_line(struct vty *vty, int argc, struct cmd_token **argv,
			  enum ebpf_policy_part part)
{
	const struct fe_policy *p = fe_policy_get(ebpf_policies(),
						  argv[3]->arg);
	char typed[256] = "", have[256];

	for (int i = 1; i < argc; i++)
		snprintf(typed + strlen(typed), sizeof(typed) - strlen(typed),
			 "%s%s", i > 1 ? " " : "", argv[i]->arg);
	if (!p || ebpf_policy_held(p->name, part)) {
		vty_out(vty, "%% no policy %s\n", argv[3]->arg);
		return CMD_WARNING_CONFIG_FAILED;
	}
	policy_line(p, part, have, sizeof(have));
	if (strcmp(typed, have)) {
		vty_out(vty, "%% policy %s has no line \"%s\"%s%s\n", p->name,
			typed, have[0] ? "; it has: " : "", have);
		return CMD_WARNING_CONFIG_FAILED;
	}
	ebpf_policy_hold(p->name, part);
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_policy_match_line,
       no_ebpf_policy_match_line_cmd,
       "no ebpf policy WORD " MATCH_CMD,
       NO_STR EBPF_STR POLICY_STR
       MATCH_HELP)
{
	return no_policy_line(vty, argc, argv, EBPF_POLICY_MATCH);
}

DEFUN (no_ebpf_policy_action_line,
       no_ebpf_policy_action_line_cmd,
       "no ebpf policy WORD " ACTION_CMD,
       NO_STR EBPF_STR POLICY_STR
       ACTION_HELP)
{
	return no_policy_line(vty, argc, argv, EBPF_POLICY_ACTION);
}

DEFUN (ebpf_ecmp_algorithm,
       ebpf_ecmp_algorithm_cmd,
       "ebpf ecmp algorithm <kernel|hash-threshold|weighted|resilient>",
       EBPF_STR
       "ECMP control for multipath routes\n"
       "How the fast path picks a path\n"
       "The kernel's choice (bpf_fib_lookup with the L4 ports)\n"
       "RFC 2992 hash-threshold: equal share per path\n"
       "Shares by zebra's nexthop weights\n"
       "Slot table: a path change moves only that path's flows\n")
{
	ebpf_ecmp.algo = ebpf_ecmp_algo_parse(argv[3]->text);
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_ecmp_algorithm,
       no_ebpf_ecmp_algorithm_cmd,
       "no ebpf ecmp algorithm [<kernel|hash-threshold|weighted|resilient>]",
       NO_STR EBPF_STR
       "ECMP control for multipath routes\n"
       "How the fast path picks a path\n"
       "kernel\n" "hash-threshold\n" "weighted\n" "resilient\n")
{
	ebpf_ecmp.algo = FE_ECMP_KERNEL;
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

DEFUN (ebpf_ecmp_hash_fields,
       ebpf_ecmp_hash_fields_cmd,
       "ebpf ecmp hash-fields <l3|l3-l4> [seed (0-4294967295)]",
       EBPF_STR
       "ECMP control for multipath routes\n"
       "What the flow hash covers\n"
       "Source and destination addresses\n"
       "Addresses, protocol and ports\n"
       "Hash seed (differs per router to avoid polarisation)\n"
       "Seed\n")
{
	ebpf_ecmp.hash_l4 = strcmp(argv[3]->text, "l3-l4") == 0;
	ebpf_ecmp.seed_set = argc > 5;
	ebpf_ecmp.seed = argc > 5 ? strtoul(argv[5]->arg, NULL, 10) : 0;
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_ecmp_hash_fields,
       no_ebpf_ecmp_hash_fields_cmd,
       "no ebpf ecmp hash-fields [<l3|l3-l4> [seed (0-4294967295)]]",
       NO_STR EBPF_STR
       "ECMP control for multipath routes\n"
       "What the flow hash covers\n"
       "l3\n" "l3-l4\n" "Hash seed\n" "Seed\n")
{
	ebpf_ecmp.hash_l4 = true;
	ebpf_ecmp.seed_set = false;
	ebpf_ecmp.seed = 0;
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

DEFUN (ebpf_ipv4_lookup_set,
       ebpf_ipv4_lookup_set_cmd,
       "ebpf ipv4-lookup <direct|fib>",
       EBPF_STR
       "How the fast path finds an IPv4 route and neighbour\n"
       "IPv4 route table and neighbour cache, the kernel FIB as fallback (default)\n"
       "Always the kernel FIB (bpf_fib_lookup)\n")
{
	ebpf_ecmp.ipv4_fib = strcmp(argv[2]->text, "fib") == 0;
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_ipv4_lookup,
       no_ebpf_ipv4_lookup_cmd,
       "no ebpf ipv4-lookup [<direct|fib>]",
       NO_STR EBPF_STR
       "How the fast path finds an IPv4 route and neighbour\n"
       "direct\n" "fib\n")
{
	ebpf_ecmp.ipv4_fib = false;
	ebpf_policy_sync();
	return CMD_SUCCESS;
}

static void prefix_str(const struct fe_prefix *p, char *buf, size_t size)
{
	fe_prefix_str(p, buf, size);
}

/* The nexthop of pin/exclude without its /32 or /128. */
static void nh_str(const struct fe_prefix *p, char *buf, size_t size)
{
	char *slash;

	fe_prefix_str(p, buf, size);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
}

static void action_str(const struct fe_policy *p, char *buf, size_t size)
{
	char nh[64];

	switch (p->action) {
	case FE_POL_NHG:
		snprintf(buf, size, "nexthop-group %u", p->nhg_id);
		break;
	case FE_POL_PIN:
	case FE_POL_EXCLUDE:
		nh_str(&p->nh, nh, sizeof(nh));
		snprintf(buf, size, "%s %s", fe_policy_action_str(p->action),
			 nh);
		break;
	default:
		snprintf(buf, size, "%s", fe_policy_action_str(p->action));
	}
}

/* Config lines of policies and ECMP, called by the global writer. */
int ebpf_policy_config_write(struct vty *vty)
{
	struct fe_policy_set *s = ebpf_policies();
	char line[256];
	int lines = 0;

	if (ebpf_ecmp.ipv4_fib) {
		vty_out(vty, "ebpf ipv4-lookup fib\n");
		lines++;
	}
	if (ebpf_ecmp.algo != FE_ECMP_KERNEL) {
		vty_out(vty, "ebpf ecmp algorithm %s\n",
			ebpf_ecmp_algo_str(ebpf_ecmp.algo));
		lines++;
	}
	if (!ebpf_ecmp.hash_l4 || ebpf_ecmp.seed_set) {
		vty_out(vty, "ebpf ecmp hash-fields %s",
			ebpf_ecmp.hash_l4 ? "l3-l4" : "l3");
		if (ebpf_ecmp.seed_set)
			vty_out(vty, " seed %u", ebpf_ecmp.seed);
		vty_out(vty, "\n");
		lines++;
	}
	for (size_t i = 0; s && i < fe_policy_count(s); i++) {
		const struct fe_policy *p = fe_policy_at(s, i);

		for (int part = EBPF_POLICY_MATCH; part <= EBPF_POLICY_ACTION;
		     part++) {
			/* a deleted line on hold is no longer configured */
			if (ebpf_policy_held(p->name, part))
				continue;
			policy_line(p, part, line, sizeof(line));
			if (line[0]) {
				vty_out(vty, "%s\n", line);
				lines++;
			}
		}
	}
	return lines;
}

/* The policy's match or action line as written; "" if it has none. */
static void policy_line(const struct fe_policy *p, enum ebpf_policy_part part,
			char *buf, size_t size)
{
	char dst[64], src[64], act[96];

	buf[0] = '\0';
	if (part == EBPF_POLICY_ACTION) {
		if (p->has_action) {
			action_str(p, act, sizeof(act));
			snprintf(buf, size, "ebpf policy %s action %s", p->name,
				 act);
		}
		return;
	}
	if (!p->has_match)
		return;
	prefix_str(&p->dst, dst, sizeof(dst));
	src[0] = '\0';
	if (p->has_src)
		prefix_str(&p->src, src, sizeof(src));
	snprintf(buf, size, "ebpf policy %s match destination %s%s%s%s%s",
		 p->name, dst, p->has_src ? " source " : "", src,
		 p->ingress[0] ? " ingress " : "", p->ingress);
}

DEFUN (show_ebpf_policies,
       show_ebpf_policies_cmd,
       "show ebpf policies [json]",
       SHOW_STR EBPF_STR
       "Policy overrides and their counters\n"
       JSON_STR)
{
	struct fe_policy_set *s = ebpf_policies();
	bool uj = argc > 3;
	json_object *json = NULL, *ja = NULL;
	char dst[64], src[64], act[96];
	size_t n = fe_policy_count(s);

	if (uj) {
		json = json_object_new_object();
		ja = json_object_new_array();
		json_object_object_add(json, "policies", ja);
	}
	if (!uj && n)
		vty_out(vty, "%-16s %-22s %-24s %12s %14s\n", "Policy",
			"Destination", "Action", "Packets", "Bytes");
	for (size_t i = 0; i < n; i++) {
		const struct fe_policy *p = fe_policy_at(s, i);
		uint64_t pk = 0, by = 0;

		ebpf_policy_stats(p->id, &pk, &by);
		dst[0] = src[0] = '\0';
		act[0] = '\0';
		if (p->has_match)
			prefix_str(&p->dst, dst, sizeof(dst));
		if (p->has_src)
			prefix_str(&p->src, src, sizeof(src));
		if (p->has_action)
			action_str(p, act, sizeof(act));
		if (!uj) {
			vty_out(vty, "%-16s %-22s %-24s %12" PRIu64 " %14" PRIu64 "%s\n",
				p->name, p->has_match ? dst : "-",
				p->has_action ? act : "-", pk, by,
				ebpf_policy_on_hold(p->name)
					? "  (deleted, removed in a few seconds)"
				: fe_policy_complete(p) ? ""
							: "  (incomplete)");
			continue;
		}
		json_object *jp = json_object_new_object();

		json_object_string_add(jp, "name", p->name);
		if (p->has_match)
			json_object_string_add(jp, "destination", dst);
		if (p->has_src)
			json_object_string_add(jp, "source", src);
		if (p->ingress[0])
			json_object_string_add(jp, "ingress", p->ingress);
		if (p->has_action) {
			json_object_string_add(jp, "action",
					       fe_policy_action_str(p->action));
			if (p->action == FE_POL_NHG)
				json_object_int_add(jp, "nexthopGroup",
						    p->nhg_id);
			if (p->action == FE_POL_PIN ||
			    p->action == FE_POL_EXCLUDE) {
				nh_str(&p->nh, act, sizeof(act));
				json_object_string_add(jp, "nexthop", act);
			}
		}
		json_object_boolean_add(jp, "installed", fe_policy_complete(p));
		json_object_boolean_add(jp, "removalPending",
					ebpf_policy_on_hold(p->name));
		json_object_int_add(jp, "packets", pk);
		json_object_int_add(jp, "bytes", by);
		json_object_array_add(ja, jp);
	}
	if (uj)
		vty_json(vty, json);
	else if (!n)
		vty_out(vty, "No eBPF policies.\n");
	return CMD_SUCCESS;
}

void ebpf_policy_vty_init(void)
{
	install_element(CONFIG_NODE, &ebpf_policy_match_cmd);
	install_element(CONFIG_NODE, &ebpf_policy_action_cmd);
	install_element(CONFIG_NODE, &no_ebpf_policy_cmd);
	install_element(CONFIG_NODE, &no_ebpf_policy_match_line_cmd);
	install_element(CONFIG_NODE, &no_ebpf_policy_action_line_cmd);
	install_element(CONFIG_NODE, &ebpf_ipv4_lookup_set_cmd);
	install_element(CONFIG_NODE, &no_ebpf_ipv4_lookup_cmd);
	install_element(CONFIG_NODE, &ebpf_ecmp_algorithm_cmd);
	install_element(CONFIG_NODE, &no_ebpf_ecmp_algorithm_cmd);
	install_element(CONFIG_NODE, &ebpf_ecmp_hash_fields_cmd);
	install_element(CONFIG_NODE, &no_ebpf_ecmp_hash_fields_cmd);
	install_element(VIEW_NODE, &show_ebpf_policies_cmd);
}
