#!/bin/sh
# hpagent serve as a service: started as root it drops to username: nobody
# (/proc/PID/status), still serves AXFR (TSIG) and publishes a direct edit
# (the database is the dropped user's); a database root owns is refused
# with a clear message; root without username: is refused unless
# --allow-root; SIGTERM exits 0 and -d removes its pidfile; check-conf and
# serve warn about a config or database readable by others; no TSIG or
# webhook secret in the logs at verbosity 3 nor in check-conf -v.
. "$(dirname "$0")/../lib.sh"
plan 34

P=127.0.12.1 PORT=31801 HTTP=31802 C=127.0.12.2
H="$HPAGENT"
D=$T/hp
mkdir -p "$D/db"
chmod 711 "$T" "$D"
SECRET=$(head -c 32 /dev/urandom | base64)
WSECRET=webhook-$(head -c 12 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')

cat > "$D/z.zone" <<EOZ
\$ORIGIN svc.test.
\$TTL 300
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.1
EOZ
conf() { # $1 = file, $2 = username: line (or empty), $3 = pidfile
	{
		printf 'server:\n\tip-address: %s@%s\n' $P $PORT
		[ -n "$2" ] && printf '\t%s\n' "$2"
		printf '\tdatabase: "%s/db/hp.db"\n\tzonesdir: "%s"\n' "$D" "$D"
		printf '\tlogfile: "%s/hpagent.log"\n\tverbosity: 3\n' "$D"
		printf '\tpidfile: "%s"\n' "$3"
		printf '\thttp-listen: %s@%s\n\twebhook-secret: "%s"\n' $P $HTTP "$WSECRET"
		printf 'key:\n\tname: k1\n\talgorithm: hmac-sha256\n\tsecret: "%s"\n' "$SECRET"
		printf 'zone:\n\tname: svc.test\n\tzonefile: z.zone\n'
		printf '\tprovide-xfr: %s k1\n\tprovide-xfr: %s NOKEY\n' $C $P
	} > "$1"
	chmod 600 "$1"
}
conf "$D/agent.conf" "username: nobody" "$D/db/hp.pid"
hp() { "$H" -c "$D/agent.conf" "$@"; }
q() { kdig @$P -p $PORT -b $P +timeout=2 +retry=0 "$@"; }
qc() { kdig @$P -p $PORT -b $C +timeout=2 +retry=0 "$@"; }
soa_serial() { q svc.test SOA +short | awk '{ print $3 }'; }
uid_of() { awk '/^Uid:/ { print $2 "/" $3 "/" $4 "/" $5 }' /proc/$1/status; }

# ---- permissions: check-conf warnings ------------------------------------
hp check-conf > "$T/cc.out" 2> "$T/cc.err"
check "check-conf: mode 600 config: no warning" test ! -s "$T/cc.err"
chmod 644 "$D/agent.conf"
hp check-conf > "$T/cc.out" 2> "$T/cc.err"; rc=$?
expect_eq "check-conf: world-readable config is a warning, not an error" 0 $rc
expect_grep "check-conf: warns that the config is readable by others" \
    "warning: .*agent.conf is readable by others \(mode 0644\)" "$T/cc.err"
chmod 600 "$D/agent.conf"

# ---- a database root owns: refused clearly ---------------------------------
hp import svc.test > "$T/import.out" 2>&1
check "import as root" test -f "$D/db/hp.db"
chmod 644 "$D/db/hp.db"
hp check-conf > /dev/null 2> "$T/cc2.err"
expect_grep "check-conf: warns that the database is readable by others" \
    "database .*hp.db is readable by others" "$T/cc2.err"
timeout 20 "$H" -c "$D/agent.conf" serve > "$T/refdb.out" 2>&1; rc=$?
check "serve: database not writable by username: user: exit 1" test $rc = 1
expect_grep "serve: says which file and why" \
    "database.*hp.db.*Permission denied for uid 65534.*chown" "$D/hpagent.log"
chown -R nobody:nogroup "$D/db"
chmod 640 "$D/db/hp.db"

# ---- dropped to nobody ------------------------------------------------------
: > "$D/hpagent.log"
bg hp "$H" -c "$D/agent.conf" serve
check "serve as nobody answers" wait_for 10 sh -c "kdig @$P -p $PORT -b $P +short svc.test SOA | grep -q hostmaster"
expect_eq "serve: real/effective/saved/fs uid are nobody's" \
    "65534/65534/65534/65534" "$(uid_of $PID_hp)"
expect_eq "serve: gid is nogroup's" "65534/65534/65534/65534" \
    "$(awk '/^Gid:/ { print $2 "/" $3 "/" $4 "/" $5 }' /proc/$PID_hp/status)"
expect_grep "serve: logs the user it runs as" \
    "running as nobody \(uid 65534" "$D/hpagent.log"
qc -y "hmac-sha256:k1:$SECRET" svc.test AXFR > "$T/axfr.out" 2>&1
expect_grep "AXFR (TSIG) served by the dropped daemon" "ns1\.svc\.test\..*A.*192\.0\.2\.1" "$T/axfr.out"
s0=$(soa_serial)
sqlite3 "$D/db/hp.db" "INSERT INTO records(zone_id, owner, type, class, ttl, rdata)
  SELECT id, 'new.svc.test.', 1, 1, 300, X'C0000263' FROM zones WHERE name = 'svc.test.';"
wait_for 10 sh -c "[ \"\$(kdig @$P -p $PORT -b $P +short svc.test SOA | awk '{print \$3}')\" != '$s0' ]"
expect_eq "direct edit published by the dropped daemon (db writable)" "$((s0 + 1))" "$(soa_serial)"
expect_grep "publish logged" "direct edits published as serial $((s0 + 1))" "$D/hpagent.log"
check "database files still belong to nobody" \
    test "$(stat -c %U "$D/db/hp.db" "$D/db/hp.db-wal" | sort -u)" = nobody
check "database not readable by others (umask)" \
    test "$(( $(stat -c %a "$D/db/hp.db-wal") % 10 ))" = 0
kill -TERM $PID_hp; wait $PID_hp; rc=$?
expect_eq "SIGTERM: exit 0" 0 $rc
check "pidfile removed (its directory is nobody's)" test ! -e "$D/db/hp.pid"
expect_grep "SIGTERM logged" "signal 15: exiting" "$D/hpagent.log"

# ---- secrets never logged ----------------------------------------------------
qc -y "hmac-sha256:k1:$(head -c 32 /dev/urandom | base64)" svc.test AXFR > /dev/null 2>&1
hp -v check-conf > "$T/ccv.out" 2>&1
check "no TSIG secret in the log (verbosity 3)" sh -c "! grep -qF -- '$SECRET' '$D/hpagent.log'"
check "no webhook secret in the log" sh -c "! grep -qF -- '$WSECRET' '$D/hpagent.log'"
check "no secret in check-conf -v" sh -c "! grep -qF -e '$SECRET' -e '$WSECRET' '$T/ccv.out'"
check "the log does have debug lines (verbosity 3 was on)" grep -q "\]: debug: \|\]: info: " "$D/hpagent.log"

# ---- root without username: refused ------------------------------------------
conf "$T/root.conf" "" "$T/root.pid"
"$H" -c "$T/root.conf" serve > "$T/root.out" 2>&1; rc=$?
expect_eq "root without username: exit 1" 1 $rc
expect_grep "clear message" "refusing to run as root: set username:" "$T/root.out"
# --allow-root (and username: root, which the other tests use), with -d.
rm -f "$T/root.pid"
"$H" -c "$T/root.conf" serve -d --allow-root > "$T/root-d.out" 2>&1; rc=$?
expect_eq "serve -d --allow-root: parent exits 0" 0 $rc
check "pidfile written" wait_for 10 test -s "$T/root.pid"
pid=$(cat "$T/root.pid" 2>/dev/null)
check "detached daemon answers" wait_for 10 q svc.test SOA +short
expect_eq "--allow-root: stays root" "0/0/0/0" "$(uid_of "$pid")"
kill -TERM "$pid"
check "SIGTERM: detached daemon exits" wait_for 10 sh -c "! kill -0 $pid"
check "SIGTERM: pidfile removed" test ! -e "$T/root.pid"
expect_grep "SIGTERM: clean stop logged" "hpagent stopped" "$D/hpagent.log"
# serve at start-up warns too (config readable by others)
chmod 644 "$T/root.conf"
: > "$D/hpagent.log"
bg hp2 "$H" -c "$T/root.conf" serve --allow-root
check "serve starts with a world-readable config" wait_for 10 q svc.test SOA +short
expect_grep "serve: warns at start-up" "warning.*root.conf is readable by others" "$D/hpagent.log"
stop_pid $PID_hp2
