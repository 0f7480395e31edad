/* db.c -- opening, filling and querying a template database. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "internal.h"
#include "listindex.h"

uint32_t licscan_version_number(void) { return LICSCAN_VERSION_NUMBER; }
const char *licscan_version_string(void) { return LICSCAN_VERSION_STRING; }

const char *licscan_strerror(int status)
{
    switch (status) {
    case LICSCAN_OK: return "success";
    case LICSCAN_ENOMEM: return "out of memory";
    case LICSCAN_EINVAL: return "invalid argument";
    case LICSCAN_EIO: return "cannot read file or directory";
    case LICSCAN_EBINARY: return "binary input (NUL bytes), not text";
    case LICSCAN_ETOOBIG: return "input over the size limit";
    case LICSCAN_ETEMPLATE: return "malformed template";
    case LICSCAN_ERULE: return "malformed clause rule";
    case LICSCAN_ELIMIT: return "a match limit was reached";
    case LICSCAN_ENOTFOUND: return "not found";
    case LICSCAN_EDUPLICATE: return "duplicate template id";
    case LICSCAN_EINTERNAL: return "internal error";
    case LICSCAN_EFORMAT: return "not a valid compiled database file";
    case LICSCAN_ESTOPPED: return "stopped by a callback";
    default: return "unknown status";
    }
}

/* The name of each status code, by -status. */
static const char *const status_names[] = {
    "LICSCAN_OK",        "LICSCAN_ENOMEM",     "LICSCAN_EINVAL",
    "LICSCAN_EIO",       "LICSCAN_EBINARY",    "LICSCAN_ETOOBIG",
    "LICSCAN_ETEMPLATE", "LICSCAN_ERULE",      "LICSCAN_ELIMIT",
    "LICSCAN_ENOTFOUND", "LICSCAN_EDUPLICATE", "LICSCAN_EINTERNAL",
    "LICSCAN_EFORMAT",   "LICSCAN_ESTOPPED",
};
_Static_assert(sizeof(status_names) / sizeof(status_names[0]) ==
                   1 - LICSCAN_ESTOPPED,
               "a name for every status code");

const char *licscan_status_name(int status)
{
    if (status > 0 || status < LICSCAN_ESTOPPED)
        return NULL;
    return status_names[-status];
}

/* The first version of the struct ends with reserved2. */
#define DB_OPTIONS_V1                                                          \
    (offsetof(licscan_db_options, reserved2) + sizeof(uint32_t))

int licscan_db_options_init(licscan_db_options *opts, size_t size)
{
    if (!opts || size < DB_OPTIONS_V1)
        return LICSCAN_EINVAL;
    licscan_db_options o;
    memset(&o, 0, sizeof(o));
    o.struct_size = (uint32_t)(size < sizeof(o) ? size : sizeof(o));
    o.max_template_bytes = 1u << 20;
    o.max_optional_depth = 8;
    o.regex_match_limit = 1000000;
    o.regex_heap_limit_kib = 20480;
    memcpy(opts, &o, o.struct_size); /* nothing past the caller's size */
    return LICSCAN_OK;
}

static void *pcre_malloc(size_t n, void *u)
{
    const ls_alloc *a = u;
    return ls_malloc(a, n);
}
static void pcre_free(void *p, void *u)
{
    const ls_alloc *a = u;
    ls_free(a, p);
}

int ls_db_options_alloc(const licscan_db_options *opts, licscan_db_options *o,
                        ls_alloc *a)
{
    licscan_db_options_init(o, sizeof(*o));
    if (opts && ls_options_read(o, sizeof(*o), opts, DB_OPTIONS_V1))
        return LICSCAN_EINVAL;
    ls_alloc_default(a);
    if (o->allocator) {
        if (!o->allocator->malloc_fn || !o->allocator->free_fn)
            return LICSCAN_EINVAL;
        a->malloc_fn = o->allocator->malloc_fn;
        a->realloc_fn = o->allocator->realloc_fn;
        a->free_fn = o->allocator->free_fn;
        a->user = o->allocator->user;
    }
    return LICSCAN_OK;
}

