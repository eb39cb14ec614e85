# SPDX-License-Identifier: GPL-2.0-or-later
"""The load-time FRR version check (issue 12): a module built for another
FRR refuses to initialise, and zebra runs on without it.

How the test gets "a module built for another FRR": the module keeps the
FRR version it was compiled for (FRR_VERSION of the FRR headers) in one
marker string, "frr-ebpf: built for FRR 8.4.4", and reads the version it
compares from that string only. The test copies the built .so and rewrites
the version in the marker (same length, e.g. 8.4.4 -> 8.4.9); everything
else in the copy is the module built for this FRR. So the copy tells
whether the check refuses and how zebra behaves then; it does not exercise
a module really compiled against other headers (loading one of those is
what the check exists to prevent).

Topology: r (zebra + staticd) -- p, 192.0.2.1/24 -- 192.0.2.2/24.
"""
import os
import re
import shutil

import pytest

import frrlab

REASON = frrlab.why_cannot_run()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))

MARKER = re.compile(rb"frr-ebpf: built for FRR (\d+)\.(\d+)\.(\d+)")
EC_EBPF_VERSION = 0xF2000001 + 11


def patched_module(src, dst):
    """Copy src to dst with the built-for version's patch level changed
    (one digit, so the length stays); returns (built, fake) versions."""
    data = open(src, "rb").read()
    found = list(MARKER.finditer(data))
    assert len(found) == 1, f"expected one version marker in {src}"
    m = found[0]
    built = b".".join(m.groups()).decode()
    patch = m.group(3)
    fake_patch = b"9" * len(patch) if patch != b"9" * len(patch) \
        else b"0" * len(patch)
    fake = b".".join((m.group(1), m.group(2), fake_patch))
    data = data[:m.start(3)] + fake_patch + data[m.end(3):]
    with open(dst, "wb") as f:
        f.write(data)
    return built, fake.decode()


@pytest.fixture
def lab():
    lab = frrlab.Lab("fe-ver")
    lab.r, lab.p = lab.pair("r", "r-eth0", "p", "p-eth0")
    yield lab
    lab.close()


def test_mismatched_module_refuses_and_zebra_routes(lab):
    so = os.path.join(lab.rundir, "zebra_ebpf_other_frr.so")
    built, fake = patched_module(frrlab.find_module(), so)
    running = frrlab.sh(["/usr/lib/frr/zebra", "--version"]).split()[2]
    assert built == running, "the build tree's module is for another FRR"

    z = lab.zebra(lab.r, "", module=so)
    s = lab.staticd(lab.r, "ip route 198.18.7.0/24 192.0.2.2\n")

    # Refused with its error code and both versions in the log.
    log = z.log()
    line = [l for l in log.splitlines() if "ebpf: module built for" in l]
    assert line, log
    assert f"[EC {EC_EBPF_VERSION}]" in line[0], line[0]
    assert f"built for FRR {fake}, loaded into zebra {running}" in line[0]
    assert f"(libfrr {running})" in line[0]
    assert "not initialised" in line[0]
    # Nothing of the module ran: no maps opened, no commands.
    assert "mirror maps created" not in log
    for cmd in ("show ebpf status", "show ebpf mirror json"):
        with pytest.raises(frrlab.VtyError) as e:
            z.vty.cmd(cmd)
        assert "Unknown command" in e.value.output, e.value.output
    with pytest.raises(frrlab.VtyError):
        z.vty.config("ebpf pin-path /run/frr-ebpf-test/nowhere")

    # zebra keeps installing routes: staticd's route reaches the kernel.
    assert frrlab.wait_for(lambda: "192.0.2.2" in lab.ip(
        lab.r, "route show 198.18.7.0/24")), \
        z.vty.cmd("show ip route")
    s.vty.config("ip route 198.18.8.0/24 192.0.2.2")
    assert frrlab.wait_for(lambda: "192.0.2.2" in lab.ip(
        lab.r, "route show 198.18.8.0/24"))


def test_matching_module_initialises(lab):
    """The same module unpatched (control: the copy itself is loadable
    and the check passes for the FRR it was built for)."""
    so = os.path.join(lab.rundir, "zebra_ebpf_copy.so")
    shutil.copy(frrlab.find_module(), so)
    pin = lab.pin_path("ver")
    z = lab.zebra(lab.r, f"ebpf pin-path {pin}\n", module=so)
    assert "ebpf: module built for" not in z.log()
    assert frrlab.wait_for(lambda: z.vty.json("show ebpf mirror json")
                           .get("syncState") == "inSync"), \
        z.vty.cmd("show ebpf mirror")
