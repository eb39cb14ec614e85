/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error codes of the ebpf module, shown by `show error <code>` and in every
 * operator-visible log line. The range 0xF2000001.. is unused by FRR 8.4.
 */
#ifndef EBPF_ERRORS_H
#define EBPF_ERRORS_H

#include "lib/ferr.h"

#define EBPF_FERR_START 0xF2000001

enum ebpf_log_refs {
	EC_EBPF_MAP_OPEN = EBPF_FERR_START,
	EC_EBPF_MAP_WRITE,
	EC_EBPF_MAP_FULL,
	EC_EBPF_ROUTE_UNSUPPORTED,
	EC_EBPF_RECONCILE,
	EC_EBPF_CONFIG,
	EC_EBPF_FASTPATH,
	EC_EBPF_DATAPATH_EVENT,
	EC_EBPF_FLAP,   /* a prefix started or stopped flapping */
	EC_EBPF_HIJACK, /* a protected prefix raised or cleared an alert */
	EC_EBPF_YANG,
	EC_EBPF_VERSION, /* loaded into another FRR: not initialised */
};

void ebpf_error_init(void);

#endif /* EBPF_ERRORS_H */
