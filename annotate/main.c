/* main.c — tcpphase-annotate: the command line, the archive walk, the
 * workers, the progress bar and the summary.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>
#include <wiretap/wtap.h>
#include <wsutil/wslog.h>
#include <wsutil/privileges.h>
#include "wscompat.h"

#include "annotate.h"
#include "shard.h"

#define PROG "tcpphase-annotate"

static const char usage_text[] =
"NAME\n"
"    tcpphase-annotate - label every TCP segment of whole capture archives\n"
"\n"
"SYNOPSIS\n"
"    tcpphase-annotate [-j N] [-f] [-q] [--report] [--time-wait SECONDS]\n"
"                      [--shard K/N] INPUT... -o OUTDIR\n"
"    tcpphase-annotate --merge OUTDIR... -o TABLE.csv\n"
"\n"
"DESCRIPTION\n"
"    Reads each INPUT capture (any format libwiretap reads: pcap, pcapng,\n"
"    gzip-, zstd- or lz4-compressed, ...) and writes, for an input NAME.pcap,\n"
"    three files into OUTDIR:\n"
"\n"
"    NAME.tcpphase.pcapng\n"
"        a copy of every record; each TCP segment carries a packet comment\n"
"        \"tcpphase: STEP\" (syn, syn_ack, data, fin_active, last_ack, ...),\n"
"        and one more comment \"tcpphase.ANOMALY: TEXT\" per anomaly (the\n"
"        plugin's expert items).  Open it in Wireshark, or filter with\n"
"        frame.comment contains \"tcpphase: rst_abort\".\n"
"    NAME.connections.csv, NAME.connections.jsonl\n"
"        one row per connection: id, first_frame, last_frame, start_time,\n"
"        duration, orig_addr, orig_port, resp_addr, resp_port, open, close,\n"
"        conn_state, history, syn_frame, syn_ack_frame, handshake_ack_frame,\n"
"        fin_active_frame, fin_passive_frame, last_ack_frame, rst_frame,\n"
"        handshake_time, teardown_time, orig_packets, orig_bytes,\n"
"        resp_packets, resp_bytes, anomalies.  Times are seconds; absent\n"
"        values are empty (CSV) or null (JSON); anomalies are separated by\n"
"        \";\" (CSV) or a list (JSON).\n"
"    NAME.report.html (with --report)\n"
"        one self-contained page: the connections in a table that sorts and\n"
"        filters, a chart of them by kind, and each one's ladder diagram\n"
"        (both endpoints' states, anomalies marked) drawn on demand.\n"
"\n"
"    The labels are those of the tcpphase Wireshark plugin with two passes\n"
"    (tshark -2, the GUI): the same core labels the same segments.\n"
"\n"
"    A directory INPUT is searched recursively for files with a capture\n"
"    extension (.pcap, .pcapng, .cap, ... optionally .gz, .zst, .lz4); its\n"
"    outputs keep the folder structure below OUTDIR.  Hidden files and\n"
"    earlier outputs (*.tcpphase.pcapng) are not inputs.\n"
"\n"
"    Decoded by the tool itself: Ethernet (802.1Q, 802.1ad/QinQ), Linux\n"
"    cooked v1 and v2, raw IP, BSD loopback; IPv4 without options, IPv6;\n"
"    IP-in-IP, GRE and VXLAN (UDP 4789).  Every other frame that could\n"
"    carry TCP (other link layers, MPLS, PPPoE, ERSPAN, Geneve, GTP-U,\n"
"    IPv4 options, IP fragments, ...) goes through Wireshark's own\n"
"    dissectors, loaded on first need, so the same frames are labelled as\n"
"    by the plugin.  TCP headers quoted inside ICMP errors are not\n"
"    segments.\n"
"\n"
"OPTIONS\n"
"    -o, --output OUTDIR\n"
"        Where the outputs go (created if missing).  Required.\n"
"    -j, --jobs N\n"
"        Label N files at a time (default: the number of processors).\n"
"    -f, --force\n"
"        Label inputs even when their outputs are up to date.\n"
"    -q, --quiet\n"
"        No progress bar (there is none anyway when stderr is not a\n"
"        terminal).\n"
"    --report\n"
"        Also write NAME.report.html (above).\n"
"    --time-wait SECONDS\n"
"        TIME_WAIT duration for tcpphase.time_wait_reuse (default 60, as\n"
"        Linux and the plugin's tcpphase.time_wait preference).\n"
"    --shard K/N\n"
"        Label only the inputs of shard K of N (1 <= K <= N): those whose\n"
"        path relative to the INPUT folder (for a file INPUT: its name)\n"
"        hashes (FNV-1a, 64 bits) to K - 1 modulo N.  N runs with the same\n"
"        INPUTs, K = 1..N, on N hosts label every file once; files added\n"
"        later never move to another shard.\n"
"    --merge\n"
"        Instead of labelling: join the NAME.connections.csv files found\n"
"        below each OUTDIR (outputs of earlier runs, e.g. one per shard)\n"
"        into the one CSV table given with -o: a first column \"file\" (the\n"
"        input's path relative to its OUTDIR), then the rows' columns,\n"
"        sorted by file.  The same file in two OUTDIRs is an error.\n"
"    -h, --help\n"
"        This text.\n"
"    -V, --version\n"
"        The version.\n"
"\n"
"BEHAVIOUR\n"
"    Outputs are written under temporary names (.NAME...part-PID-XXXXXX)\n"
"    in their folder and renamed when complete: an interrupted run\n"
"    (Ctrl-C, SIGTERM) removes its temporary files and leaves no partial\n"
"    output; the temporary files of a run killed outright are removed by\n"
"    the next run.  An input whose three outputs are newer than it is\n"
"    skipped, so re-running the same command finishes an interrupted run.\n"
"    Inputs are only read.  An output that would replace an input, or\n"
"    that two inputs would share, is refused.\n"
"\n"
"    A file that cannot be read (missing, not a capture, corrupt,\n"
"    permission denied) or whose outputs cannot be written gets one line\n"
"    on stderr naming it and the reason; the other files are still done.\n"
"    A capture cut short in the middle of a packet is labelled up to the\n"
"    cut, with a warning.  A summary line counts files done, skipped and\n"
"    failed.  Memory: the connections and at most 16 bytes per TCP segment\n"
"    of the files being labelled; nothing grows with the number of files.\n"
"\n"
"EXIT STATUS\n"
"    0 every input was labelled or up to date; 1 some input failed;\n"
"    2 usage error; 128+N interrupted by signal N.\n"
"\n"
"EXAMPLE\n"
"    tcpphase-annotate -j 2 /archive/2026-11 -o /tmp/labelled\n";

/* ---- Options and state -------------------------------------------------------- */

