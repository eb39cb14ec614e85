# SPDX-License-Identifier: GPL-2.0-or-later
"""Small socket applications for the traffic test, run inside a namespace
with `ip netns exec NS /usr/bin/python3 traffic.py SUBCOMMAND ...`.

Servers print READY on stderr once they listen, then one JSON line on
stdout when done. Clients print one JSON line on stdout; a failure is
reported in its "error" field (exit status 0), so the test can say what
went wrong. Everything is bounded by timeouts.

    bulk-server ADDR PORT TIMEOUT        one TCP connection: count + sha256
    bulk-client ADDR PORT NBYTES SEED    send NBYTES pseudo-random bytes
    echo-server ADDR PORT N TIMEOUT      N sequential TCP connections, echo
    echo-client ADDR PORT N SIZE         N connect/send/echo/close rounds
    udp-server ADDR PORT N TIMEOUT       count/verify datagrams
    udp-client ADDR PORT N SIZE RATE     N datagrams at RATE per second
"""
import hashlib
import json
import random
import socket
import struct
import sys
import time

UDP_MAGIC = b"FETR"
UDP_HDR = struct.Struct("!4sI32s")  # magic, sequence, sha256(payload)


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def listener(addr, port, kind=socket.SOCK_STREAM):
    s = socket.socket(family(addr), kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    print("READY", file=sys.stderr, flush=True)
    return s


def out(obj):
    print(json.dumps(obj), flush=True)


def bulk_server(addr, port, timeout):
    s = listener(addr, port)
    s.settimeout(timeout)
    res = {"bytes": 0, "sha256": None, "error": None}
    h = hashlib.sha256()
    try:
        c, peer = s.accept()
        c.settimeout(timeout)
        while True:
            b = c.recv(1 << 20)
            if not b:
                break
            h.update(b)
            res["bytes"] += len(b)
        res["sha256"] = h.hexdigest()
        c.sendall(f"{res['bytes']} {res['sha256']}\n".encode())
        c.close()
    except OSError as e:
        res["error"] = f"{type(e).__name__}: {e}"
        res["sha256"] = h.hexdigest()
    out(res)


def bulk_data(nbytes, seed):
    return random.Random(seed).randbytes(nbytes)


def bulk_client(addr, port, nbytes, seed):
    data = bulk_data(nbytes, seed)
    res = {"bytes": nbytes, "sha256": hashlib.sha256(data).hexdigest(),
           "server": None, "error": None, "seconds": None}
    t0 = time.monotonic()
    stage = "connect"
    try:
        c = socket.create_connection((addr, port), timeout=5)
        c.settimeout(10)
        stage = "send"
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
        stage = "read the server's digest"
        reply = b""
        while not reply.endswith(b"\n"):
            b = c.recv(256)
            if not b:
                break
            reply += b
        c.close()
        res["server"] = reply.decode().strip()
    except OSError as e:
        res["error"] = f"{stage} to [{addr}]:{port}: {type(e).__name__}: {e}"
    res["seconds"] = round(time.monotonic() - t0, 3)
    out(res)


def recv_exact(c, n):
    buf = b""
    while len(buf) < n:
        b = c.recv(n - len(buf))
        if not b:
            break
        buf += b
    return buf


def echo_server(addr, port, n, timeout):
    s = listener(addr, port)
    deadline = time.monotonic() + timeout
    served, errors = 0, []
    while served < n and time.monotonic() < deadline:
        s.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            c, _ = s.accept()
        except OSError:
            break
        try:
            c.settimeout(2)
            size = struct.unpack("!I", recv_exact(c, 4))[0]
            c.sendall(recv_exact(c, size))
            served += 1
        except (OSError, struct.error) as e:
            errors.append(f"{type(e).__name__}: {e}")
        finally:
            c.close()
    out({"served": served, "errors": errors[:5]})


def echo_payload(i, size):
    blk = hashlib.sha256(b"echo %d" % i).digest()
    return (blk * (size // len(blk) + 1))[:size]


def echo_client(addr, port, n, size, max_failures=5, budget=30):
    ok, failures = 0, []
    t0 = time.monotonic()
    for i in range(n):
        if len(failures) >= max_failures or time.monotonic() - t0 > budget:
            break
        stage = "connect"
        try:
            c = socket.create_connection((addr, port), timeout=2)
            try:
                c.settimeout(2)
                p = echo_payload(i, size)
                stage = "send"
                c.sendall(struct.pack("!I", size) + p)
                stage = "echo"
                back = recv_exact(c, size)
            finally:
                c.close()
            if back == p:
                ok += 1
            else:
                bad = "wrong content" if len(back) == size else "short"
                failures.append(f"#{i}: echoed {len(back)} bytes, {bad}")
        except OSError as e:
            failures.append(f"#{i}: {stage}: {type(e).__name__}: {e}")
    out({"ok": ok, "attempted": min(n, ok + len(failures)), "n": n,
         "failures": failures, "seconds": round(time.monotonic() - t0, 3)})


def udp_payload(seq, size):
    blk = hashlib.sha256(b"udp %d" % seq).digest()
    n = size - UDP_HDR.size
    return (blk * (n // len(blk) + 1))[:n]


def udp_server(addr, port, n, timeout, quiet=1.0):
    s = listener(addr, port, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    deadline = time.monotonic() + timeout
    last = None
    seen = set()
    res = {"received": 0, "intact": 0, "corrupted": 0, "duplicates": 0,
           "unique": 0}
    while time.monotonic() < deadline and len(seen) < n:
        if last is not None and time.monotonic() - last > quiet:
            break
        s.settimeout(0.1)
        try:
            d = s.recv(65536)
        except socket.timeout:
            continue
        last = time.monotonic()
        res["received"] += 1
        if len(d) < UDP_HDR.size:
            res["corrupted"] += 1
            continue
        magic, seq, digest = UDP_HDR.unpack_from(d)
        payload = d[UDP_HDR.size:]
        if (magic != UDP_MAGIC or hashlib.sha256(payload).digest() != digest
                or payload != udp_payload(seq, len(d))):
            res["corrupted"] += 1
            continue
        res["intact"] += 1
        if seq in seen:
            res["duplicates"] += 1
        seen.add(seq)
    res["unique"] = len(seen)
    out(res)


def udp_client(addr, port, n, size, rate):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.connect((addr, port))
    t0 = time.monotonic()
    sent, errors = 0, []
    for seq in range(n):
        due = t0 + seq / rate
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        p = udp_payload(seq, size)
        try:
            s.send(UDP_HDR.pack(UDP_MAGIC, seq, hashlib.sha256(p).digest())
                   + p)
            sent += 1
        except OSError as e:  # e.g. ECONNREFUSED from an earlier ICMP
            if len(errors) < 5:
                errors.append(f"#{seq}: {type(e).__name__}: {e}")
    out({"sent": sent, "errors": errors,
         "seconds": round(time.monotonic() - t0, 3)})


def main(argv):
    cmd, a = argv[0], argv[1:]
    if cmd == "bulk-server":
        bulk_server(a[0], int(a[1]), float(a[2]))
    elif cmd == "bulk-client":
        bulk_client(a[0], int(a[1]), int(a[2]), int(a[3]))
    elif cmd == "echo-server":
        echo_server(a[0], int(a[1]), int(a[2]), float(a[3]))
    elif cmd == "echo-client":
        echo_client(a[0], int(a[1]), int(a[2]), int(a[3]))
    elif cmd == "udp-server":
        udp_server(a[0], int(a[1]), int(a[2]), float(a[3]))
    elif cmd == "udp-client":
        udp_client(a[0], int(a[1]), int(a[2]), int(a[3]), float(a[4]))
    else:
        sys.exit(f"unknown subcommand {cmd}")


if __name__ == "__main__":
    main(sys.argv[1:])
