# SPDX-License-Identifier: GPL-2.0-or-later
"""zebra under `ip netns exec` and the pin path (issue 12).

frrlab starts every daemon with `ip netns exec NS zebra ...`, which gives
zebra a mount namespace with a fresh /sys: /sys/fs/bpf there is an empty
sysfs directory, not bpffs. With the default pin path the mirror must say
that (not "No such file or directory") and what to do; with a pin path
outside /sys prepared by `frr-ebpf-prepare PATH` (which mounts a bpffs
there) the mirror must be in sync.
"""
import os
import pwd

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
PREPARE = os.path.join(frrlab.TOP, "scripts/frr-ebpf-prepare")
if REASON is None and not os.access(PREPARE, os.X_OK):
    REASON = "scripts/frr-ebpf-prepare not built (run make)"
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

EC_EBPF_MAP_OPEN = 0xF2000001


def fstype(path):
    return frrlab.sh(["stat", "-f", "-c", "%T", path]).strip()


def mounts_at(path):
    """How many mounts sit on path in this (the root) mount namespace."""
    with open("/proc/self/mountinfo") as f:
        return sum(1 for line in f if line.split()[4] == path)


@pytest.fixture
def lab():
    lab = frrlab.Lab("fe-nsp")
    lab.r = lab.netns("r")
    yield lab
    lab.close()


@pytest.fixture
def top():
    """A directory under /run, not on bpffs until frr-ebpf-prepare mounts
    one there; unmounted and removed afterwards (after lab's zebra has
    stopped: the fixture is requested first, so it is torn down last)."""
    top = f"/run/frr-ebpf-test-{os.getpid()}"
    assert not os.path.exists(top)
    yield top
    while mounts_at(top):
        frrlab.sh(["umount", top])
    frrlab.sh(["rm", "-rf", top])


def test_default_pin_path_names_the_cause(top, lab):
    assert fstype("/run") != "bpf_fs"
    z = lab.zebra(lab.r, "")
    st = z.vty.json("show ebpf mirror json")
    assert st["pinPath"] == "/sys/fs/bpf/frr-ebpf"
    assert st["syncState"] == "failed", st
    reason = st["reason"]
    assert "No such file" not in reason, reason
    assert ("its nearest existing directory /sys/fs/bpf is on sysfs, "
            "not on a bpf filesystem, in zebra's mount namespace") in reason
    assert "ip netns exec" in reason and "outside /sys" in reason
    assert "frr-ebpf-prepare PATH" in reason
    assert "ebpf pin-path PATH" in reason
    # The same words in the text form and in the log, with the error code.
    assert reason in z.vty.cmd("show ebpf mirror")
    log = [l for l in z.log().splitlines() if "mirror disabled" in l]
    assert log and f"[EC {EC_EBPF_MAP_OPEN}]" in log[0] \
        and reason in log[0], z.log()

    # A pin path outside /sys that nobody prepared: its own advice.
    pin = f"{top}/r"
    z.vty.config(f"ebpf pin-path {pin}")
    st = z.vty.json("show ebpf mirror json")
    assert st["pinPath"] == pin and st["syncState"] == "failed", st
    assert (f"pin path {pin}: its nearest existing directory /run is on "
            in st["reason"]), st["reason"]
    assert "not on a bpf filesystem" in st["reason"]
    assert "prepare it with `frr-ebpf-prepare PATH`" in st["reason"]
    assert not os.path.exists(top), "zebra created directories off bpffs"


def test_prepared_pin_path_outside_sys_in_sync(top, lab):
    pin = f"{top}/r"
    out = frrlab.sh([PREPARE, pin])
    assert f"mounted a bpf filesystem on {top}" in out, out
    assert fstype(top) == "bpf_fs" and mounts_at(top) == 1
    frr = pwd.getpwnam("frr")
    assert os.stat(pin).st_uid == frr.pw_uid
    # Again: nothing more is mounted.
    out = frrlab.sh([PREPARE, pin])
    assert "mounted" not in out and mounts_at(top) == 1, out

    z = lab.zebra(lab.r, f"ebpf pin-path {pin}\n")
    assert frrlab.wait_for(lambda: z.vty.json("show ebpf mirror json")
                           .get("syncState") == "inSync"), \
        z.vty.cmd("show ebpf mirror")
    assert "reason" not in z.vty.json("show ebpf mirror json")
    # The pins are on the bpffs the root namespace sees too.
    assert any(n.startswith("fe_route4_") for n in os.listdir(pin)), \
        os.listdir(pin)

    z.stop()
    frrlab.sh([PREPARE, "--remove", pin])
    assert not os.path.exists(pin)


def test_prepare_refuses_under_sys(top):
    """sysfs takes no mount point: the script says to go outside /sys."""
    res = frrlab.subprocess.run([PREPARE, "/sys/kernel/frr-ebpf-test"],
                                capture_output=True, text=True)
    assert res.returncode == 1
    assert "use a pin path outside /sys" in res.stderr
