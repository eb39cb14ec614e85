// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The "stream" harness of bench/pkt_cost: one BPF_PROG_TEST_RUN call
 * with a large repeat times a stream of packets, each to a new
 * destination, through the program under test.
 *
 * A plain repeat re-runs a program on the same buffer: same destination,
 * and a forwarder's TTL decrement sends every run after the 254th to the
 * kernel. So each run here first writes the frame's header again from a
 * template, puts the next destination of a ring in it (stream_dsts,
 * filled by pkt_cost with random addresses inside the table's routes),
 * then tail-calls the program under test (slot 0 of stream_next_xdp or
 * stream_next_tc). The same wrapper runs in front of every program, and
 * in front of stream_null_*: pkt_cost subtracts that one.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "frame.bpf.h"
#include "stream.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stream_cfg);
} stream_cfg SEC(".maps");

/* destinations, network order; the loader sets max_entries */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} stream_dsts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} stream_next_xdp SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} stream_next_tc SEC(".maps");

/* The next frame in [data, data_end): 0, or -1 if it does not fit. */
static __always_inline int stream_frame(void *data, void *data_end)
{
	struct stream_cfg *cfg;
	__u32 k = 0, *dst;

	cfg = bpf_map_lookup_elem(&stream_cfg, &k);
	if (!cfg || bench_frame_header(data, data_end, cfg->hdr))
		return -1;
	k = cfg->next++ & cfg->mask;
	dst = bpf_map_lookup_elem(&stream_dsts, &k);
	if (!dst)
		return -1;
	bench_frame_dst(data, data_end, *dst);
	return 0;
}

SEC("xdp")
int stream_xdp(struct xdp_md *ctx)
{
	if (stream_frame((void *)(long)ctx->data, (void *)(long)ctx->data_end))
		return XDP_ABORTED;
	bpf_tail_call(ctx, &stream_next_xdp, 0);
	return XDP_ABORTED;
}

SEC("tc")
int stream_tc(struct __sk_buff *skb)
{
	if (stream_frame((void *)(long)skb->data, (void *)(long)skb->data_end))
		return TC_ACT_SHOT;
	bpf_tail_call(skb, &stream_next_tc, 0);
	return TC_ACT_SHOT;
}

/* The harness alone: what pkt_cost subtracts. */
SEC("xdp")
int stream_null_xdp(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int stream_null_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
