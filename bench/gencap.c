/* gencap.c — writes large synthetic TCP captures for the benchmark.
 *
 *   gencap mix      -n PACKETS     -o F   connections of every kind, interleaved
 *   gencap synflood -n SYNS        -o F   SYNs from distinct (address, port)s, none answered
 *   gencap reuse    -n INCARNATIONS -o F  one tuple, opened and closed over and over
 *   gencap long     -n SEGMENTS    -o F   one connection, sequence numbers wrapping
 *
 * Options: -s SEED (default 1), -6 PERCENT (mix: share of IPv6 connections,
 * default 10), -c CONCURRENT (mix: connections open at once, default 512),
 * -t (long: truncate the payload in the file, as a snap length would: the
 * segments keep their 1460-byte IP length, so ten million of them wrap the
 * sequence space three times but take 70 bytes each on disk), -e vxlan or
 * -e erspan (mix: a third of the connections, picked at random, are
 * carried in VXLAN on UDP port 4789, or mirrored in ERSPAN type II over
 * GRE, between two tunnel end points; the rest as usual).
 *
 * Output: classic pcap, microsecond timestamps, Ethernet.  The same seed
 * gives the same bytes, so a benchmark can be re-run on the same capture.
 * Every connection is a correct TCP conversation (sequence and
 * acknowledgment numbers consistent), so that the labels a dissector gives
 * are the ones it gives on real traffic; TCP checksums are left zero
 * (Wireshark does not check them by default).
 *
 * In "mix" a pool of -c connections is open at any time; each packet comes
 * from one picked at random, and a finished connection is replaced by a new
 * one of a random kind until -n packets are written.  The kinds: closes of
 * four and three segments, simultaneous close, abort by RST, refused,
 * unanswered SYN (with retransmissions), half-close, long-lived (hundreds
 * to thousands of segments, some starting close to the sequence wrap),
 * simultaneous open, and mid-stream (no handshake seen).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10 };

/* ---- Output -------------------------------------------------------------- */

static FILE *out;
static uint64_t now_us = 1700000000ull * 1000000ull;
static uint64_t packets_written;
static int truncate_payload;

/* -e: how the encapsulated third of the connections is carried. */
enum { ENCAP_NONE, ENCAP_VXLAN, ENCAP_ERSPAN };
static int encap_mode;
static uint32_t erspan_sequence;

