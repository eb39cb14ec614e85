# SPDX-License-Identifier: GPL-2.0-or-later
"""A small lab for integration tests and the demo: network namespaces, veth
pairs, the real Debian zebra/staticd running inside a namespace with the
module loaded, and a client for the daemons' unix vty sockets.

Everything it creates carries the prefix given to Lab(), and Lab.close()
removes exactly that (processes by PID, namespaces by name).
"""
import json
import os
import re
import pwd
import shutil
import signal
import socket
import subprocess
import time

# The FRR under test: Debian 12's (8.4.4) by default, FRR 10.3 with
# FE_FRR_DAEMONS=/opt/frr-10.3/sbin (scripts/run-tests.sh runs both).
FRR_DAEMONS = os.environ.get("FE_FRR_DAEMONS", "/usr/lib/frr")
BPFFS_ROOT = "/run/frr-ebpf-test/bpffs"
HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))


def frr_version():
    """(major, minor) of the zebra under test, () if it cannot be run."""
    try:
        out = sh([f"{FRR_DAEMONS}/zebra", "--version"])
    except (OSError, RuntimeError):
        return ()
    m = re.search(r"^zebra version (\d+)\.(\d+)", out, re.M)
    return (int(m.group(1)), int(m.group(2))) if m else ()


def frr_runstate_dir():
    """FRR's run state dir (--runstatedir + /frr, as FRR's configure makes
    it): 10.x keeps mgmtd's sockets in it, per pathspace."""
    out = sh([f"{FRR_DAEMONS}/zebra", "--version"])
    m = re.search(r"'--runstatedir=([^']*)'", out)
    return os.path.join(m.group(1) if m else "/var/run", "frr")


def sh(cmd, check=True, **kw):
    """Run a command (list or string), return stdout."""
    if isinstance(cmd, str):
        cmd = ["sh", "-c", cmd]
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and res.returncode != 0:
        raise RuntimeError(f"{cmd}: exit {res.returncode}: {res.stderr.strip()}")
    return res.stdout


# FRR 10 configures staticd (and zebra's interfaces) through mgmtd: one
# mgmtd per namespace, its sockets in the namespace's own pathspace (-N).
MGMTD = frr_version() >= (10, 0)
# FRR 8.4's zebra has the interface node (`interface X` / `ebpf fast-path
# MODE`, the form written before the global one); 10.x moved it to mgmtd.
ZEBRA_IF_NODE = not MGMTD
IF_NODE_ONLY = "FRR 8.4 only: FRR 10's zebra has no interface node"


def fast_path_conf(devs, mode):
    """zebra.conf lines attaching the fast path to devs: the form written
    before the global one where zebra reads it (8.4), the global one
    elsewhere."""
    if ZEBRA_IF_NODE:
        return "".join(f"interface {d}\n ebpf fast-path {mode}\n!\n"
                       for d in devs)
    return "".join(f"ebpf fast-path interface {d} {mode}\n" for d in devs)


def find_module():
    """The module under test: FE_MODULE, the build tree, or the installed one."""
    cands = [os.environ.get("FE_MODULE"),
             os.path.join(TOP, "frr-module/.libs/zebra_ebpf.so"),
             "/usr/lib/x86_64-linux-gnu/frr/modules/zebra_ebpf.so"]
    for c in cands:
        if c and os.path.exists(c):
            return os.path.abspath(c)
    return None


def find_dump():
    cands = [os.environ.get("FE_DUMP"),
             os.path.join(TOP, "tools/frr-ebpf-dump"),
             shutil.which("frr-ebpf-dump")]
    for c in cands:
        if c and os.path.exists(c):
            return os.path.abspath(c)
    return None


