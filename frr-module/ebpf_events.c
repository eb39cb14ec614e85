// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Datapath events: read from the fast path's ring buffer once a second
 * (the programs submit without waking us: a wakeup per event would cost
 * the packet path a microsecond), logged with an error code, counted and
 * kept in a bounded history for `show ebpf events [json]`.
 */
#include "lib/zebra.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/command.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/thread.h"
#include "lib/vty.h"

#include "ebpf_debug.h"
#include "ebpf_errors.h"
#include "ebpf_events.h"
#include "ebpf_fastpath.h"
#include "ebpf_kstate.h"
#include "ebpf_vty.h"
#include "fe_fwd.skel.h"

#define EVENTS_HISTORY_DEFAULT 1000

struct ebpf_event {
	time_t when;  /* wall clock */
	uint32_t type;
	uint32_t ifindex;
	uint32_t nhg_id;
	char dst[INET6_ADDRSTRLEN];
	char gw[INET6_ADDRSTRLEN];
};

static struct {
	struct ring_buffer *rb;
	struct thread *poll;
	struct ebpf_event *hist; /* ring of size entries, newest at head-1 */
	unsigned int size, head, n;
	uint64_t total;
} ev = { .size = EVENTS_HISTORY_DEFAULT };

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

static const char *type_str(uint32_t type)
{
	return type == FE_EV_MIRROR_MISMATCH ? "mirrorMismatch" : "unknown";
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct fe_dp_event *e = data;
	struct ebpf_event *h;
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
	if (!ev.hist)
		history_resize(ev.size);
	if (!ev.hist)
		return 0;
	h = &ev.hist[ev.head];
	ev.head = (ev.head + 1) % ev.size;
	if (ev.n < ev.size)
		ev.n++;
	ev.total++;
	memset(h, 0, sizeof(*h));
	h->when = time(NULL);
	h->type = e->type;
	h->ifindex = e->ifindex;
	h->nhg_id = e->nhg_id;
	af = e->family == AF_INET6 ? AF_INET6 : AF_INET;
	inet_ntop(af, e->dst, h->dst, sizeof(h->dst));
	inet_ntop(af, e->gw, h->gw, sizeof(h->gw));
	flog_warn(EC_EBPF_DATAPATH_EVENT,
		  "ebpf: mirror and kernel FIB disagree for %s: the kernel forwards via %s (ifindex %u), the mirror's group %u has no such path; the fast path follows the kernel",
		  h->dst, h->gw, h->ifindex, h->nhg_id);
	return 0;
}

static void events_poll(struct thread *t)
{
	if (ev.rb)
		ring_buffer__consume(ev.rb);
	thread_add_timer(t->master, events_poll, NULL, 1, &ev.poll);
}

void ebpf_events_attach(struct thread_master *tm)
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
	thread_add_timer(tm, events_poll, NULL, 1, &ev.poll);
}

void ebpf_events_close(void)
{
	THREAD_OFF(ev.poll);
	ring_buffer__free(ev.rb);
	ev.rb = NULL;
	free(ev.hist);
	ev.hist = NULL;
	ev.n = ev.head = 0;
}

DEFUN (show_ebpf_events,
       show_ebpf_events_cmd,
       "show ebpf events [json]",
       SHOW_STR
       "eBPF fast path and RIB mirror\n"
       "Events the datapath raised, newest first\n"
       JSON_STR)
{
	bool uj = argc > 3;
	json_object *json = NULL, *ja = NULL;
	char when[32];

	if (ev.rb)
		ring_buffer__consume(ev.rb);
	if (uj) {
		json = json_object_new_object();
		ja = json_object_new_array();
		json_object_int_add(json, "total", ev.total);
		json_object_object_add(json, "events", ja);
		json_object_int_add(json, "historySize", ev.size);
	} else {
		vty_out(vty, "%" PRIu64 " events, %u kept (history %u)\n",
			ev.total, ev.n, ev.size);
	}
	for (unsigned int i = 0; i < ev.n; i++) {
		const struct ebpf_event *h =
			&ev.hist[(ev.head + ev.size - 1 - i) % ev.size];
		struct tm tm;

		gmtime_r(&h->when, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		if (!uj) {
			vty_out(vty, "%s %s %s: kernel via %s (ifindex %u), mirror group %u\n",
				when, type_str(h->type), h->dst, h->gw,
				h->ifindex, h->nhg_id);
			continue;
		}
		json_object *je = json_object_new_object();

		json_object_string_add(je, "time", when);
		json_object_string_add(je, "kind", type_str(h->type));
		json_object_string_add(je, "destination", h->dst);
		json_object_string_add(je, "kernelGateway", h->gw);
		json_object_int_add(je, "kernelIfindex", h->ifindex);
		json_object_int_add(je, "mirrorNexthopGroup", h->nhg_id);
		json_object_array_add(ja, je);
	}
	if (uj)
		vty_json(vty, json);
	return CMD_SUCCESS;
}

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
       "Datapath events\n"
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
	install_element(ENABLE_NODE, &clear_ebpf_events_cmd);
}
