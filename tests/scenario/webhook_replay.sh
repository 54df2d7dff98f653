#!/bin/sh
# Signed webhook requests replayed. A delivery id (X-GitHub-Delivery,
# X-Gitea-Delivery, X-Gitlab-Event-UUID) already accepted is refused
# (409) for a day, across a restart: an old signed zone text cannot
# revert the zone. A delivery that failed may come again. A signature
# covers the body, not the zone in the URL: a zone text authenticated
# only by a signature must name its zone ($ORIGIN or absolute names), so
# one signed for a.test is refused for b.test, and one with relative
# names and no $ORIGIN is refused everywhere (a token is not bound to a
# body: the text under a bearer token may stay relative). A rollback
# authenticated only by a signature names its zone in its body. A DELETE,
# which has no body for a signature to cover, needs a token.
. "$(dirname "$0")/../lib.sh"
plan 25
P=127.0.16.81 PORT=33181 HPORT=33182
U=http://$P:$HPORT
SECRET=webhook-secret-0123456789
TOKEN=api-token-0123456789abcdef
D=$T/hp
mkdir -p "$D"
zone() { # ZONE TXT [norigin]: a zone text, with $ORIGIN unless norigin
	[ "${3:-}" = norigin ] || printf '$ORIGIN %s.\n' "$1"
	printf '$TTL 300\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\nv IN TXT "%s"\n' "$2"
}
zone a.test initial > "$D/a.zone"; zone b.test initial > "$D/b.zone"
. "$TOP/tests/scenario/lib_listeners.sh"
listener_conf "$D/agent.conf" <<EOC
zone:
	name: a.test
	zonefile: "$D/a.zone"
	provide-xfr: $P NOKEY
zone:
	name: b.test
	zonefile: "$D/b.zone"
	provide-xfr: $P NOKEY
EOC
H() { "$HPAGENT" -c "$D/agent.conf" "$@"; }
txt() { H show "$1" 2>/dev/null | awk '$1 == "v.'"$1"'." && $4 == "TXT" { print $5 }'; }
H import a.test > /dev/null && H import b.test > /dev/null || bail "initial imports"
start() { bg hp "$HPAGENT" -c "$D/agent.conf" serve
	wait_for 10 sh -c "curl -s -o /dev/null -H 'Authorization: Bearer $TOKEN' $U/v1/zones"; }
start || { fail "the daemon answers HTTP"; exit 1; }
hmac() { openssl dgst -sha256 -hmac "$SECRET" < "$1" | sed 's/^.*= //'; }
# push NAME ZONE FILE [HEADER...]: the file, signed, to ZONE; the HTTP
# status is printed, the answer kept in $T/NAME.json
push() {
	n=$1 z=$2 f=$3; shift 3
	curl -s -o "$T/$n.json" -w '%{http_code}' --max-time 10 -H "X-Hub-Signature-256: sha256=$(hmac "$f")" \
	    -H 'Content-Type: text/dns' "$@" --data-binary "@$f" "$U/v1/zones/$z/publish"
}

# Two signed pushes, each with its delivery id; the first one replayed.
zone a.test one > "$T/one"; zone a.test two > "$T/two"
expect_eq "push 'one' (delivery d-1): 200" 200 "$(push one a.test "$T/one" -H 'X-GitHub-Delivery: d-1')"
expect_eq "push 'two' (delivery d-2): 200" 200 "$(push two a.test "$T/two" -H 'X-GitHub-Delivery: d-2')"
expect_eq "a.test serves 'two'" '"two"' "$(txt a.test)"
expect_eq "'one' replayed as it was (same body, signature, delivery id): 409" 409 \
    "$(push replay a.test "$T/one" -H 'X-GitHub-Delivery: d-1')"
