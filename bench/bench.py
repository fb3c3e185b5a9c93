#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What tcpphase costs tshark, against tshark without it and against the two
alternatives a user has today; one command, about ten minutes on 2 cores.

    python3 bench/bench.py [--build build] [--out bench/RESULTS.md] [--quick]

Needs a build (cmake -S . -B build && cmake --build build): the plugin,
bench/gencap, bench/corebench and the primed C alternative (primealt.so).

What it does:
  1. writes the synthetic captures with gencap (once; kept in the work
     folder, by default /tmp/tcpphase-bench, for the next run);
  2. makes plugin folders holding the global folder's plugins minus any
     tcpphase.so ("none"), plus this build's tcpphase.so ("tcpphase"), plus
     the primed C alternative ("primealt"), and runs tshark with
     WIRESHARK_PLUGIN_DIR pointing at one of them.  As root that needs
     another user (root ignores WIRESHARK_PLUGIN_DIR): tshark runs as nobody
     through setpriv, as scripts/tshark-as-user.sh does;
  3. runs each group of commands in rounds, every round all of the group's
     commands in a rotated order, so that drift of the machine falls on all
     alike; --pairs rounds (5; 3 for -2, 2 for the adversarial captures,
     whose point is memory), more (up to --max-pairs, default 5 so that
     the whole run stays within ten minutes) while the noise leaves the
     overhead's median uncertain by more than 1 point and the time budget
     allows; the report says how many rounds the noise seen would need;
  4. takes Max RSS and user + system CPU time of every run (/usr/bin/time)
     and the median wall time;
  5. runs bench/corebench (the core alone) for time per packet per block
     and bytes per connection and per frame on the adversarial captures;
  6. prints the targets met and missed and the tables, and writes them to
     --out (docs/performance.md quotes them).
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
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLOBAL_PLUGINS = "/usr/lib/x86_64-linux-gnu/wireshark/plugins"
IS_ROOT = os.geteuid() == 0

# The performance targets (docs/performance.md).
TARGET_Y = 3.0          # % wall, -Y tcp
TARGET_FIELDS = 2.0     # % wall, -T fields and -V
BYTES_PER_FRAME = 16
BYTES_PER_CONN = 128
FLAT = 1.3               # later time per packet / earlier, still "flat"


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log("bench: ERROR: " + msg)
    sys.exit(1)


# ---- Setup ---------------------------------------------------------------

