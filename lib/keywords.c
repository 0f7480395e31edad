/* keywords.c -- the keyword index of the clause rules, built each time
 * rules are added (rulefile.c): the keywords grouped by their first three
 * bytes, and the rules that have none (run on every clause). The engine
 * reads it through keywords.h. */
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
    ls_free(a, x);
}

static int kw_entry_cmp(const void *a, const void *b)
{
    const ls_kw_entry *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
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
    if (!x->e || !x->always || !x->group) {
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
