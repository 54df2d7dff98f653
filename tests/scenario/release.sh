#!/bin/sh
# What an operator coming from NSD or Knot expects of a release (issue 16),
# each defect found as a check: --version, strict arguments, status of an
# unknown zone, help texts; check-conf of a missing user; log lines in
# ISO 8601 with the offset and the pid, reopened after logrotate (SIGUSR1
# via `hpagent reopen`, and SIGHUP); systemd readiness (READY, RELOADING,
# STOPPING, STATUS on $NOTIFY_SOCKET); /metrics clean for promtool, one
# group per family, counters that never go down, hpagent_build_info;
# keygen (the key works with kdig); backup while the daemon serves and
# imports; the JSON of zones, history, diff, import and the API's
# problems; make install with DESTDIR and PREFIX, the installed binary
# run, the unit verified by systemd-analyze; the man pages render clean.
. "$(dirname "$0")/../lib.sh"
plan 70

P=127.0.16.11 PORT=31611 HPORT=31612 SEC=127.0.16.12 SECP=31613
H="$HPAGENT"
D=$T/hp
mkdir -p "$D"
VERSION=$(cat "$TOP/VERSION")
SECRET=$(head -c 32 /dev/urandom | base64)

gen() {	# gen SERIAL [EXTRA-RR...]
	printf '$ORIGIN r.test.\n$TTL 300\n@ IN SOA ns1 hostmaster %s 7200 3600 1209600 300\n' "$1"
	printf '@ IN NS ns1\nns1 IN A 192.0.2.1\nwww IN A 192.0.2.%s\n' "$1"
	shift
	for rr in "$@"; do printf '%s\n' "$rr"; done
}
gen 1 > "$D/r.zone"
"$H" keygen xfr-key > "$T/key.clause"
keyname=$(sed -n 's/.*name: "\(.*\)"/\1/p' "$T/key.clause")
keysec=$(sed -n 's/.*secret: "\(.*\)"/\1/p' "$T/key.clause")
kd() { kdig @$P -p $PORT -y "hmac-sha256:$keyname:$keysec" +timeout=2 +retry=0 "$@"; }
cat > "$D/hpagent.conf" <<EOF
server:
	ip-address: $P@$PORT
	username: root
	database: "$D/hp.db"
	zonesdir: "$D"
	logfile: "$D/hpagent.log"
	pidfile: "$D/hpagent.pid"
	verbosity: 2
	http-listen: $P@$HPORT
	api-token: "tok-$SECRET"
	webhook-secret: "$SECRET"
	max-journal-versions: 2
$(cat "$T/key.clause")
zone:
	name: r.test
	zonefile: r.zone
	provide-xfr: 127.0.0.0/8 xfr-key
	notify: $SEC@$SECP NOKEY
EOF
chmod 600 "$D/hpagent.conf"
hp() { "$H" -c "$D/hpagent.conf" "$@"; }
metrics() { curl -s -m 5 -H "Authorization: Bearer tok-$SECRET" "http://$P:$HPORT/metrics"; }

# ---- version and arguments -------------------------------------------------
expect_eq "hpagent --version" "hpagent $VERSION" "$("$H" --version | sed 's/[+-].*//')"
out=$("$H" -V); rc=$?
expect_eq "hpagent -V, exit 0" "0 hpagent $VERSION" "$rc $(echo "$out" | sed 's/[+-].*//')"
hp import r.test > /dev/null 2>&1
"$H" -c "$D/hpagent.conf" import r.test --bogus > "$T/o" 2> "$T/e"; rc=$?
expect_eq "an unknown option after the zone is a usage error (exit 2)" 2 "$rc"
expect_grep "... and says which" "unknown option '--bogus'" "$T/e"
hp zones --bogus > /dev/null 2>&1; expect_eq "zones --bogus: exit 2" 2 "$?"
hp wait r.test --timeout abc > /dev/null 2> "$T/e"; rc=$?
expect_eq "wait --timeout abc: exit 2, not a wait of 0 s" 2 "$rc"
expect_grep "... with the reason" "--timeout 'abc': expected seconds" "$T/e"
hp status nosuch.test > /dev/null 2> "$T/e"; rc=$?
expect_eq "status of an unknown zone: exit 1" 1 "$rc"
expect_grep "... saying so" "no zone nosuch.test. in the store|no zone nosuch.test in the store" "$T/e"
for c in serve import rollback publish zones show history diff notify status wait secondary check-conf keygen backup reopen zone dnssec add del edit; do
	"$H" "$c" --help
