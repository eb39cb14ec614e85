# SPDX-License-Identifier: GPL-2.0-or-later
"""Real applications through the router, in each forwarding mode.

    h1 198.51.100.10 2001:db8:10::10 -- r-in | r | r-out -- h2 192.0.2.2 2001:db8:20::2

r runs zebra -M ebpf. The hosts keep a veth's default offloads (GRO off,
transmit checksum offload on: their TCP/UDP leaves with a partial
checksum). For each mode (plain kernel, xdp, xdp-generic, tc) and each
family, socket programs (traffic.py) in h1 and h2 check:

  - TCP bulk: 32 MB of pseudo-random bytes, sha256 and length equal at
    both ends;
  - 200 short TCP connections, each echoing 1 KB back intact;
  - UDP at 2000 datagrams/s: every datagram received is intact, and no
    more are lost than plain Linux lost (+1 %).

h1's and h2's TCP/UDP checksum-error counters must not grow, and the fast
path's counters must account for every packet it received.
"""
import os
import select
import subprocess
import time

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

TRAFFIC = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "traffic.py")
PY = "/usr/bin/python3"
MODES = ("kernel", "xdp", "xdp-generic", "tc")
FAMILIES = {4: ("198.51.100.10", "192.0.2.2"),
            6: ("2001:db8:10::10", "2001:db8:20::2")}

BULK_BYTES = 32 << 20
SHORT_CONNS = 200
SHORT_SIZE = 1024
UDP_COUNT = 2000
UDP_SIZE = 1000
UDP_RATE = 2000
UDP_LOSS_TOLERANCE = 0.01
CSUM_COUNTERS = ("UdpInCsumErrors", "Udp6InCsumErrors", "TcpInCsumErrors")

# plain Linux's UDP loss by family, the yardstick of the fast-path modes
BASELINE = {}


@pytest.fixture(scope="module")
def lab():
    lab = frrlab.Lab("fe-tr")
    try:
        lab.fastpath_rig(host_gro=False)  # a veth's defaults
        lab.pin = lab.pin_path("tr")
        lab.z = lab.zebra(lab.r, f"ebpf pin-path {lab.pin}\n")
        yield lab
    finally:
        lab.close()


fp_config = frrlab.fast_path_mode  # attach MODE on r's ports, None: detach


def counters(z):
    return frrlab.keyed(z.vty.json("show ebpf counters json")["interfaces"])


def csum_errors(ns):
    out = frrlab.sh(["ip", "netns", "exec", ns, "nstat", "-asz"]
                    + list(CSUM_COUNTERS))
    vals = {k: 0 for k in CSUM_COUNTERS}
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] in vals:
            vals[f[0]] = int(f[1])
    return vals


def warm_up(lab):
    for dst in ("192.0.2.2", "2001:db8:20::2"):
        subprocess.run(["ip", "netns", "exec", lab.h1, "ping", "-c", "2",
                        "-i", "0.2", "-W", "1", dst], capture_output=True)


def app(ns, *args):
    return ["ip", "netns", "exec", ns, PY, TRAFFIC] + [str(a) for a in args]


def parse(stdout):
    import json
    lines = [x for x in stdout.splitlines() if x.strip()]
    return json.loads(lines[-1]) if lines else None


