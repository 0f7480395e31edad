/*
 * licscan.h -- identify license texts and the restrictions they impose.
 *
 * This header is the whole public API: a function or type that is not
 * declared here is not part of it.
 *
 * Model of use:
 *   1. Open a database: licscan_db_open_default() gives the embedded set of
 *      templates compiled into the library; licscan_db_load_dir() adds more.
 *      After loading, a database is read-only and may be shared by any
 *      number of threads.
 *   2. Scan bytes: licscan_scan() returns a result object owned by the
 *      caller. Scans on one database may run concurrently.
 *   3. Read the result through accessors, or render it as JSON, then free it
 *      with licscan_result_free().
 *
 * Conventions:
 *   - Functions that can fail return an int status: LICSCAN_OK (0) or a
 *     negative LICSCAN_E* code. licscan_strerror() gives a static text per
 *     code; the handle a call was made on carries a detailed message.
 *   - Byte offsets (start/end) always refer to the caller's input bytes,
 *     whatever its encoding; end is exclusive. Each span also has its
 *     lines and columns (licscan_position, below).
 *   - Every *_free() function accepts NULL.
 *   - Strings returned as const char * are NUL-terminated UTF-8 and are
 *     borrowed: they stay valid as long as the object they came from.
 *   - The library keeps no global mutable state, never prints, and never
 *     aborts.
 */
#ifndef LICSCAN_H
#define LICSCAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(LICSCAN_STATIC)
#define LICSCAN_API
#elif defined(_WIN32)
#if defined(LICSCAN_BUILDING)
#define LICSCAN_API __declspec(dllexport)
#else
#define LICSCAN_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define LICSCAN_API __attribute__((visibility("default")))
#else
#define LICSCAN_API
#endif

/* ------------------------------------------------------------------ */
/* Versions                                                           */
/* ------------------------------------------------------------------ */

#define LICSCAN_VERSION_MAJOR 0
#define LICSCAN_VERSION_MINOR 3
#define LICSCAN_VERSION_PATCH 0
#define LICSCAN_VERSION_STRING "0.3.0"
/* MAJOR * 1000000 + MINOR * 1000 + PATCH */
#define LICSCAN_VERSION_NUMBER 3000

/* The library's own version, to compare with the macros above. */
LICSCAN_API uint32_t licscan_version_number(void);
LICSCAN_API const char *licscan_version_string(void);

/* ------------------------------------------------------------------ */
/* Status codes (only ever appended)                                  */
/* ------------------------------------------------------------------ */

#define LICSCAN_OK 0
#define LICSCAN_ENOMEM (-1)      /* an allocation failed */
#define LICSCAN_EINVAL (-2)      /* a bad argument (NULL handle, bad size) */
#define LICSCAN_EIO (-3)         /* a file or directory could not be read */
#define LICSCAN_EBINARY (-4)     /* input holds NUL bytes: not text */
#define LICSCAN_ETOOBIG (-5)     /* input or template over a size limit */
#define LICSCAN_ETEMPLATE (-6)   /* malformed template or metadata */
#define LICSCAN_ERULE (-7)       /* malformed clause rule */
#define LICSCAN_ELIMIT (-8)      /* not returned: see below */
#define LICSCAN_ENOTFOUND (-9)   /* no such license / item */
#define LICSCAN_EDUPLICATE (-10) /* not returned: see below */
#define LICSCAN_EINTERNAL (-11)  /* a bug: please report it */
#define LICSCAN_EFORMAT (-12)    /* not a valid compiled database file */
#define LICSCAN_ESTOPPED (-13)   /* a callback asked a walk to stop */
/* LICSCAN_ELIMIT and LICSCAN_EDUPLICATE keep their numbers but no function
 * of this library returns them: a scan that hits a match or effort limit
 * succeeds and says so in its input flags (LICSCAN_INPUT_SEARCH_LIMIT and
 * the others that licscan_warning_code() names), and a template or rule
 * whose id is already loaded replaces the older one. */

/* Static English text for a status code; never NULL. */
LICSCAN_API const char *licscan_strerror(int status);
/* The name of a status code as this header spells it ("LICSCAN_OK",
 * "LICSCAN_ENOMEM", ...), for bindings that map codes to their own names;
 * NULL for a code this library does not know. Static. */
LICSCAN_API const char *licscan_status_name(int status);

/* ------------------------------------------------------------------ */
/* Database                                                           */
/* ------------------------------------------------------------------ */

typedef struct licscan_db licscan_db;
typedef struct licscan_license licscan_license;

/* Options structs (licscan_db_options, licscan_scan_options).
 *
 * Fields are only ever appended, and the caller always says how large its
 * struct is, so that a program built against one version of this header
 * runs with an older or a newer library:
 *
 *     licscan_db_options o;
 *     licscan_db_options_init(&o, sizeof o);
 *     o.regex_match_limit = 100000;
 *     rc = licscan_db_open_default(&o, &db);
 *
 * *_options_init(opts, size) writes the library's defaults into the first
 * min(size, the library's sizeof) bytes of *opts and nothing past them,
 * and sets struct_size to that length: after it, a field that lies wholly
 * below struct_size is one the library knows (a program built against a
 * newer header can test that before it relies on a new field). It returns
 * LICSCAN_EINVAL, writing nothing, when opts is NULL or size is smaller
 * than the struct's first version.
 *
 * The functions that take options read only the fields wholly below
 * struct_size and give the others their defaults. A struct_size smaller
 * than the first version is LICSCAN_EINVAL. A struct_size larger than the
 * library's own struct (a newer header) is accepted when every byte past
 * the library's struct is zero: a field added later takes 0 as "the
 * default"; any other value there is LICSCAN_EINVAL, as the library could
 * not honour it. */

/* Allocator hook: every allocation a database, its scans and their
 * results make goes through these. realloc_fn may be NULL (malloc + copy +
 * free is then used). The functions are called from every thread that
 * uses the database: the one that opens, loads and frees it, each thread
 * that scans with it (several at once when scans run concurrently), and
 * the thread that frees or renders a result. A block may be freed on
 * another thread than the one that allocated it (the database keeps the
 * buffers of finished scans for the next ones). So the hook must be
 * thread-safe as soon as the database is shared. It must not call back
 * into licscan. */
typedef struct licscan_allocator {
    void *(*malloc_fn)(size_t size, void *user);
    void *(*realloc_fn)(void *ptr, size_t size, void *user);
    void (*free_fn)(void *ptr, void *user);
    void *user;
} licscan_allocator;

/* Options for opening a database (see "Options structs" above). */
typedef struct licscan_db_options {
    uint32_t struct_size;
    uint32_t reserved;
    const licscan_allocator *allocator; /* NULL: the C library's malloc */
    uint64_t max_template_bytes;        /* largest template accepted (1 MiB) */
    uint32_t max_optional_depth;        /* nesting of optional blocks (8) */
    uint32_t
        regex_match_limit; /* PCRE2 match limit, vars and rules (1000000) */
    uint32_t
        regex_heap_limit_kib; /* PCRE2 heap limit, vars and rules (20480) */
    uint32_t reserved2;
} licscan_db_options;

