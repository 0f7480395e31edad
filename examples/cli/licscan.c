/*
 * licscan -- command-line front end: identify the licenses in files and the
 * restrictions they impose.
 *
 * The walk lists every file first, in a stable order (arguments as given,
 * directory entries by name). A pool of threads scans them with one shared,
 * read-only database and renders each report into memory; the main thread
 * prints the reports in walk order, so the output is the same for any
 * number of threads.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "licscan.h"

#define EXIT_FAILED_FILE 1 /* some file could not be scanned */
#define EXIT_USAGE 2       /* bad command line, templates or rules */

#define MAX_JOBS 256
#define MAX_JOBS_TEXT "256"
#define MAX_DEPTH 64 /* directory nesting walked */
#define MAX_RULES_BYTES (16u << 20)
#define PROGRESS_FILES 100    /* more files than this: show progress */
#define PROGRESS_DELAY 1.0    /* or once a scan has run this long (s) */
#define PROGRESS_INTERVAL 0.1 /* redraw at most this often (s) */
#define EVIDENCE_SHOWN 5      /* --flags: evidence clauses per flag */
#define EVIDENCE_BYTES 120    /* --flags: quoted text per clause */
#define DIFF_BYTES 160        /* --diff: quoted text per difference */

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SPDX };
enum color_when { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* ANSI escape sequences, or empty strings when colour is off. */
typedef struct palette {
    const char *bold, *dim, *red, *green, *yellow, *magenta, *cyan, *reset;
} palette;

static const palette ansi = { "\033[1m",  "\033[2m",  "\033[31m", "\033[32m",
                              "\033[33m", "\033[35m", "\033[36m", "\033[0m" };
static const palette plain = { "", "", "", "", "", "", "", "" };

/* A --templates directory or a --rules file, kept in command-line order. */
typedef struct source {
    const char *path;
    int is_rules;
} source;

typedef struct settings {
    licscan_scan_options scan;
    enum format format;
    int diff, flags, list, no_default;
    unsigned jobs;
    const palette *out_colors; /* for stdout */
    const palette *err_colors; /* for stderr */
    source *sources;
    int nsources;
} settings;

/* One file of the walk and, once scanned, what to print for it. */
typedef struct file_entry {
    char *path;
    char *walk_error; /* why the walk cannot scan it, or NULL */
    /* Written by the worker that takes the entry; read by the printer
     * after `done` is set under the pool's lock. */
    char *out, *err; /* text for stdout and stderr */
    size_t out_len, err_len;
    int failed;        /* counts toward exit status 1 */
    int out_of_memory; /* the report itself could not be kept */
    int done;
} file_entry;

typedef struct file_list {
    file_entry *items;
    size_t count, cap;
} file_list;

typedef struct progress {
    int enabled; /* stderr is a terminal */
    int visible; /* a progress line is on the screen now */
    double started, last_drawn;
} progress;

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

/* strerror() may share one buffer between threads. strerror_r() comes in
 * a GNU flavour (returns the text) and an XSI one (returns a status); the
 * _Generic below takes whichever this C library declares. */
static const char *gnu_strerror_text(char *text, char *buf)
{
    (void)buf;
    return text;
}
static const char *xsi_strerror_text(int status, char *buf)
{
    return status ? "unknown error" : buf;
}
#define ERRNO_TEXT(err, buf)                                                   \
    _Generic(strerror_r((err), (buf), sizeof(buf)),                           \
             char *: gnu_strerror_text,                                       \
             int: xsi_strerror_text)(strerror_r((err), (buf), sizeof(buf)),   \
                                     (buf))

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int is_continuation(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

/* A JSON string, escaped by the library as its own JSON is
 * (licscan_json_escape): bytes that are not UTF-8 (a file name can hold
 * any) become U+FFFD, so every line parses. The text goes in pieces of
 * at most 64 bytes, escaped as the whole text would be: a piece ends
 * before a byte that is not a continuation byte (no UTF-8 sequence runs
 * on past one) when one of the last three bytes is; else no valid
 * sequence can reach the cut, as it has at most three continuation
 * bytes. */
static void json_string(FILE *out, const char *s)
{
    enum { PIECE = 64 };
    char buf[6 * PIECE + 1];
    size_t n = strlen(s);
    fputc('"', out);
    while (n) {
        size_t k = n;
        if (k > PIECE) {
            k = PIECE;
            while (k > PIECE - 3 && is_continuation(s[k]))
                k--;
            if (is_continuation(s[k]))
                k = PIECE;
        }
        size_t len = licscan_json_escape(s, k, buf, sizeof(buf));
        fwrite(buf, 1, len, out);
        s += k;
        n -= k;
    }
    fputc('"', out);
}

/* Up to max bytes of text, cut at a character boundary, on one line. */
static void put_clipped(FILE *out, const char *text, size_t max)
{
    size_t len = strlen(text);
    size_t shown = len;
    if (len > max) {
        shown = max;
        while (shown > 0 && ((unsigned char)text[shown] & 0xC0) == 0x80)
            shown--;
    }
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)text[i];
        fputc(c < 0x20 ? ' ' : c, out);
    }
    if (shown < len)
        fputs("...", out);
}

/* 1234567 as "1,234,567": thresholds are easier to read grouped. */
static void put_grouped(FILE *out, int64_t value)
{
    uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
    char digits[24];
    int n = snprintf(digits, sizeof(digits), "%" PRIu64, magnitude);
    if (value < 0)
        fputc('-', out);
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            fputc(',', out);
        fputc(digits[i], out);
    }
}

/* ------------------------------------------------------------------ */
/* Reading files                                                      */
/* ------------------------------------------------------------------ */

/* Reads a whole regular file of at most limit bytes. On failure returns -1
 * with a message in err and a LICSCAN_E* status in *status. */
