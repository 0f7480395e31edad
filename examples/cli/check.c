/*
 * licscan check -- one verdict per model, for a build to gate on.
 *
 * Each directory named is one model (a Hugging Face cache repository,
 * models--ORG--NAME, or a snapshot in one, is named ORG/NAME; a cache
 * directory holding such repositories is one model per repository); a
 * file named is a model of one file. The files whose names say they hold
 * terms (LICENSE*, COPYING*, LICENSE-MODEL, LICENSE-CODE, *USE_POLICY*,
 * NOTICE*, README.md) are scanned; the card's YAML front matter is read
 * with libyaml (license, license_name, license_link, base_model, and the
 * license text a gated repository shows in extra_gated_prompt). A base
 * model found in the same cache lends its files; otherwise the library
 * knows the base by its id (licenses/models.tsv). The library judges the
 * model against the facts (licscan_model_evaluate); this file finds the
 * files, reads the facts and prints.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <yaml.h>

#include "cli.h"
#include "licscan.h"

#define EXIT_READ 1
#define EXIT_USAGE 2
#define EXIT_FAILS 3   /* needs-license, forbidden, or a conflict */
#define EXIT_UNKNOWN 4 /* --strict and a verdict is unknown */

#define MAX_WALK_DEPTH 6
#define MAX_LIST 4096 /* bytes of a --region / --use / --allow list */
#define MAX_FACTS_BYTES (1u << 20)
#define MAX_JOBS 256
#define EVIDENCE_BYTES 120

/* ------------------------------------------------------------------ */
/* Settings and the facts                                             */
/* ------------------------------------------------------------------ */

typedef struct strlist {
    char text[MAX_LIST]; /* comma-separated */
    size_t len;
} strlist;

typedef struct check_settings {
    licscan_facts facts;
    strlist regions, allow, deny;
    int json, strict, quiet;
    unsigned jobs;
    uint64_t max_bytes;
} check_settings;

static void check_usage(FILE *f)
{
    fputs(
        "usage: licscan check [options] PATH...\n"
        "Judge each model against facts about you: one verdict per model.\n"
        "A directory is a model (a Hugging Face cache repository or\n"
        "snapshot is named ORG/NAME; a cache directory holds one model per\n"
        "repository); a file is a model of one file.\n"
        "\n"
        "Facts:\n"
        "  --mau N           monthly active users (K, M or B may follow)\n"
        "  --revenue AMOUNT[/month|/year][CUR]\n"
        "                    revenue per period (default a year) in a\n"
        "                    currency (ISO 4217, default USD), e.g.\n"
        "                    2000000/yearUSD or 80K/month EUR\n"
        "  --region CODE     where you operate or are established (ISO\n"
        "                    3166-1 alpha-2; EU members count as EU);\n"
        "                    repeatable\n"
        "  --use USE         commercial, hosted-service, distribute-weights,\n"
        "                    modify, train-other-models, research or "
        "military;\n"
        "                    repeatable\n"
        "  --modality M      text or multimodal\n"
        "  --facts FILE      the facts as JSON (the options add to it)\n"
        "Policy:\n"
        "  --allow ID|FLAG   licenses allowed (any other fails), or flags\n"
        "                    accepted; repeatable\n"
        "  --deny ID|FLAG    licenses or flags that fail; repeatable\n"
        "  --strict          an unknown verdict fails (exit status 4)\n"
        "Output:\n"
        "  --json            one JSON object per model (schema check-1)\n"
        "  -q, --quiet       no messages on stderr\n"
        "  -j, --jobs N      their files scanned on N threads\n"
        "  --max-bytes N     skip files larger than N bytes (K, M, G)\n"
        "\n"
        "Exit status: 0 every model is allowed (perhaps with duties); 3 one\n"
        "needs another license, is forbidden, or its sources conflict; 4 one\n"
        "is unknown and --strict is given; 1 a path or file could not be\n"
        "read (before 3 and 4); 2 bad usage or facts.\n",
        f);
}

static void check_usage_error(const char *fmt, const char *arg)
{
    cli_usage_error("licscan check", fmt, arg);
}

static int list_add(strlist *l, const char *item)
{
    size_t n = strlen(item);
    if (l->len + n + 2 > sizeof(l->text))
        return -1;
    if (l->len)
        l->text[l->len++] = ',';
    memcpy(l->text + l->len, item, n + 1);
    l->len += n;
    return 0;
}

/* A count with an optional K, M, B (G) suffix; commas and underscores
 * between digits are ignored ("700,000,000", "700M", "1.5M"). */
static int parse_amount(const char *text, int64_t *out, const char **end)
{
    const char *p = text;
    double whole = 0, frac = 0, scale = 1;
    int digits = 0, point = 0;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            if (point) {
                scale /= 10;
                frac += (*p - '0') * scale;
            } else {
                whole = whole * 10 + (*p - '0');
            }
            digits++;
        } else if ((*p == ',' || *p == '_') && digits && p[1] >= '0' &&
                   p[1] <= '9' && !point) {
            continue;
        } else if (*p == '.' && digits && !point) {
            point = 1;
        } else {
            break;
        }
    }
    if (!digits)
        return -1;
    double v = whole + frac;
    if (*p == 'K' || *p == 'k')
        v *= 1e3, p++;
    else if ((*p == 'M' || *p == 'm') && strncasecmp(p, "mo", 2) != 0)
        v *= 1e6, p++;
    else if (*p == 'B' || *p == 'b' || *p == 'G' || *p == 'g')
        v *= 1e9, p++;
    if (v > 9e18)
        return -1;
    *out = (int64_t)(v + 0.5);
    *end = p;
    return 0;
}

static int parse_count_text(const char *text, int64_t *out)
{
    const char *end;
    return text && !parse_amount(text, out, &end) && !*end ? 0 : -1;
}

