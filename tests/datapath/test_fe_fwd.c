// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Datapath tests: the real fast-path programs (XDP and TC) run with
 * BPF_PROG_TEST_RUN on crafted packets, table-driven: input, expected
 * verdict, expected reason counter, expected output bytes.
 *
 * The test makes its own network namespace with veth pairs, addresses,
 * routes and permanent neighbours, so bpf_fib_lookup sees a real FIB.
 * Exit 77 (skip) when the machine cannot (not root, no BPF).
 *
 *   in0 192.0.2.1/24  2001:db8:1::1/64   ingress
 *   eg0 198.51.100.1/24 2001:db8:2::1/64 egress, in the XDP devmap
 *   sl0 203.0.113.1/24                   egress without XDP fast path
 *   ec0 100.64.2.1/24                    second path of the ECMP route
 *                                        198.18.20.0/24 (mirror NHG 77)
 *   vl0 100.64.1.1/24                    plays a VLAN interface: vid 200
 *                                        on eg0 (fe_vlanout); tagged
 *                                        frames with vid 100 on in0 belong
 *                                        to in0 itself (fe_vlanin)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <net/if.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pthread.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/fe_lpm6.h"
#include "lib/fe_policy.h"

#include "frr_ebpf_abi.h"
#include "fe_ecmp.h"
#include "fe_fwd.skel.h"
#include "frr-module/ebpf_maputil.h"
#include "frr-module/ebpf_polgen.h"

#define SKIP 77

static const uint8_t NEIGH_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x02, 0x02 };
static const uint8_t IN_PEER_MAC[ETH_ALEN] = { 0x02, 0, 0, 0, 0x01, 0x02 };
static uint8_t in_mac[ETH_ALEN], eg_mac[ETH_ALEN];
static uint8_t vl_mac[ETH_ALEN], ec_mac[ETH_ALEN];
static int in_ifindex, eg_ifindex, sl_ifindex, vl_ifindex, ec_ifindex;
static struct fe_fwd *skel;

static int sh(const char *cmd)
{
	int rc = system(cmd);

	if (rc != 0)
		fprintf(stderr, "setup failed: %s\n", cmd);
	return rc;
}

static int read_mac(const char *dev, uint8_t *mac)
{
	char path[128];
	unsigned int b[6];
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/sys/class/net/%s/address", dev);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]);
	fclose(f);
	for (int i = 0; i < 6; i++)
		mac[i] = b[i];
	return n == 6 ? 0 : -1;
}

static int setup_netns(void)
{
	static const char *const cmds[] = {
		"mount -t sysfs sysfs /sys",
		"ip link set lo up",
		"ip link add in0 type veth peer name in1",
		"ip link add eg0 type veth peer name eg1",
		"ip link add sl0 type veth peer name sl1",
		"ip link add vl0 type veth peer name vl1",
		"ip link set vl0 up && ip link set vl1 up",
		"ip addr add 100.64.1.1/24 dev vl0",
		"ip neigh add 100.64.1.2 lladdr 02:00:00:00:04:02 dev vl0 nud permanent",
		"ip route add 198.18.8.0/24 via 100.64.1.2",
		"ip link add ec0 type veth peer name ec1",
		"ip link set ec0 up && ip link set ec1 up",
		"ip addr add 100.64.2.1/24 dev ec0",
		"ip neigh add 100.64.2.2 lladdr 02:00:00:00:05:02 dev ec0 nud permanent",
		"ip link set in0 up && ip link set in1 up",
		"ip link set eg0 up && ip link set eg1 up",
		"ip link set sl0 up && ip link set sl1 up",
		"ip link set eg0 mtu 1400",
		"sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
		"ip addr add 192.0.2.1/24 dev in0",
		"ip addr add 2001:db8:1::1/64 dev in0 nodad",
		"ip addr add 198.51.100.1/24 dev eg0",
		"ip addr add 2001:db8:2::1/64 dev eg0 nodad",
		"ip addr add 203.0.113.1/24 dev sl0",
		"ip neigh add 198.51.100.2 lladdr 02:00:00:00:02:02 dev eg0 nud permanent",
		"ip neigh add 2001:db8:2::2 lladdr 02:00:00:00:02:02 dev eg0 nud permanent",
		"ip neigh add 192.0.2.2 lladdr 02:00:00:00:01:02 dev in0 nud permanent",
		"ip neigh add 203.0.113.2 lladdr 02:00:00:00:03:02 dev sl0 nud permanent",
		"ip route add 198.18.1.0/24 via 198.51.100.2",
		"ip route add blackhole 198.18.3.0/24",
		"ip route add unreachable 198.18.4.0/24",
		"ip route add 198.18.5.0/24 via 198.51.100.3",
		"ip route add 198.18.6.0/24 via 192.0.2.2",
		"ip route add 198.18.7.0/24 via 203.0.113.2",
		"ip -6 route add 2001:db8:99::/48 via 2001:db8:2::2",
		/* BGP's IPv6 nexthops are link-local */
		"ip neigh add fe80::2 lladdr 02:00:00:00:02:02 dev eg0 nud permanent",
		"ip -6 route add 2001:db8:98::/48 via fe80::2 dev eg0",
		"ip -6 route add 2001:db8:97::/48 via fe80::3 dev eg0",
		"ip route add 198.18.20.0/24 nexthop via 198.51.100.2 dev eg0 nexthop via 100.64.2.2 dev ec0",
		"ip route add 198.18.31.0/24 via 198.51.100.2",
		NULL,
	};

	if (unshare(CLONE_NEWNET | CLONE_NEWNS))
		return -1;
	/* Our own /sys for the new namespace, not visible outside. */
	if (system("mount --make-rprivate / 2>/dev/null") != 0)
		return -1;
	for (int i = 0; cmds[i]; i++)
		if (sh(cmds[i]))
			return -1;
	in_ifindex = if_nametoindex("in0");
	eg_ifindex = if_nametoindex("eg0");
	sl_ifindex = if_nametoindex("sl0");
	vl_ifindex = if_nametoindex("vl0");
	ec_ifindex = if_nametoindex("ec0");
	if (read_mac("in0", in_mac) || read_mac("eg0", eg_mac) ||
	    read_mac("vl0", vl_mac) || read_mac("ec0", ec_mac))
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Packet builders                                                     */
/* ------------------------------------------------------------------ */

/* b starts 2 bytes into a 4-aligned struct, so the IP header after the
 * 14-byte Ethernet header is 4-aligned, as struct iphdr requires.
 */
struct pkt {
	uint16_t headroom;
	uint8_t b[1600];
	size_t len;
} __attribute__((aligned(4)));

static uint16_t csum16(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void eth(struct pkt *p, uint16_t proto)
{
	struct ethhdr *e = (struct ethhdr *)p->b;

	memcpy(e->h_dest, in_mac, ETH_ALEN);
	memcpy(e->h_source, IN_PEER_MAC, ETH_ALEN);
	e->h_proto = htons(proto);
	p->len = sizeof(*e);
}

/* IPv4/UDP from 192.0.2.2 to dst, `payload` bytes of UDP payload. */
static struct pkt ip4(const char *dst, uint8_t ttl, size_t payload)
{
	struct pkt p = {};
	struct iphdr *ip;
	struct udphdr *udp;

	eth(&p, ETH_P_IP);
	ip = (struct iphdr *)(p.b + p.len);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = ttl;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(sizeof(*ip) + sizeof(*udp) + payload);
	inet_pton(AF_INET, "192.0.2.2", &ip->saddr);
	inet_pton(AF_INET, dst, &ip->daddr);
	udp = (struct udphdr *)(ip + 1);
	udp->source = htons(40000);
	udp->dest = htons(53);
	udp->len = htons(sizeof(*udp) + payload);
	memset(udp + 1, 0xab, payload);
	p.len += ntohs(ip->tot_len);
	ip->check = csum16(ip, sizeof(*ip));
	return p;
}

static struct iphdr *ip4h(struct pkt *p)
{
	return (struct iphdr *)(p->b + sizeof(struct ethhdr));
}

static void ip4_recsum(struct pkt *p)
{
	ip4h(p)->check = 0;
	ip4h(p)->check = csum16(ip4h(p), sizeof(struct iphdr));
}

static struct pkt ip6(const char *src, const char *dst, uint8_t hops,
		      uint8_t nexthdr)
{
	struct pkt p = {};
	struct ipv6hdr *ip;
	size_t payload = 16;

	eth(&p, ETH_P_IPV6);
	ip = (struct ipv6hdr *)(p.b + p.len);
	ip->version = 6;
	ip->hop_limit = hops;
	ip->nexthdr = nexthdr;
	ip->payload_len = htons(payload);
	inet_pton(AF_INET6, src, &ip->saddr);
	inet_pton(AF_INET6, dst, &ip->daddr);
	memset(ip + 1, 0xcd, payload);
	p.len += sizeof(*ip) + payload;
	return p;
}

static struct ipv6hdr *ip6h(struct pkt *p)
{
	return (struct ipv6hdr *)(p->b + sizeof(struct ethhdr));
}

/* What Linux would send: new MACs, TTL - 1, checksum recomputed in full
 * (the program updates it incrementally: the two must agree).
 */
static struct pkt forwarded(struct pkt in)
{
	struct ethhdr *e = (struct ethhdr *)in.b;

	memcpy(e->h_dest, NEIGH_MAC, ETH_ALEN);
	memcpy(e->h_source, eg_mac, ETH_ALEN);
	if (ntohs(e->h_proto) == ETH_P_IP) {
		ip4h(&in)->ttl--;
		ip4_recsum(&in);
	} else {
		ip6h(&in)->hop_limit--;
	}
	return in;
}

/* Insert an 802.1Q tag after the MACs. */
static struct pkt tagged(struct pkt in, uint16_t vid)
{
	struct pkt v = in;

	memcpy(v.b + 16, in.b + 12, in.len - 12);
	v.b[12] = 0x81;
	v.b[13] = 0x00;
	v.b[14] = vid >> 8;
	v.b[15] = vid & 0xff;
	v.len = in.len + 4;
	return v;
}

/* Forwarded out of the VLAN interface vl0: via eg0 with tag 200. */
static struct pkt forwarded_vlan(struct pkt untagged_in)
{
	struct pkt out = forwarded(untagged_in);
	struct ethhdr *e = (struct ethhdr *)out.b;
	static const uint8_t vl_neigh[ETH_ALEN] = { 2, 0, 0, 0, 4, 2 };

	memcpy(e->h_dest, vl_neigh, ETH_ALEN);
	memcpy(e->h_source, vl_mac, ETH_ALEN);
	return out;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */
/* ------------------------------------------------------------------ */

enum verdict { V_FWD, V_PASS, V_DROP };

struct tcase {
	const char *name;
	struct pkt in;
	enum verdict verdict;
	int reason;            /* fe_pass_reason / fe_drop_reason; -1 for fwd */
	bool xdp_only;
	bool tc_only;
	bool expect_out;       /* compare output with `out` (else with `in`) */
	struct pkt out;
	bool has_out_tc;       /* TC output differs (tags live in skb metadata) */
	struct pkt out_tc;
	void (*setup)(void);   /* settings/policies for this case */
	const struct direct_pol *pol; /* for direct_pol_setup */
	int policy_id;         /* >= 0: this policy's counter must move */
	bool expect_event;     /* a mirror-mismatch event must be raised */
};

#define MAX_CASES 256
static struct tcase cases[MAX_CASES];
static int ncases;

static struct tcase *add(const char *name, struct pkt in, enum verdict v,
			 int reason)
{
	struct tcase *t = &cases[ncases++];

	t->name = name;
	t->in = in;
	t->verdict = v;
	t->reason = reason;
	t->policy_id = -1;
	if (v == V_FWD) {
		t->expect_out = true;
		t->out = forwarded(in);
	}
	return t;
}

/* ---- settings and policies, written into the maps as the module does */

static void set_config(uint8_t algo, uint16_t npolicies)
{
	struct fe_config c = { .ecmp_algo = algo, .hash_l4 = 1,
			       .npolicies = npolicies, .seed = 7 };
	uint32_t zero = 0;

	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_config_v2), &zero, &c,
			    BPF_ANY);
}

static void clear_policies(void)
{
	struct fe_lpm4_key k, next;
	int fd = bpf_map__fd(skel->maps.fe_policy4_v1);

	while (bpf_map_get_next_key(fd, NULL, &next) == 0) {
		k = next;
		bpf_map_delete_elem(fd, &k);
	}
}

static void policy4(const char *dst, int len, uint8_t action, uint32_t id,
		    const char *nh, uint32_t nhg, const char *src, int srclen,
		    uint32_t ingress)
{
	struct fe_lpm4_key k = { .prefixlen = len };
	struct fe_policy_val v = { .id = id, .action = action,
				   .nhg_id = nhg, .ingress = ingress };

	inet_pton(AF_INET, dst, k.addr);
	if (nh)
		inet_pton(AF_INET, nh, v.nh);
	if (src) {
		inet_pton(AF_INET, src, v.src);
		v.src_len = srclen;
	}
	static struct fe_polmask m;
	uint32_t zero = 0;

	clear_policies();
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_policy4_v1), &k, &v,
			    BPF_ANY);
	memset(&m, 0, sizeof(m));
	fe_polmask_add(&m, k.addr, len);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_polmask_v2), &zero, &m,
			    BPF_ANY);
}

