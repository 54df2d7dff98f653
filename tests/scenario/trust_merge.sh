#!/bin/sh
# trust_merge.sh -- sources merged, not overwritten, and guarded imports
# (issue 10 B and C), with a real NSD secondary. A rollback survives the
# cron job's import of the unchanged file and is replaced only when the
# file changes; an SQL edit survives imports that do not touch it,
# --replace (and source-mode: replace) make the zone the file again;
# conflicts are reported, not fatal; history and diff say which channel
# made each version; --dry-run changes nothing and tells the serial; a
# truncated source is refused by max-delete (exit 14, HTTP 409 with the
# counts) and published with --force / ?force=1.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
PRIMARY=hpagent		# hpagent's own commands: no stand-in
. "$TOP/tests/scenario/lib_daemons.sh"
plan 68

P=127.0.17.10 PPORT=32420 HPORT=32422
TOKEN=api-token-$$-0123456789
U=http://$P:$HPORT
AGENT_SERVER_EXTRA="	http-listen: $P@$HPORT
	api-token: \"$TOKEN\""
K=mergekey
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd1 127.0.17.11 32421 $K
add_client 127.0.17.19 $K

if ! start_primary $P $PPORT; then
	fail "hpagent serves $ZONE on $P@$PPORT"; exit 1
fi
ok "hpagent serves $ZONE on $P@$PPORT"
check "nsd1 starts" start_secondary nsd nsd1
S0=$(primary_serial)
expect_serials "$S0" 15 nsd1

DB=$T/primary/hpagent.db F=$PRI_ZONEFILE
H() { "$HPAGENT" -c "$PRI_CONF" "$@"; }
sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$@"; }
# has OWNER RDATA: the primary's records (hpagent show) hold OWNER A RDATA
has() { H show "$ZONE" | awk -v o="$1.$ZONE" -v a="$2" '$1 == o && $4 == "A" && $5 == a { f = 1 } END { exit !f }'; }
moved() { [ "$(primary_serial)" != "$1" ]; }
versions() { sql "SELECT count(*) FROM versions"; }
# run NAME EXPECTED_EXIT ARGS...: hpagent ARGS, stdout/stderr in $T/NAME.out/.err
run() {
	_n=$1 _want=$2; shift 2
	H "$@" > "$T/$_n.out" 2> "$T/$_n.err"; _rc=$?
	expect_eq "$_n: exit $_want" "$_want" "$_rc"
	[ "$_rc" = "$_want" ] || sed 's/^/# diag:   /' "$T/$_n.out" "$T/$_n.err" | head -8
}

# ---- a rollback survives the unchanged file, until the file changes --------
zone_del '^www'; zone_add 'www	IN	A	192.0.2.11'
run edit 0 import "$ZONE"
S1=$(primary_serial)
run rollback 0 rollback "$ZONE" "$S0"
S2=$(primary_serial)
check "rollback: www is 192.0.2.10 again" has www 192.0.2.10
run cron 0 import --all
expect_eq "cron import of the unchanged file prints nothing" "" "$(cat "$T/cron.out" "$T/cron.err")"
expect_eq "... and publishes nothing: serial $S2 stays" "$S2" "$(primary_serial)"
check "... the rollback stays (www 192.0.2.10)" has www 192.0.2.10
expect_serials "$S2" 15 nsd1
expect_rr "nsd1 serves the rolled back www" nsd1 "www.$ZONE" A 192.0.2.10
zone_add 'new	IN	A	192.0.2.99'
run changed 0 import "$ZONE"
S3=$(primary_serial)
check "the file changed: the rollback is replaced (www 192.0.2.11, the file's)" has www 192.0.2.11
check "... with the file's new record" has new 192.0.2.99
expect_serials "$S3" 15 nsd1
H history "$ZONE" > "$T/history"
expect_grep "history: the rollback's version" "^ *$S2 .* rollback " "$T/history"
expect_grep "history: the file's version, merged, and from which file" "^ *$S3 .* file .*merge $F\$" "$T/history"
H diff "$ZONE" "$S1" "$S3" > "$T/diff"
expect_grep "diff says which channel made each version" "^; serial $S2: rollback\$" "$T/diff"
expect_grep "... the file's too" "^; serial $S3: file merge $F\$" "$T/diff"

# ---- an SQL edit survives imports that do not touch it ---------------------
sql "INSERT INTO records(zone_id,owner,type,class,ttl,rdata) SELECT id,'sql.$ZONE',1,1,300,X'C000024D' FROM zones WHERE name='$ZONE'"
check "the daemon publishes the SQL edit" wait_for 10 moved "$S3"
S4=$(primary_serial)
zone_add 'new2	IN	A	192.0.2.98'
run merge 0 import "$ZONE"
check "the file's change is in" has new2 192.0.2.98
check "the SQL edit survives the import" has sql 192.0.2.77
expect_serials "$(primary_serial)" 15 nsd1
expect_rr "nsd1 serves the SQL edit" nsd1 "sql.$ZONE" A 192.0.2.77
run replace 0 import --replace "$ZONE"
check "--replace: the zone is the file, the SQL edit is gone" sh -c "! $(command -v "$HPAGENT") -c '$PRI_CONF' show '$ZONE' | grep -q '^sql\\.'"
expect_grep "--replace says so" "replaced: the zone is the text" "$T/replace.out"
expect_grep "history: the replace" " file .*replace $F\$" "$(H history "$ZONE" > "$T/h2"; echo "$T/h2")"

