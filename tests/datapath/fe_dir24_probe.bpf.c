// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test program for fe_dir24_lookup (bpf/fe_dir24.h): looks up the IPv4
 * destination in the two DIR-24-8 maps, which the test fills through
 * mmap with lib/fe_dir24. A hit is XDP_TX with the value (host order)
 * written over the first 4 bytes after the IPv4 header; a miss XDP_DROP.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "fe_dir24.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FE_DIR24_TBL24_VALUES);
	__type(key, __u32);
	__type(value, struct fe_dir24_val);
} tbl24 SEC(".maps");

/* The test sets the real size before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct fe_dir24_val);
} tbl8 SEC(".maps");

SEC("xdp")
int dir24_probe(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	__u32 *out = (void *)(ip + 1);
	__u32 value;

	if ((void *)(out + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_ABORTED;
	if (fe_dir24_lookup(&tbl24, &tbl8, bpf_ntohl(ip->daddr), &value))
		return XDP_DROP;
	*out = value;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
