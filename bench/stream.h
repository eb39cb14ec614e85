/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What bench/pkt_cost writes for bench/stream.bpf.c before each call:
 * the frame's first 42 bytes (Ethernet, IPv4, UDP), the destination
 * ring's size - 1 (a power of two) and where the next run reads it.
 */
#ifndef BENCH_STREAM_H
#define BENCH_STREAM_H

#include <linux/types.h>

struct stream_cfg {
	__u64 hdr[6];
	__u32 mask;
	__u32 next;
};

#endif
