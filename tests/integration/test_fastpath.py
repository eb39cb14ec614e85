# SPDX-License-Identifier: GPL-2.0-or-later
"""The fast path on a real rig: h1 -- r -- h2 over veth pairs, the real
zebra with the module on r, packets crafted with scapy sent from h1 and
captured at h2.

Differential: the same packet set (plain and edge cases) crosses r three
times, forwarded by plain Linux, by the XDP fast path and by the TC fast
path; h2 must receive byte-identical frames, and the counters must show
who forwarded them.

  h1 198.51.100.10/24 2001:db8:10::10/64 -- r-in  | r | r-out  -- h2 192.0.2.2/24   2001:db8:20::2/64
                                                   |   | r-out2 -- h2 203.0.113.2/24 (second path)
  h2 owns 198.18.0.1/32 on lo; r reaches 198.18.0.0/24 over both links
  (a static ECMP route through staticd, so the mirror has the group).
"""
import os
import subprocess
import time

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

try:
    from scapy.layers.inet import IP, TCP, UDP
    from scapy.layers.inet6 import IPv6, IPv6ExtHdrHopByHop
    from scapy.layers.l2 import Ether
    from scapy.packet import Raw
except ImportError:  # pragma: no cover
    pytestmark = pytest.mark.skip(reason="python3-scapy is not installed")

PKTIO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pktio.py")
MARK = b"FEID"


@pytest.fixture(scope="module")
def rig():
    lab = frrlab.Lab("fe-fp")
    lab.fastpath_rig()
    lab.pin = lab.pin_path("fp")
    lab.zebra_conf = f"ebpf pin-path {lab.pin}\n"
    lab.z = lab.zebra(lab.r, lab.zebra_conf)
    lab.s = lab.staticd(lab.r, "ip route 198.18.0.0/24 192.0.2.2\n"
                               "ip route 198.18.0.0/24 203.0.113.2\n")
    assert ecmp_route_mirrored(lab), "the ECMP route never reached the mirror"
    yield lab
    lab.close()


def mac(ns, dev):
    return frrlab.sh(["ip", "netns", "exec", ns, "cat",
                      f"/sys/class/net/{dev}/address"]).strip()


def fp_config(z, mode):
    """Attach `mode` on both of r's interfaces, or detach (mode None)."""
    attached = interfaces(z)
    lines = []
    for dev in ("r-in", "r-out", "r-out2", "r-out3"):
        if mode:
            lines += [f"interface {dev}", f"ebpf fast-path {mode}", "exit"]
        elif dev in attached:
            lines += [f"interface {dev}", "no ebpf fast-path", "exit"]
    if lines:
        z.vty.config(*lines)


def counters(z):
    return frrlab.keyed(z.vty.json("show ebpf counters json")["interfaces"])


def interfaces(z):
    return frrlab.keyed(z.vty.json("show ebpf interfaces json")["interfaces"])


def policies(z):
    return frrlab.keyed(z.vty.json("show ebpf policies json")["policies"])


def nexthop_groups(z):
    return frrlab.keyed(
        z.vty.json("show ebpf nexthop-groups json")["nexthopGroups"], "id")


def warm_up(lab):
    """Resolve the neighbours both ways, so the fast path can forward."""
    for dst in ("192.0.2.2", "2001:db8:20::2"):
        subprocess.run(["ip", "netns", "exec", lab.h1, "ping", "-c", "2",
                        "-i", "0.2", "-W", "1", dst], capture_output=True)


