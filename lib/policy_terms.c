/* policy_terms.c -- the terms of a threshold or an exclusion: amounts,
 * periods and places, and the reasons they give against the facts. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy_eval.h"

/* ---------- the terms of a threshold or exclusion ---------- */

/* What a threshold measures, per which period, what crossing it does, and
 * what an exclusion covers: the restriction's own reading
 * (licscan_restriction_threshold, licscan_restriction_scope). Where it
 * read nothing, a mau_threshold is monthly active users and a
 * revenue_threshold yearly revenue, each asking for another license. */
void pol_read_term(const licscan_restriction *x, term *t)
{
    memset(t, 0, sizeof(*t));
    uint32_t flag = licscan_restriction_flag(x);
    bool revenue = flag == LICSCAN_FLAG_REVENUE_THRESHOLD;
    t->measure = revenue ? MEASURE_REVENUE : MEASURE_USERS;
    t->measured = revenue ? "revenue" : "monthly active users";
    t->amount = licscan_restriction_number(x);
    t->period = revenue ? LICSCAN_PERIOD_YEAR : LICSCAN_PERIOD_MONTH;
    t->consequence = CONSEQUENCE_LICENSE;
    if (revenue)
        snprintf(t->currency, sizeof(t->currency), "%s",
                 licscan_restriction_qualifier(x));
    licscan_threshold th;
    if (licscan_restriction_threshold(x, &th, sizeof(th)) == LICSCAN_OK) {
        static const char *const measured[] = { NULL,
                                                "monthly active users",
                                                "daily active users",
                                                "users",
                                                "visits",
                                                "revenue" };
        if (th.measure == LICSCAN_MEASURE_REVENUE)
            t->measure = MEASURE_REVENUE;
        else if (th.measure >= LICSCAN_MEASURE_DAILY_ACTIVE_USERS &&
                 th.measure <= LICSCAN_MEASURE_VISITS)
            t->measure = MEASURE_OTHER_USERS;
        if (th.measure && th.measure <= LICSCAN_MEASURE_REVENUE)
            t->measured = measured[th.measure];
        t->amount = th.amount;
        if (th.currency && *th.currency)
            snprintf(t->currency, sizeof(t->currency), "%s", th.currency);
        if (th.period != LICSCAN_PERIOD_UNKNOWN &&
            th.period <= LICSCAN_PERIOD_YEAR)
            t->period = th.period;
        t->consequence =
            th.consequence == LICSCAN_CONSEQUENCE_DUTY  ? CONSEQUENCE_DUTY
            : th.consequence == LICSCAN_CONSEQUENCE_FEE ? CONSEQUENCE_FEE
                                                        : CONSEQUENCE_LICENSE;
    }
    snprintf(t->scope, sizeof(t->scope), "%s", licscan_restriction_scope(x));
}

/* Revenue of `period` expressed per `to` (a year when either is not
 * known). */
static int64_t pol_per_period(int64_t amount, uint32_t period, uint32_t to)
{
    static const int64_t days[] = { 365, 1, 30, 365 };
    if (period == to)
        return amount;
    int64_t d_from = days[period < 4 ? period : 0];
    int64_t d_to = days[to < 4 ? to : 0];
    if (amount > INT64_MAX / d_to)
        return INT64_MAX;
    return amount * d_to / d_from;
}

