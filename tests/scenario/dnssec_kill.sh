#!/bin/sh
# dnssec_kill.sh -- kill -9 of `hpagent import` while it signs a signed
# zone (DNSSEC_RRS records, default 20000): each import switches the
# zone's policy between NSEC and NSEC3 (two configurations, one database
# and keystore), so the zone is signed whole each time, seconds of work;
# the kill falls at a random point of it. Afterwards the zone is the old
# version, signed, or the new one, signed -- never half: dnssec-verify
# accepts what `hpagent show` prints, its chain is the one of its
# version's policy, PRAGMA integrity_check passes; and the next import
# completes and verifies (dnssec-verify and ldns-verify-zone). A key file
# the keystore refuses (readable by others): the import fails, saying
# which file and why, and publishes nothing.
# DNSSEC_KILLS (default 4) kills.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
H=$HPAGENT
BUILD=${BUILD:-$TOP/build}
GEN=$BUILD/tests/bench/genzone
RRS=${DNSSEC_RRS:-20000} KILLS=${DNSSEC_KILLS:-4}
plan $((2 + 4 * KILLS + 6))
for t in dnssec-verify ldns-verify-zone; do
	command -v $t >/dev/null || bail "$t is not installed (tools/deps.sh test)"
done
D=$T/hp
mkdir -p "$D"
for c in nsec nsec3; do
	cat > "$D/$c.conf" <<EOC
server:
	database: "$D/hp.db"
	dnssec-keystore: "$D/keys"
dnssec-policy:
	name: p
	nsec3: $([ $c = nsec3 ] && echo yes || echo no)
zone:
	name: big.test
	zonefile: "$D/z.zone"
	dnssec-signing: yes
	dnssec-policy: p
EOC
done
# two contents that differ in a tenth of the records, in turn
"$GEN" big.test "$RRS" 1 > "$D/a"
sed 's/v=spf1/v=spf2/' "$D/a" > "$D/b"
cp "$D/a" "$D/z.zone"
stored=a
# flip: the zone file becomes the content the store does not hold
flip() { want=$([ $stored = a ] && echo b || echo a); cp "$D/$want" "$D/z.zone"; }
serial() { "$H" -c "$D/nsec.conf" zones | awk '$1 == "big.test." { print $2 }'; }
integrity() { r=$(sqlite3 -cmd '.timeout 5000' "$D/hp.db" "PRAGMA integrity_check(100000000)" 2>&1 |
	grep -v 'NULL value in records.ttl'); echo "${r:-ok}"; }
# the chain of what show prints: nsec3 or nsec
chain_of() { if awk '$4 == "NSEC3PARAM"' "$1" | grep -q .; then echo nsec3; else echo nsec; fi; }

t0=$(now_ms)
"$H" -c "$D/nsec.conf" import big.test "$D/z.zone" > "$T/imp0.out" 2>&1
check "a $RRS-RR zone imported and signed (NSEC)" test $? = 0
full_ms=$(( $(now_ms) - t0 ))
diag "first import + signing: $full_ms ms"
CHAIN_OF_1=nsec
cur=nsec
S=$(serial)
"$H" -c "$D/nsec.conf" show big.test > "$T/z.txt"
dnssec-verify -z -o big.test "$T/z.txt" > "$T/dv.out" 2>&1
expect_eq "dnssec-verify accepts it" 0 $?

k=0
while [ $k -lt $KILLS ]; do
	k=$((k + 1))
	next=$([ $cur = nsec ] && echo nsec3 || echo nsec)
	flip
	# the kill: at 30..130 % of a whole import's time (some land after the commit)
	delay=$(awk -v f="$full_ms" -v s="$k$$" 'BEGIN { srand(s); printf "%.3f", f * (0.3 + rand()) / 1000 }')
	"$H" -c "$D/$next.conf" import big.test "$D/z.zone" > "$T/imp$k.out" 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	S2=$(serial)
	"$H" -c "$D/nsec.conf" show big.test > "$T/z.txt" 2>/dev/null
	ch=$(chain_of "$T/z.txt")
	if [ "$S2" = "$S" ]; then
		expect_eq "kill $k (after ${delay} s): the old version stays, chain $cur" "$cur" "$ch"
	else
		expect_eq "kill $k (after ${delay} s): the new version $S2 is whole, chain $next" "$next" "$ch"
		cur=$next S=$S2 stored=$want
	fi
	dnssec-verify -z -o big.test "$T/z.txt" > "$T/dv$k.out" 2>&1
	rc=$?
	expect_eq "kill $k: what is stored is signed (dnssec-verify)" 0 $rc
	[ $rc = 0 ] || tail -3 "$T/dv$k.out" | sed 's/^/# diag: /'
	expect_eq "kill $k: integrity_check" ok "$(integrity)"
	gen=$(awk '$4 == "RRSIG"' "$T/z.txt" | wc -l)
	expect_le "kill $k: the stored version has its signatures ($gen)" "$RRS" "$gen"
done

# a keystore that cannot be read (a key file readable by others: refused
# as ssh refuses such keys): a clear error, nothing published
next=$([ $cur = nsec ] && echo nsec3 || echo nsec)
flip
chmod 644 "$D"/keys/*.pem
S=$(serial)
"$H" -c "$D/$next.conf" import big.test "$D/z.zone" > "$T/ks.out" 2>&1
expect_eq "an unreadable keystore: the import fails (exit 1)" 1 $?
expect_grep "... saying which key file and why" "keys: [0-9a-f]{40}\.pem has mode 0644.*\(0600\)" "$T/ks.out"
expect_eq "... and nothing is published" "$S" "$(serial)"
chmod 600 "$D"/keys/*.pem
"$H" -c "$D/$next.conf" import big.test "$D/z.zone" > "$T/last.out" 2>&1
check "the next import completes" test $? = 0
"$H" -c "$D/nsec.conf" show big.test > "$T/z.txt"
dnssec-verify -z -o big.test "$T/z.txt" > "$T/dv.out" 2>&1
expect_eq "dnssec-verify accepts it ($next)" 0 $?
ldns-verify-zone "$T/z.txt" > "$T/lv.out" 2>&1
expect_eq "ldns-verify-zone accepts it" 0 $?
