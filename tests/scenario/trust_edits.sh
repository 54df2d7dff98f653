#!/bin/sh
# trust_edits.sh -- every edit validated (issue 10 A), with a real Knot
# secondary. The issue's SQL row (an A record of 3 octets): `publish`
# exits 12 naming the row, nothing is published, Knot keeps serving the
# last good serial, `status`, the API and /metrics say the zone is held,
# the daemon logs it once; `publish --discard` puts the rows back. An
# uppercase relative owner (the issue's second row) is refused by the
# daemon's own publishing, and published once the row is fixed. A bad
# record already in the store (an older database): AXFR answered
# SERVFAIL, the zone shown broken, IXFR across it answered with the whole
# zone; removing the row mends it.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
PRIMARY=hpagent		# hpagent's own checks: no stand-in
. "$TOP/tests/scenario/lib_daemons.sh"
plan 41

P=127.0.16.10 PPORT=32410 HPORT=32412
TOKEN=api-token-$$-0123456789
U=http://$P:$HPORT
AGENT_SERVER_EXTRA="	http-listen: $P@$HPORT
	api-token: \"$TOKEN\""
K=trustkey
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary knot1 127.0.16.11 32411 $K
add_client 127.0.16.19 $K

if ! start_primary $P $PPORT; then
	fail "hpagent serves $ZONE on $P@$PPORT"; exit 1
fi
ok "hpagent serves $ZONE on $P@$PPORT"
check "knot1 starts" start_secondary knot knot1
S0=$(primary_serial)
expect_serials "$S0" 15 knot1

DB=$T/primary/hpagent.db
H() { "$HPAGENT" -c "$PRI_CONF" "$@"; }
sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$@"; }
api() { curl -s -m 5 -H "Authorization: Bearer $TOKEN" "$U$1"; }
held_in_status() { H status "$ZONE" 2>&1 | grep -qE "^$ZONE: held at serial $1 .*$2"; }
metric() { api /metrics | awk -v m="$1{zone=\"$ZONE\"}" '$1 == m { print $2 }'; }
# rescans: commits by another connection make the daemon look again
rescans() { for n in 1 2 3 4 5; do sql "UPDATE zones SET updated = updated"; sleep 0.3; done; }
serial_moved_from() { [ "$(primary_serial)" != "$1" ]; }
H show "$ZONE" > "$T/show.S0"

# ---- the issue's row: an A record of 3 octets -------------------------------
sql "INSERT INTO records(zone_id,owner,type,class,ttl,rdata) SELECT id,'bad.$ZONE',1,1,300,X'C00002' FROM zones WHERE name='$ZONE'"
H publish "$ZONE" > "$T/pub1.out" 2> "$T/pub1.err"
expect_eq "publish of the 3-octet A exits 12" 12 "$?"
expect_grep "publish names the row: owner, type, problem" \
    "bad\.$ZONE A: rdata is 3 octets, A takes 4" "$T/pub1.err"
sleep 2		# the daemon's own attempts (it publishes edits within 1 s)
expect_eq "nothing published: the primary still serves serial $S0" "$S0" "$(primary_serial)"
expect_axfr_file "the primary's AXFR is whole (kdig: no malformed reply) and the zone of serial $S0" \
    $P $PPORT "$ZONE" "$T/show.S0" -b "$CLIENT_ADDR" -y "$(key_y $K)"
expect_serial "knot1 keeps serving the last good serial $S0" knot1 "$S0" 5
expect_rr "knot1 has no bad.$ZONE" knot1 "bad.$ZONE" A ""
if wait_for 5 held_in_status "$S0" "bad\.$ZONE A: rdata is 3 octets"; then
	ok "status: held at serial $S0, and why"
else fail "status: held at serial $S0, and why"; H status "$ZONE" 2>&1 | sed 's/^/# diag: /'; fi
api "/v1/zones/$ZONE/status" > "$T/st1.json"
check "GET /v1/zones/$ZONE/status: held, with the row's problem" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["held"] is True and "rdata is 3 octets" in d["held_why"], d
assert d["broken"] is False' "$T/st1.json"
expect_eq "/metrics: hpagent_zone_held 1" 1 "$(metric hpagent_zone_held)"
rescans
expect_eq "the daemon says it once, however often it looks" 1 \
    "$(grep -c "zone $ZONE: held" "$LOG_primary")"

# ---- publish --discard --------------------------------------------------------
H publish --discard "$ZONE" > "$T/discard.out" 2>&1
expect_eq "publish --discard exits 0" 0 "$?"
expect_grep "publish --discard: the row taken out" "1 row taken out, 0 put back" "$T/discard.out"
H show "$ZONE" > "$T/show.now"
check "after --discard the records are serial $S0's again" cmp -s "$T/show.S0" "$T/show.now"
check "after --discard: status no longer says held" sh -c "! '$HPAGENT' -c '$PRI_CONF' status '$ZONE' | grep -q held"
expect_eq "after --discard: hpagent_zone_held 0" 0 "$(metric hpagent_zone_held)"
expect_eq "after --discard: nothing pending" 0 "$(sql "SELECT count(*) FROM pending")"