static const char *out_root;
static int jobs;
static unsigned shard_k, shard_n;     /* --shard K/N; shard_n 0: every input */
static bool force, quiet;
static tpa_options options;

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    stop_signal = sig;
}

/* Only the parent process writes to stderr: messages and the bar. */
static bool bar_shown;

static void clear_bar(void)
{
    if (bar_shown) {
        fputs("\r\033[K", stderr);
        bar_shown = false;
    }
}

static void report(const char *path, const char *kind, const char *msg)
{
    clear_bar();
    fprintf(stderr, "%s: %s: %s%s\n", PROG, path, kind, msg);
    fflush(stderr);
}

/* ---- Planning: which inputs, which outputs ----------------------------------- */

typedef struct plan {
    GPtrArray *jobs;            /* tpa_job *, to be done */
    GHashTable *outputs;        /* output path -> input path */
    GHashTable *inputs;         /* "dev:ino" of every input */
    GHashTable *out_dirs;       /* output folders, for stale temporary files */
    GSList *extensions;         /* capture file extensions libwiretap knows */
    unsigned failed, up_to_date;
} plan;

static const char *const compression_suffixes[] = { ".gz", ".zst", ".lz4", NULL };

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && g_ascii_strcasecmp(s + n - m, suffix) == 0;
}

