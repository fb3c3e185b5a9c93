/* packet-tcpphase.h — registration entry points of the tcpphase dissector.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef PACKET_TCPPHASE_H
#define PACKET_TCPPHASE_H

void proto_register_tcpphase(void);
void proto_reg_handoff_tcpphase(void);

#endif /* PACKET_TCPPHASE_H */
