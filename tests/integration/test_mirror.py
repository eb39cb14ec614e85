# SPDX-License-Identifier: GPL-2.0-or-later
"""The mirror against the real Debian zebra and staticd in a network
namespace: after every change the pinned maps must hold exactly zebra's FIB
(main table, default VRF), read back with frr-ebpf-dump and compared with
`show ip route json` / `show ipv6 route json`.

Topology: r (zebra + staticd + module) with two links, to p and to q.
  r-eth0 192.0.2.1/24     2001:db8:1::1/64  <-> p 192.0.2.2     2001:db8:1::2
  r-eth1 198.51.100.1/24  2001:db8:2::1/64  <-> q 198.51.100.2  2001:db8:2::2
"""
import os
import signal
import time

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

STATIC_CONF = """\
ip route 198.18.1.0/24 192.0.2.2
ip route 198.18.2.0/24 192.0.2.2
ip route 198.18.2.0/24 198.51.100.2
ip route 198.18.3.0/24 blackhole
ip route 198.18.4.0/24 reject
ip route 198.18.5.0/25 198.18.2.9
ip route 198.18.6.0/24 192.0.2.2 table 100
ipv6 route 2001:db8:100::/48 2001:db8:1::2
ipv6 route 2001:db8:200::/48 2001:db8:1::2
ipv6 route 2001:db8:200::/48 2001:db8:2::2
ipv6 route 2001:db8:300::/48 blackhole
"""

CONFIGURED = ("198.18.1.0/24", "198.18.2.0/24", "198.18.3.0/24",
              "198.18.4.0/24", "198.18.5.0/25", "2001:db8:100::/48",
              "2001:db8:200::/48", "2001:db8:300::/48")


@pytest.fixture(scope="module")
def lab():
    lab = frrlab.Lab("fe-it")
    r = lab.netns("r")
    p = lab.netns("p")
    q = lab.netns("q")
    lab.link(r, "r-eth0", p, "p-eth0")
    lab.link(r, "r-eth1", q, "q-eth0")
    lab.addresses(((r, "r-eth0", "192.0.2.1/24", "2001:db8:1::1/64"),
                   (p, "p-eth0", "192.0.2.2/24", "2001:db8:1::2/64"),
                   (r, "r-eth1", "198.51.100.1/24", "2001:db8:2::1/64"),
                   (q, "q-eth0", "198.51.100.2/24", "2001:db8:2::2/64")))
    lab.r = r
    yield lab
    lab.close()


@pytest.fixture
def router(lab):
    """Start zebra (with the module) and staticd in r; stop them after."""
    started = []

    def start(zebra_conf="", static_conf=STATIC_CONF, pin=None, extra=()):
        pin = pin or lab.pin_path("mirror")
        z = lab.zebra(lab.r, f"ebpf pin-path {pin}\n" + zebra_conf,
                      extra=extra)
        s = lab.staticd(lab.r, static_conf)
        z.pin = pin
        started.extend([s, z])
        return z, s

    yield start
    for d in started:
        d.stop()
    # Kernel routes the tests added must not leak into the next test.
    lab.ip(lab.r, "route flush proto boot", check=False)


# ---------------------------------------------------------------------
# The comparison: zebra's FIB vs the maps
# ---------------------------------------------------------------------

def nh_kind(nh):
    if nh.get("reject"):
        return "unreachable"
    if nh.get("admin-prohibited"):
        return "prohibit"
    if nh.get("blackhole"):
        return "blackhole"
    return None


def zebra_fib(vty):
    """{prefix: (kind, frozenset of (gateway, ifindex))} of what zebra has
    installed in the main table, both families."""
    fib = {}
    for afi in ("ip", "ipv6"):
        for pfx, entries in vty.json(f"show {afi} route json").items():
            for e in entries:
                if not (e.get("selected") and e.get("installed")):
                    continue
                if e.get("table", 254) != 254:
                    continue
                kind, paths = "unicast", set()
                for nh in e["nexthops"]:
                    if nh.get("recursive") or not nh.get("fib"):
                        continue
                    if nh_kind(nh):
                        kind = nh_kind(nh)
                        continue
                    paths.add((nh.get("ip", ""), nh["interfaceIndex"]))
                fib[pfx] = (kind, frozenset(paths))
    return fib


