# SPDX-License-Identifier: GPL-2.0-or-later
"""The Debian package on the machine's own FRR, driven the way operators
drive it: Debian's scripts, the integrated /etc/frr/frr.conf, /usr/bin/vtysh.

  h1 198.51.100.10 -- fedeb-r1 | root namespace: the system FRR, | fedeb-r2 -- h2 203.0.113.2
                   198.51.100.1 | zebra -M ebpf, xdp-generic/tc  | 203.0.113.1

In order (each step needs the previous one):
  1. build the package (scripts/build-deb.sh: dpkg-buildpackage in a copy of
     the tree; FE_DEB=path reuses a package built earlier in this run) and
     lintian: no errors; Depends on exactly the installed frr;
  2. apt-get install ./frr-ebpf_*.deb: /usr/bin/vtysh is ours, FRR's is
     diverted to /usr/bin/vtysh.frr-distrib;
  3. -M ebpf in zebra_options, module lines in frr.conf, the drop-in's
     ExecStartPre, frrinit.sh start: every line in `show running-config`
     and in effect (ports attached, policy in the maps, ECMP, detection);
  4. a changed frr.conf and frrinit.sh reload (frr-reload.py): applied;
  5. frrinit.sh restart under a ping h1 -> h2: still applied, forwarding
     never stopped for more than a short gap, the fast path forwarded;
  6. a change from vtysh and `write memory`: the module's lines in frr.conf;
  7. the removal as the README says (-M ebpf out, restart, frr-ebpf-prepare
     --remove, apt-get remove): Debian's vtysh back, FRR runs without it.

The test owns the system FRR while it runs: it records /etc/frr, whether
FRR runs, ip_forward, the diversions, the package, bpffs on /sys/fs/bpf,
and puts them back. Run it alone, under the lock every namespace/system-FRR
test takes:  flock /run/fe-ns.lock /usr/bin/python3 -m pytest ...
"""
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time

import pytest

import frrlab

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0,
                       reason="needs root (apt, /etc/frr, the system FRR)"),
    # The package is built for and installed beside the system FRR (Debian
    # 12's 8.4.4); a pass against another FRR build tests that build.
    pytest.mark.skipif(frrlab.FRR_DAEMONS != "/usr/lib/frr",
                       reason="the Debian package goes with the system FRR "
                              "(8.4.4 here): tested in the FRR 8.4 pass"),
]

FRRINIT = "/usr/lib/frr/frrinit.sh"
VTYSH = "/usr/bin/vtysh"
DIVERTED = "/usr/bin/vtysh.frr-distrib"
DROPIN = "/usr/lib/systemd/system/frr.service.d/frr-ebpf.conf"
DAEMONS = "/etc/frr/daemons"
FRRCONF = "/etc/frr/frr.conf"
PIN = "/sys/fs/bpf/frr-ebpf"
R1, R2 = "fedeb-r1", "fedeb-r2"
H1, H2 = "fe-deb-h1", "fe-deb-h2"
H1_ADDR, H2_ADDR = "198.51.100.10", "203.0.113.2"

FRR_CONF = f"""\
frr defaults traditional
log syslog informational
service integrated-vtysh-config
!
ip route 198.18.0.0/24 {H2_ADDR}
!
ebpf ecmp algorithm hash-threshold
ebpf policy fedeb-sink match destination 198.18.99.0/24
ebpf policy fedeb-sink action drop
ebpf hijack protect 198.18.0.0/16 origin-as 64500
ebpf flap-detection half-life 60 suppress-threshold 3000
ebpf fast-path interface {R1} xdp-generic
ebpf fast-path interface {R2} xdp-generic
!
"""
# frr.conf after the operator's edit for `frrinit.sh reload`
RELOADED = {"ebpf ecmp algorithm hash-threshold": "ebpf ecmp algorithm resilient",
            "ebpf policy fedeb-sink action drop": "ebpf policy fedeb-sink action count",
            f"ebpf fast-path interface {R2} xdp-generic":
            f"ebpf fast-path interface {R2} tc"}


