# SPDX-License-Identifier: GPL-2.0-or-later
"""Self-test of the harness's comparison (no root, no FRR needed): the
mirror-vs-RIB check of the topotests must see every kind of difference."""
from lib_fe import frrenv, mirror

RIB = {
    "192.0.2.0/24": [
        {
            "protocol": "connected", "selected": True, "installed": True,
            "distance": 0, "metric": 0, "table": 254, "nexthopGroupId": 4,
            "installedNexthopGroupId": 4,
            "nexthops": [{"fib": True, "directlyConnected": True,
                          "interfaceIndex": 2, "interfaceName": "r1-eth0"}],
        }
    ],
    "198.18.1.0/24": [
        {
            "protocol": "static", "selected": True, "installed": True,
            "distance": 1, "metric": 0, "table": 254, "nexthopGroupId": 29,
            "installedNexthopGroupId": 29,
            "nexthops": [
                {"ip": "198.18.0.1", "afi": "ipv4", "recursive": True},
                {"fib": True, "ip": "192.0.2.2", "afi": "ipv4",
                 "interfaceIndex": 2, "resolver": True},
                {"fib": True, "ip": "198.51.100.2", "afi": "ipv4",
                 "interfaceIndex": 3, "resolver": True},
            ],
        }
    ],
    "198.18.3.0/24": [
        {
            "protocol": "static", "selected": True, "installed": True,
            "distance": 1, "metric": 0, "table": 254, "nexthopGroupId": 10,
            "nexthops": [{"fib": True, "unreachable": True, "blackhole": True}],
        }
    ],
    "198.18.4.0/24": [
        {
            "protocol": "static", "selected": True, "installed": True,
            "distance": 1, "metric": 0, "table": 254, "nexthopGroupId": 11,
            "nexthops": [{"fib": True, "unreachable": True, "reject": True}],
        }
    ],
    "198.18.5.0/24": [
        {
            "protocol": "static", "selected": True, "installed": True,
            "distance": 20, "metric": 0, "table": 254, "nexthopGroupId": 24,
            "installedNexthopGroupId": 24,
            "nexthops": [{"fib": True, "ip": "198.51.100.2", "afi": "ipv4",
                          "interfaceIndex": 3}],
        },
        {   # a candidate that is not selected: not in the FIB
            "protocol": "static", "distance": 30, "metric": 0, "table": 254,
            "nexthopGroupId": 30,
            "nexthops": [{"ip": "192.0.2.2", "afi": "ipv4", "interfaceIndex": 2}],
        },
    ],
}


def _path(gw, ifindex, kind="ipv4"):
    return {"type": kind, "gateway": gw, "ifindex": ifindex, "weight": 1,
            "onlink": False}


# zebra's route type numbers of the FRR under test (8.4: 2 and 3)
CONNECTED = mirror.ROUTE_TYPES["connected"]
STATIC = mirror.ROUTE_TYPES["static"]


def _dump():
    return {
        "ipv4": [
            {"prefix": "192.0.2.0/24", "kind": "unicast", "protocol": CONNECTED,
             "distance": 0, "metric": 0, "nhgId": 4},
            {"prefix": "198.18.1.0/24", "kind": "unicast", "protocol": STATIC,
             "distance": 1, "metric": 0, "nhgId": 29},
            {"prefix": "198.18.3.0/24", "kind": "blackhole", "protocol": STATIC,
             "distance": 1, "metric": 0, "nhgId": 0},
            {"prefix": "198.18.4.0/24", "kind": "unreachable", "protocol": STATIC,
             "distance": 1, "metric": 0, "nhgId": 0},
            {"prefix": "198.18.5.0/24", "kind": "unicast", "protocol": STATIC,
             "distance": 20, "metric": 0, "nhgId": 24},
        ],
        "ipv6": [],
        "nexthopGroups": {
            "4": {"totalWeight": 1, "paths": [_path("", 2, "interface")]},
            "29": {"totalWeight": 2, "paths": [_path("198.51.100.2", 3),
                                               _path("192.0.2.2", 2)]},
            "24": {"totalWeight": 1, "paths": [_path("198.51.100.2", 3)]},
        },
    }


def _diff(dumped):
    zebra, zp = mirror.zebra_fib(RIB)
    actual, ap = mirror.mirror_routes(dumped, "ipv4")
    return zp + ap + mirror.diff_models(zebra, actual, compare_nhg_id=True)


def test_equal():
    assert _diff(_dump()) == []


def test_missing_and_extra_prefix():
    d = _dump()
    d["ipv4"][0]["prefix"] = "192.0.2.0/25"
    out = _diff(d)
    assert any(o.startswith("missing in mirror") and "192.0.2.0/24" in o for o in out)
    assert any(o.startswith("extra in mirror") and "192.0.2.0/25" in o for o in out)


