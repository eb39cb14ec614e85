# SPDX-License-Identifier: GPL-2.0-or-later
"""What the scenarios with traffic share: starting a topology with the
module on some routers, the fast path's view of a destination and of an
interface (`show ebpf route|counters json`), and pings that must get
through.

Every `show ebpf` read goes to zebra's vty socket (lib_fe/vty.py): the
vtysh on PATH may be Debian's, which does not know the module's commands.
"""
import contextlib
import functools
import os
import subprocess

from lib_fe import mirror
from lib_fe import vty as fevty

# pylint: disable=wrong-import-position
from lib import topotest  # noqa: E402
from lib.topogen import Topogen, TopoRouter  # noqa: E402
from lib.topolog import logger  # noqa: E402

DAEMON_FILES = (
    (TopoRouter.RD_ZEBRA, "zebra.conf"),
    (TopoRouter.RD_STATIC, "staticd.conf"),
    (TopoRouter.RD_BGP, "bgpd.conf"),
    (TopoRouter.RD_OSPF, "ospfd.conf"),
)


def prepare_pins(cwd, module_routers):
    """Empty the pin directory named in the zebra.conf of module_routers
    (old maps would be adopted). Before the topology exists: the bpffs they
    are on must be mounted before the routers' mount namespaces are made."""
    for rname in module_routers:
        conf = os.path.join(cwd, rname, "zebra.conf")
        mirror.prepare_pin_dir(mirror.pin_path_from_config(conf))


def load_and_start(tgen, cwd, module_routers):
    """Load each router's rN/<daemon>.conf that exists, zebra with the
    module on module_routers, and start them."""
    for rname, router in tgen.routers().items():
        for daemon, fname in DAEMON_FILES:
            path = os.path.join(cwd, rname, fname)
            if not os.path.exists(path):
                continue
            params = None
            if daemon == TopoRouter.RD_ZEBRA and rname in module_routers:
                params = "-M " + mirror.module_path()
            router.load_config(daemon, path, params)
    tgen.start_router()


@contextlib.contextmanager
def running(request, build_topo, cwd, module_routers, napi_links, prepare=None):
    """A scenario's topology, started (load_and_start), prepare(tgen) run,
    NAPI on napi_links; stopped and its pin directories removed after."""
    prepare_pins(cwd, module_routers)
    tgen = Topogen(build_topo, request.module.__name__)
    try:
        tgen.start_topology()
        load_and_start(tgen, cwd, module_routers)
        if prepare:
            prepare(tgen)
        napi_for_redirect(tgen, napi_links)
        yield tgen
    finally:
        tgen.stop_topology()
        remove_pins(cwd, module_routers)


def remove_pins(cwd, module_routers):
    if os.environ.get("FE_KEEP_PINS"):
        return
    for rname in module_routers:
        conf = os.path.join(cwd, rname, "zebra.conf")
        mirror.remove_pin_dir(mirror.pin_path_from_config(conf))


def napi_for_redirect(tgen, links):
    """XDP redirect into a veth needs NAPI on the veth's peer (an XDP
    program there, or GRO): turn GRO on for the (router, ifname) peers of
    the fast path's egress interfaces. Real NICs need nothing of the kind."""
    for rname, ifname in links:
        out = tgen.gears[rname].cmd("ethtool -K {} gro on 2>&1".format(ifname))
        assert "Cannot" not in out, "{} {}: {}".format(rname, ifname, out)


def show(router, command):
    return fevty.router_vty_json(router, command)


def route(router, dst):
    """`show ebpf route DST json`: policy, route, group, chosen path."""
    return show(router, "show ebpf route {} json".format(dst))


def path_packets(router, dst):
    """{egress interface: packets the fast path forwarded on that path} for
    the route the fast path uses for dst (scenarios give each path its own
    link; IPv6 gateways learnt over BGP are link-local)."""
    r = route(router, dst).get("route", {})
    return {
        p.get("interface"): p.get("forwardedPackets", 0)
        for p in r.get("paths", [])
    }


def forwarding_paths(router, dst):
    """Egress interfaces of the paths the fast path forwards dst on: those
    of its route's group that are up with a weight. A path whose link went
    down stays in its group at weight 0 (the local repair) until zebra
    moves the route to another group. FRR 8.4's zebra does that as soon as
    the protocol withdraws the path; FRR 10's keeps the route on its old
    group when the new nexthops are the old group's active ones
    (zebra_nhg_rib_compare_old_nhe: "using the old nhg entry"), so there
    the down path stays in the group, at weight 0, until the link is back."""
    r = route(router, dst).get("route", {})
    return sorted(
        p.get("interface") for p in r.get("paths", [])
        if p.get("up") and p.get("weight", 0) > 0
    )


def interface_counters(router, ifname):
    """One interface's counters from `show ebpf counters json` ({} if not
    there)."""
    ifs = show(router, "show ebpf counters json").get("interfaces", [])
    return next((i for i in ifs if i.get("name") == ifname), {})


def forwarded(router, ifnames):
    """Packets the fast path forwarded that came in on ifnames."""
    return sum(
        interface_counters(router, i).get("forwardedPackets", 0) for i in ifnames
    )