/* Defaults into the caller's struct of `size` bytes (sizeof of its
 * struct); LICSCAN_OK or LICSCAN_EINVAL. */
LICSCAN_API int licscan_db_options_init(licscan_db_options *opts, size_t size);

/* Open a database holding the embedded default set (no files are read).
 * opts may be NULL. On failure *out is NULL. */
LICSCAN_API int licscan_db_open_default(const licscan_db_options *opts,
                                        licscan_db **out);

/* Open an empty database, to be filled with licscan_db_load_*(). */
LICSCAN_API int licscan_db_open_empty(const licscan_db_options *opts,
                                      licscan_db **out);

LICSCAN_API void licscan_db_free(licscan_db *db);

/* Add one template from memory. id names the license; text is the template
 * in SPDX template markup; meta (may be NULL) is the metadata in the
 * licenses/<id>.meta format. source names the origin in error messages
 * (may be NULL). A template whose id is already loaded replaces the older
 * one for matching and lookups (the older one stays listed). On error the
 * database is unchanged and still usable. */
LICSCAN_API int licscan_db_add_template(licscan_db *db, const char *id,
                                        const char *text, size_t text_len,
                                        const char *meta, size_t meta_len,
                                        const char *source);

/* Add every *.template.txt in a directory (not recursive), each with its
 * <id>.meta when present, and every *.rules file (clause rules) in it and
 * in its subdirectory rules/. Files are loaded in name order. Stops at the
 * first malformed file, keeping those loaded before it; the database stays
 * usable. */
LICSCAN_API int licscan_db_load_dir(licscan_db *db, const char *path);

/* Compiled database files.
 *
 * licscan_db_save() writes everything the database holds (its templates
 * with their index, and its clause rules) to one file, which
 * licscan_db_open_file() opens by mapping it: a program that would load
 * a directory of templates on every run (the SPDX list: 50 to 130 ms)
 * opens the file in a few milliseconds instead. A database from the
 * embedded set with directories added saves them all; one opened from a
 * file scans exactly as the database it was saved from.
 *
 * The file is versioned and checked when it opens: its magic, format
 * version, byte order, size and checksum, then every offset, count and
 * index in it, so a wrong, truncated or damaged file is an error
 * (LICSCAN_EFORMAT), never a crash. It is specific to the format version
 * of this library (a library of another format version refuses it: compile
 * it again) and to the byte order of the machine that wrote it. It is
 * mapped read-only: replacing the file (licscan_db_save writes a new file
 * and renames it over the old one) is safe while it is open, but writing
 * into or truncating the file in place is not. */

/* Save db to path, replacing it atomically (a new file renamed over it).
 * LICSCAN_OK, LICSCAN_EIO (with licscan_db_errmsg()) or LICSCAN_ENOMEM.
 * Only reads db: do not add to it from another thread meanwhile. */
LICSCAN_API int licscan_db_save(licscan_db *db, const char *path);

/* Open a database from a file written by licscan_db_save(). opts may be
 * NULL; its limits and allocator apply as for licscan_db_open_default().
 * More templates and rules may be added to the database afterwards. On
 * failure *out is NULL and the status says why: LICSCAN_EIO (cannot open
 * or map the file), LICSCAN_EFORMAT (not a database file, another format
 * version, truncated, corrupted), LICSCAN_ENOMEM or LICSCAN_EINVAL;
 * licscan_db_file_error() gives the message. The open checks the whole
 * file but the words of its templates, each of which is checked the first
 * time a scan reads it: a scan that meets a damaged one fails with
 * LICSCAN_EFORMAT (and licscan_db_save() refuses to save the database). */
LICSCAN_API int licscan_db_open_file(const char *path,
                                     const licscan_db_options *opts,
                                     licscan_db **out);

/* Why licscan_db_open_file(path, opts, ...) fails, or a scan of the
 * database it gives does with LICSCAN_EFORMAT, as one line such as
 * "db.lsdb: truncated database file: 4096 bytes of 9142784" into msg
 * (cap bytes, NUL-terminated; "" when the whole file is sound). Returns
 * the status: that of the open, or LICSCAN_EFORMAT when a template's words
 * are damaged. Opens the file and checks every template to find out: call
 * it after a failure. */
LICSCAN_API int licscan_db_file_error(const char *path,
                                      const licscan_db_options *opts, char *msg,
                                      size_t cap);

/* Add clause rules from memory, in the format of the files in licenses/rules/
 * (README, "Clause rules"). source names the origin in error messages (may
 * be NULL). A rule whose id is already loaded replaces the older one. All
 * or nothing: on error (LICSCAN_ERULE, with file, line and column) no rule
 * of the text is added and the database is unchanged. */
LICSCAN_API int licscan_db_add_rules(licscan_db *db, const char *text,
                                     size_t len, const char *source);
/* Number of clause rules in the database. */
LICSCAN_API uint32_t licscan_db_rule_count(const licscan_db *db);

/* Detailed message of the last failed call on db ("" if none), and where
 * the error was found (file NULL when not about a file; line and column
 * are 1-based, 0 when unknown). Valid until the next call on db. */
LICSCAN_API const char *licscan_db_errmsg(const licscan_db *db);
LICSCAN_API int licscan_db_error_location(const licscan_db *db,
                                          const char **file, uint32_t *line,
                                          uint32_t *column);

/* Templates in the database, in load order. */
LICSCAN_API uint32_t licscan_db_license_count(const licscan_db *db);
LICSCAN_API const licscan_license *licscan_db_license(const licscan_db *db,
                                                      uint32_t index);

/* Find a license by any of its identifiers: template id, SPDX id (or
 * LicenseRef- id), Hugging Face tag or ScanCode key; ASCII case is
 * ignored. NULL when none. */
LICSCAN_API const licscan_license *licscan_db_lookup(const licscan_db *db,
                                                     const char *key);

/* License metadata. Strings are "" when the metadata does not say. */
LICSCAN_API const char *licscan_license_id(const licscan_license *lic);
LICSCAN_API const char *licscan_license_name(const licscan_license *lic);
LICSCAN_API const char *licscan_license_version(const licscan_license *lic);
LICSCAN_API const char *licscan_license_family(const licscan_license *lic);
LICSCAN_API const char *licscan_license_kind(const licscan_license *lic);
LICSCAN_API const char *licscan_license_url(const licscan_license *lic);
LICSCAN_API const char *licscan_license_spdx(const licscan_license *lic);
LICSCAN_API const char *licscan_license_hf_tag(const licscan_license *lic);
LICSCAN_API const char *licscan_license_scancode(const licscan_license *lic);
/* 1 when OSI-approved, else 0. */
LICSCAN_API int licscan_license_osi_approved(const licscan_license *lic);
/* 1 when the list's steward deprecated the id (SPDX: GPL-2.0+, eCos-2.0,
 * GPL-2.0-with-autoconf-exception), else 0. A deprecated license is found
 * by look-up and named by references, but texts match the current ids
 * (or the exception beside its license) in its place. Since 0.3. */
