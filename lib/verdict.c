/* verdict.c -- the verdict and the facts as data: names, the facts
 * struct, the verdict's accessors and its JSON (policy_eval.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy_eval.h"

/* ---------- names ---------- */

static const char *const use_names[] = {
    "commercial", "hosted-service",     "distribute-weights",
    "modify",     "train-other-models", "research",
    "military"
};
#define NUSES (sizeof(use_names) / sizeof(use_names[0]))

const char *licscan_use_name(uint32_t use)
{
    for (uint32_t i = 0; i < NUSES; i++)
        if (use == 1u << i)
            return use_names[i];
    return NULL;
}

int licscan_use_lookup(const char *name)
{
    if (name)
        for (uint32_t i = 0; i < NUSES; i++)
            if (!strcasecmp(name, use_names[i]))
                return (int)(1u << i);
    return LICSCAN_ENOTFOUND;
}

static const char *const modality_names[] = { "unknown", "text", "multimodal" };

const char *licscan_modality_name(uint32_t m)
{
    return m < 3 ? modality_names[m] : NULL;
}

int licscan_modality_lookup(const char *name)
{
    if (name)
        for (int i = 0; i < 3; i++)
            if (!strcasecmp(name, modality_names[i]))
                return i;
    return LICSCAN_ENOTFOUND;
}

static const char *const verdict_names[] = { "allowed", "allowed-with-duties",
                                             "needs-license", "forbidden",
                                             "unknown" };

const char *licscan_verdict_name(uint32_t v)
{
    return v < 5 ? verdict_names[v] : NULL;
}

static const char *const kind_names[] = { "duty",   "threshold", "territory",
                                          "use",    "conflict",  "policy",
                                          "license" };

const char *licscan_reason_kind_name(uint32_t k)
{
    return k < 7 ? kind_names[k] : NULL;
}

/* ---------- facts ---------- */

int licscan_facts_init(licscan_facts *f, size_t size)
{
    if (!f || size < FACTS_V1)
        return LICSCAN_EINVAL;
    licscan_facts o;
    memset(&o, 0, sizeof(o));
    o.struct_size = (uint32_t)(size < sizeof(o) ? size : sizeof(o));
    o.mau = -1;
    o.revenue = -1;
    memcpy(f, &o, o.struct_size);
    return LICSCAN_OK;
}

void licscan_verdict_free(licscan_verdict *v)
{
    if (!v)
        return;
    ls_free(&v->alloc, v->reasons);
    for (int p = 0; p < NPARTS; p++)
        ls_free(&v->alloc, v->lic[p]);
    ls_free(&v->alloc, v->bases);
    ls_free(&v->alloc, v->files);
    ls_buf_free(&v->json);
    ls_arena_free(&v->arena);
    ls_alloc a = v->alloc;
    ls_free(&a, v);
}

uint32_t licscan_verdict_value(const licscan_verdict *v)
{
    return v ? v->value : LICSCAN_VERDICT_UNKNOWN;
}
const char *licscan_verdict_model(const licscan_verdict *v)
{
    return v && v->model ? v->model : "";
}
uint32_t licscan_verdict_conflict_count(const licscan_verdict *v)
{
    return v ? v->nconflicts : 0;
}
uint32_t licscan_verdict_license_count(const licscan_verdict *v, uint32_t part)
{
    return v && part < NPARTS ? v->nlic[part] : 0;
}
const char *licscan_verdict_license(const licscan_verdict *v, uint32_t part,
                                    uint32_t i)
{
    return v && part < NPARTS && i < v->nlic[part] ? v->lic[part][i] : NULL;
}
uint32_t licscan_verdict_reason_count(const licscan_verdict *v)
{
    return v ? v->nreasons : 0;
}
const licscan_reason *licscan_verdict_reason(const licscan_verdict *v,
                                             uint32_t i)
{
    return v && i < v->nreasons ? &v->reasons[i] : NULL;
}
uint32_t licscan_reason_kind(const licscan_reason *x)
{
    return x ? x->kind : 0;
}
uint32_t licscan_reason_outcome(const licscan_reason *x)
{
    return x ? x->outcome : LICSCAN_VERDICT_UNKNOWN;
}
const char *licscan_reason_code(const licscan_reason *x)
{
    return x ? x->code : "";
}
const char *licscan_reason_message(const licscan_reason *x)
{
    return x ? x->message : "";
}
int licscan_reason_flag(const licscan_reason *x) { return x ? x->flag : -1; }
const char *licscan_reason_license(const licscan_reason *x)
{
    return x ? x->license : "";
}
const char *licscan_reason_file(const licscan_reason *x)
{
    return x ? x->file : "";
}
const char *licscan_reason_base(const licscan_reason *x)
{
    return x ? x->base : "";
}
int licscan_reason_evidence(const licscan_reason *x, uint64_t *start,
                            uint64_t *end, const char **text,
                            const char **label)
{
    if (!x)
        return LICSCAN_EINVAL;
    if (!x->evidence)
        return LICSCAN_ENOTFOUND;
    if (start)
        *start = x->start;
    if (end)
        *end = x->end;
    if (text)
        *text = x->text;
    if (label)
        *label = x->label;
    return LICSCAN_OK;
}

/* ---------- JSON ---------- */

