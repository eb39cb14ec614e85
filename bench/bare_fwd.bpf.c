// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Benchmark baseline: the smallest useful XDP forwarder built on
 * bpf_fib_lookup, in the style of the kernel's samples/bpf/xdp_fwd: parse
 * Ethernet + IPv4/IPv6, TTL check, FIB lookup, MAC rewrite, TTL
 * decrement, devmap redirect. No checksum verification, no martian
 * filter, no counters: what fe_xdp costs on top of this is the price of
 * its checks and statistics.
 *
 * bare_null is the empty program: what BPF_PROG_TEST_RUN itself costs.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2
#define AF_INET6 10

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u32);
} bare_txports SEC(".maps");

static __always_inline void ip4_dec_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

SEC("xdp")
int bare_fwd(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct bpf_fib_lookup fib = {};
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6;
	struct iphdr *ip;
	int rc;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end || ip->ttl <= 1)
			return XDP_PASS;
		fib.family = AF_INET;
		fib.tos = ip->tos;
		fib.l4_protocol = ip->protocol;
		fib.tot_len = bpf_ntohs(ip->tot_len);
		fib.ipv4_src = ip->saddr;
		fib.ipv4_dst = ip->daddr;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end || ip6->hop_limit <= 1)
			return XDP_PASS;
		fib.family = AF_INET6;
		fib.l4_protocol = ip6->nexthdr;
		fib.tot_len = bpf_ntohs(ip6->payload_len);
		__builtin_memcpy(fib.ipv6_src, &ip6->saddr, 16);
		__builtin_memcpy(fib.ipv6_dst, &ip6->daddr, 16);
	} else {
		return XDP_PASS;
	}
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	if (!bpf_map_lookup_elem(&bare_txports, &fib.ifindex))
		return XDP_PASS;
	/* re-derive the L3 pointer: the verifier cannot follow ip/ip6
	 * through the join above
	 */
	if (fib.family == AF_INET) {
		ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		ip4_dec_ttl(ip);
	} else {
		ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		ip6->hop_limit--;
	}
	__builtin_memcpy(eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, fib.smac, ETH_ALEN);
	return bpf_redirect_map(&bare_txports, fib.ifindex, 0);
}

SEC("xdp")
int bare_null(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Key 0: the one egress of bare_redirect. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} bare_out SEC(".maps");

/*
 * The least a router can do: every frame out of one port, untouched (no
 * lookup, no rewrite). bench/rig_pps.py runs it as the "null" router, so
 * that the generator's, the veths' and the sink's share of a packet's
 * cost can be told apart from the router's.
 */
SEC("xdp")
int bare_redirect(struct xdp_md *ctx)
{
	__u32 zero = 0, *out = bpf_map_lookup_elem(&bare_out, &zero);

	return out ? bpf_redirect_map(&bare_txports, *out, 0) : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
