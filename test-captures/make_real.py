#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Generate the REAL loopback captures of test-captures/ (real-*.pcap).

Every scenario is ordinary Linux socket traffic on the loopback interface,
captured by tcpdump while it happens:

    tcpdump --immediate-mode -U -i lo -w FILE 'tcp and (port A or port B ...)'

(--immediate-mode: without it the last packets are lost when tcpdump stops.)

Needs root (tcpdump on lo) and tcpdump; run with python3 from test-captures/:

    sudo python3 make_real.py            # all scenarios
    sudo python3 make_real.py refused abort   # only some

Each scenario uses its own fixed ports (below 32768, outside Linux's ephemeral
range, so nothing else on the machine uses them) and small fixed payloads.
What cannot be fixed: ISNs, TCP timestamp values, IP IDs and time stamps are
chosen by the kernel, so a rerun gives equivalent, not identical, files.  The
committed pcaps are what the README describes; CI never regenerates them.
"""

import os
import signal
import socket
import struct
import subprocess
import sys
import multiprocessing
import time

HERE = os.path.dirname(os.path.abspath(__file__))
V4 = "127.0.0.1"
V6 = "::1"

# Ports: one block per scenario.
P_SELF4 = 23010
P_SELF6 = 23011
P_SIM_A, P_SIM_B = 23020, 23021
P_CC_SRV, P_CC_CLI = 23030, 23031
P_SC_SRV, P_SC_CLI = 23040, 23041
P_HC_SRV, P_HC_CLI = 23050, 23051
P_REF_SRV, P_REF_CLI = 23060, 23061
P_AB_SRV, P_AB_CLI = 23070, 23071
P_TW_SRV, P_TW_CLI = 23080, 23081
P_MIX_SELF = 23090
P_MIX_SIM_A, P_MIX_SIM_B = 23091, 23092
P_MIX_SRV, P_MIX_CLI = 23093, 23094

SETTLE = 1.0  # seconds before and after the traffic


# --------------------------------------------------------------------------
# capture helper
# --------------------------------------------------------------------------

def count_pcap_records(path):
    """Number of packet records in a classic pcap file (no tshark needed)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return 0
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    off, n = 24, 0
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16 + incl
        n += 1
    return n


def sockets_on(ports):
    """Lines of `ss -Htan` for TCP sockets (any state) using one of `ports`."""
    out = subprocess.run(["ss", "-Htan"], capture_output=True, text=True).stdout
    hits = []
    for line in out.splitlines():
        f = line.split()
        if len(f) < 5:
            continue
        lp = f[3].rsplit(":", 1)[-1]
        rp = f[4].rsplit(":", 1)[-1]
        if any(str(p) in (lp, rp) for p in ports):
            hits.append(line)
    return hits


def wait_ports_quiet(ports, limit=75):
    """Wait until no socket (typically TIME_WAIT from a previous run) uses
    these ports.  Otherwise a rerun within 60 s reuses the TIME_WAIT state
    (net.ipv4.tcp_tw_reuse) and the new SYNs carry a non-zero TSecr."""
    t0 = time.monotonic()
    while True:
        left = sockets_on(ports)
        if not left:
            return
        if time.monotonic() - t0 > limit:
            raise RuntimeError("ports %s still busy:\n%s" % (ports, "\n".join(left)))
        time.sleep(1)


def capture(fname, ports, traffic, extra_ports=()):
    """Run traffic() while tcpdump writes the packets on `ports` to fname."""
    wait_ports_quiet(list(ports) + list(extra_ports))
    out = os.path.join(HERE, fname)
    tmp = out + ".tmp"
    bpf = "tcp and (" + " or ".join("port %d" % p for p in ports) + ")"
    # -Z root: Debian's tcpdump otherwise drops to user 'tcpdump' and may
    # not be allowed to write into the repository.
    cmd = ["tcpdump", "--immediate-mode", "-U", "-i", "lo", "-Z", "root",
           "-w", tmp, bpf]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    time.sleep(SETTLE)
    if proc.poll() is not None:
        raise RuntimeError("tcpdump died: %s" % proc.stderr.read().decode())
    try:
        info = traffic()
    finally:
        time.sleep(SETTLE)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    n = count_pcap_records(tmp)
    if n == 0:
        os.unlink(tmp)
        raise RuntimeError("%s: capture is empty (%s)" % (fname, err.decode().strip()))
    os.replace(tmp, out)
    print("%-32s %3d packets %6d bytes  %s" % (fname, n, os.path.getsize(out), info or ""))
    return out


