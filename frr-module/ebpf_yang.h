/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The module's YANG model in zebra (see ebpf_yang.c). */
#ifndef EBPF_YANG_H
#define EBPF_YANG_H

/* Embed and load frr-ebpf; a failure is logged, zebra carries on. */
void ebpf_yang_init(void);

#endif /* EBPF_YANG_H */
