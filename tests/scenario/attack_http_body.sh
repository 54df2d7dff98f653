#!/bin/sh
# The HTTP API against bodies sent by someone without a credential, with
# the daemon's own defaults (max-zone-size 256 MiB, webhook-max-body
# 64 MiB): a request is judged on its head, so a 250 MB body without a
# credential (or with a wrong token, or with a signature over a body
# larger than webhook-max-body) is answered before it is read and the
# daemon's memory does not grow; three such bodies at once neither.
# Smuggling shapes are refused: a duplicate Content-Length, a
# Transfer-Encoding, a Content-Length with spaces in its name. What a
# credential allows still goes through (a 1 MB zone under the token).
# The figures: docs/ROBUSTNESS.md, "Listeners under attack".
. "$(dirname "$0")/../lib.sh"
plan 24
P=127.0.16.1 PORT=33101 HPORT=33102 C=127.0.16.2
U=http://$P:$HPORT
SECRET=webhook-secret-0123456789
TOKEN=api-token-0123456789abcdef
# the RSS a request may add to the daemon ("a few MB": buffers, not bodies)
GROWTH_KB=8192
D=$T/hp
mkdir -p "$D"
. "$TOP/tests/scenario/lib_listeners.sh"
small_zone example.test > "$D/z.zone"
listener_conf "$D/agent.conf" <<EOC
zone:
	name: example.test
	zonefile: "$D/z.zone"
	provide-xfr: $C NOKEY
EOC
H() { "$HPAGENT" -c "$D/agent.conf" "$@"; }
serial() { H zones 2>/dev/null | awk '$1 == "example.test." { print $2 }'; }
H import example.test > /dev/null || bail "initial import"
bg hp "$HPAGENT" -c "$D/agent.conf" serve
wait_for 10 sh -c "curl -s -o /dev/null -H 'Authorization: Bearer $TOKEN' $U/v1/zones" &&
    ok "the daemon answers HTTP" || { fail "the daemon answers HTTP"; exit 1; }
rss() { awk '/VmRSS/ { print $2 }' /proc/$PID_hp/status; }
hwm() { awk '/VmHWM/ { print $2 }' /proc/$PID_hp/status; }
# grew DESC BEFORE_KB: the daemon's peak RSS is within GROWTH_KB of BEFORE
grew() {
	if [ "$UNDER_ASAN" = 1 ]; then
		skip "$1" "under ASan: VmHWM $(hwm) KiB incl. shadow and quarantine"
	else expect_le "$1 (VmHWM $(hwm) KiB, before $2 KiB)" $(( $(hwm) - $2 )) $GROWTH_KB; fi
}

# 250 MB without any credential: 401 on the head, the body never read.
printf 'POST /v1/zones/example.test/publish HTTP/1.1\nHost: x\nContent-Type: text/dns\nContent-Length: 250000000\n' > "$T/noauth.head"
r0=$(rss)
out=$($RAW $P $HPORT body "$T/noauth.head" 250000000)
diag "no credential: $out"
expect_eq "250 MB without a credential: 401" 401 "$(field "$out" status)"
expect_le "... answered before 16 MB of the body were sent" "$(field "$out" sent)" 16777216
grew "... the daemon did not grow by more than $GROWTH_KB KiB" "$r0"

# The same with a wrong bearer token.
printf 'POST /v1/zones/example.test/publish HTTP/1.1\nHost: x\nAuthorization: Bearer wrong-token-0123456\nContent-Length: 250000000\n' > "$T/badtok.head"
out=$($RAW $P $HPORT body "$T/badtok.head" 250000000)
diag "wrong token: $out"
expect_eq "250 MB with a wrong token: 401" 401 "$(field "$out" status)"
expect_le "... answered before 16 MB were sent" "$(field "$out" sent)" 16777216

# A signature can only be checked with the body: a body over
# webhook-max-body (64 MiB by default) is refused on its length.
printf 'POST /v1/zones/example.test/publish HTTP/1.1\nHost: x\nX-Hub-Signature-256: sha256=%064d\nContent-Length: 250000000\n' 0 > "$T/sig.head"
out=$($RAW $P $HPORT body "$T/sig.head" 250000000)
diag "signature only: $out"
expect_eq "250 MB under a signature only: 413" 413 "$(field "$out" status)"
expect_le "... answered before 16 MB were sent" "$(field "$out" sent)" 16777216
grew "... the daemon did not grow by more than $GROWTH_KB KiB" "$r0"

