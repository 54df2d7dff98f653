#!/bin/sh
# dnssec_validate.sh -- hpagent signs (dnssec-signing: yes, a short test
# policy: KSK + ZSK, 30 s signatures refreshed 20 s before they expire),
# a real NSD secondary and a real Knot secondary serve the signed zone,
# and two validating unbound resolvers (the zone's DS from `hpagent dnssec
# ds` as trust anchor, a stub-zone to NSD for one, to Knot for the other)
# judge what the secondaries serve:
#  - the AXFR from hpagent passes dnssec-verify and ldns-verify-zone;
#  - a positive answer, an NXDOMAIN and a NODATA come back with AD from
#    both resolvers;
#  - a 10-RR change: its IXFR carries a few dozen records (not the zone),
#    Knot takes it by IXFR, both resolvers validate the new and the
#    removed names, the AXFR passes both validators;
#  - a ZSK rollover (hpagent dnssec rollover ZONE zsk): published, then
#    signing, the old one's signatures replaced, the old one gone; the
#    daemon waits for the secondaries' SOA answers at each step; both
#    resolvers validate at every step (polled every second);
#  - a KSK rollover (double signature, CDS/CDNSKEY for the new KSK): the
#    parent (the resolvers' trust anchor) moves to the new DS, ds-seen,
#    the old KSK leaves; validated at every step, with the anchor then in
#    force;
#  - signatures are refreshed before they expire: long after the first
#    ones would have expired, the zone still validates, and versions made
#    by the signer alone ("dnssec") are in its history;
#  - a zone file holding RRSIG/NSEC for the signed zone is refused, with
#    file:line, and nothing is published;
#  - show --unsigned hides what the signer made; private keys are 0600.
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$TOP/tests/lib.sh"
# hpagent's own signing: no other primary stands in for it
PRIMARY=hpagent
. "$TOP/tests/scenario/lib_daemons.sh"
plan 56

for t in unbound dnssec-verify ldns-verify-zone kdig; do
	command -v $t >/dev/null || bail "$t is not installed (tools/deps.sh test)"
done

K=secretkey0
declare_key $K hmac-sha256 "$(new_secret hmac-sha256)"
add_secondary nsd1 127.0.21.11 31611 $K
add_secondary knot1 127.0.21.12 31612 $K
add_client 127.0.21.19 $K
AGENT_SERVER_EXTRA='
dnssec-policy:
	name: test
	single-type-signing: no
	rrsig-lifetime: 30
	rrsig-refresh: 20
	zone-max-ttl: 10
	dnskey-ttl: 3
	propagation-delay: 1
	parent-ds-ttl: 2
	zsk-lifetime: 0'
AGENT_ZONE_EXTRA='	dnssec-signing: yes
	dnssec-policy: test'

# The zone: TTLs of 10 s at most (the policy's zone-max-ttl).
mkdir -p "$T/primary"
sed -e 's/^\$TTL 300/$TTL 10/' -e 's/ns1 hostmaster 1 5 2 600 60/ns1 hostmaster 1 5 2 600 5/' \
    "$CONF_DIR/example.zone" | sed "s/@ZONE@/$ZONE/" > "$T/primary/${ZONE}zone"

if ! start_primary 127.0.21.10 31610; then
	fail "hpagent signs and serves $ZONE"; exit 1
fi
ok "hpagent signs and serves $ZONE"
S1=$(primary_serial)
check "nsd1 starts" start_secondary nsd nsd1
check "knot1 starts" start_secondary knot knot1
expect_serials "$S1" 15 nsd1 knot1

# ---- the AXFR, judged by two validators ----------------------------------
# verify_axfr DESC: the AXFR from hpagent (no TSIG RR) passes both
verify_axfr() {
	kdig_primary AXFR "$ZONE" | grep -v TSIG > "$T/axfr.zone"
	dnssec-verify -o "$ZONE" "$T/axfr.zone" > "$T/dv.out" 2>&1
	expect_eq "$1: dnssec-verify accepts the AXFR" 0 $?
	[ -s "$T/dv.out" ] && grep -q 'Zone fully signed' "$T/dv.out" ||
	    sed 's/^/# diag: /' "$T/dv.out" | tail -5
	ldns-verify-zone "$T/axfr.zone" > "$T/lv.out" 2>&1
	expect_eq "$1: ldns-verify-zone accepts the AXFR" 0 $?
}
verify_axfr "first signing"
n=$(grep -c 'RRSIG' "$T/axfr.zone")
expect_le "the AXFR carries RRSIGs (got $n)" 30 "$n"

