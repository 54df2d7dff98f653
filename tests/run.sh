#!/bin/sh
# Runs every test: the C unit tests (cmocka, TAP output) and the scenario
# scripts (tests/scenario/*.sh but lib_*.sh, TAP: a plan "1..N", then
# "ok" / "not ok" / "ok ... # SKIP reason" lines; see tests/lib.sh), then
# prints one closing line: "N passed, N failed, N skipped".
#
# A test program fails when it prints "not ok" or "Bail out!", exits with a
# non-zero status, times out (SCENARIO_TIMEOUT, default 900 s: it is sent
# SIGTERM, and SIGKILL 20 s later), has no plan, or ran a different number
# of checks than its plan says. A skip counts as skipped only when
# tests/skips lists it for a kind this machine is (asan, nomount,
# knot-primary; printed at the start); any other skip is a failure.
# Environment: HPAGENT (binary under test), BUILD (build dir), ONLY (a glob
# of scenario names to run; one that matches nothing is an error),
# SKIP_SCENARIOS=1 (units only), SKIP_UNITS=1 (scenarios only).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${HPAGENT:=$top/hpagent}" "${BUILD:=$top/build}"
export HPAGENT BUILD TOP="$top"
log=$(mktemp -d "${TMPDIR:-/tmp}/hpagent-tests.XXXXXX")
pass=0 fail=0 skipped=0 failed_names= skip_notes=

# The kinds of machine this is, for tests/skips.
kinds=
case "${ASAN_OPTIONS:-}" in ?*) kinds="$kinds asan" ;; esac
[ "${PRIMARY:-hpagent}" = knot ] && kinds="$kinds knot-primary"
mnt=$(mktemp -d "${TMPDIR:-/tmp}/hpagent-mountprobe.XXXXXX")
if mount -t tmpfs -o size=64k hpagent-probe "$mnt" 2>/dev/null; then
	umount "$mnt"
else kinds="$kinds nomount"; fi
rmdir "$mnt"
echo "# machine kinds for tests/skips:${kinds:- (none: every check must run)}"

# allowed NAME DESC: tests/skips lists this skip for one of $kinds.
allowed() {
	awk -F ' [|] ' -v kinds="$kinds" -v name="$1" -v desc="$2" '
	BEGIN { n = split(kinds, k, " "); for (i = 1; i <= n; i++) on[k[i]] = 1 }
	/^[[:space:]]*(#|$)/ { next }
	{ for (i = 1; i <= 3; i++) gsub(/^[[:space:]]+|[[:space:]]+$/, "", $i) }
	on[$1] && name ~ ("^(" $2 ")$") && desc ~ ("^(" $3 ")$") { found = 1; exit }
	END { exit !found }' "$top/tests/skips"
}

count() { # $1 = name, $2 = output file, $3 = exit status
	p=$(grep -E '^ok ' "$2" | grep -cv '# SKIP')
	f=$(grep -cE '^(not ok |Bail out!)' "$2")
	n=$(grep -cE '^(ok|not ok) ' "$2")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$2" | awk '{ s += $1 } END { print NR ? s : "" }')
	grep -E '^ok .*# SKIP' "$2" > "$log/$1.skips"
	while IFS= read -r l; do
		d=$(echo "$l" | sed 's/^ok [0-9]* *-* *//; s/ *# SKIP.*//')
		r=$(echo "$l" | sed 's/.*# SKIP *//')
		if allowed "$1" "$d"; then
			skipped=$((skipped + 1))
			skip_notes="$skip_notes
#   $1: $d ($r)"
		else
			f=$((f + 1))
			echo "not ok - $1: skip not listed in tests/skips for this machine: $d # SKIP $r"
		fi
	done < "$log/$1.skips"
	if [ "$3" = 124 ] || [ "$3" = 137 ]; then
		f=$((f + 1)); echo "not ok - $1 timed out after ${SCENARIO_TIMEOUT:-900} s"
	elif [ "$3" != 0 ] && [ "$f" = 0 ]; then
		f=1; echo "not ok - $1 exited with status $3"
	fi
	if [ -z "$plan" ]; then
		f=$((f + 1)); echo "not ok - $1 printed no plan (1..N)"
	elif [ "$plan" != "$n" ]; then
		f=$((f + 1)); echo "not ok - $1 planned $plan checks, ran $n"
	elif [ "$n" = 0 ]; then
		f=$((f + 1)); echo "not ok - $1 ran no test"
	fi
	pass=$((pass + p)); fail=$((fail + f))
	[ "$f" -gt 0 ] && failed_names="$failed_names $1"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && [ "${SKIP_UNITS:-0}" != 1 ] || continue
	name=$(basename "$t")
	echo "# unit: $name"
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" > "$log/$name.out" 2>&1; rc=$?
	sed 's/^/  /' "$log/$name.out" | grep -avE '^  (ok|#|1\.\.)' | head -40
	count "$name" "$log/$name.out" $rc
done

if [ "${SKIP_SCENARIOS:-0}" != 1 ]; then
	nrun=0
	for s in "$top"/tests/scenario/${ONLY:-*}.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		case $name in lib_*) continue ;; esac
		nrun=$((nrun + 1))
		echo "# scenario: $name"
		start=$(date +%s)
		timeout -k 20 "${SCENARIO_TIMEOUT:-900}" sh "$s" > "$log/$name.out" 2>&1; rc=$?
		grep -E '^(not ok|Bail)' "$log/$name.out" | head -20
		grep -E '^# (fail|diag)' "$log/$name.out" | head -40
		count "$name" "$log/$name.out" $rc
		echo "#   $(grep -E '^ok ' "$log/$name.out" | grep -cv '# SKIP') ok, $(grep -c '^ok .*# SKIP' "$log/$name.out") skipped in $(( $(date +%s) - start )) s"
	done
	if [ "$nrun" = 0 ]; then
		echo "not ok - ONLY='${ONLY:-}' matches no scenario in tests/scenario/"
		fail=$((fail + 1))
	fi
fi

[ -n "$skip_notes" ] && echo "# skipped (listed in tests/skips for this machine):$skip_notes"
[ -n "$failed_names" ] && echo "# failing:$failed_names (logs in $log)"
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
