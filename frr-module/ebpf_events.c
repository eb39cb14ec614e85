// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Events of the datapath, flap detection and hijack detection, one type.
 * Datapath events are read from the fast path's ring buffer once a second
 * (the programs submit without waking us: a wakeup per event would cost
 * the packet path a microsecond). Every event is logged with an error
 * code, counted per kind and kept in a bounded history for
 * `show ebpf events [json] [kind ...]`.
 */
#include "lib/zebra.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/vty.h"
#include "lib/if.h"
#include "lib/vrf.h"

#include "frr_compat.h"
#include "ebpf_debug.h"
#include "ebpf_errors.h"
#include "ebpf_events.h"
#include "ebpf_fastpath.h"
#include "ebpf_kstate.h"
#include "ebpf_vty.h"
#include "fe_fwd.skel.h"

#define EVENTS_HISTORY_DEFAULT 1000

static struct {
	struct ring_buffer *rb;
	struct fe_task *poll;
	struct ebpf_event *hist; /* ring of size entries, newest at head-1 */
	unsigned int size, head, n;
	uint64_t total;
	uint64_t by_kind[EBPF_EV_KIND_COUNT];
} ev = { .size = EVENTS_HISTORY_DEFAULT };

static const struct {
	const char *name;
	enum ebpf_event_severity sev;
	uint32_t ec;
} kinds[EBPF_EV_KIND_COUNT] = {
	[EBPF_EV_MIRROR_MISMATCH] = { "mirrorMismatch", EBPF_SEV_WARNING,
				      EC_EBPF_DATAPATH_EVENT },
	[EBPF_EV_FLAPPING] = { "flapping", EBPF_SEV_WARNING, EC_EBPF_FLAP },
	[EBPF_EV_STABLE] = { "stable", EBPF_SEV_INFORMATIONAL, EC_EBPF_FLAP },
	[EBPF_EV_HIJACK_ORIGIN] = { "hijackOrigin", EBPF_SEV_CRITICAL,
				    EC_EBPF_HIJACK },
	[EBPF_EV_HIJACK_MORE_SPECIFIC] = { "hijackMoreSpecific",
					   EBPF_SEV_CRITICAL, EC_EBPF_HIJACK },
	[EBPF_EV_HIJACK_WITHDRAWN] = { "hijackWithdrawn", EBPF_SEV_WARNING,
				       EC_EBPF_HIJACK },
	[EBPF_EV_HIJACK_MOAS] = { "hijackMoas", EBPF_SEV_WARNING,
				  EC_EBPF_HIJACK },
	[EBPF_EV_HIJACK_CLEARED] = { "hijackCleared", EBPF_SEV_INFORMATIONAL,
				     EC_EBPF_HIJACK },
};

const char *ebpf_event_kind_str(enum ebpf_event_kind k)
{
	return k < EBPF_EV_KIND_COUNT ? kinds[k].name : "unknown";
}

int ebpf_event_kind_parse(const char *word)
{
	for (int k = 0; k < EBPF_EV_KIND_COUNT; k++)
		if (strcmp(word, kinds[k].name) == 0)
			return k;
	return -1;
}

enum ebpf_event_severity ebpf_event_severity(enum ebpf_event_kind k)
{
	return k < EBPF_EV_KIND_COUNT ? kinds[k].sev : EBPF_SEV_WARNING;
}

const char *ebpf_event_severity_str(enum ebpf_event_severity s)
{
	return s == EBPF_SEV_CRITICAL  ? "critical"
	       : s == EBPF_SEV_WARNING ? "warning"
				       : "informational";
}

uint64_t ebpf_event_count(enum ebpf_event_kind k)
{
	return k < EBPF_EV_KIND_COUNT ? ev.by_kind[k] : 0;
}

/* Resize the history; the newest events are kept. */
static void history_resize(unsigned int size)
{
	struct ebpf_event *h = calloc(size, sizeof(*h));
	unsigned int keep, i;

	if (!h)
		return;
	keep = MIN(ev.n, size);
	for (i = 0; i < keep; i++)
		h[keep - 1 - i] =
			ev.hist[(ev.head + ev.size - 1 - i) % ev.size];
	free(ev.hist);
	ev.hist = h;
	ev.size = size;
	ev.n = keep;
	ev.head = keep % size;
}

