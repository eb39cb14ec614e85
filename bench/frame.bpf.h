/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Frames of the benchmark programs (gen.bpf.c, stream.bpf.c), written in
 * place on every run: the programs under test rewrite the headers (MACs,
 * TTL), and the next run must start from the same frame.
 */
#ifndef BENCH_FRAME_BPF_H
#define BENCH_FRAME_BPF_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>

#define BENCH_FRAME_MIN 48 /* the header (42 bytes) in whole words */

/*
 * The first 42 bytes (Ethernet, IPv4, UDP) again from hdr; -1 if the
 * frame is shorter than BENCH_FRAME_MIN.
 */
static __always_inline int bench_frame_header(void *data, void *data_end,
					      const __u64 *hdr)
{
	__u64 *w = data;

	if (data + BENCH_FRAME_MIN > data_end)
		return -1;
	w[0] = hdr[0];
	w[1] = hdr[1];
	w[2] = hdr[2];
	w[3] = hdr[3];
	w[4] = hdr[4];
	*(__u16 *)&w[5] = *(const __u16 *)&hdr[5];
	return 0;
}

/* A new IPv4 destination (network order) and the header checksum for it;
 * only after bench_frame_header() succeeded on the same data.
 */
static __always_inline void bench_frame_dst(void *data, void *data_end,
					    __u32 daddr)
{
	struct iphdr *ip = data + sizeof(struct ethhdr);
	__u16 *h = (__u16 *)ip;
	__u32 sum = 0;

	if ((void *)(ip + 1) > data_end)
		return;
	ip->daddr = daddr;
	ip->check = 0;
#pragma unroll
	for (int i = 0; i < 10; i++)
		sum += h[i];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~sum;
}

#endif /* BENCH_FRAME_BPF_H */
