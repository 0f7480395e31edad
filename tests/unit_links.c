/* unit_links.c -- chaining links a hit to the best of the hits before it
 * eight at a time when the CPU can (AVX2), one at a time otherwise; the
 * search for a template's next chain keeps the values of the hits the
 * chains found so far cannot change; alignment takes the LCS of a gap of
 * at most 64 template words by rows of bits, otherwise by its table. The
 * narrow way (ls_test_control(LS_TEST_WIDE_LINKS)) links one at a time,
 * works out every hit anew for each chain and aligns cell by cell: both
 * ways must give the same chains and pairs, so every corpus file, and a
 * file holding several copies of each of four licenses, must give the
 * same JSON either way. Without AVX2 the links take the same path both
 * runs. The look-up's probe of the shingle table, four slots at a time,
 * finds what the plain slot-by-slot probe finds, at the table's end too.
 * Counting the words of rare shingles look-up by look-up, stopping when
 * enough are found, counts what marking every rare shingle's words
 * counts. The table of common lists (ls_index_facts) holds every list of
 * more than LS_COMMON_SHINGLE postings, and no other. A text's words
 * looked up along the templates they follow find what probes find. A
 * template's required words are counted as distinct words once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "corpus_files.h"
#include "internal.h"
#include "jit_off.h"
#include "match1_candidates.h"
#include "mit_text.h"
#include "shingle_probe.h"
#include "testctl.h"

/* The text of corpus/NAME/original.txt (NULL, and a failed check, when it
 * cannot be read). */
static unsigned char *original_text(const char *name, size_t *len)
{
    char path[128];
    snprintf(path, sizeof path, "corpus/%s/original.txt", name);
    unsigned char *text = slurp(path, len);
    CHECK(text != NULL);
    return text;
}
/* The embedded database twice: by default, and the narrow way. */
static void open_pair(licscan_db **wide, licscan_db **narrow)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    CHECK_EQ_INT(licscan_db_open_default(&o, wide), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_default(&o, narrow), LICSCAN_OK);
    CHECK_EQ_INT(ls_test_control(*narrow, LS_TEST_WIDE_LINKS, 0), LICSCAN_OK);
}

static void test_same_results(void)
{
    licscan_db *wide, *narrow;
    open_pair(&wide, &narrow);
    CHECK_EQ_INT(ls_test_control(narrow, LS_TEST_WIDE_LINKS, 2),
                 LICSCAN_EINVAL);
    int files = corpus_alike(wide, narrow, "links eight at a time", 60);
    printf("  %d corpus files: the same JSON with links eight at a time "
           "and one at a time\n",
           files);
    licscan_db_free(wide);
    licscan_db_free(narrow);
}

/* Copies of the corpus' originals of some licenses, each copy with a
 * line of its own before it and its k-th line left out: every template
 * has several chains, found one after another. */
static void test_many_copies(void)
{
    static const char *const names[] = { "BSD-3-Clause", "MIT", "ISC",
                                         "BSD-2-Clause" };
    enum { COPIES = 5 };
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    CHECK(out != NULL);
    if (!out)
        return;
    for (int k = 0; k < COPIES; k++)
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            size_t n;
            unsigned char *data = original_text(names[i], &n);
            if (!data)
                continue;
            fprintf(out, "\n\nPart %d of %s, kept by maintainer %d:\n\n", k,
                    names[i], 7 * k + (int)i);
            int line = 0;
            for (size_t b = 0; b < n; b++) {
                if (line != 2 + k)
                    fputc(data[b], out);
                line += data[b] == '\n';
            }
            free(data);
        }
    fclose(out);
    licscan_db *wide, *narrow;
    open_pair(&wide, &narrow);
    char *a = scan_json(wide, (const unsigned char *)text, len);
    char *b = scan_json(narrow, (const unsigned char *)text, len);
    CHECK(a && b && strcmp(a, b) == 0);
    /* each license found in each of its copies */
    int found = 0;
    for (const char *p = a ? a : ""; (p = strstr(p, "\"id\":\"BSD-3-Clause\""));
         p++)
        found++;
    CHECK(found >= COPIES);
    printf("  %zu bytes, %d copies of four licenses: the same JSON both "
           "ways (BSD-3-Clause found %d times)\n",
           len, COPIES, found);
    free(a);
    free(b);
    free(text);
    licscan_db_free(wide);
    licscan_db_free(narrow);
}

