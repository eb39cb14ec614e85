// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fast local repair: watch link state on our own netlink socket, so a
 * link that loses carrier or goes admin down is taken out of every
 * nexthop group of the fast path at once, before zebra and the routing
 * protocols reconverge (they rewrite the groups afterwards, as usual).
 *
 * Zebra 8.4 has no hook for link state a module could use; a second
 * netlink listener on RTNLGRP_LINK costs nothing and sees the same events.
 */
#include "lib/zebra.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "lib/log.h"

#include "frr_compat.h"
#include "ebpf_debug.h"
#include "ebpf_errors.h"
#include "ebpf_mirror.h"
#include "ebpf_repair.h"

#define LINK_STATES_MAX 4096

static int nl_fd = -1;
static struct fe_task *nl_thread;

/* Last state seen per ifindex (1 up, 2 down); act on transitions only. */
static uint8_t link_state[LINK_STATES_MAX];

static void link_event(uint32_t ifindex, bool up)
{
	int written;
	uint8_t now = up ? 1 : 2;

	if (ifindex >= LINK_STATES_MAX || link_state[ifindex] == now)
		return;
	/* The first event of an interface only records its state. */
	if (link_state[ifindex] == 0 && up) {
		link_state[ifindex] = now;
		return;
	}
	link_state[ifindex] = now;
	written = ebpf_mirror_link_state(ifindex, up);
	zlog_info("ebpf: local repair: ifindex %u %s, %d nexthop group%s rewritten",
		  ifindex, up ? "up" : "down", written, written == 1 ? "" : "s");
}

static void nl_read(struct fe_task *t)
{
	char buf[16384];
	ssize_t len;

	event_add_read(t->master, nl_read, NULL, nl_fd, &nl_thread);
	while ((len = recv(nl_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *nh;

		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct ifinfomsg *ifi = NLMSG_DATA(nh);
			bool up;

			if (nh->nlmsg_type != RTM_NEWLINK &&
			    nh->nlmsg_type != RTM_DELLINK)
				continue;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
				continue;
			up = nh->nlmsg_type == RTM_NEWLINK &&
			     (ifi->ifi_flags & IFF_UP) &&
			     (ifi->ifi_flags & IFF_RUNNING);
			link_event(ifi->ifi_index, up);
		}
	}
}

int ebpf_repair_start(struct fe_loop *tm)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK,
	};

	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_ROUTE);
	if (nl_fd < 0 || bind(nl_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		flog_err(EC_EBPF_FASTPATH,
			 "ebpf: no link-state socket (%s): no fast local repair; zebra's own updates still apply",
			 safe_strerror(errno));
		if (nl_fd >= 0)
			close(nl_fd);
		nl_fd = -1;
		return -1;
	}
	event_add_read(tm, nl_read, NULL, nl_fd, &nl_thread);
	return 0;
}

void ebpf_repair_stop(void)
{
	EVENT_OFF(nl_thread);
	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = -1;
}