static int set_currency(licscan_facts *f, const char *cur)
{
    if (strlen(cur) != 3)
        return -1;
    for (int i = 0; i < 3; i++) {
        char c = cur[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32);
        if (c < 'A' || c > 'Z')
            return -1;
        f->revenue_currency[i] = c;
    }
    f->revenue_currency[3] = 0;
    return 0;
}

static int period_of(const char *p, size_t n)
{
    static const struct {
        const char *name;
        int period;
    } names[] = {
        { "year", LICSCAN_PERIOD_YEAR },   { "yr", LICSCAN_PERIOD_YEAR },
        { "y", LICSCAN_PERIOD_YEAR },      { "annual", LICSCAN_PERIOD_YEAR },
        { "month", LICSCAN_PERIOD_MONTH }, { "mo", LICSCAN_PERIOD_MONTH },
        { "day", LICSCAN_PERIOD_DAY },     { "d", LICSCAN_PERIOD_DAY }
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strlen(names[i].name) == n && !strncasecmp(p, names[i].name, n))
            return names[i].period;
    return -1;
}

/* AMOUNT[/month|/year][CUR] */
static int parse_revenue(const char *text, licscan_facts *f)
{
    const char *p;
    int64_t amount;
    if (!text || parse_amount(text, &amount, &p))
        return -1;
    f->revenue = amount;
    f->revenue_period = LICSCAN_PERIOD_YEAR;
    if (*p == '/') {
        p++;
        size_t n = 0;
        int period = -1;
        /* the longest period name that fits ("monthEUR": month) */
        for (size_t k = 1; p[k - 1] >= 'A' && k <= 6; k++)
            if (period_of(p, k) >= 0) {
                period = period_of(p, k);
                n = k;
            }
        if (period < 0)
            return -1;
        f->revenue_period = (uint32_t)period;
        p += n;
    }
    while (*p == ' ')
        p++;
    if (*p)
        return set_currency(f, p);
    return 0;
}

static int add_use(check_settings *s, const char *list)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, ", ", &save); t;
         t = strtok_r(NULL, ", ", &save)) {
        int bit = licscan_use_lookup(t);
        if (bit < 0)
            return -1;
        s->facts.uses |= (uint32_t)bit;
    }
    return 0;
}

static int region_ok(const char *code)
{
    size_t n = strlen(code);
    if (n != 2)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((code[i] >= 'A' && code[i] <= 'Z') ||
              (code[i] >= 'a' && code[i] <= 'z')))
            return 0;
    return 1;
}

static int add_regions(check_settings *s, const char *list)
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", list);
    char *save = NULL;
    int any = 0;
    for (char *t = strtok_r(buf, ", ", &save); t;
         t = strtok_r(NULL, ", ", &save)) {
        if (!region_ok(t) || list_add(&s->regions, t))
            return -1;
        any = 1;
    }
    return any ? 0 : -1;
}

/* The facts file: a JSON object (README, "What binds me"). On error,
 * prints FILE:LINE:COL: message and returns -1. */
static int read_facts(check_settings *s, const char *path)
{
    unsigned char *data;
    size_t len;
    char msg[256];
    int status;
    if (cli_read_input(path, !strcmp(path, "-"), 1, MAX_FACTS_BYTES, &data,
                       &len, msg, sizeof(msg), &status)) {
        fprintf(stderr, "licscan check: %s: cannot read the facts: %s\n", path,
                msg);
        return -1;
    }
    json_error_t err;
    json_t *root =
        json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &err);
    free(data);
    if (!root) {
        fprintf(stderr, "licscan check: %s:%d:%d: bad JSON: %s\n", path,
                err.line, err.column, err.text);
        return -1;
    }
    const char *bad = NULL, *key;
    char why[160] = "";
    json_t *v;
    if (!json_is_object(root)) {
        bad = "(top)";
        snprintf(why, sizeof(why), "the facts are a JSON object");
    }
    json_object_foreach(json_is_object(root) ? root : NULL, key, v)
    {
        if (bad)
            break;
        if (!strcmp(key, "mau")) {
            if (json_is_null(v))
                continue;
            if (!json_is_integer(v) || json_integer_value(v) < 0)
                bad = key, snprintf(why, sizeof(why),
                                    "wants a number of users (0 or more)");
            else
                s->facts.mau = json_integer_value(v);
        } else if (!strcmp(key, "revenue")) {
            json_t *amount =
                json_is_object(v) ? json_object_get(v, "amount") : v;
            json_t *period =
                json_is_object(v) ? json_object_get(v, "period") : NULL;
            json_t *cur =
                json_is_object(v) ? json_object_get(v, "currency") : NULL;
            int p = period ? (json_is_string(period)
                                  ? period_of(json_string_value(period),
                                              strlen(json_string_value(period)))
                                  : -1)
                           : LICSCAN_PERIOD_YEAR;
            if (json_is_object(v) &&
                json_object_size(v) > (size_t)(1 + !!period + !!cur))
                bad = key, snprintf(why, sizeof(why),
                                    "takes only amount, period and currency");
            else if (!json_is_integer(amount) || json_integer_value(amount) < 0)
                bad = key, snprintf(why, sizeof(why),
                                    "wants an amount (0 or more) or "
                                    "{\"amount\", \"period\", \"currency\"}");
            else if (p < 0)
                bad = key, snprintf(why, sizeof(why),
                                    "period wants \"year\", \"month\" or "
                                    "\"day\"");
            else if (cur && (!json_is_string(cur) ||
                             set_currency(&s->facts, json_string_value(cur))))
                bad = key, snprintf(why, sizeof(why),
                                    "currency wants an ISO 4217 code such as "
                                    "\"USD\"");
            else {
                s->facts.revenue = json_integer_value(amount);
                s->facts.revenue_period = (uint32_t)p;
            }
        } else if (!strcmp(key, "regions") || !strcmp(key, "uses") ||
                   !strcmp(key, "allow") || !strcmp(key, "deny")) {
            size_t i;
            json_t *item;
            if (!json_is_array(v)) {
                bad = key, snprintf(why, sizeof(why), "wants an array");
                break;
            }
            json_array_foreach(v, i, item)
            {
                const char *t = json_string_value(item);
                int rc = !t || !*t       ? -1
                         : key[0] == 'r' ? add_regions(s, t)
                         : key[0] == 'u' ? add_use(s, t)
                         : key[0] == 'a' ? list_add(&s->allow, t)
                                         : list_add(&s->deny, t);
                if (rc) {
                    bad = key;
                    snprintf(why, sizeof(why),
                             key[0] == 'r'   ? "wants ISO 3166-1 alpha-2 "
                                               "codes such as \"DE\", not %s"
                             : key[0] == 'u' ? "wants uses such as "
                                               "\"commercial\", not %s"
                                             : "wants strings, not %s",
                             t ? t : "a non-string");
                    break;
                }
            }
        } else if (!strcmp(key, "modality")) {
            int m = json_is_string(v)
                        ? licscan_modality_lookup(json_string_value(v))
                        : -1;
            if (m < 0)
                bad = key,
                snprintf(why, sizeof(why), "wants \"text\" or \"multimodal\"");
            else
                s->facts.modality = (uint32_t)m;
        } else if (!strcmp(key, "schema") || !strcmp(key, "comment")) {
            continue;
        } else {
            bad = key;
            snprintf(why, sizeof(why),
                     "unknown member (mau, revenue, regions, uses, modality, "
                     "allow, deny)");
        }
    }
    /* the key belongs to the document: kept before it is freed */
    char bad_key[64];
    snprintf(bad_key, sizeof(bad_key), "%s", bad ? bad : "");
    json_decref(root);
    if (bad) {
        fprintf(stderr, "licscan check: %s: \"%s\": %s\n", path, bad_key, why);
        return -1;
    }
    return 0;
}

