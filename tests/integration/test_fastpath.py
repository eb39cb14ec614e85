# SPDX-License-Identifier: GPL-2.0-or-later
"""The fast path on a real rig: h1 -- r -- h2 over veth pairs, the real
zebra with the module on r, packets crafted with scapy sent from h1 and
captured at h2.

Differential: the same packet set (plain and edge cases) crosses r three
times, forwarded by plain Linux, by the XDP fast path and by the TC fast
path; h2 must receive byte-identical frames, and the counters must show
who forwarded them.

  h1 198.51.100.10/24 2001:db8:10::10/64 -- r-in  | r | r-out -- h2 192.0.2.2/24 2001:db8:20::2/64
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
    h1, r, h2 = lab.netns("h1"), lab.netns("r"), lab.netns("h2")
    lab.link(h1, "h1-eth0", r, "r-in")
    lab.link(r, "r-out", h2, "h2-eth0")
    lab.addresses(((h1, "h1-eth0", "198.51.100.10/24", "2001:db8:10::10/64"),
                   (r, "r-in", "198.51.100.1/24", "2001:db8:10::1/64"),
                   (r, "r-out", "192.0.2.1/24", "2001:db8:20::1/64"),
                   (h2, "h2-eth0", "192.0.2.2/24", "2001:db8:20::2/64")))
    lab.ip(h1, "route add default via 198.51.100.1")
    lab.ip(h1, "-6 route add default via 2001:db8:10::1")
    lab.ip(h2, "route add default via 192.0.2.1")
    lab.ip(h2, "-6 route add default via 2001:db8:20::1")
    # XDP redirect into a veth needs NAPI on its peer: GRO gives it.
    for ns, dev in ((h1, "h1-eth0"), (h2, "h2-eth0")):
        frrlab.sh(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "gro", "on"])
    lab.h1, lab.r, lab.h2 = h1, r, h2
    lab.pin = lab.pin_path("fp")
    lab.zebra_conf = f"ebpf pin-path {lab.pin}\n"
    lab.z = lab.zebra(r, lab.zebra_conf)
    yield lab
    lab.close()


def mac(ns, dev):
    return frrlab.sh(["ip", "netns", "exec", ns, "cat",
                      f"/sys/class/net/{dev}/address"]).strip()


def fp_config(z, mode):
    """Attach `mode` on both of r's interfaces, or detach (mode None)."""
    attached = z.vty.json("show ebpf interfaces json")
    lines = []
    for dev in ("r-in", "r-out"):
        if mode:
            lines += [f"interface {dev}", f"ebpf fast-path {mode}", "exit"]
        elif dev in attached:
            lines += [f"interface {dev}", "no ebpf fast-path", "exit"]
    if lines:
        z.vty.config(*lines)


def counters(z):
    return z.vty.json("show ebpf counters json").get("interfaces", {})


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


def cross(lab, frames):
    """Send frames from h1; return the marked frames h2 received."""
    cap = subprocess.Popen(["ip", "netns", "exec", lab.h2, "/usr/bin/python3",
                            PKTIO, "capture", "h2-eth0", "1.5"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    assert cap.stderr.readline().strip() == "READY"
    subprocess.run(["ip", "netns", "exec", lab.h1, "/usr/bin/python3", PKTIO,
                    "send", "h1-eth0"],
                   input="\n".join(f[1].hex() for f in frames) + "\n",
                   text=True, check=True)
    out, _ = cap.communicate(timeout=60)
    got = [bytes.fromhex(line) for line in out.split()]
    return sorted(f for f in got if MARK in f)


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
        js = rig.z.vty.json("show ebpf interfaces json")
        assert set(js) == {"r-in", "r-out"}
        assert js["r-in"]["mode"] == "xdp" and js["r-in"]["attached"]
        assert "xdp" in frrlab.sh(["ip", "-n", rig.r, "link", "show", "r-in"])
        conf = rig.z.vty.cmd("show running-config")
        assert "interface r-in\n ebpf fast-path xdp" in conf
    finally:
        fp_config(rig.z, None)
    assert "xdp" not in frrlab.sh(["ip", "-n", rig.r, "link", "show", "r-in"])
    assert rig.z.vty.json("show ebpf interfaces json") == {}
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
        js = rig.z.vty.json("show ebpf interfaces json")
        assert set(js) == {"r-in", "r-out"}
        assert js["r-in"]["mode"] == "tc"
    finally:
        fp_config(rig.z, None)


def test_forwarding_survives_zebra_restart(rig):
    fp_config(rig.z, "xdp")
    before = rig.z.vty.json("show ebpf interfaces json")
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
            f"interface {d}\n ebpf fast-path xdp\n" for d in ("r-in", "r-out"))
        rig.z = rig.zebra(rig.r, conf)
    after = rig.z.vty.json("show ebpf interfaces json")
    assert after["r-in"]["adopted"] is True
    assert after["r-in"]["linkId"] == before["r-in"]["linkId"]
    # the counters kept counting while zebra was down
    assert counters(rig.z)["r-in"]["forwardedPackets"] >= 5
    fp_config(rig.z, None)
