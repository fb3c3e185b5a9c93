/* tcpphase-ladder.c — ladder diagrams of connections, for tshark.
 *
 *   tshark -r F -2 -q -z tcpphase,ladder[,ascii][,full][,FILTER]
 *
 * prints, for every connection (with FILTER: every connection with at
 * least one segment matching the display filter), the ladder of
 * ladder/ladder.h: the two endpoints as columns, an arrow per segment and
 * each endpoint's state where it changes.  "ascii" draws with plain ASCII
 * for terminals without UTF-8; "full" keeps every established segment
 * instead of folding long runs into one line.
 *
 * Three listeners: "tcp" gives each segment's header (flags, raw sequence
 * numbers, addresses), "tcpphase" its label and connection, a second
 * "tcpphase" listener with the user's filter marks the connections to draw.
 * TCP queues its record before the post-dissector queues tcpphase's, and a
 * frame's queued records reach the listeners in that order, so the header
 * is waiting when the label comes.  Without -2 the labels are one pass's,
 * but each arrow's anomalies are reread against the connection as it stands
 * at the end, as a second pass shows them.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <epan/address.h>
#include <epan/packet_info.h>
#include <epan/stat_tap_ui.h>
#include <epan/tap.h>
#include <epan/dissectors/packet-tcp.h>

#include "ladder.h"
#include "packet-tcpphase.h"
#include "tcpphase-ladder.h"
#include "wscompat.h"

/* One connection's ladder and the connection as last seen. */
typedef struct {
    tp_ladder *ladder;
    tp_conn_view    conn;
    gboolean   selected;
} ladder_entry;

typedef struct {
    GPtrArray  *entries;                /* ladder_entry *, indexed by conn id */
    tp_ladder_charset charset;
    gboolean    fold;
    gboolean    filtered;               /* a filter chooses the connections */
    char       *filter;
    guint32     last_frame;             /* to notice a new pass */
    /* The TCP header of the frame being tapped. */
    guint32     header_frame;
    tp_ladder_segment header;
    address     header_src;
    guint16     header_sport;
    char        listener_tcp, listener_all, listener_selected;  /* one identity per listener */
} ladder_tap;

static void
forget(ladder_tap *lt)
{
    guint i;

    for (i = 0; i < lt->entries->len; i++) {
        ladder_entry *e = (ladder_entry *)g_ptr_array_index(lt->entries, i);
        if (e) {
            tp_ladder_free(e->ladder);
            g_free(e);
        }
    }
    g_ptr_array_set_size(lt->entries, 0);
    lt->last_frame = 0;
    lt->header_frame = 0;
    free_address(&lt->header_src);
}

static void
ladder_reset(void *tapdata)
{
    ladder_tap *lt = (ladder_tap *)((char *)tapdata - offsetof(ladder_tap, listener_all));
    forget(lt);
}

static ladder_entry *
entry_for(ladder_tap *lt, guint32 id, gboolean create)
{
    ladder_entry *e;

    if (id >= lt->entries->len) {
        if (!create)
            return NULL;
        g_ptr_array_set_size(lt->entries, id + 1);
    }
    e = (ladder_entry *)g_ptr_array_index(lt->entries, id);
    if (!e && create) {
        e = g_new0(ladder_entry, 1);
        e->ladder = tp_ladder_new(lt->fold);
        g_ptr_array_index(lt->entries, id) = e;
    }
    return e;
}

static tap_packet_status
ladder_tcp_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                  const void *data, tap_flags_t flags _U_)
{
    ladder_tap *lt = (ladder_tap *)((char *)tapdata - offsetof(ladder_tap, listener_tcp));
    const tcp_info_t *th = (const tcp_info_t *)data;

    lt->header_frame = pinfo->num;
    memset(&lt->header, 0, sizeof lt->header);
    lt->header.frame = pinfo->num;
    lt->header.seq = th->th_rawseq;
    lt->header.ack = th->th_rawack;
    lt->header.flags = (guint8)th->th_flags;
    lt->header.payload_len = th->th_have_seglen ? th->th_seglen : 0;
    lt->header.have_header = TRUE;
    free_address(&lt->header_src);
    copy_address(&lt->header_src, &th->ip_src);
    lt->header_sport = th->th_sport;
    return TAP_PACKET_DONT_REDRAW;
}

/* Which of the connection's endpoints sent the segment. */
static guint8
sender_index(const tp_conn_view *conn, const address *src, guint16 sport)
{
    const tp_addr *a = &conn->addr[0];
    int len = a->family == 4 ? 4 : 16;

    if (sport == conn->port[0] && src->len == len && memcmp(src->data, a->bytes, len) == 0)
        return 0;
    return 1;
}

static tap_packet_status
ladder_label_packet(void *tapdata, packet_info *pinfo, epan_dissect_t *edt _U_,
                    const void *data, tap_flags_t flags _U_)
{
    ladder_tap *lt = (ladder_tap *)((char *)tapdata - offsetof(ladder_tap, listener_all));
    const tcpphase_tap_record *rec = (const tcpphase_tap_record *)data;
    tp_ladder_segment seg;
    ladder_entry *e;

    if (rec->conn.id == 0)
        return TAP_PACKET_DONT_REDRAW;
    /* A second pass (tshark -2 runs the taps on it alone, the GUI on every
     * retap) starts again from frame 1: start over with it. */
    if (pinfo->num <= lt->last_frame)
        forget(lt);
    lt->last_frame = pinfo->num;

    e = entry_for(lt, rec->conn.id, TRUE);
    if (!e->ladder)
        return TAP_PACKET_DONT_REDRAW;          /* out of memory: not drawn */
    e->conn = rec->conn;

    if (lt->header_frame == pinfo->num) {
        seg = lt->header;
        seg.from = sender_index(&rec->conn, &lt->header_src, lt->header_sport);
    } else {
        /* TCP gave no header (a truncated one): an arrow without numbers. */
        memset(&seg, 0, sizeof seg);
        seg.frame = pinfo->num;
    }
    seg.time_ns = (gint64)pinfo->abs_ts.secs * G_GINT64_CONSTANT(1000000000) + pinfo->abs_ts.nsecs;
    tp_ladder_add(e->ladder, &seg, &rec->label);
    return TAP_PACKET_DONT_REDRAW;
}

