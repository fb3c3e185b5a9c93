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

/* The segment's role in the connection ("tcpphase.step", docs/fields.md). */
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
    /* Not a step of the textbook's life, but what real captures show: */
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

/* Anomalies, one bit each: the expert items (names and texts: names.c). */
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
 * Twelve bytes, no padding (labels compare with memcmp()): front ends keep
 * one per TCP frame. */
typedef struct tp_label {
    uint32_t conn_id;        /* 1, 2, ... in order of first segment */
    uint16_t anomalies;      /* TP_ANOM_BIT()s known at that moment */
    uint8_t  step;           /* tp_step */
    uint8_t  phase;          /* tp_phase */
    uint8_t  role;           /* tp_role of the sender, as known then */
    uint8_t  sender_state;   /* tp_tcp_state after sending */
    uint8_t  receiver_state; /* tp_tcp_state after receiving */
    uint8_t  spare;          /* always 0 */
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

/* Zeek's conn_state values, in the order of Zeek's documentation. */
typedef enum tp_zeek_state {
    TP_ZEEK_S0, TP_ZEEK_S1, TP_ZEEK_SF, TP_ZEEK_REJ, TP_ZEEK_S2, TP_ZEEK_S3,
    TP_ZEEK_RSTO, TP_ZEEK_RSTR, TP_ZEEK_RSTOS0, TP_ZEEK_RSTRH, TP_ZEEK_SH, TP_ZEEK_SHR,
    TP_ZEEK_OTH,
    TP_ZEEK_STATE_COUNT
} tp_zeek_state;

/* Zeek's history letters: at most this many, NUL-terminated. */
#define TP_ZEEK_HISTORY_SIZE 23

/* A connection as it stands, copied out of the engine (tp_engine_conn()):
 * a front end may keep it as long as it likes.  Endpoint 0 is the one that
 * sent the connection's first segment. */
typedef struct tp_conn_view {
    uint32_t id;
    uint32_t first_frame, last_frame;
    uint32_t link[TP_LINK_COUNT];      /* frame numbers, 0 = not seen */
    int64_t  first_ns, last_ns;        /* capture times of the first and last segment */
    int64_t  handshake_ns;             /* first SYN to completion; -1 if not */
    int64_t  teardown_ns;              /* first FIN to last ACK; -1 if not */
    uint64_t bytes[2];                 /* payload bytes each endpoint sent */
    uint32_t packets[2];               /* segments each endpoint sent */
    tp_addr  addr[2];
    uint16_t port[2];
    uint16_t anomalies;                /* every anomaly raised in the connection */
    uint8_t  open_kind;                /* tp_open_kind, so far */
    uint8_t  close_kind;               /* tp_close_kind, so far */
    uint8_t  client;                   /* endpoint index of the client, if roles_known */
    bool     roles_known;              /* it began with a SYN or a SYN-ACK */
    bool     self_connect;             /* one socket: source == destination */
    bool     simultaneous_open;
    bool     rst_ignored;              /* an accepted RST had no effect */
    /* Zeek's verdict on its last connection on this tuple (Zeek may split
     * one of ours on its timers: tp_engine_zeek_verdict() has each part's). */
    uint8_t  zeek_orig;                /* endpoint index of Zeek's originator */
    uint8_t  zeek_part;                /* Zeek connections on this tuple before it */
    uint8_t  zeek_state;               /* tp_zeek_state */
    char     zeek_history[TP_ZEEK_HISTORY_SIZE];
} tp_conn_view;

/* ---- The engine ---------------------------------------------------------- */

typedef struct tp_config {
    int64_t time_wait_ns;  /* TIME_WAIT length for time_wait_reuse; default 60 s */
} tp_config;

typedef struct tp_engine tp_engine;

void tp_config_default(tp_config *cfg);

/* NULL when memory runs out. */
tp_engine *tp_engine_new(const tp_config *cfg);
void       tp_engine_free(tp_engine *eng);

/* Feed one segment, in capture order, and label it.  Returns the id of the
 * connection it belongs to (label->conn_id), or 0 when the segment cannot
 * be placed (memory exhausted, bad address family); *label is then unset. */
uint32_t tp_engine_feed(tp_engine *eng, const tp_segment *seg, tp_label *label);

/* Copy connection `id` as it stands into *out; false if there is none. */
bool     tp_engine_conn(const tp_engine *eng, uint32_t id, tp_conn_view *out);
uint32_t tp_engine_conn_count(const tp_engine *eng);

/* Bytes the engine holds, for benchmarks and bounds checks. */
size_t tp_engine_memory(const tp_engine *eng);

/* Zeek's conn_state and history for the Zeek connection that frame `frame`
 * of connection `conn` belonged to: Zeek ends a connection on its own timers
 * (5 s after a close or a reset, an attempt unanswered for 5 s) and starts
 * another on the same tuple where tcpphase keeps one.  *history stays valid
 * as long as the engine (the view's own for the last part). */
void tp_engine_zeek_verdict(const tp_engine *eng, const tp_conn_view *conn, uint32_t frame,
                            tp_zeek_state *state, const char **history);

/* ---- Reading a label in the light of its connection ---------------------- */

/* Some things are known only from later segments: that a SYN was the first
 * of a simultaneous open (role peer), that it was never answered, that a
 * FIN's peer never closed.  These combine a stored label with its
 * connection as it stands once the whole capture has been read; a one-pass
 * front end shows the label's own role and anomalies instead. */
tp_role  tp_label_role(const tp_label *label, const tp_conn_view *conn);
uint16_t tp_label_anomalies(const tp_label *label, const tp_conn_view *conn);

/* ---- Names (the strings users type into display filters) --------------- */

const char *tp_phase_name(tp_phase v);
const char *tp_step_name(tp_step v);
const char *tp_role_name(tp_role v);
const char *tp_state_name(tp_tcp_state v);
const char *tp_open_name(tp_open_kind v);
const char *tp_close_name(tp_close_kind v);
const char *tp_anomaly_name(tp_anomaly v);   /* "self_connect", ... */
const char *tp_link_name(tp_link v);         /* "syn_frame", ... */
const char *tp_zeek_state_name(tp_zeek_state v);   /* "S0", "SF", ... */

/* What an anomaly means, in a sentence (the expert item's text), and how
 * much it matters. */
typedef enum tp_severity {
    TP_SEVERITY_NOTE,      /* unusual but legitimate */
    TP_SEVERITY_WARN,      /* something is wrong, or an attack */
} tp_severity;
const char *tp_anomaly_text(tp_anomaly v);
tp_severity tp_anomaly_severity(tp_anomaly v);

/* The phase a step belongs to when it has only one (ack, data_retransmission,
 * out_of_window have none: they take the connection's). */
tp_phase tp_step_phase(tp_step v);

#ifdef __cplusplus
}
#endif

#endif /* TCPPHASE_H */
