#!/bin/sh
# RFC 2136 dynamic updates with real clients: nsupdate (BIND) and
# knsupdate (Knot), TSIG-signed, over UDP and TCP, against hpagent with an
# NSD secondary. Every prerequisite (YXDOMAIN, NXDOMAIN, YXRRSET value
# independent and dependent, NXRRSET) and update form (add, delete an
# RRset, every RRset at a name, one RR; the SOA and apex NS rules), the
# whole message all or nothing, allow-update: (the issue's ACME rule as
# written, a NOKEY rule for one address), a wrong key and a wrong secret
# (NOTAUTH), a zone not held (NOTAUTH), a zone without rules (REFUSED), a
# malformed UPDATE (FORMERR, nothing changed), update-wait: (the NOERROR
# once NSD serves the serial; NOERROR after the wait when it is down),
# updates during an import and kept by the imports that follow, history,
# an UPDATE right after a direct SQL edit (the edit published too; an
# edit that does not validate: SERVFAIL, the zone held, until mended),
# and /metrics' count of updates by RCODE.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
hpagent_primary_only
plan 93

P=127.0.13.1 PORT=31301		# hpagent
HPORT=31303 TOKEN=api-token-$$-ddns-0123456789	# its HTTP API
NSD_A=127.0.13.22 NSD_P=31302	# NSD secondary
NOKEY_A=127.0.13.9		# the address of the NOKEY rule
D=$T/hp
mkdir -p "$D"
for t in nsupdate knsupdate nsd kdig python3; do
	command -v $t >/dev/null || bail "$t is not installed (tools/deps.sh)"
done
S_ACME=$(new_secret hmac-sha256) S_ADMIN=$(new_secret hmac-sha512)
S_XFR=$(new_secret hmac-sha256) S_SOA=$(new_secret hmac-sha256)
Z=example.test

cat > "$D/$Z.zone" <<EOZ
\$ORIGIN $Z.
\$TTL 300
@	IN SOA ns1 hostmaster 1 5 2 600 60
@	IN NS ns1
@	IN NS ns2
ns1	IN A 192.0.2.1
ns2	IN A 192.0.2.2
www	IN A 192.0.2.10
host30	IN A 192.0.2.30
host30	IN AAAA 2001:db8::30
host31	IN A 192.0.2.31
host31	IN TXT "host 31"
host32	IN A 192.0.2.32
host32	IN A 192.0.2.132
alias	IN CNAME www
EOZ
printf '$ORIGIN other.test.\n@ 300 IN SOA ns1 h 1 5 2 600 60\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n' \
    > "$D/other.test.zone"
cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root
	database: "$D/hp.db"
	zonesdir: "$D"
	verbosity: 2
	http-listen: $P@$HPORT
	api-token: "$TOKEN"
key:
	name: acme-key
	algorithm: hmac-sha256
	secret: "$S_ACME"
key:
	name: admin
	algorithm: hmac-sha512
	secret: "$S_ADMIN"
key:
	name: soa-key
	algorithm: hmac-sha256
	secret: "$S_SOA"
key:
	name: xfr
	algorithm: hmac-sha256
	secret: "$S_XFR"
pattern:
	name: ddns
	allow-update: 127.0.0.0/8 acme-key name=_acme-challenge,_acme-challenge.* type=TXT
	allow-update: 127.0.0.0/8 admin
	allow-update: $NOKEY_A NOKEY name=nokey type=A
	allow-update: 127.0.0.0/8 soa-key name=@ type=SOA
zone:
	name: $Z
	zonefile: $Z.zone
	include-pattern: ddns
	notify: $NSD_A@$NSD_P xfr
	provide-xfr: $NSD_A xfr
	provide-xfr: 127.0.0.1 NOKEY
	update-wait: 10
zone:
	name: other.test
	zonefile: other.test.zone
	provide-xfr: 127.0.0.1 NOKEY
EOC
hp() { "$HPAGENT" -c "$D/agent.conf" "$@"; }
start_hpagent_nsd "$D/agent.conf" "$P" "$PORT" "$NSD_A" "$NSD_P" "$S_XFR" $Z other.test

