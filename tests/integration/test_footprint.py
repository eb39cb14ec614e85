# SPDX-License-Identifier: GPL-2.0-or-later
"""Map memory in proportion to the table, with the real zebra and staticd:

- a small router (a dozen routes, the default configuration) keeps at
  most 16 MiB of map memory, as `show ebpf mirror json` reports it from
  the kernel (memlock of every map, the group arrays included);
- 100k IPv4 and 20k IPv6 routes make the route tables' group arrays grow
  (swapped in through the groups maps' slot while the fast path may read
  them), and after growing both tables still answer exactly what the
  route trie answers (`show ebpf route ADDR json`: routeTable.matchesTrie,
  read from the memory the fast path reads) for destinations inside and
  around the routes; the memory stays in proportion (per route);
- `ebpf map-size dir24-groups N` bounds the growth: a table that needs
  more is degraded (the fast path asks the trie), said so, not wrong.

Topology: r (zebra + module, staticd or bgpd) with one link to p, where
a bgpd without zebra originates the large tables.
"""
import ipaddress
import random
import time

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

MIB = 1 << 20
SMALL_BUDGET = 16 * MIB

SMALL_STATIC = """\
ip route 198.18.1.0/24 192.0.2.2
ip route 198.18.2.0/24 192.0.2.2
ip route 198.18.3.0/24 blackhole
ip route 198.18.5.0/25 192.0.2.2
ip route 203.0.113.64/26 192.0.2.2
ip route 10.0.0.0/8 192.0.2.2
ip route 10.1.2.0/28 192.0.2.2
ipv6 route 2001:db8:100::/48 2001:db8:1::2
ipv6 route 2001:db8:200::/56 2001:db8:1::2
ipv6 route 2001:db8:300::/64 blackhole
"""


@pytest.fixture(scope="module")
def lab():
    lab = frrlab.Lab("fe-fp")
    r = lab.netns("r")
    p = lab.netns("p")
    lab.link(r, "r-eth0", p, "p-eth0")
    lab.addresses(((r, "r-eth0", "192.0.2.1/24", "2001:db8:1::1/64"),
                   (p, "p-eth0", "192.0.2.2/24", "2001:db8:1::2/64")))
    lab.r, lab.p = r, p
    yield lab
    lab.close()


def mirror(z):
    return z.vty.json("show ebpf mirror json")


def wait_routes(z, v4, v6, timeout):
    """Wait until the mirror holds v4/v6 routes (at least)."""
    st = frrlab.wait_for(
        lambda: (lambda s: s if s["routes"]["ipv4"] >= v4
                 and s["routes"]["ipv6"] >= v6 else None)(mirror(z)),
        timeout=timeout, interval=1)
    assert st, f"mirror did not reach {v4}/{v6} routes: {mirror(z)['routes']}"
    return st


def dfz_like_v4(rng, n):
    """n distinct IPv4 prefixes, lengths roughly as in the DFZ (most /24,
    then /22-/23, some shorter and some longer), spread over the space."""
    lens = [24] * 58 + [23] * 10 + [22] * 12 + [20] * 6 + [16] * 4 + \
        [19] * 3 + [21] * 3 + [25] * 1 + [26] * 1 + [28] * 1 + [29] * 1
    out = set()
    while len(out) < n:
        plen = rng.choice(lens)
        # not 0, 10 (SMALL_STATIC), 127, 192 and 198 (the links), 224+
        first = rng.choice(list(range(1, 10)) + list(range(11, 127)) +
                           list(range(128, 192)) + list(range(193, 198)) +
                           list(range(199, 224)))
        addr = (first << 24) | rng.getrandbits(24)
        net = ipaddress.IPv4Network((addr, plen), strict=False)
        out.add(net)
    return sorted(out)


