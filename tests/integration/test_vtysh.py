# SPDX-License-Identifier: GPL-2.0-or-later
"""The module's commands through vtysh: the vtysh the build makes
(tools/vtysh, from the matching FRR source), against the real zebra with
the module in a namespace. Show, configure (global lines; the fast path's
older interface-node form, read and written back globally), bad input,
and a write memory / restart round trip of every line.
"""
import os
import re
import subprocess

import pytest

import frrlab

VTYSH = os.environ.get("FE_VTYSH", os.path.join(frrlab.TOP, "tools", "vtysh"))
REASON = frrlab.why_cannot_run() or (
    None if os.path.exists(VTYSH) else "tools/vtysh not built (run make)")
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

CONFIG = [
    "ebpf events history 50",
    "ebpf ecmp algorithm resilient",
    "ebpf ecmp hash-fields l3 seed 42",
    "ebpf reconcile-delay 7",
    "ebpf policy scrub match destination 198.18.0.0/24 source 203.0.113.0/24 ingress r-in",
    "ebpf policy scrub action pin 192.0.2.2",
    "ebpf policy sink match destination 2001:db8:99::/48",
    "ebpf policy sink action drop",
    "ebpf flap-detection half-life 60 suppress-threshold 3000",
    "ebpf flap-detection action kernel",
    "ebpf hijack protect 198.18.0.0/16 origin-as 64500 64501 max-length 24 mitigate",
    "ebpf hijack protect 2001:db8::/32 origin-as 64500",
    "ebpf fast-path interface r-in xdp",
]


@pytest.fixture
def router():
    lab = frrlab.Lab("fe-vt")
    r, h = lab.pair("r", "r-in", "h", "h-eth0")
    lab.r = r
    lab.pin = lab.pin_path("vt")
    lab.z = lab.zebra(r, f"ebpf pin-path {lab.pin}\n")
    yield lab
    lab.close()


def vtysh(lab, *cmds, check=True, boot=False):
    # --config_dir: vtysh.conf and frr.conf in the test's own folder, never
    # the machine's /etc/frr
    args = ["ip", "netns", "exec", lab.r, VTYSH, "--vty_socket", lab.z.rundir,
            "--config_dir", lab.z.rundir] + (["-b"] if boot else [])
    for c in cmds:
        args += ["-c", c]
    res = subprocess.run(args, capture_output=True, text=True)
    if check and res.returncode != 0:
        raise AssertionError(f"vtysh {cmds}: rc {res.returncode}: "
                             f"{res.stdout}{res.stderr}")
    return res


def ebpf_lines(conf):
    return [line.strip() for line in conf.splitlines()
            if re.match(r"\s*ebpf ", line)]


def test_show_commands_through_vtysh(router):
    import json
    for cmd in ("show ebpf mirror json", "show ebpf interfaces json",
                "show ebpf counters json", "show ebpf policies json",
                "show ebpf nexthop-groups json", "show ebpf events json",
                "show ebpf route 192.0.2.2 json", "show ebpf status json"):
        out = vtysh(router, cmd).stdout
        json.loads(out)  # every one is valid JSON
    assert "eBPF RIB mirror" in vtysh(router, "show ebpf mirror").stdout
    st = json.loads(vtysh(router, "show ebpf status json").stdout)
    assert st["mirrorSyncState"] == "inSync"
    assert st["fastPathLoaded"] is False
    assert st["pinPath"] == router.pin


def test_debug_switches(router):
    vtysh(router, "debug ebpf datapath", "debug ebpf events")
    out = vtysh(router, "show debugging").stdout
    assert "eBPF datapath debugging is on" in out
    assert "eBPF events debugging is on" in out
    assert "eBPF mirror debugging is on" not in out
    vtysh(router, "no debug ebpf datapath")
    assert "eBPF datapath debugging" not in vtysh(router,
                                                  "show debugging").stdout


def configure_all(lab):
    vtysh(lab, "configure terminal", *CONFIG)
    conf = vtysh(lab, "show running-config").stdout
    got = ebpf_lines(conf)
    for line in CONFIG:
        assert line in got, f"{line!r} missing from:\n{conf}"
    assert " ebpf fast-path" not in conf  # the global form only
    return got


def vtysh_conf(lab, integrated):
    with open(os.path.join(lab.z.rundir, "vtysh.conf"), "w") as f:
        f.write(("" if integrated else "no ") +
                "service integrated-vtysh-config\n")


def test_per_daemon_config_round_trip(router):
    lab = router
    vtysh_conf(lab, integrated=False)
    got = configure_all(lab)
    # per-daemon config: zebra writes its own file
    vtysh(lab, "write memory")
    saved = open(lab.z.conf).read()
    assert all(line in saved for line in CONFIG), saved
    # restart zebra from that file: the same lines, in the same order
    lab.z.stop()
    lab.z.start()
    again = ebpf_lines(vtysh(lab, "show running-config").stdout)
    assert again == got
    assert vtysh(lab, "show ebpf interfaces json").stdout.count('"xdp"') == 1


