/* match1_hits_of.c -- stage 1 of matching, for a text tried as one
 * template whole (match.c, whole_template): the hits of some templates
 * alone, grouped as ls_group_all groups every template's
 * (match1_candidates.c). */
#include <string.h>

#include "match1_candidates.h"

/* ---- the hits of some templates alone ----
 * A text tried as one template whole needs the hits of that template and
 * its rivals only. The lists lie in ranges, templates in descending
 * index (db->common_of): a template's postings in a common list are
 * found by bisection, where nominating and grouping for every template
 * walk each of those lists whole. */

/* The first posting in [q, end) of a template at most t: galloping
 * from q, as the one sought is mostly near (or q itself, when the list
 * holds none of t). */
static uint32_t first_at_most(const uint16_t *post_tpl, uint32_t q,
                              uint32_t end, uint32_t t)
{
    uint32_t lo = q, step = 1;
    while (q < end && (post_tpl[q] & LS_POST_TPL_MAX) > t) {
        lo = q + 1;
        q = end - q > step ? q + step : end;
        step *= 2;
    }
    while (lo < q) {
        uint32_t mid = lo + (q - lo) / 2;
        if ((post_tpl[mid] & LS_POST_TPL_MAX) > t)
            lo = mid + 1;
        else
            q = mid;
    }
    return lo;
}

uint32_t ls_common_hits(const scan *s, uint32_t t)
{
    const uint16_t *post_tpl = s->db->post_tpl;
    uint32_t n = 0;
    t = s->db->hits_of[t]; /* a twin's are its twin's */
    for (uint32_t k = 0; k < s->nlook; k++) {
        if (!s->look[k].common)
            continue;
        uint32_t end = s->look[k].end;
        for (uint32_t q = first_at_most(post_tpl, s->look[k].head - 1, end, t);
             q < end && (post_tpl[q] & LS_POST_TPL_MAX) == t; q++)
            n++;
    }
    return n;
}

/* The postings of tpls[i] in the list of look-up k: [q, q + n). */
typedef struct common_run {
    uint32_t k, i, q, n;
} common_run;

/* ls_group_hits_of for the templates walked for those asked (`asked`,
 * some of them twins sharing another's hits: shared[0, nshared)): the
 * hits of tpls[0, n) (marked in some[]), the asked ones in s->order. */
static bool group_walked(scan *s, const uint8_t *some, const uint32_t *tpls,
                         uint32_t n, const uint8_t *asked,
                         const uint32_t *shared, uint32_t nshared)
{
    const licscan_db *db = s->db;
    const uint16_t *post_tpl = db->post_tpl, *post_pos = db->post_pos;
    const lookup *look = s->look;
    uint32_t nlook = s->nlook, *count = s->count, *start = s->start;
    uint32_t *saved =
        ls_malloc(s->a, 2 * ((size_t)n + nshared) * sizeof(uint32_t));
    uint32_t *in_common = ls_calloc(s->a, n, sizeof(uint32_t));
    uint8_t *nominated = ls_malloc(s->a, n);
    common_run *runs = NULL;
    uint32_t nruns = 0, runs_cap = 0;
    if (!saved || !in_common || !nominated) {
        s->rc = LICSCAN_ENOMEM;
        goto out;
    }
    /* the runs of these templates in the common lists, in input order */
    for (uint32_t k = 0; k < nlook; k++) {
        if (!look[k].common)
            continue;
        uint32_t q = look[k].head - 1, end = look[k].end;
        for (uint32_t i = 0; i < n && q < end; i++) {
            q = first_at_most(post_tpl, q, end, tpls[i]);
            uint32_t from = q;
            while (q < end && (post_tpl[q] & LS_POST_TPL_MAX) == tpls[i])
                q++;
            if (q == from)
                continue;
            if (LS_GROW(s->a, runs, runs_cap, nruns + 1)) {
                s->rc = LICSCAN_ENOMEM;
                goto out;
            }
            runs[nruns++] = (common_run){ k, i, from, q - from };
            in_common[i] += q - from;
        }
    }
    /* as nominate and group_hits count them */
    uint64_t total = 0;
    uint32_t maxc = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = tpls[i];
        saved[2 * i] = t;
        saved[2 * i + 1] = count[t];
        nominated[i] =
            count[t] >= 3 || (uint64_t)(count[t] + in_common[i]) * 5 >=
                                 2ull * db->tpl[t]->nshingles;
        if (nominated[i])
            count[t] += in_common[i];
        start[t] = (uint32_t)total;
        total += count[t];
        if (count[t] > maxc)
            maxc = count[t];
    }
    for (uint32_t j = 0; j < nshared; j++) {
        saved[2 * (n + j)] = shared[j];
        saved[2 * (n + j) + 1] = count[shared[j]];
    }
    s->some_counts = saved;
    s->nsome = n + nshared;
    saved = NULL;
    hit *hits = s->hits = ls_malloc(s->a, (total + LS_HIT_PAD) * sizeof(hit));
    uint32_t *order = s->order =
        ls_malloc(s->a, ((size_t)n + nshared + 1) * sizeof(uint32_t));
    if (!hits || !order) {
        s->rc = LICSCAN_ENOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < n; i++)
        count[tpls[i]] = start[tpls[i]]; /* where its next hit goes */
    for (uint32_t k = 0, r = 0; k < nlook; k++) {
        uint32_t x = look[k].x, q, v;
        if (!look[k].common) {
            q = look[k].head - 1;
            do {
                v = post_tpl[q];
                uint32_t t = v & LS_POST_TPL_MAX;
                if (some[t])
                    hits[count[t]++] = (hit){ x, post_pos[q] };
                q++;
            } while (!(v & LS_POST_LAST));
            continue;
        }
        for (; r < nruns && runs[r].k == k; r++) {
            const common_run *ru = &runs[r];
            if (!nominated[ru->i])
                continue;
            uint32_t *at = &count[tpls[ru->i]];
            for (q = ru->q; q < ru->q + ru->n; q++)
                hits[(*at)++] = (hit){ x, post_pos[q] };
        }
    }
    memset(hits + total, 0, LS_HIT_PAD * sizeof(hit));
    uint32_t norder = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t t = tpls[i];
        count[t] -= start[t];
        if (count[t] >= 3 && asked[t] && ls_template_matched(db->tpl[t]))
            order[norder++] = t;
    }
    for (uint32_t j = 0; j < nshared; j++) {
        uint32_t t = shared[j], u = db->hits_of[t];
        count[t] = count[u];
        start[t] = start[u];
        if (count[t] >= 3)
            order[norder++] = t;
    }
    ls_sort_by_hits(order, norder, count);
    s->norder = norder;
    ls_chain_room(s, maxc);