static void plain(void)
{
	clear_policies();
	set_config(FE_ECMP_KERNEL, 0);
}

static void pol_drop(void)
{
	policy4("198.18.1.0", 24, FE_POL_DROP, 1, NULL, 0, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

/* The drop policy, but its prefilter bit clear: the trie is not asked. */
static void pol_drop_unmasked(void)
{
	static struct fe_polmask none;
	uint32_t zero = 0;

	pol_drop();
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_polmask_v2), &zero,
			    &none, BPF_ANY);
}

static void pol_kernel(void)
{
	policy4("198.18.1.0", 24, FE_POL_KERNEL, 2, NULL, 0, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

static void pol_count(void)
{
	policy4("198.18.1.0", 24, FE_POL_COUNT, 3, NULL, 0, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

static void pol_drop_other_source(void)
{
	policy4("198.18.1.0", 24, FE_POL_DROP, 4, NULL, 0, "203.0.113.0", 24,
		0);
	set_config(FE_ECMP_KERNEL, 1);
}

static void pol_drop_other_ingress(void)
{
	policy4("198.18.1.0", 24, FE_POL_DROP, 5, NULL, 0, NULL, 0,
		eg_ifindex);
	set_config(FE_ECMP_KERNEL, 1);
}

static void pol_pin(void)
{
	/* the kernel says hairpin via 192.0.2.2; the policy pins eg0's gw */
	policy4("198.18.6.0", 24, FE_POL_PIN, 6, "198.51.100.2", 0, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

static void pol_pin_not_onlink(void)
{
	policy4("198.18.6.0", 24, FE_POL_PIN, 7, "198.18.1.10", 0, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

static void pol_nhg(void)
{
	/* no kernel route at all for 100.64.9.0/24: the group decides */
	policy4("100.64.9.0", 24, FE_POL_NHG, 8, NULL, 78, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

/* As a hijack mitigation: a more-specific the kernel routes via eg0 is
 * forwarded by another group (ec0), id 0 (an internal entry).
 */
static void pol_nhg_over_kernel_route(void)
{
	policy4("198.18.1.0", 25, FE_POL_NHG, 0, NULL, 78, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

static void pol_exclude(void)
{
	policy4("198.18.20.0", 24, FE_POL_EXCLUDE, 9, "198.51.100.2", 0, NULL,
		0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

static void ecmp_hash_threshold(void)
{
	clear_policies();
	set_config(FE_ECMP_HASH_THRESHOLD, 0);
}

static void ecmp_weighted(void)
{
	clear_policies();
	set_config(FE_ECMP_WEIGHTED, 0);
}

/* The mirror's view: route 198.18.20.0/24 -> NHG 77 (eg0, ec0, 3:1);
 * NHG 78 = ec0 only; 198.18.1.0/24 -> NHG 79 = ec0 only, which is NOT
 * the kernel's route (eg0): the kernel must win.
 */
static void fill_mirror(void)
{
	static struct fe_nhg_val g;
	struct fe_lpm4_key k = { .prefixlen = 24 };
	struct fe_route_val r = { .kind = FE_ROUTE_UNICAST };
	uint32_t id;

	memset(&g, 0, sizeof(g));
	g.count = 2;
	g.nh[0] = (struct fe_nexthop){ .ifindex = eg_ifindex,
				       .type = FE_NH_IPV4, .weight = 3 };
	inet_pton(AF_INET, "198.51.100.2", g.nh[0].addr);
	g.nh[1] = (struct fe_nexthop){ .ifindex = ec_ifindex,
				       .type = FE_NH_IPV4, .weight = 1 };
	inet_pton(AF_INET, "100.64.2.2", g.nh[1].addr);
	g.total_weight = 4;
	id = 77;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhg_v1), &id, &g, BPF_ANY);
	inet_pton(AF_INET, "198.18.20.0", k.addr);
	r.nhg_id = 77;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_route4_v1), &k, &r,
			    BPF_ANY);

	g.count = 1;
	g.nh[0] = g.nh[1];
	g.total_weight = 1;
	id = 78;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhg_v1), &id, &g, BPF_ANY);
	id = 79;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhg_v1), &id, &g, BPF_ANY);
	inet_pton(AF_INET, "198.18.1.0", k.addr);
	r.nhg_id = 79;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_route4_v1), &k, &r,
			    BPF_ANY);
}

/*
 * A route table as the module makes one: the top array mapped, a group
 * array of ngroups created and put in the groups map's slot, a builder
 * on both. NULL on failure.
 */
static struct fe_lpm6 *table_new(struct bpf_map *top_map,
				 struct bpf_map *groups_map, uint32_t ngroups)
{
	uint32_t *top, *grp;
	int fd;

	top = mmap(NULL, (size_t)FE_LPM6_TOP_VALUES * 1024,
		   PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(top_map), 0);
	if (top == MAP_FAILED || ebpf_group_array_new(ngroups, &fd, &grp) ||
	    ebpf_group_array_publish(bpf_map__fd(groups_map), fd))
		return NULL;
	close(fd); /* the groups map holds it */
	return fe_lpm6_new(top, grp, ngroups);
}

/* IPv4 address a.b.c.0 as the table builder takes it. */
static const uint8_t *v4(uint8_t a, uint8_t b, uint8_t c)
{
	static uint8_t addr[16];

	memset(addr, 0, sizeof(addr));
	addr[0] = a, addr[1] = b, addr[2] = c;
	return addr;
}

/*
 * The IPv4 routes as a route table too, built through mmap as the module
 * does. Used only while fe_l4_state_v1 says so.
 */
static int build_lpm4(void)
{
	struct fe_lpm6 *t = table_new(skel->maps.fe_l4_top_v1,
				      skel->maps.fe_l4_grp_v1, 64);

	if (!t || fe_lpm6_add(t, v4(198, 18, 20), 24, 77) ||
	    fe_lpm6_add(t, v4(198, 18, 1), 24, 79) ||
	    fe_lpm6_add(t, v4(198, 18, 30), 24, 90) ||
	    fe_lpm6_add(t, v4(198, 18, 31), 24, 90) ||
	    fe_lpm6_add(t, v4(198, 18, 32), 24, 91) ||
	    fe_lpm6_add(t, v4(198, 18, 3), 24,
			FE_TBL_NONUNICAST | FE_ROUTE_BLACKHOLE))
		return -1;
	fe_lpm6_free(t); /* the tables stay in the maps */
	return 0;
}

static void l4_use(uint32_t on)
{
	struct fe_lpm4_key k = { .prefixlen = 24 };
	struct fe_route_val r = { .kind = FE_ROUTE_UNICAST, .nhg_id = 77 };
	uint32_t zero = 0;

	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_l4_state_v1), &zero, &on,
			    BPF_ANY);
	/* Without its trie entry, only the IPv4 table knows the route:
	 * the cases below then prove the datapath uses it.
	 */
	inet_pton(AF_INET, "198.18.20.0", k.addr);
	if (on)
		bpf_map_delete_elem(bpf_map__fd(skel->maps.fe_route4_v1), &k);
	else
		bpf_map_update_elem(bpf_map__fd(skel->maps.fe_route4_v1), &k,
				    &r, BPF_ANY);
}

static void ecmp_lpm4(void)
{
	clear_policies();
	set_config(FE_ECMP_HASH_THRESHOLD, 0);
	l4_use(1);
}

static void plain_trie(void)
{
	l4_use(0);
	plain();
}

/*
 * Direct IPv4: what the module keeps for it. The neighbour cache says
 * 02:00:00:00:09:09 for eg0's gateway where the kernel says ..02:02, so
 * an output with ..09:09 proves the direct path (not bpf_fib_lookup)
 * forwarded it.
 */
static const uint8_t CACHED_MAC[ETH_ALEN] = { 2, 0, 0, 0, 9, 9 };
/* ec0's gateway in the cache (the kernel says ..05:02) */
static const uint8_t CACHED_EC_MAC[ETH_ALEN] = { 2, 0, 0, 0, 9, 0x0a };

/* Group 77's resilient slots: the datapath and the expectation share it. */
static void res_table77(struct fe_res_table *t)
{
	memset(t, 0, sizeof(*t));
	t->count = 2;
	for (int i = 0; i < FE_RES_SLOTS; i++)
		t->slot[i] = (i * 7 / 3) & 1;
}

static void cache_neigh(int ifindex, const char *gw, const uint8_t *mac)
{
	struct fe_neigh_key nk = { .family = AF_INET, .ifindex = ifindex };
	struct fe_neigh_val nv = {};

	inet_pton(AF_INET, gw, nk.addr);
	memcpy(nv.mac, mac, ETH_ALEN);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_neigh_v1), &nk, &nv,
			    BPF_ANY);
}

