#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The main job: install dependencies, build, install, and bring up a demo
# router in network namespaces with FRR and the module, forwarding real
# traffic, and show the mirror. `scripts/demo.sh down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-up}" != up ]; then
	exec /usr/bin/python3 scripts/demo.py "$@"
fi
[ "$(id -u)" = 0 ] || { echo "demo: run as root (namespaces, bpffs)" >&2; exit 1; }
scripts/install-deps.sh
scripts/build.sh
make install
exec /usr/bin/python3 scripts/demo.py up