def client_server(server, client, timeout, grace=3):
    """Start the server, wait for READY, run the client (at most timeout
    seconds), give the server grace seconds more; both results. A program
    that produced no result gives {"error": ...}."""
    srv = subprocess.Popen(server, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        r, _, _ = select.select([srv.stderr], [], [], 10)
        ready = srv.stderr.readline().strip() if r else ""
        if ready != "READY":
            srv.kill()
            _, err = srv.communicate(timeout=5)
            raise RuntimeError(f"server did not start: {ready} {err}")
        try:
            cli = subprocess.run(client, capture_output=True, text=True,
                                 timeout=timeout)
            cres = parse(cli.stdout) or {
                "error": f"client exit {cli.returncode}: {cli.stderr[-500:]}"}
        except subprocess.TimeoutExpired:
            cres = {"error": f"client still running after {timeout} s"}
        try:
            sout, serr = srv.communicate(timeout=grace)
            sres = parse(sout) or {
                "error": f"server exit {srv.returncode}: {serr[-500:]}"}
        except subprocess.TimeoutExpired:
            sres = {"error": "server still waiting (killed)"}
        return sres, cres
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()


def tcp_bulk(lab, fam, port):
    src, dst = FAMILIES[fam]
    srv, cli = client_server(app(lab.h2, "bulk-server", dst, port, 15),
                             app(lab.h1, "bulk-client", dst, port,
                                 BULK_BYTES, 1000 + fam), 40)
    what = f"IPv{fam} TCP bulk {BULK_BYTES >> 20} MB"
    if cli.get("error"):
        return [f"{what}: client: {cli['error']} (server: {srv})"]
    want = f"{cli['bytes']} {cli['sha256']}"
    if cli.get("server") != want or srv.get("sha256") != cli["sha256"]:
        return [f"{what}: sent {want}, server got {srv.get('bytes')} "
                f"{srv.get('sha256')} ({srv.get('error')})"]
    print(f"  {what}: ok in {cli['seconds']} s")
    return []


def tcp_short(lab, fam, port):
    src, dst = FAMILIES[fam]
    srv, cli = client_server(
        app(lab.h2, "echo-server", dst, port, SHORT_CONNS, 40),
        app(lab.h1, "echo-client", dst, port, SHORT_CONNS, SHORT_SIZE), 45)
    what = f"IPv{fam} {SHORT_CONNS} short TCP connections"
    if cli.get("error"):
        return [f"{what}: client: {cli['error']}"]
    if cli["ok"] != SHORT_CONNS:
        return [f"{what}: {cli['ok']} of {SHORT_CONNS} echoed intact "
                f"(gave up after {cli['attempted']}); first failures: "
                f"{cli['failures']}; server served {srv.get('served')} "
                f"{srv.get('errors') or ''}"]
    print(f"  {what}: ok in {cli['seconds']} s")
    return []


def udp_rate(lab, fam, port):
    """(loss, problems)."""
    src, dst = FAMILIES[fam]
    srv, cli = client_server(
        app(lab.h2, "udp-server", dst, port, UDP_COUNT,
            UDP_COUNT / UDP_RATE + 4),
        app(lab.h1, "udp-client", dst, port, UDP_COUNT, UDP_SIZE, UDP_RATE),
        UDP_COUNT / UDP_RATE + 10, grace=6)
    what = f"IPv{fam} UDP {UDP_COUNT} x {UDP_SIZE} B at {UDP_RATE}/s"
    if cli.get("error") or srv.get("error"):
        return 1.0, [f"{what}: client {cli} server {srv}"]
    loss = 1 - srv["unique"] / UDP_COUNT
    print(f"  {what}: sent {cli['sent']} in {cli['seconds']} s, received "
          f"{srv['received']}, intact {srv['intact']}, corrupted "
          f"{srv['corrupted']}, duplicates {srv['duplicates']}, "
          f"loss {loss:.2%}")
    problems = []
    if srv["corrupted"]:
        problems.append(f"{what}: {srv['corrupted']} corrupted datagrams")
    return loss, problems


def summary(c, dev):
    s = c.get(dev)
    if not s:
        return f"{dev}: no counters"
    tk = {k: v for k, v in s["toKernel"].items() if v}
    dr = {k: v for k, v in s["dropped"].items() if v}
    return (f"{dev}: rx {s['rxPackets']}, forwarded {s['forwardedPackets']}, "
            f"toKernel {sum(s['toKernel'].values())} {tk or '{}'}, "
            f"dropped {sum(s['dropped'].values())} {dr or '{}'}")


def families_run(lab, base_port):
    """Every check in both families: (problems, UDP loss by family)."""
    problems, losses = [], {}
    for fam in (4, 6):
        port = base_port + 10 * fam
        problems += tcp_bulk(lab, fam, port)
        problems += tcp_short(lab, fam, port + 1)
        losses[fam], p = udp_rate(lab, fam, port + 2)
        problems += p
    return problems, losses


@pytest.mark.parametrize("mode", MODES)
def test_applications_through_the_router(lab, mode):
    z = lab.z
    base_port = 5000 + 100 * MODES.index(mode)
    fp_config(z, None)
    if mode != "kernel" and not BASELINE:
        # plain Linux's UDP loss first, when this mode runs on its own
        warm_up(lab)
        for fam in (4, 6):
            BASELINE[fam], _ = udp_rate(lab, fam, 5900 + fam)
    try:
        if mode != "kernel":
            fp_config(z, mode)
            shown = frrlab.keyed(
                z.vty.json("show ebpf interfaces json")["interfaces"])
            # native XDP on a veth guards against partial checksums, and
            # a veth whose peer (a host, GRO off) has no NAPI takes no
            # XDP redirects; xdp-generic and tc need neither
            assert shown["r-in"]["checksumGuard"] == (mode == "xdp"), shown
            if mode == "xdp":
                assert shown["r-out"]["xdpRedirectTarget"] is False, shown
            elif mode == "xdp-generic":
                assert shown["r-out"]["xdpRedirectTarget"] is True, shown
        warm_up(lab)
        if mode != "kernel":
            z.vty.cmd("clear ebpf counters")
        before = {h: csum_errors(getattr(lab, h)) for h in ("h1", "h2")}
        print(f"\n[{mode}]")
        problems, losses = families_run(lab, base_port)
        after = {h: csum_errors(getattr(lab, h)) for h in ("h1", "h2")}
        c = {}
        if mode != "kernel":
            time.sleep(0.3)
            c = counters(z)
    finally:
        fp_config(z, None)

    if mode == "kernel":
        BASELINE.update(losses)
    else:
        for fam, loss in losses.items():
            base = BASELINE.get(fam, 0.0)
            if loss > base + UDP_LOSS_TOLERANCE:
                problems.append(f"IPv{fam} UDP loss {loss:.2%} > plain "
                                f"Linux's {base:.2%} + "
                                f"{UDP_LOSS_TOLERANCE:.0%}")
    for h in ("h1", "h2"):
        grown = {k: after[h][k] - before[h][k] for k in CSUM_COUNTERS
                 if after[h][k] != before[h][k]}
        if grown:
            problems.append(f"{h}: checksum errors grew {grown}")

    report = ""
    if mode != "kernel":
        report = "\n  ".join(summary(c, d) for d in ("r-in", "r-out"))
        print("  counters:\n  " + report)
        rin = c.get("r-in")
        if not rin or rin["rxPackets"] == 0:
            problems.append("r-in: the fast path received nothing")
        for dev in ("r-in", "r-out"):
            s = c.get(dev)
            if not s:
                continue
            acct = (s["forwardedPackets"] + sum(s["toKernel"].values())
                    + sum(s["dropped"].values()))
            if acct != s["rxPackets"]:
                problems.append(f"{dev}: forwarded + toKernel + dropped = "
                                f"{acct} != rxPackets {s['rxPackets']}")
        if mode in ("xdp-generic", "tc") and rin and \
                rin["forwardedPackets"] == 0:
            problems.append("r-in: the fast path forwarded nothing")

    assert not problems, (f"mode {mode}:\n  " + "\n  ".join(problems)
                          + (f"\n counters:\n  {report}" if report else ""))


def test_redirect_targets_follow_the_hosts(lab):
    """Native XDP: a port whose veth peer (the host) turns GRO on can take
    XDP redirects from then on, and not once it turns GRO off again; the
    module follows the kernel's XDP feature notifications at once, not at
    its 5 s tick."""
    z = lab.z

    def target():
        return frrlab.keyed(z.vty.json("show ebpf interfaces json")
                            ["interfaces"])["r-out"]["xdpRedirectTarget"]

    def gro(state):
        frrlab.sh(["ip", "netns", "exec", lab.h2, "ethtool", "-K",
                   "h2-eth0", "gro", state])

    fp_config(z, "xdp")
    try:
        assert target() is False
        gro("on")
        assert frrlab.wait_for(target, timeout=1.5, interval=0.1), \
            "r-out did not become a redirect target"
        # and the fast path now forwards out of it
        z.vty.cmd("clear ebpf counters")
        warm_up(lab)
        rin = counters(z)["r-in"]
        assert rin["forwardedPackets"] >= 1, rin
        gro("off")
        assert frrlab.wait_for(lambda: target() is False, timeout=1.5,
                               interval=0.1), "r-out still a target"
    finally:
        gro("off")
        fp_config(z, None)