/* Returns the number of paths (moved to the front of argv + 1), -1 on a
 * usage error, -2 after --help. */
static int check_options(int argc, char **argv, check_settings *s)
{
    int npaths = 0;
    const char **paths = calloc((size_t)argc, sizeof(*paths));
    if (!paths)
        return -1;
    /* the facts file first, whatever its place: the options add to it */
    for (int i = 1; i < argc; i++) {
        const char *v;
        if (!strcmp(argv[i], "--"))
            break;
        if (cli_option_value(argc, argv, &i, "--facts", &v)) {
            if (!v || !*v) {
                check_usage_error("--facts wants a file%s", "");
                free(paths);
                return -1;
            }
            if (read_facts(s, v)) {
                free(paths);
                return -3;
            }
        }
    }
    int rc = 0;
    for (int i = 1; i < argc && !rc; i++) {
        const char *a = argv[i], *v = NULL;
        if (!strcmp(a, "--")) {
            while (++i < argc)
                paths[npaths++] = argv[i];
            break;
        } else if (a[0] != '-' || !a[1]) {
            paths[npaths++] = a;
        } else if (cli_option_value(argc, argv, &i, "--facts", &v)) {
            /* read above */
        } else if (cli_option_value(argc, argv, &i, "--mau", &v)) {
            int64_t n;
            if (parse_count_text(v, &n)) {
                check_usage_error("--mau wants a number of users, not '%s'",
                                  v ? v : "");
                rc = -1;
            } else {
                s->facts.mau = n;
            }
        } else if (cli_option_value(argc, argv, &i, "--revenue", &v)) {
            if (parse_revenue(v, &s->facts)) {
                check_usage_error("--revenue wants AMOUNT[/month|/year][CUR] "
                                  "(e.g. 2000000/yearUSD), not '%s'",
                                  v ? v : "");
                rc = -1;
            }
        } else if (cli_option_value(argc, argv, &i, "--region", &v)) {
            if (!v || add_regions(s, v)) {
                check_usage_error("--region wants ISO 3166-1 alpha-2 codes "
                                  "(DE, US, EU), not '%s'",
                                  v ? v : "");
                rc = -1;
            }
        } else if (cli_option_value(argc, argv, &i, "--use", &v)) {
            if (!v || !*v || add_use(s, v)) {
                check_usage_error("--use wants commercial, hosted-service, "
                                  "distribute-weights, modify, "
                                  "train-other-models, research or military, "
                                  "not '%s'",
                                  v ? v : "");
                rc = -1;
            }
        } else if (cli_option_value(argc, argv, &i, "--modality", &v)) {
            int m = licscan_modality_lookup(v);
            if (m < 0) {
                check_usage_error("--modality wants text or multimodal, not "
                                  "'%s'",
                                  v ? v : "");
                rc = -1;
            } else {
                s->facts.modality = (uint32_t)m;
            }
        } else if (cli_option_value(argc, argv, &i, "--allow", &v) ||
                   cli_option_value(argc, argv, &i, "--deny", &v)) {
            int deny = !strncmp(a, "--deny", 6);
            if (!v || !*v || list_add(deny ? &s->deny : &s->allow, v)) {
                check_usage_error("%s wants a license id or a flag name",
                                  deny ? "--deny" : "--allow");
                rc = -1;
            }
        } else if (!strcmp(a, "--strict")) {
            s->strict = 1;
        } else if (!strcmp(a, "--json")) {
            s->json = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            s->quiet = 1;
        } else if (cli_option_value(argc, argv, &i, "--jobs", &v) ||
                   !strncmp(a, "-j", 2)) {
            if (a[1] == 'j')
                v = a[2] ? a + 2 : i + 1 < argc ? argv[++i] : NULL;
            int64_t n;
            if (parse_count_text(v, &n) || n < 1 || n > MAX_JOBS) {
                check_usage_error("--jobs wants 1 to 256, not '%s'",
                                  v ? v : "");
                rc = -1;
            } else {
                s->jobs = (unsigned)n;
            }
        } else if (cli_option_value(argc, argv, &i, "--max-bytes", &v)) {
            int64_t n;
            const char *end;
            if (!v || parse_amount(v, &n, &end) || *end || n < 1) {
                check_usage_error("--max-bytes wants a number of bytes, not "
                                  "'%s'",
                                  v ? v : "");
                rc = -1;
            } else {
                s->max_bytes = (uint64_t)n;
            }
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            check_usage(stdout);
            rc = -2;
        } else {
            check_usage_error("unknown option '%s'", a);
            rc = -1;
        }
    }
    if (!rc && !npaths) {
        check_usage_error("no model directory or file given%s", "");
        rc = -1;
    }
    for (int k = 0; k < npaths; k++)
        argv[1 + k] = (char *)paths[k];
    free(paths);
    return rc ? rc : npaths;
}

