#!/bin/sh
# SIGHUP reloads the configuration of a running hpagent serve: a new zone
# and a changed provide-xfr: take effect (kdig before/after), a removed
# zone is no longer answered; a broken configuration is logged and the
# old one kept (still serving); a changed ip-address: is logged as needing
# a restart; verbosity: applies; SIGTERM then exits 0.
. "$(dirname "$0")/../lib.sh"
plan 24

P=127.0.12.11 PORT=31811 A=127.0.12.12 B=127.0.12.13
H="$HPAGENT"
D=$T/hp
mkdir -p "$D"
SECRET=$(head -c 32 /dev/urandom | base64)

for z in a b; do
	cat > "$D/$z.zone" <<EOZ
\$ORIGIN $z.test.
\$TTL 300
@	IN SOA ns1 hostmaster 1 7200 3600 1209600 300
@	IN NS ns1
ns1	IN A 192.0.2.1
EOZ
done
# conf ZONES_CLIENTS VERBOSITY [IP]: ZONES_CLIENTS "a:ADDR b:ADDR ..."
conf() {
	{
		printf 'server:\n\tip-address: %s@%s\n\tusername: root\n' "${3:-$P}" $PORT
		printf '\tdatabase: "%s/hp.db"\n\tzonesdir: "%s"\n' "$D" "$D"
		printf '\tlogfile: "%s/hpagent.log"\n\tverbosity: %s\n' "$D" "$2"
		printf 'key:\n\tname: k1\n\talgorithm: hmac-sha256\n\tsecret: "%s"\n' "$SECRET"
		for zc in $1; do
			printf 'zone:\n\tname: %s.test\n\tzonefile: %s.zone\n' "${zc%%:*}" "${zc%%:*}"
			for c in $(echo "${zc#*:}" | tr , ' '); do
				printf '\tprovide-xfr: %s NOKEY\n' "$c"
			done
		done
	} > "$D/agent.conf.new"
	chmod 600 "$D/agent.conf.new"
	mv "$D/agent.conf.new" "$D/agent.conf"
}
hp() { "$H" -c "$D/agent.conf" "$@"; }
# rcode ZONE FROM: the answer's status to an SOA query from FROM
rcode() { kdig @$P -p $PORT -b $2 +timeout=2 +retry=0 "$1" SOA 2>&1 |
	sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1; }
axfr_ok() { kdig @$P -p $PORT -b $2 +timeout=2 +retry=0 "$1" AXFR 2>&1 | grep -q "ns1\.$1\..*192\.0\.2\.1"; }
hup_and_wait() { # $1 = log line expected after the reload
	n=$(grep -c "SIGHUP: reloading" "$D/hpagent.log")
	kill -HUP $PID_hp
	wait_for 10 sh -c "[ \$(grep -c 'SIGHUP: reloading' '$D/hpagent.log') -gt $n ]" &&
	    wait_for 5 grep -q -- "$1" "$D/hpagent.log"
}

conf "a:$A,$B b:$A" 1
hp import a.test > /dev/null && hp import b.test > /dev/null
conf "a:$A" 1
bg hp "$H" -c "$D/agent.conf" serve
check "serve answers" wait_for 10 sh -c "kdig @$P -p $PORT -b $A +short a.test SOA | grep -q hostmaster"
expect_eq "before: a.test from A: NOERROR" NOERROR "$(rcode a.test $A)"
expect_eq "before: a.test from B: REFUSED" REFUSED "$(rcode a.test $B)"
expect_eq "before: b.test not configured: not served" 1 \
    "$(case $(rcode b.test $A) in NOERROR) echo 0 ;; *) echo 1 ;; esac)"

# ---- a good configuration: new zone, changed provide-xfr -------------------
conf "a:$A,$B b:$A" 2
check "SIGHUP: reload logged" hup_and_wait "reloaded .*agent.conf: 2 zones (1 added, 0 removed)"
expect_eq "after: a.test from B: NOERROR (provide-xfr: added)" NOERROR "$(rcode a.test $B)"
check "after: AXFR of a.test to B" axfr_ok a.test $B
expect_eq "after: b.test served (zone added)" NOERROR "$(rcode b.test $A)"
check "after: AXFR of b.test to A" axfr_ok b.test $A
expect_grep "zone added logged" "reload: zone b.test. added" "$D/hpagent.log"
kdig @$P -p $PORT -b $B +timeout=2 +retry=0 a.test SOA > /dev/null 2>&1
expect_grep "verbosity: 2 applies (info lines)" "\]: info: " "$D/hpagent.log"

# ---- a broken configuration: logged, old one kept ----------------------------
cp "$D/agent.conf" "$D/good.conf"
printf 'zone:\n\tname: c.test\n\tprovide-xfr: 300.1.2.3 NOKEY\n\tbogus-option: 1\n' >> "$D/agent.conf"
check "SIGHUP with a broken config: errors logged" hup_and_wait "has errors: still running"
expect_grep "the error itself, file:line" "\]: error: .*reload: .*agent.conf:[0-9]+: " "$D/hpagent.log"
expect_eq "still serving a.test to B (old config kept)" NOERROR "$(rcode a.test $B)"
expect_eq "still serving b.test" NOERROR "$(rcode b.test $A)"
check "daemon still running" kill -0 $PID_hp

# ---- zone removed, provide-xfr narrowed, address change needs restart --------
conf "a:$A" 1 127.0.12.14
check "SIGHUP: reload logged" hup_and_wait "reloaded .*agent.conf: 1 zone (0 added, 1 removed)"
expect_grep "ip-address change: restart needed" "ip-address:/port: .*changed: restart hpagent" "$D/hpagent.log"
expect_eq "still on the old address; a.test from B REFUSED again" REFUSED "$(rcode a.test $B)"
expect_eq "a.test from A" NOERROR "$(rcode a.test $A)"
expect_eq "b.test no longer served" 1 \
    "$(case $(rcode b.test $A) in NOERROR) echo 0 ;; *) echo 1 ;; esac)"
check "no secret in the log" sh -c "! grep -qF -- '$SECRET' '$D/hpagent.log'"

kill -TERM $PID_hp; wait $PID_hp; rc=$?
expect_eq "SIGTERM after reloads: exit 0" 0 $rc
if grep -qE "ERROR: (Address|Leak)Sanitizer|runtime error" "$T/hp.log" "$D/hpagent.log"; then
	fail "no sanitizer report"; grep -E "Sanitizer|runtime error" "$T/hp.log" | head -5
else ok "no sanitizer report"; fi