class Setup:
    def __init__(self, args):
        self.build = os.path.abspath(args.build)
        self.work = os.path.abspath(args.work)
        self.tshark = shutil.which("tshark") or die("tshark not found (apt-get install tshark)")
        if not os.path.exists("/usr/bin/time"):
            die("/usr/bin/time not found (apt-get install time)")
        self.gencap = os.path.join(self.build, "bench", "gencap")
        self.corebench = os.path.join(self.build, "bench", "corebench")
        abi_file = os.path.join(self.build, "wireshark-abi")
        if not os.path.exists(abi_file):
            die(f"{abi_file} missing: configure first (cmake -S . -B build)")
        with open(abi_file) as f:
            self.abi = f.read().strip()     # Wireshark's major.minor: the plugin folder
        self.plugin = os.path.join(self.build, "plugins", self.abi, "epan", "tcpphase.so")
        self.primealt = os.path.join(self.build, "bench", "plugins", self.abi, "epan", "primealt.so")
        for f in (self.gencap, self.corebench, self.plugin, self.primealt):
            if not os.path.exists(f):
                die(f"{f} missing: build first (cmake -S . -B build && cmake --build build)")
        os.makedirs(self.work, exist_ok=True)
        os.chmod(self.work, 0o755)
        if IS_ROOT and subprocess.run(self.as_runner(["test", "-x", self.work])).returncode != 0:
            die(f"user nobody cannot reach {self.work}: use --work under /tmp")
        self.home = os.path.join(self.work, "home")
        os.makedirs(self.home, exist_ok=True)
        if IS_ROOT:
            shutil.chown(self.home, "nobody", "nogroup")
        self.lua = os.path.join(self.work, "phase.lua")
        shutil.copyfile(os.path.join(ROOT, "bench", "phase.lua"), self.lua)
        os.chmod(self.lua, 0o644)
        self.dirs = {
            "none": self.plugin_dir("none", None),
            "tcpphase": self.plugin_dir("tcpphase", self.plugin),
            "primealt": self.plugin_dir("primealt", self.primealt),
        }
        self.check_loaded()

    @staticmethod
    def as_runner(cmd):
        if IS_ROOT:
            return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        return cmd

    def plugin_dir(self, name, extra):
        """A plugin folder: the global one's plugins, minus tcpphase.so,
        plus `extra` (copied, so the build can change under us)."""
        top = os.path.join(self.work, "plugins-" + name)
        shutil.rmtree(top, ignore_errors=True)
        for dirpath, _dirs, files in os.walk(GLOBAL_PLUGINS):
            rel = os.path.relpath(dirpath, GLOBAL_PLUGINS)
            os.makedirs(os.path.join(top, rel), exist_ok=True)
            for f in files:
                if f == "tcpphase.so":
                    continue
                os.symlink(os.path.join(dirpath, f), os.path.join(top, rel, f))
        if extra:
            os.makedirs(os.path.join(top, self.abi, "epan"), exist_ok=True)
            dest = os.path.join(top, self.abi, "epan", os.path.basename(extra))
            shutil.copyfile(extra, dest)
            os.chmod(dest, 0o644)
        for dirpath, dirs, _files in os.walk(top):
            os.chmod(dirpath, 0o755)
        return top

    def env(self, plugins):
        return ["env", "-i", "HOME=" + self.home, "WIRESHARK_PLUGIN_DIR=" + self.dirs[plugins],
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8", "TZ=UTC"]

    def check_loaded(self):
        for name, want in (("none", []), ("tcpphase", ["tcpphase.so"]), ("primealt", ["primealt.so"])):
            out = subprocess.run(self.as_runner(self.env(name) + [self.tshark, "-G", "plugins"]),
                                 capture_output=True, text=True, cwd=self.home).stdout
            loaded = {l.split("\t")[0].strip() for l in out.splitlines() if "\t" in l}
            for so in ("tcpphase.so", "primealt.so"):
                if (so in loaded) != (so in want):
                    die(f"plugin folder {name}: {so} {'not ' if so in want else ''}loaded")

    def capture(self, name, mode, count, extra=()):
        path = os.path.join(self.work, f"{name}.pcap")
        stamp = path + ".args"
        args = [mode, "-n", str(count), *extra]
        if not (os.path.exists(path) and os.path.exists(stamp)
                and open(stamp).read() == " ".join(args)):
            log(f"bench: writing {path} ({mode}, {count})")
            subprocess.run([self.gencap, *args, "-o", path], check=True,
                           stderr=subprocess.DEVNULL)
            with open(stamp, "w") as f:
                f.write(" ".join(args))
        os.chmod(path, 0o644)
        return path


# ---- Running and measuring -------------------------------------------------

class Run:
    """One command variant of a group: a name, a plugin folder, tshark args."""

    def __init__(self, name, plugins, args):
        self.name, self.plugins, self.args = name, plugins, args
        self.walls, self.cpus, self.rss = [], [], []


def run_once(setup, run):
    with tempfile.NamedTemporaryFile(dir=setup.work, suffix=".time", delete=False) as tf:
        tfile = tf.name
    os.chmod(tfile, 0o666)
    cmd = ["/usr/bin/time", "-f", "%U %S %M", "-o", tfile] + setup.as_runner(
        setup.env(run.plugins) + [setup.tshark] + run.args)
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       cwd=setup.home)
    wall = time.monotonic() - t0
    with open(tfile) as f:
        text = f.read()
    os.unlink(tfile)
    if p.returncode != 0:
        die(f"{run.name}: tshark {' '.join(run.args)} failed ({p.returncode}): {p.stderr[-500:]}")
    m = re.search(r"([\d.]+) ([\d.]+) (\d+)\s*$", text)
    if not m:
        die(f"{run.name}: /usr/bin/time wrote {text!r}")
    run.walls.append(wall)
    run.cpus.append(float(m.group(1)) + float(m.group(2)))
    run.rss.append(int(m.group(3)) * 1024)


def wall_ratios(run, base):
    """Per-round ratios of run's wall times to base's (same rounds)."""
    return [w / b for w, b in zip(run.walls, base.walls)]


def noise_pairs(ratios):
    """Rounds needed for the median overhead to be known to +-1 point: the
    standard error of a median is about 1.25 sd / sqrt(n)."""
    if len(ratios) < 2:
        return None
    sd = statistics.stdev(ratios) * 100
    return max(1, int((1.2533 * sd / 1.0) ** 2 + 0.999))


