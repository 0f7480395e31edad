/* values.c -- the fourth stage of a scan's clause pipeline, after
 * restrictions.c: the details of the flags set, read by attribute rules
 * (a rule with `attribute scope|period|consequence|measure`), which set
 * no flag but qualify the flags they name where those are set in the
 * same clause, paragraph or list:
 *   - scope: what the text limits a flag to, as written ("multimodal
 *     models"), kept only when every clause that sets the flag has one;
 *   - for the thresholds (mau_threshold, revenue_threshold): what is
 *     counted (measure), over what period, and what crossing it does
 *     (consequence): another license, a fee, or a duty, which is the
 *     duty flags (branding, attribution, notice_text, name_prefix) set by
 *     the same clause when no rule names another consequence. */
#include <string.h>
#include <strings.h>

#include "restrictions.h"

uint32_t ls_attr_code(uint32_t attr, const char *name)
{
    static const char *const consequences[] = { "", "license_required", "duty",
                                                "fee" };
    static const char *const measures[] = { "",
                                            "monthly_active_users",
                                            "daily_active_users",
                                            "users",
                                            "visits",
                                            "revenue" };
    const char *const *names = attr == LS_ATTR_CONSEQUENCE ? consequences
                               : attr == LS_ATTR_MEASURE   ? measures
                                                           : NULL;
    uint32_t n = attr == LS_ATTR_CONSEQUENCE ? 4 : 6;
    for (uint32_t k = 1; names && name && k < n; k++)
        if (strcmp(names[k], name) == 0)
            return k;
    return 0;
}

/* How far clause a lies from clause b: 0 the same, 1 one is a lead-in of
 * the other (up to eight steps), 2 the same paragraph, 3 unrelated. */
static int distance(const seg *s, uint32_t a, uint32_t b)
{
    if (a == b)
        return 0;
    int32_t k = s->cl[b].lead;
    for (int d = 0; k >= 0 && d < 8; k = s->cl[k].lead, d++)
        if ((uint32_t)k == a)
            return 1;
    k = s->cl[a].lead;
    for (int d = 0; k >= 0 && d < 8; k = s->cl[k].lead, d++)
        if ((uint32_t)k == b)
            return 1;
    return s->cl[a].para == s->cl[b].para ? 2 : 3;
}

/* The attribute firing of kind `attr` for flag f closest to clause
 * `anchor` (within max_distance; ties: the earlier clause), or NULL. */
static const fired *closest_attr(const engine *e, uint32_t attr, uint32_t f,
                                 uint32_t anchor, int max_distance)
{
    const fired *best = NULL;
    int best_d = max_distance + 1;
    for (uint32_t i = 0; i < e->nf; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        if (rule->attr != attr || !(rule->attr_of >> f & 1))
            continue;
        int d = distance(e->s, e->f[i].clause, anchor);
        if (d < best_d) {
            best_d = d;
            best = &e->f[i];
        }
    }
    return best;
}

/* An attribute's text: its capture, trimmed, or its constant. */
static const char *attr_text(licscan_result *r, const engine *e,
                             const fired *fi)
{
    const ls_rule *rule = e->db->rules.v[fi->rule];
    if (rule->value_how == LS_VALUE_CONST)
        return rule->value_arg;
    uint32_t vs = fi->vs, ve = fi->ve;
    if (vs == UINT32_MAX)
        return "";
    ls_trim_value(e->s->disp.data, &vs, &ve);
    return ls_arena_strndup(&r->arena, e->s->disp.data + vs, ve - vs);
}

/* Does the text hold the word w (ASCII case ignored) at a word start? */
static bool has_word(const char *t, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = t; *p; p++)
        if ((p == t || !alnum((unsigned char)p[-1])) &&
            strncasecmp(p, w, n) == 0)
            return true;
    return false;
}

/* The period a text names: "in the preceding calendar month", "annual",
 * "per year", "daily". */
static uint32_t period_of(const char *t)
{
    if (has_word(t, "month") || has_word(t, "monthly") ||
        has_word(t, "months") || strstr(t, "月"))
        return has_word(t, "12 months") || has_word(t, "twelve months")
                   ? LICSCAN_PERIOD_YEAR
                   : LICSCAN_PERIOD_MONTH;
    if (has_word(t, "year") || has_word(t, "years") || has_word(t, "annual") ||
        has_word(t, "annually") || has_word(t, "yearly") ||
        has_word(t, "annum") || has_word(t, "fiscal") || strstr(t, "年"))
        return LICSCAN_PERIOD_YEAR;
    if (has_word(t, "day") || has_word(t, "daily") || strstr(t, "日"))
        return LICSCAN_PERIOD_DAY;
    return LICSCAN_PERIOD_UNKNOWN;
}

/* closest_attr near the value's clause, else near another clause that
 * sets the same flag (a threshold stated twice: "free access for annual
 * revenue of less than US $1,000,000", later "if You generate more than
 * ..., any licenses granted shall terminate"). */
static const fired *attr_of_flag(const engine *e, uint32_t attr, uint32_t f,
                                 uint32_t anchor, int max_distance)
{
    const fired *a = closest_attr(e, attr, f, anchor, max_distance);
    for (uint32_t i = 0; i < e->nf && !a; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        if (rule->attr == LS_ATTR_NONE && rule->flag == f &&
            e->f[i].clause != anchor)
            a = closest_attr(e, attr, f, e->f[i].clause, max_distance);
    }
    return a;
}

