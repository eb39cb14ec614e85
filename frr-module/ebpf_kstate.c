// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel state the direct IPv4 path needs besides the routes, so it can
 * forward without bpf_fib_lookup yet decide as the kernel would:
 *  - neighbours (IPv4, and IPv6 link-local ones, which bpf_fib_lookup
 *    never resolves), from netlink: a dump, then every change;
 *  - per interface its MAC, MTU and ipv4 forwarding flag;
 *  - the router's own IPv4 addresses and its subnets' broadcast and
 *    network addresses (never forwarded);
 *  - whether policy routing is in use: any IPv4 rule besides the kernel's
 *    three defaults (or a VRF's) means the kernel may choose another table,
 *    and the direct path is switched off (the kernel FIB decides again).
 * Main thread. Neighbour and rule changes are read as they happen; the
 * rest is refreshed every few seconds and whenever the fast path loads.
 */
#include "lib/zebra.h"

#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/fib_rules.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/if.h"
#include "lib/log.h"
#include "lib/memory.h"
#include "lib/prefix.h"
#include "lib/privs.h"
#include "lib/vrf.h"
#include "zebra/interface.h"

#include "frr_compat.h"
#include "ebpf_fastpath.h"
#include "ebpf_kstate.h"
#include "ebpf_maputil.h"
#include "ebpf_policy.h"
#include "fe_fwd.skel.h"
#include "fe_policy.h"

extern struct zebra_privs_t zserv_privs;

static struct {
	int nl_fd;
	struct fe_task *nl_thread;
	bool rules_default;
	char reason[128];
} ks = { .nl_fd = -1 };

#define NUD_USABLE                                                             \
	(NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT |   \
	 NUD_NOARP)

/* The fast path's maps this file keeps. */
enum kmap { KMAP_NEIGH, KMAP_LOCAL4, KMAP_IFINFO, KMAP_LOCALMASK };

static int map_fd(enum kmap which)
{
	struct fe_fwd *skel = ebpf_fastpath_skel();

	if (!skel)
		return -1;
	switch (which) {
	case KMAP_NEIGH:
		return bpf_map__fd(skel->maps.fe_neigh_v1);
	case KMAP_LOCAL4:
		return bpf_map__fd(skel->maps.fe_local4_v1);
	case KMAP_LOCALMASK:
		return bpf_map__fd(skel->maps.fe_localmask_v2);
	case KMAP_IFINFO:
		break;
	}
	return bpf_map__fd(skel->maps.fe_ifinfo_v3);
}

/* One RTM_NEWNEIGH/RTM_DELNEIGH into the cache. */
static void neigh_msg(struct nlmsghdr *nh)
{
	struct ndmsg *nd = NLMSG_DATA(nh);
	struct fe_neigh_key k = {};
	struct fe_neigh_val v = {};
	struct rtattr *rta;
	int len, fd = map_fd(KMAP_NEIGH);
	bool have_dst = false, have_mac = false;
	size_t alen;

	if (fd < 0 || nh->nlmsg_len < NLMSG_LENGTH(sizeof(*nd)) ||
	    (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return;
	alen = nd->ndm_family == AF_INET ? 4 : 16;
	len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	for (rta = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd)));
	     RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen) {
			memcpy(k.addr, RTA_DATA(rta), alen);
			have_dst = true;
		} else if (rta->rta_type == NDA_LLADDR &&
			   RTA_PAYLOAD(rta) == ETH_ALEN) {
			memcpy(v.mac, RTA_DATA(rta), ETH_ALEN);
			have_mac = true;
		}
	}
	/* of IPv6, only link-local gateways need the cache */
	if (!have_dst || (alen == 16 && !(k.addr[0] == 0xfe &&
					  (k.addr[1] & 0xc0) == 0x80)))
		return;
	k.ifindex = nd->ndm_ifindex;
	k.family = nd->ndm_family;
	if (nh->nlmsg_type == RTM_NEWNEIGH && have_mac &&
	    (nd->ndm_state & NUD_USABLE))
		bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	else
		bpf_map_delete_elem(fd, &k); /* failed, incomplete, gone */
}

