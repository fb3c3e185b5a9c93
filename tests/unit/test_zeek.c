/* test_zeek.c — the Zeek view (tcpphase.conn.state, tcpphase.conn.history).
 *
 * Each scenario feeds segments between endpoints A (port 40000) and B
 * (port 80, or another) and checks, for every frame, the conn_state and
 * history of the Zeek connection that frame belongs to once the whole
 * capture is read (what `tshark -2` shows), against what Zeek's TCP analyzer
 * does (Zeek's TCPSessionAdapter, checked against Zeek's own conn.log
 * baselines by tests/zeek_conformance.py).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpphase.h"

#include <stdio.h>
#include <string.h>

#include "check.h"
#include "segment.h"

typedef struct seg {
    enum dir    dir;
    const char *flags;       /* S A F R P */
    uint32_t    seq, ack, len;
    double      t;           /* seconds */
    const char *state, *history;   /* Zeek's verdict for this frame's connection */
} seg;

static void make_segment(tp_segment *out, const seg *s, uint32_t frame, uint16_t bport)
{
    fill_segment(out, s->dir, s->flags, s->seq, s->ack, s->len, s->t, frame, 0, bport);
}

/* Feeds the segments, then checks every frame's final Zeek verdict. */
static void run(const char *name, const seg *segs, size_t n, uint16_t bport)
{
    tp_engine *eng = tp_engine_new(NULL);
    tp_label labels[64];
    for (size_t i = 0; i < n && i < 64; i++) {
        tp_segment in;
        make_segment(&in, &segs[i], (uint32_t)i + 1, bport);
        CHECK(tp_engine_feed(eng, &in, &labels[i]) != 0, "%s #%zu: not placed", name, i + 1);
    }
    for (size_t i = 0; i < n && i < 64; i++) {
        tp_conn_view c;
        const char *state = "", *history = "";
        tp_zeek_state zs;
        if (tp_engine_conn(eng, labels[i].conn_id, &c)) {
            tp_engine_zeek_verdict(eng, &c, (uint32_t)i + 1, &zs, &history);
            state = tp_zeek_state_name(zs);
        }
        CHECK(strcmp(state, segs[i].state) == 0 && strcmp(history, segs[i].history) == 0,
              "%s #%zu: Zeek %s %s, want %s %s", name, i + 1, state, history, segs[i].state,
              segs[i].history);
    }
    tp_engine_free(eng);
}

#define RUN(name, segs, port) run(name, segs, sizeof(segs) / sizeof(segs[0]), port)

static void test_normal(void)
{
    static const seg s[] = {
        { A, "S", 100, 0, 0, 0.000, "SF", "ShADadFf" },
        { B, "SA", 500, 101, 0, 0.001, "SF", "ShADadFf" },
        { A, "A", 101, 501, 0, 0.002, "SF", "ShADadFf" },
        { A, "PA", 101, 501, 10, 0.003, "SF", "ShADadFf" },
        { B, "A", 501, 111, 0, 0.004, "SF", "ShADadFf" },
        { B, "PA", 501, 111, 20, 0.005, "SF", "ShADadFf" },
        { A, "FA", 111, 521, 0, 0.006, "SF", "ShADadFf" },
        { B, "FA", 521, 112, 0, 0.007, "SF", "ShADadFf" },
        { A, "A", 112, 522, 0, 0.008, "SF", "ShADadFf" },
    };
    RUN("normal", s, 80);
}

/* Only the client's side was captured: its ACK and data do not take it
 * out of SYN_SENT, and 5 s after the SYN Zeek gives the attempt up (S0);
 * what follows is a new connection (ssh.client-side-half-duplex.pcap). */
static void test_one_sided_attempt_timeout(void)
{
    static const seg quick[] = {
        { A, "S", 100, 0, 0, 0.0, "SH", "SADF" },
        { A, "A", 101, 501, 0, 0.1, "SH", "SADF" },
        { A, "PA", 101, 501, 10, 0.2, "SH", "SADF" },
        { A, "FA", 111, 501, 0, 0.3, "SH", "SADF" },
    };
    RUN("one-sided", quick, 22);
    static const seg slow[] = {
        { A, "S", 100, 0, 0, 0.0, "S0", "SAD" },
        { A, "A", 101, 501, 0, 0.1, "S0", "SAD" },
        { A, "PA", 101, 501, 10, 0.2, "S0", "SAD" },
        { A, "PA", 111, 501, 10, 6.0, "SH", "DAF" },
        { A, "A", 121, 531, 0, 6.1, "SH", "DAF" },
        { A, "FA", 121, 531, 0, 6.2, "SH", "DAF" },
    };
    RUN("one-sided, slow", slow, 22);
}

