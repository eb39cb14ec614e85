// SPDX-License-Identifier: GPL-2.0-or-later
/* Error code table of the ebpf module (see ebpf_errors.h). */
#include "lib/zebra.h"

#include "ebpf_errors.h"

static struct log_ref ebpf_ferr[] = {
	{
		.code = EC_EBPF_MAP_OPEN,
		.title = "eBPF mirror maps could not be opened",
		.description = "The module could not create, pin or adopt its BPF maps. Zebra keeps installing routes in the kernel; only the eBPF mirror is off.",
		.suggestion = "See `show ebpf mirror` for the reason. Run `frr-ebpf-prepare PATH` before zebra starts so that the pin path is on a bpf filesystem owned by frr; a zebra started with `ip netns exec` sees a fresh /sys without bpffs and needs a pin path outside /sys (`ebpf pin-path /run/frr-ebpf/NAME`). Check that zebra may use bpf() (CAP_BPF/CAP_SYS_ADMIN).",
	},
	{
		.code = EC_EBPF_MAP_WRITE,
		.title = "eBPF map write failed",
		.description = "A route or nexthop group could not be written to or removed from a BPF map.",
		.suggestion = "See `show ebpf mirror` for the error counters; check the kernel log.",
	},
	{
		.code = EC_EBPF_MAP_FULL,
		.title = "eBPF map full",
		.description = "A BPF map reached its capacity; further routes are not mirrored.",
		.suggestion = "Raise the size with `ebpf map-size ...`, remove the pinned maps and restart zebra.",
	},
	{
		.code = EC_EBPF_ROUTE_UNSUPPORTED,
		.title = "Route not representable in the eBPF mirror",
		.description = "A route had no active nexthop the mirror can encode (for example an MPLS or EVPN-only path).",
		.suggestion = "None needed: the kernel still forwards it; the route is counted as skipped.",
	},
	{
		.code = EC_EBPF_RECONCILE,
		.title = "eBPF mirror reconcile failed",
		.description = "Stale entries left by a previous zebra could not all be removed.",
		.suggestion = "Check `show ebpf mirror`; removing the pin path and restarting zebra rebuilds the mirror from scratch.",
	},
	{
		.code = EC_EBPF_CONFIG,
		.title = "eBPF configuration rejected",
		.description = "A configuration change could not be applied; the previous setting stays.",
		.suggestion = "Read the message; fix the value and apply it again.",
	},
	{
		.code = EC_EBPF_FASTPATH,
		.title = "eBPF fast path could not be loaded or attached",
		.description = "The XDP/TC programs could not be loaded, or not attached to an interface. The kernel keeps forwarding on that interface.",
		.suggestion = "Read the message: the driver may lack native XDP (use xdp-generic or tc), another XDP program may be attached, or BPF may not be permitted.",
	},
	{
		.code = EC_EBPF_DATAPATH_EVENT,
		.title = "eBPF datapath event",
		.description = "The fast path reported something the operator should know, e.g. that the RIB mirror and the kernel FIB disagree for a destination (the fast path then follows the kernel).",
		.suggestion = "See `show ebpf events`; compare `show ip route` with `ip route get`; a disagreement that persists points at routes installed outside zebra.",
	},
	{
		.code = EC_EBPF_FLAP,
		.title = "Route flapping",
		.description = "A prefix's selected route changed often enough for its flap penalty (RFC 2439 arithmetic, `ebpf flap-detection`) to cross the suppress threshold (flapping), or has decayed below the reuse threshold again (stable). Routes are not withheld; with `ebpf flap-detection action kernel` the fast path hands the prefix's traffic to the kernel while it flaps.",
		.suggestion = "See `show ebpf flaps` and `show ebpf events kind flapping`; find the unstable link or neighbour with `show ip route PREFIX` and the protocol's logs.",
	},
	{
		.code = EC_EBPF_HIJACK,
		.title = "Protected prefix alert",
		.description = "A prefix protected by `ebpf hijack protect` was selected with an unexpected origin AS, has a more-specific beyond its max-length or from an unexpected origin, was withdrawn, or changed origin (MOAS); or such an alert was cleared.",
		.suggestion = "See `show ebpf hijacks` and `show bgp PREFIX`; contact the announcing AS. With `mitigate` the fast path forwards the suspicious more-specific by the protected route; `clear ebpf hijack PREFIX` acknowledges the alerts.",
	},
	{
		.code = EC_EBPF_YANG,
		.title = "eBPF module YANG model not loaded",
		.description = "The frr-ebpf YANG model embedded in the module could not be loaded into zebra's YANG context, so `show yang module` does not list it. Zebra and the module work as before.",
		.suggestion = "Read libyang's message in the log; the module was probably built against another libyang or FRR. Rebuild it against the running FRR.",
	},
	{
		.code = EC_EBPF_VERSION,
		.title = "eBPF module built for another FRR version",
		.description = "The module was compiled against the headers of one FRR release and was loaded into a zebra or libfrr of another (e.g. after an FRR upgrade), or into a zebra of the same release that lacks a function or variable the module uses (another build of it). FRR does not check this itself; the module refused to initialise, so it registered no hooks and no commands. Zebra runs without it and keeps installing routes in the kernel. This code appears only in the log: a module that refused to initialise registers no error table either.",
		.suggestion = "Rebuild frr-ebpf against the source of the running FRR (./configure checks `zebra --version`) and restart zebra, or remove `-M ebpf` from zebra's options.",
	},
	{
		.code = END_FERR,
	},
};

void ebpf_error_init(void)
{
	log_ref_add(ebpf_ferr);
}