def run(cmd, check=True, timeout=600, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                         **kw)
    if check and res.returncode != 0:
        raise AssertionError(f"{cmd}: exit {res.returncode}\n{res.stdout}\n"
                             f"{res.stderr}")
    return res


def vtysh(*cmds, check=True):
    args = [VTYSH]
    for c in cmds:
        args += ["-c", c]
    return run(args, check=check, timeout=60).stdout


def vjson(cmd):
    return json.loads(vtysh(cmd))


def conf_lines(text):
    """The configuration lines of a file or running config, stripped,
    without comments and separators."""
    return [ln.strip() for ln in text.splitlines()
            if ln.strip() and not ln.lstrip().startswith(("!", "#"))]


def pidof_file(name):
    """The pid in /run/frr/NAME.pid if that process is alive and is NAME."""
    try:
        pid = int(open(f"/run/frr/{name}.pid").read().strip())
        comm = open(f"/proc/{pid}/comm").read().strip()
    except (OSError, ValueError):
        return None
    return pid if comm == name else None


def zebra_cmdline():
    pid = pidof_file("zebra")
    if not pid:
        return None
    return open(f"/proc/{pid}/cmdline").read().split("\0")


def pkg_status(name):
    res = run(["dpkg-query", "-W", "-f", "${Status}|${Version}", name],
              check=False)
    status, _, version = res.stdout.partition("|")
    return version if status.endswith(" installed") else None


def frr_md5(path):
    """The md5 the frr package recorded for PATH (relative in md5sums)."""
    for line in open("/var/lib/dpkg/info/frr.md5sums"):
        md5, f = line.split(None, 1)
        if "/" + f.strip() == path:
            return md5
    return None


def md5(path):
    return hashlib.md5(open(path, "rb").read()).hexdigest()


def bpffs_on_sys():
    return run(["stat", "-f", "-c", "%T", "/sys/fs/bpf"],
               check=False).stdout.strip() == "bpf_fs"


def set_zebra_module(on):
    """Add or remove -M ebpf in zebra_options of /etc/frr/daemons, as an
    operator's edit (the rest of the file untouched)."""
    text = open(DAEMONS).read()
    line = re.search(r'^zebra_options="([^"]*)"', text, re.M)
    assert line, f"no zebra_options in {DAEMONS}"
    opts = re.sub(r"\s*-M\s*ebpf\b", "", line.group(1))
    if on:
        opts += " -M ebpf"
    text = text[:line.start(1)] + opts + text[line.end(1):]
    with open(DAEMONS, "w") as f:
        f.write(text)


def write_frr_conf(text):
    with open(FRRCONF, "w") as f:
        f.write(text)
    shutil.chown(FRRCONF, "frr", "frr")
    os.chmod(FRRCONF, 0o640)


def dropin_exec_start_pre():
    """The ExecStartPre commands of the package's drop-in, as systemd
    would run them (prefixes -@:+! stripped); none once the package is
    gone."""
    cmds = []
    if not os.path.exists(DROPIN):
        return cmds
    for line in open(DROPIN):
        m = re.match(r"\s*ExecStartPre\s*=\s*(.*)", line)
        if m:
            cmds.append(shlex.split(m.group(1).lstrip("-@:+!")))
    return cmds


def frrinit(action):
    """frrinit.sh ACTION, as frr.service's ExecStart/ExecReload run it."""
    if action in ("start", "restart"):
        for cmd in dropin_exec_start_pre():
            run(cmd)
    return run([FRRINIT, action], timeout=180)


def running_config():
    return vtysh("show running-config")


