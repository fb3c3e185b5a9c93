/* tcpphase-ladder.h — the "tcpphase,ladder" text ladders for tshark -z.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_LADDER_TAP_H
#define TCPPHASE_LADDER_TAP_H

void register_tcpphase_ladder(void);

#endif /* TCPPHASE_LADDER_TAP_H */