/* The plain probe: slot by slot from the key's own. `slots`: how many it
 * read. */
static uint32_t plain_probe(const licscan_db *db, uint64_t key, uint32_t *slots)
{
    uint32_t mask = db->sh_cap - 1, j = (uint32_t)key & mask;
    *slots = 1;
    while (db->sh_keys[j] && db->sh_keys[j] != key) {
        j = (j + 1) & mask;
        ++*slots;
    }
    return db->sh_keys[j] ? db->sh_head[j] : 0;
}

static uint64_t next_random(uint64_t *state)
{
    return ls_mix64(*state += 0x9e3779b97f4a7c15ULL);
}

/* A table of 16 slots probed for a key from every slot: the six slots from
 * there hold every mix of the key, other keys and empty slots, the rest
 * other keys with the key or an empty slot eight slots on. The four-slot
 * probe must find what the plain one finds, across the table's end too. */
static void test_probe_small(void)
{
    uint64_t keys[16];
    uint32_t heads[16];
    licscan_db db;
    memset(&db, 0, sizeof db);
    db.sh_keys = keys;
    db.sh_head = heads;
    db.sh_cap = 16;
    uint32_t differing = 0, tried = 0, slots;
    for (uint32_t home = 0; home < 16; home++) {
        uint64_t key = (UINT64_C(7) << 40) | home;
        for (uint32_t fill = 0; fill < 4096 * 2; fill++) {
            for (uint32_t d = 0; d < 16; d++) {
                uint32_t x = (home + d) & 15;
                uint32_t c = d < 6 ? (fill >> (2 * d)) & 3 : 3;
                if (d == 8)
                    c = fill & 4096 ? 1 : 0;
                keys[x] = c == 0 ? 0 : c == 1 ? key : ((uint64_t)c << 20) | x;
                heads[x] = keys[x] ? 100 + x : 0;
            }
            tried++;
            differing +=
                ls_probe_head(&db, key) != plain_probe(&db, key, &slots);
        }
    }
    CHECK_EQ_INT(tried, 16 * 8192);
    CHECK_EQ_INT(differing, 0);
    printf("  a table of 16 slots: the four-slot probe as the plain one in "
           "%u fillings\n",
           tried);
}

static void test_probe(void)
{
    licscan_db *db;
    CHECK_EQ_INT(licscan_db_open_default(NULL, &db), LICSCAN_OK);
    uint32_t mask = db->sh_cap - 1, differing = 0, present = 0;
    uint32_t past_four = 0, at_end = 0, slots;
    /* every key there, then keys anywhere, then keys of the last slots */
    for (uint32_t j = 0; j <= mask; j++)
        if (db->sh_keys[j]) {
            present++;
            uint32_t want = plain_probe(db, db->sh_keys[j], &slots);
            differing += ls_probe_head(db, db->sh_keys[j]) != want;
            past_four += slots > 4;
            at_end += ((uint32_t)db->sh_keys[j] & mask) + 3 > mask;
        }
    uint64_t state = 1;
    for (int k = 0; k < 200000; k++) {
        uint64_t key = next_random(&state) | 1;
        if (k % 4 == 0) /* one of the last three slots */
            key = (key & ~(uint64_t)mask) | (mask - (uint32_t)(k / 4 % 3));
        uint32_t want = plain_probe(db, key, &slots);
        differing += ls_probe_head(db, key) != want;
        past_four += slots > 4;
        at_end += ((uint32_t)key & mask) + 3 > mask;
    }
    CHECK(present > 1000);
    CHECK(past_four > 100);
    CHECK(at_end > 1000);
    CHECK_EQ_INT(differing, 0);
    printf("  the shingle table probed four slots at a time: as slot by slot "
           "for %u keys there and 200000 others (%u past four slots, %u at "
           "the end)\n",
           present, past_four, at_end);
    licscan_db_free(db);
}

/* A database of the tests' own: the embedded set, or (empty) none. */
static licscan_db *open_own(bool empty)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator();
    licscan_db *db = NULL;
    CHECK_EQ_INT(empty ? licscan_db_open_empty(&o, &db)
                       : licscan_db_open_default(&o, &db),
                 LICSCAN_OK);
    return db;
}

/* ls_distinct_words against its definition: the words of in[] that a
 * rare shingle's window holds, up to `enough`, for random ascending
 * words of a scan of a license text. */
