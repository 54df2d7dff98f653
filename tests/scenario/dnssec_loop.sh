#!/bin/sh
# dnssec_loop.sh -- a zone's first signing inside `hpagent serve` (signing
# turned on by a reload) runs in the signer's thread: while it signs a
# zone of DNSSEC_LOOP_RRS records (default 100000, seconds of work), the
# daemon keeps answering SOA queries (of that zone and of another) within
# a bound, and an AXFR of the other zone completes; then the signed
# version is published and NOTIFYed like any other, and serve stops
# cleanly (SIGTERM) with the thread joined.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
plan 7
H=$HPAGENT
BUILD=${BUILD:-$TOP/build}
GEN=$BUILD/tests/bench/genzone DNSQ=$BUILD/tests/tools/dnsq
RRS=${DNSSEC_LOOP_RRS:-100000}
P=127.0.15.41 PORT=31541
D=$T/hp
mkdir -p "$D"
"$GEN" big.test "$RRS" 1 > "$D/big.zone"
printf '$ORIGIN small.test.\n$TTL 300\n@ IN SOA ns1 h 1 2 3 4 5\n@ IN NS ns1\nns1 IN A 192.0.2.1\n' > "$D/small.zone"
conf() { # conf yes|no
	cat > "$D/hp.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root
	database: "$D/hp.db"
	dnssec-keystore: "$D/keys"
	logfile: "$D/hpagent.log"
	verbosity: 2
zone:
	name: big.test
	zonefile: "$D/big.zone"
	provide-xfr: 127.0.0.0/8 NOKEY
	dnssec-signing: $1
zone:
	name: small.test
	zonefile: "$D/small.zone"
	provide-xfr: 127.0.0.0/8 NOKEY
EOC
	chmod 600 "$D/hp.conf"
}
conf no
"$H" -c "$D/hp.conf" import --all > /dev/null 2>&1 || bail "import --all failed"
bg hp "$H" -c "$D/hp.conf" serve
check "serve answers" wait_for 10 sh -c "'$DNSQ' -q -T 2 $P $PORT small.test SOA"
soa() { kdig @$P -p $PORT +short +timeout=3 +retry=0 big.test SOA 2>/dev/null | awk '{ print $3; exit }'; }
S0=$(soa)

conf yes
kill -HUP $PID_hp
# SOA queries every 50 ms while it signs: the slowest answer
worst=0 n=0 signed=0 end=$(( $(now_ms) + 120000 ))
while [ "$(now_ms)" -lt $end ]; do
	t0=$(now_ms)
	"$DNSQ" -q -T 5 $P $PORT small.test SOA > /dev/null 2>&1 || worst=99999
	"$DNSQ" -q -T 5 $P $PORT big.test SOA > /dev/null 2>&1 || worst=99999
	dt=$(( $(now_ms) - t0 ))
	[ $dt -gt $worst ] && worst=$dt
	n=$((n + 1))
	if grep -q "zone big.test.: signed serial" "$D/hpagent.log"; then signed=1; break; fi
	sleep 0.05
done
check "the first signing (turned on by a reload) was published" test "$signed" = 1
diag "$n rounds of two SOA queries while it signed $RRS RRs; the slowest round: $worst ms"
check "the daemon answered while it signed: $n rounds (the signing took seconds), slowest round under 500 ms" \
    sh -c "[ $n -ge 5 ] && [ $worst -lt 500 ]"
"$DNSQ" -q -T 10 $P $PORT small.test AXFR > /dev/null 2>&1
check "an AXFR of the other zone right after completes" test $? = 0
S1=$(soa)
check "the signed version is served (serial $S0 -> ${S1:-?})" sh -c "[ -n '$S1' ] && [ '$S1' != '$S0' ]"
kdig @$P -p $PORT +timeout=20 +retry=0 big.test AXFR 2>&1 | grep -m 3 'DNSKEY' > "$T/axfr.out"
expect_grep "its AXFR carries the DNSKEY (the signed version is served)" "DNSKEY.*257 3 13" "$T/axfr.out"
kill -TERM $PID_hp
wait $PID_hp 2>/dev/null
expect_eq "SIGTERM: exit 0 (the signer thread joined)" 0 "$?"
