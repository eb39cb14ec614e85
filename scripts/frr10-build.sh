#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build FRR 10.3 and the libyang 3 it needs from Debian 13's (trixie) source
# packages into their own prefix, so the module can be built and tested
# against FRR 10 on a Debian 12 machine. Debian 12's FRR 8.4.4 and libyang2
# are left alone; no trixie binary package is ever installed (only a
# deb-src entry for trixie is added).
#
# usage: scripts/frr10-build.sh
#   env: FRR10_PREFIX   install prefix        (default /opt/frr-10.3)
#        FRR10_CACHE    sources and build tree (default /var/cache/frr-ebpf)
#        FRR10_JOBS     make -j               (default: nproc)
#   prints the configured FRR source tree (for --with-frr-source=) on its
#   last line. A second run finds the stamp and does nothing.
#
# Then build the module against it:
#   ./configure ZEBRA=$FRR10_PREFIX/sbin/zebra --with-frr-source=<last line>
set -euo pipefail

FRR_DEBVER=10.3-3+deb13u1
LY_DEBVER=3.12.2-1
prefix=${FRR10_PREFIX:-/opt/frr-10.3}
cache=${FRR10_CACHE:-/var/cache/frr-ebpf}/frr-$FRR_DEBVER
jobs=${FRR10_JOBS:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)

frrsrc=$cache/frr-${FRR_DEBVER%%-*}
lysrc=$cache/libyang-${LY_DEBVER%%-*}
stamp=$prefix/.frr-ebpf-built
log=$cache/build.log

die() { echo "frr10-build: $*" >&2; exit 1; }

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "frr $FRR_DEBVER libyang $LY_DEBVER" ] &&
	[ -x "$prefix/sbin/zebra" ] && [ -f "$frrsrc/config.h" ]; then
	echo "frr10-build: FRR $FRR_DEBVER already in $prefix" >&2
	echo "$frrsrc"
	exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root (apt-get, $prefix)"

# Build-deps, from Debian 12's packages: only those FRR 10.3 and libyang 3
# need beyond what scripts/install-deps.sh installs for 8.4.4.
"$here/install-deps.sh" --frr10 >&2

# Source packages only: a deb-src entry for trixie, same archive as
# bookworm's entries.
list=/etc/apt/sources.list.d/frr-ebpf-trixie-src.sources
if [ ! -f "$list" ]; then
	cat >"$list" <<'EOF'
# Added by frr-ebpf scripts/frr10-build.sh: source packages only (FRR 10.3
# and libyang 3 are built from source into their own prefix; no trixie
# binaries are ever installed).
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	apt-get update -qq
fi

mkdir -p "$cache"
: >"$log"
echo "frr10-build: building libyang $LY_DEBVER and FRR $FRR_DEBVER into $prefix (log: $log)" >&2
start=$(date +%s)

if [ ! -d "$lysrc" ] || [ ! -d "$frrsrc" ]; then
	(cd "$cache" && apt-get source -qq "libyang=$LY_DEBVER" "frr=$FRR_DEBVER") >>"$log" 2>&1 ||
		die "apt-get source failed, see $log"
fi

# libyang 3: Debian's cmake options, our prefix; rpath so FRR's daemons
# find it without ld.so.conf (Debian 12's libyang2 stays the system one).
if [ ! -f "$prefix/lib/pkgconfig/libyang.pc" ]; then
	(
		mkdir -p "$lysrc/build" && cd "$lysrc/build"
		cmake .. -DCMAKE_BUILD_TYPE:String=Release \
			-DCMAKE_INSTALL_PREFIX="$prefix" \
			-DCMAKE_INSTALL_LIBDIR=lib \
			-DCMAKE_INSTALL_RPATH="$prefix/lib" \
			-DENABLE_TESTS=OFF -DENABLE_VALGRIND_TESTS=OFF
		make -j"$jobs"
		make install
	) >>"$log" 2>&1 || die "libyang build failed, see $log"
fi

# FRR 10.3: Debian's configure line (debian/rules) with the options that
# shape zebra's ABI kept (multipath 256, fpm, protobuf/zeromq off, user
# frr) and the prefix ours. rpki/snmp/pam/docs/scripting only add
# dependencies; daemons the module's tests do not run are left out to save
# build time. Built in the source tree: the module compiles against its
# config.h and generated headers.
(
	cd "$frrsrc"
	export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
	if [ ! -f config.status ]; then
		[ -x configure ] || ./bootstrap.sh
		./configure \
			--prefix="$prefix" \
			--sbindir="$prefix/sbin" \
			--sysconfdir="$prefix/etc" \
			--localstatedir="$prefix/var" \
			--runstatedir=/run/frr-10.3 \
			--libdir="$prefix/lib/frr" \
			--with-moduledir="$prefix/lib/frr/modules" \
			--with-vtysh-pager=/usr/bin/pager \
			--disable-dependency-tracking \
			--disable-rpki --disable-scripting --disable-snmp --disable-doc \
			--enable-fpm --disable-protobuf --disable-zeromq \
			--enable-ospfapi --enable-multipath=256 \
			--disable-bgp-vnc \
			--disable-ripd --disable-ripngd --disable-isisd --disable-fabricd \
			--disable-pimd --disable-pim6d --disable-ldpd --disable-nhrpd \
			--disable-eigrpd --disable-babeld --disable-pbrd --disable-bfdd \
			--disable-vrrpd --disable-pathd \
			--enable-user=frr --enable-group=frr --enable-vty-group=frrvty \
			--enable-configfile-mask=0640 --enable-logfile-mask=0640 \
			LDFLAGS="-Wl,-rpath,$prefix/lib" LIBS=-latomic PYTHON=python3
		# Configured again over an old build: without dependency
		# tracking (Debian's choice) make would keep stale objects.
		make clean
	fi
	make -j"$jobs"
	make install
	# FRR creates only the last level of its state dirs.
	mkdir -p "$prefix/var/lib/frr"
	chown frr:frr "$prefix/var/lib/frr"
) >>"$log" 2>&1 || die "FRR build failed, see $log"

echo "frr $FRR_DEBVER libyang $LY_DEBVER" >"$stamp"
echo "frr10-build: done in $(($(date +%s) - start)) s" >&2
echo "$frrsrc"