static const uint8_t FOREIGN_MAC[ETH_ALEN] = { 2, 0, 0, 0, 0x99, 0x99 };

/* The UDP checksum (IPv4 or IPv6) as a sender with checksum offload
 * leaves it: the folded pseudo-header sum, big-endian arithmetic.
 */
static void partial_csum(struct pkt *p)
{
	struct ethhdr *e = (struct ethhdr *)p->b;
	uint8_t *l3 = p->b + sizeof(*e), *src, *dst, *l4;
	size_t alen, l4len;
	uint32_t sum = IPPROTO_UDP;

	if (e->h_proto == htons(ETH_P_IP)) {
		src = l3 + 12, dst = l3 + 16, alen = 4, l4 = l3 + 20;
		l4len = ntohs(((struct iphdr *)l3)->tot_len) - 20;
	} else {
		src = l3 + 8, dst = l3 + 24, alen = 16, l4 = l3 + 40;
		l4len = ntohs(((struct ipv6hdr *)l3)->payload_len);
	}
	for (size_t i = 0; i < alen; i += 2)
		sum += (src[i] << 8 | src[i + 1]) + (dst[i] << 8 | dst[i + 1]);
	sum += l4len;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	l4[6] = sum >> 8;
	l4[7] = sum & 0xff;
}

/* An IPv4/UDP frame with its UDP checksum finished. */
static struct pkt full_csum(struct pkt p)
{
	uint8_t *l3 = p.b + sizeof(struct ethhdr), *l4 = l3 + 20;
	size_t l4len = ntohs(((struct iphdr *)l3)->tot_len) - 20;
	uint32_t sum = 0;

	partial_csum(&p);
	for (size_t i = 0; i < l4len; i += 2)
		sum += l4[i] << 8 | (i + 1 < l4len ? l4[i + 1] : 0);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = ~sum & 0xffff;
	l4[6] = sum >> 8;
	l4[7] = sum & 0xff;
	return p;
}

static void ifinfo_flags(uint32_t ifindex, uint8_t flags);

/* in0 as a veth in native XDP: the module sets the checksum guard */
static void guard_on(void)
{
	ifinfo_flags(in_ifindex, FE_IF_CSUM_GUARD);
}

/* An interface record in its slot, as the module writes it. */
static void ifinfo(uint32_t ifindex, const uint8_t *mac, uint32_t mtu,
		   uint8_t fwd4)
{
	struct fe_ifinfo ii = { .ifindex = ifindex, .fwd4 = fwd4, .mtu = mtu };
	uint32_t slot = ifindex % FE_IFINFO_SLOTS;

	memcpy(ii.mac, mac, ETH_ALEN);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_ifinfo_v3), &slot, &ii,
			    BPF_ANY);
}

static void ifinfo_flags(uint32_t ifindex, uint8_t flags)
{
	uint32_t slot = ifindex % FE_IFINFO_SLOTS;
	struct fe_ifinfo ii;

	bpf_map_lookup_elem(bpf_map__fd(skel->maps.fe_ifinfo_v3), &slot, &ii);
	ii.flags = flags;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_ifinfo_v3), &slot, &ii,
			    BPF_ANY);
}

static void fill_direct(void)
{
	static struct fe_nhg_val g;
	uint32_t id = 90, local;

	memset(&g, 0, sizeof(g));
	g.count = 1;
	g.total_weight = 1;
	g.nh[0] = (struct fe_nexthop){ .ifindex = eg_ifindex,
				       .type = FE_NH_IPV4, .weight = 1 };
	inet_pton(AF_INET, "198.51.100.2", g.nh[0].addr);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhg_v1), &id, &g, BPF_ANY);

	/* group 91: out of the VLAN interface vl0 (no kernel route) */
	g.nh[0].ifindex = vl_ifindex;
	inet_pton(AF_INET, "100.64.1.2", g.nh[0].addr);
	id = 91;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhg_v1), &id, &g, BPF_ANY);

	cache_neigh(eg_ifindex, "198.51.100.2", CACHED_MAC);
	cache_neigh(ec_ifindex, "100.64.2.2", CACHED_EC_MAC);
	cache_neigh(vl_ifindex, "100.64.1.2", (const uint8_t[]){ 2, 0, 0, 0, 4, 2 });
	ifinfo(in_ifindex, in_mac, 1500, 1);
	ifinfo(eg_ifindex, eg_mac, 1400, 1);
	ifinfo(ec_ifindex, ec_mac, 1500, 1);
	ifinfo(vl_ifindex, vl_mac, 1500, 1);
	{	/* vl0 is a VLAN interface: its record says so */
		uint32_t slot = vl_ifindex % FE_IFINFO_SLOTS;
		struct fe_ifinfo ii;

		bpf_map_lookup_elem(bpf_map__fd(skel->maps.fe_ifinfo_v3), &slot,
				    &ii);
		ii.vlan = 1;
		bpf_map_update_elem(bpf_map__fd(skel->maps.fe_ifinfo_v3), &slot,
				    &ii, BPF_ANY);
	}
	inet_pton(AF_INET, "192.0.2.1", &local);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_local4_v1), &local,
			    &(uint8_t){ 1 }, BPF_ANY);
	{
		static struct fe_res_table t;

		id = 77;
		res_table77(&t);
		bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhgres_v1), &id,
				    &t, BPF_ANY);
	}
}

/*
 * The IPv6 routes as an fe_lpm6 table too, built through mmap as the
 * module does: 2001:db8:98::/48 -> NHG 92, 2001:db8:97::/48 -> FE_TBL_LPM
 * (the trie decides). Used only while fe_l6_state_v1 says so.
 */
static int build_lpm6(void)
{
	struct fe_lpm6 *l6 = table_new(skel->maps.fe_l6_top_v1,
				       skel->maps.fe_l6_grp_v2, 64);
	uint8_t a98[16], a97[16];

	inet_pton(AF_INET6, "2001:db8:98::", a98);
	inet_pton(AF_INET6, "2001:db8:97::", a97);
	if (!l6 || fe_lpm6_add(l6, a98, 48, 92) ||
	    fe_lpm6_add(l6, a97, 48, FE_TBL_LPM))
		return -1;
	fe_lpm6_free(l6); /* the tables stay in the maps */
	return 0;
}

/*
 * On: 2001:db8:98::/48 leaves the trie, so that only the table knows it
 * and the cases prove the datapath uses it (linklocal_weighted puts it
 * back).
 */
static void l6_use(uint32_t on)
{
	struct fe_lpm6_key k = { .prefixlen = 48 };
	uint32_t zero = 0;

	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_l6_state_v1), &zero,
			    &on, BPF_ANY);
	inet_pton(AF_INET6, "2001:db8:98::", k.addr);
	if (on)
		bpf_map_delete_elem(bpf_map__fd(skel->maps.fe_route6_v1), &k);
}

static void linklocal_weighted(void);

static void linklocal_lpm6(void)
{
	linklocal_weighted();
	l6_use(1);
}

/*
 * The mirror's IPv6 routes via link-local gateways on eg0 (as BGP gives
 * them). 2001:db8:98::/48 -> NHG 92: fe80::4 (weight 255, in the
 * neighbour cache as CACHED_MAC) and the kernel's fe80::2 (weight 1):
 * weighted ECMP picks fe80::4, whose MAC only the cache can give
 * (bpf_fib_lookup never resolves a link-local address).
 * 2001:db8:97::/48 -> NHG 93: fe80::5 (255, not in the cache), fe80::3.
 */
static void linklocal_weighted(void)
{
	static struct fe_nhg_val g;
	struct fe_lpm6_key k = { .prefixlen = 48 };
	struct fe_route_val r = { .kind = FE_ROUTE_UNICAST };
	struct fe_neigh_key nk = { .family = AF_INET6, .ifindex = eg_ifindex };
	struct fe_neigh_val nv = {};
	uint32_t id;

	ecmp_weighted();
	l6_use(0);
	memset(&g, 0, sizeof(g));
	g.count = 2;
	g.total_weight = 256;
	g.nh[0] = (struct fe_nexthop){ .ifindex = eg_ifindex,
				       .type = FE_NH_IPV6, .weight = 255 };
	g.nh[1] = (struct fe_nexthop){ .ifindex = eg_ifindex,
				       .type = FE_NH_IPV6, .weight = 1 };
	for (int i = 0; i < 2; i++) {
		id = 92 + i;
		inet_pton(AF_INET6, i ? "fe80::5" : "fe80::4", g.nh[0].addr);
		inet_pton(AF_INET6, i ? "fe80::3" : "fe80::2", g.nh[1].addr);
		bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhg_v1), &id, &g,
				    BPF_ANY);
		inet_pton(AF_INET6, i ? "2001:db8:97::" : "2001:db8:98::",
			  k.addr);
		r.nhg_id = id;
		bpf_map_update_elem(bpf_map__fd(skel->maps.fe_route6_v1), &k,
				    &r, BPF_ANY);
	}
	inet_pton(AF_INET6, "fe80::4", nk.addr);
	memcpy(nv.mac, CACHED_MAC, ETH_ALEN);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_neigh_v1), &nk, &nv,
			    BPF_ANY);
	ifinfo(eg_ifindex, eg_mac, 1400, 1);
}