def edge_frames(lab):
    """(name, frame, forwarded?) — plain traffic and the edge cases."""
    dmac, smac = mac(lab.r, "r-in"), mac(lab.h1, "h1-eth0")
    e = Ether(dst=dmac, src=smac)
    s4, d4 = "198.51.100.10", "192.0.2.2"
    s6, d6 = "2001:db8:10::10", "2001:db8:20::2"
    pl = lambda i: Raw(MARK + bytes([i]) * 20)  # noqa: E731
    pk = [
        ("udp4", e / IP(src=s4, dst=d4, ttl=64) / UDP(sport=1001, dport=9999) / pl(1), True),
        ("tcp4 syn", e / IP(src=s4, dst=d4, ttl=64) / TCP(sport=1002, dport=9999, flags="S") / pl(2), True),
        ("udp4 ttl 2", e / IP(src=s4, dst=d4, ttl=2) / UDP(sport=1003, dport=9999) / pl(3), True),
        ("udp4 first fragment", e / IP(src=s4, dst=d4, ttl=64, flags="MF", id=77) / UDP(sport=1004, dport=9999, len=200) / pl(4), True),
        ("udp4 record route option", e / IP(src=s4, dst=d4, ttl=64, options=b"\x07\x07\x04\x00\x00\x00\x00\x00") / UDP(sport=1005, dport=9999) / pl(5), True),
        ("udp4 ttl 1", e / IP(src=s4, dst=d4, ttl=1) / UDP(sport=1006, dport=9999) / pl(6), False),
        ("udp4 bad checksum", e / IP(src=s4, dst=d4, ttl=64, chksum=0x1234) / UDP(sport=1007, dport=9999) / pl(7), False),
        ("udp4 padded", e / IP(src=s4, dst=d4, ttl=64) / UDP(sport=1008, dport=9999) / Raw(MARK), True),
        ("udp4 to the router", e / IP(src=s4, dst="198.51.100.1", ttl=64) / UDP(sport=1009, dport=9999) / pl(9), False),
        ("udp6", e / IPv6(src=s6, dst=d6, hlim=64) / UDP(sport=1010, dport=9999) / pl(10), True),
        ("udp6 hop limit 2", e / IPv6(src=s6, dst=d6, hlim=2) / UDP(sport=1011, dport=9999) / pl(11), True),
        ("udp6 hop-by-hop", e / IPv6(src=s6, dst=d6, hlim=64) / IPv6ExtHdrHopByHop() / UDP(sport=1012, dport=9999) / pl(12), True),
        ("udp6 hop limit 1", e / IPv6(src=s6, dst=d6, hlim=1) / UDP(sport=1013, dport=9999) / pl(13), False),
        ("tcp6", e / IPv6(src=s6, dst=d6, hlim=64) / TCP(sport=1014, dport=9999, flags="S") / pl(14), True),
    ]
    frames = []
    for name, p, fwd in pk:
        raw = bytes(p)
        if name == "udp4 padded":
            raw = raw.ljust(60, b"\0")  # Ethernet minimum, as a NIC pads
        frames.append((name, raw, fwd))
    return frames


