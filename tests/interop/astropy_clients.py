#!/usr/bin/env python3
"""Interop check: two astropy.samp SAMPIntegratedClients talking through a hub.

The hub is found the standard way (SAMP_HUB=std-lockurl:file://... or
~/.samp), via a plain ``connect()``. run.sh runs this in its venv with a
private HOME and a private SAMP_HUB lockfile.

Prints one ``ok:`` line per passed assertion group. On the first failure it
prints ``FAILED: <group>: <reason>`` and exits 1. Both clients are
disconnected at the end, pass or fail.

Every wait for a callback uses a threading.Condition/Event with a timeout
(INTEROP_WAIT seconds, default 10): no sleep-and-hope.
"""

import os
import sys
import threading
import time
import traceback
import warnings
import xmlrpc.client

WAIT = float(os.environ.get("INTEROP_WAIT", "10"))

MT_NOTIFY = "x-interop.test.notify"
MT_CALL = "x-interop.test.call"
HUB_EVENTS = (
    "samp.hub.event.register",
    "samp.hub.event.unregister",
    "samp.hub.event.metadata",
    "samp.hub.event.subscriptions",
)
NO_SUCH_CLIENT = "x-interop-no-such-client"

# Payload exercising nesting, empty containers, XML-special characters,
# newlines and numeric-looking strings (must all survive the hub verbatim).
PARAMS = {
    "text": 'hello <&> "world" \'quoted\'',
    "multiline": "line one\nline two\ttabbed",
    "num": "42",
    "float": "-1.5e3",
    "empty": "",
    "list": ["a", "b", ["c", {"d": "e"}]],
    "emptylist": [],
    "map": {"k": "v", "nested": {"x": "y", "l": ["1", "2"]}},
    "emptymap": {},
}
MSG_EXTRA = {"x-interop.extra": "extra-key-value"}


class Failure(Exception):
    pass


