/* match1_candidates.c -- stage 1 of matching: candidates.
 *
 * Every window of LS_SHINGLE input words is looked up in the shingle
 * index; each posting is a hit (input position, template position) for
 * one template. Linear in the input. The hits are grouped by template in
 * input order, and the templates ordered for the chain search (stage 2),
 * with the bounds that let it skip a template whose hits cannot matter. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "match1_candidates.h"
#include "shingle_probe.h"

#define RARE_SHINGLE 8 /* license texts a shingle of one license's own
                          wording is found in, its family's included */

/* One past the last posting of the common list at head, or 0 when the
 * list is not common (db->common_of). */
static inline uint32_t common_end(const licscan_db *db, uint32_t head)
{
    if (!(db->common_bits[head / 64] >> (head % 64) & 1))
        return 0;
    uint32_t mask = db->common_cap - 1, j = (uint32_t)ls_mix64(head) & mask;
    for (; db->common_head[j]; j = (j + 1) & mask)
        if (db->common_head[j] == head)
            return db->common_end[j];
    return 0;
}

/* The walks do not meet the postings of a twin whose twin's are walked
 * for it (db->hits_of): its counts are that one's. */
static void share_twins_counts(const licscan_db *db, uint32_t *count)
{
    for (uint32_t k = 0; k < db->naliased; k++)
        count[db->aliased[k]] = count[db->hits_of[db->aliased[k]]];
}

/* ... and its hits, once grouped, are that one's. */
static void share_twins_hits(const licscan_db *db, uint32_t *count,
                             uint32_t *start)
{
    for (uint32_t k = 0; k < db->naliased; k++) {
        uint32_t t = db->aliased[k], u = db->hits_of[t];
        count[t] = count[u];
        start[t] = start[u];
    }
}

/* Shingles ahead of the look-up whose index slots are asked for. */
#define SHINGLE_AHEAD 8

/* The key of the shingle at tk, its first index slot asked for. */
static inline uint64_t key_ahead(const licscan_db *db, const ls_token *tk)
{
    uint32_t ids[LS_SHINGLE];
    for (int k = 0; k < LS_SHINGLE; k++)
        ids[k] = tk[k].id;
    uint64_t key = ls_shingle_key(ids);
    uint32_t j = (uint32_t)key & (db->sh_cap - 1);
    __builtin_prefetch(&db->sh_keys[j]);
    __builtin_prefetch(&db->sh_head[j]);
    return key;
}

/* ---- following a template ----
 * A text that runs along a template's words has, at each place, the
 * shingle the template has at the matching place, and so the same list:
 * the template's heads (ls_template.heads) give it in order, without a
 * probe of the index. Only where the words are the same, so the list is
 * the one a probe would find. */
typedef struct follow {
    const ls_template *tp; /* NULL: none */
    uint32_t y;            /* its word the next shingle should start at */
    uint32_t lost;         /* shingles since one lay along it */
    /* the input shingle known to start with the words of tp at y, all
     * but its last (the next after one found along it) */
    uint32_t x;
} follow;

#define FOLLOW_SKIP 8 /* template words a text may leave out, still followed */
#define FOLLOW_LOST 2 /* shingles off it before another template is taken */
#define FOLLOW_TRY 8  /* postings of a list asked for a template to follow */

static inline bool same_words(const ls_token *a, const ls_token *b)
{
    return a[0].id == b[0].id && a[1].id == b[1].id && a[2].id == b[2].id &&
           a[3].id == b[3].id;
}

/* The list of input shingle i (at tk) when it lies along the followed
 * template, at its next word or a few further: true and *head set. */
static inline bool along(follow *f, const ls_token *tk, uint32_t i,
                         uint32_t *head)
{
    const ls_template *tp = f->tp;
    if (!tp)
        return false;
    /* the next shingle after one along it: only its last word to compare */
    if (f->x == i && f->y + LS_SHINGLE <= tp->ntok &&
        tk[LS_SHINGLE - 1].id == tp->tok[f->y + LS_SHINGLE - 1].id) {
        *head = tp->heads[f->y++];
        f->lost = 0;
        f->x = i + 1;
        return true;
    }
    for (uint32_t w = 0; w <= FOLLOW_SKIP && f->y + w + LS_SHINGLE <= tp->ntok;
         w++)
        if (same_words(tk, tp->tok + f->y + w)) {
            f->y += w;
            *head = tp->heads[f->y++];
            f->lost = 0;
            f->x = i + 1;
            return true;
        }
    f->lost++;
    return false;
}