static void set_direct(uint8_t on)
{
	struct fe_config c = { .ecmp_algo = FE_ECMP_KERNEL, .hash_l4 = 1,
			       .seed = 7, .direct4 = on };
	uint32_t zero = 0;

	clear_policies();
	ifinfo(in_ifindex, in_mac, 1500, 1); /* as a case may have left it */
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_config_v2), &zero, &c,
			    BPF_ANY);
	l4_use(on);
}

/* A policy's path whose neighbour nobody resolved yet (198.51.100.9 on
 * eg0): the kernel's route must not take over.
 */
static void pol_nhg_unresolved(void)
{
	static struct fe_nhg_val g;
	uint32_t id = 95;

	memset(&g, 0, sizeof(g));
	g.count = 1;
	g.total_weight = 1;
	g.nh[0] = (struct fe_nexthop){ .ifindex = eg_ifindex,
				       .type = FE_NH_IPV4, .weight = 1 };
	inet_pton(AF_INET, "198.51.100.9", g.nh[0].addr);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_nhg_v1), &id, &g, BPF_ANY);
	policy4("198.18.1.0", 25, FE_POL_NHG, 0, NULL, 95, NULL, 0, 0);
	set_config(FE_ECMP_KERNEL, 1);
}

/* The same with the direct IPv4 path on (internal entries leave it on). */
static void pol_nhg_over_kernel_route_direct(void)
{
	struct fe_config c = { .ecmp_algo = FE_ECMP_KERNEL, .hash_l4 = 1,
			       .npolicies = 1, .seed = 7, .direct4 = 1 };
	uint32_t zero = 0;

	fill_direct();
	set_direct(1);
	policy4("198.18.1.0", 25, FE_POL_NHG, 0, NULL, 78, NULL, 0, 0);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_config_v2), &zero, &c,
			    BPF_ANY);
}

static void direct_on(void)
{
	set_direct(1);
}

/* The local-address prefilter written, with only 192.0.2.1's bits. */
static void direct_localmask(void)
{
	static struct fe_localmask lm;
	uint32_t zero = 0, local;

	set_direct(1);
	memset(&lm, 0, sizeof(lm));
	lm.ready = 1;
	inet_pton(AF_INET, "192.0.2.1", &local);
	fe_localmask_add(&lm, (const uint8_t *)&local);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_localmask_v2), &zero,
			    &lm, BPF_ANY);
}

/* ... and 198.18.30.5 local by the hash but not by the prefilter: the
 * prefilter is what decides (the module keeps both in step).
 */
static void direct_localmask_skips(void)
{
	uint32_t local;

	direct_localmask();
	inet_pton(AF_INET, "198.18.30.5", &local);
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_local4_v1), &local,
			    &(uint8_t){ 1 }, BPF_ANY);
}

static void direct_localmask_off(void)
{
	static struct fe_localmask lm;
	uint32_t zero = 0, local;

	inet_pton(AF_INET, "198.18.30.5", &local);
	bpf_map_delete_elem(bpf_map__fd(skel->maps.fe_local4_v1), &local);
	memset(&lm, 0, sizeof(lm));
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_localmask_v2), &zero,
			    &lm, BPF_ANY);
	set_direct(0);
}

static void direct_no_forwarding(void)
{
	set_direct(1);
	ifinfo(in_ifindex, in_mac, 1500, 0);
}

/* in0's slot holds another interface (two on one slot): in0 unknown. */
static void direct_slot_taken(void)
{
	set_direct(1);
	ifinfo(in_ifindex + FE_IFINFO_SLOTS, in_mac, 1500, 1);
}

static void direct_off(void)
{
	set_direct(0);
}

static struct pkt via_cache(struct pkt in)
{
	struct pkt out = forwarded(in);

	memcpy(out.b, CACHED_MAC, ETH_ALEN);
	return out;
}

/* Forwarded via ec0's neighbour instead of eg0's. */
static struct pkt via_ec0(struct pkt in)
{
	static const uint8_t ec_neigh[ETH_ALEN] = { 2, 0, 0, 0, 5, 2 };
	struct pkt out = forwarded(in);
	struct ethhdr *e = (struct ethhdr *)out.b;

	memcpy(e->h_dest, ec_neigh, ETH_ALEN);
	memcpy(e->h_source, ec_mac, ETH_ALEN);
	return out;
}

/* The path the datapath must pick: the same hash and selector code. */
static int expect_path(struct pkt p, uint8_t algo)
{
	static struct fe_nhg_val g;
	struct iphdr *ip = ip4h(&p);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	struct fe_flow f = { .family = AF_INET, .proto = IPPROTO_UDP };
	uint32_t h;

	memset(&g, 0, sizeof(g));
	g.count = 2;
	g.nh[0].weight = 3;
	g.nh[1].weight = 1;
	memcpy(f.src, &ip->saddr, 4);
	memcpy(f.dst, &ip->daddr, 4);
	f.sport = udp->source;
	f.dport = udp->dest;
	h = fe_flow_hash(&f, 7, FE_HASH_L3L4);
	if (algo == FE_ECMP_RESILIENT) {
		static struct fe_res_table t;

		res_table77(&t);
		return fe_ecmp_resilient_nhg(h, &t, &g);
	}
	return algo == FE_ECMP_WEIGHTED ? fe_ecmp_weighted(h, &g)
					: fe_ecmp_hash_threshold_nhg(h, &g);
}

/* Forwarded by the direct path: a path's L2 from the neighbour cache. */
static struct pkt via_cache_path(struct pkt in, int path)
{
	struct pkt out = forwarded(in);
	struct ethhdr *e = (struct ethhdr *)out.b;

	memcpy(e->h_dest, path ? CACHED_EC_MAC : CACHED_MAC, ETH_ALEN);
	if (path)
		memcpy(e->h_source, ec_mac, ETH_ALEN);
	return out;
}

/* Direct IPv4 on, with an ECMP algorithm and n policies installed. */
static void direct_cfg(uint8_t algo, uint16_t npolicies)
{
	struct fe_config c = { .ecmp_algo = algo, .hash_l4 = 1,
			       .npolicies = npolicies, .seed = 7,
			       .direct4 = 1 };
	uint32_t zero = 0;

	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_config_v2), &zero, &c,
			    BPF_ANY);
	l4_use(1);
}

static void direct_ht(void)
{
	clear_policies();
	direct_cfg(FE_ECMP_HASH_THRESHOLD, 0);
}

static void direct_weighted(void)
{
	clear_policies();
	direct_cfg(FE_ECMP_WEIGHTED, 0);
}

static void direct_resilient(void)
{
	clear_policies();
	direct_cfg(FE_ECMP_RESILIENT, 0);
}

/* A policy and the settings for one direct-path case. */
struct direct_pol {
	const char *dst; /* a /24 */
	uint8_t action;
	uint32_t id;
	const char *nh;
	uint32_t nhg;
	uint8_t algo;
};

static const struct direct_pol *cur_pol;

static void direct_pol_setup(void)
{
	policy4(cur_pol->dst, 24, cur_pol->action, cur_pol->id, cur_pol->nh,
		cur_pol->nhg, NULL, 0, 0);
	direct_cfg(cur_pol->algo, 1);
}

/* A case run with the direct path on and pol installed (and counted). */
static struct tcase *add_pol(const char *name, struct pkt in, enum verdict v,
			     int reason, const struct direct_pol *pol)
{
	struct tcase *t = add(name, in, v, reason);

	t->setup = direct_pol_setup;
	t->pol = pol;
	t->policy_id = pol->id;
	return t;
}

static struct pkt flow(const char *dst, uint16_t sport)
{
	struct pkt p = ip4(dst, 64, 18);
	struct udphdr *udp = (struct udphdr *)(ip4h(&p) + 1);

	udp->source = htons(sport);
	return p;
}

