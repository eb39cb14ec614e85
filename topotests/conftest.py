# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest harness for the frr-ebpf topotests.

Runs FRR's topotest framework (micronet/topogen, from an FRR 8.4 source
tree) out of tree: finds FRR's tests/topotests (FRR_TOPOTESTS_DIR, else
FRR_SRC of the top Makefile), loads its conftest.py under another module
name with the environment workarounds of lib_fe/frrenv.py, and re-exports
its hooks and fixtures here, so they apply to the tests below this folder
only. Without FRR's framework (or not as root, or without the module built)
every test here is skipped with the reason (see lib_fe/mirror.require()).
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from lib_fe import frrenv  # noqa: E402  pylint: disable=wrong-import-position

_frr = frrenv.load_frr_conftest()

# FRR's hooks and fixtures, by name. Hooks and fixtures of a conftest only
# act on the items below its folder (pytest_addoption and pytest_configure
# are global by nature).
_FRR_NAMES = (
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_logstart",
    "pytest_runtest_logfinish",
    "pytest_runtest_call",
    "pytest_assertrepr_compare",
    "pytest_runtest_setup",
    "pytest_runtest_makereport",
    "module_check_memtest",
    "setup_session_auto",
    "tgen",
    "topo",
)

if _frr is not None:
    for _name in _FRR_NAMES:
        globals()[_name] = getattr(_frr, _name)
else:

    def pytest_addoption(parser):
        # Known to pytest.ini even when FRR's options are not.
        parser.addini("rundir", "directory for running in and log files")


@pytest.fixture(autouse=True, scope="module")
def fe_mark_processes():
    """What a test module starts carries FE_TOPOTEST_RUN=<our pid>: our
    cleanup reaps exactly those processes (see lib_fe/frrenv.py)."""
    frrenv.mark_processes(True)
    yield
    frrenv.mark_processes(False)