def test_wrong_paths():
    d = _dump()
    d["nexthopGroups"]["29"]["paths"].pop()
    assert any("198.18.1.0/24 paths" in o for o in _diff(d))
    d = _dump()
    d["nexthopGroups"]["24"]["paths"][0]["ifindex"] = 2
    assert any("198.18.5.0/24 paths" in o for o in _diff(d))


def test_wrong_kind_distance_nhg():
    d = _dump()
    d["ipv4"][3]["kind"] = "blackhole"
    d["ipv4"][4]["distance"] = 30
    d["ipv4"][1]["nhgId"] = 4
    out = _diff(d)
    assert any("198.18.4.0/24 kind" in o for o in out)
    assert any("198.18.5.0/24 distance" in o for o in out)
    assert any("198.18.1.0/24 nhg_id" in o for o in out)


def test_dangling_nhg():
    d = _dump()
    del d["nexthopGroups"]["24"]
    assert any("nhgId 24 not in the NHG map" in o for o in _diff(d))


def test_queued_route_reported():
    rib = {"198.18.9.0/24": [{"protocol": "static", "selected": True,
                              "queued": True, "nexthops": []}]}
    _, problems = mirror.zebra_fib(rib)
    assert problems and "queued" in problems[0]


def test_makefile_frr_src(tmp_path):
    mk = tmp_path / "Makefile"
    mk.write_text("CC = gcc\nFRR_SRC = /opt/frr src\nX = 1\n")
    assert frrenv._makefile_frr_src(str(mk)) == "/opt/frr src"
    mk.write_text("CC = gcc\n")
    assert frrenv._makefile_frr_src(str(mk)) is None


# `zebra --version` of Debian 12's FRR 8.4.4 and of scripts/frr10-build.sh's
# FRR 10.3 (configure options shortened).
ZEBRA_84 = """zebra version 8.4.4
Copyright 1996-2005 Kunihiro Ishiguro, et al.
configured with:
\t'--build=x86_64-linux-gnu' '--prefix=/usr' '--sysconfdir=/etc' \
'--localstatedir=/var' '--disable-option-checking' \
'--localstatedir=/var/run/frr' '--sbindir=/usr/lib/frr' \
'--sysconfdir=/etc/frr' '--enable-user=frr'
"""
ZEBRA_103 = """zebra version 10.3
Copyright 1996-2005 Kunihiro Ishiguro, et al.
configured with:
\t'--prefix=/opt/frr-10.3' '--sbindir=/opt/frr-10.3/sbin' \
'--sysconfdir=/opt/frr-10.3/etc' '--localstatedir=/opt/frr-10.3/var' \
'--runstatedir=/run/frr-10.3' '--libdir=/opt/frr-10.3/lib/frr' \
'LIBS=-latomic'
"""


def test_frr_build_paths():
    """The daemons' own paths, as FRR's configure derives them (8.4: as
    given; 10.x: /frr appended)."""
    assert frrenv.parse_frr_build(ZEBRA_84) == {
        "version": "8.4.4", "sysconf": "/etc/frr", "runstate": "/var/run/frr",
        "libstate": "/var/lib/frr", "bindir": "/usr/bin"}
    assert frrenv.parse_frr_build(ZEBRA_103) == {
        "version": "10.3", "sysconf": "/opt/frr-10.3/etc/frr",
        "runstate": "/run/frr-10.3/frr", "libstate": "/opt/frr-10.3/var/lib/frr",
        "bindir": "/opt/frr-10.3/bin"}
    # 10.x given paths the 8.4 way: the /frr suffixes are dropped first
    old_style = ZEBRA_103.replace("'--sysconfdir=/opt/frr-10.3/etc'",
                                  "'--sysconfdir=/etc/frr'").replace(
        "'--localstatedir=/opt/frr-10.3/var' '--runstatedir=/run/frr-10.3'",
        "'--localstatedir=/var/run/frr'")
    got = frrenv.parse_frr_build(old_style)
    assert (got["sysconf"], got["runstate"], got["libstate"]) == (
        "/etc/frr", "/var/run/frr", "/var/lib/frr")


def test_route_types():
    """zebra's route type numbers of the FRR under test: FRR 10's "local"
    moved static and the protocols after it up by one."""
    want = (4, 7, 10) if frrenv.has_local_routes() else (3, 6, 9)
    rt = mirror.ROUTE_TYPES
    assert (rt["connected"], (rt["static"], rt["ospf"], rt["bgp"])) == (2, want)
    fib = {"ip": {"192.0.2.0/24": ("unicast", 1)}, "ipv6": {}}
    got = mirror.with_local_routes(fib, ["192.0.2.1", "2001:db8::1"])
    if frrenv.has_local_routes():
        assert got["ip"]["192.0.2.1/32"] == ("unicast", 1)
        assert got["ipv6"] == {"2001:db8::1/128": ("unicast", 1)}
    else:
        assert got == fib
