#!/bin/sh
# hpagent serve against kdig and a real knotd secondary on 127.0.8.x:
# SOA allowed/refused, REFUSED/NOTAUTH for what is not served, AXFR equal
# to `hpagent show`, IXFR equal to `hpagent diff`, TSIG with the six
# HMACs, bad keys refused and logged, a multi-message signed AXFR, NOTIFY
# to knotd (which then transfers), `hpagent notify`, `hpagent status`.
# AXFR of a new version before its AXFR cache is built (streamed from the
# records), after it is built, and with the builder disabled
# (HPAGENT_NO_AXFR_CACHE=1, unsigned and TSIG-signed), all equal to show.
. "$(dirname "$0")/../lib.sh"
plan 70

P=127.0.8.1 PORT=31220		# hpagent
SEC=127.0.8.22 SPORT=31221	# knotd secondary
C_OK=127.0.8.2 C_KEY=127.0.8.3 C_NO=127.0.8.5
H="$HPAGENT"
D=$T/hp
mkdir -p "$D" "$T/knot"

secret() { head -c 32 /dev/urandom | base64; }
ALGS="hmac-md5 hmac-sha1 hmac-sha224 hmac-sha256 hmac-sha384 hmac-sha512"
for a in $ALGS; do eval "S_$(echo $a | tr - _)=$(secret)"; done
sec_of() { eval "echo \$S_$(echo $1 | tr - _)"; }

# A zone with a few thousand RRs (several 64 KiB messages).
gen_zone() { # $1 = serial, $2 = variant
	cat <<EOZ
\$ORIGIN example.com.
\$TTL 3600
@	IN SOA ns1 hostmaster $1 7200 3600 1209600 3600
@	IN NS ns1
@	IN NS ns2.example.net.
@	IN MX 10 mail
ns1	IN A 192.0.2.1
mail	IN A 192.0.2.25
www	IN CNAME @
EOZ
	i=0
	while [ $i -lt 3000 ]; do
		echo "host$i IN A 10.$((i / 250)).$((i % 250)).$2"
		echo "host$i IN TXT \"record number $i of a test zone, variant $2\""
		i=$((i + 1))
	done
}
gen_zone 2024010101 1 > "$D/example.com.zone"

{
	cat <<EOC
server:
	ip-address: $P@$PORT
	username: root	# tests run as root: stay root (README, Operating hpagent)
	database: "$D/hp.db"
	zonesdir: "$D"
	logfile: "$D/hpagent.log"
	pidfile: "$D/hpagent.pid"
	verbosity: 2
EOC
	for a in $ALGS; do
		printf 'key:\n\tname: k-%s\n\talgorithm: %s\n\tsecret: "%s"\n' \
		    "$a" "$a" "$(sec_of $a)"
	done
	cat <<EOC
zone:
	name: example.com
	zonefile: example.com.zone
	provide-xfr: $C_OK NOKEY
	provide-xfr: $SEC k-hmac-sha256
	notify: $SEC@$SPORT k-hmac-sha256
	notify-retry: 3
EOC
	for a in $ALGS; do echo "	provide-xfr: $C_KEY k-$a"; done
	cat <<EOC
zone:
	name: other.test
	zonefile: other.zone
	provide-xfr: 127.0.8.0/24 NOKEY
EOC
} > "$D/agent.conf"

hp() { "$H" -c "$D/agent.conf" "$@"; }
q() { kdig @$P -p $PORT +timeout=2 +retry=0 "$@"; }
norm() { grep -vE '^(;|$)' | sed 's/[[:space:]]\{1,\}/ /g' | tr 'A-Z' 'a-z' | sort; }

hp import example.com "$D/example.com.zone" > "$T/import1.out" 2>&1
check "import the test zone" test $? = 0

bg hpagent "$H" -c "$D/agent.conf" serve
soa_up() { q -b $C_OK example.com SOA | grep -q 'status: NOERROR'; }
if ! wait_for 10 soa_up; then
	fail "hpagent serve answers"; cat "$T/hpagent.log" "$D/hpagent.log" | sed 's/^/# diag: /'
	exit 1
fi
ok "hpagent serve answers"

