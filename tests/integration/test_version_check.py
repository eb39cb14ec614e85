# SPDX-License-Identifier: GPL-2.0-or-later
"""The load-time FRR version check (issues 12, 13): a module built for
another FRR refuses to initialise, and zebra runs on without it.

How the test gets "a module built for another FRR": the module keeps the
FRR version it was compiled for (FRR_VERSION of the FRR headers) in one
marker string, "frr-ebpf: built for FRR 8.4.4", and reads the version it
compares from that string only. The test copies the built .so and rewrites
the version in the marker (same length, e.g. 8.4.4 -> 8.4.9); everything
else in the copy is the module built for this FRR. So the copy tells
whether the check refuses and how zebra behaves then; it does not exercise
a module really compiled against other headers (loading one of those is
what the check exists to prevent).

That is what test_other_release_module_refuses_and_zebra_routes does when
both builds exist: FRR 8.4's zebra loads the module built for 10.3
(build-frr10/, scripts/build-frr10.sh) or, with FE_FRR_DAEMONS pointing to
10.3's daemons, 10.3's zebra loads the in-tree 8.4 build; FE_MODULE_OTHER
names another one. Without the module's weak references to FRR (see the
version check in frr-module/zebra_ebpf.c) zebra would exit at dlopen with
"undefined symbol: ..." before the check runs. That test starts the
daemons itself (mgmtd first on 10.x, as smoke_frr10.py does), not through
frrlab.Lab.

Topology: r (zebra + staticd) -- p, 192.0.2.1/24 -- 192.0.2.2/24.
"""
import os
import re
import shutil
import pwd
import signal
import subprocess

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

# 8.4.4, or 10.3 (FRR 10 releases without a patch level)
MARKER = re.compile(rb"frr-ebpf: built for FRR (\d+)\.(\d+)(?:\.(\d+))?")
EC_EBPF_VERSION = 0xF2000001 + 11
DAEMONS = os.environ.get("FE_FRR_DAEMONS", frrlab.FRR_DAEMONS)


def marker(data, what):
    found = list(MARKER.finditer(data))
    assert len(found) == 1, f"expected one version marker in {what}"
    return found[0]


def patched_module(src, dst):
    """Copy src to dst with the built-for version's last number changed
    (same length); returns (built, fake) versions."""
    data = open(src, "rb").read()
    m = marker(data, src)
    built = m.group(0)[len(b"frr-ebpf: built for FRR "):].decode()
    last = 3 if m.group(3) else 2
    n = m.group(last)
    fake_n = b"9" * len(n) if n != b"9" * len(n) else b"0" * len(n)
    data = data[:m.start(last)] + fake_n + data[m.end(last):]
    with open(dst, "wb") as f:
        f.write(data)
    fake = marker(data, dst).group(0)[len(b"frr-ebpf: built for FRR "):]
    return built, fake.decode()


def built_for(so):
    m = marker(open(so, "rb").read(), so)
    return m.group(0)[len(b"frr-ebpf: built for FRR "):].decode()


def running_version():
    return frrlab.sh([os.path.join(DAEMONS, "zebra"), "--version"]).split()[2]


def refusal(log, start):
    """The module's refusal in zebra's log: the line with `start`, which
    carries the version check's error code."""
    line = [l for l in log.splitlines() if start in l]
    assert line, log
    assert f"[EC {EC_EBPF_VERSION}]" in line[0], line[0]
    return line[0]


def lab_zebra_refusing(lab, so):
    """zebra with module `so` and staticd with a route, in the lab."""
    z = lab.zebra(lab.r, "", module=so)
    return z, lab.staticd(lab.r, "ip route 198.18.7.0/24 192.0.2.2\n")


@pytest.fixture
def lab():
    lab = frrlab.Lab("fe-ver")
    lab.r, lab.p = lab.pair("r", "r-eth0", "p", "p-eth0")
    yield lab
    lab.close()


