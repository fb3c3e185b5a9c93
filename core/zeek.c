/* zeek.c — Zeek's conn_state and history, by Zeek's own rules.
 *
 * Zeek tracks each endpoint through its own small set of states (not
 * RFC 9293's) and writes a history letter for the first packet of each kind
 * in each direction.  The rules followed here are those spelled out in
 * ../shared/peers/zeek/SEMANTICS.md (from TCPSessionAdapter.cc,
 * TCP_Endpoint.cc, Session.cc and conn/main.zeek).  Index 0 below is Zeek's
 * originator, 1 its responder.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "zeek.h"

#include <string.h>

enum zeek_state {
    Z_INACTIVE, Z_SYN_SENT, Z_SYN_ACK_SENT, Z_PARTIAL, Z_ESTABLISHED, Z_CLOSED, Z_RESET
};

/* Once-per-direction history bits (the responder's are shifted by 16). */
enum { H_SYN = 1u << 0, H_FIN = 1u << 1, H_RST = 1u << 2, H_ACK = 1u << 3,
       H_DATA = 1u << 4, H_INCONSISTENT = 1u << 5, H_MULTI = 1u << 6 };

/* tp_zeek.flags */
enum { Z_FIN_THEN_RST_0 = 1u << 0, Z_FIN_THEN_RST_1 = 1u << 1, Z_FLIPPED = 1u << 2 };

/* Ports Zeek's default analyzers register as likely servers. */
static bool likely_server_port(uint16_t port)
{
    static const uint16_t ports[] = {
        21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 137, 139, 143, 389, 443, 445,
        465, 502, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 994, 995, 1080,
        1194, 1433, 1434, 1812, 1813, 2049, 3128, 3268, 3306, 3389, 5060, 5223, 5432,
        6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888,
    };
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
        if (ports[i] == port)
            return true;
    return false;
}

static bool inactive(uint8_t s)
{
    return s == Z_INACTIVE || s == Z_PARTIAL;
}

static void add_letter(tp_zeek *z, char letter)
{
    size_t n = strlen(z->history);
    if (n + 1 < sizeof(z->history)) {
        z->history[n] = letter;
        z->history[n + 1] = '\0';
    }
}

static char side_letter(char upper, unsigned side)
{
    return side == 0 ? upper : (char)(upper - 'A' + 'a');
}

/* A letter recorded once per direction. */
static void once(tp_zeek *z, unsigned side, uint32_t bit, char upper)
{
    uint32_t mask = bit << (side * 16);
    if (z->seen & mask)
        return;
    z->seen |= mask;
    add_letter(z, side_letter(upper, side));
}

/* A letter recorded again whenever its sequence number changes. */
static void repeated(tp_zeek *z, unsigned side, uint32_t bit, char upper, uint32_t *last, uint32_t seq)
{
    uint32_t mask = bit << (side * 16);
    if ((z->seen & mask) && *last == seq)
        return;
    z->seen |= mask;
    *last = seq;
    add_letter(z, side_letter(upper, side));
}

/* Logarithmic letters: at the 1st, 10th, 100th... occurrence. */
static void scaled(tp_zeek *z, unsigned side, uint32_t *counter, char upper)
{
    uint32_t n = ++*counter;
    uint32_t threshold = 1;
    while (threshold < n && threshold <= UINT32_MAX / 10)
        threshold *= 10;
    if (n == threshold)
        add_letter(z, side_letter(upper, side));
}

static void flip(tp_conn *c)
{
    tp_zeek *z = &c->zeek;
    z->orig ^= 1;
    uint8_t s = z->state[0]; z->state[0] = z->state[1]; z->state[1] = s;
    z->flags ^= Z_FLIPPED;
    z->seen = (z->seen >> 16) | (z->seen << 16);
    uint32_t t;
    t = z->last_syn_seq[0]; z->last_syn_seq[0] = z->last_syn_seq[1]; z->last_syn_seq[1] = t;
    t = z->last_fin_seq[0]; z->last_fin_seq[0] = z->last_fin_seq[1]; z->last_fin_seq[1] = t;
    t = z->last_rst_seq[0]; z->last_rst_seq[0] = z->last_rst_seq[1]; z->last_rst_seq[1] = t;
    t = z->rxmit[0]; z->rxmit[0] = z->rxmit[1]; z->rxmit[1] = t;
    t = z->zero_win[0]; z->zero_win[0] = z->zero_win[1]; z->zero_win[1] = t;
    add_letter(z, '^');
}

void tp_zeek_begin(tp_conn *c, const tp_segment *seg)
{
    tp_zeek *z = &c->zeek;
    memset(z, 0, sizeof(*z));
    z->orig = 0;    /* the first packet's sender */
    bool bare_syn = (seg->flags & (TP_SYN | TP_ACK)) == TP_SYN;
    if (bare_syn || (c->cflags & TP_CONN_SELF))
        return;
    bool src_likely = likely_server_port(seg->sport), dst_likely = likely_server_port(seg->dport);
    if ((src_likely && !dst_likely) ||
        (src_likely && dst_likely && !(seg->flags & TP_SYN) && seg->sport < seg->dport))
        flip(c);
}

