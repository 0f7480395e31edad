/* memobuild.c -- the clause memo, built for the embedded set when the
 * library is built (tools/freeze.c) and for every template of a database
 * written to a file (dbfile_write.c): each clause of the templates
 * segmented (segment.h) and run through the engine (engine.h) once, and
 * what fires on it by its own words kept with the rules whose `within`
 * and `unless-anywhere` patterns it matches. memo.c finds these answers
 * at scan time. */
#include <string.h>

#include "engine.h"
#include "memo.h"

typedef struct memo_builder {
    const ls_alloc *a;
    ls_memo_clause *clause;
    uint32_t nclause, clause_cap;
    uint32_t *slot;
    uint32_t cap;
    ls_buf text;
    ls_memo_fired *fired;
    uint32_t nfired, fired_cap;
    uint32_t *context;
    uint32_t ncontext, context_cap;
} memo_builder;

/* The rules whose within and unless-anywhere patterns match clause c. */
static int memo_context(memo_builder *b, engine *e, uint32_t c)
{
    const ls_ruleset *rs = &e->db->rules;
    for (uint32_t r = 0; r < rs->n; r++) {
        const ls_rule *rule = rs->v[r];
        for (int anywhere = 0; anywhere < 2; anywhere++) {
            ls_pattern *code = anywhere ? rule->unless_anywhere : rule->within;
            if (rule->replaced || !code ||
                !ls_engine_run_pattern(e, code, &e->s->cl[c]))
                continue;
            if (LS_GROW(b->a, b->context, b->context_cap, b->ncontext + 1))
                return LICSCAN_ENOMEM;
            b->context[b->ncontext++] = r | (anywhere ? LS_MEMO_ANYWHERE : 0);
        }
    }
    return e->rc;
}

/* Put entry `idx` into a slot table of `cap` entries. */
static void memo_place(const ls_memo_clause *cl, uint32_t *slot, uint32_t cap,
                       uint32_t idx)
{
    uint32_t i = (uint32_t)cl[idx].hash & (cap - 1);
    while (slot[i])
        i = (i + 1) & (cap - 1);
    slot[i] = idx + 1;
}

static int memo_grow_slots(memo_builder *b)
{
    if (b->cap && (b->nclause + 1) * 2 <= b->cap)
        return LICSCAN_OK;
    uint32_t cap = b->cap ? b->cap * 2 : 1024;
    uint32_t *slot = ls_calloc(b->a, cap, sizeof(uint32_t));
    if (!slot)
        return LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < b->nclause; i++)
        memo_place(b->clause, slot, cap, i);
    ls_free(b->a, b->slot);
    b->slot = slot;
    b->cap = cap;
    return LICSCAN_OK;
}

/* Add the clauses of one segmented text not in the memo yet, each with
 * the rules that fire on it by its own text. A clause on which a PCRE2
 * limit was hit is left out: its answer is not known. */
static int memo_add_text(memo_builder *b, engine *e, const seg *s)
{
    int rc = ls_engine_prepare(e, s);
    ls_clause_memo view = { .clause = b->clause,
                            .slot = b->slot,
                            .cap = b->cap };
    uint32_t hi = 0;
    for (uint32_t c = 0; c < s->ncl && !rc; c++) {
        const clause *cl = &s->cl[c];
        const char *t = s->disp.data + cl->ds;
        uint32_t n = cl->de - cl->ds;
        uint32_t first = b->nfired, first_context = b->ncontext;
        view.text = b->text.data;
        /* known, or not by its text alone: not added */
        bool known = !ls_memo_may_answer(s, cl) ||
                     ls_memo_find(&view, t, n, ls_memo_hash(t, n)) != 0;
        e->limit_hit = false;
        for (; hi < e->nhits && e->hits[hi].clause == c && !rc; hi++) {
            fired f;
            if (known || !ls_engine_fires_alone(e, e->hits[hi].rule, c, &f))
                continue;
            if ((rc = LS_GROW(b->a, b->fired, b->fired_cap, b->nfired + 1)))
                break;
            ls_memo_fired *m = &b->fired[b->nfired++];
            *m = (ls_memo_fired){ f.number, f.rule, f.vs, f.ve, f.qs, f.qe, 0 };
            move_spans(&m->vs, &m->ve, &m->qs, &m->qe, cl->ds, 0);
        }
        rc = rc ? rc : e->rc;
        if (!known && !rc)
            rc = memo_context(b, e, c);
        if (known || rc || e->limit_hit) {
            b->nfired = first;
            b->ncontext = first_context;
            continue;
        }
        if ((rc = memo_grow_slots(b)) ||
            (rc = LS_GROW(b->a, b->clause, b->clause_cap, b->nclause + 1)))
            break;
        b->clause[b->nclause] = (ls_memo_clause){ ls_memo_hash(t, n),
                                                  (uint32_t)b->text.len,
                                                  n,
                                                  first,
                                                  b->nfired - first,
                                                  first_context,
                                                  b->ncontext - first_context };
        ls_buf_append(&b->text, t, n);
        if (b->text.failed)
            return LICSCAN_ENOMEM;
        memo_place(b->clause, b->slot, b->cap, b->nclause++);
        view.clause = b->clause;
        view.slot = b->slot;
        view.cap = b->cap;
    }
    return rc;
}