static void put16le(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32le(uint8_t *p, uint32_t v) { put16le(p, (uint16_t)v); put16le(p + 2, (uint16_t)(v >> 16)); }
static void put16be(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32be(uint8_t *p, uint32_t v) { put16be(p, (uint16_t)(v >> 16)); put16be(p + 2, (uint16_t)v); }

static void write_or_die(const void *buf, size_t n)
{
    if (fwrite(buf, 1, n, out) != n) {
        fprintf(stderr, "gencap: write failed: %s\n", strerror(errno));
        exit(1);
    }
}

static void write_file_header(void)
{
    uint8_t h[24];
    put32le(h, 0xa1b2c3d4);     /* microsecond pcap */
    put16le(h + 4, 2);
    put16le(h + 6, 4);
    put32le(h + 8, 0);
    put32le(h + 12, 0);
    put32le(h + 16, 65535);     /* snap length */
    put32le(h + 20, 1);         /* LINKTYPE_ETHERNET */
    write_or_die(h, sizeof h);
}

/* An endpoint: IPv4 uses the last 4 bytes of addr. */
typedef struct endpoint {
    uint8_t  addr[16];
    uint16_t port;
} endpoint;

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The outer headers of an encapsulated frame: Ethernet, IPv4 between the
 * tunnel end points 192.0.2.1 and 192.0.2.2, then UDP + VXLAN or GRE +
 * ERSPAN II.  inner_len: the inner Ethernet frame's length on the wire.
 * Returns the headers' length. */
static size_t write_outer(uint8_t *o, int encap, int reverse, size_t inner_len)
{
    size_t tunnel = 8 + 8;      /* UDP + VXLAN, or GRE with sequence + ERSPAN II */
    memset(o, 0, 14 + 20 + tunnel);
    o[0] = 0x02; o[5] = 0x03; o[6] = 0x02; o[11] = 0x04;
    put16be(o + 12, 0x0800);
    uint8_t *ip = o + 14;
    ip[0] = 0x45;
    put16be(ip + 2, (uint16_t)(20 + tunnel + inner_len));
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = encap == ENCAP_VXLAN ? 17 : 47;
    ip[12] = 192; ip[14] = 2; ip[15] = (uint8_t)(reverse ? 2 : 1);
    ip[16] = 192; ip[18] = 2; ip[19] = (uint8_t)(reverse ? 1 : 2);
    put16be(ip + 10, ip_checksum(ip, 20));
    uint8_t *t = ip + 20;
    if (encap == ENCAP_VXLAN) {
        put16be(t, (uint16_t)(49152 + reverse));    /* source port: a flow hash */
        put16be(t + 2, 4789);
        put16be(t + 4, (uint16_t)(8 + 8 + inner_len));
        t[8] = 0x08;                                /* VNI present */
        t[13] = 42;                                 /* VNI 42 */
    } else {
        put16be(t, 0x1000);                         /* sequence number present */
        put16be(t + 2, 0x88be);
        put32be(t + 4, ++erspan_sequence);
        put16be(t + 8, 0x1000);                     /* ERSPAN version 1 (type II) */
        put16be(t + 10, 1);                         /* session 1 */
    }
    return 14 + 20 + tunnel;
}

static void write_segment(int v6, const endpoint *src, const endpoint *dst, uint8_t flags,
                          uint32_t seq, uint32_t ack, uint16_t len, uint16_t window,
                          int encap)
{
    /* Lines of text, each segment ending in an empty line: line-based
     * payload dissectors (HTTP, SMTP, SSH, ...) find their end in every
     * segment, as on real traffic, instead of asking TCP to reassemble the
     * whole connection in search of a line end that never comes. */
    static uint8_t payload[1460 + 4];
    if (payload[0] == 0) {
        for (size_t i = 0; i < sizeof payload; i++)
            payload[i] = (i % 64 == 62) ? '\r' : (i % 64 == 63) ? '\n' : 'a' + (char)(i % 26);
    }
    uint8_t pkt[14 + 40 + 20];
    size_t ip_len = v6 ? 40 : 20, hdr = 14 + ip_len + 20;
    size_t captured = truncate_payload ? 0 : len;

    memset(pkt, 0, hdr);
    /* Ethernet: fixed MACs, type IPv4 or IPv6. */
    pkt[5] = 0x01; pkt[11] = 0x02; pkt[0] = 0x02; pkt[6] = 0x02;
    put16be(pkt + 12, v6 ? 0x86dd : 0x0800);
    uint8_t *ip = pkt + 14;
    if (v6) {
        ip[0] = 0x60;
        put16be(ip + 4, (uint16_t)(20 + len));
        ip[6] = 6;
        ip[7] = 64;
        memcpy(ip + 8, src->addr, 16);
        memcpy(ip + 24, dst->addr, 16);
    } else {
        ip[0] = 0x45;
        put16be(ip + 2, (uint16_t)(20 + 20 + len));
        ip[6] = 0x40;                       /* don't fragment */
        ip[8] = 64;
        ip[9] = 6;
        memcpy(ip + 12, src->addr + 12, 4);
        memcpy(ip + 16, dst->addr + 12, 4);
        put16be(ip + 10, ip_checksum(ip, 20));
    }
    uint8_t *tcp = ip + ip_len;
    put16be(tcp, src->port);
    put16be(tcp + 2, dst->port);
    put32be(tcp + 4, seq);
    put32be(tcp + 8, (flags & ACK) ? ack : 0);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    put16be(tcp + 14, window);

    uint8_t outer[14 + 20 + 16];
    size_t outer_len = 0;
    if (encap)
        outer_len = write_outer(outer, encap, memcmp(src->addr, dst->addr, 16) > 0,
                                hdr + len);

    uint8_t rec[16];
    put32le(rec, (uint32_t)(now_us / 1000000));
    put32le(rec + 4, (uint32_t)(now_us % 1000000));
    put32le(rec + 8, (uint32_t)(outer_len + hdr + captured));
    put32le(rec + 12, (uint32_t)(outer_len + hdr + len));
    write_or_die(rec, sizeof rec);
    if (outer_len)
        write_or_die(outer, outer_len);
    write_or_die(pkt, hdr);
    if (captured >= 4) {
        write_or_die(payload, captured - 4);
        write_or_die("\r\n\r\n", 4);
    } else if (captured) {
        write_or_die("\r\n\r\n" + 4 - captured, captured);
    }
    packets_written++;
}

/* ---- Randomness (xorshift64*: fast, and the same everywhere) -------------- */

static uint64_t rng_state = 1;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint32_t rnd_below(uint32_t n) { return (uint32_t)((rnd() >> 32) % n); }

/* ---- Connections as scripts of segments ----------------------------------- */

/* One segment of a script: who sends it and what it carries; sequence and
 * acknowledgment numbers are worked out when it is written. */
typedef struct step {
    uint8_t  dir;       /* 0: endpoint 0 (the opener) sends, 1: endpoint 1 */
    uint8_t  flags;
    uint8_t  ack_mode;  /* ACK_ALL or ACK_BEFORE_FIN */
    uint16_t len;
} step;

enum { ACK_ALL, ACK_BEFORE_FIN };

typedef struct conn {
    int      v6;
    int      encap;         /* ENCAP_*: how this connection's frames are carried */
    endpoint ep[2];
    uint32_t nxt[2];        /* next sequence number of each side */
    uint32_t fin_at[2];     /* sequence number of its FIN + 1, or 0 */
    step    *steps;
    size_t   nsteps, cap, next;
} conn;

static void add(conn *c, int dir, uint8_t flags, uint16_t len, uint8_t ack_mode)
{
    if (c->nsteps == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 32;
        c->steps = realloc(c->steps, c->cap * sizeof(step));
        if (!c->steps) {
            fprintf(stderr, "gencap: out of memory\n");
            exit(1);
        }
    }
    c->steps[c->nsteps++] = (step){ (uint8_t)dir, flags, ack_mode, len };
}

static void seg(conn *c, int dir, uint8_t flags, uint16_t len) { add(c, dir, flags, len, ACK_ALL); }

/* Write the connection's next segment; false when it has none left. */
static int emit_next(conn *c)
{
    if (c->next == c->nsteps)
        return 0;
    const step *s = &c->steps[c->next++];
    int d = s->dir;
    uint32_t seq = c->nxt[d];
    /* ACK_BEFORE_FIN: the peer's FIN is in flight, not yet seen (crossing FINs). */
    uint32_t ack = c->nxt[1 - d];
    if (s->ack_mode == ACK_BEFORE_FIN && c->fin_at[1 - d])
        ack = c->fin_at[1 - d] - 1;
    write_segment(c->v6, &c->ep[d], &c->ep[1 - d], s->flags, seq, ack, s->len,
                  (uint16_t)(29200 + 64 * d), c->encap);
    uint32_t adv = s->len + ((s->flags & SYN) ? 1u : 0u) + ((s->flags & FIN) ? 1u : 0u);
    if (s->flags & RST)
        adv = 0;
    c->nxt[d] = seq + adv;
    if ((s->flags & FIN) && !c->fin_at[d])
        c->fin_at[d] = c->nxt[d];
    return 1;
}

static uint16_t data_len(void)
{
    /* Mostly small requests and answers, some full segments. */
    uint32_t r = rnd_below(100);
    return (uint16_t)(r < 70 ? 1 + rnd_below(200) : r < 90 ? 200 + rnd_below(800) : 1460);
}

static void handshake(conn *c)
{
    seg(c, 0, SYN, 0);
    seg(c, 1, SYN | ACK, 0);
    seg(c, 0, ACK, 0);
}

/* Request/answer exchanges, each acknowledged. */
static void exchanges(conn *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        seg(c, 0, PSH | ACK, data_len());
        seg(c, 1, ACK, 0);
        seg(c, 1, PSH | ACK, data_len());
        seg(c, 0, ACK, 0);
    }
}

/* A bulk transfer from the server, acknowledged every other segment. */
static void bulk(conn *c, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        seg(c, 1, ACK, 1460);
        if (i & 1)
            seg(c, 0, ACK, 0);
    }
}

