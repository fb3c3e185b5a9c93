/* tcpphase.h — where a TCP segment sits in the life of its connection.
 *
 * The core knows TCP and nothing of Wireshark: a front end (the epan plugin,
 * the batch tool, a unit test, a fuzzer) hands it the facts of each segment
 * in capture order and gets back a label.  The same core drives every front
 * end, so they cannot disagree.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_H
#define TCPPHASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- What a segment is ------------------------------------------------- */

/* TCP header flag bits, as on the wire (byte 13 of the header). */
enum {
    TP_FIN = 0x01,
    TP_SYN = 0x02,
    TP_RST = 0x04,
    TP_PSH = 0x08,
    TP_ACK = 0x10,
    TP_URG = 0x20,
    TP_ECE = 0x40,
    TP_CWR = 0x80,
};

typedef struct tp_addr {
    uint8_t family;     /* 4 or 6 */
    uint8_t bytes[16];  /* IPv4 uses the first 4 */
} tp_addr;

/* The facts of one segment, as a front end read them from the capture. */
typedef struct tp_segment {
    uint32_t frame;       /* frame number in the capture, from 1 */
    int64_t  time_ns;     /* capture time, nanoseconds since the epoch */
    tp_addr  src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint32_t payload_len; /* TCP payload bytes (from the IP length, not the snap length) */
    uint16_t window;      /* raw window field, not scaled */
    uint8_t  flags;       /* TP_SYN | TP_ACK | ... */
} tp_segment;

/* ---- What the core says about it --------------------------------------- */

typedef enum tp_phase {
    TP_PHASE_HANDSHAKE,
    TP_PHASE_ESTABLISHED,
    TP_PHASE_TEARDOWN,
    TP_PHASE_CLOSED,
    TP_PHASE_RESET,
    TP_PHASE_COUNT
} tp_phase;

/* The segment's role in the connection (SPEC.md, "tcpphase.step"). */
typedef enum tp_step {
    TP_STEP_SYN,
    TP_STEP_SYN_ACK,
    TP_STEP_HANDSHAKE_ACK,
    TP_STEP_SYN_RETRANSMISSION,
    TP_STEP_SYN_ACK_RETRANSMISSION,
    TP_STEP_DATA,
    TP_STEP_ACK,
    TP_STEP_FIN_ACTIVE,
    TP_STEP_FIN_PASSIVE,
    TP_STEP_FIN_SIMULTANEOUS,
    TP_STEP_FIN_ACK,
    TP_STEP_LAST_ACK,
    TP_STEP_FIN_RETRANSMISSION,
    TP_STEP_HALF_CLOSE_DATA,
    TP_STEP_DATA_AFTER_FIN,
    TP_STEP_RST_REFUSED,
    TP_STEP_RST_HANDSHAKE,
    TP_STEP_RST_ABORT,
    TP_STEP_RST_TEARDOWN,
    TP_STEP_AFTER_CLOSE,
    /* Additions to SPEC.md's table (documented in the README): */
    TP_STEP_DATA_RETRANSMISSION, /* only data already sent: no new bytes */
    TP_STEP_OUT_OF_WINDOW,       /* cannot belong to the connection; changes nothing */
    TP_STEP_COUNT
} tp_step;

typedef enum tp_role {
    TP_ROLE_UNKNOWN,
    TP_ROLE_CLIENT,
    TP_ROLE_SERVER,
    TP_ROLE_PEER,
    TP_ROLE_SELF,
    TP_ROLE_COUNT
} tp_role;

/* RFC 9293 section 3.3.2 states, plus UNKNOWN. */
typedef enum tp_tcp_state {
    TP_STATE_UNKNOWN,
    TP_STATE_CLOSED,
    TP_STATE_LISTEN,
    TP_STATE_SYN_SENT,
    TP_STATE_SYN_RECEIVED,
    TP_STATE_ESTABLISHED,
    TP_STATE_FIN_WAIT_1,
    TP_STATE_FIN_WAIT_2,
    TP_STATE_CLOSE_WAIT,
    TP_STATE_CLOSING,
    TP_STATE_LAST_ACK,
    TP_STATE_TIME_WAIT,
    TP_STATE_COUNT
} tp_tcp_state;

