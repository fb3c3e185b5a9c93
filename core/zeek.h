/* zeek.h — Zeek's conn_state and history for a connection, kept beside the
 * RFC view because Zeek's rules are its own (../shared/peers/zeek/SEMANTICS.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ZEEK_H
#define TCPPHASE_ZEEK_H

#include "tcpphase.h"

/* The verdicts of Zeek connections that ended (on Zeek's timers) while
 * tcpphase's connection went on; owned by the engine, NULL until needed. */
typedef struct tp_zeek_parts tp_zeek_parts;

void   tp_zeek_parts_free(tp_zeek_parts *parts);
size_t tp_zeek_parts_memory(const tp_zeek_parts *parts);

/* A new connection's first segment: picks Zeek's originator. */
void tp_zeek_begin(tp_conn *c, const tp_segment *seg);

/* Every segment, sent by tp endpoint `sender`, after the engine has placed
 * it.  May end the current Zeek part (recorded in *parts) and begin the
 * next one with this segment. */
void tp_zeek_segment(tp_zeek_parts **parts, tp_conn *c, unsigned sender, const tp_segment *seg);

/* conn_state and history of part `part` of connection c. */
void tp_zeek_part_verdict(const tp_zeek_parts *parts, const tp_conn *c, unsigned part,
                          const char **state, const char **history);

#endif
