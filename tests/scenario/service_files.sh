#!/bin/sh
# The files root writes before dropping privileges, in directories the
# daemon's user may write (the README has the pidfile's be one): a
# symbolic link or a second hard link planted there as pidfile: or
# logfile: is refused (serve does not start, and the file it points to is
# untouched) instead of truncating and chowning whatever it names; a
# regular pidfile is written and chowned to username: on its descriptor.
# The systemd unit's LimitNOFILE= is above what the default connection
# limits can open.
. "$(dirname "$0")/../lib.sh"
plan 15
P=127.0.16.71 PORT=33171
H="$HPAGENT"
D=$T/hp
mkdir -p "$D/db" "$D/run"
chmod 711 "$T" "$D"
chown nobody "$D/db" "$D/run"
printf '$ORIGIN f.test.\n@ 300 IN SOA ns1 h 1 7200 3600 1209600 300\n@ 300 IN NS ns1\nns1 300 IN A 192.0.2.1\n' > "$D/z.zone"
conf() { # LOGFILE PIDFILE
	cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: nobody
	database: "$D/db/hp.db"
	logfile: "$1"
	pidfile: "$2"
zone:
	name: f.test
	zonefile: "$D/z.zone"
	provide-xfr: $P NOKEY
EOC
	chmod 600 "$D/agent.conf"
}
# A file root cares about, owned by root, mode 0600.
printf 'precious\n' > "$T/victim"
chmod 600 "$T/victim"
victim_ok() { [ "$(cat "$T/victim")" = precious ] && [ "$(stat -c %U:%a "$T/victim")" = root:600 ]; }
conf "$D/run/hp.log" "$D/run/hp.pid"
"$H" -c "$D/agent.conf" import f.test > /dev/null 2>&1 && chown -R nobody "$D/db" || bail "initial import"
# serve_rc NAME: run serve (foreground) until it exits or 5 s pass; its
# exit status (124: still running, then stopped)
serve_rc() {
	"$H" -c "$D/agent.conf" serve > "$T/$1.out" 2>&1 &
	sp=$!
	if wait_for 5 sh -c "! kill -0 $sp"; then wait $sp; return $?; fi
	stop_pid $sp; return 124
}

# The pidfile is a symbolic link to the victim.
ln -s "$T/victim" "$D/run/hp.pid"
serve_rc symlink_pid; rc=$?
check "symlinked pidfile: serve refuses to start (exit $rc)" test "$rc" != 0 -a "$rc" != 124
expect_grep "... and says why (in its log)" 'pidfile .*hp.pid: is a symbolic link' "$D/run/hp.log"
check "... the file it points to is untouched (content, owner, mode)" victim_ok
rm -f "$D/run/hp.pid"

# A second hard link to the victim (on the same file system).
ln "$T/victim" "$D/run/hp.pid"
serve_rc hardlink_pid; rc=$?
check "hard-linked pidfile: serve refuses to start (exit $rc)" test "$rc" != 0 -a "$rc" != 124
check "... the victim is untouched" victim_ok
rm -f "$D/run/hp.pid"

# The logfile is a symbolic link to the victim.
rm -f "$D/run/hp.log"
ln -s "$T/victim" "$D/run/hp.log"
serve_rc symlink_log; rc=$?
check "symlinked logfile: serve refuses to start (exit $rc)" test "$rc" != 0 -a "$rc" != 124
expect_grep "... and says why" 'logfile .*hp.log: is a symbolic link' "$T/symlink_log.out"
check "... the victim is untouched" victim_ok
rm -f "$D/run/hp.log"

# A FIFO as pidfile: refused, and the open does not hang.
mkfifo "$D/run/hp.pid"
serve_rc fifo_pid; rc=$?
check "a FIFO as pidfile: refused at once (exit $rc)" test "$rc" != 0 -a "$rc" != 124
rm -f "$D/run/hp.pid"

# Regular files: written; the pidfile chowned to the user on its
# descriptor, so that the user can empty it at exit.
"$H" -c "$D/agent.conf" serve > "$T/ok.out" 2>&1 &
SP=$!; PIDS="$PIDS $SP"
check "regular files: serve starts" wait_for 5 sh -c "kdig @$P -p $PORT -b $P +timeout=1 +retry=0 f.test SOA | grep -q NOERROR"
expect_eq "... the pidfile holds its PID" "$SP" "$(cat "$D/run/hp.pid" 2>/dev/null)"
expect_eq "... the pidfile belongs to username: nobody" nobody "$(stat -c %U "$D/run/hp.pid")"
check "... the logfile is written" grep -q 'serving 1 zone' "$D/run/hp.log"
stop_pid $SP
check "... the pidfile is removed at exit" test ! -e "$D/run/hp.pid"

# contrib/hpagent.service.in (the unit make install writes): LimitNOFILE= above tcp-count: +
# http-max-connections: (defaults, from check-conf -v) + 64 of the
# daemon's own.
"$H" -c "$D/agent.conf" -v check-conf > "$T/cc.out" 2>&1
need=$(awk '/^  tcp-count:/ { t = $2 } /^  http-max-connections:/ { h = $2 } END { print t + h + 64 }' "$T/cc.out")
lim=$(sed -n 's/^LimitNOFILE=//p' "$TOP/contrib/hpagent.service.in")
expect_le "the unit's LimitNOFILE=${lim:-none} is above the default limits' $need descriptors" "$need" "${lim:-0}"
