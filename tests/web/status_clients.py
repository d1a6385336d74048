"""The SAMP side of the status-page test: two astropy clients, "status-alpha" and
"status-beta", register with the hub of $SAMP_HUB; when the file GO appears, alpha sends
beta a status.test notification; when DONE appears (or after 120 s) both leave.

usage: status_clients.py READY GO DONE
"""

import os
import sys
import threading
import time
import warnings

warnings.simplefilter("ignore")
from astropy.samp import SAMPIntegratedClient, conf  # noqa: E402

conf.use_internet = False


def wait_for(path, limit):
    deadline = time.time() + limit
    while time.time() < deadline:
        if os.path.exists(path):
            return True
        time.sleep(0.1)
    return False


def main():
    ready, go, done = sys.argv[1:4]
    got = threading.Event()
    alpha = SAMPIntegratedClient(name="status-alpha", callable=True)
    beta = SAMPIntegratedClient(name="status-beta", callable=True)
    alpha.connect()
    beta.connect()
    beta.bind_receive_notification("status.test", lambda *a: got.set())
    with open(ready, "w") as f:
        f.write(f"{alpha.get_public_id()} {beta.get_public_id()}\n")
    print("ok: status-alpha and status-beta registered", flush=True)
    if not wait_for(go, 120):
        print("FAILED: no go", flush=True)
        sys.exit(1)
    alpha.notify(beta.get_public_id(), {"samp.mtype": "status.test", "samp.params": {"n": "1"}})
    print("ok: status.test sent", flush=True)
    if not got.wait(10):
        print("FAILED: beta got no status.test", flush=True)
        sys.exit(1)
    wait_for(done, 120)
    alpha.disconnect()
    beta.disconnect()


if __name__ == "__main__":
    main()
