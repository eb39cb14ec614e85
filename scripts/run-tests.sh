#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every test: dependencies, build, unit tests (also under ASan/UBSan),
# integration tests with the real zebra in network namespaces, topotests.
# Needs root for the last two (they skip, saying why, without it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then
	scripts/install-deps.sh
fi
scripts/build.sh

echo "== unit tests (cmocka)"
make check
echo "== unit tests under ASan/UBSan"
make check-sanitizers

echo "== integration and topotests (real zebra, namespaces, BPF)"
suites=(tests/integration)
[ -d topotests ] && [ -f topotests/conftest.py ] && suites+=(topotests)
exec /usr/bin/python3 -m pytest -v -p no:cacheprovider "${suites[@]}"