static void build_policy_cases(void)
{
	struct tcase *t;
	struct pkt p;
	int seen[2][2] = {};

	add("plain again after settings", ip4("198.18.1.10", 64, 18), V_FWD,
	    -1)->setup = plain;
	t = add("policy drop", ip4("198.18.1.10", 64, 18), V_DROP,
		FE_DROP_POLICY);
	t->setup = pol_drop;
	t->policy_id = 1;
	add("policy prefilter: a clear bit skips the policy lookup",
	    ip4("198.18.1.10", 64, 18), V_FWD, -1)->setup = pol_drop_unmasked;
	t = add("policy kernel", ip4("198.18.1.10", 64, 18), V_PASS,
		FE_PASS_POLICY);
	t->setup = pol_kernel;
	t->policy_id = 2;
	t = add("policy count forwards", ip4("198.18.1.10", 64, 18), V_FWD, -1);
	t->setup = pol_count;
	t->policy_id = 3;
	add("policy for another source does not apply",
	    ip4("198.18.1.10", 64, 18), V_FWD, -1)->setup =
		pol_drop_other_source;
	add("policy for another ingress does not apply",
	    ip4("198.18.1.10", 64, 18), V_FWD, -1)->setup =
		pol_drop_other_ingress;
	t = add("policy pin overrides the kernel's path",
		ip4("198.18.6.1", 64, 18), V_FWD, -1);
	t->setup = pol_pin;
	t->policy_id = 6;
	t = add("policy pin to a gateway not on-link to kernel",
		ip4("198.18.6.1", 64, 18), V_PASS, FE_PASS_NO_PATH);
	t->setup = pol_pin_not_onlink;
	p = ip4("100.64.9.1", 64, 18);
	t = add("policy nexthop-group forwards without a route", p, V_FWD, -1);
	t->setup = pol_nhg;
	t->out = via_ec0(p);
	t->policy_id = 8;
	p = ip4("198.18.1.10", 64, 18);
	t = add("policy nexthop-group overrides the kernel's route", p, V_FWD,
		-1);
	t->setup = pol_nhg_over_kernel_route;
	t->out = via_ec0(p);
	t->policy_id = 0;
	t = add("policy path with an unresolved neighbour dropped, not the kernel's",
		ip4("198.18.1.10", 64, 18), V_DROP, FE_DROP_POLICY);
	t->setup = pol_nhg_unresolved;
	t->xdp_only = true; /* TC: bpf_redirect_neigh resolves it */
	t->policy_id = 0;
	t = add("policy nexthop-group overrides the kernel's route, direct on",
		p, V_FWD, -1);
	t->setup = pol_nhg_over_kernel_route_direct;
	t->out = via_cache_path(p, 1); /* the direct path: ec0's cached MAC */
	t->policy_id = 0;
	for (int i = 0; i < 4; i++) {
		p = flow("198.18.20.1", 2000 + i);
		t = add("policy exclude keeps flows off a path", p, V_FWD, -1);
		t->setup = pol_exclude;
		t->out = via_ec0(p);
	}

	/* ECMP by the mirror's group: flows spread as the shared selector
	 * code says; each case predicts its own path.
	 */
	for (int a = 0; a < 2; a++) {
		uint8_t algo = a ? FE_ECMP_WEIGHTED : FE_ECMP_HASH_THRESHOLD;

		for (int i = 0; i < 12; i++) {
			int path;

			p = flow("198.18.20.1", 3000 + i);
			path = expect_path(p, algo);
			seen[a][path] = 1;
			t = add(a ? "ecmp weighted picks the flow's path"
				  : "ecmp hash-threshold picks the flow's path",
				p, V_FWD, -1);
			t->setup = a ? ecmp_weighted : ecmp_hash_threshold;
			if (path == 1)
				t->out = via_ec0(p);
		}
	}
	/* the flows above used both paths, or the cases prove little */
	if (!(seen[0][0] && seen[0][1] && seen[1][0] && seen[1][1]))
		fprintf(stderr, "warning: ECMP cases do not cover both paths\n");

	for (int i = 0; i < 12; i++) {
		int path;

		p = flow("198.18.20.1", 4000 + i);
		path = expect_path(p, FE_ECMP_HASH_THRESHOLD);
		t = add("ecmp through the IPv4 table", p, V_FWD, -1);
		t->setup = ecmp_lpm4;
		if (path == 1)
			t->out = via_ec0(p);
	}
	add("IPv4 table off again", ip4("198.18.1.10", 64, 18), V_FWD, -1)->setup =
		plain_trie;

	/* Direct IPv4: the IPv4 table and the neighbour cache route. */
	p = ip4("198.18.30.5", 64, 18);
	t = add("direct ipv4: table and neighbour cache, no fib lookup", p,
		V_FWD, -1);
	t->setup = direct_on;
	t->out = via_cache(p);
	add("direct ipv4: local address to kernel", ip4("192.0.2.1", 64, 18),
	    V_PASS, FE_PASS_NOT_FORWARDED)->setup = direct_on;
	add("direct ipv4: local address to kernel, prefilter ready",
	    ip4("192.0.2.1", 64, 18), V_PASS, FE_PASS_NOT_FORWARDED)->setup =
		direct_localmask;
	t = add("direct ipv4: prefilter bit clear, no local lookup", p, V_FWD,
		-1);
	t->setup = direct_localmask_skips;
	t->out = via_cache(p);
	add("direct ipv4: prefilter cleared again", ip4("198.18.1.10", 64, 18),
	    V_FWD, -1)->setup = direct_localmask_off;
	add("direct ipv4: blackhole dropped", ip4("198.18.3.1", 64, 18),
	    V_DROP, FE_DROP_BLACKHOLE)->setup = direct_on;
	add("direct ipv4: larger than egress mtu to kernel",
	    ip4("198.18.30.5", 64, 1450), V_PASS, FE_PASS_MTU)->setup =
		direct_on;
	add("direct ipv4: forwarding disabled on ingress to kernel",
	    ip4("198.18.30.5", 64, 18), V_PASS, FE_PASS_FWD_DISABLED)->setup =
		direct_no_forwarding;
	/* the kernel has no route for it: the FIB path says so */
	t = add("direct ipv4: interface not in its slot falls back to the fib",
		ip4("198.18.30.5", 64, 18), V_PASS, FE_PASS_NOT_FORWARDED);
	t->setup = direct_slot_taken;
	t->tc_only = true;
	/* XDP: nor is its MAC known, to tell frames for another host */
	t = add("xdp: interface not in its slot to kernel",
		ip4("198.18.30.5", 64, 18), V_PASS, FE_PASS_IF_UNKNOWN);
	t->setup = direct_slot_taken;
	t->xdp_only = true;
	/* not in the table: the kernel's FIB decides (and its neighbour) */
	add("direct ipv4: no table entry falls back to the fib",
	    ip4("198.18.6.1", 64, 18), V_PASS, FE_PASS_HAIRPIN)->setup =
		direct_on;
	/* the kernel has no route: only the direct path can tag it */
	p = ip4("198.18.32.1", 64, 18);
	t = add("direct ipv4: out of a VLAN interface, tagged", p, V_FWD, -1);
	t->setup = direct_on;
	t->out = tagged(forwarded_vlan(p), 200);
	t->has_out_tc = true;
	t->out_tc = forwarded_vlan(p);
	add("direct ipv6 is not affected",
	    ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_UDP), V_FWD,
	    -1)->setup = direct_on;
	add("direct off again", ip4("198.18.1.10", 64, 18), V_FWD, -1)->setup =
		direct_off;

	t = add("ecmp: a mirror route that is not the kernel's is ignored",
		ip4("198.18.1.10", 64, 18), V_FWD, -1);
	t->setup = ecmp_hash_threshold;
	t->expect_event = true; /* ... and reported */
	add("back to plain", ip4("198.18.1.10", 64, 18), V_FWD, -1)->setup =
		plain;
}

/*
 * The direct path with policies and every ECMP algorithm of its own: the
 * cached MACs in the output prove it (not bpf_fib_lookup) forwarded.
 */
static void build_direct_policy_cases(void)
{
	static const struct {
		uint8_t algo;
		void (*setup)(void);
		const char *name;
	} algos[] = {
		{ FE_ECMP_HASH_THRESHOLD, direct_ht,
		  "direct + ecmp hash-threshold: the flow's path, cached L2" },
		{ FE_ECMP_WEIGHTED, direct_weighted,
		  "direct + ecmp weighted: the flow's path, cached L2" },
		{ FE_ECMP_RESILIENT, direct_resilient,
		  "direct + ecmp resilient: the flow's slot, cached L2" },
	};
	static const struct direct_pol count = { "198.18.30.0", FE_POL_COUNT, 10 },
		drop = { "198.18.30.0", FE_POL_DROP, 11 },
		nhg = { "100.64.9.0", FE_POL_NHG, 12, NULL, 78 },
		excl_ht = { "198.18.20.0", FE_POL_EXCLUDE, 13, "198.51.100.2", 0,
			    FE_ECMP_HASH_THRESHOLD },
		excl_kernel = { "198.18.20.0", FE_POL_EXCLUDE, 13, "198.51.100.2" },
		excl_only = { "198.18.31.0", FE_POL_EXCLUDE, 14, "198.51.100.2", 0,
			      FE_ECMP_HASH_THRESHOLD },
		pin = { "198.18.6.0", FE_POL_PIN, 15, "198.51.100.2" };
	struct tcase *t;
	struct pkt p;

	for (size_t a = 0; a < sizeof(algos) / sizeof(algos[0]); a++) {
		int seen[2] = {};

		for (int i = 0; i < 8; i++) {
			int path;

			p = flow("198.18.20.1", 5000 + i);
			path = expect_path(p, algos[a].algo);
			seen[path] = 1;
			t = add(algos[a].name, p, V_FWD, -1);
			t->setup = algos[a].setup;
			t->out = via_cache_path(p, path);
		}
		if (!seen[0] || !seen[1])
			fprintf(stderr, "warning: %s: one path only\n",
				algos[a].name);
	}

	p = ip4("198.18.30.5", 64, 18);
	add_pol("direct + policy count: counted, cached L2", p, V_FWD, -1,
		&count)->out = via_cache_path(p, 0);
	add_pol("direct + policy drop", p, V_DROP, FE_DROP_POLICY, &drop);
	p = ip4("100.64.9.1", 64, 18);
	add_pol("direct + policy nexthop-group: the group's path, cached L2", p,
		V_FWD, -1, &nhg)->out = via_cache_path(p, 1);
	for (int i = 0; i < 4; i++) {
		p = flow("198.18.20.1", 6000 + i);
		add_pol("direct + policy exclude + hash-threshold: other path, cached L2",
			p, V_FWD, -1, &excl_ht)->out = via_cache_path(p, 1);
		/* the kernel's hash picks: the fib path applies the policy */
		add_pol("direct + policy exclude + kernel ecmp: other path via the fib",
			p, V_FWD, -1, &excl_kernel)->out = via_ec0(p);
	}
	add_pol("direct + policy exclude of the only path to kernel",
		ip4("198.18.31.1", 64, 18), V_PASS, FE_PASS_NO_PATH, &excl_only);
	/* pin: the gateway's interface comes from the fib */
	add_pol("direct + policy pin: forwarded via the pinned gateway",
		ip4("198.18.6.1", 64, 18), V_FWD, -1, &pin);
	add("direct and policies off again", ip4("198.18.1.10", 64, 18), V_FWD,
	    -1)->setup = direct_off;
}

