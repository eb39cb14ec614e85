#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""BGP full-table convergence with and without the zebra_ebpf module.

A feeder bgpd in its own namespace originates N IPv4 prefixes (DFZ-like
prefix-length mix, random but deterministic) and is set up once. For each
run a fresh device-under-test namespace gets zebra (plain, or with
`-M zebra_ebpf.so`) and a bgpd that peers with the feeder; the clock starts
when the DUT's neighbor is enabled and the poller records when bgpd has
received every prefix, when the kernel FIB holds them all and (module
runs) when the pinned maps hold them all. Baseline and module runs
alternate in the same invocation; figures are reported as ratios against
the baseline measured here, since absolute times depend on the machine.

This is a benchmark, not a test: it prints figures, it asserts nothing
beyond "the run converged".

Run as root: bench/bgp_convergence.py [--routes N] [--runs N] [--json FILE]
"""
import argparse
import hashlib
import json
import os
import random
import shutil
import resource
import signal
import socket
import statistics
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import frrlab  # noqa: E402

PREFIX = "fe-bench"
DUT_AS, PEER_AS = 65000, 65001
DUT_ADDR, PEER_ADDR = "10.254.0.1", "10.254.0.2"
CLK_TCK = os.sysconf("SC_CLK_TCK")
DEFAULT_ROUTE4_MAP = 1200000

# Share of each prefix length, roughly the IPv4 DFZ of the 2020s (the
# few /8-/15 left out): most of the table is /24, then /22 and /23.
LEN_WEIGHTS = [(24, 600), (23, 100), (22, 130), (21, 55), (20, 50),
               (19, 30), (18, 15), (17, 8), (16, 12)]
# First octets never used: 0/8, 10/8 (the lab's links live there),
# 127/8, and 224/3 (multicast, class E) by the range itself.
FIRST_OCTETS = [o for o in range(1, 224) if o not in (10, 127)]


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def gen_prefixes(n, seed):
    """n unique IPv4 prefixes as (address int, length)."""
    rng = random.Random(seed)
    lens = [plen for plen, _ in LEN_WEIGHTS]
    cum, total = [], 0
    for _, w in LEN_WEIGHTS:
        total += w
        cum.append(total)
    seen, out = set(), []
    while len(out) < n:
        plen = rng.choices(lens, cum_weights=cum)[0]
        addr = (rng.choice(FIRST_OCTETS) << 24) | rng.getrandbits(24)
        addr &= (0xffffffff << (32 - plen)) & 0xffffffff
        key = (addr << 6) | plen
        if key in seen:
            continue
        seen.add(key)
        out.append((addr, plen))
    return out


def length_mix(prefixes):
    mix = {}
    for _, plen in prefixes:
        mix[plen] = mix.get(plen, 0) + 1
    return {f"/{k}": v for k, v in sorted(mix.items(), reverse=True)}


# ---------------------------------------------------------------- process

def proc_cpu(pid):
    """utime + stime of all threads, seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_mem(pid):
    """VmRSS, VmHWM, RssAnon, RssFile, RssShmem in bytes."""
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(line.split()[1]) * 1024
    return out


def kernel_prefixes(pid):
    """IPv4 FIB entries of the namespace pid lives in (main trie, which
    also holds local routes while no rules are configured). The kernel
    counts them by walking the trie: no route is copied to user space."""
    with open(f"/proc/{pid}/net/fib_triestat") as f:
        text = f.read()
    main = text.split("Main:", 1)[1].split("Local:", 1)[0]
    for line in main.splitlines():
        if line.strip().startswith("Prefixes:"):
            return int(line.split()[1])
    raise RuntimeError("no Prefixes line in fib_triestat")


def thread_cpu(pid):
    """CPU seconds per thread name (zebra: main, zebra_dplane, ...)."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(tid) == pid:
            name = "main"
        out[name] = out.get(name, 0) + (int(fields[11]) + int(fields[12])) / CLK_TCK
    return out


def kernel_count_ns(ns):
    """fib_triestat prefixes of a namespace no process of ours is in."""
    out = frrlab.sh(["ip", "netns", "exec", ns, "cat",
                     "/proc/net/fib_triestat"], check=False)
    main = out.split("Main:", 1)[-1].split("Local:", 1)[0]
    for line in main.splitlines():
        if line.strip().startswith("Prefixes:"):
            return int(line.split()[1])
    return None


def machine_busy():
    """Busy CPU seconds of the whole machine (all CPUs) so far."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / CLK_TCK


