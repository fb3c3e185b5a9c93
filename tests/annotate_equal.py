#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcpphase-annotate says what the plugin says, on one capture.

    annotate_equal.py CAPTURE

Runs tcpphase-annotate on CAPTURE and tshark -2 with the fresh plugin on
the same capture, then requires, frame by frame:
  - a comment "tcpphase: STEP" exactly on the frames the plugin labels,
    with the plugin's tcpphase.step;
  - one comment "tcpphase.NAME: TEXT" per tcpphase.anomaly of the frame,
    TEXT being the message of the plugin's expert item on that frame;
and, connection by connection, that the CSV and JSONL rows agree with each
other and with the plugin's tcpphase.conn.* fields (open, close, Zeek state
and history, frame links, handshake and teardown times, packets and bytes
each way), with the frames carrying that tcpphase.conn.id (first and last
frame, start time, duration, addresses and ports, union of anomalies).

The tool is $TCPPHASE_ANNOTATE (CMake sets it), else build/annotate/.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

CONN_FIELDS = {  # CSV column -> plugin field
    "open": "tcpphase.conn.open",
    "close": "tcpphase.conn.close",
    "conn_state": "tcpphase.conn.state",
    "history": "tcpphase.conn.history",
    "syn_frame": "tcpphase.conn.syn_frame",
    "syn_ack_frame": "tcpphase.conn.syn_ack_frame",
    "handshake_ack_frame": "tcpphase.conn.handshake_ack_frame",
    "fin_active_frame": "tcpphase.conn.fin_active_frame",
    "fin_passive_frame": "tcpphase.conn.fin_passive_frame",
    "last_ack_frame": "tcpphase.conn.last_ack_frame",
    "rst_frame": "tcpphase.conn.rst_frame",
    "handshake_time": "tcpphase.conn.handshake_time",
    "teardown_time": "tcpphase.conn.teardown_time",
    "orig_packets": "tcpphase.conn.orig_packets",
    "orig_bytes": "tcpphase.conn.orig_bytes",
    "resp_packets": "tcpphase.conn.resp_packets",
    "resp_bytes": "tcpphase.conn.resp_bytes",
}
FRAME_FIELDS = ["frame.number", "frame.protocols", "frame.time_epoch", "tcpphase.step",
                "tcpphase.anomaly",
                "_ws.expert.message", "tcpphase.conn.id", "ip.src", "ipv6.src", "ip.dst",
                "ipv6.dst", "tcp.srcport", "tcp.dstport"] + sorted(set(CONN_FIELDS.values()))
SEP = "\x1f"    # aggregator: no comment or expert message contains it


def annotate_tool():
    t = os.environ.get("TCPPHASE_ANNOTATE")
    if t:
        return t
    return os.path.join(tplib.build_dir(), "annotate", "tcpphase-annotate")


def fields(capture, names, two_pass):
    args = ["-n"] + (["-2"] if two_pass else []) + [
        "-r", capture, "-T", "fields", "-E", "header=y", "-E", "occurrence=a",
        "-E", "aggregator=" + SEP]
    for n in names:
        args += ["-e", n]
    _, rows = tplib.parse_fields(tplib.tshark(args))
    return rows


def split(cell):
    return [c for c in cell.split(SEP) if c] if cell else []


def last(cell):
    v = split(cell)
    return v[-1] if v else ""


def same_number(a, b):
    if a == "" or b == "":
        return a == b
    return abs(float(a) - float(b)) < 1e-6


def run_tool(capture, outdir):
    p = subprocess.run([annotate_tool(), "-q", "-j", "1", capture, "-o", outdir],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=300)
    if p.returncode != 0:
        raise Failure("tcpphase-annotate failed (exit %d):\n%s" % (p.returncode, p.stderr))
    base = tplib.CAPTURE_RE.sub("", os.path.basename(capture))
    return [os.path.join(outdir, base + s)
            for s in (".tcpphase.pcapng", ".connections.csv", ".connections.jsonl")]


def compare_frames(capture, pcapng, plugin, problems):
    comments = fields(pcapng, ["frame.number", "frame.comment"], two_pass=False)
    if len(comments) != len(plugin):
        problems.append("the annotated copy has %d frames, the capture %d"
                        % (len(comments), len(plugin)))
        return
    for mine, theirs in zip(comments, plugin):
        n = theirs["frame.number"]
        cs = split(mine["frame.comment"])
        steps = [c[len("tcpphase: "):] for c in cs if c.startswith("tcpphase: ")]
        anomalies = {}
        for c in cs:
            if c.startswith("tcpphase.") and ": " in c:
                name, text = c[len("tcpphase."):].split(": ", 1)
                anomalies[name] = text
        step = theirs["tcpphase.step"]
        if steps != ([step] if step else []):
            problems.append("frame %s: comment step %s, plugin step %r" % (n, steps, step))
        want = set(split(theirs["tcpphase.anomaly"]))
        if set(anomalies) != want:
            problems.append("frame %s: comment anomalies %s, plugin %s"
                            % (n, sorted(anomalies), sorted(want)))
        messages = set(split(theirs["_ws.expert.message"]))
        for name, text in anomalies.items():
            if text not in messages:
                problems.append("frame %s: comment text %r of %s is not the plugin's expert "
                                "message (%s)" % (n, text, name, sorted(messages)))
        if len(cs) != len(steps) + len(anomalies):
            problems.append("frame %s: unexpected comments %s" % (n, cs))


