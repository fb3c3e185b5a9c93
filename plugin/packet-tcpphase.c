/* packet-tcpphase.c — the Wireshark front end of tcpphase.
 *
 * Where a TCP segment sits in the life of its connection: a hook in front of
 * the TCP dissector reads each segment's header, a post-dissector feeds it to
 * the core (tcpphase.h) on the first pass and shows the label it got, on
 * every pass, in a "tcpphase" subtree.
 *
 *   IP --ip.proto 6--> tcpphase_tcp_hook --> TCP --> payload dissectors
 *                      (reads ports, seq, ack, offset, flags, window)
 *   ... all dissectors ... --> post-dissector tcpphase (feed / look up / show)
 *
 * The hook reads the header itself, before calling TCP, so that neither an
 * exception in a payload dissector nor TCP's own preferences can hide a
 * segment from us, and so that no tcp.* field has to be primed (priming
 * costs every frame a tree).  Taking over "ip.proto" 6 departs from the
 * usual shape, a post-dissector (or heuristic) reading primed tcp.* fields,
 * for speed: in `tshark -n -Y tcp` on a 10,000-packet mix (callgrind,
 * bench/treecost.sh, start-up taken out) such a primed C post-dissector
 * adds 6,658 instructions per packet, tcpphase about 1,610
 * (docs/performance.md).  What it costs the user: a Decode As rule (or
 * -d ip.proto==6,tcp) that points IP protocol 6 straight at TCP bypasses
 * the hook, and then nothing is labelled; the entry's default reads
 * "TCP (through tcpphase)".  Decode As rules for TCP ports still apply,
 * since TCP itself is called as before.
 *
 * Per-frame results live in a compact label store keyed by frame number;
 * connections live in the core's engine.  Both are made by the init routine
 * and freed by the cleanup routine, so a new file, a reload or a changed
 * preference starts clean.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <string.h>

#include <glib.h>

#include <epan/packet.h>
#include <epan/expert.h>
#include <epan/prefs.h>
#include <epan/ipproto.h>
#include <epan/address.h>
#include <epan/tap.h>
#include <wsutil/utf8_entities.h>
#include <wsutil/wslog.h>

#include "tcpphase.h"
#include "label_store.h"
#include "packet-tcpphase.h"
#include "tcp-segment.h"
#include "wscompat.h"

/* ---- Registration state --------------------------------------------------- */

static int proto_tcpphase = -1;
static int tcpphase_tap = -1;           /* "tcpphase": tcpphase_tap_record */
static protocol_t *tcpphase_protocol;   /* for the enabled check in the hook */
static protocol_t *tcp_protocol;

static dissector_handle_t tcp_handle;   /* what "ip.proto" 6 held before us */
static dissector_handle_t hook_handle;
static dissector_handle_t tcpphase_handle;

static int hf_phase = -1;
static int hf_step = -1;
static int hf_role = -1;
static int hf_state_sender = -1;
static int hf_state_receiver = -1;
static int hf_anomaly = -1;
static int hf_conn_id = -1;
static int hf_conn_open = -1;
static int hf_conn_close = -1;
static int hf_conn_state = -1;
static int hf_conn_history = -1;
static int hf_conn_link[TP_LINK_COUNT];        /* -1 until registered */
static int hf_conn_handshake_time = -1;
static int hf_conn_teardown_time = -1;
static int hf_conn_orig_packets = -1;
static int hf_conn_orig_bytes = -1;
static int hf_conn_resp_packets = -1;
static int hf_conn_resp_bytes = -1;

static gint ett_tcpphase = -1;
static gint ett_tcpphase_conn = -1;

/* Indexed by tp_anomaly; registered from the core's names and texts. */
static expert_field ei_anomaly[TP_ANOM_COUNT];

/* Preferences. */
static guint pref_time_wait = 60;          /* seconds */
static tp_pref_bool pref_info_column = FALSE;

/* ---- Capture-file state (init routine to cleanup routine) ----------------- */

static tp_engine *engine;
static tp_label_store *labels;
static guint32 last_fed;        /* highest frame fed to the engine */

