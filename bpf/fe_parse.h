/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Packet parsing for the fast path: Ethernet, IPv4, IPv6. Every access is
 * bounds-checked against data_end first; anything odd is reported as a
 * pass reason, never guessed at.
 */
#ifndef FE_PARSE_H
#define FE_PARSE_H

#include <stdbool.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "frr_ebpf_abi.h"

#define FE_OK (-1) /* parse went through; otherwise an fe_pass_reason */

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff

struct fe_vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct fe_pkt {
	void *data;
	void *data_end;        /* end of what the program can read */
	__u32 len;             /* the whole frame: a TC GSO/GRO packet is
				* longer than its linear part */
	bool gso;              /* TC: a GSO/GRO super-packet (MTU checks
				* are per segment: fe_tc) */
	struct ethhdr *eth;
	bool tagged;           /* one 802.1Q tag in the frame */
	bool tag_meta;         /* TC: the tag is in skb metadata (offload) */
	__u16 vid;
	struct iphdr *ip4;     /* one of ip4/ip6 is set */
	struct ipv6hdr *ip6;
	bool v4;               /* ip4 is the one: test this, not the pointer
				* (the verifier cannot tell that a packet
				* pointer kept on the stack is not NULL) */
	__u16 l3_len;          /* IP length from the header */
	__u16 mtu_len;         /* length to check against an MTU: l3_len,
				* 0 (no check here) for GSO */
	__u8 l4_proto;
	__be16 sport, dport;   /* 0 unless TCP/UDP and not a fragment */
	__u16 l4_off;          /* TCP/UDP header from data, 0 if none */
	bool otherhost;        /* TC: the kernel marked the frame
				* PACKET_OTHERHOST (not our MAC) */
};

