/* rivals.c -- the rivals of each template: the templates whose
 * candidates a scan of the template's own text judges. Worked out once
 * for a set of templates (a compiled file, the embedded image), so that a
 * text that is one template whole is searched against those alone
 * (match.c). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "markup.h"
#include "rivals.h"

/* The text of template t as published: each var its original, the
 * optional blocks in. */
static int render(const ls_template *t, ls_buf *out)
{
    const char *src = t->source;
    size_t n = t->source_len, lit = 0;
    out->len = 0;
    for (size_t p = 0; p < n;) {
        size_t mark = ls_markup_len(src + p, n - p);
        if (!mark) {
            p++;
            continue;
        }
        ls_buf_append(out, src + lit, p - lit);
        if (MARK_AT(src + p, n - p, MARK_VAR)) {
            /* the original lies between its attribute and the next */
            const char *v = src + p, *e = v + mark;
            const char *o =
                memmem(v, mark, MARK_ORIGINAL, MARK_LEN(MARK_ORIGINAL));
            if (o) {
                o += MARK_LEN(MARK_ORIGINAL);
                const char *oe = memmem(o, (size_t)(e - o), MARK_MATCH,
                                        MARK_LEN(MARK_MATCH));
                if (!oe)
                    oe = e - MARK_LEN(MARK_VAR_CLOSE);
                if (oe > o)
                    ls_buf_append(out, o, (size_t)(oe - o));
            }
        }
        /* a mark may join two words: keep them apart */
        ls_buf_putc(out, ' ');
        p += mark;
        lit = p;
    }
    ls_buf_append(out, src + lit, n - lit);
    return out->failed ? LICSCAN_ENOMEM : LICSCAN_OK;
}

static int pair_cmp(const void *a, const void *b)
{
    const uint32_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

int ls_rivals_build(const licscan_db *db, ls_rivals *out)
{
    const ls_alloc *a = &db->alloc;
    memset(out, 0, sizeof(*out));
    uint8_t *judged = ls_malloc(a, (size_t)db->ntpl + 1);
    uint32_t *off = ls_malloc(a, ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    uint32_t *list = NULL, nlist = 0, cap = 0;
    ls_buf text;
    ls_buf_init(&text, a);
    int rc = judged && off ? LICSCAN_OK : LICSCAN_ENOMEM;
    for (uint32_t t = 0; t < db->ntpl && !rc; t++) {
        off[t] = nlist;
        const ls_template *tp = db->tpl[t];
        if (!ls_template_matched(tp))
            continue; /* never searched first: no scan asks */
        memset(judged, 0, db->ntpl);
        rc = render(tp, &text);
        if (!rc) {
            rc = ls_scan_judged(db, text.data ? text.data : "", text.len,
                                judged);
            /* a text the scan refuses (none should be) has no rivals: the
             * full search then runs for it */
            if (rc != LICSCAN_ENOMEM)
                rc = LICSCAN_OK;
        }
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
    ls_free(a, judged);
    if (rc) {
        ls_free(a, off);
        ls_free(a, list);
        return rc;
    }
    off[db->ntpl] = nlist;
    /* each way: u a rival of t makes t one of u (a text of u whose vars
     * take other words may bring t close, as t's own text brings u) */
    uint32_t *pair = ls_malloc(a, 4 * ((size_t)nlist + 1) * sizeof(uint32_t));
    if (!pair) {
        ls_free(a, off);
        ls_free(a, list);
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
    /* one allocation: off, then list */
    uint32_t *own =
        ls_malloc(a, ((size_t)db->ntpl + 1 + nlist) * sizeof(uint32_t));
    if (!own) {
        ls_free(a, off);
        ls_free(a, pair);
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
    out->n = nlist;
    return LICSCAN_OK;
}
