#!/usr/bin/env python3
"""Client tracking of examples/echo.rs, checked against the hub (run.sh's `clients` check).

    python astropy_tracking.py ECHO_NAME

Through SAMP_HUB=std-lockurl:file://... (required): astropy clients come (three), one is
renamed, one goes; then `test.clients` is called on the echo client (found by samp.name)
until its answer equals the hub's view: every registered client but the echo itself, the
hub's own included, each with its samp.name ("" when it has none). Prints ``ok: ...`` lines;
exits 0 on success, 1 (``FAILED: ...``) otherwise.
"""

import os
import sys
import time
import warnings

WAIT = float(os.environ.get("INTEROP_WAIT", "10"))


def fail(what):
    print(f"FAILED: {what}", flush=True)
    sys.exit(1)


def main():
    if len(sys.argv) != 2 or not os.environ.get("SAMP_HUB", "").startswith("std-lockurl:"):
        print(__doc__, file=sys.stderr)
        return 2
    echo_name = sys.argv[1]
    warnings.simplefilter("ignore")
    from astropy.samp import SAMPIntegratedClient, conf

    conf.use_internet = False
    clients = []
    # Callable: astropy's disconnect() does nothing for a non-callable client (its
    # is_connected is False), so one could not leave.
    for name in ["trk-a", "trk-b", "trk-c"]:
        c = SAMPIntegratedClient(name=name)
        c.connect()
        clients.append(c)
    observer, renamed, leaving = clients
    renamed.declare_metadata({"samp.name": "trk-b-renamed"})
    leaving_id = leaving.get_public_id()
    leaving.disconnect()
    if leaving_id in observer.get_registered_clients():
        fail("trk-c is still registered after disconnect()")
    print("ok: 3 astropy clients came, trk-b renamed, trk-c left", flush=True)

    def name_of(cid):
        try:
            return str(observer.get_metadata(cid).get("samp.name", ""))
        except Exception:
            return None  # left meanwhile

    echo_id = None
    for cid in observer.get_registered_clients():
        if name_of(cid) == echo_name:
            echo_id = cid
    if echo_id is None:
        fail(f"no client named {echo_name}")

    def hub_view():
        ids = set(observer.get_registered_clients()) | {observer.get_public_id()}
        ids.discard(echo_id)
        view = {}
        for cid in ids:
            name = name_of(cid) if cid != observer.get_public_id() else "trk-a"
            if name is not None:
                view[cid] = name
        return view

    deadline = time.monotonic() + WAIT
    last = None
    while time.monotonic() < deadline:
        try:
            r = observer.ecall_and_wait(echo_id, "test.clients", "5")
        except Exception as e:  # astropy's hub may lose a quick reply: try again
            last = f"callAndWait failed: {e}"
            continue
        if r.get("samp.status") != "samp.ok":
            fail(f"test.clients answered {r}")
        echo_view = {k: str(v) for k, v in r["samp.result"]["clients"].items()}
        truth = hub_view()
        if echo_view == truth:
            print(f"ok: test.clients equals the hub's view ({len(truth)} clients: "
                  f"{sorted(truth.values())})", flush=True)
            for c in (observer, renamed):
                c.disconnect()
            return 0
        last = f"echo says {echo_view}, the hub says {truth}"
        time.sleep(0.2)
    fail(last or "no answer")


if __name__ == "__main__":
    sys.exit(main())
