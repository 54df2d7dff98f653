#!/bin/sh
# interop_kdig.sh -- what kdig receives equals what hpagent says it serves:
# kdig AXFR output = `hpagent show ZONE`, and kdig IXFR=OLD output =
# `hpagent diff ZONE OLD NEW`, over four versions of the zone (the last
# adds 3000 records, so transfers span several messages).
#
# Normalization (both sides): kdig +nocomments +nostats; drop ';' lines,
# blank lines and the TSIG record; collapse runs of blanks to one space
# (awk '$1 = $1'); sort. AXFR: the closing SOA (a copy of the first) is
# dropped. IXFR (RFC 1995 §4): the first record (the new SOA) and the last
# (the new SOA again) are dropped; what remains is a sequence of changesets,
# each "old SOA, removed..., new SOA, added...": every SOA flips the sign,
# starting with "-", and each record is printed with its sign "-" or "+",
# which is the form of `hpagent diff` lines ("-RR" / "+RR", ';' comments).
# With PRIMARY=knot, `knotc zone-read` and `kjournalprint` stand in for
# hpagent show/diff.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
plan 19

K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_client 127.0.5.59 $K

if ! start_primary 127.0.5.50 30750; then
	fail "the $PRIMARY primary serves $ZONE on 127.0.5.50@30750"; exit 1
fi
ok "the $PRIMARY primary serves $ZONE on 127.0.5.50@30750"

# kdig_raw ARGS...: kdig against the primary; the output (stderr too: kdig
# reports TSIG and transfer errors there) is kept in $T/kdig.XXXXXX.
kdig_raw() {
	local f
	f=$(mktemp "$T/kdig.XXXXXX")
	kdig -b "$CLIENT_ADDR" -y "$(key_y "$CLIENT_KEY")" @"$PRI_ADDR" \
	    -p "$PRI_PORT" +timeout=2 +retry=0 +nocomments +nostats "$@" \
	    > "$f" 2>&1
	cat "$f"
}
norm() { awk '!/^;/ && NF { $1 = $1; if ($4 != "TSIG") print }'; }
# kdig_axfr_norm: the AXFR, normalized, without the closing SOA
kdig_axfr_norm() {
	kdig_raw AXFR "$ZONE" | norm |
	    awk '{ l[NR] = $0 } END {
		n = NR; if (n > 1 && l[n] == l[1]) n--
		for (i = 1; i <= n; i++) print l[i] }' | sort
}
# kdig_ixfr_norm OLD: the IXFR as signed records; "AXFR-STYLE" first when
# the answer is not incremental (no second SOA right after the first).
kdig_ixfr_norm() {
	kdig_raw IXFR="$1" "$ZONE" | norm |
	    awk '{ l[NR] = $0 } END {
		if (NR == 1) { print "UP-TO-DATE " l[1]; exit }
		split(l[2], f, " ")
		if (f[4] != "SOA") { print "AXFR-STYLE"; exit }
		sign = "+"
		for (i = 2; i < NR; i++) {
			split(l[i], f, " ")
			if (f[4] == "SOA") sign = (sign == "+") ? "-" : "+"
			print sign l[i]
		}
	}' | sort
}
# show_norm: what the primary says it serves
show_norm() {
	case $PRIMARY in
	knot) knotc -s "$T/primary/knot.sock" zone-read "$ZONE" |
	    awk '{ $1 = ""; $3 = $3 " IN"; print }' | norm ;;
	*) "$HPAGENT" -c "$PRI_CONF" show "$ZONE" | norm ;;
	esac | sort
}
# diff_norm FROM TO: the changes the primary recorded between two serials
diff_norm() {
	case $PRIMARY in
	knot) kjournalprint -D "$T/primary/journal" "$ZONE" 2>/dev/null |
	    awk -v from="$1" -v to="$2" '
		/^;; Changes between/ { on = ($6 == from && $8 == to ",") }
		!on { next }
		/^;; Removed/ { s = "-"; next } /^;; Added/ { s = "+"; next }
		/^;/ || !NF { next }
		{ $2 = $2 " IN"; $1 = $1; print s $0 }' ;;
	*) "$HPAGENT" -c "$PRI_CONF" diff "$ZONE" "$1" "$2" |
	    awk '/^[-+]/ { s = substr($0, 1, 1); $0 = substr($0, 2); $1 = $1
		print s $0 }' ;;
	esac | sort
}
# same DESC EXPECTED_FILE ACTUAL_FILE
same() {
	if cmp -s "$2" "$3" && [ -s "$2" ]; then ok "$1"
	else fail "$1"; diag "expected ($2) vs got ($3):"
		diff "$2" "$3" | head -n 20 | sed 's/^/# diag:   /'
		[ -s "$2" ] || diag "expected side is empty"
	fi
}

S1=$(primary_serial)
show_norm > "$T/show1"; kdig_axfr_norm > "$T/axfr1"
same "kdig AXFR of serial $S1 = $PRIMARY show" "$T/show1" "$T/axfr1"
expect_eq "the AXFR has every record of the zone file" \
    "$(grep -cE '^[^;$]' "$PRI_ZONEFILE")" "$(wc -l < "$T/axfr1" | tr -d ' ')"

