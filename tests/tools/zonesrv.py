#!/usr/bin/env python3
# zonesrv.py -- a zone source over HTTP for tests/scenario/fetch.sh.
# usage: zonesrv.py ADDR PORT ZONEFILE [--tls CERT KEY]
# Paths:
#   /zone      200 with ETag and Last-Modified of ZONEFILE; 304 on a
#              matching If-None-Match or a not-older If-Modified-Since
#   /lm        as /zone, Last-Modified only (no ETag)
#   /404 /500  those statuses
#   /loop      302 to itself (redirect loop)
#   /redirect  302 to /zone
#   /tofile    302 to file:///etc/hostname (must be refused)
#   /big?n=N   N bytes announced with Content-Length
#   /chunked?n=N  N bytes, chunked (no Content-Length)
#   /stall     headers and 10 bytes, then silence for 60 s
# Every request is logged to stderr as "METHOD PATH INM=... IMS=...".
# SPDX-License-Identifier: GPL-3.0-or-later
import email.utils
import hashlib
import os
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_plain(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def zone(self, with_etag):
        path = self.server.zonefile
        data = open(path, "rb").read()
        mtime = int(os.stat(path).st_mtime)
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        lm = email.utils.formatdate(mtime, usegmt=True)
        hdrs = [("Last-Modified", lm), ("Content-Type", "text/dns")]
        if with_etag:
            hdrs.append(("ETag", etag))
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        if with_etag and inm is not None:
            if inm == etag:
                return self.send_plain(304, b"", hdrs)
        elif ims is not None:
            try:
                t = email.utils.parsedate_to_datetime(ims).timestamp()
                if mtime <= t:
                    return self.send_plain(304, b"", hdrs)
            except (TypeError, ValueError):
                pass
        self.send_plain(200, data, hdrs)

    def do_GET(self):
        u = urlparse(self.path)
        q = parse_qs(u.query)
        sys.stderr.write("%s %s INM=%s IMS=%s\n" % (
            self.command, u.path, self.headers.get("If-None-Match"),
            self.headers.get("If-Modified-Since")))
        sys.stderr.flush()
        n = int(q.get("n", ["0"])[0])
        if u.path == "/zone":
            self.zone(True)
        elif u.path == "/lm":
            self.zone(False)
        elif u.path == "/404":
            self.send_plain(404, b"not found\n")
        elif u.path == "/500":
            self.send_plain(500, b"oops\n")
        elif u.path == "/loop":
            self.send_plain(302, b"", [("Location", "/loop")])
        elif u.path == "/redirect":
            self.send_plain(302, b"", [("Location", "/zone")])
        elif u.path == "/tofile":
            self.send_plain(302, b"", [("Location", "file:///etc/hostname")])
        elif u.path == "/big":
            self.send_plain(200, b";" * n)
        elif u.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b";" * 4096
            sent = 0
            try:
                while sent < n:
                    c = chunk[:min(4096, n - sent)]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(c), c))
                    sent += len(c)
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        elif u.path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                self.wfile.write(b"; stalled\n")
                self.wfile.flush()
                time.sleep(60)
            except OSError:
                pass
            self.close_connection = True
        else:
            self.send_plain(404, b"no such path\n")

    do_HEAD = do_GET


def main():
    addr, port, zonefile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    srv = ThreadingHTTPServer((addr, port), Handler)
    srv.daemon_threads = True
    srv.zonefile = zonefile
    if len(sys.argv) >= 6 and sys.argv[4] == "--tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[5], sys.argv[6])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
