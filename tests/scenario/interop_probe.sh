#!/bin/sh
# interop_probe.sh -- the SOA probes against real secondaries:
#   - a Knot secondary restored from a backup to an older serial is seen
#     behind by the periodic probe (probe-interval: 2), which NOTIFYs it,
#     and it catches up (its own SOA refresh is an hour away);
#   - `hpagent wait` succeeds only once an NSD that verifies each update
#     before serving it (verify:, a verifier that takes 2 s) really serves
#     the serial, not when its transfer is done;
#   - a Knot that transfers from a second address of its own (via:) is
#     matched to its notify: entry by its key: no row for that address;
#   - kdig transfers from addresses no notify: entry names (signed with a
#     key several entries share, and unsigned) appear neither in `status`
#     nor in /metrics;
#   - a secondary dropped from notify: (SIGHUP) stays listed, marked, and
#     `hpagent secondary forget` removes it.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
hpagent_primary_only
plan 47

P=127.0.16.1 PP=30830 HP=30839
KB=127.0.16.2 KBP=30832	# knot_back: restored from a backup
NS=127.0.16.3 NSP=30833	# nsd_slow: serves an update 2 s after it
KV=127.0.16.4 KVP=30834	# knot_via: transfers from ...
VIA=127.0.16.5		# ... this address, with a key of its own
TOKEN=api-token-0123456789-$$
AGENT_SERVER_EXTRA="	probe-interval: 2
	http-listen: $P@$HP
	api-token: \"$TOKEN\""
K=secretkey0 KV2=viakey
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
declare_key $KV2 hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary knot_back $KB $KBP $K
add_secondary nsd_slow $NS $NSP $K
add_secondary knot_via $KV $KVP $KV2
add_client $VIA $KV2
add_client 127.0.16.9 $K
add_client 127.0.16.8 NOKEY

# The zone's SOA refresh is an hour: what catches a secondary up is
# hpagent, not the secondary's own timer.
mkdir -p "$T/primary"
render "$CONF_DIR/example.zone" "$T/primary/${ZONE}zone" ZONE="$ZONE"
awk '$3 == "SOA" && !d { $7 = 3600; $8 = 600; $9 = 86400; d = 1 } { print }' \
    "$T/primary/${ZONE}zone" > "$T/z" && mv "$T/z" "$T/primary/${ZONE}zone"
if ! start_primary $P $PP; then
	fail "the primary serves $ZONE on $P@$PP"; exit 1
fi
ok "the primary serves $ZONE on $P@$PP"
S1=$(primary_serial)
check "knot_back starts" start_secondary knot knot_back
# Its verifier (NSD's zone verification, verify:) takes 2 s: an update is
# served that long after its transfer.
SEC_SERVER_EXTRA="
verify:
	enable: yes
	ip-address: $NS
	port: 30838
	verify-zones: yes
	verifier-feed-zone: no
	verifier: /bin/sleep 2" check "nsd_slow starts (a verifier of 2 s)" \
    start_secondary nsd nsd_slow
# knot_via: its transfers and SOA checks leave from VIA (via:).
start_knot_via() {
	note_daemon knot_via $KV $KVP "$T/knot_via.log"
	render "$CONF_DIR/knot-secondary.conf" "$T/knot_via/knot.conf.in" \
	    DIR="$T/knot_via" LISTEN="$KV@$KVP" ADDR="$KV" PRIMARY="$P@$PP" \
	    PRIMARY_ADDR="$P" KEYNAME=$KV2 ALG=hmac-sha256 \
	    SECRET="$(key_secret $KV2)" ZONES="$ZONE" SEC_EXTRA= || return 1
	sed "s/via: $KV\$/via: $VIA/" "$T/knot_via/knot.conf.in" \
	    > "$T/knot_via/knot.conf"
	bg knot_via knotd -c "$T/knot_via/knot.conf"
	wait_daemon knot_via
}
check "knot_via starts (via: $VIA)" start_knot_via
expect_serials "$S1" 15 knot_back nsd_slow knot_via
H() { "$HPAGENT" -c "$PRI_CONF" "$@"; }
check "hpagent wait: all three serve $S1" H wait "$ZONE" --timeout 15

