#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Builds the encapsulation captures: one ordinary connection inside each
tunnel, link layer or network-layer oddity that tcpphase-annotate does not
decode itself (or decodes itself but must decode as Wireshark does).

    /usr/bin/python3 make_encap.py            # all of them
    /usr/bin/python3 make_encap.py vxlan mpls  # some (name without prefix)

Each file holds one connection (client 192.0.2.10:PORT -> server
198.51.100.20:80, unless said otherwise): handshake, a request and its
response, a four-way close by the client; 11 TCP segments whose labels are
those of crafted-vlan.pcap's first connection, whatever carries them.
crafted-ipv4-source-route.pcap and crafted-ipv4-bad-options.pcap are the
two exceptions (see test-captures/README.md).  Deterministic: byte for byte
the same files on every run.
"""

import os
import struct
import sys

from scapy.all import IP, UDP, Ether, GRE, Dot3, LLC, SNAP, Raw, fragment
from scapy.contrib.geneve import GENEVE
from scapy.contrib.gtp import GTP_U_Header
from scapy.contrib.mpls import MPLS
from scapy.contrib.erspan import ERSPAN_II
from scapy.layers.vxlan import VXLAN
from scapy.layers.ppp import PPPoE, PPP

from pcaplib import Capture, TcpFlow, mac_for

HERE = os.path.dirname(os.path.abspath(__file__))
C4, S4 = "192.0.2.10", "198.51.100.20"
TUNNEL_A, TUNNEL_B = "203.0.113.1", "203.0.113.2"     # tunnel end points

LINKTYPE_ETHERNET = 1
LINKTYPE_C_HDLC = 104
LINKTYPE_ARCNET_LINUX = 129
LINKTYPE_NFLOG = 239
LINKTYPE_IPOIB = 242


def out(name):
    return os.path.join(HERE, name)


def outer_ends(src_ip):
    """Tunnel end points for a packet of the inner client (or server)."""
    return (TUNNEL_A, TUNNEL_B) if src_ip == C4 else (TUNNEL_B, TUNNEL_A)


def outer_ip(src_ip, proto=None):
    o_src, o_dst = outer_ends(src_ip)
    eth = Ether(src=mac_for(o_src), dst=mac_for(o_dst))
    if proto is None:
        return eth / IP(src=o_src, dst=o_dst, ttl=64, id=0, flags="DF")
    return eth / IP(src=o_src, dst=o_dst, ttl=64, id=0, flags="DF", proto=proto)


def inner_eth(pkt, src_ip, dst_ip):
    return Ether(src=mac_for(src_ip), dst=mac_for(dst_ip)) / pkt


def udp_ports(src_ip, tunnel_port, client_port):
    """A tunnel's UDP ports: the client side's end point uses an ephemeral
    source port, the server side's answers from it (as VXLAN and Geneve
    do: the source port is a flow hash, the destination the tunnel's)."""
    return (client_port, tunnel_port) if src_ip == C4 else (client_port + 1, tunnel_port)


# ---------------------------------------------------------------- encapsulations

def l2_vxlan(pkt, src_ip, dst_ip):
    sport, dport = udp_ports(src_ip, 4789, 49320)
    return (outer_ip(src_ip) / UDP(sport=sport, dport=dport)
            / VXLAN(flags=0x08, vni=4242) / inner_eth(pkt, src_ip, dst_ip))


def l2_geneve(pkt, src_ip, dst_ip):
    sport, dport = udp_ports(src_ip, 6081, 49330)
    return (outer_ip(src_ip) / UDP(sport=sport, dport=dport)
            / GENEVE(vni=4243, proto=0x6558) / inner_eth(pkt, src_ip, dst_ip))


def l2_gtpu(pkt, src_ip, dst_ip):
    # GTP-U between a base station and a gateway, both on port 2152.
    teid = 0x1000 if src_ip == C4 else 0x2000
    return (outer_ip(src_ip) / UDP(sport=2152, dport=2152)
            / GTP_U_Header(teid=teid, gtp_type=255) / pkt)


