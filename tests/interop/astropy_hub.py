#!/usr/bin/env python3
"""Run astropy.samp's own SAMP hub (Standard Profile only) until SIGTERM/SIGINT.

Used by run.sh when INTEROP_HUB=astropy, as a reference hub for developing
and cross-checking the interop suite.

    python astropy_hub.py --lockfile /tmp/xyz/lock

The lockfile must be the same file that SAMP_HUB=std-lockurl:file://... names:
astropy's hub ignores its ``lockfile`` argument whenever SAMP_HUB is set, so
this launcher refuses to run if the two disagree. Run it with a private HOME:
astropy's hub deletes stale ``~/.samp`` files when it starts.
"""

import argparse
import os
import signal
import sys
import threading
from urllib.parse import urlparse


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lockfile", required=True, help="lockfile path to write")
    ap.add_argument("--addr", default="127.0.0.1", help="listen address")
    args = ap.parse_args()

    lockfile = os.path.abspath(args.lockfile)
    env = os.environ.get("SAMP_HUB")
    if env is not None:
        if not env.startswith("std-lockurl:"):
            sys.exit(f"astropy_hub: unsupported SAMP_HUB={env!r}")
        if urlparse(env[len("std-lockurl:"):]).path != lockfile:
            sys.exit(f"astropy_hub: SAMP_HUB={env!r} does not name --lockfile {lockfile}")

    from astropy.samp import SAMPHubServer, conf

    conf.use_internet = False  # never probe the network; bind loopback only

    hub = SAMPHubServer(addr=args.addr, lockfile=lockfile, web_profile=False)

    stop = threading.Event()

    def on_signal(signum, _frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    hub.start(wait=False)
    # astropy keeps running even when create_lock_file() declined to write
    # the lockfile (a live hub already owns it); treat that as a failed start.
    if not hub.is_running or not getattr(hub, "_lockfile", None):
        hub.stop()
        sys.exit("astropy_hub: hub did not start (another hub already owns the lockfile?)")
    print(f"astropy_hub: running, lockfile {lockfile}", file=sys.stderr, flush=True)

    while not stop.wait(0.5):
        pass

    print("astropy_hub: stopping", file=sys.stderr, flush=True)
    hub.stop()  # broadcasts samp.hub.event.shutdown and removes the lockfile
    return 0


if __name__ == "__main__":
    sys.exit(main())