/* The label of frame last_fed is kept out of the store until a higher frame
 * comes: on the first pass a frame number can be handed out twice.  tshark
 * -2 -R and the GUI's read filter drop a frame that fails the filter after
 * dissecting it and give its number to the next frame, so the engine must
 * take that next frame as new (the dropped one was still traffic on the
 * wire) and its label must replace the dropped one's. */
static tp_label last_label;
static tp_segment last_segment; /* what frame last_fed was fed */
static gboolean last_valid;

/* The segment the hook read, for the post-dissector of the same frame.
 * Dissection is single-threaded and a frame's post-dissectors run right
 * after its dissectors, so one slot, tagged with its frame number, is
 * enough; it saves the p_add_proto_data()/p_get_proto_data() list work (and
 * a pool allocation) on every TCP frame: measured with callgrind on 36k
 * packets of `tshark -Y tcp`, the plugin's extra instructions went from
 * 117M to 95M.  Nothing visible to the user; the price is the assumption
 * of single-threaded dissection, which per-packet proto data would not
 * need. */
static tp_segment pending;
static guint32 pending_frame;   /* 0: none */

/* Whether the hook reads segments: tcpphase and TCP both enabled.  Fixed
 * for a dissection session: enabling or disabling a protocol makes
 * Wireshark redissect, which runs tcpphase_init() first (as a changed
 * preference does); tshark applies --enable/--disable-protocol before it
 * opens the file.  Two proto_is_protocol_enabled() calls per segment less,
 * about 45 instructions per segment with the calls.  The price is relying
 * on that redissection: were Wireshark to change a protocol's state without
 * it, the hook would follow only at the next init routine (the
 * `disabled` test checks both ways, one pass and two). */
static gboolean hook_reads;

static void
tcpphase_cleanup(void)
{
    if (engine) {
        tp_engine_free(engine);
        engine = NULL;
    }
    if (labels) {
        tp_label_store_free(labels);
        labels = NULL;
    }
    last_fed = 0;
    last_valid = FALSE;
    pending_frame = 0;
    hook_reads = FALSE;
}

static void
tcpphase_init(void)
{
    tp_config cfg;

    /* An init without the cleanup before it must not leak. */
    tcpphase_cleanup();

    tp_config_default(&cfg);
    cfg.time_wait_ns = (int64_t)pref_time_wait * G_GINT64_CONSTANT(1000000000);
    engine = tp_engine_new(&cfg);
    labels = tp_label_store_new();
    if (!engine || !labels)
        ws_warning("tcpphase: out of memory; no labels for this capture");
    hook_reads = tcpphase_protocol != NULL && proto_is_protocol_enabled(tcpphase_protocol)
                 && (tcp_protocol == NULL || proto_is_protocol_enabled(tcp_protocol));
}

static void
tcpphase_prefs_apply(void)
{
    /* Nothing to do now: changing a preference makes Wireshark redissect,
     * which runs tcpphase_init(), which reads the new values. */
}

/* ---- The hook in front of TCP --------------------------------------------- */

/* Read the facts of the segment in tvb into the pending slot (filled in
 * place: no copy per segment).  pending_frame still names an older frame
 * (or none), so the slot is free; it is claimed only once every check has
 * passed. */
static void
record_segment(tvbuff_t *tvb, packet_info *pinfo)
{
    if (tp_segment_from_tvb(tvb, pinfo, &pending))
        pending_frame = pinfo->num;
}

/* Sits in "ip.proto" 6 in place of TCP's handle.  It belongs to no protocol
 * on purpose: a handle of tcpphase would be skipped (and TCP with it) when
 * tcpphase is disabled; a handle of TCP would put "tcp" twice in
 * pinfo->layers, since call_dissector_only() below adds it once. */
static int
dissect_tcp_hook(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data)
{
    if (!PINFO_FD_VISITED(pinfo)
            && !pinfo->flags.in_error_pkt   /* a header quoted by ICMP: not a segment */
            && hook_reads                   /* tcpphase and TCP enabled */
            && pending_frame != pinfo->num)
        record_segment(tvb, pinfo);

    return call_dissector_only(tcp_handle, tvb, pinfo, tree, data);
}

