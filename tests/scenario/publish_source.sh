#!/bin/sh
# Zone sources and cron: `hpagent import ZONE URL` from a python3 zone
# server (tests/tools/zonesrv.py): 200 publishes, a conditional 304 does
# nothing, 404/500 exit 10 with the serial unchanged, parse/validation
# errors 11/12, a locked database 13; import --all; rollback; wait;
# status --json.
. "$(dirname "$0")/../lib.sh"
plan 48
ADDR=127.0.10.1 PORT=31400
U=http://$ADDR:$PORT
D=$T/hp
mkdir -p "$D"

cat > "$D/src.zone" <<'EOZ'
$TTL 300
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.10
EOZ
cp "$D/src.zone" "$D/c.zone"
cat > "$D/agent.conf" <<EOC
server:
	database: "$D/hp.db"
	zonesdir: "$D"
zone:
	name: a.test
	source: "$U/zone"
	notify: 127.0.10.9@31409 NOKEY
zone:
	name: b.test
	source: "$U/404"
zone:
	name: c.test
	zonefile: c.zone
zone:
	name: e.test
EOC
H() { "$HPAGENT" -c "$D/agent.conf" "$@"; }
serial() { H zones 2>/dev/null | awk -v z="$1." '$1 == z { print $2 }'; }
versions() { H history "$1" 2>/dev/null | awk 'NR > 1' | wc -l | tr -d ' '; }
# run NAME EXPECTED_EXIT ARGS...: stdout+stderr in $T/NAME.out
run() {
	n=$1 want=$2; shift 2
	H "$@" > "$T/$n.out" 2> "$T/$n.err"; rc=$?
	expect_eq "$n: exit $want" "$want" "$rc"
	[ "$rc" = "$want" ] || sed 's/^/# diag:   /' "$T/$n.out" "$T/$n.err"
}

bg zs python3 "$TOP/tests/tools/zonesrv.py" "$ADDR" "$PORT" "$D/src.zone"
wait_for 5 grep -q ready "$T/zs.log" || bail "the python3 zone server did not start"

run first 0 import a.test
expect_grep "first fetch publishes a new zone" '^a\.test\.: new zone' "$T/first.out"
S1=$(serial a.test)
check "serial after the first fetch" test -n "$S1"

run again 0 import a.test
expect_eq "304: nothing printed (cron-friendly)" "" "$(cat "$T/again.out" "$T/again.err")"
expect_grep "304: the ETag of the last fetch was sent" 'GET /zone INM="[0-9a-f]+"' "$T/zs.log"
expect_eq "304: serial unchanged" "$S1" "$(serial a.test)"
expect_eq "304: no new version" 1 "$(versions a.test)"
run again_v 0 -v import a.test
expect_grep "-v: unchanged is reported" 'a\.test\.: unchanged \(.* not modified\)' "$T/again_v.out"

echo 'mail	IN A 192.0.2.25' >> "$D/src.zone"
run changed 0 import a.test
expect_grep "changed source: published" "^a\\.test\\.: published serial [0-9]+ \\(was $S1\\): \\+1 -0" "$T/changed.out"
S2=$(serial a.test)
expect_eq "changed source: two versions" 2 "$(versions a.test)"

run http404 10 import a.test "$U/404"
expect_grep "404: reason on stderr" 'HTTP 404' "$T/http404.err"
run http500 10 import a.test "$U/500"
expect_grep "500: reason on stderr" 'HTTP 500' "$T/http500.err"
run unreachable 10 import a.test "http://$ADDR:31401/zone"
expect_eq "fetch failures: serial unchanged" "$S2" "$(serial a.test)"
expect_eq "fetch failures: no new version" 2 "$(versions a.test)"

printf '@ 300 IN SOA ns1 h 1 2 3 4 5\n@ NS ns1\nbad IN A 300.1.1.1\n' > "$T/parse.zone"
run parse 11 import a.test "file://$T/parse.zone"
printf '@ 300 IN SOA ns1 h 1 2 3 4 5\nwww A 192.0.2.1\n' > "$T/invalid.zone"
run invalid 12 import a.test "file://$T/invalid.zone"
expect_eq "parse/validation errors: serial unchanged" "$S2" "$(serial a.test)"

