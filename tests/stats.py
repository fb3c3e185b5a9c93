#!/usr/bin/env python3
# The "tcpphase" statistics tree, through real tshark -q -z tcpphase,tree.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks `tshark -q -z tcpphase,tree` in one pass and with -2.

1. Hand-counted captures: every node of the tree equals the number written
   below, each justified from the capture's frames (test-captures/README.md
   and tests/golden/<capture>.tsv show them).  A node not listed must be 0.
2. Every capture in test-captures/: the tree equals what its reviewed golden
   file says (connections counted by conn.id under their final open, close
   and conn_state; expert items counted per frame).

One-pass tshark sees a connection's verdicts change as it goes on (a SYN is
"unanswered" until the SYN-ACK comes); the tree must end up with the final
verdicts all the same, which is what the one-pass runs check.

    python3 tests/stats.py [--build DIR] [CAPTURE...]
"""

import argparse
import collections
import csv
import os
import re
import sys

import tplib

GOLDEN_DIR = os.path.join(tplib.ROOT, "tests", "golden")

# Node names of the tree (plugin/tcpphase-stats.c) -> short keys.
SECTIONS = [
    ("Connections by open kind", "open"),
    ("Connections by close kind", "close"),
    ("Connections by Zeek conn_state", "zeek"),
    ("Expert items", "items"),
    ("Connections", "connections"),
]

# Every value each section must list, zeros included (docs/statistics.md).
OPEN_KINDS = ["three_way", "simultaneous", "self_connect", "refused", "unanswered",
              "incomplete", "not_seen"]
CLOSE_KINDS = ["four_way", "three_way", "simultaneous", "self", "half_closed", "reset",
               "open", "incomplete"]
ZEEK_STATES = ["S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR", "RSTOS0", "RSTRH",
               "SH", "SHR", "OTH"]
ITEMS = ["simultaneous_open", "self_connect", "half_close", "data_after_fin",
         "half_closed_at_end", "refused", "syn_unanswered", "time_wait_reuse",
         "time_wait_rst", "bad_syn_ack", "fin_without_ack", "rst_ignored"]

# Hand-counted expectations.  Keys: "connections", "open:KIND", "close:KIND",
# "zeek:STATE", "items:tcpphase.NAME"; the section totals ("open", "close",
# "zeek", "items") are checked too.  "zeek_from_golden": connection ids whose
# conn_state is taken from the golden file instead (where Zeek's answer is
# not obvious from the frames; docs/zeek-differences.md).
HAND_COUNTED = {
    # real-mixed.pcap (test-captures/README.md, "real-mixed.pcap"): three connections made
    # by the test-capture generator, but the simultaneous open's first two
    # attempts were refused, so five incarnations in all.
    "real-mixed": {
        # conn 1: frames 1-7, 23090 -> 23090; conn 2: SYN 8 + RST 9;
        # conn 3: SYN 10 + RST 11; conn 4: frames 12-25, 23091 <-> 23092;
        # conn 5: frames 26-36, 23094 -> 23093.
        "connections": 5,
        # conn 1 sends SYN (1) and SYN-ACK (2) to itself.
        "open:self_connect": 1,
        # conns 2 and 3: a SYN each, answered by RST,ACK (frames 9, 11).
        "open:refused": 2,
        # conn 4: SYNs 12 and 13 cross, then two SYN-ACKs (14, 15).
        "open:simultaneous": 1,
        # conn 5: SYN 26, SYN-ACK 27, ACK 28.
        "open:three_way": 1,
        # conn 1: Linux closes a self-connect with FIN (6) and ACK (7).
        "close:self": 1,
        # conns 2 and 3 end with their RSTs.
        "close:reset": 2,
        # conn 4: FIN 22, ACK 23, FIN 24, ACK 25; conn 5: FIN 33, ACK 34,
        # FIN 35, ACK 36 (Linux's delayed ACK keeps them four-way).
        "close:four_way": 2,
        # conns 2 and 3: SYN answered by RST: Zeek's REJ.
        "zeek:REJ": 2,
        # conns 4 and 5: both sides' FINs seen: SF.
        "zeek:SF": 2,
        # conn 1: whatever its reviewed golden says (Zeek's view of a
        # self-connect is not obvious from the frames).
        "zeek_from_golden": ["1"],
        # Both SYNs (12, 13) and both SYN-ACKs (14, 15) of conn 4.
        "items:tcpphase.simultaneous_open": 4,
        # The self-connect's SYN (1) and its later handshake segment, the
        # SYN-ACK (2); the ACK (3) already finds it established.
        "items:tcpphase.self_connect": 2,
        # The two RSTs answering SYNs (9, 11).
        "items:tcpphase.refused": 2,
        # 4 + 2 + 2
        "items": 8,
    },
    # crafted-unanswered.pcap: three handshakes that never finish or barely
    # do.  In one pass conn 2 and 3 are "unanswered" after their SYN, then
    # move on; the tree must count them under their final kind.
    "crafted-unanswered": {
        "connections": 3,
        # conn 1: SYN (1) and two retransmissions (2, 3), no reply.
        "open:unanswered": 1,
        # conn 2: SYN (4), SYN-ACK (5), no ACK.
        "open:incomplete": 1,
        # conn 3: SYN (6), SYN-ACK (7) and its retransmission (8), ACK (9).
        "open:three_way": 1,
        # No FIN or RST anywhere.
        "close:open": 3,
        # conn 1: the originator's SYNs only: S0.  conn 3: established,
        # never closed: S1.  conn 2 (SYN, SYN-ACK, nothing more): from its
        # golden file.
        "zeek:S0": 1,
        "zeek:S1": 1,
        "zeek_from_golden": ["2"],
        # Each of conn 1's three SYNs (1, 2, 3) is a SYN that got no reply
        # (a late fact: one-pass tshark learns it only at the end).
        "items:tcpphase.syn_unanswered": 3,
        "items": 3,
    },
    # crafted-unfinished-closes.pcap: two closes the capture cuts short.
    "crafted-unfinished-closes": {
        "connections": 2,
        # Both: SYN, SYN-ACK, ACK (1-3 and 10-12).
        "open:three_way": 2,
        # conn 1: FIN (8) acknowledged (9), the peer never sends its FIN.
        "close:half_closed": 1,
        # conn 2: FIN (17), ACK (18), FIN (19), the last ACK never comes.
        "close:incomplete": 1,
        # conn 1: the originator closed, the responder did not: S2.
        # conn 2: both FINs seen: SF.
        "zeek:S2": 1,
        "zeek:SF": 1,
        # conn 1's FIN (8): the peer never closed (a late fact).
        "items:tcpphase.half_closed_at_end": 1,
        "items": 1,
    },
}


# A tree with a display filter counts only the matching segments:
# real-mixed.pcap's self-connect uses port 23090 and nothing else does.
FILTERED = ("real-mixed", "tcp.port == 23090", {
    "connections": 1, "open": 1, "close": 1, "zeek": 1,
    "open:self_connect": 1,             # frames 1-7 only
    "close:self": 1,                    # FIN (6), ACK (7)
    "zeek_from_golden": ["1"],
    "items:tcpphase.self_connect": 2,   # SYN (1), SYN-ACK (2)
    "items": 2,
})


def parse_tree(text):
    """tshark's stats-tree table -> {key: count}."""
    out = {}
    section = None
    in_table = False
    for line in text.split("\n"):
        if line.startswith("-----"):
            in_table = not in_table
            continue
        if not in_table or not line.strip():
            continue
        m = re.match(r"^( *)(\S(?:.*?\S)?)\s{2,}(-?\d+)(\s|$)", line)
        if not m:
            raise tplib.Failure("cannot read this line of the tree: %r" % line)
        name, count = m.group(2), int(m.group(3))
        key = next((short for prefix, short in SECTIONS if name.startswith(prefix)), None)
        if key:
            section = None if key == "connections" else key
            out[key] = count
            continue
        if section is None:
            raise tplib.Failure("tree row outside any section: %r" % line)
        k = "%s:%s" % (section, name)
        if k in out:
            raise tplib.Failure("tree lists %s twice" % k)
        out[k] = count
    if not out:
        raise tplib.Failure("tshark printed no tcpphase tree:\n%s" % tplib.indent(text))
    return out


