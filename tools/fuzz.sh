#!/bin/sh
# Runs the libFuzzer targets built by `make fuzz`: tools/fuzz.sh BUILD T...
# Each target T runs FUZZ_TIME seconds (default 60), one at a time
# (no -jobs), starting from tests/fuzz/corpus/T/ and tests/fuzz/regress/T/;
# new inputs go to BUILD/fuzz-corpus/T/ (never into the repository), crash
# inputs to BUILD/fuzz-artifacts/T/. Prints one summary line per target
# and fails if any target crashed, leaked, timed out or reported anything.
# FUZZ_ARGS adds libFuzzer options (e.g. FUZZ_ARGS=-max_len=4096).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1; shift
: "${FUZZ_TIME:=60}" "${FUZZ_ARGS:=}"
fails=0
for t in "$@"; do
	bin=$build/fuzz/fuzz_$t
	work=$build/fuzz-corpus/$t art=$build/fuzz-artifacts/$t
	log=$build/fuzz-logs/$t.log
	mkdir -p "$work" "$art" "$(dirname "$log")"
	dict=
	[ -f "$top/tests/fuzz/$t.dict" ] && dict=-dict=$top/tests/fuzz/$t.dict
	set --
	for d in "$top/tests/fuzz/corpus/$t" "$top/tests/fuzz/regress/$t"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
	UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	    "$bin" -max_total_time="$FUZZ_TIME" -timeout=20 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$art/" $dict \
	    $FUZZ_ARGS "$work" "$@" > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
	if [ "$rc" = 0 ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:' "$log"; then
		echo "ok - fuzz_$t: ${runs:-?} runs in ${FUZZ_TIME} s, ${eps:-?} exec/s, ${cov:-no coverage line}"
	else
		fails=$((fails + 1))
		echo "not ok - fuzz_$t: exit $rc after ${runs:-?} runs (log $log)"
		grep -E 'ERROR:|runtime error:|SUMMARY:|Test unit written|check failed' "$log" | head -8 | sed 's/^/#   /'
	fi
done
[ "$fails" = 0 ]
