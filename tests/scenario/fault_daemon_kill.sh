#!/bin/sh
# fault_daemon_kill.sh -- kill -9 of `hpagent serve` (1) in the middle of
# several AXFRs of a big zone and (2) while NOTIFYs to a target that never
# answers are being retried. After a restart: the zone is served whole
# (AXFR equal to `hpagent show`), the store passes integrity_check, and the
# NOTIFY of the version not yet acknowledged is sent again. A python3 UDP
# listener logs the NOTIFYs it receives (one never answers, one answers).
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
H=$HPAGENT
BUILD=${BUILD:-$TOP/build}
GEN=$BUILD/tests/bench/genzone DNSQ=$BUILD/tests/tools/dnsq
P=127.0.11.10 PORT=31610 C=127.0.11.13
DEAD=127.0.11.11 DPORT=31611	# logs NOTIFYs, never answers
LIVE=127.0.11.12 LPORT=31612	# logs NOTIFYs, acknowledges them
RRS=${FAULT_RRS:-100000}
D=$T/hp
mkdir -p "$D"
cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root	# tests run as root: stay root (README, Operating hpagent)
	database: "$D/hp.db"
	logfile: "$D/hpagent.log"
	verbosity: 2
zone:
	name: big.test
	zonefile: "$D/big.zone"
	provide-xfr: 127.0.11.0/24 NOKEY
	notify: $DEAD@$DPORT NOKEY
	notify: $LIVE@$LPORT NOKEY
	notify-retry: 8
EOC
hp() { "$H" -c "$D/agent.conf" "$@"; }
serial() { hp zones | awk '$1 == "big.test." { print $2 }'; }
integrity() { r=$(sqlite3 -cmd '.timeout 5000' "$D/hp.db" "PRAGMA integrity_check(100000000)" 2>&1 |
	grep -v 'NULL value in records.ttl'); echo "${r:-ok}"; }
served_serial() { "$DNSQ" -s $C -T 2 $P $PORT big.test SOA 2>/dev/null | sed -n 's/.*SOA.*serial \([0-9]*\).*/\1/p'; }
served_is() { [ "$(served_serial)" = "$1" ]; }
# presentation form, one space, lowercase, sorted; AXFR: one SOA dropped
norm() { grep -vE '^(;|$)' | sed 's/[[:space:]]\{1,\}/ /g' | tr 'A-Z' 'a-z' | sort; }
axfr_norm() { kdig @$P -p $PORT -b $C +timeout=5 +retry=0 big.test AXFR | norm | awk '!($4 == "soa" && seen++)'; }

cat > "$T/nlisten.py" <<'EOPY'
# nlisten.py ADDR PORT ack|noack: log "epoch_ms qname serial" per NOTIFY.
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
ack = sys.argv[3] == "ack"
def name(m, o):
    l = []
    while m[o]:
        if m[o] >= 0xc0: raise ValueError
        l.append(m[o + 1:o + 1 + m[o]].decode()); o += 1 + m[o]
    return ".".join(l) + ".", o + 1
while True:
    m, peer = s.recvfrom(65535)
    try:
        qid, fl, qd, an = struct.unpack("!HHHH", m[:8])
        if (fl >> 11) & 15 != 4: continue
        q, o = name(m, 12); o += 4
        ser = "-"
        if an:
            if m[o] & 0xc0 == 0xc0: o += 2
            else: _, o = name(m, o)
            t, c, ttl, rl = struct.unpack("!HHIH", m[o:o + 10])
            if t == 6:
                rd = m[o + 10:o + 10 + rl]; p = 0
                for _ in range(2):
                    while rd[p] and rd[p] < 0xc0: p += 1 + rd[p]
                    p += 2 if rd[p] >= 0xc0 else 1
                ser = str(struct.unpack("!I", rd[p:p + 4])[0])
        print(int(time.time() * 1000), q, ser, flush=True)
        if ack:
            qend = m.index(b"\0", 12) + 5
            s.sendto(struct.pack("!HHHHHH", qid, (fl | 0x8400) & ~0x000f,
                                 1, 0, 0, 0) + m[12:qend], peer)
    except Exception as e:
        print("bad", e, flush=True)
EOPY
bg dead python3 "$T/nlisten.py" $DEAD $DPORT noack
bg live python3 "$T/nlisten.py" $LIVE $LPORT ack

"$GEN" big.test "$RRS" 1 > "$D/big.zone"
hp import big.test > "$T/imp1.out" 2>&1
check "import of a $RRS-RR zone" test $? = 0
S1=$(serial)
hp show big.test | norm > "$T/show1"

