# SPDX-License-Identifier: GPL-2.0-or-later
"""
test_mirror_static.py: zebra_ebpf mirrors r1's static and connected routes
into its pinned maps, exactly as zebra has them in the FIB.

        +------+  s1 192.0.2.0/24, 2001:db8:1::/64     +------+
   s3 --| r1   |---------------------------------------|  r2  |-- s4
 stub   |ebpf  |  s2 198.51.100.0/24, 2001:db8:2::/64  |      |  stub
203.0.113.0/25 |---------------------------------------|      | 203.0.113.128/25
2001:db8:3::/64+------+                                +------+ 2001:db8:4::/64
                                                        lo 198.18.0.1/32
                                                           2001:db8:ff::1/128

The module is loaded on r1 only. r1 has static routes of every kind
(r1/staticd.conf): single path, ECMP over both links, recursive, interface,
blackhole, reject, a non-selected candidate, in IPv4 and IPv6.
"""
import copy
import functools
import json
import os

import pytest

from lib_fe import mirror
from lib_fe import vty as fevty

mirror.require()

# pylint: disable=wrong-import-position
from lib import topotest  # noqa: E402
from lib.topogen import Topogen, TopoRouter  # noqa: E402
from lib.topolog import logger  # noqa: E402

pytestmark = [pytest.mark.staticd, pytest.mark.ebpf]

CWD = os.path.dirname(os.path.realpath(__file__))
R1_ZEBRA_CONF = os.path.join(CWD, "r1", "zebra.conf")
PIN_PATH = mirror.pin_path_from_config(R1_ZEBRA_CONF)

# r1's FIB once converged: prefix -> (kind, number of forwarding paths).
# The mirror must carry exactly these: every FIB route of zebra's main
# table, connected ones included (and on FRR 10 the "local" host route of
# each of r1's addresses, see below).
R1_FIB = {
    "ip": {
        "192.0.2.0/24": ("unicast", 1),
        "198.51.100.0/24": ("unicast", 1),
        "203.0.113.0/25": ("unicast", 1),
        "203.0.113.128/25": ("unicast", 1),
        "198.18.0.1/32": ("unicast", 2),
        "198.18.1.0/24": ("unicast", 2),
        "198.18.2.0/24": ("unicast", 1),
        "198.18.3.0/24": ("blackhole", 0),
        "198.18.4.0/24": ("unreachable", 0),
        "198.18.5.0/24": ("unicast", 1),
    },
    "ipv6": {
        "2001:db8:1::/64": ("unicast", 1),
        "2001:db8:2::/64": ("unicast", 1),
        "2001:db8:3::/64": ("unicast", 1),
        "fe80::/64": ("unicast", 1),
        "2001:db8:4::/64": ("unicast", 1),
        "2001:db8:ff::1/128": ("unicast", 2),
        "2001:db8:f1::/48": ("unicast", 2),
        "2001:db8:f2::/48": ("unicast", 1),
        "2001:db8:f3::/48": ("blackhole", 0),
        "2001:db8:f4::/48": ("unreachable", 0),
    },
}
# FRR 10 differs: zebra also installs a "local" route (/32, /128 over the
# interface) for each interface address; FRR 8.4 has none.
R1_ADDRESSES = ("192.0.2.1", "198.51.100.1", "203.0.113.1",
                "2001:db8:1::1", "2001:db8:2::1", "2001:db8:3::1")
R1_FIB = mirror.with_local_routes(R1_FIB, R1_ADDRESSES)


def build_topo(tgen):
    r1 = tgen.add_router("r1")
    r2 = tgen.add_router("r2")
    # Interfaces are numbered in link order: r1-eth0/r2-eth0 on s1,
    # r1-eth1/r2-eth1 on s2, then the stubs r1-eth2 (s3), r2-eth2 (s4).
    for name in ("s1", "s2"):
        sw = tgen.add_switch(name)
        sw.add_link(r1)
        sw.add_link(r2)
    tgen.add_switch("s3").add_link(r1)
    tgen.add_switch("s4").add_link(r2)


