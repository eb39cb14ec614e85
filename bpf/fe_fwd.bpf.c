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

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FE_VLANS_MAX);
	__type(key, struct fe_vlan_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_vlanin_v1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FE_VLANS_MAX);
	__type(key, __u32);
	__type(value, struct fe_vlan_out);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} fe_vlanout_v1 SEC(".maps");

enum fe_action { FE_ACT_PASS, FE_ACT_DROP, FE_ACT_FWD };

struct fe_verdict {
	enum fe_action action;
	__u32 reason;    /* fe_pass_reason or fe_drop_reason */
	__u32 oif;       /* device to send on (a VLAN's parent) */
	__u16 out_vid;   /* tag to send with, 0 for none */
	__be16 l3_proto; /* ETH_P_IP or ETH_P_IPV6, network order */
	__u8 dmac[ETH_ALEN];
	__u8 smac[ETH_ALEN];
};

/* ip_decrease_ttl(): incremental checksum update, as the kernel does. */
static __always_inline void fe_ip4_dec_ttl(struct iphdr *ip)
{
	__u32 check = ip->check;

	check += bpf_htons(0x0100);
	ip->check = (__u16)(check + (check >= 0xFFFF));
	ip->ttl--;
}

/*
 * Write the new L2 header (MACs, tag or none) at data, whose room has
 * been made already, and decrement TTL/hop limit in the L3 header after
 * it. Returns 0, or -1 if the frame is too short (cannot happen after a
 * successful parse, but the verifier wants the check).
 */
static __always_inline int fe_rewrite(void *data, void *data_end,
				      const struct fe_verdict *v, bool tag)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;

	if ((void *)(eth + 1) > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, v->dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, v->smac, ETH_ALEN);
	if (tag) {
		struct fe_vlan_hdr *vh = l3;

		if ((void *)(vh + 1) > data_end)
			return -1;
		eth->h_proto = bpf_htons(ETH_P_8021Q);
		vh->tci = bpf_htons(v->out_vid); /* PCP 0, as Linux by default */
		vh->proto = v->l3_proto;
		l3 = vh + 1;
	} else {
		eth->h_proto = v->l3_proto;
	}
	if (v->l3_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = l3;

		if ((void *)(ip + 1) > data_end)
			return -1;
		fe_ip4_dec_ttl(ip);
	} else {
		struct ipv6hdr *ip6 = l3;

		if ((void *)(ip6 + 1) > data_end)
			return -1;
		ip6->hop_limit--;
	}
	return 0;
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

/*
 * The shared body: decide. On FE_ACT_FWD the verdict says where and with
 * which L2 header; the entry point rewrites (it owns the frame's room).
 */
static __always_inline void fe_forward(void *ctx, struct fe_pkt *p,
				       __u32 ifindex, bool xdp,
				       struct fe_verdict *v)
{
	struct bpf_fib_lookup fib = {};
	struct fe_vlan_out *vout;
	__u32 l3if = ifindex;
	int rc;

	v->action = FE_ACT_PASS;
	rc = fe_parse(p);
	if (rc != FE_OK) {
		v->reason = rc;
		return;
	}
	/* A tagged frame belongs to the VLAN interface, if we know it. */
	if (p->tagged) {
		struct fe_vlan_key k = { .ifindex = ifindex, .vid = p->vid };
		__u32 *vif = bpf_map_lookup_elem(&fe_vlanin_v1, &k);

		if (!vif) {
			v->reason = FE_PASS_VLAN;
			return;
		}
		l3if = *vif;
	}

	fib.ifindex = l3if;
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
	if (fib.ifindex == l3if) {
		v->reason = FE_PASS_HAIRPIN;
		return;
	}
	/* Out of a VLAN interface: through its parent, tagged. */
	v->oif = fib.ifindex;
	v->out_vid = 0;
	vout = bpf_map_lookup_elem(&fe_vlanout_v1, &fib.ifindex);
	if (vout) {
		v->oif = vout->parent;
		v->out_vid = vout->vid;
	}
	/* Check the egress before touching the packet: a redirect that
	 * fails after the rewrite would hand the kernel a mangled frame.
	 */
	if (xdp && !bpf_map_lookup_elem(&fe_txports_v1, &v->oif)) {
		v->reason = FE_PASS_EGRESS_SLOW;
		return;
	}
	v->l3_proto = p->ip4 ? bpf_htons(ETH_P_IP) : bpf_htons(ETH_P_IPV6);
	__builtin_memcpy(v->dmac, fib.dmac, ETH_ALEN);
	__builtin_memcpy(v->smac, fib.smac, ETH_ALEN);
	v->action = FE_ACT_FWD;
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
	if (v.action == FE_ACT_FWD) {
		/* Make or take back room for the tag, then rewrite. */
		int delta = p.tagged == !!v.out_vid ? 0 : (p.tagged ? 4 : -4);

		if (delta && bpf_xdp_adjust_head(ctx, delta)) {
			v.action = FE_ACT_PASS; /* untouched so far */
			v.reason = FE_PASS_OTHER;
		} else if (fe_rewrite((void *)(long)ctx->data,
				      (void *)(long)ctx->data_end, &v,
				      v.out_vid)) {
			v.action = FE_ACT_DROP; /* unreachable in practice */
			v.reason = FE_DROP_INTERNAL;
		}
	}
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

	/* With VLAN offload the tag is in the skb, not in the frame. */
	if (skb->vlan_present) {
		p.tagged = p.tag_meta = true;
		p.vid = skb->vlan_tci & 0x0fff;
	}
	fe_forward(skb, &p, ifindex, false, &v);
	if (v.action == FE_ACT_FWD) {
		/* Tags travel as skb metadata on the way out. */
		if ((p.tagged && bpf_skb_vlan_pop(skb)) ||
		    (v.out_vid &&
		     bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), v.out_vid))) {
			v.action = FE_ACT_DROP;
			v.reason = FE_DROP_INTERNAL;
		} else if (fe_rewrite((void *)(long)skb->data,
				      (void *)(long)skb->data_end, &v, false)) {
			v.action = FE_ACT_DROP;
			v.reason = FE_DROP_INTERNAL;
		}
	}
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