def why_cannot_run():
    """None if the lab can run here, else the reason (for pytest.skip)."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, bpffs, BPF maps)"
    if not os.path.exists(f"{FRR_DAEMONS}/zebra"):
        return "FRR is not installed (apt-get install frr)"
    if not find_module():
        return "zebra_ebpf.so not built (run make)"
    if not find_dump():
        return "frr-ebpf-dump not built (run make)"
    try:
        ensure_bpffs(BPFFS_ROOT)
    except RuntimeError as e:
        return f"cannot mount bpffs: {e}"
    return None


def ensure_bpffs(path):
    os.makedirs(path, exist_ok=True)
    if sh(["stat", "-f", "-c", "%T", path]).strip() != "bpf_fs":
        sh(["mount", "-t", "bpf", "bpf", path])
    os.chmod(path, 0o755)


class Vty:
    """Client for an FRR daemon's unix vty socket (command NUL in; output,
    three NULs and a status byte out)."""

    def __init__(self, path, timeout=30):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.cmd("enable")

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\0")
        buf = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("vty closed")
            buf += chunk
            if len(buf) >= 4 and buf[-4:-1] == b"\0\0\0":
                status = buf[-1]
                out = buf[:-4].decode(errors="replace")
                if status not in (0,):
                    raise VtyError(line, status, out)
                return out

    def config(self, *lines):
        self.cmd("configure terminal")
        try:
            for line in lines:
                self.cmd(line)
        finally:
            self.cmd("end")

    def json(self, line):
        return json.loads(self.cmd(line) or "{}")

    def close(self):
        self.sock.close()


class VtyError(RuntimeError):
    def __init__(self, line, status, out):
        super().__init__(f"'{line}' -> status {status}: {out.strip()}")
        self.status = status
        self.output = out


class Daemon:
    def __init__(self, lab, ns, name, args, conf, vty_via=None, unset=()):
        """vty_via: the daemon whose vty configures this one (FRR 10's
        staticd: mgmtd); its lines are sent there after the start, after
        `no` of the lines in unset (a former instance's file)."""
        self.lab, self.ns, self.name = lab, ns, name
        self.rundir = os.path.join(lab.rundir, ns)
        self.conf = os.path.join(self.rundir, f"{name}.conf")
        with open(self.conf, "w") as f:
            f.write(conf)
        os.chown(self.conf, lab.frr_uid, lab.frr_gid)
        self.args = args
        self.vty_via = vty_via
        self.unset = [l for l in unset if l not in self.lines()]
        self.pid = None

    def start(self, timeout=20):
        pidfile = os.path.join(self.rundir, f"{self.name}.pid")
        if os.path.exists(pidfile):
            os.unlink(pidfile)
        vtysock = os.path.join(self.rundir, f"{self.name}.vty")
        if os.path.exists(vtysock):
            os.unlink(vtysock)
        if MGMTD and self.name in ("zebra", "staticd"):
            self.lab.mgmtd(self.ns)
        cmd = ["ip", "netns", "exec", self.ns, f"{FRR_DAEMONS}/{self.name}",
               "-d", "-i", pidfile, "--vty_socket", self.rundir, "-P", "0",
               "--log", f"file:{self.rundir}/{self.name}.log"] + self.args
        if self.name != "mgmtd":
            cmd += ["-z", os.path.join(self.rundir, "zserv.api")]
        if MGMTD:
            cmd += ["-N", self.ns]
        if not self.vty_via and self.name != "mgmtd":
            cmd += ["-f", self.conf]
        # Its start-up output into a file, not a pipe: FRR 10's mgmtd
        # keeps the descriptors it was started with open once daemonised.
        outfile = os.path.join(self.rundir, f"{self.name}.out")
        with open(outfile, "w") as out:
            res = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT)
        if res.returncode != 0:
            raise RuntimeError(f"{cmd}: exit {res.returncode}: "
                               + open(outfile).read().strip())
        deadline = time.time() + timeout
        while time.time() < deadline:
            if os.path.exists(pidfile) and os.path.exists(vtysock):
                try:
                    self.pid = int(open(pidfile).read().strip())
                    self.vty = Vty(vtysock)
                    break
                except (ValueError, OSError):
                    pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{self.name} in {self.ns} did not start; "
                               "log:\n" + self.log())
        if self.vty_via:
            self.vty.close()
            self.vty = Vty(os.path.join(self.rundir,
                                        f"{self.vty_via.name}.vty"))
            for line in self.unset:
                try:  # gone already if a test removed it
                    self.vty.config("no " + line)
                except VtyError:
                    pass
            if self.lines():
                self.vty.config(*self.lines())
        return self

    def lines(self):
        """The configuration lines of its file."""
        return [l for l in open(self.conf).read().splitlines()
                if l.strip() and not l.startswith("!")]

    def log(self):
        try:
            return open(os.path.join(self.rundir, f"{self.name}.log")).read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if not self.pid:
            return
        try:
            self.vty.close()
        except Exception:
            pass
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            self.pid = None
            return
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.kill(self.pid, signal.SIGKILL)
        self.pid = None
        # A daemon that crashed on the way out is a failure, not a stop.
        if sig == signal.SIGTERM and "aborting..." in self.log():
            raise RuntimeError(f"{self.name} crashed on shutdown:\n"
                               + self.log()[-3000:])


