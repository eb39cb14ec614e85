/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Fast local repair: link-state watcher (ebpf_repair.c). */
#ifndef EBPF_REPAIR_H
#define EBPF_REPAIR_H

struct thread_master;

int ebpf_repair_start(struct thread_master *tm);
void ebpf_repair_stop(void);

#endif /* EBPF_REPAIR_H */