def self_cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class SlowDaemon(frrlab.Daemon):
    """A Daemon whose start waits longer: the feeder's configuration of a
    million `network` lines takes tens of seconds to read."""

    def start(self, timeout=300):
        pidfile = os.path.join(self.rundir, f"{self.name}.pid")
        vtysock = os.path.join(self.rundir, f"{self.name}.vty")
        for p in (pidfile, vtysock):
            if os.path.exists(p):
                os.unlink(p)
        frrlab.sh(["ip", "netns", "exec", self.ns,
                   f"{frrlab.FRR_DAEMONS}/{self.name}",
                   "-d", "-f", self.conf, "-i", pidfile,
                   "-z", os.path.join(self.rundir, "zserv.api"),
                   "--vty_socket", self.rundir, "-P", "0",
                   "--log", f"file:{self.rundir}/{self.name}.log"]
                  + self.args)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if os.path.exists(pidfile) and os.path.exists(vtysock):
                try:
                    self.pid = int(open(pidfile).read().strip())
                    # `enable` is answered once the config has been read.
                    self.vty = frrlab.Vty(vtysock, timeout=timeout)
                    return self
                except (ValueError, OSError):
                    pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} in {self.ns} did not start; log:\n"
                           + self.log())


# ---------------------------------------------------------------- the lab

