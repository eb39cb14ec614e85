/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frr-ebpf shared ABI: the one definition of every map name, key, value and
 * constant that both the BPF programs (bpf/) and userspace (lib/,
 * frr-module/, tools/) use.
 *
 * Layout rules:
 *  - keys are padded explicitly, so that no compiler inserts holes that
 *    would make two equal keys hash differently;
 *  - LPM keys start with the prefix length (the kernel requires it);
 *  - every map name carries a layout version suffix (_v1). Change a struct,
 *    bump the suffix: an old pinned map is then never read with a new
 *    layout, it is simply not found.
 */
#ifndef FRR_EBPF_ABI_H
#define FRR_EBPF_ABI_H

#ifdef __bpf__
#include <linux/types.h>
#else
#include <linux/types.h>
#include <stdint.h>
#endif

#define FE_ABI_VERSION 1

/* Map names (at most 15 characters: BPF_OBJ_NAME_LEN - 1). */
#define FE_MAP_ROUTE4 "fe_route4_v1"
#define FE_MAP_ROUTE6 "fe_route6_v1"
#define FE_MAP_NHG "fe_nhg_v1"

/* Default pin root; `ebpf pin-path PATH` changes it. */
#define FE_PIN_ROOT_DEFAULT "/sys/fs/bpf/frr-ebpf"

/*
 * Default map capacities. LPM tries and the NHG hash are created with
 * BPF_F_NO_PREALLOC, so a large capacity costs nothing until it is used.
 * A full Internet table is ~1M IPv4 and ~220k IPv6 prefixes (2026).
 */
#define FE_ROUTE4_MAX_DEFAULT 1200000
#define FE_ROUTE6_MAX_DEFAULT 300000
#define FE_NHG_MAX_DEFAULT 65536

/*
 * Groups (1 KiB each) of the route tables (bpf/fe_lpm6.h). Their arrays
 * start at FE_TBL_GROUPS_INITIAL and double when full, up to the limit
 * (`ebpf map-size dir24-groups|lpm6-groups`). A full IPv4 table needs
 * ~100k, a full IPv6 table (~1.1 a prefix) ~240k.
 */
#define FE_TBL_GROUPS_INITIAL 256
#define FE_L4_GROUPS_MAX_DEFAULT 1048576
#define FE_L6_GROUPS_MAX_DEFAULT 1048576

/* Table entry values (24 bits): an NHG id below FE_TBL_NONUNICAST. */
#define FE_TBL_NONUNICAST 0x800000 /* | enum fe_route_kind */
#define FE_TBL_LPM 0xffffff        /* ask the LPM trie */

/* Paths per nexthop group: at least zebra's MULTIPATH_NUM (Debian: 256). */
#define FE_MAX_PATHS 256

struct fe_lpm4_key {
	__u32 prefixlen;
	__u8 addr[4];
};

struct fe_lpm6_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* What a matching packet's route does. */
enum fe_route_kind {
	FE_ROUTE_UNICAST = 1,    /* forward by the nexthop group */
	FE_ROUTE_BLACKHOLE = 2,  /* silently drop */
	FE_ROUTE_UNREACHABLE = 3, /* drop, ICMP unreachable (kernel's job) */
	FE_ROUTE_PROHIBIT = 4,   /* drop, ICMP admin prohibited (kernel's job) */
};

/* Value of both route tries. */
struct fe_route_val {
	__u32 nhg_id;   /* key into FE_MAP_NHG; 0 for non-unicast kinds */
	__u32 metric;
	__u8 kind;      /* enum fe_route_kind */
	__u8 protocol;  /* zebra route type (ZEBRA_ROUTE_*), for display */
	__u8 distance;
	__u8 flags;     /* reserved, 0 */
};

enum fe_nh_type {
	FE_NH_IFINDEX = 1, /* directly connected: ARP/ND for the destination */
	FE_NH_IPV4 = 2,    /* gateway (addr[0..3]) via ifindex */
	FE_NH_IPV6 = 3,    /* gateway (addr[0..15]) via ifindex */
};

#define FE_NH_F_ONLINK 0x01 /* gateway is on-link even if no subnet says so */

struct fe_nexthop {
	__u32 ifindex;
	__u8 type;     /* enum fe_nh_type */
	__u8 flags;    /* FE_NH_F_* */
	__u16 weight;  /* as zebra gives it: 1..255, 1..65535 from FRR 10.5;
			* 0: down (local repair) */
	__u8 addr[16]; /* gateway; IPv4 in the first 4 bytes, rest zero */
};