int ls_db_new(const licscan_db_options *opts, bool equivalences,
              licscan_db **out)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    licscan_db_options o;
    ls_alloc a;
    if (ls_db_options_alloc(opts, &o, &a))
        return LICSCAN_EINVAL;
    bool custom = o.allocator != NULL;
    o.allocator = NULL; /* copied into db->alloc */
    licscan_db *db = ls_malloc(&a, sizeof(*db));
    if (!db)
        return LICSCAN_ENOMEM;
    memset(db, 0, sizeof(*db));
    db->alloc = a;
    db->opts = o;
    db->custom_allocator = custom;
    for (uint32_t i = 0; i < LS_SCRATCH_POOL; i++)
        atomic_init(&db->scratch[i], NULL);
    ls_lexicon_init(&db->lex, &db->alloc);
    db->gctx = pcre2_general_context_create(pcre_malloc, pcre_free, &db->alloc);
    db->cctx = db->gctx ? pcre2_compile_context_create(db->gctx) : NULL;
    if (!db->cctx) {
        licscan_db_free(db);
        return LICSCAN_ENOMEM;
    }
    int rc = equivalences ? ls_lexicon_load_equivalences(
                                &db->lex, &db->alloc,
                                (const char *)ls_embedded_equivalences_ptr,
                                ls_embedded_equivalences_len)
                          : LICSCAN_OK;
    if (rc) {
        licscan_db_free(db);
        return rc;
    }
    *out = db;
    return LICSCAN_OK;
}

int licscan_db_open_empty(const licscan_db_options *opts, licscan_db **out)
{
    return ls_db_new(opts, true, out);
}

/* lazy: their patterns compile at first use; the build (tools/freeze,
 * through the path without the image) compiled them all once. */
static int load_embedded_rules(licscan_db *db, bool lazy)
{
    int rc = LICSCAN_OK;
    db->lazy_patterns = lazy;
    for (size_t i = 0; i < ls_embedded_rule_count && !rc; i++) {
        const ls_embedded_file *f = &ls_embedded_rules[i];
        rc = ls_rules_add(db, (const char *)f->tpl, f->tpl_len, f->id);
    }
    db->lazy_patterns = false;
    return rc;
}

int licscan_db_open_default(const licscan_db_options *opts, licscan_db **out)
{
    licscan_db *db;
    int rc;
    if (ls_frozen.ntpl) { /* the image compiled at build time */
        if ((rc = ls_db_new(opts, false, &db)))
            return rc;
        if ((rc = ls_db_load_frozen(db, &ls_frozen)) ||
            (rc = load_embedded_rules(db, true))) {
            licscan_db_free(db);
            return rc;
        }
        const ls_clause_memo *m = &ls_frozen.memo;
        if (m->nclause && m->nrules == db->rules.n &&
            m->rules_hash == ls_embedded_rules_hash() &&
            db->opts.regex_match_limit >= m->match_limit &&
            db->opts.regex_heap_limit_kib >= m->heap_limit_kib)
            db->memo = m;
        ls_answers_under_limits(db, m->match_limit, m->heap_limit_kib);
        ls_find_twins(db);
        if (db->rivals.off) /* a text tried as one template whole */
            ls_index_facts(db, false, NULL);
        *out = db;
        return LICSCAN_OK;
    }
    if ((rc = ls_db_new(opts, true, &db)))
        return rc;
    for (size_t i = 0; i < ls_embedded_template_count; i++) {
        const ls_embedded_file *f = &ls_embedded_templates[i];
        rc = ls_template_add(db, f->id, (const char *)f->tpl, f->tpl_len,
                             (const char *)f->meta, f->meta_len, f->id);
        if (rc) {
            licscan_db_free(db);
            return rc;
        }
    }
    ls_index_compact(db);
    ls_find_twins(db);
    if ((rc = load_embedded_rules(db, false))) {
        licscan_db_free(db);
        return rc;
    }
    *out = db;
    return LICSCAN_OK;
}

