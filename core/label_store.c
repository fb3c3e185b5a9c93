/* label_store.c — see label_store.h.
 *
 * Two parts:
 *   - the labels, in the order they were put, in fixed-size chunks: each
 *     packed into 8 bytes (tp_label is 12);
 *   - a presence index over frame numbers: for every 64 frames, a bitmap of
 *     those that have a label and the number of labels before them.  A
 *     frame's label is then found in constant time: its group's count plus
 *     the bits set below it in the group's bitmap.  The index costs 16 bytes
 *     per 64 frames (0.25 byte per frame of the capture, TCP or not).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "label_store.h"

#include <stdlib.h>
#include <string.h>

#define LABEL_CHUNK_SHIFT 13
#define LABEL_CHUNK       (1u << LABEL_CHUNK_SHIFT)   /* labels per chunk: 64 KiB */
#define GROUP_CHUNK_SHIFT 12
#define GROUP_CHUNK       (1u << GROUP_CHUNK_SHIFT)   /* groups per chunk: 64 KiB */

/* The bit layout of a packed label; the asserts keep it in step with the enums. */
#define STEP_BITS   5
#define PHASE_BITS  3
#define ROLE_BITS   3
#define STATE_BITS  4
#define ANOM_BITS   13
_Static_assert(TP_STEP_COUNT <= (1 << STEP_BITS), "steps fit the packed label");
_Static_assert(TP_PHASE_COUNT <= (1 << PHASE_BITS), "phases fit the packed label");
_Static_assert(TP_ROLE_COUNT <= (1 << ROLE_BITS), "roles fit the packed label");
_Static_assert(TP_STATE_COUNT <= (1 << STATE_BITS), "states fit the packed label");
_Static_assert(TP_ANOM_COUNT <= ANOM_BITS, "anomalies fit the packed label");
_Static_assert(sizeof(tp_label) == 4 + 2 + 6, "a label has no padding (it compares with memcmp)");
_Static_assert(32 + STEP_BITS + PHASE_BITS + ROLE_BITS + 2 * STATE_BITS + ANOM_BITS <= 64,
               "a packed label is 64 bits");

typedef struct label_chunk {
    uint64_t packed[LABEL_CHUNK];
} label_chunk;

typedef struct group {
    uint64_t present;   /* bit i: frame 64 * g + i has a label */
    uint32_t before;    /* labels of frames before this group */
} group;

struct tp_label_store {
    label_chunk **labels;       /* labels, in frame order */
    size_t     nlabel_chunks, label_chunks_cap;
    group    **groups;          /* the presence index, by frame / 64 */
    size_t     ngroup_chunks, group_chunks_cap;
    size_t     ngroups;         /* groups in use */
    size_t     count;
    uint32_t   last_frame;
    tp_label   scratch;         /* what tp_label_store_get() returns */
};

static uint64_t pack(const tp_label *l)
{
    uint64_t v = l->conn_id;
    unsigned shift = 32;
    v |= (uint64_t)(l->step & ((1u << STEP_BITS) - 1)) << shift;      shift += STEP_BITS;
    v |= (uint64_t)(l->phase & ((1u << PHASE_BITS) - 1)) << shift;    shift += PHASE_BITS;
    v |= (uint64_t)(l->role & ((1u << ROLE_BITS) - 1)) << shift;      shift += ROLE_BITS;
    v |= (uint64_t)(l->sender_state & ((1u << STATE_BITS) - 1)) << shift;   shift += STATE_BITS;
    v |= (uint64_t)(l->receiver_state & ((1u << STATE_BITS) - 1)) << shift; shift += STATE_BITS;
    v |= (uint64_t)(l->anomalies & ((1u << ANOM_BITS) - 1)) << shift;
    return v;
}

static void unpack(uint64_t v, tp_label *l)
{
    unsigned shift = 32;
    l->conn_id = (uint32_t)v;
    l->step = (uint8_t)((v >> shift) & ((1u << STEP_BITS) - 1));            shift += STEP_BITS;
    l->phase = (uint8_t)((v >> shift) & ((1u << PHASE_BITS) - 1));          shift += PHASE_BITS;
    l->role = (uint8_t)((v >> shift) & ((1u << ROLE_BITS) - 1));            shift += ROLE_BITS;
    l->sender_state = (uint8_t)((v >> shift) & ((1u << STATE_BITS) - 1));   shift += STATE_BITS;
    l->receiver_state = (uint8_t)((v >> shift) & ((1u << STATE_BITS) - 1)); shift += STATE_BITS;
    l->anomalies = (uint16_t)((v >> shift) & ((1u << ANOM_BITS) - 1));
    l->spare = 0;
}

tp_label_store *tp_label_store_new(void)
{
    return calloc(1, sizeof(tp_label_store));
}

void tp_label_store_free(tp_label_store *store)
{
    if (!store)
        return;
    for (size_t i = 0; i < store->nlabel_chunks; i++)
        free(store->labels[i]);
    free(store->labels);
    for (size_t i = 0; i < store->ngroup_chunks; i++)
        free(store->groups[i]);
    free(store->groups);
    free(store);
}

