#!/bin/sh
# interop_watch.sh -- commits of other processes are seen at once: with the
# daemon's poll slowed to a minute (HPAGENT_POLL_MS), an `hpagent import`
# from the command line and a direct SQL edit each reach a real NSD
# secondary within 3 s: the daemon watches the WAL (inotify), not only
# its poll. And an IXFR asked the moment such a commit returns gets that
# commit: the IXFRs the daemon keeps go out without a read of the
# database only once every commit is known to its scan.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 21

K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd_watch 127.0.5.81 30791 $K
add_client 127.0.5.89 $K

export HPAGENT_POLL_MS=60000
if ! start_primary 127.0.5.80 30790; then
	fail "the hpagent primary serves $ZONE on 127.0.5.80@30790"; exit 1
fi
check "nsd_watch starts" start_secondary nsd nsd_watch
expect_serials "$(primary_serial)" 15 nsd_watch
grep -q "not watched" "$T/primary.log" && diag "$(grep 'not watched' "$T/primary.log")"
check "the daemon watches the database (no 'not watched' line)" \
    sh -c "! grep -q 'not watched' '$T/primary.log'"

# 1. the command line: a zone file imported by cron
zone_add "cron1	IN	A	192.0.2.201"
check "hpagent import (another process) publishes" publish
expect_serials "$NEW_SERIAL" 3 nsd_watch

# 2. a direct SQL edit: published by the daemon itself
OLD_SERIAL=$NEW_SERIAL
sqlite3 "$T/primary/hpagent.db" "PRAGMA busy_timeout=5000; INSERT INTO records
    (zone_id, owner, type, class, ttl, rdata) SELECT id, 'sql1.$ZONE', 1, 1,
    300, x'c00002ca' FROM zones WHERE name = '$ZONE'" 2> "$T/sql.err"
check "a direct SQL insert" test ! -s "$T/sql.err"
check "the daemon publishes the SQL edit within 3 s" wait_for 3 serial_moved
NEW_SERIAL=$(primary_serial)
expect_serials "$NEW_SERIAL" 3 nsd_watch
expect_rr "nsd_watch answers the SQL edit" nsd_watch "sql1.$ZONE" A 192.0.2.202

# 2b. a direct SQL edit, and at once another writer holding the database
# for 0.6 s (its transaction writes nothing, so no WAL event follows): the
# daemon's first try finds it busy and tries again until it gets through
OLD_SERIAL=$NEW_SERIAL
printf '%s\n' "PRAGMA busy_timeout=5000;" "INSERT INTO records (zone_id, owner,
    type, class, ttl, rdata) SELECT id, 'sql2.$ZONE', 1, 1, 300, x'c00002cb'
    FROM zones WHERE name = '$ZONE';" "BEGIN IMMEDIATE;" ".shell sleep 0.6" \
    "COMMIT;" | sqlite3 "$T/primary/hpagent.db" > /dev/null 2> "$T/sql2.err"
check "a direct SQL insert, then the database held by another writer" \
    test ! -s "$T/sql2.err"
check "the daemon publishes it within 3 s all the same" wait_for 3 serial_moved
NEW_SERIAL=$(primary_serial)
expect_serials "$NEW_SERIAL" 3 nsd_watch
expect_rr "nsd_watch answers it" nsd_watch "sql2.$ZONE" A 192.0.2.203

# 3. an IXFR from the serial before last, asked the moment an import
# returns (dnsq -x: connected first, the query sent as soon as the import
# exits, before the daemon could look at the WAL): the new version, not
# the answer kept for the version before. Three rounds.
DNSQ=$BUILD/tests/tools/dnsq
# ixfr_to SERIAL [CMD]: the serial an IXFR from SERIAL brings (its first SOA)
ixfr_to() {
	"$DNSQ" -s 127.0.5.89 -y "$(key_y $K)" -T 5 ${2:+-x "$2"} \
	    "$PRI_ADDR" "$PRI_PORT" "$ZONE" IXFR "$1" 2>> "$T/dnsq.err" |
	    awk '$3 == "SOA" && $4 == "serial" { print $5; exit }'
}
for i in 1 2 3; do
	got=$(ixfr_to "$OLD_SERIAL")
	[ -n "$got" ] || diag "dnsq: $(tail -3 "$T/dnsq.err" | tr "\n" " ")"
	check "round $i: IXFR from $OLD_SERIAL brings $NEW_SERIAL (kept now)" \
	    test "$got" = "$NEW_SERIAL"
	zone_add "race$i	IN	A	192.0.2.21$i"
	got=$(ixfr_to "$OLD_SERIAL" "'$HPAGENT' -c '$PRI_CONF' import $ZONE >> '$T/import.log' 2>&1")
	now=$(primary_serial)
	if [ -n "$got" ] && [ "$got" = "$now" ] && [ "$got" != "$NEW_SERIAL" ]; then
		ok "round $i: the same IXFR right after an import brings its serial $now"
	else
		fail "round $i: the same IXFR right after an import brings its serial $now, not '$got'"
	fi
	OLD_SERIAL=$NEW_SERIAL NEW_SERIAL=$now
done

finish_primary
