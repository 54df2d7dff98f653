# lib_listeners.sh -- what the scenarios on the listeners under attack share
# (attack_*, http_gate, secrets, webhook_replay; sourced after tests/lib.sh).
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   listener_conf FILE [LINE...]   agent.conf for a test daemon on $P@$PORT:
#       root stays root, database and log in $D, and when $HPORT is set the
#       HTTP API on $P@$HPORT with $SECRET and $TOKEN; each LINE is added
#       to server:; the zone: clauses are read from stdin.
#   small_zone ZONE [N]            a zone text naming ZONE, with N more A
#       records (h0..), on stdout
#   field LINE NAME                NAME=value out of a rawhttp.py result line
RAW="python3 $TOP/tests/tools/rawhttp.py"

listener_conf() {
	_ll_f=$1; shift
	{
		printf 'server:\n\tip-address: %s@%s\n' "$P" "$PORT"
		printf '\tusername: root\t# tests run as root: stay root\n'
		printf '\tdatabase: "%s/hp.db"\n\tlogfile: "%s/hp.log"\n' "$D" "$D"
		if [ -n "${HPORT:-}" ]; then
			printf '\thttp-listen: %s@%s\n' "$P" "$HPORT"
			printf '\twebhook-secret: "%s"\n\tapi-token: "%s"\n' "$SECRET" "$TOKEN"
		fi
		for _ll_l in "$@"; do printf '\t%s\n' "$_ll_l"; done
		cat
	} > "$_ll_f"
	chmod 600 "$_ll_f"
}

small_zone() {
	printf '$ORIGIN %s.\n$TTL 300\n@ IN SOA ns1 h 1 7200 3600 1209600 300\n' "$1"
	printf '@ IN NS ns1\nns1 IN A 192.0.2.1\n'
	_ll_i=0
	while [ $_ll_i -lt "${2:-0}" ]; do
		echo "h$_ll_i IN A 192.0.2.$((_ll_i % 250 + 1))"
		_ll_i=$((_ll_i + 1))
	done
}

field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