static void close_four(conn *c, int active)
{
    seg(c, active, FIN | ACK, 0);
    seg(c, 1 - active, ACK, 0);
    seg(c, 1 - active, FIN | ACK, 0);
    seg(c, active, ACK, 0);
}

static void close_three(conn *c, int active)
{
    seg(c, active, FIN | ACK, 0);
    seg(c, 1 - active, FIN | ACK, 0);
    seg(c, active, ACK, 0);
}

static void close_simultaneous(conn *c)
{
    seg(c, 0, FIN | ACK, 0);
    add(c, 1, FIN | ACK, 0, ACK_BEFORE_FIN);   /* crossed: does not ack 0's FIN */
    seg(c, 0, ACK, 0);
    seg(c, 1, ACK, 0);
}

enum kind {
    K_FOUR_WAY, K_THREE_WAY, K_SIM_CLOSE, K_ABORT, K_REFUSED, K_UNANSWERED,
    K_HALF_CLOSE, K_LONG, K_SIM_OPEN, K_MIDSTREAM, K_COUNT
};

/* Relative frequency of each kind in the mix (per 100 connections). */
static const unsigned kind_weight[K_COUNT] = {
    [K_FOUR_WAY] = 31, [K_THREE_WAY] = 25, [K_SIM_CLOSE] = 3, [K_ABORT] = 8,
    [K_REFUSED] = 8, [K_UNANSWERED] = 8, [K_HALF_CLOSE] = 5, [K_LONG] = 2,
    [K_SIM_OPEN] = 2, [K_MIDSTREAM] = 8,
};

