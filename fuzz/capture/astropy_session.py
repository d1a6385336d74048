#!/usr/bin/env python3
"""One astropy.samp session through whatever hub SAMP_HUB names, to capture documents.

    SAMP_HUB=std-lockurl:file:///tmp/x/lock HOME=/tmp/x/home python astropy_session.py [--peers]

Two SAMPIntegratedClients (a sender and a receiver, both on 127.0.0.1) exercise every hub
method: metadata, subscriptions (with wildcards and annotations), notify/notifyAll,
call/callAll with ok, warning and error responses, callAndWait (answered and timed out),
queries, faults for unknown clients, and unregistering. Payloads carry nesting, empty
strings/lists/maps, XML-special characters, newlines, tabs, non-ASCII text and SAMP
numbers. With --peers it also pings every other registered client and sends the
messages TOPCAT and DS9 answer (samp.app.ping, table.load.votable, ds9.get/ds9.set,
coord.pointAt.sky), waiting for their responses.

Not a test: failures are printed and the session goes on. Every wait is bounded.
"""

import os
import sys
import threading
import time
import warnings

warnings.simplefilter("ignore")

from astropy.samp import SAMPIntegratedClient, conf  # noqa: E402

conf.use_internet = False

PARAMS = {
    "text": 'hello <&> "world" \'quoted\' ]]> end',
    "multiline": "line one\nline two\ttabbed\r\nwindows",
    "num": "42",
    "neg": "-0017",
    "float": "-1.5e3",
    "float2": ".5",
    "bool": "1",
    "empty": "",
    "spaces": "   ",
    "list": ["a", "b", ["c", {"d": "e"}], "", []],
    "emptylist": [],
    "map": {"k": "v", "nested": {"x": "y", "l": ["1", "2"]}, "": "empty key"},
    "emptymap": {},
    "ra": "180.5",
    "dec": "-30",
}


class Receiver:
    def __init__(self, client):
        self.client = client
        self.got = []
        self.cond = threading.Condition()

    def note(self, what):
        with self.cond:
            self.got.append(what)
            self.cond.notify_all()

    def notification(self, private_key, sender_id, mtype, params, extra):
        self.note(("notify", mtype))

    def call(self, private_key, sender_id, msg_id, mtype, params, extra):
        self.note(("call", mtype))
        if mtype.endswith(".slow"):
            return  # never answered: the caller's callAndWait times out
        if mtype.endswith(".error"):
            resp = {"samp.status": "samp.error",
                    "samp.error": {"samp.errortxt": "it went <wrong> & badly",
                                   "samp.usertxt": "line1\nline2",
                                   "samp.debugtxt": "trace\n  at x",
                                   "samp.code": "E42",
                                   "x-extra": ["a", {"b": ""}]}}
        elif mtype.endswith(".warning"):
            resp = {"samp.status": "samp.warning",
                    "samp.result": {"partial": "1", "rows": ["1", "2", "3"]},
                    "samp.error": {"samp.errortxt": "only partly done"}}
        else:
            resp = {"samp.status": "samp.ok", "samp.result": dict(PARAMS),
                    "x-response.extra": "kept"}
        self.client.reply(msg_id, resp)

    def response(self, private_key, sender_id, msg_tag, response):
        self.note(("response", msg_tag))

    def wait(self, n, timeout=10):
        end = time.time() + timeout
        with self.cond:
            while len(self.got) < n and time.time() < end:
                self.cond.wait(max(0.0, end - time.time()))


def attempt(what, f, *args, **kw):
    try:
        r = f(*args, **kw)
        print(f"ok: {what}", flush=True)
        return r
    except Exception as e:  # keep going: faults are part of what we capture
        print(f"fault/failure: {what}: {str(e)[:200]}", flush=True)
        return None


