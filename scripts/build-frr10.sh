#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the module for FRR 10.3 beside the FRR 8.4 build, from the same
# source: FRR 10.3 itself comes from scripts/frr10-build.sh (cached), the
# module tree is copied into build-frr10/ (an in-tree 8.4 build forbids a
# VPATH one) and configured there for FRR 10.3's zebra.
#
# usage: scripts/build-frr10.sh [configure args]
#   env: FRR10_PREFIX as for scripts/frr10-build.sh (default /opt/frr-10.3)
#        FE_BUILD10   build directory (default build-frr10)
# The tests take this build with FE_FRR10=1 (scripts/run-tests.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
prefix=${FRR10_PREFIX:-/opt/frr-10.3}
out=${FE_BUILD10:-build-frr10}

frrsrc=$(scripts/frr10-build.sh | tail -n 1)
[ -f "$frrsrc/config.h" ] || { echo "build-frr10: no FRR 10 source tree" >&2; exit 1; }

# The sources as they are now (committed or not), not the 8.4 build's
# outputs; without git (a tarball), everything but the build outputs.
mkdir -p "$out"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -co --exclude-standard -z
else
	find . -path "./$out" -prune -o -path ./frr-src -prune -o -type f -print0
fi | tar --null -T - -cf - | tar -C "$out" -xf -

cd "$out"
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi
if [ ! -f Makefile ] || [ configure -nt config.status ]; then
	./configure ZEBRA="$prefix/sbin/zebra" --with-frr-source="$frrsrc" "$@"
fi
make -j"$(nproc)"