Y_ACME=hmac-sha256:acme-key:$S_ACME Y_ADMIN=hmac-sha512:admin:$S_ADMIN
Y_SOA=hmac-sha256:soa-key:$S_SOA
# nsu KEYSPEC [NSUPDATE OPTIONS]: nsupdate with the commands on stdin,
# against hpagent; its output (and "rc=N") in $T/nsu.out
nsu() {
	y=$1; shift
	{ echo "server $P $PORT"; cat; echo send; } |
	    nsupdate ${y:+-y "$y"} "$@" > "$T/nsu.out" 2>&1
	echo "rc=$?" >> "$T/nsu.out"
}
ksu() {
	y=$1; shift
	{ echo "server $P $PORT"; cat; echo send; } |
	    knsupdate ${y:+-y "$y"} "$@" > "$T/nsu.out" 2>&1
	echo "rc=$?" >> "$T/nsu.out"
}
serial() { kdig @$P -p $PORT +short +timeout=2 $Z SOA | awk '{ print $3 }'; }
# q OWNER TYPE: the rdata of OWNER.$Z TYPE in hpagent's AXFR (hpagent
# answers SOA and transfers only), sorted, on one line
q() {
	o="$1.$Z."; [ "$1" = @ ] && o="$Z."
	kdig @$P -p $PORT +timeout=2 $Z AXFR 2>/dev/null | awk -v o="$o" -v t="$2" \
	    '$1 == o && $4 == t { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' |
	    sort | sed 's/$/ /' | tr -d '\n'
}
qn() { kdig @$NSD_A -p $NSD_P +short +timeout=2 "$1.$Z" "$2" | sort | tr '\n' ' '; }
nsu_ok() { expect_grep "$1" '^rc=0$' "$T/nsu.out"; }
nsu_rcode() { expect_grep "$1" "update failed: $2" "$T/nsu.out"; }
# the zone as hpagent shows it, for "nothing changed"
snap() { hp show $Z > "$T/snap.$1"; }
same() { check "$1" cmp -s "$T/snap.$2" "$T/snap.$3"; }

# ---- the ACME rule, as the issue writes it ------------------------------
s0=$(serial)
nsu "$Y_ACME" <<EOF
zone $Z
update add _acme-challenge.$Z 60 TXT "token-one"
EOF
nsu_ok "nsupdate (acme-key, UDP): TXT at _acme-challenge: NOERROR"
# update-wait: 10: the NOERROR came once NSD serves it: ask NSD at once
expect_eq "update-wait: NSD already serves the TXT when nsupdate returns" \
    '"token-one" ' "$(qn _acme-challenge TXT)"
expect_grep "update-wait: logged as served by every secondary" \
    "UPDATE of $Z. serial [0-9]+: every secondary serves it" "$T/primary.log"
nsu "$Y_ACME" -v <<EOF
zone $Z
update add _acme-challenge.www.$Z 60 TXT "token-two"
EOF
nsu_ok "nsupdate (acme-key, TCP): TXT at _acme-challenge.www: NOERROR"
expect_eq "hpagent serves _acme-challenge.www TXT" '"token-two" ' \
    "$(q _acme-challenge.www TXT)"
nsu "$Y_ACME" <<EOF
zone $Z
update delete _acme-challenge.$Z TXT "token-one"
EOF
nsu_ok "nsupdate (acme-key): delete the TXT RR: NOERROR"
expect_eq "the deleted TXT is gone (hpagent and NSD)" "|" \
    "$(q _acme-challenge TXT)|$(qn _acme-challenge TXT)"
snap a
nsu "$Y_ACME" <<EOF
zone $Z
update add www.$Z 60 A 192.0.2.99
EOF
nsu_rcode "acme-key adding an A at www: REFUSED" REFUSED
nsu "$Y_ACME" <<EOF
zone $Z
update add _acme-challenge.x.$Z 60 TXT "ok"
update add www.$Z 60 TXT "not at an _acme-challenge name"
EOF
nsu_rcode "acme-key: an allowed TXT and a TXT at www in one message: REFUSED" REFUSED
nsu "$Y_ACME" <<EOF
zone $Z
update delete _acme-challenge.www.$Z
EOF
nsu_rcode "acme-key deleting every RRset at a name (type=TXT only): REFUSED" REFUSED
snap b
same "policy violations changed nothing" a b
expect_grep "a policy violation is logged with the name and type" \
    "refused UPDATE of $Z. from 127.0.0.1 \(key acme-key\): add www A is not allowed" \
    "$T/primary.log"

