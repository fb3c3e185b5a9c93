/* label_store.c — see label_store.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "label_store.h"

#include <stdlib.h>

#define CHUNK_SHIFT 12
#define CHUNK_SIZE  (1u << CHUNK_SHIFT)   /* entries per chunk: 64 KiB */

typedef struct entry {
    uint32_t frame;
    tp_label label;
} entry;

struct tp_label_store {
    entry  **chunks;
    size_t   nchunks, chunks_cap;
    size_t   count;
};

tp_label_store *tp_label_store_new(void)
{
    return calloc(1, sizeof(tp_label_store));
}

void tp_label_store_free(tp_label_store *store)
{
    if (!store)
        return;
    for (size_t i = 0; i < store->nchunks; i++)
        free(store->chunks[i]);
    free(store->chunks);
    free(store);
}

static entry *at(const tp_label_store *store, size_t i)
{
    return &store->chunks[i >> CHUNK_SHIFT][i & (CHUNK_SIZE - 1)];
}

bool tp_label_store_put(tp_label_store *store, uint32_t frame, const tp_label *label)
{
    if (store->count > 0 && frame <= at(store, store->count - 1)->frame)
        return false;
    if ((store->count >> CHUNK_SHIFT) == store->nchunks) {
        if (store->nchunks == store->chunks_cap) {
            size_t cap = store->chunks_cap ? 2 * store->chunks_cap : 16;
            entry **grown = realloc(store->chunks, cap * sizeof(*grown));
            if (!grown)
                return false;
            store->chunks = grown;
            store->chunks_cap = cap;
        }
        entry *chunk = malloc(CHUNK_SIZE * sizeof(entry));
        if (!chunk)
            return false;
        store->chunks[store->nchunks++] = chunk;
    }
    entry *e = at(store, store->count++);
    e->frame = frame;
    e->label = *label;
    return true;
}

const tp_label *tp_label_store_get(const tp_label_store *store, uint32_t frame)
{
    size_t lo = 0, hi = store->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t f = at(store, mid)->frame;
        if (f == frame)
            return &at(store, mid)->label;
        if (f < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t tp_label_store_count(const tp_label_store *store)
{
    return store->count;
}

size_t tp_label_store_memory(const tp_label_store *store)
{
    return sizeof(*store) + store->chunks_cap * sizeof(entry *) +
           store->nchunks * CHUNK_SIZE * sizeof(entry);
}
