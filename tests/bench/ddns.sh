# Benchmark part D (sourced by tests/bench/run.sh; BENCH=ddns or all):
# RFC 2136 dynamic updates answered after propagation. `hpagent serve`
# with allow-update: (the ACME rule), update-wait: 30 and update-coalesce:
# DDNS_COALESCE (default 100; 0 shows what coalescing saves), two NSD
# secondaries (secondary_inbound, TSIG hmac-sha256, xfrd-reload-timeout: 0)
# on a DDNS_RRS-RR zone (default 100,000). The client is dnspython in one process (its start-up is not
# counted), TSIG hmac-sha256, UDP.
#   1. DDNS_RUNS (10, after a warm-up) single TXT updates, one after the
#      other: UPDATE sent -> NOERROR, which comes once both NSDs' own SOA
#      answers show the serial; and from hpagent's log: the commit, and
#      commit -> both confirmed.
#   2. DDNS_BURST (100) ACME-style TXT updates sent at once (one thread
#      each): the time until the last NOERROR, the versions made, the
#      transfers the two NSDs made, the answers' median and max.
# Loopback 127.0.13.50-52, ports 32160-32162. Uses run.sh's helpers (T, bg,
# now, sub, say, GEN, HPAGENT, KEYNAME, KEYSEC, drop_pid).
# SPDX-License-Identifier: GPL-3.0-or-later
: "${DDNS_RRS:=100000}" "${DDNS_RUNS:=10}" "${DDNS_BURST:=100}" "${DDNS_COALESCE:=100}"
DD_HP=127.0.13.50 DD_DNS=32160
DD_S1=127.0.13.51 DD_P1=32161 DD_S2=127.0.13.52 DD_P2=32162
DD_Z=ddns.test

dd_conf() { # DIR
	mkdir -p "$1"
	cat > "$1/agent.conf" <<EOF
server:
    ip-address: $DD_HP@$DD_DNS
    username: root
    database: "$1/hpagent.db"
    zonesdir: "$1"
    verbosity: 2
key:
    name: $KEYNAME
    algorithm: hmac-sha256
    secret: "$KEYSEC"
key:
    name: acme-key
    algorithm: hmac-sha256
    secret: "$KEYSEC"
zone:
    name: $DD_Z
    zonefile: ddns.zone
    notify: $DD_S1@$DD_P1 $KEYNAME
    provide-xfr: $DD_S1 $KEYNAME
    notify: $DD_S2@$DD_P2 $KEYNAME
    provide-xfr: $DD_S2 $KEYNAME
    allow-update: 127.0.0.0/8 acme-key name=_acme-challenge,_acme-challenge.* type=TXT
    update-wait: 30
    update-coalesce: $DDNS_COALESCE
EOF
	chmod 600 "$1/agent.conf"
}

# The client: MODE single N | burst N; one line per update:
# "index ms rcode", then "total ms".
dd_client() {
	/usr/bin/python3 - "$DD_HP" "$DD_DNS" "$DD_Z" "$KEYSEC" "$@" <<'EOPY'
import sys, time, threading
import dns.update, dns.query, dns.tsigkeyring, dns.tsig, dns.rcode
addr, port, zone, secret, mode, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])
kr = dns.tsigkeyring.from_text({'acme-key': secret})
tag = str(int(time.time() * 1000) % 100000000)
out = [None] * n
def one(i):
    u = dns.update.Update(zone, keyring=kr, keyalgorithm=dns.tsig.HMAC_SHA256)
    u.add('_acme-challenge.h%d-%s' % (i, tag), 60, 'TXT', '"token-%d-%s"' % (i, tag))
    t0 = time.monotonic()
    try:
        r = dns.query.udp(u, addr, port=port, timeout=40)
        rc = dns.rcode.to_text(r.rcode())
    except Exception as e:
        rc = type(e).__name__
    out[i] = ((time.monotonic() - t0) * 1000, rc)
start = time.monotonic()
if mode == 'single':
    for i in range(n):
        one(i)
else:
    ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
total = (time.monotonic() - start) * 1000
for i, (ms, rc) in enumerate(out):
    print(i, '%.1f' % ms, rc)
print('total', '%.0f' % total)
EOPY
}
dd_stat() { # FILE COLUMN: "median max" of the numeric values
	awk -v c="$2" '$c ~ /^[0-9.]+$/ { print $c }' "$1" | sort -n |
	    awk '{ v[NR] = $1 } END { if (NR) printf "%s %s", v[int((NR + 1) / 2)], v[NR]; else print "- -" }'
}

