# licscan -- build, test, install.
#
#   make              static + shared library and build/licscan
#   make test         unit, corpus, example and binding tests
#   make test-asan    the tests under AddressSanitizer + UBSan
#   make test-valgrind  the tests under valgrind memcheck
#   make bench        throughput and latency figures against the targets
#   make bench-profile  each bench case under callgrind, top functions
#   make install PREFIX=/usr/local DESTDIR=...   /   make uninstall

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BUILD    ?= build
PKG_CONFIG ?= pkg-config

# ABI version: bump MAJOR when a shipped signature or struct layout changes.
ABI_MAJOR := 1
ABI_MINOR := 3
ABI_PATCH := 0
SONAME    := liblicscan.so.$(ABI_MAJOR)
SHLIB     := liblicscan.so.$(ABI_MAJOR).$(ABI_MINOR).$(ABI_PATCH)

DEPS_CFLAGS := $(shell $(PKG_CONFIG) --cflags libpcre2-8 libutf8proc)
DEPS_LIBS   := $(shell $(PKG_CONFIG) --libs libpcre2-8 libutf8proc)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT      ?= -O2 -g
CFLAGS   ?=
CPPFLAGS += -D_GNU_SOURCE -Iinclude -Ilib
LIB_CFLAGS = $(OPT) $(WARN) -std=c11 -pthread -fPIC -fvisibility=hidden -DLICSCAN_BUILDING $(DEPS_CFLAGS) $(CFLAGS)
APP_CFLAGS = $(OPT) $(WARN) -std=c11 $(CFLAGS)

# The library's files in pipeline order (lib/README.md is the map).
# Shared: memory, errors, utilities; loading: templates, rules, the frozen
# image; per scan: decode, tokenize, matching (match.c drives the numbered
# stages), clauses (clauses.c drives segmentation, the rule engine,
# restrictions with their values and flag changes), then the result, openness and JSON.
# memobuild.c and rivals.c run when a set is compiled (tools/freeze.c, --compile).
COMMON_SRC := lib/util.c lib/scratch.c lib/error.c lib/testctl.c
LOAD_SRC   := lib/db.c lib/listindex.c lib/template.c lib/index_layout.c lib/frozen.c lib/dbfile_write.c lib/dbfile_sums.c lib/dbfile_check.c lib/dbfile.c \
              lib/rulefile.c lib/keywords.c lib/prefilter_derive.c \
              lib/prefilter.c lib/memobuild.c lib/rivals.c
MATCH_SRC  := lib/decode.c lib/tokenize.c lib/match.c \
              lib/match1_candidates.c lib/match1_hits_of.c lib/match2_chains.c lib/match2_bounds.c \
              lib/match3_align.c lib/match4_judge.c lib/match5_rank.c lib/match6_references.c lib/scan.c \
              lib/frontmatter.c
CLAUSE_SRC := lib/clauses.c lib/segment.c lib/sentences.c lib/comments.c \
              lib/display.c lib/engine.c lib/memo.c lib/numbers.c \
              lib/restrictions.c lib/values.c lib/flagchanges.c lib/modified.c
