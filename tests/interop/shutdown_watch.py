#!/usr/bin/env python3
"""Wait for the hub's samp.hub.event.shutdown broadcast (used by run.sh's lifecycle check).

    python shutdown_watch.py READY_FILE [TIMEOUT_SECONDS]

Connects an astropy.samp client to the hub named by SAMP_HUB, subscribes to
samp.hub.event.shutdown, then creates READY_FILE. run.sh then stops the hub
with SIGTERM. Exits 0 as soon as the shutdown message arrives from the hub's
own public id, 1 if it does not arrive within TIMEOUT_SECONDS (default 30)
of becoming ready, 2 on setup errors. Never unregisters after the shutdown
(the hub is gone by then).
"""

import os
import sys
import threading
import warnings


def main():
    if len(sys.argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    ready_file = sys.argv[1]
    timeout = float(sys.argv[2]) if len(sys.argv) == 3 else 30.0
    if not os.environ.get("SAMP_HUB", "").startswith("std-lockurl:"):
        print("shutdown_watch: SAMP_HUB must be std-lockurl:file://...", file=sys.stderr)
        return 2

    warnings.simplefilter("ignore")
    from astropy.samp import SAMP_STATUS_OK, SAMPIntegratedClient, conf

    conf.use_internet = False

    got = threading.Event()
    seen = {}
    cli = SAMPIntegratedClient(name="interop-shutdown-watch")

    def on_shutdown(private_key, sender_id, msg_id, mtype, params, extra):
        seen["sender"] = sender_id
        got.set()
        if msg_id is not None:  # delivered as a call: answer it, hub may be gone
            try:
                cli.reply(msg_id, {"samp.status": SAMP_STATUS_OK, "samp.result": {}})
            except Exception:
                pass

    try:
        cli.connect()
        hub_id = cli.client._hub_id
        cli.bind_receive_message("samp.hub.event.shutdown", on_shutdown)
    except Exception as e:
        print(f"shutdown_watch: could not connect/subscribe: {type(e).__name__}: {e}")
        return 2

    with open(ready_file, "w") as f:
        f.write(cli.get_public_id() + "\n")

    if not got.wait(timeout):
        print(f"shutdown_watch: no samp.hub.event.shutdown within {timeout:g} s")
        return 1
    if seen.get("sender") != hub_id:
        print(f"shutdown_watch: shutdown event came from {seen.get('sender')!r}, "
              f"not the hub {hub_id!r}")
        return 1
    print("shutdown_watch: samp.hub.event.shutdown received from the hub")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # don't let the client's server thread or pool delay exit
