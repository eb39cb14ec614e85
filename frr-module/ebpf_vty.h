/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CLI of the ebpf module: every `ebpf ...` and `show ebpf ...` command. */
#ifndef EBPF_VTY_H
#define EBPF_VTY_H

void ebpf_vty_init(void);
void ebpf_fastpath_vty_init(void);
void ebpf_policy_vty_init(void);
void ebpf_show_init(void);

struct vty;
int ebpf_policy_config_write(struct vty *vty);

#endif /* EBPF_VTY_H */
