/* summary.c — see summary.h.
 *
 * Times are seconds with nine decimals, printed from integer nanoseconds so
 * that nothing is lost to floating point; absent values (a frame link not
 * seen, a handshake not completed) are empty in CSV and null in JSON.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "summary.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

static const char *const columns[] = {
    "id", "first_frame", "last_frame", "start_time", "duration",
    "orig_addr", "orig_port", "resp_addr", "resp_port",
    "open", "close", "conn_state", "history",
    "syn_frame", "syn_ack_frame", "handshake_ack_frame", "fin_active_frame",
    "fin_passive_frame", "last_ack_frame", "rst_frame",
    "handshake_time", "teardown_time",
    "orig_packets", "orig_bytes", "resp_packets", "resp_bytes",
    "anomalies",
};
#define NCOLUMNS (sizeof columns / sizeof columns[0])

static void format_addr(char *out, size_t size, const tp_addr *a)
{
    if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->bytes, out, (socklen_t)size))
        snprintf(out, size, "?");
}

static void format_seconds(char *out, size_t size, int64_t ns)
{
    const char *sign = ns < 0 ? "-" : "";
    uint64_t m = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    snprintf(out, size, "%s%" PRIu64 ".%09" PRIu64, sign, m / 1000000000u, m % 1000000000u);
}

/* The cells of one row, as text; NULL for absent values. */
typedef struct row {
    char buf[NCOLUMNS][64];
    const char *cell[NCOLUMNS];
    uint16_t anomalies;
} row;

static void set_uint(row *r, int i, uint64_t v)
{
    snprintf(r->buf[i], sizeof r->buf[i], "%" PRIu64, v);
    r->cell[i] = r->buf[i];
}

static void set_str(row *r, int i, const char *s)
{
    snprintf(r->buf[i], sizeof r->buf[i], "%s", s);
    r->cell[i] = r->buf[i];
}

static void set_time(row *r, int i, int64_t ns)
{
    format_seconds(r->buf[i], sizeof r->buf[i], ns);
    r->cell[i] = r->buf[i];
}

static void fill(row *r, const tp_conn *c, uint16_t anomalies)
{
    unsigned orig = tp_conn_zeek_orig(c) ? 1 : 0, resp = !orig;
    int i = 0, l;

    memset(r->cell, 0, sizeof r->cell);
    r->anomalies = anomalies;
    set_uint(r, i++, c->id);
    set_uint(r, i++, c->first_frame);
    set_uint(r, i++, c->last_frame);
    set_time(r, i++, c->first_ns);
    set_time(r, i++, c->last_ns - c->first_ns);
    format_addr(r->buf[i], sizeof r->buf[i], &c->addr[orig]);
    r->cell[i] = r->buf[i];
    i++;
    set_uint(r, i++, c->port[orig]);
    format_addr(r->buf[i], sizeof r->buf[i], &c->addr[resp]);
    r->cell[i] = r->buf[i];
    i++;
    set_uint(r, i++, c->port[resp]);
    set_str(r, i++, tp_open_name((tp_open_kind)c->open_kind));
    set_str(r, i++, tp_close_name((tp_close_kind)c->close_kind));
    set_str(r, i++, tp_conn_zeek_state(c));
    set_str(r, i++, c->zeek.history);
    for (l = 0; l < TP_LINK_COUNT; l++, i++) {
        if (c->link[l])
            set_uint(r, i, c->link[l]);
    }
    if (c->handshake_ns >= 0)
        set_time(r, i, c->handshake_ns);
    i++;
    if (c->teardown_ns >= 0)
        set_time(r, i, c->teardown_ns);
    i++;
    set_uint(r, i++, c->ep[orig].packets);
    set_uint(r, i++, c->ep[orig].bytes);
    set_uint(r, i++, c->ep[resp].packets);
    set_uint(r, i++, c->ep[resp].bytes);
    /* the last column, anomalies, is printed by each format itself */
}

void tpa_summary_csv_header(FILE *out)
{
    size_t i;

    for (i = 0; i < NCOLUMNS; i++)
        fprintf(out, "%s%s", i ? "," : "", columns[i]);
    fputc('\n', out);
}

void tpa_summary_csv_row(FILE *out, const tp_conn *conn, uint16_t anomalies)
{
    row r;
    size_t i;
    int a;
    const char *sep = "";

    fill(&r, conn, anomalies);
    /* No cell can hold a comma, a quote or a line break (names, numbers,
     * addresses, Zeek's history letters): no quoting needed. */
    for (i = 0; i + 1 < NCOLUMNS; i++)
        fprintf(out, "%s%s", r.cell[i] ? r.cell[i] : "", ",");
    for (a = 0; a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a)) {
            fprintf(out, "%s%s", sep, tp_anomaly_name((tp_anomaly)a));
            sep = ";";
        }
    }
    fputc('\n', out);
}

/* Columns whose JSON value is a string; the others are numbers. */
static bool is_string_column(size_t i)
{
    const char *n = columns[i];
    return !strcmp(n, "orig_addr") || !strcmp(n, "resp_addr") || !strcmp(n, "open")
        || !strcmp(n, "close") || !strcmp(n, "conn_state") || !strcmp(n, "history");
}

void tpa_summary_json_row(FILE *out, const tp_conn *conn, uint16_t anomalies)
{
    row r;
    size_t i;
    int a;
    const char *sep = "";

    fill(&r, conn, anomalies);
    fputc('{', out);
    for (i = 0; i + 1 < NCOLUMNS; i++) {
        if (!r.cell[i])
            fprintf(out, "\"%s\":null,", columns[i]);
        else if (is_string_column(i))
            fprintf(out, "\"%s\":\"%s\",", columns[i], r.cell[i]);
        else
            fprintf(out, "\"%s\":%s,", columns[i], r.cell[i]);
    }
    fprintf(out, "\"anomalies\":[");
    for (a = 0; a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a)) {
            fprintf(out, "%s\"%s\"", sep, tp_anomaly_name((tp_anomaly)a));
            sep = ",";
        }
    }
    fprintf(out, "]}\n");
}