@pytest.fixture(scope="module")
def tgen(request):
    mirror.prepare_pin_dir(PIN_PATH)
    tgen = Topogen(build_topo, request.module.__name__)
    try:
        tgen.start_topology()
        # The pin directory is on a bpffs of the root mount namespace; the
        # routers' mount namespaces must see it (/sys/fs/bpf they do not).
        fstype = tgen.gears["r1"].cmd("stat -f -c %T " + PIN_PATH).strip()
        assert fstype == "bpf_fs", "r1 sees {} as {!r}".format(PIN_PATH, fstype)
        for rname, router in tgen.routers().items():
            params = "-M " + mirror.module_path() if rname == "r1" else None
            router.load_config(
                TopoRouter.RD_ZEBRA, os.path.join(CWD, rname, "zebra.conf"), params
            )
            router.load_config(
                TopoRouter.RD_STATIC, os.path.join(CWD, rname, "staticd.conf")
            )
        tgen.start_router()
        yield tgen
    finally:
        tgen.stop_topology()
        # FE_KEEP_PINS=1 keeps the maps for a look with frr-ebpf-dump.
        if not os.environ.get("FE_KEEP_PINS"):
            mirror.remove_pin_dir(PIN_PATH)


@pytest.fixture(autouse=True)
def skip_on_failure(tgen):
    if tgen.routers_have_failure():
        pytest.skip("skipped because of previous test failure")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


def show_mirror(router):
    """`show ebpf mirror json` of the router's zebra; {} if it fails.

    Debian's vtysh rejects the module's commands ("% Unknown command"), so
    this talks to zebra's vty socket directly."""
    return fevty.router_vty_json(router, "show ebpf mirror json")


def zebra_model(router):
    """(ipv4 model, ipv6 model, problems) of the router's FIB routes."""
    m4, p4 = mirror.zebra_fib(router.vtysh_cmd("show ip route json", isjson=True))
    m6, p6 = mirror.zebra_fib(router.vtysh_cmd("show ipv6 route json", isjson=True))
    return m4, m6, p4 + p6


def shape_diff(models, expected):
    """Differences between models (ipv4, ipv6) and a R1_FIB-like table."""
    out = []
    for model, afi in zip(models, ("ip", "ipv6")):
        shape = {p: (r.kind, len(r.paths)) for p, r in model.items()}
        for prefix in sorted(set(shape) | set(expected[afi])):
            if shape.get(prefix) != expected[afi].get(prefix):
                out.append("{}: have {} want {}".format(
                    prefix, shape.get(prefix), expected[afi].get(prefix)))
    return out


def fib_diff(router, expected):
    z4, z6, problems = zebra_model(router)
    return problems + shape_diff((z4, z6), expected)


def expect_fib(router, expected, what):
    """Wait until the router's FIB has the shape of expected."""
    test_func = functools.partial(fib_diff, router, expected)
    ok, diff = topotest.run_and_expect(test_func, [], count=60, wait=1)
    assert ok, "{}: FIB is not as configured:\n  {}".format(what, "\n  ".join(diff))


def mirror_diff(router):
    """Differences between the dumped maps and zebra's FIB; [] if none."""
    return mirror.rib_mirror_diff(router, PIN_PATH)


def expect_mirror_equal(router, what):
    test_func = functools.partial(mirror_diff, router)
    ok, diff = topotest.run_and_expect(test_func, [], count=30, wait=1)
    assert ok, "{}: mirror differs from zebra's FIB:\n  {}".format(
        what, "\n  ".join(diff)
    )


def mirror_sync_cmp(router):
    """json_cmp of `show ebpf mirror json` with what zebra's FIB implies."""
    z4, z6, problems = zebra_model(router)
    if problems:
        return problems
    expected = {
        "pinPath": PIN_PATH,
        "syncState": "inSync",
        "routes": {"ipv4": len(z4), "ipv6": len(z6)},
        "counters": {"errors": 0, "mapFull": 0, "skippedKernelFailed": 0},
    }
    return topotest.json_cmp(show_mirror(router), expected)


def staticd(router, *lines):
    """Configure staticd through vtysh (staticd's commands are vtysh's)."""
    out = router.vtysh_cmd("\n".join(("configure terminal",) + lines + ("end",)))
    assert "% " not in out, "vtysh: {}".format(out)


