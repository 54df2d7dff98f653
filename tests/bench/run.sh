#!/bin/sh
# Benchmarks (not timed tests): `make bench`.
#   BENCH=store    hpagent import of a big zone vs Knot's zone-reload:
#                  first, 10 RRs changed, unchanged file, URL answering
#                  304 (127.0.6.9:30899, python3 http.server), against the
#                  parse alone (tests/bench/parsebench) and Knot
#   BENCH=xfr      AXFR (hpagent: cached and streamed), IXFR, TSIG,
#                  start-up, propagation vs NSD, Knot, BIND, for each zone
#                  shape of SHAPES
#   BENCH=publish  webhook publish -> confirmed by 2 NSD secondaries;
#                  a file edit until both serve it, hpagent vs Knot as
#                  the primary (tests/bench/publish.sh: PUB_RRS, PUB_RUNS,
#                  PUB_SMALL)
#   BENCH=ddns     RFC 2136 UPDATE -> NOERROR once 2 NSD secondaries serve
#                  it; 100 ACME-style updates at once (tests/bench/ddns.sh:
#                  DDNS_RRS, DDNS_RUNS, DDNS_BURST)
#   BENCH=sign     DNSSEC: hpagent import of a signed zone, its engine,
#                  and Knot signing the same zone (tests/bench/sign.sh:
#                  RRS, ALG); not part of "all"
#   BENCH=all      store, xfr, publish, ddns (default)
#   RRS=1000000    zone size (RRS=100000 for a quick check)
#   RUNS=5         transfers per server and figure
#   SHAPES="realistic flat"   tests/bench/genzone's shapes: realistic =
#                  A, AAAA, TXT, MX, CNAME, SRV and delegations, half the
#                  records with names in RDATA; flat = one A record per name
# How the transfer figures are taken (BENCH=xfr):
# - the servers start one at a time, each with the CPUs to itself; nothing
#   is measured before hpagent's AXFR cache builder has logged its ready
#   line ("AXFR messages of serial N ready"), so it never runs beside a
#   measurement (its build time is reported)
# - "hpagent streamed" is a second `hpagent serve` on a copy of the
#   database taken before any cache was built, with HPAGENT_NO_AXFR_CACHE=1:
#   the AXFR a secondary gets after a publish until the cache is built
# - each run transfers once from every server, in an order rotated by one
#   server per run; a figure is the median of RUNS with [min-max]; failed
#   runs are counted and shown beside it
# - every server must send the same number of RRs in its AXFR (asserted:
#   the bench exits 1 otherwise)
# - a single IXFR here takes a few tenths of a millisecond, most of them
#   the wake-up of an idle server and a new client process; the rows
#   "N in a row" are the median of N transfers from one client, back to
#   back: the server's own work; single ones are taken 3 per run
# - in the second after a publish, the server's own CPU time is measured
#   too; "IXFR at once on its NOTIFY" is the secondaries' moment: xfrbench
#   -N listens where Knot's and hpagent's notify: points ($A_SEC), answers
#   the NOTIFY and asks the IXFR at once
# - peers are configured as their documentation says for the job: Knot
#   keeps zone changes in its journal (journal-content: changes, the
#   default) and computes them from the file (zonefile-load: difference;
#   the edited files carry a higher serial, so difference-no-serial, which
#   needs journal-content: all, is not needed); NSD creates IXFRs from the file with an
#   ixfr-size that holds them (0: unlimited); BIND ixfr-from-differences
# Environment: HPAGENT (binary), BUILD (build dir with tests/bench/*),
# KEEP=1 keeps the temp dir. Loopback only: 127.0.6.x and 127.0.0.1,
# ports 30800-30999 (part C: 127.0.13.30-32, 32150-32153). Every wait is
# bounded; every daemon started here is stopped here, by its PID.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${HPAGENT:=$top/hpagent}" "${BUILD:=$top/build}"
: "${BENCH:=all}" "${RRS:=1000000}" "${RUNS:=5}" "${SHAPES:=realistic flat}"
: "${AFTER_SECS:=1}" "${FIRST_RUNS:=$([ "$RUNS" -lt 3 ] && echo "$RUNS" || echo 3)}"
GEN=$BUILD/tests/bench/genzone
XB=$BUILD/tests/bench/xfrbench
ZONE=bench.test
KEYNAME=benchkey
KEYSEC=YmVuY2hrZXktc2VjcmV0LWZvci1obWFjLXNoYTI1Ni0zMmI=
KEYSPEC=hmac-sha256:$KEYNAME:$KEYSEC
PORT=30853
A_KNOT=127.0.6.1 A_NSD=127.0.6.2 A_BIND=127.0.0.1 P_BIND=30854
A_HP=127.0.6.4 A_SEC=127.0.6.5 A_HPS=127.0.6.6
for f in "$HPAGENT" "$GEN" "$XB"; do
	[ -x "$f" ] || { echo "bench: $f missing (make bench builds it)"; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/hpagent-benchmark.XXXXXX")
PIDS= ASSERT_FAILED=0
stop_pid() {
	kill "$1" 2>/dev/null; i=0
	while kill -0 "$1" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
	kill -9 "$1" 2>/dev/null; wait "$1" 2>/dev/null; true
}
cleanup() {
	for p in $PIDS; do stop_pid "$p"; done
	[ "${KEEP:-0}" = 1 ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
drop_pid() { stop_pid "$1"; PIDS=$(echo "$PIDS" | sed "s/ $1\b//"); }
bg() { n=$1; shift; "$@" > "$T/$n.log" 2>&1 & eval "PID_$n=$!"; PIDS="$PIDS $!"; }
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# mstat FILE: "median [min-max]" of the numbers in FILE, one a line
mstat() { awk '$1 ~ /^[0-9.]+$/ { print $1 }' "$1" 2>/dev/null | sort -n |
	awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit }
	m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.3f [%.3f-%.3f]", m, v[1], v[NR] }'; }
# Peak RSS (VmHWM, MiB) of PID, or of its largest child (NSD forks servers).
hwm() {
	for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
		awk '/^VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | awk '$1 > m { m = $1 } END { if (m) printf "%.0f", m / 1024; else print "-" }'
}
# cputicks PID: user+system clock ticks so far of PID and of the
# processes below it, running or ended and reaped (NSD's serving
# processes are grandchildren of its main one, replaced at each reload).
# /proc/PID/stat's fields counted after the command name, which may hold
# spaces ("(nsd: main)").
cputicks() {
	ps=$1 next=$1 lvl=0
	while [ -n "$next" ] && [ $lvl -lt 4 ]; do
		kids=
		for p in $next; do kids="$kids $(pgrep -P "$p" 2>/dev/null | tr '\n' ' ')"; done
		next=$(echo $kids) ps="$ps $next" lvl=$((lvl + 1))
	done
	for p in $ps; do
		sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null
	done | awk '{ t += $12 + $13 + $14 + $15 } END { print t + 0 }'
}
say() { echo "$*"; }
# q ADDR PORT NAME [TYPE]: the first answer's rdata (short form).
q() { kdig +tcp +timeout=1 +retry=0 +short @"$1" -p "$2" "$3" "${4:-A}" 2>/dev/null | head -1; }
# wait_q SECS ADDR PORT NAME TYPE WANT: poll until the answer is WANT.
wait_q() {
	lim=$(awk -v s="$1" 'BEGIN { print int(s * 50) }'); i=0
	while [ $i -lt "$lim" ]; do
		got=$(q "$2" "$3" "$4" "$5")
		case "$got" in "$6"*) return 0 ;; esac
		sleep 0.02; i=$((i+1))
	done
	return 1
}
soa_serial() { q "$1" "$2" $ZONE SOA | awk '{ print $3 }'; }
wait_newserial() { # SECS ADDR PORT OLD: poll until the SOA serial differs
	lim=$(($1 * 50)); i=0
	while [ $i -lt $lim ]; do
		got=$(soa_serial "$2" "$3")
		[ -n "$got" ] && [ "$got" != "$4" ] && return 0
		sleep 0.02; i=$((i+1))
	done
	return 1
}
wait_serial() { # SECS ADDR PORT SERIAL-REGEX
	lim=$(($1 * 50)); i=0
	while [ $i -lt $lim ]; do
		soa_serial "$2" "$3" | grep -qE "^($4)\$" && return 0
		sleep 0.02; i=$((i+1))
	done
	return 1
}
# wait_log SECS FILE REGEX: poll until FILE has a matching line.
wait_log() {
	lim=$(($1 * 50)); i=0
	while [ $i -lt $lim ]; do
		grep -qE -- "$3" "$2" 2>/dev/null && return 0
		sleep 0.02; i=$((i+1))
	done
	return 1
}
# The host whose A record an edit of generation G changes first (genzone:
# ten edited hosts spread over the zone's host numbers).
probe_of() { # SHAPE
	case $1 in flat) nh=$((RRS - 5)) ;; *) nh=$(( (RRS - 5 + 9) / 10 )) ;; esac
	st=$((nh / 10)); [ $st -gt 0 ] || st=1
	echo "h$((st / 2)).$ZONE"
}
PROBE=$(probe_of realistic)
probe_val() { echo "198.18.$1.0"; }
shape_flag() { [ "$1" = flat ] && echo -f; }

