"""A SAMP client over HTTPS written with Python's standard library only (xmlrpc.client,
xmlrpc.server and ssl: a TLS stack independent of rustls): registers with the hub named
by $SAMP_HUB (an https:// URL), declares metadata, serves its callbacks over HTTPS
itself, and waits for one tls.test notification.

usage: tls_peer.py CA_PEM CERT_PEM KEY_PEM READY_FILE
Prints ok:/FAILED: lines; exits 0 once the notification has arrived.
"""

import ssl
import sys
import threading
import xmlrpc.client
import xmlrpc.server

from lockfile import read_lockfile

NAME = "python-tls"


def fail(text):
    print("FAILED:", text, flush=True)
    sys.exit(1)


def main():
    ca, cert, key, ready = sys.argv[1:5]
    info = read_lockfile()
    url = info["samp.hub.xmlrpc.url"]
    if not url.startswith("https://"):
        fail(f"the lockfile names {url}, not an https:// URL")
    client_ctx = ssl.create_default_context(cafile=ca)
    hub = xmlrpc.client.ServerProxy(url, context=client_ctx)
    reg = hub.samp.hub.register(info["samp.secret"])
    pkey, me = reg["samp.private-key"], reg["samp.self-id"]
    hub.samp.hub.declareMetadata(pkey, {"samp.name": NAME, "samp.description.text": "Python ssl peer"})
    md = hub.samp.hub.getMetadata(pkey, me)
    if md.get("samp.name") != NAME:
        fail(f"metadata not kept: {md}")
    print(f"ok: registered over {url} as {me}; metadata declared", flush=True)

    got = {}
    arrived = threading.Event()

    class Callbacks:
        def receiveNotification(self, private_key, sender, message):
            if private_key != pkey:
                return "wrong key"
            got.update(sender=sender, message=message)
            arrived.set()
            return ""

        def receiveCall(self, private_key, sender, msg_id, message):
            return ""

        def receiveResponse(self, private_key, responder, tag, response):
            return ""

    server = xmlrpc.server.SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    server.register_instance(Callbacks(), allow_dotted_names=False)
    # The hub calls samp.client.<method>: strip the prefix.
    server.register_function(lambda *a: Callbacks().receiveNotification(*a), "samp.client.receiveNotification")
    server.register_function(lambda *a: Callbacks().receiveCall(*a), "samp.client.receiveCall")
    server.register_function(lambda *a: Callbacks().receiveResponse(*a), "samp.client.receiveResponse")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    callback = f"https://127.0.0.1:{server.server_address[1]}/"
    hub.samp.hub.setXmlrpcCallback(pkey, callback)
    hub.samp.hub.declareSubscriptions(pkey, {"tls.test": {}})
    print(f"ok: callback server on {callback} ({server_ctx.minimum_version.name}+)", flush=True)
    with open(ready, "w") as f:
        f.write(me)
    if not arrived.wait(60):
        fail("no tls.test notification within 60 s")
    params = got["message"].get("samp.params", {})
    print(f"ok: tls.test from {got['sender']} over HTTPS: {params}", flush=True)
    hub.samp.hub.unregister(pkey)
    server.shutdown()


if __name__ == "__main__":
    main()
