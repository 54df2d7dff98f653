#!/bin/sh
# load_zones.sh -- many zones x 3 NOTIFY targets: LOAD_ZONES zones
# (default 300; LOAD_BIG=1: 10000), each NOTIFYing 3 python3 UDP listeners
# (stubs: one acknowledges, two never answer; none transfers nor answers
# the daemon's SOA probes, which is why the checks say "listener", not
# "secondary"). Figures: import --all time, daemon start-up time
# (until every zone answers), NOTIFY pacing (sends per second, peak per
# 100 ms), memory per zone (VmRSS), every zone's NOTIFY received.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
plan 6
H=$HPAGENT
BUILD=${BUILD:-$TOP/build}
DNSQ=$BUILD/tests/tools/dnsq
P=127.0.11.70 PORT=31670 C=127.0.11.74
NZ=${LOAD_ZONES:-300}
[ "${LOAD_BIG:-0}" = 1 ] && NZ=${LOAD_ZONES:-10000}
D=$T/hp
mkdir -p "$D/z"
{
	cat <<EOC
server:
	ip-address: $P@$PORT
	username: root	# tests run as root: stay root (README, Operating hpagent)
	database: "$D/hp.db"
	logfile: "$D/hpagent.log"
	zonesdir: "$D/z"
	verbosity: 0
pattern:
	name: sec3
	zonefile: %s.zone
	provide-xfr: 127.0.11.0/24 NOKEY
	notify: 127.0.11.71@31671 NOKEY
	notify: 127.0.11.72@31672 NOKEY
	notify: 127.0.11.73@31673 NOKEY
	notify-retry: 1
EOC
	k=0
	while [ $k -lt "$NZ" ]; do
		printf 'zone:\n\tname: z%d.test\n\tinclude-pattern: sec3\n' $k
		k=$((k + 1))
	done
} > "$D/agent.conf"
awk -v n="$NZ" -v d="$D/z" 'BEGIN { for (k = 0; k < n; k++) {
	f = d "/z" k ".test.zone"
	print "@ 300 IN SOA ns1.z" k ".test. h.z" k ".test. 1 3600 900 1209600 300" > f
	print "@ 300 IN NS ns1.z" k ".test." > f
	print "ns1 300 IN A 192.0.2.1" > f
	print "www 300 IN A 192.0.2.2" > f
	close(f) } }'
t0=$(date +%s%N)
"$H" -c "$D/agent.conf" -q import --all > "$T/import.out" 2>&1
rc=$?
t1=$(date +%s%N)
expect_eq "import --all of $NZ zones" 0 "$rc"
diag "import --all of $NZ zones: $(( (t1 - t0) / 1000000 )) ms"
cat > "$T/nl.py" <<'EOPY'
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(sys.argv[2])))
ack = sys.argv[3] == "ack"
out = open(sys.argv[4], "w", buffering=1)
while True:
    m, peer = s.recvfrom(65535)
    if len(m) < 12 or (m[2] >> 3) & 15 != 4:
        continue    # not a NOTIFY (the daemon's SOA probes): no answer
    e = m.index(b"\0", 12)
    out.write("%d %s\n" % (int(time.time() * 1000), m[13:e].replace(b"\4", b".").decode(errors="replace")))
    if ack:
        s.sendto(struct.pack("!HHHHHH", struct.unpack("!H", m[:2])[0], 0xa400, 1, 0, 0, 0) + m[12:e + 5], peer)
EOPY
bg l1 python3 "$T/nl.py" 127.0.11.71 31671 ack "$T/n1"
bg l2 python3 "$T/nl.py" 127.0.11.72 31672 noack "$T/n2"
bg l3 python3 "$T/nl.py" 127.0.11.73 31673 noack "$T/n3"
sleep 0.5
t0=$(date +%s%N)
bg hp "$H" -c "$D/agent.conf" serve
last=z$((NZ - 1)).test
up() { "$DNSQ" -s $C -T 1 $P $PORT $last SOA | grep -q 'serial 1'; }
if wait_for 50 up; then ok "daemon serves all $NZ zones"; else fail "daemon serves all $NZ zones"; tail -3 "$D/hpagent.log" | sed 's/^/# diag: /'; exit 1; fi
t1=$(date +%s%N)
startms=$(( (t1 - t0) / 1000000 ))
diag "start-up until the last zone answers: $startms ms"
"$DNSQ" -s $C -T 2 $P $PORT z$((NZ / 2)).test SOA | grep -q 'serial 1' && ok "a middle zone answers" || fail "a middle zone answers"
all_notified() { [ "$(sort -u -k2 "$T/n1" | wc -l)" -ge "$NZ" ]; }
if wait_for 40 all_notified; then ok "the acking NOTIFY listener got a NOTIFY for each of the $NZ zones"
else fail "each zone NOTIFYed"; diag "$(sort -u -k2 "$T/n1" | wc -l) zones"; fi
t2=$(date +%s%N)
# the silent ones: at most 16 NOTIFYs in flight each (notify.h
# NOTIFY_PEER_MAX), so they get the zones at 16 per (1 + 2 s) of retries
sleep 2
inflight() { awk 'NR == 1 { t = $1 } $1 - t < 900 { print $2 }' "$T/$1" | sort -u | wc -l | tr -d ' '; }
f2=$(inflight n2) f3=$(inflight n3)
expect_eq "silent listeners: 16 NOTIFYs in flight each at first ($f2, $f3)" "16 16" "$f2 $f3"
t3=$(date +%s%N)
rss=$(awk '/VmRSS/ { print $2 }' /proc/$PID_hp/status)
hwm=$(awk '/VmHWM/ { print $2 }' /proc/$PID_hp/status)
cat "$T/n1" "$T/n2" "$T/n3" | sort -n > "$T/all"
tot=$(wc -l < "$T/all")
span=$(awk 'NR == 1 { a = $1 } { b = $1 } END { print b - a }' "$T/all")
peak=$(awk '{ c[sprintf("%d", $1 / 100)]++ } END { m = 0; for (k in c) if (c[k] > m) m = c[k]; print m }' "$T/all")
diag "NOTIFYs: $tot sends to 3 targets in $span ms; peak $peak per 100 ms; every zone at the answering one after $(( (t2 - t0) / 1000000 )) ms, $(sort -u -k2 "$T/n2" | wc -l) zones at a silent one after $(( (t3 - t0) / 1000000 )) ms"
diag "memory: VmRSS $rss KiB, VmHWM $hwm KiB for $NZ zones (~$(( rss * 1024 / NZ )) bytes per zone, all included)"
check "daemon alive" kill -0 $PID_hp
