#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Golden-file and one-pass tests of the tcpphase plugin.

    golden.py [--build DIR] check   CAPTURE
    golden.py [--build DIR] update  CAPTURE... | --all
    golden.py [--build DIR] onepass CAPTURE
    golden.py [--build DIR] show    CAPTURE

CAPTURE is a path, a file name in test-captures/, or a capture's name
(real-mixed for test-captures/real-mixed.pcap).

check    runs tshark two-pass (-2) over the capture, printing the tcpphase
         fields of every frame, and compares that with
         tests/golden/<name>.tsv.  Fails with a readable diff on a mismatch,
         and fails when the golden file does not exist.
update   writes tests/golden/<name>.tsv from the current plugin and prints
         the diff against the previous version.  Golden files are the
         expected answers: review every changed line against RFC 9293 and
         docs/fields.md before committing one; never regenerate them blindly.
         Lines starting with '#' are comments (ignored by check); update
         keeps the comment block at the top of the file.
onepass  runs tshark one-pass and two-pass and requires the per-segment
         labels to agree (see ONEPASS_FIELDS).  Connection-level fields,
         the role and the anomalies known only later may differ: one-pass
         tshark shows the values known so far.
show     prints what check would compare, without comparing.

The build folder: --build, else $TCPPHASE_BUILD, else ./build.
"""

import argparse
import difflib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

GOLDEN_DIR = os.path.join(tplib.ROOT, "tests", "golden")

# The columns of a golden file, in order: the per-segment and per-connection
# fields of docs/fields.md but the four packet and byte counters (the link and
# time fields are empty where they do not apply).
GOLDEN_FIELDS = (["frame.number", "tcpphase.conn.id"] + tplib.SEGMENT_FIELDS
                 + [f for f in tplib.CONNECTION_FIELDS if f != "tcpphase.conn.id"])

# What one-pass tshark must label exactly as two-pass tshark does.
ONEPASS_FIELDS = [
    "frame.number",
    "tcpphase.conn.id",
    "tcpphase.phase",
    "tcpphase.step",
    "tcpphase.state.sender",
    "tcpphase.state.receiver",
]
# Compared too, with the exceptions one pass is allowed (docs/fields.md,
# "One pass and two passes"; see onepass()).
ONEPASS_LOOSE_FIELDS = [
    "tcpphase.anomaly",
    "tcpphase.role",
    "tcpphase.conn.syn_frame",
]
# Anomalies that only later segments reveal.
LATE_ANOMALIES = {"syn_unanswered", "half_closed_at_end", "rst_ignored"}

MAX_REPORT_LINES = 60


def tshark_fields(capture, fields, two_pass, build):
    args = ["-n"]
    if two_pass:
        args.append("-2")
    args += ["-r", capture, "-T", "fields", "-E", "header=y", "-E", "separator=/t",
             "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    return tplib.tshark(args, build=build)


def golden_path(capture):
    return os.path.join(GOLDEN_DIR, tplib.capture_name(capture) + ".tsv")


def rel(path):
    return os.path.relpath(path, tplib.ROOT)


def split_golden(text):
    """(leading comment lines, data lines) of a golden file's text."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lead = []
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        lead.append(lines[i])
        i += 1
    data = [line for line in lines[i:] if not line.startswith("#")]
    return lead, data


def field_diff(exp_lines, got_lines):
    """Human-readable per-frame, per-field differences."""
    eh, erows = tplib.parse_fields("\n".join(exp_lines) + "\n")
    gh, grows = tplib.parse_fields("\n".join(got_lines) + "\n")
    out = []
    if eh != gh:
        out.append("columns differ:")
        out.append("  golden: " + " ".join(eh))
        out.append("  now:    " + " ".join(gh))
        return out
    emap = {r["frame.number"]: r for r in erows}
    gmap = {r["frame.number"]: r for r in grows}
    for fr in sorted(set(emap) | set(gmap), key=lambda x: int(x) if x.isdigit() else -1):
        if fr not in gmap:
            out.append("frame %s: in the golden file, not in the output" % fr)
            continue
        if fr not in emap:
            out.append("frame %s: in the output, not in the golden file" % fr)
            continue
        for col in eh:
            if emap[fr][col] != gmap[fr][col]:
                out.append("frame %-5s %-34s golden %-22r now %r"
                           % (fr, col, emap[fr][col], gmap[fr][col]))
    return out


def report(lines, limit=MAX_REPORT_LINES):
    for line in lines[:limit]:
        print("  " + line)
    if len(lines) > limit:
        print("  ... and %d more lines" % (len(lines) - limit))


def cmd_check(capture, build):
    gp = golden_path(capture)
    if not os.path.isfile(gp):
        raise Failure(
            "no golden file %s for %s.\n"
            "  A golden file is the reviewed, expected labelling of a capture; this test\n"
            "  never passes without one.  To create it (needs a build):\n"
            "      python3 tests/golden.py update %s\n"
            "  then review EVERY line against RFC 9293 and docs/fields.md (and the capture's\n"
            "  description in test-captures/README.md) before committing it."
            % (rel(gp), rel(capture), rel(capture)))
    with open(gp, encoding="utf-8") as f:
        _, exp = split_golden(f.read())
    got = tshark_fields(capture, GOLDEN_FIELDS, True, build).rstrip("\n").split("\n")
    if exp == got:
        print("ok: %s matches %s (%d frames)" % (rel(capture), rel(gp), len(got) - 1))
        return 0
    print("MISMATCH: %s differs from %s" % (rel(capture), rel(gp)))
    print("Differences by field:")
    try:
        report(field_diff(exp, got))
    except Failure as e:
        print("  (cannot compare field by field: %s)" % e)
    print("Unified diff (golden -> now):")
    report([line.rstrip("\n") for line in difflib.unified_diff(
        exp, got, rel(gp), "tshark -n -2 (now)", lineterm="", n=1)], limit=120)
    print("If the new output is right (checked against RFC 9293 and docs/fields.md), accept it with:\n"
          "    python3 tests/golden.py update %s\n"
          "and commit the golden file with a message saying why it changed." % rel(capture))
    return 1


