/* engine.c — the connection state machine.
 *
 * For each segment, in capture order:
 *   1. find its connection (a new SYN on a closed tuple starts a new one);
 *   2. classify it: which step of the connection's life it is;
 *   3. move the sender through RFC 9293's diagram as if it had just sent the
 *      segment (on_send), then the receiver as if it had just received it
 *      (on_receive).  A self-connect is one socket: both moves apply to the
 *      same endpoint, in that order;
 *   4. note what the segment completed: the handshake, the teardown.
 *
 * The capture point is assumed to sit on the path, so a segment is "sent"
 * and "received" when it is captured.  Where that assumption breaks (two
 * SYNs or two FINs crossing in flight), the acknowledgment number says what
 * the sender had seen, and the states are set to what really happened.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpphase.h"
#include "conn.h"
#include "engine_private.h"
#include "conn_table.h"
#include "zeek.h"

#include <stdlib.h>
#include <string.h>

/* RFC 7323: no window is larger than 2^30, so no in-window sequence number is
 * further than that from the sender's next one. */
#define MAX_WINDOW (1u << 30)
/* RFC 5961 accepts an RST only at the exact next sequence number; the
 * capture may miss a few segments, so allow this much slack. */
#define RST_SLACK  (1u << 20)
/* Entries of tp_engine.rebuilt: a power of two. */
#define REBUILT_CACHE 256u

struct tp_engine {
    tp_config     cfg;
    tp_conn_table table;
    tp_zeek_parts *zeek_parts;  /* verdicts of Zeek connections that ended early */
    /* Seeds and packed connections rebuilt (conn_table.h), by id modulo
     * REBUILT_CACHE; an entry's conn.id is 0 when it holds none.  Seeds and
     * packed connections never change, so an entry stays right for its id
     * until that id becomes full.  Several entries rather than one: a
     * connection's second segment mostly comes while a few hundred others
     * start, and then finds its first one's work still there.  Only
     * tp_engine_feed() fills it; tp_engine_conn() reads what it finds. */
    tp_conn_record *rebuilt;
};

/* ---- Sequence arithmetic (RFC 9293 section 3.4: modulo 2^32) ------------ */

static bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static bool seq_gt(uint32_t a, uint32_t b)  { return (int32_t)(a - b) > 0; }

static bool seq_near(uint32_t a, uint32_t b, uint32_t slack)
{
    int32_t d = (int32_t)(a - b);
    return d >= -(int64_t)slack && d <= (int64_t)slack;
}

/* ---- What one segment is, worked out once -------------------------------- */

typedef struct view {
    const tp_segment *seg;
    tp_conn     *c;
    unsigned     s, r;          /* sender and receiver endpoint indexes */
    tp_endpoint *S, *R;         /* the same endpoint in a self-connect */
    bool syn, ack, fin, rst;
    bool new_data;              /* carries bytes beyond what S sent before */
    bool acks_peer_syn;         /* acknowledges R's SYN */
    bool acks_peer_fin;         /* acknowledges R's FIN */
    bool fin_newly_acked;       /* first segment to acknowledge R's FIN */
    bool completed_handshake, completed_teardown;
    uint16_t anomalies;
} view;

enum { SYNCHRONIZED_MASK =
           (1u << TP_STATE_ESTABLISHED) | (1u << TP_STATE_FIN_WAIT_1) |
           (1u << TP_STATE_FIN_WAIT_2) | (1u << TP_STATE_CLOSE_WAIT) |
           (1u << TP_STATE_CLOSING) | (1u << TP_STATE_LAST_ACK) |
           (1u << TP_STATE_TIME_WAIT) };

/* Every change of an endpoint's state goes through here (as Linux's
 * tcp_set_state()): on_send() and on_receive() are RFC 9293's figure 5,
 * the others are its RST rules (section 3.10.7) and a connection's start. */
static void set_state(tp_endpoint *e, tp_tcp_state state)
{
    e->state = (uint8_t)state;
}

static bool synchronized(const tp_endpoint *e)
{
    return (SYNCHRONIZED_MASK >> e->state) & 1u;
}

static bool is_self(const tp_conn *c) { return c->cflags & TP_CONN_SELF; }

static bool conn_over(const tp_conn *c)
{
    return c->cflags & (TP_CONN_TORN_DOWN | TP_CONN_RESET);
}

static bool any_fin(const tp_conn *c)
{
    return (c->ep[0].flags | c->ep[1].flags) & TP_EP_SENT_FIN;
}

static bool both_fins(const tp_conn *c)
{
    if (is_self(c))
        return c->ep[0].flags & TP_EP_SENT_FIN;
    return (c->ep[0].flags & c->ep[1].flags) & TP_EP_SENT_FIN;
}

static bool isn_known(const tp_endpoint *e)
{
    return e->flags & (TP_EP_SENT_SYN | TP_EP_SENT_SYN_ACK);
}

/* sender: which endpoint sent the segment, as the table found it (0 sent
 * the connection's first segment; a self-connect has only endpoint 0). */
static void view_init(view *v, tp_conn *c, const tp_segment *seg, unsigned sender)
{
    memset(v, 0, sizeof(*v));
    v->seg = seg;
    v->c = c;
    v->s = is_self(c) ? 0 : sender;
    v->r = is_self(c) ? 0 : 1 - v->s;
    v->S = &c->ep[v->s];
    v->R = &c->ep[v->r];
    v->syn = seg->flags & TP_SYN;
    v->ack = seg->flags & TP_ACK;
    v->fin = seg->flags & TP_FIN;
    v->rst = seg->flags & TP_RST;
}

/* What the segment carries and acknowledges, against the endpoints as
 * they stand. */
static void view_judge(view *v)
{
    const tp_segment *seg = v->seg;
    const tp_endpoint *S = v->S, *R = v->R;
    uint32_t data_end = seg->seq + (v->syn ? 1u : 0u) + seg->payload_len;
    v->new_data = seg->payload_len > 0 &&
                  (!(S->flags & TP_EP_SEQ_KNOWN) || seq_gt(data_end, S->snd_nxt));
    v->acks_peer_syn = v->ack && isn_known(R) && seq_gt(seg->ack, R->isn);
    v->acks_peer_fin = v->ack && (R->flags & TP_EP_SENT_FIN) && seq_gt(seg->ack, R->fin_seq);
}

/* The capture missed more of the sender's bytes than a window holds (a
 * gap of a GiB or more), but the peer's ACKs prove they were sent: the
 * sender's sequence space goes on from what the peer acknowledged, so a
 * segment there is new, not out of window (RFC 9293 section 3.4: the
 * receiver acknowledges only what it received). */
static void catch_up_with_peer_ack(view *v)
{
    tp_endpoint *S = v->S;
    const tp_endpoint *R = v->R;
    uint32_t seq = v->seg->seq;
    if (S == R || !(S->flags & TP_EP_SEQ_KNOWN) || !(R->flags & TP_EP_SENT_ACK) ||
        !seq_gt(R->last_ack, S->snd_nxt) || seq_near(seq, S->snd_nxt, MAX_WINDOW) ||
        !seq_near(seq, R->last_ack, MAX_WINDOW))
        return;
    S->snd_nxt = R->last_ack;
}