static int read_file(const char *path, uint64_t limit, unsigned char **data,
                     size_t *len, char *err, size_t errlen, int *status)
{
    char buf[128];
    unsigned char *bytes = NULL;
    size_t cap = 0, used = 0;
    struct stat st;
    *data = NULL;
    *len = 0;
    *status = LICSCAN_EIO;
    /* O_NONBLOCK: should the path have become a FIFO since the walk
     * looked at it, opening it must not wait for a writer. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s", ERRNO_TEXT(errno, buf));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s", ERRNO_TEXT(errno, buf));
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        goto fail;
    }
    if ((uint64_t)st.st_size > limit)
        goto too_big;
    for (;;) {
        if (used == cap) {
            /* First the size plus one byte, so a file that grew since
             * fstat is noticed; then doubling. */
            size_t bigger = cap ? cap * 2 : (size_t)st.st_size + 1;
            unsigned char *p = realloc(bytes, bigger);
            if (!p) {
                snprintf(err, errlen, "out of memory");
                *status = LICSCAN_ENOMEM;
                goto fail;
            }
            bytes = p;
            cap = bigger;
        }
        ssize_t got = read(fd, bytes + used, cap - used);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, errlen, "read error: %s", ERRNO_TEXT(errno, buf));
            goto fail;
        }
        if (got == 0)
            break;
        used += (size_t)got;
        if (used > limit)
            goto too_big;
    }
    close(fd);
    *data = bytes;
    *len = used;
    return 0;
too_big:
    snprintf(err, errlen, "file is over the limit of %llu bytes",
             (unsigned long long)limit);
    *status = LICSCAN_ETOOBIG;
fail:
    free(bytes);
    close(fd);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Rendering one file's report                                        */
/* ------------------------------------------------------------------ */

static void report_failure(const settings *s, file_entry *e, FILE *out,
                           FILE *err, const char *msg, int status)
{
    const palette *c = s->err_colors;
    e->failed = 1;
    fprintf(err, "licscan: %s: %s%s%s\n", e->path, c->red, msg, c->reset);
    if (s->format == FORMAT_JSON) {
        fputs("{\"schema\":\"1\",\"file\":", out);
        json_string(out, e->path);
        fputs(",\"matches\":[],\"spdx\":\"\",\"error\":", out);
        json_string(out, msg);
        fputs(",\"status\":", out);
        json_string(out, licscan_strerror(status));
        fputs("}\n", out);
    }
}

static const char *kind_color(const palette *c, uint32_t kind)
{
    switch (kind) {
    case LICSCAN_KIND_EXACT: return c->green;
    case LICSCAN_KIND_NEAR: return c->yellow;
    case LICSCAN_KIND_PARTIAL: return c->magenta;
    default: return c->cyan;
    }
}

static const char *openness_color(const palette *c, uint32_t category)
{
    switch (category) {
    case LICSCAN_OPENNESS_OPEN_SOURCE: return c->green;
    case LICSCAN_OPENNESS_OPEN_WEIGHT_RESTRICTED: return c->yellow;
    case LICSCAN_OPENNESS_NON_COMMERCIAL:
    case LICSCAN_OPENNESS_PROPRIETARY: return c->red;
    default: return c->dim;
    }
}

static void print_diffs(FILE *out, const licscan_match *m,
                        const unsigned char *data)
{
    for (uint32_t d = 0; d < licscan_match_diff_count(m); d++) {
        uint32_t op;
        uint64_t s, e;
        const char *t;
        if (licscan_match_diff(m, d, &op, &s, &e, &t) != LICSCAN_OK)
            continue;
        fprintf(out, "            %-8s @%llu-%llu", licscan_diff_op_name(op),
                (unsigned long long)s, (unsigned long long)e);
        if (e > s) {
            size_t len = (size_t)(e - s);
            fprintf(out, " input \"");
            for (size_t k = 0; k < len && k < DIFF_BYTES; k++) {
                unsigned char ch = data[s + k];
                fputc(ch == '\n' || ch == '\r' || ch == '\t' ? ' ' : ch, out);
            }
            fprintf(out, "%s\"", len > DIFF_BYTES ? "..." : "");
        }
        if (*t) {
            fputs(" template \"", out);
            put_clipped(out, t, DIFF_BYTES);
            fputc('"', out);
        }
        fputc('\n', out);
    }
}

/* Flags that a near or partial match's differences add or remove. */
static void print_flag_changes(FILE *out, const palette *c,
                               const licscan_match *m)
{
    for (uint32_t i = 0; i < licscan_match_flag_change_count(m); i++) {
        uint32_t flag;
        int added;
        uint64_t s, e;
        if (licscan_match_flag_change(m, i, &flag, &added, &s, &e) !=
            LICSCAN_OK)
            continue;
        fprintf(out, "            differences %s flag %s%s%s @%llu-%llu\n",
                added ? "add" : "remove", c->bold, licscan_flag_name(flag),
                c->reset, (unsigned long long)s, (unsigned long long)e);
    }
}

static void print_flag_value(FILE *out, const licscan_restriction *x)
{
    uint32_t flag = licscan_restriction_flag(x);
    const char *qualifier = licscan_restriction_qualifier(x);
    switch (licscan_flag_value_type(flag)) {
    case LICSCAN_VALUE_NUMBER:
        put_grouped(out, licscan_restriction_number(x));
        if (*qualifier)
            fprintf(out, " %s", qualifier);
        break;
    case LICSCAN_VALUE_TEXT: {
        const char *text = licscan_restriction_text(x);
        if (*text) {
            fputc('"', out);
            put_clipped(out, text, EVIDENCE_BYTES);
            fputc('"', out);
        } else {
            fputs("yes", out);
        }
        if (*qualifier) {
            fputs(", except \"", out);
            put_clipped(out, qualifier, EVIDENCE_BYTES);
            fputc('"', out);
        }
        break;
    }
    case LICSCAN_VALUE_LIST: {
        uint32_t n = licscan_restriction_item_count(x);
        for (uint32_t i = 0; i < n; i++)
            fprintf(out, "%s%s", i ? ", " : "", licscan_restriction_item(x, i));
        if (!n)
            fputs("yes", out);
        break;
    }
    default: fputs("yes", out);
    }
}