class Bench:
    def __init__(self, args):
        self.args = args
        self.lab = frrlab.Lab(PREFIX)
        # Every run loads this copy: a rebuild of the tree during the
        # benchmark must not change the module half way.
        self.module = os.path.join(self.lab.rundir, "zebra_ebpf.so")
        shutil.copyfile(args.module, self.module)
        os.chmod(self.module, 0o644)
        self.peer_ns = None
        self.peer = None

    def close(self):
        self.lab.close()

    # The feeder: set up once, reused by every run.
    def start_feeder(self, prefixes):
        self.peer_ns = self.lab.netns("peer")
        lines = ["hostname feeder",
                 f"router bgp {PEER_AS}",
                 f" bgp router-id {PEER_ADDR}",
                 " no bgp ebgp-requires-policy",
                 # Originate without a RIB to check against (no zebra).
                 " no bgp network import-check",
                 f" neighbor {DUT_ADDR} remote-as {DUT_AS}",
                 f" neighbor {DUT_ADDR} passive",
                 # Enabled for each run, shut again after it.
                 f" neighbor {DUT_ADDR} shutdown",
                 " address-family ipv4 unicast"]
        body = "\n".join(
            f"  network {socket.inet_ntoa(struct.pack('!I', a))}/{plen}"
            for a, plen in prefixes)
        conf = "\n".join(lines) + "\n" + body + "\n exit-address-family\n"
        t = time.monotonic()
        # -Z: no zebra; the feeder only originates.
        self.peer = SlowDaemon(self.lab, self.peer_ns, "bgpd", ["-Z"], conf)
        self.lab.daemons.append(self.peer)
        self.peer.start()
        n = len(prefixes)
        while True:
            s = self.peer.vty.json("show bgp ipv4 unicast summary json")
            if s.get("ribCount", 0) >= n:
                break
            if time.monotonic() - t > 600:
                raise RuntimeError(f"feeder has {s.get('ribCount')} of {n}")
            time.sleep(0.5)
        return time.monotonic() - t

    def feeder_session(self, up):
        self.peer.vty.config(
            "router bgp %d" % PEER_AS,
            f"{'no ' if up else ''}neighbor {DUT_ADDR} shutdown")

    # One device under test: fresh namespace, zebra (+module), bgpd.
    def dut_up(self, name, with_module, n):
        lab = self.lab
        ns = lab.netns(name)
        lab.link(ns, "eth0", self.peer_ns, f"{name[-6:]}")
        lab.ip(ns, f"addr add {DUT_ADDR}/30 dev eth0")
        lab.ip(self.peer_ns, f"addr add {PEER_ADDR}/30 dev {name[-6:]}")
        zconf = "hostname dut\n"
        zargs = ["-s", "90000000"]  # Debian's default netlink buffer
        pin = None
        if with_module:
            pin = lab.pin_path(name)
            zconf += f"ebpf pin-path {pin}\n"
            want = int(n * 1.05) + 1024
            if want > DEFAULT_ROUTE4_MAP:
                zconf += f"ebpf map-size route4 {want}\n"
            zargs = ["-M", self.module] + zargs
        zebra = frrlab.Daemon(lab, ns, "zebra", zargs, zconf)
        lab.daemons.append(zebra)
        zebra.start()
        bconf = "\n".join([
            "hostname dut",
            "route-map NONE deny 10",
            f"router bgp {DUT_AS}",
            f" bgp router-id {DUT_ADDR}",
            " no bgp ebgp-requires-policy",
            f" neighbor {PEER_ADDR} remote-as {PEER_AS}",
            f" neighbor {PEER_ADDR} timers connect 1",
            f" neighbor {PEER_ADDR} shutdown",
            " address-family ipv4 unicast",
            # A full-table edge router would re-advertise; here nothing
            # goes back, so the feeder is not loaded by its own table.
            f"  neighbor {PEER_ADDR} route-map NONE out",
            " exit-address-family", ""])
        bgpd = frrlab.Daemon(lab, ns, "bgpd", [], bconf)
        lab.daemons.append(bgpd)
        bgpd.start()
        # bgpd has registered with zebra before the clock starts.
        frrlab.wait_for(lambda: "bgp" in zebra.vty.cmd(
            "show zebra client summary"), timeout=20)
        return ns, zebra, bgpd, pin

    def dut_down(self, ns, zebra, bgpd):
        """Kill the DUT (a clean zebra shutdown would delete a million
        routes one by one), then flush its nexthop objects: the kernel
        drops every route using them in that one call, so the FIB is gone
        before the next run rather than freed later by the namespace
        cleanup worker while it runs."""
        for d in (bgpd, zebra):
            d.stop(sig=signal.SIGKILL)
            self.lab.daemons.remove(d)
        self.feeder_session(False)
        t = time.monotonic()
        frrlab.sh(["ip", "-n", ns, "nexthop", "flush"], check=False)
        left = kernel_count_ns(ns)
        frrlab.sh(["ip", "netns", "del", ns], check=False)
        self.lab.namespaces.remove(ns)
        log(f"  teardown: FIB flushed in {time.monotonic() - t:.1f}s"
            f" ({left} IPv4 entries left)")

    def one_run(self, name, with_module, n):
        a = self.args
        ns, zebra, bgpd, pin = self.dut_up(name, with_module, n)
        res = {"variant": "module" if with_module else "baseline",
               "namespace": ns, "routes": n}
        try:
            self.measure(res, zebra, bgpd, with_module, n)
        finally:
            self.dut_down(ns, zebra, bgpd)
            if pin:
                frrlab.sh(["rm", "-rf", pin], check=False)
            settle(a.settle)
        return res

    def measure(self, res, zebra, bgpd, with_module, n):
        a = self.args
        k0 = kernel_prefixes(zebra.pid)
        m0 = 0
        if with_module:
            st = zebra.vty.json("show ebpf mirror json")
            if st.get("syncState") in (None, "failed"):
                raise RuntimeError(f"mirror not usable: {st}")
            m0 = st["routes"]["ipv4"]
        cpu0 = proc_cpu(zebra.pid)
        tcpu0 = thread_cpu(zebra.pid)
        bcpu0 = proc_cpu(bgpd.pid)
        fcpu0 = proc_cpu(self.peer.pid)
        busy0 = machine_busy()
        self.feeder_session(True)
        poll_cpu0 = self_cpu()
        t0 = time.monotonic()
        bgpd.vty.config(f"router bgp {DUT_AS}",
                        f"no neighbor {PEER_ADDR} shutdown")
        t = {"established": None, "bgp": None, "kernel": None, "maps": None}
        polled = {}
        samples = []
        kern = maps = rcvd = 0
        mirror = None
        while True:
            now = time.monotonic() - t0
            kern = kernel_prefixes(zebra.pid) - k0
            if with_module:
                mirror = zebra.vty.json("show ebpf mirror json")
                maps = mirror["routes"]["ipv4"] - m0
            else:
                # The same vty round trip to zebra as in module runs.
                zebra.vty.cmd("show version")
            peer = bgpd.vty.json(
                "show bgp ipv4 unicast summary json").get(
                "peers", {}).get(PEER_ADDR, {})
            rcvd = peer.get("pfxRcd", 0)
            if t["established"] is None and peer.get("state") == "Established":
                t["established"] = now
            samples.append([round(now, 3), rcvd, kern, maps])
            for key, col in (("bgp", 1), ("kernel", 2), ("maps", 3)):
                if t[key] is None and samples[-1][col] >= n:
                    t[key] = crossing(samples, col, n)
                    polled[key] = now
            if t["kernel"] is not None and (t["maps"] is not None
                                            or not with_module):
                break
            if now > a.timeout:
                break
            time.sleep(max(0.0, a.interval - (time.monotonic() - t0 - now)))
        # Convergence end: CPU and memory as they are now.
        res["zebraCpuSeconds"] = round(proc_cpu(zebra.pid) - cpu0, 2)
        res["zebraThreadCpuSeconds"] = {
            k: round(v - tcpu0.get(k, 0), 2)
            for k, v in sorted(thread_cpu(zebra.pid).items())}
        res["bgpdCpuSeconds"] = round(proc_cpu(bgpd.pid) - bcpu0, 2)
        res["zebraMainCpuSeconds"] = res["zebraThreadCpuSeconds"].get("main")
        res["zebraDplaneCpuSeconds"] = res["zebraThreadCpuSeconds"].get(
            "zebra_dplane")
        mem = proc_mem(zebra.pid)
        rss = mem["VmRSS"]
        res["zebraRssBytes"], res["zebraHwmBytes"] = rss, mem["VmHWM"]
        # Heap alone: with the module, RSS also counts BPF arrays zebra
        # maps into its address space (pages that are map memory too).
        res["zebraRssAnonBytes"] = mem["RssAnon"]
        res["zebraRss"] = mem
        res["bgpdRssBytes"] = proc_mem(bgpd.pid)["VmRSS"]
        res["pollerCpuSeconds"] = round(self_cpu() - poll_cpu0, 2)
        res["feederCpuSeconds"] = round(proc_cpu(self.peer.pid) - fcpu0, 2)
        wall = time.monotonic() - t0
        ours = (res["zebraCpuSeconds"] + res["bgpdCpuSeconds"] +
                res["feederCpuSeconds"] + res["pollerCpuSeconds"])
        # What else ran meanwhile (other users of the machine, kernel
        # workers), in cores: the noise floor of this run's wall times.
        res["otherLoadCores"] = round(
            max(0.0, machine_busy() - busy0 - ours) / wall, 2)
        res["polls"] = len(samples)
        c = time.monotonic()
        kernel_prefixes(zebra.pid)
        res["kernelPollMs"] = round((time.monotonic() - c) * 1000, 1)
        res.update({f"{k}Seconds": (round(v, 2) if v is not None else None)
                    for k, v in t.items()})
        res["polledSeconds"] = {k: round(v, 2) for k, v in polled.items()}
        res["converged"] = (t["kernel"] is not None and
                            (t["maps"] is not None or not with_module))
        res["final"] = {"bgpReceived": rcvd, "kernel": kern,
                        "maps": maps if with_module else None}
        summ = zebra.vty.json("show ip route summary json")
        res["zebraFib"] = {r.get("type"): r.get("fib")
                           for r in summ.get("routes", [])}
        if with_module:
            mirror = zebra.vty.json("show ebpf mirror json")
            r4 = mirror["maps"]["fe_route4_v1"]
            routes4 = max(1, mirror["routes"]["ipv4"])
            res["mirror"] = {
                "syncState": mirror.get("syncState"),
                "routesIpv4": mirror["routes"]["ipv4"],
                "nexthopGroups": mirror.get("nexthopGroups"),
                "counters": mirror.get("counters"),
                "maps": mirror["maps"],
                "mapMemoryBytes": mirror["mapMemoryBytes"],
                "shadowMemoryBytes": mirror["shadowMemoryBytes"],
                "route4MapBytesPerRoute": round(r4["memoryBytes"] / routes4, 1),
                "mapBytesPerRoute": round(mirror["mapMemoryBytes"] / routes4, 1),
                "shadowBytesPerRoute": round(
                    mirror["shadowMemoryBytes"] / routes4, 1),
            }
        if self.args.samples:
            res["samples"] = samples
        fmt = lambda v: "-" if v is None else f"{v:.1f}s"
        log(f"  {res['variant']}: established {fmt(t['established'])}, "
            f"bgp {fmt(t['bgp'])}, kernel {fmt(t['kernel'])}, "
            f"maps {fmt(t['maps'])}; zebra cpu {res['zebraCpuSeconds']}s "
            f"rss {rss / 2**20:.0f} MiB; poller cpu "
            f"{res['pollerCpuSeconds']}s in {len(samples)} polls; other "
            f"load {res['otherLoadCores']} cores")
        if not res["converged"]:
            log(f"  did not converge in {a.timeout}s: {res['final']}")


