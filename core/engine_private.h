/* engine_private.h — the engine's own records, for white-box tests and the
 * fuzzer's invariants: front ends use tp_engine_conn() (tcpphase.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ENGINE_PRIVATE_H
#define TCPPHASE_ENGINE_PRIVATE_H

#include "conn.h"

/* Connection id's record as it stands: the engine's own (valid until its
 * next tp_engine_feed()), or rebuilt into *scratch.  NULL if there is none. */
const tp_conn_record *tp_engine_record(const tp_engine *eng, uint32_t id,
                                       tp_conn_record *scratch);

#endif