static void nl_drain(void)
{
	char buf[32768];
	bool rules_changed = false;
	ssize_t len;

	while ((len = recv(ks.nl_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *nh;

		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len))
			if (nh->nlmsg_type == RTM_NEWNEIGH ||
			    nh->nlmsg_type == RTM_DELNEIGH)
				neigh_msg(nh);
			else if (nh->nlmsg_type == RTM_NEWRULE ||
				 nh->nlmsg_type == RTM_DELRULE)
				rules_changed = true;
	}
	/* A rule came or went: re-decide now, not at the next refresh. */
	if (rules_changed) {
		const char *why;
		bool before = ebpf_kstate_direct_ok(&why);

		ebpf_kstate_sync();
		if (ebpf_kstate_direct_ok(&why) != before)
			ebpf_policy_sync();
	}
}

static void nl_read(struct fe_task *t)
{
	event_add_read(t->master, nl_read, NULL, ks.nl_fd, &ks.nl_thread);
	nl_drain();
}

/* Ask for every neighbour; the replies arrive on the same socket. */
static void neigh_dump(void)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ndmsg)),
			.nlmsg_type = RTM_GETNEIGH,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.nd = { .ndm_family = AF_UNSPEC },
	};

	if (ks.nl_fd >= 0)
		send(ks.nl_fd, &req, req.nh.nlmsg_len, 0);
}

/*
 * Only the kernel's three default IPv4 rules (local, main, default)?
 * A blocking dump on a socket of its own: a few messages, at most every
 * few seconds.
 */
static bool rules_are_default(char *why, size_t size)
{
	struct {
		struct nlmsghdr nh;
		struct fib_rule_hdr fr;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct fib_rule_hdr)),
			.nlmsg_type = RTM_GETRULE,
			.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.fr = { .family = AF_INET },
	};
	char buf[16384];
	int fd, rules = 0, others = 0;
	bool done = false;
	ssize_t len;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0 || send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		snprintf(why, size, "cannot read the policy-routing rules");
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!done && (len = recv(fd, buf, sizeof(buf), 0)) > 0) {
		struct nlmsghdr *nh;

		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct fib_rule_hdr *fr = NLMSG_DATA(nh);

			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (nh->nlmsg_type != RTM_NEWRULE)
				continue;
			rules++;
			if (fr->table != RT_TABLE_LOCAL &&
			    fr->table != RT_TABLE_MAIN &&
			    fr->table != RT_TABLE_DEFAULT)
				others++;
		}
	}
	close(fd);
	if (rules != 3 || others) {
		snprintf(why, size,
			 "policy-routing rules in use (%d IPv4 rules): the kernel FIB decides",
			 rules);
		return false;
	}
	return true;
}

/* MAC, MTU and forwarding flag of every interface of the default VRF. */
/* One interface's record: MAC, MTU, IPv4 forwarding, VLAN or not. */
static void ifinfo_fill(struct interface *ifp, struct fe_ifinfo *ii)
{
	struct zebra_if *zif = ifp->info;
	char path[128], val[8] = "";
	FILE *f;

	memset(ii, 0, sizeof(*ii));
	ii->ifindex = ifp->ifindex;
	/* not a VLAN: the direct path skips the VLAN-out lookup */
	ii->vlan = !zif || IS_ZEBRA_IF_VLAN(ifp);
	if (ifp->hw_addr_len == ETH_ALEN)
		memcpy(ii->mac, ifp->hw_addr, ETH_ALEN);
	ii->mtu = ifp->mtu;
	if (ebpf_fastpath_csum_guard(ifp->ifindex))
		ii->flags |= FE_IF_CSUM_GUARD;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding",
		 ifp->name);
	f = fopen(path, "r");
	if (f) {
		if (fgets(val, sizeof(val), f))
			ii->fwd4 = val[0] == '1';
		fclose(f);
	}
}

