/* packet-tcpphase.h — registration entry points of the tcpphase dissector.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PACKET_TCPPHASE_H
#define PACKET_TCPPHASE_H

#include "tcpphase.h"

void proto_register_tcpphase(void);
void proto_reg_handoff_tcpphase(void);

/* What the "tcpphase" tap carries, once per labelled segment.  Queued only
 * when a listener is attached (e.g. the statistics tree). */
typedef struct tcpphase_tap_record {
    tp_label     label;    /* as the engine gave it when the frame was fed */
    tp_conn_view conn;     /* the connection as it stood when the frame was
                              dissected (one pass: so far; later passes:
                              final) */
} tcpphase_tap_record;

#endif /* PACKET_TCPPHASE_H */
