# SPDX-License-Identifier: GPL-2.0-or-later
"""Find and load FRR's topotest framework (micronet/topogen) from an FRR
source tree, and adapt it to this environment.

What is adapted, and why (see also ../README.md):

* FRR's conftest.py is loaded under the module name `frr_topotests_conftest`
  (our own conftest.py re-exports its hooks and fixtures, so they apply to
  the tests under topotests/ only).
* Process cleanup. FRR's cleanup_previous() kills every process whose
  environment holds MICRONET_PID, whatever its value (its "is the owning run
  still alive" filter never matches), i.e. also the daemons of a topotest
  run going on in parallel, and anything else that inherited the variable;
  cleanup_current() kills every process carrying this pytest's pid, which in
  a mixed pytest session includes processes that other tests started. Both
  are replaced: processes started while one of our test modules runs carry
  FE_TOPOTEST_RUN=<pytest pid>; at session start we kill only such processes
  whose pytest is gone (and that are not in our network namespace), at
  session end only those of this pytest. MICRONET_PID itself is removed from
  our environment, so nothing we start can be reaped by someone else's
  unmodified FRR topotest run.
* No /proc/modules on this kernel: module_present() answers from
  /sys/module and never loads a kernel module.
* Debian's FRR has no pim6d (and FRR's check also wants gdb): FRR's
  diagnose_env() is replaced by one checking what these tests need.
* Topogen raises host sysctls; the three core-dump ones it *changes*
  (kernel.core_pattern, kernel.core_uses_pid, fs.suid_dumpable) are restored
  at the end of the session.
"""
import atexit
import configparser
import grp
import importlib.util
import logging
import os
import pwd
import re
import shutil
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOTESTS = os.path.dirname(HERE)
TOP = os.path.dirname(TOPOTESTS)

FRR_CONFTEST_NAME = "frr_topotests_conftest"
RUN_MARK = "FE_TOPOTEST_RUN"
FRR_DAEMON_DIR_DEFAULT = "/usr/lib/frr"
# Daemons the tests in this folder start; a missing one is an error.
REQUIRED_DAEMONS = ("zebra", "staticd")

_state = {"dir": None, "reason": None, "conftest": None}
_saved_sysctls = {}

log = logging.getLogger("frr-ebpf-topotests")


# --------------------------------------------------------------------------
# Locating FRR's tests/topotests
# --------------------------------------------------------------------------


def _is_topotests_dir(path):
    return all(
        os.path.isfile(os.path.join(path, f))
        for f in ("conftest.py", "lib/topogen.py", "lib/micronet_compat.py")
    )