/* ------------------------------------------------------------------ */
/* Finding models                                                     */
/* ------------------------------------------------------------------ */

typedef struct mfile {
    char *path;  /* to open */
    char *shown; /* in reports: relative to the model */
    uint32_t role;
} mfile;

typedef struct model_job {
    char *name, *path;
    char *cache; /* the Hugging Face cache holding it, or NULL */
    mfile *files;
    size_t nfiles, cap;
    char *error; /* the path cannot be read */
    licscan_model *model;     /* while its files are scanned */
    struct card_fields *card; /* its card's front matter, read then */
    int new_rc;               /* licscan_model_new failed */
    /* the verdict, rendered */
    char *out;
    size_t out_len;
    uint32_t verdict, conflicts;
    int read_errors, failed_eval;
} model_job;

typedef struct job_list {
    model_job *items;
    size_t n, cap;
} job_list;

static model_job *new_job(job_list *l, const char *name, const char *path)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        model_job *p = realloc(l->items, cap * sizeof(*p));
        if (!p)
            return NULL;
        l->items = p;
        l->cap = cap;
    }
    model_job *j = &l->items[l->n++];
    memset(j, 0, sizeof(*j));
    j->name = strdup(name);
    j->path = strdup(path);
    if (!j->name || !j->path)
        return NULL;
    return j;
}

static int add_mfile(model_job *j, const char *path, const char *shown,
                     uint32_t role)
{
    if (j->nfiles == j->cap) {
        size_t cap = j->cap ? 2 * j->cap : 8;
        mfile *p = realloc(j->files, cap * sizeof(*p));
        if (!p)
            return -1;
        j->files = p;
        j->cap = cap;
    }
    mfile *f = &j->files[j->nfiles];
    f->path = strdup(path);
    f->shown = strdup(shown);
    f->role = role;
    if (!f->path || !f->shown) {
        free(f->path);
        free(f->shown);
        return -1;
    }
    j->nfiles++;
    return 0;
}

static int name_order(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a directory in name order (without . and ..). */
static char **dir_names(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    *n = 0;
    if (!d)
        return NULL;
    char **names = NULL;
    size_t cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            char **p = realloc(names, cap * sizeof(*p));
            if (!p)
                break;
            names = p;
        }
        if (!(names[*n] = strdup(e->d_name)))
            break;
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(names, *n, sizeof(*names), name_order);
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    char *p = malloc(na + nb + 2);
    if (p) {
        memcpy(p, a, na);
        size_t o = na;
        if (na && a[na - 1] != '/')
            p[o++] = '/';
        memcpy(p + o, b, nb + 1);
    }
    return p;
}

/* Whether a path relative to the model has a .cache directory in it
 * (huggingface_hub's download metadata, not the model's). */
static int in_cache_dir(const char *rel)
{
    for (const char *p = rel; (p = strstr(p, ".cache")); p += 6)
        if ((p == rel || p[-1] == '/') && (!p[6] || p[6] == '/'))
            return 1;
    return 0;
}

typedef struct model_listing {
    model_job *j;
    size_t skip; /* the walked directory's prefix of each path */
    int failed;  /* out of memory */
} model_listing;

static int list_model_file(licscan_walk_file *f, void *user)
{
    model_listing *l = user;
    /* what cannot be read, special files and too deep are left out, as
     * files whose names hold no terms are */
    if (f->status != LICSCAN_OK || strlen(f->path) <= l->skip)
        return 0;
    const char *shown = f->path + l->skip;
    const char *name = strrchr(shown, '/');
    name = name ? name + 1 : shown;
    uint32_t role = licscan_file_role(name);
    if (role == LICSCAN_ROLE_NONE || in_cache_dir(shown))
        return 0;
    if (add_mfile(l->j, f->path, shown, role)) {
        l->failed = 1;
        return 1;
    }
    return 0;
}

/* The files of a model whose names say they hold terms, in name order,
 * listed by the library's walk: links are followed when they lead to a
 * file inside the tree (a cache repository's snapshot links into its
 * blobs/). -1 when out of memory. */
static int walk_model(model_job *j, const char *dir)
{
    licscan_walk_options o;
    licscan_walk_options_init(&o, sizeof(o));
    o.flags = LICSCAN_WALK_LIST_ONLY;
    o.max_depth = MAX_WALK_DEPTH;
    size_t n = strlen(dir);
    model_listing l = { j, n + (n && dir[n - 1] != '/'), 0 };
    int rc = licscan_scan_paths(NULL, &dir, 1, &o, list_model_file, &l);
    return rc == LICSCAN_ENOMEM || l.failed ? -1 : 0;
}

/* "models--ORG--NAME" -> "ORG/NAME"; NULL when it is not one. */
static char *hf_name(const char *dirname)
{
    if (strncmp(dirname, "models--", 8) != 0)
        return NULL;
    const char *rest = dirname + 8;
    const char *sep = strstr(rest, "--");
    char *name = strdup(rest);
    if (name && sep)
        name[sep - rest] = '/',
                   memmove(name + (sep - rest) + 1, name + (sep - rest) + 2,
                           strlen(sep + 2) + 1);
    return name;
}

/* The snapshot a cache repository's refs/main names, else its last one in
 * name order; NULL when it has none. */
