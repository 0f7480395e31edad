/* match1_candidates.h -- stage 1 of matching: the templates that occur
 * and where (hits). Not installed. */
#ifndef LICSCAN_MATCH1_CANDIDATES_H
#define LICSCAN_MATCH1_CANDIDATES_H

#include "scan.h"

/* Look up every shingle of the input (ls_look_up), then group the hits
 * by template (ls_group_all): s->order[0, s->norder) are the templates
 * to search, most hits first. */
LS_HIDDEN void ls_look_up(scan *s);
LS_HIDDEN void ls_group_all(scan *s);
/* The most hits a scan groups (more: LICSCAN_INPUT_SEARCH_LIMIT). */
#define LS_MAX_HITS (8u << 20)
/* Room for the chain search of templates whose most hits is maxc. */
LS_HIDDEN void ls_chain_room(scan *s, uint32_t maxc);
/* Templates o[0, n) by hits, most first, then by index: a total order,
 * so any sort gives it. */
LS_HIDDEN void ls_sort_by_hits(uint32_t *o, uint32_t n, const uint32_t *count);
/* The same for templates tpls[0, n) alone (descending index, marked in
 * some[]): their hits and counts as ls_group_all would give them, and
 * s->order those of them to search. False when the index is not laid
 * out for it, the look-up was cut short, or memory ran out (s->rc);
 * ls_ungroup_hits_of undoes it (the counts of the look-up back). */
LS_HIDDEN bool ls_group_hits_of(scan *s, const uint8_t *some,
                                const uint32_t *tpls, uint32_t n);
LS_HIDDEN void ls_ungroup_hits_of(scan *s);
/* Template t's postings in the common lists of the look-up (the lists
 * as ranges, db->common_of). */
LS_HIDDEN uint32_t ls_common_hits(const scan *s, uint32_t t);
/* True when all n hits h of tp lie inside one chain of another template
 * (found so far) so strong that tp could not come close to it there, or
 * too few for a chain; in a scan for complete matches, when the input's
 * words cannot cover tp's to near coverage. */
LS_HIDDEN bool ls_hopeless(scan *s, const ls_template *tp, const hit *h,
                           uint32_t n);
/* Is the shingle of look-up k found in few license texts? Twins (the
 * same text under other ids) count once. */
LS_HIDDEN bool ls_shingle_rare(const scan *s, uint32_t k);
/* Of the input words in[0, n) (ascending), those held by a shingle that
 * few license texts have (ls_shingle_rare): up to `enough` of them. */
LS_HIDDEN uint32_t ls_distinct_words(scan *s, const uint32_t *in, uint32_t n,
                                     uint32_t enough);
/* About the words the originals of vars[v0, v1) of tp take. */
LS_HIDDEN uint64_t ls_vars_words(const ls_template *tp, uint32_t v0,
                                 uint32_t v1);
/* Those of all of tp's vars when they are a good share of its words,
 * else 0. */
LS_HIDDEN uint64_t ls_vars_share(const ls_template *tp);

#endif