# ---- TSIG failures, unsigned, NOKEY -------------------------------------
nsu "hmac-sha256:nokey:$S_ACME" <<EOF
zone $Z
update add x.$Z 60 A 192.0.2.1
EOF
nsu_rcode "an unknown key: NOTAUTH (BADKEY)" 'NOTAUTH\(BADKEY\)'
nsu "hmac-sha256:acme-key:$(new_secret hmac-sha256)" <<EOF
zone $Z
update add _acme-challenge.$Z 60 TXT "wrong secret"
EOF
nsu_rcode "the right key name with a wrong secret: NOTAUTH (BADSIG)" 'NOTAUTH\(BADSIG\)'
nsu "" <<EOF
zone $Z
update add x.$Z 60 A 192.0.2.1
EOF
nsu_rcode "unsigned from an address no NOKEY rule names: REFUSED" REFUSED
snap c
same "TSIG failures and unsigned updates changed nothing" b c
nsu "" <<EOF
local $NOKEY_A
zone $Z
update add nokey.$Z 60 A 192.0.2.77
EOF
nsu_ok "unsigned from the NOKEY rule's address, an A at nokey: NOERROR"
expect_grep "a bad signature is logged" \
    "bad signature from 127.0.0.1 \(key acme-key., zone $Z.\): answered NOTAUTH" \
    "$T/primary.log"

# ---- zones ----------------------------------------------------------------
nsu "$Y_ADMIN" <<EOF
zone nothere.test
update add x.nothere.test 60 A 192.0.2.1
EOF
nsu_rcode "a zone not held here: NOTAUTH" NOTAUTH
nsu "$Y_ADMIN" <<EOF
zone other.test
update add x.other.test 60 A 192.0.2.1
EOF
nsu_rcode "a zone held without allow-update: REFUSED" REFUSED
nsu "$Y_ADMIN" <<EOF
zone $Z
update add x.other.test 60 A 192.0.2.1
EOF
nsu_rcode "an RR outside the zone: NOTZONE" NOTZONE

# ---- prerequisites (admin) ------------------------------------------------
s1=$(serial)
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq nxdomain new.$Z
update add new.$Z 60 A 192.0.2.50
EOF
nsu_ok "prereq NXDOMAIN (name not in use) holds: the add is done"
expect_eq "new A served" "192.0.2.50 " "$(q new A)"
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq nxdomain new.$Z
update add new.$Z 60 A 192.0.2.51
EOF
nsu_rcode "prereq NXDOMAIN on a name in use: YXDOMAIN" YXDOMAIN
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq yxdomain missing.$Z
update add new.$Z 60 A 192.0.2.52
EOF
nsu_rcode "prereq YXDOMAIN on a missing name: NXDOMAIN" NXDOMAIN
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq yxdomain $Z
update add yx.$Z 60 A 192.0.2.53
EOF
nsu_ok "prereq YXDOMAIN on the apex holds"
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq yxrrset missing.$Z A
update add new.$Z 60 A 192.0.2.54
EOF
nsu_rcode "prereq YXRRSET (value independent) on a missing RRset: NXRRSET" NXRRSET
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq yxrrset www.$Z A
update add www.$Z 60 TXT "www has an A"
EOF
nsu_ok "prereq YXRRSET (value independent) holds"
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq nxrrset www.$Z A
update add new.$Z 60 A 192.0.2.55
EOF
nsu_rcode "prereq NXRRSET on an existing RRset: YXRRSET" YXRRSET
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq yxrrset host32.$Z A 192.0.2.32
update add new.$Z 60 A 192.0.2.56
EOF
nsu_rcode "prereq YXRRSET (value dependent) with one RR of two: NXRRSET" NXRRSET
nsu "$Y_ADMIN" -v <<EOF
zone $Z
prereq yxrrset host32.$Z A 192.0.2.132
prereq yxrrset host32.$Z A 192.0.2.32
update add vd.$Z 60 A 192.0.2.57
EOF
nsu_ok "prereq YXRRSET (value dependent) with the whole RRset holds (TCP)"
expect_eq "its add is served" "192.0.2.57 " "$(q vd A)"
snap d
nsu "$Y_ADMIN" <<EOF
zone $Z
prereq yxdomain $Z
prereq nxrrset www.$Z A
update add fail.$Z 60 A 192.0.2.58
EOF
nsu_rcode "a later prerequisite failing fails the message: YXRRSET" YXRRSET
snap e
same "failed prerequisites changed nothing" d e

