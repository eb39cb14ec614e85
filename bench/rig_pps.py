#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Packets per second through a router namespace: kernel forwarding
against the fast path (fe_xdp, fe_tc) and a bare XDP forwarder.

A benchmark, not a test: it prints figures, and ratios to plain kernel
forwarding measured in the same run. Needs root.

Two rigs (--rig). "veth", the default: the router receives on r0's NAPI
as from a NIC:

    fe-pps-src-PID          fe-pps-rt-PID                 fe-pps-sink-PID
    g0 192.0.2.2 ---- r0 192.0.2.1 | r1 198.51.100.1 ---- s0 198.51.100.2

"inject": no receive path; the generator hands frames to the router
directly (the kernel gets skbs built in batches of 64, without GRO: the
kernel's side is cheaper than on any NIC, see bench/FASTPATH.md):

                    fe-pps-rt-PID                     fe-pps-sink-PID
    gen_inject => r0 192.0.2.1 | r1 198.51.100.1 ---- s0 198.51.100.2

- N routes (DFZ-like prefix-length mix, fixed seed) in the router, all
  via 198.51.100.2 (s0), a permanent neighbour; loaded by batched netlink.
- Traffic: bench/gen.bpf.o run with BPF_PROG_TEST_RUN and
  BPF_F_TEST_XDP_LIVE_FRAMES, 60-byte IPv4/UDP frames from 192.0.2.2 to
  r0's MAC. Pattern "one": one destination; "random": each frame to a
  random one of N destinations, one inside every route.
  inject rig: program gen_inject, run inside the router's namespace with
  ingress_ifindex r0, so its frames are received on r0 itself. In the XDP
  modes it tail-calls the mode's program (gen_next[0]), which sees the
  frame as received on r0 and whose XDP_REDIRECT really transmits into
  r1; in kernel and fe_tc mode the slot is empty, gen_inject returns
  XDP_PASS and the kernel builds an skb and receives it on r0 (what
  BPF_PROG_TEST_RUN's live-frames mode does with XDP_PASS), for the stack
  or tcx ingress on r0. r0's peer g0 stays unused in the router's
  namespace; there is no source namespace.
  veth rig: program gen in the source namespace; every XDP_TX sends the
  frame out of g0 into r0, whose NAPI runs the router.
- Sink: bench/sink.bpf.o on s0 counts IPv4 frames and drops them.
- Modes: kernel (no program on r0/r1), fe_xdp (XDP on r0 and r1, both in
  fe_txports_v1, counters for both; the kernel FIB decides), fe_direct
  (fe_xdp on its direct IPv4 path: an IPv4 route table (16-8-8) of the
  routes, the neighbour cache, as the module keeps them), fe_full (fe_direct with 100
  count policies and every route via two paths chosen by hash-threshold),
  fe_tc (tcx ingress on r0 and r1), bare (bench/bare_fwd.bpf.o, XDP, a
  reference), null (bare_redirect: every frame out of r1 untouched, no
  lookup: what generator, veths and sink cost without a router).
  The XDP and TC programs are attached to r0 and r1 in both rigs.
- GRO is on for every veth, so each has NAPI and can take XDP_TX and XDP
  redirects whatever is attached.

Each run: attach the mode, start the generator, warm up, count the sink
over --duration seconds, stop, detach. Modes take turns within each
repetition; medians over --reps are printed, with checks: the share of
generated frames the kernel forwarded (Ip ForwDatagrams: all in kernel
mode, none otherwise, or the tail call did not happen) and the share fe
counted as received on r0.

Everything (generator, router, sink) runs on the generator's CPU, so Mpps
is the inverse of the summed cost; "router ns" is a mode's cost beyond
the null router's.

Everything is on this machine's own namespaces; all of it is named
fe-pps-*-PID and removed at exit (programs are attached through BPF links
held by this process, so they go with it).
"""
import argparse
import array
import ctypes
import errno
import json
import mmap
import os
import random
import signal
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))

CLONE_NEWNET = 0x40000000
BPF_F_TEST_XDP_LIVE_FRAMES = 1 << 1
BPF_XDP = 37
BPF_TCX_INGRESS = 46
XDP_MD_SIZE = 24  # struct xdp_md: six __u32

GW = "198.51.100.2"
GW2 = "198.51.100.3"  # fe_full's second path, also the sink
FULL_POLICIES = 100
SRC = "192.0.2.2"
FRAME_LEN = 60  # 14 + 20 + 8 + 18: a minimum frame without padding

# IPv4 prefix lengths per 100000 routes: the shape of today's DFZ, the
# same mix as bench/pkt_cost.c and bench/bgp_convergence.py.
LEN_MIX = [(24, 60000), (22, 13000), (23, 10000), (21, 5500), (20, 5000),
           (19, 3000), (18, 1500), (16, 1200), (17, 800)]


def log(*a):
    print(*a, flush=True)


# --------------------------------------------------------------------------
# libbpf and libc through ctypes
# --------------------------------------------------------------------------

class TestRunOpts(ctypes.Structure):
    _fields_ = [("sz", ctypes.c_size_t),
                ("data_in", ctypes.c_void_p),
                ("data_out", ctypes.c_void_p),
                ("data_size_in", ctypes.c_uint32),
                ("data_size_out", ctypes.c_uint32),
                ("ctx_in", ctypes.c_void_p),
                ("ctx_out", ctypes.c_void_p),
                ("ctx_size_in", ctypes.c_uint32),
                ("ctx_size_out", ctypes.c_uint32),
                ("retval", ctypes.c_uint32),
                ("repeat", ctypes.c_int),
                ("duration", ctypes.c_uint32),
                ("flags", ctypes.c_uint32),
                ("cpu", ctypes.c_uint32),
                ("batch_size", ctypes.c_uint32)]


def _lib():
    lib = ctypes.CDLL("libbpf.so.1", use_errno=True)
    vp, i, u32, cp = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32, ctypes.c_char_p
    sig = {
        "bpf_object__open_file": (vp, [cp, vp]),
        "bpf_object__load": (i, [vp]),
        "bpf_object__close": (None, [vp]),
        "bpf_object__next_map": (vp, [vp, vp]),
        "bpf_object__find_map_by_name": (vp, [vp, cp]),
        "bpf_object__find_program_by_name": (vp, [vp, cp]),
        "bpf_map__set_pin_path": (i, [vp, cp]),
        "bpf_map__set_max_entries": (i, [vp, u32]),
        "bpf_map__fd": (i, [vp]),
        "bpf_map__value_size": (u32, [vp]),
        "bpf_program__fd": (i, [vp]),
        "bpf_map_update_elem": (i, [i, vp, vp, ctypes.c_uint64]),
        "bpf_map_lookup_elem": (i, [i, vp, vp]),
        "bpf_map_delete_elem": (i, [i, vp]),
        "bpf_map_update_batch": (i, [i, vp, vp, ctypes.POINTER(u32), vp]),
        "bpf_map_create": (i, [i, cp, u32, u32, u32, vp]),
        "bpf_link_create": (i, [i, i, i, vp]),
        "bpf_prog_test_run_opts": (i, [i, ctypes.POINTER(TestRunOpts)]),
        "libbpf_num_possible_cpus": (i, []),
    }
    for name, (res, args) in sig.items():
        f = getattr(lib, name)
        f.restype = res
        f.argtypes = args
    return lib


LIB = _lib()
LIBC = ctypes.CDLL(None, use_errno=True)
NCPU = LIB.libbpf_num_possible_cpus()


def errstr():
    return os.strerror(ctypes.get_errno())


class BpfObj:
    """One BPF object file, loaded with private (unpinned) maps."""

    def __init__(self, path, max_entries=None):
        self.obj = LIB.bpf_object__open_file(path.encode(), None)
        if not self.obj:
            raise RuntimeError(f"cannot open {path}: {errstr()}")
        m = LIB.bpf_object__next_map(self.obj, None)
        while m:
            LIB.bpf_map__set_pin_path(m, None)
            m = LIB.bpf_object__next_map(self.obj, m)
        for name, n in (max_entries or {}).items():
            LIB.bpf_map__set_max_entries(self._map(name), n)
        if LIB.bpf_object__load(self.obj):
            raise RuntimeError(f"cannot load {path}: {errstr()}")

    def _map(self, name):
        m = LIB.bpf_object__find_map_by_name(self.obj, name.encode())
        if not m:
            raise RuntimeError(f"no map {name}")
        return m

    def map_fd(self, name):
        return LIB.bpf_map__fd(self._map(name))

    def value_size(self, name):
        return LIB.bpf_map__value_size(self._map(name))

    def prog_fd(self, name):
        p = LIB.bpf_object__find_program_by_name(self.obj, name.encode())
        if not p:
            raise RuntimeError(f"no program {name}")
        return LIB.bpf_program__fd(p)

    def close(self):
        if self.obj:
            LIB.bpf_object__close(self.obj)
            self.obj = None


def map_update(fd, key, value):
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(value, len(value))
    if LIB.bpf_map_update_elem(fd, k, v, 0):
        raise RuntimeError(f"map update: {errstr()}")


def map_lookup(fd, key, size):
    k = ctypes.create_string_buffer(key, len(key))
    v = ctypes.create_string_buffer(size)
    if LIB.bpf_map_lookup_elem(fd, k, v):
        return None
    return v.raw


def percpu_u64s(fd, key, value_size):
    """Sum over CPUs of a per-CPU value seen as __u64s."""
    stride = (value_size + 7) // 8 * 8
    raw = map_lookup(fd, key, stride * NCPU)
    if raw is None:
        return None
    n = value_size // 8
    tot = [0] * n
    for c in range(NCPU):
        vals = struct.unpack_from(f"={n}Q", raw, c * stride)
        tot = [a + b for a, b in zip(tot, vals)]
    return tot


# --------------------------------------------------------------------------
# Namespaces
# --------------------------------------------------------------------------

class InNetns:
    """Move the calling thread into a named netns, and back."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.back = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        fd = os.open(f"/run/netns/{self.name}", os.O_RDONLY)
        try:
            if LIBC.setns(fd, CLONE_NEWNET):
                raise RuntimeError(f"setns {self.name}: {errstr()}")
        finally:
            os.close(fd)
        return self

    def __exit__(self, *exc):
        LIBC.setns(self.back, CLONE_NEWNET)
        os.close(self.back)


def sh(*cmd, ns=None, quiet=False):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode and not quiet:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    return r.stdout


def link_info(ns, dev):
    j = json.loads(sh("ip", "-n", ns, "-j", "link", "show", "dev", dev))[0]
    return j["ifindex"], j["address"]


def pin_napi_threads(devs, cpu):
    """Pin the threaded-NAPI kthreads of devs (napi/DEV-ID) to cpu."""
    pinned = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if any(comm.startswith(f"napi/{d}-") for d in devs):
            os.sched_setaffinity(int(pid), {cpu})
            pinned.append(comm)
    return pinned


class Rig:
    def __init__(self, kind, threaded, router_cpu=-1):
        pid = os.getpid()
        self.kind = kind
        self.rt = f"fe-pps-rt-{pid}"
        self.snk = f"fe-pps-sink-{pid}"
        # inject: r0's peer g0 stays in the router's namespace, unused
        # (up, no address): the generator runs there, on r0
        self.src = f"fe-pps-src-{pid}" if kind == "veth" else self.rt
        self.made = []
        self.threaded = threaded or router_cpu >= 0
        self.router_cpu = router_cpu

    def setup(self):
        for ns in dict.fromkeys((self.src, self.rt, self.snk)):
            sh("ip", "netns", "add", ns)
            self.made.append(ns)
            sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
               "net.ipv6.conf.default.disable_ipv6=1", ns=ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", self.rt, "link", "add", "r0", "type", "veth", "peer",
           "name", "g0", "netns", self.src)
        sh("ip", "-n", self.rt, "link", "add", "r1", "type", "veth", "peer",
           "name", "s0", "netns", self.snk)
        sh("sysctl", "-qw", "net.ipv4.ip_forward=1",
           "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
           "net.ipv4.conf.r0.rp_filter=0", "net.ipv4.conf.r1.rp_filter=0",
           ns=self.rt)
        for ns, dev, addr in ((self.src, "g0", SRC + "/24"),
                              (self.rt, "r0", "192.0.2.1/24"),
                              (self.rt, "r1", "198.51.100.1/24"),
                              (self.snk, "s0", GW + "/24")):
            if not (dev == "g0" and self.kind == "inject"):
                sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
        # GRO on gives a veth NAPI, hence XDP_TX/redirect into it works
        # without a program on it. Set once the links are up: at open time
        # a veth with GRO requested did not enable NAPI here (6.18).
        for ns, dev in ((self.src, "g0"), (self.rt, "r0"), (self.rt, "r1"),
                        (self.snk, "s0")):
            sh("ethtool", "-K", dev, "gro", "on", ns=ns)
        self.g0, self.g0_mac = link_info(self.src, "g0")
        self.r0, self.r0_mac = link_info(self.rt, "r0")
        self.r1, self.r1_mac = link_info(self.rt, "r1")
        self.s0, self.s0_mac = link_info(self.snk, "s0")
        for gw in (GW, GW2):
            sh("ip", "-n", self.rt, "neigh", "replace", gw, "lladdr",
               self.s0_mac, "dev", "r1", "nud", "permanent")
        sh("ip", "-n", self.rt, "neigh", "replace", SRC, "lladdr",
           self.g0_mac, "dev", "r0", "nud", "permanent")
        if self.threaded:
            # the router's receive work in a kthread, free to run on the
            # other CPU than the generator
            for dev in ("r0", "r1"):
                sh("sh", "-c", f"echo 1 > /sys/class/net/{dev}/threaded",
                   ns=self.rt)
            if self.router_cpu >= 0:
                pinned = pin_napi_threads(("r0", "r1"), self.router_cpu)
                if not pinned:
                    raise RuntimeError("no NAPI thread of r0/r1 to pin")
                log(f"rig_pps: {', '.join(pinned)} on CPU {self.router_cpu}")

    def cleanup(self):
        for ns in reversed(self.made):
            sh("ip", "netns", "del", ns, quiet=True)
        self.made = []


# --------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------

def gen_routes(n, seed):
    """n distinct (addr, len) prefixes, host order, DFZ-like lengths."""
    rnd = random.Random(seed)
    lens, weights = zip(*LEN_MIX)
    seen = set()
    out = []
    bad = {0, 10, 127, 192, 198}  # as pkt_cost: clear of the link subnets
    while len(out) < n:
        ln = _pick(rnd, lens, weights)
        a = rnd.getrandbits(32) & ((0xffffffff << (32 - ln)) & 0xffffffff)
        o = a >> 24
        if o in bad or o >= 224:
            continue
        key = a << 8 | ln
        if key in seen:
            continue
        seen.add(key)
        out.append((a, ln))
    return out


def _pick(rnd, lens, weights):
    r = rnd.randrange(100000)
    for ln, w in zip(lens, weights):
        if r < w:
            return ln
        r -= w
    return 24


def load_routes(ns, routes, oif):
    """Batched RTM_NEWROUTE: ~1260 routes per sendmsg, errors collected."""
    with InNetns(ns):
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
                          socket.NETLINK_ROUTE)
    s.setsockopt(socket.SOL_SOCKET, 32, 8 << 20)  # SO_SNDBUFFORCE
    s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE
    msg = struct.Struct("=IHHII BBBBBBBBI HH4s HH4s HHI")
    flags = 0x1 | 0x400 | 0x200  # REQUEST | CREATE | EXCL
    gw = socket.inet_aton(GW)
    per = 65536 // msg.size
    buf = bytearray(per * msg.size)
    errors = []
    seq = 0
    for i in range(0, len(routes), per):
        part = routes[i:i + per]
        for j, (a, ln) in enumerate(part):
            seq += 1
            msg.pack_into(buf, j * msg.size, msg.size, 24, flags, seq, 0,
                          socket.AF_INET, ln, 0, 0, 254, 186, 0, 1, 0,
                          8, 1, struct.pack("!I", a), 8, 5, gw, 8, 4, oif)
        s.send(memoryview(buf)[:len(part) * msg.size])
        while True:
            try:
                data = s.recv(65536, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            off = 0
            while off + 20 <= len(data):
                ln_, typ = struct.unpack_from("=IH", data, off)
                if typ == 2:
                    err = struct.unpack_from("=i", data, off + 16)[0]
                    if err:
                        errors.append(-err)
                off += (ln_ + 3) & ~3
    s.close()
    if errors:
        raise RuntimeError(f"{len(errors)} routes refused, first: "
                           f"{os.strerror(errors[0])}")


def random_host(rnd, a, ln):
    return a | (rnd.getrandbits(32 - ln) if ln < 32 else 0)


# --------------------------------------------------------------------------
# Traffic
# --------------------------------------------------------------------------

def csum(b):
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(dst_mac, src_mac, dst):
    eth = bytes.fromhex(dst_mac.replace(":", "")) + \
        bytes.fromhex(src_mac.replace(":", "")) + b"\x08\x00"
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, FRAME_LEN - 14, 0, 0,
                               64, 17, 0, socket.inet_aton(SRC),
                               struct.pack("!I", dst)))
    struct.pack_into("!H", ip, 10, csum(bytes(ip)))
    udp = struct.pack("!HHHH", 9, 9, FRAME_LEN - 34, 0)
    return eth + bytes(ip) + udp + b"\xab" * (FRAME_LEN - 42)


