#!/bin/sh
# The HTTP API of `hpagent serve` end to end, with curl and a real knotd
# secondary: webhook publish with a GitHub-style signature (and refusals
# that leave the serial alone: 401, 413, 422, 502, 503), a push event that
# fetches the zone's source: (then 304: unchanged), ?wait= confirmed by
# the secondary (200) or not (202, a dead secondary listed as behind),
# rollback, the read-only routes, /metrics, `hpagent wait`.
. "$(dirname "$0")/../lib.sh"
plan 71
P=127.0.10.20 PORT=31420 HPORT=31421 ZPORT=31423
SEC=127.0.10.21 SPORT=31422
DEAD=127.0.10.22 DPORT=31424
U=http://$P:$HPORT
D=$T/hp K=$T/knot
mkdir -p "$D" "$K"
SECRET=webhook-secret-0123456789-$$
TOKEN=api-token-0123456789-$$
KEY=$(head -c 32 /dev/urandom | base64)

gen() { # $1 = extra record
	printf '$TTL 300\n@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n'
	printf '@ IN NS ns1\nns1 IN A 192.0.2.1\nwww IN A 192.0.2.10\n%s\n' "$1"
}
gen 'v IN TXT "one"' > "$D/example.zone"
gen '' > "$D/two.zone"
cp "$D/example.zone" "$D/source.zone"
cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root	# tests run as root: stay root (README, Operating hpagent)
	database: "$D/hp.db"
	zonesdir: "$D"
	http-listen: $P@$HPORT
	webhook-secret: "$SECRET"
	api-token: "$TOKEN"
	max-zone-size: 100k
	verbosity: 2
key:
	name: k
	algorithm: hmac-sha256
	secret: "$KEY"
zone:
	name: example.test
	zonefile: example.zone
	source: "http://$P:$ZPORT/zone"
	notify: $SEC@$SPORT k
	provide-xfr: $SEC k
zone:
	name: two.test
	zonefile: two.zone
	notify: $SEC@$SPORT k
	notify: $DEAD@$DPORT NOKEY
	notify-retry: 1
	provide-xfr: $SEC k
	provide-xfr: $DEAD NOKEY
zone:
	name: bad.test
	zonefile: two.zone
	source: "http://$P:$ZPORT/500"
EOC
cat > "$K/knot.conf" <<EOK
server:
    rundir: "$K"
    listen: $SEC@$SPORT
log:
  - target: stderr
    any: info
database:
    storage: "$K"
key:
  - id: k
    algorithm: hmac-sha256
    secret: $KEY
remote:
  - id: primary
    address: $P@$PORT
    key: k
    via: $SEC
acl:
  - id: notify_from_primary
    address: $P
    key: k
    action: notify
template:
  - id: default
    storage: "$K"
    zonefile-load: none
    zonefile-sync: -1
    journal-content: all
zone:
  - domain: example.test
    master: primary
    acl: notify_from_primary
  - domain: two.test
    master: primary
    acl: notify_from_primary
