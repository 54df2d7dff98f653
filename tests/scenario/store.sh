#!/bin/sh
# The zone store through the real binary: import, show, publish of direct
# SQL edits, history, diff, serial policies, bad input, locks, pruning.
. "$(dirname "$0")/../lib.sh"
plan 86
H=$HPAGENT
Z=$TOP/tests/zones/example.com.zone
export HPAGENT_BUSY_TIMEOUT_MS=500

conf() { # conf POLICY [MAXJ]
	cat > "$T/agent.conf" <<EOC
server:
	database: $T/store.db
zone:
	name: example.com
	zonefile: $T/zone
	serial-policy: $1
	max-journal-versions: ${2:-0}
EOC
}
run() { "$H" -c "$T/agent.conf" "$@"; }
serial() { run zones | awk '$1 == "example.com." { print $2 }'; }
soa_serial() { run show example.com | awk '$4 == "SOA" { print $7 }'; }
snap() { run show example.com > "$T/before"; sb=$(serial); }
same() { # same DESC: show output and serial unchanged since snap
	run show example.com > "$T/after"
	if cmp -s "$T/before" "$T/after" && [ "$sb" = "$(serial)" ]; then
		ok "$1: previous version intact"
	else fail "$1: previous version intact"; diag "serial $sb -> $(serial)"; fi
}
bad() { # bad DESC PATTERN FILE: import fails, says PATTERN, store intact
	snap
	if run import example.com "$3" > "$T/out" 2>&1; then
		fail "$1: import refused"; else ok "$1: import refused"; fi
	expect_grep "$1: message" "$2" "$T/out"
	same "$1"
}

conf increment
cp "$Z" "$T/zone"
run import example.com > "$T/out" 2>&1
expect_grep "first import publishes" "new zone, serial 2024010100" "$T/out"
run show example.com > "$T/show1"
expect_eq "every RR type stored" 35 "$(wc -l < "$T/show1" | tr -d ' ')"
expect_grep "generic RFC 3597 type round trip" 'TYPE65534.*\\# 4 0A000001' "$T/show1"
expect_grep "owner lowercased" '^mixed\.case\.example\.com\.' "$T/show1"
head -1 "$T/show1" | grep -q SOA && ok "show: SOA first" || fail "show: SOA first"
run -v import example.com "$T/show1" > "$T/out" 2>&1
expect_grep "show output re-imported is unchanged" "unchanged" "$T/out"
run show example.com > "$T/show2"
check "show output identical after round trip" cmp "$T/show1" "$T/show2"
run -v import example.com > "$T/out" 2>&1
expect_grep "idempotent re-import" "unchanged, serial 2024010100" "$T/out"
check "quiet unchanged import prints nothing" test -z "$(run -q import example.com 2>&1)"
"$H" -c "$T/agent.conf" -q import example.com > "$T/out" 2>&1
expect_eq "-q: no output" "" "$(cat "$T/out")"

# a change: the serial moves by the policy, diff shows it
sed 's/192.0.2.25/192.0.2.26/' "$Z" > "$T/zone"
run import example.com > "$T/out" 2>&1
expect_grep "change published" "published serial 2024010101 \(was 2024010100\): \+1 -1" "$T/out"
run diff example.com > "$T/diff"
expect_grep "diff: removed RR" '^-mail\.example\.com\..*192\.0\.2\.25' "$T/diff"
expect_grep "diff: added RR" '^\+mail\.example\.com\..*192\.0\.2\.26' "$T/diff"
expect_grep "diff: old SOA removed" '^-example\.com\..*SOA.* 2024010100 ' "$T/diff"
run show example.com --serial 2024010100 > "$T/old"
check "show --serial rebuilds the old version" cmp "$T/old" "$T/show1"
expect_eq "SOA in records carries the new serial" 2024010101 "$(soa_serial)"

# the file's serial ahead (RFC 1982) is kept
sed -e 's/2024010100 ; serial/2024060100 ; serial/' -e 's/192.0.2.25/192.0.2.27/' "$Z" > "$T/zone"
run import example.com > /dev/null 2>&1
expect_eq "file serial ahead is kept" 2024060100 "$(serial)"

