/* annotate.h — label one capture: read it twice, write three files.
 *
 * The first read feeds every TCP segment to the core and keeps each label
 * (at most 16 bytes per segment, the core's label store); the second read copies
 * every record into the annotated pcapng, with the label each segment got
 * and the facts known only once the whole capture was read (a SYN never
 * answered, a simultaneous open's first SYN, a FIN whose peer never
 * closed), exactly as the plugin shows them on Wireshark's later passes.
 * Then the connection rows.  Everything is written under temporary names in
 * the output folder and renamed at the end, so an output either is
 * complete or does not exist.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_ANNOTATE_H
#define TCPPHASE_ANNOTATE_ANNOTATE_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* The three outputs of one input. */
enum { TPA_OUT_PCAPNG, TPA_OUT_CSV, TPA_OUT_JSONL, TPA_OUT_COUNT };

typedef struct tpa_job {
    char *input;
    char *out_dir;
    char *out[TPA_OUT_COUNT];   /* final paths, in out_dir */
    char *report;               /* NAME.report.html with --report, else NULL */
} tpa_job;

typedef struct tpa_options {
    int64_t time_wait_ns;       /* the plugin's tcpphase.time_wait preference */
    mode_t file_mode;           /* for the outputs: 0666 less the umask */
    bool report;                /* --report: also write job->report (report.h) */
} tpa_options;

typedef enum tpa_status {
    TPA_DONE,          /* outputs written (possibly with a warning) */
    TPA_FAILED,        /* no outputs; message says why */
    TPA_INTERRUPTED,   /* stopped by a signal; no outputs */
} tpa_status;

typedef struct tpa_result {
    uint64_t frames;        /* records read */
    uint64_t segments;      /* TCP segments labelled */
    uint64_t undecoded;     /* frames that could hold TCP but were not followed */
    uint64_t dissected;     /* frames handed to Wireshark's dissectors */
    uint32_t connections;
    unsigned long not_copied;   /* records pcapng cannot hold */
    bool warning;           /* message is a warning (e.g. cut short) */
    char message[600];
} tpa_result;

/* Shared with the front end while files are being done. */
typedef struct tpa_progress {
    atomic_uint_fast64_t frames;    /* frames read so far, all files, both passes */
    volatile sig_atomic_t *stop;    /* set by a signal handler: give up now */
} tpa_progress;

tpa_status tpa_annotate(const tpa_job *job, const tpa_options *opt,
                        tpa_progress *progress, tpa_result *result);

/* The temporary names are "." + the output's name + ".part-PID-XXXXXX"; a
 * run killed outright (SIGKILL) leaves them behind.  Removes those in dir
 * whose process is gone; returns how many. */
unsigned tpa_remove_stale_parts(const char *dir);

#endif
