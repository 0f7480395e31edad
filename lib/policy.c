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

#include "policy_eval.h"

/* ---------- one restriction ---------- */

#define U_DIST LICSCAN_USE_DISTRIBUTE_WEIGHTS
#define U_HOST LICSCAN_USE_HOSTED_SERVICE
#define U_MOD LICSCAN_USE_MODIFY
#define U_TRAIN LICSCAN_USE_TRAIN_OTHER_MODELS

static void duty(ev *e, const about *a, uint32_t uses, const char *code,
                 const char *message)
{
    if (pol_applies(e, uses))
        pol_add_reason(e, LICSCAN_REASON_DUTY,
                       LICSCAN_VERDICT_ALLOWED_WITH_DUTIES, code, a, message);
}

static void restriction_reason(ev *e, const about *a)
{
    const licscan_restriction *x = a->x;
    const licscan_result *r = a->src->r;
    const char *text = licscan_restriction_text(x);
    const char *sec = pol_section(e, x);
    const licscan_restriction *aup =
        licscan_result_find_restriction(r, LICSCAN_FLAG_ACCEPTABLE_USE_POLICY);
    const licscan_restriction *uses =
        licscan_result_find_restriction(r, LICSCAN_FLAG_USE_RESTRICTIONS);
    switch (licscan_restriction_flag(x)) {
    case LICSCAN_FLAG_MAU_THRESHOLD:
    case LICSCAN_FLAG_REVENUE_THRESHOLD: pol_threshold_reason(e, a); break;
    case LICSCAN_FLAG_TERRITORY_EXCLUSION: pol_territory_reason(e, a); break;
    case LICSCAN_FLAG_BRANDING:
        for (uint32_t i = 0; i < licscan_restriction_item_count(x); i++)
            duty(e, a, U_DIST | U_HOST, "built-with",
                 pol_vfmt(e,
                          "display \"%s\" with what you distribute or make "
                          "available%s",
                          licscan_restriction_item(x, i), sec));
        break;
    case LICSCAN_FLAG_NAME_PREFIX:
        duty(e, a, U_DIST | U_MOD | U_TRAIN, "name-prefix",
             pol_vfmt(
                 e, "begin the name of a model you make with it with \"%s\"%s",
                 *text ? text : "the name the license gives", sec));
        break;
    case LICSCAN_FLAG_NOTICE_TEXT:
        duty(e, a, U_DIST, "notice-text",
             pol_vfmt(e,
                      "include the notice \"%s\" with copies you distribute%s",
                      text, sec));
        break;
    case LICSCAN_FLAG_ATTRIBUTION:
        duty(e, a, U_DIST | U_HOST, "notice",
             pol_vfmt(e,
                      "keep the copyright and license notices, and give "
                      "recipients a copy of the license%s",
                      sec));
        break;
    case LICSCAN_FLAG_FLOW_DOWN: {
        const char *policy = aup ? licscan_restriction_text(aup) : "";
        duty(
            e, a, U_DIST | U_HOST | U_MOD, "flow-down",
            pol_vfmt(e,
                     "pass the use restrictions%s%s%s on: make them binding on "
                     "anyone you give the model, a derivative or access to%s",
                     *policy ? " (" : "", policy, *policy ? ")" : "", sec));
        break;
    }
    case LICSCAN_FLAG_ACCEPTABLE_USE_POLICY:
        duty(e, a, 0, "use-policy",
             pol_vfmt(e, "comply with the use policy \"%s\"%s%s%s", text,
                      uses ? ", which excludes: " : "",
                      uses ? pol_items(e, uses) : "", sec));
        break;
    case LICSCAN_FLAG_USE_RESTRICTIONS:
        if ((e->f.uses & LICSCAN_USE_MILITARY) &&
            (pol_has_item(x, "military") || pol_has_item(x, "weapons"))) {
            pol_add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                           "military", a,
                           pol_vfmt(e, "military use is excluded%s", sec));
        } else if (!aup) {
            duty(e, a, 0, "use-restrictions",
                 pol_vfmt(e, "do not use it for: %s%s", pol_items(e, x), sec));
        }
        break;
    case LICSCAN_FLAG_OUTPUT_TRAINING_BAN:
        if (e->f.uses & U_TRAIN)
            pol_add_reason(
                e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                "output-training", a,
                pol_vfmt(e,
                         "its outputs may not train or improve other "
                         "models%s%s%s",
                         *licscan_restriction_qualifier(x) ? " (except " : "",
                         licscan_restriction_qualifier(x),
                         *licscan_restriction_qualifier(x) ? ")" : ""));
        else
            duty(e, a, 0, "output-training",
                 pol_vfmt(e,
                          "do not use its outputs to train or improve other "
                          "models%s",
                          sec));
        break;
    case LICSCAN_FLAG_NON_COMMERCIAL:
        if (e->f.uses & LICSCAN_USE_COMMERCIAL)
            pol_add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                           "non-commercial", a,
                           pol_vfmt(e, "commercial use is excluded%s", sec));
        else
            duty(e, a, 0, "non-commercial",
                 pol_vfmt(e, "use it for non-commercial purposes only%s", sec));
        break;
    case LICSCAN_FLAG_FIELD_OF_USE:
        if (e->f.uses & LICSCAN_USE_COMMERCIAL)
            pol_add_reason(
                e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                "field-of-use", a,
                pol_vfmt(e, "only %s use is granted, not commercial use%s",
                         pol_items(e, x), sec));
        else
            duty(e, a, 0, "field-of-use",
                 pol_vfmt(e, "use it only for: %s%s", pol_items(e, x), sec));
        break;
    case LICSCAN_FLAG_NO_DERIVATIVES:
        if (e->f.uses & (U_MOD | U_TRAIN))
            pol_add_reason(e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                           "no-derivatives", a,
                           pol_vfmt(e, "modification is not permitted%s", sec));
        else
            duty(e, a, 0, "no-derivatives",
                 pol_vfmt(e, "do not modify it%s", sec));
        break;
    case LICSCAN_FLAG_NO_REDISTRIBUTION:
        if (e->f.uses & U_DIST)
            pol_add_reason(
                e, LICSCAN_REASON_USE, LICSCAN_VERDICT_FORBIDDEN,
                "no-redistribution", a,
                pol_vfmt(e, "redistribution is not permitted%s", sec));
        else
            duty(e, a, 0, "no-redistribution",
                 pol_vfmt(e, "do not redistribute it%s", sec));
        break;
    case LICSCAN_FLAG_COPYLEFT:
        duty(e, a, U_DIST | U_MOD | (!strcmp(text, "network") ? U_HOST : 0),
             "copyleft",
             pol_vfmt(e,
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
                pol_add_license(e,
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
                        pol_add_license(e,
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
                    pol_add_license(e, LICSCAN_PART_POLICY, id);
                else if (*s->base)
                    pol_add_license(e, LICSCAN_PART_INHERITED, id);
                else if (s->role == LICSCAN_ROLE_WEIGHTS ||
                         s->role == LICSCAN_ROLE_CARD)
                    pol_add_license(e, LICSCAN_PART_WEIGHTS, id);
                else if (s->role == LICSCAN_ROLE_CODE)
                    pol_add_license(e, LICSCAN_PART_CODE, id);
                else if (s->role == LICSCAN_ROLE_LICENSE) {
                    if (!weights_files)
                        pol_add_license(e, LICSCAN_PART_WEIGHTS, id);
                    if (!code_files)
                        pol_add_license(e, LICSCAN_PART_CODE, id);
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
        pol_add_license(e, LICSCAN_PART_DECLARED,
                        l ? licscan_license_id(l) : v);
    }
    for (uint32_t b = 0; b < g->nbases; b++)
        for (uint32_t k = 0; k < g->bases[b].nlicenses; k++)
            if (!is_policy(e, g->bases[b].licenses[k]))
                pol_add_license(e, LICSCAN_PART_INHERITED,
                                g->bases[b].licenses[k]);
            else
                pol_add_license(e, LICSCAN_PART_POLICY,
                                g->bases[b].licenses[k]);
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
                pol_add_reason(
                    e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                    "unreadable", &a,
                    pol_vfmt(e, "%s could not be read: %s", s->file, s->error));
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
            pol_add_reason(
                e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                "unreadable", &a,
                pol_vfmt(e,
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
            pol_add_reason(
                e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                "unknown-license", NULL,
                pol_vfmt(e,
                         "the card declares \"%s\", which licscan does "
                         "not know, and no file holds its text",
                         v));
        terms = true;
    }
    if (!terms)
        pol_add_reason(e, LICSCAN_REASON_LICENSE, LICSCAN_VERDICT_UNKNOWN,
                       "no-license", NULL,
                       pol_vstr(e, "no license found: no license file, and no "
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
    return pol_vstr(e, buf);
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
        const char *from =
            !strcmp(b->from, "cache")
                ? pol_vstr(e, "its files in the same cache")
                : pol_vfmt(e, "licenses/models.tsv: %s", b->pattern);
        about a = { NULL, NULL, ids[0] };
        pol_add_reason(
            e, LICSCAN_REASON_CONFLICT, LICSCAN_VERDICT_UNKNOWN,
            "drops-base-terms", &a,
            pol_vfmt(e,
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
        pol_add_reason(
            e, LICSCAN_REASON_CONFLICT, LICSCAN_VERDICT_ALLOWED_WITH_DUTIES,
            "name-prefix", &a,
            pol_vfmt(e,
                     "the model's name \"%s\" does not begin with \"%s\", "
                     "which the license of base model %s asks of models "
                     "made from it%s",
                     name, prefix, b->id, pol_section(e, x)));
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
            pol_add_reason(
                e, LICSCAN_REASON_CONFLICT, LICSCAN_VERDICT_UNKNOWN,
                "card-disagrees", &a,
                pol_vfmt(e,
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
                pol_add_reason(e, LICSCAN_REASON_POLICY,
                               LICSCAN_VERDICT_FORBIDDEN, "denied", &a,
                               pol_vfmt(e, "%s is denied (--deny %s)",
                                        e->v->lic[p][i], item));
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
    pol_each_item(e->f.allow, flag_item, &la);
    pol_each_item(e->f.deny, flag_item, &ld);
    pol_each_item(e->f.deny, deny_item, e);
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
                pol_add_reason(e, LICSCAN_REASON_POLICY,
                               LICSCAN_VERDICT_FORBIDDEN, "denied", &a,
                               pol_vfmt(e, "%s is denied (--deny %s)%s",
                                        licscan_flag_name(f),
                                        licscan_flag_name(f),
                                        pol_section(e, x)));
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
            pol_each_item(e->f.allow, allow_item, &s);
            if (s.found)
                continue;
            about a = { NULL, NULL, s.id };
            pol_add_reason(
                e, LICSCAN_REASON_POLICY, LICSCAN_VERDICT_FORBIDDEN,
                "not-allowed", &a,
                pol_vfmt(e, "%s is not among the allowed licenses (--allow)",
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
        f->file = pol_vstr(e, s->file);
        f->role = licscan_role_name(s->role);
        f->base = pol_vstr(e, s->base);
        f->spdx = pol_vstr(e, s->r ? licscan_result_spdx(s->r) : "");
        f->error = s->error ? pol_vstr(e, s->error) : NULL;
    }
    if (g->nbases) {
        v->bases = ls_calloc(&v->alloc, g->nbases, sizeof(*v->bases));
        if (!v->bases) {
            e->rc = LICSCAN_ENOMEM;
            return;
        }
        for (uint32_t b = 0; b < g->nbases; b++) {
            v->bases[b].id = pol_vstr(e, g->bases[b].id);
            v->bases[b].from = pol_vstr(e, g->bases[b].from);
            v->bases[b].pattern = pol_vstr(e, g->bases[b].pattern);
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
    v->model = pol_vstr(&e, g->name);
    v->path = pol_vstr(&e, g->path);
    record_files(&e);
    sort_licenses(&e);
    /* the flags accepted by --allow must be known before any reason */
    listing la = { &e, false };
    pol_each_item(e.f.allow, flag_item, &la);
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
        if (pol_severity(v->reasons[i].outcome) > pol_severity(v->value))
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
