#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""No superlinear work in the core on adversarial captures, counted in
instructions so that a busy machine cannot change the verdict.

    growth.py BUILD_DIR

For each adversarial shape that bench/gencap writes (a SYN flood where every
SYN is a new connection, one tuple reused over and over, one long connection
whose sequence numbers wrap around), feeds a capture of n and of 2n packets
to bench/corebench under callgrind and compares the instructions executed.
Work that grows linearly doubles (a little less: start-up is counted once);
a path that grows with the square of the input quadruples.  The check allows
2.5x, which n log n growth also passes.

Time per packet is not checked here: it depends on what else the machine is
doing.  bench/bench.py measures it.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

# Twice the packets may cost at most this many times the instructions.
MAX_RATIO = 2.5

# (gencap mode and flags, n): n chosen so that each callgrind run is short.
CASES = [
    ("synflood", ["synflood"], 40000),
    ("reuse", ["reuse"], 10000),
    ("long", ["long", "-t"], 150000),
]


def instructions(corebench, capture):
    """Instructions corebench executes on CAPTURE, counted by callgrind."""
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                          corebench, capture], capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"callgrind corebench {capture} failed:\n{run.stderr}")
    m = re.search(r"Collected\s*:\s*(\d+)", run.stderr)
    if not m:
        raise RuntimeError(f"no instruction count in callgrind's output:\n{run.stderr}")
    return int(m.group(1))


def main():
    build = os.path.abspath(sys.argv[1])
    gencap = os.path.join(build, "bench", "gencap")
    corebench = os.path.join(build, "bench", "corebench")
    if shutil.which("valgrind") is None:
        print("FAIL: valgrind is needed (apt-get install valgrind)")
        return 1
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, args, n in CASES:
            counts = []
            for size in (n, 2 * n):
                path = os.path.join(tmp, f"{name}-{size}.pcap")
                subprocess.run([gencap, *args, "-n", str(size), "-o", path],
                               check=True, stderr=subprocess.DEVNULL)
                counts.append(instructions(corebench, path))
            ratio = counts[1] / counts[0]
            verdict = "ok" if ratio <= MAX_RATIO else "FAIL"
            print(f"{verdict}: {name}: {n} packets {counts[0]} instructions, "
                  f"{2 * n} packets {counts[1]}: x{ratio:.2f} (at most x{MAX_RATIO})")
            failed += verdict != "ok"
    print(f"{len(CASES) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