# A writer holding the lock: exit 13, nothing changed.
echo 'lock IN A 192.0.2.99' >> "$D/src.zone"
python3 -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN IMMEDIATE"); print("locked", flush=True); time.sleep(4)
c.execute("ROLLBACK")' "$D/hp.db" > "$T/lock.log" 2>&1 &
LOCKPID=$!; PIDS="$PIDS $LOCKPID"
wait_for 5 grep -q locked "$T/lock.log"
HPAGENT_BUSY_TIMEOUT_MS=200 run busy 13 import a.test
expect_grep "busy: said so" 'locked by another writer' "$T/busy.err"
wait "$LOCKPID" 2>/dev/null
expect_eq "busy: serial unchanged" "$S2" "$(serial a.test)"
run after_busy 0 import a.test
S2=$(serial a.test)

# --all: every zone with a source: or zonefile: (e.test has neither).
run all 10 import --all
expect_grep "--all: c.test from its zonefile" '^c\.test\.: new zone' "$T/all.out"
expect_grep "--all: b.test's 404 reported" 'b\.test\.: .*HTTP 404' "$T/all.err"
check "--all: b.test not created" sh -c "! '$HPAGENT' -c '$D/agent.conf' zones | grep -q '^b.test'"
check "--all: e.test skipped" sh -c "! '$HPAGENT' -c '$D/agent.conf' zones | grep -q '^e.test'"

# rollback: the content of S1 again, as a new serial ahead of the rest.
run rollback 0 rollback a.test "$S1"
S3=$(serial a.test)
expect_grep "rollback: reported" "content of serial $S1 published as serial $S3" "$T/rollback.out"
check "rollback: serial moved forward" test "$S3" -gt "$S2"
H show a.test | grep -v SOA > "$T/now.txt"
H show a.test --serial "$S1" | grep -v SOA > "$T/old.txt"
check "rollback: content equals serial $S1" cmp -s "$T/now.txt" "$T/old.txt"
expect_grep "rollback: journal entry with source rollback" "^ *$S3 .* rollback " \
    "$(H history a.test > "$T/hist.txt"; echo "$T/hist.txt")"
run rollback_missing 1 rollback a.test 7
expect_grep "rollback: unknown serial explained" 'serial 7 is not stored' "$T/rollback_missing.err"

# wait: the secondary never transferred: exit 1 at the timeout, named.
run wait_timeout 1 wait a.test --timeout 1
expect_grep "wait: the secondary behind is listed" '127\.0\.10\.9@31409 unknown: not probed yet' "$T/wait_timeout.out"
# What the daemon's probe writes when the secondary's SOA answer shows
# the serial (no daemon runs here).
sqlite3 "$D/hp.db" "INSERT INTO secondaries (zone_id, target, serial, since, probed, state)
    SELECT id, '127.0.10.9@31409', serial, strftime('%s','now'), strftime('%s','now'), 'in-sync' FROM zones WHERE name = 'a.test.'"
run wait_ok 0 wait a.test --timeout 5
run wait_old 0 wait a.test "$S1" --timeout 1

run status_json 0 status --json
check "status --json is JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/status_json.out"
check "status --json: a.test's secondary in sync" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
z = [z for z in d["zones"] if z["zone"] == "a.test."][0]
s = z["secondaries"][0]
assert s["secondary"] == "127.0.10.9@31409" and s["state"] == "in-sync" and s["serial"] == z["serial"]
' "$T/status_json.out"
run status_zone 0 status c.test --json
expect_grep "status ZONE --json: only that zone" '^\{"zones":\[\{"zone":"c.test.","serial":[0-9]+,"held":false,"held_why":null,"broken":false,"broken_why":null,"secondaries":\[\]\}\]\}$' "$T/status_zone.out"