/* The list at head, asked for now so that it is on its way while the next
 * shingles are looked up (the lists are walked after). */
static inline void ask_for_list(const licscan_db *db, uint32_t head,
                                bool ranges)
{
    uint32_t at = head - (head != 0);
    if (ranges) {
        __builtin_prefetch(&db->post_tpl[at]);
        __builtin_prefetch(&db->post_pos[at]);
        __builtin_prefetch(&db->common_bits[head / 64]);
    } else {
        __builtin_prefetch(&db->post[at]);
    }
}

/* From shingle i, the one after a shingle along the followed template:
 * while each next shingle's last word is the template's next (the others
 * being known equal), its list is the template's next head, kept in
 * look[] in one loop (a text along a template is most of the shingles).
 * Returns the first shingle not taken. A word not in the dictionary
 * stops the run: such a shingle is never looked up. */
static inline uint32_t run_along(follow *f, const licscan_db *db,
                                 const ls_token *tk, uint32_t i, uint32_t nsh,
                                 lookup *look, uint32_t *nlook, bool ranges)
{
    const ls_template *tp = f->tp;
    if (!tp || f->x != i)
        return i;
    /* shingles left in the input, and in the template from y */
    uint32_t y = f->y, run = nsh - i, n = *nlook;
    if (y + LS_SHINGLE > tp->ntok)
        return i;
    if (run > tp->ntok - LS_SHINGLE + 1 - y)
        run = tp->ntok - LS_SHINGLE + 1 - y;
    const ls_token *next = tk + i + LS_SHINGLE - 1;
    const ls_token *want = tp->tok + y + LS_SHINGLE - 1;
    const uint32_t *heads = tp->heads + y;
    uint32_t k = 0;
    for (; k < run && next[k].id && next[k].id == want[k].id; k++) {
        /* (look[].common and .end are set when the lists are walked) */
        look[n].x = i + k;
        look[n].head = heads[k];
        n += heads[k] != 0;
        ask_for_list(db, heads[k], ranges);
    }
    i += k;
    y += k;
    if (y != f->y) {
        f->y = y;
        f->lost = 0;
        f->x = i;
    }
    *nlook = n;
    return i;
}

/* After a probe of input word i found list head: when no template is
 * followed any more, take one of that list whose next words are the
 * input's. */
static void take_up(follow *f, const licscan_db *db, const ls_token *tk,
                    uint32_t i, uint32_t n, uint32_t head)
{
    if ((f->tp && f->lost <= FOLLOW_LOST) || i + 1 + LS_SHINGLE > n)
        return;
    uint32_t tries = 0;
    for (uint32_t q = head; q && tries < FOLLOW_TRY;
         q = db->post[q - 1].next, tries++) {
        const ls_template *tp = db->tpl[db->post[q - 1].tpl];
        uint32_t y = db->post[q - 1].pos + 1;
        if (tp->heads && y + LS_SHINGLE <= tp->ntok &&
            ls_words_ready(db, tp->index) && /* (else: nominate fails) */
            same_words(tk + i + 1, tp->tok + y)) {
            *f = (follow){ tp, y, 0, i + 1 };
            return;
        }
    }
}

/* Look up every shingle: the hits of each template are counted, and
 * the look-ups that found postings kept. The index is far bigger than the
 * cache and each probe lands anywhere in it: a shingle along the template
 * followed is not probed at all, and for the others the keys are worked
 * out SHINGLE_AHEAD shingles ahead, and their slots asked for then. The
 * shingles found are gathered first (without a branch on whether one
 * was), their lists walked after. (Locals throughout: a store to count[]
 * could alias the scan's fields as the compiler sees it.) */
