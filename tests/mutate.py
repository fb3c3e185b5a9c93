#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Capture mutation campaign: hostile variants of the test captures through
tshark with the plugin (and tcpphase-annotate when it is built), under the
sanitizers.

    mutate.py [--build DIR] [--cases N] [--seed S] [-j JOBS] [--timeout SEC]
              [--keep DIR] [CAPTURE...]

Case i of seed S is always the same mutated file (random.Random("S:i")),
so a failure is reproduced with the same --seed and --cases, or alone
with --only i.  The mutations, one or a few combined per case:

  editcap     `editcap -E P --seed X`: random byte errors in packet data
  flip        1-8 bytes flipped, mostly inside the IP/TCP headers
  truncate    one frame's captured length cut to K bytes (orig_len kept);
              successive cases sweep every K of a few frames per capture
  cut         the file itself ends inside a record
  shuffle     frames in another order (time stamps travel with them)
  duplicate   frames repeated, next to themselves or anywhere
  swap        source and destination (addresses and ports) swapped in
              some frames, as if sent the other way
  splice      frames of another capture mixed in

A case FAILS on: a crash (signal), a sanitizer report (ASan/UBSan/LSan
text on stderr, or exit status 86, see cmake/sanitize.cmake), or a hang
(no exit within --timeout).  tshark refusing a broken file (exit 1 or 2
with a message) is fine: that is a clear message.  Every fourth case
also runs tshark one-pass and requires the per-segment labels of the
two-pass run (step, phase, both states, conn.id) on every frame: the
answer must not depend on the pass, even for garbage.

