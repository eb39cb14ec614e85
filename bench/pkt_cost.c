// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pkt_cost: per-packet cost of the fast path against a bare XDP
 * bpf_fib_lookup forwarder, as the kernel FIB grows (1k, 100k, 1M IPv4
 * routes). A benchmark, not a test: it prints figures and ratios measured
 * in the same run.
 *
 * One private network namespace per table size (unshare, no names), each:
 *
 *   in0 192.0.2.1/24     ingress (packets "arrive" here: ingress_ifindex)
 *   eg0 198.51.100.1/24  egress; gateway 198.51.100.2, permanent neighbour
 *
 * and N routes with a DFZ-like prefix-length mix (deterministic seed), all
 * via 198.51.100.2, loaded with batched netlink (many RTM_NEWROUTE messages
 * per sendmsg) or, with --loader ip, with `ip -batch`; load times are
 * printed. BPF_PROG_TEST_RUN resolves ingress_ifindex in the caller's
 * namespace, so switching namespace (setns) switches FIB: the sizes take
 * turns chunk by chunk, and "how the cost grows with the table" is
 * measured in one window, not in three windows of a noisy machine.
 *
 * Programs: bare_null (empty XDP program: the harness' own cost), bare_fwd
 * (the baseline, bench/bare_fwd.bpf.c), fe_xdp and fe_tc (bpf/fe_fwd.bpf.c),
 * fe_direct and fe_full (fe_xdp on the direct IPv4 path, see below).
 * 60-byte IPv4/UDP frames to destinations drawn at random from the
 * prefixes of that size. Every call is checked: return code, and fe's
 * forward counter moved by exactly the number of runs.
 *
 * Three ways of timing:
 *  - hot: repeat=1, each destination for calls/dests calls in a row: its
 *    FIB path stays in the caches.
 *  - random: repeat=1, a new random destination on every call.
 *    With repeat=1 the kernel's per-call figure covers one run plus its
 *    timer (two clock reads and the loop): bare_null measures that, and
 *    "net" figures subtract it.
 *  - repeat: one call per destination with repeat=254. The kernel re-runs
 *    the program on the same buffer, and a forwarder decrements the TTL
 *    each time: from TTL 255, 254 runs are all really forwarded; a larger
 *    repeat would time the TTL-expired path instead. Slow in wall time:
 *    an XDP call with repeat>1 swaps the XDP dispatcher twice.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <linux/udp.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bench/bench_netns.h"
#include "bench/dfz4.h"
#include "bench/stream.h"
#include "frr_ebpf_abi.h"
#include "lib/fe_lpm6.h"
#include "frr-module/ebpf_maputil.h"
#include "lib/fe_policy.h"
#include "fe_fwd.skel.h"
#include "bare_fwd.skel.h"
#include "stream.skel.h"

#define TTL_START 255
#define HOT_REPEAT 254 /* TTL 255 -> 1: every run forwards */
#define GW "198.51.100.2"
#define GW_MAC "02:00:00:00:02:02" /* both gateways and in0 */
#define SRC "192.0.2.2"
#define CHUNK 1000     /* random: calls per turn */

static const uint8_t PEER_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x02 };

