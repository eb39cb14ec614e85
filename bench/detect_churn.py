#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Detection under churn: zebra's CPU while routes are added and deleted
at a fixed rate (default 12,000 changes/s), with flap and hijack detection
on and off, in the same run (ABBA pairs, a fresh namespace each run).

The churn comes from the kernel: `ip -batch` adds and deletes /24 routes
(proto 99) in the router's namespace, zebra learns each as a kernel route,
selects it, mirrors it and (detection on) evaluates it. Both variants load
the module, so the difference is the cost of detection alone.

  sudo bench/detect_churn.py [--prefixes 100000] [--rate 12000]
       [--duration 20] [--runs 2] [--module PATH] [--json FILE]
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bgp_convergence as bc  # noqa: E402  (process helpers, report)
from bgp_convergence import frrlab  # noqa: E402

DETECT_CONF = [
    "ebpf flap-detection",
    # Protections over part of the churned space: every change under them
    # is looked up and evaluated (origin unknown: kernel routes).
    "ebpf hijack protect 10.0.0.0/10 origin-as 64500 max-length 24 mitigate",
    "ebpf hijack protect 10.128.0.0/10 origin-as 64500 64501 max-length 24",
]


def prefix(i):
    a = 0x0a000000 + (i << 8)
    return f"{a >> 24}.{(a >> 16) & 255}.{(a >> 8) & 255}.0/24"


def idle(pid, quiet=0.05, timeout=120):
    """Wait until the process uses less than `quiet` s of CPU per 0.5 s."""
    deadline = time.monotonic() + timeout
    last = bc.proc_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = bc.proc_cpu(pid)
        if now - last < quiet:
            return True
        last = now
    return False