done > "$T/helps" 2>&1
for c in serve import rollback publish zones show history diff notify status wait secondary check-conf keygen backup reopen zone dnssec add del edit; do
	"$H" -c "$D/hpagent.conf" "$c" --bogus-opt > /dev/null 2> "$T/u.err"
	rc=$?
	grep -qE "^hpagent: $c: (unknown option|unexpected (operand|argument)) '--bogus-opt'" "$T/u.err" && [ $rc = 2 ] || echo "$c: exit $rc: $(head -1 "$T/u.err")"
done > "$T/usage.bad"
expect_eq "every command: an unknown option is exit 2 with the reason" "" "$(cat "$T/usage.bad")"
check "no help text names a source file" sh -c "! grep -E '[a-z_]+\.c\b' '$T/helps'"
check "the synopses all say -c FILE" sh -c "! grep -E -- '-c (CONF|CONFIG)' '$T/helps'"
sed 's/username: root/username: nosuchuser-hp/' "$D/hpagent.conf" > "$D/nouser.conf"
chmod 600 "$D/nouser.conf"
"$H" -c "$D/nouser.conf" check-conf > /dev/null 2> "$T/e"; rc=$?
expect_eq "check-conf refuses username: nosuchuser (as serve would)" 1 "$rc"
expect_grep "... naming it" "username: nosuchuser-hp: no such user" "$T/e"

# ---- the daemon under a systemd-like notify socket -------------------------
NS=$T/notify.sock
python3 - "$NS" > "$T/notify.log" 2>&1 <<'EOPY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
end = time.time() + 60
while time.time() < end:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        break
    print(m.replace("\n", "|"), flush=True)
    if "STOPPING=1" in m:
        break
EOPY
PID_ns=$!; PIDS="$PIDS $PID_ns"
wait_for 5 test -S "$NS"
NOTIFY_SOCKET=$NS bg hp "$H" -c "$D/hpagent.conf" serve
check "serve answers" wait_for 10 sh -c "kdig @$P -p $PORT -y hmac-sha256:$keyname:$keysec +short r.test SOA | grep -q hostmaster"
check "READY=1 with a STATUS line sent to NOTIFY_SOCKET" wait_for 5 grep -q "READY=1|STATUS=serving 1 zone" "$T/notify.log"
expect_grep "the start-up line names the version" "hpagent $VERSION.* serving 1 zone" "$D/hpagent.log"
PIDH=$PID_hp
line=$(grep -m1 ' serving 1 zone' "$D/hpagent.log")
case $line in
[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9][+-][0-2][0-9]:[0-5][0-9]\ hpagent\[$PIDH\]:\ notice:\ *)
	ok "log line: ISO 8601 time with its offset, the pid, the level" ;;
*)	fail "log line: ISO 8601 time with its offset, the pid, the level"; diag "$line" ;;
esac

# ---- logrotate: reopen ------------------------------------------------------
mv "$D/hpagent.log" "$D/hpagent.log.1"
hp reopen; rc=$?
expect_eq "hpagent reopen: exit 0" 0 "$rc"
check "the daemon writes to a new hpagent.log" wait_for 5 grep -q "logfile .*hpagent.log: opened again" "$D/hpagent.log"
n1=$(wc -l < "$D/hpagent.log.1") n2=$(wc -l < "$D/hpagent.log")
hp notify r.test > /dev/null 2>&1
check "... and lines logged after the reopen are there" wait_for 5 sh -c "[ \$(wc -l < '$D/hpagent.log') -gt $n2 ]"
expect_eq "... not in the moved file" "$n1" "$(wc -l < "$D/hpagent.log.1")"
mv "$D/hpagent.log" "$D/hpagent.log.2"
kill -HUP "$PIDH"
check "SIGHUP reopens it too (and reloads)" wait_for 5 grep -q "SIGHUP: reloading" "$D/hpagent.log"
check "SIGHUP: RELOADING=1, then READY=1 again" wait_for 5 sh -c "grep -A3 RELOADING=1 '$T/notify.log' | grep -q READY=1"