static void jstr(ls_buf *b, const char *s)
{
    size_t n = strlen(s);
    size_t need = licscan_json_escape(s, n, NULL, 0);
    ls_buf_putc(b, '"');
    if (ls_buf_reserve(b, need) == LICSCAN_OK) {
        licscan_json_escape(s, n, b->data + b->len, b->cap - b->len);
        b->len += need;
    }
    ls_buf_putc(b, '"');
}

static void jkey(ls_buf *b, bool *first, const char *k)
{
    if (!*first)
        ls_buf_putc(b, ',');
    *first = false;
    jstr(b, k);
    ls_buf_putc(b, ':');
}

static void jmember(ls_buf *b, bool *first, const char *k, const char *v)
{
    jkey(b, first, k);
    jstr(b, v);
}

static void jmember_opt(ls_buf *b, bool *first, const char *k, const char *v)
{
    if (v && *v)
        jmember(b, first, k, v);
}

static void jlist(ls_buf *b, const char *const *items, uint32_t n)
{
    ls_buf_putc(b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            ls_buf_putc(b, ',');
        jstr(b, items[i]);
    }
    ls_buf_putc(b, ']');
}

static void jreason(ls_buf *b, const licscan_reason *x)
{
    bool first = true;
    ls_buf_putc(b, '{');
    jmember(b, &first, "kind", kind_names[x->kind]);
    jmember(b, &first, "outcome", verdict_names[x->outcome]);
    jmember(b, &first, "code", x->code);
    jmember(b, &first, "message", x->message);
    if (x->flag >= 0)
        jmember(b, &first, "flag", licscan_flag_name((uint32_t)x->flag));
    jmember_opt(b, &first, "license", x->license);
    jmember_opt(b, &first, "file", x->file);
    jmember_opt(b, &first, "base", x->base);
    if (x->evidence) {
        char n[160];
        jkey(b, &first, "evidence");
        snprintf(n, sizeof(n),
                 "{\"start\":%llu,\"end\":%llu,\"line\":%u,\"col\":%u,"
                 "\"end_line\":%u,\"end_col\":%u",
                 (unsigned long long)x->start, (unsigned long long)x->end,
                 (unsigned)x->pos.line, (unsigned)x->pos.col,
                 (unsigned)x->pos.end_line, (unsigned)x->pos.end_col);
        ls_buf_puts(b, n);
        bool f2 = false;
        jmember_opt(b, &f2, "label", x->label);
        jmember(b, &f2, "text", x->text);
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, '}');
}

int licscan_verdict_json(licscan_verdict *v, const char **json, size_t *len)
{
    if (!v || !json)
        return LICSCAN_EINVAL;
    static const char *const part_names[NPARTS] = { "weights", "code", "policy",
                                                    "declared", "inherited" };
    ls_buf *b = &v->json;
    b->len = 0;
    b->failed = false;
    bool first = true;
    ls_buf_putc(b, '{');
    jmember(b, &first, "schema", "check-1");
    jmember(b, &first, "model", v->model);
    jmember_opt(b, &first, "path", v->path);
    jmember(b, &first, "verdict", verdict_names[v->value]);
    jkey(b, &first, "conflict");
    ls_buf_puts(b, v->nconflicts ? "true" : "false");
    jkey(b, &first, "licenses");
    ls_buf_putc(b, '{');
    for (int p = 0; p < NPARTS; p++) {
        if (p)
            ls_buf_putc(b, ',');
        jstr(b, part_names[p]);
        ls_buf_putc(b, ':');
        jlist(b, v->lic[p], v->nlic[p]);
    }
    ls_buf_putc(b, '}');
    jkey(b, &first, "bases");
    ls_buf_putc(b, '[');
    for (uint32_t i = 0; i < v->nbases; i++) {
        bool f2 = true;
        ls_buf_puts(b, i ? ",{" : "{");
        jmember(b, &f2, "id", v->bases[i].id);
        jmember(b, &f2, "from",
                *v->bases[i].from ? v->bases[i].from : "unknown");
        jmember_opt(b, &f2, "pattern", v->bases[i].pattern);
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, ']');
    for (int duties = 1; duties >= 0; duties--) {
        jkey(b, &first, duties ? "duties" : "reasons");
        ls_buf_putc(b, '[');
        bool any = false;
        for (uint32_t i = 0; i < v->nreasons; i++) {
            if ((v->reasons[i].kind == LICSCAN_REASON_DUTY) != duties)
                continue;
            if (any)
                ls_buf_putc(b, ',');
            any = true;
            jreason(b, &v->reasons[i]);
        }
        ls_buf_putc(b, ']');
    }
    jkey(b, &first, "files");
    ls_buf_putc(b, '[');
    for (uint32_t i = 0; i < v->nfiles; i++) {
        const vfile *f = &v->files[i];
        bool f2 = true;
        ls_buf_puts(b, i ? ",{" : "{");
        jmember(b, &f2, "file", f->file);
        jmember(b, &f2, "role", f->role);
        jmember_opt(b, &f2, "base", f->base);
        jmember(b, &f2, "spdx", f->spdx);
        jmember_opt(b, &f2, "error", f->error);
        ls_buf_putc(b, '}');
    }
    ls_buf_puts(b, "]}");
    if (b->failed)
        return LICSCAN_ENOMEM;
    *json = b->data;
    if (len)
        *len = b->len;
    return LICSCAN_OK;
}
