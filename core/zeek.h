/* zeek.h — Zeek's conn_state and history for a connection, kept beside the
 * RFC view because Zeek's rules are its own (../shared/peers/zeek/SEMANTICS.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ZEEK_H
#define TCPPHASE_ZEEK_H

#include "tcpphase.h"

/* A new connection's first segment: picks Zeek's originator. */
void tp_zeek_begin(tp_conn *c, const tp_segment *seg);

/* Every segment, sent by endpoint `sender`; `rxmit` when it only repeats data. */
void tp_zeek_segment(tp_conn *c, unsigned sender, const tp_segment *seg, bool rxmit);

#endif