/* ---- Showing a label -------------------------------------------------------- */

/* A tree item's label, put together without printf.  A visible tree gets
 * its labels set whether or not anyone reads them (tshark -T fields builds
 * a visible tree and prints none), and on a segment's two labels printf
 * cost tshark -T fields about a tenth of what tcpphase adds to it: about
 * 1,000 instructions per label, half that built by hand and set with "%s"
 * (bench/treecost.sh, -T fields: 24.5k -> 22.5k instructions added per
 * packet).  Nothing visible to the user: the text is the same as with
 * proto_item_append_text() and format strings. */
typedef struct {
    char text[ITEM_LABEL_LENGTH];
    gsize len;
} label_text;

static void
label_add(label_text *l, const char *s)
{
    gsize n = strlen(s);

    if (n > sizeof l->text - 1 - l->len)
        n = sizeof l->text - 1 - l->len;    /* cannot happen: names are short */
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static void
label_add_uint(label_text *l, guint32 v)
{
    char digits[10];
    gsize n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0 && l->len < sizeof l->text - 1)
        l->text[l->len++] = digits[--n];
    l->text[l->len] = '\0';
}

static tp_role
counterpart(tp_role role)
{
    switch (role) {
    case TP_ROLE_CLIENT: return TP_ROLE_SERVER;
    case TP_ROLE_SERVER: return TP_ROLE_CLIENT;
    default:             return role;    /* peer, self, unknown */
    }
}