def cmd_update(captures, build):
    os.makedirs(GOLDEN_DIR, exist_ok=True)
    changed = 0
    for capture in captures:
        gp = golden_path(capture)
        got = tshark_fields(capture, GOLDEN_FIELDS, True, build).rstrip("\n").split("\n")
        lead, old = [], None
        if os.path.isfile(gp):
            with open(gp, encoding="utf-8") as f:
                text = f.read()
            lead, old = split_golden(text)
            inner = [line for line in text.split("\n")[len(lead):] if line.startswith("#")]
            if inner:
                print("note: %s had %d comment lines below the header; they are dropped"
                      % (rel(gp), len(inner)))
        if old == got:
            print("unchanged: %s" % rel(gp))
            continue
        changed += 1
        if old is None:
            print("NEW: %s (%d frames) - review every line before committing:"
                  % (rel(gp), len(got) - 1))
            for line in got:
                print("  " + line)
        else:
            print("CHANGED: %s - review these differences before committing:" % rel(gp))
            try:
                report(field_diff(old, got), limit=200)
            except Failure as e:
                print("  (cannot compare field by field: %s)" % e)
            for line in difflib.unified_diff(old, got, "old", "new", lineterm="", n=1):
                print("  " + line)
        tmp = gp + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lead + got))
        os.replace(tmp, gp)
    print("%d golden file(s) written. They are not checked by anyone but you: "
          "compare them with RFC 9293 and docs/fields.md, then commit." % changed)
    return 0


def split_anomalies(cell):
    return {a for a in re.split(r"[,\s|;]+", cell) if a}


def cmd_onepass(capture, build):
    fields = ONEPASS_FIELDS + ONEPASS_LOOSE_FIELDS
    _, two = tplib.parse_fields(tshark_fields(capture, fields, True, build))
    _, one = tplib.parse_fields(tshark_fields(capture, fields, False, build))
    if len(one) != len(two):
        raise Failure("one pass printed %d frames, two passes %d" % (len(one), len(two)))
    errors, notes = [], []
    for r1, r2 in zip(one, two):
        fr = r2["frame.number"]
        for col in ONEPASS_FIELDS:
            if r1[col] != r2[col]:
                errors.append("frame %-5s %-26s one-pass %-16r two-pass %r"
                              % (fr, col, r1[col], r2[col]))
        # Anomalies: only the late-known ones may differ, and
        # simultaneous_open only on the connection's first SYN.
        a1, a2 = split_anomalies(r1["tcpphase.anomaly"]), split_anomalies(r2["tcpphase.anomaly"])
        allowed = set(LATE_ANOMALIES)
        if r2["tcpphase.step"] == "syn" and r2["tcpphase.conn.syn_frame"] == fr:
            allowed.add("simultaneous_open")
        bad = (a1 ^ a2) - allowed
        if bad:
            errors.append("frame %-5s %-26s one-pass %-16r two-pass %r (differ in: %s)"
                          % (fr, "tcpphase.anomaly", r1["tcpphase.anomaly"],
                             r2["tcpphase.anomaly"], ", ".join(sorted(bad))))
        elif a1 != a2:
            notes.append("frame %s: anomalies %r one-pass, %r two-pass (allowed: known later)"
                         % (fr, r1["tcpphase.anomaly"], r2["tcpphase.anomaly"]))
        if r1["tcpphase.role"] != r2["tcpphase.role"]:
            notes.append("frame %s: role %r one-pass, %r two-pass (allowed: known later)"
                         % (fr, r1["tcpphase.role"], r2["tcpphase.role"]))
    if notes:
        print("Allowed one-pass/two-pass differences:")
        report(notes)
    if errors:
        print("MISMATCH: one-pass and two-pass labels differ on %s:" % rel(capture))
        report(errors)
        return 1
    print("ok: %s: one-pass labels equal two-pass labels on %d frames (%s)"
          % (rel(capture), len(two), ", ".join(ONEPASS_FIELDS[1:])))
    return 0


def cmd_show(capture, build):
    sys.stdout.write(tshark_fields(capture, GOLDEN_FIELDS, True, build))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--build", help="build folder (default: $TCPPHASE_BUILD or ./build)")
    sub = ap.add_subparsers(dest="cmd")
    for name in ("check", "onepass", "show"):
        sp = sub.add_parser(name)
        sp.add_argument("capture")
    up = sub.add_parser("update")
    up.add_argument("captures", nargs="*")
    up.add_argument("--all", action="store_true", help="every capture in test-captures/")
    a = ap.parse_args()
    if not a.cmd:
        ap.print_help()
        return 2
    if a.cmd == "update":
        if a.all == bool(a.captures):
            raise Failure("update: give capture names or --all (not both, not neither)")
        caps = tplib.all_captures() if a.all else [tplib.resolve_capture(c) for c in a.captures]
        if not caps:
            raise Failure("no captures found in %s" % tplib.CAPTURES)
        return cmd_update(caps, a.build)
    cap = tplib.resolve_capture(a.capture)
    return {"check": cmd_check, "onepass": cmd_onepass, "show": cmd_show}[a.cmd](cap, a.build)


if __name__ == "__main__":
    tplib.main_wrapper(main)
