/* shard.c — see shard.h.
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "shard.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#define ROWS_SUFFIX ".connections.csv"

unsigned tpa_shard_of(const char *rel, unsigned n)
{
    uint64_t h = 0xcbf29ce484222325u;       /* FNV-1a, 64 bits */

    for (; *rel; rel++) {
        h ^= (unsigned char)*rel;
        h *= 0x100000001b3u;
    }
    return (unsigned)(h % n) + 1;
}

/* ---- Merging ------------------------------------------------------------------ */

typedef struct rows_file {
    char *rel;      /* relative to its folder, without ROWS_SUFFIX */
    char *path;
} rows_file;

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

/* Every ROWS_SUFFIX file below dir (not hidden: temporary files are). */
static bool collect(const char *dir, const char *rel, GPtrArray *files, char *err,
                    size_t err_len)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool ok = true;

    if (!d) {
        snprintf(err, err_len, "%s: %s", dir, g_strerror(errno));
        return false;
    }
    while (ok && (e = readdir(d)) != NULL) {
        char *path, *sub;
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        path = g_strdup_printf("%s/%s", dir, e->d_name);
        sub = *rel ? g_strdup_printf("%s/%s", rel, e->d_name) : g_strdup(e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            ok = collect(path, sub, files, err, err_len);
        } else if (has_suffix(e->d_name, ROWS_SUFFIX)) {
            rows_file *f = g_new(rows_file, 1);
            f->rel = g_strndup(sub, strlen(sub) - strlen(ROWS_SUFFIX));
            f->path = path;
            path = NULL;
            g_ptr_array_add(files, f);
        }
        g_free(path);
        g_free(sub);
    }
    closedir(d);
    return ok;
}

static gint compare_rel(gconstpointer a, gconstpointer b)
{
    return strcmp((*(rows_file *const *)a)->rel, (*(rows_file *const *)b)->rel);
}

static void free_rows_file(gpointer p)
{
    rows_file *f = p;
    g_free(f->rel);
    g_free(f->path);
    g_free(f);
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void put_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

/* Copies f's rows to out, each prefixed with its file; checks the header. */
static bool copy_rows(const rows_file *f, FILE *out, char **header, char *err, size_t err_len)
{
    FILE *in = fopen(f->path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bool first = true, ok = true;

    if (!in) {
        snprintf(err, err_len, "%s: %s", f->path, g_strerror(errno));
        return false;
    }
    while ((len = getline(&line, &cap, in)) >= 0) {
        if (first) {
            first = false;
            if (!*header) {
                *header = g_strdup(line);
                fputs("file,", out);
                fputs(line, out);
            } else if (strcmp(*header, line) != 0) {
                snprintf(err, err_len, "%s: not the columns of the other files", f->path);
                ok = false;
                break;
            }
            continue;
        }
        put_field(out, f->rel);
        putc(',', out);
        fwrite(line, 1, (size_t)len, out);
        if (len > 0 && line[len - 1] != '\n')
            putc('\n', out);
    }
    if (ok && ferror(in)) {
        snprintf(err, err_len, "%s: %s", f->path, g_strerror(errno));
        ok = false;
    }
    if (ok && first) {
        snprintf(err, err_len, "%s: empty (not a finished output)", f->path);
        ok = false;
    }
    free(line);
    fclose(in);
    return ok;
}

bool tpa_merge(char *const *dirs, int n_dirs, const char *out_path, char *err, size_t err_len)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(free_rows_file);
    char *header = NULL, *tmp = NULL;
    FILE *out = NULL;
    bool ok = true;
    int i, fd;
    guint j;

    for (i = 0; ok && i < n_dirs; i++)
        ok = collect(dirs[i], "", files, err, err_len);
    if (ok) {
        g_ptr_array_sort(files, compare_rel);
        for (j = 1; ok && j < files->len; j++) {
            const rows_file *a = g_ptr_array_index(files, j - 1);
            const rows_file *b = g_ptr_array_index(files, j);
            if (strcmp(a->rel, b->rel) == 0) {
                snprintf(err, err_len, "%s is in two folders (%s and %s): an input labelled "
                         "twice?", a->rel, a->path, b->path);
                ok = false;
            }
        }
    }
    if (ok && files->len == 0) {
        snprintf(err, err_len, "no %s files in the given folders", ROWS_SUFFIX);
        ok = false;
    }
    if (ok) {
        tmp = g_strdup_printf("%s.part-%ld-XXXXXX", out_path, (long)getpid());
        fd = mkstemp(tmp);
        if (fd < 0 || !(out = fdopen(fd, "w"))) {
            snprintf(err, err_len, "cannot write %s: %s", out_path, g_strerror(errno));
            if (fd >= 0)
                close(fd);
            ok = false;
        } else {
            mode_t mask = umask(0);
            umask(mask);
            fchmod(fd, 0666 & ~mask);
        }
    }
    for (j = 0; ok && j < files->len; j++)
        ok = copy_rows(g_ptr_array_index(files, j), out, &header, err, err_len);
    if (out) {
        if (ok && (fflush(out) != 0 || ferror(out))) {
            snprintf(err, err_len, "cannot write %s: %s", out_path, g_strerror(errno));
            ok = false;
        }
        if (fclose(out) != 0 && ok) {
            snprintf(err, err_len, "cannot write %s: %s", out_path, g_strerror(errno));
            ok = false;
        }
        if (ok && rename(tmp, out_path) != 0) {
            snprintf(err, err_len, "cannot rename %s to %s: %s", tmp, out_path,
                     g_strerror(errno));
            ok = false;
        }
        if (!ok)
            unlink(tmp);
    }
    g_free(tmp);
    g_free(header);
    g_ptr_array_free(files, TRUE);
    return ok;
}
