#!/bin/sh
# load_reload.sh -- the configuration reloaded 100 times (SIGHUP) while
# slow TSIG-signed AXFRs and ?wait= publishes run. Each reload swaps the
# secret of the key the transfers are signed with, adds or drops a key,
# and moves the notify: target of the published zone between the two
# addresses of a real NSD secondary (.50 with key rot, .51 with k1). Every
# transfer must finish with each message signed by the key it began with
# (kept alive by the transfer, though the configuration in force no longer
# has it), a new query with a replaced secret must be refused, every
# ?wait= publish must be confirmed (by the SOA answer of the target in
# force when it is), each replaced configuration must be freed once its last
# transfer or request ends (the daemon logs it), and under `make asan`
# (detect_leaks=1) the daemon must exit with no leak reported.
# A fixed number of checks: the loops count, the checks read the counts.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
H=$HPAGENT
BUILD=${BUILD:-$TOP/build}
DNSQ=$BUILD/tests/tools/dnsq
P=127.0.15.1 PORT=32310 HPORT=32311 NPORT=32312
NET=127.0.15		# slow secondaries: $NET.101.., notify targets .50 .51
RELOADS=100 XFRS=10 PUBS=8
plan 10
D=$T/hp
mkdir -p "$D"
TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
S1=$(head -c 32 /dev/urandom | base64)
SA=$(head -c 32 /dev/urandom | base64)
SB=$(head -c 32 /dev/urandom | base64)
SX=$(head -c 32 /dev/urandom | base64)

# big.test: 2000 TXT RRs of 4 KiB, about 8 MB of AXFR messages: more than
# the kernel buffers, so that a slow reader keeps the daemon writing (and
# signing) for seconds, across reloads.
python3 - "$D/big.zone" <<'EOPY'
import sys
s = '"' + "x" * 250 + '"'
with open(sys.argv[1], "w") as f:
    f.write("$ORIGIN big.test.\n$TTL 300\n"
            "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
            "@ IN NS ns1\nns1 IN A 192.0.2.1\n")
    for i in range(2000):
        f.write("t%d IN TXT %s\n" % (i, " ".join([s] * 16)))
EOPY
wzone() { # wzone SERIAL: the small zone, one RR that changes
	printf '$ORIGIN w.test.\n$TTL 300\n@ IN SOA ns1 hostmaster %s 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\nv IN TXT "%s"\n' "$1" "$1"
}
wzone 1 > "$D/w.zone"

# conf N: generation N. Even: key rot has secret SA, key extra exists,
# w.test NOTIFYs .50 signed with rot; odd: rot has SB, no extra, w.test
# NOTIFYs .51 signed with k1.
conf() {
	if [ $(($1 % 2)) = 0 ]; then rot=$SA tgt="$NET.50@$NPORT rot"
	else rot=$SB tgt="$NET.51@$NPORT k1"; fi
	{
		printf 'server:\n\tip-address: %s@%s\n\tusername: root\n' $P $PORT
		printf '\tdatabase: "%s/hp.db"\n\tzonesdir: "%s"\n' "$D" "$D"
		printf '\tlogfile: "%s/hpagent.log"\n\tverbosity: 2\n' "$D"
		printf '\thttp-listen: %s@%s\n\tapi-token: "%s"\n' $P $HPORT "$TOKEN"
		printf 'key:\n\tname: k1\n\talgorithm: hmac-sha256\n\tsecret: "%s"\n' "$S1"
		printf 'key:\n\tname: rot\n\talgorithm: hmac-sha256\n\tsecret: "%s"\n' "$rot"
		[ $(($1 % 2)) = 0 ] &&
		    printf 'key:\n\tname: extra\n\talgorithm: hmac-sha512\n\tsecret: "%s"\n' "$SX"
		printf 'zone:\n\tname: big.test\n\tzonefile: big.zone\n'
		printf '\tprovide-xfr: %s.0/24 rot\n' $NET
		printf 'zone:\n\tname: w.test\n\tzonefile: w.zone\n'
		printf '\tprovide-xfr: %s.0/24 NOKEY\n' $NET
		printf '\tnotify: %s\n\tnotify-retry: 1\n' "$tgt"
	} > "$D/agent.conf.new"
	chmod 600 "$D/agent.conf.new"
	mv "$D/agent.conf.new" "$D/agent.conf"
}
hp() { "$H" -c "$D/agent.conf" "$@"; }
reloads() { grep -c "\]: [a-z]*: reloaded " "$D/hpagent.log"; }
released() { grep -c "\]: [a-z]*: configuration [0-9]* (.*) released" "$D/hpagent.log"; }
rot_secret() { if [ $(($1 % 2)) = 0 ]; then echo "$SA"; else echo "$SB"; fi; }