def dfz_like_v6(rng, n):
    """n distinct IPv6 prefixes under 2000::/3: /32 to /48 mostly."""
    lens = [48] * 50 + [32] * 15 + [40] * 8 + [44] * 8 + [36] * 5 + \
        [29] * 4 + [56] * 5 + [64] * 5
    out = set()
    while len(out) < n:
        plen = rng.choice(lens)
        addr = 1 << 125 | rng.getrandbits(125)  # 2000::/3
        if addr >> 96 == 0x20010db8:
            continue  # the link's 2001:db8::/32
        out.add(ipaddress.IPv6Network((addr, plen), strict=False))
    return sorted(out)


def check_exact(z, nets, rng, samples):
    """routeTable == trie for addresses inside, at the edges of and just
    outside sampled routes."""
    addrs = []
    for net in rng.sample(nets, samples):
        addrs.append(net.network_address)
        addrs.append(net.broadcast_address)
        addrs.append(net.network_address + rng.randrange(net.num_addresses))
        if int(net.broadcast_address) + 1 < (1 << net.max_prefixlen):
            addrs.append(net.broadcast_address + 1)
    bad = []
    for a in addrs:
        out = z.vty.json(f"show ebpf route {a} json")
        t = out.get("routeTable")
        if not t or not t["inUse"] or not t["matchesTrie"]:
            bad.append((str(a), out.get("route", {}).get("prefix"), t))
    assert not bad, f"{len(bad)} of {len(addrs)} disagree: {bad[:5]}"
    return len(addrs)


def test_small_router_fits_16_mib(lab):
    pin = lab.pin_path("small")
    z = lab.zebra(lab.r, f"ebpf pin-path {pin}\n")
    s = lab.staticd(lab.r, SMALL_STATIC)
    try:
        st = wait_routes(z, 8, 4, 30)
        assert st["syncState"] == "inSync"
        total = st["mapMemoryBytes"]
        per_map = {k: v["memoryBytes"] for k, v in st["maps"].items()}
        assert total == sum(per_map.values())
        # every map is charged something: the figure is the kernel's
        assert all(v > 0 for v in per_map.values()), per_map
        assert total <= SMALL_BUDGET, \
            f"{total} bytes of maps for a dozen routes: {per_map}"
        routes = st["routes"]["ipv4"] + st["routes"]["ipv6"]
        assert st["mapMemoryBytesPerRoute"] == total // routes
        for t in ("dir24", "lpm6"):
            assert st[t]["inUse"] and not st[t]["degraded"]
            assert st[t]["groupsTotal"] <= 256
        text = z.vty.cmd("show ebpf mirror")
        assert "Map memory:" in text and "per route" in text
        n = check_exact(z, [ipaddress.ip_network(l.split()[2])
                            for l in SMALL_STATIC.splitlines()],
                        random.Random(1), 10)
        assert n >= 30
    finally:
        s.stop()
        z.stop()


def feeder(lab, v4, v6=()):
    """A bgpd in p (no zebra) originating v4 and v6: staticd takes
    minutes over 100k lines, bgpd seconds."""
    conf = ["router bgp 65001", " bgp router-id 192.0.2.2",
            " no bgp ebgp-requires-policy", " no bgp network import-check",
            " neighbor 192.0.2.1 remote-as 65000",
            " neighbor 2001:db8:1::1 remote-as 65000",
            " address-family ipv4 unicast",
            " no neighbor 2001:db8:1::1 activate"]
    conf += [f"  network {n}" for n in v4]
    conf += [" exit-address-family", " address-family ipv6 unicast",
             "  neighbor 2001:db8:1::1 activate"]
    conf += [f"  network {n}" for n in v6]
    conf += [" exit-address-family"]
    return lab.bgpd(lab.p, "\n".join(conf) + "\n", args=["-Z"], timeout=300)


R_BGP = """\
router bgp 65000
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 neighbor 192.0.2.2 remote-as 65001
 neighbor 2001:db8:1::2 remote-as 65001
 address-family ipv4 unicast
  no neighbor 2001:db8:1::2 activate
 exit-address-family
 address-family ipv6 unicast
  neighbor 2001:db8:1::2 activate
 exit-address-family
"""


