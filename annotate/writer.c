/* writer.c — see writer.h.
 *
 * Cost matters: a segment's comments depend only on its step and its
 * anomalies, and few of those pairs occur.  So the packet block of each pair
 * is built the first time it is needed and handed to every such segment;
 * wtap_dump() only reads it.  Only input records that already carry options
 * (comments, flags of a pcapng input) get a block of their own.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "writer.h"
#include "wscompat.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct tpa_writer {
    wtap_dumper *dumper;
    wtap_dump_params params;
    /* [step << TP_ANOM_COUNT | anomalies], built on first use */
    wtap_block_t *blocks;
    bool input_options;     /* the input's format can give packets options */
    unsigned long skipped;
};

static bool add_idbs(tpa_writer *w, wtap *wth, int *err, gchar **err_info)
{
    wtap_block_t idb;

    while ((idb = wtap_get_next_interface_description(wth)) != NULL) {
        if (!wtap_dump_add_idb(w->dumper, idb, err, err_info))
            return false;
    }
    return true;
}

tpa_writer *tpa_writer_open(wtap *wth, int fd, int *err, gchar **err_info)
{
    tpa_writer *w = g_new0(tpa_writer, 1);
    guint opt;

    w->blocks = g_new0(wtap_block_t, (size_t)TP_STEP_COUNT << TP_ANOM_COUNT);

    wtap_dump_params_init_no_idbs(&w->params, wth);
    /* pcapng says the encapsulation per interface; a reader that does not
     * know one file-wide encapsulation still works. */
    w->dumper = wtap_dump_fdopen(fd, wtap_pcapng_file_type_subtype(),
                                 WTAP_UNCOMPRESSED, &w->params, err, err_info);
    if (!w->dumper) {
        close(fd);
        wtap_dump_params_cleanup(&w->params);
        g_free(w->blocks);
        g_free(w);
        return NULL;
    }
    if (!add_idbs(w, wth, err, err_info)) {
        tpa_writer_close(w, NULL, NULL);
        return NULL;
    }
    /* Looking for options in every packet block costs more than writing
     * the comment; pcap and most formats cannot have any. */
    for (opt = OPT_COMMENT; opt <= OPT_PKT_VERDICT; opt++) {
        if (wtap_file_type_subtype_supports_option(wtap_file_type_subtype(wth),
                    WTAP_BLOCK_PACKET, opt) != OPTION_NOT_SUPPORTED)
            w->input_options = true;
    }
    return w;
}

static tp_wtap_foreach_ret count_option(wtap_block_t block, guint id, wtap_opttype_e type,
                         wtap_optval_t *value, void *user_data)
{
    *(bool *)user_data = true;
    return FALSE;   /* one is enough */
}

static bool has_options(wtap_block_t block)
{
    bool any = false;

    if (block)
        wtap_block_foreach_option(block, count_option, &any);
    return any;
}

static void add_comments(wtap_block_t block, int step, uint16_t anomalies)
{
    char text[64];
    int a;

    snprintf(text, sizeof text, "tcpphase: %s", tp_step_name((tp_step)step));
    wtap_block_add_string_option(block, OPT_COMMENT, text, strlen(text));
    for (a = 0; anomalies != 0 && a < TP_ANOM_COUNT; a++) {
        if (anomalies & TP_ANOM_BIT(a))
            wtap_block_add_string_option_format(block, OPT_COMMENT, "tcpphase.%s: %s",
                    tp_anomaly_name((tp_anomaly)a), tp_anomaly_text((tp_anomaly)a));
    }
}

bool tpa_writer_write(tpa_writer *w, wtap *wth, wtap_rec *rec, const guint8 *data,
                      int step, uint16_t anomalies, int *err, gchar **err_info)
{
    wtap_block_t own = NULL, saved = rec->block;
    gboolean saved_modified = rec->block_was_modified;
    bool ok;

    if (!add_idbs(w, wth, err, err_info))
        return false;

    anomalies &= (uint16_t)((1u << TP_ANOM_COUNT) - 1);
    if (step >= 0 && step < TP_STEP_COUNT && rec->rec_type == REC_TYPE_PACKET) {
        if (!(w->input_options && has_options(rec->block))) {
            wtap_block_t *b = &w->blocks[(size_t)step << TP_ANOM_COUNT | anomalies];
            if (!*b) {
                *b = wtap_block_create(WTAP_BLOCK_PACKET);
                add_comments(*b, step, anomalies);
            }
            rec->block = *b;
        } else {
            /* Keep what the input said about the packet, add ours. */
            own = wtap_block_make_copy(rec->block);
            add_comments(own, step, anomalies);
            rec->block = own;
        }
        rec->block_was_modified = TRUE;
    }

    ok = tp_wtap_dump(w->dumper, rec, data, err, err_info);
    rec->block = saved;
    rec->block_was_modified = saved_modified;
    if (own)
        wtap_block_unref(own);

    if (!ok && rec->rec_type != REC_TYPE_PACKET
            && (*err == WTAP_ERR_UNWRITABLE_REC_TYPE || *err == WTAP_ERR_UNWRITABLE_REC_DATA)) {
        g_free(*err_info);
        *err_info = NULL;
        w->skipped++;
        return true;
    }
    return ok;
}

unsigned long tpa_writer_skipped(const tpa_writer *w)
{
    return w->skipped;
}

bool tpa_writer_close(tpa_writer *w, int *err, gchar **err_info)
{
    int e = 0;
    gchar *ei = NULL;
    bool ok = wtap_dump_close(w->dumper, NULL, &e, &ei);
    size_t i;

    if (err)
        *err = e;
    if (err_info)
        *err_info = ei;
    else
        g_free(ei);
    for (i = 0; i < (size_t)TP_STEP_COUNT << TP_ANOM_COUNT; i++) {
        if (w->blocks[i])
            wtap_block_unref(w->blocks[i]);
    }
    g_free(w->blocks);
    wtap_dump_params_cleanup(&w->params);
    g_free(w);
    return ok;
}