/* A server that sent two SYN-ACKs with different ISNs before the handshake
 * completed (a TCP Fast Open server answering again without the SYN's
 * data): the client's first acknowledgment of either says which one it
 * accepted (RFC 9293 section 3.10.7.3, SND.UNA < SEG.ACK =< SND.NXT), and
 * the server's sequence space is that one's. */
static void follow_accepted_syn_ack(view *v)
{
    tp_endpoint *R = v->R;
    if (!(R->flags & TP_EP_OTHER_ISN) || !v->ack || v->syn || v->rst || v->S == R)
        return;
    if (v->seg->ack != R->isn + 1) {
        R->isn = v->seg->ack - 1;
        R->snd_nxt = v->seg->ack;
    }
    R->flags &= (uint16_t)~TP_EP_OTHER_ISN;
}

/* Could this segment be the sender's at all?  A segment far outside the
 * sequence space the sender has used cannot be, and must not move state. */
static bool in_window(const view *v)
{
    const tp_endpoint *S = v->S;
    if (!(S->flags & TP_EP_SEQ_KNOWN))
        return true;
    return seq_near(v->seg->seq, S->snd_nxt, MAX_WINDOW);
}

/* RFC 5961 section 3: an RST counts only near the sequence number the
 * receiver expects.  Without any sequence from the sender (a refused SYN),
 * its acknowledgment must match what the receiver sent. */
static bool rst_acceptable(const view *v)
{
    const tp_endpoint *S = v->S, *R = v->R;
    uint32_t seq = v->seg->seq;
    /* RFC 9293 section 3.10.7.3: in SYN_SENT only the acknowledgment counts.
     * An RST with an ACK is accepted if that ACK acknowledges the SYN
     * (SND.UNA < SEG.ACK =< SND.NXT, ISS+1 for a SYN without data) and
     * dropped otherwise.  The RFC drops one without ACK too, but crafted
     * traffic refuses connects that way and peer tools (Suricata) count it
     * as a refusal: it is taken, as the checks below decide. */
    if (v->ack && R->state == TP_STATE_SYN_SENT && S != R && isn_known(R))
        return seq_gt(v->seg->ack, R->isn) && seq_leq(v->seg->ack, R->snd_nxt);
    if ((S->flags & TP_EP_SEQ_KNOWN) && seq_near(seq, S->snd_nxt, RST_SLACK))
        return true;
    if ((R->flags & TP_EP_SENT_ACK) && seq_near(seq, R->last_ack, RST_SLACK))
        return true;
    if (!(S->flags & TP_EP_SEQ_KNOWN)) {
        if (v->ack && (R->flags & TP_EP_SEQ_KNOWN))
            return seq_near(v->seg->ack, R->snd_nxt, RST_SLACK);
        return true;
    }
    return false;
}

/* ---- RFC 9293's diagram, one endpoint at a time --------------------------- */

/* The sender has just sent this segment. */
static void on_send(view *v)
{
    tp_endpoint *S = v->S;
    switch ((tp_tcp_state)S->state) {
    case TP_STATE_UNKNOWN:
    case TP_STATE_CLOSED:
    case TP_STATE_LISTEN:
        if (v->syn)
            set_state(S, v->ack ? TP_STATE_SYN_RECEIVED   /* LISTEN: rcv SYN, snd SYN,ACK */
                                : TP_STATE_SYN_SENT);   /* CLOSED: active OPEN, snd SYN */
        break;
    case TP_STATE_SYN_SENT:
        /* Sending a SYN-ACK: it got the peer's SYN, which the capture missed.
         * Sending a plain ACK of the peer's SYN: it got the SYN-ACK. */
        if (v->syn && v->ack)
            set_state(S, TP_STATE_SYN_RECEIVED);
        else if (!v->syn && v->acks_peer_syn)
            set_state(S, v->fin ? TP_STATE_FIN_WAIT_1 : TP_STATE_ESTABLISHED);
        break;
    case TP_STATE_SYN_RECEIVED:
        /* Anything but a SYN means it already took the peer's ACK of its
         * SYN, if it sent one: an endpoint that answered a SYN with a bare
         * ACK (a split handshake) has nothing acknowledged yet. */
        if (!v->syn && isn_known(S))
            set_state(S, v->fin ? TP_STATE_FIN_WAIT_1 : TP_STATE_ESTABLISHED);
        break;
    case TP_STATE_ESTABLISHED:
        if (v->fin)
            set_state(S, TP_STATE_FIN_WAIT_1);            /* CLOSE, snd FIN */
        break;
    case TP_STATE_CLOSE_WAIT:
        if (v->fin) {
            /* A FIN that has not seen the peer's FIN crossed it in flight:
             * the sender was in FIN_WAIT_1 and the peer's FIN made it CLOSING. */
            bool saw_peer_fin = v->acks_peer_fin || (v->R->flags & TP_EP_FIN_ACKED);
            set_state(S, saw_peer_fin ? TP_STATE_LAST_ACK : TP_STATE_CLOSING);
        }
        break;
    case TP_STATE_FIN_WAIT_1:
    case TP_STATE_FIN_WAIT_2:
    case TP_STATE_CLOSING:
    case TP_STATE_LAST_ACK:
    case TP_STATE_TIME_WAIT:
    case TP_STATE_COUNT:
        break;    /* what these send (ACKs, FIN repeats) changes nothing */
    }
}

/* The receiver has just received this segment. */
static void on_receive(view *v)
{
    tp_endpoint *R = v->R;
    switch ((tp_tcp_state)R->state) {
    case TP_STATE_UNKNOWN:
    case TP_STATE_CLOSED:
    case TP_STATE_LISTEN:
        if (v->syn && !v->ack) {
            set_state(R, TP_STATE_SYN_RECEIVED);          /* LISTEN: rcv SYN */
            R->flags |= TP_EP_PASSIVE_OPEN;
        }
        break;
    case TP_STATE_SYN_SENT:
        if (v->syn && !v->ack)
            set_state(R, TP_STATE_SYN_RECEIVED);          /* simultaneous open */
        else if (v->acks_peer_syn && seq_leq(v->seg->ack, R->snd_nxt) && isn_known(v->S))
            set_state(R, TP_STATE_ESTABLISHED);           /* rcv SYN,ACK (or its effect) */
        else if (v->ack && !v->syn && !isn_known(v->S) && isn_known(R) &&
                 !(v->acks_peer_syn && seq_leq(v->seg->ack, R->snd_nxt)))
            /* RFC 9293 section 3.10.7.3: an ACK outside ISS < SEG.ACK =<
             * SND.NXT is answered <SEQ=SEG.ACK><CTL=RST> and dropped. */
            v->S->flags |= TP_EP_STRAY_ACK;
        /* An ACK from a peer whose SYN was never seen leaves it in SYN_SENT
         * (RFC 9293 section 3.10.7.3: neither SYN nor RST, drop it). */
        break;
    case TP_STATE_SYN_RECEIVED:
        if (!v->acks_peer_syn)
            break;
        set_state(R, TP_STATE_ESTABLISHED);               /* rcv ACK of SYN */
        if (v->fin)
            set_state(R, TP_STATE_CLOSE_WAIT);
        break;
    case TP_STATE_ESTABLISHED:
        if (v->fin)
            set_state(R, TP_STATE_CLOSE_WAIT);            /* rcv FIN, snd ACK */
        break;
    case TP_STATE_FIN_WAIT_1:
        if (v->acks_peer_fin)
            set_state(R, v->fin ? TP_STATE_TIME_WAIT      /* rcv FIN,ACK of our FIN */
                                : TP_STATE_FIN_WAIT_2);   /* rcv ACK of FIN */
        else if (v->fin)
            set_state(R, TP_STATE_CLOSING);               /* rcv FIN: simultaneous close */
        break;
    case TP_STATE_FIN_WAIT_2:
        if (v->fin)
            set_state(R, TP_STATE_TIME_WAIT);             /* rcv FIN, snd ACK */
        break;
    case TP_STATE_CLOSING:
        if (v->acks_peer_fin)
            set_state(R, TP_STATE_TIME_WAIT);             /* rcv ACK of FIN */
        break;
    case TP_STATE_LAST_ACK:
        if (v->acks_peer_fin)
            set_state(R, TP_STATE_CLOSED);                /* rcv ACK of FIN */
        break;
    case TP_STATE_CLOSE_WAIT:
    case TP_STATE_TIME_WAIT:
    case TP_STATE_COUNT:
        break;
    }
}