def _makefile_frr_src(makefile):
    """FRR_SRC as configure wrote it into the top Makefile, or None."""
    try:
        with open(makefile, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^FRR_SRC\s*[:?]?=\s*(.*?)\s*$", line)
                if m:
                    return m.group(1) or None
    except OSError:
        pass
    return None


def find_frr_topotests():
    """(path, None) or (None, reason)."""
    env = os.environ.get("FRR_TOPOTESTS_DIR")
    if env:
        path = os.path.abspath(env)
        if _is_topotests_dir(path):
            return path, None
        return None, (
            "FRR_TOPOTESTS_DIR={} is not FRR's tests/topotests folder "
            "(no conftest.py, lib/topogen.py, lib/micronet_compat.py)".format(env)
        )
    makefile = os.path.join(TOP, "Makefile")
    src = _makefile_frr_src(makefile)
    if not src:
        return None, (
            "FRR's topotest framework not found: set FRR_TOPOTESTS_DIR to "
            "FRR's tests/topotests, or configure the project so that {} "
            "defines FRR_SRC".format(makefile)
        )
    path = os.path.join(src, "tests", "topotests")
    if _is_topotests_dir(path):
        return path, None
    return None, (
        "FRR_SRC={} (from {}) has no usable tests/topotests; set "
        "FRR_TOPOTESTS_DIR".format(src, makefile)
    )


def topotests_dir():
    return _state["dir"]


def unavailable_reason():
    return _state["reason"]


# --------------------------------------------------------------------------
# Workarounds
# --------------------------------------------------------------------------


def _module_present_linux(module, load=True):
    """FRR's module_present_linux() without /proc/modules and without ever
    loading a module (the tests here need none)."""
    del load
    name = module.replace("-", "_")
    try:
        with open("/proc/modules", encoding="ascii") as f:
            if any(line.split(" ", 1)[0] == name for line in f):
                return True
    except OSError:
        pass
    # Loaded modules and built-in ones that have parameters show up here.
    return os.path.isdir(os.path.join("/sys/module", name))


def _frr_daemon_dir():
    """The [topogen] frrdir of FRR's pytest.ini, as topogen reads it."""
    cfg = configparser.ConfigParser(defaults={"frrdir": FRR_DAEMON_DIR_DEFAULT})
    cfg.read(os.path.join(_state["dir"] or "", "pytest.ini"))
    try:
        return cfg.get("topogen", "frrdir")
    except (configparser.NoSectionError, configparser.NoOptionError):
        return FRR_DAEMON_DIR_DEFAULT


def diagnose_env(rundir):
    """Replacement of topogen.diagnose_env(). FRR's ends the whole pytest
    session on a problem; this one records it, and the tests of this folder
    skip with it as the reason (unavailable_reason())."""
    lines = []

    def bad(msg):
        lines.append("ERROR: " + msg)
        log.error("%s", msg)
        if not _state["reason"]:
            _state["reason"] = "environment: " + msg

    try:
        os.makedirs(rundir, exist_ok=True)
    except OSError as e:
        bad("cannot create rundir {}: {}".format(rundir, e))

    if os.geteuid() != 0:
        bad("topotests must run as root")
    for tool in ("ip", "unshare", "nsenter"):
        if not shutil.which(tool):
            bad("{} not found".format(tool))
    frrdir = _frr_daemon_dir()
    for d in REQUIRED_DAEMONS:
        if not os.access(os.path.join(frrdir, d), os.X_OK):
            bad("{}/{} not found".format(frrdir, d))
    for d in ("pim6d", "sharpd", "ldpd"):
        if not os.path.exists(os.path.join(frrdir, d)):
            lines.append("note: {}/{} absent (not needed here)".format(frrdir, d))
    try:
        pwd.getpwnam("frr")
        if "frr" not in grp.getgrnam("frrvty").gr_mem:
            bad('user "frr" is not in group "frrvty"')
    except KeyError as e:
        bad("FRR user/group missing: {}".format(e))
    try:
        with open(os.path.join(rundir, "diagnostics.txt"), "w", encoding="utf-8") as f:
            f.write("frr-ebpf topotest diagnostics\n")
            f.write("FRR topotests: {}\n".format(_state["dir"]))
            f.write("\n".join(lines) + "\n")
    except OSError as e:
        log.warning("cannot write diagnostics.txt: %s", e)
    return True


def _pid_alive(pid):
    return os.path.isdir("/proc/{}".format(pid))


def _marked_pids():
    """{pid: mark value} of the processes carrying RUN_MARK."""
    found = {}
    needle = (RUN_MARK + "=").encode()
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open("/proc/{}/environ".format(entry), "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        for var in env:
            if var.startswith(needle):
                found[int(entry)] = var[len(needle):].decode(errors="replace")
                break
    return found


def _netns(pid):
    try:
        return os.readlink("/proc/{}/ns/net".format(pid))
    except OSError:
        return None


def _reap(select, what):
    """SIGTERM the selected marked processes, wait up to 5 s, SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = select()
        if not pids:
            return
        log.info("%s: sending %s to %s", what, sig.name, sorted(pids))
        for pid in pids:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        if sig == signal.SIGTERM:
            for _ in range(10):
                time.sleep(0.5)
                if not select():
                    return


def cleanup_previous():
    """Kill what an earlier, dead run of these tests left behind: processes
    marked with a pytest pid that no longer exists, outside our own network
    namespace. Nothing else is touched."""
    mine = _netns(os.getpid())

    def select():
        return [
            pid
            for pid, owner in _marked_pids().items()
            if owner.isdigit()
            and not _pid_alive(int(owner))
            and _netns(pid) not in (None, mine)
        ]

    _reap(select, "reaping processes left by earlier frr-ebpf topotest runs")


def cleanup_current():
    """Kill what this run started and left (normally nothing)."""
    me = str(os.getpid())

    def select():
        return [pid for pid, owner in _marked_pids().items() if owner == me]

    _reap(select, "reaping processes left by this frr-ebpf topotest run")
    restore_sysctls()


def mark_processes(on):
    """Processes started while on carry RUN_MARK=<our pid>."""
    if on:
        os.environ[RUN_MARK] = str(os.getpid())
    else:
        os.environ.pop(RUN_MARK, None)


_CORE_SYSCTLS = ("kernel/core_pattern", "kernel/core_uses_pid", "fs/suid_dumpable")


def _save_sysctls():
    for key in _CORE_SYSCTLS:
        if key in _saved_sysctls:
            continue
        try:
            with open("/proc/sys/" + key, encoding="utf-8") as f:
                _saved_sysctls[key] = f.read()
        except OSError:
            pass


def restore_sysctls():
    for key, value in list(_saved_sysctls.items()):
        try:
            with open("/proc/sys/" + key, encoding="utf-8") as f:
                if f.read() == value:
                    continue
            with open("/proc/sys/" + key, "w", encoding="utf-8") as f:
                f.write(value)
            log.info("restored sysctl %s", key.replace("/", "."))
        except OSError:
            pass


# --------------------------------------------------------------------------
# Loading FRR's conftest
# --------------------------------------------------------------------------


def load_frr_conftest():
    """Import FRR's conftest.py as FRR_CONFTEST_NAME, patched; None (and a
    reason, see unavailable_reason()) if FRR's topotests cannot be found."""
    if _state["conftest"] is not None:
        return _state["conftest"]
    path, reason = find_frr_topotests()
    if path is None:
        _state["reason"] = reason
        return None
    _state["dir"] = path
    if path not in sys.path:
        sys.path.insert(0, path)

    import lib.topotest as topotest  # pylint: disable=import-outside-toplevel

    topotest.module_present_linux = _module_present_linux
    orig_fix_host_limits = topotest.fix_host_limits

    def fix_host_limits():
        _save_sysctls()
        orig_fix_host_limits()

    topotest.fix_host_limits = fix_host_limits
    atexit.register(restore_sysctls)

    spec = importlib.util.spec_from_file_location(
        FRR_CONFTEST_NAME, os.path.join(path, "conftest.py")
    )
    mod = importlib.util.module_from_spec(spec)
    sys.modules[FRR_CONFTEST_NAME] = mod
    spec.loader.exec_module(mod)

    # Names FRR's conftest looks up at call time.
    mod.diagnose_env = diagnose_env
    mod.cleanup_previous = cleanup_previous
    mod.cleanup_current = cleanup_current
    # lib.micronet put MICRONET_PID into our environment on import.
    os.environ.pop("MICRONET_PID", None)

    _state["conftest"] = mod
    return mod
