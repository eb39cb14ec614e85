/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fast local repair: link-state watcher (ebpf_repair.c). */
#ifndef EBPF_REPAIR_H
#define EBPF_REPAIR_H

#include "frr_compat.h" /* struct fe_loop */


int ebpf_repair_start(struct fe_loop *tm);
void ebpf_repair_stop(void);

#endif /* EBPF_REPAIR_H */