# ---- conflicts: reported, not fatal -----------------------------------------
S5=$(primary_serial)
sql "DELETE FROM records WHERE owner = 'host30.$ZONE'"
check "the daemon publishes the SQL removal" wait_for 10 moved "$S5"
S6=$(primary_serial)
zone_del '^host30'
run conflict 0 import "$ZONE"
expect_grep "the conflict is named" "conflict: host30\.$ZONE.*192\.0\.2\.30 \(removed by the source\) is no longer in the zone" "$T/conflict.err"
expect_grep "... and counted" "1 conflict with changes made by other channels" "$T/conflict.out"
expect_eq "nothing to publish: serial $S6 stays" "$S6" "$(primary_serial)"

# ---- --dry-run: nothing changes, the serial it would publish ---------------
zone_add 'dry	IN	A	192.0.2.55'
v0=$(versions)
run dry 0 import --dry-run "$ZONE"
expect_grep "dry run: the RR it would add" "^\+dry\.$ZONE.*192\.0\.2\.55" "$T/dry.out"
would=$(sed -n 's/.*dry run: would publish serial \([0-9]*\) .*/\1/p' "$T/dry.out")
check "dry run: says the serial it would publish" test -n "$would"
expect_eq "dry run: serial $S6 stays" "$S6" "$(primary_serial)"
expect_eq "dry run: no version stored" "$v0" "$(versions)"
check "dry run: the record is not in the zone" sh -c "! $(command -v "$HPAGENT") -c '$PRI_CONF' show '$ZONE' | grep -q '^dry\\.'"
run real 0 import "$ZONE"
expect_eq "the import then publishes the serial the dry run named" "$would" "$(primary_serial)"

# ---- max-delete: a truncated source refused ---------------------------------
S7=$(primary_serial)
expect_serials "$S7" 15 nsd1
cp "$F" "$T/full.zone"
head -n 12 "$T/full.zone" > "$F"		# SOA, NS, a few records left
run truncated 14 import "$ZONE"
expect_grep "max-delete: the counts" "would remove [0-9]+ of the zone's [0-9]+ records \(more than 50%\)" "$T/truncated.err"
expect_eq "max-delete: serial $S7 stays" "$S7" "$(primary_serial)"
run truncated_dry 14 import --dry-run "$ZONE"
expect_grep "a dry run shows what max-delete would refuse" "^-host40\.$ZONE" "$T/truncated_dry.out"
expect_eq "nsd1 still serves serial $S7" "$S7" "$(soa_serial 127.0.17.11 32421 "$ZONE")"
run forced 0 import --force "$ZONE"
S8=$(primary_serial)
check "--force publishes it" test "$S8" != "$S7"
expect_serials "$S8" 15 nsd1
cp "$T/full.zone" "$F"
run restored 0 import "$ZONE"
S9=$(primary_serial)

# ---- max-delete over HTTP: 409 with the counts, ?force=1 --------------------
head -n 12 "$T/full.zone" > "$T/trunc.zone"
post() { # post QUERY: the status code; the body in $T/post.json
	curl -s -m 10 -o "$T/post.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
	    -H 'Content-Type: text/dns' --data-binary @"$T/trunc.zone" \
	    "$U/v1/zones/$ZONE/publish$1"
}
expect_eq "webhook: a truncated zone text gets 409" 409 "$(post '')"
check "409: the counts and the limit" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["removed"] > d["records"] // 2 and d["max_delete"] == 50, d
assert "max-delete" in d["error"], d' "$T/post.json"
expect_eq "409: serial $S9 stays" "$S9" "$(primary_serial)"
expect_eq "webhook with ?force=1: 200" 200 "$(post '?force=1')"
check "?force=1: published" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["changed"] is True and d["removed"] > 20, d' "$T/post.json"
check "?force=1: the serial moved" moved "$S9"

# ---- source-mode: replace (a zone option) ------------------------------------
cp "$T/full.zone" "$F"
run back 0 import --replace "$ZONE"
sed 's/^\(	include-pattern: .*\)$/\1\n	source-mode: replace\n	max-delete: 90/' "$PRI_CONF" > "$T/replace.conf"
"$HPAGENT" -c "$T/replace.conf" -v check-conf > "$T/cc.out" 2>&1
expect_grep "check-conf -v: source-mode: replace" "^  source-mode: replace" "$T/cc.out"
expect_grep "check-conf -v: max-delete: 90" "^  max-delete: 90" "$T/cc.out"
S10=$(primary_serial)
sql "INSERT INTO records(zone_id,owner,type,class,ttl,rdata) SELECT id,'sql2.$ZONE',1,1,300,X'C000024E' FROM zones WHERE name='$ZONE'"
wait_for 10 moved "$S10"
zone_add 'new3	IN	A	192.0.2.97'
"$HPAGENT" -c "$T/replace.conf" import "$ZONE" > "$T/rmode.out" 2>&1
check "source-mode: replace: the import makes the zone the file" has new3 192.0.2.97
check "source-mode: replace: the SQL edit is gone" sh -c "! $(command -v "$HPAGENT") -c '$PRI_CONF' show '$ZONE' | grep -q '^sql2\\.'"
expect_serials "$(primary_serial)" 15 nsd1
finish_primary
