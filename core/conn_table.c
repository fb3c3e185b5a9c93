/* conn_table.c — see conn_table.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_table.h"
#include "conn_codec.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

/* Chunk sizes (with TP_WHERE_CHUNK and TP_FULL_CHUNK in conn_table.h). */
#define WHERE_SHIFT  TP_WHERE_SHIFT
#define WHERE_CHUNK  TP_WHERE_CHUNK
#define FULL_SHIFT   TP_FULL_SHIFT
#define FULL_CHUNK   TP_FULL_CHUNK
#define SEED_SHIFT   10
#define SEED_CHUNK   (1u << SEED_SHIFT)      /* seeds: 64 KiB */
#define PACKED_SHIFT 16
#define PACKED_CHUNK (1u << PACKED_SHIFT)    /* bytes of packed connections */
#define WHERE_FORM_SHIFT TP_WHERE_FORM_SHIFT
#define WHERE_PLACE      TP_WHERE_PLACE
#define NO_FREE          UINT32_MAX

/* Longer probes than this on an insert mean the fast hash is being beaten
 * (at a load under one half, a random hash almost never gets near it). */
#define PROBE_LIMIT 48u

/* ---- SipHash-1-3 over the canonical tuple ------------------------------ */

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                               \
    do {                                                                       \
        v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);              \
        v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                 \
        v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                 \
        v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);              \
    } while (0)

static uint64_t siphash13(const uint64_t key[2], const uint8_t *in, size_t len)
{
    uint64_t v0 = 0x736f6d6570736575ULL ^ key[0], v1 = 0x646f72616e646f6dULL ^ key[1];
    uint64_t v2 = 0x6c7967656e657261ULL ^ key[0], v3 = 0x7465646279746573ULL ^ key[1];
    uint64_t b = (uint64_t)len << 56, m;
    size_t i;
    for (i = 0; i + 8 <= len; i += 8) {
        memcpy(&m, in + i, 8);
        v3 ^= m; SIPROUND; v0 ^= m;
    }
    for (size_t j = 0; i + j < len; j++)
        b |= (uint64_t)in[i + j] << (8 * j);
    v3 ^= b; SIPROUND; v0 ^= b;
    v2 ^= 0xff; SIPROUND; SIPROUND; SIPROUND;
    return v0 ^ v1 ^ v2 ^ v3;
}

/* ---- Tuples ---------------------------------------------------------- */

static size_t addr_len(const tp_addr *a)
{
    return a->family == 6 ? 16 : 4;
}

static int endpoint_cmp(const tp_addr *a, uint16_t ap, const tp_addr *b, uint16_t bp)
{
    int c = memcmp(a->bytes, b->bytes, addr_len(a));
    return c ? c : (int)ap - (int)bp;
}

/* The strong hash: SipHash over the canonical (ordered) tuple. */
static uint64_t tuple_siphash(const tp_conn_table *t, const tp_addr *a, uint16_t ap,
                              const tp_addr *b, uint16_t bp)
{
    /* Order the two endpoints so both directions hash alike. */
    if (endpoint_cmp(a, ap, b, bp) > 0) {
        const tp_addr *ta = a; a = b; b = ta;
        uint16_t tpt = ap; ap = bp; bp = tpt;
    }
    uint8_t buf[1 + 2 * 18];
    size_t n = addr_len(a), off = 0;
    buf[off++] = a->family;
    memcpy(buf + off, a->bytes, n); off += n;
    buf[off++] = (uint8_t)(ap >> 8); buf[off++] = (uint8_t)ap;
    memcpy(buf + off, b->bytes, n); off += n;
    buf[off++] = (uint8_t)(bp >> 8); buf[off++] = (uint8_t)bp;
    return siphash13(t->key, buf, off);
}

/* The fast hash: one keyed multiply-xorshift round per 64-bit word of an
 * endpoint, and the two endpoints' hashes added, so both directions hash
 * alike without ordering them.  The key is random per table, so a capture
 * cannot be crafted in advance to collide; should a table still see a long
 * probe, it switches to SipHash for good (tp_conn_table_create). */
