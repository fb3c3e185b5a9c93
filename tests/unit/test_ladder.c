/* test_ladder.c — the ladder module without Wireshark: folding, relative
 * numbers, the words of an arrow, the row limit and the drawing of a
 * self-connect.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ladder.h"

static tp_label
label(tp_step step, tp_phase phase, tp_tcp_state sender, tp_tcp_state receiver)
{
    tp_label l;

    memset(&l, 0, sizeof l);
    l.conn_id = 1;
    l.step = (uint8_t)step;
    l.phase = (uint8_t)phase;
    l.role = TP_ROLE_CLIENT;
    l.sender_state = (uint8_t)sender;
    l.receiver_state = (uint8_t)receiver;
    return l;
}

static tp_ladder_segment
segment(uint32_t frame, uint8_t from, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    tp_ladder_segment s;

    memset(&s, 0, sizeof s);
    s.frame = frame;
    s.from = from;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.payload_len = len;
    s.have_header = true;
    return s;
}

/* Handshake, n data segments each ACKed, and a FIN. */
static tp_ladder *
connection(bool fold, uint32_t n)
{
    tp_ladder *l = tp_ladder_new(fold);
    tp_ladder_segment s;
    tp_label lb;
    uint32_t f = 1, i, c = 4000000000u, srv = 77;

    s = segment(f++, 0, TP_SYN, c, 0, 0);
    lb = label(TP_STEP_SYN, TP_PHASE_HANDSHAKE, TP_STATE_SYN_SENT, TP_STATE_SYN_RECEIVED);
    tp_ladder_add(l, &s, &lb);
    s = segment(f++, 1, TP_SYN | TP_ACK, srv, c + 1, 0);
    lb = label(TP_STEP_SYN_ACK, TP_PHASE_HANDSHAKE, TP_STATE_SYN_RECEIVED, TP_STATE_ESTABLISHED);
    tp_ladder_add(l, &s, &lb);
    s = segment(f++, 0, TP_ACK, c + 1, srv + 1, 0);
    lb = label(TP_STEP_HANDSHAKE_ACK, TP_PHASE_HANDSHAKE, TP_STATE_ESTABLISHED, TP_STATE_ESTABLISHED);
    tp_ladder_add(l, &s, &lb);
    for (i = 0; i < n; i++) {
        s = segment(f++, 0, TP_ACK | TP_PSH, c + 1 + 1000 * i, srv + 1, 1000);
        lb = label(TP_STEP_DATA, TP_PHASE_ESTABLISHED, TP_STATE_ESTABLISHED, TP_STATE_ESTABLISHED);
        tp_ladder_add(l, &s, &lb);
        s = segment(f++, 1, TP_ACK, srv + 1, c + 1 + 1000 * (i + 1), 0);
        lb = label(TP_STEP_ACK, TP_PHASE_ESTABLISHED, TP_STATE_ESTABLISHED, TP_STATE_ESTABLISHED);
        tp_ladder_add(l, &s, &lb);
    }
    s = segment(f++, 0, TP_FIN | TP_ACK, c + 1 + 1000 * n, srv + 1, 0);
    lb = label(TP_STEP_FIN_ACTIVE, TP_PHASE_TEARDOWN, TP_STATE_FIN_WAIT_1, TP_STATE_CLOSE_WAIT);
    tp_ladder_add(l, &s, &lb);
    return l;
}

static void
test_folding(void)
{
    tp_ladder *l = connection(true, 5000);
    const tp_ladder_row *r = tp_ladder_rows(l);
    char text[96];

    CHECK(tp_ladder_row_count(l) == 5, "handshake, one fold, FIN: %zu rows", tp_ladder_row_count(l));
    CHECK(r[3].kind == TP_LADDER_FOLD && r[3].segments == 10000 && r[3].bytes == 5000000,
          "the fold holds 10000 segments and 5 MB (%u, %llu)", r[3].segments,
          (unsigned long long)r[3].bytes);
    CHECK(r[3].frame == 4 && r[3].last_frame == 10003, "fold frames %u-%u", r[3].frame, r[3].last_frame);
    tp_ladder_fold_text(&r[3], text, sizeof text);
    CHECK(strcmp(text, "10,000 segments, 5.0 MB") == 0, "fold text: %s", text);
    /* Sequence numbers wrapped past 2^32 inside the fold: still relative. */
    tp_ladder_arrow_text(&r[4], text, sizeof text);
    CHECK(strcmp(text, "[FIN, ACK] Seq=5000001 Ack=1 Len=0") == 0, "FIN after the fold: %s", text);
    tp_ladder_free(l);

    /* A short run stays in full; so does a long one without folding. */
    l = connection(true, TP_LADDER_FOLD_AFTER / 2);
    CHECK(tp_ladder_row_count(l) == 4 + 2 * (TP_LADDER_FOLD_AFTER / 2), "short run in full: %zu",
          tp_ladder_row_count(l));
    tp_ladder_free(l);
    l = connection(false, 100);
    CHECK(tp_ladder_row_count(l) == 204, "full: %zu rows", tp_ladder_row_count(l));
    tp_ladder_free(l);
}