/*
 * A nexthop group as the fast path uses it: the flat list of active,
 * resolved paths (recursion already followed by zebra), keyed by zebra's
 * NHG id, so that a path change is one map write however many routes use
 * the group.
 */
struct fe_nhg_val {
	__u16 count;        /* valid entries in nh[] (1..FE_MAX_PATHS) */
	__u16 stats_slot;   /* its per-path counters in fe_pathstats_v1
			     * (FE_SLOT_PATHS entries from
			     * stats_slot * FE_SLOT_PATHS); 0: none */
	__u32 total_weight; /* sum of the weights as written by zebra (for
			     * display; the selectors sum up paths that are
			     * up themselves) */
	struct fe_nexthop nh[FE_MAX_PATHS];
};

/* ------------------------------------------------------------------ */
/* Fast path                                                           */
/* ------------------------------------------------------------------ */

#define FE_MAP_IFSTATS "fe_ifstats_v1"
#define FE_MAP_TXPORTS "fe_txports_v1"
#define FE_MAP_VLAN_IN "fe_vlanin_v1"
#define FE_MAP_VLAN_OUT "fe_vlanout_v1"
#define FE_IFSTATS_MAX 1024 /* interfaces with the fast path attached */
#define FE_VLANS_MAX 4096

/*
 * 802.1Q subinterfaces. A tagged frame on `ifindex` with `vid` belongs to
 * the VLAN interface in fe_vlanin; a route out of a VLAN interface leaves
 * through its parent with the tag of fe_vlanout. The module fills both
 * from zebra's interface table.
 */
struct fe_vlan_key {
	__u32 ifindex; /* parent (the device the fast path is attached to) */
	__u16 vid;
	__u16 pad;
};

struct fe_vlan_out {
	__u32 parent; /* device that sends the tagged frame */
	__u16 vid;
	__u16 pad;
};

/* ------------------------------------------------------------------ */
/* Fast-path settings and policy overrides                             */
/* ------------------------------------------------------------------ */

#define FE_MAP_CONFIG "fe_config_v2"
/*
 * Two generations of policy tries: the module writes the one the
 * datapath does not read, then switches fe_config.policy_gen, so that a
 * packet sees the old policy set or the new one, never none or a mix.
 */
#define FE_MAP_POLICY4 "fe_policy4_v1"   /* generation 0 */
#define FE_MAP_POLICY6 "fe_policy6_v1"
#define FE_MAP_POLICY4_G1 "fe_pol4_g1_v1" /* generation 1 */
#define FE_MAP_POLICY6_G1 "fe_pol6_g1_v1"
#define FE_MAP_POLSTATS "fe_polstats_v1"
#define FE_POLICIES_MAX 1024

enum fe_ecmp_algo {
	FE_ECMP_KERNEL = 0,         /* bpf_fib_lookup picks (L4 ports given) */
	FE_ECMP_HASH_THRESHOLD = 1, /* RFC 2992 over the mirror's paths */
	FE_ECMP_WEIGHTED = 2,       /* zebra's weights */
	FE_ECMP_RESILIENT = 3,      /* slot table: minimal disruption */
};

/* Runtime settings, one entry (key 0), written by the module. */
struct fe_config {
	__u8 ecmp_algo;   /* enum fe_ecmp_algo */
	__u8 hash_l4;     /* 1: hash addresses, protocol and ports */
	__u16 npolicies;  /* policies in generation policy_gen; 0 skips the
			   * policy lookup */
	__u32 seed;
	__u8 direct4;     /* 1: IPv4 routed by the IPv4 table and the
			   * neighbour cache, bpf_fib_lookup as fallback */
	__u8 policy_gen;  /* policy tries and masks in use: 0 or 1 */
	__u8 pad[2];
};

/*
 * What the direct IPv4 path needs besides the routes, kept by the module
 * from the kernel (netlink) and zebra: neighbours, the local addresses
 * (never forwarded), and per interface its MAC, MTU and forwarding flag.
 */
#define FE_MAP_NEIGH "fe_neigh_v1"
#define FE_MAP_LOCAL4 "fe_local4_v1"
/* Prefilter of fe_local4_v1 (struct fe_localmask, one entry): most
 * packets are not for the router and skip its hash lookup.
 */
#define FE_MAP_LOCALMASK "fe_localmask_v2"
#define FE_MAP_IFINFO "fe_ifinfo_v3"
#define FE_NEIGH_MAX 65536
#define FE_LOCAL_MAX 4096

struct fe_neigh_key {
	__u32 ifindex;
	__u8 family;
	__u8 pad[3];
	__u8 addr[16];
};