# ---- the resolvers ----------------------------------------------------------
# start_unbound NAME ADDR PORT STUB_ADDR STUB_PORT: validating, the
# zone's DS as trust anchor, caching for 1 s at most (each step is seen)
DS=$("$HPAGENT" -c "$PRI_CONF" dnssec ds "$ZONE" 2>/dev/null)
echo "$DS" > "$T/ds.txt"
expect_grep "hpagent dnssec ds prints the DS" "IN DS [0-9]+ 13 2 [0-9A-F]{64}" "$T/ds.txt"
start_unbound() {
	local d
	d=$T/$1
	note_daemon "$1" "$2" "$3" "$T/$1.log"
	{
		printf 'server:\n\tinterface: %s\n\tport: %s\n' "$2" "$3"
		printf '\toutgoing-interface: %s\n' "$2"
		printf '\tusername: ""\n\tchroot: ""\n\tdirectory: "%s"\n' "$d"
		printf '\tpidfile: "%s/unbound.pid"\n\tuse-syslog: no\n' "$d"
		printf '\tdo-not-query-localhost: no\n'
		printf '\tmodule-config: "validator iterator"\n'
		printf '\tlocal-zone: "test." nodefault\n'
		printf '\tcache-max-ttl: 1\n\tcache-max-negative-ttl: 1\n'
		printf '\tval-log-level: 2\n\tverbosity: 1\n'
		printf '\tqname-minimisation: no\n\taggressive-nsec: no\n'
		echo "$ANCHORS" | while read -r a; do
			[ -n "$a" ] && printf '\ttrust-anchor: "%s"\n' "$a"
		done
		printf 'stub-zone:\n\tname: "%s"\n\tstub-addr: %s@%s\n' \
		    "$ZONE" "$4" "$5"
	} > "$d/unbound.conf"
	bg "$1" unbound -d -c "$d/unbound.conf"
	wait_daemon "$1"
}
start_resolvers() {
	start_unbound res_nsd 127.0.21.21 31621 127.0.21.11 31611 &&
	start_unbound res_knot 127.0.21.22 31622 127.0.21.12 31612
}
ANCHORS=$DS
check "two validating unbound start (stubs to nsd1 and knot1)" start_resolvers

# ask RES NAME TYPE: "RCODE ad|-" and the answer's rdata, one line
ask() {
	local addr port out
	eval "addr=\$ADDR_$1 port=\$PORT_$1"
	out=$(kdig @"$addr" -p "$port" +timeout=2 +retry=1 +dnssec "$2" "$3" 2>&1)
	printf '%s %s %s\n' \
	    "$(echo "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)" \
	    "$(echo "$out" | grep -q '^;; Flags:.* ad' && echo ad || echo -)" \
	    "$(echo "$out" | awk '/ANSWER SECTION/ { a = 1; next } /^$/ { a = 0 }
		a && $4 == "'"$3"'" { print $5 }' | sort | tr '\n' ' ')"
}
# expect_ask DESC RES NAME TYPE WANT: ask's line equals WANT
expect_ask() {
	local got
	got=$(ask "$2" "$3" "$4")
	expect_eq "$1" "$5" "$(echo "$got" | sed 's/ *$//')"
}
for r in res_nsd res_knot; do
	expect_ask "$r: www A validates (AD)" $r "www.$ZONE" A "NOERROR ad 192.0.2.10"
	expect_ask "$r: an absent name: NXDOMAIN with AD" $r "nope1.$ZONE" A "NXDOMAIN ad"
	expect_ask "$r: NODATA (www TXT) with AD" $r "www.$ZONE" TXT "NOERROR ad"
done

# validates_all TAG: both resolvers validate a positive, an NXDOMAIN and
# a NODATA now (fresh names each time: nothing from a cache); else the
# failure is noted in $T/bad
STEP=0
validates_all() {
	local r got
	STEP=$((STEP + 1))
	for r in res_nsd res_knot; do
		for q in "www.$ZONE A NOERROR ad 192.0.2.10" \
		    "nx$STEP.$ZONE A NXDOMAIN ad" "mail.$ZONE TXT NOERROR ad"; do
			set -- $q
			got=$(ask $r "$1" "$2" | sed 's/ *$//')
			shift 2
			[ "$got" = "$*" ] || echo "$TAG step $STEP $r: $1 $2: got '$got', want '$*'" >> "$T/bad"
		done
	done
}