static struct {
	long max_routes;
	int calls;     /* hot, random: calls per repetition */
	int dests;     /* hot: destinations per repetition */
	int rep_dests; /* repeat: destinations (= calls) per repetition */
	int reps;
	uint64_t seed;
	int cpu;
	bool ip_loader;
	const char *modes; /* NULL: all */
	const char *progs; /* NULL: all; bare_null and bare_fwd always */
	int stream_calls;  /* stream: calls per repetition */
	int stream_repeat; /* stream: runs per call */
	int stream_dests;  /* stream: ring of destinations (power of two) */
	const char *json;
} opt = {
	.max_routes = 1000000,
	.calls = 200000,
	.dests = 200,
	.rep_dests = 30,
	.reps = 5,
	.seed = 1,
	.cpu = -1,
	.stream_calls = 16,
	.stream_repeat = 65536,
	.stream_dests = 1 << 20,
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Deterministic randomness and the route table                        */
/* ------------------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void) /* splitmix64 */
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * The routes: a DFZ-like IPv4 set (bench/dfz4.h, the same mix as
 * bench/bgp_convergence.py), nothing in 192/8 and 198/8 so that nothing
 * overlaps the two link subnets of the namespace. One list; a table of
 * size N holds its first N prefixes.
 */
static struct dfz4_prefix *routes;
static long nroutes;

static void gen_routes(long n)
{
	routes = calloc(n, sizeof(*routes));
	rng_state = opt.seed;
	if (!routes || dfz4_gen(routes, n, &rng_state, 0)) {
		perror("calloc");
		exit(1);
	}
	nroutes = n;
}

/* A destination inside one of the first `upto` routes, host order. */
static uint32_t random_dst(long upto)
{
	return dfz4_addr_in(&routes[rnd() % upto], &rng_state);
}

static void print_mix(long n)
{
	long c[4] = {};

	for (long i = 0; i < n; i++) {
		int l = routes[i].len;

		c[l < 16 ? 0 : l < 20 ? 1 : l < 24 ? 2 : 3]++;
	}
	printf("    prefix lengths: /16-/19 %.1f%%, /20-/23 %.1f%%, /24 %.1f%%\n",
	       100.0 * (c[0] + c[1]) / n, 100.0 * c[2] / n, 100.0 * c[3] / n);
}

/* ------------------------------------------------------------------ */
/* One namespace per table size                                        */
/* ------------------------------------------------------------------ */

/*
 * fe_direct: fe_xdp with the direct IPv4 path on: the route from an
 * IPv4 route table (16-8-8, bpf/fe_lpm6.h) of the same routes, L2 from the neighbour cache, no
 * bpf_fib_lookup (a second instance of the object, its own maps).
 * fe_full: the same with every feature at work: FULL_POLICIES count
 * policies (the policy lookup runs for every packet), every route via a
 * group of two paths chosen by hash-threshold over L3+L4, counters.
 */
enum { P_NULL, P_BARE, P_XDP, P_TC, P_DIRECT, P_FULL, NPROG };
static const char *const PROG_NAME[NPROG] = { "bare_null", "bare_fwd",
					      "fe_xdp", "fe_tc", "fe_direct",
					      "fe_full" };
#define FULL_POLICIES 100
#define GW2 "198.51.100.3"

enum { M_HOT, M_RAND, M_REP, M_STREAM, NMODE };
static const char *const MODE_NAME[NMODE] = {
	"hot: repeat=1, each destination for calls/dests calls in a row",
	"random: repeat=1, a new random destination on every call",
	"repeat: one call per destination with repeat=254",
	"stream: large repeat, a new random destination on every run "
	"(bench/stream.bpf.c in front)",
};

/* b starts 2 bytes into a 4-aligned struct: the IP header is 4-aligned. */
struct pkt {
	uint16_t headroom;
	uint8_t b[64];
} __attribute__((aligned(4)));

#define PKT_LEN 60 /* 14 + 20 + 8 + 18: a minimum frame, no padding */

static const char *const MODE_KEY[NMODE] = { "hot", "random", "repeat",
					      "stream" };

/* Is word w in the comma-separated list (NULL: every word is)? */
static bool in_list(const char *list, const char *w)
{
	size_t n = strlen(w);

	if (!list)
		return true;
	for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, w, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* Is mode m to be run (--modes, and a non-zero call count)? */
static bool mode_on(int m)
{
	if ((m == M_REP && opt.rep_dests < 1) ||
	    (m == M_STREAM && opt.stream_calls < 1))
		return false;
	return in_list(opt.modes, MODE_KEY[m]);
}

struct env {
	long routes;
	int nsfd;
	int in_ifindex, eg_ifindex;
	uint8_t in_mac[ETH_ALEN];
	struct fe_fwd *fe;
	struct fe_fwd *fed; /* the direct-path instance */
	struct fe_fwd *fef; /* the full-features instance */
	struct bare_fwd *bare;
	struct stream *st;
	struct pkt stream_pkt; /* stream: the frame the wrapper rewrites */
	int prog_fd[NPROG];
	int stats_fd[NPROG]; /* fe's interface counters, per program */
	uint8_t eg_mac[ETH_ALEN];
	double load_s;
	double ns[NMODE][NPROG]; /* median */
	double tc_null[NMODE]; /* stream: the TC harness, median */
	double lo[NMODE][NPROG], hi[NMODE][NPROG];
};

#define MAX_ENV 3
static struct env envs[MAX_ENV];
static int nenv;

static void enter(const struct env *e)
{
	static const struct env *cur;

	if (cur == e)
		return;
	bench_netns_enter(e->nsfd);
	cur = e;
}

static int get_mac(const char *dev, uint8_t *mac)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

/* A new namespace for e, with links, addresses and the neighbour. */
static int setup_netns(struct env *e)
{
	static const char *const cmds[] = {
		"ip link set lo up",
		"ip link add in0 type veth peer name in1",
		"ip link add eg0 type veth peer name eg1",
		/* the gateways' MAC too: a frame forwarded in place is still
		 * addressed to in0 when repeat mode runs it again (XDP hands
		 * frames for another MAC to the kernel, as Linux drops them) */
		"ip link set in0 address " GW_MAC,
		"ip link set in0 up && ip link set in1 up",
		"ip link set eg0 up && ip link set eg1 up",
		"sysctl -qw net.ipv4.ip_forward=1",
		"ip addr add 192.0.2.1/24 dev in0",
		"ip addr add 198.51.100.1/24 dev eg0",
		"ip neigh add " GW " lladdr " GW_MAC " dev eg0 nud permanent",
		"ip neigh add " GW2 " lladdr " GW_MAC " dev eg0 nud permanent",
		"ip neigh add " SRC " lladdr 02:00:00:00:01:02 dev in0 nud permanent",
		NULL,
	};

	e->nsfd = bench_netns_new(cmds);
	if (e->nsfd < 0)
		return -1;
	e->in_ifindex = if_nametoindex("in0");
	e->eg_ifindex = if_nametoindex("eg0");
	return get_mac("in0", e->in_mac) || get_mac("eg0", e->eg_mac);
}

/*
 * One private instance of the fast path (nothing pinned: a router running
 * on the machine is never touched), with in0's counters and eg0 as an
 * XDP egress. Devmap values are ifindexes of the writer's namespace: e's.
 */
static struct fe_fwd *load_fe(const struct env *e, int *stats_fd)
{
	uint32_t in = e->in_ifindex, eg = e->eg_ifindex, slot;
	struct fe_ifinfo ii = { .mtu = 1500, .fwd4 = 1 };
	struct fe_if_stats *zero;
	struct bpf_map *m;
	struct fe_fwd *f = fe_fwd__open();
	int rc;

	if (!f)
		return NULL;
	bpf_object__for_each_map(m, f->obj)
		bpf_map__set_pin_path(m, NULL);
	if (fe_fwd__load(f))
		return NULL;
	*stats_fd = bpf_map__fd(f->maps.fe_ifstats_v1);
	zero = calloc(libbpf_num_possible_cpus(), sizeof(*zero));
	/* the ingress as the module describes it: XDP checks its MAC */
	ii.ifindex = in;
	memcpy(ii.mac, e->in_mac, ETH_ALEN);
	slot = in % FE_IFINFO_SLOTS;
	rc = !zero ||
	     bpf_map_update_elem(*stats_fd, &in, zero, BPF_ANY) ||
	     bpf_map_update_elem(bpf_map__fd(f->maps.fe_txports_v1), &eg, &eg,
				 BPF_ANY) ||
	     bpf_map_update_elem(bpf_map__fd(f->maps.fe_ifinfo_v3), &slot, &ii,
				 BPF_ANY);
	free(zero);
	return rc ? NULL : f;
}

/* The programs and their maps, private to e. */
static int load_progs(struct env *e)
{
	uint32_t eg = e->eg_ifindex;

	e->fe = load_fe(e, &e->stats_fd[P_XDP]);
	e->fed = load_fe(e, &e->stats_fd[P_DIRECT]);
	e->fef = load_fe(e, &e->stats_fd[P_FULL]);
	e->bare = bare_fwd__open_and_load();
	e->st = stream__open();
	if (!e->st ||
	    bpf_map__set_max_entries(e->st->maps.stream_dsts, opt.stream_dests) ||
	    stream__load(e->st))
		return -1;
	if (!e->fe || !e->fed || !e->fef || !e->bare ||
	    bpf_map_update_elem(bpf_map__fd(e->bare->maps.bare_txports), &eg,
				&eg, BPF_ANY))
		return -1;
	e->stats_fd[P_TC] = e->stats_fd[P_XDP];
	e->prog_fd[P_NULL] = bpf_program__fd(e->bare->progs.bare_null);
	e->prog_fd[P_BARE] = bpf_program__fd(e->bare->progs.bare_fwd);
	e->prog_fd[P_XDP] = bpf_program__fd(e->fe->progs.fe_xdp);
	e->prog_fd[P_TC] = bpf_program__fd(e->fe->progs.fe_tc);
	e->prog_fd[P_DIRECT] = bpf_program__fd(e->fed->progs.fe_xdp);
	e->prog_fd[P_FULL] = bpf_program__fd(e->fef->progs.fe_xdp);
	return 0;
}

static int cache_neigh(struct fe_fwd *f, int ifindex, const char *gw)
{
	struct fe_neigh_key nk = { .family = AF_INET, .ifindex = ifindex };
	struct fe_neigh_val nv = { .mac = { 2, 0, 0, 0, 2, 2 } }; /* GW_MAC */

	inet_pton(AF_INET, gw, nk.addr);
	return bpf_map_update_elem(bpf_map__fd(f->maps.fe_neigh_v1), &nk, &nv,
				   0);
}

/* Count policies on the first n prefixes, as the module installs them. */
static int add_policies(struct fe_fwd *f, int n)
{
	static struct fe_polmask m;
	uint32_t zero = 0;

	for (int i = 0; i < n && i < nroutes; i++) {
		struct fe_lpm4_key k = { .prefixlen = routes[i].len };
		struct fe_policy_val v = { .id = i, .action = FE_POL_COUNT };
		uint32_t a = htonl(routes[i].addr);

		memcpy(k.addr, &a, 4);
		fe_polmask_add(&m, k.addr, k.prefixlen);
		if (bpf_map_update_elem(bpf_map__fd(f->maps.fe_policy4_v1), &k,
					&v, 0))
			return -1;
	}
	return bpf_map_update_elem(bpf_map__fd(f->maps.fe_polmask_v2), &zero,
				   &m, 0);
}

/*
 * f's IPv4 route table (16-8-8, bpf/fe_lpm6.h) of the first n routes,
 * all to group 1, built as the module builds it: the top array mapped,
 * a group array of FE_TBL_GROUPS_INITIAL groups in the groups map's
 * slot, doubled (copy, regroup, swap) whenever the builder runs out.
 */
static int build_lpm4(struct fe_fwd *f, long n)
{
	const size_t top_len = (size_t)FE_LPM6_TOP_ENTRIES * 4;
	uint32_t ngroups = FE_TBL_GROUPS_INITIAL, *top, *grp;
	struct fe_lpm6 *t = NULL;
	int gfd = bpf_map__fd(f->maps.fe_l4_grp_v1), fd, rc = -1;

	top = mmap(NULL, top_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		   bpf_map__fd(f->maps.fe_l4_top_v1), 0);
	if (top == MAP_FAILED || ebpf_group_array_new(ngroups, &fd, &grp))
		return -1;
	t = fe_lpm6_new(top, grp, ngroups);
	if (!t || ebpf_group_array_publish(gfd, fd))
		goto out;
	for (long i = 0; i < n; i++) {
		uint8_t a[16];
		int nfd;
		uint32_t *ngrp;

		dfz4_to16(routes[i].addr, a);
		rc = fe_lpm6_add(t, a, routes[i].len, 1);
		if (rc != -ENOSPC)
			goto next;
		if (ngroups >= FE_L4_GROUPS_MAX_DEFAULT ||
		    ebpf_group_array_new(ngroups * 2, &nfd, &ngrp))
			goto out;
		memcpy(ngrp, grp, (size_t)ngroups * sizeof(struct fe_lpm6_val));
		if (fe_lpm6_regroup(t, ngrp, ngroups * 2) ||
		    ebpf_group_array_publish(gfd, nfd)) {
			rc = -1;
			goto out;
		}
		ebpf_group_array_drop(fd, grp, ngroups);
		fd = nfd, grp = ngrp, ngroups *= 2;
		rc = fe_lpm6_add(t, a, routes[i].len, 1);
next:
		if (rc)
			goto out;
	}
	rc = 0;
out:
	fe_lpm6_free(t); /* the tables stay in the maps */
	munmap(grp, (size_t)ngroups * sizeof(struct fe_lpm6_val));
	close(fd); /* the groups map holds the array */
	munmap(top, top_len);
	return rc;
}

/*
 * What the module keeps for the direct path, for e's first n routes in
 * instance f: the IPv4 route table (all via group 1: eg0, GW; with full,
 * GW and GW2 by hash-threshold, and the policies), the neighbours,
 * interface MACs/MTUs/forwarding, and the switch.
 */
static int setup_direct(struct env *e, struct fe_fwd *f, long n, bool full)
{
	struct fe_nhg_val *g = calloc(1, sizeof(*g));
	struct fe_ifinfo ii = { .fwd4 = 1, .mtu = 1500 };
	struct fe_config c = { .hash_l4 = 1, .direct4 = 1 };
	uint32_t zero = 0, one = 1, ifi;

	if (!g || build_lpm4(f, n))
		return -1;

	g->count = full ? 2 : 1;
	g->total_weight = g->count;
	g->stats_slot = 1; /* the mirror gives every group of <= 16 paths one */
	for (int i = 0; i < g->count; i++) {
		g->nh[i].ifindex = e->eg_ifindex;
		g->nh[i].type = FE_NH_IPV4;
		g->nh[i].weight = 1;
		inet_pton(AF_INET, i ? GW2 : GW, g->nh[i].addr);
	}
	if (full) {
		c.ecmp_algo = FE_ECMP_HASH_THRESHOLD;
		c.npolicies = FULL_POLICIES;
		if (add_policies(f, FULL_POLICIES) ||
		    cache_neigh(f, e->eg_ifindex, GW2))
			return -1;
	}
	/* the router's addresses and their prefilter, as the module keeps
	 * them (ebpf_kstate.c)
	 */
	{
		static const char *const local[] = {
			"192.0.2.1", "192.0.2.0", "192.0.2.255",
			"198.51.100.1", "198.51.100.0", "198.51.100.255",
		};
		static struct fe_localmask lm = { .ready = 1 };
		uint8_t one = 1;

		for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
			uint32_t a;

			inet_pton(AF_INET, local[i], &a);
			fe_localmask_add(&lm, (const uint8_t *)&a);
			if (bpf_map_update_elem(bpf_map__fd(f->maps.fe_local4_v1),
						&a, &one, 0))
				return -1;
		}
		if (bpf_map_update_elem(bpf_map__fd(f->maps.fe_localmask_v2),
					&zero, &lm, 0))
			return -1;
	}
	ii.ifindex = e->in_ifindex;
	ifi = ii.ifindex % FE_IFINFO_SLOTS;
	memcpy(ii.mac, e->in_mac, ETH_ALEN);
	if (bpf_map_update_elem(bpf_map__fd(f->maps.fe_nhg_v1), &one, g, 0) ||
	    cache_neigh(f, e->eg_ifindex, GW) ||
	    bpf_map_update_elem(bpf_map__fd(f->maps.fe_ifinfo_v3), &ifi, &ii, 0))
		return -1;
	ii.ifindex = e->eg_ifindex;
	ifi = ii.ifindex % FE_IFINFO_SLOTS;
	memcpy(ii.mac, e->eg_mac, ETH_ALEN);
	if (bpf_map_update_elem(bpf_map__fd(f->maps.fe_ifinfo_v3), &ifi, &ii, 0) ||
	    bpf_map_update_elem(bpf_map__fd(f->maps.fe_l4_state_v1), &zero,
				&one, 0) ||
	    bpf_map_update_elem(bpf_map__fd(f->maps.fe_config_v2), &zero, &c, 0))
		return -1;
	free(g);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Route loading, in the current namespace                             */
/* ------------------------------------------------------------------ */

struct nlroute {
	struct nlmsghdr nh;
	struct rtmsg rt;
	struct rtattr dst_a;
	uint32_t dst;
	struct rtattr gw_a;
	uint32_t gw;
	struct rtattr oif_a;
	uint32_t oif;
};

static int nl_drain(int fd, long *errors, int *first_err)
{
	char buf[65536];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		     h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *err = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_ERROR && err->error) {
				if (!*errors)
					*first_err = -err->error;
				(*errors)++;
			}
		}
	}
}