LICSCAN_API int licscan_license_deprecated(const licscan_license *lic);

/* ------------------------------------------------------------------ */
/* Scanning                                                           */
/* ------------------------------------------------------------------ */

typedef struct licscan_result licscan_result;
typedef struct licscan_match licscan_match;

#define LICSCAN_SCAN_NO_CLAUSES 0x1u /* skip restriction extraction */

/* Options for a scan (see "Options structs" above). */
typedef struct licscan_scan_options {
    uint32_t struct_size;
    uint32_t max_differences; /* differing runs kept per match (64) */
    uint64_t max_input_bytes; /* larger input is LICSCAN_ETOOBIG (64 MiB) */
    uint32_t flags;           /* LICSCAN_SCAN_* (0) */
    uint32_t max_evidence;    /* evidence spans kept per flag (32) */
} licscan_scan_options;

/* Defaults into the caller's struct of `size` bytes (sizeof of its
 * struct); LICSCAN_OK or LICSCAN_EINVAL. */
LICSCAN_API int licscan_scan_options_init(licscan_scan_options *opts,
                                          size_t size);

/* Scan len bytes. opts may be NULL. On success *out is a result the caller
 * frees. On failure *out is still a result when one could be made: it
 * records the status and message (licscan_result_status/_errmsg) so the
 * caller loses nothing; it is NULL only when memory ran out.
 * Thread-safe: any number of scans may share one database. The database
 * keeps the large buffers of finished scans for the next ones (up to
 * 16 MiB for each of 8 scans at once); licscan_db_free() releases them. */
LICSCAN_API int licscan_scan(const licscan_db *db, const void *data, size_t len,
                             const licscan_scan_options *opts,
                             licscan_result **out);

/* Whether the first bytes of a file already show that licscan_scan would
 * refuse it as binary (LICSCAN_EBINARY): a NUL byte, unless the bytes are
 * UTF-16 (with a byte-order mark, or without one as the decoder tells it).
 * Lets a caller stop reading a large binary file early. Returns 1 (and the
 * NUL's offset in *nul_offset, when not NULL) or 0. */
LICSCAN_API int licscan_sniff_binary(const void *data, size_t len,
                                     size_t *nul_offset);

LICSCAN_API void licscan_result_free(licscan_result *result);

/* Status of the scan (LICSCAN_OK or an error) and its detailed message. */
LICSCAN_API int licscan_result_status(const licscan_result *result);
LICSCAN_API const char *licscan_result_errmsg(const licscan_result *result);

/* How the input was decoded. */
#define LICSCAN_ENCODING_UTF8 0
#define LICSCAN_ENCODING_UTF16LE 1
#define LICSCAN_ENCODING_UTF16BE 2
/* UTF-8 with invalid bytes read as Latin-1 (see LICSCAN_INPUT_INVALID_UTF8) */
#define LICSCAN_ENCODING_UTF8_LATIN1 3
LICSCAN_API uint32_t licscan_result_encoding(const licscan_result *result);
LICSCAN_API const char *licscan_encoding_name(uint32_t encoding);

/* Facts about the input (bit mask). */
#define LICSCAN_INPUT_INVALID_UTF8 0x1u     /* bytes replaced via Latin-1 */
#define LICSCAN_INPUT_BOM 0x2u              /* began with a byte-order mark */
#define LICSCAN_INPUT_CRLF 0x4u             /* CRLF line ends seen */
#define LICSCAN_INPUT_EMPTY 0x8u            /* no words at all */
#define LICSCAN_INPUT_INVALID_UTF16 0x10u   /* lone surrogates replaced */
#define LICSCAN_INPUT_TRUNCATED_DIFFS 0x20u /* a match hit max_differences */
#define LICSCAN_INPUT_SEARCH_LIMIT                                             \
    0x40u /* candidate search stopped early:
                                            later text was not searched */
#define LICSCAN_INPUT_RULE_LIMIT                                               \
    0x80u /* a clause rule hit its PCRE2 limit:
                                          that rule skipped that clause */
#define LICSCAN_INPUT_TRUNCATED_EVIDENCE 0x100u /* a flag hit max_evidence */
#define LICSCAN_INPUT_VAR_LIMIT                                                \
    0x200u /* a template var's pattern hit its
                                         PCRE2 limit: read as not matching */
LICSCAN_API uint32_t licscan_result_input_flags(const licscan_result *result);
/* The name of one input flag (a single LICSCAN_INPUT_* bit) as the JSON's
 * "input" member spells it: "invalid-utf8", "bom", "crlf", "empty",
 * "invalid-utf16", "differences-truncated", "search-limit", "rule-limit",
 * "evidence-truncated", "var-limit"; NULL when flag is not exactly one bit
 * this library knows. Bindings can list the flags by asking for each of
 * the 32 bits. Static. */
LICSCAN_API const char *licscan_input_flag_name(uint32_t flag);
/* The input flags that say a scan hit a limit are also warnings (the
 * JSON's "warnings" member): the result stands, but may miss something a
 * scan without the limit would have found. The warning's code (the same
 * spelling as licscan_input_flag_name) and its English message, both
 * static; NULL when flag is not one bit that is a warning. */
LICSCAN_API const char *licscan_warning_code(uint32_t flag);
LICSCAN_API const char *licscan_warning_message(uint32_t flag);

/* SPDX license expression of the text matches (exact and near) joined by
 * AND, e.g. "Apache-2.0 AND MIT"; "" when none. */
LICSCAN_API const char *licscan_result_spdx(const licscan_result *result);

/* Where a span lies as lines and columns, for people and editors. Both
 * count from 1. Lines end at LF, at CR LF and at a CR alone. A column
 * counts Unicode code points (characters) from the start of the line in
 * the text as decoded: a UTF-8 sequence, a UTF-16 surrogate pair, or a
 * byte read as Latin-1 is one column, a tab is one column, and a
 * byte-order mark is none. line and col are where the span's first
 * character is; end_line and end_col where its last character is (the
 * character holding byte end - 1; a span of one character has end_col ==
 * col), and the same as line and col for an empty span (a deletion). The
 * library JSON gives these four members beside every start and end. */
typedef struct licscan_position {
    uint32_t line, col;
    uint32_t end_line, end_col;
} licscan_position;

/* Matches, ordered by start offset. */
LICSCAN_API uint32_t licscan_result_match_count(const licscan_result *result);
LICSCAN_API const licscan_match *licscan_result_match(
    const licscan_result *result, uint32_t index);