/* An RST ends Zeek's connection 5 s later; late segments on the tuple are
 * a new one (modbus-and-non-modbus-p502.pcap, 198.74.56.135:60293). */
static void test_reset_then_late_segments(void)
{
    static const seg s[] = {
        { A, "S", 100, 0, 0, 0.0, "RSTO", "ShR" },
        { B, "SA", 500, 101, 0, 0.001, "RSTO", "ShR" },
        { A, "R", 101, 0, 0, 0.1, "RSTO", "ShR" },
        { A, "PA", 101, 501, 100, 15.0, "RSTRH", "Dr" },
        { B, "R", 501, 0, 0, 15.001, "RSTRH", "Dr" },
    };
    RUN("reset, late data", s, 502);
}

/* A SYN repeated after an RST that refused it (Windows retries a refused
 * connect with the same ISN): the RST closed the client (RFC 9293 section
 * 3.10.7.3), so the SYN opens a new connection for tcpphase, and Zeek,
 * whose connection was closed too, agrees (pop3.pcap: REJ Sr, REJ Sr, ...). */
static void test_syn_after_reject(void)
{
    static const seg s[] = {
        { A, "S", 100, 0, 0, 0.0, "REJ", "Sr" },
        { B, "RA", 0, 101, 0, 0.001, "REJ", "Sr" },
        { A, "S", 100, 0, 0, 1.0, "REJ", "Sr" },
        { B, "RA", 0, 101, 0, 1.001, "REJ", "Sr" },
    };
    RUN("syn after reject", s, 110);

    tp_engine *eng = tp_engine_new(NULL);
    tp_label l[4];
    for (unsigned i = 0; i < 4; i++) {
        tp_segment in;
        make_segment(&in, &s[i], i + 1, 110);
        tp_engine_feed(eng, &in, &l[i]);
    }
    CHECK(l[0].conn_id == l[1].conn_id && l[2].conn_id == l[3].conn_id &&
          l[0].conn_id != l[2].conn_id, "two tcpphase connections (a refused connect retried)");
    CHECK(l[1].step == TP_STEP_RST_REFUSED && l[3].step == TP_STEP_RST_REFUSED,
          "both RSTs refuse a SYN");
    tp_conn_view c1, c2;
    CHECK(tp_engine_conn(eng, l[0].conn_id, &c1) && tp_engine_conn(eng, l[2].conn_id, &c2) &&
          c1.zeek_part == 0 && c2.zeek_part == 0, "Zeek parts %u %u, want 0 0", c1.zeek_part,
          c2.zeek_part);
    tp_engine_free(eng);
}

/* Capture starts at the SYN-ACK from a likely server port: Zeek flips at
 * once, the history begins with ^ (missing-syn.pcap). */
static void test_missing_syn_flip(void)
{
    static const seg s[] = {
        { B, "SA", 500, 101, 0, 0.000, "SF", "^hADdFf" },
        { A, "A", 101, 501, 0, 0.001, "SF", "^hADdFf" },
        { A, "PA", 101, 501, 10, 0.002, "SF", "^hADdFf" },
        { B, "PA", 501, 111, 20, 0.003, "SF", "^hADdFf" },
        { A, "FA", 111, 521, 0, 0.004, "SF", "^hADdFf" },
        { B, "FA", 521, 112, 0, 0.005, "SF", "^hADdFf" },
        { A, "A", 112, 522, 0, 0.006, "SF", "^hADdFf" },
    };
    RUN("missing SYN", s, 80);
}

/* The same with no likely server port: history "H" until the ACK, then
 * rewritten as the responder's "^h" (krb/optional-service-name.pcap). */
static void test_missing_syn_no_port_hint(void)
{
    static const seg s[] = {
        { B, "SA", 500, 101, 0, 0.000, "S1", "^hADd" },
        { A, "A", 101, 501, 0, 0.001, "S1", "^hADd" },
        { A, "PA", 101, 501, 10, 0.002, "S1", "^hADd" },
        { B, "PA", 501, 111, 20, 0.003, "S1", "^hADd" },
    };
    RUN("missing SYN, no port hint", s, 4444);
}

/* The SYN-ACK captured before its SYN (reordered): Zeek flips when the SYN
 * comes, the history shows the order of events (core.connection_flipped:
 * "Hs^ADadFf"). */