void licscan_db_free(licscan_db *db)
{
    if (!db)
        return;
    const ls_alloc *a = &db->alloc;
    for (uint32_t i = 0; i < db->ntpl; i++)
        ls_template_free(db, db->tpl[i]);
    ls_free(a, db->tpl);
    if (!db->frozen) {
        ls_free(a, db->sh_keys);
        ls_free(a, db->sh_head);
        ls_free(a, db->post);
        for (uint32_t i = 0; i < db->nphr; i++)
            ls_free(a, db->phr[i].ids);
        ls_free(a, db->phr);
        ls_free(a, db->phr_head);
        ls_lexicon_free(&db->lex, a);
    }
    for (uint32_t i = 0; i < db->nre; i++) {
        pcre2_code_free(db->re[i]->re.code);
        ls_free(a, db->re[i]->pattern);
        ls_free(a, db->re[i]);
    }
    ls_free(a, db->re);
    ls_rules_free(db);
    ls_rivals_free(db, &db->rivals);
    ls_index_facts_free(db);
    ls_scratch_pool_free(db);
    pcre2_compile_context_free(db->cctx);
    pcre2_general_context_free(db->gctx);
    if (db->file) { /* last: all of the above may borrow from it */
        ls_free(a, db->file->phr);
        ls_free(a, db->file->words);
        if (db->file->map)
            munmap(db->file->map, db->file->map_len);
        ls_free(a, db->file);
    }
    ls_alloc copy = db->alloc;
    ls_free(&copy, db);
}

int licscan_db_add_template(licscan_db *db, const char *id, const char *text,
                            size_t text_len, const char *meta, size_t meta_len,
                            const char *source)
{
    if (!db)
        return LICSCAN_EINVAL;
    ls_error_clear(&db->err);
    int rc = ls_db_thaw(db);
    if (!rc)
        rc = ls_template_add(db, id, text, text_len, meta, meta_len, source);
    if (!rc)
        ls_find_twins(db);
    if (rc && !db->err.msg[0])
        ls_error_set(&db->err, source, 0, 0, "%s: %s", source ? source : id,
                     licscan_strerror(rc));
    return rc;
}

/* Read a whole file through the allocator. */
static int read_file(licscan_db *db, const char *path, char **data, size_t *len,
                     uint64_t limit)
{
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        ls_error_set(&db->err, path, 0, 0, "%s: %s", path, strerror(errno));
        return LICSCAN_EIO;
    }
    /* sized by fstat when it can be (one byte more, to see the end), so a
     * file is read without copies; the reads still run to end of file */
    size_t cap = 0, n = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        cap = (uint64_t)st.st_size < limit ? (size_t)st.st_size + 1
                                           : (size_t)limit + 1;
    setvbuf(f, NULL, _IONBF, 0); /* fread straight into buf */
    char *buf = cap ? ls_malloc(&db->alloc, cap + 1) : NULL;
    int rc = cap && !buf ? LICSCAN_ENOMEM : LICSCAN_OK;
    while (!rc) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *p = ls_realloc(&db->alloc, buf, cap, ncap + 1);
            if (!p) {
                rc = LICSCAN_ENOMEM;
                break;
            }
            buf = p;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > limit) {
            ls_error_set(&db->err, path, 0, 0,
                         "%s: over the size limit of %llu", path,
                         (unsigned long long)limit);
            rc = LICSCAN_ETOOBIG;
            break;
        }
        if (got == 0) {
            if (ferror(f)) {
                ls_error_set(&db->err, path, 0, 0, "%s: read error", path);
                rc = LICSCAN_EIO;
            }
            break;
        }
    }
    fclose(f);
    if (rc) {
        ls_free(&db->alloc, buf);
        return rc;
    }
    buf[n] = 0;
    if (cap > n + 1) { /* give back what the reads did not use */
        char *p = ls_realloc(&db->alloc, buf, cap + 1, n + 1);
        if (p)
            buf = p;
    }
    *data = buf;
    *len = n;
    return LICSCAN_OK;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the files in dir ending in suffix, sorted. A missing dir is
 * an error only when `must`. */