/* Room for one more chunk pointer in *array (of *cap). */
static bool reserve_chunk(void ***array, size_t n, size_t *cap)
{
    if (n < *cap)
        return true;
    size_t c = *cap ? 2 * *cap : 16;
    void **grown = realloc(*array, c * sizeof(void *));
    if (!grown)
        return false;
    *array = grown;
    *cap = c;
    return true;
}

static group *group_at(const tp_label_store *store, size_t g)
{
    return &store->groups[g >> GROUP_CHUNK_SHIFT][g & (GROUP_CHUNK - 1)];
}

/* Index groups up to frame's, each counting the labels before it. */
static bool extend_groups(tp_label_store *store, size_t g)
{
    while (store->ngroups <= g) {
        if ((store->ngroups >> GROUP_CHUNK_SHIFT) == store->ngroup_chunks) {
            if (!reserve_chunk((void ***)&store->groups, store->ngroup_chunks,
                               &store->group_chunks_cap))
                return false;
            group *chunk = malloc(GROUP_CHUNK * sizeof(group));
            if (!chunk)
                return false;
            store->groups[store->ngroup_chunks++] = chunk;
        }
        group *ng = group_at(store, store->ngroups++);
        ng->present = 0;
        ng->before = (uint32_t)store->count;
    }
    return true;
}

bool tp_label_store_put(tp_label_store *store, uint32_t frame, const tp_label *label)
{
    if ((store->count > 0 && frame <= store->last_frame) || store->count == UINT32_MAX)
        return false;
    size_t g = frame >> 6;
    if (g >= store->ngroups && !extend_groups(store, g))
        return false;
    if ((store->count & (LABEL_CHUNK - 1)) == 0 &&
        (store->count >> LABEL_CHUNK_SHIFT) == store->nlabel_chunks) {
        if (!reserve_chunk((void ***)&store->labels, store->nlabel_chunks,
                           &store->label_chunks_cap))
            return false;
        label_chunk *chunk = malloc(sizeof(label_chunk));
        if (!chunk)
            return false;
        store->labels[store->nlabel_chunks++] = chunk;
    }
    size_t i = store->count++;
    label_chunk *lc = store->labels[i >> LABEL_CHUNK_SHIFT];
    lc->packed[i & (LABEL_CHUNK - 1)] = pack(label);
    group_at(store, g)->present |= (uint64_t)1 << (frame & 63);
    store->last_frame = frame;
    return true;
}

bool tp_label_store_lookup(const tp_label_store *store, uint32_t frame, tp_label *out)
{
    size_t g = frame >> 6;
    if (g >= store->ngroups)
        return false;
    const group *gr = group_at(store, g);
    uint64_t bit = (uint64_t)1 << (frame & 63);
    if (!(gr->present & bit))
        return false;
    size_t i = gr->before + (size_t)__builtin_popcountll(gr->present & (bit - 1));
    const label_chunk *lc = store->labels[i >> LABEL_CHUNK_SHIFT];
    unpack(lc->packed[i & (LABEL_CHUNK - 1)], out);
    return true;
}

const tp_label *tp_label_store_get(tp_label_store *store, uint32_t frame)
{
    return tp_label_store_lookup(store, frame, &store->scratch) ? &store->scratch : NULL;
}

void tp_label_cursor_init(tp_label_cursor *cursor, const tp_label_store *store)
{
    memset(cursor, 0, sizeof *cursor);
    cursor->store = store;
    cursor->group = SIZE_MAX;
}

const tp_label *tp_label_cursor_get(tp_label_cursor *c, uint32_t frame)
{
    const tp_label_store *store = c->store;
    size_t g = frame >> 6;

    if (frame <= c->last && c->last != 0) {
        /* Backwards: search, and start over from there next time. */
        c->group = SIZE_MAX;
        c->last = 0;
        return tp_label_store_lookup(store, frame, &c->label) ? &c->label : NULL;
    }
    c->last = frame;
    if (g != c->group) {
        if (g >= store->ngroups)
            return NULL;
        const group *gr = group_at(store, g);
        c->group = g;
        c->ahead = gr->present;
        c->index = gr->before;
    }
    uint64_t bit = (uint64_t)1 << (frame & 63);
    uint64_t skipped = c->ahead & (bit - 1);
    if (skipped) {      /* frames with labels were not asked for */
        c->index += (size_t)__builtin_popcountll(skipped);
        c->ahead &= ~skipped;
    }
    if (!(c->ahead & bit))
        return NULL;
    c->ahead &= ~bit;
    size_t i = c->index++;
    const label_chunk *lc = store->labels[i >> LABEL_CHUNK_SHIFT];
    unpack(lc->packed[i & (LABEL_CHUNK - 1)], &c->label);
    return &c->label;
}

size_t tp_label_store_count(const tp_label_store *store)
{
    return store->count;
}

size_t tp_label_store_memory(const tp_label_store *store)
{
    return sizeof(*store) +
           store->label_chunks_cap * sizeof(label_chunk *) +
           store->nlabel_chunks * sizeof(label_chunk) +
           store->group_chunks_cap * sizeof(group *) +
           store->ngroup_chunks * GROUP_CHUNK * sizeof(group);
}