# Three at once, trickling their last part.
for i in 1 2 3; do
	$RAW $P $HPORT body "$T/noauth.head" 250000000 > "$T/three.$i" &
	pp="${pp:-} $!"
done
wait $pp
expect_eq "three 250 MB bodies at once: each 401" "401 401 401" \
    "$(for i in 1 2 3; do field "$(cat "$T/three.$i")" status; done | tr '\n' ' ' | sed 's/ $//')"
grew "... the daemon did not grow by more than $GROWTH_KB KiB" "$r0"
check "... the daemon is still running" kill -0 "$PID_hp"

# Under webhook-max-body, a body with a wrong signature is read (the
# signature can only be checked with it), then refused: it costs its size
# once, not twice or three times (no copy before the check).
printf 'POST /v1/zones/example.test/publish HTTP/1.1\nHost: x\nX-Hub-Signature-256: sha256=%064d\nContent-Length: 60000000\n' 0 > "$T/sig60.head"
r1=$(rss)
out=$($RAW $P $HPORT body "$T/sig60.head" 60000000)
expect_eq "60 MB under a wrong signature: read, then 401" 401 "$(field "$out" status)"
if [ "$UNDER_ASAN" = 1 ]; then
	skip "... it cost the daemon at most 1.25 x its size" "under ASan: VmHWM $(hwm) KiB incl. shadow and quarantine"
else expect_le "... it cost the daemon at most 1.25 x its size (VmHWM $(hwm) KiB, before $r1 KiB)" \
    $(( $(hwm) - r1 )) $(( 60000000 / 1024 * 5 / 4 )); fi

# What the token allows still goes through: a 1 MB zone.
{ cat "$D/z.zone"; i=0; while [ $i -lt 20000 ]; do echo "h$i IN A 192.0.2.$((i % 250 + 1))"; i=$((i + 1)); done; } > "$T/big.zone"
s0=$(serial)
code=$(curl -s -o "$T/big.json" -w '%{http_code}' --max-time 60 -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: text/dns' --data-binary "@$T/big.zone" "$U/v1/zones/example.test/publish")
expect_eq "a $(wc -c < "$T/big.zone")-octet zone under the token: 200" 200 "$code"
check "... published (serial $s0 moved)" test "$(serial)" != "$s0"

# Smuggling shapes, each under a valid token and with a valid zone text:
# refused, nothing published.
s1=$(serial)
zone_len=$(wc -c < "$D/z.zone")
smuggle() { # NAME EXPECTED HEADER-LINES...
	n=$1 want=$2; shift 2
	{ printf 'POST /v1/zones/example.test/publish HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n' "$TOKEN"
	  for l in "$@"; do printf '%s\r\n' "$l"; done; printf '\r\n'; cat "$D/z.zone"; } > "$T/$n.req"
	$RAW $P $HPORT raw "$T/$n.req" > "$T/$n.out"
	out=$(cat "$T/$n.out")
	expect_eq "$n: HTTP $want" "$want" "$(field "$out" status)"
	[ "$(field "$out" status)" = "$want" ] || diag "$out"
}
smuggle duplicate_content_length 400 "Content-Length: $zone_len" "Content-Length: $zone_len"
expect_grep "duplicate Content-Length: the answer says so" 'duplicate Content-Length refused' "$T/duplicate_content_length.out"
smuggle transfer_encoding 411 "Transfer-Encoding: chunked"
smuggle content_length_and_te 400 "Content-Length: $zone_len" "Transfer-Encoding: chunked"
smuggle spaced_name 400 "Content-Length : $zone_len"
expect_eq "smuggling shapes: nothing published" "$s1" "$(serial)"

# The daemon serves on: an AXFR from the listed client.
expect_axfr_show "AXFR after all this, complete" $P $PORT example.test "$D/agent.conf" -b $C
check "the refusals were logged, rate-limited" grep -q 'refused before its body' "$D/hp.log"