static inline uint64_t mix64(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
}

static inline uint64_t endpoint_hash(uint64_t key, const tp_addr *a, uint16_t port)
{
    uint64_t w;
    if (a->family == 6) {
        uint64_t hi, lo;
        memcpy(&hi, a->bytes, 8);
        memcpy(&lo, a->bytes + 8, 8);
        return mix64(mix64(mix64(key, hi), lo), (uint64_t)port << 8 | 6);
    }
    uint32_t v4;
    memcpy(&v4, a->bytes, 4);
    w = (uint64_t)v4 << 32 | (uint64_t)port << 8 | 4;
    return mix64(key, w);
}

static uint64_t tuple_hash(const tp_conn_table *t, const tp_addr *a, uint16_t ap,
                           const tp_addr *b, uint16_t bp)
{
    if (t->strong)
        return tuple_siphash(t, a, ap, b, bp);
    uint64_t h = endpoint_hash(t->key[0], a, ap) + endpoint_hash(t->key[0], b, bp);
    h *= 0x94d049bb133111ebULL;
    return h ^ (h >> 29);
}

static inline bool endpoint_equal(const tp_addr *a, uint16_t ap, const tp_addr *b, uint16_t bp)
{
    if (ap != bp || a->family != b->family)
        return false;
    /* Fixed-size compares: the compiler inlines them, unlike memcmp(n). */
    if (a->family == 6)
        return memcmp(a->bytes, b->bytes, 16) == 0;
    return memcmp(a->bytes, b->bytes, 4) == 0;
}

bool tp_endpoint_equal(const tp_addr *a, uint16_t ap, const tp_addr *b, uint16_t bp)
{
    return endpoint_equal(a, ap, b, bp);
}

/* ---- Where each connection is ------------------------------------------ */

static inline uint32_t *where_at(const tp_conn_table *t, uint32_t id)
{
    uint32_t i = id - 1;
    return &t->where[i >> WHERE_SHIFT][i & (WHERE_CHUNK - 1)];
}

static inline uint32_t where_make(tp_conn_form form, uint32_t place)
{
    return (uint32_t)form << WHERE_FORM_SHIFT | place;
}

static inline tp_conn_record *full_at(const tp_conn_table *t, uint32_t index)
{
    return &t->full[index >> FULL_SHIFT][index & (FULL_CHUNK - 1)];
}

static inline tp_conn_seed *seed_at(const tp_conn_table *t, uint32_t index)
{
    return &t->seeds[index >> SEED_SHIFT][index & (SEED_CHUNK - 1)];
}

void tp_conn_table_seed(const tp_conn_table *t, uint32_t id, tp_segment *seg, uint8_t *marks)
{
    const tp_conn_seed *s = seed_at(t, *where_at(t, id) & WHERE_PLACE);
    memset(seg, 0, sizeof(*seg));
    seg->frame = s->frame;
    seg->time_ns = s->time_ns;
    seg->src.family = seg->dst.family = s->marks & TP_SEED_FAMILY;
    memcpy(seg->src.bytes, s->src, sizeof s->src);
    memcpy(seg->dst.bytes, s->dst, sizeof s->dst);
    seg->sport = s->sport;
    seg->dport = s->dport;
    seg->seq = s->seq;
    seg->ack = s->ack;
    seg->payload_len = s->payload_len;
    seg->window = s->window;
    seg->flags = s->flags;
    *marks = s->marks & (uint8_t)~TP_SEED_FAMILY;
}

void tp_conn_table_unpack(const tp_conn_table *t, uint32_t id, tp_conn_record *out)
{
    uint32_t pos = *where_at(t, id) & WHERE_PLACE;
    tp_conn_unpack(t->packed[pos >> PACKED_SHIFT] + (pos & (PACKED_CHUNK - 1)), id, out);
}

/* Room for one more pointer in a chunk list of n: the list, grown if
 * needed, or NULL when memory runs out. */
