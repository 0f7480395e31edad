/*
 * licscan -- command-line front end: identify the licenses in files and the
 * restrictions they impose.
 *
 * The library walks (licscan_scan_paths): it lists every file first, in a
 * stable order (arguments as given, directory entries by name), and its
 * pool of threads scans them with one shared, read-only database. Each
 * report is rendered into memory on the thread that scanned the file; the
 * main thread prints the reports in walk order, so the output is the same
 * for any number of threads.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* jansson's json_string() would clash with this file's JSON string writer
 * of the same name: its declaration is kept out of the way, and jstr()
 * below builds a string value instead. */
#define json_string jansson_json_string_unused
#include <jansson.h>
#undef json_string

#include <utf8proc.h>

#include "cli.h"
#include "licscan.h"

#define EXIT_FAILED_FILE 1 /* some file could not be scanned */
#define EXIT_USAGE 2       /* bad command line, templates or rules */

#define MAX_JOBS 256
#define MAX_JOBS_TEXT "256"
#define MAX_DEPTH 64 /* directory nesting walked */
#define MAX_RULES_BYTES (16u << 20)
#define PROGRESS_FILES 100      /* more files than this: show progress */
#define PROGRESS_DELAY 1.0      /* or once a scan has run this long (s) */
#define PROGRESS_INTERVAL 0.1   /* redraw at most this often (s) */
#define EVIDENCE_SHOWN 5        /* --flags: evidence clauses per flag */
#define EVIDENCE_BYTES 120      /* --flags: quoted text per clause */
#define DIFF_BYTES 160          /* --diff: quoted text per difference */

enum format {
    FORMAT_TEXT,
    FORMAT_JSON,
    FORMAT_SPDX,
    FORMAT_CYCLONEDX, /* CycloneDX 1.6 JSON */
    FORMAT_SPDX_JSON  /* SPDX 2.3 JSON */
};
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
    int quiet;  /* no progress line, no per-file messages on stderr */
    int follow; /* -L: follow every symbolic link */
    unsigned jobs;
    const palette *out_colors; /* for stdout */
    const palette *err_colors; /* for stderr */
    char timestamp[32];        /* SBOM: creation time, ISO 8601 UTC */
    int reproducible;          /* SBOM: SOURCE_DATE_EPOCH is set */
    source *sources;
    int nsources;
    const char *db_file; /* --db: open this compiled database */
    int compile;         /* --compile: the paths are template directories */
    const char *output;  /* -o: where --compile writes */
} settings;

/* What to print for one file of the walk (licscan_walk_file.report):
 * rendered on the thread that scanned it, printed in walk order. */
typedef struct file_entry {
    const char *path; /* the walk's */
    int walked;       /* met while walking a directory, not named */
    char *out, *err;  /* text for stdout and stderr */
    size_t out_len, err_len;
    int failed;        /* counts toward exit status 1 */
    int out_of_memory; /* the report itself could not be kept */
    json_t *sbom;      /* SBOM formats: this file's part of the document */
} file_entry;

typedef struct progress {
    int enabled; /* stderr is a terminal */
    int visible; /* a progress line is on the screen now */
    double started, last_drawn;
} progress;

/* ------------------------------------------------------------------ */
/* Small helpers                                                      */
/* ------------------------------------------------------------------ */

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

/* licscan_read_file with the CLI's flags: `stream` also reads a FIFO, a
 * pipe or a terminal ("-" is standard input), check_binary refuses a
 * binary file unread past its first block. On failure returns -1 with a
 * message in err and a LICSCAN_E* status in *status; data is freed with
 * free(). */
int cli_read_input(const char *path, int stream, int check_binary,
                   uint64_t limit, unsigned char **data, size_t *len, char *err,
                   size_t errlen, int *status)
{
    void *bytes;
    uint32_t flags = (stream ? LICSCAN_READ_STREAM : 0) |
                     (check_binary ? LICSCAN_READ_CHECK_BINARY : 0);
    *status = licscan_read_file(path, flags, limit, &bytes, len, err, errlen,
                                NULL);
    *data = bytes;
    return *status ? -1 : 0;
}

static int read_file(const char *path, uint64_t limit, unsigned char **data,
                     size_t *len, char *err, size_t errlen, int *status)
{
    return cli_read_input(path, 0, 0, limit, data, len, err, errlen, status);
}

/* ------------------------------------------------------------------ */
/* Rendering one file's report                                        */
/* ------------------------------------------------------------------ */

static void sbom_failure(const settings *s, file_entry *e, const char *msg,
                         int status);

/* The message about a file for stderr, kept with its report (printed in
 * walk order). Most files have none: no stream is opened for it. */
static void note_error(const settings *s, file_entry *e, const char *msg)
{
    const palette *c = s->err_colors;
    const char *fmt = "licscan: %s: %s%s%s\n";
    int n = snprintf(NULL, 0, fmt, e->path, c->red, msg, c->reset);
    char *grown = n < 0 ? NULL : realloc(e->err, e->err_len + (size_t)n + 1);
    if (!grown) {
        e->out_of_memory = 1;
        return;
    }
    e->err = grown;
    snprintf(e->err + e->err_len, (size_t)n + 1, fmt, e->path, c->red, msg,
             c->reset);
    e->err_len += (size_t)n;
}