# Change 1: a record added, one removed.
zone_add "new	IN	A	192.0.2.99"
zone_del '^www[[:space:]]'
if publish; then ok "the primary publishes change 1"; else fail "the primary publishes change 1"; fi
S2=$NEW_SERIAL
show_norm > "$T/show2"; kdig_axfr_norm > "$T/axfr2"
same "kdig AXFR of serial $S2 = $PRIMARY show" "$T/show2" "$T/axfr2"
diff_norm "$S1" "$S2" > "$T/diff12"; kdig_ixfr_norm "$S1" > "$T/ixfr12"
same "kdig IXFR=$S1 = $PRIMARY diff $S1 $S2" "$T/diff12" "$T/ixfr12"

# Change 2: an RRset changed (TTL and data), a TXT with blanks added.
zone_del '^mail[[:space:]]'
zone_add "mail	600	IN	A	192.0.2.26"
zone_add "note	IN	TXT	\"two words\" \"and more\""
if publish; then ok "the primary publishes change 2"; else fail "the primary publishes change 2"; fi
S3=$NEW_SERIAL
show_norm > "$T/show3"; kdig_axfr_norm > "$T/axfr3"
same "kdig AXFR of serial $S3 = $PRIMARY show" "$T/show3" "$T/axfr3"
diff_norm "$S2" "$S3" > "$T/diff23"; kdig_ixfr_norm "$S2" > "$T/ixfr23"
same "kdig IXFR=$S2 = $PRIMARY diff $S2 $S3" "$T/diff23" "$T/ixfr23"

# Two versions back: either both changesets in sequence (as stored) or
# one condensed changeset (hpagent diff S1 S3); both are valid IXFR.
kdig_ixfr_norm "$S1" > "$T/ixfr13"
sort "$T/diff12" "$T/diff23" > "$T/chain13"
if [ "$PRIMARY" != knot ]; then diff_norm "$S1" "$S3" > "$T/diff13"
else : > "$T/diff13"; fi
if [ -s "$T/ixfr13" ] && cmp -s "$T/chain13" "$T/ixfr13"; then
	ok "kdig IXFR=$S1 = diff $S1 $S2 + diff $S2 $S3 (two changesets)"
elif [ -s "$T/ixfr13" ] && cmp -s "$T/diff13" "$T/ixfr13"; then
	ok "kdig IXFR=$S1 = diff $S1 $S3 (condensed)"
else fail "kdig IXFR=$S1 = the changes $S1 -> $S2 -> $S3"
	diff "$T/chain13" "$T/ixfr13" | head -n 20 | sed 's/^/# diag:   /'
fi

# Up to date: the answer is the current SOA alone (RFC 1995 §2).
got=$(kdig_ixfr_norm "$S3" | awk '{ print $1, $8 }')
expect_eq "kdig IXFR=$S3 (current) gets the SOA alone" "UP-TO-DATE $S3" "$got"
# No history from serial 0: a full zone instead.
got=$(kdig_ixfr_norm 0 | head -n 1)
expect_eq "kdig IXFR=0 (unknown serial) gets the zone AXFR-style" AXFR-STYLE "$got"

# Change 3: 3000 records (~300 kB): the AXFR and the IXFR span several
# messages, each signed.
zone_add_many 3000 big
if publish; then ok "the primary publishes change 3 (3000 records)"; else fail "the primary publishes change 3 (3000 records)"; fi
S4=$NEW_SERIAL
show_norm > "$T/show4"; kdig_axfr_norm > "$T/axfr4"
same "kdig AXFR of serial $S4 (3000 records more) = $PRIMARY show" \
    "$T/show4" "$T/axfr4"
diff_norm "$S3" "$S4" > "$T/diff34"; kdig_ixfr_norm "$S3" > "$T/ixfr34"
same "kdig IXFR=$S3 (3000 records added) = $PRIMARY diff $S3 $S4" \
    "$T/diff34" "$T/ixfr34"

# Several queries on one TCP connection (as secondaries do: SOA, then the
# transfer): SOA, AXFR, SOA, IXFR, each answered in order: the SOAs seen
# are 1 + 2 (AXFR) + 1 + 4 (IXFR: new, old, new, new).
f=$(mktemp "$T/kdig.XXXXXX")
kdig -b "$CLIENT_ADDR" -y "$(key_y "$CLIENT_KEY")" @"$PRI_ADDR" \
    -p "$PRI_PORT" +timeout=2 +retry=0 +tcp +keepopen +nostats \
    "$ZONE" SOA "$ZONE" AXFR "$ZONE" SOA "$ZONE" IXFR="$S3" > "$f" 2>&1
got=$(norm < "$f" | awk '$4 == "SOA" { printf "%s ", $7 }')
want="$S4 $S4 $S4 $S4 $S4 $S3 $S4 $S4 "
expect_eq "SOA, AXFR, SOA, IXFR=$S3 on one TCP connection (SOA serials seen)" \
    "$want" "$got"
[ "$want" = "$got" ] || head -n 12 "$f" | sed 's/^/# diag:   /'

# kdig verified the primary's TSIG on every message of every transfer.
bad=$(grep -lE '^;; (WARNING|ERROR)' "$T"/kdig.* 2>/dev/null)
expect_eq "kdig reports no TSIG or transfer error in $(ls "$T"/kdig.* | wc -l) transfers" "" "$bad"
for f in $bad; do head -n 5 "$f" | sed 's/^/# diag:   /'; done

finish_primary
