# SPDX-License-Identifier: GPL-2.0-or-later
"""Small helpers shared by make_crafted.py and make_seeds.py.

- a classic-pcap writer with integer microsecond time stamps and optional
  per-record truncation (incl_len < orig_len), so files are byte-for-byte
  reproducible and truncated frames can be written on purpose;
- TcpFlow: builds the segments of one TCP connection, tracking each side's
  next sequence number and what it has received, so scenarios only spell
  out what is unusual (explicit seq/ack for violations).

Scapy is used only to build packet bytes (checksums included); run with
/usr/bin/python3 (Debian's python3-scapy).
"""

import struct

from scapy.all import (IP, IPv6, TCP, Ether, Raw, Dot1Q, Dot1AD, GRE,
                       CookedLinux)

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113

START_US = 1700000000 * 1000000     # 2023-11-14 22:13:20 UTC


def write_pcap(path, records, linktype=LINKTYPE_ETHERNET, snaplen=262144):
    """records: iterable of (time_us, frame_bytes) or
    (time_us, frame_bytes, captured_len).  With captured_len the record keeps
    only that many bytes while orig_len stays the frame's real length."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
        for rec in records:
            t_us, data = rec[0], bytes(rec[1])
            caplen = rec[2] if len(rec) > 2 and rec[2] is not None else len(data)
            caplen = min(caplen, len(data), snaplen)
            f.write(struct.pack("<IIII", t_us // 1000000, t_us % 1000000,
                                caplen, len(data)))
            f.write(data[:caplen])


class Capture:
    """Frames of one output file, with a clock in microseconds."""

    def __init__(self, start_us=START_US):
        self.t = start_us
        self.records = []

    def add(self, frame, dt_us=1000, caplen=None, at_us=None):
        if at_us is not None:
            self.t = at_us
        elif self.records:
            self.t += dt_us
        # else: the first frame of a file is at the start time exactly
        self.records.append((self.t, bytes(frame), caplen))
        return len(self.records)          # frame number (1-based)

    def write(self, path, linktype=LINKTYPE_ETHERNET, snaplen=262144):
        write_pcap(path, self.records, linktype, snaplen)


# ---------------------------------------------------------------- link layers

def mac_for(ip):
    """A fixed, locally administered MAC derived from the address."""
    h = sum(ip.encode()) & 0xFFFF
    return "02:00:5e:%02x:%02x:%02x" % ((h >> 8) & 0xFF, h & 0xFF, len(ip) & 0xFF)


def l2_ethernet(pkt, src_ip, dst_ip):
    return Ether(src=mac_for(src_ip), dst=mac_for(dst_ip)) / pkt


def l2_loopback(pkt, src_ip, dst_ip):
    """Ethernet header as Linux's lo has it (tcpdump -i lo): zero MACs."""
    etype = 0x86DD if pkt.haslayer(IPv6) else 0x0800
    return Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00", type=etype) / pkt


def l2_sll(pkt, src_ip, dst_ip):
    """Linux cooked capture v1 (LINKTYPE_LINUX_SLL), as tcpdump -i any on lo:
    packet type 0 (to us), ARPHRD_LOOPBACK, 6-byte all-zero address."""
    etype = 0x86DD if pkt.haslayer(IPv6) else 0x0800
    return CookedLinux(pkttype=0, lladdrtype=772, lladdrlen=6,
                       src=b"\x00" * 8, proto=etype) / pkt


def l2_vlan(vid):
    def wrap(pkt, src_ip, dst_ip):
        return Ether(src=mac_for(src_ip), dst=mac_for(dst_ip)) / Dot1Q(vlan=vid) / pkt
    return wrap


def l2_qinq(outer_vid, inner_vid):
    def wrap(pkt, src_ip, dst_ip):
        return (Ether(src=mac_for(src_ip), dst=mac_for(dst_ip), type=0x88A8)
                / Dot1AD(vlan=outer_vid) / Dot1Q(vlan=inner_vid) / pkt)
    return wrap


def l2_ipip(outer_a, outer_b, inner_a):
    """IPv4-in-IPv4 (outer protocol 4) between tunnel end points outer_a/b;
    packets whose inner source is inner_a go outer_a -> outer_b."""
    def wrap(pkt, src_ip, dst_ip):
        o_src, o_dst = (outer_a, outer_b) if src_ip == inner_a else (outer_b, outer_a)
        return (Ether(src=mac_for(o_src), dst=mac_for(o_dst))
                / IP(src=o_src, dst=o_dst, proto=4, ttl=64, id=0, flags="DF") / pkt)
    return wrap


