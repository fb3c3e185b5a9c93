#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the CRAFTED captures of test-captures/ (crafted-*.pcap).

Scenarios the kernel will not produce on demand, built segment by segment
with scapy.  Everything is fixed, so a rerun rewrites identical bytes:
time stamps start at 1700000000.000000 (2023-11-14 22:13:20 UTC) and move
in whole microseconds, addresses are documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32), ISNs are constants,
MACs are derived from the addresses, IP IDs count up per sender.
Link layer: Ethernet unless the file says otherwise.

    /usr/bin/python3 make_crafted.py            # all files
    /usr/bin/python3 make_crafted.py vlan ipip  # some (name without prefix)

No root needed.  See README.md for what each file contains and what a
correct labeller should say about every frame.
"""

import os
import sys

from scapy.all import IP, IPv6, ICMP, ICMPv6DestUnreach, Ether, Raw

from pcaplib import (Capture, TcpFlow, l2_ethernet, l2_vlan, l2_qinq,
                     l2_ipip, l2_gre, mac_for)

HERE = os.path.dirname(os.path.abspath(__file__))

C4, S4 = "192.0.2.10", "198.51.100.20"
C6, S6 = "2001:db8::10", "2001:db8:1::20"
SEC = 1000000  # microseconds


def out(name):
    return os.path.join(HERE, name)


# ----------------------------------------------------------------------------

def simultaneous_close():
    cap = Capture()
    f = TcpFlow(cap, C4, 40001, S4, 7777, 0x10000001, 0x80000001)
    f.handshake()
    f.request_response()
    # Both FINs cross: each one's ack does not cover the peer's FIN.
    c_fin_seq, s_fin_seq = f.nxt["c"], f.nxt["s"]
    f.send("c", "FA", dt_us=1000, ack=s_fin_seq)          # c: FIN_WAIT_1
    f.send("s", "FA", dt_us=10, ack=c_fin_seq)            # s: FIN (did not see c's)
    f.send("s", "A", dt_us=100, ack=c_fin_seq + 1)        # s acks c's FIN
    f.send("c", "A", dt_us=10, ack=s_fin_seq + 1)         # c acks s's FIN
    cap.write(out("crafted-simultaneous-close.pcap"))


def three_way_close():
    cap = Capture()
    f = TcpFlow(cap, C4, 40002, S4, 7777, 0x10000002, 0x80000002)
    f.handshake()
    f.request_response()
    f.send("c", "FA", dt_us=1000)                         # FIN
    f.send("s", "FA", dt_us=100)                          # FIN+ACK (acks c's FIN)
    f.send("c", "A", dt_us=100)                           # last ACK
    cap.write(out("crafted-three-way-close.pcap"))


def four_way_close():
    cap = Capture()
    f = TcpFlow(cap, C4, 40003, S4, 7777, 0x10000003, 0x80000003)
    f.handshake()
    f.request_response()
    f.four_way_close(first="s")                           # server closes first
    cap.write(out("crafted-four-way-close.pcap"))


def data_after_fin():
    cap = Capture()
    f = TcpFlow(cap, C4, 40004, S4, 7777, 0x10000004, 0x80000004)
    f.handshake()
    f.request_response()
    f.send("c", "FA", dt_us=1000)                         # c FIN (seq X)
    f.send("s", "A", dt_us=100)                           # s acks it (X+1)
    # Protocol violation: c sends 5 more bytes, seq X+1, beyond its own FIN.
    f.send("c", "PA", b"more\n", dt_us=2000, deliver=False)
    f.send("s", "A", dt_us=100)                           # s: dup ack, X+1
    f.send("s", "FA", dt_us=1000)                         # s FIN
    f.send("c", "A", dt_us=100)                           # last ACK
    cap.write(out("crafted-data-after-fin.pcap"))


def half_close():
    cap = Capture()
    f = TcpFlow(cap, C4, 40005, S4, 7777, 0x10000005, 0x80000005)
    f.handshake()
    f.send("c", "PA", b"send me 3\n", dt_us=1000)          # request
    f.send("s", "A", dt_us=100)
    f.send("c", "FA", dt_us=100)                          # c: shutdown(SHUT_WR)
    f.send("s", "A", dt_us=100)                           # s acks the FIN
    for i in range(3):                                    # s keeps sending
        f.send("s", "PA", b"chunk %d\n" % i, dt_us=1000)
        f.send("c", "A", dt_us=100)                       # c acks each chunk
    f.send("s", "FA", dt_us=1000)                         # s FIN
    f.send("c", "A", dt_us=100)                           # last ACK
    cap.write(out("crafted-half-close.pcap"))


def bad_syn_ack():
    cap = Capture()
    c_isn = 0x10000006
    f = TcpFlow(cap, C4, 40006, S4, 7777, c_isn, 0x80000006)
    f.send("c", "S")                                      # SYN, seq A
    bad_ack = c_isn - 1000                                # should be A+1
    # A stale SYN-ACK (its own ISN differs from the later, correct one).
    f.send("s", "SA", dt_us=200, seq=0x7FFF0006, ack=bad_ack,
           advance=False, deliver=False)
    # RFC 9293 3.10.7.3 (SYN-SENT, unacceptable ACK): <SEQ=SEG.ACK><CTL=RST>
    f.send("c", "R", dt_us=50, seq=bad_ack)
    f.send("c", "S", at_us=cap.records[0][0] + 1 * SEC, seq=c_isn)  # SYN rexmit
    f.send("s", "SA", dt_us=200)                          # correct SYN-ACK
    f.send("c", "A", dt_us=50)
    f.request_response()
    f.four_way_close(first="c")
    cap.write(out("crafted-bad-syn-ack.pcap"))


def rst_time_wait():
    cap = Capture()
    f = TcpFlow(cap, C4, 40007, S4, 7777, 0x10000007, 0x80000007)
    f.handshake()
    f.request_response()
    f.four_way_close(first="c")                           # c ends in TIME_WAIT
    c_seq, c_ack = f.nxt["c"], f.rcv["c"]
    # Retransmitted last ACK (same bytes as the last ACK but a new IP ID).
    f.send("c", "A", dt_us=200 * 1000, seq=c_seq, ack=c_ack)
    # The server, now CLOSED, answers that ACK with <SEQ=SEG.ACK><CTL=RST>:
    # an RST landing on the client's TIME_WAIT (RFC 1337 assassination).
    f.send("s", "R", dt_us=100, seq=c_ack)
    cap.write(out("crafted-rst-time-wait.pcap"))


def midstream():
    cap = Capture()
    # Connection 1: capture starts with data flowing; ends with a FIN exchange.
    f = TcpFlow(cap, C4, 40008, S4, 7777, 0x1000A000, 0x8000A000)
    f.rcv = {"c": f.nxt["s"], "s": f.nxt["c"]}           # state as if established
    f.send("c", "PA", b"x" * 20, dt_us=0)
    f.send("s", "A", dt_us=100)
    f.send("s", "PA", b"y" * 40, dt_us=500)
    f.send("c", "A", dt_us=100)
    f.send("c", "PA", b"x" * 20, dt_us=1000)
    f.send("s", "PA", b"y" * 40, dt_us=500)
    f.send("c", "A", dt_us=100)
    f.four_way_close(first="c")
    # Connection 2: also seen mid-stream; ends with an RST from the server.
    g = TcpFlow(cap, C4, 40009, S4, 7777, 0x1000B000, 0x8000B000)
    g.rcv = {"c": g.nxt["s"], "s": g.nxt["c"]}
    g.send("c", "PA", b"x" * 10, dt_us=2000)
    g.send("s", "PA", b"y" * 30, dt_us=500)
    g.send("c", "A", dt_us=100)
    g.send("s", "RA", dt_us=1000)
    cap.write(out("crafted-midstream.pcap"))


def icmp_quoted():
    cap = Capture()
    # (1) SYN to 198.51.100.30:8443, a firewall answers ICMP admin prohibited
    #     (type 3 code 13) quoting the SYN's whole IP + TCP header.
    f1 = TcpFlow(cap, C4, 40010, "198.51.100.30", 8443, 0x1000C001, 0)
    n = f1.send("c", "S", dt_us=0)
    syn = Ether(cap.records[n - 1][1])[IP]
    fw = "192.0.2.1"
    icmp = (Ether(src=mac_for(fw), dst=mac_for(C4))
            / IP(src=fw, dst=C4, ttl=255, id=0x0101)
            / ICMP(type=3, code=13) / Raw(bytes(syn)))
    cap.add(icmp, dt_us=300)
    # (2) SYN to 198.51.100.31:7779, the host answers ICMP port unreachable
    #     (type 3 code 3) quoting the SYN.
    f2 = TcpFlow(cap, C4, 40011, "198.51.100.31", 7779, 0x1000C002, 0)
    n = f2.send("c", "S", dt_us=1000)
    syn = Ether(cap.records[n - 1][1])[IP]
    icmp = (Ether(src=mac_for("198.51.100.31"), dst=mac_for(C4))
            / IP(src="198.51.100.31", dst=C4, ttl=64, id=0x0202)
            / ICMP(type=3, code=3) / Raw(bytes(syn)))
    cap.add(icmp, dt_us=300)
    # (3) IPv6: SYN to [2001:db8:1::30]:8443, a router answers ICMPv6
    #     destination unreachable, code 1 (administratively prohibited),
    #     quoting the SYN's IPv6 + TCP header.
    f3 = TcpFlow(cap, C6, 40012, "2001:db8:1::30", 8443, 0x1000C003, 0)
    n = f3.send("c", "S", dt_us=1000)
    syn6 = Ether(cap.records[n - 1][1])[IPv6]
    rtr = "2001:db8::1"
    icmp6 = (Ether(src=mac_for(rtr), dst=mac_for(C6))
             / IPv6(src=rtr, dst=C6, hlim=64)
             / ICMPv6DestUnreach(code=1) / Raw(bytes(syn6)))
    cap.add(icmp6, dt_us=300)
    # (4) An unrelated, normal connection.
    g = TcpFlow(cap, C4, 40013, S4, 7777, 0x1000C004, 0x8000C004)
    g.handshake()
    g.request_response()
    g.four_way_close(first="c")
    cap.write(out("crafted-icmp-quoted.pcap"))


def ipip():
    cap = Capture()
    # IPv4-in-IPv4 between tunnel end points 203.0.113.1 <-> 203.0.113.2
    f = TcpFlow(cap, C4, 40014, S4, 7777, 0x1000D001, 0x8000D001,
                l2=l2_ipip("203.0.113.1", "203.0.113.2", C4))
    f.handshake()
    f.request_response()
    f.four_way_close(first="c")
    # the same inner hosts, another connection, carried in GRE
    g = TcpFlow(cap, C4, 40015, S4, 7777, 0x1000D002, 0x8000D002,
                l2=l2_gre("203.0.113.1", "203.0.113.2", C4))
    g.handshake()
    g.request_response()
    g.four_way_close(first="c")
    cap.write(out("crafted-ipip.pcap"))


def vlan():
    cap = Capture()
    f = TcpFlow(cap, C4, 40016, S4, 7777, 0x1000E001, 0x8000E001, l2=l2_vlan(100))
    f.handshake()
    f.request_response()
    f.four_way_close(first="c")
    g = TcpFlow(cap, C4, 40017, S4, 7777, 0x1000E002, 0x8000E002,
                l2=l2_qinq(200, 100))
    g.handshake()
    g.request_response()
    g.four_way_close(first="c")
    cap.write(out("crafted-vlan.pcap"))


def truncated():
    cap = Capture()
    f = TcpFlow(cap, C4, 40018, S4, 7777, 0x1000F001, 0x8000F001)
    f.handshake()                                         # frames 1-3
    f.send("c", "PA", b"q" * 100, dt_us=1000)             # 4: complete
    f.send("s", "A", dt_us=100, caplen=14 + 20 + 10)      # 5: cut 10 bytes into TCP
    f.send("s", "PA", b"r" * 200, dt_us=500,
           caplen=14 + 20 + 20 + 30)                      # 6: payload cut (200 -> 30)
    f.send("c", "A", dt_us=100, caplen=14 + 12)           # 7: cut inside the IP header
    f.four_way_close(first="c")                           # 8-11
    cap.write(out("crafted-truncated.pcap"))


def duplicates():
    cap = Capture()
    f = TcpFlow(cap, C4, 40019, S4, 7777, 0x10010001, 0x80010001)
    f.handshake(copies=2)
    f.request_response(copies=2)
    f.four_way_close(first="c", copies=2)
    cap.write(out("crafted-duplicates.pcap"))


def unanswered():
    cap = Capture()
    t0 = cap.t
    # A: SYN + two retransmissions (same ISN) at +1 s and +3 s, no reply.
    a = TcpFlow(cap, C4, 40020, S4, 7778, 0x10020001, 0)
    a.send("c", "S", dt_us=0)
    a.send("c", "S", seq=0x10020001, at_us=t0 + 1 * SEC)
    a.send("c", "S", seq=0x10020001, at_us=t0 + 3 * SEC)
    # B: SYN, SYN-ACK, nothing more (incomplete handshake).
    b = TcpFlow(cap, C4, 40021, S4, 7777, 0x10020002, 0x80020002)
    b.send("c", "S", at_us=t0 + 4 * SEC)
    b.send("s", "SA", dt_us=200)
    # C: SYN, SYN-ACK, SYN-ACK retransmission 1 s later, ACK.
    c = TcpFlow(cap, C4, 40022, S4, 7777, 0x10020003, 0x80020003)
    c.send("c", "S", at_us=t0 + 5 * SEC)
    c.send("s", "SA", dt_us=200)
    c.send("s", "SA", seq=0x80020003, at_us=t0 + 6 * SEC + 200)
    c.send("c", "A", dt_us=50)
    cap.write(out("crafted-unanswered.pcap"))


def rst_variants():
    cap = Capture()
    # (a) refused: SYN, RST+ACK
    a = TcpFlow(cap, C4, 41001, S4, 7777, 0x10030001, 0)
    a.send("c", "S", dt_us=0)
    a.send("s", "RA", dt_us=100, seq=0, win=0)
    # (b) RST from the client during the handshake
    b = TcpFlow(cap, C4, 41002, S4, 7777, 0x10030002, 0x80030002)
    b.send("c", "S", dt_us=10000)
    b.send("s", "SA", dt_us=200)
    b.send("c", "R", dt_us=50)
    # (c) established, data, RST (abort, from the server)
    c = TcpFlow(cap, C4, 41003, S4, 7777, 0x10030003, 0x80030003)
    c.send("c", "S", dt_us=10000)
    c.send("s", "SA", dt_us=200)
    c.send("c", "A", dt_us=50)
    c.request_response()
    c.send("s", "RA", dt_us=1000)
    # (d) established, FIN from the client, RST from the server before the
    #     teardown completes
    d = TcpFlow(cap, C4, 41004, S4, 7777, 0x10030004, 0x80030004)
    d.send("c", "S", dt_us=10000)
    d.send("s", "SA", dt_us=200)
    d.send("c", "A", dt_us=50)
    d.request_response()
    d.send("c", "FA", dt_us=1000)
    d.send("s", "RA", dt_us=100)
    # (e) established; an RST far out of window (seq + 2^31) must not end
    #     the connection; more data, then a normal close
    e = TcpFlow(cap, C4, 41005, S4, 7777, 0x10030005, 0x80030005)
    e.send("c", "S", dt_us=10000)
    e.send("s", "SA", dt_us=200)
    e.send("c", "A", dt_us=50)
    e.request_response()
    e.send("s", "R", dt_us=1000, seq=e.nxt["s"] + 2**31)   # blind RST
    e.send("c", "PA", b"once more\n", dt_us=1000)
    e.send("s", "A", dt_us=100)
    e.send("s", "PA", b"still here\n", dt_us=500)
    e.send("c", "A", dt_us=100)
    e.four_way_close(first="c")
    # (f) FIN retransmission before the close completes
    f = TcpFlow(cap, C4, 41006, S4, 7777, 0x10030006, 0x80030006)
    f.send("c", "S", dt_us=10000)
    f.send("s", "SA", dt_us=200)
    f.send("c", "A", dt_us=50)
    f.request_response()
    fin_seq = f.nxt["c"]
    f.send("c", "FA", dt_us=1000)
    f.send("c", "FA", dt_us=200 * 1000, seq=fin_seq)      # same FIN again
    f.send("s", "A", dt_us=100)
    f.send("s", "FA", dt_us=1000)
    f.send("c", "A", dt_us=100)
    cap.write(out("crafted-rst-variants.pcap"))


def tuple_reuse():
    cap = Capture()
    # 1: normal connection; the server closes first (server -> TIME_WAIT)
    f1 = TcpFlow(cap, C4, 40100, S4, 7777, 0x10040001, 0x80040001)
    f1.handshake()
    f1.request_response()
    f1.four_way_close(first="s")
    t_closed = cap.t
    # 2: same 4-tuple 2 s later (inside TIME_WAIT), new ISN, refused
    f2 = TcpFlow(cap, C4, 40100, S4, 7777, 0x20040002, 0)
    f2.send("c", "S", at_us=t_closed + 2 * SEC)
    f2.send("s", "RA", dt_us=100, seq=0, win=0)
    # 3: same 4-tuple 120 s after the first close (TIME_WAIT over): normal
    f3 = TcpFlow(cap, C4, 40100, S4, 7777, 0x30040003, 0x90040003)
    f3.send("c", "S", at_us=t_closed + 120 * SEC)
    f3.send("s", "SA", dt_us=200)
    f3.send("c", "A", dt_us=50)
    f3.request_response()
    f3.four_way_close(first="c")
    cap.write(out("crafted-tuple-reuse.pcap"))


def unfinished_closes():
    """Closes the capture never sees finish: (1) the client's FIN is acked
    but the server never closes (half_closed, half_closed_at_end on the
    FIN); (2) both FINs, the last ACK never captured (close incomplete)."""
    cap = Capture()
    f = TcpFlow(cap, C4, 40030, S4, 7777, 0x10000030, 0x80000030)
    f.handshake()
    f.request_response()
    f.send("c", "FA", dt_us=1000)                         # FIN
    f.send("s", "A", dt_us=100)                           # its ACK; no FIN ever
    g = TcpFlow(cap, C4, 40031, S4, 7777, 0x10000031, 0x80000031)
    g.handshake()
    g.request_response()
    g.send("c", "FA", dt_us=1000)                         # FIN
    g.send("s", "A", dt_us=100)                           # its ACK
    g.send("s", "FA", dt_us=100)                          # FIN; the last ACK is lost
    cap.write(out("crafted-unfinished-closes.pcap"))


def stray_ack():
    """A SYN answered by a bare ACK of an older connection (a challenge
    ACK): the client, in SYN-SENT, answers <SEQ=SEG.ACK><CTL=RST> and stays
    there (RFC 9293 3.10.7.3); its SYN retransmission then completes."""
    cap = Capture()
    c_isn = 0x10000040
    f = TcpFlow(cap, C4, 40040, S4, 7777, c_isn, 0x80000040)
    f.send("c", "S")                                      # SYN, seq A
    old_seq, old_ack = 0x5A5A0040, 0x0BADF040             # the older connection's
    f.send("s", "A", dt_us=200, seq=old_seq, ack=old_ack, advance=False, deliver=False)
    f.send("c", "R", dt_us=50, seq=old_ack)               # RST, seq = SEG.ACK
    f.send("c", "S", at_us=cap.records[0][0] + 1 * SEC, seq=c_isn)  # SYN rexmit
    f.send("s", "SA", dt_us=200)
    f.send("c", "A", dt_us=50)
    f.request_response()
    f.four_way_close(first="c")
    cap.write(out("crafted-stray-ack.pcap"))


def rst_bad_ack():
    """An RST+ACK answering a SYN whose acknowledgment is the ISN, not
    ISN+1: SYN-SENT drops it (RFC 9293 3.10.7.3), and the SYN-ACK that
    follows completes the handshake."""
    cap = Capture()
    c_isn = 0x10000041
    f = TcpFlow(cap, C4, 40041, S4, 7777, c_isn, 0x80000041)
    f.send("c", "S")
    f.send("s", "RA", dt_us=150, seq=0, ack=c_isn, advance=False)   # ack = ISN: unacceptable
    f.send("s", "SA", dt_us=100)
    f.send("c", "A", dt_us=50)
    f.request_response()
    f.four_way_close(first="c")
    cap.write(out("crafted-rst-bad-ack.pcap"))


def refused_retries():
    """A connect refused three times, each SYN with the same ISN (as Windows
    retries it): every RST+ACK acknowledges ISN+1 and refuses a new
    attempt."""
    cap = Capture()
    c_isn = 0x10000042
    for i in range(3):
        f = TcpFlow(cap, C4, 40042, S4, 7777, c_isn, 0)
        at = cap.records[0][0] + i * SEC // 2 if cap.records else None
        f.send("c", "S", at_us=at)
        f.send("s", "RA", dt_us=150, seq=0, win=0)
    cap.write(out("crafted-refused-retries.pcap"))


def simultaneous_close_fin_rexmit():
    """Two FINs cross (captured near the client).  The client acknowledges
    the server's FIN; before that ACK reaches the server, the server's
    retransmission timer repeats its FIN, now acknowledging the client's
    FIN, which it has received meanwhile.  That repeated FIN is the first
    acknowledgment of the client's FIN and ends the teardown: it is the
    last ACK (RFC 9293 3.6, CLOSING -> TIME_WAIT)."""
    cap = Capture()
    f = TcpFlow(cap, C4, 40043, S4, 7777, 0x10000043, 0x80000043)
    f.handshake()
    f.request_response()
    c_fin_seq, s_fin_seq = f.nxt["c"], f.nxt["s"]
    f.send("c", "FA", dt_us=1000, ack=s_fin_seq)          # c: FIN_WAIT_1
    f.send("s", "FA", dt_us=10, ack=c_fin_seq)            # s: FIN, crossing c's
    f.send("c", "A", dt_us=100, ack=s_fin_seq + 1)        # c acks s's FIN: CLOSING
    # s's FIN again, now acknowledging c's FIN: c goes CLOSING -> TIME_WAIT.
    f.send("s", "FA", dt_us=200 * 1000, seq=s_fin_seq, ack=c_fin_seq + 1, advance=False)
    cap.write(out("crafted-simultaneous-close-fin-rexmit.pcap"))


def fin_without_ack():
    """A FIN without the ACK bit in an established connection: the receiver
    drops it (RFC 9293 3.10.7.4, "if the ACK bit is off, drop the segment").
    The client then goes on sending, and closes properly."""
    cap = Capture()
    f = TcpFlow(cap, C4, 40044, S4, 7777, 0x10000044, 0x80000044)
    f.handshake()
    f.request_response()
    f.send("c", "F", dt_us=1000, advance=False, deliver=False)   # dropped
    f.send("c", "PA", b"one more\n", dt_us=1000)              # same seq as that FIN
    f.send("s", "A", dt_us=100)                               # acks past the FIN's seq
    f.four_way_close(first="c")
    cap.write(out("crafted-fin-without-ack.pcap"))


def rst_ignored():
    """An RST that both endpoints ignored: mid-transfer, an acceptable RST
    in the server's name (seq = its next sequence number) crosses the path,
    as a censoring middlebox injects one; it never reaches the client, and
    the server did not send it, so both go on: the server sends more data,
    the client acknowledges it, and they close with FINs.  Then a second
    connection whose RST is real: the server answers the client's late data
    with RSTs and nothing goes on."""
    cap = Capture()
    f = TcpFlow(cap, C4, 40045, S4, 7777, 0x10000045, 0x80000045)
    f.handshake()
    f.request_response()
    f.send("s", "RA", dt_us=300, deliver=False)           # injected, acceptable
    f.send("s", "PA", b"more data\n", dt_us=200)          # the server goes on
    f.send("c", "A", dt_us=100)                           # and so does the client
    f.send("c", "PA", b"thanks\n", dt_us=1000)
    f.send("s", "A", dt_us=100)
    f.four_way_close(first="c")
    g = TcpFlow(cap, C4, 40046, S4, 7777, 0x10000046, 0x80000046)
    g.handshake()
    g.request_response()
    g.send("s", "RA", dt_us=300, deliver=False)           # a real abort
    g.send("c", "PA", b"late\n", dt_us=100)               # crossed it in flight
    g.send("s", "R", dt_us=100)                           # closed: RST again
    cap.write(out("crafted-rst-ignored.pcap"))


def two_syn_acks():
    """Two SYN-ACKs with different ISNs (a TCP Fast Open server that
    dropped the SYN's data answers again): the client's ACK acknowledges
    the second one's ISN+1, so that is the server's sequence space; the
    server's data and FIN follow it."""
    cap = Capture()
    c_isn, s_isn = 0x10000047, 0xC0000047
    f = TcpFlow(cap, C4, 40047, S4, 7777, c_isn, s_isn)
    f.send("c", "S", b"GET / HTTP/1.0\r\n\r\n", advance=False, deliver=False)  # TFO SYN
    f.send("s", "SA", dt_us=200, seq=0x40000047, ack=c_isn + 1, advance=False, deliver=False)
    f.nxt["c"] = f.rcv["s"] = c_isn + 1                   # the SYN counts, its data not
    f.send("s", "SA", dt_us=50, ack=c_isn + 1)            # the one the client takes
    f.send("c", "A", dt_us=50)
    f.request_response(req=b"GET / HTTP/1.0\r\n\r\n")
    f.four_way_close(first="s")
    cap.write(out("crafted-two-syn-acks.pcap"))


def huge_gap():
    """A capture that missed 1.5 GiB of a download (the server's bytes)
    while seeing the client's ACKs: the ACKs prove the bytes were sent, so
    the server's next segment is new data, not out of window."""
    cap = Capture()
    f = TcpFlow(cap, C4, 40048, S4, 7777, 0x10000048, 0x80000048)
    f.handshake()
    f.request_response()
    gap = 3 << 29                                          # 1.5 GiB
    f.nxt["s"] = (f.nxt["s"] + gap) % 2**32               # sent, never captured
    f.rcv["c"] = f.nxt["s"]
    f.send("c", "A", dt_us=30 * SEC)                      # acks them all
    f.send("s", "PA", b"the last bytes\n", dt_us=1000)
    f.send("c", "A", dt_us=100)
    f.four_way_close(first="s")
    cap.write(out("crafted-huge-gap.pcap"))


FILES = {
    "simultaneous-close": simultaneous_close,
    "three-way-close": three_way_close,
    "four-way-close": four_way_close,
    "data-after-fin": data_after_fin,
    "half-close": half_close,
    "bad-syn-ack": bad_syn_ack,
    "rst-time-wait": rst_time_wait,
    "midstream": midstream,
    "icmp-quoted": icmp_quoted,
    "ipip": ipip,
    "vlan": vlan,
    "truncated": truncated,
    "duplicates": duplicates,
    "unanswered": unanswered,
    "rst-variants": rst_variants,
    "tuple-reuse": tuple_reuse,
    "unfinished-closes": unfinished_closes,
    "stray-ack": stray_ack,
    "rst-bad-ack": rst_bad_ack,
    "refused-retries": refused_retries,
    "simultaneous-close-fin-rexmit": simultaneous_close_fin_rexmit,
    "fin-without-ack": fin_without_ack,
    "rst-ignored": rst_ignored,
    "two-syn-acks": two_syn_acks,
    "huge-gap": huge_gap,
}


def main(argv):
    names = argv[1:] or list(FILES)
    for n in names:
        if n not in FILES:
            sys.exit("unknown: %s (known: %s)" % (n, " ".join(FILES)))
    for n in names:
        FILES[n]()
        p = out("crafted-%s.pcap" % n)
        print("%-36s %6d bytes" % (os.path.basename(p), os.path.getsize(p)))


if __name__ == "__main__":
    main(sys.argv)
