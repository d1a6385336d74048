"""Floods a recipient that accepts connections and never answers, through the hub of
$SAMP_HUB, with Python's own XML-RPC client (an independent stack), and checks that the
hub stays bounded: senders get faults naming the recipient past its cap, the hub's RSS
stays under a limit, and the recipient is ejected once its callbacks time out. Then a
second silent recipient is flooded the same way: the hub's peak must not grow, so what
the first one held was given back (to the allocator: glibc keeps freed pages mapped, so
RSS itself need not fall).

usage: flood.py HUB_PID [N] [RSS_LIMIT_MIB]
Prints "ok: ..." lines and "FAILED: ..." on the first problem (exit 1).
"""

import socket
import sys
import threading
import time
import xmlrpc.client

from lockfile import read_lockfile


def rss_kib(pid, field="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def fail(text):
    print("FAILED:", text, flush=True)
    sys.exit(1)


def main():
    pid = int(sys.argv[1])
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    limit_mib = float(sys.argv[3]) if len(sys.argv) > 3 else 64
    with open(f"/proc/{pid}/comm") as f:
        comm = f.read().strip()
    if comm != "samp-hub":
        fail(f"process {pid} is {comm!r}, not the hub")
    info = read_lockfile()
    url, secret = info["samp.hub.xmlrpc.url"], info["samp.secret"]
    hub = xmlrpc.client.ServerProxy(url)
    sender = hub.samp.hub.register(secret)
    key = sender["samp.private-key"]
    print(f"ok: registered; hub RSS {rss_kib(pid)} KiB before the flood", flush=True)
    peak1 = flood_one(pid, url, secret, hub, key, total, limit_mib, 1)
    peak2 = flood_one(pid, url, secret, hub, key, total, limit_mib, 2)
    if peak2 > peak1 + 4096:
        fail(f"the second flood took the hub to {peak2} KiB, above the first's {peak1}: memory was not given back")
    print(f"ok: second flood peak {peak2} KiB vs first {peak1} KiB: the first recipient's backlog was freed", flush=True)


def flood_one(pid, url, secret, hub, key, total, limit_mib, round_no):
    """One silent recipient, flooded until refused, then ejected; returns the peak RSS."""
    # The silent recipient: accepts, reads nothing, answers nothing.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    held = []

    def hold():
        while True:
            try:
                conn, _ = silent.accept()
            except OSError:
                return
            held.append(conn)

    threading.Thread(target=hold, daemon=True).start()
    sink = hub.samp.hub.register(secret)
    skey, sid = sink["samp.private-key"], sink["samp.self-id"]
    hub.samp.hub.setXmlrpcCallback(skey, f"http://127.0.0.1:{silent.getsockname()[1]}/xmlrpc")
    hub.samp.hub.declareSubscriptions(skey, {"flood.note": {}})

    counts = {"ok": 0, "fault": 0, "other": 0}
    faults = []
    lock = threading.Lock()
    per_thread = total // 4

    def flood(t):
        proxy = xmlrpc.client.ServerProxy(url)
        msg = {"samp.mtype": "flood.note", "samp.params": {"n": "0", "pad": "x" * 100}}
        for n in range(per_thread):
            msg["samp.params"]["n"] = str(t * per_thread + n)
            try:
                proxy.samp.hub.notify(key, sid, msg)
                what = "ok"
            except xmlrpc.client.Fault as f:
                what = "fault"
                if len(faults) < 3:
                    faults.append(f.faultString)
            except Exception as e:  # noqa: BLE001 - anything else is a failure
                what = "other"
                if len(faults) < 3:
                    faults.append(repr(e))
            with lock:
                counts[what] += 1

    t0 = time.time()
    threads = [threading.Thread(target=flood, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    peak = 0
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss_kib(pid))
        time.sleep(0.05)
    for t in threads:
        t.join()
    dt = time.time() - t0
    peak = max(peak, rss_kib(pid))
    print(f"ok: round {round_no}: {4 * per_thread} notifications to {sid} in {dt:.1f} s: "
          f"{counts['ok']} accepted, {counts['fault']} refused with a fault, "
          f"{counts['other']} other errors; hub RSS peak {peak} KiB (limit {limit_mib:.0f} MiB)",
          flush=True)
    if counts["other"]:
        fail(f"{counts['other']} sends failed without a fault: {faults}")
    if counts["fault"] == 0:
        fail("no sender got a fault: the cap did not hold")
    if not any(sid in f and "cannot take more" in f for f in faults):
        fail(f"the faults do not name the recipient and its backlog: {faults}")
    print(f"ok: fault text: {faults[0]}", flush=True)
    if peak > limit_mib * 1024:
        fail(f"hub RSS peaked at {peak} KiB, over {limit_mib} MiB")

    # The recipient times out and is ejected, and what was queued for it is dropped.
    deadline = time.time() + 120
    while time.time() < deadline:
        if sid not in hub.samp.hub.getRegisteredClients(key):
            break
        time.sleep(0.2)
    else:
        fail(f"the silent recipient {sid} was never ejected")
    print(f"ok: {sid} ejected {time.time() - t0:.1f} s after the flood began; hub RSS "
          f"{rss_kib(pid)} KiB", flush=True)
    silent.close()
    for conn in held:
        conn.close()
    return peak


if __name__ == "__main__":
    main()
