/* zeek.c — Zeek's conn_state and history, by Zeek's own rules.
 *
 * Zeek tracks each endpoint through its own small set of states (not
 * RFC 9293's) and writes a history letter for the first packet of each kind
 * in each direction.  The rules followed here are Zeek's TCP analyzer's
 * (TCPSessionAdapter: UpdateStateMachine and its Update*State helpers,
 * update_history, update_last_seq, ConnectionClosed, the timers, IsReuse),
 * checked against Zeek's own conn.log baselines (tests/zeek_conformance.py).
 * Index 0 of the per-side arrays is Zeek's originator, 1 its responder.
 *
 * Where Zeek ends a connection and tcpphase does not, the Zeek view starts
 * a new "part": Zeek drops a connection 5 s after it closed or was reset,
 * and an attempt nobody answered for 5 s; a later segment on the tuple
 * opens a new Zeek connection.  tcpphase's connection (and its RFC labels)
 * go on; the verdicts of the parts that ended are kept in a small table
 * (tp_zeek_parts) with the frame that began the next part, so that each
 * frame's Zeek verdict can be found again.
 *
 * Not modelled: checksum validation (Zeek drops a segment with a bad
 * checksum and writes C; Wireshark does not validate by default), content
 * gaps (G, from Zeek's reassembler), analyzer limits (X), the 5-minute
 * inactivity timeout, and window scaling (only zero windows matter here).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "zeek.h"

#include <stdlib.h>
#include <string.h>

enum zeek_state {
    Z_INACTIVE, Z_SYN_SENT, Z_SYN_ACK_SENT, Z_PARTIAL, Z_ESTABLISHED, Z_CLOSED, Z_RESET
};

/* Once-per-direction history bits (the responder's are shifted by 8).
 * S and H share one bit, as in Zeek (HIST_SYN_PKT). */
enum { H_SYN = 1u << 0, H_FIN = 1u << 1, H_RST = 1u << 2, H_ACK = 1u << 3,
       H_DATA = 1u << 4, H_INCONSISTENT = 1u << 5, H_MULTI = 1u << 6 };

/* tp_zeek.flags: per-side bits come in pairs (originator's, responder's). */
enum {
    Z_FIN_THEN_RST = 1u << 0,   /* (<< side) reset after its own FIN: prev_state CLOSED */
    Z_DID_CLOSE    = 1u << 2,   /* (<< side) Zeek's did_close */
    Z_SENT_DATA    = 1u << 4,   /* (<< side) payload outside an RST: Size() > 0 */
    Z_FLIPPED      = 1u << 6,
    Z_TIMER_ATTEMPT= 1u << 7,   /* timer_ms is the attempt timer (drops only an unanswered SYN) */
};
#define SIDE_BIT(bit, side) ((uint8_t)((bit) << (side)))

/* Zeek's defaults: tcp_attempt_delay, tcp_close_delay, tcp_reset_delay. */
#define ATTEMPT_DELAY_MS 5000u
#define CLOSE_DELAY_MS   5000u
#define RESET_DELAY_MS   5000u
/* TOO_LARGE_SEQ_DELTA in Zeek's TCP analyzer. */
#define TOO_LARGE_SEQ_DELTA 1048576
/* A connection that Zeek splits more often than this stays in its last part. */
#define MAX_PART 255u

/* Ports Zeek's default analyzers register as likely servers
 * (likely_server_ports, filled by the scripts loaded without -b). */
static bool likely_server_port(uint16_t port)
{
    static const uint16_t ports[] = {
        21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 137, 139, 143, 389, 443, 445,
        465, 502, 563, 585, 587, 614, 631, 636, 989, 990, 992, 993, 994, 995, 1080,
        1194, 1433, 1434, 1812, 1813, 2049, 3128, 3268, 3306, 3389, 5060, 5223, 5432,
        6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888,
    };
    for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++)
        if (ports[i] == port)
            return true;
    return false;
}