# ---- metrics ------------------------------------------------------------------
for s in 2 3 4 5 6; do gen $s > "$D/r.zone"; hp import r.test > /dev/null 2>&1; done
wait_for 10 sh -c "kdig @$P -p $PORT -y hmac-sha256:$keyname:$keysec +short r.test SOA | grep -q ' 6 '"
metrics > "$T/m1"
expect_grep "hpagent_build_info names the version" "^hpagent_build_info\{version=\"$VERSION[^\"]*\"\} 1$" "$T/m1"
if command -v promtool > /dev/null 2>&1; then
	check "promtool check metrics: clean" sh -c "promtool check metrics < '$T/m1' > '$T/promtool.out' 2>&1"
	[ -s "$T/promtool.out" ] && sed 's/^/# diag:   /' "$T/promtool.out" | head -5
else
	fail "promtool check metrics: clean"; diag "promtool missing (tools/deps.sh installs prometheus)"
fi
# one group per family: a family's samples never resume after another's
awk '!/^#/ { n = $0; sub(/[{ ].*/, "", n); sub(/_(bucket|sum|count)$/, "", n)
	if (n != last) { if (seen[n]++) { print "interleaved: " n; bad = 1 } last = n } }
	END { exit bad }' "$T/m1" > "$T/groups"
expect_eq "every family's samples together" "" "$(cat "$T/groups")"
check "every family has HELP and TYPE" sh -c "for f in \$(grep -v '^#' '$T/m1' | sed 's/[{ ].*//' | sort -u); do grep -q \"^# HELP \$f \" '$T/m1' && grep -q \"^# TYPE \$f \" '$T/m1' || exit 1; done"
pub1=$(sed -n 's/^hpagent_versions_published_total{source="file"} //p' "$T/m1")
vers=$(sed -n 's/^hpagent_zone_versions{zone="r.test."} //p' "$T/m1")
expect_eq "published versions counted for ever (6), though 2 are stored" "6 2" "$pub1 $vers"
for s in 7 8; do gen $s > "$D/r.zone"; hp import r.test > /dev/null 2>&1; done
metrics > "$T/m2"
pub2=$(sed -n 's/^hpagent_versions_published_total{source="file"} //p' "$T/m2")
expect_eq "... and it only goes up after more pruning" 8 "$pub2"
expect_grep "per-secondary gauges from the probes (state of the notify: target)" \
    "^hpagent_secondary_state\{zone=\"r.test.\",secondary=\"$SEC@$SECP\",state=\"[a-z-]*\"\} 1$" "$T/m2"
python3 - "$TOP/contrib/grafana-hpagent.json" "$T/m2" > "$T/grafana.out" 2>&1 <<'EOPY'
import json, re, sys
d = json.load(open(sys.argv[1]))
# the families /metrics declares (a family may have no sample yet: the
# serial of a secondary that never answered)
have = {l.split()[2] for l in open(sys.argv[2]) if l.startswith("# HELP ")}
exprs = [t["expr"] for p in d["panels"] for t in p["targets"]]
names = {n for e in exprs for n in re.findall(r"\bhpagent_[a-z_]+", e)}
missing = sorted(names - have)
print("panels %d, metrics %d, missing: %s" % (len(d["panels"]), len(names), " ".join(missing) or "none"))
sys.exit(1 if missing or not names else 0)
EOPY
rc=$?
expect_eq "the Grafana dashboard (contrib/) uses only metrics /metrics has" 0 "$rc"; diag "$(cat "$T/grafana.out")"

# ---- keygen -----------------------------------------------------------------
expect_eq "keygen: an nsd.conf key: clause, hmac-sha256 by default" "xfr-key hmac-sha256 44" \
    "$keyname $(sed -n 's/.*algorithm: //p' "$T/key.clause") ${#keysec}"
