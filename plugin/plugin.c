/* plugin.c — the four symbols Wireshark 4.0 looks up in an epan plugin.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>

#include <ws_symbol_export.h>
#include <ws_version.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "packet-tcpphase.h"
#include "tcpphase-stats.h"
#include "tcpphase-ladder.h"

#if WIRESHARK_VERSION_MAJOR != 4 || WIRESHARK_VERSION_MINOR != 0
#error "tcpphase's plugin is written for Wireshark 4.0"
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = 4;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = 0;

WS_DLL_PUBLIC void plugin_register(void);

void
plugin_register(void)
{
    static proto_plugin plug;
    static tap_plugin stats;
    static tap_plugin ladders;

    plug.register_protoinfo = proto_register_tcpphase;
    plug.register_handoff = proto_reg_handoff_tcpphase;
    proto_register_plugin(&plug);

    stats.register_tap_listener = register_tcpphase_stats_tree;
    tap_register_plugin(&stats);

    ladders.register_tap_listener = register_tcpphase_ladder;
    tap_register_plugin(&ladders);
}