static proto_item *
add_generated_string(proto_tree *tree, int hf, tvbuff_t *tvb, const char *value)
{
    proto_item *it = proto_tree_add_string(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(it);
    return it;
}

static proto_item *
add_generated_uint(proto_tree *tree, int hf, tvbuff_t *tvb, guint32 value)
{
    proto_item *it = proto_tree_add_uint(tree, hf, tvb, 0, 0, value);
    proto_item_set_generated(it);
    return it;
}

static void
add_generated_uint64(proto_tree *tree, int hf, tvbuff_t *tvb, guint64 value)
{
    proto_item_set_generated(proto_tree_add_uint64(tree, hf, tvb, 0, 0, value));
}

static void
add_generated_time(proto_tree *tree, int hf, tvbuff_t *tvb, int64_t ns)
{
    nstime_t t;

    t.secs = (time_t)(ns / 1000000000);
    t.nsecs = (int)(ns % 1000000000);
    proto_item_set_generated(proto_tree_add_time(tree, hf, tvb, 0, 0, &t));
}

static void
add_connection(proto_tree *tree, tvbuff_t *tvb, guint32 frame, const tp_conn_view *conn)
{
    proto_tree *ct;
    proto_item *it;
    unsigned orig;
    int l;
    tp_zeek_state zeek_state;
    const char *open_name, *close_name, *zeek_state_name, *zeek_history;
    label_text text = { "", 0 };

    open_name = tp_open_name((tp_open_kind)conn->open_kind);
    close_name = tp_close_name((tp_close_kind)conn->close_kind);
    /* Zeek's verdict of the Zeek connection this segment was in (Zeek may
     * split one of ours on its timers). */
    tp_engine_zeek_verdict(engine, conn, frame, &zeek_state, &zeek_history);
    zeek_state_name = tp_zeek_state_name(zeek_state);

    /* "Connection 3: open three_way, close four_way, Zeek SF ShADadFf" */
    label_add(&text, "Connection ");
    label_add_uint(&text, conn->id);
    label_add(&text, ": open ");
    label_add(&text, open_name);
    label_add(&text, ", close ");
    label_add(&text, close_name);
    label_add(&text, ", Zeek ");
    label_add(&text, zeek_state_name);
    label_add(&text, " ");
    label_add(&text, zeek_history);
    /* The subtree hangs off the conn.id item rather than a text-only item:
     * one item less on every segment, and "Apply as Filter" on the
     * Connection line selects the connection. */
    it = proto_tree_add_uint_format(tree, hf_conn_id, tvb, 0, 0, conn->id, "%s", text.text);
    proto_item_set_generated(it);
    ct = proto_item_add_subtree(it, ett_tcpphase_conn);

    add_generated_string(ct, hf_conn_open, tvb, open_name);
    add_generated_string(ct, hf_conn_close, tvb, close_name);
    add_generated_string(ct, hf_conn_state, tvb, zeek_state_name);
    add_generated_string(ct, hf_conn_history, tvb, zeek_history);
    for (l = 0; l < TP_LINK_COUNT; l++) {
        if (conn->link[l] != 0)
            add_generated_uint(ct, hf_conn_link[l], tvb, conn->link[l]);
    }
    if (conn->handshake_ns >= 0)
        add_generated_time(ct, hf_conn_handshake_time, tvb, conn->handshake_ns);
    if (conn->teardown_ns >= 0)
        add_generated_time(ct, hf_conn_teardown_time, tvb, conn->teardown_ns);

    orig = conn->zeek_orig ? 1 : 0;
    add_generated_uint(ct, hf_conn_orig_packets, tvb, conn->packets[orig]);
    add_generated_uint64(ct, hf_conn_orig_bytes, tvb, conn->bytes[orig]);
    add_generated_uint(ct, hf_conn_resp_packets, tvb, conn->packets[!orig]);
    add_generated_uint64(ct, hf_conn_resp_bytes, tvb, conn->bytes[!orig]);
}

/* A frame's connection, copied out of the engine only if something asks
 * for it: `tshark -Y tcp` and the GUI's first pass never do. */
typedef struct {
    guint32      id;
    gboolean     asked, found;
    tp_conn_view view;
} conn_lookup;

static const tp_conn_view *
conn_of(conn_lookup *lookup)
{
    if (!lookup->asked) {
        lookup->asked = TRUE;
        lookup->found = tp_engine_conn(engine, lookup->id, &lookup->view);
    }
    return lookup->found ? &lookup->view : NULL;
}

/* conn: the label's connection as it stands (first pass: so far; later:
 * final). */
static void
show_label(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
           const tp_label *label, conn_lookup *conn)
{
    tp_role role;
    uint16_t anomalies;
    const char *phase_name, *step_name, *role_name, *sender_state_name, *receiver_state_name;
    proto_item *ti;
    proto_tree *pt;
    gboolean wanted;
    int a;

    /* What only later segments tell (a simultaneous open's first SYN is a
     * peer's, a SYN never answered, a FIN never matched) is known once the
     * whole capture has been read: on later passes.  On the first pass the
     * label says what was known then, so one-pass tshark does not call
     * every fresh SYN unanswered. */
    if (PINFO_FD_VISITED(pinfo) && conn_of(conn)) {
        role = tp_label_role(label, conn_of(conn));
        anomalies = tp_label_anomalies(label, conn_of(conn));
    } else {
        role = (tp_role)label->role;
        anomalies = label->anomalies;
    }
    if (pref_info_column)
        col_append_fstr(pinfo->cinfo, COL_INFO, " [%s]", tp_step_name((tp_step)label->step));

    if (!tree) {
        /* No tree (first pass in the GUI, or tshark printing nothing
         * that needs one): the expert infos still go to the expert tap. */
        for (a = 0; anomalies != 0 && a < TP_ANOM_COUNT; a++) {
            if (anomalies & TP_ANOM_BIT(a))
                expert_add_info(pinfo, NULL, &ei_anomaly[a]);
        }
        return;
    }
    /* Does anyone want our fields?  A visible tree (details pane, tshark -V,
     * -T fields/pdml/json), a filter, column or coloring rule naming a
     * tcpphase field (which marks the protocol referenced), or a tree that
     * keeps every protocol (protocol hierarchy statistics). */
    wanted = proto_field_is_referenced(tree, proto_tcpphase);
    if (!wanted && anomalies == 0)
        return;     /* e.g. `tshark -Y tcp`, which must stay cheap */

    phase_name = tp_phase_name((tp_phase)label->phase);
    step_name = tp_step_name((tp_step)label->step);
    role_name = tp_role_name(role);
    sender_state_name = tp_state_name((tp_tcp_state)label->sender_state);
    receiver_state_name = tp_state_name((tp_tcp_state)label->receiver_state);

    ti = proto_tree_add_item(tree, proto_tcpphase, tvb, 0, 0, ENC_NA);
    if (PTREE_DATA(tree)->visible) {
        /* "TCP phase: handshake, syn (client: SYN_SENT → server: SYN_RECEIVED)" */
        label_text text = { "", 0 };

        label_add(&text, "TCP phase: ");
        label_add(&text, phase_name);
        label_add(&text, ", ");
        label_add(&text, step_name);
        label_add(&text, " (");
        label_add(&text, role_name);
        label_add(&text, ": ");
        label_add(&text, sender_state_name);
        label_add(&text, " " UTF8_RIGHTWARDS_ARROW " ");
        label_add(&text, tp_role_name(counterpart(role)));
        label_add(&text, ": ");
        label_add(&text, receiver_state_name);
        label_add(&text, ")");
        proto_item_set_text(ti, "%s", text.text);
    }
    pt = proto_item_add_subtree(ti, ett_tcpphase);

    if (wanted) {
        add_generated_string(pt, hf_phase, tvb, phase_name);
        add_generated_string(pt, hf_step, tvb, step_name);
        add_generated_string(pt, hf_role, tvb, role_name);
        add_generated_string(pt, hf_state_sender, tvb, sender_state_name);
        add_generated_string(pt, hf_state_receiver, tvb, receiver_state_name);
    }

    /* Expert infos hang on their tcpphase.anomaly item, so that they are in
     * the tree for the expert dialog, _ws.expert filters and -z expert even
     * when nothing else of ours is wanted. */
    for (a = 0; anomalies != 0 && a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a)) {
            proto_item *it = add_generated_string(pt, hf_anomaly, tvb,
                    tp_anomaly_name((tp_anomaly)a));
            expert_add_info(pinfo, it, &ei_anomaly[a]);
        }
    }

    if (wanted && conn_of(conn))
        add_connection(pt, tvb, pinfo->num, conn_of(conn));
}