# ---- update forms (admin) -------------------------------------------------
nsu "$Y_ADMIN" <<EOF
zone $Z
update delete host30.$Z A
EOF
nsu_ok "delete an RRset (host30 A)"
expect_eq "host30: A gone, AAAA kept" "|2001:db8::30 " "$(q host30 A)|$(q host30 AAAA)"
nsu "$Y_ADMIN" <<EOF
zone $Z
update delete host31.$Z
EOF
nsu_ok "delete every RRset at a name (host31)"
expect_eq "host31: A and TXT gone" "|" "$(q host31 A)|$(q host31 TXT)"
nsu "$Y_ADMIN" <<EOF
zone $Z
update delete host32.$Z A 192.0.2.32
EOF
nsu_ok "delete one RR (host32 A 192.0.2.32)"
expect_eq "host32: the other A kept" "192.0.2.132 " "$(q host32 A)"
s2=$(serial)
nsu "$Y_ADMIN" <<EOF
zone $Z
update delete $Z NS
update delete $Z
EOF
nsu_ok "deleting the apex NS RRset, then every RRset at the apex: NOERROR"
nsu "$Y_SOA" <<EOF
zone $Z
update delete $Z SOA
EOF
nsu_ok "deleting the SOA (a type=SOA rule): NOERROR"
expect_eq "apex SOA and NS kept (RFC 2136 3.4.2.3), serial unchanged" \
    "ns1.$Z. ns2.$Z. |$s2" "$(q @ NS)|$(serial)"
nsu "$Y_ADMIN" <<EOF
zone $Z
update delete $Z NS ns1.$Z
update delete $Z NS ns2.$Z
EOF
nsu_ok "deleting both apex NS RRs one by one: NOERROR"
expect_eq "the last apex NS is kept" "ns2.$Z. " "$(q @ NS)"
nsu "$Y_ADMIN" <<EOF
zone $Z
update add alias.$Z 60 A 192.0.2.59
update add www.$Z 60 CNAME alias.$Z
EOF
nsu_ok "data beside a CNAME, a CNAME beside data: ignored, NOERROR"
expect_eq "alias stays a CNAME alone, www keeps its A" "www.$Z. |192.0.2.10 " \
    "$(q alias CNAME)|$(q www A)"
nsu "$Y_ADMIN" <<EOF
zone $Z
update add ttl.$Z 60 A 192.0.2.60
update add ttl.$Z 120 A 192.0.2.61
EOF
nsu_ok "two A RRs with different TTLs"
expect_eq "one TTL per RRset: the last one given (RFC 2181 5.2)" "120" \
    "$(kdig @$P -p $PORT $Z AXFR | awk '$1 == "ttl.'$Z'." { print $2 }' | sort -u)"
snap f
nsu "$Y_ADMIN" <<EOF
zone $Z
update add sub.$Z 60 DNAME target.example.
update add x.sub.$Z 60 A 192.0.2.62
EOF
nsu_rcode "a DNAME and a name below it in one message: REFUSED (zone rules)" REFUSED
snap g
same "all or nothing: the DNAME (valid alone) was not added either" f g
expect_grep "the zone rule is logged" "below the DNAME at sub.$Z." "$T/primary.log"
nsu "$Y_ADMIN" <<EOF
zone $Z
update add $Z 300 SOA ns1.$Z. admin.$Z. 3000 5 2 600 60
EOF
nsu_rcode "an SOA from a rule without type= (anything but the SOA): REFUSED" REFUSED
s3=$(serial)
nsu "$Y_SOA" <<EOF
zone $Z
update add $Z 300 SOA ns1.$Z. admin.$Z. 1 5 2 900 60
EOF
nsu_ok "an SOA whose serial is not ahead (type=SOA rule): NOERROR"
expect_eq "... ignored (RFC 2136 3.4.2.2): serial and fields kept" "$s3 600" \
    "$(kdig @$P -p $PORT +short $Z SOA | awk '{ print $3, $6 }')"