def test_integrated_config_applied_at_boot(router):
    lab = router
    vtysh_conf(lab, integrated=True)
    got = configure_all(lab)
    vtysh(lab, "write memory")
    frr_conf = open(os.path.join(lab.z.rundir, "frr.conf")).read()
    assert all(line in frr_conf for line in CONFIG), frr_conf
    # zebra restarts with only its pin path; vtysh -b applies frr.conf
    with open(lab.z.conf, "w") as f:
        f.write(f"ebpf pin-path {lab.pin}\n")
    lab.z.stop()
    lab.z.start()
    assert "ebpf policy scrub" not in vtysh(lab, "show running-config").stdout
    vtysh(lab, boot=True, check=False)
    again = ebpf_lines(vtysh(lab, "show running-config").stdout)
    assert again == got
    assert vtysh(lab, "show ebpf interfaces json").stdout.count('"xdp"') == 1


@pytest.mark.skipif(not frrlab.ZEBRA_IF_NODE, reason=frrlab.IF_NODE_ONLY)
def test_interface_form_is_written_globally(router):
    """An 8.4 configuration with the interface form: zebra reads it from
    its file, and write memory saves it in the global form, which zebra
    reads back."""
    lab = router
    vtysh_conf(lab, integrated=False)
    with open(lab.z.conf, "w") as f:
        f.write(f"ebpf pin-path {lab.pin}\n"
                "interface r-in\n ebpf fast-path xdp-generic\nexit\n")
    lab.z.stop()
    lab.z.start()
    assert vtysh(lab, "show ebpf interfaces json").stdout.count(
        '"xdp-generic"') == 1
    conf = vtysh(lab, "show running-config").stdout
    assert "ebpf fast-path interface r-in xdp-generic" in ebpf_lines(conf)
    assert " ebpf fast-path" not in conf
    # through vtysh, at run time, as well
    vtysh(lab, "configure terminal", "interface r-in", "ebpf fast-path tc")
    vtysh(lab, "write memory")
    saved = open(lab.z.conf).read()
    assert "ebpf fast-path interface r-in tc\n" in saved, saved
    assert " ebpf fast-path" not in saved, saved
    lab.z.stop()
    lab.z.start()
    assert vtysh(lab, "show ebpf interfaces json").stdout.count('"tc"') == 1


def test_bad_input_through_vtysh(router):
    lab = router
    vtysh(lab, "configure terminal",
          "ebpf policy a match destination 198.18.0.0/24",
          "ebpf policy a action drop",
          "ebpf hijack protect 198.18.0.0/16 origin-as 64500")
    for bad in ("ebpf policy b match destination 198.18.0.0/24",
                "ebpf pin-path relative",
                "ebpf map-size route4 0",
                "ebpf events history 0",
                # reuse must stay below suppress
                "ebpf flap-detection suppress-threshold 500 reuse-threshold 900",
                # overlaps the protection of 198.18.0.0/16
                "ebpf hijack protect 198.18.1.0/24 origin-as 64500",
                "ebpf hijack protect 198.19.0.0/16 origin-as 0"):
        res = vtysh(lab, "configure terminal", bad, check=False)
        assert res.returncode != 0, bad
        assert "%" in res.stdout + res.stderr, bad
    if frrlab.ZEBRA_IF_NODE:
        res = vtysh(lab, "configure terminal", "interface nosuch0",
                    "ebpf fast-path xdp", check=False)
        assert (res.returncode != 0 and
                "does not exist" in res.stdout + res.stderr)
    res = vtysh(lab, "configure terminal",
                "ebpf fast-path interface nosuch0 xdp", check=False)
    assert res.returncode != 0 and "does not exist" in res.stdout + res.stderr
    res = vtysh(lab, "configure terminal",
                "ebpf fast-path interface r/in xdp", check=False)
    assert (res.returncode != 0 and
            "not a valid interface name" in res.stdout + res.stderr)
    res = vtysh(lab, "clear ebpf hijack 203.0.113.0/24", check=False)
    assert "% 203.0.113.0/24 is not protected" in res.stdout + res.stderr
    got = ebpf_lines(vtysh(lab, "show running-config").stdout)
    assert got.count("ebpf policy a action drop") == 1
    assert not any(line.startswith("ebpf policy b") for line in got)
    assert not any(line.startswith("ebpf flap-detection") for line in got)
    assert [line for line in got if line.startswith("ebpf hijack")] == [
        "ebpf hijack protect 198.18.0.0/16 origin-as 64500"]
