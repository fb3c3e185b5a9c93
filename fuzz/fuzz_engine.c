/* fuzz_engine.c — libFuzzer target for the core: arbitrary sequences of
 * segment facts through tp_engine_feed(), checking the core's invariants.
 *
 * Input: a sequence of 16-byte records, one segment each (a trailing
 * partial record is ignored); fuzz/pcap2seed.py writes the same format
 * from a capture, so the test captures seed the corpus.
 *
 *   byte  0     tuple: bits 0-5 pick one of 64 tuples (48..63 are
 *               self-connects: source == destination), bit 6 the
 *               direction (0: A->B, 1: B->A), bit 7 IPv6 instead of IPv4
 *   byte  1     TCP flags, as on the wire
 *   bytes 2-5   sequence number (big-endian)
 *   bytes 6-9   acknowledgment number
 *   bytes 10-11 payload length
 *   bytes 12-13 window
 *   bytes 14-15 time step, signed, in milliseconds (captures are not
 *               always in time order)
 *
 * Invariants checked after every segment (a violation aborts, which
 * libFuzzer reports as a crash with the input that caused it):
 *
 *   1. one label per frame: feed returns the segment's connection, and the
 *      label names it (conn_id) with values inside their enums;
 *   2. the label's phase is tp_step_phase(step), except for the three steps
 *      that take the connection's phase (ack, data_retransmission,
 *      out_of_window), whose phase is the connection's phase after it;
 *   3. every endpoint moves only along an edge of RFC 9293's state diagram
 *      (figure 5 and the RST rules of section 3.10.7), or along one of the
 *      recovery edges engine.c documents (edge_allowed() below); a
 *      self-connect's one endpoint both sends and receives the segment, so
 *      it may take two edges, through the label's sender state; when a
 *      segment shows that an accepted RST had no effect (the RST's sender
 *      went on, engine.c rst_sender_went_on()), both endpoints return to
 *      the states they had before the RST and move on from there;
 *   4. the label's states are the endpoints' states after the segment;
 *   5. only the segment's own connection changes at all (every other one,
 *      however the engine keeps it, reads back member for member as it was
 *      after its own last segment); connection ids are 1, 2, 3... in order,
 *      at most one new connection per frame;
 *   6. memory: a frame that creates no connection, starts no new Zeek
 *      connection (tp_zeek.part) and is not its connection's second
 *      segment (when the engine moves it from a seed to a full record,
 *      conn_table.h) allocates nothing, and the engine
 *      never holds more than its empty size plus one allocation chunk plus
 *      PER_CONN_BOUND bytes per connection plus PER_PART_BOUND bytes per
 *      finished Zeek connection (zeek.c keeps each one's verdict);
 *   7. labels do not depend on the hash key: a second engine (another
 *      random SipHash key) gives byte-identical labels;
 *   8. the label store gives back exactly the label stored for each frame
 *      (what later passes show is what the first pass computed).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpphase.h"
#include "conn_codec.h"
#include "conn_table.h"
#include "engine_private.h"
#include "label_store.h"

#include <stddef.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_SIZE      16
#define TUPLES           64
#define FIRST_SELF_TUPLE 48

/* Bytes one connection may cost (conn_table.h): its where[] entry, a seed,
 * a full record and a packed copy (the freed seeds and full records are
 * reused, so this overcounts), with room for the hash table's slots (load
 * factor at most one half, slots doubled when grown) and the chunk-pointer
 * arrays. */
#define PER_CONN_BOUND (sizeof(uint32_t) + sizeof(tp_conn_seed) + sizeof(tp_conn_record) + \
                        TP_CONN_PACKED_MAX + 64)
/* A finished Zeek connection's verdict in zeek.c's table: an 8-byte key,
 * the frame that began the next part, the state byte and the history,
 * padded to 8; the table keeps its load at
 * most one half and doubles, so at most four slots per verdict, and starts
 * at 64 slots (PARTS_SLACK). */
#define PART_BYTES     ((8 + 4 + 1 + TP_ZEEK_HISTORY_SIZE + 7) & ~(size_t)7)
#define PER_PART_BOUND (4 * PART_BYTES)
#define PARTS_SLACK    (64 * PART_BYTES + 64)
/* The connection table allocates its where[] entries, seeds, full records
 * and packed bytes a chunk at a time (conn_table.c); one partly filled
 * chunk of each is allowed beyond the per-connection bound. */
#define CHUNK_SLACK    (16384 * sizeof(uint32_t) + 1024 * sizeof(tp_conn_seed) + \
                        1024 * sizeof(tp_conn_record) + 65536 + 4096)