static int list_dir(licscan_db *db, const char *dir, const char *suffix,
                    bool must, char ***out, uint32_t *count)
{
    const ls_alloc *a = &db->alloc;
    *out = NULL;
    *count = 0;
    DIR *d = opendir(dir);
    if (!d) {
        if (!must && (errno == ENOENT || errno == ENOTDIR))
            return LICSCAN_OK;
        ls_error_set(&db->err, dir, 0, 0, "%s: %s", dir, strerror(errno));
        return LICSCAN_EIO;
    }
    const size_t sl = strlen(suffix);
    char **names = NULL;
    uint32_t n = 0, cap = 0;
    int rc = LICSCAN_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        if ((rc = LS_GROW(a, names, cap, n + 1)))
            break;
        if (!(names[n] = ls_strndup(a, e->d_name, l))) {
            rc = LICSCAN_ENOMEM;
            break;
        }
        n++;
    }
    closedir(d);
    if (!rc && n > 1)
        qsort(names, n, sizeof(char *), name_cmp);
    *out = names;
    *count = n;
    return rc;
}

static void free_names(const ls_alloc *a, char **names, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ls_free(a, names[i]);
    ls_free(a, names);
}

static char *join_path(const ls_alloc *a, const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *p = ls_malloc(a, dl + nl + 2);
    if (p) {
        memcpy(p, dir, dl);
        p[dl] = '/';
        memcpy(p + dl + 1, name, nl + 1);
    }
    return p;
}

#define HEADER_SUFFIX ".header.txt"

/* The metadata of a notice that has no .meta of its own (SPDX's headers
 * have none): kind header, and its license's SPDX id. */
static int header_meta(const ls_alloc *a, const char *id, char **meta,
                       size_t *len)
{
    size_t il = strlen(id);
    char *m = ls_malloc(a, il * 2 + 32);
    if (!m)
        return LICSCAN_ENOMEM;
    *len = (size_t)sprintf(m, "kind: header\nspdx: %s\nname: %s\n", id, id);
    *meta = m;
    return LICSCAN_OK;
}

/* The templates DIR/ID<suffix>, each with DIR/ID.meta when there is one.
 * A standard license notice (SPDX's ID.header.txt) without one is a
 * template of kind "header". */
#define LIST_INDEX "licenses.tsv"

/* The license list's table of a template folder (listindex.h): in it, or
 * beside it (the SPDX list keeps templates/ and licenses.tsv side by
 * side) when it names an id column there. None is no error; *ix is then
 * empty. */
static int load_list_index(licscan_db *db, const char *path, ls_list_index *ix)
{
    memset(ix, 0, sizeof(*ix));
    const char *names[] = { LIST_INDEX, "../" LIST_INDEX };
    int rc = LICSCAN_OK;
    for (size_t i = 0; i < 2 && !rc; i++) {
        char *tsv = join_path(&db->alloc, path, names[i]);
        struct stat st;
        if (!tsv) {
            rc = LICSCAN_ENOMEM;
        } else if (stat(tsv, &st) == 0 && S_ISREG(st.st_mode)) {
            char *text = NULL;
            size_t len = 0;
            rc = read_file(db, tsv, &text, &len, db->opts.max_template_bytes);
            bool beside = i == 1;
            if (!rc && (!beside || ls_list_index_is_table(text, len)))
                rc = ls_list_index_parse(&db->alloc, text, len, tsv, &db->err,
                                         ix);
            if (rc == LICSCAN_ENOMEM && !db->err.msg[0])
                ls_error_set(&db->err, tsv, 0, 0, "%s: out of memory", tsv);
            ls_free(&db->alloc, text);
            ls_free(&db->alloc, tsv);
            break;
        }
        ls_free(&db->alloc, tsv);
    }
    return rc;
}