/*
 * Every interface into its slot of the array, the whole array rewritten
 * (one batch; an interface gone leaves an empty slot). On two
 * interfaces for one slot the lower ifindex keeps it; the other is
 * routed by the FIB path.
 */
static void ifinfo_sync(void)
{
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct fe_ifinfo *want;
	struct interface *ifp;
	uint32_t *slots, n = FE_IFINFO_SLOTS;
	int fd = map_fd(KMAP_IFINFO);

	if (fd < 0 || !vrf)
		return;
	want = XCALLOC(MTYPE_TMP, sizeof(*want) * FE_IFINFO_SLOTS);
	slots = XCALLOC(MTYPE_TMP, sizeof(*slots) * FE_IFINFO_SLOTS);
	FOR_ALL_INTERFACES (vrf, ifp) {
		uint32_t slot = (uint32_t)ifp->ifindex % FE_IFINFO_SLOTS;

		if (ifp->ifindex == IFINDEX_INTERNAL || ifp->ifindex <= 0)
			continue;
		if (want[slot].ifindex &&
		    want[slot].ifindex < (uint32_t)ifp->ifindex)
			continue;
		ifinfo_fill(ifp, &want[slot]);
	}
	for (uint32_t i = 0; i < FE_IFINFO_SLOTS; i++)
		slots[i] = i;
	if (bpf_map_update_batch(fd, slots, want, &n, NULL))
		for (uint32_t i = 0; i < FE_IFINFO_SLOTS; i++)
			bpf_map_update_elem(fd, &slots[i], &want[i], BPF_ANY);
	XFREE(MTYPE_TMP, slots);
	XFREE(MTYPE_TMP, want);
}

/* The addresses local4_sync wants, collected before any map write. */
struct local_set {
	uint32_t *a; /* network order */
	size_t n, cap;
};

static void local_want(struct local_set *w, uint32_t addr_be)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 32;
		w->a = XREALLOC(MTYPE_TMP, w->a, sizeof(*w->a) * w->cap);
	}
	w->a[w->n++] = addr_be;
}

static bool local_wanted(const struct local_set *w, uint32_t addr_be)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->a[i] == addr_be)
			return true;
	return false;
}

static void localmask_write(struct fe_localmask *lm)
{
	int fd = map_fd(KMAP_LOCALMASK);
	uint32_t zero = 0;

	if (fd < 0)
		return;
	lm->ready = 1;
	bpf_map_update_elem(fd, &zero, lm, BPF_ANY);
}

/*
 * The router's IPv4 addresses, and their subnets' broadcast/network, in
 * fe_local4_v1 and its prefilter. The prefilter covers old and new
 * addresses while the set changes, so that a local address is never
 * forwarded; then only the new ones.
 */
static void local4_sync(void)
{
	static struct fe_localmask prev, next, both;
	struct vrf *vrf = vrf_lookup_by_id(VRF_DEFAULT);
	struct local_set want = {};
	uint32_t *have;
	size_t n = 0;
	struct interface *ifp;
	struct connected *c;
	uint8_t one = 1;
	int fd = map_fd(KMAP_LOCAL4);

	if (fd < 0 || !vrf)
		return;
	FOR_ALL_INTERFACES (vrf, ifp) {
		fe_each_connected (ifp, c) {
			struct prefix *p = c->address;
			uint32_t a, mask;

			if (p->family != AF_INET)
				continue;
			a = ntohl(p->u.prefix4.s_addr);
			mask = p->prefixlen ? ~0U << (32 - p->prefixlen) : 0;
			local_want(&want, htonl(a));
			if (p->prefixlen < 31) {
				local_want(&want, htonl(a | ~mask));
				local_want(&want, htonl(a & mask));
			}
		}
	}
	memset(&next, 0, sizeof(next));
	for (size_t i = 0; i < want.n; i++)
		fe_localmask_add(&next, (const uint8_t *)&want.a[i]);
	for (size_t i = 0; i < FE_POLMASK_WORDS; i++) {
		both.m.bits[i] = prev.m.bits[i] | next.m.bits[i];
		both.lo.bits[i] = prev.lo.bits[i] | next.lo.bits[i];
	}
	localmask_write(&both);

	for (size_t i = 0; i < want.n; i++)
		bpf_map_update_elem(fd, &want.a[i], &one, BPF_ANY);
	have = ebpf_map_keys(fd, sizeof(*have), &n);
	for (size_t i = 0; i < n; i++)
		if (!local_wanted(&want, have[i]))
			bpf_map_delete_elem(fd, &have[i]);
	free(have);
	XFREE(MTYPE_TMP, want.a);

	localmask_write(&next);
	prev = next;
}