def wait_config(lines, timeout=60):
    """Wait until every line is in the running config (zebra and staticd
    get frr.conf from `vtysh -b` once they are up); return what is
    missing."""
    missing = lines
    deadline = time.time() + timeout
    while time.time() < deadline:
        res = run([VTYSH, "-c", "show running-config"], check=False)
        have = set(conf_lines(res.stdout))
        missing = [ln for ln in lines if ln not in have]
        if res.returncode == 0 and not missing:
            return []
        time.sleep(0.5)
    return missing


def expected(conf):
    """Every line of conf, as `show running-config` shows it back."""
    return conf_lines(conf)


def ns(name, *cmd):
    return run(["ip", "netns", "exec", name] + list(cmd))


@pytest.fixture(scope="module")
def machine():
    """Record the machine's state, build the package and the hosts; put
    everything back at the end whatever happened."""
    tmp = tempfile.mkdtemp(prefix="fe-deb-test.")
    saved = {
        "etc": os.path.join(tmp, "etc-frr"),
        "frr_running": pidof_file("watchfrr") is not None,
        "ip_forward": open("/proc/sys/net/ipv4/ip_forward").read().strip(),
        "diversions": run(["dpkg-divert", "--list"]).stdout,
        "package": pkg_status("frr-ebpf"),
        "bpffs": bpffs_on_sys(),
        "pin": os.path.exists(PIN),
    }
    run(["cp", "-a", "/etc/frr", saved["etc"]])
    st = {"saved": saved, "tmp": tmp}
    try:
        # the test starts FRR itself, with its own configuration
        if saved["frr_running"]:
            run([FRRINIT, "stop"], timeout=180)
        deb = os.environ.get("FE_DEB")
        if not deb:
            out = os.path.join(tmp, "debs")
            res = run([os.path.join(frrlab.TOP, "scripts", "build-deb.sh"),
                       out], check=False, timeout=3600)
            st["build"] = res
            lines = res.stdout.strip().splitlines()
            deb = lines[-1] if res.returncode == 0 and lines else None
            st["lintian"] = open(os.path.join(out, "lintian.log")).read() \
                if os.path.exists(os.path.join(out, "lintian.log")) else ""
        else:
            st["build"] = None
            st["lintian"] = run(["lintian", deb], check=False).stdout
        st["deb"] = deb

        # the hosts, in their namespaces; the router is the root namespace
        for h, r, hdev, haddr, raddr in (
                (H1, R1, "h1-eth0", H1_ADDR, "198.51.100.1"),
                (H2, R2, "h2-eth0", H2_ADDR, "203.0.113.1")):
            run(["ip", "netns", "del", h], check=False)
            run(["ip", "link", "del", r], check=False)
            run(["ip", "netns", "add", h])
            run(["ip", "link", "add", r, "type", "veth", "peer", "name",
                 hdev, "netns", h])
            run(["ip", "addr", "add", f"{raddr}/24", "dev", r])
            run(["ip", "link", "set", r, "up"])
            ns(h, "ip", "link", "set", "lo", "up")
            ns(h, "ip", "addr", "add", f"{haddr}/24", "dev", hdev)
            ns(h, "ip", "link", "set", hdev, "up")
            ns(h, "ip", "route", "add", "default", "via", raddr)
        with open("/proc/sys/net/ipv4/ip_forward", "w") as f:
            f.write("1")
        yield st
    finally:
        restore(st)


