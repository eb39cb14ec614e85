/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of the fast path's to-kernel and drop reasons (enum
 * fe_pass_reason, fe_drop_reason in bpf/frr_ebpf_abi.h), as `show ebpf
 * counters json` and the YANG model (yang/frr-ebpf.yang, container
 * toKernel / dropped) spell them. The one table of them: a unit test
 * fails when a reason has no name or two share one.
 */
#ifndef FE_REASONS_H
#define FE_REASONS_H

/* The reason's name, or NULL outside the enum or without a name. */
const char *fe_pass_reason_name(int reason);
const char *fe_drop_reason_name(int reason);

#endif /* FE_REASONS_H */
