/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The module's memory group: its allocations in `show memory`. */
#ifndef EBPF_MEMORY_H
#define EBPF_MEMORY_H

#include "lib/memory.h"

DECLARE_MGROUP(EBPF);

#endif /* EBPF_MEMORY_H */