struct fe_neigh_val {
	__u8 mac[6];
	__u16 pad;
};

/*
 * Interface records live in an array (an inlined lookup, no hashing: two
 * a packet on the direct path), slot ifindex % FE_IFINFO_SLOTS; the
 * record names its interface, and a packet whose interface is not the
 * one in its slot (two interfaces on one slot) takes the FIB path, and
 * in XDP goes to the kernel (its MAC is not known). (v1 was a hash by
 * ifindex; v2 had no flags.)
 */
#define FE_IFINFO_SLOTS 1024

/* fe_ifinfo.flags */
#define FE_IF_CSUM_GUARD 0x01 /* native XDP on a veth: its senders may hand
			       * over TCP/UDP with a partial checksum, which
			       * only the kernel can finish (see fe_xdp) */

struct fe_ifinfo {
	__u32 ifindex;  /* the interface in this slot, 0 for none */
	__u8 mac[6];
	__u8 fwd4;      /* net.ipv4.conf.IF.forwarding */
	__u8 vlan;      /* 1: maybe an 802.1Q interface (see fe_vlanout);
			 * 0: surely not, the fast path need not look */
	__u32 mtu;
	__u8 flags;     /* FE_IF_* */
	__u8 pad[3];
};

enum fe_policy_action {
	FE_POL_DROP = 1,
	FE_POL_KERNEL = 2,  /* hand to the kernel */
	FE_POL_COUNT = 3,   /* count, then forward as usual */
	FE_POL_NHG = 4,     /* forward by a given nexthop group */
	FE_POL_PIN = 5,     /* forward via this nexthop */
	FE_POL_EXCLUDE = 6, /* never via this nexthop */
};

/* Value of the policy tries (keys: fe_lpm4_key / fe_lpm6_key, the
 * destination). Source and ingress narrow the match further.
 */
struct fe_policy_val {
	__u32 id;       /* index into fe_polstats_v1 */
	__u8 action;    /* enum fe_policy_action */
	__u8 src_len;   /* 0: any source */
	__u8 pad[2];
	__u32 ingress;  /* ifindex, 0: any */
	__u32 nhg_id;   /* FE_POL_NHG */
	__u8 src[16];   /* source prefix, host bits clear */
	__u8 nh[16];    /* FE_POL_PIN / FE_POL_EXCLUDE gateway */
};

struct fe_policy_stats {
	__u64 packets;
	__u64 bytes;
};

/*
 * Why a packet went to the kernel instead of being forwarded. Every such
 * packet is handed over untouched; the kernel then does what Linux does
 * (forward, deliver, answer with ICMP, drop).
 */
enum fe_pass_reason {
	FE_PASS_NOT_IP,         /* ARP, LLDP, other ethertypes */
	FE_PASS_VLAN,           /* tag of no known VLAN interface, QinQ */
	FE_PASS_MALFORMED,      /* truncated, bad version/length/checksum */
	FE_PASS_PADDED,         /* frame longer than the IP packet */
	FE_PASS_L2_MULTICAST,   /* Ethernet broadcast or multicast */
	FE_PASS_ADDR_SCOPE,     /* destination multicast, broadcast,
				 * link-local, loopback, zero */
	FE_PASS_TTL,            /* TTL / hop limit <= 1: ICMP time exceeded */
	FE_PASS_IP_OPTIONS,     /* IPv4 options */
	FE_PASS_IPV6_EXT,       /* IPv6 extension headers */
	FE_PASS_NOT_FORWARDED,  /* for the router itself, or no route at all */
	FE_PASS_NO_ROUTE,       /* unreachable, prohibit: ICMP from the kernel */
	FE_PASS_NO_NEIGH,       /* neighbour not resolved yet */
	FE_PASS_MTU,            /* bigger than the egress MTU */
	FE_PASS_HAIRPIN,        /* out the way it came: ICMP redirect */
	FE_PASS_EGRESS_SLOW,    /* egress has no XDP fast path */
	FE_PASS_FWD_DISABLED,   /* forwarding off on the ingress interface */
	FE_PASS_OTHER,          /* any other fib lookup result */
	FE_PASS_POLICY,         /* a policy said: kernel */
	FE_PASS_NO_PATH,        /* policy or ECMP left no usable path */
	FE_PASS_OTHERHOST,      /* unicast to another MAC than the ingress
				 * interface's: Linux drops it */
	FE_PASS_MARTIAN_SRC,    /* IPv4/IPv6 source Linux never forwards
				 * from: multicast, broadcast, zero,
				 * loopback, link-local, the router's own */
	FE_PASS_CSUM_PARTIAL,   /* TCP/UDP with a partial checksum (a local
				 * sender's offload) on a native XDP veth:
				 * only the kernel holds what finishes it */
	FE_PASS_GSO,            /* TC: a GSO/GRO packet the fast path does
				 * not take (headers not linear, no length) */
	FE_PASS_IF_UNKNOWN,     /* XDP: ingress interface not (yet) in
				 * fe_ifinfo, its MAC unknown */
	FE_PASS_MAX,
};

