/* label_store.h — the compact per-frame record: one tp_label per TCP frame.
 *
 * Front ends compute a frame's label once (Wireshark's first pass, the batch
 * tool's reading pass) and only read it afterwards.  Labels are appended in
 * increasing frame order, packed into 8 bytes, and found in constant time
 * through a presence bitmap over frame numbers; storage grows in fixed-size
 * chunks, so a capture costs 8 bytes per labelled frame plus a quarter of a
 * byte per frame of any kind, plus at most one partly filled chunk of each,
 * and nothing is ever copied to grow.
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

/* Copy the label stored for `frame` into *out; false if there is none. */
bool tp_label_store_lookup(const tp_label_store *store, uint32_t frame, tp_label *out);

/* The label stored for `frame`, or NULL.  Labels are stored packed: this
 * unpacks into a slot of the store, valid until the next call of
 * tp_label_store_get() on it (tp_label_store_lookup() has no such limit). */
const tp_label *tp_label_store_get(tp_label_store *store, uint32_t frame);

/* Reading the labels back in frame order (a batch tool's writing pass):
 * a cursor follows the store instead of searching it, so that a frame
 * costs a bit test and an unpack.  Frames must be asked in increasing
 * order for that; any other order still gets the right answers (through
 * tp_label_store_lookup()).  The store must not change meanwhile. */
typedef struct tp_label_cursor {
    const tp_label_store *store;
    size_t   group;     /* presence group of the last frame asked; SIZE_MAX: none */
    uint64_t ahead;     /* its labelled frames above the last frame asked */
    size_t   index;     /* the label of the lowest frame in `ahead` */
    uint32_t last;      /* the last frame asked; 0: none */
    tp_label label;     /* what tp_label_cursor_get() returns */
} tp_label_cursor;

void tp_label_cursor_init(tp_label_cursor *cursor, const tp_label_store *store);

/* The label stored for `frame`, or NULL; valid until the next call. */
const tp_label *tp_label_cursor_get(tp_label_cursor *cursor, uint32_t frame);

size_t tp_label_store_count(const tp_label_store *store);
size_t tp_label_store_memory(const tp_label_store *store);

#endif