void ls_look_up(scan *s)
{
    const licscan_db *db = s->db;
    const ls_token *tk = s->tk;
    uint32_t *count = s->count;
    uint32_t nlook = 0;
    uint64_t total = 0;
    uint32_t last_unknown = UINT32_MAX;
    uint64_t ahead[SHINGLE_AHEAD];
    uint32_t nsh = s->n >= LS_SHINGLE && db->sh_cap ? s->n - LS_SHINGLE + 1 : 0;
    s->nlook = 0;
    s->total = 0;
    if (!nsh)
        return;
    /* one entry at most per input position */
    lookup *look = ls_malloc(s->a, (size_t)nsh * sizeof(*look));
    if (!look) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    s->look = look;
    bool ranges = db->common_of && !db->whole_off;
    const uint16_t *post_tpl = db->post_tpl;
    follow f = { 0 };
    /* a compiled set's templates have their heads, others none */
    bool may_follow = db->ntpl && db->tpl[0]->heads;
    uint32_t keyed = 0; /* ahead holds the keys of the shingles below it */
    /* the last unknown word so far: each shingle adds its last word */
    for (uint32_t k = 0; k + 1 < LS_SHINGLE; k++)
        if (!tk[k].id)
            last_unknown = k;
    for (uint32_t i = 0; i < nsh; i++) {
        i = run_along(&f, db, tk, i, nsh, look, &nlook, ranges);
        if (i == nsh)
            break;
        if (!f.tp || f.lost) /* probes may be needed: keys ahead */
            for (keyed = keyed > i ? keyed : i;
                 keyed < i + SHINGLE_AHEAD && keyed < nsh; keyed++)
                ahead[keyed % SHINGLE_AHEAD] = key_ahead(db, tk + keyed);
        if (!tk[i + LS_SHINGLE - 1].id)
            last_unknown = i + LS_SHINGLE - 1;
        if (last_unknown != UINT32_MAX && last_unknown >= i)
            continue;
        uint32_t head;
        if (!along(&f, tk + i, i, &head)) {
            uint64_t key =
                keyed > i ? ahead[i % SHINGLE_AHEAD] : key_ahead(db, tk + i);
            head = ls_probe_head(db, key);
            if (head && may_follow)
                take_up(&f, db, tk, i, s->n, head);
        }
        look[nlook] = (lookup){ .x = i, .head = head };
        nlook += head != 0;
        ask_for_list(db, head, ranges);
    }
    for (uint32_t k = 0; k < nlook; k++) {
        uint32_t head = look[k].head;
        bool common;
        uint32_t end = 0;
        if (ranges) {
            /* the table says which lists are common */
            end = common_end(db, head);
            common = end != 0;
            if (!common) {
                /* the list runs on until a posting that ends it */
                const uint16_t *p = post_tpl + head - 1;
                uint32_t added = 0, v;
                do {
                    v = p[added++];
                    count[v & LS_POST_TPL_MAX]++;
                } while (!(v & LS_POST_LAST));
                if (total + added > LS_MAX_HITS) {
                    for (uint32_t q = 0; q < added; q++)
                        count[p[q] & LS_POST_TPL_MAX]--;
                    s->res->input_flags |= LICSCAN_INPUT_SEARCH_LIMIT;
                    s->hits_cut = true;
                    nlook = k;
                    break;
                }
                total += added;
            }
        } else {
            /* the templates of the postings, up to one past a common
             * shingle */
            uint32_t tpls[LS_COMMON_SHINGLE + 1], added = 0;
            for (uint32_t q = head; q && added <= LS_COMMON_SHINGLE;
                 q = db->post[q - 1].next)
                tpls[added++] = db->post[q - 1].tpl;
            common = added > LS_COMMON_SHINGLE;
            if (!common) {
                if (total + added > LS_MAX_HITS) {
                    s->res->input_flags |= LICSCAN_INPUT_SEARCH_LIMIT;
                    s->hits_cut = true;
                    nlook = k;
                    break;
                }
                for (uint32_t q = 0; q < added; q++)
                    count[tpls[q]]++;
                total += added;
            }
        }
        look[k].common = common;
        look[k].end = end;
    }
    s->nlook = nlook;
    s->total = total;
    if (ranges)
        share_twins_counts(db, count);
}

