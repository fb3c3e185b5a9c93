/* tcpphase-stats.c — the "tcpphase" statistics tree.
 *
 *   tshark -q -z tcpphase,tree[,FILTER]      and   Statistics > TCP Phases
 *
 * Connections by how they opened (tcpphase.conn.open), how they closed
 * (tcpphase.conn.close) and Zeek's conn_state (tcpphase.conn.state), and
 * how many of each expert item the capture raises.  Fed by the "tcpphase"
 * tap, which the dissector queues for every labelled segment.
 *
 * A connection's verdicts change as it goes on: its first SYN makes it
 * "unanswered", the SYN-ACK "incomplete", the ACK "three_way".  In one-pass
 * tshark the tap sees those intermediate verdicts, so a connection is
 * counted once, under its latest verdict, and moved when that changes.
 * Some expert items, too, are known only later (tp_label_anomalies(): a
 * SYN turns out unanswered, a FIN half-closed at the end, the first SYN of
 * a simultaneous open): each connection's expert items are recounted from
 * its segments' labels against the connection as it stands, so at the end
 * of the capture the counts are what a second pass shows.  On later passes
 * (tshark -2, the GUI) the connection is final from its first segment on
 * and nothing moves.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include <glib.h>

#include <epan/packet_info.h>
#include <epan/stats_tree.h>
#include <epan/tap.h>

#include "tcpphase.h"
#include "packet-tcpphase.h"
#include "tcpphase-stats.h"

#define NOT_COUNTED       0xff

/* Segments of one connection with the same step and the same anomalies
 * known when they were fed: they gain the same late expert items. */
typedef struct {
    guint32 segments;
    guint16 anomalies;
    guint8  step;
} label_group;

/* What one connection contributes to the counts now. */
typedef struct {
    guint8  open;                       /* tp_open_kind, or NOT_COUNTED */
    guint8  close;                      /* tp_close_kind */
    guint8  zeek_state;                 /* tp_zeek_state */
    guint8  group_count;
    guint8  group_alloc;
    label_group *groups;
    guint32 items[TP_ANOM_COUNT];       /* its expert items, as counted */
} conn_counts;

/* One per open statistics tree (the GUI may have several). */
typedef struct {
    GArray  *conns;                     /* conn_counts, indexed by conn id */
    guint32  last_frame;                /* to notice a new pass */
    guint32  connections;
    guint32  open[TP_OPEN_COUNT];
    guint32  close[TP_CLOSE_COUNT];
    guint32  zeek[TP_ZEEK_STATE_COUNT];
    guint32  items[TP_ANOM_COUNT];
    guint32  items_total;
    int      node_connections, node_open, node_close, node_zeek, node_items;
} tree_state;

static GHashTable *trees;               /* stats_tree * -> tree_state * */

static const char node_connections[] = "Connections";
static const char node_open[] = "Connections by open kind (tcpphase.conn.open)";
static const char node_close[] = "Connections by close kind (tcpphase.conn.close)";
static const char node_zeek[] = "Connections by Zeek conn_state (tcpphase.conn.state)";
static const char node_items[] = "Expert items";

static void
forget_connections(tree_state *ts)
{
    guint i;

    for (i = 0; i < ts->conns->len; i++)
        g_free(g_array_index(ts->conns, conn_counts, i).groups);
    g_array_set_size(ts->conns, 0);
    ts->last_frame = 0;
    ts->connections = 0;
    memset(ts->open, 0, sizeof ts->open);
    memset(ts->close, 0, sizeof ts->close);
    memset(ts->zeek, 0, sizeof ts->zeek);
    memset(ts->items, 0, sizeof ts->items);
    ts->items_total = 0;
}

static const char *
item_node_name(tp_anomaly a)
{
    /* The expert item's filter name, as in the Expert Information dialog. */
    static char names[TP_ANOM_COUNT][48];

    if (names[a][0] == '\0')
        g_snprintf(names[a], sizeof names[a], "tcpphase.%s", tp_anomaly_name(a));
    return names[a];
}

/* Every node exists from the start, zeros included, so a missing kind reads
 * "0" rather than being absent. */
