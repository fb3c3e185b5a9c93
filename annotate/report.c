/* report.c — NAME.report.html (report.h).
 *
 * The page is report.html (beside this file, embedded at build time as
 * report_page[]) with the capture's data put where it says @DATA@: one
 * JSON document, read by the page's script.  Per connection:
 *
 *   [id, endpoint0, endpoint1, left, self, open, close, zeek_state,
 *    anomalies, first_frame, last_frame, segments, bytes, start_s, duration_s,
 *    [initial_state0, initial_state1], rows]
 *
 * and each row of its ladder either an arrow
 *
 *   [frame, from, flags, seq, ack, len, step, sender_state, receiver_state,
 *    anomalies, microseconds since the connection's first segment]
 *
 * or a fold of ordinary established segments
 *
 *   [first_frame, last_frame, segments, bytes, microseconds].
 *
 * Enumerations are numbers; the names come once, in "names".
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"
#include "report_page.h"

struct tpa_report {
    tp_ladder **ladders;        /* indexed by connection id */
    uint32_t    count;          /* entries in ladders */
    bool        cut;            /* memory ran out: some segments missing */
};

tpa_report *tpa_report_new(void)
{
    return calloc(1, sizeof(tpa_report));
}

void tpa_report_free(tpa_report *r)
{
    uint32_t i;

    if (!r)
        return;
    for (i = 0; i < r->count; i++)
        tp_ladder_free(r->ladders[i]);
    free(r->ladders);
    free(r);
}

static bool
same_endpoint(const tp_addr *a, uint16_t port_a, const tp_addr *b, uint16_t port_b)
{
    size_t len = a->family == 4 ? 4 : 16;
    return port_a == port_b && a->family == b->family && memcmp(a->bytes, b->bytes, len) == 0;
}

bool tpa_report_add(tpa_report *r, const tp_segment *seg, const tp_conn_view *conn,
                    const tp_label *label)
{
    tp_ladder_segment ls;
    uint32_t id = conn->id;

    if (id >= r->count) {
        uint32_t count = r->count ? r->count : 1024;
        tp_ladder **grown;
        while (count <= id)
            count *= 2;
        grown = realloc(r->ladders, (size_t)count * sizeof *grown);
        if (!grown) {
            r->cut = true;
            return false;
        }
        memset(grown + r->count, 0, (size_t)(count - r->count) * sizeof *grown);
        r->ladders = grown;
        r->count = count;
    }
    if (!r->ladders[id] && !(r->ladders[id] = tp_ladder_new(true))) {
        r->cut = true;
        return false;
    }
    memset(&ls, 0, sizeof ls);
    ls.frame = seg->frame;
    ls.time_ns = seg->time_ns;
    ls.seq = seg->seq;
    ls.ack = seg->ack;
    ls.payload_len = seg->payload_len;
    ls.flags = seg->flags;
    ls.have_header = true;
    ls.from = same_endpoint(&seg->src, seg->sport, &conn->addr[0], conn->port[0]) ? 0 : 1;
    tp_ladder_add(r->ladders[id], &ls, label);     /* past the row limit: counted */
    return true;
}

/* A JSON string that is also safe inside <script>: no "</", no U+2028. */
static void
json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c >= 0x7f)
            fprintf(out, "\\u%04x", c);     /* bytes of a file name: shown, never run */
        else
            fputc(c, out);
    }
    fputc('"', out);
}

static void
name_list(FILE *out, const char *key, const char *(*name)(unsigned), unsigned count)
{
    unsigned i;

    fprintf(out, "\"%s\":[", key);
    for (i = 0; i < count; i++) {
        if (i)
            fputc(',', out);
        json_string(out, name(i));
    }
    fputc(']', out);
}

static const char *step_name(unsigned v) { return tp_step_name((tp_step)v); }
static const char *state_name(unsigned v) { return tp_state_name((tp_tcp_state)v); }
static const char *open_name(unsigned v) { return tp_open_name((tp_open_kind)v); }
static const char *close_name(unsigned v) { return tp_close_name((tp_close_kind)v); }
static const char *anomaly_name(unsigned v) { return tp_anomaly_name((tp_anomaly)v); }