/*
 * The first n routes by netlink: ~1260 RTM_NEWROUTE per sendmsg, no ACK
 * asked (errors still come back and are counted). The kernel handles every
 * message of a send before the call returns.
 */
static int load_netlink(long n, int oif)
{
	const size_t chunk = 1 << 16;
	struct nlroute *buf;
	int fd, sz = 8 << 20, first_err = 0;
	long errors = 0;
	uint32_t gw, seq = 1;

	inet_pton(AF_INET, GW, &gw);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	buf = malloc(chunk);
	for (long i = 0; i < n;) {
		size_t k = 0;

		for (; i < n && (k + 1) * sizeof(*buf) <= chunk; i++, k++) {
			struct nlroute *m = &buf[k];

			memset(m, 0, sizeof(*m));
			m->nh.nlmsg_len = sizeof(*m);
			m->nh.nlmsg_type = RTM_NEWROUTE;
			m->nh.nlmsg_flags =
				NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
			m->nh.nlmsg_seq = seq++;
			m->rt.rtm_family = AF_INET;
			m->rt.rtm_dst_len = routes[i].len;
			m->rt.rtm_table = RT_TABLE_MAIN;
			m->rt.rtm_protocol = RTPROT_BGP;
			m->rt.rtm_scope = RT_SCOPE_UNIVERSE;
			m->rt.rtm_type = RTN_UNICAST;
			m->dst_a.rta_len = RTA_LENGTH(4);
			m->dst_a.rta_type = RTA_DST;
			m->dst = htonl(routes[i].addr);
			m->gw_a.rta_len = RTA_LENGTH(4);
			m->gw_a.rta_type = RTA_GATEWAY;
			m->gw = gw;
			m->oif_a.rta_len = RTA_LENGTH(4);
			m->oif_a.rta_type = RTA_OIF;
			m->oif = oif;
		}
		if (send(fd, buf, k * sizeof(*buf), 0) < 0 ||
		    nl_drain(fd, &errors, &first_err)) {
			perror("netlink");
			close(fd);
			free(buf);
			return -1;
		}
	}
	free(buf);
	close(fd);
	if (errors) {
		fprintf(stderr, "%ld routes refused, first: %s\n", errors,
			strerror(first_err));
		return -1;
	}
	return 0;
}

