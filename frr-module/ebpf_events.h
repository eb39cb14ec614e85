/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Datapath events: ring buffer reader and history (ebpf_events.c). */
#ifndef EBPF_EVENTS_H
#define EBPF_EVENTS_H

struct thread_master;

/* Start reading once the fast path is loaded (idempotent). */
void ebpf_events_attach(struct thread_master *tm);
void ebpf_events_close(void);
void ebpf_events_vty_init(void);

struct vty;
/* `ebpf events history N` when not the default; lines written. */
int ebpf_events_config_write(struct vty *vty);

#endif /* EBPF_EVENTS_H */