say "# hpagent benchmarks: BENCH=$BENCH RRS=$RRS RUNS=$RUNS SHAPES=\"$SHAPES\", $(nproc) CPUs, temp $T"
say "# NSD $(nsd -v 2>&1 | head -1 | awk '{print $3}'), Knot $(knotd -V 2>&1 | awk '{print $NF}'), BIND $(named -v | awk '{print $2}')"
. "$top/tests/bench/publish.sh"
. "$top/tests/bench/ddns.sh"
gen_zones() { # SHAPE: $T/z-SHAPE/base.zone, edit1..4.zone
	d=$T/z-$1; mkdir -p "$d"; fl=$(shape_flag "$1")
	t0=$(now)
	"$GEN" $fl $ZONE "$RRS" 1 > "$d/base.zone" || exit 1
	"$GEN" $fl $ZONE "$RRS" 2 edit 1 > "$d/edit1.zone" || exit 1
	for g in 2 3 4; do
		"$GEN" $fl $ZONE "$RRS" $((g + 1)) edit $g > "$d/edit$g.zone" || exit 1
	done
	say "# genzone ($1): 5 zones of $RRS RRs ($(du -m "$d/base.zone" | cut -f1) MB each) in $(sub "$(now)" "$t0") s"
}

# ---- configurations ------------------------------------------------------
knot_conf() { # DIR ADDR
	mkdir -p "$1/storage"
	cat > "$1/knot.conf" <<EOF
server:
    rundir: "$1"
    listen: $2@$PORT
    udp-workers: 1
    tcp-workers: 2
    background-workers: 1
database:
    storage: "$1/storage"
log:
  - target: stderr
    any: info
control:
    listen: "$1/knot.sock"
key:
  - id: $KEYNAME
    algorithm: hmac-sha256
    secret: $KEYSEC
remote:
  - id: sec
    address: $A_SEC@$PORT
    via: $2
acl:
  - id: xfr_key
    address: 127.0.0.0/8
    key: $KEYNAME
    action: transfer
  - id: xfr
    address: 127.0.0.0/8
    action: transfer
template:
  - id: default
    storage: "$1"
    zonefile-load: difference
    zonefile-sync: -1
    semantic-checks: off
zone:
  - domain: $ZONE
    file: "$1/$ZONE.zone"
    acl: [xfr_key, xfr]
    notify: sec
EOF
}
nsd_conf() { # DIR ADDR PRIMARY-ZONE(1)|SECONDARY-OF(ADDR)
	mkdir -p "$1"
	cat > "$1/nsd.conf" <<EOF
server:
    ip-address: $2@$PORT
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$1"
    zonelistfile: "$1/zone.list"
    xfrdfile: "$1/xfrd.state"
    xfrdir: "$1"
    pidfile: "$1/nsd.pid"
    server-count: 1
    verbosity: 1
remote-control:
    control-enable: no
key:
    name: $KEYNAME
    algorithm: hmac-sha256
    secret: "$KEYSEC"
zone:
    name: $ZONE
    zonefile: "$1/$ZONE.zone"
EOF
	if [ "$3" = 1 ]; then
		cat >> "$1/nsd.conf" <<EOF
    provide-xfr: 127.0.0.0/8 NOKEY
    provide-xfr: 127.0.0.0/8 $KEYNAME
    store-ixfr: yes
    create-ixfr: yes
    ixfr-size: 0
EOF
	else
		cat >> "$1/nsd.conf" <<EOF
    request-xfr: $3@$4 NOKEY
    allow-notify: 127.0.0.0/8 NOKEY
    outgoing-interface: $2
EOF
		# Apply a transfer at once, not after the default 1 s batching.
		sed -i 's/^    verbosity: 1$/&\n    xfrd-reload-timeout: 0/' "$1/nsd.conf"
	fi
}
bind_conf() { # DIR
	mkdir -p "$1"
	cat > "$1/named.conf" <<EOF
options {
    directory "$1";
    listen-on port $P_BIND { $A_BIND; };
    listen-on-v6 { none; };
    pid-file "$1/named.pid";
    recursion no;
    dnssec-validation no;
    notify no;
    check-names primary ignore;
    check-integrity no;
    check-mx ignore;
    check-srv-cname ignore;
    check-sibling no;
    check-wildcard no;
    ixfr-from-differences yes;
    max-journal-size unlimited;
};
controls { };
key "$KEYNAME" { algorithm hmac-sha256; secret "$KEYSEC"; };
zone "$ZONE" {
    type primary;
    file "$1/$ZONE.zone";
    allow-transfer { 127.0.0.0/8; };
};
EOF
}
hp_conf() { # DIR [ADDR]
	mkdir -p "$1"
	cat > "$1/agent.conf" <<EOF
server:
    ip-address: ${2:-$A_HP}@$PORT
    username: root
    database: "$1/hpagent.db"
    zonesdir: "$1"
    verbosity: 2
key:
    name: $KEYNAME
    algorithm: hmac-sha256
    secret: "$KEYSEC"
zone:
    name: $ZONE
    zonefile: "$1/$ZONE.zone"
    provide-xfr: 127.0.0.0/8 NOKEY
    provide-xfr: 127.0.0.0/8 $KEYNAME
    notify: $A_SEC@$PORT NOKEY
EOF
}
# Parse /usr/bin/time -v output: elapsed seconds and peak RSS in MiB.
tv_secs() {
	awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0;
	    for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.3f", s }' "$1"
}
tv_rss() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
# wait for a server to answer SOA with serial 1 (or any): seconds taken.
startup() { # NAME ADDR PORT START-TIME
	if wait_serial 180 "$2" "$3" '[0-9]+'; then sub "$(now)" "$4"
	else echo "FAIL"; echo "# $1 did not answer SOA; log:" >&2; tail -5 "$T/$1.log" >&2; fi
}
start_knot() { # NAME DIR ADDR
	s=$(now); bg "$1" knotd -c "$2/knot.conf"
	eval "UP_$1=\$(startup $1 $3 $PORT $s)"
}

