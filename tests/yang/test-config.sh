#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The config part of the model holds what the CLI accepts and refuses what
# it refuses: tests/yang/config/full.json (every config command, in
# RFC 7951 JSON) is valid for yanglint; each mutation, one of the CLI's
# "% ..." cases, is not.
set -u
model=${srcdir:-.}/yang/frr-ebpf.yang
conf=${srcdir:-.}/tests/yang/config/full.json
command -v yanglint >/dev/null || {
	echo "SKIP: yanglint not installed (apt-get install libyang2-tools)"
	exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 passed=0

if yanglint -t config "$model" "$conf" >"$tmp/out" 2>&1; then
	echo "ok: accepts $(basename "$conf")"
	passed=$((passed + 1))
else
	echo "FAIL: rejects $(basename "$conf"):"
	cat "$tmp/out"
	fail=$((fail + 1))
fi

rejects() { # DESCRIPTION EXPECTED_MESSAGE SED_SCRIPT
	sed "$3" "$conf" >"$tmp/bad.json"
	if cmp -s "$conf" "$tmp/bad.json"; then
		echo "FAIL: $1: the mutation changed nothing"
		fail=$((fail + 1))
	elif ! yanglint -t config "$model" "$tmp/bad.json" >"$tmp/out" 2>&1 &&
		grep -q "$2" "$tmp/out"; then
		echo "ok: rejects $1"
		passed=$((passed + 1))
	else
		echo "FAIL: $1: expected \"$2\":"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
}

rejects "two policies on one destination" 'Unique data leaf' \
	's|"198.19.2.0/24"|"198.19.1.0/24"|'
rejects "a source of another family" 'different address families' \
	's|"198.51.100.0/24"|"2001:db8::/32"|'
rejects "a pin nexthop of another family" 'different address families' \
	's|"pin": "192.0.2.2"|"pin": "2001:db8::1"|'
rejects "an exclude nexthop of another family" 'different address families' \
	's|"exclude": "203.0.113.2"|"exclude": "2001:db8::2"|'
rejects "nexthop-group 0" 'out of the allowed range' \
	's|"nexthop-group": 7|"nexthop-group": 0|'
rejects "two actions" 'Data for both cases' \
	's|"action": { "pin": "192.0.2.2" }|"action": { "pin": "192.0.2.2", "drop": [null] }|'
rejects "a match without destination" 'Mandatory node "destination"' \
	's|"match": { "destination": "198.19.7.0/24" }|"match": { "ingress": "r-in" }|'
rejects "a bad policy name" 'Unsatisfied pattern' \
	's|"name": "c-count"|"name": "bad!name"|'
rejects "a destination that is not a prefix" 'Invalid' \
	's|"198.19.3.0/24"|"198.19.3.0"|'
rejects "events history 0" 'out of the allowed range' \
	's|"history": 50|"history": 0|'
rejects "events history 100001" 'out of the allowed range' \
	's|"history": 50|"history": 100001|'
rejects "reconcile-delay 3601" 'out of the allowed range' \
	's|"reconcile-delay": 7|"reconcile-delay": 3601|'
rejects "map-size 0" 'out of the allowed range' \
	's|"route4": 2000000|"route4": 0|'
rejects "map-size 16777217" 'out of the allowed range' \
	's|"route4": 2000000|"route4": 16777217|'
rejects "a relative pin path" 'Unsatisfied pattern' \
	's|"/sys/fs/bpf/frr-ebpf-r1"|"sys/fs/bpf"|'
rejects "an unknown ECMP algorithm" 'Invalid enumeration' \
	's|"hash-threshold"|"random"|'
rejects "an unknown fast-path mode" 'Invalid enumeration' \
	's|"fast-path": "tc"|"fast-path": "skb"|'
rejects "an interface name over 15 characters" 'Unsatisfied length' \
	's|"name": "r-out2"|"name": "r-out2-much-too-long"|'
rejects "an interface name with a /" "no '/', ':' or white space" \
	's|"name": "r-out2"|"name": "r/out2"|'
rejects "an interface name with a :" "no '/', ':' or white space" \
	's|"name": "r-out2"|"name": "r-out2:1"|'
rejects "an interface name with a space" "no '/', ':' or white space" \
	's|"name": "r-out2"|"name": "r out2"|'
rejects "the interface name ." "not '.' or '..'" \
	's|"name": "r-out2"|"name": "."|'
rejects "the interface name .." "not '.' or '..'" \
	's|"name": "r-out2"|"name": ".."|'
rejects "an empty interface name" 'Unsatisfied length' \
	's|"name": "r-out2"|"name": ""|'
rejects "state in config" 'Unexpected data state node' \
	's|"events": { "history": 50 },|"events": { "history": 50 }, "state": { "status": { "policies": 1 } },|'
rejects "suppress-threshold not above reuse-threshold" 'thresholds out of order' \
	's|"suppress-threshold": 2500|"suppress-threshold": 1000|'
rejects "max-penalty not above suppress-threshold" 'thresholds out of order' \
	's|"max-penalty": 5000|"max-penalty": 2500|'
rejects "half-life 0" 'out of the allowed range' \
	's|"half-life": 3|"half-life": 0|'
rejects "half-life 3601" 'out of the allowed range' \
	's|"half-life": 3|"half-life": 3601|'
rejects "max-penalty 1000001" 'out of the allowed range' \
	's|"max-penalty": 5000|"max-penalty": 1000001|'
rejects "an unknown flap action" 'Invalid enumeration' \
	's|"action": "kernel"|"action": "drop"|'
rejects "origin AS 0" 'out of the allowed range' \
	's|"origin-as": \[64500, 64501\]|"origin-as": [0, 64501]|'
rejects "origin AS_TRANS 23456" 'out of the allowed range' \
	's|"origin-as": \[64500, 64501\]|"origin-as": [23456, 64501]|'
rejects "origin AS 4294967296" 'out of type uint32' \
	's|"origin-as": \[64500, 64501\]|"origin-as": [4294967296, 64501]|'
rejects "a protection without origin" 'Too few' \
	's|"origin-as": \[64500\]|"origin-as": []|'
rejects "17 origin ASes" 'Too many' \
	's|"origin-as": \[64500\]|"origin-as": [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]|'
rejects "the same origin twice" 'Duplicate instance' \
	's|"origin-as": \[64500, 64501\]|"origin-as": [64500, 64500]|'
rejects "max-length shorter than the prefix" 'max-length must be between' \
	's|"max-length": 24|"max-length": 8|'
rejects "max-length 33 for IPv4" 'max-length must be between' \
	's|"max-length": 24|"max-length": 33|'
rejects "max-length 129" 'out of the allowed range' \
	's|"max-length": 64|"max-length": 129|'
rejects "a protected prefix twice" 'Duplicate instance' \
	's|"prefix": "203.0.113.0/24"|"prefix": "198.18.0.0/16"|'

# counted by scripts/run-tests.sh
echo "$passed passed, $fail failed"
[ "$fail" = 0 ]
