#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Application throughput through a router running zebra -M ebpf, in each
forwarding mode: plain kernel, xdp, xdp-generic, tc.

A benchmark, not a test: it prints figures and ratios to plain kernel
forwarding measured in the same run. Needs root and iperf3.

The rig is the fast-path tests' (tests/integration/frrlab.py,
fastpath_rig), named fe-bt-*:

    h1 198.51.100.10 2001:db8:10::10 -- r-in | r | r-out -- h2 192.0.2.2 2001:db8:20::2

The hosts keep a veth's default offloads (GRO off, TSO and transmit
checksum offload on), or with --gro have GRO on (a veth with GRO has
NAPI, which native XDP needs to redirect into it).

Per mode: iperf3 TCP (-P 4 -t DURATION) over IPv4 and IPv6, and iperf3
UDP (-u -b 0 -l 64 -t DURATION, IPv4 and IPv6): packets per second h2
received, and the loss. The fast path's counters are cleared before each
mode and shown after it (r-in and r-out together): forwarded, and the
packets handed to the kernel by reason.
"""
import argparse
import json
import shutil
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(TOP, "tests", "integration"))
import frrlab  # noqa: E402

MODES = ("kernel", "xdp", "xdp-generic", "tc")
DST = {4: "192.0.2.2", 6: "2001:db8:20::2"}


fp_config = frrlab.fast_path_mode  # attach MODE on r's ports, None: detach


def listening(ns, port):
    out = frrlab.sh(["ip", "netns", "exec", ns, "ss", "-Hltn",
                     f"sport = :{port}"], check=False)
    return bool(out.strip())


def iperf(lab, args, port, duration):
    """Run an iperf3 client in h1 against a one-off server in h2; the
    client's JSON report (or {"error": ...})."""
    srv = subprocess.Popen(["ip", "netns", "exec", lab.h2, "iperf3", "-s",
                            "-1", "-p", str(port)],
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        if not frrlab.wait_for(lambda: listening(lab.h2, port), timeout=10,
                               interval=0.05):
            return {"error": "iperf3 server did not start"}
        try:
            cli = subprocess.run(
                ["ip", "netns", "exec", lab.h1, "iperf3", "-c"] + args +
                ["-p", str(port), "-t", str(duration), "-J",
                 "--connect-timeout", "3000"],
                capture_output=True, text=True, timeout=duration + 30)
        except subprocess.TimeoutExpired:
            return {"error": "iperf3 client timed out"}
        try:
            js = json.loads(cli.stdout)
        except ValueError:
            return {"error": f"iperf3: {cli.stderr.strip()[-300:]}"}
        if js.get("error"):
            return {"error": js["error"]}
        return js
    finally:
        if srv.poll() is None:
            srv.kill()
        srv.wait()


def tcp(lab, fam, port, duration, streams):
    js = iperf(lab, [DST[fam], "-P", str(streams)], port, duration)
    if "error" in js:
        return {"error": js["error"]}
    return {"gbps": js["end"]["sum_received"]["bits_per_second"] / 1e9}


def udp(lab, fam, port, duration):
    js = iperf(lab, [DST[fam], "-u", "-b", "0", "-l", "64"], port, duration)
    if "error" in js:
        return {"error": js["error"]}
    r = js["end"]["sum_received"]
    got = r["packets"] - r["lost_packets"]
    return {"kpps": got / r["seconds"] / 1e3,
            "loss": r["lost_packets"] / r["packets"] if r["packets"] else 1.0}


def counters(z):
    tot = {"rx": 0, "fwd": 0, "toKernel": {}, "dropped": {}}
    for e in z.vty.json("show ebpf counters json")["interfaces"]:
        if e["name"] not in ("r-in", "r-out"):
            continue
        tot["rx"] += e["rxPackets"]
        tot["fwd"] += e["forwardedPackets"]
        for k in ("toKernel", "dropped"):
            for r, v in e[k].items():
                if v:
                    tot[k][r] = tot[k].get(r, 0) + v
    return tot


def run_mode(lab, mode, a):
    res = {"mode": mode}
    fp_config(lab.z, None)
    try:
        if mode != "kernel":
            fp_config(lab.z, mode)
        for dst in DST.values():
            subprocess.run(["ip", "netns", "exec", lab.h1, "ping", "-c", "2",
                            "-i", "0.2", "-W", "1", dst], capture_output=True)
        if mode != "kernel":
            lab.z.vty.cmd("clear ebpf counters")
        port = 5301
        for fam in a.families:
            res[f"tcp{fam}"] = tcp(lab, fam, port, a.duration, a.streams)
            res[f"udp{fam}"] = udp(lab, fam, port + 1, a.duration)
            port += 2
        if mode != "kernel":
            time.sleep(0.3)
            res["counters"] = counters(lab.z)
    finally:
        fp_config(lab.z, None)
    return res


def fmt_ratio(v, base):
    return f"{v / base:5.2f}" if base else "    -"


def table(results, families):
    base = results[0]
    head = f"{'mode':<12}"
    for fam in families:
        head += f" {'TCP' + str(fam) + ' Gb/s':>11} {'ratio':>5}"
    for fam in families:
        head += f" {'UDP' + str(fam) + ' kpps':>11} {'loss':>6} {'ratio':>5}"
    lines = [head, "-" * len(head)]
    notes = []
    for r in results:
        line = f"{r['mode']:<12}"
        for fam in families:
            t, bt = r[f"tcp{fam}"], base[f"tcp{fam}"]
            if "error" in t:
                line += f" {'error':>11} {'':>5}"
                notes.append(f"{r['mode']} TCP IPv{fam}: {t['error']}")
            else:
                line += f" {t['gbps']:11.2f} " + fmt_ratio(
                    t["gbps"], bt.get("gbps"))
        for fam in families:
            u, bu = r[f"udp{fam}"], base[f"udp{fam}"]
            if "error" in u:
                line += f" {'error':>11} {'':>6} {'':>5}"
                notes.append(f"{r['mode']} UDP IPv{fam}: {u['error']}")
            else:
                line += f" {u['kpps']:11.1f} {u['loss']:6.1%} " + fmt_ratio(
                    u["kpps"], bu.get("kpps"))
        lines.append(line)
    lines.append("")
    lines.append("fast-path counters (r-in + r-out), per mode:")
    for r in results:
        c = r.get("counters")
        if not c:
            continue
        tk = sum(c["toKernel"].values())
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(
            c["toKernel"].items(), key=lambda kv: -kv[1]))
        dr = ", ".join(f"{k} {v}" for k, v in c["dropped"].items())
        lines.append(f"  {r['mode']:<12} rx {c['rx']}, forwarded {c['fwd']}"
                     f" ({c['fwd'] / c['rx']:.1%}), toKernel {tk}"
                     + (f" [{reasons}]" if reasons else "")
                     + (f", dropped [{dr}]" if dr else ""))
    return "\n".join(lines + ([""] + notes if notes else []))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gro", action="store_true",
                    help="GRO on at the hosts (default: off, a veth's "
                    "default)")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--streams", type=int, default=4)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--families", default="4,6")
    ap.add_argument("--module", help="zebra_ebpf.so (default: the build's)")
    ap.add_argument("--json", help="write the results here")
    a = ap.parse_args()
    a.families = [int(f) for f in a.families.split(",")]
    modes = a.modes.split(",")
    if modes[0] != "kernel":
        modes.insert(0, "kernel")  # the baseline
    if a.module:
        os.environ["FE_MODULE"] = os.path.abspath(a.module)
    why = frrlab.why_cannot_run()
    if why:
        sys.exit(f"cannot run: {why}")
    if not shutil.which("iperf3"):
        sys.exit("cannot run: iperf3 is not installed")

    lab = frrlab.Lab("fe-bt")
    try:
        lab.fastpath_rig(host_gro=a.gro)
        lab.pin = lab.pin_path("bt")
        lab.z = lab.zebra(lab.r, f"ebpf pin-path {lab.pin}\n",
                          module=a.module and os.path.abspath(a.module))
        results = []
        for mode in modes:
            print(f"# {mode} ...", file=sys.stderr, flush=True)
            results.append(run_mode(lab, mode, a))
    finally:
        lab.close()

    print(f"hosts: GRO {'on' if a.gro else 'off (veth default)'}; iperf3 TCP "
          f"-P {a.streams} -t {a.duration}; UDP -u -b 0 -l 64 -t "
          f"{a.duration}; module {frrlab.find_module()}")
    print(table(results, a.families))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"gro": a.gro, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