/* --flags: the openness verdict, the freedoms it breaks and why, then each
 * flag with its value and the clauses that set it. */
static void print_restrictions(FILE *out, const palette *c,
                               const licscan_result *r)
{
    uint32_t category = licscan_result_openness(r);
    fprintf(out, "  openness  %s%s%s\n", openness_color(c, category),
            licscan_openness_name(category), c->reset);
    for (uint32_t fr = LICSCAN_FREEDOM_USE; fr <= LICSCAN_FREEDOM_SHARE; fr++) {
        uint64_t broken_by = 0;
        if (licscan_result_freedom(r, fr, &broken_by) != 0)
            continue;
        fprintf(out, "            freedom to %s broken by ",
                licscan_freedom_name(fr));
        int first = 1;
        for (uint32_t f = 0; f < licscan_flag_count() && f < 64; f++)
            if (broken_by & (UINT64_C(1) << f)) {
                fprintf(out, "%s%s", first ? "" : ", ", licscan_flag_name(f));
                first = 0;
            }
        fputc('\n', out);
    }
    uint32_t n = licscan_result_restriction_count(r);
    if (!n)
        fputs("  flags     none found\n", out);
    for (uint32_t i = 0; i < n; i++) {
        const licscan_restriction *x = licscan_result_restriction(r, i);
        fprintf(out, "  flag      %s%s%s: ", c->bold,
                licscan_flag_name(licscan_restriction_flag(x)), c->reset);
        print_flag_value(out, x);
        fputc('\n', out);
        uint32_t nev = licscan_restriction_evidence_count(x);
        for (uint32_t k = 0; k < nev && k < EVIDENCE_SHOWN; k++) {
            uint64_t s, e;
            const char *text, *label;
            if (licscan_restriction_evidence(x, k, &s, &e, &text, &label,
                                             NULL) != LICSCAN_OK)
                continue;
            fputs("            ", out);
            if (label && *label)
                fprintf(out, "%s[%s]%s ", c->cyan, label, c->reset);
            fprintf(out, "bytes %llu-%llu %s\"", (unsigned long long)s,
                    (unsigned long long)e, c->dim);
            put_clipped(out, text ? text : "", EVIDENCE_BYTES);
            fprintf(out, "\"%s\n", c->reset);
        }
        if (nev > EVIDENCE_SHOWN)
            fprintf(out, "            (%u more clauses)\n",
                    (unsigned)(nev - EVIDENCE_SHOWN));
    }
}

static void print_text(const settings *s, FILE *out, const char *path,
                       const licscan_result *r, const unsigned char *data)
{
    const palette *c = s->out_colors;
    uint32_t n = licscan_result_match_count(r);
    fprintf(out, "%s%s%s:", c->bold, path, c->reset);
    if (!n) {
        fputs(" no license found\n", out);
    } else {
        const char *spdx = licscan_result_spdx(r);
        fprintf(out, " %s\n", *spdx ? spdx : "(no complete license text)");
    }
    for (uint32_t i = 0; i < n; i++) {
        const licscan_match *m = licscan_result_match(r, i);
        const licscan_license *l = licscan_match_license(m);
        uint32_t kind = licscan_match_kind(m);
        fprintf(out, "  %s%-9s%s %s", kind_color(c, kind),
                licscan_kind_name(kind), c->reset, licscan_license_id(l));
        if (kind != LICSCAN_KIND_REFERENCE)
            fprintf(out, "  %.1f%%", 100 * licscan_match_coverage(m));
        fprintf(out, "  bytes %llu-%llu",
                (unsigned long long)licscan_match_start(m),
                (unsigned long long)licscan_match_end(m));
        if (*licscan_license_name(l))
            fprintf(out, "  (%s)", licscan_license_name(l));
        fputc('\n', out);
        double rc;
        const licscan_license *ru = licscan_match_runner_up(m, &rc);
        if (ru)
            fprintf(out, "            %srunner-up %s %.1f%%%s\n", c->dim,
                    licscan_license_id(ru), 100 * rc, c->reset);
        if (s->flags)
            print_flag_changes(out, c, m);
        if (s->diff)
            print_diffs(out, m, data);
    }
    if (s->flags)
        print_restrictions(out, c, r);
}

/* --format spdx: one "FILE: EXPRESSION" line. NONE: nothing found;
 * NOASSERTION: licenses named or in fragments, but no whole text. */
static void print_spdx(FILE *out, const char *path, const licscan_result *r)
{
    const char *spdx = licscan_result_spdx(r);
    if (!*spdx)
        spdx = licscan_result_match_count(r) ? "NOASSERTION" : "NONE";
    fprintf(out, "%s: %s\n", path, spdx);
}