static bool inactive(uint8_t s)
{
    return s == Z_INACTIVE || s == Z_PARTIAL;
}

/* ---- History letters -------------------------------------------------------- */

static void add_letter(tp_zeek *z, char letter)
{
    size_t n = strlen(z->history);
    if (n + 1 < sizeof(z->history)) {
        z->history[n] = letter;
        z->history[n + 1] = '\0';
    }
}

static char side_letter(char upper, unsigned side)
{
    return side == 0 ? upper : (char)(upper - 'A' + 'a');
}

/* A letter recorded once per direction (CheckHistory). */
static bool once(tp_zeek *z, unsigned side, unsigned bit, char upper)
{
    uint16_t mask = (uint16_t)(bit << (side * 8));
    if (z->seen & mask)
        return false;
    z->seen |= mask;
    add_letter(z, side_letter(upper, side));
    return true;
}

/* F and R: once, and again whenever the sequence number moved. */
static void repeated(tp_zeek *z, unsigned side, unsigned bit, char upper, uint32_t *last, uint32_t seq)
{
    if (!once(z, side, bit, upper) && *last != seq)
        add_letter(z, side_letter(upper, side));
    *last = seq;
}

/* Logarithmic letters (ScaledHistoryEntry): at the 1st, 10th, 100th... */
static void scaled(tp_zeek *z, unsigned side, uint32_t n, char upper)
{
    uint32_t threshold = 1;
    while (threshold < n && threshold <= UINT32_MAX / 10)
        threshold *= 10;
    if (n == threshold)
        add_letter(z, side_letter(upper, side));
}

static void update_history(tp_zeek *z, unsigned side, const tp_segment *seg)
{
    bool syn = seg->flags & TP_SYN, fin = seg->flags & TP_FIN, rst = seg->flags & TP_RST;
    unsigned nflags = (unsigned)syn + (unsigned)fin + (unsigned)rst;

    if (nflags > 1) {
        if (fin && rst)
            once(z, side, H_INCONSISTENT, 'I');
        else
            once(z, side, H_MULTI, 'Q');
    } else if (syn) {
        /* Zeek repeats S and H when the SYN's sequence number relative to
         * the endpoint's start differs from the last SYN's; but every SYN
         * that could differ also restarts the sequence space (init_endpoint)
         * or opens a new connection (IsReuse), so in effect: once. */
        once(z, side, H_SYN, (seg->flags & TP_ACK) ? 'H' : 'S');
    } else if (fin) {
        /* A FIN's place is after its data. */
        repeated(z, side, H_FIN, 'F', &z->last_fin_seq[side], seg->seq + seg->payload_len);
    } else if (rst) {
        repeated(z, side, H_RST, 'R', &z->last_rst_seq[side], seg->seq);
    } else if (seg->payload_len > 0) {
        once(z, side, H_DATA, 'D');
    } else if (seg->flags & TP_ACK) {
        once(z, side, H_ACK, 'A');
    }
}

/* ---- Roles --------------------------------------------------------------------- */

static void swap32(uint32_t a[2]) { uint32_t t = a[0]; a[0] = a[1]; a[1] = t; }
static void swap16(uint16_t a[2]) { uint16_t t = a[0]; a[0] = a[1]; a[1] = t; }
static void swap8(uint8_t a[2])   { uint8_t t = a[0]; a[0] = a[1]; a[1] = t; }

static uint8_t swap_pair(uint8_t flags, uint8_t bit)
{
    uint8_t pair = (uint8_t)(bit | (bit << 1));
    uint8_t o = flags & bit, r = flags & (uint8_t)(bit << 1);
    return (uint8_t)((flags & ~pair) | (o << 1) | (r >> 1));
}

