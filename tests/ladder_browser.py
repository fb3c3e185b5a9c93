#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcpphase-annotate --report, opened in a real browser (headless Chromium).

    ladder_browser.py [--shots DIR]

For real-simultaneous-open-clean.pcap (RFC 9293 figure 8) and
crafted-simultaneous-close.pcap (figure 13), writes the report, lets
Chromium run its script (--dump-dom) on the page's own link to connection
1, and checks what was drawn:

  - the page is self-contained: no external script, style, image or frame;
  - the table lists every connection the CSV lists;
  - the ladder's arrows carry exactly the frame numbers tshark -2 gives the
    connection (Wireshark's numbers);
  - simultaneous open: the two SYNs cross and the two SYN-ACKs cross, and
    each endpoint's line reads SYN_SENT then SYN_RECEIVED, then ESTABLISHED;
  - simultaneous close: the FINs cross, each line reads FIN_WAIT_1, CLOSING,
    TIME_WAIT;
  - anomalous arrows are drawn as such (class "anomaly").

and saves a screenshot of each (--shots, default the build folder).
Needs tcpphase-annotate ($TCPPHASE_ANNOTATE) and chromium.
"""

import argparse
import csv
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise Failure("chromium not found: apt-get install chromium (scripts/lib.sh lists it)")


def browser(url, *args):
    # --no-sandbox: tests run as root in CI, where Chromium's sandbox refuses to start.
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--virtual-time-budget=5000", "--window-size=1100,1250"] + list(args) + [url]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, errors="replace", timeout=120)
    if p.returncode != 0:
        raise Failure("chromium failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd),
                                                            tplib.indent(p.stderr[-2000:])))
    return p.stdout


class Drawing(html.parser.HTMLParser):
    """The elements of the rendered page that the checks read."""

    def __init__(self):
        super().__init__()
        self.arrows = {}        # frame -> (x1, y1, x2, y2, classes)
        self.states = []        # (endpoint, y, name)
        self.rows = 0           # table rows
        self.external = []      # tags loading anything from elsewhere
        self._state = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "link", "object", "embed") and \
                (a.get("src") or a.get("href")):
            self.external.append("<%s %s>" % (tag, a.get("src") or a.get("href")))
        cls = (a.get("class") or "").split()
        if tag == "line" and "arrow" in cls:
            self.arrows[int(a["data-frame"])] = (float(a["x1"]), float(a["y1"]),
                                                 float(a["x2"]), float(a["y2"]), cls)
        if tag == "path" and "arrow" in cls:
            self.arrows[int(a["data-frame"])] = (0, 0, 0, 0, cls)
        if tag == "text" and "state" in cls:
            self._state = (int(a["data-endpoint"]), float(a["data-y"]))
        if tag == "tr" and "conn" in cls:
            self.rows += 1

    def handle_data(self, data):
        if self._state is not None:
            self.states.append(self._state + (data.strip(),))
            self._state = None

    def line_of(self, endpoint):
        return [name for ep, y, name in sorted(self.states, key=lambda s: s[1]) if ep == endpoint]


def crosses(a, b):
    """Whether segments a and b (x1, y1, x2, y2) intersect."""
    def orient(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (v > 0) - (v < 0)
    p1, p2, q1, q2 = a[:2], a[2:4], b[:2], b[2:4]
    return (orient(p1, p2, q1) * orient(p1, p2, q2) < 0
            and orient(q1, q2, p1) * orient(q1, q2, p2) < 0)


def expect(cond, what, detail=""):
    if not cond:
        raise Failure(what + ("\n" + tplib.indent(detail) if detail else ""))


def follows(line, names):
    """names appear in line in this order, one right after the other."""
    for i in range(len(line) - len(names) + 1):
        if line[i:i + len(names)] == names:
            return True
    return False


def check(name, annotate, out, shots, crossing, sequence):
    cap = tplib.resolve_capture(name)
    p = subprocess.run([annotate, "-q", "--report", cap, "-o", out],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    if p.returncode != 0:
        raise Failure("tcpphase-annotate --report failed: %s" % p.stderr)
    report = os.path.join(out, name + ".report.html")
    expect(os.path.exists(report), "no %s" % report)
    url = "file://" + report + "#conn=1"
    d = Drawing()
    d.feed(browser(url, "--dump-dom"))

    expect(not d.external, "the report loads something from elsewhere", "\n".join(d.external))
    with open(os.path.join(out, name + ".connections.csv"), newline="") as f:
        conns = list(csv.DictReader(f))
    expect(d.rows == len(conns), "the table shows %d connections, the CSV %d" % (d.rows, len(conns)))

    frames = tplib.tshark(["-n", "-2", "-r", cap, "-Y", "tcpphase.conn.id == 1",
                           "-T", "fields", "-e", "frame.number"]).split()
    expect(sorted(d.arrows) == sorted(int(f) for f in frames),
           "arrows of connection 1 carry frames %s; tshark -2 says %s"
           % (sorted(d.arrows), frames))

    for a, b in crossing:
        expect(crosses(d.arrows[a], d.arrows[b]), "arrows %d and %d should cross: %s, %s"
               % (a, b, d.arrows[a][:4], d.arrows[b][:4]))
    for ep in (0, 1):
        line = d.line_of(ep)
        expect(follows(line, sequence), "endpoint %d's line should read %s; it reads %s"
               % (ep, " -> ".join(sequence), " -> ".join(line)))
    shot = os.path.join(shots, "report-%s.png" % name)
    browser(url, "--screenshot=" + shot)
    expect(os.path.exists(shot) and os.path.getsize(shot) > 10000, "no screenshot %s" % shot)
    print("ok   %s: %d arrows, crossings %s, both lines %s; screenshot %s"
          % (name, len(d.arrows), crossing, " -> ".join(sequence), shot))
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shots", default=tplib.build_dir(None))
    a = ap.parse_args()
    annotate = os.environ.get("TCPPHASE_ANNOTATE") or os.path.join(
        tplib.build_dir(None), "annotate", "tcpphase-annotate")
    expect(os.path.exists(annotate), "no tcpphase-annotate at %s" % annotate)
    os.makedirs(a.shots, exist_ok=True)
    with tempfile.TemporaryDirectory() as out:
        d = check("real-simultaneous-open-clean", annotate, out, a.shots,
                  crossing=[(1, 2), (3, 4)],
                  sequence=["CLOSED", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED"])
        expect(all("anomaly" in d.arrows[f][4] for f in (1, 2, 3, 4))
               and "anomaly" not in d.arrows[5][4],
               "the handshake's arrows (simultaneous_open) are marked, the others not")
        check("crafted-simultaneous-close", annotate, out, a.shots,
              crossing=[(8, 9)],
              sequence=["FIN_WAIT_1", "CLOSING", "TIME_WAIT"])
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
