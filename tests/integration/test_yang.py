# SPDX-License-Identifier: GPL-2.0-or-later
"""The YANG model against a live router: zebra with the module, every
feature configured (fast path in each mode, ECMP, every policy action,
events, flap and hijack detection), every `show ebpf ... json` validated
by frr-ebpf-yangcheck, each event validated as a notification, and zebra
lists the model.

The rig is frrlab's fastpath_rig (h1 -- r -- h2 over r-out, r-out2,
r-out3). 198.18.0.0/24 (h2's lo) is an ECMP route over r-out and r-out2;
a rule sends it out r-out3 instead, so the fast path raises
mirrorMismatch. Static routes raise the detection events: FLAP_PREFIX
flaps (flapping, then stable), a more-specific of the protected
HIJACKED stays (hijackMoreSpecific, mitigated), another comes and goes
(hijackCleared) and the protected WITHDRAWN6 goes (hijackWithdrawn).
Origin checks need BGP: test_detect.py validates those events.

FE_YANG_SAVE=DIR writes every output there (how tests/yang/samples was
made).
"""
import json
import os
import shutil
import subprocess
import time

import pytest

import frrlab

MODEL = os.path.join(frrlab.TOP, "yang", "frr-ebpf.yang")
CHECK = os.environ.get("FE_YANGCHECK",
                       os.path.join(frrlab.TOP, "tools", "frr-ebpf-yangcheck"))
REASON = frrlab.why_cannot_run() or (
    None if os.path.exists(CHECK) else "tools/frr-ebpf-yangcheck not built")
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

CONFIG = [
    "ebpf events history 50",
    "ebpf reconcile-delay 7",
    "ebpf map-size route6 400000",
    "ebpf ipv4-lookup fib",
    "ebpf ecmp algorithm hash-threshold",
    "ebpf ecmp hash-fields l3-l4 seed 42",
    "ebpf policy a-pin match destination 198.19.1.0/24 source 198.51.100.0/24 ingress r-in",
    "ebpf policy a-pin action pin 192.0.2.2",
    "ebpf policy b-exclude match destination 198.19.2.0/24",
    "ebpf policy b-exclude action exclude 203.0.113.2",
    "ebpf policy c-count match destination 198.19.3.0/24",
    "ebpf policy c-count action count",
    "ebpf policy d-kernel match destination 198.19.4.0/24",
    "ebpf policy d-kernel action kernel",
    "ebpf policy e-nhg match destination 198.19.5.0/24",
    "ebpf policy e-nhg action nexthop-group 7",
    "ebpf policy f-drop6 match destination 2001:db8:99::/48",
    "ebpf policy f-drop6 action drop",
    "ebpf policy g-match-only match destination 198.19.7.0/24",
    "ebpf policy h-action-only action drop",
    "ebpf flap-detection half-life 3 suppress-threshold 2500 "
    "reuse-threshold 1200 max-penalty 5000",
    "ebpf flap-detection action kernel",
    "ebpf hijack protect 198.51.100.0/24 origin-as 64500 1.10 mitigate",
    "ebpf hijack protect 2001:db8:f00::/48 origin-as 64500 max-length 64",
    "ebpf fast-path interface r-in xdp",
    "ebpf fast-path interface r-out xdp-generic",
    "ebpf fast-path interface r-out2 tc",
    "ebpf fast-path interface r-out3 xdp",
]

ROUTES = [
    "ip route 198.18.0.0/24 192.0.2.2",
    "ip route 198.18.0.0/24 203.0.113.2",
    "ip route 198.19.0.0/16 192.0.2.2",
    "ip route 10.99.0.0/16 blackhole",
    "ipv6 route 2001:db8:99::/48 2001:db8:20::2",
]

# show ebpf route: policy, ECMP choice, no route, IPv6, not unicast
ROUTE_QUERIES = ["198.18.0.1", "198.19.1.9", "198.19.5.1", "10.9.9.9",
                 "2001:db8:99::1", "10.99.0.1"]

FLAP_PREFIX = "198.19.200.0/24"
HIJACKED = "198.51.100.0/24"
WITHDRAWN6 = "2001:db8:f00::/48"