/* An accepted RST ends both endpoints; a passive opener returns to LISTEN
 * (RFC 9293 section 3.10.7.4). */
static void on_reset(view *v)
{
    set_state(v->S, TP_STATE_CLOSED);
    if (v->R != v->S)
        set_state(v->R, (v->R->state == TP_STATE_SYN_RECEIVED && (v->R->flags & TP_EP_PASSIVE_OPEN))
                            ? TP_STATE_LISTEN : TP_STATE_CLOSED);
}

/* The sender has now sent up to `end` (its highest sequence number + 1). */
static void note_seq_sent(tp_endpoint *S, uint32_t end)
{
    if (!(S->flags & TP_EP_SEQ_KNOWN) || seq_gt(end, S->snd_nxt)) {
        S->snd_nxt = end;
        S->flags |= TP_EP_SEQ_KNOWN;
    }
}

/* The sender has now acknowledged up to `ack`. */
static void note_ack_sent(tp_endpoint *S, uint32_t ack)
{
    if (!(S->flags & TP_EP_SENT_ACK) || seq_gt(ack, S->last_ack)) {
        S->last_ack = ack;
        S->flags |= TP_EP_SENT_ACK;
    }
}

/* What the sender's sequence space looks like after this segment. */
static void note_sent(view *v)
{
    const tp_segment *seg = v->seg;
    tp_endpoint *S = v->S, *R = v->R;
    uint32_t end = seg->seq + (v->syn ? 1u : 0u) + seg->payload_len + (v->fin ? 1u : 0u);

    if (v->syn) {
        S->isn = seg->seq;
        if (v->ack) {
            S->flags |= TP_EP_SENT_SYN_ACK;
        } else {
            S->flags |= TP_EP_SENT_SYN;
        }
    }
    note_seq_sent(S, end);
    if (v->fin && !(S->flags & TP_EP_SENT_FIN)) {
        S->fin_seq = end - 1;
        S->flags |= TP_EP_SENT_FIN;
    }
    if (v->ack)
        note_ack_sent(S, seg->ack);
    if (v->acks_peer_fin && !(R->flags & TP_EP_FIN_ACKED)) {
        R->flags |= TP_EP_FIN_ACKED;
        v->fin_newly_acked = true;
    }
}

/* ---- Classification ---------------------------------------------------------- */

static tp_step classify_syn(view *v)
{
    tp_conn *c = v->c;
    tp_endpoint *S = v->S, *R = v->R;
    const tp_segment *seg = v->seg;

    if (v->ack) {                                          /* SYN-ACK */
        if (S->flags & TP_EP_SENT_SYN_ACK)
            return seg->seq == S->isn ? TP_STEP_SYN_ACK_RETRANSMISSION
                                              : TP_STEP_OUT_OF_WINDOW;
        if ((c->cflags & TP_CONN_ESTABLISHED) && !(c->cflags & TP_CONN_SIMULTANEOUS))
            return TP_STEP_OUT_OF_WINDOW;
        if (isn_known(R) && !(seq_gt(seg->ack, R->isn) && seq_leq(seg->ack, R->snd_nxt))) {
            v->anomalies |= TP_ANOM_BIT(TP_ANOM_BAD_SYN_ACK);
            S->flags |= TP_EP_BAD_SYN_ACK;
        }
        if (!c->link[TP_LINK_SYN_ACK])
            c->link[TP_LINK_SYN_ACK] = seg->frame;
        if (c->open_kind == TP_OPEN_UNANSWERED)
            c->open_kind = TP_OPEN_INCOMPLETE;
        return TP_STEP_SYN_ACK;
    }

    /* A bare SYN. */
    if (isn_known(S))
        return seg->seq == S->isn ? TP_STEP_SYN_RETRANSMISSION : TP_STEP_OUT_OF_WINDOW;
    if (c->first_frame == seg->frame)
        return TP_STEP_SYN;                                /* opens the connection */
    if ((R->flags & TP_EP_SENT_SYN) && !(R->flags & TP_EP_SENT_SYN_ACK) &&
        !(c->cflags & TP_CONN_ESTABLISHED)) {
        /* The peer's SYN is out and unanswered: the two SYNs crossed. */
        c->cflags |= TP_CONN_SIMULTANEOUS;
        c->open_kind = TP_OPEN_SIMULTANEOUS;
        return TP_STEP_SYN;
    }
    if (c->cflags & TP_CONN_ESTABLISHED)
        return TP_STEP_OUT_OF_WINDOW;                      /* RFC 5961: challenge ACK */
    return TP_STEP_SYN;                                    /* the SYN behind its SYN-ACK */
}

static tp_step classify_fin(view *v)
{
    tp_conn *c = v->c;
    tp_endpoint *S = v->S, *R = v->R;
    const tp_segment *seg = v->seg;
    uint32_t fin_at = seg->seq + seg->payload_len;

    if (S->flags & TP_EP_SENT_FIN) {
        if (seq_gt(fin_at, S->fin_seq)) {
            /* The FIN moved on: bytes were sent past the first one. */
            S->fin_seq = fin_at;
            S->flags &= (uint16_t)~TP_EP_FIN_ACKED;
            v->anomalies |= TP_ANOM_BIT(TP_ANOM_DATA_AFTER_FIN);
            return TP_STEP_DATA_AFTER_FIN;
        }
        return TP_STEP_FIN_RETRANSMISSION;
    }
    if (!is_self(c) && (R->flags & TP_EP_SENT_FIN)) {
        c->link[TP_LINK_FIN_PASSIVE] = seg->frame;
        if ((R->flags & TP_EP_FIN_ACKED) || v->acks_peer_fin) {
            if (!(R->flags & TP_EP_FIN_ACKED))
                c->cflags |= TP_CONN_THREE_WAY_CLOSE;      /* FIN, FIN+ACK, ACK */
            return TP_STEP_FIN_PASSIVE;
        }
        c->cflags |= TP_CONN_SIM_CLOSE;
        return TP_STEP_FIN_SIMULTANEOUS;
    }
    c->link[TP_LINK_FIN_ACTIVE] = seg->frame;
    c->teardown_start_ns = seg->time_ns;
    return TP_STEP_FIN_ACTIVE;
}

