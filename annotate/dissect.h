/* dissect.h — Wireshark's own dissectors, for the frames decode.c leaves.
 *
 * decode.c reads the common encapsulations itself, fast.  Everything else
 * (VXLAN on unusual ports, Geneve, GTP-U, ERSPAN, PPPoE, MPLS, LLC/SNAP,
 * NFLOG, IP fragments, IPv4 options, ...) is handed here: libwireshark
 * dissects the frame with no tree, and a hook in front of TCP (in
 * "ip.proto" 6, where the plugin has its own) reads the segment, with the
 * same rules as the plugin's hook.  So a frame is labelled by the tool
 * exactly when the plugin would label it, whoever decoded it.
 *
 * All of the tool's libwireshark calls are in epan_module.c, a module
 * (tcpphase-annotate-epan.so) loaded on the first frame that needs it.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_DISSECT_H
#define TCPPHASE_ANNOTATE_DISSECT_H

#include <stdbool.h>
#include <stdint.h>

#include <wiretap/wtap.h>

#include "decode.h"
#include "tcpphase.h"

/* One capture's dissection session: Wireshark's per-file state (IP
 * reassembly, conversations) lives from tpa_dissector_new() to
 * tpa_dissector_free(). */
typedef struct tpa_dissector tpa_dissector;

/* Loads libwireshark's dissectors (about a second, once per process, on
 * the first call).  NULL if that failed; *error then says why. */
tpa_dissector *tpa_dissector_new(int file_type_subtype, const char **error);

/* Dissects one record.  Frames must come in frame order, and every frame
 * decode.c could not follow must come (fragments are reassembled across
 * them).  TPA_OK and seg filled when a TCP segment was found; else
 * TPA_NOT_TCP. */
tpa_verdict tpa_dissect(tpa_dissector *d, uint32_t frame, wtap_rec *rec,
                        const uint8_t *data, tp_segment *seg);

void tpa_dissector_free(tpa_dissector *d);

#endif