def all_keys():
    keys = ["connections", "open", "close", "zeek", "items"]
    keys += ["open:" + k for k in OPEN_KINDS] + ["close:" + k for k in CLOSE_KINDS]
    keys += ["zeek:" + k for k in ZEEK_STATES] + ["items:tcpphase." + k for k in ITEMS]
    return keys


def from_golden(cap):
    """The tree the reviewed golden file implies."""
    path = os.path.join(GOLDEN_DIR, tplib.capture_name(cap) + ".tsv")
    if not os.path.isfile(path):
        raise tplib.Failure("no golden file %s" % path)
    conns = {}
    items = collections.Counter()
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            cid = row["tcpphase.conn.id"]
            if not cid:
                continue
            conns[cid] = (row["tcpphase.conn.open"], row["tcpphase.conn.close"],
                          row["tcpphase.conn.state"])
            for a in filter(None, row["tcpphase.anomaly"].split(",")):
                items["items:tcpphase." + a] += 1
    want = {k: 0 for k in all_keys()}
    want["_conns"] = conns
    n = len(conns)
    want.update({"connections": n, "open": n, "close": n, "zeek": n})
    for o, c, z in conns.values():
        want["open:" + o] = want.get("open:" + o, 0) + 1
        want["close:" + c] = want.get("close:" + c, 0) + 1
        want["zeek:" + z] = want.get("zeek:" + z, 0) + 1
    for k, v in items.items():
        want[k] = v
    want["items"] = sum(items.values())
    return want


