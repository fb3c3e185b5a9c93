/* summary.c — see summary.h.
 *
 * Times are seconds with nine decimals, printed from integer nanoseconds so
 * that nothing is lost to floating point; absent values (a frame link not
 * seen, a handshake not completed) are empty in CSV and null in JSON.
 *
 * A capture can hold millions of connections: each row is assembled with
 * plain digit loops into one buffer and written with one fwrite (printf
 * costs ten times as much per cell), once for both files.
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

/* ---- Formatting cells -------------------------------------------------------- */

/* The text of every cell of a row, formatted once, used by both formats. */
typedef struct texts {
    char buf[1024];     /* far more than a row's cells take */
    char *at[NCOLUMNS]; /* NULL: absent */
    size_t len[NCOLUMNS];
    bool quoted[NCOLUMNS];  /* a JSON string (address or name) */
    size_t used;
} texts;

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes v in decimal at p; returns the length. */
static size_t format_uint(char *p, uint64_t v)
{
    char tmp[24];
    char *e = tmp + sizeof tmp, *q = e;
    size_t n;

    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--q = digit_pairs[d + 1];
        *--q = digit_pairs[d];
    }
    if (v >= 10) {
        *--q = digit_pairs[v * 2 + 1];
        *--q = digit_pairs[v * 2];
    } else {
        *--q = (char)('0' + v);
    }
    n = (size_t)(e - q);
    memcpy(p, q, n);
    return n;
}

static size_t format_seconds(char *p, int64_t ns)
{
    uint64_t m = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    uint64_t frac = m % 1000000000u;
    size_t n = 0;
    int i;

    if (ns < 0)
        p[n++] = '-';
    n += format_uint(p + n, m / 1000000000u);
    p[n++] = '.';
    for (i = 8; i >= 0; i--) {
        p[n + (size_t)i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    return n + 9;
}

static size_t format_addr(char *p, const tp_addr *a)
{
    size_t n = 0;
    int i;

    if (a->family == 4) {
        for (i = 0; i < 4; i++) {
            if (i)
                p[n++] = '.';
            n += format_uint(p + n, a->bytes[i]);
        }
        return n;
    }
    if (!inet_ntop(AF_INET6, a->bytes, p, INET6_ADDRSTRLEN)) {
        p[0] = '?';
        return 1;
    }
    return strlen(p);
}

static void format_cell(texts *t, int i, const cell *c)
{
    char *p = t->buf + t->used;
    size_t n = 0;

    if (!c->present) {
        t->at[i] = NULL;
        return;
    }
    switch (c->k) {
    case K_UINT: n = format_uint(p, c->u); break;
    case K_TIME: n = format_seconds(p, c->ns); break;
    case K_ADDR: n = format_addr(p, c->addr); break;
    case K_NAME:
        n = strlen(c->name);
        if (n > 64)
            n = 64;     /* names are short; bound what a buffer can take */
        memcpy(p, c->name, n);
        break;
    }
    t->at[i] = p;
    t->len[i] = n;
    t->quoted[i] = c->k == K_ADDR || c->k == K_NAME;
    t->used += n;
}

/* ---- Appending to a line ------------------------------------------------------- */

typedef struct line {
    char buf[2048];     /* column names and two rows' worth of cells fit */
    size_t len;
} line;

static void put(line *l, const char *s, size_t n)
{
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void put_char(line *l, char c)
{
    l->buf[l->len++] = c;
}

static void put_str(line *l, const char *s)
{
    put(l, s, strlen(s));
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

static void put_anomalies(line *l, uint16_t anomalies, const char *sep, bool quoted)
{
    bool first = true;
    int a;

    for (a = 0; a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a)) {
            if (!first)
                put_str(l, sep);
            if (quoted)
                put_char(l, '"');
            put_str(l, tp_anomaly_name((tp_anomaly)a));
            if (quoted)
                put_char(l, '"');
            first = false;
        }
    }
}

void tpa_summary_rows(FILE *csv, FILE *jsonl, const tp_conn *conn, uint16_t anomalies)
{
    cell cells[NCOLUMNS];
    texts t;
    line l;
    int i;

    fill(cells, conn);
    t.used = 0;
    for (i = 0; i < C_ANOMALIES; i++)
        format_cell(&t, i, &cells[i]);

    /* CSV.  No cell can hold a comma, a quote or a line break (names,
     * numbers, addresses, Zeek's history letters): nothing needs quoting. */
    l.len = 0;
    for (i = 0; i < C_ANOMALIES; i++) {
        if (t.at[i])
            put(&l, t.at[i], t.len[i]);
        put_char(&l, ',');
    }
    put_anomalies(&l, anomalies, ";", false);
    put_char(&l, '\n');
    fwrite(l.buf, 1, l.len, csv);

    /* JSON: the same cells, numbers bare, names and addresses quoted. */
    l.len = 0;
    put_char(&l, '{');
    for (i = 0; i < C_ANOMALIES; i++) {
        put_char(&l, '"');
        put_str(&l, columns[i]);
        put(&l, "\":", 2);
        if (!t.at[i]) {
            put(&l, "null", 4);
        } else {
            if (t.quoted[i])
                put_char(&l, '"');
            put(&l, t.at[i], t.len[i]);
            if (t.quoted[i])
                put_char(&l, '"');
        }
        put_char(&l, ',');
    }
    put_str(&l, "\"anomalies\":[");
    put_anomalies(&l, anomalies, ",", true);
    put(&l, "]}\n", 3);
    fwrite(l.buf, 1, l.len, jsonl);
}