/* ---- The post-dissector ------------------------------------------------------ */

static gboolean
same_segment(const tp_segment *a, const tp_segment *b)
{
    return a->time_ns == b->time_ns && a->seq == b->seq && a->ack == b->ack
        && a->payload_len == b->payload_len && a->window == b->window
        && a->flags == b->flags && a->sport == b->sport && a->dport == b->dport
        && memcmp(&a->src, &b->src, sizeof a->src) == 0
        && memcmp(&a->dst, &b->dst, sizeof a->dst) == 0;
}

static int
dissect_tcpphase(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    const tp_label *label;
    conn_lookup conn;
    const gchar *saved_proto;
    tp_label fresh;

    if (!engine || !labels)
        return 0;

    /* The handle belongs to no protocol (see proto_reg_handoff_tcpphase()),
     * so Wireshark neither checks that tcpphase is enabled nor names it as
     * the current protocol: both are done here.  A pending segment exists
     * only if tcpphase was enabled when the hook saw it. */
    if (!PINFO_FD_VISITED(pinfo)) {
        const tp_segment *seg = &pending;

        if (pending_frame != pinfo->num)
            return 0;                   /* not a TCP segment we could read */
        pending_frame = 0;              /* used: the next dissection reads afresh */
        if (pinfo->num < last_fed) {
            /* An older unvisited frame dissected again: fed already. */
            label = tp_label_store_get(labels, pinfo->num);
            if (!label)
                return 0;
        } else if (pinfo->num == last_fed && last_valid && same_segment(seg, &last_segment)) {
            label = &last_label;        /* the same frame again */
        } else {
            /* A new frame, or a new one under the number of a frame a read
             * filter dropped (see last_label). */
            if (pinfo->num != last_fed && last_valid) {
                /* If the store is out of memory, that frame was shown on the
                 * first pass; it just won't be on later passes. */
                tp_label_store_put(labels, last_fed, &last_label);
            }
            last_fed = pinfo->num;
            last_valid = FALSE;
            if (!tp_engine_feed(engine, seg, &fresh))
                return 0;
            last_label = fresh;
            last_segment = *seg;
            last_valid = TRUE;
            label = &last_label;
        }
    } else {
        if (!proto_is_protocol_enabled(tcpphase_protocol))
            return 0;
        label = pinfo->num == last_fed && last_valid ? &last_label
                                                     : tp_label_store_get(labels, pinfo->num);
        if (!label)
            return 0;
    }
    conn.id = label->conn_id;
    conn.asked = FALSE;

    /* Build the record only for a listener (the statistics tree). */
    if (have_tap_listener(tcpphase_tap) && conn_of(&conn)) {
        tcpphase_tap_record *rec = wmem_new(pinfo->pool, tcpphase_tap_record);
        rec->label = *label;
        rec->conn = conn.view;
        tap_queue_packet(tcpphase_tap, pinfo, rec);
    }

    saved_proto = pinfo->current_proto;
    pinfo->current_proto = "TCPPHASE";      /* expert infos are filed under it */
    show_label(tvb, pinfo, tree, label, &conn);
    pinfo->current_proto = saved_proto;
    return tvb_captured_length(tvb);
}