static void fail(const char *what, uint32_t frame)
{
    fprintf(stderr, "tcpphase fuzz: invariant violated at frame %u: %s\n", frame, what);
    abort();
}

#define CHECK(cond, frame, what) do { if (!(cond)) fail(what, frame); } while (0)

/* ---- RFC 9293's diagram -------------------------------------------------- */

#define E(from, to) [TP_STATE_##from][TP_STATE_##to] = 1

/* Figure 5 of RFC 9293, plus the transitions its text adds (section
 * 3.10.7.4: FIN-WAIT-1 receiving a FIN that acknowledges its own FIN goes
 * to TIME-WAIT; a passive opener in SYN-RECEIVED returns to LISTEN on an
 * RST; an acceptable RST sends any other state to CLOSED). */
static const unsigned char rfc_edge[TP_STATE_COUNT][TP_STATE_COUNT] = {
    E(CLOSED, LISTEN),            /* passive OPEN */
    E(CLOSED, SYN_SENT),          /* active OPEN, snd SYN */
    E(LISTEN, SYN_RECEIVED),      /* rcv SYN, snd SYN,ACK */
    E(LISTEN, SYN_SENT),          /* SEND, snd SYN */
    E(LISTEN, CLOSED),            /* CLOSE */
    E(SYN_SENT, SYN_RECEIVED),    /* rcv SYN, snd ACK (simultaneous open) */
    E(SYN_SENT, ESTABLISHED),     /* rcv SYN,ACK, snd ACK */
    E(SYN_SENT, CLOSED),          /* CLOSE, or rcv acceptable RST */
    E(SYN_RECEIVED, ESTABLISHED), /* rcv ACK of SYN */
    E(SYN_RECEIVED, FIN_WAIT_1),  /* CLOSE, snd FIN */
    E(SYN_RECEIVED, LISTEN),      /* rcv RST (passive open) */
    E(SYN_RECEIVED, CLOSED),      /* rcv RST (active open) */
    E(ESTABLISHED, FIN_WAIT_1),   /* CLOSE, snd FIN */
    E(ESTABLISHED, CLOSE_WAIT),   /* rcv FIN, snd ACK */
    E(ESTABLISHED, CLOSED),       /* rcv RST */
    E(FIN_WAIT_1, FIN_WAIT_2),    /* rcv ACK of FIN */
    E(FIN_WAIT_1, CLOSING),       /* rcv FIN, snd ACK */
    E(FIN_WAIT_1, TIME_WAIT),     /* rcv FIN with ACK of our FIN (3.10.7.4) */
    E(FIN_WAIT_1, CLOSED),        /* rcv RST */
    E(FIN_WAIT_2, TIME_WAIT),     /* rcv FIN, snd ACK */
    E(FIN_WAIT_2, CLOSED),        /* rcv RST */
    E(CLOSE_WAIT, LAST_ACK),      /* CLOSE, snd FIN */
    E(CLOSE_WAIT, CLOSED),        /* rcv RST */
    E(CLOSING, TIME_WAIT),        /* rcv ACK of FIN */
    E(CLOSING, CLOSED),           /* rcv RST */
    E(LAST_ACK, CLOSED),          /* rcv ACK of FIN, or RST */
    E(TIME_WAIT, CLOSED),         /* timeout, or RST (RFC 1337) */
};

/* Where the capture cannot show what an endpoint saw, engine.c sets the
 * state to what must have happened (its header comment and on_send()):
 *  - an endpoint whose SYN the capture missed sends a SYN-ACK from CLOSED
 *    (it was listening);
 *  - a first ACK of the peer's SYN that also carries a FIN takes two
 *    edges at once (SYN-SENT -> ESTABLISHED -> FIN-WAIT-1,
 *    SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT on the receiving side);
 *  - a FIN sent from CLOSE-WAIT that has not seen the peer's FIN crossed
 *    it in flight: the sender was in FIN-WAIT-1 and is now CLOSING. */
static const unsigned char recovery_edge[TP_STATE_COUNT][TP_STATE_COUNT] = {
    E(CLOSED, SYN_RECEIVED),
    E(SYN_SENT, FIN_WAIT_1),
    E(SYN_RECEIVED, CLOSE_WAIT),
    E(CLOSE_WAIT, CLOSING),
};

#undef E