nsu "$Y_SOA" <<EOF
zone $Z
update add $Z 300 SOA ns1.$Z. admin.$Z. $((s3 + 1000)) 5 2 900 60
EOF
nsu_ok "an SOA with a serial ahead (type=SOA rule): NOERROR"
expect_eq "its serial and fields are the zone's now" "$((s3 + 1000)) admin.$Z. 900" \
    "$(kdig @$P -p $PORT +short $Z SOA | awk '{ print $3, $2, $6 }')"
snap g2
python3 - "$P" "$PORT" "$Z" "$NOKEY_A" > "$T/formerr.out" 2>&1 <<'EOPY'
import socket, struct, sys
addr, port, zone, src = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\0"
# UPDATE: ZOCOUNT 1, UPCOUNT 1, an A record with 3 octets of rdata
msg = struct.pack(">HHHHHH", 0x1234, 5 << 11, 1, 0, 1, 0)
msg += name(zone) + struct.pack(">HH", 6, 1)
msg += name("nokey." + zone) + struct.pack(">HHIH", 1, 1, 60, 3) + b"\x01\x02\x03"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((src, 0))
s.settimeout(3)
s.sendto(msg, (addr, port))
r = s.recv(4096)
print("rcode=%d" % (struct.unpack(">H", r[2:4])[0] & 15))
EOPY
expect_grep "a malformed UPDATE (A with 3 octets, from the NOKEY address): FORMERR" '^rcode=1$' "$T/formerr.out"
snap h
same "the malformed UPDATE changed nothing" g2 h

# EDNS (RFC 6891 7): an UPDATE with an OPT is answered with one; under
# TSIG the OPT comes before the TSIG (dnspython parses and verifies it)
/usr/bin/python3 - "$P" "$PORT" "$Z" "$NOKEY_A" "$S_ADMIN" > "$T/edns.out" 2>&1 <<'EOPY'
import sys
import dns.query, dns.rcode, dns.tsig, dns.tsigkeyring, dns.update
addr, port, zone, src, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
u = dns.update.UpdateMessage(zone)
u.add("nokey", 60, "A", "192.0.2.78")
u.use_edns(0, payload=1232)
r = dns.query.udp(u, addr, port=port, source=src, timeout=5)
print("udp nokey: %s edns=%d" % (dns.rcode.to_text(r.rcode()), r.edns))
ring = dns.tsigkeyring.from_text({"admin": ("hmac-sha512", secret)})
u = dns.update.UpdateMessage(zone, keyring=ring, keyname="admin",
    keyalgorithm=dns.tsig.HMAC_SHA512)
u.add("edns", 60, "TXT", '"over tcp"')
u.use_edns(0, payload=1232)
r = dns.query.tcp(u, addr, port=port, timeout=5)
print("tcp tsig: %s edns=%d signed=%s" % (dns.rcode.to_text(r.rcode()), r.edns, r.had_tsig))
u = dns.update.UpdateMessage(zone, keyring=ring, keyname="admin",
    keyalgorithm=dns.tsig.HMAC_SHA512)
u.delete("edns", "TXT")
r = dns.query.udp(u, addr, port=port, timeout=5)
print("udp no edns: %s edns=%d" % (dns.rcode.to_text(r.rcode()), r.edns))
import dns.message
r = dns.query.tcp(dns.message.make_query(zone, "SOA", use_edns=0), addr,
    port=port, timeout=5)
print("tcp soa: %s edns=%d" % (dns.rcode.to_text(r.rcode()), r.edns))
EOPY
expect_grep "an UPDATE with EDNS (UDP, NOKEY rule): NOERROR, the answer has an OPT" \
    '^udp nokey: NOERROR edns=0$' "$T/edns.out"