static int64_t
micros(int64_t ns, int64_t since)
{
    return (ns - since) / 1000;
}

static void
connection(FILE *out, tp_ladder *ladder, const tp_conn_view *conn)
{
    tp_ladder_conn lc;
    const tp_ladder_row *rows;
    size_t i, n;
    uint16_t anomalies = conn->anomalies;
    uint64_t bytes = conn->bytes[0] + conn->bytes[1];
    uint32_t segments = conn->packets[0] + conn->packets[1];
    uint8_t initial[2];

    tp_ladder_finish(ladder, conn);
    tp_ladder_describe(conn, &lc);
    tp_ladder_initial_states(ladder, &lc, initial);
    rows = tp_ladder_rows(ladder);
    n = tp_ladder_row_count(ladder);
    for (i = 0; i < n; i++)
        anomalies |= rows[i].anomalies;

    fprintf(out, "[%" PRIu32 ",", conn->id);
    json_string(out, lc.endpoint[0]);
    fputc(',', out);
    json_string(out, lc.endpoint[1]);
    fprintf(out, ",%u,%d,%u,%u,", lc.left, lc.self ? 1 : 0, lc.open_kind, lc.close_kind);
    json_string(out, lc.zeek_state);
    fprintf(out, ",%u,%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%.6f,%.6f,[%u,%u],[",
            anomalies, conn->first_frame, conn->last_frame, segments, bytes,
            (double)conn->first_ns / 1e9, (double)(conn->last_ns - conn->first_ns) / 1e9,
            initial[0], initial[1]);
    for (i = 0; i < n; i++) {
        const tp_ladder_row *row = &rows[i];
        if (i)
            fputc(',', out);
        if (row->kind == TP_LADDER_FOLD)
            fprintf(out, "[%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu64 ",%" PRId64 "]",
                    row->frame, row->last_frame, row->segments, row->bytes,
                    micros(row->time_ns, conn->first_ns));
        else
            fprintf(out, "[%" PRIu32 ",%u,%u,%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%u,%u,%u,%u,%"
                    PRId64 "]", row->frame, row->from, row->flags, row->seq, row->ack,
                    row->payload_len, row->step, row->sender_state, row->receiver_state,
                    row->anomalies, micros(row->time_ns, conn->first_ns));
    }
    fputs("]]", out);
}

bool tpa_report_write(tpa_report *r, const tp_engine *engine, const char *capture_name,
                      uint64_t frames, FILE *out)
{
    static const char marker[] = "@DATA@";
    const char *at = strstr(report_page, marker);
    uint32_t id, n = tp_engine_conn_count(engine);
    bool first = true;

    if (!at)
        return false;               /* cannot happen: the page is ours */
    fwrite(report_page, 1, (size_t)(at - report_page), out);

    fputs("{\"capture\":", out);
    json_string(out, capture_name);
    fprintf(out, ",\"frames\":%" PRIu64 ",\"cut\":%s,\"names\":{", frames, r->cut ? "true" : "false");
    name_list(out, "step", step_name, TP_STEP_COUNT);
    fputc(',', out);
    name_list(out, "state", state_name, TP_STATE_COUNT);
    fputc(',', out);
    name_list(out, "open", open_name, TP_OPEN_COUNT);
    fputc(',', out);
    name_list(out, "close", close_name, TP_CLOSE_COUNT);
    fputc(',', out);
    name_list(out, "anomaly", anomaly_name, TP_ANOM_COUNT);
    fputs("},\"conns\":[\n", out);
    for (id = 1; id <= n; id++) {
        tp_conn_view conn;
        tp_ladder *ladder = id < r->count ? r->ladders[id] : NULL;

        if (!ladder || !tp_engine_conn(engine, id, &conn))
            continue;
        if (!first)
            fputs(",\n", out);
        first = false;
        connection(out, ladder, &conn);
        /* Its rows are written: give the memory back as we go. */
        tp_ladder_free(ladder);
        r->ladders[id] = NULL;
    }
    fputs("\n]}", out);
    fputs(at + strlen(marker), out);
    return !ferror(out);
}