def l2_gre(outer_a, outer_b, inner_a):
    """IPv4 in GRE (outer protocol 47, GRE protocol type 0x0800)."""
    def wrap(pkt, src_ip, dst_ip):
        o_src, o_dst = (outer_a, outer_b) if src_ip == inner_a else (outer_b, outer_a)
        return (Ether(src=mac_for(o_src), dst=mac_for(o_dst))
                / IP(src=o_src, dst=o_dst, proto=47, ttl=64, id=0, flags="DF")
                / GRE(proto=0x0800) / pkt)
    return wrap


# ---------------------------------------------------------------- TCP flows

SYN_OPTS = [("MSS", 1460), ("SAckOK", b""), ("NOP", None), ("WScale", 7)]


class TcpFlow:
    """One TCP connection between client c and server s.

    send(who, flags, data) builds the next segment from `who` ('c' or 's'):
    seq defaults to who's next sequence number, ack (when flags has 'A') to
    what who has received so far.  A segment is "delivered" at once: the
    receiver's received-up-to advances if the segment is in order.  Pass
    seq=/ack= to write something unusual, advance=False for a segment that
    must not move the sender's next sequence number, deliver=False for one
    the receiver does not take in.
    """

    def __init__(self, cap, c_ip, c_port, s_ip, s_port, c_isn, s_isn,
                 l2=l2_ethernet, win=(502, 509)):
        self.cap = cap
        self.ep = {"c": (c_ip, c_port), "s": (s_ip, s_port)}
        self.nxt = {"c": c_isn, "s": s_isn}
        self.rcv = {"c": None, "s": None}
        self.l2 = l2
        self.v6 = ":" in c_ip
        self.ipid = {"c": 0x1000 + (c_port % 0x1000), "s": 0x5000 + (c_port % 0x1000)}
        self.win = {"c": win[0], "s": win[1]}

    @staticmethod
    def peer(who):
        return "s" if who == "c" else "c"

    def segment(self, who, flags, data=b"", seq=None, ack=None, win=None,
                options=None):
        """The frame (bytes) without recording it, and its seq."""
        src_ip, sport = self.ep[who]
        dst_ip, dport = self.ep[self.peer(who)]
        if seq is None:
            seq = self.nxt[who]
        if ack is None:
            ack = self.rcv[who] if ("A" in flags and self.rcv[who] is not None) else 0
        if win is None:
            if "S" in flags:
                win = 64240 if "A" not in flags else 65160
            elif "R" in flags and "A" not in flags:
                win = 0
            else:
                win = self.win[who]
        if options is None:
            options = SYN_OPTS if "S" in flags else []
        tcp = TCP(sport=sport, dport=dport, seq=seq % 2**32, ack=ack % 2**32,
                  flags=flags, window=win, options=options)
        if self.v6:
            ip = IPv6(src=src_ip, dst=dst_ip, hlim=64)
        else:
            ip = IP(src=src_ip, dst=dst_ip, ttl=64, id=self.ipid[who], flags="DF")
            self.ipid[who] = (self.ipid[who] + 1) & 0xFFFF
        pkt = ip / tcp
        if data:
            pkt = pkt / Raw(load=data)
        return bytes(self.l2(pkt, src_ip, dst_ip)), seq

    def send(self, who, flags, data=b"", dt_us=1000, seq=None, ack=None,
             win=None, options=None, advance=True, deliver=True, caplen=None,
             at_us=None, copies=1):
        frame, seq = self.segment(who, flags, data, seq, ack, win, options)
        seglen = len(data) + ("S" in flags) + ("F" in flags)
        end = (seq + seglen) % 2**32
        if advance and "R" not in flags:
            self.nxt[who] = end
        p = self.peer(who)
        if deliver and "R" not in flags:
            if "S" in flags:
                self.rcv[p] = end
            elif self.rcv[p] is not None and seq % 2**32 == self.rcv[p] and seglen:
                self.rcv[p] = end
        n = self.cap.add(frame, dt_us=dt_us, caplen=caplen, at_us=at_us)
        for _ in range(copies - 1):
            n = self.cap.add(frame, dt_us=1)        # identical bytes, 1 us later
        return n

    # common sequences ------------------------------------------------------
    def handshake(self, rtt_us=200, copies=1):
        self.send("c", "S", copies=copies)
        self.send("s", "SA", dt_us=rtt_us, copies=copies)
        self.send("c", "A", dt_us=50, copies=copies)

    def request_response(self, req=b"hello, server\n",
                         resp=b"hello, client; bye\n", copies=1):
        self.send("c", "PA", req, dt_us=1000, copies=copies)
        self.send("s", "A", dt_us=100, copies=copies)
        self.send("s", "PA", resp, dt_us=500, copies=copies)
        self.send("c", "A", dt_us=100, copies=copies)

    def four_way_close(self, first="c", copies=1):
        second = self.peer(first)
        self.send(first, "FA", dt_us=1000, copies=copies)
        self.send(second, "A", dt_us=100, copies=copies)
        self.send(second, "FA", dt_us=1000, copies=copies)
        self.send(first, "A", dt_us=100, copies=copies)