static const uint16_t server_ports[] = { 80, 443, 22, 8080, 5432, 6379, 25, 993 };

static uint32_t conn_serial;

static void conn_start(conn *c, int v6_percent)
{
    uint32_t n = ++conn_serial;
    c->nsteps = c->next = 0;
    c->v6 = rnd_below(100) < (uint32_t)v6_percent;
    /* Only with -e: without it the random sequence, so the capture, is
     * the same as before -e existed. */
    c->encap = encap_mode != ENCAP_NONE && rnd_below(3) == 0 ? encap_mode : ENCAP_NONE;
    memset(c->ep, 0, sizeof c->ep);
    /* Client addresses 10.x.y.z (or fd00::x:y:z), one port per serial
     * number, so no two live connections share a tuple. */
    uint32_t host = 1 + (n >> 14);
    if (c->v6) {
        c->ep[0].addr[0] = c->ep[1].addr[0] = 0xfd;
        c->ep[1].addr[15] = 1;
        c->ep[1].addr[14] = 0xff;
    } else {
        c->ep[0].addr[12] = c->ep[1].addr[12] = 10;
        c->ep[1].addr[13] = 255;
        c->ep[1].addr[15] = 1;
    }
    c->ep[0].addr[13] = (uint8_t)(host >> 16);
    c->ep[0].addr[14] = (uint8_t)(host >> 8);
    c->ep[0].addr[15] = (uint8_t)host;
    c->ep[0].port = (uint16_t)(32768 + (n & 0x3fff));
    uint32_t sp = rnd_below(10);
    c->ep[1].port = sp < 8 ? server_ports[sp] : (uint16_t)(10000 + rnd_below(20000));
    c->nxt[0] = (uint32_t)rnd();
    c->nxt[1] = (uint32_t)rnd();
    c->fin_at[0] = c->fin_at[1] = 0;

    uint32_t total = 0, r;
    for (int k = 0; k < K_COUNT; k++)
        total += kind_weight[k];
    r = rnd_below(total);
    int kind = 0;
    while (r >= kind_weight[kind])
        r -= kind_weight[kind++];

    switch ((enum kind)kind) {
    case K_FOUR_WAY:
        handshake(c);
        exchanges(c, 1 + rnd_below(4));
        close_four(c, (int)rnd_below(2));
        break;
    case K_THREE_WAY:
        handshake(c);
        exchanges(c, 1 + rnd_below(4));
        close_three(c, (int)rnd_below(2));
        break;
    case K_SIM_CLOSE:
        handshake(c);
        exchanges(c, 1 + rnd_below(3));
        close_simultaneous(c);
        break;
    case K_ABORT:
        handshake(c);
        exchanges(c, rnd_below(3));
        seg(c, (int)rnd_below(2), RST | ACK, 0);
        break;
    case K_REFUSED:
        seg(c, 0, SYN, 0);
        seg(c, 1, RST | ACK, 0);
        break;
    case K_UNANSWERED: {
        /* Retransmissions repeat the ISN (see emit_conn_segment()). */
        unsigned tries = 1 + rnd_below(3);
        for (unsigned i = 0; i < tries; i++)
            seg(c, 0, SYN, 0);
        break;
    }
    case K_HALF_CLOSE:
        handshake(c);
        seg(c, 0, PSH | ACK, data_len());
        seg(c, 1, ACK, 0);
        seg(c, 0, FIN | ACK, 0);
        seg(c, 1, ACK, 0);
        bulk(c, 2 + rnd_below(20));
        seg(c, 1, FIN | ACK, 0);
        seg(c, 0, ACK, 0);
        break;
    case K_LONG:
        if (rnd_below(4) == 0)
            c->nxt[1] = 0xffffffffu - rnd_below(500000);   /* wraps during the transfer */
        handshake(c);
        exchanges(c, 5 + rnd_below(20));
        bulk(c, 100 + rnd_below(1000));
        close_four(c, 0);
        break;
    case K_SIM_OPEN:
        seg(c, 0, SYN, 0);
        add(c, 1, SYN, 0, ACK_ALL);
        seg(c, 0, SYN | ACK, 0);
        seg(c, 1, SYN | ACK, 0);
        exchanges(c, 1 + rnd_below(3));
        close_four(c, 0);
        break;
    case K_MIDSTREAM:
        exchanges(c, 2 + rnd_below(6));
        close_four(c, (int)rnd_below(2));
        break;
    case K_COUNT:
        break;
    }
}