# serial policies, each on its own database; file serial 1000
pol() { # pol POLICY DB
	conf "$1"; sed -i "s|$T/store.db|$T/$2|" "$T/agent.conf"
}
n=0
bump() { n=$((n + 1)); sed -e "s/2024010100 ; serial/${1:-1000} ; serial/" \
	-e "s/192.0.2.25/192.0.5.$n/" "$Z" > "$T/zone"; run import example.com > "$T/out" 2>&1; }
pol increment pol.db
bump; bump
expect_eq "increment policy" 1001 "$(serial)"
pol unixtime pol.db
now=$(date +%s); bump; s=$(serial)
[ "$s" -ge "$now" ] && [ "$s" -le $((now + 5)) ] && ok "unixtime policy" || { fail "unixtime policy"; diag "serial $s, now $now"; }
pol dateserial pol.db
bump
expect_eq "dateserial policy" "$(date -u +%Y%m%d)00" "$(serial)"
bump
expect_eq "dateserial policy, second change the same day" "$(date -u +%Y%m%d)01" "$(serial)"
pol increment wrap.db
bump 4294967295; bump 4294967295
expect_grep "wrap-around: 0xFFFFFFFF -> 0" "published serial 0 \(was 4294967295\)" "$T/out"
bump 4294967295
expect_eq "after wrap-around, file serial 4294967295 is behind" 1 "$(serial)"
conf increment
cp "$Z" "$T/zone"; sed -i 's/192.0.2.25/192.0.2.33/' "$T/zone"; run import example.com > /dev/null 2>&1

# direct SQL edits, published
s0=$(serial)
sqlite3 "$T/store.db" "INSERT INTO records(zone_id, owner, type, class, ttl, rdata) SELECT id, 'new.example.com.', 1, 1, 300, X'C0000209' FROM zones; UPDATE records SET ttl = 600 WHERE owner = 'ns1.example.com.' AND type = 1; INSERT INTO records SELECT id, 'tmp.example.com.', 1, 1, 300, X'C000020A' FROM zones; DELETE FROM records WHERE owner = 'tmp.example.com.'"
run zones > "$T/out"
expect_grep "zones shows pending edits" "direct edits pending" "$T/out"
run publish example.com > "$T/out" 2>&1
expect_grep "publish: added/removed consolidated" "published serial $((s0 + 1)) \(was $s0\): \+2 -1" "$T/out"
run diff example.com > "$T/diff"
expect_grep "diff after publish: new RR" '^\+new\.example\.com\..*192\.0\.2\.9' "$T/diff"
expect_grep "diff after publish: TTL change" '^\+ns1\.example\.com\.[[:space:]]+600' "$T/diff"
grep -q tmp.example.com "$T/diff" && fail "add+delete cancels" || ok "add+delete cancels"
# (a SOA's serial: the 4 octets 20 from the end of its RDATA, in hex)
expect_eq "journal of the publish: removed old SOA, ns1 A; added new SOA, new A, ns1 A (SOAs first)" \
    "0:6:example.com.:$(printf %08X $s0) 0:1:ns1.example.com.:3600 1:6:example.com.:$(printf %08X $((s0 + 1))) 1:1:new.example.com.:300 1:1:ns1.example.com.:600" \
    "$(sqlite3 "$T/store.db" "SELECT group_concat(x, ' ') FROM (SELECT op || ':' || type || ':' || owner || ':' ||
	CASE WHEN type = 6 THEN hex(substr(rdata, -20, 4)) ELSE ttl END AS x
	FROM journal WHERE version_id = (SELECT max(id) FROM versions) ORDER BY op, seq)")"
