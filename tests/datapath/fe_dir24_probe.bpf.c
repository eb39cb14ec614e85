// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test programs for fe_dir24_lookup (bpf/fe_dir24.h) and fe_dxr_lookup
 * (bpf/fe_dxr.h): look up the IPv4 destination in the DIR-24-8 maps, or
 * through the compressed front in front of them, which the test fills
 * through mmap with lib/fe_dir24 and lib/fe_dxr. A hit is XDP_TX with
 * the value (host order) written over the first 4 bytes after the IPv4
 * header; a miss XDP_DROP.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include <stdbool.h>

#include "fe_dxr.h"

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

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FE_DXR_DIR_VALUES);
	__type(key, __u32);
	__type(value, struct fe_dir24_val);
} dxr_dir SEC(".maps");

/* The test sets the real size before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct fe_dir24_val);
} dxr_pool SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, FE_DXR_DICT_VALUES);
	__type(key, __u32);
	__type(value, struct fe_dir24_val);
} dxr_dict SEC(".maps");

static __always_inline int probe(struct xdp_md *ctx, bool front)
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
	if (front ? fe_dxr_lookup(&dxr_dir, &dxr_pool, &dxr_dict, &tbl24, &tbl8,
				  bpf_ntohl(ip->daddr), &value)
		  : fe_dir24_lookup(&tbl24, &tbl8, bpf_ntohl(ip->daddr),
				    &value))
		return XDP_DROP;
	*out = value;
	return XDP_TX;
}

SEC("xdp")
int dir24_probe(struct xdp_md *ctx)
{
	return probe(ctx, false);
}

SEC("xdp")
int dxr_probe(struct xdp_md *ctx)
{
	return probe(ctx, true);
}

char LICENSE[] SEC("license") = "GPL";
