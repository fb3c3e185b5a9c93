#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Benchmark of tcpphase-annotate against tcptrace and editcap.

    python3 bench/annotate/run.py [--packets N] [--rounds R] [--dir D] [--out FILE]

On one generated capture (bench/gencap mix, 1,000,000 packets by default)
it runs, alternating so that machine drift hits all three alike, R rounds of

    tcpphase-annotate -q -f -j 1 F -o OUT     (read twice, write pcapng + rows)
    tcptrace -n F                              (read once, per-connection summary)
    editcap F OUT.pcapng                       (read once, write pcapng)

each under /usr/bin/time, and reports the median wall time, the median CPU
time (user + system), packets per second by each, and peak memory (maximum
resident set size).  It repeats this on the same capture cut to 96-byte
snapshots (editcap -s 96), the shape of header-only archives.  The table
goes to stdout and to bench/annotate/RESULTS.md (or --out), which the
README quotes.

Then, since wall and CPU times on a shared machine are noisy, it counts
user-space instructions with callgrind on the first 100,000 packets
(--instructions N; 0 skips it).

Needs the Debian packages time, tcptrace and valgrind, and a build (bench/gencap
comes with bench/CMakeLists.txt).

Targets (issue 4): tcpphase-annotate at least 1.5x tcptrace's packets per
second and at least 0.5x editcap's; peak memory under 64 MiB + 16 bytes
per frame.  Not a test: timings depend on the machine and its load.
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def build_dir():
    b = os.environ.get("TCPPHASE_BUILD", "build")
    return b if os.path.isabs(b) else os.path.join(ROOT, b)


