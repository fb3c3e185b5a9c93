#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Bounded resources on adversarial captures, the core alone.

    bounded.py BUILD_DIR

Writes, with bench/gencap, a SYN flood (every SYN a new connection), one
tuple reused over and over, and one connection of two million segments whose
sequence numbers wrap around; feeds each to the core with bench/corebench;
and checks that
  - every TCP segment was placed (none refused for lack of memory);
  - the engine and the labels together stay within the memory budget
    of docs/performance.md,
    16 bytes per TCP frame plus 128 bytes per connection (the flood's
    connections are kept as their one segment, the reused tuple's finished
    incarnations packed: core/conn_table.h), and the one long
    connection's engine memory stays under 1 MB;
  - labels cost at most 9 bytes per frame (8, the presence index and chunk slack).
That the work per packet does not grow is checked by tests/growth.py, in
instructions: a time per packet would depend on what else the machine is
doing.
"""

import os
import re
import subprocess
import sys
import tempfile

# The memory budget (docs/performance.md), applied to the core's own bytes
# (engine + labels).
BUDGET_PER_FRAME = 16
BUDGET_PER_CONN = 128


def corebench(build, path, block):
    out = subprocess.run([os.path.join(build, "bench", "corebench"), path, str(block)],
                         capture_output=True, text=True, check=True).stdout
    blocks = [float(l.split()[1]) for l in out.splitlines() if re.match(r"^\s+\d+\s+[\d.]+$", l)]
    m = re.search(r"tcp (\d+)\s+unplaced (\d+)\s+connections (\d+)", out)
    mem = re.search(r"engine (\d+) bytes .* labels (\d+) bytes", out)
    return {"tcp": int(m.group(1)), "unplaced": int(m.group(2)), "conns": int(m.group(3)),
            "engine": int(mem.group(1)), "labels": int(mem.group(2)), "blocks": blocks}


def main():
    build = os.path.abspath(sys.argv[1])
    gencap = os.path.join(build, "bench", "gencap")
    passed = failed = 0

    def check(cond, what):
        nonlocal passed, failed
        if cond:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    with tempfile.TemporaryDirectory() as tmp:
        cases = [
            ("synflood", ["synflood", "-n", "300000"], 50000, 300000),
            ("reuse", ["reuse", "-n", "30000"], 25000, 30000),
            ("long", ["long", "-t", "-n", "2000000"], 200000, 1),
        ]
        for name, args, block, conns in cases:
            path = os.path.join(tmp, name + ".pcap")
            subprocess.run([gencap, *args, "-o", path], check=True, stderr=subprocess.DEVNULL)
            r = corebench(build, path, block)
            print(f"{name}: {r['tcp']} segments, {r['conns']} connections, engine "
                  f"{r['engine']} B, labels {r['labels']} B, ns/packet per block "
                  + " ".join(f"{b:.0f}" for b in r["blocks"]))
            check(r["unplaced"] == 0, f"{name}: {r['unplaced']} segments not placed")
            check(r["conns"] == conns, f"{name}: {r['conns']} connections, want {conns}")
            if name == "long":
                check(r["engine"] < 1 << 20, f"long: engine {r['engine']} bytes for one connection")
            else:
                budget = BUDGET_PER_FRAME * r["tcp"] + BUDGET_PER_CONN * r["conns"]
                used = r["engine"] + r["labels"]
                check(used <= budget, f"{name}: engine + labels {used} bytes, budget {budget} "
                      f"({used / r['conns']:.0f} bytes per connection)")
            check(r["labels"] / r["tcp"] <= 9.0, f"{name}: {r['labels'] / r['tcp']:.1f} label bytes per frame")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
