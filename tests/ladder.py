#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Text ladders of tshark -z tcpphase,ladder against reviewed goldens.

    ladder.py [--build DIR] check   [CAPTURE...]   (default: every golden)
    ladder.py [--build DIR] update  CAPTURE... | --all
    ladder.py [--build DIR] options

check    runs `tshark -n -2 -q -r CAPTURE -z tcpphase,ladder` and compares
         its output with tests/golden/ladder/<name>.txt; every capture in
         test-captures/ must have one.  A mismatch prints a unified diff.
update   writes the golden files and prints what changed.  A ladder golden
         is reviewed like the label goldens (tests/golden/README.md): read
         it against RFC 9293's figures 6-13 before committing it.  The
         labels come from the core, so when the core's labels change, the
         changed states show up here as changed lines of the diff.
options  the options of -z tcpphase,ladder: ascii, full (no folding),
         a display filter choosing connections, and folding of a long
         established run into one line.

Lines of a golden file starting with '#' are comments (review notes).
"""

import argparse
import difflib
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

GOLDEN_DIR = os.path.join(tplib.ROOT, "tests", "golden", "ladder")


def ladder(capture, build, options=""):
    return tplib.tshark(["-n", "-2", "-q", "-r", capture, "-z", "tcpphase,ladder" + options],
                        build)


def golden_path(capture):
    return os.path.join(GOLDEN_DIR, tplib.capture_name(capture) + ".txt")


def split_golden(text):
    lines = text.split("\n")
    comments = [line for line in lines if line.startswith("#")]
    body = "\n".join(line for line in lines if not line.startswith("#"))
    return comments, body


def diff(expected, got, name):
    return "".join(difflib.unified_diff(expected.splitlines(True), got.splitlines(True),
                                        "golden/ladder/" + name, "tshark"))


def cmd_check(captures, build):
    if not captures:
        captures = tplib.all_captures()
    failed = []
    for cap in captures:
        path = golden_path(cap)
        if not os.path.exists(path):
            failed.append("%s: no golden file %s; create it with `ladder.py update %s`, "
                          "then review it" % (tplib.capture_name(cap), path,
                                              tplib.capture_name(cap)))
            continue
        with open(path, encoding="utf-8") as f:
            _, expected = split_golden(f.read())
        got = ladder(cap, build)
        if got != expected:
            failed.append("%s differs:\n%s" % (tplib.capture_name(cap),
                                              diff(expected, got, os.path.basename(path))))
        else:
            print("ok   %s" % tplib.capture_name(cap))
    if failed:
        raise Failure("\n".join(failed))
    return 0


def cmd_update(captures, build):
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    for cap in captures:
        path = golden_path(cap)
        comments, old = [], ""
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                comments, old = split_golden(f.read())
        got = ladder(cap, build)
        with open(path, "w", encoding="utf-8") as f:
            f.write("".join(c + "\n" for c in comments) + got)
        d = diff(old, got, os.path.basename(path))
        print("%s: %s" % (tplib.capture_name(cap), "changed\n" + d if d else "unchanged"))
    return 0


def expect(cond, what, output):
    if not cond:
        raise Failure("%s\n  output:\n%s" % (what, tplib.indent(output)))


def headers(output):
    return re.findall(r"^Connection (\d+): ", output, re.M)


def cmd_options(build):
    cap = tplib.resolve_capture("real-mixed")
    utf8 = ladder(cap, build)
    everything = headers(utf8)
    expect(len(everything) > 3, "real-mixed should draw several connections", utf8)
    expect("▶" in utf8 and "◀" in utf8, "the default draws with box-drawing arrows", utf8)

    ascii_text = ladder(cap, build, ",ascii")
    expect(all(ord(ch) < 128 for ch in ascii_text), "ascii output has a non-ASCII character",
           ascii_text)
    expect(headers(ascii_text) == everything, "ascii draws the same connections", ascii_text)
    expect(re.search(r"--- \[SYN\] Seq=0 Len=0 -+>", ascii_text)
           and re.search(r"<-- \[SYN, ACK\] Seq=0 Ack=1 Len=0 -+", ascii_text),
           "ascii arrows: --- [SYN] ... -> and <-- [SYN, ACK] ...", ascii_text)
    # The same lines, glyph for glyph.
    table = str.maketrans({"─": "-", "▶": ">", "◀": "<", "┐": "+", "┘": "+", "⚠": "!",
                           "┈": "."})
    translated = utf8.replace("⇄", "<->").replace("…", "...").translate(table)
    expect(translated == ascii_text, "ascii is the UTF-8 drawing with ASCII glyphs",
           diff(translated, ascii_text, "utf8-translated"))

    refused = ladder(cap, build, ',tcpphase.conn.open == "refused"')
    chosen = headers(refused)
    expect(chosen and set(chosen) < set(everything),
           "a filter draws some but not all connections", refused)
    expect(all(m == "refused" for m in re.findall(r"\(open: (\w+),", refused)),
           "the filter draws only refused connections", refused)
    both = ladder(cap, build, ',ascii,tcpphase.conn.open == "refused"')
    expect(headers(both) == chosen and all(ord(ch) < 128 for ch in both),
           "options and a filter combine", both)

    # Folding: a connection with a long established run, crafted here.
    with tempfile.TemporaryDirectory() as tmp:
        long_cap = os.path.join(tmp, "long.pcap")
        os.chmod(tmp, 0o755)
        craft_long_connection(long_cap, 200)
        os.chmod(long_cap, 0o644)
        folded = ladder(long_cap, build)
        full = ladder(long_cap, build, ",full")
    m = re.search(r"… ([\d,]+) segments, ([\d.]+ \w+), frames (\d+)-(\d+) …", folded)
    expect(m, "a long established run folds into one line", folded)
    # 200 data segments and their 200 ACKs after the handshake (frames 1-3),
    # then the teardown (4 segments) in full.
    expect(m.group(1) == "400" and m.group(2) == "20.0 kB"
           and m.group(3) == "4" and m.group(4) == "403",
           "the fold counts 400 segments and 20,000 bytes, frames 4-403", folded)
    for step in ("syn", "syn_ack", "handshake_ack", "fin_active", "fin_ack", "fin_passive",
                 "last_ack"):
        expect(re.search(r"\s%s(\s|$)" % step, folded, re.M),
               "handshake and teardown stay in full (%s)" % step, folded)
    arrows = len(re.findall(r"^\s+\d+\s", full, re.M))
    expect(arrows == 407, "full draws every one of the 407 segments (drew %d)" % arrows, full)
    print("ok   options: ascii, filter, fold, full")
    return 0


def craft_long_connection(path, exchanges):
    """Handshake, `exchanges` 100-byte segments each ACKed, four-way close."""
    script = r'''
import sys
from scapy.all import IP, TCP, Raw, wrpcap
c, s = "192.0.2.1", "192.0.2.2"
cp, sp = 40000, 80
ci, si = 1000, 5000
pk = []
def seg(src, dst, sport, dport, flags, seq, ack, data=b""):
    p = IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack)
    if data:
        p = p / Raw(data)
    p.time = 1700000000 + len(pk) * 0.001
    pk.append(p)
seg(c, s, cp, sp, "S", ci, 0)
seg(s, c, sp, cp, "SA", si, ci + 1)
seg(c, s, cp, sp, "A", ci + 1, si + 1)
n = int(sys.argv[2])
for i in range(n):
    seg(c, s, cp, sp, "PA", ci + 1 + 100 * i, si + 1, b"x" * 100)
    seg(s, c, sp, cp, "A", si + 1, ci + 1 + 100 * (i + 1))
end = ci + 1 + 100 * n
seg(c, s, cp, sp, "FA", end, si + 1)
seg(s, c, sp, cp, "A", si + 1, end + 1)
seg(s, c, sp, cp, "FA", si + 1, end + 1)
seg(c, s, cp, sp, "A", end + 1, si + 2)
wrpcap(sys.argv[1], pk)
'''
    subprocess.run(["/usr/bin/python3", "-c", script, path, str(exchanges)], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build")
    ap.add_argument("command", choices=["check", "update", "options"])
    ap.add_argument("captures", nargs="*")
    ap.add_argument("--all", action="store_true")
    a = ap.parse_args()
    caps = [tplib.resolve_capture(c) for c in a.captures]
    if a.command == "check":
        return cmd_check(caps, a.build)
    if a.command == "update":
        if a.all:
            caps = tplib.all_captures()
        if not caps:
            raise Failure("update: name captures or --all")
        return cmd_update(caps, a.build)
    return cmd_options(a.build)


if __name__ == "__main__":
    tplib.main_wrapper(main)
