/* summary.h — one row per connection, as CSV and as JSON lines.
 *
 * Columns (docs/fields.md, tcpphase-annotate): id, first and last frame, start
 * time, duration, originator and responder address and port (Zeek's
 * originator, as the plugin's tcpphase.conn.orig_* fields), open, close,
 * conn_state, history, the frame links, handshake and teardown time,
 * packets and payload bytes each way, anomalies.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_SUMMARY_H
#define TCPPHASE_ANNOTATE_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "tcpphase.h"

void tpa_summary_csv_header(FILE *out);
/* One connection's row in both files; anomalies: every anomaly shown on
 * the connection's segments.  Each cell is formatted once for both. */
void tpa_summary_rows(FILE *csv, FILE *jsonl, const tp_conn_view *conn, uint16_t anomalies);

#endif
