/* conn_table.h — finds a segment's connection: a hash from the (unordered)
 * address/port pair to the tuple's current incarnation, and the list of all
 * connections by id.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONN_TABLE_H
#define TCPPHASE_CONN_TABLE_H

#include "tcpphase.h"

typedef struct tp_conn_table {
    uint32_t *slots;          /* conn ids, 0 = empty; open addressing */
    size_t    nslots, used;
    tp_conn **chunks;         /* connections by id, CONN_CHUNK per chunk */
    size_t    nchunks, chunks_cap;
    uint32_t  count;          /* connections created */
    uint64_t  key[2];         /* random per table: hostile captures can't aim collisions */
    bool      strong;         /* SipHash instead of the fast hash (after a long probe) */
} tp_conn_table;

bool     tp_conn_table_init(tp_conn_table *t);
void     tp_conn_table_destroy(tp_conn_table *t);

/* The tuple's current incarnation, or NULL; *sender is set to the index of
 * the endpoint that sent seg (0: addr[0]/port[0]). */
tp_conn *tp_conn_table_find(const tp_conn_table *t, const tp_segment *seg, unsigned *sender);

/* A new connection for the segment's tuple, with the next id, zeroed but for
 * its id and addresses (addr[0] = the segment's source); it becomes the
 * tuple's current incarnation.  NULL when memory runs out. */
tp_conn *tp_conn_table_create(tp_conn_table *t, const tp_segment *seg);

tp_conn *tp_conn_table_get(const tp_conn_table *t, uint32_t id);

/* Same address family, address and port. */
bool     tp_endpoint_equal(const tp_addr *a, uint16_t ap, const tp_addr *b, uint16_t bp);
size_t   tp_conn_table_memory(const tp_conn_table *t);

#endif