/* FlipRoles: the responder becomes the originator; history gets '^'. */
static void flip(tp_zeek *z)
{
    z->orig ^= 1;
    swap8(z->state);
    z->seen = (uint16_t)((z->seen >> 8) | (z->seen << 8));
    swap32(z->start_seq);
    swap32(z->last_fin_seq);
    swap32(z->last_rst_seq);
    swap32(z->last_seq);
    swap16(z->rxmit);
    swap8(z->zero_win);
    z->flags = swap_pair(z->flags, Z_FIN_THEN_RST);
    z->flags = swap_pair(z->flags, Z_DID_CLOSE);
    z->flags = swap_pair(z->flags, Z_SENT_DATA);
    z->flags ^= Z_FLIPPED;
    add_letter(z, '^');
}

/* WantConnection: a connection that does not begin with a bare SYN is
 * flipped when its source port looks like a server's and its destination
 * port does not (both: only a non-SYN from the lower port). */
static void begin_part(tp_zeek *z, const tp_segment *seg, unsigned sender, uint8_t part,
                       bool self_connect)
{
    memset(z, 0, sizeof(*z));
    z->part = part;
    z->orig = (uint8_t)sender;
    bool bare_syn = (seg->flags & (TP_SYN | TP_ACK)) == TP_SYN;
    if (bare_syn || self_connect)
        return;
    bool src_likely = likely_server_port(seg->sport), dst_likely = likely_server_port(seg->dport);
    if ((src_likely && !dst_likely) ||
        (src_likely && dst_likely && !(seg->flags & TP_SYN) && seg->sport < seg->dport))
        flip(z);
}

void tp_zeek_begin(tp_zeek *z, const tp_zeek_conn *conn, const tp_segment *seg)
{
    begin_part(z, seg, 0, 0, conn->self_connect);   /* the first segment's sender is endpoint 0 */
}

/* ---- Timers: when Zeek drops the connection -------------------------------- */

static uint32_t ms_since_start(const tp_zeek_conn *c, const tp_segment *seg)
{
    int64_t ms = (seg->time_ns - c->first_ns) / 1000000;
    if (ms < 0)
        return 1;
    if (ms >= (int64_t)UINT32_MAX - 2 * (int64_t)CLOSE_DELAY_MS)
        return UINT32_MAX - 2 * CLOSE_DELAY_MS;
    return (uint32_t)ms + 1;
}

/* A timer that drops the connection whatever its state: the earliest wins,
 * and it replaces an attempt timer (which can no longer fire: a close means
 * the attempt was answered or given up). */
static void drop_at(tp_zeek *z, uint32_t when)
{
    if (!z->timer_ms || (z->flags & Z_TIMER_ATTEMPT) || when < z->timer_ms) {
        z->timer_ms = when;
        z->flags &= (uint8_t)~Z_TIMER_ATTEMPT;
    }
}

static bool timer_drops(const tp_zeek *z)
{
    if (!(z->flags & Z_TIMER_ATTEMPT))
        return true;
    /* AttemptTimer: the SYN is still unanswered. */
    return (z->state[0] == Z_SYN_SENT || z->state[0] == Z_SYN_ACK_SENT) &&
           z->state[1] == Z_INACTIVE;
}

/* IsReuse: a SYN that starts a new Zeek connection on the same tuple.  Any
 * SYN once either side has closed (FIN or RST) does, even a retransmission;
 * before that, a SYN whose sequence number is not the originator's start
 * (a new ISN, or the other side's SYN of a simultaneous open) does.  A
 * SYN-ACK counts only while the originator has sent nothing. */
static bool is_reuse(const tp_zeek *z, const tp_segment *seg)
{
    if (!(seg->flags & TP_SYN))
        return false;
    unsigned conn_orig = 0;
    if (seg->flags & TP_ACK) {
        if (z->state[0] != Z_INACTIVE)
            return false;
        conn_orig = 1;
    }
    if (z->flags & (SIDE_BIT(Z_DID_CLOSE, 0) | SIDE_BIT(Z_DID_CLOSE, 1)))
        return true;
    if (seg->seq == z->start_seq[conn_orig])
        return false;
    /* The SYN behind its own SYN-ACK (reordered): flipped, not reused. */
    if (!(seg->flags & TP_ACK) && z->state[0] == Z_SYN_ACK_SENT && z->state[1] == Z_INACTIVE &&
        seg->seq == z->start_seq[1])
        return false;
    return true;
}

