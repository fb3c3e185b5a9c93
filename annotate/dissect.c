/* dissect.c — see dissect.h: loads the libwireshark module
 * (epan_module.c) on the first call and forwards to it.
 *
 * The module is looked for next to the executable (a build tree), then in
 * ../lib/tcpphase/ relative to it (an installed tool).
 *
 * Copyright (C) 2026 the tcpphase developers
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "dissect.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "epan_module.h"

#define MODULE_NAME "tcpphase-annotate-epan.so"

static tpa_epan_new_fn epan_new_fn;
static tpa_epan_dissect_fn epan_dissect_fn;
static tpa_epan_free_fn epan_free_fn;

static void *open_module(void)
{
    static const char *const places[] = { "", "../lib/tcpphase/" };
    char exe[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash;
    size_t i;

    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    slash[1] = '\0';
    for (i = 0; i < sizeof places / sizeof places[0]; i++) {
        void *h;
        snprintf(path, sizeof path, "%s%s%s", exe, places[i], MODULE_NAME);
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (h)
            return h;
    }
    return NULL;
}

static bool load_module(const char **error)
{
    static int state;           /* 0 not tried, 1 loaded, -1 failed */

    if (state == 0) {
        void *h = open_module();
        state = -1;
        if (h) {
            epan_new_fn = (tpa_epan_new_fn)dlsym(h, "tpa_epan_new");
            epan_dissect_fn = (tpa_epan_dissect_fn)dlsym(h, "tpa_epan_dissect");
            epan_free_fn = (tpa_epan_free_fn)dlsym(h, "tpa_epan_free");
            if (epan_new_fn && epan_dissect_fn && epan_free_fn)
                state = 1;
        }
    }
    if (state < 0)
        *error = "cannot load " MODULE_NAME " (Wireshark's dissectors)";
    return state > 0;
}

tpa_dissector *tpa_dissector_new(int file_type_subtype, const char **error)
{
    if (!load_module(error))
        return NULL;
    return epan_new_fn(file_type_subtype, error);
}

tpa_verdict tpa_dissect(tpa_dissector *d, uint32_t frame, wtap_rec *rec,
                        const uint8_t *data, tp_segment *seg)
{
    return epan_dissect_fn(d, frame, rec, data, seg);
}

void tpa_dissector_free(tpa_dissector *d)
{
    if (d)
        epan_free_fn(d);
}