enum fe_drop_reason {
	FE_DROP_BLACKHOLE, /* blackhole route: Linux drops silently too */
	FE_DROP_INTERNAL,  /* a tag could not be pushed/popped mid-rewrite */
	FE_DROP_POLICY,    /* a policy said: drop */
	FE_DROP_MAX,
};

/* ------------------------------------------------------------------ */
/* Datapath events (ring buffer, read by the module)                   */
/* ------------------------------------------------------------------ */

#define FE_MAP_EVENTS "fe_events_v1"
#define FE_EVENTS_BYTES (256 * 1024)
/* One packet in 2^FE_EV_SAMPLE_SHIFT is checked against the mirror. */
#define FE_EV_SAMPLE_SHIFT 10
/* At most this many events per second and CPU reach the ring. */
#define FE_EV_PER_SEC 20

enum fe_event_type {
	/* The mirror's route for a destination does not contain the path
	 * the kernel chose: the mirror and the kernel FIB disagree.
	 */
	FE_EV_MIRROR_MISMATCH = 1,
	/* The path the fast path chose has no resolved neighbour. The
	 * kernel would not resolve it (it forwards by its own choice): the
	 * module asks it to (NTF_USE). Not an operator event.
	 */
	FE_EV_NEIGH_MISSING = 2,
};

struct fe_dp_event {
	__u32 type;     /* enum fe_event_type */
	__u32 ifindex;  /* the kernel's egress */
	__u32 nhg_id;   /* the mirror's group for the destination */
	__u8 family;
	__u8 pad[3];
	__u8 dst[16];   /* the destination */
	__u8 gw[16];    /* the kernel's gateway (or the destination) */
	__u64 ts_ns;    /* bpf_ktime_get_ns() */
};

/* Per-CPU counters of what the fast path forwarded, per nexthop (the
 * kernel's or its own choice) and group it was chosen in (0 when the
 * group is not known): one lookup a packet; userspace sums them up per
 * nexthop and per group. (v1 had a map per nexthop and one per group.)
 */
#define FE_MAP_NHSTATS "fe_nhstats_v2"
#define FE_NHSTATS_MAX 16384

struct fe_nh_key {
	__u32 ifindex;
	__u8 family;    /* AF_INET or AF_INET6; gw of directly connected
			 * destinations is all zero */
	__u8 pad[3];
	__u8 gw[16];
	__u32 nhg_id;   /* the group, 0 if unknown */
};

struct fe_fwd_stats {
	__u64 packets;
	__u64 bytes;
};

/*
 * Per-CPU counters per path of a group, for the paths the fast path
 * chooses itself (the direct IPv4 path): an array index instead of a
 * hash lookup per packet. A group's counters are FE_SLOT_PATHS entries
 * from stats_slot * FE_SLOT_PATHS. The mirror gives a group a fresh
 * (zeroed) slot each time it writes it, so that an index always means
 * the same nexthop, and retires the old one: after a grace period it
 * adds the old slot's counts to fe_pathsums_v1 (by fe_nh_key, written by
 * the module only) and frees it. Slot 0 is never given. Groups of more
 * paths, or when no slot is free, count in fe_nhstats_v2.
 */
#define FE_MAP_PATHSTATS "fe_pathstats_v1"
#define FE_SLOT_PATHS 16
#define FE_STATS_SLOTS 1024 /* 1023 groups; 256 KiB per CPU */
#define FE_PATHSTATS_ENTRIES (FE_STATS_SLOTS * FE_SLOT_PATHS)
#define FE_MAP_PATHSUMS "fe_pathsums_v1"

/* Per-CPU counters of one interface with the fast path (key: ifindex). */
struct fe_if_stats {
	__u64 rx_packets;
	__u64 rx_bytes;
	__u64 fwd_packets;
	__u64 fwd_bytes;
	__u64 pass[FE_PASS_MAX];
	__u64 drop[FE_DROP_MAX];
};

#endif /* FRR_EBPF_ABI_H */