kd r.test AXFR > "$T/axfr" 2>&1
expect_grep "the generated key signs an AXFR the daemon accepts" "www\.r\.test\..*192\.0\.2\.8" "$T/axfr"
if command -v nsd-checkconf > /dev/null 2>&1; then
	{ printf 'server:\n\tzonesdir: "%s"\n' "$T"; "$H" keygen k2 hmac-sha512; } > "$T/nsd.conf"
	check "keygen's clause is valid nsd.conf (nsd-checkconf)" nsd-checkconf "$T/nsd.conf"
else
	fail "keygen's clause is valid nsd.conf (nsd-checkconf)"
fi
"$H" keygen k3 hmac-nope > /dev/null 2>&1; expect_eq "keygen: an unknown algorithm is a usage error" 2 "$?"

# ---- backup while the daemon serves and imports -------------------------------
( i=20; end=$(( $(date +%s) + 20 )); while [ $i -lt 60 ] && [ "$(date +%s)" -lt $end ]; do
	gen $i "t$i IN TXT \"$i\"" > "$D/r.zone.new" && mv "$D/r.zone.new" "$D/r.zone"
	hp import r.test > /dev/null 2>&1; i=$((i + 1)); done ) &
IMP=$!; PIDS="$PIDS $IMP"
sleep 0.5
hp backup "$T/backup.db"; rc=$?
wait $IMP 2>/dev/null
expect_eq "backup while imports run: exit 0" 0 "$rc"
# SQLite 3.40's integrity_check says "NULL value in T.C" for every NOT NULL
# column outside the key of a WITHOUT ROWID table (a false report, fixed in
# later SQLite): those lines are left out, and the NULLs counted instead.
ic=$(sqlite3 "$T/backup.db" 'PRAGMA integrity_check' 2>&1 | grep -v '^NULL value in ')
expect_eq "the copy passes SQLite's integrity check" "ok 0" \
    "${ic:-ok} $(sqlite3 "$T/backup.db" 'SELECT count(*) FROM records WHERE ttl IS NULL OR rdata IS NULL' 2>&1)"
sed "s|database: \"$D/hp.db\"|database: \"$T/backup.db\"|" "$D/hpagent.conf" > "$T/backup.conf"
chmod 600 "$T/backup.conf"
bs=$("$H" -c "$T/backup.conf" zones 2>/dev/null | awk '$1 == "r.test." { print $2 }')
check "the copy opens as a database with the zone at a serial published meanwhile" \
    sh -c "[ -n '$bs' ] && [ '$bs' -ge 8 ] && [ '$bs' -le 59 ]"
"$H" -c "$T/backup.conf" show r.test > "$T/b.show" 2>&1
expect_grep "... whose records are all there (show works on it)" "www\.r\.test\..*192\.0\.2\.$bs" "$T/b.show"
hp backup "$D/hp.db" > /dev/null 2>&1; expect_eq "backup onto the database itself: refused" 2 "$?"

# ---- JSON --------------------------------------------------------------------
jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }
expect_eq "zones --json" "r.test." "$(hp zones --json | jget 'd["zones"][0]["zone"]')"
expect_eq "history --json: versions, channel and time in UTC" "file Z" \
    "$(hp history r.test --json | jget 'd["versions"][-1]["source"] + " " + d["versions"][-1]["time"][-1]')"
cur=$(hp zones --json | jget 'd["zones"][0]["serial"]')
gen $((cur + 1)) "extra IN TXT \"x\"" > "$D/r.zone"
hp import --json r.test > "$T/imp.json"
expect_eq "import --json: changed, serials, counts" "True $cur $((cur + 1))" \
    "$(jget 'str(d["changed"]) + " " + str(d["old_serial"]) + " " + str(d["new_serial"])' < "$T/imp.json")"
expect_eq "diff --json: the added TXT" "True" \
    "$(hp diff r.test --json | jget 'any("extra.r.test." in r and "TXT" in r for r in d["added"])')"
