#!/bin/sh
# ACME DNS-01 through the hidden primary, end to end on loopback: certbot
# (python3-certbot-dns-rfc2136, --dns-rfc2136-propagation-seconds 1) and
# lego (its rfc2136 provider, no propagation check) get certificates from
# Debian's pebble, whose -dnsserver is a real NSD secondary fed by
# hpagent. hpagent holds the UPDATE's NOERROR until NSD serves the TXT
# (update-wait:), so a one-second wait is enough; the issue's ACME rule
# (allow-update: 127.0.0.0/8 acme-key name=_acme-challenge,_acme-challenge.*
# type=TXT) as written; the challenge records removed afterwards.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
hpagent_primary_only
plan 16

P=127.0.13.31 PORT=31311	# hpagent
NSD_A=127.0.13.32 NSD_P=31312	# NSD secondary: pebble's DNS server
PB=127.0.13.33 PB_P=31313	# pebble
D=$T/hp
mkdir -p "$D" "$T/pebble"
for t in nsd pebble certbot lego openssl kdig; do
	command -v $t >/dev/null || bail "$t is not installed (tools/deps.sh)"
done
/usr/bin/python3 -c 'import certbot_dns_rfc2136' 2>/dev/null ||
    bail "python3-certbot-dns-rfc2136 is not installed (tools/deps.sh)"
S_ACME=$(new_secret hmac-sha256) S_XFR=$(new_secret hmac-sha256)
Z=example.test

cat > "$D/$Z.zone" <<EOZ
\$ORIGIN $Z.
\$TTL 300
@	IN SOA ns1 hostmaster 1 5 2 600 60
@	IN NS ns1
ns1	IN A 192.0.2.1
www	IN A 192.0.2.10
www2	IN A 192.0.2.11
EOZ
cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root
	database: "$D/hp.db"
	zonesdir: "$D"
	verbosity: 2
key:
	name: acme-key
	algorithm: hmac-sha256
	secret: "$S_ACME"
key:
	name: xfr
	algorithm: hmac-sha256
	secret: "$S_XFR"
zone:
	name: $Z
	zonefile: $Z.zone
	notify: $NSD_A@$NSD_P xfr
	provide-xfr: $NSD_A xfr
	allow-update: 127.0.0.0/8 acme-key name=_acme-challenge,_acme-challenge.* type=TXT
	update-wait: 20
EOC
chmod 600 "$D/agent.conf"
start_hpagent_nsd "$D/agent.conf" "$P" "$PORT" "$NSD_A" "$NSD_P" "$S_XFR" $Z

# pebble, with a certificate for its address, asking NSD
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pebble \
    -addext "subjectAltName=IP:$PB" -keyout "$T/pebble/key.pem" \
    -out "$T/pebble/cert.pem" > "$T/openssl.log" 2>&1 ||
    bail "openssl cannot make pebble's certificate: $(cat "$T/openssl.log")"
cat > "$T/pebble/config.json" <<EOJ
{ "pebble": { "listenAddress": "$PB:$PB_P",
  "managementListenAddress": "$PB:$((PB_P + 1))",
  "certificate": "$T/pebble/cert.pem", "privateKey": "$T/pebble/key.pem",
  "httpPort": $((PB_P + 2)), "tlsPort": $((PB_P + 3)),
  "ocspResponderURL": "", "externalAccountBindingRequired": false } }
EOJ
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 bg pebble \
    pebble -config "$T/pebble/config.json" -dnsserver "$NSD_A:$NSD_P"
pebble_up() { curl -s --cacert "$T/pebble/cert.pem" "https://$PB:$PB_P/dir" | grep -q newOrder; }
wait_for 15 pebble_up || { log_tail pebble.log; bail "pebble does not answer"; }
DIR_URL=https://$PB:$PB_P/dir

txt_at() { # SERVER PORT NAME: the TXT rdata there
	kdig @"$1" -p "$2" +short +timeout=2 "$3" TXT 2>/dev/null
}

# ---- certbot ------------------------------------------------------------
cat > "$T/rfc2136.ini" <<EOI
dns_rfc2136_server = $P
dns_rfc2136_port = $PORT
dns_rfc2136_name = acme-key
dns_rfc2136_secret = $S_ACME
dns_rfc2136_algorithm = HMAC-SHA256
EOI
chmod 600 "$T/rfc2136.ini"
t0=$(now_ms)
REQUESTS_CA_BUNDLE=$T/pebble/cert.pem certbot certonly --non-interactive \
    --agree-tos --register-unsafely-without-email --server "$DIR_URL" \
    --config-dir "$T/certbot/conf" --work-dir "$T/certbot/work" \
    --logs-dir "$T/certbot/logs" --dns-rfc2136 \
    --dns-rfc2136-credentials "$T/rfc2136.ini" \
    --dns-rfc2136-propagation-seconds 1 -d www.$Z > "$T/certbot.out" 2>&1
