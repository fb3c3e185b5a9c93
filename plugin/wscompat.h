/* wscompat.h — what differs between the Wireshark versions tcpphase builds
 * against (4.0, 4.2, 4.4, 4.6), in one place.
 *
 * Every difference is keyed on WIRESHARK_VERSION_MAJOR/MINOR from
 * ws_version.h, the version of the headers being compiled against.  A
 * development series (odd minor, e.g. 4.5) counts as the release it leads
 * to, hence the ">= 3" and ">= 5" below rather than ">= 4" and ">= 6".
 *
 *   4.2  plugin_describe() (4.4 lists a plugin without it as type
 *        "unknown"); field_info.value becomes a pointer
 *   4.4  bool instead of gboolean for boolean preferences and for the
 *        return value of wtap_block_foreach_option()'s callback
 *   4.6  a stat_tap_ui's init callback returns bool;
 *        a wtap_rec owns its data buffer: wtap_rec_init() takes a size and
 *        wtap_read(), wtap_seek_read(), wtap_dump() and epan_dissect_run()
 *        lose their buffer or tvb argument; ws_log_init() loses the program
 *        name
 *
 * The wrappers keep the 4.0 argument lists, so a call site changes by its
 * function name only; under 4.6 the Buffer argument is ignored (the record's
 * own buffer is used instead) and TP_REC_DATA() says where the bytes are.
 * Designated initialisers for packet_provider_funcs (4.6 adds members) need
 * no wrapper.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_WSCOMPAT_H
#define TCPPHASE_WSCOMPAT_H

#include <stdbool.h>

#include <glib.h>
#include <ws_version.h>

#if WIRESHARK_VERSION_MAJOR != 4 || WIRESHARK_VERSION_MINOR > 6
#error "tcpphase is written for Wireshark 4.0 to 4.6"
#endif

#define TP_WS_AT_LEAST(minor) (WIRESHARK_VERSION_MINOR >= (minor))

/* ---- Plugin loading ------------------------------------------------------- */

/* 4.2+ asks a plugin what it provides (wsutil/plugins.h); 4.0 does not. */
#define TP_WS_HAS_PLUGIN_DESCRIBE TP_WS_AT_LEAST(1)

/* ---- Preferences ---------------------------------------------------------- */

/* The variable a boolean preference writes: its size must be what
 * prefs_register_bool_preference() expects (1 byte or 4). */
#if TP_WS_AT_LEAST(3)
typedef bool tp_pref_bool;
#else
typedef gboolean tp_pref_bool;
#endif

/* ---- Protocol tree -------------------------------------------------------- */

/* The fvalue_t of a field_info, for fvalue_get_*(). */
#if TP_WS_AT_LEAST(1)
#define TP_FINFO_VALUE(fi) ((fi)->value)
#else
#define TP_FINFO_VALUE(fi) (&(fi)->value)
#endif

/* ---- Logging -------------------------------------------------------------- */

#if TP_WS_AT_LEAST(5)
#define tp_ws_log_init(progname, vcmdarg_err) ws_log_init(vcmdarg_err)
#else
#define tp_ws_log_init(progname, vcmdarg_err) ws_log_init(progname, vcmdarg_err)
#endif

/* ---- libwiretap ----------------------------------------------------------- */

/* Return type of a wtap_block_foreach_option() callback. */
#if TP_WS_AT_LEAST(3)
typedef bool tp_wtap_foreach_ret;
#else
typedef gboolean tp_wtap_foreach_ret;
#endif

/* Records.  Up to 4.4 the caller reads a record's bytes into its own
 * Buffer; from 4.6 on the record carries one (rec->data), and the caller's
 * Buffer, still initialised and freed, stays unused.  TP_REC_DATA() says
 * where the bytes of the record just read are. */
#if TP_WS_AT_LEAST(5)
#define TP_WTAP_REC_FIRST_SIZE 1514     /* grows as records need */
#define tp_wtap_rec_init(rec) wtap_rec_init((rec), TP_WTAP_REC_FIRST_SIZE)
#define tp_wtap_read(wth, rec, buf, err, err_info, offset) \
    ((void)(buf), wtap_read((wth), (rec), (err), (err_info), (offset)))
#define tp_wtap_seek_read(wth, seek_off, rec, buf, err, err_info) \
    ((void)(buf), wtap_seek_read((wth), (seek_off), (rec), (err), (err_info)))
#define TP_REC_DATA(rec, buf) ws_buffer_start_ptr(&(rec)->data)
/* Writes rec with its own bytes: `data` must be TP_REC_DATA(rec, buf). */
#define tp_wtap_dump(dumper, rec, data, err, err_info) \
    ((void)(data), wtap_dump((dumper), (rec), (err), (err_info)))
#else
#define tp_wtap_rec_init(rec) wtap_rec_init(rec)
#define tp_wtap_read(wth, rec, buf, err, err_info, offset) \
    wtap_read((wth), (rec), (buf), (err), (err_info), (offset))
#define tp_wtap_seek_read(wth, seek_off, rec, buf, err, err_info) \
    wtap_seek_read((wth), (seek_off), (rec), (buf), (err), (err_info))
#define TP_REC_DATA(rec, buf) ws_buffer_start_ptr(buf)
#define tp_wtap_dump(dumper, rec, data, err, err_info) \
    wtap_dump((dumper), (rec), (data), (err), (err_info))
#endif

/* ---- Taps ------------------------------------------------------------------ */

/* A stat_tap_ui's init callback (tshark -z NAME,...) returns whether the
 * tap started from 4.6 on, nothing before. */
#if TP_WS_AT_LEAST(5)
typedef bool tp_tap_init_ret;
#define TP_TAP_INIT_OK true
#else
typedef void tp_tap_init_ret;
#define TP_TAP_INIT_OK
#endif

/* ---- Dissection of a record ------------------------------------------------ */

/* epan_dissect_run() on a record read with tp_wtap_read(): up to 4.4 the
 * caller hands over a tvb of the record's bytes (`data`, which must be
 * TP_REC_DATA(rec, buf)), from 4.6 on epan makes it from the record's own
 * buffer. */
#if TP_WS_AT_LEAST(5)
#define tp_epan_dissect_run(edt, file_type, rec, data, fd, cinfo) \
    ((void)(data), epan_dissect_run((edt), (file_type), (rec), (fd), (cinfo)))
#else
#define tp_epan_dissect_run(edt, file_type, rec, data, fd, cinfo) \
    epan_dissect_run((edt), (file_type), (rec), \
            tvb_new_real_data((data), (fd)->cap_len, (fd)->cap_len), \
            (fd), (cinfo))
#endif

#endif /* TCPPHASE_WSCOMPAT_H */