static int load_ip_batch(long n, int oif)
{
	char path[] = "/tmp/fe-pkt-cost-XXXXXX", cmd[128];
	int fd = mkstemp(path), rc;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	(void)oif;
	if (!f)
		return -1;
	for (long i = 0; i < n; i++) {
		uint32_t a = routes[i].addr;

		fprintf(f, "route add %u.%u.%u.%u/%u via " GW " dev eg0 proto bgp\n",
			a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
			routes[i].len);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "ip -batch %s", path);
	rc = system(cmd);
	unlink(path);
	return rc ? -1 : 0;
}

/* The kernel's own view of the main table: prefixes, trie depth, size. */
static void print_triestat(void)
{
	FILE *f = fopen("/proc/net/fib_triestat", "r");
	char line[256], out[256] = "";
	bool main_tbl = false;

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':'), *k;

		if (!strncmp(line, "Main:", 5)) {
			main_tbl = true;
			continue;
		}
		if (!strncmp(line, "Local:", 6))
			break;
		if (!main_tbl || !v)
			continue;
		if (!strstr(line, "Prefixes:") && !strstr(line, "Aver depth:") &&
		    !strstr(line, "Max depth:") && !strstr(line, "Total size:"))
			continue;
		*v++ = 0;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = 0;
		k = line + strspn(line, " \t");
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s %s",
			 *out ? ", " : "", k, v);
	}
	fclose(f);
	printf("    kernel main table: %s\n", out);
}