static void *chunk_list_room(void *list, size_t n, size_t *cap)
{
    if (n < *cap)
        return list;
    size_t grown_cap = *cap ? 2 * *cap : 16;
    void *grown = realloc(list, grown_cap * sizeof(void *));
    if (grown)
        *cap = grown_cap;
    return grown;
}
/* ---- The tuples in the slots -------------------------------------------- */

/* The tuple of a seed or full connection. */
typedef struct tuple {
    uint8_t        family;
    const uint8_t *addr[2];
    uint16_t       port[2];
} tuple;

static inline void tuple_of(const tp_conn_table *t, uint32_t id, tuple *tu)
{
    uint32_t w = *where_at(t, id);
    if ((w >> WHERE_FORM_SHIFT) == TP_FORM_FULL) {
        const tp_conn_record *c = full_at(t, w & WHERE_PLACE);
        tu->family = c->conn.addr[0].family;
        tu->addr[0] = c->conn.addr[0].bytes;
        tu->addr[1] = c->conn.addr[1].bytes;
        tu->port[0] = c->conn.port[0];
        tu->port[1] = c->conn.port[1];
    } else {
        const tp_conn_seed *s = seed_at(t, w & WHERE_PLACE);
        tu->family = s->marks & TP_SEED_FAMILY;
        tu->addr[0] = s->src;
        tu->addr[1] = s->dst;
        tu->port[0] = s->sport;
        tu->port[1] = s->dport;
    }
}

static inline bool addr_equal(uint8_t family, const uint8_t *a, const uint8_t *b)
{
    /* Fixed-size compares: the compiler inlines them, unlike memcmp(n). */
    return family == 6 ? memcmp(a, b, 16) == 0 : memcmp(a, b, 4) == 0;
}

/* Which endpoint of the tuple sent seg: 0 or 1; -1 if seg is not its. */
static int tuple_sender(const tuple *tu, const tp_segment *seg)
{
    if (seg->src.family != tu->family)
        return -1;
    if (seg->sport == tu->port[0] && seg->dport == tu->port[1] &&
        addr_equal(tu->family, seg->src.bytes, tu->addr[0]) &&
        addr_equal(tu->family, seg->dst.bytes, tu->addr[1]))
        return 0;
    if (seg->sport == tu->port[1] && seg->dport == tu->port[0] &&
        addr_equal(tu->family, seg->src.bytes, tu->addr[1]) &&
        addr_equal(tu->family, seg->dst.bytes, tu->addr[0]))
        return 1;
    return -1;
}

/* ---- The table ------------------------------------------------------- */

bool tp_conn_table_init(tp_conn_table *t)
{
    memset(t, 0, sizeof(*t));
    if (getrandom(t->key, sizeof(t->key), GRND_NONBLOCK) != (ssize_t)sizeof(t->key)) {
        /* No entropy yet: still better than a fixed key. */
        t->key[0] = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL;
        t->key[1] = (uint64_t)(uintptr_t)t ^ 0xc2b2ae3d27d4eb4fULL;
    }
    t->probe_limit = PROBE_LIMIT;
    t->full_free = t->seed_free = NO_FREE;
    t->nslots = 1024;
    t->slots = calloc(t->nslots, sizeof(uint32_t));
    return t->slots != NULL;
}

