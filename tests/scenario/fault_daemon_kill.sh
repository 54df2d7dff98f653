#!/bin/sh
# fault_daemon_kill.sh -- kill -9 of `hpagent serve` (1) in the middle of
# several AXFRs of a big zone and (2) while NOTIFYs to a target that never
# answers are being retried. After a restart: the zone is served whole
# (AXFR equal to `hpagent show`), the store passes integrity_check, and the
# NOTIFY of the version not yet acknowledged is sent again. The NOTIFY
# targets are python3 UDP stubs that log each NOTIFY (one never answers,
# one acknowledges; neither transfers: the checks say "listener"). The
# AXFRs cut by the kill are of huge.test (4 x RRS records, more than the
# kernel's socket buffers hold) read slowly (python3, ~400 KB/s), so the
# kill lands while all four are mid-transfer, which is checked.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
plan 21
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
zone:
	name: huge.test
	zonefile: "$D/huge.zone"
	provide-xfr: 127.0.11.0/24 NOKEY
EOC
hp() { "$H" -c "$D/agent.conf" "$@"; }
serial() { hp zones | awk '$1 == "big.test." { print $2 }'; }
integrity() { r=$(sqlite3 -cmd '.timeout 5000' "$D/hp.db" "PRAGMA integrity_check(100000000)" 2>&1 |
	grep -v 'NULL value in records.ttl'); echo "${r:-ok}"; }
served_serial() { "$DNSQ" -s $C -T 2 $P $PORT big.test SOA 2>/dev/null | sed -n 's/.*SOA.*serial \([0-9]*\).*/\1/p'; }
served_is() { [ "$(served_serial)" = "$1" ]; }
cat > "$T/slowxfr.py" <<'EOPY'
# slowxfr.py ADDR PORT SRC ZONE WANT: AXFR read at ~400 KB/s; prints
# "reading" at the first message, then "complete N" once WANT answer RRs
# arrived, or "cut N" when the connection ends before that.
import socket, struct, sys, time
addr, port, src, zone, want = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
s.bind((src, 0)); s.connect((addr, port)); s.settimeout(30)
q = struct.pack("!HHHHHH", 9, 0, 1, 0, 0, 0) + b"".join(
    bytes([len(l)]) + l.encode() for l in zone.split(".") if l) + b"\0" + struct.pack("!HH", 252, 1)
s.sendall(struct.pack("!H", len(q)) + q)
buf, rrs, first = b"", 0, True
while rrs < want:
    try:
        d = s.recv(4096)
    except OSError:
        d = b""
    if not d:
        print("cut", rrs, flush=True); sys.exit(0)
    buf += d
    while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
        n = struct.unpack("!H", buf[:2])[0]
        rrs += struct.unpack("!H", buf[8:10])[0]
        buf = buf[2 + n:]
        if first:
            print("reading", flush=True); first = False
    time.sleep(0.01)
print("complete", rrs, flush=True)
EOPY

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
"$GEN" huge.test $((4 * RRS)) 1 > "$D/huge.zone"
hp import big.test > "$T/imp1.out" 2>&1 && hp import huge.test >> "$T/imp1.out" 2>&1
check "import of a $RRS-RR and a $((4 * RRS))-RR zone" test $? = 0
S1=$(serial)
hp show big.test > "$T/show1"

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
check "the acking NOTIFY listener got the NOTIFY of $S1" wait_for 5 got_live $S1
acked() { grep -q "NOTIFY big.test. serial $1 to $LIVE@$LPORT acknowledged" "$D/hpagent.log"; }
if wait_for 5 acked $S1; then ok "hpagent logs that NOTIFY acknowledged"; else fail "hpagent logs that NOTIFY acknowledged"; grep NOTIFY "$D/hpagent.log" | tail -3 | sed 's/^/# diag: /'; fi

# ---- (1) kill -9 in the middle of AXFRs ----------------------------------
k=0
while [ $k -lt 4 ]; do
	k=$((k + 1))
	bg slow$k python3 "$T/slowxfr.py" $P $PORT $C huge.test $((4 * RRS + 1))
done
# kill once all four are reading (a few seconds before any can finish)
reading() { [ "$(cat "$T"/slow[1-4].log 2>/dev/null | grep -c reading)" = 4 ]; }
wait_for 10 reading || diag "not all four transfers under way: $(cat "$T"/slow[1-4].log | tr '\n' ' ')"
started=$(grep -c "AXFR huge.test. serial 1 to $C started" "$D/hpagent.log")
done=$(grep -c "AXFR huge.test. serial 1 to $C done" "$D/hpagent.log")
kill -9 "$HPID"; wait "$HPID" 2>/dev/null
expect_eq "the kill came while the daemon was sending 4 AXFRs (started, done)" "4 0" "$started $done"
k=0
while [ $k -lt 4 ]; do k=$((k + 1)); eval "wait \$PID_slow$k"; done
cut=$(cat "$T"/slow[1-4].log | grep -c '^cut')
expect_eq "kill -9 cut all 4 AXFRs mid-transfer ($(cat "$T"/slow[1-4].log | grep -v reading | tr '\n' ' '))" 4 "$cut"
expect_eq "after kill -9 during AXFRs: integrity_check" ok "$(integrity)"
expect_eq "after kill -9: the store still has serial $S1" "$S1" "$(serial)"
t_restart=$(now_ms)
if start_daemon d2; then ok "restarted daemon serves serial $S1"; else fail "restarted daemon serves serial $S1"; sed 's/^/# diag: /' "$T/d2.log"; fi
expect_axfr_file "AXFR after the restart (kdig) equals hpagent show before the kill" \
    $P $PORT big.test "$T/show1" -b $C

# ---- (2) kill -9 during NOTIFY retries -----------------------------------
"$GEN" big.test "$RRS" 2 edit > "$D/big.zone"
t_imp=$(now_ms)
hp import big.test > "$T/imp2.out" 2>&1
S2=$(serial)
check "import of an edit publishes serial $S2" test "$S2" != "$S1"
# The dead target gets the NOTIFY and its retries (1 s, then 2 s ...).
retried() { [ "$(notifies dead $S2 $t_imp)" -ge 2 ]; }
if wait_for 15 retried; then ok "NOTIFY of $S2 to the silent listener retried ($(notifies dead $S2 $t_imp) sends so far)"
else fail "NOTIFY of $S2 to the silent listener retried"; tail -3 "$T/dead.log" | sed 's/^/# diag: /'; fi
hp status big.test > "$T/status1.out" 2>&1
expect_grep "status: the silent listener has not acknowledged $S2" "^big.test. +$DEAD@$DPORT .* $S2 not acked" "$T/status1.out"
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
diag "NOTIFYs of $S2 to the silent listener: $sent_before before the kill, $(notifies dead $S2 $t_restart) after the restart"
check "the acking NOTIFY listener has the NOTIFY of $S2" test "$(notifies live $S2 $t_imp)" -ge 1
if wait_for 5 acked $S2; then ok "NOTIFY of $S2 to the acking listener acknowledged after the restart"
else fail "NOTIFY of $S2 to the acking listener acknowledged after the restart"; fi
expect_eq "integrity_check after the second kill" ok "$(integrity)"
expect_axfr_show "AXFR of $S2 (kdig) equals hpagent show" $P $PORT big.test "$D/agent.conf" -b $C
check "no process left from the killed daemons on $PORT" test "$(ss -Hltn "sport = :$PORT" | wc -l)" = 1
