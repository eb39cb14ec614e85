// SPDX-License-Identifier: GPL-2.0-or-later
/* Names of the fast path's reasons: see fe_reasons.h. */
#include <stddef.h>

#include "bpf/frr_ebpf_abi.h"
#include "lib/fe_reasons.h"

static const char *const pass_names[FE_PASS_MAX] = {
	[FE_PASS_NOT_IP] = "notIp",
	[FE_PASS_VLAN] = "vlan",
	[FE_PASS_MALFORMED] = "malformed",
	[FE_PASS_PADDED] = "padded",
	[FE_PASS_L2_MULTICAST] = "l2Multicast",
	[FE_PASS_ADDR_SCOPE] = "addressScope",
	[FE_PASS_TTL] = "ttl",
	[FE_PASS_IP_OPTIONS] = "ipOptions",
	[FE_PASS_IPV6_EXT] = "ipv6ExtensionHeaders",
	[FE_PASS_NOT_FORWARDED] = "localOrNoRoute",
	[FE_PASS_NO_ROUTE] = "unreachable",
	[FE_PASS_NO_NEIGH] = "noNeighbour",
	[FE_PASS_MTU] = "mtu",
	[FE_PASS_HAIRPIN] = "hairpin",
	[FE_PASS_EGRESS_SLOW] = "egressWithoutFastPath",
	[FE_PASS_FWD_DISABLED] = "forwardingDisabled",
	[FE_PASS_OTHER] = "other",
	[FE_PASS_POLICY] = "policy",
	[FE_PASS_NO_PATH] = "noPath",
	[FE_PASS_OTHERHOST] = "foreignDestinationMac",
	[FE_PASS_MARTIAN_SRC] = "martianSource",
	[FE_PASS_CSUM_PARTIAL] = "checksumPartial",
	[FE_PASS_GSO] = "gso",
	[FE_PASS_IF_UNKNOWN] = "interfaceUnknown",
};

static const char *const drop_names[FE_DROP_MAX] = {
	[FE_DROP_BLACKHOLE] = "blackhole",
	[FE_DROP_INTERNAL] = "internal",
	[FE_DROP_POLICY] = "policy",
};

const char *fe_pass_reason_name(int reason)
{
	return reason >= 0 && reason < FE_PASS_MAX ? pass_names[reason] : NULL;
}

const char *fe_drop_reason_name(int reason)
{
	return reason >= 0 && reason < FE_DROP_MAX ? drop_names[reason] : NULL;
}
