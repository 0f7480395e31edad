/* policy.h -- models, facts and verdicts (model.c, policy.c). Not
 * installed.
 *
 * model.c gathers what a model's files say (the scans, the card's front
 * matter, the base models it names) and resolves ids: a declared license
 * through the database, a base model through licenses/models.tsv (embedded
 * at build time). policy.c judges the gathered sources against the facts
 * and renders the verdict. */
#ifndef LICSCAN_POLICY_H
#define LICSCAN_POLICY_H

#include "internal.h"

/* One file of a model, or of a base model it inherits from. */
typedef struct ls_model_file {
    char *file;
    uint32_t role;
    char *base;        /* NULL: the model's own file */
    licscan_result *r; /* owned; NULL for a file that failed */
    char *error;       /* why it failed, or NULL */
    uint8_t *refpart;  /* a card's: per match, the LS_REF_* its sentence
                          says (NULL: not read) */
} ls_model_file;

/* What a card's sentence around a license it names says it covers. */
#define LS_REF_DECLARED 0
#define LS_REF_WEIGHTS 1
#define LS_REF_CODE 2

struct licscan_model {
    ls_alloc alloc;
    ls_arena arena;
    const licscan_db *db;
    char *name, *path;
    ls_model_file *files;
    uint32_t nfiles, files_cap;
    char *license, *license_name, *license_link; /* the card's */
    char **bases;                                /* base_model values */
    uint32_t nbases, bases_cap;
};

/* What the evaluation reads: a file's scan and where it comes from. */
typedef struct ls_source {
    const char *file;  /* "" for a license's published text */
    uint32_t role;     /* LICSCAN_ROLE_* */
    const char *base;  /* "" for the model's own terms */
    const char *forid; /* the license a published text is of, else "" */
    const licscan_result *r;
    const char *error;
    const uint8_t *refpart; /* see ls_model_file */
} ls_source;

/* A base model the card names, and where its terms come from. */
typedef struct ls_base {
    const char *id;
    const char *from;        /* "cache", "models.tsv" or "" (unknown) */
    char pattern[128];       /* the models.tsv line that matched */
    const char *licenses[8]; /* template ids (models.tsv) */
    uint32_t nlicenses;
} ls_base;

/* What the model says, ready for judging. Published texts of declared
 * and inherited-by-id licenses are scanned into `owned`, freed with it. */
typedef struct ls_gathered {
    const char *name, *path;
    ls_source *src;
    uint32_t nsrc, src_cap;
    ls_base *bases;
    uint32_t nbases;
    const char *license, *license_name, *license_link;
    licscan_result **owned;
    uint32_t nowned, owned_cap;
    const ls_alloc *alloc;
    const licscan_db *db;
} ls_gathered;

LS_HIDDEN int ls_model_gather(const licscan_model *m, ls_gathered *g);
LS_HIDDEN void ls_gathered_free(ls_gathered *g);

/* The licenses models.tsv gives a model id: up to `max` template ids in
 * ids[], the matching pattern in *pattern (static text, NUL-terminated
 * into buf). Returns the number of ids, 0 when no line matches. */
LS_HIDDEN uint32_t ls_models_lookup(const char *id, const char **ids,
                                    uint32_t max, char *buf, size_t bufsize,
                                    const char **pattern);

/* The embedded text of licenses/models.tsv (build/embedded_models.c). */
extern const char ls_embedded_models[];

/* Judges gathered sources (policy.c). */
LS_HIDDEN int ls_evaluate(const ls_gathered *g, const licscan_facts *facts,
                          licscan_verdict **out);

/* A license's published text, when the database holds one (its template
 * source, markup and all: the rules read it as they read a scan). */
LS_HIDDEN const char *ls_license_source(const licscan_license *lic,
                                        size_t *len);

#endif
