/* epan_module.h — what the tcpphase-annotate-epan module exports: the
 * functions of dissect.h, under their own names, which dissect.c looks up
 * with dlsym().  Only dissect.c and epan_module.c include this.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_EPAN_MODULE_H
#define TCPPHASE_ANNOTATE_EPAN_MODULE_H

#include "dissect.h"

#define TPA_EXPORT __attribute__((visibility("default")))

TPA_EXPORT tpa_dissector *tpa_epan_new(int file_type_subtype, const char **error);
TPA_EXPORT tpa_verdict tpa_epan_dissect(tpa_dissector *d, uint32_t frame, wtap_rec *rec,
                                        const uint8_t *data, tp_segment *seg);
TPA_EXPORT void tpa_epan_free(tpa_dissector *d);

typedef tpa_dissector *(*tpa_epan_new_fn)(int, const char **);
typedef tpa_verdict (*tpa_epan_dissect_fn)(tpa_dissector *, uint32_t, wtap_rec *,
                                           const uint8_t *, tp_segment *);
typedef void (*tpa_epan_free_fn)(tpa_dissector *);

#endif
