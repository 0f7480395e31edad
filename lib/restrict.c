/* restrict.c -- the restriction flags, the openness verdict, and their
 * accessors. Which clause sets which flag is the clause pipeline's
 * business (clauses.c). */
#include <string.h>
#include <strings.h>

#include "internal.h"

typedef struct flag_info {
    const char *name;
    uint32_t type;
} flag_info;

/* Indexed by LICSCAN_FLAG_*. */
static const flag_info flags[] = {
    { "mau_threshold", LICSCAN_VALUE_NUMBER },
    { "revenue_threshold", LICSCAN_VALUE_NUMBER },
    { "acceptable_use_policy", LICSCAN_VALUE_TEXT },
    { "use_restrictions", LICSCAN_VALUE_LIST },
    { "output_training_ban", LICSCAN_VALUE_TEXT },
    { "branding", LICSCAN_VALUE_LIST },
    { "name_prefix", LICSCAN_VALUE_TEXT },
    { "notice_text", LICSCAN_VALUE_TEXT },
    { "flow_down", LICSCAN_VALUE_BOOL },
    { "non_commercial", LICSCAN_VALUE_BOOL },
    { "field_of_use", LICSCAN_VALUE_LIST },
    { "territory_exclusion", LICSCAN_VALUE_LIST },
    { "remote_restriction", LICSCAN_VALUE_BOOL },
    { "license_updates", LICSCAN_VALUE_BOOL },
    { "attribution", LICSCAN_VALUE_BOOL },
    { "patent_grant", LICSCAN_VALUE_BOOL },
    { "patent_termination", LICSCAN_VALUE_BOOL },
    { "copyleft", LICSCAN_VALUE_TEXT },
    { "governing_law", LICSCAN_VALUE_TEXT },
    { "termination", LICSCAN_VALUE_LIST },
    { "no_derivatives", LICSCAN_VALUE_BOOL },
    { "no_redistribution", LICSCAN_VALUE_BOOL },
};
#define NFLAGS (sizeof(flags) / sizeof(flags[0]))
_Static_assert(NFLAGS <= 64, "freedom masks hold one bit per flag");

#define BIT(f) (1ull << (f))

/* Which flags break which freedom. The OSI's definition asks for use for
 * any purpose without asking permission, study, modification for any
 * purpose, and sharing with or without modification. Conditions such as
 * attribution, notices, branding or copyleft keep the freedoms. */
static const uint64_t breakers[4] = {
    /* use */
    BIT(LICSCAN_FLAG_MAU_THRESHOLD) | BIT(LICSCAN_FLAG_REVENUE_THRESHOLD) |
        BIT(LICSCAN_FLAG_ACCEPTABLE_USE_POLICY) |
        BIT(LICSCAN_FLAG_USE_RESTRICTIONS) |
        BIT(LICSCAN_FLAG_OUTPUT_TRAINING_BAN) |
        BIT(LICSCAN_FLAG_NON_COMMERCIAL) | BIT(LICSCAN_FLAG_FIELD_OF_USE) |
        BIT(LICSCAN_FLAG_TERRITORY_EXCLUSION) |
        BIT(LICSCAN_FLAG_REMOTE_RESTRICTION),
    /* study: no flag of the vocabulary takes it away */
    0,
    /* modify */
    BIT(LICSCAN_FLAG_NO_DERIVATIVES),
    /* share */
    BIT(LICSCAN_FLAG_NO_REDISTRIBUTION) | BIT(LICSCAN_FLAG_FLOW_DOWN) |
        BIT(LICSCAN_FLAG_NON_COMMERCIAL),
};

uint32_t licscan_flag_count(void) { return (uint32_t)NFLAGS; }

const char *licscan_flag_name(uint32_t f)
{
    return f < NFLAGS ? flags[f].name : NULL;
}

uint32_t licscan_flag_value_type(uint32_t f)
{
    return f < NFLAGS ? flags[f].type : LICSCAN_VALUE_BOOL;
}

int licscan_flag_lookup(const char *name)
{
    if (name)
        for (uint32_t f = 0; f < NFLAGS; f++)
            if (strcasecmp(name, flags[f].name) == 0)
                return (int)f;
    return LICSCAN_ENOTFOUND;
}

void ls_judge_openness(licscan_result *r)
{
    bool has_text_match = false; /* the text is a license */
    for (uint32_t i = 0; i < r->nmatch; i++)
        has_text_match |= r->m[i].kind != LICSCAN_KIND_REFERENCE;
    uint64_t set = 0;
    for (uint32_t i = 0; i < r->nrestr; i++)
        set |= BIT(r->restr[i].flag);
    for (int fr = 0; fr < LICSCAN_FREEDOM_COUNT; fr++)
        r->broken[fr] = set & breakers[fr];
    /* A threshold breaks use when crossing it takes another license, a
     * fee, or when what it does is not read; not when it only starts a
     * duty (display "Kimi K2"), which is a condition like attribution. */
    for (uint32_t i = 0; i < r->nrestr; i++)
        if ((r->restr[i].flag == LICSCAN_FLAG_MAU_THRESHOLD ||
             r->restr[i].flag == LICSCAN_FLAG_REVENUE_THRESHOLD) &&
            r->restr[i].consequence == LICSCAN_CONSEQUENCE_DUTY)
            r->broken[LICSCAN_FREEDOM_USE] &= ~BIT(r->restr[i].flag);
    if (set & (BIT(LICSCAN_FLAG_NO_DERIVATIVES) |
               BIT(LICSCAN_FLAG_NO_REDISTRIBUTION)))
        r->openness = LICSCAN_OPENNESS_PROPRIETARY;
    else if (set & BIT(LICSCAN_FLAG_NON_COMMERCIAL))
        r->openness = LICSCAN_OPENNESS_NON_COMMERCIAL;
    else if (r->broken[LICSCAN_FREEDOM_USE] | r->broken[LICSCAN_FREEDOM_SHARE])
        r->openness = LICSCAN_OPENNESS_OPEN_WEIGHT_RESTRICTED;
    else if (set || has_text_match)
        r->openness = LICSCAN_OPENNESS_OPEN_SOURCE;
    else
        r->openness = LICSCAN_OPENNESS_UNKNOWN;
}

