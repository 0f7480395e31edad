/* index_layout.c -- how a set's shingle index lies once its templates
 * are in: each shingle's postings laid out together, the common lists
 * and the postings' 16-bit copy a scan walks (ls_index_facts), and the
 * list each template word leads to (ls_word_heads, kept by compiled
 * sets). Building the index is template.c's. */
#include "internal.h"
#include "shingle_probe.h"

/* Lay each shingle's postings out next to each other, in list order. The
 * candidate search walks whole lists, and a list spread over the array in
 * the order templates came in costs a cache miss per posting (a quarter
 * of a scan's time with the SPDX list loaded). Only the layout changes:
 * every walk sees the same postings in the same order. Out of memory, the
 * old layout stays. */
void ls_index_compact(licscan_db *db)
{
    if (db->frozen || !db->npost)
        return;
    ls_posting *laid = ls_malloc(&db->alloc, db->post_cap * sizeof(*laid));
    if (!laid)
        return;
    uint32_t n = 0;
    for (uint32_t j = 0; j < db->sh_cap; j++) {
        uint32_t q = db->sh_head[j];
        if (!q)
            continue;
        db->sh_head[j] = n + 1;
        for (; q; q = db->post[q - 1].next, n++) {
            laid[n] = db->post[q - 1];
            laid[n].next = laid[n].next ? n + 2 : 0;
        }
    }
    ls_free(&db->alloc, db->post);
    db->post = laid;
    db->npost_laid = db->npost;
}

/* The common list [first, end) as walked: its templates descending
 * (false if not), counted into of[], and its end put in the table of
 * common lists by its head (first + 1). */
static bool common_list(licscan_db *db, uint32_t first, uint32_t end,
                        uint32_t *of)
{
    uint32_t last = UINT32_MAX;
    for (uint32_t q = first; q < end; q++) {
        uint32_t t = db->post_tpl[q] & LS_POST_TPL_MAX;
        if (t > last || t >= db->ntpl)
            return false;
        of[t]++;
        last = t;
    }
    uint32_t mask = db->common_cap - 1,
             j = (uint32_t)ls_mix64(first + 1) & mask;
    while (db->common_head[j])
        j = (j + 1) & mask;
    db->common_head[j] = first + 1;
    db->common_end[j] = end;
    db->common_bits[(first + 1) / 64] |= UINT64_C(1) << ((first + 1) % 64);
    return true;
}

void ls_word_heads(const licscan_db *db, const uint32_t *sh_head,
                   const ls_template *t, uint32_t *heads)
{
    for (uint32_t y = 0; y < t->ntok; y++) {
        heads[y] = 0;
        if (y + LS_SHINGLE > t->ntok || !db->sh_cap)
            continue;
        uint32_t ids[LS_SHINGLE];
        for (int k = 0; k < LS_SHINGLE; k++)
            ids[k] = t->tok[y + k].id;
        heads[y] = ls_probe_head_in(db->sh_keys, sh_head, db->sh_cap,
                                    ls_shingle_key(ids));
    }
}

/* The template whose postings the walks read for template t: t itself;
 * UINT32_MAX when no scan matches t (replaced by a later one of the same
 * id, or deprecated); for a matched twin of a matched template, the
 * earliest matched one of its twins (they have the same postings, so a
 * scan counts and groups that one's hits once for all of them). */
static uint32_t walked_for(const licscan_db *db, uint32_t t)
{
    const ls_template *tp = db->tpl[t];
    if (!ls_template_matched(tp))
        return UINT32_MAX;
    uint32_t walked = t;
    for (uint32_t u = tp->twin; u < db->ntpl; u = db->tpl[u]->twin)
        if (ls_template_matched(db->tpl[u]))
            walked = u;
    return walked;
}

/* The postings no walk needs (walked_for: of templates no scan matches,
 * and of twins whose twin's are walked) moved past the posting that ends
 * their list for a walk (the first with LS_POST_LAST), in the 16-bit copy
 * only: the walks over it never meet them, and a text of a license with
 * deprecated or identical twins (GPL-2.0 and GPL-2.0-only, the GFDL
 * variants) is not counted over for each. A list keeps its head and the
 * order of the postings walked; one of such postings alone stays whole (a
 * walk reads a list's first posting). Whether a list is common still
 * counts all its postings (from the links), so every scan finds the same
 * hits: a common list's end becomes its last posting walked. */