void ebpf_event_raise(struct ebpf_event *e)
{
	e->when = time(NULL);
	if (e->kind < EBPF_EV_KIND_COUNT)
		ev.by_kind[e->kind]++;
	ev.total++;
	/* Every event is a warning an operator may act on, with its code
	 * (a constant per call site: FRR's log xrefs are static).
	 */
	switch (kinds[e->kind].ec) {
	case EC_EBPF_FLAP:
		flog_warn(EC_EBPF_FLAP, "ebpf: %s", e->detail);
		break;
	case EC_EBPF_HIJACK:
		flog_warn(EC_EBPF_HIJACK, "ebpf: %s", e->detail);
		break;
	default:
		flog_warn(EC_EBPF_DATAPATH_EVENT, "ebpf: %s", e->detail);
		break;
	}
	if (!ev.hist)
		history_resize(ev.size);
	if (!ev.hist)
		return;
	ev.hist[ev.head] = *e;
	ev.head = (ev.head + 1) % ev.size;
	if (ev.n < ev.size)
		ev.n++;
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct fe_dp_event *e = data;
	struct ebpf_event h = { .kind = EBPF_EV_MIRROR_MISMATCH };
	int af;

	if (len < sizeof(*e))
		return 0;
	if (e->type == FE_EV_NEIGH_MISSING) {
		if (IS_EBPF_DEBUG(EVENTS)) {
			char gw[INET6_ADDRSTRLEN];

			inet_ntop(e->family == AF_INET6 ? AF_INET6 : AF_INET,
				  e->gw, gw, sizeof(gw));
			zlog_debug("ebpf: resolving neighbour %s on ifindex %u for the fast path",
				   gw, e->ifindex);
		}
		ebpf_kstate_resolve(e->ifindex, e->family, e->gw);
		return 0;
	}
	if (e->type != FE_EV_MIRROR_MISMATCH)
		return 0;
	h.ifindex = e->ifindex;
	h.nhg_id = e->nhg_id;
	af = e->family == AF_INET6 ? AF_INET6 : AF_INET;
	inet_ntop(af, e->dst, h.prefix, sizeof(h.prefix));
	inet_ntop(af, e->gw, h.gw, sizeof(h.gw));
	snprintf(h.detail, sizeof(h.detail),
		 "mirror and kernel FIB disagree for %s: the kernel forwards via %s (ifindex %u), the mirror's group %u has no such path; the fast path follows the kernel",
		 h.prefix, h.gw, h.ifindex, h.nhg_id);
	ebpf_event_raise(&h);
	return 0;
}

static void events_poll(struct fe_task *t)
{
	if (ev.rb)
		ring_buffer__consume(ev.rb);
	event_add_timer(t->master, events_poll, NULL, 1, &ev.poll);
}

void ebpf_events_attach(struct fe_loop *tm)
{
	struct fe_fwd *skel = ebpf_fastpath_skel();

	if (ev.rb || !skel)
		return;
	ev.rb = ring_buffer__new(bpf_map__fd(skel->maps.fe_events_v1),
				 on_event, NULL, NULL);
	if (!ev.rb) {
		flog_err(EC_EBPF_FASTPATH,
			 "ebpf: cannot read the datapath event ring: %s",
			 safe_strerror(errno));
		return;
	}
	event_add_timer(tm, events_poll, NULL, 1, &ev.poll);
}

void ebpf_events_close(void)
{
	EVENT_OFF(ev.poll);
	ring_buffer__free(ev.rb);
	ev.rb = NULL;
	/* The history stays: detection events do not depend on it. */
}

static void nh_text(const struct ebpf_ev_route *r, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	if (!r->present) {
		snprintf(buf, len, "none");
		return;
	}
	for (unsigned int i = 0; i < r->nnh && off < len; i++) {
		char a[INET6_ADDRSTRLEN] = "";

		if (r->nh[i].family)
			inet_ntop(r->nh[i].family, r->nh[i].addr, a, sizeof(a));
		off += snprintf(buf + off, len - off, "%s%s%s%s", i ? ", " : "",
				a, a[0] && r->nh[i].ifindex ? " " : "",
				r->nh[i].ifindex ? ifindex2ifname(r->nh[i].ifindex,
								  VRF_DEFAULT)
						 : "");
	}
	if (r->nnh_total > r->nnh && off < len)
		snprintf(buf + off, len - off, " (+%u)", r->nnh_total - r->nnh);
}

