/* policy.c -- facts about the user, and the verdict: what binds a model
 * (or one scanned text) given those facts, each reason a clause with its
 * evidence.
 *
 * Each restriction of each source becomes at most one reason: a duty
 * (display "Built with Llama", keep a notice, pass the use restrictions
 * on), a threshold crossed or not, a territory or use exclusion that
 * applies or not. Conflicts between the sources (a declared license that
 * drops the base model's terms) and the caller's allow / deny lists add
 * theirs. The verdict is the worst outcome among the reasons. */
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "policy.h"

/* ---------- names ---------- */

static const char *const use_names[] = {
    "commercial", "hosted-service",     "distribute-weights",
    "modify",     "train-other-models", "research",
    "military"
};
#define NUSES (sizeof(use_names) / sizeof(use_names[0]))

const char *licscan_use_name(uint32_t use)
{
    for (uint32_t i = 0; i < NUSES; i++)
        if (use == 1u << i)
            return use_names[i];
    return NULL;
}

int licscan_use_lookup(const char *name)
{
    if (name)
        for (uint32_t i = 0; i < NUSES; i++)
            if (!strcasecmp(name, use_names[i]))
                return (int)(1u << i);
    return LICSCAN_ENOTFOUND;
}

static const char *const modality_names[] = { "unknown", "text", "multimodal" };

const char *licscan_modality_name(uint32_t m)
{
    return m < 3 ? modality_names[m] : NULL;
}

int licscan_modality_lookup(const char *name)
{
    if (name)
        for (int i = 0; i < 3; i++)
            if (!strcasecmp(name, modality_names[i]))
                return i;
    return LICSCAN_ENOTFOUND;
}

static const char *const verdict_names[] = { "allowed", "allowed-with-duties",
                                             "needs-license", "forbidden",
                                             "unknown" };

const char *licscan_verdict_name(uint32_t v)
{
    return v < 5 ? verdict_names[v] : NULL;
}

static const char *const kind_names[] = { "duty",   "threshold", "territory",
                                          "use",    "conflict",  "policy",
                                          "license" };

const char *licscan_reason_kind_name(uint32_t k)
{
    return k < 7 ? kind_names[k] : NULL;
}

/* How bad an outcome is: unknown sits between the duties and the
 * outcomes that stop the user. */
static int severity(uint32_t v)
{
    static const int sev[] = { 0, 1, 3, 4, 2 };
    return v < 5 ? sev[v] : 2;
}

/* ---------- facts ---------- */

#define FACTS_V1 (offsetof(licscan_facts, deny) + sizeof(const char *))

int licscan_facts_init(licscan_facts *f, size_t size)
{
    if (!f || size < FACTS_V1)
        return LICSCAN_EINVAL;
    licscan_facts o;
    memset(&o, 0, sizeof(o));
    o.struct_size = (uint32_t)(size < sizeof(o) ? size : sizeof(o));
    o.mau = -1;
    o.revenue = -1;
    memcpy(f, &o, o.struct_size);
    return LICSCAN_OK;
}

/* ---------- the verdict ---------- */

struct licscan_reason {
    uint32_t kind, outcome;
    int flag;
    const char *code, *message, *license, *file, *base, *text, *label;
    uint64_t start, end;
    bool evidence;
};

typedef struct vfile {
    const char *file, *role, *base, *spdx, *error;
} vfile;

typedef struct vbase {
    const char *id, *from, *pattern;
} vbase;

#define NPARTS 5

struct licscan_verdict {
    ls_alloc alloc;
    ls_arena arena;
    uint32_t value, nconflicts;
    const char *model, *path;
    licscan_reason *reasons;
    uint32_t nreasons, reasons_cap;
    const char **lic[NPARTS];
    uint32_t nlic[NPARTS], lic_cap[NPARTS];
    vbase *bases;
    uint32_t nbases;
    vfile *files;
    uint32_t nfiles, files_cap;
    ls_buf json;
};

void licscan_verdict_free(licscan_verdict *v)
{
    if (!v)
        return;
    ls_free(&v->alloc, v->reasons);
    for (int p = 0; p < NPARTS; p++)
        ls_free(&v->alloc, v->lic[p]);
    ls_free(&v->alloc, v->bases);
    ls_free(&v->alloc, v->files);
    ls_buf_free(&v->json);
    ls_arena_free(&v->arena);
    ls_alloc a = v->alloc;
    ls_free(&a, v);
}

uint32_t licscan_verdict_value(const licscan_verdict *v)
{
    return v ? v->value : LICSCAN_VERDICT_UNKNOWN;
}
const char *licscan_verdict_model(const licscan_verdict *v)
{
    return v && v->model ? v->model : "";
}
uint32_t licscan_verdict_conflict_count(const licscan_verdict *v)
{
    return v ? v->nconflicts : 0;
}
uint32_t licscan_verdict_license_count(const licscan_verdict *v, uint32_t part)
{
    return v && part < NPARTS ? v->nlic[part] : 0;
}
const char *licscan_verdict_license(const licscan_verdict *v, uint32_t part,
                                    uint32_t i)
{
    return v && part < NPARTS && i < v->nlic[part] ? v->lic[part][i] : NULL;
}
uint32_t licscan_verdict_reason_count(const licscan_verdict *v)
{
    return v ? v->nreasons : 0;
}
const licscan_reason *licscan_verdict_reason(const licscan_verdict *v,
                                             uint32_t i)
{
    return v && i < v->nreasons ? &v->reasons[i] : NULL;
}
uint32_t licscan_reason_kind(const licscan_reason *x)
{
    return x ? x->kind : 0;
}
uint32_t licscan_reason_outcome(const licscan_reason *x)
{
    return x ? x->outcome : LICSCAN_VERDICT_UNKNOWN;
}
const char *licscan_reason_code(const licscan_reason *x)
{
    return x ? x->code : "";
}
const char *licscan_reason_message(const licscan_reason *x)
{
    return x ? x->message : "";
}
int licscan_reason_flag(const licscan_reason *x) { return x ? x->flag : -1; }
const char *licscan_reason_license(const licscan_reason *x)
{
    return x ? x->license : "";
}
const char *licscan_reason_file(const licscan_reason *x)
{
    return x ? x->file : "";
}
const char *licscan_reason_base(const licscan_reason *x)
{
    return x ? x->base : "";
}
int licscan_reason_evidence(const licscan_reason *x, uint64_t *start,
                            uint64_t *end, const char **text,
                            const char **label)
{
    if (!x)
        return LICSCAN_EINVAL;
    if (!x->evidence)
        return LICSCAN_ENOTFOUND;
    if (start)
        *start = x->start;
    if (end)
        *end = x->end;
    if (text)
        *text = x->text;
    if (label)
        *label = x->label;
    return LICSCAN_OK;
}

