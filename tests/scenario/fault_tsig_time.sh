#!/bin/sh
# fault_tsig_time.sh -- TSIG-signed queries whose time is outside the fudge
# (300 s) in both directions, built by python3 with hmac: the answer is
# NOTAUTH with TSIG error BADTIME, signed as RFC 8945 5.2.3 says (MAC over
# the request MAC + the answer + the variables; Time Signed = the
# request's; Other Data = the server's time, 6 octets), and the MAC is
# verified here. Inside the fudge: answered. Over UDP (SOA) and TCP (AXFR).
# A request's own Fudge is capped at tsig-max-fudge: (300 s by default):
# one claiming 65535 s an hour off is BADTIME; with tsig-max-fudge: 7200
# (after a reload) it is answered, and one 10000 s off is not.
# SPDX-License-Identifier: GPL-3.0-or-later
. "$(dirname "$0")/../lib.sh"
plan 22
H=$HPAGENT
P=127.0.11.40 PORT=31640 C=127.0.11.41
SECRET=$(head -c 32 /dev/urandom | base64)
D=$T/hp
mkdir -p "$D"
cat > "$D/z" <<'EOZ'
$ORIGIN skew.test.
$TTL 300
@ SOA ns1 hostmaster 7 3600 900 1209600 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
EOZ
cat > "$D/agent.conf" <<EOC
server:
	ip-address: $P@$PORT
	username: root	# tests run as root: stay root (README, Operating hpagent)
	database: "$D/hp.db"
	logfile: "$D/hpagent.log"
	verbosity: 2
key:
	name: tkey
	algorithm: hmac-sha256
	secret: "$SECRET"
zone:
	name: skew.test
	zonefile: "$D/z"
	provide-xfr: $C tkey
EOC
"$H" -c "$D/agent.conf" import skew.test > /dev/null 2>&1
bg hp "$H" -c "$D/agent.conf" serve
up() { ss -Hlun "( sport = :$PORT )" | grep -q .; }
wait_for 10 up || { fail "daemon listens"; exit 1; }

cat > "$T/skew.py" <<'EOPY'
# skew.py ADDR PORT SRC SECRET SKEW udp|tcp [FUDGE]: one signed SOA (udp)
# or AXFR (tcp) query with Time Signed = now + SKEW and Fudge = FUDGE
# (default 300); verify the first answer.
import base64, hashlib, hmac, socket, struct, sys, time
addr, port, src, secret, skew, proto = sys.argv[1], int(sys.argv[2]), \
    sys.argv[3], base64.b64decode(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
FUDGE = int(sys.argv[7]) if len(sys.argv) > 7 else 300
def wname(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".") if l) + b"\0"
KEY, ALG = wname("tkey"), wname("hmac-sha256")
qid, qtype = 0x4242, 6 if proto == "udp" else 252
body = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + wname("skew.test") + struct.pack("!HH", qtype, 1)
t_req = int(time.time()) + skew
def tvars(t, fudge, err, other):
    return struct.pack("!HH", t >> 32, t & 0xffffffff) if False else \
        struct.pack("!HIH", t >> 32, t & 0xffffffff, fudge) + struct.pack("!HH", err, len(other)) + other
# request MAC: message + key name, class ANY, TTL 0, alg, time, fudge, error, other
mac = hmac.new(secret, body + KEY + struct.pack("!HI", 255, 0) + ALG + tvars(t_req, FUDGE, 0, b""), hashlib.sha256).digest()
rd = ALG + struct.pack("!HIH", t_req >> 32, t_req & 0xffffffff, FUDGE) + struct.pack("!H", len(mac)) + mac + \
    struct.pack("!HHH", qid, 0, 0)
msg = body[:10] + struct.pack("!H", 1) + body[12:] + KEY + struct.pack("!HHIH", 250, 255, 0, len(rd)) + rd
if proto == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((src, 0)); s.settimeout(3)
    s.sendto(msg, (addr, port)); r, _ = s.recvfrom(65535)
else:
    s = socket.create_connection((addr, port), 3, (src, 0))
    s.sendall(struct.pack("!H", len(msg)) + msg)
    def rd_n(n):
        b = b""
        while len(b) < n:
            d = s.recv(n - len(b))
            if not d: raise SystemExit("short read")
            b += d
        return b
    r = rd_n(struct.unpack("!H", rd_n(2))[0])
rid, fl, qd, an, ns, ar = struct.unpack("!HHHHHH", r[:12])
def skipname(m, o):
    while True:
        if m[o] == 0: return o + 1
        if m[o] >= 0xc0: return o + 2
        o += 1 + m[o]