static void report_failure(const settings *s, file_entry *e, FILE *out,
                           const char *msg, int status)
{
    e->failed = 1;
    if (!s->quiet)
        note_error(s, e, msg);
    if (s->format == FORMAT_TEXT || s->format == FORMAT_SPDX) {
        /* Every file has its line on stdout, a failed one too. */
        const palette *o = s->out_colors;
        if (s->format == FORMAT_TEXT)
            fprintf(out, "%s%s%s: %sERROR%s %s\n", o->bold, e->path, o->reset,
                    o->red, o->reset, msg);
        else
            fprintf(out, "%s: ERROR %s\n", e->path, msg);
    } else if (s->format == FORMAT_CYCLONEDX || s->format == FORMAT_SPDX_JSON) {
        sbom_failure(s, e, msg, status);
    } else if (s->format == FORMAT_JSON) {
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

/* " (L:C-L:C)" for the span [s, e): where its first and its last character
 * are (licscan_position); " (L:C)" for an empty span. */
static void put_position(FILE *out, uint64_t s, uint64_t e,
                         const licscan_position *p)
{
    if (e <= s)
        fprintf(out, " (%u:%u)", (unsigned)p->line, (unsigned)p->col);
    else
        fprintf(out, " (%u:%u-%u:%u)", (unsigned)p->line, (unsigned)p->col,
                (unsigned)p->end_line, (unsigned)p->end_col);
}

/* The byte order of a UTF-16 file (1 little-endian, 2 big-endian), or 0. */
static int utf16_order(uint32_t encoding)
{
    return encoding == LICSCAN_ENCODING_UTF16LE   ? 1
           : encoding == LICSCAN_ENCODING_UTF16BE ? 2
                                                  : 0;
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
        licscan_position p;
        if (licscan_match_diff_position(m, d, &p) == LICSCAN_OK)
            put_position(out, s, e, &p);
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
        fprintf(out, "            differences %s flag %s%s%s @%llu-%llu",
                added ? "add" : "remove", c->bold, licscan_flag_name(flag),
                c->reset, (unsigned long long)s, (unsigned long long)e);
        licscan_position p;
        if (licscan_match_flag_change_position(m, i, &p) == LICSCAN_OK)
            put_position(out, s, e, &p);
        fputc('\n', out);
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

/* A threshold's details: what it counts, per what period, and what
 * crossing it does; then the scope a flag is limited to. */
static void print_flag_details(FILE *out, const licscan_restriction *x)
{
    static const char *const measures[] = { "",
                                            "monthly active users",
                                            "daily active users",
                                            "users",
                                            "visits",
                                            "revenue" };
    static const char *const periods[] = { "", "per day", "per month",
                                           "per year" };
    licscan_threshold t;
    if (licscan_restriction_threshold(x, &t, sizeof t) == LICSCAN_OK) {
        fputs("            measured in ", out);
        fputs(t.measure && t.measure < 6 ? measures[t.measure] : "(unknown)",
              out);
        if (t.period && t.period < 4)
            fprintf(out, " %s", periods[t.period]);
        if (*t.period_text) {
            fputs(" (\"", out);
            put_clipped(out, t.period_text, EVIDENCE_BYTES);
            fputs("\")", out);
        }
        switch (t.consequence) {
        case LICSCAN_CONSEQUENCE_LICENSE_REQUIRED:
            fputs("; above it: another license from the licensor", out);
            break;
        case LICSCAN_CONSEQUENCE_FEE:
            fputs("; above it: a fee or royalty", out);
            break;
        case LICSCAN_CONSEQUENCE_DUTY:
            fprintf(out, "; above it: a duty (%s)", t.consequence_flags);
            break;
        default: fputs("; what crossing it does is not read", out);
        }
        fputc('\n', out);
    }
    const char *scope = licscan_restriction_scope(x);
    if (*scope) {
        fputs("            only for \"", out);
        put_clipped(out, scope, EVIDENCE_BYTES);
        fputs("\"\n", out);
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
        print_flag_details(out, x);
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
            fprintf(out, "bytes %llu-%llu", (unsigned long long)s,
                    (unsigned long long)e);
            licscan_position p;
            if (licscan_restriction_evidence_position(x, k, &p) == LICSCAN_OK)
                put_position(out, s, e, &p);
            fprintf(out, " %s\"", c->dim);
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
        licscan_position p;
        if (licscan_match_position(m, &p) == LICSCAN_OK)
            put_position(out, licscan_match_start(m), licscan_match_end(m),
                         &p);
        if (*licscan_license_name(l))
            fprintf(out, "  (%s)", licscan_license_name(l));
        fputc('\n', out);
        double rc;
        const licscan_license *ru = licscan_match_runner_up(m, &rc);
        if (ru)
            fprintf(out, "            %srunner-up %s %.1f%% (similarity %.1f%%)%s\n",
                    c->dim, licscan_license_id(ru), 100 * rc,
                    100 * licscan_match_runner_up_similarity(m), c->reset);
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

/* ------------------------------------------------------------------ */
/* SBOM output: CycloneDX 1.6 and SPDX 2.3, in JSON (jansson)         */
/* ------------------------------------------------------------------ */

/* SHA-1 and SHA-256 of a whole buffer (FIPS 180-4): SPDX wants a SHA-1
 * of every file, and a content-derived serial number needs a hash. */
static uint32_t rol32(uint32_t x, int n) { return x << n | x >> (32 - n); }

static uint32_t ror32(uint32_t x, int n) { return x >> n | x << (32 - n); }

static uint32_t load_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}

static void sha1_block(uint32_t *h, const unsigned char *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = load_be32(p + 4 * i);
    for (int i = 16; i < 80; i++)
        w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDC;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6;
        }
        uint32_t t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
};

static void sha256_block(uint32_t *h, const unsigned char *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = load_be32(p + 4 * i);
    for (int i = 16; i < 64; i++) {
        uint32_t s0 =
            ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ w[i - 15] >> 3;
        uint32_t s1 =
            ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ w[i - 2] >> 10;
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t v[8];
    memcpy(v, h, sizeof(v));
    for (int i = 0; i < 64; i++) {
        uint32_t s1 = ror32(v[4], 6) ^ ror32(v[4], 11) ^ ror32(v[4], 25);
        uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        uint32_t t1 = v[7] + s1 + ch + sha256_k[i] + w[i];
        uint32_t s0 = ror32(v[0], 2) ^ ror32(v[0], 13) ^ ror32(v[0], 22);
        uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        memmove(v + 1, v, 7 * sizeof(v[0]));
        v[4] += t1;
        v[0] = t1 + s0 + maj;
    }
    for (int i = 0; i < 8; i++)
        h[i] += v[i];
}

/* The Merkle-Damgard padding both share; the digest as lowercase hex. */
static void digest_hex(void (*block)(uint32_t *, const unsigned char *),
                       uint32_t *h, int words, const unsigned char *d, size_t n,
                       char *hex)
{
    size_t i = 0;
    for (; n - i >= 64; i += 64)
        block(h, d + i);
    unsigned char tail[128] = { 0 };
    size_t rest = n - i;
    if (rest)
        memcpy(tail, d + i, rest);
    tail[rest] = 0x80;
    size_t tail_len = rest + 9 <= 64 ? 64 : 128;
    uint64_t bits = (uint64_t)n * 8;
    for (int k = 0; k < 8; k++)
        tail[tail_len - 1 - k] = (unsigned char)(bits >> (8 * k));
    block(h, tail);
    if (tail_len == 128)
        block(h, tail + 64);
    for (int k = 0; k < words; k++)
        snprintf(hex + 8 * k, 9, "%08" PRIx32, h[k]);
}

static void sha1_hex(const unsigned char *d, size_t n, char hex[41])
{
    uint32_t h[5] = { 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476,
                      0xC3D2E1F0 };
    digest_hex(sha1_block, h, 5, d, n, hex);
}

static void sha256_hex(const unsigned char *d, size_t n, char hex[65])
{
    uint32_t h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
    digest_hex(sha256_block, h, 8, d, n, hex);
}

/* "urn:uuid:..." from 16 bytes, as RFC 4122 version `version`. */
static void format_uuid(unsigned char b[16], int version, char out[46])
{
    b[6] = (unsigned char)((b[6] & 0x0F) | version << 4);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    int o = snprintf(out, 46, "urn:uuid:");
    for (int i = 0; i < 16; i++)
        o += snprintf(out + o, (size_t)(46 - o), "%s%02x",
                      i == 4 || i == 6 || i == 8 || i == 10 ? "-" : "", b[i]);
}

/* A UUID from the document's content (with SOURCE_DATE_EPOCH: the same
 * scan gives the same document), else a random one. */
static void document_uuid(const settings *s, json_t *content, char out[46])
{
    unsigned char b[16] = { 0 };
    if (s->reproducible) {
        char *text = json_dumps(content, JSON_COMPACT | JSON_ENCODE_ANY);
        char hex[41] = "";
        if (text)
            sha1_hex((const unsigned char *)text, strlen(text), hex);
        free(text);
        for (int i = 0; i < 16 && hex[2 * i]; i++) {
            unsigned v;
            sscanf(hex + 2 * i, "%2x", &v);
            b[i] = (unsigned char)v;
        }
        format_uuid(b, 5, out);
        return;
    }
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, b, sizeof(b)) : -1;
    if (fd >= 0)
        close(fd);
    if (got != (ssize_t)sizeof(b)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^
                     (uint64_t)getpid() << 32;
        for (int i = 0; i < 16;
             i++, x = x * 6364136223846793005u + 1442695040888963407u)
            b[i] ^= (unsigned char)(x >> 56);
    }
    format_uuid(b, 4, out);
}

/* UTF-8 is read and written with utf8proc, as the library does. */
static void append_utf8(char *o, size_t *n, uint32_t cp)
{
    *n += (size_t)utf8proc_encode_char((utf8proc_int32_t)cp,
                                       (utf8proc_uint8_t *)o + *n);
}

/* Length of the valid UTF-8 sequence at s (avail bytes there), 0 if
 * invalid (overlong forms, surrogates, past U+10FFFF). */
static size_t utf8_valid_len(const unsigned char *s, size_t avail)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)avail, &cp);
    return k > 0 ? (size_t)k : 0;
}