#define LICSCAN_KIND_EXACT 0     /* all required words; diffs only in vars */
#define LICSCAN_KIND_NEAR 1      /* coverage >= 0.90 */
#define LICSCAN_KIND_PARTIAL 2   /* a recognizable fragment */
#define LICSCAN_KIND_REFERENCE 3 /* text only names the license */
LICSCAN_API const char *licscan_kind_name(uint32_t kind);

LICSCAN_API const licscan_license *licscan_match_license(
    const licscan_match *m);
/* For a license with terms added in the same document (a paragraph that
 * sets restriction flags outside every match, in a file the match is most
 * of): the SPDX id the match stands for instead of the plain license,
 * LicenseRef-<id>-modified; NULL otherwise. Such a match is near at best
 * and lists the added flags in its flag changes. */
LICSCAN_API const char *licscan_match_modified(const licscan_match *m);
LICSCAN_API uint32_t licscan_match_kind(const licscan_match *m);
/* Share of the template's required words found, 0..1 (0 for references). */
LICSCAN_API double licscan_match_coverage(const licscan_match *m);
/* Byte span of the matched region in the input. */
LICSCAN_API uint64_t licscan_match_start(const licscan_match *m);
LICSCAN_API uint64_t licscan_match_end(const licscan_match *m);
/* Lines and columns of the matched region; LICSCAN_OK or LICSCAN_EINVAL. */
LICSCAN_API int licscan_match_position(const licscan_match *m,
                                       licscan_position *out);
/* Words of the template matched, and input words not explained by it. */
LICSCAN_API uint32_t licscan_match_matched_words(const licscan_match *m);
LICSCAN_API uint32_t licscan_match_extra_words(const licscan_match *m);

/* The closest other template over the same region, when close; NULL when
 * there is none. */
LICSCAN_API const licscan_license *licscan_match_runner_up(
    const licscan_match *m, double *coverage);
/* How alike the runner-up's match is to the input, 0 to 1: the words both
 * share, of all the words either has there (input words it leaves
 * unexplained and its own words missing both count against it). Unlike
 * coverage it is symmetric: a shorter version held whole inside the text
 * has coverage 1 but similarity below 1. 0 when there is no runner-up. */
LICSCAN_API double licscan_match_runner_up_similarity(const licscan_match *m);

/* Differing runs between input and template, in input order. */
#define LICSCAN_DIFF_INSERTED 0 /* input words not in the template */
#define LICSCAN_DIFF_DELETED 1  /* template words missing from the input */
#define LICSCAN_DIFF_REPLACED 2 /* both */
#define LICSCAN_DIFF_VARIABLE 3 /* input at a var does not match its pattern */
LICSCAN_API uint32_t licscan_match_diff_count(const licscan_match *m);
/* Fills the fields of difference `index`. For a deletion, the input span is
 * empty at the place the words are missing. template_text is the template
 * wording involved ("" for an insertion), borrowed from the result. Any out
 * pointer may be NULL. */
LICSCAN_API int licscan_match_diff(const licscan_match *m, uint32_t index,
                                   uint32_t *op, uint64_t *input_start,
                                   uint64_t *input_end,
                                   const char **template_text);
LICSCAN_API const char *licscan_diff_op_name(uint32_t op);
/* Lines and columns of difference `index`'s input span; LICSCAN_OK, or
 * LICSCAN_ENOTFOUND for an index out of range (as licscan_match_diff). */
LICSCAN_API int licscan_match_diff_position(const licscan_match *m,
                                            uint32_t index,
                                            licscan_position *out);

/* ------------------------------------------------------------------ */
/* Restrictions and openness                                          */
/* ------------------------------------------------------------------ */

/* Restriction flags found by the clause rules (README, "Restriction
 * flags", gives each flag's meaning and value). Only ever appended. */
#define LICSCAN_FLAG_MAU_THRESHOLD 0
#define LICSCAN_FLAG_REVENUE_THRESHOLD 1
#define LICSCAN_FLAG_ACCEPTABLE_USE_POLICY 2
#define LICSCAN_FLAG_USE_RESTRICTIONS 3
#define LICSCAN_FLAG_OUTPUT_TRAINING_BAN 4
#define LICSCAN_FLAG_BRANDING 5
#define LICSCAN_FLAG_NAME_PREFIX 6
#define LICSCAN_FLAG_NOTICE_TEXT 7
#define LICSCAN_FLAG_FLOW_DOWN 8
#define LICSCAN_FLAG_NON_COMMERCIAL 9
#define LICSCAN_FLAG_FIELD_OF_USE 10
#define LICSCAN_FLAG_TERRITORY_EXCLUSION 11
#define LICSCAN_FLAG_REMOTE_RESTRICTION 12
#define LICSCAN_FLAG_LICENSE_UPDATES 13
#define LICSCAN_FLAG_ATTRIBUTION 14
#define LICSCAN_FLAG_PATENT_GRANT 15
#define LICSCAN_FLAG_PATENT_TERMINATION 16
#define LICSCAN_FLAG_COPYLEFT 17
#define LICSCAN_FLAG_GOVERNING_LAW 18
#define LICSCAN_FLAG_TERMINATION 19
#define LICSCAN_FLAG_NO_DERIVATIVES 20
#define LICSCAN_FLAG_NO_REDISTRIBUTION 21

/* How a flag's value is held. */
#define LICSCAN_VALUE_BOOL 0   /* present means true */
#define LICSCAN_VALUE_NUMBER 1 /* number; qualifier: unit (currency) */
#define LICSCAN_VALUE_TEXT 2   /* text; qualifier: exception, or "" */
#define LICSCAN_VALUE_LIST 3   /* items */

/* Number of flags this library knows (flags run 0..count-1). */
LICSCAN_API uint32_t licscan_flag_count(void);
/* Name of a flag as in JSON ("mau_threshold"); NULL when out of range. */
LICSCAN_API const char *licscan_flag_name(uint32_t flag);
LICSCAN_API uint32_t licscan_flag_value_type(uint32_t flag);
/* Flag number for a name, or LICSCAN_ENOTFOUND. */
LICSCAN_API int licscan_flag_lookup(const char *name);

typedef struct licscan_restriction licscan_restriction;

/* Flags the text sets, in flag order. */
LICSCAN_API uint32_t
licscan_result_restriction_count(const licscan_result *result);
LICSCAN_API const licscan_restriction *licscan_result_restriction(
    const licscan_result *result, uint32_t index);
/* The restriction for one flag; NULL when the text does not set it. */
LICSCAN_API const licscan_restriction *licscan_result_find_restriction(
    const licscan_result *result, uint32_t flag);

LICSCAN_API uint32_t licscan_restriction_flag(const licscan_restriction *x);
/* Number value (LICSCAN_VALUE_NUMBER); 0 otherwise. */
LICSCAN_API int64_t licscan_restriction_number(const licscan_restriction *x);
/* Text value (LICSCAN_VALUE_TEXT); "" otherwise or when none was read. */
LICSCAN_API const char *licscan_restriction_text(const licscan_restriction *x);
/* Unit of a number, exception of a text; "" when none. */
LICSCAN_API const char *licscan_restriction_qualifier(
    const licscan_restriction *x);
