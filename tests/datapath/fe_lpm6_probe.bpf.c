// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test program for the route table lookups (bpf/fe_lpm6.h): an IPv6
 * packet's destination is looked up with fe_lpm6_lookup in the IPv6
 * table (top, groups), an IPv4 packet's with fe_lpm4_lookup in the IPv4
 * table (top4, groups4). The test fills the top arrays and the group
 * arrays it puts in the groups maps' slot through mmap with lib/fe_lpm6,
 * as the module does. A hit is XDP_TX with the value (host order)
 * written over the first 4 bytes after the IP header; a miss XDP_DROP.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "fe_lpm6.h"

FE_LPM6_ARRAY(FE_LPM6_TOP_VALUES) top SEC(".maps");
FE_LPM6_GROUPS() groups SEC(".maps");

FE_LPM6_ARRAY(FE_LPM6_TOP_VALUES) top4 SEC(".maps");
FE_LPM6_GROUPS() groups4 SEC(".maps");

struct lpm6_arg {
	__u8 addr[16];
	__u32 value;
};

/* Global: the verifier checks the loop once, as fe_fwd.bpf.c's scans. */
__attribute__((noinline)) int lpm6_lookup(struct lpm6_arg *a)
{
	if (!a)
		return -1;
	return fe_lpm6_lookup(&top, &groups, a->addr, &a->value);
}

static __always_inline int probe6(struct ethhdr *eth, void *data_end)
{
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u32 *out = (void *)(ip6 + 1);
	struct lpm6_arg a;

	if ((void *)(out + 1) > data_end)
		return XDP_ABORTED;
	__builtin_memcpy(a.addr, &ip6->daddr, 16);
	a.value = 0;
	if (lpm6_lookup(&a))
		return XDP_DROP;
	*out = a.value;
	return XDP_TX;
}

static __always_inline int probe4(struct ethhdr *eth, void *data_end)
{
	struct iphdr *ip = (void *)(eth + 1);
	__u32 *out = (void *)(ip + 1);
	__u32 v = 0;

	if ((void *)(out + 1) > data_end)
		return XDP_ABORTED;
	if (fe_lpm4_lookup(&top4, &groups4, bpf_ntohl(ip->daddr), &v))
		return XDP_DROP;
	*out = v;
	return XDP_TX;
}

SEC("xdp")
int lpm6_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_IPV6))
		return probe6(eth, data_end);
	if (eth->h_proto == bpf_htons(ETH_P_IP))
		return probe4(eth, data_end);
	return XDP_ABORTED;
}

char LICENSE[] SEC("license") = "GPL";
