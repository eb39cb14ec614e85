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
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>

#define HDR_LEN 42 /* Ethernet 14 + IPv4 20 + UDP 8 */

struct gen_cfg {
	__u64 hdr[6];   /* the first HDR_LEN bytes of the frame */
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
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u64 *w = data;
	struct gen_cfg *cfg;
	__u32 k = 0, sum = 0;
	__u16 *h;

	if (data + 48 > data_end)
		return XDP_DROP;
	cfg = bpf_map_lookup_elem(&gen_cfg, &k);
	if (!cfg)
		return XDP_DROP;
	w[0] = cfg->hdr[0];
	w[1] = cfg->hdr[1];
	w[2] = cfg->hdr[2];
	w[3] = cfg->hdr[3];
	w[4] = cfg->hdr[4];
	*(__u16 *)&w[5] = *(__u16 *)&cfg->hdr[5];
	if (!cfg->ndst)
		return 0;

	k = bpf_get_prandom_u32() % cfg->ndst;
	{
		__u32 *dst = bpf_map_lookup_elem(&gen_dsts, &k);

		if (!dst)
			return XDP_DROP;
		ip->daddr = *dst;
	}
	ip->check = 0;
	h = (__u16 *)ip;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += h[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~sum;
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