expect_grep "... the answer says it is a replay" 'received before: refused as a replay' "$T/replay.json"
expect_eq "... a.test still serves 'two'" '"two"' "$(txt a.test)"
# The same for the other senders' headers.
zone a.test three > "$T/three"
expect_eq "Gitea (X-Gitea-Delivery g-1): 200" 200 "$(push g1 a.test "$T/three" -H 'X-Gitea-Delivery: g-1')"
expect_eq "... replayed: 409" 409 "$(push g1r a.test "$T/one" -H 'X-Gitea-Delivery: g-1')"
gl() { curl -s -o /dev/null -w '%{http_code}' -H "X-Gitlab-Token: $SECRET" \
    -H 'X-Gitlab-Event-UUID: 1c2d3e4f-0000-4000-8000-000000000001' --data-binary "@$1" "$U/v1/zones/a.test/publish"; }
zone a.test four > "$T/four"
expect_eq "GitLab (X-Gitlab-Event-UUID): 200" 200 "$(gl "$T/four")"
expect_eq "... replayed: 409" 409 "$(gl "$T/four")"

# A delivery that failed is not kept: sent again, it is judged again.
printf '$ORIGIN a.test.\n@ IN SOA ns1 h 1 7200 3600 1209600 300\nx IN A 999.1.1.1\n' > "$T/bad"
expect_eq "a failing push (delivery d-3): 422" 422 "$(push bad a.test "$T/bad" -H 'X-GitHub-Delivery: d-3')"
expect_eq "... the same delivery again: judged again (422), not a replay" 422 \
    "$(push bad2 a.test "$T/bad" -H 'X-GitHub-Delivery: d-3')"

# Kept in the store: a restart does not forget them.
stop_pid "$PID_hp"
start || { fail "the daemon answers HTTP again"; exit 1; }
expect_eq "after a restart, 'one' replayed (d-1): 409" 409 "$(push replay2 a.test "$T/one" -H 'X-GitHub-Delivery: d-1')"
expect_eq "... the ids are in the database" 3 "$(sqlite3 "$D/hp.db" "SELECT count(*) FROM webhook_deliveries WHERE id IN ('d-1','d-2','g-1')")"

# Bound to the zone: a text signed for a.test refused for b.test.
zone a.test cross > "$T/cross"
expect_eq "a text naming a.test, signed, sent to b.test: 422" 422 "$(push cross b.test "$T/cross")"
expect_eq "... b.test unchanged" '"initial"' "$(txt b.test)"
# Relative names and no $ORIGIN: the URL would decide the zone; refused.
zone x rel norigin > "$T/rel"
expect_eq "relative names without \$ORIGIN, signed, to b.test: 422" 422 "$(push rel b.test "$T/rel")"
expect_grep "... the answer says to name the zone" 'must name its zone' "$T/rel.json"
expect_eq "... b.test unchanged" '"initial"' "$(txt b.test)"
expect_eq "the same relative text under the bearer token: 200" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" --data-binary "@$T/rel" "$U/v1/zones/b.test/publish")"

# A signed rollback must name its zone in the body.
sa=$(H history a.test 2>/dev/null | awk 'NR == 2 { print $1 }')
printf '{"serial": %s}' "$sa" > "$T/rb"
rb() { curl -s -o "$T/$1.json" -w '%{http_code}' -H "X-Hub-Signature-256: sha256=$(hmac "$T/$2")" \
    --data-binary "@$T/$2" "$U/v1/zones/$3/rollback"; }
expect_eq "a signed rollback without a zone in its body: 422" 422 "$(rb rb1 rb a.test)"
printf '{"zone": "a.test", "serial": %s}' "$sa" > "$T/rba"
expect_eq "... naming a.test, sent to b.test: 422" 422 "$(rb rb2 rba b.test)"
expect_eq "... naming a.test, sent to a.test: 200" 200 "$(rb rb3 rba a.test)"

# A DELETE has no body: its signature would be the same for every zone.
hmac /dev/null > /dev/null || bail "openssl"
code=$(curl -s -o "$T/del.json" -w '%{http_code}' -X DELETE \
    -H "X-Hub-Signature-256: sha256=$(hmac /dev/null)" "$U/v1/zones/b.test")
expect_eq "a DELETE with only a signature (of its empty body): 401" 401 "$code"
expect_grep "... the answer says a token is needed" 'a DELETE needs a token' "$T/del.json"
