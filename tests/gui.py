#!/usr/bin/env python3
# The real Wireshark GUI with the tcpphase plugin and profile, under Xvfb.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Starts `wireshark -C tcpphase` (wireshark-qt) on a capture with a
self-connect and a simultaneous open, as an unprivileged user on a virtual
X display, and checks what it draws:

  * OCR (tesseract) of the packet list finds, on the rows of the rare
    openings, the frame number, the tcpphase.conn.id column and the
    tcpphase.step and tcpphase.state.sender columns with the values of
    the reviewed golden file (syn, syn_ack, ...);
  * the rows are coloured by the profile's rules: warnings (self_connect)
    salmon, notes (simultaneous_open, refused) yellow, a plain row neither;
  * with the tcpphase subtree of the selected frame expanded (a click on
    it and Shift+Right, as a user would), OCR finds its fields.

Screenshots of the same run go to OUTDIR (default: $TCPPHASE_BUILD/gui);
`--save-screenshots docs/screenshots` also writes the README's crops.

As root (CI), Wireshark runs as user nobody (setpriv) with a scratch HOME
holding the profile, and the fresh plugin via WIRESHARK_PLUGIN_DIR: Wireshark
ignores both for root.

    python3 tests/gui.py [--build DIR] [--out DIR] [--save-screenshots DIR]
