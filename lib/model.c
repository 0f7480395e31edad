/* model.c -- a model: the files that say which terms bind it, the card's
 * front matter, and the base models it names. Gathering resolves what is
 * only named (a declared license id, a base model id through
 * licenses/models.tsv) into scans of the licenses' published texts, which
 * policy.c judges like any file. */
#include <fnmatch.h>
#include <stdio.h>
#include <strings.h>

#include "frontmatter.h"
#include "policy.h"

/* ---------- roles of file names ---------- */

static const char *const role_names[] = { "none", "license", "weights",
                                          "code", "policy",  "notice",
                                          "card" };

const char *licscan_role_name(uint32_t role)
{
    return role < sizeof(role_names) / sizeof(role_names[0]) ? role_names[role]
                                                             : NULL;
}

/* Whether upper-cased name contains s. */
static bool has(const char *name, const char *s)
{
    return strstr(name, s) != NULL;
}

/* File types that are never license texts, whatever their name says. */
static bool code_or_data(const char *upper)
{
    static const char *const ext[] = {
        ".PY",    ".JSON", ".JS",   ".TS",  ".C",           ".H",
        ".CC",    ".CPP",  ".YAML", ".YML", ".TOML",        ".SH",
        ".IPYNB", ".BIN",  ".PT",   ".PTH", ".CKPT",        ".GGUF",
        ".ONNX",  ".H5",   ".PNG",  ".JPG", ".JPEG",        ".GIF",
        ".SVG",   ".PDF",  ".ZIP",  ".GZ",  ".SAFETENSORS", ".MSGPACK",
        ".MODEL", ".LOCK", ".CFG",  ".INI", ".GO",          ".RS",
        ".JAVA"
    };
    const char *dot = strrchr(upper, '.');
    if (!dot)
        return false;
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
        if (!strcmp(dot, ext[i]))
            return true;
    return false;
}

uint32_t licscan_file_role(const char *path)
{
    if (!path)
        return LICSCAN_ROLE_NONE;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    char up[256];
    size_t n = strlen(base);
    if (n == 0 || n >= sizeof(up))
        return LICSCAN_ROLE_NONE;
    for (size_t i = 0; i <= n; i++)
        up[i] =
            base[i] >= 'a' && base[i] <= 'z' ? (char)(base[i] - 32) : base[i];
    if (code_or_data(up))
        return LICSCAN_ROLE_NONE;
    if (!strcmp(up, "README.MD") || !strcmp(up, "README"))
        return LICSCAN_ROLE_CARD;
    if (has(up, "USE_POLICY") || has(up, "USE-POLICY") ||
        has(up, "USEPOLICY") || has(up, "USAGE_POLICY") ||
        has(up, "ACCEPTABLE_USE") || has(up, "ACCEPTABLE-USE") ||
        has(up, "PROHIBITED_USE") || has(up, "PROHIBITED-USE"))
        return LICSCAN_ROLE_POLICY;
    if (!strncmp(up, "NOTICE", 6))
        return LICSCAN_ROLE_NOTICE;
    if (has(up, "LICENSE") || has(up, "LICENCE") ||
        !strncmp(up, "COPYING", 7)) {
        if (has(up, "CODE"))
            return LICSCAN_ROLE_CODE;
        if (has(up, "MODEL") || has(up, "WEIGHT"))
            return LICSCAN_ROLE_WEIGHTS;
        return LICSCAN_ROLE_LICENSE;
    }
    return LICSCAN_ROLE_NONE;
}

/* ---------- the model ---------- */

int licscan_model_new(const licscan_db *db, const char *name, const char *path,
                      licscan_model **out)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    if (!db || !name)
        return LICSCAN_EINVAL;
    licscan_model *m = ls_malloc(&db->alloc, sizeof(*m));
    if (!m)
        return LICSCAN_ENOMEM;
    memset(m, 0, sizeof(*m));
    m->alloc = db->alloc;
    ls_arena_init(&m->arena, &m->alloc);
    m->db = db;
    m->name = ls_arena_strndup(&m->arena, name, strlen(name));
    m->path = path ? ls_arena_strndup(&m->arena, path, strlen(path)) : NULL;
    if (!m->name || (path && !m->path)) {
        licscan_model_free(m);
        return LICSCAN_ENOMEM;
    }
    *out = m;
    return LICSCAN_OK;
}