# ---- SOA and what is not served ---------------------------------------
q -b $C_OK example.com SOA > "$T/soa.out"
expect_grep "SOA: authoritative answer" 'Flags: qr aa' "$T/soa.out"
expect_grep "SOA: serial in the answer" 'SOA.*2024010101 7200' "$T/soa.out"
q -b $C_NO example.com SOA > "$T/soa_no.out"
expect_grep "SOA from a client not in provide-xfr: REFUSED" 'status: REFUSED' "$T/soa_no.out"
q -b $C_OK example.com A > "$T/a.out"
expect_grep "qtype A: REFUSED" 'status: REFUSED' "$T/a.out"
q -b $C_OK www.example.com SOA > "$T/below.out"
expect_grep "name below the zone: REFUSED" 'status: REFUSED' "$T/below.out"
q -b $C_OK example.org SOA > "$T/nz.out"
expect_grep "zone not held: NOTAUTH" 'status: NOTAUTH' "$T/nz.out"
dig @$P -p $PORT -b $C_OK +opcode=5 +tries=1 +time=2 example.com SOA > "$T/upd.out" 2>&1
expect_grep "UPDATE of a zone without allow-update: REFUSED" 'status: REFUSED' "$T/upd.out"
dig @$P -p $PORT -b $C_OK +opcode=2 +tries=1 +time=2 example.com SOA > "$T/status.out" 2>&1
expect_grep "STATUS opcode: NOTIMP" 'status: NOTIMP' "$T/status.out"
q -b $C_OK +norecurse example.com SOA > "$T/norec.out"
expect_grep "no recursion offered (no ra flag)" 'Flags: qr aa;' "$T/norec.out"
q -b $C_NO +tcp example.com AXFR > "$T/axfr_no.out" 2>&1
expect_grep "AXFR from a client not in provide-xfr: REFUSED" 'REFUSED' "$T/axfr_no.out"
q -b $C_OK +notcp example.com AXFR > "$T/axfr_udp.out" 2>&1
if grep -q "replied with error 'REFUSED'" "$T/axfr_udp.out" && ! grep -q 'SOA.*2024010101' "$T/axfr_udp.out"; then
	ok "AXFR over UDP: REFUSED, no zone data"
else fail "AXFR over UDP: REFUSED, no zone data"; head -n 8 "$T/axfr_udp.out" | sed 's/^/# diag: /'; fi
sleep 1.1	# let the refusal log line through the rate limiter window
expect_grep "refusal logged" "refused .*example.com. from $C_NO" "$D/hpagent.log"

# ---- AXFR equals hpagent show -----------------------------------------
q -b $C_OK example.com AXFR > "$T/axfr.out" 2>&1
hp show example.com > "$T/show.out"
norm < "$T/show.out" > "$T/show.n"
# AXFR ends with the SOA again: drop one copy.
norm < "$T/axfr.out" | awk '!($4 == "soa" && seen++)' > "$T/axfr.n"
n_show=$(wc -l < "$T/show.n")
expect_eq "AXFR has the zone's $n_show records" "$n_show" "$(wc -l < "$T/axfr.n")"
if cmp -s "$T/show.n" "$T/axfr.n"; then ok "AXFR content equals hpagent show"
else fail "AXFR content equals hpagent show"; diff "$T/show.n" "$T/axfr.n" | head -5 | sed 's/^/# diag: /'; fi
msgs=$(sed -n 's/.*(\([0-9]*\) messages.*/\1/p' "$T/axfr.out")
check "AXFR of 6000+ RRs takes several messages ($msgs)" test "${msgs:-0}" -gt 1
expect_grep "AXFR begins with the SOA" '^example\.com\..*SOA' "$(sed -n '/^[^;]/{p;q}' "$T/axfr.out" > "$T/first.l"; echo "$T/first.l")"
tail -n 5 "$T/axfr.out" | grep -v '^;' | grep -v '^$' | tail -1 > "$T/last.l"
expect_grep "AXFR ends with the SOA" 'SOA' "$T/last.l"

# ---- TSIG: the six algorithms, signed multi-message AXFR ---------------
for a in $ALGS; do
	q -b $C_KEY -y "$a:k-$a:$(sec_of $a)" example.com AXFR > "$T/tsig-$a.out" 2>&1
	got=$(sed -n 's/.*messages, \([0-9]*\) records.*/\1/p' "$T/tsig-$a.out")
	if [ "$got" = $((n_show + 1)) ] && ! grep -qE '^;; (WARNING|ERROR)' "$T/tsig-$a.out"; then
		ok "TSIG $a: signed multi-message AXFR verified by kdig ($got RRs)"
	else
		fail "TSIG $a: signed multi-message AXFR verified by kdig"
		diag "expected $((n_show + 1)) records and no warning; got [$got]"
		grep -E '^;; (WARNING|ERROR)|status' "$T/tsig-$a.out" | head -3 | sed 's/^/# diag: /'
	fi