/* ---------- evaluation ---------- */

typedef struct ev {
    licscan_verdict *v;
    const ls_gathered *g;
    licscan_facts f;
    uint64_t allow_flags, deny_flags;
    bool allow_licenses; /* the allow list names a license */
    int rc;
} ev;

static const char *vstr(ev *e, const char *s)
{
    if (!s)
        return "";
    char *d = ls_arena_strndup(&e->v->arena, s, strlen(s));
    if (!d) {
        e->rc = LICSCAN_ENOMEM;
        return "";
    }
    return d;
}

__attribute__((format(printf, 2, 3))) static const char *vfmt(ev *e,
                                                              const char *fmt,
                                                              ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return "";
    if ((size_t)n < sizeof(small))
        return vstr(e, small);
    char *d = ls_arena_alloc(&e->v->arena, (size_t)n + 1);
    if (!d) {
        e->rc = LICSCAN_ENOMEM;
        return "";
    }
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

/* "700,000,000" */
static const char *grouped(char *buf, size_t cap, int64_t v)
{
    char digits[32];
    int n =
        snprintf(digits, sizeof(digits), "%lld", (long long)(v < 0 ? -v : v));
    size_t o = 0;
    if (v < 0 && o + 1 < cap)
        buf[o++] = '-';
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = 0;
    return buf;
}

static void add_license(ev *e, uint32_t part, const char *id)
{
    licscan_verdict *v = e->v;
    if (!id || !*id)
        return;
    for (uint32_t i = 0; i < v->nlic[part]; i++)
        if (!strcmp(v->lic[part][i], id))
            return;
    if (LS_GROW(&v->alloc, v->lic[part], v->lic_cap[part], v->nlic[part] + 1)) {
        e->rc = LICSCAN_ENOMEM;
        return;
    }
    v->lic[part][v->nlic[part]++] = vstr(e, id);
}

/* What a reason is about: its source and, when it has one, the clause. */
typedef struct about {
    const ls_source *src;
    const licscan_restriction *x; /* NULL: no clause */
    const char *license;
} about;

/* A published text is template markup: what is left of an optional
 * block's marks in a clause ("< >") is not the license's wording. */
static void drop_markup(char *t)
{
    char *o = t;
    for (const char *p = t; *p;) {
        if (p[0] == '<' && p[1] == ' ' && p[2] == '>') {
            p += 3;
            while (*p == ' ')
                p++;
            continue;
        }
        *o++ = *p++;
    }
    *o = 0;
}

static void add_reason(ev *e, uint32_t kind, uint32_t outcome, const char *code,
                       const about *a, const char *message)
{
    licscan_verdict *v = e->v;
    int flag = a && a->x ? (int)licscan_restriction_flag(a->x) : -1;
    if (flag >= 0 && (e->allow_flags >> flag & 1) &&
        severity(outcome) > severity(LICSCAN_VERDICT_ALLOWED_WITH_DUTIES))
        outcome = LICSCAN_VERDICT_ALLOWED_WITH_DUTIES; /* accepted */
    const char *license = a && a->license ? a->license : "";
    const char *base = a && a->src ? a->src->base : "";
    /* the same clause read twice (a LICENSE and the card's copy, or the
     * license file and its published text) is one reason */
    for (uint32_t i = 0; i < v->nreasons; i++) {
        const licscan_reason *o = &v->reasons[i];
        if (!strcmp(o->code, code) && !strcmp(o->license, license) &&
            !strcmp(o->message, message) && !strcmp(o->base, base))
            return;
    }
    if (LS_GROW(&v->alloc, v->reasons, v->reasons_cap, v->nreasons + 1)) {
        e->rc = LICSCAN_ENOMEM;
        return;
    }
    licscan_reason *r = &v->reasons[v->nreasons++];
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->outcome = outcome;
    r->flag = flag;
    r->code = code;
    r->message = message;
    r->license = vstr(e, license);
    r->file = vstr(e, a && a->src ? a->src->file : "");
    r->base = vstr(e, base);
    r->text = r->label = "";
    if (a && a->x && licscan_restriction_evidence_count(a->x)) {
        const char *text = NULL, *label = NULL;
        if (licscan_restriction_evidence(a->x, 0, &r->start, &r->end, &text,
                                         &label, NULL) == LICSCAN_OK) {
            r->evidence = true;
            r->text = vstr(e, text);
            if (*a->src->forid && *r->text) /* not the static "" */
                drop_markup((char *)r->text);
            r->label = vstr(e, label);
        }
    }
    if (kind == LICSCAN_REASON_CONFLICT)
        v->nconflicts++;
}

/* Whether the facts say the user does one of `uses` (0: always; no uses
 * stated: every use may be meant). */
static bool applies(const ev *e, uint32_t uses)
{
    return !uses || !e->f.uses || (e->f.uses & uses);
}

/* A clause's section, for messages: " (section 2)" or "". */
static const char *section(ev *e, const licscan_restriction *x)
{
    const char *label = NULL;
    if (x && licscan_restriction_evidence_count(x) &&
        licscan_restriction_evidence(x, 0, NULL, NULL, NULL, &label, NULL) ==
            LICSCAN_OK &&
        label && *label)
        return vfmt(e, " (section %s)", label);
    return "";
}

static const char *items(ev *e, const licscan_restriction *x)
{
    char buf[512];
    size_t o = 0;
    buf[0] = 0;
    for (uint32_t i = 0; i < licscan_restriction_item_count(x); i++) {
        int n = snprintf(buf + o, sizeof(buf) - o, "%s%s", i ? ", " : "",
                         licscan_restriction_item(x, i));
        if (n < 0 || (size_t)n >= sizeof(buf) - o)
            break;
        o += (size_t)n;
    }
    return vstr(e, buf);
}

static bool has_item(const licscan_restriction *x, const char *item)
{
    for (uint32_t i = 0; i < licscan_restriction_item_count(x); i++)
        if (!strcasecmp(licscan_restriction_item(x, i), item))
            return true;
    return false;
}

/* ---------- the terms of a threshold or exclusion ---------- */

#define MEASURE_USERS 0       /* monthly active users: what the facts hold */
#define MEASURE_OTHER_USERS 1 /* daily active users, users, visits */
#define MEASURE_REVENUE 2
#define CONSEQUENCE_LICENSE 0 /* another license from the licensor */
#define CONSEQUENCE_DUTY 1
#define CONSEQUENCE_FEE 2

typedef struct term {
    uint32_t measure;
    const char *measured; /* its name, for messages */
    int64_t amount;
    char currency[8];
    uint32_t period; /* LICSCAN_PERIOD_* */
    uint32_t consequence;
    char scope[128]; /* "" (everything) or e.g. "multimodal models" */
} term;

/* What a threshold measures, per which period, what crossing it does, and
 * what an exclusion covers: the restriction's own reading
 * (licscan_restriction_threshold, licscan_restriction_scope). Where it
 * read nothing, a mau_threshold is monthly active users and a
 * revenue_threshold yearly revenue, each asking for another license. */
static void read_term(const licscan_restriction *x, term *t)
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
static int64_t per_period(int64_t amount, uint32_t period, uint32_t to)
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

static void threshold_reason(ev *e, const about *a)
{
    term t;
    read_term(a->x, &t);
    char th[40], have[40], by[40];
    grouped(th, sizeof(th), t.amount);
    const char *sec = section(e, a->x);
    const char *then = t.consequence == CONSEQUENCE_LICENSE
                           ? "another license from the licensor is needed"
                       : t.consequence == CONSEQUENCE_FEE ? "a fee is due"
                                                          : "a duty starts";
    uint32_t crossed = t.consequence == CONSEQUENCE_LICENSE
                           ? LICSCAN_VERDICT_NEEDS_LICENSE
                           : LICSCAN_VERDICT_ALLOWED_WITH_DUTIES;
    if (t.measure == MEASURE_OTHER_USERS) {
        add_reason(e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN, "mau",
                   a,
                   vfmt(e,
                        "above %s %s %s%s; the facts give monthly active "
                        "users only",
                        th, t.measured, then, sec));
        return;
    }
    if (t.measure == MEASURE_USERS) {
        if (e->f.mau < 0) {
            add_reason(e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN,
                       "mau", a,
                       vfmt(e,
                            "above %s monthly active users %s%s; how many "
                            "you have is not given (--mau)",
                            th, then, sec));
        } else if (e->f.mau > t.amount) {
            grouped(have, sizeof(have), e->f.mau);
            grouped(by, sizeof(by), e->f.mau - t.amount);
            add_reason(e, LICSCAN_REASON_THRESHOLD, crossed, "mau", a,
                       vfmt(e,
                            "%s monthly active users exceed the threshold "
                            "of %s by %s: %s%s",
                            have, th, by, then, sec));
        } else {
            grouped(have, sizeof(have), e->f.mau);
            add_reason(e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_ALLOWED,
                       "mau", a,
                       vfmt(e,
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
        add_reason(e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN,
                   "revenue", a,
                   vfmt(e,
                        "above a revenue of %s %s %s %s%s; your revenue is "
                        "not given (--revenue)",
                        cur, th, per, then, sec));
        return;
    }
    if (strcasecmp(cur, mine) != 0) {
        add_reason(e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_UNKNOWN,
                   "revenue", a,
                   vfmt(e,
                        "above a revenue of %s %s %s %s%s; yours is in %s, "
                        "which licscan does not convert",
                        cur, th, per, then, sec, mine));
        return;
    }
    int64_t r = per_period(e->f.revenue, e->f.revenue_period, t.period);
    grouped(have, sizeof(have), r);
    if (r > t.amount) {
        grouped(by, sizeof(by), r - t.amount);
        add_reason(e, LICSCAN_REASON_THRESHOLD, crossed, "revenue", a,
                   vfmt(e,
                        "a revenue of %s %s %s exceeds the threshold of %s "
                        "%s by %s: %s%s",
                        cur, have, per, cur, th, by, then, sec));
    } else {
        add_reason(e, LICSCAN_REASON_THRESHOLD, LICSCAN_VERDICT_ALLOWED,
                   "revenue", a,
                   vfmt(e,
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
static void each_item(const char *list, void (*fn)(void *, const char *),
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

static void territory_reason(ev *e, const about *a)
{
    term t;
    read_term(a->x, &t);
    const char *list = items(e, a->x);
    const char *sec = section(e, a->x);
    region_hit h = { .x = a->x };
    each_item(e->f.regions, region_check, &h);
    if (*t.scope && strcasestr(t.scope, "multimodal")) {
        if (e->f.modality == LICSCAN_MODALITY_TEXT) {
            add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_ALLOWED,
                       "territory", a,
                       vfmt(e,
                            "no rights in %s for multimodal models only; "
                            "this one is text only%s",
                            list, sec));
            return;
        }
        if (e->f.modality == LICSCAN_MODALITY_UNKNOWN && (*h.where || !h.any)) {
            add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_UNKNOWN,
                       "territory", a,
                       vfmt(e,
                            "no rights for multimodal models in %s%s; the "
                            "model's modality is not given (--modality)",
                            list, sec));
            return;
        }
    }
    const char *what = *t.scope ? vfmt(e, " (%s)", t.scope) : "";
    if (!h.any)
        add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_UNKNOWN,
                   "territory", a,
                   vfmt(e,
                        "no rights in %s%s%s; where you operate is not "
                        "given (--region)",
                        list, what, sec));
    else if (*h.where)
        add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_FORBIDDEN,
                   "territory", a,
                   vfmt(e, "no rights in %s%s, which covers %s%s", h.place,
                        what, h.where, sec));
    else
        add_reason(e, LICSCAN_REASON_TERRITORY, LICSCAN_VERDICT_ALLOWED,
                   "territory", a,
                   vfmt(e, "no rights in %s%s, not where you operate%s", list,
                        what, sec));
}

/* ---------- one restriction ---------- */

#define U_DIST LICSCAN_USE_DISTRIBUTE_WEIGHTS
#define U_HOST LICSCAN_USE_HOSTED_SERVICE
#define U_MOD LICSCAN_USE_MODIFY
#define U_TRAIN LICSCAN_USE_TRAIN_OTHER_MODELS

static void duty(ev *e, const about *a, uint32_t uses, const char *code,
                 const char *message)
{
    if (applies(e, uses))
        add_reason(e, LICSCAN_REASON_DUTY, LICSCAN_VERDICT_ALLOWED_WITH_DUTIES,
                   code, a, message);
}

static void restriction_reason(ev *e, const about *a)
{
    const licscan_restriction *x = a->x;
    const licscan_result *r = a->src->r;
    const char *text = licscan_restriction_text(x);
    const char *sec = section(e, x);
    const licscan_restriction *aup =
        licscan_result_find_restriction(r, LICSCAN_FLAG_ACCEPTABLE_USE_POLICY);
    const licscan_restriction *uses =
        licscan_result_find_restriction(r, LICSCAN_FLAG_USE_RESTRICTIONS);
    switch (licscan_restriction_flag(x)) {
    case LICSCAN_FLAG_MAU_THRESHOLD:
    case LICSCAN_FLAG_REVENUE_THRESHOLD: threshold_reason(e, a); break;
    case LICSCAN_FLAG_TERRITORY_EXCLUSION: territory_reason(e, a); break;
    case LICSCAN_FLAG_BRANDING:
        for (uint32_t i = 0; i < licscan_restriction_item_count(x); i++)
            duty(e, a, U_DIST | U_HOST, "built-with",
                 vfmt(e,
                      "display \"%s\" with what you distribute or make "
                      "available%s",
                      licscan_restriction_item(x, i), sec));
        break;
    case LICSCAN_FLAG_NAME_PREFIX:
        duty(e, a, U_DIST | U_MOD | U_TRAIN, "name-prefix",
             vfmt(e, "begin the name of a model you make with it with \"%s\"%s",
                  *text ? text : "the name the license gives", sec));
        break;
    case LICSCAN_FLAG_NOTICE_TEXT:
        duty(e, a, U_DIST, "notice-text",
             vfmt(e, "include the notice \"%s\" with copies you distribute%s",
                  text, sec));
        break;
    case LICSCAN_FLAG_ATTRIBUTION:
        duty(e, a, U_DIST | U_HOST, "notice",
             vfmt(e,
                  "keep the copyright and license notices, and give "
                  "recipients a copy of the license%s",
                  sec));
        break;
    case LICSCAN_FLAG_FLOW_DOWN: {
        const char *policy = aup ? licscan_restriction_text(aup) : "";
        duty(e, a, U_DIST | U_HOST | U_MOD, "flow-down",
             vfmt(e,
                  "pass the use restrictions%s%s%s on: make them binding on "
                  "anyone you give the model, a derivative or access to%s",
                  *policy ? " (" : "", policy, *policy ? ")" : "", sec));
        break;
    }
    case LICSCAN_FLAG_ACCEPTABLE_USE_POLICY:
        duty(e, a, 0, "use-policy",
             vfmt(e, "comply with the use policy \"%s\"%s%s%s", text,
                  uses ? ", which excludes: " : "", uses ? items(e, uses) : "",
                  sec));
        break;
    case LICSCAN_FLAG_USE_RESTRICTIONS:
        if ((e->f.uses & LICSCAN_USE_MILITARY) &&
            (has_item(x, "military") || has_item(x, "weapons"))) {
            add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                       "military", a,
                       vfmt(e, "military use is excluded%s", sec));
        } else if (!aup) {
            duty(e, a, 0, "use-restrictions",
                 vfmt(e, "do not use it for: %s%s", items(e, x), sec));
        }
        break;
    case LICSCAN_FLAG_OUTPUT_TRAINING_BAN:
        if (e->f.uses & U_TRAIN)
            add_reason(
                e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                "output-training", a,
                vfmt(e,
                     "its outputs may not train or improve other "
                     "models%s%s%s",
                     *licscan_restriction_qualifier(x) ? " (except " : "",
                     licscan_restriction_qualifier(x),
                     *licscan_restriction_qualifier(x) ? ")" : ""));
        else
            duty(e, a, 0, "output-training",
                 vfmt(e,
                      "do not use its outputs to train or improve other "
                      "models%s",
                      sec));
        break;
    case LICSCAN_FLAG_NON_COMMERCIAL:
        if (e->f.uses & LICSCAN_USE_COMMERCIAL)
            add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                       "non-commercial", a,
                       vfmt(e, "commercial use is excluded%s", sec));
        else
            duty(e, a, 0, "non-commercial",
                 vfmt(e, "use it for non-commercial purposes only%s", sec));
        break;
    case LICSCAN_FLAG_FIELD_OF_USE:
        if (e->f.uses & LICSCAN_USE_COMMERCIAL)
            add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                       "field-of-use", a,
                       vfmt(e, "only %s use is granted, not commercial use%s",
                            items(e, x), sec));
        else
            duty(e, a, 0, "field-of-use",
                 vfmt(e, "use it only for: %s%s", items(e, x), sec));
        break;
    case LICSCAN_FLAG_NO_DERIVATIVES:
        if (e->f.uses & (U_MOD | U_TRAIN))
            add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                       "no-derivatives", a,
                       vfmt(e, "modification is not permitted%s", sec));
        else
            duty(e, a, 0, "no-derivatives", vfmt(e, "do not modify it%s", sec));
        break;
    case LICSCAN_FLAG_NO_REDISTRIBUTION:
        if (e->f.uses & U_DIST)
            add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                       "no-redistribution", a,
                       vfmt(e, "redistribution is not permitted%s", sec));
        else
            duty(e, a, 0, "no-redistribution",
                 vfmt(e, "do not redistribute it%s", sec));
        break;
    case LICSCAN_FLAG_COPYLEFT:
        duty(e, a, U_DIST | U_MOD | (!strcmp(text, "network") ? U_HOST : 0),
             "copyleft",
             vfmt(e,
                  "share what you make from it under the same license (%s "
                  "copyleft)%s",
                  *text ? text : "strong", sec));
        break;
    default: /* grants, termination, governing law: nothing to do */ break;
    }
}

