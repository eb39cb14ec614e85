#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Build frr-ebpf in the source tree: autoreconf, configure (which fetches
# and configures the FRR source matching the installed zebra), make.
# Extra arguments go to configure.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x configure ] || autoreconf -fi
[ -f Makefile ] || ./configure "$@"
make -j"$(nproc)"
