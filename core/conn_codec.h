/* conn_codec.h — a finished connection packed into a few bytes.
 *
 * A connection whose tuple has been taken over by a newer incarnation gets
 * no more segments: only front ends read it from then on.  The connection
 * table keeps it packed (a tuple reused 100,000 times would otherwise hold
 * 100,000 full records) and unpacks it when asked.  The packing is
 * lossless for any tp_conn_record: unpacking gives back every member as it was.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONN_CODEC_H
#define TCPPHASE_CONN_CODEC_H

#include "conn.h"

/* No packed connection is longer than this. */
#define TP_CONN_PACKED_MAX 400u

/* Pack c (all but its id) into out, which has room for TP_CONN_PACKED_MAX
 * bytes; returns the length used. */
size_t tp_conn_pack(const tp_conn_record *c, uint8_t *out);

/* Unpack what tp_conn_pack() wrote into *c, giving it the id `id`. */
void tp_conn_unpack(const uint8_t *in, uint32_t id, tp_conn_record *c);

#endif
