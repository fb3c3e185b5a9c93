/* ladder.c — the ladder diagram of one TCP connection (ladder.h).
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ladder.h"

struct tp_ladder {
    tp_ladder_row *rows;
    size_t   count, alloc;
    uint32_t omitted;           /* segments past TP_LADDER_MAX_ROWS */
    uint32_t run;               /* foldable arrows at the end of rows */
    uint32_t base[2];           /* sequence number that reads 0, per endpoint */
    bool     base_known[2];
    bool     fold;
};

/* ---- Text ------------------------------------------------------------------ */

void tp_text_init(tp_text *t)
{
    memset(t, 0, sizeof *t);
}

void tp_text_free(tp_text *t)
{
    free(t->data);
    tp_text_init(t);
}

void tp_text_append(tp_text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->alloc) {
        size_t alloc = t->alloc ? t->alloc : 256;
        char *grown;
        while (alloc < t->len + n + 1)
            alloc *= 2;
        grown = realloc(t->data, alloc);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->alloc = alloc;
    }
    memcpy(t->data + t->len, s, n);
    t->len += n;
    t->data[t->len] = '\0';
}

void tp_text_puts(tp_text *t, const char *s)
{
    tp_text_append(t, s, strlen(s));
}

void tp_text_printf(tp_text *t, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    tp_text_append(t, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void
repeat(tp_text *t, const char *glyph, int times)
{
    while (times-- > 0)
        tp_text_puts(t, glyph);
}

/* ---- The connection --------------------------------------------------------- */

void tp_ladder_format_endpoint(const tp_addr *addr, uint16_t port, char *buf, size_t size)
{
    if (addr->family == 4) {
        snprintf(buf, size, "%u.%u.%u.%u:%u", addr->bytes[0], addr->bytes[1],
                 addr->bytes[2], addr->bytes[3], port);
        return;
    }
    /* RFC 5952 text: lower case, the longest run of two or more zero
     * groups (the first of equal runs) written "::". */
    uint16_t g[8];
    int best = -1, best_len = 0, i;
    for (i = 0; i < 8; i++)
        g[i] = (uint16_t)(addr->bytes[2 * i] << 8 | addr->bytes[2 * i + 1]);
    for (i = 0; i < 8; ) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    char text[48];
    size_t n = 0;
    for (i = 0; i < 8; ) {
        if (i == best) {
            n += (size_t)snprintf(text + n, sizeof text - n, "::");
            i += best_len;
            continue;
        }
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%x",
                              (i > 0 && i != best + best_len) ? ":" : "", g[i]);
        i++;
    }
    snprintf(buf, size, "[%s]:%u", text, port);
}

void tp_ladder_describe(const tp_conn_view *conn, tp_ladder_conn *out)
{
    memset(out, 0, sizeof *out);
    out->id = conn->id;
    out->self = conn->self_connect;
    /* The active opener on the left, as in RFC 9293's figures ("TCP Peer A"). */
    out->left = conn->roles_known ? (uint8_t)(conn->client & 1) : 0;
    out->open_kind = conn->open_kind;
    out->close_kind = conn->close_kind;
    tp_ladder_format_endpoint(&conn->addr[0], conn->port[0], out->endpoint[0], sizeof out->endpoint[0]);
    tp_ladder_format_endpoint(&conn->addr[1], conn->port[1], out->endpoint[1], sizeof out->endpoint[1]);
    snprintf(out->zeek_state, sizeof out->zeek_state, "%s",
             tp_zeek_state_name((tp_zeek_state)conn->zeek_state));
}

/* ---- Building --------------------------------------------------------------- */

tp_ladder *tp_ladder_new(bool fold)
{
    tp_ladder *l = calloc(1, sizeof *l);
    if (l)
        l->fold = fold;
    return l;
}

void tp_ladder_free(tp_ladder *ladder)
{
    if (!ladder)
        return;
    free(ladder->rows);
    free(ladder);
}

/* Ordinary traffic of an established connection: nothing in it changes a
 * state or raises an anomaly, so a long run of it says nothing row by row. */
static bool
foldable(const tp_label *label)
{
    return label->phase == TP_PHASE_ESTABLISHED
        && label->anomalies == 0
        && label->sender_state == TP_STATE_ESTABLISHED
        && label->receiver_state == TP_STATE_ESTABLISHED
        && (label->step == TP_STEP_DATA || label->step == TP_STEP_ACK
            || label->step == TP_STEP_DATA_RETRANSMISSION);
}

static tp_ladder_row *
new_row(tp_ladder *l)
{
    if (l->count == TP_LADDER_MAX_ROWS)
        return NULL;
    if (l->count == l->alloc) {
        size_t alloc = l->alloc ? l->alloc * 2 : 16;
        tp_ladder_row *grown;
        if (alloc > TP_LADDER_MAX_ROWS)
            alloc = TP_LADDER_MAX_ROWS;
        grown = realloc(l->rows, alloc * sizeof *grown);
        if (!grown)
            return NULL;
        l->rows = grown;
        l->alloc = alloc;
    }
    tp_ladder_row *row = &l->rows[l->count++];
    memset(row, 0, sizeof *row);
    return row;
}

/* Relative sequence numbers as Wireshark shows them: an endpoint's SYN
 * reads 0; when its SYN is not in the capture, the first sequence number
 * seen from it (or acknowledged to it) reads 1. */
static void
relative_numbers(tp_ladder *l, const tp_ladder_segment *seg, bool self, tp_ladder_row *row)
{
    unsigned from = self ? 0 : (seg->from & 1u);
    unsigned to = self ? 0 : from ^ 1u;

    if (!l->base_known[from]) {
        l->base[from] = (seg->flags & TP_SYN) ? seg->seq : seg->seq - 1;
        l->base_known[from] = true;
    }
    row->seq = seg->seq - l->base[from];
    if (seg->flags & TP_ACK) {
        if (!l->base_known[to]) {
            l->base[to] = seg->ack - 1;
            l->base_known[to] = true;
        }
        row->ack = seg->ack - l->base[to];
    }
}

bool tp_ladder_add(tp_ladder *l, const tp_ladder_segment *seg, const tp_label *label)
{
    tp_ladder_row *row;
    bool self = label->role == TP_ROLE_SELF;

    if (l->fold && foldable(label) && l->count > 0) {
        tp_ladder_row *last = &l->rows[l->count - 1];
        if (last->kind == TP_LADDER_FOLD) {
            last->segments++;
            last->bytes += seg->payload_len;
            last->last_frame = seg->frame;
            if (seg->have_header)
                relative_numbers(l, seg, self, &(tp_ladder_row){0});
            return true;
        }
    }

    row = new_row(l);
    if (!row) {
        l->omitted++;
        return false;
    }
    row->kind = TP_LADDER_ARROW;
    row->frame = row->last_frame = seg->frame;
    row->time_ns = seg->time_ns;
    row->segments = 1;
    row->payload_len = seg->payload_len;
    row->bytes = seg->payload_len;
    row->from = seg->from & 1u;
    row->flags = seg->flags;
    row->have_header = seg->have_header;
    row->step = label->step;
    row->phase = label->phase;
    row->sender_state = label->sender_state;
    row->receiver_state = label->receiver_state;
    row->anomalies = label->anomalies;
    if (seg->have_header)
        relative_numbers(l, seg, self, row);

    if (!l->fold || !foldable(label)) {
        l->run = 0;
        return true;
    }
    /* A run long enough to fold: its arrows become one row. */
    if (++l->run > TP_LADDER_FOLD_AFTER) {
        tp_ladder_row *first = &l->rows[l->count - l->run];
        tp_ladder_row fold = *first;
        size_t i;

        fold.kind = TP_LADDER_FOLD;
        fold.segments = l->run;
        fold.bytes = 0;
        for (i = l->count - l->run; i < l->count; i++)
            fold.bytes += l->rows[i].payload_len;
        fold.last_frame = seg->frame;
        l->count -= l->run - 1;
        l->rows[l->count - 1] = fold;
        l->run = 0;
    }
    return true;
}

void tp_ladder_finish(tp_ladder *l, const tp_conn_view *conn)
{
    size_t i;

    for (i = 0; i < l->count; i++) {
        tp_ladder_row *row = &l->rows[i];
        tp_label label;

        if (row->kind != TP_LADDER_ARROW)
            continue;
        memset(&label, 0, sizeof label);
        label.conn_id = conn->id;
        label.step = row->step;
        label.anomalies = row->anomalies;
        row->anomalies = tp_label_anomalies(&label, conn);
    }
}

size_t tp_ladder_row_count(const tp_ladder *l)
{
    return l->count;
}

const tp_ladder_row *tp_ladder_rows(const tp_ladder *l)
{
    return l->rows;
}

uint32_t tp_ladder_omitted(const tp_ladder *l)
{
    return l->omitted;
}

void tp_ladder_initial_states(const tp_ladder *l, const tp_ladder_conn *conn, uint8_t initial[2])
{
    initial[0] = initial[1] = TP_STATE_COUNT;
    if (l->count == 0 || l->rows[0].kind != TP_LADDER_ARROW || l->rows[0].step != TP_STEP_SYN)
        return;                 /* the opening is not in the capture */

    unsigned opener = l->rows[0].from, other = opener ^ 1u;
    initial[opener] = TP_STATE_CLOSED;
    switch (conn->open_kind) {
    case TP_OPEN_THREE_WAY:
    case TP_OPEN_INCOMPLETE:
        initial[other] = TP_STATE_LISTEN;       /* a passive open (figure 7) */
        break;
    case TP_OPEN_SIMULTANEOUS:                  /* two active opens (figure 8) */
    case TP_OPEN_SELF_CONNECT:
        initial[other] = TP_STATE_CLOSED;
        break;
    default:
        /* Unanswered: cannot tell.  Refused: the receiver was CLOSED
         * (3.10.7.1), but the SYN's label was given before the RST showed
         * it and names the state a listener would be in. */
        break;
    }
}

/* ---- Words ------------------------------------------------------------------ */

void tp_ladder_arrow_text(const tp_ladder_row *row, char *buf, size_t size)
{
    static const struct { uint8_t bit; const char *name; } flag_names[] = {
        { TP_FIN, "FIN" }, { TP_SYN, "SYN" }, { TP_RST, "RST" }, { TP_PSH, "PSH" },
        { TP_ACK, "ACK" }, { TP_URG, "URG" }, { TP_ECE, "ECE" }, { TP_CWR, "CWR" },
    };
    size_t n = 0, i;
    int w;

    if (!row->have_header) {
        snprintf(buf, size, "[?] Len=%" PRIu32, row->payload_len);
        return;
    }
    buf[0] = '\0';
    w = snprintf(buf, size, "[");
    n = w > 0 ? (size_t)w : 0;
    bool first = true;
    for (i = 0; i < sizeof flag_names / sizeof flag_names[0] && n < size; i++) {
        if (!(row->flags & flag_names[i].bit))
            continue;
        w = snprintf(buf + n, size - n, "%s%s", first ? "" : ", ", flag_names[i].name);
        n += w > 0 ? (size_t)w : 0;
        first = false;
    }
    if (n >= size)
        return;
    if (row->flags & TP_ACK)
        snprintf(buf + n, size - n, "%s] Seq=%" PRIu32 " Ack=%" PRIu32 " Len=%" PRIu32,
                 first ? "<None>" : "", row->seq, row->ack, row->payload_len);
    else
        snprintf(buf + n, size - n, "%s] Seq=%" PRIu32 " Len=%" PRIu32,
                 first ? "<None>" : "", row->seq, row->payload_len);
}

/* 1234567 -> "1,234,567" */
static void
thousands(uint64_t v, char *buf, size_t size)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%" PRIu64, v), i, o = 0;

    for (i = 0; i < n && (size_t)o + 2 < size; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

/* Decimal units, one decimal: "512 bytes", "5.6 MB". */
static void
byte_size(uint64_t bytes, char *buf, size_t size)
{
    static const char *const units[] = { "kB", "MB", "GB", "TB" };
    double v = (double)bytes;
    int u = -1;

    if (bytes < 1000) {
        snprintf(buf, size, "%" PRIu64 " byte%s", bytes, bytes == 1 ? "" : "s");
        return;
    }
    while (v >= 1000.0 && u < 3) {
        v /= 1000.0;
        u++;
    }
    snprintf(buf, size, "%.1f %s", v, units[u]);
}

void tp_ladder_fold_text(const tp_ladder_row *row, char *buf, size_t size)
{
    char count[32], bytes[32];

    thousands(row->segments, count, sizeof count);
    byte_size(row->bytes, bytes, sizeof bytes);
    snprintf(buf, size, "%s segments, %s", count, bytes);
}

/* ---- Drawing ---------------------------------------------------------------- */

typedef struct {
    const char *line, *right, *left, *corner_top, *corner_bottom, *ellipsis, *mark, *both, *dots;
} glyphs;

static const glyphs utf8_glyphs = { "─", "▶", "◀", "┐", "┘", "…", "⚠", "⇄", "┈" };
static const glyphs ascii_glyphs = { "-", ">", "<", "+", "+", "...", "!", "<->", "." };

#define STATE_WIDTH 12          /* "SYN_RECEIVED" */

typedef struct {
    tp_text *out;
    const glyphs *g;
    int frame_width;            /* digits of the largest frame number */
    int arrow_width;            /* characters between the state columns */
    int step_width;             /* the longest step name drawn */
} layout;

/* A state column: the name when it changed, blanks otherwise. */
static void
state_cell(tp_text *t, uint8_t state, uint8_t *written)
{
    if (state != *written && state < TP_STATE_COUNT) {
        tp_text_printf(t, "%-*s", STATE_WIDTH, tp_state_name((tp_tcp_state)state));
        *written = state;
    } else {
        tp_text_printf(t, "%*s", STATE_WIDTH, "");
    }
}

/* Lines end without blanks, so goldens and diffs stay clean. */
static void
end_line(tp_text *t, size_t line_start)
{
    while (t->len > line_start && t->data[t->len - 1] == ' ')
        t->data[--t->len] = '\0';
    tp_text_puts(t, "\n");
}

static void
step_and_anomalies(const layout *lo, const tp_ladder_row *row)
{
    int a;
    bool first = true;

    /* Padded only when an anomaly follows, so the marks line up. */
    if (row->anomalies)
        tp_text_printf(lo->out, "  %-*s", lo->step_width, tp_step_name((tp_step)row->step));
    else
        tp_text_printf(lo->out, "  %s", tp_step_name((tp_step)row->step));
    for (a = 0; a < TP_ANOM_COUNT; a++) {
        if (!(row->anomalies & TP_ANOM_BIT(a)))
            continue;
        tp_text_printf(lo->out, "%s%s", first ? "  " : ", ", first ? lo->g->mark : "");
        if (first)
            tp_text_puts(lo->out, " ");
        tp_text_puts(lo->out, tp_anomaly_name((tp_anomaly)a));
        first = false;
    }
}

/* ── [SYN] Seq=0 Len=0 ──────▶   or   ◀── [SYN, ACK] Seq=0 Ack=1 Len=0 ────
 * The words start in the same column whichever way the arrow points. */
static void
arrow(const layout *lo, const char *text, bool rightwards)
{
    int pad = lo->arrow_width - 5 - (int)strlen(text);

    if (rightwards) {
        repeat(lo->out, lo->g->line, 3);
        tp_text_printf(lo->out, " %s ", text);
        repeat(lo->out, lo->g->line, pad - 1);
        tp_text_puts(lo->out, lo->g->right);
    } else {
        tp_text_puts(lo->out, lo->g->left);
        repeat(lo->out, lo->g->line, 2);
        tp_text_printf(lo->out, " %s ", text);
        repeat(lo->out, lo->g->line, pad);
    }
}

static void
fold_line(const layout *lo, const tp_ladder_row *row, bool self)
{
    char text[96];
    size_t start = lo->out->len;

    tp_ladder_fold_text(row, text, sizeof text);
    tp_text_printf(lo->out, "%*s  %*s  %s %s, frames %" PRIu32 "-%" PRIu32 " %s",
                   lo->frame_width, "", STATE_WIDTH, "", lo->g->ellipsis, text,
                   row->frame, row->last_frame, lo->g->ellipsis);
    (void)self;
    end_line(lo->out, start);
}

/* The later of two crossing segments: each endpoint sent before the
 * other's arrived.  Two cases are told apart from the labels alone: the
 * SYNs of a simultaneous open (neither acknowledges anything) and the FINs
 * of a simultaneous close (the core leaves the second FIN's sender
 * CLOSING: it had not received the first when it sent its own). */
bool tp_ladder_crosses(const tp_ladder_row *earlier, const tp_ladder_row *row)
{
    if (earlier->kind != TP_LADDER_ARROW || row->kind != TP_LADDER_ARROW
            || earlier->from == row->from || !earlier->have_header || !row->have_header)
        return false;
    if ((row->flags & (TP_SYN | TP_ACK)) == TP_SYN)
        return (earlier->flags & (TP_SYN | TP_ACK)) == TP_SYN;
    return (row->flags & TP_FIN) && (earlier->flags & TP_FIN)
        && row->sender_state == TP_STATE_CLOSING;
}

/*         ┈┈ frame 1 arrives ┈┈┈┈┈┈┈┈┈┈▶  SYN_RECEIVED   (RFC 9293's "..." lines) */
static void
late_arrival(const layout *lo, const tp_ladder_row *earlier, uint8_t state,
             unsigned left, uint8_t written[2])
{
    tp_text *t = lo->out;
    unsigned to = (earlier->from & 1u) ^ 1u;
    size_t start = t->len;
    char text[48];
    int pad;

    snprintf(text, sizeof text, "frame %" PRIu32 " arrives", earlier->frame);
    pad = lo->arrow_width - 6 - (int)strlen(text);
    tp_text_printf(t, "%*s  ", lo->frame_width, "");
    if (to == left) {
        state_cell(t, state, &written[to]);
        tp_text_puts(t, "  ");
        tp_text_puts(t, lo->g->left);
        repeat(t, lo->g->dots, 2);
        tp_text_printf(t, " %s ", text);
        repeat(t, lo->g->dots, pad + 1);
    } else {
        tp_text_printf(t, "%*s  ", STATE_WIDTH, "");
        repeat(t, lo->g->dots, 3);
        tp_text_printf(t, " %s ", text);
        repeat(t, lo->g->dots, pad);
        tp_text_puts(t, lo->g->right);
        tp_text_puts(t, "  ");
        state_cell(t, state, &written[to]);
    }
    end_line(t, start);
}

static void
render_pair(const tp_ladder *l, const tp_ladder_conn *c, const layout *lo)
{
    tp_text *t = lo->out;
    uint8_t initial[2], written[2];
    unsigned left = c->left & 1u, right = left ^ 1u;
    size_t i, start;
    char text[96];

    start = t->len;
    tp_text_printf(t, "%*s  %-*s%s", lo->frame_width, "frame",
                   STATE_WIDTH + 2 + lo->arrow_width + 2, c->endpoint[left], c->endpoint[right]);
    end_line(t, start);

    tp_ladder_initial_states(l, c, initial);
    written[0] = written[1] = TP_STATE_COUNT;
    if (initial[0] < TP_STATE_COUNT || initial[1] < TP_STATE_COUNT) {
        start = t->len;
        tp_text_printf(t, "%*s  ", lo->frame_width, "");
        state_cell(t, initial[left], &written[left]);
        tp_text_printf(t, "  %*s  ", lo->arrow_width, "");
        state_cell(t, initial[right], &written[right]);
        end_line(t, start);
    }

    for (i = 0; i < l->count; i++) {
        const tp_ladder_row *row = &l->rows[i];
        unsigned from = row->from & 1u, to = from ^ 1u;
        bool crossed_by_next = i + 1 < l->count && tp_ladder_crosses(row, &l->rows[i + 1]);
        bool crossing = i > 0 && tp_ladder_crosses(&l->rows[i - 1], row);
        uint8_t state[2];

        if (row->kind == TP_LADDER_FOLD) {
            fold_line(lo, row, false);
            continue;
        }
        state[from] = row->sender_state;
        state[to] = row->receiver_state;
        /* Crossing segments (figures 8 and 13): the earlier one reaches its
         * receiver only after the later one left it, on a line of its own. */
        if (crossed_by_next)
            state[to] = written[to];
        if (crossing)
            state[from] = (row->flags & TP_SYN) ? TP_STATE_SYN_SENT : TP_STATE_FIN_WAIT_1;
        start = t->len;
        tp_text_printf(t, "%*" PRIu32 "  ", lo->frame_width, row->frame);
        state_cell(t, state[left], &written[left]);
        tp_text_puts(t, "  ");
        tp_ladder_arrow_text(row, text, sizeof text);
        arrow(lo, text, from == left);
        tp_text_puts(t, "  ");
        state_cell(t, state[right], &written[right]);
        step_and_anomalies(lo, row);
        end_line(t, start);
        if (crossing)
            late_arrival(lo, &l->rows[i - 1], row->sender_state, left, written);
    }
}

/* A self-connect: one endpoint, each segment a loop from it back to it.
 *      1  SYN_SENT      ── [SYN] Seq=0 Len=0 ──────┐
 *         SYN_RECEIVED  ◀──────────────────────────┘ */
static void
render_self(const tp_ladder *l, const tp_ladder_conn *c, const layout *lo)
{
    tp_text *t = lo->out;
    uint8_t initial[2], written = TP_STATE_COUNT;
    size_t i, start;
    char text[96];

    start = t->len;
    tp_text_printf(t, "%*s  %s", lo->frame_width, "frame", c->endpoint[0]);
    end_line(t, start);
    tp_ladder_initial_states(l, c, initial);
    if (initial[0] < TP_STATE_COUNT) {
        start = t->len;
        tp_text_printf(t, "%*s  ", lo->frame_width, "");
        state_cell(t, initial[0], &written);
        end_line(t, start);
    }
    for (i = 0; i < l->count; i++) {
        const tp_ladder_row *row = &l->rows[i];
        int pad;

        if (row->kind == TP_LADDER_FOLD) {
            fold_line(lo, row, true);
            continue;
        }
        tp_ladder_arrow_text(row, text, sizeof text);
        pad = lo->arrow_width - 5 - (int)strlen(text);
        start = t->len;
        tp_text_printf(t, "%*" PRIu32 "  ", lo->frame_width, row->frame);
        state_cell(t, row->sender_state, &written);
        tp_text_puts(t, "  ");
        repeat(t, lo->g->line, 3);
        tp_text_printf(t, " %s ", text);
        repeat(t, lo->g->line, pad - 1);
        tp_text_puts(t, lo->g->corner_top);
        step_and_anomalies(lo, row);
        end_line(t, start);

        start = t->len;
        tp_text_printf(t, "%*s  ", lo->frame_width, "");
        state_cell(t, row->receiver_state, &written);
        tp_text_puts(t, "  ");
        tp_text_puts(t, lo->g->left);
        repeat(t, lo->g->line, lo->arrow_width - 2);
        tp_text_puts(t, lo->g->corner_bottom);
        end_line(t, start);
    }
}

void tp_ladder_render(const tp_ladder *l, const tp_ladder_conn *c,
                      tp_ladder_charset charset, tp_text *out)
{
    layout lo;
    size_t i;
    uint32_t max_frame = 0, segments = 0;
    int widest = 0, digits;
    char text[96];

    lo.out = out;
    lo.step_width = 0;
    lo.g = charset == TP_LADDER_ASCII ? &ascii_glyphs : &utf8_glyphs;
    for (i = 0; i < l->count; i++) {
        const tp_ladder_row *row = &l->rows[i];
        if (row->last_frame > max_frame)
            max_frame = row->last_frame;
        segments += row->segments;
        if (row->kind == TP_LADDER_ARROW) {
            tp_ladder_arrow_text(row, text, sizeof text);
            if ((int)strlen(text) > widest)
                widest = (int)strlen(text);
            if ((int)strlen(tp_step_name((tp_step)row->step)) > lo.step_width)
                lo.step_width = (int)strlen(tp_step_name((tp_step)row->step));
        }
    }
    digits = snprintf(text, sizeof text, "%" PRIu32, max_frame);
    lo.frame_width = digits > 5 ? digits : 5;
    lo.arrow_width = widest + 8 > 32 ? widest + 8 : 32;
    /* Room for the left endpoint's name above its column and the arrows. */
    if ((int)strlen(c->endpoint[c->left & 1u]) + 2 > STATE_WIDTH + 2 + lo.arrow_width + 2)
        lo.arrow_width = (int)strlen(c->endpoint[c->left & 1u]) - STATE_WIDTH - 2;

    if (c->self)
        tp_text_printf(out, "Connection %" PRIu32 ": %s connected to itself", c->id,
                       c->endpoint[0]);
    else
        tp_text_printf(out, "Connection %" PRIu32 ": %s %s %s", c->id,
                       c->endpoint[c->left & 1u], lo.g->both, c->endpoint[(c->left & 1u) ^ 1u]);
    tp_text_printf(out, " (open: %s, close: %s, Zeek: %s, %" PRIu32 " segment%s)\n",
                   tp_open_name((tp_open_kind)c->open_kind),
                   tp_close_name((tp_close_kind)c->close_kind), c->zeek_state,
                   segments + l->omitted, segments + l->omitted == 1 ? "" : "s");
    if (c->self)
        render_self(l, c, &lo);
    else
        render_pair(l, c, &lo);
    if (l->omitted) {
        thousands(l->omitted, text, sizeof text);
        tp_text_printf(out, "%*s  %s %s more segments not drawn (%d rows per ladder at most) %s\n",
                       lo.frame_width, "", lo.g->ellipsis, text, TP_LADDER_MAX_ROWS, lo.g->ellipsis);
    }
}