bool ls_shingle_rare(const scan *s, uint32_t k)
{
    const licscan_db *db = s->db;
    const lookup *lk = &s->look[k];
    const ls_token *tk = s->tk;
    if (lk->common)
        return false;
    /* long templates index a content-chosen quarter of their shingles:
     * only a shingle of that quarter is counted in every text holding it */
    uint32_t ids[LS_SHINGLE];
    for (int w = 0; w < LS_SHINGLE; w++)
        ids[w] = tk[lk->x + w].id;
    if (!ls_shingle_sampled(ls_shingle_key(ids)))
        return false;
    uint32_t ntexts = 0, last = UINT32_MAX;
    /* a template's postings of one shingle are adjacent (it is indexed
     * whole before the next) */
    for (uint32_t q = lk->head; q && ntexts <= RARE_SHINGLE;
         q = db->post[q - 1].next) {
        uint32_t t = db->post[q - 1].tpl;
        if (t == last || db->tpl[t]->twin != LS_NO_TWIN)
            continue;
        last = t;
        ntexts++;
    }
    return ntexts <= RARE_SHINGLE;
}

uint32_t ls_distinct_words(scan *s, const uint32_t *in, uint32_t n,
                           uint32_t enough)
{
    if (!n || !s->nlook)
        return 0;
    uint32_t x0 = in[0], x1 = in[n - 1];
    /* look-ups are in input order: the first that may hold word x0 */
    uint32_t lo = 0, hi = s->nlook;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->look[mid].x + LS_SHINGLE <= x0)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* a shingle's words [x, x + LS_SHINGLE) move on with x: the words of
     * in[] are met in order, each counted once, and a shingle none of
     * them lies in is not asked about */
    uint32_t got = 0, w = 0;
    for (uint32_t k = lo; k < s->nlook && s->look[k].x <= x1 && got < enough;
         k++) {
        uint32_t a = s->look[k].x, b = a + LS_SHINGLE - 1;
        while (w < n && in[w] < a)
            w++;
        if (w == n)
            break;
        if (in[w] > b || !ls_shingle_rare(s, k))
            continue;
        for (; w < n && in[w] <= b && got < enough; w++)
            got++;
    }
    return got;
}

/* Boilerplate shingles (in many templates) nominate none: they serve as
 * anchors only for templates that distinctive shingles nominated, or
 * that have two fifths of their own shingles here: a text made only of widely
 * shared wording (BSD-3-Clause) is still itself. */
static void nominate(scan *s)
{
    const licscan_db *db = s->db;
    lookup *look = s->look;
    uint32_t nlook = s->nlook, *count = s->count;
    uint64_t total = s->total;
    uint8_t *nominated = s->nominated = ls_malloc(s->a, db->ntpl + 1);
    if (!nominated) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    uint32_t *all_hits = s->all_hits =
        ls_calloc(s->a, db->ntpl + 1, sizeof(uint32_t));
    if (!all_hits) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    bool laid = db->common_of && !db->whole_off;
    for (uint32_t k = 0; k < nlook; k++) {
        if (!look[k].common)
            continue;
        if (laid) /* a range */
            for (uint32_t q = look[k].head - 1; q < look[k].end; q++)
                all_hits[db->post_tpl[q] & LS_POST_TPL_MAX]++;
        else
            for (uint32_t q = look[k].head; q; q = db->post[q - 1].next)
                all_hits[db->post[q - 1].tpl]++;
    }
    if (laid)
        share_twins_counts(db, all_hits);
    /* the templates with postings of either kind, in index order: those
     * below ask of no other (one pass over all, not one each) */
    uint32_t *with = s->hit_tpl =
        ls_malloc(s->a, ((size_t)db->ntpl + 1) * sizeof(uint32_t));
    if (!with) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    uint32_t nwith = 0;
    for (uint32_t t = 0; t < db->ntpl; t++) {
        with[nwith] = t;
        nwith += (count[t] | all_hits[t]) != 0;
    }
    s->nhit_tpl = nwith;
    uint64_t with_common = total;
    for (uint32_t k = 0; k < nwith; k++) {
        uint32_t t = with[k];
        if (!ls_scan_words_ready(s, t)) /* the templates searched from here */
            return;
        /* two fifths of its shingles: a copy cut short before its
         * disclaimer (BSD-3-Clause's three clauses alone) is still one */
        nominated[t] =
            count[t] >= 3 || (uint64_t)(count[t] + all_hits[t]) * 5 >=
                                 2ull * db->tpl[t]->nshingles;
        if (nominated[t] && !(laid && db->hits_of[t] != t))
            with_common += all_hits[t]; /* (a twin's are its twin's) */
    }
    /* all the common postings of nominated templates, when there is room
     * for them (else the look-ups are taken in order while there is) */
    if (with_common <= LS_MAX_HITS) {
        for (uint32_t k = 0; k < nwith; k++)
            if (nominated[with[k]])
                count[with[k]] += all_hits[with[k]];
        total = with_common;
    } else {
        /* the look-ups taken in order while there is room for all the
         * postings group_hits would put of each; from the first there is
         * none for on, each dropped whole */
        bool room = true;
        for (uint32_t k = 0; k < nlook; k++) {
            if (!look[k].common)
                continue;
            uint64_t added = 0;
            for (int take = 0; take < 2 && room; take++) {
                if (laid)
                    for (uint32_t q = look[k].head - 1; q < look[k].end; q++) {
                        uint32_t t = db->post_tpl[q] & LS_POST_TPL_MAX;
                        added += !take && nominated[t];
                        count[t] += take && nominated[t];
                    }
                else
                    for (uint32_t q = look[k].head; q;
                         q = db->post[q - 1].next) {
                        uint32_t t = db->post[q - 1].tpl;
                        added += !take && nominated[t];
                        count[t] += take && nominated[t];
                    }
                room = total + added <= LS_MAX_HITS;
            }
            if (!room) {
                s->res->input_flags |= LICSCAN_INPUT_SEARCH_LIMIT;
                look[k].common = 2; /* dropped */
                continue;
            }
            total += added;
        }
        if (laid)
            share_twins_counts(db, count);
    }
    s->total = total;
}

