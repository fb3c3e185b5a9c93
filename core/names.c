/* names.c — every name and text the front ends show: the strings users type
 * into display filters and read in spreadsheets (docs/fields.md), and what
 * each anomaly means.  They are the project's contract with its users
 * (saved filters, colouring rules and spreadsheets depend on them): rename
 * nothing.  One table per enum, indexed by it; the unit tests check that
 * every value has a name, and a distinct one.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "tcpphase.h"

#define NAME_OF(table, v) \
    ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) ? (table)[(unsigned)(v)] : "invalid")

static const char *const phase_names[TP_PHASE_COUNT] = {
    [TP_PHASE_HANDSHAKE]   = "handshake",
    [TP_PHASE_ESTABLISHED] = "established",
    [TP_PHASE_TEARDOWN]    = "teardown",
    [TP_PHASE_CLOSED]      = "closed",
    [TP_PHASE_RESET]       = "reset",
};

static const char *const step_names[TP_STEP_COUNT] = {
    [TP_STEP_SYN]                    = "syn",
    [TP_STEP_SYN_ACK]                = "syn_ack",
    [TP_STEP_HANDSHAKE_ACK]          = "handshake_ack",
    [TP_STEP_SYN_RETRANSMISSION]     = "syn_retransmission",
    [TP_STEP_SYN_ACK_RETRANSMISSION] = "syn_ack_retransmission",
    [TP_STEP_DATA]                   = "data",
    [TP_STEP_ACK]                    = "ack",
    [TP_STEP_FIN_ACTIVE]             = "fin_active",
    [TP_STEP_FIN_PASSIVE]            = "fin_passive",
    [TP_STEP_FIN_SIMULTANEOUS]       = "fin_simultaneous",
    [TP_STEP_FIN_ACK]                = "fin_ack",
    [TP_STEP_LAST_ACK]               = "last_ack",
    [TP_STEP_FIN_RETRANSMISSION]     = "fin_retransmission",
    [TP_STEP_HALF_CLOSE_DATA]        = "half_close_data",
    [TP_STEP_DATA_AFTER_FIN]         = "data_after_fin",
    [TP_STEP_RST_REFUSED]            = "rst_refused",
    [TP_STEP_RST_HANDSHAKE]          = "rst_handshake",
    [TP_STEP_RST_ABORT]              = "rst_abort",
    [TP_STEP_RST_TEARDOWN]           = "rst_teardown",
    [TP_STEP_AFTER_CLOSE]            = "after_close",
    [TP_STEP_DATA_RETRANSMISSION]    = "data_retransmission",
    [TP_STEP_OUT_OF_WINDOW]          = "out_of_window",
};

/* Steps whose phase does not depend on the connection.  ack,
 * data_retransmission and out_of_window are resolved by the engine. */
static const unsigned char step_phase[TP_STEP_COUNT] = {
    [TP_STEP_SYN]                    = TP_PHASE_HANDSHAKE,
    [TP_STEP_SYN_ACK]                = TP_PHASE_HANDSHAKE,
    [TP_STEP_HANDSHAKE_ACK]          = TP_PHASE_HANDSHAKE,
    [TP_STEP_SYN_RETRANSMISSION]     = TP_PHASE_HANDSHAKE,
    [TP_STEP_SYN_ACK_RETRANSMISSION] = TP_PHASE_HANDSHAKE,
    [TP_STEP_DATA]                   = TP_PHASE_ESTABLISHED,
    [TP_STEP_ACK]                    = TP_PHASE_ESTABLISHED,
    [TP_STEP_FIN_ACTIVE]             = TP_PHASE_TEARDOWN,
    [TP_STEP_FIN_PASSIVE]            = TP_PHASE_TEARDOWN,
    [TP_STEP_FIN_SIMULTANEOUS]       = TP_PHASE_TEARDOWN,
    [TP_STEP_FIN_ACK]                = TP_PHASE_TEARDOWN,
    [TP_STEP_LAST_ACK]               = TP_PHASE_TEARDOWN,
    [TP_STEP_FIN_RETRANSMISSION]     = TP_PHASE_TEARDOWN,
    [TP_STEP_HALF_CLOSE_DATA]        = TP_PHASE_TEARDOWN,
    [TP_STEP_DATA_AFTER_FIN]         = TP_PHASE_TEARDOWN,
    [TP_STEP_RST_REFUSED]            = TP_PHASE_RESET,
    [TP_STEP_RST_HANDSHAKE]          = TP_PHASE_RESET,
    [TP_STEP_RST_ABORT]              = TP_PHASE_RESET,
    [TP_STEP_RST_TEARDOWN]           = TP_PHASE_RESET,
    [TP_STEP_AFTER_CLOSE]            = TP_PHASE_CLOSED,
    [TP_STEP_DATA_RETRANSMISSION]    = TP_PHASE_ESTABLISHED,
    [TP_STEP_OUT_OF_WINDOW]          = TP_PHASE_ESTABLISHED,
};

