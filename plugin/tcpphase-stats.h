/* tcpphase-stats.h — the "tcpphase" statistics tree (tcpphase-stats.c).
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_STATS_H
#define TCPPHASE_STATS_H

/* Registers "-z tcpphase,tree" and Statistics > TCP Phases; called from the
 * plugin's tap registration. */
void register_tcpphase_stats_tree(void);

#endif /* TCPPHASE_STATS_H */
