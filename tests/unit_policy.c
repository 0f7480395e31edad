/* Unit tests: facts, models and verdicts (licscan.h, "What binds me"),
 * through the public API only: the facts struct's ABI (init writes no
 * more than asked, evaluation reads no more than struct_size says), the
 * verdict of single texts and of models, conflicts, allow/deny, names,
 * and every allocation failing in turn. The texts are the repository's
 * (examples/licenses/) and a few written here. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "fail_alloc.h"
#include "jit_off.h"
#include "licscan.h"

#define CANARY 0xA5
#define ROOM 256
#define FACTS_V1 (offsetof(licscan_facts, deny) + sizeof(const char *))

typedef union {
    unsigned char bytes[ROOM];
    max_align_t align;
} room;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    *len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    return buf;
}

static licscan_result *scan_path(const licscan_db *db, const char *path)
{
    size_t len;
    char *text = read_all(path, &len);
    licscan_result *r = NULL;
    if (text)
        licscan_scan(db, text, len, NULL, &r);
    free(text);
    return r;
}

static const licscan_reason *find_reason(const licscan_verdict *v,
                                         const char *code)
{
    for (uint32_t i = 0; i < licscan_verdict_reason_count(v); i++)
        if (!strcmp(licscan_reason_code(licscan_verdict_reason(v, i)), code))
            return licscan_verdict_reason(v, i);
    return NULL;
}

/* ---- the facts struct ---- */

static void test_facts_abi(void)
{
    room r;
    for (size_t size = 0; size <= sizeof(licscan_facts) + 32; size++) {
        memset(&r, CANARY, sizeof(r));
        int rc = licscan_facts_init((licscan_facts *)(void *)&r, size);
        size_t want =
            size < sizeof(licscan_facts) ? size : sizeof(licscan_facts);
        if (size < FACTS_V1) {
            CHECK_EQ_INT(rc, LICSCAN_EINVAL);
            want = 0;
        } else {
            CHECK_EQ_INT(rc, LICSCAN_OK);
            uint32_t got;
            memcpy(&got, r.bytes, sizeof(got));
            CHECK_EQ_INT(got, want);
        }
        int untouched = 1;
        for (size_t i = want; i < ROOM; i++)
            untouched &= r.bytes[i] == CANARY;
        CHECK(untouched);
    }
    CHECK_EQ_INT(licscan_facts_init(NULL, sizeof(licscan_facts)),
                 LICSCAN_EINVAL);
    licscan_facts f;
    licscan_facts_init(&f, sizeof(f));
    CHECK_EQ_INT(f.mau, -1);
    CHECK_EQ_INT(f.revenue, -1);
    CHECK_EQ_INT(f.uses, 0);
    CHECK(f.regions == NULL && f.allow == NULL && f.deny == NULL);
    /* the layout bindings copy: offsets of the first version */
    CHECK_EQ_INT(offsetof(licscan_facts, uses), 4);
    CHECK_EQ_INT(offsetof(licscan_facts, mau), 8);
    CHECK_EQ_INT(offsetof(licscan_facts, revenue), 16);
    CHECK_EQ_INT(offsetof(licscan_facts, revenue_period), 24);
    CHECK_EQ_INT(offsetof(licscan_facts, revenue_currency), 28);
    CHECK_EQ_INT(offsetof(licscan_facts, modality), 36);
    CHECK_EQ_INT(offsetof(licscan_facts, regions), 40);
    CHECK_EQ_INT(sizeof(licscan_facts), 64);
}

/* A caller with a newer header: bytes past the library's struct must be
 * zero; an older caller's struct_size below the first version fails. */
