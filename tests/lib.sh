# Shared helpers for scenario scripts (sourced). Prints TAP.
# Every wait is bounded; every process started is stopped by its PID.
#
# The contract with tests/run.sh (read it before writing a scenario):
#   plan N        first, before any check: prints the TAP plan "1..N". The
#                 runner fails a scenario without a plan, or whose count of
#                 ok / not ok / skip lines is not N (a crash, an early
#                 exit, a loop that ran short). N may be computed from the
#                 scenario's parameters: plan $((4 + 3 * KILLS)).
#   ok/fail/check/expect_eq/expect_grep   one TAP line per check.
#   skip DESC REASON   "ok - DESC # SKIP REASON": a check that cannot run
#                 here. Counted as skipped, never as passed, and the run
#                 fails unless tests/skips lists it for this machine kind.
#   skip_begin REASON ... skip_end   every check in between prints its own
#                 skip line (same descriptions, same count) instead of a
#                 result: for a section this machine cannot run.
#   bail REASON   "Bail out! REASON" and exit 1: a precondition that is not
#                 a check of hpagent (a tool or a file of the repository).
#   at_exit CMD   run CMD at exit, before the started processes are stopped
#                 (unmounts and the like).
# On SIGTERM/SIGINT (the runner's timeout) a scenario cleans up and stops:
# it never resumes against dead daemons.
set -u
: "${HPAGENT:?HPAGENT must name the binary under test}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
T=$(mktemp -d "${TMPDIR:-/tmp}/hp-$(basename "$0" .sh).XXXXXX")
PIDS= _lib_skip= _lib_atexit= _lib_planned=
plan() { [ -z "$_lib_planned" ] || { echo "Bail out! plan given twice"; exit 1; }
	_lib_planned=$1; echo "1..$1"; }
ok() {
	if [ -n "$_lib_skip" ]; then echo "ok - $* # SKIP $_lib_skip"
	else echo "ok - $*"; fi
}
fail() {
	if [ -n "$_lib_skip" ]; then echo "ok - $* # SKIP $_lib_skip"
	else echo "not ok - $*"; fi
}
skip() { echo "ok - $1 # SKIP $2"; }
skip_begin() { _lib_skip=$1; }
skip_end() { _lib_skip=; }
diag() { [ -n "$_lib_skip" ] || echo "# diag: $*"; }
bail() { echo "Bail out! $*"; exit 1; }
at_exit() { _lib_atexit="$_lib_atexit
$*"; }
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
# expect_le DESC VALUE BOUND: both integers, VALUE <= BOUND (a timing or
# size bound; say in DESC which documented figure BOUND is derived from)
expect_le() {
	if [ -n "$2" ] && [ "$2" -le "$3" ] 2>/dev/null; then ok "$1"
	else fail "$1"; diag "expected [${2:-none}] <= [$3]"; fi
}
# bg NAME CMD...: start in background, remember the PID, log to $T/NAME.log
bg() { n=$1; shift; "$@" > "$T/$n.log" 2>&1 & eval "PID_$n=$!"; PIDS="$PIDS $!"; }
# (Helpers count with _lib_* variables: sh has no locals, and a caller's
# loop counter must survive a call.)
stop_pid() { kill "$1" 2>/dev/null; _lib_s=0; while kill -0 "$1" 2>/dev/null && [ $_lib_s -lt 50 ]; do sleep 0.1; _lib_s=$((_lib_s+1)); done; kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; true; }
cleanup() {
	trap - EXIT INT TERM HUP PIPE
	eval "$_lib_atexit"
	for p in $PIDS; do stop_pid "$p"; done
	PIDS=
	[ "${KEEP:-0}" = 1 ] || rm -rf "$T"
}
trap cleanup EXIT
trap 'echo "Bail out! stopped by a signal (timeout?)"; cleanup; exit 143' INT TERM HUP PIPE
# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds or time runs out.
wait_for() { _lib_lim=$(( $1 * 10 )); shift; _lib_w=0
	while [ $_lib_w -lt $_lib_lim ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; _lib_w=$((_lib_w+1)); done; return 1; }
# now_ms: wall clock in milliseconds
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# 1 when the binary under test is built with AddressSanitizer (make asan
# sets ASAN_OPTIONS): memory figures then include ASan's shadow and
# quarantine, so RSS bounds are not meaningful.
case "${ASAN_OPTIONS:-}" in ?*) UNDER_ASAN=1 ;; *) UNDER_ASAN=0 ;; esac