o = 12
for _ in range(qd): o = skipname(r, o) + 4
for _ in range(an + ns + ar - 1): o = skipname(r, o); o += 10 + struct.unpack("!H", r[o + 8:o + 10])[0]
tsig_off = o
o = skipname(r, o); typ, = struct.unpack("!H", r[o:o + 2]); o += 10
if typ != 250: print("rcode", fl & 15, "no-tsig"); sys.exit(0)
o = skipname(r, o)
th, tl, fudge, msz = struct.unpack("!HIHH", r[o:o + 10]); o += 10
rmac = r[o:o + msz]; o += msz
orig, err, olen = struct.unpack("!HHH", r[o:o + 6]); o += 6
other = r[o:o + olen]
t_resp = (th << 32) | tl
# verify: request MAC (length-prefixed) + the answer without its TSIG
# (ARCOUNT - 1, original ID) + the TSIG variables
unsigned = struct.pack("!H", orig) + r[2:10] + struct.pack("!H", ar - 1) + r[12:tsig_off]
exp = hmac.new(secret, struct.pack("!H", len(mac)) + mac + unsigned + KEY + struct.pack("!HI", 255, 0) +
               ALG + tvars(t_resp, fudge, err, other), hashlib.sha256).digest()
srv_time = int.from_bytes(other, "big") if olen == 6 else -1
print("rcode", fl & 15, "tsig-error", err, "mac", "ok" if msz and hmac.compare_digest(exp, rmac) else "BAD",
      "time-signed", "request" if t_resp == t_req else "other",
      "other-len", olen, "server-time-off", srv_time - int(time.time()) if srv_time >= 0 else "none")
EOPY
for skew in 301 3600 -301 -86400 0 250 -250; do
	for proto in udp tcp; do
		python3 "$T/skew.py" $P $PORT $C "$SECRET" $skew $proto > "$T/r.$skew.$proto" 2>&1
		r=$(cat "$T/r.$skew.$proto")
		case $skew in
		0|250|-250)
			expect_grep "skew $skew s over $proto (inside the fudge): answered, signed, MAC verified" \
			    '^rcode 0 tsig-error 0 mac ok ' "$T/r.$skew.$proto" ;;
		*)
			if echo "$r" | grep -qE '^rcode 9 tsig-error 18 mac ok time-signed request other-len 6 server-time-off (-1|0|1)$'; then
				ok "skew $skew s over $proto: NOTAUTH/BADTIME, MAC verified, request's time signed, server time in Other Data"
			else fail "skew $skew s over $proto: NOTAUTH/BADTIME signed per RFC 8945"; diag "$r"; fi ;;
		esac
	done
done
# The request's Fudge is not trusted beyond tsig-max-fudge: (300).
for proto in udp tcp; do
	python3 "$T/skew.py" $P $PORT $C "$SECRET" 3600 $proto 65535 > "$T/f.$proto" 2>&1
	expect_grep "fudge 65535 claimed, 3600 s off, over $proto: NOTAUTH/BADTIME (capped at 300 s)" \
	    '^rcode 9 tsig-error 18 mac ok ' "$T/f.$proto"
done
# tsig-max-fudge: 7200, applied by a reload.
sed -i 's/^\tverbosity: 2$/\tverbosity: 2\n\ttsig-max-fudge: 7200/' "$D/agent.conf"
kill -HUP $PID_hp
check "reloaded with tsig-max-fudge: 7200" wait_for 5 grep -q 'reloaded' "$D/hpagent.log"
for proto in udp tcp; do
	python3 "$T/skew.py" $P $PORT $C "$SECRET" 3600 $proto 65535 > "$T/g.$proto" 2>&1
	expect_grep "tsig-max-fudge: 7200: fudge 65535, 3600 s off, over $proto: answered" \
	    '^rcode 0 tsig-error 0 mac ok ' "$T/g.$proto"
done
python3 "$T/skew.py" $P $PORT $C "$SECRET" 10000 udp 65535 > "$T/h.udp" 2>&1
expect_grep "tsig-max-fudge: 7200: fudge 65535, 10000 s off: BADTIME" '^rcode 9 tsig-error 18 mac ok ' "$T/h.udp"
sleep 1.1
expect_grep "BADTIME logged" '[Bb][Aa][Dd][Tt][Ii][Mm][Ee]|time.*outside|clock' "$D/hpagent.log"
check "daemon alive" kill -0 $PID_hp