# ---- a transfer from a secondary's other address -------------------------
expect_log "knot_via transferred from $VIA" primary "XFR $ZONE serial $S1 to $VIA done"
expect_status_json "status: knot_via's transfer (from $VIA) is on its row" 5 \
    $KV@$KVP "S['state'] == 'in-sync' and S['last_transfer'] is not None \
and S['last_transfer']['serial'] == $S1"
expect_log "the primary says whose transfer it was" primary \
    "XFR to $VIA counted for $KV@$KVP \\(its key $KV2\\.?\\)"

# ---- transfers from addresses no notify: entry names ---------------------
kdig -b 127.0.16.9 -y "$(key_y $K)" @$P -p $PP +timeout=5 +retry=0 \
    "$ZONE" AXFR > "$T/axfr9.out" 2>&1
expect_kdig_show "kdig AXFR from 127.0.16.9 (key $K, shared by two entries)" \
    "$T/axfr9.out" "$ZONE" "$PRI_CONF"
kdig -b 127.0.16.8 @$P -p $PP +timeout=5 +retry=0 "$ZONE" AXFR \
    > "$T/axfr8.out" 2>&1
expect_kdig_show "kdig AXFR from 127.0.16.8 (no key)" "$T/axfr8.out" "$ZONE" \
    "$PRI_CONF"
expect_log "the primary logged the unlisted transfer" primary \
    "AXFR of serial $S1 to 127\\.0\\.16\\.8 \\(key none\\): no notify: entry names it; not listed"
expect_log "the primary logged the ambiguous one" primary \
    "AXFR of serial $S1 to 127\\.0\\.16\\.9 \\(key $K\\.?\\): 2 notify: entries could be it; recorded for none"
H status "$ZONE" > "$T/status1.out" 2>&1
check "status: no row for the kdig addresses nor for $VIA" \
    sh -c "! grep -E '127\\.0\\.16\\.(5|8|9)[@ ]' '$T/status1.out'"
expect_eq "status: the three secondaries, nothing else" 3 \
    "$(grep -c "^$ZONE " "$T/status1.out")"
curl -s -H "Authorization: Bearer $TOKEN" "http://$P:$HP/metrics" \
    > "$T/metrics1.txt"
expect_grep "metrics: knot_via in sync" \
    "^hpagent_secondary_in_sync\\{zone=\"$ZONE\",secondary=\"$KV@$KVP\"\\} 1\$" \
    "$T/metrics1.txt"
check "metrics: nothing of the kdig addresses nor of $VIA" \
    sh -c "! grep -E 'secondary=\"127\\.0\\.16\\.(5|8|9)[@\"]' '$T/metrics1.txt'"

# ---- a secondary restored from a backup ------------------------------------
stop_daemon knot_back
cp -a "$T/knot_back" "$T/knot_back.$S1"
check "knot_back starts again" restart_daemon knot_back
zone_add "back	IN	A	192.0.2.66"
if publish; then ok "the primary publishes serial $NEW_SERIAL"
else fail "the primary publishes serial $NEW_SERIAL"; fi
S2=$NEW_SERIAL
expect_serials "$S2" 15 knot_back nsd_slow knot_via
check "hpagent wait: all three serve $S2" H wait "$ZONE" --timeout 15
stop_daemon knot_back
rm -rf "$T/knot_back"
cp -a "$T/knot_back.$S1" "$T/knot_back"
mark=$(wc -l < "$T/primary.log")
check "knot_back starts again from its backup" restart_daemon knot_back
# It really went back: it says so itself.
expect_log "knot_back restarted from its backup: serial $S1" knot_back \
    "zone loaded from journal, serial $S1\$"
expect_serial "knot_back serves $S2 again (the probe found it behind)" \
    knot_back "$S2" 15
# ... and not by its own refresh timer (an hour): its first refresh
# since the restart follows our NOTIFY.
check "knot_back's refresh followed the NOTIFY of $S2, not its own timer" \
    awk -v s="$S2" '/notify, incoming.*serial / && $0 ~ ("serial " s "$") { n = 1 }
	/refresh, remote/ { if (!n) exit 1; r = 1 }
	END { exit !(n && r) }' "$T/knot_back.log"