# ---- a 10-RR change ----------------------------------------------------------
: > "$T/bad"
zone_del '^host3[0-4]	'
zone_add "new1	IN	A	192.0.2.101"
zone_add "new2	IN	A	192.0.2.102"
zone_add "deep.a.b	IN	A	192.0.2.103"
zone_add "new3	IN	TXT	\"added\""
zone_add "www	IN	AAAA	2001:db8::10"
if publish; then ok "the 10-RR change is published signed (serial $NEW_SERIAL)"
else fail "the 10-RR change is published signed"; fi
S2=$NEW_SERIAL
lines=$("$HPAGENT" -c "$PRI_CONF" diff "$ZONE" | grep -c '^[-+]')
expect_le "its IXFR carries a few dozen records, not the zone ($lines)" "$lines" 60
expect_serials "$S2" 15 nsd1 knot1
sleep 2		# what the resolvers cached (1 s at most) is gone
expect_log "knot1 took it by IXFR" knot1 "IXFR, incoming.*finished"
verify_axfr "after the change"
expect_ask "res_nsd: new1 A validates" res_nsd "new1.$ZONE" A "NOERROR ad 192.0.2.101"
expect_ask "res_knot: deep.a.b A validates" res_knot "deep.a.b.$ZONE" A "NOERROR ad 192.0.2.103"
expect_ask "res_knot: removed host30: NXDOMAIN with AD" res_knot "host30.$ZONE" A "NXDOMAIN ad"
expect_ask "res_nsd: empty non-terminal a.b: NODATA with AD" res_nsd "a.b.$ZONE" A "NOERROR ad"

# ---- ZSK rollover ------------------------------------------------------------
keys_of() { "$HPAGENT" -c "$PRI_CONF" dnssec status "$ZONE" 2>/dev/null |
    awk -v r="$1" '$1 == r { print $2 }' | tr '\n' ' ' | sed 's/ $//'; }
ZSK0=$(keys_of ZSK)
KSK0=$(keys_of KSK)
TAG=zsk
check "hpagent dnssec rollover $ZONE zsk" "$HPAGENT" -c "$PRI_CONF" dnssec rollover "$ZONE" zsk
zsk_count() { [ "$(keys_of ZSK | wc -w)" = "$1" ]; }
expect_eq "a second ZSK is published" 2 "$(keys_of ZSK | wc -w)"
zsk_done() { validates_all; [ "$(keys_of ZSK | wc -w)" = 1 ] && [ "$(keys_of ZSK)" != "$ZSK0" ]; }
i=0; until zsk_done || [ $i -ge 90 ]; do sleep 1; i=$((i + 1)); done
ZSK1=$(keys_of ZSK)
if [ "$(echo "$ZSK1" | wc -w)" = 1 ] && [ "$ZSK1" != "$ZSK0" ]; then
	ok "the ZSK rollover ends: $ZSK0 -> $ZSK1 (${i} s)"
else fail "the ZSK rollover ends (ZSKs now: $ZSK1)"; "$HPAGENT" -c "$PRI_CONF" dnssec status "$ZONE" | sed 's/^/# diag: /'; fi
expect_log "the daemon waited for the secondaries' answers" primary "served by every secondary"
expect_eq "the zone validated at every step of the ZSK rollover ($STEP checks)" "" "$(cat "$T/bad")"
verify_axfr "after the ZSK rollover"