static void scan_entry(const settings *s, const licscan_db *db, file_entry *e,
                       FILE *out, FILE *err)
{
    if (e->walk_error) {
        report_failure(s, e, out, err, e->walk_error, LICSCAN_EIO);
        return;
    }
    unsigned char *data;
    size_t len;
    char msg[256];
    int status;
    if (read_file(e->path, s->scan.max_input_bytes, &data, &len, msg,
                  sizeof(msg), &status)) {
        report_failure(s, e, out, err, msg, status);
        return;
    }
    licscan_result *r = NULL;
    int rc = licscan_scan(db, data, len, &s->scan, &r);
    if (!r) {
        report_failure(s, e, out, err, licscan_strerror(rc), rc);
        free(data);
        return;
    }
    if (rc) {
        e->failed = 1;
        fprintf(err, "licscan: %s: %s%s%s\n", e->path, s->err_colors->red,
                licscan_result_errmsg(r), s->err_colors->reset);
    }
    if (s->format == FORMAT_JSON) {
        /* The library renders the line, failed scans included. */
        const char *json;
        size_t json_len;
        if (licscan_result_json(r, e->path, s->diff ? LICSCAN_JSON_DIFFS : 0,
                                &json, &json_len) == LICSCAN_OK) {
            fwrite(json, 1, json_len, out);
            fputc('\n', out);
        } else {
            report_failure(s, e, out, err, "out of memory rendering JSON",
                           LICSCAN_ENOMEM);
        }
    } else if (!rc && s->format == FORMAT_SPDX) {
        print_spdx(out, e->path, r);
    } else if (!rc) {
        print_text(s, out, e->path, r, data);
    }
    licscan_result_free(r);
    free(data);
}

/* Scans one entry and keeps its report in memory for the printer. */
static void process_entry(const settings *s, const licscan_db *db,
                          file_entry *e)
{
    FILE *out = open_memstream(&e->out, &e->out_len);
    FILE *err = out ? open_memstream(&e->err, &e->err_len) : NULL;
    if (!out || !err) {
        if (out)
            fclose(out);
        free(e->out);
        e->out = NULL;
        e->out_of_memory = e->failed = 1;
        return;
    }
    scan_entry(s, db, e, out, err);
    int bad = fclose(out) != 0;
    bad |= fclose(err) != 0;
    if (bad) {
        free(e->out);
        free(e->err);
        e->out = e->err = NULL;
        e->out_of_memory = e->failed = 1;
    }
}

/* ------------------------------------------------------------------ */
/* Progress line                                                      */
/* ------------------------------------------------------------------ */

/* total == 0: still listing files, `done` of them found so far. */
static void progress_draw(progress *pg, size_t done, size_t total)
{
    if (!pg->enabled)
        return;
    double t = now_seconds();
    if (total <= PROGRESS_FILES && t - pg->started < PROGRESS_DELAY)
        return;
    if (t - pg->last_drawn < PROGRESS_INTERVAL)
        return;
    if (total)
        fprintf(stderr, "\r\033[Klicscan: %zu of %zu files scanned", done,
                total);
    else
        fprintf(stderr, "\r\033[Klicscan: listing files, %zu found", done);
    fflush(stderr);
    pg->visible = 1;
    pg->last_drawn = t;
}

static void progress_clear(progress *pg)
{
    if (pg->visible) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        pg->visible = 0;
    }
}

/* ------------------------------------------------------------------ */
/* Walking                                                            */
/* ------------------------------------------------------------------ */

typedef struct walker {
    file_list *files;
    progress *progress;
    int out_of_memory;
} walker;

/* A directory being walked, to notice one that contains itself (a bind
 * mount can do that; symbolic links are not followed). */
typedef struct dir_chain {
    dev_t dev;
    ino_t ino;
    const struct dir_chain *parent;
} dir_chain;

static void add_entry(walker *w, const char *path, const char *error)
{
    file_list *l = w->files;
    if (w->out_of_memory)
        return;
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        file_entry *items = realloc(l->items, cap * sizeof(*items));
        if (!items) {
            w->out_of_memory = 1;
            return;
        }
        l->items = items;
        l->cap = cap;
    }
    file_entry *e = &l->items[l->count];
    memset(e, 0, sizeof(*e));
    e->path = strdup(path);
    e->walk_error = error ? strdup(error) : NULL;
    if (!e->path || (error && !e->walk_error)) {
        free(e->path);
        free(e->walk_error);
        w->out_of_memory = 1;
        return;
    }
    l->count++;
    progress_draw(w->progress, l->count, 0);
}

static void add_errno(walker *w, const char *path, int err)
{
    add_entry(w, path, strerror(err));
}

static const char *special_file_kind(mode_t mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO (named pipe), not a regular file: skipped";
    if (S_ISSOCK(mode))
        return "a socket, not a regular file: skipped";
    if (S_ISCHR(mode))
        return "a character device, not a regular file: skipped";
    if (S_ISBLK(mode))
        return "a block device, not a regular file: skipped";
    return "not a regular file or directory: skipped";
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_path(walker *w, const char *path, int depth,
                      const dir_chain *up);

static void walk_directory(walker *w, const char *path, int depth,
                           const struct stat *st, const dir_chain *up)
{
    for (const dir_chain *d = up; d; d = d->parent)
        if (d->dev == st->st_dev && d->ino == st->st_ino) {
            add_entry(w, path, "directory loop: it contains itself; skipped");
            return;
        }
    if (depth > MAX_DEPTH) {
        add_entry(w, path, "directory tree too deep");
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        add_errno(w, path, errno);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    size_t plen = strlen(path);
    const char *sep = plen && path[plen - 1] == '/' ? "" : "/";
    for (;;) {
        errno = 0;
        struct dirent *ent = readdir(dir);
        if (!ent) {
            if (errno)
                add_errno(w, path, errno);
            break;
        }
        const char *name = ent->d_name;
        if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, ".git"))
            continue;
        if (n == cap) {
            size_t bigger = cap ? cap * 2 : 32;
            char **p = realloc(names, bigger * sizeof(*names));
            if (!p) {
                w->out_of_memory = 1;
                break;
            }
            names = p;
            cap = bigger;
        }
        size_t need = plen + strlen(name) + 2;
        names[n] = malloc(need);
        if (!names[n]) {
            w->out_of_memory = 1;
            break;
        }
        snprintf(names[n], need, "%s%s%s", path, sep, name);
        n++;
    }
    closedir(dir);
    if (n)
        qsort(names, n, sizeof(*names), name_cmp);
    dir_chain here = { st->st_dev, st->st_ino, up };
    for (size_t i = 0; i < n; i++) {
        if (!w->out_of_memory)
            walk_path(w, names[i], depth + 1, &here);
        free(names[i]);
    }
    free(names);
}

