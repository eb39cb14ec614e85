/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `debug ebpf ...` switches; every debug log line is guarded by one. */
#ifndef EBPF_DEBUG_H
#define EBPF_DEBUG_H

#include <stdatomic.h>

#define EBPF_DEBUG_MIRROR 0x01

extern atomic_uint ebpf_debug_flags;

#define IS_EBPF_DEBUG_MIRROR                                                   \
	(atomic_load_explicit(&ebpf_debug_flags, memory_order_relaxed) &       \
	 EBPF_DEBUG_MIRROR)

#endif /* EBPF_DEBUG_H */
