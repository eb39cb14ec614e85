# SPDX-License-Identifier: GPL-2.0-or-later
"""Find and load FRR's topotest framework (topogen, on micronet for FRR
8.4, on munet for FRR 10.x) from an FRR source tree, run it with the FRR
daemons of FE_FRR_DAEMONS, and adapt it to this environment.

Every difference between the FRR versions the scenarios meet is handled
here (see also ../README.md):

* FRR's conftest.py is loaded under the module name `frr_topotests_conftest`
  (our own conftest.py re-exports its hooks and fixtures, so they apply to
  the tests under topotests/ only; frr_conftest_names() says which, per
  version).
* The daemons: FE_FRR_DAEMONS (default: FRR's pytest.ini [topogen] frrdir,
  else /usr/lib/frr) replaces topogen's frrdir, whatever FRR's pytest.ini
  says. Their FRR version must be the framework's (FRR 10's topotest starts
  mgmtd, which staticd's and zebra's configuration go through; 8.4's does
  not).
* Paths. FRR's topotest gives each router private /etc/frr, /var/run/frr
  and /var/lib/frr and starts the daemons without path options, so the
  daemons must have been built for those paths (Debian's are). For daemons
  built with others (/opt/frr-10.3: /opt/frr-10.3/etc/frr, /run/frr-10.3/frr,
  /opt/frr-10.3/var/lib/frr), each router's private directories are
  bind-mounted onto the daemons' own paths inside the router's mount
  namespace before its daemons start (alias_router_paths()); vtysh is taken
  from the same FRR (its bindir first in PATH).
* Process cleanup. FRR's cleanup_previous() kills every process whose
  environment holds MICRONET_PID (8.4) or MUNET_PID (10.x), whatever its
  value (its "is the owning run still alive" filter never matches), i.e.
  also the daemons of a topotest run going on in parallel, and anything
  else that inherited the variable; cleanup_current() kills every process
  carrying this pytest's pid, which in a mixed pytest session includes
  processes that other tests started. Both are replaced: processes started
  while one of our test modules runs carry FE_TOPOTEST_RUN=<pytest pid>; at
  session start we kill only such processes whose pytest is gone (and that
  are not in our network namespace), at session end only those of this
  pytest. MICRONET_PID / MUNET_PID never stay in our environment (8.4 sets
  it on import, 10.x each time a topology is created), so nothing we start
  can be reaped by someone else's unmodified FRR topotest run.
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
import shlex
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOPOTESTS = os.path.dirname(HERE)
TOP = os.path.dirname(TOPOTESTS)

FRR_CONFTEST_NAME = "frr_topotests_conftest"
RUN_MARK = "FE_TOPOTEST_RUN"
DAEMONS_ENV = "FE_FRR_DAEMONS"
FRR_DAEMON_DIR_DEFAULT = "/usr/lib/frr"
# Daemons the tests in this folder start; a missing one is an error.
REQUIRED_DAEMONS = ("zebra", "staticd")
# FRR 10's topotest starts mgmtd with zebra, and refuses a daemon dir
# without it.
REQUIRED_DAEMONS_MUNET = REQUIRED_DAEMONS + ("mgmtd",)

# The paths FRR's topotest gives each router (private tmpfs mounts), which
# it expects the daemons to use: {kind: path}.
TOPOTEST_PATHS = {
    "sysconf": "/etc/frr",
    "runstate": "/var/run/frr",
    "libstate": "/var/lib/frr",
}
# A tmpfs of its own in each router that needs path aliases (overlay upper
# directories); an empty directory on the host.
ALIAS_TMPFS = "/run/frr-ebpf-test/frr-paths"

# FRR's conftest hooks and fixtures that our conftest re-exports, of either
# version (those that FRR's conftest does not define are left out):
# 8.4 logs per test module with the logstart/logfinish hooks and has
# setup_session_auto; 10.x does it with the module_autouse fixture and has
# session_autouse. Left out on purpose: 10.x's pytest_exception_interact
# (a support bundle of every router on any failure) and
# pytest_terminal_summary (coverage and pause-at-end only).
FRR_CONFTEST_NAMES = (
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_logstart",
    "pytest_runtest_logfinish",
    "pytest_runtest_call",
    "pytest_assertrepr_compare",
    "pytest_runtest_setup",
    "pytest_runtest_makereport",
    "module_autouse",
    "module_check_memtest",
    "setup_session_auto",
    "session_autouse",
    "tgen",
    "topo",
)

_state = {"dir": None, "reason": None, "conftest": None, "frr": None}
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


def framework():
    """"munet" (FRR 9 and later) or "micronet" (8.4): the library FRR's
    topotest builds its namespaces with; None before loading."""
    if not _state["dir"]:
        return None
    return "munet" if os.path.isdir(os.path.join(_state["dir"], "munet")) else "micronet"


def framework_version():
    """The FRR version of the topotest framework's source tree ("10.3"), or
    None (not an FRR source tree)."""
    try:
        with open(os.path.join(_state["dir"] or "", "..", "..", "configure.ac"),
                  encoding="utf-8", errors="replace") as f:
            m = re.search(r"AC_INIT\(\[frr\],\s*\[([^\]]+)\]", f.read())
            return m.group(1) if m else None
    except OSError:
        return None


# --------------------------------------------------------------------------
# The FRR daemons under test
# --------------------------------------------------------------------------

# zebra's route types of FRR 8.4 (lib/route_types.txt), for when FRR's
# source tree does not have the file.
ROUTE_TYPES_84 = ("system", "kernel", "connected", "static", "rip", "ripng",
                  "ospf", "ospf6", "isis", "bgp")


def route_types():
    """{protocol name as `show ip route json` gives it: zebra route type
    number} of the FRR under test (the number the module stores as a
    route's protocol), from the framework's source tree, whose FRR version
    diagnose_env() checks is the daemons': lib/route_types.txt, numbered in
    its order. FRR 10 added "local" (3) after "connected", so static is 4,
    ospf 7, bgp 10 there (3, 6 and 9 in 8.4)."""
    names = []
    try:
        with open(os.path.join(_state["dir"] or "", "..", "..", "lib",
                               "route_types.txt"), encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^ZEBRA_ROUTE_\w+,\s*(\w+),", line)
                if m:
                    names.append(m.group(1))
    except OSError:
        pass
    return {name: i for i, name in enumerate(names or ROUTE_TYPES_84)}


def has_local_routes():
    """Whether zebra installs a "local" host route for each interface
    address (FRR 10; not 8.4)."""
    return "local" in route_types()



def frr_daemon_dir():
    """FE_FRR_DAEMONS, else the [topogen] frrdir of FRR's pytest.ini, else
    /usr/lib/frr."""
    env = os.environ.get(DAEMONS_ENV)
    if env:
        return os.path.abspath(env)
    cfg = configparser.ConfigParser(defaults={"frrdir": FRR_DAEMON_DIR_DEFAULT})
    cfg.read(os.path.join(_state["dir"] or "", "pytest.ini"))
    try:
        return cfg.get("topogen", "frrdir")
    except (configparser.NoSectionError, configparser.NoOptionError):
        return FRR_DAEMON_DIR_DEFAULT


def _version_tuple(version):
    return tuple(int(x) for x in re.findall(r"\d+", version or "")[:2])


def parse_frr_build(version_output):
    """What `zebra --version` tells of a build: {"version": "10.3",
    "sysconf", "runstate", "libstate": the daemons' paths, "bindir": where
    vtysh was installed}, following FRR's configure: up to 9.1 sysconfdir
    and localstatedir are used as given (Debian's 8.4:
    --sysconfdir=/etc/frr --localstatedir=/var/run/frr); from about 9.2 on
    FRR appends /frr to sysconfdir, runstatedir (default localstatedir/run)
    and localstatedir/lib, after removing a /frr (or /run/frr) suffix given
    the old way."""
    m = re.search(r"version\s+(\S+)", version_output)
    version = m.group(1) if m else ""
    args = {}
    text = version_output.split("configured with:", 1)[-1]
    try:
        words = shlex.split(text)
    except ValueError:
        words = text.split()
    for w in words:
        if w.startswith("--") and "=" in w:
            k, v = w[2:].split("=", 1)
            args[k] = v  # a later option wins, as in configure

    prefix = args.get("prefix", "/usr/local")
    eprefix = args.get("exec-prefix", prefix)

    def get(name, default):
        value = args.get(name, default)
        for _ in range(5):
            value = (value.replace("${prefix}", prefix)
                     .replace("${exec_prefix}", eprefix))
        return value

    sysconfdir = get("sysconfdir", "${prefix}/etc").rstrip("/")
    localstatedir = get("localstatedir", "${prefix}/var").rstrip("/")
    bindir = get("bindir", "${exec_prefix}/bin")
    if _version_tuple(version) >= (9, 2):
        if sysconfdir.endswith("/frr"):
            sysconfdir = sysconfdir[: -len("/frr")]
        for suffix in ("/run/frr", "/frr"):
            if localstatedir.endswith(suffix):
                localstatedir = localstatedir[: -len(suffix)]
                break
        runstatedir = get("runstatedir", localstatedir + "/run").rstrip("/")
        paths = {
            "sysconf": sysconfdir + "/frr",
            "runstate": runstatedir + "/frr",
            "libstate": localstatedir + "/lib/frr",
        }
    else:
        # No lib state dir before 9.2 (topotest's /var/lib/frr is unused).
        paths = {"sysconf": sysconfdir, "runstate": localstatedir,
                 "libstate": TOPOTEST_PATHS["libstate"]}
    return dict(paths, version=version, bindir=bindir)


def frr_build():
    """parse_frr_build() of the daemons of frr_daemon_dir() (cached); {} if
    their zebra cannot tell."""
    if _state["frr"] is None:
        zebra = os.path.join(frr_daemon_dir(), "zebra")
        try:
            out = subprocess.run([zebra, "--version"], capture_output=True,
                                 text=True, timeout=30, check=False).stdout
        except OSError:
            out = ""
        _state["frr"] = parse_frr_build(out) if "version" in out else {}
    return _state["frr"]


def _ldd(path):
    """{soname: path} of an ELF file's libraries, as the loader finds them
    ({} for anything else)."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return {}
        out = subprocess.run(["ldd", path], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return dict(re.findall(r"^\s*(\S+) => (/\S+)", out, re.M))


def libyang_preload():
    """The libyang of FRR's libfrr when a daemon in the daemon dir also
    links another libyang (cached; None when none does).

    /opt/frr-10.3's ospfd and ospf6d (and vtysh) were linked against
    Debian 12's libyang.so.2 besides the libyang.so.3 of their libfrr; the
    loader then binds libfrr's libyang calls to libyang 2, and ospfd exits
    at start-up ("nb_validate_callbacks: failed to validate northbound
    callbacks"). The routers' daemons are then started with libfrr's
    libyang preloaded (LD_PRELOAD while topotest starts them; a no-op for
    the daemons that link only that one)."""
    if "preload" not in _state:
        frrdir = frr_daemon_dir()
        libfrr = _ldd(os.path.join(frrdir, "zebra")).get("libfrr.so.0")
        frr_yang = [p for n, p in _ldd(libfrr).items()
                    if n.startswith("libyang.so")] if libfrr else []
        preload = None
        if len(frr_yang) == 1:
            for name in sorted(os.listdir(frrdir)):
                yangs = {p for n, p in _ldd(os.path.join(frrdir, name)).items()
                         if n.startswith("libyang.so")}
                if yangs - set(frr_yang):
                    log.warning("%s/%s links %s besides libfrr's %s",
                                frrdir, name, sorted(yangs - set(frr_yang)),
                                frr_yang[0])
                    preload = frr_yang[0]
        _state["preload"] = preload
    return _state["preload"]


def path_aliases():
    """[(kind, daemons' path, topotest's path)] where the daemons were built
    for other paths than FRR's topotest gives the routers."""
    build = frr_build()
    out = []
    for kind, topo in TOPOTEST_PATHS.items():
        built = build.get(kind)
        if built and os.path.normpath(built) != os.path.normpath(topo):
            out.append((kind, os.path.normpath(built), topo))
    return out


def _router_has_dir(router, path):
    rc, _, _ = router.cmd_status("test -d " + shlex.quote(path), warn=False)
    return rc == 0


def alias_router_paths(router):
    """Make a topotest router's daemons find its private /etc/frr,
    /var/run/frr and /var/lib/frr under the paths they were built for:
    bind mounts in the router's mount namespace (nothing to do for daemons
    built for topotest's paths). A missing run or lib state dir is created
    on the host, as the daemons themselves do at start-up; a missing config
    dir (part of an installation: /opt/frr-10.3/etc/frr) is made to exist
    in the router only, by an overlay (upper dir on a tmpfs of the router)
    on its nearest existing parent, which must have no mount below it.
    Done once per router, before its daemons first start."""
    aliases = path_aliases()
    if not aliases or getattr(router, "_fe_paths_aliased", False):
        return
    q = shlex.quote
    overlays = []
    for kind, built, _ in aliases:
        if _router_has_dir(router, built):
            continue
        if kind != "sysconf":
            frr = pwd.getpwnam("frr")
            os.makedirs(built, exist_ok=True)
            os.chown(built, frr.pw_uid, frr.pw_gid)
            continue
        parent = os.path.dirname(built)
        while not _router_has_dir(router, parent):
            parent = os.path.dirname(parent)
        if parent in overlays:
            router.cmd_raises("mkdir -p " + q(built))
            continue
        mounts = router.cmd_raises("cut -d' ' -f5 /proc/self/mountinfo").split()
        below = [m for m in mounts if m.startswith(parent.rstrip("/") + "/")]
        if parent == "/" or below:
            raise RuntimeError(
                "{}: cannot make {} exist in the router: its parent {} has "
                "mounts below it ({})".format(router.name, built, parent, below))
        if not overlays:
            os.makedirs(ALIAS_TMPFS, exist_ok=True)
            router.cmd_raises("mount -t tmpfs fe-frr-paths " + q(ALIAS_TMPFS))
        up = "{}/{}".format(ALIAS_TMPFS, len(overlays))
        router.cmd_raises("mkdir -p {0}/upper {0}/work".format(q(up)))
        router.cmd_raises(
            "mount -t overlay fe-frr-paths -o lowerdir={1},upperdir={0}/upper,"
            "workdir={0}/work {1}".format(q(up), q(parent)))
        overlays.append(parent)
        router.cmd_raises("mkdir -p " + q(built))
    for _, built, topo in aliases:
        router.cmd_raises("mount --bind {} {}".format(q(topo), q(built)))
    log.info("%s: FRR paths %s", router.name,
             ", ".join("{} -> {}".format(t, b) for _, b, t in aliases))
    router._fe_paths_aliased = True  # pylint: disable=protected-access


def use_frr_vtysh():
    """vtysh of the FRR under test first in PATH (topotest runs `vtysh` in
    the routers): its bindir, if it has a vtysh."""
    bindir = frr_build().get("bindir")
    if not bindir or not os.access(os.path.join(bindir, "vtysh"), os.X_OK):
        return
    path = os.environ.get("PATH", "").split(os.pathsep)
    if path and path[0] == bindir:
        return
    os.environ["PATH"] = os.pathsep.join([bindir] + [p for p in path if p != bindir])


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
    frrdir = frr_daemon_dir()
    required = REQUIRED_DAEMONS_MUNET if framework() == "munet" else REQUIRED_DAEMONS
    for d in required:
        if not os.access(os.path.join(frrdir, d), os.X_OK):
            bad("{}/{} not found".format(frrdir, d))
    for d in ("pim6d", "sharpd", "ldpd"):
        if not os.path.exists(os.path.join(frrdir, d)):
            lines.append("note: {}/{} absent (not needed here)".format(frrdir, d))
    build = frr_build()
    fw_version = framework_version()
    lines.append("FRR daemons: {} (FRR {})".format(frrdir, build.get("version")))
    lines.append("FRR topotests: {} ({}, FRR {})".format(
        _state["dir"], framework(), fw_version))
    if not build:
        bad("{}/zebra --version tells no FRR version".format(frrdir))
    elif fw_version and (_version_tuple(build["version"])
                         != _version_tuple(fw_version)):
        bad("the FRR daemons in {} are FRR {} but the topotest framework in "
            "{} is FRR {}'s: set FRR_TOPOTESTS_DIR and {} to the same "
            "FRR".format(frrdir, build["version"], _state["dir"], fw_version,
                         DAEMONS_ENV))
    for _, built, topo in path_aliases():
        lines.append("router path {} seen by the daemons as {}".format(topo, built))
    if libyang_preload():
        lines.append("daemons started with LD_PRELOAD={} (a daemon links a "
                     "second libyang)".format(libyang_preload()))
    try:
        pwd.getpwnam("frr")
        if "frr" not in grp.getgrnam("frrvty").gr_mem:
            bad('user "frr" is not in group "frrvty"')
    except KeyError as e:
        bad("FRR user/group missing: {}".format(e))
    try:
        with open(os.path.join(rundir, "diagnostics.txt"), "w", encoding="utf-8") as f:
            f.write("frr-ebpf topotest diagnostics\n")
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


def _patch_framework():
    """The workarounds that patch FRR's lib (imported from FRR's folder)."""
    # pylint: disable=import-outside-toplevel
    import lib.topogen as topogen
    import lib.topotest as topotest

    topotest.module_present_linux = _module_present_linux
    orig_fix_host_limits = topotest.fix_host_limits

    def fix_host_limits():
        _save_sysctls()
        orig_fix_host_limits()

    topotest.fix_host_limits = fix_host_limits
    atexit.register(restore_sysctls)

    # Topogen and each router read their [topogen] defaults from FRR's
    # pytest.ini (a shared source tree): the daemon dir is ours. (8.4's
    # routers take topogen's; 10.x's their own, config_host() is called
    # without topogen's parameters.)
    def own_frrdir(config):
        if not config.has_section("topogen"):
            config.add_section("topogen")
        config.set("topogen", "frrdir", frr_daemon_dir())

    orig_load_config = topogen.Topogen._load_config  # pylint: disable=protected-access

    def _load_config(self):
        orig_load_config(self)
        own_frrdir(self.config)

    topogen.Topogen._load_config = _load_config  # pylint: disable=protected-access
    orig_router_init = topotest.Router.__init__

    def router_init(self, *args, **kwargs):
        orig_router_init(self, *args, **kwargs)
        own_frrdir(self.config_defaults)

    topotest.Router.__init__ = router_init

    # Each router's paths, as its daemons know them, before they start.
    orig_start_daemons = topotest.Router.startRouterDaemons

    def startRouterDaemons(self, *args, **kwargs):  # pylint: disable=invalid-name
        alias_router_paths(self)
        preload = libyang_preload()
        if not preload:
            return orig_start_daemons(self, *args, **kwargs)
        saved = os.environ.get("LD_PRELOAD")
        os.environ["LD_PRELOAD"] = preload
        try:
            return orig_start_daemons(self, *args, **kwargs)
        finally:
            if saved is None:
                os.environ.pop("LD_PRELOAD", None)
            else:
                os.environ["LD_PRELOAD"] = saved

    topotest.Router.startRouterDaemons = startRouterDaemons

    if framework() == "munet":
        # munet sets MUNET_PID in our environment whenever a topology is
        # created (BaseMunet), then creates its namespaces (LinuxNamespace):
        # drop it there, so nothing we start carries it.
        import munet.base

        orig_ns_init = munet.base.LinuxNamespace.__init__

        def ns_init(self, *args, **kwargs):
            os.environ.pop("MUNET_PID", None)
            orig_ns_init(self, *args, **kwargs)

        munet.base.LinuxNamespace.__init__ = ns_init


def frr_conftest_names():
    """The hooks and fixtures of FRR's conftest to re-export (this FRR's
    among FRR_CONFTEST_NAMES)."""
    mod = _state["conftest"]
    return [n for n in FRR_CONFTEST_NAMES if mod is not None and hasattr(mod, n)]


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
    # FRR's source tree may be shared (FRR 10.3's is): no __pycache__ in it.
    sys.dont_write_bytecode = True

    _patch_framework()
    use_frr_vtysh()

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
    # lib.micronet (8.4) put MICRONET_PID into our environment on import.
    os.environ.pop("MICRONET_PID", None)

    _state["conftest"] = mod
    return mod
