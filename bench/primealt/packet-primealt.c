/* packet-primealt.c — the second alternative the benchmark measures: a C
 * post-dissector that labels phases the way Wireshark's own TRANSUM plugin
 * gets its input, by priming tcp.* fields and reading them from the tree.
 *
 * It asks for tcp.flags, tcp.stream and tcp.len with
 * set_postdissector_wanted_hfids() (so TCP builds those items in every
 * frame's tree), keeps a phase per stream in a file-scoped map, stores each
 * frame's result with p_add_proto_data() for later passes, and adds one
 * field, primealt.phase.  Like bench/phase.lua it is much simpler than
 * tcpphase; it is here to measure what the priming approach costs.
 *
 * Built as its own plugin (primealt.so) for the benchmark only; never
 * installed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>

#include <ws_symbol_export.h>
#include <ws_version.h>
#include <epan/packet.h>
#include <epan/proto.h>
#include <epan/proto_data.h>

#include "wscompat.h"

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = "0.1.0";
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);

static int proto_primealt = -1;
static int hf_phase = -1;
static int hf_tcp_flags = -1, hf_tcp_stream = -1, hf_tcp_len = -1;

enum { PH_HANDSHAKE = 1, PH_ESTABLISHED, PH_TEARDOWN, PH_CLOSED, PH_RESET };
static const value_string phase_names[] = {
    { PH_HANDSHAKE, "handshake" }, { PH_ESTABLISHED, "established" },
    { PH_TEARDOWN, "teardown" }, { PH_CLOSED, "closed" }, { PH_RESET, "reset" },
    { 0, NULL }
};

/* tcp.stream -> (phase | fins << 8), file-scoped. */
static wmem_map_t *streams;

static gboolean
first_uint(proto_tree *tree, int hf, guint32 *out)
{
    GPtrArray *items = proto_get_finfo_ptr_array(tree, hf);
    if (!items || items->len == 0)
        return FALSE;
    *out = fvalue_get_uinteger(TP_FINFO_VALUE((field_info *)items->pdata[0]));
    return TRUE;
}

static int
dissect_primealt(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree, void *data _U_)
{
    guint32 phase = GPOINTER_TO_UINT(p_get_proto_data(wmem_file_scope(), pinfo, proto_primealt, 0));

    if (phase == 0) {
        guint32 flags, stream, len;
        if (!tree || !first_uint(tree, hf_tcp_flags, &flags) ||
            !first_uint(tree, hf_tcp_stream, &stream) || !first_uint(tree, hf_tcp_len, &len))
            return 0;
        guint32 st = GPOINTER_TO_UINT(wmem_map_lookup(streams, GUINT_TO_POINTER(stream + 1)));
        guint32 ph = st & 0xff, fins = st >> 8;
        if (ph == 0)
            ph = PH_HANDSHAKE;
        if (flags & 0x04) {
            ph = PH_RESET;
        } else if (flags & 0x02) {
            ph = PH_HANDSHAKE;
        } else if (flags & 0x01) {
            ph = PH_TEARDOWN;
            fins++;
        } else if (ph == PH_HANDSHAKE) {
            ph = PH_ESTABLISHED;
        } else if (ph == PH_TEARDOWN && fins >= 2 && len == 0) {
            ph = PH_CLOSED;
        }
        wmem_map_insert(streams, GUINT_TO_POINTER(stream + 1), GUINT_TO_POINTER(ph | fins << 8));
        phase = ph;
        p_add_proto_data(wmem_file_scope(), pinfo, proto_primealt, 0, GUINT_TO_POINTER(phase));
    }
    proto_item *it = proto_tree_add_string(tree, hf_phase, tvb, 0, 0,
                                           val_to_str_const(phase, phase_names, "?"));
    proto_item_set_generated(it);
    return tvb_captured_length(tvb);
}

static void
primealt_init(void)
{
    streams = wmem_map_new(wmem_file_scope(), g_direct_hash, g_direct_equal);
}

static void
proto_register_primealt(void)
{
    static hf_register_info hf[] = {
        { &hf_phase, { "Phase", "primealt.phase", FT_STRING, BASE_NONE, NULL, 0x0,
                       "TCP phase (primed-fields reference)", HFILL } },
    };
    proto_primealt = proto_register_protocol("TCP phase (primed C reference)", "PRIMEALT",
                                             "primealt");
    proto_register_field_array(proto_primealt, hf, array_length(hf));
    register_init_routine(primealt_init);
}

static void
proto_reg_handoff_primealt(void)
{
    dissector_handle_t h = create_dissector_handle(dissect_primealt, proto_primealt);
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));

    register_postdissector(h);
    hf_tcp_flags = proto_registrar_get_id_byname("tcp.flags");
    hf_tcp_stream = proto_registrar_get_id_byname("tcp.stream");
    hf_tcp_len = proto_registrar_get_id_byname("tcp.len");
    g_array_append_val(wanted, hf_tcp_flags);
    g_array_append_val(wanted, hf_tcp_stream);
    g_array_append_val(wanted, hf_tcp_len);
    set_postdissector_wanted_hfids(h, wanted);
}

void
plugin_register(void)
{
    static proto_plugin plug;

    plug.register_protoinfo = proto_register_primealt;
    plug.register_handoff = proto_reg_handoff_primealt;
    proto_register_plugin(&plug);
}
