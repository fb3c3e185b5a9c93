/* ladder.h — the ladder diagram of one TCP connection.
 *
 * The picture of RFC 9293's figures 6-13: two vertical lines, one per
 * endpoint, an arrow per segment, and each endpoint's state written beside
 * its line where the state changes.  A front end feeds the segments of one
 * connection in capture order, with the core's label of each; the ladder
 * keeps them (folding long runs of ordinary established traffic into one
 * row as they come, so a long connection costs a few rows) and renders
 * them as text.  The rows are also what the HTML report draws from.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_LADDER_H
#define TCPPHASE_LADDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpphase.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the ladder needs to know about a connection, from its tp_conn_view as it
 * stands at the end of the capture (tp_ladder_describe() fills it). */
typedef struct tp_ladder_conn {
    uint32_t id;
    char     endpoint[2][56];   /* "192.0.2.1:80", "[2001:db8::1]:80" */
    uint8_t  left;              /* endpoint drawn on the left: the client, else [0] */
    bool     self;              /* self-connect: one endpoint talking to itself */
    uint8_t  open_kind, close_kind;
    char     zeek_state[8];
} tp_ladder_conn;

void tp_ladder_describe(const tp_conn_view *conn, tp_ladder_conn *out);
/* "192.0.2.1:80" or "[2001:db8::1]:80" into buf (at least 56 bytes). */
void tp_ladder_format_endpoint(const tp_addr *addr, uint16_t port, char *buf, size_t size);

/* One segment as a front end read it. */
typedef struct tp_ladder_segment {
    uint32_t frame;
    int64_t  time_ns;
    uint32_t seq, ack;          /* raw, as on the wire */
    uint32_t payload_len;
    uint8_t  from;              /* sending endpoint: index into tp_conn_view.addr */
    uint8_t  flags;             /* TP_SYN | ... */
    bool     have_header;       /* false: seq, ack, flags unknown (truncated) */
} tp_ladder_segment;

typedef enum tp_ladder_row_kind {
    TP_LADDER_ARROW,            /* one segment */
    TP_LADDER_FOLD,             /* a run of ordinary established segments */
} tp_ladder_row_kind;

/* One row of the diagram. */
typedef struct tp_ladder_row {
    int64_t  time_ns;           /* the (first) segment's */
    uint64_t bytes;             /* FOLD: payload bytes of the run */
    uint32_t frame;             /* the (first) segment's frame number */
    uint32_t last_frame;        /* FOLD: the run's last frame */
    uint32_t segments;          /* FOLD: segments in the run; ARROW: 1 */
    uint32_t seq, ack;          /* ARROW: relative to each endpoint's first sequence number */
    uint32_t payload_len;
    uint16_t anomalies;         /* TP_ANOM_BIT()s (tp_ladder_finish(): as a second pass reads them) */
    uint8_t  kind;              /* tp_ladder_row_kind */
    uint8_t  from;              /* sending endpoint, index into tp_conn_view.addr */
    uint8_t  flags;
    uint8_t  step;              /* tp_step */
    uint8_t  phase;
    uint8_t  sender_state, receiver_state;
    bool     have_header;
} tp_ladder_row;

typedef struct tp_ladder tp_ladder;

/* Runs of more than this many ordinary established segments fold into one
 * row unless folding is off. */
#define TP_LADDER_FOLD_AFTER 20
/* Rows kept per connection; past it segments are only counted, so a hostile
 * capture cannot grow one ladder without bound. */
#define TP_LADDER_MAX_ROWS 100000

/* NULL when memory runs out. */
tp_ladder *tp_ladder_new(bool fold);
void       tp_ladder_free(tp_ladder *ladder);

/* Add a segment and the core's label of it (as fed).  False when it could
 * not be kept (memory, or the row limit: it is then counted as omitted). */
bool tp_ladder_add(tp_ladder *ladder, const tp_ladder_segment *seg, const tp_label *label);

/* Reread every row's anomalies against the connection as it stands at the
 * end of the capture (tp_label_anomalies()), as a second pass shows them. */
void tp_ladder_finish(tp_ladder *ladder, const tp_conn_view *conn);

size_t               tp_ladder_row_count(const tp_ladder *ladder);
const tp_ladder_row *tp_ladder_rows(const tp_ladder *ladder);
uint32_t             tp_ladder_omitted(const tp_ladder *ladder);

/* The states to write at the top of each line before the first segment
 * ("CLOSED", "LISTEN"), or TP_STATE_COUNT where the capture cannot tell. */
void tp_ladder_initial_states(const tp_ladder *ladder, const tp_ladder_conn *conn,
                              uint8_t initial[2]);

/* Whether row was sent before earlier (from the other endpoint) arrived:
 * the crossing SYNs of a simultaneous open, the crossing FINs of a
 * simultaneous close (RFC 9293 figures 8 and 13). */
bool tp_ladder_crosses(const tp_ladder_row *earlier, const tp_ladder_row *row);

/* "[SYN, ACK] Seq=0 Ack=1 Len=0": Wireshark's words for a segment. */
void tp_ladder_arrow_text(const tp_ladder_row *row, char *buf, size_t size);
/* "1,234 segments, 5.6 MB": a fold row's summary. */
void tp_ladder_fold_text(const tp_ladder_row *row, char *buf, size_t size);

typedef enum tp_ladder_charset {
    TP_LADDER_UTF8,             /* box drawing: ─ ▶ ◀ ┐ ┘ … ⚠ */
    TP_LADDER_ASCII,            /* - > < + ... ! for plain terminals */
} tp_ladder_charset;

/* Where the text goes: a growing NUL-terminated string. */
typedef struct tp_text {
    char  *data;
    size_t len, alloc;
    bool   failed;              /* memory ran out: the text is cut short */
} tp_text;

void tp_text_init(tp_text *t);
void tp_text_free(tp_text *t);
void tp_text_append(tp_text *t, const char *s, size_t n);
void tp_text_puts(tp_text *t, const char *s);
void tp_text_printf(tp_text *t, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Append the connection's ladder to out. */
void tp_ladder_render(const tp_ladder *ladder, const tp_ladder_conn *conn,
                      tp_ladder_charset charset, tp_text *out);

#ifdef __cplusplus
}
#endif

#endif /* TCPPHASE_LADDER_H */
