#!/bin/sh
# Soak: SOAK_N (default 1000) small publishes in a row while `hpagent
# serve` runs with two real secondaries (NSD and Knot, the guide's set-ups
# via lib_daemons.sh) and max-journal-versions: 50. Most publishes are
# `hpagent import` of the zone file with one RR changed; every 100th is a
# direct SQL edit of `records` that the daemon publishes itself. At the
# end: both secondaries serve the last serial, `hpagent status` shows both
# in sync, exactly 50 versions are kept with journal rows only for them,
# the daemon's RSS and fd count stayed bounded, its log has no error line.
# Loopback 127.0.13.x, ports 32100-32119.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib_daemons.sh"
plan 26
: "${SOAK_N:=1000}"
MAXV=50
P=127.0.13.10 PPORT=32100
N1=127.0.13.11 N1PORT=32101
K1=127.0.13.12 K1PORT=32102
ZONE=soak.test.
AGENT_SERVER_EXTRA="	max-journal-versions: $MAXV"
declare_key soakkey hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd1 $N1 $N1PORT soakkey
add_secondary knot1 $K1 $K1PORT soakkey
add_client 127.0.13.13 soakkey
start_primary $P $PPORT || { fail "primary starts"; exit 1; }
ok "primary starts"
check "nsd1 starts" start_secondary nsd nsd1
check "knot1 starts" start_secondary knot knot1
S0=$(primary_serial)
expect_serials "$S0" 20 nsd1 knot1

DB=$T/primary/hpagent.db
H() { "$HPAGENT" -c "$PRI_CONF" "$@"; }
sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$@"; }
pid=$PID_primary
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
# Warm-up: a few publishes so the daemon's steady state is what we compare.
for w in 1 2 3; do
	echo "warm$w IN A 198.51.100.$w" >> "$PRI_ZONEFILE"
	H import soak.test >> "$T/import.log" 2>&1 || diag "warm-up import $w failed"
done
wait_for 20 sh -c "[ \"\$(kdig @$N1 -p $N1PORT +short +timeout=1 +retry=0 soak.test SOA | awk '{print \$3}')\" = \"\$(sqlite3 '$DB' \"SELECT serial FROM zones WHERE name='soak.test.'\")\" ]"
RSS0=$(rss) FD0=$(fds)
diag "before: RSS $RSS0 kB, $FD0 fds"

