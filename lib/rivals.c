/* rivals.c -- the rivals of each template: the templates whose
 * candidates a scan of the template's own text judges, and that scan's
 * answer (ls_whole_answer). Worked out once for a set of templates (a
 * compiled file, the embedded image), so that a text that is one
 * template whole is searched against those alone, and the template's own
 * text against the winner alone (match.c). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "rivals.h"

/* The required word ids of tp into ids (tp->nrequired of them). */
static void required_ids(const ls_template *tp, uint32_t *ids)
{
    for (uint32_t k = 0, n = 0; k < tp->ntok; k++)
        if (!tp->optional[k])
            ids[n++] = tp->tok[k].id;
}

static int id_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The words of one sequence as bit masks, for the length of its longest
 * common subsequence with others (ls_lcs_length). */
typedef struct lcs_masks {
    uint32_t *ids;  /* distinct ids, ascending */
    uint64_t *mask; /* per distinct id, `words` words: its places */
    uint64_t *row;  /* the bit vector of the computation */
    uint32_t nids, words, n;
} lcs_masks;

static void lcs_masks_free(const ls_alloc *a, lcs_masks *m)
{
    ls_free(a, m->ids);
    ls_free(a, m->mask);
    ls_free(a, m->row);
    *m = (lcs_masks){ 0 };
}

static int lcs_masks_make(const ls_alloc *a, const uint32_t *seq, uint32_t n,
                          lcs_masks *m)
{
    *m = (lcs_masks){ .n = n, .words = n / 64 + 1 };
    m->ids = ls_malloc(a, ((size_t)n + 1) * sizeof(uint32_t));
    m->row = ls_malloc(a, m->words * sizeof(uint64_t));
    if (!m->ids || !m->row)
        goto fail;
    memcpy(m->ids, seq, (size_t)n * sizeof(uint32_t));
    qsort(m->ids, n, sizeof(uint32_t), id_cmp);
    for (uint32_t k = 0; k < n; k++)
        if (!m->nids || m->ids[m->nids - 1] != m->ids[k])
            m->ids[m->nids++] = m->ids[k];
    m->mask = ls_calloc(a, (size_t)m->nids * m->words + 1, sizeof(uint64_t));
    if (!m->mask)
        goto fail;
    for (uint32_t k = 0; k < n; k++) {
        const uint32_t *at =
            bsearch(&seq[k], m->ids, m->nids, sizeof(uint32_t), id_cmp);
        m->mask[(size_t)(at - m->ids) * m->words + k / 64] |= UINT64_C(1)
                                                              << (k % 64);
    }
    return LICSCAN_OK;
fail:
    lcs_masks_free(a, m);
    return LICSCAN_ENOMEM;
}

/* The length of the longest common subsequence of m's sequence and seq,
 * a row of the table at a time as one bit vector (Allison and Dix;
 * Hyyrö): a zero bit in v marks a place of m's sequence where the
 * length grew. */
static uint32_t lcs_with(lcs_masks *m, const uint32_t *seq, uint32_t n)
{
    uint64_t *v = m->row;
    for (uint32_t w = 0; w < m->words; w++)
        v[w] = ~UINT64_C(0);
    for (uint32_t k = 0; k < n; k++) {
        const uint32_t *at =
            bsearch(&seq[k], m->ids, m->nids, sizeof(uint32_t), id_cmp);
        if (!at)
            continue;
        const uint64_t *match = m->mask + (size_t)(at - m->ids) * m->words;
        uint64_t carry = 0;
        for (uint32_t w = 0; w < m->words; w++) {
            uint64_t u = v[w] & match[w];
            uint64_t sum = v[w] + u + carry;
            carry = sum < v[w] || (carry && sum == v[w]);
            v[w] = sum | (v[w] - u);
        }
    }
    uint32_t zeros = 0;
    for (uint32_t k = 0; k < m->n; k++)
        zeros += !(v[k / 64] >> (k % 64) & 1);
    return zeros;
}

uint32_t ls_lcs_length(const ls_alloc *a, const uint32_t *x, uint32_t nx,
                       const uint32_t *y, uint32_t ny)
{
    lcs_masks m;
    if (lcs_masks_make(a, x, nx, &m))
        return UINT32_MAX;
    uint32_t n = lcs_with(&m, y, ny);
    lcs_masks_free(a, &m);
    return n;
}

