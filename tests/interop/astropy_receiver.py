#!/usr/bin/env python3
"""An astropy.samp receiver for run.sh's `clients` check (the target of examples/send.rs).

    python astropy_receiver.py READY_FILE LOG_FILE

Registers as samp.name ``interop-rust-target`` through SAMP_HUB=std-lockurl:file://...
(required) and handles:

* call ``test.rust``: replies samp.ok with result ``{"got": <param x>}``;
* notification ``test.rust.note``: appends ``note x=<param x> from <sender>`` to LOG_FILE;
* call ``test.rust.silent``: never replies (the caller's timeout is what is tested).

Every message received is also logged to LOG_FILE (one line each, flushed). Writes its
public id to READY_FILE once subscribed, then runs until SIGTERM/SIGINT or the hub's
samp.hub.event.shutdown. Exit status: 0 normally, 2 if it cannot connect.
"""

import os
import signal
import sys
import threading
import warnings

NAME = "interop-rust-target"


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ready_file, log_file = sys.argv[1:]
    if not os.environ.get("SAMP_HUB", "").startswith("std-lockurl:"):
        print("astropy_receiver: SAMP_HUB must be std-lockurl:file://...", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    from astropy.samp import SAMP_STATUS_OK, SAMPIntegratedClient, conf

    conf.use_internet = False
    stop = threading.Event()
    log_lock = threading.Lock()
    log = open(log_file, "a", encoding="utf-8")

    def record(line):
        with log_lock:
            log.write(line + "\n")
            log.flush()

    cli = SAMPIntegratedClient(name=NAME, description="astropy receiver for examples/send.rs")

    def on_call(private_key, sender_id, msg_id, mtype, params, extra):
        record(f"call {mtype} x={params.get('x')} from {sender_id}")
        cli.ereply(msg_id, SAMP_STATUS_OK, result={"got": params.get("x", "")})

    def on_silent(private_key, sender_id, msg_id, mtype, params, extra):
        record(f"call {mtype} from {sender_id} (not answered)")

    def on_note(private_key, sender_id, mtype, params, extra):
        record(f"note x={params.get('x')} from {sender_id}")

    def on_shutdown(private_key, sender_id, msg_id, mtype, params, extra):
        record(f"shutdown from {sender_id}")
        stop.set()

    try:
        cli.connect()
        cli.bind_receive_call("test.rust", on_call)
        cli.bind_receive_notification("test.rust.note", on_note)
        cli.bind_receive_call("test.rust.silent", on_silent)
        cli.bind_receive_message("samp.hub.event.shutdown", on_shutdown)
    except Exception as e:
        print(f"astropy_receiver: could not connect/subscribe: {type(e).__name__}: {e}")
        return 2
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    with open(ready_file, "w") as f:
        f.write(cli.get_public_id() + "\n")
    print(f"astropy_receiver: registered as {cli.get_public_id()} ({NAME})", flush=True)
    while not stop.wait(0.5):
        pass
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # never unregister from a hub that may be gone; don't wait for threads
