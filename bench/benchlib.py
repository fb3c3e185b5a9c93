"""What the batch tool's benchmarks (bench/annotate/run.py,
bench/report/run.py) share: where the build is, and one timed run.
"""
# SPDX-License-Identifier: GPL-2.0-or-later

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def build_dir():
    b = os.environ.get("TCPPHASE_BUILD", "build")
    return b if os.path.isabs(b) else os.path.join(ROOT, b)


def built(*path):
    """A program of the build (e.g. built("bench", "gencap")), or exit
    saying it must be built first."""
    p = os.path.join(build_dir(), *path)
    if not os.access(p, os.X_OK):
        sys.exit("%s is missing: build first (cmake --build %s)" % (p, build_dir()))
    return p


def timed(cmd):
    """(wall s, cpu s, max RSS KiB) of one run of cmd."""
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", "/dev/stderr"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr[-3000:]))
    wall, user, sys_, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(rss)