static bool is_duty_flag(uint32_t f)
{
    return f == LICSCAN_FLAG_BRANDING || f == LICSCAN_FLAG_ATTRIBUTION ||
           f == LICSCAN_FLAG_NOTICE_TEXT || f == LICSCAN_FLAG_NAME_PREFIX;
}

static int threshold_values(licscan_result *r, const engine *e,
                            licscan_restriction *x)
{
    if (x->value_fired == UINT32_MAX)
        return LICSCAN_OK;
    uint32_t anchor = e->f[x->value_fired].clause;
    const fired *m = closest_attr(e, LS_ATTR_MEASURE, x->flag, anchor, 0);
    if (m)
        x->measure =
            ls_attr_code(LS_ATTR_MEASURE, e->db->rules.v[m->rule]->value_arg);
    else
        x->measure = x->flag == LICSCAN_FLAG_REVENUE_THRESHOLD
                         ? LICSCAN_MEASURE_REVENUE
                         : LICSCAN_MEASURE_MONTHLY_ACTIVE_USERS;
    const fired *p = attr_of_flag(e, LS_ATTR_PERIOD, x->flag, anchor, 2);
    if (p) {
        const char *t = attr_text(r, e, p);
        if (!t)
            return LICSCAN_ENOMEM;
        x->period = period_of(t);
        if (e->db->rules.v[p->rule]->value_how == LS_VALUE_CAPTURE)
            x->period_text = t;
    }
    if (!x->period && x->measure == LICSCAN_MEASURE_MONTHLY_ACTIVE_USERS)
        x->period = LICSCAN_PERIOD_MONTH;
    if (!x->period && x->measure == LICSCAN_MEASURE_DAILY_ACTIVE_USERS)
        x->period = LICSCAN_PERIOD_DAY;
    const fired *c = attr_of_flag(e, LS_ATTR_CONSEQUENCE, x->flag, anchor, 2);
    if (c) {
        x->consequence = ls_attr_code(LS_ATTR_CONSEQUENCE,
                                      e->db->rules.v[c->rule]->value_arg);
        if (x->consequence != LICSCAN_CONSEQUENCE_DUTY)
            return LICSCAN_OK;
    }
    /* the duties the same clause (or its list) sets */
    uint64_t duties = 0;
    for (uint32_t i = 0; i < e->nf; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        if (rule->attr == LS_ATTR_NONE && is_duty_flag(rule->flag) &&
            distance(e->s, e->f[i].clause, anchor) <= 1)
            duties |= 1ull << rule->flag;
    }
    if (!duties)
        return LICSCAN_OK;
    x->consequence = LICSCAN_CONSEQUENCE_DUTY;
    char names[160];
    size_t len = 0;
    for (uint32_t f = 0; f < 64; f++)
        if (duties >> f & 1) {
            const char *nm = licscan_flag_name(f);
            size_t nl = strlen(nm);
            if (len + nl + 2 >= sizeof(names))
                break;
            if (len)
                names[len++] = ',';
            memcpy(names + len, nm, nl);
            len += nl;
        }
    x->consequence_flags = ls_arena_strndup(&r->arena, names, len);
    return x->consequence_flags ? LICSCAN_OK : LICSCAN_ENOMEM;
}

/* The scope of flag x: the one read next to every clause that sets it
 * (the same clause or its lead-in); none when one clause has none. A
 * clause that gives the flag no value (the Chinese part of a bilingual
 * text, restrictions.c) does not count. */
static int scope_values(licscan_result *r, const engine *e,
                        licscan_restriction *x, const uint8_t *evidence_only)
{
    const fired *first = NULL;
    for (uint32_t i = 0; i < e->nf; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        if (rule->attr != LS_ATTR_NONE || rule->flag != x->flag ||
            (evidence_only && evidence_only[i]))
            continue;
        const fired *sc =
            closest_attr(e, LS_ATTR_SCOPE, x->flag, e->f[i].clause, 1);
        if (!sc)
            return LICSCAN_OK;
        if (!first)
            first = sc;
    }
    if (!first)
        return LICSCAN_OK;
    const char *t = attr_text(r, e, first);
    if (!t)
        return LICSCAN_ENOMEM;
    x->scope = t;
    return LICSCAN_OK;
}

int ls_build_values(licscan_result *r, const engine *e,
                    const uint8_t *evidence_only)
{
    bool any_attr = false;
    for (uint32_t i = 0; i < e->nf && !any_attr; i++)
        any_attr = e->db->rules.v[e->f[i].rule]->attr != LS_ATTR_NONE;
    for (uint32_t k = 0; k < r->nrestr; k++) {
        licscan_restriction *x = &r->restr[k];
        int rc = LICSCAN_OK;
        if (x->flag == LICSCAN_FLAG_MAU_THRESHOLD ||
            x->flag == LICSCAN_FLAG_REVENUE_THRESHOLD)
            rc = threshold_values(r, e, x);
        if (!rc && any_attr)
            rc = scope_values(r, e, x, evidence_only);
        if (rc)
            return rc;
    }
    return LICSCAN_OK;
}
