#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""tcpphase-annotate on archives: what happens to every kind of file.

    annotate_archive.py

In a scratch folder it builds an archive with nested folders, a gzip
capture, a pcapng, a corrupt capture, a file that is no capture, a capture
cut short in the middle of a packet and a README, and checks, each
asserted on the real tool's outputs and messages:
  - nested folders are mirrored below OUTDIR; the README is not an input;
  - the gzip capture is labelled exactly as its uncompressed twin;
  - the corrupt file and the non-capture get one line each naming the file
    and the reason, the others are still done, the exit status is 1 and
    the summary counts both;
  - the cut capture is labelled up to the cut, with a warning;
  - inputs are never modified; no temporary file remains;
  - a re-run skips up-to-date inputs and redoes a touched one;
  - an output that would replace an input, or that two inputs would share,
    is refused;
  - an output folder the user cannot write into, an input the user may not
    read and a missing input fail with a clear line each, and the others
    are still done (as user nobody when run as root, since root ignores
    permissions);
  - a run interrupted by SIGINT, and one killed by SIGKILL, mid-file on a
    large generated capture, leave no output for that file (SIGINT: no
    temporary file either), and a re-run completes it (removing what the
    killed run left);
  - a worker process that crashes mid-file fails that file with one line,
    and the next file is still done.