/* Bytes as a JSON string: UTF-16 decoded, else UTF-8 with each invalid
 * byte read as Latin-1 (as the library reads it) or, for a file name,
 * replaced by U+FFFD (as the JSON Lines show it). */
static json_t *json_text(const unsigned char *d, size_t n, int utf16,
                         int replace_invalid)
{
    char *o = malloc(n * 3 + 4);
    size_t k = 0;
    if (!o)
        return NULL;
    if (utf16) {
        for (size_t i = 0; i + 1 < n; i += 2) {
            uint32_t u = utf16 == 2 ? (uint32_t)(d[i] << 8 | d[i + 1])
                                    : (uint32_t)(d[i + 1] << 8 | d[i]);
            if (u >= 0xD800 && u <= 0xDBFF && i + 3 < n) {
                uint32_t lo = utf16 == 2 ? (uint32_t)(d[i + 2] << 8 | d[i + 3])
                                         : (uint32_t)(d[i + 3] << 8 | d[i + 2]);
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    i += 2;
                }
            }
            if ((u >= 0xD800 && u <= 0xDFFF) || u == 0)
                u = 0xFFFD;
            append_utf8(o, &k, u);
        }
    } else {
        for (size_t i = 0; i < n;) {
            size_t len = d[i] ? utf8_valid_len(d + i, n - i) : 0;
            if (len) {
                memcpy(o + k, d + i, len);
                k += len;
                i += len;
            } else {
                append_utf8(o, &k, replace_invalid || !d[i] ? 0xFFFD : d[i]);
                i++;
            }
        }
    }
    json_t *j = json_stringn(o, k);
    free(o);
    return j;
}

static json_t *json_path(const char *path)
{
    return json_text((const unsigned char *)path, strlen(path), 0, 1);
}

/* The JSON text of a value, for a property or an annotation. */
static char *json_compact(const json_t *v)
{
    return json_dumps(v,
                      JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(6));
}

static json_t *jstr(const char *text)
{
    return json_stringn(text, strlen(text));
}

static void add_property(json_t *props, const char *name, const char *value)
{
    json_t *p = json_object();
    json_object_set_new(p, "name", jstr(name));
    json_object_set_new(p, "value", jstr(value ? value : ""));
    json_array_append_new(props, p);
}

static void add_property_json(json_t *props, const char *name, const json_t *v)
{
    char *text = json_compact(v);
    add_property(props, name, text);
    free(text);
}

static json_t *tool_annotation(const settings *s, const char *comment)
{
    char annotator[64];
    snprintf(annotator, sizeof(annotator), "Tool: licscan-%s",
             licscan_version_string());
    json_t *a = json_object();
    json_object_set_new(a, "annotationDate", jstr(s->timestamp));
    json_object_set_new(a, "annotationType", jstr("OTHER"));
    json_object_set_new(a, "annotator", jstr(annotator));
    json_object_set_new(a, "comment", jstr(comment));
    return a;
}

/* A span with its lines: {"start", "end", "line", "col", "end_line",
 * "end_col"}, the last two for the span's last character
 * (licscan_position). */
static void set_span(json_t *o, uint64_t start, uint64_t end,
                     const licscan_position *p)
{
    json_object_set_new(o, "start", json_integer((json_int_t)start));
    json_object_set_new(o, "end", json_integer((json_int_t)end));
    json_object_set_new(o, "line", json_integer((json_int_t)p->line));
    json_object_set_new(o, "col", json_integer((json_int_t)p->col));
    json_object_set_new(o, "end_line", json_integer((json_int_t)p->end_line));
    json_object_set_new(o, "end_col", json_integer((json_int_t)p->end_col));
}

/* Each flag of the library's "restrictions": its value, and its evidence
 * with the span and its lines as the library's JSON gives them. */
static json_t *restrictions_with_lines(json_t *restrictions)
{
    static const char *const keys[] = { "start", "end",  "line", "col",
                                        "end_line", "end_col", "label",
                                        "rule", "text" };
    json_t *out = json_object();
    const char *flag;
    json_t *x;
    json_object_foreach(restrictions, flag, x)
    {
        json_t *evidence = json_array(), *ev;
        size_t i;
        json_array_foreach(json_object_get(x, "evidence"), i, ev)
        {
            json_t *e = json_object();
            for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
                if (json_object_get(ev, keys[k]))
                    json_object_set(e, keys[k], json_object_get(ev, keys[k]));
            json_array_append_new(evidence, e);
        }
        json_t *f = json_object();
        json_object_set(f, "value", json_object_get(x, "value"));
        json_object_set_new(f, "evidence", evidence);
        json_object_set_new(out, flag, f);
    }
    return out;
}

static int is_license_ref(const char *spdx)
{
    return !strncmp(spdx, "LicenseRef-", 11);
}

static int kind_is_concluded(uint32_t kind)
{
    return kind == LICSCAN_KIND_EXACT || kind == LICSCAN_KIND_NEAR;
}

/* What one match says, for licenseComments and the match property. */
static json_t *match_object(const licscan_match *m)
{
    const licscan_license *l = licscan_match_license(m);
    json_t *o = json_object();
    json_object_set_new(o, "id", jstr(licscan_license_id(l)));
    json_object_set_new(o, "spdx", jstr(licscan_license_spdx(l)));
    json_object_set_new(o, "kind",
                        jstr(licscan_kind_name(licscan_match_kind(m))));
    json_object_set_new(o, "coverage", json_real(licscan_match_coverage(m)));
    licscan_position p = { 0, 0, 0, 0 };
    licscan_match_position(m, &p);
    set_span(o, licscan_match_start(m), licscan_match_end(m), &p);
    return o;
}

/* A CycloneDX license object: the SPDX id, or the LicenseRef- id as its
 * name with the text the file holds. */
