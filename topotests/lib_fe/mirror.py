# SPDX-License-Identifier: GPL-2.0-or-later
"""The module under test, its pin directories, and the comparison of the
pinned maps (read with tools/frr-ebpf-dump) with zebra's RIB.

Both sides are reduced to one model: {prefix: Route}, where a Route holds
the kind, protocol, distance, metric and the set of forwarding paths, each
path a (type, gateway, ifindex) tuple, e.g. ("ipv4", "192.0.2.2", 3) or
("interface", "", 5).
"""
import collections
import json
import os
import pwd
import re
import shutil
import subprocess

import pytest

from lib_fe import frrenv

TOP = frrenv.TOP
# Every pin directory of these tests lives on this bpffs. It is mounted in
# the root mount namespace before the routers are created, so the routers'
# mount namespaces inherit it (their /sys, hence /sys/fs/bpf, is remounted).
BPFFS_ROOT = os.environ.get("FE_TOPOTEST_BPFFS", "/run/frr-ebpf-test/bpffs")

# zebra route types by `show ip route json` protocol name, of the FRR under
# test (they differ between versions: see frrenv.route_types()).
ROUTE_TYPES = frrenv.route_types()

Route = collections.namedtuple(
    "Route", "prefix kind protocol distance metric paths nhg_id"
)


def _first_existing(cands):
    for c in cands:
        if c and os.path.exists(c):
            return os.path.abspath(c)
    return None


def module_path():
    """zebra_ebpf.so: FE_MODULE, else the build tree."""
    return _first_existing(
        [
            os.environ.get("FE_MODULE"),
            os.path.join(TOP, "frr-module/.libs/zebra_ebpf.so"),
        ]
    )


def dump_path():
    """frr-ebpf-dump: FE_DUMP, else the build tree, else PATH."""
    return _first_existing(
        [
            os.environ.get("FE_DUMP"),
            os.path.join(TOP, "tools/frr-ebpf-dump"),
            shutil.which("frr-ebpf-dump"),
        ]
    )


def yangcheck_path():
    """frr-ebpf-yangcheck of the same build as the dump tool, else the
    build tree's."""
    dump = dump_path()
    return _first_existing(
        [
            dump and os.path.join(os.path.dirname(dump), "frr-ebpf-yangcheck"),
            os.path.join(TOP, "tools/frr-ebpf-yangcheck"),
        ]
    )


def why_cannot_run():
    """None if these topotests can run here, else why not."""
    if os.geteuid() != 0:
        return "topotests need root (namespaces, bpffs, BPF maps)"
    if frrenv.unavailable_reason():
        return frrenv.unavailable_reason()
    if frrenv.topotests_dir() is None:
        return "FRR's topotest framework was not loaded (see conftest.py)"
    if not module_path():
        return "zebra_ebpf.so not built (run make in {})".format(TOP)
    if not dump_path():
        return "frr-ebpf-dump not built (run make in {})".format(TOP)
    return None


def require():
    """At the top of a test module, before importing FRR's lib: skip the
    module, with the reason, if these topotests cannot run here."""
    reason = why_cannot_run()
    if reason:
        pytest.skip(reason, allow_module_level=True)


# --------------------------------------------------------------------------
# bpffs and pin directories
# --------------------------------------------------------------------------


def _fstype(path):
    return subprocess.run(
        ["stat", "-f", "-c", "%T", path], capture_output=True, text=True, check=True
    ).stdout.strip()


def ensure_bpffs(path):
    os.makedirs(path, exist_ok=True)
    if _fstype(path) != "bpf_fs":
        subprocess.run(["mount", "-t", "bpf", "bpf", path], check=True)
    os.chmod(path, 0o755)


