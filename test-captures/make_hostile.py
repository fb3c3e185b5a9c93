#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the HOSTILE regression captures of test-captures/ (hostile-*.pcap).

Each one is an input that breaks one of the core's invariants checked by
the fuzz target or the mutation campaign (README, "Hostile input"),
rebuilt as a capture so that its golden file and test keep it fixed.  Same conventions as
make_crafted.py: fixed time stamps, documentation addresses, constant ISNs,
so a rerun rewrites identical bytes.

    /usr/bin/python3 make_hostile.py
"""

import os

from pcaplib import Capture, TcpFlow

HERE = os.path.dirname(os.path.abspath(__file__))
C4, S4 = "192.0.2.10", "198.51.100.20"
SEC = 1000000


def bad_syn_ack_then_ack():
    """fuzz/regressions/bad-syn-ack-then-ack-rst.bin: the server sends an ACK
    after its bad SYN-ACK (it believes the connection is established), then
    the client's RST <SEQ=SEG.ACK> (RFC 9293 3.10.7.3) arrives.  The engine
    sent the server from ESTABLISHED back to LISTEN, an edge RFC 9293 does
    not have; an RST closes a synchronized endpoint (3.10.7.4)."""
    cap = Capture()
    c_isn = 0x10000106
    f = TcpFlow(cap, C4, 40106, S4, 7777, c_isn, 0x80000106)
    f.send("c", "S")                                        # SYN
    bad_ack = c_isn - 1000                                  # should be c_isn + 1
    f.send("s", "SA", dt_us=200, ack=bad_ack, deliver=False)  # bad SYN-ACK
    f.send("s", "A", dt_us=20, ack=bad_ack, deliver=False)    # server: "established"
    f.send("c", "R", dt_us=50, seq=bad_ack)                 # 3.10.7.3 reset
    f.send("c", "S", at_us=cap.records[0][0] + 1 * SEC, seq=c_isn)   # SYN again
    f.send("s", "SA", dt_us=200, seq=0x90000106)            # a fresh, correct SYN-ACK
    f.send("c", "A", dt_us=50)
    f.request_response()
    f.four_way_close(first="c")
    cap.write(os.path.join(HERE, "hostile-bad-syn-ack-then-ack.pcap"))


if __name__ == "__main__":
    bad_syn_ack_then_ack()