typedef enum tp_open_kind {
    TP_OPEN_THREE_WAY,
    TP_OPEN_SIMULTANEOUS,
    TP_OPEN_SELF_CONNECT,
    TP_OPEN_REFUSED,
    TP_OPEN_UNANSWERED,
    TP_OPEN_INCOMPLETE,
    TP_OPEN_NOT_SEEN,
    TP_OPEN_COUNT
} tp_open_kind;

typedef enum tp_close_kind {
    TP_CLOSE_FOUR_WAY,
    TP_CLOSE_THREE_WAY,
    TP_CLOSE_SIMULTANEOUS,
    TP_CLOSE_SELF,
    TP_CLOSE_HALF_CLOSED,
    TP_CLOSE_RESET,
    TP_CLOSE_OPEN,
    TP_CLOSE_INCOMPLETE,
    TP_CLOSE_COUNT
} tp_close_kind;

/* Anomalies, one bit each: the expert items of SPEC.md. */
typedef enum tp_anomaly {
    TP_ANOM_SIMULTANEOUS_OPEN,
    TP_ANOM_SELF_CONNECT,
    TP_ANOM_HALF_CLOSE,
    TP_ANOM_DATA_AFTER_FIN,
    TP_ANOM_HALF_CLOSED_AT_END,
    TP_ANOM_REFUSED,
    TP_ANOM_SYN_UNANSWERED,
    TP_ANOM_TIME_WAIT_REUSE,
    TP_ANOM_TIME_WAIT_RST,
    TP_ANOM_BAD_SYN_ACK,
    TP_ANOM_FIN_WITHOUT_ACK,
    TP_ANOM_RST_IGNORED,
    TP_ANOM_COUNT
} tp_anomaly;
#define TP_ANOM_BIT(a) ((uint16_t)(1u << (a)))

/* What the core says about one segment at the moment it is fed.
 * Twelve bytes: front ends keep one per TCP frame. */
typedef struct tp_label {
    uint32_t conn_id;        /* 1, 2, ... in order of first segment */
    uint8_t  step;           /* tp_step */
    uint8_t  phase;          /* tp_phase */
    uint8_t  role;           /* tp_role of the sender, as known then */
    uint8_t  sender_state;   /* tp_tcp_state after sending */
    uint8_t  receiver_state; /* tp_tcp_state after receiving */
    uint8_t  zeek_part;      /* tp_zeek.part when fed: which of Zeek's connections */
    uint16_t anomalies;      /* TP_ANOM_BIT()s known at that moment */
} tp_label;

/* ---- Connections --------------------------------------------------------- */

/* Frame links of a connection; 0 = not seen. */
typedef enum tp_link {
    TP_LINK_SYN,
    TP_LINK_SYN_ACK,
    TP_LINK_HANDSHAKE_ACK,  /* the segment that completed the handshake */
    TP_LINK_FIN_ACTIVE,
    TP_LINK_FIN_PASSIVE,
    TP_LINK_LAST_ACK,
    TP_LINK_RST,
    TP_LINK_COUNT
} tp_link;

/* One endpoint as the capture shows it.  32 bytes: two per connection. */
typedef struct tp_endpoint {
    uint64_t bytes;        /* payload bytes sent */
    uint32_t isn;          /* sequence number of its SYN or SYN-ACK (valid if SENT_SYN or
                            * SENT_SYN_ACK); a SYN-ACK repeats the ISN of the SYN before it,
                            * and a SYN with another one is never taken (out_of_window) */
    uint32_t snd_nxt;      /* highest sequence number sent + 1 (valid if SEQ_KNOWN) */
    uint32_t fin_seq;      /* sequence number of its FIN (valid if SENT_FIN) */
    uint32_t last_ack;     /* highest acknowledgment number sent (valid if SENT_ACK) */
    uint32_t packets;      /* segments sent */
    uint16_t flags;        /* TP_EP_* */
    uint8_t  state;        /* tp_tcp_state */
    uint8_t  pre_rst_state; /* state before the connection's last accepted RST: where it
                             * returns if the RST turns out to have had no effect */
} tp_endpoint;