static void test_distinct_words(void)
{
    licscan_db *db = open_own(false);
    size_t len;
    unsigned char *text = original_text("Apache-2.0", &len);
    if (!text) {
        licscan_db_free(db);
        return;
    }
    ls_tokens toks = { .alloc = &db->alloc };
    ls_tokstate st = { .line_start = true };
    CHECK_EQ_INT(ls_tokenize(&db->lex, (const char *)text, 0, len, &st, &toks),
                 LICSCAN_OK);
    struct licscan_result res = { 0 };
    scan s;
    memset(&s, 0, sizeof s);
    s.db = db;
    s.a = &db->alloc;
    s.tk = toks.v;
    s.n = toks.n;
    s.res = &res;
    s.count = calloc(db->ntpl + 1, sizeof(uint32_t));
    uint8_t *held = calloc(toks.n + 1, 1);
    uint32_t *in = malloc((toks.n + 1) * sizeof(uint32_t));
    CHECK(s.count && held && in);
    if (s.count && held && in)
        ls_look_up(&s);
    CHECK(s.nlook > 100);
    uint32_t nrare = 0;
    for (uint32_t k = 0; k < s.nlook; k++)
        if (ls_shingle_rare(&s, k)) {
            nrare++;
            for (uint32_t w = 0; w < LS_SHINGLE; w++)
                held[s.look[k].x + w] = 1;
        }
    CHECK(nrare > 10 && nrare < s.nlook); /* both kinds met */
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    int capped = 0, some = 0, none = 0;
    for (int trial = 0; trial < 400 && s.nlook; trial++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t from = (uint32_t)(seed >> 33) % toks.n;
        uint32_t span = 1 + (uint32_t)(seed >> 13) % 400;
        uint32_t every = 1 + (uint32_t)(seed >> 5) % 6; /* density */
        uint32_t n = 0, want = 0;
        for (uint32_t x = from; x < toks.n && x < from + span; x++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            if ((seed >> 40) % every == 0) {
                in[n++] = x;
                want += held[x];
            }
        }
        static const uint32_t enoughs[] = { 1, 8, 30, UINT32_MAX };
        uint32_t enough = enoughs[trial % 4];
        uint32_t expect = want < enough ? want : enough;
        CHECK_EQ_INT((int)ls_distinct_words(&s, in, n, enough), (int)expect);
        capped += want > enough;
        some += expect > 0;
        none += n && !want;
    }
    CHECK(capped > 10 && some > 100 && none > 0);
    printf("  %u look-ups (%u rare): the words rare shingles hold, counted "
           "look-up by look-up, as marked (%d capped)\n",
           s.nlook, nrare, capped);
    ls_free(&db->alloc, s.look);
    free(s.count);
    free(held);
    free(in);
    ls_tokens_free(&toks);
    free(text);
    licscan_db_free(db);
}

/* ls_index_facts against its definition, over lists of 60, 49 and 48
 * postings (the MIT text's three paragraphs in 60 templates, the second
 * in 49 of them, the third in 48) and those across paragraphs. */
/* The 16-bit copy of db's lists checked against the linked lists: in
 * each, the postings walked first (of templates a scan matches, but for
 * a twin whose twin's are walked for it, db->hits_of), in list order,
 * then the others (unless it has none of the first), the walk ending at
 * the last of the first and the list at its last; a list of more than
 * LS_COMMON_SHINGLE postings in all in the table of common lists, ending
 * where the walk does, and counted by template into common_of. Counts
 * the lists of each length in want[0, 3) into seen[0, 3), and those that
 * put postings last into seen[3]. */