out:
    ls_free(s->a, runs);
    ls_free(s->a, saved);
    ls_free(s->a, in_common);
    ls_free(s->a, nominated);
    return !s->rc;
}

bool ls_group_hits_of(scan *s, const uint8_t *some, const uint32_t *tpls,
                      uint32_t n)
{
    const licscan_db *db = s->db;
    const lookup *look = s->look;
    uint32_t nlook = s->nlook;
    if (!db->common_of || db->whole_off || s->hits_cut || !n || !nlook)
        return false;
    /* below the limit with every common posting, nominating takes them
     * all for the templates it nominates (as here) */
    uint64_t most = s->total;
    for (uint32_t k = 0; k < nlook; k++)
        if (look[k].common)
            most += look[k].end - (look[k].head - 1);
    if (most > LS_MAX_HITS)
        return false;
    /* a twin whose postings the walks skip shares the hits of the one
     * walked for it (db->hits_of), which are grouped, asked or not */
    uint32_t nshared = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!ls_scan_words_ready(s, tpls[i]) ||
            !ls_scan_words_ready(s, db->hits_of[tpls[i]]))
            return false;
        nshared += db->hits_of[tpls[i]] != tpls[i];
    }
    if (!nshared)
        return group_walked(s, some, tpls, n, some, NULL, 0);
    uint8_t *walked = ls_calloc(s->a, (size_t)db->ntpl + 1, 1);
    uint32_t *list = ls_malloc(s->a, ((size_t)n + nshared) * sizeof(uint32_t));
    if (!walked || !list) {
        ls_free(s->a, walked);
        ls_free(s->a, list);
        s->rc = LICSCAN_ENOMEM;
        return false;
    }
    uint32_t *shared = list + n, nwalked = 0;
    for (uint32_t i = 0, j = 0; i < n; i++) {
        walked[db->hits_of[tpls[i]]] = 1;
        if (db->hits_of[tpls[i]] != tpls[i])
            shared[j++] = tpls[i];
    }
    for (uint32_t t = db->ntpl; t-- > 0;) /* descending, as tpls */
        if (walked[t])
            list[nwalked++] = t;
    bool done = group_walked(s, walked, list, nwalked, some, shared, nshared);
    ls_free(s->a, walked);
    ls_free(s->a, list);
    return done;
}

void ls_ungroup_hits_of(scan *s)
{
    for (uint32_t i = 0; i < s->nsome; i++)
        s->count[s->some_counts[2 * i]] = s->some_counts[2 * i + 1];
    ls_free(s->a, s->some_counts);
    s->some_counts = NULL;
    s->nsome = 0;
    ls_free(s->a, s->hits);
    ls_free(s->a, s->order);
    ls_free(s->a, s->used);
    ls_free(s->a, s->f);
    ls_free(s->a, s->prev);
    s->hits = NULL;
    s->order = NULL;
    s->used = NULL;
    s->f = NULL;
    s->prev = NULL;
    s->norder = s->maxc = 0;
}
