/* tcp-segment.h — the facts of a TCP segment, read straight from the header
 * that IP hands to TCP.  The plugin's hook and the batch tool's dissection
 * both read segments here, so that they cannot read one differently.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TCP_SEGMENT_H
#define TCPPHASE_TCP_SEGMENT_H

#include <string.h>

#include <glib.h>
#include <epan/packet.h>
#include <epan/address.h>

#include "tcpphase.h"

static inline gboolean
tp_addr_from_address(tp_addr *dst, const address *src)
{
    if (src->type == AT_IPv4 && src->len == 4) {
        dst->family = 4;
        memcpy(dst->bytes, src->data, 4);
        return TRUE;
    }
    if (src->type == AT_IPv6 && src->len == 16) {
        dst->family = 6;
        memcpy(dst->bytes, src->data, 16);
        return TRUE;
    }
    return FALSE;
}

/* Fill *seg from tvb (a TCP header and what follows it) and from what IP
 * (the innermost IP of a tunnel) set in pinfo just before: its addresses,
 * and for a source-routed IPv4 datagram the route's last hop as the
 * destination.  FALSE, with *seg partly written, if the header is too short
 * or malformed or the addresses are not IP. */
static inline gboolean
tp_segment_from_tvb(tvbuff_t *tvb, const packet_info *pinfo, tp_segment *seg)
{
    const guint8 *hdr;
    guint captured, reported, header_len;

    captured = tvb_captured_length(tvb);
    if (captured < 14)
        return FALSE;                   /* ports, seq, ack, offset, flags */
    /* Read in place: IP hands TCP a subset of the frame's bytes, so this is
     * a pointer into them, with no copy (tvb_memcpy() costs a memcpy call). */
    hdr = tvb_get_ptr(tvb, 0, captured >= 16 ? 16 : 14);
    header_len = (guint)(hdr[12] >> 4) * 4;
    if (header_len < 20)
        return FALSE;
    reported = tvb_reported_length(tvb);
    if (reported < header_len)
        return FALSE;

    memset(seg, 0, sizeof *seg);        /* also the unused address bytes */
    if (!tp_addr_from_address(&seg->src, &pinfo->src)
            || !tp_addr_from_address(&seg->dst, &pinfo->dst)
            || seg->src.family != seg->dst.family)
        return FALSE;
    seg->frame = pinfo->num;
    if (pinfo->presence_flags & PINFO_HAS_TS)
        seg->time_ns = (int64_t)pinfo->abs_ts.secs * G_GINT64_CONSTANT(1000000000)
                       + pinfo->abs_ts.nsecs;
    seg->sport = (uint16_t)(hdr[0] << 8 | hdr[1]);
    seg->dport = (uint16_t)(hdr[2] << 8 | hdr[3]);
    seg->seq = (uint32_t)hdr[4] << 24 | (uint32_t)hdr[5] << 16 | (uint32_t)hdr[6] << 8 | hdr[7];
    seg->ack = (uint32_t)hdr[8] << 24 | (uint32_t)hdr[9] << 16 | (uint32_t)hdr[10] << 8 | hdr[11];
    seg->flags = hdr[13];
    seg->window = captured >= 16 ? (uint16_t)(hdr[14] << 8 | hdr[15]) : 0;
    seg->payload_len = reported - header_len;
    return TRUE;
}

#endif
