#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every test: dependencies, build, unit tests (also under ASan/UBSan),
# datapath tests (BPF_PROG_TEST_RUN), integration tests with the real
# zebra in network namespaces, FRR topotests. The last three need root
# and skip, saying why, without it. Ends with one total line.
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh || exit 1
fi
scripts/build.sh || exit 1

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
status=0

step() {
	local name=$1
	shift
	echo "== $name"
	"$@" 2>&1 | tee "$log/$name.out"
	local rc=${PIPESTATUS[0]}
	[ "$rc" = 0 ] || { echo "== $name FAILED (exit $rc)"; status=1; }
}

step unit make check
step sanitizers make check-sanitizers
step integration /usr/bin/python3 -m pytest -v -p no:cacheprovider tests/integration
# FRR's topotest hooks are session-wide: their own pytest run.
step topotests sh -c 'cd topotests && exec /usr/bin/python3 -m pytest -v -p no:cacheprovider'

# One total over every runner: cmocka and datapath counts from the
# automake logs, pytest's from its summary lines.
/usr/bin/python3 - "$log" <<'PY'
import glob, re, sys
p = f = s = 0
for path in (glob.glob("tests/unit/*.log") + glob.glob("tests/datapath/*.log")
             + glob.glob("tests/yang/*.log")):
    text = open(path).read()
    m = re.search(r"\[  PASSED  \] (\d+) test", text)
    p += int(m.group(1)) if m else 0
    m = re.search(r"\[  FAILED  \] (\d+) test", text)
    f += int(m.group(1)) if m else 0
    m = re.search(r"^(\d+) passed, (\d+) failed$", text, re.M)
    if m:
        p, f = p + int(m.group(1)), f + int(m.group(2))
    if re.search(r"^SKIP: ", text, re.M):
        s += 1
for name in ("integration", "topotests"):
    try:
        text = open(f"{sys.argv[1]}/{name}.out").read()
    except OSError:
        continue
    lines = [l for l in text.splitlines() if re.match(r"^=+ .* in [\d.]+s", l)]
    if lines:
        last = lines[-1]
        for n, what in re.findall(r"(\d+) (passed|failed|skipped|error)", last):
            if what == "passed":
                p += int(n)
            elif what == "skipped":
                s += int(n)
            else:
                f += int(n)
print(f"\ntotal: {p} passed, {f} failed, {s} skipped")
PY
exit $status
