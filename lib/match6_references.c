/* match6_references.c -- stage 6 of matching: references.
 *
 * Outside text matches, phrases that name a license (its metadata's
 * `reference` lines, indexed by first word) are reported as references:
 * the longest phrase at a place, and a license once, not at all when
 * the text matches it or a notice of it (a header template) names it. */
#include <string.h>
#include <strings.h>

#include "frontmatter.h"
#include "match6_references.h"

/* The last word of the matches that hold word w (one must): the words up
 * to it are all inside a match. */
static uint32_t matched_through(const licscan_match *m, uint32_t nm, uint32_t w)
{
    uint32_t end = w;
    for (uint32_t k = 0; k < nm; k++)
        if (w >= m[k].tstart && w <= m[k].tend && m[k].tend > end)
            end = m[k].tend;
    return end;
}

/* The first word at or after w that a match may hold (the first word of
 * the nearest match not over yet), UINT32_MAX when none. */
static uint32_t next_matched(const licscan_match *m, uint32_t nm, uint32_t w)
{
    uint32_t next = UINT32_MAX;
    for (uint32_t k = 0; k < nm; k++)
        if (m[k].tend >= w) {
            uint32_t from = m[k].tstart > w ? m[k].tstart : w;
            if (from < next)
                next = from;
        }
    return next;
}

/* Whether a license of that id is in the list already. */
static bool named(const licscan_match *m, uint32_t n, const ls_template *tp)
{
    for (uint32_t k = 0; k < n; k++)
        if (m[k].tpl == tp || strcmp(m[k].tpl->lic.id, tp->lic.id) == 0)
            return true;
    return false;
}

/* Append a reference to tp over words [t0, t1], decoded bytes [a, b);
 * false when memory ran out (s->rc says so). */
static bool add_reference(scan *s, licscan_match **list, uint32_t *nlist,
                          uint32_t *cap, const ls_template *tp, uint32_t t0,
                          uint32_t t1, size_t a, size_t b)
{
    if (LS_GROW(s->a, *list, *cap, *nlist + 1)) {
        s->rc = LICSCAN_ENOMEM;
        return false;
    }
    licscan_match *m = &(*list)[(*nlist)++];
    memset(m, 0, sizeof(*m));
    m->tpl = tp;
    m->kind = LICSCAN_KIND_REFERENCE;
    m->tstart = t0;
    m->tend = t1;
    m->start = ls_text_input_offset(s->text, a);
    m->end = ls_text_input_offset(s->text, b);
    return true;
}

void ls_find_references(scan *s, licscan_match **list, uint32_t *nlist,
                        uint32_t *cap)
{
    const licscan_db *db = s->db;
    /* a match's words are skipped whole (a text that is one license is
     * not read again); the references added below lie behind the words
     * still to read, so the matches at the start are all that count */
    uint32_t nm = *nlist, next = next_matched(*list, nm, 0);
    for (uint32_t w = 0; w < s->n && !s->rc; w++) {
        if (w >= next) { /* (a match holds word `next`) */
            w = matched_through(*list, nm, w);
            next = next_matched(*list, nm, w + 1);
            continue;
        }
        uint32_t id = s->tk[w].id;
        if (!id || id >= db->phr_head_cap || !db->phr_head[id])
            continue;
        const ls_phrase *best = NULL;
        for (uint32_t q = db->phr_head[id]; q; q = db->phr[q - 1].next) {
            const ls_phrase *ph = &db->phr[q - 1];
            if (w + ph->len > s->n || db->tpl[ph->tpl]->replaced)
                continue;
            uint32_t k = 1;
            while (k < ph->len && s->tk[w + k].id == ph->ids[k])
                k++;
            if (k < ph->len)
                continue;
            if (!best || ph->len > best->len ||
                (ph->len == best->len && ph->tpl < best->tpl))
                best = ph;
        }
        if (!best)
            continue;
        const ls_template *tp = db->tpl[best->tpl];
        uint32_t last = w + best->len - 1;
        if (!named(*list, *nlist, tp) &&
            !add_reference(s, list, nlist, cap, tp, w, last, s->tk[w].start,
                           s->tk[last].end))
            return;
        w = last;
    }
}

/* ---------- model cards ---------- */