/* A segment without SYN, FIN or RST and without new bytes: bytes sent
 * before, or a bare ACK (a keep-alive's one old byte included). */
static tp_step repeat_or_ack(const tp_segment *seg, const tp_endpoint *S)
{
    if (seg->payload_len > 0 && !(seg->payload_len == 1 && seg->seq + 1 == S->snd_nxt))
        return TP_STEP_DATA_RETRANSMISSION;
    return TP_STEP_ACK;
}

/* A segment without SYN, FIN or RST, once the states have moved. */
static tp_step classify_other(view *v)
{
    tp_conn *c = v->c;
    tp_endpoint *S = v->S, *R = v->R;

    if (v->completed_handshake)
        return TP_STEP_HANDSHAKE_ACK;
    if (v->new_data) {
        if (S->flags & TP_EP_SENT_FIN) {
            v->anomalies |= TP_ANOM_BIT(TP_ANOM_DATA_AFTER_FIN);
            return TP_STEP_DATA_AFTER_FIN;
        }
        if (!is_self(c) && (R->flags & TP_EP_SENT_FIN) && v->acks_peer_fin) {
            if (!(S->flags & TP_EP_HALF_CLOSE)) {
                S->flags |= TP_EP_HALF_CLOSE;
                v->anomalies |= TP_ANOM_BIT(TP_ANOM_HALF_CLOSE);
            }
            return TP_STEP_HALF_CLOSE_DATA;
        }
        return TP_STEP_DATA;
    }
    if (v->fin_newly_acked)
        return v->completed_teardown ? TP_STEP_LAST_ACK : TP_STEP_FIN_ACK;
    return repeat_or_ack(v->seg, S);
}

static tp_step classify_rst(view *v)
{
    tp_conn *c = v->c;
    tp_endpoint *S = v->S, *R = v->R;

    /* RFC 9293 section 3.10.7.3: in SYN_SENT an unacceptable SYN-ACK is
     * answered <SEQ=SEG.ACK><CTL=RST> and the sender stays in SYN_SENT; the
     * passive side goes back to LISTEN and the attempt goes on. */
    /* The same for a bare ACK that SYN_SENT could not accept (an older
     * connection's, or a challenge ACK): the RST answers it and the SYN
     * goes on. */
    if ((R->flags & (TP_EP_BAD_SYN_ACK | TP_EP_STRAY_ACK)) && S->state == TP_STATE_SYN_SENT &&
        v->seg->seq == R->last_ack) {
        /* Only SYN-RECEIVED goes back to LISTEN (a listener that sent a
         * stray ACK stays there); a passive side that went on to a
         * synchronized state (it sent an ACK after its bad SYN-ACK) is
         * closed by the RST (section 3.10.7.4). */
        set_state(R, (R->state == TP_STATE_SYN_RECEIVED || R->state == TP_STATE_LISTEN)
                         ? TP_STATE_LISTEN : TP_STATE_CLOSED);
        /* What it sent belonged to another connection: its next SYN-ACK
         * starts its sequence space afresh. */
        R->flags &= (uint16_t)~(TP_EP_BAD_SYN_ACK | TP_EP_STRAY_ACK | TP_EP_SENT_SYN_ACK |
                                TP_EP_SEQ_KNOWN | TP_EP_SENT_ACK);
        return TP_STEP_RST_HANDSHAKE;
    }
    if (!rst_acceptable(v))
        return TP_STEP_OUT_OF_WINDOW;

    tp_step step;
    if (!(c->cflags & TP_CONN_ESTABLISHED)) {
        if ((R->flags & TP_EP_SENT_SYN) && !(S->flags & (TP_EP_SENT_SYN | TP_EP_SENT_SYN_ACK)) &&
            !is_self(c)) {
            step = TP_STEP_RST_REFUSED;
            v->anomalies |= TP_ANOM_BIT(TP_ANOM_REFUSED);
            c->open_kind = TP_OPEN_REFUSED;
        } else {
            step = TP_STEP_RST_HANDSHAKE;
        }
    } else {
        step = any_fin(c) ? TP_STEP_RST_TEARDOWN : TP_STEP_RST_ABORT;
    }
    if (R->state == TP_STATE_TIME_WAIT)
        v->anomalies |= TP_ANOM_BIT(TP_ANOM_TIME_WAIT_RST);
    /* Kept in case the endpoints show later that the RST changed nothing
     * (conn_apply(), rst_ignored). */
    S->pre_rst_state = S->state;
    R->pre_rst_state = R->state;
    S->flags = (uint16_t)((S->flags | TP_EP_RESET_BY) & ~TP_EP_WENT_ON);
    R->flags &= (uint16_t)~(TP_EP_RESET_BY | TP_EP_WENT_ON);
    on_reset(v);
    c->cflags |= TP_CONN_RESET;
    c->close_kind = TP_CLOSE_RESET;
    if (!c->link[TP_LINK_RST])
        c->link[TP_LINK_RST] = v->seg->frame;
    return step;
}

/* After the last ACK or an RST, nothing changes any more, except that an
 * RST still cuts a TIME_WAIT short (RFC 1337's assassination). */
static tp_step classify_after_close(view *v)
{
    if (!v->rst && !v->syn && !(v->S->flags & TP_EP_RESET_BY))
        v->S->flags |= TP_EP_WENT_ON;     /* the RST's receiver went on sending */
    if (v->rst) {
        if (!rst_acceptable(v))
            return TP_STEP_OUT_OF_WINDOW;
        if (v->R->state == TP_STATE_TIME_WAIT) {
            v->anomalies |= TP_ANOM_BIT(TP_ANOM_TIME_WAIT_RST);
            set_state(v->R, TP_STATE_CLOSED);
        }
        if (!v->c->link[TP_LINK_RST])
            v->c->link[TP_LINK_RST] = v->seg->frame;
    }
    return TP_STEP_AFTER_CLOSE;
}

/* ---- Milestones ---------------------------------------------------------------- */

static void check_handshake_done(view *v)
{
    tp_conn *c = v->c;
    if ((c->cflags & TP_CONN_ESTABLISHED) || !(c->cflags & TP_CONN_HANDSHAKE_SEEN))
        return;
    /* Complete once every endpoint is ESTABLISHED: in a simultaneous open
     * or a self-connect (one socket opening simultaneously with itself)
     * that is the last SYN-ACK, as in RFC 9293's figure 8; the ACKs Linux
     * sends after it (D-SACKs of the repeated SYN) are plain ACKs. */
    if (!synchronized(&c->ep[0]) || !(is_self(c) || synchronized(&c->ep[1])))
        return;
    c->cflags |= TP_CONN_ESTABLISHED;
    c->link[TP_LINK_HANDSHAKE_ACK] = v->seg->frame;
    if (c->link[TP_LINK_SYN])
        c->handshake_ns = v->seg->time_ns - c->first_ns;     /* the SYN opened it */
    if (c->open_kind == TP_OPEN_INCOMPLETE || c->open_kind == TP_OPEN_UNANSWERED)
        c->open_kind = TP_OPEN_THREE_WAY;
    v->completed_handshake = !v->syn;
}