/* In a simultaneous open the two SYNs cross, and the SYN-ACKs repeat each
 * side's SYN sequence number: emit_next() advances nxt past each SYN, so a
 * SYN-ACK after a SYN from the same side would get ISN + 1.  Scripts with a
 * second SYN from one side (unanswered retransmissions, simultaneous-open
 * SYN-ACKs) rewind that side's sequence number first. */
static int emit_conn_segment(conn *c)
{
    if (c->next < c->nsteps) {
        const step *s = &c->steps[c->next];
        if (s->flags & SYN) {
            int d = s->dir;
            int earlier_syn = 0;
            for (size_t i = 0; i < c->next; i++)
                if (c->steps[i].dir == d && (c->steps[i].flags & SYN))
                    earlier_syn = 1;
            if (earlier_syn)
                c->nxt[d] -= 1;
        }
    }
    return emit_next(c);
}

/* ---- The modes -------------------------------------------------------------- */

static void gen_mix(uint64_t npackets, unsigned concurrent, int v6_percent)
{
    conn *pool = calloc(concurrent, sizeof(conn));
    if (!pool) {
        fprintf(stderr, "gencap: out of memory\n");
        exit(1);
    }
    for (unsigned i = 0; i < concurrent; i++)
        conn_start(&pool[i], v6_percent);
    /* The capture stops after exactly npackets, as a real one stops in the
     * middle of whatever is open: those connections end unfinished. */
    while (packets_written < npackets) {
        unsigned i = rnd_below(concurrent);
        now_us += 1 + rnd_below(40);
        emit_conn_segment(&pool[i]);
        if (pool[i].next == pool[i].nsteps)
            conn_start(&pool[i], v6_percent);
    }
    for (unsigned i = 0; i < concurrent; i++)
        free(pool[i].steps);
    free(pool);
}

static void gen_synflood(uint64_t nsyns)
{
    endpoint src = { .addr = { 0 } }, dst = { .addr = { 0 } };
    dst.addr[12] = 10; dst.addr[15] = 2; dst.port = 80;
    src.addr[12] = 198; src.addr[13] = 18;
    for (uint64_t i = 0; i < nsyns; i++) {
        uint32_t host = (uint32_t)(i / 60000);
        src.addr[14] = (uint8_t)(host >> 8);
        src.addr[15] = (uint8_t)host;
        src.addr[13] = (uint8_t)(18 + (host >> 16));
        src.port = (uint16_t)(1024 + i % 60000);
        now_us += 1;
        write_segment(0, &src, &dst, SYN, (uint32_t)rnd(), 0, 0, 64240, ENCAP_NONE);
    }
}

static void gen_reuse(uint64_t incarnations)
{
    conn c;
    memset(&c, 0, sizeof c);
    c.ep[0].addr[12] = 10; c.ep[0].addr[15] = 1; c.ep[0].port = 40000;
    c.ep[1].addr[12] = 10; c.ep[1].addr[15] = 2; c.ep[1].port = 80;
    uint32_t isn = 1000;
    for (uint64_t i = 0; i < incarnations; i++) {
        c.nsteps = c.next = 0;
        isn += 1000000;                          /* each incarnation above the last */
        c.nxt[0] = isn;
        c.nxt[1] = (uint32_t)rnd();
        c.fin_at[0] = c.fin_at[1] = 0;
        switch (i % 4) {
        case 0:
            handshake(&c); exchanges(&c, 1); close_four(&c, 0);
            break;
        case 1:
            seg(&c, 0, SYN, 0); seg(&c, 1, RST | ACK, 0);
            break;
        case 2:
            handshake(&c); close_three(&c, 0);
            break;
        case 3:
            handshake(&c); seg(&c, 0, RST | ACK, 0);
            break;
        }
        while (emit_conn_segment(&c))
            now_us += 10;
    }
    free(c.steps);
}