done
q -b $C_KEY -y "hmac-sha256:k-hmac-sha256:$(sec_of hmac-sha256)" example.com SOA > "$T/tsig-soa.out" 2>&1
expect_grep "TSIG: signed SOA query answered" 'SOA.*2024010101' "$T/tsig-soa.out"
q -b $C_KEY -y "hmac-sha256:k-hmac-sha256:$(sec_of hmac-sha512)" example.com AXFR > "$T/badsig.out" 2>&1
expect_grep "wrong secret: BADSIG" 'BADSIG' "$T/badsig.out"
q -b $C_KEY -y "hmac-sha256:nosuchkey:$(sec_of hmac-sha256)" example.com AXFR > "$T/badkey.out" 2>&1
expect_grep "unknown key: BADKEY" 'BADKEY' "$T/badkey.out"
q -b $C_KEY example.com AXFR > "$T/nokey.out" 2>&1
expect_grep "unsigned AXFR where a key is required: REFUSED" 'REFUSED' "$T/nokey.out"
q -b $C_OK -y "hmac-sha256:k-hmac-sha256:$(sec_of hmac-sha256)" example.com AXFR > "$T/keyno.out" 2>&1
expect_grep "signed AXFR where NOKEY is configured: REFUSED" 'REFUSED' "$T/keyno.out"
sleep 1.1
expect_grep "bad signature logged" 'bad signature from 127\.0\.8\.3' "$D/hpagent.log"
expect_grep "unknown key logged" 'unknown key from 127\.0\.8\.3' "$D/hpagent.log"

# ---- IXFR equals hpagent diff ------------------------------------------
# Ten records change: five removed, five added.
gen_zone 2024010102 1 | sed -e '/^host1[0-4] IN A/s/\.1$/.77/' > "$D/v2.zone"
hp import example.com "$D/v2.zone" > "$T/import2.out" 2>&1
check "import a ten-record change" test $? = 0

# ---- AXFR of a new version: before and after its cache is built ---------
# axfr_eq DESC KDIG_OUTPUT: the AXFR (one SOA copy dropped) equals show.
axfr_eq() {
	hp show example.com | norm > "$T/show_now.n"
	norm < "$2" | awk '$4 != "tsig" && !($4 == "soa" && seen++)' > "$T/axfr_now.n"
	if [ -s "$T/show_now.n" ] && cmp -s "$T/show_now.n" "$T/axfr_now.n"; then ok "$1"
	else fail "$1"; diff "$T/show_now.n" "$T/axfr_now.n" | head -5 | sed 's/^/# diag: /'; fi
}
q -b $C_OK example.com AXFR > "$T/axfr_v2a.out" 2>&1
axfr_eq "AXFR right after the import (cache maybe not built yet) equals hpagent show" "$T/axfr_v2a.out"
expect_grep "the publish transaction prepared no AXFR messages (the daemon does)" \
    'AXFR example\.com\. serial 2024010102 to 127\.0\.8\.2 started \(from the records\)|messages of serial 2024010102 ready' "$D/hpagent.log"
built() { grep -q 'zone example.com.: AXFR messages of serial 2024010102 ready' "$D/hpagent.log"; }
if wait_for 10 built; then ok "the daemon built the AXFR messages of the new version"
else fail "the daemon built the AXFR messages of the new version"; tail -5 "$D/hpagent.log" | sed 's/^/# diag: /'; fi
q -b $C_OK example.com AXFR > "$T/axfr_v2b.out" 2>&1
axfr_eq "AXFR from the built cache equals hpagent show" "$T/axfr_v2b.out"
grep 'AXFR example.com. serial 2024010102 to 127.0.8.2 started' "$D/hpagent.log" | tail -1 > "$T/axfr_v2b.l"
if [ -s "$T/axfr_v2b.l" ] && ! grep -q 'from the records' "$T/axfr_v2b.l"; then ok "that AXFR came from the cache"
else fail "that AXFR came from the cache"; sed 's/^/# diag: /' "$T/axfr_v2b.l"; fi
old_rows=$(sqlite3 -cmd ".timeout 5000" "$D/hp.db" "SELECT count(*) FROM axfr_cache c JOIN zones z ON z.id = c.zone_id
    WHERE z.name = 'example.com.' AND c.version_id <> (SELECT max(id) FROM versions WHERE zone_id = z.id)")
expect_eq "older versions' AXFR messages deleted" 0 "$old_rows"

q -b $C_OK example.com IXFR=2024010101 > "$T/ixfr.out" 2>&1
# RFC 1995 layout -> "-rr"/"+rr": skip the first SOA and the last; each
# further SOA starts a removal (old) or addition (new) run.
grep -vE '^(;|$)' "$T/ixfr.out" | sed 's/[[:space:]]\{1,\}/ /g' | tr 'A-Z' 'a-z' |
    awk '{ l[NR] = $0 } END { m = ""; for (i = 2; i < NR; i++) {
	split(l[i], f, " "); if (f[4] == "soa") m = (m == "-") ? "+" : "-";
	print m l[i] } }' | sort > "$T/ixfr.n"