/* "x.pcap.gz" -> length of "x" if .pcap is a capture extension; else 0. */
static size_t capture_stem_len(const plan *p, const char *name)
{
    size_t len = strlen(name);
    int i;
    GSList *e;

    for (i = 0; compression_suffixes[i]; i++) {
        if (has_suffix(name, compression_suffixes[i])) {
            len -= strlen(compression_suffixes[i]);
            break;
        }
    }
    for (e = p->extensions; e; e = e->next) {
        const char *ext = e->data;
        size_t m = strlen(ext);
        if (len > m + 1 && name[len - m - 1] == '.'
                && g_ascii_strncasecmp(name + len - m, ext, m) == 0)
            return len - m - 1;
    }
    return 0;
}

static char *inode_key(const struct stat *st)
{
    return g_strdup_printf("%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
}

static bool newer_or_same(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec >= b->st_mtim.tv_nsec;
}

static void add_job(plan *p, const char *input, const char *out_dir)
{
    static const char *const suffix[TPA_OUT_COUNT] = {
        ".tcpphase.pcapng", ".connections.csv", ".connections.jsonl",
    };
    const char *base = strrchr(input, '/');
    size_t stem;
    char *name;
    tpa_job *job = g_new0(tpa_job, 1);
    int i;

    base = base ? base + 1 : input;
    if (shard_n) {
        /* The path below the INPUT folder is the output folder's below
         * OUTDIR (walk() builds both the same way). */
        const char *below = out_dir + strlen(out_root);
        char *rel;
        unsigned shard;

        while (*below == '/')
            below++;
        rel = *below ? g_strdup_printf("%s/%s", below, base) : g_strdup(base);
        shard = tpa_shard_of(rel, shard_n);
        g_free(rel);
        if (shard != shard_k) {
            g_free(job);
            return;
        }
    }
    stem = capture_stem_len(p, base);
    name = stem ? g_strndup(base, stem) : g_strdup(base);
    job->input = g_strdup(input);
    job->out_dir = g_strdup(out_dir);
    for (i = 0; i < TPA_OUT_COUNT; i++)
        job->out[i] = g_strdup_printf("%s/%s%s", out_dir, name, suffix[i]);
    if (options.report)
        job->report = g_strdup_printf("%s/%s.report.html", out_dir, name);
    g_free(name);
    g_ptr_array_add(p->jobs, job);
}

static void free_job(gpointer data)
{
    tpa_job *job = data;
    int i;

    g_free(job->input);
    g_free(job->out_dir);
    for (i = 0; i < TPA_OUT_COUNT; i++)
        g_free(job->out[i]);
    g_free(job->report);
    g_free(job);
}

static bool is_our_output(const char *name)
{
    return has_suffix(name, ".tcpphase.pcapng");
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(plan *p, const char *dir, const char *out_dir, const struct stat *out_st)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    GPtrArray *names;
    guint i;

    if (!d) {
        report(dir, "", g_strerror(errno));
        p->failed++;
        return;
    }
    /* Sorted, so that runs are reproducible. */
    names = g_ptr_array_new_with_free_func(g_free);
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.')
            g_ptr_array_add(names, g_strdup(e->d_name));
    }
    closedir(d);
    g_ptr_array_sort(names, compare_names);
    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        char *path = g_strdup_printf("%s/%s", dir, name);
        struct stat st;

        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            /* Not into the output folder, not through links to folders. */
            if (!(out_st && st.st_dev == out_st->st_dev && st.st_ino == out_st->st_ino)) {
                char *sub = g_strdup_printf("%s/%s", out_dir, name);
                walk(p, path, sub, out_st);
                g_free(sub);
            }
        } else if (!is_our_output(name) && capture_stem_len(p, name) > 0
                   && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            add_job(p, path, out_dir);
        }
        g_free(path);
    }
    g_ptr_array_free(names, TRUE);
}

/* Drop jobs that would overwrite an input or another job's output, and
 * those whose outputs are up to date. */