start_daemon() { # start_daemon NAME
	bg "$1" "$H" -c "$D/agent.conf" serve
	eval "HPID=\$PID_$1"
	wait_for 10 served_is "$(serial)"
}
notifies() { # notifies LOG SERIAL SINCE_MS: NOTIFYs of SERIAL logged after SINCE_MS
	awk -v s="$2" -v t="$3" '$3 == s && $1 >= t' "$T/$1.log" | wc -l | tr -d ' '; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

t_start=$(now_ms)
if start_daemon d1; then ok "daemon serves serial $S1"; else fail "daemon serves serial $S1"; sed 's/^/# diag: /' "$T/d1.log"; exit 1; fi
got_live() { [ "$(notifies live "$1" 0)" -ge 1 ]; }
check "the answering target got the NOTIFY of $S1" wait_for 5 got_live $S1
acked() { grep -q "NOTIFY big.test. serial $1 to $LIVE@$LPORT acknowledged" "$D/hpagent.log"; }
if wait_for 5 acked $S1; then ok "its NOTIFY acknowledged"; else fail "its NOTIFY acknowledged"; grep NOTIFY "$D/hpagent.log" | tail -3 | sed 's/^/# diag: /'; fi

# ---- (1) kill -9 in the middle of AXFRs ----------------------------------
k=0
while [ $k -lt 4 ]; do
	k=$((k + 1))
	"$DNSQ" -s $C -q -T 10 $P $PORT big.test AXFR > "$T/axfr_mid$k.out" 2>&1 &
	eval "APID_$k=\$!"
done
# wait until transfers are under way (the log says "started"), then kill
started() { grep -q "AXFR big.test. serial $S1 to $C started" "$D/hpagent.log"; }
wait_for 5 started
kill -9 "$HPID"; wait "$HPID" 2>/dev/null
k=0 incomplete=0
while [ $k -lt 4 ]; do
	k=$((k + 1))
	eval "wait \$APID_$k"
	grep -q "records" "$T/axfr_mid$k.out" && grep -q "total: .* $((RRS + 1)) records" "$T/axfr_mid$k.out" ||
	    incomplete=$((incomplete + 1))
done
diag "AXFRs cut by the kill: $incomplete of 4 (the others had finished)"
expect_eq "after kill -9 during AXFRs: integrity_check" ok "$(integrity)"
expect_eq "after kill -9: the store still has serial $S1" "$S1" "$(serial)"
t_restart=$(now_ms)
if start_daemon d2; then ok "restarted daemon serves serial $S1"; else fail "restarted daemon serves serial $S1"; sed 's/^/# diag: /' "$T/d2.log"; fi
axfr_norm > "$T/axfr_after.n"
if cmp -s "$T/show1" "$T/axfr_after.n"; then ok "AXFR after the restart equals hpagent show ($(wc -l < "$T/show1") RRs)"
else fail "AXFR after the restart equals hpagent show"; diff "$T/show1" "$T/axfr_after.n" | head -4 | sed 's/^/# diag: /'; fi

# ---- (2) kill -9 during NOTIFY retries -----------------------------------
"$GEN" big.test "$RRS" 2 edit > "$D/big.zone"
t_imp=$(now_ms)
hp import big.test > "$T/imp2.out" 2>&1
S2=$(serial)
check "import of an edit publishes serial $S2" test "$S2" != "$S1"
# The dead target gets the NOTIFY and its retries (1 s, then 2 s ...).
retried() { [ "$(notifies dead $S2 $t_imp)" -ge 2 ]; }
if wait_for 15 retried; then ok "NOTIFY of $S2 to the silent target retried ($(notifies dead $S2 $t_imp) sends so far)"
else fail "NOTIFY of $S2 to the silent target retried"; tail -3 "$T/dead.log" | sed 's/^/# diag: /'; fi
hp status big.test > "$T/status1.out" 2>&1
expect_grep "status: the silent target has not acknowledged $S2" "^big.test. +$DEAD .* not acked" "$T/status1.out"
kill -9 "$HPID"; wait "$HPID" 2>/dev/null
sent_before=$(notifies dead $S2 $t_imp)
sleep 1
t_restart=$(now_ms)
if start_daemon d3; then ok "restarted (after kill -9 during retries) daemon serves serial $S2"
else fail "restarted daemon serves serial $S2"; sed 's/^/# diag: /' "$T/d3.log"; fi
again() { [ "$(notifies dead $S2 $t_restart)" -ge 1 ]; }
if wait_for 5 again; then ok "the unacknowledged NOTIFY of $S2 is sent again after the restart"
else fail "the unacknowledged NOTIFY of $S2 is sent again after the restart"; tail -3 "$T/dead.log" | sed 's/^/# diag: /'; fi
again_retried() { [ "$(notifies dead $S2 $t_restart)" -ge 2 ]; }
check "... and retried again" wait_for 6 again_retried
diag "NOTIFYs of $S2 to the silent target: $sent_before before the kill, $(notifies dead $S2 $t_restart) after the restart"
check "the answering target has the NOTIFY of $S2" test "$(notifies live $S2 $t_imp)" -ge 1
if wait_for 5 acked $S2; then ok "NOTIFY of $S2 to the answering target acknowledged after the restart"
else fail "NOTIFY of $S2 to the answering target acknowledged"; fi
expect_eq "integrity_check after the second kill" ok "$(integrity)"
hp show big.test | norm > "$T/show2"
axfr_norm > "$T/axfr2.n"
if cmp -s "$T/show2" "$T/axfr2.n"; then ok "AXFR of $S2 equals hpagent show"
else fail "AXFR of $S2 equals hpagent show"; diff "$T/show2" "$T/axfr2.n" | head -4 | sed 's/^/# diag: /'; fi
check "no process left from the killed daemons on $PORT" test "$(ss -Hltn "sport = :$PORT" | wc -l)" = 1
