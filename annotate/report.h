/* report.h — NAME.report.html: every connection of a capture, and its ladder.
 *
 * One self-contained HTML file (no network, no external script): a table
 * of connections that sorts and filters by open, close, Zeek state and
 * anomaly, a chart of connections by kind, and for each connection its
 * ladder diagram as inline SVG, drawn in the browser on demand from
 * compact data embedded in the page (the rows of ladder/ladder.h), so a
 * capture of a million packets still opens in a few seconds.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_REPORT_H
#define TCPPHASE_ANNOTATE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "tcpphase.h"

typedef struct tpa_report tpa_report;

/* NULL when memory runs out. */
tpa_report *tpa_report_new(void);
void        tpa_report_free(tpa_report *report);

/* A segment just fed to the engine, the connection the engine returned and
 * the label it gave.  False when memory ran out (the report is then cut). */
bool tpa_report_add(tpa_report *report, const tp_segment *seg, const tp_conn_view *conn,
                    const tp_label *label);

/* Write the page; the engine's connections are final by then.  capture_name
 * is shown as the page's title.  False on a write error (errno set). */
bool tpa_report_write(tpa_report *report, const tp_engine *engine, const char *capture_name,
                      uint64_t frames, FILE *out);

#endif