def restore(st):
    saved = st["saved"]
    errors = []

    def attempt(what, fn):
        try:
            fn()
        except Exception as e:  # keep restoring the rest
            errors.append(f"{what}: {e}")

    attempt("stop FRR", lambda: run([FRRINIT, "stop"], check=False, timeout=180))
    if saved["package"] is None:
        attempt("remove frr-ebpf", lambda: (
            pkg_status("frr-ebpf") and
            run(["apt-get", "remove", "-y", "frr-ebpf"], timeout=300),
            run(["dpkg", "--purge", "frr-ebpf"], check=False)))
    elif pkg_status("frr-ebpf") is None and st.get("deb"):
        # it was installed before: put the package back (this build)
        attempt("reinstall frr-ebpf", lambda: run(
            ["apt-get", "install", "-y", st["deb"]], timeout=300))

    def etc():
        shutil.rmtree("/etc/frr")
        run(["cp", "-a", saved["etc"], "/etc/frr"])
    attempt("restore /etc/frr", etc)
    for h, r in ((H1, R1), (H2, R2)):
        run(["ip", "netns", "del", h], check=False)
        run(["ip", "link", "del", r], check=False)
    attempt("ip_forward", lambda: open("/proc/sys/net/ipv4/ip_forward",
                                       "w").write(saved["ip_forward"]))
    if not saved["pin"] and os.path.isdir(PIN):
        attempt("pins", lambda: run(["rm", "-rf", PIN]))
    # a fresh bpffs holds only the kernel's preloaded iterators
    if not saved["bpffs"] and bpffs_on_sys() and not (
            set(os.listdir("/sys/fs/bpf")) - {"maps.debug", "progs.debug"}):
        attempt("umount bpffs", lambda: run(["umount", "/sys/fs/bpf"]))
    if saved["frr_running"]:
        attempt("start FRR", lambda: frrinit("start"))
    now = run(["dpkg-divert", "--list"]).stdout
    if sorted(now.splitlines()) != sorted(saved["diversions"].splitlines()):
        errors.append(f"diversions differ after the test:\n{now}")
    shutil.rmtree(st["tmp"], ignore_errors=True)
    assert not errors, "restoring the machine: " + "; ".join(errors)


def test_package_builds_lintian_clean(machine):
    b = machine["build"]
    assert machine["deb"], ("package build failed:\n" +
                            (b.stdout + b.stderr if b else ""))
    errors = [ln for ln in machine["lintian"].splitlines()
              if ln.startswith("E: ")]
    assert not errors, machine["lintian"]
    frr_version = pkg_status("frr")
    info = run(["dpkg-deb", "-f", machine["deb"], "Package", "Depends"]).stdout
    assert f"frr (= {frr_version})" in info, info
    files = run(["dpkg-deb", "-c", machine["deb"]]).stdout
    for f in ("/usr/lib/x86_64-linux-gnu/frr/modules/zebra_ebpf.so",
              "/usr/lib/frr-ebpf/bpf/fe_fwd.bpf.o",
              "/usr/lib/frr-ebpf/bpf/fe_mirror.bpf.o",
              "/usr/bin/frr-ebpf-dump", "/usr/sbin/frr-ebpf-prepare",
              "/usr/bin/vtysh", "/usr/share/yang/frr-ebpf.yang",
              "/usr/share/man/man1/frr-ebpf-dump.1.gz",
              "/usr/share/man/man8/frr-ebpf-prepare.8.gz", DROPIN):
        assert "." + f in files, f"{f} not in the package:\n{files}"