typedef struct walked_only {
    uint8_t *skip; /* by template: its postings are not walked */
    uint16_t *moved;
    uint32_t moved_cap;
} walked_only;

/* The list [first, last] with `nskip` postings to skip, as above: the
 * postings walked, which end it now (0 when none, and it stays whole);
 * UINT32_MAX when memory ran out. */
static uint32_t walk_matched_only(const ls_alloc *a, walked_only *w,
                                  uint16_t *post_tpl, uint16_t *post_pos,
                                  uint32_t first, uint32_t last, uint32_t nskip)
{
    uint32_t n = last + 1 - first, keep = n - nskip;
    if (!keep)
        return 0;
    if (LS_GROW(a, w->moved, w->moved_cap, 2 * nskip + 2))
        return UINT32_MAX;
    /* the walked ones forward in place, the others aside (each posting
     * is written to both, without a branch), then after them */
    uint16_t *aside_pos = w->moved + nskip + 1;
    uint32_t to = first, aside = 0;
    for (uint32_t k = first; k <= last; k++) {
        uint16_t t = post_tpl[k] & LS_POST_TPL_MAX, pos = post_pos[k];
        uint32_t skip = w->skip[t];
        w->moved[aside] = t;
        aside_pos[aside] = pos;
        post_tpl[to] = t;
        post_pos[to] = pos;
        aside += skip;
        to += !skip;
    }
    for (uint32_t j = 0; j < nskip; j++) {
        post_tpl[first + keep + j] = w->moved[j];
        post_pos[first + keep + j] = aside_pos[j];
    }
    post_tpl[first + keep - 1] |= LS_POST_LAST;
    post_tpl[last] |= LS_POST_LAST;
    return keep;
}

void ls_index_facts_free(licscan_db *db)
{
    ls_free(&db->alloc, db->common_bits); /* the block's start */
    ls_free(&db->alloc, db->post_tpl);    /* post_pos's too */
    db->common_bits = NULL;
    db->post_tpl = db->post_pos = NULL;
    db->common_of = NULL;
    db->mostly_common = NULL;
    db->tpl_words = NULL;
    db->hits_of = db->aliased = NULL;
    db->naliased = 0;
    db->common_head = db->common_end = NULL;
}