static char *hf_snapshot(const char *repo)
{
    char *snaps = join(repo, "snapshots");
    char *ref = join(repo, "refs/main");
    char *snap = NULL;
    FILE *f = ref ? fopen(ref, "r") : NULL;
    if (f) {
        char rev[128];
        if (fgets(rev, sizeof(rev), f)) {
            rev[strcspn(rev, "\r\n")] = 0;
            if (*rev && !strchr(rev, '/')) {
                snap = join(snaps, rev);
                struct stat st;
                if (snap && (stat(snap, &st) != 0 || !S_ISDIR(st.st_mode))) {
                    free(snap);
                    snap = NULL;
                }
            }
        }
        fclose(f);
    }
    if (!snap && snaps) {
        size_t n;
        char **names = dir_names(snaps, &n);
        if (n)
            snap = join(snaps, names[n - 1]);
        free_names(names, n);
    }
    free(snaps);
    free(ref);
    return snap;
}

static char *dirname_of(const char *path)
{
    char *d = strdup(path);
    if (d) {
        char *slash = strrchr(d, '/');
        if (slash && slash != d)
            *slash = 0;
        else if (slash)
            slash[1] = 0;
    }
    return d;
}

/* A cache repository (repo: its real path) as one model. */
static int add_hf_repo(job_list *l, const char *repo, const char *snapshot,
                       const char *shown_path)
{
    const char *base = strrchr(repo, '/');
    char *name = hf_name(base ? base + 1 : repo);
    char *snap = snapshot ? strdup(snapshot) : hf_snapshot(repo);
    model_job *j = name ? new_job(l, name, shown_path) : NULL;
    int rc = j ? 0 : -1;
    if (j) {
        j->cache = dirname_of(repo);
        if (!snap)
            j->error = strdup("a cache repository with no snapshot");
        else
            rc = walk_model(j, snap);
    }
    free(name);
    free(snap);
    return rc;
}

/* One PATH of the command line: its models. */
static int discover(job_list *l, const char *arg)
{
    struct stat st;
    if (stat(arg, &st) != 0) {
        model_job *j = new_job(l, arg, arg);
        if (!j)
            return -1;
        j->error = strdup(strerror(errno));
        return 0;
    }
    if (S_ISREG(st.st_mode)) {
        model_job *j = new_job(l, arg, arg);
        if (!j)
            return -1;
        uint32_t role = licscan_file_role(arg);
        const char *base = strrchr(arg, '/');
        return add_mfile(j, arg, base ? base + 1 : arg,
                         role ? role : LICSCAN_ROLE_LICENSE);
    }
    if (!S_ISDIR(st.st_mode)) {
        model_job *j = new_job(l, arg, arg);
        if (!j)
            return -1;
        j->error = strdup("not a file or directory");
        return 0;
    }
    char *real = realpath(arg, NULL);
    if (!real)
        return -1;
    int rc = 0;
    const char *base = strrchr(real, '/');
    base = base ? base + 1 : real;
    char *snap = strstr(real, "/snapshots/");
    if (!strncmp(base, "models--", 8)) {
        rc = add_hf_repo(l, real, NULL, arg);
    } else if (snap && !strchr(snap + 11, '/')) {
        /* .../models--ORG--NAME/snapshots/REV */
        char *repo = strndup(real, (size_t)(snap - real));
        const char *rb = repo ? strrchr(repo, '/') : NULL;
        if (repo && !strncmp(rb ? rb + 1 : repo, "models--", 8))
            rc = add_hf_repo(l, repo, real, arg);
        else
            snap = NULL;
        free(repo);
    } else {
        snap = NULL;
    }
    if (strncmp(base, "models--", 8) != 0 && !snap) {
        size_t n;
        char **names = dir_names(real, &n);
        int repos = 0;
        for (size_t i = 0; i < n && !rc; i++) {
            if (strncmp(names[i], "models--", 8) != 0)
                continue;
            char *repo = join(real, names[i]);
            char *shown = join(arg, names[i]);
            rc = repo && shown ? add_hf_repo(l, repo, NULL, shown) : -1;
            free(repo);
            free(shown);
            repos++;
        }
        free_names(names, n);
        if (!repos && !rc) {
            /* a plain directory: one model, named as given */
            char *name = strdup(arg);
            size_t len = name ? strlen(name) : 0;
            while (len > 1 && name[len - 1] == '/')
                name[--len] = 0;
            model_job *j = name ? new_job(l, name, arg) : NULL;
            rc = j ? walk_model(j, real) : -1;
            if (!rc) {
                /* report paths as given, not as resolved */
                for (size_t i = 0; i < j->nfiles; i++) {
                    char *p = join(arg, j->files[i].shown);
                    if (p) {
                        free(j->files[i].path);
                        j->files[i].path = p;
                    }
                }
            }
            free(name);
        }
    }
    free(real);
    return rc;
}

/* ------------------------------------------------------------------ */
/* The card's front matter (libyaml)                                  */
/* ------------------------------------------------------------------ */

/* The YAML between a leading "---" line and the next "---" or "..."
 * line; NULL when the card has none. */
static const char *front_matter(const char *text, size_t len, size_t *n)
{
    const char *p = text, *end = text + len;
    if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    if (end - p < 4 || memcmp(p, "---", 3) != 0 ||
        (p[3] != '\n' && p[3] != '\r'))
        return NULL;
    const char *start = memchr(p, '\n', (size_t)(end - p));
    if (!start)
        return NULL;
    start++;
    for (const char *line = start; line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t ln = eol ? (size_t)(eol - line) : (size_t)(end - line);
        while (ln && (line[ln - 1] == '\r' || line[ln - 1] == ' '))
            ln--;
        if (ln == 3 && (!memcmp(line, "---", 3) || !memcmp(line, "...", 3))) {
            *n = (size_t)(line - start);
            return start;
        }
        if (!eol)
            break;
        line = eol + 1;
    }
    return NULL;
}