static void check_laid_lists(licscan_db *db, const uint32_t want[3],
                             int seen[4])
{
    uint32_t *of = calloc(db->ntpl + 1, sizeof(uint32_t));
    uint32_t *tpl = malloc((db->npost + 1) * sizeof(uint32_t));
    uint32_t *pos = malloc((db->npost + 1) * sizeof(uint32_t));
    CHECK(of && tpl && pos);
    for (uint32_t j = 0; j < db->sh_cap && of && tpl && pos; j++) {
        uint32_t head = db->sh_head[j], len = 0, keep = 0;
        if (!head)
            continue;
        for (int round = 0; round < 2; round++) /* matched first, then not */
            for (uint32_t q = head; q; q = db->post[q - 1].next) {
                const ls_posting *p = &db->post[q - 1];
                bool matched = ls_template_matched(db->tpl[p->tpl]) &&
                               db->hits_of[p->tpl] == p->tpl;
                keep += round == 0 && matched;
                if (matched == (round == 0)) {
                    tpl[len] = p->tpl;
                    pos[len++] = p->pos;
                }
            }
        uint32_t walked = keep ? keep : len;
        for (uint32_t k = 0; k < len; k++) {
            uint32_t last = k + 1 == len || k + 1 == walked ? LS_POST_LAST : 0;
            CHECK_EQ_INT(db->post_tpl[head - 1 + k], (int)(tpl[k] | last));
            CHECK_EQ_INT(db->post_pos[head - 1 + k], (int)pos[k]);
        }
        for (int w = 0; w < 3; w++)
            seen[w] += len == want[w];
        seen[3] += walked < len;
        bool bit = db->common_bits[head / 64] >> (head % 64) & 1;
        CHECK_EQ_INT(bit, len > LS_COMMON_SHINGLE);
        if (!bit)
            continue;
        uint32_t mask = db->common_cap - 1,
                 at = (uint32_t)ls_mix64(head) & mask;
        while (db->common_head[at] && db->common_head[at] != head)
            at = (at + 1) & mask;
        CHECK_EQ_INT((int)db->common_head[at], (int)head);
        CHECK_EQ_INT((int)db->common_end[at], (int)(head - 1 + walked));
        for (uint32_t k = 0; k < walked; k++)
            of[tpl[k]]++;
    }
    for (uint32_t t = 0; t < db->ntpl && of; t++) {
        CHECK_EQ_INT((int)db->common_of[t], (int)of[t]);
        /* the copy of the templates' lengths, and their shingles where
         * a scan may match them */
        const ls_template *tp = db->tpl[t];
        CHECK_EQ_INT((int)db->tpl_words[3 * t], (int)tp->ntok);
        CHECK_EQ_INT((int)db->tpl_words[3 * t + 1], (int)tp->nrequired);
        CHECK_EQ_INT((int)db->tpl_words[3 * t + 2],
                     ls_template_matched(tp) ? (int)tp->nshingles : 0);
    }
    free(of);
    free(tpl);
    free(pos);
}

/* Sixty copies of MIT, 49 of them with its second paragraph and 48 with
 * its third: lists of 48, 49 and 60 postings, about the common lists'
 * bound. With `replace`, copies 0 and 48 added again under the same ids,
 * so that the first ones are replaced: their postings go last, and lists
 * of 49, 51 and 62 postings in all hold one each. */
/* db saved and opened again: the facts its open made from the 16-bit
 * copy it filled as it checked the postings are those ls_index_facts
 * makes from the postings themselves. */
static void same_facts_from_file(licscan_db *db)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/unit_links.%ld.lsdb", (long)getpid());
    licscan_db *f = NULL;
    CHECK_EQ_INT(licscan_db_save(db, path), LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_open_file(path, NULL, &f), LICSCAN_OK);
    unlink(path);
    CHECK(f && f->post_tpl && f->common_of);
    if (!f || !f->post_tpl || !f->common_of) {
        licscan_db_free(f);
        return;
    }
    uint32_t n = f->npost, cap = f->common_cap, nt = f->ntpl;
    uint16_t *tpl = malloc(((size_t)n + 1) * sizeof *tpl);
    uint16_t *pos = malloc(((size_t)n + 1) * sizeof *pos);
    uint32_t *of = malloc(((size_t)nt + 1) * sizeof *of);
    uint32_t *ends = malloc((2 * (size_t)cap + 1) * sizeof *ends);
    if (tpl && pos && of && ends) {
        memcpy(tpl, f->post_tpl, (size_t)n * sizeof *tpl);
        memcpy(pos, f->post_pos, (size_t)n * sizeof *pos);
        memcpy(of, f->common_of, (size_t)nt * sizeof *of);
        memcpy(ends, f->common_head, (size_t)cap * sizeof *ends);
        memcpy(ends + cap, f->common_end, (size_t)cap * sizeof *ends);
        ls_index_facts(f, true, NULL);
        CHECK(f->post_tpl && f->common_of && f->common_cap == cap);
        if (f->post_tpl && f->common_of && f->common_cap == cap) {
            CHECK(!memcmp(tpl, f->post_tpl, (size_t)n * sizeof *tpl));
            CHECK(!memcmp(pos, f->post_pos, (size_t)n * sizeof *pos));
            CHECK(!memcmp(of, f->common_of, (size_t)nt * sizeof *of));
            CHECK(!memcmp(ends, f->common_head, (size_t)cap * sizeof *ends));
            CHECK(
                !memcmp(ends + cap, f->common_end, (size_t)cap * sizeof *ends));
        }
    }
    free(tpl);
    free(pos);
    free(of);
    free(ends);
    licscan_db_free(f);
}

