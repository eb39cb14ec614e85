#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Load the module into an FRR 10 zebra and see a static route mirrored.

The first step of issue 13, not yet part of the suite: FRR 10 from
scripts/frr10-build.sh, the module built against it (a build dir
configured with ZEBRA=$PREFIX/sbin/zebra). In one namespace: mgmtd,
zebra -M <module>, staticd; a static route configured through mgmtd (FRR 10
has staticd's CLI there); `show ebpf mirror json` asked on zebra's vty
socket; the pinned maps read back with frr-ebpf-dump.

usage: flock /run/fe-ns.lock tests/integration/smoke_frr10.py \
           [--prefix /opt/frr-10.3] [--build build-frr10] [--ns fe10-x]
Exit 0 when the route is in `show ip route json`, in the mirror's counters
and in the pinned route map.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import frrlab  # noqa: E402

ROUTE = "198.51.100.0/24"
GW = "192.0.2.2"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prefix", default="/opt/frr-10.3")
    ap.add_argument("--build", default=os.path.join(frrlab.TOP, "build-frr10"))
    ap.add_argument("--ns", default="fe10-x")
    ap.add_argument("--keep", action="store_true",
                    help="leave the namespace and daemons for a look")
    a = ap.parse_args()

    sbin = os.path.join(a.prefix, "sbin")
    module = os.path.abspath(os.path.join(a.build,
                                          "frr-module/.libs/zebra_ebpf.so"))
    dump = os.path.abspath(os.path.join(a.build, "tools/frr-ebpf-dump"))
    for f in (os.path.join(sbin, "zebra"), module, dump):
        if not os.path.exists(f):
            sys.exit(f"smoke_frr10: {f} missing")

    ns = a.ns
    rundir = f"/run/frr-ebpf-test/{ns}"
    pin = os.path.join(frrlab.BPFFS_ROOT, ns, "pin")
    frrlab.ensure_bpffs(frrlab.BPFFS_ROOT)
    pw = frrlab.pwd.getpwnam("frr")
    for d in (rundir, pin):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        os.chown(d, pw.pw_uid, pw.pw_gid)

    # The daemons create their pathspace's run dir, not its parents
    # (/run is a tmpfs: gone after a reboot).
    ver = frrlab.sh([os.path.join(sbin, "zebra"), "--version"])
    run = re.search(r"'--runstatedir=([^']*)'", ver)
    run = os.path.join(run.group(1) if run else "/var/run", "frr")
    os.makedirs(run, exist_ok=True)
    os.chown(run, pw.pw_uid, pw.pw_gid)

    frrlab.sh(["ip", "netns", "del", ns], check=False)
    frrlab.sh(["ip", "netns", "add", ns])
    pids = []
    try:
        ip = lambda args: frrlab.sh(["ip", "-n", ns] + args.split())
        ip("link set lo up")
        # Both ends in the namespace: a connected /24 the route's gateway
        # resolves over.
        ip("link add fe10a type veth peer name fe10b")
        ip("link set fe10a up")
        ip("link set fe10b up")
        ip("addr add 192.0.2.1/24 dev fe10a")

        def start(name, conf, args=()):
            cf = os.path.join(rundir, f"{name}.conf")
            with open(cf, "w") as f:
                f.write(conf)
            os.chown(cf, pw.pw_uid, pw.pw_gid)
            pidf = os.path.join(rundir, f"{name}.pid")
            # -N: FRR 10 puts mgmtd's sockets in the run dir of the
            # pathspace; one per namespace keeps it off other labs.
            cmd = ["ip", "netns", "exec", ns, os.path.join(sbin, name),
                   "-d", "-N", ns, "-i", pidf,
                   "--vty_socket", rundir, "-P", "0",
                   "--log", f"file:{rundir}/{name}.log"] + list(args)
            # FRR 10: mgmtd and staticd take no config file (mgmtd reads
            # the pathspace's, none here, and configures staticd).
            if name == "zebra":
                cmd += ["-f", cf]
            if name != "mgmtd":
                cmd += ["-z", os.path.join(rundir, "zserv.api")]
            t0 = time.time()
            subprocess.run(cmd, check=True)
            sock = os.path.join(rundir, f"{name}.vty")
            if not frrlab.wait_for(lambda: os.path.exists(sock), 20):
                raise RuntimeError(f"{name}: no vty socket; see "
                                   f"{rundir}/{name}.log")
            with open(pidf) as f:
                pids.append(int(f.read()))
            print(f"smoke_frr10: {name} up in {time.time() - t0:.1f} s")
            return frrlab.Vty(sock)

        mgmt = start("mgmtd", "")
        z = start("zebra", f"ebpf pin-path {pin}\n", ["-M", module])
        start("staticd", "")
        mgmt.config(f"ip route {ROUTE} {GW}")

        def installed():
            # FRR 10 answers a missing prefix with {} and a warning status.
            try:
                r = z.json(f"show ip route {ROUTE} json").get(ROUTE)
            except frrlab.VtyError:
                return False
            return r and r[0].get("installed")

        if not frrlab.wait_for(installed, 20):
            print(mgmt.cmd("show running-config"))
            raise RuntimeError(f"{ROUTE} not installed by zebra")
        print(z.cmd(f"show ip route {ROUTE}").rstrip())

        st = frrlab.wait_for(
            lambda: (lambda s: s if s["routes"]["ipv4"] >= 1 else None)(
                z.json("show ebpf mirror json")), 20)
        st = st or z.json("show ebpf mirror json")
        print("smoke_frr10: show ebpf mirror json: pinPath %s syncState %s "
              "routes %s nexthopGroups %s errors %s"
              % (st["pinPath"], st["syncState"], st["routes"],
                 st["nexthopGroups"], st["counters"]["errors"]))
        d = frrlab.json.loads(frrlab.sh([dump, "-p", pin]))
        prefixes = [r["prefix"] for r in d["ipv4"]]
        print(f"smoke_frr10: pinned IPv4 routes: {prefixes}")
        ok = (st["pinPath"] == pin and ROUTE in prefixes
              and st["counters"]["errors"] == 0)
        # FRR 10 loads models into a context compiled at start-up: say
        # whether the module's model made it (not a failure if not).
        print("smoke_frr10: frr-ebpf in show yang module: %s"
              % ("frr-ebpf" in z.cmd("show yang module")))
        print("smoke_frr10: " + ("OK" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        if not a.keep:
            for p in reversed(pids):
                try:
                    os.kill(p, frrlab.signal.SIGTERM)
                except ProcessLookupError:
                    pass
            for p in pids:
                frrlab.wait_for(lambda: not os.path.exists(f"/proc/{p}"), 10)
            frrlab.sh(["ip", "netns", "del", ns], check=False)
            shutil.rmtree(os.path.dirname(pin), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
