/* writer.h — the annotated copy of a capture: pcapng with packet comments.
 *
 * Every record read is written back unchanged; a labelled TCP segment gets
 * one comment "tcpphase: <step>" and one more per anomaly
 * ("tcpphase.<name>: <what it means>").  The sequence is editcap's:
 * wtap_dump_params from the reader, the reader's interface descriptions
 * added as they appear, a packet block carrying the comments.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_WRITER_H
#define TCPPHASE_ANNOTATE_WRITER_H

#include <stdbool.h>

#include <wiretap/wtap.h>

#include "tcpphase.h"

typedef struct tpa_writer tpa_writer;

/* A writer of pcapng to fd (which it owns from now on, also on failure),
 * taking its section, interfaces and name resolution from wth. */
tpa_writer *tpa_writer_open(wtap *wth, int fd, int *err, gchar **err_info);

/* Write one record read from wth.  step < 0: no label (the record is copied
 * as it is).  Records pcapng cannot hold are skipped and counted. */
bool tpa_writer_write(tpa_writer *w, wtap *wth, wtap_rec *rec, const guint8 *data,
                      int step, uint16_t anomalies, int *err, gchar **err_info);

/* Records that were skipped because pcapng cannot hold them. */
unsigned long tpa_writer_skipped(const tpa_writer *w);

/* Flush and close; frees w.  False (with err) if the file is incomplete. */
bool tpa_writer_close(tpa_writer *w, int *err, gchar **err_info);

#endif
