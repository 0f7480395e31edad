/* dbfile.c -- a database compiled to one file (licscan_db_save) and
 * opened by mapping it (licscan_db_open_file).
 *
 * The file holds what the frozen image of the embedded set holds
 * (tools/freeze.c, lib/frozen.c): the templates with their tokens and
 * vars, the dictionary and equivalences, the shingle index and the name
 * phrases, as arrays a mapping of the file serves as they are; and the
 * text of every rule file, parsed again at open (rules compile in a
 * millisecond or two, and their compiled form is PCRE2's, tied to its
 * version). Opening checks the header, then every offset, count and
 * index before the database reads any of it, so that a damaged file is
 * an error, never a crash; each template's words (dbf_summed_per_template)
 * are checked the first time a scan reads them (ls_words_ready).
 *
 * Layout (little-endian on the machines this runs on; the byte-order
 * field rejects a file written on the other kind):
 *   header (64 bytes): magic "LICSCNDB", format version, byte-order mark
 *     0x01020304, file size, checksum of bytes [32, end of the directory),
 *     number of arrays, header size, library version;
 *   directory: one {id, element size, count, offset, checksum} per array;
 *   the arrays, each at an offset that is a multiple of 8.
 * Each array has its own checksum, summed in the pass that checks it,
 * and each template's words one of their own. Opening is bound by
 * reading what it checks once (10 MB of the SPDX list's 31), which the
 * checks do through windows (pread) rather than the mapping (see
 * `window`); the checks are dbfile_check.c's, the sums and the checks of
 * the largest arrays dbfile_sums.c's. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbfile_read.h"

static const char *str_at(const reader *r, uint32_t off)
{
    return off == NO_STRING ? NULL : ARR(r, A_STRINGS, char) + off;
}

/* The frozen image the arrays make, with the pointer arrays it needs
 * (allocated; *refs, *vars and *patterns freed by the caller, *phr kept
 * by the database). */
