#!/usr/bin/env python3
"""A logging XML-RPC proxy between SAMP clients and a hub, for capturing seed documents.

    python3 proxy.py --hub-lockfile HUBLOCK --out DIR --ready FILE [--port 0]

Reads the hub's lockfile HUBLOCK (written by a running hub) and listens on 127.0.0.1.
Each client gets a lockfile of its own that names the proxy instead of the hub, at a path
that labels the client, so the saved files say who sent what:

    http://127.0.0.1:PORT/c/LABEL        ->  the hub's samp.hub.xmlrpc.url

Every request body and every response body is saved verbatim, as
``DIR/NNNNN-LABEL-call-METHOD.xml`` and ``DIR/NNNNN-LABEL-resp-METHOD.xml``.

Callbacks are captured too: in a ``samp.hub.setXmlrpcCallback`` call the proxy replaces the
client's callback URL (in the copy it forwards, not in the saved one) with

    http://127.0.0.1:PORT/cb/LABEL/<base64url of the real callback URL>

so that what the hub sends the client (``samp.client.*``) and the client's answers pass
through here as well (saved with the label ``hub2LABEL``).

The proxy writes FILE (``--ready``) with its base URL once it is listening; capture.sh
then makes each client's lockfile from the hub's with that URL. It runs until
SIGTERM/SIGINT, and binds 127.0.0.1 only.
"""

import argparse
import base64
import http.client
import itertools
import os
import re
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

METHOD_RE = re.compile(rb"<methodName>\s*([^<]*?)\s*</methodName>")
SAFE_RE = re.compile(r"[^A-Za-z0-9._-]+")


def read_lock(path):
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if line.startswith("#") or "=" not in line:
                continue
            k, v = line.split("=", 1)
            out[k] = v
    return out


class Proxy:
    def __init__(self, hub_url, out_dir):
        self.hub_url = hub_url
        self.out_dir = out_dir
        self.counter = itertools.count(1)
        self.lock = threading.Lock()
        self.base = None

    def save(self, label, kind, method, body):
        with self.lock:
            n = next(self.counter)
        name = f"{n:05d}-{SAFE_RE.sub('_', label)}-{kind}-{SAFE_RE.sub('_', method)[:60] or 'none'}.xml"
        with open(os.path.join(self.out_dir, name), "wb") as f:
            f.write(body)


def forward(url, body, headers):
    """POSTs body to url; returns (status, reason, headers, body)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=300)
    path = u.path or "/"
    if u.query:
        path += "?" + u.query
    try:
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return r.status, r.reason, r.getheaders(), data
    finally:
        conn.close()


def make_handler(proxy):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, fmt, *args):  # quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = self.path.split("/")
            # /c/LABEL  or  /cb/LABEL/B64
            if len(parts) >= 3 and parts[1] == "c":
                label, target = parts[2], proxy.hub_url
            elif len(parts) >= 4 and parts[1] == "cb":
                label = "hub2" + parts[2]
                b64 = parts[3]
                target = base64.urlsafe_b64decode(b64 + "=" * (-len(b64) % 4)).decode()
            else:
                self.send_error(404)
                return
            m = METHOD_RE.search(body)
            method = m.group(1).decode("utf-8", "replace") if m else "none"
            proxy.save(label, "call", method, body)
            fwd_body = body
            if method == "samp.hub.setXmlrpcCallback" and not label.startswith("hub2"):
                fwd_body = rewrite_callback(body, proxy.base, label)
            headers = {
                "Content-Type": self.headers.get("Content-Type", "text/xml"),
                "User-Agent": self.headers.get("User-Agent", "samp-capture-proxy"),
            }
            try:
                status, reason, rheaders, data = forward(target, fwd_body, headers)
            except Exception as e:  # the peer went away: say so, like a dead server would
                print(f"proxy: forwarding {method} from {label} failed: {e}", file=sys.stderr)
                self.send_error(502)
                return
            proxy.save(label, "resp", method, data)
            self.send_response(status, reason)
            for k, v in rheaders:
                if k.lower() not in ("content-length", "connection", "transfer-encoding", "date", "server"):
                    self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def rewrite_callback(body, base, label):
    """The setXmlrpcCallback body with the callback URL pointing at the proxy."""
    text = body.decode("utf-8")
    # The URL is the second <param>; it is a <string> or untyped <value>.
    vals = re.findall(r"<value>\s*(?:<string>)?([^<]*)(?:</string>)?\s*</value>", text)
    if len(vals) < 2:
        return body
    escaped_url = vals[1]
    url = escaped_url.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    b64 = base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")
    new = escape(f"{base}/cb/{label}/{b64}")
    return text.replace(escaped_url, new, 1).encode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hub-lockfile", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ready", required=True, help="file to write the base URL to")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    lock = read_lock(args.hub_lockfile)
    os.makedirs(args.out, exist_ok=True)
    proxy = Proxy(lock["samp.hub.xmlrpc.url"], args.out)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(proxy))
    server.daemon_threads = True
    proxy.base = f"http://127.0.0.1:{server.server_address[1]}"


    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    with open(args.ready + ".tmp", "w") as f:
        f.write(proxy.base + "\n")
    os.replace(args.ready + ".tmp", args.ready)
    server.serve_forever()


if __name__ == "__main__":
    main()
