/* decode.c — see decode.h.
 *
 * A frame is walked as a window of bytes with two lengths, the way
 * Wireshark's tvbuffs do it: `cap` bytes were captured, `rep` bytes were on
 * the wire.  A header must be captured to be read; an IP length shrinks
 * `rep` (never grows it), so Ethernet padding is not payload and a frame cut
 * by the snap length still has its real payload length.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "decode.h"

#include <string.h>

typedef struct view {
    const uint8_t *p;
    uint32_t cap;   /* captured bytes from p */
    uint32_t rep;   /* bytes on the wire from p (>= cap) */
} view;

/* Tunnels inside tunnels: enough for any real network, and a bound on
 * crafted frames that nest headers forever. */
#define MAX_DEPTH 8

enum {
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_ARP = 0x0806,
    ETHERTYPE_TEB = 0x6558,     /* transparent Ethernet bridging (in GRE) */
    ETHERTYPE_RARP = 0x8035,
    ETHERTYPE_VLAN = 0x8100,
    ETHERTYPE_IPV6 = 0x86dd,
    ETHERTYPE_SLOW = 0x8809,    /* LACP */
    ETHERTYPE_EAPOL = 0x888e,
    ETHERTYPE_QINQ = 0x88a8,    /* 802.1ad service tag */
    ETHERTYPE_LLDP = 0x88cc,
    ETHERTYPE_PTP = 0x88f7,
    ETHERTYPE_QINQ_OLD = 0x9100,
};

enum {
    IPPROTO_HOPOPTS_ = 0,
    IPPROTO_ICMP_ = 1,
    IPPROTO_IGMP_ = 2,
    IPPROTO_IPIP_ = 4,
    IPPROTO_TCP_ = 6,
    IPPROTO_UDP_ = 17,
    IPPROTO_IPV6_ = 41,
    IPPROTO_ROUTING_ = 43,
    IPPROTO_FRAGMENT_ = 44,
    IPPROTO_GRE_ = 47,
    IPPROTO_ESP_ = 50,
    IPPROTO_AH_ = 51,
    IPPROTO_ICMPV6_ = 58,
    IPPROTO_NONE_ = 59,
    IPPROTO_DSTOPTS_ = 60,
    IPPROTO_OSPF_ = 89,
    IPPROTO_VRRP_ = 112,
};

/* VXLAN's IANA port (RFC 7348), Wireshark's default for it. */
#define UDP_PORT_VXLAN 4789

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The part of v after its first n bytes (n must be captured). */
static view skip(view v, uint32_t n)
{
    view r = { v.p + n, v.cap - n, v.rep - n };
    return r;
}

/* A length field says the datagram is `len` bytes: trailing bytes (padding,
 * a trailer, an FCS) are not part of it.  A larger length changes nothing,
 * as in Wireshark's set_actual_length(). */
static void shrink(view *v, uint32_t len)
{
    if (len < v->rep)
        v->rep = len;
    if (v->cap > v->rep)
        v->cap = v->rep;
}

static tpa_verdict ip_any(view v, tp_segment *seg, int depth);
static tpa_verdict ethernet(view v, tp_segment *seg, int depth);
static tpa_verdict ethertype(uint16_t type, view v, tp_segment *seg, int depth);

static tpa_verdict tcp(view v, tp_segment *seg)
{
    /* The plugin's rule: ports, sequence, acknowledgment, offset and flags
     * captured; a data offset of at least 20 bytes inside the payload. */
    if (v.cap < 14)
        return TPA_SHORT;
    uint32_t header_len = (uint32_t)(v.p[12] >> 4) * 4;
    if (header_len < 20 || v.rep < header_len)
        return TPA_SHORT;
    seg->sport = get16(v.p);
    seg->dport = get16(v.p + 2);
    seg->seq = get32(v.p + 4);
    seg->ack = get32(v.p + 8);
    seg->flags = v.p[13];
    seg->window = v.cap >= 16 ? get16(v.p + 14) : 0;
    seg->payload_len = v.rep - header_len;
    return TPA_OK;
}

static tpa_verdict gre(view v, tp_segment *seg, int depth)
{
    if (v.cap < 4)
        return TPA_SHORT;
    uint16_t flags = get16(v.p);
    if ((flags & 0x7) != 0 || (flags & 0x4000))
        return TPA_UNDECODED;   /* enhanced GRE (PPTP), source routing */
    uint32_t len = 4;
    if (flags & 0x8000) len += 4;   /* checksum + reserved */
    if (flags & 0x2000) len += 4;   /* key */
    if (flags & 0x1000) len += 4;   /* sequence number */
    if (v.cap < len)
        return TPA_SHORT;
    return ethertype(get16(v.p + 2), skip(v, len), seg, depth + 1);
}