enum {
    TP_EP_SEQ_KNOWN     = 1u << 0,
    TP_EP_SENT_SYN      = 1u << 1,  /* sent a SYN without ACK */
    TP_EP_SENT_SYN_ACK  = 1u << 2,
    TP_EP_SENT_FIN      = 1u << 3,
    TP_EP_FIN_ACKED     = 1u << 4,  /* the peer acknowledged its FIN */
    TP_EP_SENT_RST      = 1u << 5,
    TP_EP_HALF_CLOSE    = 1u << 6,  /* sent data after the peer's FIN (expert raised once) */
    TP_EP_SENT_DATA     = 1u << 7,
    TP_EP_SENT_ACK      = 1u << 8,
    TP_EP_BAD_SYN_ACK   = 1u << 9,  /* its SYN-ACK acknowledged the wrong number */
    TP_EP_PASSIVE_OPEN  = 1u << 10, /* entered SYN_RECEIVED from LISTEN: an RST returns it there */
    TP_EP_STRAY_ACK     = 1u << 11, /* its bare ACK reached a peer in SYN_SENT that could not
                                     * accept it (an older connection's) */
    TP_EP_RESET_BY      = 1u << 12, /* sent the connection's last accepted RST; after the
                                     * RST proved ignored, until the peer spoke again */
    TP_EP_WENT_ON       = 1u << 13, /* sent something other than an RST after the peer's RST */
    TP_EP_OTHER_ISN     = 1u << 14, /* sent a second SYN-ACK with another ISN before the
                                     * handshake completed: the peer's ACK tells which counts */
};

/* Zeek's view of the same connection (zeek.c): per-endpoint states and
 * the history string, kept beside ours because its rules differ.  Zeek
 * ends a connection on its own timers (5 s after a close or a reset, an
 * attempt unanswered for 5 s) and starts another on the same tuple where
 * tcpphase keeps one; `part` counts those, and the verdicts of the earlier
 * parts are kept by the engine (tp_engine_zeek_verdict). */
typedef struct tp_zeek {
    char     history[23];   /* NUL-terminated; letters past the end are dropped */
    uint8_t  part;          /* which of Zeek's connections on this tuple: 0, 1, ... */
    uint32_t timer_ms;      /* when Zeek drops this part, ms after first_ns + 1; 0 = none */
    uint32_t start_seq[2];  /* Zeek's StartSeq: the SYN's, or guessed from the first segment */
    uint32_t last_fin_seq[2], last_rst_seq[2];
    uint32_t last_seq[2];   /* Zeek's LastSeq: highest sequence sent + 1 */
    uint16_t rxmit[2];      /* retransmissions (saturating), for the T letters */
    uint16_t seen;          /* once-per-direction letters: bit per letter, responder's << 8 */
    uint8_t  zero_win[2];   /* zero windows (saturating), for the W letters */
    uint8_t  state[2];      /* Zeek TCP_* endpoint states, [0] originator */
    uint8_t  orig;          /* which tp endpoint is Zeek's originator */
    uint8_t  flags;
} tp_zeek;

/* Members ordered by size so that no padding is wasted.  The engine keeps
 * one for each connection that has seen more than one segment and is still
 * its tuple's current incarnation (the others are kept compact). */
typedef struct tp_conn {
    uint32_t   id;
    uint32_t   first_frame, last_frame;
    uint32_t   link[TP_LINK_COUNT];
    int64_t    first_ns, last_ns;      /* first_ns is also the first SYN's, if it opened */
    int64_t    handshake_ns;           /* first SYN to completion; -1 if not */
    int64_t    teardown_start_ns;      /* first FIN */
    int64_t    teardown_ns;            /* first FIN to last ACK; -1 if not */
    tp_endpoint ep[2];                 /* self-connect: only ep[0] is used */
    tp_addr    addr[2];                /* [0] sent the first segment seen */
    uint16_t   port[2];
    uint16_t   anomalies;              /* every anomaly raised in the connection */
    uint16_t   cflags;                 /* TP_CONN_* */
    uint8_t    open_kind;              /* tp_open_kind, so far */
    uint8_t    close_kind;             /* tp_close_kind, so far */
    uint8_t    client;                 /* index of the client endpoint, 0 or 1 */
    tp_zeek    zeek;
} tp_conn;