typedef struct card_fields {
    licscan_model *model;
    const licscan_db *db;
    const check_settings *s;
    const char *card; /* its name in reports */
    char *gated;      /* extra_gated_prompt */
    size_t gated_len;
} card_fields;

static void card_value(card_fields *c, const char *key, const char *v, size_t n)
{
    if (!strcmp(key, "extra_gated_prompt")) {
        free(c->gated);
        c->gated = strndup(v, n);
        c->gated_len = c->gated ? n : 0;
        return;
    }
    licscan_model_set_card_field(c->model, key, v, n);
}

/* Reads the fields of the front matter; returns an error message or
 * NULL. */
static const char *read_card(card_fields *c, const char *text, size_t len,
                             char *msg, size_t msglen)
{
    size_t n;
    const char *yaml = front_matter(text, len, &n);
    if (!yaml)
        return NULL;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return "out of memory";
    yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, n);
    if (!yaml_parser_load(&parser, &doc)) {
        /* the front matter starts on the card's second line */
        snprintf(msg, msglen, "front matter: YAML error at line %zu: %s",
                 parser.problem_mark.line + 2,
                 parser.problem ? parser.problem : "malformed");
        yaml_parser_delete(&parser);
        return msg;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root && root->type == YAML_MAPPING_NODE) {
        for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
             p < root->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(&doc, p->key);
            yaml_node_t *v = yaml_document_get_node(&doc, p->value);
            if (!k || !v || k->type != YAML_SCALAR_NODE)
                continue;
            const char *key = (const char *)k->data.scalar.value;
            if (strcmp(key, "license") && strcmp(key, "license_name") &&
                strcmp(key, "license_link") && strcmp(key, "base_model") &&
                strcmp(key, "extra_gated_prompt"))
                continue;
            if (v->type == YAML_SCALAR_NODE) {
                card_value(c, key, (const char *)v->data.scalar.value,
                           v->data.scalar.length);
            } else if (v->type == YAML_SEQUENCE_NODE) {
                for (yaml_node_item_t *it = v->data.sequence.items.start;
                     it < v->data.sequence.items.top; it++) {
                    yaml_node_t *e = yaml_document_get_node(&doc, *it);
                    if (e && e->type == YAML_SCALAR_NODE)
                        card_value(c, key, (const char *)e->data.scalar.value,
                                   e->data.scalar.length);
                    if (strcmp(key, "base_model") != 0)
                        break; /* a license list: its first */
                }
            }
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Judging one model                                                  */
/* ------------------------------------------------------------------ */

/* One file of the scan list: whose it is. */
typedef struct scan_item {
    model_job *j;
    const char *shown; /* in reports */
    uint32_t role;
    const char *base;  /* a base model's id, or NULL: the model's own */
} scan_item;

typedef struct scan_list {
    const char **paths;
    scan_item *items;
    size_t n, cap;
    /* the base models' files: theirs to free */
    char **owned;
    size_t nowned, owned_cap;
} scan_list;

static int list_add_file(scan_list *l, const char *path, scan_item item)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        const char **p = realloc(l->paths, cap * sizeof(*p));
        if (p)
            l->paths = p;
        scan_item *q = p ? realloc(l->items, cap * sizeof(*q)) : NULL;
        if (!q)
            return -1;
        l->items = q;
        l->cap = cap;
    }
    l->paths[l->n] = path;
    l->items[l->n++] = item;
    return 0;
}

/* Keeps a string the list points into until the list is freed. */
static const char *list_keep(scan_list *l, char *text)
{
    if (text && l->nowned == l->owned_cap) {
        size_t cap = l->owned_cap ? 2 * l->owned_cap : 64;
        char **p = realloc(l->owned, cap * sizeof(*p));
        if (!p) {
            free(text);
            return NULL;
        }
        l->owned = p;
        l->owned_cap = cap;
    }
    if (text)
        l->owned[l->nowned++] = text;
    return text;
}

