/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The zebra dataplane provider that feeds the mirror (ebpf_dplane.c). */
#ifndef EBPF_DPLANE_H
#define EBPF_DPLANE_H

#include "ebpf_debug.h"

int ebpf_dplane_register(void);
void ebpf_dplane_config_ready(void);
bool ebpf_dplane_config_is_ready(void);
/* Mirror what the RIB has installed now (maps opened late); the number
 * of routes replayed.
 */
unsigned int ebpf_dplane_replay(void);

#endif /* EBPF_DPLANE_H */
