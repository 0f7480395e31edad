/* clauses.c -- clause segmentation and restriction rules (in progress). */
#include "internal.h"

int ls_rules_add(licscan_db *db, const char *text, size_t len,
                 const char *source)
{
    (void)db; (void)text; (void)len; (void)source;
    return LICSCAN_OK;
}

void ls_rules_free(licscan_db *db) { (void)db; }

int ls_extract_clauses(const licscan_db *db, const ls_text *text,
                       const licscan_scan_options *opts, licscan_result *res)
{
    (void)db; (void)text; (void)opts;
    bool text_match = false;
    for (uint32_t i = 0; i < res->nmatch; i++)
        text_match |= res->m[i].kind != LICSCAN_KIND_REFERENCE;
    ls_judge_openness(res, text_match);
    return LICSCAN_OK;
}

int licscan_db_add_rules(licscan_db *db, const char *text, size_t len,
                         const char *source)
{
    if (!db || (!text && len))
        return LICSCAN_EINVAL;
    return ls_rules_add(db, text, len, source);
}

uint32_t licscan_db_rule_count(const licscan_db *db)
{
    return db ? db->rules.n : 0;
}