# ---- transfers seen by an independent client (kdig) ------------------------
# zone_norm: presentation-format RRs (kdig or `hpagent show`) to one line
# each: comments, blank lines and TSIG dropped, blanks collapsed,
# lowercased, sorted.
zone_norm() {
	grep -vE '^(;|$)' | awk '{ $1 = $1; if ($4 != "TSIG") print }' |
	    tr 'A-Z' 'a-z' | sort
}
# expect_axfr_show DESC ADDR PORT ZONE CONF [KDIG ARGS...]: kdig's AXFR of
# ZONE is complete (two SOAs, no kdig warning or error) and equals
# `hpagent -c CONF show` of the serial it carries.
# expect_axfr_file DESC ADDR PORT ZONE FILE [KDIG ARGS...]: the same against
# FILE, a zone in presentation format (e.g. an earlier `hpagent show`).
# expect_kdig_show DESC KDIG_OUTPUT ZONE CONF: the same for an AXFR kdig
# has already written to KDIG_OUTPUT (stdout and stderr).
expect_axfr_show() { _lib_kdig "$@"; _lib_axfr_cmp show "$1" "$T/kdig_axfr.out" "$4" "$5"; }
expect_axfr_file() { _lib_kdig "$@"; _lib_axfr_cmp file "$1" "$T/kdig_axfr.out" "$4" "$5"; }
expect_kdig_show() { _lib_axfr_cmp show "$@"; }
_lib_kdig() {
	_lib_a=$2 _lib_p=$3 _lib_z=$4; shift 5
	kdig @"$_lib_a" -p "$_lib_p" +timeout=10 +retry=0 "$@" "$_lib_z" AXFR \
	    > "$T/kdig_axfr.out" 2>&1
}
_lib_axfr_cmp() { # show|file DESC KDIG_OUTPUT ZONE CONF|FILE
	zone_norm < "$3" | awk '!($4 == "soa" && seen++)' > "$T/axfr_cmp.axfr"
	_lib_e=$(grep -E "^;; (WARNING|ERROR)" "$3" | head -n 2 | tr '\n' ' ')
	_lib_n=$(grep -cE '^[^;].*[[:space:]]SOA[[:space:]]' "$3")
	_lib_s=$(awk '$4 == "soa" { print $7; exit }' "$T/axfr_cmp.axfr")
	if [ "$1" = file ]; then zone_norm < "$5"
	else "$HPAGENT" -c "$5" show "$4" ${_lib_s:+--serial "$_lib_s"} 2>&1 |
	    zone_norm; fi > "$T/axfr_cmp.show"
	if [ -z "$_lib_e" ] && [ "$_lib_n" = 2 ] && [ -s "$T/axfr_cmp.show" ] &&
	    cmp -s "$T/axfr_cmp.show" "$T/axfr_cmp.axfr"; then
		ok "$2"
	else
		fail "$2"
		[ -z "$_lib_e" ] || diag "kdig reported: $_lib_e"
		diag "kdig saw $_lib_n SOA records (want 2), serial ${_lib_s:-none}; $(wc -l < "$T/axfr_cmp.axfr") RRs, expected $(wc -l < "$T/axfr_cmp.show")"
		diff "$T/axfr_cmp.show" "$T/axfr_cmp.axfr" | head -n 6 | sed 's/^/# diag:   /'
	fi
}