# ---- A. store ------------------------------------------------------------
bench_store() {
	say ""
	say "## A. store: hpagent import vs Knot zone-reload ($RRS RRs, realistic zone)"
	[ -f "$T/z-realistic/base.zone" ] || gen_zones realistic
	H=$T/hp-store; hp_conf "$H"
	ok=1
	# The parse alone (libzscanner, RRs counted), the reference of the
	# goal "a 10-RR change in about 4x the parse": median of 3.
	for r in 1 2 3; do
		/usr/bin/time -v "$BUILD/tests/bench/parsebench" $ZONE \
		    "$T/z-realistic/base.zone" > "$T/parse.out" 2> "$T/parse.time"
		tv_secs "$T/parse.time"; echo
	done | sort -n | sed -n 2p > "$T/parse.med"
	PARSE_s=$(cat "$T/parse.med")
	# The source is one path (the file's content replaced, as cron's
	# download would): first import, the same file again (its size,
	# mtime and octets unchanged: no parse), then 10 RRs changed, RUNS
	# times (edits 1..4 in turn), median [min-max].
	cp "$T/z-realistic/base.zone" "$H/src.zone"
	imp1() { # NAME
		/usr/bin/time -v "$HPAGENT" -c "$H/agent.conf" -q import $ZONE \
		    "$H/src.zone" > "$T/imp-$1.out" 2> "$T/imp-$1.time"
		rc=$?
		if [ $rc != 0 ]; then
			ok=0; say "# import ($1) failed, status $rc:"
			grep -v '^\s' "$T/imp-$1.time" | head -5 | sed 's/^/#   /'
		fi
		tv_secs "$T/imp-$1.time" >> "$T/imp-$1.s"; echo >> "$T/imp-$1.s"
		tv_rss "$T/imp-$1.time" >> "$T/imp-$1.rss"; echo >> "$T/imp-$1.rss"
	}
	imp1 first
	r=0
	while [ $r -lt "$RUNS" ]; do
		imp1 unchanged
		cp "$T/z-realistic/edit$((r % 4 + 1)).zone" "$H/src.zone.new"
		mv "$H/src.zone.new" "$H/src.zone"
		# the yardstick beside each import: the parse of the same file
		# just before it (this machine's speed drifts between runs)
		/usr/bin/time -v "$BUILD/tests/bench/parsebench" $ZONE \
		    "$H/src.zone" > /dev/null 2> "$T/parse-r.time"
		tv_secs "$T/parse-r.time" >> "$T/parse-r.s"; echo >> "$T/parse-r.s"
		imp1 edit10
		r=$((r + 1))
	done
	# import / parse of each run: median [min-max]
	RATIO=$(paste -d' ' "$T/imp-edit10.s" "$T/parse-r.s" | awk '$1 > 0 && $2 > 0 { print $1 / $2 }' |
	    sort -n | awk '{ v[++n] = $1 } END { if (n) printf "%.2f [%.2f-%.2f]", v[int((n + 1) / 2)], v[1], v[n] }')
	# A URL whose server answers 304 (python's http.server: Last-Modified,
	# If-Modified-Since): fetched once in full, then RUNS times unchanged.
	mkdir -p "$H/www"; cp "$T/z-realistic/base.zone" "$H/www/z.zone"
	bg httpd python3 -m http.server --bind 127.0.6.9 30899 --directory "$H/www"
	wait_log 10 "$T/httpd.log" "Serving HTTP" || sleep 1
	U=http://127.0.6.9:30899/z.zone
	"$HPAGENT" -c "$H/agent.conf" -q import $ZONE "$U" > "$T/imp-url.out" 2>&1 ||
	    say "# import of $U failed: $(tail -1 "$T/imp-url.out")"
	r=0
	while [ $r -lt "$RUNS" ]; do
		s=$(now)
		"$HPAGENT" -c "$H/agent.conf" -v import $ZONE "$U" > "$T/imp-url304.out" 2>&1
		sub "$(now)" "$s" >> "$T/imp-url304.s"; echo >> "$T/imp-url304.s"
		r=$((r + 1))
	done
	n304=$(grep -c '" 304 ' "$T/httpd.log")
	[ "$n304" = "$RUNS" ] && grep -q "not modified" "$T/imp-url304.out" ||
	    say "# the URL's fetches: $n304 of $RUNS answered 304: $(tail -1 "$T/imp-url304.out")"
	drop_pid "$PID_httpd"
	for n in first unchanged edit10 url304; do
		eval "IMP_${n}_s=\$(mstat "$T/imp-$n.s")"
		eval "IMP_${n}_rss=\$(sort -n "$T/imp-$n.rss" 2>/dev/null | tail -1)"
	done
	# Knot: the same file edited, reloaded by a running knotd.
	K=$T/knot-store; knot_conf "$K" $A_KNOT
	cp "$T/z-realistic/base.zone" "$K/$ZONE.zone"
	start_knot kstore "$K" $A_KNOT
	kload_rss=$(hwm "$PID_kstore")
	cp "$T/z-realistic/edit1.zone" "$K/$ZONE.zone.new" && mv "$K/$ZONE.zone.new" "$K/$ZONE.zone"
	s=$(now)
	knotc -s "$K/knot.sock" zone-reload $ZONE > /dev/null 2>&1
	if wait_q 120 $A_KNOT $PORT "$PROBE" A "$(probe_val 1)"; then
		kreload=$(sub "$(now)" "$s")
	else
		kreload=FAIL
	fi
	krss=$(hwm "$PID_kstore")
	drop_pid "$PID_kstore"
	e10=${IMP_edit10_s%% *} unc=${IMP_unchanged_s%% *} u304=${IMP_url304_s%% *}
	say ""
	say "| measure                      | hpagent  | Knot     | target     | ratio |"
	say "|------------------------------|----------|----------|------------|-------|"
	printf "| first import / initial load  | %6s s | %6s s | <= 3 s     | hp/Knot %s |\n" \
	    "${IMP_first_s%% *}" "$UP_kstore" "$(div "${IMP_first_s%% *}" "$UP_kstore")"
	printf "| parse alone (libzscanner)    | %6s s |          |            |   |\n" "$PARSE_s"
	printf "| re-import 10 RRs changed     | %6s s | %6s s | <= 0.4 s   | hp/Knot %s, hp/parse %s |\n" \
	    "$e10" "$kreload" "$(div "$e10" "$kreload")" "$(div "$e10" "$PARSE_s")"
	printf "|   [min-max] over $RUNS           | %s |          |            |   |\n" "${IMP_edit10_s#* }"
	printf "|   / the parse just before    | %s x |          | about 4 x  |   |\n" "$RATIO"
	printf "| re-import unchanged file     | %6s s |        - | <= 0.15 s  | hp/parse %s |\n" \
	    "$unc" "$(div "$unc" "$PARSE_s")"
	printf "| re-import, URL answers 304   | %6s s |        - | <= 0.15 s  | hp/parse %s |\n" \
	    "$u304" "$(div "$u304" "$PARSE_s")"
	printf "| RR/s, first import           | %8s |          |            |   |\n" \
	    "$(awk -v n="$RRS" -v s="${IMP_first_s%% *}" 'BEGIN { if (s > 0) printf "%.0f", n / s }')"
	printf "| RR/s, 10-change re-import    | %8s |          |            |   |\n" \
	    "$(awk -v n="$RRS" -v s="$e10" 'BEGIN { if (s > 0) printf "%.0f", n / s }')"
	printf "| peak RSS first import        | %4s MiB | %4s MiB | <= 128 MiB | hp/Knot %s |\n" \
	    "$IMP_first_rss" "$kload_rss" "$(div "$IMP_first_rss" "$kload_rss")"
	printf "| peak RSS unchanged           | %4s MiB |          | <= 128 MiB |   |\n" "$IMP_unchanged_rss"
	printf "| peak RSS 10-change           | %4s MiB | %4s MiB | <= 128 MiB | hp/Knot %s |\n" \
	    "$IMP_edit10_rss" "$krss" "$(div "$IMP_edit10_rss" "$krss")"
	say "# Knot RSS is knotd's VmHWM (after the load / after the reload);"
	say "# Knot first column is start-up until SOA answers. hpagent: median of $RUNS [min-max]."
	lim() { awk -v l="$1" -v a="$2" -v b="$3" -v u="${4:-s}" 'BEGIN { if (a !~ /^[0-9.]+$/) { printf "# goal: %s: n/a\n", l; exit }
		printf "# goal: %-52s %s %s (<= %s %s: %s)\n", l, a, u, b, u, (a <= b) ? "met" : "NOT met" }'; }
	say "$(lim "import of a 10-RR change" "$e10" 0.4)"
	say "$(lim "  ... or about 4x the parse ($(div "$e10" "$PARSE_s")x)" "$e10" "$(awk -v p="$PARSE_s" 'BEGIN { printf "%.3f", 4 * p }')")"
	say "$(lim "  ... per run, / the parse just before (median)" "${RATIO%% *}" 4 x)"
	say "$(lim "unchanged file" "$unc" 0.15)"
	say "$(lim "unchanged URL (304)" "$u304" 0.15)"
	say "$(lim "import of $RRS RRs, peak RSS" "$IMP_first_rss" 128 MiB)"
	[ $ok = 1 ] || say "# WARNING: an hpagent import failed; its figures are not valid"
	[ "$(du -m "$H/hpagent.db" 2>/dev/null | cut -f1)" ] &&
	    say "# hpagent database: $(du -m "$H/hpagent.db" | cut -f1) MB"
	say "# hpagent history: $("$HPAGENT" -c "$H/agent.conf" history $ZONE 2>&1 | tail -3 | tr '\n' ';')"
	rm -rf "$H" "$K"
}

