/* modified.c -- licenses with terms added in the same document.
 *
 * A license text with a paragraph of its own added after the disclaimer,
 * before the title or between sections ("Modified MIT": the MIT text plus
 * a display duty above a threshold) still matches its template over the
 * license's words, often exactly. The added text is not a different
 * license, and it is not nothing: where it carries terms (the clause
 * rules set a flag from it), the match is a modified license, and the
 * SPDX expression must not claim the plain one. */
#include <stdio.h>
#include <string.h>

#include "flagchanges.h"
#include "modified.h"

#define MODIFIED_SUFFIX "-modified"

static bool overlaps_match(const licscan_result *r, uint64_t s, uint64_t e)
{
    for (uint32_t i = 0; i < r->nmatch; i++)
        if (s < r->m[i].end && e > r->m[i].start)
            return true;
    return false;
}

/* LicenseRef-<id>-modified, <id> without a LicenseRef- of its own. */
static const char *modified_spdx(licscan_result *r, const licscan_license *l)
{
    const char *id = l->spdx ? l->spdx : l->id;
    if (strncmp(id, "LicenseRef-", 11) == 0)
        id += 11;
    size_t n = strlen("LicenseRef-") + strlen(id) + strlen(MODIFIED_SUFFIX);
    char *s = ls_arena_alloc(&r->arena, n + 1);
    if (s)
        snprintf(s, n + 1, "LicenseRef-%s" MODIFIED_SUFFIX, id);
    return s;
}

int ls_mark_modified(licscan_result *r, uint32_t words)
{
    for (uint32_t i = 0; i < r->nmatch; i++) {
        licscan_match *m = &r->m[i];
        if (m->kind > LICSCAN_KIND_NEAR ||
            2 * (uint64_t)(m->tend - m->tstart + 1) < words)
            continue;
        for (uint32_t x = 0; x < r->nrestr; x++) {
            const licscan_restriction *re = &r->restr[x];
            for (uint32_t k = 0; k < re->nev; k++) {
                const ls_evidence *ev = &re->ev[k];
                if (overlaps_match(r, ev->start, ev->end))
                    continue;
                int rc = ls_flag_change_add(r, m, re->flag, true, ev->start,
                                            ev->end);
                if (rc)
                    return rc;
                if (!m->modified_spdx &&
                    !(m->modified_spdx = modified_spdx(r, &m->tpl->lic)))
                    return LICSCAN_ENOMEM;
                if (m->kind == LICSCAN_KIND_EXACT)
                    m->kind = LICSCAN_KIND_NEAR;
                break; /* one clause per flag is the change's span */
            }
        }
    }
    return LICSCAN_OK;
}