static void
tcpphase_stats_init(stats_tree *st)
{
    tree_state *ts = g_new0(tree_state, 1);
    int i;

    ts->conns = g_array_new(FALSE, TRUE, sizeof(conn_counts));
    if (!trees)
        trees = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(trees, st, ts);

    ts->node_connections = stats_tree_create_node(st, node_connections, 0, STAT_DT_INT, TRUE);
    ts->node_open = stats_tree_create_node(st, node_open, ts->node_connections, STAT_DT_INT, TRUE);
    for (i = 0; i < TP_OPEN_COUNT; i++)
        stats_tree_create_node(st, tp_open_name((tp_open_kind)i), ts->node_open, STAT_DT_INT, FALSE);
    ts->node_close = stats_tree_create_node(st, node_close, ts->node_connections, STAT_DT_INT, TRUE);
    for (i = 0; i < TP_CLOSE_COUNT; i++)
        stats_tree_create_node(st, tp_close_name((tp_close_kind)i), ts->node_close, STAT_DT_INT, FALSE);
    ts->node_zeek = stats_tree_create_node(st, node_zeek, ts->node_connections, STAT_DT_INT, TRUE);
    for (i = 0; i < TP_ZEEK_STATE_COUNT; i++)
        stats_tree_create_node(st, tp_zeek_state_name((tp_zeek_state)i), ts->node_zeek,
                               STAT_DT_INT, FALSE);
    ts->node_items = stats_tree_create_node(st, node_items, 0, STAT_DT_INT, TRUE);
    for (i = 0; i < TP_ANOM_COUNT; i++)
        stats_tree_create_node(st, item_node_name((tp_anomaly)i), ts->node_items, STAT_DT_INT, FALSE);
}

static void
tcpphase_stats_cleanup(stats_tree *st)
{
    tree_state *ts = trees ? (tree_state *)g_hash_table_lookup(trees, st) : NULL;

    if (!ts)
        return;
    g_hash_table_remove(trees, st);
    forget_connections(ts);
    g_array_free(ts->conns, TRUE);
    g_free(ts);
}

/* Count the segment into its label group; FALSE when out of memory. */
static gboolean
add_to_group(conn_counts *cc, const tp_label *label)
{
    guint i;

    for (i = 0; i < cc->group_count; i++) {
        label_group *g = &cc->groups[i];
        if (g->step == label->step && g->anomalies == label->anomalies) {
            g->segments++;
            return TRUE;
        }
    }
    /* (step, anomalies) pairs per connection are few; cap them anyway so a
     * hostile capture cannot grow one connection's list without bound. */
    if (cc->group_count == G_MAXUINT8)
        return FALSE;
    if (cc->group_count == cc->group_alloc) {
        guint alloc = cc->group_alloc ? cc->group_alloc * 2u : 4u;
        if (alloc > G_MAXUINT8)
            alloc = G_MAXUINT8;
        cc->groups = g_renew(label_group, cc->groups, alloc);
        cc->group_alloc = (guint8)alloc;
    }
    cc->groups[cc->group_count].segments = 1;
    cc->groups[cc->group_count].anomalies = label->anomalies;
    cc->groups[cc->group_count].step = label->step;
    cc->group_count++;
    return TRUE;
}

static void
set_node(stats_tree *st, const char *name, int parent, guint32 value)
{
    set_stat_node(st, name, parent, FALSE, (gint)value);
}

static const char *
open_node_name(guint i)
{
    return tp_open_name((tp_open_kind)i);
}

static const char *
close_node_name(guint i)
{
    return tp_close_name((tp_close_kind)i);
}

static const char *
zeek_node_name(guint i)
{
    return tp_zeek_state_name((tp_zeek_state)i);
}

/* Move a connection's count from its old row to its new one; only rows
 * that change are written (a tree lookup by name each). */
static void
move(stats_tree *st, int parent, const char *(*node_name)(guint),
     guint32 *counts, guint8 *slot, guint to)
{
    if (*slot == to)
        return;
    if (*slot != NOT_COUNTED) {
        counts[*slot]--;
        set_node(st, node_name(*slot), parent, counts[*slot]);
    }
    counts[to]++;
    set_node(st, node_name(to), parent, counts[to]);
    *slot = (guint8)to;
}

