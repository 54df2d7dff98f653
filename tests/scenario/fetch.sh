#!/bin/sh
# agent/publish/fetch.c against a python3 zone source (tests/tools/zonesrv.py):
# 200, 304 by ETag and by Last-Modified, 404, 500, redirects, a redirect
# loop, a redirect to file://, bodies over the limit, a stalled transfer,
# HTTPS with and without the right CA, local files and file:// URLs.
. "$(dirname "$0")/../lib.sh"
plan 47
FT=$BUILD/tests/tools/fetchtest
ADDR=127.0.7.21 PORT=31154 TPORT=31155
U=http://$ADDR:$PORT

printf '$ORIGIN example.com.\n@ 300 IN SOA ns h 1 2 3 4 5\n@ NS ns\n' > "$T/zone"
bg zs python3 "$TOP/tests/tools/zonesrv.py" "$ADDR" "$PORT" "$T/zone"
wait_for 5 grep -q ready "$T/zs.log" || bail "the python3 zone server did not start"

# run NAME EXPECTED_EXIT FETCHTEST_ARGS...: output in $T/NAME.out
run() {
	n=$1 want=$2; shift 2
	timeout 30 "$FT" "$@" > "$T/$n.out" 2>&1; rc=$?
	expect_eq "$n: exit $want" "$want" "$rc"
	[ "$rc" = "$want" ] || sed 's/^/# diag:   /' "$T/$n.out"
}
field() { sed -n "s/^$1=//p" "$T/$2.out"; }

run ok200 0 -o "$T/got" "$U/zone"
check "200: body is the zone file" cmp -s "$T/zone" "$T/got"
ETAG=$(field etag ok200) LM=$(field last-modified ok200)
check "200: ETag returned" test -n "$ETAG"
check "200: Last-Modified returned" test -n "$LM"

run etag304 3 -e "$ETAG" "$U/zone"
expect_grep "304: If-None-Match sent" "INM=$ETAG" "$T/zs.log"
expect_eq "304: ETag kept" "$ETAG" "$(field etag etag304)"
run lm304 3 -L "$LM" "$U/lm"
expect_grep "304: If-Modified-Since sent" "GET /lm INM=None IMS=$LM" "$T/zs.log"
run etag_changed 0 -e '"stale"' "$U/zone"

run http404 1 "$U/404"
expect_grep "404 message" "^error=fetch $U/404: HTTP 404$" "$T/http404.out"
run http500 1 "$U/500"
expect_grep "500 message" ": HTTP 500$" "$T/http500.out"
run redirect 0 "$U/redirect"
run loop 1 -r 3 "$U/loop"
expect_grep "redirect loop message" ': too many redirects \(more than 3\)' "$T/loop.out"
run no_redirects 1 -r -1 "$U/redirect"
expect_grep "redirects off: the 302 is an error" ': HTTP 302' "$T/no_redirects.out"
run to_file 1 "$U/tofile"
expect_grep "redirect to file:// refused" ': protocol not allowed' "$T/to_file.out"

run big 1 -m 100000 "$U/big?n=100001"
expect_grep "announced body over the limit" \
    ': body exceeds max-zone-size \(100000 bytes\)' "$T/big.out"
run chunked 1 -m 100000 "$U/chunked?n=1000000"
expect_grep "chunked body over the limit" ': body exceeds max-zone-size' "$T/chunked.out"
run at_limit 0 -m 100000 "$U/big?n=100000"

start=$(date +%s)
run stall 1 -t 2000 -s 1 -m 1000000 "$U/stall"
el=$(( $(date +%s) - start ))
expect_grep "stalled transfer: timeout message" ': timed out after [0-9.]+ s' "$T/stall.out"
check "stalled transfer stopped within the limit ($el s)" test "$el" -le 4

run refused 1 -c 1000 "http://$ADDR:$((PORT + 40))/zone"
expect_grep "connection refused message" ': connection failed' "$T/refused.out"
run redacted 1 "http://user:hunter2@$ADDR:$PORT/404"
check "credentials not in messages" sh -c "! grep -q hunter2 '$T/redacted.out'"
run async 0 -a -o "$T/got2" "$U/zone"
check "fetch_async: same body" cmp -s "$T/zone" "$T/got2"

# Local files: a path and file://, with the file validator.
run file 0 -o "$T/got3" "$T/zone"
check "file: body" cmp -s "$T/zone" "$T/got3"
run file_url 0 "file://$T/zone"
FETAG=$(field etag file)
run file_unchanged 3 -e "$FETAG" "$T/zone"
sleep 0.01; printf '@ A 192.0.2.1\n' >> "$T/zone"
run file_changed 0 -e "$FETAG" "$T/zone"
run file_missing 1 "$T/nonexistent"
run file_over 1 -m 10 "$T/zone"
run file_host 1 "file://elsewhere$T/zone"
run scheme 1 "ftp://$ADDR/zone"

# HTTPS: a self-signed certificate for the address.
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$ADDR" \
    -addext "subjectAltName=IP:$ADDR" -keyout "$T/key.pem" \
    -out "$T/cert.pem" > "$T/openssl.log" 2>&1; then
	bg tls python3 "$TOP/tests/tools/zonesrv.py" "$ADDR" "$TPORT" \
	    "$T/zone" --tls "$T/cert.pem" "$T/key.pem"
	wait_for 5 grep -q ready "$T/tls.log" || bail "the python3 TLS zone server did not start"
	run https_ca 0 -C "$T/cert.pem" "https://$ADDR:$TPORT/zone"
	run https_untrusted 1 "https://$ADDR:$TPORT/zone"
	expect_grep "untrusted certificate refused" ': TLS: ' "$T/https_untrusted.out"
else
	bail "openssl could not make a test certificate"
fi