static void check_jobs(plan *p)
{
    GPtrArray *keep = g_ptr_array_new_with_free_func(free_job);
    guint j;

    for (j = 0; j < p->jobs->len; j++) {
        struct stat st;
        if (stat(((tpa_job *)g_ptr_array_index(p->jobs, j))->input, &st) == 0)
            g_hash_table_add(p->inputs, inode_key(&st));
    }
    for (j = 0; j < p->jobs->len; j++) {
        tpa_job *job = g_ptr_array_index(p->jobs, j);
        struct stat in_st, out_st;
        bool have_input = stat(job->input, &in_st) == 0;
        bool refused = false, fresh = have_input && !force;
        int i;

        for (i = 0; i < TPA_OUT_COUNT && !refused; i++) {
            const char *other = g_hash_table_lookup(p->outputs, job->out[i]);
            if (other) {
                char *msg = g_strdup_printf("refused: its output %s is also %s's",
                                            job->out[i], other);
                report(job->input, "", msg);
                g_free(msg);
                refused = true;
                break;
            }
            if (stat(job->out[i], &out_st) == 0) {
                char *key = inode_key(&out_st);
                if (g_hash_table_contains(p->inputs, key)) {
                    char *msg = g_strdup_printf("refused: its output %s would replace "
                                                "an input", job->out[i]);
                    report(job->input, "", msg);
                    g_free(msg);
                    refused = true;
                }
                g_free(key);
                if (fresh && !newer_or_same(&out_st, &in_st))
                    fresh = false;
            } else {
                fresh = false;
            }
        }
        if (fresh && job->report && (stat(job->report, &out_st) != 0
                                     || !newer_or_same(&out_st, &in_st)))
            fresh = false;              /* --report and no report yet */
        if (refused) {
            p->failed++;
            continue;
        }
        for (i = 0; i < TPA_OUT_COUNT; i++)
            g_hash_table_insert(p->outputs, g_strdup(job->out[i]), g_strdup(job->input));
        if (fresh) {
            p->up_to_date++;
            continue;
        }
        g_hash_table_add(p->out_dirs, g_strdup(job->out_dir));
        g_ptr_array_add(keep, job);
        g_ptr_array_index(p->jobs, j) = NULL;
    }
    g_ptr_array_set_free_func(p->jobs, NULL);
    for (j = 0; j < p->jobs->len; j++) {
        if (g_ptr_array_index(p->jobs, j))
            free_job(g_ptr_array_index(p->jobs, j));
    }
    g_ptr_array_free(p->jobs, TRUE);
    p->jobs = keep;
}

/* ---- Running ------------------------------------------------------------------- */

/* Files are labelled in worker processes, not threads: libwsutil keeps a
 * process-wide cache of small buffers that libwiretap uses for every file
 * and record, without a lock.  A worker takes the next file from a counter
 * in shared memory and sends each result to the parent through a pipe (one
 * write of less than PIPE_BUF bytes: never interleaved). */

#define MAX_WORKERS 1024

typedef struct shared {
    tpa_progress progress;
    atomic_uint next;           /* next job to take */
    atomic_int current[MAX_WORKERS];  /* each worker's job, -1 between jobs */
} shared;

typedef struct message {
    unsigned job;
    tpa_status status;
    tpa_result result;
} message;

typedef struct totals {
    unsigned done, warned, failed, interrupted, finished;
    uint64_t frames, segments, undecoded, dissected, connections;
    unsigned long not_copied;
} totals;

static void worker(const plan *p, shared *sh, int slot, int out_fd)
{
    for (;;) {
        message m;
        unsigned job;

        if (stop_signal)
            break;
        job = atomic_fetch_add(&sh->next, 1);
        if (job >= p->jobs->len)
            break;
        atomic_store(&sh->current[slot], (int)job);
        memset(&m, 0, sizeof m);
        m.job = job;
        m.status = tpa_annotate(g_ptr_array_index(p->jobs, job), &options, &sh->progress,
                                &m.result);
        if (write(out_fd, &m, sizeof m) != (ssize_t)sizeof m)
            break;
        atomic_store(&sh->current[slot], -1);
    }
}