static void build_cases(void)
{
	struct tcase *t;
	struct pkt p;

	add("ipv4 udp forwarded", ip4("198.18.1.10", 64, 18), V_FWD, -1);
	p = ip4("198.18.1.10", 2, 100);
	add("ipv4 ttl 2 forwarded with ttl 1", p, V_FWD, -1);
	add("ipv4 ttl 1 to kernel", ip4("198.18.1.10", 1, 18), V_PASS,
	    FE_PASS_TTL);
	add("ipv4 ttl 0 to kernel", ip4("198.18.1.10", 0, 18), V_PASS,
	    FE_PASS_TTL);

	p = ip4("198.18.1.10", 64, 18);
	ip4h(&p)->ihl = 6; /* a NOP option word eats into the UDP header */
	ip4_recsum(&p);
	add("ipv4 options to kernel", p, V_PASS, FE_PASS_IP_OPTIONS);

	p = ip4("198.18.1.10", 64, 18);
	ip4h(&p)->check ^= htons(0x0101);
	add("ipv4 bad checksum to kernel", p, V_PASS, FE_PASS_MALFORMED);

	p = ip4("198.18.1.10", 64, 18);
	p.len -= 4; /* IP length says more than the frame has */
	add("ipv4 truncated to kernel", p, V_PASS, FE_PASS_MALFORMED);

	p = ip4("198.18.1.10", 64, 2);
	p.len = 60; /* Ethernet minimum: 14 + 30 bytes of IP + padding */
	add("ipv4 padded frame to kernel", p, V_PASS, FE_PASS_PADDED);

	p = ip4("198.18.1.10", 64, 18);
	ip4h(&p)->version = 5;
	ip4_recsum(&p);
	add("ipv4 bad version to kernel", p, V_PASS, FE_PASS_MALFORMED);

	p = ip4("198.18.1.10", 64, 18);
	ip4h(&p)->frag_off = htons(0x2000); /* MF: first fragment */
	ip4_recsum(&p);
	add("ipv4 fragment forwarded as is", p, V_FWD, -1);

	add("ipv4 to the router itself", ip4("192.0.2.1", 64, 18), V_PASS,
	    FE_PASS_NOT_FORWARDED);
	add("ipv4 blackhole dropped", ip4("198.18.3.1", 64, 18), V_DROP,
	    FE_DROP_BLACKHOLE);
	add("ipv4 unreachable to kernel", ip4("198.18.4.1", 64, 18), V_PASS,
	    FE_PASS_NO_ROUTE);
	add("ipv4 no route to kernel", ip4("100.64.0.1", 64, 18), V_PASS,
	    FE_PASS_NOT_FORWARDED);
	add("ipv4 unresolved neighbour to kernel", ip4("198.18.5.1", 64, 18),
	    V_PASS, FE_PASS_NO_NEIGH)->xdp_only = true;
	{
		/* TC: through the neighbour layer (bpf_redirect_neigh): TTL
		 * decremented here, MACs left for the neighbour layer.
		 */
		struct tcase *t;

		p = ip4("198.18.5.1", 64, 18);
		/* the kernel resolves it, and sends ICMP unreachable when
		 * nobody answers (bpf_redirect_neigh would not)
		 */
		t = add("tc: unresolved neighbour to kernel", p, V_PASS,
			FE_PASS_NO_NEIGH);
		t->tc_only = true;
	}
	add("ipv4 hairpin to kernel", ip4("198.18.6.1", 64, 18), V_PASS,
	    FE_PASS_HAIRPIN);
	add("ipv4 larger than egress mtu to kernel",
	    ip4("198.18.1.10", 64, 1450), V_PASS, FE_PASS_MTU);
	add("ipv4 multicast to kernel", ip4("239.1.1.1", 64, 18), V_PASS,
	    FE_PASS_ADDR_SCOPE);
	add("ipv4 limited broadcast to kernel", ip4("255.255.255.255", 64, 18),
	    V_PASS, FE_PASS_ADDR_SCOPE);
	p = ip4("198.18.1.10", 64, 18);
	inet_pton(AF_INET, "127.0.0.1", &ip4h(&p)->saddr);
	ip4_recsum(&p);
	add("ipv4 loopback source to kernel", p, V_PASS, FE_PASS_MARTIAN_SRC);

	/* Linux drops unicast for another MAC (PACKET_OTHERHOST) */
	p = ip4("198.18.1.10", 64, 18);
	memcpy(p.b, FOREIGN_MAC, ETH_ALEN);
	add("ipv4 for another MAC to kernel", p, V_PASS, FE_PASS_OTHERHOST);
	p = ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_UDP);
	memcpy(p.b, FOREIGN_MAC, ETH_ALEN);
	add("ipv6 for another MAC to kernel", p, V_PASS, FE_PASS_OTHERHOST);

	/* the router's own address (in0's, in fe_local4_v1) as source */
	p = ip4("198.18.1.10", 64, 18);
	inet_pton(AF_INET, "192.0.2.1", &ip4h(&p)->saddr);
	ip4_recsum(&p);
	add("ipv4 from the router's own address to kernel", p, V_PASS,
	    FE_PASS_MARTIAN_SRC);
	p = ip4("198.18.1.10", 64, 18);
	inet_pton(AF_INET, "224.0.0.9", &ip4h(&p)->saddr);
	ip4_recsum(&p);
	add("ipv4 multicast source to kernel", p, V_PASS, FE_PASS_MARTIAN_SRC);
	p = ip4("198.18.1.10", 64, 18);
	inet_pton(AF_INET, "255.255.255.255", &ip4h(&p)->saddr);
	ip4_recsum(&p);
	add("ipv4 broadcast source to kernel", p, V_PASS, FE_PASS_MARTIAN_SRC);
	p = ip4("198.18.1.10", 64, 18);
	inet_pton(AF_INET, "0.0.0.0", &ip4h(&p)->saddr);
	ip4_recsum(&p);
	add("ipv4 zero source to kernel", p, V_PASS, FE_PASS_MARTIAN_SRC);

	/* a sender's checksum offload: only the pseudo-header sum */
	p = ip4("198.18.1.10", 64, 18);
	partial_csum(&p);
	t = add("xdp veth: udp4 with a partial checksum to kernel", p, V_PASS,
		FE_PASS_CSUM_PARTIAL);
	t->xdp_only = true;
	t->setup = guard_on;
	t = add("tc: udp4 with a partial checksum forwarded (the skb finishes it)",
		p, V_FWD, -1);
	t->tc_only = true;
	t->setup = guard_on;
	t = add("xdp, not a veth: udp4 with a partial checksum forwarded", p,
		V_FWD, -1);
	t->xdp_only = true;
	t = add("xdp veth: udp4 with a finished checksum forwarded",
		full_csum(ip4("198.18.1.10", 64, 18)), V_FWD, -1);
	t->xdp_only = true;
	t->setup = guard_on;
	p = ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_UDP);
	partial_csum(&p);
	t = add("xdp veth: udp6 with a partial checksum to kernel", p, V_PASS,
		FE_PASS_CSUM_PARTIAL);
	t->xdp_only = true;
	t->setup = guard_on;

	/* GSO/GRO packets need the transport header GRO sets, which
	 * BPF_PROG_TEST_RUN does not: tests/integration/test_traffic.py
	 * sends real TCP through TC instead.
	 */

	p = ip4("198.18.1.10", 64, 18);
	memset(p.b, 0xff, ETH_ALEN);
	add("ethernet broadcast to kernel", p, V_PASS, FE_PASS_L2_MULTICAST);

	p = ip4("198.18.1.10", 64, 18);
	((struct ethhdr *)p.b)->h_proto = htons(ETH_P_ARP);
	add("arp to kernel", p, V_PASS, FE_PASS_NOT_IP);

	add("802.1Q unknown vid to kernel",
	    tagged(ip4("198.18.1.10", 64, 18), 300), V_PASS, FE_PASS_VLAN);
	add("802.1Q in 802.1Q to kernel",
	    tagged(tagged(ip4("198.18.1.10", 64, 18), 300), 100), V_PASS,
	    FE_PASS_VLAN);
	{
		struct tcase *t;

		p = ip4("198.18.1.10", 64, 18);
		t = add("vlan 100 in, untagged out", tagged(p, 100), V_FWD, -1);
		t->out = forwarded(p); /* the tag is gone */

		p = ip4("198.18.8.1", 64, 18);
		t = add("untagged in, vlan 200 out", p, V_FWD, -1);
		t->out = tagged(forwarded_vlan(p), 200);
		t->has_out_tc = true; /* TC pushes the tag as skb metadata */
		t->out_tc = forwarded_vlan(p);

		p = ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_UDP);
		t = add("ipv6 vlan 100 in, untagged out", tagged(p, 100), V_FWD,
			-1);
		t->out = forwarded(p);

		p = ip4("198.18.8.1", 64, 18);
		t = add("vlan 100 in, vlan 200 out", tagged(p, 100), V_FWD, -1);
		t->out = tagged(forwarded_vlan(p), 200);
		t->has_out_tc = true;
		t->out_tc = forwarded_vlan(p);
	}

	p = ip4("198.18.1.10", 64, 18);
	p.len = 20;
	/* XDP only: the kernel's skb test harness refuses such a runt. */
	add("runt frame to kernel", p, V_PASS, FE_PASS_MALFORMED)->xdp_only =
		true;

	add("ipv4 egress without xdp to kernel", ip4("198.18.7.1", 64, 18),
	    V_PASS, FE_PASS_EGRESS_SLOW)->xdp_only = true;

	add("ipv6 udp forwarded",
	    ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_UDP), V_FWD, -1);

	p = ip6("2001:db8:1::2", "2001:db8:98::1", 64, IPPROTO_UDP);
	t = add("ipv6 link-local gateway from the neighbour cache", p, V_FWD,
		-1);
	t->setup = linklocal_weighted;
	t->out = forwarded(p);
	memcpy(((struct ethhdr *)t->out.b)->h_dest, CACHED_MAC, ETH_ALEN);
	t = add("ipv6 route from the fe_lpm6 table (not in the trie)", p,
		V_FWD, -1);
	t->setup = linklocal_lpm6;
	t->out = forwarded(p);
	memcpy(((struct ethhdr *)t->out.b)->h_dest, CACHED_MAC, ETH_ALEN);
	t = add("ipv6 fe_lpm6 value FE_TBL_LPM: the trie decides",
		ip6("2001:db8:1::2", "2001:db8:97::1", 64, IPPROTO_UDP), V_PASS,
		FE_PASS_NO_NEIGH);
	t->setup = linklocal_lpm6;
	t->xdp_only = true; /* TC hands it to bpf_redirect_neigh */
	add("ipv6 fe_lpm6 miss: the kernel's route",
	    ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_UDP), V_FWD,
	    -1)->setup = linklocal_lpm6;
	t = add("ipv6 link-local gateway not in the cache to kernel",
		ip6("2001:db8:1::2", "2001:db8:97::1", 64, IPPROTO_UDP), V_PASS,
		FE_PASS_NO_NEIGH);
	t->setup = linklocal_weighted;
	t->xdp_only = true; /* TC hands it to bpf_redirect_neigh */
	p = ip6("2001:db8:1::2", "2001:db8:98::1", 64, IPPROTO_UDP);
	ip6h(&p)->payload_len = htons(1400);
	p.len += 1400 - 16;
	t = add("ipv6 link-local gateway over the egress mtu to kernel", p,
		V_PASS, FE_PASS_MTU);
	t->setup = linklocal_weighted;
	add("ipv6 tcp forwarded",
	    ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_TCP), V_FWD, -1);
	add("ipv6 hop limit 1 to kernel",
	    ip6("2001:db8:1::2", "2001:db8:99::1", 1, IPPROTO_UDP), V_PASS,
	    FE_PASS_TTL);
	add("ipv6 hop-by-hop to kernel",
	    ip6("2001:db8:1::2", "2001:db8:99::1", 64, 0), V_PASS,
	    FE_PASS_IPV6_EXT);
	add("ipv6 fragment header to kernel",
	    ip6("2001:db8:1::2", "2001:db8:99::1", 64, 44), V_PASS,
	    FE_PASS_IPV6_EXT);
	add("ipv6 link-local destination to kernel",
	    ip6("2001:db8:1::2", "fe80::1", 64, IPPROTO_UDP), V_PASS,
	    FE_PASS_ADDR_SCOPE);
	add("ipv6 link-local source to kernel",
	    ip6("fe80::2", "2001:db8:99::1", 64, IPPROTO_UDP), V_PASS,
	    FE_PASS_MARTIAN_SRC);
	add("ipv6 multicast to kernel",
	    ip6("2001:db8:1::2", "ff02::1", 64, IPPROTO_UDP), V_PASS,
	    FE_PASS_ADDR_SCOPE);
	add("ipv6 to the router itself",
	    ip6("2001:db8:1::2", "2001:db8:1::1", 64, IPPROTO_UDP), V_PASS,
	    FE_PASS_NOT_FORWARDED);
	add("ipv6 no route to kernel",
	    ip6("2001:db8:1::2", "2001:db8:77::1", 64, IPPROTO_UDP), V_PASS,
	    FE_PASS_NOT_FORWARDED);
	p = ip6("2001:db8:1::2", "2001:db8:99::1", 64, IPPROTO_UDP);
	p.len -= 3;
	add("ipv6 truncated to kernel", p, V_PASS, FE_PASS_MALFORMED);
}