/* Every row back to 0, for a new pass. */
static void
zero_nodes(stats_tree *st, const tree_state *ts)
{
    guint i;

    set_node(st, node_connections, 0, 0);
    set_node(st, node_open, ts->node_connections, 0);
    set_node(st, node_close, ts->node_connections, 0);
    set_node(st, node_zeek, ts->node_connections, 0);
    for (i = 0; i < TP_OPEN_COUNT; i++)
        set_node(st, open_node_name(i), ts->node_open, 0);
    for (i = 0; i < TP_CLOSE_COUNT; i++)
        set_node(st, close_node_name(i), ts->node_close, 0);
    for (i = 0; i < TP_ZEEK_STATE_COUNT; i++)
        set_node(st, zeek_node_name(i), ts->node_zeek, 0);
    set_node(st, node_items, 0, 0);
    for (i = 0; i < TP_ANOM_COUNT; i++)
        set_node(st, item_node_name((tp_anomaly)i), ts->node_items, 0);
}

static tap_packet_status
tcpphase_stats_packet(stats_tree *st, packet_info *pinfo, epan_dissect_t *edt _U_,
                      const void *data, tap_flags_t flags _U_)
{
    const tcpphase_tap_record *rec = (const tcpphase_tap_record *)data;
    const tp_conn_view *conn = &rec->conn;
    tree_state *ts = trees ? (tree_state *)g_hash_table_lookup(trees, st) : NULL;
    conn_counts *cc;
    guint32 items[TP_ANOM_COUNT];
    guint i;
    int a;

    if (!ts || !conn || conn->id == 0)
        return TAP_PACKET_DONT_REDRAW;

    /* A retap (the GUI reloading, a new filter) starts again from frame 1
     * without telling the tree's callbacks: start over with it. */
    if (pinfo->num <= ts->last_frame) {
        forget_connections(ts);
        zero_nodes(st, ts);
    }
    ts->last_frame = pinfo->num;

    if (conn->id >= ts->conns->len) {
        guint old = ts->conns->len;
        g_array_set_size(ts->conns, conn->id + 1);
        for (i = old; i < ts->conns->len; i++) {
            conn_counts *fresh = &g_array_index(ts->conns, conn_counts, i);
            fresh->open = fresh->close = fresh->zeek_state = NOT_COUNTED;
        }
    }
    cc = &g_array_index(ts->conns, conn_counts, conn->id);

    if (cc->open == NOT_COUNTED) {
        ts->connections++;
        set_node(st, node_connections, 0, ts->connections);
        set_node(st, node_open, ts->node_connections, ts->connections);
        set_node(st, node_close, ts->node_connections, ts->connections);
        set_node(st, node_zeek, ts->node_connections, ts->connections);
    }
    move(st, ts->node_open, open_node_name, ts->open, &cc->open,
         conn->open_kind < TP_OPEN_COUNT ? conn->open_kind : TP_OPEN_NOT_SEEN);
    move(st, ts->node_close, close_node_name, ts->close, &cc->close,
         conn->close_kind < TP_CLOSE_COUNT ? conn->close_kind : TP_CLOSE_OPEN);
    move(st, ts->node_zeek, zeek_node_name, ts->zeek, &cc->zeek_state,
         conn->zeek_state < TP_ZEEK_STATE_COUNT ? conn->zeek_state : TP_ZEEK_OTH);

    /* The connection's expert items: each group of alike segments, read
     * as a later pass reads them, against the connection as it stands. */
    if (add_to_group(cc, &rec->label)) {
        gboolean changed = FALSE;

        memset(items, 0, sizeof items);
        for (i = 0; i < cc->group_count; i++) {
            tp_label l;
            guint16 anomalies;

            memset(&l, 0, sizeof l);
            l.conn_id = conn->id;
            l.step = cc->groups[i].step;
            l.anomalies = cc->groups[i].anomalies;
            anomalies = tp_label_anomalies(&l, conn);
            for (a = 0; a < TP_ANOM_COUNT; a++) {
                if (anomalies & TP_ANOM_BIT(a))
                    items[a] += cc->groups[i].segments;
            }
        }
        for (a = 0; a < TP_ANOM_COUNT; a++) {
            if (items[a] == cc->items[a])
                continue;
            ts->items[a] += items[a] - cc->items[a];
            ts->items_total += items[a] - cc->items[a];
            cc->items[a] = items[a];
            set_node(st, item_node_name((tp_anomaly)a), ts->node_items, ts->items[a]);
            changed = TRUE;
        }
        if (changed)
            set_node(st, node_items, 0, ts->items_total);
    }

    return TAP_PACKET_REDRAW;
}

void
register_tcpphase_stats_tree(void)
{
    stats_tree_register_plugin("tcpphase", "tcpphase", "TCP Phases", 0,
            tcpphase_stats_packet, tcpphase_stats_init, tcpphase_stats_cleanup);
}
