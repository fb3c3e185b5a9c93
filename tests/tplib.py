# Shared helpers of the tcpphase test scripts (standard library only).
# SPDX-License-Identifier: GPL-2.0-or-later
"""Finding the repository, the build, the captures, and running tshark.

tshark always runs through scripts/tshark-as-user.sh, so that the plugin
just built in the build folder is the one that loads, even as root.  The
build folder comes from --build, else the TCPPHASE_BUILD environment
variable (CMake sets it for every test), else ./build of the repository.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTURES = os.path.join(ROOT, "test-captures")
TSHARK_AS_USER = os.path.join(ROOT, "scripts", "tshark-as-user.sh")

# What counts as a capture in test-captures/ (not: generator scripts,
# READMEs, half-written *.pcap.tmp files).
# Per-segment fields (docs/fields.md, "Per-segment fields"; tcpphase.anomaly
# lists the anomalies of a segment by name).
SEGMENT_FIELDS = [
    "tcpphase.phase",
    "tcpphase.step",
    "tcpphase.role",
    "tcpphase.state.sender",
    "tcpphase.state.receiver",
    "tcpphase.anomaly",
]
# Per-connection fields (docs/fields.md, "Per-connection fields"), but the
# four packet and byte counters.
CONNECTION_FIELDS = [
    "tcpphase.conn.id",
    "tcpphase.conn.open",
    "tcpphase.conn.close",
    "tcpphase.conn.state",
    "tcpphase.conn.history",
    "tcpphase.conn.syn_frame",
    "tcpphase.conn.syn_ack_frame",
    "tcpphase.conn.handshake_ack_frame",
    "tcpphase.conn.fin_active_frame",
    "tcpphase.conn.fin_passive_frame",
    "tcpphase.conn.last_ack_frame",
    "tcpphase.conn.rst_frame",
    "tcpphase.conn.handshake_time",
    "tcpphase.conn.teardown_time",
]
CAPTURE_RE = re.compile(r"\.(pcapng|pcap|cap)(\.(gz|zst|lz4))?$")


class Failure(Exception):
    """A test failed; the message says why."""


def build_dir(arg=None):
    b = arg or os.environ.get("TCPPHASE_BUILD") or "build"
    if not os.path.isabs(b):
        b = os.path.join(ROOT, b)
    return b


def is_capture(path):
    return bool(CAPTURE_RE.search(os.path.basename(path)))


def all_captures():
    if not os.path.isdir(CAPTURES):
        return []
    return sorted(os.path.join(CAPTURES, f) for f in os.listdir(CAPTURES)
                  if is_capture(f) and os.path.isfile(os.path.join(CAPTURES, f)))


def capture_name(path):
    """real-mixed.pcap -> real-mixed; the same rule as tests/CMakeLists.txt."""
    base = os.path.basename(path)
    stem = CAPTURE_RE.sub("", base)
    # Two captures with the same stem (x.pcap, x.pcapng) keep their full names.
    d = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(d):
        same = [f for f in os.listdir(d) if is_capture(f) and CAPTURE_RE.sub("", f) == stem]
        if len(same) > 1:
            return base
    return stem


def resolve_capture(arg):
    """A capture given as a path, a file name in test-captures/, or a name."""
    if os.path.isfile(arg):
        return os.path.abspath(arg)
    p = os.path.join(CAPTURES, arg)
    if os.path.isfile(p):
        return p
    for c in all_captures():
        if capture_name(c) == arg:
            return c
    raise Failure("no such capture: %s (looked in . and %s)" % (arg, CAPTURES))


def tshark(args, build=None, allow_stderr=False):
    """Run tshark with the fresh plugin; return its stdout.

    Raises Failure on a non-zero exit or (unless allow_stderr) on anything
    written to stderr: a clean run prints nothing there."""
    env = dict(os.environ)
    env["TCPPHASE_BUILD"] = build_dir(build)
    cmd = ["bash", TSHARK_AS_USER] + list(args)
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, errors="replace", timeout=600)
    except subprocess.TimeoutExpired:
        raise Failure("tshark took more than 600 s: %s" % " ".join(cmd))
    if p.returncode != 0:
        raise Failure("tshark failed (exit %d)\n  command: %s\n  stderr:\n%s"
                      % (p.returncode, " ".join(cmd), indent(p.stderr or "(empty)")))
    if p.stderr.strip() and not allow_stderr:
        raise Failure("tshark wrote to stderr (a clean run prints nothing there)\n"
                      "  command: %s\n  stderr:\n%s" % (" ".join(cmd), indent(p.stderr)))
    return p.stdout


def indent(text, by="    "):
    return "".join(by + line + "\n" for line in text.rstrip("\n").split("\n"))


def parse_fields(text):
    """tshark -T fields -E header=y output -> (header, [row dict])."""
    lines = text.rstrip("\n").split("\n") if text.strip() else []
    if not lines:
        raise Failure("tshark printed nothing (not even the header line)")
    header = lines[0].split("\t")
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise Failure("line %d has %d columns, the header %d: %r"
                          % (n, len(cells), len(header), line))
        rows.append(dict(zip(header, cells)))
    return header, rows


def main_wrapper(fn):
    """Run fn(); turn Failure into a clear message and exit status 1."""
    try:
        rc = fn()
    except Failure as e:
        sys.stdout.flush()
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(rc or 0)
