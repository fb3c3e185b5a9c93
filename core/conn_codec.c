/* conn_codec.c — see conn_codec.h.
 *
 * One function walks the members of a connection's record (conn.h) in a
 * fixed order, packing or unpacking each, so the two directions cannot
 * drift apart.  A leading 64-bit mask says which members are non-zero; only
 * those take bytes.  A
 * non-zero member is written as the zigzag varint of its difference from a
 * related member met earlier in the walk (a link from the first frame, an
 * endpoint's next sequence number from its ISN, Zeek's sequence numbers
 * from tcpphase's), which is a byte or two where they agree.  Differences
 * wrap at the member's width, so any value packs and comes back exactly.
 * Times stored as "-1 = none" are walked as value + 1 so that "none" is a
 * zero member.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_codec.h"

#include <string.h>

/* walk_conn() lists every member by hand.  A member added to one of these
 * structures changes its size: the assertion fails until the new member is
 * walked there (and the size here updated). */
_Static_assert(sizeof(tp_endpoint) == 32, "walk the new tp_endpoint member in walk_conn()");
_Static_assert(sizeof(tp_conn) == 192, "walk the new tp_conn member in walk_conn()");
_Static_assert(sizeof(tp_zeek) == 72, "walk the new tp_zeek member in walk_conn()");
_Static_assert(sizeof(tp_conn_record) == sizeof(tp_conn) + sizeof(tp_zeek),
               "walk the new tp_conn_record member in walk_conn()");

typedef struct codec {
    bool           packing;
    uint8_t       *out;       /* packing: the next byte */
    const uint8_t *in;        /* unpacking: the next byte */
    uint64_t       nonzero;   /* one bit per member, in walk order */
    unsigned       member;    /* walk position */
} codec;

static inline void put_varint(codec *k, uint64_t v)
{
    while (v >= 0x80) {
        *k->out++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *k->out++ = (uint8_t)v;
}

static inline uint64_t get_varint(codec *k)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        uint8_t b = *k->in++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    return v;
}