static void take(const plan *p, const message *m, totals *t, bool *reported)
{
    const tpa_job *job;

    if (m->job >= p->jobs->len || reported[m->job])
        return;
    reported[m->job] = true;
    job = g_ptr_array_index(p->jobs, m->job);
    t->finished++;
    switch (m->status) {
    case TPA_DONE:
        if (m->result.warning)
            report(job->input, "warning: ", m->result.message);
        t->done++;
        t->warned += m->result.warning;
        t->frames += m->result.frames;
        t->segments += m->result.segments;
        t->undecoded += m->result.undecoded;
        t->dissected += m->result.dissected;
        t->connections += m->result.connections;
        t->not_copied += m->result.not_copied;
        break;
    case TPA_FAILED:
        report(job->input, "", m->result.message);
        t->failed++;
        break;
    case TPA_INTERRUPTED:
        t->interrupted++;
        break;
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void human(char *out, size_t size, double v)
{
    if (v >= 1e9)
        snprintf(out, size, "%.2fG", v / 1e9);
    else if (v >= 1e6)
        snprintf(out, size, "%.2fM", v / 1e6);
    else if (v >= 1e4)
        snprintf(out, size, "%.1fk", v / 1e3);
    else
        snprintf(out, size, "%.0f", v);
}

static void draw_bar(unsigned finished, unsigned total, uint64_t frames, double secs)
{
    char f[16], rate[16];
    int width = 24, filled, i;

    filled = total ? (int)((uint64_t)width * finished / total) : width;
    human(f, sizeof f, (double)frames);
    human(rate, sizeof rate, secs > 0 ? frames / secs : 0);
    fputs("\r\033[K[", stderr);
    for (i = 0; i < width; i++)
        fputc(i < filled ? '#' : '.', stderr);
    fprintf(stderr, "] %u/%u files  %s packets  %s packets/s", finished, total, f, rate);
    fflush(stderr);
    bar_shown = true;
}

static pid_t start_worker(const plan *p, shared *sh, int slot, int fds[2])
{
    pid_t pid;

    atomic_store(&sh->current[slot], -1);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        worker(p, sh, slot, fds[1]);
        _exit(0);
    }
    if (pid < 0)
        fprintf(stderr, "%s: cannot start a worker: %s\n", PROG, g_strerror(errno));
    return pid;
}

/* Read whatever messages the pipe holds (all of them once it reports EOF). */
static bool read_messages(const plan *p, int fd, char *pending, size_t *have,
                          totals *t, bool *reported)
{
    for (;;) {
        ssize_t n = read(fd, pending + *have, sizeof(message) - *have);
        if (n <= 0)
            return n == 0;
        *have += (size_t)n;
        if (*have == sizeof(message)) {
            take(p, (const message *)(void *)pending, t, reported);
            *have = 0;
        }
    }
}

/* A worker that died (a crash, or killed on its own) leaves its file
 * unfinished: say so, count it, and let a new worker go on with the rest. */
static void reap(const plan *p, shared *sh, pid_t *pids, int workers, int fds[2],
                 int *alive, char *pending, size_t *have, totals *t, bool *reported)
{
    pid_t pid;
    int status, w;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (w = 0; w < workers && pids[w] != pid; w++)
            ;
        if (w == workers)
            continue;
        pids[w] = 0;
        (*alive)--;
        if (!(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0))
                || stop_signal)
            continue;
        /* Its last message may still be in the pipe. */
        read_messages(p, fds[0], pending, have, t, reported);
        int job = atomic_load(&sh->current[w]);
        if (job >= 0 && !reported[job]) {
            char msg[96];
            if (WIFSIGNALED(status))
                snprintf(msg, sizeof msg, "the worker labelling it died (signal %d); "
                         "no output", WTERMSIG(status));
            else
                snprintf(msg, sizeof msg, "the worker labelling it failed (exit %d); "
                         "no output", WEXITSTATUS(status));
            report(((tpa_job *)g_ptr_array_index(p->jobs, job))->input, "", msg);
            /* Reaped, so its temporary files count as stale now. */
            tpa_remove_stale_parts(((tpa_job *)g_ptr_array_index(p->jobs, job))->out_dir);
            reported[job] = true;
            t->finished++;
            t->failed++;
        }
        if (atomic_load(&sh->next) < p->jobs->len) {
            pids[w] = start_worker(p, sh, w, fds);
            if (pids[w] > 0)
                (*alive)++;
            else
                pids[w] = 0;
        }
    }
}

