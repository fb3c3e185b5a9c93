/* zeek.h — Zeek's conn_state and history for a connection: an observer of
 * the same segments as the phase engine, with a record of its own per
 * connection, because Zeek's rules are its own (zeek.c,
 * docs/zeek-differences.md).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ZEEK_H
#define TCPPHASE_ZEEK_H

#include "tcpphase.h"

/* Zeek's view of one of tcpphase's connections: per-side states and the
 * history string.  Zeek ends a connection on its own timers (5 s after a
 * close or a reset, an attempt unanswered for 5 s) and starts another on
 * the same tuple where tcpphase keeps one; `part` counts those, and the
 * verdicts of the earlier parts go to a tp_zeek_parts. */
typedef struct tp_zeek {
    char     history[TP_ZEEK_HISTORY_SIZE]; /* NUL-terminated; letters past the end are dropped */
    uint8_t  part;          /* which of Zeek's connections on this tuple: 0, 1, ... */
    uint32_t timer_ms;      /* when Zeek drops this part, ms after the connection's
                             * first segment + 1; 0 = none */
    uint32_t start_seq[2];  /* Zeek's StartSeq: the SYN's, or guessed from the first segment */
    uint32_t last_fin_seq[2], last_rst_seq[2];
    uint32_t last_seq[2];   /* Zeek's LastSeq: highest sequence sent + 1 */
    uint16_t rxmit[2];      /* retransmissions (saturating), for the T letters */
    uint16_t seen;          /* once-per-direction letters: bit per letter, responder's << 8 */
    uint8_t  zero_win[2];   /* zero windows (saturating), for the W letters */
    uint8_t  state[2];      /* Zeek TCP_* endpoint states, [0] originator */
    uint8_t  orig;          /* which tcpphase endpoint is Zeek's originator */
    uint8_t  flags;
} tp_zeek;

/* What the observer needs to know of the connection it watches. */
typedef struct tp_zeek_conn {
    uint32_t id;            /* the connection's id, for the parts' verdicts */
    int64_t  first_ns;      /* its first segment's time: Zeek's timers count from it */
    bool     self_connect;  /* source == destination: Zeek never flips its roles */
} tp_zeek_conn;

/* The verdicts of Zeek connections that ended (on Zeek's timers) while
 * tcpphase's connection went on; owned by the engine, NULL until needed. */
typedef struct tp_zeek_parts tp_zeek_parts;

void   tp_zeek_parts_free(tp_zeek_parts *parts);
size_t tp_zeek_parts_memory(const tp_zeek_parts *parts);

/* A new connection's first segment, sent by its endpoint 0: picks Zeek's
 * originator. */
void tp_zeek_begin(tp_zeek *z, const tp_zeek_conn *conn, const tp_segment *seg);

/* Every segment, sent by tcpphase endpoint `sender` of connection `conn`
 * (the first included, after tp_zeek_begin()).  May end the current Zeek
 * part (its verdict goes to *parts) and begin the next one with this
 * segment. */
void tp_zeek_segment(tp_zeek_parts **parts, tp_zeek *z, const tp_zeek_conn *conn,
                     unsigned sender, const tp_segment *seg);

/* Zeek's conn_state for the part under way. */
tp_zeek_state tp_zeek_state_of(const tp_zeek *z);

/* Whether frame `frame` of connection conn_id was in one of its Zeek
 * parts that ended before `current` (the record's part under way): then
 * *state and *history are that part's verdict (*history valid as long as
 * *parts). */
bool tp_zeek_earlier_part(const tp_zeek_parts *parts, uint32_t conn_id, unsigned current,
                          uint32_t frame, tp_zeek_state *state, const char **history);

#endif
