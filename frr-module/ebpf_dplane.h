/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The zebra dataplane provider that feeds the mirror (ebpf_dplane.c). */
#ifndef EBPF_DPLANE_H
#define EBPF_DPLANE_H

#include "ebpf_debug.h"

int ebpf_dplane_register(void);
void ebpf_dplane_config_ready(void);

#endif /* EBPF_DPLANE_H */