/* ---- Endpoint states (UpdateStateMachine) ------------------------------------ */

/* ConnectionClosed: after a FIN or RST.  A complete close (a reset, or the
 * peer closed or never sent anything) drops the connection 5 s later. */
static void connection_closed(tp_zeek *z, unsigned side, uint32_t now)
{
    unsigned peer = 1 - side;
    if (z->flags & SIDE_BIT(Z_DID_CLOSE, side))
        return;
    z->flags |= SIDE_BIT(Z_DID_CLOSE, side);
    if (z->state[side] == Z_RESET || (z->flags & SIDE_BIT(Z_DID_CLOSE, peer)) ||
        z->state[peer] == Z_INACTIVE)
        drop_at(z, now + CLOSE_DELAY_MS);
}

static void set_reset(tp_zeek *z, unsigned side)
{
    if (z->state[side] == Z_CLOSED)
        z->flags |= SIDE_BIT(Z_FIN_THEN_RST, side);
    else
        z->flags &= (uint8_t)~SIDE_BIT(Z_FIN_THEN_RST, side);
    z->state[side] = Z_RESET;
}

/* Returns whether the segment closes its sender (Zeek's do_close). */
static bool update_state(tp_zeek *z, unsigned side, const tp_segment *seg, uint32_t now)
{
    unsigned peer = 1 - side;
    uint8_t *me = &z->state[side], *them = &z->state[peer];
    bool syn = seg->flags & TP_SYN, fin = seg->flags & TP_FIN, rst = seg->flags & TP_RST;
    bool ack = seg->flags & TP_ACK;
    bool do_close = false, reversed = false;

    switch (*me) {
    case Z_INACTIVE:
        if (syn) {
            if (side == 0) {
                *me = ack ? Z_SYN_ACK_SENT : Z_SYN_SENT;
                if (!z->timer_ms) {
                    z->timer_ms = now + ATTEMPT_DELAY_MS;
                    z->flags |= Z_TIMER_ATTEMPT;
                }
            } else {
                if (!ack && *them == Z_SYN_ACK_SENT) {
                    /* The SYN behind its SYN-ACK (a reordered capture): the
                     * SYN's sender is the originator after all (flipped
                     * below, once this segment is done). */
                    reversed = true;
                    *them = Z_ESTABLISHED;
                }
                if (*them == Z_SYN_SENT)
                    *them = Z_ESTABLISHED;            /* SYN-ACK, or simultaneous open */
                *me = Z_ESTABLISHED;
            }
        }
        if (fin) {
            *me = Z_CLOSED;
            do_close = true;
        }
        if (rst) {
            set_reset(z, side);
            do_close = true;
        }
        if (*me == Z_INACTIVE) {
            if (side == 1 && seg->payload_len == 0 && z->state[0] == Z_SYN_SENT)
                ;   /* an ACK of the SYN before the SYN-ACK: not a partial connection */
            else if (ack && *them == Z_ESTABLISHED)
                *me = Z_ESTABLISHED;                  /* the ACK after a SYN-ACK, SYN missed */
            else
                *me = Z_PARTIAL;
        }
        break;

    case Z_SYN_SENT:
    case Z_SYN_ACK_SENT:
        /* Only FIN and RST move it: its ACKs and data do not establish it. */
        if (fin) {
            *me = Z_CLOSED;
            do_close = true;
        }
        if (rst) {
            set_reset(z, side);
            do_close = true;
        }
        break;

    case Z_ESTABLISHED:
    case Z_PARTIAL:
        if (syn && *me == Z_PARTIAL && *them == Z_INACTIVE && !ack)
            *me = Z_SYN_SENT;                         /* SYN_after_partial */
        if (fin && !rst) {
            *me = Z_CLOSED;
            /* The peer's FIN then RST, and now our FIN: a normal close. */
            if (*them == Z_RESET && (z->flags & SIDE_BIT(Z_FIN_THEN_RST, peer)))
                *them = Z_CLOSED;
            do_close = true;
        }
        if (rst) {
            set_reset(z, side);
            do_close = true;
        }
        break;

    case Z_CLOSED:
        /* After both FINs an RST changes nothing. */
        if (rst && *them != Z_CLOSED) {
            set_reset(z, side);
            if (!(z->flags & SIDE_BIT(Z_DID_CLOSE, side)))
                do_close = true;
            drop_at(z, now + RESET_DELAY_MS);        /* ResetTimer */
        }
        break;

    default:    /* Z_RESET: nothing moves it */
        break;
    }
    if (reversed)
        flip(z);
    return do_close;
}