def mirror_fib(pin):
    dump = frrlab.dump_mirror(pin)
    nhgs = dump["nexthopGroups"]
    out = {}
    for fam in ("ipv4", "ipv6"):
        for r in dump[fam]:
            paths = frozenset()
            if r["kind"] == "unicast":
                g = nhgs.get(str(r["nhgId"]))
                assert g, f"{r['prefix']}: nexthop group {r['nhgId']} missing"
                # A path marked down (weight 0, local repair) is not one
                # the fast path takes: FRR 10 keeps the group's id when a
                # link goes down, as the kernel keeps the nexthop object,
                # so the group keeps it, down, until zebra rewrites it.
                paths = frozenset((p["gateway"], p["ifindex"])
                                  for p in g["paths"] if p["weight"])
            out[r["prefix"]] = (r["kind"], paths)
    return out, dump


def assert_mirror_equals_fib(z, present=(), absent=(), timeout=15):
    """Wait until zebra's FIB has settled (the prefixes in `present` are
    installed, those in `absent` are not) and the maps equal it; fail with
    the difference."""
    state = {}

    def equal():
        state["fib"] = zebra_fib(z.vty)
        state["mirror"], state["dump"] = mirror_fib(z.pin)
        settled = all(p in state["fib"] for p in present) and \
            not any(p in state["fib"] for p in absent)
        return settled and state["fib"] == state["mirror"]

    if not frrlab.wait_for(equal, timeout=timeout):
        fib, mirror = state["fib"], state["mirror"]
        missing = [p for p in present if p not in fib]
        assert not missing, f"zebra never installed {missing}"
        diff = {k: (fib.get(k), mirror.get(k))
                for k in set(fib) | set(mirror) if fib.get(k) != mirror.get(k)}
        pytest.fail(f"mirror differs from zebra's FIB (zebra, mirror): {diff}")
    # No orphan groups: every group in the map is used by a route or
    # held by zebra; at least every route's group is there (checked above).
    return state["mirror"], state["dump"]


def mirror_state(z):
    return z.vty.json("show ebpf mirror json")


# ---------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------

def test_initial_rib_is_mirrored(router):
    z, _ = router()
    mirror, dump = assert_mirror_equals_fib(z, present=CONFIGURED)

    # The configured cases are all there, with the right shape.
    assert mirror["198.18.1.0/24"] == ("unicast", {("192.0.2.2", ifindex(z, "r-eth0"))})
    assert len(mirror["198.18.2.0/24"][1]) == 2, "ECMP route lost a path"
    assert mirror["198.18.3.0/24"] == ("blackhole", frozenset())
    assert mirror["198.18.4.0/24"] == ("unreachable", frozenset())
    # Recursive via the ECMP route: resolved to both paths.
    assert mirror["198.18.5.0/25"][1] == mirror["198.18.2.0/24"][1]
    assert len(mirror["2001:db8:200::/48"][1]) == 2
    assert mirror["2001:db8:300::/48"][0] == "blackhole"
    # Connected routes are mirrored too.
    assert mirror["192.0.2.0/24"][0] == "unicast"
    assert mirror["2001:db8:2::/64"][0] == "unicast"
    # Other tables are skipped, visibly.
    assert "198.18.6.0/24" not in mirror
    st = mirror_state(z)
    assert st["counters"]["skippedOtherTable"] >= 1
    assert st["syncState"] == "inSync"
    assert st["routes"]["ipv4"] == len(dump["ipv4"])
    assert st["routes"]["ipv6"] == len(dump["ipv6"])
    assert st["nexthopGroups"] == len(dump["nexthopGroups"])
    assert st["counters"]["errors"] == 0
    assert st["mapMemoryBytes"] > 0
    # the IPv4 routes are also in the IPv4 route table, the IPv6 ones in
    # the IPv6 route table, and both are in use
    assert st["dir24"]["inUse"] is True
    assert st["dir24"]["prefixes"] == len(dump["ipv4"])
    assert st["lpm6"]["inUse"] is True
    assert st["lpm6"]["prefixes"] == len(dump["ipv6"])


def ifindex(z, dev):
    return int(frrlab.sh(["ip", "netns", "exec", z.ns, "cat",
                          f"/sys/class/net/{dev}/ifindex"]).strip())