EOK
H() { "$HPAGENT" -c "$D/agent.conf" "$@"; }
serial() { H zones 2>/dev/null | awk -v z="$1." '$1 == z { print $2 }'; }
versions() { H history "$1" 2>/dev/null | awk 'NR > 1' | wc -l | tr -d ' '; }
hmac() { openssl dgst -sha256 -hmac "$SECRET" < "$1" | sed 's/^.*= //'; }
sec_serial() { kdig @$SEC -p $SPORT +timeout=1 +retry=0 +short "$1" SOA 2>/dev/null | awk 'NR == 1 { print $3 }'; }
has_serial() { [ "$(sec_serial "$1")" = "$2" ]; }
# post NAME EXPECTED_CODE [curl args...]: body in $T/NAME.json
post() {
	n=$1 want=$2; shift 2
	code=$(curl -s -o "$T/$n.json" -w '%{http_code}' --max-time 30 "$@")
	expect_eq "$n: HTTP $want" "$want" "$code"
	[ "$code" = "$want" ] || sed 's/^/# diag:   /' "$T/$n.json"
}
# publish NAME CODE ZONE FILE [QUERY] [curl args]: zone text, signed; a
# signature does not cover the URL's zone, so the text names it ($ORIGIN)
publish() {
	n=$1 c=$2 z=$3 f=$4 q=${5:-}; shift 4; [ $# -gt 0 ] && shift
	{ printf '$ORIGIN %s.\n' "$z"; cat "$f"; } > "$f.o"
	post "$n" "$c" -H "X-Hub-Signature-256: sha256=$(hmac "$f.o")" \
	    -H 'Content-Type: text/dns' --data-binary "@$f.o" "$@" \
	    "$U/v1/zones/$z/publish$q"
}
# jq_ NAME EXPR: a Python expression over the answer d, quotes removed
jq_() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(str(eval(sys.argv[2])).replace("\x27", ""))' "$T/$1.json" "$2"; }

H import example.test "$D/example.zone" > /dev/null &&
    H import two.test > /dev/null && H import bad.test "$D/two.zone" > /dev/null || { fail "initial imports"; exit 1; }
S0=$(serial example.test)
bg zs python3 "$TOP/tests/tools/zonesrv.py" "$P" "$ZPORT" "$D/source.zone"
bg hp "$HPAGENT" -c "$D/agent.conf" serve
bg knot knotd -c "$K/knot.conf"
wait_for 5 grep -q ready "$T/zs.log" || bail "the python3 zone server did not start"
wait_for 10 sh -c "curl -s -o /dev/null -H 'Authorization: Bearer $TOKEN' $U/v1/zones" ||
    { fail "the HTTP API answers"; sed 's/^/# diag: /' "$T/hp.log" | tail; exit 1; }
wait_for 15 has_serial example.test "$S0" && ok "knotd has example.test $S0" ||
    { fail "knotd has example.test $S0"; tail "$T/knot.log" | sed 's/^/# diag: /'; }

# A signed zone text publishes; the daemon NOTIFYs at once.
gen 'v IN TXT "two"' > "$T/z2"
publish webhook 200 example.test "$T/z2"
S1=$(serial example.test)
check "webhook: serial moved" test "$S1" != "$S0"
expect_eq "webhook: answer" "example.test. $S0 $S1 True 1 1 [$SEC@$SPORT]" \
    "$(jq_ webhook 'd["zone"], d["old_serial"], d["new_serial"], d["changed"], d["added"], d["removed"], d["notified"]' | tr -d '(),')"
wait_for 10 has_serial example.test "$S1" && ok "webhook: knotd transferred $S1" ||
    fail "webhook: knotd transferred $S1"
check "webhook: version source is webhook" sh -c "'$HPAGENT' -c '$D/agent.conf' history example.test | grep -q ' webhook '"

# Refusals change nothing.
gen 'v IN TXT "evil"' > "$T/z3"
post wrong_signature 401 -H "X-Hub-Signature-256: sha256=$(hmac "$T/z2")" \
    --data-binary "@$T/z3" "$U/v1/zones/example.test/publish"
post missing_signature 401 --data-binary "@$T/z3" "$U/v1/zones/example.test/publish"
printf '@ IN SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx IN A 999.1.1.1\n' > "$T/bad"
publish parse_error 422 example.test "$T/bad"
expect_eq "422: the problem is named, as {file, line, message}" "webhook 4 invalid IPv4" \
    "$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["problems"][0]; print(p["file"], p["line"], " ".join(p["message"].split()[:2]))' "$T/parse_error.json" 2>&1)"
printf '@ IN SOA ns1 h 1 2 3 4 5\nx IN A 192.0.2.1\n' > "$T/nons"
publish invalid 422 example.test "$T/nons"
{ gen ''; i=0; while [ $i -lt 5000 ]; do echo "h$i IN A 192.0.2.1"; i=$((i+1)); done; } > "$T/big"
publish too_big 413 example.test "$T/big"
post fetch_error 502 -H "X-Hub-Signature-256: sha256=$(hmac /dev/null)" \
    -H 'X-GitHub-Event: push' -H 'Content-Type: application/json' \
    --data-binary '' "$U/v1/zones/bad.test/publish"
expect_grep "502: the fetch error is named" 'HTTP 500' "$T/fetch_error.json"
python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE"); print("locked", flush=True); time.sleep(3)
c.execute("ROLLBACK")' "$D/hp.db" > "$T/lock.log" 2>&1 &
LOCKPID=$!; PIDS="$PIDS $LOCKPID"
wait_for 5 grep -q locked "$T/lock.log"
publish busy 503 example.test "$T/z3"
wait "$LOCKPID" 2>/dev/null
expect_eq "refused requests: serial unchanged" "$S1" "$(serial example.test)"
expect_eq "refused requests: no new version" 2 "$(versions example.test)"

# A push event fetches the zone's source: (v "one" again), then 304.
echo '{"ref":"refs/heads/main"}' > "$T/push"
post push 200 -H "X-Hub-Signature-256: sha256=$(hmac "$T/push")" \
    -H 'X-GitHub-Event: push' -H 'Content-Type: application/json' \
    --data-binary "@$T/push" "$U/v1/zones/example.test/publish"
S2=$(serial example.test)
expect_eq "push: fetched and published" "True $S2" "$(jq_ push 'd["changed"], d["new_serial"]' | tr -d '(),')"
check "push: serial moved" test "$S2" != "$S1"
post push_again 200 -H "X-Hub-Signature-256: sha256=$(hmac "$T/push")" \
    -H 'X-GitHub-Event: push' -H 'Content-Type: application/json' \
    --data-binary "@$T/push" "$U/v1/zones/example.test/publish"
expect_eq "push again: 304, unchanged" "False True $S2" \
    "$(jq_ push_again 'd["changed"], d["not_modified"], d["new_serial"]' | tr -d '(),')"
expect_grep "push again: conditional request" 'GET /zone INM="' "$T/zs.log"

# ?wait: confirmed when knotd has transferred the new serial.
gen 'v IN TXT "three"' > "$T/z4"
publish wait_ok 200 example.test "$T/z4" '?wait=10'
S3=$(serial example.test)
expect_eq "wait: confirmed by knotd" "True $S3 []" \
    "$(jq_ wait_ok 'd["confirmed"], d["new_serial"], d["behind"]' | tr -d '(),')"
expect_eq "wait: knotd really has it" "$S3" "$(sec_serial example.test)"
# two.test has a dead second secondary: 202 with it behind. Meanwhile
# IXFR queries forged from its address (provide-xfr: NOKEY lets them in)
# claim it has the new serial: a claim, not its SOA answer, counts for
# nothing.
gen 'w IN A 192.0.2.77' > "$T/t2"
NT=$(( $(serial two.test) + 1 ))
forge() {
	i=0
	while [ $i -lt 30 ]; do
		kdig -b $DEAD @$P -p $PORT +notcp +timeout=1 +retry=0 \
		    two.test IXFR=$NT > /dev/null 2>&1
		sleep 0.1; i=$((i + 1))
	done
}
forge &
FPID=$!
start=$(date +%s)
publish wait_dead 202 two.test "$T/t2" '?wait=3'
wait $FPID
expect_eq "wait: 202 lists the dead secondary as behind" "False [$DEAD@$DPORT] [$SEC@$SPORT]" \
    "$(jq_ wait_dead 'd["confirmed"], d["behind"], d["in_sync"]' | tr -d '(),')"
check "wait: answered at the deadline" test $(( $(date +%s) - start )) -le 6
expect_grep "wait: the forged IXFR queries from $DEAD reached the daemon" \
    "IXFR two.test. to $DEAD: serial $NT is current" "$T/hp.log"
expect_eq "wait: the forged serial is not the dead secondary's" "$NT False" \
    "$(jq_ wait_dead 'd["new_serial"], d["states"]["'$DEAD@$DPORT'"]["state"] == "in-sync"' | tr -d '(),')"

# hpagent wait (CLI) agrees.
check "hpagent wait example.test: 0" H wait example.test --timeout 10
H wait two.test --timeout 1 > "$T/wait_two.out"; rc=$?
expect_eq "hpagent wait two.test: 1" 1 "$rc"
expect_grep "hpagent wait names the dead one" "$DEAD@$DPORT" "$T/wait_two.out"

# Rollback over the API to the first version.
post rollback 200 -H "Authorization: Bearer $TOKEN" \
    --data-binary "{\"serial\": $S0}" "$U/v1/zones/example.test/rollback?wait=10"
S4=$(serial example.test)
expect_eq "rollback: confirmed, new serial" "True True $S4" \
    "$(jq_ rollback 'd["confirmed"], d["changed"], d["new_serial"]' | tr -d '(),')"
expect_eq "rollback: knotd serves the old TXT" '"one"' \
    "$(kdig @$SEC -p $SPORT +short v.example.test TXT 2>/dev/null)"
post rollback_missing 404 -H "Authorization: Bearer $TOKEN" \
    --data-binary '{"serial": 7}' "$U/v1/zones/example.test/rollback"

# Reading.
A="Authorization: Bearer $TOKEN"
post zones 200 -H "$A" "$U/v1/zones"
expect_grep "GET /v1/zones lists the zones" '"zone":"two.test."' "$T/zones.json"
post zone 200 -H "$A" "$U/v1/zones/example.test"
expect_eq "GET /v1/zones/example.test: serial and versions" "$S4 5 rollback" \
    "$(jq_ zone 'd["serial"], len(d["versions"]), d["versions"][-1]["source"]' | tr -d '(),')"
post status 200 -H "$A" "$U/v1/zones/example.test/status"
expect_eq "GET .../status: knotd in sync, NOTIFY acked" "$SEC@$SPORT in-sync True $S4" \
    "$(jq_ status '[s for s in d["secondaries"] if s["address"] == "'$SEC'"][0]["secondary"], [s for s in d["secondaries"] if s["address"] == "'$SEC'"][0]["state"], [s for s in d["secondaries"] if s["address"] == "'$SEC'"][0]["notify_acked"] is not None, [s for s in d["secondaries"] if s["address"] == "'$SEC'"][0]["serial"]' | tr -d "(),'")"
post get_unauth 401 "$U/v1/zones"
post metrics 200 -H "$A" "$U/metrics"
for m in 'hpagent_zones 3' "hpagent_zone_serial\\{zone=\"example.test.\"\\} $S4" \
    'hpagent_notify_sent_total [1-9][0-9]*' 'hpagent_notify_acked_total [1-9][0-9]*' \
    'hpagent_notify_failed_total [1-9][0-9]*' 'hpagent_transfers_total\{type="IXFR"\} [1-9][0-9]*' \
    'hpagent_transfer_bytes_total [1-9][0-9]*' 'hpagent_tsig_failures_total 0' \
    'hpagent_versions_published_total\{source="webhook"\} [1-9][0-9]*' \
    "hpagent_secondary_serial\\{zone=\"example.test.\",secondary=\"$SEC@$SPORT\"\\} $S4" \
    "hpagent_secondary_in_sync\\{zone=\"example.test.\",secondary=\"$SEC@$SPORT\"\\} 1" \
    "hpagent_secondary_in_sync\\{zone=\"two.test.\",secondary=\"$DEAD@$DPORT\"\\} 0" \
    'hpagent_api_publish_failures_total [1-9][0-9]*'; do
	expect_grep "metrics: $m" "^$m\$" "$T/metrics.json"
done
H status --json > "$T/status_cli.json"
check "status --json: knotd in sync for example.test" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
z = [z for z in d["zones"] if z["zone"] == "example.test."][0]
assert [s for s in z["secondaries"] if s["address"] == sys.argv[2]][0]["state"] == "in-sync"
' "$T/status_cli.json" "$SEC"
check "daemon still running" kill -0 "$PID_hp"

# A large publish runs off the event loop: a second daemon answers SOA
# queries within 100 ms while the API imports a 200k-RR zone, and a
# SIGTERM meanwhile waits for the import, answers it, then exits.
B=127.0.14.30 BPORT=32230 BHPORT=32231 BQ=127.0.14.31
BU=http://$B:$BHPORT BD=$T/bigd GEN=${BUILD:-$TOP/build}/tests/bench/genzone
mkdir -p "$BD"
cat > "$BD/agent.conf" <<EOC
server:
	ip-address: $B@$BPORT
	username: root
	database: "$BD/hp.db"
	zonesdir: "$BD"
	http-listen: $B@$BHPORT
	api-token: "$TOKEN"
	verbosity: 3
key:
	name: k
	algorithm: hmac-sha256
	secret: "$KEY"
zone:
	name: big.test
	provide-xfr: $BQ k
EOC
BH() { "$HPAGENT" -c "$BD/agent.conf" "$@"; }
# bsoa: the SOA query's round trip in ms (1000: no answer)
bsoa() { kdig @$B -p $BPORT -b $BQ -y "hmac-sha256:k:$KEY" +timeout=1 +retry=0 \
    big.test SOA 2>/dev/null | awk '/^;; From .* in [0-9.]+ ms/ { t = $(NF-1) } END { print (t == "" ? 1000 : t) }'; }
# bigpub NAME FILE: POST FILE to big.test in the background ($BPID)
bigpub() { curl -s -o "$T/$1.json" -w '%{http_code}' --max-time 60 \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: text/dns' \
    --data-binary "@$2" "$BU/v1/zones/big.test/publish" > "$T/$1.code" & BPID=$!; }
{ "$GEN" big.test 5 1 > "$BD/small.zone" && "$GEN" big.test 200000 2 > "$BD/big1.zone" &&
    "$GEN" big.test 300000 3 > "$BD/big2.zone" && BH import big.test "$BD/small.zone" > /dev/null; } ||
    bail "big: zones generated and imported"
bg hpbig "$HPAGENT" -c "$BD/agent.conf" serve
check "big: the second daemon answers HTTP" \
    wait_for 10 sh -c "curl -s -o /dev/null -H 'Authorization: Bearer $TOKEN' $BU/v1/zones"
bigpub bigpub "$BD/big1.zone"
n=0 slow=0 max=0
while kill -0 "$BPID" 2>/dev/null && [ $n -lt 500 ]; do
	ms=$(bsoa); n=$((n+1))
	kill -0 "$BPID" 2>/dev/null || break	# answered meanwhile: not counted
	max=$(awk -v a="$max" -v b="$ms" 'BEGIN { print (b > a ? b : a) }')
	awk -v b="$ms" 'BEGIN { exit !(b > 100) }' && slow=$((slow+1))
done
wait "$BPID"
expect_eq "big: 200k-RR publish answered 200" 200 "$(cat "$T/bigpub.code")"
expect_eq "big: 200000 records published" "True 200000" "$(jq_ bigpub 'd["changed"], d["records"]' | tr -d '(),')"
diag "big: $n SOA queries during the import ($(grep -o 'API import took [0-9.]* s' "$T/hpbig.log" | tail -1)), slowest $max ms"
check "big: SOA queries were answered during the import" test "$n" -ge 3
# (a loaded test host may delay one query in ten; a stalled loop, all)
check "big: SOA answered within 100 ms meanwhile ($slow of $n slower)" test "$slow" -le $((n / 10))
bigpub bigterm "$BD/big2.zone"
# once the request is in (logged at verbosity 3), the import runs
check "big: second publish received" \
    wait_for 10 sh -c "[ \$(grep -c 'POST /v1/zones/big.test/publish' '$T/hpbig.log') -ge 2 ]"
kill -TERM "$PID_hpbig"
wait "$BPID"
expect_eq "big: publish running at SIGTERM still answered 200" 200 "$(cat "$T/bigterm.code")"
check "big: the daemon exited after it" wait_for 20 sh -c "! kill -0 $PID_hpbig"
expect_grep "big: SIGTERM waited for the import" 'waiting for the import of zone big.test' "$T/hpbig.log"
expect_eq "big: its version is in" 300000 "$(BH zones 2>/dev/null | awk '$1 == "big.test." { print $3 }')"