/* ls_rivals.shared of every entry into shared: for each template u, its
 * required words against those of each template it is a rival of. */
static int words_shared(const licscan_db *db, const ls_rivals *rv,
                        uint32_t *shared)
{
    const ls_alloc *a = &db->alloc;
    uint32_t most = 0;
    for (uint32_t t = 0; t < db->ntpl; t++)
        if (db->tpl[t]->nrequired > most)
            most = db->tpl[t]->nrequired;
    uint32_t *glue = ls_malloc(a, ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    uint32_t *ids = ls_malloc(a, ((size_t)most + 1) * sizeof(uint32_t));
    uint32_t *other = ls_malloc(a, ((size_t)most + 1) * sizeof(uint32_t));
    int rc = glue && ids && other ? LICSCAN_OK : LICSCAN_ENOMEM;
    /* an entry not worked out below bounds nothing */
    for (uint32_t k = 0; k < rv->n; k++)
        shared[k] = UINT32_MAX;
    for (uint32_t t = 0; t < db->ntpl && !rc; t++)
        glue[t] = ls_glue_words(db->tpl[t]);
    for (uint32_t u = 0; u < db->ntpl && !rc; u++) {
        /* the list holds each pair both ways: u is a rival of these */
        const uint32_t *r = rv->list + rv->off[u];
        uint32_t nr = rv->off[u + 1] - rv->off[u];
        if (!nr)
            continue;
        const ls_template *up = db->tpl[u];
        lcs_masks m;
        required_ids(up, ids);
        if ((rc = lcs_masks_make(a, ids, up->nrequired, &m)))
            break;
        for (uint32_t k = 0; k < nr; k++) {
            uint32_t t = r[k];
            const ls_template *tp = db->tpl[t];
            required_ids(tp, other);
            uint32_t common = lcs_with(&m, other, tp->nrequired);
            /* u's entry in t's list (sorted) */
            const uint32_t *at =
                bsearch(&u, rv->list + rv->off[t], rv->off[t + 1] - rv->off[t],
                        sizeof(uint32_t), id_cmp);
            if (at)
                shared[at - rv->list] = common + glue[t] + glue[u];
        }
        lcs_masks_free(a, &m);
    }
    ls_free(a, glue);
    ls_free(a, ids);
    ls_free(a, other);
    return rc;
}

static int pair_cmp(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

/* The answers found for the templates' texts, each once, by (ntok, key). */
typedef struct answers {
    ls_whole_answer *v;
    uint32_t n, cap;
} answers;

/* A probe of text, its answer kept in found when not NULL. A text the
 * scan refuses (none should be) has no answer, nor rivals: the full
 * search then runs for it. */
static int probe_text(const licscan_db *db, const ls_buf *text, ls_probe *pr,
                      answers *found)
{
    memset(pr->judged, 0, db->ntpl);
    pr->answer.ntok = 0;
    int rc = ls_scan_probe(db, text->data ? text->data : "", text->len, pr);
    if (rc)
        return rc == LICSCAN_ENOMEM ? rc : LICSCAN_OK;
    if (!found || !pr->answer.ntok)
        return LICSCAN_OK;
    if (LS_GROW(&db->alloc, found->v, found->cap, found->n + 1))
        return LICSCAN_ENOMEM;
    found->v[found->n++] = pr->answer;
    return LICSCAN_OK;
}

static int answer_cmp(const void *a, const void *b)
{
    const ls_whole_answer *x = a, *y = b;
    if (x->ntok != y->ntok)
        return x->ntok < y->ntok ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

/* The answers sorted, each key once: two templates of one text (twins)
 * find the same answer; two different answers under one key (a hash
 * collision) are both dropped, leaving that text to the search. */
static void answers_settle(answers *found)
{
    if (!found->n)
        return;
    qsort(found->v, found->n, sizeof(ls_whole_answer), answer_cmp);
    uint32_t n = 0;
    for (uint32_t k = 0; k < found->n;) {
        uint32_t e = k + 1;
        bool alike = true;
        while (e < found->n && !answer_cmp(&found->v[k], &found->v[e]))
            alike &=
                !memcmp(&found->v[k], &found->v[e++], sizeof(ls_whole_answer));
        if (alike)
            found->v[n++] = found->v[k];
        k = e;
    }
    found->n = n;
}

int ls_rivals_build(const licscan_db *db, ls_rivals *out)
{
    const ls_alloc *a = &db->alloc;
    memset(out, 0, sizeof(*out));
    uint8_t *judged = ls_malloc(a, (size_t)db->ntpl + 1);
    uint8_t *unused = ls_malloc(a, (size_t)db->ntpl + 1);
    uint32_t *off = ls_malloc(a, ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    uint32_t *list = NULL, nlist = 0, cap = 0;
    answers found = { 0 };
    ls_buf text, plain;
    ls_buf_init(&text, a);
    ls_buf_init(&plain, a);
    int rc = judged && unused && off ? LICSCAN_OK : LICSCAN_ENOMEM;
    for (uint32_t t = 0; t < db->ntpl && !rc; t++) {
        off[t] = nlist;
        const ls_template *tp = db->tpl[t];
        if (!ls_template_matched(tp))
            continue; /* never searched first: no scan asks */
        /* its rivals from its text with the marks kept apart; the answer
         * for its text as published, the one people meet */
        ls_probe pr = { .judged = judged }, published = { .judged = unused };
        rc = ls_template_published(tp, true, &text);
        if (!rc)
            rc = probe_text(db, &text, &pr, NULL);
        if (!rc)
            rc = ls_template_published(tp, false, &plain);
        if (!rc)
            rc = probe_text(db, &plain, &published, &found);
        for (uint32_t u = 0; u < db->ntpl && !rc; u++) {
            if (!judged[u] || u == t)
                continue;
            if (LS_GROW(a, list, cap, nlist + 1))
                rc = LICSCAN_ENOMEM;
            else
                list[nlist++] = u;
        }
    }
    ls_buf_free(&text);
    ls_buf_free(&plain);
    ls_free(a, judged);
    ls_free(a, unused);
    if (rc) {
        ls_free(a, off);
        ls_free(a, list);
        ls_free(a, found.v);
        return rc;
    }
    answers_settle(&found);
    off[db->ntpl] = nlist;
    /* each way: u a rival of t makes t one of u (a text of u whose vars
     * take other words may bring t close, as t's own text brings u) */
    uint32_t *pair = ls_malloc(a, 4 * ((size_t)nlist + 1) * sizeof(uint32_t));
    if (!pair) {
        ls_free(a, off);
        ls_free(a, list);
        ls_free(a, found.v);
        return LICSCAN_ENOMEM;
    }
    uint32_t npair = 0;
    for (uint32_t t = 0; t < db->ntpl; t++)
        for (uint32_t k = off[t]; k < off[t + 1]; k++) {
            pair[2 * npair] = t;
            pair[2 * npair + 1] = list[k];
            npair++;
            pair[2 * npair] = list[k];
            pair[2 * npair + 1] = t;
            npair++;
        }
    qsort(pair, npair, 2 * sizeof(uint32_t), pair_cmp);
    uint32_t n = 0;
    for (uint32_t k = 0; k < npair; k++)
        if (!n || pair[2 * k] != pair[2 * (n - 1)] ||
            pair[2 * k + 1] != pair[2 * (n - 1) + 1]) {
            pair[2 * n] = pair[2 * k];
            pair[2 * n + 1] = pair[2 * k + 1];
            n++;
        }
    nlist = n;
    ls_free(a, list);
    /* one allocation: off, then list, then shared */
    uint32_t *own = ls_malloc(a, ((size_t)db->ntpl + 1 + 2 * (size_t)nlist) *
                                     sizeof(uint32_t));
    if (!own) {
        ls_free(a, off);
        ls_free(a, pair);
        ls_free(a, found.v);
        return LICSCAN_ENOMEM;
    }
    for (uint32_t t = 0, k = 0; t <= db->ntpl; t++) {
        while (k < nlist && pair[2 * k] < t)
            k++;
        own[t] = k;
    }
    for (uint32_t k = 0; k < nlist; k++)
        own[db->ntpl + 1 + k] = pair[2 * k + 1];
    ls_free(a, off);
    ls_free(a, pair);
    out->own = own;
    out->off = own;
    out->list = own + db->ntpl + 1;
    out->shared = out->list + nlist;
    out->n = nlist;
    out->answers = out->own_answers = found.v;
    out->nanswers = found.n;
    rc = words_shared(db, out, own + db->ntpl + 1 + nlist);
    if (rc)
        ls_rivals_free(db, out);
    return rc;
}
