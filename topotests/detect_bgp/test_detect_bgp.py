# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_detect_bgp.py: route-flap and prefix-hijack detection on a BGP edge
router, with the fast path's mitigations proved by real traffic.

                           +----+  AS 64500, legitimate origin of
                    +------| u1 |  203.0.113.0/24; also 198.51.100.128/25
   +-----+   +----+ |      +----+  198.51.100.0/30
   | src |---| r1 |-+
   +-----+   +----+ |      +----+  AS 64666, the hijacker
 192.0.2.0/29 AS 65000 +---| u2 |  198.51.100.4/30
                           +----+

r1 runs the module with the XDP fast path, `ebpf flap-detection`
(half-life 10 s, action kernel) and `ebpf hijack protect 203.0.113.0/24
origin-as 64500 max-length 24 mitigate`; bgpd sends AS paths to zebra.

- u1 re-announces 198.51.100.128/25 in a loop: `flapping` within seconds, the
  fast path hands it to the kernel; calm again: `stable` within about
  two half-lives, and the kernel entry goes.
- u2 announces 203.0.113.128/25: `hijackMoreSpecific` within seconds; the
  kernel would now send 203.0.113.200 to u2, but the fast path forwards
  it by the protected route to u1 (u1 and u2's receive counters prove it);
  withdrawn, the alert and the mitigation go.
- u2 announces 203.0.113.0/24 itself and wins selection: `hijackOrigin`
  and `hijackMoas`; `clear ebpf hijack` acknowledges.
- u1 withdraws 203.0.113.0/24: `hijackWithdrawn`; back, cleared.
"""
import os
import time

import pytest

from lib_fe import mirror

mirror.require()

# pylint: disable=wrong-import-position
from lib_fe import fastpath  # noqa: E402

pytestmark = [pytest.mark.bgpd, pytest.mark.staticd, pytest.mark.ebpf]

CWD = os.path.dirname(os.path.realpath(__file__))
PIN_PATH = mirror.pin_path_from_config(os.path.join(CWD, "r1", "zebra.conf"))
NAPI = [("src", "src-r1"), ("u1", "u1-r1"), ("u2", "u2-r1")]
PROTECTED = "203.0.113.0/24"
HIJACKED = "203.0.113.128/25"
FLAPPY = "198.51.100.128/25"
HIGH = ["203.0.113.{}".format(i) for i in range(200, 215)]


def build_topo(tgen):
    for name in ("src", "r1", "u1", "u2"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["src"], tgen.gears["r1"], "src-r1", "r1-src")
    for u in ("u1", "u2"):
        tgen.add_link(tgen.gears["r1"], tgen.gears[u], "r1-" + u, u + "-r1")


@pytest.fixture(scope="module")
def tgen(request):
    with fastpath.running(request, build_topo, CWD, ["r1"], NAPI) as tgen:
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen):
    if tgen.routers_have_failure():
        pytest.skip("skipped because of previous test failure")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def bgp(router, asn, *lines):
    """Configure a router's bgpd through vtysh."""
    cmds = ("configure terminal", "router bgp {}".format(asn),
            "address-family ipv4 unicast") + lines + ("end",)
    out = router.vtysh_cmd("\n".join(cmds))
    assert "% " not in out, "vtysh: {}".format(out)


def flap(r1, prefix):
    flaps = fastpath.show(r1, "show ebpf flaps json")
    return next((e for e in flaps.get("prefixes", [])
                 if e["prefix"] == prefix), {})


def protection(r1, prefix=PROTECTED):
    hij = fastpath.show(r1, "show ebpf hijacks json")
    return next((e for e in hij.get("protections", [])
                 if e["prefix"] == prefix), {})


def events(r1, kind):
    out = fastpath.show(r1, "show ebpf events json kind {}".format(kind))
    return out.get("events", [])


def until(fn, what, timeout=30):
    deadline = time.time() + timeout
    while True:
        val = fn()
        if val:
            return val
        assert time.time() < deadline, "{} not seen in {} s".format(what, timeout)
        time.sleep(0.5)


def policy_entries(prefix):
    """The pinned policy-trie entries for prefix (internal ones
    included), read with frr-ebpf-dump."""
    dumped = mirror.dump(PIN_PATH)
    pols = dumped.get("policies", {}).get("ipv4", [])
    return [p for p in pols if p.get("prefix") == prefix]


def kernel_route_via(router, dst):
    return router.cmd("ip route get {}".format(dst))


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_converged_and_protected(tgen):
    "r1 has u1's routes, the protection is ok and AS paths arrive."
    r1 = tgen.gears["r1"]
    fastpath.expect_rib(r1, PROTECTED, ["r1-u1"], "start")
    fastpath.expect_rib(r1, FLAPPY, ["r1-u1"], "start")
    fastpath.expect_attached(r1, {"r1-src": "xdp", "r1-u1": "xdp", "r1-u2": "xdp"})
    until(lambda: protection(r1).get("state") == "ok"
          and protection(r1).get("currentOrigin") == 64500, "protection ok")
    hij = fastpath.show(r1, "show ebpf hijacks json")
    assert hij["asPathInfo"] == "received", hij
    status = fastpath.show(r1, "show ebpf status json")
    assert status.get("asPathInfo") == "received", status
    fastpath.expect_ping(tgen.gears["src"], "203.0.113.200", "first ping")


def test_flapping_then_stable(tgen):
    "u1 re-announces a prefix in a loop: flapping, kernel; calm: stable."
    r1, u1 = tgen.gears["r1"], tgen.gears["u1"]
    start = time.time()
    for _ in range(4):
        bgp(u1, 64500, "no network {}".format(FLAPPY))
        time.sleep(1)
        bgp(u1, 64500, "network {}".format(FLAPPY))
        time.sleep(1)
    entry = until(lambda: flap(r1, FLAPPY).get("state") == "flapping"
                  and flap(r1, FLAPPY), "flapping", timeout=15)
    raised = until(lambda: [e for e in events(r1, "flapping")
                            if e["prefix"] == FLAPPY], "flapping event")
    assert raised[0]["severity"] == "warning", raised[0]
    assert time.time() - start < 25, "flapping took too long"
    assert entry["changes"] >= 4, entry
    assert entry["penalty"] >= 2500, entry

    # action kernel: an internal kernel entry in the policy tries (not an
    # operator policy), and traffic still flows (through the kernel)
    until(lambda: flap(r1, FLAPPY).get("mitigation") == "installed",
          "flap mitigation installed")
    assert [p["action"] for p in policy_entries(FLAPPY)] == [2]
    ops = fastpath.show(r1, "show ebpf policies json").get("policies", [])
    assert ops == [], "internal entry shown as a policy: {}".format(ops)
    assert "flap" not in r1.vtysh_cmd("show running-config").split(
        "ebpf flap-detection action kernel")[1].split("!")[0]
    fastpath.expect_ping(tgen.gears["src"], "198.51.100.129", "while flapping")

    # calm: the penalty decays (half-life 10 s, at most 5000 down to 1200)
    until(lambda: flap(r1, FLAPPY).get("state") != "flapping",
          "stable", timeout=60)
    until(lambda: [e for e in events(r1, "stable") if e["prefix"] == FLAPPY],
          "stable event")
    until(lambda: policy_entries(FLAPPY) == [], "flap mitigation removed")


def test_more_specific_hijack_mitigated(tgen):
    "u2 announces a more-specific: alert; traffic keeps reaching u1."
    src, r1 = tgen.gears["src"], tgen.gears["r1"]
    u1, u2 = tgen.gears["u1"], tgen.gears["u2"]
    t0 = time.time()
    bgp(u2, 64666, "network {}".format(HIJACKED))
    fastpath.expect_rib(r1, HIJACKED, ["r1-u2"], "hijack announced")
    alerts = until(lambda: [a for a in protection(r1).get("alerts", [])
                            if a["kind"] == "moreSpecific"], "alert")
    assert time.time() - t0 < 15, "alert took {:.1f}s".format(time.time() - t0)
    assert alerts[0]["prefix"] == HIJACKED and alerts[0]["originAs"] == 64666
    ev = until(lambda: [e for e in events(r1, "hijackMoreSpecific")
                        if e["prefix"] == HIJACKED], "event")
    assert ev[0]["severity"] == "critical" and ev[0]["newOriginAs"] == 64666
    until(lambda: protection(r1)["alerts"][0].get("mitigation") == "installed",
          "mitigation installed")
    # show ebpf route says why, as the model has it
    fastpath.expect_json(
        r1, "show ebpf route 203.0.113.200 json",
        {"decision": "mitigation",
         "mitigation": {"owner": "hijack", "prefix": HIJACKED,
                        "action": "nexthop-group"}},
        "route under the mitigation")
    assert fastpath.model_errors("route 203.0.113.200", r1) == ""

    # The kernel sends 203.0.113.200 to u2 now; the fast path does not.
    assert "198.51.100.6" in kernel_route_via(r1, "203.0.113.200")
    rx1 = fastpath.rx_packets(u1, "u1-r1")
    rx2 = fastpath.rx_packets(u2, "u2-r1")
    failed = fastpath.ping_all(src, HIGH)
    assert failed == [], "no answer from {}".format(failed)
    got1 = fastpath.rx_packets(u1, "u1-r1") - rx1
    got2 = fastpath.rx_packets(u2, "u2-r1") - rx2
    assert got1 >= len(HIGH), (got1, got2)
    assert got2 < len(HIGH) // 3, "u2 received {} packets".format(got2)

    # u2 withdraws: the alert and the mitigation go by themselves
    bgp(u2, 64666, "no network {}".format(HIJACKED))
    until(lambda: not protection(r1).get("alerts") and
          protection(r1).get("state") == "ok", "alert cleared")
    until(lambda: policy_entries(HIJACKED) == [], "mitigation removed")


def test_origin_hijack_and_moas(tgen):
    "u2 announces the protected prefix and wins: origin alert, MOAS."
    r1, u2 = tgen.gears["r1"], tgen.gears["u2"]
    bgp(u2, 64666, "network {}".format(PROTECTED))
    fastpath.expect_rib(r1, PROTECTED, ["r1-u2"], "origin hijack")
    until(lambda: protection(r1).get("state") == "alert"
          and protection(r1).get("currentOrigin") == 64666, "origin alert")
    ev = until(lambda: events(r1, "hijackOrigin"), "hijackOrigin event")
    assert ev[0]["prefix"] == PROTECTED and ev[0]["newOriginAs"] == 64666
    moas = until(lambda: events(r1, "hijackMoas"), "hijackMoas event")
    assert moas[0]["oldOriginAs"] == 64500 and moas[0]["newOriginAs"] == 64666

    bgp(u2, 64666, "no network {}".format(PROTECTED))
    fastpath.expect_rib(r1, PROTECTED, ["r1-u1"], "origin back")
    until(lambda: protection(r1).get("currentOrigin") == 64500, "origin back")
    # MOAS stands until acknowledged
    fastpath.run(r1, "clear ebpf hijack {}".format(PROTECTED))
    until(lambda: protection(r1).get("state") == "ok"
          and not protection(r1).get("alerts"), "cleared")
    assert until(lambda: events(r1, "hijackCleared"), "hijackCleared event")


def test_withdrawn(tgen):
    "u1 withdraws the protected prefix: withdrawn; back: ok."
    r1, u1 = tgen.gears["r1"], tgen.gears["u1"]
    bgp(u1, 64500, "no network {}".format(PROTECTED))
    fastpath.expect_rib(r1, PROTECTED, [], "withdrawn")
    until(lambda: [a for a in protection(r1).get("alerts", [])
                   if a["kind"] == "withdrawn"]
          and protection(r1).get("inRib") is False, "withdrawn alert")
    assert until(lambda: events(r1, "hijackWithdrawn"), "hijackWithdrawn event")
    bgp(u1, 64500, "network {}".format(PROTECTED))
    until(lambda: protection(r1).get("state") == "ok"
          and not protection(r1).get("alerts"), "back", timeout=30)


def test_memory_leak(tgen):
    "Run the memory leak test and report results."
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    raise SystemExit(pytest.main(["-s", __file__]))