static void walk_path(walker *w, const char *path, int depth,
                      const dir_chain *up)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        add_errno(w, path, errno);
        return;
    }
    if (S_ISLNK(st.st_mode)) {
        if (stat(path, &st) != 0) {
            int err = errno;
            if (err == ELOOP)
                add_entry(w, path, "symbolic link loop: skipped");
            else if (depth == 0)
                add_errno(w, path, err); /* named on the command line */
            return; /* a dangling link inside a tree is like any link */
        }
        if (depth > 0)
            return; /* links inside a walked tree are not followed */
    }
    if (S_ISREG(st.st_mode))
        add_entry(w, path, NULL);
    else if (S_ISDIR(st.st_mode))
        walk_directory(w, path, depth, &st, up);
    else
        add_entry(w, path, special_file_kind(st.st_mode));
}

/* ------------------------------------------------------------------ */
/* Scanning with a pool of threads                                    */
/* ------------------------------------------------------------------ */

typedef struct pool {
    const settings *s;
    const licscan_db *db;
    file_entry *items;
    size_t count;
    size_t next;    /* next entry a worker takes */
    size_t printed; /* entries printed so far */
    size_t window;  /* how far workers may run ahead of the printer */
    pthread_mutex_t lock;
    pthread_cond_t finished; /* an entry is done */
    pthread_cond_t room;     /* the printer moved on */
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        /* Bounded look-ahead: reports wait in memory until printed. */
        while (p->next < p->count && p->next >= p->printed + p->window)
            pthread_cond_wait(&p->room, &p->lock);
        if (p->next >= p->count)
            break;
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        process_entry(p->s, p->db, &p->items[i]);
        pthread_mutex_lock(&p->lock);
        p->items[i].done = 1;
        pthread_cond_signal(&p->finished);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Prints one entry's report and frees it; returns 1 if it failed. */
static int print_entry(file_entry *e, progress *pg)
{
    progress_clear(pg);
    if (e->out_of_memory) {
        fprintf(stderr, "licscan: %s: out of memory\n", e->path);
    } else {
        if (e->out_len)
            fwrite(e->out, 1, e->out_len, stdout);
        if (e->err_len) {
            /* What the file printed so far comes before its message. */
            fflush(stdout);
            fwrite(e->err, 1, e->err_len, stderr);
        }
    }
    free(e->out);
    free(e->err);
    e->out = e->err = NULL;
    return e->failed;
}

static void timed_wait(pthread_cond_t *cond, pthread_mutex_t *lock,
                       double seconds)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long ns = ts.tv_nsec + (long)(seconds * 1e9);
    ts.tv_sec += ns / 1000000000L;
    ts.tv_nsec = ns % 1000000000L;
    pthread_cond_timedwait(cond, lock, &ts);
}

/* Scans every entry and prints the reports in order; returns the number
 * of files that failed. */
static size_t scan_all(const settings *s, const licscan_db *db,
                       file_list *files, progress *pg)
{
    pool p = { .s = s, .db = db, .items = files->items, .count = files->count };
    p.window = 4 * (size_t)s->jobs + 16;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.finished, &attr);
    pthread_cond_init(&p.room, NULL);
    pthread_condattr_destroy(&attr);

    size_t nworkers = s->jobs < p.count ? s->jobs : p.count;
    pthread_t tids[MAX_JOBS];
    size_t started = 0;
    for (; started < nworkers; started++) {
        int err = pthread_create(&tids[started], NULL, worker, &p);
        if (err) {
            /* The threads already running will do all the work. */
            if (started == 0)
                fprintf(stderr,
                        "licscan: cannot start a thread (%s): "
                        "scanning without\n",
                        strerror(err));
            break;
        }
    }

    size_t failures = 0;
    for (size_t i = 0; i < p.count; i++) {
        file_entry *e = &p.items[i];
        if (started == 0) {
            process_entry(s, db, e);
        } else {
            pthread_mutex_lock(&p.lock);
            while (!e->done) {
                if (pg->enabled) {
                    timed_wait(&p.finished, &p.lock, PROGRESS_INTERVAL);
                    pthread_mutex_unlock(&p.lock);
                    progress_draw(pg, i, p.count);
                    pthread_mutex_lock(&p.lock);
                } else {
                    pthread_cond_wait(&p.finished, &p.lock);
                }
            }
            pthread_mutex_unlock(&p.lock);
        }
        failures += (size_t)print_entry(e, pg);
        pthread_mutex_lock(&p.lock);
        p.printed = i + 1;
        pthread_cond_broadcast(&p.room);
        pthread_mutex_unlock(&p.lock);
        progress_draw(pg, i + 1, p.count);
    }
    for (size_t t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    progress_clear(pg);
    pthread_cond_destroy(&p.room);
    pthread_cond_destroy(&p.finished);
    pthread_mutex_destroy(&p.lock);
    return failures;
}

/* ------------------------------------------------------------------ */
/* --list                                                             */
/* ------------------------------------------------------------------ */

/* A template replaced by a later one with the same id is not in effect. */
static int is_replaced(const licscan_db *db, const licscan_license *l)
{
    const char *id = licscan_license_id(l);
    const licscan_license *current = licscan_db_lookup(db, id);
    return current && current != l &&
           strcmp(licscan_license_id(current), id) == 0;
}