/* ---------- sources ---------- */

static bool text_kind(uint32_t kind) { return kind != LICSCAN_KIND_REFERENCE; }

/* The license a clause at `at` belongs to: the text match around it, else
 * the source's first text match. */
static const char *license_at(const ls_source *s, uint64_t at)
{
    if (*s->forid)
        return s->forid;
    const char *first = "";
    for (uint32_t k = 0; k < licscan_result_match_count(s->r); k++) {
        const licscan_match *m = licscan_result_match(s->r, k);
        if (!text_kind(licscan_match_kind(m)))
            continue;
        const char *id = licscan_license_id(licscan_match_license(m));
        if (at >= licscan_match_start(m) && at < licscan_match_end(m))
            return id;
        if (!*first)
            first = id;
    }
    return first;
}

static bool inside_text_match(const licscan_result *r, uint64_t at)
{
    for (uint32_t k = 0; k < licscan_result_match_count(r); k++) {
        const licscan_match *m = licscan_result_match(r, k);
        if (text_kind(licscan_match_kind(m)) && at >= licscan_match_start(m) &&
            at < licscan_match_end(m))
            return true;
    }
    return false;
}

static uint64_t evidence_start(const licscan_restriction *x)
{
    uint64_t start = 0;
    licscan_restriction_evidence(x, 0, &start, NULL, NULL, NULL, NULL);
    return start;
}

