#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Zeek conformance: tcpphase.conn.state and tcpphase.conn.history against
the conn.log rows Zeek itself wrote for Zeek's own test traces.

    zeek_conformance.py [--build DIR] [--peers DIR] [--list]

The peer data (--peers; not part of the repository) holds Zeek's traces and zeek/expected.tsv, one row per TCP connection
of a Zeek baseline: 5-tuple, conn_state, history, and the Zeek command line
that produced it.  For every row this runs the real tshark with the plugin
just built, two-pass, finds tcpphase's connection by its 5-tuple (in start
order where several share one tuple), and compares conn_state and history
exactly.  It prints the agreement, every disagreement, and fails below
97% agreement on conn_state or 90% on history or when a differing row
is not explained in docs/zeek-differences.md (its table row "| N |").

Rows that cannot be compared are counted apart, each with its reason:
a `-` (the baseline does not print that value), a value in parentheses
(derived by hand from endpoint states, not Zeek output), or a Zeek
configuration tcpphase does not model (an inactivity timeout forced by
max_timer_expires=0; the same trace's default-configuration row is
compared; or checksum validation, see below).  A trace that Zeek's suite ran both validating checksums and ignoring them
is compared with the run ignoring them, as Wireshark does; rows of traces
run only with validation are compared as they are.

Also asserted, from the Suricata peer tests (suricata/ in the peer data):
  - tcp-split-handshake-01-4whs and -02-5whs, both SYNs crossing one way
    or another, are conn.open == "simultaneous";
  - a few flows whose Suricata expectation is a clear open/close verdict
    (SURICATA_FLOWS);
  - decode-teredo-01/input.pcap is byte-identical to Zeek's Teredo.pcap,
    so its connections are compared with Zeek's baseline
    core.tunnels.teredo/conn.log as further conn_state/history rows.