def timed(cmd, stdout=subprocess.DEVNULL):
    """(wall s, cpu s, max RSS KiB) of one run of cmd."""
    fmt = "%e %U %S %M"
    p = subprocess.run(["/usr/bin/time", "-f", fmt, "-o", "/dev/stderr"] + cmd,
                       stdout=stdout, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        sys.exit("failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr))
    wall, user, sys_, rss = p.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(sys_), int(rss)


def instructions(cmd):
    """User-space instructions of cmd and its children (callgrind): unlike
    times, they do not depend on what else the machine is doing."""
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                        "--trace-children=yes"] + cmd,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if p.returncode != 0:
        sys.exit("failed under valgrind (exit %d): %s\n%s"
                 % (p.returncode, " ".join(cmd), p.stderr[-2000:]))
    total = 0
    for line in p.stderr.splitlines():
        if "I   refs:" in line or "I refs:" in line:
            total += int(line.split(":")[1].replace(",", "").strip())
    return total


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def bench(capture, packets, rounds, work):
    annotate = os.path.join(build_dir(), "annotate", "tcpphase-annotate")
    out = os.path.join(work, "annotate-out")
    ed = os.path.join(work, "editcap-out.pcapng")
    cmds = {
        "tcpphase-annotate": [annotate, "-q", "-f", "-j", "1", capture, "-o", out],
        "tcptrace -n": ["tcptrace", "-n", capture],
        "editcap": ["editcap", capture, ed],
    }
    runs = {k: [] for k in cmds}
    # One untimed pass of each first: the capture in the page cache for all.
    for cmd in cmds.values():
        timed(cmd)
    for r in range(rounds):
        for name, cmd in cmds.items():
            runs[name].append(timed(cmd))
            print("  round %d %-18s wall %.2f s  cpu %.2f s  rss %d KiB"
                  % (r + 1, name, *runs[name][-1]), file=sys.stderr)
    result = {}
    for name, rs in runs.items():
        wall = statistics.median(x[0] for x in rs)
        cpu = statistics.median(x[1] for x in rs)
        rss = max(x[2] for x in rs)
        result[name] = (wall, cpu, rss, packets / wall, packets / cpu)
    return result


def instruction_table(capture, packets, work):
    annotate = os.path.join(build_dir(), "annotate", "tcpphase-annotate")
    counts = {
        "tcpphase-annotate": instructions([annotate, "-q", "-f", "-j", "1", capture, "-o",
                                           os.path.join(work, "annotate-out-slice")]),
        "tcptrace -n": instructions(["tcptrace", "-n", capture]),
        "editcap": instructions(["editcap", capture, os.path.join(work, "slice-out.pcapng")]),
    }
    a = counts["tcpphase-annotate"]
    t = counts["tcptrace -n"]
    e = counts["editcap"]
    lines = [
        "**Instructions** (callgrind, user space only — the kernel's reading and writing "
        "are not counted — on the first %d packets of the full capture; independent of the "
        "machine's load):" % packets,
        "",
        "| command | instructions per packet |",
        "| --- | --- |",
    ]
    for name, n in counts.items():
        lines.append("| `%s` | %.0f |" % (name, n / packets))
    lines += [
        "",
        "| target | by instructions | met? |",
        "| --- | --- | --- |",
        "| ≥ 1.5× tcptrace's packets/s | %.2f× | %s |"
        % (t / a, "yes" if t / a >= 1.5 else "**no**"),
        "| ≥ 0.5× editcap's packets/s | %.2f× | %s |"
        % (e / a, "yes" if e / a >= 0.5 else "**no**"),
        "",
    ]
    return lines


def table(title, capture, packets, result):
    a = result["tcpphase-annotate"]
    t = result["tcptrace -n"]
    e = result["editcap"]
    size = os.path.getsize(capture)
    bound = 64 * 1024 * 1024 + 16 * packets
    lines = [
        "**%s** — `%s`: %d packets, %.0f MiB" % (title, os.path.basename(capture), packets,
                                                 size / 2**20),
        "",
        "| command | wall (median) | packets/s (wall) | CPU user+sys (median) | packets/s (CPU) | peak memory |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, (wall, cpu, rss, pps, cpps) in result.items():
        lines.append("| `%s` | %.2f s | %.0fk | %.2f s | %.0fk | %.1f MiB |"
                     % (name, wall, pps / 1e3, cpu, cpps / 1e3, rss / 1024))
    lines += [
        "",
        "| target | by wall | by CPU | met? (wall) |",
        "| --- | --- | --- | --- |",
        "| ≥ 1.5× tcptrace's packets/s | %.2f× | %.2f× | %s |"
        % (a[3] / t[3], a[4] / t[4], "yes" if a[3] / t[3] >= 1.5 else "**no**"),
        "| ≥ 0.5× editcap's packets/s | %.2f× | %.2f× | %s |"
        % (a[3] / e[3], a[4] / e[4], "yes" if a[3] / e[3] >= 0.5 else "**no**"),
        "| peak memory < 64 MiB + 16 B/frame (%.1f MiB) | %.1f MiB | | %s |"
        % (bound / 2**20, a[2] / 1024, "yes" if a[2] * 1024 < bound else "**no**"),
        "",
    ]
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/tcpphase-bench-annotate")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    ap.add_argument("--instructions", type=int, default=100000, metavar="N",
                    help="also count instructions with callgrind on the first N packets "
                         "(0: skip)")
    args = ap.parse_args()

    for prog, pkg in (("/usr/bin/time", "time"), ("tcptrace", "tcptrace"), ("editcap", "tshark"),
                      ("valgrind", "valgrind")):
        if not shutil.which(prog):
            sys.exit("%s is needed: apt-get install %s" % (prog, pkg))
    for built in (os.path.join(build_dir(), "bench", "gencap"),
                  os.path.join(build_dir(), "annotate", "tcpphase-annotate")):
        if not os.access(built, os.X_OK):
            sys.exit("%s is missing: build first (cmake --build %s)" % (built, build_dir()))

    os.makedirs(args.dir, exist_ok=True)
    gencap = os.path.join(build_dir(), "bench", "gencap")
    full = os.path.join(args.dir, "mix-%d.pcap" % args.packets)
    if not os.path.exists(full):
        subprocess.run([gencap, "mix", "-n", str(args.packets), "-o", full], check=True)
    snap = os.path.join(args.dir, "mix-%d-snap96.pcap" % args.packets)
    if not os.path.exists(snap):
        subprocess.run(["editcap", "-s", "96", "-F", "pcap", full, snap], check=True)

    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# tcpphase-annotate benchmark",
        "",
        "Written by `python3 bench/annotate/run.py` (%d rounds, alternating; medians) on %s, "
        "%d CPUs (%s), %s. The machine was shared with other jobs: wall times are noisy, "
        "CPU times less so." % (args.rounds, when, os.cpu_count(), cpu_model(),
                                platform.platform()),
        "",
        "Commands: `tcpphase-annotate -q -f -j 1 F -o OUT` (reads F twice, writes the "
        "annotated pcapng and the CSV/JSONL rows), `tcptrace -n F > /dev/null`, "
        "`editcap F OUT.pcapng`. The capture is `gencap mix -n %d` (bench/gencap.c: "
        "connections of every kind interleaved, 512 open at a time)." % args.packets,
        "",
    ]
    for title, cap in (("Full packets", full), ("Headers only (the same capture, snap length 96)", snap)):
        print("%s:" % title, file=sys.stderr)
        res = bench(cap, args.packets, args.rounds, args.dir)
        out += table(title, cap, args.packets, res)
    if args.instructions:
        print("Instructions (callgrind, %d packets):" % args.instructions, file=sys.stderr)
        cut = os.path.join(args.dir, "mix-%d-first-%d.pcap" % (args.packets, args.instructions))
        if not os.path.exists(cut):
            subprocess.run(["editcap", "-r", "-F", "pcap", full, cut, "1-%d" % args.instructions],
                           check=True)
        out += instruction_table(cut, args.instructions, args.dir)
    text = "\n".join(out)
    print(text)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