# ---- B. transfers --------------------------------------------------------
# Measurements go to $M/TAG.SERVER, one line per run: seconds, or FAIL.
XSERVERS="nsd knot bind hpagent hpstream"
addr_of() { case $1 in nsd) echo $A_NSD ;; knot) echo $A_KNOT ;; bind) echo $A_BIND ;; hpagent) echo $A_HP ;; hpstream) echo $A_HPS ;; esac; }
port_of() { case $1 in bind) echo $P_BIND ;; *) echo $PORT ;; esac; }
rec() { echo "$3" >> "$M/$1.$2"; }	# TAG SERVER VALUE
# rotate N WORDS...: the words, starting at the (N mod count)-th
rotate() { n=$1; shift; c=$#; k=$((n % c)); i=0; out=
	for w in "$@"; do [ $i -ge $k ] && out="$out $w"; i=$((i + 1)); done
	i=0; for w in "$@"; do [ $i -lt $k ] && out="$out $w"; i=$((i + 1)); done
	echo $out; }
# xf FILE FIELD: a field of xfrbench's RESULT line.
xf() { sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | tail -1; }
# xfr1 SERVER TAG XFRBENCH-ARGS...: one transfer, recorded under TAG; its
# RR count in $M/TAG.SERVER.rrs
xfr1() {
	srv=$1 tag=$2; shift 2
	o=$T/xb-$SHAPE-$tag-$srv.out
	if "$XB" -s "$(addr_of "$srv")" -p "$(port_of "$srv")" -T 120 "$@" $ZONE > "$o" 2>&1; then
		rec "$tag" "$srv" "$(xf "$o" time)"
		xf "$o" rrs >> "$M/$tag.$srv.rrs"
		xf "$o" style > "$M/$tag.$srv.style"
		xf "$o" msgs > "$M/$tag.$srv.msgs"
	else
		rec "$tag" "$srv" FAIL
		say "# $srv $tag failed: $(tail -2 "$o" | tr '\n' ' ')"
	fi
}
# stat TAG SERVER: "median min max ok failed" ("- - - 0 N" when none ok)
stat() {
	[ -f "$M/$1.$2" ] || { echo "- - - 0 0"; return; }
	awk '$1 == "FAIL" { f++; next } { v[++n] = $1 } END {
		if (!n) { print "- - - 0", f + 0; exit }
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
			if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		m = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		printf "%.6f %s %s %d %d\n", m, v[1], v[n], n, f + 0 }' "$M/$1.$2"
}
# row LABEL TAG UNIT: one table row; each cell the median, its ratio to
# the best median (x), [min-max] over several runs, failures if any.
row() {
	best=$(for s in $XSERVERS; do stat "$2" $s | cut -d' ' -f1; done |
	    awk '$1 ~ /^[0-9.]+$/ && $1 > 0 { k++; if (b == "" || $1 < b) b = $1 } END { if (k > 1) print b }')
	line=$(printf "| %-28s |" "$1")
	for s in $XSERVERS; do
		set -- "$1" "$2" "$3" $(stat "$2" $s)
		line="$line $(awk -v u="$3" -v m="$4" -v lo="$5" -v hi="$6" -v n="$7" -v f="$8" -v b="${best:-0}" 'BEGIN {
			if (m == "-") { c = (f > 0) ? "FAIL" : "n/a" }
			else {
				k = (u == "ms") ? 1000 : 1; fmt = (u == "MiB") ? "%.0f" : (u == "ms" ? "%.2f" : "%.3f")
				c = sprintf(fmt " %s", m * k, u)
				if (b > 0 && u != "MiB") c = c sprintf(m / b < 10 ? " x%.2f" : " x%.0f", m / b)
				if (n > 1) c = c sprintf(" [" fmt "-" fmt "]", lo * k, hi * k)
			}
			if (f > 0 && m != "-") c = c sprintf(" (%d of %d failed)", f, n + f)
			printf "%s |", c }')"
	done
	say "$line"
}
# edit_file GEN: the zone of edit GEN (made once; gen_zones makes 1-4).
edit_file() {
	[ -f "$Z/edit$1.zone" ] ||
	    "$GEN" $(shape_flag "$SHAPE") $ZONE "$RRS" $(($1 + 1)) edit "$1" > "$Z/edit$1.zone" || exit 1
	echo "$Z/edit$1.zone"
}
apply_edit() { # SERVER GEN [TAG]: install zone edit GEN; records TAG (edit)
	srv=$1 g=$2 f=$(edit_file "$2") s=$(now) etag=${3:-edit}
	old=$(soa_serial "$(addr_of $srv)" "$(port_of $srv)")
	case $srv in
	nsd)	cp "$f" "$D/nsd/$ZONE.zone.new" && mv "$D/nsd/$ZONE.zone.new" "$D/nsd/$ZONE.zone"
		s=$(now); kill -HUP "$(eval echo \$PID_nsd$SHAPE)" ;;
	bind)	cp "$f" "$D/bind/$ZONE.zone.new" && mv "$D/bind/$ZONE.zone.new" "$D/bind/$ZONE.zone"
		s=$(now); kill -HUP "$(eval echo \$PID_bind$SHAPE)" ;;
	knot)	cp "$f" "$D/knot/$ZONE.zone.new" && mv "$D/knot/$ZONE.zone.new" "$D/knot/$ZONE.zone"
		s=$(now); knotc -s "$D/knot/knot.sock" zone-reload $ZONE > /dev/null 2>&1 ;;
	hpagent) "$HPAGENT" -c "$D/hp/agent.conf" -q import $ZONE "$f" > "$T/hp-import$g.log" 2>&1 ||
		say "# hpagent import of edit $g failed: $(tail -1 "$T/hp-import$g.log")" ;;
	esac
	# Serial, not the record: hpagent answers SOA/AXFR/IXFR only.
	if wait_newserial 120 "$(addr_of $srv)" "$(port_of $srv)" "$old"; then
		rec "$etag" "$srv" "$(sub "$(now)" "$s")"
	else
		rec "$etag" "$srv" FAIL
	fi
}
# hp_ready SERIAL: wait until hpagent's builder logged the cache of SERIAL
# ready; its own build time goes to tag "cache".
hp_ready() {
	l=$T/hpagent$SHAPE.log
	if wait_log 300 "$l" "AXFR messages of serial $1 ready"; then
		sed -n "s/.*AXFR messages of serial $1 ready: .*, \([0-9.]*\) s$/\1/p" "$l" | tail -1
	else echo FAIL; say "# hpagent: no cache ready line for serial $1: $(tail -2 "$l" | tr '\n' ' ')"; fi
}
# Propagation: an NSD secondary of PRIMARY; for edits 2, 3 and 4, the time
# from the edit command's return until the secondary answers the new
# record (tag prop), and from the command's start (tag propall).
propagate() { # PRIMARY
	srv=$1 d=$D/sec-$1
	nsd_conf "$d" $A_SEC "$(addr_of "$srv")" "$(port_of "$srv")"
	bg "sec$srv" nsd -d -c "$d/nsd.conf"
	eval "sp=\$PID_sec$srv"
	if ! wait_q 180 $A_SEC $PORT "$PROBE" A "$(probe_val 1)"; then
		rec prop "$srv" FAIL; rec propall "$srv" FAIL
		say "# NSD secondary of $srv never got edit 1: $(tail -2 "$T/sec$srv.log" | tr '\n' ' ')"
		drop_pid "$sp"; return
	fi
	for g in 2 3 4; do
		f=$Z/edit$g.zone
		[ $srv = knot ] && cp "$f" "$D/knot/$ZONE.zone.new"
		s=$(now)
		case $srv in
		knot)	mv "$D/knot/$ZONE.zone.new" "$D/knot/$ZONE.zone"
			knotc -b -s "$D/knot/knot.sock" zone-reload $ZONE > /dev/null 2>&1 ;;
		hpagent) "$HPAGENT" -c "$D/hp/agent.conf" -q import $ZONE "$f" > "$T/hp-import$g.log" 2>&1 ;;
		esac
		e=$(now)
		if wait_q 120 $A_SEC $PORT "$PROBE" A "$(probe_val "$g")"; then
			d2=$(now); rec prop "$srv" "$(sub "$d2" "$e")"; rec propall "$srv" "$(sub "$d2" "$s")"
		else
			rec prop "$srv" FAIL; rec propall "$srv" FAIL
			say "# NSD secondary of $srv did not get edit $g"
		fi
		# hpagent builds the new version's AXFR cache: let it finish
		# before the next edit (and before the other primary's turn)
		[ $srv = hpagent ] && hp_ready $((g + 1)) > /dev/null
	done
	drop_pid "$sp"
}
# IXFR within AFTER_SECS (1) s of a publish -- the secondaries' moment,
# and hpagent's AXFR cache builder runs then: per run, each server in turn
# (the order rotated) gets the next edit; once it serves the new serial,
# IXFRs from the serial before, one after the other for AFTER_SECS,
# unsigned and TSIG-signed alternating (tags ixfra, ixfrat; the very first
# of each publish also as ixfr1st). hpagent's builder is let finish before
# the next server's turn. The CPU time the server itself used in that
# second, its transfers included, is tag acpu (ms): a server still at
# work on its publish keeps a core busy, and the client then shares the
# other with its transfer threads (no cross-core wake-ups). The serial
# before of each server's last publish is kept for start_first.
after_publish() {
	r=0
	while [ $r -lt "$RUNS" ]; do
		g=$((5 + r))
		for srv in $(rotate $r nsd knot bind hpagent); do
			a=$(addr_of $srv) p=$(port_of $srv)
			old=$(soa_serial "$a" "$p")
			apply_edit $srv $g after
			echo "$old" > "$M/prev.$srv"
			pid=$(eval echo \$PID_$srv$SHAPE) c0=$(cputicks "$pid")
			e=$(awk -v t="$(now)" -v s="$AFTER_SECS" 'BEGIN { printf "%.3f", t + s }')
			k=0
			while [ "$(awk -v t="$(now)" -v e="$e" 'BEGIN { print (t < e) }')" = 1 ]; do
				xfr1 $srv ixfra -t ixfr -S "$old"
				[ $k = 0 ] && tail -1 "$M/ixfra.$srv" >> "$M/ixfr1st.$srv"
				xfr1 $srv ixfrat -t ixfr -S "$old" -y "$KEYSPEC"
				# 5 in a row from one client (their median)
				xfr1 $srv ixfrarow -t ixfr -S "$old" -n 5
				xfr1 $srv ixfrarowt -t ixfr -S "$old" -n 5 -y "$KEYSPEC"
				k=$((k + 1))
			done
			rec acpu $srv "$(awk -v a="$c0" -v b="$(cputicks "$pid")" -v hz="$(getconf CLK_TCK)" \
			    'BEGIN { printf "%.3f", (b - a) / hz }')"
			[ $srv = hpagent ] && hp_ready $((g + 1)) > /dev/null
		done
		r=$((r + 1))
	done
	for srv in nsd knot bind hpagent; do
		[ "$(cat "$M/ixfra.$srv.style" 2>/dev/null)" = ixfr ] ||
		    say "# $srv answered the IXFR after a publish as $(cat "$M/ixfra.$srv.style" 2>/dev/null)"
	done
}
# restart SERVER: stop it, start it as at first (its log starts over,
# the one before kept as .old), wait until it answers SOA.
restart() {
	drop_pid "$(eval echo \$PID_$1$SHAPE)"
	mv "$T/$1$SHAPE.log" "$T/$1$SHAPE.log.old" 2>/dev/null
	s=$(now)
	case $1 in
	nsd)	bg nsd$SHAPE nsd -d -c "$D/nsd/nsd.conf" ;;
	knot)	bg knot$SHAPE knotd -c "$D/knot/knot.conf" ;;
	bind)	bg bind$SHAPE named -g -c "$D/bind/named.conf" ;;
	hpagent) bg hpagent$SHAPE "$HPAGENT" -c "$D/hp/agent.conf" serve ;;
	esac
	startup $1$SHAPE "$(addr_of $1)" "$(port_of $1)" "$s" > /dev/null
}
# The first IXFR after a daemon start (tags ixfrfirst, ixfrfirstt): per run
# and server in turn, a restart, then at once the IXFR from the serial
# before its current one; once unsigned and once (after another restart)
# TSIG-signed. FIRST_RUNS runs (default RUNS, at most 3: each costs the
# peers a zone load).
start_first() {
	r=0
	while [ $r -lt "$FIRST_RUNS" ]; do
		for srv in $(rotate $r nsd knot bind hpagent); do
			old=$(cat "$M/prev.$srv")
			restart $srv
			xfr1 $srv ixfrfirst -t ixfr -S "$old"
			restart $srv
			xfr1 $srv ixfrfirstt -t ixfr -S "$old" -y "$KEYSPEC"
		done
		r=$((r + 1))
	done
}
# The secondaries' moment, as they live it (tag ixfrn): per run, Knot and
# hpagent in turn (the two that NOTIFY $A_SEC@$PORT here) get the next
# edit while xfrbench listens there; on the NOTIFY it answers and asks
# the IXFR from the serial before at once. hpagent's builder is let
# finish before the next turn.
notify_first() {
	r=0
	while [ $r -lt "$RUNS" ]; do
		g=$((20 + r))
		for srv in $(rotate $r knot hpagent); do
			old=$(soa_serial "$(addr_of $srv)" "$(port_of $srv)")
			o=$T/xb-$SHAPE-ixfrn-$srv.out
			"$XB" -N "$A_SEC@$PORT" -s "$(addr_of $srv)" -p "$(port_of $srv)" \
			    -T 60 -t ixfr -S "$old" $ZONE > "$o" 2>&1 &
			xp=$!
			wait_log 10 "$o" "^listening" || say "# xfrbench -N did not listen: $(cat "$o")"
			apply_edit $srv $g notify
			if wait "$xp"; then
				rec ixfrn "$srv" "$(xf "$o" time)"
				xf "$o" style > "$M/ixfrn.$srv.style"
			else
				rec ixfrn "$srv" FAIL
				say "# $srv: no IXFR after its NOTIFY: $(tail -2 "$o" | tr '\n' ' ')"
			fi
			[ $srv = hpagent ] && hp_ready $((g + 1)) > /dev/null
		done
		r=$((r + 1))
	done
	for srv in knot hpagent; do
		[ "$(cat "$M/ixfrn.$srv.style" 2>/dev/null)" = ixfr ] ||
		    say "# $srv answered the IXFR after its NOTIFY as $(cat "$M/ixfrn.$srv.style" 2>/dev/null)"
	done
}
# goal LABEL TAG SERVER TAG2 SERVER2 LIMIT: the median of TAG of SERVER
# over that of TAG2 of SERVER2 (hpagent against a peer, or against its own
# steady figure), with the bound issue 12 sets.
goal() {
	a=$(stat "$2" "$3" | cut -d' ' -f1) b=$(stat "$4" "$5" | cut -d' ' -f1)
	say "$(awk -v l="$1" -v a="$a" -v b="$b" -v lim="$6" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) { printf "# goal: %s: n/a\n", l; exit }
		r = a / b; printf "# goal: %-52s %.3f (<= %s: %s)\n", l, r, lim, (r <= lim) ? "met" : "NOT met" }')"
}
# info LABEL TAG SRV TAG SRV: the ratio, no goal (a path not taken)
info() {
	a=$(stat "$2" "$3" | cut -d' ' -f1) b=$(stat "$4" "$5" | cut -d' ' -f1)
	say "$(awk -v l="$1" -v a="$a" -v b="$b" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b == 0) { printf "# info: %s: n/a\n", l; exit }
		printf "# info: %-52s %.3f (the path not taken: see the goal above)\n", l, a / b }')"
}
bench_xfr() { for SHAPE in $SHAPES; do bench_xfr_shape; done; }
bench_xfr_shape() {
	say ""
	say "## B. transfers, $SHAPE zone: NSD, Knot, BIND, hpagent as primaries ($RRS RRs, loopback)"
	[ -f "$T/z-$SHAPE/base.zone" ] || gen_zones "$SHAPE"
	M=$T/m-$SHAPE D=$T/$SHAPE Z=$T/z-$SHAPE
	PROBE=$(probe_of "$SHAPE")
	mkdir -p "$M" "$D"
	nsd_conf "$D/nsd" $A_NSD 1; cp "$Z/base.zone" "$D/nsd/$ZONE.zone"
	knot_conf "$D/knot" $A_KNOT; cp "$Z/base.zone" "$D/knot/$ZONE.zone"
	bind_conf "$D/bind"; cp "$Z/base.zone" "$D/bind/$ZONE.zone"
	hp_conf "$D/hp"; hp_conf "$D/hps" $A_HPS
	s=$(now)
	if "$HPAGENT" -c "$D/hp/agent.conf" -q import $ZONE "$Z/base.zone" > "$T/hp-import0.log" 2>&1; then
		imp=$(sub "$(now)" "$s")
	else imp=FAIL; say "# hpagent import failed: $(tail -1 "$T/hp-import0.log")"; fi
	# the streamed server's database: a copy from before any cache
	cp "$D/hp/hpagent.db" "$D/hps/hpagent.db"
	[ -f "$D/hp/hpagent.db-wal" ] && cp "$D/hp/hpagent.db-wal" "$D/hps/hpagent.db-wal"
	# Start-up, one at a time so each has the CPUs to itself.
	s=$(now); bg nsd$SHAPE nsd -d -c "$D/nsd/nsd.conf"; rec up nsd "$(startup nsd$SHAPE $A_NSD $PORT "$s")"
	s=$(now); bg knot$SHAPE knotd -c "$D/knot/knot.conf"; rec up knot "$(startup knot$SHAPE $A_KNOT $PORT "$s")"
	s=$(now); bg bind$SHAPE named -g -c "$D/bind/named.conf"; rec up bind "$(startup bind$SHAPE $A_BIND $P_BIND "$s")"
	s=$(now); bg hpagent$SHAPE "$HPAGENT" -c "$D/hp/agent.conf" serve
	rec up hpagent "$(startup hpagent$SHAPE $A_HP $PORT "$s")"
	rec cache hpagent "$(hp_ready 1)"
	rec ready hpagent "$(sub "$(now)" "$s")"
	s=$(now); bg hpstream$SHAPE env HPAGENT_NO_AXFR_CACHE=1 "$HPAGENT" -c "$D/hps/agent.conf" serve
	rec up hpstream "$(startup hpstream$SHAPE $A_HPS $PORT "$s")"
	for srv in nsd knot bind; do cp "$M/up.$srv" "$M/load.$srv"; done
	for srv in hpagent hpstream; do
		awk -v i="$imp" '{ if ($1 == "FAIL" || i == "FAIL") print "FAIL"; else printf "%.3f\n", $1 + i }' \
		    "$M/up.$srv" > "$M/load.$srv"
	done
	# AXFR, unsigned then TSIG, RUNS times, the order rotated each run.
	r=0
	while [ $r -lt "$RUNS" ]; do
		for srv in $(rotate $r $XSERVERS); do xfr1 $srv axfr; done
		for srv in $(rotate $r $XSERVERS); do xfr1 $srv tsig -y "$KEYSPEC"; done
		r=$((r + 1))
	done
	# The same RRs from every server (the zone and its closing SOA).
	for tag in axfr tsig; do
		got=$(for srv in $XSERVERS; do printf '%s:%s ' $srv "$(sort -u "$M/$tag.$srv.rrs" 2>/dev/null | tr '\n' ,)"; done)
		want=$(for srv in $XSERVERS; do printf '%s:%s, ' $srv $((RRS + 1)); done)
		if [ "$got" = "$want" ]; then say "# $tag: every server sent $((RRS + 1)) RRs in every run"
		else ASSERT_FAILED=1; say "# ASSERTION FAILED: $tag RR counts differ (want $((RRS + 1)) each): $got"; fi
	done
	for srv in $XSERVERS; do rec h0 $srv "$(hwm "$(eval echo \$PID_$srv$SHAPE)")"; done
	# 4 AXFRs at once: wall time, peak RSS after.
	for srv in $XSERVERS; do
		pids= c0=$(now)
		for i in 1 2 3 4; do
			"$XB" -s "$(addr_of $srv)" -p "$(port_of $srv)" -T 120 $ZONE > "$T/xb4-$srv-$i.out" 2>&1 &
			pids="$pids $!"
		done
		fails=0
		for p in $pids; do wait "$p" || fails=$((fails + 1)); done
		if [ $fails = 0 ]; then rec c4 $srv "$(sub "$(now)" "$c0")"
		else rec c4 $srv FAIL; say "# $srv: $fails of 4 concurrent AXFRs failed"; fi
		rec h4 $srv "$(hwm "$(eval echo \$PID_$srv$SHAPE)")"
	done
	db=$(du -m "$D/hp/hpagent.db" | cut -f1)
	for srv in $XSERVERS; do
		awk -v d="$( [ ${srv#hp} != $srv ] && echo "$db" || echo 0)" \
		    '{ if ($1 ~ /^[0-9]+$/) print $1 + d; else print "FAIL" }' "$M/h4.$srv" > "$M/h4db.$srv"
	done
	# IXFR after 10 changed RRs (hpagent streamed: the same journal, n/a).
	for srv in nsd knot bind hpagent; do apply_edit $srv 1; done
	rec cache1 hpagent "$(hp_ready 2)"
	r=0
	while [ $r -lt "$RUNS" ]; do
		for srv in $(rotate $r nsd knot bind hpagent); do
			# single ones, 3 of each per run: a sub-millisecond
			# transfer's time swings with the wake-ups
			for k in 1 2 3; do
				xfr1 $srv ixfr -t ixfr -S 1
				xfr1 $srv ixfrtsig -t ixfr -S 1 -y "$KEYSPEC"
			done
			# 20 in a row from one client (the median of them):
			# the server's own work, without the wake-up of an
			# idle server and a new client process, which is most
			# of a single sub-millisecond transfer here
			xfr1 $srv ixfrrow -t ixfr -S 1 -n 20
			xfr1 $srv ixfrrowt -t ixfr -S 1 -n 20 -y "$KEYSPEC"
		done
		r=$((r + 1))
	done
	for srv in nsd knot bind hpagent; do
		[ "$(cat "$M/ixfr.$srv.style" 2>/dev/null)" = ixfr ] ||
		    say "# $srv answered the IXFR as $(cat "$M/ixfr.$srv.style" 2>/dev/null) ($(tail -1 "$M/ixfr.$srv.rrs" 2>/dev/null) RRs)"
	done
	# Propagation to an NSD secondary: Knot vs hpagent (edits 2-4), one
	# primary at a time.
	if [ "$SHAPE" = realistic ]; then propagate knot; propagate hpagent; fi
	after_publish
	start_first
	notify_first
	say ""
	printf "| %-28s |" "$SHAPE zone, $RRS RRs"; for n in NSD Knot BIND "hpagent cached" "hpagent streamed"; do printf " %s |" "$n"; done; echo
	printf "|%s|" "------------------------------"; for n in 1 2 3 4 5; do printf "%s|" "---"; done; echo
	row "AXFR" axfr s
	row "AXFR, TSIG hmac-sha256" tsig s
	row "4 AXFRs at once, wall" c4 s
	row "IXFR of 10 RRs" ixfr ms
	row "IXFR of 10 RRs, TSIG" ixfrtsig ms
	row "  20 in a row (median)" ixfrrow ms
	row "  20 in a row, TSIG" ixfrrowt ms
	row "IXFR, 1 s after a publish" ixfra ms
	row "  the same, TSIG" ixfrat ms
	row "  5 in a row (median)" ixfrarow ms
	row "  5 in a row, TSIG" ixfrarowt ms
	row "  the first after a publish" ixfr1st ms
	row "  server CPU in that second" acpu ms
	row "IXFR at once on its NOTIFY" ixfrn ms
	row "first IXFR after a start" ixfrfirst ms
	row "  the same, TSIG" ixfrfirstt ms
	row "start-up until SOA answers" up s
	row "zone file until served" load s
	row "AXFR cache build (log)" cache s
	row "  after a 10-RR edit (log)" cache1 s
	row "start until cache ready" ready s
	row "edit until served" edit s
	[ "$SHAPE" = realistic ] && row "propagation to NSD secondary" prop s &&
	    row "  (from the edit's start)" propall s
	row "VmHWM after serial AXFRs" h0 MiB
	row "VmHWM, 4 AXFRs at once" h4 MiB
	row "  + database file" h4db MiB
	say ""
	say "# $SHAPE: AXFR messages:$(for srv in $XSERVERS; do printf ' %s %s' $srv "$(cat "$M/axfr.$srv.msgs" 2>/dev/null)"; done)"
	say "# $SHAPE: IXFR RRs:$(for srv in nsd knot bind hpagent; do printf ' %s %s' $srv "$(tail -1 "$M/ixfr.$srv.rrs" 2>/dev/null)"; done)"
	say "# $SHAPE: hpagent database $db MiB (read through the page cache: not in its RSS)"
	say "# $SHAPE: IXFRs 1 s after a publish: $(for srv in nsd knot bind hpagent; do printf ' %s %s' $srv "$(grep -vc FAIL "$M/ixfra.$srv" 2>/dev/null)"; done)"
	best_peer=$(for srv in nsd knot bind; do echo "$(stat axfr $srv | cut -d' ' -f1) $srv"; done | sort -n | awk '$1 ~ /^[0-9.]+$/ { print $2; exit }')
	best_peert=$(for srv in nsd knot bind; do echo "$(stat tsig $srv | cut -d' ' -f1) $srv"; done | sort -n | awk '$1 ~ /^[0-9.]+$/ { print $2; exit }')
	goal "IXFR steady, hpagent / Knot" ixfr hpagent ixfr knot 1
	goal "IXFR steady, TSIG, hpagent / Knot" ixfrtsig hpagent ixfrtsig knot 1
	goal "IXFR steady, 20 in a row, hpagent / Knot" ixfrrow hpagent ixfrrow knot 1
	goal "IXFR steady, 20 in a row, TSIG, hpagent / Knot" ixfrrowt hpagent ixfrrowt knot 1
	goal "IXFR 1 s after a publish, hpagent / Knot" ixfra hpagent ixfra knot 1
	goal "IXFR 1 s after a publish, TSIG, hpagent / Knot" ixfrat hpagent ixfrat knot 1
	goal "IXFR 1 s after a publish, 5 in a row, hpagent / Knot" ixfrarow hpagent ixfrarow knot 1
	goal "  the same, TSIG" ixfrarowt hpagent ixfrarowt knot 1
	goal "IXFR at once on its NOTIFY, hpagent / Knot" ixfrn hpagent ixfrn knot 1
	goal "first IXFR after a start / steady (hpagent)" ixfrfirst hpagent ixfr hpagent 2
	goal "first IXFR after a start, TSIG / steady (hpagent)" ixfrfirstt hpagent ixfrtsig hpagent 2
	goal "AXFR cached, hpagent / best peer ($best_peer)" axfr hpagent axfr "$best_peer" 1
	goal "AXFR cached, TSIG, hpagent / best peer ($best_peert)" tsig hpagent tsig "$best_peert" 1
	# The streamed path: the issue's alternative, chosen. A version is
	# announced once its AXFR messages are made (zones.c), so that
	# secondaries do not get it streamed: the goal is that this costs
	# the publish (the build after a 10-RR edit) less than streaming
	# would cost each secondary (streamed AXFR minus cached).
	say "$(awk -v c="$(stat cache1 hpagent | cut -d' ' -f1)" \
	    -v st="$(stat axfr hpstream | cut -d' ' -f1)" \
	    -v ca="$(stat axfr hpagent | cut -d' ' -f1)" 'BEGIN {
		l = "AXFR before its cache: cache made before the announce"
		if (c !~ /^[0-9.]+$/ || st !~ /^[0-9.]+$/ || ca !~ /^[0-9.]+$/) { printf "# goal: %s: n/a\n", l; exit }
		printf "# goal: %-52s %.3f s to the publish <= %.3f s to each secondary streamed (%s; chosen)\n", l, c, st - ca, (c <= st - ca) ? "met" : "NOT met" }')"
	info "AXFR streamed, hpagent / best peer ($best_peer)" axfr hpstream axfr "$best_peer"
	info "AXFR streamed, TSIG, hpagent / best peer ($best_peert)" tsig hpstream tsig "$best_peert"
	say "$(stat h4 hpagent | awk '{ printf "# goal: %-52s %s MiB (<= 64: %s)", "serving 4 AXFRs at once, hpagent peak RSS", $1, ($1 ~ /^[0-9.]+$/ && $1 <= 64) ? "met" : "NOT met" }')"
	for srv in $XSERVERS; do drop_pid "$(eval echo \$PID_$srv$SHAPE)"; done
}
bench_xfr_notes() {
	say ""
	say "# x = ratio to the best median of the row; [min-max] over $RUNS runs (rotated order);"
	say "#   single IXFRs: 3 per run; in the second after a publish: as many as fit."
	say "# zone file until served: NSD/Knot/BIND load the file at start; hpagent = import + serve start."
	say "# edit until served: NSD/BIND SIGHUP, Knot zone-reload, hpagent import (whole command)."
	say "# propagation: from the edit command's return (knotc -b zone-reload / hpagent import)"
	say "#   until the NSD secondary (xfrd-reload-timeout: 0) answers the new record; 3 edits."
	say "# NSD 4.6 create-ixfr also re-adds the unchanged AAAA+TXT of every host of the"
	say "#   realistic shape (its IXFR RR count above)."
}

start=$(now)
case $BENCH in
sign) RRS=$RRS HPAGENT=$HPAGENT BUILD=$BUILD sh "$top/tests/bench/sign.sh" ||
    ASSERT_FAILED=1 ;;
store) bench_store ;;
xfr) bench_xfr; bench_xfr_notes ;;
publish) bench_publish ;;
ddns) bench_ddns ;;
all) bench_store; bench_xfr; bench_xfr_notes; bench_publish; bench_ddns ;;
*) echo "bench: BENCH must be store, xfr, publish, ddns, sign or all"; exit 2 ;;
esac
say ""
say "# total $(sub "$(now)" "$start") s"
[ "$ASSERT_FAILED" = 0 ] || { say "# bench: an assertion failed (see above)"; exit 1; }