conf 0
hp import big.test > "$T/import.out" 2>&1 && hp import w.test >> "$T/import.out" 2>&1
check "import of big.test (8 MB of AXFR) and w.test" test $? = 0
bg hp "$H" -c "$D/agent.conf" serve
up() { "$DNSQ" -s $NET.9 -T 1 $P $PORT w.test SOA | grep -q 'serial 1'; }
if ! wait_for 20 up; then fail "daemon answers"; cat "$T/hp.log"; exit 1; fi
ok "daemon answers"

# ---- the secondary of w.test: NSD on both target addresses ----------------
# It knows rot with secret SA (the even generations NOTIFY and probe .50
# with it) and k1 (the odd ones: .51); it transfers w.test without a key.
N=$T/nsd
mkdir -p "$N"
cat > "$N/nsd.conf" <<EON
server:
	ip-address: $NET.50@$NPORT
	ip-address: $NET.51@$NPORT
	do-ip6: no
	server-count: 1
	username: ""
	chroot: ""
	database: ""
	zonesdir: "$N"
	zonelistfile: "$N/zone.list"
	xfrdfile: "$N/xfrd.state"
	xfrdir: "$N"
	pidfile: "$N/nsd.pid"
	logfile: "$N/nsd.log"
	xfrd-reload-timeout: 0
remote-control:
	control-enable: no
key:
	name: rot
	algorithm: hmac-sha256
	secret: "$SA"
key:
	name: k1
	algorithm: hmac-sha256
	secret: "$S1"
zone:
	name: w.test
	allow-notify: $P rot
	allow-notify: $P k1
	request-xfr: $P@$PORT NOKEY
	outgoing-interface: $NET.50
EON
bg nsd nsd -d -c "$N/nsd.conf"
nsd_w() { "$DNSQ" -s $NET.9 -T 1 $NET.50 $NPORT w.test SOA | grep -q "serial $1"; }
wait_for 20 nsd_w 1 || diag "the NSD secondary does not serve w.test: $(tail -n 3 "$N/nsd.log")"

# ---- ?wait= publishes, meanwhile -------------------------------------------
# Each publishes a new serial of w.test and waits (?wait=60) until the
# notify: target in force (.50 or .51: the same NSD) shows it.
publisher() {
	j=1
	while [ $j -le $PUBS ]; do
		wzone $((j + 1)) > "$T/w$j.zone"
		curl -s -o "$T/pub$j.json" -w '%{http_code}' -m 90 \
		    -H "Authorization: Bearer $TOKEN" \
		    -H 'Content-Type: text/dns' --data-binary "@$T/w$j.zone" \
		    "http://$P:$HPORT/v1/zones/w.test/publish?wait=60" \
		    > "$T/pub$j.code" 2>/dev/null
		j=$((j + 1))
	done
	echo done > "$T/publisher.done"
}
publisher > "$T/publisher.log" 2>&1 &
PID_pub=$!
PIDS="$PIDS $PID_pub"

# ---- the reloads, with slow signed transfers started along the way ----------
x=0 i=1 bad_hup=0 refused=none
while [ $i -le $RELOADS ]; do
	conf $i
	kill -HUP $PID_hp
	wait_for 20 sh -c "[ \$(grep -c '\]: [a-z]*: reloaded ' '$D/hpagent.log') -ge $i ]" ||
	    bad_hup=$((bad_hup + 1))
	# Now the daemon signs with rot's secret of generation i: a slow
	# secondary asks with it (a transfer every RELOADS/XFRS reloads).
	if [ $((i % (RELOADS / XFRS))) = $((RELOADS / XFRS / 2)) ] && [ $x -lt $XFRS ]; then
		x=$((x + 1))
		src=$NET.$((100 + x))
		bg "x$x" "$DNSQ" -q -w 60 -T 30 -s $src \
		    -y "hmac-sha256:rot:$(rot_secret $i)" $P $PORT big.test AXFR
		wait_for 20 grep -q "AXFR big.test. serial 1 to $src started" \
		    "$D/hpagent.log"
	fi
	# Half-way: the secret just replaced no longer opens a transfer.
	if [ $i = $((RELOADS / 2)) ]; then
		"$DNSQ" -q -T 5 -s $NET.99 -y "hmac-sha256:rot:$(rot_secret $((i - 1)))" \
		    $P $PORT big.test SOA > "$T/old-secret.out" 2>&1
		refused=$?
	fi
	i=$((i + 1))
