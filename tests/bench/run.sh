#!/bin/sh
# Benchmarks (not timed tests): `make bench`.
#   BENCH=store  hpagent import of a big zone vs Knot's zone-reload
#   BENCH=xfr    AXFR/IXFR/TSIG/start-up/propagation vs NSD, Knot, BIND
#   BENCH=publish  webhook publish -> confirmed by 2 NSD secondaries
#                (tests/bench/publish.sh: PUB_RRS, PUB_RUNS, PUB_SMALL)
#   BENCH=all    all three (default)
#   RRS=1000000  zone size (RRS=100000 for a quick check)
# Environment: HPAGENT (binary), BUILD (build dir with tests/bench/*),
# KEEP=1 keeps the temp dir. Loopback only: 127.0.6.x and 127.0.0.1,
# ports 30800-30999 (part C: 127.0.13.30-32, 32150-32153). Every wait is
# bounded; every daemon started here is stopped here, by its PID.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${HPAGENT:=$top/hpagent}" "${BUILD:=$top/build}"
: "${BENCH:=all}" "${RRS:=1000000}" "${RUNS:=5}"
GEN=$BUILD/tests/bench/genzone
XB=$BUILD/tests/bench/xfrbench
ZONE=bench.test
KEYNAME=benchkey
KEYSEC=YmVuY2hrZXktc2VjcmV0LWZvci1obWFjLXNoYTI1Ni0zMmI=
KEYSPEC=hmac-sha256:$KEYNAME:$KEYSEC
PORT=30853
A_KNOT=127.0.6.1 A_NSD=127.0.6.2 A_BIND=127.0.0.1 P_BIND=30854
A_HP=127.0.6.4 A_SEC=127.0.6.5
for f in "$HPAGENT" "$GEN" "$XB"; do
	[ -x "$f" ] || { echo "bench: $f missing (make bench builds it)"; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/hpagent-benchmark.XXXXXX")
PIDS=
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
# Peak RSS (VmHWM, MiB) of PID, or of its largest child (NSD forks servers).
hwm() {
	for p in "$1" $(pgrep -P "$1" 2>/dev/null); do
		awk '/^VmHWM/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | awk '$1 > m { m = $1 } END { if (m) printf "%.0f", m / 1024; else print "-" }'
}
say() { echo "$*"; }
# dig_a ADDR PORT NAME [TYPE]: the first answer's rdata (short form).
q() { kdig +tcp +timeout=1 +retry=0 +short @"$1" -p "$2" "$3" "${4:-A}" 2>/dev/null | head -1; }
# wait_q SECS ADDR PORT NAME TYPE WANT: poll until the answer is WANT.
wait_q() {
	lim=$(awk -v s="$1" 'BEGIN { print int(s * 50) }'); i=0
	while [ $i -lt "$lim" ]; do
		r=$(q "$2" "$3" "$4" "$5")
		case "$r" in "$6"*) return 0 ;; esac
		sleep 0.02; i=$((i+1))
	done
	return 1
}
soa_serial() { q "$1" "$2" $ZONE SOA | awk '{ print $3 }'; }
wait_newserial() { # SECS ADDR PORT OLD: poll until the SOA serial differs
	lim=$(($1 * 50)); i=0
	while [ $i -lt $lim ]; do
		r=$(soa_serial "$2" "$3")
		[ -n "$r" ] && [ "$r" != "$4" ] && return 0
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
# The host whose A record an edit of generation G changes first.
NBLK=$(( (RRS - 5 + 9) / 10 )); STEP=$(( NBLK / 10 )); [ $STEP -gt 0 ] || STEP=1
PROBE=h$(( STEP / 2 )).$ZONE
probe_val() { echo "198.18.$1.0"; }

say "# hpagent benchmarks: BENCH=$BENCH RRS=$RRS, $(nproc) CPUs, temp $T"
. "$top/tests/bench/publish.sh"
gen_zones() {
t0=$(now)
"$GEN" $ZONE "$RRS" 1 > "$T/base.zone" || exit 1
"$GEN" $ZONE "$RRS" 2 edit 1 > "$T/edit1.zone" || exit 1
for g in 2 3 4; do
	"$GEN" $ZONE "$RRS" $((g + 1)) edit $g > "$T/edit$g.zone" || exit 1
done
say "# genzone: 5 zones of $RRS RRs ($(du -m "$T/base.zone" | cut -f1) MB each) in $(sub "$(now)" "$t0") s"
}
[ "$BENCH" = publish ] || gen_zones || exit 1

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
    zonefile-load: difference-no-serial
    journal-content: all
    zonefile-sync: -1
    semantic-checks: off
    journal-max-usage: 2G
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
hp_conf() { # DIR
	mkdir -p "$1"
	cat > "$1/agent.conf" <<EOF
server:
    ip-address: $A_HP@$PORT
    username: root
    database: "$1/hpagent.db"
    zonesdir: "$1"
    verbosity: 1
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
	say "## A. store: hpagent import vs Knot zone-reload ($RRS RRs)"
	H=$T/hp-store; hp_conf "$H"
	ok=1
	for step in first:base unchanged:base edit10:edit1; do
		name=${step%%:*} f=${step#*:}
		/usr/bin/time -v "$HPAGENT" -c "$H/agent.conf" -q import $ZONE \
		    "$T/$f.zone" > "$T/imp-$name.out" 2> "$T/imp-$name.time"
		rc=$?
		if [ $rc != 0 ]; then
			ok=0; say "# import ($name) failed, status $rc:"
			grep -v '^\s' "$T/imp-$name.time" | head -5 | sed 's/^/#   /'
		fi
		eval "IMP_${name}_s=$(tv_secs "$T/imp-$name.time")"
		eval "IMP_${name}_rss=$(tv_rss "$T/imp-$name.time")"
	done
	# Knot: the same file edited, reloaded by a running knotd.
	K=$T/knot-store; knot_conf "$K" $A_KNOT
	cp "$T/base.zone" "$K/$ZONE.zone"
	start_knot kstore "$K" $A_KNOT
	kload_rss=$(hwm "$PID_kstore")
	cp "$T/edit1.zone" "$K/$ZONE.zone.new" && mv "$K/$ZONE.zone.new" "$K/$ZONE.zone"
	s=$(now)
	knotc -s "$K/knot.sock" zone-reload $ZONE > /dev/null 2>&1
	if wait_q 120 $A_KNOT $PORT "$PROBE" A "$(probe_val 1)"; then
		kreload=$(sub "$(now)" "$s")
	else
		kreload=FAIL
	fi
	krss=$(hwm "$PID_kstore")
	drop_pid "$PID_kstore"
	say ""
	say "| measure                      | hpagent  | Knot     | target     | ratio hp/Knot |"
	say "|------------------------------|----------|----------|------------|---------------|"
	printf "| first import / initial load  | %6s s | %6s s | <= 3 s     | %s |\n" \
	    "$IMP_first_s" "$UP_kstore" "$(div "$IMP_first_s" "$UP_kstore")"
	printf "| re-import unchanged          | %6s s |        - | <= 1.5 s   |   |\n" "$IMP_unchanged_s"
	printf "| re-import 10 RRs changed     | %6s s | %6s s | < Knot     | %s |\n" \
	    "$IMP_edit10_s" "$kreload" "$(div "$IMP_edit10_s" "$kreload")"
	printf "| RR/s, first import           | %8s |          |            |   |\n" \
	    "$(awk -v n="$RRS" -v s="$IMP_first_s" 'BEGIN { if (s > 0) printf "%.0f", n / s }')"
	printf "| RR/s, 10-change re-import    | %8s |          |            |   |\n" \
	    "$(awk -v n="$RRS" -v s="$IMP_edit10_s" 'BEGIN { if (s > 0) printf "%.0f", n / s }')"
	printf "| peak RSS first import        | %4s MiB | %4s MiB | <= 128 MiB | %s |\n" \
	    "$IMP_first_rss" "$kload_rss" "$(div "$IMP_first_rss" "$kload_rss")"
	printf "| peak RSS unchanged           | %4s MiB |          | <= 128 MiB |   |\n" "$IMP_unchanged_rss"
	printf "| peak RSS 10-change           | %4s MiB | %4s MiB | <= 128 MiB | %s |\n" \
	    "$IMP_edit10_rss" "$krss" "$(div "$IMP_edit10_rss" "$krss")"
	say "# Knot RSS is knotd's VmHWM (after the load / after the reload);"
	say "# Knot first column is start-up until SOA answers."
	[ $ok = 1 ] || say "# WARNING: an hpagent import failed; its figures are not valid"
	[ "$(du -m "$H/hpagent.db" 2>/dev/null | cut -f1)" ] &&
	    say "# hpagent database: $(du -m "$H/hpagent.db" | cut -f1) MB"
	say "# hpagent history: $("$HPAGENT" -c "$H/agent.conf" history $ZONE 2>&1 | tail -3 | tr '\n' ';')"
	rm -rf "$H" "$K"
}

# ---- B. transfers --------------------------------------------------------
SERVERS="nsd knot bind hpagent"
addr_of() { case $1 in nsd) echo $A_NSD ;; knot) echo $A_KNOT ;; bind) echo $A_BIND ;; hpagent) echo $A_HP ;; esac; }
port_of() { case $1 in bind) echo $P_BIND ;; *) echo $PORT ;; esac; }
# XB_FIELD FILE FIELD: a field of xfrbench's RESULT line.
xf() { sed -n "s/^RESULT.* $2=\([^ ]*\).*/\1/p" "$1" | tail -1; }
xfr_run() { # SERVER TAG ARGS...: median time into X_<tag>_<server>
	srv=$1 tag=$2; shift 2
	if "$XB" -s "$(addr_of "$srv")" -p "$(port_of "$srv")" -T 120 "$@" $ZONE \
	    > "$T/xb-$tag-$srv.out" 2>&1; then
		eval "X_${tag}_$srv=$(xf "$T/xb-$tag-$srv.out" time)"
		eval "R_${tag}_$srv=$(xf "$T/xb-$tag-$srv.out" rrs)"
		eval "M_${tag}_$srv=$(xf "$T/xb-$tag-$srv.out" msgs)"
	else
		eval "X_${tag}_$srv=FAIL R_${tag}_$srv=- M_${tag}_$srv=-"
		say "# $srv $tag failed: $(tail -2 "$T/xb-$tag-$srv.out" | tr '\n' ' ')"
	fi
}
getv() { eval "echo \${$1_$2:-n/a}"; }
# row LABEL VAR UNIT: one table row with ratios to the fastest (lowest).
row() {
	best=$(for s in $SERVERS; do getv "$2" $s; done |
	    awk '$1 ~ /^[0-9.]+$/ && $1 > 0 { if (b == "" || $1 < b) b = $1 } END { print b }')
	line=$(printf "| %-26s |" "$1")
	for s in $SERVERS; do
		v=$(getv "$2" $s)
		r=$(case "$v" in [0-9]*) div "$v" "${best:-0}" ;; *) echo "" ;; esac)
		case "$3:$v" in
		ms:[0-9]*) v=$(awk -v x="$v" 'BEGIN { printf "%.2f", x * 1000 }') ;;
		s:[0-9]*) v=$(awk -v x="$v" 'BEGIN { printf "%.3f", x }') ;;
		esac
		line="$line$(printf " %9s %-3s %7s |" "$v" "$3" "${r:+x$r}")"
	done
	say "$line"
}
apply_edit() { # SERVER GEN: install zone edit GEN; sets E_<srv> (s until served)
	srv=$1 g=$2 f=$T/edit$2.zone s=$(now)
	old=$(soa_serial "$(addr_of $srv)" "$(port_of $srv)")
	case $srv in
	nsd)	cp "$f" "$T/nsd/$ZONE.zone.new" && mv "$T/nsd/$ZONE.zone.new" "$T/nsd/$ZONE.zone"
		s=$(now); kill -HUP "$PID_nsd" ;;
	bind)	cp "$f" "$T/bind/$ZONE.zone.new" && mv "$T/bind/$ZONE.zone.new" "$T/bind/$ZONE.zone"
		s=$(now); kill -HUP "$PID_bind" ;;
	knot)	cp "$f" "$T/knot/$ZONE.zone.new" && mv "$T/knot/$ZONE.zone.new" "$T/knot/$ZONE.zone"
		s=$(now); knotc -s "$T/knot/knot.sock" zone-reload $ZONE > /dev/null 2>&1 ;;
	hpagent) "$HPAGENT" -c "$T/hp/agent.conf" -q import $ZONE "$f" > "$T/hp-import$g.log" 2>&1 ||
		say "# hpagent import of edit $g failed: $(tail -1 "$T/hp-import$g.log")" ;;
	esac
	# Serial, not the record: hpagent answers SOA/AXFR/IXFR only.
	if wait_newserial 120 "$(addr_of $srv)" "$(port_of $srv)" "$old"; then
		eval "E_$srv=$(sub "$(now)" "$s")"
	else
		eval "E_$srv=FAIL"
	fi
}
# Propagation: an NSD secondary of PRIMARY; for edits 2, 3 and 4, the time
# from the edit command's return until the secondary answers the new
# record (P_), and from the command's start (PT_); medians of the three.
med() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "FAIL" }'; }
propagate() { # PRIMARY
	srv=$1 d=$T/sec-$1
	nsd_conf "$d" $A_SEC "$(addr_of "$srv")" "$(port_of "$srv")"
	bg "sec$srv" nsd -d -c "$d/nsd.conf"
	eval "sp=\$PID_sec$srv"
	if ! wait_q 180 $A_SEC $PORT "$PROBE" A "$(probe_val 1)"; then
		eval "P_$srv=FAIL PT_$srv=FAIL"
		say "# NSD secondary of $srv never got edit 1: $(tail -2 "$T/sec$srv.log" | tr '\n' ' ')"
		drop_pid "$sp"; return
	fi
	: > "$T/prop-$srv"
	for g in 2 3 4; do
		f=$T/edit$g.zone
		[ $srv = knot ] && cp "$f" "$T/knot/$ZONE.zone.new"
		s=$(now)
		case $srv in
		knot)	mv "$T/knot/$ZONE.zone.new" "$T/knot/$ZONE.zone"
			knotc -b -s "$T/knot/knot.sock" zone-reload $ZONE > /dev/null 2>&1 ;;
		hpagent) "$HPAGENT" -c "$T/hp/agent.conf" -q import $ZONE "$f" > "$T/hp-import$g.log" 2>&1 ;;
		esac
		e=$(now)
		if wait_q 120 $A_SEC $PORT "$PROBE" A "$(probe_val "$g")"; then
			d2=$(now); echo "$(sub "$d2" "$e") $(sub "$d2" "$s")" >> "$T/prop-$srv"
		else
			say "# NSD secondary of $srv did not get edit $g"
		fi
	done
	eval "P_$srv=$(cut -d' ' -f1 "$T/prop-$srv" | med) PT_$srv=$(cut -d' ' -f2 "$T/prop-$srv" | med)"
	drop_pid "$sp"
}
bench_xfr() {
	say ""
	say "## B. transfers: NSD, Knot, BIND, hpagent as primaries ($RRS RRs, loopback)"
	nsd_conf "$T/nsd" $A_NSD 1; cp "$T/base.zone" "$T/nsd/$ZONE.zone"
	knot_conf "$T/knot" $A_KNOT; cp "$T/base.zone" "$T/knot/$ZONE.zone"
	bind_conf "$T/bind"; cp "$T/base.zone" "$T/bind/$ZONE.zone"
	hp_conf "$T/hp"
	"$HPAGENT" -c "$T/hp/agent.conf" -q import $ZONE "$T/base.zone" > "$T/hp-import0.log" 2>&1 ||
	    say "# hpagent import failed: $(tail -1 "$T/hp-import0.log")"
	# Start-up, one at a time so each has the CPUs to itself.
	s=$(now); bg nsd nsd -d -c "$T/nsd/nsd.conf"; UP_nsd=$(startup nsd $A_NSD $PORT "$s")
	start_knot knot "$T/knot" $A_KNOT
	s=$(now); bg bind named -g -c "$T/bind/named.conf"; UP_bind=$(startup bind $A_BIND $P_BIND "$s")
	s=$(now); bg hpagent "$HPAGENT" -c "$T/hp/agent.conf" serve; UP_hpagent=$(startup hpagent $A_HP $PORT "$s")
	for s in $SERVERS; do
		xfr_run $s axfr -n "$RUNS"
		xfr_run $s tsig -n "$RUNS" -y "$KEYSPEC"
		eval "H0_$s=$(hwm "$(getv PID $s)")"
	done
	# Peak RSS while 4 AXFRs run at once (VmHWM after, and before).
	for s in $SERVERS; do
		pids= c0=$(now)
		for i in 1 2 3 4; do
			"$XB" -s "$(addr_of $s)" -p "$(port_of $s)" -T 120 $ZONE > "$T/xb4-$s-$i.out" 2>&1 &
			pids="$pids $!"
		done
		fails=0
		for p in $pids; do wait "$p" || fails=$((fails + 1)); done
		eval "C4_$s=$(sub "$(now)" "$c0")"
		[ $fails = 0 ] || { say "# $s: $fails of 4 concurrent AXFRs failed"; eval "C4_$s=FAIL"; }
		eval "H4_$s=$(hwm "$(getv PID $s)")"
	done
	# IXFR after 10 changed RRs.
	for s in $SERVERS; do apply_edit $s 1; done
	for s in $SERVERS; do
		xfr_run $s ixfr -n "$RUNS" -t ixfr -S 1
		xfr_run $s ixfrtsig -n "$RUNS" -t ixfr -S 1 -y "$KEYSPEC"
		[ "$(xf "$T/xb-ixfr-$s.out" style)" = ixfr ] ||
		    say "# $s answered the IXFR as $(xf "$T/xb-ixfr-$s.out" style) ($(xf "$T/xb-ixfr-$s.out" rrs) RRs)"
	done
	# Propagation to an NSD secondary: Knot vs hpagent (edit 2).
	propagate knot
	propagate hpagent
	P_nsd=n/a P_bind=n/a PT_nsd=n/a PT_bind=n/a
	say ""
	printf "| %-26s |" "figure (x ratio to best)"; for n in NSD Knot BIND hpagent; do printf " %-21s |" "$n"; done; echo
	printf "|%s|" "----------------------------"; for n in 1 2 3 4; do printf "%s|" "-----------------------"; done; echo
	row "AXFR, median of $RUNS" X_axfr s
	row "AXFR TSIG, median of $RUNS" X_tsig s
	row "4 AXFRs at once, wall" C4 s
	row "IXFR 10 RRs, median of $RUNS" X_ixfr ms
	row "IXFR 10 RRs TSIG, median" X_ixfrtsig ms
	row "start-up until SOA" UP s
	row "edit until served" E s
	row "propagation to NSD sec." P s
	row "  (from edit start)" PT s
	row "VmHWM after serial AXFRs" H0 MiB
	row "RSS peak, 4 AXFRs at once" H4 MiB
	say "# AXFR: $(getv R_axfr nsd) RRs; messages: nsd $(getv M_axfr nsd), knot $(getv M_axfr knot), bind $(getv M_axfr bind), hpagent $(getv M_axfr hpagent)"
	say "# IXFR RRs: nsd $(getv R_ixfr nsd), knot $(getv R_ixfr knot), bind $(getv R_ixfr bind), hpagent $(getv R_ixfr hpagent)"
	say "# NSD 4.6 create-ixfr also re-adds the unchanged AAAA+TXT of every host"
	say "#   (2 RRs per block); over ixfr-size it answers IXFR with an AXFR."
	say "# edit until served: NSD/BIND SIGHUP, Knot zone-reload, hpagent import (whole command)"
	say "# propagation: median of 3 edits, from the edit command's return (knotc -b"
	say "#   zone-reload / hpagent import) until the NSD secondary answers the record;"
	say "#   the secondary has xfrd-reload-timeout: 0"
	for s in $SERVERS; do drop_pid "$(getv PID $s)"; done
}

start=$(now)
case $BENCH in
store) bench_store ;;
xfr) bench_xfr ;;
publish) bench_publish ;;
all) bench_store; bench_xfr; bench_publish ;;
*) echo "bench: BENCH must be store, xfr, publish or all"; exit 2 ;;
esac
say ""
say "# total $(sub "$(now)" "$start") s"
