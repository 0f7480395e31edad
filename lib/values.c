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
#include "values.h"

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

#define NEAR 64 /* clauses looked at on each side of a flag's clause */

/* Does an attribute rule of kind `attr` for flag f fire on clause ci?
 * The first one that does (rule order) fills *out. Attribute rules are
 * not run by the engine (keywords.c leaves them out), only here, on the
 * few clauses around a flag they may qualify. */
static bool attr_fires(engine *e, uint32_t attr, uint32_t f, uint32_t ci,
                       fired *out)
{
    if (e->s->cl[ci].quoted)
        return false;
    for (uint32_t r = 0; r < e->db->rules.n; r++) {
        const ls_rule *rule = e->db->rules.v[r];
        if (rule->attr == attr && !rule->replaced && (rule->attr_of >> f & 1) &&
            ls_engine_fires_alone(e, r, ci, out))
            return true;
    }
    return false;
}

/* The attribute of kind `attr` for flag f read closest to clause
 * `anchor` (within max_distance; at one distance, the earlier clause),
 * into *out; false when none. */
static bool closest_attr(engine *e, uint32_t attr, uint32_t f, uint32_t anchor,
                         int max_distance, fired *out)
{
    const seg *s = e->s;
    uint32_t lo = anchor > NEAR ? anchor - NEAR : 0;
    uint32_t hi = anchor + NEAR < s->ncl ? anchor + NEAR : s->ncl - 1;
    for (int d = 0; d <= max_distance; d++)
        for (uint32_t ci = lo; ci <= hi; ci++)
            if (distance(s, ci, anchor) == d && attr_fires(e, attr, f, ci, out))
                return true;
    return false;
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
static bool attr_of_flag(engine *e, uint32_t attr, uint32_t f, uint32_t anchor,
                         int max_distance, fired *out)
{
    if (closest_attr(e, attr, f, anchor, max_distance, out))
        return true;
    uint32_t last = anchor;
    for (uint32_t i = 0; i < e->nf; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        uint32_t ci = e->f[i].clause;
        if (rule->attr == LS_ATTR_NONE && rule->flag == f && ci != anchor &&
            ci != last) {
            last = ci;
            if (closest_attr(e, attr, f, ci, max_distance, out))
                return true;
        }
    }
    return false;
}

static bool is_duty_flag(uint32_t f)
{
    return f == LICSCAN_FLAG_BRANDING || f == LICSCAN_FLAG_ATTRIBUTION ||
           f == LICSCAN_FLAG_NOTICE_TEXT || f == LICSCAN_FLAG_NAME_PREFIX;
}

static int threshold_values(licscan_result *r, engine *e,
                            licscan_restriction *x)
{
    if (x->value_fired == UINT32_MAX)
        return LICSCAN_OK;
    uint32_t anchor = e->f[x->value_fired].clause;
    fired m, p, c;
    if (closest_attr(e, LS_ATTR_MEASURE, x->flag, anchor, 0, &m))
        x->measure =
            ls_attr_code(LS_ATTR_MEASURE, e->db->rules.v[m.rule]->value_arg);
    else
        x->measure = x->flag == LICSCAN_FLAG_REVENUE_THRESHOLD
                         ? LICSCAN_MEASURE_REVENUE
                         : LICSCAN_MEASURE_MONTHLY_ACTIVE_USERS;
    if (attr_of_flag(e, LS_ATTR_PERIOD, x->flag, anchor, 2, &p)) {
        const char *t = attr_text(r, e, &p);
        if (!t)
            return LICSCAN_ENOMEM;
        x->period = period_of(t);
        if (e->db->rules.v[p.rule]->value_how == LS_VALUE_CAPTURE)
            x->period_text = t;
    }
    if (!x->period && x->measure == LICSCAN_MEASURE_MONTHLY_ACTIVE_USERS)
        x->period = LICSCAN_PERIOD_MONTH;
    if (!x->period && x->measure == LICSCAN_MEASURE_DAILY_ACTIVE_USERS)
        x->period = LICSCAN_PERIOD_DAY;
    if (attr_of_flag(e, LS_ATTR_CONSEQUENCE, x->flag, anchor, 2, &c)) {
        x->consequence = ls_attr_code(LS_ATTR_CONSEQUENCE,
                                      e->db->rules.v[c.rule]->value_arg);
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
static int scope_values(licscan_result *r, engine *e, licscan_restriction *x,
                        const uint8_t *evidence_only)
{
    fired first, sc;
    bool have = false;
    uint32_t last = UINT32_MAX;
    for (uint32_t i = 0; i < e->nf; i++) {
        const ls_rule *rule = e->db->rules.v[e->f[i].rule];
        if (rule->attr != LS_ATTR_NONE || rule->flag != x->flag ||
            (evidence_only && evidence_only[i]) || e->f[i].clause == last)
            continue;
        last = e->f[i].clause;
        if (!closest_attr(e, LS_ATTR_SCOPE, x->flag, last, 1, &sc))
            return LICSCAN_OK;
        if (!have)
            first = sc;
        have = true;
    }
    if (!have)
        return LICSCAN_OK;
    const char *t = attr_text(r, e, &first);
    if (!t)
        return LICSCAN_ENOMEM;
    x->scope = t;
    return LICSCAN_OK;
}

int ls_build_values(licscan_result *r, engine *e, const uint8_t *evidence_only)
{
    /* the flags some scope rule qualifies */
    uint64_t scoped = 0;
    for (uint32_t i = 0; i < e->db->rules.n; i++) {
        const ls_rule *rule = e->db->rules.v[i];
        if (rule->attr == LS_ATTR_SCOPE && !rule->replaced)
            scoped |= rule->attr_of;
    }
    for (uint32_t k = 0; k < r->nrestr && !e->rc; k++) {
        licscan_restriction *x = &r->restr[k];
        int rc = LICSCAN_OK;
        if (x->flag == LICSCAN_FLAG_MAU_THRESHOLD ||
            x->flag == LICSCAN_FLAG_REVENUE_THRESHOLD)
            rc = threshold_values(r, e, x);
        if (!rc && (scoped >> x->flag & 1))
            rc = scope_values(r, e, x, evidence_only);
        if (rc)
            return rc;
    }
    return e->rc;
}