def mirror_models(pin_path):
    dumped = mirror.dump(pin_path)
    return (
        mirror.mirror_routes(dumped, "ipv4")[0],
        mirror.mirror_routes(dumped, "ipv6")[0],
    )


# --------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------


def test_rib_converged(tgen):
    "r1's FIB is the scenario's (IPv6 waits for DAD)."
    expect_fib(tgen.gears["r1"], R1_FIB, "r1 at start")


def test_mirror_in_sync(tgen):
    "(a) r1's mirror reaches inSync with as many routes as zebra's FIB."
    r1 = tgen.gears["r1"]
    # Debian's vtysh does not know the module's commands, hence the direct
    # vty (see show_mirror()); the vtysh this project builds (installed
    # ahead of Debian's in PATH) must give the same answer.
    out = r1.vtysh_cmd("show ebpf mirror json")
    if "Unknown command" not in out:
        assert json.loads(out)["pinPath"] == show_mirror(r1)["pinPath"]

    test_func = functools.partial(mirror_sync_cmp, r1)
    ok, result = topotest.run_and_expect(test_func, None, count=30, wait=1)
    assert ok, "r1 mirror not in sync:\n{}\nshow ebpf mirror json: {}".format(
        result, show_mirror(r1)
    )
    logger.info("r1 mirror: %s", show_mirror(r1))


def test_mirror_matches_rib(tgen):
    "(b) The dumped maps equal r1's FIB: prefixes, kinds, paths."
    r1 = tgen.gears["r1"]
    expect_mirror_equal(r1, "initial RIB")

    # The mirror has every kind of route of the scenario.
    a4, a6 = mirror_models(PIN_PATH)
    assert shape_diff((a4, a6), R1_FIB) == []
    assert a4["198.18.5.0/24"].distance == 20
    assert {p[1] for p in a4["198.18.5.0/24"].paths} == {"198.51.100.2"}
    for model, prefix in ((a4, "198.18.2.0/24"), (a6, "2001:db8:f2::/48")):
        assert [p[0] for p in model[prefix].paths] == ["interface"], model[prefix]
    # Recursive routes carry the resolved gateways of both links.
    for model, prefix, family in (
        (a4, "198.18.1.0/24", "ipv4"),
        (a6, "2001:db8:f1::/48", "ipv6"),
    ):
        assert model[prefix].protocol == mirror.ROUTE_TYPES["static"]
        assert {p[0] for p in model[prefix].paths} == {family}, model[prefix]
        assert len({p[2] for p in model[prefix].paths}) == 2, model[prefix]


def test_mirror_follows_changes(tgen):
    "(c) Routes added and removed through staticd show up in the mirror."
    r1 = tgen.gears["r1"]
    before = show_mirror(r1)["counters"]

    staticd(
        r1,
        "ip route 198.18.100.0/24 198.51.100.2",
        "ipv6 route 2001:db8:100::/48 2001:db8:2::2",
        # single path -> ECMP: an update of an existing route
        "ip route 203.0.113.128/25 198.51.100.2",
    )
    added_fib = copy.deepcopy(R1_FIB)
    added_fib["ip"]["198.18.100.0/24"] = ("unicast", 1)
    added_fib["ip"]["203.0.113.128/25"] = ("unicast", 2)
    added_fib["ipv6"]["2001:db8:100::/48"] = ("unicast", 1)
    expect_fib(r1, added_fib, "after adding routes")
    expect_mirror_equal(r1, "after adding routes")
    a4, a6 = mirror_models(PIN_PATH)
    assert "198.18.100.0/24" in a4 and "2001:db8:100::/48" in a6
    assert len(a4["203.0.113.128/25"].paths) == 2, a4["203.0.113.128/25"]
    added = show_mirror(r1)["counters"]
    assert added["routeInstalls"] >= before["routeInstalls"] + 2, (before, added)
    assert added["routeUpdates"] >= before["routeUpdates"] + 1, (before, added)

    staticd(
        r1,
        "no ip route 198.18.100.0/24 198.51.100.2",
        "no ipv6 route 2001:db8:100::/48 2001:db8:2::2",
        "no ip route 203.0.113.128/25 198.51.100.2",
    )
    expect_fib(r1, R1_FIB, "after removing routes")
    expect_mirror_equal(r1, "after removing routes")
    a4, a6 = mirror_models(PIN_PATH)
    assert "198.18.100.0/24" not in a4 and "2001:db8:100::/48" not in a6
    assert len(a4["203.0.113.128/25"].paths) == 1, a4["203.0.113.128/25"]
    removed = show_mirror(r1)["counters"]
    assert removed["routeDeletes"] >= added["routeDeletes"] + 2, (added, removed)

    test_func = functools.partial(mirror_sync_cmp, r1)
    ok, result = topotest.run_and_expect(test_func, None, count=10, wait=1)
    assert ok, result