static uint64_t zigzag(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static int64_t unzigzag(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

/* One member of `bits` width (8, 16, 32 or 64), as a difference from base. */
static inline uint64_t walk(codec *k, uint64_t value, uint64_t base, unsigned bits)
{
    uint64_t bit = 1ull << k->member++;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    if (k->packing) {
        if (value & mask) {
            k->nonzero |= bit;
            uint64_t d = (value - base) & mask;
            /* Sign-extend the difference at the member's width. */
            int64_t sd = bits == 64 ? (int64_t)d
                                    : (int64_t)(d ^ (1ull << (bits - 1))) - (int64_t)(1ull << (bits - 1));
            put_varint(k, zigzag(sd));
        }
        return value;
    }
    if (!(k->nonzero & bit))
        return 0;
    return (base + (uint64_t)unzigzag(get_varint(k))) & mask;
}

#define WALK8(k, m)        ((m) = (uint8_t)walk((k), (m), 0, 8))
#define WALK16(k, m)       ((m) = (uint16_t)walk((k), (m), 0, 16))
#define WALK32(k, m, base) ((m) = (uint32_t)walk((k), (m), (base), 32))
#define WALK64(k, m, base) ((m) = walk((k), (m), (base), 64))

/* A -1-means-none time, walked as value + 1 from base + 1. */
static int64_t walk_time(codec *k, int64_t value, int64_t base)
{
    return (int64_t)(walk(k, (uint64_t)value + 1, (uint64_t)base + 1, 64) - 1);
}

static const uint8_t zeros[32];

/* A byte array as a length byte and its first `used` bytes, if the others
 * are zero (an IPv4 address, a NUL-terminated string); whole otherwise. */
static inline void walk_bytes(codec *k, uint8_t *bytes, size_t size, size_t used)
{
    if (k->packing) {
        size_t n = memcmp(bytes + used, zeros, size - used) == 0 ? used : size;
        *k->out++ = (uint8_t)n;
        memcpy(k->out, bytes, n);
        k->out += n;
    } else {
        size_t n = *k->in++;
        if (n > size)
            n = size;   /* never written by tp_conn_pack() */
        memcpy(bytes, k->in, n);
        k->in += n;
    }
}

/* c is read when packing and written when unpacking (then zeroed first).
 * Inlined into both callers, so that each direction is compiled on its own
 * (a connection is packed once per replaced incarnation: keep it cheap). */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void walk_conn(codec *k, tp_conn_record *r)
{
    tp_conn *c = &r->conn;
    WALK32(k, c->first_frame, 0);
    WALK32(k, c->last_frame, c->first_frame);
    for (unsigned i = 0; i < TP_LINK_COUNT; i++)
        WALK32(k, c->link[i], c->first_frame);

    c->first_ns = (int64_t)walk(k, (uint64_t)c->first_ns, 0, 64);
    c->last_ns = (int64_t)walk(k, (uint64_t)c->last_ns, (uint64_t)c->first_ns, 64);
    c->handshake_ns = walk_time(k, c->handshake_ns, 0);
    c->teardown_start_ns = walk_time(k, c->teardown_start_ns, c->first_ns);
    c->teardown_ns = walk_time(k, c->teardown_ns, 0);

    for (unsigned e = 0; e < 2; e++)
        WALK32(k, c->ep[e].isn, 0);
    for (unsigned e = 0; e < 2; e++)
        WALK32(k, c->ep[e].snd_nxt, c->ep[e].isn);
    for (unsigned e = 0; e < 2; e++) {
        tp_endpoint *ep = &c->ep[e];
        WALK64(k, ep->bytes, 0);
        WALK32(k, ep->fin_seq, ep->snd_nxt - 1);
        WALK32(k, ep->last_ack, c->ep[1 - e].snd_nxt);
        WALK32(k, ep->packets, 0);
        WALK16(k, ep->flags);
        WALK8(k, ep->state);
        WALK8(k, ep->pre_rst_state);
    }

    for (unsigned e = 0; e < 2; e++) {
        WALK8(k, c->addr[e].family);
        walk_bytes(k, c->addr[e].bytes, sizeof c->addr[e].bytes,
                   c->addr[e].family == 6 ? sizeof c->addr[e].bytes : 4);
        WALK16(k, c->port[e]);
    }
    WALK16(k, c->anomalies);
    WALK16(k, c->cflags);
    WALK8(k, c->open_kind);
    WALK8(k, c->close_kind);
    WALK8(k, c->client);

    tp_zeek *z = &r->zeek;
    const char *end = k->packing ? memchr(z->history, 0, sizeof z->history) : NULL;
    walk_bytes(k, (uint8_t *)z->history, sizeof z->history,
               end ? (size_t)(end - z->history) : sizeof z->history);
    WALK8(k, z->part);
    WALK8(k, z->orig);
    WALK32(k, z->timer_ms, 0);
    for (unsigned i = 0; i < 2; i++) {
        /* Zeek's side i is tcpphase's endpoint i, or the other if flipped. */
        const tp_endpoint *ep = &c->ep[(i ^ z->orig) & 1];
        WALK32(k, z->start_seq[i], ep->isn);
        WALK32(k, z->last_fin_seq[i], ep->fin_seq);
        WALK32(k, z->last_rst_seq[i], ep->snd_nxt);
        WALK32(k, z->last_seq[i], ep->snd_nxt);
        WALK16(k, z->rxmit[i]);
        WALK8(k, z->zero_win[i]);
        WALK8(k, z->state[i]);
    }
    WALK16(k, z->seen);
    WALK8(k, z->flags);
}

size_t tp_conn_pack(const tp_conn_record *c, uint8_t *out)
{
    tp_conn_record copy = *c;   /* walk_conn() writes each member back as it was */
    codec k = { .packing = true, .out = out + sizeof(uint64_t) };
    walk_conn(&k, &copy);
    memcpy(out, &k.nonzero, sizeof k.nonzero);
    return (size_t)(k.out - out);
}

void tp_conn_unpack(const uint8_t *in, uint32_t id, tp_conn_record *c)
{
    codec k = { .packing = false, .in = in + sizeof(uint64_t) };
    memcpy(&k.nonzero, in, sizeof k.nonzero);
    memset(c, 0, sizeof *c);
    walk_conn(&k, c);
    c->conn.id = id;
}
