#!/usr/bin/env python3
# mkcorpus.py -- (re)writes the seed corpora under tests/fuzz/corpus/:
# DNS queries as kdig/dig send them (with fuzz_dns's mode byte in front),
# the example configs, the test zones and sample webhook requests.
# Run from anywhere: python3 tests/fuzz/mkcorpus.py
# SPDX-License-Identifier: GPL-3.0-or-later
import glob, os, struct

top = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(top))
out = os.path.join(top, 'corpus')

def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)

def name(n):
    b = b''
    for l in n.strip('.').split('.'):
        if l:
            b += bytes([len(l)]) + l.encode()
    return b + b'\0'

def msg(qname, qtype, flags=0x0000, an=b'', nan=0, ns=b'', nns=0, ar=b'',
        nar=0, qid=0x1234, qd=True):
    h = struct.pack('>HHHHHH', qid, flags, 1 if qd else 0, nan, nns, nar)
    q = name(qname) + struct.pack('>HH', qtype, 1) if qd else b''
    return h + q + an + ns + ar

def soa_rr(owner, serial, compressed=False):
    rd = (b'\xc0\x0c' + b'\xc0\x0c') if compressed else (name('ns1.' + owner) + name('host.' + owner))
    rd += struct.pack('>IIIII', serial, 7200, 3600, 1209600, 300)
    own = b'\xc0\x0c' if compressed else name(owner)
    return own + struct.pack('>HHIH', 6, 1, 300, len(rd)) + rd

def opt(size=1232, do=False, opts=b''):
    return b'\0' + struct.pack('>HHBBHH', 41, size, 0, 0, 0x8000 if do else 0, len(opts)) + opts

cookie = struct.pack('>HH', 10, 8) + b'\x01\x02\x03\x04\x05\x06\x07\x08'
SOA, AXFR, IXFR, A, ANY, TXT = 6, 252, 251, 1, 255, 16
RD, AD = 0x0100, 0x0020
dns = {
    'soa_dig': (0, msg('ex.test', SOA, RD | AD, ar=opt(1232, opts=cookie), nar=1)),
    'soa_kdig': (0, msg('ex.test', SOA, 0, ar=opt(1232), nar=1)),
    'soa_plain': (0, msg('Ex.Test', SOA)),
    'soa_signed': (1, msg('ex.test', SOA)),
    'soa_signed_keyacl': (3, msg('ex.test', SOA)),
    'soa_refused': (2, msg('ex.test', SOA)),
    'soa_do_edns512': (0, msg('ex.test', SOA, ar=opt(512, True), nar=1)),
    'axfr': (0, msg('ex.test', AXFR)),
    'axfr_signed': (3, msg('ex.test', AXFR)),
    'ixfr_10': (0, msg('ex.test', IXFR, ns=soa_rr('ex.test', 10), nns=1)),
    'ixfr_11': (0, msg('ex.test', IXFR, ns=soa_rr('ex.test', 11, True), nns=1)),
    'ixfr_5_signed': (1, msg('ex.test', IXFR, ns=soa_rr('ex.test', 5, True), nns=1)),
    'ixfr_nosoa': (0, msg('ex.test', IXFR)),
    'a_query': (0, msg('www.ex.test', A, RD)),
    'any_other_zone': (0, msg('example.org', ANY, RD)),
    'below_zone': (0, msg('sub.ex.test', SOA)),
    'chaos_txt': (0, msg('version.bind', TXT)[:-2] + b'\x00\x03'),
    'update': (0, msg('ex.test', SOA, 5 << 11)),
    'notify_reply': (0, msg('ex.test', SOA, 0x8000 | (4 << 11) | 0x0400)),
    'notify_reply_signed': (4, msg('ex.test', SOA, 0x8000 | (4 << 11) | 0x0400)),
    'notify_reply_soa': (4, msg('ex.test', SOA, 0x8000 | (4 << 11), an=soa_rr('ex.test', 11, True), nan=1)),
    'notify_query': (0, msg('ex.test', SOA, (4 << 11) | 0x0400, an=soa_rr('ex.test', 12, True), nan=1)),
    'no_question': (0, msg('ex.test', SOA, qd=False)),
    'short': (0, b'\x12\x34\x00\x00\x00\x01'),
}
# RFC 2136 UPDATEs: zone section (as the question), prerequisites (as
# answers), updates (as authority)
def rr(owner, rtype, rclass=1, ttl=0, rd=b''):
    return name(owner) + struct.pack('>HHIH', rtype, rclass, ttl, len(rd)) + rd
