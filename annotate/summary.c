/* summary.c — see summary.h.
 *
 * Times are seconds with nine decimals, printed from integer nanoseconds so
 * that nothing is lost to floating point; absent values (a frame link not
 * seen, a handshake not completed) are empty in CSV and null in JSON.
 *
 * A capture can hold millions of connections, and a row costs as much as
 * several packets if it is not done with care: each cell is formatted once,
 * with plain digit loops, straight into the CSV line and copied from there
 * into the JSON line (keys are constants of known length); each line is
 * written with one fwrite.  printf costs ten times as much per cell.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "summary.h"

#include <arpa/inet.h>
#include <string.h>

enum {
    C_ID, C_FIRST_FRAME, C_LAST_FRAME, C_START_TIME, C_DURATION,
    C_ORIG_ADDR, C_ORIG_PORT, C_RESP_ADDR, C_RESP_PORT,
    C_OPEN, C_CLOSE, C_CONN_STATE, C_HISTORY,
    C_LINK0, /* TP_LINK_COUNT links */
    C_HANDSHAKE_TIME = C_LINK0 + TP_LINK_COUNT, C_TEARDOWN_TIME,
    C_ORIG_PACKETS, C_ORIG_BYTES, C_RESP_PACKETS, C_RESP_BYTES,
    C_ANOMALIES, NCOLUMNS
};

/* A column's name, and its JSON key ("name":) with the key's length.  The
 * key lives in a fixed-size array so that it can be copied whole, with a
 * few moves instead of a call to memcpy. */
#define KEY_SIZE 24
typedef struct column {
    const char *name;
    char key[KEY_SIZE];
    size_t key_len;
} column;

#define COLUMN(n) { n, "\"" n "\":", sizeof(n) + 2 }
static column columns[NCOLUMNS] = {
    [C_ID] = COLUMN("id"), [C_FIRST_FRAME] = COLUMN("first_frame"),
    [C_LAST_FRAME] = COLUMN("last_frame"), [C_START_TIME] = COLUMN("start_time"),
    [C_DURATION] = COLUMN("duration"),
    [C_ORIG_ADDR] = COLUMN("orig_addr"), [C_ORIG_PORT] = COLUMN("orig_port"),
    [C_RESP_ADDR] = COLUMN("resp_addr"), [C_RESP_PORT] = COLUMN("resp_port"),
    [C_OPEN] = COLUMN("open"), [C_CLOSE] = COLUMN("close"),
    [C_CONN_STATE] = COLUMN("conn_state"), [C_HISTORY] = COLUMN("history"),
    /* C_LINK0 ...: named by the core (name_link_columns()) */
    [C_HANDSHAKE_TIME] = COLUMN("handshake_time"), [C_TEARDOWN_TIME] = COLUMN("teardown_time"),
    [C_ORIG_PACKETS] = COLUMN("orig_packets"), [C_ORIG_BYTES] = COLUMN("orig_bytes"),
    [C_RESP_PACKETS] = COLUMN("resp_packets"), [C_RESP_BYTES] = COLUMN("resp_bytes"),
    [C_ANOMALIES] = COLUMN("anomalies"),
};
#undef COLUMN

/* ---- Formatting values --------------------------------------------------------- */

static const char digit_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

static size_t decimal_digits(uint64_t v)
{
    size_t n = 1;

    while (v >= 10000) {
        v /= 10000;
        n += 4;
    }
    return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Writes the low `n` decimal digits of v at p, zero-padded, right to left. */
static void put_digits(char *p, size_t n, uint64_t v)
{
    char *q = p + n;

    while (q - p >= 2) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--q = digit_pairs[d + 1];
        *--q = digit_pairs[d];
    }
    if (q > p)
        *--q = (char)('0' + v % 10);
}

/* Writes v in decimal at p; returns the length. */
static size_t format_uint(char *p, uint64_t v)
{
    size_t n = decimal_digits(v);

    put_digits(p, n, v);
    return n;
}

/* Seconds with nine decimals, from integer nanoseconds. */
static size_t format_seconds(char *p, int64_t ns)
{
    uint64_t m = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    size_t n = 0;

    if (ns < 0)
        p[n++] = '-';
    n += format_uint(p + n, m / 1000000000u);
    p[n++] = '.';
    put_digits(p + n, 9, m % 1000000000u);
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
    /* Rare enough, and RFC 5952's rules (and glibc's IPv4-in-IPv6 forms)
     * are best left to the C library. */
    if (!inet_ntop(AF_INET6, a->bytes, p, INET6_ADDRSTRLEN)) {
        p[0] = '?';
        return 1;
    }
    return strlen(p);
}

/* ---- A row in both formats ------------------------------------------------------ */

/* The CSV line and the JSON line of one connection, built side by side.
 * Sizes: a cell is at most 64 bytes (a name, cut) or an IPv6 address (46),
 * so 27 cells with their keys and separators stay far below these. */
typedef struct row {
    char csv[2048];
    char json[4096];
    size_t csv_len, json_len;
} row;

static void put_json(row *r, const char *s, size_t n)
{
    memcpy(r->json + r->json_len, s, n);
    r->json_len += n;
}

/* Most cells are short: copy a fixed 32 bytes (a few moves; both buffers
 * have the room) and keep n of them. */
#define SHORT_CELL 32

static void put_json_cell(row *r, const char *cell, size_t n)
{
    if (n <= SHORT_CELL)
        memcpy(r->json + r->json_len, cell, SHORT_CELL);
    else
        memcpy(r->json + r->json_len, cell, n);
    r->json_len += n;
}

static void put_key(row *r, int i)
{
    memcpy(r->json + r->json_len, columns[i].key, KEY_SIZE);
    r->json_len += columns[i].key_len;
}

