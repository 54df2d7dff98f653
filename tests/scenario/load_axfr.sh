#!/bin/sh
# load_axfr.sh -- LOAD_CLIENTS (default 100) clients pull the AXFR of a
# LOAD_RRS-record zone (default 20000; e.g. LOAD_RRS=100000 by hand) at
# once, in LOAD_ROUNDS rounds, while imports commit new versions (each
# version has a different record count). Every transfer must be complete
# and consistent: first and last SOA carry the same serial, and the RR
# count is the zone's count at that serial (tests/tools/dnsq); KDIG (4) of
# the clients of each round are kdig instead, whose AXFR must equal
# `hpagent show` of the serial it carries. Every import meant to commit
# during the load must have committed. Daemon RSS (VmHWM) bounded, no fd
# leak (/proc/PID/fd before and after).
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
H=$HPAGENT
BUILD=${BUILD:-$TOP/build}
GEN=$BUILD/tests/bench/genzone DNSQ=$BUILD/tests/tools/dnsq
P=127.0.11.50 PORT=31650 C=127.0.11.51
N=${LOAD_CLIENTS:-100} RRS=${LOAD_RRS:-20000} ROUNDS=${LOAD_ROUNDS:-2} KDIG=4
plan $((7 + KDIG * ROUNDS))
RSS_MAX_KB=${LOAD_RSS_MAX_KB:-$((200 * 1024))}
D=$T/hp
mkdir -p "$D" "$T/x"
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
	provide-xfr: 127.0.11.0/24 NOKEY
EOC
# src K: the source address of client K, one of 150 in provide-xfr:'s /24
# (the clients stand in for as many secondaries: one address alone may
# hold tcp-count-per-address: connections at once)
src() { echo 127.0.11.$((100 + $1 % 150)); }
# version k: RRS + 10 k records, serial k
ver() { "$GEN" big.test $((RRS + 10 * $1)) "$1" > "$D/big.zone"; "$H" -c "$D/agent.conf" -q import big.test; }
ver 1
echo "1 $((RRS + 10))" > "$T/counts"
bg hp "$H" -c "$D/agent.conf" serve
up() { "$DNSQ" -s $C -T 1 $P $PORT big.test SOA | grep -q 'serial 1'; }
if ! wait_for 10 up; then fail "daemon answers"; exit 1; fi
ok "daemon answers ($RRS RRs)"
fds() { ls /proc/$PID_hp/fd | wc -l | tr -d ' '; }
hwm() { awk '/VmHWM/ { print $2 }' /proc/$PID_hp/status; }
rss() { awk '/VmRSS/ { print $2 }' /proc/$PID_hp/status; }
fdi=$(fds)
# warm-up with N at once: SQLite keeps the fds of closed read connections
# for reuse while other connections hold their locks (unix VFS), so the
# fd high-water mark follows the peak number of transfers at once
pp=; k=0; while [ $k -lt "$N" ]; do k=$((k + 1)); "$DNSQ" -s $(src $k) -q -T 20 $P $PORT big.test AXFR > /dev/null 2>&1 & pp="$pp $!"; done; wait $pp
sleep 0.5
fd0=$(fds) rss0=$(rss)
diag "before the load: $fd0 fds ($fdi before the warm-up of $N AXFRs at once), RSS $rss0 KiB, VmHWM $(hwm) KiB"

serial=1 total=0 badn=0 r=0 committed=0
t_start=$(date +%s%N)
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	pp=; k=0
	while [ $k -lt "$N" ]; do
		k=$((k + 1))
		if [ $k -le $KDIG ]; then
			kdig @$P -p $PORT -b $(src $k) +timeout=60 +retry=0 big.test AXFR \
			    > "$T/kdig.$r.$k" 2>&1 & pp="$pp $!"
		else
			"$DNSQ" -s $(src $k) -T 60 $P $PORT big.test AXFR > "$T/x/$r.$k" 2>&1 & pp="$pp $!"
		fi
	done
	# imports commit while the transfers run
	for j in 1 2; do
		serial=$((serial + 1))
		if ver $serial; then
			committed=$((committed + 1))
			echo "$serial $((RRS + 10 * serial))" >> "$T/counts"
		else diag "import of version $serial failed"; fi
		sleep 0.3
	done
	wait $pp
	[ $r = 1 ] && { sleep 1; fd_r1=$(fds); }
done
t_end=$(date +%s%N)
# check every transfer: first/last SOA serial equal, count = count at serial
for f in "$T"/x/*; do
	total=$((total + 1))
	s1=$(grep -m1 'SOA.*serial' "$f" | sed -n 's/.*serial \([0-9]*\).*/\1/p')
	s2=$(grep 'SOA.*serial' "$f" | tail -1 | sed -n 's/.*serial \([0-9]*\).*/\1/p')
	n=$(sed -n 's/.*messages, \([0-9]*\) records.*/\1/p' "$f")
	want=$(awk -v s="$s1" '$1 == s { print $2 }' "$T/counts")
	if [ -z "$s1" ] || [ "$s1" != "$s2" ] || [ -z "$want" ] || [ "$n" != $((want + 1)) ]; then
		badn=$((badn + 1))
		[ $badn -le 3 ] && diag "$(basename "$f"): serial $s1..$s2, $n records (want $want + 1): $(tail -1 "$f")"
	fi
done
expect_eq "imports committed while the transfers ran" $((2 * ROUNDS)) "$committed"
expect_eq "$total AXFRs by dnsq ($ROUNDS rounds of $N at once) complete, one serial each, count right" 0 "$badn"
for f in "$T"/kdig.*; do
	expect_kdig_show "kdig AXFR $(basename "$f") during the load: complete, equal to hpagent show of its serial" \
	    "$f" big.test "$D/agent.conf"
done
serials=$(for f in "$T"/x/*; do grep -m1 'SOA.*serial' "$f" | sed -n 's/.*serial \([0-9]*\).*/\1/p'; done | sort -n | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')
diag "transfers per serial: $serials(versions committed during the load: $((serial - 1)))"
ms=$(( (t_end - t_start) / 1000000 ))
diag "$total AXFRs of ~$RRS RRs in $ms ms ($(( total * 1000 / (ms + 1) )) per s, imports included)"
h=$(hwm)
if [ "$UNDER_ASAN" = 1 ]; then skip "daemon VmHWM <= $RSS_MAX_KB KiB" "under ASan: $h KiB incl. shadow and quarantine"
else check "daemon VmHWM $h KiB <= $RSS_MAX_KB KiB" test "$h" -le "$RSS_MAX_KB"; fi
diag "after the load: VmHWM $h KiB, RSS $(rss) KiB (before: $rss0 KiB)"
sleep 1
f1=$(fds)
# SQLite keeps the fds of read connections closed while another holds a
# lock, for reuse (unix VFS): their number follows the peak concurrency,
# not the number of transfers. So: bounded by concurrency, and no growth
# from the first round of the load to the last.
check "fds bounded: $f1 after $total AXFRs <= $fdi at start + $N at once + 16" test "$f1" -le $((fdi + N + 16))
check "no fd leak: $fd_r1 fds after round 1, $f1 after round $ROUNDS (slack 3)" test $((f1 - fd_r1)) -le 3
check "daemon alive" kill -0 $PID_hp