def test_mismatched_module_refuses_and_zebra_routes(lab):
    so = os.path.join(lab.rundir, "zebra_ebpf_other_frr.so")
    built, fake = patched_module(frrlab.find_module(), so)
    running = running_version()
    assert built == running, "the build tree's module is for another FRR"

    z, s = lab_zebra_refusing(lab, so)

    # Refused with its error code and both versions in the log.
    log = z.log()
    line = refusal(log, "ebpf: module built for")
    assert f"built for FRR {fake}, loaded into zebra {running}" in line
    assert f"(libfrr {running})" in line
    assert "not initialised" in line
    # Nothing of the module ran: no maps opened, no commands.
    assert "mirror maps created" not in log
    for cmd in ("show ebpf status", "show ebpf mirror json"):
        with pytest.raises(frrlab.VtyError) as e:
            z.vty.cmd(cmd)
        assert "Unknown command" in e.value.output, e.value.output
    with pytest.raises(frrlab.VtyError):
        z.vty.config("ebpf pin-path /run/frr-ebpf-test/nowhere")

    # zebra keeps installing routes: staticd's route reaches the kernel.
    assert frrlab.wait_for(lambda: "192.0.2.2" in lab.ip(
        lab.r, "route show 198.18.7.0/24")), \
        z.vty.cmd("show ip route")
    s.vty.config("ip route 198.18.8.0/24 192.0.2.2")
    assert frrlab.wait_for(lambda: "192.0.2.2" in lab.ip(
        lab.r, "route show 198.18.8.0/24"))


def test_matching_module_initialises(lab):
    """The same module unpatched (control: the copy itself is loadable
    and the check passes for the FRR it was built for)."""
    so = os.path.join(lab.rundir, "zebra_ebpf_copy.so")
    shutil.copy(frrlab.find_module(), so)
    pin = lab.pin_path("ver")
    z = lab.zebra(lab.r, f"ebpf pin-path {pin}\n", module=so)
    assert "ebpf: module built for" not in z.log()
    assert frrlab.wait_for(lambda: z.vty.json("show ebpf mirror json")
                           .get("syncState") == "inSync"), \
        z.vty.cmd("show ebpf mirror")


def other_release_module(running):
    """The module built for the other FRR release: FE_MODULE_OTHER, else
    build-frr10/ next to an FRR 8 build, the in-tree build next to 10.x."""
    if os.environ.get("FE_MODULE_OTHER"):
        return os.path.abspath(os.environ["FE_MODULE_OTHER"])
    rel = ("build-frr10/frr-module/.libs/zebra_ebpf.so"
           if int(running.split(".")[0]) < 9
           else "frr-module/.libs/zebra_ebpf.so")
    return os.path.join(frrlab.TOP, rel)


class Rig:
    """One namespace with the FRR of DAEMONS started directly: mgmtd (FRR
    10, where it holds staticd's configuration), zebra, staticd. A veth
    pair in the namespace gives routes a connected gateway, 192.0.2.2."""
    NS = "fe-verx"

    def __init__(self):
        pw = pwd.getpwnam("frr")
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.mgmtd = os.path.exists(os.path.join(DAEMONS, "mgmtd"))
        self.rundir = f"/run/frr-ebpf-test/{self.NS}"
        self.pids = {}
        shutil.rmtree(self.rundir, ignore_errors=True)
        os.makedirs(self.rundir)
        os.chown(self.rundir, self.uid, self.gid)
        if self.mgmtd:
            # -N: FRR 10 keeps mgmtd's sockets in the pathspace's run dir;
            # the daemons create that, not its parents.
            ver = frrlab.sh([os.path.join(DAEMONS, "zebra"), "--version"])
            run = re.search(r"'--runstatedir=([^']*)'", ver)
            run = os.path.join(run.group(1) if run else "/var/run", "frr")
            os.makedirs(run, exist_ok=True)
            os.chown(run, self.uid, self.gid)
        frrlab.sh(["ip", "netns", "del", self.NS], check=False)
        frrlab.sh(["ip", "netns", "add", self.NS])
        for args in ("link set lo up",
                     "link add fe-vx-a type veth peer name fe-vx-b",
                     "link set fe-vx-a up", "link set fe-vx-b up",
                     "addr add 192.0.2.1/24 dev fe-vx-a"):
            self.ip(args)

    def ip(self, args):
        return frrlab.sh(["ip", "-n", self.NS] + args.split())

    def log(self, name):
        try:
            return open(os.path.join(self.rundir, f"{name}.log")).read()
        except OSError:
            return ""

    def start(self, name, args=()):
        pidf = os.path.join(self.rundir, f"{name}.pid")
        cmd = ["ip", "netns", "exec", self.NS, os.path.join(DAEMONS, name),
               "-d", "-i", pidf, "--vty_socket", self.rundir, "-P", "0",
               "--log", f"file:{self.rundir}/{name}.log"] + list(args)
        if self.mgmtd:
            cmd += ["-N", self.NS]
        # FRR 10's mgmtd and staticd read no file of their own.
        if name == "zebra" or not self.mgmtd:
            cf = os.path.join(self.rundir, f"{name}.conf")
            open(cf, "w").close()
            os.chown(cf, self.uid, self.gid)
            cmd += ["-f", cf]
        if name != "mgmtd":
            cmd += ["-z", os.path.join(self.rundir, "zserv.api")]
        # A file, not a pipe: the daemon keeps its stderr open.
        err = os.path.join(self.rundir, f"{name}.stderr")
        with open(err, "w") as f:
            rc = subprocess.run(cmd, stdout=f, stderr=f).returncode
        assert rc == 0, f"{name} exited {rc}: {open(err).read().strip()}"
        sock = os.path.join(self.rundir, f"{name}.vty")
        assert frrlab.wait_for(lambda: os.path.exists(sock)
                               and os.path.exists(pidf), 20), \
            f"{name} did not start: {self.log(name)[-3000:]}"
        with open(pidf) as f:
            self.pids[name] = int(f.read())
        return frrlab.Vty(sock)

    def alive(self, name):
        try:
            os.kill(self.pids[name], 0)
            return True
        except ProcessLookupError:
            return False

    def stop(self, name):
        pid = self.pids.pop(name)
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if not frrlab.wait_for(lambda: not os.path.exists(f"/proc/{pid}"),
                               15):
            os.kill(pid, signal.SIGKILL)

    def close(self):
        for name in reversed(list(self.pids)):
            self.stop(name)
        frrlab.sh(["ip", "netns", "del", self.NS], check=False)
        shutil.rmtree(self.rundir, ignore_errors=True)