def txt(s):
    return bytes([len(s)]) + s.encode()
def upd(pre=(), ups=(), zone='ex.test', flags=5 << 11):
    return msg(zone, SOA, flags, an=b''.join(pre), nan=len(pre),
               ns=b''.join(ups), nns=len(ups))
NONE_, ANYC = 254, 255
dns.update({
    'upd_add_txt': (0, upd(ups=[rr('_acme-challenge.ex.test', TXT, 1, 60, txt('token'))])),
    'upd_add_txt_signed': (3, upd(ups=[rr('_acme-challenge.ex.test', TXT, 1, 60, txt('tok2'))])),
    'upd_del_rr': (0, upd(ups=[rr('_acme-challenge.ex.test', TXT, NONE_, 0, txt('token'))])),
    'upd_del_rrset': (0, upd(ups=[rr('mail.ex.test', 28, ANYC)])),
    'upd_del_name': (0, upd(ups=[rr('new.ex.test', ANY, ANYC)])),
    'upd_del_apex': (0, upd(ups=[rr('ex.test', ANY, ANYC), rr('ex.test', 2, ANYC), rr('ex.test', SOA, ANYC)])),
    'upd_add_soa': (0, upd(ups=[soa_rr('ex.test', 100)])),
    'upd_cname_beside': (0, upd(ups=[rr('www.ex.test', A, 1, 60, b'\xc0\x00\x02\x05')])),
    'upd_pre_all': (0, upd(pre=[rr('ex.test', ANY, ANYC), rr('nothere.ex.test', ANY, NONE_),
                                 rr('ns1.ex.test', A, ANYC), rr('ns1.ex.test', TXT, NONE_),
                                 rr('ns1.ex.test', A, 1, 0, b'\xc0\x00\x02\x01')],
                            ups=[rr('added.ex.test', A, 1, 300, b'\xc0\x00\x02\x09')])),
    'upd_pre_fail': (0, upd(pre=[rr('ns1.ex.test', ANY, NONE_)], ups=[rr('x.ex.test', A, 1, 1, b'\x01\x02\x03\x04')])),
    'upd_formerr_ttl': (0, upd(pre=[rr('ex.test', ANY, ANYC, 5)])),
    'upd_formerr_class': (0, upd(ups=[rr('x.ex.test', A, 3, 60, b'\x01\x02\x03\x04')])),
    'upd_formerr_rdata': (0, upd(ups=[rr('x.ex.test', A, 1, 60, b'\x01\x02\x03')])),
    'upd_notzone': (0, upd(ups=[rr('x.example.org', A, 1, 60, b'\x01\x02\x03\x04')])),
    'upd_notauth': (0, upd(zone='example.org', ups=[rr('x.example.org', A, 1, 60, b'\x01\x02\x03\x04')])),
    'upd_dname_below': (0, upd(ups=[rr('d.ex.test', 39, 1, 60, name('t.example.org')),
                                    rr('x.d.ex.test', A, 1, 60, b'\x01\x02\x03\x04')])),
    'upd_policy_refused': (3, upd(ups=[rr('mail.ex.test', 28, 1, 60, b'\x20\x01' + b'\0' * 14)])),
})
for k, (mode, m) in dns.items():
    put('dns', k, bytes([mode]) + m)
# A TSIG record with a bad MAC (BADSIG path) and one with an unknown key.
def tsig(key, mac=b'\0' * 32, alg='hmac-sha256', t=1700000000):
    rd = name(alg) + struct.pack('>HIH', t >> 32, t & 0xffffffff, 300)
    rd += struct.pack('>H', len(mac)) + mac + struct.pack('>HHH', 0x1234, 0, 0)
    return name(key) + struct.pack('>HHIH', 250, 255, 0, len(rd)) + rd
put('dns', 'tsig_badsig', b'\x02' + msg('ex.test', SOA, ar=tsig('k1'), nar=1))
put('dns', 'tsig_badkey', b'\x02' + msg('ex.test', AXFR, ar=tsig('nokey'), nar=1))
put('dns', 'tsig_opt', b'\x00' + msg('ex.test', SOA, ar=opt() + tsig('k1', alg='hmac-md5.sig-alg.reg.int'), nar=2))