# ---- an uppercase relative owner, refused by the daemon's own publishing ----
sql "INSERT INTO records(zone_id,owner,type,class,ttl,rdata) SELECT id,'Bad.Example.org',1,1,300,X'C0000202' FROM zones WHERE name='$ZONE'"
if wait_for 5 grep -q "Bad.Example.org A: owner 'Bad.Example.org' is not absolute" "$LOG_primary"
then ok "the daemon refuses the uppercase relative owner, and logs the row"
else fail "the daemon refuses the uppercase relative owner, and logs the row"; log_tail primary; fi
check "status: held by it" wait_for 5 held_in_status "$S0" "Bad.Example.org"
H show "$ZONE" --serial "$S0" > "$T/show.old" 2>&1
expect_eq "show --serial $S0 still prints the zone" 0 "$?"
H publish "$ZONE" > "$T/pub2.out" 2> "$T/pub2.err"
expect_eq "publish exits 12 for it too" 12 "$?"
expect_eq "still serial $S0" "$S0" "$(primary_serial)"
# fixed in place: the daemon publishes the corrected row
sql "UPDATE records SET owner = 'bad.$ZONE' WHERE owner = 'Bad.Example.org'"
wait_for 10 serial_moved_from "$S0"
S1=$(primary_serial)
check "the fixed row is published by the daemon (serial $S0 -> $S1)" test "$S1" != "$S0"
expect_serials "$S1" 15 knot1
expect_rr "knot1 answers the fixed record" knot1 "bad.$ZONE" A 192.0.2.2
check "status: not held any more" sh -c "! '$HPAGENT' -c '$PRI_CONF' status '$ZONE' | grep -q held"

# ---- a bad record already in the store (an older database) -----------------
# written past the triggers (writer = 1), the prepared AXFR messages dropped:
# as if an older hpagent had published it
sql "UPDATE zones SET writer = 1 WHERE name = '$ZONE';
    INSERT INTO records(zone_id,owner,type,class,ttl,rdata) SELECT id,'old.$ZONE',1,1,300,X'C00002' FROM zones WHERE name='$ZONE';
    UPDATE zones SET writer = 0 WHERE name = '$ZONE';
    DELETE FROM axfr_cache; DELETE FROM axfr_cache_done;"
kdig_axfr() { kdig -b "$CLIENT_ADDR" -y "$(key_y $K)" @$P -p $PPORT +timeout=5 +retry=0 "$ZONE" AXFR > "$T/axfr.out" 2>&1; }
servfail() { kdig_axfr; grep -q SERVFAIL "$T/axfr.out"; }
if wait_for 10 servfail; then ok "AXFR of a version with a bad stored record: SERVFAIL"
else fail "AXFR of a version with a bad stored record: SERVFAIL"; sed 's/^/# diag: /' "$T/axfr.out" | head -5; fi
check "no record of it was sent" sh -c "! grep -q '^old\\.' '$T/axfr.out'"
broken_in_status() { H status "$ZONE" 2>&1 | grep -qE "^$ZONE: broken: serial $S1 .*old\.$ZONE"; }
if wait_for 5 broken_in_status; then ok "status: broken, and which record"
else fail "status: broken, and which record"; H status "$ZONE" 2>&1 | sed 's/^/# diag: /'; fi
expect_eq "/metrics: hpagent_zone_broken 1" 1 "$(metric hpagent_zone_broken)"
expect_log "the primary logs the SERVFAIL" primary "answered SERVFAIL"
expect_serial "knot1 keeps serving serial $S1" knot1 "$S1" 2
# mended by an ordinary edit: the IXFR across it (the journal holds the
# bad row's removal) goes out as the whole zone
sql "DELETE FROM records WHERE owner = 'old.$ZONE'"
wait_for 10 serial_moved_from "$S1"
S2=$(primary_serial)
check "the row's removal is published (serial $S1 -> $S2)" test "$S2" != "$S1"
expect_serials "$S2" 15 knot1
expect_log "IXFR across the bad row: answered with the whole zone" primary \
    "journal holds a record no transfer may send.*whole zone"
expect_axfr_show "AXFR whole again, equal to hpagent show" $P $PPORT "$ZONE" \
    "$PRI_CONF" -b "$CLIENT_ADDR" -y "$(key_y $K)"
expect_eq "/metrics: hpagent_zone_broken 0" 0 "$(metric hpagent_zone_broken)"
finish_primary
