/* epan_driver.c — a minimal Wireshark front end over libwireshark (epan),
 * for testing what tshark cannot show: several captures opened one after
 * the other in one process, as the GUI does on File > Open or a reload.
 *
 *   tcpphase-epan-driver CAPTURE...
 *
 * The tcpphase plugin is linked in (plugin.c, packet-tcpphase.c) and
 * registered before epan_init(), exactly as Wireshark registers a loaded
 * plugin; no plugin folder is involved, so it works as root too.  For each
 * capture, like the GUI: epan_new() (Wireshark's init routines run), a
 * first pass over every record, a second pass over the visited frames,
 * epan_free() (the cleanup routines run).  It prints, per TCP frame of the
 * second pass:
 *
 *   CAPTURE-INDEX <tab> FRAME <tab> conn.id <tab> step <tab> phase
 *                 <tab> state.sender <tab> state.receiver
 *
 * Exit status: 0, or 1 with a message if a capture cannot be read.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include <epan/epan.h>
#include <epan/epan_dissect.h>
#include <epan/frame_data.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/tvbuff.h>
#include <wiretap/wtap.h>
#include <wsutil/privileges.h>
#include <wsutil/wslog.h>

#include "wscompat.h"

void plugin_register(void);     /* plugin/plugin.c */

/* The application's side of epan's frame access. */
struct packet_provider_data {
    frame_data *frames;
    guint32 count;
};

static const nstime_t *
get_frame_ts(struct packet_provider_data *prov, guint32 frame_num)
{
    if (frame_num == 0 || frame_num > prov->count)
        return NULL;
    return &prov->frames[frame_num - 1].abs_ts;
}

static const char *label_fields[] = {
    "tcpphase.conn.id", "tcpphase.step", "tcpphase.phase",
    "tcpphase.state.sender", "tcpphase.state.receiver",
};
#define N_FIELDS G_N_ELEMENTS(label_fields)
static int hf[N_FIELDS];

static void
print_labels(unsigned capture, guint32 num, proto_tree *tree)
{
    char cells[N_FIELDS][64];
    gboolean any = FALSE;

    for (unsigned i = 0; i < N_FIELDS; i++) {
        GPtrArray *found = proto_find_first_finfo(tree, hf[i]);
        cells[i][0] = '\0';
        if (found && found->len > 0) {
            field_info *fi = (field_info *)g_ptr_array_index(found, 0);
            if (i == 0)
                g_snprintf(cells[i], sizeof cells[i], "%u", fvalue_get_uinteger(TP_FINFO_VALUE(fi)));
            else
                g_strlcpy(cells[i], fvalue_get_string(TP_FINFO_VALUE(fi)), sizeof cells[i]);
            any = TRUE;
        }
        if (found)
            g_ptr_array_free(found, TRUE);
    }
    if (any)
        printf("%u\t%u\t%s\t%s\t%s\t%s\t%s\n", capture, num,
               cells[0], cells[1], cells[2], cells[3], cells[4]);
}

static int
process_capture(unsigned index, const char *path)
{
    int err = 0;
    gchar *err_info = NULL;
    wtap *wth = wtap_open_offline(path, WTAP_TYPE_AUTO, &err, &err_info, TRUE);
    if (!wth) {
        fprintf(stderr, "tcpphase-epan-driver: cannot open %s: %s\n", path,
                err_info ? err_info : g_strerror(err));
        g_free(err_info);
        return 1;
    }

    struct packet_provider_data prov = { NULL, 0 };
    /* Designated: later versions add members (left NULL here). */
    static const struct packet_provider_funcs funcs = { .get_frame_ts = get_frame_ts };
    gint64 *offsets = NULL;
    guint32 cap = 0, cum_bytes = 0;
    wtap_rec rec;
    Buffer buf;
    gint64 offset;
    const frame_data *ref = NULL;
    frame_data *prev_dis = NULL;
    nstime_t elapsed = NSTIME_INIT_ZERO;
    int file_type = wtap_file_type_subtype(wth);

    epan_t *session = epan_new(&prov, &funcs);      /* init routines */
    tp_wtap_rec_init(&rec);
    ws_buffer_init(&buf, 1514);

    /* First pass: every record, in order, no tree (as the GUI reads a file). */
    while (tp_wtap_read(wth, &rec, &buf, &err, &err_info, &offset)) {
        if (prov.count == cap) {
            cap = cap ? 2 * cap : 1024;
            prov.frames = g_renew(frame_data, prov.frames, cap);
            offsets = g_renew(gint64, offsets, cap);
        }
        frame_data *fd = &prov.frames[prov.count];
        frame_data_init(fd, prov.count + 1, &rec, offset, cum_bytes);
        offsets[prov.count] = offset;
        prov.count++;
        epan_dissect_t *edt = epan_dissect_new(session, FALSE, FALSE);
        frame_data_set_before_dissect(fd, &elapsed, &ref, prev_dis);
        tp_epan_dissect_run(edt, file_type, &rec, TP_REC_DATA(&rec, &buf), fd, NULL);
        frame_data_set_after_dissect(fd, &cum_bytes);
        prev_dis = fd;
        epan_dissect_free(edt);
        wtap_rec_reset(&rec);
    }
    if (err != 0) {
        /* A capture cut short is labelled up to where it ends, like tshark. */
        fprintf(stderr, "tcpphase-epan-driver: %s: %s (labelled up to there)\n", path,
                err_info ? err_info : wtap_strerror(err));
        g_free(err_info);
        err_info = NULL;
    }

    /* Second pass: the visited frames again, with the fields wanted. */
    for (guint32 i = 0; i < prov.count; i++) {
        frame_data *fd = &prov.frames[i];
        if (!tp_wtap_seek_read(wth, offsets[i], &rec, &buf, &err, &err_info)) {
            g_free(err_info);
            err_info = NULL;
            break;
        }
        epan_dissect_t *edt = epan_dissect_new(session, TRUE, FALSE);
        for (unsigned f = 0; f < N_FIELDS; f++)
            epan_dissect_prime_with_hfid(edt, hf[f]);
        tp_epan_dissect_run(edt, file_type, &rec, TP_REC_DATA(&rec, &buf), fd, NULL);
        print_labels(index, fd->num, edt->tree);
        epan_dissect_free(edt);
        wtap_rec_reset(&rec);
    }

    epan_free(session);                             /* cleanup routines */
    for (guint32 i = 0; i < prov.count; i++)
        frame_data_destroy(&prov.frames[i]);
    g_free(prov.frames);
    g_free(offsets);
    ws_buffer_free(&buf);
    wtap_rec_cleanup(&rec);
    wtap_close(wth);
    return 0;
}

int
main(int argc, char **argv)
{
    int status = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: tcpphase-epan-driver CAPTURE...\n");
        return 2;
    }
    tp_ws_log_init("tcpphase-epan-driver", NULL);
    init_process_policies();
    wtap_init(FALSE);
    plugin_register();                              /* as a loaded plugin would */
    if (!epan_init(NULL, NULL, FALSE)) {
        fprintf(stderr, "tcpphase-epan-driver: epan_init failed\n");
        return 1;
    }
    epan_load_settings();
    for (unsigned i = 0; i < N_FIELDS; i++) {
        hf[i] = proto_registrar_get_id_byname(label_fields[i]);
        if (hf[i] < 0) {
            fprintf(stderr, "tcpphase-epan-driver: field %s is not registered\n", label_fields[i]);
            return 1;
        }
    }
    for (int i = 1; i < argc; i++)
        status |= process_capture((unsigned)i, argv[i]);
    epan_cleanup();
    wtap_cleanup();
    return status;
}
