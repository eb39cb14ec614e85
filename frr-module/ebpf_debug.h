/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `debug ebpf ...` switches; every debug log line is guarded by one. */
#ifndef EBPF_DEBUG_H
#define EBPF_DEBUG_H

#include <stdatomic.h>

#define EBPF_DEBUG_MIRROR 0x01
#define EBPF_DEBUG_DATAPATH 0x02
#define EBPF_DEBUG_EVENTS 0x04
#define EBPF_DEBUG_DETECTION 0x08

extern atomic_uint ebpf_debug_flags;

#define IS_EBPF_DEBUG_MIRROR                                                   \
	(atomic_load_explicit(&ebpf_debug_flags, memory_order_relaxed) &       \
	 EBPF_DEBUG_MIRROR)

#define IS_EBPF_DEBUG(flag)                                                    \
	(atomic_load_explicit(&ebpf_debug_flags, memory_order_relaxed) &       \
	 EBPF_DEBUG_##flag)

#endif /* EBPF_DEBUG_H */
