#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job, the operator's way: install dependencies, build the Debian
# package (dpkg-buildpackage, in a copy of this tree), install it with apt,
# and bring up a demo router in network namespaces with Debian's FRR and
# the installed module, forwarding real traffic, and show the mirror.
# `scripts/demo.sh down` removes the demo (the package stays installed:
# `apt-get remove frr-ebpf`).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-up}" != up ]; then
	exec /usr/bin/python3 scripts/demo.py "$@"
fi
[ "$(id -u)" = 0 ] || { echo "demo: run as root (apt, namespaces, bpffs)" >&2; exit 1; }
scripts/install-deps.sh
deb=$(scripts/build-deb.sh debs | tail -n 1)
echo "demo: installing $deb"
# --reinstall: a rebuilt package of the same version replaces the old one
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --reinstall "$deb"
exec /usr/bin/python3 scripts/demo.py up
