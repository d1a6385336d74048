"""The Standard Profile lockfile named by SAMP_HUB (the interop suite always gives a
private std-lockurl:file:// one), read as the scripts here need it: a dict of its
key=value lines."""

import os

PREFIX = "std-lockurl:file://"


def read_lockfile():
    hub = os.environ["SAMP_HUB"]
    assert hub.startswith(PREFIX), hub
    info = {}
    with open(hub[len(PREFIX):]) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, v = line.rstrip("\n").split("=", 1)
                info[k] = v
    return info