tail -n +"$((mark + 1))" "$T/primary.log" > "$T/primary.after"
expect_grep "the probe saw knot_back behind ($S1)" \
    "secondary $KB@$KBP behind: serves $S1" "$T/primary.after"
expect_grep "... and sent it a NOTIFY" \
    "secondary $KB@$KBP is behind: NOTIFY" "$T/primary.after"
expect_grep "... which it acknowledged" \
    "NOTIFY $ZONE serial $S2 to $KB@$KBP acknowledged" "$T/primary.after"
expect_log "knot_back got the NOTIFY of $S2 after its restart" knot_back \
    "notify, incoming, remote $P.*serial $S2"
expect_status "status: knot_back in sync at $S2 again" $KB@$KBP "$S2" " in-sync "

# ---- wait: only once served -------------------------------------------------
zone_add "slow	IN	A	192.0.2.67"
mark=$(wc -l < "$T/primary.log")
if publish; then ok "the primary publishes serial $NEW_SERIAL"
else fail "the primary publishes serial $NEW_SERIAL"; fi
S3=$NEW_SERIAL
H wait "$ZONE" --timeout 20 > "$T/wait3.out" 2>&1
rc=$? tw=$(date +%s%N)
g=$(soa_serial $NS $NSP "$ZONE")
expect_eq "hpagent wait $S3: exit 0" 0 "$rc"
expect_eq "when hpagent wait returns, nsd_slow serves $S3" "$S3" "$g"
# The transfer's end, from the primary's log (its clock: ms of the day;
# an IXFR's one line says "IXFR Z A -> B to P done"), and when wait
# returned.
tx=$(tail -n +"$((mark + 1))" "$T/primary.log" |
    grep -E "XFR $ZONE (serial|[0-9]+ ->) $S3 to $NS done" | head -n 1 |
    sed -n 's/^[0-9-]*T\([0-9:.]*\)[-+Z][0-9:]* .*/\1/p' |
    awk -F: '{ printf "%d", ($1 * 3600 + $2 * 60 + $3) * 1000 }')
tn=$(date -d "@$((tw / 1000000000))" +%H:%M:%S | awk -F: -v ns=$((tw % 1000000000)) \
    '{ printf "%d", ($1 * 3600 + $2 * 60 + $3) * 1000 + ns / 1000000 }')
diag "nsd_slow: transfer of $S3 done at ${tx:-?} ms of the day, wait returned at $tn"
expect_le "hpagent wait returned 1.5 s or more after nsd_slow's transfer was done, not at it" \
    1500 "$(( tn - ${tx:-$tn} ))"

# ---- a secondary dropped from notify:, then forgotten --------------------
sed -i "/notify: $KV@$KVP /d" "$PRI_CONF"
eval "pid=\$PID_primary"
kill -HUP "$pid"
wait_for 10 grep -q "reloaded $PRI_CONF" "$T/primary.log"
expect_log "the reload drops knot_via from the probes" primary \
    "$KV@$KVP is no longer a notify: target"
expect_status "status: knot_via still listed, marked" $KV@$KVP "$S3" \
    "no longer a notify: target"
H secondary forget $KV@$KVP > "$T/forget.out" 2>&1
expect_eq "secondary forget $KV@$KVP: exit 0, one row" "0 $KV@$KVP: 1 row removed" \
    "$? $(cat "$T/forget.out")"
H status "$ZONE" > "$T/status2.out" 2>&1
check "status: knot_via gone" sh -c "! grep -q '$KV@$KVP' '$T/status2.out'"
H secondary forget $KV@$KVP > "$T/forget2.out" 2>&1
expect_eq "secondary forget again: exit 1 (no row)" 1 "$?"
H secondary forget $KB "$ZONE" > "$T/forget3.out" 2>&1
expect_grep "forget of a configured secondary: it says it comes back" \
    "$KB@$KBP is still a notify: target: listed again at its next probe" \
    "$T/forget3.out"
expect_status "status: knot_back listed again by the next probe" $KB@$KBP \
    "$S3" " in-sync "
finish_primary
