#!/bin/sh
# check-conf: the example configuration, an nsd.conf written for a hidden
# primary (loads with warnings only), and a broken file (every error listed
# with file:line, exit 1, secrets never printed).
. "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
plan 48

# --help
"$HPAGENT" check-conf --help > "$T/help.out" 2>&1; rc=$?
expect_eq "check-conf --help exits 0" 0 "$rc"
expect_grep "check-conf --help shows usage" '^usage: hpagent .*check-conf' "$T/help.out"

# The shipped example.
"$HPAGENT" -c agent.conf.example check-conf > "$T/ex.out" 2> "$T/ex.err"; rc=$?
expect_eq "agent.conf.example: exit 0" 0 "$rc"
expect_grep "agent.conf.example: summary" 'ok: 1 zone, 2 keys, 1 pattern' "$T/ex.out"
expect_eq "agent.conf.example: no warnings" "" "$(grep -v 'is readable by others' "$T/ex.err")"
"$HPAGENT" -c agent.conf.example -v check-conf > "$T/exv.out" 2>&1; rc=$?
expect_eq "check-conf -v: exit 0" 0 "$rc"
expect_grep "-v: zone listed" '^zone: example\.com\.$' "$T/exv.out"
expect_grep "-v: notify 127.0.1.2" '^  notify: 127\.0\.1\.2 secretkey0$' "$T/exv.out"
expect_grep "-v: notify 127.0.1.3" '^  notify: 127\.0\.1\.3 secretkey0$' "$T/exv.out"
expect_grep "-v: provide-xfr 127.0.1.3" '^  provide-xfr: 127\.0\.1\.3 secretkey0$' "$T/exv.out"
expect_grep "-v: zonefile in example/" '^  zonefile: .*/example/example\.com\.zone$' "$T/exv.out"
expect_grep "-v: key with algorithm" '^key: secretkey0 hmac-sha256$' "$T/exv.out"
expect_grep "-v: listening address" '^  ip-address: 127\.0\.0\.1@5300$' "$T/exv.out"
secret=$(sed -n 's/^[[:space:]]*secret:[[:space:]]*"\(.*\)"/\1/p' agent.conf.example)
[ -n "$secret" ] || bail "no secret: line found in agent.conf.example"
if grep -qF -- "$secret" "$T/exv.out"; then
	fail "-v never prints the secret"; diag "secret found in output"
else ok "-v never prints the secret"; fi

# HPAGENT_CONF names the file when -c is absent.
HPAGENT_CONF=agent.conf.example "$HPAGENT" -q check-conf > "$T/q.out" 2>&1; rc=$?
expect_eq "HPAGENT_CONF + -q: exit 0, silent" "0:" "$rc:$(cat "$T/q.out")"

# The NSD guide's ns3 (hidden primary) nsd.conf, unchanged.
g=tests/conf/nsd-guide-ns3.conf
"$HPAGENT" -c $g -v check-conf > "$T/g.out" 2> "$T/g.err"; rc=$?
expect_eq "guide ns3 nsd.conf: exit 0" 0 "$rc"
expect_grep "guide: summary" 'ok: 3 zones, 1 key, 1 pattern' "$T/g.out"
expect_grep "guide: hide-version warned with file:line" "^$g:[0-9]+: warning: 'hide-version'" "$T/g.err"
expect_grep "guide: server-count warned" "^$g:[0-9]+: warning: 'server-count'" "$T/g.err"
n=$(grep -vc ': warning: ' "$T/g.err")
expect_eq "guide: nothing but warnings on stderr" 0 "$n"
n=$(grep -c "notify: 192.0.2.1 secretkey0" "$T/g.out")
expect_eq "guide: every zone notifies 192.0.2.1 (3 zones)" 3 "$n"
expect_grep "guide: %s.zone from the pattern" '^  zonefile: /etc/nsd/example\.org\.zone$' "$T/g.out"

# Warned once per option name, even when repeated.
cat > "$T/twice.conf" <<EOC
server:
	hide-version: yes
	hide-version: no
EOC
"$HPAGENT" -c "$T/twice.conf" check-conf > /dev/null 2> "$T/twice.err"; rc=$?
expect_eq "repeated unused option: exit 0" 0 "$rc"
expect_eq "repeated unused option: warned once" 1 "$(grep -c hide-version "$T/twice.err")"