static int load_templates(licscan_db *db, const char *path, const char *suffix,
                          bool must, const ls_list_index *ix)
{
    const size_t sl = strlen(suffix);
    const bool header = strcmp(suffix, HEADER_SUFFIX) == 0;
    const ls_alloc *a = &db->alloc;
    char **names;
    uint32_t n;
    int rc = list_dir(db, path, suffix, must, &names, &n);
    for (uint32_t i = 0; i < n && !rc; i++) {
        size_t l = strlen(names[i]);
        char *id = ls_strndup(a, names[i], l - sl);
        char *mname = id ? ls_malloc(a, l - sl + 6) : NULL;
        if (mname)
            sprintf(mname, "%s.meta", id);
        char *tpath = join_path(a, path, names[i]);
        char *mpath = mname ? join_path(a, path, mname) : NULL;
        char *text = NULL, *meta = NULL;
        size_t tlen = 0, mlen = 0;
        if (!tpath || !mpath || !id) {
            rc = LICSCAN_ENOMEM;
        } else {
            rc =
                read_file(db, tpath, &text, &tlen, db->opts.max_template_bytes);
            struct stat st;
            if (!rc && stat(mpath, &st) == 0)
                rc = read_file(db, mpath, &meta, &mlen, 1u << 20);
            if (!rc && header && !meta)
                rc = header_meta(a, id, &meta, &mlen);
            if (!rc) {
                rc = ls_template_add_owned(db, id, text, tlen, text, meta, mlen,
                                           ls_list_index_find(ix, id), tpath);
                if (!rc)
                    text = NULL; /* the template keeps it */
            }
        }
        if (rc == LICSCAN_ENOMEM && !db->err.msg[0])
            ls_error_set(&db->err, tpath, 0, 0, "%s: out of memory",
                         tpath ? tpath : path);
        ls_free(a, text);
        ls_free(a, meta);
        ls_free(a, tpath);
        ls_free(a, mpath);
        ls_free(a, mname);
        ls_free(a, id);
    }
    free_names(a, names, n);
    return rc;
}

static int load_rules(licscan_db *db, const char *dir)
{
    const ls_alloc *a = &db->alloc;
    char **names;
    uint32_t n;
    int rc = list_dir(db, dir, ".rules", false, &names, &n);
    for (uint32_t i = 0; i < n && !rc; i++) {
        char *rpath = join_path(a, dir, names[i]);
        char *text = NULL;
        size_t len = 0;
        if (!rpath)
            rc = LICSCAN_ENOMEM;
        else if (!(rc = read_file(db, rpath, &text, &len,
                                  db->opts.max_template_bytes)))
            rc = ls_rules_add(db, text, len, rpath);
        if (rc == LICSCAN_ENOMEM && !db->err.msg[0])
            ls_error_set(&db->err, rpath, 0, 0, "%s: out of memory",
                         rpath ? rpath : dir);
        ls_free(a, text);
        ls_free(a, rpath);
    }
    free_names(a, names, n);
    return rc;
}