static void check_teardown_done(view *v)
{
    tp_conn *c = v->c;
    if (c->cflags & TP_CONN_TORN_DOWN)
        return;
    bool done = is_self(c) ? (c->ep[0].flags & TP_EP_FIN_ACKED)
                           : (c->ep[0].flags & c->ep[1].flags & TP_EP_FIN_ACKED);
    if (!done || !both_fins(c))
        return;
    c->cflags |= TP_CONN_TORN_DOWN;
    c->link[TP_LINK_LAST_ACK] = v->seg->frame;
    c->teardown_ns = v->seg->time_ns - c->teardown_start_ns;
    c->close_kind = is_self(c)                         ? TP_CLOSE_SELF
                  : (c->cflags & TP_CONN_SIM_CLOSE)       ? TP_CLOSE_SIMULTANEOUS
                  : (c->cflags & TP_CONN_THREE_WAY_CLOSE) ? TP_CLOSE_THREE_WAY
                                                          : TP_CLOSE_FOUR_WAY;
    v->completed_teardown = true;
}

static void update_close_kind(tp_conn *c)
{
    if (conn_over(c))
        return;
    if (both_fins(c))
        c->close_kind = TP_CLOSE_INCOMPLETE;
    else if (any_fin(c))
        c->close_kind = TP_CLOSE_HALF_CLOSED;
}

static tp_phase current_phase(const tp_conn *c)
{
    if (c->cflags & TP_CONN_TORN_DOWN)
        return TP_PHASE_CLOSED;
    if (c->cflags & TP_CONN_RESET)
        return TP_PHASE_RESET;
    if (any_fin(c))
        return TP_PHASE_TEARDOWN;
    if (!(c->cflags & TP_CONN_ESTABLISHED))
        return TP_PHASE_HANDSHAKE;
    return TP_PHASE_ESTABLISHED;
}

/* ---- Connections ------------------------------------------------------------------ */

/* A bare SYN on a tuple whose connection is over, or whose handshake this
 * sender is starting afresh with a new ISN, begins a new incarnation.  In a
 * synchronized connection a new SYN is ignored (RFC 5961 section 4). */
static bool starts_new_incarnation(const tp_conn *c, const tp_segment *seg, unsigned sender)
{
    if ((seg->flags & (TP_SYN | TP_ACK | TP_RST | TP_FIN)) != TP_SYN)
        return false;
    const tp_endpoint *S = &c->ep[is_self(c) ? 0 : sender];
    /* An accepted RST closed the sender (RFC 9293 section 3.10.7.3): its
     * next SYN is a new attempt even with the same ISN (Windows retries a
     * refused connect so). */
    if ((c->cflags & TP_CONN_RESET) && !(c->cflags & TP_CONN_TORN_DOWN) &&
        S->state == TP_STATE_CLOSED && (S->flags & TP_EP_SENT_SYN))
        return true;
    if (isn_known(S) && seg->seq == S->isn)
        return false;                                      /* a retransmission */
    if (conn_over(c) || both_fins(c))
        return true;
    return !(c->cflags & TP_CONN_ESTABLISHED) && isn_known(S);
}

/* When the previous incarnation's TIME_WAIT would have ended. */
static bool within_time_wait(const tp_engine *eng, const tp_conn *prev, int64_t now)
{
    if ((prev->cflags & TP_CONN_RESET) && !(prev->cflags & TP_CONN_TORN_DOWN))
        return false;                                      /* an RST leaves no TIME_WAIT */
    if (!both_fins(prev))
        return false;
    int64_t closed_at = (prev->cflags & TP_CONN_TORN_DOWN)
                            ? prev->teardown_start_ns + prev->teardown_ns : prev->last_ns;
    return now - closed_at < eng->cfg.time_wait_ns;
}

static void conn_begin(tp_conn *c, const tp_segment *seg)
{
    c->first_frame = seg->frame;
    c->first_ns = seg->time_ns;
    c->teardown_start_ns = -1;
    c->handshake_ns = c->teardown_ns = -1;
    c->close_kind = TP_CLOSE_OPEN;
    if (tp_endpoint_equal(&seg->src, seg->sport, &seg->dst, seg->dport))
        c->cflags |= TP_CONN_SELF;

    unsigned f = seg->flags & (TP_SYN | TP_ACK | TP_RST);
    if (f == TP_SYN) {                     /* the SYN: its sender is the client */
        c->cflags |= TP_CONN_HANDSHAKE_SEEN | TP_CONN_ROLES_KNOWN;
        c->client = 0;
        set_state(&c->ep[0], TP_STATE_CLOSED);
        set_state(&c->ep[1], TP_STATE_LISTEN);
        c->open_kind = is_self(c) ? TP_OPEN_SELF_CONNECT : TP_OPEN_UNANSWERED;
        c->link[TP_LINK_SYN] = seg->frame;
    } else if (f == (TP_SYN | TP_ACK)) {   /* the SYN was missed: SYN-ACK from the server */
        c->cflags |= TP_CONN_HANDSHAKE_SEEN | TP_CONN_ROLES_KNOWN;
        c->client = 1;
        set_state(&c->ep[0], TP_STATE_LISTEN);
        set_state(&c->ep[1], TP_STATE_SYN_SENT);
        c->ep[1].isn = seg->ack - 1;
        c->ep[1].snd_nxt = seg->ack;
        c->ep[1].flags |= TP_EP_SEQ_KNOWN | TP_EP_SENT_SYN;
        c->open_kind = TP_OPEN_NOT_SEEN;
    } else {                               /* mid-stream: assume synchronized */
        c->cflags |= TP_CONN_ESTABLISHED;
        set_state(&c->ep[0], TP_STATE_ESTABLISHED);
        set_state(&c->ep[1], TP_STATE_ESTABLISHED);
        c->open_kind = is_self(c) ? TP_OPEN_SELF_CONNECT : TP_OPEN_NOT_SEEN;
    }
}

static tp_role sender_role(const tp_conn *c, unsigned s)
{
    if (is_self(c))
        return TP_ROLE_SELF;
    if (c->cflags & TP_CONN_SIMULTANEOUS)
        return TP_ROLE_PEER;
    if (!(c->cflags & TP_CONN_ROLES_KNOWN))
        return TP_ROLE_UNKNOWN;
    return s == c->client ? TP_ROLE_CLIENT : TP_ROLE_SERVER;
}

static bool is_handshake_step(tp_step s)
{
    return s == TP_STEP_SYN || s == TP_STEP_SYN_ACK || s == TP_STEP_HANDSHAKE_ACK ||
           s == TP_STEP_SYN_RETRANSMISSION || s == TP_STEP_SYN_ACK_RETRANSMISSION;
}