static int make_image(const reader *r, const ls_alloc *a, ls_frozen_image *img,
                      ls_frozen_template **tpls, ls_frozen_var **vars,
                      const char ***strs, uint32_t **plen, ls_phrase **phr)
{
    uint32_t ntpl = (uint32_t)r->n[A_TEMPLATE], nvar = (uint32_t)r->n[A_VAR];
    uint32_t npat = (uint32_t)r->n[A_PATTERN], nref = (uint32_t)r->n[A_REF];
    uint32_t nphr = (uint32_t)r->n[A_PHRASE];
    *tpls = ls_calloc(a, ntpl + 1, sizeof(**tpls));
    *vars = ls_calloc(a, nvar + 1, sizeof(**vars));
    *strs = ls_calloc(a, (size_t)npat + nref + 1, sizeof(char *));
    *plen = ls_calloc(a, npat + 1, sizeof(uint32_t));
    *phr = ls_calloc(a, nphr + 1, sizeof(ls_phrase));
    if (!*tpls || !*vars || !*strs || !*plen || !*phr)
        return LICSCAN_ENOMEM;
    const dbf_span *pat = ARR(r, A_PATTERN, dbf_span);
    for (uint32_t i = 0; i < npat; i++) {
        (*strs)[i] = str_at(r, pat[i].off);
        (*plen)[i] = pat[i].len;
    }
    const char **refs = *strs + npat;
    for (uint32_t i = 0; i < nref; i++)
        refs[i] = str_at(r, ARR(r, A_REF, uint32_t)[i]);
    const dbf_var *fv = ARR(r, A_VAR, dbf_var);
    for (uint32_t i = 0; i < nvar; i++)
        (*vars)[i] =
            (ls_frozen_var){ fv[i].gap, fv[i].optional, fv[i].pattern,
                             str_at(r, fv[i].name), str_at(r, fv[i].original) };
    const dbf_template *ft = ARR(r, A_TEMPLATE, dbf_template);
    for (uint32_t i = 0; i < ntpl; i++) {
        const dbf_template *t = &ft[i];
        ls_frozen_template *f = &(*tpls)[i];
        f->id = str_at(r, t->str[0]);
        f->name = str_at(r, t->str[1]);
        f->version = str_at(r, t->str[2]);
        f->family = str_at(r, t->str[3]);
        f->kind = str_at(r, t->str[4]);
        f->url = str_at(r, t->str[5]);
        f->spdx = str_at(r, t->str[6]);
        f->hf = str_at(r, t->str[7]);
        f->scancode = str_at(r, t->str[8]);
        f->flags = t->flags;
        f->references = refs + t->ref;
        f->nreferences = t->nref;
        f->source = ARR(r, A_SOURCE, char) + t->source;
        f->source_len = t->source_len;
        f->tok = ARR(r, A_TOKEN, ls_token) + t->tok;
        f->heads = ARR(r, A_WORD_HEAD, uint32_t) + t->tok;
        f->optional = ARR(r, A_OPTIONAL, uint8_t) + t->tok;
        f->ntok = t->ntok;
        f->nrequired = t->nrequired;
        f->nshingles = t->nshingles;
        f->vars = *vars + t->var;
        f->nvars = t->nvar;
    }
    const dbf_phrase *fp = ARR(r, A_PHRASE, dbf_phrase);
    for (uint32_t i = 0; i < nphr; i++)
        (*phr)[i] =
            (ls_phrase){ fp[i].tpl, fp[i].len,
                         (uint32_t *)ARR(r, A_PHRASE_ID, uint32_t) + fp[i].ids,
                         fp[i].next };
    const uint32_t *sc = ARR(r, A_SCALARS, uint32_t);
    *img = (ls_frozen_image){
        .ntpl = ntpl,
        .tpl = *tpls,
        .npatterns = npat,
        .patterns = *strs,
        .pattern_len = *plen,
        .dict_hashes = ARR(r, A_DICT_HASH, uint64_t),
        .dict_ids = ARR(r, A_DICT_ID, uint32_t),
        .dict_cap = (uint32_t)r->n[A_DICT_HASH],
        .dict_count = sc[S_DICT_COUNT],
        .word_off = ARR(r, A_WORD_OFF, uint32_t),
        .chars = ARR(r, A_CHARS, char),
        .chars_len = (uint32_t)r->n[A_CHARS] - 1,
        .equiv = ARR(r, A_EQUIV, ls_equiv),
        .nequiv = (uint32_t)r->n[A_EQUIV],
        .equiv_index = ARR(r, A_EQUIV_INDEX, uint32_t),
        .equiv_index_cap = (uint32_t)r->n[A_EQUIV_INDEX],
        .sh_keys = ARR(r, A_SH_KEY, uint64_t),
        .sh_head = ARR(r, A_SH_HEAD, uint32_t),
        .sh_cap = (uint32_t)r->n[A_SH_KEY],
        .sh_count = sc[S_SH_COUNT],
        .post = ARR(r, A_POST, ls_posting),
        .npost = (uint32_t)r->n[A_POST],
        .phr = *phr,
        .nphr = nphr,
        .phr_head = ARR(r, A_PHR_HEAD, uint32_t),
        .phr_head_cap = (uint32_t)r->n[A_PHR_HEAD],
    };
    if (r->n[A_RIVAL_OFF])
        img->rivals = (ls_rivals){ ARR(r, A_RIVAL_OFF, uint32_t),
                                   ARR(r, A_RIVAL, uint32_t),
                                   (uint32_t)r->n[A_RIVAL],
                                   ARR(r, A_RIVAL_SHARED, uint32_t),
                                   NULL,
                                   ARR(r, A_WHOLE_ANSWER, ls_whole_answer),
                                   (uint32_t)r->n[A_WHOLE_ANSWER],
                                   NULL };
    return LICSCAN_OK;
}

/* The rules, parsed again in their order; the file's clause memo, or
 * else the embedded set's when the first rule files are the embedded
 * ones (its answers depend on the rules and a clause's text alone). */