def measure(setup, group, runs, min_rounds, max_rounds, deadline):
    """Run every variant in rounds, rotating the order; the first is the baseline."""
    log(f"bench: {group}: " + ", ".join(r.name for r in runs))
    rounds = 0
    while True:
        order = runs[rounds % len(runs):] + runs[:rounds % len(runs)]
        for r in order:
            run_once(setup, r)
        rounds += 1
        log(f"bench:   round {rounds}: " + ", ".join(f"{r.walls[-1]:.2f} s" for r in runs))
        if rounds < min_rounds:
            continue
        if rounds >= max_rounds or time.monotonic() > deadline:
            break
        base = runs[0]
        need = max((noise_pairs(wall_ratios(r, base)) or 0) for r in runs[1:])
        if rounds >= need:
            break
    return rounds


def med(xs):
    return statistics.median(xs)


# ---- The benchmark ----------------------------------------------------------

def corebench(setup, path):
    out = subprocess.run([setup.corebench, path, "100000"], capture_output=True, text=True,
                         check=True).stdout
    blocks = [float(l.split()[1]) for l in out.splitlines()
              if re.match(r"^\s+\d+\s+[\d.]+$", l)]
    m = re.search(r"tcp (\d+)\s+unplaced (\d+)\s+connections (\d+)", out)
    t = re.search(r"time ([\d.]+) s\s+([\d.]+) ns/packet", out)
    mem = re.search(r"engine (\d+) bytes .* labels (\d+) bytes", out)
    return {
        "tcp": int(m.group(1)), "conns": int(m.group(3)),
        "ns": float(t.group(2)), "blocks": blocks,
        "engine": int(mem.group(1)), "labels": int(mem.group(2)),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "tcpphase-bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "RESULTS.md"))
    ap.add_argument("--pairs", type=int, default=5, help="rounds at least (default 5)")
    ap.add_argument("--max-pairs", type=int, default=5,
                    help="rounds at most (default 5; more only while the noise needs them "
                         "and --budget allows)")
    ap.add_argument("--budget", type=int, default=540,
                    help="seconds after which no group adds rounds beyond --pairs")
    ap.add_argument("--note", default="", help="a sentence for the report's header")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply every capture size by this (e.g. 0.2 on a busy machine)")
    ap.add_argument("--quick", action="store_true",
                    help="small captures and 2 rounds: checks the driver, measures nothing")
    args = ap.parse_args()
    if args.quick:
        args.pairs = args.max_pairs = 2
    start = time.monotonic()
    deadline = start + args.budget

    setup = Setup(args)
    q = args.quick

    def size(full, quick):
        return quick if q else max(1000, int(full * args.scale))

    # Sizes chosen so that the whole run stays within ten minutes on two
    # cores: tshark needs about 28 us per packet of this mix with -Y tcp,
    # 54 with -T fields, 82 with -V.  The overhead targets need five rounds
    # on the mix; memory needs the full-size adversarial captures but not
    # many rounds (Max RSS hardly varies); flatness compares the SYN flood
    # at 100k and 1M packets in tshark and the core's cost per 100k block.
    n_mix = size(200000, 20000)
    n_v = size(20000, 2000)
    n_flood = size(1000000, 20000)
    n_flood_small = size(100000, 2000)
    n_reuse = size(100000, 2000)
    n_big = size(1000000, 50000)
    n_long = size(10000000, 100000)
    mix = setup.capture("mix", "mix", n_mix)
    vcap = setup.capture("mix-v", "mix", n_v)
    flood = setup.capture("synflood", "synflood", n_flood)
    flood_small = setup.capture("synflood-small", "synflood", n_flood_small)
    flood_tiny = setup.capture("synflood-tiny", "synflood", 100)
    reuse = setup.capture("reuse", "reuse", n_reuse)
    big = setup.capture("mix-big", "mix", n_big)
    longc = setup.capture("long", "long", n_long, ["-t"])

    log("bench: the core alone (corebench)")
    core = {name: corebench(setup, path) for name, path in
            (("mix", big), ("synflood", flood), ("reuse", reuse), ("long", longc))}
    counts = {"mix": corebench(setup, mix), "synflood-small": corebench(setup, flood_small),
              "synflood": core["synflood"], "reuse": core["reuse"]}

    lua = ["-X", "lua_script:" + setup.lua]
    y = ["-n", "-r", mix, "-Y", "tcp"]
    fields = ["-n", "-r", mix, "-T", "fields", "-e", "frame.number", "-e", "tcp.flags"]
    groups = {}
    sizes = {"mix": n_mix, "v": n_v, "synflood": n_flood, "synflood-small": n_flood_small,
             "reuse": n_reuse}

    def write(final):
        text = report(setup, args, groups, core, counts, time.monotonic() - start, sizes, final)
        if not q:
            with open(args.out, "w") as f:
                f.write(text)
        return text

    def group(key, title, runs, rmin=args.pairs, rmax=args.max_pairs):
        n = measure(setup, title, runs, rmin, rmax, deadline)
        groups[key] = (title, runs, n)
        write(False)      # a partial table survives an interrupted run

    group("y", f"-Y tcp, mix ({n_mix} packets)", [
        Run("no tcpphase", "none", y),
        Run("tcpphase", "tcpphase", y),
        Run("tcpphase, --disable-protocol tcpphase", "tcpphase",
            y + ["--disable-protocol", "tcpphase"]),
        Run("Lua post-dissector (bench/phase.lua)", "none", y + lua),
        Run("primed C post-dissector (primealt)", "primealt", y),
    ])
    group("fields", f"-T fields, mix ({n_mix} packets)", [
        Run("no tcpphase: -e frame.number -e tcp.flags", "none", fields),
        Run("tcpphase: same + -e tcpphase.step", "tcpphase", fields + ["-e", "tcpphase.step"]),
    ])
    group("v", f"-V, mix ({n_v} packets)", [
        Run("no tcpphase", "none", ["-n", "-r", vcap, "-V"]),
        Run("tcpphase", "tcpphase", ["-n", "-r", vcap, "-V"]),
    ])
    # No target for -2, and memory and flatness need few rounds: fewer.
    rmin_other = min(args.pairs, 3)
    group("2", f"-2 -Y tcp, mix ({n_mix} packets)", [
        Run("no tcpphase", "none", ["-2"] + y),
        Run("tcpphase", "tcpphase", ["-2"] + y),
    ], rmin_other, rmin_other)
    rmin_adv = min(args.pairs, 2)
    for key, title, capture in (
            ("startup", "-Y tcp, SYN flood (100 SYNs), for tshark's start-up", flood_tiny),
            ("synflood", f"-Y tcp, SYN flood ({n_flood} SYNs)", flood),
            ("synflood-small", f"-Y tcp, SYN flood ({n_flood_small} SYNs), for time per packet",
             flood_small),
            ("reuse", f"-Y tcp, one tuple reused {n_reuse} times", reuse)):
        args_y = ["-n", "-r", capture, "-Y", "tcp"]
        group(key, title, [Run("no tcpphase", "none", args_y),
                           Run("tcpphase", "tcpphase", args_y)], rmin_adv, rmin_adv)

    print(write(True))
    if not q:
        log(f"bench: written to {args.out}")


# ---- The report -----------------------------------------------------------------

MEMORY_GROUPS = ("mix", "synflood", "reuse")


def overhead(groups, key, index=1):
    """Median per-round ratio of run `index` to the group's first run, - 1."""
    if key not in groups:
        return None
    runs = groups[key][1]
    return med(wall_ratios(runs[index], runs[0])) - 1


def memory(groups, counts, key):
    """(RSS above no-plugin, budget, counts) for a capture, or None."""
    g = "y" if key == "mix" else key
    if g not in groups or key not in counts:
        return None
    rs = groups[g][1]
    c = counts[key]
    return (med(rs[1].rss) - med(rs[0].rss),
            BYTES_PER_FRAME * c["tcp"] + BYTES_PER_CONN * c["conns"], c)


def targets(groups, core, counts, sizes):
    """The performance targets against this run's figures, one row each."""
    L = ["## Targets", "",
         "| target | measured | met? |", "| --- | ---: | --- |"]

    def row(what, measured, met):
        verdict = {True: "yes", False: "**no**"}.get(met, met)
        L.append(f"| {what} | {measured} | {verdict} |")

    def judged(key, limit):
        """Met or missed only where the rounds run resolve the median to
        ±1 point; otherwise say which side the median fell and that the
        noise leaves it open."""
        runs, n = groups[key][1], groups[key][2]
        ratios = wall_ratios(runs[1], runs[0])
        o = (med(ratios) - 1) * 100
        need = noise_pairs(ratios) or 0
        text = f"{o:+.1f}% ({n} rounds; ±1 point needs {need})"
        if n >= need:
            return text, o <= limit
        side = "met" if o <= limit else "missed"
        return text, f"median says {side}; too noisy to be sure"

    for key, what, limit in (("y", "`-Y tcp` wall overhead ≤ +3%", TARGET_Y),
                             ("fields", "`-T fields … -e tcpphase.step` wall overhead ≤ +2%",
                              TARGET_FIELDS),
                             ("v", "`-V` wall overhead ≤ +2%", TARGET_FIELDS)):
        if key in groups:
            row(what, *judged(key, limit))
    tp = overhead(groups, "y")
    if tp is not None:
        for index, name in ((3, "Lua post-dissector"), (4, "primed C post-dissector")):
            o = overhead(groups, "y", index)
            what = f"{name}'s overhead ≥ 10× tcpphase's (`-Y tcp`)"
            if tp > 0.001:
                row(what, f"{o / tp:.1f}× ({o * 100:+.1f}% / {tp * 100:+.1f}%)", o / tp >= 10)
            else:
                row(what, f"{o * 100:+.1f}% against tcpphase's {tp * 100:+.1f}%",
                    "tcpphase's overhead is below the noise: no ratio")
    for key in MEMORY_GROUPS:
        m = memory(groups, counts, key)
        if m:
            d, budget, _ = m
            row(f"memory, {key}: ≤ {BYTES_PER_FRAME} B/frame + {BYTES_PER_CONN} B/connection",
                f"{d / 2**20:+.1f} MiB of {budget / 2**20:.1f} MiB", d <= budget)
    if all(g in groups for g in ("startup", "synflood-small", "synflood")):
        # tshark's start-up (about a third of a second) would weigh on the
        # small capture's time per packet: it is taken out.
        t0 = med(groups["startup"][1][1].walls)
        t1 = med(groups["synflood-small"][1][1].walls)
        t2 = med(groups["synflood"][1][1].walls)
        n1, n2 = sizes["synflood-small"], sizes["synflood"]
        first, rest = (t1 - t0) / n1, (t2 - t1) / (n2 - n1)
        row(f"flat time per packet, tshark with tcpphase, SYN flood: the first {n1} packets "
            f"→ the next {n2 - n1} (start-up taken out)",
            f"{first * 1e6:.2f} → {rest * 1e6:.2f} µs"
            + (f" ({rest / first:.2f}×)" if first > 0 else ""),
            rest / first <= FLAT if first > 0 and rest > 0 else
            "start-up varies more than the small capture takes: too noisy")
    for name, c in core.items():
        b = c["blocks"]
        if len(b) >= 2:
            row(f"flat time per packet, the core alone, {name} (first → last 100k block)",
                f"{b[0]:.0f} → {b[-1]:.0f} ns ({b[-1] / b[0]:.2f}×)", b[-1] / b[0] <= FLAT)
    L.append("")
    L.append(f"\"Flat\" here: the later per-packet time at most {FLAT}× the earlier one; a "
             "quadratic path would give 10× over a tenfold size.")
    L.append("")
    return L


def report(setup, args, groups, core, counts, elapsed, sizes, final):
    L = []
    cpu = ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ver = subprocess.run([setup.tshark, "-v"], capture_output=True,
                         text=True).stdout.split("\n")[0].rstrip(".")
    load = os.getloadavg()
    L.append("# tcpphase benchmark results")
    L.append("")
    L.append(f"Written by `python3 bench/bench.py` on "
             f"{datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')}, "
             f"{os.cpu_count()} cores ({cpu}), {ver}; {elapsed:.0f} s in all; "
             f"load average at the end {load[0]:.2f}.")
    L.append("Wall time: median of the rounds; each round runs every command of its group once, "
             "in a rotated order. Overhead: the median of the per-round ratios to the first "
             "command of the group. \"Rounds needed\": rounds for that median to be known to "
             "±1 point given the noise seen (1.25·sd/√n). CPU overhead: the same median for "
             "user + system CPU time, which a busy virtual machine disturbs less than wall time. "
             "Peak memory: Max RSS (median).")
    if args.note:
        L.append("")
        L.append("Note: " + args.note)
    if not final:
        L.append("")
        L.append("**Incomplete: the run was still going (or was interrupted) when this was "
                 "written; only the groups below had finished.**")
    L.append("")
    L.append(f"Command: `python3 bench/bench.py{' --scale ' + str(args.scale) if args.scale != 1.0 else ''}`.")
    L.append("")
    L.extend(targets(groups, core, counts, sizes))
    for title, runs, n in groups.values():
        base = runs[0]
        L.append(f"## {title}: {n} rounds")
        L.append("")
        L.append("| command | wall (median) | overhead | min…max per round | rounds needed | CPU overhead | Max RSS | RSS above first |")
        L.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |")
        for r in runs:
            ratios = wall_ratios(r, base)
            cpu = med([c / b for c, b in zip(r.cpus, base.cpus)]) if min(base.cpus) > 0 else 1
            mr = med(ratios)
            need = noise_pairs(ratios) if r is not base else None
            rss = med(r.rss)
            L.append(
                f"| {r.name} | {med(r.walls):.2f} s | "
                + ("—" if r is base else f"{(mr - 1) * 100:+.1f}%")
                + " | " + ("—" if r is base else
                           f"{(min(ratios) - 1) * 100:+.1f}%…{(max(ratios) - 1) * 100:+.1f}%")
                + f" | {need if need is not None else '—'} | "
                + ("—" if r is base else f"{(cpu - 1) * 100:+.1f}%")
                + f" | {rss / 2**20:.0f} MiB | "
                + ("—" if r is base else f"{(rss - med(base.rss)) / 2**20:+.1f} MiB")
                + " |")
        L.append("")

    # The alternatives against tcpphase's overhead.
    if "y" in groups:
        runs = groups["y"][1]
        tp = overhead(groups, "y")
        L.append("## Alternatives against tcpphase (`-Y tcp`, same capture)")
        L.append("")
        L.append("| alternative | its overhead | tcpphase's | ratio (target ≥ 10×) |")
        L.append("| --- | ---: | ---: | ---: |")
        for index in range(3, len(runs)):
            r, o = runs[index], overhead(groups, "y", index)
            ratio = (f"{o / tp:.1f}×" if tp > 0.001 else
                     "tcpphase's overhead is below the noise: ratio unbounded")
            L.append(f"| {r.name} | {o * 100:+.1f}% | {tp * 100:+.1f}% | {ratio} |")
        L.append("")

    # Memory per frame and per connection.
    L.append("## Memory above the run without tcpphase (Max RSS, medians)")
    L.append("")
    L.append(f"Budget: {BYTES_PER_FRAME} B per TCP frame + {BYTES_PER_CONN} B per connection.")
    L.append("")
    L.append("| capture | TCP frames | connections | RSS above no-plugin | budget | per frame if all per frame | per connection if all per connection |")
    L.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for key in MEMORY_GROUPS:
        m = memory(groups, counts, key)
        if not m:
            continue
        d, budget, c = m
        L.append(f"| {key} | {c['tcp']} | {c['conns']} | {d / 2**20:+.1f} MiB | "
                 f"{budget / 2**20:.1f} MiB | {d / c['tcp']:.1f} B | {d / c['conns']:.0f} B |")
    L.append("")

    # Time per packet, tshark and the core alone.
    L.append("## Time per packet")
    L.append("")
    L.append("| tshark -Y tcp | packets | no tcpphase | tcpphase | tcpphase's cost per packet |")
    L.append("| --- | ---: | ---: | ---: | ---: |")
    for g in ("synflood-small", "synflood", "y"):
        if g not in groups:
            continue
        title, rs, _ = groups[g]
        n = sizes["mix" if g == "y" else g]
        a, b = med(rs[0].walls), med(rs[1].walls)
        L.append(f"| {title.split(',', 1)[1].strip()} | {n} | {a / n * 1e6:.2f} µs | "
                 f"{b / n * 1e6:.2f} µs | {(b - a) / n * 1e9:.0f} ns |")
    L.append("")
    L.append("The core alone (`bench/corebench`: the capture read into memory, every TCP segment "
             "fed to the engine and its label stored, as the plugin's first pass does):")
    L.append("")
    L.append("| capture | packets | connections | ns/packet (all) | ns/packet per 100k block: first, median, last | engine bytes | per connection | label bytes per frame |")
    L.append("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: |")
    for name, c in core.items():
        b = c["blocks"] or [c["ns"]]
        L.append(f"| {name} | {c['tcp']} | {c['conns']} | {c['ns']:.0f} | "
                 f"{b[0]:.0f}, {med(b):.0f}, {b[-1]:.0f} | {c['engine']} | "
                 f"{c['engine'] / max(1, c['conns']):.0f} | {c['labels'] / max(1, c['tcp']):.1f} |")
    L.append("")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
