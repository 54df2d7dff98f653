#!/bin/sh
# interop_zones.sh -- three zones on one primary, the same NSD, Knot and
# BIND secondaries for all: NOTIFY is per zone x secondary. A change to one
# zone reaches every secondary and NOTIFYs only for that zone; two zones
# changed together both arrive; `hpagent status` lists zone x secondary.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 49

EXTRA_ZONES="second.test. third.test."
K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd_z 127.0.5.71 30781 $K
add_secondary knot_z 127.0.5.72 30782 $K
add_secondary bind_z 127.0.0.1 30783 $K
add_client 127.0.5.79 $K
SECS="nsd_z knot_z bind_z"

if ! start_primary 127.0.5.70 30780; then
	fail "the $PRIMARY primary serves $(all_zones) on 127.0.5.70@30780"; exit 1
fi
ok "the $PRIMARY primary serves $(all_zones) on 127.0.5.70@30780"
check "nsd_z starts" start_secondary nsd nsd_z
check "knot_z starts" start_secondary knot knot_z
check "bind_z starts" start_secondary bind bind_z
for z in $(all_zones); do
	with_zone $z expect_serials "$(with_zone $z primary_serial)" 15 $SECS
done
S_ex=$(with_zone example.test. primary_serial)
S_th=$(with_zone third.test. primary_serial)

# One zone changes.
sleep 1	# let the start-up NOTIFYs settle
notifies() { # NAME ZONE: how many NOTIFYs for ZONE the NSD secondary logged
	grep -c "notify for $2 from" "$(eval echo \$LOG_$1)"; }
n_ex=$(notifies nsd_z example.test.) n_th=$(notifies nsd_z third.test.)
with_zone second.test. zone_add "only2	IN	A	192.0.2.2"
if with_zone second.test. publish; then ok "the primary publishes second.test. (serial $NEW_SERIAL)"
else fail "the primary publishes second.test."; fi
S2=$NEW_SERIAL
with_zone second.test. expect_serials "$S2" 15 $SECS
for s in $SECS; do
	expect_rr "$s answers only2.second.test." $s only2.second.test. A 192.0.2.2
done
sleep 1
for s in $SECS; do
	eval "addr=\$ADDR_$s port=\$PORT_$s"
	expect_eq "$s still serves example.test. at $S_ex, third.test. at $S_th" \
	    "$S_ex $S_th" "$(soa_serial $addr $port example.test.) $(soa_serial $addr $port third.test.)"
done
expect_eq "nsd_z got a NOTIFY for second.test. only (example., third. unchanged)" \
    "$n_ex $n_th" "$(notifies nsd_z example.test.) $(notifies nsd_z third.test.)"
expect_log "nsd_z got the NOTIFY for second.test. serial $S2" nsd_z \
    "notify for second.test. from $PRI_ADDR serial $S2"

# Two zones change together.
with_zone example.test. zone_add "both	IN	A	192.0.2.3"
with_zone third.test. zone_add "both	IN	A	192.0.2.3"
case $PRIMARY in
hpagent)
	check "hpagent import of example.test. and third.test." sh -c \
	    '"$1" -c "$2" import example.test. && "$1" -c "$2" import third.test.' \
	    - "$HPAGENT" "$PRI_CONF"
	;;
knot)
	with_zone example.test. bump_serial "$T/primary/example.test.zone"
	with_zone third.test. bump_serial "$T/primary/third.test.zone"
	check "knotc zone-reload of two zones" knotc -s "$T/primary/knot.sock" zone-reload ;;
esac
third_moved() { [ "$(with_zone third.test. primary_serial)" != "$S_th" ]; }
wait_for 10 third_moved || diag "third.test. still at $S_th on the primary"
for z in example.test. third.test.; do
	s=$(with_zone $z primary_serial)
	with_zone $z expect_serials "$s" 15 $SECS
	for d in $SECS; do
		expect_rr "$d answers both.$z" $d both.$z A 192.0.2.3
	done
done

# hpagent status: one line per zone x secondary, all in sync.
for z in $(all_zones); do
	s=$(with_zone $z primary_serial)
	for a in 127.0.5.71 127.0.5.72 127.0.0.1; do
		with_zone $z expect_status "hpagent status: $z at $a in sync at $s" \
		    $a "$s" in-sync
	done
done

finish_primary
