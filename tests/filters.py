#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Display-filter checks: a filter on a capture selects exactly these frames.

    filters.py [--build DIR] [--show] [--capture NAME]

Each row of TABLE runs `tshark -n -2 -r CAPTURE -Y FILTER` and compares the
frame numbers it selects with the expected ones.  --show prints what every
filter selects now, next to the expectation, without failing (for review).

The expected frames were written from the packet lists of the captures
(tshark -n -r CAPTURE) and SPEC.md, before test-captures/README.md existed,
by someone who had not run the plugin on them.  A row marked UNREVIEWED has not yet
been checked against RFC 9293 and test-captures/README.md: a failure there
may be the table's fault as much as the plugin's.  When you have checked a
row, change its status to "reviewed".
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

UNREVIEWED = "UNREVIEWED"
REVIEWED = "reviewed"


def r(a, b):
    """Frames a..b inclusive."""
    return list(range(a, b + 1))


# (capture, display filter, expected frame numbers, status, why)
TABLE = [
    # --- self-connect: 127.0.0.1:23010 -> itself; SYN, SYN-ACK, ACK, data, ACK, FIN, ACK.
    ("real-self-connect-v4.pcap", "tcpphase.self_connect", [1, 2, 3], UNREVIEWED,
     "SPEC: the SYN of a self-connect and each later handshake segment"),
    ("real-self-connect-v6.pcap", "tcpphase.self_connect", [1, 2, 3], UNREVIEWED,
     "same over ::1"),
    ("real-self-connect-v4.pcap", 'tcpphase.role == "self"', r(1, 7), UNREVIEWED,
     "every segment of a self-connect is sent by 'self'"),
    ("real-self-connect-v4.pcap", 'tcpphase.conn.open == "self_connect"', r(1, 7), UNREVIEWED,
     "connection-level: every segment"),
    ("real-self-connect-v4.pcap", 'tcpphase.step == "syn_ack"', [2], UNREVIEWED,
     "Wireshark calls it a retransmission; it is the SYN-ACK"),
    # --- three-way open, client closes first: FIN 8, ACK 9, FIN 10, ACK 11.
    ("real-client-close.pcap", 'tcpphase.step == "syn_ack"', [2], UNREVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "handshake_ack"', [3], UNREVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "fin_active"', [8], UNREVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "fin_ack"', [9], UNREVIEWED,
     "acknowledges the first FIN, not the last ACK"),
    ("real-client-close.pcap", 'tcpphase.step == "fin_passive"', [10], UNREVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "last_ack"', [11], UNREVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.conn.close == "four_way"', r(1, 11), UNREVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.conn.open == "three_way"', r(1, 11), UNREVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.role == "client"', [1, 3, 4, 7, 8, 11], UNREVIEWED,
     "segments from port 23031"),
    # --- server closes first: FIN 8 (server), ACK 9, FIN 10 (client), ACK 11.
    ("real-server-close.pcap", 'tcpphase.step == "fin_active" && tcpphase.role == "server"',
     [8], UNREVIEWED, ""),
    ("real-server-close.pcap", 'tcpphase.step == "last_ack"', [11], UNREVIEWED, ""),
    # --- simultaneous open: SYN 1, SYN 2, SYN-ACK 3, SYN-ACK 4, ACK 5, ACK 6.
    ("real-simultaneous-open-clean.pcap", "tcpphase.simultaneous_open", [1, 2, 3, 4], UNREVIEWED,
     "SPEC: each SYN and SYN-ACK of a simultaneous open"),
    ("real-simultaneous-open-clean.pcap", 'tcpphase.conn.open == "simultaneous"', r(1, 14),
     UNREVIEWED, ""),
    ("real-simultaneous-open-clean.pcap", 'tcpphase.role == "peer"', r(1, 14), UNREVIEWED,
     "two-pass: the first SYN is a peer's too"),
    ("real-simultaneous-open-clean.pcap", 'tcpphase.step == "syn_ack"', [3, 4], UNREVIEWED,
     "Wireshark flags both as retransmissions"),
    # --- refused: SYN 1, RST-ACK 2.
    ("real-refused.pcap", "tcpphase.refused", [2], UNREVIEWED, "SPEC: an RST answering a SYN"),
    ("real-refused.pcap", 'tcpphase.step == "rst_refused"', [2], UNREVIEWED, ""),
    ("real-refused.pcap", 'tcpphase.conn.open == "refused"', [1, 2], UNREVIEWED, ""),
    ("real-refused.pcap", 'tcpphase.conn.state == "REJ"', [1, 2], UNREVIEWED,
     "Zeek: SYN answered by RST"),
    # --- half-close: client FIN 6, server keeps sending data 8, 10, 12, FIN 14, ACK 15.
    ("real-half-close.pcap", "tcpphase.half_close", [8], UNREVIEWED,
     "SPEC: only the first data segment after receiving the peer's FIN"),
    ("real-half-close.pcap", 'tcpphase.step == "half_close_data"', [8, 10, 12], UNREVIEWED, ""),
    ("real-half-close.pcap", "tcpphase.data_after_fin", [], UNREVIEWED,
     "the data comes from the side that did NOT send a FIN: legal"),
    # --- abort: RST-ACK 8 in an established connection.
    ("real-abort.pcap", 'tcpphase.step == "rst_abort"', [8], UNREVIEWED, ""),
    ("real-abort.pcap", 'tcpphase.conn.close == "reset"', r(1, 8), UNREVIEWED, ""),
    ("real-abort.pcap", 'tcpphase.phase == "reset"', [8], UNREVIEWED, ""),
    # --- TIME_WAIT reuse: connection 1 closes at 11, same tuple SYN again at 12.
    ("real-time-wait-reuse.pcap", "tcpphase.time_wait_reuse", [12], UNREVIEWED,
     "0.31 s after the last ACK, well inside the default 60 s"),
    ("real-time-wait-reuse.pcap", "tcpphase.conn.id == 2", r(12, 22), UNREVIEWED,
     "a new incarnation on a reused tuple gets a new id"),

    # ---- crafted (scapy, test-captures/make_crafted.py); client 192.0.2.10, server 198.51.100.20
    # data-after-fin: client FIN 8, server ACK 9, client data 10 (after its own FIN).
    ("crafted-data-after-fin.pcap", "tcpphase.data_after_fin", [10], UNREVIEWED,
     "SPEC: data sent after the sender's own FIN"),
    ("crafted-data-after-fin.pcap", 'tcpphase.step == "data_after_fin"', [10], UNREVIEWED, ""),
    # bad-syn-ack: SYN-ACK 2 acks ISN-1000, client RSTs 3; clean retry 4..14.
    ("crafted-bad-syn-ack.pcap", "tcpphase.bad_syn_ack", [2], UNREVIEWED,
     "ack != SYN seq + 1"),
    # unanswered: 1-3 one SYN sent three times, no reply; 4-5 SYN, SYN-ACK, nothing
    # more; 6-9 SYN, SYN-ACK, SYN-ACK again, ACK.
    ("crafted-unanswered.pcap", "tcpphase.syn_unanswered", [1, 2, 3], UNREVIEWED,
     "SPEC says 'a SYN that got no reply': every copy, or only the first? Check."),
    ("crafted-unanswered.pcap", 'tcpphase.conn.open == "unanswered"', [1, 2, 3], UNREVIEWED, ""),
    ("crafted-unanswered.pcap", 'tcpphase.step == "syn_retransmission"', [2, 3], UNREVIEWED,
     "same ISN as frame 1"),
    ("crafted-unanswered.pcap", 'tcpphase.conn.open == "incomplete"', [4, 5], UNREVIEWED, ""),
    ("crafted-unanswered.pcap", 'tcpphase.step == "syn_ack_retransmission"', [8], UNREVIEWED, ""),
    # rst-time-wait: four-way close ends at 11 (client in TIME_WAIT), client
    # repeats its last ACK 12, server RST 13.
    ("crafted-rst-time-wait.pcap", "tcpphase.time_wait_rst", [13], UNREVIEWED,
     "RFC 1337: RST to an endpoint in TIME_WAIT"),
    ("crafted-rst-time-wait.pcap", 'tcpphase.step == "after_close"', [12, 13], UNREVIEWED,
     "SPEC: any segment after the teardown completed"),
    # simultaneous-close: client FIN 8 and server FIN 9 cross; ACKs 10 (of 8), 11 (of 9).
    ("crafted-simultaneous-close.pcap", 'tcpphase.step == "fin_active"', [8], UNREVIEWED,
     "the first FIN of the connection"),
    ("crafted-simultaneous-close.pcap", 'tcpphase.step == "fin_simultaneous"', [9], UNREVIEWED,
     "sent before its sender saw the peer's FIN"),
    ("crafted-simultaneous-close.pcap", 'tcpphase.step == "last_ack"', [11], UNREVIEWED,
     "frame 10 acks the first FIN, 11 the final one"),
    ("crafted-simultaneous-close.pcap", 'tcpphase.conn.close == "simultaneous"', r(1, 11),
     UNREVIEWED, ""),
    # three-way-close: FIN 8, FIN+ACK 9 (first ack of 8), ACK 10.
    ("crafted-three-way-close.pcap", 'tcpphase.conn.close == "three_way"', r(1, 10), UNREVIEWED, ""),
    ("crafted-three-way-close.pcap", 'tcpphase.step == "fin_passive"', [9], UNREVIEWED, ""),
    ("crafted-three-way-close.pcap", 'tcpphase.step == "last_ack"', [10], UNREVIEWED, ""),
    # half-close: client FIN 6, server data 8, 10, 12, server FIN 14, ACK 15.
    ("crafted-half-close.pcap", "tcpphase.half_close", [8], UNREVIEWED, ""),
    ("crafted-half-close.pcap", 'tcpphase.step == "half_close_data"', [8, 10, 12], UNREVIEWED, ""),
    # midstream: two connections whose handshakes are not in the capture.
    ("crafted-midstream.pcap", 'tcpphase.conn.open == "not_seen"', r(1, 15), UNREVIEWED, ""),
    ("crafted-midstream.pcap", 'tcpphase.step == "rst_abort"', [15], UNREVIEWED, ""),
]


