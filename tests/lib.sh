# Shared helpers for scenario scripts (sourced). Prints TAP-style lines.
# Every wait is bounded; every process started is stopped by its PID.
set -u
: "${HPAGENT:?HPAGENT must name the binary under test}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/hp-$(basename "$0" .sh).XXXXXX")
PIDS=
ok()   { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
diag() { echo "# diag: $*"; }
# check DESC CMD...: ok when CMD succeeds.
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then ok "$d"; else fail "$d"; fi; }
# expect_eq DESC EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"
	else fail "$1"; diag "expected [$2]"; diag "got      [$3]"; fi
}
# expect_grep DESC PATTERN FILE
expect_grep() {
	if grep -qE -- "$2" "$3" 2>/dev/null; then ok "$1"
	else fail "$1"; diag "no line matching [$2] in $3:"; head -20 "$3" 2>/dev/null | sed 's/^/# diag:   /'; fi
}
# bg NAME CMD...: start in background, remember the PID, log to $T/NAME.log
bg() { n=$1; shift; "$@" > "$T/$n.log" 2>&1 & eval "PID_$n=$!"; PIDS="$PIDS $!"; }
# (Helpers count with _lib_* variables: sh has no locals, and a caller's
# loop counter must survive a call.)
stop_pid() { kill "$1" 2>/dev/null; _lib_s=0; while kill -0 "$1" 2>/dev/null && [ $_lib_s -lt 50 ]; do sleep 0.1; _lib_s=$((_lib_s+1)); done; kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }
cleanup() { for p in $PIDS; do stop_pid "$p"; done; [ "${KEEP:-0}" = 1 ] || rm -rf "$T"; }
trap cleanup EXIT INT TERM
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds or time runs out.
wait_for() { _lib_lim=$(( $1 * 10 )); shift; _lib_w=0
	while [ $_lib_w -lt $_lib_lim ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; _lib_w=$((_lib_w+1)); done; return 1; }
# 1 when the binary under test is built with AddressSanitizer (make asan
# sets ASAN_OPTIONS): memory figures then include ASan's shadow and
# quarantine, so RSS bounds are not meaningful.
case "${ASAN_OPTIONS:-}" in ?*) UNDER_ASAN=1 ;; *) UNDER_ASAN=0 ;; esac
# A port unlikely to collide: base from the script's name and PID.
port_base() { echo $(( 20000 + ($$ % 400) * 100 )); }