/* ------------------------------------------------------------------ */
/* Running                                                             */
/* ------------------------------------------------------------------ */

static int stats_fd;

static uint64_t counter(int pass_or_drop, int reason)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fe_if_stats st[ncpu];
	uint32_t key = in_ifindex;
	uint64_t sum = 0;

	if (bpf_map_lookup_elem(stats_fd, &key, st))
		return 0;
	for (int c = 0; c < ncpu; c++) {
		if (pass_or_drop == V_PASS)
			sum += st[c].pass[reason];
		else if (pass_or_drop == V_DROP)
			sum += st[c].drop[reason];
		else
			sum += st[c].fwd_packets;
	}
	return sum;
}

static struct ring_buffer *events;
static int mismatch_events;
static struct fe_dp_event last_event;

static int on_event(void *ctx, void *data, size_t len)
{
	const struct fe_dp_event *e = data;

	if (len >= sizeof(*e) && e->type == FE_EV_MIRROR_MISMATCH) {
		mismatch_events++;
		last_event = *e;
	}
	return 0;
}

static uint64_t policy_packets(uint32_t id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fe_policy_stats st[ncpu];
	uint64_t sum = 0;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.fe_polstats_v1), &id,
				st))
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += st[c].packets;
	return sum;
}

static void hexdiff(const uint8_t *a, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (a[i] != b[i])
			fprintf(stderr, "    byte %zu: got %02x want %02x\n", i,
				a[i], b[i]);
}

static bool run_case(const struct tcase *t, int prog_fd, bool xdp)
{
	uint8_t out[1700];
	struct xdp_md xctx = { .ingress_ifindex = in_ifindex };
	struct __sk_buff sctx = { .ifindex = in_ifindex,
				  .ingress_ifindex = in_ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = t->in.b,
		    .data_size_in = t->in.len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	const struct pkt *want = t->expect_out ? &t->out : &t->in;

	if (!xdp && t->has_out_tc)
		want = &t->out_tc;
	uint64_t before, after, pol_before;
	int want_ret;

	if (xdp) {
		xctx.data_end = t->in.len; /* the kernel wants the frame size */
		opts.ctx_in = &xctx;
		opts.ctx_size_in = sizeof(xctx);
	} else {
		opts.ctx_in = &sctx;
		opts.ctx_size_in = sizeof(sctx);
	}
	cur_pol = t->pol;
	ifinfo_flags(in_ifindex, 0); /* no checksum guard unless set up */
	if (t->setup)
		t->setup();
	ring_buffer__consume(events);
	mismatch_events = 0;
	before = counter(t->verdict, t->reason);
	pol_before = t->policy_id >= 0 ? policy_packets(t->policy_id) : 0;
	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "  test_run: %s\n", strerror(errno));
		return false;
	}
	after = counter(t->verdict, t->reason);
	ring_buffer__consume(events);
	if (t->expect_event &&
	    (mismatch_events != 1 || last_event.nhg_id != 79 ||
	     last_event.ifindex != (uint32_t)eg_ifindex ||
	     memcmp(last_event.dst, &ip4h((struct pkt *)&t->in)->daddr, 4))) {
		fprintf(stderr, "  %d mismatch events (nhg %u ifindex %u)\n",
			mismatch_events, last_event.nhg_id, last_event.ifindex);
		return false;
	}
	if (t->policy_id >= 0 &&
	    policy_packets(t->policy_id) != pol_before + 1) {
		fprintf(stderr, "  policy %d counter did not move\n",
			t->policy_id);
		return false;
	}

	switch (t->verdict) {
	case V_FWD:
		want_ret = xdp ? XDP_REDIRECT : TC_ACT_REDIRECT;
		break;
	case V_DROP:
		want_ret = xdp ? XDP_DROP : TC_ACT_SHOT;
		break;
	default:
		want_ret = xdp ? XDP_PASS : TC_ACT_OK;
	}
	if ((int)opts.retval != want_ret) {
		if (getenv("FE_DEBUG"))
			for (int r = 0; r < FE_PASS_MAX; r++)
				fprintf(stderr, "   pass[%d]=%llu\n", r,
					(unsigned long long)counter(V_PASS, r));
		fprintf(stderr, "  verdict %u, want %d\n", opts.retval, want_ret);
		return false;
	}
	if (after != before + 1) {
		if (getenv("FE_DEBUG"))
			for (int r = 0; r < FE_PASS_MAX; r++)
				fprintf(stderr, "   pass[%d]=%llu\n", r,
					(unsigned long long)counter(V_PASS, r));
		fprintf(stderr, "  counter %d/%d moved by %llu, want 1\n",
			t->verdict, t->reason,
			(unsigned long long)(after - before));
		return false;
	}
	if (opts.data_size_out != want->len ||
	    memcmp(out, want->b, want->len) != 0) {
		fprintf(stderr, "  output differs (%u bytes, want %zu)\n",
			opts.data_size_out, want->len);
		if (opts.data_size_out == want->len)
			hexdiff(out, want->b, want->len);
		return false;
	}
	return true;
}

/*
 * Weighted ECMP over many flows: the share of each path is within 3
 * points of its weight (group 77: eg0 3, ec0 1), and a flow sent again
 * takes the same path.
 */
/* One XDP run of p from in0, the output frame in out; the verdict or -1. */
static int xdp_run(int prog_fd, const struct pkt *p, uint8_t *out,
		   size_t out_size)
{
	struct xdp_md x = { .ingress_ifindex = in_ifindex, .data_end = p->len };
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = p->b,
		    .data_size_in = p->len, .data_out = out,
		    .data_size_out = out_size, .ctx_in = &x,
		    .ctx_size_in = sizeof(x), .repeat = 1);

	return bpf_prog_test_run_opts(prog_fd, &o) ? -1 : (int)o.retval;
}

static bool weighted_distribution(int prog_fd)
{
	static const uint8_t ec_neigh[ETH_ALEN] = { 2, 0, 0, 0, 5, 2 };
	int on_ec = 0, n = 2000;
	uint8_t out[1700];

	ecmp_weighted();
	for (int i = 0; i < n; i++) {
		struct pkt p = flow("198.18.20.1", 10000 + i);
		bool ec;

		if (xdp_run(prog_fd, &p, out, sizeof(out)) != XDP_REDIRECT)
			return false;
		ec = memcmp(out, ec_neigh, ETH_ALEN) == 0;
		on_ec += ec;
		/* the same flow again: the same path */
		if (xdp_run(prog_fd, &p, out, sizeof(out)) != XDP_REDIRECT ||
		    (memcmp(out, ec_neigh, ETH_ALEN) == 0) != ec)
			return false;
	}
	printf("# weighted 3:1 over %d flows: %.1f%% / %.1f%%\n", n,
	       100.0 * (n - on_ec) / n, 100.0 * on_ec / n);
	plain();
	return on_ec >= n * 22 / 100 && on_ec <= n * 28 / 100;
}

/* Sum over the CPUs of a per-CPU fe_fwd_stats value; 0 if absent. */
static uint64_t percpu_packets(int fd, const void *key, uint64_t *bytes)
{
	int ncpu = libbpf_num_possible_cpus();
	struct fe_fwd_stats v[256];
	uint64_t pk = 0;

	*bytes = 0;
	if (ncpu > 256 || bpf_map_lookup_elem(fd, key, v))
		return 0;
	for (int c = 0; c < ncpu; c++) {
		pk += v[c].packets;
		*bytes += v[c].bytes;
	}
	return pk;
}

/*
 * The direct path counts a group's paths in the group's slot of
 * fe_pathstats_v1 (path 0 of slot 5: index 80), not in fe_nhstats_v2; a
 * group without a slot counts in fe_nhstats_v2 as before.
 */