/* Whether a clause of source s counts: a card's prose does not, only the
 * license texts it holds. */
static bool counts(const ls_source *s, const licscan_restriction *x)
{
    return s->role != LICSCAN_ROLE_CARD ||
           inside_text_match(s->r, evidence_start(x));
}

static void source_reasons(ev *e, const ls_source *s)
{
    for (uint32_t i = 0; i < licscan_result_restriction_count(s->r); i++) {
        const licscan_restriction *x = licscan_result_restriction(s->r, i);
        if (!counts(s, x))
            continue;
        about a = { s, x, license_at(s, evidence_start(x)) };
        restriction_reason(e, &a);
    }
}

static const licscan_license *lookup(const ev *e, const char *id)
{
    return e->g->db ? licscan_db_lookup(e->g->db, id) : NULL;
}

static bool is_policy(const ev *e, const char *id)
{
    const licscan_license *l = lookup(e, id);
    return l && !strcmp(licscan_license_kind(l), "policy");
}

/* The licenses each part names. */
static void sort_licenses(ev *e)
{
    const ls_gathered *g = e->g;
    bool weights_files = false, code_files = false;
    for (uint32_t i = 0; i < g->nsrc; i++) {
        const ls_source *s = &g->src[i];
        weights_files |= !*s->base && s->role == LICSCAN_ROLE_WEIGHTS;
        code_files |= !*s->base && s->role == LICSCAN_ROLE_CODE;
    }
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0: the files; pass 1: the card's texts and the published
         * texts of declared licenses, when no file named the weights' */
        if (pass == 1 && e->v->nlic[LICSCAN_PART_WEIGHTS])
            break;
        for (uint32_t i = 0; i < g->nsrc; i++) {
            const ls_source *s = &g->src[i];
            if (!s->r)
                continue;
            bool late =
                s->role == LICSCAN_ROLE_CARD || (*s->forid && !*s->base);
            if (late != (pass == 1))
                continue;
            if (*s->forid) { /* a published text: its license */
                add_license(e,
                            is_policy(e, s->forid) ? LICSCAN_PART_POLICY
                            : *s->base             ? LICSCAN_PART_INHERITED
                                                   : LICSCAN_PART_WEIGHTS,
                            s->forid);
                continue;
            }
            for (uint32_t k = 0; k < licscan_result_match_count(s->r); k++) {
                const licscan_match *m = licscan_result_match(s->r, k);
                const licscan_license *l = licscan_match_license(m);
                const char *id = licscan_license_id(l);
                bool ref = !text_kind(licscan_match_kind(m));
                if (ref) {
                    /* a license the card names: the part its sentence
                     * says, else what the card declares */
                    uint8_t said = s->refpart ? s->refpart[k] : 0;
                    if (s->role == LICSCAN_ROLE_CARD && !*s->base)
                        add_license(e,
                                    said == LS_REF_CODE ? LICSCAN_PART_CODE
                                    : said == LS_REF_WEIGHTS
                                        ? LICSCAN_PART_WEIGHTS
                                        : LICSCAN_PART_DECLARED,
                                    id);
                    /* a license file that only names its license: that
                     * license, for the file's part */
                    if (s->role == LICSCAN_ROLE_CARD ||
                        s->role == LICSCAN_ROLE_NOTICE ||
                        s->role == LICSCAN_ROLE_POLICY)
                        continue;
                }
                if (!strcmp(licscan_license_kind(l), "policy") ||
                    s->role == LICSCAN_ROLE_POLICY)
                    add_license(e, LICSCAN_PART_POLICY, id);
                else if (*s->base)
                    add_license(e, LICSCAN_PART_INHERITED, id);
                else if (s->role == LICSCAN_ROLE_WEIGHTS ||
                         s->role == LICSCAN_ROLE_CARD)
                    add_license(e, LICSCAN_PART_WEIGHTS, id);
                else if (s->role == LICSCAN_ROLE_CODE)
                    add_license(e, LICSCAN_PART_CODE, id);
                else if (s->role == LICSCAN_ROLE_LICENSE) {
                    if (!weights_files)
                        add_license(e, LICSCAN_PART_WEIGHTS, id);
                    if (!code_files)
                        add_license(e, LICSCAN_PART_CODE, id);
                }
            }
        }
    }
    /* what the card declares, by the id licscan knows it under */
    const char *declared[2] = { g->license, g->license_name };
    for (int d = 0; d < 2; d++) {
        const char *v = declared[d];
        if (!v || !*v || !strcasecmp(v, "other"))
            continue;
        const licscan_license *l = lookup(e, v);
        add_license(e, LICSCAN_PART_DECLARED, l ? licscan_license_id(l) : v);
    }
    for (uint32_t b = 0; b < g->nbases; b++)
        for (uint32_t k = 0; k < g->bases[b].nlicenses; k++)
            if (!is_policy(e, g->bases[b].licenses[k]))
                add_license(e, LICSCAN_PART_INHERITED, g->bases[b].licenses[k]);
            else
                add_license(e, LICSCAN_PART_POLICY, g->bases[b].licenses[k]);
}