/* ---- The engine ------------------------------------------------------------------ */

void tp_config_default(tp_config *cfg)
{
    cfg->time_wait_ns = 60LL * 1000000000LL;   /* Linux: TCP_TIMEWAIT_LEN */
}

tp_engine *tp_engine_new(const tp_config *cfg)
{
    tp_engine *eng = calloc(1, sizeof(*eng));
    if (!eng)
        return NULL;
    if (cfg)
        eng->cfg = *cfg;
    else
        tp_config_default(&eng->cfg);
    eng->rebuilt = calloc(REBUILT_CACHE, sizeof(*eng->rebuilt));
    if (!eng->rebuilt || !tp_conn_table_init(&eng->table)) {
        free(eng->rebuilt);
        free(eng);
        return NULL;
    }
    return eng;
}

void tp_engine_free(tp_engine *eng)
{
    if (!eng)
        return;
    tp_conn_table_destroy(&eng->table);
    tp_zeek_parts_free(eng->zeek_parts);
    free(eng->rebuilt);
    free(eng);
}

uint32_t tp_engine_conn_count(const tp_engine *eng)
{
    return eng->table.count;
}

size_t tp_engine_memory(const tp_engine *eng)
{
    return sizeof(*eng) + REBUILT_CACHE * sizeof(*eng->rebuilt) +
           tp_conn_table_memory(&eng->table) +
           tp_zeek_parts_memory(eng->zeek_parts);
}

/* A new connection's record before its first segment. */
static void conn_open(tp_conn_record *r, uint32_t id, const tp_segment *seg)
{
    tp_conn *c = &r->conn;
    memset(c, 0, sizeof(*c));
    c->id = id;
    c->addr[0] = seg->src;
    c->port[0] = seg->sport;
    c->addr[1] = seg->dst;
    c->port[1] = seg->dport;
    conn_begin(c, seg);
    tp_zeek_conn zc = { c->id, c->first_ns, is_self(c) };
    tp_zeek_begin(&r->zeek, &zc, seg);
}

/* An endpoint that sent an acceptable RST is CLOSED (RFC 9293 section
 * 3.10.7.4): it sends nothing more on the connection but RSTs.  If it goes
 * on with new data, or acknowledges new data, at the sequence number where
 * it stood, the RST was not its own doing or not what its peer took (an
 * injected RST, one lost behind the capture point): the connection did not
 * end.  Checked only for an RST that reset a synchronized connection. */
static bool rst_sender_went_on(const view *v)
{
    const tp_conn *c = v->c;
    const tp_endpoint *S = v->S, *R = v->R;
    if (!(c->cflags & TP_CONN_RESET) || (c->cflags & TP_CONN_TORN_DOWN) ||
        !(c->cflags & TP_CONN_ESTABLISHED) || is_self(c) || !(S->flags & TP_EP_RESET_BY))
        return false;
    if (v->rst || v->syn || !v->ack || !(S->flags & TP_EP_SEQ_KNOWN) ||
        !seq_near(v->seg->seq, S->snd_nxt, RST_SLACK))
        return false;
    if ((R->flags & TP_EP_SEQ_KNOWN) && seq_gt(v->seg->ack, R->snd_nxt))
        return false;                       /* acknowledges what was never sent */
    return v->new_data ||
           ((S->flags & TP_EP_SENT_ACK) && seq_gt(v->seg->ack, S->last_ack));
}

/* Undo the RST: both endpoints are where they were before it. */
static void revive(view *v)
{
    tp_conn *c = v->c;
    set_state(v->S, (tp_tcp_state)v->S->pre_rst_state);
    set_state(v->R, (tp_tcp_state)v->R->pre_rst_state);
    c->cflags &= (uint16_t)~TP_CONN_RESET;
    c->close_kind = TP_CLOSE_OPEN;
    c->link[TP_LINK_RST] = 0;               /* it did not end the connection */
    update_close_kind(c);
}

/* Both endpoints went on after the RST: it had no effect. */
static void note_rst_ignored(view *v, tp_endpoint *rst_sender)
{
    rst_sender->flags &= (uint16_t)~TP_EP_RESET_BY;
    v->c->cflags |= TP_CONN_RST_IGNORED;
    v->c->anomalies |= TP_ANOM_BIT(TP_ANOM_RST_IGNORED);
}

/* The segment is accepted: the sender sends it, the receiver receives it,
 * and the connection notes what that completed.  Returns the sender's
 * state right after sending. */
static uint8_t move_endpoints(view *v)
{
    on_send(v);
    uint8_t sender_state = v->S->state;
    note_sent(v);
    on_receive(v);
    check_handshake_done(v);
    check_teardown_done(v);
    update_close_kind(v->c);
    return sender_state;
}

/* A second SYN-ACK with another ISN, before the handshake completed, is
 * out of window for now; the client's ACK will say (follow_accepted_syn_ack()). */
static void note_other_syn_ack(view *v)
{
    if (v->syn && v->ack && !v->rst && (v->S->flags & TP_EP_SENT_SYN_ACK) &&
        v->seg->seq != v->S->isn && !(v->c->cflags & TP_CONN_ESTABLISHED) && v->S != v->R)
        v->S->flags |= TP_EP_OTHER_ISN;
}

/* What every segment leaves, whatever it was: the summaries' counters and
 * the label's connection, sender role and anomalies (the caller fills in
 * the step, the phase and the states).  s: the sender's endpoint index. */
#if defined(__GNUC__)
__attribute__((always_inline))   /* a call here costs the fast path ~20 instructions */
#endif
static inline void note_segment(tp_conn *c, unsigned s, const tp_segment *seg,
                                uint16_t anomalies, tp_label *label)
{
    c->ep[s].packets++;
    c->ep[s].bytes += seg->payload_len;
    c->last_frame = seg->frame;
    c->last_ns = seg->time_ns;
    c->anomalies |= anomalies;

    label->conn_id = c->id;
    label->role = (uint8_t)sender_role(c, s);
    label->anomalies = anomalies;
    label->spare = 0;
}

/* conn_apply()'s fast path, as Linux's header prediction in
 * tcp_rcv_established() is tcp_rcv_state_process()'s: the segment most
 * captures are made of (more than half of gencap's mix), an ACK with or
 * without data and without SYN, FIN or RST, inside the window of a
 * connection whose endpoints are both ESTABLISHED and that no FIN, RST or
 * second SYN-ACK has marked.  For it conn_apply()'s general path comes down
 * to the lines below: catching up, following a SYN-ACK, the RST revival,
 * on_send(), on_receive(), the milestones and update_close_kind() all leave
 * it as it is, classify_other() picks between data, data retransmission and
 * ACK, and the phase is ESTABLISHED.  Skipping the rest saves about 180
 * instructions on such a segment: tp_engine_feed() costs about 755
 * instructions per packet of the mix in tshark -Y tcp instead of 859
 * (callgrind).  Returns false, having changed nothing, for any other
 * segment. */