void ls_chain_room(scan *s, uint32_t maxc)
{
    s->maxc = maxc;
    s->used = ls_malloc(s->a, maxc + 1);
    s->f = ls_calloc(s->a, maxc + LS_HIT_PAD, sizeof(float));
    s->prev = ls_malloc(s->a, (maxc + 1) * sizeof(int32_t));
    if (!s->used || !s->f || !s->prev)
        s->rc = LICSCAN_ENOMEM;
}

/* Hits grouped by template, in input order; room for the chain search
 * of the template with the most. */
static void group_hits(scan *s)
{
    const licscan_db *db = s->db;
    const lookup *look = s->look;
    const uint8_t *nominated = s->nominated;
    uint32_t nlook = s->nlook, *count = s->count, *start = s->start;
    /* (chaining reads up to LS_HIT_PAD hits and values past a
     * template's last) */
    hit *hits = s->hits =
        ls_malloc(s->a, (s->total + LS_HIT_PAD) * sizeof(hit));
    if (!hits) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    /* count[t] is where template t's next hit goes while they are put */
    uint32_t maxc = 0;
    bool laid = db->common_of && !db->whole_off;
    const uint32_t *with = s->hit_tpl, nwith = s->nhit_tpl;
    for (uint32_t k = 0, acc = 0; k < nwith; k++) {
        uint32_t t = with[k];
        start[t] = acc;
        /* (a twin the walks skip has none placed: share_twins_hits) */
        acc += laid && db->hits_of[t] != t ? 0 : count[t];
        if (count[t] > maxc)
            maxc = count[t];
        count[t] = start[t];
    }
    for (uint32_t k = 0; k < nlook; k++) {
        /* locals: the stores to hits could alias look as the compiler
         * sees it, which would reload these for every posting */
        uint32_t common = look[k].common, x = look[k].x;
        if (common == 2)
            continue;
        if (laid) {
            /* a list runs on to the posting that ends it (a common one
             * to its end) */
            uint32_t q = look[k].head - 1, v;
            if (common)
                for (; q < look[k].end; q++) {
                    uint32_t t = db->post_tpl[q] & LS_POST_TPL_MAX;
                    if (nominated[t])
                        hits[count[t]++] = (hit){ x, db->post_pos[q] };
                }
            else
                do {
                    v = db->post_tpl[q];
                    hits[count[v & LS_POST_TPL_MAX]++] =
                        (hit){ x, db->post_pos[q++] };
                } while (!(v & LS_POST_LAST));
            continue;
        }
        for (uint32_t q = look[k].head; q; q = db->post[q - 1].next) {
            const ls_posting *po = &db->post[q - 1];
            uint32_t t = po->tpl;
            if (common && !nominated[t])
                continue;
            hits[count[t]++] = (hit){ x, po->pos };
        }
    }
    for (uint32_t k = 0; k < nwith; k++)
        count[with[k]] -= start[with[k]];
    if (laid)
        share_twins_hits(db, count, start);
    memset(hits + s->total, 0, LS_HIT_PAD * sizeof(hit));
    ls_chain_room(s, maxc);
}