run publish example.com > "$T/out" 2>&1
expect_grep "publish with nothing pending" "no pending edits" "$T/out"
snap
# (|| makes TEXT of BLOBs: rdata must be a BLOB, the CAST keeps it one)
sqlite3 "$T/store.db" "INSERT INTO records SELECT zone_id, owner, type, class, ttl, CAST(substr(rdata, 1, length(rdata) - 1) || X'01' AS BLOB) FROM records WHERE type = 6"
run publish example.com > "$T/out" 2>&1 && fail "two SOAs refused" || ok "two SOAs refused"
expect_grep "two SOAs: message" "second SOA" "$T/out"
sqlite3 "$T/store.db" "DELETE FROM records WHERE type = 6 AND rdata NOT IN (SELECT rdata FROM journal WHERE version_id = (SELECT max(id) FROM versions) AND op = 1 AND type = 6)"
run publish example.com > /dev/null 2>&1
expect_eq "serial unchanged after refused + reverted edit" "$sb" "$(serial)"

# bad input: each refused with its message, previous version intact
printf 'example.com. 300 IN SOA ns1 h 1 2 3 4 5\nexample.com. NS ns1\nwww A 300.1.1.1\nx BOGUS 1\n' > "$T/syntax"
bad "syntax errors" "syntax:3:.*syntax:4:|syntax:4:" "$T/syntax"
grep -c 'syntax:[34]:' "$T/out" | grep -q 2 && ok "all problems reported" || fail "all problems reported"
printf '$ORIGIN example.com.\n@ 300 NS ns1\nns1 300 A 192.0.2.1\n' > "$T/nosoa"
bad "missing SOA" "no SOA record" "$T/nosoa"
printf '$ORIGIN example.com.\n@ 300 SOA ns1 h 1 2 3 4 5\n@ 300 SOA ns1 h 2 2 3 4 5\n@ 300 NS ns1\n' > "$T/twosoa"
bad "two SOAs" "twosoa:3: second SOA" "$T/twosoa"
printf '$ORIGIN example.com.\n@ 300 SOA ns1 h 1 2 3 4 5\n@ 300 NS ns1\nwww.example.org. 300 A 192.0.2.1\n' > "$T/outside"
bad "out-of-zone data" "outside:4: www.example.org. is outside the zone" "$T/outside"
printf '$ORIGIN example.com.\n@ 300 SOA ns1 h 1 2 3 4 5\n@ 300 NS ns1\nwww 300 CNAME x\nwww 300 A 192.0.2.1\n' > "$T/cname"
bad "CNAME conflict" "CNAME beside other data" "$T/cname"
mkdir "$T/dir"
bad "unreadable file (a directory)" "cannot read: is a directory" "$T/dir"
bad "missing file" "cannot read: No such file" "$T/missing"
head -c 4096 /dev/urandom > "$T/garbage"
bad "binary garbage" "garbage:[0-9]+: " "$T/garbage"
: > "$T/empty"
bad "0-byte file" "empty zone file" "$T/empty"
printf '$ORIGIN example.com.\n@ 300 SOA ns1 h 1 2 3 4 5\n@ 300 NS ns1\n$INCLUDE %s\n' "$T/loop2" > "$T/loop1"
printf 'a 300 A 192.0.2.1\n$INCLUDE %s\n' "$T/loop1" > "$T/loop2"
bad "\$INCLUDE loop" 'loop2:2: \$INCLUDE loop' "$T/loop1"

# a database locked by another writer
cp "$Z" "$T/zone"; sed -i 's/192.0.2.25/192.0.2.40/' "$T/zone"
snap
( printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 3; printf 'COMMIT;\n' ) | sqlite3 "$T/store.db" > /dev/null 2>&1 &
lockpid=$!; PIDS="$PIDS $lockpid"
sleep 0.5
run import example.com > "$T/out" 2>&1 && fail "locked: import refused" || ok "locked: import refused"
expect_grep "locked: message" "locked by another writer" "$T/out"
wait $lockpid
same "locked"
run import example.com > /dev/null 2>&1
expect_eq "after the lock: import works" $((sb + 1)) "$(serial)"