/* ---- Registration ----------------------------------------------------------- */

/* The frame links, tcpphase.conn.<tp_link_name()>: the core names them, the
 * plugin titles them.  Built at registration, so the array outlives it as
 * Wireshark requires, and its names are never freed (nor are the names of
 * any registered field). */
static void
register_link_fields(void)
{
    static const struct { const char *title, *blurb; } links[TP_LINK_COUNT] = {
        [TP_LINK_SYN]           = { "SYN in frame", "The connection's first SYN" },
        [TP_LINK_SYN_ACK]       = { "SYN-ACK in frame", "The connection's first SYN-ACK" },
        [TP_LINK_HANDSHAKE_ACK] = { "Handshake completed in frame",
                                    "The segment that completed the handshake" },
        [TP_LINK_FIN_ACTIVE]    = { "First FIN in frame", "The connection's first FIN" },
        [TP_LINK_FIN_PASSIVE]   = { "Second FIN in frame", "The other endpoint's FIN" },
        [TP_LINK_LAST_ACK]      = { "Last ACK in frame",
                                    "The acknowledgment of the final FIN: teardown complete" },
        [TP_LINK_RST]           = { "RST in frame", "The RST that ended the connection" },
    };
    static hf_register_info hf[TP_LINK_COUNT];
    const hf_register_info field = {
        NULL, { NULL, NULL, FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_NONE), 0x0,
                NULL, HFILL } };
    int l;

    for (l = 0; l < TP_LINK_COUNT; l++) {
        hf_conn_link[l] = -1;
        hf[l] = field;
        hf[l].p_id = &hf_conn_link[l];
        hf[l].hfinfo.name = links[l].title;
        hf[l].hfinfo.abbrev = g_strconcat("tcpphase.conn.", tp_link_name((tp_link)l), NULL);
        hf[l].hfinfo.blurb = links[l].blurb;
    }
    proto_register_field_array(proto_tcpphase, hf, TP_LINK_COUNT);
}

/* One expert item per anomaly, tcpphase.<tp_anomaly_name()>, with the
 * core's text and severity: the batch tool writes the same texts. */
static void
register_expert_items(expert_module_t *expert)
{
    static ei_register_info ei[TP_ANOM_COUNT];
    const ei_register_info item = { NULL, { NULL, PI_SEQUENCE, PI_NOTE, NULL, EXPFILL } };
    const expert_field unregistered = EI_INIT;
    int a;

    for (a = 0; a < TP_ANOM_COUNT; a++) {
        ei_anomaly[a] = unregistered;
        ei[a] = item;
        ei[a].ids = &ei_anomaly[a];
        ei[a].eiinfo.name = g_strconcat("tcpphase.", tp_anomaly_name((tp_anomaly)a), NULL);
        ei[a].eiinfo.severity =
            tp_anomaly_severity((tp_anomaly)a) == TP_SEVERITY_WARN ? PI_WARN : PI_NOTE;
        ei[a].eiinfo.summary = tp_anomaly_text((tp_anomaly)a);
    }
    expert_register_field_array(expert, ei, TP_ANOM_COUNT);
}