/* Most words a template's hits can explain: each hit stands for at most
 * LS_SHINGLE words, or (sampled templates) the stretch up to the next. */
static double hits_bound(const ls_template *tp, uint32_t n)
{
    double per = tp->ntok >= LS_SHINGLE_DENSE_WORDS
                     ? LS_SHINGLE * (LS_SHINGLE_SAMPLE_MASK + 1.0) * 1.5
                     : LS_SHINGLE;
    double b = per * n;
    return b < tp->ntok ? b : tp->ntok;
}

/* About the words in the original texts of vars[v0, v1) (a word and a
 * space to six characters): what the vars take in a copy of the license.
 * Pruning counts them as words the template may explain beyond its
 * literal ones, so a short template whose vars hold most of its words ("As
 * a special exception ... <<var>> as part of ... <<var>> the rest of that
 * program") is not pruned by a longer one around the same words. */
uint64_t ls_vars_words(const ls_template *tp, uint32_t v0, uint32_t v1)
{
    uint64_t n = 0;
    for (uint32_t v = v0; v < v1; v++)
        n += (tp->vars[v].original_len + 5) / 6;
    return n;
}

/* The words of tp's vars' originals when they are a good share of its
 * words, else 0: the margin of pruning covers a few words, and counting
 * them for every template would prune much less. */
uint64_t ls_vars_share(const ls_template *tp)
{
    /* cheaply first: vars' originals seldom run past a sentence */
    if (!tp->nvars || (uint64_t)tp->nvars * 64 < tp->ntok)
        return 0;
    uint64_t w = ls_vars_words(tp, 0, tp->nvars);
    return w * 2 >= tp->ntok ? w : 0;
}

/* A word of the input and its uses there (bag_of_input). */
struct bag_slot {
    uint32_t id, uses;
};

/* The slot of word id in s->bag: its own, or the empty one it would take
 * (whose uses are 0). */
static inline uint32_t bag_at(const scan *s, uint32_t id)
{
    uint32_t j = (id * 0x9E3779B1u) & s->bag_mask;
    while (s->bag[j].id && s->bag[j].id != id)
        j = (j + 1) & s->bag_mask;
    return j;
}

/* s->bag: the input's known words, counted. */
static bool bag_of_input(scan *s)
{
    if (s->bag)
        return true;
    uint32_t cap = 16;
    while (cap < 2 * (uint64_t)s->n)
        cap *= 2;
    s->bag = ls_calloc(s->a, cap, sizeof *s->bag);
    if (!s->bag) {
        s->rc = LICSCAN_ENOMEM;
        return false;
    }
    s->bag_mask = cap - 1;
    for (uint32_t i = 0; i < s->n; i++)
        if (s->tk[i].id) {
            uint32_t j = bag_at(s, s->tk[i].id);
            s->bag[j].id = s->tk[i].id;
            s->bag[j].uses++;
        }
    return true;
}

/* Coverage enough for a complete match: `here` required words taken
 * and `glue` more that glued words may stand for. */
static inline bool near_enough(uint64_t here, uint32_t glue, uint32_t nreq)
{
    return (double)(here + glue) / nreq >= NEAR_COVERAGE;
}

/* Can pairs take enough of tp's required words for a complete match, each
 * word as often as the input holds it? Counted word by word (distinct)
 * only until that is settled either way: what is taken can only grow, and
 * by no more than the required words not yet asked. */
static bool required_here(scan *s, const ls_template *tp, uint32_t glue)
{
    uint32_t nreq = tp->nrequired;
    /* the fewest words taken that would be enough */
    uint64_t need = (uint64_t)ceil(NEAR_COVERAGE * nreq);
    need = need > glue ? need - glue : 0;
    while (need && near_enough(need - 1, glue, nreq))
        need--;
    while (!near_enough(need, glue, nreq))
        need++;
    const ls_word_counts *wc = ls_required_words(s->db, tp);
    if (!wc) {
        s->rc = LICSCAN_ENOMEM;
        return true;
    }
    uint64_t here = 0, left = nreq; /* required words not yet asked */
    for (uint32_t k = 0; k < wc->n && here < need && here + left >= need; k++) {
        uint32_t uses = s->bag[bag_at(s, wc->w[k].id)].uses;
        uint32_t count = wc->w[k].count;
        here += count < uses ? count : uses;
        left -= count;
    }
    return here >= need;
}