RESULT_SRC := lib/result.c lib/position.c lib/restrict.c lib/json.c
LIB_SRC := $(COMMON_SRC) $(LOAD_SRC) $(MATCH_SRC) $(CLAUSE_SRC) $(RESULT_SRC)
CORE_OBJ := $(LIB_SRC:lib/%.c=$(BUILD)/obj/%.o)
# Above the scans (lib/policy.h): a model gathers its files' results, the
# card and its base models (model.c, with licenses/models.tsv embedded);
# policy.c judges them against facts about the user. Not in tools/freeze.
POLICY_SRC := lib/model.c lib/policy_reason.c lib/policy_terms.c lib/policy.c lib/verdict.c
POLICY_OBJ := $(POLICY_SRC:lib/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/embedded_models.o
# Above the scans too: the files of paths and trees (walk.c), scanned on a
# pool of POSIX threads and handed back in order (pool.c).
WALK_SRC := lib/walk.c lib/pool.c
WALK_OBJ := $(WALK_SRC:lib/%.c=$(BUILD)/obj/%.o)
# The library embeds the frozen image of licenses/ (tools/freeze.c).
LIB_OBJ := $(CORE_OBJ) $(POLICY_OBJ) $(WALK_OBJ) $(BUILD)/obj/frozen_image.o $(BUILD)/obj/embedded_rules.o
LICENSES ?= licenses
# licenses/headers/: the standard license notices (metadata kind header)
LICENSE_FILES := $(sort $(wildcard $(LICENSES)/*.template.txt)) \
                 $(sort $(wildcard $(LICENSES)/headers/*.template.txt))
META_FILES    := $(wildcard $(LICENSES)/*.meta $(LICENSES)/headers/*.meta)
RULE_FILES    := $(sort $(wildcard $(LICENSES)/rules/*.rules))

UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit_*.c))

.PHONY: all clean test test-unit test-layers test-cli test-corpus test-python test-asan test-valgrind bench bench-profile \
        install uninstall check-exports
.DELETE_ON_ERROR:

all: $(BUILD)/liblicscan.a $(BUILD)/$(SHLIB) $(BUILD)/licscan

$(BUILD)/obj $(BUILD)/tests $(BUILD)/tools:
	@mkdir -p $@

$(BUILD)/obj/%.o: lib/%.c $(wildcard lib/*.h) include/licscan.h | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) -c $< -o $@

$(BUILD)/tools/embed: tools/embed.c | $(BUILD)/tools
	$(CC) $(APP_CFLAGS) $< -o $@

# Raw template texts, parsed by the generator of the frozen image.
$(BUILD)/embedded_raw.c: $(BUILD)/tools/embed $(LICENSE_FILES) $(META_FILES) $(LICENSES)/equivalentwords.txt
	$(BUILD)/tools/embed $@ $(LICENSES)/equivalentwords.txt $(LICENSE_FILES)

# Clause rules are embedded as text and compiled when a database opens.
$(BUILD)/embedded_rules.c: $(BUILD)/tools/embed $(RULE_FILES)
	$(BUILD)/tools/embed --rules $@ $(RULE_FILES)

# licenses/models.tsv (model ids to licenses) is embedded as one string.
$(BUILD)/embedded_models.c: $(LICENSES)/models.tsv | $(BUILD)/obj
	{ echo '/* generated from $< */'; echo 'extern const char ls_embedded_models[];'; \
	  echo 'const char ls_embedded_models[] ='; \
	  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$$/\\n"/' $<; echo '    "";'; } >$@

$(BUILD)/obj/embedded_models.o: $(BUILD)/embedded_models.c | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) -O0 -g0 -c $< -o $@

$(BUILD)/obj/embedded_rules.o: $(BUILD)/embedded_rules.c lib/internal.h | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) -O0 -g0 -c $< -o $@

$(BUILD)/obj/embedded_raw.o: $(BUILD)/embedded_raw.c lib/internal.h | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) -O0 -g0 -c $< -o $@

$(BUILD)/tools/freeze: tools/freeze.c $(CORE_OBJ) $(BUILD)/obj/embedded_raw.o $(BUILD)/obj/embedded_rules.o | $(BUILD)/tools
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) $^ $(DEPS_LIBS) -lm -o $@

$(BUILD)/frozen_image.c: $(BUILD)/tools/freeze
	$(BUILD)/tools/freeze $@

$(BUILD)/obj/frozen_image.o: $(BUILD)/frozen_image.c lib/internal.h | $(BUILD)/obj
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) -O0 -g0 -c $< -o $@

