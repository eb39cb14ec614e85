// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test program for fe_lpm6_lookup (bpf/fe_lpm6.h): looks up the IPv6
 * destination in the two maps, which the test fills through mmap with
 * lib/fe_lpm6. A hit is XDP_TX with the value (host order) written over
 * the first 4 bytes after the IPv6 header; a miss XDP_DROP.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "fe_lpm6.h"

FE_LPM6_ARRAY(FE_LPM6_TOP_VALUES) top SEC(".maps");

/* The test sets the real size before loading. */
FE_LPM6_ARRAY(4096) groups SEC(".maps");

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

SEC("xdp")
int lpm6_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u32 *out = (void *)(ip6 + 1);
	struct lpm6_arg a;

	if ((void *)(out + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IPV6))
		return XDP_ABORTED;
	__builtin_memcpy(a.addr, &ip6->daddr, 16);
	a.value = 0;
	if (lpm6_lookup(&a))
		return XDP_DROP;
	*out = a.value;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