static bool edge_allowed(unsigned from, unsigned to)
{
    if (from >= TP_STATE_COUNT || to >= TP_STATE_COUNT)
        return false;
    if (from == to)
        return true;
    /* UNKNOWN is never a connection's state today; if it were, the
     * engine treats it as CLOSED. */
    if (from == TP_STATE_UNKNOWN)
        from = TP_STATE_CLOSED;
    return rfc_edge[from][to] || recovery_edge[from][to];
}

/* ---- What the engine says, checked ---------------------------------------- */

/* The connection's phase, as its flags describe it (conn.h, TP_CONN_*). */
static tp_phase conn_phase(const tp_conn *c)
{
    if (c->cflags & TP_CONN_TORN_DOWN)
        return TP_PHASE_CLOSED;
    if (c->cflags & TP_CONN_RESET)
        return TP_PHASE_RESET;
    if ((c->ep[0].flags | c->ep[1].flags) & TP_EP_SENT_FIN)
        return TP_PHASE_TEARDOWN;
    if (!(c->cflags & TP_CONN_ESTABLISHED))
        return TP_PHASE_HANDSHAKE;
    return TP_PHASE_ESTABLISHED;
}

static bool takes_conn_phase(tp_step s)
{
    return s == TP_STEP_ACK || s == TP_STEP_DATA_RETRANSMISSION || s == TP_STEP_OUT_OF_WINDOW;
}

static void decode(const uint8_t *r, uint32_t frame, int64_t *clock_ns, tp_segment *seg)
{
    unsigned tuple = r[0] & 0x3f;
    bool reverse = r[0] & 0x40;
    bool v6 = r[0] & 0x80;
    tp_addr a, b;
    uint16_t ap, bp;

    memset(seg, 0, sizeof(*seg));
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.family = b.family = v6 ? 6 : 4;
    /* A: 10.0.T.1 (fd00::T:1), B: 10.0.T.2; self-connects are A to A. */
    if (v6) {
        a.bytes[0] = b.bytes[0] = 0xfd;
        a.bytes[13] = b.bytes[13] = (uint8_t)tuple;
        a.bytes[15] = 1;
        b.bytes[15] = 2;
    } else {
        a.bytes[0] = b.bytes[0] = 10;
        a.bytes[2] = b.bytes[2] = (uint8_t)tuple;
        a.bytes[3] = 1;
        b.bytes[3] = 2;
    }
    ap = (uint16_t)(40000 + tuple);
    bp = 80;
    if (tuple >= FIRST_SELF_TUPLE) {
        b = a;
        bp = ap;
    }
    seg->src = reverse ? b : a;
    seg->dst = reverse ? a : b;
    seg->sport = reverse ? bp : ap;
    seg->dport = reverse ? ap : bp;
    seg->flags = r[1];
    seg->seq = (uint32_t)r[2] << 24 | (uint32_t)r[3] << 16 | (uint32_t)r[4] << 8 | r[5];
    seg->ack = (uint32_t)r[6] << 24 | (uint32_t)r[7] << 16 | (uint32_t)r[8] << 8 | r[9];
    seg->payload_len = (uint32_t)(r[10] << 8 | r[11]);
    seg->window = (uint16_t)(r[12] << 8 | r[13]);
    *clock_ns += (int64_t)(int16_t)(uint16_t)(r[14] << 8 | r[15]) * 1000000;
    seg->time_ns = *clock_ns;
    seg->frame = frame;
}

/* Per connection id: the endpoint states after the previous frame. */
typedef struct shadow {
    tp_conn_record rec;     /* as it stood after its latest frame */
} shadow;

/* Member for member (the padding after .conn.client aside). */
static bool same_record(const tp_conn_record *a, const tp_conn_record *b)
{
    return memcmp(&a->conn, &b->conn, offsetof(tp_conn, client) + 1) == 0 &&
           memcmp(&a->zeek, &b->zeek, sizeof a->zeek) == 0;
}

/* What tp_engine_conn() shows is the record's. */
static bool view_shows(const tp_conn_view *v, const tp_conn_record *r)
{
    const tp_conn *c = &r->conn;
    return v->id == c->id && v->first_frame == c->first_frame &&
           v->last_frame == c->last_frame && memcmp(v->link, c->link, sizeof v->link) == 0 &&
           v->handshake_ns == c->handshake_ns && v->teardown_ns == c->teardown_ns &&
           v->packets[0] == c->ep[0].packets && v->packets[1] == c->ep[1].packets &&
           v->bytes[0] == c->ep[0].bytes && v->bytes[1] == c->ep[1].bytes &&
           v->anomalies == c->anomalies && v->open_kind == c->open_kind &&
           v->close_kind == c->close_kind && v->zeek_orig == r->zeek.orig &&
           v->zeek_part == r->zeek.part && v->zeek_state < TP_ZEEK_STATE_COUNT &&
           strcmp(v->zeek_history, r->zeek.history) == 0;
}