hp diff example.com 2024010101 2024010102 | grep -E '^[-+]' | sed 's/[[:space:]]\{1,\}/ /g' |
    tr 'A-Z' 'a-z' | sort > "$T/diff.n"
expect_eq "IXFR has 12 change lines (5+5 RRs, 2 SOAs)" 12 "$(wc -l < "$T/ixfr.n")"
if [ -s "$T/diff.n" ] && cmp -s "$T/diff.n" "$T/ixfr.n"; then ok "IXFR content equals hpagent diff"
else fail "IXFR content equals hpagent diff"; diff "$T/diff.n" "$T/ixfr.n" | head -6 | sed 's/^/# diag: /'; fi
q -b $C_OK +notcp example.com IXFR=2024010101 > "$T/ixfr_udp.out" 2>&1
expect_grep "IXFR over UDP that fits: the whole answer over UDP" '\(1 messages, 14 records\)' "$T/ixfr_udp.out"
expect_grep "IXFR over UDP that fits: sent over UDP" 'From .*\(UDP\)' "$T/ixfr_udp.out"
q -b $C_OK +notcp example.com IXFR=2000000000 > "$T/ixfr_udp2.out" 2>&1
expect_grep "IXFR over UDP needing the whole zone: the single SOA (retry over TCP)" '\(1 messages, 1 records\)' "$T/ixfr_udp2.out"
q -b $C_OK example.com IXFR=2024010102 > "$T/ixfr_cur.out" 2>&1
expect_grep "IXFR from the current serial: one SOA" '\(1 messages, 1 records\)' "$T/ixfr_cur.out"
q -b $C_OK example.com IXFR=2000000000 > "$T/ixfr_old.out" 2>&1
got=$(sed -n 's/.*messages, \([0-9]*\) records.*/\1/p' "$T/ixfr_old.out")
expect_eq "IXFR from an unknown serial: the whole zone, AXFR-style" $((n_show + 1)) "$got"
t0=$(date +%s%N); q -b $C_OK example.com IXFR=2024010101 > /dev/null 2>&1; t1=$(date +%s%N)
diag "IXFR of a 10-RR change incl. kdig start-up: $(( (t1 - t0) / 1000 )) us"

# ---- several queries on one TCP connection -----------------------------
python3 - "$P" "$PORT" "$C_OK" > "$T/pipe.out" 2>&1 <<'EOPY'
import socket, struct, sys
def q(name, qtype, qid):
    hdr = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    qn = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    m = hdr + qn + struct.pack("!HH", qtype, 1)
    return struct.pack("!H", len(m)) + m
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=3,
    source_address=(sys.argv[3], 0))
s.sendall(q("example.com", 6, 1) + q("example.com", 6, 2))
buf = b""
ids = []
while len(ids) < 2:
    d = s.recv(65536)
    if not d: break
    buf += d
    while len(buf) >= 2 and len(buf) >= 2 + struct.unpack("!H", buf[:2])[0]:
        n = struct.unpack("!H", buf[:2])[0]
        ids.append(struct.unpack("!H", buf[2:4])[0]); buf = buf[2 + n:]
print("ids", *ids)
EOPY
expect_grep "two queries on one TCP connection, two answers" '^ids 1 2$' "$T/pipe.out"

# ---- NOTIFY to a knotd secondary ---------------------------------------
cat > "$T/knot/knot.conf" <<EOK
server:
    rundir: "$T/knot"
    listen: $SEC@$SPORT