void ebpf_kstate_sync(void)
{
	bool rules;

	if (!ebpf_fastpath_skel())
		return;
	ifinfo_sync();
	local4_sync();
	rules = rules_are_default(ks.reason, sizeof(ks.reason));
	if (rules)
		ks.reason[0] = '\0';
	if (rules != ks.rules_default) {
		ks.rules_default = rules;
		zlog_info("ebpf: direct IPv4 lookup %s%s%s",
			  rules ? "possible" : "off", rules ? "" : ": ",
			  ks.reason);
	}
}

/*
 * RTM_NEWNEIGH with NTF_USE: the kernel creates the entry if needed and
 * starts resolving it (ARP/ND), as if it had a packet for it. Events are
 * already rate-limited in the datapath; the reply is not awaited.
 */
void ebpf_kstate_resolve(unsigned int ifindex, unsigned char family,
			 const unsigned char *addr)
{
	struct {
		struct nlmsghdr nh;
		struct ndmsg nd;
		struct rtattr rta;
		unsigned char addr[16];
	} req = {};
	int alen = family == AF_INET6 ? 16 : 4;

	if (ks.nl_fd < 0)
		return;
	req.nh.nlmsg_type = RTM_NEWNEIGH;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE;
	req.nd.ndm_family = family == AF_INET6 ? AF_INET6 : AF_INET;
	req.nd.ndm_ifindex = ifindex;
	req.nd.ndm_state = NUD_NONE;
	req.nd.ndm_flags = NTF_USE;
	req.rta.rta_type = NDA_DST;
	req.rta.rta_len = RTA_LENGTH(alen);
	memcpy(req.addr, addr, alen);
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.nd)) + RTA_SPACE(alen);
	/* CAP_NET_ADMIN, both for the socket's opener and the sender */
	frr_with_privs (&zserv_privs) {
		send(ks.nl_fd, &req, req.nh.nlmsg_len, 0);
	}
}

bool ebpf_kstate_direct_ok(const char **why)
{
	*why = ks.reason[0] ? ks.reason : NULL;
	return ks.rules_default;
}

int ebpf_kstate_start(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_NEIGH | RTMGRP_IPV4_RULE,
	};
	struct fe_loop *tm = ebpf_fastpath_master();

	if (ks.nl_fd >= 0 || !tm)
		return 0;
	frr_with_privs (&zserv_privs) {
		ks.nl_fd = socket(AF_NETLINK,
				  SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
				  NETLINK_ROUTE);
	}
	if (ks.nl_fd < 0 ||
	    bind(ks.nl_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (ks.nl_fd >= 0)
			close(ks.nl_fd);
		ks.nl_fd = -1;
		snprintf(ks.reason, sizeof(ks.reason),
			 "no neighbour socket: the kernel FIB decides");
		return -1;
	}
	event_add_read(tm, nl_read, NULL, ks.nl_fd, &ks.nl_thread);
	neigh_dump();
	return 0;
}

void ebpf_kstate_stop(void)
{
	EVENT_OFF(ks.nl_thread);
	if (ks.nl_fd >= 0)
		close(ks.nl_fd);
	ks.nl_fd = -1;
}
