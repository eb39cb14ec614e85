#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Install everything frr-ebpf needs to build, run and test, from Debian's
# packages (Debian 12). Needs root. Safe to run again.
#   --frr10: only what scripts/frr10-build.sh needs on top of the list
#            below to build libyang 3 and FRR 10.3 from source.
set -euo pipefail

PKGS=(
	# FRR itself and what its source tree needs to configure
	frr frr-pythontools dpkg-dev autoconf automake libtool pkg-config
	bison flex libjson-c-dev libc-ares-dev libcap-dev libreadline-dev python3-dev
	# BPF toolchain and libraries
	clang llvm bpftool libbpf-dev libelf-dev libyang2-dev libyang2-tools
	# tests
	gcc make libcmocka-dev iproute2 iputils-ping procps ethtool
	python3-pytest python3-pytest-xdist python3-scapy python3-lxml iperf3
	# benchmark feeder
	exabgp
	# the Debian package (scripts/build-deb.sh) and its checks
	debhelper dh-autoreconf fakeroot lintian
)
FRR10_PKGS=(
	cmake libpcre2-dev libxxhash-dev gawk libprotobuf-c-dev protobuf-c-compiler
)
[ "${1:-}" = --frr10 ] && PKGS=("${PKGS[@]}" "${FRR10_PKGS[@]}")

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null
fi
echo "install-deps: all packages present"