"""

import argparse
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CAPTURE = "real-mixed.pcap"     # self-connect (1-7), refused (8-11), simultaneous open (12-25)
SELECT_FRAME = 2                # the self-connect's SYN-ACK, for the subtree
SCREEN = (1280, 800)
# Rows whose tcpphase columns must be read back: the rare openings.
RARE_FRAMES = [1, 2, 12, 13, 14, 15]
# Wireshark selects frame 1 of a fresh file (white on blue, no colours):
# start on a plain frame instead, so that every checked row shows its colour.
START_FRAME = 16
# Row colours of profile/tcpphase/colorfilters (16-bit values / 257).
SALMON = (255, 142, 142)        # warnings
YELLOW = (255, 247, 144)        # notes
COLOURED = {1: SALMON, 2: SALMON, 9: YELLOW, 11: YELLOW, 12: YELLOW, 13: YELLOW,
            14: YELLOW, 15: YELLOW}
PLAIN = [3, 4, 5, 17]           # no tcpphase item: Wireshark's own rules
TOOLS = ["wireshark", "xvfb-run", "xdotool", "import", "convert", "tesseract", "setpriv"]
PACKAGES = "wireshark-qt xvfb xauth xdotool imagemagick tesseract-ocr"

# The "recent" settings the run starts from: no byte pane (room for the
# tree), Step and state columns wide enough for their longest values.
RECENT = """gui.byte_view_show: FALSE
gui.geometry_main_upper_pane: 400
column.width:
\t%m, 50,
\t%t, 90,
\t%s, 90,
\t%d, 90,
\t%p, 70,
\t"%Cus:tcpphase.conn.id", 50,
\t"%Cus:tcpphase.step", 170,
\t"%Cus:tcpphase.state.sender", 120,
\t"%Cus:tcpphase.state.receiver", 120,
\t%i, 600
"""
RECENT_COMMON = """gui.geometry_main_x: 0
gui.geometry_main_y: 0
gui.geometry_main_width: %d
gui.geometry_main_height: %d
gui.geometry_main_maximized: FALSE
privs.warn_if_elevated: FALSE
""" % SCREEN


class Failure(Exception):
    pass


# ---- Image helpers (ImageMagick and tesseract; no Python packages) ---------

def run(cmd, timeout=120, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=timeout, **kw)


def ocr_words(png, box=None, scale=3, negate=False, psm=6):
    """Words tesseract reads in png (optionally a crop x, y, w, h), with
    their boxes in screen pixels: [(text, left, top, width, height, line_key)].
    The image goes to black and white first (tesseract misses dark text on
    coloured rows otherwise); negate reads light text on dark rows."""
    src = png
    tmp = None
    if True:
        fd, tmp = tempfile.mkstemp(suffix=".png")
        os.close(fd)
        cmd = ["convert", png]
        if box:
            cmd += ["-crop", "%dx%d+%d+%d" % (box[2], box[3], box[0], box[1]), "+repage"]
        cmd += ["-resize", "%d%%" % (scale * 100), "-colorspace", "Gray",
                "-threshold", "55%"]
        if negate:
            cmd += ["-negate"]
        cmd += [tmp]
        p = run(cmd)
        if p.returncode != 0:
            raise Failure("convert failed: %s" % p.stderr)
        src = tmp
    try:
        p = run(["tesseract", src, "-", "--psm", str(psm), "tsv"], timeout=300)
    finally:
        if tmp:
            os.unlink(tmp)
    if p.returncode != 0:
        raise Failure("tesseract failed: %s" % p.stderr)
    ox, oy = (box[0], box[1]) if box else (0, 0)
    words = []
    for row in csv.DictReader(p.stdout.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if not text:
            continue
        words.append((text, ox + int(row["left"]) / scale, oy + int(row["top"]) / scale,
                      int(row["width"]) / scale, int(row["height"]) / scale,
                      (row["block_num"], row["par_num"], row["line_num"])))
    return words


def loose(text):
    """OCR reads "_" as a space or ". " now and then: compare without them."""
    return " ".join(re.sub(r"[_.]", " ", text).split())


def screen_lines(words):
    """Words grouped into lines by their vertical position (tesseract's own
    line numbers sometimes join a table row to the one above), each line
    sorted left to right."""
    lines = []
    for w in sorted(words, key=lambda w: w[2] + w[4] / 2):
        mid = w[2] + w[4] / 2
        if lines and mid - lines[-1][0] < 7:
            lines[-1][1].append(w)
        else:
            lines.append([mid, [w]])
    return [sorted(ws, key=lambda w: w[1]) for _, ws in lines]


def read_ppm(png):
    p = subprocess.run(["convert", png, "-depth", "8", "ppm:-"], stdout=subprocess.PIPE,
                       timeout=60)
    data = p.stdout
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    if p.returncode != 0 or not m:
        raise Failure("cannot read %s as an image" % png)
    w, h = int(m.group(1)), int(m.group(2))
    return w, h, data[m.end():]


def pixel(img, x, y):
    w, h, px = img
    x, y = int(x), int(y)
    i = (y * w + x) * 3
    return tuple(px[i:i + 3])


def close_to(c, want, tol=10):
    return all(abs(a - b) <= tol for a, b in zip(c, want))


# ---- The driver: runs under xvfb-run as the unprivileged user --------------

def log(msg):
    print("[%6.1f s] %s" % (time.monotonic() - T0, msg), flush=True)


T0 = time.monotonic()


def find_window(name, deadline):
    while time.monotonic() < deadline:
        p = run(["xdotool", "search", "--onlyvisible", "--name", name], timeout=20)
        ids = p.stdout.split()
        if ids:
            return ids[0]
        time.sleep(0.5)
    raise Failure("no visible Wireshark window named %r within the time limit" % name)


def click(word):
    x, y = word[1] + word[3] / 2, word[2] + word[4] / 2
    run(["xdotool", "mousemove", str(int(x)), str(int(y)), "click", "1", "sleep", "1"])


def screenshot(path):
    p = run(["import", "-window", "root", path], timeout=60)
    if p.returncode != 0 or not os.path.isfile(path):
        raise Failure("import -window root failed: %s" % p.stderr)


def drive(opts):
    out = opts.drive
    cap = opts.capture
    deadline = time.monotonic() + opts.timeout
    logf = open(os.path.join(out, "wireshark.log"), "w")
    ws = subprocess.Popen(["wireshark", "-C", "tcpphase", "-r", cap, "-g", str(START_FRAME)],
                          stdout=logf, stderr=subprocess.STDOUT, cwd=out,
                          start_new_session=True)
    try:
        win = find_window(os.path.basename(cap), deadline)
        log("window %s is up" % win)
        # No window manager under Xvfb: place and size the window ourselves.
        run(["xdotool", "windowmove", win, "0", "0", "windowsize", win,
             str(SCREEN[0]), str(SCREEN[1])])
        # Drawn when the packet list reads back its step column.
        shot = os.path.join(out, "packet-list-full.png")
        while True:
            time.sleep(1)
            screenshot(shot)
            words = [w[0] for w in ocr_words(shot, (0, 90, SCREEN[0], 340), scale=2)]
            if "syn_ack" in words:
                break
            if time.monotonic() > deadline or ws.poll() is not None:
                raise Failure("the packet list never showed a syn_ack step (see %s)" % shot)
        log("packet list drawn")

        # Select the frame as a user would: Go > Go to Packet (Ctrl+G).
        run(["xdotool", "mousemove", "640", "600", "click", "1", "sleep", "0.3",
             "key", "ctrl+g", "sleep", "0.5", "type", str(SELECT_FRAME)])
        run(["xdotool", "key", "Return", "sleep", "1"])
        shot = os.path.join(out, "selected.png")
        screenshot(shot)

        # Expand the tcpphase subtree of the selected frame: click its line
        # in the details pane, then Shift+Right ("Expand Subtrees").
        tree = os.path.join(out, "tcpphase-subtree-full.png")
        for attempt in range(3):
            words = ocr_words(shot, (0, 420, SCREEN[0], SCREEN[1] - 440), scale=2)
            spot = None
            for i, w in enumerate(words[:-1]):
                if (w[0].upper() == "TCP" and words[i + 1][0].lower() == "phase:"
                        and w[5] == words[i + 1][5]):
                    spot = (w[1] + w[3] / 2, w[2] + w[4] / 2)
                    break
            if not spot:
                raise Failure("no 'TCP phase:' line in the details pane (see %s)" % shot)
            run(["xdotool", "mousemove", str(int(spot[0])), str(int(spot[1])), "click", "1",
                 "sleep", "0.5", "key", "shift+Right", "sleep", "1"])
            screenshot(tree)
            text = " ".join(w[0] for w in ocr_words(tree, (0, 420, SCREEN[0], SCREEN[1] - 440),
                                                     scale=2))
            if "Sender role:" in text:
                break
            log("subtree not expanded yet (attempt %d)" % (attempt + 1))
            shot = tree
        log("tcpphase subtree expanded")

        # Statistics > TCP Phases: the statistics tree in the GUI.
        menubar = ocr_words(tree, (0, 0, SCREEN[0], 22), scale=2)
        item = [w for w in menubar if w[0] == "Statistics"]
        if not item:
            raise Failure("no Statistics menu in the menu bar (see %s)" % tree)
        click(item[0])
        menu = os.path.join(out, "statistics-menu.png")
        screenshot(menu)
        words = ocr_words(menu, (int(item[0][1]) - 40, 20, 560, SCREEN[1] - 20), scale=2)
        entry = [w for i, w in enumerate(words[:-1])
                 if w[0] == "TCP" and words[i + 1][0] == "Phases" and w[5] == words[i + 1][5]]
        if not entry:
            raise Failure("no 'TCP Phases' in the Statistics menu (see %s)" % menu)
        click(entry[-1])
        stats = os.path.join(out, "stats-tree-full.png")
        while True:
            time.sleep(1)
            screenshot(stats)
            if "Expert items" in loose(" ".join(w[0] for w in ocr_words(stats, scale=1))):
                break
            if time.monotonic() > deadline:
                raise Failure("the TCP Phases dialog never showed (see %s)" % stats)
        log("Statistics > TCP Phases shown")
    finally:
        try:
            os.killpg(ws.pid, signal.SIGTERM)
            ws.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(ws.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        logf.close()
    return 0


# ---- The test: prepares, runs the driver, checks the screenshots -----------

def golden_rows():
    path = os.path.join(ROOT, "tests", "golden", "real-mixed.tsv")
    with open(path, newline="") as f:
        return {int(r["frame.number"]): r for r in csv.DictReader(f, delimiter="\t")}


def check_packet_list(shot, golden):
    problems = []
    words = ocr_words(shot, (0, 95, SCREEN[0], 330), scale=3)
    header = {w[0]: w for w in words if w[2] < 115}
    for col in ("No.", "Conn", "Step", "Sender"):
        if col not in header:
            raise Failure("OCR found no %r column header in %s (got %s)"
                          % (col, shot, sorted(header)))
    x_conn, x_step, x_sender = header["Conn"][1], header["Step"][1], header["Sender"][1]
    x_receiver = header.get("Receiver", (None, x_sender + 120))[1]
    columns = (("conn", x_conn - 40, x_step - 5), ("step", x_step - 5, x_sender - 5),
               ("sender", x_sender - 5, x_receiver - 5))
    def read_row(line):
        numbers = [w for w in line if w[1] < 60 and w[0].isdigit()]
        if not numbers:
            return None, None
        cells = {"y": numbers[0][2] + numbers[0][4] / 2}
        for name, lo, hi in columns:
            # OCR often reads "_" (thin, at the bottom of the row) as a space.
            cells[name] = " ".join(w[0] for w in line if lo <= w[1] < hi).replace("_", " ")
        return int(numbers[0][0]), cells

    rows = {}
    for line in screen_lines(w for w in words if w[2] + w[4] / 2 >= 112):
        f, cells = read_row(line)
        if f:
            rows[f] = cells
    # tesseract skips a table row now and then: read a row it skipped on
    # its own, where the rows it did read say it is.
    if len(rows) >= 2:
        fs = sorted(rows)
        height = (rows[fs[-1]]["y"] - rows[fs[0]]["y"]) / (fs[-1] - fs[0])
        for f in set(RARE_FRAMES) | set(COLOURED) | set(PLAIN):
            if f in rows:
                continue
            y = rows[fs[0]]["y"] + (f - fs[0]) * height
            strip = ocr_words(shot, (0, int(y - height / 2), SCREEN[0], int(height)),
                              scale=4, psm=7)
            got, cells = read_row(strip)
            if got == f:
                rows[f] = cells
    for f in RARE_FRAMES:
        g = golden[f]
        got = rows.get(f)
        if not got:
            problems.append("frame %d: no row read in the packet list" % f)
            continue
        want = {"conn": g["tcpphase.conn.id"], "step": g["tcpphase.step"],
                "sender": g["tcpphase.state.sender"]}
        for k, v in want.items():
            if got.get(k) != v.replace("_", " "):
                problems.append("frame %d: %s column reads %r, the golden file says %r"
                                % (f, k, got.get(k), v))
    # Colours: sample the row background in the Conn column, left of its
    # right-aligned number.
    img = read_ppm(shot)
    for f in list(COLOURED) + PLAIN:
        if f not in rows:
            problems.append("frame %d: row not found for the colour check" % f)
            continue
        c = pixel(img, x_conn + 3, rows[f]["y"])
        want = COLOURED.get(f)
        if want and not close_to(c, want):
            problems.append("frame %d: row colour %s, expected %s" % (f, c, want))
        if not want and (close_to(c, SALMON) or close_to(c, YELLOW)):
            problems.append("frame %d: row coloured %s, but it has no tcpphase item" % (f, c))
    return rows, problems


def check_subtree(shot, golden):
    g = golden[SELECT_FRAME]
    text = " ".join(w[0] for w in ocr_words(shot, (0, 420, SCREEN[0], SCREEN[1] - 440),
                                            scale=2))
    want = [
        "Step: %s" % g["tcpphase.step"],
        "Sender role: %s" % g["tcpphase.role"],
        "Sender state: %s" % g["tcpphase.state.sender"],
        "Anomaly: %s" % g["tcpphase.anomaly"],
        "Connection %s: open %s" % (g["tcpphase.conn.id"], g["tcpphase.conn.open"]),
    ]
    return [("expanded tcpphase subtree: OCR did not find %r" % w) for w in want
            if loose(w) not in loose(text)]


def check_stats_dialog(shot):
    """The TCP Phases dialog's counts equal the statistics tree the golden
    file implies (tests/stats.py checks the same tree in tshark)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import stats
    want = stats.from_golden(os.path.join(ROOT, "test-captures", CAPTURE))
    expect = {"Expert items": want["items"], "Connections": want["connections"]}
    for k, v in want.items():
        if k.startswith("items:") and v:
            expect[k[len("items:"):]] = v
        if k.startswith("open:") and v:
            expect[k[len("open:"):]] = v
    # The dialog sits over the packet list: a screen line holds a row of
    # each.  Look for "NAME COUNT" anywhere in a line.
    lines = [loose(" ".join(w[0] for w in line)) for line in
             screen_lines(ocr_words(shot, scale=2))]
    problems = []
    for name, count in expect.items():
        # An open kind must not match the expert item of the same name.
        pat = re.compile(r"(?:^|\s)(?<!tcpphase )" + re.escape(loose(name)) + r"\s+(\d+)\b")
        got = [int(m.group(1)) for t in lines for m in pat.finditer(t)]
        if count not in got:
            problems.append("TCP Phases dialog: %s reads %s, expected %d"
                            % (name, got or "nothing", count))
    return problems