static void test_index_facts(bool replace)
{
    licscan_db *db = open_own(true);
    const char *mit = MIT_TEXT;
    const char *p2 = strstr(mit, "\n\n"), *p3 = p2 ? strstr(p2 + 2, "\n\n") : 0;
    CHECK(p2 && p3);
    if (!p2 || !p3) {
        licscan_db_free(db);
        return;
    }
    static const int again[] = { 0, 48 };
    int ncopies = replace ? 62 : 60;
    for (int c = 0; c < ncopies; c++) {
        int k = c < 60 ? c : again[c - 60];
        char id[32], text[2048];
        snprintf(id, sizeof id, "copy-%d", k);
        size_t n = k < 48   ? strlen(mit)
                   : k < 49 ? (size_t)(p3 - mit)
                            : (size_t)(p2 - mit);
        snprintf(text, sizeof text, "%.*s\nCopy %d.", (int)n, mit, k);
        CHECK_EQ_INT(
            licscan_db_add_template(db, id, text, strlen(text), NULL, 0, NULL),
            LICSCAN_OK);
    }
    ls_index_compact(db);
    ls_index_facts(db, false, NULL);
    CHECK(db->common_of != NULL);
    if (!db->common_of) {
        licscan_db_free(db);
        return;
    }
    const uint32_t plain[3] = { 48, 49, 60 }, replaced[3] = { 49, 51, 62 };
    const uint32_t *want = replace ? replaced : plain;
    int seen[4] = { 0, 0, 0, 0 };
    check_laid_lists(db, want, seen);
    CHECK(seen[0] > 0 && seen[1] > 0 && seen[2] > 0);
    CHECK(replace ? seen[3] > 0 : seen[3] == 0);
    printf("  the common lists' table: every list of more than %d postings "
           "and no other (%d of %u, %d of %u, %d of %u); %d lists walked "
           "short of replaced templates' postings\n",
           LS_COMMON_SHINGLE, seen[0], want[0], seen[1], want[1], seen[2],
           want[2], seen[3]);
    same_facts_from_file(db);
    if (replace) {
        /* the copy is still found, under the later template */
        char text[2048];
        snprintf(text, sizeof text, "%s\nCopy 0.", mit);
        licscan_result *r = NULL;
        CHECK_EQ_INT(licscan_scan(db, text, strlen(text), NULL, &r),
                     LICSCAN_OK);
        CHECK(r && licscan_result_match_count(r) >= 1);
        if (r && licscan_result_match_count(r) >= 1)
            CHECK_EQ_STR(licscan_license_id(
                             licscan_match_license(licscan_result_match(r, 0))),
                         "copy-0");
        licscan_result_free(r);
    }
    licscan_db_free(db);
}

/* Sixty copies of MIT make its lists common; a text of thousands of
 * copies of it has more postings of those lists than a scan keeps hits
 * for. The look-ups are taken in order while there is room for each
 * whole (the count and the placing of hits read the same postings): the
 * scan says so, and finds the copies it kept. */
static void test_past_hit_limit(void)
{
    licscan_db *db = open_own(true);
    const char *mit = MIT_TEXT;
    for (int k = 0; k < 60; k++) {
        char id[32], text[2048];
        snprintf(id, sizeof id, "copy-%d", k);
        snprintf(text, sizeof text, "%s\nCopy %d.", mit, k);
        CHECK_EQ_INT(
            licscan_db_add_template(db, id, text, strlen(text), NULL, 0, NULL),
            LICSCAN_OK);
    }
    ls_index_compact(db);
    ls_index_facts(db, false, NULL);
    size_t n = strlen(mit), copies = 5000, len = 0;
    char *in = malloc(copies * (n + 2));
    CHECK(in != NULL);
    for (size_t c = 0; in && c < copies; c++) {
        memcpy(in + len, mit, n);
        len += n;
        in[len++] = '\n';
        in[len++] = '\n';
    }
    licscan_result *r = NULL;
    CHECK_EQ_INT(in ? licscan_scan(db, in, len, NULL, &r) : LICSCAN_ENOMEM,
                 LICSCAN_OK);
    CHECK(r && (licscan_result_input_flags(r) & LICSCAN_INPUT_SEARCH_LIMIT));
    uint32_t found = r ? licscan_result_match_count(r) : 0;
    CHECK(found > 0);
    for (uint32_t k = 0; k < found; k++) {
        const char *id = licscan_license_id(
            licscan_match_license(licscan_result_match(r, k)));
        CHECK(id && strncmp(id, "copy-", 5) == 0);
    }
    printf("  %zu copies of MIT past the hit limit: %u found, search-limit "
           "said\n",
           copies, found);
    licscan_result_free(r);
    free(in);
    licscan_db_free(db);
}

