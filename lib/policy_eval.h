/* policy_eval.h -- what the files of the verdict share (policy.c drives the
 * evaluation; policy_reason.c builds reasons; policy_terms.c reads
 * thresholds, periods and places; verdict.c holds and renders the result).
 * Not installed. */
#ifndef LICSCAN_POLICY_EVAL_H
#define LICSCAN_POLICY_EVAL_H

#include "policy.h"

/* The facts struct of the first version: its size (licscan_facts_init). */
#define FACTS_V1 (offsetof(licscan_facts, deny) + sizeof(const char *))

struct licscan_reason {
    uint32_t kind, outcome;
    int flag;
    const char *code, *message, *license, *file, *base, *text, *label;
    uint64_t start, end;
    licscan_position pos; /* of start and end */
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

typedef struct ev {
    licscan_verdict *v;
    const ls_gathered *g;
    licscan_facts f;
    uint64_t allow_flags, deny_flags;
    bool allow_licenses; /* the allow list names a license */
    int rc;
} ev;

/* What a reason is about: its source and, when it has one, the clause. */
typedef struct about {
    const ls_source *src;
    const licscan_restriction *x; /* NULL: no clause */
    const char *license;
} about;

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

/* policy_reason.c */
LS_HIDDEN int pol_severity(uint32_t v);
LS_HIDDEN const char *pol_vstr(ev *e, const char *s);
LS_HIDDEN const char *pol_grouped(char *buf, size_t cap, int64_t v);
LS_HIDDEN void pol_add_license(ev *e, uint32_t part, const char *id);
LS_HIDDEN void pol_add_reason(ev *e, uint32_t kind, uint32_t outcome,
                              const char *code, const about *a,
                              const char *message);
/* A reason's text, printf-style, kept in the verdict. */
LS_HIDDEN const char *pol_vfmt(ev *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
LS_HIDDEN bool pol_applies(const ev *e, uint32_t uses);
LS_HIDDEN const char *pol_section(ev *e, const licscan_restriction *x);
LS_HIDDEN const char *pol_items(ev *e, const licscan_restriction *x);
LS_HIDDEN bool pol_has_item(const licscan_restriction *x, const char *item);

/* policy_terms.c */
LS_HIDDEN void pol_read_term(const licscan_restriction *x, term *t);
LS_HIDDEN void pol_threshold_reason(ev *e, const about *a);
LS_HIDDEN void pol_territory_reason(ev *e, const about *a);
LS_HIDDEN void pol_each_item(const char *list, void (*fn)(void *, const char *),
                             void *ctx);

#endif