static void list_free(scan_list *l)
{
    for (size_t i = 0; i < l->nowned; i++)
        free(l->owned[i]);
    free(l->owned);
    free(l->paths);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* A file scanned (or not), in list order: into its model. */
static int add_scanned(licscan_walk_file *f, void *user)
{
    const scan_list *l = user;
    if (f->stopping || f->index >= l->n)
        return 0;
    const scan_item *it = &l->items[f->index];
    model_job *j = it->j;
    licscan_model *m = j->model;
    if (f->status != LICSCAN_OK) {
        /* a base's files that cannot be read are not the model's */
        if (!it->base) {
            licscan_model_add_error(m, it->shown, it->role, f->message);
            j->read_errors++;
        }
        return 0;
    }
    licscan_result *r = f->result;
    f->result = NULL; /* the model takes it over */
    if (it->base) {
        licscan_model_add_base_result(m, it->base, it->shown, it->role, r);
        return 0;
    }
    licscan_model_add_result(m, it->shown, it->role, r, f->data, f->len);
    if (it->role == LICSCAN_ROLE_CARD) {
        char msg[256];
        const char *err = read_card(j->card, f->data, f->len, msg, sizeof(msg));
        if (err)
            licscan_model_add_error(m, it->shown, it->role, err);
    }
    return 0;
}

/* Scans the files of a list on the library's pool; -1 when out of
 * memory. */
static int scan_list_files(const check_settings *s, const licscan_db *db,
                           scan_list *l)
{
    if (!l->n)
        return 0;
    licscan_scan_options so;
    licscan_scan_options_init(&so, sizeof(so));
    so.max_input_bytes = s->max_bytes;
    licscan_walk_options o;
    licscan_walk_options_init(&o, sizeof(o));
    o.jobs = s->jobs;
    o.scan = &so;
    int rc = licscan_scan_paths(db, l->paths, l->n, &o, add_scanned, l);
    return rc == LICSCAN_OK ? 0 : -1;
}

/* The files of a base model found in the same cache, onto the list. */
static int list_base_files(scan_list *l, model_job *j, const char *base)
{
    if (!j->cache || !strchr(base, '/') || strstr(base, ".."))
        return 0;
    char dir[4096];
    const char *slash = strchr(base, '/');
    snprintf(dir, sizeof(dir), "%s/models--%.*s--%s", j->cache,
             (int)(slash - base), base, slash + 1);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return 0;
    char *snap = hf_snapshot(dir);
    if (!snap)
        return 0;
    model_job b;
    memset(&b, 0, sizeof(b));
    int rc = walk_model(&b, snap);
    for (size_t i = 0; i < b.nfiles; i++) {
        if (!rc && b.files[i].role != LICSCAN_ROLE_CARD) {
            char shown[4200];
            snprintf(shown, sizeof(shown), "%s/%s", base, b.files[i].shown);
            const char *path = list_keep(l, b.files[i].path);
            const char *kept = list_keep(l, strdup(shown));
            scan_item it = { j, kept, b.files[i].role, base };
            b.files[i].path = NULL;
            if (!path || !kept || list_add_file(l, path, it))
                rc = -1;
        }
        free(b.files[i].path);
        free(b.files[i].shown);
    }
    free(b.files);
    free(snap);
    return rc;
}

static void put_clipped(FILE *out, const char *text, size_t max)
{
    size_t n = strlen(text);
    if (n <= max) {
        fputs(text, out);
        return;
    }
    while (max && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--; /* not inside a UTF-8 sequence */
    fwrite(text, 1, max, out);
    fputs("...", out);
}

static void print_licenses(FILE *out, const licscan_verdict *v, uint32_t part,
                           const char *label)
{
    uint32_t n = licscan_verdict_license_count(v, part);
    if (!n)
        return;
    fprintf(out, "  %-14s", label);
    for (uint32_t i = 0; i < n; i++)
        fprintf(out, "%s%s", i ? ", " : "",
                licscan_verdict_license(v, part, i));
    fputc('\n', out);
}

static void print_verdict_text(FILE *out, const licscan_verdict *v)
{
    fprintf(out, "%s: %s%s\n", licscan_verdict_model(v),
            licscan_verdict_name(licscan_verdict_value(v)),
            licscan_verdict_conflict_count(v) ? ", in conflict" : "");
    print_licenses(out, v, LICSCAN_PART_WEIGHTS, "weights");
    print_licenses(out, v, LICSCAN_PART_CODE, "code");
    print_licenses(out, v, LICSCAN_PART_POLICY, "policy");
    print_licenses(out, v, LICSCAN_PART_DECLARED, "declared");
    print_licenses(out, v, LICSCAN_PART_INHERITED, "inherited");
    /* duties first, then the other reasons */
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < licscan_verdict_reason_count(v); i++) {
            const licscan_reason *x = licscan_verdict_reason(v, i);
            uint32_t kind = licscan_reason_kind(x);
            if ((kind == LICSCAN_REASON_DUTY) != (pass == 0))
                continue;
            const char *label =
                kind == LICSCAN_REASON_DUTY ? "duty"
                : kind == LICSCAN_REASON_CONFLICT
                    ? "conflict"
                    : licscan_verdict_name(licscan_reason_outcome(x));
            fprintf(out, "  %-14s%s\n", label, licscan_reason_message(x));
            const char *lic = licscan_reason_license(x);
            const char *file = licscan_reason_file(x);
            const char *base = licscan_reason_base(x);
            uint64_t start, end;
            const char *text, *sec;
            int ev = licscan_reason_evidence(x, &start, &end, &text, &sec) ==
                     LICSCAN_OK;
            if (!*lic && !*file && !ev)
                continue;
            fprintf(out, "                ");
            if (*lic)
                fprintf(out, "%s", lic);
            if (*base)
                fprintf(out, " (inherited from %s)", base);
            if (*file)
                fprintf(out, "%s%s", *lic || *base ? ", " : "", file);
            else if (ev)
                fprintf(out, ", published text");
            if (ev) {
                if (*sec)
                    fprintf(out, " [%s]", sec);
                if (*file)
                    fprintf(out, " bytes %" PRIu64 "-%" PRIu64, start, end);
                fputs(" \"", out);
                put_clipped(out, text, EVIDENCE_BYTES);
                fputc('"', out);
            }
            fputc('\n', out);
        }
    }
}

/* A model that could not be read: its line. */
static void render_error(const check_settings *s, model_job *j, FILE *out)
{
    j->read_errors++;
    if (s->json) {
        json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "schema", "check-1",
                              "model", j->name, "path", j->path, "error",
                              j->error);
        char *t = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (t)
            fprintf(out, "%s\n", t);
        free(t);
        json_decref(o);
    } else {
        fprintf(out, "%s: ERROR %s\n", j->name, j->error);
    }
}

/* The verdict on a model whose files are in: evaluated and rendered. */
static void judge(const check_settings *s, model_job *j)
{
    FILE *out = open_memstream(&j->out, &j->out_len);
    if (!out) {
        j->failed_eval = LICSCAN_ENOMEM;
        return;
    }
    if (j->error) {
        render_error(s, j, out);
        fclose(out);
        return;
    }
    licscan_verdict *v = NULL;
    int rc = j->new_rc;
    if (!rc)
        rc = licscan_model_evaluate(j->model, &s->facts, &v);
    if (rc) {
        j->failed_eval = rc;
        fprintf(out, "%s: ERROR %s\n", j->name, licscan_strerror(rc));
    } else {
        j->verdict = licscan_verdict_value(v);
        j->conflicts = licscan_verdict_conflict_count(v);
        const char *json;
        size_t len;
        if (!s->json)
            print_verdict_text(out, v);
        else if (licscan_verdict_json(v, &json, &len) == LICSCAN_OK)
            fprintf(out, "%.*s\n", (int)len, json);
        else
            j->failed_eval = LICSCAN_ENOMEM;
    }
    if (fclose(out) != 0)
        j->failed_eval = LICSCAN_ENOMEM;
    licscan_verdict_free(v);
}

