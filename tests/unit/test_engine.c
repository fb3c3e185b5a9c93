/* test_engine.c — every transition of the core, one scenario at a time.
 *
 * Each scenario is a list of segments between endpoints A and B (or one
 * endpoint talking to itself), each with the step and the two states the
 * core must give, written as RFC 9293's figures would.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpphase.h"
#include "label_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "segment.h"

typedef struct seg {
    enum dir    dir;
    const char *flags;   /* "S", "SA", "A", "PA", "FA", "R", "RA" */
    uint32_t    seq, ack, len;
    double      t;       /* seconds */
    const char *step, *sender, *receiver;
    const char *anomalies;   /* stored (one-pass) anomalies, comma-separated */
} seg;

typedef struct scenario {
    const char *name;
    int         v6;
    const seg  *segs;
    size_t      nsegs;
} scenario;

static void make_segment(tp_segment *out, const seg *s, uint32_t frame, int v6, uint16_t bport)
{
    fill_segment(out, s->dir, s->flags, s->seq, s->ack, s->len, s->t, frame, v6, bport);
}

static void anomaly_list(uint16_t bits, char *buf, size_t n)
{
    buf[0] = '\0';
    for (int i = 0; i < TP_ANOM_COUNT; i++) {
        if (!(bits & TP_ANOM_BIT(i)))
            continue;
        if (buf[0])
            strncat(buf, ",", n - strlen(buf) - 1);
        strncat(buf, tp_anomaly_name((tp_anomaly)i), n - strlen(buf) - 1);
    }
}

/* Runs a scenario, checks every label, returns the engine for more checks. */
static tp_engine *run(const scenario *sc, tp_label *labels)
{
    tp_engine *eng = tp_engine_new(NULL);
    for (size_t i = 0; i < sc->nsegs; i++) {
        const seg *s = &sc->segs[i];
        tp_segment in;
        make_segment(&in, s, (uint32_t)i + 1, sc->v6, 80);
        tp_label l;
        uint32_t id = tp_engine_feed(eng, &in, &l);
        CHECK(id != 0, "%s #%zu: no connection", sc->name, i + 1);
        if (!id)
            continue;
        labels[i] = l;
        char got_anom[256];
        anomaly_list(l.anomalies, got_anom, sizeof(got_anom));
        CHECK(strcmp(tp_step_name((tp_step)l.step), s->step) == 0,
              "%s #%zu: step %s, want %s", sc->name, i + 1, tp_step_name((tp_step)l.step), s->step);
        CHECK(strcmp(tp_state_name((tp_tcp_state)l.sender_state), s->sender) == 0,
              "%s #%zu (%s): sender %s, want %s", sc->name, i + 1, s->step,
              tp_state_name((tp_tcp_state)l.sender_state), s->sender);
        CHECK(strcmp(tp_state_name((tp_tcp_state)l.receiver_state), s->receiver) == 0,
              "%s #%zu (%s): receiver %s, want %s", sc->name, i + 1, s->step,
              tp_state_name((tp_tcp_state)l.receiver_state), s->receiver);
        CHECK(strcmp(got_anom, s->anomalies) == 0, "%s #%zu (%s): anomalies '%s', want '%s'",
              sc->name, i + 1, s->step, got_anom, s->anomalies);
    }
    return eng;
}

/* Connection id as it stands, or NULL; valid until the next call. */
static const tp_conn_view *conn_at(const tp_engine *eng, uint32_t id)
{
    static tp_conn_view view;
    return tp_engine_conn(eng, id, &view) ? &view : NULL;
}

static void expect_conn(const char *name, const tp_engine *eng, uint32_t id, const char *open,
                        const char *close)
{
    const tp_conn_view *c = conn_at(eng, id);
    CHECK(c != NULL, "%s: no connection %u", name, id);
    if (!c)
        return;
    CHECK(strcmp(tp_open_name((tp_open_kind)c->open_kind), open) == 0, "%s conn %u: open %s, want %s",
          name, id, tp_open_name((tp_open_kind)c->open_kind), open);
    CHECK(strcmp(tp_close_name((tp_close_kind)c->close_kind), close) == 0,
          "%s conn %u: close %s, want %s", name, id, tp_close_name((tp_close_kind)c->close_kind),
          close);
}

static void expect_zeek(const char *name, const tp_engine *eng, uint32_t id, const char *state,
                        const char *history)
{
    const tp_conn_view *c = conn_at(eng, id);
    if (!c)
        return;
    const char *got = tp_zeek_state_name((tp_zeek_state)c->zeek_state);
    CHECK(strcmp(got, state) == 0, "%s conn %u: zeek state %s, want %s", name, id, got, state);
    CHECK(strcmp(c->zeek_history, history) == 0, "%s conn %u: history %s, want %s", name, id,
          c->zeek_history, history);
}

#define SCENARIO(nm, arr) { nm, 0, arr, sizeof(arr) / sizeof(arr[0]) }

/* ---- Openings ----------------------------------------------------------- */

static const seg three_way_four_way[] = {
    { A, "S",  1000, 0,    0,  0.000, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.010, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.020, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 1001, 5001, 10, 0.030, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "A",  5001, 1011, 0,  0.040, "ack",           "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "PA", 5001, 1011, 20, 0.050, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1011, 5021, 0,  1.000, "fin_active",    "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "A",  5021, 1012, 0,  1.010, "fin_ack",       "CLOSE_WAIT",   "FIN_WAIT_2",   "" },
    { B, "FA", 5021, 1012, 0,  1.020, "fin_passive",   "LAST_ACK",     "TIME_WAIT",    "" },
    { A, "A",  1012, 5022, 0,  1.030, "last_ack",      "TIME_WAIT",    "CLOSED",       "" },
    { A, "A",  1012, 5022, 0,  1.500, "after_close",   "TIME_WAIT",    "CLOSED",       "" },
};

