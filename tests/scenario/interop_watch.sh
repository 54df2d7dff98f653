#!/bin/sh
# interop_watch.sh -- commits of other processes are seen at once: with the
# daemon's poll slowed to a minute (HPAGENT_POLL_MS), an `hpagent import`
# from the command line and a direct SQL edit each reach a real NSD
# secondary within 3 s: the daemon watches the WAL (inotify), not only
# its poll.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 11

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

finish_primary