/* ------------------------------------------------------------------ */
/* Packets and timing                                                  */
/* ------------------------------------------------------------------ */

static uint16_t csum16(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void build_pkt(const struct env *e, struct pkt *p, uint32_t dst)
{
	struct ethhdr *eth = (struct ethhdr *)p->b;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);

	memset(p, 0, sizeof(*p));
	memcpy(eth->h_dest, e->in_mac, ETH_ALEN);
	memcpy(eth->h_source, PEER_MAC, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = TTL_START;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(PKT_LEN - sizeof(*eth));
	inet_pton(AF_INET, SRC, &ip->saddr);
	ip->daddr = htonl(dst);
	udp->source = htons(40000);
	udp->dest = htons(4791);
	udp->len = htons(PKT_LEN - sizeof(*eth) - sizeof(*ip));
	memset(udp + 1, 0xab,
	       PKT_LEN - sizeof(*eth) - sizeof(*ip) - sizeof(*udp));
	ip->check = csum16(ip, sizeof(*ip));
}

static uint64_t fwd_count(const struct env *e, int prog)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fe_if_stats st[ncpu];
	uint32_t key = e->in_ifindex;
	uint64_t sum = 0;

	if (bpf_map_lookup_elem(e->stats_fd[prog], &key, st))
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += st[c].fwd_packets;
	return sum;
}

static int want_ret(int prog)
{
	switch (prog) {
	case P_NULL:
		return XDP_PASS;
	case P_TC:
		return TC_ACT_REDIRECT;
	default:
		return XDP_REDIRECT;
	}
}

/* One call of prog_fd; the kernel's average ns per run, or -1. */
static long run_fd(const struct env *e, int prog_fd, bool tc, int want,
		   const char *name, const struct pkt *p, int repeat)
{
	struct xdp_md xctx = { .data_end = PKT_LEN,
			       .ingress_ifindex = e->in_ifindex };
	struct __sk_buff sctx = { .ifindex = e->in_ifindex,
				  .ingress_ifindex = e->in_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b,
		    .data_size_in = PKT_LEN, .repeat = repeat);

	if (tc) {
		o.ctx_in = &sctx;
		o.ctx_size_in = sizeof(sctx);
	} else {
		o.ctx_in = &xctx;
		o.ctx_size_in = sizeof(xctx);
	}
	if (bpf_prog_test_run_opts(prog_fd, &o)) {
		fprintf(stderr, "test_run %s: %s\n", name, strerror(errno));
		return -1;
	}
	if ((int)o.retval != want) {
		fprintf(stderr, "%s returned %u, want %d: not forwarded?\n",
			name, o.retval, want);
		return -1;
	}
	return o.duration;
}

static long run_once(const struct env *e, int prog, const struct pkt *p,
		     int repeat)
{
	return run_fd(e, e->prog_fd[prog], prog == P_TC, want_ret(prog),
		      PROG_NAME[prog], p, repeat);
}

/* fe's programs must have forwarded every run (want), no fewer. */
static void check_forwarded(const struct env *e, int prog, uint64_t before,
			    uint64_t want)
{
	uint64_t got;

	if (prog < P_XDP)
		return;
	got = fwd_count(e, prog) - before;
	if (got != want) {
		fprintf(stderr, "%s forwarded %llu of %llu packets\n",
			PROG_NAME[prog], (unsigned long long)got,
			(unsigned long long)want);
		exit(1);
	}
}

/* Total ns of n calls, each run `repeat` times; checked. */
static double measure(const struct env *e, int prog, const struct pkt *pk,
		      int n, int repeat)
{
	uint64_t before = fwd_count(e, prog);
	double total = 0;

	for (int i = 0; i < n; i++) {
		long d = run_once(e, prog, &pk[i], repeat);

		if (d < 0)
			exit(1);
		total += d;
	}
	check_forwarded(e, prog, before, (uint64_t)n * repeat);
	return total;
}

/*
 * stream: total of n calls' per-run figures, bench/stream.bpf.c in front
 * of prog (P_NULL: of stream_null_xdp; -1: of stream_null_tc), each call
 * `repeat` runs, each run to the next destination of the ring; checked.
 */