def test_changes_are_followed(router, lab):
    z, s = router()
    assert_mirror_equals_fib(z, present=CONFIGURED)

    # add, change (ECMP -> single path), delete
    s.vty.config("ip route 198.18.10.0/24 198.51.100.2",
                 "ipv6 route 2001:db8:400::/48 2001:db8:2::2")
    mirror, _ = assert_mirror_equals_fib(
        z, present=("198.18.10.0/24", "2001:db8:400::/48"))

    s.vty.config("no ip route 198.18.2.0/24 198.51.100.2")
    assert frrlab.wait_for(
        lambda: len(zebra_fib(z.vty)["198.18.2.0/24"][1]) == 1)
    mirror, _ = assert_mirror_equals_fib(z)
    assert len(mirror["198.18.2.0/24"][1]) == 1

    s.vty.config("no ip route 198.18.10.0/24 198.51.100.2",
                 "no ipv6 route 2001:db8:400::/48 2001:db8:2::2")
    mirror, _ = assert_mirror_equals_fib(
        z, absent=("198.18.10.0/24", "2001:db8:400::/48"))
    assert "198.18.10.0/24" not in mirror

    # kernel routes (added outside FRR) come and go too
    lab.ip(lab.r, "route add 198.18.11.0/24 via 198.51.100.2 proto boot")
    lab.ip(lab.r, "-6 route add 2001:db8:500::/48 via 2001:db8:2::2 proto boot")
    mirror, _ = assert_mirror_equals_fib(
        z, present=("198.18.11.0/24", "2001:db8:500::/48"))
    lab.ip(lab.r, "route del 198.18.11.0/24")
    mirror, _ = assert_mirror_equals_fib(z, absent=("198.18.11.0/24",))
    assert "198.18.11.0/24" not in mirror

    # a link goes down: its connected routes and the paths over it leave
    lab.ip(lab.r, "link set r-eth1 down")
    try:
        mirror, dump = assert_mirror_equals_fib(z, absent=("198.51.100.0/24",))
        assert "198.51.100.0/24" not in mirror
        # the IPv6 ECMP route keeps only its path over r-eth0
        assert len(mirror["2001:db8:200::/48"][1]) == 1
    finally:
        lab.ip(lab.r, "link set r-eth1 up")
        # Linux drops IPv6 addresses on link down: put it back
        lab.ip(lab.r, "addr replace 2001:db8:2::1/64 dev r-eth1 nodad")
    assert frrlab.wait_for(
        lambda: len(zebra_fib(z.vty)["2001:db8:200::/48"][1]) == 2)
    mirror, dump = assert_mirror_equals_fib(
        z, present=CONFIGURED + ("198.51.100.0/24",))
    assert len(mirror["2001:db8:200::/48"][1]) == 2

    # The map holds exactly the groups the module accounts for (used by
    # a route or still held by zebra, which keeps unused groups a while,
    # as the kernel does): no orphans.
    used = {str(r["nhgId"]) for f in ("ipv4", "ipv6") for r in dump[f]
            if r["kind"] == "unicast"}
    st = mirror_state(z)
    assert used <= set(dump["nexthopGroups"])
    assert st["nexthopGroups"] == len(dump["nexthopGroups"])
    assert st["counters"]["routeDeletes"] > 0
    assert st["counters"]["routeUpdates"] > 0


def test_restart_reconciles_without_emptying(router, lab):
    z, s = router()
    before, _ = assert_mirror_equals_fib(z, present=CONFIGURED)
    pin = z.pin

    # zebra goes away: the maps stay pinned and keep their routes
    z.stop()
    s.stop()
    frozen, _ = mirror_fib(pin)
    assert frozen == before

    # routes change while zebra is down: 198.18.1.0/24 goes, .12 comes
    conf = STATIC_CONF.replace("ip route 198.18.1.0/24 192.0.2.2\n", "") \
        + "ip route 198.18.12.0/24 192.0.2.2\n"
    z, s = router(zebra_conf="ebpf reconcile-delay 4\n", static_conf=conf,
                  pin=pin)
    # while the RIB is replayed, stale entries still forward
    st = mirror_state(z)
    assert st["syncState"] == "reconciling"
    assert st["adoptedPinnedMaps"] is True
    # rebuilt from the replay: not trusted until the reconcile is done
    assert st["dir24"]["inUse"] is False
    assert st["lpm6"]["inUse"] is False
    assert "198.18.1.0/24" in mirror_fib(pin)[0]

    assert frrlab.wait_for(
        lambda: mirror_state(z)["syncState"] == "inSync", timeout=30), \
        "reconcile never finished"
    mirror, _ = assert_mirror_equals_fib(z, present=("198.18.12.0/24",))
    assert "198.18.1.0/24" not in mirror
    st = mirror_state(z)
    assert st["counters"]["staleSwept"] >= 1
    assert st["dir24"]["inUse"] is True
    assert st["dir24"]["prefixes"] == st["routes"]["ipv4"]
    assert st["lpm6"]["inUse"] is True
    assert st["lpm6"]["prefixes"] == st["routes"]["ipv6"]
    assert "reconcile done" in z.log()


