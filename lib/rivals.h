/* rivals.h -- the rivals of each template (rivals.c) and what matching
 * does with them (match.c): a text that is one template whole is searched
 * against that template's rivals alone. Not installed. */
#ifndef LICSCAN_RIVALS_H
#define LICSCAN_RIVALS_H

#include "internal.h"

/* Work out the rivals of every template of db into out: the templates a
 * scan of each template's own text aligns (rivals.c). */
LS_HIDDEN int ls_rivals_build(const licscan_db *db, ls_rivals *out);

/* The length of the longest common subsequence of x[0, nx) and
 * y[0, ny); UINT32_MAX when out of memory. */
LS_HIDDEN uint32_t ls_lcs_length(const ls_alloc *a, const uint32_t *x,
                                 uint32_t nx, const uint32_t *y, uint32_t ny);

/* A scan of data with all templates searched, the templates judged
 * (sub-scans too) marked in probe->judged[0, ntpl) and its answer in
 * probe->answer (result.c, for rivals.c). */
LS_HIDDEN int ls_scan_probe(const licscan_db *db, const char *data, size_t len,
                            ls_probe *probe);

/* The rivals of template t, *n of them; NULL when not known. */
static inline const uint32_t *ls_rivals_of(const licscan_db *db, uint32_t t,
                                           uint32_t *n)
{
    if (!db->rivals.off || t >= db->ntpl)
        return NULL;
    *n = db->rivals.off[t + 1] - db->rivals.off[t];
    return db->rivals.list + db->rivals.off[t];
}

/* Scans in this process that a template whole settled (match.c): the
 * tests tell the shortcut in use from one silently left out. */
LS_HIDDEN uint64_t ls_whole_template_count(void);
/* Rivals those scans left out by their shared words (match.c). */
LS_HIDDEN uint64_t ls_rivals_left_out_count(void);
/* Of those scans, the ones a template's own text settled by its answer
 * (ls_whole_answer), no rival searched (match.c). */
LS_HIDDEN uint64_t ls_whole_answer_count(void);

#endif
