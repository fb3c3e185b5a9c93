/* label_store.h — the compact per-frame record: one tp_label per TCP frame.
 *
 * Front ends compute a frame's label once (Wireshark's first pass, the batch
 * tool's reading pass) and only read it afterwards.  Entries are appended in
 * increasing frame order and found by binary search; storage grows in
 * fixed-size chunks, so a capture of N TCP frames costs 16 bytes per frame
 * plus at most one partly filled chunk, and nothing is ever copied to grow.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_LABEL_STORE_H
#define TCPPHASE_LABEL_STORE_H

#include "tcpphase.h"

typedef struct tp_label_store tp_label_store;

tp_label_store *tp_label_store_new(void);
void            tp_label_store_free(tp_label_store *store);

/* Append the label of `frame`.  Frames must increase: a frame at or below
 * the last one stored is refused (false), as is a failed allocation. */
bool tp_label_store_put(tp_label_store *store, uint32_t frame, const tp_label *label);

/* The label stored for `frame`, or NULL. */
const tp_label *tp_label_store_get(const tp_label_store *store, uint32_t frame);

size_t tp_label_store_count(const tp_label_store *store);
size_t tp_label_store_memory(const tp_label_store *store);

#endif