static const char *const role_names[TP_ROLE_COUNT] = {
    [TP_ROLE_UNKNOWN] = "unknown",
    [TP_ROLE_CLIENT]  = "client",
    [TP_ROLE_SERVER]  = "server",
    [TP_ROLE_PEER]    = "peer",
    [TP_ROLE_SELF]    = "self",
};

static const char *const state_names[TP_STATE_COUNT] = {
    [TP_STATE_UNKNOWN]      = "UNKNOWN",
    [TP_STATE_CLOSED]       = "CLOSED",
    [TP_STATE_LISTEN]       = "LISTEN",
    [TP_STATE_SYN_SENT]     = "SYN_SENT",
    [TP_STATE_SYN_RECEIVED] = "SYN_RECEIVED",
    [TP_STATE_ESTABLISHED]  = "ESTABLISHED",
    [TP_STATE_FIN_WAIT_1]   = "FIN_WAIT_1",
    [TP_STATE_FIN_WAIT_2]   = "FIN_WAIT_2",
    [TP_STATE_CLOSE_WAIT]   = "CLOSE_WAIT",
    [TP_STATE_CLOSING]      = "CLOSING",
    [TP_STATE_LAST_ACK]     = "LAST_ACK",
    [TP_STATE_TIME_WAIT]    = "TIME_WAIT",
};

static const char *const open_names[TP_OPEN_COUNT] = {
    [TP_OPEN_THREE_WAY]    = "three_way",
    [TP_OPEN_SIMULTANEOUS] = "simultaneous",
    [TP_OPEN_SELF_CONNECT] = "self_connect",
    [TP_OPEN_REFUSED]      = "refused",
    [TP_OPEN_UNANSWERED]   = "unanswered",
    [TP_OPEN_INCOMPLETE]   = "incomplete",
    [TP_OPEN_NOT_SEEN]     = "not_seen",
};

static const char *const close_names[TP_CLOSE_COUNT] = {
    [TP_CLOSE_FOUR_WAY]     = "four_way",
    [TP_CLOSE_THREE_WAY]    = "three_way",
    [TP_CLOSE_SIMULTANEOUS] = "simultaneous",
    [TP_CLOSE_SELF]         = "self",
    [TP_CLOSE_HALF_CLOSED]  = "half_closed",
    [TP_CLOSE_RESET]        = "reset",
    [TP_CLOSE_OPEN]         = "open",
    [TP_CLOSE_INCOMPLETE]   = "incomplete",
};

static const char *const anomaly_names[TP_ANOM_COUNT] = {
    [TP_ANOM_SIMULTANEOUS_OPEN]  = "simultaneous_open",
    [TP_ANOM_SELF_CONNECT]       = "self_connect",
    [TP_ANOM_HALF_CLOSE]         = "half_close",
    [TP_ANOM_DATA_AFTER_FIN]     = "data_after_fin",
    [TP_ANOM_HALF_CLOSED_AT_END] = "half_closed_at_end",
    [TP_ANOM_REFUSED]            = "refused",
    [TP_ANOM_SYN_UNANSWERED]     = "syn_unanswered",
    [TP_ANOM_TIME_WAIT_REUSE]    = "time_wait_reuse",
    [TP_ANOM_TIME_WAIT_RST]      = "time_wait_rst",
    [TP_ANOM_BAD_SYN_ACK]        = "bad_syn_ack",
    [TP_ANOM_FIN_WITHOUT_ACK]    = "fin_without_ack",
    [TP_ANOM_RST_IGNORED]        = "rst_ignored",
};

static const char *const link_names[TP_LINK_COUNT] = {
    [TP_LINK_SYN]           = "syn_frame",
    [TP_LINK_SYN_ACK]       = "syn_ack_frame",
    [TP_LINK_HANDSHAKE_ACK] = "handshake_ack_frame",
    [TP_LINK_FIN_ACTIVE]    = "fin_active_frame",
    [TP_LINK_FIN_PASSIVE]   = "fin_passive_frame",
    [TP_LINK_LAST_ACK]      = "last_ack_frame",
    [TP_LINK_RST]           = "rst_frame",
};

