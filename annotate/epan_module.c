/* epan_module.c — the libwireshark side of dissect.h, built as a module
 * (tcpphase-annotate-epan.so) that dissect.c loads on the first frame that
 * needs it.  Linking libwireshark into the tool itself would cost every run
 * its 1.5 million relocations (about 0.35 s and 70 MiB) even on captures
 * the fast decoder reads whole.  All of the tool's libwireshark calls are
 * in this file.
 *
 * The hook below is the plugin's (plugin/packet-tcpphase.c,
 * record_segment() and dissect_tcp_hook()) with one difference: it does
 * not call TCP afterwards.  Nothing the tool needs lies beyond the TCP
 * header, and skipping TCP and the payload dissectors makes a frame about
 * as cheap to dissect as its link and network layers.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "epan_module.h"
#include "wscompat.h"
#include "tcp-segment.h"


#include <glib.h>

#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/ipproto.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>

/* ---- The hook in front of TCP ------------------------------------------------ */

/* The segment of the frame being dissected (one slot: dissection is
 * single-threaded and a frame is dissected to its end before the next). */
static tp_segment found;
static guint32 found_frame;     /* 0: none */

static int dissect_tcp_hook(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree _U_,
                            void *data _U_)
{
    /* The first TCP header of a frame is its segment; one quoted by an ICMP
     * error is not a segment. */
    if (pinfo->flags.in_error_pkt || found_frame == pinfo->num)
        return 0;
    if (!tp_segment_from_tvb(tvb, pinfo, &found))
        return 0;
    found_frame = pinfo->num;
    return (int)tvb_captured_length(tvb);
}

/* Registered as a plugin's handoff is: after every built-in one, so TCP's
 * entry in "ip.proto" is there to be replaced. */
static dissector_handle_t hook;

static void hook_handoff(void)
{
    hook = create_dissector_handle_with_name_and_description(
            dissect_tcp_hook, -1, "tcpphase_annotate_tcp_hook", "TCP (tcpphase-annotate)");
    dissector_add_uint("ip.proto", IP_PROTO_TCP, hook);
}

static void hook_register(void)
{
}

/* ---- libwireshark, once per process ------------------------------------------ */

static int epan_state;          /* 0 not yet, 1 ready, -1 failed */

static bool load_epan(const char **error)
{
    static const proto_plugin hook_plugin = { hook_register, hook_handoff };

    if (epan_state == 0) {
        proto_register_plugin(&hook_plugin);
        /* Plugins too, as tshark loads them: some dissect link layers. */
        if (epan_init(NULL, NULL, TRUE)) {
            /* An installed tcpphase plugin takes over "ip.proto" 6 too, in
             * its handoff, which runs after ours: take the entry back. */
            dissector_add_uint("ip.proto", IP_PROTO_TCP, hook);
            /* The user's preferences, Decode As and disabled protocols,
             * as tshark reads them. */
            epan_load_settings();
            epan_state = 1;
        } else {
            epan_state = -1;
        }
    }
    if (epan_state < 0)
        *error = "libwireshark could not be initialised";
    return epan_state > 0;
}

/* ---- One capture ------------------------------------------------------------- */

/* The application's side of epan's frame access: the frames before the
 * one being dissected are gone, but for the previous one. */
struct packet_provider_data {
    frame_data previous;
    frame_data reference;       /* the first frame dissected: time reference */
    bool have_previous;
};

static const nstime_t *get_frame_ts(struct packet_provider_data *prov, guint32 frame_num)
{
    if (prov->have_previous && prov->previous.num == frame_num)
        return &prov->previous.abs_ts;
    if (prov->have_previous && prov->reference.num == frame_num)
        return &prov->reference.abs_ts;
    return NULL;
}

struct tpa_dissector {
    struct packet_provider_data prov;
    epan_t *session;
    epan_dissect_t *edt;
    int file_type_subtype;
    guint32 cum_bytes;
    nstime_t elapsed;
};

tpa_dissector *tpa_epan_new(int file_type_subtype, const char **error)
{
    /* Designated: later versions add members (left NULL here). */
    static const struct packet_provider_funcs funcs = { .get_frame_ts = get_frame_ts };
    tpa_dissector *d;

    if (!load_epan(error))
        return NULL;
    d = g_new0(tpa_dissector, 1);
    d->file_type_subtype = file_type_subtype;
    nstime_set_zero(&d->elapsed);
    d->session = epan_new(&d->prov, &funcs);    /* the init routines run */
    d->edt = epan_dissect_new(d->session, FALSE, FALSE);
    found_frame = 0;
    return d;
}

tpa_verdict tpa_epan_dissect(tpa_dissector *d, uint32_t frame, wtap_rec *rec,
                            const uint8_t *data, tp_segment *seg)
{
    frame_data fd;
    const frame_data *ref = d->prov.have_previous ? &d->prov.reference : NULL;
    bool got;

    frame_data_init(&fd, frame, rec, 0, d->cum_bytes);
    frame_data_set_before_dissect(&fd, &d->elapsed, &ref,
                                  d->prov.have_previous ? &d->prov.previous : NULL);
    tp_epan_dissect_run(d->edt, d->file_type_subtype, rec, data, &fd, NULL);
    frame_data_set_after_dissect(&fd, &d->cum_bytes);
    epan_dissect_reset(d->edt);     /* frees the frame's tvb */

    got = found_frame == frame;
    if (got)
        *seg = found;

    /* The frame's per-frame data belongs to the file's scope; its list
     * goes with it. */
    if (!d->prov.have_previous) {
        d->prov.reference = fd;
        d->prov.reference.pfd = NULL;   /* only its time is read */
    } else {
        frame_data_destroy(&d->prov.previous);
    }
    d->prov.previous = fd;
    d->prov.have_previous = true;
    return got ? TPA_OK : TPA_NOT_TCP;
}

void tpa_epan_free(tpa_dissector *d)
{
    if (!d)
        return;
    epan_dissect_free(d->edt);
    if (d->prov.have_previous)
        frame_data_destroy(&d->prov.previous);
    epan_free(d->session);                      /* the cleanup routines run */
    found_frame = 0;
    g_free(d);
}
