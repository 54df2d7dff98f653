#!/bin/sh
# sign.sh -- DNSSEC signing speed: hpagent itself (hpagent import of a
# zone with dnssec-signing: yes, then hpagent serve's IXFR) and its signer
# engine alone (tests/tools/signzone) against Knot signing the same zone,
# in one run. `make bench BENCH=sign` (tests/bench/run.sh).
#   RRS=1000000      zone size (tests/bench/genzone)
#   ALG=ecdsap256sha256
#   KNOT_THREADS=1   Knot's signing-threads (1 is its default; the
#                    engine signs on one thread)
# Measured, for each: the first signing of the zone (time, peak memory),
# re-signing after a 10-RR change (time), the size of that change (the
# IXFR's RRs).
#   - hpagent: signzone -t parses the zone, signs it whole, then parses the
#     edited file, diffs it and signs the change incrementally over its
#     in-memory view. Times are the engine's own (parse apart); peak
#     memory is the process's after the whole signing.
#   - Knot: knotd loads the zone file with dnssec-signing on (a CSK of the
#     same algorithm, NSEC), timed from start to the first signed SOA
#     answer; its log gives the signing alone (1 s resolution). The change:
#     the edited file and `knotc zone-reload` (zonefile-load: difference),
#     timed until the new serial is served; then IXFR from Knot.
# Loopback only: 127.0.15.1@30953. Every wait is bounded; knotd is stopped
# by its PID. KEEP=1 keeps the temp dir.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
: "${BUILD:=$top/build}" "${RRS:=1000000}" "${ALG:=ecdsap256sha256}"
: "${KNOT_THREADS:=1}"
S=$BUILD/tests/tools/signzone
G=$BUILD/tests/bench/genzone
A=127.0.15.1 HA=127.0.15.2 P=30953 Z=bench.test
H=${HPAGENT:-$top/hpagent}
for f in "$S" "$G"; do
	[ -x "$f" ] || { echo "sign.sh: $f missing (make tools)"; exit 1; }
done
for c in knotd knotc kdig; do
	command -v $c >/dev/null || { echo "sign.sh: $c missing"; exit 1; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/hpagent-signbench.XXXXXX")
KPID= HPID=
cleanup() {
	[ -n "$HPID" ] && { kill "$HPID" 2>/dev/null; wait "$HPID" 2>/dev/null; }
	if [ -n "$KPID" ]; then
		kill "$KPID" 2>/dev/null; i=0
		while kill -0 "$KPID" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i+1)); done
		kill -9 "$KPID" 2>/dev/null; wait "$KPID" 2>/dev/null
	fi
	[ "${KEEP:-0}" = 1 ] && echo "# kept $T" || rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
soa() { kdig +short +timeout=1 +retry=0 @$A -p $P $Z SOA 2>/dev/null |
	awk '{ print $3 }'; }

echo "# zone $Z: $RRS RRs, $ALG, NSEC, single key (CSK)"
"$G" $Z "$RRS" 1 > "$T/v1.zone"
"$G" $Z "$RRS" 3 edit > "$T/v3.zone"

# ---- hpagent's engine ----
"$S" -t -a "$ALG" -o - -c "$T/v3.zone" $Z "$T/v1.zone" 2> "$T/hp.err" ||
    { cat "$T/hp.err"; exit 1; }
hp_parse=$(awk '/^parse:/ { print $5 }' "$T/hp.err")
hp_sign=$(awk '/^sign:/ { print $2 }' "$T/hp.err")
hp_rss=$(awk '/^sign:/ { print $5 }' "$T/hp.err")
hp_sigs=$(awk '/^full:/ { print $7 }' "$T/hp.err")
hp_diff=$(awk '/^parse and diff:/ { print $4 }' "$T/hp.err")
hp_upd=$(awk '/^update time:/ { print $3 }' "$T/hp.err")
# the IXFR's RRs other than SOAs: the change minus the SOA removed and
# added (they are the IXFR's framing)
hp_ixfr=$(awk '/^update:/ { print substr($3,2) + substr($4,2) + \
    substr($6,2) + substr($7,2) - 2 }' "$T/hp.err")