def pin_path_from_config(conf):
    """The `ebpf pin-path` of a zebra.conf."""
    with open(conf, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s*ebpf\s+pin-path\s+(\S+)\s*$", line)
            if m:
                return m.group(1)
    raise ValueError("{} has no `ebpf pin-path` line".format(conf))


def _check_ours(path):
    root = os.path.realpath(BPFFS_ROOT)
    real = os.path.realpath(path)
    if os.path.commonpath([root, real]) != root or real == root:
        raise ValueError(
            "pin path {} must be a subdirectory of the test bpffs {}".format(
                path, BPFFS_ROOT
            )
        )


def _empty_dir(path):
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if os.path.isdir(full) and not os.path.islink(full):
            _empty_dir(full)
            os.rmdir(full)
        else:
            os.unlink(full)


def prepare_pin_dir(path):
    """A fresh, empty pin directory owned by frr (zebra runs as frr)."""
    _check_ours(path)
    ensure_bpffs(BPFFS_ROOT)
    os.makedirs(path, exist_ok=True)
    _empty_dir(path)  # maps pinned by an earlier run would be adopted
    frr = pwd.getpwnam("frr")
    # Every level we created below the root must be reachable by frr.
    d = path
    while os.path.realpath(d) != os.path.realpath(BPFFS_ROOT):
        os.chown(d, frr.pw_uid, frr.pw_gid)
        os.chmod(d, 0o755)
        d = os.path.dirname(d)
    return path


def remove_pin_dir(path):
    """Unpin the maps (they outlive zebra by design) and remove the dir."""
    _check_ours(path)
    if os.path.isdir(path):
        _empty_dir(path)
        os.rmdir(path)
    parent = os.path.dirname(path)
    if os.path.realpath(parent) != os.path.realpath(BPFFS_ROOT):
        try:
            os.rmdir(parent)
        except OSError:
            pass


# --------------------------------------------------------------------------
# Reading both sides
# --------------------------------------------------------------------------


def with_local_routes(fib, addresses):
    """A copy of fib ({"ip"|"ipv6": {prefix: (kind, number of paths)}})
    with, on an FRR that installs them (10.x), the "local" route zebra adds
    for each of a router's interface addresses: a host route over its
    interface. FRR 8.4 has none: fib as it is."""
    out = {afi: dict(routes) for afi, routes in fib.items()}
    if frrenv.has_local_routes():
        for addr in addresses:
            afi, plen = ("ipv6", 128) if ":" in addr else ("ip", 32)
            out[afi]["{}/{}".format(addr, plen)] = ("unicast", 1)
    return out



def dump(pin_path):
    """The maps under pin_path, as frr-ebpf-dump prints them."""
    res = subprocess.run(
        [dump_path(), "-p", pin_path], capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        raise RuntimeError(
            "frr-ebpf-dump -p {}: exit {}: {}".format(
                pin_path, res.returncode, res.stderr.strip()
            )
        )
    return json.loads(res.stdout)


def _zebra_path(nh):
    if nh.get("directlyConnected"):
        return ("interface", "", nh.get("interfaceIndex", 0))
    afi = nh.get("afi")
    if afi in ("ipv4", "ipv6") and "ip" in nh:
        return (afi, nh["ip"], nh.get("interfaceIndex", 0))
    return None


def _zebra_kind(nexthops):
    for nh in nexthops:
        if nh.get("unreachable"):
            if nh.get("reject"):
                return "unreachable"
            if nh.get("admin-prohibited"):
                return "prohibit"
            return "blackhole"
    return "unicast"


def zebra_fib(rib_json, protocols=None):
    """Model of the routes zebra has in the FIB (selected and installed),
    from `show ip[v6] route json`; protocols, if given, keeps only those.

    Returns (model, problems): problems lists entries that cannot be
    modelled (a route still queued, a FIB route without a FIB nexthop).
    """
    model, problems = {}, []
    for prefix, entries in rib_json.items():
        for e in entries:
            if e.get("queued") or e.get("failed"):
                problems.append("{}: {} route is {}".format(
                    prefix, e.get("protocol"),
                    "queued" if e.get("queued") else "failed"))
            if not (e.get("selected") and e.get("installed")):
                continue
            if e.get("table", 254) != 254 or e.get("vrfName", "default") != "default":
                continue
            if protocols is not None and e.get("protocol") not in protocols:
                continue
            nexthops = e.get("nexthops", [])
            kind = _zebra_kind(nexthops)
            paths = set()
            if kind == "unicast":
                for nh in nexthops:
                    if not nh.get("fib") or nh.get("recursive"):
                        continue
                    p = _zebra_path(nh)
                    if p is None:
                        problems.append("{}: unexpected nexthop {}".format(prefix, nh))
                    else:
                        paths.add(p)
                if not paths:
                    problems.append("{}: installed but no FIB nexthop".format(prefix))
            model[prefix] = Route(
                prefix,
                kind,
                ROUTE_TYPES.get(e.get("protocol"), -1),
                e.get("distance"),
                e.get("metric"),
                frozenset(paths),
                e.get("installedNexthopGroupId", e.get("nexthopGroupId")),
            )
    return model, problems


def mirror_routes(dumped, family):
    """Model of one family ("ipv4"/"ipv6") of a dump; (model, problems)."""
    model, problems = {}, []
    nhgs = dumped.get("nexthopGroups", {})
    for r in dumped.get(family, []):
        paths = set()
        if r["kind"] == "unicast":
            g = nhgs.get(str(r["nhgId"]))
            if g is None:
                problems.append("{}: nhgId {} not in the NHG map".format(
                    r["prefix"], r["nhgId"]))
            else:
                for p in g["paths"]:
                    paths.add((p["type"], p["gateway"], p["ifindex"]))
                if not g["paths"]:
                    problems.append("{}: NHG {} has no path".format(r["prefix"], r["nhgId"]))
        elif r["nhgId"]:
            problems.append("{}: {} route with nhgId {}".format(
                r["prefix"], r["kind"], r["nhgId"]))
        if r["prefix"] in model:
            problems.append("{}: listed twice".format(r["prefix"]))
        model[r["prefix"]] = Route(
            r["prefix"], r["kind"], r["protocol"], r["distance"], r["metric"],
            frozenset(paths), r["nhgId"],
        )
    return model, problems


def diff_models(expected, actual, compare_nhg_id=False):
    """Human-readable differences between two models (expected: zebra's);
    [] if equal."""
    out = []
    for prefix in sorted(set(expected) - set(actual)):
        out.append("missing in mirror: {}".format(expected[prefix]))
    for prefix in sorted(set(actual) - set(expected)):
        out.append("extra in mirror: {}".format(actual[prefix]))
    for prefix in sorted(set(expected) & set(actual)):
        e, a = expected[prefix], actual[prefix]
        fields = ["kind", "protocol", "distance", "metric", "paths"]
        # The mirror keys unicast routes by zebra's installed NHG id; other
        # kinds carry none.
        if compare_nhg_id and e.kind == "unicast":
            fields.append("nhg_id")
        for f in fields:
            if getattr(e, f) != getattr(a, f):
                out.append("{} {}: zebra {} mirror {}".format(
                    prefix, f, sorted(getattr(e, f)) if f == "paths" else getattr(e, f),
                    sorted(getattr(a, f)) if f == "paths" else getattr(a, f)))
    return out


def rib_mirror_diff(router, pin_path, compare_nhg_id=True):
    """Differences between a router's FIB routes (`show ip[v6] route
    json`) and its pinned maps; [] when the mirror is exact."""
    z4, p4 = zebra_fib(router.vtysh_cmd("show ip route json", isjson=True))
    z6, p6 = zebra_fib(router.vtysh_cmd("show ipv6 route json", isjson=True))
    try:
        dumped = dump(pin_path)
    except (RuntimeError, ValueError) as e:
        return ["dump failed: {}".format(e)]
    a4, q4 = mirror_routes(dumped, "ipv4")
    a6, q6 = mirror_routes(dumped, "ipv6")
    return (
        ["zebra: " + p for p in p4 + p6]
        + ["mirror: " + q for q in q4 + q6]
        + diff_models(z4, a4, compare_nhg_id=compare_nhg_id)
        + diff_models(z6, a6, compare_nhg_id=compare_nhg_id)
    )
