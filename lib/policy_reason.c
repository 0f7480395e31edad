/* policy_reason.c -- the building blocks of a verdict's reasons: how
 * bad an outcome is, the text of a reason, the licenses it names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy_eval.h"

/* How bad an outcome is: unknown sits between the duties and the
 * outcomes that stop the user. */
int pol_severity(uint32_t v)
{
    static const int sev[] = { 0, 1, 3, 4, 2 };
    return v < 5 ? sev[v] : 2;
}

/* ---------- evaluation ---------- */

const char *pol_vstr(ev *e, const char *s)
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

const char *pol_vfmt(ev *e, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return "";
    if ((size_t)n < sizeof(small))
        return pol_vstr(e, small);
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
const char *pol_grouped(char *buf, size_t cap, int64_t v)
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

void pol_add_license(ev *e, uint32_t part, const char *id)
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
    v->lic[part][v->nlic[part]++] = pol_vstr(e, id);
}

/* A published text is template markup: what is left of an optional
 * block's marks in a clause ("< >") is not the license's wording. */
static void pol_drop_markup(char *t)
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

void pol_add_reason(ev *e, uint32_t kind, uint32_t outcome, const char *code,
                    const about *a, const char *message)
{
    licscan_verdict *v = e->v;
    int flag = a && a->x ? (int)licscan_restriction_flag(a->x) : -1;
    if (flag >= 0 && (e->allow_flags >> flag & 1) &&
        pol_severity(outcome) >
            pol_severity(LICSCAN_VERDICT_ALLOWED_WITH_DUTIES))
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
    r->license = pol_vstr(e, license);
    r->file = pol_vstr(e, a && a->src ? a->src->file : "");
    r->base = pol_vstr(e, base);
    r->text = r->label = "";
    if (a && a->x && licscan_restriction_evidence_count(a->x)) {
        const char *text = NULL, *label = NULL;
        if (licscan_restriction_evidence(a->x, 0, &r->start, &r->end, &text,
                                         &label, NULL) == LICSCAN_OK) {
            r->evidence = true;
            licscan_restriction_evidence_position(a->x, 0, &r->pos);
            r->text = pol_vstr(e, text);
            if (*a->src->forid && *r->text) /* not the static "" */
                pol_drop_markup((char *)r->text);
            r->label = pol_vstr(e, label);
        }
    }
    if (kind == LICSCAN_REASON_CONFLICT)
        v->nconflicts++;
}

/* Whether the facts say the user does one of `uses` (0: always; no uses
 * stated: every use may be meant). */
bool pol_applies(const ev *e, uint32_t uses)
{
    return !uses || !e->f.uses || (e->f.uses & uses);
}

/* A clause's section, for messages: " (section 2)" or "". */
const char *pol_section(ev *e, const licscan_restriction *x)
{
    const char *label = NULL;
    if (x && licscan_restriction_evidence_count(x) &&
        licscan_restriction_evidence(x, 0, NULL, NULL, NULL, &label, NULL) ==
            LICSCAN_OK &&
        label && *label)
        return pol_vfmt(e, " (section %s)", label);
    return "";
}

const char *pol_items(ev *e, const licscan_restriction *x)
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
    return pol_vstr(e, buf);
}

bool pol_has_item(const licscan_restriction *x, const char *item)
{
    for (uint32_t i = 0; i < licscan_restriction_item_count(x); i++)
        if (!strcasecmp(licscan_restriction_item(x, i), item))
            return true;
    return false;
}