@pytest.fixture(scope="module")
def router():
    lab = frrlab.Lab("fe-yg")
    lab.fastpath_rig()
    lab.z = lab.zebra(lab.r, f"ebpf pin-path {lab.pin_path('yg')}\n")
    lab.s = lab.staticd(lab.r, "".join(line + "\n" for line in ROUTES))
    # before any ebpf config: the empty shapes ([] lists, no policy...)
    lab.unconfigured = {name: (what, lab.z.vty.cmd(cmd))
                        for what, name, cmd in commands()}
    lab.z.vty.config(*CONFIG)
    assert frrlab.wait_for(lambda: len(lab.z.vty.json(
        "show ebpf route 198.18.0.1 json").get("route", {}).get("paths", []))
        == 2), "the ECMP route never reached the mirror"
    mismatch(lab)
    detection(lab)
    yield lab
    lab.close()


def ping(ns, dst, count=3):
    subprocess.run(["ip", "netns", "exec", ns, "ping", "-c", str(count),
                    "-i", "0.2", "-W", "1", dst], capture_output=True)


def mismatch(lab):
    """Traffic through the fast path, then a rule the mirror does not know:
    the kernel sends 198.18.0.0/24 out r-out3, the mirror says r-out or
    r-out2, and the fast path reports it."""
    for dst in ("192.0.2.2", "203.0.113.2", "100.64.3.2", "198.18.0.1"):
        ping(lab.h1, dst)
    frrlab.sh(["ip", "-n", lab.r, "route", "add", "198.18.0.0/24", "via",
               "100.64.3.2", "table", "100"])
    frrlab.sh(["ip", "-n", lab.r, "rule", "add", "to", "198.18.0.0/24",
               "table", "100", "prio", "100"])
    assert frrlab.wait_for(lambda: ping(lab.h1, "198.18.0.1", 2) or
                           events(lab, "mirrorMismatch"),
                           timeout=20), "no mirrorMismatch event"


def events(lab, *kinds):
    cmd = "show ebpf events json"
    if kinds:
        cmd += " kind " + " ".join(kinds)
    return lab.z.vty.json(cmd)["events"]


def detection(lab):
    """Every detection event static routes can raise; show ebpf flaps
    json is kept while FLAP_PREFIX flaps (it is stable by the tests)."""
    flap = f"ip route {FLAP_PREFIX} 192.0.2.2"
    for _ in range(3):
        lab.s.vty.config(flap)
        time.sleep(0.3)
        lab.s.vty.config("no " + flap)
        time.sleep(0.3)
    lab.s.vty.config(flap)
    assert frrlab.wait_for(lambda: events(lab, "flapping"), 10), \
        lab.z.vty.cmd("show ebpf flaps")
    lab.flapping = lab.z.vty.cmd("show ebpf flaps json")
    more = [f"ip route {HIJACKED} 192.0.2.2",
            "ip route 198.51.100.128/25 203.0.113.2",
            "ip route 198.51.100.64/26 203.0.113.2"]
    lab.s.vty.config(*more)
    assert frrlab.wait_for(lambda: len(events(lab, "hijackMoreSpecific")) == 2,
                           10), lab.z.vty.cmd("show ebpf hijacks")
    lab.s.vty.config("no " + more[2], f"ipv6 route {WITHDRAWN6} 2001:db8:20::2")
    assert frrlab.wait_for(lambda: events(lab, "hijackCleared"), 10)
    time.sleep(1)
    lab.s.vty.config(f"no ipv6 route {WITHDRAWN6} 2001:db8:20::2")
    assert frrlab.wait_for(lambda: events(lab, "hijackWithdrawn"), 10)
    assert frrlab.wait_for(lambda: events(lab, "stable"), 30), \
        lab.z.vty.cmd("show ebpf flaps")


def yangcheck(args, text):
    return subprocess.run([CHECK] + args, input=text, capture_output=True,
                          text=True)


def save(name, text):
    d = os.environ.get("FE_YANG_SAVE")
    if d:
        with open(os.path.join(d, name + ".json"), "w") as f:
            f.write(text if text.endswith("\n") else text + "\n")


def commands():
    """(container, file name, command) of every show ebpf ... json."""
    out = [(w, w, f"show ebpf {w} json") for w in
           ("mirror", "status", "interfaces", "counters", "policies",
            "nexthop-groups", "events", "flaps", "hijacks")]
    out.append(("events", "events_kind",
                "show ebpf events json kind flapping hijackMoreSpecific"))
    out += [("route", "route_" + a.replace(":", "_"), f"show ebpf route {a} json")
            for a in ROUTE_QUERIES]
    return out