for f in ['agent.conf.example'] + sorted(glob.glob(os.path.join(root, 'tests/conf/*.conf'))) + \
        sorted(glob.glob(os.path.join(root, 'tests/conf/interop/*.conf'))):
    p = os.path.join(root, f)
    if os.path.getsize(p) < 8192:
        put('config', os.path.basename(f), open(p, 'rb').read())
put('config', 'include_pattern.conf', '''server:
	ip-address: 127.0.0.1@5300
	ip-address: ::1
	verbosity: 2
	max-journal-versions: 5
	http-listen: 127.0.0.1@8080
	webhook-secret: "s3cret"
	api-token: "tok"
include: "inc.conf"
key:
	name: k2
	algorithm: hmac-sha512
	secret: "K2tf3TRjvQkVCmJF3/Z9vA=="
pattern:
	name: p2
	include-pattern: incpat
	notify: 2001:db8::53@5353 k2
	outgoing-interface: 192.0.2.10
zone:
	name: Example.COM
	zonefile: %s.zone
	include-pattern: p2
	serial-policy: dateserial
	provide-xfr: 10.0.0.0/8 k2
	provide-xfr: 192.0.2.1-192.0.2.9 NOKEY
	provide-xfr: 0.0.0.0/0 BLOCKED
	notify-retry: 3
zone:
	name: "example.net."
	source: https://example.net/zone.txt
	provide-xfr: 192.0.2.0&255.255.255.0 inckey
''')

for f in ['example/example.com.zone', 'tests/zones/example.com.zone']:
    put('import', f.replace('/', '_'), open(os.path.join(root, f), 'rb').read())
z1 = '''$ORIGIN example.com.
$TTL 3600
@ IN SOA ns1 hostmaster 2024010101 7200 3600 1209600 3600
@ IN NS ns1
@ IN NS ns2.example.net.
@ IN MX 10 mail
ns1 IN A 192.0.2.1
mail IN AAAA 2001:db8::25
www IN CNAME @
txt IN TXT "a" "b c"
_sip._tcp IN SRV 0 5 5060 sip
sub IN NS ns.sub
ns.sub IN A 192.0.2.9
x IN TYPE65534 \\# 3 010203
'''
put('import', 'two_versions', z1 + '%%\n' + z1.replace('2024010101', '2024010102')
    .replace('192.0.2.1\n', '192.0.2.2\n').replace('MX 10', 'MX 20'))
put('import', 'duplicates_cname', z1 + 'www IN A 192.0.2.3\nns1 IN A 192.0.2.1\n')
put('import', 'outside', z1 + 'example.org. IN A 192.0.2.4\n$INCLUDE /etc/passwd\n')
put('import', 'no_soa', '$ORIGIN example.com.\n@ 300 IN NS ns1\n')

SEC = 'X-Hub-Signature-256: sha256=@SIG@\r\nContent-Length: @LEN@\r\n'
http = {
    'get_zones': 'GET /v1/zones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken-api\r\n\r\n',
    'get_zone': 'GET /v1/zones/Example.Com. HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken-api\r\n\r\n',
    'head_status': 'HEAD /v1/zones/example.com/status HTTP/1.0\r\nAuthorization: Bearer t0ken-api\r\n\r\n',
    'metrics': 'GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken-api\r\n\r\n',
    'bad_token': 'GET /v1/zones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n',
    'open_get': '!GET /v1/zones/example.com HTTP/1.1\r\nHost: x\r\n\r\n',
    'post_noauth': '!POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
    'publish_zone': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\n' + SEC + '\r\n' + z1,
    'publish_wait': 'POST /v1/zones/example.com/publish?wait=5 HTTP/1.1\r\nHost: x\r\n' + SEC + '\r\n' + z1,
    'publish_github': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\nContent-Type: application/json\r\n' + SEC + '\r\n{"ref":"refs/heads/main"}',
    'ping': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: ping\r\n' + SEC + '\r\n{"zen":"x"}',
    'gitea': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-Gitea-Event: push\r\nX-Gitea-Signature: @SIG@\r\nContent-Length: @LEN@\r\n\r\n{}',
    'gitlab': 'POST /v1/zones/example.com/publish?wait=1 HTTP/1.1\r\nHost: x\r\nX-Gitlab-Event: Push Hook\r\nX-Gitlab-Token: s3cret-webhook\r\nContent-Length: @LEN@\r\n\r\n{}',
    'rollback': 'POST /v1/zones/example.com/rollback HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken-api\r\nContent-Length: @LEN@\r\n\r\n{"serial": 2024010101}',
    'rollback_bad': 'POST /v1/zones/example.com/rollback?wait=x HTTP/1.1\r\nHost: x\r\n' + SEC + '\r\n{"serial": -1}',
    'wrong_method': 'DELETE /v1/zones/example.com HTTP/1.1\r\nHost: x\r\n\r\n',
    'bad_zone': 'GET /v1/zones/exa..mple HTTP/1.1\r\nHost: x\r\n\r\n',
    'chunked': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=00\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    'pipelined': 'GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0ken-api\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n',
}
for k, v in http.items():
    put('http', k, v)
