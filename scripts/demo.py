#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Demo router: the installed zebra_ebpf module (the Debian package, or
`make install`) on a router in network namespaces, forwarding real
traffic, with its mirror shown.

    demo.py up      build the topology, start FRR, send traffic, show state
    demo.py show    show the mirror again (zebra's vty and the pinned maps)
    demo.py vty CMD run a command on the demo router's zebra
    demo.py down    remove everything the demo created

  host (demo-h)            router (demo-r1)                 upstreams
  198.51.100.10/24 --- 198.51.100.1  r1  192.0.2.1 ------- 192.0.2.2   (demo-u1)
  2001:db8:10::10/64       2001:db8:10::1 2001:db8:1::1     2001:db8:1::2
                                     r1  203.0.113.1 ----- 203.0.113.2 (demo-u2)
                                         2001:db8:2::1     2001:db8:2::2
  Both upstreams answer for 198.18.0.1 and 2001:db8:ffff::1 (ECMP on r1).
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "integration"))
import frrlab  # noqa: E402

PREFIX = "demo"
RUNDIR = f"/run/frr-ebpf-test/{PREFIX}"
PIN = os.path.join(frrlab.BPFFS_ROOT, PREFIX, "r1")
R1 = f"{PREFIX}-r1"

ZEBRA_CONF = f"""\
hostname r1
! where the mirror maps are pinned (on bpffs)
ebpf pin-path {PIN}
ebpf ecmp algorithm hash-threshold
ebpf fast-path interface r1-host xdp
ebpf fast-path interface r1-up1 xdp
ebpf fast-path interface r1-up2 xdp
"""

STATIC_CONF = """\
ip route 198.18.0.0/24 192.0.2.2
ip route 198.18.0.0/24 203.0.113.2
ip route 198.19.0.0/16 blackhole
ipv6 route 2001:db8:ffff::/48 2001:db8:1::2
ipv6 route 2001:db8:ffff::/48 2001:db8:2::2
"""


def module_path():
    """The installed module (what `zebra -M ebpf` loads)."""
    moddir = "/usr/lib/x86_64-linux-gnu/frr/modules"
    path = os.path.join(moddir, "zebra_ebpf.so")
    if not os.path.exists(path):
        sys.exit(f"demo: {path} missing: install the package "
                 "(scripts/demo.sh does) or run `make install`")
    return "ebpf"


def up():
    why = frrlab.why_cannot_run()
    if why:
        sys.exit(f"demo: cannot run: {why}")
    down(quiet=True)
    lab = frrlab.Lab(PREFIX)
    h, r1, u1, u2 = (lab.netns(n) for n in ("h", "r1", "u1", "u2"))
    lab.link(h, "h-eth0", r1, "r1-host")
    lab.link(r1, "r1-up1", u1, "u1-eth0")
    lab.link(r1, "r1-up2", u2, "u2-eth0")
    addrs = [(h, "h-eth0", "198.51.100.10/24", "2001:db8:10::10/64"),
             (r1, "r1-host", "198.51.100.1/24", "2001:db8:10::1/64"),
             (r1, "r1-up1", "192.0.2.1/24", "2001:db8:1::1/64"),
             (u1, "u1-eth0", "192.0.2.2/24", "2001:db8:1::2/64"),
             (r1, "r1-up2", "203.0.113.1/24", "2001:db8:2::1/64"),
             (u2, "u2-eth0", "203.0.113.2/24", "2001:db8:2::2/64")]
    lab.addresses(addrs)
    # XDP redirects into a veth need NAPI on its peer: GRO gives it
    for ns, dev in ((h, "h-eth0"), (u1, "u1-eth0"), (u2, "u2-eth0")):
        frrlab.sh(["ip", "netns", "exec", ns, "ethtool", "-K", dev, "gro",
                   "on"])
    lab.ip(h, "route add default via 198.51.100.1")
    lab.ip(h, "-6 route add default via 2001:db8:10::1")
    for ns, gw4, gw6 in ((u1, "192.0.2.1", "2001:db8:1::1"),
                         (u2, "203.0.113.1", "2001:db8:2::1")):
        lab.ip(ns, "addr add 198.18.0.1/32 dev lo")
        lab.ip(ns, "addr add 2001:db8:ffff::1/128 dev lo")
        lab.ip(ns, f"route add 198.51.100.0/24 via {gw4}")
        lab.ip(ns, f"-6 route add 2001:db8:10::/64 via {gw6}")

    pin = lab.pin_path("r1")
    assert pin == PIN
    print(f"== starting zebra -M ebpf and staticd in {R1}")
    z = lab.zebra(r1, ZEBRA_CONF, module=module_path())
    lab.staticd(r1, STATIC_CONF)
    frrlab.wait_for(lambda: z.vty.json("show ebpf mirror json")
                    ["routes"]["ipv4"] >= 5)

    print("== real traffic from the host through r1 (XDP fast path on its"
          " three interfaces)")
    for dst in ("198.18.0.1", "2001:db8:ffff::1"):
        out = subprocess.run(["ip", "netns", "exec", h, "ping", "-c", "20",
                              "-i", "0.05", "-W", "1", dst],
                             capture_output=True, text=True)
        print("\n".join(out.stdout.strip().splitlines()[-2:]))
        if out.returncode != 0:
            sys.exit(f"demo: traffic to {dst} failed")
    tcp_transfer(h, u1)
    show()
    # Leave it running: forget the daemons so nothing is stopped on exit.
    print(f"\nThe demo keeps running. Try:\n"
          f"  {sys.argv[0]} vty 'show ebpf mirror'\n"
          f"  ip netns exec {R1} vtysh --vty_socket {RUNDIR}/{R1} "
          f"-c 'show ebpf nexthop-groups'\n"
          f"  frr-ebpf-dump -p {PIN}\n"
          f"  bpftool map dump pinned {PIN}/fe_route4_v1\n"
          f"  {sys.argv[0]} down")


