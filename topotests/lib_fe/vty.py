# SPDX-License-Identifier: GPL-2.0-or-later
"""Client for an FRR daemon's unix vty socket, the channel vtysh uses.

Debian's vtysh does not know the module's commands (`show ebpf ...`), and
vtysh parses a command itself before passing it on, so those commands must
go to zebra directly. Protocol: each command is sent NUL-terminated; the
reply is the output followed by three NULs and one status byte (0 is
CMD_SUCCESS, 2 CMD_ERR_NO_MATCH "Unknown command", ...).

Topotest routers keep /var/run/frr on a tmpfs of their own mount
namespace; /proc/<pid>/root/... reaches it from the root namespace.
"""
import json
import socket

CMD_SUCCESS = 0
CMD_WARNING = 1
CMD_ERR_NO_MATCH = 2


class VtyError(RuntimeError):
    def __init__(self, command, status, output):
        super().__init__(
            "vty command {!r} failed with status {}: {}".format(
                command, status, output.strip()
            )
        )
        self.command = command
        self.status = status
        self.output = output


class Vty:
    def __init__(self, path, timeout=30.0):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect(path)
            self.run("enable")
        except Exception:
            self.sock.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.sock.close()

    def run(self, command):
        """(status, output) of one command."""
        self.sock.sendall(command.encode() + b"\0")
        buf = bytearray()
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise VtyError(command, -1, "connection closed by daemon")
            buf += chunk
            if len(buf) >= 4 and buf[-4:-1] == b"\0\0\0":
                return buf[-1], buf[:-4].decode(errors="replace")

    def cmd(self, command):
        """Output of a command that must succeed."""
        status, out = self.run(command)
        if status != CMD_SUCCESS:
            raise VtyError(command, status, out)
        return out

    def json(self, command):
        return json.loads(self.cmd(command) or "{}")


def router_vty_path(router, daemon="zebra"):
    """Path of a topotest router's daemon vty socket, usable from the root
    mount namespace."""
    # The router's /var/run/frr is usually reached through the /var/run ->
    # /run symlink, which must be resolved inside the router (an absolute
    # symlink met under /proc/<pid>/root would lead back to our own root).
    rundir = router.cmd("readlink -f /var/run/frr").strip() or "/var/run/frr"
    return "/proc/{}/root{}/{}.vty".format(router.net.pid, rundir, daemon)


def router_vty(router, daemon="zebra", timeout=30.0):
    return Vty(router_vty_path(router, daemon), timeout=timeout)


def router_vty_json(router, command, daemon="zebra"):
    """JSON output of one command on a router's daemon; {} on any failure,
    so it can be polled with topotest.run_and_expect()."""
    try:
        with router_vty(router, daemon) as v:
            return v.json(command)
    except (OSError, ValueError, VtyError):
        return {}
