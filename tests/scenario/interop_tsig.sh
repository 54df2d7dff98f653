#!/bin/sh
# interop_tsig.sh -- TSIG against real clients: each of the six HMACs
# (md5, sha1, sha224, sha256, sha384, sha512) works with an NSD secondary
# and with kdig (AXFR, -y ALG:NAME:SECRET), sha224 with Knot, sha384 with
# BIND; a secondary with a wrong secret
# and one with a key the primary does not know get nothing, and the primary
# logs the refusal; a client not in provide-xfr: gets REFUSED.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 44

ALGS="md5 sha1 sha224 sha256 sha384 sha512"
CLIENT=127.0.5.29 STRANGER=127.0.5.39
n=1
for a in $ALGS; do
	declare_key k_$a hmac-$a "$(new_secret hmac-$a)"
	add_secondary nsd_$a 127.0.5.2$n 3065$n k_$a
	n=$((n + 1))
done
# Knot and BIND too, with the odd digest sizes.
add_secondary knot_sha224 127.0.5.30 30660 k_sha224
add_secondary bind_sha384 127.0.0.1 30661 k_sha384
add_secondary nsd_badsecret 127.0.5.27 30657 k_sha256
add_secondary nsd_unknownkey 127.0.5.28 30658 k_sha256
# The kdig client may use any of the six keys.
for a in sha256 $(echo "$ALGS" | sed 's/sha256//'); do add_client $CLIENT k_$a; done

if ! start_primary 127.0.5.20 30650; then
	fail "the $PRIMARY primary serves $ZONE on 127.0.5.20@30650"; exit 1
fi
ok "the $PRIMARY primary serves $ZONE on 127.0.5.20@30650"
S1=$(primary_serial)

for a in $ALGS; do
	check "nsd_$a starts (hmac-$a)" start_secondary nsd nsd_$a
done
check "knot_sha224 starts (hmac-sha224)" start_secondary knot knot_sha224
check "bind_sha384 starts (hmac-sha384)" start_secondary bind bind_sha384
check "nsd_badsecret starts (k_sha256, wrong secret)" start_nsd_secondary \
    nsd_badsecret 127.0.5.27 30657 "$PRI_ADDR" "$PRI_PORT" k_sha256 \
    hmac-sha256 "$(new_secret hmac-sha256)" "$ZONE"
check "nsd_unknownkey starts (a key the primary lacks)" start_nsd_secondary \
    nsd_unknownkey 127.0.5.28 30658 "$PRI_ADDR" "$PRI_PORT" k_unknown \
    hmac-sha256 "$(new_secret hmac-sha256)" "$ZONE"

# kdig_axfr FILE ADDR KEYNAME ALG SECRET: AXFR from ADDR, output in FILE
kdig_axfr() {
	kdig -b "$2" -y "$4:$3:$5" @"$PRI_ADDR" -p "$PRI_PORT" +timeout=2 \
	    +retry=0 AXFR "$ZONE" > "$1" 2>&1
}
# An AXFR kdig accepted: no warning or error, the zone between two SOAs.
axfr_ok() {
	! grep -qE '^;; (WARNING|ERROR)' "$1" &&
	[ "$(grep -cE "^$ZONE[[:space:]].*SOA" "$1")" = 2 ] &&
	grep -qE "^www\.$ZONE[[:space:]].*192\.0\.2\.10" "$1"
}
for a in $ALGS; do
	f=$T/kdig_$a.out
	kdig_axfr "$f" $CLIENT k_$a hmac-$a "$(key_secret k_$a)"
	if axfr_ok "$f"; then ok "kdig AXFR with hmac-$a"
	else fail "kdig AXFR with hmac-$a"; diag "expected a verified AXFR, got:"
		head -n 8 "$f" | sed 's/^/# diag:   /'; log_tail primary 5; fi
done

expect_serials "$S1" 15 $(for a in $ALGS; do echo nsd_$a; done) \
    knot_sha224 bind_sha384
for a in $ALGS; do
	expect_log "nsd_$a verified the transfer with k_$a (hmac-$a)" nsd_$a \
	    "received update to serial $S1 .*TSIG verified with key k_$a"
done

expect_log "knot_sha224 transferred the zone (hmac-sha224)" knot_sha224 \
    "XFR, incoming, remote $PRI_ADDR@$PRI_PORT, finished"
expect_log "bind_sha384 transferred the zone with TSIG k_sha384" bind_sha384 \
    "transferred serial $S1: TSIG 'k_sha384'"