_erspan_seq = {"n": 0}


def l2_erspan(pkt, src_ip, dst_ip):
    # ERSPAN type II: GRE with a sequence number, protocol 0x88be, then
    # the mirrored Ethernet frame.
    _erspan_seq["n"] += 1
    return (outer_ip(src_ip, proto=47)
            / GRE(proto=0x88BE, seqnum_present=1, seqence_number=_erspan_seq["n"])
            / ERSPAN_II(ver=1, session_id=7, vlan=0) / inner_eth(pkt, src_ip, dst_ip))


def l2_vendor_gre(pkt, src_ip, dst_ip):
    # Cisco WCCPv2 redirection: GRE protocol 0x883e, a 4-byte redirect
    # header (its first nibble is not 4), then the client's IP datagram.
    return (outer_ip(src_ip, proto=47) / GRE(proto=0x883E)
            / Raw(b"\x00\x00\x00\x21" + bytes(pkt)))


def l2_ayiya(pkt, src_ip, dst_ip):
    # AYIYA (anything in anything, UDP 5072): identity 2^4 = 16 bytes,
    # signature 5 words (SHA-1), opcode 1 (forward), next header 4 (IPv4).
    identity = bytes(range(16))
    signature = bytes(20)
    header = bytes([0x41, 0x52, 0x11, 4]) + struct.pack("!I", 1700000000)
    return (outer_ip(src_ip) / UDP(sport=5072, dport=5072)
            / Raw(header + identity + signature + bytes(pkt)))


def l2_pppoe(pkt, src_ip, dst_ip):
    return (Ether(src=mac_for(src_ip), dst=mac_for(dst_ip), type=0x8864)
            / PPPoE(sessionid=0x0011) / PPP(proto=0x0021) / pkt)


def l2_llc_snap(pkt, src_ip, dst_ip):
    return (Dot3(src=mac_for(src_ip), dst=mac_for(dst_ip))
            / LLC(dsap=0xAA, ssap=0xAA, ctrl=3) / SNAP(OUI=0, code=0x0800) / pkt)


def l2_pbb(pkt, src_ip, dst_ip):
    # 802.1ah provider backbone bridging: backbone addresses, I-TAG
    # (ethertype 0x88e7, I-SID 0x000100), the customer's addresses.
    backbone = Ether(src="02:bb:00:00:00:01", dst="02:bb:00:00:00:02", type=0x88E7)
    itag = b"\x00\x00\x01\x00"
    return bytes(backbone) + itag + bytes(inner_eth(pkt, src_ip, dst_ip))


def l2_mpls(pkt, src_ip, dst_ip):
    return (Ether(src=mac_for(src_ip), dst=mac_for(dst_ip), type=0x8847)
            / MPLS(label=100, s=0, ttl=64) / MPLS(label=200, s=1, ttl=64) / pkt)


def nflog_tlv(tlv_type, value):
    """One NFLOG TLV: length and type in the capturing host's byte order
    (little-endian here), the value padded to 4 bytes."""
    tlv = struct.pack("<HH", 4 + len(value), tlv_type) + value
    return tlv + b"\x00" * (-len(tlv) % 4)


def l2_nflog(pkt, src_ip, dst_ip):
    header = bytes([2, 0]) + struct.pack("!H", 5)      # AF_INET, version 0, group 5
    packet_hdr = struct.pack("!HBB", 0x0800, 1, 0)      # hw protocol, hook, pad
    return header + nflog_tlv(1, packet_hdr) + nflog_tlv(10, b"tcpphase\x00") \
        + nflog_tlv(9, bytes(pkt))


def gid(ip):
    """An InfiniBand global identifier for a host: link-local prefix,
    interface identifier from its IPv4 address."""
    return b"\xfe\x80" + b"\x00" * 10 + bytes(int(x) for x in ip.split("."))