static void
test_words(void)
{
    tp_ladder *l = connection(false, 1);
    const tp_ladder_row *r = tp_ladder_rows(l);
    char text[96];

    tp_ladder_arrow_text(&r[0], text, sizeof text);
    CHECK(strcmp(text, "[SYN] Seq=0 Len=0") == 0, "SYN: %s", text);
    tp_ladder_arrow_text(&r[1], text, sizeof text);
    CHECK(strcmp(text, "[SYN, ACK] Seq=0 Ack=1 Len=0") == 0, "SYN-ACK: %s", text);
    tp_ladder_arrow_text(&r[3], text, sizeof text);
    CHECK(strcmp(text, "[PSH, ACK] Seq=1 Ack=1 Len=1000") == 0, "data: %s", text);
    tp_ladder_arrow_text(&r[4], text, sizeof text);
    CHECK(strcmp(text, "[ACK] Seq=1 Ack=1001 Len=0") == 0, "ack: %s", text);
    tp_ladder_free(l);

    tp_addr a;
    char ep[56];
    memset(&a, 0, sizeof a);
    a.family = 6;
    a.bytes[0] = 0x20; a.bytes[1] = 0x01; a.bytes[2] = 0x0d; a.bytes[3] = 0xb8;
    a.bytes[15] = 1;
    tp_ladder_format_endpoint(&a, 443, ep, sizeof ep);
    CHECK(strcmp(ep, "[2001:db8::1]:443") == 0, "IPv6 endpoint: %s", ep);
    memset(a.bytes, 0, sizeof a.bytes);
    a.bytes[15] = 1;
    tp_ladder_format_endpoint(&a, 80, ep, sizeof ep);
    CHECK(strcmp(ep, "[::1]:80") == 0, "loopback: %s", ep);
}

static void
test_row_limit(void)
{
    tp_ladder *l = tp_ladder_new(true);
    tp_label lb = label(TP_STEP_OUT_OF_WINDOW, TP_PHASE_ESTABLISHED, TP_STATE_ESTABLISHED,
                        TP_STATE_ESTABLISHED);
    uint32_t i;

    /* Segments that never fold (out of window), past the limit. */
    for (i = 0; i < TP_LADDER_MAX_ROWS + 10; i++) {
        tp_ladder_segment s = segment(i + 1, 0, TP_RST, i, 0, 0);
        tp_ladder_add(l, &s, &lb);
    }
    CHECK(tp_ladder_row_count(l) == TP_LADDER_MAX_ROWS, "rows capped: %zu", tp_ladder_row_count(l));
    CHECK(tp_ladder_omitted(l) == 10, "10 counted as omitted: %u", tp_ladder_omitted(l));
    tp_ladder_free(l);
}

static void
test_self_connect(void)
{
    tp_ladder *l = tp_ladder_new(true);
    tp_ladder_conn c;
    tp_text t;
    tp_ladder_segment s = segment(1, 0, TP_SYN, 5, 0, 0);
    tp_label lb = label(TP_STEP_SYN, TP_PHASE_HANDSHAKE, TP_STATE_SYN_SENT, TP_STATE_SYN_RECEIVED);

    lb.role = TP_ROLE_SELF;
    lb.anomalies = TP_ANOM_BIT(TP_ANOM_SELF_CONNECT);
    tp_ladder_add(l, &s, &lb);
    memset(&c, 0, sizeof c);
    c.id = 1;
    c.self = true;
    c.open_kind = TP_OPEN_SELF_CONNECT;
    c.close_kind = TP_CLOSE_OPEN;
    strcpy(c.endpoint[0], "127.0.0.1:6666");
    strcpy(c.endpoint[1], "127.0.0.1:6666");
    strcpy(c.zeek_state, "S0");
    tp_text_init(&t);
    tp_ladder_render(l, &c, TP_LADDER_ASCII, &t);
    CHECK(t.data && strstr(t.data, "127.0.0.1:6666 connected to itself"), "header:\n%s", t.data);
    CHECK(t.data && strstr(t.data, "    1  SYN_SENT      --- [SYN] Seq=0 Len=0 "), "loop out:\n%s", t.data);
    CHECK(t.data && strstr(t.data, "       SYN_RECEIVED  <---"), "loop back:\n%s", t.data);
    CHECK(t.data && strstr(t.data, "! self_connect"), "anomaly mark:\n%s", t.data);
    tp_text_free(&t);
    tp_ladder_free(l);
}

int main(void)
{
    test_folding();
    test_words();
    test_row_limit();
    test_self_connect();
    return check_summary();
}