void
proto_register_tcpphase(void)
{
    static hf_register_info hf[] = {
        { &hf_phase,
          { "Phase", "tcpphase.phase", FT_STRING, BASE_NONE, NULL, 0x0,
            "Phase of the connection this segment belongs to: handshake, established, "
            "teardown, closed, reset", HFILL } },
        { &hf_step,
          { "Step", "tcpphase.step", FT_STRING, BASE_NONE, NULL, 0x0,
            "The segment's role in the life of its connection (syn, syn_ack, "
            "handshake_ack, data, ack, fin_active, last_ack, rst_abort, ...)", HFILL } },
        { &hf_role,
          { "Sender role", "tcpphase.role", FT_STRING, BASE_NONE, NULL, 0x0,
            "Role of the sending endpoint: client, server, peer (simultaneous open), "
            "self (self-connect), unknown (handshake not captured)", HFILL } },
        { &hf_state_sender,
          { "Sender state", "tcpphase.state.sender", FT_STRING, BASE_NONE, NULL, 0x0,
            "Inferred RFC 9293 state of the sending endpoint after sending this segment",
            HFILL } },
        { &hf_state_receiver,
          { "Receiver state", "tcpphase.state.receiver", FT_STRING, BASE_NONE, NULL, 0x0,
            "Inferred RFC 9293 state of the receiving endpoint after receiving this segment",
            HFILL } },
        { &hf_anomaly,
          { "Anomaly", "tcpphase.anomaly", FT_STRING, BASE_NONE, NULL, 0x0,
            "An anomaly raised on this segment (one item each)", HFILL } },

        { &hf_conn_id,
          { "Connection ID", "tcpphase.conn.id", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Index of the connection in the capture, as tcpphase counts them "
            "(a reused tuple starts a new one)", HFILL } },
        { &hf_conn_open,
          { "Open", "tcpphase.conn.open", FT_STRING, BASE_NONE, NULL, 0x0,
            "How the connection opened: three_way, simultaneous, self_connect, refused, "
            "unanswered, incomplete, not_seen", HFILL } },
        { &hf_conn_close,
          { "Close", "tcpphase.conn.close", FT_STRING, BASE_NONE, NULL, 0x0,
            "How the connection closed: four_way, three_way, simultaneous, self, "
            "half_closed, reset, open, incomplete", HFILL } },
        { &hf_conn_state,
          { "Zeek conn_state", "tcpphase.conn.state", FT_STRING, BASE_NONE, NULL, 0x0,
            "Zeek's conn_state of the connection (S0, S1, SF, REJ, ...)", HFILL } },
        { &hf_conn_history,
          { "Zeek history", "tcpphase.conn.history", FT_STRING, BASE_NONE, NULL, 0x0,
            "Zeek's history letters (upper case: originator)", HFILL } },
        { &hf_conn_handshake_time,
          { "Handshake time", "tcpphase.conn.handshake_time", FT_RELATIVE_TIME, BASE_NONE,
            NULL, 0x0, "From the first SYN to the segment completing the handshake", HFILL } },
        { &hf_conn_teardown_time,
          { "Teardown time", "tcpphase.conn.teardown_time", FT_RELATIVE_TIME, BASE_NONE,
            NULL, 0x0, "From the first FIN to the last ACK", HFILL } },
        { &hf_conn_orig_packets,
          { "Originator packets", "tcpphase.conn.orig_packets", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Segments sent by the originator (Zeek's orig)", HFILL } },
        { &hf_conn_orig_bytes,
          { "Originator bytes", "tcpphase.conn.orig_bytes", FT_UINT64, BASE_DEC, NULL, 0x0,
            "TCP payload bytes sent by the originator", HFILL } },
        { &hf_conn_resp_packets,
          { "Responder packets", "tcpphase.conn.resp_packets", FT_UINT32, BASE_DEC, NULL, 0x0,
            "Segments sent by the responder", HFILL } },
        { &hf_conn_resp_bytes,
          { "Responder bytes", "tcpphase.conn.resp_bytes", FT_UINT64, BASE_DEC, NULL, 0x0,
            "TCP payload bytes sent by the responder", HFILL } },
    };

    static gint *ett[] = {
        &ett_tcpphase,
        &ett_tcpphase_conn,
    };

    module_t *prefs;
    expert_module_t *expert;

    proto_tcpphase = proto_register_protocol("TCP connection phase", "TCPPHASE", "tcpphase");
    proto_register_field_array(proto_tcpphase, hf, array_length(hf));
    register_link_fields();
    proto_register_subtree_array(ett, array_length(ett));

    expert = expert_register_protocol(proto_tcpphase);
    register_expert_items(expert);

    prefs = prefs_register_protocol(proto_tcpphase, tcpphase_prefs_apply);
    prefs_register_uint_preference(prefs, "time_wait", "TIME_WAIT duration (seconds)",
            "How long an endpoint stays in TIME_WAIT; a SYN reusing the tuple sooner "
            "raises tcpphase.time_wait_reuse (Linux: 60 s)",
            10, &pref_time_wait);
    prefs_register_bool_preference(prefs, "info_column", "Show the step in the Info column",
            "Append \"[step]\" (e.g. [fin_active]) to the Info column of each labelled "
            "TCP segment", &pref_info_column);

    tcpphase_tap = register_tap("tcpphase");

    register_init_routine(tcpphase_init);
    register_cleanup_routine(tcpphase_cleanup);
}

void
proto_reg_handoff_tcpphase(void)
{
    static gboolean done;
    dissector_table_t ip_proto;

    if (done)
        return;
    done = TRUE;

    tcpphase_protocol = find_protocol_by_id(proto_tcpphase);

    /* Plugins' handoffs run after the built-in ones: TCP is in place.
     *
     * Replace the entry rather than dissector_change_uint() it: a changed
     * entry is what "Decode As" records, and loading the Decode As settings
     * (epan_load_settings(), after every handoff, and again whenever the
     * user applies Decode As) starts with decode_clear_all(), which resets
     * every changed entry to its initial handle, so the hook would be gone
     * before the first packet.  Re-adding makes the hook the entry's initial
     * handle: Decode As can still point IP protocol 6 elsewhere ("TCP" stays
     * a choice), and its reset comes back to the hook. */
    ip_proto = find_dissector_table("ip.proto");
    tcp_handle = ip_proto ? dissector_get_uint_handle(ip_proto, IP_PROTO_TCP) : NULL;
    if (tcp_handle) {
        tcp_protocol = find_protocol_by_id(dissector_handle_get_protocol_index(tcp_handle));
        hook_handle = create_dissector_handle_with_name_and_description(dissect_tcp_hook, -1,
                "tcpphase_tcp_hook", "TCP (through tcpphase)");
        dissector_delete_uint("ip.proto", IP_PROTO_TCP, tcp_handle);
        dissector_add_uint("ip.proto", IP_PROTO_TCP, hook_handle);
    } else {
        ws_warning("tcpphase: no TCP dissector in \"ip.proto\"; tcpphase will label nothing");
    }

    /* A post-dissector's handle of a protocol costs every frame of the
     * capture, TCP or not, a layer in pinfo->layers (a pool allocation) and
     * an enabled check; about a tenth of tcpphase's whole cost in
     * `tshark -Y tcp`.  So the handle belongs to no protocol, and
     * dissect_tcpphase() does what matters of that itself.  (The one visible
     * difference: frame.protocols does not end in ":tcpphase".) */
    tcpphase_handle = create_dissector_handle_with_name_and_description(dissect_tcpphase, -1,
            "tcpphase", "TCP connection phase");
    register_postdissector(tcpphase_handle);
}
