#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build the Debian package (dpkg-buildpackage -b, debian/) in a copy of
# this tree, so the developer build here is left alone (dh's clean step
# would distclean it), then check it with lintian (errors fail).
#
# usage: scripts/build-deb.sh [OUTDIR]      (default: ./debs)
#   prints the path of frr-ebpf_<version>_<arch>.deb on its last line.
# The copy holds the tracked and untracked, not ignored, files; ./frr-src
# (the FRR source configure fetched) is copied along when present, so it
# is not fetched again.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$top/debs}")

for tool in dpkg-buildpackage dh lintian; do
	command -v "$tool" >/dev/null ||
		{ echo "build-deb: $tool missing: run scripts/install-deps.sh" >&2; exit 1; }
done

work=$(mktemp -d /tmp/frr-ebpf-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/src"
(cd "$top" && git ls-files -co --exclude-standard -z |
	tar --null -T - -cf -) | tar -xf - -C "$work/src"
version=$(/usr/lib/frr/zebra --version | sed -n 's/^zebra version \([^ ]*\).*/\1/p')
if [ -f "$top/frr-src/frr-$version/config.h" ]; then
	mkdir -p "$work/src/frr-src"
	cp -a "$top/frr-src/frr-$version" "$work/src/frr-src/"
fi

echo "build-deb: dpkg-buildpackage in $work/src (log: $out/build.log)" >&2
mkdir -p "$out"
(cd "$work/src" && dpkg-buildpackage -b -us -uc) >"$out/build.log" 2>&1 || {
	tail -n 40 "$out/build.log" >&2
	echo "build-deb: dpkg-buildpackage failed, see $out/build.log" >&2
	exit 1
}
changes=$(ls "$work"/frr-ebpf_*.changes)
# lintian's exit status is non-zero on errors (warnings do not fail)
lintian --fail-on error "$changes" >"$out/lintian.log" 2>&1 || {
	cat "$out/lintian.log" >&2
	echo "build-deb: lintian reports errors" >&2
	exit 1
}
grep -E '^[EW]: ' "$out/lintian.log" >&2 || true
deb=$(basename "$(ls "$work"/frr-ebpf_*.deb | grep -v dbgsym)")
cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out/"
echo "$out/$deb"
