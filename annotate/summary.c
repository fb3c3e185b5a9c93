/* summary.c — see summary.h.
 *
 * Times are seconds with nine decimals, printed from integer nanoseconds so
 * that nothing is lost to floating point; absent values (a frame link not
 * seen, a handshake not completed) are empty in CSV and null in JSON.
 *
 * A capture can hold millions of connections: each row is assembled with
 * plain digit loops into one buffer and written with one fwrite (printf
 * costs ten times as much per cell).
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "summary.h"

#include <arpa/inet.h>
#include <string.h>

typedef enum kind { K_UINT, K_TIME, K_ADDR, K_NAME } kind;

/* One cell: what it holds and how it is printed. */
typedef struct cell {
    kind k;
    bool present;
    uint64_t u;        /* K_UINT */
    int64_t ns;        /* K_TIME */
    const tp_addr *addr;
    const char *name;  /* K_NAME: a name of the core or Zeek's history letters */
} cell;

enum {
    C_ID, C_FIRST_FRAME, C_LAST_FRAME, C_START_TIME, C_DURATION,
    C_ORIG_ADDR, C_ORIG_PORT, C_RESP_ADDR, C_RESP_PORT,
    C_OPEN, C_CLOSE, C_CONN_STATE, C_HISTORY,
    C_LINK0, /* TP_LINK_COUNT links */
    C_HANDSHAKE_TIME = C_LINK0 + TP_LINK_COUNT, C_TEARDOWN_TIME,
    C_ORIG_PACKETS, C_ORIG_BYTES, C_RESP_PACKETS, C_RESP_BYTES,
    C_ANOMALIES, NCOLUMNS
};

static const char *const columns[NCOLUMNS] = {
    "id", "first_frame", "last_frame", "start_time", "duration",
    "orig_addr", "orig_port", "resp_addr", "resp_port",
    "open", "close", "conn_state", "history",
    "syn_frame", "syn_ack_frame", "handshake_ack_frame", "fin_active_frame",
    "fin_passive_frame", "last_ack_frame", "rst_frame",
    "handshake_time", "teardown_time",
    "orig_packets", "orig_bytes", "resp_packets", "resp_bytes",
    "anomalies",
};

/* ---- Appending to a row --------------------------------------------------- */

typedef struct line {
    char buf[2048];     /* far more than a row can take */
    size_t len;
} line;

static void put_str(line *l, const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof l->buf - l->len - 1)
        n = sizeof l->buf - l->len - 1;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_char(line *l, char c)
{
    if (l->len < sizeof l->buf - 1)
        l->buf[l->len++] = c;
}

static void put_uint(line *l, uint64_t v)
{
    char digits[24];
    int n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        put_char(l, digits[--n]);
}

static void put_seconds(line *l, int64_t ns)
{
    uint64_t m = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    uint64_t frac = m % 1000000000u;
    int i;

    if (ns < 0)
        put_char(l, '-');
    put_uint(l, m / 1000000000u);
    put_char(l, '.');
    for (i = 100000000; i > 0; i /= 10)
        put_char(l, (char)('0' + (frac / (uint64_t)i) % 10));
}

static void put_addr(line *l, const tp_addr *a)
{
    char text[64];

    if (a->family == 4) {
        int i;
        for (i = 0; i < 4; i++) {
            if (i)
                put_char(l, '.');
            put_uint(l, a->bytes[i]);
        }
        return;
    }
    if (!inet_ntop(AF_INET6, a->bytes, text, sizeof text))
        strcpy(text, "?");
    put_str(l, text);
}

static void put_cell(line *l, const cell *c)
{
    switch (c->k) {
    case K_UINT: put_uint(l, c->u); break;
    case K_TIME: put_seconds(l, c->ns); break;
    case K_ADDR: put_addr(l, c->addr); break;
    case K_NAME: put_str(l, c->name); break;
    }
}

/* ---- The cells of a connection ----------------------------------------------- */