static json_t *cdx_license(const licscan_match *m, const unsigned char *data,
                           int utf16, int concluded)
{
    const licscan_license *l = licscan_match_license(m);
    const char *spdx = licscan_license_spdx(l);
    json_t *lic = json_object();
    if (!is_license_ref(spdx)) {
        json_object_set_new(lic, "id", jstr(spdx));
    } else {
        json_object_set_new(lic, "name", jstr(spdx));
    }
    if (concluded)
        json_object_set_new(lic, "acknowledgement", jstr("concluded"));
    if (concluded && is_license_ref(spdx)) {
        json_t *text = json_object();
        json_object_set_new(text, "contentType", jstr("text/plain"));
        json_object_set_new(
            text, "content",
            json_text(data + licscan_match_start(m),
                      (size_t)(licscan_match_end(m) - licscan_match_start(m)),
                      utf16, 0));
        json_object_set_new(lic, "text", text);
    }
    if (concluded && *licscan_license_url(l))
        json_object_set_new(lic, "url", jstr(licscan_license_url(l)));
    if (concluded && *licscan_license_name(l)) {
        json_t *props = json_array();
        add_property(props, "licscan:license_name", licscan_license_name(l));
        json_object_set_new(lic, "properties", props);
    }
    json_t *choice = json_object();
    json_object_set_new(choice, "license", lic);
    return choice;
}

/* Whether a license id is already in a licenseChoice array. */
static int choice_has(json_t *choices, const char *spdx)
{
    size_t i;
    json_t *c;
    json_array_foreach(choices, i, c)
    {
        json_t *lic = json_object_get(c, "license");
        const char *id = json_string_value(json_object_get(lic, "id"));
        const char *name = json_string_value(json_object_get(lic, "name"));
        if ((id && !strcmp(id, spdx)) || (name && !strcmp(name, spdx)))
            return 1;
    }
    return 0;
}

static void add_hashes(json_t *o, const unsigned char *data, size_t len,
                       int cyclonedx)
{
    char sha1[41], sha256[65];
    sha1_hex(data, len, sha1);
    sha256_hex(data, len, sha256);
    json_t *a = json_array();
    const char *names[2][2] = { { "SHA1", "SHA256" }, { "SHA-1", "SHA-256" } };
    const char *values[2] = { sha1, sha256 };
    for (int i = 0; i < 2; i++) {
        json_t *h = json_object();
        json_object_set_new(h, cyclonedx ? "alg" : "algorithm",
                            jstr(names[cyclonedx][i]));
        json_object_set_new(h, cyclonedx ? "content" : "checksumValue",
                            jstr(values[i]));
        json_array_append_new(a, h);
    }
    json_object_set_new(o, cyclonedx ? "hashes" : "checksums", a);
}

/* One CycloneDX component of type "file". */
static json_t *cdx_component(const licscan_result *r, json_t *line,
                             const unsigned char *data, size_t len,
                             int utf16)
{
    json_t *c = json_object();
    json_object_set_new(c, "type", jstr("file"));
    json_object_set(c, "name", json_object_get(line, "file"));
    add_hashes(c, data, len, 1);
    json_t *concluded = json_array(), *observed = json_array();
    json_t *occurrences = json_array(), *props = json_array();
    uint32_t n = licscan_result_match_count(r);
    for (uint32_t i = 0; i < n; i++) {
        const licscan_match *m = licscan_result_match(r, i);
        const char *spdx = licscan_license_spdx(licscan_match_license(m));
        uint32_t kind = licscan_match_kind(m);
        if (kind_is_concluded(kind) && !choice_has(concluded, spdx))
            json_array_append_new(concluded, cdx_license(m, data, utf16, 1));
        if (!choice_has(observed, spdx))
            json_array_append_new(observed, cdx_license(m, data, utf16, 0));
        json_t *occ = json_object(), *mo = match_object(m);
        json_object_set(occ, "location", json_object_get(line, "file"));
        if (json_object_get(mo, "line"))
            json_object_set(occ, "line", json_object_get(mo, "line"));
        json_object_set_new(occ, "offset",
                            json_integer((json_int_t)licscan_match_start(m)));
        json_object_set_new(occ, "symbol", jstr(spdx));
        char context[128];
        snprintf(context, sizeof(context), "%s match, coverage %.1f%%",
                 licscan_kind_name(kind), 100 * licscan_match_coverage(m));
        json_object_set_new(occ, "additionalContext", jstr(context));
        json_array_append_new(occurrences, occ);
        add_property_json(props, "licscan:match", mo);
        json_decref(mo);
    }
    if (json_array_size(concluded))
        json_object_set(c, "licenses", concluded);
    if (n) {
        json_t *evidence = json_object();
        json_object_set(evidence, "licenses", observed);
        json_object_set(evidence, "occurrences", occurrences);
        json_object_set_new(c, "evidence", evidence);
    }
    json_decref(concluded);
    json_decref(observed);
    json_decref(occurrences);

    const char *spdx = licscan_result_spdx(r);
    add_property(props, "licscan:spdx",
                 *spdx ? spdx
                 : n   ? "NOASSERTION"
                       : "NONE");
    add_property(props, "licscan:encoding",
                 json_string_value(json_object_get(line, "encoding")));
    json_t *input = json_object_get(line, "input"), *v;
    size_t i;
    json_array_foreach(input, i, v)
        add_property(props, "licscan:input", json_string_value(v));
    json_array_foreach(json_object_get(line, "warnings"), i, v)
        add_property_json(props, "licscan:warning", v);
    json_t *openness = json_object_get(line, "openness");
    add_property(props, "licscan:openness",
                 json_string_value(json_object_get(openness, "category")));
    const char *freedom;
    json_object_foreach(openness, freedom, v)
    {
        if (!json_is_object(v))
            continue;
        char name[64];
        snprintf(name, sizeof(name), "licscan:openness:%s", freedom);
        add_property_json(props, name, v);
    }
    json_t *flags =
        restrictions_with_lines(json_object_get(line, "restrictions"));
    const char *flag;
    json_object_foreach(flags, flag, v)
    {
        char name[96];
        snprintf(name, sizeof(name), "licscan:restriction:%s", flag);
        add_property_json(props, name, json_object_get(v, "value"));
        snprintf(name, sizeof(name), "licscan:restriction:%s:evidence", flag);
        json_t *ev;
        size_t k;
        json_array_foreach(json_object_get(v, "evidence"), k, ev)
            add_property_json(props, name, ev);
    }
    json_decref(flags);
    json_object_set_new(c, "properties", props);
    return c;
}

/* Rank of a match kind for the text of an extracted license: an exact
 * match's text is the best copy of it. */
static int kind_rank(uint32_t kind)
{
    return kind == LICSCAN_KIND_EXACT     ? 0
           : kind == LICSCAN_KIND_NEAR    ? 1
           : kind == LICSCAN_KIND_PARTIAL ? 2
                                          : 3;
}

