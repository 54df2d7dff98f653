#!/bin/sh
# The webhook/API server's authentication, with curl as the sender and
# tests/tools/httptest (agent/http/http.c with stub actions) as the server.
. "$(dirname "$0")/../lib.sh"
plan 36
HT=$BUILD/tests/tools/httptest
ADDR=127.0.7.21 PORT=31151
U=http://$ADDR:$PORT
SECRET='It'"'"'s a Secret to Everybody'
TOKEN=api-token-0123456789

bg ht "$HT" -l "$ADDR@$PORT" -s "$SECRET" -t "$TOKEN" -m 100000 -T 2
wait_for 5 grep -q ready "$T/ht.log" || { fail "httptest started"; exit 1; }

# post NAME EXPECTED_CODE [curl args...]: body in $T/NAME.out
post() {
	n=$1 want=$2; shift 2
	code=$(curl -s -o "$T/$n.out" -w '%{http_code}' --max-time 10 "$@")
	expect_eq "$n: HTTP $want" "$want" "$code"
}
hmac() { printf %s "$1" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.*= //'; }
calls() { grep -cE '^(publish|rollback) ' "$T/ht.log"; }

# GitHub's documented example (docs.github.com, "Validating webhook
# deliveries"): secret and payload give this signature.
BODY='Hello, World!'
SIG=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
# (a precondition of the test, not a check of hpagent)
[ "$(hmac "$BODY")" = "$SIG" ] || bail "openssl dgst -hmac does not give GitHub's test vector"

post valid_signature 200 -H "X-Hub-Signature-256: sha256=$SIG" \
    --data-binary "$BODY" "$U/v1/zones/example.com/publish"
expect_grep "valid signature: publish called with the body" \
    '^publish example\.com\. body len=13 wait=0' "$T/ht.log"
expect_grep "valid signature: JSON answer" '"zone":"example.com."' \
    "$T/valid_signature.out"

n0=$(calls)
post wrong_signature 401 -H "X-Hub-Signature-256: sha256=$(hmac x)" \
    --data-binary "$BODY" "$U/v1/zones/example.com/publish"
expect_grep "wrong signature: JSON error" '^\{"error":"X-Hub-Signature-256 does not match' \
    "$T/wrong_signature.out"
post missing_signature 401 --data-binary "$BODY" \
    "$U/v1/zones/example.com/publish"
expect_grep "missing signature: JSON error" '"error":"missing signature' \
    "$T/missing_signature.out"
post replayed_body 401 -H "X-Hub-Signature-256: sha256=$SIG" \
    --data-binary "$BODY!" "$U/v1/zones/example.com/publish"
post malformed_signature 401 -H "X-Hub-Signature-256: $SIG" \
    --data-binary "$BODY" "$U/v1/zones/example.com/publish"
post short_signature 401 -H "X-Hub-Signature-256: sha256=${SIG%??}" \
    --data-binary "$BODY" "$U/v1/zones/example.com/publish"
post right_and_wrong 401 -H "X-Hub-Signature-256: sha256=$SIG" \
    -H "Authorization: Bearer nope" --data-binary "$BODY" \
    "$U/v1/zones/example.com/publish"
post wrong_bearer 401 -H "Authorization: Bearer $TOKEN-" -X POST \
    "$U/v1/zones/example.com/publish"
post gitlab_wrong 401 -H "X-Gitlab-Token: $TOKEN" -X POST \
    "$U/v1/zones/example.com/publish"
expect_eq "nothing done for refused requests" "$n0" "$(calls)"

post gitea_signature 200 -H "X-Gitea-Signature: $SIG" \
    -H 'X-Gitea-Event: push' -H 'Content-Type: application/json' \
    --data-binary "$BODY" "$U/v1/zones/example.com/publish"
expect_grep "webhook event: publish fetches the source" \
    '^publish example\.com\. fetch len=0' "$T/ht.log"
post gitlab_token 200 -H "X-Gitlab-Token: $SECRET" \
    -H 'X-Gitlab-Event: Push Hook' -X POST "$U/v1/zones/example.org/publish"
expect_grep "GitLab token accepted" '^publish example\.org\. fetch' \
    "$T/ht.log"
post github_ping 200 -H "X-Hub-Signature-256: sha256=$SIG" \
    -H 'X-GitHub-Event: ping' --data-binary "$BODY" \
    "$U/v1/zones/example.net/publish"
expect_grep "ping answered" '"event":"ping"' "$T/github_ping.out"
check "ping does not publish" sh -c "! grep -q 'publish example.net' '$T/ht.log'"

printf '$ORIGIN example.com.\n@ 300 IN SOA ns h 1 2 3 4 5\n' > "$T/zone"
post bearer_token 200 -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: text/dns' --data-binary "@$T/zone" \
    "$U/v1/zones/EXAMPLE.com./publish"
expect_grep "bearer: zone text handed over, name normalised" \
    "^publish example\\.com\\. body len=$(wc -c < "$T/zone" | tr -d ' ') wait=0" \
    "$T/ht.log"
post rollback 200 -H "Authorization: bearer $TOKEN" \
    --data-binary '{"serial": 2026112401}' "$U/v1/zones/example.com/rollback"
expect_grep "rollback serial parsed" '^rollback example\.com\. serial=2026112401' \
    "$T/ht.log"

post get_without_token 401 "$U/v1/zones"
post get_with_token 200 -H "Authorization: Bearer $TOKEN" "$U/v1/zones"
post metrics_without_token 401 "$U/metrics"
post metrics 200 -H "Authorization: Bearer $TOKEN" "$U/metrics"
expect_grep "metrics count auth failures" \
    '^hpagent_http_auth_failures_total [1-9]' "$T/metrics.out"
expect_grep "the log has the refused requests (the lines a secret could leak into)" \
    'refused: X-Hub-Signature-256 does not match the body' "$T/ht.log"
check "the secret never appears in the log" sh -c \
    "! grep -qF -- '$TOKEN' '$T/ht.log' && ! grep -qF 'Secret to' '$T/ht.log'"

# POST with nothing configured: 403 for everyone.
bg ht2 "$HT" -l "$ADDR@$((PORT + 10))"
check "a second httptest (nothing configured) starts" wait_for 5 grep -q ready "$T/ht2.log"
post unconfigured 403 -H "X-Hub-Signature-256: sha256=$SIG" \
    --data-binary "$BODY" "http://$ADDR:$((PORT + 10))/v1/zones/example.com/publish"
post unconfigured_get_open 200 "http://$ADDR:$((PORT + 10))/v1/zones"
check "httptest still running" kill -0 "$PID_ht"
