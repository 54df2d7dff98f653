# lib_daemons.sh -- real secondaries (NSD, Knot, BIND) around a hidden
# primary on loopback, for the interop_*.sh scenarios. Sourced after
# tests/lib.sh. SPDX-License-Identifier: GPL-3.0-or-later
#
# PRIMARY=hpagent (default) runs `$HPAGENT -c agent.conf serve`;
# PRIMARY=knot runs knotd as a stand-in with the same address, keys, zone
# and secondaries. Everything else is the same for both.
#
# Order of use:
#   ZONE=example.test. (default), EXTRA_ZONES="b.test. ..." (optional),
#   INITIAL_SERIAL=N (optional: the zone files' SOA serial),
#   AGENT_SERVER_EXTRA / KNOT_ZONE_EXTRA (optional lines for agent.conf's
#   server: / each zone of the knotd stand-in; AGENT_SERVER_EXTRA may open
#   clauses of its own, e.g. dnssec-policy:), AGENT_ZONE_EXTRA (lines for
#   each zone: of agent.conf)
#   declare_key NAME ALG SECRET          keys the primary knows
#   add_secondary NAME ADDR PORT KEY     notify: + provide-xfr: on the primary
#   add_client ADDR KEY                  provide-xfr: only (kdig; the first
#                                        one is used to query the primary)
#   start_primary ADDR PORT              zone files from the template, start,
#                                        wait until it answers
#   start_secondary KIND NAME [AXFR|UDP] KIND nsd|knot|bind, from the list
#   (or start_nsd_secondary ... with explicit, possibly wrong, key); each
#   start_* and restart_* returns 0 only once the daemon answers DNS
#   queries (any RCODE: a secondary without its zone yet says SERVFAIL)
#   expect_no_zone DESC NAME             the daemon answers, without the zone
#   zone_add RR / zone_del REGEX / zone_add_many N PREFIX; publish
#                                        change the zone on the primary
#   expect_serials SERIAL SECS NAME...   poll the secondaries (bounded)
#   SEC_EXTRA="..." start_*_secondary: lines added to the secondary's
#                                        pattern (NSD), template (Knot) or
#                                        options (BIND); SEC_SERVER_EXTRA:
#                                        to NSD's server: clause
#   expect_rr, expect_log, expect_status (hpagent status), expect_lt,
#   expect_status_json (hpagent status --json)
#   with_zone Z CMD...                   any of these for another zone
#   stop_primary; publish_offline; restart_primary
#   finish_primary                       last: SIGTERM, exit 0, no ASan report
# Daemon NAMEs are shell identifiers; each gets the directory $T/NAME and
# the variables ADDR_NAME, PORT_NAME, LOG_NAME, PID_NAME.

: "${PRIMARY:=hpagent}"
CONF_DIR=$TOP/tests/conf/interop
ZONE=${ZONE:-example.test.}
KEYS_LIST=$T/keys.list
SEC_LIST=$T/secondaries.list
: > "$KEYS_LIST"
: > "$SEC_LIST"

# render TEMPLATE OUT VAR=VALUE...: replace every @VAR@ (values may hold
# newlines); a placeholder without a value is an error. The lines between
# a line with @BEGIN_ZONES@ and one with @END_ZONES@ are repeated for each
# zone of $ZONES (default: $ZONE and $EXTRA_ZONES), @ZONE@ being that zone.
render() {
	local tpl out
	tpl=$1 out=$2; shift 2
	env ZONES="$(all_zones)" "$@" awk '
	function emit(line, zone,   out, k, v) {
		out = ""
		while (match(line, /@[A-Z][A-Z_0-9]*@/)) {
			k = substr(line, RSTART + 1, RLENGTH - 2)
			if (k == "ZONE" && zone != "") v = zone
			else if (k in ENVIRON) v = ENVIRON[k]
			else {
				print FILENAME ":" FNR ": no value for @" k "@" > "/dev/stderr"
				bad = 1; v = ""
			}
			out = out substr(line, 1, RSTART - 1) v
			line = substr(line, RSTART + RLENGTH)
		}
		print out line
	}
	/@BEGIN_ZONES@/ { inz = 1; nz = 0; next }
	/@END_ZONES@/ {
		inz = 0; n = split(ENVIRON["ZONES"], zs, " ")
		for (j = 1; j <= n; j++)
			for (i = 1; i <= nz; i++) emit(buf[i], zs[j])
		next
	}
	inz { buf[++nz] = $0; next }
	{ emit($0, "") }
	END { exit bad }' "$tpl" > "$out"
}
# all_zones: $ZONE first, then $EXTRA_ZONES (space-separated, absolute)
all_zones() { echo "$ZONE ${EXTRA_ZONES:-}"; }

