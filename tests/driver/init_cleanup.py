#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The plugin starts every capture clean: init/cleanup routines.

    init_cleanup.py DRIVER

DRIVER is tcpphase-epan-driver (tests/driver/epan_driver.c): one
libwireshark process that opens captures one after the other, as the GUI
does on File > Open or View > Reload (epan_free() runs Wireshark's cleanup
routines, epan_new() its init routines).  It is given every test capture,
then all of them again in reverse order (each capture is re-opened after
different ones, and the last one twice in a row, as a reload), in a single
process.  Every opening must label every frame exactly as the reviewed
golden file says (conn.id, step, phase, both states): connection ids
restart at 1, and nothing of the previous capture leaks into the next.
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

GOLDEN_DIR = os.path.join(tplib.ROOT, "tests", "golden")
COLUMNS = ["tcpphase.conn.id", "tcpphase.step", "tcpphase.phase",
           "tcpphase.state.sender", "tcpphase.state.receiver"]


def golden_rows(capture):
    path = os.path.join(GOLDEN_DIR, tplib.capture_name(capture) + ".tsv")
    with open(path, encoding="utf-8") as f:
        lines = [line for line in f.read().splitlines() if not line.startswith("#")]
    header, rows = tplib.parse_fields("\n".join(lines) + "\n")
    return {int(r["frame.number"]): tuple(r[c] for c in COLUMNS)
            for r in rows if r["tcpphase.step"]}


def main():
    if len(sys.argv) != 2:
        raise Failure("usage: init_cleanup.py DRIVER")
    driver = sys.argv[1]
    caps = tplib.all_captures()
    if not caps:
        raise Failure("no captures")
    order = caps + caps[::-1]
    # An empty HOME: no personal preferences or profile can change a label.
    with tempfile.TemporaryDirectory(prefix="tcpphase-driver-home-") as home:
        env = dict(os.environ, HOME=home)
        p = subprocess.run([driver] + order, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, errors="replace", timeout=500, env=env)
    if p.returncode != 0:
        raise Failure("%s failed (exit %d):\n%s" % (driver, p.returncode, tplib.indent(p.stderr)))
    got = {}
    for line in p.stdout.splitlines():
        cells = line.split("\t")
        got.setdefault(int(cells[0]), {})[int(cells[1])] = tuple(cells[2:])
    errors = []
    for i, cap in enumerate(order, start=1):
        want = golden_rows(cap)
        have = got.get(i, {})
        for fr in sorted(set(want) | set(have)):
            if want.get(fr) != have.get(fr):
                errors.append("opening %d (%s), frame %d: %s, golden %s"
                              % (i, os.path.basename(cap), fr, have.get(fr), want.get(fr)))
    if errors:
        print("MISMATCH: a capture opened after others is labelled differently:")
        for e in errors[:40]:
            print("  " + e)
        return 1
    print("ok: %d openings of %d captures in one process, every frame as its golden file "
          "(conn ids restart at 1)" % (len(order), len(caps)))
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