void ls_index_facts(licscan_db *db, bool links_checked, uint16_t *post16)
{
    const ls_alloc *a = &db->alloc;
    ls_index_facts_free(db);
    const ls_posting *post = db->post;
    uint32_t npost = db->npost;
    /* each list runs forward (next: 0 or the posting after), ended by a
     * posting whose next is 0 (a compiled file's links were checked as it
     * opened); the common ones as [start, end) pairs */
    uint32_t unlinked = 0;
    for (uint32_t q = 0; !links_checked && q < npost; q++) {
        uint32_t nx = post[q].next;
        unlinked |= (nx != 0) & (nx != q + 2);
    }
    if (unlinked || (npost && post[npost - 1].next) ||
        db->ntpl > LS_POST_TPL_MAX + 1) {
        ls_free(a, post16);
        return; /* the lists are walked as linked */
    }
    uint16_t *post_tpl =
        post16 ? post16
               : ls_malloc(a, 2 * ((size_t)npost + 1) * sizeof(uint16_t));
    if (!post_tpl)
        return;
    uint16_t *post_pos = post_tpl + npost + 1;
    /* (where a list ends follows no pattern a branch predictor could
     * learn, a list a few postings long: the next one's start is taken
     * without a branch; a common list is rare) */
    uint32_t *runs = NULL, nruns = 0, runs_cap = 0, places = 0;
    walked_only w = { ls_calloc(a, (size_t)LS_POST_TPL_MAX + 1, 1), NULL, 0 };
    if (!w.skip) {
        ls_free(a, post_tpl);
        return;
    }
    for (uint32_t t = 0; t < db->ntpl; t++)
        w.skip[t] = walked_for(db, t) != t;
    /* (a copy handed over holds places that fit) */
    if (!post16)
        places = ls_post16_fill(post, npost, post_tpl, post_pos);
    for (uint32_t q = 0, run = 0, nskip = 0; q < npost; q++) {
        uint32_t ends = (post_tpl[q] & LS_POST_LAST) != 0;
        nskip += w.skip[post_tpl[q] & LS_POST_TPL_MAX];
        bool common = q + 1 - run > LS_COMMON_SHINGLE;
        if (__builtin_expect(ends & (nskip != 0 || common), 0)) {
            uint32_t end = q + 1; /* of the walk */
            if (nskip) {
                uint32_t keep =
                    walk_matched_only(a, &w, post_tpl, post_pos, run, q, nskip);
                if (keep == UINT32_MAX)
                    goto out_of_memory;
                end = keep ? run + keep : end;
            }
            if (common) {
                if (LS_GROW(a, runs, runs_cap, 2 * nruns + 2))
                    goto out_of_memory;
                runs[2 * nruns] = run;
                runs[2 * nruns + 1] = end;
                nruns++;
            }
        }
        run += (q + 1 - run) & (0u - ends);
        nskip &= ends - 1u;
    }
    ls_free(a, w.moved);
    ls_free(a, w.skip);
    w.moved = NULL;
    w.skip = NULL;
    /* one block: the bits of the common lists' heads, the counts, the
     * table of common lists (head and end, at most half full), the input
     * words of each template (db->tpl_words), the template walked for
     * each (db->hits_of) and those walked for another (db->aliased), a
     * byte per template (db->mostly_common) */
    uint32_t cap = 16;
    while (cap < 2 * nruns)
        cap *= 2;
    size_t nt = (size_t)db->ntpl + 1, nbits = (size_t)npost / 64 + 1;
    uint64_t *bits =
        ls_calloc(a,
                  nbits * sizeof(*bits) +
                      (6 * nt + 2 * (size_t)cap) * sizeof(uint32_t) + nt,
                  1);
    uint32_t *of = bits ? (uint32_t *)(bits + nbits) : NULL;
    bool sorted = of != NULL && places <= LS_POST_POS_MAX;
    db->post_tpl = post_tpl; /* freed with the rest from here on */
    db->post_pos = post_pos;
    if (of) {
        db->common_bits = bits;
        db->common_cap = cap;
        db->common_head = of + nt;
        db->common_end = of + nt + cap;
    }
    for (uint32_t r = 0; r < nruns && sorted; r++)
        sorted = common_list(db, runs[2 * r], runs[2 * r + 1], of);
    ls_free(a, runs);
    if (!sorted) {
        ls_index_facts_free(db);
        return;
    }
    db->common_of = of;
    db->tpl_words = of + nt + 2 * (size_t)cap;
    db->hits_of = db->tpl_words + 3 * nt;
    db->aliased = db->hits_of + nt;
    db->mostly_common = (uint8_t *)(db->aliased + nt);
    for (uint32_t t = 0; t < db->ntpl; t++) {
        uint32_t walked = walked_for(db, t);
        db->hits_of[t] = walked == UINT32_MAX ? t : walked;
        if (db->hits_of[t] != t)
            db->aliased[db->naliased++] = t;
    }
    for (uint32_t k = 0; k < db->naliased; k++)
        of[db->aliased[k]] = of[db->hits_of[db->aliased[k]]];
    for (uint32_t t = 0; t < db->ntpl; t++) {
        const ls_template *tp = db->tpl[t];
        uint32_t nsh = tp->nshingles;
        db->mostly_common[t] = (uint64_t)(nsh - of[t]) * 4 < nsh;
        db->tpl_words[3 * t] = tp->ntok;
        db->tpl_words[3 * t + 1] = tp->nrequired;
        db->tpl_words[3 * t + 2] = ls_template_matched(tp) ? nsh : 0;
    }
    return;
out_of_memory: /* the lists are walked as linked */
    ls_free(a, runs);
    ls_free(a, w.moved);
    ls_free(a, w.skip);
    ls_free(a, post_tpl);
}