@pytest.fixture
def rig():
    r = Rig()
    yield r
    r.close()


def test_other_release_module_refuses_and_zebra_routes(rig):
    """The real module of the other FRR release (8.4 <-> 10.3), not a
    patched copy: dlopen succeeds, the module refuses with its own
    message, zebra keeps routing and stops cleanly."""
    running = running_version()
    so = other_release_module(running)
    if not os.path.exists(so):
        pytest.skip(f"no module built for the other FRR release ({so}): "
                    "build it (scripts/build-frr10.sh next to FRR 8.4, "
                    "scripts/build.sh next to 10.x) or set FE_MODULE_OTHER")
    built = built_for(so)
    assert built != running, f"{so} is built for the running FRR {running}"

    cfg = rig.start("mgmtd") if rig.mgmtd else None
    z = rig.start("zebra", ["-M", so])
    s = rig.start("staticd")
    cfg = cfg or s

    log = rig.log("zebra")
    assert "loader error" not in log and "undefined symbol" not in log, log
    line = refusal(log, "ebpf: module built for")
    assert (f"built for FRR {built}, loaded into zebra {running} "
            f"(libfrr {running}): not initialised") in line, line
    assert f"Install frr-ebpf built for FRR {running}" in line, line
    with pytest.raises(frrlab.VtyError) as e:
        z.cmd("show ebpf status")
    assert "Unknown command" in e.value.output, e.value.output

    # zebra keeps installing routes: staticd's reach the kernel.
    for n in (7, 8):
        cfg.config(f"ip route 198.18.{n}.0/24 192.0.2.2")
        assert frrlab.wait_for(lambda: "192.0.2.2" in rig.ip(
            f"route show 198.18.{n}.0/24")), z.cmd("show ip route")
    assert rig.alive("zebra")

    # ... and stops cleanly (the module's destructors unlink its memory
    # types from the other release's libfrr).
    rig.stop("zebra")
    log = rig.log("zebra")
    assert "final shutdown" in log, log[-3000:]
    assert "aborting" not in log and "Received signal" not in log, \
        log[-3000:]


def test_missing_frr_symbol_refuses(lab):
    """A zebra of the right release lacking a symbol the module uses
    (another build of it): with the references weak, the module's own
    check refuses instead of dlopen. A copy whose reference to route_top
    is renamed stands in for such a zebra."""
    so = os.path.join(lab.rundir, "zebra_ebpf_missing.so")
    data = open(frrlab.find_module(), "rb").read()
    assert b"\0route_top\0" in data
    with open(so, "wb") as f:
        f.write(data.replace(b"\0route_top\0", b"\0route_toq\0"))
    z, _ = lab_zebra_refusing(lab, so)
    log = z.log()
    line = refusal(log, "ebpf: zebra")
    assert "lacks 1 of the FRR functions and variables" in line, line
    assert "(route_toq): not initialised" in line, line
    assert "mirror maps created" not in log
    assert frrlab.wait_for(lambda: "192.0.2.2" in lab.ip(
        lab.r, "route show 198.18.7.0/24")), z.vty.cmd("show ip route")
