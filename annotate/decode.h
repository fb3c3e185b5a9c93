/* decode.h — from a captured frame to the facts of its TCP segment, fast.
 *
 * tcpphase-annotate reads the common link and network layers itself,
 * several times faster than Wireshark's dissectors: Ethernet (with
 * 802.1Q/802.1ad tags), Linux cooked v1/v2, raw IP, BSD loopback, IPv4
 * without options, IPv6 with hop-by-hop and destination options, IP-in-IP,
 * GRE and VXLAN (on UDP port 4789).  Whatever else could carry TCP is
 * answered TPA_UNDECODED and handed to Wireshark's own dissectors
 * (dissect.h).  The rules mirror what Wireshark hands to TCP (the
 * annotate-equal tests compare them on every version built for), so that
 * the plugin and the tool feed the core the same segments: the innermost
 * IP header gives the addresses, the IP length
 * (not the captured length) gives the payload length, TCP headers quoted in
 * ICMP errors are not segments, and a TCP header is read only when at least
 * 14 of its bytes were captured and its data offset fits the IP payload.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_DECODE_H
#define TCPPHASE_ANNOTATE_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpphase.h"

/* Link-layer types the decoder knows, translated from the reader's
 * encapsulation codes by the caller (so that this file needs no wiretap). */
typedef enum tpa_link {
    TPA_LINK_UNKNOWN,
    TPA_LINK_ETHERNET,
    TPA_LINK_SLL,        /* Linux cooked capture v1 */
    TPA_LINK_SLL2,       /* Linux cooked capture v2 */
    TPA_LINK_RAW_IP,     /* IPv4 or IPv6, told apart by the version nibble */
    TPA_LINK_RAW_IP4,
    TPA_LINK_RAW_IP6,
    TPA_LINK_NULL,       /* BSD loopback: address family in host byte order */
    TPA_LINK_LOOP,       /* OpenBSD loopback: address family in network order */
} tpa_link;

/* Why a frame gave no segment; TPA_OK when it did. */
typedef enum tpa_verdict {
    TPA_OK,
    TPA_NOT_TCP,        /* a well-formed frame without a TCP segment (ARP, UDP, ICMP, ...) */
    TPA_UNDECODED,      /* something this decoder does not follow: Wireshark's to decode */
    TPA_SHORT,          /* cut short, or a length field that does not fit */
} tpa_verdict;

/* Fill seg's addresses, ports, sequence numbers, flags, window and payload
 * length from one frame (frame number and time are the caller's).
 *   data, caplen: the captured bytes; wire_len: the frame's length on the
 *   wire (what Wireshark calls the reported length). */
tpa_verdict tpa_decode(tpa_link link, const uint8_t *data, uint32_t caplen,
                       uint32_t wire_len, tp_segment *seg);

#endif
