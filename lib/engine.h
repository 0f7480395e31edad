/* engine.h -- the rule engine, the second stage of a scan's clause
 * pipeline (engine.c): every rule run over the clauses of a seg
 * (segment.h), what fired kept with the spans of its value and
 * qualifier. The later stages (restrictions.c, flagchanges.c) and the
 * memo builder (memobuild.c) read the engine's results in place. */
#ifndef LICSCAN_ENGINE_H
#define LICSCAN_ENGINE_H

#include "segment.h"

#define SUBJECTS_KEPT 4 /* clauses whose prefilter view an engine keeps */

typedef struct hit {
    uint32_t clause, rule;
} hit;

/* A rule that fired on a clause, with where its value and qualifier are
 * in the display text (UINT32_MAX: none). */
typedef struct fired {
    uint32_t rule, clause;
    int64_t number;
    uint32_t vs, ve, qs, qe;
} fired;

enum { WANT_NEVER, WANT_UNTIL_FOUND, WANT_ALWAYS };

typedef struct engine {
    const licscan_db *db;
    const ls_alloc *a; /* the scan's temporary memory */
    const seg *s;
    pcre2_match_data *md;
    pcre2_match_context *mc;
    hit *hits;
    uint32_t nhits, hits_cap;
    /* the per-rule and per-clause arrays below are kept from text to text
     * (rules_on_piece runs many short ones), cleared for each */
    uint32_t *queued;  /* per rule: clause + 1 it was last queued for */
    /* per rule without keywords (ls_kw_index.always): 1 when it cannot
     * fire on an all-ASCII clause (its match patterns need other bytes,
     * as rules for Chinese text do), else 0; NULL until worked out */
    uint8_t *always_high;
    bool any_always_high;
    uint8_t *anywhere; /* per rule: unless-anywhere 0 unknown, 1 hit, 2 not */
    fired *f;
    uint32_t nf, f_cap;
    const ls_clause_memo *memo; /* NULL: none (or building one) */
    uint32_t *memo_of;          /* per clause: its memo entry + 1, 0 none */
    uint32_t memo_of_cap;
    uint64_t *memo_hash; /* per clause: its memo_hash */
    uint32_t memo_hash_cap;
    bool limit_hit;
    bool no_context; /* template wording out of its text: skip `within` */
    /* when only the flags a piece sets are wanted (flags_in_text): per
     * rule, WANT_NEVER, WANT_UNTIL_FOUND (its flag not yet fired) or
     * WANT_ALWAYS; NULL: every rule runs. found: flags fired so far. */
    const uint8_t *want;
    uint64_t found;
    uint8_t *inside; /* per clause and within class: 0 unknown, 1 in, 2 not */
    uint32_t inside_cap;
    /* the same, for the clause's own words matching the class's pattern:
     * a lead-in is asked once, not once per clause that looks back to it
     * (the second half of inside's block) */
    uint8_t *own_within;
    /* per clause: holds a ':' (a lead-in of running text)? 0 unknown, 1
     * yes, 2 no (after own_within in inside's block) */
    uint8_t *colon;
    /* of the text's run (not of pieces): every rule that fired on a clause
     * by its own words, before its context was judged, in clause order */
    bool record_alone;
    fired *alone;
    uint32_t nalone, alone_cap;
    /* the prefilter's view of the last clauses asked about (prefilter.c),
     * kept for the next questions: rules and their context look back and
     * forth between a clause and its lead-ins. A clause is named by its
     * index and the serial of the run over its text (next_serial: never
     * given twice) */
    ls_subject subjects[SUBJECTS_KEPT];
    uint32_t next_subject; /* the one to reuse next, round robin */
    uint32_t serial, next_serial;
    uint32_t recalled; /* clauses answered by the memo */
    /* per unless class (keywords.h), for the clause unless_key names: 0
     * unknown, 1 it matches, 2 not */
    uint8_t *unless_known;
    uint64_t unless_key;
    int rc;
} engine;

/* Move a fired rule's value and qualifier spans (those it has) from one
 * clause start to another: unsigned arithmetic wraps back into range. */
static inline void move_spans(uint32_t *vs, uint32_t *ve, uint32_t *qs,
                              uint32_t *qe, uint32_t from, uint32_t to)
{
    uint32_t *span[4] = { vs, ve, qs, qe };
    for (int k = 0; k < 4; k++)
        if (*span[k] != UINT32_MAX)
            *span[k] = *span[k] - from + to;
}

/* The match data and context the engine's patterns run with. */
LS_HIDDEN int ls_engine_start(engine *e);
LS_HIDDEN void ls_engine_free(engine *e);
/* Find s's clauses in the memo and queue the (clause, rule) pairs left to
 * run. */
LS_HIDDEN int ls_engine_prepare(engine *e, const seg *s);
/* Run every rule over the clauses of s; e->f gets what fired, in clause
 * order. */
LS_HIDDEN int ls_engine_run(engine *e, const seg *s);
/* For the memo builder: does the rule fire on clause ci of the prepared
 * seg by its own words (filling f)? Does pattern p match clause c? */
LS_HIDDEN bool ls_engine_fires_alone(engine *e, uint32_t rule, uint32_t ci,
                                     fired *f);
LS_HIDDEN bool ls_engine_run_pattern(engine *e, ls_pattern *p, const clause *c);

#endif