static bool license_role(uint32_t role)
{
    return role >= LICSCAN_ROLE_LICENSE && role <= LICSCAN_ROLE_POLICY;
}

/* Files whose terms licscan cannot read, and a model with no license. */
static void unread_reasons(ev *e)
{
    const ls_gathered *g = e->g;
    bool terms = false;
    for (uint32_t i = 0; i < g->nsrc; i++) {
        const ls_source *s = &g->src[i];
        about a = { s, NULL, "" };
        if (s->error) {
            if (license_role(s->role))
                add_reason(
                    e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                    "unreadable", &a,
                    vfmt(e, "%s could not be read: %s", s->file, s->error));
            continue;
        }
        bool any = false;
        for (uint32_t k = 0; k < licscan_result_match_count(s->r); k++)
            any |= s->role != LICSCAN_ROLE_CARD ||
                   text_kind(licscan_match_kind(licscan_result_match(s->r, k)));
        for (uint32_t k = 0; k < licscan_result_restriction_count(s->r); k++)
            any |= counts(s, licscan_result_restriction(s->r, k));
        terms |= any;
        if (!any && license_role(s->role))
            add_reason(e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                       "unreadable", &a,
                       vfmt(e,
                            "%s: no license licscan knows, and no terms it "
                            "can read",
                            *s->file ? s->file : "the text"));
    }
    const char *declared[2] = { g->license, g->license_name };
    for (int d = 0; d < 2; d++) {
        const char *v = declared[d];
        if (!v || !*v || !strcasecmp(v, "other") || lookup(e, v))
            continue;
        if (!e->v->nlic[LICSCAN_PART_WEIGHTS])
            add_reason(e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                       "unknown-license", NULL,
                       vfmt(e,
                            "the card declares \"%s\", which licscan does "
                            "not know, and no file holds its text",
                            v));
        terms = true;
    }
    if (!terms)
        add_reason(e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                   "no-license", NULL,
                   vstr(e, "no license found: no license file, and no "
                           "license the card declares"));
}

/* ---------- conflicts ---------- */

static const char *family_of(const ev *e, const char *id)
{
    const licscan_license *l = lookup(e, id);
    return l ? licscan_license_family(l) : "";
}