def l2_ipoib(pkt, src_ip, dst_ip):
    # The pcap form of IP over InfiniBand: the 40-byte global route header
    # (version 6, payload length, next header 0x1b, hop limit, source and
    # destination GIDs), then the IPoIB header: type, reserved.
    raw = bytes(pkt)
    grh = struct.pack("!IHBB", 0x60000000, len(raw) + 4, 0x1B, 64) + gid(src_ip) + gid(dst_ip)
    return grh + struct.pack("!HH", 0x0800, 0) + raw


def l2_cisco_hdlc(pkt, src_ip, dst_ip):
    return struct.pack("!BBH", 0x0F, 0x00, 0x0800) + bytes(pkt)    # unicast, IPv4


def l2_arcnet(pkt, src_ip, dst_ip):
    # Linux ARCnet: source and destination station, a 2-byte offset, then
    # protocol 0xf0 (RFC 1051 IP, no fragmentation header).
    src, dst = (0x0A, 0x14) if src_ip == C4 else (0x14, 0x0A)
    return bytes([src, dst, 0, 0, 0xF0]) + bytes(pkt)


class FragmentingCapture(Capture):
    """Every IPv4 datagram with more than 16 bytes of payload is sent as
    fragments of 16 bytes, in order, 10 us apart; a datagram's frame number
    is that of its last fragment (where Wireshark reassembles it)."""

    def add(self, frame, dt_us=1000, caplen=None, at_us=None):
        eth = Ether(frame)
        ip = eth[IP]
        if len(bytes(ip.payload)) <= 16:
            return super().add(frame, dt_us, caplen, at_us)
        n = None
        for i, frag in enumerate(fragment(ip, fragsize=16)):
            n = super().add(bytes(Ether(src=eth.src, dst=eth.dst) / frag),
                            dt_us if i == 0 else 10, None, at_us if i == 0 else None)
        return n


def ordinary_connection(cap, port, isn, l2):
    f = TcpFlow(cap, C4, port, S4, 80, isn, isn + 0x70000000, l2=l2)
    f.handshake()
    f.request_response()
    f.four_way_close(first="c")


SIMPLE = {
    # name: (layer wrapper, link type, client port)
    "vxlan": (l2_vxlan, LINKTYPE_ETHERNET, 40101),
    "geneve": (l2_geneve, LINKTYPE_ETHERNET, 40102),
    "gtpu": (l2_gtpu, LINKTYPE_ETHERNET, 40103),
    "erspan": (l2_erspan, LINKTYPE_ETHERNET, 40104),
    "vendor-gre": (l2_vendor_gre, LINKTYPE_ETHERNET, 40105),
    "ayiya": (l2_ayiya, LINKTYPE_ETHERNET, 40106),
    "pppoe": (l2_pppoe, LINKTYPE_ETHERNET, 40107),
    "llc-snap": (l2_llc_snap, LINKTYPE_ETHERNET, 40108),
    "pbb": (l2_pbb, LINKTYPE_ETHERNET, 40109),
    "mpls": (l2_mpls, LINKTYPE_ETHERNET, 40110),
    "nflog": (l2_nflog, LINKTYPE_NFLOG, 40111),
    "ipoib": (l2_ipoib, LINKTYPE_IPOIB, 40112),
    "cisco-hdlc": (l2_cisco_hdlc, LINKTYPE_C_HDLC, 40113),
    "arcnet": (l2_arcnet, LINKTYPE_ARCNET_LINUX, 40114),
}


def simple(name):
    wrap, linktype, port = SIMPLE[name]
    cap = Capture()
    ordinary_connection(cap, port, 0x10010000 + port, wrap)
    cap.write(out("crafted-encap-%s.pcap" % name), linktype=linktype)


def ip_fragments():
    cap = FragmentingCapture()
    ordinary_connection(cap, 40115, 0x10020000, None or
                        (lambda pkt, s, d: Ether(src=mac_for(s), dst=mac_for(d)) / pkt))
    cap.write(out("crafted-encap-ip-fragments.pcap"))