void tp_zeek_segment(tp_conn *c, unsigned sender, const tp_segment *seg, bool rxmit)
{
    tp_zeek *z = &c->zeek;
    bool syn = seg->flags & TP_SYN, fin = seg->flags & TP_FIN, rst = seg->flags & TP_RST;
    bool ack = seg->flags & TP_ACK;

    /* A connection that began with a SYN-ACK ("H") whose next packet is an
     * ACK or data from the other side, or the SYN behind it: Zeek flips. */
    unsigned side = (sender == z->orig) ? 0 : 1;
    if (side == 1 && z->state[0] == Z_SYN_ACK_SENT && z->state[1] == Z_INACTIVE &&
        !(z->flags & Z_FLIPPED)) {
        if (!syn && !fin && !rst && strcmp(z->history, "H") == 0) {
            strcpy(z->history, "");
            flip(c);
            z->seen = 0;
            strcpy(z->history, "^");
            once(z, 1, H_SYN, 'H');
            z->last_syn_seq[1] = z->last_syn_seq[0];
            side = 0;
        } else if (syn && !ack) {
            flip(c);
            side = 0;
        }
    }
    unsigned peer = 1 - side;

    /* History letters. */
    unsigned nflags = (unsigned)syn + (unsigned)fin + (unsigned)rst;
    if (nflags > 1) {
        if (fin && rst)
            once(z, side, H_INCONSISTENT, 'I');
        else
            once(z, side, H_MULTI, 'Q');
    } else if (syn) {
        repeated(z, side, H_SYN, ack ? 'H' : 'S', &z->last_syn_seq[side], seg->seq);
    } else if (fin) {
        repeated(z, side, H_FIN, 'F', &z->last_fin_seq[side], seg->seq + seg->payload_len);
    } else if (rst) {
        repeated(z, side, H_RST, 'R', &z->last_rst_seq[side], seg->seq);
    } else if (seg->payload_len > 0) {
        once(z, side, H_DATA, 'D');
    } else if (ack) {
        once(z, side, H_ACK, 'A');
    }
    if (rxmit && !syn && !rst)
        scaled(z, side, &z->rxmit[side], 'T');
    if (seg->window == 0 && !syn && !fin && !rst && z->state[peer] != Z_CLOSED)
        scaled(z, side, &z->zero_win[side], 'W');

    /* Endpoint states. */
    uint8_t *me = &z->state[side], *them = &z->state[peer];
    if (syn && !rst) {
        if (side == 0) {
            if (*me == Z_INACTIVE || *me == Z_PARTIAL)
                *me = ack ? Z_SYN_ACK_SENT : Z_SYN_SENT;
        } else if (ack) {
            *me = Z_ESTABLISHED;
            if (*them == Z_SYN_SENT || *them == Z_SYN_ACK_SENT)
                *them = Z_ESTABLISHED;
        } else {
            /* A bare SYN from the responder: simultaneous open. */
            if (*them == Z_SYN_SENT)
                *them = Z_ESTABLISHED;
            if (*me == Z_INACTIVE || *me == Z_PARTIAL)
                *me = Z_ESTABLISHED;
        }
    }
    if (fin && !rst) {
        *me = Z_CLOSED;
        /* FIN followed by RST from the peer, then our FIN: normal termination. */
        unsigned peer_bit = peer == 0 ? Z_FIN_THEN_RST_0 : Z_FIN_THEN_RST_1;
        if (*them == Z_RESET && (z->flags & peer_bit))
            *them = Z_CLOSED;
    }
    if (rst) {
        if (!(*me == Z_CLOSED && *them == Z_CLOSED)) {
            if (*me == Z_CLOSED)
                z->flags |= side == 0 ? Z_FIN_THEN_RST_0 : Z_FIN_THEN_RST_1;
            *me = Z_RESET;
        }
    }
    if (!syn && !fin && !rst) {
        if (*me == Z_INACTIVE) {
            if (ack && side == 0 && *them == Z_ESTABLISHED)
                *me = Z_ESTABLISHED;     /* ACK after the responder's SYN-ACK */
            else
                *me = Z_PARTIAL;
        } else if ((*me == Z_SYN_SENT || *me == Z_SYN_ACK_SENT) && ack) {
            *me = Z_ESTABLISHED;
        }
    }
}

unsigned tp_conn_zeek_orig(const tp_conn *c)
{
    return c->zeek.orig;
}

/* The regular expression ^\^?S[^HAFGIQ]*R.* of conn_state()'s RSTOS0 branch. */
static bool syn_then_rst(const char *h)
{
    if (*h == '^')
        h++;
    if (*h != 'S')
        return false;
    for (h++; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

const char *tp_conn_zeek_state(const tp_conn *c)
{
    const tp_zeek *z = &c->zeek;
    uint8_t os = z->state[0], rs = z->state[1];
    uint64_t obytes = c->ep[z->orig].bytes;
    uint64_t rbytes = (c->cflags & TP_CONN_SELF) ? 0 : c->ep[1 - z->orig].bytes;

    if (rs == Z_RESET) {
        if (os == Z_SYN_SENT || os == Z_SYN_ACK_SENT ||
            (os == Z_RESET && obytes == 0 && rbytes == 0))
            return "REJ";
        if (inactive(os))
            return "RSTRH";
        return "RSTR";
    }
    if (os == Z_RESET) {
        if (inactive(rs))
            return syn_then_rst(z->history) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (os == Z_CLOSED && rs == Z_CLOSED)
        return "SF";
    if (os == Z_CLOSED)
        return inactive(rs) ? "SH" : "S2";
    if (rs == Z_CLOSED)
        return inactive(os) ? "SHR" : "S3";
    if (os == Z_SYN_SENT && rs == Z_INACTIVE)
        return "S0";
    if (os == Z_ESTABLISHED && rs == Z_ESTABLISHED)
        return "S1";
    return "OTH";
}