# with_zone Z CMD...: run CMD with ZONE=Z (and Z's primary zone file), so
# publish, primary_serial, expect_serial(s), zone_add ... act on zone Z.
with_zone() {
	local z0 f0 rc
	z0=$ZONE f0=${PRI_ZONEFILE:-}
	ZONE=$1 PRI_ZONEFILE=$T/primary/${1}zone; shift
	"$@"; rc=$?
	ZONE=$z0 PRI_ZONEFILE=$f0
	return $rc
}

# hpagent_primary_only: a scenario that tests hpagent alone (its SOA
# probes): with another primary it prints a plan of one allowed skip
# (tests/skips, knot-primary) and ends.
hpagent_primary_only() {
	[ "$PRIMARY" = hpagent ] && return 0
	plan 1
	skip "hpagent's verdicts on its secondaries" \
	    "$PRIMARY stands in for hpagent"
	exit 0
}

# ---- keys and the primary's view of its secondaries ----------------------

# declare_key NAME ALG SECRET
declare_key() { echo "$1 $2 $3" >> "$KEYS_LIST"; }
key_alg() { awk -v k="$1" '$1 == k { print $2; exit }' "$KEYS_LIST"; }
key_secret() { awk -v k="$1" '$1 == k { print $3; exit }' "$KEYS_LIST"; }
# key_y NAME: kdig's -y argument
key_y() { echo "$(key_alg "$1"):$1:$(key_secret "$1")"; }
# new_secret ALG: a random base64 secret as long as the digest
new_secret() {
	local n
	case $1 in
	hmac-md5) n=16 ;; hmac-sha1) n=20 ;; hmac-sha224) n=28 ;;
	hmac-sha256) n=32 ;; hmac-sha384) n=48 ;; *) n=64 ;;
	esac
	head -c $n /dev/urandom | base64 -w 0
}

# add_secondary NAME ADDR PORT KEY: the primary NOTIFYs ADDR@PORT with KEY
# and lets ADDR transfer with KEY.
add_secondary() { echo "$1 $2 $3 $4 notify" >> "$SEC_LIST"; }
# add_client ADDR KEY: ADDR may transfer/query with KEY (no NOTIFY).
add_client() { echo "client_$(echo "$1" | tr . _)_$2 $1 0 $2 client" >> "$SEC_LIST"; }

# ---- secondaries -----------------------------------------------------------

# daemon_answers NAME: the daemon (still running) answers an SOA query for
# $ZONE with any RCODE.
daemon_answers() {
	local addr port pid
	eval "addr=\$ADDR_$1 port=\$PORT_$1 pid=\${PID_$1:-}"
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && port_bound "$addr" "$port" &&
	kdig @"$addr" -p "$port" +timeout=1 +retry=0 "$ZONE" SOA 2>/dev/null |
	    grep -q 'status: '
}
# port_bound ADDR PORT: something listens on UDP ADDR@PORT (a query before
# that would wait out kdig's whole timeout)
port_bound() { ss -Hlun "( sport = :$2 )" | grep -qF -e "$1:$2" -e "*:$2" -e "0.0.0.0:$2"; }
# wait_daemon NAME [SECS]: 0 once NAME answers (15 s at most); else its
# log as diag lines and 1.
wait_daemon() {
	wait_for "${2:-15}" daemon_answers "$1" && return 0
	diag "$1 does not answer on $(eval echo "\$ADDR_$1@\$PORT_$1") (or exited):"
	log_tail "$1"
	return 1
}