/* UDP: only VXLAN on its port is followed here.  Wireshark offers a
 * datagram to the lower port's dissector first, so 4789 must be the lower
 * port (VXLAN takes every datagram it is offered); and the UDP length must
 * be the IP payload's, as in every ordinary datagram.  Anything else (other
 * tunnels, other ports, odd lengths) is Wireshark's to decide. */
static tpa_verdict udp(view v, tp_segment *seg, int depth)
{
    if (v.cap < 8 + 8 + 14)
        return TPA_UNDECODED;
    uint16_t sport = get16(v.p), dport = get16(v.p + 2);
    uint16_t low = sport < dport ? sport : dport;
    if (low != UDP_PORT_VXLAN || get16(v.p + 4) != v.rep || depth > MAX_DEPTH)
        return TPA_UNDECODED;
    return ethernet(skip(v, 8 + 8), seg, depth + 1);
}

/* What follows an IP header (or an extension header): TCP, a tunnel, or
 * something else.  ICMP errors quote TCP headers that are not segments.
 * Only protocols that never carry IP are answered TPA_NOT_TCP here; every
 * other one is left to Wireshark. */
static tpa_verdict ip_payload(uint8_t proto, view v, tp_segment *seg, int depth)
{
    switch (proto) {
    case IPPROTO_TCP_:
        return tcp(v, seg);
    case IPPROTO_IPIP_:
    case IPPROTO_IPV6_:
        return ip_any(v, seg, depth + 1);
    case IPPROTO_GRE_:
        return gre(v, seg, depth + 1);
    case IPPROTO_UDP_:
        return udp(v, seg, depth);
    case IPPROTO_ICMP_:
    case IPPROTO_ICMPV6_:
    case IPPROTO_IGMP_:
    case IPPROTO_OSPF_:
    case IPPROTO_VRRP_:
        return TPA_NOT_TCP;
    default:
        return TPA_UNDECODED;   /* ESP, SCTP, PIM, L2TPv3, EtherIP, ... */
    }
}

static tpa_verdict ipv4(view v, tp_segment *seg, int depth)
{
    if (v.cap < 20)
        return TPA_SHORT;
    uint32_t header_len = (uint32_t)(v.p[0] & 0x0f) * 4;
    uint32_t total_len = get16(v.p + 2);
    if (total_len == 0)
        total_len = v.rep;      /* TSO: the NIC fills the length in later */
    if (header_len < 20 || total_len < header_len)
        return TPA_SHORT;
    /* Options: a source route changes the destination Wireshark gives TCP
     * (the route's last hop), and malformed ones stop it before TCP. */
    if (header_len > 20)
        return TPA_UNDECODED;
    shrink(&v, total_len);
    if (v.cap < header_len)
        return TPA_SHORT;
    uint16_t frag = get16(v.p + 6);
    if ((frag & 0x1fff) != 0 || (frag & 0x2000))
        return TPA_UNDECODED;   /* a fragment: Wireshark reassembles, we do not */

    seg->src.family = seg->dst.family = 4;
    memcpy(seg->src.bytes, v.p + 12, 4);
    memcpy(seg->dst.bytes, v.p + 16, 4);
    memset(seg->src.bytes + 4, 0, 12);
    memset(seg->dst.bytes + 4, 0, 12);

    uint8_t proto = v.p[9];
    v = skip(v, header_len);
    if (proto == IPPROTO_AH_) {
        if (v.cap < 2)
            return TPA_SHORT;
        uint32_t ah_len = ((uint32_t)v.p[1] + 2) * 4;
        if (v.cap < ah_len)
            return TPA_SHORT;
        proto = v.p[0];
        v = skip(v, ah_len);
    }
    return ip_payload(proto, v, seg, depth);
}

static tpa_verdict ipv6(view v, tp_segment *seg, int depth)
{
    if (v.cap < 40)
        return TPA_SHORT;
    if ((v.p[0] >> 4) != 6)
        return TPA_UNDECODED;
    uint32_t payload_len = get16(v.p + 4);
    uint8_t next = v.p[6];
    if (payload_len != 0 || next != IPPROTO_HOPOPTS_)
        shrink(&v, 40 + payload_len);   /* else a jumbogram: the frame's length */

    seg->src.family = seg->dst.family = 6;
    memcpy(seg->src.bytes, v.p + 8, 16);
    memcpy(seg->dst.bytes, v.p + 24, 16);
    v = skip(v, 40);

    for (;;) {
        uint32_t len;
        switch (next) {
        case IPPROTO_HOPOPTS_:
        case IPPROTO_DSTOPTS_:
            if (v.cap < 2)
                return TPA_SHORT;
            len = ((uint32_t)v.p[1] + 1) * 8;
            break;
        case IPPROTO_FRAGMENT_:
            if (v.cap < 8)
                return TPA_SHORT;
            if ((get16(v.p + 2) & 0xfff9) != 0)
                return TPA_UNDECODED;   /* a real fragment (not an atomic one) */
            len = 8;
            break;
        case IPPROTO_AH_:
            if (v.cap < 2)
                return TPA_SHORT;
            len = ((uint32_t)v.p[1] + 2) * 4;
            break;
        case IPPROTO_NONE_:
            return TPA_NOT_TCP;
        case IPPROTO_ROUTING_:
            return TPA_UNDECODED;       /* Wireshark's to read */
        default:
            return ip_payload(next, v, seg, depth);
        }
        if (v.cap < len)
            return TPA_SHORT;
        next = v.p[0];
        v = skip(v, len);
    }
}