static void list_json(const licscan_db *db)
{
    for (uint32_t i = 0; i < licscan_db_license_count(db); i++) {
        const licscan_license *l = licscan_db_license(db, i);
        if (is_replaced(db, l))
            continue;
        const char *members[][2] = {
            { "version", licscan_license_version(l) },
            { "spdx", licscan_license_spdx(l) },
            { "hf", licscan_license_hf_tag(l) },
            { "scancode", licscan_license_scancode(l) },
            { "family", licscan_license_family(l) },
            { "kind", licscan_license_kind(l) },
            { "url", licscan_license_url(l) },
        };
        fputs("{\"id\":", stdout);
        json_string(stdout, licscan_license_id(l));
        fputs(",\"name\":", stdout);
        json_string(stdout, licscan_license_name(l));
        /* As in scan results, identifiers the metadata lacks are left out. */
        for (size_t k = 0; k < sizeof(members) / sizeof(members[0]); k++)
            if (*members[k][1]) {
                printf(",\"%s\":", members[k][0]);
                json_string(stdout, members[k][1]);
            }
        printf(",\"osi_approved\":%s}\n",
               licscan_license_osi_approved(l) ? "true" : "false");
    }
}

#define LIST_COLUMNS 6
#define LIST_NAME_MAX 40 /* longer names are clipped in the table */
#define LIST_WIDTH_MAX                                                         \
    32 /* longer identifiers are shown whole but do
                             not widen their column for every row */

static size_t utf8_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* One table cell: at most max characters (clipped with "..."), padded to
 * width plus two spaces unless it ends the row (at least two spaces). */
static void list_cell(const char *text, size_t width, size_t max, int last)
{
    size_t chars = utf8_width(text);
    if (chars > max) {
        size_t kept = 0;
        for (const char *p = text; *p; p++) {
            int starts_char = ((unsigned char)*p & 0xC0) != 0x80;
            if (starts_char && ++kept > max - 3)
                break;
            putchar(*p);
        }
        fputs("...", stdout);
        chars = max;
    } else {
        fputs(text, stdout);
    }
    if (!last)
        printf("%*s", (int)(chars < width ? width - chars + 2 : 2), "");
}

static void list_table(const settings *s, const licscan_db *db)
{
    static const char *const heads[LIST_COLUMNS] = {
        "ID", "NAME", "VERSION", "SPDX", "HF", "SCANCODE"
    };
    size_t width[LIST_COLUMNS];
    for (int k = 0; k < LIST_COLUMNS; k++)
        width[k] = strlen(heads[k]);
    uint32_t n = licscan_db_license_count(db);
    /* Two passes: measure the columns, then print. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            printf("%s", s->out_colors->bold);
            for (int k = 0; k < LIST_COLUMNS; k++)
                list_cell(heads[k], width[k], width[k], k == LIST_COLUMNS - 1);
            printf("%s\n", s->out_colors->reset);
        }
        for (uint32_t i = 0; i < n; i++) {
            const licscan_license *l = licscan_db_license(db, i);
            if (is_replaced(db, l))
                continue;
            const char *cells[LIST_COLUMNS] = {
                licscan_license_id(l),      licscan_license_name(l),
                licscan_license_version(l), licscan_license_spdx(l),
                licscan_license_hf_tag(l),  licscan_license_scancode(l)
            };
            for (int k = 0; k < LIST_COLUMNS; k++) {
                const char *cell = *cells[k] ? cells[k] : "-";
                size_t max = k == 1 ? LIST_NAME_MAX : (size_t)-1;
                if (pass == 0) {
                    size_t w = utf8_width(cell);
                    if (w > max)
                        w = max;
                    if (k != 1 && w > LIST_WIDTH_MAX)
                        w = LIST_WIDTH_MAX;
                    if (w > width[k])
                        width[k] = w;
                } else {
                    list_cell(cell, width[k], max, k == LIST_COLUMNS - 1);
                }
            }
            if (pass == 1)
                putchar('\n');
        }
    }
}

/* ------------------------------------------------------------------ */
/* Command line                                                       */
/* ------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs(
        "usage: licscan [options] FILE|DIR...\n"
        "       licscan [--templates DIR]... [--rules FILE]... [--no-default] "
        "--list\n"
        "               [--json]\n"
        "Identify the licenses in files: which license, which version, where,\n"
        "how close to the canonical text, and the restrictions they impose.\n"
        "Options may also follow the paths; \"--\" ends the options.\n"
        "\n"
        "Output:\n"
        "  --format FORMAT   text (default), json (JSON Lines, one object per\n"
        "                    file) or spdx (one \"FILE: EXPRESSION\" line per "
        "file)\n"
        "  --json            the same as --format json\n"
        "  --diff            show each match's differences from its template\n"
        "  --flags           show the restriction flags with their evidence,\n"
        "                    the openness category and the freedoms broken\n"
        "  --color[=WHEN]    colour the text output: auto (default: only on a\n"
        "                    terminal, and not when NO_COLOR is set), always\n"
        "                    or never\n"
        "  --list            list the templates of the database and exit\n"
        "\n"
        "Templates and rules:\n"
        "  --templates DIR   also load DIR/*.template.txt and the clause "
        "rules\n"
        "                    in DIR (repeatable)\n"
        "  --rules FILE      also load the clause rules in FILE (repeatable)\n"
        "  --no-default      do not load the embedded templates and rules\n"
        "\n"
        "Scanning:\n"
        "  -j, --jobs N      scan with N threads (default: one per online "
        "CPU);\n"
        "                    the output is the same for any N\n"
        "  --max-bytes N     skip files larger than N bytes (default 64 MiB);\n"
        "                    N may end in K, M or G (KiB, MiB, GiB)\n"
        "\n"
        "  -h, --help        this help\n"
        "  --version         print the version\n"
        "\n"
        "Directories are walked in name order; symbolic links inside them are\n"
        "not followed. FIFOs, sockets, devices, symbolic link loops and\n"
        "unreadable or binary files are reported on stderr (and as a JSON "
        "line\n"
        "with \"error\") and skipped.\n"
        "\n"
        "Exit status: 0 every file was scanned; 1 some file could not be read\n"
        "or scanned, or the output could not be written; 2 bad usage, or a\n"
        "template directory or rules file that failed to load.\n",
        f);
}

static void usage_error(const char *fmt, const char *arg)
{
    fputs("licscan: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'licscan --help' for more information.\n", stderr);
}

/* A decimal number up to max, with *end pointing after its digits. */
static int parse_digits(const char *text, uint64_t max, uint64_t *out,
                        char **end)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, end, 10);
    if (errno || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_count(const char *text, uint64_t max, uint64_t *out)
{
    char *end;
    return parse_digits(text, max, out, &end) || *end ? -1 : 0;
}

/* A number of bytes, optionally with a K, M or G suffix (powers of 1024). */
static int parse_size(const char *text, uint64_t max, uint64_t *out)
{
    char *end;
    uint64_t v;
    if (parse_digits(text, max, &v, &end))
        return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift)
        end++;
    if (*end || v > (max >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

/* Matches "--name" (value in the next argument) and "--name=value". On a
 * match, *value is the value or NULL when it is missing. */
static int option_with_value(int argc, char **argv, int *i, const char *name,
                             const char **value)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0)
        return 0;
    if (a[n] == '=') {
        *value = a + n + 1;
        return 1;
    }
    if (a[n] != '\0')
        return 0;
    *value = *i + 1 < argc ? argv[++*i] : NULL;
    return 1;
}

static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > MAX_JOBS ? MAX_JOBS : (unsigned)n;
}

