/* test_storage.c — the core's storage: the packed label store, the
 * connection table's hashing (fast keyed hash, SipHash fallback) and the
 * compact forms of connections (seeds, packed connections).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpphase.h"
#include "conn_codec.h"
#include "conn_table.h"
#include "engine_private.h"
#include "label_store.h"

#include "check.h"

static uint64_t rng = 88172645463325252ull;

static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

static bool label_equal(const tp_label *a, const tp_label *b)
{
    return a->conn_id == b->conn_id && a->step == b->step && a->phase == b->phase &&
           a->role == b->role && a->sender_state == b->sender_state &&
           a->receiver_state == b->receiver_state && a->anomalies == b->anomalies;
}

static tp_label random_label(void)
{
    tp_label l;
    memset(&l, 0, sizeof l);
    l.conn_id = rnd() | 1u;
    l.step = (uint8_t)(rnd() % TP_STEP_COUNT);
    l.phase = (uint8_t)(rnd() % TP_PHASE_COUNT);
    l.role = (uint8_t)(rnd() % TP_ROLE_COUNT);
    l.sender_state = (uint8_t)(rnd() % TP_STATE_COUNT);
    l.receiver_state = (uint8_t)(rnd() % TP_STATE_COUNT);
    l.anomalies = (uint16_t)(rnd() & ((1u << TP_ANOM_COUNT) - 1));
    return l;
}

/* Every field keeps its value through packing, extremes included. */
static void test_label_packing(void)
{
    tp_label_store *st = tp_label_store_new();
    tp_label l, got;
    memset(&l, 0, sizeof l);
    l.conn_id = UINT32_MAX;
    l.step = TP_STEP_COUNT - 1;
    l.phase = TP_PHASE_COUNT - 1;
    l.role = TP_ROLE_COUNT - 1;
    l.sender_state = TP_STATE_COUNT - 1;
    l.receiver_state = TP_STATE_COUNT - 2;
    l.anomalies = (uint16_t)((1u << TP_ANOM_COUNT) - 1);
    CHECK(tp_label_store_put(st, 1, &l), "put extremes");
    CHECK(tp_label_store_lookup(st, 1, &got) && label_equal(&l, &got), "extremes round-trip");
    memset(&l, 0, sizeof l);
    l.conn_id = 1;
    CHECK(tp_label_store_put(st, 2, &l), "put zeros");
    CHECK(tp_label_store_lookup(st, 2, &got) && label_equal(&l, &got), "zeros round-trip");
    const tp_label *p = tp_label_store_get(st, 1);
    CHECK(p && p->conn_id == UINT32_MAX && p->anomalies == (1u << TP_ANOM_COUNT) - 1,
          "get unpacks the same label");
    tp_label_store_free(st);
}

/* Sparse frame numbers (gaps within and across 64-frame groups and across
 * chunks of labels and groups): every stored frame is found with its own
 * label, every other frame is absent. */
static void test_label_sparse(void)
{
    enum { N = 60000 };
    tp_label_store *st = tp_label_store_new();
    static uint32_t frames[N];
    static tp_label labels[N];
    uint32_t f = 0;
    for (int i = 0; i < N; i++) {
        uint32_t r = rnd() % 100;
        f += r < 80 ? 1 : r < 95 ? 1 + rnd() % 64 : 1 + rnd() % 5000;
        frames[i] = f;
        labels[i] = random_label();
        CHECK(tp_label_store_put(st, f, &labels[i]), "put frame %u", f);
    }
    CHECK(tp_label_store_count(st) == N, "count %zu", tp_label_store_count(st));
    int bad = 0, i = 0;
    for (uint32_t g = 0; g <= f + 200; g++) {
        tp_label got;
        bool found = tp_label_store_lookup(st, g, &got);
        if (i < N && frames[i] == g) {
            if (!found || !label_equal(&got, &labels[i]))
                bad++;
            i++;
        } else if (found) {
            bad++;
        }
    }
    CHECK(bad == 0, "%d frames with a wrong answer", bad);
    CHECK(!tp_label_store_put(st, f, &labels[0]) && !tp_label_store_put(st, 1, &labels[0]),
          "frames at or below the last refused");
    /* 8 bytes a label and a quarter byte a frame, plus one chunk of each. */
    size_t bound = (size_t)N * 8 + f / 4 + 65536 + 65536 + 4096;
    CHECK(tp_label_store_memory(st) <= bound, "memory %zu > %zu", tp_label_store_memory(st), bound);
    tp_label_store_free(st);
}