static double measure_stream(const struct env *e, int prog, int n, int repeat)
{
	const struct stream *st = e->st;
	bool tc = prog == P_TC || prog < 0;
	int next = bpf_map__fd(tc ? st->maps.stream_next_tc
				  : st->maps.stream_next_xdp);
	int target = prog < 0 ? bpf_program__fd(st->progs.stream_null_tc)
		     : prog == P_NULL ? bpf_program__fd(st->progs.stream_null_xdp)
				      : e->prog_fd[prog];
	int wrap = bpf_program__fd(tc ? st->progs.stream_tc : st->progs.stream_xdp);
	uint64_t before = prog >= P_XDP ? fwd_count(e, prog) : 0;
	uint32_t zero = 0;
	double total = 0;

	if (bpf_map_update_elem(next, &zero, &target, 0)) {
		fprintf(stderr, "stream: tail call to %s refused: %s\n",
			prog < 0 ? "stream_null_tc" : PROG_NAME[prog],
			strerror(errno));
		exit(1);
	}
	for (int i = 0; i < n; i++) {
		long d = run_fd(e, wrap, tc, prog < 0 ? TC_ACT_OK : want_ret(prog),
				prog < 0 ? "stream_null_tc" : PROG_NAME[prog],
				&e->stream_pkt, repeat);

		if (d < 0)
			exit(1);
		total += d;
	}
	check_forwarded(e, prog, before, (uint64_t)n * repeat);
	return total;
}

