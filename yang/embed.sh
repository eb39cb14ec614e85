#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# yang/embed.sh MODEL.yang > OUT.c
# The model as C strings (text, module name, first revision), so the
# zebra module and the validator carry the exact model they were built
# with and need no file at run time. FRR's embedmodel.py would tie the
# output to libfrr (it registers itself), which the validator must not link.
set -eu
model=$1
name=$(sed -n 's/^module \([A-Za-z0-9_.-]*\) *{.*/\1/p' "$model" | head -n 1)
rev=$(sed -n 's/^ *revision \([0-9-]*\) *{.*/\1/p' "$model" | head -n 1)
[ -n "$name" ] && [ -n "$rev" ] || {
	echo "embed.sh: no module name or revision in $model" >&2
	exit 1
}
printf '/* Generated from %s by yang/embed.sh: do not edit. */\n' "${model##*/}"
printf '#include "frr_ebpf_yang.h"\n\n'
printf 'const char frr_ebpf_yang_name[] = "%s";\n' "$name"
printf 'const char frr_ebpf_yang_revision[] = "%s";\n' "$rev"
printf 'const char frr_ebpf_yang_text[] =\n'
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$model"
printf '\t;\n'