static void test_reordered_handshake(void)
{
    static const seg s[] = {
        { B, "SA", 500, 101, 0, 0.000, "SF", "Hs^ADadFf" },
        { A, "S", 100, 0, 0, 0.001, "SF", "Hs^ADadFf" },
        { A, "A", 101, 501, 0, 0.002, "SF", "Hs^ADadFf" },
        { A, "PA", 101, 501, 10, 0.003, "SF", "Hs^ADadFf" },
        { B, "A", 501, 111, 0, 0.004, "SF", "Hs^ADadFf" },
        { B, "PA", 501, 111, 20, 0.005, "SF", "Hs^ADadFf" },
        { A, "FA", 111, 521, 0, 0.006, "SF", "Hs^ADadFf" },
        { B, "FA", 521, 112, 0, 0.007, "SF", "Hs^ADadFf" },
        { A, "A", 112, 522, 0, 0.008, "SF", "Hs^ADadFf" },
    };
    RUN("reordered handshake", s, 5555);
}

/* A FIN, then an RST from the same side, then the peer's FIN: Zeek turns
 * the RST back into a close, SF (tls/irc-starttls.pcap "ShADadFRf"). */
static void test_fin_rst_then_peer_fin(void)
{
    static const seg s[] = {
        { A, "S", 100, 0, 0, 0.000, "SF", "ShADadFRf" },
        { B, "SA", 500, 101, 0, 0.001, "SF", "ShADadFRf" },
        { A, "A", 101, 501, 0, 0.002, "SF", "ShADadFRf" },
        { A, "PA", 101, 501, 10, 0.003, "SF", "ShADadFRf" },
        { B, "A", 501, 111, 0, 0.004, "SF", "ShADadFRf" },
        { B, "PA", 501, 111, 20, 0.005, "SF", "ShADadFRf" },
        { A, "FA", 111, 521, 0, 0.006, "SF", "ShADadFRf" },
        { A, "R", 112, 0, 0, 0.007, "SF", "ShADadFRf" },
        { B, "FA", 521, 112, 0, 0.008, "SF", "ShADadFRf" },
    };
    RUN("FIN, RST, peer FIN", s, 80);
}

/* Retransmissions are logarithmic: T at the 1st, TT at the 10th. */
static void test_retransmissions(void)
{
    seg s[16] = {
        { A, "S", 100, 0, 0, 0.000, "S1", "ShADTT" },
        { B, "SA", 500, 101, 0, 0.001, "S1", "ShADTT" },
        { A, "A", 101, 501, 0, 0.002, "S1", "ShADTT" },
        { A, "PA", 101, 501, 10, 0.003, "S1", "ShADTT" },
    };
    for (int i = 4; i < 14; i++)
        s[i] = (seg){ A, "PA", 101, 501, 10, 0.003 + 0.01 * i, "S1", "ShADTT" };
    run("retransmissions", s, 14, 80);
}

/* Two bare SYNs crossing: the second has another sequence number while the
 * originator is in SYN_SENT, which Zeek's IsReuse takes as a new
 * connection (weird SYN_seq_jump), the second SYN's sender its originator. */
static void test_simultaneous_open(void)
{
    static const seg s[] = {
        { A, "S", 100, 0, 0, 0.000, "S0", "S" },
        { B, "S", 500, 0, 0, 0.001, "SF", "ShaDdFfA" },
        { A, "SA", 100, 501, 0, 0.002, "SF", "ShaDdFfA" },
        { B, "SA", 500, 101, 0, 0.003, "SF", "ShaDdFfA" },
        { A, "A", 101, 501, 0, 0.004, "SF", "ShaDdFfA" },
        { B, "PA", 501, 101, 5, 0.005, "SF", "ShaDdFfA" },
        { A, "PA", 101, 506, 5, 0.006, "SF", "ShaDdFfA" },
        { B, "FA", 506, 106, 0, 0.007, "SF", "ShaDdFfA" },
        { A, "FA", 106, 507, 0, 0.008, "SF", "ShaDdFfA" },
        { B, "A", 507, 107, 0, 0.009, "SF", "ShaDdFfA" },
    };
    RUN("simultaneous open", s, 5555);
}

/* A self-connect is all originator: SYN_SENT is never left (S0). */
static void test_self_connect(void)
{
    static const seg s[] = {
        { X, "S", 100, 0, 0, 0.000, "S0", "SA" },
        { X, "SA", 100, 101, 0, 0.001, "S0", "SA" },
        { X, "A", 101, 101, 0, 0.002, "S0", "SA" },
    };
    RUN("self-connect", s, 40000);
}

/* A tuple split again and again stays bounded: the part counter stops at
 * its maximum and the table of earlier verdicts stops growing. */
