#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""How big NAME.report.html gets, and how fast Chromium opens it.

    python3 bench/report/run.py [--packets N] [--rounds R] [--dir D] [--out FILE]

On one generated capture (bench/gencap mix, 1,000,000 packets by default)
and, as the baseline measured in the same run, a bundled capture of 14
packets (real-simultaneous-open-clean.pcap), it measures

  - tcpphase-annotate -j 1 with and without --report: wall time, peak
    memory, and the ratio (what the report adds);
  - the size of NAME.report.html, next to the capture's and the pcapng's;
  - headless Chromium opening each report, R rounds, alternating: the
    page's own "drawn" time (performance.now() when its script has drawn
    the chart, the table's first page and, with #conn=ID, a ladder: parsing
    the page and its data included), and the wall time of a whole
    `chromium --headless --screenshot` run (browser start, load, layout,
    paint, PNG), each as a median and as a ratio to the baseline's.

Writes a table to stdout and to bench/report/RESULTS.md (or --out).
Not a test: timings depend on the machine and its load.
"""

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from benchlib import ROOT, built, timed  # noqa: E402


def chromium():
    path = shutil.which("chromium")
    if not path:
        sys.exit("chromium not found (apt-get install chromium)")
    return [path, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--window-size=1100,1250"]


def drawn_ms(url):
    p = subprocess.run(chromium() + ["--dump-dom", url], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, universal_newlines=True)
    m = re.search(r'data-ready-ms="(\d+)"', p.stdout)
    if not m:
        sys.exit("the page was not drawn: %s" % url)
    return int(m.group(1))


def screenshot_s(url, shot):
    t = time.monotonic()
    subprocess.run(chromium() + ["--screenshot=" + shot, url], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    return time.monotonic() - t


def mib(n):
    return "%.1f MiB" % (n / 1048576.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packets", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default="/tmp/tcpphase-bench-report")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    a = ap.parse_args()

    annotate = built("annotate", "tcpphase-annotate")
    gencap = built("bench", "gencap")
    os.makedirs(a.dir, exist_ok=True)
    os.chmod(a.dir, 0o755)
    big = os.path.join(a.dir, "mix.pcap")
    small = os.path.join(ROOT, "test-captures", "real-simultaneous-open-clean.pcap")
    subprocess.run([gencap, "mix", "-n", str(a.packets), "-o", big], check=True,
                   stdout=subprocess.DEVNULL)

    plain, report = [], []
    for _ in range(a.rounds):
        plain.append(timed([annotate, "-q", "-f", "-j", "1", big, "-o", os.path.join(a.dir, "plain")]))
        report.append(timed([annotate, "-q", "-f", "-j", "1", "--report", big, small,
                             "-o", os.path.join(a.dir, "out")]))
    # (the second input of the --report run is the 14-packet baseline: negligible)
    big_html = os.path.join(a.dir, "out", "mix.report.html")
    small_html = os.path.join(a.dir, "out", "real-simultaneous-open-clean.report.html")
    with open(big_html, encoding="utf-8") as f:
        head = f.read()
    connections = len(re.findall(r"^\[\d+,", head, re.M))
    # The connection with the most ladder rows: the slowest ladder to draw.
    longest = max(re.finditer(r"^\[(\d+),.*$", head, re.M), key=lambda m: len(m.group(0))).group(1)
    del head

    urls = {
        "baseline (14 packets)": "file://" + small_html,
        "baseline, ladder of connection 1": "file://" + small_html + "#conn=1",
        "%s packets" % format(a.packets, ","): "file://" + big_html,
        "%s packets, ladder of connection %s (the longest)" % (format(a.packets, ","), longest):
            "file://" + big_html + "#conn=" + longest,
    }
    drawn = {k: [] for k in urls}
    shots = {k: [] for k in urls}
    for _ in range(a.rounds):
        for k, u in urls.items():
            drawn[k].append(drawn_ms(u))
            shots[k].append(screenshot_s(u, os.path.join(a.dir, "shot.png")))
    med = lambda xs: statistics.median(xs)  # noqa: E731
    base_drawn = med(drawn["baseline (14 packets)"])
    base_shot = med(shots["baseline (14 packets)"])

    lines = []
    lines.append("Written by `python3 bench/report/run.py` (%d rounds, alternating; medians) on %s, "
                 "%d CPUs, %s. The machine was shared with other jobs: times are noisy; the ratios "
                 "compare runs made side by side." % (
                     a.rounds, datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"),
                     os.cpu_count(), platform.platform()))
    lines.append("")
    lines.append("Capture: `gencap mix -n %d` (%s, %s connections)." % (
        a.packets, mib(os.path.getsize(big)), format(connections, ",")))
    lines.append("")
    lines.append("| output | size |")
    lines.append("| --- | --- |")
    lines.append("| capture (pcap) | %s |" % mib(os.path.getsize(big)))
    lines.append("| NAME.tcpphase.pcapng | %s |" % mib(os.path.getsize(os.path.join(a.dir, "out", "mix.tcpphase.pcapng"))))
    lines.append("| NAME.report.html | %s (%.1f bytes per packet) |" % (
        mib(os.path.getsize(big_html)), os.path.getsize(big_html) / a.packets))
    lines.append("")
    pw, rw = med([w for w, _, _ in plain]), med([w for w, _, _ in report])
    lines.append("| tcpphase-annotate -j 1 | wall | peak memory |")
    lines.append("| --- | --- | --- |")
    lines.append("| without --report | %.2f s | %s |" % (pw, mib(1024 * max(m for _, _, m in plain))))
    lines.append("| with --report | %.2f s (x%.2f) | %s |" % (rw, rw / pw, mib(1024 * max(m for _, _, m in report))))
    lines.append("")
    lines.append("| Chromium opens | drawn (page's own clock) | x baseline | whole headless screenshot run | x baseline |")
    lines.append("| --- | --- | --- | --- | --- |")
    for k in urls:
        d, s = med(drawn[k]), med(shots[k])
        lines.append("| %s | %d ms | x%.1f | %.2f s | x%.2f |" % (k, d, d / base_drawn, s, s / base_shot))
    text = "\n".join(lines) + "\n"
    print(text)
    with open(a.out, "w") as f:
        f.write("# The HTML report: size and opening time\n\n" + text)


if __name__ == "__main__":
    main()