/* Can a candidate of tp be complete (near or exact)? Its coverage counts
 * the required words pairs take and those glued words stand for. */
static bool may_be_complete(scan *s, const ls_template *tp)
{
    uint32_t glue = ls_glue_words(tp);
    if (!near_enough(s->n, glue, tp->nrequired))
        return false; /* too few input words */
    if (tp->ntok > 2 * (uint64_t)s->n)
        return true; /* counting its words would cost more than it saves */
    return bag_of_input(s) && required_here(s, tp, glue);
}

/* True when tp's hits cannot add up to a chain; when all of them lie
 * inside one chain of another template so strong that tp could not come
 * close to it there; in a scan for complete matches, when tp cannot be
 * one. */
bool ls_hopeless(scan *s, const ls_template *tp, const hit *h, uint32_t n)
{
    double bound = hits_bound(tp, n);
    double need = CHAIN_MIN_WORDS;
    if (need > 0.5 * tp->nrequired)
        need = 0.5 * tp->nrequired;
    if (bound < need)
        return true;
    if (s->complete_only)
        return !s->db->pruning_off && !may_be_complete(s, tp);
    /* no chain so far strong enough to dominate it */
    if (s->chains_seen > s->nchains)
        s->chains_seen = 0, s->chain_best = 0;
    for (; s->chains_seen < s->nchains; s->chains_seen++)
        if (s->chains[s->chains_seen].score > s->chain_best)
            s->chain_best = s->chains[s->chains_seen].score;
    if (bound >= CHAIN_DOMINATED * s->chain_best)
        return false;
    uint32_t x0 = h[0].x, x1 = h[n - 1].x; /* hits are in input order */
    bool with_vars = false;
    for (uint32_t c = 0; c < s->nchains; c++) {
        const chain *ch = &s->chains[c];
        if (x0 >= ch->x0 && x1 < ch->x1 &&
            bound < CHAIN_DOMINATED * ch->score) {
            if (!with_vars && tp->nvars) {
                with_vars = true; /* counted only when it matters */
                bound += (double)ls_vars_share(tp);
                if (bound >= CHAIN_DOMINATED * ch->score)
                    continue;
            }
            ls_add_shadow(s, x0, x1, ch->tpl, bound);
            return true;
        }
    }
    return false;
}

/* (a shell sort with the comparison inline, where qsort would call a
 * comparison function at every step) */
void ls_sort_by_hits(uint32_t *o, uint32_t n, const uint32_t *count)
{
    static const uint32_t gaps[] = { 1750, 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        uint32_t gap = gaps[g];
        if (gap > n / 2 && gap > 1)
            continue;
        for (uint32_t k = gap; k < n; k++) {
            uint32_t x = o[k], cx = count[x], m = k;
            while (m >= gap) {
                uint32_t y = o[m - gap], cy = count[y];
                if (cy > cx || (cy == cx && y < x))
                    break; /* y comes first */
                o[m] = y;
                m -= gap;
            }
            o[m] = x;
        }
    }
}

/* The templates with hits enough for a chain, most first. */
static void order_templates(scan *s)
{
    const licscan_db *db = s->db;
    uint32_t *order = s->order =
        ls_malloc(s->a, (db->ntpl + 1) * sizeof(uint32_t));
    if (!order) {
        s->rc = LICSCAN_ENOMEM;
        return;
    }
    uint32_t norder = 0;
    for (uint32_t k = 0; k < s->nhit_tpl; k++) {
        uint32_t t = s->hit_tpl[k];
        if (s->count[t] >= 3 && ls_template_matched(db->tpl[t]))
            order[norder++] = t;
    }
    s->norder = norder;
    ls_sort_by_hits(order, norder, s->count);
}

void ls_group_all(scan *s)
{
    if (!s->rc)
        nominate(s);
    if (!s->rc)
        group_hits(s);
    if (!s->rc)
        order_templates(s);
}
