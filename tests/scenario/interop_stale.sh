#!/bin/sh
# interop_stale.sh -- secondaries that transfer a serial but will not
# load it: NSD with size-limit-xfr:, Knot with zone-max-size:, BIND with
# max-records, all smaller than the zone after a change that adds 200
# records. Each takes the transfer from hpagent and keeps serving the old
# serial: its own SOA answer says so. With sync-timeout: 3, `hpagent
# status` shows each one stale ("transferred but not serving", with the
# transfer's kind and size), and `hpagent wait` fails within the
# sync-timeout instead of waiting out its own timeout. An NSD without a
# limit beside them is in sync.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
SMALL="nsd_small knot_small bind_small"
hpagent_primary_only
plan $((15 + 6 * 3 + 8))
SYNC=3
AGENT_SERVER_EXTRA="	sync-timeout: $SYNC"
K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd_ok 127.0.5.81 30811 $K
add_secondary nsd_small 127.0.5.82 30812 $K
add_secondary knot_small 127.0.5.83 30813 $K
add_secondary bind_small 127.0.0.1 30814 $K
add_client 127.0.5.89 $K

if ! start_primary 127.0.5.80 30810; then
	fail "the $PRIMARY primary serves $ZONE on 127.0.5.80@30810"; exit 1
fi
ok "the $PRIMARY primary serves $ZONE on 127.0.5.80@30810"
S1=$(primary_serial)
check "nsd_ok starts" start_secondary nsd nsd_ok
# The zone is about 2 KB now; after the change about 24 KB.
SEC_EXTRA="	size-limit-xfr: 8000" check "nsd_small starts (size-limit-xfr: 8000)" \
    start_secondary nsd nsd_small
SEC_EXTRA="    zone-max-size: 8000" check "knot_small starts (zone-max-size: 8000)" \
    start_secondary knot knot_small
SEC_EXTRA="	max-records 100;" check "bind_small starts (max-records 100)" \
    start_secondary bind bind_small
expect_serials "$S1" 15 nsd_ok $SMALL

zone_add_many 200 big
if publish; then ok "the primary publishes serial $NEW_SERIAL (+200 TXT records)"
else fail "the primary publishes the change"; log_tail primary; fi
S2=$NEW_SERIAL
t0=$(date +%s)
"$HPAGENT" -c "$PRI_CONF" wait "$ZONE" --timeout 60 > "$T/wait.out" 2>&1
rc=$?
el=$(( $(date +%s) - t0 ))
expect_eq "hpagent wait fails (exit 1)" 1 "$rc"
# Not before the sync-timeout: the transfers went out at once, and a
# secondary gets that long to serve what it transferred.
expect_le "hpagent wait fails once the sync-timeout ($SYNC s) passed, not earlier" \
    "$SYNC" "$el"
expect_le "hpagent wait fails within the sync-timeout + 5 s, not at its own 60 s" \
    "$el" $((SYNC + 5))
[ "$rc" = 1 ] || sed 's/^/# diag:   /' "$T/wait.out"
expect_grep "hpagent wait says why" "stale \\(serves [0-9]+\\): transferred but not serving" \
    "$T/wait.out"
expect_serial "nsd_ok serves serial $S2" nsd_ok "$S2" 10

for s in $SMALL; do
	eval "a=\$ADDR_$s@\$PORT_$s"
	# (wait ends at the first stale one: the others may still be behind
	# then, in the last second of their sync-timeout)
	expect_grep "hpagent wait lists $s, serving $S1" \
	    "^  $a (stale|behind) \\(serves $S1\\)" "$T/wait.out"
	expect_serial "$s still serves serial $S1 (it did not load $S2)" $s "$S1" 1
	expect_status "hpagent status: $s serves $S1, stale" "$a" "$S1" \
	    " stale .*transferred but not serving"
	expect_status_json "status --json: $s's last transfer is serial $S2, its kind and size" \
	    5 "$a" "S['state'] == 'stale' and S['last_transfer']['serial'] == $S2 \
and S['last_transfer']['type'] in ('IXFR', 'AXFR') and S['last_transfer']['bytes'] > 8000"
	expect_status_json "status --json: $s's reason names the transfer" 5 "$a" \
	    "'transferred but not serving' in S['reason'] and '$S2' in S['reason'] \
and 'bytes' in S['reason']"
	expect_status_json "status --json: $s's serial is $S1 (its SOA answer)" \
	    5 "$a" "S['serial'] == $S1 and S['last_probe'] is not None"
done
# Each got the transfer: it says so itself.
expect_log "nsd_small refused the transfer over its limit" nsd_small \
    "transferred zone data was too large"
expect_log "knot_small refused the transfer over its limit" knot_small \
    "zone size exceeded"
expect_log "bind_small refused the transfer over its limit" bind_small \
    "too many records"
expect_status "hpagent status: nsd_ok in sync at $S2" 127.0.5.81@30811 "$S2" \
    " in-sync "
expect_status_json "status --json: nsd_ok has no reason" 5 127.0.5.81@30811 \
    "S['reason'] is None and S['serial'] == $S2"
expect_log "the primary logged each stale one" primary \
    "secondary 127\\.0\\.0\\.1@30814 stale: transferred but not serving"
finish_primary
