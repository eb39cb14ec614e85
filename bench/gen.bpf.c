// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Traffic generators for bench/rig_pps.py, run with BPF_PROG_TEST_RUN and
 * BPF_F_TEST_XDP_LIVE_FRAMES.
 *
 * gen (the "veth" rig): ingress_ifindex = the source veth; every XDP_TX
 * sends one frame out of it, towards the router.
 *
 * gen_inject (the "inject" rig): run in the router's namespace with
 * ingress_ifindex = the router's ingress port, so that its frames are
 * received there without a veth hop. It writes the frame, then tail-calls
 * the XDP router under test in gen_next[0] (which sees the frame as
 * received on that port, and whose XDP_REDIRECT really transmits); with
 * the slot empty it returns XDP_PASS, and the kernel builds an skb and
 * hands it to the stack as received on that port (plain kernel
 * forwarding, or a TC program there).
 *
 * The frames come from a page pool and are recycled after the router (and
 * the sink) have rewritten them in place, so each run writes the whole
 * Ethernet/IPv4/UDP header again from gen_cfg, then, when gen_cfg.ndst is
 * not 0, a destination drawn at random from gen_dsts[0..ndst).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "frame.bpf.h"

struct gen_cfg {
	__u64 hdr[6];   /* the first 42 bytes of the frame */
	__u32 ndst;     /* 0: keep the template's destination */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_cfg);
} gen_cfg SEC(".maps");

/* destinations, network order; the loader sets max_entries */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gen_dsts SEC(".maps");

/* gen_inject: slot 0, the XDP router under test, or empty */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gen_next SEC(".maps");

/* Write the frame; 0 when done, else the XDP action to return. */
static __always_inline int gen_write(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct gen_cfg *cfg;
	__u32 k = 0, *dst;

	cfg = bpf_map_lookup_elem(&gen_cfg, &k);
	if (!cfg || bench_frame_header(data, data_end, cfg->hdr))
		return XDP_DROP;
	if (!cfg->ndst)
		return 0;
	k = bpf_get_prandom_u32() % cfg->ndst;
	dst = bpf_map_lookup_elem(&gen_dsts, &k);
	if (!dst)
		return XDP_DROP;
	bench_frame_dst(data, data_end, *dst);
	return 0;
}

SEC("xdp")
int gen(struct xdp_md *ctx)
{
	int act = gen_write(ctx);

	return act ? act : XDP_TX;
}

SEC("xdp")
int gen_inject(struct xdp_md *ctx)
{
	int act = gen_write(ctx);

	if (act)
		return act;
	bpf_tail_call(ctx, &gen_next, 0);
	return XDP_PASS; /* slot empty: to the stack, as received */
}

char LICENSE[] SEC("license") = "GPL";
