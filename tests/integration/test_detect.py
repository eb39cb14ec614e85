# SPDX-License-Identifier: GPL-2.0-or-later
"""Flap and hijack detection against the real zebra, staticd and bgpd, with
ExaBGP as the upstream that announces whatever origin AS a case needs.

  r (zebra + module, staticd, bgpd AS 65000, `bgp send-extra-data zebra`)
    r-eth0 192.0.2.1/24 2001:db8:1::1/64 <-> p-eth0 192.0.2.2 (ExaBGP AS 64510)

The fast path is loaded (xdp-generic on r-eth0) so that mitigations land in
the pinned policy tries, read back with frr-ebpf-dump.
"""
import json
import os
import subprocess
import time

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

BGPD_CONF = """\
bgp send-extra-data zebra
router bgp 65000
 bgp router-id 192.0.2.1
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 192.0.2.2 remote-as 64510
 neighbor 192.0.2.2 timers connect 1
 neighbor 192.0.2.2 advertisement-interval 0
 address-family ipv4 unicast
  neighbor 192.0.2.2 activate
 exit-address-family
"""

EXABGP_CONF = """\
neighbor 192.0.2.1 {
  router-id 192.0.2.2;
  local-address 192.0.2.2;
  local-as 64510;
  peer-as 65000;
  family { ipv4 unicast; }
  api { processes [ ctl ]; }
}
"""

CHECK = os.path.join(frrlab.TOP, "tools", "frr-ebpf-yangcheck")

FLAP_PREFIX = "198.51.100.128/25"
FLAP_PREFIX6 = "2001:db8:f1::/48"
PROTECTED = "198.18.0.0/16"


@pytest.fixture(scope="module")
def lab():
    lab = frrlab.Lab("fe-dt")
    r, p = lab.pair("r", "r-eth0", "p", "p-eth0")
    lab.pin = lab.pin_path("dt")
    lab.z = lab.zebra(r, f"ebpf pin-path {lab.pin}\n"
                         "ebpf fast-path interface r-eth0 xdp-generic\n")
    lab.s = lab.staticd(r)
    lab.b = lab.bgpd(r, BGPD_CONF)
    lab.peer = lab.exabgp(p, EXABGP_CONF)
    established = frrlab.wait_for(
        lambda: "BGP state = Established" in
        lab.b.vty.cmd("show bgp neighbors 192.0.2.2"), 60)
    assert established, lab.peer.log()
    yield lab
    lab.close()


def events(z, *kinds):
    cmd = "show ebpf events json"
    if kinds:
        cmd += " kind " + " ".join(kinds)
    return z.vty.json(cmd)["events"]


def find_event(z, kind, prefix):
    return [e for e in events(z, kind) if e["prefix"] == prefix]


def flaps(z):
    """show ebpf flaps json's prefixes, by prefix (the show lists them)."""
    return {e["prefix"]: e for e in
            z.vty.json("show ebpf flaps json")["prefixes"]}


def protections(z):
    """show ebpf hijacks json's protections, by prefix."""
    return {e["prefix"]: e for e in
            z.vty.json("show ebpf hijacks json")["protections"]}


def policies(lab):
    return {p["prefix"]: p for p in
            frrlab.dump_mirror(lab.pin).get("policies", {}).get("ipv4", [])}


def route4(lab, prefix):
    return {r["prefix"]: r for r in frrlab.dump_mirror(lab.pin)["ipv4"]}.get(prefix)


def announce(lab, prefix, *path):
    lab.peer.send(f"announce route {prefix} next-hop 192.0.2.2 "
                  f"as-path [ {' '.join(str(a) for a in path)} ]")


def withdraw(lab, prefix):
    lab.peer.send(f"withdraw route {prefix} next-hop 192.0.2.2")


def yangcheck(args, text):
    """frr-ebpf-yangcheck's verdict, or None when it is not built.
    FE_YANG_SAVE=DIR keeps what was checked (samples for tests/yang)."""
    if not os.path.exists(CHECK):
        return None
    d = os.environ.get("FE_YANG_SAVE")
    if d:
        name = args[1] if len(args) > 1 else args[0]
        with open(os.path.join(d, name + ".json"), "w") as f:
            f.write(text.rstrip("\n") + "\n")
    return subprocess.run([CHECK, args[0]], input=text, capture_output=True,
                          text=True)


