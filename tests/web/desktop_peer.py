"""The desktop side of the browser test: an astropy Standard Profile client that waits
for the web page to register, sends it a VOTable with table.load.votable (a file: URL
the page must fetch through the hub's URL translator), and waits for the
coord.pointAt.sky the page sends back; then sends it a 512 MiB image.load.fits.

usage: desktop_peer.py WORKDIR   (SAMP_HUB names the hub; prints ok:/FAILED: lines)
"""

import os
import sys
import threading
import time
import warnings

warnings.simplefilter("ignore")
from astropy.samp import SAMPIntegratedClient, conf  # noqa: E402

conf.use_internet = False
RA, DEC = "83.6331", "22.0145"
IMAGE_BYTES = 512 * 1024 * 1024  # eight times the translator's old whole-body cap
PAGE_NAME = "Browser test page"


def fail(text):
    print("FAILED:", text, flush=True)
    sys.exit(1)


def main():
    work = sys.argv[1]
    got = {}
    arrived = threading.Event()

    def point_at(private_key, sender_id, mtype, params, extra):
        got.update(sender=sender_id, ra=params.get("ra"), dec=params.get("dec"))
        arrived.set()

    client = SAMPIntegratedClient(name="desktop peer", callable=True)
    client.connect()
    client.bind_receive_notification("coord.pointAt.sky", point_at)
    print("ok: desktop peer registered as", client.get_public_id(), flush=True)

    page = None
    deadline = time.time() + 90
    while time.time() < deadline and page is None:
        for cid in client.get_subscribed_clients("table.load.votable"):
            if client.get_metadata(cid).get("samp.name") == PAGE_NAME:
                page = cid
        time.sleep(0.3)
    if page is None:
        fail("the web page never registered and subscribed to table.load.votable")
    print("ok: web page registered as", page, flush=True)

    table = os.path.join(work, "crab.vot")
    with open(table, "w") as f:
        f.write('<?xml version="1.0"?>\n<VOTABLE version="1.4"><RESOURCE><TABLE name="crab">'
                '<FIELD name="ra" datatype="double" ucd="pos.eq.ra"/>'
                '<FIELD name="dec" datatype="double" ucd="pos.eq.dec"/>'
                f'<DATA><TABLEDATA><TR><TD>{RA}</TD><TD>{DEC}</TD></TR></TABLEDATA></DATA>'
                '</TABLE></RESOURCE></VOTABLE>\n')
    url = "file://" + table
    client.notify(page, {"samp.mtype": "table.load.votable",
                         "samp.params": {"url": url, "table-id": "crab", "name": "crab"}})
    print("ok: sent table.load.votable", url, flush=True)
    if not arrived.wait(60):
        fail("no coord.pointAt.sky came back from the page within 60 s")
    if got["sender"] != page or (got["ra"], got["dec"]) != (RA, DEC):
        fail(f"unexpected coord.pointAt.sky: {got}")
    print(f"ok: coord.pointAt.sky from {page}: ra {got['ra']} dec {got['dec']}", flush=True)

    # A large image (sparse: no disk used), which the page streams through the translator.
    image = os.path.join(work, "big.fits")
    with open(image, "wb") as f:
        f.truncate(IMAGE_BYTES)
    client.notify(page, {"samp.mtype": "image.load.fits",
                         "samp.params": {"url": "file://" + image, "name": "big"}})
    print(f"ok: sent image.load.fits file://{image} ({IMAGE_BYTES} bytes)", flush=True)
    client.disconnect()


if __name__ == "__main__":
    main()
