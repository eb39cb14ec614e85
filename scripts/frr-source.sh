#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Fetch and configure the FRR source tree that matches the installed zebra,
# so the module is compiled against exactly the headers and config.h of the
# daemon that will load it (FRR does no version check at module load).
#
# usage: scripts/frr-source.sh DESTDIR
#   prints the configured source directory on its last line.
set -euo pipefail

dest=${1:?usage: $0 DESTDIR}
zebra=${ZEBRA:-/usr/lib/frr/zebra}

die() { echo "frr-source: $*" >&2; exit 1; }

[ -x "$zebra" ] || die "$zebra not found: install FRR first (apt-get install frr)"
version=$("$zebra" --version | sed -n 's/^zebra version \([^ ]*\).*/\1/p')
[ -n "$version" ] || die "cannot read the version of $zebra"

# A zebra built by scripts/frr10-build.sh: its configured source tree is
# in that script's cache, not in Debian's source package for this system.
if [ -f "$(dirname "$zebra")/../.frr-ebpf-built" ]; then
	FRR10_PREFIX=$(cd "$(dirname "$zebra")/.." && pwd) \
		"$(dirname "$0")/frr10-build.sh" | tail -n 1
	exit 0
fi

srcdir="$dest/frr-$version"
if [ -f "$srcdir/config.h" ] && [ -f "$srcdir/lib/route_types.h" ]; then
	echo "$srcdir"
	exit 0
fi

mkdir -p "$dest"
if [ ! -d "$srcdir" ]; then
	# Debian's source package is the only source that matches Debian's
	# binary, patches included. Enable deb-src if it is not yet.
	if ! apt-get source --print-uris frr >/dev/null 2>&1; then
		src=/etc/apt/sources.list.d/debian.sources
		[ -f "$src" ] || die "no $src: add a deb-src line for frr by hand"
		sed 's/^Types: deb$/Types: deb-src/' "$src" \
			>/etc/apt/sources.list.d/frr-ebpf-src.sources
		apt-get update -qq
	fi
	(cd "$dest" && apt-get source -qq "frr=$(dpkg-query -W -f '${Version}' frr)") >&2 ||
		die "apt-get source frr failed"
	got=$(ls -d "$dest"/frr-*/ 2>/dev/null | head -1)
	[ -d "$srcdir" ] || die "source unpacked as $got, not frr-$version"
fi

# Reuse the exact configure line of the installed zebra; rpki, snmp, pam
# and docs only add dependencies and do not change zebra's ABI.
args=$("$zebra" --version | sed -n '/configured with:/{n;p}')
eval "set -- $args"
keep=()
for a in "$@"; do
	case "$a" in
	--enable-rpki | --enable-snmp | --with-libpam | --enable-doc | --enable-doc-html) ;;
	*) keep+=("$a") ;;
	esac
done

(
	cd "$srcdir"
	[ -x configure ] || ./bootstrap.sh
	./configure "${keep[@]}" --disable-rpki --disable-snmp --disable-doc
	make lib/route_types.h lib/version.h
) >"$dest/frr-configure.log" 2>&1 || die "configuring $srcdir failed, see $dest/frr-configure.log"

echo "$srcdir"
