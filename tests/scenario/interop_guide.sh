#!/bin/sh
# interop_guide.sh -- the hidden primary at work, as in the NSD
# primary/secondary guide: the primary (ns3, $PRIMARY: hpagent or knot)
# feeds an NSD secondary asking for AXFR, an NSD secondary asking for IXFR,
# a Knot secondary, a BIND secondary and an NSD secondary asking for IXFR
# over UDP first (request-xfr: UDP), all with TSIG key secretkey0.
# Every secondary serves the zone; after a change (hpagent import, or for
# knot a serial bump + zone-reload) every one serves the new record within
# 15 s, and the IXFR-capable ones got it by IXFR; then 3000 records more
# (multi-message transfers), and `hpagent status` sees everyone in sync.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 63

K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd_axfr 127.0.5.11 30601 $K
add_secondary nsd_ixfr 127.0.5.12 30602 $K
add_secondary knot1 127.0.5.13 30603 $K
add_secondary bind1 127.0.0.1 30604 $K
add_secondary nsd_udp 127.0.5.14 30605 $K
add_client 127.0.5.19 $K
SECS="nsd_axfr nsd_ixfr knot1 bind1 nsd_udp"

if ! start_primary 127.0.5.10 30600; then
	fail "the $PRIMARY primary serves $ZONE on 127.0.5.10@30600"; exit 1
fi
ok "the $PRIMARY primary serves $ZONE on 127.0.5.10@30600"
S1=$(primary_serial)

check "nsd_axfr starts (request-xfr: AXFR)" start_secondary nsd nsd_axfr AXFR
check "nsd_ixfr starts (request-xfr: without AXFR)" start_secondary nsd nsd_ixfr
check "knot1 starts" start_secondary knot knot1
check "bind1 starts" start_secondary bind bind1
check "nsd_udp starts (request-xfr: UDP, IXFR over UDP first)" \
    start_secondary nsd nsd_udp UDP

expect_serials "$S1" 15 $SECS
for s in $SECS; do
	expect_rr "$s answers www A" $s "www.$ZONE" A 192.0.2.10
done
got=$(dig @127.0.0.1 -p 30604 +time=1 +tries=1 +short "mail.$ZONE" A 2>&1)
expect_eq "dig gets bind1's answer for mail A" 192.0.2.25 "$got"
expect_log "nsd_axfr verified the transfer with secretkey0" nsd_axfr \
    "TSIG verified with key secretkey0"

# The change: one record more.
zone_add "new	IN	A	192.0.2.99"
if publish; then ok "the primary publishes serial $NEW_SERIAL (was $OLD_SERIAL)"
else fail "the primary publishes the change"; log_tail primary; fi
S2=$NEW_SERIAL

expect_serials "$S2" 15 $SECS
for s in $SECS; do
	expect_rr "$s answers the new record" $s "new.$ZONE" A 192.0.2.99
done

# hpagent status follows each transfer (nsd_udp's came over UDP).
for s in nsd_axfr:127.0.5.11 nsd_ixfr:127.0.5.12 knot1:127.0.5.13 \
    bind1:127.0.0.1 nsd_udp:127.0.5.14; do
	expect_status "hpagent status: ${s%%:*} (${s#*:}) in sync at $S2" \
	    "${s#*:}" "$S2" "in-sync"
done

# The NOTIFY came from the primary's listening address, signed.
expect_log "nsd_ixfr accepted the NOTIFY of $S2 from $PRI_ADDR" nsd_ixfr \
    "notify for $ZONE from $PRI_ADDR serial $S2"
expect_log "knot1 accepted the NOTIFY of $S2 from $PRI_ADDR" knot1 \
    "notify, incoming, remote $PRI_ADDR@[0-9]+, serial $S2"
expect_log "bind1 accepted the signed NOTIFY of $S2 from $PRI_ADDR" bind1 \
    "notify from $PRI_ADDR#[0-9]+: serial $S2"

# How each got it: the IXFR-capable ones incrementally. Knot says so; BIND
# counts the records (an IXFR of one addition: 4 SOA + 1); NSD logs only
# the size, which for the IXFR one must be well under the AXFR one's.
expect_log "knot1 received serial $S2 by IXFR" knot1 \
    "IXFR, incoming, remote $PRI_ADDR@$PRI_PORT, finished"
a=$(bind_xfr_records bind1 "$S1") i=$(bind_xfr_records bind1 "$S2")
expect_lt "bind1 received serial $S2 by IXFR ($i records; AXFR of $S1: $a)" \
    "$i" "$a"
[ -n "$i" ] && [ "$i" -lt "$a" ] 2>/dev/null || log_tail bind1 25
a=$(nsd_xfr_bytes nsd_axfr "$S2")
for s in nsd_ixfr nsd_udp; do
	i=$(nsd_xfr_bytes $s "$S2")
	expect_lt "$s received serial $S2 by IXFR ($i bytes; nsd_axfr: $a)" \
	    "$i" "$a"
	[ -n "$i" ] && [ "$i" -lt "$a" ] 2>/dev/null || { log_tail $s; log_tail nsd_axfr; }
done

# A large change: 3000 records (~300 kB), so the IXFR (and nsd_axfr's
# AXFR) spans several messages, each signed (RFC 8945 5.3.1).
zone_add_many 3000 big
if publish; then ok "the primary publishes 3000 more records as serial $NEW_SERIAL"
else fail "the primary publishes 3000 more records"; log_tail primary; fi
S3=$NEW_SERIAL
expect_serials "$S3" 20 $SECS
for s in $SECS; do
	expect_rr "$s answers the last of the 3000" $s "big3000.$ZONE" TXT \
	    '"record 3000 of 3000, padded to span several DNS messages in one transfer"'
done
expect_log "knot1 received the large change by IXFR" knot1 \
    "IXFR, incoming, remote $PRI_ADDR@$PRI_PORT, finished, .*, ([2-9]|[1-9][0-9]+) messages"
m=$(sed -n "s/.*Transfer completed: \([0-9]*\) messages, .*(serial $S3).*/\1/p" \
    "$LOG_bind1" | tail -n 1)
expect_lt "bind1 received the large change in several messages (${m:-none})" 1 "$m"

# The primary's side: nsd_axfr (request-xfr: AXFR) got AXFR, never IXFR.
# Both knotd and hpagent log "AXFR ... 127.0.5.11 ... serial N".
if grep AXFR "$T/primary.log" | grep -F 127.0.5.11 | grep -qw "serial $S2" &&
    ! grep IXFR "$T/primary.log" | grep -qF 127.0.5.11; then
	ok "the primary sent nsd_axfr serial $S2 by AXFR, never IXFR"
else fail "the primary sent nsd_axfr serial $S2 by AXFR, never IXFR"
	grep -F 127.0.5.11 "$T/primary.log" | tail -n 8 | sed 's/^/# diag:   /'
fi

# No transfer was cut short (hpagent logs "... aborted"; knotd never says it).
n=$(grep -c 'aborted' "$T/primary.log")
expect_eq "the primary logged no aborted transfer" 0 "$n"
[ "$n" = 0 ] || grep aborted "$T/primary.log" | head -n 5 | sed 's/^/# diag:   /'

# The primary knows where each secondary is.
for s in nsd_axfr:127.0.5.11 nsd_ixfr:127.0.5.12 knot1:127.0.5.13 \
    bind1:127.0.0.1 nsd_udp:127.0.5.14; do
	expect_status "hpagent status: ${s%%:*} (${s#*:}) in sync at $S3" \
	    "${s#*:}" "$S3" "in-sync"
done

finish_primary
