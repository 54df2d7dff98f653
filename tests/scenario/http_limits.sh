#!/bin/sh
# The webhook/API server's limits and routing: oversized and slow bodies,
# methods, unknown paths, zone names, ?wait= and deferred answers.
. "$(dirname "$0")/../lib.sh"
plan 31
HT=$BUILD/tests/tools/httptest
ADDR=127.0.7.21 PORT=31152
U=http://$ADDR:$PORT
TOKEN=limits-token
AUTH="Authorization: Bearer $TOKEN"

bg ht "$HT" -l "$ADDR@$PORT" -t "$TOKEN" -m 4096 -T 1 -W 10
wait_for 5 grep -q ready "$T/ht.log" || { fail "httptest started"; exit 1; }

req() {
	n=$1 want=$2; shift 2
	code=$(curl -s -o "$T/$n.out" -w '%{http_code}' --max-time 10 "$@")
	expect_eq "$n: HTTP $want" "$want" "$code"
}

head -c 5000 /dev/zero | tr '\0' ';' > "$T/big"
req oversize 413 -H "$AUTH" --data-binary "@$T/big" "$U/v1/zones/example.com/publish"
check "oversize: action not called" sh -c "! grep -q '^publish' '$T/ht.log'"
head -c 4000 /dev/zero | tr '\0' ';' > "$T/fits"
req under_limit 200 -H "$AUTH" --data-binary "@$T/fits" "$U/v1/zones/example.com/publish"

# A client that sends its headers and part of the body, then stalls, is
# cut off after the idle limit (1 s here) and nothing is published.
cat > "$T/slow.py" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
s.sendall(b"POST /v1/zones/slow.test/publish HTTP/1.1\r\nHost: x\r\n"
          b"Authorization: Bearer " + sys.argv[3].encode() +
          b"\r\nContent-Length: 100\r\n\r\n0123456789")
t = time.time()
try:
    data = s.recv(4096)
except socket.timeout:
    print("still open after 10 s"); sys.exit(1)
print("closed after %.1f s: %r" % (time.time() - t, data[:40]))
sys.exit(0 if time.time() - t < 5 else 1)
PY
if python3 "$T/slow.py" "$ADDR" "$PORT" "$TOKEN" > "$T/slow.out" 2>&1; then
	ok "slow body: connection cut off ($(cat "$T/slow.out"))"
else
	fail "slow body: connection cut off"; diag "$(cat "$T/slow.out")"
fi
check "slow body: action not called" sh -c "! grep -q 'publish slow.test' '$T/ht.log'"

req wrong_method 405 -H "$AUTH" -X PUT "$U/v1/zones/example.com"
expect_grep "405 JSON error" '"error":"method not allowed"' "$T/wrong_method.out"
req get_publish 405 -H "$AUTH" "$U/v1/zones/example.com/publish"
req delete_list 405 -H "$AUTH" -X DELETE "$U/v1/zones"
req unknown_path 404 -H "$AUTH" "$U/v2/zones"
req trailing_slash 404 -H "$AUTH" "$U/v1/zones/"
req bad_zone 400 -H "$AUTH" -X POST "$U/v1/zones/a%2Fb/publish"
req bad_zone_dots 400 -H "$AUTH" "$U/v1/zones/a..b/status"
req long_label 400 -H "$AUTH" \
    "$U/v1/zones/$(head -c 64 /dev/zero | tr '\0' a).com"
req status 200 -H "$AUTH" "$U/v1/zones/example.com/status"
expect_grep "status route" '^status example\.com\.$' "$T/ht.log"
req zone_404 404 -H "$AUTH" "$U/v1/zones/nowhere.test"
expect_grep "empty error answer filled in" '^\{"error":"not found"\}' "$T/zone_404.out"
req head 200 -I -H "$AUTH" "$U/v1/zones/example.com"
req rollback_bad_json 400 -H "$AUTH" --data-binary '{"serial": "7"' \
    "$U/v1/zones/example.com/rollback"
req rollback_no_serial 400 -H "$AUTH" --data-binary '{"other": 1}' \
    "$U/v1/zones/example.com/rollback"
req rollback_too_big 400 -H "$AUTH" --data-binary '{"serial": 4294967296}' \
    "$U/v1/zones/example.com/rollback"
req wait_too_long 400 -H "$AUTH" -X POST "$U/v1/zones/example.com/publish?wait=11"
req wait_not_number 400 -H "$AUTH" -X POST "$U/v1/zones/example.com/publish?wait=1s"

# A deferred answer outlives the 1 s idle limit: ?wait=2 answers after 2 s.
start=$(date +%s)
req deferred 200 -H "$AUTH" -X POST "$U/v1/zones/example.com/publish?wait=2"
el=$(( $(date +%s) - start ))
expect_grep "deferred answer" '"waited":2' "$T/deferred.out"
check "deferred answer after about 2 s (took $el s)" test "$el" -ge 1 -a "$el" -le 5

# The client gives up before the deferred answer: the server survives.
curl -s -o /dev/null --max-time 1 -H "$AUTH" -X POST \
    "$U/v1/zones/gone.test/publish?wait=2"
wait_for 5 grep -q 'deferred-reply gone.test' "$T/ht.log"
req after_gone 200 -H "$AUTH" "$U/v1/zones"
check "httptest still running" kill -0 "$PID_ht"

# Several deferred requests pending at shutdown are answered 503.
curl -s -o "$T/shut.out" -w '%{http_code}' --max-time 10 -H "$AUTH" -X POST \
    "$U/v1/zones/shut.test/publish?wait=9" > "$T/shut.code" &
cpid=$!
wait_for 5 grep -q 'publish shut.test' "$T/ht.log"
stop_pid "$PID_ht"
wait "$cpid"
expect_eq "pending request answered 503 at shutdown" 503 "$(cat "$T/shut.code")"
expect_grep "shutdown reported one deferred" 'exiting, 1 deferred' "$T/ht.log"
