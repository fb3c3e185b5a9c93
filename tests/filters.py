#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Display-filter checks: a filter on a capture selects exactly these frames.

    filters.py [--build DIR] [--show] [--capture NAME]

Each row of TABLE runs `tshark -n -2 -r CAPTURE -Y FILTER` and compares the
frame numbers it selects with the expected ones.  --show prints what every
filter selects now, next to the expectation, without failing (for review).

The expected frames come from test-captures/README.md (what a correct
labeller should say about every frame, written from the field definitions
of docs/fields.md before any golden file existed) and the packet lists
(tshark -n -r CAPTURE).  A row marked UNREVIEWED has not yet been checked against RFC 9293 and test-captures/README.md: a failure there
may be the table's fault as much as the plugin's.  When you have checked a
row, change its status to "reviewed".
"""

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

UNREVIEWED = "UNREVIEWED"
REVIEWED = "reviewed"


def r(a, b):
    """Frames a..b inclusive."""
    return list(range(a, b + 1))


# (capture, display filter, expected frame numbers, status, why)
# Expected frames follow test-captures/README.md (its per-frame tables); "[review]"
# marks a place where that README itself says the field definitions leave room.
TABLE = [
    # ---- real-self-connect-v4/v6: SYN 1, SYN-ACK 2, ACK 3, data 4, ACK 5, FIN 6, ACK 7.
    ("real-self-connect-v4.pcap", "tcpphase.self_connect", [1, 2], REVIEWED,
     "docs/fields.md: the SYN of a self-connect and each later handshake segment"),
    ("real-self-connect-v6.pcap", "tcpphase.self_connect", [1, 2], REVIEWED,
     "same over ::1"),
    ("real-self-connect-v4.pcap", 'tcpphase.role == "self"', r(1, 7), REVIEWED,
     "role self on every frame"),
    ("real-self-connect-v4.pcap", 'tcpphase.conn.open == "self_connect"', r(1, 7), REVIEWED, ""),
    ("real-self-connect-v4.pcap", 'tcpphase.conn.close == "self"', r(1, 7), REVIEWED,
     "Linux closes a self-connect with FIN, ACK"),
    ("real-self-connect-v4.pcap", 'tcpphase.step == "syn_ack"', [2], REVIEWED,
     "Wireshark calls it a retransmission"),
    ("real-self-connect-v4.pcap", 'tcpphase.step == "handshake_ack"', [], REVIEWED,
     "one rule with the simultaneous open (RFC 9293 fig. 8): the handshake ends at the SYN-ACK"),
    ("real-self-connect-v4.pcap", 'tcpphase.conn.handshake_ack_frame == 2', r(1, 7), REVIEWED, ""),
    ("real-self-connect-v4.pcap", 'tcpphase.step == "last_ack"', [7], REVIEWED, ""),
    # ---- real-client-close: standard handshake, exchange, four-way close by the client 8-11.
    ("real-client-close.pcap", 'tcpphase.step == "syn_ack"', [2], REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "handshake_ack"', [3], REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "fin_active"', [8], REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "fin_ack"', [9], REVIEWED,
     "acknowledges the first FIN"),
    ("real-client-close.pcap", 'tcpphase.step == "fin_passive"', [10], REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.step == "last_ack"', [11], REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.conn.close == "four_way"', r(1, 11), REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.conn.open == "three_way"', r(1, 11), REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.conn.state == "SF"', r(1, 11), REVIEWED, ""),
    ("real-client-close.pcap", 'tcpphase.role == "client"', [1, 3, 4, 7, 8, 11], REVIEWED,
     "segments from port 23031"),
    # ---- real-server-close: four-way close by the server 8-11.
    ("real-server-close.pcap", 'tcpphase.step == "fin_active" && tcpphase.role == "server"',
     [8], REVIEWED, ""),
    ("real-server-close.pcap", 'tcpphase.step == "last_ack" && tcpphase.role == "server"',
     [11], REVIEWED, ""),
    # ---- real-simultaneous-open: refused 1-2 and 3-4, then the simultaneous open 5-18.
    ("real-simultaneous-open.pcap", "tcpphase.refused", [2, 4], REVIEWED, ""),
    ("real-simultaneous-open.pcap", "tcpphase.simultaneous_open", [5, 6, 7, 8], REVIEWED, ""),
    ("real-simultaneous-open.pcap", "tcpphase.conn.id == 3", r(5, 18), REVIEWED,
     "one 4-tuple, three connections"),
    ("real-simultaneous-open.pcap", 'tcpphase.step == "syn_ack"', [7, 8], REVIEWED,
     "Wireshark flags both as retransmissions"),
    # ---- real-simultaneous-open-clean = frames 5-18 of the above.
    ("real-simultaneous-open-clean.pcap", "tcpphase.simultaneous_open", [1, 2, 3, 4], REVIEWED,
     "docs/fields.md: each SYN and SYN-ACK of a simultaneous open"),
    ("real-simultaneous-open-clean.pcap", 'tcpphase.conn.open == "simultaneous"', r(1, 14),
     REVIEWED, ""),
    ("real-simultaneous-open-clean.pcap", 'tcpphase.role == "peer"', r(1, 14), REVIEWED,
     "two-pass: the first SYN is a peer's too"),
    ("real-simultaneous-open-clean.pcap", 'tcpphase.step == "syn_ack"', [3, 4], REVIEWED, ""),
    ("real-simultaneous-open-clean.pcap", 'tcpphase.step == "ack"', [5, 6, 8, 10], REVIEWED,
     "5-6 are D-SACK ACKs after the handshake ended at the second SYN-ACK"),
    # ---- real-refused: SYN 1, RST-ACK 2.
    ("real-refused.pcap", "tcpphase.refused", [2], REVIEWED, "docs/fields.md: an RST answering a SYN"),
    ("real-refused.pcap", 'tcpphase.step == "rst_refused"', [2], REVIEWED, ""),
    ("real-refused.pcap", 'tcpphase.conn.open == "refused"', [1, 2], REVIEWED, ""),
    ("real-refused.pcap", 'tcpphase.conn.close == "reset"', [1, 2], REVIEWED, ""),
    ("real-refused.pcap", 'tcpphase.conn.state == "REJ"', [1, 2], REVIEWED, ""),
    # ---- real-half-close: client FIN 6, server data 8, 10, 12, FIN 14, ACK 15.
    ("real-half-close.pcap", "tcpphase.half_close", [8], REVIEWED,
     "docs/fields.md: only the first data segment after receiving the peer's FIN"),
    ("real-half-close.pcap", 'tcpphase.step == "half_close_data"', [8, 10, 12], REVIEWED, ""),
    ("real-half-close.pcap", "tcpphase.data_after_fin", [], REVIEWED,
     "the data comes from the side that did NOT send a FIN: legal"),
    ("real-half-close.pcap", 'tcpphase.conn.close == "four_way"', r(1, 15), REVIEWED,
     "both sides closed in the end"),
    # ---- real-abort: RST-ACK 8 in an established connection.
    ("real-abort.pcap", 'tcpphase.step == "rst_abort"', [8], REVIEWED, ""),
    ("real-abort.pcap", 'tcpphase.conn.close == "reset"', r(1, 8), REVIEWED, ""),
    ("real-abort.pcap", 'tcpphase.phase == "reset"', [8], REVIEWED, ""),
    ("real-abort.pcap", 'tcpphase.conn.state == "RSTO"', r(1, 8), REVIEWED,
     "the originator aborted"),
    # ---- real-time-wait-reuse: connection 1 closes at 11, same tuple SYN again at 12.
    ("real-time-wait-reuse.pcap", "tcpphase.time_wait_reuse", [12], REVIEWED,
     "0.31 s after the last ACK, well inside the default 60 s"),
    ("real-time-wait-reuse.pcap", "tcpphase.conn.id == 2", r(12, 22), REVIEWED,
     "a new incarnation on a reused tuple gets a new id"),
    # ---- real-mixed: self-connect 1-7, refused 8-9 and 10-11, simultaneous open 12-25,
    # normal 26-36.
    ("real-mixed.pcap", "tcpphase.self_connect", [1, 2], REVIEWED, ""),
    ("real-mixed.pcap", "tcpphase.refused", [9, 11], REVIEWED, ""),
    ("real-mixed.pcap", "tcpphase.simultaneous_open", [12, 13, 14, 15], REVIEWED, ""),
    ("real-mixed.pcap", 'tcpphase.conn.close == "four_way"', r(12, 36), REVIEWED, ""),

    # ---- crafted (scapy); client 192.0.2.10, server 198.51.100.20:7777
    ("crafted-simultaneous-close.pcap", 'tcpphase.step == "fin_active"', [8], REVIEWED, ""),
    ("crafted-simultaneous-close.pcap", 'tcpphase.step == "fin_simultaneous"', [9], REVIEWED,
     "sent before its sender saw the peer's FIN"),
    ("crafted-simultaneous-close.pcap", 'tcpphase.step == "fin_ack"', [10], REVIEWED, ""),
    ("crafted-simultaneous-close.pcap", 'tcpphase.step == "last_ack"', [11], REVIEWED, ""),
    ("crafted-simultaneous-close.pcap", 'tcpphase.conn.close == "simultaneous"', r(1, 11),
     REVIEWED, ""),
    ("crafted-three-way-close.pcap", 'tcpphase.conn.close == "three_way"', r(1, 10), REVIEWED, ""),
    ("crafted-three-way-close.pcap", 'tcpphase.step == "fin_passive"', [9], REVIEWED,
     "FIN+ACK that is the first ACK of the first FIN"),
    ("crafted-three-way-close.pcap", 'tcpphase.step == "last_ack"', [10], REVIEWED, ""),
    ("crafted-four-way-close.pcap", 'tcpphase.step == "fin_active" && tcpphase.role == "server"',
     [8], REVIEWED, ""),
    ("crafted-four-way-close.pcap", 'tcpphase.conn.close == "four_way"', r(1, 11), REVIEWED, ""),
    ("crafted-data-after-fin.pcap", "tcpphase.data_after_fin", [10], REVIEWED,
     "docs/fields.md: data sent after the sender's own FIN"),
    ("crafted-data-after-fin.pcap", 'tcpphase.step == "data_after_fin"', [10], REVIEWED, ""),
    ("crafted-data-after-fin.pcap", 'tcpphase.step == "fin_passive"', [12], REVIEWED, ""),
    ("crafted-half-close.pcap", "tcpphase.half_close", [8], REVIEWED, "no second expert item"),
    ("crafted-half-close.pcap", 'tcpphase.step == "half_close_data"', [8, 10, 12], REVIEWED, ""),
    ("crafted-bad-syn-ack.pcap", "tcpphase.bad_syn_ack", [2], REVIEWED, "ack != SYN seq + 1"),
    ("crafted-bad-syn-ack.pcap", 'tcpphase.step == "rst_handshake"', [3], REVIEWED, ""),
    ("crafted-bad-syn-ack.pcap", 'tcpphase.step == "syn_retransmission"', [4], REVIEWED,
     "RFC 9293 3.10.7.3: the RST rejecting a bad SYN-ACK does not end the attempt"),
    ("crafted-stray-ack.pcap", 'tcpphase.phase == "closed"', [], REVIEWED,
     "RFC 9293 3.10.7.3: the client's RST answering a stray ACK leaves it in SYN_SENT"),
    ("crafted-rst-bad-ack.pcap", "tcpphase.refused", [], REVIEWED,
     "an RST+ACK acknowledging the ISN, not ISN+1, is dropped in SYN_SENT"),
    ("crafted-refused-retries.pcap", 'tcpphase.step == "rst_refused" && tcpphase.refused',
     [2, 4, 6], REVIEWED, "each RST refuses its own attempt"),
    ("crafted-simultaneous-close-fin-rexmit.pcap", 'tcpphase.step == "last_ack"', [11], REVIEWED,
     "the FIN repeat that first acknowledges the peer's FIN ends the teardown"),
    ("crafted-fin-without-ack.pcap", "tcpphase.fin_without_ack", [8], REVIEWED,
     "RFC 9293 3.10.7.4: no ACK bit, dropped"),
    ("crafted-rst-ignored.pcap", "tcpphase.rst_ignored", [8], REVIEWED,
     "both endpoints went on after it; the real abort (24) is not flagged"),
    ("crafted-two-syn-acks.pcap", 'tcpphase.step == "out_of_window"', [3], REVIEWED,
     "the client's ACK takes the second SYN-ACK; only frame 3 was out of window when read"),
    ("crafted-huge-gap.pcap", 'tcpphase.step == "data"', [4, 6, 9], REVIEWED,
     "frame 9 follows 1.5 GiB the capture missed, proven sent by frame 8"),
    ("crafted-unanswered.pcap", "tcpphase.syn_unanswered", [1, 2, 3], REVIEWED,
     "each SYN of the attempt got no reply, retransmissions too"),
    ("crafted-unanswered.pcap", 'tcpphase.conn.open == "unanswered"', [1, 2, 3], REVIEWED, ""),
    ("crafted-unanswered.pcap", 'tcpphase.step == "syn_retransmission"', [2, 3], REVIEWED,
     "same ISN as frame 1"),
    ("crafted-unanswered.pcap", 'tcpphase.conn.open == "incomplete"', [4, 5], REVIEWED, ""),
    ("crafted-unanswered.pcap", 'tcpphase.step == "syn_ack_retransmission"', [8], REVIEWED, ""),
    ("crafted-unanswered.pcap", 'tcpphase.conn.state == "S0"', [1, 2, 3], REVIEWED, ""),
    ("crafted-rst-time-wait.pcap", "tcpphase.time_wait_rst", [13], REVIEWED,
     "RFC 1337: RST to an endpoint in TIME_WAIT"),
    ("crafted-rst-time-wait.pcap", 'tcpphase.step == "after_close"', [12, 13], REVIEWED,
     "docs/fields.md: any segment after the teardown completed"),
    ("crafted-rst-variants.pcap", 'tcpphase.step == "rst_refused"', [2], REVIEWED, ""),
    ("crafted-rst-variants.pcap", 'tcpphase.step == "rst_handshake"', [5], REVIEWED, ""),
    ("crafted-rst-variants.pcap", 'tcpphase.step == "rst_abort"', [13], REVIEWED, ""),
    ("crafted-rst-variants.pcap", 'tcpphase.step == "rst_teardown"', [22], REVIEWED, ""),
    ("crafted-rst-variants.pcap", 'tcpphase.conn.close == "four_way" && tcp.port == 41005',
     r(23, 38), REVIEWED, "an out-of-window RST (30) must not end the connection"),
    ("crafted-rst-variants.pcap", 'tcpphase.step == "fin_retransmission"', [47], REVIEWED, ""),
    ("crafted-tuple-reuse.pcap", "tcpphase.time_wait_reuse", [12], REVIEWED,
     "not on 14: 120 s later, beyond the default 60 s"),
    ("crafted-tuple-reuse.pcap", "tcpphase.conn.id == 2", [12, 13], REVIEWED, ""),
    ("crafted-tuple-reuse.pcap", "tcpphase.conn.id == 3", r(14, 24), REVIEWED, ""),
    ("crafted-midstream.pcap", 'tcpphase.conn.open == "not_seen"', r(1, 15), REVIEWED, ""),
    ("crafted-midstream.pcap", 'tcpphase.step == "rst_abort"', [15], REVIEWED, ""),
    ("crafted-icmp-quoted.pcap", "tcpphase", [1, 3, 5] + r(7, 17), REVIEWED,
     "a TCP header quoted in an ICMP error is not a segment: no label on 2, 4, 6"),
    ("crafted-icmp-quoted.pcap", "tcpphase.syn_unanswered", [1, 3, 5], REVIEWED, ""),
    ("crafted-ipip.pcap", 'tcpphase.step == "last_ack"', [11, 22], REVIEWED,
     "IP-in-IP and GRE: labels follow the inner TCP header"),
    ("crafted-vlan.pcap", 'tcpphase.step == "last_ack"', [11, 22], REVIEWED, "802.1Q and QinQ"),
    ("crafted-truncated.pcap", "tcpphase", [1, 2, 3, 4, 6, 8, 9, 10, 11], REVIEWED,
     "5 and 7 are cut inside the TCP/IP header: no label"),
    ("crafted-duplicates.pcap", 'tcpphase.step == "syn_retransmission"', [2], REVIEWED, ""),
    ("crafted-duplicates.pcap", 'tcpphase.step == "syn_ack_retransmission"', [4], REVIEWED, ""),
    ("crafted-duplicates.pcap", 'tcpphase.step == "fin_retransmission"', [16, 20], REVIEWED, ""),
    ("crafted-duplicates.pcap", 'tcpphase.step == "after_close"', [22], REVIEWED, ""),

    # ---- seeds (rebuilt from tcpdump output in the seed documents)
    ("seed-000-simultaneous-open.pcap", "tcpphase.simultaneous_open", [1, 2, 3, 4], REVIEWED, ""),
    ("seed-000-simultaneous-open.pcap", 'tcpphase.role == "peer"', [1, 2, 3, 4], REVIEWED, ""),
    ("seed-000-self-connect.pcap", "tcpphase.self_connect", [1, 2], REVIEWED, ""),
    ("seed-001-close.pcap", 'tcpphase.conn.close == "three_way"', r(1, 8), REVIEWED, ""),
    ("seed-001-close.pcap", 'tcpphase.step == "fin_passive"', [7], REVIEWED, ""),
    ("seed-002-close.pcap", 'tcpphase.conn.close == "three_way"', r(1, 6), REVIEWED, ""),
    ("seed-004-data.pcap", 'tcpphase.conn.close == "open"', r(1, 12), REVIEWED, ""),
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
    def run(row):
        cap, dfilter = row[0], row[1]
        path = os.path.join(tplib.CAPTURES, cap)
        if not os.path.isfile(path):
            return None, "capture not found: %s" % path
        try:
            return selected_frames(path, dfilter, a.build), None
        except Failure as e:
            return None, str(e)

    # tshark takes about half a second to start: run a few at once.
    workers = max(1, min(8, os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, rows))

    failed, unreviewed = [], 0
    for n, ((cap, dfilter, expected, status, why), (got, err)) in enumerate(zip(rows, results), 1):
        tag = "" if status == REVIEWED else " [%s]" % status
        unreviewed += status != REVIEWED
        label = "%s: %s" % (cap, dfilter)
        if err:
            failed.append(label)
            print("FAIL %3d %s%s\n%s" % (n, label, tag, tplib.indent(err, "        ")))
        elif got == sorted(expected):
            print("ok   %3d %s -> %s%s" % (n, label, fmt(got), tag))
        else:
            if not a.show:
                failed.append(label)
            print("%s %3d %s%s\n        expected %s\n        selected %s%s"
                  % ("DIFF" if a.show else "FAIL", n, label, tag, fmt(sorted(expected)), fmt(got),
                     ("\n        (" + why + ")") if why else ""))
    print("%d rows, %d failed, %d not yet reviewed against the RFC"
          % (len(rows), len(failed), unreviewed))
    if failed:
        raise Failure("%d display-filter check(s) failed (see above)" % len(failed))
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