void licscan_model_free(licscan_model *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; i < m->nfiles; i++)
        licscan_result_free(m->files[i].r);
    ls_free(&m->alloc, m->files);
    ls_free(&m->alloc, m->bases);
    ls_arena_free(&m->arena);
    ls_alloc a = m->alloc;
    ls_free(&a, m);
}

static char *arena_str(licscan_model *m, const char *s)
{
    return s ? ls_arena_strndup(&m->arena, s, strlen(s)) : NULL;
}

static int add_file(licscan_model *m, const char *base, const char *file,
                    uint32_t role, licscan_result *r, const char *error)
{
    if (!m || !file || role > LICSCAN_ROLE_CARD || (!r && !error)) {
        licscan_result_free(r);
        return LICSCAN_EINVAL;
    }
    if (LS_GROW(&m->alloc, m->files, m->files_cap, m->nfiles + 1)) {
        licscan_result_free(r);
        return LICSCAN_ENOMEM;
    }
    ls_model_file *f = &m->files[m->nfiles];
    f->file = arena_str(m, file);
    f->base = arena_str(m, base);
    f->error = arena_str(m, error);
    f->role = role;
    f->r = r;
    f->refpart = NULL;
    if (!f->file || (base && !f->base) || (error && !f->error)) {
        licscan_result_free(r);
        return LICSCAN_ENOMEM;
    }
    m->nfiles++;
    return LICSCAN_OK;
}

/* The sentence around [start, end): from the end of the previous one
 * (a full stop, or a blank line) to the end of this one. */
static void sentence(const char *t, size_t n, size_t start, size_t end,
                     size_t *s0, size_t *s1)
{
    size_t a = start < n ? start : n, b = end < n ? end : n;
    while (a > 0 && t[a - 1] != '.' &&
           !(t[a - 1] == '\n' && a > 1 && t[a - 2] == '\n'))
        a--;
    while (b < n && t[b] != '.' &&
           !(t[b] == '\n' && b + 1 < n && t[b + 1] == '\n'))
        b++;
    *s0 = a;
    *s1 = b;
}

static bool mentions(const char *t, size_t n, const char *const *words)
{
    for (; *words; words++) {
        size_t w = strlen(*words);
        for (size_t i = 0; i + w <= n; i++)
            if (!strncasecmp(t + i, *words, w))
                return true;
    }
    return false;
}

/* Reads, for each license a card names, whether its sentence speaks of
 * the weights or of the code ("The training scripts are released under
 * the Apache License 2.0"). */
static int read_card_wording(licscan_model *m, ls_model_file *f, const char *t,
                             size_t n)
{
    static const char *const code[] = { "code",   "script",  "software",
                                        "source", "library", NULL };
    static const char *const weights[] = { "weights", "model", "checkpoint",
                                           NULL };
    uint32_t nm = licscan_result_match_count(f->r);
    if (!nm)
        return LICSCAN_OK;
    f->refpart = ls_arena_alloc(&m->arena, nm);
    if (!f->refpart)
        return LICSCAN_ENOMEM;
    for (uint32_t k = 0; k < nm; k++) {
        const licscan_match *mt = licscan_result_match(f->r, k);
        size_t a, b;
        sentence(t, n, (size_t)licscan_match_start(mt),
                 (size_t)licscan_match_end(mt), &a, &b);
        bool c = mentions(t + a, b - a, code);
        bool w = mentions(t + a, b - a, weights);
        f->refpart[k] = c && !w   ? LS_REF_CODE
                        : w && !c ? LS_REF_WEIGHTS
                                  : LS_REF_DECLARED;
    }
    return LICSCAN_OK;
}

/* The card's front matter (ls_frontmatter_read): its license fields, when
 * the caller did not give them, and where it ends (the licenses named
 * there are declarations, not wording about weights or code). */
