#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a vtysh that knows the module's commands, from the FRR source that
# matches the installed FRR. Debian's vtysh answers "% Unknown command" to
# them: vtysh's command table is generated at build time from the daemons'
# sources (vtysh/extract.pl), so ours has to be generated with the module's
# DEFUNs added, as zebra commands.
#
# usage: scripts/build-vtysh.sh FRR_SRC TOP_SRCDIR TOP_BUILDDIR OUT
#   FRR_SRC       configured FRR source tree (scripts/frr-source.sh)
#   OUT           where to put the vtysh binary
#   env FE_FRR_VERSION_NUM  as configure found it (frr-module/frr_compat.h)
# It runs against the installed libfrr.so.0 (same version, same ABI).
set -euo pipefail

frr=${1:?FRR_SRC}
top=$(cd "${2:?TOP_SRCDIR}" && pwd)
build=$(cd "${3:?TOP_BUILDDIR}" && pwd)
out=$(realpath -m "${4:?OUT}")

# The module's files that define commands (DEFUN ... install_element).
cmd_files=$(grep -l '^DEFUN' "$top"/frr-module/*.c)

cd "$frr"
# Called from our make: FRR's make must not inherit its flags or jobserver.
unset MAKEFLAGS MAKELEVEL MFLAGS
jobs=$(nproc)
make --no-print-directory -j"$jobs" lib/libfrr.la >/dev/null

# The daemons' own list of files to scan, as FRR's Makefile has it.
scan=$(make --no-print-directory -s -f Makefile -f - print-vtysh-scan <<'EOF'
print-vtysh-scan:
	@echo $(vtysh_scan)
EOF
)

# extract.pl runs the preprocessor on each file: give it our include
# paths. extract.pl names the daemon by the file's folder: the copies go
# to zebra/, under a prefix no FRR file uses.
extract=$(mktemp)
trap 'rm -f "$extract"; rm -f zebra/frr_ebpf_cli_*.c' EXIT
sed "s|-DVTYSH_EXTRACT_PL|-DVTYSH_EXTRACT_PL -DFE_FRR_VERSION_NUM=${FE_FRR_VERSION_NUM:?from make} -I$top/frr-module -I$top/lib -I$top/bpf -I$build/bpf $(pkg-config --cflags libyang)|" \
	vtysh/extract.pl >"$extract"
ours=""
for f in $cmd_files; do
	copy=zebra/frr_ebpf_cli_$(basename "$f")
	cp "$f" "$copy"
	ours="$ours $copy"
done
# shellcheck disable=SC2086
perl "$extract" $scan $ours >vtysh/vtysh_cmd.c.new
grep -q 'show_ebpf_mirror_cmd_vtysh' vtysh/vtysh_cmd.c.new || {
	echo "build-vtysh: the module's commands were not extracted" >&2
	exit 1
}
mv vtysh/vtysh_cmd.c.new vtysh/vtysh_cmd.c
# Newer than its inputs, so make does not generate it again without us.
touch vtysh/vtysh_cmd.c
make --no-print-directory -j"$jobs" vtysh/vtysh >/dev/null
mkdir -p "$(dirname "$out")"
cp vtysh/.libs/vtysh "$out"
echo "build-vtysh: $out knows $(grep -c '_cmd_vtysh,' vtysh/vtysh_cmd.c) commands, $(grep -c 'ebpf' vtysh/vtysh_cmd.c) of them lines of the ebpf module"