static void gen_long(uint64_t nsegments)
{
    conn c;
    memset(&c, 0, sizeof c);
    c.ep[0].addr[12] = 10; c.ep[0].addr[15] = 1; c.ep[0].port = 40001;
    c.ep[1].addr[12] = 10; c.ep[1].addr[15] = 2; c.ep[1].port = 443;
    c.nxt[0] = 12345;
    c.nxt[1] = 0xffffffffu - 100000;             /* wraps within the first 70 segments */
    handshake(&c);
    while (emit_conn_segment(&c))
        now_us += 10;
    /* The transfer itself, written directly: a script of ten million steps
     * would cost 80 MB for nothing. */
    uint64_t body = nsegments > 7 ? nsegments - 7 : 0;
    for (uint64_t i = 0; i < body; i++) {
        now_us += 5;
        if (i % 3 == 2) {
            write_segment(0, &c.ep[0], &c.ep[1], ACK, c.nxt[0], c.nxt[1], 0, 29200, ENCAP_NONE);
        } else {
            write_segment(0, &c.ep[1], &c.ep[0], ACK, c.nxt[1], c.nxt[0], 1460, 29264, ENCAP_NONE);
            c.nxt[1] += 1460;
        }
    }
    c.nsteps = c.next = 0;
    close_four(&c, 0);
    while (emit_conn_segment(&c))
        now_us += 10;
    free(c.steps);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: gencap mix|synflood|reuse|long -n COUNT -o FILE [-s SEED] [-6 PERCENT]\n"
            "              [-c CONCURRENT] [-t] [-e vxlan|erspan]\n"
            "  mix       COUNT packets of interleaved connections of every kind\n"
            "  synflood  COUNT SYNs from distinct source address/port pairs, none answered\n"
            "  reuse     COUNT incarnations of one tuple (about 5.5 packets each)\n"
            "  long      one connection of COUNT segments; its sequence numbers wrap\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        usage();
    const char *mode = argv[1];
    uint64_t count = 0;
    const char *path = NULL;
    unsigned concurrent = 512;
    int v6_percent = 10, opt;
    optind = 2;
    while ((opt = getopt(argc, argv, "n:o:s:6:c:te:")) != -1) {
        switch (opt) {
        case 'n': count = strtoull(optarg, NULL, 10); break;
        case 'o': path = optarg; break;
        case 's': rng_state = strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ull | 1; break;
        case '6': v6_percent = atoi(optarg); break;
        case 'c': concurrent = (unsigned)strtoul(optarg, NULL, 10); break;
        case 't': truncate_payload = 1; break;
        case 'e':
            if (strcmp(optarg, "vxlan") == 0)
                encap_mode = ENCAP_VXLAN;
            else if (strcmp(optarg, "erspan") == 0)
                encap_mode = ENCAP_ERSPAN;
            else
                usage();
            break;
        default: usage();
        }
    }
    if (!path || count == 0 || concurrent == 0 || v6_percent < 0 || v6_percent > 100)
        usage();
    out = fopen(path, "wb");
    if (!out) {
        fprintf(stderr, "gencap: %s: %s\n", path, strerror(errno));
        return 1;
    }
    setvbuf(out, NULL, _IOFBF, 1 << 20);
    write_file_header();
    if (strcmp(mode, "mix") == 0)
        gen_mix(count, concurrent, v6_percent);
    else if (strcmp(mode, "synflood") == 0)
        gen_synflood(count);
    else if (strcmp(mode, "reuse") == 0)
        gen_reuse(count);
    else if (strcmp(mode, "long") == 0)
        gen_long(count);
    else
        usage();
    if (fclose(out) != 0) {
        fprintf(stderr, "gencap: %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(stderr, "gencap: %s: %llu packets\n", path, (unsigned long long)packets_written);
    return 0;
}