def tcp_transfer(h, u1, nbytes=16 << 20):
    """A real TCP connection from the host to u1 through r1, both with a
    veth's default checksum offload: every byte must arrive (sha256)."""
    app = [sys.executable, os.path.join(frrlab.HERE, "traffic.py")]
    srv = subprocess.Popen(["ip", "netns", "exec", u1] + app +
                           ["bulk-server", "192.0.2.2", "5001", "15"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    try:
        srv.stderr.readline()  # READY
        cli = subprocess.run(["ip", "netns", "exec", h] + app +
                             ["bulk-client", "192.0.2.2", "5001", str(nbytes),
                              "1"], capture_output=True, text=True,
                             timeout=60)
        res = json.loads(cli.stdout.strip().splitlines()[-1])
    finally:
        srv.kill()
        srv.wait()
    want = f"{res['bytes']} {res['sha256']}"
    if res["error"] or res["server"] != want:
        sys.exit(f"demo: TCP transfer through r1 failed: {res}")
    print(f"TCP {nbytes >> 20} MiB host -> u1: every byte arrived "
          f"(sha256 {res['sha256'][:16]}...) in {res['seconds']} s")


def vty(cmd):
    return frrlab.Vty(os.path.join(RUNDIR, R1, "zebra.vty")).cmd(cmd)


def show():
    print("\n== r1# show ebpf interfaces")
    print(vty("show ebpf interfaces"))
    print("== r1# show ebpf counters   (who forwarded: the fast path or the kernel)")
    print(vty("show ebpf counters"))
    print("== r1# show ebpf mirror")
    print(vty("show ebpf mirror"))
    print("== r1# show ip route")
    print(vty("show ip route"))
    print(f"== frr-ebpf-dump -p {PIN}   (the pinned maps, read back)")
    dump = frrlab.dump_mirror(PIN)
    for fam in ("ipv4", "ipv6"):
        for r in dump[fam]:
            paths = dump["nexthopGroups"].get(str(r["nhgId"]), {}).get("paths", [])
            via = ", ".join(f"{p['gateway'] or 'direct'}%{p['ifindex']}"
                            for p in paths)
            print(f"  {r['prefix']:<22} {r['kind']:<11} nhg {r['nhgId']:<3} {via}")


def down(quiet=False):
    """Stop the demo's daemons (by their pid files) and remove its
    namespaces, pins and run directory."""
    if os.path.isdir(RUNDIR):
        for ns in os.listdir(RUNDIR):
            for f in os.listdir(os.path.join(RUNDIR, ns)):
                if f.endswith(".pid"):
                    try:
                        pid = int(open(os.path.join(RUNDIR, ns, f)).read())
                        os.kill(pid, 15)
                    except (ValueError, OSError):
                        pass
        time.sleep(1)
    for ns in ("h", "r1", "u1", "u2"):
        subprocess.run(["ip", "netns", "del", f"{PREFIX}-{ns}"],
                       capture_output=True)
    subprocess.run(["rm", "-rf", RUNDIR, os.path.dirname(PIN)])
    if not quiet:
        print("demo: removed")


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("up", "show", "vty", "down"):
        sys.exit(__doc__)
    cmd = sys.argv[1]
    if cmd == "up":
        up()
    elif cmd == "show":
        show()
    elif cmd == "vty":
        print(vty(" ".join(sys.argv[2:])))
    else:
        down()


if __name__ == "__main__":
    main()
