#!/bin/sh
# interop_refused.sh -- secondaries that refuse the primary: a Knot that
# does not know the key of its notify: entry (it answers NOTIFYs and SOA
# queries NOTAUTH, TSIG error BADKEY) and an NSD whose allow-notify: names
# another primary (it answers NOTIFYs REFUSED and, never loaded, SOA
# queries SERVFAIL). Their answers end the NOTIFY at once (no retries,
# not "no answer after 6 tries" half a minute later), are logged, and are
# the reason `hpagent status` gives, within seconds; `hpagent notify`
# reports them and exits 1 at once.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
hpagent_primary_only
plan 24

K=secretkey0 OTHER=otherkey
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
declare_key $OTHER hmac-sha256 "$(new_secret hmac-sha256)"
KN=127.0.5.91 KP=30821 NS=127.0.5.92 NP=30822
add_secondary knot_nokey $KN $KP $K
add_secondary nsd_noacl $NS $NP $K
add_client 127.0.5.99 $K

if ! start_primary 127.0.5.90 30820; then
	fail "the $PRIMARY primary serves $ZONE on 127.0.5.90@30820"; exit 1
fi
ok "the $PRIMARY primary serves $ZONE on 127.0.5.90@30820"
# Knot knows only OTHER: our NOTIFYs and SOA queries come with an unknown
# key (and its transfers, signed with OTHER, are refused by us).
check "knot_nokey starts (it knows another key)" start_knot_secondary \
    knot_nokey $KN $KP 127.0.5.90 30820 $OTHER hmac-sha256 \
    "$(key_secret $OTHER)" "$ZONE"
# NSD's allow-notify: and request-xfr: name 127.0.5.98, not us.
check "nsd_noacl starts (allow-notify: for another primary)" \
    start_nsd_secondary nsd_noacl $NS $NP 127.0.5.98 30820 $K hmac-sha256 \
    "$(key_secret $K)" "$ZONE"

zone_add "refused	IN	A	192.0.2.55"
if publish; then ok "the primary publishes serial $NEW_SERIAL"
else fail "the primary publishes the change"; log_tail primary; fi
S2=$NEW_SERIAL
t0=$(now_ms)
expect_status_json "status: knot_nokey refused, NOTIFY of $S2 answered NOTAUTH (within 5 s)" \
    5 $KN@$KP "S['state'] == 'refused' and \
'NOTIFY of serial $S2 answered NOTAUTH' in S['reason']"
expect_status_json "status: nsd_noacl refused, NOTIFY of $S2 answered REFUSED (within 5 s)" \
    5 $NS@$NP "S['state'] == 'refused' and \
'NOTIFY of serial $S2 answered REFUSED' in S['reason']"
el=$(( $(now_ms) - t0 ))
expect_le "both reasons shown within 5 s of the publish (not after 31 s of retries)" \
    "$el" 5000
expect_status_json "status: knot_nokey's own SOA answer: NOTAUTH, TSIG error BADKEY" \
    5 $KN@$KP "'SOA query answered NOTAUTH (TSIG error BADKEY)' in S['reason'] \
and S['serial'] is None"
expect_status_json "status: nsd_noacl serves no zone (SOA query answered SERVFAIL)" \
    5 $NS@$NP "'SERVFAIL' in S['reason'] and S['serial'] is None"
expect_status_json "status --json: knot_nokey's NOTIFY error" 5 $KN@$KP \
    "S['notify_error'].startswith('answered NOTAUTH') and S['notify_serial'] == $S2 \
and S['notify_acked'] is None"
expect_status "hpagent status: knot_nokey refused, NOTIFY failed" $KN@$KP - \
    " refused .* $S2 failed .*NOTAUTH"
expect_status "hpagent status: nsd_noacl refused, NOTIFY failed" $NS@$NP - \
    " refused .* $S2 failed .*REFUSED"
expect_log "the primary logged knot_nokey's NOTAUTH" primary \
    "NOTIFY $ZONE serial $S2 to $KN@$KP answered NOTAUTH"
expect_log "the primary logged nsd_noacl's REFUSED" primary \
    "NOTIFY $ZONE serial $S2 to $NS@$NP answered REFUSED"
n=$(grep -c "NOTIFY $ZONE serial $S2 to .* sent" "$T/primary.log")
expect_eq "one NOTIFY of $S2 sent to each: an error answer is not retried" 2 "$n"
n=$(grep -c "no answer after" "$T/primary.log")
expect_eq "no NOTIFY reported as unanswered" 0 "$n"
# The peers' own word for it: Knot answers a query signed with that key
# NOTAUTH, BADKEY (kdig); NSD logs the NOTIFY it refused.
kdig -y "$(key_y $K)" @$KN -p $KP +timeout=2 +retry=0 "$ZONE" SOA \
    > "$T/kdig_knot.out" 2>&1
expect_grep "knot_nokey answers kdig's query with our key NOTAUTH, BADKEY" \
    "TSIG.* BADKEY" "$T/kdig_knot.out"
expect_log "nsd_noacl refused the NOTIFY itself" nsd_noacl \
    "notify.*(refused|REFUSED)|(refused|REFUSED).*notify"

# hpagent notify: the answers at once, exit 1.
t0=$(now_ms)
"$HPAGENT" -c "$PRI_CONF" notify "$ZONE" > "$T/notify.out" 2>&1
rc=$?
el=$(( $(now_ms) - t0 ))
expect_eq "hpagent notify: exit 1" 1 "$rc"
expect_le "hpagent notify: done in 3 s (error answers end the retries)" "$el" 3000
expect_grep "hpagent notify: knot_nokey answered NOTAUTH" \
    "$KN@$KP serial $S2: failed: answered NOTAUTH" "$T/notify.out"
expect_grep "hpagent notify: nsd_noacl answered REFUSED" \
    "$NS@$NP serial $S2: failed: answered REFUSED" "$T/notify.out"
finish_primary