# ---- KSK rollover ---------------------------------------------------------
: > "$T/bad"
TAG=ksk
# the parent has the first KSK's DS (the resolvers' anchor): said so
check "hpagent dnssec ds-seen $ZONE $KSK0" "$HPAGENT" -c "$PRI_CONF" dnssec ds-seen "$ZONE" "$KSK0"
check "hpagent dnssec rollover $ZONE ksk" "$HPAGENT" -c "$PRI_CONF" dnssec rollover "$ZONE" ksk
KSK1=$(keys_of KSK | tr ' ' '\n' | grep -vx "$KSK0")
check "a new KSK is published beside $KSK0 ($KSK1)" test -n "$KSK1"
# the new KSK becomes ready: CDS names it (at the secondaries too)
cds_new() { validates_all; kdig @127.0.21.11 -p 31611 +short "$ZONE" CDS | grep -q "^$KSK1 "; }
i=0; until cds_new || [ $i -ge 60 ]; do sleep 1; i=$((i + 1)); done
check "nsd1 serves the CDS of the new KSK $KSK1" cds_new
# the parent moves to the new DS: the resolvers' anchor changes
DS1=$("$HPAGENT" -c "$PRI_CONF" dnssec ds "$ZONE" | grep " DS $KSK1 ")
stop_daemon res_nsd; stop_daemon res_knot
ANCHORS=$DS1
check "the resolvers restart with the new KSK's DS as anchor" start_resolvers
validates_all
check "hpagent dnssec ds-seen $ZONE $KSK1" "$HPAGENT" -c "$PRI_CONF" dnssec ds-seen "$ZONE" "$KSK1"
ksk_done() { validates_all; [ "$(keys_of KSK)" = "$KSK1" ]; }
i=0; until ksk_done || [ $i -ge 60 ]; do sleep 1; i=$((i + 1)); done
expect_eq "the old KSK leaves: KSKs now" "$KSK1" "$(keys_of KSK)"
expect_eq "the zone validated at every step of the KSK rollover ($STEP checks)" "" "$(cat "$T/bad")"
verify_axfr "after the KSK rollover"

# ---- signatures refreshed before they expire -------------------------------
: > "$T/bad"
TAG=refresh
T0=$(date +%s)
# 35 s: every signature made before now has expired by then (30 s)
i=0; while [ $(( $(date +%s) - T0 )) -lt 35 ] && [ $i -lt 40 ]; do
	validates_all; sleep 3; i=$((i + 1)); done
expect_eq "35 s later the zone still validates (${STEP} checks)" "" "$(cat "$T/bad")"
kdig_primary AXFR "$ZONE" | grep -v TSIG > "$T/axfr.zone"
# no RRSIG expires within 5 s from now (YYYYMMDDHHMMSS comparison)
soon=$(date -u -d @$(( $(date +%s) + 5 )) +%Y%m%d%H%M%S)
early=$(awk '$4 == "RRSIG" && $9 < "'"$soon"'"' "$T/axfr.zone" | wc -l)
expect_eq "no RRSIG in the AXFR expires within 5 s" 0 "$early"
nres=$("$HPAGENT" -c "$PRI_CONF" history "$ZONE" | grep -c ' dnssec ')
expect_le "the signer made versions of its own (refresh, key steps: $nres)" 3 "$nres"

# ---- bad input, show, the keystore -------------------------------------------
cp "$PRI_ZONEFILE" "$T/bad.zone"
printf 'www\tIN\tRRSIG\tA 13 3 10 20300101000000 20200101000000 1 %s AAAA\n' "$ZONE" >> "$T/bad.zone"
printf 'www\tIN\tNSEC\tmail.%s A RRSIG NSEC\n' "$ZONE" >> "$T/bad.zone"
# the signer makes versions of its own meanwhile (refreshes, every second
# or so with this policy): the last version of another channel is compared
users() { "$HPAGENT" -c "$PRI_CONF" history "$ZONE" | awk 'NR > 1 && $3 != "dnssec" { s = $1 } END { print s }'; }
before=$(users)
"$HPAGENT" -c "$PRI_CONF" import "$ZONE" "$T/bad.zone" > "$T/bad.out" 2>&1
rc=$?
expect_eq "a zone file with RRSIG and NSEC is refused (exit 12: invalid)" 12 "$rc"
expect_grep "each named at file:line" "bad.zone:[0-9]+: www.$ZONE RRSIG: DNSSEC records are made by hpagent's signer" "$T/bad.out"
expect_eq "nothing was published (no version but the signer's own)" "$before" "$(users)"
n=$("$HPAGENT" -c "$PRI_CONF" show --unsigned "$ZONE" | awk '$4 ~ /^(RRSIG|NSEC|NSEC3|DNSKEY|CDS|CDNSKEY)$/' | wc -l)
expect_eq "show --unsigned shows no DNSSEC records" 0 "$n"
n=$("$HPAGENT" -c "$PRI_CONF" show "$ZONE" | awk '$4 == "DNSKEY"' | wc -l)
expect_le "show shows the DNSKEYs" 2 "$n"
modes=$(stat -c %a "$T/primary/keys"/*.pem | sort -u | tr '\n' ' ')
expect_eq "private keys are mode 0600" "600 " "$modes"
if grep -q 'PRIVATE KEY' "$T"/primary.log "$T/import.log"; then
	fail "no private key in the logs"
else ok "no private key in the logs"; fi

finish_primary