/* Items (LICSCAN_VALUE_LIST), without duplicates, in order found. */
LICSCAN_API uint32_t
licscan_restriction_item_count(const licscan_restriction *x);
LICSCAN_API const char *licscan_restriction_item(const licscan_restriction *x,
                                                 uint32_t index);
/* Clauses that set the flag: byte span in the input; the clause's text as
 * the rules read it (whitespace collapsed, typographic quotes and dashes
 * made ASCII, comment and Markdown markers removed, a block quoted after
 * its lead-in, a table row read with its column headers), so it is not
 * always the input's bytes; its section label ("1.b.v", or ""); and the id
 * of the rule that fired. Any out pointer may be NULL. */
LICSCAN_API uint32_t
licscan_restriction_evidence_count(const licscan_restriction *x);
LICSCAN_API int licscan_restriction_evidence(const licscan_restriction *x,
                                             uint32_t index, uint64_t *start,
                                             uint64_t *end, const char **text,
                                             const char **label,
                                             const char **rule);
/* Lines and columns of evidence clause `index`; LICSCAN_OK, or
 * LICSCAN_EINVAL for an index out of range (as licscan_restriction_evidence). */
LICSCAN_API int licscan_restriction_evidence_position(
    const licscan_restriction *x, uint32_t index, licscan_position *out);

/* What a threshold (mau_threshold, revenue_threshold) measures, per what
 * period, and what crossing it does. */
#define LICSCAN_MEASURE_UNKNOWN 0
#define LICSCAN_MEASURE_MONTHLY_ACTIVE_USERS 1
#define LICSCAN_MEASURE_DAILY_ACTIVE_USERS 2
#define LICSCAN_MEASURE_USERS 3
#define LICSCAN_MEASURE_VISITS 4
#define LICSCAN_MEASURE_REVENUE 5
#define LICSCAN_PERIOD_UNKNOWN 0
#define LICSCAN_PERIOD_DAY 1
#define LICSCAN_PERIOD_MONTH 2
#define LICSCAN_PERIOD_YEAR 3
#define LICSCAN_CONSEQUENCE_UNKNOWN 0
#define LICSCAN_CONSEQUENCE_LICENSE_REQUIRED                                   \
    1                              /* another license from the licensor */
#define LICSCAN_CONSEQUENCE_DUTY 2 /* a duty starts (display, notice) */
#define LICSCAN_CONSEQUENCE_FEE 3  /* a fee or royalty is due */
typedef struct licscan_threshold {
    size_t struct_size;   /* set by licscan_restriction_threshold */
    uint32_t measure;     /* LICSCAN_MEASURE_* */
    int64_t amount;       /* e.g. 700000000, or 20000000 (revenue) */
    const char *currency; /* "USD", ... or "" */
    uint32_t period;      /* LICSCAN_PERIOD_* */
    const char
        *period_text; /* as written: "in the preceding calendar month", or "" */
    uint32_t consequence; /* LICSCAN_CONSEQUENCE_* */
    const char *
        consequence_flags; /* for DUTY: comma-separated flag names the duty is ("branding"), or "" */
} licscan_threshold;
/* The threshold read for restriction x (size = sizeof of the caller's struct,
 * written up to that size); LICSCAN_OK, LICSCAN_ENOTFOUND when x is no threshold, LICSCAN_EINVAL. */
LICSCAN_API int licscan_restriction_threshold(const licscan_restriction *x,
                                              licscan_threshold *out,
                                              size_t size);
/* The scope the text limits restriction x to, as written ("multimodal models",
 * "models that compete with ...", "commercial products"), or "" when none. */
LICSCAN_API const char *licscan_restriction_scope(const licscan_restriction *x);

/* The OSI freedoms, and the openness categories judged from the flags. */
#define LICSCAN_FREEDOM_USE 0
#define LICSCAN_FREEDOM_STUDY 1
#define LICSCAN_FREEDOM_MODIFY 2
#define LICSCAN_FREEDOM_SHARE 3
#define LICSCAN_FREEDOM_COUNT 4 /* this header's; see licscan_freedom_count */

#define LICSCAN_OPENNESS_UNKNOWN 0 /* no license text and no flags */
#define LICSCAN_OPENNESS_OPEN_SOURCE 1
#define LICSCAN_OPENNESS_OPEN_WEIGHT_RESTRICTED 2
#define LICSCAN_OPENNESS_NON_COMMERCIAL 3
#define LICSCAN_OPENNESS_PROPRIETARY 4

LICSCAN_API uint32_t licscan_result_openness(const licscan_result *result);
LICSCAN_API const char *licscan_openness_name(uint32_t category);
/* Freedoms the library judges (0 .. count-1): bindings ask this rather
 * than trust a header they were written against. */
LICSCAN_API uint32_t licscan_freedom_count(void);
LICSCAN_API const char *licscan_freedom_name(uint32_t freedom);
/* 1 when the freedom holds, 0 when a flag breaks it (then *broken_by, when
 * not NULL, gets the mask of (1 << flag) of the flags that do), or a
 * negative status for a bad argument. */
LICSCAN_API int licscan_result_freedom(const licscan_result *result,
                                       uint32_t freedom, uint64_t *broken_by);

/* Flags a near or partial match's differences add or remove: flags set by
 * clauses inside inserted or replaced input (added), and flags the
 * template's deleted or replaced wording would set (removed). */
LICSCAN_API uint32_t licscan_match_flag_change_count(const licscan_match *m);
/* *added is 1 for an added flag, 0 for a removed one; the span is the
 * input clause (added) or the place of the deletion (removed). */
LICSCAN_API int licscan_match_flag_change(const licscan_match *m,
                                          uint32_t index, uint32_t *flag,
                                          int *added, uint64_t *start,
                                          uint64_t *end);
/* Lines and columns of flag change `index`'s span; LICSCAN_OK, or
 * LICSCAN_EINVAL for an index out of range (as licscan_match_flag_change). */
LICSCAN_API int licscan_match_flag_change_position(const licscan_match *m,
                                                   uint32_t index,
                                                   licscan_position *out);

/* ------------------------------------------------------------------ */
/* Rendering                                                          */
/* ------------------------------------------------------------------ */

#define LICSCAN_JSON_DIFFS 0x1u /* include the differences of each match */

/* Render the result as one line of JSON (no trailing newline). The text
 * belongs to the result: it stays valid until the result is freed or
 * rendered again. file, when not NULL, is written as the "file" member.
 *
 * Threads: rendering is the one call that writes to a result (it keeps
 * the text in it). Every other function that takes a result, a match or
 * a restriction only reads it, and any number of threads may call them at
 * once; but a result must not be rendered from two threads at once, and
 * the text of one rendering must not be read while another thread renders
 * the same result again. */