def prepare(scratch, build, as_nobody):
    home = os.path.join(scratch, "home")
    profiles = os.path.join(home, ".config", "wireshark", "profiles")
    os.makedirs(profiles)
    p = run(["bash", "-c", '. "$1/scripts/lib.sh" && tp_install_profile "$1" "$2"', "x",
             ROOT, profiles])
    if p.returncode != 0:
        raise Failure("tp_install_profile failed:\n%s" % p.stderr)
    with open(os.path.join(profiles, "tcpphase", "recent"), "w") as f:
        f.write(RECENT)
    with open(os.path.join(home, ".config", "wireshark", "recent_common"), "w") as f:
        f.write(RECENT_COMMON)
    with open(os.path.join(build, "wireshark-abi")) as f:
        abi = f.read().strip()          # the plugin folder name, e.g. 4.4
    so = os.path.join(build, "plugins", abi, "epan", "tcpphase.so")
    if not os.path.isfile(so):
        raise Failure("no built plugin at %s" % so)
    plugdir = os.path.join(scratch, "plugins", abi, "epan")
    os.makedirs(plugdir)
    shutil.copy(so, plugdir)
    shutil.copy(os.path.join(ROOT, "test-captures", CAPTURE), scratch)
    shutil.copy(os.path.abspath(__file__), os.path.join(scratch, "gui.py"))
    out = os.path.join(scratch, "out")
    os.makedirs(out)
    runtime = os.path.join(scratch, "runtime")     # XDG_RUNTIME_DIR: private
    for d, _, files in os.walk(scratch):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    os.makedirs(runtime, mode=0o700)
    os.chmod(runtime, 0o700)
    if as_nobody:
        for d in (home, out, runtime):
            for sub, dirs, files in os.walk(d):
                shutil.chown(sub, "nobody", "nogroup")
                for f in files:
                    shutil.chown(os.path.join(sub, f), "nobody", "nogroup")
    return home, out, runtime


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build")
    ap.add_argument("--out", help="where to keep the screenshots (default: BUILD/gui)")
    ap.add_argument("--save-screenshots", metavar="DIR",
                    help="also write the README's cropped screenshots into DIR")
    ap.add_argument("--timeout", type=float, default=300, help="seconds for the GUI part")
    ap.add_argument("--drive", help=argparse.SUPPRESS)
    ap.add_argument("--capture", help=argparse.SUPPRESS)
    opts = ap.parse_args()
    if opts.drive:
        return drive(opts)

    missing = [t for t in TOOLS if not shutil.which(t)]
    if missing:
        raise Failure("missing %s: apt-get install %s (scripts/lib.sh lists them)"
                      % (", ".join(missing), PACKAGES))
    build = opts.build or os.environ.get("TCPPHASE_BUILD") or os.path.join(ROOT, "build")
    build = os.path.abspath(build)
    out_keep = os.path.abspath(opts.out or os.path.join(build, "gui"))
    as_nobody = os.geteuid() == 0
    golden = golden_rows()

    scratch = tempfile.mkdtemp(prefix="tcpphase-gui.")
    try:
        home, out, runtime = prepare(scratch, build, as_nobody)
        env = ["env", "-i", "HOME=" + home,
               "WIRESHARK_PLUGIN_DIR=" + os.path.join(scratch, "plugins"),
               "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "TZ=UTC",
               "XDG_RUNTIME_DIR=" + runtime]
        inner = ["xvfb-run", "-a", "-s", "-screen 0 %dx%dx24" % SCREEN,
                 sys.executable if not as_nobody else "/usr/bin/python3",
                 os.path.join(scratch, "gui.py"), "--drive", out,
                 "--capture", os.path.join(scratch, CAPTURE), "--timeout", str(opts.timeout)]
        cmd = env + inner
        if as_nobody:
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] + cmd
        print("running: %s" % " ".join(cmd), flush=True)
        proc = subprocess.Popen(cmd, cwd=out, start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True)
        try:
            log_text, _ = proc.communicate(timeout=opts.timeout + 120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            log_text, _ = proc.communicate()
            raise Failure("the GUI run took too long:\n%s" % log_text)
        print(log_text, end="")
        os.makedirs(out_keep, exist_ok=True)
        for f in os.listdir(out):
            if f.endswith(".png") or f.endswith(".log"):
                shutil.copy(os.path.join(out, f), out_keep)
        if proc.returncode != 0:
            raise Failure("the GUI driver failed (exit %d); screenshots and wireshark.log in %s"
                          % (proc.returncode, out_keep))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    list_shot = os.path.join(out_keep, "packet-list-full.png")
    tree_shot = os.path.join(out_keep, "tcpphase-subtree-full.png")
    rows, problems = check_packet_list(list_shot, golden)
    for f in RARE_FRAMES:
        if f in rows:
            print("frame %2d: conn %s, step %s, sender %s"
                  % (f, rows[f].get("conn"), rows[f].get("step"), rows[f].get("sender")))
    problems += check_subtree(tree_shot, golden)
    problems += check_stats_dialog(os.path.join(out_keep, "stats-tree-full.png"))
    if problems:
        raise Failure("what Wireshark drew is wrong (screenshots in %s):\n  %s"
                      % (out_keep, "\n  ".join(problems)))
    print("GUI: the rare openings' tcpphase columns, the row colours, the expanded "
          "subtree and Statistics > TCP Phases read back as expected (screenshots in %s)" % out_keep)

    if opts.save_screenshots:
        d = os.path.abspath(opts.save_screenshots)
        os.makedirs(d, exist_ok=True)
        stats_shot = os.path.join(out_keep, "stats-tree-full.png")
        for src, dst, crop in ((list_shot, "packet-list.png", "1280x490+0+0"),
                               (tree_shot, "tcpphase-subtree.png", "1280x306+0+494"),
                               (stats_shot, "stats-tree.png", "800x459+230+132")):
            p = run(["convert", src, "-crop", crop, "+repage", os.path.join(d, dst)])
            if p.returncode != 0:
                raise Failure("convert failed: %s" % p.stderr)
        print("README screenshots written to %s" % d)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        sys.stdout.flush()
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
