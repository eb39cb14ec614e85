/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Can an interface take XDP redirects (ndo_xdp_xmit)? A veth can only
 * when its peer has NAPI (an XDP program or GRO on); a redirect into
 * one that cannot is dropped after the program has already counted it
 * forwarded. The kernel says so in the device's XDP features
 * (NETDEV_XDP_ACT_NDO_XMIT, netdev generic netlink family, Linux 6.3+).
 */
#ifndef EBPF_XDPFEAT_H
#define EBPF_XDPFEAT_H

#include <stdint.h>

/* 1 yes, 0 no, -1 the kernel cannot tell (no netdev family). */
int ebpf_xdp_can_receive_redirects(uint32_t ifindex);

/*
 * A non-blocking socket that becomes readable when a device's XDP
 * features (or the device) change, or -errno (no netdev family). Read
 * and discard what arrives, then ask again.
 */
int ebpf_xdp_feature_watch(void);

#endif /* EBPF_XDPFEAT_H */