static int add_rules(licscan_db *db, reader *r)
{
    const dbf_rules *ru = ARR(r, A_RULES, dbf_rules);
    uint64_t h = ls_embedded_rule_count, all = r->n[A_RULES];
    uint32_t nemb = 0;
    for (uint64_t i = 0; i < r->n[A_RULES]; i++) {
        const char *text = str_at(r, ru[i].text);
        if (i < ls_embedded_rule_count)
            h = ls_mix64(h ^ ls_hash_bytes(text, ru[i].len));
        all = dbf_rules_hash_step(all, text, ru[i].len);
        /* (compiled when the file was written: at first use now) */
        db->lazy_patterns = true;
        int rc = ls_rules_add(db, text, ru[i].len, str_at(r, ru[i].source));
        db->lazy_patterns = false;
        if (rc == LICSCAN_ERULE)
            return ls_dbf_bad(r, "corrupted database file: rules: %s",
                              db->err.msg);
        if (rc)
            return rc;
        if (i + 1 == ls_embedded_rule_count)
            nemb = db->rules.n;
    }
    const uint32_t *sc = ARR(r, A_SCALARS, uint32_t);
    /* the file's own memo, for the rules it was built with (other rules,
     * in a file not checksummed: left out, the rules run) */
    if (r->n[A_MEMO_CLAUSE] && sc[S_MEMO_NRULES] == db->rules.n &&
        sc[S_MEMO_RULES_HASH_LO] == (uint32_t)all &&
        sc[S_MEMO_RULES_HASH_HI] == (uint32_t)(all >> 32)) {
        ls_clause_memo *fm = &db->file->memo;
        *fm = (ls_clause_memo){
            .clause = ARR(r, A_MEMO_CLAUSE, ls_memo_clause),
            .nclause = (uint32_t)r->n[A_MEMO_CLAUSE],
            .slot = ARR(r, A_MEMO_SLOT, uint32_t),
            .cap = (uint32_t)r->n[A_MEMO_SLOT],
            .text = ARR(r, A_MEMO_TEXT, char),
            .text_len = (uint32_t)r->n[A_MEMO_TEXT],
            .fired = ARR(r, A_MEMO_FIRED, ls_memo_fired),
            .nfired = (uint32_t)r->n[A_MEMO_FIRED],
            .context = ARR(r, A_MEMO_CONTEXT, uint32_t),
            .ncontext = (uint32_t)r->n[A_MEMO_CONTEXT],
            .nrules = sc[S_MEMO_NRULES],
            .match_limit = sc[S_MEMO_MATCH_LIMIT],
            .heap_limit_kib = sc[S_MEMO_HEAP_LIMIT]
        };
        if (db->opts.regex_match_limit >= fm->match_limit &&
            db->opts.regex_heap_limit_kib >= fm->heap_limit_kib) {
            db->memo = fm;
            return LICSCAN_OK;
        }
    }
    const ls_clause_memo *m = &ls_frozen.memo;
    if (ls_frozen.ntpl && m->nclause &&
        r->n[A_RULES] >= ls_embedded_rule_count &&
        h == ls_embedded_rules_hash() && m->nrules == nemb &&
        db->opts.regex_match_limit >= m->match_limit &&
        db->opts.regex_heap_limit_kib >= m->heap_limit_kib)
        db->memo = m;
    return LICSCAN_OK;
}

int ls_db_open_image(const void *data, size_t len, bool check_sum, void *unmap,
                     size_t map_len, const licscan_db_options *opts,
                     licscan_db **out, char *err, size_t errlen)
{
    return ls_dbf_open_image(data, len, check_sum ? DBF_CHECK_SUMS : 0, unmap,
                             map_len, opts, out, err, errlen);
}

/* The image of fd's file mapped at data (fd -1: an image in memory)
 * checked, and a database made of it. */
static int open_checked(const void *data, size_t len, int fd, unsigned how,
                        void *unmap, size_t map_len,
                        const licscan_db_options *opts, licscan_db **out,
                        char *err, size_t errlen)
{
    if (errlen)
        err[0] = 0;
    reader r = { .base = data, .size = len, .err = err, .errlen = errlen };
    r.wide = !(how & DBF_PORTABLE) && ls_dbf_wide();
    r.fd = fd;
    r.window_bytes =
        how & DBF_SMALL_WINDOWS ? SMALL_WINDOW_BYTES : WINDOW_BYTES;
    licscan_db_options o;
    if (ls_db_options_alloc(opts, &o, &r.a)) /* (refused below) */
        ls_alloc_default(&r.a);
    int rc = ls_dbf_read_layout(&r, how & DBF_CHECK_SUMS);
    if (!rc)
        rc = ls_dbf_check_all(&r);
    ls_dbf_reader_done(&r);
    licscan_db *db = NULL;
    if (!rc)
        rc = ls_db_new(opts, false, &db);
    if (!rc) {
        db->file = ls_calloc(&db->alloc, 1, sizeof(*db->file));
        if (!db->file) {
            licscan_db_free(db);
            rc = LICSCAN_ENOMEM;
        }
    }
    if (!rc) {
        db->file->words = ls_calloc(&db->alloc, r.n[A_TEMPLATE] + 1, 1);
        if (!db->file->words) {
            licscan_db_free(db);
            rc = LICSCAN_ENOMEM;
        }
    }
    if (rc) {
        ls_free(&r.a, r.post16);
        if (unmap)
            munmap(unmap, map_len);
        return rc;
    }
    const ls_alloc *a = &db->alloc;
    db->file->map = unmap;
    db->file->map_len = map_len;
    ls_frozen_image img;
    ls_frozen_template *tpls = NULL;
    ls_frozen_var *vars = NULL;
    const char **strs = NULL;
    uint32_t *plen = NULL;
    rc = make_image(&r, a, &img, &tpls, &vars, &strs, &plen, &db->file->phr);
    if (!rc) {
        rc = ls_db_load_frozen(db, &img);
        if (rc == LICSCAN_EINTERNAL) /* a var pattern that does not compile */
            rc = CORRUPT(&r, "var pattern");
    }
    const dbf_template *ft = ARR(&r, A_TEMPLATE, dbf_template);
    const uint32_t *twin = ARR(&r, A_TWIN, uint32_t);
    for (uint32_t i = 0; !rc && i < db->ntpl; i++) {
        db->tpl[i]->replaced = ft[i].replaced != 0;
        db->tpl[i]->twin = twin[i];
    }
    const uint32_t *sc = ARR(&r, A_SCALARS, uint32_t); /* (the set's) */
    if (!rc)
        ls_answers_under_limits(db, sc[S_MEMO_MATCH_LIMIT],
                                sc[S_MEMO_HEAP_LIMIT]);
    if (!rc) { /* what checks the templates' words when first read */
        struct ls_dbfile *f = db->file;
        f->ntpl = db->ntpl;
        f->rec = ft;
        f->tok = ARR(&r, A_TOKEN, ls_token);
        f->optional = ARR(&r, A_OPTIONAL, uint8_t);
        f->heads = ARR(&r, A_WORD_HEAD, uint32_t);
        f->source = ARR(&r, A_SOURCE, char);
        f->vars = ARR(&r, A_VAR, dbf_var);
        f->strings = ARR(&r, A_STRINGS, char);
        f->words_sum = r.check_sum ? ARR(&r, A_WORDS_SUM, uint64_t) : NULL;
        f->dict_count = sc[S_DICT_COUNT];
        f->npost = (uint32_t)r.n[A_POST];
        f->wide = r.wide;
    }
    if (!rc && db->rivals.off) { /* a text tried as one template whole */
        ls_index_facts(db, true, r.post16);
        r.post16 = NULL; /* the database's now */
    }
    ls_free(&r.a, r.post16);
    ls_free(a, tpls);
    ls_free(a, vars);
    ls_free(a, strs);
    ls_free(a, plen);
    if (!rc)
        rc = add_rules(db, &r);
    if (rc) {
        if (rc == LICSCAN_ENOMEM && errlen)
            snprintf(err, errlen, "out of memory");
        licscan_db_free(db);
        return rc;
    }
    *out = db;
    return LICSCAN_OK;
}

