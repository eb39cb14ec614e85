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
	void *data_end;
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
	__u8 l4_proto;
	__be16 sport, dport;   /* 0 unless TCP/UDP and not a fragment */
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
}

static __always_inline int fe_parse_ip4(struct fe_pkt *p, void *l3)
{
	struct iphdr *ip = l3;
	__u16 frag;

	if ((void *)(ip + 1) > p->data_end)
		return FE_PASS_MALFORMED;
	if (ip->version != 4 || ip->ihl < 5)
		return FE_PASS_MALFORMED;
	if (ip->ihl != 5)
		return FE_PASS_IP_OPTIONS;
	p->l3_len = bpf_ntohs(ip->tot_len);
	if (p->l3_len < sizeof(*ip) || l3 + p->l3_len > p->data_end)
		return FE_PASS_MALFORMED;
	/* Linux trims Ethernet padding before forwarding: let it. */
	if (l3 + p->l3_len < p->data_end)
		return FE_PASS_PADDED;
	if (fe_ip4_csum(ip) != 0)
		return FE_PASS_MALFORMED;
	/* Multicast, limited broadcast, zeronet and loopback sources or
	 * destinations are the kernel's business (martians included).
	 */
	if ((ip->daddr & bpf_htonl(0xf0000000)) == bpf_htonl(0xe0000000) ||
	    ip->daddr == 0xffffffff ||
	    (ip->saddr & bpf_htonl(0xf0000000)) == bpf_htonl(0xe0000000) ||
	    (ip->saddr & bpf_htonl(0xff000000)) == 0 ||
	    (ip->saddr & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000) ||
	    (ip->daddr & bpf_htonl(0xff000000)) == bpf_htonl(0x7f000000))
		return FE_PASS_ADDR_SCOPE;
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

	if ((void *)(ip6 + 1) > p->data_end)
		return FE_PASS_MALFORMED;
	if (ip6->version != 6)
		return FE_PASS_MALFORMED;
	p->l3_len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (l3 + p->l3_len > p->data_end)
		return FE_PASS_MALFORMED;
	if (l3 + p->l3_len < p->data_end)
		return FE_PASS_PADDED;
	d0 = ip6->daddr.in6_u.u6_addr8[0];
	d1 = ip6->daddr.in6_u.u6_addr8[1];
	s0 = ip6->saddr.in6_u.u6_addr8[0];
	/* multicast; link-local destination or source; unspecified and
	 * loopback sources: never forwarded as plain unicast.
	 */
	if (d0 == 0xff || s0 == 0xff ||
	    (d0 == 0xfe && (d1 & 0xc0) == 0x80) ||
	    (s0 == 0xfe && (ip6->saddr.in6_u.u6_addr8[1] & 0xc0) == 0x80) ||
	    (ip6->saddr.in6_u.u6_addr32[0] == 0 &&
	     ip6->saddr.in6_u.u6_addr32[1] == 0 &&
	     ip6->saddr.in6_u.u6_addr32[2] == 0 &&
	     (ip6->saddr.in6_u.u6_addr32[3] == 0 ||
	      ip6->saddr.in6_u.u6_addr32[3] == bpf_htonl(1))))
		return FE_PASS_ADDR_SCOPE;
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