static void test_facts_sizes_read(const licscan_db *db)
{
    licscan_result *r = NULL;
    licscan_scan(db, "MIT License", 11, NULL, &r);
    room big;
    memset(&big, 0, sizeof(big));
    licscan_facts *f = (licscan_facts *)(void *)&big;
    licscan_facts_init(f, sizeof(*f));
    f->struct_size = (uint32_t)sizeof(*f) + 16;
    licscan_verdict *v = NULL;
    CHECK_EQ_INT(licscan_result_evaluate(r, f, &v), LICSCAN_OK);
    licscan_verdict_free(v);
    big.bytes[sizeof(*f) + 3] = 1;
    CHECK_EQ_INT(licscan_result_evaluate(r, f, &v), LICSCAN_EINVAL);
    CHECK(v == NULL);
    f->struct_size = 8;
    CHECK_EQ_INT(licscan_result_evaluate(r, f, &v), LICSCAN_EINVAL);
    f->struct_size = (uint32_t)sizeof(*f);
    f->modality = 9;
    CHECK_EQ_INT(licscan_result_evaluate(r, f, &v), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_result_evaluate(NULL, NULL, &v), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_result_evaluate(r, NULL, NULL), LICSCAN_EINVAL);
    licscan_result_free(r);
}

/* ---- single texts ---- */

static void test_llama_thresholds(const licscan_db *db)
{
    licscan_result *r =
        scan_path(db, "examples/licenses/llama-3.1-model/LICENSE");
    CHECK(r != NULL);
    licscan_facts f;
    licscan_facts_init(&f, sizeof(f));
    licscan_verdict *v = NULL;

    /* no MAU given: the threshold cannot be judged */
    CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_UNKNOWN);
    licscan_verdict_free(v);

    f.mau = 800000000;
    CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_NEEDS_LICENSE);
    const licscan_reason *x = find_reason(v, "mau");
    CHECK(x != NULL);
    CHECK_EQ_INT(licscan_reason_kind(x), LICSCAN_REASON_THRESHOLD);
    CHECK_EQ_INT(licscan_reason_outcome(x), LICSCAN_VERDICT_NEEDS_LICENSE);
    CHECK_EQ_INT(licscan_reason_flag(x), LICSCAN_FLAG_MAU_THRESHOLD);
    CHECK_EQ_STR(licscan_reason_license(x), "Llama-3.1-Community");
    CHECK(strstr(licscan_reason_message(x), "by 100,000,000") != NULL);
    uint64_t start = 0, end = 0;
    const char *text = NULL, *label = NULL;
    CHECK_EQ_INT(licscan_reason_evidence(x, &start, &end, &text, &label),
                 LICSCAN_OK);
    CHECK_EQ_STR(label, "2");
    CHECK(end > start && strstr(text, "monthly active users"));
    licscan_verdict_free(v);

    /* at the threshold exactly: not more than it */
    f.mau = 700000000;
    f.uses = LICSCAN_USE_COMMERCIAL | LICSCAN_USE_DISTRIBUTE_WEIGHTS;
    CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_ALLOWED_WITH_DUTIES);
    CHECK(find_reason(v, "built-with") && find_reason(v, "name-prefix") &&
          find_reason(v, "notice-text"));
    CHECK_EQ_INT(licscan_reason_outcome(find_reason(v, "mau")),
                 LICSCAN_VERDICT_ALLOWED);
    CHECK_EQ_INT(licscan_verdict_conflict_count(v), 0);
    CHECK_EQ_INT(licscan_verdict_license_count(v, LICSCAN_PART_WEIGHTS), 1);
    CHECK_EQ_STR(licscan_verdict_license(v, LICSCAN_PART_WEIGHTS, 0),
                 "Llama-3.1-Community");
    CHECK(licscan_verdict_license(v, LICSCAN_PART_WEIGHTS, 1) == NULL);
    const char *json = NULL;
    size_t len = 0;
    CHECK_EQ_INT(licscan_verdict_json(v, &json, &len), LICSCAN_OK);
    CHECK(len == strlen(json));
    CHECK(!strncmp(json, "{\"schema\":\"check-1\",", 20));
    CHECK(strstr(json, "\"verdict\":\"allowed-with-duties\"") != NULL);
    licscan_verdict_free(v);

    /* research only: nothing distributed, no distribution duties */
    f.uses = LICSCAN_USE_RESEARCH;
    CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
    CHECK(find_reason(v, "built-with") == NULL);
    CHECK(find_reason(v, "use-policy") != NULL);
    licscan_verdict_free(v);

    /* an accepted flag, a denied flag */
    f.mau = 800000000;
    f.allow = "mau_threshold";
    CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_ALLOWED_WITH_DUTIES);
    licscan_verdict_free(v);
    f.allow = NULL;
    f.mau = 1;
    f.deny = "MIT, branding";
    CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_FORBIDDEN);
    CHECK_EQ_INT(licscan_reason_flag(find_reason(v, "denied")),
                 LICSCAN_FLAG_BRANDING);
    licscan_verdict_free(v);
    /* an allow list of licenses it is not on */
    f.deny = NULL;
    f.allow = "Apache-2.0 MIT";
    CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_FORBIDDEN);
    CHECK(find_reason(v, "not-allowed") != NULL);
    licscan_verdict_free(v);
    licscan_result_free(r);
}