static int want_color(enum color_when when, int fd)
{
    if (when != COLOR_AUTO)
        return when == COLOR_ALWAYS;
    const char *no_color = getenv("NO_COLOR"); /* https://no-color.org */
    if (no_color && *no_color)
        return 0;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return 0;
    return isatty(fd);
}

/* Parses the options into s; returns the index of the first path, or
 * -1 after printing a usage error, or -2 when --help or --version was
 * handled. Options may follow paths (as with GNU tools): argv is reordered
 * so that the paths, in their order, come last; "--" ends the options. */
static int parse_options(int argc, char **argv, settings *s, char **paths)
{
    enum color_when color = COLOR_AUTO;
    int npaths = 0, nopts = 1;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        int opt_start = i;
        if (!strcmp(a, "--")) {
            argv[nopts++] = argv[i]; /* kept, so that argc still holds */
            for (i++; i < argc; i++)
                paths[npaths++] = argv[i];
            break;
        } else if (a[0] != '-' || !a[1]) {
            paths[npaths++] = argv[i];
            continue;
        } else if (!strcmp(a, "--json")) {
            s->format = FORMAT_JSON;
        } else if (option_with_value(argc, argv, &i, "--format", &v)) {
            if (v && !strcmp(v, "text"))
                s->format = FORMAT_TEXT;
            else if (v && !strcmp(v, "json"))
                s->format = FORMAT_JSON;
            else if (v && !strcmp(v, "spdx"))
                s->format = FORMAT_SPDX;
            else {
                usage_error("--format wants text, json or spdx, not '%s'",
                            v ? v : "");
                return -1;
            }
        } else if (!strcmp(a, "--diff")) {
            s->diff = 1;
        } else if (!strcmp(a, "--flags")) {
            s->flags = 1;
        } else if (!strcmp(a, "--list")) {
            s->list = 1;
        } else if (!strcmp(a, "--color") || !strcmp(a, "--colour")) {
            color = COLOR_ALWAYS;
        } else if (!strncmp(a, "--color=", 8) || !strncmp(a, "--colour=", 9)) {
            v = strchr(a, '=') + 1;
            if (!strcmp(v, "auto"))
                color = COLOR_AUTO;
            else if (!strcmp(v, "always"))
                color = COLOR_ALWAYS;
            else if (!strcmp(v, "never"))
                color = COLOR_NEVER;
            else {
                usage_error("--color wants auto, always or never, not '%s'", v);
                return -1;
            }
        } else if (option_with_value(argc, argv, &i, "--templates", &v) ||
                   option_with_value(argc, argv, &i, "--rules", &v)) {
            int is_rules = strncmp(a, "--rules", 7) == 0;
            if (!v || !*v) {
                usage_error("%s wants a path",
                            is_rules ? "--rules" : "--templates");
                return -1;
            }
            s->sources[s->nsources].path = v;
            s->sources[s->nsources].is_rules = is_rules;
            s->nsources++;
        } else if (!strcmp(a, "--no-default")) {
            s->no_default = 1;
        } else if (option_with_value(argc, argv, &i, "--max-bytes", &v)) {
            uint64_t n;
            if (parse_size(v, UINT64_MAX, &n) || n == 0) {
                usage_error("--max-bytes wants a number of bytes above 0 "
                            "(K, M or G may follow), not '%s'",
                            v ? v : "");
                return -1;
            }
            s->scan.max_input_bytes = n;
        } else if (option_with_value(argc, argv, &i, "--jobs", &v) ||
                   !strncmp(a, "-j", 2)) {
            if (a[1] == 'j') /* -j N or -jN */
                v = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : NULL;
            uint64_t n;
            if (parse_count(v, MAX_JOBS, &n) || n == 0) {
                usage_error(
                    "--jobs wants a number of threads from 1 to " MAX_JOBS_TEXT
                    ", not '%s'",
                    v ? v : "");
                return -1;
            }
            s->jobs = (unsigned)n;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return -2;
        } else if (!strcmp(a, "--version")) {
            printf("licscan %s\n", licscan_version_string());
            return -2;
        } else {
            fprintf(stderr, "licscan: unknown option %s\n", a);
            usage(stderr);
            return -1;
        }
        for (int k = opt_start; k <= i; k++)
            argv[nopts++] = argv[k]; /* nopts <= k: nothing unread lost */
    }
    for (int k = 0; k < npaths; k++)
        argv[nopts + k] = paths[k];
    i = nopts;
    /* Machine-readable formats are never coloured. */
    s->out_colors = s->format == FORMAT_TEXT && want_color(color, STDOUT_FILENO)
                        ? &ansi
                        : &plain;
    s->err_colors = want_color(color, STDERR_FILENO) ? &ansi : &plain;
    return i;
}