# The loop: line "soak IN TXT N" changes each time (one RR removed, one
# added); every 100th change is an SQL UPDATE of that row instead.
# (The counter is n: lib.sh's wait_for uses a global i.)
base=$(cat "$PRI_ZONEFILE")
start=$(date +%s.%N)
fails=0 sqlpubs=0 maxrss=$RSS0 maxfd=$FD0
n=1
while [ $n -le "$SOAK_N" ]; do
	if [ $((n % 100)) = 50 ]; then
		# direct edit: the daemon publishes it (within a second)
		old=$(sql "SELECT serial FROM zones WHERE name = 'soak.test.'")
		hex=$(printf '%02x' ${#n})$(printf '%s' "$n" | od -An -tx1 | tr -d ' \n')
		sql "UPDATE records SET rdata = X'$hex'
		    WHERE zone_id = (SELECT id FROM zones WHERE name = 'soak.test.')
		    AND owner = 'soak.soak.test.' AND type = 16" || fails=$((fails + 1))
		wait_for 5 sh -c "[ \"\$(sqlite3 -cmd '.timeout 2000' '$DB' \"SELECT serial FROM zones WHERE name='soak.test.'\")\" != $old ]" ||
		    { fails=$((fails + 1)); diag "SQL edit $n not published by the daemon"; }
		sqlpubs=$((sqlpubs + 1))
		# keep the file in step with the database: imported, it
		# changes nothing (the source's change is the SQL edit's),
		# and the next change of the file is merged from there
		printf '%s\nsoak IN TXT "%s"\n' "$base" "$n" > "$PRI_ZONEFILE"
		old=$(sql "SELECT serial FROM zones WHERE name = 'soak.test.'")
		H -q import soak.test >> "$T/import.log" 2>&1 ||
		    { fails=$((fails + 1)); log_tail import.log 3; }
		[ "$(sql "SELECT serial FROM zones WHERE name = 'soak.test.'")" = "$old" ] ||
		    { fails=$((fails + 1)); diag "the file in step with SQL edit $n made a version"; }
	else
		printf '%s\nsoak IN TXT "%s"\n' "$base" "$n" > "$PRI_ZONEFILE"
		H -q import soak.test >> "$T/import.log" 2>&1 ||
		    { fails=$((fails + 1)); [ $fails -le 3 ] && log_tail import.log 3; }
	fi
	if [ $((n % 100)) = 0 ]; then
		r=$(rss) f=$(fds)
		[ "$r" -gt "$maxrss" ] && maxrss=$r
		[ "$f" -gt "$maxfd" ] && maxfd=$f
	fi
	n=$((n + 1))
done
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
diag "$SOAK_N publishes ($sqlpubs by SQL) in $secs s"
expect_eq "$SOAK_N publishes, none failed" 0 "$fails"
LAST=$(sql "SELECT serial FROM zones WHERE name = 'soak.test.'")
NV=$(sql "SELECT count(*) FROM versions v JOIN zones z ON z.id = v.zone_id WHERE z.name = 'soak.test.'")
expect_eq "the primary serves the last serial" "$LAST" "$(primary_serial)"
expect_serials "$LAST" 30 nsd1 knot1
expect_rr "nsd1 serves the last change" nsd1 soak.soak.test. TXT "\"$SOAK_N\""
expect_rr "knot1 serves the last change" knot1 soak.soak.test. TXT "\"$SOAK_N\""
expect_status "status: nsd1 in sync" $N1 "$LAST" 'in-sync'
expect_status "status: knot1 in sync" $K1 "$LAST" 'in-sync'

# The store keeps exactly max-journal-versions versions, and journal rows
# only for those (every kept version but the oldest has rows: one changed
# RR plus the two SOAs, 4 rows).
expect_eq "versions kept = max-journal-versions" $MAXV "$NV"
expect_eq "journal rows belong only to kept versions" 0 \
    "$(sql 'SELECT count(*) FROM journal WHERE version_id NOT IN (SELECT id FROM versions)')"
expect_eq "each kept version has its journal (4 rows each)" "$((MAXV * 4))" \
    "$(sql "SELECT count(*) FROM journal j JOIN versions v ON v.id = j.version_id JOIN zones z ON z.id = v.zone_id WHERE z.name = 'soak.test.'")"
expect_eq "the newest version is the last serial" "$LAST" \
    "$(sql "SELECT max(v.serial) FROM versions v JOIN zones z ON z.id = v.zone_id WHERE z.name = 'soak.test.'")"
expect_eq "no pending direct edits left" 0 "$(sql 'SELECT count(*) FROM pending')"
expect_eq "AXFR cache only for the current version" 1 \
    "$(sql 'SELECT count(DISTINCT version_id) FROM axfr_cache_done')"
# An IXFR from the oldest kept serial still works; one older than that
# falls back to AXFR.
OLDEST=$(sql "SELECT min(v.serial) FROM versions v JOIN zones z ON z.id = v.zone_id WHERE z.name = 'soak.test.'")
kdig_primary soak.test IXFR=$OLDEST +tcp > "$T/ixfr.out"
expect_eq "IXFR from the oldest kept serial is incremental ($((MAXV - 1)) deltas)" \
    "$((2 * (MAXV - 1) + 2))" "$(grep -c 'SOA' "$T/ixfr.out")"

RSS1=$(rss) FD1=$(fds)
diag "after: RSS $RSS1 kB (max seen $maxrss), $FD1 fds (max seen $maxfd)"
if [ "$UNDER_ASAN" = 1 ]; then
	skip "daemon RSS bounded (after < before + 8 MiB)" "under ASan (quarantine): $RSS0 -> $RSS1 KiB"
	skip "daemon RSS bounded (peak < before + 8 MiB)" "under ASan (quarantine): peak $maxrss KiB"
else
	expect_lt "daemon RSS bounded (after < before + 8 MiB)" "$RSS1" "$((RSS0 + 8192))"
	expect_lt "daemon RSS bounded (peak < before + 8 MiB)" "$maxrss" "$((RSS0 + 8192))"
fi
expect_lt "daemon fds bounded (peak <= before + 4)" "$maxfd" "$((FD0 + 5))"
# by level: an info line may name a secondary's SERVFAIL answer
if grep -E 'hpagent\[[0-9]*\]: error:|[Aa]ssert|[Aa]bort' "$LOG_primary" > "$T/errors" 2>/dev/null; then
	fail "no error lines in the daemon log"; head -5 "$T/errors" | sed 's/^/# diag:   /'
else ok "no error lines in the daemon log"; fi
finish_primary