def running(z):
    return [line for line in z.vty.cmd("show running-config").splitlines()
            if "flap-detection" in line or "hijack" in line]


def test_status_before_detection(lab):
    st = lab.z.vty.json("show ebpf status json")
    assert st["asPathInfo"] == "detectionOff"
    assert st["flapDetection"] is False and st["hijackProtections"] == 0
    assert "origin checks are skipped" in lab.z.vty.cmd("show ebpf status")
    assert lab.z.vty.json("show ebpf flaps json")["enabled"] is False
    assert lab.z.vty.json("show ebpf hijacks json")["protections"] == []
    assert lab.z.vty.json("show ebpf flaps json")["prefixes"] == []


def test_flapping_then_stable_with_kernel_action(lab):
    z = lab.z
    z.vty.config("ebpf flap-detection half-life 3 suppress-threshold 2500 "
                 "reuse-threshold 1200 max-penalty 5000",
                 "ebpf flap-detection action kernel", "debug ebpf detection")
    assert "eBPF detection debugging is on" in z.vty.cmd("show debugging")
    t0 = time.time()
    v4, v6 = f"ip route {FLAP_PREFIX} 192.0.2.2", f"ipv6 route {FLAP_PREFIX6} 2001:db8:1::2"
    for _ in range(3):
        lab.s.vty.config(v4, v6)
        time.sleep(0.3)
        lab.s.vty.config("no " + v4, "no " + v6)
        time.sleep(0.3)
    lab.s.vty.config(v4, v6)
    ev = frrlab.wait_for(lambda: find_event(z, "flapping", FLAP_PREFIX), 10)
    assert ev, z.vty.cmd("show ebpf flaps")
    assert ev[0]["severity"] == "warning"
    assert ev[0]["protocol"] == "static"
    # Raised by an install or a delete: the route is on one side.
    assert {"gateway": "192.0.2.2", "interface": "r-eth0"} in \
        ev[0]["newNexthops"] + ev[0]["oldNexthops"]
    assert frrlab.wait_for(lambda: find_event(z, "flapping", FLAP_PREFIX6), 5)
    assert time.time() - t0 < 10
    fl = z.vty.json("show ebpf flaps json")
    entry = {e["prefix"]: e for e in fl["prefixes"]}[FLAP_PREFIX]
    assert entry["state"] == "flapping" and entry["changes"] >= 5
    assert entry["penalty"] >= 2500 and entry["penalty"] <= 5000
    assert entry["mitigation"] == "installed", entry
    assert fl["config"] == {"halfLife": 3, "suppressThreshold": 2500,
                               "reuseThreshold": 1200, "maxPenalty": 5000,
                               "penaltyInstall": 500, "penaltyUpdate": 500,
                               "penaltyDelete": 1000, "action": "kernel"}
    # The fast path hands the prefix to the kernel (action 2)...
    pol = policies(lab)
    assert pol.get(FLAP_PREFIX, {}).get("action") == 2, pol
    # ...without it being an operator policy.
    assert z.vty.json("show ebpf policies json").get("policies", {}) in ({}, [])
    assert "ebpf policy" not in z.vty.cmd("show running-config")

    # Calm: stable once the penalty has decayed below reuse, then the
    # mitigation is gone.
    st = frrlab.wait_for(lambda: find_event(z, "stable", FLAP_PREFIX), 30)
    assert st, z.vty.cmd("show ebpf flaps")
    assert st[0]["severity"] == "informational"
    assert FLAP_PREFIX not in policies(lab)
    assert flaps(z)[FLAP_PREFIX]["state"] == "stable"
    lab.s.vty.config("no " + v4, "no " + v6)
    z.vty.config("no debug ebpf detection")