"""

import gzip
import hashlib
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tplib  # noqa: E402
from tplib import Failure  # noqa: E402

CAP = tplib.CAPTURES
IS_ROOT = os.geteuid() == 0
SUFFIXES = (".tcpphase.pcapng", ".connections.csv", ".connections.jsonl")


def tool():
    t = os.environ.get("TCPPHASE_ANNOTATE")
    return t or os.path.join(tplib.build_dir(), "annotate", "tcpphase-annotate")


def run(args, as_nobody=False, binary=None):
    cmd = [binary or tool(), "-q"] + args
    if as_nobody:
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=600)
    return p.returncode, p.stderr


def check(cond, what, stderr=None):
    if not cond:
        raise Failure(what + ("\n  stderr:\n" + tplib.indent(stderr) if stderr else ""))
    print("ok: " + what.split("\n")[0])


def digest_tree(root):
    """path -> (sha256, mtime_ns) of every file below root."""
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[p] = (hashlib.sha256(fh.read()).hexdigest(), os.stat(p).st_mtime_ns)
    return out


def parts_below(root):
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files
            if ".part-" in f]


def outputs(outdir, rel):
    return [os.path.join(outdir, rel + s) for s in SUFFIXES]


def comments(pcapng):
    """frame.comment of every frame (plain tshark: comments need no plugin)."""
    out = tplib.tshark(["-n", "-r", pcapng, "-T", "fields", "-e", "frame.comment"])
    return out.split("\n")[:-1]


def read(path):
    with open(path) as f:
        return f.read()


def summary_line(stderr):
    lines = [l for l in stderr.splitlines() if re.match(r"tcpphase-annotate: \d+ labelled", l)]
    return lines[-1] if lines else ""


# ---- building the archive ---------------------------------------------------

def pcap_records(path):
    """(offset, length) of each record of a classic little-endian pcap."""
    with open(path, "rb") as f:
        data = f.read()
    off, recs = 24, []
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        recs.append((off, 16 + caplen))
        off += 16 + caplen
    return data, recs


def build_archive(a):
    os.makedirs(os.path.join(a, "sub", "deeper"))
    os.makedirs(os.path.join(a, "bad"))
    shutil.copy(os.path.join(CAP, "real-mixed.pcap"), os.path.join(a, "top.pcap"))
    subprocess.run(["editcap", "-F", "pcapng", os.path.join(CAP, "real-half-close.pcap"),
                    os.path.join(a, "sub", "deeper", "x.pcapng")], check=True)
    with open(os.path.join(CAP, "crafted-vlan.pcap"), "rb") as f:
        vlan = f.read()
    with gzip.open(os.path.join(a, "sub", "y.pcap.gz"), "wb") as g:
        g.write(vlan)
    # The same capture uncompressed, elsewhere, to compare with.
    with open(os.path.join(os.path.dirname(a), "y-plain.pcap"), "wb") as f:
        f.write(vlan)
    # Corrupt: real-mixed.pcap with the header of its 10th record smashed
    # (libwiretap looks at the first records only to recognise the file).
    data, recs = pcap_records(os.path.join(CAP, "real-mixed.pcap"))
    off = recs[9][0]
    with open(os.path.join(a, "bad", "corrupt.pcap"), "wb") as f:
        f.write(data[:off] + b"\xff" * 16 + data[off + 16:])
    with open(os.path.join(a, "bad", "notes.pcap"), "w") as f:
        f.write("not a capture, just a file named like one\n" * 20)
    # Cut: real-mixed.pcap stopped 20 bytes into its 31st record.
    data, recs = pcap_records(os.path.join(CAP, "real-mixed.pcap"))
    with open(os.path.join(a, "cut.pcap"), "wb") as f:
        f.write(data[:recs[30][0] + 20])
    with open(os.path.join(a, "README.txt"), "w") as f:
        f.write("not an input\n")


def big_capture(path, connections):
    """Many small complete connections, Ethernet/IPv4, written without scapy
    (fast enough for a few hundred thousand frames)."""
    def frame(src, sport, dst, dport, seq, ack, flags, payload=b""):
        tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000,
                         64, 6, 0, src, dst)
        return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp + payload

    c, s = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    t = 1700000000 * 1000000
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(connections):
            port = 1024 + i % 60000
            c_host = bytes([10, 1 + i // 60000 % 250, 0, 1])
            x, y = 1000, 5000
            segs = [
                frame(c_host, port, s, 80, x, 0, 0x02),
                frame(s, 80, c_host, port, y, x + 1, 0x12),
                frame(c_host, port, s, 80, x + 1, y + 1, 0x10),
                frame(c_host, port, s, 80, x + 1, y + 1, 0x18, b"GET / HTTP/1.0\r\n\r\n"),
                frame(s, 80, c_host, port, y + 1, x + 19, 0x10),
                frame(c_host, port, s, 80, x + 19, y + 1, 0x11),
                frame(s, 80, c_host, port, y + 1, x + 20, 0x11),
                frame(c_host, port, s, 80, x + 20, y + 2, 0x10),
            ]
            for seg in segs:
                t += 10
                f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(seg), len(seg)))
                f.write(seg)
    del c


# ---- the checks ----------------------------------------------------------------

def check_archive(tmp):
    a, o = os.path.join(tmp, "archive"), os.path.join(tmp, "out")
    build_archive(a)
    before = digest_tree(a)

    rc, err = run([a, "-o", o])
    check(rc == 1, "exit status 1 when some files failed (got %d)" % rc, err)
    lines = err.splitlines()
    corrupt = [l for l in lines if "bad/corrupt.pcap" in l]
    check(len(corrupt) == 1 and re.search(r"corrupt\.pcap: .*(bigger than|maximum|corrupt|"
                                          r"invalid|damaged)", corrupt[0], re.I),
          "one line for the corrupt file, naming it and why: %r" % corrupt, err)
    notcap = [l for l in lines if "bad/notes.pcap" in l]
    check(len(notcap) == 1 and "not a capture file" in notcap[0],
          "one line for the file that is no capture: %r" % notcap, err)
    cut = [l for l in lines if "cut.pcap" in l]
    check(len(cut) == 1 and "warning" in cut[0] and "cut short" in cut[0]
          and "after frame 30" in cut[0], "a warning for the cut capture: %r" % cut, err)
    check("4 labelled (1 with a warning), 0 up to date, 2 failed" in summary_line(err),
          "the summary counts the files done and failed: %r" % summary_line(err), err)
    check(not any("README" in l for l in lines), "README.txt is not taken as an input", err)

    for rel in ("top", "sub/deeper/x", "sub/y", "cut"):
        for p in outputs(o, rel):
            check(os.path.isfile(p), "output %s exists" % os.path.relpath(p, tmp))
    for rel in ("bad/corrupt", "bad/notes"):
        for p in outputs(o, rel):
            check(not os.path.exists(p), "no output %s for a failed file"
                  % os.path.relpath(p, tmp))
    check(not os.path.exists(os.path.join(o, "README.txt.tcpphase.pcapng")),
          "no output for README.txt")
    check(parts_below(o) == [], "no temporary files remain: %s" % parts_below(o))
    check(digest_tree(a) == before, "inputs unchanged (bytes and modification times)")

    # gzip: the same answers as the uncompressed twin.
    o2 = os.path.join(tmp, "out-plain")
    rc, err = run([os.path.join(tmp, "y-plain.pcap"), "-o", o2])
    check(rc == 0, "the uncompressed twin is labelled", err)
    check(read(os.path.join(o, "sub", "y.connections.csv"))
          == read(os.path.join(o2, "y-plain.connections.csv")),
          "gzip capture: connection rows equal the uncompressed capture's")
    check(comments(os.path.join(o, "sub", "y.tcpphase.pcapng"))
          == comments(os.path.join(o2, "y-plain.tcpphase.pcapng")),
          "gzip capture: comments equal the uncompressed capture's")

    # Cut: 30 complete frames, labelled as in the whole capture.
    o3 = os.path.join(tmp, "out-whole")
    rc, err = run([os.path.join(CAP, "real-mixed.pcap"), "-o", o3])
    whole = comments(os.path.join(o3, "real-mixed.tcpphase.pcapng"))
    part = comments(os.path.join(o, "cut.tcpphase.pcapng"))
    check(len(part) == 30, "the cut capture's copy has the 30 complete frames (%d)" % len(part))
    steps_whole = [c.split(",")[0] for c in whole[:30]]
    steps_part = [c.split(",")[0] for c in part]
    check(steps_part == steps_whole and all(s.startswith("tcpphase: ") for s in steps_part),
          "the cut capture is labelled up to the cut as the whole one is")

    # Re-run: everything up to date; a touched input is redone.
    mtimes = {p: os.stat(p).st_mtime_ns for p in digest_tree(o)}
    rc, err = run([a, "-o", o])
    check("0 labelled, 4 up to date, 2 failed" in summary_line(err),
          "a re-run skips up-to-date inputs: %r" % summary_line(err), err)
    check({p: os.stat(p).st_mtime_ns for p in digest_tree(o)} == mtimes,
          "a re-run rewrites nothing")
    later = time.time() + 5
    os.utime(os.path.join(a, "top.pcap"), (later, later))
    rc, err = run([a, "-o", o])
    check("1 labelled, 3 up to date, 2 failed" in summary_line(err),
          "a touched input is labelled again: %r" % summary_line(err), err)
    rc, err = run(["-f", os.path.join(a, "sub"), "-o", os.path.join(o, "sub")])
    check(rc == 0 and "2 labelled, 0 up to date" in summary_line(err),
          "-f labels up-to-date inputs anyway: %r" % summary_line(err), err)


def check_refusals(tmp):
    q = os.path.join(tmp, "refuse")
    os.makedirs(os.path.join(q, "r"))
    os.makedirs(os.path.join(q, "s"))
    shutil.copy(os.path.join(CAP, "real-refused.pcap"), os.path.join(q, "a.pcap"))
    # A capture that happens to carry the name a.pcap's CSV would get.
    victim = os.path.join(q, "a.connections.csv")
    shutil.copy(os.path.join(CAP, "real-abort.pcap"), victim)
    before = digest_tree(q)
    rc, err = run([os.path.join(q, "a.pcap"), victim, "-o", q])
    check(rc == 1 and re.search(r"a\.pcap: refused: its output .*a\.connections\.csv would "
                                r"replace an input", err),
          "an output that would replace an input is refused", err)
    check(digest_tree(q)[victim] == before[victim], "the input it would have replaced is intact")

    shutil.copy(os.path.join(CAP, "real-refused.pcap"), os.path.join(q, "r", "b.pcap"))
    shutil.copy(os.path.join(CAP, "real-abort.pcap"), os.path.join(q, "s", "b.pcap"))
    out = os.path.join(tmp, "refuse-out")
    rc, err = run([os.path.join(q, "r", "b.pcap"), os.path.join(q, "s", "b.pcap"), "-o", out])
    check(rc == 1 and re.search(r"s/b\.pcap: refused: its output .*b\.tcpphase\.pcapng is also "
                                r".*r/b\.pcap's", err)
          and "1 labelled" in summary_line(err),
          "two inputs sharing an output: the second is refused, the first done", err)


def check_unwritable(tmp):
    """A folder of the output the user may not write into."""
    base = os.path.join(tmp, "perm")
    inputs = os.path.join(base, "in")
    os.makedirs(os.path.join(inputs, "locked"))
    os.makedirs(os.path.join(inputs, "open"))
    shutil.copy(os.path.join(CAP, "real-abort.pcap"), os.path.join(inputs, "locked", "l.pcap"))
    shutil.copy(os.path.join(CAP, "real-refused.pcap"), os.path.join(inputs, "open", "w.pcap"))
    secret = os.path.join(inputs, "open", "secret.pcap")
    shutil.copy(os.path.join(CAP, "real-abort.pcap"), secret)
    out = os.path.join(base, "out")
    os.makedirs(os.path.join(out, "locked"))
    binary = None
    if IS_ROOT:
        # Root ignores permissions: run the tool as nobody, who owns `out`
        # but not `out/locked` (root's, mode 0755).  The binary is copied
        # where nobody can run it (the build may be under /root).
        binary = os.path.join(base, "tcpphase-annotate")
        shutil.copy(tool(), binary)
        for d, dirs, files in os.walk(base):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o755)
        subprocess.run(["chown", "nobody:nogroup", out], check=True)
        os.chmod(tmp, 0o755)
        who = "as nobody"
    else:
        os.chmod(os.path.join(out, "locked"), 0o555)
        who = "as %s" % os.environ.get("USER", "this user")
    os.chmod(secret, 0o600 if IS_ROOT else 0)    # root's: nobody may not read it
    missing = os.path.join(inputs, "missing.pcap")
    rc, err = run([inputs, missing, "-o", out], as_nobody=IS_ROOT, binary=binary)
    line = [l for l in err.splitlines() if "secret.pcap" in l]
    check(len(line) == 1 and "Permission denied" in line[0],
          "%s: an input that may not be read gets one line saying so: %r" % (who, line), err)
    line = [l for l in err.splitlines() if "missing.pcap" in l]
    check(len(line) == 1 and "No such file or directory" in line[0],
          "a missing input gets one line saying so: %r" % line, err)
    line = [l for l in err.splitlines() if "/l.pcap" in l]
    check(rc == 1 and len(line) == 1 and "cannot write" in line[0]
          and "Permission denied" in line[0] and "/out/locked" in line[0],
          "%s: a file whose output folder is not writable fails with a clear line: %r"
          % (who, line), err)
    check(all(os.path.isfile(p) for p in outputs(out, "open/w")),
          "%s: the other file is still done" % who, err)
    check(os.listdir(os.path.join(out, "locked")) == [], "nothing was written in the locked folder")
    check("1 labelled, 0 up to date, 3 failed" in summary_line(err),
          "the summary counts both: %r" % summary_line(err), err)


def wait_for_part(outdir, proc, seconds=120):
    end = time.time() + seconds
    while time.time() < end:
        if parts_below(outdir):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def check_interrupted(tmp):
    d = os.path.join(tmp, "big")
    os.makedirs(d)
    big = os.path.join(d, "big.pcap")
    big_capture(big, 60000)     # 480,000 frames
    shutil.copy(os.path.join(CAP, "real-mixed.pcap"), os.path.join(d, "small.pcap"))
    out = os.path.join(tmp, "big-out")

    for sig in (signal.SIGINT, signal.SIGKILL):
        name = signal.Signals(sig).name
        shutil.rmtree(out, ignore_errors=True)
        proc = subprocess.Popen([tool(), "-q", "-j", "1", big, "-o", out],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                universal_newlines=True, start_new_session=True)
        if not wait_for_part(out, proc):
            proc.kill()
            raise Failure("%s: no temporary output appeared before the run ended: the "
                          "capture is too small to interrupt mid-file" % name)
        os.killpg(proc.pid, sig)    # like Ctrl-C: the whole process group
        _, err = proc.communicate(timeout=120)
        finals = [p for p in outputs(out, "big") if os.path.exists(p)]
        check(finals == [], "%s mid-file: no output of the interrupted file exists" % name, err)
        if sig == signal.SIGINT:
            check(proc.returncode == 128 + signal.SIGINT,
                  "SIGINT: exit status 130 (got %d)" % proc.returncode, err)
            check(parts_below(out) == [], "SIGINT: the temporary files were removed: %s"
                  % parts_below(out), err)
        else:
            left = parts_below(out)
            check(left != [], "SIGKILL: temporary files remain (nothing could "
                  "remove them), under names no reader mistakes for outputs")
            # The worker, killed too, may take a moment to be gone.
            for pid in {int(re.search(r"\.part-(\d+)-", p).group(1)) for p in left}:
                end = time.time() + 30
                while time.time() < end:
                    try:
                        with open("/proc/%d/stat" % pid) as fh:
                            if fh.read().rsplit(")", 1)[-1].split()[0] in "ZX":
                                break
                    except OSError:
                        break   # gone
                    time.sleep(0.01)
        rc, err = run([d, "-o", out])
        check(rc == 0 and "2 labelled" in summary_line(err),
              "after %s a re-run completes the work: %r" % (name, summary_line(err)), err)
        if sig == signal.SIGKILL:
            check("removed" in summary_line(err), "the re-run removed the killed run's "
                  "temporary files", err)
        check(parts_below(out) == [], "after the re-run no temporary file remains")
        n = sum(1 for _ in open(os.path.join(out, "big.connections.csv"))) - 1
        check(n == 60000, "the completed output has all 60000 connections (%d)" % n)


def check_worker_crash(tmp):
    """A worker that dies mid-file costs that file only: one line naming it,
    the others done, no temporary file left.  The worker is killed with
    SIGKILL (what the OOM killer sends): a SIGSEGV would do under a plain
    build, but the sanitizer build's runtime catches SIGSEGV and turns it
    into exit status 1, and this test runs in both builds."""
    d = os.path.join(tmp, "crash")
    os.makedirs(d)
    big_capture(os.path.join(d, "a-big.pcap"), 60000)
    shutil.copy(os.path.join(CAP, "real-mixed.pcap"), os.path.join(d, "b-small.pcap"))
    out = os.path.join(tmp, "crash-out")
    proc = subprocess.Popen([tool(), "-q", "-j", "1", d, "-o", out],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            universal_newlines=True)
    if not wait_for_part(out, proc):
        proc.kill()
        raise Failure("no temporary output appeared: the capture is too small to crash mid-file")
    worker = int(re.search(r"\.part-(\d+)-", parts_below(out)[0]).group(1))
    check(worker != proc.pid, "files are labelled in a worker process")
    os.kill(worker, signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    line = [l for l in err.splitlines() if "a-big.pcap" in l]
    check(proc.returncode == 1 and len(line) == 1 and "died (signal 9)" in line[0],
          "a crashed worker's file gets one line: %r" % line, err)
    check(all(os.path.isfile(p) for p in outputs(out, "b-small")),
          "the file after it is still done", err)
    check(not any(os.path.exists(p) for p in outputs(out, "a-big")) and parts_below(out) == [],
          "no output and no temporary file of the crashed file")


def main():
    for t in (tool(),):
        if not os.access(t, os.X_OK):
            raise Failure("no tcpphase-annotate at %s (build first)" % t)
    tmp = tempfile.mkdtemp(prefix="tcpphase-annotate-archive.")
    try:
        check_archive(tmp)
        check_refusals(tmp)
        check_unwritable(tmp)
        check_interrupted(tmp)
        check_worker_crash(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("all archive checks passed")


if __name__ == "__main__":
    tplib.main_wrapper(main)
