# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers of the frr-ebpf topotest harness (named lib_fe so that it never
shadows the `lib` package of FRR's topotests)."""
