#!/bin/sh
# The HTTP API's limits, configured small: a whole request must arrive
# within http-request-timeout: (a body trickled an octet at a time is cut
# at the deadline, not kept alive by each octet), connections per address
# (http-max-connections-per-address:) and in all (http-max-connections:),
# webhook-max-body:, one request per connection; GET routes that show
# configuration need the token; a non-loopback http-listen: without
# api-token: is warned about.
. "$(dirname "$0")/../lib.sh"
plan 23
P=127.0.16.11 PORT=33111 HPORT=33112 C1=127.0.16.12 C2=127.0.16.13
U=http://$P:$HPORT
SECRET=webhook-secret-0123456789
TOKEN=api-token-0123456789abcdef
DEADLINE=3
D=$T/hp
mkdir -p "$D"
. "$TOP/tests/scenario/lib_listeners.sh"
small_zone example.test > "$D/z.zone"
listener_conf "$D/agent.conf" "http-request-timeout: $DEADLINE" \
    "http-max-connections: 8" "http-max-connections-per-address: 4" \
    "webhook-max-body: 1m" <<EOC
zone:
	name: example.test
	zonefile: "$D/z.zone"
	provide-xfr: 127.0.16.0/24 NOKEY
EOC
H() { "$HPAGENT" -c "$D/agent.conf" "$@"; }
H import example.test > /dev/null || bail "initial import"
bg hp "$HPAGENT" -c "$D/agent.conf" serve
A="Authorization: Bearer $TOKEN"
wait_for 10 sh -c "curl -s -o /dev/null -H '$A' $U/v1/zones" &&
    ok "the daemon answers HTTP" || { fail "the daemon answers HTTP"; exit 1; }
get() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 --interface "$1" -H "$A" "$U/v1/zones"; }

# A body trickled an octet every 0.5 s: cut at the deadline with 408.
printf 'POST /v1/zones/example.test/publish HTTP/1.1\nHost: x\nAuthorization: Bearer %s\nContent-Length: 1000\n' "$TOKEN" > "$T/slow.head"
out=$($RAW $P $HPORT trickle "$T/slow.head" 1000 0.5 15)
diag "trickled body: $out"
expect_eq "trickled body: 408" 408 "$(field "$out" status)"
secs=$(field "$out" secs)
expect_le "... cut within the deadline ($DEADLINE s) + 2 s, not kept alive by each octet (took $secs s)" "${secs%.*}" $((DEADLINE + 2))
# A head trickled the same way.
printf 'GET /v1/zones HTTP/1.1\r\nHost: x\r\nX-Padding: %080d\r\n\r\n' 0 > "$T/slowhead"
out=$($RAW $P $HPORT drip "$T/slowhead" 0.2 15)
diag "dripped head: $out"
expect_eq "a head sent an octet every 0.2 s: 408 at the deadline" 408 "$(field "$out" status)"
# An idle connection is closed at the deadline too.
out=$($RAW $P $HPORT idle 1 $((DEADLINE + 2)) $C2)
expect_eq "an idle connection: closed by the deadline" "closed=1" "$(echo "$out" | grep closed=)"

# Per address: 4 idle connections from C1 held; the 5th from C1 is
# closed at once, C2 is served meanwhile.
$RAW $P $HPORT idle 4 $((DEADLINE - 2)) $C1 > "$T/idle4" &
IPID=$!
wait_for 5 grep -q opened= "$T/idle4"
expect_eq "a 5th connection from the same address: closed" 000 "$(get $C1)"
expect_eq "another address meanwhile: 200" 200 "$(get $C2)"
wait $IPID
expect_eq "the 4 held ones were not closed early" "closed=0" "$(grep closed= "$T/idle4")"
expect_eq "the address is served again once they are gone" 200 "$(get $C1)"
check "refusal logged" grep -q 'http-max-connections-per-address: 4' "$D/hp.log"
# In all: 8 at most; the 9th waits in the backlog and is served once
# room is made (the listener is paused, not refusing).
$RAW $P $HPORT idle 4 2 127.0.16.21 > "$T/idleA" &
IA=$!
$RAW $P $HPORT idle 4 2 127.0.16.22 > "$T/idleB" &
IB=$!
wait_for 5 sh -c "grep -q opened= '$T/idleA' && grep -q opened= '$T/idleB'"
sleep 0.3
curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 --interface 127.0.16.23 \
    -H "$A" "$U/v1/zones" > "$T/ninth" &
