/* Unit tests: the template and metadata parser, through the public API. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "licscan.h"

static licscan_db *new_db(void)
{
    licscan_db *db = NULL;
    CHECK_EQ_INT(licscan_db_open_empty(NULL, &db), LICSCAN_OK);
    return db;
}

/* Adding `text` fails with code at line:col. */
static void expect_error(const char *text, const char *meta, int code,
                         uint32_t line, uint32_t col, const char *needle)
{
    licscan_db *db = new_db();
    int rc = licscan_db_add_template(db, "T", text, strlen(text), meta,
                                     meta ? strlen(meta) : 0, "t.template.txt");
    CHECK_EQ_INT(rc, code);
    const char *file = NULL;
    uint32_t l = 0, c = 0;
    licscan_db_error_location(db, &file, &l, &c);
    CHECK_EQ_INT(l, line);
    CHECK_EQ_INT(c, col);
    CHECK(file && strcmp(file, "t.template.txt") == 0);
    if (!strstr(licscan_db_errmsg(db), needle)) {
        fprintf(stderr, "message \"%s\" lacks \"%s\"\n", licscan_db_errmsg(db),
                needle);
        CHECK(0);
    }
    CHECK_EQ_INT(licscan_db_license_count(db), 0);
    /* the database stays usable */
    const char *ok = "a fine template with enough words in it";
    CHECK_EQ_INT(
        licscan_db_add_template(db, "OK", ok, strlen(ok), NULL, 0, NULL),
        LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_license_count(db), 1);
    licscan_db_free(db);
}

static void test_errors(void)
{
    expect_error("one two\nthree <<var;name=\"x\";original=\"y\";match=\"a\"",
                 NULL, LICSCAN_ETEMPLATE, 2, 7, "no closing");
    expect_error("words <<var;original=\"y\";match=\"a\">>", NULL,
                 LICSCAN_ETEMPLATE, 1, 13, "expected name");
    expect_error("words <<var;name=\"x\";original=\"y\">> more", NULL,
                 LICSCAN_ETEMPLATE, 1, 7, "missing match");
    expect_error(
        "a b\n  c <<var;name=\"x\";original=\"y\";match=\"(unclosed\">>", NULL,
        LICSCAN_ETEMPLATE, 2, 49, "bad match pattern");
    expect_error("a b <<endOptional>> c", NULL, LICSCAN_ETEMPLATE, 1, 5,
                 "without <<beginOptional>>");
    expect_error("a\nb <<beginOptional>> c", NULL, LICSCAN_ETEMPLATE, 2, 3,
                 "never closed");
    expect_error("a \xC3\x28 b", NULL, LICSCAN_ETEMPLATE, 1, 3,
                 "invalid UTF-8");
    expect_error("<<beginOptional>>only optional<<endOptional>>", NULL,
                 LICSCAN_ETEMPLATE, 0, 0, "no required words");
    /* nesting deeper than the limit */
    char deep[512] = "x ";
    for (int i = 0; i < 9; i++)
        strcat(deep, "<<beginOptional>>");
    expect_error(deep, NULL, LICSCAN_ETEMPLATE, 1, 139, "nested too deeply");
    /* metadata */
    expect_error("some words", "name: A\nbogus: 1\n", LICSCAN_ETEMPLATE, 2, 1,
                 "unknown metadata key");
    expect_error("some words", "name: A\n\n  no colon here\n",
                 LICSCAN_ETEMPLATE, 3, 3, "expected 'key: value'");
    expect_error("some words", "osi_approved: maybe\n", LICSCAN_ETEMPLATE, 1,
                 15, "true or false");
    expect_error("some words", "id: Other\n", LICSCAN_ETEMPLATE, 0, 0,
                 "differs from template id");
}

