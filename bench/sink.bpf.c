// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sink for bench/rig_pps.py: count IPv4 frames and drop them. Everything
 * else (ARP, IPv6 neighbour discovery) goes on to the kernel.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct sink_cnt {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sink_cnt);
} sink_cnt SEC(".maps");

SEC("xdp")
int sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct sink_cnt *c;
	__u32 k = 0;

	if ((void *)(eth + 1) > data_end ||
	    eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	c = bpf_map_lookup_elem(&sink_cnt, &k);
	if (c) {
		c->packets++;
		c->bytes += data_end - data;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
