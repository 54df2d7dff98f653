#!/bin/sh
# load_flood.sh -- a flood of UDP SOA queries (LOAD_FLOOD_S seconds,
# default 5, from 2 python3 senders) from an allowed and from a refused
# address: the daemon stays responsive (an AXFR and SOA timed during the
# flood), every allowed query counted, refusals rate-limited in the log.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
plan 9
H=$HPAGENT
BUILD=${BUILD:-$TOP/build}
GEN=$BUILD/tests/bench/genzone DNSQ=$BUILD/tests/tools/dnsq
P=127.0.11.60 PORT=31660 C=127.0.11.61 OKS=127.0.11.62 NO=127.0.11.69
SECS=${LOAD_FLOOD_S:-5} RRS=${LOAD_RRS:-20000}
D=$T/hp
mkdir -p "$D"
cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root	# tests run as root: stay root (README, Operating hpagent)
	database: "$D/hp.db"
	logfile: "$D/hpagent.log"
	verbosity: 1
zone:
	name: big.test
	zonefile: "$D/big.zone"
	provide-xfr: 127.0.11.60/29 NOKEY
EOC
"$GEN" big.test "$RRS" 1 > "$D/big.zone"
"$H" -c "$D/agent.conf" -q import big.test
bg hp "$H" -c "$D/agent.conf" serve
up() { "$DNSQ" -s $C -T 1 $P $PORT big.test SOA | grep -q 'serial 1'; }
if ! wait_for 10 up; then fail "daemon answers"; exit 1; fi
ok "daemon answers"
cat > "$T/flood.py" <<'EOPY'
# flood.py ADDR PORT SRC SECONDS: send SOA queries as fast as answers allow
# (window of 64 outstanding); print sent, answered, refused.
import socket, struct, sys, time
addr, port, src, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((src, 0)); s.setblocking(False)
q = b"\0\0\0\0\0\1\0\0\0\0\0\0\3big\4test\0\0\6\0\1"
sent = ans = ref = 0; out = 0; t0 = time.time(); last = t0
while time.time() - t0 < secs:
    while out < 64:
        s.sendto(struct.pack("!H", sent & 0xffff) + q[2:], (addr, port)); sent += 1; out += 1
    try:
        while True:
            m = s.recv(1500); out -= 1; last = time.time()
            if m[3] & 15 == 0: ans += 1
            elif m[3] & 15 == 5: ref += 1
    except BlockingIOError:
        if time.time() - last > 0.05: out = 0; last = time.time()   # losses: refill
print(sent, ans, ref)
EOPY
lines0=$(grep -c 'refused' "$D/hpagent.log")
bg fok python3 "$T/flood.py" $P $PORT $OKS $SECS
bg fno python3 "$T/flood.py" $P $PORT $NO $SECS
sleep 1
t0=$(date +%s%N)
n=$("$DNSQ" -s $C -q -T 10 $P $PORT big.test AXFR | sed -n 's/.*messages, \([0-9]*\) records.*/\1/p')
t1=$(date +%s%N)
"$DNSQ" -s $C -T 2 $P $PORT big.test SOA > "$T/soa.out"
t2=$(date +%s%N)
expect_eq "AXFR during the flood complete (dnsq: $((RRS + 1)) records)" $((RRS + 1)) "$n"
axms=$(( (t1 - t0) / 1000000 )) soams=$(( (t2 - t1) / 1000000 ))
# bounds: 5 x the figures in docs/ROBUSTNESS.md (156 ms, 19 ms)
expect_le "AXFR of $RRS RRs during the flood: $axms ms (<= 780)" $axms 780
expect_le "SOA during the flood: $soams ms (<= 95)" $soams 95
expect_axfr_show "an AXFR during the flood: complete (kdig) and equal to hpagent show" \
    $P $PORT big.test "$D/agent.conf" -b $C
wait $PID_fok $PID_fno
read s_ok a_ok r_ok < "$T/fok.log"
read s_no a_no r_no < "$T/fno.log"
diag "allowed sender: $s_ok queries, $a_ok answered; refused sender: $s_no queries, $r_no REFUSED, $a_no answered"
check "the allowed sender got answers ($a_ok)" test "${a_ok:-0}" -gt 1000
expect_eq "the refused sender got no data" 0 "${a_no:-x}"
sleep 1.1
lines=$(( $(grep -c 'refused' "$D/hpagent.log") - lines0 ))
diag "refusal log lines for $r_no refusals in $SECS s: $lines"
check "refusals rate-limited in the log ($lines lines, <= 12 per second)" test "$lines" -le $(( (SECS + 2) * 12 ))
check "daemon alive" kill -0 $PID_hp