class Inbox:
    """Thread-safe record of callback invocations with timed waiting."""

    def __init__(self, name):
        self.name = name
        self.items = []
        self.cond = threading.Condition()

    def add(self, item):
        with self.cond:
            self.items.append(item)
            self.cond.notify_all()

    def wait_for(self, pred, what, timeout=WAIT):
        """Return the first item satisfying pred, waiting up to timeout s."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for it in self.items:
                    if pred(it):
                        return it
                left = deadline - time.monotonic()
                if left <= 0:
                    raise Failure(
                        f"timed out after {timeout:g} s waiting for {what} "
                        f"({self.name} holds {len(self.items)} item(s): "
                        f"{_short(self.items)})"
                    )
                self.cond.wait(left)

    def snapshot(self):
        with self.cond:
            return list(self.items)


def _short(obj, n=400):
    s = repr(obj)
    return s if len(s) <= n else s[:n] + "..."


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def expect_fault(what, fn):
    """fn() must raise an XML-RPC fault (the hub's way of reporting errors)."""
    try:
        res = fn()
    except xmlrpc.client.Fault as e:
        return f"{e.faultCode}: {e.faultString}".strip()[:120]
    except Exception as e:  # e.g. ProtocolError (HTTP 500) or a dropped connection
        raise Failure(
            f"{what}: expected an XML-RPC fault, got {type(e).__name__}: {e}"
        ) from None
    raise Failure(f"{what}: expected an XML-RPC fault, but it returned {_short(res)}")


def main():
    hub_env = os.environ.get("SAMP_HUB", "")
    if not hub_env.startswith("std-lockurl:"):
        print(
            "astropy_clients: SAMP_HUB must be std-lockurl:file://... "
            "(refusing to use ~/.samp)",
            file=sys.stderr,
        )
        return 2

    warnings.simplefilter("ignore")  # astropy 8 deprecates astropy.samp (-> pyvo.samp)
    from astropy.samp import SAMP_STATUS_OK, SAMPIntegratedClient, conf

    conf.use_internet = False  # loopback callback addresses, no network probing

    group = "setup"
    a = b = None
    try:
        # ------------------------------------------------------------------
        group = "registration"
        a_events = Inbox("sender hub-event inbox")
        a_self = Inbox("sender self-delivery inbox")
        a_resp = Inbox("sender response inbox")
        b_notes = Inbox("receiver notification inbox")
        b_calls = Inbox("receiver call inbox")

        a = SAMPIntegratedClient(
            name="interop-sender", description="astropy interop test sender"
        )
        b = SAMPIntegratedClient(
            name="interop-receiver", description="astropy interop test receiver"
        )  # default callable=True: it must receive callbacks
        a.connect()
        check(a.is_connected, "sender: is_connected is False after connect()")
        a_id, a_key = a.get_public_id(), a.get_private_key()
        check(isinstance(a_id, str) and a_id, f"sender: bad public id {a_id!r}")
        check(isinstance(a_key, str) and a_key, f"sender: bad private key {a_key!r}")
        hub_id = a.client._hub_id  # samp.hub-id from reg-info (astropy keeps it private)
        check(isinstance(hub_id, str) and hub_id, f"bad samp.hub-id {hub_id!r}")

        def on_hub_event(private_key, sender_id, msg_id, mtype, params, extra):
            a_events.add((sender_id, mtype, params))
            if msg_id is not None:  # delivered as a call: must reply exactly once
                a.reply(msg_id, {"samp.status": SAMP_STATUS_OK, "samp.result": {}})

        for mt in HUB_EVENTS:
            a.bind_receive_message(mt, on_hub_event)

        b.connect()
        check(b.is_connected, "receiver: is_connected is False after connect()")
        b_id, b_key = b.get_public_id(), b.get_private_key()
        check(isinstance(b_id, str) and b_id, f"receiver: bad public id {b_id!r}")
        check(isinstance(b_key, str) and b_key, f"receiver: bad private key {b_key!r}")
        check(b_id != a_id, f"both clients got public id {a_id!r}")
        check(b_key != a_key, "both clients got the same private key")
        check(hub_id not in (a_id, b_id), f"a client got the hub's id {hub_id!r}")
        check(b.client._hub_id == hub_id, "the two clients were told different hub ids")
        a.ping()
        print(f"ok: registration (hub {hub_id}, sender {a_id}, receiver {b_id}; ping ok)")

        group = "hub event: register"
        ev = a_events.wait_for(
            lambda e: e[1] == "samp.hub.event.register" and e[2].get("id") == b_id,
            f"samp.hub.event.register for {b_id}",
        )
        check(ev[0] == hub_id, f"register event sent by {ev[0]!r}, not the hub {hub_id!r}")
        print("ok: hub event samp.hub.event.register for the receiver reached the sender")

        # ------------------------------------------------------------------
        group = "metadata"
        b_meta_extra = {
            "samp.icon.url": "http://127.0.0.1/none.png",
            "author.name": "interop <suite> & co",
            "x-interop.list": ["1", "2"],
        }
        b.declare_metadata(b_meta_extra)
        expected_meta = {
            "samp.name": "interop-receiver",
            "samp.description.text": "astropy interop test receiver",
            **b_meta_extra,
        }
        got = a.get_metadata(b_id)
        check(got == expected_meta, f"get_metadata(receiver) = {_short(got)}, "
              f"expected {_short(expected_meta)}")
        got_a = b.get_metadata(a_id)
        check(got_a.get("samp.name") == "interop-sender",
              f"get_metadata(sender) = {_short(got_a)}")
        ev = a_events.wait_for(
            lambda e: e[1] == "samp.hub.event.metadata" and e[2].get("id") == b_id
            and e[2].get("metadata") == expected_meta,
            "samp.hub.event.metadata carrying the receiver's new metadata",
        )
        check(ev[0] == hub_id, f"metadata event sent by {ev[0]!r}, not the hub")
        hub_meta = a.get_metadata(hub_id)
        check(isinstance(hub_meta, dict) and hub_meta.get("samp.name"),
              f"hub metadata lacks samp.name: {_short(hub_meta)}")
        print("ok: declare_metadata / get_metadata round trip (+ samp.hub.event.metadata, "
              f"hub samp.name={hub_meta.get('samp.name')!r})")

        # ------------------------------------------------------------------
        group = "subscriptions"

        def b_on_notify(private_key, sender_id, mtype, params, extra):
            b_notes.add((sender_id, mtype, params, dict(extra)))

        def b_on_call(private_key, sender_id, msg_id, mtype, params, extra):
            b_calls.add((sender_id, msg_id, mtype, params, dict(extra)))
            mode = params.get("mode")
            result = {"echo": params, "responder": "interop-receiver", "msg-id": msg_id}
            if mode == "ereply":  # reply inline, from inside receiveCall
                b.ereply(msg_id, SAMP_STATUS_OK, result=result)
            elif mode == "reply":  # full response map, inline
                b.reply(msg_id, {"samp.status": SAMP_STATUS_OK, "samp.result": result,
                                 "x-interop.response-extra": "r1"})
            else:  # reply later, from another thread
                threading.Thread(
                    target=b.ereply, args=(msg_id, SAMP_STATUS_OK, result), daemon=True
                ).start()

        # The sender subscribes to the same MTypes, so the hub's exclusion of
        # the caller from getSubscribedClients and broadcasts is tested.
        def a_on_self_notify(private_key, sender_id, mtype, params, extra):
            a_self.add(("notify", sender_id, mtype))

        def a_on_self_call(private_key, sender_id, msg_id, mtype, params, extra):
            a_self.add(("call", sender_id, mtype))
            a.ereply(msg_id, SAMP_STATUS_OK, result={})

        annotation = {"x-interop.annotation": "receiver-side"}
        b.bind_receive_notification(MT_NOTIFY, b_on_notify)
        b.bind_receive_call(MT_CALL, b_on_call, metadata=annotation)
        a.bind_receive_notification(MT_NOTIFY, a_on_self_notify)
        a.bind_receive_call(MT_CALL, a_on_self_call)

        subs = a.get_subscriptions(b_id)
        for mt in (MT_NOTIFY, MT_CALL, "samp.app.ping"):
            check(mt in subs, f"get_subscriptions(receiver) lacks {mt}: {_short(subs)}")
        check(subs[MT_CALL] == annotation,
              f"subscription annotation for {MT_CALL} = {_short(subs[MT_CALL])}, "
              f"expected {annotation}")
        check(subs[MT_NOTIFY] == {}, f"annotation for {MT_NOTIFY} = {_short(subs[MT_NOTIFY])}")
        own = a.get_subscriptions(a_id)
        for mt in HUB_EVENTS + (MT_NOTIFY, MT_CALL):
            check(mt in own, f"get_subscriptions(self) lacks {mt}: {_short(own)}")
        a_events.wait_for(
            lambda e: e[1] == "samp.hub.event.subscriptions" and e[2].get("id") == b_id
            and MT_CALL in e[2].get("subscriptions", {}),
            f"samp.hub.event.subscriptions for the receiver including {MT_CALL}",
        )
        print("ok: bind_receive_notification/bind_receive_call subscriptions visible via "
              "get_subscriptions (annotation kept; + samp.hub.event.subscriptions)")

        group = "get_subscribed_clients"
        sc = a.get_subscribed_clients(MT_CALL)
        check(isinstance(sc, dict), f"get_subscribed_clients returned {type(sc).__name__}")
        check(b_id in sc, f"get_subscribed_clients({MT_CALL}) lacks the receiver: {_short(sc)}")
        check(a_id not in sc, f"get_subscribed_clients({MT_CALL}) includes the caller: {_short(sc)}")
        check(sc[b_id] == annotation, f"annotation in get_subscribed_clients: {_short(sc[b_id])}")
        sc_b = b.get_subscribed_clients(MT_CALL)
        check(a_id in sc_b and b_id not in sc_b,
              f"receiver's get_subscribed_clients({MT_CALL}) = {_short(sc_b)}")
        none = a.get_subscribed_clients("x-interop.nobody.listens")
        check(none == {}, f"get_subscribed_clients(unsubscribed mtype) = {_short(none)}")
        print("ok: get_subscribed_clients lists the receiver, excludes the caller")

        group = "get_registered_clients"
        rc = a.get_registered_clients()
        check(isinstance(rc, list), f"get_registered_clients returned {type(rc).__name__}")
        check(b_id in rc, f"get_registered_clients lacks the other client: {rc}")
        check(hub_id in rc, f"get_registered_clients lacks the hub {hub_id!r}: {rc}")
        check(a_id not in rc, f"get_registered_clients includes the caller: {rc}")
        rc_b = b.get_registered_clients()
        check(a_id in rc_b and hub_id in rc_b and b_id not in rc_b,
              f"receiver's get_registered_clients = {rc_b}")
        print("ok: get_registered_clients includes the other client and the hub, not the caller")

        # ------------------------------------------------------------------
        group = "notify"
        msg = {"samp.mtype": MT_NOTIFY, "samp.params": dict(PARAMS, seq="notify-1"), **MSG_EXTRA}
        a.notify(b_id, msg)
        got = b_notes.wait_for(lambda n: n[2].get("seq") == "notify-1", "the notification")
        check(got[0] == a_id, f"notification sender id {got[0]!r}, expected {a_id!r}")
        check(got[1] == MT_NOTIFY, f"notification mtype {got[1]!r}")
        check(got[2] == dict(PARAMS, seq="notify-1"),
              f"notification params altered: {_short(got[2])}")
        check(got[3].get("x-interop.extra") == "extra-key-value",
              f"extra message key lost in transit: {_short(got[3])}")
        print("ok: notify arrived with params (nested/empty/escaped values) and extra keys intact")

        # ------------------------------------------------------------------
        group = "call + receive_response"

        def a_on_response(private_key, responder_id, msg_tag, response):
            a_resp.add((responder_id, msg_tag, response))

        a.bind_receive_response("tag-call", a_on_response)
        p = dict(PARAMS, mode="ereply", seq="call-1")
        msg_id = a.call(b_id, "tag-call", {"samp.mtype": MT_CALL, "samp.params": p})
        check(isinstance(msg_id, str) and msg_id, f"call() returned msg-id {msg_id!r}")
        r = a_resp.wait_for(lambda x: x[1] == "tag-call", "the response to call()")
        check(r[0] == b_id, f"response responder id {r[0]!r}, expected {b_id!r}")
        resp = r[2]
        check(resp.get("samp.status") == SAMP_STATUS_OK, f"response status: {_short(resp)}")
        res = resp.get("samp.result", {})
        check(res.get("echo") == p, f"response result altered: {_short(res)}")
        check(res.get("msg-id") == msg_id,
              f"msg-id seen by the receiver {res.get('msg-id')!r} != msg-id returned "
              f"by call() {msg_id!r}")
        rcv = b_calls.wait_for(lambda c: c[3].get("seq") == "call-1", "the call at the receiver")
        check(rcv[0] == a_id, f"call sender id {rcv[0]!r}")
        print("ok: call -> ereply(samp.ok) -> receive_response (same msg-id both ends)")

        # ------------------------------------------------------------------
        group = "ecall_and_wait"
        sp = dict(PARAMS)
        t0 = time.monotonic()
        resp = a.ecall_and_wait(b_id, MT_CALL, "10", mode="reply", seq="sync-1", **sp)
        dt = time.monotonic() - t0
        check(isinstance(resp, dict), f"ecall_and_wait returned {_short(resp)}")
        check(resp.get("samp.status") == SAMP_STATUS_OK, f"sync response: {_short(resp)}")
        check(resp.get("samp.result", {}).get("echo") == dict(sp, mode="reply", seq="sync-1"),
              f"sync result altered: {_short(resp.get('samp.result'))}")
        check(resp.get("x-interop.response-extra") == "r1",
              f"extra response key lost: {_short(resp)}")
        print(f"ok: ecall_and_wait returned the reply synchronously ({dt * 1000:.0f} ms)")

        group = "call_and_wait timeout"
        # The receiver holds its reply back (until released, at most 3 s);
        # a hub SHOULD fault a callAndWait whose timeout ("1" s) expires first.
        slow = threading.Event()

        def b_on_slow(private_key, sender_id, msg_id, mtype, params, extra):
            def later():
                slow.wait(3)
                try:
                    b.ereply(msg_id, SAMP_STATUS_OK, result={})
                except Exception:
                    pass  # hub may reject a late reply: fine
            threading.Thread(target=later, daemon=True).start()

        b.bind_receive_call("x-interop.test.slow", b_on_slow)
        t0 = time.monotonic()
        try:
            resp = a.ecall_and_wait(b_id, "x-interop.test.slow", "1")
            timed_out = False
        except xmlrpc.client.Fault:
            timed_out = True
        dt = time.monotonic() - t0
        slow.set()
        check(timed_out, f"call_and_wait with timeout 1 s returned {_short(resp)} after "
              f"{dt:.1f} s instead of faulting")
        check(dt < 2.9, f"call_and_wait timeout 1 s took {dt:.1f} s to fault")
        print(f"ok: call_and_wait with timeout \"1\" faulted after {dt:.2f} s")

        # ------------------------------------------------------------------
        group = "call_all"
        a.bind_receive_response("tag-all", a_on_response)
        pa = {"mode": "thread", "seq": "all-1"}
        ids = a.call_all("tag-all", {"samp.mtype": MT_CALL, "samp.params": pa})
        check(isinstance(ids, dict), f"call_all returned {_short(ids)}")
        check(b_id in ids, f"call_all result lacks the receiver: {_short(ids)}")
        check(a_id not in ids, f"call_all was sent back to the caller: {_short(ids)}")
        check(set(ids) == {b_id}, f"call_all recipients {sorted(ids)}, expected [{b_id}]")
        r = a_resp.wait_for(lambda x: x[1] == "tag-all", "the response to call_all()")
        check(r[0] == b_id, f"call_all response from {r[0]!r}")
        check(r[2].get("samp.status") == SAMP_STATUS_OK, f"call_all response {_short(r[2])}")
        check(r[2].get("samp.result", {}).get("msg-id") == ids[b_id],
              f"call_all msg-id mismatch: receiver saw {r[2].get('samp.result', {}).get('msg-id')!r}, "
              f"call_all returned {ids[b_id]!r}")
        print("ok: call_all reached the subscribed receiver (not the caller); response came back")

        # ------------------------------------------------------------------
        group = "notify_all"
        na = {"samp.mtype": MT_NOTIFY, "samp.params": {"seq": "all-2", "x": "y"}}
        lst = a.notify_all(na)
        check(isinstance(lst, list), f"notify_all returned {_short(lst)}")
        check(b_id in lst, f"notify_all recipients lack the receiver: {lst}")
        check(a_id not in lst, f"notify_all recipients include the caller: {lst}")
        got = b_notes.wait_for(lambda n: n[2].get("seq") == "all-2", "the notify_all message")
        check(got[0] == a_id, f"notify_all sender id {got[0]!r}")
        nobody = a.notify_all({"samp.mtype": "x-interop.nobody.listens", "samp.params": {}})
        check(nobody == [], f"notify_all to an unsubscribed mtype returned {nobody}")
        selfs = a_self.snapshot()
        check(not selfs, f"broadcasts were echoed back to the sender: {selfs}")
        print(f"ok: notify_all returned the recipient list {lst} and delivered")

        # ------------------------------------------------------------------
        group = "faults"
        m = {"samp.mtype": MT_CALL, "samp.params": {"mode": "ereply"}}
        f1 = expect_fault("notify to a nonexistent client", lambda: a.notify(NO_SUCH_CLIENT, m))
        expect_fault("call to a nonexistent client",
                     lambda: a.call(NO_SUCH_CLIENT, "tag-x", m))
        expect_fault("call_and_wait to a nonexistent client",
                     lambda: a.call_and_wait(NO_SUCH_CLIENT, m, "5"))
        expect_fault("get_metadata of a nonexistent client",
                     lambda: a.get_metadata(NO_SUCH_CLIENT))
        expect_fault("notify of an mtype the recipient is not subscribed to",
                     lambda: a.notify(b_id, {"samp.mtype": "x-interop.nobody.listens",
                                             "samp.params": {}}))
        print(f"ok: calls to a nonexistent client / unsubscribed mtype raise hub faults ({f1!r})")

        # ------------------------------------------------------------------
        group = "disconnect"
        b.disconnect()
        check(not b.is_connected, "receiver still connected after disconnect()")
        a_events.wait_for(
            lambda e: e[1] == "samp.hub.event.unregister" and e[2].get("id") == b_id,
            f"samp.hub.event.unregister for {b_id}",
        )
        rc = a.get_registered_clients()
        check(b_id not in rc, f"receiver still listed after unregistering: {rc}")
        a.disconnect()
        check(not a.is_connected, "sender still connected after disconnect()")
        print("ok: disconnect (samp.hub.event.unregister seen; client no longer listed)")
    except Failure as e:
        print(f"FAILED: {group}: {e}")
        return 1
    except Exception as e:
        print(f"FAILED: {group}: unexpected {type(e).__name__}: {e}")
        traceback.print_exc(file=sys.stdout)
        return 1
    finally:
        for c in (b, a):
            if c is not None:
                try:
                    if c.is_connected:
                        c.disconnect()
                except Exception as e:
                    print(f"note: disconnect failed: {type(e).__name__}: {e}")
    print("astropy clients: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