class Generator:
    """gen.bpf.o in live-frames mode, in a thread inside netns ns, its
    frames received on ifindex: prog gen on g0 in the source netns (veth
    rig, XDP_TX towards r0), gen_inject on r0 in the router's (inject
    rig)."""

    REPEAT = 1 << 17

    def __init__(self, obj, prog, ns, ifindex, cpu):
        self.obj, self.ns, self.ifindex, self.cpu = obj, ns, ifindex, cpu
        self.fd = obj.prog_fd(prog)
        self.cfg_fd = obj.map_fd("gen_cfg")

    def configure(self, tmpl, ndst):
        hdr = tmpl[:42] + b"\0" * 6
        map_update(self.cfg_fd, struct.pack("=I", 0),
                   hdr + struct.pack("=II", ndst, 0))
        self.tmpl = ctypes.create_string_buffer(tmpl, len(tmpl))

    def start(self):
        self.stop_ev = threading.Event()
        self.sent = 0
        self.err = None
        self.th = threading.Thread(target=self._run, daemon=True)
        self.t0 = time.monotonic()
        self.th.start()

    def _run(self):
        if self.cpu >= 0:
            os.sched_setaffinity(0, {self.cpu})
        ctx = ctypes.create_string_buffer(
            struct.pack("=6I", 0, FRAME_LEN, 0, self.ifindex, 0, 0))
        o = TestRunOpts(sz=ctypes.sizeof(TestRunOpts),
                        data_in=ctypes.cast(self.tmpl, ctypes.c_void_p),
                        data_size_in=FRAME_LEN,
                        ctx_in=ctypes.cast(ctx, ctypes.c_void_p),
                        ctx_size_in=XDP_MD_SIZE, repeat=self.REPEAT,
                        flags=BPF_F_TEST_XDP_LIVE_FRAMES, batch_size=64)
        with InNetns(self.ns):
            while not self.stop_ev.is_set():
                if LIB.bpf_prog_test_run_opts(self.fd, ctypes.byref(o)):
                    self.err = errstr()
                    return
                self.sent += self.REPEAT

    def stop(self):
        self.stop_ev.set()
        self.th.join()
        elapsed = time.monotonic() - self.t0
        if self.err:
            raise RuntimeError(f"generator: {self.err}")
        return self.sent / elapsed


