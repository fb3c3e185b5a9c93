#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark of tcpphase-annotate against the work it cannot avoid and
against what a user would run without it.

    python3 bench/annotate/run.py [--packets N] [--rounds R] [--tshark-rounds T]
                                  [--dir D] [--out FILE]

Three generated captures of N packets (bench/gencap mix, 1,000,000 by
default, Ethernet): plain; with a third of the connections in VXLAN
(gencap -e vxlan, decoded by the tool itself); with a third in ERSPAN II
(gencap -e erspan, handed to Wireshark's dissectors).  In one run,
alternating so that machine drift hits all alike, R rounds of

    tcpphase-annotate -q -f -j 1 F -o OUT     on each of the three captures
    editcap F OUT.pcapng                       on the plain one: the libwiretap
                                               read + write floor

and T rounds of

    tshark -n -2 -r F -T fields -e tcpphase.step   with the plugin, plain capture
                                                    (scripts/tshark-as-user.sh)

each under /usr/bin/time: median wall time, median CPU time (user +
system), peak memory (maximum resident set size).  Then the ratios, each
from times of this run:

    tcpphase-annotate wall <= 2.5 x editcap's                (plain)
    tshark -2 -T fields wall >= 5 x tcpphase-annotate's      (plain)
    time per packet with a third in VXLAN (and in ERSPAN) <= 2 x the plain one's
    peak memory: bounded by connections, not packets: under 64 MiB + 16 B/frame

The table goes to stdout and to bench/annotate/RESULTS.md (or --out).
Not a test: timings depend on the machine and its load.
"""

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import ROOT, built, timed  # noqa: E402


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def summarise(rs):
    return (statistics.median(x[0] for x in rs), statistics.median(x[1] for x in rs),
            max(x[2] for x in rs))


def met(ok):
    return "yes" if ok else "**no**"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tshark-rounds", type=int, default=1)
    ap.add_argument("--dir", default="/tmp/tcpphase-bench-annotate")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    args = ap.parse_args()

    gencap = built("bench", "gencap")
    annotate = built("annotate", "tcpphase-annotate")
    tshark = ["bash", os.path.join(ROOT, "scripts", "tshark-as-user.sh")]
    os.makedirs(args.dir, exist_ok=True)
    os.chmod(args.dir, 0o755)           # tshark runs as nobody when we are root

    n = args.packets
    caps = {}
    for kind, extra in (("plain", []), ("vxlan", ["-e", "vxlan"]), ("erspan", ["-e", "erspan"])):
        path = os.path.join(args.dir, "mix-%d%s.pcap" % (n, "" if kind == "plain" else "-" + kind))
        if not os.path.exists(path):
            subprocess.run([gencap, "mix", "-n", str(n), "-o", path] + extra, check=True)
        caps[kind] = path
    out_dir = os.path.join(args.dir, "out")
    cmds = {
        "annotate plain": [annotate, "-q", "-f", "-j", "1", caps["plain"], "-o", out_dir],
        "editcap plain": ["editcap", caps["plain"], os.path.join(args.dir, "editcap.pcapng")],
        "annotate vxlan": [annotate, "-q", "-f", "-j", "1", caps["vxlan"], "-o", out_dir],
        "annotate erspan": [annotate, "-q", "-f", "-j", "1", caps["erspan"], "-o", out_dir],
    }
    tshark_cmd = tshark + ["-n", "-2", "-r", caps["plain"], "-T", "fields", "-e", "tcpphase.step"]

    loads = [load_average()]
    runs = {k: [] for k in cmds}
    for cmd in cmds.values():      # untimed: the captures into the page cache
        timed(cmd)
    for r in range(args.rounds):
        for name, cmd in cmds.items():
            runs[name].append(timed(cmd))
            print("  round %d %-16s wall %.2f s  cpu %.2f s  rss %d KiB"
                  % (r + 1, name, *runs[name][-1]), file=sys.stderr)
    runs["tshark -2 plain"] = []
    for r in range(args.tshark_rounds):
        runs["tshark -2 plain"].append(timed(tshark_cmd))
        print("  round %d %-16s wall %.2f s  cpu %.2f s  rss %d KiB"
              % (r + 1, "tshark -2 plain", *runs["tshark -2 plain"][-1]), file=sys.stderr)
    loads.append(load_average())
    res = {k: summarise(v) for k, v in runs.items()}

    a, e, t = res["annotate plain"], res["editcap plain"], res["tshark -2 plain"]
    v, s = res["annotate vxlan"], res["annotate erspan"]
    bound = 64 * 2**20 + 16 * n
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# tcpphase-annotate benchmark",
        "",
        "Written by `python3 bench/annotate/run.py --packets %d --rounds %d --tshark-rounds %d` "
        "on %s, %d CPUs (%s), %s. Load average %.1f at the start, %.1f at the end: the machine "
        "was shared with other jobs, so wall times are noisy; CPU times less so."
        % (n, args.rounds, args.tshark_rounds, when, os.cpu_count(), cpu_model(),
           platform.platform(), loads[0], loads[1]),
        "",
        "Captures: `gencap mix -n %d` (connections of every kind interleaved, 512 open at a "
        "time, Ethernet), and the same with a third of the connections in VXLAN (`-e vxlan`) "
        "or in ERSPAN II (`-e erspan`)." % n,
        "",
        "| command | capture | wall (median) | CPU user+sys (median) | µs/packet (wall) | peak memory |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, cmd_name, cap in (
            ("annotate plain", "tcpphase-annotate -q -f -j 1 F -o OUT", "plain"),
            ("editcap plain", "editcap F OUT.pcapng", "plain"),
            ("tshark -2 plain", "tshark -n -2 -r F -T fields -e tcpphase.step", "plain"),
            ("annotate vxlan", "tcpphase-annotate -q -f -j 1 F -o OUT", "⅓ in VXLAN"),
            ("annotate erspan", "tcpphase-annotate -q -f -j 1 F -o OUT", "⅓ in ERSPAN II")):
        wall, cpu, rss = res[name]
        lines.append("| `%s` | %s | %.2f s | %.2f s | %.2f | %.1f MiB |"
                     % (cmd_name, cap, wall, cpu, wall / n * 1e6, rss / 1024))
    lines += [
        "",
        "| target | by wall | by CPU | met? (wall) |",
        "| --- | --- | --- | --- |",
        "| tcpphase-annotate ≤ 2.5× editcap (plain) | %.2f× | %.2f× | %s |"
        % (a[0] / e[0], a[1] / e[1], met(a[0] / e[0] <= 2.5)),
        "| tshark -2 -T fields ≥ 5× tcpphase-annotate (plain) | %.1f× | %.1f× | %s |"
        % (t[0] / a[0], t[1] / a[1], met(t[0] / a[0] >= 5)),
        "| ⅓ in VXLAN: time per packet ≤ 2× plain | %.2f× | %.2f× | %s |"
        % (v[0] / a[0], v[1] / a[1], met(v[0] / a[0] <= 2)),
        "| ⅓ in ERSPAN II: time per packet ≤ 2× plain | %.2f× | %.2f× | %s |"
        % (s[0] / a[0], s[1] / a[1], met(s[0] / a[0] <= 2)),
        "| peak memory < 64 MiB + 16 B/frame (%.0f MiB), plain | %.1f MiB | | %s |"
        % (bound / 2**20, a[2] / 1024, met(a[2] * 1024 < bound)),
        "| peak memory < 64 MiB + 16 B/frame (%.0f MiB), ⅓ in ERSPAN II | %.1f MiB | | %s |"
        % (bound / 2**20, s[2] / 1024, met(s[2] * 1024 < bound)),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
