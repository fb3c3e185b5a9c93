#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Rebuild the traces printed in the seed documents (blog posts with tcpdump
output, *.txt in the folder $SEED_DIR) as pcap files (seed-*.pcap).

The tcpdump lines are copied below verbatim (in 000 the blog writes '。'
for '.', turned back by the parser) and parsed: addresses, ports, flags,
seq/ack, window, TCP options (mss, sackOK, TS, nop, wscale, eol, in the
printed order), payload length (payload = b'x' * length) and, where tcpdump
ran with -v, the IP tos/ttl/id/DF.  tcpdump prints absolute numbers on SYNs
and relative ones afterwards unless run with -S; relative numbers are
turned back into absolute ones from the ISNs seen in the SYNs.  Time
stamps: 2020-01-01 UTC plus the time of day printed.

Checks: where tcpdump printed the correct TCP checksum ("cksum 0x.. (correct)"
or "(incorrect -> 0x..)"), the rebuilt segment must have exactly that
checksum: the TCP header, options and pseudo-header are then byte-exact.
Where it printed the IP length (-v), the rebuilt IP length must match.
The files carry correct checksums (the loopback originals had partial,
offloaded ones: "incorrect").

    /usr/bin/python3 make_seeds.py
"""

import calendar
import os
import re
import sys

from scapy.all import IP, TCP, Raw

from pcaplib import (LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, write_pcap,
                     l2_ethernet, l2_loopback, l2_sll)

HERE = os.path.dirname(os.path.abspath(__file__))
DAY = calendar.timegm((2020, 1, 1, 0, 0, 0))

PORT_NAMES = {"ssh": 22}

# ---------------------------------------------------------------- the seeds

# 000_f6a998bae3130bee.txt, "1、三次握手": tcpdump -i any port 6666 -nnn
# (LINUX_SLL, relative numbers after the SYNs)
SEED000_HANDSHAKE = [
    "19:22:01。393934 IP 127。0。0。1。50296 > 127。0。0。1。6666: Flags [S], seq 1034301573, win 65495, options [mss 65495,sackOK,TS val 115665054 ecr 0,nop,wscale 7], length 0",
    "19:22:01。394011 IP 127。0。0。1。6666 > 127。0。0。1。50296: Flags [S。], seq 515678678, ack 1034301574, win 65483, options [mss 65495,sackOK,TS val 115665054 ecr 115665054,nop,wscale 7], length 0",
    "19:22:01。394030 IP 127。0。0。1。50296 > 127。0。0。1。6666: Flags [。], ack 1, win 512, options [nop,nop,TS val 115665054 ecr 115665054], length 0",
]

# 000, "2、同時開啟": tcpdump -i any port 6666 or port 8888 -nnn -vv
SEED000_SIMOPEN = [
    "21:11:47。423324 IP (tos 0x0, ttl 64, id 56598, offset 0, flags [DF], proto TCP (6), length 60) 127。0。0。1。6666 > 127。0。0。1。8888: Flags [S], cksum 0xfe30 (incorrect -> 0xc370), seq 340967518, win 65495, options [mss 65495,sackOK,TS val 121205733 ecr 0,nop,wscale 7], length 0",
    "21:11:47。423327 IP (tos 0x0, ttl 64, id 60791, offset 0, flags [DF], proto TCP (6), length 60) 127。0。0。1。8888 > 127。0。0。1。6666: Flags [S], cksum 0xfe30 (incorrect -> 0x3958), seq 1919741020, win 65495, options [mss 65495,sackOK,TS val 121205733 ecr 0,nop,wscale 7], length 0",
    "21:11:47。423338 IP (tos 0x0, ttl 64, id 56599, offset 0, flags [DF], proto TCP (6), length 60) 127。0。0。1。6666 > 127。0。0。1。8888: Flags [S。], cksum 0xfe30 (incorrect -> 0xe977), seq 340967518, ack 1919741021, win 65495, options [mss 65495,sackOK,TS val 121205733 ecr 121205733,nop,wscale 7], length 0",
    "21:11:47。423347 IP (tos 0x0, ttl 64, id 60792, offset 0, flags [DF], proto TCP (6), length 60) 127。0。0。1。8888 > 127。0。0。1。6666: Flags [S。], cksum 0xfe30 (incorrect -> 0xe977), seq 1919741020, ack 340967519, win 65495, options [mss 65495,sackOK,TS val 121205733 ecr 121205733,nop,wscale 7], length 0",
]

# 000, "3、自連線": tcpdump -i any port 6666 -nnn -vv
SEED000_SELF = [
    "21:33:50。941066 IP (tos 0x0, ttl 64, id 61726, offset 0, flags [DF], proto TCP (6), length 60) 127。0。0。1。6666 > 127。0。0。1。6666: Flags [S], cksum 0xfe30 (incorrect -> 0xf8ae), seq 703876123, win 65495, options [mss 65495,sackOK,TS val 122529250 ecr 0,nop,wscale 7], length 0",
    "21:33:50。941084 IP (tos 0x0, ttl 64, id 61727, offset 0, flags [DF], proto TCP (6), length 60) 127。0。0。1。6666 > 127。0。0。1。6666: Flags [S。], cksum 0xfe30 (incorrect -> 0xd55d), seq 703876123, ack 703876124, win 65495, options [mss 65495,sackOK,TS val 122529251 ecr 122529250,nop,wscale 7], length 0",
    "21:33:50。941093 IP (tos 0x0, ttl 64, id 61728, offset 0, flags [DF], proto TCP (6), length 52) 127。0。0。1。6666 > 127。0。0。1。6666: Flags [。], cksum 0xfe28 (incorrect -> 0xfc25), seq 1, ack 1, win 512, options [nop,nop,TS val 122529251 ecr 122529250], length 0",
]

# 001_29fcbd534cd510af.txt: tcpdump 'port 20000' -i lo -S (absolute numbers)
SEED001 = [
    "17:05:35.358403 IP neptune.local.49493 > neptune.local.20000: Flags [S], seq 1317094743, win 32792, options [mss 16396,sackOK,TS val 7083694 ecr 0,nop,wscale 6], length 0",
    "17:05:35.358439 IP neptune.local.20000 > neptune.local.49493: Flags [S.], seq 1311370954, ack 1317094744, win 32768, options [mss 16396,sackOK,TS val 7083694 ecr 7083694,nop,wscale 6], length 0",
    "17:05:35.358468 IP neptune.local.49493 > neptune.local.20000: Flags [.], ack 1311370955, win 513, options [nop,nop,TS val 7083694 ecr 7083694], length 0",
    "17:05:35.358871 IP neptune.local.20000 > neptune.local.49493: Flags [P.], seq 1311370955:1311371210, ack 1317094744, win 512, options [nop,nop,TS val 7083694 ecr 7083694], length 255",
    "17:05:35.358890 IP neptune.local.49493 > neptune.local.20000: Flags [.], ack 1311371210, win 530, options [nop,nop,TS val 7083694 ecr 7083694], length 0",
    "17:05:35.358913 IP neptune.local.20000 > neptune.local.49493: Flags [F.], seq 1311371210, ack 1317094744, win 512, options [nop,nop,TS val 7083694 ecr 7083694], length 0",
    "17:05:35.359419 IP neptune.local.49493 > neptune.local.20000: Flags [F.], seq 1317094744, ack 1311371211, win 530, options [nop,nop,TS val 7083694 ecr 7083694], length 0",
    "17:05:35.359441 IP neptune.local.20000 > neptune.local.49493: Flags [.], ack 1317094745, win 512, options [nop,nop,TS val 7083694 ecr 7083694], length 0",
]

# 002_3dd7e024c30342e4.txt lines 18-23 and 38-43 (tcpdump -v, relative
# numbers; each packet printed on two lines, joined here)
SEED002 = [
    "10:24:00.265744 IP (tos 0x10, ttl 64, id 21567, offset 0, flags [DF], proto TCP (6), length 64) 192.168.3.10.58544 > 114.215.206.177.5555: Flags [S], cksum 0xf35a (correct), seq 1754109131, win 65535, options [mss 1460,nop,wscale 5,nop,nop,TS val 811537995 ecr 0,sackOK,eol], length 0",
    "10:24:00.286693 IP (tos 0x0, ttl 52, id 0, offset 0, flags [DF], proto TCP (6), length 60) 114.215.206.177.5555 > 192.168.3.10.58544: Flags [S.], cksum 0xafc3 (correct), seq 2349913793, ack 1754109132, win 28960, options [mss 1312,sackOK,TS val 2088043701 ecr 811537995,nop,wscale 7], length 0",
    "10:24:00.286749 IP (tos 0x10, ttl 64, id 762, offset 0, flags [DF], proto TCP (6), length 52) 192.168.3.10.58544 > 114.215.206.177.5555: Flags [.], cksum 0x3f00 (correct), seq 1, ack 1, win 4103, options [nop,nop,TS val 811538016 ecr 2088043701], length 0",
    "10:24:13.326683 IP (tos 0x10, ttl 64, id 41433, offset 0, flags [DF], proto TCP (6), length 52) 192.168.3.10.58544 > 114.215.206.177.5555: Flags [F.], cksum 0x0c2b (correct), seq 1, ack 1, win 4103, options [nop,nop,TS val 811551028 ecr 2088043701], length 0",
    "10:24:13.347347 IP (tos 0x0, ttl 52, id 53768, offset 0, flags [DF], proto TCP (6), length 52) 114.215.206.177.5555 > 192.168.3.10.58544: Flags [F.], cksum 0xe848 (correct), seq 1, ack 2, win 227, options [nop,nop,TS val 2088056762 ecr 811551028], length 0",
    "10:24:13.347436 IP (tos 0x10, ttl 64, id 47236, offset 0, flags [DF], proto TCP (6), length 52) 192.168.3.10.58544 > 114.215.206.177.5555: Flags [.], cksum 0xd910 (correct), seq 2, ack 2, win 4103, options [nop,nop,TS val 811551048 ecr 2088056762], length 0",
]

# 004_96ed51eca6b4ab0f.txt lines 61-66 and 77-82: two runs of
# tcpdump -n -c 6 -S port 22 -i ens33 (absolute numbers) on the same
# connection, 109 s apart
SEED004 = [
    "17:23:09.889821 IP 192.168.1.63.53198 > 192.168.1.64.ssh: Flags [S], seq 481914174, win 29200, options [mss 1460,sackOK,TS val 547753 ecr 0,nop,wscale 7], length 0",
    "17:23:09.890237 IP 192.168.1.64.ssh > 192.168.1.63.53198: Flags [S.], seq 2737267460, ack 481914175, win 28960, options [mss 1460,sackOK,TS val 550574 ecr 547753,nop,wscale 7], length 0",
    "17:23:09.890311 IP 192.168.1.63.53198 > 192.168.1.64.ssh: Flags [.], ack 2737267461, win 229, options [nop,nop,TS val 547755 ecr 550574], length 0",
    "17:23:09.890647 IP 192.168.1.63.53198 > 192.168.1.64.ssh: Flags [P.], seq 481914175:481914196, ack 2737267461, win 229, options [nop,nop,TS val 547755 ecr 550574], length 21",
    "17:23:09.890866 IP 192.168.1.64.ssh > 192.168.1.63.53198: Flags [.], ack 481914196, win 227, options [nop,nop,TS val 550575 ecr 547755], length 0",
    "17:23:09.898857 IP 192.168.1.64.ssh > 192.168.1.63.53198: Flags [P.], seq 2737267461:2737267482, ack 481914196, win 227, options [nop,nop,TS val 550580 ecr 547755], length 21",
    "17:24:58.687067 IP 192.168.1.63.53198 > 192.168.1.64.ssh: Flags [P.], seq 481916768:481916836, ack 2737270434, win 311, options [nop,nop,TS val 656552 ecr 653660], length 68",
    "17:24:58.687597 IP 192.168.1.64.ssh > 192.168.1.63.53198: Flags [P.], seq 2737270434:2737270494, ack 481916836, win 295, options [nop,nop,TS val 659373 ecr 656552], length 60",
    "17:24:58.687629 IP 192.168.1.63.53198 > 192.168.1.64.ssh: Flags [.], ack 2737270494, win 311, options [nop,nop,TS val 656552 ecr 659373], length 0",
    "17:24:58.688333 IP 192.168.1.63.53198 > 192.168.1.64.ssh: Flags [P.], seq 481916836:481916904, ack 2737270494, win 311, options [nop,nop,TS val 656553 ecr 659373], length 68",
    "17:24:58.688861 IP 192.168.1.64.ssh > 192.168.1.63.53198: Flags [P.], seq 2737270494:2737270554, ack 481916904, win 295, options [nop,nop,TS val 659374 ecr 656553], length 60",
    "17:24:58.728987 IP 192.168.1.63.53198 > 192.168.1.64.ssh: Flags [.], ack 2737270554, win 311, options [nop,nop,TS val 656594 ecr 659374], length 0",
]

# ---------------------------------------------------------------- parser

LINE = re.compile(
    r"^(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d)\.(?P<us>\d{6}) IP "
    r"(?:\((?P<ipinfo>tos .*?, proto TCP \(6\), length \d+)\) )?"
    r"(?P<src>\S+) > (?P<dst>\S+): Flags \[(?P<flags>[^\]]*)\], (?P<rest>.*)$")


def split_endpoint(s):
    host, port = s.rsplit(".", 1)
    return host, int(PORT_NAMES.get(port, port))


def parse_options(text):
    opts = []
    for o in text.split(","):
        o = o.strip()
        if o == "nop":
            opts.append(("NOP", None))
        elif o == "eol":
            opts.append(("EOL", None))
        elif o == "sackOK":
            opts.append(("SAckOK", b""))
        elif o.startswith("mss "):
            opts.append(("MSS", int(o[4:])))
        elif o.startswith("wscale "):
            opts.append(("WScale", int(o[7:])))
        elif o.startswith("TS val "):
            m = re.match(r"TS val (\d+) ecr (\d+)$", o)
            opts.append(("Timestamp", (int(m.group(1)), int(m.group(2)))))
        else:
            raise ValueError("option %r" % o)
    return opts


def parse(line):
    line = line.replace("。", ".")
    m = LINE.match(line)
    if not m:
        raise ValueError("cannot parse: %s" % line)
    d = m.groupdict()
    rec = {
        "t_us": (DAY + int(d["h"]) * 3600 + int(d["m"]) * 60 + int(d["s"])) * 1000000
                + int(d["us"]),
        "src": split_endpoint(d["src"]),
        "dst": split_endpoint(d["dst"]),
        "flags": d["flags"],
        "ip": None,
    }
    if d["ipinfo"]:
        im = re.match(r"tos (0x[0-9a-f]+), ttl (\d+), id (\d+), offset 0, "
                      r"flags \[(\w*)\], proto TCP \(6\), length (\d+)$", d["ipinfo"])
        rec["ip"] = {"tos": int(im.group(1), 16), "ttl": int(im.group(2)),
                     "id": int(im.group(3)), "df": im.group(4) == "DF",
                     "len": int(im.group(5))}
    rest = d["rest"]
    om = re.search(r"options \[([^\]]*)\]", rest)
    rec["options"] = parse_options(om.group(1)) if om else []
    rest_wo = re.sub(r"options \[[^\]]*\], ", "", rest)
    fields = {}
    for part in re.split(r", (?![^(]*\))", rest_wo):
        k, _, v = part.partition(" ")
        fields[k] = v
    if "cksum" in fields:
        cm = re.match(r"0x([0-9a-f]+) \((correct|incorrect -> 0x([0-9a-f]+))\)",
                      fields["cksum"])
        rec["cksum"] = int(cm.group(3) or cm.group(1), 16)
    else:
        rec["cksum"] = None
    if "seq" in fields:
        a, _, b = fields["seq"].partition(":")
        rec["seq"] = int(a)
    else:
        rec["seq"] = None
    rec["ack"] = int(fields["ack"]) if "ack" in fields else None
    rec["win"] = int(fields["win"])
    rec["len"] = int(fields["length"])
    return rec


FLAGMAP = {"S": "S", ".": "A", "P": "P", "F": "F", "R": "R", "U": "U",
           "E": "E", "W": "C"}


def build(lines, absolute, hosts, l2, name, linktype=LINKTYPE_ETHERNET):
    """Turn tcpdump lines into pcap records; hosts maps names to addresses."""
    isn, nxt = {}, {}
    records = []
    for line in lines:
        r = parse(line)
        src = (hosts.get(r["src"][0], r["src"][0]), r["src"][1])
        dst = (hosts.get(r["dst"][0], r["dst"][0]), r["dst"][1])
        flags = "".join(FLAGMAP[c] for c in r["flags"])
        syn, fin = "S" in flags, "F" in flags
        seq, ack = r["seq"], r["ack"]
        # tcpdump's relative numbers: per direction, relative to that
        # direction's ISN; ack relative to the other direction's ISN.
        if syn:
            isn[(src, dst)] = seq
        elif not absolute:
            if seq is not None:
                seq = (isn[(src, dst)] + seq) % 2**32
            if ack is not None:
                ack = (isn[(dst, src)] + ack) % 2**32
        if seq is None:              # tcpdump omits seq on pure ACKs
            seq = nxt[(src, dst)]
        nxt[(src, dst)] = (seq + r["len"] + syn + fin) % 2**32
        ipkw = {"ttl": 64, "id": 0, "flags": "DF", "tos": 0}
        if r["ip"]:
            ipkw = {"ttl": r["ip"]["ttl"], "id": r["ip"]["id"],
                    "flags": "DF" if r["ip"]["df"] else 0, "tos": r["ip"]["tos"]}
        pkt = (IP(src=src[0], dst=dst[0], **ipkw)
               / TCP(sport=src[1], dport=dst[1], seq=seq,
                     ack=ack if ack is not None else 0, flags=flags,
                     window=r["win"], options=r["options"]))
        if r["len"]:
            pkt = pkt / Raw(b"x" * r["len"])
        built = IP(bytes(pkt))
        if r["ip"] and built.len != r["ip"]["len"]:
            raise AssertionError("%s: IP length %d, tcpdump says %d\n%s"
                                 % (name, built.len, r["ip"]["len"], line))
        if r["cksum"] is not None and built[TCP].chksum != r["cksum"]:
            raise AssertionError("%s: TCP checksum 0x%04x, tcpdump says 0x%04x\n%s"
                                 % (name, built[TCP].chksum, r["cksum"], line))
        records.append((r["t_us"], bytes(l2(pkt, src[0], dst[0]))))
    path = os.path.join(HERE, name)
    write_pcap(path, records, linktype=linktype)
    checked = sum(1 for l in lines if parse(l)["cksum"] is not None)
    print("%-34s %2d packets, %d checksums match tcpdump's" % (name, len(records), checked))


def check_against_seeds(seed_dir):
    """Every embedded tcpdump line must occur verbatim (up to white space)
    in the seed documents, when they are at hand."""
    import glob
    texts = [open(p, encoding="utf-8").read()
             for p in sorted(glob.glob(os.path.join(seed_dir, "*.txt")))]
    if not texts:
        print("(seed documents not found in %s: lines not re-checked)" % seed_dir)
        return
    norm = lambda s: re.sub(r"\s+", " ", s)
    whole = norm(" ".join(texts))
    bad = [l for group in (SEED000_HANDSHAKE, SEED000_SIMOPEN, SEED000_SELF,
                           SEED001, SEED002, SEED004)
           for l in group if norm(l) not in whole]
    if bad:
        raise AssertionError("lines not in the seed documents:\n" + "\n".join(bad))
    print("all embedded tcpdump lines found verbatim in %s" % seed_dir)


def main():
    check_against_seeds(os.environ.get(
        "SEED_DIR", os.path.join(HERE, "..", "..", "shared", "seeds")))
    build(SEED000_HANDSHAKE, False, {}, l2_sll, "seed-000-handshake.pcap",
          LINKTYPE_LINUX_SLL)
    build(SEED000_SIMOPEN, False, {}, l2_sll, "seed-000-simultaneous-open.pcap",
          LINKTYPE_LINUX_SLL)
    build(SEED000_SELF, False, {}, l2_sll, "seed-000-self-connect.pcap",
          LINKTYPE_LINUX_SLL)
    # neptune.local is one host talking to itself over lo: written as 127.0.0.1
    build(SEED001, True, {"neptune.local": "127.0.0.1"}, l2_loopback,
          "seed-001-close.pcap")
    build(SEED002, False, {}, l2_ethernet, "seed-002-close.pcap")
    build(SEED004, True, {}, l2_ethernet, "seed-004-data.pcap")


if __name__ == "__main__":
    sys.exit(main())