static void make_tuple(tp_segment *s, uint32_t i, int v6, int reverse)
{
    memset(s, 0, sizeof *s);
    tp_addr a = { 0 }, b = { 0 };
    a.family = b.family = (uint8_t)(v6 ? 6 : 4);
    a.bytes[0] = 10; a.bytes[1] = (uint8_t)(i >> 16); a.bytes[2] = (uint8_t)(i >> 8);
    a.bytes[3] = (uint8_t)i;
    b.bytes[0] = 10; b.bytes[3] = 1;
    if (v6) {
        a.bytes[15] = 7;
        b.bytes[15] = 9;
    }
    uint16_t ap = (uint16_t)(1024 + i % 50000), bp = 443;
    s->src = reverse ? b : a;
    s->dst = reverse ? a : b;
    s->sport = reverse ? bp : ap;
    s->dport = reverse ? ap : bp;
    s->frame = i + 1;
}

/* The table finds every connection from both directions and says which
 * endpoint sent; with the probe limit at zero, the first collision switches
 * it to SipHash and it goes on finding them all. */
static void table_round(bool force_switch, int v6)
{
    tp_conn_table t;
    CHECK(tp_conn_table_init(&t), "init");
    if (force_switch)
        t.probe_limit = 0;
    enum { N = 20000 };
    for (uint32_t i = 0; i < N; i++) {
        tp_segment s;
        make_tuple(&s, i, v6, 0);
        uint32_t id = tp_conn_table_create(&t, &s, 0);
        if (id != i + 1) {
            CHECK(false, "create %u", i);
            break;
        }
    }
    if (force_switch)
        CHECK(t.strong, "a collision past the limit switched to SipHash");
    else
        CHECK(!t.strong, "random tuples never reach the probe limit");
    int bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        for (int rev = 0; rev < 2; rev++) {
            tp_segment s;
            unsigned sender = 9;
            make_tuple(&s, i, v6, rev);
            tp_conn_record *full;
            uint32_t id = tp_conn_table_find(&t, &s, &sender, &full);
            if (id != i + 1 || sender != (unsigned)rev)
                bad++;
        }
    }
    CHECK(bad == 0, "%d lookups wrong (switch %d, v6 %d)", bad, force_switch, v6);
    tp_segment s;
    unsigned sender;
    make_tuple(&s, N + 5, v6, 0);
    tp_conn_record *full;
    CHECK(tp_conn_table_find(&t, &s, &sender, &full) == 0, "unknown tuple not found");
    tp_conn_table_destroy(&t);
}

/* A SYN flood through the engine: each connection is kept as its one
 * segment (a 64-byte seed), its where[] entry and its share of the slots,
 * and still reads back in full. */
static void test_flood_memory(void)
{
    tp_engine *eng = tp_engine_new(NULL);
    enum { N = 200000 };
    for (uint32_t i = 0; i < N; i++) {
        tp_segment s;
        tp_label l;
        make_tuple(&s, i, 0, 0);
        s.flags = TP_SYN;
        s.seq = rnd();
        s.time_ns = (int64_t)i * 1000;
        tp_engine_feed(eng, &s, &l);
    }
    CHECK(tp_engine_conn_count(eng) == N, "%u connections", tp_engine_conn_count(eng));
    size_t per = tp_engine_memory(eng) / N;
    CHECK(per <= sizeof(tp_conn_seed) + 4 + 24, "%zu bytes per connection (seed %zu)", per,
          sizeof(tp_conn_seed));
    tp_conn_record scratch;
    const tp_conn_record *r = tp_engine_record(eng, 1234, &scratch);
    const tp_conn *c = r ? &r->conn : NULL;
    CHECK(c && c->id == 1234 && c->open_kind == TP_OPEN_UNANSWERED && c->ep[0].packets == 1 &&
          c->ep[0].state == TP_STATE_SYN_SENT && c->ep[1].state == TP_STATE_SYN_RECEIVED &&
          c->link[TP_LINK_SYN] == 1234 && c->first_ns == 1233 * 1000,
          "a flood connection rebuilt from its seed");
    tp_engine_free(eng);
}

/* Segments of one connection on a fixed tuple: SYN, SYN-ACK, ACK, data,
 * FIN, FIN-ACK (a three-way close), ACK, starting at time t. */