static bool apply_established_ack(tp_conn *c, unsigned sender, const tp_segment *seg,
                                  uint16_t reuse_anomaly, tp_label *label)
{
    if ((seg->flags & (TP_SYN | TP_ACK | TP_FIN | TP_RST)) != TP_ACK ||
        (c->cflags & (TP_CONN_ESTABLISHED | TP_CONN_TORN_DOWN | TP_CONN_RESET | TP_CONN_SELF)) !=
            TP_CONN_ESTABLISHED)
        return false;
    tp_endpoint *S = &c->ep[sender], *R = &c->ep[1 - sender];
    if (S->state != TP_STATE_ESTABLISHED || R->state != TP_STATE_ESTABLISHED ||
        ((S->flags | R->flags) & (TP_EP_SENT_FIN | TP_EP_RESET_BY | TP_EP_OTHER_ISN)))
        return false;
    /* in_window(), and catch_up_with_peer_ack() has nothing to do. */
    bool seq_known = S->flags & TP_EP_SEQ_KNOWN;
    if (seq_known && !seq_near(seg->seq, S->snd_nxt, MAX_WINDOW))
        return false;

    /* view_judge(), then note_sent(). */
    uint32_t end = seg->seq + seg->payload_len;
    bool new_data = seg->payload_len > 0 && (!seq_known || seq_gt(end, S->snd_nxt));
    note_seq_sent(S, end);
    note_ack_sent(S, seg->ack);
    /* classify_other(); every step it can give here is ESTABLISHED's. */
    tp_step step = new_data ? TP_STEP_DATA : repeat_or_ack(seg, S);

    note_segment(c, sender, seg, reuse_anomaly, label);
    label->step = (uint8_t)step;
    label->phase = TP_PHASE_ESTABLISHED;
    label->sender_state = TP_STATE_ESTABLISHED;
    label->receiver_state = TP_STATE_ESTABLISHED;
    return true;
}

/* Move connection c through segment seg, sent by endpoint `sender`, and
 * label it. */
static void conn_apply(tp_conn *c, unsigned sender, const tp_segment *seg,
                       uint16_t reuse_anomaly, tp_label *label)
{
    if (apply_established_ack(c, sender, seg, reuse_anomaly, label))
        return;

    view v;
    view_init(&v, c, seg, sender);
    catch_up_with_peer_ack(&v);
    follow_accepted_syn_ack(&v);
    view_judge(&v);
    v.anomalies = reuse_anomaly;
    tp_step step;
    uint8_t sender_state;

    if (rst_sender_went_on(&v)) {
        revive(&v);
        if (v.R->flags & TP_EP_WENT_ON)
            note_rst_ignored(&v, v.S);
    } else if (!v.rst && !conn_over(c) && (v.R->flags & TP_EP_RESET_BY) &&
               !(v.S->flags & TP_EP_RESET_BY)) {
        note_rst_ignored(&v, v.R);          /* the RST's receiver speaks after the revival */
    }

    if (conn_over(c)) {
        step = classify_after_close(&v);
        sender_state = v.S->state;
    } else if (v.rst) {
        step = classify_rst(&v);
        sender_state = v.S->state;
    } else if (!in_window(&v)) {
        step = TP_STEP_OUT_OF_WINDOW;
        sender_state = v.S->state;
        note_other_syn_ack(&v);
    } else if (v.fin && !v.ack && !v.syn && synchronized(v.R)) {
        /* RFC 9293 section 3.10.7.4, fifth check: "if the ACK bit is off,
         * drop the segment".  The receiver never sees this FIN: no teardown
         * starts, and what follows is judged without it. */
        step = TP_STEP_OUT_OF_WINDOW;
        sender_state = v.S->state;
        v.anomalies |= TP_ANOM_BIT(TP_ANOM_FIN_WITHOUT_ACK);
    } else if (v.syn || v.fin) {
        /* A SYN or a FIN says what it is before the states move (and may
         * turn out to belong to no state at all). */
        step = v.syn ? classify_syn(&v) : classify_fin(&v);
        if (step == TP_STEP_OUT_OF_WINDOW) {
            sender_state = v.S->state;
            note_other_syn_ack(&v);
        } else {
            sender_state = move_endpoints(&v);
            if (step == TP_STEP_FIN_RETRANSMISSION && v.fin_newly_acked)
                /* A repeated FIN that is also the first to acknowledge the
                 * peer's FIN (a simultaneous close finished by the
                 * retransmission, RFC 9293 section 3.6) is that
                 * acknowledgment, the last ACK if it ends the teardown. */
                step = v.completed_teardown ? TP_STEP_LAST_ACK : TP_STEP_FIN_ACK;
        }
    } else {
        /* Data and ACKs are what they did to the states. */
        sender_state = move_endpoints(&v);
        step = classify_other(&v);
    }

    /* Phase: fixed by the step, except for the steps that take the
     * connection's (what is around them decides). */
    tp_phase phase;
    switch (step) {
    case TP_STEP_ACK:
    case TP_STEP_DATA_RETRANSMISSION:
    case TP_STEP_OUT_OF_WINDOW:
        phase = current_phase(c);
        break;
    default:
        phase = tp_step_phase(step);
        break;
    }

    if (is_self(c) && is_handshake_step(step))
        v.anomalies |= TP_ANOM_BIT(TP_ANOM_SELF_CONNECT);
    if ((c->cflags & TP_CONN_SIMULTANEOUS) && is_handshake_step(step) &&
        step != TP_STEP_HANDSHAKE_ACK)
        v.anomalies |= TP_ANOM_BIT(TP_ANOM_SIMULTANEOUS_OPEN);

    note_segment(c, v.s, seg, v.anomalies, label);
    label->step = (uint8_t)step;
    label->phase = (uint8_t)phase;
    label->sender_state = sender_state;
    label->receiver_state = v.R->state;
}

/* Both views of the connection take the segment: the phase engine's, which
 * labels it, and Zeek's, which only watches. */
static void record_apply(tp_zeek_parts **zeek_parts, tp_conn_record *r, unsigned sender,
                         const tp_segment *seg, uint16_t reuse_anomaly, tp_label *label)
{
    tp_zeek_conn zc = { r->conn.id, r->conn.first_ns, is_self(&r->conn) };
    conn_apply(&r->conn, sender, seg, reuse_anomaly, label);
    tp_zeek_segment(zeek_parts, &r->zeek, &zc, is_self(&r->conn) ? 0 : sender, seg);
}


/* A seed's connection: its first segment again, from the start.  The first
 * segment of a connection never ends a Zeek part, so no part is recorded. */
static void rebuild_seed(const tp_engine *eng, uint32_t id, tp_conn_record *out)
{
    tp_segment seg;
    uint8_t marks;
    tp_label unused;
    tp_zeek_parts *no_parts = NULL;
    tp_conn_table_seed(&eng->table, id, &seg, &marks);
    conn_open(out, id, &seg);
    record_apply(&no_parts, out, 0, &seg,
                 (marks & TP_SEED_TIME_WAIT_REUSE) ? TP_ANOM_BIT(TP_ANOM_TIME_WAIT_REUSE) : 0,
                 &unused);
}

