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
/* `ebpf fast-path interface IFNAME MODE` lines; returns how many. */
int ebpf_fastpath_config_write(struct vty *vty);

/* How an interface's fast path runs, beyond its mode (checksum guard,
 * XDP redirect target): JSON members, and lines for the text shows.
 */
struct json_object;
struct ebpf_fp_if;
void ebpf_fp_if_notes_json(struct json_object *ji, const struct ebpf_fp_if *f);
void ebpf_fp_if_notes_vty(struct vty *vty, const struct ebpf_fp_if *f);

#endif /* EBPF_VTY_H */
