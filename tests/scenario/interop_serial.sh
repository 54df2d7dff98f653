#!/bin/sh
# interop_serial.sh -- the serial wraps (RFC 1982): a zone published at
# 4294967294 changes three times (4294967295, 0, 1 under the increment
# policy); NSD, Knot and BIND secondaries follow every step by IXFR.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 41

K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd_wrap 127.0.5.61 30771 $K
add_secondary knot_wrap 127.0.5.62 30772 $K
add_secondary bind_wrap 127.0.0.1 30773 $K
add_client 127.0.5.69 $K
SECS="nsd_wrap knot_wrap bind_wrap"

INITIAL_SERIAL=4294967294
if ! start_primary 127.0.5.60 30770; then
	fail "the $PRIMARY primary serves $ZONE on 127.0.5.60@30770"; exit 1
fi
S=$(primary_serial)
expect_eq "the $PRIMARY primary serves the zone file's serial" 4294967294 "$S"
check "nsd_wrap starts" start_secondary nsd nsd_wrap
check "knot_wrap starts" start_secondary knot knot_wrap
check "bind_wrap starts" start_secondary bind bind_wrap
expect_serials "$S" 15 $SECS

for want in 4294967295 0 1; do
	zone_add "wrap$want	IN	A	192.0.2.200"
	if publish; then ok "the primary publishes a change after serial $OLD_SERIAL"
	else fail "the primary publishes a change after serial $OLD_SERIAL"; fi
	expect_eq "serial $OLD_SERIAL is followed by $want" "$want" "$NEW_SERIAL"
	expect_serials "$NEW_SERIAL" 15 $SECS
	for s in $SECS; do
		expect_rr "$s answers wrap$want" $s "wrap$want.$ZONE" A 192.0.2.200
	done
done

# Incremental all along: one AXFR (the first) per secondary.
n=$(grep -c "AXFR, incoming, remote $PRI_ADDR@$PRI_PORT, finished" "$LOG_knot_wrap")
expect_eq "knot_wrap took one AXFR, then IXFRs only" 1 "$n"
n=$(grep -c "IXFR, incoming, remote $PRI_ADDR@$PRI_PORT, finished" "$LOG_knot_wrap")
expect_eq "knot_wrap took three IXFRs" 3 "$n"
a=$(bind_xfr_records bind_wrap 4294967294)
for want in 4294967295 0 1; do
	i=$(bind_xfr_records bind_wrap $want)
	expect_lt "bind_wrap received serial $want by IXFR ($i records; AXFR: $a)" \
	    "$i" "$a"
done
a=$(nsd_xfr_bytes nsd_wrap 4294967294)
for want in 4294967295 0 1; do
	i=$(nsd_xfr_bytes nsd_wrap $want)
	expect_lt "nsd_wrap received serial $want by IXFR ($i bytes; AXFR: $a)" \
	    "$i" "$a"
done

finish_primary