LICSCAN_API int licscan_result_json(licscan_result *result, const char *file,
                                    uint32_t flags, const char **json,
                                    size_t *json_len);

/* Escape n bytes of s as the inside of a JSON string (the quotes are not
 * written), exactly as the library's JSON does: '"' and '\\' are
 * backslashed; newline, tab and carriage return are written \n, \t and
 * \r; the other bytes below 0x20 (NUL included) \u00XX with lower-case
 * hex; a valid UTF-8 sequence is copied, and each byte that does not begin
 * one is written \ufffd (U+FFFD), so the text is always valid JSON; every
 * other byte, 0x7F included, is copied.
 *
 * Writes at most cap bytes to out, always NUL-terminated when cap > 0,
 * and never a part of one escape. Returns the length of the whole escaped
 * text (without the NUL): the output is complete when the return value is
 * less than cap. out may be NULL when cap is 0 (to measure). The output
 * takes at most 6 * n + 1 bytes. Thread-safe; allocates nothing. */
LICSCAN_API size_t licscan_json_escape(const char *s, size_t n, char *out,
                                       size_t cap);


/* ------------------------------------------------------------------ */
/* Files and directory trees, scanned on a pool of threads            */
/* ------------------------------------------------------------------ */

/* Reads the whole file at path, of at most limit bytes, into *data (a
 * block the caller frees with licscan_data_free; *data is NULL when len
 * is 0). A regular file over the limit is refused by its size before any
 * read. With LICSCAN_READ_STREAM a FIFO, pipe or terminal is read too (a
 * FIFO opened as cat would: it waits for a writer) and "-" is standard
 * input; without it anything but a regular file is refused. With
 * LICSCAN_READ_CHECK_BINARY a file whose first 64 KiB show it binary
 * (licscan_sniff_binary) is refused without reading the rest.
 * LICSCAN_OK, or LICSCAN_EIO, LICSCAN_EBINARY, LICSCAN_ETOOBIG,
 * LICSCAN_ENOMEM or LICSCAN_EINVAL with a one-line message in err (errlen
 * bytes, NUL-terminated; err may be NULL when errlen is 0) and, when
 * os_error is not NULL, the errno value behind an EIO (0 otherwise).
 * Allocates with the C library's malloc; thread-safe. */
#define LICSCAN_READ_STREAM 0x1u
#define LICSCAN_READ_CHECK_BINARY 0x2u
LICSCAN_API int licscan_read_file(const char *path, uint32_t flags,
                                  uint64_t limit, void **data, size_t *len,
                                  char *err, size_t errlen, int *os_error);
LICSCAN_API void licscan_data_free(void *data);

/* licscan_scan_paths() lists the files under each path, then scans them
 * on a pool of threads sharing one database, and hands each file to a
 * callback in the order of the list, whatever the number of threads.
 *
 * The list: each path is walked in turn. A regular file is itself; a
 * directory is walked in name order (bytes of the name, strcmp), `.git`
 * skipped, at most max_depth levels deep. A symbolic link named in paths
 * is followed. Inside a walked tree, by default, a link is followed only
 * to a regular file whose real path lies inside the tree (the real path
 * of the path given, or the repository directory when that path is in a
 * Hugging Face cache's .../models--ORG--NAME/snapshots/, whose files are
 * links to ../../blobs/); a dangling link is left out. With
 * LICSCAN_WALK_FOLLOW every link is followed, to files and directories,
 * and a dangling one is reported. A directory that contains itself (a
 * link back to an ancestor, a bind mount) and a symbolic link loop are
 * reported, not followed. A FIFO, socket or device met in a tree is
 * reported, not opened; a FIFO or pipe named in paths is read
 * (LICSCAN_READ_STREAM), and with LICSCAN_WALK_STDIN "-" is standard
 * input. A file is scanned by the rules of licscan_read_file with
 * LICSCAN_READ_CHECK_BINARY: over the scan options' max_input_bytes it is
 * not read, and binary it is not read past its first block.
 *
 * What a callback is given for one file of the list. Everything in it is
 * borrowed from the walk and valid until on_file returns for this file;
 * report is the callers'. on_file may take result over by setting it to
 * NULL (then freeing it with licscan_result_free, or handing it to a
 * model). */
typedef struct licscan_walk_file {
    size_t struct_size;   /* the library's sizeof: later fields below it */
    const char *path;     /* the path given, joined with "/" and names */
    uint64_t index;       /* its place in the list, from 0 */
    int walked;           /* 1: met inside a directory; 0: a path given */
    int status;           /* LICSCAN_OK when scanned; else why not: EIO
                             (cannot be read, not a regular file, a loop),
                             EBINARY, ETOOBIG, ENOMEM, or the scan's own
                             failure */
    const char *message;  /* "" with LICSCAN_OK, else one line saying why */
    int os_error;         /* the errno value behind an EIO, or 0 */
    licscan_result *result; /* the scan (with its own status when the scan
                               failed); NULL when the file was not scanned */
    const void *data;     /* the bytes scanned (NULL when not read) */
    size_t len;
    void *report;         /* NULL; on_scanned may leave something here for
                             on_file (a rendered report) */
    int stopping;         /* 1: the walk is stopping; the file is handed to
                             on_file only so that report can be released,
                             and what on_file returns is ignored */
} licscan_walk_file;

/* Called in list order on the thread that called licscan_scan_paths, one
 * file at a time. Return 0 to go on; any other value stops the walk:
 * no file is scanned after that, and licscan_scan_paths returns
 * LICSCAN_ESTOPPED once the files in flight are finished. */
typedef int (*licscan_walk_fn)(licscan_walk_file *file, void *user);