enum {
    TP_CONN_SELF           = 1u << 0, /* source == destination */
    TP_CONN_SIMULTANEOUS   = 1u << 1,
    TP_CONN_ESTABLISHED    = 1u << 2, /* both endpoints reached ESTABLISHED */
    TP_CONN_TORN_DOWN      = 1u << 3, /* last ACK seen */
    TP_CONN_RESET          = 1u << 4,
    TP_CONN_HANDSHAKE_SEEN = 1u << 5, /* began with SYN or SYN-ACK */
    TP_CONN_THREE_WAY_CLOSE= 1u << 6, /* passive FIN was the first ACK of the active FIN */
    TP_CONN_ROLES_KNOWN    = 1u << 7,
    TP_CONN_SIM_CLOSE      = 1u << 8, /* a FIN crossed the peer's FIN */
    TP_CONN_REUSED_TUPLE   = 1u << 9, /* an earlier incarnation had this tuple */
    TP_CONN_RST_IGNORED    = 1u << 10,/* an accepted RST had no effect: both endpoints went on */
};

/* ---- The engine ---------------------------------------------------------- */

typedef struct tp_config {
    int64_t time_wait_ns;  /* TIME_WAIT length for time_wait_reuse; default 60 s */
} tp_config;

typedef struct tp_engine tp_engine;

void tp_config_default(tp_config *cfg);

/* NULL when memory runs out. */
tp_engine *tp_engine_new(const tp_config *cfg);
void       tp_engine_free(tp_engine *eng);

/* Feed one segment, in capture order.  Fills *label and returns the
 * connection it belongs to, or NULL when the segment cannot be placed
 * (memory exhausted, bad address family).
 *
 * The connection returned here or by tp_engine_conn() is valid until the
 * next call of either (or tp_engine_free()): the engine keeps cheap
 * connections (one segment so far, or finished and replaced on their
 * tuple) in a compact form and rebuilds a tp_conn for the caller in one
 * place.  A caller needing two connections at once, or one for later,
 * copies it. */
const tp_conn *tp_engine_feed(tp_engine *eng, const tp_segment *seg, tp_label *label);

/* The connection with this id, or NULL (see tp_engine_feed() for how long
 * it stays valid). */
const tp_conn *tp_engine_conn(const tp_engine *eng, uint32_t id);
uint32_t       tp_engine_conn_count(const tp_engine *eng);

/* Bytes the engine holds, for benchmarks and bounds checks. */
size_t tp_engine_memory(const tp_engine *eng);

/* ---- Reading a label in the light of its connection ---------------------- */

/* Some things are known only from later segments: that a SYN was the first
 * of a simultaneous open (role peer), that it was never answered, that a
 * FIN's peer never closed.  These combine a stored label with its
 * connection as it stands once the whole capture has been read; a one-pass
 * front end shows the label's own role and anomalies instead. */
tp_role  tp_label_role(const tp_label *label, const tp_conn *conn);
uint16_t tp_label_anomalies(const tp_label *label, const tp_conn *conn);

/* Zeek's conn_state ("S0", "SF", ...) for the connection as it stands
 * (its last Zeek part). */
const char *tp_conn_zeek_state(const tp_conn *conn);
/* Zeek's conn_state and history for the Zeek connection a labelled segment
 * belonged to: the connection's own for its current part, the engine's
 * record of an earlier part otherwise. */
void tp_engine_zeek_verdict(const tp_engine *eng, const tp_conn *conn, const tp_label *label,
                            const char **state, const char **history);
/* The Zeek originator endpoint index (0 or 1) */
unsigned tp_conn_zeek_orig(const tp_conn *conn);

/* ---- Names (the strings users type into display filters) --------------- */

const char *tp_phase_name(tp_phase v);
const char *tp_step_name(tp_step v);
const char *tp_role_name(tp_role v);
const char *tp_state_name(tp_tcp_state v);
const char *tp_open_name(tp_open_kind v);
const char *tp_close_name(tp_close_kind v);
const char *tp_anomaly_name(tp_anomaly v);   /* "self_connect", ... */
const char *tp_link_name(tp_link v);         /* "syn_frame", ... */

/* The phase a step belongs to when it has only one (ack, data_retransmission,
 * out_of_window have none: they take the connection's). */
tp_phase tp_step_phase(tp_step v);

#ifdef __cplusplus
}
#endif

#endif /* TCPPHASE_H */