@pytest.mark.parametrize("what,name,cmd", commands(),
                         ids=[c[1] for c in commands()])
def test_show_json_matches_the_model(router, what, name, cmd):
    text = router.z.vty.cmd(cmd)
    json.loads(text)
    save(name, text)
    res = yangcheck([what], text)
    assert res.returncode == 0, f"{cmd}:\n{res.stderr}\n{text}"


@pytest.mark.parametrize("name", [c[1] for c in commands()])
def test_unconfigured_show_json_matches_the_model(router, name):
    what, text = router.unconfigured[name]
    save(name + "_unconfigured", text)
    res = yangcheck([what], text)
    assert res.returncode == 0, f"{name} (unconfigured):\n{res.stderr}\n{text}"


def test_everything_configured_shows(router):
    """The outputs validated above carry every feature, not empty lists."""
    z = router.z
    modes = {i["name"]: i["mode"] for i in
             z.vty.json("show ebpf interfaces json")["interfaces"]}
    assert modes == {"r-in": "xdp", "r-out": "xdp-generic", "r-out2": "tc",
                     "r-out3": "xdp"}
    pols = {p["name"]: p for p in
            z.vty.json("show ebpf policies json")["policies"]}
    assert {p.get("action") for p in pols.values()} == {
        "pin", "exclude", "count", "kernel", "nexthop-group", "drop", None}
    assert pols["g-match-only"]["installed"] is False
    assert z.vty.json("show ebpf nexthop-groups json")["nexthopGroups"]
    assert z.vty.json("show ebpf counters json")["interfaces"]
    st = z.vty.json("show ebpf status json")
    assert st["ecmpAlgorithm"] == "hash-threshold"
    assert st["ipv4Lookup"] == "fib"
    assert st["flapDetection"] is True and st["hijackProtections"] == 2
    assert st["detectionChangesEvaluated"] > 0
    fl = json.loads(router.flapping)
    assert fl["config"]["action"] == "kernel"
    assert [p["state"] for p in fl["prefixes"]
            if p["prefix"] == FLAP_PREFIX] == ["flapping"], fl
    prot = {p["prefix"]: p for p in
            z.vty.json("show ebpf hijacks json")["protections"]}
    assert prot.keys() == {HIJACKED, WITHDRAWN6}
    assert prot[WITHDRAWN6]["state"] == "alert"
    assert prot[WITHDRAWN6]["inRib"] is False
    assert [a["kind"] for a in prot[WITHDRAWN6]["alerts"]] == ["withdrawn"]
    alerts = prot[HIJACKED]["alerts"]
    assert [a["prefix"] for a in alerts] == ["198.51.100.128/25"], alerts
    assert alerts[0]["mitigation"] == "installed", alerts
    kinds = {e["kind"] for e in z.vty.json(
        "show ebpf events json kind flapping hijackMoreSpecific")["events"]}
    assert kinds == {"flapping", "hijackMoreSpecific"}


def test_flaps_json_while_flapping(router):
    """The flapping shape (flappingSince, reuseInSeconds, mitigation)."""
    save("flaps_flapping", router.flapping)
    res = yangcheck(["flaps"], router.flapping)
    assert res.returncode == 0, f"{res.stderr}\n{router.flapping}"


def kebab(kind):
    return "".join("-" + c.lower() if c.isupper() else c for c in kind)


def test_events_are_valid_notifications(router):
    evs = events(router)
    first = {}
    for e in evs:
        res = yangcheck(["-n"], json.dumps(e))
        assert res.returncode == 0, f"{e}:\n{res.stderr}"
        first.setdefault(e["kind"], e)
    assert first.keys() >= {"mirrorMismatch", "flapping", "stable",
                            "hijackMoreSpecific", "hijackCleared",
                            "hijackWithdrawn"}, first.keys()
    for kind, e in first.items():
        save("notif_" + kebab(kind), json.dumps(e, indent=2))


def test_zebra_lists_the_model(router):
    out = router.z.vty.cmd("show yang module")
    line = [l for l in out.splitlines() if " frr-ebpf " in f" {l} "]
    assert line, out
    assert "2026-11-26" in line[0] and "urn:frr-ebpf:yang:frr-ebpf" in line[0]
    assert "YANG model" not in router.z.log()  # no load failure logged


