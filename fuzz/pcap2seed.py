#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Turn captures into seed inputs of the core's fuzz target.

    pcap2seed.py OUTDIR CAPTURE...

Writes OUTDIR/<capture name>.seed for each capture: one 16-byte record per
TCP segment, in the format fuzz/fuzz_engine.c reads (see its header):
the segment's tuple (numbered in order of first appearance, the first
sender being side A; self-connects numbered from 48), flags, sequence and
acknowledgment numbers, payload length, window, and the time step from
the previous segment in milliseconds.

tshark (no plugin needed) reads the captures, so every link type and
tunnel it knows works.  TCP headers quoted inside ICMP errors are left out,
as the plugin leaves them out.  Run by the fuzz tests at test time, so the
seeds always follow test-captures/.
"""

import os
import struct
import subprocess
import sys

RECORD = struct.Struct(">BBIIHHh")
assert RECORD.size == 16
MAX_RECORDS = 4096 // RECORD.size   # libFuzzer's default -max_len

FIELDS = ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.len", "tcp.window_size_value",
          "frame.time_epoch"]


def segments(capture):
    cmd = ["tshark", "-n", "-r", capture, "-Y", "tcp && !icmp && !icmpv6",
           "-T", "fields", "-E", "occurrence=l"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        sys.exit("pcap2seed: tshark failed on %s: %s" % (capture, p.stderr.strip()))
    for line in p.stdout.splitlines():
        cells = dict(zip(FIELDS, line.split("\t")))
        v6 = bool(cells["ipv6.src"]) and not cells["ip.src"]
        src = cells["ipv6.src"] if v6 else cells["ip.src"]
        dst = cells["ipv6.dst"] if v6 else cells["ip.dst"]
        if not src or not cells["tcp.srcport"]:
            continue

        def num(name, base=10):
            v = cells.get(name, "")
            return int(v, base) if v else 0
        yield dict(v6=v6, src=(src, num("tcp.srcport")), dst=(dst, num("tcp.dstport")),
                   seq=num("tcp.seq_raw"), ack=num("tcp.ack_raw"), flags=num("tcp.flags", 16),
                   length=num("tcp.len"), window=num("tcp.window_size_value"),
                   time=float(cells["frame.time_epoch"] or 0))


def seed(capture):
    tuples = {}            # unordered tuple -> (index, side A)
    plain, selfs = 0, 0
    last_time = None
    out = bytearray()
    for s in segments(capture):
        key = (s["v6"],) + tuple(sorted([s["src"], s["dst"]]))
        if key not in tuples:
            if s["src"] == s["dst"]:
                tuples[key] = (48 + selfs % 16, s["src"])
                selfs += 1
            else:
                tuples[key] = (plain % 48, s["src"])
                plain += 1
        index, side_a = tuples[key]
        byte0 = index | (0x40 if s["src"] != side_a else 0) | (0x80 if s["v6"] else 0)
        step_ms = 0 if last_time is None else round((s["time"] - last_time) * 1000)
        last_time = s["time"]
        out += RECORD.pack(byte0, s["flags"] & 0xff, s["seq"] & 0xffffffff,
                           s["ack"] & 0xffffffff, min(s["length"], 0xffff),
                           s["window"] & 0xffff, max(-32768, min(32767, step_ms)))
        if len(out) >= MAX_RECORDS * RECORD.size:
            break
    return bytes(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    os.makedirs(outdir, exist_ok=True)
    for capture in sys.argv[2:]:
        data = seed(capture)
        name = os.path.basename(capture).split(".")[0]
        with open(os.path.join(outdir, name + ".seed"), "wb") as f:
            f.write(data)
    print("pcap2seed: %d seeds in %s" % (len(sys.argv) - 2, outdir))


if __name__ == "__main__":
    main()