/* One SPDX file, and {"rank", "info"} for each LicenseRef- it holds. */
static json_t *spdx_file(const settings *s, const licscan_result *r,
                         json_t *line, const unsigned char *data, size_t len,
                         int utf16, json_t *extracted)
{
    json_t *f = json_object();
    json_object_set(f, "fileName", json_object_get(line, "file"));
    add_hashes(f, data, len, 0);
    uint32_t n = licscan_result_match_count(r);
    const char *spdx = licscan_result_spdx(r);
    json_object_set_new(f, "licenseConcluded",
                        jstr(*spdx ? spdx : "NOASSERTION"));
    json_t *infos = json_array();
    char *comments = NULL;
    size_t comments_len = 0;
    FILE *cf = open_memstream(&comments, &comments_len);
    for (uint32_t i = 0; i < n; i++) {
        const licscan_match *m = licscan_result_match(r, i);
        const licscan_license *l = licscan_match_license(m);
        const char *id = licscan_license_spdx(l);
        uint32_t kind = licscan_match_kind(m);
        int seen = 0;
        size_t k;
        json_t *v;
        json_array_foreach(infos, k, v) seen |=
            !strcmp(json_string_value(v), id);
        if (!seen)
            json_array_append_new(infos, jstr(id));
        if (cf) {
            fprintf(cf, "%s%s %s", i ? "; " : "", id, licscan_kind_name(kind));
            if (kind != LICSCAN_KIND_REFERENCE)
                fprintf(cf, " %.1f%%", 100 * licscan_match_coverage(m));
            fprintf(cf, " bytes %llu-%llu",
                    (unsigned long long)licscan_match_start(m),
                    (unsigned long long)licscan_match_end(m));
            licscan_position p;
            if (licscan_match_position(m, &p) == LICSCAN_OK)
                put_position(cf, licscan_match_start(m), licscan_match_end(m),
                             &p);
        }
        if (!is_license_ref(id))
            continue;
        json_t *info = json_object();
        json_object_set_new(info, "licenseId", jstr(id));
        json_object_set_new(
            info, "extractedText",
            json_text(data + licscan_match_start(m),
                      (size_t)(licscan_match_end(m) - licscan_match_start(m)),
                      utf16, 0));
        if (*licscan_license_name(l))
            json_object_set_new(info, "name", jstr(licscan_license_name(l)));
        if (*licscan_license_url(l)) {
            json_t *see = json_array();
            json_array_append_new(see, jstr(licscan_license_url(l)));
            json_object_set_new(info, "seeAlsos", see);
        }
        json_t *entry = json_object();
        json_object_set_new(entry, "rank", json_integer(kind_rank(kind)));
        json_object_set_new(entry, "info", info);
        json_array_append_new(extracted, entry);
    }
    if (!json_array_size(infos))
        json_array_append_new(infos, jstr("NONE"));
    json_object_set_new(f, "licenseInfoInFiles", infos);
    json_object_set_new(f, "copyrightText", jstr("NOASSERTION"));
    if (cf && fclose(cf) == 0 && comments_len) {
        char *text = malloc(comments_len + 64);
        if (text) {
            snprintf(text, comments_len + 64, "licscan %s found: %s",
                     licscan_version_string(), comments);
            json_object_set_new(f, "licenseComments", jstr(text));
            free(text);
        }
    }
    free(comments);
    /* SPDX 2.3 has no properties: what licscan says beyond licenses goes
     * in annotations by the tool, one per flag, as "NAME JSON". */
    json_t *notes = json_array(), *v;
    const char *flag;
    json_t *flags =
        restrictions_with_lines(json_object_get(line, "restrictions"));
    json_object_foreach(flags, flag, v)
    {
        char *text = json_compact(v);
        size_t need = strlen(flag) + (text ? strlen(text) : 0) + 32;
        char *comment = malloc(need);
        if (comment) {
            snprintf(comment, need, "licscan:restriction:%s %s", flag,
                     text ? text : "null");
            json_array_append_new(notes, tool_annotation(s, comment));
        }
        free(comment);
        free(text);
    }
    json_decref(flags);
    char *openness = json_compact(json_object_get(line, "openness"));
    if (openness) {
        size_t need = strlen(openness) + 32;
        char *comment = malloc(need);
        if (comment) {
            snprintf(comment, need, "licscan:openness %s", openness);
            json_array_append_new(notes, tool_annotation(s, comment));
        }
        free(comment);
        free(openness);
    }
    json_object_set_new(f, "annotations", notes);
    return f;
}

/* The worker's part: the component or file of a scanned file. */
static void sbom_item(const settings *s, file_entry *e, licscan_result *r,
                      const unsigned char *data, size_t len)
{
    const char *json;
    size_t json_len;
    json_t *line = NULL;
    if (licscan_result_json(r, e->path, 0, &json, &json_len) == LICSCAN_OK)
        line = json_loadb(json, json_len, 0, NULL);
    if (!line) {
        e->failed = 1;
        sbom_failure(s, e, "out of memory rendering JSON", LICSCAN_ENOMEM);
        return;
    }
    int utf16 = utf16_order(licscan_result_encoding(r));
    e->sbom = json_object();
    if (s->format == FORMAT_CYCLONEDX) {
        json_object_set_new(e->sbom, "item",
                            cdx_component(r, line, data, len, utf16));
    } else {
        json_t *extracted = json_array();
        json_object_set_new(e->sbom, "item",
                            spdx_file(s, r, line, data, len, utf16, extracted));
        json_object_set_new(e->sbom, "extracted", extracted);
    }
    json_decref(line);
}

/* A file that could not be scanned: a component with the error in its
 * properties (CycloneDX), an annotation of the document (SPDX, whose
 * files must carry a SHA-1 of contents that were not read). */
static void sbom_failure(const settings *s, file_entry *e, const char *msg,
                         int status)
{
    json_decref(e->sbom);
    e->sbom = json_object();
    if (s->format == FORMAT_CYCLONEDX) {
        json_t *c = json_object(), *props = json_array();
        json_object_set_new(c, "type", jstr("file"));
        json_object_set_new(c, "name", json_path(e->path));
        add_property(props, "licscan:error", msg);
        add_property(props, "licscan:status", licscan_strerror(status));
        json_object_set_new(c, "properties", props);
        json_object_set_new(e->sbom, "item", c);
    } else {
        json_t *o = json_object();
        json_object_set_new(o, "file", json_path(e->path));
        json_object_set_new(o, "error", jstr(msg));
        json_object_set_new(o, "status", jstr(licscan_strerror(status)));
        char *text = json_compact(o);
        json_decref(o);
        size_t need = (text ? strlen(text) : 0) + 32;
        char *comment = malloc(need);
        if (comment) {
            snprintf(comment, need, "licscan:error %s", text ? text : "{}");
            json_object_set_new(e->sbom, "error", tool_annotation(s, comment));
        }
        free(comment);
        free(text);
    }
}

/* The document the printer fills in walk order (main thread only). */
typedef struct sbom_doc {
    json_t *items;         /* components, or files */
    json_t *relationships; /* SPDX: the document DESCRIBES each file */
    json_t *annotations;   /* SPDX: files that could not be scanned */
    json_t *extracted;     /* SPDX: licenseId -> {"rank", "info"} */
    json_t *extracted_ids; /* in the order first met */
    size_t count;
} sbom_doc;

