#!/usr/bin/env python3
"""Every value users can filter on is exercised by at least one golden file.

The values of tcpphase.step, phase, role, conn.open, conn.close and the
expert items, as docs/fields.md lists them (tests/fields.py checks that the
page and this list agree); the reviewed golden files in tests/golden/ must show each of
them at least once, so none of them goes untested.
"""
import csv
import pathlib
import sys

GOLDEN = pathlib.Path(__file__).resolve().parent / "golden"

EXPECTED = {
    "tcpphase.step": {
        "syn", "syn_ack", "handshake_ack", "syn_retransmission", "syn_ack_retransmission",
        "data", "ack", "fin_active", "fin_passive", "fin_simultaneous", "fin_ack",
        "last_ack", "fin_retransmission", "half_close_data", "data_after_fin",
        "rst_refused", "rst_handshake", "rst_abort", "rst_teardown", "after_close",
        "data_retransmission", "out_of_window",
    },
    "tcpphase.phase": {"handshake", "established", "teardown", "closed", "reset"},
    "tcpphase.role": {"client", "server", "peer", "self", "unknown"},
    "tcpphase.conn.open": {
        "three_way", "simultaneous", "self_connect", "refused", "unanswered",
        "incomplete", "not_seen",
    },
    "tcpphase.conn.close": {
        "four_way", "three_way", "simultaneous", "self", "half_closed", "reset",
        "open", "incomplete",
    },
    # Expert items, as tcpphase.anomaly names them.
    "tcpphase.anomaly": {
        "simultaneous_open", "self_connect", "half_close", "data_after_fin",
        "half_closed_at_end", "refused", "syn_unanswered", "time_wait_reuse",
        "time_wait_rst", "bad_syn_ack", "fin_without_ack", "rst_ignored",
    },
}


def main():
    seen = {field: set() for field in EXPECTED}
    files = sorted(GOLDEN.glob("*.tsv"))
    if not files:
        sys.exit("coverage: no golden files in %s" % GOLDEN)
    for path in files:
        with path.open(newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                for field in EXPECTED:
                    for value in (row.get(field) or "").split(","):
                        if value:
                            seen[field].add(value)
    failed = 0
    for field, want in EXPECTED.items():
        missing = sorted(want - seen[field])
        unknown = sorted(seen[field] - want)
        status = "ok" if not missing and not unknown else "FAIL"
        print("%-4s %-20s %d/%d values exercised%s%s" % (
            status, field, len(want & seen[field]), len(want),
            "; missing: " + ", ".join(missing) if missing else "",
            "; not documented: " + ", ".join(unknown) if unknown else ""))
        failed += status == "FAIL"
    print("%d golden files read" % len(files))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
