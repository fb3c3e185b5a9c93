/* annotate.c — see annotate.h.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "annotate.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wiretap/wtap.h>
#include "wscompat.h"

#include "tcpphase.h"
#include "label_store.h"
#include "decode.h"
#include "dissect.h"
#include "summary.h"
#include "report.h"
#include "writer.h"

/* The stdio buffer of each connection-row file. */
#define ROWS_BUFFER (256 * 1024)

/* Frames are added to the shared progress counter in batches. */
#define PROGRESS_BATCH 4096

static tpa_link link_of(int encap)
{
    switch (encap) {
    case WTAP_ENCAP_ETHERNET: return TPA_LINK_ETHERNET;
    case WTAP_ENCAP_SLL:      return TPA_LINK_SLL;
    case WTAP_ENCAP_SLL2:     return TPA_LINK_SLL2;
    case WTAP_ENCAP_RAW_IP:   return TPA_LINK_RAW_IP;
    case WTAP_ENCAP_RAW_IP4:  return TPA_LINK_RAW_IP4;
    case WTAP_ENCAP_RAW_IP6:  return TPA_LINK_RAW_IP6;
    case WTAP_ENCAP_NULL:     return TPA_LINK_NULL;
    case WTAP_ENCAP_LOOP:     return TPA_LINK_LOOP;
    default:                  return TPA_LINK_UNKNOWN;
    }
}

