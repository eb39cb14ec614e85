# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_policy_override.py: `ebpf policy` drop and pin on a BGP ECMP router,
with real traffic, IPv4 and IPv6.

                           +----+  AS 65101
   +-----+   +----+ +------| u1 |  198.51.100.0/30   2001:db8:11::/64
   | src |---| r1 |-+      +----+
   +-----+   +----+ +------| u2 |  198.51.100.4/30   2001:db8:12::/64
 192.0.2.0/29 AS 65000     +----+  AS 65102
 2001:db8:1::/64

u1 and u2 both announce 203.0.113.0/24 and 2001:db8:100::/48 (every
address of both local on each). r1 has them as two-path ECMP routes and the
XDP fast path on its interfaces. Policies, configured at run time:
drop the upper half of each prefix; pin the lower IPv4 half to u2 (all
flows, whatever ECMP would choose); then remove them.
"""
import os

import pytest

from lib_fe import mirror

mirror.require()

# pylint: disable=wrong-import-position
from lib_fe import fastpath  # noqa: E402

pytestmark = [pytest.mark.bgpd, pytest.mark.staticd, pytest.mark.ebpf]

CWD = os.path.dirname(os.path.realpath(__file__))
LOW = ["203.0.113.{}".format(i) for i in range(10, 40)]
HIGH = ["203.0.113.{}".format(i) for i in range(200, 210)]
LOW6 = ["2001:db8:100::{:x}".format(i) for i in range(0x10, 0x18)]
HIGH6 = ["2001:db8:100:8000::{:x}".format(i) for i in range(0x10, 0x18)]
POLICIES = (
    "ebpf policy block match destination 203.0.113.128/25",
    "ebpf policy block action drop",
    "ebpf policy block6 match destination 2001:db8:100:8000::/49",
    "ebpf policy block6 action drop",
    "ebpf policy via-u2 match destination 203.0.113.0/25 source 192.0.2.0/29 ingress r1-src",
    "ebpf policy via-u2 action pin 198.51.100.6",
)

NAPI = [("src", "src-r1"), ("u1", "u1-r1"), ("u2", "u2-r1")]


def build_topo(tgen):
    for name in ("src", "r1", "u1", "u2"):
        tgen.add_router(name)
    tgen.add_link(tgen.gears["src"], tgen.gears["r1"], "src-r1", "r1-src")
    for u in ("u1", "u2"):
        tgen.add_link(tgen.gears["r1"], tgen.gears[u], "r1-" + u, u + "-r1")


def prepare(tgen):
    """Every address of the IPv6 prefix local on the upstreams, as
    203.0.113.0/24 is through lo."""
    for u in ("u1", "u2"):
        tgen.gears[u].cmd("ip -6 route add local 2001:db8:100::/48 dev lo")


@pytest.fixture(scope="module")
def tgen(request):
    with fastpath.running(request, build_topo, CWD, ["r1"], NAPI, prepare) as tgen:
        yield tgen


@pytest.fixture(autouse=True)
def skip_on_failure(tgen):
    if tgen.routers_have_failure():
        pytest.skip("skipped because of previous test failure")


def test_converged_no_policy(tgen):
    "Both upstreams' paths installed; everything answers, ECMP over both."
    src, r1 = tgen.gears["src"], tgen.gears["r1"]
    for prefix in ("203.0.113.0/24", "2001:db8:100::/48"):
        fastpath.expect_rib(r1, prefix, ["r1-u1", "r1-u2"], "start")
    fastpath.expect_attached(r1, {"r1-src": "xdp", "r1-u1": "xdp", "r1-u2": "xdp"})
    fastpath.expect_ping(src, "203.0.113.1", "first ping")
    fastpath.expect_ping(src, "2001:db8:100::1", "first IPv6 ping")
    fastpath.ping_all(src, LOW6 + HIGH6)  # link-local neighbours resolved
    failed = fastpath.ping_all(src, LOW + HIGH + LOW6 + HIGH6)
    assert failed == [], "no answer from {}".format(failed)
    assert fastpath.show(r1, "show ebpf policies json").get("policies", []) == []


def test_drop_and_pin(tgen):
    "Drop policies stop the upper halves; the pin sends every flow to u2."
    src, r1 = tgen.gears["src"], tgen.gears["r1"]
    u1, u2 = tgen.gears["u1"], tgen.gears["u2"]
    fastpath.configure(r1, *POLICIES)
    fastpath.expect_json(
        r1, "show ebpf route 203.0.113.200 json",
        {"policy": {"name": "block", "action": "drop"}, "decision": "policy"},
        "route under the drop policy")
    for name in ("block", "block6", "via-u2"):
        assert fastpath.policy(r1, name).get("installed") is True, name

    # dropped by the fast path, counted by the policy
    failed = fastpath.ping_all(src, HIGH + HIGH6)
    assert sorted(failed) == sorted(HIGH + HIGH6), "answered: {}".format(
        sorted(set(HIGH + HIGH6) - set(failed)))
    assert fastpath.policy(r1, "block")["packets"] >= len(HIGH)
    assert fastpath.policy(r1, "block6")["packets"] >= len(HIGH6)

    # pinned: all of the lower half reaches u2, none u1 (a few BGP
    # keepalives aside)
    rx1, rx2 = fastpath.rx_packets(u1, "u1-r1"), fastpath.rx_packets(u2, "u2-r1")
    pinned = fastpath.policy(r1, "via-u2")["packets"]
    failed = fastpath.ping_all(src, LOW)
    assert failed == [], "no answer from {}".format(failed)
    got1 = fastpath.rx_packets(u1, "u1-r1") - rx1
    got2 = fastpath.rx_packets(u2, "u2-r1") - rx2
    assert got2 >= len(LOW), (got1, got2)
    assert got1 < len(LOW) // 3, "u1 still received {} packets".format(got1)
    assert fastpath.policy(r1, "via-u2")["packets"] - pinned >= len(LOW)
    # the lower IPv6 half has no policy and still works
    failed = fastpath.ping_all(src, LOW6)
    assert failed == [], "no answer from {}".format(failed)


def test_policies_removed(tgen):
    "`no ebpf policy`: everything answers again, over both paths."
    src, r1 = tgen.gears["src"], tgen.gears["r1"]
    fastpath.configure(r1, "no ebpf policy block", "no ebpf policy block6",
                       "no ebpf policy via-u2")
    fastpath.expect_json(r1, "show ebpf route 203.0.113.200 json",
                         {"decision": "fast path, chosen path"}, "no policy")
    before = fastpath.path_packets(r1, "203.0.113.7")
    failed = fastpath.ping_all(src, LOW + HIGH + LOW6 + HIGH6)
    assert failed == [], "no answer from {}".format(failed)
    after = fastpath.path_packets(r1, "203.0.113.7")
    assert all(after[i] > before.get(i, 0) for i in ("r1-u1", "r1-u2")), (
        before, after)


def test_memory_leak(tgen):
    "Run the memory leak test and report results."
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    raise SystemExit(pytest.main(["-s", __file__]))