/* Whether license id is one of the part's, or of the same family. */
static bool kin_in(const ev *e, uint32_t part, const char *id)
{
    const char *fam = family_of(e, id);
    for (uint32_t i = 0; i < e->v->nlic[part]; i++) {
        const char *o = e->v->lic[part][i];
        if (!strcmp(o, id) || (*fam && !strcmp(fam, family_of(e, o))))
            return true;
    }
    return false;
}

static const char *card_file(const ev *e)
{
    for (uint32_t i = 0; i < e->g->nsrc; i++)
        if (e->g->src[i].role == LICSCAN_ROLE_CARD && !*e->g->src[i].base)
            return e->g->src[i].file;
    return "the card";
}

/* The model's own license ids, files first, then the card's. */
static const char *own_licenses(ev *e)
{
    char buf[512];
    size_t o = 0;
    buf[0] = 0;
    for (int part = LICSCAN_PART_WEIGHTS; part <= LICSCAN_PART_DECLARED;
         part += LICSCAN_PART_DECLARED) {
        for (uint32_t i = 0; i < e->v->nlic[part]; i++) {
            const char *id = e->v->lic[part][i];
            if (strstr(buf, id))
                continue;
            int n =
                snprintf(buf + o, sizeof(buf) - o, "%s%s", o ? ", " : "", id);
            if (n < 0 || (size_t)n >= sizeof(buf) - o)
                break;
            o += (size_t)n;
        }
    }
    return vstr(e, buf);
}

static void base_conflicts(ev *e, const ls_base *b)
{
    const ls_gathered *g = e->g;
    /* the base's licenses (not its use policies) */
    const char *ids[16];
    uint32_t n = 0;
    for (uint32_t k = 0; k < b->nlicenses && n < 16; k++)
        if (!is_policy(e, b->licenses[k]))
            ids[n++] = b->licenses[k];
    for (uint32_t i = 0; i < g->nsrc; i++) {
        const ls_source *s = &g->src[i];
        if (strcmp(s->base, b->id) || !s->r || *s->forid)
            continue;
        for (uint32_t k = 0; k < licscan_result_match_count(s->r) && n < 16;
             k++) {
            const licscan_match *m = licscan_result_match(s->r, k);
            const licscan_license *l = licscan_match_license(m);
            if (text_kind(licscan_match_kind(m)) &&
                strcmp(licscan_license_kind(l), "policy"))
                ids[n++] = licscan_license_id(l);
        }
    }
    /* permissive bases let a derivative take other terms */
    bool binding = false;
    for (uint32_t k = 0; k < n; k++) {
        const licscan_license *l = lookup(e, ids[k]);
        binding |= !l || !licscan_license_osi_approved(l);
    }
    bool own =
        e->v->nlic[LICSCAN_PART_WEIGHTS] || e->v->nlic[LICSCAN_PART_DECLARED];
    bool kept = false;
    for (uint32_t k = 0; k < n; k++)
        kept |= kin_in(e, LICSCAN_PART_WEIGHTS, ids[k]) ||
                kin_in(e, LICSCAN_PART_DECLARED, ids[k]);
    if (binding && own && !kept) {
        const char *from = !strcmp(b->from, "cache")
                               ? vstr(e, "its files in the same cache")
                               : vfmt(e, "licenses/models.tsv: %s", b->pattern);
        about a = { NULL, NULL, ids[0] };
        add_reason(e, LICSCAN_REASON_CONFLICT, LICSCAN_VERDICT_UNKNOWN,
                   "drops-base-terms", &a,
                   vfmt(e,
                        "%s says %s, but base model %s is under %s (%s), "
                        "whose terms a model made from it keeps",
                        card_file(e), own_licenses(e), b->id, ids[0], from));
    }
    /* a name the base's license asks derivatives to begin with */
    const char *name = strrchr(g->name, '/');
    name = name ? name + 1 : g->name;
    for (uint32_t i = 0; i < g->nsrc; i++) {
        const ls_source *s = &g->src[i];
        /* the base's files, or the published text of its license read
         * for the model's own declaration */
        bool of_base = !strcmp(s->base, b->id);
        for (uint32_t k = 0; k < n && !of_base && *s->forid; k++)
            of_base = !strcmp(s->forid, ids[k]);
        if (!of_base || !s->r)
            continue;
        const licscan_restriction *x =
            licscan_result_find_restriction(s->r, LICSCAN_FLAG_NAME_PREFIX);
        const char *prefix = x ? licscan_restriction_text(x) : "";
        if (!*prefix || !strncasecmp(name, prefix, strlen(prefix)))
            continue;
        about a = { s, x, license_at(s, evidence_start(x)) };
        add_reason(e, LICSCAN_REASON_CONFLICT,
                   LICSCAN_VERDICT_ALLOWED_WITH_DUTIES, "name-prefix", &a,
                   vfmt(e,
                        "the model's name \"%s\" does not begin with \"%s\", "
                        "which the license of base model %s asks of models "
                        "made from it%s",
                        name, prefix, b->id, section(e, x)));
        break;
    }
}

static void conflicts(ev *e)
{
    const ls_gathered *g = e->g;
    /* the card against the license files */
    const char *declared = NULL;
    const licscan_license *dl = NULL;
    if (g->license && *g->license && strcasecmp(g->license, "other")) {
        declared = g->license;
        dl = lookup(e, declared);
    }
    if (dl && strcmp(licscan_license_kind(dl), "policy")) {
        const char *id = licscan_license_id(dl);
        bool files = false, same = false;
        for (uint32_t i = 0; i < g->nsrc; i++) {
            const ls_source *s = &g->src[i];
            if (*s->base || *s->forid || !s->r ||
                (s->role != LICSCAN_ROLE_LICENSE &&
                 s->role != LICSCAN_ROLE_WEIGHTS))
                continue;
            for (uint32_t k = 0; k < licscan_result_match_count(s->r); k++) {
                const licscan_match *m = licscan_result_match(s->r, k);
                const licscan_license *l = licscan_match_license(m);
                if (!text_kind(licscan_match_kind(m)) ||
                    !strcmp(licscan_license_kind(l), "policy"))
                    continue;
                files = true;
                const char *lid = licscan_license_id(l);
                same |=
                    !strcmp(lid, id) || (*licscan_license_family(dl) &&
                                         !strcmp(licscan_license_family(dl),
                                                 licscan_license_family(l)));
            }
        }
        if (files && !same) {
            about a = { NULL, NULL, id };
            add_reason(e, LICSCAN_REASON_CONFLICT, LICSCAN_VERDICT_UNKNOWN,
                       "card-disagrees", &a,
                       vfmt(e,
                            "%s declares license: %s, but the license files "
                            "hold %s",
                            card_file(e), declared, own_licenses(e)));
        }
    }
    for (uint32_t b = 0; b < g->nbases; b++)
        base_conflicts(e, &g->bases[b]);
}