expect_grep "... over TCP under TSIG: the OPT before the TSIG, verified" \
    '^tcp tsig: NOERROR edns=0 signed=True$' "$T/edns.out"
expect_grep "... without EDNS: no OPT in the answer" \
    '^udp no edns: NOERROR edns=-1$' "$T/edns.out"
expect_grep "an SOA query with EDNS over TCP: the answer has an OPT too" \
    '^tcp soa: NOERROR edns=0$' "$T/edns.out"

# ---- knsupdate ------------------------------------------------------------
ksu "$Y_ADMIN" <<EOF
zone $Z.
update add knot.$Z. 60 A 192.0.2.70
update add knot.$Z. 60 TXT "from knsupdate"
EOF
expect_grep "knsupdate (UDP): add A and TXT" '^rc=0$' "$T/nsu.out"
ksu "$Y_ADMIN" -v <<EOF
zone $Z.
prereq yxrrset knot.$Z. A
update del knot.$Z. TXT
EOF
expect_grep "knsupdate (TCP): prereq YXRRSET, delete the TXT RRset" '^rc=0$' "$T/nsu.out"
expect_eq "knot: A kept, TXT gone" "192.0.2.70 |" "$(q knot A)|$(q knot TXT)"
ksu "$Y_ADMIN" <<EOF
zone $Z.
prereq nxdomain knot.$Z.
update add knot2.$Z. 60 A 192.0.2.71
EOF
expect_grep "knsupdate: prereq NXDOMAIN on a name in use: YXDOMAIN" 'YXDOMAIN' "$T/nsu.out"
expect_eq "NSD serves the last change (NOTIFY, IXFR)" "192.0.2.70 " "$(qn knot A)"

# ---- history -----------------------------------------------------------------
hp history $Z > "$T/history.out" 2>&1
expect_grep "history: a ddns version with the key acme-key" ' ddns .*acme-key' "$T/history.out"
expect_grep "history: a ddns version with the key admin" ' ddns .*admin' "$T/history.out"

# ---- updates and imports ----------------------------------------------------
# a big change of the file imported while updates run: both land
awk 'BEGIN { for (i = 0; i < 30000; i++) printf "bulk%d IN A 10.%d.%d.1\n", i, int(i / 250), i % 250 }' \
    >> "$D/$Z.zone"
hp import $Z > "$T/import2.log" 2>&1 &
imp=$!
i=0
while [ $i -lt 5 ]; do
	nsu "$Y_ACME" <<EOF
zone $Z
update add _acme-challenge.during$i.$Z 60 TXT "during $i"
EOF
	grep -q '^rc=0$' "$T/nsu.out" || diag "update $i during the import: $(cat "$T/nsu.out")"
	i=$((i + 1))
done
wait $imp
expect_eq "the import during the updates succeeded" 0 "$?"
n=0
for i in 0 1 2 3 4; do [ -n "$(q _acme-challenge.during$i TXT)" ] && n=$((n + 1)); done
expect_eq "all 5 updates during the import are served" 5 "$n"
expect_eq "and the import's records too" "10.0.7.1 " "$(q bulk7 A)"
echo "extra IN A 192.0.2.200" >> "$D/$Z.zone"
hp import $Z > "$T/import3.log" 2>&1
expect_eq "a later import of the file keeps what UPDATEs added" \
    "\"token-two\" |192.0.2.57 |192.0.2.200 " \
    "$(q _acme-challenge.www TXT)|$(q vd A)|$(q extra A)"
expect_eq "and does not bring back what UPDATEs deleted" "|" \
    "$(q host31 A)|$(q host30 A)"

# ---- an UPDATE right after a direct SQL edit ------------------------------
# The edit still pending (the daemon looks every 0.1 s) is published
# first, as its own version; either way both are served.
sql() { sqlite3 -cmd '.timeout 5000' "$D/hp.db" "$@"; }
sql "INSERT INTO records(zone_id, owner, type, class, ttl, rdata) SELECT id,
    'sqledit.$Z.', 1, 1, 300, X'C0000246' FROM zones WHERE name = '$Z.'"