# A broken file: every error, each with file:line, exit 1, no secret.
b=tests/conf/broken.conf
"$HPAGENT" -c $b check-conf > "$T/b.out" 2> "$T/b.err"; rc=$?
expect_eq "broken: exit 1" 1 "$rc"
expect_grep "broken: typo'd statement" "^$b:6: unknown statement 'zonesdri'" "$T/b.err"
expect_grep "broken: bad port" "^$b:7: port: expected 1\.\.65535" "$T/b.err"
expect_grep "broken: bad base64" "^$b:12: secret: of key 'secretkey0' is not valid base64" "$T/b.err"
expect_grep "broken: unknown algorithm" "^$b:16: unknown TSIG algorithm 'hmac-sha999'" "$T/b.err"
expect_grep "broken: unknown key in notify" "^$b:21: notify: unknown key 'nosuchkey'" "$T/b.err"
expect_grep "broken: bad prefix" "^$b:22: provide-xfr: bad prefix length" "$T/b.err"
expect_grep "broken: unknown pattern" "^$b:26: unknown pattern 'secondary_outbund'" "$T/b.err"
expect_grep "broken: duplicate zone" "^$b:28: zone 'example.com' is already defined at $b:24" "$T/b.err"
expect_grep "broken: zone without name" "^$b:31: zone: without name:" "$T/b.err"
expect_grep "broken: hide-version only a warning" "^$b:5: warning: 'hide-version'" "$T/b.err"
for s in 'c2VjcmV0IHZhbHVlIG5ldmVyIHByaW50ZWQ' 'Ehvt9S3/Iz9ozdh9kS0VhBagp6RT'; do
	if grep -qF -- "$s" "$T/b.err" "$T/b.out"; then
		fail "broken: secret $s... never printed"
	else ok "broken: secret never printed"; fi
done
expect_eq "broken: nothing on stdout" "" "$(cat "$T/b.out")"

# Include loop, reported at the include: line.
printf 'server:\n\tport: 5300\ninclude: "b.conf"\n' > "$T/a.conf"
printf '# b\ninclude: a.conf\n' > "$T/b.conf"
"$HPAGENT" -c "$T/a.conf" check-conf > /dev/null 2> "$T/loop.err"; rc=$?
expect_eq "include loop: exit 1" 1 "$rc"
expect_grep "include loop: file:line of the include" "^$T/b.conf:2: include loop" "$T/loop.err"

# A missing file.
"$HPAGENT" -c "$T/nonexistent.conf" check-conf > /dev/null 2> "$T/nf.err"; rc=$?
expect_eq "missing file: exit 1" 1 "$rc"
expect_grep "missing file: named" "nonexistent\.conf: cannot open" "$T/nf.err"

# Extra arguments are a usage error.
"$HPAGENT" -c agent.conf.example check-conf extra > /dev/null 2>&1; rc=$?
expect_eq "check-conf with an extra argument: exit 2" 2 "$rc"

# A secret that looks like a keyword ("word:") is still a value, never
# echoed in an error.
cat > "$T/tok.conf" <<EOC
server:
	api-token: Sup3rSecretToken-xyz:
	webhook-secret: 
key:
	name: k
	algorithm: hmac-sha256
	secret: Zm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFyZm9vYmFy:
EOC
"$HPAGENT" -c "$T/tok.conf" check-conf > "$T/tok.out" 2> "$T/tok.err"; rc=$?
expect_eq "keyword-looking secrets: exit 1 (bad base64)" 1 "$rc"
expect_grep "keyword-looking secret reported at its line" "tok.conf:7: secret: of key 'k' is not valid base64" "$T/tok.err"
expect_grep "empty webhook-secret: missing value" "tok.conf:3: webhook-secret: missing value" "$T/tok.err"
for s in Sup3rSecretToken Zm9vYmFyZm9vYmFy; do
	if grep -qF -- "$s" "$T/tok.err" "$T/tok.out"; then
		fail "secret $s never printed"; sed 's/^/# diag: /' "$T/tok.err"
	else ok "keyword-looking secret never printed"; fi
done