Failing cases are kept in --keep (default BUILD/mutate-failures/) with
the command that reproduces them; the script exits 1.
"""

import argparse
import concurrent.futures
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

SANITIZER_RE = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                          r"runtime error:|SUMMARY: \w+Sanitizer")
SANITIZER_EXIT = 86
LABEL_FIELDS = ["frame.number", "tcpphase.conn.id", "tcpphase.step", "tcpphase.phase",
                "tcpphase.state.sender", "tcpphase.state.receiver"]
DRIVER_HOME = []
OPERATORS = ["editcap", "flip", "truncate", "cut", "shuffle", "duplicate", "swap", "splice"]

# ---- Classic pcap ----------------------------------------------------------


class Pcap:
    """A classic pcap file: header fields and records [ts_sec, ts_frac, data, orig_len]."""

    def __init__(self, raw):
        if len(raw) < 24:
            raise ValueError("too short for a pcap header")
        magic = raw[:4]
        if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            self.endian = "<"
        elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
            self.endian = ">"
        else:
            raise ValueError("not a classic pcap file")
        self.header = raw[:24]
        self.linktype = struct.unpack(self.endian + "I", raw[20:24])[0] & 0x0fffffff
        self.records = []
        off = 24
        rh = struct.Struct(self.endian + "IIII")
        while off + 16 <= len(raw):
            sec, frac, incl, orig = rh.unpack_from(raw, off)
            off += 16
            self.records.append([sec, frac, bytes(raw[off:off + incl]), orig])
            off += incl

    def dump(self):
        rh = struct.Struct(self.endian + "IIII")
        out = bytearray(self.header)
        for sec, frac, data, orig in self.records:
            out += rh.pack(sec, frac, len(data), max(orig, len(data)))
            out += data
        return bytes(out)


def ip_offset(linktype, data):
    """Offset of the IP header in a frame, or None."""
    if linktype == 1:                               # Ethernet, with 802.1Q/QinQ tags
        off, etype = 12, None
        while off + 2 <= len(data):
            etype = struct.unpack(">H", data[off:off + 2])[0]
            if etype in (0x8100, 0x88a8, 0x9100):
                off += 4
                continue
            off += 2
            break
        return off if etype in (0x0800, 0x86dd) else None
    if linktype == 113:                             # Linux cooked v1
        return 16 if len(data) >= 16 else None
    if linktype == 276:                             # Linux cooked v2
        return 20 if len(data) >= 20 else None
    if linktype in (101, 12, 14, 228, 229):         # raw IP
        return 0
    if linktype in (0, 108):                        # BSD loopback
        return 4 if len(data) >= 4 else None
    return None


def swap_direction(linktype, data):
    """The frame with IP source/destination and TCP ports swapped, or None."""
    off = ip_offset(linktype, data)
    if off is None or off >= len(data):
        return None
    b = bytearray(data)
    version = b[off] >> 4
    if version == 4 and off + 20 <= len(b):
        ihl = (b[off] & 0x0f) * 4
        b[off + 12:off + 16], b[off + 16:off + 20] = data[off + 16:off + 20], data[off + 12:off + 16]
        proto, t = b[off + 9], off + ihl
    elif version == 6 and off + 40 <= len(b):
        b[off + 8:off + 24], b[off + 24:off + 40] = data[off + 24:off + 40], data[off + 8:off + 24]
        proto, t = b[off + 6], off + 40
    else:
        return None
    if proto == 6 and t + 4 <= len(b):
        b[t:t + 2], b[t + 2:t + 4] = data[t + 2:t + 4], data[t:t + 2]
    return bytes(b)


# ---- Cases -------------------------------------------------------------------


class Case:
    def __init__(self, index, kind, capture, ops, path):
        self.index, self.kind, self.capture, self.ops, self.path = index, kind, capture, ops, path

    def describe(self):
        return "case %d: %s, %s" % (self.index, os.path.basename(self.capture), "; ".join(self.ops))


def load(capture, tmpdir, cache={}):
    """Pcap of a capture (pcapng and compressed ones converted by editcap)."""
    if capture not in cache:
        with open(capture, "rb") as f:
            raw = f.read()
        try:
            cache[capture] = Pcap(raw)
        except ValueError:
            conv = os.path.join(tmpdir, "conv-" + os.path.basename(capture) + ".pcap")
            subprocess.run(["editcap", "-F", "pcap", capture, conv], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(conv, "rb") as f:
                cache[capture] = Pcap(f.read())
    return cache[capture]


def truncate_target(nth, captures, tmpdir):
    """(capture, frame index, length) of the nth truncate case."""
    targets = []
    for c in captures:
        for frame, r in enumerate(load(c, tmpdir).records[:3]):
            targets.append((c, frame, len(r[2]) + 1))
    total = sum(t[2] for t in targets)
    nth %= total
    for c, frame, lengths in targets:
        if nth < lengths:
            return c, frame, nth
        nth -= lengths
    raise AssertionError("unreachable")


def make_case(index, seed, captures, tmpdir):
    rng = random.Random("%s:%d" % (seed, index))
    # Operator round-robin over the case index, so that every kind gets its
    # share in a short run; the capture changes every len(OPERATORS) cases.
    op0 = OPERATORS[index % len(OPERATORS)]
    nth = index // len(OPERATORS)          # the nth case of this operator
    capture = captures[nth % len(captures)]
    sweep = None
    if op0 == "truncate":
        # Sweep every length of the first three frames of each capture, one
        # length per truncate case: frame by frame, capture by capture.
        capture, frame, k = truncate_target(nth, captures, tmpdir)
        sweep = (frame, k)
    base = load(capture, tmpdir)
    p = Pcap.__new__(Pcap)
    p.endian, p.header, p.linktype = base.endian, base.header, base.linktype
    p.records = [list(r) for r in base.records]
    # Sometimes one or two more on top.
    ops = [op0]
    if rng.random() < 0.3:
        ops += rng.sample(OPERATORS, rng.choice([1, 2]))
    path = os.path.join(tmpdir, "case-%06d.pcap" % index)
    done, file_cut, editcap_p = [], None, None
    n = len(p.records)
    for op in ops:
        if n == 0:
            break
        if op == "flip":
            k = rng.randint(1, 8)
            for _ in range(k):
                r = p.records[rng.randrange(n)]
                data = bytearray(r[2])
                if not data:
                    continue
                off = ip_offset(p.linktype, data)
                if off is not None and off < len(data) and rng.random() < 0.7:
                    pos = min(len(data) - 1, off + rng.randrange(60))
                else:
                    pos = rng.randrange(len(data))
                data[pos] ^= 1 << rng.randrange(8) if rng.random() < 0.5 else rng.randrange(1, 256)
                r[2] = bytes(data)
            done.append("flip %d bytes" % k)
        elif op == "truncate":
            if sweep is not None:
                frame, k = sweep
                sweep = None
            else:
                frame = rng.randrange(n)
                k = rng.randint(0, len(p.records[frame][2]))
            full = len(p.records[frame][2])
            p.records[frame][2] = p.records[frame][2][:k]
            done.append("frame %d cut to %d of %d bytes" % (frame + 1, k, full))
        elif op == "cut":
            file_cut = rng.randint(24, 24 + sum(16 + len(r[2]) for r in p.records))
            done.append("file cut at byte %d" % file_cut)
        elif op == "shuffle":
            if rng.random() < 0.5:
                rng.shuffle(p.records)
                done.append("all frames shuffled")
            else:
                a = rng.randrange(n)
                b = min(n, a + rng.randint(2, 6))
                window = p.records[a:b]
                rng.shuffle(window)
                p.records[a:b] = window
                done.append("frames %d-%d shuffled" % (a + 1, b))
        elif op == "duplicate":
            k = rng.randint(1, 5)
            for _ in range(k):
                src = rng.randrange(len(p.records))
                dst = src + 1 if rng.random() < 0.5 else rng.randrange(len(p.records) + 1)
                p.records.insert(dst, list(p.records[src]))
            done.append("%d frames duplicated" % k)
        elif op == "swap":
            k = rng.randint(1, max(1, n // 3))
            swapped = 0
            for i in rng.sample(range(len(p.records)), min(k, len(p.records))):
                new = swap_direction(p.linktype, p.records[i][2])
                if new is not None:
                    p.records[i][2] = new
                    swapped += 1
            done.append("%d frames swapped in direction" % swapped)
        elif op == "splice":
            other = load(rng.choice(captures), tmpdir)
            if other.linktype == p.linktype and other.records:
                for r in rng.sample(other.records, min(len(other.records), rng.randint(1, 10))):
                    p.records.insert(rng.randrange(len(p.records) + 1), list(r))
                done.append("frames of another capture mixed in")
        elif op == "editcap":
            editcap_p = rng.choice([0.002, 0.01, 0.05, 0.2])
            done.append("editcap -E %g" % editcap_p)
        n = len(p.records)
    raw = p.dump()
    if file_cut is not None:
        raw = raw[:file_cut]
    with open(path, "wb") as f:
        f.write(raw)
    if editcap_p is not None:
        tmp = path + ".E.pcap"
        e = subprocess.run(["editcap", "-E", str(editcap_p), "--seed", str(rng.randrange(1 << 31)),
                            path, tmp], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           universal_newlines=True)
        if e.returncode == 0 and os.path.exists(tmp):
            os.replace(tmp, path)
        else:
            done.append("(editcap refused the file: %s)" % e.stderr.strip()[:80])
    os.chmod(path, 0o644)
    return Case(index, op0, capture, done or ["unchanged"], path)


# ---- Running them -----------------------------------------------------------


def sanitizer_env(build):
    env = {}
    path = os.path.join(build, "sanitizer.env")
    if os.path.isfile(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line and not line.startswith("#") and "=" in line:
                    k, v = line.split("=", 1)
                    env[k] = v
    return env


def find_annotate(build):
    for dirpath, _, files in os.walk(build):
        if "tcpphase-annotate" in files:
            p = os.path.join(dirpath, "tcpphase-annotate")
            if os.access(p, os.X_OK):
                return p
    return None


def run(cmd, env, timeout):
    """(verdict or None, returncode, stderr)."""
    try:
        p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as e:
        err = e.stderr if isinstance(e.stderr, str) else (e.stderr or b"").decode("utf-8", "replace")
        return "hang (no exit within %d s)" % timeout, None, err, ""
    if SANITIZER_RE.search(p.stderr) or p.returncode == SANITIZER_EXIT:
        return "sanitizer report (exit %d)" % p.returncode, p.returncode, p.stderr, p.stdout
    if p.returncode < 0 or p.returncode >= 128:
        return "crash (exit %d)" % p.returncode, p.returncode, p.stderr, p.stdout
    return None, p.returncode, p.stderr, p.stdout


def find_driver(build):
    p = os.path.join(build, "tests", "driver", "tcpphase-epan-driver")
    return p if os.access(p, os.X_OK) else None


def driver_env(build):
    # HOME: an empty folder made by main(), so no personal preferences apply.
    env = dict(os.environ, HOME=DRIVER_HOME[0]) if DRIVER_HOME else dict(os.environ)
    env.update({k: v for k, v in sanitizer_env(build).items()
                if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")})
    return env


def check_batch_in_driver(driver, cases, args):
    """Failures [(case, verdict, stderr)] of a batch of cases, all opened one
    after the other in one tcpphase-epan-driver process (libwireshark with
    the plugin, the same sanitizers); a failing batch is split to find the
    case that fails alone."""
    # --timeout is per case: a batch may take that long for each of its cases
    # before it counts as a hang (then its cases run alone, each with --timeout).
    verdict, _, err, _ = run([driver] + [c.path for c in cases], driver_env(args.build),
                             args.timeout * len(cases))
    if not verdict:
        return []
    if len(cases) == 1:
        return [(cases[0], verdict, err)]
    found = []
    for c in cases:
        found += check_batch_in_driver(driver, [c], args)
    return found or [(cases[0], "the batch failed, no case alone: " + verdict, err)]


def labels(stdout):
    rows = {}
    for line in stdout.splitlines():
        cells = line.split("\t")
        if len(cells) == len(LABEL_FIELDS) and cells[0].isdigit():
            rows[int(cells[0])] = tuple(cells[1:])
    return rows


def check_case(case, args, annotate, tmpdir):
    """A list of (tool, verdict, stderr) failures, and tshark's exit status."""
    env = dict(os.environ)
    env["TCPPHASE_BUILD"] = args.build
    fields = []
    for f in LABEL_FIELDS:
        fields += ["-e", f]
    two = ["bash", tplib.TSHARK_AS_USER, "-n", "-2", "-r", case.path, "-T", "fields"] + fields
    failures = []
    verdict, rc, err, out = run(two, env, args.timeout)
    if rc == 3 and "did not load the tcpphase plugin" in err:
        raise Failure("tshark did not load the plugin:\n" + tplib.indent(err))
    if verdict:
        failures.append(("tshark -2", verdict, err))
    elif case.index % 4 == 0 and rc == 0:
        one = [a for a in two if a != "-2"]
        v1, rc1, err1, out1 = run(one, env, args.timeout)
        if v1:
            failures.append(("tshark one-pass", v1, err1))
        elif rc1 == 0:
            l1, l2 = labels(out1), labels(out)
            diff = ["frame %d: one-pass %s, two-pass %s" % (fr, l1.get(fr), l2.get(fr))
                    for fr in sorted(set(l1) | set(l2)) if l1.get(fr) != l2.get(fr)]
            if diff:
                failures.append(("tshark one-pass vs -2", "labels depend on the pass",
                                 "\n".join(diff[:20])))
    if annotate:
        outdir = tempfile.mkdtemp(prefix="annotate-", dir=tmpdir)
        aenv = dict(os.environ)
        aenv.update({k: v for k, v in sanitizer_env(args.build).items()
                     if k in ("ASAN_OPTIONS", "UBSAN_OPTIONS")})
        v, _, aerr, _ = run([annotate, case.path, "-o", outdir], aenv, args.timeout)
        shutil.rmtree(outdir, ignore_errors=True)
        if v:
            failures.append(("tcpphase-annotate", v, aerr))
    return failures, rc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--build", help="build folder (default: $TCPPHASE_BUILD or ./build)")
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", default="1")
    ap.add_argument("--only", type=int, help="run only case number ONLY")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=120, help="seconds before a run is a hang")
    ap.add_argument("--keep", help="where failing cases are kept")
    ap.add_argument("--progress", type=int, default=0, help="print a line every N cases")
    ap.add_argument("--engine", choices=["tshark", "driver", "both"], default="both",
                    help="run each case through tshark (one process per case), "
                    "tcpphase-epan-driver (many cases per process, much faster), or both")
    ap.add_argument("--batch", type=int, default=50, help="cases per driver process")
    ap.add_argument("--require-sanitizers", action="store_true",
                    help="fail unless BUILD is a sanitizer build (TCPPHASE_SANITIZE=ON)")
    ap.add_argument("captures", nargs="*")
    args = ap.parse_args()
    args.build = tplib.build_dir(args.build)
    if args.require_sanitizers and not os.path.isfile(os.path.join(args.build, "sanitizer.env")):
        raise Failure("%s is not a sanitizer build (no sanitizer.env): configure it with "
                      "-DTCPPHASE_SANITIZE=ON" % args.build)
    captures = ([tplib.resolve_capture(c) for c in args.captures] if args.captures
                else tplib.all_captures())
    if not captures:
        raise Failure("no captures")
    keep = args.keep or os.path.join(args.build, "mutate-failures")
    annotate = find_annotate(args.build) if args.engine in ("tshark", "both") else None
    driver = find_driver(args.build) if args.engine != "tshark" else None
    if args.engine != "tshark" and not driver:
        raise Failure("--engine %s: no tcpphase-epan-driver in %s/tests/driver (is the plugin "
                      "built?)" % (args.engine, args.build))
    runners = []
    if args.engine in ("tshark", "both"):
        runners.append("tshark" + (" + " + annotate if annotate
                                   else " (tcpphase-annotate not built)"))
    if driver:
        runners.append("tcpphase-epan-driver (batches of %d)" % args.batch)
    print("mutate: seed %s, %d cases over %d captures, %s, %s"
          % (args.seed, args.cases, len(captures), " and ".join(runners),
             "sanitizers on" if sanitizer_env(args.build) else "NO sanitizers"))
    indexes = [args.only] if args.only is not None else range(args.cases)
    start = time.time()
    tmpdir = tempfile.mkdtemp(prefix="tcpphase-mutate-")
    os.chmod(tmpdir, 0o755)     # tshark may run as nobody
    DRIVER_HOME.append(tempfile.mkdtemp(prefix="home-", dir=tmpdir))
    failed, by_op, exits = [], {}, {}
    try:
        cases = [make_case(i, args.seed, captures, tmpdir) for i in indexes]
        driver_failures = {}
        if driver:
            batches = [cases[i:i + args.batch] for i in range(0, len(cases), args.batch)]
            with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                done_cases = 0
                futures = [pool.submit(check_batch_in_driver, driver, b, args) for b in batches]
                for fut in concurrent.futures.as_completed(futures):
                    found = fut.result()
                    done_cases += args.batch
                    for case, verdict, err in found:
                        driver_failures.setdefault(case.index, []).append(
                            ("tcpphase-epan-driver", verdict, err))
                    if args.progress:
                        print("mutate: tcpphase-epan-driver: %d batches of %d done, %d cases "
                              "failed so far, %.0f s" % (done_cases // args.batch, args.batch,
                                                         len(driver_failures), time.time() - start),
                              flush=True)
            print("mutate: tcpphase-epan-driver: %d cases in %.0f s, %d failed"
                  % (len(cases), time.time() - start, len(driver_failures)), flush=True)

        def check(case):
            failures, rc = [], "not run"
            if args.engine in ("tshark", "both"):
                failures, rc = check_case(case, args, annotate, tmpdir)
            return driver_failures.get(case.index, []) + failures, rc

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = {pool.submit(check, c): c for c in cases}
            for fut in concurrent.futures.as_completed(futures):
                case = futures[fut]
                failures, rc = fut.result()
                by_op[case.kind] = by_op.get(case.kind, 0) + 1
                exits[rc] = exits.get(rc, 0) + 1
                if failures:
                    os.makedirs(keep, exist_ok=True)
                    kept = os.path.join(keep, "seed%s-%s" % (args.seed, os.path.basename(case.path)))
                    shutil.copyfile(case.path, kept)
                    failed.append((case, failures, kept))
                    print("FAIL %s" % case.describe())
                    for tool, verdict, err in failures:
                        print("  %s: %s" % (tool, verdict))
                        print(tplib.indent("\n".join(err.strip().splitlines()[:30]), "    "))
                    print("  kept as %s; reproduce: TCPPHASE_BUILD=%s bash scripts/tshark-as-user.sh "
                          "-n -2 -r %s -T fields -e tcpphase.step" % (kept, args.build, kept))
                else:
                    os.remove(case.path)
                done_count = sum(by_op.values())
                if args.progress and done_count % args.progress == 0:
                    print("mutate: %d/%d cases, %d failed, %.0f s"
                          % (done_count, len(cases), len(failed), time.time() - start), flush=True)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print("mutate: %d cases in %.0f s; %d failed; by first mutation: %s; tshark exit statuses: %s"
          % (len(indexes), time.time() - start, len(failed),
             ", ".join("%s %d" % kv for kv in sorted(by_op.items())),
             ", ".join("%s: %d" % (k, v) for k, v in sorted(exits.items(), key=lambda kv: str(kv[0])))))
    return 1 if failed else 0


if __name__ == "__main__":
    tplib.main_wrapper(main)
