/* Unit tests: a model card's YAML front matter (lib/frontmatter.c,
 * internal API) -- scalar, quoted, flow-list and block-list values, the
 * keys read and those skipped, and texts that are no front matter. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "frontmatter.h"

static ls_fm_value v[LS_FM_MAX_VALUES];
static const char *text;

static uint32_t read_fm(const char *t)
{
    text = t;
    return ls_frontmatter_read(t, strlen(t), v, LS_FM_MAX_VALUES);
}

/* Value i as a string (in a static buffer). */
static const char *val(uint32_t i)
{
    static char buf[256];
    size_t n = v[i].end - v[i].start;
    snprintf(buf, sizeof(buf), "%.*s", (int)n, text + v[i].start);
    return buf;
}

static void test_scalars(void)
{
    uint32_t n = read_fm("---\nlicense: llama3.1\nlicense_name: 'my-lic' # c\n"
                         "license_link: \"LICENSE.md\"\nother: x\n---\nbody\n");
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(v[0].key, LS_FM_LICENSE);
    CHECK_EQ_STR(val(0), "llama3.1");
    CHECK_EQ_INT(v[1].key, LS_FM_LICENSE_NAME);
    CHECK_EQ_STR(val(1), "my-lic");
    CHECK_EQ_INT(v[2].key, LS_FM_LICENSE_LINK);
    CHECK_EQ_STR(val(2), "LICENSE.md");
}

static void test_lists(void)
{
    uint32_t n = read_fm("---\nlicense: [mit, \"apache-2.0\"]\nbase_model:\n"
                         "  - org/a\n- org/b\ntags:\n  - x\n...\n");
    CHECK_EQ_INT(n, 4);
    CHECK_EQ_STR(val(0), "mit");
    CHECK_EQ_STR(val(1), "apache-2.0");
    CHECK_EQ_INT(v[2].key, LS_FM_BASE_MODEL);
    CHECK_EQ_STR(val(2), "org/a");
    CHECK_EQ_STR(val(3), "org/b");
}

/* Nested keys, block scalars and texts without both markers name
 * nothing; a full output array is not overrun. */
static void test_not_read(void)
{
    CHECK_EQ_INT(read_fm("---\nmodel:\n  license: mit\n---\n"), 0);
    CHECK_EQ_INT(read_fm("---\nlicense: >\n  mit\n---\n"), 0);
    CHECK_EQ_INT(read_fm("license: mit\n"), 0);
    CHECK_EQ_INT(read_fm("---\nlicense: mit\n"), 0);
    CHECK_EQ_INT(read_fm("# ---\nlicense: mit\n---\n"), 0);
    CHECK_EQ_INT(read_fm(""), 0);
    char big[4096] = "---\nlicense:\n";
    for (int i = 0; i < 100; i++)
        strcat(big, "- t\n");
    strcat(big, "---\n");
    CHECK_EQ_INT(read_fm(big), LS_FM_MAX_VALUES);
    ls_fm_value two[2];
    CHECK_EQ_INT(ls_frontmatter_read(big, strlen(big), two, 2), 2);
}

int main(void)
{
    test_scalars();
    test_lists();
    test_not_read();
    return check_report("unit_frontmatter");
}