static sbom_doc sbom;

static void sbom_add(const settings *s, file_entry *e)
{
    if (!sbom.items) {
        sbom.items = json_array();
        sbom.relationships = json_array();
        sbom.annotations = json_array();
        sbom.extracted = json_object();
        sbom.extracted_ids = json_array();
    }
    json_t *item = json_object_get(e->sbom, "item");
    sbom.count++;
    if (item) {
        char id[64];
        json_t *o = json_object();
        if (s->format == FORMAT_CYCLONEDX) {
            json_object_set(o, "type", json_object_get(item, "type"));
            snprintf(id, sizeof(id), "licscan-file-%zu", sbom.count);
            json_object_set_new(o, "bom-ref", jstr(id));
        } else {
            snprintf(id, sizeof(id), "SPDXRef-File-%zu", sbom.count);
            json_object_set_new(o, "SPDXID", jstr(id));
            json_t *rel = json_object();
            json_object_set_new(rel, "spdxElementId", jstr("SPDXRef-DOCUMENT"));
            json_object_set_new(rel, "relationshipType", jstr("DESCRIBES"));
            json_object_set_new(rel, "relatedSpdxElement", jstr(id));
            json_array_append_new(sbom.relationships, rel);
        }
        json_object_update(o, item);
        json_array_append_new(sbom.items, o);
    }
    json_t *error = json_object_get(e->sbom, "error");
    if (error)
        json_array_append(sbom.annotations, error);
    json_t *x;
    size_t i;
    json_array_foreach(json_object_get(e->sbom, "extracted"), i, x)
    {
        json_t *info = json_object_get(x, "info");
        const char *id = json_string_value(json_object_get(info, "licenseId"));
        json_t *had = json_object_get(sbom.extracted, id);
        if (!had)
            json_array_append_new(sbom.extracted_ids, jstr(id));
        if (!had || json_integer_value(json_object_get(x, "rank")) <
                        json_integer_value(json_object_get(had, "rank")))
            json_object_set(sbom.extracted, id, x);
    }
    json_decref(e->sbom);
    e->sbom = NULL;
}

/* Prints the whole document; returns -1 when it could not be built. */
static int sbom_print(const settings *s)
{
    if (!sbom.items)
        sbom.items = json_array();
    char tool[64];
    snprintf(tool, sizeof(tool), "Tool: licscan-%s", licscan_version_string());
    json_t *doc = json_object();
    char uuid[46];
    if (s->format == FORMAT_CYCLONEDX) {
        document_uuid(s, sbom.items, uuid);
        json_object_set_new(doc, "bomFormat", jstr("CycloneDX"));
        json_object_set_new(doc, "specVersion", jstr("1.6"));
        json_object_set_new(doc, "serialNumber", jstr(uuid));
        json_object_set_new(doc, "version", json_integer(1));
        json_t *meta = json_object(), *tools = json_object();
        json_t *components = json_array(), *me = json_object();
        json_object_set_new(me, "type", jstr("application"));
        json_object_set_new(me, "name", jstr("licscan"));
        json_object_set_new(me, "version", jstr(licscan_version_string()));
        json_array_append_new(components, me);
        json_object_set_new(tools, "components", components);
        json_object_set_new(meta, "timestamp", jstr(s->timestamp));
        json_object_set_new(meta, "tools", tools);
        json_object_set_new(doc, "metadata", meta);
        json_object_set(doc, "components", sbom.items);
    } else {
        json_t *extracted = json_array(), *id;
        size_t i;
        json_array_foreach(sbom.extracted_ids, i, id)
        {
            json_t *x = json_object_get(sbom.extracted, json_string_value(id));
            json_array_append(extracted, json_object_get(x, "info"));
        }
        json_t *content =
            json_pack("[OOO]", sbom.items, extracted, sbom.annotations);
        document_uuid(s, content, uuid);
        json_decref(content);
        json_object_set_new(doc, "spdxVersion", jstr("SPDX-2.3"));
        json_object_set_new(doc, "dataLicense", jstr("CC0-1.0"));
        json_object_set_new(doc, "SPDXID", jstr("SPDXRef-DOCUMENT"));
        json_object_set_new(doc, "name", jstr("licscan"));
        json_object_set_new(doc, "documentNamespace", jstr(uuid));
        json_t *info = json_object(), *creators = json_array();
        json_array_append_new(creators, jstr(tool));
        json_object_set_new(info, "created", jstr(s->timestamp));
        json_object_set_new(info, "creators", creators);
        json_object_set_new(doc, "creationInfo", info);
        json_object_set(doc, "files", sbom.items);
        if (json_array_size(extracted))
            json_object_set(doc, "hasExtractedLicensingInfos", extracted);
        json_object_set(doc, "relationships", sbom.relationships);
        if (json_array_size(sbom.annotations))
            json_object_set(doc, "annotations", sbom.annotations);
        json_decref(extracted);
    }
    int rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
    fputc('\n', stdout);
    json_decref(doc);
    json_decref(sbom.items);
    json_decref(sbom.relationships);
    json_decref(sbom.annotations);
    json_decref(sbom.extracted);
    json_decref(sbom.extracted_ids);
    memset(&sbom, 0, sizeof(sbom));
    return rc;
}

/* A binary or oversized file met in a walk is skipped (and reported), not
 * a failure: a model directory holds weights next to its license. Named
 * on the command line, it is. */
static int skipped(const file_entry *e, int status)
{
    return e->walked &&
           (status == LICSCAN_EBINARY || status == LICSCAN_ETOOBIG);
}