Without the peer data the check prints one "skipped" line and exits 77
(ctest's SKIP_RETURN_CODE).
"""

import argparse
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

SKIP = 77
TARGET_STATE = 0.97
TARGET_HISTORY = 0.90

FIELDS = [
    "frame.protocols",
    "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport",
    "tcpphase.conn.id",
    "tcpphase.conn.open",
    "tcpphase.conn.state",
    "tcpphase.conn.history",
]

# Suricata peer tests (suricata/SUMMARY.md) whose expectations translate
# into tcpphase's connection verdicts: (pcap, [(conn.open, conn.close) of
# each connection in order], no anomaly expected at all?, why).
SURICATA_FLOWS = [
    ("tcp-split-handshake-01-4whs/split-handshake-4whs.pcap",
     [("simultaneous", "reset")], False,
     "the two SYNs cross (4-way handshake); Suricata accepts the session"),
    ("tcp-split-handshake-02-5whs/split-handshake-5whs.pcap",
     [("simultaneous", "reset")], False,
     "the server ACKs the SYN, then sends its own SYN (split handshake)"),
    ("bug-6733-syn-packet-flow-output/input.pcap",
     [("unanswered", "open")], False,
     "a single SYN (Suricata: tcp.state syn_sent)"),
    ("bug-3844/input.pcap",
     [("refused", "reset"), ("three_way", "reset")], False,
     "a refused SYN, then a new SYN on the tuple starts a usable session"),
    ("bug-4376/syn_retransmit_with_ts.pcap",
     [("three_way", "three_way")], True,
     "a retransmitted SYN does not break the session (Suricata: tcp.state closed)"),
    ("bug-5881-01/input.pcap",
     [("three_way", "open")], True,
     "SYN and SYN-ACK repeated with the same sequence numbers: no anomaly"),
    ("bug-814/input.pcap",
     [("three_way", "half_closed")], False,
     "the client closes, the server never does (Suricata: tcp.state close_wait)"),
    ("bug-4702-01/input.pcap",
     [("three_way", "reset")], True,
     "the client's RST ends the session (Suricata: tcp.state closed)"),
]
DIFFERENCES_DOC = os.path.join(tplib.ROOT, "docs", "zeek-differences.md")
TEREDO_PCAP = "decode-teredo-01/input.pcap"
TEREDO_BASELINE = "btest/Baseline/core.tunnels.teredo/conn.log"


def checksums_ignored(notes):
    command = notes.split(";")[0]
    return " -C" in " " + command or "ignore_checksums_nets" in notes


def zeek_config(row, rows):
    """None if tcpphase's reading of the trace corresponds to the Zeek run
    of this row; else why the row is not compared.

    tshark reads every segment as captured: no checksum validation (Zeek's
    -C), no timeouts.  A trace that Zeek's suite ran twice, once like that
    and once otherwise, is compared with the run like that."""
    notes = row["notes"]
    if "max_timer_expires=0" in notes:
        return ("Zeek run with an inactivity timeout forced by max_timer_expires=0; "
                "the same trace's default run is compared")
    if not checksums_ignored(notes) and any(
            r["pcap"] == row["pcap"] and checksums_ignored(r["notes"]) for r in rows):
        return ("Zeek run validating checksums (bad ones dropped); the same trace's "
                "run ignoring them, as Wireshark does, is compared")
    return None


def pick(values, index):
    vs = values.split(",") if values else []
    return vs[index] if vs else ""


def endpoints(row):
    """The frame's innermost (address, port) pair of the TCP segment."""
    protos = row["frame.protocols"].split(":")
    if "tcp" not in protos:
        return None
    below = protos[:protos.index("tcp")]
    fam = next((p for p in reversed(below) if p in ("ip", "ipv6")), None)
    if fam is None:
        # Wireshark 4.6 dissects IP under MPLS but leaves it out of
        # frame.protocols ("...:mpls:tcp"): take the family with addresses.
        fam = "ip" if row["ip.src"] else "ipv6" if row["ipv6.src"] else None
    if fam is None:
        return None
    src = pick(row[fam + ".src"], -1)
    dst = pick(row[fam + ".dst"], -1)
    return (src, pick(row["tcp.srcport"], 0)), (dst, pick(row["tcp.dstport"], 0))


def tuple_key(a, b):
    return tuple(sorted([a, b]))


def tcpphase_connections(pcap, options, build):
    """{unordered tuple: [Zeek connection dict, in start order]}.

    One tcpphase connection can hold several of Zeek's (Zeek drops a
    connection 5 s after a close or reset and starts another on the same
    tuple); every frame shows the verdict of the Zeek connection it was in,
    and those come in order, so a change of verdict within one tcpphase
    connection starts the next Zeek connection.  (Two consecutive Zeek
    connections with the very same verdict would be counted as one.)"""
    args = ["-n", "-2", "-r", pcap] + list(options) + [
        "-T", "fields", "-E", "header=y", "-E", "separator=/t",
        "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        args += ["-e", f]
    _, rows = tplib.parse_fields(tplib.tshark(args, build=build))
    parts = {}          # conn id -> [Zeek connection dict]
    for row in rows:
        cid = row["tcpphase.conn.id"]
        if not cid:
            continue
        eps = endpoints(row)
        if eps is None:
            continue
        verdict = (row["tcpphase.conn.state"], row["tcpphase.conn.history"])
        mine = parts.setdefault(int(cid), [])
        if not mine or (mine[-1]["state"], mine[-1]["history"]) != verdict:
            mine.append({
                "id": "%s.%d" % (cid, len(mine)),
                "key": tuple_key(*eps),
                "open": row["tcpphase.conn.open"],
                "state": verdict[0],
                "history": verdict[1],
            })
    by_tuple = collections.defaultdict(list)
    for cid in sorted(parts):
        for c in parts[cid]:
            by_tuple[c["key"]].append(c)
    return by_tuple


def normal_addr(a):
    """Zeek prints IPv6 compressed as Python's ipaddress does; tshark too,
    but be sure (e.g. 5678:: vs 5678:0::)."""
    import ipaddress
    try:
        return str(ipaddress.ip_address(a))
    except ValueError:
        return a


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    header = lines[0].split("\t")
    return [dict(zip(header, l.split("\t"))) for l in lines[1:]]


def read_conn_log(path):
    """A Zeek ASCII log -> [row dict]."""
    fields = None
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#fields"):
                fields = line.split("\t")[1:]
            elif line and not line.startswith("#") and fields:
                rows.append(dict(zip(fields, line.split("\t"))))
    return rows


class Tally:
    def __init__(self):
        self.state = [0, 0]      # agree, compared
        self.history = [0, 0]
        self.disagree = []
        self.apart = []          # (label, field, reason)
        self.doc_keys = set()    # how docs/zeek-differences.md names each differing row

    def compare(self, label, field, want, got, counter, doc_key):
        counter[1] += 1
        if want == got:
            counter[0] += 1
        else:
            self.disagree.append("%s: %s Zeek %s, tcpphase %s" % (label, field, want, got or "(none)"))
            self.doc_keys.add(doc_key)


def expected_rows(peers):
    """Rows of expected.tsv, plus the Teredo rows (same pcap under suricata/)."""
    zeek = os.path.join(peers, "zeek")
    out = []
    for n, r in enumerate(read_tsv(os.path.join(zeek, "expected.tsv")), start=2):
        out.append({
            "label": "expected.tsv:%d %s %s:%s > %s:%s" % (n, r["trace"], r["orig_h"], r["orig_p"],
                                                          r["resp_h"], r["resp_p"]),
            "pcap": os.path.join(zeek, r["trace"]),
            "notes": r["notes"],
            "orig": (normal_addr(r["orig_h"]), r["orig_p"]),
            "resp": (normal_addr(r["resp_h"]), r["resp_p"]),
            "state": r["conn_state"],
            "history": r["history"],
            "doc_key": "| %d |" % n,
        })
    teredo = os.path.join(peers, "suricata", TEREDO_PCAP)
    log = os.path.join(zeek, TEREDO_BASELINE)
    if os.path.isfile(teredo) and os.path.isfile(log):
        for r in read_conn_log(log):
            if r.get("proto") != "tcp":
                continue
            out.append({
                "label": "teredo %s:%s > %s:%s" % (r["id.orig_h"], r["id.orig_p"],
                                                  r["id.resp_h"], r["id.resp_p"]),
                "pcap": teredo,
                "notes": "zeek -b (core.tunnels.teredo)",
                # Wireshark's Teredo heuristic is off by default.
                "tshark": ("--enable-heuristic", "teredo_udp"),
                "orig": (normal_addr(r["id.orig_h"]), r["id.orig_p"]),
                "resp": (normal_addr(r["id.resp_h"]), r["id.resp_p"]),
                "state": r["conn_state"],
                "history": r["history"],
                "doc_key": "%s:%s" % (r["id.orig_h"], r["id.orig_p"]),
            })
    return out


def comparable(value):
    """None if the expected value can be compared; else why not."""
    if value == "-":
        return "not in the baseline"
    if value.startswith("("):
        return "derived by hand from endpoint states, not Zeek output"
    return None


def check_zeek(peers, build, tally, show_all):
    rows = expected_rows(peers)
    runs = {}          # (pcap, options) -> {tuple: [conn]}
    taken = collections.Counter()
    for r in rows:
        reason = zeek_config(r, rows)
        options = r.get("tshark", ())
        if reason:
            tally.apart.append((r["label"], "conn_state/history", reason))
            continue
        run = (r["pcap"], options)
        if run not in runs:
            runs[run] = tcpphase_connections(r["pcap"], options, build)
        key = tuple_key(r["orig"], r["resp"])
        conns = runs[run].get(key, [])
        k = (run, key)
        conn = conns[taken[k]] if taken[k] < len(conns) else None
        taken[k] += 1
        got_state = conn["state"] if conn else None
        got_history = conn["history"] if conn else None
        for field, want, got, counter in (("conn_state", r["state"], got_state, tally.state),
                                          ("history", r["history"], got_history, tally.history)):
            why = comparable(want)
            if why:
                tally.apart.append((r["label"], field, "%s (%s; tcpphase %s)" % (why, want, got)))
            else:
                tally.compare(r["label"], field, want, got, counter, r["doc_key"])
        if show_all:
            print("  %-80s Zeek %-6s %-14s tcpphase %-6s %s" % (r["label"], r["state"], r["history"],
                                                                 got_state, got_history))
    # Connections tcpphase found that Zeek's rows do not account for.
    for (pcap, options), by_tuple in runs.items():
        for key, conns in by_tuple.items():
            n = taken[((pcap, options), key)]
            if 0 < n < len(conns):
                for c in conns[n:]:
                    tally.disagree.append("%s: tcpphase has an extra connection %s on %s (%s %s)"
                                          % (os.path.relpath(pcap, peers), c["id"], key,
                                             c["state"], c["history"]))


def check_suricata(peers, build):
    """The SURICATA_FLOWS assertions; returns the failures."""
    failures = []
    for rel, want, no_anomaly, why in SURICATA_FLOWS:
        pcap = os.path.join(peers, "suricata", rel)
        if not os.path.isfile(pcap):
            failures.append("suricata/%s: missing" % rel)
            continue
        args = ["-n", "-2", "-r", pcap, "-T", "fields", "-E", "header=y", "-E", "separator=/t",
                "-E", "occurrence=a", "-E", "aggregator=,",
                "-e", "tcpphase.conn.id", "-e", "tcpphase.conn.open", "-e", "tcpphase.conn.close",
                "-e", "tcpphase.anomaly"]
        _, rows = tplib.parse_fields(tplib.tshark(args, build=build))
        conns = {}
        anomalies = set()
        for row in rows:
            if row["tcpphase.conn.id"]:
                conns[int(row["tcpphase.conn.id"])] = (row["tcpphase.conn.open"],
                                                       row["tcpphase.conn.close"])
            anomalies.update(a for a in row["tcpphase.anomaly"].split(",") if a)
        got = [conns[i] for i in sorted(conns)]
        ok = got == want and not (no_anomaly and anomalies)
        print("suricata %s: %s%s%s" % (
            rel, " ".join("%s/%s" % g for g in got) or "(no connection)",
            " anomalies " + ",".join(sorted(anomalies)) if anomalies else "",
            "" if ok else "  <-- expected %s%s" % (" ".join("%s/%s" % w for w in want),
                                                  ", no anomaly" if no_anomaly else "")))
        if not ok:
            failures.append("suricata/%s (%s): open/close %s, expected %s%s"
                            % (rel, why, got, want,
                               "; anomalies %s, expected none" % sorted(anomalies)
                               if no_anomaly and anomalies else ""))
    return failures


def percent(c):
    return 100.0 * c[0] / c[1] if c[1] else 0.0


def run(args):
    peers = args.peers or os.path.join(os.path.dirname(tplib.ROOT), "shared", "peers")
    if not os.path.isfile(os.path.join(peers, "zeek", "expected.tsv")):
        print("skipped: ../shared/peers not found (looked for %s)"
              % os.path.join(peers, "zeek", "expected.tsv"))
        write_summary(args.build, "zeek conformance: skipped: ../shared/peers not found")
        return SKIP
    tally = Tally()
    check_zeek(peers, args.build, tally, args.list)
    print("conn_state %d/%d (%.1f%%), history %d/%d (%.1f%%)"
          % (tally.state[0], tally.state[1], percent(tally.state),
             tally.history[0], tally.history[1], percent(tally.history)))
    print("disagreements (%d, each explained in docs/zeek-differences.md):" % len(tally.disagree))
    for d in tally.disagree:
        print("  " + d)
    print("not compared (%d):" % len(tally.apart))
    for label, field, reason in tally.apart:
        print("  %s: %s %s" % (label, field, reason))
    failures = check_suricata(peers, args.build)
    with open(DIFFERENCES_DOC, encoding="utf-8") as f:
        doc = f.read()
    unexplained = sorted(k for k in tally.doc_keys if k not in doc)
    if unexplained:
        failures.append("differences not explained in %s: %s"
                        % (os.path.relpath(DIFFERENCES_DOC, tplib.ROOT), ", ".join(unexplained)))
    if percent(tally.state) < 100 * TARGET_STATE:
        failures.append("conn_state agreement %.1f%% is below %.0f%%"
                        % (percent(tally.state), 100 * TARGET_STATE))
    if percent(tally.history) < 100 * TARGET_HISTORY:
        failures.append("history agreement %.1f%% is below %.0f%%"
                        % (percent(tally.history), 100 * TARGET_HISTORY))
    write_summary(args.build, "zeek conformance: conn_state %d/%d (%.1f%%), history %d/%d (%.1f%%)"
                  "%s; details: ctest -R zeek-conformance -V"
                  % (tally.state[0], tally.state[1], percent(tally.state),
                     tally.history[0], tally.history[1], percent(tally.history),
                     "" if not failures else " -- FAILED"))
    if failures:
        raise Failure("\n  ".join(failures))
    print("ok")
    return 0


def write_summary(build, line):
    """Leave the figures where scripts/test.sh prints them after ctest
    (ctest hides the output of a passing test)."""
    d = os.path.join(tplib.build_dir(build), "summaries")
    try:
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "zeek-conformance.txt"), "w", encoding="utf-8") as f:
            f.write(line + "\n")
    except OSError as e:
        print("note: could not write the summary for scripts/test.sh: %s" % e)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", help="build folder (default: $TCPPHASE_BUILD or ./build)")
    ap.add_argument("--peers", help="peer data (default: ../shared/peers beside the repository)")
    ap.add_argument("--list", action="store_true", help="print every compared row")
    args = ap.parse_args()
    tplib.main_wrapper(lambda: run(args))


if __name__ == "__main__":
    main()