int licscan_db_load_dir(licscan_db *db, const char *path)
{
    if (!db || !path)
        return LICSCAN_EINVAL;
    ls_error_clear(&db->err);
    if (ls_db_thaw(db)) {
        ls_error_set(&db->err, path, 0, 0, "%s: out of memory", path);
        return LICSCAN_ENOMEM;
    }
    ls_list_index ix;
    uint32_t first = db->ntpl;
    int rc = load_list_index(db, path, &ix);
    db->names_later = true;
    if (!rc)
        rc = load_templates(db, path, ".template.txt", true, &ix);
    db->names_later = false;
    /* the templates that did load name themselves, whatever stopped the
     * load */
    int named = LICSCAN_OK;
    for (uint32_t i = first; i < db->ntpl && !named; i++)
        named = ls_template_add_names(db, db->tpl[i]);
    if (named && !rc) {
        rc = named;
        ls_error_set(&db->err, path, 0, 0, "%s: out of memory", path);
    }
    ls_list_index_free(&db->alloc, &ix);
    if (!rc)
        rc = load_templates(db, path, HEADER_SUFFIX, false, NULL);
    if (!rc) {
        char *sub = join_path(&db->alloc, path, "headers");
        rc = sub ? load_templates(db, sub, ".template.txt", false, NULL)
                 : LICSCAN_ENOMEM;
        ls_free(&db->alloc, sub);
    }
    ls_index_compact(db);
    ls_find_twins(db);
    if (!rc)
        rc = load_rules(db, path);
    if (!rc) {
        char *sub = join_path(&db->alloc, path, "rules");
        rc = sub ? load_rules(db, sub) : LICSCAN_ENOMEM;
        ls_free(&db->alloc, sub);
    }
    return rc;
}

const char *licscan_db_errmsg(const licscan_db *db)
{
    return db ? db->err.msg : "no database";
}

int licscan_db_error_location(const licscan_db *db, const char **file,
                              uint32_t *line, uint32_t *column)
{
    if (!db)
        return LICSCAN_EINVAL;
    if (file)
        *file = db->err.has_file ? db->err.file : NULL;
    if (line)
        *line = db->err.line;
    if (column)
        *column = db->err.col;
    return LICSCAN_OK;
}

uint32_t licscan_db_license_count(const licscan_db *db)
{
    return db ? db->ntpl : 0;
}

const licscan_license *licscan_db_license(const licscan_db *db, uint32_t i)
{
    return db && i < db->ntpl ? &db->tpl[i]->lic : NULL;
}

static bool key_is(const char *field, const char *key)
{
    return field && *field && strcasecmp(field, key) == 0;
}

const licscan_license *licscan_db_lookup(const licscan_db *db, const char *key)
{
    if (!db || !key || !*key)
        return NULL;
    for (uint32_t i = 0; i < db->ntpl; i++) {
        const licscan_license *l = &db->tpl[i]->lic;
        if (db->tpl[i]->replaced)
            continue;
        if (key_is(l->id, key) || key_is(l->spdx, key) || key_is(l->hf, key) ||
            key_is(l->scancode, key))
            return l;
    }
    if (strncasecmp(key, "LicenseRef-", 11) == 0)
        return licscan_db_lookup(db, key + 11);
    return NULL;
}

#define S(x) ((x) ? (x) : "")
const char *licscan_license_id(const licscan_license *l)
{
    return l ? S(l->id) : "";
}
const char *licscan_license_name(const licscan_license *l)
{
    return l ? (l->name ? l->name : S(l->id)) : "";
}
const char *licscan_license_version(const licscan_license *l)
{
    return l ? S(l->version) : "";
}
const char *licscan_license_family(const licscan_license *l)
{
    return l ? S(l->family) : "";
}
const char *licscan_license_kind(const licscan_license *l)
{
    return l ? (l->kind ? l->kind : "license") : "";
}
const char *licscan_license_url(const licscan_license *l)
{
    return l ? S(l->url) : "";
}
const char *licscan_license_spdx(const licscan_license *l)
{
    return l ? S(l->spdx) : "";
}
const char *licscan_license_hf_tag(const licscan_license *l)
{
    return l ? S(l->hf) : "";
}
const char *licscan_license_scancode(const licscan_license *l)
{
    return l ? S(l->scancode) : "";
}
int licscan_license_osi_approved(const licscan_license *l)
{
    return l && l->osi;
}

int licscan_license_deprecated(const licscan_license *l)
{
    return l && l->deprecated;
}
#undef S