/* ---------- allow and deny ---------- */

typedef struct listing {
    ev *e;
    bool deny;
} listing;

/* Whether a license id of the model is what `item` names. */
static bool names_license(const ev *e, const char *item, const char *id)
{
    if (!strcasecmp(item, id))
        return true;
    const licscan_license *l = lookup(e, item);
    if (l && !strcmp(licscan_license_id(l), id))
        return true;
    const licscan_license *own = lookup(e, id);
    return own && !strcasecmp(item, licscan_license_spdx(own));
}

static void flag_item(void *ctx, const char *item)
{
    listing *L = ctx;
    int f = licscan_flag_lookup(item);
    if (f >= 0) {
        if (L->deny)
            L->e->deny_flags |= 1ull << f;
        else
            L->e->allow_flags |= 1ull << f;
    } else if (!L->deny) {
        L->e->allow_licenses = true;
    }
}

static void deny_item(void *ctx, const char *item)
{
    ev *e = ctx;
    if (licscan_flag_lookup(item) >= 0)
        return;
    for (uint32_t p = 0; p < NPARTS; p++)
        for (uint32_t i = 0; i < e->v->nlic[p]; i++)
            if (names_license(e, item, e->v->lic[p][i])) {
                about a = { NULL, NULL, e->v->lic[p][i] };
                add_reason(
                    e, LICSCAN_REASON_POLICY, LICSCAN_VERDICT_FORBIDDEN,
                    "denied", &a,
                    vfmt(e, "%s is denied (--deny %s)", e->v->lic[p][i], item));
                return;
            }
}

typedef struct allow_scan {
    ev *e;
    const char *id;
    bool found;
} allow_scan;

static void allow_item(void *ctx, const char *item)
{
    allow_scan *s = ctx;
    s->found |= names_license(s->e, item, s->id);
}

static void policy_reasons(ev *e)
{
    listing la = { e, false }, ld = { e, true };
    each_item(e->f.allow, flag_item, &la);
    each_item(e->f.deny, flag_item, &ld);
    each_item(e->f.deny, deny_item, e);
    if (e->deny_flags) {
        const ls_gathered *g = e->g;
        for (uint32_t i = 0; i < g->nsrc; i++) {
            const ls_source *s = &g->src[i];
            for (uint32_t k = 0;
                 s->r && k < licscan_result_restriction_count(s->r); k++) {
                const licscan_restriction *x =
                    licscan_result_restriction(s->r, k);
                uint32_t f = licscan_restriction_flag(x);
                if (!(e->deny_flags >> f & 1) || !counts(s, x))
                    continue;
                about a = { s, x, license_at(s, evidence_start(x)) };
                add_reason(e, LICSCAN_REASON_POLICY, LICSCAN_VERDICT_FORBIDDEN,
                           "denied", &a,
                           vfmt(e, "%s is denied (--deny %s)%s",
                                licscan_flag_name(f), licscan_flag_name(f),
                                section(e, x)));
            }
        }
    }
    if (!e->allow_licenses)
        return;
    static const uint32_t parts[] = { LICSCAN_PART_WEIGHTS, LICSCAN_PART_CODE,
                                      LICSCAN_PART_INHERITED };
    for (size_t p = 0; p < 3; p++)
        for (uint32_t i = 0; i < e->v->nlic[parts[p]]; i++) {
            allow_scan s = { e, e->v->lic[parts[p]][i], false };
            each_item(e->f.allow, allow_item, &s);
            if (s.found)
                continue;
            about a = { NULL, NULL, s.id };
            add_reason(e, LICSCAN_REASON_POLICY, LICSCAN_VERDICT_FORBIDDEN,
                       "not-allowed", &a,
                       vfmt(e, "%s is not among the allowed licenses (--allow)",
                            s.id));
        }
}

/* ---------- the whole ---------- */

static void record_files(ev *e)
{
    const ls_gathered *g = e->g;
    licscan_verdict *v = e->v;
    for (uint32_t i = 0; i < g->nsrc; i++) {
        const ls_source *s = &g->src[i];
        if (!*s->file)
            continue;
        if (LS_GROW(&v->alloc, v->files, v->files_cap, v->nfiles + 1)) {
            e->rc = LICSCAN_ENOMEM;
            return;
        }
        vfile *f = &v->files[v->nfiles++];
        f->file = vstr(e, s->file);
        f->role = licscan_role_name(s->role);
        f->base = vstr(e, s->base);
        f->spdx = vstr(e, s->r ? licscan_result_spdx(s->r) : "");
        f->error = s->error ? vstr(e, s->error) : NULL;
    }
    if (g->nbases) {
        v->bases = ls_calloc(&v->alloc, g->nbases, sizeof(*v->bases));
        if (!v->bases) {
            e->rc = LICSCAN_ENOMEM;
            return;
        }
        for (uint32_t b = 0; b < g->nbases; b++) {
            v->bases[b].id = vstr(e, g->bases[b].id);
            v->bases[b].from = vstr(e, g->bases[b].from);
            v->bases[b].pattern = vstr(e, g->bases[b].pattern);
        }
        v->nbases = g->nbases;
    }
}

int ls_evaluate(const ls_gathered *g, const licscan_facts *facts,
                licscan_verdict **out)
{
    *out = NULL;
    ev e;
    memset(&e, 0, sizeof(e));
    licscan_facts_init(&e.f, sizeof(e.f));
    if (facts && ls_options_read(&e.f, sizeof(e.f), facts, FACTS_V1))
        return LICSCAN_EINVAL;
    if (e.f.modality > LICSCAN_MODALITY_MULTIMODAL ||
        e.f.revenue_period > LICSCAN_PERIOD_YEAR)
        return LICSCAN_EINVAL;
    e.f.revenue_currency[sizeof(e.f.revenue_currency) - 1] = 0;
    licscan_verdict *v = ls_malloc(g->alloc, sizeof(*v));
    if (!v)
        return LICSCAN_ENOMEM;
    memset(v, 0, sizeof(*v));
    v->alloc = *g->alloc;
    ls_arena_init(&v->arena, &v->alloc);
    ls_buf_init(&v->json, &v->alloc);
    e.v = v;
    e.g = g;
    v->model = vstr(&e, g->name);
    v->path = vstr(&e, g->path);
    record_files(&e);
    sort_licenses(&e);
    /* the flags accepted by --allow must be known before any reason */
    listing la = { &e, false };
    each_item(e.f.allow, flag_item, &la);
    for (uint32_t i = 0; i < g->nsrc; i++)
        if (g->src[i].r)
            source_reasons(&e, &g->src[i]);
    unread_reasons(&e);
    conflicts(&e);
    policy_reasons(&e);
    if (e.rc) {
        licscan_verdict_free(v);
        return e.rc;
    }
    v->value = LICSCAN_VERDICT_ALLOWED;
    for (uint32_t i = 0; i < v->nreasons; i++)
        if (severity(v->reasons[i].outcome) > severity(v->value))
            v->value = v->reasons[i].outcome;
    *out = v;
    return LICSCAN_OK;
}

