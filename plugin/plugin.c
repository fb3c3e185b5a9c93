/* plugin.c — the symbols Wireshark looks up in an epan plugin: version,
 * wanted major.minor and register (4.0 on), describe (4.2 on).
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>

#include <ws_symbol_export.h>
#include <ws_version.h>
#include <epan/proto.h>
#include <epan/tap.h>

#include "wscompat.h"
#if TP_WS_HAS_PLUGIN_DESCRIBE
#include <wsutil/plugins.h>
#endif

#include "packet-tcpphase.h"
#include "tcpphase-stats.h"
#include "tcpphase-ladder.h"

/* Wireshark loads a plugin only into the major.minor it was built against:
 * the one whose headers this file is compiled with. */
WS_DLL_PUBLIC_DEF const gchar plugin_version[] = PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;

WS_DLL_PUBLIC void plugin_register(void);

#if TP_WS_HAS_PLUGIN_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);

/* What `tshark -G plugins` shows as the plugin's type. */
uint32_t
plugin_describe(void)
{
    return WS_PLUGIN_DESC_DISSECTOR | WS_PLUGIN_DESC_TAP_LISTENER;
}
#endif

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