static void test_metadata_and_lookup(void)
{
    licscan_db *db = new_db();
    const char *meta = "# comment\nid: Foo-1.0\nname: Foo License 1.0\n"
                       "version: 1.0\nfamily: foo\nkind: license\n"
                       "url: https://example.org/foo\nosi_approved: true\n"
                       "spdx: LicenseRef-Foo-1.0\nhf: foo1\n"
                       "scancode: foo-1.0  # trailing comment\n"
                       "reference: Foo License v1\n";
    const char *text = "the foo license grants you everything you ask for";
    CHECK_EQ_INT(licscan_db_add_template(db, "Foo-1.0", text, strlen(text),
                                         meta, strlen(meta), NULL),
                 LICSCAN_OK);
    const licscan_license *l = licscan_db_license(db, 0);
    CHECK_EQ_STR(licscan_license_id(l), "Foo-1.0");
    CHECK_EQ_STR(licscan_license_name(l), "Foo License 1.0");
    CHECK_EQ_STR(licscan_license_version(l), "1.0");
    CHECK_EQ_STR(licscan_license_family(l), "foo");
    CHECK_EQ_STR(licscan_license_url(l), "https://example.org/foo");
    CHECK_EQ_STR(licscan_license_spdx(l), "LicenseRef-Foo-1.0");
    CHECK_EQ_STR(licscan_license_hf_tag(l), "foo1");
    CHECK_EQ_STR(licscan_license_scancode(l), "foo-1.0");
    CHECK_EQ_INT(licscan_license_osi_approved(l), 1);
    CHECK(licscan_db_lookup(db, "foo1") == l);
    CHECK(licscan_db_lookup(db, "FOO-1.0") == l);
    CHECK(licscan_db_lookup(db, "licenseref-foo-1.0") == l);
    CHECK(licscan_db_lookup(db, "bar") == NULL);
    /* a template with the same id replaces the older one */
    const char *text2 = "the second foo license text is different entirely";
    CHECK_EQ_INT(licscan_db_add_template(db, "Foo-1.0", text2, strlen(text2),
                                         NULL, 0, NULL),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_db_license_count(db), 2);
    const licscan_license *l2 = licscan_db_license(db, 1);
    CHECK(licscan_db_lookup(db, "Foo-1.0") == l2);
    /* a bare text over a known license keeps what it does not say */
    CHECK_EQ_STR(licscan_license_name(l2), "Foo License 1.0");
    CHECK_EQ_STR(licscan_license_spdx(l2), "LicenseRef-Foo-1.0");
    CHECK_EQ_STR(licscan_license_hf_tag(l2), "foo1");
    CHECK_EQ_STR(licscan_license_scancode(l2), "foo-1.0");
    CHECK_EQ_INT(licscan_license_osi_approved(l2), 1);
    CHECK(licscan_db_lookup(db, "foo1") == l2);
    /* and the phrases that name it: a reference to the new text */
    const char *in = "This file is under the Foo License v1, see COPYING.";
    licscan_result *r = NULL;
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)in, strlen(in), NULL, &r),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK(m && licscan_match_kind(m) == LICSCAN_KIND_REFERENCE);
    CHECK(m && licscan_match_license(m) == l2);
    licscan_result_free(r);
    /* what the new text's metadata says wins */
    const char *meta3 = "name: Foo License, revised\n";
    CHECK_EQ_INT(licscan_db_add_template(db, "Foo-1.0", text, strlen(text),
                                         meta3, strlen(meta3), NULL),
                 LICSCAN_OK);
    const licscan_license *l3 = licscan_db_license(db, 2);
    CHECK_EQ_STR(licscan_license_name(l3), "Foo License, revised");
    CHECK_EQ_STR(licscan_license_hf_tag(l3), "foo1");
    CHECK_EQ_INT(licscan_license_osi_approved(l3), 0);
    licscan_db_free(db);
}

static void put(const char *dir, const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void remove_file(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    CHECK(unlink(path) == 0);
}

static void remove_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
}