def hand_counted(name, cap, spec=None):
    spec = spec or HAND_COUNTED[name]
    golden = from_golden(cap)
    want = {k: 0 for k in all_keys()}
    for k, v in spec.items():
        if k != "zeek_from_golden":
            want[k] = v
    for section in ("open", "close", "zeek"):
        want[section] = spec["connections"]
    for cid in spec.get("zeek_from_golden", []):
        want["zeek:" + golden["_conns"][cid][2]] += 1
    return want


def compare(what, got, want):
    bad = []
    want = {k: v for k, v in want.items() if not k.startswith("_")}
    for k in sorted(set(got) | set(want)):
        if got.get(k) != want.get(k):
            bad.append("  %-40s tree %s, expected %s" % (k, got.get(k, "(absent)"),
                                                        want.get(k, "(absent)")))
    if bad:
        return ["%s:" % what] + bad
    return []


def run_tree(cap, two_pass, build, dfilter=None):
    tree = "tcpphase,tree" + ("," + dfilter if dfilter else "")
    args = ["-n", "-q"] + (["-2"] if two_pass else []) + ["-r", cap, "-z", tree]
    return parse_tree(tplib.tshark(args, build=build))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build")
    ap.add_argument("captures", nargs="*")
    opts = ap.parse_args()
    caps = [tplib.resolve_capture(c) for c in opts.captures] or tplib.all_captures()
    if not caps:
        raise tplib.Failure("no captures in %s" % tplib.CAPTURES)

    problems = []
    hand = 0
    for cap in caps:
        name = tplib.capture_name(cap)
        golden = from_golden(cap)
        before = len(problems)
        for two_pass in (False, True):
            label = "%s (%s)" % (name, "tshark -2" if two_pass else "one pass")
            got = run_tree(cap, two_pass, opts.build)
            problems += compare(label + " vs its golden file", got, golden)
            if name in HAND_COUNTED:
                problems += compare(label + " vs the hand count", got, hand_counted(name, cap))
                hand += 1
        print("%-4s %-36s %d connections, %d expert items"
              % ("ok" if len(problems) == before else "FAIL", name,
                 golden["connections"], golden["items"]))
    name, dfilter, spec = FILTERED
    cap = tplib.resolve_capture(name)
    if cap in caps:
        for two_pass in (False, True):
            got = run_tree(cap, two_pass, opts.build, dfilter)
            problems += compare("%s, tcpphase,tree,%s (%s)" % (name, dfilter,
                                "tshark -2" if two_pass else "one pass"),
                                got, hand_counted(name, cap, spec))
        print("%-4s %s with the filter %s" % ("ok" if not problems else "?", name, dfilter))
    if not opts.captures:
        missing = set(HAND_COUNTED) - {tplib.capture_name(c) for c in caps}
        if missing:
            problems.append("hand-counted captures missing: %s" % ", ".join(sorted(missing)))
    if problems:
        raise tplib.Failure("the tcpphase tree is wrong:\n" + "\n".join(problems))
    print("stats tree: %d captures x (one pass, -2) match their goldens; %d hand-counted runs match"
          % (len(caps), hand))
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
