/* clauses.c -- restriction flags from a text: the driver of the clause
 * pipeline, which works on any text, with or without a matching template.
 *
 * Run when rules are added to a database:
 *   rulefile.c      rule files parsed (file:line:col errors), rules added
 *   keywords.c      the keyword index the engine's prefilter reads
 *
 * Run by every scan, in this order (ls_extract_clauses below):
 *   1. segment.c    the text cut into clauses, with labels and lead-ins
 *                   (with sentences.c, comments.c, display.c)
 *   2. engine.c     the rules over the clauses: what fires, and stands in
 *                   its context (with memo.c for clauses of known
 *                   licenses, numbers.c for values read as numbers)
 *   3. restrictions.c  fired rules to result->restr, with evidence;
 *      values.c   their details: scope, and a threshold's measure,
 *                 period and consequence (attribute rules)
 *   4. flagchanges.c   the flags a near or partial match's differences
 *                   add or remove
 * The openness verdict over the restrictions is taken by the caller once
 * the result is assembled (licscan_scan, restrict.c).
 *
 * Run when the library is built:
 *   memobuild.c     stages 1 and 2 over the embedded templates, kept as
 *                   the clause memo (tools/freeze.c) */
#include "flagchanges.h"
#include "restrictions.h"
#include "values.h"

int ls_extract_clauses(const licscan_db *db, const ls_alloc *work,
                       const ls_text *text, const licscan_scan_options *opts,
                       licscan_result *res)
{
    int rc = LICSCAN_OK;
    if (db->rules.n && db->kw) {
        engine e = { .db = db, .a = work, .memo = db->memo };
        seg s;
        ls_seg_init(&s, work, text->text, text->len);
        ls_segment(&s);
        if (s.failed)
            rc = LICSCAN_ENOMEM;
        if (!rc)
            rc = ls_engine_start(&e);
        e.record_alone = true;
        if (!rc)
            rc = ls_engine_run(&e, &s);
        e.record_alone = false;
        uint8_t *evidence_only = NULL;
        if (!rc)
            rc = ls_build_restrictions(res, &e, opts, text, &evidence_only);
        if (!rc)
            rc = ls_build_values(res, &e, evidence_only);
        ls_free(work, evidence_only);
        seg piece; /* the pieces flag changes read, one after another */
        ls_seg_init(&piece, work, "", 0);
        for (uint32_t i = 0; i < res->nmatch && !rc; i++) {
            licscan_match *m = &res->m[i];
            if (m->ndiffs && m->kind != LICSCAN_KIND_REFERENCE)
                rc = ls_flag_changes(&e, res, m, text, &piece);
        }
        ls_seg_free(&piece);
        if (e.limit_hit)
            res->input_flags |= LICSCAN_INPUT_RULE_LIMIT;
        ls_engine_free(&e);
        ls_seg_free(&s);
    }
    return rc;
}