static void test_load_dir(void)
{
    char dir[] = "/tmp/licscan-tpl-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    put(dir, "Good.template.txt",
        "<<beginOptional>>Good License<<endOptional>>\n"
        "Permission is granted to do <<var;name=\"what\";original=\"good "
        "things\";match=\"good things|nice things\">> with this work, for "
        "ever and ever.\n");
    put(dir, "Good.meta", "name: The Good License\nhf: good\n");
    put(dir, "Worse.template.txt",
        "fine words\nthen <<beginOptional>> an unclosed block\n");
    licscan_db *db = new_db();
    CHECK_EQ_INT(licscan_db_load_dir(db, dir), LICSCAN_ETEMPLATE);
    const char *file;
    uint32_t line, col;
    licscan_db_error_location(db, &file, &line, &col);
    CHECK(file && strstr(file, "Worse.template.txt"));
    CHECK_EQ_INT(line, 2);
    CHECK_EQ_INT(col, 6);
    /* Good loaded before Worse, and the database works */
    CHECK_EQ_INT(licscan_db_license_count(db), 1);
    CHECK_EQ_STR(licscan_license_name(licscan_db_lookup(db, "good")),
                 "The Good License");
    const char *in = "Permission is granted to do nice things with this work, "
                     "for ever and ever.";
    licscan_result *r;
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)in, strlen(in), NULL, &r),
                 LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK_EQ_INT(licscan_match_kind(m), LICSCAN_KIND_EXACT);
    licscan_result_free(r);
    /* a value the var's pattern rejects is a difference */
    const char *in2 = "Permission is granted to do bad things with this work, "
                      "for ever and ever.";
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)in2, strlen(in2), NULL, &r),
                 LICSCAN_OK);
    m = licscan_result_match(r, 0);
    CHECK(m && licscan_match_kind(m) != LICSCAN_KIND_EXACT);
    uint32_t op = 99;
    uint64_t s = 0, e = 0;
    const char *tt = NULL;
    CHECK_EQ_INT(licscan_match_diff(m, 0, &op, &s, &e, &tt), LICSCAN_OK);
    CHECK_EQ_INT(op, LICSCAN_DIFF_VARIABLE);
    CHECK_EQ_INT(s, 28);
    CHECK_EQ_INT(e, 38);
    CHECK_EQ_STR(tt, "good things");
    licscan_result_free(r);
    licscan_db_free(db);
    /* missing directory */
    db = new_db();
    CHECK_EQ_INT(licscan_db_load_dir(db, "/nonexistent/dir"), LICSCAN_EIO);
    CHECK(strstr(licscan_db_errmsg(db), "/nonexistent/dir") != NULL);
    licscan_db_free(db);
    remove_dir(dir);
}

/* A license list's table beside a folder of bare templates names them,
 * says which are OSI-approved and which deprecated; a deprecated id is
 * found by look-up but its text matches the current id. */