def attached_modes(router):
    """{ifname: mode} of the interfaces with the fast path attached."""
    ifs = show(router, "show ebpf status json").get("interfaces", [])
    return {i["name"]: i["mode"] for i in ifs}


def expect_attached(router, want):
    """Wait until the router's fast path is attached as want {ifname: mode}."""
    def cmp():
        return topotest.json_cmp(attached_modes(router), want)

    ok, result = topotest.run_and_expect(cmp, None, count=30, wait=1)
    assert ok, "{}: fast path not attached as {}: {}".format(
        router.name, want, result
    )


def ping_ok(router, dst, count=1, source=None):
    fam = "-6 " if ":" in dst else ""
    src = "-I {} ".format(source) if source else ""
    cmd = "ping {}{}-c {} -i 0.2 -W 1 {}".format(fam, src, count, dst)
    rc, out, err = router.net.cmd_status(cmd, warn=False)
    logger.info("%s: %s: rc %s\n%s%s", router.name, cmd, rc, out, err)
    return rc == 0


def expect_ping(router, dst, what, count=1, source=None, tries=20):
    ok, _ = topotest.run_and_expect(
        functools.partial(ping_ok, router, dst, count, source), True,
        count=tries, wait=1,
    )
    assert ok, "{}: {} cannot reach {}".format(what, router.name, dst)


def expect_json(router, command, expected, what, count=60, wait=1):
    """router_json_cmp on zebra's vty (the module's show commands)."""
    def cmp():
        return topotest.json_cmp(show(router, command), expected)

    ok, result = topotest.run_and_expect(cmp, None, count=count, wait=wait)
    assert ok, "{}: {} differs:\n{}".format(what, command, result)


def expect_mirror_equal(router, pin_path, what):
    """Wait until the pinned maps equal the router's FIB."""
    ok, diff = topotest.run_and_expect(
        functools.partial(mirror.rib_mirror_diff, router, pin_path), [],
        count=30, wait=1,
    )
    assert ok, "{}: mirror differs from zebra's FIB:\n  {}".format(
        what, "\n  ".join(diff))


def rib_interfaces(router, prefix):
    """Egress interfaces of the selected, installed route for prefix."""
    cmd = "show ipv6 route" if ":" in prefix else "show ip route"
    routes = router.vtysh_cmd("{} {} json".format(cmd, prefix), isjson=True)
    for r in routes.get(prefix, []):
        if r.get("selected") and r.get("installed"):
            return sorted(
                nh.get("interfaceName", "") for nh in r.get("nexthops", [])
                if nh.get("active") and nh.get("fib")
            )
    return []


def expect_rib(router, prefix, interfaces, what, count=90):
    ok, got = topotest.run_and_expect(
        functools.partial(rib_interfaces, router, prefix), sorted(interfaces),
        count=count, wait=1,
    )
    assert ok, "{}: {} has {} in the FIB, want {}".format(
        what, prefix, got, sorted(interfaces))


def expect_fast_path_route(router, dst, interfaces, what):
    """Wait until the fast path forwards dst over exactly these interfaces
    (forwarding_paths())."""
    ok, got = topotest.run_and_expect(
        lambda: forwarding_paths(router, dst), sorted(interfaces),
        count=30, wait=1,
    )
    assert ok, "{}: fast path route for {} goes via {}, want {}".format(
        what, dst, got, sorted(interfaces))


def ping_all(router, dests):
    """Ping each destination once; the ones that did not answer."""
    script = "for d in {}; do ping -c 1 -W 1 $d >/dev/null 2>&1 || echo $d; done"
    return router.cmd(script.format(" ".join(dests))).split()


def configure(router, *lines):
    """Configure zebra through its vty socket (the module's commands);
    every line must be accepted."""
    with fevty.router_vty(router) as v:
        v.cmd("configure terminal")
        try:
            for line in lines:
                v.cmd(line)
        finally:
            v.run("end")


def run(router, command):
    """One exec-mode command on zebra's vty (e.g. clear ...); its output."""
    with fevty.router_vty(router) as v:
        return v.cmd(command)


def policy(router, name):
    """One policy from `show ebpf policies json` ({} if not there)."""
    pols = show(router, "show ebpf policies json").get("policies", [])
    return next((p for p in pols if p.get("name") == name), {})


def rx_packets(router, ifname):
    """Packets the kernel counted as received on a router's interface."""
    out = router.cmd("cat /sys/class/net/{}/statistics/rx_packets".format(ifname))
    return int(out.strip() or 0)


def model_errors(command, router):
    """libyang's complaints about `show ebpf COMMAND json` against the
    YANG model (tools/frr-ebpf-yangcheck), "" when it validates."""
    tool = mirror.yangcheck_path()
    with fevty.router_vty(router) as v:
        out = v.cmd("show ebpf {} json".format(command))
    res = subprocess.run([tool, command.split()[0]], input=out,
                         capture_output=True, text=True)
    return "" if res.returncode == 0 else res.stderr + out