static const seg three_way_close[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0, 0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0, 0.3, "fin_active",    "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "FA", 5001, 1002, 0, 0.4, "fin_passive",   "LAST_ACK",     "TIME_WAIT",    "" },
    { A, "A",  1002, 5002, 0, 0.5, "last_ack",      "TIME_WAIT",    "CLOSED",       "" },
};

/* Seed 000: 127.0.0.1.6666 <-> 8888, SYNs crossing. */
static const seg simultaneous_open[] = {
    { A, "S",  340967518,  0,          0, 0.000000, "syn",     "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "S",  1919741020, 0,          0, 0.000003, "syn",     "SYN_RECEIVED", "SYN_RECEIVED", "simultaneous_open" },
    { A, "SA", 340967518,  1919741021, 0, 0.000014, "syn_ack", "SYN_RECEIVED", "ESTABLISHED",  "simultaneous_open" },
    { B, "SA", 1919741020, 340967519,  0, 0.000023, "syn_ack", "ESTABLISHED",  "ESTABLISHED",  "simultaneous_open" },
    { A, "PA", 340967519,  1919741021, 5, 0.1,      "data",    "ESTABLISHED",  "ESTABLISHED",  "" },
};

/* Seed 000: 127.0.0.1.6666 > 127.0.0.1.6666, then Linux's two-segment close. */
static const seg self_connect[] = {
    { X, "S",  703876123, 0,         0, 0.000000, "syn",           "SYN_SENT",     "SYN_RECEIVED", "self_connect" },
    { X, "SA", 703876123, 703876124, 0, 0.000018, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "self_connect" },
    /* The socket was ESTABLISHED by its own SYN-ACK (RFC 9293 figure 8):
     * what Linux sends next is a plain ACK. */
    { X, "A",  703876124, 703876124, 0, 0.000027, "ack",           "ESTABLISHED",  "ESTABLISHED",  "" },
    { X, "PA", 703876124, 703876124, 4, 0.1,      "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { X, "A",  703876128, 703876128, 0, 0.1001,   "ack",           "ESTABLISHED",  "ESTABLISHED",  "" },
    { X, "FA", 703876128, 703876128, 0, 0.2,      "fin_active",    "FIN_WAIT_1",   "CLOSING",      "" },
    { X, "A",  703876129, 703876129, 0, 0.2001,   "last_ack",      "CLOSING",      "TIME_WAIT",    "" },
};

/* Split handshake (Suricata 4WHS): the server answers a SYN with a SYN. */
static const seg split_handshake[] = {
    { A, "S",  100, 0,   0, 0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "S",  900, 0,   0, 0.1, "syn",           "SYN_RECEIVED", "SYN_RECEIVED", "simultaneous_open" },
    { A, "SA", 100, 901, 0, 0.2, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "simultaneous_open" },
    { B, "A",  901, 101, 0, 0.3, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
};

static const seg refused[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",         "SYN_SENT", "SYN_RECEIVED", "" },
    { B, "RA", 0,    1001, 0, 0.1, "rst_refused", "CLOSED",   "CLOSED",       "refused" },
};

static const seg unanswered[] = {
    { A, "S", 1000, 0, 0, 0.0, "syn",                "SYN_SENT", "SYN_RECEIVED", "" },
    { A, "S", 1000, 0, 0, 1.0, "syn_retransmission", "SYN_SENT", "SYN_RECEIVED", "" },
    { A, "S", 1000, 0, 0, 3.0, "syn_retransmission", "SYN_SENT", "SYN_RECEIVED", "" },
};

static const seg incomplete[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",                    "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",                "SYN_RECEIVED", "ESTABLISHED",  "" },
    { B, "SA", 5000, 1001, 0, 1.1, "syn_ack_retransmission", "SYN_RECEIVED", "ESTABLISHED",  "" },
};

/* The client gives up after the SYN-ACK: the passive side returns to LISTEN. */
static const seg rst_handshake[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "R",  1001, 0,    0, 0.2, "rst_handshake", "CLOSED",       "LISTEN",       "" },
};

/* RFC 9293 3.10.7.3: an unacceptable SYN-ACK is answered <SEQ=SEG.ACK><CTL=RST>,
 * the client stays in SYN_SENT, and the attempt goes on. */
static const seg bad_syn_ack[] = {
    { A, "S",  1000, 0,     0, 0.0, "syn",                "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 77777, 0, 0.1, "syn_ack",            "SYN_RECEIVED", "SYN_SENT",     "bad_syn_ack" },
    { A, "R",  77777, 0,    0, 0.2, "rst_handshake",      "SYN_SENT",     "LISTEN",       "" },
    { A, "S",  1000, 0,     0, 1.0, "syn_retransmission", "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 6000, 1001,  0, 1.1, "syn_ack",            "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 6001,  0, 1.2, "handshake_ack",      "ESTABLISHED",  "ESTABLISHED",  "" },
};

/* RFC 9293 3.10.7.3: a bare ACK that SYN_SENT cannot accept (an older
 * connection's) is answered <SEQ=SEG.ACK><CTL=RST>; the client stays in
 * SYN_SENT and its SYN retransmission completes the connection. */
static const seg stray_ack[] = {
    { A, "S",  1000, 0,     0, 0.0, "syn",                "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "A",  90000, 77777, 0, 0.1, "ack",               "SYN_RECEIVED", "SYN_SENT",     "" },
    { A, "R",  77777, 0,    0, 0.2, "rst_handshake",      "SYN_SENT",     "LISTEN",       "" },
    { A, "S",  1000, 0,     0, 1.0, "syn_retransmission", "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 3000000000u, 1001, 0, 1.1, "syn_ack",      "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 3000000001u, 0, 1.2, "handshake_ack", "ESTABLISHED", "ESTABLISHED",  "" },
};

/* RFC 9293 3.10.7.3: an RST+ACK in SYN_SENT is accepted only if it
 * acknowledges the SYN; this one acknowledges the ISN itself. */
static const seg rst_bad_ack[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "RA", 0,    1000, 0, 0.1, "out_of_window", "SYN_RECEIVED", "SYN_SENT",     "" },
    { B, "SA", 5000, 1001, 0, 0.2, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0, 0.3, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
};

/* A refused connect retried with the same ISN: each RST refuses a new
 * attempt (RFC 9293 3.10.7.3: the accepted RST closed the client). */
static const seg refused_retries[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",         "SYN_SENT", "SYN_RECEIVED", "" },
    { B, "RA", 0,    1001, 0, 0.1, "rst_refused", "CLOSED",   "CLOSED",       "refused" },
    { A, "S",  1000, 0,    0, 0.5, "syn",         "SYN_SENT", "SYN_RECEIVED", "" },
    { B, "RA", 0,    1001, 0, 0.6, "rst_refused", "CLOSED",   "CLOSED",       "refused" },
};

/* A simultaneous close finished by a FIN retransmission that is the first
 * acknowledgment of the peer's FIN (RFC 9293 3.6: CLOSING -> TIME_WAIT). */
static const seg sim_close_fin_rexmit[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",                "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",            "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0, 0.2, "handshake_ack",      "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0, 0.3, "fin_active",         "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "FA", 5001, 1001, 0, 0.3, "fin_simultaneous",   "CLOSING",      "CLOSING",      "" },
    { A, "A",  1002, 5002, 0, 0.4, "fin_ack",            "CLOSING",      "TIME_WAIT",    "" },
    { B, "FA", 5001, 1002, 0, 0.5, "last_ack",           "TIME_WAIT",    "TIME_WAIT",    "" },
};

/* RFC 9293 3.10.7.4: a FIN without ACK in a synchronized state is dropped;
 * the data that follows at the same sequence number is new data. */
static const seg fin_without_ack[] = {
    { A, "S",  1000, 0,    0,  0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "F",  1001, 0,    0,  0.3, "out_of_window", "ESTABLISHED",  "ESTABLISHED",  "fin_without_ack" },
    { A, "PA", 1001, 5001, 10, 0.4, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "A",  5001, 1011, 0,  0.5, "ack",           "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1011, 5001, 0,  0.6, "fin_active",    "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
};

/* An acceptable RST that neither endpoint acted on (an injected one): the
 * RST's sender goes on with new data at its next sequence number, its peer
 * acknowledges it; the states return to where they were (RFC 9293 3.10.7.4
 * says an endpoint that accepted an RST is CLOSED and sends no more). */
static const seg rst_ignored[] = {
    { A, "S",  1000, 0,    0,  0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "PA", 5001, 1001, 10, 0.3, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "RA", 5011, 1001, 0,  0.4, "rst_abort",     "CLOSED",       "CLOSED",       "" },
    { B, "PA", 5011, 1001, 10, 0.5, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "A",  1001, 5021, 0,  0.6, "ack",           "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5021, 0,  0.7, "fin_active",    "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
};

/* A real abort: the peer's data crossed the RST, the RST's sender answers
 * with RSTs only.  Nothing goes on. */
static const seg rst_real[] = {
    { A, "S",  1000, 0,    0,  0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "RA", 5001, 1001, 0,  0.4, "rst_abort",     "CLOSED",       "CLOSED",       "" },
    { A, "PA", 1001, 5001, 10, 0.5, "after_close",   "CLOSED",       "CLOSED",       "" },
    { B, "R",  5001, 0,    0,  0.6, "after_close",   "CLOSED",       "CLOSED",       "" },
    { B, "A",  5001, 1001, 0,  0.7, "after_close",   "CLOSED",       "CLOSED",       "" },
};

/* Two SYN-ACKs with different ISNs: the client's ACK acknowledges the
 * second one, whose sequence space the server then uses. */
static const seg two_syn_acks[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { B, "SA", 2000000000u, 1001, 0, 0.2, "out_of_window", "SYN_RECEIVED", "ESTABLISHED", "" },
    { A, "A",  1001, 2000000001u, 0, 0.3, "handshake_ack", "ESTABLISHED", "ESTABLISHED", "" },
    { B, "PA", 2000000001u, 1001, 10, 0.4, "data",  "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "FA", 2000000011u, 1001, 0, 0.5, "fin_active", "FIN_WAIT_1", "CLOSE_WAIT",   "" },
    { A, "FA", 1001, 2000000012u, 0, 0.6, "fin_passive", "LAST_ACK",  "TIME_WAIT",    "" },
    { B, "A",  2000000012u, 1002, 0, 0.7, "last_ack", "TIME_WAIT",    "CLOSED",       "" },
};

/* 1.5 GiB of the client's bytes missed by the capture; the server's ACKs
 * prove them sent, so the next segment is new data. */
static const seg huge_gap[] = {
    { A, "S",  1000, 0,    0,  0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 1001, 5001, 10, 0.3, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "A",  5001, 1011, 0,  0.4, "ack",           "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "A",  5001, 1611613835u, 0, 9.0, "ack",     "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 1611613835u, 5001, 10, 9.1, "data",   "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "A",  5001, 1611613845u, 0, 9.2, "ack",     "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1611613845u, 5001, 0, 9.3, "fin_active", "FIN_WAIT_1", "CLOSE_WAIT",  "" },
};

/* ---- Teardowns ------------------------------------------------------------ */

static const seg simultaneous_close[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",              "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",          "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0, 0.2, "handshake_ack",    "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0, 1.0, "fin_active",       "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "FA", 5001, 1001, 0, 1.0, "fin_simultaneous", "CLOSING",      "CLOSING",      "" },
    { A, "A",  1002, 5002, 0, 1.1, "fin_ack",          "CLOSING",      "TIME_WAIT",    "" },
    { B, "A",  5002, 1002, 0, 1.1, "last_ack",         "TIME_WAIT",    "TIME_WAIT",    "" },
};

static const seg half_close[] = {
    { A, "S",  1000, 0,    0,   0.0, "syn",             "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,   0.1, "syn_ack",         "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,   0.2, "handshake_ack",   "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0,   0.3, "fin_active",      "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "A",  5001, 1002, 0,   0.4, "fin_ack",         "CLOSE_WAIT",   "FIN_WAIT_2",   "" },
    { B, "PA", 5001, 1002, 100, 0.5, "half_close_data", "CLOSE_WAIT",   "FIN_WAIT_2",   "half_close" },
    { A, "A",  1002, 5101, 0,   0.6, "ack",             "FIN_WAIT_2",   "CLOSE_WAIT",   "" },
    { B, "PA", 5101, 1002, 100, 0.7, "half_close_data", "CLOSE_WAIT",   "FIN_WAIT_2",   "" },
    { B, "FA", 5201, 1002, 0,   0.8, "fin_passive",     "LAST_ACK",     "TIME_WAIT",    "" },
    { A, "A",  1002, 5202, 0,   0.9, "last_ack",        "TIME_WAIT",    "CLOSED",       "" },
};

static const seg data_after_fin[] = {
    { A, "S",  1000, 0,    0,  0.0, "syn",            "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.1, "syn_ack",        "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2, "handshake_ack",  "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0,  0.3, "fin_active",     "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "A",  5001, 1002, 0,  0.4, "fin_ack",        "CLOSE_WAIT",   "FIN_WAIT_2",   "" },
    { A, "PA", 1002, 5001, 10, 0.5, "data_after_fin", "FIN_WAIT_2",   "CLOSE_WAIT",   "data_after_fin" },
};

static const seg resets[] = {
    { A, "S",  1000, 0,    0,  0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    /* An RST far outside the window must not end the connection. */
    { B, "R",  5001 + 0x80000000u, 0, 0, 0.3, "out_of_window", "ESTABLISHED", "ESTABLISHED", "" },
    { A, "PA", 1001, 5001, 10, 0.4, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { B, "RA", 5001, 1011, 0,  0.5, "rst_abort",     "CLOSED",       "CLOSED",       "" },
    { A, "PA", 1011, 5001, 10, 0.6, "after_close",   "CLOSED",       "CLOSED",       "" },
};

static const seg rst_teardown[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",                "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",            "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0, 0.2, "handshake_ack",      "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0, 0.3, "fin_active",         "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { A, "FA", 1001, 5001, 0, 0.5, "fin_retransmission", "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "RA", 5001, 1002, 0, 0.6, "rst_teardown",       "CLOSED",       "CLOSED",       "" },
};

/* RFC 1337: an RST that reaches an endpoint in TIME_WAIT. */
static const seg time_wait_rst[] = {
    { A, "S",  1000, 0,    0, 0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0, 0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0, 0.3, "fin_active",    "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "A",  5001, 1002, 0, 0.4, "fin_ack",       "CLOSE_WAIT",   "FIN_WAIT_2",   "" },
    { B, "FA", 5001, 1002, 0, 0.5, "fin_passive",   "LAST_ACK",     "TIME_WAIT",    "" },
    { A, "A",  1002, 5002, 0, 0.6, "last_ack",      "TIME_WAIT",    "CLOSED",       "" },
    { B, "FA", 5001, 1002, 0, 0.9, "after_close",   "CLOSED",       "TIME_WAIT",    "" },
    { B, "R",  5002, 0,    0, 1.0, "after_close",   "CLOSED",       "CLOSED",       "time_wait_rst" },
};

/* Capture began mid-connection. */
static const seg midstream[] = {
    { A, "PA", 1000, 5000, 10, 0.0, "data",        "ESTABLISHED", "ESTABLISHED", "" },
    { B, "A",  5000, 1010, 0,  0.1, "ack",         "ESTABLISHED", "ESTABLISHED", "" },
    { B, "FA", 5000, 1010, 0,  0.2, "fin_active",  "FIN_WAIT_1",  "CLOSE_WAIT",  "" },
    { A, "FA", 1010, 5001, 0,  0.3, "fin_passive", "LAST_ACK",    "TIME_WAIT",   "" },
    { B, "A",  5001, 1011, 0,  0.4, "last_ack",    "TIME_WAIT",   "CLOSED",      "" },
};

/* Every frame captured twice. */
static const seg duplicates[] = {
    { A, "S",  1000, 0,    0,  0.0,    "syn",                    "SYN_SENT",     "SYN_RECEIVED", "" },
    { A, "S",  1000, 0,    0,  0.0001, "syn_retransmission",     "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0,  0.1,    "syn_ack",                "SYN_RECEIVED", "ESTABLISHED",  "" },
    { B, "SA", 5000, 1001, 0,  0.1001, "syn_ack_retransmission", "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2,    "handshake_ack",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0,  0.2001, "ack",                    "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 1001, 5001, 10, 0.3,    "data",                   "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 1001, 5001, 10, 0.3001, "data_retransmission",    "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1011, 5001, 0,  0.4,    "fin_active",             "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { A, "FA", 1011, 5001, 0,  0.4001, "fin_retransmission",     "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "FA", 5001, 1012, 0,  0.5,    "fin_passive",            "LAST_ACK",     "TIME_WAIT",    "" },
    { B, "FA", 5001, 1012, 0,  0.5001, "fin_retransmission",     "LAST_ACK",     "TIME_WAIT",    "" },
    { A, "A",  1012, 5002, 0,  0.6,    "last_ack",               "TIME_WAIT",    "CLOSED",       "" },
    { A, "A",  1012, 5002, 0,  0.6001, "after_close",            "TIME_WAIT",    "CLOSED",       "" },
};

/* Sequence numbers wrap around 2^32 in the middle of the connection. */
static const seg wraparound[] = {
    { A, "S",  0xFFFFFFF0u, 0,           0,  0.0, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000,        0xFFFFFFF1u, 0,  0.1, "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  0xFFFFFFF1u, 5001,        0,  0.2, "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 0xFFFFFFF1u, 5001,        32, 0.3, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 0x00000011u, 5001,        16, 0.4, "data",          "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "PA", 0xFFFFFFF1u, 5001,        32, 0.5, "data_retransmission", "ESTABLISHED", "ESTABLISHED", "" },
    { A, "FA", 0x00000021u, 5001,        0,  0.6, "fin_active",    "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "FA", 5001,        0x00000022u, 0,  0.7, "fin_passive",   "LAST_ACK",     "TIME_WAIT",    "" },
    { A, "A",  0x00000022u, 5002,        0,  0.8, "last_ack",      "TIME_WAIT",    "CLOSED",       "" },
};

/* The same tuple three times: within TIME_WAIT, then after it. */
static const seg tuple_reuse[] = {
    { A, "S",  1000, 0,    0, 0.0,   "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
    { B, "SA", 5000, 1001, 0, 0.1,   "syn_ack",       "SYN_RECEIVED", "ESTABLISHED",  "" },
    { A, "A",  1001, 5001, 0, 0.2,   "handshake_ack", "ESTABLISHED",  "ESTABLISHED",  "" },
    { A, "FA", 1001, 5001, 0, 0.3,   "fin_active",    "FIN_WAIT_1",   "CLOSE_WAIT",   "" },
    { B, "FA", 5001, 1002, 0, 0.4,   "fin_passive",   "LAST_ACK",     "TIME_WAIT",    "" },
    { A, "A",  1002, 5002, 0, 0.5,   "last_ack",      "TIME_WAIT",    "CLOSED",       "" },
    { A, "S",  90000, 0,   0, 2.5,   "syn",           "SYN_SENT",     "SYN_RECEIVED", "time_wait_reuse" },
    { B, "RA", 0,  90001,  0, 2.6,   "rst_refused",   "CLOSED",       "CLOSED",       "refused" },
    { A, "S",  190000, 0,  0, 122.5, "syn",           "SYN_SENT",     "SYN_RECEIVED", "" },
};

static const scenario scenarios[] = {
    SCENARIO("three_way_four_way", three_way_four_way),
    SCENARIO("three_way_close", three_way_close),
    SCENARIO("simultaneous_open", simultaneous_open),
    SCENARIO("self_connect", self_connect),
    SCENARIO("split_handshake", split_handshake),
    SCENARIO("refused", refused),
    SCENARIO("unanswered", unanswered),
    SCENARIO("incomplete", incomplete),
    SCENARIO("rst_handshake", rst_handshake),
    SCENARIO("bad_syn_ack", bad_syn_ack),
    SCENARIO("simultaneous_close", simultaneous_close),
    SCENARIO("half_close", half_close),
    SCENARIO("data_after_fin", data_after_fin),
    SCENARIO("resets", resets),
    SCENARIO("rst_teardown", rst_teardown),
    SCENARIO("time_wait_rst", time_wait_rst),
    SCENARIO("midstream", midstream),
    SCENARIO("duplicates", duplicates),
    SCENARIO("wraparound", wraparound),
    SCENARIO("tuple_reuse", tuple_reuse),
    SCENARIO("stray_ack", stray_ack),
    SCENARIO("rst_bad_ack", rst_bad_ack),
    SCENARIO("refused_retries", refused_retries),
    SCENARIO("sim_close_fin_rexmit", sim_close_fin_rexmit),
    SCENARIO("fin_without_ack", fin_without_ack),
    SCENARIO("rst_ignored", rst_ignored),
    SCENARIO("rst_real", rst_real),
    SCENARIO("two_syn_acks", two_syn_acks),
    SCENARIO("huge_gap", huge_gap),
};

static const scenario *find(const char *name)
{
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        if (strcmp(scenarios[i].name, name) == 0)
            return &scenarios[i];
    return NULL;
}

/* Connection-level verdicts and what only the whole capture can tell. */
static void test_connections(void)
{
    tp_label l[32];
    struct { const char *name, *open, *close; } cases[] = {
        { "three_way_four_way", "three_way",    "four_way" },
        { "three_way_close",    "three_way",    "three_way" },
        { "simultaneous_open",  "simultaneous", "open" },
        { "self_connect",       "self_connect", "self" },
        { "split_handshake",    "simultaneous", "open" },
        { "refused",            "refused",      "reset" },
        { "unanswered",         "unanswered",   "open" },
        { "incomplete",         "incomplete",   "open" },
        { "rst_handshake",      "incomplete",   "reset" },
        { "bad_syn_ack",        "three_way",    "open" },
        { "simultaneous_close", "three_way",    "simultaneous" },
        { "half_close",         "three_way",    "four_way" },
        { "data_after_fin",     "three_way",    "half_closed" },
        { "resets",             "three_way",    "reset" },
        { "rst_teardown",       "three_way",    "reset" },
        { "time_wait_rst",      "three_way",    "four_way" },
        { "midstream",          "not_seen",     "three_way" },  /* FIN+ACK acked the first FIN */
        { "duplicates",         "three_way",    "three_way" },
        { "wraparound",         "three_way",    "three_way" },
        { "stray_ack",          "three_way",    "open" },
        { "rst_bad_ack",        "three_way",    "open" },
        { "sim_close_fin_rexmit", "three_way",  "simultaneous" },
        { "fin_without_ack",    "three_way",    "half_closed" },
        { "rst_ignored",        "three_way",    "half_closed" },
        { "rst_real",           "three_way",    "reset" },
        { "two_syn_acks",       "three_way",    "three_way" },
        { "huge_gap",           "three_way",    "half_closed" },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tp_engine *eng = run(find(cases[i].name), l);
        CHECK(tp_engine_conn_count(eng) == 1, "%s: %u connections, want 1", cases[i].name,
              tp_engine_conn_count(eng));
        expect_conn(cases[i].name, eng, 1, cases[i].open, cases[i].close);
        tp_engine_free(eng);
    }

    /* Simultaneous open: the first SYN's sender turns out to be a peer. */
    tp_engine *eng = run(find("simultaneous_open"), l);
    const tp_conn_view *c = conn_at(eng, 1);
    CHECK(l[0].role == TP_ROLE_CLIENT, "first SYN seen as client in one pass");
    CHECK(tp_label_role(&l[0], c) == TP_ROLE_PEER, "first SYN is a peer in the end");
    CHECK(tp_label_anomalies(&l[0], c) & TP_ANOM_BIT(TP_ANOM_SIMULTANEOUS_OPEN),
          "first SYN flagged simultaneous_open in the end");
    CHECK(c->link[TP_LINK_HANDSHAKE_ACK] == 4, "simultaneous open completes at frame 4, got %u",
          c->link[TP_LINK_HANDSHAKE_ACK]);
    tp_engine_free(eng);
    eng = run(find("self_connect"), l);
    c = conn_at(eng, 1);
    CHECK(c->link[TP_LINK_HANDSHAKE_ACK] == 2, "self-connect completes at its SYN-ACK, got %u",
          c->link[TP_LINK_HANDSHAKE_ACK]);
    tp_engine_free(eng);

    /* Unanswered SYNs and a FIN whose peer never closed. */
    eng = run(find("unanswered"), l);
    c = conn_at(eng, 1);
    for (int i = 0; i < 3; i++)
        CHECK(tp_label_anomalies(&l[i], c) & TP_ANOM_BIT(TP_ANOM_SYN_UNANSWERED),
              "SYN %d flagged syn_unanswered", i + 1);
    tp_engine_free(eng);
    eng = run(find("incomplete"), l);
    c = conn_at(eng, 1);
    CHECK(!(tp_label_anomalies(&l[0], c) & TP_ANOM_BIT(TP_ANOM_SYN_UNANSWERED)),
          "an answered SYN is not syn_unanswered");
    tp_engine_free(eng);
    eng = run(find("data_after_fin"), l);
    c = conn_at(eng, 1);
    CHECK(tp_label_anomalies(&l[3], c) & TP_ANOM_BIT(TP_ANOM_HALF_CLOSED_AT_END),
          "the lone FIN is half_closed_at_end");
    tp_engine_free(eng);

    /* Links and times of a plain connection. */
    eng = run(find("three_way_four_way"), l);
    c = conn_at(eng, 1);
    CHECK(c->link[TP_LINK_SYN] == 1 && c->link[TP_LINK_SYN_ACK] == 2 &&
          c->link[TP_LINK_HANDSHAKE_ACK] == 3 && c->link[TP_LINK_FIN_ACTIVE] == 7 &&
          c->link[TP_LINK_FIN_PASSIVE] == 9 && c->link[TP_LINK_LAST_ACK] == 10 &&
          c->link[TP_LINK_RST] == 0, "frame links of three_way_four_way");
    CHECK(c->handshake_ns == 20000000, "handshake time %lld ns", (long long)c->handshake_ns);
    CHECK(c->teardown_ns == 30000000, "teardown time %lld ns", (long long)c->teardown_ns);
    CHECK(c->packets[0] == 6 && c->packets[1] == 5, "packets per direction");
    CHECK(c->bytes[0] == 10 && c->bytes[1] == 20, "bytes per direction");
    CHECK(l[0].role == TP_ROLE_CLIENT && l[1].role == TP_ROLE_SERVER, "roles");
    expect_zeek("three_way_four_way", eng, 1, "SF", "ShADadFf");
    tp_engine_free(eng);

    /* Tuple reuse: three incarnations, three ids. */
    eng = run(find("tuple_reuse"), l);
    CHECK(tp_engine_conn_count(eng) == 3, "tuple_reuse: %u connections, want 3",
          tp_engine_conn_count(eng));
    CHECK(l[5].conn_id == 1 && l[6].conn_id == 2 && l[7].conn_id == 2 && l[8].conn_id == 3,
          "incarnation ids");
    expect_conn("tuple_reuse", eng, 1, "three_way", "three_way");
    expect_conn("tuple_reuse", eng, 2, "refused", "reset");
    expect_conn("tuple_reuse", eng, 3, "unanswered", "open");
    expect_zeek("tuple_reuse", eng, 2, "REJ", "Sr");
    tp_engine_free(eng);

    eng = run(find("refused"), l);
    expect_zeek("refused", eng, 1, "REJ", "Sr");
    tp_engine_free(eng);
    eng = run(find("unanswered"), l);
    expect_zeek("unanswered", eng, 1, "S0", "S");
    tp_engine_free(eng);
    eng = run(find("midstream"), l);
    CHECK(l[0].role == TP_ROLE_UNKNOWN, "midstream role unknown");
    expect_zeek("midstream", eng, 1, "SF", "DafF");
    tp_engine_free(eng);
}

/* A scenario run over IPv6 gives the same labels. */
static void test_ipv6(void)
{
    tp_label l[32];
    scenario sc = *find("simultaneous_close");
    sc.v6 = 1;
    tp_engine_free(run(&sc, l));
}

/* What the core refuses. */
static void test_bad_input(void)
{
    tp_engine *eng = tp_engine_new(NULL);
    tp_segment s;
    seg one = { A, "S", 1, 0, 0, 0, "", "", "", "" };
    make_segment(&s, &one, 1, 0, 80);
    s.src.family = 9;
    tp_label l;
    CHECK(tp_engine_feed(eng, &s, &l) == 0, "unknown address family refused");
    make_segment(&s, &one, 2, 0, 80);
    s.dst.family = 6;
    CHECK(tp_engine_feed(eng, &s, &l) == 0, "mixed address families refused");
    CHECK(tp_engine_conn_count(eng) == 0, "nothing created");
    CHECK(conn_at(eng, 0) == NULL && conn_at(eng, 1) == NULL, "no such ids");
    tp_engine_free(eng);
}

/* Many connections: the table grows and finds each again. */
static void test_many_connections(void)
{
    tp_engine *eng = tp_engine_new(NULL);
    tp_label l;
    uint32_t n = 50000;
    for (uint32_t i = 0; i < 2 * n; i++) {
        seg sy = { A, "S", 1000 + i, 0, 0, i * 1e-6, "", "", "", "" };
        tp_segment s;
        make_segment(&s, &sy, i + 1, 0, 80);
        s.sport = (uint16_t)(1024 + (i % n) % 60000);
        s.src.bytes[2] = (uint8_t)((i % n) / 60000);
        tp_engine_feed(eng, &s, &l);
    }
    /* The second round repeats each tuple with a new ISN: a new attempt each. */
    CHECK(tp_engine_conn_count(eng) == 2 * n, "%u connections, want %u", tp_engine_conn_count(eng),
          2 * n);
    CHECK(tp_engine_memory(eng) < 2 * n * (sizeof(tp_conn_view) + 48), "memory %zu bytes",
          tp_engine_memory(eng));
    tp_engine_free(eng);
}

static void test_label_store(void)
{
    tp_label_store *st = tp_label_store_new();
    tp_label l = { 0 };
    bool all_put = true;
    for (uint32_t f = 1; f <= 100000; f += 3) {
        l.conn_id = f;
        all_put = tp_label_store_put(st, f, &l) && all_put;
    }
    CHECK(all_put, "every increasing frame stored");
    CHECK(!tp_label_store_put(st, 5, &l), "out-of-order frame refused");
    CHECK(tp_label_store_get(st, 4) && tp_label_store_get(st, 4)->conn_id == 4, "get 4");
    CHECK(tp_label_store_get(st, 99997) && tp_label_store_get(st, 99997)->conn_id == 99997,
          "get last");
    CHECK(tp_label_store_get(st, 5) == NULL && tp_label_store_get(st, 0) == NULL &&
          tp_label_store_get(st, 200000) == NULL, "absent frames");
    CHECK(sizeof(tp_label) == 12, "tp_label is %zu bytes", sizeof(tp_label));

    /* The cursor: every frame in order, then frames skipped, then backwards;
     * each answer must be the search's. */
    tp_label_cursor cur;
    bool cursor_ok = true;
    tp_label_cursor_init(&cur, st);
    for (uint32_t f = 1; f <= 100010; f++) {
        const tp_label *c = tp_label_cursor_get(&cur, f);
        bool want = f % 3 == 1 && f <= 100000;
        cursor_ok = cursor_ok && (c != NULL) == want && (!c || c->conn_id == f);
    }
    CHECK(cursor_ok, "cursor visiting every frame agrees with the store");
    const uint32_t jumps[] = { 2, 7, 64, 130, 131, 700, 699, 4, 4, 99997, 1, 100000 };
    tp_label_cursor_init(&cur, st);
    cursor_ok = true;
    for (size_t j = 0; j < sizeof jumps / sizeof jumps[0]; j++) {
        uint32_t f = jumps[j];
        const tp_label *c = tp_label_cursor_get(&cur, f);
        bool want = f % 3 == 1;
        cursor_ok = cursor_ok && (c != NULL) == want && (!c || c->conn_id == f);
    }
    CHECK(cursor_ok, "cursor skipping and going back agrees with the store");
    CHECK(tp_label_store_memory(st) < tp_label_store_count(st) * 16 + 70000,
          "label store memory %zu for %zu labels", tp_label_store_memory(st),
          tp_label_store_count(st));
    tp_label_store_free(st);
}

/* Every value of an enum named, and no two alike (names.c). */
static void check_names(const char *what, int count, const char *(*name)(int))
{
    for (int i = 0; i < count; i++) {
        const char *n = name(i);
        CHECK(n && *n && strcmp(n, "invalid") != 0, "%s %d has no name", what, i);
        for (int j = 0; n && j < i; j++)
            CHECK(!name(j) || strcmp(n, name(j)) != 0, "%s %d and %d are both %s", what, j, i, n);
    }
}

static const char *phase_at(int i)   { return tp_phase_name((tp_phase)i); }
static const char *step_at(int i)    { return tp_step_name((tp_step)i); }
static const char *role_at(int i)    { return tp_role_name((tp_role)i); }
static const char *state_at(int i)   { return tp_state_name((tp_tcp_state)i); }
static const char *open_at(int i)    { return tp_open_name((tp_open_kind)i); }
static const char *close_at(int i)   { return tp_close_name((tp_close_kind)i); }
static const char *anomaly_at(int i) { return tp_anomaly_name((tp_anomaly)i); }
static const char *text_at(int i)    { return tp_anomaly_text((tp_anomaly)i); }
static const char *link_at(int i)    { return tp_link_name((tp_link)i); }
static const char *zeek_at(int i)    { return tp_zeek_state_name((tp_zeek_state)i); }

static void test_names(void)
{
    CHECK(strcmp(tp_step_name(TP_STEP_FIN_SIMULTANEOUS), "fin_simultaneous") == 0, "step name");
    CHECK(strcmp(tp_state_name(TP_STATE_TIME_WAIT), "TIME_WAIT") == 0, "state name");
    CHECK(strcmp(tp_zeek_state_name(TP_ZEEK_RSTOS0), "RSTOS0") == 0, "Zeek state name");
    CHECK(strcmp(tp_link_name(TP_LINK_LAST_ACK), "last_ack_frame") == 0, "link name");
    CHECK(strcmp(tp_step_name((tp_step)200), "invalid") == 0, "out-of-range name");
    check_names("phase", TP_PHASE_COUNT, phase_at);
    check_names("step", TP_STEP_COUNT, step_at);
    check_names("role", TP_ROLE_COUNT, role_at);
    check_names("state", TP_STATE_COUNT, state_at);
    check_names("open kind", TP_OPEN_COUNT, open_at);
    check_names("close kind", TP_CLOSE_COUNT, close_at);
    check_names("anomaly", TP_ANOM_COUNT, anomaly_at);
    check_names("anomaly text", TP_ANOM_COUNT, text_at);
    check_names("link", TP_LINK_COUNT, link_at);
    check_names("Zeek state", TP_ZEEK_STATE_COUNT, zeek_at);
    CHECK(tp_anomaly_severity(TP_ANOM_RST_IGNORED) == TP_SEVERITY_WARN &&
          tp_anomaly_severity(TP_ANOM_REFUSED) == TP_SEVERITY_NOTE, "severities");
}

/* rst_ignored is known only once both endpoints went on: a late item. */
static void test_rst_ignored(void)
{
    tp_label l[32];
    tp_engine *eng = run(find("rst_ignored"), l);
    const tp_conn_view *c = conn_at(eng, 1);
    CHECK(c && (tp_label_anomalies(&l[4], c) & TP_ANOM_BIT(TP_ANOM_RST_IGNORED)),
          "the ignored RST gets rst_ignored in the end");
    CHECK(c && !(l[4].anomalies & TP_ANOM_BIT(TP_ANOM_RST_IGNORED)),
          "rst_ignored is not known when the RST is fed");
    CHECK(c && c->link[TP_LINK_RST] == 0, "an ignored RST is not the one that ended it");
    tp_engine_free(eng);

    eng = run(find("rst_real"), l);
    c = conn_at(eng, 1);
    CHECK(c && !(tp_label_anomalies(&l[3], c) & TP_ANOM_BIT(TP_ANOM_RST_IGNORED)) &&
          !c->rst_ignored, "a real abort is not rst_ignored");
    tp_engine_free(eng);
}

int main(void)
{
    tp_label l[32];
    for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
        tp_engine_free(run(&scenarios[i], l));
    test_connections();
    test_rst_ignored();
    test_ipv6();
    test_bad_input();
    test_many_connections();
    test_label_store();
    test_names();
    return check_summary();
}
