#!/bin/sh
# signer_verify.sh -- the signing engine (signer/) judged by two real
# validators, dnssec-verify (BIND) and ldns-verify-zone (ldns), through
# tests/tools/signzone:
#  - tests/zones/example.com.zone (every RR type, a delegation with DS and
#    glue, empty non-terminals) and a generated 10k-RR zone (delegations,
#    glue, CNAMEs, SRV), each algorithm x NSEC/NSEC3 x CSK/KSK+ZSK: the
#    whole signing, then a change signed incrementally (example.com: ten
#    RRs that add and remove names, a cut and an empty non-terminal;
#    10k: ten A records), both accepted by both validators, and the
#    incremental changeset of the 10k zone a few dozen RRs;
#  - signatures made 15 days ago are expired (both validators refuse the
#    zone) until a refresh, in batches, replaces them;
#  - the validators do reject: a corrupted signature, a missing NSEC, a
#    missing NSEC3.
# dnssec-verify wants -z for single-type signing (a CSK carries the SEP
# flag and signs everything). ldns-verify-zone checks ZONEMD, which no
# signer can keep valid in a zone it changes: the example's is dropped.
# Check count: 24 x 5 + 1 + 5 + 6 = 132, whatever fails.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
plan 132

S=$BUILD/tests/tools/signzone
G=$BUILD/tests/bench/genzone
for t in dnssec-verify ldns-verify-zone; do
	command -v $t >/dev/null || bail "$t is not installed (tools/deps.sh test)"
done
[ -x "$S" ] && [ -x "$G" ] || bail "signzone and genzone are not built"

# The zones: example.com without its DNSSEC records and fake ZONEMD.
grep -v ZONEMD "$TOP/tests/zones/example.com.zone" > "$T/ex1.zone"
cat > "$T/edit.sed" <<'EOF'
s/2024010100 ; serial/2024010101 ; serial/
/^mail	A/d
/^sub	NS/d
/^sub	DS/d
s/^www	CNAME	ns1/www	A	192.0.2.80\
www	AAAA	2001:db8::80/
$a\
new1	A	192.0.2.101\
a.b.c.deep	A	192.0.2.102\
ip	NS	ns.ip\
ns.ip	A	192.0.2.103
EOF
sed -f "$T/edit.sed" "$T/ex1.zone" > "$T/ex2.zone"
"$G" bench.test 10000 1 > "$T/big1.zone"
"$G" bench.test 10000 2 edit > "$T/big2.zone"

# validate ZONE FILE ZFLAG: both validators at once (two cores), their
# exit codes in $dv and $lv
validate() {
	dnssec-verify $3 -o "$1" "$2" > "$T/dv.out" 2>&1 &
	p1=$!
	ldns-verify-zone "$2" > "$T/lv.out" 2>&1 &
	p2=$!
	wait $p1; dv=$?
	wait $p2; lv=$?
}

# verify NAME ZONE FILE ZFLAG: both validators accept, one check each
verify() {
	validate "$2" "$3" "$4"
	if [ $dv = 0 ]; then
		ok "$1: dnssec-verify accepts it"
	else
		fail "$1: dnssec-verify accepts it"; tail -5 "$T/dv.out" |
		    sed 's/^/# diag: /'
	fi
	if [ $lv = 0 ]; then
		ok "$1: ldns-verify-zone accepts it"
	else
		fail "$1: ldns-verify-zone accepts it"; tail -5 "$T/lv.out" |
		    sed 's/^/# diag: /'
	fi
}

# rejects NAME ZONE FILE ZFLAG: both validators refuse, one check each
rejects() {
	validate "$2" "$3" "$4"
	if [ $dv != 0 ]; then ok "$1: dnssec-verify rejects it"
	else fail "$1: dnssec-verify rejects it"; fi
	if [ $lv != 0 ]; then ok "$1: ldns-verify-zone rejects it"
	else fail "$1: ldns-verify-zone rejects it"; fi
}