/* update_last_seq: a segment with payload that does not advance the
 * sender's highest sequence number is a retransmission (T). */
static void update_last_seq(tp_zeek *z, unsigned side, const tp_segment *seg, uint8_t state_before)
{
    bool syn = seg->flags & TP_SYN, fin = seg->flags & TP_FIN, rst = seg->flags & TP_RST;
    uint32_t seg_len = seg->payload_len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    if (rst)
        seg_len -= seg->payload_len;     /* an RST's payload is not in the stream */
    uint32_t end = seg->seq + seg_len;

    /* init_endpoint: where the sender's sequence space starts. */
    if (state_before == Z_INACTIVE) {
        z->start_seq[side] = syn ? seg->seq : seg->seq - 1;
        z->last_seq[side] = syn ? end : seg->seq;
    } else if (syn && (state_before == Z_ESTABLISHED || state_before == Z_PARTIAL ||
                       ((state_before == Z_SYN_SENT || state_before == Z_SYN_ACK_SENT) &&
                        seg->seq != z->start_seq[side]))) {
        z->start_seq[side] = seg->seq;
        z->last_seq[side] = end;
    }

    int32_t delta = (int32_t)(end - z->last_seq[side]);
    if ((syn || rst) && (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA))
        return;
    if (state_before == Z_RESET)
        return;
    if (delta > 0) {
        z->last_seq[side] = end;
    } else if (seg->payload_len > 0) {
        if (z->rxmit[side] < UINT16_MAX)
            z->rxmit[side]++;
        scaled(z, side, z->rxmit[side], 'T');
    }
}

/* ---- Parts: the verdicts of Zeek connections that ended ----------------------- */

typedef struct part_verdict {
    uint64_t key;           /* conn id * 256 + part, + 1; 0 = empty slot */
    uint32_t next_frame;    /* the frame that began the next part */
    uint8_t  state;         /* tp_zeek_state */
    char     history[TP_ZEEK_HISTORY_SIZE];
} part_verdict;

struct tp_zeek_parts {
    part_verdict *slot;
    size_t        capacity;   /* a power of two */
    size_t        count;
};

static uint64_t part_key(uint32_t conn_id, unsigned part)
{
    return ((uint64_t)conn_id << 8 | part) + 1;
}

static size_t part_hash(uint64_t key, size_t capacity)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (capacity - 1);
}

static bool parts_grow(tp_zeek_parts *p)
{
    size_t capacity = p->capacity ? p->capacity * 2 : 64;
    part_verdict *slot = calloc(capacity, sizeof(*slot));
    if (!slot)
        return false;
    for (size_t i = 0; i < p->capacity; i++) {
        const part_verdict *v = &p->slot[i];
        if (!v->key)
            continue;
        size_t j = part_hash(v->key, capacity);
        while (slot[j].key)
            j = (j + 1) & (capacity - 1);
        slot[j] = *v;
    }
    free(p->slot);
    p->slot = slot;
    p->capacity = capacity;
    return true;
}