def main():
    peers = "--peers" in sys.argv
    sender = SAMPIntegratedClient(
        name="capture-sender", description="astropy capture session (sender)",
        metadata={"samp.icon.url": "http://127.0.0.1/icon.png",
                  "samp.documentation.url": "http://127.0.0.1/doc",
                  "author.name": "J. Example", "x-meta.list": ["a", "b"]},
        addr="127.0.0.1")
    receiver = SAMPIntegratedClient(
        name="capture-receiver", description="astropy capture session\nreceiver",
        addr="127.0.0.1")
    sender.connect()
    receiver.connect()
    rx = Receiver(receiver)
    tx = Receiver(sender)
    # No overlapping wildcard here: astropy's own hub faults (KeyError) on declaring
    # "x-capture.*" next to "x-capture.call"; the wildcard is declared at the end instead.
    for mt in ("x-capture.notify", "x-capture.other"):
        receiver.bind_receive_notification(mt, rx.notification)
    for mt in ("x-capture.call", "x-capture.call.error", "x-capture.call.warning",
               "x-capture.call.slow"):
        receiver.bind_receive_call(mt, rx.call)
    sender.bind_receive_response("capture-tag", tx.response)
    sender.bind_receive_response("capture-all", tx.response)
    sender.bind_receive_response("peer-tag", tx.response)
    rid = receiver.get_public_id()
    hub_id = sender.get_registered_clients()
    print("registered:", sender.get_public_id(), rid, hub_id, flush=True)

    attempt("ping", sender.ping)
    attempt("get_metadata", sender.get_metadata, rid)
    attempt("get_subscriptions", sender.get_subscriptions, rid)
    attempt("get_registered_clients", sender.get_registered_clients)
    attempt("get_subscribed_clients", sender.get_subscribed_clients, "x-capture.call")
    attempt("get_subscribed_clients *", sender.get_subscribed_clients, "samp.app.ping")
    attempt("notify", sender.notify, rid,
            {"samp.mtype": "x-capture.notify", "samp.params": PARAMS, "x-msg.extra": "e"})
    attempt("notify_all", sender.notify_all,
            {"samp.mtype": "x-capture.other", "samp.params": {}})
    attempt("call", sender.call, rid, "capture-tag",
            {"samp.mtype": "x-capture.call", "samp.params": PARAMS})
    attempt("call error", sender.call, rid, "capture-tag",
            {"samp.mtype": "x-capture.call.error", "samp.params": {"why": "asked"}})
    attempt("call_all", sender.call_all, "capture-all",
            {"samp.mtype": "x-capture.call.warning", "samp.params": {}})
    attempt("call_and_wait", sender.call_and_wait, rid,
            {"samp.mtype": "x-capture.call", "samp.params": {"a": ["b"]}}, "10")
    attempt("call_and_wait timeout", sender.call_and_wait, rid,
            {"samp.mtype": "x-capture.call.slow", "samp.params": {}}, "1")
    tx.wait(3)
    rx.wait(6)
    # Non-ASCII text: SAMP forbids it, some hubs take it anyway (JSAMP's refuses).
    attempt("notify unicode", sender.notify, rid,
            {"samp.mtype": "x-capture.notify",
             "samp.params": {"unicode": "\u00e9t\u00e9 \u2603 \U0001F600"}})
    attempt("declare_metadata unicode", sender.declare_metadata,
            {"samp.name": "capture-sender", "author.name": "J. \u00c9xample"})
    # Faults.
    attempt("notify unknown", sender.notify, "no-such-client",
            {"samp.mtype": "x-capture.notify", "samp.params": {}})
    attempt("call unknown", sender.call, "no-such-client", "t",
            {"samp.mtype": "x-capture.call", "samp.params": {}})
    attempt("get_metadata unknown", sender.get_metadata, "no-such-client")
    attempt("call unsubscribed", sender.call, rid, "t",
            {"samp.mtype": "x-capture.unsubscribed", "samp.params": {}})
    raw = sender.hub._samp_hub  # the plain xmlrpc.client proxy, to send malformed calls
    attempt("bad message", raw.notifyAll, sender.get_private_key(), {"samp.params": {}})
    attempt("bad key", raw.getRegisteredClients, "not-a-key")
    attempt("wrong arity", raw.notify, sender.get_private_key())
    attempt("unknown method", raw.noSuchMethod, sender.get_private_key())
    attempt("int param", raw.getMetadata, sender.get_private_key(), 42)

    if peers:
        others = [c for c in (attempt("clients", sender.get_registered_clients) or [])
                  if c != rid]
        for c in others:
            meta = attempt(f"metadata {c}", sender.get_metadata, c)
            subs = attempt(f"subscriptions {c}", sender.get_subscriptions, c) or {}
            name = (meta or {}).get("samp.name", c)
            print(f"peer {c}: {name}: {sorted(subs)[:20]}", flush=True)
            if "samp.app.ping" in subs:
                attempt(f"ping {name}", sender.call_and_wait, c,
                        {"samp.mtype": "samp.app.ping", "samp.params": {}}, "20")
            vot = os.environ.get("CAPTURE_VOTABLE")
            if vot and "table.load.votable" in subs:
                attempt(f"votable {name}", sender.call_and_wait, c,
                        {"samp.mtype": "table.load.votable",
                         "samp.params": {"url": "file://" + vot, "table-id": "capture-t1",
                                         "name": "capture table"}}, "30")
                attempt(f"rowlist {name}", sender.call_and_wait, c,
                        {"samp.mtype": "table.select.rowList",
                         "samp.params": {"table-id": "capture-t1", "url": "file://" + vot,
                                         "row-list": ["0", "2"]}}, "20")
                attempt(f"highlight {name}", sender.call_and_wait, c,
                        {"samp.mtype": "table.highlight.row",
                         "samp.params": {"table-id": "capture-t1", "url": "file://" + vot,
                                         "row": "1"}}, "20")
            if "coord.pointAt.sky" in subs:
                attempt(f"pointAt {name}", sender.call_and_wait, c,
                        {"samp.mtype": "coord.pointAt.sky",
                         "samp.params": {"ra": "10.5", "dec": "-20.25"}}, "20")
            if "ds9.get" in subs:
                for cmd in ("version", "zoom", "frame", "width", "bogus-command"):
                    attempt(f"ds9.get {cmd}", sender.call_and_wait, c,
                            {"samp.mtype": "ds9.get", "samp.params": {"cmd": cmd}}, "20")
            if "ds9.set" in subs:
                for cmd in ("zoom to 2", "frame new", "no such thing"):
                    attempt(f"ds9.set {cmd}", sender.call_and_wait, c,
                            {"samp.mtype": "ds9.set", "samp.params": {"cmd": cmd}}, "20")
            if "samp.app.ping" in subs:
                attempt(f"async ping {name}", sender.call, c, "peer-tag",
                        {"samp.mtype": "samp.app.ping", "samp.params": {}})
        tx.wait(len(tx.got) + len(others), 10)

    receiver.declare_metadata({"samp.name": "capture-receiver-renamed", "x-k": {"n": ["1"]}})
    attempt("declare_subscriptions", receiver.declare_subscriptions,
            {"x-capture.*": {"x-annotation": "wild"}, "samp.app.*": {}, "*": {"all": ["1"]}})
    time.sleep(0.5)
    receiver.disconnect()
    time.sleep(0.5)
    sender.disconnect()
    print("done", flush=True)


if __name__ == "__main__":
    main()
