#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Disabling tcpphase or TCP labels nothing; enabling both labels every segment.

    disabled.py [--build DIR] [--capture NAME]

The hook in front of TCP decides once per dissection session (its init
routine) whether tcpphase and TCP are both enabled, rather than asking on
every segment; tshark applies --disable-protocol before it opens the file,
so this checks that the decision is taken from the settings in force, in
one pass and in two, and that TCP still dissects when tcpphase is off.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402


def count(capture, build, extra, field):
    out = tplib.tshark(["-n", "-r", capture] + extra + ["-T", "fields", "-e", field], build)
    return sum(1 for line in out.split("\n") if line.strip())


def check(capture, build):
    tcp = count(capture, build, [], "tcp.srcport")
    if tcp == 0:
        raise Failure("%s: no TCP segments to check with" % capture)
    for passes in ([], ["-2"]):
        labelled = count(capture, build, passes, "tcpphase.step")
        if labelled != tcp:
            raise Failure("%s %s: %d of %d TCP segments labelled with both enabled"
                          % (capture, " ".join(passes), labelled, tcp))
        for proto in ("tcpphase", "tcp"):
            off = passes + ["--disable-protocol", proto]
            labelled = count(capture, build, off, "tcpphase.step")
            if labelled:
                raise Failure("%s %s: %d segments labelled with %s disabled"
                              % (capture, " ".join(off), labelled, proto))
        still_tcp = count(capture, build, passes + ["--disable-protocol", "tcpphase"],
                          "tcp.srcport")
        if still_tcp != tcp:
            raise Failure("%s: TCP dissected %d segments with tcpphase disabled, %d without"
                          % (capture, still_tcp, tcp))
    print("ok: %s (%d segments)" % (os.path.basename(capture), tcp))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build")
    ap.add_argument("--capture", default="real-mixed")
    a = ap.parse_args()
    check(tplib.resolve_capture(a.capture), a.build)


if __name__ == "__main__":
    tplib.main_wrapper(main)