# run ZONE OLD NEW ALG NSEC3 KSKZSK: 5 checks (whole x 2, incremental x 2,
# the size of the change)
run() {
	zone=$1 old=$2 new=$3 alg=$4
	flags=-s zflag=-z what="$zone $alg"
	if [ "$5" = 1 ]; then flags="$flags -3"; what="$what nsec3"
	else what="$what nsec"; fi
	if [ "$6" = 1 ]; then flags="$flags -z"; zflag=; what="$what ksk+zsk"
	else what="$what csk"; fi
	rm -f "$T/s1" "$T/s2"
	"$S" $flags -a "$alg" -o "$T/s1" -c "$new" -O "$T/s2" "$zone" "$old" \
	    2> "$T/sz.err" || { diag "signzone: $(tail -1 "$T/sz.err")"; }
	verify "$what: whole signing" "$zone" "$T/s1" "$zflag"
	verify "$what: incremental change" "$zone" "$T/s2" "$zflag"
	# unsigned -a +b generated -c +d: the IXFR's RRs besides the SOAs
	size=$(awk '/^update:/ { print substr($3,2) + substr($4,2) + \
	    substr($6,2) + substr($7,2) }' "$T/sz.err")
	case $zone in
	bench.test) lo=22 hi=60 ;;	# 11 RRs out, 11 in, their RRSIGs
	*) lo=12 hi=80 ;;		# cuts and ENTs move the chain more
	esac
	if [ -n "$size" ] && [ "$size" -ge $lo ] && [ "$size" -le $hi ]; then
		ok "$what: the change is $size RRs with its signatures"
	else
		fail "$what: the change is $lo..$hi RRs with its signatures"
		diag "got [${size:-none}]: $(grep -E '^(full|update)' \
		    "$T/sz.err" | tr '\n' ' ')"
	fi
}

for alg in ecdsap256sha256 ed25519 rsasha256; do
	for n3 in 0 1; do
		for kz in 0 1; do
			run example.com "$T/ex1.zone" "$T/ex2.zone" $alg $n3 $kz
			run bench.test "$T/big1.zone" "$T/big2.zone" $alg $n3 $kz
		done
	done
done

# DNSSEC records in the input: refused unless stripped.
if "$S" -o - example.com "$TOP/tests/zones/example.com.zone" \
    > /dev/null 2> "$T/in.err"; then
	fail "signed input is refused"
else
	expect_grep "signed input is refused, saying why" \
	    "type 48: DNSSEC records are made by the signer" "$T/in.err"
fi

# Signatures made 15 days ago (lifetime 14 days) have expired; a refresh
# now, 1000 RRsets at a time, makes the zone valid again.
past=$(( $(date +%s) - 15 * 86400 ))
"$S" -s -n $past -o "$T/old" -r $((15 * 86400)) -b 1000 -O "$T/fresh" \
    bench.test "$T/big1.zone" 2> "$T/rf.err"
rejects "signatures 15 days old" bench.test "$T/old" -z
verify "refreshed in batches" bench.test "$T/fresh" -z
batches=$(awk '/^refresh:/ { print $3 }' "$T/rf.err")
if [ "${batches:-0}" -ge 5 ]; then
	ok "the refresh took $batches batches of 1000 RRsets"
else
	fail "the refresh took several batches of 1000 RRsets"
	diag "got [$(cat "$T/rf.err")]"
fi

# The validators are not blind (6 checks).
"$S" -s -3 -X -o "$T/bad1" example.com "$T/ex1.zone" 2>/dev/null
rejects "a corrupted signature" example.com "$T/bad1" -z
"$S" -s -o "$T/good" example.com "$T/ex1.zone" 2>/dev/null
awk '$3 == "NSEC" && $1 == "mail.example.com." { next } { print }' \
    "$T/good" > "$T/bad2"
rejects "a missing NSEC" example.com "$T/bad2" -z
"$S" -s -3 -o "$T/good3" example.com "$T/ex1.zone" 2>/dev/null
awk '$3 == "NSEC3" && !done { done = 1; next } { print }' \
    "$T/good3" > "$T/bad3"
rejects "a missing NSEC3" example.com "$T/bad3" -z