static json_object *nh_json(const struct ebpf_ev_route *r)
{
	json_object *ja = json_object_new_array();

	for (unsigned int i = 0; r->present && i < r->nnh; i++) {
		json_object *jn = json_object_new_object();
		char a[INET6_ADDRSTRLEN];

		if (r->nh[i].family) {
			inet_ntop(r->nh[i].family, r->nh[i].addr, a, sizeof(a));
			json_object_string_add(jn, "gateway", a);
		}
		if (r->nh[i].ifindex)
			json_object_string_add(jn, "interface",
					       ifindex2ifname(r->nh[i].ifindex,
							      VRF_DEFAULT));
		json_object_array_add(ja, jn);
	}
	return ja;
}

static json_object *event_json(const struct ebpf_event *h, const char *when)
{
	json_object *je = json_object_new_object();
	const struct ebpf_ev_route *r = h->new.present ? &h->new : &h->old;

	json_object_string_add(je, "time", when);
	json_object_int_add(je, "epoch", h->when);
	json_object_string_add(je, "kind", ebpf_event_kind_str(h->kind));
	json_object_string_add(je, "severity",
			       ebpf_event_severity_str(
				       ebpf_event_severity(h->kind)));
	json_object_string_add(je, "prefix", h->prefix);
	json_object_string_add(je, "detail", h->detail);
	if (h->kind == EBPF_EV_MIRROR_MISMATCH) {
		json_object_string_add(je, "destination", h->prefix);
		json_object_string_add(je, "kernelGateway", h->gw);
		json_object_int_add(je, "kernelIfindex", h->ifindex);
		json_object_int_add(je, "mirrorNexthopGroup", h->nhg_id);
		return je;
	}
	if (r->present)
		json_object_string_add(je, "protocol",
				       zebra_route_string(r->protocol));
	json_object_object_add(je, "oldNexthops", nh_json(&h->old));
	json_object_object_add(je, "newNexthops", nh_json(&h->new));
	if (h->old.origin_known)
		json_object_int_add(je, "oldOriginAs", h->old.origin);
	if (h->new.origin_known)
		json_object_int_add(je, "newOriginAs", h->new.origin);
	return je;
}

static void event_text(struct vty *vty, const struct ebpf_event *h,
		       const char *when)
{
	char o[256], n[256];

	if (h->kind == EBPF_EV_MIRROR_MISMATCH) {
		vty_out(vty, "%s %s %s: kernel via %s (ifindex %u), mirror group %u\n",
			when, ebpf_event_kind_str(h->kind), h->prefix, h->gw,
			h->ifindex, h->nhg_id);
		return;
	}
	nh_text(&h->old, o, sizeof(o));
	nh_text(&h->new, n, sizeof(n));
	vty_out(vty, "%s %s %s %s: %s\n", when,
		ebpf_event_severity_str(ebpf_event_severity(h->kind)),
		ebpf_event_kind_str(h->kind), h->prefix, h->detail);
	vty_out(vty, "    nexthops: %s -> %s\n", o, n);
}