def endpoint(row, side):
    # The innermost IP layer gives the addresses (IPv6 in IPv4 tunnels: ip.*
    # are the outer header's).
    layers = row["frame.protocols"].split(":")
    inner_v6 = "ipv6" in layers and (
        "ip" not in layers or
        len(layers) - 1 - layers[::-1].index("ipv6") > len(layers) - 1 - layers[::-1].index("ip"))
    addr = last(row["ipv6." + side]) if inner_v6 else last(row["ip." + side])
    port = last(row["tcp.%sport" % ("src" if side == "src" else "dst")])
    return (addr, port)


def compare_connections(csv_path, jsonl_path, plugin, problems):
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    with open(jsonl_path) as f:
        jrows = [json.loads(line) for line in f]
    if len(rows) != len(jrows):
        problems.append("CSV has %d rows, JSONL %d" % (len(rows), len(jrows)))
    for r, j in zip(rows, jrows):
        for k, v in r.items():
            jv = j[k]
            if k == "anomalies":
                jv = ";".join(jv)
            elif jv is None:
                jv = ""
            if not (same_number(v, str(jv)) if isinstance(jv, (int, float)) else v == str(jv)):
                problems.append("conn %s: CSV %s=%r, JSONL %r" % (r["id"], k, v, j[k]))

    by_id = {}
    for row in plugin:
        cid = last(row["tcpphase.conn.id"])
        if cid:
            by_id.setdefault(cid, []).append(row)
    if sorted(by_id, key=int) != [r["id"] for r in rows]:
        problems.append("connection ids: plugin %s, CSV %s"
                        % (sorted(by_id, key=int), [r["id"] for r in rows]))
    for r in rows:
        frames = by_id.get(r["id"])
        if not frames:
            continue
        final = frames[-1]
        for col, field in CONN_FIELDS.items():
            if not same_number(r[col], last(final[field])) if col.endswith("_time") \
                    else r[col] != last(final[field]):
                problems.append("conn %s: %s=%r, plugin %s=%r"
                                % (r["id"], col, r[col], field, last(final[field])))
        first = frames[0]
        checks = [
            ("first_frame", r["first_frame"], first["frame.number"]),
            ("last_frame", r["last_frame"], final["frame.number"]),
        ]
        for name, mine, theirs in checks:
            if mine != theirs:
                problems.append("conn %s: %s %s, plugin frames say %s" % (r["id"], name, mine, theirs))
        t0, t1 = float(first["frame.time_epoch"]), float(final["frame.time_epoch"])
        if abs(float(r["start_time"]) - t0) > 1e-6 or abs(float(r["duration"]) - (t1 - t0)) > 1e-6:
            problems.append("conn %s: start %s duration %s, plugin frames %.9f %.9f"
                            % (r["id"], r["start_time"], r["duration"], t0, t1 - t0))
        ends = {endpoint(first, "src"), endpoint(first, "dst")}
        mine = {(r["orig_addr"], r["orig_port"]), (r["resp_addr"], r["resp_port"])}
        if ends != mine:
            problems.append("conn %s: endpoints %s, first frame %s" % (r["id"], mine, ends))
        union = set()
        for fr in frames:
            union |= set(split(fr["tcpphase.anomaly"]))
        got = set(a for a in r["anomalies"].split(";") if a)
        if got != union:
            problems.append("conn %s: anomalies %s, plugin's frames %s"
                            % (r["id"], sorted(got), sorted(union)))


def main():
    if len(sys.argv) != 2:
        raise Failure("usage: annotate_equal.py CAPTURE")
    capture = tplib.resolve_capture(sys.argv[1])
    plugin = fields(capture, FRAME_FIELDS, two_pass=True)
    problems = []
    with tempfile.TemporaryDirectory(prefix="tcpphase-annotate-equal.") as tmp:
        pcapng, csv_path, jsonl_path = run_tool(capture, os.path.join(tmp, "out"))
        compare_frames(capture, pcapng, plugin, problems)
        compare_connections(csv_path, jsonl_path, plugin, problems)
    if problems:
        raise Failure("%s: tcpphase-annotate and the plugin disagree:\n%s"
                      % (os.path.basename(capture), tplib.indent("\n".join(problems[:80]))))
    labelled = sum(1 for r in plugin if r["tcpphase.step"])
    print("%s: %d frames, %d labelled, comments and connection rows equal the plugin's"
          % (os.path.basename(capture), len(plugin), labelled))


if __name__ == "__main__":
    tplib.main_wrapper(main)