/* Every model's files, then its base models' files (which its card
 * names), scanned on the library's pool, then each model judged; -1 when
 * out of memory. */
static int judge_all(const check_settings *s, const licscan_db *db,
                     job_list *jobs)
{
    scan_list own = { 0 }, bases = { 0 };
    int rc = 0;
    for (size_t i = 0; i < jobs->n && !rc; i++) {
        model_job *j = &jobs->items[i];
        if (j->error)
            continue;
        j->card = calloc(1, sizeof(*j->card));
        if (!j->card) {
            rc = -1;
            break;
        }
        j->new_rc = licscan_model_new(db, j->name, j->path, &j->model);
        *j->card = (card_fields){ .model = j->model, .db = db, .s = s };
        for (size_t k = 0; k < j->nfiles && !j->new_rc && !rc; k++) {
            scan_item it = { j, j->files[k].shown, j->files[k].role, NULL };
            rc = list_add_file(&own, j->files[k].path, it);
        }
    }
    if (!rc)
        rc = scan_list_files(s, db, &own);
    for (size_t i = 0; i < jobs->n && !rc; i++) {
        model_job *j = &jobs->items[i];
        if (j->error || j->new_rc)
            continue;
        card_fields *card = j->card;
        if (card->gated) {
            /* the license text a gated repository shows: part of the card */
            licscan_result *r = NULL;
            if (licscan_scan(db, card->gated, card->gated_len, NULL, &r) ==
                LICSCAN_OK)
                licscan_model_add_result(j->model, "README.md#extra_gated_prompt",
                                         LICSCAN_ROLE_CARD, r, card->gated,
                                         card->gated_len);
            else
                licscan_result_free(r);
        }
        /* the base models the card names (the library's reading of the
         * front matter and libyaml's agree; the model keeps each once) */
        for (uint32_t b = 0; !rc && b < licscan_model_base_count(j->model); b++)
            rc = list_base_files(&bases, j, licscan_model_base(j->model, b));
    }
    if (!rc)
        rc = scan_list_files(s, db, &bases);
    for (size_t i = 0; i < jobs->n && !rc; i++)
        judge(s, &jobs->items[i]);
    list_free(&own);
    list_free(&bases);
    return rc;
}

int check_main(int argc, char **argv)
{
    check_settings *s = calloc(1, sizeof(*s));
    if (!s) {
        fprintf(stderr, "licscan check: out of memory\n");
        return EXIT_READ;
    }
    licscan_facts_init(&s->facts, sizeof(s->facts));
    json_object_seed(0); /* before any thread builds JSON */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    s->jobs = cpus < 1 ? 1 : cpus > MAX_JOBS ? MAX_JOBS : (unsigned)cpus;
    s->max_bytes = 64u << 20;
    int npaths = check_options(argc, argv, s);
    if (npaths < 0) {
        free(s);
        return npaths == -2 ? 0 : EXIT_USAGE;
    }
    s->facts.regions = s->regions.text;
    s->facts.allow = s->allow.text;
    s->facts.deny = s->deny.text;

    licscan_db *db = NULL;
    if (licscan_db_open_default(NULL, &db) != LICSCAN_OK) {
        fprintf(stderr, "licscan check: cannot open the license database\n");
        free(s);
        return EXIT_USAGE;
    }
    /* a denied or allowed id licscan does not know is a typo */
    for (int d = 0; d < 2; d++) {
        char buf[MAX_LIST];
        snprintf(buf, sizeof(buf), "%s", d ? s->deny.text : s->allow.text);
        char *save = NULL;
        for (char *t = strtok_r(buf, ",", &save); t;
             t = strtok_r(NULL, ",", &save))
            if (licscan_flag_lookup(t) < 0 && !licscan_db_lookup(db, t) &&
                !s->quiet)
                fprintf(stderr,
                        "licscan check: warning: %s %s: neither a license "
                        "licscan knows nor a flag\n",
                        d ? "--deny" : "--allow", t);
    }

    job_list jobs = { 0 };
    int status = 0;
    for (int i = 1; i <= npaths; i++)
        if (discover(&jobs, argv[i])) {
            fprintf(stderr, "licscan check: out of memory\n");
            status = EXIT_READ;
            break;
        }
    if (!status && judge_all(s, db, &jobs)) {
        fprintf(stderr, "licscan check: out of memory\n");
        status = EXIT_READ;
    }
    int fails = 0, unknown = 0, read_errors = 0;
    for (size_t i = 0; i < jobs.n; i++) {
        model_job *j = &jobs.items[i];
        if (j->out_len)
            fwrite(j->out, 1, j->out_len, stdout);
        if (j->error && !s->quiet)
            fprintf(stderr, "licscan check: %s: %s\n", j->path, j->error);
        read_errors += j->read_errors || j->failed_eval;
        if (!j->error && !j->failed_eval) {
            fails += j->verdict == LICSCAN_VERDICT_NEEDS_LICENSE ||
                     j->verdict == LICSCAN_VERDICT_FORBIDDEN ||
                     j->conflicts > 0;
            unknown += j->verdict == LICSCAN_VERDICT_UNKNOWN;
        }
        free(j->out);
        free(j->name);
        free(j->path);
        free(j->cache);
        free(j->error);
        licscan_model_free(j->model);
        if (j->card)
            free(j->card->gated);
        free(j->card);
        for (size_t k = 0; k < j->nfiles; k++) {
            free(j->files[k].path);
            free(j->files[k].shown);
        }
        free(j->files);
    }
    free(jobs.items);
    licscan_db_free(db);
    int strict = s->strict;
    free(s);
    if (fflush(stdout) != 0 || ferror(stdout))
        return EXIT_READ;
    if (status || read_errors)
        return EXIT_READ;
    if (fails)
        return EXIT_FAILS;
    return unknown && strict ? EXIT_UNKNOWN : 0;
}