/* Run the jobs in `workers` processes; fills t.  Stops early on a signal. */
static void run_jobs(const plan *p, int workers, totals *t)
{
    shared *sh;
    int fds[2], i, alive = 0;
    pid_t *pids = g_new0(pid_t, workers);
    bool *reported = g_new0(bool, p->jobs->len);
    bool bar = !quiet && isatty(STDERR_FILENO), forwarded = false;
    double started = now(), last_draw = 0;
    char pending[sizeof(message)];
    size_t have = 0;

    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (sh == MAP_FAILED || pipe(fds) != 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK) != 0) {
        fprintf(stderr, "%s: cannot start the workers: %s\n", PROG, g_strerror(errno));
        exit(1);
    }
    atomic_init(&sh->progress.frames, 0);
    atomic_init(&sh->next, 0);
    sh->progress.stop = &stop_signal;   /* each process's own flag */

    for (i = 0; i < workers; i++) {
        pids[i] = start_worker(p, sh, i, fds);
        if (pids[i] <= 0) {
            pids[i] = 0;
            break;
        }
        alive++;
    }

    /* The parent keeps the pipe's write end, for workers started later; it
     * stops when no worker is left. */
    while (alive > 0) {
        struct pollfd pfd = { fds[0], POLLIN, 0 };

        if (poll(&pfd, 1, 200) > 0)
            read_messages(p, fds[0], pending, &have, t, reported);
        if (stop_signal && !forwarded) {
            /* A terminal's Ctrl-C reaches every worker already; a kill of
             * the parent alone must reach them too. */
            for (i = 0; i < workers; i++) {
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
            }
            forwarded = true;
        }
        reap(p, sh, pids, workers, fds, &alive, pending, &have, t, reported);
        if (bar && alive > 0 && now() - last_draw >= 0.2) {
            last_draw = now();
            /* Every frame is read twice: count it once. */
            draw_bar(t->finished, p->jobs->len, atomic_load(&sh->progress.frames) / 2,
                     last_draw - started);
        }
    }
    close(fds[1]);
    read_messages(p, fds[0], pending, &have, t, reported);
    close(fds[0]);
    clear_bar();
    munmap(sh, sizeof *sh);
    g_free(reported);
    g_free(pids);
}

/* ---- main ------------------------------------------------------------------------ */

static void usage_error(const char *msg)
{
    fprintf(stderr, "%s: %s\nUsage: %s [-j N] [-f] [-q] INPUT... -o OUTDIR  (--help for more)\n",
            PROG, msg, PROG);
    exit(2);
}