printf '$ORIGIN r.test.\n@ IN SOA ns1 h 1 2 3 4 5\n@ NS ns1\nx IN A 999.1.1.1\n' > "$T/bad"
sig=$(openssl dgst -sha256 -hmac "$SECRET" < "$T/bad" | sed 's/.*= //')
curl -s -m 10 -H "X-Hub-Signature-256: sha256=$sig" -H 'Content-Type: text/dns' \
    --data-binary "@$T/bad" "http://$P:$HPORT/v1/zones/r.test/publish" > "$T/422.json"
expect_eq "API errors: problems as [{file, line, message}]" "webhook 4 True" \
    "$(jget 'str(d["problems"][0]["file"]) + " " + str(d["problems"][0]["line"]) + " " + str("IPv4" in d["problems"][0]["message"])' < "$T/422.json")"

check "status prints its times in UTC, ISO 8601" sh -c "hp() { \"$H\" -c \"$D/hpagent.conf\" \"\$@\"; }; hp status r.test | grep -qE ' 20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-9:]{8}Z '"

# ---- add, del, edit --------------------------------------------------------
nver() { hp history r.test | awk 'NR > 1' | wc -l; }
last_src() { hp history r.test | awk 'NR > 1 { s = $3 } END { print s }'; }
hp add r.test 'added 300 IN A 192.0.2.123' > "$T/add.out" 2>&1; rc=$?
expect_eq "add: exit 0, a version with source edit" "0 edit" "$rc $(last_src)"
check "add: the daemon serves it (AXFR)" wait_for 10 sh -c "kdig @$P -p $PORT -y hmac-sha256:$keyname:$keysec +timeout=2 +retry=0 r.test AXFR | grep -q 'added.r.test.*192.0.2.123'"
hp del r.test 'added 300 IN A 192.0.2.123' > /dev/null 2>&1; rc=$?
expect_eq "del: exit 0, the record gone" "0 0" "$rc $(hp show r.test | grep -c 'added.r.test')"
hp add r.test 'bad IN A nope' > "$T/bad.out" 2>&1; rc=$?
expect_eq "add of an RR that does not parse: exit 11, named" "11 1" "$rc $(grep -c 'invalid address' "$T/bad.out")"
n0=$(nver)
EDITOR=true hp edit r.test > "$T/ed0.out" 2>&1
expect_eq "edit without a change: no version" "$n0" "$(nver)"
EDITOR="sed -i s/192\.0\.2\.1\$/192.0.2.11/" hp edit r.test > "$T/ed1.out" 2>&1; rc=$?
expect_eq "edit: exit 0, the change shown (-/+), one version with source edit" "0 1 1 edit" \
    "$rc $(grep -c '^-ns1.r.test.*192.0.2.1$' "$T/ed1.out") $(grep -c '^+ns1.r.test.*192.0.2.11$' "$T/ed1.out") $(last_src)"
n1=$(nver)
EDITOR="sed -i s/192.0.2.11/999.0.0.1/" hp edit r.test > "$T/ed2.out" 2>&1; rc=$?
expect_eq "edit to a record that does not parse: exit 11, nothing published, the text kept" "11 $n1 1" \
    "$rc $(nver) $(grep -c 'your text is kept in' "$T/ed2.out")"
# another channel changes the RRset while the editor is open: the edit
# fails, the other change stays
cat > "$T/editor.sh" <<EOED
#!/bin/sh
"$H" -c "$D/hpagent.conf" add r.test 'ns1 300 IN A 192.0.2.55' > /dev/null 2>&1
sed -i s/192.0.2.11/192.0.2.12/ "\$1"
EOED
chmod +x "$T/editor.sh"
EDITOR="$T/editor.sh" hp edit r.test > "$T/ed3.out" 2>&1; rc=$?
expect_eq "edit racing another change of the RRset: exit 1, 'changed meanwhile', the other change kept" \
    "1 1 1 0" "$rc $(grep -c 'changed meanwhile' "$T/ed3.out") $(hp show r.test | grep -c '192.0.2.55') $(hp show r.test | grep -c '192.0.2.12')"