rc=$?
t1=$(now_ms)
expect_eq "certbot (dns-rfc2136, propagation 1 s) gets a certificate from pebble" 0 "$rc"
[ "$rc" = 0 ] || { sed 's/^/# diag:   /' "$T/certbot.out" | tail -20; log_tail primary 20; }
crt=$T/certbot/conf/live/www.$Z/cert.pem
openssl x509 -in "$crt" -noout -ext subjectAltName > "$T/san.out" 2>&1
expect_grep "its certificate is for www.$Z" "DNS:www\.$Z" "$T/san.out"
expect_grep "hpagent committed certbot's TXT (key acme-key)" \
    "UPDATE of $Z. from 127.0.0.1 \(key acme-key\): serial [0-9]+ -> [0-9]+, \+1 -0" \
    "$T/primary.log"
expect_grep "and answered once NSD served it (update-wait)" \
    "UPDATE of $Z. serial [0-9]+: every secondary serves it" "$T/primary.log"
expect_eq "certbot's challenge TXT is removed afterwards (hpagent, NSD)" "0|" \
    "$("$HPAGENT" -c "$D/agent.conf" show $Z | grep -c _acme-challenge)|$(txt_at $NSD_A $NSD_P _acme-challenge.www.$Z)"
expect_le "certbot's whole run took at most 60 s (the issue: no 60 s guess)" \
    $(( (t1 - t0) / 1000 )) 60
diag "certbot run: $((t1 - t0)) ms"

# ---- lego -----------------------------------------------------------------
t0=$(now_ms)
LEGO_CA_CERTIFICATES=$T/pebble/cert.pem RFC2136_NAMESERVER=$P:$PORT \
    RFC2136_TSIG_ALGORITHM=hmac-sha256. RFC2136_TSIG_KEY=acme-key \
    RFC2136_TSIG_SECRET=$S_ACME RFC2136_PROPAGATION_TIMEOUT=30 \
    RFC2136_POLLING_INTERVAL=1 \
    lego --accept-tos --email test@example.org --server "$DIR_URL" \
    --path "$T/lego" --dns rfc2136 --dns.resolvers "$NSD_A:$NSD_P" \
    --dns.disable-cp -d www2.$Z run > "$T/lego.out" 2>&1
rc=$?
t1=$(now_ms)
expect_eq "lego (rfc2136) gets a certificate from pebble" 0 "$rc"
[ "$rc" = 0 ] || { sed 's/^/# diag:   /' "$T/lego.out" | tail -20; log_tail primary 20; }
openssl x509 -in "$T/lego/certificates/www2.$Z.crt" -noout -ext subjectAltName \
    > "$T/san2.out" 2>&1
expect_grep "its certificate is for www2.$Z" "DNS:www2\.$Z" "$T/san2.out"
expect_eq "hpagent made a ddns version for lego's TXT" 1 \
    "$(grep -cE "UPDATE of $Z. from 127.0.0.1 \(key acme-key\): serial [0-9]+ -> [0-9]+, \+1 -0" "$T/primary.log" | awk '{ print ($1 >= 2) }')"
expect_eq "lego's challenge TXT is removed afterwards (NSD)" "" \
    "$(txt_at $NSD_A $NSD_P _acme-challenge.www2.$Z)"
expect_le "lego's whole run took at most 60 s" $(( (t1 - t0) / 1000 )) 60
diag "lego run: $((t1 - t0)) ms"

# ---- what the zone's history says -------------------------------------------
"$HPAGENT" -c "$D/agent.conf" history $Z > "$T/history.out" 2>&1
expect_eq "history: 4 ddns versions by acme-key (two adds, two deletes)" 4 \
    "$(grep -cE ' ddns .*acme-key' "$T/history.out")"
expect_grep "pebble validated against NSD" "authz.*valid|Validation|valid" \
    "$T/pebble.log"
expect_eq "no UPDATE was refused, no query failed TSIG" 0 \
    "$(grep -cE 'refused UPDATE|TSIG: .* answered NOTAUTH' "$T/primary.log")"
finish_primary
