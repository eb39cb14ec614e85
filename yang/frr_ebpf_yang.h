/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The YANG model yang/frr-ebpf.yang, embedded at build time (yang/embed.sh)
 * in the zebra module and in frr-ebpf-yangcheck.
 */
#ifndef FRR_EBPF_YANG_H
#define FRR_EBPF_YANG_H

extern const char frr_ebpf_yang_name[];	    /* "frr-ebpf" */
extern const char frr_ebpf_yang_revision[]; /* its newest revision */
extern const char frr_ebpf_yang_text[];	    /* the module, YANG syntax */

#endif /* FRR_EBPF_YANG_H */