# note_daemon NAME ADDR PORT LOG
note_daemon() {
	eval "ADDR_$1=\$2; PORT_$1=\$3; LOG_$1=\$4"
	mkdir -p "$T/$1"
}

# start_nsd_secondary NAME ADDR PORT PRIMARY_ADDR PRIMARY_PORT KEYNAME ALG
#     SECRET ZONES [AXFR|UDP]  (ZONES: one or more, space-separated;
#     request-xfr: AXFR: AXFR only; UDP: IXFR over
#     UDP first; neither: IXFR over TCP, then AXFR)
start_nsd_secondary() {
	local d axfr
	d=$T/$1; axfr=
	case ${10:-} in AXFR|UDP) axfr="${10} " ;; esac
	note_daemon "$1" "$2" "$3" "$d/nsd.log"
	render "$CONF_DIR/nsd-secondary.conf" "$d/nsd.conf" DIR="$d" \
	    LISTEN="$2@$3" ADDR="$2" PRIMARY_ADDR="$4" KEYNAME="$6" ALG="$7" \
	    SECRET="$8" ZONES="$9" SEC_EXTRA="${SEC_EXTRA:-}" \
	    SEC_SERVER_EXTRA="${SEC_SERVER_EXTRA:-}" \
	    REQUEST_XFR="$axfr$4@$5 $6" || return 1
	bg "$1" nsd -d -c "$d/nsd.conf"
	wait_daemon "$1"
}

# start_knot_secondary NAME ADDR PORT PRIMARY_ADDR PRIMARY_PORT KEYNAME ALG
#     SECRET ZONES
start_knot_secondary() {
	local d
	d=$T/$1
	note_daemon "$1" "$2" "$3" "$T/$1.log"
	render "$CONF_DIR/knot-secondary.conf" "$d/knot.conf" DIR="$d" \
	    LISTEN="$2@$3" ADDR="$2" PRIMARY="$4@$5" PRIMARY_ADDR="$4" \
	    KEYNAME="$6" ALG="$7" SECRET="$8" ZONES="$9" \
	    SEC_EXTRA="${SEC_EXTRA:-}" || return 1
	bg "$1" knotd -c "$d/knot.conf"
	wait_daemon "$1"
}

# start_bind_secondary NAME ADDR PORT PRIMARY_ADDR PRIMARY_PORT KEYNAME ALG
#     SECRET ZONES  (ADDR must be 127.0.0.1: BIND binds interface addresses)
start_bind_secondary() {
	local d
	d=$T/$1
	note_daemon "$1" "$2" "$3" "$T/$1.log"
	render "$CONF_DIR/named-secondary.conf" "$d/named.conf" DIR="$d" \
	    PORT="$3" ADDR="$2" PRIMARY_ADDR="$4" PRIMARY_PORT="$5" \
	    KEYNAME="$6" ALG="$7" SECRET="$8" ZONES="$9" \
	    SEC_EXTRA="${SEC_EXTRA:-}" || return 1
	bg "$1" named -4 -g -n 1 -c "$d/named.conf"
	wait_daemon "$1"
}

# start_secondary KIND NAME [AXFR|UDP]: as registered with add_secondary.
start_secondary() {
	local line addr port key
	line=$(awk -v n="$2" '$1 == n' "$SEC_LIST")
	[ -n "$line" ] || { diag "no secondary $2 declared"; return 1; }
	set -- "$1" "$2" "${3:-}" $line
	addr=$5 port=$6 key=$7
	"start_$1_secondary" "$2" "$addr" "$port" "$PRI_ADDR" "$PRI_PORT" \
	    "$key" "$(key_alg "$key")" "$(key_secret "$key")" "$(all_zones)" $3
}

# stop_daemon NAME
stop_daemon() {
	local pid
	eval "pid=\${PID_$1:-}"
	[ -n "$pid" ] || return 0
	stop_pid "$pid"
	PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
	eval "PID_$1="
}