def test_no_bpffs_zebra_keeps_routing(router, lab):
    # a pin path on tmpfs, not bpffs
    notbpf = os.path.join(lab.rundir, "not-bpffs")
    os.makedirs(notbpf, exist_ok=True)
    os.chown(notbpf, lab.frr_uid, lab.frr_gid)
    z, _ = router(pin=notbpf)

    def kernel_has_route():
        return "198.18.1.0/24" in lab.ip(lab.r, "route show 198.18.1.0/24")

    assert frrlab.wait_for(kernel_has_route), "zebra stopped installing routes"
    st = mirror_state(z)
    assert st["syncState"] == "failed"
    assert "not on a bpf filesystem" in st["reason"]
    assert st["counters"]["skippedMirrorOff"] > 0
    # logged with the module's error code
    assert "EC 4060086273" in z.log()  # 0xF2000001, EC_EBPF_MAP_OPEN
    # every context went back to zebra: routes are marked installed (the
    # wait above was for the IPv4 kernel route only; IPv6 may come later)
    assert frrlab.wait_for(lambda: {"198.18.1.0/24", "2001:db8:100::/48"}
                           <= zebra_fib(z.vty).keys()), zebra_fib(z.vty)


def test_fixing_the_pin_path_at_run_time_mirrors_the_rib(router, lab):
    """The maps could not be opened at start-up; the operator sets a good
    pin path: the maps open at once and the whole RIB (routes and groups
    installed before, including ECMP and recursive ones) is mirrored, then
    changes are followed."""
    notbpf = os.path.join(lab.rundir, "not-bpffs")
    os.makedirs(notbpf, exist_ok=True)
    os.chown(notbpf, lab.frr_uid, lab.frr_gid)
    z, s = router(pin=notbpf)
    assert frrlab.wait_for(lambda: all(p in zebra_fib(z.vty) for p in CONFIGURED))
    assert mirror_state(z)["syncState"] == "failed"

    good = lab.pin_path("fixed")
    z.vty.cmd("configure terminal")
    try:
        out = z.vty.cmd(f"ebpf pin-path {good}")
    finally:
        z.vty.cmd("end")
    assert "mirror maps opened" in out, out
    z.pin = good
    assert_mirror_equals_fib(z, present=CONFIGURED)
    st = mirror_state(z)
    assert st["syncState"] == "inSync" and st["counters"]["errors"] == 0, st
    assert "replayed" in z.log()

    s.vty.config("ip route 198.18.90.0/24 192.0.2.2")
    assert_mirror_equals_fib(z, present=CONFIGURED + ("198.18.90.0/24",))


def test_unwritable_pin_path_is_reported(router, lab):
    pin = lab.pin_path("root-owned", owned=False)
    os.makedirs(pin)  # owned by root: zebra (user frr) cannot pin there
    z, _ = router(pin=pin)
    st = mirror_state(z)
    assert st["syncState"] == "failed"
    assert "Permission denied" in st["reason"] or "Operation not permitted" in st["reason"]
    assert "198.18.1.0/24" in frrlab.wait_for(
        lambda: lab.ip(lab.r, "route show 198.18.1.0/24"))


def test_map_full_is_counted_and_logged_once(router, lab):
    z, _ = router(zebra_conf="ebpf map-size route4 4\n")
    st = frrlab.wait_for(
        lambda: (lambda s: s if s["counters"]["mapFull"] >= 2 else None)(
            mirror_state(z)))
    assert st, "map never reported full"
    assert st["maps"]["fe_route4_v1"]["maxEntries"] == 4
    assert st["maps"]["fe_route4_v1"]["entries"] == 4
    assert z.log().count("map full") == 1
    # the kernel still got everything
    assert frrlab.wait_for(lambda: "198.18.5.0/25" in lab.ip(lab.r, "route show"))
    assert "2001:db8:200::/48" in mirror_fib(z.pin)[0]


def test_bad_config_changes_nothing(router):
    z, _ = router()
    pin = z.pin
    for bad in ("ebpf pin-path relative/path", "ebpf map-size route4 0",
                "ebpf map-size route7 10", "ebpf reconcile-delay 99999"):
        with pytest.raises(frrlab.VtyError):
            z.vty.config(bad)
    st = mirror_state(z)
    assert st["pinPath"] == pin
    assert st["maps"]["fe_route4_v1"]["configuredMaxEntries"] == 1200000
    assert "ebpf reconcile-delay" not in z.vty.cmd("show running-config")


def test_pin_path_moves_live_maps(router, lab):
    z, _ = router()
    assert_mirror_equals_fib(z, present=CONFIGURED)
    new = lab.pin_path("moved")
    z.vty.config(f"ebpf pin-path {new}")
    old, z.pin = z.pin, new
    assert_mirror_equals_fib(z)
    assert not os.path.exists(os.path.join(old, "fe_route4_v1"))
    assert f"ebpf pin-path {new}" in z.vty.cmd("show running-config")