def cross(lab, frames, ifaces=("h2-eth0",), per_iface=False):
    """Send frames from h1; return the marked frames h2 received (sorted),
    or with per_iface a dict of them by receiving interface."""
    caps = {}
    for dev in ifaces:
        caps[dev] = subprocess.Popen(
            ["ip", "netns", "exec", lab.h2, "/usr/bin/python3", PKTIO,
             "capture", dev, "1.5"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert caps[dev].stderr.readline().strip() == "READY"
    subprocess.run(["ip", "netns", "exec", lab.h1, "/usr/bin/python3", PKTIO,
                    "send", "h1-eth0"],
                   input="\n".join(f[1].hex() for f in frames) + "\n",
                   text=True, check=True)
    got = {}
    for dev, cap in caps.items():
        out, _ = cap.communicate(timeout=60)
        got[dev] = sorted(f for f in (bytes.fromhex(x) for x in out.split())
                          if MARK in f)
    if per_iface:
        return got
    return sorted(f for frames_ in got.values() for f in frames_)


def run_mode(lab, mode, frames):
    fp_config(lab.z, mode)
    warm_up(lab)
    if mode:
        lab.z.vty.cmd("clear ebpf counters")
    got = cross(lab, frames)
    return got, (counters(lab.z) if mode else {})


def test_differential_kernel_xdp_tc(rig):
    frames = edge_frames(rig)
    expected = sum(1 for f in frames if f[2])

    kernel, _ = run_mode(rig, None, frames)
    xdp, cx = run_mode(rig, "xdp", frames)
    # IPv4 went the direct way (DIR-24-8 + neighbour cache): the group of
    # the connected route counted the packets the fast path routed itself
    assert rig.z.vty.json("show ebpf mirror json")["fastPathIpv4Lookup"] == "direct"
    status = rig.z.vty.json("show ebpf status json")
    assert status["fastPathLoaded"] and status["xdpProgramId"] > 0
    assert {i["name"]: i["mode"] for i in status["interfaces"]} == {
        "r-in": "xdp", "r-out": "xdp", "r-out2": "xdp", "r-out3": "xdp"}
    assert status["ipv4Lookup"] == "direct"
    nhg = rig.z.vty.json("show ebpf route 192.0.2.2 json")["route"]["nexthopGroup"]
    direct = nexthop_groups(rig.z)[nhg]
    assert direct["fastPathChosenPackets"] >= 4, direct
    tc, ct = run_mode(rig, "tc", frames)
    fp_config(rig.z, None)

    assert len(kernel) == expected, \
        f"plain Linux forwarded {len(kernel)} of the {expected} forwardable frames"
    assert xdp == kernel, "XDP fast path output differs from Linux"
    assert tc == kernel, "TC fast path output differs from Linux"

    # Who forwarded: the fast path took the plain ones, handed the
    # others to the kernel with the right reasons.
    for c in (cx, ct):
        rin = c["r-in"]
        assert rin["forwardedPackets"] >= 7, rin
        tk = rin["toKernel"]
        assert tk["ipOptions"] == 1
        assert tk["ttl"] == 2
        assert tk["malformed"] == 1
        assert tk["padded"] == 1
        assert tk["ipv6ExtensionHeaders"] == 1
        assert tk["localOrNoRoute"] >= 1


def test_attach_is_shown_and_written(rig):
    fp_config(rig.z, "xdp")
    try:
        js = interfaces(rig.z)
        assert set(js) == {"r-in", "r-out", "r-out2", "r-out3"}
        assert js["r-in"]["mode"] == "xdp" and js["r-in"]["attached"]
        assert "xdp" in frrlab.sh(["ip", "-n", rig.r, "link", "show", "r-in"])
        conf = rig.z.vty.cmd("show running-config")
        assert "interface r-in\n ebpf fast-path xdp" in conf
    finally:
        fp_config(rig.z, None)
    assert "xdp" not in frrlab.sh(["ip", "-n", rig.r, "link", "show", "r-in"])
    assert interfaces(rig.z) == {}
    assert "ebpf fast-path" not in rig.z.vty.cmd("show running-config")


def test_bad_attach_changes_nothing(rig):
    fp_config(rig.z, "tc")
    try:
        for bad in (["interface r-in", "ebpf fast-path tc"],      # twice
                    ["interface nosuch0", "ebpf fast-path xdp"],  # missing
                    ["interface lo", "no ebpf fast-path"]):       # not there
            with pytest.raises(frrlab.VtyError) as ei:
                rig.z.vty.config(*bad)
            assert "%" in ei.value.output
        js = interfaces(rig.z)
        assert set(js) == {"r-in", "r-out", "r-out2", "r-out3"}
        assert js["r-in"]["mode"] == "tc"
    finally:
        fp_config(rig.z, None)


def test_forwarding_survives_zebra_restart(rig):
    fp_config(rig.z, "xdp")
    before = interfaces(rig.z)
    rig.z.stop()
    try:
        # zebra is gone: the pinned links keep the programs attached
        assert "xdp" in frrlab.sh(["ip", "-n", rig.r, "link", "show", "r-in"])
        frames = [f for f in edge_frames(rig) if f[0] == "udp4"] * 5
        warm_up(rig)
        got = cross(rig, frames)
        assert len(got) == 5
    finally:
        conf = rig.zebra_conf + "".join(
            f"interface {d}\n ebpf fast-path xdp\n"
            for d in ("r-in", "r-out", "r-out2", "r-out3"))
        rig.z = rig.zebra(rig.r, conf)
    after = interfaces(rig.z)
    assert after["r-in"]["adopted"] is True
    assert after["r-in"]["linkId"] == before["r-in"]["linkId"]
    # the counters kept counting while zebra was down
    assert counters(rig.z)["r-in"]["forwardedPackets"] >= 5
    fp_config(rig.z, None)


# ---------------------------------------------------------------------
# Policies, ECMP control, local repair: over the two links to h2
# ---------------------------------------------------------------------

def flows(lab, n, dst="198.18.0.1"):
    """n UDP flows (distinct source ports) from h1 to dst."""
    e = Ether(dst=mac(lab.r, "r-in"), src=mac(lab.h1, "h1-eth0"))
    return [(f"flow {i}", bytes(e / IP(src="198.51.100.10", dst=dst, ttl=64)
                                / UDP(sport=20000 + i, dport=9999)
                                / Raw(MARK + i.to_bytes(2, "big") * 10)), True)
            for i in range(n)]


def flow_id(frame):
    return frame[frame.index(MARK) + 4:frame.index(MARK) + 6]


def by_link(got):
    return {dev: {flow_id(f) for f in frames} for dev, frames in got.items()}


LINKS = ("h2-eth0", "h2-eth1")


def ecmp_route_mirrored(lab, timeout=30):
    return frrlab.wait_for(lambda: len(lab.z.vty.json(
        "show ebpf route 198.18.0.1 json").get("route", {}).get("paths", []))
        == 2, timeout=timeout)


@pytest.fixture
def fastpath(rig):
    # staticd may still be reconnecting after a zebra restart
    assert ecmp_route_mirrored(rig), "the ECMP route is not in the mirror"
    fp_config(rig.z, "xdp")
    warm_up(rig)
    for dst in ("203.0.113.2", "100.64.3.2", "198.18.0.1"):
        subprocess.run(["ip", "netns", "exec", rig.h1, "ping", "-c", "1",
                        "-W", "1", dst], capture_output=True)
    for dst in ("203.0.113.2", "100.64.3.2", "192.0.2.2"):
        subprocess.run(["ip", "netns", "exec", rig.r, "ping", "-c", "1",
                        "-W", "1", dst], capture_output=True)
    yield rig
    rig.z.vty.config("no ebpf ecmp algorithm")
    for name in policies(rig.z):
        rig.z.vty.config(f"no ebpf policy {name}")
    fp_config(rig.z, None)


def test_ecmp_hash_threshold_spreads_and_keeps_flows(fastpath):
    rig = fastpath
    rig.z.vty.config("ebpf ecmp algorithm hash-threshold",
                     "ebpf ecmp hash-fields l3-l4 seed 11")
    js = rig.z.vty.json("show ebpf route 198.18.0.1 json")
    assert js["route"]["prefix"] == "198.18.0.0/24"
    assert js["ecmpAlgorithm"] == "hash-threshold"
    assert len(js["route"]["paths"]) == 2

    fl = flows(rig, 200)
    first = by_link(cross(rig, fl, LINKS, per_iface=True))
    again = by_link(cross(rig, fl, LINKS, per_iface=True))
    n0, n1 = len(first["h2-eth0"]), len(first["h2-eth1"])
    assert n0 + n1 == 200, f"lost flows: {n0} + {n1}"
    # hash-threshold over 2 equal paths: 50/50 within a tolerance
    assert 70 <= n0 <= 130, f"uneven spread {n0}/{n1}"
    assert first == again, "a flow changed path between two runs"
    assert counters(rig.z)["r-in"]["forwardedPackets"] >= 400
    # counted per nexthop, and per group (the fast path chose the path)
    nhs = {n["gateway"]: n["packets"] for n in
           rig.z.vty.json("show ebpf counters json")["nexthops"]}
    assert nhs.get("192.0.2.2", 0) >= 2 * n0 - 10, nhs
    assert nhs.get("203.0.113.2", 0) >= 2 * n1 - 10, nhs
    group = nexthop_groups(rig.z)[js["route"]["nexthopGroup"]]
    assert group["fastPathChosenPackets"] >= 400
    assert sum(p["forwardedPackets"] for p in group["paths"]) >= 400


def nexthop_packets(z):
    return {n["gateway"]: n["packets"] for n in
            z.vty.json("show ebpf counters json")["nexthops"]}


def test_nexthop_counters_survive_a_zebra_restart(fastpath):
    """The direct path counts in its group's counter slot (pinned with the
    mirror). A restarted zebra adopts the slots, writes its groups into
    fresh ones and retires the old; a grace tick later what they counted
    is harvested: the per-nexthop totals never go back."""
    rig = fastpath
    rig.z.vty.config("ebpf ecmp algorithm hash-threshold")
    rig.z.vty.cmd("clear ebpf counters")
    fl = flows(rig, 100)
    assert len(cross(rig, fl, LINKS)) == 100
    first = nexthop_packets(rig.z)
    assert first.get("192.0.2.2", 0) + first.get("203.0.113.2", 0) >= 100, first
    rig.z.stop()
    conf = rig.zebra_conf + "ebpf reconcile-delay 1\n" + \
        "ebpf ecmp algorithm hash-threshold\n" + "".join(
            f"interface {d}\n ebpf fast-path xdp\n"
            for d in ("r-in", "r-out", "r-out2", "r-out3"))
    rig.z = rig.zebra(rig.r, conf)
    assert ecmp_route_mirrored(rig)
    assert frrlab.wait_for(lambda: rig.z.vty.json("show ebpf mirror json")[
        "syncState"] == "inSync", timeout=30)
    time.sleep(3)  # retired slots are harvested after a grace tick
    later = nexthop_packets(rig.z)
    for gw in ("192.0.2.2", "203.0.113.2"):
        assert later.get(gw, 0) >= first.get(gw, 0), (gw, first, later)
    warm_up(rig)
    assert len(cross(rig, fl, LINKS)) == 100
    final = nexthop_packets(rig.z)
    assert final.get("192.0.2.2", 0) + final.get("203.0.113.2", 0) >= 200, \
        final
    # cleared: every source of the totals (slots, harvests, hash) is zero
    rig.z.vty.cmd("clear ebpf counters")
    cleared = nexthop_packets(rig.z)
    assert not any(cleared.get(gw, 0) for gw in ("192.0.2.2", "203.0.113.2")), \
        cleared


def test_policy_drop_count_and_pin(fastpath):
    rig = fastpath
    fl = flows(rig, 40)
    rig.z.vty.config("ebpf policy blk match destination 198.18.0.0/24",
                     "ebpf policy blk action drop")
    assert cross(rig, fl, LINKS) == []
    pol = policies(rig.z)["blk"]
    assert pol["packets"] >= 40 and pol["installed"] is True

    rig.z.vty.config("ebpf policy blk action pin 203.0.113.2")
    got = by_link(cross(rig, fl, LINKS, per_iface=True))
    assert len(got["h2-eth1"]) == 40 and not got["h2-eth0"], got

    rig.z.vty.config("ebpf policy blk action exclude 203.0.113.2",
                     "ebpf ecmp algorithm hash-threshold")
    got = by_link(cross(rig, fl, LINKS, per_iface=True))
    assert len(got["h2-eth0"]) == 40 and not got["h2-eth1"], got

    conf = rig.z.vty.cmd("show running-config")
    assert "ebpf policy blk match destination 198.18.0.0/24" in conf
    assert "ebpf policy blk action exclude 203.0.113.2" in conf
    rig.z.vty.config("no ebpf policy blk")
    assert len(cross(rig, fl, LINKS)) == 40


def test_bad_policy_changes_nothing(fastpath):
    rig = fastpath
    rig.z.vty.config("ebpf policy a match destination 198.18.0.0/24",
                     "ebpf policy a action count")
    for bad in ("ebpf policy b match destination 198.18.0.0/24",   # conflict
                "ebpf policy a action pin 2001:db8::1",             # family
                "ebpf policy a action nexthop-group 0",            # range
                "ebpf policy bad!name action drop",
                "ebpf policy a match destination 198.18.0.0/24 source 2001:db8::/32"):
        with pytest.raises(frrlab.VtyError):
            rig.z.vty.config(bad)
    js = policies(rig.z)
    assert set(js) == {"a"} and js["a"]["action"] == "count"


def test_local_repair_on_link_down(fastpath):
    rig = fastpath
    rig.z.vty.config("ebpf ecmp algorithm hash-threshold")
    before = rig.z.vty.json("show ebpf mirror json")["counters"]
    fl = flows(rig, 100)
    assert len(cross(rig, fl, LINKS)) == 100
    frrlab.sh(["ip", "-n", rig.h2, "link", "set", "h2-eth1", "down"])
    try:
        st = frrlab.wait_for(lambda: (lambda c: c if c["localRepairs"] >
                                      before["localRepairs"] else None)(
            rig.z.vty.json("show ebpf mirror json")["counters"]), timeout=5)
        assert st, "no local repair after the link went down"
        assert st["localRepairNhgWrites"] > before["localRepairNhgWrites"]
        assert "local repair: ifindex" in rig.z.log()
        # every flow now arrives over the remaining link
        got = by_link(cross(rig, fl, LINKS, per_iface=True))
        assert len(got["h2-eth0"]) == 100, got
    finally:
        frrlab.sh(["ip", "-n", rig.h2, "link", "set", "h2-eth1", "up"])
        frrlab.sh(["ip", "-n", rig.h2, "addr", "replace", "2001:db8:30::2/64",
                   "dev", "h2-eth1", "nodad"])
        frrlab.sh(["ip", "-n", rig.r, "addr", "replace", "2001:db8:30::1/64",
                   "dev", "r-out2", "nodad"])
    assert ecmp_route_mirrored(rig)


def test_nexthop_groups_show(rig):
    assert ecmp_route_mirrored(rig)
    js = nexthop_groups(rig.z)
    route = rig.z.vty.json("show ebpf route 198.18.0.1 json")["route"]
    g = js[route["nexthopGroup"]]
    assert g["routes"] >= 1
    assert sorted(p["gateway"] for p in g["paths"]) == ["192.0.2.2",
                                                        "203.0.113.2"]
    assert all(p["up"] for p in g["paths"])


LINKS3 = ("h2-eth0", "h2-eth1", "h2-eth2")


def moved_among_survivors(rig, algo):
    """Flows over 3 paths, then one path removed from the route: how many
    flows that were on the 2 surviving paths changed path."""
    rig.z.vty.config(f"ebpf ecmp algorithm {algo}")
    rig.s.vty.config("ip route 198.18.0.0/24 100.64.3.2")
    try:
        assert frrlab.wait_for(lambda: len(rig.z.vty.json(
            "show ebpf route 198.18.0.1 json")["route"]["paths"]) == 3)
        fl = flows(rig, 300)
        before = by_link(cross(rig, fl, LINKS3, per_iface=True))
        assert sum(len(v) for v in before.values()) == 300, before
        assert all(before[d] for d in LINKS3), "a path carried no flow"
    finally:
        rig.s.vty.config("no ip route 198.18.0.0/24 100.64.3.2")
    assert ecmp_route_mirrored(rig)
    after = by_link(cross(rig, fl, LINKS3, per_iface=True))
    assert sum(len(v) for v in after.values()) == 300
    assert not after["h2-eth2"]
    return sum(len(before[d] - after[d]) for d in ("h2-eth0", "h2-eth1"))


def test_resilient_moves_only_the_removed_paths_flows(fastpath):
    assert moved_among_survivors(fastpath, "resilient") == 0


def test_hash_threshold_moves_others_too(fastpath):
    # the contrast that makes the resilient test meaningful
    assert moved_among_survivors(fastpath, "hash-threshold") > 20


def test_rules_the_mirror_does_not_know_raise_an_event(fastpath):
    """Policy routing sends 198.18.0.0/24 out the third link; the mirror
    (main table) says links 1 and 2. The fast path must follow the kernel
    and report the disagreement."""
    rig = fastpath
    rig.z.vty.config("ebpf ecmp algorithm hash-threshold")
    rig.z.vty.cmd("clear ebpf events")
    frrlab.sh(["ip", "-n", rig.r, "route", "add", "198.18.0.0/24", "via",
               "100.64.3.2", "table", "100"])
    frrlab.sh(["ip", "-n", rig.r, "rule", "add", "to", "198.18.0.0/24",
               "table", "100", "prio", "100"])
    try:
        got = by_link(cross(rig, flows(rig, 50), LINKS3, per_iface=True))
        assert len(got["h2-eth2"]) == 50, got
        ev = rig.z.vty.json("show ebpf events json")
        mism = [e for e in ev["events"] if e["kind"] == "mirrorMismatch"]
        assert mism, ev
        assert mism[0]["destination"] == "198.18.0.1"
        assert mism[0]["kernelGateway"] == "100.64.3.2"
        assert "mirror and kernel FIB disagree" in rig.z.log()
    finally:
        frrlab.sh(["ip", "-n", rig.r, "rule", "del", "to", "198.18.0.0/24",
                   "table", "100", "prio", "100"])
        frrlab.sh(["ip", "-n", rig.r, "route", "del", "198.18.0.0/24",
                   "table", "100"])


def test_unloading_restores_kernel_forwarding(rig):
    """The operator drops -M ebpf: with zebra stopped, frr-ebpf-prepare
    --remove unpins the links; the programs detach and Linux forwards."""
    prepare = os.path.join(frrlab.TOP, "scripts", "frr-ebpf-prepare")
    if not os.path.exists(prepare):
        pytest.skip("scripts/frr-ebpf-prepare not built (run make)")
    fp_config(rig.z, "xdp")
    rig.z.stop()
    try:
        assert "xdp" in frrlab.sh(["ip", "-n", rig.r, "link", "show", "r-in"])
        frrlab.sh(["sh", prepare, "--remove", rig.pin])
        assert "xdp" not in frrlab.sh(["ip", "-n", rig.r, "link", "show",
                                       "r-in"])
        assert not os.path.exists(rig.pin)
        warm_up(rig)
        frames = [f for f in edge_frames(rig) if f[0] == "udp4"] * 3
        assert len(cross(rig, frames)) == 3
    finally:
        os.makedirs(rig.pin, exist_ok=True)
        os.chown(rig.pin, rig.frr_uid, rig.frr_gid)
        rig.z = rig.zebra(rig.r, rig.zebra_conf)


def test_tc_hands_unresolved_neighbours_to_the_kernel(rig):
    """TC mode: a packet for a neighbour not yet resolved goes to the
    kernel, as in XDP: the kernel resolves it (and answers with ICMP
    unreachable when nobody does, which bpf_redirect_neigh would not);
    the packet still arrives."""
    fp_config(rig.z, "tc")
    try:
        rig.z.vty.cmd("clear ebpf counters")
        frrlab.sh(["ip", "-n", rig.r, "neigh", "flush", "dev", "r-out"])
        frames = [f for f in edge_frames(rig) if f[0] == "udp4"]
        assert len(cross(rig, frames)) == 1
        rin = counters(rig.z)["r-in"]
        assert rin["forwardedPackets"] == 0, rin
        assert rin["toKernel"]["noNeighbour"] == 1, rin
    finally:
        fp_config(rig.z, None)


def test_tc_unanswered_neighbour_gets_icmp_unreachable(rig):
    """A connected destination nobody answers for: Linux sends ICMP host
    unreachable back once ARP gives up; so must the TC fast path."""
    def unreachables(mode):
        fp_config(rig.z, mode)
        try:
            frrlab.sh(["ip", "-n", rig.r, "neigh", "flush", "dev", "r-out"])
            cap = subprocess.Popen(
                ["ip", "netns", "exec", rig.h1, "/usr/bin/python3", PKTIO,
                 "capture", "h1-eth0", "5"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            assert cap.stderr.readline().strip() == "READY"
            frrlab.sh(["ip", "netns", "exec", rig.h1, "ping", "-c", "1",
                       "-W", "5", "192.0.2.77"], check=False)
            out, _ = cap.communicate(timeout=60)
            frames = [bytes.fromhex(x) for x in out.split()]
            # IPv4 ICMP type 3 (unreachable) code 1 (host) from r
            return sum(1 for f in frames if len(f) > 35 and
                       f[12:14] == b"\x08\x00" and f[23] == 1 and
                       f[34] == 3 and f[35] == 1)
        finally:
            fp_config(rig.z, None)

    assert unreachables(None) >= 1, "plain Linux sent no ICMP unreachable"
    assert unreachables("tc") >= 1, "TC fast path: no ICMP unreachable"


def test_chosen_path_neighbour_gets_resolved(fastpath):
    """The fast path picks a path whose neighbour the kernel never needed
    (the kernel forwards by its own choice): the module has the kernel
    resolve it, and from then on the fast path forwards those flows."""
    import time
    rig = fastpath
    rig.z.vty.config("ebpf ecmp algorithm hash-threshold")
    frrlab.sh(["ip", "-n", rig.r, "neigh", "flush", "dev", "r-out2"])
    fl = flows(rig, 40)
    assert len(cross(rig, fl, LINKS)) == 40      # the kernel helps meanwhile
    assert frrlab.wait_for(lambda: "203.0.113.2" in frrlab.sh(
        ["ip", "-n", rig.r, "neigh", "show", "dev", "r-out2"]), timeout=10)
    time.sleep(1)
    rig.z.vty.cmd("clear ebpf counters")
    got = by_link(cross(rig, fl, LINKS, per_iface=True))
    assert got["h2-eth1"], "no flow on the second path"
    rin = counters(rig.z)["r-in"]
    assert rin["forwardedPackets"] == 40, rin
    assert rin["toKernel"]["noNeighbour"] == 0, rin