# restart_daemon NAME: again, with the configuration it had (the previous
# run's stderr log is kept as $T/NAME.log.0).
restart_daemon() {
	local d
	d=$T/$1
	[ -f "$T/$1.log" ] && mv "$T/$1.log" "$T/$1.log.0"
	if [ -f "$d/nsd.conf" ]; then bg "$1" nsd -d -c "$d/nsd.conf"
	elif [ -f "$d/knot.conf" ]; then bg "$1" knotd -c "$d/knot.conf"
	elif [ -f "$d/named.conf" ]; then bg "$1" named -4 -g -n 1 -c "$d/named.conf"
	elif [ -f "$d/agent.conf" ]; then bg "$1" "$HPAGENT" -c "$d/agent.conf" serve
	else return 1; fi
	wait_daemon "$1"
}

# ---- the primary -----------------------------------------------------------

# Blocks for the primary's configuration, from KEYS_LIST and SEC_LIST.
nsd_keys_block() {
	awk '{ printf "key:\n\tname: \"%s\"\n\talgorithm: %s\n\tsecret: \"%s\"\n\n", $1, $2, $3 }' "$KEYS_LIST"
}
nsd_acl_block() {
	awk '$5 == "notify" { printf "\tnotify: %s@%s %s\n", $2, $3, $4 }
	    { printf "\tprovide-xfr: %s %s\n", $2, $4 }' "$SEC_LIST"
}
knot_keys_block() {
	awk 'NR == 1 { print "key:" }
	    { printf "  - id: %s\n    algorithm: %s\n    secret: %s\n", $1, $2, $3 }' "$KEYS_LIST"
}
knot_remotes_block() {
	awk -v via="$1" '$5 == "notify" && !n++ { print "remote:" }
	    $5 == "notify" { printf "  - id: %s\n    address: %s@%s\n    key: %s\n    via: %s\n", $1, $2, $3, $4, via }' "$SEC_LIST"
}
knot_acls_block() {
	awk 'BEGIN { print "acl:" }
	    { printf "  - id: xfr_%s\n    address: %s\n    key: %s\n    action: transfer\n", $1, $2, $4 }' "$SEC_LIST"
}

# start_knot_primary NAME ADDR PORT: zones $(all_zones), each from the file
# $T/NAME/ZONEzone
start_knot_primary() {
	local d
	d=$T/$1
	note_daemon "$1" "$2" "$3" "$T/$1.log"
	render "$CONF_DIR/knot-primary.conf" "$d/knot.conf" DIR="$d" \
	    LISTEN="$2@$3" KNOT_ZONE_EXTRA="${KNOT_ZONE_EXTRA:-}" \
	    KEYS="$(knot_keys_block)" REMOTES="$(knot_remotes_block "$2")" \
	    ACLS="$(knot_acls_block)" \
	    NOTIFY="$(awk '$5 == "notify" { l = l s $1; s = ", " }
		END { if (l != "") print "    notify: [ " l " ]"
		    else print "    # no notify: targets" }' "$SEC_LIST")" \
	    ACL_IDS="$(awk '{ printf "%sxfr_%s", s, $1; s = ", " }' "$SEC_LIST")" ||
	    return 1
	PRI_CONF=$d/knot.conf
	bg "$1" knotd -c "$d/knot.conf"
}

# start_hpagent_primary NAME ADDR PORT: agent.conf from the template (zones
# $(all_zones), each from $T/NAME/ZONEzone), every zone imported, then
# `hpagent serve` in the foreground.
start_hpagent_primary() {
	local d z
	d=$T/$1
	note_daemon "$1" "$2" "$3" "$T/$1.log"
	render "$CONF_DIR/agent.conf" "$d/agent.conf" DIR="$d" \
	    LISTEN="$2@$3" AGENT_SERVER_EXTRA="${AGENT_SERVER_EXTRA:-}" \
	    AGENT_ZONE_EXTRA="${AGENT_ZONE_EXTRA:-}" \
	    KEYS="$(nsd_keys_block)" SECONDARIES="$(nsd_acl_block)" || return 1
	PRI_CONF=$d/agent.conf
	for z in $(all_zones); do
		if ! "$HPAGENT" -c "$PRI_CONF" import "$z" >> "$T/import.log" 2>&1
		then
			diag "hpagent import $z failed:"; log_tail import.log 10
			return 1
		fi
	done
	bg "$1" "$HPAGENT" -c "$PRI_CONF" serve
}