done
expect_eq "$RELOADS reloads, each logged (none refused)" "$RELOADS 0" \
    "$(reloads) $(grep -c 'has errors' "$D/hpagent.log")"
# dnsq exits 3 for a TSIG error: the server answered NOTAUTH (BADSIG).
expect_eq "a query with the replaced secret is refused (BADSIG)" "3 1" \
    "$refused $(grep -c 'rcode 9' "$T/old-secret.out")"

# ---- every transfer complete, every message signed with its key --------------
good=0 n=1
while [ $n -le $XFRS ]; do
	eval "p=\$PID_x$n"
	w=0
	while kill -0 $p 2>/dev/null && [ $w -lt 1200 ]; do sleep 0.1; w=$((w + 1)); done
	wait $p && grep -q "tsig ok" "$T/x$n.log" && good=$((good + 1))
	n=$((n + 1))
done
expect_eq "$XFRS slow AXFRs of 8 MB complete, TSIG verified on every message" \
    $XFRS $good
# From the daemon's log: reloads between each transfer's start and end
# (one that began before the AXFR cache was ready is "started (from the
# records)").
awk '
	function peer(l) { sub(/.* serial 1 to /, "", l); sub(/ .*/, "", l); return l }
	/\]: [a-z]*: reloaded / { r++ }
	/AXFR big.test. serial 1 to .* started( \(from the records\))?$/ { s[peer($0)] = r }
	/AXFR big.test. serial 1 to .* done$/ { d[peer($0)] = r }
	END { n = 0; min = -1
		for (a in s) if (a in d) { k = d[a] - s[a]; n++; if (min < 0 || k < min) min = k }
		print n, (min > 0 ? "all" : "not all") }' "$D/hpagent.log" > "$T/spans"
expect_eq "each transfer was written across reloads (its key replaced under it)" \
    "$XFRS all" "$(cat "$T/spans")"

# ---- every ?wait= publish confirmed -------------------------------------------
wait_for 120 test -f "$T/publisher.done"
conf_ok=0 j=1
while [ $j -le $PUBS ]; do
	[ "$(cat "$T/pub$j.code" 2>/dev/null)" = 200 ] &&
	    grep -q '"confirmed":true' "$T/pub$j.json" && conf_ok=$((conf_ok + 1))
	j=$((j + 1))
done
expect_eq "$PUBS ?wait= publishes during the reloads: 200, confirmed" \
    $PUBS $conf_ok

# ---- replaced configurations freed when their last user ended ----------------
# Of the $RELOADS + 1 configurations, the last is in force and the first
# is the HTTP server's (http-listen:, api-token: keep their start-up
# values): the $RELOADS - 1 others are freed before the daemon exits.
wait_for 30 sh -c "[ \$(grep -c '\]: [a-z]*: configuration [0-9]* (.*) released' '$D/hpagent.log') -ge $((RELOADS - 1)) ]"
expect_eq "every replaced configuration freed, as its last user ended" \
    $((RELOADS - 1)) "$(released)"

kill -TERM $PID_hp; wait $PID_hp; rc=$?
expect_eq "SIGTERM: exit 0" 0 $rc
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error" "$T/hp.log" "$D/hpagent.log"; then
	fail "no sanitizer report (leaks included under make asan)"
	grep -E "Sanitizer|runtime error|#[0-9]" "$T/hp.log" | head -20 | sed 's/^/# diag: /'
else ok "no sanitizer report (leaks included under make asan)"; fi
diag "reload loop: $bad_hup reloads not seen within 20 s"