/* The cell of column i is the last n bytes of the CSV line: end it there,
 * and give it to the JSON line, quoted if it is a string. */
static void end_cell(row *r, int i, size_t n, bool quoted)
{
    const char *cell = r->csv + r->csv_len;

    r->csv_len += n;
    r->csv[r->csv_len++] = ',';
    put_key(r, i);
    if (quoted)
        r->json[r->json_len++] = '"';
    put_json_cell(r, cell, n);
    if (quoted)
        r->json[r->json_len++] = '"';
    r->json[r->json_len++] = ',';
}

/* Absent: empty in CSV, null in JSON. */
static void absent_cell(row *r, int i)
{
    r->csv[r->csv_len++] = ',';
    put_key(r, i);
    put_json(r, "null,", 5);
}

static void uint_cell(row *r, int i, uint64_t v)
{
    end_cell(r, i, format_uint(r->csv + r->csv_len, v), false);
}

static void time_cell(row *r, int i, int64_t ns)
{
    end_cell(r, i, format_seconds(r->csv + r->csv_len, ns), false);
}

static void addr_cell(row *r, int i, const tp_addr *a)
{
    end_cell(r, i, format_addr(r->csv + r->csv_len, a), true);
}

static void name_cell(row *r, int i, const char *name)
{
    size_t n = strlen(name);

    if (n > 64)
        n = 64;     /* names are short; bound what a buffer can take */
    memcpy(r->csv + r->csv_len, name, n);
    end_cell(r, i, n, true);
}

/* The frame links' columns are named as the plugin's tcpphase.conn.*
 * fields are: by tp_link_name(). */
static void name_link_columns(void)
{
    static bool named;
    if (named)
        return;
    for (int l = 0; l < TP_LINK_COUNT; l++) {
        column *c = &columns[C_LINK0 + l];
        c->name = tp_link_name((tp_link)l);
        c->key_len = (size_t)snprintf(c->key, sizeof c->key, "\"%s\":", c->name);
    }
    named = true;
}

void tpa_summary_csv_header(FILE *out)
{
    int i;

    name_link_columns();
    for (i = 0; i < NCOLUMNS; i++)
        fprintf(out, "%s%s", i ? "," : "", columns[i].name);
    fputc('\n', out);
}

/* The anomalies' names, separated by sep; JSON quotes each. */
static size_t format_anomalies(char *p, uint16_t anomalies, char sep, bool quoted)
{
    size_t n = 0;
    int a;

    for (a = 0; a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a)) {
            const char *name = tp_anomaly_name((tp_anomaly)a);
            size_t len = strlen(name);

            if (n)
                p[n++] = sep;
            if (quoted)
                p[n++] = '"';
            memcpy(p + n, name, len);
            n += len;
            if (quoted)
                p[n++] = '"';
        }
    }
    return n;
}

void tpa_summary_rows(FILE *csv, FILE *jsonl, const tp_conn_view *c, uint16_t anomalies)
{
    unsigned orig = c->zeek_orig ? 1 : 0, resp = !orig;
    row r;
    int l;

    name_link_columns();
    /* CSV needs no quoting: no cell can hold a comma, a quote or a line
     * break (names, numbers, addresses, Zeek's history letters). */
    r.csv_len = 0;
    r.json[0] = '{';
    r.json_len = 1;
    uint_cell(&r, C_ID, c->id);
    uint_cell(&r, C_FIRST_FRAME, c->first_frame);
    uint_cell(&r, C_LAST_FRAME, c->last_frame);
    time_cell(&r, C_START_TIME, c->first_ns);
    time_cell(&r, C_DURATION, c->last_ns - c->first_ns);
    addr_cell(&r, C_ORIG_ADDR, &c->addr[orig]);
    uint_cell(&r, C_ORIG_PORT, c->port[orig]);
    addr_cell(&r, C_RESP_ADDR, &c->addr[resp]);
    uint_cell(&r, C_RESP_PORT, c->port[resp]);
    name_cell(&r, C_OPEN, tp_open_name((tp_open_kind)c->open_kind));
    name_cell(&r, C_CLOSE, tp_close_name((tp_close_kind)c->close_kind));
    name_cell(&r, C_CONN_STATE, tp_zeek_state_name((tp_zeek_state)c->zeek_state));
    name_cell(&r, C_HISTORY, c->zeek_history);
    for (l = 0; l < TP_LINK_COUNT; l++) {
        if (c->link[l] != 0)
            uint_cell(&r, C_LINK0 + l, c->link[l]);
        else
            absent_cell(&r, C_LINK0 + l);
    }
    if (c->handshake_ns >= 0)
        time_cell(&r, C_HANDSHAKE_TIME, c->handshake_ns);
    else
        absent_cell(&r, C_HANDSHAKE_TIME);
    if (c->teardown_ns >= 0)
        time_cell(&r, C_TEARDOWN_TIME, c->teardown_ns);
    else
        absent_cell(&r, C_TEARDOWN_TIME);
    uint_cell(&r, C_ORIG_PACKETS, c->packets[orig]);
    uint_cell(&r, C_ORIG_BYTES, c->bytes[orig]);
    uint_cell(&r, C_RESP_PACKETS, c->packets[resp]);
    uint_cell(&r, C_RESP_BYTES, c->bytes[resp]);

    r.csv_len += format_anomalies(r.csv + r.csv_len, anomalies, ';', false);
    r.csv[r.csv_len++] = '\n';
    fwrite(r.csv, 1, r.csv_len, csv);

    put_json(&r, "\"anomalies\":[", 13);
    r.json_len += format_anomalies(r.json + r.json_len, anomalies, ',', true);
    put_json(&r, "]}\n", 3);
    fwrite(r.json, 1, r.json_len, jsonl);
}
