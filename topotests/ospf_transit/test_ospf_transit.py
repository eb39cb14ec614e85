# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_ospf_transit.py: the module on an OSPF transit router follows cost
changes and link failures, in the mirror and in the XDP fast path.

                  198.51.100.0/30   +----+  198.51.100.8/30
                 +------------------| r2 |-----------------+
   +-----+   +----+                 +----+               +----+
   | src |---| r1 |                                      | r4 |  lo 203.0.113.0/24
   +-----+   +----+                 +----+               +----+  (redistributed)
 192.0.2.0/29    +------------------| r3 |-----------------+
                  198.51.100.4/30   +----+  198.51.100.12/30

All links are OSPF area 0, point-to-point, cost 10. r1 reaches r4's
203.0.113.0/24 over r2 and r3 (ECMP). r1 runs the module with the XDP
fast path on its three interfaces; src sends pings through it.
Then r1-r2's cost goes up (only r3 is left), then the r1-r3 link fails
(r2 again, at the higher cost), then both come back.
"""
import os
import time

import pytest

from lib_fe import mirror

mirror.require()

# pylint: disable=wrong-import-position
from lib_fe import fastpath  # noqa: E402

pytestmark = [pytest.mark.ospfd, pytest.mark.staticd, pytest.mark.ebpf]

CWD = os.path.dirname(os.path.realpath(__file__))
PIN_PATH = mirror.pin_path_from_config(os.path.join(CWD, "r1", "zebra.conf"))
STUB = "203.0.113.0/24"
DST = "203.0.113.7"
DESTS = ["203.0.113.{}".format(i) for i in range(10, 40)]
LINKS = (("src", "r1"), ("r1", "r2"), ("r1", "r3"), ("r2", "r4"), ("r3", "r4"))

NAPI = [("src", "src-r1"), ("r2", "r2-r1"), ("r3", "r3-r1")]


def build_topo(tgen):
    for name in ("src", "r1", "r2", "r3", "r4"):
        tgen.add_router(name)
    for a, b in LINKS:
        tgen.add_link(tgen.gears[a], tgen.gears[b], a + "-" + b, b + "-" + a)


@pytest.fixture(scope="module")
def tgen(request):
    with fastpath.running(request, build_topo, CWD, ["r1"], NAPI) as tgen:
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen):
    if tgen.routers_have_failure():
        pytest.skip("skipped because of previous test failure")


def vtysh_config(router, *lines):
    out = router.vtysh_cmd("\n".join(("configure terminal",) + lines + ("end",)))
    assert "% " not in out, "vtysh: {}".format(out)


def follows(tgen, interfaces, what):
    """r1's FIB, mirror and fast path all say `interfaces` for the stub,
    and traffic from src crosses r1 by XDP on exactly those paths."""
    src, r1 = tgen.gears["src"], tgen.gears["r1"]
    fastpath.expect_rib(r1, STUB, interfaces, what)
    fastpath.expect_mirror_equal(r1, PIN_PATH, what)
    fastpath.expect_fast_path_route(r1, DST, interfaces, what)
    fastpath.expect_json(
        r1, "show ebpf route {} json".format(DST),
        {"route": {"prefix": STUB, "protocol": mirror.ROUTE_TYPES["ospf"]}},
        what)

    before = fastpath.path_packets(r1, DST)
    fwd = fastpath.forwarded(r1, ["r1-src"])
    failed = fastpath.ping_all(src, DESTS)
    # r1 uses a path as soon as its own RIB has it; the router behind it
    # may still be converging (r3 after its link came back, on a loaded
    # machine): give the destinations that did not answer a few seconds
    deadline = time.time() + 10
    while failed and time.time() < deadline:
        failed = fastpath.ping_all(src, failed)
    assert failed == [], "{}: no answer from {}".format(what, failed)
    after = fastpath.path_packets(r1, DST)
    grew = {i: after.get(i, 0) - before.get(i, 0) for i in after}
    assert sum(grew.values()) >= len(DESTS), (what, grew)
    assert all(n > 0 for n in grew.values()), (what, grew)
    assert fastpath.forwarded(r1, ["r1-src"]) - fwd >= len(DESTS), what


def test_ospf_converged_ecmp(tgen):
    "r1 reaches the stub over r2 and r3; the fast path forwards over both."
    r1 = tgen.gears["r1"]
    fastpath.expect_attached(r1, {"r1-src": "xdp", "r1-r2": "xdp", "r1-r3": "xdp"})
    fastpath.expect_ping(tgen.gears["src"], "203.0.113.1", "first ping")
    follows(tgen, ["r1-r2", "r1-r3"], "converged")
    fastpath.expect_json(r1, "show ebpf mirror json",
                         {"syncState": "inSync", "counters": {"errors": 0}},
                         "mirror")


def test_cost_change(tgen):
    "r1-r2's cost goes up: only r3 is left, in the FIB and the fast path."
    vtysh_config(tgen.gears["r1"], "interface r1-r2", "ip ospf cost 100")
    follows(tgen, ["r1-r3"], "cost change")


def test_link_failure(tgen):
    "The r1-r3 link fails: back over r2 at the higher cost."
    r1 = tgen.gears["r1"]
    repairs = fastpath.show(r1, "show ebpf mirror json")["counters"]["localRepairs"]
    tgen.gears["r3"].cmd("ip link set r3-r1 down")
    follows(tgen, ["r1-r2"], "link failure")
    after = fastpath.show(r1, "show ebpf mirror json")["counters"]["localRepairs"]
    assert after > repairs, "no local repair counted ({} -> {})".format(repairs, after)


def test_restored(tgen):
    "Link up and cost back: ECMP over both again."
    tgen.gears["r3"].cmd("ip link set r3-r1 up")
    vtysh_config(tgen.gears["r1"], "interface r1-r2", "no ip ospf cost")
    follows(tgen, ["r1-r2", "r1-r3"], "restored")


def test_memory_leak(tgen):
    "Run the memory leak test and report results."
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    raise SystemExit(pytest.main(["-s", __file__]))