static int parse_args(int argc, char **argv, settings *s)
{
    char **paths = malloc((size_t)argc * sizeof(char *));
    if (!paths) {
        fprintf(stderr, "licscan: out of memory\n");
        return -1;
    }
    int first_path = parse_options(argc, argv, s, paths);
    free(paths);
    return first_path;
}

/* The database error, with its file:line:col when the message lacks it. */
static void print_db_error(const licscan_db *db)
{
    const char *msg = licscan_db_errmsg(db);
    const char *file = NULL;
    uint32_t line = 0, col = 0;
    licscan_db_error_location(db, &file, &line, &col);
    fputs("licscan: ", stderr);
    if (file && strncmp(msg, file, strlen(file)) != 0) {
        if (line)
            fprintf(stderr, "%s:%u:%u: ", file, (unsigned)line, (unsigned)col);
        else
            fprintf(stderr, "%s: ", file);
    }
    fprintf(stderr, "%s\n", *msg ? msg : "cannot load templates or rules");
}

static int load_rules_file(licscan_db *db, const char *path)
{
    unsigned char *text;
    size_t len;
    char msg[256];
    int status;
    if (read_file(path, MAX_RULES_BYTES, &text, &len, msg, sizeof(msg),
                  &status)) {
        fprintf(stderr, "licscan: %s: cannot read the rules: %s\n", path, msg);
        return -1;
    }
    int rc = licscan_db_add_rules(db, (const char *)text, len, path);
    free(text);
    if (rc != LICSCAN_OK) {
        print_db_error(db);
        return -1;
    }
    return 0;
}

static licscan_db *open_database(const settings *s)
{
    licscan_db *db = NULL;
    int rc = s->no_default ? licscan_db_open_empty(NULL, &db)
                           : licscan_db_open_default(NULL, &db);
    if (rc) {
        fprintf(stderr, "licscan: cannot open the template database: %s\n",
                licscan_strerror(rc));
        return NULL;
    }
    for (int i = 0; i < s->nsources; i++) {
        const source *src = &s->sources[i];
        if (src->is_rules) {
            rc = load_rules_file(db, src->path) ? LICSCAN_ERULE : LICSCAN_OK;
        } else {
            rc = licscan_db_load_dir(db, src->path);
            if (rc)
                print_db_error(db);
        }
        if (rc) {
            licscan_db_free(db);
            return NULL;
        }
    }
    return db;
}

static int finish_output(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "licscan: cannot write the output: %s\n",
                strerror(errno));
        return status ? status : EXIT_FAILED_FILE;
    }
    return status;
}

/* A scan of file after file allocates and frees buffers of the same large
 * sizes. By default glibc hands such memory back to the kernel (munmap,
 * trimming, and per-thread arenas madvise) and the next file faults it in
 * again: a fifth of the time of a run over many files. Keep it instead. */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

int main(int argc, char **argv)
{
    keep_freed_memory();
    settings s;
    memset(&s, 0, sizeof(s));
    licscan_scan_options_init(&s.scan, sizeof(s.scan));
    s.jobs = default_jobs();
    s.sources = calloc((size_t)argc, sizeof(*s.sources));
    if (!s.sources) {
        fprintf(stderr, "licscan: out of memory\n");
        return EXIT_FAILED_FILE;
    }
    int first_path = parse_args(argc, argv, &s);
    if (first_path < 0) {
        free(s.sources);
        return first_path == -2 ? finish_output(0) : EXIT_USAGE;
    }
    if (s.list && first_path < argc) {
        free(s.sources);
        usage_error("--list takes no FILE or DIR, but got '%s'",
                    argv[first_path]);
        return EXIT_USAGE;
    }
    if (!s.list && first_path >= argc) {
        free(s.sources);
        usage(stderr);
        return EXIT_USAGE;
    }

    licscan_db *db = open_database(&s);
    free(s.sources);
    s.sources = NULL;
    if (!db)
        return EXIT_USAGE;

    if (s.list) {
        if (s.format == FORMAT_JSON)
            list_json(db);
        else
            list_table(&s, db);
        licscan_db_free(db);
        return finish_output(0);
    }

    progress pg = { .enabled = isatty(STDERR_FILENO),
                    .started = now_seconds() };
    file_list files = { 0 };
    walker w = { .files = &files, .progress = &pg };
    for (int i = first_path; i < argc && !w.out_of_memory; i++)
        walk_path(&w, argv[i], 0, NULL);
    int status = 0;
    if (w.out_of_memory) {
        progress_clear(&pg);
        fprintf(stderr, "licscan: out of memory while listing the files\n");
        status = EXIT_FAILED_FILE;
    } else if (scan_all(&s, db, &files, &pg) > 0) {
        status = EXIT_FAILED_FILE;
    }
    for (size_t i = 0; i < files.count; i++) {
        free(files.items[i].path);
        free(files.items[i].walk_error);
    }
    free(files.items);
    licscan_db_free(db);
    return finish_output(status);
}
