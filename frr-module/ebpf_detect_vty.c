// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CLI of flap and hijack detection:
 *   ebpf flap-detection [half-life (1-3600)] [suppress-threshold (1-100000)]
 *                       [reuse-threshold (1-100000)] [max-penalty (1-1000000)]
 *   ebpf flap-detection action kernel
 *   ebpf hijack protect PREFIX origin-as ASN [ASN ...] [max-length (0-128)] [mitigate]
 *   clear ebpf hijack PREFIX
 *   show ebpf flaps [json]
 *   show ebpf hijacks [json]
 * Invalid input prints `% ...` and changes nothing.
 */
#include "lib/zebra.h"

#include "lib/command.h"
#include "lib/json.h"
#include "lib/prefix.h"
#include "lib/vty.h"

#include "ebpf_detect.h"
#include "ebpf_policy.h"

#define EBPF_STR "eBPF fast path and RIB mirror\n"
#define FLAP_STR "Route-flap detection (RFC 2439 penalties, all protocols)\n"
#define HIJACK_STR "Hijack detection for protected prefixes\n"
#define PREFIX_HELP "IPv4 prefix\n" "IPv6 prefix\n"

/* A network prefix; host bits set are refused, not silently cleared. */
static int parse_prefix(struct vty *vty, const char *s, struct fe_prefix *out)
{
	struct prefix p, m;

	if (!str2prefix(s, &p) || (p.family != AF_INET && p.family != AF_INET6)) {
		vty_out(vty, "%% invalid prefix %s\n", s);
		return -1;
	}
	m = p;
	apply_mask(&m);
	if (!prefix_same(&p, &m)) {
		vty_out(vty, "%% %s has host bits set: did you mean %pFX?\n", s,
			&m);
		return -1;
	}
	fe_prefix_set(out, p.family, &p.u.prefix, p.prefixlen);
	return 0;
}

