/* conn_table.c — see conn_table.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "conn_table.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>

#define CONN_CHUNK_SHIFT 10
#define CONN_CHUNK       (1u << CONN_CHUNK_SHIFT)

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
static uint64_t mix64(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 31);
}

static uint64_t endpoint_hash(uint64_t key, const tp_addr *a, uint16_t port)
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

bool tp_endpoint_equal(const tp_addr *a, uint16_t ap, const tp_addr *b, uint16_t bp)
{
    if (ap != bp || a->family != b->family)
        return false;
    /* Fixed-size compares: the compiler inlines them, unlike memcmp(n). */
    if (a->family == 6)
        return memcmp(a->bytes, b->bytes, 16) == 0;
    return memcmp(a->bytes, b->bytes, 4) == 0;
}

/* Which endpoint of c sent seg: 0 or 1; -1 if seg is not c's. */
static int conn_sender(const tp_conn *c, const tp_segment *seg)
{
    if (tp_endpoint_equal(&c->addr[0], c->port[0], &seg->src, seg->sport) &&
        tp_endpoint_equal(&c->addr[1], c->port[1], &seg->dst, seg->dport))
        return 0;
    if (tp_endpoint_equal(&c->addr[1], c->port[1], &seg->src, seg->sport) &&
        tp_endpoint_equal(&c->addr[0], c->port[0], &seg->dst, seg->dport))
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
    t->nslots = 1024;
    t->slots = calloc(t->nslots, sizeof(uint32_t));
    return t->slots != NULL;
}

void tp_conn_table_destroy(tp_conn_table *t)
{
    for (size_t i = 0; i < t->nchunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->slots);
    memset(t, 0, sizeof(*t));
}

tp_conn *tp_conn_table_get(const tp_conn_table *t, uint32_t id)
{
    if (id == 0 || id > t->count)
        return NULL;
    uint32_t i = id - 1;
    return &t->chunks[i >> CONN_CHUNK_SHIFT][i & (CONN_CHUNK - 1)];
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
    while (t->slots[i] != 0 &&
           (*sender = conn_sender(tp_conn_table_get(t, t->slots[i]), seg)) < 0) {
        i = (i + 1) & mask;
        n++;
    }
    *steps = n;
    return i;
}

tp_conn *tp_conn_table_find(const tp_conn_table *t, const tp_segment *seg, unsigned *sender)
{
    int s;
    size_t steps;
    size_t i = probe(t, seg, &s, &steps);
    if (!t->slots[i])
        return NULL;
    *sender = (unsigned)s;
    return tp_conn_table_get(t, t->slots[i]);
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
        const tp_conn *c = tp_conn_table_get(t, id);
        size_t j = (size_t)tuple_hash(t, &c->addr[0], c->port[0], &c->addr[1], c->port[1]) & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = id;
    }
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    return true;
}

/* Longer probes than this on an insert mean the fast hash is being beaten
 * (at a load under one half, a random hash almost never gets near it). */
#define PROBE_LIMIT 48

static tp_conn *new_conn_slot(tp_conn_table *t)
{
    if (t->count == UINT32_MAX)
        return NULL;
    if ((t->count >> CONN_CHUNK_SHIFT) == t->nchunks) {
        if (t->nchunks == t->chunks_cap) {
            size_t cap = t->chunks_cap ? 2 * t->chunks_cap : 16;
            tp_conn **grown = realloc(t->chunks, cap * sizeof(*grown));
            if (!grown)
                return NULL;
            t->chunks = grown;
            t->chunks_cap = cap;
        }
        tp_conn *chunk = malloc(CONN_CHUNK * sizeof(tp_conn));
        if (!chunk)
            return NULL;
        t->chunks[t->nchunks++] = chunk;
    }
    t->count++;
    tp_conn *c = tp_conn_table_get(t, t->count);
    memset(c, 0, sizeof(*c));
    c->id = t->count;
    return c;
}

tp_conn *tp_conn_table_create(tp_conn_table *t, const tp_segment *seg)
{
    /* Keep the load under one half so probes stay short. */
    if (2 * (t->used + 1) > t->nslots && !rehash(t, t->nslots * 2))
        return NULL;
    int sender;
    size_t steps;
    size_t i = probe(t, seg, &sender, &steps);
    if (steps > PROBE_LIMIT && !t->strong) {
        /* Hash flooding, or very bad luck: SipHash from now on. */
        t->strong = true;
        if (!rehash(t, t->nslots))
            return NULL;
        i = probe(t, seg, &sender, &steps);
    }
    tp_conn *c = new_conn_slot(t);
    if (!c)
        return NULL;
    c->addr[0] = seg->src;
    c->port[0] = seg->sport;
    c->addr[1] = seg->dst;
    c->port[1] = seg->dport;
    if (t->slots[i] == 0)
        t->used++;
    t->slots[i] = c->id;   /* a reused tuple points at its newest incarnation */
    return c;
}

size_t tp_conn_table_memory(const tp_conn_table *t)
{
    return t->nslots * sizeof(uint32_t) + t->chunks_cap * sizeof(tp_conn *) +
           t->nchunks * CONN_CHUNK * sizeof(tp_conn);
}