int ls_dbf_open_image(const void *data, size_t len, unsigned how, void *unmap,
                      size_t map_len, const licscan_db_options *opts,
                      licscan_db **out, char *err, size_t errlen)
{
    return open_checked(data, len, -1, how, unmap, map_len, opts, out, err,
                        errlen);
}

int ls_dbf_open_file(const char *path, unsigned how,
                     const licscan_db_options *opts, licscan_db **out,
                     char *err, size_t errlen)
{
    if (!out)
        return LICSCAN_EINVAL;
    *out = NULL;
    if (!path || !*path)
        return LICSCAN_EINVAL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return LICSCAN_EIO;
    }
    if (!S_ISREG(st.st_mode) || st.st_size < 1) {
        close(fd);
        if (errlen)
            snprintf(err, errlen, "%s: %s", path,
                     S_ISREG(st.st_mode) ? "empty file, not a database"
                                         : "not a regular file");
        return S_ISREG(st.st_mode) ? LICSCAN_EFORMAT : LICSCAN_EIO;
    }
    size_t len = (size_t)st.st_size;
    /* (its pages are read through the mapping as scans need them; the
     * checks read the file through windows) */
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        int e = errno;
        close(fd);
        if (errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOMEM ? LICSCAN_ENOMEM : LICSCAN_EIO;
    }
    char msg[400];
    int rc =
        open_checked(map, len, fd, how, map, len, opts, out, msg, sizeof msg);
    close(fd);
    if (rc && errlen)
        snprintf(err, errlen, "%s: %s", path, msg);
    return rc;
}

int licscan_db_open_file(const char *path, const licscan_db_options *opts,
                         licscan_db **out)
{
    return ls_dbf_open_file(path, DBF_CHECK_SUMS, opts, out, NULL, 0);
}

int licscan_db_file_error(const char *path, const licscan_db_options *opts,
                          char *msg, size_t cap)
{
    licscan_db *db = NULL;
    char own[1];
    int rc = ls_dbf_open_file(path, DBF_CHECK_SUMS, opts, &db, cap ? msg : own,
                              cap ? cap : 0);
    uint32_t bad;
    if (!rc && (rc = ls_words_all_ready(db, &bad)) != LICSCAN_OK && cap)
        snprintf(msg, cap,
                 "%s: corrupted database file: the words of template %s", path,
                 db->tpl[bad]->lic.id);
    else if (!rc && cap)
        msg[0] = 0;
    licscan_db_free(db);
    return rc;
}