def test_hijack_more_specific_origin_moas_withdrawal(lab):
    z = lab.z
    z.vty.config(f"ebpf hijack protect {PROTECTED} origin-as 64500 64501 "
                 "max-length 24 mitigate")
    announce(lab, PROTECTED, 64510, 64500)
    ok = frrlab.wait_for(lambda: protections(z)[PROTECTED]
                         .get("currentOrigin") == 64500, 20)
    assert ok, z.vty.cmd("show ebpf hijacks")
    hj = z.vty.json("show ebpf hijacks json")
    assert hj["asPathInfo"] == "received"
    assert {e["prefix"]: e for e in hj["protections"]}[PROTECTED]["state"] == "ok"
    st = z.vty.json("show ebpf status json")
    assert st["asPathInfo"] == "received" and st["originChecks"] is True

    # A more-specific beyond max-length (even from the right origin).
    announce(lab, "198.18.5.0/25", 64510, 64500)
    ev = frrlab.wait_for(lambda: find_event(z, "hijackMoreSpecific", "198.18.5.0/25"), 10)
    assert ev and ev[0]["severity"] == "critical" and ev[0]["newOriginAs"] == 64500
    assert ev[0]["protocol"] == "bgp"
    assert ev[0]["newNexthops"] == [{"gateway": "192.0.2.2", "interface": "r-eth0"}]
    # Mitigation: forward it by the protected route's group (action 4).
    cover = frrlab.wait_for(lambda: route4(lab, PROTECTED))
    pol = frrlab.wait_for(lambda: policies(lab).get("198.18.5.0/25"), 5)
    assert pol and pol["action"] == 4 and pol["nhgId"] == cover["nhgId"], (pol, cover)
    alert = protections(z)[PROTECTED]["alerts"][0]
    assert alert["kind"] == "moreSpecific" and alert["beyondMaxLength"] is True
    assert alert["mitigation"] == "installed"
    assert alert["mitigationNexthopGroup"] == cover["nhgId"]

    # A more-specific within max-length from an unexpected origin.
    announce(lab, "198.18.7.0/24", 64510, 64666)
    ev = frrlab.wait_for(lambda: find_event(z, "hijackMoreSpecific", "198.18.7.0/24"), 10)
    assert ev and ev[0]["newOriginAs"] == 64666
    assert frrlab.wait_for(lambda: "198.18.7.0/24" in policies(lab), 5)

    # The more-specific goes: cleared, mitigation reverted.
    withdraw(lab, "198.18.5.0/25")
    assert frrlab.wait_for(lambda: find_event(z, "hijackCleared", "198.18.5.0/25"), 10)
    assert frrlab.wait_for(lambda: "198.18.5.0/25" not in policies(lab), 5)

    # The protected prefix itself from another origin: origin + MOAS.
    announce(lab, PROTECTED, 64510, 64666)
    ev = frrlab.wait_for(lambda: find_event(z, "hijackOrigin", PROTECTED), 10)
    assert ev and ev[0]["newOriginAs"] == 64666
    moas = find_event(z, "hijackMoas", PROTECTED)
    assert moas and moas[0]["oldOriginAs"] == 64500 and moas[0]["newOriginAs"] == 64666

    # The operator acknowledges: every alert cleared, mitigations gone.
    out = z.vty.cmd(f"clear ebpf hijack {PROTECTED}")
    assert "3 alerts cleared" in out, out
    assert protections(z)[PROTECTED]["alerts"] == []
    assert frrlab.wait_for(lambda: "198.18.7.0/24" not in policies(lab), 5)

    # Withdrawal of the protected prefix.
    withdraw(lab, PROTECTED)
    ev = frrlab.wait_for(lambda: find_event(z, "hijackWithdrawn", PROTECTED), 10)
    assert ev and ev[0]["severity"] == "warning"
    assert protections(z)[PROTECTED]["state"] == "alert"
    withdraw(lab, "198.18.7.0/24")
    # Filters: only the kinds asked for.
    kinds = {e["kind"] for e in events(z, "hijackWithdrawn", "hijackMoas")}
    assert kinds == {"hijackWithdrawn", "hijackMoas"}
    counts = z.vty.json("show ebpf events json")["counts"]
    assert counts["hijackMoreSpecific"] >= 2 and counts["flapping"] >= 1

    # Origin and MOAS need BGP, so the model is checked for them here
    # (test_yang.py covers the rest).
    text = z.vty.cmd("show ebpf hijacks json")
    res = yangcheck(["hijacks", "hijacks_bgp"], text)
    assert res is None or res.returncode == 0, f"{res.stderr}\n{text}"
    for kind in ("hijackOrigin", "hijackMoas"):
        e = events(z, kind)[0]
        name = "notif_hijack-" + kind[len("hijack"):].lower()
        res = yangcheck(["-n", name], json.dumps(e, indent=2))
        assert res is None or res.returncode == 0, f"{res.stderr}\n{e}"


