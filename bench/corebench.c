/* corebench.c — the core alone on a capture: time per packet and memory.
 *
 *   corebench FILE.pcap [BLOCK]
 *
 * Reads a classic pcap (Ethernet or raw IP; IPv4/IPv6; no tunnels), feeds
 * every TCP segment to the engine and stores its label, as the plugin does
 * on its first pass.  Prints, for every BLOCK packets (default 100000), the
 * time per packet of that block, so a path that grows with the capture shows
 * as a rising column; and at the end the engine's and the label store's
 * bytes per connection and per TCP frame.  The file is read into memory
 * first, so the figures are the core's alone, not the disk's.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpphase.h"
#include "label_store.h"

static uint32_t rd32(const uint8_t *p, int swap)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return swap ? __builtin_bswap32(v) : v;
}

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p) { return (uint32_t)be16(p) << 16 | be16(p + 2); }

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The TCP segment in one frame; false if there is none. */
static int parse(const uint8_t *p, uint32_t caplen, uint32_t linktype, tp_segment *s)
{
    uint32_t off = 0;
    uint16_t type;
    if (linktype == 1) {                       /* Ethernet */
        if (caplen < 14)
            return 0;
        type = be16(p + 12);
        off = 14;
    } else if (linktype == 101) {              /* raw IP */
        type = caplen && (p[0] >> 4) == 6 ? 0x86dd : 0x0800;
    } else {
        return 0;
    }
    uint32_t ip_payload;
    memset(&s->src, 0, sizeof s->src);
    memset(&s->dst, 0, sizeof s->dst);
    if (type == 0x0800) {
        if (caplen < off + 20 || p[off + 9] != 6)
            return 0;
        uint32_t ihl = (uint32_t)(p[off] & 15) * 4;
        ip_payload = be16(p + off + 2) - ihl;
        s->src.family = s->dst.family = 4;
        memcpy(s->src.bytes, p + off + 12, 4);
        memcpy(s->dst.bytes, p + off + 16, 4);
        off += ihl;
    } else if (type == 0x86dd) {
        if (caplen < off + 40 || p[off + 6] != 6)
            return 0;
        ip_payload = be16(p + off + 4);
        s->src.family = s->dst.family = 6;
        memcpy(s->src.bytes, p + off + 8, 16);
        memcpy(s->dst.bytes, p + off + 24, 16);
        off += 40;
    } else {
        return 0;
    }
    if (caplen < off + 16)
        return 0;
    const uint8_t *t = p + off;
    uint32_t hl = (uint32_t)(t[12] >> 4) * 4;
    if (hl < 20 || ip_payload < hl)
        return 0;
    s->sport = be16(t);
    s->dport = be16(t + 2);
    s->seq = be32(t + 4);
    s->ack = be32(t + 8);
    s->flags = t[13];
    s->window = be16(t + 14);
    s->payload_len = ip_payload - hl;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: corebench FILE.pcap [BLOCK]\n");
        return 2;
    }
    uint64_t block = argc > 2 ? strtoull(argv[2], NULL, 10) : 100000;
    if (block == 0)
        block = 100000;
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)size);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "corebench: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);
    if (size < 24) {
        fprintf(stderr, "corebench: %s: not a pcap file\n", argv[1]);
        return 1;
    }
    uint32_t magic = rd32(buf, 0);
    int swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    int nanos = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    if (!swap && magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
        fprintf(stderr, "corebench: %s: not a classic pcap file\n", argv[1]);
        return 1;
    }
    uint32_t linktype = rd32(buf + 20, swap);

    tp_engine *eng = tp_engine_new(NULL);
    tp_label_store *store = tp_label_store_new();
    if (!eng || !store)
        return 1;

    uint64_t frames = 0, tcp = 0, failed = 0;
    double t0 = now_s(), tblock = t0;
    long pos = 24;
    printf("%12s %12s\n", "packets", "ns/packet");
    while (pos + 16 <= size) {
        uint32_t caplen = rd32(buf + pos + 8, swap);
        if (pos + 16 + (long)caplen > size)
            break;
        tp_segment s;
        frames++;
        if (parse(buf + pos + 16, caplen, linktype, &s)) {
            tp_label l;
            s.frame = (uint32_t)frames;
            s.time_ns = (int64_t)rd32(buf + pos, swap) * 1000000000 +
                        (int64_t)rd32(buf + pos + 4, swap) * (nanos ? 1 : 1000);
            if (tp_engine_feed(eng, &s, &l) && tp_label_store_put(store, s.frame, &l))
                tcp++;
            else
                failed++;
        }
        pos += 16 + (long)caplen;
        if (frames % block == 0) {
            double t = now_s();
            printf("%12llu %12.1f\n", (unsigned long long)frames, (t - tblock) * 1e9 / (double)block);
            tblock = t;
        }
    }
    double total = now_s() - t0;
    size_t em = tp_engine_memory(eng), lm = tp_label_store_memory(store);
    uint32_t conns = tp_engine_conn_count(eng);
    printf("frames %llu  tcp %llu  unplaced %llu  connections %u\n",
           (unsigned long long)frames, (unsigned long long)tcp, (unsigned long long)failed, conns);
    printf("time %.3f s  %.1f ns/packet\n", total, total * 1e9 / (double)(frames ? frames : 1));
    printf("engine %zu bytes (%.1f per connection)  labels %zu bytes (%.1f per TCP frame)\n",
           em, conns ? (double)em / conns : 0.0, lm, tcp ? (double)lm / (double)tcp : 0.0);
    tp_label_store_free(store);
    tp_engine_free(eng);
    free(buf);
    return 0;
}