int main(int argc, char **argv)
{
    static const struct option long_opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "jobs", required_argument, NULL, 'j' },
        { "force", no_argument, NULL, 'f' },
        { "quiet", no_argument, NULL, 'q' },
        { "time-wait", required_argument, NULL, 'T' },
        { "shard", required_argument, NULL, 'S' },
        { "merge", no_argument, NULL, 'M' },
        { "report", no_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    plan p = { 0 };
    totals t = { 0 };
    struct stat out_st;
    bool have_out_st;
    struct sigaction sa;
    double started;
    mode_t mask;
    long n;
    char *end;
    int c, i;
    bool merge = false;
    unsigned stale = 0, failed;
    GHashTableIter it;
    gpointer key;

    options.time_wait_ns = 60 * (int64_t)1000000000;
    n = sysconf(_SC_NPROCESSORS_ONLN);
    jobs = n > 0 ? (int)n : 1;

    while ((c = getopt_long(argc, argv, "o:j:fqhV", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out_root = optarg;
            break;
        case 'j':
            n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > MAX_WORKERS)
                usage_error("-j wants a number of files from 1 to 1024");
            jobs = (int)n;
            break;
        case 'f':
            force = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'T':
            n = strtol(optarg, &end, 10);
            if (*end || n < 0 || n > 86400)
                usage_error("--time-wait wants seconds from 0 to 86400");
            options.time_wait_ns = n * (int64_t)1000000000;
            break;
        case 'S': {
            unsigned long k, total;
            k = strtoul(optarg, &end, 10);
            if (end == optarg || *end != '/')
                usage_error("--shard wants K/N, e.g. 2/8");
            total = strtoul(end + 1, &end, 10);
            if (*end || k < 1 || total < 1 || k > total || total > 1000000)
                usage_error("--shard wants K/N with 1 <= K <= N <= 1000000");
            shard_k = (unsigned)k;
            shard_n = (unsigned)total;
            break;
        }
        case 'M':
            merge = true;
            break;
        case 'R':
            options.report = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            printf("%s %s\n", PROG, TCPPHASE_VERSION);
            return 0;
        default:
            usage_error("unknown option");
        }
    }
    if (merge) {
        char err[1024];
        if (!out_root)
            usage_error("no output table: give -o TABLE.csv");
        if (optind >= argc)
            usage_error("no folders to merge: give the OUTDIRs of earlier runs");
        if (shard_n)
            usage_error("--merge and --shard do not go together");
        if (!tpa_merge(argv + optind, argc - optind, out_root, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", PROG, err);
            return 1;
        }
        return 0;
    }
    if (!out_root)
        usage_error("no output folder: give -o OUTDIR");
    if (optind >= argc)
        usage_error("no input: give capture files or folders");

    mask = umask(0);
    umask(mask);
    options.file_mode = 0666 & ~mask;

    init_process_policies();
    tp_ws_log_init(PROG, NULL);
    wtap_init(FALSE);

    p.jobs = g_ptr_array_new();
    p.outputs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p.inputs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    p.out_dirs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    p.extensions = wtap_get_all_capture_file_extensions_list();

    have_out_st = stat(out_root, &out_st) == 0;
    for (i = optind; i < argc; i++) {
        struct stat st;
        char *arg = g_strdup(argv[i]);
        size_t len = strlen(arg);

        while (len > 1 && arg[len - 1] == '/')
            arg[--len] = '\0';
        if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
            walk(&p, arg, out_root, have_out_st ? &out_st : NULL);
        else
            add_job(&p, arg, out_root);     /* a missing file fails with its reason */
        g_free(arg);
    }
    check_jobs(&p);

    g_hash_table_iter_init(&it, p.out_dirs);
    while (g_hash_table_iter_next(&it, &key, NULL))
        stale += tpa_remove_stale_parts(key);

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    started = now();
    if ((guint)jobs > p.jobs->len)
        jobs = (int)p.jobs->len;
    if (jobs > 0)
        run_jobs(&p, jobs, &t);

    failed = p.failed + t.failed;
    fprintf(stderr, "%s: %u labelled", PROG, t.done);
    if (t.warned)
        fprintf(stderr, " (%u with a warning)", t.warned);
    fprintf(stderr, ", %u up to date, %u failed", p.up_to_date, failed);
    if (stop_signal)
        fprintf(stderr, ", %u not done (interrupted)", p.jobs->len - t.done - t.failed);
    fprintf(stderr, "; %" PRIu64 " frames, %" PRIu64 " TCP segments labelled, %"
            PRIu64 " frames not decoded, %" PRIu64 " connections",
            t.frames, t.segments, t.undecoded, t.connections);
    if (t.dissected)
        fprintf(stderr, ", %" PRIu64 " frames decoded by Wireshark's dissectors", t.dissected);
    if (t.not_copied)
        fprintf(stderr, ", %lu records pcapng cannot hold left out", t.not_copied);
    if (stale)
        fprintf(stderr, "; removed %u temporary files of a killed run", stale);
    fprintf(stderr, "; %.1f s\n", now() - started);
    if (stop_signal)
        return 128 + stop_signal;
    return failed ? 1 : 0;
}