# ---- hpagent itself: `hpagent import` parses the zone, stores it, signs
# it in the import's transaction and journals what it generated; then the
# edited file (a 10-RR change) the same way; the IXFR is what `hpagent
# serve` sends for it. Times and peak memory of the whole command
# (/usr/bin/time), parse and store included.
mkdir -p "$T/hp"
cat > "$T/hp/agent.conf" <<EOC
server:
	ip-address: $HA@$P
	database: "$T/hp/hp.db"
	username: root
	verbosity: 1
dnssec-policy:
	name: bench
	algorithm: $ALG
	rrsig-lifetime: 14d
	rrsig-refresh: 5d
zone:
	name: $Z
	zonefile: "$T/hp/z.zone"
	dnssec-signing: yes
	dnssec-policy: bench
	provide-xfr: 127.0.0.0/8 NOKEY
EOC
cp "$T/v1.zone" "$T/hp/z.zone"
/usr/bin/time -f "%e %M" "$H" -c "$T/hp/agent.conf" import $Z \
    > "$T/hp/imp1.out" 2> "$T/hp/time1" || { cat "$T/hp/imp1.out" "$T/hp/time1"; exit 1; }
hd_sign=$(tail -1 "$T/hp/time1" | awk '{ print $1 }')
hd_rss=$(tail -1 "$T/hp/time1" | awk '{ printf "%.0f", $2 / 1024 }')
hser=$("$H" -c "$T/hp/agent.conf" zones | awk '$1 == "'$Z'." { print $2 }')
cp "$T/v3.zone" "$T/hp/z.zone"
/usr/bin/time -f "%e %M" "$H" -c "$T/hp/agent.conf" import $Z \
    > "$T/hp/imp2.out" 2> "$T/hp/time2" || { cat "$T/hp/imp2.out" "$T/hp/time2"; exit 1; }
hd_upd=$(tail -1 "$T/hp/time2" | awk '{ print $1 }')
hd_upd_rss=$(tail -1 "$T/hp/time2" | awk '{ printf "%.0f", $2 / 1024 }')
"$H" -c "$T/hp/agent.conf" serve > "$T/hp/serve.log" 2>&1 &
HPID=$!
i=0
while [ $i -lt 300 ] && ! kdig +short +timeout=1 +retry=0 @$HA -p $P $Z SOA \
    2>/dev/null | grep -q .; do sleep 0.1; i=$((i+1)); done
hd_ixfr=$(kdig +timeout=10 @$HA -p $P $Z IXFR="$hser" 2>/dev/null |
    awk '!/^;/ && NF >= 5 && $4 != "SOA" { n++ } END { print n + 0 }')
kill "$HPID"; wait "$HPID" 2>/dev/null; HPID=

# ---- Knot ----
mkdir -p "$T/knot/keys" "$T/knot/db"
cp "$T/v1.zone" "$T/knot/$Z.zone"
cat > "$T/knot/knot.conf" <<EOF
server:
    rundir: $T/knot
    listen: $A@$P
log:
  - target: stderr
    any: info
database:
    storage: $T/knot/db
    journal-db-max-size: 8G
keystore:
  - id: ks
    backend: pem
    config: $T/knot/keys
policy:
  - id: bench
    algorithm: $ALG
    single-type-signing: on
    nsec3: off
    signing-threads: $KNOT_THREADS
    rrsig-lifetime: 14d
    rrsig-refresh: 5d
    keystore: ks
acl:
  - id: local
    address: 127.0.0.0/8
    action: transfer
template:
  - id: default
    storage: $T/knot
    zonefile-sync: -1
    zonefile-load: difference
    journal-content: changes
    journal-max-usage: 4G
