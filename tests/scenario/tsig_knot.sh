#!/bin/sh
# tsig_knot.sh -- live interop of hpagent's DNS wire core (dns/pkt, dns/tsig)
# with a real knotd: for each of the six HMAC algorithms, a TSIG-signed SOA
# query over UDP and TCP, a signed multi-message AXFR (every message's TSIG
# verified by our code, RFC 8945 5.3.1) and an IXFR for the current serial;
# then a wrong secret (Knot answers NOTAUTH/BADSIG), an unknown key
# (BADKEY) and an unsigned AXFR refused by Knot's ACL.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
plan 74

DNSQ=$BUILD/tests/tools/dnsq
ADDR=127.0.9.1
PORT=30211
ZONE=example.com
SERIAL=2024010101
NRR=10000
SECRET=c2VjcmV0LWtleS1mb3ItaHBhZ2VudC10ZXN0cy0wMTIzNDU2Nzg5YWJj
ALGS="hmac-md5 hmac-sha1 hmac-sha224 hmac-sha256 hmac-sha384 hmac-sha512"

if ! command -v knotd >/dev/null 2>&1; then
	echo "Bail out! knotd not installed"; exit 1
fi
[ -x "$DNSQ" ] || { echo "Bail out! $DNSQ not built"; exit 1; }

mkdir -p "$T/run" "$T/db"
{
	echo "\$ORIGIN $ZONE."
	echo "\$TTL 3600"
	echo "@ IN SOA ns1 hostmaster $SERIAL 3600 900 604800 300"
	echo "@ IN NS ns1"
	echo "ns1 IN A 192.0.2.1"
	i=0
	while [ $i -lt $NRR ]; do
		echo "h$i IN A 10.$((i / 65536)).$((i / 256 % 256)).$((i % 256))"
		i=$((i + 1))
	done
} > "$T/$ZONE.zone"
# AXFR: SOA, NS, ns1 A, NRR A records, closing SOA.
EXPECT_RRS=$((NRR + 4))

{
	echo "server:"
	echo "    rundir: \"$T/run\""
	echo "    listen: $ADDR@$PORT"
	echo "database:"
	echo "    storage: \"$T/db\""
	echo "log:"
	echo "  - target: stderr"
	echo "    any: info"
	echo "key:"
	for a in $ALGS; do
		echo "  - id: $a.key."
		echo "    algorithm: $a"
		echo "    secret: $SECRET"
	done
	echo "acl:"
	echo "  - id: xfr"
	printf "    key: ["
	sep=
	for a in $ALGS; do printf "%s%s.key." "$sep" "$a"; sep=", "; done
	echo "]"
	echo "    action: transfer"
	echo "template:"
	echo "  - id: default"
	echo "    storage: \"$T\""
	echo "    file: \"%s.zone\""
	echo "zone:"
	echo "  - domain: $ZONE"
	echo "    acl: xfr"
} > "$T/knot.conf"

bg knot knotd -c "$T/knot.conf"
if wait_for 15 "$DNSQ" -T 1 -q "$ADDR" "$PORT" "$ZONE" SOA; then
	ok "knotd answers on $ADDR@$PORT"
else
	fail "knotd answers on $ADDR@$PORT"
	sed 's/^/# diag: /' "$T/knot.log" | tail -20
	exit 1
fi

# run_dnsq NAME ARGS...: output in $T/NAME.out, exit status in $rc.
run_dnsq() { n=$1; shift; "$DNSQ" "$@" > "$T/$n.out" 2>&1; rc=$?; }

for a in $ALGS; do
	key="$a:$a.key.:$SECRET"

	run_dnsq udp-$a -y "$key" "$ADDR" "$PORT" "$ZONE" SOA
	expect_eq "$a: signed SOA over UDP exits 0" 0 "$rc"
	expect_grep "$a: Knot's UDP answer verified, serial $SERIAL" \
	    "^;; msg 1: .*rcode 0 .* an 1 .*tsig ok" "$T/udp-$a.out"
	expect_grep "$a: SOA serial in UDP answer" "serial $SERIAL" \
	    "$T/udp-$a.out"

	run_dnsq tcp-$a -t -y "$key" "$ADDR" "$PORT" "$ZONE" SOA
	expect_eq "$a: signed SOA over TCP exits 0" 0 "$rc"
	expect_grep "$a: Knot's TCP answer verified" "tsig ok" "$T/tcp-$a.out"

	run_dnsq axfr-$a -q -y "$key" "$ADDR" "$PORT" "$ZONE" AXFR
	expect_eq "$a: signed AXFR exits 0" 0 "$rc"
	msgs=$(sed -n 's/^;; total: \([0-9]*\) messages.*/\1/p' "$T/axfr-$a.out")
	rrs=$(sed -n 's/^;; total: [0-9]* messages, \([0-9]*\) records.*/\1/p' "$T/axfr-$a.out")
	signed=$(grep -c '^;; msg .*tsig ok$' "$T/axfr-$a.out")
	if [ "${msgs:-0}" -gt 1 ]; then ok "$a: AXFR took $msgs messages"
	else fail "$a: AXFR took more than one message"; diag "got ${msgs:-none}"; fi
	expect_eq "$a: AXFR records" "$EXPECT_RRS" "${rrs:-none}"
	expect_eq "$a: every AXFR message signed and verified" \
	    "${msgs:-none}" "$signed"

	run_dnsq ixfr-$a -q -y "$key" "$ADDR" "$PORT" "$ZONE" IXFR "$SERIAL"
	expect_eq "$a: signed IXFR (up to date) exits 0" 0 "$rc"
	expect_grep "$a: IXFR for the current serial is one SOA" \
	    "^;; total: 1 messages, 1 records, tsig ok" "$T/ixfr-$a.out"
done

BAD=b3RoZXItc2VjcmV0LW5vdC1rbm93bi10by1rbm90
run_dnsq badsig -y "hmac-sha256:hmac-sha256.key.:$BAD" "$ADDR" "$PORT" "$ZONE" SOA
expect_eq "wrong secret: dnsq exits 3 (TSIG failure)" 3 "$rc"
expect_grep "wrong secret: Knot answers NOTAUTH with TSIG error BADSIG" \
    "rcode 9 .*tsig error BADSIG" "$T/badsig.out"

run_dnsq badsig-axfr -y "hmac-sha512:hmac-sha512.key.:$BAD" "$ADDR" "$PORT" "$ZONE" AXFR
expect_eq "wrong secret, AXFR: dnsq exits 3" 3 "$rc"
expect_grep "wrong secret, AXFR: BADSIG" "tsig error BADSIG" "$T/badsig-axfr.out"

run_dnsq badkey -y "hmac-sha256:unknown.key.:$SECRET" "$ADDR" "$PORT" "$ZONE" SOA
expect_eq "unknown key: dnsq exits 3" 3 "$rc"
expect_grep "unknown key: Knot answers NOTAUTH with TSIG error BADKEY" \
    "rcode 9 .*tsig error BADKEY" "$T/badkey.out"

run_dnsq unsigned-axfr "$ADDR" "$PORT" "$ZONE" AXFR
expect_eq "unsigned AXFR refused by Knot's ACL: dnsq exits 2" 2 "$rc"