static const part_verdict *parts_find(const tp_zeek_parts *p, uint32_t conn_id, unsigned part)
{
    if (!p || !p->capacity)
        return NULL;
    uint64_t key = part_key(conn_id, part);
    for (size_t j = part_hash(key, p->capacity); p->slot[j].key; j = (j + 1) & (p->capacity - 1))
        if (p->slot[j].key == key)
            return &p->slot[j];
    return NULL;
}

static bool parts_put(tp_zeek_parts **pp, uint32_t conn_id, unsigned part, uint32_t next_frame,
                      uint8_t state, const char *history)
{
    if (!*pp && !(*pp = calloc(1, sizeof(**pp))))
        return false;
    tp_zeek_parts *p = *pp;
    if ((p->count + 1) * 2 > p->capacity && !parts_grow(p))
        return false;
    uint64_t key = part_key(conn_id, part);
    size_t j = part_hash(key, p->capacity);
    while (p->slot[j].key)
        j = (j + 1) & (p->capacity - 1);
    part_verdict *v = &p->slot[j];
    v->key = key;
    v->next_frame = next_frame;
    v->state = state;
    memcpy(v->history, history, sizeof(v->history));
    p->count++;
    return true;
}

void tp_zeek_parts_free(tp_zeek_parts *parts)
{
    if (parts) {
        free(parts->slot);
        free(parts);
    }
}

size_t tp_zeek_parts_memory(const tp_zeek_parts *parts)
{
    return parts ? sizeof(*parts) + parts->capacity * sizeof(part_verdict) : 0;
}

/* ---- conn_state ------------------------------------------------------------------ */