# ---------------------------------------------------------------- IPv4 options

def with_ipv4_options(pkt, options):
    """pkt (an IPv4 datagram) with `options` (bytes, a multiple of 4)
    inserted after its 20-byte header; length and checksum fixed."""
    raw = bytes(pkt)
    header = bytearray(raw[:20])
    header[0] = 0x40 | (5 + len(options) // 4)
    struct.pack_into("!H", header, 2, len(raw) + len(options))
    header[10:12] = b"\x00\x00"
    header = bytes(header) + options
    total = sum(struct.unpack("!%dH" % (len(header) // 2), header))
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    header = header[:10] + struct.pack("!H", ~total & 0xFFFF) + header[12:]
    return header + raw[20:]


ROUTER = "198.51.100.1"


def source_route(option_type, final):
    """LSRR (0x83) or SSRR (0x89) with one hop left: the final address;
    the header's destination is the router that forwards it there."""
    a = bytes(int(x) for x in final.split("."))
    return bytes([option_type, 7, 4]) + a + b"\x00"     # + EOL: 8 bytes


def l2_source_routed(option_type):
    def wrap(pkt, src_ip, dst_ip):
        if src_ip == C4:
            pkt = pkt.copy()
            pkt[IP].dst = ROUTER
            raw = with_ipv4_options(pkt, source_route(option_type, dst_ip))
        else:
            raw = bytes(pkt)        # the servers answer directly
        return bytes(Ether(src=mac_for(src_ip), dst=mac_for(dst_ip), type=0x0800)) + raw
    return wrap


def ipv4_source_route():
    cap = Capture()
    # Two connections from the same client port to two servers, both sent
    # to the same router with a source route (LSRR, then SSRR) naming the
    # server: one header 4-tuple, two connections.
    for final, option_type, isn in (("198.51.100.20", 0x83, 0x10030000),
                                    ("198.51.100.21", 0x89, 0x10040000)):
        f = TcpFlow(cap, C4, 40116, final, 80, isn, isn + 0x70000000,
                    l2=l2_source_routed(option_type))
        f.handshake()
        f.request_response()
        f.four_way_close(first="c")
    cap.write(out("crafted-ipv4-source-route.pcap"))


def ipv4_bad_options():
    cap = Capture()
    eth = (lambda pkt, s, d: Ether(src=mac_for(s), dst=mac_for(d)) / pkt)
    f = TcpFlow(cap, C4, 40117, S4, 80, 0x10050000, 0x80050000, l2=eth)
    f.handshake()
    # The request, first with a malformed option (a time stamp option of
    # length 2: shorter than its own fixed part): Wireshark stops inside
    # the IP header and never reaches TCP.  Then the same request again,
    # without options: the one the server acknowledges.
    req = b"hello, server\n"
    frame, _ = f.segment("c", "PA", req)
    eth_len = 14
    bad = frame[:eth_len] + with_ipv4_options(IP(frame[eth_len:]), b"\x44\x02\x00\x00")
    cap.add(bad, dt_us=1000)
    f.send("c", "PA", req, dt_us=200000)
    f.send("s", "A", dt_us=100)
    f.send("s", "PA", b"hello, client; bye\n", dt_us=500)
    f.send("c", "A", dt_us=100)
    f.four_way_close(first="c")
    cap.write(out("crafted-ipv4-bad-options.pcap"))


SCENARIOS = dict((name, (lambda n: lambda: simple(n))(name)) for name in SIMPLE)
SCENARIOS["ip-fragments"] = ip_fragments
SCENARIOS["ipv4-source-route"] = ipv4_source_route
SCENARIOS["ipv4-bad-options"] = ipv4_bad_options


def main(argv):
    names = argv[1:] or list(SCENARIOS)
    for n in names:
        if n not in SCENARIOS:
            sys.exit("unknown scenario %r; known: %s" % (n, " ".join(SCENARIOS)))
        SCENARIOS[n]()


if __name__ == "__main__":
    main(sys.argv)