#define LICSCAN_WALK_FOLLOW 0x1u    /* follow every symbolic link */
#define LICSCAN_WALK_STDIN 0x2u     /* a path "-" is standard input */
#define LICSCAN_WALK_LIST_ONLY 0x4u /* list, do not read or scan: each file
                                       comes with status LICSCAN_OK (or the
                                       walk's reason) and no result */

/* Options for licscan_scan_paths (see "Options structs" above). */
typedef struct licscan_walk_options {
    uint32_t struct_size;
    uint32_t flags;     /* LICSCAN_WALK_* (0) */
    uint32_t jobs;      /* scanning threads; 0: one per online CPU (0) */
    uint32_t max_depth; /* directory levels below a path (64) */
    const licscan_scan_options *scan; /* NULL: the scan defaults (NULL) */
    /* Optional (NULL): called on the scanning thread right after a file
     * is scanned (or found unreadable), before it waits for its turn:
     * work that can run in parallel (rendering a report into
     * file->report) belongs here. Called concurrently from several
     * threads, in any order; it must not call licscan_scan_paths. Every
     * file it is given is later given to on_file, stopping or not. */
    void (*on_scanned)(licscan_walk_file *file, void *user);
    /* Optional (NULL): called on the calling thread with the number of
     * files found so far and total 0 while listing, then with files
     * handed to on_file and the total after each, and every 100 ms while
     * a slow file is awaited: enough to draw a progress line. */
    void (*progress)(uint64_t done, uint64_t total, void *user);
} licscan_walk_options;

/* Defaults into the caller's struct of `size` bytes; LICSCAN_OK or
 * LICSCAN_EINVAL. */
LICSCAN_API int licscan_walk_options_init(licscan_walk_options *opts,
                                          size_t size);

/* Walks and scans paths[0..npaths) as above, calling on_file for every
 * file of the list. A path that does not exist or cannot be read is a
 * file of the list with its status (EIO), not a failure of the call.
 * Returns LICSCAN_OK when every file was handed to on_file,
 * LICSCAN_ESTOPPED when on_file stopped the walk, LICSCAN_ENOMEM when the
 * list could not be made (then no callback was called), LICSCAN_EINVAL
 * for a bad argument (db may be NULL only with LICSCAN_WALK_LIST_ONLY).
 * db is only read: several walks may share it, with other scans. When
 * threads cannot be started, the files are scanned on the calling
 * thread. Memory comes from db's allocator (the files' bytes from
 * malloc). */
LICSCAN_API int licscan_scan_paths(const licscan_db *db,
                                   const char *const *paths, size_t npaths,
                                   const licscan_walk_options *opts,
                                   licscan_walk_fn on_file, void *user);

/* ------------------------------------------------------------------ */
/* What binds me: models, facts about the user, and verdicts          */
/* ------------------------------------------------------------------ */

/* A model is the set of files that say which terms bind it: its license
 * texts, use policy, NOTICE and model card (and, when the card names a
 * base model, the base's terms, which it inherits). A verdict judges a
 * model, or a single result, against facts about the user: how many
 * monthly active users, how much revenue, where, and for what. It is a
 * pure function of the scans and the facts; it allocates through the
 * database's (or the result's) allocator and never prints. */

/* The role a file plays in a model, from its name. */
#define LICSCAN_ROLE_NONE 0    /* not a license file: a check skips it */
#define LICSCAN_ROLE_LICENSE 1 /* LICENSE*, COPYING*: weights and code */
#define LICSCAN_ROLE_WEIGHTS 2 /* LICENSE-MODEL, MODEL_LICENSE*, ..._WEIGHTS */
#define LICSCAN_ROLE_CODE 3    /* LICENSE-CODE, CODE_LICENSE* */
#define LICSCAN_ROLE_POLICY 4  /* *USE_POLICY*, acceptable / prohibited use */
#define LICSCAN_ROLE_NOTICE 5  /* NOTICE* */
#define LICSCAN_ROLE_CARD 6    /* README.md: the model card */
/* The role a file name (the last path component is read) gives, and the
 * role's name ("license", "weights", "code", "policy", "notice", "card",
 * "none"; NULL when out of range). Static. */
LICSCAN_API uint32_t licscan_file_role(const char *name);
LICSCAN_API const char *licscan_role_name(uint32_t role);

/* Intended uses (bit mask). */
#define LICSCAN_USE_COMMERCIAL 0x1u
#define LICSCAN_USE_HOSTED_SERVICE 0x2u
#define LICSCAN_USE_DISTRIBUTE_WEIGHTS 0x4u
#define LICSCAN_USE_MODIFY 0x8u
#define LICSCAN_USE_TRAIN_OTHER_MODELS 0x10u
#define LICSCAN_USE_RESEARCH 0x20u
#define LICSCAN_USE_MILITARY 0x40u
/* "commercial", "hosted-service", "distribute-weights", "modify",
 * "train-other-models", "research", "military" for one bit (NULL
 * otherwise); the bit for a name, or LICSCAN_ENOTFOUND. */
LICSCAN_API const char *licscan_use_name(uint32_t use);
LICSCAN_API int licscan_use_lookup(const char *name);

/* The model's modality, where a term's scope depends on it. */
#define LICSCAN_MODALITY_UNKNOWN 0
#define LICSCAN_MODALITY_TEXT 1
#define LICSCAN_MODALITY_MULTIMODAL 2 /* images, audio or video as well */
/* "unknown", "text", "multimodal"; NULL out of range. Lookup: the value,
 * or LICSCAN_ENOTFOUND. */
LICSCAN_API const char *licscan_modality_name(uint32_t modality);
LICSCAN_API int licscan_modality_lookup(const char *name);

/* A revenue figure's period is one of the LICSCAN_PERIOD_* a threshold
 * uses (above). */

/* Facts about the user (an options struct: see "Options structs" above;
 * licscan_facts_init gives "nothing known"). Strings are borrowed for the
 * duration of the evaluating call only. */
typedef struct licscan_facts {
    uint32_t struct_size;
    uint32_t uses;            /* LICSCAN_USE_* mask; 0: not stated (every
                                 duty is listed, no use exclusion tested) */
    int64_t mau;              /* monthly active users; -1: not given */
    int64_t revenue;          /* revenue, whole currency units; -1: not given */
    uint32_t revenue_period;  /* LICSCAN_PERIOD_* (UNKNOWN: a year) */
    char revenue_currency[8]; /* ISO 4217 code, NUL-terminated; "": USD */
    uint32_t modality;        /* LICSCAN_MODALITY_* */
    /* Where the user operates or is established: ISO 3166-1 alpha-2 codes
     * separated by commas or spaces ("DE,US"); an EU member counts as the
     * EU, and "EU" names it. NULL or "": not given. */
    const char *regions;
    /* License ids (any identifier licscan_db_lookup takes) or flag names,
     * separated by commas or spaces. A denied license or flag the model
     * has makes it forbidden. When allow names licenses, a license of the
     * model that it does not name makes it forbidden; a flag it names is
     * accepted: that flag's terms make the verdict no worse than
     * allowed-with-duties. NULL or "": none. */
    const char *allow;
    const char *deny;
} licscan_facts;

/* Defaults into the caller's struct of `size` bytes; LICSCAN_OK or
 * LICSCAN_EINVAL. */
LICSCAN_API int licscan_facts_init(licscan_facts *facts, size_t size);

/* Verdicts. needs-license: a threshold or scope asks for another license
 * from the licensor; forbidden: a territory or use exclusion applies;
 * unknown: no license found, terms licscan cannot read, or a fact they
 * depend on not given. */
#define LICSCAN_VERDICT_ALLOWED 0
#define LICSCAN_VERDICT_ALLOWED_WITH_DUTIES 1
#define LICSCAN_VERDICT_NEEDS_LICENSE 2
#define LICSCAN_VERDICT_FORBIDDEN 3
#define LICSCAN_VERDICT_UNKNOWN 4
/* "allowed", "allowed-with-duties", "needs-license", "forbidden",
 * "unknown"; NULL out of range. */
LICSCAN_API const char *licscan_verdict_name(uint32_t verdict);

typedef struct licscan_model licscan_model;
typedef struct licscan_verdict licscan_verdict;
typedef struct licscan_reason licscan_reason;

/* A new, empty model named `name` (as reports show it: "ORG/NAME" for a
 * Hugging Face repository); path (may be NULL) is where it was found.
 * db must outlive the model (it resolves declared and inherited license
 * ids and reads their terms). */
LICSCAN_API int licscan_model_new(const licscan_db *db, const char *name,
                                  const char *path, licscan_model **out);
LICSCAN_API void licscan_model_free(licscan_model *model);
/* Adds the scan of one of the model's files (role: LICSCAN_ROLE_*; file
 * names it in reports). The model takes result over and frees it, also
 * when the call fails. data and len (data may be NULL) are the bytes
 * scanned: in a card, the sentence around a license it names says whether
 * it covers the weights or the code. A card's result counts for its
 * license texts and references only, not for clauses found in its
 * prose. */
LICSCAN_API int licscan_model_add_result(licscan_model *model,
                                         const char *file, uint32_t role,
                                         licscan_result *result,
                                         const void *data, size_t len);
/* The same for a file of a base model the card names (base: its id as
 * the card gives it, e.g. "meta-llama/Llama-3.1-8B"), found with its
 * files (the same cache): its terms are inherited. */
LICSCAN_API int licscan_model_add_base_result(licscan_model *model,
                                              const char *base,
                                              const char *file, uint32_t role,
                                              licscan_result *result);
/* A file of the model that could not be read or scanned: reported, and
 * it makes the verdict no better than unknown when its role is a
 * license's. */
LICSCAN_API int licscan_model_add_error(licscan_model *model, const char *file,
                                        uint32_t role, const char *message);
/* A field of the card's front matter: "license", "license_name",
 * "license_link" (the last one given counts) or "base_model" (each call
 * adds one). LICSCAN_ENOTFOUND for another key. licscan_model_add_result
 * reads these four from a card's front matter itself (a field already
 * set is kept); a caller with a full YAML parser may set them too. */
LICSCAN_API int licscan_model_set_card_field(licscan_model *model,
                                             const char *key,
                                             const char *value, size_t len);

/* The base models the card names (its front matter, read when a card's
 * result is added with its bytes, or licscan_model_set_card_field), in
 * order; NULL out of range. Borrowed from the model. */
LICSCAN_API uint32_t licscan_model_base_count(const licscan_model *model);
LICSCAN_API const char *licscan_model_base(const licscan_model *model,
                                           uint32_t index);

/* Judges the model against facts (NULL: nothing known). The verdict is
 * the caller's, to free with licscan_verdict_free; it copies what it
 * needs and outlives the model. On failure *out is NULL. */
LICSCAN_API int licscan_model_evaluate(const licscan_model *model,
                                       const licscan_facts *facts,
                                       licscan_verdict **out);
/* The same for one scanned text, a model of one file (role license). */
LICSCAN_API int licscan_result_evaluate(const licscan_result *result,
                                        const licscan_facts *facts,
                                        licscan_verdict **out);
LICSCAN_API void licscan_verdict_free(licscan_verdict *verdict);

/* The verdict: the worst outcome of its reasons, where unknown is worse
 * than allowed-with-duties and better than needs-license. */
LICSCAN_API uint32_t licscan_verdict_value(const licscan_verdict *verdict);
LICSCAN_API const char *licscan_verdict_model(const licscan_verdict *verdict);
/* Conflicts between the model's sources (a card's license that drops its
 * base's terms, a name without the prefix the base asks for, a card that
 * disagrees with the license files): reasons of kind conflict. A check
 * fails on one whatever the verdict. */
LICSCAN_API uint32_t
licscan_verdict_conflict_count(const licscan_verdict *verdict);

/* The license ids found, by part: weights, code, use policies, what the
 * card declares, and the terms inherited from a base model. */
#define LICSCAN_PART_WEIGHTS 0
#define LICSCAN_PART_CODE 1
#define LICSCAN_PART_POLICY 2
#define LICSCAN_PART_DECLARED 3
#define LICSCAN_PART_INHERITED 4
LICSCAN_API uint32_t licscan_verdict_license_count(
    const licscan_verdict *verdict, uint32_t part);
LICSCAN_API const char *licscan_verdict_license(const licscan_verdict *verdict,
                                                uint32_t part, uint32_t index);

/* Reasons, in the order of the model's files, each a clause with its
 * evidence where it has one. */
#define LICSCAN_REASON_DUTY 0      /* something to do: display, notice... */
#define LICSCAN_REASON_THRESHOLD 1 /* users, revenue */
#define LICSCAN_REASON_TERRITORY 2 /* excluded places */
#define LICSCAN_REASON_USE 3       /* excluded uses */
#define LICSCAN_REASON_CONFLICT 4  /* sources disagree */
#define LICSCAN_REASON_POLICY 5    /* --allow / --deny */
#define LICSCAN_REASON_LICENSE 6   /* no license, terms not read */
LICSCAN_API const char *licscan_reason_kind_name(uint32_t kind);
LICSCAN_API uint32_t
licscan_verdict_reason_count(const licscan_verdict *verdict);
LICSCAN_API const licscan_reason *licscan_verdict_reason(
    const licscan_verdict *verdict, uint32_t index);
LICSCAN_API uint32_t licscan_reason_kind(const licscan_reason *reason);
/* The verdict this reason alone gives (LICSCAN_VERDICT_*). */
LICSCAN_API uint32_t licscan_reason_outcome(const licscan_reason *reason);
/* A short stable code ("built-with", "name-prefix", "notice",
 * "notice-text", "flow-down", "use-policy", "mau", "revenue",
 * "territory", ...), and an English sentence. */
LICSCAN_API const char *licscan_reason_code(const licscan_reason *reason);
LICSCAN_API const char *licscan_reason_message(const licscan_reason *reason);
/* The flag the clause sets, or -1. */
LICSCAN_API int licscan_reason_flag(const licscan_reason *reason);
/* The license whose clause it is ("" when not known), the file it was
 * read in ("" for a license's published text, read when only its id is
 * known), and the base model it is inherited from ("" for the model's
 * own terms). */
LICSCAN_API const char *licscan_reason_license(const licscan_reason *reason);
LICSCAN_API const char *licscan_reason_file(const licscan_reason *reason);
LICSCAN_API const char *licscan_reason_base(const licscan_reason *reason);
/* The clause: byte span in its file, text and section label, as
 * licscan_restriction_evidence gives them; LICSCAN_ENOTFOUND when the
 * reason has none. Any out pointer may be NULL. */
LICSCAN_API int licscan_reason_evidence(const licscan_reason *reason,
                                        uint64_t *start, uint64_t *end,
                                        const char **text, const char **label);

/* The verdict as one JSON object, schema "check-1" (README, "What binds
 * me"); no trailing newline. The text belongs to the verdict. */
LICSCAN_API int licscan_verdict_json(licscan_verdict *verdict,
                                     const char **json, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* LICSCAN_H */