static int read_front_matter(licscan_model *m, const char *t, size_t n,
                             size_t *end)
{
    static const char *const keys[LS_FM_NKEYS] = {
        [LS_FM_LICENSE] = "license",
        [LS_FM_LICENSE_NAME] = "license_name",
        [LS_FM_LICENSE_LINK] = "license_link",
        [LS_FM_BASE_MODEL] = "base_model",
    };
    ls_fm_value v[LS_FM_MAX_VALUES];
    uint32_t nv = ls_frontmatter_read(t, n, v, LS_FM_MAX_VALUES);
    bool given[LS_FM_NKEYS] = { m->license != NULL, m->license_name != NULL,
                                m->license_link != NULL, false };
    bool seen[LS_FM_NKEYS] = { false };
    *end = 0;
    int rc = LICSCAN_OK;
    for (uint32_t i = 0; i < nv && !rc; i++) {
        if (v[i].end > *end)
            *end = v[i].end;
        if (v[i].key >= LS_FM_NKEYS || given[v[i].key] ||
            (seen[v[i].key] && v[i].key != LS_FM_BASE_MODEL))
            continue; /* of a list of licenses, the first */
        seen[v[i].key] = true;
        rc = licscan_model_set_card_field(m, keys[v[i].key], t + v[i].start,
                                          v[i].end - v[i].start);
        if (rc == LICSCAN_EINVAL)
            rc = LICSCAN_OK; /* a NUL in a value: not an id */
    }
    return rc;
}

int licscan_model_add_result(licscan_model *m, const char *file, uint32_t role,
                             licscan_result *r, const void *data, size_t len)
{
    int rc = add_file(m, NULL, file, role, r, NULL);
    if (rc || role != LICSCAN_ROLE_CARD || !data || licscan_result_status(r))
        return rc;
    size_t fm_end = 0;
    rc = read_front_matter(m, data, len, &fm_end);
    ls_model_file *f = &m->files[m->nfiles - 1];
    if (!rc)
        rc = read_card_wording(m, f, data, len);
    for (uint32_t k = 0; !rc && f->refpart && k < licscan_result_match_count(r);
         k++)
        if (licscan_match_start(licscan_result_match(r, k)) < fm_end)
            f->refpart[k] = LS_REF_DECLARED;
    return rc;
}

int licscan_model_add_base_result(licscan_model *m, const char *base,
                                  const char *file, uint32_t role,
                                  licscan_result *r)
{
    if (!base || !*base) {
        licscan_result_free(r);
        return LICSCAN_EINVAL;
    }
    return add_file(m, base, file, role, r, NULL);
}

int licscan_model_add_error(licscan_model *m, const char *file, uint32_t role,
                            const char *message)
{
    return add_file(m, NULL, file, role, NULL,
                    message && *message ? message : "cannot be read");
}

int licscan_model_set_card_field(licscan_model *m, const char *key,
                                 const char *value, size_t len)
{
    if (!m || !key || (!value && len))
        return LICSCAN_EINVAL;
    /* surrounding spaces are not part of an id */
    while (len && (*value == ' ' || *value == '\t'))
        value++, len--;
    while (len && (value[len - 1] == ' ' || value[len - 1] == '\t' ||
                   value[len - 1] == '\n' || value[len - 1] == '\r'))
        len--;
    char **slot = NULL;
    if (!strcmp(key, "license"))
        slot = &m->license;
    else if (!strcmp(key, "license_name"))
        slot = &m->license_name;
    else if (!strcmp(key, "license_link"))
        slot = &m->license_link;
    else if (strcmp(key, "base_model") != 0)
        return LICSCAN_ENOTFOUND;
    if (memchr(value ? value : "", 0, len))
        return LICSCAN_EINVAL;
    char *copy = ls_arena_strndup(&m->arena, value ? value : "", len);
    if (!copy)
        return LICSCAN_ENOMEM;
    if (slot) {
        *slot = copy;
        return LICSCAN_OK;
    }
    if (!len)
        return LICSCAN_OK;
    for (uint32_t i = 0; i < m->nbases; i++)
        if (!strcmp(m->bases[i], copy))
            return LICSCAN_OK;
    if (LS_GROW(&m->alloc, m->bases, m->bases_cap, m->nbases + 1))
        return LICSCAN_ENOMEM;
    m->bases[m->nbases++] = copy;
    return LICSCAN_OK;
}