log:
  - target: stderr
    any: info
database:
    storage: "$T/knot"
key:
  - id: k-hmac-sha256
    algorithm: hmac-sha256
    secret: $(sec_of hmac-sha256)
remote:
  - id: primary
    address: $P@$PORT
    key: k-hmac-sha256
    via: $SEC
acl:
  - id: notify_from_primary
    address: $P
    key: k-hmac-sha256
    action: notify
template:
  - id: default
    storage: "$T/knot"
    zonefile-load: none
    zonefile-sync: -1
    journal-content: all
zone:
  - domain: example.com
    master: primary
    acl: notify_from_primary
EOK
bg knot knotd -c "$T/knot/knot.conf"
knot_serial() { kdig @$SEC -p $SPORT +timeout=1 +retry=0 +short example.com SOA | awk '{print $3}'; }
knot_has() { [ "$(knot_serial)" = "$1" ]; }
if wait_for 15 knot_has 2024010102; then ok "knotd transferred the zone (serial 2024010102)"
else fail "knotd transferred the zone"; diag "knot serial [$(knot_serial)]"; tail -5 "$T/knot.log" | sed 's/^/# diag: /'; fi

gen_zone 2024010103 1 | sed -e '/^host2[0-4] IN A/s/\.1$/.88/' > "$D/v3.zone"
hp import example.com "$D/v3.zone" > "$T/import3.out" 2>&1
if wait_for 10 knot_has 2024010103; then ok "after an import, knotd has the new serial within 10 s"
else fail "after an import, knotd has the new serial"; diag "knot serial [$(knot_serial)]"; fi
notified() { grep -qE "example.com.*notify, incoming, remote $P.*serial 2024010103" "$T/knot.log"; }
if wait_for 3 notified; then ok "knotd logged our NOTIFY from $P (TSIG, from the listening address)"
else fail "knotd logged our NOTIFY from $P"; grep -i notify "$T/knot.log" | tail -3 | sed 's/^/# diag: /'; fi
expect_grep "knotd transferred by IXFR after the NOTIFY" 'IXFR, incoming.*finished|IXFR, incoming.*serial 2024010102 -> 2024010103' "$T/knot.log"
acked() { grep -q "NOTIFY example.com. serial 2024010103 to $SEC@$SPORT acknowledged" "$D/hpagent.log"; }
if wait_for 5 acked; then ok "hpagent logged the NOTIFY acknowledged"
else fail "hpagent logged the NOTIFY acknowledged"; grep NOTIFY "$D/hpagent.log" | tail -3 | sed 's/^/# diag: /'; fi

# The version is announced once its AXFR messages are ready (zones.c): the
# daemon's "serial A -> B" line (the NOTIFY) says so.
expect_grep "serial 2024010103 announced once its AXFR messages were ready" \
    'serial 2024010102 -> 2024010103 \(AXFR messages ready\)' "$D/hpagent.log"
insync() { hp status example.com > "$T/status.out" 2>&1 && grep -qE "$SEC@$SPORT +2024010103 +in-sync .* 2024010103 acked" "$T/status.out"; }
if wait_for 5 insync; then ok "status: knotd in sync, NOTIFY acked"
else fail "status: knotd in sync, NOTIFY acked"; sed 's/^/# diag: /' "$T/status.out"; fi
# kdig's IXFR from $C_OK (provide-xfr:, no notify:): not a secondary.
ipx() { echo "$1" | sed 's/\./\\./g'; }
check "status: the IXFR client (no notify: entry) is not listed" \
    sh -c "! grep -qE '[[:space:]]$(ipx $C_OK)[@[:space:]]' '$T/status.out'"

# Direct database edit: the daemon publishes it itself and notifies.
sqlite3 "$D/hp.db" "PRAGMA busy_timeout=5000; INSERT INTO records (zone_id, owner, type, class, ttl, rdata)
    SELECT id, 'direct.example.com.', 1, 1, 300, x'0a0b0c0d' FROM zones WHERE name = 'example.com.'" > /dev/null 2> "$T/sql.err"
check "direct SQL insert accepted" test ! -s "$T/sql.err"
direct() { kdig @$SEC -p $SPORT +timeout=1 +retry=0 +short direct.example.com A | grep -q 10.11.12.13; }
if wait_for 10 direct; then ok "a direct DB edit is published by the daemon and reaches knotd"
else fail "a direct DB edit is published by the daemon and reaches knotd"; hp zones | sed 's/^/# diag: /'; fi