# The gate in front of evhttp (agent/http/gate.c): heads refused before
# any body, limits per credential, delivery ids.
TOK = 'Authorization: Bearer t0ken-api\r\n'
gate = {
    'dup_content_length': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\n' + TOK + 'Content-Length: 3\r\nContent-Length: 30\r\n\r\nabc',
    'cl_and_te': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\n' + TOK + 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc',
    'obs_fold': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\n' + TOK + 'X-Foo: a\r\n b\r\nContent-Length: 0\r\n\r\n',
    'name_space': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\n' + TOK + 'Content-Length : 5\r\n\r\nhello',
    'cl_plus': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\n' + TOK + 'Content-Length: +5\r\n\r\nhello',
    'noauth_body': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n' + 'x' * 200,
    'sig_over_limit': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=' + '0' * 64 + '\r\nContent-Length: 5000000\r\n\r\nxxxx',
    'sig_malformed': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=zz\r\nContent-Length: 2\r\n\r\n{}',
    'two_authz': 'GET /v1/zones HTTP/1.1\r\nHost: x\r\n' + TOK + TOK + '\r\n',
    'get_body': 'GET /v1/zones HTTP/1.1\r\nHost: x\r\n' + TOK + 'Content-Length: 4\r\n\r\nabcd',
    'head_only_lf': 'GET /v1/zones HTTP/1.1\nHost: x\nAuthorization: Bearer t0ken-api\n\n',
    'delivery': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: push\r\nX-GitHub-Delivery: 72d3162e-cc78-11e3-81ab-4c9367dc0958\r\nContent-Type: application/json\r\n' + SEC + '\r\n{"ref":"refs/heads/main"}',
    'delivery_bad': 'POST /v1/zones/example.com/publish HTTP/1.1\r\nHost: x\r\nX-Gitlab-Event-UUID: a b\r\nX-Gitlab-Token: s3cret-webhook\r\nContent-Length: 0\r\n\r\n',
    'config_route_open': '!GET /v1/zones/example.com/status HTTP/1.1\r\nHost: x\r\n\r\n',
}
for k, v in gate.items():
    put('http', k, v)

# fuzz_dnstcp: a mode byte (1 unlisted peer, 2 over the per-address
# limit, 4 one octet at a time), then what a client sends over TCP.
def framed(m):
    return struct.pack('>H', len(m)) + m
tcp = {
    'soa': (0, framed(msg('ex.test', SOA))),
    'axfr': (0, framed(msg('ex.test', AXFR))),
    'ixfr_10': (0, framed(msg('ex.test', IXFR, ns=soa_rr('ex.test', 10), nns=1))),
    'pipelined': (0, framed(msg('ex.test', SOA, qid=1)) + framed(msg('ex.test', AXFR, qid=2))),
    'cut': (0, framed(msg('ex.test', SOA))[:9]),
    'trickled': (4, framed(msg('ex.test', SOA))),
    'unlisted': (1, framed(msg('ex.test', AXFR))),
    'per_address': (2, framed(msg('ex.test', SOA))),
    'zero_length': (0, b'\x00\x00' + framed(msg('ex.test', SOA))),
    'garbage': (0, framed(b'\xff' * 40)),
}
for k, (mode, m) in tcp.items():
    put('dnstcp', k, bytes([mode]) + m)
