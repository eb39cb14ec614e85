#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The model is valid for yanglint, without a warning, and round-trips
# through `yanglint -f yang`: the printed module parses again and prints
# identically.
set -eu
model=${srcdir:-.}/yang/frr-ebpf.yang
command -v yanglint >/dev/null || {
	echo "SKIP: yanglint not installed (apt-get install libyang2-tools)"
	exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/1" "$tmp/2"

# lint: yanglint prints warnings but exits 0 on them; a warning fails here
yanglint "$model" 2>"$tmp/lint"
if [ -s "$tmp/lint" ]; then
	echo "FAIL: yanglint $model:"
	cat "$tmp/lint"
	exit 1
fi
echo "ok: yanglint accepts $model"

# files named after the module, or yanglint warns about the name
yanglint -f yang "$model" >"$tmp/1/frr-ebpf.yang"
yanglint -f yang "$tmp/1/frr-ebpf.yang" >"$tmp/2/frr-ebpf.yang"
if ! cmp -s "$tmp/1/frr-ebpf.yang" "$tmp/2/frr-ebpf.yang"; then
	echo "FAIL: yanglint -f yang does not round-trip:"
	diff -u "$tmp/1/frr-ebpf.yang" "$tmp/2/frr-ebpf.yang"
	exit 1
fi
echo "ok: yanglint -f yang round-trips ($(wc -l <"$tmp/1/frr-ebpf.yang") lines)"
# counted by scripts/run-tests.sh
echo "2 passed, 0 failed"