/* RFC 1071 checksum of the 20-byte IPv4 header: 0 when it is valid. */
static __always_inline __u16 fe_ip4_csum(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 sum = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += w[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline void fe_parse_ports(struct fe_pkt *p, void *l4)
{
	__be16 *ports = l4;

	if (p->l4_proto != IPPROTO_TCP && p->l4_proto != IPPROTO_UDP)
		return;
	if ((void *)(ports + 2) > p->data_end)
		return;
	p->sport = ports[0];
	p->dport = ports[1];
	p->l4_off = l4 - p->data;
}

/*
 * The IP length against the frame (p->len, which for a TC GSO packet
 * is beyond the linear part): longer is malformed; shorter is Ethernet
 * padding, which Linux trims before forwarding: let it.
 */
static __always_inline int fe_check_len(struct fe_pkt *p, void *l3,
					__u32 hdr)
{
	__u32 l3_off = l3 - p->data;

	if (p->l3_len < hdr || l3_off + p->l3_len > p->len)
		return p->gso ? FE_PASS_GSO : FE_PASS_MALFORMED;
	if (l3_off + p->l3_len < p->len)
		return FE_PASS_PADDED;
	p->mtu_len = p->gso ? 0 : p->l3_len;
	return FE_OK;
}

static __always_inline int fe_parse_ip4(struct fe_pkt *p, void *l3)
{
	struct iphdr *ip = l3;
	__u16 frag;
	int rc;

	if ((void *)(ip + 1) > p->data_end)
		return FE_PASS_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return FE_PASS_MALFORMED;
	if (ip->ihl != 5)
		return FE_PASS_IP_OPTIONS;
	p->l3_len = bpf_ntohs(ip->tot_len);
	rc = fe_check_len(p, l3, sizeof(*ip));
	if (rc != FE_OK)
		return rc;
	if (fe_ip4_csum(ip) != 0)
		return FE_PASS_MALFORMED;
	/* Multicast, limited broadcast, zeronet and loopback destinations
	 * are the kernel's business; so are the sources Linux calls
	 * martian (the router's own addresses: fe_forward).
	 */
	if ((ip->daddr & bpf_htonl(0xf0000000)) == bpf_htonl(0xe0000000) ||
	    ip->daddr == 0xffffffff ||
	    (ip->daddr & bpf_htonl(0xff000000)) == 0 ||
	    (ip->daddr & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000))
		return FE_PASS_ADDR_SCOPE;
	if (bpf_ntohl(ip->saddr) >= 0xe0000000 || /* multicast, class E,
						  * limited broadcast */
	    (ip->saddr & bpf_htonl(0xff000000)) == 0 ||
	    (ip->saddr & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000))
		return FE_PASS_MARTIAN_SRC;
	if (ip->ttl <= 1)
		return FE_PASS_TTL;

	p->ip4 = ip;
	p->v4 = true;
	p->l4_proto = ip->protocol;
	frag = bpf_ntohs(ip->frag_off);
	/* Fragments are forwarded as they are, without L4 fields. */
	if (!(frag & (IP_MF | IP_OFFSET)))
		fe_parse_ports(p, ip + 1);
	return FE_OK;
}

static __always_inline bool fe_ip6_ext(__u8 nexthdr)
{
	switch (nexthdr) {
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS:
	case IPPROTO_MH:
	case 139: /* HIP */
	case 140: /* Shim6 */
	case 253: /* experimental */
	case 254:
		return true;
	}
	return false;
}

static __always_inline int fe_parse_ip6(struct fe_pkt *p, void *l3)
{
	struct ipv6hdr *ip6 = l3;
	__u8 d0, s0, d1;
	int rc;

	if ((void *)(ip6 + 1) > p->data_end)
		return FE_PASS_MALFORMED;
	if (ip6->version != 6)
		return FE_PASS_MALFORMED;
	p->l3_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	/* payload length 0: a jumbogram (or BIG TCP): the kernel's */
	if (!ip6->payload_len)
		return p->gso ? FE_PASS_GSO : FE_PASS_MALFORMED;
	rc = fe_check_len(p, l3, sizeof(*ip6));
	if (rc != FE_OK)
		return rc;
	d0 = ip6->daddr.in6_u.u6_addr8[0];
	d1 = ip6->daddr.in6_u.u6_addr8[1];
	s0 = ip6->saddr.in6_u.u6_addr8[0];
	/* multicast or link-local destinations; multicast, link-local,
	 * unspecified and loopback sources: never forwarded as unicast.
	 */
	if (d0 == 0xff || (d0 == 0xfe && (d1 & 0xc0) == 0x80))
		return FE_PASS_ADDR_SCOPE;
	if (s0 == 0xff ||
	    (s0 == 0xfe && (ip6->saddr.in6_u.u6_addr8[1] & 0xc0) == 0x80) ||
	    (ip6->saddr.in6_u.u6_addr32[0] == 0 &&
	     ip6->saddr.in6_u.u6_addr32[1] == 0 &&
	     ip6->saddr.in6_u.u6_addr32[2] == 0 &&
	     (ip6->saddr.in6_u.u6_addr32[3] == 0 ||
	      ip6->saddr.in6_u.u6_addr32[3] == bpf_htonl(1))))
		return FE_PASS_MARTIAN_SRC;
	if (fe_ip6_ext(ip6->nexthdr))
		return FE_PASS_IPV6_EXT;
	if (ip6->hop_limit <= 1)
		return FE_PASS_TTL;

	p->ip6 = ip6;
	p->l4_proto = ip6->nexthdr;
	fe_parse_ports(p, ip6 + 1);
	return FE_OK;
}

/* Ethernet with at most one 802.1Q tag, then IPv4 or IPv6. */
static __always_inline int fe_parse(struct fe_pkt *p)
{
	struct ethhdr *eth = p->data;
	void *l3 = eth + 1;
	__be16 proto;

	if ((void *)(eth + 1) > p->data_end)
		return FE_PASS_MALFORMED;
	p->eth = eth;
	/* Broadcast and multicast frames are never routed in the fast path. */
	if (eth->h_dest[0] & 1)
		return FE_PASS_L2_MULTICAST;

	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q)) {
		struct fe_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > p->data_end)
			return FE_PASS_MALFORMED;
		/* a second tag is QinQ: the kernel's */
		if (p->tag_meta)
			return FE_PASS_VLAN;
		p->tagged = true;
		p->vid = bpf_ntohs(vh->tci) & 0x0fff;
		proto = vh->proto;
		l3 = vh + 1;
	}

	switch (proto) {
	case bpf_htons(ETH_P_IP):
		return fe_parse_ip4(p, l3);
	case bpf_htons(ETH_P_IPV6):
		return fe_parse_ip6(p, l3);
	case bpf_htons(ETH_P_8021Q):
	case bpf_htons(ETH_P_8021AD):
		return FE_PASS_VLAN;
	}
	return FE_PASS_NOT_IP;
}

#endif /* FE_PARSE_H */
