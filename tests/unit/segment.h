/* segment.h — the segments the core's unit tests feed: two endpoints,
 * A (192.0.2.1 or 2001::1, port 40000) and B (198.51.100.7 or 2001::2, a
 * port of the test's choosing), and a self-connect X (A to itself).
 * Include it once per test program, after tcpphase.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_TESTS_SEGMENT_H
#define TCPPHASE_TESTS_SEGMENT_H

#include <string.h>

/* Directions: A sends to B, B sends to A, X is a self-connect. */
enum dir { A, B, X };

/* "S", "SA", "PA", "FA", "R", "RA"...: the TCP flags they name. */
static uint8_t parse_flags(const char *f)
{
    uint8_t v = 0;
    for (; *f; f++) {
        switch (*f) {
        case 'S': v |= TP_SYN; break;
        case 'A': v |= TP_ACK; break;
        case 'F': v |= TP_FIN; break;
        case 'R': v |= TP_RST; break;
        case 'P': v |= TP_PSH; break;
        default: break;
        }
    }
    return v;
}

/* The segment `frame`, sent in direction `dir` at `t` seconds into the
 * capture, over IPv4 or (v6) IPv6, B listening on `bport`. */
static void fill_segment(tp_segment *out, enum dir dir, const char *flags,
                         uint32_t seq, uint32_t ack, uint32_t len, double t,
                         uint32_t frame, int v6, uint16_t bport)
{
    memset(out, 0, sizeof(*out));
    tp_addr a = { .family = 4, .bytes = { 192, 0, 2, 1 } };
    tp_addr b = { .family = 4, .bytes = { 198, 51, 100, 7 } };
    if (v6) {
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        a.family = b.family = 6;
        a.bytes[0] = b.bytes[0] = 0x20; a.bytes[1] = b.bytes[1] = 0x01;
        a.bytes[15] = 1; b.bytes[15] = 2;
    }
    uint16_t aport = 40000;
    switch (dir) {
    case A: out->src = a; out->sport = aport; out->dst = b; out->dport = bport; break;
    case B: out->src = b; out->sport = bport; out->dst = a; out->dport = aport; break;
    case X: out->src = a; out->sport = aport; out->dst = a; out->dport = aport; break;
    }
    out->frame = frame;
    out->time_ns = (int64_t)(t * 1e9) + 1700000000LL * 1000000000LL;
    out->flags = parse_flags(flags);
    out->seq = seq;
    out->ack = ack;
    out->payload_len = len;
    out->window = 512;
}

#endif
