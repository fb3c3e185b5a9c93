#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Every display filter in README.md's "Filter cookbook" compiles in tshark.

    cookbook.py [--build DIR]

Reads the rows of the cookbook table (the last `code` span of each row is the
filter) and runs each one with the fresh plugin over a small bundled capture.
A filter naming a field that does not exist, or with a syntax error, fails.
This checks that the recipes are valid, not that they select the right frames
(tests/filters.py does that for a few).
"""

import argparse
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

README = os.path.join(tplib.ROOT, "README.md")
SECTION = "## Filter cookbook"


def recipes():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    start = text.find("\n" + SECTION)
    if start < 0:
        raise Failure("README.md has no %r section" % SECTION)
    body = text[start + 1:]
    nxt = body.find("\n## ", len(SECTION))
    if nxt >= 0:
        body = body[:nxt]
    out = []
    for line in body.split("\n"):
        if not line.startswith("|") or line.startswith("| ---") or line.startswith("| to see"):
            continue
        spans = re.findall(r"`([^`]+)`", line)
        if spans:
            out.append(spans[-1])
    if len(out) < 10:
        raise Failure("only %d filters found in README.md's cookbook (expected at least 10)"
                      % len(out))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build")
    ap.add_argument("--capture", default="real-mixed.pcap",
                    help="capture to run the filters over (default: real-mixed.pcap)")
    a = ap.parse_args()
    cap = tplib.resolve_capture(a.capture)
    filters = recipes()

    def run(flt):
        try:
            out = tplib.tshark(["-n", "-2", "-r", cap, "-Y", flt, "-T", "fields",
                                "-e", "frame.number"], build=a.build)
            return flt, None, len(out.split())
        except Failure as e:
            return flt, str(e), 0

    failed = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        for flt, err, n in pool.map(run, filters):
            if err:
                failed += 1
                print("FAIL %s\n%s" % (flt, tplib.indent(err, "       ")))
            else:
                print("ok   %-70s (%d frames of %s)" % (flt, n, os.path.basename(cap)))
    if failed:
        raise Failure("%d of %d cookbook filters do not work in tshark" % (failed, len(filters)))
    print("ok: all %d cookbook filters compile" % len(filters))
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