int licscan_model_evaluate(const licscan_model *m, const licscan_facts *facts,
                           licscan_verdict **out)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    if (!m)
        return LICSCAN_EINVAL;
    ls_gathered g;
    int rc = ls_model_gather(m, &g);
    if (rc)
        return rc;
    rc = ls_evaluate(&g, facts, out);
    ls_gathered_free(&g);
    return rc;
}

int licscan_result_evaluate(const licscan_result *r, const licscan_facts *facts,
                            licscan_verdict **out)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    if (!r)
        return LICSCAN_EINVAL;
    ls_source s = { "",  LICSCAN_ROLE_LICENSE,
                    "",  "",
                    r,   r->status ? licscan_result_errmsg(r) : NULL,
                    NULL };
    if (s.error)
        s.r = NULL;
    ls_gathered g;
    memset(&g, 0, sizeof(g));
    g.name = g.path = "";
    g.src = &s;
    g.nsrc = 1;
    g.alloc = &r->alloc;
    return ls_evaluate(&g, facts, out);
}

/* ---------- JSON ---------- */

static void jstr(ls_buf *b, const char *s)
{
    size_t n = strlen(s);
    size_t need = licscan_json_escape(s, n, NULL, 0);
    ls_buf_putc(b, '"');
    if (ls_buf_reserve(b, need) == LICSCAN_OK) {
        licscan_json_escape(s, n, b->data + b->len, b->cap - b->len);
        b->len += need;
    }
    ls_buf_putc(b, '"');
}

static void jkey(ls_buf *b, bool *first, const char *k)
{
    if (!*first)
        ls_buf_putc(b, ',');
    *first = false;
    jstr(b, k);
    ls_buf_putc(b, ':');
}

static void jmember(ls_buf *b, bool *first, const char *k, const char *v)
{
    jkey(b, first, k);
    jstr(b, v);
}

static void jmember_opt(ls_buf *b, bool *first, const char *k, const char *v)
{
    if (v && *v)
        jmember(b, first, k, v);
}

static void jlist(ls_buf *b, const char *const *items, uint32_t n)
{
    ls_buf_putc(b, '[');
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            ls_buf_putc(b, ',');
        jstr(b, items[i]);
    }
    ls_buf_putc(b, ']');
}

static void jreason(ls_buf *b, const licscan_reason *x)
{
    bool first = true;
    ls_buf_putc(b, '{');
    jmember(b, &first, "kind", kind_names[x->kind]);
    jmember(b, &first, "outcome", verdict_names[x->outcome]);
    jmember(b, &first, "code", x->code);
    jmember(b, &first, "message", x->message);
    if (x->flag >= 0)
        jmember(b, &first, "flag", licscan_flag_name((uint32_t)x->flag));
    jmember_opt(b, &first, "license", x->license);
    jmember_opt(b, &first, "file", x->file);
    jmember_opt(b, &first, "base", x->base);
    if (x->evidence) {
        char n[64];
        jkey(b, &first, "evidence");
        snprintf(n, sizeof(n), "{\"start\":%llu,\"end\":%llu",
                 (unsigned long long)x->start, (unsigned long long)x->end);
        ls_buf_puts(b, n);
        bool f2 = false;
        jmember_opt(b, &f2, "label", x->label);
        jmember(b, &f2, "text", x->text);
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, '}');
}

int licscan_verdict_json(licscan_verdict *v, const char **json, size_t *len)
{
    if (!v || !json)
        return LICSCAN_EINVAL;
    static const char *const part_names[NPARTS] = { "weights", "code", "policy",
                                                    "declared", "inherited" };
    ls_buf *b = &v->json;
    b->len = 0;
    b->failed = false;
    bool first = true;
    ls_buf_putc(b, '{');
    jmember(b, &first, "schema", "check-1");
    jmember(b, &first, "model", v->model);
    jmember_opt(b, &first, "path", v->path);
    jmember(b, &first, "verdict", verdict_names[v->value]);
    jkey(b, &first, "conflict");
    ls_buf_puts(b, v->nconflicts ? "true" : "false");
    jkey(b, &first, "licenses");
    ls_buf_putc(b, '{');
    for (int p = 0; p < NPARTS; p++) {
        if (p)
            ls_buf_putc(b, ',');
        jstr(b, part_names[p]);
        ls_buf_putc(b, ':');
        jlist(b, v->lic[p], v->nlic[p]);
    }
    ls_buf_putc(b, '}');
    jkey(b, &first, "bases");
    ls_buf_putc(b, '[');
    for (uint32_t i = 0; i < v->nbases; i++) {
        bool f2 = true;
        ls_buf_puts(b, i ? ",{" : "{");
        jmember(b, &f2, "id", v->bases[i].id);
        jmember(b, &f2, "from",
                *v->bases[i].from ? v->bases[i].from : "unknown");
        jmember_opt(b, &f2, "pattern", v->bases[i].pattern);
        ls_buf_putc(b, '}');
    }
    ls_buf_putc(b, ']');
    for (int duties = 1; duties >= 0; duties--) {
        jkey(b, &first, duties ? "duties" : "reasons");
        ls_buf_putc(b, '[');
        bool any = false;
        for (uint32_t i = 0; i < v->nreasons; i++) {
            if ((v->reasons[i].kind == LICSCAN_REASON_DUTY) != duties)
                continue;
            if (any)
                ls_buf_putc(b, ',');
            any = true;
            jreason(b, &v->reasons[i]);
        }
        ls_buf_putc(b, ']');
    }
    jkey(b, &first, "files");
    ls_buf_putc(b, '[');
    for (uint32_t i = 0; i < v->nfiles; i++) {
        const vfile *f = &v->files[i];
        bool f2 = true;
        ls_buf_puts(b, i ? ",{" : "{");
        jmember(b, &f2, "file", f->file);
        jmember(b, &f2, "role", f->role);
        jmember_opt(b, &f2, "base", f->base);
        jmember(b, &f2, "spdx", f->spdx);
        jmember_opt(b, &f2, "error", f->error);
        ls_buf_putc(b, '}');
    }
    ls_buf_puts(b, "]}");
    if (b->failed)
        return LICSCAN_ENOMEM;
    *json = b->data;
    if (len)
        *len = b->len;
    return LICSCAN_OK;
}