/* A place past 16 bits (a template of more than 65,535 words) has no
 * 16-bit copy: that set's lists are walked by their links, and a scan
 * still finds its texts. */
static void test_index_facts_wide(void)
{
    licscan_db *db = open_own(true);
    size_t nwords = 70000, cap = nwords * 8 + 1, n = 0;
    char *text = malloc(cap);
    CHECK(text != NULL);
    if (!text) {
        licscan_db_free(db);
        return;
    }
    /* no word twice: a shingle kept at every place */
    for (size_t w = 0; w < nwords; w++)
        n += (size_t)snprintf(text + n, cap - n, "w%zx ", w);
    CHECK_EQ_INT(licscan_db_add_template(db, "long", text, n, NULL, 0, NULL),
                 LICSCAN_OK);
    ls_index_compact(db);
    ls_index_facts(db, false, NULL);
    CHECK(db->common_of == NULL && db->post_tpl == NULL);
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, text, n, NULL, &r), LICSCAN_OK);
    CHECK(r && licscan_result_match_count(r) == 1);
    if (r && licscan_result_match_count(r) == 1)
        CHECK_EQ_STR(licscan_license_id(
                         licscan_match_license(licscan_result_match(r, 0))),
                     "long");
    printf("  a template of %zu words: its lists walked by their links\n",
           nwords);
    licscan_result_free(r);
    free(text);
    licscan_db_free(db);
}

/* Look up the words tk[0, n) in a scan of db: its look-ups and counts. */
typedef struct looked {
    lookup *look;
    uint32_t nlook, *count;
    uint64_t total;
} looked;

static looked look_up_words(licscan_db *db, const ls_token *tk, uint32_t n)
{
    struct licscan_result res = { 0 };
    scan s;
    memset(&s, 0, sizeof s);
    s.db = db;
    s.a = &db->alloc;
    s.tk = tk;
    s.n = n;
    s.res = &res;
    s.count = calloc(db->ntpl + 1, sizeof(uint32_t));
    looked l = { 0 };
    CHECK(s.count != NULL);
    if (!s.count)
        return l;
    ls_look_up(&s);
    CHECK_EQ_INT(s.rc, LICSCAN_OK);
    l.look = malloc(((size_t)s.nlook + 1) * sizeof(lookup));
    if (l.look && s.nlook)
        memcpy(l.look, s.look, s.nlook * sizeof(lookup));
    ls_free(&db->alloc, s.look);
    l.nlook = s.nlook;
    l.count = s.count;
    l.total = s.total;
    return l;
}

/* A text's words taken along the templates they follow (the compiled
 * set's heads) and probed one by one give the same look-ups: the license
 * texts of corpus/ as they are and with words left out, repeated, put in
 * from elsewhere and unknown, at random. */