static void test_many_parts(void)
{
    tp_engine *eng = tp_engine_new(NULL);
    tp_label l;
    size_t before = 0;
    for (unsigned i = 0; i < 600; i++) {
        seg s = { i % 2 ? B : A, i % 2 ? "R" : "PA", 1000 + 10 * i, 1, i % 2 ? 0 : 10, 6.0 * i, "", "" };
        tp_segment in;
        make_segment(&in, &s, i + 1, 80);
        CHECK(tp_engine_feed(eng, &in, &l) != 0, "many parts #%u placed", i + 1);
        if (i == 520)
            before = tp_engine_memory(eng);
    }
    tp_conn_view c;
    CHECK(tp_engine_conn(eng, l.conn_id, &c) && c.zeek_part == 255,
          "part %u, want it to stop at 255", c.zeek_part);
    CHECK(tp_engine_memory(eng) == before, "memory grew after the last part: %zu > %zu",
          tp_engine_memory(eng), before);
    tp_engine_free(eng);
}

/* Arbitrary segments on a handful of tuples (fixed seed): every label's
 * verdict is one of Zeek's names with a terminated history, and a
 * connection's parts only move forward. */
static void test_arbitrary_segments(void)
{
    static const char *const names[] = { "S0", "S1", "SF", "REJ", "S2", "S3", "RSTO", "RSTR",
                                         "RSTOS0", "RSTRH", "SH", "SHR", "OTH" };
    static tp_label labels[20000];
    static uint8_t last_part[20001];
    static uint8_t frame_part[20000];   /* the frame's connection's part when it was fed */
    tp_engine *eng = tp_engine_new(NULL);
    uint32_t r = 12345;
    size_t n = sizeof(labels) / sizeof(labels[0]);
    for (size_t i = 0; i < n; i++) {
        r = r * 1103515245u + 12345u;
        seg s = { (enum dir)((r >> 8) % 3), "", (r >> 4) % 64 * 100, (r >> 12) % 64 * 100,
                  (r >> 20) % 3 ? 0 : 10, 0.5 * (double)i, "", "" };
        tp_segment in;
        make_segment(&in, &s, (uint32_t)i + 1, (uint16_t)(80 + (r >> 28) % 3));
        in.flags = (uint8_t)(r >> 16);
        in.window = (uint16_t)((r >> 24) % 2 ? 0 : 512);
        CHECK(tp_engine_feed(eng, &in, &labels[i]) != 0, "arbitrary #%zu placed", i + 1);
        uint32_t id = labels[i].conn_id;
        tp_conn_view c;
        if (id <= 20000 && tp_engine_conn(eng, id, &c)) {
            CHECK(c.zeek_part >= last_part[id], "conn %u: part went back", id);
            last_part[id] = c.zeek_part;
            frame_part[i] = c.zeek_part;
        }
    }
    size_t bad = 0, later_parts = 0, misplaced = 0;
    for (size_t i = 0; i < n; i++) {
        later_parts += frame_part[i] > 0;
        tp_conn_view c;
        bool found = tp_engine_conn(eng, labels[i].conn_id, &c);
        const char *state = NULL, *history = NULL;
        tp_zeek_state zs = TP_ZEEK_STATE_COUNT;
        if (found) {
            tp_engine_zeek_verdict(eng, &c, (uint32_t)i + 1, &zs, &history);
            state = tp_zeek_state_name(zs);
            /* A frame of the part under way gets the connection's own
             * verdict; a frame of an ended part, that part's. */
            bool current = frame_part[i] == c.zeek_part;
            misplaced += current != (history == c.zeek_history);
        }
        bool known = false;
        for (size_t k = 0; state && k < sizeof(names) / sizeof(names[0]); k++)
            known |= strcmp(state, names[k]) == 0;
        if (!found || !known || !history || strlen(history) > 22)
            bad++;
    }
    CHECK(misplaced == 0, "%zu frames given the verdict of another Zeek part", misplaced);
    CHECK(bad == 0, "%zu frames without a valid Zeek verdict", bad);
    CHECK(later_parts > 0, "no Zeek split among arbitrary segments: the test misses its point");
    tp_engine_free(eng);
}

int main(void)
{
    test_normal();
    test_one_sided_attempt_timeout();
    test_reset_then_late_segments();
    test_syn_after_reject();
    test_missing_syn_flip();
    test_missing_syn_no_port_hint();
    test_reordered_handshake();
    test_fin_rst_then_peer_fin();
    test_retransmissions();
    test_simultaneous_open();
    test_self_connect();
    test_many_parts();
    test_arbitrary_segments();
    return check_summary();
}