static void fmt_time(int64_t ms, char *buf, size_t len)
{
	time_t t = ebpf_detect_wall(ms);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

DEFUN (ebpf_flap_detection,
       ebpf_flap_detection_cmd,
       "ebpf flap-detection [half-life (1-3600)] [suppress-threshold (1-100000)] [reuse-threshold (1-100000)] [max-penalty (1-1000000)]",
       EBPF_STR FLAP_STR
       "Time for a penalty to halve\n" "Seconds (default 900)\n"
       "Penalty at which a prefix is flapping\n" "Penalty (default 6000)\n"
       "Penalty below which a flapping prefix is stable\n" "Penalty (default 750)\n"
       "Ceiling of the penalty\n" "Penalty (default 12000)\n")
{
	static const struct {
		const char *word;
		size_t off;
	} params[] = {
		{ "half-life", offsetof(struct fe_flap_config, half_life) },
		{ "suppress-threshold", offsetof(struct fe_flap_config, suppress) },
		{ "reuse-threshold", offsetof(struct fe_flap_config, reuse) },
		{ "max-penalty", offsetof(struct fe_flap_config, max_penalty) },
	};
	struct fe_flap_config c;
	char err[256] = "";

	/* Unnamed parameters take their defaults, as in bgp dampening. */
	fe_flap_config_default(&c);
	for (size_t i = 0; i < array_size(params); i++) {
		int idx = 0;

		if (argv_find(argv, argc, params[i].word, &idx))
			*(uint32_t *)((char *)&c + params[i].off) =
				strtoul(argv[idx + 1]->arg, NULL, 10);
	}
	if (ebpf_detect_flap_on(&c, err, sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_flap_detection,
       no_ebpf_flap_detection_cmd,
       "no ebpf flap-detection [half-life (1-3600)] [suppress-threshold (1-100000)] [reuse-threshold (1-100000)] [max-penalty (1-1000000)]",
       NO_STR EBPF_STR FLAP_STR
       "Time for a penalty to halve\n" "Seconds\n"
       "Penalty at which a prefix is flapping\n" "Penalty\n"
       "Penalty below which a flapping prefix is stable\n" "Penalty\n"
       "Ceiling of the penalty\n" "Penalty\n")
{
	ebpf_detect_flap_off();
	return CMD_SUCCESS;
}

DEFUN (ebpf_flap_action,
       ebpf_flap_action_cmd,
       "[no] ebpf flap-detection action kernel",
       NO_STR EBPF_STR FLAP_STR
       "What the fast path does with a flapping prefix\n"
       "Hand its traffic to the kernel until it is stable\n")
{
	bool no = strcmp(argv[0]->text, "no") == 0;

	if (!no && !ebpf_detect_flaps()) {
		vty_out(vty, "%% flap detection is off: configure `ebpf flap-detection` first\n");
		return CMD_WARNING_CONFIG_FAILED;
	}
	ebpf_detect_flap_kernel(!no);
	return CMD_SUCCESS;
}

DEFUN (ebpf_hijack_protect,
       ebpf_hijack_protect_cmd,
       "ebpf hijack protect <A.B.C.D/M|X:X::X:X/M> origin-as ASN...",
       EBPF_STR HIJACK_STR
       "Protect a prefix\n" PREFIX_HELP
       "Origin ASes allowed to announce it\n"
       "AS numbers (1-4294967295 or asdot), then optionally `max-length (0-128)` (longest more-specific allowed, default the prefix length) and `mitigate` (while an alert stands, forward a suspicious more-specific by the protected route)\n")
{
	uint32_t origins[FE_HIJACK_ORIGINS_MAX];
	size_t n = 0;
	int max_len = -1, idx = 0, first;
	bool mitigate = false;
	struct fe_prefix p;
	char err[256] = "";

	if (parse_prefix(vty, argv[3]->arg, &p))
		return CMD_WARNING_CONFIG_FAILED;
	/* A variadic token must end an FRR command: `max-length N` and
	 * `mitigate` arrive among the ASNs and are picked out here.
	 */
	argv_find(argv, argc, "origin-as", &idx);
	first = idx + 1;
	for (int i = first; i < argc; i++) {
		const char *w = argv[i]->arg;

		if (strcmp(w, "max-length") == 0) {
			char *end = NULL;

			if (i + 1 < argc)
				max_len = strtol(argv[++i]->arg, &end, 10);
			if (!end || *end || end == argv[i]->arg || max_len < 0 ||
			    max_len > 128) {
				vty_out(vty, "%% max-length needs a prefix length (0-128)\n");
				return CMD_WARNING_CONFIG_FAILED;
			}
			continue;
		}
		if (strcmp(w, "mitigate") == 0) {
			mitigate = true;
			continue;
		}
		if (n == FE_HIJACK_ORIGINS_MAX) {
			vty_out(vty, "%% at most %d origin ASes\n",
				FE_HIJACK_ORIGINS_MAX);
			return CMD_WARNING_CONFIG_FAILED;
		}
		if (!fe_asn_parse(w, &origins[n])) {
			vty_out(vty, "%% invalid ASN %s: 1-4294967295, or asdot 0.1-65535.65535\n",
				w);
			return CMD_WARNING_CONFIG_FAILED;
		}
		n++;
	}
	if (ebpf_detect_protect(&p, origins, n, max_len, mitigate, err,
				sizeof(err))) {
		vty_out(vty, "%% %s\n", err);
		return CMD_WARNING_CONFIG_FAILED;
	}
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_hijack_protect,
       no_ebpf_hijack_protect_cmd,
       "no ebpf hijack protect <A.B.C.D/M|X:X::X:X/M>",
       NO_STR EBPF_STR HIJACK_STR
       "Protect a prefix\n" PREFIX_HELP)
{
	struct fe_prefix p;

	if (parse_prefix(vty, argv[4]->arg, &p))
		return CMD_WARNING_CONFIG_FAILED;
	if (ebpf_detect_unprotect(&p)) {
		vty_out(vty, "%% %s is not protected\n", argv[4]->arg);
		return CMD_WARNING_CONFIG_FAILED;
	}
	return CMD_SUCCESS;
}

/* The full line, as written in the config, removes it too. */
ALIAS (no_ebpf_hijack_protect,
       no_ebpf_hijack_protect_full_cmd,
       "no ebpf hijack protect <A.B.C.D/M|X:X::X:X/M> origin-as LINE...",
       NO_STR EBPF_STR HIJACK_STR
       "Protect a prefix\n" PREFIX_HELP
       "Origin ASes allowed to announce it\n"
       "Ignored\n")

DEFUN (clear_ebpf_hijack,
       clear_ebpf_hijack_cmd,
       "clear ebpf hijack <A.B.C.D/M|X:X::X:X/M>",
       CLEAR_STR EBPF_STR
       "Acknowledge a protected prefix's alerts (mitigations revert)\n"
       PREFIX_HELP)
{
	struct fe_prefix p;
	int n;

	if (parse_prefix(vty, argv[3]->arg, &p))
		return CMD_WARNING;
	n = ebpf_detect_clear(&p);
	if (n < 0) {
		vty_out(vty, "%% %s is not protected\n", argv[3]->arg);
		return CMD_WARNING;
	}
	vty_out(vty, "%d alert%s cleared\n", n, n == 1 ? "" : "s");
	return CMD_SUCCESS;
}

/* ---- show ebpf flaps ---------------------------------------------- */

struct flap_list {
	const struct fe_flap_entry **e;
	size_t n, cap;
};

static int collect(const struct fe_flap_entry *e, void *arg)
{
	struct flap_list *l = arg;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->e = XREALLOC(MTYPE_TMP, l->e, l->cap * sizeof(*l->e));
	}
	l->e[l->n++] = e;
	return 0;
}

/* Flapping first, then by penalty: what needs attention on top. */
static const struct fe_flap_table *sort_table;
static int64_t sort_now;

static int cmp_flap(const void *a, const void *b)
{
	const struct fe_flap_entry *x = *(const struct fe_flap_entry **)a;
	const struct fe_flap_entry *y = *(const struct fe_flap_entry **)b;
	double px = fe_flap_penalty(sort_table, x, sort_now);
	double py = fe_flap_penalty(sort_table, y, sort_now);

	if (x->flapping != y->flapping)
		return x->flapping ? -1 : 1;
	return px > py ? -1 : px < py;
}

static const char *flap_mitigation(const struct fe_flap_entry *e)
{
	const char *st;

	if (!e->flapping || !ebpf_detect_flap_kernel_on())
		return "none";
	st = ebpf_internal_state(EBPF_INTERNAL_FLAP, &e->prefix);
	return st ? st : "none";
}

static void flap_entry_json(json_object *jp, const struct fe_flap_table *t,
			    const struct fe_flap_entry *e, int64_t now)
{
	char buf[32];

	json_object_int_add(jp, "penalty",
			    (int64_t)(fe_flap_penalty(t, e, now) + 0.5));
	json_object_int_add(jp, "changes", e->changes);
	fmt_time(e->first, buf, sizeof(buf));
	json_object_string_add(jp, "firstChange", buf);
	fmt_time(e->updated, buf, sizeof(buf));
	json_object_string_add(jp, "lastChange", buf);
	json_object_int_add(jp, "secondsSinceLastChange",
			    (now - e->updated) / 1000);
	json_object_string_add(jp, "state", e->flapping ? "flapping" : "stable");
	if (e->flapping) {
		fmt_time(e->flapping_since, buf, sizeof(buf));
		json_object_string_add(jp, "flappingSince", buf);
		json_object_int_add(jp, "reuseInSeconds",
				    (e->reuse_at - now + 999) / 1000);
	}
	json_object_string_add(jp, "mitigation", flap_mitigation(e));
}

DEFUN (show_ebpf_flaps,
       show_ebpf_flaps_cmd,
       "show ebpf flaps [json]",
       SHOW_STR EBPF_STR
       "Prefixes with a flap penalty: penalty, changes, first and last change, state\n"
       JSON_STR)
{
	const struct fe_flap_table *t = ebpf_detect_flaps();
	struct flap_list l = {};
	bool uj = argc > 3;
	int64_t now = ebpf_detect_now();
	json_object *json = NULL, *jp;
	char first[32], last[32], buf[64];

	if (t) {
		fe_flap_foreach(t, collect, &l);
		sort_table = t;
		sort_now = now;
		qsort(l.e, l.n, sizeof(*l.e), cmp_flap);
	}
	if (uj) {
		const struct fe_flap_config *c = t ? fe_flap_get_config(t) : NULL;
		json_object *jc = json_object_new_object();

		json = json_object_new_object();
		jp = json_object_new_array();
		json_object_boolean_add(json, "enabled", t != NULL);
		if (c) {
			json_object_int_add(jc, "halfLife", c->half_life);
			json_object_int_add(jc, "suppressThreshold", c->suppress);
			json_object_int_add(jc, "reuseThreshold", c->reuse);
			json_object_int_add(jc, "maxPenalty", c->max_penalty);
			json_object_int_add(jc, "penaltyInstall", c->fom_install);
			json_object_int_add(jc, "penaltyUpdate", c->fom_update);
			json_object_int_add(jc, "penaltyDelete", c->fom_delete);
			json_object_string_add(jc, "action",
					       ebpf_detect_flap_kernel_on()
						       ? "kernel"
						       : "none");
		}
		json_object_object_add(json, "config", jc);
		json_object_int_add(json, "prefixCount", t ? fe_flap_count(t) : 0);
		json_object_int_add(json, "flappingCount",
				    t ? fe_flap_flapping_count(t) : 0);
		json_object_int_add(json, "memoryBytes", t ? fe_flap_memory(t) : 0);
		for (size_t i = 0; i < l.n; i++) {
			json_object *je = json_object_new_object();

			/* entries carry their key (the model's list) */
			json_object_string_add(je, "prefix",
					       fe_prefix_str(&l.e[i]->prefix,
							     buf, sizeof(buf)));
			flap_entry_json(je, t, l.e[i], now);
			json_object_array_add(jp, je);
		}
		json_object_object_add(json, "prefixes", jp);
		XFREE(MTYPE_TMP, l.e);
		vty_json(vty, json);
		return CMD_SUCCESS;
	}
	if (!t) {
		vty_out(vty, "Flap detection is off (ebpf flap-detection)\n");
		return CMD_SUCCESS;
	}
	{
		const struct fe_flap_config *c = fe_flap_get_config(t);

		vty_out(vty, "Flap detection: half-life %us, suppress %u, reuse %u, max-penalty %u, action %s\n",
			c->half_life, c->suppress, c->reuse, c->max_penalty,
			ebpf_detect_flap_kernel_on() ? "kernel" : "none");
	}
	vty_out(vty, "%zu prefixes with a penalty, %zu flapping, %zu bytes\n",
		fe_flap_count(t), fe_flap_flapping_count(t), fe_flap_memory(t));
	if (l.n)
		vty_out(vty, "%-40s %-8s %7s %7s %-20s %-20s %s\n", "Prefix",
			"State", "Penalty", "Changes", "First change",
			"Last change", "Mitigation");
	for (size_t i = 0; i < l.n; i++) {
		const struct fe_flap_entry *e = l.e[i];

		fmt_time(e->first, first, sizeof(first));
		fmt_time(e->updated, last, sizeof(last));
		vty_out(vty, "%-40s %-8s %7.0f %7u %-20s %-20s %s\n",
			fe_prefix_str(&e->prefix, buf, sizeof(buf)),
			e->flapping ? "flapping" : "stable",
			fe_flap_penalty(t, e, now), e->changes, first, last,
			flap_mitigation(e));
	}
	XFREE(MTYPE_TMP, l.e);
	return CMD_SUCCESS;
}

/* ---- show ebpf hijacks -------------------------------------------- */

static const char *alert_mitigation(const struct fe_hijack_protect *pr,
				    const struct fe_hijack_alert *a)
{
	const char *st;

	if (a->kind != FE_HIJACK_MORE_SPECIFIC || !pr->mitigate)
		return "none";
	st = ebpf_internal_state(EBPF_INTERNAL_HIJACK, &a->prefix);
	return st ? st : "none";
}

static const char *protect_state(const struct fe_hijack_protect *pr)
{
	if (pr->nalerts)
		return "alert";
	if (!pr->present)
		return pr->seen ? "withdrawn" : "notInRib";
	return "ok";
}

static json_object *alert_json(const struct fe_hijack_protect *pr,
			       const struct fe_hijack_alert *a)
{
	json_object *ja = json_object_new_object();
	char buf[64];

	json_object_string_add(ja, "kind", fe_hijack_kind_str(a->kind));
	json_object_string_add(ja, "prefix",
			       fe_prefix_str(&a->prefix, buf, sizeof(buf)));
	if (a->origin_known)
		json_object_int_add(ja, "originAs", a->origin);
	if (a->prev_origin_known)
		json_object_int_add(ja, "previousOriginAs", a->prev_origin);
	if (a->kind == FE_HIJACK_MORE_SPECIFIC)
		json_object_boolean_add(ja, "beyondMaxLength",
					a->beyond_max_length);
	fmt_time(a->since, buf, sizeof(buf));
	json_object_string_add(ja, "since", buf);
	json_object_string_add(ja, "mitigation", alert_mitigation(pr, a));
	if (a->kind == FE_HIJACK_MORE_SPECIFIC && pr->mitigate)
		json_object_int_add(ja, "mitigationNexthopGroup",
				    ebpf_internal_nhg(EBPF_INTERNAL_HIJACK,
						      &a->prefix));
	return ja;
}

static void hijacks_json(struct vty *vty, const struct fe_hijack_set *s)
{
	json_object *json = json_object_new_object();
	json_object *jps = json_object_new_array();
	uint64_t with, without;
	char buf[64];

	json_object_string_add(json, "asPathInfo",
			       ebpf_detect_aspath_state(&with, &without));
	json_object_int_add(json, "bgpRoutesWithAsPath", with);
	json_object_int_add(json, "bgpRoutesWithoutAsPath", without);
	for (size_t i = 0; i < fe_hijack_count(s); i++) {
		const struct fe_hijack_protect *pr = fe_hijack_at(s, i);
		json_object *jp = json_object_new_object();
		json_object *jo = json_object_new_array();
		json_object *ja = json_object_new_array();

		json_object_string_add(jp, "prefix",
				       fe_prefix_str(&pr->prefix, buf,
						     sizeof(buf)));
		for (unsigned int k = 0; k < pr->norigins; k++)
			json_object_array_add(jo, json_object_new_int64(
							  pr->origins[k]));
		json_object_object_add(jp, "expectedOrigins", jo);
		json_object_int_add(jp, "maxLength", pr->max_len);
		json_object_boolean_add(jp, "mitigate", pr->mitigate);
		json_object_string_add(jp, "state", protect_state(pr));
		json_object_boolean_add(jp, "inRib", pr->present);
		json_object_boolean_add(jp, "originKnown",
					pr->present && pr->origin_known);
		if (pr->present && pr->origin_known)
			json_object_int_add(jp, "currentOrigin", pr->origin);
		for (size_t k = 0; k < pr->nalerts; k++)
			json_object_array_add(ja, alert_json(pr, &pr->alerts[k]));
		json_object_object_add(jp, "alerts", ja);
		json_object_int_add(jp, "alertsUntracked", pr->alerts_untracked);
		json_object_array_add(jps, jp);
	}
	json_object_object_add(json, "protections", jps);
	vty_json(vty, json);
}

DEFUN (show_ebpf_hijacks,
       show_ebpf_hijacks_cmd,
       "show ebpf hijacks [json]",
       SHOW_STR EBPF_STR
       "Protected prefixes: state, current and expected origins, alerts\n"
       JSON_STR)
{
	const struct fe_hijack_set *s = ebpf_detect_hijacks();
	uint64_t with, without;
	char buf[64], since[32];
	const char *asp;

	if (argc > 3) {
		hijacks_json(vty, s);
		return CMD_SUCCESS;
	}
	asp = ebpf_detect_aspath_state(&with, &without);
	vty_out(vty, "AS path info from bgpd: %s (%" PRIu64 " BGP routes with, %" PRIu64 " without)%s\n",
		asp, with, without,
		strcmp(asp, "received") ? "; origin checks are skipped without it (bgp send-extra-data zebra)"
					: "");
	for (size_t i = 0; i < fe_hijack_count(s); i++) {
		const struct fe_hijack_protect *pr = fe_hijack_at(s, i);

		vty_out(vty, "%s: %s, origin-as", fe_prefix_str(&pr->prefix, buf, sizeof(buf)),
			protect_state(pr));
		for (unsigned int k = 0; k < pr->norigins; k++)
			vty_out(vty, " %u", pr->origins[k]);
		vty_out(vty, ", max-length %u%s, current origin ", pr->max_len,
			pr->mitigate ? ", mitigate" : "");
		if (pr->present && pr->origin_known)
			vty_out(vty, "AS%u\n", pr->origin);
		else
			vty_out(vty, "%s\n", pr->present ? "unknown" : "-");
		for (size_t k = 0; k < pr->nalerts; k++) {
			const struct fe_hijack_alert *a = &pr->alerts[k];

			fmt_time(a->since, since, sizeof(since));
			vty_out(vty, "  %-12s %-40s origin %s%u since %s, mitigation %s\n",
				fe_hijack_kind_str(a->kind),
				fe_prefix_str(&a->prefix, buf, sizeof(buf)),
				a->origin_known ? "AS" : "unknown ",
				a->origin_known ? a->origin : 0, since,
				alert_mitigation(pr, a));
		}
	}
	return CMD_SUCCESS;
}

int ebpf_detect_config_write(struct vty *vty)
{
	const struct fe_flap_table *t = ebpf_detect_flaps();
	const struct fe_hijack_set *s = ebpf_detect_hijacks();
	int lines = 0;
	char buf[64];

	if (t) {
		const struct fe_flap_config *c = fe_flap_get_config(t);

		vty_out(vty, "ebpf flap-detection");
		if (c->half_life != FE_FLAP_DEFAULT_HALF_LIFE)
			vty_out(vty, " half-life %u", c->half_life);
		if (c->suppress != FE_FLAP_DEFAULT_SUPPRESS)
			vty_out(vty, " suppress-threshold %u", c->suppress);
		if (c->reuse != FE_FLAP_DEFAULT_REUSE)
			vty_out(vty, " reuse-threshold %u", c->reuse);
		if (c->max_penalty != FE_FLAP_DEFAULT_MAX_PENALTY)
			vty_out(vty, " max-penalty %u", c->max_penalty);
		vty_out(vty, "\n");
		lines++;
		if (ebpf_detect_flap_kernel_on()) {
			vty_out(vty, "ebpf flap-detection action kernel\n");
			lines++;
		}
	}
	for (size_t i = 0; s && i < fe_hijack_count(s); i++) {
		const struct fe_hijack_protect *pr = fe_hijack_at(s, i);

		vty_out(vty, "ebpf hijack protect %s origin-as",
			fe_prefix_str(&pr->prefix, buf, sizeof(buf)));
		for (unsigned int k = 0; k < pr->norigins; k++)
			vty_out(vty, " %u", pr->origins[k]);
		if (pr->max_len != pr->prefix.len)
			vty_out(vty, " max-length %u", pr->max_len);
		vty_out(vty, "%s\n", pr->mitigate ? " mitigate" : "");
		lines++;
	}
	return lines;
}

void ebpf_detect_vty_init(void)
{
	install_element(CONFIG_NODE, &ebpf_flap_detection_cmd);
	install_element(CONFIG_NODE, &no_ebpf_flap_detection_cmd);
	install_element(CONFIG_NODE, &ebpf_flap_action_cmd);
	install_element(CONFIG_NODE, &ebpf_hijack_protect_cmd);
	install_element(CONFIG_NODE, &no_ebpf_hijack_protect_cmd);
	install_element(CONFIG_NODE, &no_ebpf_hijack_protect_full_cmd);
	install_element(ENABLE_NODE, &clear_ebpf_hijack_cmd);
	install_element(VIEW_NODE, &show_ebpf_flaps_cmd);
	install_element(VIEW_NODE, &show_ebpf_hijacks_cmd);
}
