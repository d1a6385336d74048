#!/usr/bin/env python3
"""Picks the seed corpora in fuzz/seeds/ from a capture made by capture.sh.

    python3 fuzz/capture/select_seeds.py CAPTURE_DIR

Run after `cargo fuzz build -s none` (it uses the built targets for libFuzzer's -merge).
Replaces fuzz/seeds/{xmlrpc,convert,lockfile}/ with:

- xmlrpc and convert: the captured documents of at most 64 KiB (the fuzzers' -max_len),
  deduplicated, keeping (a) for every hub, client, direction and method the smallest
  document, so every kind of exchange with every peer is represented, and (b) the set that
  libFuzzer's -merge=1 keeps as covering everything the whole capture covers, for that
  target. Named HUB--CLIENT-call|resp-METHOD--SHA1PREFIX.xml, where CLIENT is hub2X for
  what the hub sent client X (callbacks) and X's answers to it.
- lockfile: the lockfiles the hubs wrote (HUB.lock), and the SAMP_HUB / HOME values the
  clients were given (HUB.env: SAMP_HUB on the first line, HOME on the second, which is
  the form the lockfile target reads them in).
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile

MAX_LEN = 65536
NAME_RE = re.compile(r"^\d+-(.+)-(call|resp)-(.+)\.xml$")

FUZZ = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(FUZZ, "target", "x86_64-unknown-linux-gnu", "release")


def collect(cap):
    """sha1 -> (name, bytes, key) for every captured document of at most MAX_LEN bytes."""
    docs = {}
    for hub in sorted(os.listdir(cap)):
        d = os.path.join(cap, hub)
        if hub in ("lockfiles", "logs") or not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            m = NAME_RE.match(f)
            if not m:
                continue
            with open(os.path.join(d, f), "rb") as fh:
                data = fh.read()
            if not data or len(data) > MAX_LEN:
                continue
            sha = hashlib.sha1(data).hexdigest()
            if sha in docs:
                continue
            label, kind, method = m.groups()
            name = f"{hub}--{label}-{kind}-{method}--{sha[:10]}.xml"
            docs[sha] = (name, data, (hub, label, kind, method))
    return docs


def representatives(docs):
    best = {}
    for sha, (name, data, key) in docs.items():
        if key not in best or len(data) < len(docs[best[key]][1]):
            best[key] = sha
    return set(best.values())


def merged(target, docs):
    """The shas that libFuzzer's -merge=1 keeps for target."""
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "all")
        dst = os.path.join(tmp, "kept")
        os.makedirs(src)
        os.makedirs(dst)
        for sha, (_, data, _) in docs.items():
            with open(os.path.join(src, sha), "wb") as fh:
                fh.write(data)
        subprocess.run([os.path.join(BIN, target), "-merge=1", f"-max_len={MAX_LEN}",
                        dst, src], check=True, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # libFuzzer names merged files by the SHA-1 of their content.
        return {f for f in os.listdir(dst) if f in docs}


def write(target, docs, shas):
    out = os.path.join(FUZZ, "seeds", target)
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    total = 0
    for sha in sorted(shas, key=lambda s: docs[s][0]):
        name, data, _ = docs[sha]
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(data)
        total += len(data)
    print(f"seeds/{target}: {len(shas)} files, {total} bytes")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    cap = sys.argv[1]
    docs = collect(cap)
    reps = representatives(docs)
    print(f"{len(docs)} distinct documents of at most {MAX_LEN} bytes, "
          f"{len(reps)} kinds of exchange")
    for target in ("xmlrpc", "convert"):
        write(target, docs, reps | merged(target, docs))

    out = os.path.join(FUZZ, "seeds", "lockfile")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    lockdir = os.path.join(cap, "lockfiles")
    for f in sorted(os.listdir(lockdir)):
        shutil.copy(os.path.join(lockdir, f), os.path.join(out, f))
    print(f"seeds/lockfile: {len(os.listdir(out))} files")


if __name__ == "__main__":
    main()