static bool same_endpoint(const tp_addr *a, uint16_t ap, const tp_addr *b, uint16_t bp)
{
    size_t n = a->family == 6 ? 16 : 4;
    return a->family == b->family && ap == bp && memcmp(a->bytes, b->bytes, n) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t nframes = size / RECORD_SIZE;
    tp_engine *eng = tp_engine_new(NULL);
    tp_engine *twin = tp_engine_new(NULL);
    tp_label_store *store = tp_label_store_new();
    tp_label *labels = calloc(nframes + 1, sizeof(tp_label));
    shadow *shadows = calloc(nframes + 1, sizeof(shadow));
    int64_t clock_ns = 1700000000LL * 1000000000LL;
    int64_t twin_clock_ns = clock_ns;

    if (!eng || !twin || !store || !labels || !shadows)
        abort();                 /* out of memory at the start: not the core's fault */
    const size_t empty_memory = tp_engine_memory(eng);
    size_t parts = 0;           /* Zeek connections started after a connection's first */

    for (size_t i = 0; i < nframes; i++) {
        uint32_t frame = (uint32_t)(i + 1);
        tp_segment seg, twin_seg;
        tp_label label, twin_label;
        uint32_t before = tp_engine_conn_count(eng);
        size_t memory_before = tp_engine_memory(eng);

        decode(data + i * RECORD_SIZE, frame, &clock_ns, &seg);
        uint32_t fed = tp_engine_feed(eng, &seg, &label);

        /* 1. one label for the frame, naming its connection */
        CHECK(fed != 0, frame, "no connection for a well-formed segment");
        /* The engine's record is valid until its next feed: keep a copy. */
        tp_conn_record scratch, current = *tp_engine_record(eng, fed, &scratch);
        const tp_conn *c = &current.conn;
        uint32_t count = tp_engine_conn_count(eng);
        CHECK(label.conn_id == fed && c->id == fed && c->id >= 1 && c->id <= count, frame,
              "label names another connection");
        tp_conn_view view;
        CHECK(tp_engine_conn(eng, c->id, &view) && view_shows(&view, &current), frame,
              "tp_engine_conn disagrees with the engine's record");
        CHECK(label.step < TP_STEP_COUNT && label.phase < TP_PHASE_COUNT &&
              label.role < TP_ROLE_COUNT && label.sender_state < TP_STATE_COUNT &&
              label.receiver_state < TP_STATE_COUNT &&
              label.anomalies < (1u << TP_ANOM_COUNT), frame, "label value out of range");
        CHECK(c->last_frame == frame, frame, "connection does not record its last frame");

        /* 5. ids in order, at most one new connection */
        bool created = count != before;
        CHECK(count == before || (count == before + 1 && c->id == count), frame,
              "connection ids not 1, 2, 3... or more than one new connection");

        /* 2. phase */
        tp_step step = (tp_step)label.step;
        if (takes_conn_phase(step))
            CHECK(label.phase == conn_phase(c), frame,
                  "ack/data_retransmission/out_of_window phase is not the connection's");
        else
            CHECK(label.phase == tp_step_phase(step), frame, "phase != tp_step_phase(step)");

        /* 3., 4. states */
        bool self = c->cflags & TP_CONN_SELF;
        unsigned s = self ? 0
                   : same_endpoint(&seg.src, seg.sport, &c->addr[0], c->port[0]) ? 0 : 1;
        unsigned r = self ? 0 : 1 - s;
        uint8_t prev[2];
        if (created) {
            /* Where a new connection starts (engine.c, conn_begin()): its
             * first segment's sender is endpoint 0. */
            unsigned f = seg.flags & (TP_SYN | TP_ACK | TP_RST);
            CHECK(s == 0, frame, "a new connection's first sender is not endpoint 0");
            if (f == TP_SYN) {
                prev[0] = TP_STATE_CLOSED;
                prev[1] = TP_STATE_LISTEN;
            } else if (f == (TP_SYN | TP_ACK)) {
                prev[0] = TP_STATE_LISTEN;
                prev[1] = TP_STATE_SYN_SENT;
            } else {
                prev[0] = prev[1] = TP_STATE_ESTABLISHED;
            }
        } else {
            const tp_conn *was = &shadows[c->id].rec.conn;
            bool undone = (was->cflags & TP_CONN_RESET) && !(c->cflags & TP_CONN_RESET);
            /* An RST found ignored: the endpoints never left their states. */
            prev[0] = undone ? was->ep[0].pre_rst_state : was->ep[0].state;
            prev[1] = undone ? was->ep[1].pre_rst_state : was->ep[1].state;
        }
        if (self) {
            CHECK(edge_allowed(prev[0], label.sender_state), frame,
                  "self-connect: sending moved the endpoint off RFC 9293's edges");
            CHECK(edge_allowed(label.sender_state, c->ep[0].state), frame,
                  "self-connect: receiving moved the endpoint off RFC 9293's edges");
            CHECK(label.receiver_state == c->ep[0].state, frame,
                  "self-connect: receiver state is not the endpoint's");
        } else {
            CHECK(edge_allowed(prev[s], c->ep[s].state), frame,
                  "the sender moved off RFC 9293's edges");
            CHECK(edge_allowed(prev[r], c->ep[r].state), frame,
                  "the receiver moved off RFC 9293's edges");
            CHECK(label.sender_state == c->ep[s].state, frame,
                  "label's sender state is not the sender's state");
            CHECK(label.receiver_state == c->ep[r].state, frame,
                  "label's receiver state is not the receiver's state");
        }
        /* 5. nothing else moved */
        for (uint32_t id = 1; id <= before; id++) {
            if (id == c->id)
                continue;
            const tp_conn_record *o = tp_engine_record(eng, id, &scratch);
            CHECK(o != NULL && same_record(o, &shadows[id].rec), frame,
                  "a segment changed another connection (or it reads back otherwise)");
        }
        bool new_zeek_part = current.zeek.part != shadows[c->id].rec.zeek.part;
        parts += new_zeek_part;
        shadows[c->id].rec = current;

        /* 6. memory */
        size_t memory = tp_engine_memory(eng);
        bool second_segment = c->ep[0].packets + c->ep[1].packets == 2;
        if (!created && !new_zeek_part && !second_segment)
            CHECK(memory == memory_before, frame, "memory grew without a new connection");
        CHECK(memory <= empty_memory + CHUNK_SLACK + (size_t)count * PER_CONN_BOUND
                        + PARTS_SLACK + parts * PER_PART_BOUND, frame,
              "engine memory above its per-connection bound");

        /* 7. the same answer with another hash key */
        decode(data + i * RECORD_SIZE, frame, &twin_clock_ns, &twin_seg);
        CHECK(tp_engine_feed(twin, &twin_seg, &twin_label) != 0, frame, "twin engine failed");
        CHECK(memcmp(&label, &twin_label, sizeof label) == 0, frame,
              "labels depend on the hash key");

        /* 8. stored once, read back unchanged */
        CHECK(tp_label_store_put(store, frame, &label), frame, "label store refused a frame");
        labels[frame] = label;
    }

    for (uint32_t frame = 1; frame <= nframes; frame++) {
        const tp_label *got = tp_label_store_get(store, frame);
        CHECK(got && memcmp(got, &labels[frame], sizeof *got) == 0, frame,
              "label store gives back another label");
        /* The late reading of a label stays inside its enums. */
        tp_conn_view c;
        CHECK(tp_engine_conn(eng, got->conn_id, &c), frame, "a stored label names no connection");
        CHECK(tp_label_role(got, &c) < TP_ROLE_COUNT, frame, "late role out of range");
        CHECK(tp_label_anomalies(got, &c) < (1u << TP_ANOM_COUNT), frame,
              "late anomalies out of range");
        CHECK(c.zeek_orig <= 1 && c.zeek_state < TP_ZEEK_STATE_COUNT, frame,
              "Zeek view out of range");
        CHECK(memchr(c.zeek_history, 0, sizeof c.zeek_history) != NULL, frame,
              "Zeek history not NUL-terminated");
        tp_zeek_state zs;
        const char *history;
        tp_engine_zeek_verdict(eng, &c, frame, &zs, &history);
        CHECK(zs < TP_ZEEK_STATE_COUNT && memchr(history, 0, TP_ZEEK_HISTORY_SIZE) != NULL,
              frame, "a frame's Zeek verdict out of range");
    }
    CHECK(tp_label_store_get(store, (uint32_t)nframes + 1) == NULL, (uint32_t)nframes + 1,
          "label store invents a frame");

    tp_label_store_free(store);
    tp_engine_free(twin);
    tp_engine_free(eng);
    free(shadows);
    free(labels);
    return 0;
}