def test_origin_unknown_static_routes(lab):
    """Static routes carry no AS path: origin checks are skipped, the
    length check stays."""
    z = lab.z
    z.vty.config("ebpf hijack protect 203.0.113.0/24 origin-as 64500")
    lab.s.vty.config("ip route 203.0.113.0/24 192.0.2.2")
    ok = frrlab.wait_for(lambda: protections(z)["203.0.113.0/24"]["inRib"], 10)
    assert ok
    prot = protections(z)["203.0.113.0/24"]
    assert prot["state"] == "ok" and prot["originKnown"] is False
    lab.s.vty.config("ip route 203.0.113.0/25 192.0.2.2")
    assert frrlab.wait_for(lambda: find_event(z, "hijackMoreSpecific", "203.0.113.0/25"), 10)
    assert not find_event(z, "hijackOrigin", "203.0.113.0/24")
    lab.s.vty.config("no ip route 203.0.113.0/25 192.0.2.2",
                     "no ip route 203.0.113.0/24 192.0.2.2")
    assert frrlab.wait_for(lambda: find_event(z, "hijackWithdrawn", "203.0.113.0/24"), 10)


BAD = [
    "ebpf flap-detection suppress-threshold 1000 reuse-threshold 2000",
    "ebpf flap-detection suppress-threshold 5000 max-penalty 4000",
    "ebpf flap-detection reuse-threshold 6000",
    f"ebpf hijack protect {PROTECTED} origin-as 0",
    f"ebpf hijack protect {PROTECTED} origin-as 4294967296",
    f"ebpf hijack protect {PROTECTED} origin-as 64500 abc",
    f"ebpf hijack protect {PROTECTED} origin-as 23456",
    "ebpf hijack protect 198.18.1.0/24 origin-as 64500",       # inside
    "ebpf hijack protect 198.0.0.0/8 origin-as 64500",         # covers
    "ebpf hijack protect 198.18.0.1/16 origin-as 64500",       # host bits
    f"ebpf hijack protect {PROTECTED} origin-as 64500 max-length 8",
    f"ebpf hijack protect {PROTECTED} origin-as 64500 max-length 33",
    "no ebpf hijack protect 192.0.2.0/24",
]


def test_bad_input_changes_nothing(lab):
    z = lab.z
    before = running(z)
    hj = protections(z)
    fl = z.vty.json("show ebpf flaps json")["config"]
    for bad in BAD:
        with pytest.raises(frrlab.VtyError) as exc:
            z.vty.config(bad)
        assert exc.value.output.lstrip().startswith("%"), (bad, exc.value.output)
    assert running(z) == before
    assert protections(z).keys() == hj.keys()
    assert z.vty.json("show ebpf flaps json")["config"] == fl
    with pytest.raises(frrlab.VtyError):
        z.vty.cmd("show ebpf events kind nonsense")
    # The action needs detection on.
    z.vty.config("no ebpf flap-detection")
    with pytest.raises(frrlab.VtyError):
        z.vty.config("ebpf flap-detection action kernel")
    assert running(z) == [l for l in before if "flap-detection" not in l]


def test_running_config_round_trip(lab):
    z = lab.z
    z.vty.config("ebpf flap-detection half-life 60 max-penalty 20000",
                 "ebpf flap-detection action kernel",
                 "ebpf hijack protect 2001:db8:f00::/48 origin-as 64500 1.10 max-length 64",
                 "ebpf hijack protect 10.0.0.0/8 origin-as 64500")
    conf = running(z)
    assert conf == [
        "ebpf flap-detection half-life 60 max-penalty 20000",
        "ebpf flap-detection action kernel",
        "ebpf hijack protect 10.0.0.0/8 origin-as 64500",
        f"ebpf hijack protect {PROTECTED} origin-as 64500 64501 max-length 24 mitigate",
        "ebpf hijack protect 203.0.113.0/24 origin-as 64500",
        "ebpf hijack protect 2001:db8:f00::/48 origin-as 64500 65546 max-length 64",
    ], conf
    # Remove it all, apply the written lines again: the same config.
    z.vty.config("no ebpf flap-detection",
                 *[f"no ebpf hijack protect {l.split()[3]}"
                   for l in conf if "hijack" in l])
    assert running(z) == []
    assert lab.z.vty.json("show ebpf hijacks json")["protections"] == []
    z.vty.config(*conf)
    assert running(z) == conf