/* stream: the template frame and a ring of random destinations in e. */
static int stream_setup(struct env *e)
{
	uint32_t n = opt.stream_dests, *keys = calloc(n, 4), *vals = calloc(n, 4);
	struct stream_cfg c = { .mask = n - 1 };
	uint32_t zero = 0;
	int rc;

	if (!keys || !vals)
		return -1;
	build_pkt(e, &e->stream_pkt, random_dst(e->routes));
	memcpy(c.hdr, e->stream_pkt.b, 42);
	for (uint32_t i = 0; i < n; i++) {
		keys[i] = i;
		vals[i] = htonl(random_dst(e->routes));
	}
	rc = bpf_map_update_batch(bpf_map__fd(e->st->maps.stream_dsts), keys,
				  vals, &n, NULL) ||
	     bpf_map_update_elem(bpf_map__fd(e->st->maps.stream_cfg), &zero, &c,
				 0);
	free(keys);
	free(vals);
	return rc;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*
 * One way of timing, all sizes and programs. Sizes and programs take turns
 * in chunks, rotating who goes first, so that a burst of load from
 * elsewhere on the machine hits them all alike.
 */
static void bench_mode(int m)
{
	int ncall = m == M_REP	  ? opt.rep_dests
		    : m == M_STREAM ? opt.stream_calls
				    : opt.calls;
	int chunk = m == M_HOT ? opt.calls / opt.dests : m == M_RAND ? CHUNK : 1;
	int rep = m == M_REP ? HOT_REPEAT : m == M_STREAM ? opt.stream_repeat : 1;
	double *samples[MAX_ENV][NPROG], *tcnull[MAX_ENV];
	/* repeat: per-call figures, whose median is the sample: a call
	 * preempted mid-loop (the loop is only migration-protected) would
	 * otherwise weigh on the mean of so few calls
	 */
	double *percall[MAX_ENV][NPROG] = {};
	struct pkt *pk;
	int nchunk;
	double t = now();

	if (chunk < 1)
		chunk = 1;
	nchunk = (ncall + chunk - 1) / chunk;
	pk = calloc(chunk, sizeof(*pk));
	for (int s = 0; s < nenv; s++)
	{
		tcnull[s] = calloc(opt.reps, sizeof(double));
		for (int p = 0; p < NPROG; p++) {
			samples[s][p] = calloc(opt.reps, sizeof(double));
			if (m == M_REP)
				percall[s][p] = calloc(ncall, sizeof(double));
		}
	}

	for (int k = 0; k < opt.reps; k++) {
		double tot[MAX_ENV][NPROG] = {}, tctot[MAX_ENV] = {};

		for (int c = 0; c < nchunk; c++) {
			int n = c == nchunk - 1 ? ncall - c * chunk : chunk;

			for (int si = 0; si < nenv; si++) {
				struct env *e = &envs[(si + c + k) % nenv];

				enter(e);
				/* hot: one destination for the chunk, all
				 * programs; else fresh ones per program
				 */
				if (m == M_HOT) {
					build_pkt(e, &pk[0], random_dst(e->routes));
					for (int i = 1; i < n; i++)
						pk[i] = pk[0];
				}
				for (int j = 0; j < NPROG; j++) {
					int p = (j + c + k) % NPROG;

					if (p > P_BARE &&
					    !in_list(opt.progs, PROG_NAME[p]))
						continue;

					if (m != M_HOT && m != M_STREAM)
						for (int i = 0; i < n; i++)
							build_pkt(e, &pk[i],
								  random_dst(e->routes));
					double d = m == M_STREAM
						? measure_stream(e, p, n, rep)
						: measure(e, p, pk, n, rep);

					tot[e - envs][p] += d;
					if (m == M_REP) /* chunk is 1 call */
						percall[e - envs][p][c] = d;
				}
				/* stream: fe_tc runs behind the TC wrapper */
				if (m == M_STREAM && in_list(opt.progs, "fe_tc"))
					tctot[e - envs] +=
						measure_stream(e, -1, n, rep);
			}
		}
		for (int s = 0; s < nenv; s++) {
			for (int p = 0; p < NPROG; p++)
				samples[s][p][k] =
					m == M_REP ? median(percall[s][p], ncall)
						   : tot[s][p] / ncall;
			tcnull[s][k] = tctot[s] / ncall;
			/* so that "net of the null program" nets fe_tc of
			 * its own (TC) harness
			 */
			if (m == M_STREAM)
				samples[s][P_TC][k] += (tot[s][P_NULL] -
							tctot[s]) / ncall;
		}
	}
	free(pk);
	for (int s = 0; s < nenv; s++)
		for (int p = 0; p < NPROG; p++)
			free(percall[s][p]);

	for (int s = 0; s < nenv; s++) {
		for (int p = 0; p < NPROG; p++) {
			double *v = samples[s][p];

			envs[s].ns[m][p] = median(v, opt.reps); /* sorts */
			envs[s].lo[m][p] = v[0];
			envs[s].hi[m][p] = v[opt.reps - 1];
			free(v);
		}
		envs[s].tc_null[m] = median(tcnull[s], opt.reps);
		free(tcnull[s]);
	}
	printf("\n== %s ==\n   %d calls x %d reps per size and program, %.1f s\n",
	       MODE_NAME[m], ncall, opt.reps, now() - t);
}

static void report_mode(int m)
{
	const struct env *a = &envs[0], *z = &envs[nenv - 1];

	if (m == M_STREAM)
		printf("   bare_null is the XDP wrapper in front of an empty "
		       "program; fe_tc is\n   net of the TC wrapper (%.1f ns "
		       "at %ld routes), shifted to it\n",
		       a->tc_null[m], a->routes);
	printf("   ns/packet as the kernel times it, median [min..max]:\n");
	printf("   %8s", "routes");
	for (int p = 0; p < NPROG; p++)
		printf(" %20s", PROG_NAME[p]);
	printf("\n");
	for (int s = 0; s < nenv; s++) {
		printf("   %8ld", envs[s].routes);
		for (int p = 0; p < NPROG; p++) {
			char cell[64];

			snprintf(cell, sizeof(cell), "%.1f [%.0f..%.0f]",
				 envs[s].ns[m][p], envs[s].lo[m][p],
				 envs[s].hi[m][p]);
			printf(" %20s", cell);
		}
		printf("\n");
	}
	printf("   net of bare_null, and ratio to bare_fwd:\n   %8s", "routes");
	for (int p = P_BARE; p < NPROG; p++)
		printf(" %9s", PROG_NAME[p]);
	for (int p = P_XDP; p < NPROG; p++)
		printf(" %9.9s", PROG_NAME[p] + 3); /* without "fe_" */
	printf("\n");
	for (int s = 0; s < nenv; s++) {
		const double *v = envs[s].ns[m];
		double b = v[P_BARE] - v[P_NULL];

		printf("   %8ld", envs[s].routes);
		for (int p = P_BARE; p < NPROG; p++)
			printf(" %9.1f", v[p] - v[P_NULL]);
		for (int p = P_XDP; p < NPROG; p++)
			printf(" %9.2f", (v[p] - v[P_NULL]) / b);
		printf("\n");
	}
	if (nenv > 1) {
		printf("   growth %ld -> %ld routes (net):", a->routes, z->routes);
		for (int p = P_BARE; p < NPROG; p++)
			printf(" %s x%.2f", PROG_NAME[p],
			       (z->ns[m][p] - z->ns[m][P_NULL]) /
				       (a->ns[m][p] - a->ns[m][P_NULL]));
		printf("\n");
	}
}

static int write_json(const char *path, double total)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "{\n  \"benchmark\": \"pkt_cost\",\n");
	fprintf(f, "  \"config\": {\"max_routes\": %ld, \"calls\": %d, "
		   "\"dests\": %d, \"rep_dests\": %d, \"reps\": %d, "
		   "\"seed\": %llu, \"cpu\": %d, \"loader\": \"%s\", "
		   "\"frame_bytes\": %d},\n",
		opt.max_routes, opt.calls, opt.dests, opt.rep_dests, opt.reps,
		(unsigned long long)opt.seed, opt.cpu,
		opt.ip_loader ? "ip" : "netlink", PKT_LEN);
	fprintf(f, "  \"tables\": [");
	for (int s = 0; s < nenv; s++)
		fprintf(f, "%s{\"routes\": %ld, \"load_seconds\": %.3f}",
			s ? ", " : "", envs[s].routes, envs[s].load_s);
	fprintf(f, "],\n  \"ns_per_packet\": {");
	for (int m = 0, first = 1; m < NMODE; m++) {
		if (!mode_on(m))
			continue;
		fprintf(f, "%s\n    \"%s\": {", first ? "" : ",", MODE_KEY[m]);
		first = 0;
		for (int s = 0; s < nenv; s++) {
			const struct env *e = &envs[s];

			fprintf(f, "%s\n      \"%ld\": {", s ? "," : "", e->routes);
			for (int p = 0; p < NPROG; p++)
				fprintf(f, "%s\"%s\": {\"median\": %.2f, "
					   "\"min\": %.2f, \"max\": %.2f}",
					p ? ", " : "", PROG_NAME[p], e->ns[m][p],
					e->lo[m][p], e->hi[m][p]);
			fprintf(f, "}");
		}
		fprintf(f, "\n    }");
	}
	fprintf(f, "\n  },\n  \"total_seconds\": %.1f\n}\n", total);
	return fclose(f);
}

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--max-routes N] [--calls N] [--dests N] [--rep-dests N]\n"
		"          [--reps N] [--seed N] [--cpu N] [--loader netlink|ip]\n"
		"          [--stream-calls N] [--stream-repeat N] [--stream-dests N]\n"
		"          [--modes LIST] [--progs LIST] [--json FILE]\n"
		"  --max-routes  largest table: tables of 1000, 100000 and\n"
		"                1000000 routes, as far as N (default 1000000)\n"
		"  --calls       hot and random: calls per repetition (200000)\n"
		"  --dests       hot: destinations per repetition (200)\n"
		"  --rep-dests   repeat: calls per repetition (30; 0: skip);\n"
		"                each XDP call with repeat>1 costs the kernel\n"
		"                two XDP dispatcher updates (~25 ms here)\n"
		"  --reps        repetitions; medians are printed (5)\n"
		"  --seed        route table and destination seed (1)\n"
		"  --cpu         pin to this CPU (default: no pinning)\n"
		"  --loader      netlink: batched RTM_NEWROUTE (default);\n"
		"                ip: `ip -batch`, for comparison\n"
		"  --stream-calls  stream: calls per repetition (16; 0: skip)\n"
		"  --stream-repeat stream: runs per call (65536)\n"
		"  --stream-dests  stream: ring of random destinations, a\n"
		"                power of two (1048576)\n"
		"  --modes       comma-separated subset of hot,random,repeat,\n"
		"                stream (default: all)\n"
		"  --progs       comma-separated subset of fe_xdp,fe_tc,\n"
		"                fe_direct,fe_full (default: all; the others\n"
		"                print 0); bare_null and bare_fwd always run\n"
		"  --json        also write the figures to FILE\n",
		argv0);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "max-routes", required_argument, NULL, 'm' },
		{ "calls", required_argument, NULL, 'c' },
		{ "dests", required_argument, NULL, 'd' },
		{ "rep-dests", required_argument, NULL, 'R' },
		{ "reps", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "loader", required_argument, NULL, 'l' },
		{ "stream-calls", required_argument, NULL, 'S' },
		{ "stream-repeat", required_argument, NULL, 'P' },
		{ "stream-dests", required_argument, NULL, 'D' },
		{ "modes", required_argument, NULL, 'M' },
		{ "progs", required_argument, NULL, 'G' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	static const long SIZES[] = { 1000, 100000, 1000000 };
	double t_start = now(), t;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (ch) {
		case 'm': opt.max_routes = atol(optarg); break;
		case 'c': opt.calls = atoi(optarg); break;
		case 'd': opt.dests = atoi(optarg); break;
		case 'R': opt.rep_dests = atoi(optarg); break;
		case 'r': opt.reps = atoi(optarg); break;
		case 's': opt.seed = strtoull(optarg, NULL, 0); break;
		case 'C': opt.cpu = atoi(optarg); break;
		case 'l': opt.ip_loader = !strcmp(optarg, "ip"); break;
		case 'S': opt.stream_calls = atoi(optarg); break;
		case 'P': opt.stream_repeat = atoi(optarg); break;
		case 'D': opt.stream_dests = atoi(optarg); break;
		case 'M': opt.modes = optarg; break;
		case 'G': opt.progs = optarg; break;
		case 'j': opt.json = optarg; break;
		default: usage(argv[0]);
		}
	}
	if (opt.max_routes < 1 || opt.dests < 1 || opt.calls < 1 ||
	    opt.reps < 1 || opt.rep_dests < 0 || opt.stream_calls < 0 ||
	    opt.stream_repeat < 1 || opt.stream_dests < 1 ||
	    (opt.stream_dests & (opt.stream_dests - 1)))
		usage(argv[0]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (geteuid() != 0) {
		fprintf(stderr, "pkt_cost: needs root (netns, BPF)\n");
		return 1;
	}
	if (opt.cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(opt.cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			perror("sched_setaffinity");
	}

	t = now();
	gen_routes(opt.max_routes);
	printf("pkt_cost: %ld IPv4 routes generated (seed %llu) in %.2f s; "
	       "loader %s; %d reps; cpu %d\n",
	       nroutes, (unsigned long long)opt.seed, now() - t,
	       opt.ip_loader ? "ip -batch" : "netlink batch", opt.reps,
	       opt.cpu);

	for (int i = 0; i < 3; i++) {
		long want = SIZES[i] < opt.max_routes ? SIZES[i] : opt.max_routes;
		struct env *e = &envs[nenv];

		if (nenv && want <= envs[nenv - 1].routes)
			break;
		e->routes = want;
		if (setup_netns(e) || load_progs(e)) {
			fprintf(stderr, "pkt_cost: cannot set up the namespace or "
				"the programs: %s\n", strerror(errno));
			return 1;
		}
		t = now();
		if ((opt.ip_loader ? load_ip_batch : load_netlink)(want,
								 e->eg_ifindex)) {
			fprintf(stderr, "route load failed\n");
			return 1;
		}
		e->load_s = now() - t;
		printf("  table %ld: loaded in %.2f s (%.0f routes/s)\n", want,
		       e->load_s, want / e->load_s);
		t = now();
		if (setup_direct(e, e->fed, want, false) ||
		    setup_direct(e, e->fef, want, true) || stream_setup(e)) {
			fprintf(stderr, "direct path or stream setup failed\n");
			return 1;
		}
		printf("  table %ld: IPv4 route tables (16-8-8) built in %.2f s\n",
		       want, now() - t);
		print_mix(want);
		print_triestat();
		nenv++;
	}
	/* destinations: independent of how the routes were loaded */
	rng_state = opt.seed * 7919;

	for (int m = 0; m < NMODE; m++) {
		if (!mode_on(m))
			continue;
		bench_mode(m);
		report_mode(m);
	}
	printf("\ntotal runtime %.1f s\n", now() - t_start);
	if (opt.json && write_json(opt.json, now() - t_start))
		return 1;
	for (int s = 0; s < nenv; s++) {
		fe_fwd__destroy(envs[s].fe);
		fe_fwd__destroy(envs[s].fed);
		fe_fwd__destroy(envs[s].fef);
		bare_fwd__destroy(envs[s].bare);
		stream__destroy(envs[s].st);
		close(envs[s].nsfd);
	}
	return 0;
}