DEFUN (show_ebpf_events,
       show_ebpf_events_cmd,
       "show ebpf events [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "Events (datapath, flap and hijack detection), newest first\n"
       JSON_STR)
{
	bool want[EBPF_EV_KIND_COUNT], filter = false, uj = false;
	json_object *json = NULL, *ja = NULL;
	char when[32];
	int idx = 0;

	for (int k = 0; k < EBPF_EV_KIND_COUNT; k++)
		want[k] = true;
	if (argv_find(argv, argc, "json", &idx))
		uj = true;
	idx = 0;
	if (argv_find(argv, argc, "kind", &idx)) {
		memset(want, 0, sizeof(want));
		filter = true;
		for (int i = idx + 1; i < argc; i++) {
			int k = ebpf_event_kind_parse(argv[i]->arg);

			/* `json` may also come last, after the kinds. */
			if (strcmp(argv[i]->arg, "json") == 0) {
				uj = true;
				continue;
			}
			if (k < 0) {
				vty_out(vty, "%% unknown event kind %s; kinds:",
					argv[i]->arg);
				for (k = 0; k < EBPF_EV_KIND_COUNT; k++)
					vty_out(vty, " %s",
						ebpf_event_kind_str(k));
				vty_out(vty, "\n");
				return CMD_WARNING;
			}
			want[k] = true;
		}
	}
	if (ev.rb)
		ring_buffer__consume(ev.rb);
	if (uj) {
		json_object *jc = json_object_new_object();

		json = json_object_new_object();
		ja = json_object_new_array();
		json_object_int_add(json, "total", ev.total);
		json_object_object_add(json, "events", ja);
		json_object_int_add(json, "historySize", ev.size);
		json_object_int_add(json, "kept", ev.n);
		for (int k = 0; k < EBPF_EV_KIND_COUNT; k++)
			json_object_int_add(jc, ebpf_event_kind_str(k),
					    ev.by_kind[k]);
		json_object_object_add(json, "counts", jc);
	} else {
		vty_out(vty, "%" PRIu64 " events, %u kept (history %u)%s\n",
			ev.total, ev.n, ev.size, filter ? ", filtered" : "");
	}
	for (unsigned int i = 0; i < ev.n; i++) {
		const struct ebpf_event *h =
			&ev.hist[(ev.head + ev.size - 1 - i) % ev.size];
		struct tm tm;

		if (h->kind >= EBPF_EV_KIND_COUNT || !want[h->kind])
			continue;
		gmtime_r(&h->when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (uj)
			json_object_array_add(ja, event_json(h, when));
		else
			event_text(vty, h, when);
	}
	if (uj)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

/* A variadic token must end a command: the filter is its own form. */
ALIAS (show_ebpf_events,
       show_ebpf_events_kind_cmd,
       "show ebpf events [json] kind KIND...",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "Events (datapath, flap and hijack detection), newest first\n"
       JSON_STR
       "Only events of these kinds\n"
       "flapping|stable|hijackOrigin|hijackMoreSpecific|hijackWithdrawn|hijackMoas|hijackCleared|mirrorMismatch\n")

DEFUN (clear_ebpf_events,
       clear_ebpf_events_cmd,
       "clear ebpf events",
       CLEAR_STR
       "eBPF fast path and RIB mirror\n"
       "Forget the event history\n")
{
	if (ev.rb)
		ring_buffer__consume(ev.rb);
	ev.n = ev.head = 0;
	return CMD_SUCCESS;
}

DEFUN (ebpf_events_history,
       ebpf_events_history_cmd,
       "ebpf events history (1-100000)",
       "eBPF fast path and RIB mirror\n"
       "Events\n"
       "How many events show ebpf events keeps (default 1000)\n"
       "Events\n")
{
	history_resize(strtoul(argv[3]->arg, NULL, 10));
	return CMD_SUCCESS;
}

DEFUN (no_ebpf_events_history,
       no_ebpf_events_history_cmd,
       "no ebpf events history [(1-100000)]",
       NO_STR
       "eBPF fast path and RIB mirror\n"
       "Datapath events\n"
       "How many events show ebpf events keeps\n"
       "Events\n")
{
	history_resize(EVENTS_HISTORY_DEFAULT);
	return CMD_SUCCESS;
}

int ebpf_events_config_write(struct vty *vty)
{
	if (ev.size == EVENTS_HISTORY_DEFAULT)
		return 0;
	vty_out(vty, "ebpf events history %u\n", ev.size);
	return 1;
}

void ebpf_events_vty_init(void)
{
	install_element(CONFIG_NODE, &ebpf_events_history_cmd);
	install_element(CONFIG_NODE, &no_ebpf_events_history_cmd);
	install_element(VIEW_NODE, &show_ebpf_events_cmd);
	install_element(VIEW_NODE, &show_ebpf_events_kind_cmd);
	install_element(ENABLE_NODE, &clear_ebpf_events_cmd);
}
