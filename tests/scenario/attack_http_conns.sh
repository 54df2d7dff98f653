#!/bin/sh
# 1,100 idle HTTP connections from one address against a daemon whose
# open-file limit is 1024 (the unit's default before LimitNOFILE=):
#   - with the default limits (http-max-connections: 128,
#     http-max-connections-per-address: 16) the daemon holds 16 of them
#     and closes the rest at once: transfers and the API keep working, the
#     loop does not spin, the log does not flood;
#   - with limits set above the file limit, accept() fails with EMFILE:
#     the listener pauses instead of spinning, says so once, and serves
#     again as soon as the connections are gone.
# The figures: docs/ROBUSTNESS.md, "Listeners under attack".
. "$(dirname "$0")/../lib.sh"
plan 14
P=127.0.16.41 PORT=33141 HPORT=33142 SEC=127.0.16.42 ATT=127.0.16.43 API=127.0.16.44
N=1100 HOLD=10
TOKEN=api-token-0123456789abcdef
D=$T/hp
mkdir -p "$D"
. "$TOP/tests/scenario/lib_listeners.sh"
small_zone example.test 2000 > "$D/z.zone"
conf() { # FILE HPORT EXTRA...
	f=$1 hp=$2; shift 2
	{ cat <<EOC
server:
	ip-address: $P@$PORT
	username: root	# tests run as root: stay root
	database: "$D/hp.db"
	logfile: "$D/$(basename "$f" .conf).log"
	http-listen: $P@$hp
	api-token: "$TOKEN"
EOC
	for l in "$@"; do printf '\t%s\n' "$l"; done
	cat <<EOC
zone:
	name: example.test
	zonefile: "$D/z.zone"
	provide-xfr: $SEC NOKEY
EOC
	} > "$f"
}
conf "$D/a.conf" $HPORT
"$HPAGENT" -c "$D/a.conf" import example.test > /dev/null || bail "initial import"
# serve CONF NAME: the daemon with an open-file limit of 1024
serve() { bg "$2" sh -c "ulimit -n 1024 && exec '$HPAGENT' -c '$1' serve"; }
up() { curl -s -o /dev/null --interface $API -H "Authorization: Bearer $TOKEN" "http://$P:$1/v1/zones"; }
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }	# clock ticks
api() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 --interface $API \
    -H "Authorization: Bearer $TOKEN" "http://$P:$1/v1/zones"; }

# ---- default limits ---------------------------------------------------------
serve "$D/a.conf" a
wait_for 10 up $HPORT || { fail "the daemon answers HTTP"; exit 1; }
DPID=$PID_a	# (sh execs the daemon)
# what the daemon writes: its logfile and its stderr (libevent's own
# warnings go there)
logsz() { cat "$D/$1.log" "$T/$1.log" | wc -c; }
log0=$(logsz a)
$RAW $P $HPORT idle $N $HOLD $ATT 47 > "$T/idle.a" &
IPID=$!
wait_for 10 grep -q opened= "$T/idle.a"
diag "attacker: $(grep opened= "$T/idle.a") of $N"
c0=$(cpu "$DPID"); sleep 2; c1=$(cpu "$DPID")
expect_le "no spin: under 0.3 s of CPU in 2 s while $N connections wait" $((c1 - c0)) 30
# (within 2 s, the attack still on: a client that waits for the
# attacker to leave does not count)
expect_axfr_show "a transfer meanwhile: complete within 2 s" $P $PORT example.test "$D/a.conf" -b $SEC +timeout=2
expect_eq "the API meanwhile, from another address: 200 within 2 s" 200 "$(api $HPORT)"
log1=$(logsz a)
check "... while the $N connections were still open" kill -0 $IPID
wait $IPID
diag "log: $((log1 - log0)) octets written during the attack; $(grep -c 'refused' "$D/a.log") refusal lines"
expect_le "the log did not flood (octets written during the attack)" $((log1 - log0)) 20000
check "the daemon is still running" kill -0 "$DPID"
expect_le "its descriptors are back (open now)" "$(ls /proc/$DPID/fd | wc -l)" 64
kill "$DPID"; wait_for 10 sh -c "! kill -0 $DPID"

# ---- limits above the file limit: EMFILE ------------------------------------
conf "$D/b.conf" $HPORT "http-max-connections: 5000" "http-max-connections-per-address: 5000"
serve "$D/b.conf" b
wait_for 10 up $HPORT || { fail "the second daemon answers HTTP"; exit 1; }
DPID=$PID_b
$RAW $P $HPORT idle $N $HOLD $ATT 47 > "$T/idle.b" &
IPID=$!
wait_for 10 grep -q opened= "$T/idle.b"
# (the client has its connections before the daemon has accepted them
# all: measure once the daemon has run out of descriptors)
wait_for 8 grep -q 'http: accept: Too many open files' "$D/b.log"
diag "the daemon holds $(ls /proc/$DPID/fd | wc -l) descriptors"
c0=$(cpu "$DPID")
# the DNS listener meets EMFILE too: a query over TCP asked now cannot be
# accepted (a descriptor is needed), and that listener pauses as well
kdig @$P -p $PORT -b $SEC +tcp +timeout=1 +retry=0 example.test SOA > /dev/null 2>&1
sleep 1; c1=$(cpu "$DPID")
expect_le "EMFILE: no spin (CPU ticks in 2 s)" $((c1 - c0)) 30
wait $IPID
check "EMFILE: the DNS TCP listener paused too, and said so" grep -q 'DNS TCP: accept: Too many open files' "$D/b.log"
n=$(grep -c 'accept: Too many open files' "$D/b.log")
expect_le "EMFILE: said at most 4 times (HTTP and DNS), not once per try ($n lines)" "$n" 4
check "EMFILE: said at least once" test "$n" -ge 1
expect_grep "EMFILE: the line says what to do" 'raise LimitNOFILE=' "$D/b.log"
check "EMFILE: the API answers again once they are gone" wait_for 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --interface $API -H 'Authorization: Bearer $TOKEN' http://$P:$HPORT/v1/zones)\" = 200 ]"
expect_axfr_show "EMFILE: a transfer afterwards: complete" $P $PORT example.test "$D/b.conf" -b $SEC
