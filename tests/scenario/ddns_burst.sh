#!/bin/sh
# A burst of ACME clients: 50 nsupdate processes at once, each adding its
# own TXT record, against hpagent with update-wait: and update-coalesce:
# and an NSD secondary. Each update is its own committed version, but the
# NOTIFYs are coalesced, so NSD makes far fewer transfers than there are
# updates; every client is answered NOERROR, and only once NSD serves its
# serial (the log line of each answer), so NSD already serves every
# record when the last client returns. A file import during the burst
# reaches NSD as well.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/scenario/lib_daemons.sh"
hpagent_primary_only
plan 11

N=50
P=127.0.13.41 PORT=31321		# hpagent
NSD_A=127.0.13.42 NSD_P=31322		# NSD secondary
D=$T/hp
mkdir -p "$D"
S_ACME=$(new_secret hmac-sha256) S_XFR=$(new_secret hmac-sha256)
Z=example.test
cat > "$D/$Z.zone" <<EOZ
\$ORIGIN $Z.
\$TTL 300
@	IN SOA ns1 hostmaster 1 5 2 600 60
@	IN NS ns1
ns1	IN A 192.0.2.1
EOZ
cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root
	database: "$D/hp.db"
	zonesdir: "$D"
	verbosity: 2
key:
	name: acme-key
	algorithm: hmac-sha256
	secret: "$S_ACME"
key:
	name: xfr
	algorithm: hmac-sha256
	secret: "$S_XFR"
zone:
	name: $Z
	zonefile: $Z.zone
	notify: $NSD_A@$NSD_P xfr
	provide-xfr: $NSD_A xfr
	allow-update: 127.0.0.0/8 acme-key name=_acme-challenge.* type=TXT
	update-wait: 20
	update-coalesce: 100
EOC
# NSD reloads a transfer at once (its default waits up to 1 s after its
# last reload: the import's serial below would then land just past 1 s)
SEC_SERVER_EXTRA="	xfrd-reload-timeout: 0"
start_hpagent_nsd "$D/agent.conf" "$P" "$PORT" "$NSD_A" "$NSD_P" "$S_XFR" $Z

t0=$(now_ms)
i=0 pids=
while [ $i -lt $N ]; do
	printf 'server %s %s\nzone %s\nupdate add _acme-challenge.h%d.%s 60 TXT "token %d"\nsend\n' \
	    $P $PORT $Z $i $Z $i |
	    { nsupdate -y "hmac-sha256:acme-key:$S_ACME" > "$T/u$i.out" 2>&1
	      echo "rc=$?" >> "$T/u$i.out"; } &
	pids="$pids $!"
	i=$((i + 1))
done
# an import of the zone file while the NOTIFYs are being coalesced
echo 'imported IN A 192.0.2.99' >> "$D/$Z.zone"
"$HPAGENT" -c "$D/agent.conf" import $Z > "$T/import2.log" 2>&1
for p in $pids; do wait "$p"; done
t1=$(now_ms)
ok_n=$(cat "$T"/u*.out | grep -c '^rc=0$')
expect_eq "all $N concurrent updates answered NOERROR" $N "$ok_n"
# at once: NSD serves every record, since each answer waited for it
qs= i=0
while [ $i -lt $N ]; do qs="$qs _acme-challenge.h$i.$Z TXT"; i=$((i + 1)); done
kdig @$NSD_A -p $NSD_P +timeout=2 +short $qs > "$T/nsd.txt" 2>&1
served=$(grep -c '^"token [0-9]*"$' "$T/nsd.txt")
expect_eq "NSD serves all $N TXT records when the last client returns" $N "$served"
# the import's change (its version was made in a coalescing window)
# reaches NSD too, without waiting for a periodic probe (60 s)
last=$("$HPAGENT" -c "$D/agent.conf" zones | awk -v z=$Z. '$1 == z { print $2 }')
check "NSD serves the last serial ($last, after the import) within 5 s" \
    wait_for 5 sh -c "[ \"\$(kdig @$NSD_A -p $NSD_P +short +timeout=1 $Z SOA | awk '{print \$3}')\" = $last ]"
versions=$("$HPAGENT" -c "$D/agent.conf" history $Z | grep -c ' ddns ')
expect_eq "one version per update ($N)" $N "$versions"
xfrs=$(grep -cE "(IXFR $Z. [0-9]+ -> [0-9]+|AXFR $Z. serial [0-9]+) to $NSD_A done" "$T/primary.log")
expect_le "NSD made at most half as many transfers as updates (coalesced)" \
    "$xfrs" $((N / 2))
check "and at least one" test "$xfrs" -ge 1
answered=$(grep -cE "UPDATE of $Z. serial [0-9]+: every secondary serves it" "$T/primary.log")
expect_eq "each update answered once NSD served its serial (log)" $N "$answered"
diag "$N updates in $((t1 - t0)) ms: $versions versions, $xfrs transfers to NSD"

# A long window (3 s): an update (answered once NSD serves it), then at
# once an import. Its version comes while the window is open but nothing
# is in flight: NOTIFYed at once, not at the window's end (nor at the next
# periodic probe).
sed -i 's/update-coalesce: 100/update-coalesce: 3000/' "$D/agent.conf"
kill -HUP "$PID_primary"
wait_for 5 grep -q "reloaded $D/agent.conf" "$T/primary.log"
# The update is the first of its burst: NOTIFYed at once, and so
# answered once NSD has it, not at the 3 s window's end (its
# announcement waits for its AXFR messages, and the scan that makes it
# must not hold it for the window).
t2=$(now_ms)
printf 'server %s %s\nzone %s\nupdate add _acme-challenge.last.%s 60 TXT "last"\nsend\n' \
    $P $PORT $Z $Z | nsupdate -y "hmac-sha256:acme-key:$S_ACME" > "$T/last.out" 2>&1
t3=$(now_ms)
expect_le "the first update of a 3 s window: NOERROR (NSD serves it) in well under 3 s (ms)" \
    "$((t3 - t2))" 1500
echo 'imported2 IN A 192.0.2.98' >> "$D/$Z.zone"
"$HPAGENT" -c "$D/agent.conf" import $Z > "$T/import3.log" 2>&1
last=$("$HPAGENT" -c "$D/agent.conf" zones | awk -v z=$Z. '$1 == z { print $2 }')
check "an import during a 3 s window reaches NSD within 1 s (serial $last)" \
    wait_for 1 sh -c "[ \"\$(kdig @$NSD_A -p $NSD_P +short +timeout=1 $Z SOA | awk '{print \$3}')\" = $last ]"
finish_primary
