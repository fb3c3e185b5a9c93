/* shard.h — splitting an archive across machines, and joining the results.
 *
 * --shard K/N keeps the inputs whose shard is K: a hash (64-bit FNV-1a) of
 * the input's path relative to the folder named on the command line (for a
 * file named directly: its name), modulo N, plus one.  The split depends
 * on nothing but that path, so N runs on N hosts, each given the same
 * arguments and its own K, label every file exactly once, and adding files
 * to the archive never moves a file that was already there to another
 * shard.
 *
 * --merge joins the connection rows (NAME.connections.csv) of any number
 * of output folders into one CSV table: a first column "file" (the
 * input's path relative to its output folder, without .connections.csv),
 * then the columns of the per-file rows, sorted by file and in each file in
 * row order.  A sharded run's folders merge to exactly what the unsharded
 * run's folder merges to.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TCPPHASE_ANNOTATE_SHARD_H
#define TCPPHASE_ANNOTATE_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which shard, 1..n, the input at relative path rel belongs to. */
unsigned tpa_shard_of(const char *rel, unsigned n);

/* Writes the merged table to out (through a temporary file renamed at the
 * end).  Returns false with a message in err (one line) on the first
 * problem: an unreadable folder or file, rows with another header, or the
 * same file in two folders (an input labelled twice). */
bool tpa_merge(char *const *dirs, int n_dirs, const char *out, char *err, size_t err_len);

#endif