# --------------------------------------------------------------------------
# Modes
# --------------------------------------------------------------------------

def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


class MapCreateOpts(ctypes.Structure):
    """struct bpf_map_create_opts, up to the fields used (sz says so)."""
    _fields_ = [("sz", ctypes.c_size_t),
                ("btf_fd", ctypes.c_uint32),
                ("btf_key_type_id", ctypes.c_uint32),
                ("btf_value_type_id", ctypes.c_uint32),
                ("btf_vmlinux_value_type_id", ctypes.c_uint32),
                ("inner_map_fd", ctypes.c_uint32),
                ("map_flags", ctypes.c_uint32),
                ("map_extra", ctypes.c_uint64),
                ("numa_node", ctypes.c_uint32),
                ("map_ifindex", ctypes.c_uint32)]


BPF_MAP_TYPE_ARRAY = 2
BPF_F_MMAPABLE = 1 << 10
BPF_F_INNER_MAP = 1 << 12
TBL_GROUPS_INITIAL = 256  # FE_TBL_GROUPS_INITIAL
LPM_LINK = 0xff << 24


def lpm_entry(ln, value):
    """FE_LPM6_ENTRY: tag (prefix length + 1), value."""
    return (ln + 1) << 24 | value


def build_lpm4(fe, routes):
    """The routes into fe's IPv4 route table (16-8-8, bpf/fe_lpm6.h), all
    to group 1, laid out as lib/fe_lpm6 would: prefixes of /24 or shorter
    only (the mix has nothing longer), so one level of groups, one per
    /16 holding a longer prefix; shorter prefixes first so that longer
    ones win. The group array is made as the module makes it (mmapable
    inner map, sized by doubling from 256 groups) and put in the groups
    map's slot."""
    top = [0] * (1 << 16)
    groups = {}   # /16 -> 256 entries
    for a, ln in sorted(routes, key=lambda r: r[1]):
        if ln > 24:
            raise RuntimeError("build_lpm4: prefixes up to /24 only")
        if ln <= 16:
            n = 1 << (16 - ln)
            top[a >> 16:(a >> 16) + n] = [lpm_entry(ln, 1)] * n
            continue
        g = groups.get(a >> 16)
        if g is None:
            g = groups[a >> 16] = [top[a >> 16]] * 256
        n = 1 << (24 - ln)
        start = (a >> 8) & 0xff
        g[start:start + n] = [lpm_entry(ln, 1)] * n
    ngroups = TBL_GROUPS_INITIAL
    while ngroups < len(groups):
        ngroups *= 2
    opts = MapCreateOpts(sz=ctypes.sizeof(MapCreateOpts),
                         map_flags=BPF_F_MMAPABLE | BPF_F_INNER_MAP)
    gfd = LIB.bpf_map_create(BPF_MAP_TYPE_ARRAY, b"fe_lpm_grp", 4, 1024,
                             ngroups, ctypes.byref(opts))
    if gfd < 0:
        raise RuntimeError(f"group array: {errstr()}")
    try:
        gm = mmap.mmap(gfd, ngroups * 1024, mmap.MAP_SHARED,
                       mmap.PROT_READ | mmap.PROT_WRITE)
        gv = memoryview(gm).cast("I")
        # groups are written before the links that reach them
        for i, (t16, g) in enumerate(sorted(groups.items())):
            gv[i * 256:(i + 1) * 256] = array.array("I", g)
            top[t16] = LPM_LINK | i
        gv.release()
        gm.close()
        map_update(fe.map_fd("fe_l4_grp_v1"), struct.pack("=I", 0),
                   struct.pack("=I", gfd))
    finally:
        os.close(gfd)  # the groups map holds the array
    tm = mmap.mmap(fe.map_fd("fe_l4_top_v1"), (1 << 16) * 4,
                   mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    tv = memoryview(tm).cast("I")
    tv[:] = array.array("I", top)
    tv.release()
    tm.close()
    map_update(fe.map_fd("fe_l4_state_v1"), struct.pack("=I", 0),
               struct.pack("=I", 1))


def nhg_value(paths):
    """struct fe_nhg_val: count, stats_slot, total_weight, nh[256]."""
    # stats_slot 1: the mirror gives every group of <= 16 paths one
    v = struct.pack("=HHI", len(paths), 1, len(paths))
    for ifindex, gw in paths:
        v += struct.pack("=IBBH16s", ifindex, 2, 0, 1,
                         socket.inet_aton(gw) + b"\0" * 12)
    return v + b"\0" * (24 * (256 - len(paths)))


class Modes:
    def __init__(self, rig, fe, bare, routes, gen):
        self.rig, self.fe, self.bare = rig, fe, bare
        self.next_fd = gen.map_fd("gen_next")
        self.routes = routes
        self.links = []
        u32 = lambda v: struct.pack("=I", v)
        # A devmap value is an ifindex that the kernel resolves in the
        # netns of the process that writes it: write from the router's
        # netns, or the redirect goes to whatever device has that index
        # in the caller's namespace (the host's, from the root netns).
        with InNetns(rig.rt):
            for dev in (rig.r0, rig.r1):
                map_update(fe.map_fd("fe_txports_v1"), u32(dev), u32(dev))
                map_update(bare.map_fd("bare_txports"), u32(dev), u32(dev))
        map_update(bare.map_fd("bare_out"), u32(0), u32(rig.r1))
        self.direct_setup()
        for dev in (rig.r0, rig.r1):
            map_update(fe.map_fd("fe_ifstats_v1"), u32(dev),
                       b"\0" * ((fe.value_size("fe_ifstats_v1") + 7) // 8 * 8
                                * NCPU))

    def direct_setup(self):
        """What the module keeps for the direct path: the table, the
        neighbours, the interfaces, the local addresses."""
        rig, fe = self.rig, self.fe
        build_lpm4(fe, self.routes)
        for gw in (GW, GW2):
            map_update(fe.map_fd("fe_neigh_v1"),
                       struct.pack("=IB3x16s", rig.r1, socket.AF_INET,
                                   socket.inet_aton(gw) + b"\0" * 12),
                       mac_bytes(rig.s0_mac) + b"\0\0")
        slots = 1024  # FE_IFINFO_SLOTS
        for dev, mac in ((rig.r0, rig.r0_mac), (rig.r1, rig.r1_mac)):
            map_update(fe.map_fd("fe_ifinfo_v3"), struct.pack("=I", dev % slots),
                       struct.pack("=I6sBxI", dev, mac_bytes(mac), 1, 1500))
        # the router's addresses and their prefilter (fe_localmask_v2:
        # ready, pad, a bit per first and per last 16 address bits), as
        # ebpf_kstate.c
        lmask, lomask = bytearray(8192), bytearray(8192)
        for addr in ("192.0.2.1", "198.51.100.1"):
            a = socket.inet_aton(addr)
            map_update(fe.map_fd("fe_local4_v1"), a, b"\1")
            top, low = a[0] << 8 | a[1], a[2] << 8 | a[3]
            lmask[top >> 3] |= 1 << (top & 7)
            lomask[low >> 3] |= 1 << (low & 7)
        map_update(fe.map_fd("fe_localmask_v2"), struct.pack("=I", 0),
                   struct.pack("=II", 1, 0) + bytes(lmask) + bytes(lomask))
        # fe_full's policies: count, on the first routes' prefixes
        mask = bytearray(8192)
        for i, (a, ln) in enumerate(self.routes[:FULL_POLICIES]):
            map_update(fe.map_fd("fe_policy4_v1"),
                       struct.pack("=I4s", ln, struct.pack("!I", a)),
                       struct.pack("=IBBxxII16s16s", i, 3, 0, 0, 0, b"", b""))
            top = a >> 16
            for v in range(top & ~((1 << max(0, 16 - ln)) - 1),
                           (top | ((1 << max(0, 16 - ln)) - 1)) + 1):
                mask[v >> 3] |= 1 << (v & 7)
        map_update(fe.map_fd("fe_polmask_v2"), struct.pack("=I", 0),
                   bytes(mask))

    def configure(self, mode):
        """fe_config and group 1 for an fe mode."""
        full = mode == "fe_full"
        paths = [(self.rig.r1, GW)] + ([(self.rig.r1, GW2)] if full else [])
        map_update(self.fe.map_fd("fe_nhg_v1"), struct.pack("=I", 1),
                   nhg_value(paths))
        # ecmp_algo, hash_l4, npolicies, seed, direct4
        map_update(self.fe.map_fd("fe_config_v2"), struct.pack("=I", 0),
                   struct.pack("=BBHIB3x", 1 if full else 0, 1,
                               FULL_POLICIES if full else 0, 7,
                               mode in ("fe_direct", "fe_full")))

    def attach(self, mode):
        # inject rig: the generator tail-calls an XDP mode's program, and
        # falls through to the stack (kernel, fe_tc) with the slot empty
        slot = struct.pack("=I", 0)
        if LIB.bpf_map_delete_elem(self.next_fd, slot) and \
                ctypes.get_errno() != errno.ENOENT:
            raise RuntimeError(f"gen_next: clear: {errstr()}")
        if mode == "kernel":
            return
        if mode.startswith("fe_"):
            self.configure(mode)
        prog = "fe_tc" if mode == "fe_tc" else \
            "fe_xdp" if mode.startswith("fe_") else \
            "bare_redirect" if mode == "null" else "bare_fwd"
        obj = self.fe if mode.startswith("fe_") else self.bare
        fd, typ = obj.prog_fd(prog), \
            BPF_TCX_INGRESS if mode == "fe_tc" else BPF_XDP
        with InNetns(self.rig.rt):
            for dev in (self.rig.r0, self.rig.r1):
                link = LIB.bpf_link_create(fd, dev, typ, None)
                if link < 0:
                    raise RuntimeError(f"attach {mode} to {dev}: {errstr()}")
                self.links.append(link)
        if self.rig.kind == "inject" and typ == BPF_XDP:
            try:
                map_update(self.next_fd, slot, struct.pack("=I", fd))
            except RuntimeError as e:
                raise RuntimeError(f"gen_next: tail call into {prog} "
                                   f"refused: {e}") from None

    def detach(self):
        LIB.bpf_map_delete_elem(self.next_fd, struct.pack("=I", 0))
        for link in self.links:
            os.close(link)
        self.links = []

    def fe_stats(self):
        """r0's (rx, fwd, pass, drop) as fe counts them."""
        v = percpu_u64s(self.fe.map_fd("fe_ifstats_v1"),
                        struct.pack("=I", self.rig.r0),
                        self.fe.value_size("fe_ifstats_v1"))
        return v[0], v[2], sum(v[4:])


def router_ns(res, pat, mode):
    """ns a packet that mode costs beyond the null router, or None."""
    if (pat, "null") not in res or (pat, mode) not in res or mode == "null":
        return None
    return 1e3 / statistics.median(res[(pat, mode)]) - \
        1e3 / statistics.median(res[(pat, "null")])


def ip_forwarded(ns):
    """The kernel's Ip ForwDatagrams in netns ns."""
    with InNetns(ns):
        with open("/proc/thread-self/net/snmp") as f:
            lines = [ln.split() for ln in f if ln.startswith("Ip:")]
    return int(lines[1][lines[0].index("ForwDatagrams")])


def sink_count(sink):
    return percpu_u64s(sink.map_fd("sink_cnt"), struct.pack("=I", 0), 16)[0]


# --------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--routes", type=int, default=100000,
                    help="routes in the router (default 100000)")
    ap.add_argument("--modes",
                    default="kernel,fe_xdp,fe_direct,fe_full,fe_tc,bare,null")
    ap.add_argument("--patterns", default="one,random",
                    help="one: a single destination; random: one of N")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--duration", type=float, default=3.0,
                    help="seconds counted per run (default 3)")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gen-cpu", type=int, default=0,
                    help="pin the generator to this CPU (-1: no pinning)")
    ap.add_argument("--rig", choices=("inject", "veth"), default="veth",
                    help="veth (default): the generator XDP_TXes out of g0 "
                    "in a source netns into r0, whose NAPI receives it as a "
                    "NIC's would; inject: the generator runs in the router's "
                    "netns on r0, tail-calls the XDP mode's program or passes "
                    "the frame to the stack (no receive path: skbs built in "
                    "batches, no GRO)")
    ap.add_argument("--threaded", action="store_true",
                    help="threaded NAPI on r0/r1: the router's receive "
                    "work in kthreads rather than in the generator's softirq "
                    "(--rig veth only)")
    ap.add_argument("--router-cpu", type=int, default=-1,
                    help="threaded NAPI on r0/r1, its kthreads pinned to "
                    "this CPU (the router apart from the generator; "
                    "--rig veth only)")
    ap.add_argument("--objdir", default=os.path.dirname(HERE),
                    help="build tree with bench/*.bpf.o and bpf/fe_fwd.bpf.o")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    modes = args.modes.split(",")
    patterns = args.patterns.split(",")
    if os.geteuid() != 0:
        sys.exit("rig_pps: needs root (namespaces, BPF)")
    if args.rig == "inject" and (args.threaded or args.router_cpu >= 0):
        sys.exit("rig_pps: --threaded/--router-cpu: with --rig veth only "
                 "(no NAPI between generator and router in the inject rig)")
    obj = lambda p: os.path.join(args.objdir, p)

    t_start = time.monotonic()
    rig = Rig(args.rig, args.threaded, args.router_cpu)
    loaded = []

    def on_signal(signum, _):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    modes_obj = None
    generator = None
    sink_link = -1
    try:
        rig.setup()
        t = time.monotonic()
        routes = gen_routes(args.routes, args.seed)
        t_gen = time.monotonic() - t
        t = time.monotonic()
        load_routes(rig.rt, routes, rig.r1)
        log(f"rig_pps: rig {rig.kind}; "
            f"{len(routes)} routes generated in {t_gen:.1f} s, "
            f"loaded by netlink in {time.monotonic() - t:.1f} s; "
            f"{args.reps} reps x {args.duration:g} s (+{args.warmup:g} s "
            f"warm-up); generator cpu {args.gen_cpu}; "
            f"{'threaded' if rig.threaded else 'softirq'} NAPI"
            f"{f' on CPU {args.router_cpu}' if args.router_cpu >= 0 else ''}; "
            f"{NCPU} CPUs")

        rnd = random.Random(args.seed + 1)
        dsts = [random_host(rnd, a, ln) for a, ln in routes]
        rnd.shuffle(dsts)
        gen = BpfObj(obj("bench/gen.bpf.o"), {"gen_dsts": len(dsts)})
        loaded.append(gen)
        keys = (ctypes.c_uint32 * len(dsts))(*range(len(dsts)))
        vals = array.array("I", (socket.htonl(d) for d in dsts))
        vbuf = (ctypes.c_uint32 * len(dsts)).from_buffer(vals)
        cnt = ctypes.c_uint32(len(dsts))
        if LIB.bpf_map_update_batch(gen.map_fd("gen_dsts"), keys, vbuf,
                                    ctypes.byref(cnt), None):
            raise RuntimeError(f"gen_dsts: {errstr()}")
        sink = BpfObj(obj("bench/sink.bpf.o"))
        loaded.append(sink)
        fe = BpfObj(obj("bpf/fe_fwd.bpf.o"))
        loaded.append(fe)
        bare = BpfObj(obj("bench/bare_fwd.bpf.o"))
        loaded.append(bare)
        with InNetns(rig.snk):
            sink_link = LIB.bpf_link_create(sink.prog_fd("sink"), rig.s0,
                                            BPF_XDP, None)
        if sink_link < 0:
            raise RuntimeError(f"attach sink: {errstr()}")
        modes_obj = Modes(rig, fe, bare, routes, gen)
        if rig.kind == "inject":
            generator = Generator(gen, "gen_inject", rig.rt, rig.r0,
                                  args.gen_cpu)
        else:
            generator = Generator(gen, "gen", rig.src, rig.g0, args.gen_cpu)

        res = {}   # (pattern, mode) -> [Mpps]
        offered = {}
        fast = {}
        reached = {}   # fe rx on r0 / frames generated
        kfwd = {}      # kernel ForwDatagrams / frames generated
        for pat in patterns:
            one = dsts[0]
            tmpl = frame(rig.r0_mac, rig.g0_mac, one)
            generator.configure(tmpl, 0 if pat == "one" else len(dsts))
            for k in range(args.reps):
                for j in range(len(modes)):
                    mode = modes[(j + k) % len(modes)]
                    modes_obj.attach(mode)
                    st0 = modes_obj.fe_stats()
                    kf0 = ip_forwarded(rig.rt)
                    generator.start()
                    time.sleep(args.warmup)
                    c0, t0 = sink_count(sink), time.monotonic()
                    time.sleep(args.duration)
                    c1, t1 = sink_count(sink), time.monotonic()
                    off = generator.stop()
                    modes_obj.detach()
                    st1 = modes_obj.fe_stats()
                    kf = (ip_forwarded(rig.rt) - kf0) / generator.sent
                    mpps = (c1 - c0) / (t1 - t0) / 1e6
                    res.setdefault((pat, mode), []).append(mpps)
                    offered.setdefault((pat, mode), []).append(off / 1e6)
                    kfwd.setdefault((pat, mode), []).append(kf)
                    extra = f"; kernel forwarded {100 * kf:.1f} %"
                    if mode.startswith("fe_"):
                        rx = st1[0] - st0[0]
                        fast.setdefault((pat, mode), []).append(
                            (st1[1] - st0[1]) / rx if rx else 0.0)
                        reached.setdefault((pat, mode), []).append(
                            rx / generator.sent)
                        extra += (f"; fe rx on r0 {100 * rx / generator.sent:.1f}"
                                  f" % of generated, forwarded "
                                  f"{100 * fast[(pat, mode)][-1]:.1f} %")
                    log(f"  {pat:6s} rep {k + 1} {mode:9s} {mpps:6.3f} Mpps "
                        f"(generator {off / 1e6:.3f} Mpps{extra})")

        log(f"\n== rig_pps ({rig.kind} rig): {len(routes)} routes; "
            f"Mpps at the sink, median "
            f"of {args.reps} x {args.duration:g} s; ratio to kernel ==")
        log("  router ns: ns a packet beyond the null router's (generator,"
            f" {'veth r1-s0' if rig.kind == 'inject' else 'veths'}, sink:\n"
            "  all on one CPU); x kernel there: the routers alone compared")
        log(f"  {'pattern':8s} {'mode':9s} {'median':>7s} {'min':>7s} "
            f"{'max':>7s} {'x kernel':>8s} {'offered':>8s} {'fast path':>9s} "
            f"{'router ns':>9s} {'x kernel':>8s}")
        for pat in patterns:
            base = statistics.median(res[(pat, "kernel")]) \
                if (pat, "kernel") in res else None
            for mode in modes:
                v = res[(pat, mode)]
                med = statistics.median(v)
                ratio = f"{med / base:8.2f}" if base else f"{'-':>8s}"
                fp = f"{100 * statistics.median(fast[(pat, mode)]):8.1f}%" \
                    if (pat, mode) in fast else f"{'-':>9s}"
                rns = router_ns(res, pat, mode)
                rk = router_ns(res, pat, "kernel")
                rcol = f"{rns:9.0f}" if rns is not None else f"{'-':>9s}"
                rrat = f"{rk / rns:8.2f}" if rns and rk else f"{'-':>8s}"
                log(f"  {pat:8s} {mode:9s} {med:7.3f} {min(v):7.3f} "
                    f"{max(v):7.3f} {ratio} "
                    f"{statistics.median(offered[(pat, mode)]):8.3f} {fp} "
                    f"{rcol} {rrat}")
        # what went where: the kernel forwards in kernel mode only; every
        # generated frame reaches fe in the inject rig's fe modes
        log("  checks (median over reps): kernel forwarded = Ip "
            "ForwDatagrams / frames generated;\n  fe rx = fe's rx on r0 / "
            "frames generated")
        warn = []
        for pat in patterns:
            for mode in modes:
                kf = statistics.median(kfwd[(pat, mode)])
                line = f"    {pat:8s} {mode:9s} kernel forwarded " \
                    f"{100 * kf:5.1f} %"
                if (pat, mode) in reached:
                    rr = statistics.median(reached[(pat, mode)])
                    line += f"  fe rx {100 * rr:5.1f} %"
                    if rig.kind == "inject" and mode != "fe_tc" and \
                            min(reached[(pat, mode)]) < 0.99:
                        warn.append(f"{pat} {mode}: fe saw only "
                                    f"{100 * min(reached[(pat, mode)]):.1f} %"
                                    " of the frames")
                log(line)
                if mode != "kernel" and max(kfwd[(pat, mode)]) > 0.01:
                    warn.append(f"{pat} {mode}: the kernel forwarded "
                                f"{100 * max(kfwd[(pat, mode)]):.1f} % of "
                                "the frames (no tail call?)")
                if mode == "kernel" and min(kfwd[(pat, mode)]) < 0.99:
                    warn.append(f"{pat} kernel: the kernel forwarded only "
                                f"{100 * min(kfwd[(pat, mode)]):.1f} %")
        for w in warn:
            log(f"  WARNING: {w}")
        total = time.monotonic() - t_start
        log(f"total runtime {total:.0f} s")
        if args.json:
            out = {"benchmark": "rig_pps",
                   "config": {"rig": rig.kind,
                              "routes": len(routes), "modes": modes,
                              "patterns": patterns, "reps": args.reps,
                              "duration": args.duration,
                              "warmup": args.warmup, "seed": args.seed,
                              "gen_cpu": args.gen_cpu,
                              "threaded_napi": rig.threaded,
                              "router_cpu": args.router_cpu,
                              "frame_bytes": FRAME_LEN, "cpus": NCPU},
                   "results": [], "total_seconds": round(total, 1)}
            for pat in patterns:
                base = statistics.median(res[(pat, "kernel")]) \
                    if (pat, "kernel") in res else None
                for mode in modes:
                    v = res[(pat, mode)]
                    r = {"pattern": pat, "mode": mode, "mpps": v,
                         "median_mpps": statistics.median(v),
                         "offered_mpps": offered[(pat, mode)]}
                    if base:
                        r["ratio_to_kernel"] = statistics.median(v) / base
                    if (pat, mode) in fast:
                        r["fast_path_share"] = statistics.median(
                            fast[(pat, mode)])
                    if router_ns(res, pat, mode) is not None:
                        r["router_ns"] = router_ns(res, pat, mode)
                    r["kernel_forwarded_share"] = kfwd[(pat, mode)]
                    if (pat, mode) in reached:
                        r["fe_rx_share"] = reached[(pat, mode)]
                    out["results"].append(r)
            out["warnings"] = warn
            with open(args.json, "w") as f:
                json.dump(out, f, indent=1)
    finally:
        if generator and getattr(generator, "th", None):
            generator.stop_ev.set()
            generator.th.join(10)
        if modes_obj:
            modes_obj.detach()
        if sink_link >= 0:
            os.close(sink_link)
        for o in loaded:
            o.close()
        rig.cleanup()


if __name__ == "__main__":
    main()