# The good ones are done; the bad ones had as long, plus 2 s.
sleep 2
for s in nsd_badsecret nsd_unknownkey; do
	expect_no_zone "$s runs but has no zone (SOA query not NOERROR)" $s
done
# What the primary logs is its own; it must name the client and the reason.
# (knotd, the stand-in, answers BADSIG/BADKEY to the SOA query silently.)
for s in nsd_badsecret:127.0.5.27 nsd_unknownkey:127.0.5.28; do
	d="the primary logs refusing ${s%%:*} (${s#*:})"
	if grep -iE "${s#*:}" "$T/primary.log" | grep -v -i notify |
	    grep -qiE 'tsig|badsig|badkey|denied|refus|not allowed|unknown key'; then
		ok "$d"
	elif [ "$PRIMARY" = knot ]; then skip "$d" "knotd does not log it"
	else fail "$d"
		diag "no non-NOTIFY line naming ${s#*:} with tsig/badsig/badkey/denied/refused"
		log_tail primary 20; fi
done

# kdig with a wrong secret / an unknown key: no zone, a TSIG error instead.
f=$T/kdig_bad.out
kdig_axfr "$f" $CLIENT k_sha256 hmac-sha256 "$(new_secret hmac-sha256)"
if ! grep -qE "^www\.$ZONE" "$f" && grep -qE 'BADSIG|NOTAUTH' "$f"; then
	ok "kdig with a wrong secret gets NOTAUTH/BADSIG, no records"
else fail "kdig with a wrong secret gets NOTAUTH/BADSIG, no records"
	head -n 8 "$f" | sed 's/^/# diag:   /'; fi
f=$T/kdig_unknown.out
kdig_axfr "$f" $CLIENT k_unknown hmac-sha256 "$(new_secret hmac-sha256)"
if ! grep -qE "^www\.$ZONE" "$f" && grep -qE 'BADKEY|NOTAUTH' "$f"; then
	ok "kdig with an unknown key gets NOTAUTH/BADKEY, no records"
else fail "kdig with an unknown key gets NOTAUTH/BADKEY, no records"
	head -n 8 "$f" | sed 's/^/# diag:   /'; fi

# A client not in provide-xfr:, with a good key and without one. hpagent
# closes a TCP connection from an address no provide-xfr:/notify: names
# before reading anything (kdig: no reply) and answers REFUSED over UDP;
# the stand-in knotd answers BADKEY / NOTAUTH to a transfer and serves
# the SOA to anyone.
case $PRIMARY in
knot) want_key=BADKEY want_nokey=NOTAUTH want_soa=NOERROR ;;
*) want_key=NOREPLY want_nokey=NOREPLY want_soa=REFUSED ;;
esac
# rcode FILE: the RCODE (or TSIG error) kdig reports in FILE; NOREPLY when
# the connection ended without an answer
rcode() {
	{ sed -n -e "s/.*status: \([A-Z]*\).*/\1/p" \
	    -e "s/.*server replied with error '\([A-Z]*\)'.*/\1/p" "$1"
	  grep -q "can't receive reply" "$1" && ! grep -qE '^[^;].*[[:space:]]SOA[[:space:]]' "$1" &&
	      echo NOREPLY; } | head -n 1
}
expect_rcode() { # DESC WANT FILE
	got=$(rcode "$3")
	expect_eq "$1" "$2" "$got"
	[ "$2" = "$got" ] || head -n 8 "$3" | sed 's/^/# diag:   /'
}
f=$T/kdig_stranger.out
kdig_axfr "$f" $STRANGER k_sha256 hmac-sha256 "$(key_secret k_sha256)"
expect_rcode "a client not in provide-xfr: gets $want_key (AXFR, good key)" \
    $want_key "$f"
kdig -b $STRANGER @"$PRI_ADDR" -p "$PRI_PORT" +timeout=2 +retry=0 AXFR "$ZONE" \
    > "$f" 2>&1
expect_rcode "a client not in provide-xfr: gets $want_nokey (AXFR, no key)" \
    $want_nokey "$f"
kdig -b $STRANGER @"$PRI_ADDR" -p "$PRI_PORT" +timeout=2 +retry=0 SOA "$ZONE" \
    > "$f" 2>&1
expect_rcode "a client not in provide-xfr: gets $want_soa (SOA, no key)" \
    $want_soa "$f"

finish_primary
