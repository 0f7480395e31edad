/* testctl.h -- the one door through which the test programs change a
 * database's internals (testctl.c), instead of writing its fields. Not
 * installed; hidden in the shared library, reachable from the static one
 * the tests link. */
#ifndef LICSCAN_TESTCTL_H
#define LICSCAN_TESTCTL_H

#include "licscan.h"

enum ls_test_control {
    /* value 0: the pattern prefilter judges nothing, every rule pattern
     * runs; 1: it works as it does by default */
    LS_TEST_PREFILTER = 1,
    /* value 0: chaining links hits one at a time, never eight, works out
     * every hit anew for each chain of a template (none kept from the
     * search for the one before), and the gaps between hits are aligned
     * cell by cell, never by rows of bits; 1: by the widest path the CPU
     * has, as by default */
    LS_TEST_WIDE_LINKS = 2,
    /* value 0: every scan searches all templates, even for a text that is
     * one template whole (match.c), and walks the shingle index's lists
     * by their links, not as ranges (match1_candidates.c); 1: as by
     * default */
    LS_TEST_WHOLE_TEMPLATE = 3,
    /* value 0: no aligned or unaligned chain is left out for being unable
     * to change the winners or their runners-up (match5_rank.c), nor a
     * template in a scan for complete matches for lacking the words of
     * one (match1_candidates.c): every one is judged; 1: as by default */
    LS_TEST_PRUNING = 4,
    /* value 0: a template's own text is searched as any text (its
     * winner's rivals aligned), not against its winner alone with the
     * answer the set keeps for it (match.c); 1: as by default */
    LS_TEST_WHOLE_ANSWERS = 5,
};

/* Set control `what` of db to value: LICSCAN_OK, or LICSCAN_EINVAL for a
 * NULL db, an unknown control or a value it does not take. Call it
 * before the database is shared with scans. */
__attribute__((visibility("hidden"))) int ls_test_control(licscan_db *db,
                                                          int what, long value);

#endif