CP=$!
wait $IA $IB $CP
expect_eq "a 9th connection while 8 are open: served once they close" 200 "$(cut -d' ' -f1 "$T/ninth")"
check "... after waiting for room ($(cut -d' ' -f2 "$T/ninth") s)" awk -v t="$(cut -d' ' -f2 "$T/ninth")" 'BEGIN { exit !(t >= 1) }'

# One request per connection.
curl -s -D "$T/hdr" -o /dev/null -H "$A" "$U/v1/zones"
expect_grep "answers say Connection: close" '^Connection: close' "$T/hdr"

# webhook-max-body: 1m: a 2 MB signed body refused on its length; a
# token may send more.
head -c 2000000 /dev/zero > "$T/2m"
code=$(curl -s -o "$T/sig2m.json" -w '%{http_code}' -H "X-Hub-Signature-256: sha256=$(openssl dgst -sha256 -hmac "$SECRET" < "$T/2m" | sed 's/.*= //')" \
    --data-binary "@$T/2m" "$U/v1/zones/example.test/publish")
expect_eq "2 MB under a signature only, webhook-max-body: 1m: 413" 413 "$code"
expect_grep "... the answer names webhook-max-body" 'webhook-max-body' "$T/sig2m.json"
code=$(curl -s -o "$T/tok2m.json" -w '%{http_code}' -H "$A" --data-binary "@$T/2m" "$U/v1/zones/example.test/publish")
expect_eq "2 MB under the token: read, then refused as a zone text (422)" 422 "$code"

# Bodies under a signature only, being received at once: 2 x
# webhook-max-body in all (2 MiB here); a third 1 MB one gets 503.
printf 'POST /v1/zones/example.test/publish HTTP/1.1\nHost: x\nX-Hub-Signature-256: sha256=%064d\nContent-Length: 1000000\n' 0 > "$T/sig1m.head"
$RAW $P $HPORT trickle "$T/sig1m.head" 1000000 0.2 2 > "$T/u1" &
U1=$!
$RAW 127.0.16.11 $HPORT trickle "$T/sig1m.head" 1000000 0.2 2 > "$T/u2" &
U2=$!
sleep 0.5
out=$($RAW $P $HPORT body "$T/sig1m.head" 1000000)
expect_eq "a third unverified 1 MB body while two are received: 503" 503 "$(field "$out" status)"
wait $U1 $U2

# Metrics count the refusals.
curl -s -H "$A" "$U/metrics" > "$T/metrics"
expect_grep "metrics: connections refused counted" '^hpagent_http_connections_refused_total [1-9]' "$T/metrics"
expect_grep "metrics: deadline cuts counted" '^hpagent_http_deadline_cuts_total [1-9]' "$T/metrics"

# A daemon without api-token: the GET routes that show configuration
# need one; the others stay open (for a loopback http-listen:).
P2=127.0.16.31 PORT2=33131 HPORT2=33132
sed -e "s/$P@$PORT/$P2@$PORT2/; s/$P@$HPORT/$P2@$HPORT2/; /api-token/d; s|$D/hp.db|$D/hp2.db|; s|$D/hp.log|$D/hp2.log|" \
    "$D/agent.conf" > "$D/open.conf"
"$HPAGENT" -c "$D/open.conf" import example.test > /dev/null || bail "second import"
bg hp2 "$HPAGENT" -c "$D/open.conf" serve
U2=http://$P2:$HPORT2
wait_for 10 sh -c "curl -s -o /dev/null $U2/v1/zones" || bail "the second daemon answers HTTP"
expect_eq "no api-token: GET /v1/zones open" 200 "$(curl -s -o /dev/null -w '%{http_code}' $U2/v1/zones)"
expect_eq "no api-token: GET /v1/zones/example.test (shows source:): 403" 403 \
    "$(curl -s -o "$T/z403" -w '%{http_code}' $U2/v1/zones/example.test)"
expect_eq "no api-token: GET .../status (shows secondaries): 403" 403 \
    "$(curl -s -o /dev/null -w '%{http_code}' $U2/v1/zones/example.test/status)"

# http-listen: on a non-loopback address without api-token: warned.
sed -e "s/http-listen: $P2@$HPORT2/http-listen: 0.0.0.0@$HPORT2/" "$D/open.conf" > "$D/wide.conf"
"$HPAGENT" -c "$D/wide.conf" check-conf > "$T/wide.out" 2>&1
expect_grep "check-conf warns: http-listen 0.0.0.0 without api-token" 'http-listen: 0\.0\.0\.0@[0-9]+ is not a loopback address and no api-token' "$T/wide.out"