int ls_memo_build(const licscan_db *db, const char *const *texts,
                  const size_t *lens, uint32_t n, ls_clause_memo *out)
{
    memset(out, 0, sizeof(*out));
    if (!db->rules.n || !db->kw)
        return LICSCAN_OK;
    memo_builder b = { .a = &db->alloc };
    ls_buf_init(&b.text, &db->alloc);
    engine e = { .db = db, .a = &db->alloc };
    int rc = ls_engine_start(&e);
    for (uint32_t i = 0; i < n && !rc; i++) {
        seg s;
        ls_seg_init(&s, &db->alloc, texts[i], lens[i]);
        ls_segment(&s);
        rc = s.failed ? LICSCAN_ENOMEM : memo_add_text(&b, &e, &s);
        ls_seg_free(&s);
    }
    ls_engine_free(&e);
    if (!rc)
        rc = memo_grow_slots(&b);
    if (rc) {
        ls_free(b.a, b.clause);
        ls_free(b.a, b.slot);
        ls_free(b.a, b.fired);
        ls_free(b.a, b.context);
        ls_buf_free(&b.text);
        return rc;
    }
    *out = (ls_clause_memo){ .clause = b.clause,
                             .nclause = b.nclause,
                             .slot = b.slot,
                             .cap = b.cap,
                             .text = b.text.data,
                             .text_len = (uint32_t)b.text.len,
                             .fired = b.fired,
                             .nfired = b.nfired,
                             .context = b.context,
                             .ncontext = b.ncontext,
                             .nrules = db->rules.n,
                             .rules_hash = ls_embedded_rules_hash(),
                             .match_limit = db->opts.regex_match_limit,
                             .heap_limit_kib = db->opts.regex_heap_limit_kib };
    return LICSCAN_OK;
}

/* A template's text as published, in an allocation of its own. */
static char *render(const licscan_db *db, const ls_template *t, size_t *len)
{
    ls_buf b;
    ls_buf_init(&b, &db->alloc);
    if (ls_template_published(t, false, &b) ||
        (!b.data && ls_buf_reserve(&b, 1))) {
        ls_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data; /* the buffer's allocation */
}

/* A template's wording as a difference quotes it, and the rules read it
 * (flag changes): whitespace collapsed, markup made spaces. */
static char *wording(const licscan_db *db, const ls_template *t, size_t *len)
{
    char *collapsed = ls_malloc(&db->alloc, t->source_len + 1);
    if (!collapsed)
        return NULL;
    size_t o = ls_collapse_spaces(collapsed, t->source, t->source_len);
    ls_buf b;
    ls_buf_init(&b, &db->alloc);
    ls_append_plain(&b, collapsed, o);
    ls_free(&db->alloc, collapsed);
    if (b.failed || !b.data) {
        ls_buf_free(&b);
        return NULL;
    }
    *len = b.len;
    return b.data; /* the buffer's allocation, NUL-terminated */
}

int ls_memo_build_templates(const licscan_db *db, ls_clause_memo *out)
{
    const ls_alloc *a = &db->alloc;
    uint32_t n = 2 * db->ntpl;
    const char **texts = ls_calloc(a, n + 1, sizeof(char *));
    size_t *lens = ls_calloc(a, n + 1, sizeof(size_t));
    int rc = texts && lens ? LICSCAN_OK : LICSCAN_ENOMEM;
    for (uint32_t i = 0; i < db->ntpl && !rc; i++)
        if (!(texts[2 * i] = render(db, db->tpl[i], &lens[2 * i])) ||
            !(texts[2 * i + 1] = wording(db, db->tpl[i], &lens[2 * i + 1])))
            rc = LICSCAN_ENOMEM;
    if (!rc)
        rc = ls_memo_build(db, texts, lens, n, out);
    for (uint32_t i = 0; texts && i < n; i++)
        ls_free(a, (char *)texts[i]);
    ls_free(a, texts);
    ls_free(a, lens);
    return rc;
}

void ls_memo_free(const licscan_db *db, ls_clause_memo *m)
{
    ls_free(&db->alloc, (void *)m->clause);
    ls_free(&db->alloc, (void *)m->slot);
    ls_free(&db->alloc, (void *)m->text);
    ls_free(&db->alloc, (void *)m->fired);
    ls_free(&db->alloc, (void *)m->context);
    memset(m, 0, sizeof(*m));
}
