# SPDX-License-Identifier: GPL-2.0-or-later
"""Raw frame I/O inside a network namespace, for tests: run as a script
under `ip netns exec NS` (Python 3.11 has no os.setns).

    pktio.py send IFACE          frames as hex lines on stdin, sent in order
    pktio.py capture IFACE SECS  prints captured frames as hex lines
                                 (incoming only), after SECS of silence
                                 or a READY line on stderr to start sending
"""
import select
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def send(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for line in sys.stdin:
        line = line.strip()
        if line:
            s.send(bytes.fromhex(line))
            time.sleep(0.001)


def capture(iface, quiet_secs):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    print("READY", file=sys.stderr, flush=True)
    deadline = time.time() + 30
    last = time.time()
    while time.time() < deadline and time.time() - last < quiet_secs:
        r, _, _ = select.select([s], [], [], 0.1)
        if not r:
            continue
        data, addr = s.recvfrom(65535)
        if addr[2] == PACKET_OUTGOING:
            continue
        last = time.time()
        print(data.hex(), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2])
    else:
        capture(sys.argv[2], float(sys.argv[3]))