uint32_t licscan_model_base_count(const licscan_model *m)
{
    return m ? m->nbases : 0;
}

const char *licscan_model_base(const licscan_model *m, uint32_t i)
{
    return m && i < m->nbases ? m->bases[i] : NULL;
}

/* ---------- licenses/models.tsv ---------- */

uint32_t ls_models_lookup(const char *id, const char **ids, uint32_t max,
                          char *buf, size_t bufsize, const char **pattern)
{
    const char *p = ls_embedded_models;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t n = eol ? (size_t)(eol - p) : strlen(p);
        const char *next = eol ? eol + 1 : p + n;
        if (n && *p != '#' && n < bufsize) {
            memcpy(buf, p, n);
            buf[n] = 0;
            char *tab = strchr(buf, '\t');
            if (tab) {
                *tab = 0;
                if (fnmatch(buf, id, FNM_CASEFOLD) == 0) {
                    uint32_t k = 0;
                    char *save = NULL;
                    for (char *t = strtok_r(tab + 1, " \t", &save);
                         t && k < max; t = strtok_r(NULL, " \t", &save))
                        ids[k++] = t;
                    *pattern = buf;
                    return k;
                }
            }
        }
        p = next;
    }
    return 0;
}

/* ---------- gathering ---------- */

const char *ls_license_source(const licscan_license *lic, size_t *len)
{
    /* a database's licenses are the first member of its templates */
    const ls_template *t = (const ls_template *)(const void *)lic;
    if (!t || !t->source) {
        *len = 0;
        return NULL;
    }
    *len = t->source_len;
    return t->source;
}

static int add_source(ls_gathered *g, ls_source s)
{
    if (LS_GROW(g->alloc, g->src, g->src_cap, g->nsrc + 1))
        return LICSCAN_ENOMEM;
    g->src[g->nsrc++] = s;
    return LICSCAN_OK;
}

/* Whether a source of the model's own (or of base `base`, when not NULL)
 * holds a text match of license lic. */
static bool text_has(const ls_gathered *g, const char *base,
                     const licscan_license *lic)
{
    for (uint32_t i = 0; i < g->nsrc; i++) {
        const ls_source *s = &g->src[i];
        if (strcmp(s->base, base ? base : "") != 0 || !s->r)
            continue;
        for (uint32_t k = 0; k < licscan_result_match_count(s->r); k++) {
            const licscan_match *m = licscan_result_match(s->r, k);
            if (licscan_match_kind(m) != LICSCAN_KIND_REFERENCE &&
                !strcmp(licscan_license_id(licscan_match_license(m)),
                        licscan_license_id(lic)))
                return true;
        }
    }
    return false;
}

/* Scans a license's published text as a source of the model's terms. */
static int add_published(ls_gathered *g, const licscan_license *lic,
                         const char *base)
{
    size_t len;
    const char *text = ls_license_source(lic, &len);
    if (!text)
        return LICSCAN_OK;
    /* (read as a text: its words must be sound, as for a scan) */
    if (!ls_words_ready(g->db, ((const ls_template *)(const void *)lic)->index))
        return LICSCAN_EFORMAT;
    licscan_result *r = NULL;
    int rc = licscan_scan(g->db, text, len, NULL, &r);
    if (rc != LICSCAN_OK) {
        licscan_result_free(r);
        /* (a damaged database file fails the model, as it fails a scan) */
        return rc == LICSCAN_ENOMEM || rc == LICSCAN_EFORMAT ? rc : LICSCAN_OK;
    }
    if (LS_GROW(g->alloc, g->owned, g->owned_cap, g->nowned + 1)) {
        licscan_result_free(r);
        return LICSCAN_ENOMEM;
    }
    g->owned[g->nowned++] = r;
    bool policy = !strcmp(licscan_license_kind(lic), "policy");
    return add_source(
        g, (ls_source){ "", policy ? LICSCAN_ROLE_POLICY : LICSCAN_ROLE_LICENSE,
                        base ? base : "", licscan_license_id(lic), r, NULL,
                        NULL });
}