static void say(tpa_result *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void say(tpa_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

/* libwiretap's reason, with its detail when it gives one. */
static void say_wtap(tpa_result *r, const char *what, int err, gchar *err_info)
{
    if (err_info && *err_info)
        say(r, "%s: %s (%s)", what, wtap_strerror(err), err_info);
    else
        say(r, "%s: %s", what, wtap_strerror(err));
    g_free(err_info);
}

static bool stopped(const tpa_progress *p)
{
    return p->stop && *p->stop;
}

/* One more frame read: the shared counter (which the progress bar and the
 * other workers read) is updated once per PROGRESS_BATCH frames, and the
 * caller adds what is left in *batch when its pass ends. */
static void count_frame(tpa_progress *p, uint64_t *batch)
{
    if (++*batch == PROGRESS_BATCH) {
        atomic_fetch_add(&p->frames, *batch);
        *batch = 0;
    }
}

/* ---- Temporary outputs ------------------------------------------------------ */

typedef struct outputs {
    char *tmp[TPA_OUT_COUNT];
    int fd[TPA_OUT_COUNT];
} outputs;

static bool create_parts(const tpa_job *job, const tpa_options *opt, outputs *o,
                         tpa_result *r)
{
    int i;

    for (i = 0; i < TPA_OUT_COUNT; i++) {
        const char *base = strrchr(job->out[i], '/');
        base = base ? base + 1 : job->out[i];
        o->tmp[i] = g_strdup_printf("%s/.%s.part-%ld-XXXXXX", job->out_dir, base,
                                    (long)getpid());
        o->fd[i] = mkstemp(o->tmp[i]);
        if (o->fd[i] < 0) {
            say(r, "cannot write in %s: %s", job->out_dir, g_strerror(errno));
            g_free(o->tmp[i]);
            o->tmp[i] = NULL;
            return false;
        }
        if (fchmod(o->fd[i], opt->file_mode) != 0) {
            say(r, "cannot set the mode of %s: %s", o->tmp[i], g_strerror(errno));
            return false;
        }
    }
    return true;
}

static void remove_parts(outputs *o)
{
    int i;

    for (i = 0; i < TPA_OUT_COUNT; i++) {
        if (o->fd[i] >= 0)
            close(o->fd[i]);
        o->fd[i] = -1;
        if (o->tmp[i])
            unlink(o->tmp[i]);
        g_free(o->tmp[i]);
        o->tmp[i] = NULL;
    }
}

/* Is the process that wrote a temporary file still at work?  A zombie is
 * not (a killed worker stays one until someone reaps it). */
static bool writer_alive(long pid)
{
    char path[64], stat[256];
    FILE *f;
    size_t n;
    const char *paren;

    if (pid == (long)getpid())
        return true;
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return false;
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (!f)
        return true;    /* no /proc: assume the worst, leave the file */
    n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    paren = strrchr(stat, ')');     /* "pid (comm) S ..." */
    return !(paren && paren[1] == ' ' && (paren[2] == 'Z' || paren[2] == 'X'));
}

unsigned tpa_remove_stale_parts(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned removed = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        const char *part;
        long pid;
        char *end;

        if (e->d_name[0] != '.' || !(part = strstr(e->d_name, ".part-")))
            continue;
        pid = strtol(part + 6, &end, 10);
        if (end == part + 6 || *end != '-' || strlen(end + 1) != 6 || pid <= 0)
            continue;
        if (writer_alive(pid))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

/* ---- Pass 1: label every segment ------------------------------------------- */

typedef struct labelling {
    tp_engine *engine;
    tp_label_store *labels;
    tpa_report *report;     /* --report: the ladders, as segments are fed */
    uint64_t frames;        /* records read in pass 1; pass 2 reads as many */
    bool cut_short;
    tpa_dissector *dissector;   /* made for the first frame decode.c leaves */
    bool no_dissector;          /* libwireshark failed to load */
} labelling;

/* Decodes one record's TCP segment: decode.c if it can, else Wireshark's
 * dissectors.  Every record must come, in frame order. */
static tpa_verdict find_segment(labelling *lab, int file_type_subtype, uint32_t frame,
                                wtap_rec *rec, const uint8_t *data, tp_segment *seg,
                                tpa_result *r)
{
    const wtap_packet_header *ph = &rec->rec_header.packet_header;
    tpa_verdict v = tpa_decode(link_of(ph->pkt_encap), data, ph->caplen, ph->len, seg);

    if (v != TPA_UNDECODED)
        return v;
    if (!lab->dissector && !lab->no_dissector) {
        const char *why = NULL;
        lab->dissector = tpa_dissector_new(file_type_subtype, &why);
        if (!lab->dissector) {
            lab->no_dissector = true;
            r->warning = true;
            say(r, "%s: frames it does not decode itself are left unlabelled", why);
        }
    }
    if (!lab->dissector)
        return TPA_UNDECODED;
    r->dissected++;
    memset(seg, 0, sizeof *seg);
    return tpa_dissect(lab->dissector, frame, rec, data, seg);
}

static tpa_status label_capture(const tpa_job *job, const tpa_options *opt,
                                tpa_progress *progress, labelling *lab, tpa_result *r)
{
    int err = 0;
    gchar *err_info = NULL;
    gint64 offset;
    wtap *wth;
    wtap_rec rec;
    Buffer buf;
    tp_config cfg;
    uint64_t batch = 0;
    tpa_status status = TPA_DONE;

    wth = wtap_open_offline(job->input, WTAP_TYPE_AUTO, &err, &err_info, FALSE);
    if (!wth) {
        if (err == WTAP_ERR_FILE_UNKNOWN_FORMAT)
            say(r, "not a capture file libwiretap can read");
        else
            say_wtap(r, "cannot open", err, err_info);
        return TPA_FAILED;
    }

    tp_config_default(&cfg);
    cfg.time_wait_ns = opt->time_wait_ns;
    lab->engine = tp_engine_new(&cfg);
    lab->labels = tp_label_store_new();
    if (opt->report)
        lab->report = tpa_report_new();
    if (!lab->engine || !lab->labels || (opt->report && !lab->report)) {
        wtap_close(wth);
        say(r, "out of memory");
        return TPA_FAILED;
    }

    tp_wtap_rec_init(&rec);
    ws_buffer_init(&buf, 2048);
    while (tp_wtap_read(wth, &rec, &buf, &err, &err_info, &offset)) {
        uint32_t frame;

        if (stopped(progress)) {
            status = TPA_INTERRUPTED;
            break;
        }
        if (lab->frames == UINT32_MAX) {
            say(r, "more than %" PRIu32 " frames: Wireshark's frame numbers end there",
                UINT32_MAX);
            status = TPA_FAILED;
            break;
        }
        frame = (uint32_t)++lab->frames;
        if (rec.rec_type == REC_TYPE_PACKET) {
            tp_segment seg;
            tpa_verdict v;

            memset(&seg, 0, sizeof seg);
            v = find_segment(lab, wtap_file_type_subtype(wth), frame, &rec,
                             TP_REC_DATA(&rec, &buf), &seg, r);
            if (v == TPA_OK) {
                tp_label label;

                seg.frame = frame;
                if (rec.presence_flags & WTAP_HAS_TS)
                    seg.time_ns = (int64_t)rec.ts.secs * 1000000000 + rec.ts.nsecs;
                if (tp_engine_feed(lab->engine, &seg, &label)) {
                    tp_conn_view conn;
                    if (lab->report && tp_engine_conn(lab->engine, label.conn_id, &conn))
                        tpa_report_add(lab->report, &seg, &conn, &label);
                    if (!tp_label_store_put(lab->labels, frame, &label)) {
                        say(r, "out of memory after %" PRIu64 " frames", lab->frames);
                        status = TPA_FAILED;
                        break;
                    }
                } else {
                    r->undecoded++;     /* the engine could not place it */
                }
            } else if (v != TPA_NOT_TCP) {
                r->undecoded++;
            }
        }
        wtap_rec_reset(&rec);
        count_frame(progress, &batch);
    }
    atomic_fetch_add(&progress->frames, batch);
    if (status == TPA_DONE && err != 0) {
        if (err == WTAP_ERR_SHORT_READ) {
            /* The last record is cut in the middle: label what is there. */
            lab->cut_short = true;
            g_free(err_info);
        } else {
            char what[64];
            snprintf(what, sizeof what, "unreadable after frame %" PRIu64, lab->frames);
            say_wtap(r, what, err, err_info);
            status = TPA_FAILED;
        }
    }
    wtap_rec_cleanup(&rec);
    ws_buffer_free(&buf);
    wtap_close(wth);
    /* Wireshark's per-file state is not needed for the second pass. */
    tpa_dissector_free(lab->dissector);
    lab->dissector = NULL;
    r->frames = lab->frames;
    r->segments = tp_label_store_count(lab->labels);
    r->connections = tp_engine_conn_count(lab->engine);
    return status;
}

/* ---- Pass 2: the annotated copy --------------------------------------------- */

static tpa_status write_copy(const tpa_job *job, tpa_progress *progress, labelling *lab,
                             uint16_t *conn_anomalies, int fd, tpa_result *r)
{
    int err = 0;
    gchar *err_info = NULL;
    gint64 offset;
    wtap *wth;
    wtap_rec rec;
    Buffer buf;
    tpa_writer *w;
    tp_label_cursor labels;
    tp_conn_view conn;
    bool conn_found = false;
    uint64_t frame = 0, batch = 0;
    tpa_status status = TPA_DONE;

    wth = wtap_open_offline(job->input, WTAP_TYPE_AUTO, &err, &err_info, FALSE);
    if (!wth) {
        close(fd);
        say_wtap(r, "cannot open it again", err, err_info);
        return TPA_FAILED;
    }
    w = tpa_writer_open(wth, fd, &err, &err_info);
    if (!w) {
        wtap_close(wth);
        say_wtap(r, "cannot write the annotated copy", err, err_info);
        return TPA_FAILED;
    }

    tp_label_cursor_init(&labels, lab->labels);
    tp_wtap_rec_init(&rec);
    ws_buffer_init(&buf, 2048);
    while (frame < lab->frames && tp_wtap_read(wth, &rec, &buf, &err, &err_info, &offset)) {
        const tp_label *label = NULL;
        int step = -1;
        uint16_t anomalies = 0;

        frame++;
        if (stopped(progress)) {
            status = TPA_INTERRUPTED;
            break;
        }
        if (rec.rec_type == REC_TYPE_PACKET)
            label = tp_label_cursor_get(&labels, (uint32_t)frame);
        if (label) {
            /* Segments of a connection often come in a row: its view is
             * copied out once for them. */
            if (!conn_found || conn.id != label->conn_id)
                conn_found = tp_engine_conn(lab->engine, label->conn_id, &conn);
            step = label->step;
            anomalies = tp_label_anomalies(label, conn_found ? &conn : NULL);
            if (conn_found)
                conn_anomalies[label->conn_id] |= anomalies;
        }
        if (!tpa_writer_write(w, wth, &rec, TP_REC_DATA(&rec, &buf), step, anomalies,
                              &err, &err_info)) {
            char what[80];
            snprintf(what, sizeof what, "cannot write frame %" PRIu64 " of the annotated copy",
                     frame);
            say_wtap(r, what, err, err_info);
            err = 0;
            status = TPA_FAILED;
            break;
        }
        wtap_rec_reset(&rec);
        count_frame(progress, &batch);
    }
    atomic_fetch_add(&progress->frames, batch);
    if (status == TPA_DONE && frame < lab->frames) {
        if (err != 0)
            say_wtap(r, "changed while being read", err, err_info);
        else
            say(r, "changed while being read: %" PRIu64 " frames the first time, %" PRIu64
                " now", lab->frames, frame);
        status = TPA_FAILED;
    } else {
        g_free(err_info);
    }
    r->not_copied = tpa_writer_skipped(w);
    err_info = NULL;
    if (!tpa_writer_close(w, &err, &err_info) && status == TPA_DONE) {
        say_wtap(r, "cannot finish the annotated copy", err, err_info);
        status = TPA_FAILED;
    } else {
        g_free(err_info);
    }
    wtap_rec_cleanup(&rec);
    ws_buffer_free(&buf);
    wtap_close(wth);
    return status;
}

/* ---- The connection rows ---------------------------------------------------- */

static bool close_rows(FILE *f, const char *name, bool ok, tpa_result *r)
{
    if (ok && (ferror(f) || fflush(f) != 0)) {
        say(r, "cannot write %s: %s", name, g_strerror(errno));
        ok = false;
    }
    if (fclose(f) != 0 && ok) {
        say(r, "cannot write %s: %s", name, g_strerror(errno));
        ok = false;
    }
    return ok;
}

/* Both row files; closes both descriptors. */
static bool write_rows(const labelling *lab, const uint16_t *conn_anomalies,
                       const tpa_job *job, outputs *o, tpa_result *r)
{
    FILE *csv = fdopen(o->fd[TPA_OUT_CSV], "w");
    FILE *jsonl = csv ? fdopen(o->fd[TPA_OUT_JSONL], "w") : NULL;
    uint32_t id, n = tp_engine_conn_count(lab->engine);
    char *buffers;
    bool ok;

    if (!csv || !jsonl) {
        say(r, "cannot write %s: %s", job->out[csv ? TPA_OUT_JSONL : TPA_OUT_CSV],
            g_strerror(errno));
        if (csv) {
            fclose(csv);
            o->fd[TPA_OUT_CSV] = -1;
        }
        return false;
    }
    o->fd[TPA_OUT_CSV] = o->fd[TPA_OUT_JSONL] = -1;     /* the FILEs own them */
    /* stdio's buffer would be the file system's block size (4 KiB): one
     * write(2) every dozen rows.  A fixed, larger one (memory independent
     * of the capture) makes that one every few hundred.  (glibc ignores
     * setvbuf's size unless it is given the buffer.) */
    buffers = malloc(2 * ROWS_BUFFER);
    if (buffers) {
        setvbuf(csv, buffers, _IOFBF, ROWS_BUFFER);
        setvbuf(jsonl, buffers + ROWS_BUFFER, _IOFBF, ROWS_BUFFER);
    }
    tpa_summary_csv_header(csv);
    for (id = 1; id <= n; id++) {
        tp_conn_view c;
        if (tp_engine_conn(lab->engine, id, &c))
            tpa_summary_rows(csv, jsonl, &c, conn_anomalies[id]);
    }
    ok = close_rows(csv, job->out[TPA_OUT_CSV], true, r);
    ok = close_rows(jsonl, job->out[TPA_OUT_JSONL], ok, r);
    free(buffers);      /* after fclose: stdio used it until then */
    return ok;
}

/* NAME.report.html, written whole under a temporary name and renamed, as
 * the other outputs are (and before them: they are renamed last). */
static bool write_report(const tpa_job *job, const tpa_options *opt, labelling *lab,
                         tpa_result *r)
{
    const char *base = strrchr(job->report, '/');
    const char *input = strrchr(job->input, '/');
    char *tmp = g_strdup_printf("%s/.%s.part-%ld-XXXXXX", job->out_dir,
                                base ? base + 1 : job->report, (long)getpid());
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    bool ok;

    if (!f) {
        say(r, "cannot write %s: %s", job->report, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        g_free(tmp);
        return false;
    }
    fchmod(fd, opt->file_mode);
    ok = tpa_report_write(lab->report, lab->engine, input ? input + 1 : job->input,
                          lab->frames, f);
    ok = close_rows(f, job->report, ok, r);
    if (ok && rename(tmp, job->report) != 0) {
        say(r, "cannot rename %s to %s: %s", tmp, job->report, g_strerror(errno));
        ok = false;
    }
    if (!ok)
        unlink(tmp);
    g_free(tmp);
    return ok;
}

/* ---- One file --------------------------------------------------------------- */

static bool make_dirs(const char *path)
{
    char *p = g_strdup(path);
    char *s;
    bool ok = true;

    for (s = p + 1; ok; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST)
                ok = false;
            *s = c;
            if (c == '\0')
                break;
        }
    }
    g_free(p);
    return ok;
}

tpa_status tpa_annotate(const tpa_job *job, const tpa_options *opt,
                        tpa_progress *progress, tpa_result *r)
{
    labelling lab = { 0 };
    outputs o;
    uint16_t *conn_anomalies = NULL;
    tpa_status status;
    int i;

    memset(r, 0, sizeof *r);
    for (i = 0; i < TPA_OUT_COUNT; i++) {
        o.tmp[i] = NULL;
        o.fd[i] = -1;
    }

    status = label_capture(job, opt, progress, &lab, r);
    if (status != TPA_DONE)
        goto done;

    if (!make_dirs(job->out_dir)) {
        say(r, "cannot create the output folder %s: %s", job->out_dir, g_strerror(errno));
        status = TPA_FAILED;
        goto done;
    }
    if (!create_parts(job, opt, &o, r)) {
        status = TPA_FAILED;
        goto done;
    }

    conn_anomalies = calloc((size_t)r->connections + 1, sizeof *conn_anomalies);
    if (!conn_anomalies) {
        say(r, "out of memory");
        status = TPA_FAILED;
        goto done;
    }
    status = write_copy(job, progress, &lab, conn_anomalies, o.fd[TPA_OUT_PCAPNG], r);
    o.fd[TPA_OUT_PCAPNG] = -1;      /* the writer closed it */
    if (status != TPA_DONE)
        goto done;

    /* The engine's connections are final now; so are the rows. */
    if (!write_rows(&lab, conn_anomalies, job, &o, r)) {
        status = TPA_FAILED;
        goto done;
    }

    if (lab.report && !write_report(job, opt, &lab, r)) {
        status = TPA_FAILED;
        goto done;
    }

    if (stopped(progress)) {
        status = TPA_INTERRUPTED;
        goto done;
    }
    /* The pcapng last: a run killed between two renames leaves an output
     * set that the next run sees as incomplete, and redoes. */
    for (i = TPA_OUT_COUNT - 1; i >= 0; i--) {
        if (rename(o.tmp[i], job->out[i]) != 0) {
            say(r, "cannot rename %s to %s: %s", o.tmp[i], job->out[i], g_strerror(errno));
            status = TPA_FAILED;
            goto done;
        }
        g_free(o.tmp[i]);
        o.tmp[i] = NULL;
    }
    if (lab.cut_short) {
        r->warning = true;
        say(r, "cut short in the middle of a packet after frame %" PRIu64
            "; labelled up to there", lab.frames);
    }

done:
    remove_parts(&o);
    free(conn_anomalies);
    if (lab.engine)
        tp_engine_free(lab.engine);
    if (lab.labels)
        tp_label_store_free(lab.labels);
    tpa_report_free(lab.report);
    return status;
}