/* The rebuilt cache's entry for id. */
static tp_conn_record *rebuilt_entry(const tp_engine *eng, uint32_t id)
{
    return &eng->rebuilt[id & (REBUILT_CACHE - 1)];
}

/* Connection id as it stands (engine_private.h): a full one in place; a
 * seed or a packed one from the rebuilt cache if it holds it, else rebuilt
 * into *scratch.  NULL if there is no such connection. */
const tp_conn_record *tp_engine_record(const tp_engine *eng, uint32_t id,
                                       tp_conn_record *scratch)
{
    const tp_conn_record *cached = rebuilt_entry(eng, id);
    switch (tp_conn_table_form(&eng->table, id)) {
    case TP_FORM_FULL:
        return tp_conn_table_full(&eng->table, id);
    case TP_FORM_SEED:
        if (cached->conn.id == id)
            return cached;
        rebuild_seed(eng, id, scratch);
        return scratch;
    case TP_FORM_PACKED:
        if (cached->conn.id == id)
            return cached;
        tp_conn_table_unpack(&eng->table, id, scratch);
        return scratch;
    case TP_FORM_NONE:
        break;
    }
    return NULL;
}

static void view_of(const tp_conn_record *r, tp_conn_view *out)
{
    const tp_conn *c = &r->conn;
    out->id = c->id;
    out->first_frame = c->first_frame;
    out->last_frame = c->last_frame;
    memcpy(out->link, c->link, sizeof out->link);
    out->first_ns = c->first_ns;
    out->last_ns = c->last_ns;
    out->handshake_ns = c->handshake_ns;
    out->teardown_ns = c->teardown_ns;
    for (unsigned e = 0; e < 2; e++) {
        out->bytes[e] = c->ep[e].bytes;
        out->packets[e] = c->ep[e].packets;
        out->addr[e] = c->addr[e];
        out->port[e] = c->port[e];
    }
    out->anomalies = c->anomalies;
    out->open_kind = c->open_kind;
    out->close_kind = c->close_kind;
    out->client = c->client;
    out->roles_known = c->cflags & TP_CONN_ROLES_KNOWN;
    out->self_connect = is_self(c);
    out->simultaneous_open = c->cflags & TP_CONN_SIMULTANEOUS;
    out->rst_ignored = c->cflags & TP_CONN_RST_IGNORED;
    out->zeek_orig = r->zeek.orig;
    out->zeek_state = (uint8_t)tp_zeek_state_of(&r->zeek);
    out->zeek_part = r->zeek.part;
    memcpy(out->zeek_history, r->zeek.history, sizeof out->zeek_history);
}

bool tp_engine_conn(const tp_engine *eng, uint32_t id, tp_conn_view *out)
{
    tp_conn_record scratch;
    const tp_conn_record *r = tp_engine_record(eng, id, &scratch);
    if (!r)
        return false;
    view_of(r, out);
    return true;
}

uint32_t tp_engine_feed(tp_engine *eng, const tp_segment *seg, tp_label *label)
{
    if ((seg->src.family != 4 && seg->src.family != 6) || seg->dst.family != seg->src.family)
        return 0;

    unsigned sender = 0;
    tp_conn_record *r = NULL;
    uint32_t id = tp_conn_table_find(&eng->table, seg, &sender, &r);
    bool seed = id && !r;
    if (seed) {
        r = rebuilt_entry(eng, id);
        if (r->conn.id != id)
            rebuild_seed(eng, id, r);
    }
    uint8_t marks = 0;
    if (r && starts_new_incarnation(&r->conn, seg, sender)) {
        if (within_time_wait(eng, &r->conn, seg->time_ns))
            marks |= TP_SEED_TIME_WAIT_REUSE;
        r = NULL;
    }
    if (!r) {
        /* A new connection: kept as a seed of this segment (conn_table.h),
         * and worked out in its rebuilt cache entry to label it. */
        uint32_t prev = id;
        id = tp_conn_table_create(&eng->table, seg, marks);
        if (!id)
            return 0;
        if (prev && tp_conn_table_form(&eng->table, prev) == TP_FORM_FULL)
            tp_conn_table_pack(&eng->table, prev);   /* its tuple has a newer incarnation */
        r = rebuilt_entry(eng, id);
        conn_open(r, id, seg);
        record_apply(&eng->zeek_parts, r, 0, seg,
                     (marks & TP_SEED_TIME_WAIT_REUSE) ? TP_ANOM_BIT(TP_ANOM_TIME_WAIT_REUSE) : 0,
                     label);
        return id;
    }
    if (seed) {
        /* A seed's second segment: from now on it is kept in full. */
        tp_conn_record *full = tp_conn_table_grow(&eng->table, id);
        if (!full)
            return 0;
        *full = *r;
        r->conn.id = 0;     /* the cache entry no longer stands for a seed */
        r = full;
    }
    record_apply(&eng->zeek_parts, r, sender, seg, 0, label);
    return id;
}

/* ---- Labels in the light of the whole connection ---------------------------------- */

void tp_engine_zeek_verdict(const tp_engine *eng, const tp_conn_view *conn, uint32_t frame,
                            tp_zeek_state *state, const char **history)
{
    if (conn->zeek_part == 0 ||
        !tp_zeek_earlier_part(eng->zeek_parts, conn->id, conn->zeek_part, frame, state, history)) {
        *state = (tp_zeek_state)conn->zeek_state;
        *history = conn->zeek_history;
    }
}

tp_role tp_label_role(const tp_label *label, const tp_conn_view *conn)
{
    if (conn && conn->simultaneous_open &&
        (label->role == TP_ROLE_CLIENT || label->role == TP_ROLE_SERVER))
        return TP_ROLE_PEER;
    return (tp_role)label->role;
}

uint16_t tp_label_anomalies(const tp_label *label, const tp_conn_view *conn)
{
    uint16_t a = label->anomalies;
    if (!conn)
        return a;
    tp_step step = (tp_step)label->step;
    if (conn->simultaneous_open && (step == TP_STEP_SYN || step == TP_STEP_SYN_RETRANSMISSION))
        a |= TP_ANOM_BIT(TP_ANOM_SIMULTANEOUS_OPEN);
    if (conn->open_kind == TP_OPEN_UNANSWERED &&
        (step == TP_STEP_SYN || step == TP_STEP_SYN_RETRANSMISSION))
        a |= TP_ANOM_BIT(TP_ANOM_SYN_UNANSWERED);
    if (conn->close_kind == TP_CLOSE_HALF_CLOSED && step == TP_STEP_FIN_ACTIVE)
        a |= TP_ANOM_BIT(TP_ANOM_HALF_CLOSED_AT_END);
    /* The label does not say which RST was ignored; a connection that an
     * RST ended in the end has one that was not, so the item is shown only
     * where every RST that reset the connection was ignored. */
    if (conn->rst_ignored && conn->close_kind != TP_CLOSE_RESET &&
        (step == TP_STEP_RST_ABORT || step == TP_STEP_RST_TEARDOWN))
        a |= TP_ANOM_BIT(TP_ANOM_RST_IGNORED);
    return a;
}
