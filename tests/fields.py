#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Registration check: the plugin loads and registers every documented name.

    fields.py [--build DIR] [--spec FILE]

Checks that `tshark -G plugins` lists tcpphase.so, that `tshark -G fields`
lists the protocol `tcpphase`, every field and every expert item of the
field contract (the list below; docs/fields.md documents each), and that
`tshark -G defaultprefs` has a tcpphase preference for the TIME_WAIT
duration.

It also holds docs/fields.md to the build: the names in the first column of
its tables must be exactly the registered fields and expert items (outside
its Preferences section) and the registered preferences (inside it), and the
values its tables list for tcpphase.phase, step, role, conn.open and
conn.close must be exactly those of tests/coverage.py.

With --spec (or $TCPPHASE_SPEC) it also reads the `tcpphase.*` names out of
the tables of another Markdown file and fails if this list misses one.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

SEGMENT_FIELDS = tplib.SEGMENT_FIELDS
CONNECTION_FIELDS = tplib.CONNECTION_FIELDS

# Expert items: tshark -G fields lists them too.
EXPERT_ITEMS = [
    "tcpphase.simultaneous_open",
    "tcpphase.self_connect",
    "tcpphase.half_close",
    "tcpphase.data_after_fin",
    "tcpphase.half_closed_at_end",
    "tcpphase.refused",
    "tcpphase.syn_unanswered",
    "tcpphase.time_wait_reuse",
    "tcpphase.time_wait_rst",
    "tcpphase.bad_syn_ack",
    "tcpphase.fin_without_ack",
    "tcpphase.rst_ignored",
]
EXPECTED = SEGMENT_FIELDS + CONNECTION_FIELDS + EXPERT_ITEMS


FIELDS_DOC = os.path.join(tplib.ROOT, "docs", "fields.md")


def doc_tables(path):
    """docs/fields.md's tables: {section heading: [first-column code span of each row]}."""
    tables = {}
    heading = ""
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                heading = line.strip("# \n")
                continue
            if not line.startswith("|") or line.startswith("| ---"):
                continue
            m = re.match(r"\|\s*`([^`]+)`", line)
            if m:
                tables.setdefault(heading, []).append(m.group(1))
    return tables


def check_doc(registered, prefs):
    """Problems between docs/fields.md and the registered names and values."""
    import coverage  # tests/coverage.py: every value of each string field
    problems = []
    tables = doc_tables(FIELDS_DOC)
    doc_prefs, doc_fields = set(), set()
    for heading, names in tables.items():
        for n in names:
            if n.startswith("tcpphase.") or n == "tcpphase":
                (doc_prefs if heading == "Preferences" else doc_fields).add(n)
    doc_fields.discard("tcpphase")  # the protocol, checked above
    for n in sorted(set(registered) - doc_fields):
        problems.append("registered but not in docs/fields.md: %s" % n)
    for n in sorted(doc_fields - set(registered)):
        problems.append("in docs/fields.md but not registered: %s" % n)
    for n in sorted(set(prefs) ^ doc_prefs):
        problems.append("preference %s: registered and documented differ" % n)
    sections = {
        "tcpphase.phase": "`tcpphase.phase`",
        "tcpphase.step": "`tcpphase.step`",
        "tcpphase.role": "`tcpphase.role`",
        "tcpphase.conn.open": "`tcpphase.conn.open`",
        "tcpphase.conn.close": "`tcpphase.conn.close`",
    }
    for field, heading in sections.items():
        documented = set(tables.get(heading, []))
        want = coverage.EXPECTED[field]
        if documented != want:
            problems.append("docs/fields.md %s values differ: missing %s, unknown %s" % (
                field, sorted(want - documented) or "none", sorted(documented - want) or "none"))
    if not problems:
        print("ok: docs/fields.md documents every registered name, preference and value")
    return problems


def spec_names(path):
    """`tcpphase.*` field and expert names in a Markdown file's tables."""
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.startswith("|"):
                continue
            for m in re.finditer(r"`(tcpphase\.[a-z_.]+)`", line):
                names.add(m.group(1))
            # "`tcpphase.conn.syn_frame` …" rows list the other links by short name.
            if "conn.syn_frame" in line:
                for m in re.finditer(r"`([a-z_]+_frame)`", line):
                    names.add("tcpphase.conn." + m.group(1))
    # Preference names (tcpphase.NAME:VALUE) are not fields.
    return {n for n in names if not n.endswith(".")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build")
    ap.add_argument("--spec", default=os.environ.get("TCPPHASE_SPEC"))
    a = ap.parse_args()
    failures = []

    if a.spec:
        if not os.path.isfile(a.spec):
            raise Failure("--spec %s: no such file" % a.spec)
        missing = sorted(spec_names(a.spec) - set(EXPECTED))
        if missing:
            failures.append("names of %s missing from tests/fields.py's list: " % a.spec
                            + ", ".join(missing))
        else:
            print("ok: tests/fields.py's list covers every name in %s" % a.spec)

    plugins = tplib.tshark(["-G", "plugins"], build=a.build)
    lines = [line for line in plugins.split("\n") if line.startswith("tcpphase.so")]
    if not lines:
        failures.append("tshark -G plugins does not list tcpphase.so")
    else:
        print("ok: tshark -G plugins: %s" % " ".join(lines[0].split()))

    out = tplib.tshark(["-G", "fields"], build=a.build)
    registered = {}
    proto = False
    for line in out.split("\n"):
        cols = line.split("\t")
        if cols[0] == "P" and len(cols) > 2 and cols[2] == "tcpphase":
            proto = True
        if cols[0] == "F" and len(cols) > 3 and cols[2].startswith("tcpphase."):
            registered[cols[2]] = cols[3]
    if not proto:
        failures.append("tshark -G fields lists no protocol 'tcpphase'")
    missing = [n for n in EXPECTED if n not in registered]
    for n in EXPECTED:
        if n in registered:
            print("ok: %-36s %s" % (n, registered[n]))
    for n in missing:
        failures.append("not registered: %s" % n)
    extra = sorted(set(registered) - set(EXPECTED))
    if extra:
        print("note: registered beyond the list above (docs/fields.md must document them): "
              + ", ".join(extra))
    # At least a TIME_WAIT duration preference (docs/fields.md, "Preferences").
    prefs = tplib.tshark(["-G", "defaultprefs"], build=a.build)
    names = re.findall(r"^#?(tcpphase\.[A-Za-z0-9_.]+):", prefs, re.M)
    if not names:
        failures.append("tshark -G defaultprefs lists no tcpphase.* preference")
    elif not any("time_wait" in n for n in names):
        failures.append("no TIME_WAIT preference among: " + ", ".join(names))
    else:
        print("ok: preferences: " + ", ".join(names))

    failures.extend(check_doc(registered, names))

    if failures:
        raise Failure("%d problem(s):\n%s" % (len(failures), tplib.indent("\n".join(failures))))
    print("ok: all %d names of the field contract are registered" % len(EXPECTED))
    return 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