# ---- stopping -----------------------------------------------------------------
kill -TERM "$PIDH"
check "SIGTERM: STOPPING=1 sent" wait_for 10 grep -q "STOPPING=1" "$T/notify.log"
wait "$PIDH" 2>/dev/null; rc=$?
expect_eq "SIGTERM: exit 0" 0 "$rc"

# ---- make install --------------------------------------------------------------
R=$T/root
# the build under test: BUILD (from the runner) and, under make asan, its
# flags, so that make installs what was built instead of mixing the two
if [ "$UNDER_ASAN" = 1 ]; then
	set -- OPT="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" BIN="$BUILD/hpagent"
else
	set --
fi
make -s -C "$TOP" BUILD="$BUILD" "$@" install DESTDIR="$R" PREFIX=/usr > "$T/install.log" 2>&1; rc=$?
expect_eq "make install DESTDIR=... PREFIX=/usr: exit 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/# diag:   /' "$T/install.log" | tail -5
expect_eq "the installed binary runs" "hpagent $VERSION" "$("$R/usr/sbin/hpagent" --version 2>&1 | sed 's/[+-].*//')"
check "man pages installed: hpagent(8) and hpagent.conf(5)" test -s "$R/usr/share/man/man8/hpagent.8" -a -s "$R/usr/share/man/man5/hpagent.conf.5"
check "the configuration installed as /etc/hpagent/hpagent.conf, mode 0640" \
    sh -c "[ \"\$(stat -c %a '$R/etc/hpagent/hpagent.conf')\" = 640 ]"
expect_grep "the unit runs /usr/sbin/hpagent with /etc/hpagent/hpagent.conf" \
    "^ExecStart=/usr/sbin/hpagent -c /etc/hpagent/hpagent.conf serve$" "$R/lib/systemd/system/hpagent.service"
expect_grep "the unit is Type=notify" "^Type=notify$" "$R/lib/systemd/system/hpagent.service"
expect_grep "the unit may write /var/lib/hpagent, the default database's directory" \
    "^ReadWritePaths=/var/lib/hpagent$" "$R/lib/systemd/system/hpagent.service"
"$R/usr/sbin/hpagent" --help > "$T/inst.help" 2>&1
expect_grep "the installed binary's default configuration: /etc/hpagent/hpagent.conf" \
    "default /etc/hpagent/hpagent.conf" "$T/inst.help"
# The unit for another PREFIX: generated (sed over contrib/hpagent.service.in)
# in a build directory of its own, so that the binary under test is not
# rebuilt with other paths; the binary copied where the unit runs it.
X=$T/prefix
make -s -C "$TOP" BUILD="$T/b2" PREFIX="$X" "$T/b2/hpagent.service" > "$T/install2.log" 2>&1
mkdir -p "$X/sbin" && cp "$HPAGENT" "$X/sbin/hpagent"
expect_grep "PREFIX=/opt-like: the unit follows it" "^ExecStart=$X/sbin/hpagent -c /etc/hpagent/hpagent.conf serve$" \
    "$T/b2/hpagent.service"
if command -v systemd-analyze > /dev/null 2>&1; then
	systemd-analyze verify --man=no "$T/b2/hpagent.service" > "$T/verify.out" 2>&1; rc=$?
	expect_eq "systemd-analyze verify: clean (exit 0, no output)" "0 " "$rc $(grep -v '^$' "$T/verify.out" | head -3 | tr '\n' ' ')"
else
	fail "systemd-analyze verify: clean (exit 0, no output)"; diag "systemd-analyze missing"
fi

# ---- man pages -------------------------------------------------------------------
for m in contrib/hpagent.8 contrib/hpagent.conf.5; do
	MANWIDTH=80 man --warnings -l "$TOP/$m" > "$T/man.out" 2> "$T/man.err"; rc=$?
	expect_eq "$m renders without warnings" "0 " "$rc $(head -3 "$T/man.err" | tr '\n' ' ')"
done
check "README links both man pages" sh -c "grep -q 'contrib/hpagent.8' '$TOP/README.md' && grep -q 'contrib/hpagent.conf.5' '$TOP/README.md'"
