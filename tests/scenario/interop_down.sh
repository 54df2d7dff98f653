#!/bin/sh
# interop_down.sh -- secondaries that are down when the zone changes get
# the new serial after they start again (NOTIFY retries or their own SOA
# refresh: the zone's refresh is 5 s, retry 2 s). One NSD, one Knot and one
# BIND secondary, each stopped after the first transfer. Then the primary
# is down while the zone changes: the secondaries get it when it is back.
# Last, they are down across more changes than the primary's history.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 52

# Short history, so that part 3 outruns it (knotd's minimum depth is 2).
AGENT_SERVER_EXTRA="	max-journal-versions: 2"
KNOT_ZONE_EXTRA="    journal-max-depth: 2"
K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd_down 127.0.5.41 30701 $K
add_secondary knot_down 127.0.5.42 30702 $K
add_secondary bind_down 127.0.0.1 30703 $K
add_client 127.0.5.49 $K
SECS="nsd_down knot_down bind_down"

if ! start_primary 127.0.5.40 30700; then
	fail "the $PRIMARY primary serves $ZONE on 127.0.5.40@30700"; exit 1
fi
ok "the $PRIMARY primary serves $ZONE on 127.0.5.40@30700"
S1=$(primary_serial)
check "nsd_down starts" start_secondary nsd nsd_down
check "knot_down starts" start_secondary knot knot_down
check "bind_down starts" start_secondary bind bind_down
expect_serials "$S1" 15 $SECS

# Each keeps what it has: NSD writes its zone file within a second.
wait_for 5 test -s "$T/nsd_down/${ZONE}zone" ||
    diag "nsd_down has not written its zone file (it will restart empty)"
for s in $SECS; do stop_daemon $s; done
if kdig @127.0.5.41 -p 30701 +timeout=1 +retry=0 "$ZONE" SOA 2>/dev/null |
    grep -q 'status: '; then fail "nsd_down is down (no answer at all)"
else ok "nsd_down is down (no answer at all)"; fi

zone_add "late	IN	A	192.0.2.77"
if publish; then ok "the primary publishes serial $NEW_SERIAL while they are down"
else fail "the primary publishes the change"; log_tail primary; fi
S2=$NEW_SERIAL
# Let the first NOTIFYs go unanswered.
sleep 2

for s in $SECS; do
	check "$s starts again" restart_daemon $s
done
expect_serials "$S2" 20 $SECS
for s in $SECS; do
	expect_rr "$s answers the record added while it was down" $s \
	    "late.$ZONE" A 192.0.2.77
done

# NSD kept serial 1 in its zone file, so what it fetched was incremental.
a=$(nsd_xfr_bytes nsd_down "$S1") i=$(nsd_xfr_bytes nsd_down "$S2")
expect_lt "nsd_down fetched serial $S2 by IXFR ($i bytes; AXFR of $S1: $a)" \
    "$i" "$a"
for s in nsd_down:127.0.5.41 knot_down:127.0.5.42 bind_down:127.0.0.1; do
	expect_status "hpagent status: ${s%%:*} (${s#*:}) in sync at $S2" \
	    "${s#*:}" "$S2" "in-sync"
done
# hpagent retries NOTIFY: the two that do not refresh on start by themselves
# acknowledge the NOTIFY of serial S2 once back.
for s in nsd_down bind_down; do
	eval "a=\$ADDR_$s@\$PORT_$s"
	expect_status_json "hpagent status: NOTIFY of $S2 to $s acked after its restart" \
	    5 "$a" "S['notify_serial'] == $S2 and S['notify_acked'] is not None"
done

# The primary down: the secondaries keep serving; the zone changes meanwhile
# (hpagent import needs no daemon); the primary back, every secondary gets
# the change (hpagent NOTIFYs at start; refresh otherwise).
stop_primary
sleep 1
for s in $SECS; do
	expect_serial "$s serves serial $S2 while the primary is down" $s "$S2" 1
done
zone_add "whiledown	IN	A	192.0.2.78"
check "the zone changes while the primary is down" publish_offline
if restart_primary; then ok "the primary starts again"
else fail "the primary starts again"; fi
S3=$(primary_serial)
expect_serials "$S3" 20 $SECS
for s in $SECS; do
	expect_rr "$s answers the record added while the primary was down" $s \
	    "whiledown.$ZONE" A 192.0.2.78
done

# Part 3: the secondaries down across three changes, more than the primary
# keeps (max-journal-versions: 2): back, they get the zone whole (AXFR, or
# an AXFR-style IXFR answer) and serve it.
for s in $SECS; do stop_daemon $s; done
for i in 1 2 3; do
	zone_add "gone$i	IN	A	192.0.2.8$i"
	if publish; then ok "the primary publishes change $i of 3 (serial $NEW_SERIAL)"
	else fail "the primary publishes change $i of 3"; fi
done
S6=$NEW_SERIAL
for s in $SECS; do check "$s starts again" restart_daemon $s; done
expect_serials "$S6" 20 $SECS
for s in $SECS; do
	expect_rr "$s answers the last of three changes beyond the history" \
	    $s "gone3.$ZONE" A 192.0.2.83
done
if [ "$PRIMARY" = knot ]; then
	skip "knot_down fetched the whole zone (AXFR-style IXFR or AXFR)" "knotd merges its history"
else
	expect_log "knot_down fetched the whole zone (AXFR-style IXFR or AXFR)" \
	    knot_down "(AXFR-style IXFR|AXFR, incoming, remote $PRI_ADDR@$PRI_PORT, finished)"
fi

finish_primary
