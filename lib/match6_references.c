/* match6_references.c -- stage 6 of matching: references.
 *
 * Outside text matches, phrases that name a license (its metadata's
 * `reference` lines, indexed by first word) are reported as references:
 * the longest phrase at a place, and a license once, not at all when
 * the text matches it or a notice of it (a header template) names it. */
#include <string.h>

#include "match6_references.h"

static bool inside_match(const licscan_match *m, uint32_t nm, uint32_t w)
{
    for (uint32_t k = 0; k < nm; k++)
        if (w >= m[k].tstart && w <= m[k].tend)
            return true;
    return false;
}

void ls_find_references(scan *s, licscan_match **list, uint32_t *nlist,
                        uint32_t *cap)
{
    const licscan_db *db = s->db;
    for (uint32_t w = 0; w < s->n && !s->rc; w++) {
        uint32_t id = s->tk[w].id;
        if (!id || id >= db->phr_head_cap || !db->phr_head[id])
            continue;
        if (inside_match(*list, *nlist, w))
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
        bool seen = false;
        for (uint32_t k = 0; k < *nlist; k++)
            seen |= (*list)[k].tpl == tp ||
                    strcmp((*list)[k].tpl->lic.id, tp->lic.id) == 0;
        if (!seen) {
            if (LS_GROW(s->a, *list, *cap, *nlist + 1)) {
                s->rc = LICSCAN_ENOMEM;
                return;
            }
            licscan_match *m = &(*list)[(*nlist)++];
            memset(m, 0, sizeof(*m));
            m->tpl = tp;
            m->kind = LICSCAN_KIND_REFERENCE;
            m->tstart = w;
            m->tend = w + best->len - 1;
            m->start = ls_text_input_offset(s->text, s->tk[w].start);
            m->end = ls_text_input_offset(s->text, s->tk[m->tend].end);
        }
        w += best->len - 1;
    }
}