void pol_threshold_reason(ev *e, const about *a)
{
    term t;
    pol_read_term(a->x, &t);
    char th[40], have[40], by[40];
    pol_grouped(th, sizeof(th), t.amount);
    const char *sec = pol_section(e, a->x);
    const char *then = t.consequence == CONSEQUENCE_LICENSE
                           ? "another license from the licensor is needed"
                       : t.consequence == CONSEQUENCE_FEE ? "a fee is due"
                                                          : "a duty starts";
    uint32_t crossed = t.consequence == CONSEQUENCE_LICENSE
                           ? LICSCAN_VERDICT_NEEDS_LICENSE
                           : LICSCAN_VERDICT_ALLOWED_WITH_DUTIES;
    if (t.measure == MEASURE_OTHER_USERS) {
        pol_add_reason(
            e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN, "mau", a,
            pol_vfmt(e,
                     "above %s %s %s%s; the facts give monthly active "
                     "users only",
                     th, t.measured, then, sec));
        return;
    }
    if (t.measure == MEASURE_USERS) {
        if (e->f.mau < 0) {
            pol_add_reason(
                e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN, "mau", a,
                pol_vfmt(e,
                         "above %s monthly active users %s%s; how many "
                         "you have is not given (--mau)",
                         th, then, sec));
        } else if (e->f.mau > t.amount) {
            pol_grouped(have, sizeof(have), e->f.mau);
            pol_grouped(by, sizeof(by), e->f.mau - t.amount);
            pol_add_reason(
                e, LICSCAN_REASON_THRESHOLD, crossed, "mau", a,
                pol_vfmt(e,
                         "%s monthly active users exceed the threshold "
                         "of %s by %s: %s%s",
                         have, th, by, then, sec));
        } else {
            pol_grouped(have, sizeof(have), e->f.mau);
            pol_add_reason(e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_ALLOWED,
                           "mau", a,
                           pol_vfmt(e,
                                    "%s monthly active users are within the "
                                    "threshold of %s%s",
                                    have, th, sec));
        }
        return;
    }
    const char *cur = *t.currency ? t.currency : "USD";
    const char *mine = *e->f.revenue_currency ? e->f.revenue_currency : "USD";
    const char *per = t.period == LICSCAN_PERIOD_MONTH ? "a month"
                      : t.period == LICSCAN_PERIOD_DAY ? "a day"
                                                       : "a year";
    if (e->f.revenue < 0) {
        pol_add_reason(
            e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN, "revenue", a,
            pol_vfmt(e,
                     "above a revenue of %s %s %s %s%s; your revenue is "
                     "not given (--revenue)",
                     cur, th, per, then, sec));
        return;
    }
    if (strcasecmp(cur, mine) != 0) {
        pol_add_reason(
            e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN, "revenue", a,
            pol_vfmt(e,
                     "above a revenue of %s %s %s %s%s; yours is in %s, "
                     "which licscan does not convert",
                     cur, th, per, then, sec, mine));
        return;
    }
    int64_t r = pol_per_period(e->f.revenue, e->f.revenue_period, t.period);
    pol_grouped(have, sizeof(have), r);
    if (r > t.amount) {
        pol_grouped(by, sizeof(by), r - t.amount);
        pol_add_reason(
            e, LICSCAN_REASON_THRESHOLD, crossed, "revenue", a,
            pol_vfmt(e,
                     "a revenue of %s %s %s exceeds the threshold of %s "
                     "%s by %s: %s%s",
                     cur, have, per, cur, th, by, then, sec));
    } else {
        pol_add_reason(
            e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_ALLOWED, "revenue", a,
            pol_vfmt(e,
                     "a revenue of %s %s %s is within the threshold of "
                     "%s %s%s",
                     cur, have, per, cur, th, sec));
    }
}

/* ---------- places ---------- */

typedef struct place {
    const char *code, *name, *alias;
    bool eu;
} place;

static const place places[] = {
    { "AT", "austria", NULL, true },
    { "BE", "belgium", NULL, true },
    { "BG", "bulgaria", NULL, true },
    { "HR", "croatia", NULL, true },
    { "CY", "cyprus", NULL, true },
    { "CZ", "czechia", "czech republic", true },
    { "DK", "denmark", NULL, true },
    { "EE", "estonia", NULL, true },
    { "FI", "finland", NULL, true },
    { "FR", "france", NULL, true },
    { "DE", "germany", NULL, true },
    { "GR", "greece", NULL, true },
    { "HU", "hungary", NULL, true },
    { "IE", "ireland", NULL, true },
    { "IT", "italy", NULL, true },
    { "LV", "latvia", NULL, true },
    { "LT", "lithuania", NULL, true },
    { "LU", "luxembourg", NULL, true },
    { "MT", "malta", NULL, true },
    { "NL", "netherlands", "the netherlands", true },
    { "PL", "poland", NULL, true },
    { "PT", "portugal", NULL, true },
    { "RO", "romania", NULL, true },
    { "SK", "slovakia", NULL, true },
    { "SI", "slovenia", NULL, true },
    { "ES", "spain", NULL, true },
    { "SE", "sweden", NULL, true },
    { "EU", "european union", "eu", true },
    { "US", "united states", "usa", false },
    { "GB", "united kingdom", "uk", false },
    { "CN", "china", "people's republic of china", false },
    { "RU", "russia", "russian federation", false },
    { "IR", "iran", NULL, false },
    { "KP", "north korea", NULL, false },
    { "CU", "cuba", NULL, false },
    { "SY", "syria", NULL, false },
    { "BY", "belarus", NULL, false },
    { "VE", "venezuela", NULL, false },
    { "CH", "switzerland", NULL, false },
    { "NO", "norway", NULL, false },
    { "CA", "canada", NULL, false },
    { "JP", "japan", NULL, false },
    { "KR", "south korea", "republic of korea", false },
    { "IN", "india", NULL, false },
    { "BR", "brazil", NULL, false },
    { "AU", "australia", NULL, false },
};
#define NPLACES (sizeof(places) / sizeof(places[0]))