# start_primary ADDR PORT: $PRIMARY on ADDR@PORT serving $ZONE from
# $PRI_ZONEFILE (made from the template unless it exists); waits (10 s at
# most) until it answers the SOA query of the first client.
start_primary() {
	PRI_ADDR=$1 PRI_PORT=$2 PRI_NAME=primary
	mkdir -p "$T/primary"
	PRI_ZONEFILE=$T/primary/${ZONE}zone
	for z in $(all_zones); do
		f=$T/primary/${z}zone
		[ -f "$f" ] && continue
		render "$CONF_DIR/example.zone" "$f" ZONE="$z"
		# INITIAL_SERIAL: the zone file's SOA serial (hpagent takes it
		# for the first version)
		[ -z "${INITIAL_SERIAL:-}" ] || set_serial "$f" "$INITIAL_SERIAL"
	done
	CLIENT_ADDR=$(awk '$5 == "client" { print $2; exit }' "$SEC_LIST")
	CLIENT_KEY=$(awk '$5 == "client" { print $4; exit }' "$SEC_LIST")
	"start_${PRIMARY}_primary" primary "$1" "$2" || return 1
	if ! wait_for 10 primary_answers; then
		diag "the $PRIMARY primary does not answer on $1@$2:"
		log_tail primary 20
		return 1
	fi
}

# kdig against the primary from the client address with the client's key.
kdig_primary() {
	kdig -b "$CLIENT_ADDR" -y "$(key_y "$CLIENT_KEY")" @"$PRI_ADDR" \
	    -p "$PRI_PORT" +timeout=2 +retry=0 "$@" 2>/dev/null
}
primary_serial() { kdig_primary +short "$ZONE" SOA | awk 'NR == 1 { print $3 }'; }
primary_answers() { port_bound "$PRI_ADDR" "$PRI_PORT" && [ -n "$(primary_serial)" ]; }

# finish_primary: at the end of a scenario, stop hpagent serve with SIGTERM
# and check it exits 0 within 10 s, and that neither it nor any hpagent
# import reported a sanitizer error (when built with ASan/UBSan).
finish_primary() {
	local pid rc i
	if [ "$PRIMARY" != hpagent ]; then
		stop_daemon primary
		skip "hpagent serve exits 0 on SIGTERM" "$PRIMARY stands in for hpagent"
		skip "no sanitizer report from hpagent serve/import" "$PRIMARY stands in for hpagent"
		return
	fi
	pid=${PID_primary:-}
	rc=none
	if [ -n "$pid" ]; then
		kill -TERM "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1)); done
		if kill -0 "$pid" 2>/dev/null; then
			diag "hpagent serve still runs 10 s after SIGTERM"
			stop_daemon primary; rc=timeout
		else
			wait "$pid"; rc=$?
			PIDS=$(echo "$PIDS" | tr ' ' '\n' | grep -vx "$pid" | tr '\n' ' ')
			PID_primary=
		fi
	else diag "hpagent serve was not running"; fi
	expect_eq "hpagent serve exits 0 on SIGTERM" 0 "$rc"
	[ "$rc" = 0 ] || log_tail primary
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' \
	    "$T"/primary.log* "$T/import.log" 2>/dev/null; then
		fail "no sanitizer report from hpagent serve/import"
		grep -hE -A12 'AddressSanitizer|LeakSanitizer|runtime error:' \
		    "$T"/primary.log* "$T/import.log" | head -n 30 |
		    sed 's/^/# diag:   /'
	else ok "no sanitizer report from hpagent serve/import"; fi
}

# ---- changing the zone -----------------------------------------------------

