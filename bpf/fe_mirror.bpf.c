// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The mirror maps: zebra's routes and nexthop groups, written by the
 * module's dataplane provider, read by the fast path and by tools.
 *
 * This object holds only map definitions. Pinned by name under the pin
 * root, so that programs loaded later (and a restarted zebra) reuse the
 * very same maps. Capacities are defaults; the module sets the configured
 * ones before load.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "frr_ebpf_abi.h"
#include "fe_maps.h"

char LICENSE[] SEC("license") = "GPL";