$(BUILD)/liblicscan.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/$(SHLIB): $(LIB_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,$(SONAME) -Wl,--no-undefined $(LIB_OBJ) $(DEPS_LIBS) -pthread -lm -o $@
	ln -sf $(SHLIB) $(BUILD)/$(SONAME)
	ln -sf $(SONAME) $(BUILD)/liblicscan.so

# The CLI links the static library so it runs from anywhere; it scans with
# a pool of POSIX threads.
# It writes the SBOM formats with jansson (libjansson-dev), and reads
# `licscan check --facts` files with it.
JANSSON_CFLAGS := $(shell $(PKG_CONFIG) --cflags jansson)
JANSSON_LIBS   := $(shell $(PKG_CONFIG) --libs jansson)
# `licscan check` (examples/cli/check.c) reads a model card's YAML front
# matter with libyaml (libyaml-dev).
YAML_CFLAGS := $(shell $(PKG_CONFIG) --cflags yaml-0.1)
YAML_LIBS   := $(shell $(PKG_CONFIG) --libs yaml-0.1)
CLI_SRC := examples/cli/licscan.c examples/cli/check.c
$(BUILD)/licscan: $(CLI_SRC) examples/cli/cli.h include/licscan.h $(BUILD)/liblicscan.a
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) $(JANSSON_CFLAGS) $(YAML_CFLAGS) -pthread -DLICSCAN_STATIC $(CLI_SRC) $(BUILD)/liblicscan.a $(DEPS_LIBS) $(JANSSON_LIBS) $(YAML_LIBS) -lm -o $@

$(BUILD)/tests/%: tests/%.c tests/check.h tests/jit_off.h tests/corpus_files.h tests/fail_alloc.h tests/mit_text.h $(BUILD)/liblicscan.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) $(DEPS_CFLAGS) -pthread -DLICSCAN_STATIC $< $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

# ---------- tests ----------

# mk/*.mk add their own targets and append test targets to EXTRA_TESTS.
EXTRA_TESTS :=
-include $(sort $(wildcard mk/*.mk))

# The Python binding loads the shared library, which a sanitizer build
# cannot do without preloading its runtime: test-asan leaves it out.
PYTHON_TESTS ?= test-python

test: all test-unit test-cli test-corpus test-layers $(PYTHON_TESTS) $(EXTRA_TESTS)
	@echo "all test suites passed"

test-unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $(TEST_WRAPPER) $$t; done

# The SBOM tests validate with Debian's python3-jsonschema: Debian's Python.
SYS_PYTHON ?= /usr/bin/python3
# No two library files call each other, directly or through a third.
test-layers: $(BUILD)/liblicscan.a
	python3 tests/check_layers.py $(BUILD)/obj

test-cli: $(BUILD)/licscan
	python3 tests/test_cli.py $(BUILD)/licscan
	python3 tests/test_check.py $(BUILD)/licscan
	$(SYS_PYTHON) tests/test_cli_sbom.py $(BUILD)/licscan

# test-python (the Python package, installed into a virtual environment)
# is in mk/python.mk.

test-corpus: $(BUILD)/licscan
	python3 tests/corpus/check_corpus.py --licscan "$(TEST_WRAPPER_CLI) $(BUILD)/licscan" corpus

# The sanitizer build takes the portable byte loops (LICSCAN_NO_SIMD), the
# other runs the SSE2 ones: both must pass the same tests.
test-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -DLICSCAN_NO_SIMD" \
	    CFLAGS="-fsanitize=address,undefined" PYTHON_TESTS= BAD_INPUT_TIME_LIMIT=150 test

test-valgrind: all $(UNIT_TESTS)
	$(MAKE) test-unit TEST_WRAPPER="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"

# ---------- benchmark ----------

SPDX_TEMPLATES ?= ../shared/spdx/templates
BENCH_CORPUS   ?= corpus

# The bench scans on several threads sharing one database.
$(BUILD)/bench: bench/bench.c include/licscan.h $(BUILD)/liblicscan.a
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) -pthread -DLICSCAN_STATIC $< $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

# bench/run.sh renders the SPDX texts into a temporary directory, then
# runs the bench, which also times build/licscan as a whole process.
bench: $(BUILD)/bench $(BUILD)/licscan
	sh bench/run.sh $(BUILD)/bench $(BUILD)/licscan $(BENCH_CORPUS) $(SPDX_TEMPLATES)

# One run of each bench case, untimed, for a profiler.
$(BUILD)/profile_case: bench/profile_case.c include/licscan.h $(BUILD)/liblicscan.a
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) -DLICSCAN_STATIC $< $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

# Top functions of each case under callgrind (valgrind must be installed).
bench-profile: $(BUILD)/profile_case
	sh bench/profile.sh $(BUILD)/profile_case $(BENCH_CORPUS) $(SPDX_TEMPLATES)

clean:
	rm -rf build build-asan