static const char *const zeek_state_names[TP_ZEEK_STATE_COUNT] = {
    [TP_ZEEK_S0] = "S0",   [TP_ZEEK_S1] = "S1",   [TP_ZEEK_SF] = "SF",
    [TP_ZEEK_REJ] = "REJ", [TP_ZEEK_S2] = "S2",   [TP_ZEEK_S3] = "S3",
    [TP_ZEEK_RSTO] = "RSTO", [TP_ZEEK_RSTR] = "RSTR", [TP_ZEEK_RSTOS0] = "RSTOS0",
    [TP_ZEEK_RSTRH] = "RSTRH", [TP_ZEEK_SH] = "SH", [TP_ZEEK_SHR] = "SHR",
    [TP_ZEEK_OTH] = "OTH",
};

/* The expert items' texts and severities. */
static const struct {
    const char *text;
    tp_severity severity;
} anomaly_meaning[TP_ANOM_COUNT] = {
    [TP_ANOM_SIMULTANEOUS_OPEN] =
        { "Simultaneous open: both endpoints sent a SYN", TP_SEVERITY_NOTE },
    [TP_ANOM_SELF_CONNECT] =
        { "Self-connect: source and destination address and port are the same", TP_SEVERITY_WARN },
    [TP_ANOM_HALF_CLOSE] =
        { "Half-close: data sent after receiving the peer's FIN", TP_SEVERITY_NOTE },
    [TP_ANOM_DATA_AFTER_FIN] =
        { "Data sent after the sender's own FIN", TP_SEVERITY_WARN },
    [TP_ANOM_HALF_CLOSED_AT_END] =
        { "The peer never closed its side in the capture", TP_SEVERITY_NOTE },
    [TP_ANOM_REFUSED] =
        { "Connection refused: RST answering a SYN", TP_SEVERITY_NOTE },
    [TP_ANOM_SYN_UNANSWERED] =
        { "SYN got no reply in the capture", TP_SEVERITY_NOTE },
    [TP_ANOM_TIME_WAIT_REUSE] =
        { "SYN reuses a tuple whose previous connection closed less than TIME_WAIT ago",
          TP_SEVERITY_NOTE },
    [TP_ANOM_TIME_WAIT_RST] =
        { "RST to an endpoint in TIME_WAIT (RFC 1337 TIME_WAIT assassination)", TP_SEVERITY_WARN },
    [TP_ANOM_BAD_SYN_ACK] =
        { "SYN-ACK acknowledges something other than the SYN's sequence number + 1",
          TP_SEVERITY_WARN },
    [TP_ANOM_FIN_WITHOUT_ACK] =
        { "FIN without ACK in a synchronized connection: the receiver drops it", TP_SEVERITY_WARN },
    [TP_ANOM_RST_IGNORED] =
        { "RST had no effect: both endpoints went on", TP_SEVERITY_WARN },
};

const char *tp_phase_name(tp_phase v)       { return NAME_OF(phase_names, v); }
const char *tp_step_name(tp_step v)         { return NAME_OF(step_names, v); }
const char *tp_role_name(tp_role v)         { return NAME_OF(role_names, v); }
const char *tp_state_name(tp_tcp_state v)   { return NAME_OF(state_names, v); }
const char *tp_open_name(tp_open_kind v)    { return NAME_OF(open_names, v); }
const char *tp_close_name(tp_close_kind v)  { return NAME_OF(close_names, v); }
const char *tp_anomaly_name(tp_anomaly v)   { return NAME_OF(anomaly_names, v); }
const char *tp_link_name(tp_link v)         { return NAME_OF(link_names, v); }
const char *tp_zeek_state_name(tp_zeek_state v) { return NAME_OF(zeek_state_names, v); }

const char *tp_anomaly_text(tp_anomaly v)
{
    return (unsigned)v < TP_ANOM_COUNT ? anomaly_meaning[v].text : "invalid";
}

tp_severity tp_anomaly_severity(tp_anomaly v)
{
    return (unsigned)v < TP_ANOM_COUNT ? anomaly_meaning[v].severity : TP_SEVERITY_WARN;
}

tp_phase tp_step_phase(tp_step v)
{
    return (unsigned)v < TP_STEP_COUNT ? (tp_phase)step_phase[v] : TP_PHASE_ESTABLISHED;
}
