/* conn_table.h — where the connections are kept, and how a segment finds
 * its own: a hash from the (unordered) address/port pair to the tuple's
 * current incarnation, and every connection by id.
 *
 * A connection is kept in one of three forms, so that the common cheap
 * cases cost little (a SYN flood is a million connections of one segment;
 * a reused tuple, many finished incarnations):
 *   - a seed: the connection has seen one segment, and that segment is all
 *     that is kept (64 bytes); the engine rebuilds the connection from it;
 *   - full: a tp_conn_record, for a connection that has seen more;
 *   - packed: a full connection whose tuple a newer incarnation took over
 *     gets no more segments; it is packed (conn_codec.h) into a byte arena.
 * The slots of the hash hold only seeds and full connections.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONN_TABLE_H
#define TCPPHASE_CONN_TABLE_H

#include "conn.h"

/* A connection's first segment, as kept for a seed. */
typedef struct tp_conn_seed {
    int64_t  time_ns;
    uint32_t frame, seq, ack, payload_len;
    uint16_t sport, dport, window;
    uint8_t  flags;
    uint8_t  marks;          /* address family in TP_SEED_FAMILY, TP_SEED_* */
    uint8_t  src[16], dst[16];
} tp_conn_seed;

enum {
    TP_SEED_FAMILY          = 0x0f,
    TP_SEED_REUSED_TUPLE    = 0x10,  /* it took the tuple over from an earlier incarnation */
    TP_SEED_TIME_WAIT_REUSE = 0x20,  /* ... inside that one's TIME_WAIT */
};

typedef enum tp_conn_form {
    TP_FORM_NONE,
    TP_FORM_SEED,
    TP_FORM_FULL,
    TP_FORM_PACKED,
} tp_conn_form;

typedef struct tp_conn_table {
    uint32_t *slots;          /* conn ids, 0 = empty; open addressing */
    size_t    nslots, used;
    uint32_t **where;         /* by id: form and place (conn_table.c), WHERE_CHUNK per chunk */
    size_t    nwhere, where_cap;
    tp_conn_record  **full;          /* full connections, FULL_CHUNK per chunk */
    size_t    nfull, full_cap;
    uint32_t  full_next, full_free;   /* next never-used index; freed list (UINT32_MAX: none) */
    tp_conn_seed **seeds;     /* seeds, SEED_CHUNK per chunk */
    size_t    nseeds, seeds_cap;
    uint32_t  seed_next, seed_free;
    uint8_t **packed;         /* packed connections, PACKED_CHUNK bytes per chunk */
    size_t    npacked, packed_cap, packed_used;   /* bytes used in the last chunk */
    uint32_t  count;          /* connections created */
    uint64_t  key[2];         /* random per table: hostile captures can't aim collisions */
    bool      strong;         /* SipHash instead of the fast hash (after a long probe) */
    uint32_t  probe_limit;    /* an insert probing further switches to SipHash */
} tp_conn_table;

bool     tp_conn_table_init(tp_conn_table *t);
void     tp_conn_table_destroy(tp_conn_table *t);

/* The id of the tuple's current incarnation, or 0; *sender is set to the
 * index of the endpoint that sent seg (0: the sender of its first segment)
 * and *full to the connection if it is full (NULL if a seed). */
uint32_t tp_conn_table_find(const tp_conn_table *t, const tp_segment *seg, unsigned *sender,
                            tp_conn_record **full);

/* A new connection with the next id, kept as a seed of seg (with `marks`,
 * TP_SEED_*); it becomes the tuple's current incarnation.  0 when memory
 * runs out. */
uint32_t tp_conn_table_create(tp_conn_table *t, const tp_segment *seg, uint8_t marks);

/* Chunk sizes: storage grows a chunk at a time and never moves. */
#define TP_WHERE_SHIFT  14
#define TP_WHERE_CHUNK  (1u << TP_WHERE_SHIFT)    /* ids: 64 KiB */
#define TP_FULL_SHIFT   10
#define TP_FULL_CHUNK   (1u << TP_FULL_SHIFT)     /* full connections */
/* A where[] entry: the form in the top two bits, and below them the index
 * of a seed or a full connection, or the arena position of a packed one. */
#define TP_WHERE_FORM_SHIFT 30
#define TP_WHERE_PLACE      ((1u << TP_WHERE_FORM_SHIFT) - 1)

/* Inline: the engine asks these for every segment. */
static inline uint32_t tp_conn_table_where(const tp_conn_table *t, uint32_t id)
{
    uint32_t i = id - 1;
    return t->where[i >> TP_WHERE_SHIFT][i & (TP_WHERE_CHUNK - 1)];
}

static inline tp_conn_form tp_conn_table_form(const tp_conn_table *t, uint32_t id)
{
    if (id == 0 || id > t->count)
        return TP_FORM_NONE;
    return (tp_conn_form)(tp_conn_table_where(t, id) >> TP_WHERE_FORM_SHIFT);
}

/* A full connection, to read and change. */
static inline tp_conn_record *tp_conn_table_full(const tp_conn_table *t, uint32_t id)
{
    uint32_t index = tp_conn_table_where(t, id) & TP_WHERE_PLACE;
    return &t->full[index >> TP_FULL_SHIFT][index & (TP_FULL_CHUNK - 1)];
}

/* A seed's segment and marks. */
void     tp_conn_table_seed(const tp_conn_table *t, uint32_t id, tp_segment *seg, uint8_t *marks);
/* A packed connection, unpacked into *out. */
void     tp_conn_table_unpack(const tp_conn_table *t, uint32_t id, tp_conn_record *out);

/* Make a seed full: returns its (uninitialised) record, for the caller to
 * fill; NULL when memory runs out (it stays a seed). */
tp_conn_record *tp_conn_table_grow(tp_conn_table *t, uint32_t id);
/* Pack a full connection that no longer is its tuple's current incarnation.
 * Out of memory, it stays full. */
void     tp_conn_table_pack(tp_conn_table *t, uint32_t id);

/* Same address family, address and port. */
bool     tp_endpoint_equal(const tp_addr *a, uint16_t ap, const tp_addr *b, uint16_t bp);
size_t   tp_conn_table_memory(const tp_conn_table *t);

#endif
