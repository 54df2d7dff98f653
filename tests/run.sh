#!/bin/sh
# Runs every test: the C unit tests (cmocka, TAP output) and the scenario
# scripts (tests/scenario/*.sh, TAP-style "ok"/"not ok" lines), then prints
# one closing line: "N passed, N failed".
# Environment: HPAGENT (binary under test), BUILD (build dir), ONLY (a glob
# restricting which scenario scripts run), SKIP_SCENARIOS=1.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${HPAGENT:=$top/hpagent}" "${BUILD:=$top/build}"
export HPAGENT BUILD TOP="$top"
log=$(mktemp -d "${TMPDIR:-/tmp}/hpagent-tests.XXXXXX")
pass=0 fail=0 failed_names=

count() { # $1 = name, $2 = output file, $3 = exit status
	p=$(grep -cE '^ok ' "$2") ; f=$(grep -cE '^not ok ' "$2")
	if [ "$3" != 0 ] && [ "$f" = 0 ]; then
		f=1; echo "not ok - $1 exited with status $3"
	fi
	if [ "$p" = 0 ] && [ "$f" = 0 ]; then
		f=1; echo "not ok - $1 ran no test"
	fi
	pass=$((pass + p)); fail=$((fail + f))
	[ "$f" -gt 0 ] && failed_names="$failed_names $1"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	echo "# unit: $name"
	CMOCKA_MESSAGE_OUTPUT=TAP "$t" > "$log/$name.out" 2>&1; rc=$?
	sed 's/^/  /' "$log/$name.out" | grep -vE '^  (ok|#)' | head -40
	count "$name" "$log/$name.out" $rc
done

if [ "${SKIP_SCENARIOS:-0}" != 1 ]; then
	for s in "$top"/tests/scenario/${ONLY:-*}.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s" .sh)
		echo "# scenario: $name"
		start=$(date +%s)
		timeout 900 sh "$s" > "$log/$name.out" 2>&1; rc=$?
		grep -E '^(not ok|Bail)' "$log/$name.out" | head -20
		grep -E '^# (fail|diag)' "$log/$name.out" | head -40
		count "$name" "$log/$name.out" $rc
		echo "#   $(grep -cE '^ok ' "$log/$name.out") ok in $(( $(date +%s) - start )) s"
	done
fi

[ -n "$failed_names" ] && echo "# failing:$failed_names (logs in $log)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