static bool isalnum_ascii(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

static bool same_caseless(const char *a, const char *v, size_t n)
{
    return a && strlen(a) == n && strncasecmp(a, v, n) == 0;
}

/* The template a card's tag or name stands for: its Hugging Face tag, or
 * its id or SPDX id, compared caselessly; notices are not licenses. */
static const ls_template *card_template(const licscan_db *db, const char *v,
                                        size_t n)
{
    const ls_template *by_id = NULL;
    for (uint32_t t = 0; t < db->ntpl; t++) {
        const ls_template *tp = db->tpl[t];
        if (tp->replaced || ls_template_is_header(tp))
            continue;
        if (same_caseless(tp->lic.hf, v, n))
            return tp;
        if (!by_id && (same_caseless(tp->lic.id, v, n) ||
                       same_caseless(tp->lic.spdx, v, n)))
            by_id = tp;
    }
    return by_id;
}

static char *arena_text(licscan_result *res, const char *v, size_t n)
{
    char *p = ls_arena_alloc(&res->arena, n + 1);
    if (p) {
        memcpy(p, v, n);
        p[n] = 0;
    }
    return p;
}

/* A license the card names that licscan has no template for: reported
 * as itself, id LicenseRef-<name> (characters SPDX ids do not allow made
 * '-'), its name and link as the card gives them. */
static const ls_template *card_license(licscan_result *res, const char *v,
                                       size_t n, const char *link,
                                       size_t link_n)
{
    ls_template *tp = ls_arena_alloc(&res->arena, sizeof(*tp));
    char *id = ls_arena_alloc(&res->arena, n + sizeof("LicenseRef-"));
    if (!tp || !id)
        return NULL;
    memset(tp, 0, sizeof(*tp));
    memcpy(id, "LicenseRef-", 11);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        id[11 + i] = (c < 0x80 && (isalnum_ascii(c) || c == '.' || c == '-'))
                         ? (char)c
                         : '-';
    }
    id[11 + n] = 0;
    tp->lic.id = id;
    tp->lic.spdx = id;
    tp->lic.name = arena_text(res, v, n);
    tp->lic.kind = "license";
    if (link_n)
        tp->lic.url = arena_text(res, link, link_n);
    return tp->lic.name ? tp : NULL;
}

/* Token range of the decoded span [a, b), for overlap tests. */
static void span_tokens(const scan *s, size_t a, size_t b, uint32_t *t0,
                        uint32_t *t1)
{
    uint32_t w = 0;
    while (w < s->n && s->tk[w].end <= a)
        w++;
    *t0 = w;
    while (w + 1 < s->n && s->tk[w + 1].start < b)
        w++;
    *t1 = w < s->n ? w : (s->n ? s->n - 1 : 0);
    if (*t1 < *t0)
        *t1 = *t0;
}

void ls_find_card_references(scan *s, licscan_match **list, uint32_t *nlist,
                             uint32_t *cap)
{
    ls_fm_value v[LS_FM_MAX_VALUES];
    const char *t = s->text->text;
    uint32_t nv = ls_frontmatter_read(t, s->text->len, v, LS_FM_MAX_VALUES);
    const ls_fm_value *name = NULL, *link = NULL;
    for (uint32_t i = 0; i < nv; i++) {
        if (v[i].key == LS_FM_LICENSE_NAME && !name)
            name = &v[i];
        if (v[i].key == LS_FM_LICENSE_LINK && !link)
            link = &v[i];
    }
    for (uint32_t i = 0; i < nv && !s->rc; i++) {
        const ls_fm_value *x = &v[i];
        if (x->key != LS_FM_LICENSE && x->key != LS_FM_LICENSE_NAME)
            continue;
        const char *val = t + x->start;
        size_t n = x->end - x->start;
        /* "other" defers to license_name; a name already resolved by its
         * tag is not a second license */
        if (x->key == LS_FM_LICENSE && same_caseless("other", val, n) && name)
            continue;
        const ls_template *tp = card_template(s->db, val, n);
        if (!tp && x->key == LS_FM_LICENSE_NAME) {
            bool tagged = false;
            for (uint32_t k = 0; k < nv; k++)
                tagged |= v[k].key == LS_FM_LICENSE &&
                          !same_caseless("other", t + v[k].start,
                                         v[k].end - v[k].start);
            if (tagged)
                continue;
        }
        if (!tp)
            tp = card_license(s->res, val, n, link ? t + link->start : NULL,
                              link ? link->end - link->start : 0);
        if (!tp) {
            s->rc = LICSCAN_ENOMEM;
            return;
        }
        if (named(*list, *nlist, tp))
            continue;
        uint32_t t0, t1;
        span_tokens(s, x->start, x->end, &t0, &t1);
        if (!add_reference(s, list, nlist, cap, tp, t0, t1, x->start, x->end))
            return;
    }
}
