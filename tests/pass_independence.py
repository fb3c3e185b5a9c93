#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A frame's label must not depend on when, or how often, it is dissected.

    pass_independence.py [--build DIR] CAPTURE...

For every capture, tshark labels it three ways and the per-segment labels
(tcpphase.conn.id, step, phase, state.sender, state.receiver) must be the
same for every frame:

  two-pass     tshark -2: the first pass computes, the second only reads
  -Y subset    tshark -2 -Y FILTER, FILTER naming tcpphase fields: the
               filter is evaluated on the visited (second-pass) dissection
  -R subset    tshark -2 -R FILTER: frames failing the read filter are
               dropped after the first pass, tshark renumbers the rest, and
               only those are dissected again; a dropped frame's number is
               reused by the next frame on the first pass

One-pass versus two-pass is the `onepass:` test (tests/golden.py onepass).
Frames are matched across runs by their content (time, length, sequence
and acknowledgment numbers, flags), not by number, since -R renumbers.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

LABEL = ["tcpphase.conn.id", "tcpphase.step", "tcpphase.phase",
         "tcpphase.state.sender", "tcpphase.state.receiver"]
KEY = ["frame.time_epoch", "frame.len", "tcp.seq_raw", "tcp.ack_raw", "tcp.flags"]
# Subsets: a read filter on TCP flags (handshake, teardown and reset
# segments: every connection keeps some frames and loses others), and a
# display filter on tcpphase's own fields.
READ_FILTER = "tcp.flags.syn == 1 || tcp.flags.fin == 1 || tcp.flags.reset == 1"
DISPLAY_FILTER = 'tcpphase.step != "ack" && tcpphase.phase != "established"'


def run(capture, build, extra):
    args = ["-n", "-2", "-r", capture] + extra + ["-T", "fields", "-E", "header=y",
                                                  "-E", "occurrence=f"]
    for f in ["frame.number"] + KEY + LABEL:
        args += ["-e", f]
    _, rows = tplib.parse_fields(tplib.tshark(args, build=build))
    return [(tuple(r[k] for k in KEY), tuple(r[k] for k in LABEL), r["frame.number"])
            for r in rows]


def compare(name, full, subset):
    """Every row of subset, matched in order with the same frame of full."""
    errors, i = [], 0
    for key, label, number in subset:
        while i < len(full) and full[i][0] != key:
            i += 1
        if i == len(full):
            errors.append("%s: frame shown as %s matches no frame of the two-pass run"
                          % (name, number))
            break
        if full[i][1] != label:
            errors.append("%s: frame %s (shown as %s): %s, two-pass says %s"
                          % (name, full[i][2], number, "/".join(label), "/".join(full[i][1])))
        i += 1
    return errors


def check(capture, build):
    full = run(capture, build, [])
    labelled = [r for r in full if r[1][1]]
    shown = run(capture, build, ["-Y", DISPLAY_FILTER])
    read = run(capture, build, ["-R", READ_FILTER])
    errors = compare("-Y subset", full, shown) + compare("-R subset", full, read)
    rel = os.path.relpath(capture, tplib.ROOT)
    if errors:
        print("MISMATCH on %s:" % rel)
        for e in errors[:40]:
            print("  " + e)
        return False
    print("ok: %s: %d frames (%d labelled); -Y subset %d frames, -R subset %d frames, same labels"
          % (rel, len(full), len(labelled), len(shown), len(read)))
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", help="build folder (default: $TCPPHASE_BUILD or ./build)")
    ap.add_argument("captures", nargs="*", help="default: every capture in test-captures/")
    a = ap.parse_args()
    caps = [tplib.resolve_capture(c) for c in a.captures] or tplib.all_captures()
    if not caps:
        raise Failure("no captures")
    bad = [c for c in caps if not check(c, a.build)]
    if bad:
        raise Failure("labels depend on the pass on %d of %d captures" % (len(bad), len(caps)))
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