def test_r2_unaffected_r1_forwards(tgen):
    "(d) r2 (no module) runs as usual; r1 still forwards."
    r1 = tgen.gears["r1"]
    r2 = tgen.gears["r2"]

    # r2's zebra has no module: its vty does not know the command.
    with fevty.router_vty(r2) as v:
        status, out = v.run("show ebpf mirror json")
    assert status == fevty.CMD_ERR_NO_MATCH, (status, out)
    pid = r2.cmd("cat /var/run/frr/zebra.pid").strip()
    with open("/proc/{}/cmdline".format(pid), "rb") as f:
        cmdline = f.read().split(b"\0")
    assert not any(b"zebra_ebpf" in arg for arg in cmdline), cmdline

    # r2's static routes are in its FIB.
    expected = {
        "203.0.113.0/25": [{"protocol": "static", "selected": True, "installed": True}]
    }
    test_func = functools.partial(
        topotest.router_json_cmp, r2, "show ip route json", expected
    )
    ok, result = topotest.run_and_expect(test_func, None, count=20, wait=1)
    assert ok, result
    expected = {
        "2001:db8:3::/64": [{"protocol": "static", "selected": True, "installed": True}]
    }
    test_func = functools.partial(
        topotest.router_json_cmp, r2, "show ipv6 route json", expected
    )
    ok, result = topotest.run_and_expect(test_func, None, count=20, wait=1)
    assert ok, result

    # Only r1 pinned anything under the test's bpffs directory.
    topo_dir = os.path.dirname(PIN_PATH)
    assert sorted(os.listdir(topo_dir)) == ["r1"], os.listdir(topo_dir)

    # r1 forwards: single path, ECMP, IPv6 (the kernel FIB is untouched).
    for cmd in (
        "ping -c 1 -W 1 203.0.113.129",
        "ping -c 1 -W 1 -I 203.0.113.1 203.0.113.129",
        "ping -c 1 -W 1 198.18.0.1",
        "ping -6 -c 1 -W 1 2001:db8:4::1",
        "ping -6 -c 1 -W 1 2001:db8:ff::1",
    ):
        test_func = functools.partial(_ping_ok, r1, cmd)
        ok, _ = topotest.run_and_expect(test_func, True, count=10, wait=1)
        assert ok, "{}: {}".format(cmd, r1.cmd(cmd))
    # ... and drops what its blackhole and reject routes say to drop.
    for cmd in ("ping -c 1 -W 1 198.18.3.1", "ping -c 1 -W 1 198.18.4.1"):
        assert not _ping_ok(r1, cmd), "{}: {}".format(cmd, r1.cmd(cmd))

    # And the mirror still matches.
    expect_mirror_equal(r1, "at the end")


def _ping_ok(router, cmd):
    rc, out, err = router.net.cmd_status(cmd, warn=False)
    logger.info("%s: %s: rc %s\n%s%s", router.name, cmd, rc, out, err)
    return rc == 0


def test_memory_leak(tgen):
    "Run the memory leak test and report results."
    if not tgen.is_memleak_enabled():
        pytest.skip("Memory leak test/report is disabled")
    tgen.report_memory_leaks()


if __name__ == "__main__":
    raise SystemExit(pytest.main(["-s", __file__]))