bench_ddns() {
	say ""
	say "## D. dynamic updates answered after propagation: UPDATE -> NOERROR once 2 NSD secondaries serve it ($DDNS_RRS RRs)"
	/usr/bin/python3 -c 'import dns.update' 2>/dev/null ||
	    { say "# python3-dnspython is missing: skipped"; return 1; }
	D=$T/ddns; dd_conf "$D"
	"$GEN" $DD_Z "$DDNS_RRS" 1 > "$D/ddns.zone" || return 1
	"$HPAGENT" -c "$D/agent.conf" -q import $DD_Z > "$T/ddns-import.log" 2>&1 ||
	    { say "# hpagent import failed: $(tail -1 "$T/ddns-import.log")"; return 1; }
	# the publish bench's NSD configuration, for this zone
	for s in 1 2; do
		eval "a=\$DD_S$s p=\$DD_P$s"
		PB_HP=$DD_HP PB_DNS=$DD_DNS PB_BIG=$DD_Z PB_SMALL=$DD_Z.unused \
		    pb_nsd_conf "$T/ddsec$s" "$a" "$p"
		# (its last zone: clause, the small zone's, dropped)
		head -n -3 "$T/ddsec$s/nsd.conf" > "$T/ddsec$s/nsd.conf.new" &&
		    mv "$T/ddsec$s/nsd.conf.new" "$T/ddsec$s/nsd.conf"
	done
	bg ddhp "$HPAGENT" -c "$D/agent.conf" serve
	bg ddsec1 nsd -d -c "$T/ddsec1/nsd.conf"
	bg ddsec2 nsd -d -c "$T/ddsec2/nsd.conf"
	HL=$T/ddhp.log
	pb_wait_serial 20 $DD_HP $DD_DNS $DD_Z '[0-9]+' ||
	    { say "# hpagent serve does not answer: $(tail -n 3 "$HL")"; return 1; }
	S=$(pb_serial $DD_HP $DD_DNS $DD_Z)
	for a in "$DD_S1 $DD_P1" "$DD_S2 $DD_P2"; do
		# shellcheck disable=SC2086
		pb_wait_serial 120 $a $DD_Z "$S" ||
		    { say "# NSD $a did not load the zone"; return 1; }
	done
	# wait until both are confirmed by the probes (their first AXFR)
	end=$(( $(date +%s) + 30 ))
	while [ "$(grep -c "zone $DD_Z.: secondary .* serves serial $S: in sync" "$HL")" -lt 2 ] &&
	    [ "$(date +%s)" -lt "$end" ]; do sleep 0.1; done
	say "# both NSD secondaries serve $DD_Z serial $S"

	# 1. single updates, one after the other (the first: warm-up)
	dd_client single $((DDNS_RUNS + 1)) > "$T/ddns-single.out" 2>&1
	grep -v '^total' "$T/ddns-single.out" | awk '$1 > 0' > "$T/ddns-single"
	sfail=$(awk '$3 != "NOERROR"' "$T/ddns-single" | wc -l)
	# commit (the engine's own timing) and commit -> confirmed, from the log
	grep -E "UPDATE of $DD_Z. from .*\(([0-9.]+) ms\)" "$HL" |
	    sed -n 's/.*(\([0-9.]*\) ms)$/x \1/p' | tail -n "$DDNS_RUNS" > "$T/ddns-commit"
	sed -n "s/.*UPDATE of $DD_Z. serial [0-9]*: every secondary serves it after \([0-9.]*\) s/\1/p" "$HL" |
	    awk '{ printf "x %.1f\n", $1 * 1000 }' | tail -n "$DDNS_RUNS" > "$T/ddns-confirm"
	v0=$(pb_serial $DD_HP $DD_DNS $DD_Z)
	x0=$(grep -cE "IXFR $DD_Z. [0-9]+ -> [0-9]+ to .* done" "$HL")
	l0=$(wc -l < "$HL")

	# 2. a burst of ACME-style updates at once
	dd_client burst "$DDNS_BURST" > "$T/ddns-burst.out" 2>&1
	grep -v '^total' "$T/ddns-burst.out" > "$T/ddns-burst"
	btotal=$(sed -n 's/^total //p' "$T/ddns-burst.out")
	bfail=$(awk '$3 != "NOERROR"' "$T/ddns-burst" | wc -l)
	# versions: the serial moves by one per version (increment policy)
	v1=$(pb_serial $DD_HP $DD_DNS $DD_Z)
	x1=$(grep -cE "IXFR $DD_Z. [0-9]+ -> [0-9]+ to .* done" "$HL")
	ax=$(tail -n +$((l0 + 1)) "$HL" | grep -cE "AXFR $DD_Z. serial [0-9]+ to .* done")
	nt=$(tail -n +$((l0 + 1)) "$HL" | grep -cE "NOTIFY $DD_Z. serial [0-9]+ to .* sent")
	hprss=$(hwm "$PID_ddhp")

	say ""
	say "| dynamic update (ms)                                  | median |  max |"
	say "|------------------------------------------------------|--------|------|"
	pr() { set -- "$1" $(dd_stat "$T/$3" "$2"); printf "| %-52s | %6s | %4s |\n" "$1" "$2" "$3"; }
	pr "UPDATE -> NOERROR, both NSDs serve it ($DDNS_RUNS in a row)" 2 ddns-single
	pr "  commit (prerequisites, change, journal: engine)" 2 ddns-commit
	pr "  commit -> both NSDs' SOA answers show it" 2 ddns-confirm
	pr "$DDNS_BURST at once: each UPDATE -> NOERROR" 2 ddns-burst
	printf "| %-52s | %6s |      |\n" "$DDNS_BURST at once: until the last NOERROR" "$btotal"
	printf "| %-52s | %6s |      |\n" "$DDNS_BURST at once: versions made" "$((v1 - v0))"
	printf "| %-52s | %6s |      |\n" "$DDNS_BURST at once: IXFRs by the 2 NSDs (AXFRs)" "$((x1 - x0)) ($ax)"
	printf "| %-52s | %6s |      |\n" "$DDNS_BURST at once: NOTIFYs sent (2 targets)" "$nt"
	printf "| %-52s | %6s |      |\n" "failed (not NOERROR): single / burst" "$sfail / $bfail"
	say ""
	say "# every NOERROR is sent once both NSDs' own SOA answers show the serial"
	say "#   (update-wait: 30, update-coalesce: $DDNS_COALESCE); hpagent peak RSS $hprss MiB"
	for p in "$PID_ddsec1" "$PID_ddsec2" "$PID_ddhp"; do drop_pid "$p"; done
}