nsu "$Y_ADMIN" <<EOF
zone $Z
update add afteredit.$Z 60 A 192.0.2.71
EOF
nsu_ok "an UPDATE right after an SQL edit: NOERROR"
expect_eq "both the SQL edit and the update are served" \
    "192.0.2.70 |192.0.2.71 " "$(q sqledit A)|$(q afteredit A)"
expect_eq "nothing is left pending" 0 "$(sql "SELECT count(*) FROM pending")"
expect_eq "history: the SQL edit's version, then the update's" "sql ddns" \
    "$(hp history $Z | tail -2 | awk '{ print $3 }' | tr '\n' ' ' | sed 's/ $//')"
# A row that does not validate: the update is refused as the edit would
# be published (SERVFAIL), nothing changes, the zone is held; mended, the
# next update goes through.
sql "INSERT INTO records(zone_id, owner, type, class, ttl, rdata) SELECT id,
    'badrow.$Z.', 1, 1, 300, X'C00002' FROM zones WHERE name = '$Z.'"
s_held=$(serial)
nsu "$Y_ADMIN" <<EOF
zone $Z
update add whileheld.$Z 60 A 192.0.2.72
EOF
nsu_rcode "an UPDATE while an SQL edit does not validate: SERVFAIL" SERVFAIL
expect_eq "nothing changed: the serial stays, the record is not there" \
    "$s_held|" "$(serial)|$(q whileheld A)"
check "status: the zone is held, the bad row named" sh -c \
    "'$HPAGENT' -c '$D/agent.conf' status $Z | grep -q 'held at serial .*badrow'"
sql "DELETE FROM records WHERE owner = 'badrow.$Z.'"
nsu "$Y_ADMIN" <<EOF
zone $Z
update add whileheld.$Z 60 A 192.0.2.72
EOF
nsu_ok "mended: the update goes through"
expect_eq "its record is served" "192.0.2.72 " "$(q whileheld A)"
check "status: not held any more" sh -c \
    "! '$HPAGENT' -c '$D/agent.conf' status $Z | grep -q held"

# ---- /metrics: updates by RCODE --------------------------------------------
curl -s -m 5 -H "Authorization: Bearer $TOKEN" "http://$P:$HPORT/metrics" \
    > "$T/metrics"
um() { awk -v m="hpagent_updates_total{rcode=\"$1\"}" '$1 == m { print $2 }' "$T/metrics"; }
check "/metrics: hpagent_updates_total is a counter" \
    grep -q '^# TYPE hpagent_updates_total counter$' "$T/metrics"
expect_eq "/metrics: a line for every RCODE an UPDATE may get" 11 \
    "$(grep -c '^hpagent_updates_total{rcode="[A-Z]*"} [0-9]*$' "$T/metrics")"
check "/metrics: NOERROR, REFUSED, NOTAUTH, FORMERR, SERVFAIL, YXDOMAIN and NXRRSET counted" \
    sh -c "[ '$(um NOERROR)' -ge 20 ] && [ '$(um REFUSED)' -ge 1 ] &&
    [ '$(um NOTAUTH)' -ge 1 ] && [ '$(um FORMERR)' -ge 1 ] &&
    [ '$(um SERVFAIL)' -ge 1 ] && [ '$(um YXDOMAIN)' -ge 1 ] &&
    [ '$(um NXRRSET)' -ge 1 ]"

# ---- update-wait with the secondary down ----------------------------------
stop_daemon nsd
sed -i 's/update-wait: 10/update-wait: 2/' "$D/agent.conf"
kill -HUP "$PID_primary"
sleep 0.5
t0=$(now_ms)
nsu "$Y_ACME" <<EOF
zone $Z
update add _acme-challenge.down.$Z 60 TXT "secondary down"
EOF
t1=$(now_ms)
nsu_ok "update-wait: 2 with NSD down: still NOERROR (committed)"
expect_eq "answered after the wait (2..9 s)" yes \
    "$([ $((t1 - t0)) -ge 1900 ] && [ $((t1 - t0)) -le 9000 ] && echo yes)"
expect_grep "the wait's end is logged" \
    "update-wait: 2 s passed, not yet served by $NSD_A@$NSD_P" "$T/primary.log"
finish_primary