static void feed_incarnation(tp_engine *eng, uint32_t *frame, int64_t t, uint32_t isn)
{
    static const struct { int from_server; uint8_t flags; uint32_t len; } script[] = {
        { 0, TP_SYN, 0 }, { 1, TP_SYN | TP_ACK, 0 }, { 0, TP_ACK, 0 },
        { 0, TP_ACK | TP_PSH, 100 }, { 0, TP_FIN | TP_ACK, 0 },
        { 1, TP_FIN | TP_ACK, 0 }, { 0, TP_ACK, 0 },
    };
    uint32_t cseq = isn, sseq = isn ^ 0x5a5a5a5au;
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        tp_segment s;
        tp_label l;
        make_tuple(&s, 7, 0, script[i].from_server);
        s.frame = ++*frame;
        s.time_ns = t + (int64_t)i * 1000;
        s.flags = script[i].flags;
        s.payload_len = script[i].len;
        s.window = 1000;
        if (script[i].from_server) {
            s.seq = sseq;
            s.ack = cseq;
            sseq += (s.flags & (TP_SYN | TP_FIN)) ? 1 : 0;
        } else {
            s.seq = cseq;
            s.ack = i ? sseq : 0;
            cseq += script[i].len + ((s.flags & (TP_SYN | TP_FIN)) ? 1 : 0);
        }
        CHECK(tp_engine_feed(eng, &s, &l) != 0, "reuse frame %u placed", s.frame);
    }
}

/* One tuple reused: every finished incarnation is packed, and reads back
 * exactly as it stood when the next one took the tuple over. */
static void test_reuse_memory(void)
{
    tp_engine *eng = tp_engine_new(NULL);
    enum { N = 20000 };
    uint32_t frame = 0;
    tp_conn_record *kept = malloc(N * sizeof(tp_conn_record));
    tp_conn_record scratch;
    CHECK(kept != NULL, "memory for the test");
    if (!kept)
        return;
    for (uint32_t i = 0; i < N; i++) {
        feed_incarnation(eng, &frame, (int64_t)i * 100000000, rnd());
        kept[i] = *tp_engine_record(eng, i + 1, &scratch);
    }
    CHECK(tp_engine_conn_count(eng) == N, "%u incarnations", tp_engine_conn_count(eng));
    size_t per = tp_engine_memory(eng) / N;
    CHECK(per <= 128, "%zu bytes per reused-tuple connection", per);
    int bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        const tp_conn_record *r = tp_engine_record(eng, i + 1, &scratch);
        if (!r || memcmp(&r->conn, &kept[i].conn, offsetof(tp_conn, client) + 1) != 0 ||
            memcmp(&r->zeek, &kept[i].zeek, sizeof r->zeek) != 0)
            bad++;
    }
    CHECK(bad == 0, "%d packed incarnations read back otherwise", bad);
    const tp_conn_record *r = tp_engine_record(eng, N / 2, &scratch);
    CHECK(r->conn.close_kind == TP_CLOSE_THREE_WAY && r->conn.ep[0].bytes == 100 &&
          strcmp(r->zeek.history, "ShADFf") == 0,
          "a packed incarnation: close %d, history %s", r->conn.close_kind, r->zeek.history);
    free(kept);
    tp_engine_free(eng);
}

/* Packing is lossless for any member values, not only the ones the engine
 * makes: random records, and records with extreme values. */
static void test_pack_lossless(void)
{
    uint8_t buf[TP_CONN_PACKED_MAX];
    int bad = 0;
    size_t longest = 0;
    for (int round = 0; round < 20000; round++) {
        tp_conn_record c, back;
        memset(&c, 0, sizeof c);
        uint8_t *bytes = (uint8_t *)&c;
        /* Random bytes, some rounds all 0xff (the longest packing). */
        for (size_t i = 0; i < sizeof c; i++)
            bytes[i] = round % 7 == 0 ? 0xff : (rnd() % 3 == 0 ? 0 : (uint8_t)rnd());
        memset(bytes + offsetof(tp_conn, client) + 1, 0,
               offsetof(tp_conn_record, zeek) - offsetof(tp_conn, client) - 1);   /* padding */
        c.conn.id = 42;
        size_t n = tp_conn_pack(&c, buf);
        if (n > longest)
            longest = n;
        tp_conn_unpack(buf, 42, &back);
        if (memcmp(&c, &back, sizeof c) != 0)
            bad++;
    }
    CHECK(bad == 0, "%d records changed by packing", bad);
    CHECK(longest <= TP_CONN_PACKED_MAX, "longest packing %zu bytes", longest);
}

int main(void)
{
    test_label_packing();
    test_label_sparse();
    table_round(false, 0);
    table_round(false, 1);
    table_round(true, 0);
    table_round(true, 1);
    test_flood_memory();
    test_reuse_memory();
    test_pack_lossless();
    return check_summary();
}