class Lab:
    def __init__(self, prefix):
        self.prefix = prefix
        self.rundir = f"/run/frr-ebpf-test/{prefix}"
        self.namespaces = []
        self.daemons = []
        self.exabgps = []
        pw = pwd.getpwnam("frr")
        self.frr_uid, self.frr_gid = pw.pw_uid, pw.pw_gid
        shutil.rmtree(self.rundir, ignore_errors=True)
        os.makedirs(self.rundir)
        os.chmod("/run/frr-ebpf-test", 0o755)

    def netns(self, name):
        full = f"{self.prefix}-{name}"
        sh(["ip", "netns", "del", full], check=False)
        sh(["ip", "netns", "add", full])
        self.namespaces.append(full)
        self.ip(full, "link set lo up")
        d = os.path.join(self.rundir, full)
        os.makedirs(d, exist_ok=True)
        os.chown(d, self.frr_uid, self.frr_gid)
        for k in ("net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1"):
            sh(["ip", "netns", "exec", full, "sysctl", "-qw", k])
        return full

    def ip(self, ns, args, check=True):
        return sh(["ip", "-n", ns] + args.split(), check=check)

    def link(self, ns_a, if_a, ns_b, if_b):
        """A veth pair if_a (in ns_a) <-> if_b (in ns_b), both up."""
        sh(["ip", "link", "add", if_a, "netns", ns_a, "type", "veth",
            "peer", "name", if_b, "netns", ns_b])
        self.ip(ns_a, f"link set {if_a} up")
        self.ip(ns_b, f"link set {if_b} up")

    def pair(self, a, if_a, b, if_b):
        """Namespaces a and b joined by one link: a 192.0.2.1/24
        2001:db8:1::1/64, b 192.0.2.2/24 2001:db8:1::2/64."""
        a, b = self.netns(a), self.netns(b)
        self.link(a, if_a, b, if_b)
        self.addresses(((a, if_a, "192.0.2.1/24", "2001:db8:1::1/64"),
                        (b, if_b, "192.0.2.2/24", "2001:db8:1::2/64")))
        return a, b

    def addresses(self, table):
        """Assign (ns, dev, ipv4/len, ipv6/len) rows; IPv6 without DAD so
        it is usable at once."""
        for ns, dev, v4, v6 in table:
            self.ip(ns, f"addr add {v4} dev {dev}")
            self.ip(ns, f"addr add {v6} dev {dev} nodad")

    def pin_path(self, name, owned=True):
        """A fresh pin directory on bpffs, owned by frr as the
        frr-ebpf-prepare script makes it (zebra runs as frr)."""
        base = os.path.join(BPFFS_ROOT, self.prefix)
        path = os.path.join(base, name)
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(base, exist_ok=True)
        if owned:
            os.makedirs(path)
            os.chown(path, self.frr_uid, self.frr_gid)
        return path

    def fastpath_rig(self, host_gro=True):
        """h1 -- r -- h2 over three links, as the fast-path tests use it:

          h1 198.51.100.10 -- r-in | r | r-out  -- h2 192.0.2.2
                                   |   | r-out2 -- h2 203.0.113.2
                                   |   | r-out3 -- h2 100.64.3.2

        h2 owns 198.18.0.1 on lo; h1 and h2 route through r. Sets
        self.h1, self.r, self.h2."""
        h1, r, h2 = self.netns("h1"), self.netns("r"), self.netns("h2")
        self.link(h1, "h1-eth0", r, "r-in")
        self.link(r, "r-out", h2, "h2-eth0")
        self.link(r, "r-out2", h2, "h2-eth1")
        self.link(r, "r-out3", h2, "h2-eth2")
        self.addresses((
            (h1, "h1-eth0", "198.51.100.10/24", "2001:db8:10::10/64"),
            (r, "r-in", "198.51.100.1/24", "2001:db8:10::1/64"),
            (r, "r-out", "192.0.2.1/24", "2001:db8:20::1/64"),
            (h2, "h2-eth0", "192.0.2.2/24", "2001:db8:20::2/64"),
            (r, "r-out2", "203.0.113.1/24", "2001:db8:30::1/64"),
            (h2, "h2-eth1", "203.0.113.2/24", "2001:db8:30::2/64"),
            (r, "r-out3", "100.64.3.1/24", "2001:db8:40::1/64"),
            (h2, "h2-eth2", "100.64.3.2/24", "2001:db8:40::2/64")))
        self.ip(h2, "addr add 198.18.0.1/32 dev lo")
        self.ip(h1, "route add default via 198.51.100.1")
        self.ip(h1, "-6 route add default via 2001:db8:10::1")
        self.ip(h2, "route add default via 192.0.2.1")
        self.ip(h2, "-6 route add default via 2001:db8:20::1")
        # XDP redirect into a veth needs NAPI on its peer: GRO gives it.
        # Without host_gro the hosts keep a veth's defaults (GRO off).
        for ns, dev in ((h1, "h1-eth0"), (h2, "h2-eth0"), (h2, "h2-eth1"),
                        (h2, "h2-eth2")):
            if host_gro:
                sh(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "gro",
                    "on"])
        self.h1, self.r, self.h2 = h1, r, h2

    def mgmtd(self, ns):
        """FRR 10's mgmtd in ns, running before the daemons it configures
        (started again if it was stopped with zebra)."""
        for d in self.daemons:
            if d.ns == ns and d.name == "mgmtd":
                return d if d.pid else d.start()
        os.makedirs(frr_runstate_dir(), exist_ok=True)
        os.chown(frr_runstate_dir(), self.frr_uid, self.frr_gid)
        d = Daemon(self, ns, "mgmtd", [], "")
        self.daemons.append(d)
        return d.start()

    def zebra(self, ns, conf, module=None, extra=()):
        args = ["-M", module or find_module()] + list(extra)
        d = Daemon(self, ns, "zebra", args, conf)
        self.daemons.append(d)
        return d.start()

    def staticd(self, ns, conf="", timeout=20):
        """staticd in ns; a large conf needs a longer timeout (it opens
        its vty once the file is read). On FRR 10 its configuration goes
        through mgmtd, and so does the returned daemon's vty."""
        # FRR 10: mgmtd still holds what an earlier staticd here was
        # given; a new one starts from its own file, as on 8.4.
        unset = dict.fromkeys(l for d in self.daemons
                              if d.ns == ns and d.name == "staticd"
                              for l in d.lines())
        d = Daemon(self, ns, "staticd", [], conf,
                   vty_via=self.mgmtd(ns) if MGMTD else None, unset=unset)
        self.daemons.append(d)
        return d.start(timeout)

    def bgpd(self, ns, conf, args=(), timeout=20):
        """bgpd in ns; args such as -Z (no zebra: a feeder that only
        originates), a longer timeout for a large conf."""
        d = Daemon(self, ns, "bgpd", list(args), conf)
        self.daemons.append(d)
        return d.start(timeout)

    def exabgp(self, ns, conf):
        """ExaBGP in ns with `conf` (its neighbor blocks); routes are
        announced and withdrawn with the returned peer's send()."""
        peer = ExaBgp(self, ns, conf)
        self.exabgps.append(peer)
        return peer

    def close(self):
        for e in self.exabgps:
            e.stop()
        for d in reversed(self.daemons):
            d.stop()
        for ns in self.namespaces:
            sh(["ip", "netns", "del", ns], check=False)
        shutil.rmtree(os.path.join(BPFFS_ROOT, self.prefix), ignore_errors=True)
        shutil.rmtree(self.rundir, ignore_errors=True)