static bool path_slot_counters(int prog_fd)
{
	int nh_fd = bpf_map__fd(skel->maps.fe_nhg_v1);
	int ps_fd = bpf_map__fd(skel->maps.fe_pathstats_v1);
	int ns_fd = bpf_map__fd(skel->maps.fe_nhstats_v2);
	struct fe_nh_key k = { .ifindex = eg_ifindex, .family = AF_INET,
			       .nhg_id = 90 };
	static struct fe_nhg_val g;
	uint32_t id = 90, idx = 5 * FE_SLOT_PATHS;
	uint64_t ps0, ps1, ns0, ns1, psb0, psb1, nsb;
	struct pkt p = ip4("198.18.30.5", 64, 18);
	uint8_t out[1700];
	bool ok = true;

	inet_pton(AF_INET, "198.51.100.2", k.gw);
	direct_on();
	if (bpf_map_lookup_elem(nh_fd, &id, &g))
		return false;
	g.stats_slot = 5;
	bpf_map_update_elem(nh_fd, &id, &g, BPF_ANY);
	for (int round = 0; round < 2; round++) {
		ps0 = percpu_packets(ps_fd, &idx, &psb0);
		ns0 = percpu_packets(ns_fd, &k, &nsb);
		for (int i = 0; i < 10; i++)
			if (xdp_run(prog_fd, &p, out, sizeof(out)) != XDP_REDIRECT)
				ok = false;
		ps1 = percpu_packets(ps_fd, &idx, &psb1);
		ns1 = percpu_packets(ns_fd, &k, &nsb);
		if (round == 0) /* in the slot, bytes too, not in the hash */
			ok = ok && ps1 - ps0 == 10 && psb1 - psb0 == 10 * p.len &&
			     ns1 == ns0;
		else /* no slot: the hash */
			ok = ok && ps1 == ps0 && ns1 - ns0 == 10;
		g.stats_slot = 0;
		bpf_map_update_elem(nh_fd, &id, &g, BPF_ANY);
	}
	plain();
	set_direct(0);
	return ok;
}

/* Packets in fe_nhstats_v2 on ifindex whose gateway is gw (NULL: zero). */
static uint64_t nhstats_on(uint32_t ifindex, const char *gw)
{
	int fd = bpf_map__fd(skel->maps.fe_nhstats_v2);
	struct fe_nh_key k, next, *prev = NULL;
	uint8_t want[16] = {};
	uint64_t sum = 0, bytes;

	if (gw)
		inet_pton(AF_INET, gw, want);
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (k.ifindex == ifindex && k.family == AF_INET &&
		    !memcmp(k.gw, want, sizeof(want)))
			sum += percpu_packets(fd, &k, &bytes);
	}
	return sum;
}

/*
 * The FIB path forwarding to a host on a connected subnet counts on the
 * connected path (gateway zero), never one entry per host.
 */
static bool connected_host_counts_on_the_path(int prog_fd)
{
	struct pkt p = ip4("100.64.2.2", 64, 18);
	uint64_t path0 = nhstats_on(ec_ifindex, NULL);
	uint64_t host0 = nhstats_on(ec_ifindex, "100.64.2.2");
	uint8_t out[1700];
	bool ok = true;

	plain();
	for (int i = 0; i < 5; i++)
		if (xdp_run(prog_fd, &p, out, sizeof(out)) != XDP_REDIRECT)
			ok = false;
	return ok && nhstats_on(ec_ifindex, NULL) - path0 == 5 &&
	       nhstats_on(ec_ifindex, "100.64.2.2") == host0;
}

/*
 * Policy changes under a stream of packets: a thread runs the XDP
 * program on a packet that a drop policy covers in every set, while the
 * main thread switches between two such sets (different prefixes,
 * other policies beside) through the module's own code
 * (frr-module/ebpf_polgen.c). No run may see anything but the drop.
 * FE_POLSTRESS_INPLACE=1 rewrites the live tries in place instead (the
 * old way), to see the test catch that.
 */
struct stress {
	const struct pkt *p;
	int prog_fd;
	volatile bool stop;
	long runs, leaked;
};

static void *stress_runner(void *arg)
{
	struct stress *st = arg;
	uint8_t out[1700];

	while (!st->stop) {
		int rc = xdp_run(st->prog_fd, st->p, out, sizeof(out));

		st->runs++;
		if (rc != XDP_DROP)
			st->leaked++;
	}
	return NULL;
}

static void stress_put(int fd, struct fe_polmask *m, const char *dst,
		       int len, uint8_t action, uint32_t id)
{
	struct fe_lpm4_key k = { .prefixlen = len };
	struct fe_policy_val v = { .id = id, .action = action };

	inet_pton(AF_INET, dst, k.addr);
	bpf_map_update_elem(fd, &k, &v, BPF_ANY);
	fe_polmask_add(m, k.addr, len);
}

static bool policy_switch_never_uncovers_a_drop(int prog_fd)
{
	struct ebpf_polgen_maps maps;
	bool inplace = getenv("FE_POLSTRESS_INPLACE") != NULL;
	struct pkt p = ip4("198.18.1.10", 64, 18);
	struct stress st = { .p = &p, .prog_fd = prog_fd };
	struct fe_config cfg = { .ecmp_algo = FE_ECMP_KERNEL, .hash_l4 = 1 };
	pthread_t th;
	int switches = 300;

	if (ebpf_polgen_maps_of(skel->obj, &maps))
		return false;
	set_direct(0);
	for (int i = 0; i < switches; i++) {
		static struct fe_polmask mask[2];
		int gen = inplace ? 0 : ebpf_polgen_begin(&maps);

		if (gen < 0)
			break;
		memset(mask, 0, sizeof(mask));
		if (inplace) {
			clear_policies();
			cfg.npolicies = 0;
			bpf_map_update_elem(maps.config, &(uint32_t){ 0 }, &cfg,
					    BPF_ANY);
		}
		if (i % 2) {
			stress_put(maps.trie4[gen], &mask[0], "198.18.1.0", 24,
				   FE_POL_DROP, 1);
			stress_put(maps.trie4[gen], &mask[0], "198.18.0.0", 16,
				   FE_POL_COUNT, 2);
		} else {
			stress_put(maps.trie4[gen], &mask[0], "198.18.0.0", 16,
				   FE_POL_DROP, 3);
			stress_put(maps.trie4[gen], &mask[0], "198.18.2.0", 24,
				   FE_POL_KERNEL, 4);
		}
		cfg.npolicies = 2;
		if (ebpf_polgen_publish(&maps, gen, mask, &cfg))
			break;
		/* the stream starts once the first set is in */
		if (i == 0 && pthread_create(&th, NULL, stress_runner, &st))
			return false;
	}
	st.stop = true;
	pthread_join(th, NULL);
	printf("# %d policy switches under %ld packets: %ld not dropped\n",
	       switches, st.runs, st.leaked);
	/* back to generation 0 and no policies, for whatever runs next */
	cfg.npolicies = 0;
	cfg.policy_gen = 0;
	bpf_map_update_elem(maps.config, &(uint32_t){ 0 }, &cfg, BPF_ANY);
	clear_policies();
	return st.runs > 1000 && st.leaked == 0;
}

int main(void)
{
	struct fe_if_stats zero[256] = {};
	uint32_t eg = 0;
	int passed = 0, failed = 0, rc;

	setvbuf(stdout, NULL, _IONBF, 0);

	if (geteuid() != 0) {
		printf("SKIP: needs root (network namespace, BPF)\n");
		return SKIP;
	}
	if (setup_netns()) {
		printf("SKIP: cannot set up the test network namespace\n");
		return SKIP;
	}

	skel = fe_fwd__open();
	if (!skel) {
		printf("SKIP: cannot open the BPF object: %s\n", strerror(errno));
		return SKIP;
	}
	/* No pinning in tests: private maps. */
	{
		struct bpf_map *map;

		bpf_object__for_each_map(map, skel->obj)
			bpf_map__set_pin_path(map, NULL);
	}
	rc = fe_fwd__load(skel);
	if (rc) {
		/* A verifier rejection is a failure; no permission a skip. */
		printf("%s: the kernel refused to load the programs: %s\n",
		       rc == -EPERM ? "SKIP" : "FAIL", strerror(-rc));
		return rc == -EPERM ? SKIP : 1;
	}
	stats_fd = bpf_map__fd(skel->maps.fe_ifstats_v1);
	{
		uint32_t key = in_ifindex;

		if (libbpf_num_possible_cpus() > 256 ||
		    bpf_map_update_elem(stats_fd, &key, zero, BPF_ANY)) {
			fprintf(stderr, "cannot create the counters entry\n");
			return 1;
		}
	}
	eg = eg_ifindex;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_txports_v1), &eg, &eg,
			    BPF_ANY);
	eg = ec_ifindex;
	bpf_map_update_elem(bpf_map__fd(skel->maps.fe_txports_v1), &eg, &eg,
			    BPF_ANY);
	fill_mirror();
	fill_direct();
	events = ring_buffer__new(bpf_map__fd(skel->maps.fe_events_v1),
				  on_event, NULL, NULL);
	if (!events) {
		fprintf(stderr, "cannot open the event ring\n");
		return 1;
	}
	if (build_lpm4() || build_lpm6()) {
		fprintf(stderr, "cannot build the IPv4 or IPv6 route table: %s\n",
			strerror(errno));
		return 1;
	}
	{
		struct fe_vlan_key k = { .ifindex = in_ifindex, .vid = 100 };
		struct fe_vlan_out o = { .parent = eg_ifindex, .vid = 200 };
		uint32_t vif = in_ifindex, vl = vl_ifindex;

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.fe_vlanin_v1),
					&k, &vif, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.fe_vlanout_v1),
					&vl, &o, BPF_ANY)) {
			fprintf(stderr, "cannot fill the VLAN maps\n");
			return 1;
		}
	}

	build_cases();
	build_policy_cases();
	build_direct_policy_cases();
	for (int mode = 0; mode < 2; mode++) {
		bool xdp = mode == 0;
		int fd = bpf_program__fd(xdp ? skel->progs.fe_xdp
					     : skel->progs.fe_tc);

		for (int i = 0; i < ncases; i++) {
			const struct tcase *t = &cases[i];
			bool ok;

			if ((t->xdp_only && !xdp) || (t->tc_only && xdp))
				continue;
			ok = run_case(t, fd, xdp);
			printf("%s - %s: %s\n", ok ? "ok" : "FAIL",
			       xdp ? "xdp" : "tc", t->name);
			ok ? passed++ : failed++;
		}
	}
	{
		/* checks beyond the table, each on its own rig state */
		static const struct {
			bool (*run)(int prog_fd);
			const char *name;
		} extra[] = {
			{ weighted_distribution,
			  "weighted ECMP shares follow the weights" },
			{ path_slot_counters,
			  "direct path counts in its group's path slot" },
			{ connected_host_counts_on_the_path,
			  "a connected host counts on its path, not per host" },
			{ policy_switch_never_uncovers_a_drop,
			  "policy changes never uncover a drop under traffic" },
		};
		int fd = bpf_program__fd(skel->progs.fe_xdp);

		for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
			bool ok = extra[i].run(fd);

			printf("%s - xdp: %s\n", ok ? "ok" : "FAIL",
			       extra[i].name);
			ok ? passed++ : failed++;
		}
	}
	fe_fwd__destroy(skel);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
