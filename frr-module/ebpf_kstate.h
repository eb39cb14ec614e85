/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel state for the direct IPv4 path (ebpf_kstate.c). */
#ifndef EBPF_KSTATE_H
#define EBPF_KSTATE_H

#include <stdbool.h>

/* Neighbour listener; call once the fast path is loaded. */
int ebpf_kstate_start(void);
void ebpf_kstate_stop(void);

/* Refresh interfaces, local addresses and the rules check. */
void ebpf_kstate_sync(void);

/* May the direct path be used (no policy routing)? why: the reason not. */
bool ebpf_kstate_direct_ok(const char **why);

/* Have the kernel resolve a neighbour (a gateway the fast path chose). */
void ebpf_kstate_resolve(unsigned int ifindex, unsigned char family,
			 const unsigned char *addr);

#endif /* EBPF_KSTATE_H */
