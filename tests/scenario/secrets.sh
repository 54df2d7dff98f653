#!/bin/sh
# source: URLs carry credentials (user:password, a token in the query
# string or the fragment). None of them is shown or kept: not by
# check-conf -v, not by GET /v1/zones/{zone}, not in a 502 answer of a
# failed fetch, not in the daemon's log or an import's error, not in the
# database file. What is shown is the URL with those parts replaced by
# ***. (TSIG secrets, webhook-secret: and api-token: are the config
# scenario's.)
. "$(dirname "$0")/../lib.sh"
plan 15
P=127.0.16.61 PORT=33161 HPORT=33162 ZS=127.0.16.62 ZPORT=33163
PW=hunter2-pw-SeCrEt TOK=tok-SeCrEt-42 FRAG=frag-SeCrEt-43
SECRET=webhook-secret-0123456789
TOKEN=api-token-0123456789abcdef
D=$T/hp
mkdir -p "$D"
. "$TOP/tests/scenario/lib_listeners.sh"
small_zone example.test > "$D/src.zone"
SRC="http://alice:$PW@$ZS:$ZPORT/zone?private_token=$TOK&ref=main#access_token=$FRAG"
BAD="http://bob:$PW@$ZS:$ZPORT/404?private_token=$TOK"
listener_conf "$D/agent.conf" "verbosity: 3" <<EOC
zone:
	name: example.test
	source: "$SRC"
	provide-xfr: $P NOKEY
zone:
	name: bad.test
	source: "$BAD"
	provide-xfr: $P NOKEY
EOC
H() { "$HPAGENT" -c "$D/agent.conf" "$@"; }
# leaks FILE...: the lines of FILEs (binary too) that hold a secret
leaks() { grep -a -c -e "$PW" -e "$TOK" -e "$FRAG" "$@" 2>/dev/null | awk -F: '{ s += $NF } END { print s + 0 }'; }
bg zs python3 "$TOP/tests/tools/zonesrv.py" "$ZS" "$ZPORT" "$D/src.zone"
wait_for 5 grep -q ready "$T/zs.log" || bail "the python3 zone server did not start"

H -v check-conf > "$T/checkconf.out" 2>&1
expect_eq "check-conf -v: no secret of a source: URL" 0 "$(leaks "$T/checkconf.out")"
expect_grep "check-conf -v: the URL shown redacted" "source: http://\\*\\*\\*@$ZS:$ZPORT/zone\\?\\*\\*\\*#\\*\\*\\*" "$T/checkconf.out"

H import example.test > "$T/import.out" 2>&1
expect_eq "import from the URL: exit 0" 0 $?
H import bad.test > "$T/import_bad.out" 2>&1
expect_eq "a failed fetch: exit 10" 10 $?
expect_eq "... its message holds no secret" 0 "$(leaks "$T/import_bad.out")"
expect_grep "... and says what failed" "fetch http://\\*\\*\\*@$ZS:$ZPORT/404\\?\\*\\*\\*: HTTP 404" "$T/import_bad.out"

bg hp "$HPAGENT" -c "$D/agent.conf" serve
A="Authorization: Bearer $TOKEN"
wait_for 10 sh -c "curl -s -o /dev/null -H '$A' http://$P:$HPORT/v1/zones" || { fail "the daemon answers HTTP"; exit 1; }
code=$(curl -s -o "$T/zone.json" -w '%{http_code}' -H "$A" "http://$P:$HPORT/v1/zones/example.test")
expect_eq "GET /v1/zones/example.test: 200" 200 "$code"
expect_eq "... no secret in it" 0 "$(leaks "$T/zone.json")"
expect_grep "... the source shown redacted" "\"source\":\"http://\\*\\*\\*@$ZS:$ZPORT/zone\\?\\*\\*\\*#\\*\\*\\*\"" "$T/zone.json"

# A push event makes the daemon fetch: the failing one answers 502.
hmac() { printf %s "$1" | openssl dgst -sha256 -hmac "$SECRET" | sed 's/^.*= //'; }
EV='{"ref":"refs/heads/main"}'
code=$(curl -s -o "$T/push_bad.json" -w '%{http_code}' -H "X-Hub-Signature-256: sha256=$(hmac "$EV")" \
    -H 'X-GitHub-Event: push' -H 'Content-Type: application/json' --data-binary "$EV" \
    "http://$P:$HPORT/v1/zones/bad.test/publish")
expect_eq "a push whose fetch fails: 502" 502 "$code"
expect_eq "... no secret in the answer" 0 "$(leaks "$T/push_bad.json")"
code=$(curl -s -o "$T/push.json" -w '%{http_code}' -H "X-Hub-Signature-256: sha256=$(hmac "$EV")" \
    -H 'X-GitHub-Event: push' -H 'Content-Type: application/json' --data-binary "$EV" \
    "http://$P:$HPORT/v1/zones/example.test/publish")
expect_eq "a push whose fetch works: 200" 200 "$code"
stop_pid "$PID_hp"

expect_eq "the daemon's log and stderr hold no secret (verbosity 3)" 0 "$(leaks "$D/hp.log" "$T/hp.log")"
# The database and its journal, as files, after the fetches kept their
# validators: no secret in any page.
sqlite3 "$D/hp.db" 'PRAGMA wal_checkpoint(TRUNCATE);' > /dev/null 2>&1
expect_grep "the sources table keeps the URL redacted, with a digest" "^http://\\*\\*\\*@$ZS:$ZPORT/zone\\?\\*\\*\\*#\\*\\*\\* sha256:[0-9a-f]{64}\$" \
    "$(sqlite3 "$D/hp.db" "SELECT url FROM sources WHERE zone = 'example.test.'" > "$T/url.out"; echo "$T/url.out")"
expect_eq "the database file holds no secret" 0 "$(leaks "$D/hp.db" "$D/hp.db-wal")"