/* Renders the report of one file the library walked (and scanned). */
static void render_entry(const settings *s, const licscan_walk_file *f,
                         file_entry *e, FILE *out)
{
    licscan_result *r = f->result;
    int rc = f->status;
    if (!r) {
        /* Not read (the walk's reason, a read error), or no memory. */
        report_failure(s, e, out, f->message, rc);
        e->failed = !skipped(e, rc);
        return;
    }
    const unsigned char *data = f->data ? f->data : (const unsigned char *)"";
    size_t len = f->len;
    if (rc && s->format != FORMAT_JSON) {
        /* The scan failed (binary input past the first block, a limit):
         * reported like a file that could not be read. */
        report_failure(s, e, out, f->message, rc);
    } else if (rc && !s->quiet) {
        note_error(s, e, f->message);
    }
    if (rc)
        e->failed = !skipped(e, rc);
    if (rc && s->format != FORMAT_JSON) {
        /* reported above */
    } else if (s->format == FORMAT_CYCLONEDX || s->format == FORMAT_SPDX_JSON) {
        sbom_item(s, e, r, data, len);
    } else if (s->format == FORMAT_JSON) {
        /* The library renders the line, failed scans included. */
        const char *json;
        size_t json_len;
        if (licscan_result_json(r, e->path, s->diff ? LICSCAN_JSON_DIFFS : 0,
                                &json, &json_len) == LICSCAN_OK) {
            fwrite(json, 1, json_len, out);
            fputc('\n', out);
        } else {
            report_failure(s, e, out, "out of memory rendering JSON",
                           LICSCAN_ENOMEM);
        }
    } else if (s->format == FORMAT_SPDX) {
        print_spdx(out, e->path, r);
    } else {
        print_text(s, out, e->path, r, data);
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
/* Scanning: the library walks and scans on its pool of threads        */
/* ------------------------------------------------------------------ */

typedef struct walk_state {
    const settings *s;
    progress *pg;
    size_t failures;
} walk_state;

/* On the scanning thread: the file's report, kept in memory for
 * print_entry. */
static void render_scanned(licscan_walk_file *f, void *user)
{
    const walk_state *w = user;
    file_entry *e = calloc(1, sizeof(*e));
    if (!e)
        return; /* print_entry says so */
    e->path = f->path;
    e->walked = f->walked;
    f->report = e;
    FILE *out = open_memstream(&e->out, &e->out_len);
    if (!out) {
        e->out_of_memory = e->failed = 1;
        return;
    }
    render_entry(w->s, f, e, out);
    if (fclose(out) != 0 || e->out_of_memory) {
        free(e->out);
        free(e->err);
        e->out = e->err = NULL;
        e->out_of_memory = e->failed = 1;
    }
}

/* In walk order: prints one file's report and frees it. */
static int print_entry(licscan_walk_file *f, void *user)
{
    walk_state *w = user;
    file_entry *e = f->report;
    progress_clear(w->pg);
    if (!e || e->out_of_memory) {
        fprintf(stderr, "licscan: %s: out of memory\n", f->path);
        w->failures++;
    } else {
        if (e->sbom)
            sbom_add(w->s, e);
        if (e->out_len)
            fwrite(e->out, 1, e->out_len, stdout);
        if (e->err_len) {
            /* What the file printed so far comes before its message. */
            fflush(stdout);
            fwrite(e->err, 1, e->err_len, stderr);
        }
        w->failures += (size_t)e->failed;
    }
    if (e) {
        free(e->out);
        free(e->err);
        json_decref(e->sbom);
        free(e);
    }
    f->report = NULL;
    return 0;
}

static void show_progress(uint64_t done, uint64_t total, void *user)
{
    walk_state *w = user;
    progress_draw(w->pg, (size_t)done, (size_t)total);
}

/* Walks and scans the paths, printing the reports in walk order; the exit
 * status. */
static int scan_paths(const settings *s, const licscan_db *db, char **paths,
                      int npaths)
{
    progress pg = { .enabled = !s->quiet && isatty(STDERR_FILENO),
                    .started = now_seconds() };
    walk_state w = { .s = s, .pg = &pg };
    licscan_walk_options o;
    licscan_walk_options_init(&o, sizeof(o));
    o.flags = LICSCAN_WALK_STDIN | (s->follow ? LICSCAN_WALK_FOLLOW : 0);
    o.jobs = s->jobs;
    o.max_depth = MAX_DEPTH;
    o.scan = &s->scan;
    o.on_scanned = render_scanned;
    o.progress = pg.enabled ? show_progress : NULL;
    int rc = licscan_scan_paths(db, (const char *const *)paths,
                                (size_t)npaths, &o, print_entry, &w);
    progress_clear(&pg);
    if (rc == LICSCAN_ENOMEM) {
        fprintf(stderr, "licscan: out of memory while listing the files\n");
        return EXIT_FAILED_FILE;
    }
    if (rc) {
        fprintf(stderr, "licscan: %s\n", licscan_strerror(rc));
        return EXIT_FAILED_FILE;
    }
    int status = w.failures ? EXIT_FAILED_FILE : 0;
    if ((s->format == FORMAT_CYCLONEDX || s->format == FORMAT_SPDX_JSON) &&
        sbom_print(s) != 0) {
        fprintf(stderr, "licscan: out of memory building the document\n");
        status = EXIT_FAILED_FILE;
    }
    return status;
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
        printf(",\"osi_approved\":%s,\"deprecated\":%s}\n",
               licscan_license_osi_approved(l) ? "true" : "false",
               licscan_license_deprecated(l) ? "true" : "false");
    }
}

#define LIST_COLUMNS 6
#define LIST_NAME_MAX 40 /* longer names are clipped in the table */

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
        "       licscan [--rules FILE]... [--no-default] --compile DIR... -o "
        "FILE\n"
        "Identify the licenses in files: which license, which version, where,\n"
        "how close to the canonical text, and the restrictions they impose.\n"
        "Options may also follow the paths; \"--\" ends the options.\n"
        "\n"
        "Output:\n"
        "  --format FORMAT   text (default), json (JSON Lines, one object per\n"
        "                    file), spdx (one \"FILE: EXPRESSION\" line per "
        "file),\n"
        "                    cyclonedx (a CycloneDX 1.6 JSON SBOM) or "
        "spdx-json\n"
        "                    (an SPDX 2.3 JSON document); SOURCE_DATE_EPOCH "
        "makes\n"
        "                    the SBOM formats reproducible\n"
        "  --json            the same as --format json\n"
        "  --diff            show each match's differences from its template\n"
        "  --flags           show the restriction flags with their evidence,\n"
        "                    the openness category and the freedoms broken\n"
        "  --color[=WHEN]    colour the text output: auto (default: only on a\n"
        "                    terminal, and not when NO_COLOR is set), always\n"
        "                    or never\n"
        "  --list            list the templates of the database and exit\n"
        "  -q, --quiet       no progress line and no per-file errors on "
        "stderr\n"
        "                    (the output and the exit status still tell)\n"
        "\n"
        "Templates and rules:\n"
        "  --templates DIR   also load DIR/*.template.txt and the clause "
        "rules\n"
        "                    in DIR (repeatable)\n"
        "  --rules FILE      also load the clause rules in FILE (repeatable)\n"
        "  --no-default      do not load the embedded templates and rules\n"
        "  --db FILE         open the compiled database FILE (from --compile)\n"
        "                    instead of the embedded set; --templates and\n"
        "                    --rules still add to it\n"
        "  --compile DIR...  load the embedded set (unless --no-default), "
        "the\n"
        "                    --templates, --rules and DIRs, and write them "
        "with\n"
        "                    their index to the file -o FILE, which --db "
        "opens\n"
        "                    in milliseconds\n"
        "  -o, --output FILE where --compile writes\n"
        "\n"
        "Scanning:\n"
        "  -j, --jobs N      scan with N threads (default: one per online "
        "CPU);\n"
        "                    the output is the same for any N\n"
        "  --max-bytes N     skip files larger than N bytes (default 64 MiB);\n"
        "                    N may end in K, M or G (KiB, MiB, GiB)\n"
        "  -L, --follow      follow every symbolic link in the walked trees\n"
        "\n"
        "  -h, --help        this help\n"
        "  --version         print the version\n"
        "\n"
        "FILE \"-\" is standard input; a FIFO or pipe named on the command "
        "line\n"
        "is read. Directories are walked in name order; inside them, without\n"
        "-L, only symbolic links to files within the tree are followed.\n"
        "FIFOs, sockets and devices met in a walk, symbolic link loops and\n"
        "unreadable or binary files are reported on stderr and as an error\n"
        "line in every output format, and skipped.\n"
        "\n"
        "Exit status: 0 every file was scanned, or skipped as binary or too\n"
        "large in a walked directory; 1 some other file could not be read or\n"
        "scanned, or the output could not be written; 2 bad usage, or a\n"
        "template directory or rules file that failed to load.\n"
        "\n"
        "licscan check [options] PATH... judges models against facts about\n"
        "you: see 'licscan check --help'.\n",
        f);
}