def test_install_diverts_vtysh(machine):
    assert machine["deb"], "no package"
    run(["apt-get", "install", "-y", machine["deb"]], timeout=300,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert pkg_status("frr-ebpf")
    div = run(["dpkg-divert", "--list", VTYSH]).stdout
    assert f"diversion of {VTYSH} to {DIVERTED} by frr-ebpf" in div, div
    # FRR's own vtysh kept intact aside, ours in its place
    assert md5(DIVERTED) == frr_md5(VTYSH)
    assert md5(VTYSH) != frr_md5(VTYSH)
    assert f"diversion by frr-ebpf from: {VTYSH}" in run(
        ["dpkg", "-S", VTYSH]).stdout
    cmds = dropin_exec_start_pre()
    assert cmds == [["/usr/sbin/frr-ebpf-prepare"]], cmds


def check_applied(mode_r2, algo, action):
    """Every module line in effect: ports attached, the policy in the
    maps, ECMP, detection, the mirror in sync."""
    ifs = frrlab.wait_for(lambda: frrlab.keyed(
        vjson("show ebpf interfaces json")["interfaces"]), 15)
    assert ifs.get(R1, {}).get("attached") and ifs[R1]["mode"] == "xdp-generic", ifs
    assert ifs.get(R2, {}).get("attached") and ifs[R2]["mode"] == mode_r2, ifs
    pols = frrlab.keyed(vjson("show ebpf policies json")["policies"])
    p = pols.get("fedeb-sink")
    assert p and p["destination"] == "198.18.99.0/24" and \
        p["action"] == action and p["installed"], pols
    st = frrlab.wait_for(lambda: (lambda s: s if s["mirrorSyncState"] ==
                                  "inSync" else None)(
        vjson("show ebpf status json")), 40)
    assert st, vtysh("show ebpf status")
    assert st["fastPathLoaded"] and st["pinPath"] == PIN
    assert st["ecmpAlgorithm"] == algo and st["policies"] == 1
    assert st["hijackProtections"] == 1 and st["flapDetection"] is True
    hij = vjson("show ebpf hijacks json")["protections"]
    assert [h["prefix"] for h in hij] == ["198.18.0.0/16"], hij
    assert hij[0]["expectedOrigins"] == [64500]
    mirror = vjson("show ebpf mirror json")
    assert mirror["routes"]["ipv4"] >= 3, mirror
    # the maps as the kernel holds them: the policy and the static route
    dump = json.loads(run(["frr-ebpf-dump", "-p", PIN]).stdout)
    assert "198.18.99.0/24" in json.dumps(dump.get("policies")), dump.get("policies")
    assert "198.18.0.0/24" in [r["prefix"] for r in dump["ipv4"]]
    return st


def test_start_applies_every_line(machine):
    assert pkg_status("frr-ebpf"), "not installed"
    set_zebra_module(True)
    write_frr_conf(FRR_CONF)
    out = frrinit("start")
    missing = wait_config(expected(FRR_CONF))
    assert not missing, (f"not in show running-config: {missing}\n"
                         f"frrinit.sh start said:\n{out.stdout}{out.stderr}\n"
                         + vtysh("show running-config", check=False))
    argv = zebra_cmdline()
    assert argv and "-M" in argv and argv[argv.index("-M") + 1] == "ebpf", argv
    check_applied("xdp-generic", "hash-threshold", "drop")
    assert run(["stat", "-c", "%U", PIN]).stdout.strip() == "frr"
    r = vjson("show ip route 198.18.0.0/24 json")
    assert r.get("198.18.0.0/24"), r


def test_reload_applies_change(machine):
    assert pidof_file("zebra"), "FRR not running"
    conf = FRR_CONF
    for old, new in RELOADED.items():
        assert old in conf
        conf = conf.replace(old, new)
    write_frr_conf(conf)
    zebra_before = pidof_file("zebra")
    res = frrinit("reload")
    missing = wait_config(expected(conf))
    assert not missing, (f"not applied by reload: {missing}\n"
                         f"{res.stdout}{res.stderr}")
    have = conf_lines(running_config())
    for old in ("ebpf ecmp algorithm hash-threshold",
                "ebpf policy fedeb-sink action drop"):
        assert old not in have, f"{old} still in the running config"
    assert pidof_file("zebra") == zebra_before, "reload restarted zebra"
    check_applied("tc", "resilient", "count")
    machine["conf"] = conf


def ping_gaps(out, transmitted):
    """The longest run of lost echo requests in a ping's output."""
    got = {int(m) for m in re.findall(r"icmp_seq=(\d+)", out)}
    longest = run_ = 0
    for seq in range(1, transmitted + 1):
        run_ = 0 if seq in got else run_ + 1
        longest = max(longest, run_)
    return len(got), longest


def test_restart_keeps_config_and_forwarding(machine):
    conf = machine.get("conf")
    assert conf, "reload step did not pass"
    before = frrlab.keyed(vjson("show ebpf counters json")["interfaces"])
    zebra_before = pidof_file("zebra")
    interval = 0.02
    ping = subprocess.Popen(["ip", "netns", "exec", H1, "ping", "-n", "-i",
                             str(interval), "-W", "1", H2_ADDR],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        time.sleep(1)
        res = frrinit("restart")
        missing = wait_config(expected(conf))
        time.sleep(1)
    finally:
        ping.send_signal(signal.SIGINT)
        out, _ = ping.communicate(timeout=10)
    assert not missing, (f"not applied after restart: {missing}\n"
                         f"{res.stdout}{res.stderr}")
    assert pidof_file("zebra") != zebra_before, "zebra was not restarted"
    check_applied("tc", "resilient", "count")
    m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
    assert m, out
    sent = int(m.group(1))
    received, gap = ping_gaps(out, sent)
    # zebra stopped and started again: the pinned fast path and the
    # kernel forward all along; allow a blip, not an outage
    assert sent > 100 and received >= sent * 0.95, out[-500:]
    assert gap * interval <= 0.5, f"{gap} echo requests lost in a row"
    # the replies h2 -> h1 crossed the fast path: TC on fedeb-r2 redirects
    # into any port (XDP on fedeb-r1 hands the requests to the kernel, its
    # egress having no XDP: egressWithoutFastPath)
    after = frrlab.keyed(vjson("show ebpf counters json")["interfaces"])
    fwd = after[R2]["forwardedPackets"] - before.get(R2, {}).get(
        "forwardedPackets", 0)
    assert fwd >= received * 0.5, json.dumps(after[R2])


def test_write_memory(machine):
    assert machine.get("conf"), "earlier steps did not pass"
    vtysh("configure terminal",
          "ebpf policy fedeb-extra match destination 198.18.98.0/24",
          "ebpf policy fedeb-extra action count")
    vtysh("write memory")
    saved = conf_lines(open(FRRCONF).read())
    for ln in expected(machine["conf"]) + [
            "ebpf policy fedeb-extra match destination 198.18.98.0/24",
            "ebpf policy fedeb-extra action count"]:
        assert ln in saved, f"{ln} not written to {FRRCONF}:\n{saved}"
    machine["written"] = True


def test_remove_restores_debian_vtysh(machine):
    assert pkg_status("frr-ebpf"), "not installed"
    # the package says it while zebra_options still loads the module
    res = run(["sh", "/var/lib/dpkg/info/frr-ebpf.prerm", "remove"])
    assert "-M ebpf" in res.stderr and "fails to start" in res.stderr, res.stderr
    # what the README tells operators: module out of daemons and frr.conf,
    # restart, remove the pins, then the package
    set_zebra_module(False)
    write_frr_conf("".join(ln + "\n" for ln in FRR_CONF.splitlines()
                           if not ln.strip().startswith("ebpf ")))
    frrinit("restart")
    assert wait_config(["ip route 198.18.0.0/24 " + H2_ADDR]) == []
    argv = zebra_cmdline()
    assert argv and "ebpf" not in argv, argv
    run(["frr-ebpf-prepare", "--remove"])
    assert "xdp" not in run(["ip", "link", "show", R1]).stdout
    res = run(["apt-get", "remove", "-y", "frr-ebpf"], timeout=300,
              env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    assert "WARNING" not in res.stderr, res.stderr
    assert pkg_status("frr-ebpf") is None
    assert "vtysh" not in run(["dpkg-divert", "--list"]).stdout
    assert not os.path.exists(DIVERTED)
    assert md5(VTYSH) == frr_md5(VTYSH), "/usr/bin/vtysh is not FRR's"
    out = run([VTYSH, "-c", "show ebpf status"], check=False)
    assert "Unknown command" in out.stdout + out.stderr, out
    # FRR starts, and runs, without the module
    frrinit("restart")
    assert wait_config(["ip route 198.18.0.0/24 " + H2_ADDR]) == []
    assert pidof_file("zebra") and pidof_file("staticd")
    assert "ebpf" not in running_config()