zone_add() { printf '%s\n' "$1" >> "$PRI_ZONEFILE"; }
zone_del() { grep -vE -- "$1" "$PRI_ZONEFILE" > "$PRI_ZONEFILE.new" &&
    mv "$PRI_ZONEFILE.new" "$PRI_ZONEFILE"; }
# zone_add_many N PREFIX: N TXT records PREFIXnnnn, ~100 octets each, so
# that a transfer of them spans several messages (each TSIG-signed).
zone_add_many() {
	awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++)
		printf "%s%04d\tIN\tTXT\t\"record %d of %d, padded to span several DNS messages in one transfer\"\n", p, i, i, n }' \
	    >> "$PRI_ZONEFILE"
}
# bump_serial FILE: SOA serial + 1 modulo 2^32 (RFC 1982); the SOA is on
# one line: @ IN SOA ... (sh arithmetic: mawk prints big numbers as 4.3e+09)
bump_serial() {
	local cur
	cur=$(awk '$3 == "SOA" { print $6; exit }' "$1")
	set_serial "$1" $(( (cur + 1) % 4294967296 ))
}
# set_serial FILE N
set_serial() {
	awk -v n="$2" '$3 == "SOA" && !done { $6 = n; done = 1 } { print }' \
	    "$1" > "$1.new" && mv "$1.new" "$1"
}

# publish: make the primary serve the edited zone file; sets OLD_SERIAL and
# NEW_SERIAL (what the primary answers afterwards, waited for 10 s at most).
publish() {
	OLD_SERIAL=$(primary_serial)
	case $PRIMARY in
	hpagent)
		"$HPAGENT" -c "$PRI_CONF" import "$ZONE" >> "$T/import.log" 2>&1 ||
		    { diag "hpagent import failed:"; log_tail import.log 10; return 1; } ;;
	knot)
		bump_serial "$PRI_ZONEFILE"
		knotc -s "$T/primary/knot.sock" zone-reload "$ZONE" \
		    >> "$T/knotc.log" 2>&1 || return 1 ;;
	esac
	wait_for 10 serial_moved
	NEW_SERIAL=$(primary_serial)
	[ -n "$NEW_SERIAL" ] && [ "$NEW_SERIAL" != "$OLD_SERIAL" ] ||
	    { diag "primary still serves serial $NEW_SERIAL after publish"; return 1; }
}
# publish_offline: the same while the primary is stopped (hpagent import
# works on the database alone; for knotd, the file is reloaded at start).
publish_offline() {
	case $PRIMARY in
	hpagent) "$HPAGENT" -c "$PRI_CONF" import "$ZONE" >> "$T/import.log" 2>&1 ||
		    { diag "hpagent import failed:"; log_tail import.log 10; return 1; } ;;
	knot) bump_serial "$PRI_ZONEFILE" ;;
	esac
}
# stop_primary / restart_primary: the former is finish_primary (two
# checks); the latter waits (10 s) until it answers.
stop_primary() { finish_primary; }
restart_primary() {
	restart_daemon primary || return 1
	wait_for 10 primary_answers ||
	    { diag "the restarted primary does not answer"; log_tail primary; return 1; }
}
serial_moved() { s=$(primary_serial); [ -n "$s" ] && [ "$s" != "$OLD_SERIAL" ]; }

# ---- checking the secondaries ----------------------------------------------

# soa_serial ADDR PORT ZONE: the serial ADDR@PORT answers, or nothing.
soa_serial() {
	kdig @"$1" -p "$2" +timeout=1 +retry=0 +short "$3" SOA 2>/dev/null |
	    awk 'NR == 1 { print $3 }'
}

