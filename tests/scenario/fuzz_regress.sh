#!/bin/sh
# Replays every input under tests/fuzz/corpus/<t>/ and tests/fuzz/regress/<t>/
# through each fuzz target without libFuzzer (build/tests/tools/
# fuzzreplay_<t>, built by make test with the normal compiler): one
# "ok"/"not ok" line per target.
. "$(dirname "$0")/../lib.sh"
plan $(ls "$TOP"/tests/fuzz/fuzz_*.c | wc -l)

for src in "$TOP"/tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c); t=${t#fuzz_}
	bin=$BUILD/tests/tools/fuzzreplay_$t
	if [ ! -x "$bin" ]; then
		echo "not ok - fuzz_$t replay: $bin not built"
		continue
	fi
	set --
	for d in "$TOP/tests/fuzz/corpus/$t" "$TOP/tests/fuzz/regress/$t"; do
		[ -d "$d" ] && set -- "$@" "$d"
	done
	if out=$("$bin" "$@" 2>"$T/fuzz_$t.err"); then
		echo "ok - fuzz_$t replay: $out"
	else
		echo "not ok - fuzz_$t replay failed (last input: $(grep '^# ' "$T/fuzz_$t.err" | tail -1 | cut -c3-))"
		grep -vE '^# ' "$T/fuzz_$t.err" | head -20 | sed 's/^/# diag: /'
	fi
done
