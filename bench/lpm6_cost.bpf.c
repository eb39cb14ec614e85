// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/lpm6_cost's programs: one IPv6 route lookup done `LOOKUPS` times
 * per run, over a ring of destinations held in a map, so that a run's
 * duration divided by LOOKUPS is the cost of one lookup to a new
 * destination, with BPF_PROG_TEST_RUN's own cost spread out:
 *
 *   l6_null   reads the destination only (the loop's own cost)
 *   l6_trie   the BPF LPM trie (what fe_route6_v1 costs per packet)
 *   l6_table  fe_lpm6_lookup on the array maps built by lib/fe_lpm6
 *   l6_fib    bpf_fib_lookup (AF_INET6) in the kernel FIB
 *
 * Each counts its hits in `hits`, for the driver to check.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "fe_lpm6.h"

#define AF_INET6 10
#define LOOKUPS 256
#define DESTS (1 << 16) /* ring size, a power of two */

struct dst6 {
	__u8 a[16];
};

struct lpm_key6 {
	__u32 prefixlen;
	__u8 a[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DESTS);
	__type(key, __u32);
	__type(value, struct dst6);
} dests SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 300000);
	__type(key, struct lpm_key6);
	__type(value, __u32);
} trie SEC(".maps");

FE_LPM6_ARRAY(FE_LPM6_TOP_VALUES) top SEC(".maps");

/* The driver sets the real size before loading. */
FE_LPM6_ARRAY(4096) groups SEC(".maps");

__u32 mask = DESTS - 1; /* destinations used: mask + 1 */
__u32 next;             /* ring position of the next run */
__u64 hits;

struct arg {
	__u8 a[16];
	__u32 value;
	__u32 ifindex;
};

__attribute__((noinline)) int do_null(struct arg *x)
{
	return x ? x->a[15] & 0 : -1;
}

__attribute__((noinline)) int do_trie(struct arg *x)
{
	struct lpm_key6 k = { .prefixlen = 128 };
	__u32 *v;

	if (!x)
		return -1;
	__builtin_memcpy(k.a, x->a, 16);
	v = bpf_map_lookup_elem(&trie, &k);
	if (!v)
		return -1;
	x->value = *v;
	return 0;
}

__attribute__((noinline)) int do_table(struct arg *x)
{
	if (!x)
		return -1;
	return fe_lpm6_lookup(&top, &groups, x->a, &x->value);
}

/* Run by l6_fib only: its context is the XDP one. */
static __always_inline int do_fib(struct xdp_md *ctx, struct arg *x)
{
	struct bpf_fib_lookup p = {
		.family = AF_INET6,
		.ifindex = ctx->ingress_ifindex,
	};

	__builtin_memcpy(p.ipv6_dst, x->a, 16);
	return bpf_fib_lookup(ctx, &p, sizeof(p), 0) ==
			       BPF_FIB_LKUP_RET_SUCCESS ? 0 : -1;
}

enum { DO_NULL, DO_TRIE, DO_TABLE, DO_FIB };

static __always_inline int run(struct xdp_md *ctx, int what)
{
	__u32 base = next, n = 0;

	for (int i = 0; i < LOOKUPS; i++) {
		__u32 key = (base + i) & mask;
		struct dst6 *d = bpf_map_lookup_elem(&dests, &key);
		struct arg x = {};
		int rc;

		if (!d)
			return XDP_ABORTED;
		__builtin_memcpy(x.a, d->a, 16);
		if (what == DO_NULL)
			rc = do_null(&x);
		else if (what == DO_TRIE)
			rc = do_trie(&x);
		else if (what == DO_TABLE)
			rc = do_table(&x);
		else
			rc = do_fib(ctx, &x);
		n += rc == 0;
	}
	next = base + LOOKUPS;
	__sync_fetch_and_add(&hits, n);
	return XDP_DROP;
}

SEC("xdp")
int l6_null(struct xdp_md *ctx)
{
	return run(ctx, DO_NULL);
}

SEC("xdp")
int l6_trie(struct xdp_md *ctx)
{
	return run(ctx, DO_TRIE);
}

SEC("xdp")
int l6_table(struct xdp_md *ctx)
{
	return run(ctx, DO_TABLE);
}

SEC("xdp")
int l6_fib(struct xdp_md *ctx)
{
	return run(ctx, DO_FIB);
}

char LICENSE[] SEC("license") = "GPL";