/* The regular expression ^\^?S[^HAFGIQ]*R.* of conn_state()'s RSTOS0 branch. */
static bool syn_then_rst(const char *h)
{
    if (*h == '^')
        h++;
    if (*h != 'S')
        return false;
    for (h++; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

/* conn_state() of Zeek's conn/main.zeek, its rules in their order. */
static tp_zeek_state conn_state(const tp_zeek *z)
{
    uint8_t os = z->state[0], rs = z->state[1];
    bool no_data = !(z->flags & (SIDE_BIT(Z_SENT_DATA, 0) | SIDE_BIT(Z_SENT_DATA, 1)));

    if (rs == Z_RESET) {
        if (os == Z_SYN_SENT || os == Z_SYN_ACK_SENT || (os == Z_RESET && no_data))
            return TP_ZEEK_REJ;
        if (inactive(os))
            return TP_ZEEK_RSTRH;
        return TP_ZEEK_RSTR;
    }
    if (os == Z_RESET) {
        if (inactive(rs))
            return syn_then_rst(z->history) ? TP_ZEEK_RSTOS0 : TP_ZEEK_OTH;
        return TP_ZEEK_RSTO;
    }
    if (os == Z_CLOSED && rs == Z_CLOSED)
        return TP_ZEEK_SF;
    if (os == Z_CLOSED)
        return inactive(rs) ? TP_ZEEK_SH : TP_ZEEK_S2;
    if (rs == Z_CLOSED)
        return inactive(os) ? TP_ZEEK_SHR : TP_ZEEK_S3;
    if (os == Z_SYN_SENT && rs == Z_INACTIVE)
        return TP_ZEEK_S0;
    if (os == Z_ESTABLISHED && rs == Z_ESTABLISHED)
        return TP_ZEEK_S1;
    return TP_ZEEK_OTH;
}

tp_zeek_state tp_zeek_state_of(const tp_zeek *z)
{
    return conn_state(z);
}

bool tp_zeek_earlier_part(const tp_zeek_parts *parts, uint32_t conn_id, unsigned current,
                          uint32_t frame, tp_zeek_state *state, const char **history)
{
    /* Parts follow each other in frame order: the first that ended after
     * the frame held it. */
    for (unsigned part = 0; part < current; part++) {
        const part_verdict *v = parts_find(parts, conn_id, part);
        if (v && frame < v->next_frame) {
            *state = (tp_zeek_state)v->state;
            *history = v->history;
            return true;
        }
    }
    return false;
}

/* ---- One segment ----------------------------------------------------------------- */

void tp_zeek_segment(tp_zeek_parts **parts, tp_zeek *z, const tp_zeek_conn *c,
                     unsigned sender, const tp_segment *seg)
{
    uint32_t now = ms_since_start(c, seg);
    bool syn = seg->flags & TP_SYN, fin = seg->flags & TP_FIN, rst = seg->flags & TP_RST;

    /* Has Zeek dropped the connection since the last segment, or does
     * this SYN start a new one on the tuple?  Then this segment opens a
     * new Zeek connection (unless the table is out of memory). */
    bool fresh = z->seen == 0 && z->state[0] == Z_INACTIVE && z->state[1] == Z_INACTIVE;
    bool dropped = false;
    if (fresh) {
        /* This part's first segment: nothing to drop or reuse. */
    } else if (z->timer_ms && now >= z->timer_ms) {
        dropped = timer_drops(z);
        if (!dropped) {
            z->timer_ms = 0;
            z->flags &= (uint8_t)~Z_TIMER_ATTEMPT;
        }
    }
    if (!fresh && (dropped || is_reuse(z, seg)) && z->part < MAX_PART &&
        parts_put(parts, c->id, z->part, seg->frame, conn_state(z), z->history))
        begin_part(z, seg, sender, (uint8_t)(z->part + 1), c->self_connect);

    unsigned side = (sender == z->orig) ? 0 : 1;

    /* A connection that began with a SYN-ACK ("H") answered by an ACK or
     * data: the SYN-ACK's sender was the responder; Zeek flips and the
     * history is rewritten as the responder's "^h". */
    if (side == 1 && !syn && !fin && !rst && !(z->flags & Z_FLIPPED) &&
        strcmp(z->history, "H") == 0 && z->state[1] == Z_INACTIVE) {
        flip(z);
        strcpy(z->history, "^h");
        z->seen = H_SYN << 8;
        z->state[0] = Z_INACTIVE;
        z->state[1] = Z_ESTABLISHED;  /* as a responder's SYN-ACK leaves it */
        z->timer_ms = 0;
        z->flags &= (uint8_t)~Z_TIMER_ATTEMPT;
        side = 0;
    }
    unsigned peer = 1 - side;
    uint8_t state_before = z->state[side];

    if (state_before == Z_INACTIVE)    /* init_endpoint, before the history */
        z->start_seq[side] = syn ? seg->seq : seg->seq - 1;
    update_history(z, side, seg);
    if (seg->window == 0 && !rst && z->state[peer] != Z_CLOSED && state_before != Z_RESET) {
        if (z->zero_win[side] < UINT8_MAX)
            z->zero_win[side]++;
        scaled(z, side, z->zero_win[side], 'W');
    }
    if ((seg->flags & TP_ACK) && z->state[peer] == Z_INACTIVE) {
        /* init_peer: number the silent peer's bytes as if its SYN had been seen. */
        z->start_seq[peer] = seg->ack - 1;
        z->last_seq[peer] = seg->ack - 1;
    }
    update_last_seq(z, side, seg, state_before);
    if (seg->payload_len > 0 && !rst)
        z->flags |= SIDE_BIT(Z_SENT_DATA, side);

    /* The roles may flip inside (a reordered SYN-ACK, SYN). */
    unsigned orig_before = z->orig;
    bool do_close = update_state(z, side, seg, now);
    if (z->orig != orig_before)
        side = 1 - side;
    if (do_close)
        connection_closed(z, side, now);
}