/* Whether the model's own sources hold the terms of lic already: its
 * text, or its published text read for a declaration. */
static bool has_terms_of(const ls_gathered *g, const licscan_license *lic)
{
    for (uint32_t i = 0; i < g->nsrc; i++)
        if (!*g->src[i].base &&
            !strcmp(g->src[i].forid, licscan_license_id(lic)))
            return true;
    return text_has(g, NULL, lic);
}

/* A declared license value that names no license. */
static bool no_id(const char *v)
{
    return !v || !*v || !strcasecmp(v, "other") || !strcasecmp(v, "unknown") ||
           !strcasecmp(v, "none") || !strcasecmp(v, "noassertion");
}

int ls_model_gather(const licscan_model *m, ls_gathered *g)
{
    memset(g, 0, sizeof(*g));
    g->alloc = &m->alloc;
    g->db = m->db;
    g->name = m->name;
    g->path = m->path ? m->path : "";
    g->license = m->license;
    g->license_name = m->license_name;
    g->license_link = m->license_link;
    int rc = LICSCAN_OK;
    for (uint32_t i = 0; i < m->nfiles && !rc; i++) {
        const ls_model_file *f = &m->files[i];
        rc =
            add_source(g, (ls_source){ f->file, f->role, f->base ? f->base : "",
                                       "", f->r, f->error, f->refpart });
    }
    /* what the card declares, when no file holds its text */
    const char *declared[2] = { m->license, m->license_name };
    for (int d = 0; d < 2 && !rc; d++) {
        if (no_id(declared[d]))
            continue;
        const licscan_license *lic = licscan_db_lookup(m->db, declared[d]);
        if (lic && !text_has(g, NULL, lic))
            rc = add_published(g, lic, NULL);
        if (lic && d == 0)
            break; /* license_name only matters with license: other */
    }
    if (!rc && m->nbases) {
        g->bases = ls_calloc(g->alloc, m->nbases, sizeof(*g->bases));
        if (!g->bases)
            rc = LICSCAN_ENOMEM;
    }
    /* the base models: found with their files, or known by their id */
    for (uint32_t b = 0; b < m->nbases && !rc; b++) {
        ls_base *base = &g->bases[g->nbases++];
        base->id = m->bases[b];
        base->from = "";
        for (uint32_t i = 0; i < m->nfiles; i++)
            if (m->files[i].base && !strcmp(m->files[i].base, base->id))
                base->from = "cache";
        if (*base->from)
            continue;
        char buf[512];
        const char *ids[8], *pattern = NULL;
        uint32_t n =
            ls_models_lookup(base->id, ids, 8, buf, sizeof(buf), &pattern);
        for (uint32_t k = 0; k < n && !rc; k++) {
            const licscan_license *lic = licscan_db_lookup(m->db, ids[k]);
            if (!lic)
                continue;
            base->from = "models.tsv";
            base->licenses[base->nlicenses++] = licscan_license_id(lic);
            if (!has_terms_of(g, lic)) /* not the model's own already */
                rc = add_published(g, lic, base->id);
        }
        if (n)
            snprintf(base->pattern, sizeof(base->pattern), "%s", pattern);
    }
    if (rc)
        ls_gathered_free(g);
    return rc;
}

void ls_gathered_free(ls_gathered *g)
{
    for (uint32_t i = 0; i < g->nowned; i++)
        licscan_result_free(g->owned[i]);
    if (g->alloc) {
        ls_free(g->alloc, g->owned);
        ls_free(g->alloc, g->src);
        ls_free(g->alloc, g->bases);
    }
    memset(g, 0, sizeof(*g));
}
