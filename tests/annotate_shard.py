#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcpphase-annotate --shard and --merge, run the way a cluster runs them.

    annotate_shard.py

Builds an archive of every bundled capture in nested folders, then:
  - labels it once, unsharded;
  - labels it again as N = 4 shards, each a separate process started by
    GNU parallel (as `parallel --sshlogin` would start them on four hosts),
    each with the same arguments and its own K, each into its own folder;
and requires:
  - every input is labelled by exactly one shard, into the same relative
    path as the unsharded run, with byte-identical outputs;
  - each file's shard is the documented one: FNV-1a (64 bits) of its path
    relative to the INPUT folder, modulo N, plus one (computed here
    independently);
  - `--merge` of the four shard folders writes byte for byte the table
    `--merge` of the unsharded folder writes, with one row per connection
    of every file (checked against the per-file CSVs), sorted by file;
  - after files are added to the archive, every file that was there keeps
    its shard;
  - merging two folders that hold the same file fails with a message
    naming it.
"""

import csv
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402
from annotate_equal import annotate_tool  # noqa: E402

N = 4
SUFFIXES = (".tcpphase.pcapng", ".connections.csv", ".connections.jsonl")


def fnv1a_shard(rel, n):
    h = 0xcbf29ce484222325
    for b in rel.encode():
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h % n + 1


def run(args, expect=0):
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=600)
    if p.returncode != expect:
        raise Failure("%s: exit %d (wanted %d)\n%s%s" % (" ".join(args), p.returncode, expect,
                                                       p.stdout, p.stderr))
    return p


def outputs(folder):
    """Relative path of each labelled input (without suffix) -> its files."""
    found = {}
    for dirpath, _, names in os.walk(folder):
        for name in names:
            for s in SUFFIXES:
                if name.endswith(s):
                    rel = os.path.relpath(os.path.join(dirpath, name), folder)[:-len(s)]
                    found.setdefault(rel, []).append(s)
    return found


def build_archive(root, captures):
    """Captures spread over three levels of folders; returns each input's
    relative path (with extension)."""
    rels = []
    for i, cap in enumerate(captures):
        sub = ["", "site-a", os.path.join("site-b", "2026-12-05")][i % 3]
        rel = os.path.join(sub, os.path.basename(cap))
        os.makedirs(os.path.join(root, sub), exist_ok=True)
        shutil.copyfile(cap, os.path.join(root, rel))
        rels.append(rel)
    return rels


def sharded_run(tool, archive, out_base):
    """N shards as N processes started by GNU parallel."""
    if not shutil.which("parallel"):
        raise Failure("GNU parallel is not installed (Debian package parallel)")
    run(["parallel", "--will-cite", "--halt", "now,fail=1", "-j", str(N),
         tool, "-q", "-j", "1", "--shard", "{}/%d" % N, archive, "-o",
         os.path.join(out_base, "shard-{}"), ":::"] + [str(k) for k in range(1, N + 1)])
    return [os.path.join(out_base, "shard-%d" % k) for k in range(1, N + 1)]


def main():
    tool = annotate_tool()
    captures = tplib.all_captures()
    if len(captures) < 2 * N:
        raise Failure("too few bundled captures (%d) for %d shards" % (len(captures), N))
    problems = []
    with tempfile.TemporaryDirectory(prefix="tcpphase-shard.") as tmp:
        archive = os.path.join(tmp, "archive")
        rels = build_archive(archive, captures)
        stems = {tplib.CAPTURE_RE.sub("", r) for r in rels}

        whole = os.path.join(tmp, "whole")
        run([tool, "-q", archive, "-o", whole])
        shards = sharded_run(tool, archive, os.path.join(tmp, "run1"))

        # Every input in exactly one shard, the documented one, same bytes.
        whole_out = outputs(whole)
        if set(whole_out) != stems:
            problems.append("unsharded run labelled %s, archive has %s"
                            % (sorted(whole_out), sorted(stems)))
        seen = {}
        for k, folder in enumerate(shards, 1):
            for rel, sufs in outputs(folder).items():
                if rel in seen:
                    problems.append("%s labelled by shards %d and %d" % (rel, seen[rel], k))
                seen[rel] = k
                if sorted(sufs) != sorted(SUFFIXES):
                    problems.append("shard %d: %s has only %s" % (k, rel, sufs))
                for s in SUFFIXES:
                    a, b = os.path.join(folder, rel + s), os.path.join(whole, rel + s)
                    if not os.path.exists(b) or open(a, "rb").read() != open(b, "rb").read():
                        problems.append("shard %d: %s%s differs from the unsharded run's"
                                        % (k, rel, s))
        if set(seen) != stems:
            problems.append("shards labelled %d files, the archive has %d (missing: %s)"
                            % (len(seen), len(stems), sorted(stems - set(seen))))
        for r in rels:
            stem = tplib.CAPTURE_RE.sub("", r)
            if stem in seen and seen[stem] != fnv1a_shard(r, N):
                problems.append("%s in shard %d, FNV-1a says %d" % (r, seen[stem],
                                                                    fnv1a_shard(r, N)))
        if len(set(seen.values())) < 2:
            problems.append("every file landed in one shard: %s" % sorted(set(seen.values())))

        # The merged tables.
        merged_whole = os.path.join(tmp, "whole.csv")
        merged_shards = os.path.join(tmp, "shards.csv")
        run([tool, "--merge", whole, "-o", merged_whole])
        run([tool, "--merge"] + shards + ["-o", merged_shards])
        a, b = open(merged_whole, "rb").read(), open(merged_shards, "rb").read()
        if a != b:
            problems.append("merged tables differ (unsharded %d bytes, sharded %d)"
                            % (len(a), len(b)))
        with open(merged_whole, newline="") as f:
            table = list(csv.DictReader(f))
        expected = []
        for stem in sorted(stems):
            with open(os.path.join(whole, stem + ".connections.csv"), newline="") as f:
                expected += [dict(r, file=stem) for r in csv.DictReader(f)]
        if len(table) != len(expected):
            problems.append("merged table: %d rows, the per-file CSVs %d"
                            % (len(table), len(expected)))
        else:
            for got, want in zip(table, expected):
                if got != want:
                    problems.append("merged row %s/%s differs from its file's row"
                                    % (want["file"], want["id"]))
                    break

        # Files added: the old ones stay where they were.
        for i, cap in enumerate(captures[:6]):
            shutil.copyfile(cap, os.path.join(archive, "site-a", "added-%d.pcap" % i))
        shards2 = sharded_run(tool, archive, os.path.join(tmp, "run2"))
        for k, folder in enumerate(shards2, 1):
            for rel in outputs(folder):
                if rel in seen and seen[rel] != k:
                    problems.append("%s moved from shard %d to %d after files were added"
                                    % (rel, seen[rel], k))

        # The same file in two folders.
        p = run([tool, "--merge", whole, shards[0], "-o", os.path.join(tmp, "dup.csv")],
                expect=1)
        if "two folders" not in p.stderr:
            problems.append("merging a file twice: message %r" % p.stderr.strip())

    if problems:
        raise Failure("sharded and unsharded runs disagree:\n"
                      + tplib.indent("\n".join(problems[:60])))
    print("%d files, %d shards (GNU parallel): same outputs, same merged table (%d rows); "
          "shards stable when files are added" % (len(stems), N, len(table)))


if __name__ == "__main__":
    tplib.main_wrapper(main)
