/* fuzz_model.c -- a model made of fuzz input, judged: the input is split
 * at its first "\n====\n" into a model card (front matter, license names,
 * wording) and a license file; facts come from the input's length and its
 * last bytes, so every branch of the verdict gets exercised. Every reason
 * must hold what the header promises and the check-1 JSON must be valid. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static licscan_db *db;

static void free_db(void) { licscan_db_free(db); }

static const char *const regions[] = { NULL, "DE", "US,FR", "EU", "xx, CH" };
static const char *const lists[] = { NULL, "Apache-2.0", "mau_threshold",
                                     "llama3.1 branding", "MIT, x" };

static void pick_facts(const uint8_t *data, size_t size, licscan_facts *f)
{
    licscan_facts_init(f, sizeof(*f));
    uint8_t a = size ? data[size - 1] : 0, b = size > 1 ? data[size - 2] : 0;
    f->uses = a & 0x7f;
    f->mau = (b & 1) ? (int64_t)(size * 1000003u) : -1;
    f->revenue = (b & 2) ? (int64_t)size * 977 : -1;
    f->revenue_period = (b >> 2) & 3;
    memcpy(f->revenue_currency, (b & 16) ? "EUR" : "USD", 4);
    f->modality = (uint32_t)(size % 3);
    f->regions = regions[size % 5];
    f->allow = lists[(size / 5) % 5];
    f->deny = lists[(size / 25) % 5];
}

static void check_verdict(licscan_verdict *v)
{
    FUZZ_ASSERT(licscan_verdict_name(licscan_verdict_value(v)) != NULL);
    uint32_t conflicts = 0;
    for (uint32_t p = 0; p <= LICSCAN_PART_INHERITED; p++)
        for (uint32_t i = 0; i < licscan_verdict_license_count(v, p); i++)
            fuzz_check_message(licscan_verdict_license(v, p, i));
    for (uint32_t i = 0; i < licscan_verdict_reason_count(v); i++) {
        const licscan_reason *x = licscan_verdict_reason(v, i);
        FUZZ_ASSERT(licscan_reason_kind_name(licscan_reason_kind(x)));
        FUZZ_ASSERT(licscan_verdict_name(licscan_reason_outcome(x)));
        conflicts += licscan_reason_kind(x) == LICSCAN_REASON_CONFLICT;
        fuzz_check_message(licscan_reason_message(x));
        fuzz_check_message(licscan_reason_license(x));
        const char *text, *label;
        uint64_t s, e;
        if (licscan_reason_evidence(x, &s, &e, &text, &label) == LICSCAN_OK) {
            FUZZ_ASSERT(s <= e);
            fuzz_check_message(text);
        }
    }
    FUZZ_ASSERT(conflicts == licscan_verdict_conflict_count(v));
    const char *json;
    size_t len;
    FUZZ_ASSERT(licscan_verdict_json(v, &json, &len) == LICSCAN_OK);
    FUZZ_ASSERT(fuzz_json_valid(json, len));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) {
        if (licscan_db_open_default(NULL, &db) != LICSCAN_OK)
            abort();
        atexit(free_db);
    }
    const char *t = (const char *)data;
    const char *cut = size ? memmem(t, size, "\n====\n", 6) : NULL;
    size_t card_len = cut ? (size_t)(cut - t) : size;
    const char *lic = cut ? cut + 6 : NULL;
    size_t lic_len = cut ? size - card_len - 6 : 0;
    licscan_facts f;
    pick_facts(data, size, &f);

    licscan_model *m = NULL;
    FUZZ_ASSERT(licscan_model_new(db, "org/Llama-fuzz", NULL, &m) ==
                LICSCAN_OK);
    licscan_result *r = NULL;
    licscan_scan(db, t, card_len, NULL, &r);
    if (r)
        licscan_model_add_result(m, "README.md", LICSCAN_ROLE_CARD, r, t,
                                 card_len);
    if (lic) {
        r = NULL;
        licscan_scan(db, lic, lic_len, NULL, &r);
        if (r && licscan_result_status(r) == LICSCAN_OK) {
            licscan_verdict *v1 = NULL;
            FUZZ_ASSERT(licscan_result_evaluate(r, &f, &v1) == LICSCAN_OK);
            check_verdict(v1);
            licscan_verdict_free(v1);
        }
        if (r)
            licscan_model_add_result(m, "LICENSE", LICSCAN_ROLE_LICENSE, r, lic,
                                     lic_len);
    }
    for (uint32_t i = 0; i < licscan_model_base_count(m); i++)
        fuzz_check_message(licscan_model_base(m, i));
    licscan_verdict *v = NULL;
    FUZZ_ASSERT(licscan_model_evaluate(m, &f, &v) == LICSCAN_OK);
    check_verdict(v);
    licscan_verdict_free(v);
    licscan_model_free(m);
    return 0;
}