static void test_list_table(void)
{
    char dir[] = "/tmp/licscan-list-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char tpl[600];
    snprintf(tpl, sizeof tpl, "%s/templates", dir);
    CHECK(mkdir(tpl, 0700) == 0);
    const char *text = "Permission is granted to copy this kettle recipe "
                       "for any purpose, provided this notice stays with it.\n";
    put(tpl, "Kettle-1.0.template.txt", text);
    put(tpl, "Kettle.template.txt", text); /* the old id of the same text */
    put(tpl, "Teapot.template.txt",
        "Teapots may be poured by anyone, for any purpose, without fee, as "
        "long as the spout is kept clean.\n");
    put(tpl, "Teapot.meta", "name: The Teapot Terms\n");
    const char *exception =
        "As a special exception, you may also pour the kettle into any cup "
        "at all, whatever the recipe above says of cups and saucers.\n";
    put(tpl, "Cup-exception.template.txt", exception);
    put(dir, "licenses.tsv",
        "id\tname\tkind\tosi_approved\tdeprecated\tcrossref\n"
        "Cup-exception\tCup exception\texception\tfalse\tfalse\t\n"
        "Kettle-1.0\tKettle License "
        "1.0\tlicense\ttrue\tfalse\thttps://k.example\n"
        "Kettle\tKettle License\tlicense\tfalse\ttrue\t\n"
        "Teapot\tTeapot License\tlicense\ttrue\tfalse\t\n");
    licscan_db *db = new_db();
    CHECK_EQ_INT(licscan_db_load_dir(db, tpl), LICSCAN_OK);
    const licscan_license *k1 = licscan_db_lookup(db, "Kettle-1.0");
    const licscan_license *k0 = licscan_db_lookup(db, "Kettle");
    const licscan_license *tp = licscan_db_lookup(db, "Teapot");
    CHECK(k1 && k0 && tp);
    if (k1 && k0 && tp) {
        CHECK_EQ_STR(licscan_license_name(k1), "Kettle License 1.0");
        CHECK_EQ_STR(licscan_license_url(k1), "https://k.example");
        CHECK_EQ_STR(licscan_license_kind(k1), "license");
        CHECK_EQ_INT(licscan_license_osi_approved(k1), 1);
        CHECK_EQ_INT(licscan_license_deprecated(k1), 0);
        CHECK_EQ_INT(licscan_license_deprecated(k0), 1);
        /* a .meta of its own is the whole truth */
        CHECK_EQ_STR(licscan_license_name(tp), "The Teapot Terms");
        CHECK_EQ_INT(licscan_license_osi_approved(tp), 0);
    }
    licscan_result *r = NULL;
    CHECK_EQ_INT(
        licscan_scan(db, (const uint8_t *)text, strlen(text), NULL, &r),
        LICSCAN_OK);
    CHECK_EQ_INT(licscan_result_match_count(r), 1);
    const licscan_match *m = licscan_result_match(r, 0);
    CHECK(m && licscan_match_license(m) == k1);
    licscan_result_free(r);
    /* an exception goes WITH the license it follows in the expression */
    char both[512];
    snprintf(both, sizeof both, "%s\n%s", text, exception);
    CHECK_EQ_INT(
        licscan_scan(db, (const uint8_t *)both, strlen(both), NULL, &r),
        LICSCAN_OK);
    CHECK_EQ_STR(licscan_result_spdx(r), "Kettle-1.0 WITH Cup-exception");
    licscan_result_free(r);
    /* the table's name is a phrase that names the license */
    const char *ref = "This recipe is under the Kettle License 1.0.";
    CHECK_EQ_INT(licscan_scan(db, (const uint8_t *)ref, strlen(ref), NULL, &r),
                 LICSCAN_OK);
    m = licscan_result_match(r, 0);
    CHECK(m && licscan_match_kind(m) == LICSCAN_KIND_REFERENCE &&
          licscan_match_license(m) == k1);
    licscan_result_free(r);
    licscan_db_free(db);

    /* a bad table: an error at its line, nothing loaded */
    put(dir, "licenses.tsv", "id\tname\tdeprecated\nKettle\tKettle\tmaybe\n");
    db = new_db();
    CHECK_EQ_INT(licscan_db_load_dir(db, tpl), LICSCAN_ETEMPLATE);
    CHECK(strstr(licscan_db_errmsg(db), "licenses.tsv:2:1") != NULL);
    CHECK_EQ_INT(licscan_db_license_count(db), 0);
    licscan_db_free(db);
    /* beside the folder, a table with no id column is some other table */
    put(dir, "licenses.tsv", "name\tkind\nKettle\tlicense\n");
    db = new_db();
    CHECK_EQ_INT(licscan_db_load_dir(db, tpl), LICSCAN_OK);
    CHECK_EQ_STR(licscan_license_name(licscan_db_lookup(db, "Kettle")),
                 "Kettle");
    licscan_db_free(db);
    /* in it, the same is an error */
    put(tpl, "licenses.tsv", "name\tkind\nKettle\tlicense\n");
    db = new_db();
    CHECK_EQ_INT(licscan_db_load_dir(db, tpl), LICSCAN_ETEMPLATE);
    CHECK(strstr(licscan_db_errmsg(db), "no column named id") != NULL);
    licscan_db_free(db);
    remove_file(tpl, "licenses.tsv");
    put(dir, "licenses.tsv", "id\tname\nKettle\tone\tfield too many\n");
    db = new_db();
    CHECK_EQ_INT(licscan_db_load_dir(db, tpl), LICSCAN_ETEMPLATE);
    CHECK(strstr(licscan_db_errmsg(db), "licenses.tsv:2:1") != NULL);
    licscan_db_free(db);
    remove_dir(dir);
}

int main(void)
{
    test_errors();
    test_metadata_and_lookup();
    test_load_dir();
    test_list_table();
    return check_report("unit_template");
}