def selected_frames(capture, display_filter, build):
    out = tplib.tshark(["-n", "-2", "-r", capture, "-Y", display_filter,
                        "-T", "fields", "-e", "frame.number"], build=build)
    return [int(x) for x in out.split()]


def fmt(frames):
    return "[" + ",".join(str(f) for f in frames) + "]"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build")
    ap.add_argument("--show", action="store_true",
                    help="print what each filter selects; never fail on a mismatch")
    ap.add_argument("--capture", help="only rows of this capture (file name)")
    a = ap.parse_args()

    rows = [row for row in TABLE if not a.capture or row[0] == a.capture]
    if not rows:
        raise Failure("no rows to run")
    failed, unreviewed = [], 0
    for n, (cap, dfilter, expected, status, why) in enumerate(rows, 1):
        path = os.path.join(tplib.CAPTURES, cap)
        tag = "" if status == REVIEWED else " [%s]" % status
        unreviewed += status != REVIEWED
        label = "%s: %s" % (cap, dfilter)
        if not os.path.isfile(path):
            failed.append(label)
            print("FAIL %2d %s%s\n        capture not found: %s" % (n, label, tag, path))
            continue
        try:
            got = selected_frames(path, dfilter, a.build)
        except Failure as e:
            failed.append(label)
            print("FAIL %2d %s%s\n%s" % (n, label, tag, tplib.indent(str(e), "        ")))
            continue
        if got == sorted(expected):
            print("ok   %2d %s -> %s%s" % (n, label, fmt(got), tag))
        else:
            if not a.show:
                failed.append(label)
            print("%s %2d %s%s\n        expected %s\n        selected %s%s"
                  % ("DIFF" if a.show else "FAIL", n, label, tag, fmt(sorted(expected)), fmt(got),
                     ("\n        (" + why + ")") if why else ""))
    print("%d rows, %d failed, %d not yet reviewed against the RFC"
          % (len(rows), len(failed), unreviewed))
    if failed:
        raise Failure("%d display-filter check(s) failed (see above)" % len(failed))
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