class ExaBgp:
    """An ExaBGP speaker fed through exabgp_ctl.py (a command file)."""

    def __init__(self, lab, ns, neighbors):
        d = os.path.join(lab.rundir, ns)
        self.cmdfile = os.path.join(d, "exabgp.cmd")
        open(self.cmdfile, "w").close()
        conf = os.path.join(d, "exabgp.conf")
        with open(conf, "w") as f:
            f.write("process ctl {\n"
                    f"  run /usr/bin/python3 {HERE}/exabgp_ctl.py {self.cmdfile};\n"
                    "  encoder text;\n}\n" + neighbors)
        env = dict(os.environ, exabgp_daemon_user="root",
                   exabgp_daemon_daemonize="false",
                   exabgp_daemon_drop="false",
                   exabgp_api_cli="false")
        self.logfile = os.path.join(d, "exabgp.log")
        with open(self.logfile, "w") as log:
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", ns, "exabgp", conf], env=env,
                stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)

    def log(self):
        try:
            return open(self.logfile).read()
        except OSError:
            return ""

    def send(self, line):
        with open(self.cmdfile, "a") as f:
            f.write(line + "\n")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            # Its own session: the API helper goes with it.
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


RIG_PORTS = ("r-in", "r-out", "r-out2", "r-out3")


def fast_path_mode(z, mode, devs=RIG_PORTS):
    """Attach the fast path in `mode` on devs of z's router, or detach it
    (mode None) where it is attached."""
    attached = keyed(z.vty.json("show ebpf interfaces json")["interfaces"])
    lines = []
    # the global form: the only one FRR 10's zebra has
    for dev in devs:
        if mode:
            lines.append(f"ebpf fast-path interface {dev} {mode}")
        elif dev in attached:
            lines.append(f"no ebpf fast-path interface {dev}")
    if lines:
        z.vty.config(*lines)


def dump_mirror(pin_path):
    """The pinned maps, read back by frr-ebpf-dump."""
    return json.loads(sh([find_dump(), "-p", pin_path]))


def keyed(entries, key="name"):
    """The entries of a `show ebpf ... json` list (the YANG model's shape:
    an array of objects, each with its key) as a dict by that key."""
    return {e[key]: e for e in entries}


def wait_for(fn, timeout=15, interval=0.2):
    """Poll fn() until it returns a truthy value; return the last value."""
    deadline = time.time() + timeout
    while True:
        val = fn()
        if val or time.time() > deadline:
            return val
        time.sleep(interval)