# wait_serial ADDR PORT ZONE SERIAL TIMEOUT: 0 once ADDR@PORT serves SERIAL;
# GOT_SERIAL holds the last answer.
wait_serial() {
	local end
	if [ -z "$4" ]; then
		diag "wait_serial: no expected serial (did the primary answer?)"
		GOT_SERIAL=; return 2
	fi
	end=$(( $(date +%s) + $5 ))
	while :; do
		GOT_SERIAL=$(soa_serial "$1" "$2" "$3")
		[ "$GOT_SERIAL" = "$4" ] && return 0
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# log_tail NAME|FILE [N]: the last N lines of a daemon's log as diag lines.
log_tail() {
	local f
	eval "f=\${LOG_$1:-}" 2>/dev/null
	[ -n "$f" ] || f=$T/$1
	echo "# diag: --- tail of $f"
	tail -n "${2:-15}" "$f" 2>/dev/null | sed 's/^/# diag:   /'
}

# expect_serial DESC NAME SERIAL TIMEOUT
expect_serial() {
	local addr port
	eval "addr=\$ADDR_$2 port=\$PORT_$2"
	if wait_serial "$addr" "$port" "$ZONE" "$3" "$4"; then ok "$1"
	else
		fail "$1"; diag "expected $ZONE serial [$3] from $2 ($addr@$port) within $4 s"
		diag "got      [${GOT_SERIAL:-no answer}]"
		log_tail "$2"; log_tail primary
	fi
}

# expect_serials SERIAL SECS NAME...: every NAME serves SERIAL, all within
# SECS seconds from now (the secondaries work in parallel).
expect_serials() {
	local serial secs end left
	serial=$1 secs=$2; shift 2
	end=$(( $(date +%s) + secs ))
	for s in "$@"; do
		left=$(( end - $(date +%s) ))
		[ $left -lt 1 ] && left=1
		expect_serial "$s serves $ZONE serial $serial (within $secs s)" "$s" \
		    "$serial" $left
	done
}

# rr NAME OWNER TYPE: the rdata a daemon answers, sorted, one per line.
rr() {
	local addr port
	eval "addr=\$ADDR_$1 port=\$PORT_$1"
	kdig @"$addr" -p "$port" +timeout=1 +retry=0 +short "$2" "$3" \
	    2>/dev/null | sort
}

# expect_rr DESC NAME OWNER TYPE EXPECTED
expect_rr() {
	local got
	got=$(rr "$2" "$3" "$4")
	expect_eq "$1" "$5" "$got"
	[ "$5" = "$got" ] || log_tail "$2"
}

# expect_log DESC NAME REGEX: the daemon's log has a matching line.
expect_log() {
	local f
	eval "f=\$LOG_$2"
	if grep -qE -- "$3" "$f" 2>/dev/null; then ok "$1"
	else fail "$1"; diag "no line matching [$3] in $f"; log_tail "$2" 25; fi
}

# How a secondary received a serial, from its log (empty if it did not):
# nsd_xfr_bytes NAME SERIAL: NSD logs no transfer type, only the size of
# what it received ("received update to serial S ... of N bytes").
nsd_xfr_bytes() {
	local f
	eval "f=\$LOG_$1"
	sed -n "s/.*zone $ZONE received update to serial $2 .* of \([0-9]*\) bytes.*/\1/p" \
	    "$f" | tail -n 1
}
# bind_xfr_records NAME SERIAL: "Transfer completed: M messages, N records"
bind_xfr_records() {
	local f
	eval "f=\$LOG_$1"
	sed -n "s/.*Transfer completed: [0-9]* messages, \([0-9]*\) records.*(serial $2).*/\1/p" \
	    "$f" | tail -n 1
}
# expect_no_zone DESC NAME: NAME is running and answers an SOA query for
# $ZONE, but not with the zone (SERVFAIL, REFUSED ...: never NOERROR).
expect_no_zone() {
	local addr port out
	eval "addr=\$ADDR_$2 port=\$PORT_$2"
	out=$(kdig @"$addr" -p "$port" +timeout=1 +retry=0 "$ZONE" SOA 2>&1)
	if daemon_answers "$2" && echo "$out" | grep -q 'status: ' &&
	    ! echo "$out" | grep -q 'status: NOERROR'; then ok "$1"
	else fail "$1"; diag "$2: $(echo "$out" | grep -E 'status|SOA|ERROR' | head -n 3 | tr '\n' ' ')"
		log_tail "$2"; fi
}

# expect_lt DESC SMALL LARGE: both numbers, SMALL < LARGE
expect_lt() {
	if [ -n "$2" ] && [ -n "$3" ] && [ "$2" -lt "$3" ]; then ok "$1"
	else fail "$1"; diag "expected [${2:-none}] < [${3:-none}]"; fi
}

# expect_status DESC ADDR[@PORT] SERIAL REGEX: within 5 s, `hpagent status
# ZONE` has a line for the secondary ADDR@PORT (ADDR: any port of it)
# serving SERIAL whose rest matches REGEX (columns: ZONE SECONDARY SERIAL
# STATE LAST-PROBE LAST-TRANSFER REASON). With the knot stand-in there is
# no such command: ok # SKIP.
status_has() {
	"$HPAGENT" -c "$PRI_CONF" status "$ZONE" 2>/dev/null |
	    awk -v a="$1" -v s="$2" '($2 == a || index($2, a "@") == 1) &&
		$3 == s' | grep -qE -- "$3"
}
expect_status() {
	if [ "$PRIMARY" = knot ]; then skip "$1" "no hpagent status"; return; fi
	if wait_for 5 status_has "$2" "$3" "$4"; then ok "$1"
	else fail "$1"; diag "expected a line [* $2 $3 ... /$4/] in:"
		"$HPAGENT" -c "$PRI_CONF" status "$ZONE" 2>&1 | head -n 20 |
		    sed 's/^/# diag:   /'
	fi
}
# expect_status_json DESC SECS ADDR@PORT PYTHON: within SECS seconds, the
# row of that secondary in `hpagent status ZONE --json` (a dict S) makes
# the Python expression true, e.g. 'S["state"] == "stale"'.
status_json_has() {
	"$HPAGENT" -c "$PRI_CONF" status "$ZONE" --json 2>/dev/null |
	    python3 -c '
import json, sys
d = json.load(sys.stdin)
S = [s for z in d["zones"] for s in z["secondaries"] if s["secondary"] == sys.argv[1]]
sys.exit(0 if S and eval(sys.argv[2], {"S": S[0]}) else 1)' "$1" "$2"
}
expect_status_json() {
	if [ "$PRIMARY" = knot ]; then skip "$1" "no hpagent status"; return; fi
	if wait_for "$2" status_json_has "$3" "$4"; then ok "$1"
	else fail "$1"; diag "expected $3 with [$4] in:"
		"$HPAGENT" -c "$PRI_CONF" status "$ZONE" 2>&1 | head -n 20 |
		    sed 's/^/# diag:   /'
	fi
}

# ---- hpagent with one NSD secondary (the ddns_* scenarios) -----------------

# start_hpagent_nsd CONF ADDR PORT NSD_ADDR NSD_PORT XFR_SECRET ZONE...:
# import each ZONE with CONF, start `hpagent serve` on ADDR@PORT (daemon
# "primary") and an NSD secondary of the first ZONE on NSD_ADDR@NSD_PORT
# (daemon "nsd", key "xfr" hmac-sha256 with XFR_SECRET); bails unless NSD
# serves that zone within 10 s.
start_hpagent_nsd() {
	local conf a p na np sec z
	conf=$1 a=$2 p=$3 na=$4 np=$5 sec=$6; shift 6
	for z in "$@"; do
		"$HPAGENT" -c "$conf" import "$z" >> "$T/import.log" 2>&1 ||
		    bail "zone $z does not import: $(cat "$T/import.log")"
	done
	note_daemon primary "$a" "$p" "$T/primary.log"
	bg primary "$HPAGENT" -c "$conf" serve
	wait_daemon primary || bail "hpagent serve does not answer"
	start_nsd_secondary nsd "$na" "$np" "$a" "$p" xfr hmac-sha256 "$sec" \
	    "$1." || bail "NSD does not start"
	wait_for 10 sh -c "kdig @$na -p $np +short +timeout=1 $1 SOA | grep -q ." ||
	    bail "NSD does not serve $1"
}