def crossing(samples, col, n):
    """When samples[col] reached n, interpolated linearly between the
    last poll below n and the first at or above it (polls are
    interval s apart; the rate between two polls is near constant)."""
    t1, c1 = samples[-1][0], samples[-1][col]
    if len(samples) < 2:
        return t1
    t0, c0 = samples[-2][0], samples[-2][col]
    if c1 <= c0:
        return t1
    return t0 + (t1 - t0) * (n - c0) / (c1 - c0)


def settle(max_wait, busy_below=0.5):
    """Wait (up to max_wait s) until the machine is mostly idle, so the
    kernel's freeing of the last namespace's FIB does not land on the
    next run. busy_below is the busy share of all CPUs."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return sum(v), v[3] + v[4]
    deadline = time.monotonic() + max_wait
    time.sleep(1)
    while time.monotonic() < deadline:
        tot0, idle0 = snap()
        time.sleep(1)
        tot1, idle1 = snap()
        if tot1 > tot0 and 1 - (idle1 - idle0) / (tot1 - tot0) < busy_below:
            return
    log(f"  machine still busy after {max_wait}s; going on")


# ---------------------------------------------------------------- report

def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def summarize(results):
    base = [r for r in results if r["variant"] == "baseline"]
    mod = [r for r in results if r["variant"] == "module"]
    s = {}
    for key in ("establishedSeconds", "bgpSeconds", "kernelSeconds",
                "zebraCpuSeconds", "zebraMainCpuSeconds",
                "zebraDplaneCpuSeconds", "bgpdCpuSeconds", "zebraRssBytes",
                "zebraHwmBytes", "zebraRssAnonBytes", "pollerCpuSeconds", "feederCpuSeconds",
                "otherLoadCores"):
        s[key] = {"baseline": med(r[key] for r in base),
                  "module": med(r[key] for r in mod)}
        s[key]["ratio"] = ratio(s[key]["module"], s[key]["baseline"])
    s["mapsSeconds"] = {"module": med(r["mapsSeconds"] for r in mod)}
    # Convergence with the module is the later of kernel and maps.
    s["mapsSeconds"]["ratioToBaselineKernel"] = ratio(
        s["mapsSeconds"]["module"], s["kernelSeconds"]["baseline"])
    # Pairs measured next to each other: their ratios, then the median.
    pairs = list(zip(base, mod))
    s["pairKernelRatios"] = [ratio(m["kernelSeconds"], b["kernelSeconds"])
                             for b, m in pairs]
    s["pairConvergenceRatios"] = [ratio(m["mapsSeconds"], b["kernelSeconds"])
                                  for b, m in pairs]
    # The module's own cost, free of wall-clock noise: the extra CPU of
    # zebra's dataplane thread (where the provider runs) per route.
    s["dplaneCpuPerRouteMicroseconds"] = {
        v: (None if s["zebraDplaneCpuSeconds"][v] is None else
            round(s["zebraDplaneCpuSeconds"][v] * 1e6 / results[0]["routes"],
                  2))
        for v in ("baseline", "module")}
    d = s["dplaneCpuPerRouteMicroseconds"]
    s["dplaneCpuPerRouteMicroseconds"]["added"] = (
        None if None in (d["baseline"], d["module"])
        else round(d["module"] - d["baseline"], 2))
    s["pairOtherLoadCores"] = [[b["otherLoadCores"], m["otherLoadCores"]]
                               for b, m in pairs]
    s["kernelRatioMedianOfPairs"] = med(s["pairKernelRatios"])
    s["convergenceRatioMedianOfPairs"] = med(s["pairConvergenceRatios"])
    for key in ("route4MapBytesPerRoute", "mapBytesPerRoute",
                "shadowBytesPerRoute", "mapMemoryBytes", "shadowMemoryBytes"):
        s[key] = med(r["mirror"][key] for r in mod if "mirror" in r)
    conv = s["convergenceRatioMedianOfPairs"]
    s["target"] = "module adds <= 10% to convergence time"
    s["targetMet"] = None if conv is None else conv <= 1.10
    return s


def print_table(cfg, s, results):
    def f(v, spec=".2f", unit=""):
        return "-" if v is None else f"{v:{spec}}{unit}"

    def mib(v):
        return None if v is None else v / 2**20

    print(f"\nBGP convergence, {cfg['routes']} IPv4 routes from one eBGP "
          f"peer, {cfg['runs']} run(s) per variant (medians), "
          f"kernel {cfg['kernel']}, FRR {cfg['frr']}, {cfg['cpus']} CPUs")
    print(f"module {cfg['module']} sha256 {cfg['moduleSha256'][:12]}")
    print(f"{'':34} {'baseline':>10} {'module':>10} {'ratio':>7}")
    rows = [
        ("session established (s)", "establishedSeconds", ".2f", 1),
        ("bgpd received all (s)", "bgpSeconds", ".1f", 1),
        ("kernel has all routes (s)", "kernelSeconds", ".1f", 1),
        ("zebra CPU at convergence (s)", "zebraCpuSeconds", ".1f", 1),
        ("zebra RSS at convergence (MiB)", "zebraRssBytes", ".0f", 2**20),
        ("zebra peak RSS (MiB)", "zebraHwmBytes", ".0f", 2**20),
        ("zebra anonymous RSS (MiB)", "zebraRssAnonBytes", ".0f", 2**20),
        ("  of which main thread (s)", "zebraMainCpuSeconds", ".1f", 1),
        ("  of which dplane thread (s)", "zebraDplaneCpuSeconds", ".1f", 1),
        ("bgpd CPU (s)", "bgpdCpuSeconds", ".1f", 1),
        ("feeder bgpd CPU (s)", "feederCpuSeconds", ".1f", 1),
        ("poller CPU (s)", "pollerCpuSeconds", ".2f", 1),
        ("other load on the machine (cores)", "otherLoadCores", ".2f", 1),
    ]
    for label, key, spec, div in rows:
        b, m = s[key]["baseline"], s[key]["module"]
        b = None if b is None else b / div
        m = None if m is None else m / div
        print(f"{label:34} {f(b, spec):>10} {f(m, spec):>10} "
              f"{f(s[key]['ratio'], '.3f'):>7}")
    ms = s["mapsSeconds"]
    print(f"{'maps have all routes (s)':34} {'':>10} "
          f"{f(ms['module'], '.1f'):>10} {f(ms['ratioToBaselineKernel'], '.3f'):>7}"
          "  (vs baseline kernel)")
    print(f"\nper-pair kernel ratios (module/baseline): "
          f"{', '.join(f(x, '.3f') for x in s['pairKernelRatios'])}")
    print("  other load in those pairs (cores, baseline/module): " + ", ".join(
        f"{f(b)}/{f(m)}" for b, m in s["pairOtherLoadCores"]))
    print(f"per-pair convergence ratios (module maps / baseline kernel): "
          f"{', '.join(f(x, '.3f') for x in s['pairConvergenceRatios'])}")
    print(f"map memory: {f(s['route4MapBytesPerRoute'], '.1f')} B/route in "
          f"fe_route4_v1; all maps {f(mib(s['mapMemoryBytes']), '.1f')} MiB "
          f"= {f(s['mapBytesPerRoute'], '.1f')} B/route (fixed-size maps "
          f"included); shadow {f(mib(s['shadowMemoryBytes']), '.1f')} MiB "
          f"= {f(s['shadowBytesPerRoute'], '.1f')} B/route")
    last = next((r["mirror"] for r in reversed(results) if "mirror" in r),
                None)
    if last:
        print(f"  {'map':18} {'entries':>9} {'max':>9} {'MiB':>8}")
        for name, m in last["maps"].items():
            print(f"  {name:18} {m['entries']:>9} {m['maxEntries']:>9} "
                  f"{m['memoryBytes'] / 2**20:>8.1f}")
    d = s["dplaneCpuPerRouteMicroseconds"]
    print(f"zebra dataplane thread CPU per route: baseline "
          f"{f(d['baseline'])} us, module {f(d['module'])} us "
          f"(the module adds {f(d['added'])} us)")
    met = s["targetMet"]
    print(f"target ({s['target']}): "
          f"{'met' if met else 'NOT met' if met is not None else 'n/a'} "
          f"(median convergence ratio "
          f"{f(s['convergenceRatioMedianOfPairs'], '.3f')})")
    bad = [r for r in results if not r["converged"]]
    if bad:
        print(f"{len(bad)} run(s) did not converge; see the JSON")


def frr_version():
    out = frrlab.sh([f"{frrlab.FRR_DAEMONS}/zebra", "--version"], check=False)
    return out.split("\n", 1)[0].split()[-1] if out else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--routes", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=3,
                    help="runs per variant, in ABBA order (default 3)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="discarded baseline runs first (default 1): the "
                    "first run on a fresh machine pays for kernel memory "
                    "the later ones reuse")
    ap.add_argument("--json", help="write results to this file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--interval", type=float, default=0.5,
                    help="poll interval, s (default 0.5)")
    ap.add_argument("--timeout", type=float, default=600,
                    help="give up on a run after this many s (default 600)")
    ap.add_argument("--settle", type=float, default=5,
                    help="max s to wait for an idle machine between runs")
    ap.add_argument("--module", help="zebra_ebpf.so (default: build tree)")
    ap.add_argument("--samples", action="store_true",
                    help="keep every poll sample in the JSON")
    a = ap.parse_args()

    why = frrlab.why_cannot_run()
    if why:
        sys.exit(f"cannot run: {why}")
    a.module = os.path.abspath(a.module or frrlab.find_module())
    with open(a.module, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    cfg = {"routes": a.routes, "runs": a.runs, "warmup": a.warmup,
           "seed": a.seed, "moduleSha256": digest,
           "interval": a.interval, "kernel": os.uname().release,
           "frr": frr_version(), "cpus": os.cpu_count(),
           "module": a.module}
    t = time.monotonic()
    prefixes = gen_prefixes(a.routes, a.seed)
    cfg["lengthMix"] = length_mix(prefixes)
    log(f"{a.routes} prefixes generated in {time.monotonic() - t:.1f}s")
    bench = Bench(a)
    results = []
    try:
        cfg["feederLoadSeconds"] = round(bench.start_feeder(prefixes), 1)
        log(f"feeder has the table after {cfg['feederLoadSeconds']}s")
        del prefixes
        for i in range(a.warmup):
            log(f"warm-up {i + 1}/{a.warmup}: baseline, not counted")
            bench.one_run(f"warm{i}", False, a.routes)
        for i in range(a.runs):
            # ABBA: the drift of a shared machine falls on both variants.
            order = [False, True] if i % 2 == 0 else [True, False]
            for with_module in order:
                name = f"dut{i}{'m' if with_module else 'b'}"
                log(f"run {i + 1}/{a.runs}: "
                    f"{'module' if with_module else 'baseline'}")
                r = bench.one_run(name, with_module, a.routes)
                r["run"] = i
                results.append(r)
    finally:
        bench.close()
    # Results in run order, but pair i is (baseline i, module i).
    results.sort(key=lambda r: (r["run"], r["variant"] != "baseline"))
    s = summarize(results)
    print_table(cfg, s, results)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"benchmark": "bgp_convergence", "config": cfg,
                       "summary": s, "runs": results}, f, indent=1)
            f.write("\n")
    return 0 if all(r["converged"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