static void test_small_texts(const licscan_db *db)
{
    static const char terr[] =
        "With respect to any multimodal models included in the Model, the "
        "rights granted under Section 1(a) of this Agreement are not being "
        "granted to you if you are an individual domiciled in, or a company "
        "with a principal place of business in, the European Union.\n";
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, terr, sizeof(terr) - 1, NULL, &r),
                 LICSCAN_OK);
    CHECK(licscan_result_find_restriction(r, LICSCAN_FLAG_TERRITORY_EXCLUSION));
    licscan_facts f;
    licscan_facts_init(&f, sizeof(f));
    licscan_verdict *v = NULL;
    static const struct {
        const char *regions;
        uint32_t modality, want;
    } cases[] = {
        { "DE", LICSCAN_MODALITY_MULTIMODAL, LICSCAN_VERDICT_FORBIDDEN },
        { "us,fr", LICSCAN_MODALITY_MULTIMODAL, LICSCAN_VERDICT_FORBIDDEN },
        { "EU", LICSCAN_MODALITY_MULTIMODAL, LICSCAN_VERDICT_FORBIDDEN },
        { "DE", LICSCAN_MODALITY_TEXT, LICSCAN_VERDICT_ALLOWED },
        { "US", LICSCAN_MODALITY_MULTIMODAL, LICSCAN_VERDICT_ALLOWED },
        { "CH", LICSCAN_MODALITY_MULTIMODAL, LICSCAN_VERDICT_ALLOWED },
        { "DE", LICSCAN_MODALITY_UNKNOWN, LICSCAN_VERDICT_UNKNOWN },
        { NULL, LICSCAN_MODALITY_MULTIMODAL, LICSCAN_VERDICT_UNKNOWN },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        f.regions = cases[i].regions;
        f.modality = cases[i].modality;
        CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
        const licscan_reason *x = find_reason(v, "territory");
        CHECK(x != NULL);
        if (x)
            CHECK_EQ_INT(licscan_reason_outcome(x), cases[i].want);
        licscan_verdict_free(v);
    }
    licscan_result_free(r);

    /* nothing readable: unknown, with the reason */
    CHECK_EQ_INT(licscan_scan(db, "hello world", 11, NULL, &r), LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_evaluate(r, NULL, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_UNKNOWN);
    CHECK_EQ_INT(licscan_reason_kind(licscan_verdict_reason(v, 0)),
                 LICSCAN_REASON_LICENSE);
    CHECK_EQ_INT(licscan_reason_evidence(licscan_verdict_reason(v, 0), NULL,
                                         NULL, NULL, NULL),
                 LICSCAN_ENOTFOUND);
    licscan_verdict_free(v);
    licscan_result_free(r);

    /* a failed scan is unknown too */
    CHECK_EQ_INT(licscan_scan(db, "a\0b", 3, NULL, &r), LICSCAN_EBINARY);
    CHECK_EQ_INT(licscan_result_evaluate(r, NULL, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_UNKNOWN);
    licscan_verdict_free(v);
    licscan_result_free(r);

    /* revenue in another period and currency */
    static const char rev[] =
        "This license is free for organizations generating annual revenue of "
        "less than USD $1,000,000. If your annual revenue exceeds USD "
        "$1,000,000 you must obtain an enterprise license from us.\n";
    CHECK_EQ_INT(licscan_scan(db, rev, sizeof(rev) - 1, NULL, &r), LICSCAN_OK);
    if (licscan_result_find_restriction(r, LICSCAN_FLAG_REVENUE_THRESHOLD)) {
        licscan_facts_init(&f, sizeof(f));
        f.revenue = 100000; /* a month: 1.2M a year */
        f.revenue_period = LICSCAN_PERIOD_MONTH;
        CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
        CHECK_EQ_INT(licscan_reason_outcome(find_reason(v, "revenue")),
                     LICSCAN_VERDICT_NEEDS_LICENSE);
        licscan_verdict_free(v);
        f.revenue = 50000;
        CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
        CHECK_EQ_INT(licscan_reason_outcome(find_reason(v, "revenue")),
                     LICSCAN_VERDICT_ALLOWED);
        licscan_verdict_free(v);
        memcpy(f.revenue_currency, "EUR", 4);
        CHECK_EQ_INT(licscan_result_evaluate(r, &f, &v), LICSCAN_OK);
        CHECK_EQ_INT(licscan_reason_outcome(find_reason(v, "revenue")),
                     LICSCAN_VERDICT_UNKNOWN);
        licscan_verdict_free(v);
    } else {
        CHECK(!"the revenue clause sets revenue_threshold");
    }
    licscan_result_free(r);
}

/* ---- models ---- */

static void test_models(const licscan_db *db)
{
    licscan_model *m = NULL;
    CHECK_EQ_INT(licscan_model_new(NULL, "x", NULL, &m), LICSCAN_EINVAL);
    CHECK_EQ_INT(licscan_model_new(db, "Llama-tuned", "/tmp/x", &m),
                 LICSCAN_OK);
    static const char card[] = "license: apache-2.0";
    CHECK_EQ_INT(licscan_model_set_card_field(m, "license", "apache-2.0", 10),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_model_set_card_field(m, "base_model",
                                              " meta-llama/Llama-3.1-8B ", 25),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_model_set_card_field(m, "pipeline_tag", "x", 1),
                 LICSCAN_ENOTFOUND);
    licscan_result *r = NULL;
    licscan_scan(db, card, sizeof(card) - 1, NULL, &r);
    CHECK_EQ_INT(licscan_model_add_result(m, "README.md", LICSCAN_ROLE_CARD, r,
                                          card, sizeof(card) - 1),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_model_add_result(m, "x", 99, NULL, NULL, 0),
                 LICSCAN_EINVAL);
    licscan_facts f;
    licscan_facts_init(&f, sizeof(f));
    f.mau = 10;
    licscan_verdict *v = NULL;
    CHECK_EQ_INT(licscan_model_evaluate(m, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_conflict_count(v), 1);
    const licscan_reason *c = find_reason(v, "drops-base-terms");
    CHECK(c && licscan_reason_kind(c) == LICSCAN_REASON_CONFLICT);
    CHECK_EQ_STR(licscan_verdict_model(v), "Llama-tuned");
    CHECK_EQ_STR(licscan_verdict_license(v, LICSCAN_PART_INHERITED, 0),
                 "Llama-3.1-Community");
    CHECK_EQ_STR(licscan_verdict_license(v, LICSCAN_PART_DECLARED, 0),
                 "Apache-2.0");
    const licscan_reason *mau = find_reason(v, "mau");
    CHECK(mau && !strcmp(licscan_reason_base(mau), "meta-llama/Llama-3.1-8B"));
    licscan_verdict_free(v);
    licscan_model_free(m);

    /* a model of files, with a base in the same cache */
    CHECK_EQ_INT(licscan_model_new(db, "org/Llama-x", NULL, &m), LICSCAN_OK);
    licscan_model_add_result(
        m, "LICENSE", LICSCAN_ROLE_LICENSE,
        scan_path(db, "examples/licenses/mit-project/LICENSE"), NULL, 0);
    licscan_model_add_base_result(
        m, "meta-llama/Llama-3.1-8B", "b/LICENSE", LICSCAN_ROLE_LICENSE,
        scan_path(db, "examples/licenses/llama-3.1-model/LICENSE"));
    licscan_model_set_card_field(m, "base_model", "meta-llama/Llama-3.1-8B",
                                 23);
    licscan_model_add_error(m, "LICENSE-CODE", LICSCAN_ROLE_CODE,
                            "binary input");
    CHECK_EQ_INT(licscan_model_evaluate(m, &f, &v), LICSCAN_OK);
    CHECK_EQ_INT(licscan_verdict_conflict_count(v), 1); /* MIT drops Llama */
    CHECK(find_reason(v, "unreadable") != NULL);
    CHECK_EQ_INT(licscan_verdict_value(v), LICSCAN_VERDICT_UNKNOWN);
    const licscan_reason *bw = find_reason(v, "built-with");
    CHECK(bw && !strcmp(licscan_reason_file(bw), "b/LICENSE"));
    licscan_verdict_free(v);
    licscan_model_free(m);

    /* the library reads a card's front matter itself */
    static const char card2[] = "---\nlicense: apache-2.0\nbase_model:\n"
                                "- meta-llama/Llama-3.1-8B\n- "
                                "google/gemma-2b\n---\n# tuned\n";
    CHECK_EQ_INT(licscan_model_new(db, "x", NULL, &m), LICSCAN_OK);
    licscan_scan(db, card2, sizeof(card2) - 1, NULL, &r);
    CHECK_EQ_INT(licscan_model_add_result(m, "README.md", LICSCAN_ROLE_CARD, r,
                                          card2, sizeof(card2) - 1),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_model_base_count(m), 2);
    CHECK_EQ_STR(licscan_model_base(m, 1), "google/gemma-2b");
    CHECK(licscan_model_base(m, 2) == NULL);
    CHECK_EQ_INT(licscan_model_evaluate(m, &f, &v), LICSCAN_OK);
    /* drops both; and "x" lacks the "Llama" prefix */
    CHECK_EQ_INT(licscan_verdict_conflict_count(v), 3);
    CHECK_EQ_STR(licscan_verdict_license(v, LICSCAN_PART_DECLARED, 0),
                 "Apache-2.0");
    licscan_verdict_free(v);
    licscan_model_free(m);
    licscan_model_free(NULL);
    licscan_verdict_free(NULL);
}

static void test_names(void)
{
    CHECK_EQ_INT(licscan_file_role("LICENSE"), LICSCAN_ROLE_LICENSE);
    CHECK_EQ_INT(licscan_file_role("a/b/LICENSE.md"), LICSCAN_ROLE_LICENSE);
    CHECK_EQ_INT(licscan_file_role("COPYING"), LICSCAN_ROLE_LICENSE);
    CHECK_EQ_INT(licscan_file_role("LICENSE-MODEL"), LICSCAN_ROLE_WEIGHTS);
    CHECK_EQ_INT(licscan_file_role("MODEL_LICENSE"), LICSCAN_ROLE_WEIGHTS);
    CHECK_EQ_INT(licscan_file_role("LICENSE_WEIGHTS"), LICSCAN_ROLE_WEIGHTS);
    CHECK_EQ_INT(licscan_file_role("LICENSE-CODE"), LICSCAN_ROLE_CODE);
    CHECK_EQ_INT(licscan_file_role("USE_POLICY.md"), LICSCAN_ROLE_POLICY);
    CHECK_EQ_INT(licscan_file_role("Acceptable_Use_Policy.txt"),
                 LICSCAN_ROLE_POLICY);
    CHECK_EQ_INT(licscan_file_role("NOTICE"), LICSCAN_ROLE_NOTICE);
    CHECK_EQ_INT(licscan_file_role("README.md"), LICSCAN_ROLE_CARD);
    CHECK_EQ_INT(licscan_file_role("license.py"), LICSCAN_ROLE_NONE);
    CHECK_EQ_INT(licscan_file_role("model.safetensors"), LICSCAN_ROLE_NONE);
    CHECK_EQ_INT(licscan_file_role("LICENSE-SDXL1.0"), LICSCAN_ROLE_LICENSE);
    CHECK_EQ_INT(licscan_file_role(NULL), LICSCAN_ROLE_NONE);
    CHECK_EQ_STR(licscan_role_name(LICSCAN_ROLE_WEIGHTS), "weights");
    CHECK(licscan_role_name(99) == NULL);
    CHECK_EQ_INT(licscan_use_lookup("hosted-service"),
                 LICSCAN_USE_HOSTED_SERVICE);
    CHECK_EQ_INT(licscan_use_lookup("piracy"), LICSCAN_ENOTFOUND);
    CHECK_EQ_STR(licscan_use_name(LICSCAN_USE_TRAIN_OTHER_MODELS),
                 "train-other-models");
    CHECK(licscan_use_name(3) == NULL);
    CHECK_EQ_INT(licscan_modality_lookup("multimodal"),
                 LICSCAN_MODALITY_MULTIMODAL);
    CHECK_EQ_STR(licscan_verdict_name(LICSCAN_VERDICT_NEEDS_LICENSE),
                 "needs-license");
    CHECK(licscan_verdict_name(5) == NULL);
    CHECK_EQ_STR(licscan_reason_kind_name(LICSCAN_REASON_TERRITORY),
                 "territory");
}

/* ---- every allocation failing in turn ---- */

static void test_out_of_memory(void)
{
    counter c = { 0 };
    licscan_allocator a = { t_malloc, t_realloc, t_free, &c };
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = &a;
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_default(&o, &db), LICSCAN_OK);
    size_t len;
    char *text = read_all("examples/licenses/llama-3.1-model/LICENSE", &len);
    licscan_facts f;
    licscan_facts_init(&f, sizeof(f));
    f.mau = 5;
    int ok = 0, clean = 1;
    for (long n = 1; n < 100000 && !ok; n++) {
        licscan_model *m = NULL;
        licscan_verdict *v = NULL;
        licscan_result *r = NULL;
        licscan_scan(db, text, len, NULL, &r); /* may be NULL or failed */
        c.calls = 0;
        c.fail_at = n;
        int rc = licscan_model_new(db, "m", NULL, &m);
        if (!rc)
            rc = licscan_model_set_card_field(m, "base_model",
                                              "google/gemma-2b", 15);
        if (!rc)
            rc = licscan_model_add_result(m, "LICENSE", LICSCAN_ROLE_LICENSE, r,
                                          NULL, 0);
        else
            licscan_result_free(r);
        if (!rc)
            rc = licscan_model_evaluate(m, &f, &v);
        const char *json;
        if (!rc)
            rc = licscan_verdict_json(v, &json, NULL);
        c.fail_at = 0;
        clean &= rc == LICSCAN_OK || rc == LICSCAN_ENOMEM;
        ok = rc == LICSCAN_OK && c.calls < n;
        licscan_verdict_free(v);
        licscan_model_free(m);
    }
    CHECK(ok);
    CHECK(clean);
    free(text);
    licscan_db_free(db);
    CHECK_EQ_INT(c.live, 0); /* whatever failed, nothing leaked (the
                                database pools scratch memory until freed) */
}

int main(void)
{
    licscan_db_options o;
    licscan_db_options_init(&o, sizeof(o));
    o.allocator = base_allocator(); /* JIT off under valgrind */
    licscan_db *db = NULL;
    if (licscan_db_open_default(&o, &db) != LICSCAN_OK)
        return 1;
    test_facts_abi();
    test_facts_sizes_read(db);
    test_llama_thresholds(db);
    test_small_texts(db);
    test_models(db);
    test_names();
    test_out_of_memory();
    licscan_db_free(db);
    return check_report("unit_policy");
}
