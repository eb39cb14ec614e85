#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# frr-ebpf-yangcheck accepts the samples (show ebpf X json of a live
# router, tests/yang/samples/X[_what].json; notif_NAME.json events) and
# rejects mutated ones and the shapes the show commands had before the
# model (tests/yang/rejected/X_what.json), with libyang's message.
set -u
dir=${srcdir:-.}/tests/yang
check=./tools/frr-ebpf-yangcheck
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 passed=0

what_of() {
	name=$(basename "$1" .json)
	case $name in
	notif_*) printf '%s\n' -n ;;
	*) printf '%s\n' "${name%%_*}" ;;
	esac
}

accepts() { # FILE
	if $check $(what_of "$1") "$1" >"$tmp/out" 2>&1; then
		echo "ok: accepts $(basename "$1")"
		passed=$((passed + 1))
	else
		echo "FAIL: rejects $(basename "$1"):"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
}

rejects() { # EXPECTED_MESSAGE WHAT|-n DESCRIPTION, input on stdin
	$check "$2" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -q "$1" "$tmp/out"; then
		echo "ok: rejects $3: $(head -n 1 "$tmp/out")"
		passed=$((passed + 1))
	else
		echo "FAIL: $3: exit $rc, expected 1 and \"$1\":"
		cat "$tmp/out"
		fail=$((fail + 1))
	fi
}

for f in "$dir"/samples/*.json; do
	accepts "$f"
done

# every `show ebpf X ... [json]` of the module has a sample, so a new show
# command cannot skip the model
for w in $(grep -ho '"show ebpf [a-z-]*[^"]*\[json\]"' \
	"${srcdir:-.}"/frr-module/*.c | sed 's/^"show ebpf \([a-z-]*\).*/\1/' |
	sort -u); do
	if ls "$dir/samples" | grep -qE "^$w(_.*)?\.json$"; then
		echo "ok: show ebpf $w json has a sample"
		passed=$((passed + 1))
	else
		echo "FAIL: show ebpf $w json: no tests/yang/samples/$w.json"
		fail=$((fail + 1))
	fi
done

s=$dir/samples
sed 's/"pinPath"/"bogusKey":1,"pinPath"/' "$s/mirror.json" |
	rejects 'Node "bogusKey" not found' mirror "an unknown key"
sed '0,/"attached":true/s//"attached":"yes"/' "$s/interfaces.json" |
	rejects 'boolean value "yes"' interfaces "a string for a boolean"
sed 's/"ecmpAlgorithm":"hash-threshold"/"ecmpAlgorithm":7/' "$s/status.json" |
	rejects 'Invalid' status "a number for an enumeration"
sed 's/"syncState":"inSync"/"syncState":"insync"/' "$s/mirror.json" |
	rejects 'Invalid enumeration value' mirror "an unknown state"
sed '0,/"rxPackets":[0-9]*/s//"rxPackets":-1/' "$s/counters.json" |
	rejects 'out of type uint64' counters "a negative counter"
sed '0,/"name":"[^"]*",/s///' "$s/policies.json" |
	rejects 'missing its key "name"' policies "a list entry without its key"
sed '0,/"id":[0-9]*,/s///' "$s/nexthop-groups.json" |
	rejects 'missing its key "id"' nexthop-groups "a group without its id"
sed 's/"destination":"198.19.1.0\/24"/"destination":"198.19.1.0"/' "$s/policies.json" |
	rejects 'Invalid' policies "an address for a prefix"
echo '{"events": [], "total": 0, "historySize": 0}' |
	rejects 'range' events "a history size out of range"
echo '{"mirror": ' |
	rejects 'not JSON' mirror "broken JSON"
sed 's/"kernelIfindex": [0-9]*/"kernelIfindex": "eth0"/' "$s/notif_mirror-mismatch.json" |
	rejects 'Invalid' -n "an event with a wrong type"
sed 's/"mirrorMismatch"/"routeFlap"/' "$s/notif_mirror-mismatch.json" |
	rejects 'no notification route-flap' -n "an event of an unknown kind"
sed 's/"gateway"/"nexthop"/' "$s/notif_neighbour-missing.json" |
	rejects 'not found' -n "a notification with an unknown key"
sed '0,/"state":"flapping"/s//"state":"suppressed"/' "$s/flaps_flapping.json" |
	rejects 'Invalid enumeration value' flaps "an unknown flap state"
sed '0,/"prefix":"[^"]*",/s///' "$s/flaps_flapping.json" |
	rejects 'missing its key "prefix"' flaps "a flap entry without its prefix"
sed '0,/"prefix":"[^"]*",/s///' "$s/hijacks.json" |
	rejects 'missing its key "prefix"' hijacks "a protection without its prefix"
sed 's/"kind":"moreSpecific"/"kind":"subPrefix"/' "$s/hijacks.json" |
	rejects 'Invalid enumeration value' hijacks "an unknown alert kind"
sed 's/"expectedOrigins":\[/"expectedOrigins":["AS64500",/' "$s/hijacks.json" |
	rejects 'Invalid' hijacks "an origin that is not a number"
sed 's/"severity":"critical"/"severity":"major"/' "$s/events.json" |
	rejects 'Invalid enumeration value' events "an unknown severity"
sed '0,/"kind":"flapping",/s//"kind":"flapping","kernelIfindex":5,/' "$s/events.json" |
	rejects 'When condition' events "a flap event with mirrorMismatch data"
sed 's/"protocol": "static",/"protocol": "static", "kernelIfindex": 5,/' "$s/notif_flapping.json" |
	rejects 'not found' -n "a flapping notification with mismatch data"
sed 's/"newNexthops": \[/"newNexthops": [{"gateway": "r-eth0"},/' "$s/notif_hijack-more-specific.json" |
	rejects 'Invalid' -n "a nexthop gateway that is no address"
for f in "$dir"/rejected/*.json; do
	# policies, groups...: unknown keys; flaps, hijacks: an object for a list
	rejects 'not found as a child\|name/array of objects' \
		"$(what_of "$f")" "the old shape $(basename "$f")" <"$f"
done

# RFC 7951's own encoding of 64-bit integers (strings) is accepted too
sed 's/"rxPackets":\([0-9]*\)/"rxPackets":"\1"/' "$s/counters.json" >"$tmp/counters_strings.json"
accepts "$tmp/counters_strings.json"
# a command the model does not have is a usage error, not a mismatch
$check nosuch "$s/mirror.json" 2>/dev/null
if [ $? = 2 ]; then
	echo "ok: unknown command exits 2"
	passed=$((passed + 1))
else
	echo "FAIL: unknown command"
	fail=$((fail + 1))
fi

# counted by scripts/run-tests.sh
echo "$passed passed, $fail failed"
[ "$fail" = 0 ]