def one_run(args, i, detect):
    variant = "on" if detect else "off"
    lab = frrlab.Lab(f"fe-dc{i}")
    try:
        r, _ = lab.pair("r", "r-eth0", "p", "p-eth0")
        pin = lab.pin_path("dc")
        conf = f"ebpf pin-path {pin}\n"
        if detect:
            conf += "\n".join(DETECT_CONF) + "\n"
        z = lab.zebra(r, conf, module=args.module, extra=["-s", "90000000"])
        pid = z.pid
        time.sleep(1)
        ipb = subprocess.Popen(["ip", "-n", r, "-force", "-batch", "-"],
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, text=True)
        idle(pid)
        cpu0, th0, busy0 = bc.proc_cpu(pid), bc.thread_cpu(pid), bc.machine_busy()
        t0 = time.monotonic()
        tick = 0.05
        per_tick = max(1, int(args.rate * tick))
        ops, pos, adding = 0, 0, True
        while time.monotonic() - t0 < args.duration:
            lines = []
            for _ in range(per_tick):
                verb = "add" if adding else "del"
                lines.append(f"route {verb} {prefix(pos)} via 192.0.2.2 proto 99")
                pos += 1
                if pos == args.prefixes:
                    pos, adding = 0, not adding
            ipb.stdin.write("\n".join(lines) + "\n")
            ipb.stdin.flush()
            ops += per_tick
            next_t = t0 + (ops / per_tick) * tick
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        sent = time.monotonic() - t0
        ipb.stdin.close()
        ipb.wait()
        applied = time.monotonic() - t0
        idle(pid)
        wall = time.monotonic() - t0
        cpu1, th1, busy1 = bc.proc_cpu(pid), bc.thread_cpu(pid), bc.machine_busy()
        st = z.vty.json("show ebpf status json")
        ev = z.vty.json("show ebpf events json")
        fl = z.vty.json("show ebpf flaps json") if detect else {}
        res = {
            "variant": variant,
            "changes": ops,
            "sendSeconds": round(sent, 2),
            "appliedSeconds": round(applied, 2),
            "settledSeconds": round(wall, 2),
            "changesPerSecond": round(ops / applied),
            "zebraCpu": round(cpu1 - cpu0, 3),
            "mainCpu": round(th1.get("main", 0) - th0.get("main", 0), 3),
            "dplaneCpu": round(th1.get("zebra_dplane", 0) - th0.get("zebra_dplane", 0), 3),
            "otherLoadCores": round(((busy1 - busy0) - (cpu1 - cpu0)) / wall, 2),
            "evaluated": st.get("detectionChangesEvaluated", 0),
            "queuedAtEnd": st.get("detectionQueued", 0),
            "detectionBusy": st.get("detectionBusyMicroseconds", 0) / 1e6,
            "events": ev.get("total", 0),
            "flapEntries": fl.get("prefixCount", 0),
            "flapMemoryBytes": fl.get("memoryBytes", 0),
        }
        res["cpuPerChangeUs"] = round(res["zebraCpu"] / ops * 1e6, 2)
        res["mainCpuPerChangeUs"] = round(res["mainCpu"] / ops * 1e6, 2)
        res["detectionPerChangeUs"] = round(res["detectionBusy"] / ops * 1e6, 2)
        bc.log(f"  run {i} detection {variant}: {res['changesPerSecond']} changes/s, "
               f"zebra CPU {res['zebraCpu']} s ({res['cpuPerChangeUs']} us/change), "
               f"main {res['mainCpu']} s, evaluated {res['evaluated']}")
        return res
    finally:
        lab.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--prefixes", type=int, default=100000)
    ap.add_argument("--rate", type=int, default=12000,
                    help="route changes per second sent")
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--runs", type=int, default=2, help="pairs (ABBA)")
    ap.add_argument("--module", default=frrlab.find_module())
    ap.add_argument("--json")
    args = ap.parse_args()
    why = frrlab.why_cannot_run()
    if why:
        print(f"detect_churn: skipped: {why}")
        return 0
    results = []
    for k in range(args.runs):
        order = (False, True) if k % 2 == 0 else (True, False)
        for detect in order:
            results.append(one_run(args, len(results), detect))
            bc.settle(10)
    off = [r for r in results if r["variant"] == "off"]
    on = [r for r in results if r["variant"] == "on"]
    rows = [("route changes sent", "changes", "{:.0f}"),
            ("changes per second (applied)", "changesPerSecond", "{:.0f}"),
            ("zebra CPU (s)", "zebraCpu", "{:.2f}"),
            ("  of which main thread (s)", "mainCpu", "{:.2f}"),
            ("  of which dplane thread (s)", "dplaneCpu", "{:.2f}"),
            ("zebra CPU per change (us)", "cpuPerChangeUs", "{:.2f}"),
            ("main thread per change (us)", "mainCpuPerChangeUs", "{:.2f}"),
            ("changes evaluated by detection", "evaluated", "{:.0f}"),
            ("time inside detection per change (us)", "detectionPerChangeUs", "{:.2f}"),
            ("events raised", "events", "{:.0f}"),
            ("other load on the machine (cores)", "otherLoadCores", "{:.2f}")]
    print(f"{'':38} {'detection off':>14} {'detection on':>13} {'ratio':>7}")
    summary = {}
    for label, key, fmt in rows:
        a, b = bc.med([r[key] for r in off]), bc.med([r[key] for r in on])
        summary[key] = {"off": a, "on": b, "ratio": bc.ratio(b, a)}
        rt = bc.ratio(b, a)
        print(f"{label:38} {fmt.format(a):>14} {fmt.format(b):>13} "
              f"{'' if rt is None else f'{rt:7.3f}'}")
    added = summary["cpuPerChangeUs"]["on"] - summary["cpuPerChangeUs"]["off"]
    own = summary["detectionPerChangeUs"]["on"]
    print(f"zebra CPU per change, on minus off: {added:+.2f} us; time measured "
          f"inside the hook and the job: {own:.2f} us per change "
          f"({own / summary['cpuPerChangeUs']['off'] * 100:.1f} % of zebra's CPU per change without detection)")
    print(f"(median of {len(on)} runs each; flap table "
          f"{bc.med([r['flapMemoryBytes'] for r in on]) / 1e6:.1f} MB for "
          f"{bc.med([r['flapEntries'] for r in on]):.0f} prefixes)")
    kept_up = all(r["evaluated"] >= r["changes"] and not r["queuedAtEnd"] for r in on)
    print(f"detection kept up (every change evaluated, nothing queued): {kept_up}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"config": vars(args), "summary": summary,
                       "runs": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
