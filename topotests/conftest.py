# SPDX-License-Identifier: GPL-2.0-or-later
"""pytest harness for the frr-ebpf topotests.

Runs FRR's topotest framework (topogen, on micronet from an FRR 8.4 source
tree or on munet from an FRR 10.x one) out of tree: finds FRR's
tests/topotests (FRR_TOPOTESTS_DIR, else FRR_SRC of the top Makefile),
loads its conftest.py under another module name with the environment
workarounds of lib_fe/frrenv.py (which also takes the daemons from
FE_FRR_DAEMONS), and re-exports its hooks and fixtures here, so they apply
to the tests below this folder only. Without FRR's framework (or not as
root, or without the module built) every test here is skipped with the
reason (see lib_fe/mirror.require()).
"""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from lib_fe import frrenv  # noqa: E402  pylint: disable=wrong-import-position

_frr = frrenv.load_frr_conftest()

# FRR's hooks and fixtures, by name (the set differs between FRR versions,
# see frrenv.FRR_CONFTEST_NAMES). Hooks and fixtures of a conftest only act
# on the items below its folder (pytest_addoption and pytest_configure are
# global by nature).
if _frr is not None:
    for _name in frrenv.frr_conftest_names():
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

