# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_bgp_ecmp.py: eBGP ECMP through the XDP fast path, IPv4 and IPv6.

                           +----+  AS 65101
                    +------| u1 |  198.51.100.0/30   2001:db8:11::/64
   +-----+   +----+ |      +----+
   | src |---| r1 |-+------| u2 |  198.51.100.4/30   2001:db8:12::/64
   +-----+   +----+ |      +----+  AS 65102
 192.0.2.0/29 AS 65000     +----+
 2001:db8:1::/64    +------| u3 |  198.51.100.8/30   2001:db8:13::/64
                           +----+  AS 65103

u1, u2 and u3 all announce 203.0.113.0/24 and 2001:db8:100::/48 (every
address of both is local on each of them). r1 runs the module with the XDP
fast path on its four interfaces, `ebpf ecmp algorithm hash-threshold`
over L3 fields, and installs the three BGP paths as one ECMP group.

Real pings from src cross r1: the fast path's counters prove XDP forwarded
them, every path carries flows; when a link goes down the fast path repairs
locally, BGP reconverges, and traffic keeps flowing.
"""
import os

import pytest

from lib_fe import mirror

mirror.require()

# pylint: disable=wrong-import-position
from lib_fe import fastpath  # noqa: E402

pytestmark = [pytest.mark.bgpd, pytest.mark.staticd, pytest.mark.ebpf]

CWD = os.path.dirname(os.path.realpath(__file__))
PIN_PATH = mirror.pin_path_from_config(os.path.join(CWD, "r1", "zebra.conf"))
# r1's interface towards each upstream: the paths of r1's ECMP routes
UPSTREAMS = {"u1": "r1-u1", "u2": "r1-u2", "u3": "r1-u3"}
R1_IFS = ("r1-src", "r1-u1", "r1-u2", "r1-u3")
# 40 destinations, one flow each: hashed on L3 fields over three paths,
# every path gets some (the chance that one gets none is ~1e-5, and the
# hash is fixed, so the outcome is the same on every run).
DESTS = ["203.0.113.{}".format(i) for i in range(10, 50)]

NAPI = [("src", "src-r1"), ("u1", "u1-r1"), ("u2", "u2-r1"), ("u3", "u3-r1")]


def build_topo(tgen):
    for name in ("src", "r1", "u1", "u2", "u3"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["src"], tgen.gears["r1"], "src-r1", "r1-src")
    for u in ("u1", "u2", "u3"):
        tgen.add_link(tgen.gears["r1"], tgen.gears[u], "r1-" + u, u + "-r1")


def prepare(tgen):
    """Every address of the IPv6 prefix local on the upstreams, as
    203.0.113.0/24 is through lo."""
    for u in UPSTREAMS:
        tgen.gears[u].cmd("ip -6 route add local 2001:db8:100::/48 dev lo")


@pytest.fixture(scope="module")
def tgen(request):
    with fastpath.running(request, build_topo, CWD, ["r1"], NAPI, prepare) as tgen:
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen):
    if tgen.routers_have_failure():
        pytest.skip("skipped because of previous test failure")


# --------------------------------------------------------------------------


def test_bgp_ecmp_converged(tgen):
    "r1 selects all three eBGP paths, IPv4 and IPv6, and installs them."
    r1 = tgen.gears["r1"]
    fastpath.expect_rib(r1, "203.0.113.0/24", UPSTREAMS.values(), "start")
    fastpath.expect_rib(r1, "2001:db8:100::/48", UPSTREAMS.values(), "start")


def test_fast_path_attached_and_mirror_in_sync(tgen):
    "The XDP fast path is on r1's four interfaces; the mirror is in sync."
    r1 = tgen.gears["r1"]
    fastpath.expect_attached(r1, {i: "xdp" for i in R1_IFS})
    fastpath.expect_json(r1, "show ebpf mirror json",
                         {"syncState": "inSync", "counters": {"errors": 0}},
                         "mirror")
    fastpath.expect_mirror_equal(r1, PIN_PATH, "BGP routes")
    fastpath.expect_fast_path_route(r1, "203.0.113.7", UPSTREAMS.values(), "IPv4")
    fastpath.expect_fast_path_route(r1, "2001:db8:100::7", UPSTREAMS.values(), "IPv6")
    fastpath.expect_json(
        r1, "show ebpf route 203.0.113.7 json",
        {"route": {"prefix": "203.0.113.0/24", "kind": "unicast"},
         "ecmpAlgorithm": "hash-threshold"},
        "route 203.0.113.7")


def test_ipv4_traffic_spreads_over_all_paths(tgen):
    "Pings from src cross r1 through XDP, and every path carries flows."
    src, r1 = tgen.gears["src"], tgen.gears["r1"]
    fastpath.expect_ping(src, "203.0.113.1", "first ping (neighbours)")
    before = fastpath.path_packets(r1, "203.0.113.7")
    fwd_before = fastpath.forwarded(r1, ["r1-src"])

    failed = fastpath.ping_all(src, DESTS)
    assert failed == [], "no answer from {}".format(failed)

    after = fastpath.path_packets(r1, "203.0.113.7")
    grew = {gw: after[gw] - before.get(gw, 0) for gw in after}
    assert sorted(grew) == sorted(UPSTREAMS.values()), grew
    assert all(n > 0 for n in grew.values()), (
        "a path carried no flow: {}".format(grew))
    assert sum(grew.values()) >= len(DESTS), grew
    # what came in from src was forwarded by the fast path, not the kernel
    assert fastpath.forwarded(r1, ["r1-src"]) - fwd_before >= len(DESTS)
    # and the replies came back through it too
    assert fastpath.forwarded(r1, ["r1-u1", "r1-u2", "r1-u3"]) >= len(DESTS)


def test_ipv6_traffic(tgen):
    "IPv6 over BGP: pings to the upstreams' prefix go through XDP."
    src, r1 = tgen.gears["src"], tgen.gears["r1"]
    fastpath.expect_ping(src, "2001:db8:100::1", "IPv6 first ping")
    dests = ["2001:db8:100::{:x}".format(i) for i in range(0x10, 0x28)]
    # A first round: BGP's IPv6 gateways are link-local, resolved by the
    # kernel when a path's first packet finds no neighbour (counted as
    # noNeighbour, forwarded by the kernel).
    fastpath.ping_all(src, dests)
    before = sum(fastpath.path_packets(r1, "2001:db8:100::7").values())
    failed = fastpath.ping_all(src, dests)
    assert failed == [], "no answer from {}".format(failed)
    after = fastpath.path_packets(r1, "2001:db8:100::7")
    assert sum(after.values()) - before >= len(dests), (
        after, fastpath.interface_counters(r1, "r1-src"),
        fastpath.route(r1, "2001:db8:100::7"))
    assert sum(1 for n in after.values() if n > 0) >= 2, (
        "IPv6 flows all on one path: {}".format(after))


def test_link_down_repair_then_bgp(tgen):
    "u1's link goes down: local repair, BGP reconverges, traffic continues."
    src, r1, u1 = tgen.gears["src"], tgen.gears["r1"], tgen.gears["u1"]
    repairs = fastpath.show(r1, "show ebpf mirror json")["counters"]["localRepairs"]

    # Carrier loss on r1-u1 (its peer goes down), as a cable pull.
    u1.cmd("ip link set u1-r1 down")
    fastpath.expect_json(
        r1, "show ebpf mirror json",
        {"counters": {"localRepairs": repairs + 1}}, "local repair", count=10)
    # Traffic keeps flowing, over u2 and u3 only.
    failed = fastpath.ping_all(src, DESTS)
    assert failed == [], "lost after link down: {}".format(failed)

    # BGP drops u1 and zebra forwards over the two remaining paths; the
    # mirror and the fast path follow. (FRR 10 differs: zebra keeps the
    # route on its three-path group, u1's nexthop inactive, where 8.4
    # installs a two-path one; the pinned maps equal zebra's FIB either
    # way, and the fast path forwards over u2 and u3 only: see
    # fastpath.forwarding_paths().)
    survivors = [UPSTREAMS["u2"], UPSTREAMS["u3"]]
    fastpath.expect_rib(r1, "203.0.113.0/24", survivors, "link down")
    fastpath.expect_mirror_equal(r1, PIN_PATH, "link down")
    fastpath.expect_fast_path_route(r1, "203.0.113.7", survivors, "link down")
    before = fastpath.path_packets(r1, "203.0.113.7")
    failed = fastpath.ping_all(src, DESTS)
    assert failed == [], "lost after reconvergence: {}".format(failed)
    after = fastpath.path_packets(r1, "203.0.113.7")
    assert all(after[gw] > before.get(gw, 0) for gw in survivors), (before, after)

    # The link comes back: three paths again. u1 answers src once BGP has
    # given it the route back to src's prefix: wait for that. (FRR 10
    # differs: zebra makes u1's nexthop in the route's group active again
    # as soon as the link is up, before BGP has the session to u1 back,
    # where 8.4 waits for BGP to announce the path again; the kernel and
    # the fast path then send flows to u1 that could not come back yet.)
    u1.cmd("ip link set u1-r1 up")
    fastpath.expect_rib(u1, "192.0.2.0/29", ["u1-r1"], "u1 after link up")
    fastpath.expect_rib(r1, "203.0.113.0/24", UPSTREAMS.values(), "link up")
    fastpath.expect_fast_path_route(r1, "203.0.113.7", UPSTREAMS.values(), "link up")
    failed = fastpath.ping_all(src, DESTS)
    assert failed == [], "lost after link up: {}".format(failed)


def test_memory_leak(tgen):
    "Run the memory leak test and report results."
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    raise SystemExit(pytest.main(["-s", __file__]))
