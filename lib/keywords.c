/* keywords.c -- the keyword index of the clause rules, built each time
 * rules are added (rulefile.c): the keywords grouped by their first three
 * bytes, the rules that have none (run on every clause), and which
 * `unless` patterns are one source. The engine reads it through
 * keywords.h. */
#include <stdlib.h>
#include <string.h>

#include "keywords.h"

void ls_kw_index_free(const ls_alloc *a, struct ls_kw_index *x)
{
    if (!x)
        return;
    ls_free(a, x->e);
    ls_free(a, x->always);
    ls_free(a, x->group);
    ls_free(a, x->unless_first);
    ls_free(a, x->unless_class);
    ls_free(a, x);
}

static int kw_entry_cmp(const void *a, const void *b)
{
    const ls_kw_entry *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

static bool same_source(const ls_pattern *p, const ls_pattern *q)
{
    return p->source_len == q->source_len &&
           memcmp(p->source, q->source, p->source_len) == 0;
}

/* x->unless_first and unless_class: a class per distinct unless source. */
static int unless_classes(const licscan_db *db, struct ls_kw_index *x)
{
    const ls_alloc *a = &db->alloc;
    uint32_t n = 0;
    for (uint32_t i = 0; i < db->rules.n; i++)
        n += db->rules.v[i]->nunless;
    x->unless_first = ls_calloc(a, db->rules.n + 1, sizeof(uint32_t));
    x->unless_class = ls_calloc(a, n + 1, sizeof(uint32_t));
    /* the first pattern of each class, to compare sources with */
    const ls_pattern **first = ls_calloc(a, n + 1, sizeof(*first));
    if (!x->unless_first || !x->unless_class || !first) {
        ls_free(a, first);
        return LICSCAN_ENOMEM;
    }
    uint32_t at = 0;
    for (uint32_t i = 0; i < db->rules.n; i++) {
        const ls_rule *r = db->rules.v[i];
        x->unless_first[i] = at;
        for (uint32_t k = 0; k < r->nunless; k++, at++) {
            uint32_t c = 0;
            while (c < x->nunless_classes &&
                   !same_source(first[c], r->unless[k]))
                c++;
            if (c == x->nunless_classes)
                first[x->nunless_classes++] = r->unless[k];
            x->unless_class[at] = c;
        }
    }
    x->unless_first[db->rules.n] = at;
    ls_free(a, first);
    return LICSCAN_OK;
}

int ls_kw_index_build(licscan_db *db)
{
    const ls_alloc *a = &db->alloc;
    uint32_t nkw = 0, nalways = 0;
    /* An attribute rule is not queued by the engine: values.c runs it on
     * the clauses around a flag it qualifies (below: counted for its
     * capture groups only). */
    for (uint32_t i = 0; i < db->rules.n; i++) {
        if (db->rules.v[i]->replaced || db->rules.v[i]->attr != LS_ATTR_NONE)
            continue;
        nkw += db->rules.v[i]->nkeywords;
        nalways += db->rules.v[i]->nkeywords == 0;
    }
    struct ls_kw_index *x = ls_calloc(a, 1, sizeof(*x));
    if (!x)
        return LICSCAN_ENOMEM;
    x->e = ls_calloc(a, nkw + 1, sizeof(ls_kw_entry));
    x->always = ls_calloc(a, nalways + 1, sizeof(uint32_t));
    x->group = ls_calloc(a, nkw + 1, sizeof(uint32_t));
    if (!x->e || !x->always || !x->group || unless_classes(db, x)) {
        ls_kw_index_free(a, x);
        return LICSCAN_ENOMEM;
    }
    for (uint32_t i = 0; i < db->rules.n; i++) {
        const ls_rule *r = db->rules.v[i];
        if (r->replaced)
            continue;
        for (uint32_t k = 0; k < r->nmatch; k++) {
            uint32_t groups = r->match[k]->ngroups;
            if (groups > x->max_groups)
                x->max_groups = groups;
        }
        if (r->attr != LS_ATTR_NONE)
            continue;
        if (!r->nkeywords)
            x->always[x->nalways++] = i;
        for (uint32_t k = 0; k < r->nkeywords; k++) {
            uint32_t len = (uint32_t)strlen(r->keywords[k]);
            uint32_t nhead = len < 8 ? len : 8;
            unsigned char ones[8] = { 0 };
            memset(ones, 0xff, nhead);
            ls_kw_entry *en = &x->e[x->ne++];
            *en = (ls_kw_entry){ r->keywords[k],
                                 len,
                                 i,
                                 kw_start(r->keywords[k]),
                                 kw_head(r->keywords[k], nhead),
                                 0 };
            memcpy(&en->head_mask, ones, 8);
        }
    }
    qsort(x->e, x->ne, sizeof(ls_kw_entry), kw_entry_cmp);
    uint32_t ngroups = 0;
    for (uint32_t k = 0; k < x->ne; k++) {
        uint32_t start = x->e[k].start;
        if (k && start == x->e[k - 1].start)
            continue;
        x->starts[start >> 6] |= 1ull << (start & 63);
        x->group[ngroups++] = k;
    }
    x->group[ngroups] = x->ne;
    for (uint32_t w = 1; w < KW_STARTS / 64; w++)
        x->rank[w] =
            x->rank[w - 1] + (uint32_t)__builtin_popcountll(x->starts[w - 1]);
    ls_kw_index_free(a, db->kw);
    db->kw = x;
    return LICSCAN_OK;
}