def test_tables_grow_with_the_table_and_stay_exact(lab):
    rng = random.Random(12)
    v4 = dfz_like_v4(rng, 100000)
    v6 = dfz_like_v6(rng, 20000)
    f = feeder(lab, v4, v6)
    pin = lab.pin_path("large")
    z = lab.zebra(lab.r, f"ebpf pin-path {pin}\n")
    s = lab.bgpd(lab.r, R_BGP)
    try:
        st = wait_routes(z, len(v4), len(v6), 600)
        st = frrlab.wait_for(
            lambda: (lambda x: x if x["syncState"] == "inSync" else None)(
                mirror(z)), timeout=60)
        for t, n in (("dir24", len(v4)), ("lpm6", len(v6))):
            tab = st[t]
            assert tab["inUse"] and not tab["degraded"], tab
            assert tab["errors"] == 0
            assert tab["prefixes"] >= n
            assert tab["grown"] >= 3, tab  # 256 -> at least 2048 groups
            assert tab["groupsUsed"] <= tab["groupsTotal"]
            # doubling: never more than twice what is used (plus slack
            # for groups waiting for a grace period)
            assert tab["groupsTotal"] <= 2 * tab["groupsUsed"] + 256, tab
        l4 = st["maps"]["fe_l4_grp_v1"]
        assert l4["maxEntries"] == st["dir24"]["groupsTotal"]
        assert l4["memoryBytes"] >= l4["maxEntries"] * 1024
        # in proportion: the group arrays (1 KiB a group, at most twice
        # what is used), the tries (~130 bytes a prefix in slab) and the
        # fixed maps of a small router (< 16 MiB)
        groups = st["dir24"]["groupsTotal"] + st["lpm6"]["groupsTotal"]
        routes = st["routes"]["ipv4"] + st["routes"]["ipv6"]
        bound = groups * 1024 * 1.05 + routes * 200 + SMALL_BUDGET
        assert st["mapMemoryBytes"] <= bound, (
            st["mapMemoryBytes"], bound,
            {k: v["memoryBytes"] for k, v in st["maps"].items()})
        check_exact(z, v4, rng, 150)
        check_exact(z, v6, rng, 60)
        # withdrawals fold groups back; the table stays exact
        gone = rng.sample(v4, 2000)
        f.vty.config("router bgp 65001", " address-family ipv4 unicast",
                     *[f"  no network {n}" for n in gone])
        left = sorted(set(v4) - set(gone))
        frrlab.wait_for(lambda: mirror(z)["routes"]["ipv4"] <= len(left) + 20,
                        timeout=120, interval=1)
        check_exact(z, gone, rng, 100)
        check_exact(z, left, rng, 100)
    finally:
        s.stop()
        z.stop()
        f.stop()


def test_group_limit_degrades_not_wrong(lab):
    rng = random.Random(5)
    v4 = dfz_like_v4(rng, 3000)
    f = feeder(lab, v4)
    pin = lab.pin_path("limit")
    z = lab.zebra(lab.r, f"ebpf pin-path {pin}\nebpf map-size dir24-groups 300\n")
    s = lab.bgpd(lab.r, R_BGP)
    try:
        wait_routes(z, len(v4), 0, 120)
        st = mirror(z)
        tab = st["dir24"]
        assert tab["groupsMax"] == 300
        assert tab["groupsTotal"] == 300, tab
        assert tab["degraded"] and not tab["inUse"], tab
        assert tab["errors"] >= 1
        assert st["lpm6"]["inUse"]
        # the fast path asks the trie: the mirror itself is complete
        assert st["routes"]["ipv4"] >= len(v4)
        assert "dir24-groups" in z.log()
    finally:
        s.stop()
        z.stop()
        f.stop()
