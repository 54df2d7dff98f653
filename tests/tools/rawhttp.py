#!/usr/bin/env python3
# rawhttp.py -- an HTTP client that behaves as attackers and odd clients
# do, for the tests/scenario/attack_*.sh scenarios. Prints one line:
#   status=CODE sent=OCTETS secs=S closed=0|1 body=FIRST-LINE-OF-BODY
# (status=none when nothing came back).
#
#   rawhttp.py ADDR PORT body  HEAD-FILE TOTAL [CHUNK]
#       send the head (a file, CRLF line ends; "\n" is turned into CRLF),
#       then TOTAL octets of body in CHUNK-octet writes, reading between
#       writes: stops at the first answer or when the server closes.
#   rawhttp.py ADDR PORT trickle HEAD-FILE TOTAL EVERY MAXSECS
#       the same, one octet every EVERY seconds, for MAXSECS at most.
#   rawhttp.py ADDR PORT drip FILE EVERY MAXSECS
#       send FILE as it is, one octet every EVERY seconds (a head that
#       takes its time), then wait for the answer; MAXSECS at most.
#   rawhttp.py ADDR PORT raw REQUEST-FILE
#       send the file as it is (no CRLF conversion), read the answer.
#   rawhttp.py ADDR PORT idle N HOLD [SRC [OCTET]]
#       open N connections (from SRC when given; "-" for any) that send
#       nothing more than OCTET (hex, e.g. 47 for "G": a request begun,
#       which also completes the handshake at once on the server's side),
#       hold them HOLD seconds; prints opened=K (connections completed)
#       and closed=K (those the server answered or closed meanwhile).
# SPDX-License-Identifier: GPL-3.0-or-later
import resource, select, socket, sys, time

def head(path):
    t = open(path, 'rb').read().replace(b'\r\n', b'\n').replace(b'\n', b'\r\n')
    return t if t.endswith(b'\r\n\r\n') else t.rstrip(b'\r\n') + b'\r\n\r\n'

def answer(s, got):
    try:
        d = s.recv(65536)
    except (ConnectionResetError, BrokenPipeError):
        return got, True
    except BlockingIOError:
        return got, False
    if not d:
        return got, True
    return got + d, False

def report(got, sent, t0, closed):
    status, body = 'none', ''
    if got.startswith(b'HTTP/'):
        status = got.split(b' ', 2)[1].decode()
        if b'\r\n\r\n' in got:
            body = got.split(b'\r\n\r\n', 1)[1].split(b'\n')[0].decode('utf-8', 'replace')
    print('status=%s sent=%d secs=%.1f closed=%d body=%s' % (status, sent, time.time() - t0, 1 if closed else 0, body))

def send_body(addr, port, hfile, total, chunk, every=0.0, maxsecs=600.0):
    s = socket.create_connection((addr, port), timeout=10)
    t0 = time.time()
    s.sendall(head(hfile))
    s.setblocking(False)
    got, closed, sent = b'', False, 0
    buf = b'\0' * chunk
    while sent < total and not closed and not got and time.time() - t0 < maxsecs:
        r, w, _ = select.select([s], [s], [], 1.0)
        if r:
            got, closed = answer(s, got)
            continue
        if w:
            try:
                n = s.send(buf[:min(chunk, total - sent)])
                sent += n
            except (BrokenPipeError, ConnectionResetError):
                closed = True
            except BlockingIOError:
                pass
        if every:
            time.sleep(every)
    # the answer, if it comes at all, within 10 s
    end = time.time() + 10
    while not closed and time.time() < end and not got.count(b'\r\n\r\n'):
        r, _, _ = select.select([s], [], [], 0.5)
        if r:
            got, closed = answer(s, got)
    report(got, sent, t0, closed)

def drip(addr, port, rfile, every, maxsecs):
    data = open(rfile, 'rb').read()
    s = socket.create_connection((addr, port), timeout=10)
    t0 = time.time()
    s.setblocking(False)
    got, closed, sent = b'', False, 0
    while not closed and not got and time.time() - t0 < maxsecs:
        r, _, _ = select.select([s], [], [], every)
        if r:
            got, closed = answer(s, got)
        elif sent < len(data):
            try:
                sent += s.send(data[sent:sent + 1])
            except (BrokenPipeError, ConnectionResetError):
                closed = True
    end = time.time() + 5
    while not closed and time.time() < end and not got.count(b'\r\n\r\n'):
        r, _, _ = select.select([s], [], [], 0.5)
        if r:
            got, closed = answer(s, got)
    report(got, sent, t0, closed)

def raw(addr, port, rfile):
    s = socket.create_connection((addr, port), timeout=10)
    t0 = time.time()
    s.sendall(open(rfile, 'rb').read())
    got, closed = b'', False
    s.settimeout(10)
    while not closed:
        try:
            d = s.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not d:
            closed = True
        got += d
    report(got, 0, t0, closed)

def idle(addr, port, n, hold, src=None, octet=None):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = n + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(want, soft), max(want, hard)))
    socks, opened = [], 0
    for i in range(n):
        s = socket.socket()
        if src and src != '-':
            s.bind((src, 0))
        s.setblocking(False)
        try:
            s.connect((addr, port))
        except BlockingIOError:
            pass
        socks.append(s)
    # Connections complete as the server accepts (its backlog is small):
    # wait for them, 10 s at most.
    pending, end = {s.fileno(): s for s in socks}, time.time() + 10
    poll = select.poll()
    for fd in pending:
        poll.register(fd, select.POLLOUT)
    while pending and time.time() < end:
        for fd, ev in poll.poll(200):
            s = pending.pop(fd, None)
            poll.unregister(fd)
            if s is not None and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                opened += 1
                if octet is not None:
                    try:
                        s.send(octet)
                    except OSError:
                        pass
    print('opened=%d' % opened, flush=True)
    time.sleep(hold)
    closed = 0
    for s in socks:
        try:
            s.recv(65536)	# an answer (408) or the end: closed by the server
            closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    print('closed=%d' % closed, flush=True)

a, p, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if mode == 'body':
    send_body(a, p, sys.argv[4], int(sys.argv[5]), int(sys.argv[6]) if len(sys.argv) > 6 else 1 << 20)
elif mode == 'trickle':
    send_body(a, p, sys.argv[4], int(sys.argv[5]), 1, float(sys.argv[6]), float(sys.argv[7]))
elif mode == 'drip':
    drip(a, p, sys.argv[4], float(sys.argv[5]), float(sys.argv[6]))
elif mode == 'raw':
    raw(a, p, sys.argv[4])
elif mode == 'idle':
    idle(a, p, int(sys.argv[4]), float(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else None,
         bytes.fromhex(sys.argv[7]) if len(sys.argv) > 7 else None)
else:
    sys.exit('unknown mode ' + mode)