# not an SQLite database
head -c 8192 /dev/urandom > "$T/notdb"; cp "$T/notdb" "$T/notdb.orig"
sed "s|$T/store.db|$T/notdb|" "$T/agent.conf" > "$T/bad.conf"
"$H" -c "$T/bad.conf" import example.com > "$T/out" 2>&1 && fail "not SQLite refused" || ok "not SQLite refused"
expect_grep "not SQLite: message" "not an SQLite database" "$T/out"
check "not SQLite: file untouched" cmp "$T/notdb" "$T/notdb.orig"

# newer schema
cp "$T/store.db" "$T/new.db"; sqlite3 "$T/new.db" "PRAGMA user_version = 999"
sed "s|$T/store.db|$T/new.db|" "$T/agent.conf" > "$T/new.conf"
"$H" -c "$T/new.conf" zones > "$T/out" 2>&1 && fail "newer schema refused" || ok "newer schema refused"
expect_grep "newer schema: message" "newer than this hpagent" "$T/out"

# pruning by max-journal-versions
conf increment 3
for i in 1 2 3 4 5; do sed "s/192.0.2.25/192.0.3.$i/" "$Z" > "$T/zone"; run import example.com > /dev/null 2>&1; done
expect_eq "pruned to 3 versions" 3 "$(sqlite3 "$T/store.db" "SELECT count(*) FROM versions")"
expect_eq "journal rows only for kept versions" 0 "$(sqlite3 "$T/store.db" "SELECT count(*) FROM journal WHERE version_id NOT IN (SELECT id FROM versions)")"
run show example.com --serial 1 > "$T/out" 2>&1 && fail "pruned serial refused" || ok "pruned serial refused"
expect_grep "pruned serial: message" "not stored" "$T/out"

# an unchanged file source: known by its size, mtime and octets, no parse
# (HPAGENT_TIMING: the import's phases on stderr); touched: parsed once;
# other octets with the same size and mtime: parsed, and the change made
conf increment
sed "s/192.0.2.25/192.0.5.1/" "$Z" > "$T/zone"
run import example.com > /dev/null 2>&1
HPAGENT_TIMING=1 run import example.com > "$T/u1" 2>&1
expect_eq "unchanged file: no parse" "1 0" "$(grep -c 'timing: unchanged' "$T/u1") $(grep -c 'timing: parse' "$T/u1")"
touch "$T/zone"
HPAGENT_TIMING=1 run import example.com > "$T/u2" 2>&1
HPAGENT_TIMING=1 run import example.com > "$T/u3" 2>&1
expect_eq "touched file: parsed once, then known again" "1 1" "$(grep -c 'timing: parse' "$T/u2") $(grep -c 'timing: unchanged' "$T/u3")"
sb=$(serial)
mt=$(stat -c %y "$T/zone")
sed -i "s/192.0.5.1/192.0.5.2/" "$T/zone"
touch -d "$mt" "$T/zone"
HPAGENT_TIMING=1 run import example.com > "$T/u4" 2>&1
expect_eq "same size and mtime, other octets: parsed and published" "1 1" "$(grep -c 'timing: parse' "$T/u4") $(grep -c published "$T/u4")"
expect_eq "  its serial" $((sb + 1)) "$(serial)"

# concurrent imports: all succeed or fail clearly; the store stays consistent
export HPAGENT_BUSY_TIMEOUT_MS=5000
for i in 1 2 3 4; do sed "s/192.0.2.25/192.0.4.$i/" "$Z" > "$T/zone$i"; done
for i in 1 2 3 4; do run import example.com "$T/zone$i" > "$T/c$i" 2>&1 & done
wait
expect_eq "concurrent imports: all succeeded" 4 "$(cat "$T"/c? | grep -c published)"
# (SQLite 3.40 reports "NULL value in t.c" falsely for WITHOUT ROWID tables)
expect_eq "concurrent: integrity" "" "$(sqlite3 "$T/store.db" 'PRAGMA integrity_check' | grep -v -e '^ok$' -e '^NULL value in [a-z]*\.ttl$')"
expect_eq "concurrent: one SOA" 1 "$(sqlite3 "$T/store.db" 'SELECT count(*) FROM records WHERE type = 6')"
run history example.com > "$T/out"
expect_grep "history lists versions" "file" "$T/out"
check "--help works" run import --help
