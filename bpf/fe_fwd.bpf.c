// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fast path: forward IPv4/IPv6 by the kernel's FIB (bpf_fib_lookup),
 * rewrite MACs, decrement TTL/hop limit, redirect. One shared body, two
 * thin entry points (XDP, TC). Whatever it cannot finish exactly as Linux
 * would goes to the kernel untouched, counted by reason.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "frr_ebpf_abi.h"
#include "fe_parse.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FE_IFSTATS_MAX);
	__type(key, __u32);
	__type(value, struct fe_if_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_ifstats_v1 SEC(".maps");

/*
 * XDP egress ports: interfaces whose fast path can take a redirect. Pinned
 * by the loader, not by libbpf: the kernel adds BPF_F_RDONLY_PROG to a
 * devmap, so libbpf's reuse check would refuse the pinned map.
 */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP_HASH);
	__uint(max_entries, FE_IFSTATS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} fe_txports_v1 SEC(".maps");

enum fe_action { FE_ACT_PASS, FE_ACT_DROP, FE_ACT_FWD };

struct fe_verdict {
	enum fe_action action;
	__u32 reason;   /* fe_pass_reason or fe_drop_reason */
	__u32 oif;      /* egress ifindex when forwarding */
};

/* ip_decrease_ttl(): incremental checksum update, as the kernel does. */
static __always_inline void fe_ip4_dec_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

static __always_inline int fe_fib_pass_reason(int rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		return FE_PASS_NOT_FORWARDED;
	case BPF_FIB_LKUP_RET_UNREACHABLE:
	case BPF_FIB_LKUP_RET_PROHIBIT:
		return FE_PASS_NO_ROUTE;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return FE_PASS_NO_NEIGH;
	case BPF_FIB_LKUP_RET_FRAG_NEEDED:
		return FE_PASS_MTU;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return FE_PASS_FWD_DISABLED;
	}
	return FE_PASS_OTHER;
}

/* The shared body: decide, and on FE_ACT_FWD rewrite the packet. */
static __always_inline void fe_forward(void *ctx, struct fe_pkt *p,
				       __u32 ifindex, bool xdp,
				       struct fe_verdict *v)
{
	struct bpf_fib_lookup fib = {};
	int rc;

	v->action = FE_ACT_PASS;
	rc = fe_parse(p);
	if (rc != FE_OK) {
		v->reason = rc;
		return;
	}

	fib.ifindex = ifindex;
	fib.l4_protocol = p->l4_proto;
	fib.sport = p->sport;
	fib.dport = p->dport;
	fib.tot_len = p->l3_len;
	if (p->ip4) {
		fib.family = AF_INET;
		fib.tos = p->ip4->tos;
		fib.ipv4_src = p->ip4->saddr;
		fib.ipv4_dst = p->ip4->daddr;
	} else if (p->ip6) {
		struct in6_addr *src = (struct in6_addr *)fib.ipv6_src;
		struct in6_addr *dst = (struct in6_addr *)fib.ipv6_dst;

		fib.family = AF_INET6;
		fib.flowinfo = *(__be32 *)p->ip6 & bpf_htonl(0x0FFFFFFF);
		*src = p->ip6->saddr;
		*dst = p->ip6->daddr;
	} else {
		v->reason = FE_PASS_MALFORMED;
		return;
	}

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_BLACKHOLE) {
		v->action = FE_ACT_DROP;
		v->reason = FE_DROP_BLACKHOLE;
		return;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		v->reason = fe_fib_pass_reason(rc);
		return;
	}
	if (fib.ifindex == ifindex) {
		v->reason = FE_PASS_HAIRPIN;
		return;
	}
	/* Check the egress before touching the packet: a redirect that
	 * fails after the rewrite would hand the kernel a mangled frame.
	 */
	if (xdp && !bpf_map_lookup_elem(&fe_txports_v1, &fib.ifindex)) {
		v->reason = FE_PASS_EGRESS_SLOW;
		return;
	}

	if (p->ip4)
		fe_ip4_dec_ttl(p->ip4);
	else
		p->ip6->hop_limit--;
	__builtin_memcpy(p->eth->h_dest, fib.dmac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_source, fib.smac, ETH_ALEN);
	v->action = FE_ACT_FWD;
	v->oif = fib.ifindex;
}

static __always_inline void fe_count(__u32 ifindex, __u64 bytes,
				     const struct fe_verdict *v)
{
	struct fe_if_stats *st = bpf_map_lookup_elem(&fe_ifstats_v1, &ifindex);

	if (!st)
		return;
	st->rx_packets++;
	st->rx_bytes += bytes;
	switch (v->action) {
	case FE_ACT_FWD:
		st->fwd_packets++;
		st->fwd_bytes += bytes;
		break;
	case FE_ACT_DROP:
		if (v->reason < FE_DROP_MAX)
			st->drop[v->reason]++;
		break;
	case FE_ACT_PASS:
		if (v->reason < FE_PASS_MAX)
			st->pass[v->reason]++;
		break;
	}
}

SEC("xdp")
int fe_xdp(struct xdp_md *ctx)
{
	struct fe_pkt p = {
		.data = (void *)(long)ctx->data,
		.data_end = (void *)(long)ctx->data_end,
	};
	struct fe_verdict v = {};
	__u32 ifindex = ctx->ingress_ifindex;

	fe_forward(ctx, &p, ifindex, true, &v);
	fe_count(ifindex, p.data_end - p.data, &v);
	switch (v.action) {
	case FE_ACT_FWD:
		return bpf_redirect_map(&fe_txports_v1, v.oif, 0);
	case FE_ACT_DROP:
		return XDP_DROP;
	default:
		return XDP_PASS;
	}
}

SEC("tc")
int fe_tc(struct __sk_buff *skb)
{
	struct fe_pkt p = {
		.data = (void *)(long)skb->data,
		.data_end = (void *)(long)skb->data_end,
	};
	struct fe_verdict v = {};
	__u32 ifindex = skb->ingress_ifindex;

	fe_forward(skb, &p, ifindex, false, &v);
	fe_count(ifindex, skb->len, &v);
	switch (v.action) {
	case FE_ACT_FWD:
		return bpf_redirect(v.oif, 0);
	case FE_ACT_DROP:
		return TC_ACT_SHOT;
	default:
		return TC_ACT_OK;
	}
}

char LICENSE[] SEC("license") = "GPL";