uint32_t licscan_result_restriction_count(const licscan_result *r)
{
    return r ? r->nrestr : 0;
}

const licscan_restriction *licscan_result_restriction(const licscan_result *r,
                                                      uint32_t i)
{
    return r && i < r->nrestr ? &r->restr[i] : NULL;
}

const licscan_restriction *licscan_result_find_restriction(
    const licscan_result *r, uint32_t flag)
{
    if (r)
        for (uint32_t i = 0; i < r->nrestr; i++)
            if (r->restr[i].flag == flag)
                return &r->restr[i];
    return NULL;
}

uint32_t licscan_restriction_flag(const licscan_restriction *x)
{
    return x ? x->flag : 0;
}
int64_t licscan_restriction_number(const licscan_restriction *x)
{
    return x ? x->number : 0;
}
const char *licscan_restriction_text(const licscan_restriction *x)
{
    return x && x->text ? x->text : "";
}
const char *licscan_restriction_qualifier(const licscan_restriction *x)
{
    return x && x->qualifier ? x->qualifier : "";
}
int licscan_restriction_threshold(const licscan_restriction *x,
                                  licscan_threshold *out, size_t size)
{
    if (!x || !out || size < sizeof(size_t))
        return LICSCAN_EINVAL;
    if (x->flag != LICSCAN_FLAG_MAU_THRESHOLD &&
        x->flag != LICSCAN_FLAG_REVENUE_THRESHOLD)
        return LICSCAN_ENOTFOUND;
    licscan_threshold t = { 0 };
    t.struct_size = size < sizeof(t) ? size : sizeof(t);
    t.measure = x->measure;
    t.amount = x->number;
    t.currency = x->qualifier ? x->qualifier : "";
    t.period = x->period;
    t.period_text = x->period_text ? x->period_text : "";
    t.consequence = x->consequence;
    t.consequence_flags = x->consequence_flags ? x->consequence_flags : "";
    memcpy(out, &t, t.struct_size);
    return LICSCAN_OK;
}

const char *licscan_restriction_scope(const licscan_restriction *x)
{
    return x && x->scope ? x->scope : "";
}

uint32_t licscan_restriction_item_count(const licscan_restriction *x)
{
    return x ? x->nitems : 0;
}
const char *licscan_restriction_item(const licscan_restriction *x, uint32_t i)
{
    return x && i < x->nitems ? x->items[i] : NULL;
}
uint32_t licscan_restriction_evidence_count(const licscan_restriction *x)
{
    return x ? x->nev : 0;
}

int licscan_restriction_evidence(const licscan_restriction *x, uint32_t i,
                                 uint64_t *start, uint64_t *end,
                                 const char **text, const char **label,
                                 const char **rule)
{
    if (!x || i >= x->nev)
        return LICSCAN_EINVAL;
    const ls_evidence *e = &x->ev[i];
    if (start)
        *start = e->start;
    if (end)
        *end = e->end;
    if (text)
        *text = e->text;
    if (label)
        *label = e->label;
    if (rule)
        *rule = e->rule;
    return LICSCAN_OK;
}

uint32_t licscan_result_openness(const licscan_result *r)
{
    return r ? r->openness : LICSCAN_OPENNESS_UNKNOWN;
}

const char *licscan_openness_name(uint32_t c)
{
    static const char *const names[] = { "unknown", "open-source",
                                         "open-weight-restricted",
                                         "non-commercial", "proprietary" };
    return c < 5 ? names[c] : "unknown";
}

uint32_t licscan_freedom_count(void) { return LICSCAN_FREEDOM_COUNT; }

const char *licscan_freedom_name(uint32_t f)
{
    static const char *const names[LICSCAN_FREEDOM_COUNT] = { "use", "study",
                                                              "modify",
                                                              "share" };
    return f < LICSCAN_FREEDOM_COUNT ? names[f] : "unknown";
}

int licscan_result_freedom(const licscan_result *r, uint32_t freedom,
                           uint64_t *broken_by)
{
    if (!r || freedom > LICSCAN_FREEDOM_SHARE)
        return LICSCAN_EINVAL;
    if (broken_by)
        *broken_by = r->broken[freedom];
    return r->broken[freedom] ? 0 : 1;
}

uint32_t licscan_match_flag_change_count(const licscan_match *m)
{
    return m ? m->nchanges : 0;
}

int licscan_match_flag_change(const licscan_match *m, uint32_t i,
                              uint32_t *flag, int *added, uint64_t *start,
                              uint64_t *end)
{
    if (!m || i >= m->nchanges)
        return LICSCAN_EINVAL;
    const ls_flag_change *c = &m->changes[i];
    if (flag)
        *flag = c->flag;
    if (added)
        *added = c->added;
    if (start)
        *start = c->start;
    if (end)
        *end = c->end;
    return LICSCAN_OK;
}