# --------------------------------------------------------------------------
# socket helpers
# --------------------------------------------------------------------------

def tcp_socket(family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    return s


def listener(port, host=V4):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = tcp_socket(fam)
    s.bind((host, port))
    s.listen(8)
    return s


def client(cport, sport, host=V4):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = tcp_socket(fam)
    s.bind((host, cport))
    s.connect((host, sport))
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def recv_all(s):
    buf = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            return buf
        buf += chunk


def abort_close(s):
    """close() with SO_LINGER {on, 0}: the kernel sends RST instead of FIN."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


# --------------------------------------------------------------------------
# scenarios (each returns a short note for the log)
# --------------------------------------------------------------------------

def do_self_connect(host, port):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = tcp_socket(fam)
    s.bind((host, port))
    s.connect((host, port))          # SYN, SYN-ACK (same ISN), ACK
    time.sleep(0.05)
    s.sendall(b"self\n")             # 5 bytes to itself
    got = recv_exact(s, 5)
    time.sleep(0.05)
    s.close()                        # Linux: FIN, then ACK of that FIN
    return "self-connect read back %r" % got


def _sim_peer(conn, name, host, mine, peer):
    """One endpoint of the simultaneous open, run in its own process.

    Commands from the parent over `conn`:
      ("try", deadline) bind `mine`, spin until time.monotonic() >= deadline,
                        connect to `peer`, answer True/False;
      ("drop",)         discard this attempt's socket;
      ("talk",)         the attempt worked on both sides: exchange data, close.
    """
    s = None
    # Each side on its own CPU, real-time priority while it spins and
    # connects: otherwise tcpdump (woken by every packet) or the parent can
    # preempt one spinner and the two SYNs no longer cross.  Measured with
    # tcpdump running: 2-20 attempts without this, 2-3 with it (attempt 1
    # being the deliberately staggered one).
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) >= 2:
        os.sched_setaffinity(0, {cpus[0] if name == "a" else cpus[1]})
    while True:
        cmd = conn.recv()
        if cmd[0] == "try":
            s = tcp_socket()
            s.bind((host, mine))
            try:
                os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(50))
            except (OSError, AttributeError):
                pass
            while time.monotonic() < cmd[1]:
                pass                       # spin: both connects start together
            try:
                s.connect((host, peer))
                ok = True
            except OSError:
                ok = False
            try:
                os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
            except (OSError, AttributeError):
                pass
            conn.send(ok)
        elif cmd[0] == "drop":
            try:
                s.getpeername()
                abort_close(s)             # connected alone (rare): RST it
            except OSError:
                s.close()
        elif cmd[0] == "talk":
            time.sleep(0.05)
            if name == "a":
                s.sendall(b"hi B\n")
                recv_exact(s, 5)
                time.sleep(0.05)
                s.close()                  # A closes first
            else:
                recv_exact(s, 5)
                time.sleep(0.05)
                s.sendall(b"hi A\n")
                recv_all(s)                # EOF from A
                time.sleep(0.05)
                s.close()
            conn.send("done")
            return


def simultaneous_open(host, pa, pb, max_attempts=100, stagger_first=0.0):
    """Simultaneous open on loopback (NOTES.md): each side binds its own port
    and connects to the other's; retried until both connects succeed.  Failed
    attempts show up on the wire as SYN / RST-ACK pairs.

    The two sides are two *processes*, not threads: with Python threads the
    GIL hand-over makes one connect() finish (SYN, RST) before the other
    starts, and on this machine it sometimes took more than 400 attempts.
    Two processes spinning until a common time.monotonic() deadline (each on
    its own CPU, SCHED_FIFO while spinning) get it in one or two attempts.

    stagger_first > 0 delays side b's first connect by that many seconds, so
    attempt 1 is always refused in both directions (SYN/RST-ACK, then
    SYN/RST-ACK the other way), as a retry loop in the wild would show;
    the later attempts start together.  Returns the number of attempts."""
    ctx = multiprocessing.get_context("fork")
    ends = {}
    procs = []
    for name, mine, peer in (("a", pa, pb), ("b", pb, pa)):
        parent_end, child_end = ctx.Pipe()
        p = ctx.Process(target=_sim_peer, args=(child_end, name, host, mine, peer))
        p.start()
        procs.append(p)
        ends[name] = parent_end
    try:
        for attempt in range(1, max_attempts + 1):
            deadline = time.monotonic() + 0.02
            ends["a"].send(("try", deadline))
            ends["b"].send(("try", deadline +
                            (stagger_first if attempt == 1 else 0.0)))
            ok = [ends[n].recv() for n in ("a", "b")]
            if all(ok):
                for e in ends.values():
                    e.send(("talk",))
                for e in ends.values():
                    e.recv()
                return attempt
            for e in ends.values():
                e.send(("drop",))
            time.sleep(0.01)
        raise RuntimeError("simultaneous open did not happen in %d attempts"
                           % max_attempts)
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()


def do_simultaneous_open(pa, pb, stagger_first=0.0):
    tries = simultaneous_open(V4, pa, pb, stagger_first=stagger_first)
    return "succeeded on attempt %d" % tries


def do_normal(srv_port, cli_port, who_closes_first, gap=0.2):
    """Client sends a request, server answers; then `who_closes_first`
    closes, the other side reads EOF, waits `gap` seconds and closes."""
    ls = listener(srv_port)
    c = client(cli_port, srv_port)
    s, _ = ls.accept()
    time.sleep(0.05)
    c.sendall(b"GET\n")
    recv_exact(s, 4)
    time.sleep(0.05)
    s.sendall(b"OK 42\n")
    recv_exact(c, 6)
    time.sleep(0.05)
    first, second = (c, s) if who_closes_first == "client" else (s, c)
    first.close()
    recv_all(second)                 # EOF
    time.sleep(gap)
    second.close()
    ls.close()
    return "%s closed first, peer closed %.1f s later" % (who_closes_first, gap)


def do_half_close():
    ls = listener(P_HC_SRV)
    c = client(P_HC_CLI, P_HC_SRV)
    s, _ = ls.accept()
    time.sleep(0.05)
    c.sendall(b"REQ\n")
    c.shutdown(socket.SHUT_WR)       # client FIN; client can still read
    req = recv_all(s)                # request + EOF
    for i in range(3):               # server keeps sending after the FIN
        time.sleep(0.1)
        s.sendall(b"part%d\n" % i)
    time.sleep(0.1)
    s.close()                        # server FIN
    got = recv_all(c)
    time.sleep(0.05)
    c.close()                        # nothing more on the wire
    ls.close()
    return "server got %r, client got %r" % (req, got)


def do_refused():
    c = tcp_socket()
    c.bind((V4, P_REF_CLI))
    try:
        c.connect((V4, P_REF_SRV))   # nothing listens: SYN, RST-ACK
        res = "UNEXPECTED: connected"
    except ConnectionRefusedError:
        res = "ECONNREFUSED"
    c.close()
    return res


def do_abort():
    ls = listener(P_AB_SRV)
    c = client(P_AB_CLI, P_AB_SRV)
    s, _ = ls.accept()
    time.sleep(0.05)
    c.sendall(b"GET\n")
    recv_exact(s, 4)
    time.sleep(0.05)
    s.sendall(b"OK 42\n")
    recv_exact(c, 6)
    time.sleep(0.05)
    abort_close(c)                   # client: SO_LINGER {1,0} + close -> RST
    try:
        s.recv(10)
        res = "server saw EOF"
    except ConnectionResetError:
        res = "server saw ECONNRESET"
    s.close()                        # socket already reset: nothing sent
    ls.close()
    return res


def do_time_wait_reuse():
    ls = listener(P_TW_SRV)
    # connection 1: the SERVER closes first -> server socket ends in TIME_WAIT
    c = client(P_TW_CLI, P_TW_SRV)
    s, _ = ls.accept()
    time.sleep(0.05)
    c.sendall(b"one\n")
    recv_exact(s, 4)
    s.sendall(b"bye\n")
    time.sleep(0.05)
    s.close()                        # server FIN (active close)
    recv_all(c)
    time.sleep(0.05)
    c.close()                        # client FIN (passive close)
    time.sleep(0.3)
    tw = subprocess.run(["ss", "-tan", "state", "time-wait",
                         "( sport = :%d )" % P_TW_SRV],
                        capture_output=True, text=True).stdout.strip().splitlines()
    # connection 2: same client port, same tuple, ~0.3 s later
    c2 = client(P_TW_CLI, P_TW_SRV)
    s2, _ = ls.accept()
    time.sleep(0.05)
    c2.sendall(b"two\n")
    recv_exact(s2, 4)
    s2.sendall(b"ok\n")
    recv_exact(c2, 3)
    time.sleep(0.05)
    c2.close()                       # this time the client closes first
    recv_all(s2)
    time.sleep(0.05)
    s2.close()
    ls.close()
    return "TIME_WAIT sockets before reuse: %d" % max(0, len(tw) - 1)


def do_mixed():
    notes = [do_self_connect(V4, P_MIX_SELF)]
    time.sleep(0.2)
    notes.append("simopen " + do_simultaneous_open(P_MIX_SIM_A, P_MIX_SIM_B))
    time.sleep(0.2)
    notes.append(do_normal(P_MIX_SRV, P_MIX_CLI, "client"))
    return "; ".join(notes)


def read_pcap(path):
    """[(header16, data)] of a classic little/big-endian pcap, plus endian."""
    with open(path, "rb") as f:
        data = f.read()
    endian = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    recs, off = [], 24
    while off + 16 <= len(data):
        hdr = data[off:off + 16]
        incl = struct.unpack(endian + "IIII", hdr)[2]
        recs.append((hdr, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return recs


def tcp_flags_lo(frame):
    """TCP flags of an Ethernet/IPv4/TCP frame as captured on lo."""
    ihl = (frame[14] & 0x0F) * 4
    return frame[14 + ihl + 13]


def make_clean_simultaneous_open(src_name, dst_name):
    """Copy of the simultaneous-open capture without the refused attempts
    that precede the successful one (trimmed with editcap -r: every frame
    kept is real, nothing is rewritten)."""
    src = os.path.join(HERE, src_name)
    dst = os.path.join(HERE, dst_name)
    recs = read_pcap(src)
    flags = [tcp_flags_lo(d) for _, d in recs]
    SYN, ACK = 0x02, 0x10
    first_synack = next(i for i, f in enumerate(flags)
                        if f & SYN and f & ACK)
    start = first_synack - 2          # the two crossing SYNs
    assert all(flags[i] & (SYN | ACK) == SYN for i in (start, start + 1)), flags
    subprocess.run(["editcap", "-F", "pcap", "-r", src, dst,
                    "%d-%d" % (start + 1, len(recs))], check=True)
    print("%-32s %3d packets %6d bytes  frames %d-%d of %s" % (
        dst_name, len(recs) - start, os.path.getsize(dst), start + 1,
        len(recs), src_name))


SCENARIOS = {
    "self-connect-v4": ("real-self-connect-v4.pcap", [P_SELF4],
                        lambda: do_self_connect(V4, P_SELF4)),
    "self-connect-v6": ("real-self-connect-v6.pcap", [P_SELF6],
                        lambda: do_self_connect(V6, P_SELF6)),
    "simultaneous-open": ("real-simultaneous-open.pcap", [P_SIM_A, P_SIM_B],
                          lambda: do_simultaneous_open(P_SIM_A, P_SIM_B,
                                                       stagger_first=0.01)),
    "client-close": ("real-client-close.pcap", [P_CC_SRV],
                     lambda: do_normal(P_CC_SRV, P_CC_CLI, "client")),
    "server-close": ("real-server-close.pcap", [P_SC_SRV],
                     lambda: do_normal(P_SC_SRV, P_SC_CLI, "server")),
    "half-close": ("real-half-close.pcap", [P_HC_SRV], do_half_close),
    "refused": ("real-refused.pcap", [P_REF_SRV], do_refused),
    "abort": ("real-abort.pcap", [P_AB_SRV], do_abort),
    "time-wait-reuse": ("real-time-wait-reuse.pcap", [P_TW_SRV],
                        do_time_wait_reuse),
    "mixed": ("real-mixed.pcap",
              [P_MIX_SELF, P_MIX_SIM_A, P_MIX_SIM_B, P_MIX_SRV], do_mixed),
}


def main(argv):
    if os.geteuid() != 0:
        sys.exit("make_real.py needs root (tcpdump on lo)")
    names = argv[1:] or list(SCENARIOS)
    for name in names:
        if name not in SCENARIOS:
            sys.exit("unknown scenario %s; known: %s" % (name, " ".join(SCENARIOS)))
    for name in names:
        fname, ports, fn = SCENARIOS[name]
        capture(fname, ports, fn)
        if name == "simultaneous-open":
            make_clean_simultaneous_open(fname,
                                         "real-simultaneous-open-clean.pcap")
        time.sleep(0.2)


if __name__ == "__main__":
    main(sys.argv)