void cli_usage_error(const char *command, const char *fmt, const char *arg)
{
    fprintf(stderr, "%s: ", command);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", command);
}

static void usage_error(const char *fmt, const char *arg)
{
    cli_usage_error("licscan", fmt, arg);
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
int cli_option_value(int argc, char **argv, int *i, const char *name,
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
        } else if (cli_option_value(argc, argv, &i, "--format", &v)) {
            if (v && !strcmp(v, "text"))
                s->format = FORMAT_TEXT;
            else if (v && !strcmp(v, "json"))
                s->format = FORMAT_JSON;
            else if (v && !strcmp(v, "spdx"))
                s->format = FORMAT_SPDX;
            else if (v && !strcmp(v, "cyclonedx"))
                s->format = FORMAT_CYCLONEDX;
            else if (v && !strcmp(v, "spdx-json"))
                s->format = FORMAT_SPDX_JSON;
            else {
                usage_error("--format wants text, json, spdx, cyclonedx or "
                            "spdx-json, not '%s'",
                            v ? v : "");
                return -1;
            }
        } else if (!strcmp(a, "--diff")) {
            s->diff = 1;
        } else if (!strcmp(a, "--flags")) {
            s->flags = 1;
        } else if (!strcmp(a, "--list")) {
            s->list = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            s->quiet = 1;
        } else if (!strcmp(a, "-L") || !strcmp(a, "--follow")) {
            s->follow = 1;
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
        } else if (cli_option_value(argc, argv, &i, "--templates", &v) ||
                   cli_option_value(argc, argv, &i, "--rules", &v)) {
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
        } else if (!strcmp(a, "--compile")) {
            s->compile = 1;
        } else if (cli_option_value(argc, argv, &i, "--db", &v) ||
                   cli_option_value(argc, argv, &i, "--output", &v) ||
                   cli_option_value(argc, argv, &i, "-o", &v)) {
            int is_db = !strncmp(a, "--db", 4);
            if (!v || !*v) {
                usage_error("%s wants a file", is_db ? "--db" : "-o/--output");
                return -1;
            }
            if (is_db)
                s->db_file = v;
            else
                s->output = v;
        } else if (cli_option_value(argc, argv, &i, "--max-bytes", &v)) {
            uint64_t n;
            if (parse_size(v, UINT64_MAX, &n) || n == 0) {
                usage_error("--max-bytes wants a number of bytes above 0 "
                            "(K, M or G may follow), not '%s'",
                            v ? v : "");
                return -1;
            }
            s->scan.max_input_bytes = n;
        } else if (cli_option_value(argc, argv, &i, "--jobs", &v) ||
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
            usage_error("unknown option '%s'", a);
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
    int rc;
    if (s->db_file) {
        rc = licscan_db_open_file(s->db_file, NULL, &db);
        if (rc) {
            char msg[600];
            licscan_db_file_error(s->db_file, NULL, msg, sizeof msg);
            fprintf(stderr, "licscan: cannot open the database: %s\n",
                    *msg ? msg : licscan_strerror(rc));
            return NULL;
        }
    } else {
        rc = s->no_default ? licscan_db_open_empty(NULL, &db)
                           : licscan_db_open_default(NULL, &db);
    }
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

static int finish_output(int status);

/* --compile DIR... -o FILE: the database the options make, with the
 * directories added, written to FILE. */
static int compile_database(settings *s, int ndirs, char **dirs)
{
    if (!s->compile || !s->output) {
        usage_error("%s", s->compile ? "--compile wants -o FILE"
                                     : "-o/--output goes with --compile");
        return EXIT_USAGE;
    }
    if (s->list) {
        usage_error("%s", "--compile takes no --list");
        return EXIT_USAGE;
    }
    /* the directories load after the --templates and --rules options */
    for (int i = 0; i < ndirs; i++) {
        s->sources[s->nsources].path = dirs[i];
        s->sources[s->nsources].is_rules = 0;
        s->nsources++;
    }
    licscan_db *db = open_database(s);
    if (!db)
        return EXIT_USAGE;
    int rc = licscan_db_save(db, s->output);
    if (rc) {
        print_db_error(db);
        licscan_db_free(db);
        return EXIT_FAILED_FILE;
    }
    if (!s->quiet) {
        struct stat st;
        long long size = stat(s->output, &st) == 0 ? (long long)st.st_size : -1;
        fprintf(stderr,
                "licscan: wrote %s: %u templates, %u rules, %lld bytes\n",
                s->output, licscan_db_license_count(db),
                licscan_db_rule_count(db), size);
    }
    licscan_db_free(db);
    return finish_output(0);
}

/* The SBOM's creation time: SOURCE_DATE_EPOCH when set (reproducible
 * documents, https://reproducible-builds.org/specs/source-date-epoch/),
 * else now. */
static int set_timestamp(settings *s)
{
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    time_t t = time(NULL);
    if (epoch && *epoch) {
        uint64_t v;
        if (parse_count(epoch, (uint64_t)253402300799u, &v)) {
            fprintf(stderr,
                    "licscan: SOURCE_DATE_EPOCH wants a number of "
                    "seconds since 1970, not '%s'\n",
                    epoch);
            return -1;
        }
        t = (time_t)v;
        s->reproducible = 1;
    }
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(s->timestamp, sizeof(s->timestamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 0;
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
    if (argc > 1 && !strcmp(argv[1], "check"))
        return check_main(argc - 1, argv + 1);
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
    if (s.db_file && (s.no_default || s.compile)) {
        free(s.sources);
        usage_error("--db takes no %s",
                    s.compile ? "--compile" : "--no-default");
        return EXIT_USAGE;
    }
    if (s.compile || s.output) {
        int rc = compile_database(&s, argc - first_path, argv + first_path);
        free(s.sources);
        return rc;
    }
    if (s.list && first_path < argc) {
        free(s.sources);
        usage_error("--list takes no FILE or DIR, but got '%s'",
                    argv[first_path]);
        return EXIT_USAGE;
    }
    if (!s.list && first_path >= argc) {
        free(s.sources);
        usage_error("no FILE or DIR given (\"-\" reads standard input)%s", "");
        return EXIT_USAGE;
    }

    if ((s.format == FORMAT_CYCLONEDX || s.format == FORMAT_SPDX_JSON) &&
        set_timestamp(&s)) {
        free(s.sources);
        return EXIT_USAGE;
    }
    json_object_seed(0); /* before any thread builds JSON */

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

    int status = scan_paths(&s, db, argv + first_path, argc - first_path);
    licscan_db_free(db);
    return finish_output(status);
}
