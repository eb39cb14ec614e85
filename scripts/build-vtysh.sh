#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a vtysh that knows the module's commands, from the FRR source that
# matches the installed FRR. FRR's own vtysh answers "% Unknown command" to
# them: vtysh's command table is generated when vtysh is built, so ours has
# to be generated with the module's commands added, as zebra commands.
# FRR 8.x makes the table from the daemons' sources (vtysh/extract.pl),
# newer FRR (10.x) from the xref notes of the built daemons (xrelfo.py).
#
# usage: scripts/build-vtysh.sh FRR_SRC TOP_SRCDIR TOP_BUILDDIR OUT
#   FRR_SRC       configured FRR source tree (scripts/frr-source.sh)
#   OUT           where to put the vtysh binary
#   env FE_FRR_VERSION_NUM  as configure found it (frr-module/frr_compat.h)
#   env, xref only: CC, FE_VTYSH_CFLAGS (the module's FRR include flags),
#       FRR_LIBS (the installed libfrr.so.0)
# It runs against the installed libfrr.so.0 (same version, same ABI).
set -euo pipefail

frr=${1:?FRR_SRC}
top=$(cd "${2:?TOP_SRCDIR}" && pwd)
build=$(cd "${3:?TOP_BUILDDIR}" && pwd)
out=$(realpath -m "${4:?OUT}")
jobs=$(nproc)

# FRR 8.x: extract.pl over the daemons' sources and copies of ours, then
# FRR's make builds vtysh in FRR's tree (our own frr-src, ours to write).
by_extract() {
	# The module's files that define commands (DEFUN ... install_element).
	cmd_files=$(grep -l '^DEFUN' "$top"/frr-module/*.c)

	cd "$frr"
	# Called from our make: FRR's make must not inherit its flags or jobserver.
	unset MAKEFLAGS MAKELEVEL MFLAGS
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
	check_table vtysh/vtysh_cmd.c.new
	mv vtysh/vtysh_cmd.c.new vtysh/vtysh_cmd.c
	# Newer than its inputs, so make does not generate it again without us.
	touch vtysh/vtysh_cmd.c
	make --no-print-directory -j"$jobs" vtysh/vtysh >/dev/null
	table=$frr/vtysh/vtysh_cmd.c
	bin=$frr/vtysh/.libs/vtysh
}

# FRR 10.x: the FRR tree may be shared with other builds, so nothing is written
# there. Its frr.xref (the daemons' xrefs, merged) and the module's .so go
# through xrelfo.py into tools/vtysh-xref/vtysh_cmd*.c, linked with FRR's own
# compiled vtysh objects.
by_xref() {
	work=$build/tools/vtysh-xref
	rm -rf "$work"
	mkdir -p "$work/zebra"
	# xref2vtysh sends a module's commands to the daemon its folder names.
	ln -s "$build/frr-module/.libs/zebra_ebpf.so" "$work/zebra/"
	# As many table files as FRR's build splits it into (lib/subdir.am).
	srcs=("$work/vtysh_cmd.c")
	for f in "$frr"/vtysh/vtysh_cmd.*.c; do
		[ -e "$f" ] || continue
		srcs+=("$work/$(basename "$f")")
	done
	# From FRR's tree: xref2vtysh takes the DEFUNs' files (lib/... decides
	# the daemons) relative to it. No bytecode written there either.
	(cd "$frr" && PYTHONDONTWRITEBYTECODE=1 lib/clippy python/xrelfo.py \
		frr.xref "$work/zebra/zebra_ebpf.so" -c "${srcs[@]}")
	check_table "$work/vtysh_cmd.c"
	# shellcheck disable=SC2086
	printf '%s\n' "${srcs[@]}" |
		xargs -P"$jobs" -I{} ${CC:?from make} ${FE_VTYSH_CFLAGS:?from make} -c {} -o {}.o
	# FRR's vtysh_vtysh_LDADD without its LIBS: vtysh calls neither libyang
	# nor json-c, and FRR's bare -lyang would find the system's libyang.
	mkvar() { sed -n "s/^$1 = //p" "$frr/Makefile"; }
	# shellcheck disable=SC2046,SC2086
	$CC $FE_VTYSH_CFLAGS -o "$work/vtysh" \
		$(printf '%s\n' "$frr"/vtysh/*.o | grep -v '/vtysh_cmd[.0-9]*\.o$') "$work"/*.o \
		${FRR_LIBS:?from make} $(mkvar LIBCAP) $(mkvar LIBREADLINE) $(mkvar LIBPAM)
	table=$work/vtysh_cmd.c
	bin=$work/vtysh
}

check_table() {
	grep -q 'show_ebpf_mirror_cmd_vtysh' "$1" || {
		echo "build-vtysh: the module's commands are not in $1" >&2
		exit 1
	}
}

if [ -f "$frr/vtysh/extract.pl" ]; then by_extract; else by_xref; fi
mkdir -p "$(dirname "$out")"
cp "$bin" "$out"
echo "build-vtysh: $out knows $(grep -c '_cmd_vtysh,' "$table") commands, $(grep -c 'ebpf' "$table") of them lines of the ebpf module"