zone:
  - domain: $Z
    file: $T/knot/$Z.zone
    dnssec-signing: on
    dnssec-policy: bench
    acl: local
EOF
t0=$(now)
knotd -c "$T/knot/knot.conf" > "$T/knot/knot.log" 2>&1 &
KPID=$!
i=0
while [ $i -lt 6000 ]; do	# 10 minutes at most
	kdig +dnssec +timeout=1 +retry=0 @$A -p $P $Z SOA 2>/dev/null |
	    grep -q RRSIG && break
	kill -0 $KPID 2>/dev/null || break
	sleep 0.1; i=$((i+1))
done
t1=$(now)
kn_total=$(sub "$t1" "$t0")
kn_rss=$(awk '/^VmHWM/ { printf "%.0f", $2 / 1024 }' /proc/$KPID/status \
    2>/dev/null)
# the signing alone, from its log (seconds)
logtime() { grep -m1 "$1" "$T/knot/knot.log" | cut -d' ' -f1; }
ks=$(logtime "signing started") ke=$(logtime "successfully signed")
kn_sign=-
[ -n "$ks" ] && [ -n "$ke" ] &&
    kn_sign=$(( $(date -d "$ke" +%s) - $(date -d "$ks" +%s) ))
ser=$(soa)
# the change: the edited file, reloaded
cp "$T/v3.zone" "$T/knot/$Z.zone"
t2=$(now)
knotc -c "$T/knot/knot.conf" zone-reload $Z > /dev/null
i=0
while [ $i -lt 6000 ]; do
	s=$(soa)
	[ -n "$s" ] && [ "$s" != "$ser" ] && break
	sleep 0.02; i=$((i+1))
done
t3=$(now)
kn_upd=$(sub "$t3" "$t2")
kn_ixfr=$(kdig +timeout=10 @$A -p $P $Z IXFR="$ser" 2>/dev/null |
    awk '!/^;/ && NF >= 5 && $4 != "SOA" { n++ } END { print n + 0 }')

echo "first signing           hpagent import  hpagent engine  Knot $(knotd -V | awk '{ print $NF }')"
printf "  time (s)              %-15s %-15s %s (signing alone: %s)\n" \
    "$hd_sign" "$hp_sign" "$kn_total" "$kn_sign"
printf "  parse/load (s)        (in the import) %-15s (in Knot's total)\n" "$hp_parse"
printf "  peak memory (MiB)     %-15s %-15s %s\n" "$hd_rss" "$hp_rss" "${kn_rss:--}"
printf "  signatures            %-15s %-15s\n" "-" "$hp_sigs"
echo "10-RR change"
printf "  re-sign (s)           %-15s %-15s %s (reload: parse, diff, sign)\n" \
    "$hd_upd" "$hp_upd" "$kn_upd"
printf "  peak memory (MiB)     %-15s\n" "$hd_upd_rss"
printf "  parse and diff (s)    (in the import) %-15s\n" "$hp_diff"
printf "  IXFR RRs (but SOAs)   %-15s %-15s %s\n" "$hd_ixfr" "$hp_ixfr" "$kn_ixfr"
echo "  (hpagent import: the whole command -- parse, store, sign in the"
echo "   transaction, journal; the engine: tools/signzone, signing alone)"
echo "ratios (Knot / hpagent import): first signing $(div "$kn_total" \
    "$hd_sign") x, 10-RR change $(div "$kn_upd" "$hd_upd") x," \
    "peak memory $(div "${kn_rss:-0}" "$hd_rss") x"
echo "ratios (Knot / engine): first signing $(div "$kn_total" \
    "$(awk -v a="$hp_sign" -v b="$hp_parse" 'BEGIN { print a + b }')") x" \
    "(signing alone $(div "$kn_sign" "$hp_sign") x)," \
    "peak memory $(div "${kn_rss:-0}" "$hp_rss") x"