static const place *place_of(const char *code)
{
    for (size_t i = 0; i < NPLACES; i++)
        if (!strcasecmp(places[i].code, code))
            return &places[i];
    return NULL;
}

static bool names_place(const char *item, const place *p)
{
    if (!strncasecmp(item, "the ", 4))
        item += 4;
    return !strcasecmp(item, p->name) || !strcasecmp(item, p->code) ||
           (p->alias && !strcasecmp(item, p->alias));
}

/* Whether an excluded place (a name as the license gives it) covers the
 * user's region code. */
static bool place_covers(const char *item, const char *code)
{
    const place *p = place_of(code);
    if (!p)
        return !strcasecmp(item, code);
    if (names_place(item, p))
        return true;
    return p->eu && names_place(item, place_of("EU"));
}

/* Calls fn on each item of a comma- or space-separated list. */
void pol_each_item(const char *list, void (*fn)(void *, const char *),
                   void *ctx)
{
    if (!list)
        return;
    char item[128];
    const char *p = list;
    while (*p) {
        while (*p == ',' || *p == ' ' || *p == '\t' || *p == '\n')
            p++;
        size_t n = 0;
        while (p[n] && p[n] != ',' && p[n] != ' ' && p[n] != '\t' &&
               p[n] != '\n')
            n++;
        if (n && n < sizeof(item)) {
            memcpy(item, p, n);
            item[n] = 0;
            fn(ctx, item);
        }
        p += n;
    }
}

typedef struct region_hit {
    const licscan_restriction *x;
    char where[64], place[128];
    bool any;
} region_hit;

static void region_check(void *ctx, const char *code)
{
    region_hit *h = ctx;
    h->any = true;
    if (*h->where)
        return;
    for (uint32_t i = 0; i < licscan_restriction_item_count(h->x); i++)
        if (place_covers(licscan_restriction_item(h->x, i), code)) {
            snprintf(h->where, sizeof(h->where), "%s", code);
            snprintf(h->place, sizeof(h->place), "%s",
                     licscan_restriction_item(h->x, i));
            return;
        }
}

void pol_territory_reason(ev *e, const about *a)
{
    term t;
    pol_read_term(a->x, &t);
    const char *list = pol_items(e, a->x);
    const char *sec = pol_section(e, a->x);
    region_hit h = { .x = a->x };
    pol_each_item(e->f.regions, region_check, &h);
    if (*t.scope && strcasestr(t.scope, "multimodal")) {
        if (e->f.modality == LICSCAN_MODALITY_TEXT) {
            pol_add_reason(
                e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_ALLOWED,
                "territory", a,
                pol_vfmt(e,
                         "no rights in %s for multimodal models only; "
                         "this one is text only%s",
                         list, sec));
            return;
        }
        if (e->f.modality == LICSCAN_MODALITY_UNKNOWN && (*h.where || !h.any)) {
            pol_add_reason(
                e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_UNKNOWN,
                "territory", a,
                pol_vfmt(e,
                         "no rights for multimodal models in %s%s; the "
                         "model's modality is not given (--modality)",
                         list, sec));
            return;
        }
    }
    const char *what = *t.scope ? pol_vfmt(e, " (%s)", t.scope) : "";
    if (!h.any)
        pol_add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_UNKNOWN,
                       "territory", a,
                       pol_vfmt(e,
                                "no rights in %s%s%s; where you operate is not "
                                "given (--region)",
                                list, what, sec));
    else if (*h.where)
        pol_add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_FORBIDDEN,
                       "territory", a,
                       pol_vfmt(e, "no rights in %s%s, which covers %s%s",
                                h.place, what, h.where, sec));
    else
        pol_add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_ALLOWED,
                       "territory", a,
                       pol_vfmt(e, "no rights in %s%s, not where you operate%s",
                                list, what, sec));
}