# hpagent notify, from the command line.
hp notify example.com > "$T/notify.out" 2>&1; rc=$?
expect_eq "hpagent notify: exit 0" 0 "$rc"
expect_grep "hpagent notify: target acknowledged" "$SEC@$SPORT serial [0-9]+: acknowledged" "$T/notify.out"

# A dead target beside a live one: the live one is acknowledged at once,
# the dead one reported after its retries (notify-retry 1: 1 + 2 s).
sed -i "s/notify-retry: 3/notify-retry: 1/; s/notify: $SEC@$SPORT \(.*\)/notify: 127.0.8.99@$SPORT \1\\n\tnotify: $SEC@$SPORT \1/" "$D/agent.conf"
t0=$(date +%s)
hp notify example.com > "$T/notify_dead.out" 2> "$T/notify_dead.err"; rc=$?
t1=$(date +%s)
expect_eq "hpagent notify with a dead target: exit 1" 1 "$rc"
expect_grep "dead target: no answer after its retries" '127\.0\.8\.99@[0-9]+ serial [0-9]+: failed: no answer after 2 tries' "$T/notify_dead.out"
expect_eq "the live target is acknowledged first, not delayed by the dead one" \
    "$SEC@$SPORT acknowledged" "$(head -1 "$T/notify_dead.out" | awk '{print $2, $5}' | tr -d :)"
check "dead target given up within its retry budget ($((t1 - t0)) s)" test $((t1 - t0)) -le 5

# ---- clean exit on SIGTERM ----------------------------------------------
eval "pid=\$PID_hpagent"
kill -TERM "$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_for 5 gone; wait "$pid" 2>/dev/null; rc=$?
expect_eq "SIGTERM: exit status 0" 0 "$rc"
check "SIGTERM: pidfile removed" test ! -e "$D/hpagent.pid"

# ---- the streaming path on its own ---------------------------------------
# The daemon again with the builder disabled and no cache for the current
# version: AXFR unsigned and signed, streamed from the records.
sqlite3 "$D/hp.db" "PRAGMA busy_timeout=5000; DELETE FROM axfr_cache_done; DELETE FROM axfr_cache" > /dev/null
P2=127.0.8.30
grep -v 'notify' "$D/agent.conf" | sed "s/ip-address: .*/ip-address: $P2@$PORT/; s/hpagent\.log/stream.log/; s/hpagent\.pid/stream.pid/" > "$D/stream.conf"
bg hpstream env HPAGENT_NO_AXFR_CACHE=1 "$H" -c "$D/stream.conf" serve
soa2_up() { kdig @$P2 -p $PORT +timeout=1 +retry=0 -b $C_OK example.com SOA | grep -q 'status: NOERROR'; }
if wait_for 10 soa2_up; then
	kdig @$P2 -p $PORT +timeout=2 +retry=0 -b $C_OK example.com AXFR > "$T/axfr_st.out" 2>&1
	axfr_eq "builder disabled: AXFR streamed from the records equals hpagent show" "$T/axfr_st.out"
	msgs=$(sed -n 's/.*(\([0-9]*\) messages.*/\1/p' "$T/axfr_st.out")
	check "builder disabled: streamed AXFR takes several messages ($msgs)" test "${msgs:-0}" -gt 1
	kdig @$P2 -p $PORT +timeout=2 +retry=0 -b $C_KEY -y "hmac-sha256:k-hmac-sha256:$(sec_of hmac-sha256)" example.com AXFR > "$T/axfr_sts.out" 2>&1
	if grep -qE '^;; (WARNING|ERROR)' "$T/axfr_sts.out"; then fail "builder disabled: TSIG-signed streamed AXFR verified by kdig"
	else axfr_eq "builder disabled: TSIG-signed streamed AXFR verified by kdig, equals hpagent show" "$T/axfr_sts.out"; fi
	expect_grep "builder disabled: transfers logged as streamed" 'started \(from the records\)' "$D/stream.log"
	nb=$(grep -c 'messages of serial .* ready' "$D/stream.log")
	expect_eq "builder disabled: no cache built" 0 "$nb"
else
	fail "second daemon (HPAGENT_NO_AXFR_CACHE=1) answers"; sed 's/^/# diag: /' "$T/hpstream.log" | tail -5
fi
eval "stop_pid \$PID_hpstream"