static tap_packet_status
ladder_select_packet(void *tapdata, packet_info *pinfo _U_, epan_dissect_t *edt _U_,
                     const void *data, tap_flags_t flags _U_)
{
    ladder_tap *lt = (ladder_tap *)((char *)tapdata - offsetof(ladder_tap, listener_selected));
    const tcpphase_tap_record *rec = (const tcpphase_tap_record *)data;
    ladder_entry *e;

    /* Listeners of one tap run in the order they were registered: this one
     * after ladder_label_packet(), which created the entry. */
    e = entry_for(lt, rec->conn.id, FALSE);
    if (e)
        e->selected = TRUE;
    return TAP_PACKET_DONT_REDRAW;
}

static void
ladder_draw(void *tapdata)
{
    ladder_tap *lt = (ladder_tap *)((char *)tapdata - offsetof(ladder_tap, listener_all));
    guint i, drawn = 0;
    tp_text text;

    tp_text_init(&text);
    for (i = 1; i < lt->entries->len; i++) {
        ladder_entry *e = (ladder_entry *)g_ptr_array_index(lt->entries, i);
        if (e && e->ladder && (!lt->filtered || e->selected))
            drawn++;
    }
    printf("\n===================================================================\n");
    printf("tcpphase ladders: %u connection%s", drawn, drawn == 1 ? "" : "s");
    if (lt->filtered)
        printf(" with a segment matching \"%s\"", lt->filter);
    printf("\nframe, flags, Seq/Ack relative to each endpoint's first, payload Len;\n"
           "an endpoint's RFC 9293 state is written where it changes.\n");
    printf("===================================================================\n");
    for (i = 1; i < lt->entries->len; i++) {
        ladder_entry *e = (ladder_entry *)g_ptr_array_index(lt->entries, i);
        tp_ladder_conn c;

        if (!e || !e->ladder || (lt->filtered && !e->selected))
            continue;
        tp_ladder_finish(e->ladder, &e->conn);
        tp_ladder_describe(&e->conn, &c);
        text.len = 0;
        tp_text_puts(&text, "\n");
        tp_ladder_render(e->ladder, &c, lt->charset, &text);
        if (text.failed) {
            fprintf(stderr, "tcpphase: out of memory drawing connection %u\n", i);
            tp_text_free(&text);
            continue;
        }
        fputs(text.data, stdout);
    }
    printf("===================================================================\n");
    tp_text_free(&text);
}

static void
fail(const char *what, GString *error)
{
    fprintf(stderr, "tshark: Couldn't register tcpphase,ladder tap: %s%s\n", what,
            error ? error->str : "");
    if (error)
        g_string_free(error, TRUE);
    exit(1);
}

/* "tcpphase,ladder[,ascii][,full][,FILTER]": option words first, the rest
 * (commas and all) is the filter. */
static tp_tap_init_ret
ladder_init(const char *opt_arg, void *userdata _U_)
{
    static const char prefix[] = "tcpphase,ladder";
    ladder_tap *lt = g_new0(ladder_tap, 1);
    const char *rest = opt_arg + strlen(prefix);
    GString *error;

    lt->entries = g_ptr_array_new();
    lt->charset = TP_LADDER_UTF8;
    lt->fold = TRUE;
    while (*rest == ',') {
        const char *word = rest + 1;
        const char *end = strchr(word, ',');
        size_t n = end ? (size_t)(end - word) : strlen(word);

        if (n == 5 && strncmp(word, "ascii", 5) == 0)
            lt->charset = TP_LADDER_ASCII;
        else if (n == 4 && strncmp(word, "utf8", 4) == 0)
            lt->charset = TP_LADDER_UTF8;
        else if (n == 4 && strncmp(word, "full", 4) == 0)
            lt->fold = FALSE;
        else
            break;
        rest = word + n;
    }
    if (*rest == ',' && rest[1] != '\0') {
        lt->filter = g_strdup(rest + 1);
        lt->filtered = TRUE;
    } else if (*rest != '\0' && *rest != ',') {
        fail("", g_string_new("expected tcpphase,ladder[,ascii][,full][,FILTER]"));
    }

    error = register_tap_listener("tcp", &lt->listener_tcp, NULL, TL_REQUIRES_NOTHING,
                                  NULL, ladder_tcp_packet, NULL, NULL);
    if (error)
        fail("", error);
    error = register_tap_listener("tcpphase", &lt->listener_all, NULL, TL_REQUIRES_NOTHING,
                                  ladder_reset, ladder_label_packet, ladder_draw, NULL);
    if (error)
        fail("", error);
    if (lt->filtered) {
        error = register_tap_listener("tcpphase", &lt->listener_selected, lt->filter,
                                      TL_REQUIRES_NOTHING, NULL, ladder_select_packet, NULL, NULL);
        if (error)
            fail("", error);
    }
    return TP_TAP_INIT_OK;
}

static stat_tap_ui ladder_ui = {
    REGISTER_STAT_GROUP_GENERIC,
    NULL,
    "tcpphase,ladder",
    ladder_init,
    0,
    NULL
};

void
register_tcpphase_ladder(void)
{
    register_stat_tap_ui(&ladder_ui, NULL);
}
