#!/bin/sh
# DNS TCP slots against someone who reaches port 53 (the daemon's
# defaults: tcp-count: 256, tcp-count-per-address: 32, 5 s for a query):
#   - 256 connections from an address no provide-xfr:/notify: names, each
#     sending one octet, are closed at accept: a listed secondary's AXFR
#     goes through meanwhile, at once;
#   - from a listed address, 32 connections at most; the ones over are
#     closed at once;
#   - a query begun must arrive whole within 5 s: connections that sent
#     one octet are closed then, whatever more they trickle.
# The figures: docs/ROBUSTNESS.md, "Listeners under attack".
. "$(dirname "$0")/../lib.sh"
plan 10
P=127.0.16.51 PORT=33151 SEC=127.0.16.52 LISTED=127.0.16.53 STRANGER=127.0.16.59
D=$T/hp
mkdir -p "$D"
. "$TOP/tests/scenario/lib_listeners.sh"
small_zone example.test 2000 > "$D/z.zone"
listener_conf "$D/agent.conf" "verbosity: 2" <<EOC
zone:
	name: example.test
	zonefile: "$D/z.zone"
	provide-xfr: $SEC NOKEY
	provide-xfr: $LISTED NOKEY
EOC
"$HPAGENT" -c "$D/agent.conf" import example.test > /dev/null || bail "initial import"
bg hp "$HPAGENT" -c "$D/agent.conf" serve
wait_for 10 sh -c "kdig @$P -p $PORT -b $SEC +timeout=1 +retry=0 example.test SOA | grep -q NOERROR" &&
    ok "the daemon answers" || { fail "the daemon answers"; exit 1; }

# 256 one-octet connections from an unlisted address, held 8 s.
$RAW $P $PORT idle 256 8 $STRANGER 00 > "$T/stranger" &
SP=$!
wait_for 12 grep -q opened= "$T/stranger"
sleep 1
expect_axfr_show "a listed secondary's AXFR during 256 connections from an unlisted address: complete within 2 s" \
    $P $PORT example.test "$D/agent.conf" -b $SEC +timeout=2
check "... while they were still held" kill -0 $SP
wait $SP
expect_eq "the unlisted address's 256 connections were closed at once" "closed=256" "$(grep closed= "$T/stranger")"
check "refusals logged (rate-limited)" grep -q "TCP connection from $STRANGER refused: not in any provide-xfr:, notify: or allow-update: list" "$D/hp.log"
expect_le "... not one line each" "$(grep -c "from $STRANGER refused" "$D/hp.log")" 20

# A listed address: 40 connections, each one octet of a query; 32 kept
# (tcp-count-per-address:), then cut when their query is not whole 5 s on.
t0=$(date +%s)
$RAW $P $PORT idle 40 8 $LISTED 00 > "$T/listed" &
LP=$!
wait_for 12 grep -q opened= "$T/listed"
sleep 1
expect_axfr_show "the secondary's AXFR meanwhile: complete within 2 s" \
    $P $PORT example.test "$D/agent.conf" -b $SEC +timeout=2
wait $LP
expect_eq "40 half queries from a listed address: all closed within 9 s (8 over the per-address limit at once, 32 at the 5 s query deadline)" \
    "closed=40" "$(grep closed= "$T/listed")"
check "... per-address refusals logged" grep -q "TCP connection from $LISTED refused: 32 open from it" "$D/hp.log"
check "... the 5 s deadline logged" grep -q "TCP from $LISTED: query not received in full within 5000 ms" "$D/hp.log"