/* Wireshark's "ip" dissector: IPv4 or IPv6 by the version nibble. */
static tpa_verdict ip_any(view v, tp_segment *seg, int depth)
{
    if (depth > MAX_DEPTH)
        return TPA_UNDECODED;
    if (v.cap < 1)
        return TPA_SHORT;
    switch (v.p[0] >> 4) {
    case 4: return ipv4(v, seg, depth);
    case 6: return ipv6(v, seg, depth);
    default: return TPA_UNDECODED;
    }
}

static tpa_verdict ethertype(uint16_t type, view v, tp_segment *seg, int depth)
{
    if (depth > MAX_DEPTH)
        return TPA_UNDECODED;
    switch (type) {
    case ETHERTYPE_IPV4:
        return ip_any(v, seg, depth);
    case ETHERTYPE_IPV6:
        return ipv6(v, seg, depth);
    case ETHERTYPE_VLAN:
    case ETHERTYPE_QINQ:
    case ETHERTYPE_QINQ_OLD:
        if (v.cap < 4)
            return TPA_SHORT;
        return ethertype(get16(v.p + 2), skip(v, 4), seg, depth + 1);
    case ETHERTYPE_TEB:
        return ethernet(v, seg, depth + 1);
    case ETHERTYPE_ARP:
    case ETHERTYPE_RARP:
    case ETHERTYPE_SLOW:
    case ETHERTYPE_EAPOL:
    case ETHERTYPE_LLDP:
    case ETHERTYPE_PTP:
        return TPA_NOT_TCP;
    default:
        /* An 802.3 length (LLC, SNAP), MPLS, PPPoE, PBB, ERSPAN, ... */
        return TPA_UNDECODED;
    }
}

static tpa_verdict ethernet(view v, tp_segment *seg, int depth)
{
    if (v.cap < 14)
        return TPA_SHORT;
    return ethertype(get16(v.p + 12), skip(v, 14), seg, depth);
}

/* BSD loopback: an address family, then IP. */
static tpa_verdict loopback(uint32_t family, view v, tp_segment *seg)
{
    switch (family) {
    case 2:                             /* AF_INET everywhere */
    case 10: case 24: case 28: case 30: /* AF_INET6: Linux, *BSD, FreeBSD, Darwin */
        return ip_any(v, seg, 0);
    default:
        return TPA_NOT_TCP;
    }
}

tpa_verdict tpa_decode(tpa_link link, const uint8_t *data, uint32_t caplen,
                       uint32_t wire_len, tp_segment *seg)
{
    view v = { data, caplen, wire_len < caplen ? caplen : wire_len };

    switch (link) {
    case TPA_LINK_ETHERNET:
        return ethernet(v, seg, 0);
    case TPA_LINK_SLL:
        if (v.cap < 16)
            return TPA_SHORT;
        return ethertype(get16(v.p + 14), skip(v, 16), seg, 0);
    case TPA_LINK_SLL2:
        if (v.cap < 20)
            return TPA_SHORT;
        return ethertype(get16(v.p), skip(v, 20), seg, 0);
    case TPA_LINK_RAW_IP:
        return ip_any(v, seg, 0);
    case TPA_LINK_RAW_IP4:
        return v.cap >= 1 && (v.p[0] >> 4) == 4 ? ipv4(v, seg, 0) : TPA_UNDECODED;
    case TPA_LINK_RAW_IP6:
        return ipv6(v, seg, 0);
    case TPA_LINK_NULL: {
        if (v.cap < 4)
            return TPA_SHORT;
        /* Written in the byte order of the capturing host: a family is
         * small, so a value with only its high half set was swapped. */
        uint32_t family = (uint32_t)v.p[0] | (uint32_t)v.p[1] << 8
                          | (uint32_t)v.p[2] << 16 | (uint32_t)v.p[3] << 24;
        if ((family & 0xffff0000u) && !(family & 0xffffu))
            family = get32(v.p);
        return loopback(family, skip(v, 4), seg);
    }
    case TPA_LINK_LOOP:
        if (v.cap < 4)
            return TPA_SHORT;
        return loopback(get32(v.p), skip(v, 4), seg);
    default:
        return TPA_UNDECODED;
    }
}