static void free_chunks(void **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

void tp_conn_table_destroy(tp_conn_table *t)
{
    free_chunks((void **)t->where, t->nwhere);
    free_chunks((void **)t->full, t->nfull);
    free_chunks((void **)t->seeds, t->nseeds);
    free_chunks((void **)t->packed, t->npacked);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

/* The slot holding the segment's connection, or the empty slot where it
 * goes; *sender, when found, is which endpoint sent it; *steps, how many
 * slots were passed over. */
static size_t probe(const tp_conn_table *t, const tp_segment *seg, int *sender, size_t *steps)
{
    size_t mask = t->nslots - 1;
    size_t i = (size_t)tuple_hash(t, &seg->src, seg->sport, &seg->dst, seg->dport) & mask;
    size_t n = 0;
    *sender = -1;
    while (t->slots[i] != 0) {
        tuple tu;
        tuple_of(t, t->slots[i], &tu);
        if ((*sender = tuple_sender(&tu, seg)) >= 0)
            break;
        i = (i + 1) & mask;
        n++;
    }
    *steps = n;
    return i;
}

uint32_t tp_conn_table_find(const tp_conn_table *t, const tp_segment *seg, unsigned *sender,
                            tp_conn_record **full)
{
    int s;
    size_t steps;
    size_t i = probe(t, seg, &s, &steps);
    uint32_t id = t->slots[i];
    if (!id)
        return 0;
    *sender = (unsigned)s;
    uint32_t w = *where_at(t, id);
    *full = (w >> WHERE_FORM_SHIFT) == TP_FORM_FULL ? full_at(t, w & WHERE_PLACE) : NULL;
    return id;
}

/* Rebuild the slots with n of them (a power of two), with the current hash. */
static bool rehash(tp_conn_table *t, size_t n)
{
    uint32_t *slots = calloc(n, sizeof(uint32_t));
    if (!slots)
        return false;
    for (size_t i = 0; i < t->nslots; i++) {
        uint32_t id = t->slots[i];
        if (!id)
            continue;
        tuple tu;
        tp_addr a0, a1;
        tuple_of(t, id, &tu);
        a0.family = a1.family = tu.family;
        memcpy(a0.bytes, tu.addr[0], sizeof a0.bytes);
        memcpy(a1.bytes, tu.addr[1], sizeof a1.bytes);
        size_t j = (size_t)tuple_hash(t, &a0, tu.port[0], &a1, tu.port[1]) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = id;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return true;
}

/* A place for one more id in where[]. */
static bool where_room(tp_conn_table *t)
{
    if (t->count == UINT32_MAX)
        return false;
    if ((t->count >> WHERE_SHIFT) < t->nwhere)
        return true;
    uint32_t **list = chunk_list_room(t->where, t->nwhere, &t->where_cap);
    if (!list)
        return false;
    t->where = list;
    uint32_t *chunk = malloc(WHERE_CHUNK * sizeof(uint32_t));
    if (!chunk)
        return false;
    t->where[t->nwhere++] = chunk;
    return true;
}

/* A free seed index, or NO_FREE. */
static uint32_t seed_alloc(tp_conn_table *t)
{
    if (t->seed_free != NO_FREE) {
        uint32_t index = t->seed_free;
        t->seed_free = seed_at(t, index)->frame;   /* the free list runs through .frame */
        return index;
    }
    if (t->seed_next > WHERE_PLACE)
        return NO_FREE;
    if ((t->seed_next >> SEED_SHIFT) == t->nseeds) {
        tp_conn_seed **list = chunk_list_room(t->seeds, t->nseeds, &t->seeds_cap);
        if (!list)
            return NO_FREE;
        t->seeds = list;
        tp_conn_seed *chunk = malloc(SEED_CHUNK * sizeof(tp_conn_seed));
        if (!chunk)
            return NO_FREE;
        t->seeds[t->nseeds++] = chunk;
    }
    return t->seed_next++;
}

static void seed_release(tp_conn_table *t, uint32_t index)
{
    seed_at(t, index)->frame = t->seed_free;
    t->seed_free = index;
}

static uint32_t full_alloc(tp_conn_table *t)
{
    if (t->full_free != NO_FREE) {
        uint32_t index = t->full_free;
        t->full_free = full_at(t, index)->conn.id;      /* the free list runs through .id */
        return index;
    }
    if (t->full_next > WHERE_PLACE)
        return NO_FREE;
    if ((t->full_next >> FULL_SHIFT) == t->nfull) {
        tp_conn_record **list = chunk_list_room(t->full, t->nfull, &t->full_cap);
        if (!list)
            return NO_FREE;
        t->full = list;
        tp_conn_record *chunk = malloc(FULL_CHUNK * sizeof(tp_conn_record));
        if (!chunk)
            return NO_FREE;
        t->full[t->nfull++] = chunk;
    }
    return t->full_next++;
}

static void full_release(tp_conn_table *t, uint32_t index)
{
    full_at(t, index)->conn.id = t->full_free;
    t->full_free = index;
}

uint32_t tp_conn_table_create(tp_conn_table *t, const tp_segment *seg, uint8_t marks)
{
    /* Keep the load under one half so probes stay short. */
    if (2 * (t->used + 1) > t->nslots && !rehash(t, t->nslots * 2))
        return 0;
    int sender;
    size_t steps;
    size_t i = probe(t, seg, &sender, &steps);
    if (steps > t->probe_limit && !t->strong) {
        /* Hash flooding, or very bad luck: SipHash from now on. */
        t->strong = true;
        if (!rehash(t, t->nslots))
            return 0;
        i = probe(t, seg, &sender, &steps);
    }
    if (!where_room(t))
        return 0;
    uint32_t index = seed_alloc(t);
    if (index == NO_FREE)
        return 0;

    tp_conn_seed *s = seed_at(t, index);
    s->time_ns = seg->time_ns;
    s->frame = seg->frame;
    s->seq = seg->seq;
    s->ack = seg->ack;
    s->payload_len = seg->payload_len;
    s->sport = seg->sport;
    s->dport = seg->dport;
    s->window = seg->window;
    s->flags = seg->flags;
    s->marks = (uint8_t)((seg->src.family & TP_SEED_FAMILY) | (marks & ~TP_SEED_FAMILY));
    memcpy(s->src, seg->src.bytes, sizeof s->src);
    memcpy(s->dst, seg->dst.bytes, sizeof s->dst);

    uint32_t id = ++t->count;
    *where_at(t, id) = where_make(TP_FORM_SEED, index);
    if (t->slots[i] == 0)
        t->used++;
    t->slots[i] = id;   /* a reused tuple points at its newest incarnation */
    return id;
}

tp_conn_record *tp_conn_table_grow(tp_conn_table *t, uint32_t id)
{
    uint32_t *w = where_at(t, id);
    uint32_t index = full_alloc(t);
    if (index == NO_FREE)
        return NULL;
    seed_release(t, *w & WHERE_PLACE);
    *w = where_make(TP_FORM_FULL, index);
    return full_at(t, index);
}

void tp_conn_table_pack(tp_conn_table *t, uint32_t id)
{
    uint32_t *w = where_at(t, id);
    uint32_t index = *w & WHERE_PLACE;
    uint8_t buf[TP_CONN_PACKED_MAX];
    size_t n = tp_conn_pack(full_at(t, index), buf);

    if (t->npacked == 0 || t->packed_used + n > PACKED_CHUNK) {
        if (t->npacked == (size_t)1 << (WHERE_FORM_SHIFT - PACKED_SHIFT))
            return;     /* the arena is as large as a where[] entry can address */
        uint8_t **list = chunk_list_room(t->packed, t->npacked, &t->packed_cap);
        if (!list)
            return;
        t->packed = list;
        uint8_t *chunk = malloc(PACKED_CHUNK);
        if (!chunk)
            return;
        t->packed[t->npacked++] = chunk;
        t->packed_used = 0;
    }
    uint32_t pos = (uint32_t)((t->npacked - 1) << PACKED_SHIFT | t->packed_used);
    memcpy(t->packed[t->npacked - 1] + t->packed_used, buf, n);
    t->packed_used += n;
    full_release(t, index);
    *w = where_make(TP_FORM_PACKED, pos);
}

size_t tp_conn_table_memory(const tp_conn_table *t)
{
    return t->nslots * sizeof(uint32_t) +
           t->where_cap * sizeof(uint32_t *) + t->nwhere * WHERE_CHUNK * sizeof(uint32_t) +
           t->full_cap * sizeof(tp_conn_record *) + t->nfull * FULL_CHUNK * sizeof(tp_conn_record) +
           t->seeds_cap * sizeof(tp_conn_seed *) + t->nseeds * SEED_CHUNK * sizeof(tp_conn_seed) +
           t->packed_cap * sizeof(uint8_t *) + t->npacked * PACKED_CHUNK;
}
