/* conn.h — a connection as the phase engine keeps it.  Private to core/:
 * front ends see a tp_conn_view (tcpphase.h), copied out of this.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_CONN_H
#define TCPPHASE_CONN_H

#include "tcpphase.h"
#include "zeek.h"

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
    TP_EP_HALF_CLOSE    = 1u << 5,  /* sent data after the peer's FIN (expert raised once) */
    TP_EP_SENT_ACK      = 1u << 6,
    TP_EP_BAD_SYN_ACK   = 1u << 7,  /* its SYN-ACK acknowledged the wrong number */
    TP_EP_PASSIVE_OPEN  = 1u << 8,  /* entered SYN_RECEIVED from LISTEN: an RST returns it there */
    TP_EP_STRAY_ACK     = 1u << 9,  /* its bare ACK reached a peer in SYN_SENT that could not
                                     * accept it (an older connection's) */
    TP_EP_RESET_BY      = 1u << 10, /* sent the connection's last accepted RST; after the
                                     * RST proved ignored, until the peer spoke again */
    TP_EP_WENT_ON       = 1u << 11, /* sent something other than an RST after the peer's RST */
    TP_EP_OTHER_ISN     = 1u << 12, /* sent a second SYN-ACK with another ISN before the
                                     * handshake completed: the peer's ACK tells which counts */
};

/* A connection in RFC 9293's terms: two endpoints and what the connection
 * as a whole has shown.  Members ordered by size so that no padding is
 * wasted.  Kept in full only while it is worth it (conn_table.h). */
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
} tp_conn;

enum {
    TP_CONN_SELF           = 1u << 0, /* source == destination */
    TP_CONN_SIMULTANEOUS   = 1u << 1,
    TP_CONN_ESTABLISHED    = 1u << 2, /* both endpoints reached ESTABLISHED */
    TP_CONN_TORN_DOWN      = 1u << 3, /* last ACK seen */
    TP_CONN_RESET          = 1u << 4,
    TP_CONN_HANDSHAKE_SEEN = 1u << 5, /* began with SYN or SYN-ACK */
    TP_CONN_THREE_WAY_CLOSE = 1u << 6, /* passive FIN was the first ACK of the active FIN */
    TP_CONN_ROLES_KNOWN    = 1u << 7,
    TP_CONN_SIM_CLOSE      = 1u << 8, /* a FIN crossed the peer's FIN */
    TP_CONN_RST_IGNORED    = 1u << 9, /* an accepted RST had no effect: both endpoints went on */
};

/* What core/ stores per connection: the phase engine's record and the Zeek
 * observer's, side by side, so that one lookup finds both. */
typedef struct tp_conn_record {
    tp_conn conn;
    tp_zeek zeek;
} tp_conn_record;

#endif