def config_as_yang(running):
    """The ebpf lines of a running-config as the model's config, in RFC
    7951 JSON; a line the model has no place for fails the test."""
    ebpf, pols, ifs, det = {}, {}, [], {}
    for line in running.splitlines():
        w = line.split()
        # the interface-node form is never written back: it fails below
        if w[:3] == ["ebpf", "fast-path", "interface"]:
            ifs.append({"name": w[3], "fast-path": w[4]})
        elif w[:2] == ["ebpf", "pin-path"]:
            ebpf["pin-path"] = w[2]
        elif w[:2] == ["ebpf", "map-size"]:
            ebpf.setdefault("map-size", {})[w[2]] = int(w[3])
        elif w[:2] == ["ebpf", "reconcile-delay"]:
            ebpf["reconcile-delay"] = int(w[2])
        elif w[:2] == ["ebpf", "ipv4-lookup"]:
            ebpf["ipv4-lookup"] = w[2]
        elif w[:3] == ["ebpf", "ecmp", "algorithm"]:
            ebpf.setdefault("ecmp", {})["algorithm"] = w[3]
        elif w[:3] == ["ebpf", "ecmp", "hash-fields"]:
            ebpf.setdefault("ecmp", {})["hash-fields"] = w[3]
            if w[4:5] == ["seed"]:
                ebpf["ecmp"]["seed"] = int(w[5])
        elif w[:3] == ["ebpf", "events", "history"]:
            ebpf["events"] = {"history": int(w[3])}
        elif w[:4] == ["ebpf", "flap-detection", "action", "kernel"]:
            det.setdefault("flap-detection", {})["action"] = "kernel"
        elif w[:2] == ["ebpf", "flap-detection"]:
            # unnamed parameters are the defaults, as in the model
            det.setdefault("flap-detection", {}).update(
                {k: int(v) for k, v in zip(w[2::2], w[3::2])})
        elif w[:3] == ["ebpf", "hijack", "protect"] and w[4] == "origin-as":
            prot = {"prefix": w[3], "origin-as": []}
            rest = iter(w[5:])
            for word in rest:
                if word == "max-length":
                    prot["max-length"] = int(next(rest))
                elif word == "mitigate":
                    prot["mitigate"] = True
                else:
                    prot["origin-as"].append(int(word))
            det.setdefault("hijack", {"protect": []})["protect"].append(prot)
        elif w[:2] == ["ebpf", "policy"] and w[3] == "match":
            m = dict(zip(w[4::2], w[5::2]))
            pols.setdefault(w[2], {"name": w[2]})["match"] = m
        elif w[:2] == ["ebpf", "policy"] and w[3] == "action":
            # nexthop-group ID, pin|exclude NEXTHOP, or a leaf of type empty
            arg = (int(w[5]) if w[4] == "nexthop-group" else
                   w[5] if len(w) > 5 else [None])
            pols.setdefault(w[2], {"name": w[2]})["action"] = {w[4]: arg}
        else:
            assert not w or w[0] != "ebpf", f"not in the model: {line}"
    ebpf["policy"] = list(pols.values())
    ebpf["interfaces"] = {"interface": ifs}
    if det:
        ebpf["detection"] = det
    return {"frr-ebpf:ebpf": ebpf}


@pytest.mark.skipif(not shutil.which("yanglint"), reason="no yanglint")
def test_running_config_matches_the_model(router, tmp_path):
    conf = config_as_yang(router.z.vty.cmd("show running-config"))
    assert len(conf["frr-ebpf:ebpf"]["policy"]) == 8, conf
    assert len(conf["frr-ebpf:ebpf"]["interfaces"]["interface"]) == 4, conf
    assert conf["frr-ebpf:ebpf"]["map-size"] == {"route6": 400000}, conf
    det = conf["frr-ebpf:ebpf"]["detection"]
    assert det["flap-detection"] == {
        "half-life": 3, "suppress-threshold": 2500, "reuse-threshold": 1200,
        "max-penalty": 5000, "action": "kernel"}, det
    assert det["hijack"]["protect"] == [
        {"prefix": HIJACKED, "origin-as": [64500, 65546], "mitigate": True},
        {"prefix": WITHDRAWN6, "origin-as": [64500], "max-length": 64}], det
    path = tmp_path / "config.json"
    path.write_text(json.dumps(conf, indent=2))
    res = subprocess.run(["yanglint", "-t", "config", MODEL, str(path)],
                         capture_output=True, text=True)
    assert res.returncode == 0 and not res.stderr, \
        f"{res.stderr}\n{path.read_text()}"