static void fill(cell *cells, const tp_conn *c)
{
    unsigned orig = tp_conn_zeek_orig(c) ? 1 : 0, resp = !orig;
    int l;

#define UINT(i, v)  (cells[i] = (cell){ .k = K_UINT, .present = true, .u = (v) })
#define TIME(i, v)  (cells[i] = (cell){ .k = K_TIME, .present = true, .ns = (v) })
#define ADDR(i, v)  (cells[i] = (cell){ .k = K_ADDR, .present = true, .addr = (v) })
#define NAME(i, v)  (cells[i] = (cell){ .k = K_NAME, .present = true, .name = (v) })
    UINT(C_ID, c->id);
    UINT(C_FIRST_FRAME, c->first_frame);
    UINT(C_LAST_FRAME, c->last_frame);
    TIME(C_START_TIME, c->first_ns);
    TIME(C_DURATION, c->last_ns - c->first_ns);
    ADDR(C_ORIG_ADDR, &c->addr[orig]);
    UINT(C_ORIG_PORT, c->port[orig]);
    ADDR(C_RESP_ADDR, &c->addr[resp]);
    UINT(C_RESP_PORT, c->port[resp]);
    NAME(C_OPEN, tp_open_name((tp_open_kind)c->open_kind));
    NAME(C_CLOSE, tp_close_name((tp_close_kind)c->close_kind));
    NAME(C_CONN_STATE, tp_conn_zeek_state(c));
    NAME(C_HISTORY, c->zeek.history);
    for (l = 0; l < TP_LINK_COUNT; l++) {
        UINT(C_LINK0 + l, c->link[l]);
        cells[C_LINK0 + l].present = c->link[l] != 0;
    }
    TIME(C_HANDSHAKE_TIME, c->handshake_ns);
    cells[C_HANDSHAKE_TIME].present = c->handshake_ns >= 0;
    TIME(C_TEARDOWN_TIME, c->teardown_ns);
    cells[C_TEARDOWN_TIME].present = c->teardown_ns >= 0;
    UINT(C_ORIG_PACKETS, c->ep[orig].packets);
    UINT(C_ORIG_BYTES, c->ep[orig].bytes);
    UINT(C_RESP_PACKETS, c->ep[resp].packets);
    UINT(C_RESP_BYTES, c->ep[resp].bytes);
#undef UINT
#undef TIME
#undef ADDR
#undef NAME
}

void tpa_summary_csv_header(FILE *out)
{
    int i;

    for (i = 0; i < NCOLUMNS; i++)
        fprintf(out, "%s%s", i ? "," : "", columns[i]);
    fputc('\n', out);
}

void tpa_summary_csv_row(FILE *out, const tp_conn *conn, uint16_t anomalies)
{
    cell cells[NCOLUMNS];
    line l;
    int i, a;
    bool first = true;

    fill(cells, conn);
    l.len = 0;
    /* No cell can hold a comma, a quote or a line break (names, numbers,
     * addresses, Zeek's history letters): nothing needs quoting. */
    for (i = 0; i < C_ANOMALIES; i++) {
        if (cells[i].present)
            put_cell(&l, &cells[i]);
        put_char(&l, ',');
    }
    for (a = 0; a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a)) {
            if (!first)
                put_char(&l, ';');
            put_str(&l, tp_anomaly_name((tp_anomaly)a));
            first = false;
        }
    }
    put_char(&l, '\n');
    fwrite(l.buf, 1, l.len, out);
}

void tpa_summary_json_row(FILE *out, const tp_conn *conn, uint16_t anomalies)
{
    cell cells[NCOLUMNS];
    line l;
    int i, a;
    bool first = true;

    fill(cells, conn);
    l.len = 0;
    put_char(&l, '{');
    for (i = 0; i < C_ANOMALIES; i++) {
        bool quoted = cells[i].k == K_ADDR || cells[i].k == K_NAME;
        put_char(&l, '"');
        put_str(&l, columns[i]);
        put_str(&l, "\":");
        if (!cells[i].present) {
            put_str(&l, "null");
        } else {
            if (quoted)
                put_char(&l, '"');
            put_cell(&l, &cells[i]);
            if (quoted)
                put_char(&l, '"');
        }
        put_char(&l, ',');
    }
    put_str(&l, "\"anomalies\":[");
    for (a = 0; a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a)) {
            if (!first)
                put_char(&l, ',');
            put_char(&l, '"');
            put_str(&l, tp_anomaly_name((tp_anomaly)a));
            put_char(&l, '"');
            first = false;
        }
    }
    put_str(&l, "]}\n");
    fwrite(l.buf, 1, l.len, out);
}