static void test_follow(void)
{
    static const char *const names[] = {
        "Apache-2.0", "GPL-3.0-only", "LGPL-2.1-only",
        "MIT",        "BSD-3-Clause", "Llama-3.1-Community"
    };
    licscan_db *db = open_own(false);
    uint32_t with_heads = 0;
    for (uint32_t t = 0; t < db->ntpl; t++)
        with_heads += db->tpl[t]->heads != NULL;
    CHECK_EQ_INT((int)with_heads, (int)db->ntpl); /* a compiled set */
    const uint32_t **saved = calloc(db->ntpl + 1, sizeof(*saved));
    uint64_t seed = 0x2545f4914f6cdd1dull;
    int texts = 0;
    uint64_t found = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && saved; i++) {
        size_t len;
        unsigned char *text = original_text(names[i], &len);
        if (!text)
            continue;
        ls_tokens toks = { .alloc = &db->alloc };
        ls_tokstate st = { .line_start = true };
        CHECK_EQ_INT(
            ls_tokenize(&db->lex, (const char *)text, 0, len, &st, &toks),
            LICSCAN_OK);
        ls_token *w = malloc((2 * (size_t)toks.n + 64) * sizeof(ls_token));
        for (int trial = 0; trial < 12 && w; trial++) {
            /* trial 0 as it is; then a change every `every` words */
            uint32_t n = 0, every = 3 + (uint32_t)trial * 7;
            for (uint32_t x = 0; x < toks.n; x++) {
                seed = seed * 6364136223846793005ull + 1442695040888963407ull;
                uint32_t r = (uint32_t)(seed >> 33);
                if (!trial || r % every) {
                    w[n++] = toks.v[x];
                    continue;
                }
                switch (r / every % 4) {
                case 0: /* left out, with up to eleven more */
                    x += r / every / 4 % 12;
                    break;
                case 1: /* repeated */
                    w[n++] = toks.v[x];
                    w[n++] = toks.v[x];
                    break;
                case 2: /* another word of the text */
                    w[n] = toks.v[x];
                    w[n++].id = toks.v[r % toks.n].id;
                    break;
                default: /* unknown */ w[n] = toks.v[x]; w[n++].id = 0;
                }
            }
            looked a = look_up_words(db, w, n);
            for (uint32_t t = 0; t < db->ntpl; t++) {
                saved[t] = db->tpl[t]->heads;
                db->tpl[t]->heads = NULL;
            }
            looked b = look_up_words(db, w, n);
            for (uint32_t t = 0; t < db->ntpl; t++)
                db->tpl[t]->heads = saved[t];
            CHECK_EQ_INT((int)a.nlook, (int)b.nlook);
            CHECK(a.total == b.total);
            bool same = a.nlook == b.nlook && a.look && b.look;
            for (uint32_t k = 0; same && k < a.nlook; k++)
                same = a.look[k].x == b.look[k].x &&
                       a.look[k].head == b.look[k].head &&
                       a.look[k].common == b.look[k].common &&
                       a.look[k].end == b.look[k].end;
            for (uint32_t t = 0; same && t < db->ntpl; t++)
                same = a.count[t] == b.count[t];
            CHECK(same);
            texts++;
            found += a.nlook;
            free(a.look);
            free(a.count);
            free(b.look);
            free(b.count);
        }
        free(w);
        ls_tokens_free(&toks);
        free(text);
    }
    printf("  %d texts: the same %llu look-ups along the templates and by "
           "probes\n",
           texts, (unsigned long long)found);
    free(saved);
    licscan_db_free(db);
}

/* A template's required words as distinct words with counts (what the
 * check for a complete match asks the input's words about) are its
 * required words, each counted, none twice; worked out once. */
static void test_required_words(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(NULL, &db), LICSCAN_OK);
    uint32_t checked = 0, distinct = 0, words = 0;
    for (uint32_t t = 0; t < db->ntpl; t++) {
        const ls_template *tp = db->tpl[t];
        const ls_word_counts *wc = ls_required_words(db, tp);
        CHECK(wc != NULL);
        if (!wc)
            continue;
        CHECK(ls_required_words(db, tp) == wc); /* kept */
        uint64_t sum = 0;
        bool each = true;
        for (uint32_t k = 0; k < wc->n; k++) {
            uint32_t count = 0;
            for (uint32_t y = 0; y < tp->ntok; y++)
                count += !tp->optional[y] && tp->tok[y].id == wc->w[k].id;
            each &= count == wc->w[k].count && count > 0;
            for (uint32_t j = 0; j < k; j++)
                each &= wc->w[j].id != wc->w[k].id;
            sum += wc->w[k].count;
        }
        CHECK(each);
        CHECK(sum == tp->nrequired);
        checked++;
        distinct += wc->n;
        words += tp->nrequired;
    }
    CHECK(checked == db->ntpl && checked > 0);
    printf("  %u templates: their %u required words as %u distinct words, "
           "counted\n",
           checked, words, distinct);
    licscan_db_free(db);
}

int main(void)
{
    if (under_valgrind())
        stride = 8;
    test_probe_small();
    test_probe();
    test_distinct_words();
    test_index_facts(false);
    test_index_facts(true);
    test_index_facts_wide();
    test_past_hit_limit();
    test_follow();
    test_required_words();
    test_same_results();
    test_many_copies();
    return check_report("unit_links");
}
