# fuzz.mk -- fuzz targets (fuzz/fuzz_*.c), included by the Makefile.
#
#   make test-fuzz-replay   replay every target's seeds and regression inputs
#                           (part of make test and make test-asan)
#   make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS="fuzz_scan ..."]
#                           libFuzzer with clang, ASan and UBSan, each target
#                           in turn for FUZZ_SECONDS, niced; new inputs go to
#                           build-fuzz/fuzz/corpus/<target>/, crashes to
#                           build-fuzz/fuzz/artifacts/<target>/

FUZZ_TARGETS ?= fuzz_decode fuzz_template fuzz_rules fuzz_scan fuzz_dbfile fuzz_model fuzz_listindex
FUZZ_SECONDS ?= 600
FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
# Extra libFuzzer options, e.g. FUZZ_FLAGS="-max_len=65536 -jobs=2".
FUZZ_FLAGS   ?=
# Seconds one input may take before replay or libFuzzer calls it a hang.
FUZZ_TIMEOUT ?= 30

FUZZ_COMMON := fuzz/fuzz_common.c fuzz/fuzz_common.h
REPLAYS := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/replay_%)

.PHONY: test-fuzz-replay fuzz fuzz-run

$(BUILD)/fuzz:
	@mkdir -p $@

# The replay driver stands in for libFuzzer: any compiler, any sanitizer.
$(BUILD)/fuzz/replay_%: fuzz/%.c fuzz/replay_main.c $(FUZZ_COMMON) include/licscan.h $(BUILD)/liblicscan.a | $(BUILD)/fuzz
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) -DLICSCAN_STATIC $< fuzz/replay_main.c fuzz/fuzz_common.c \
	    $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

test-fuzz-replay: $(REPLAYS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    dirs="fuzz/seeds/$$t"; \
	    if [ -d fuzz/regressions/$$t ]; then dirs="$$dirs fuzz/regressions/$$t"; fi; \
	    echo "== replay $$t: $$dirs"; \
	    $(TEST_WRAPPER) $(BUILD)/fuzz/replay_$$t -t $(FUZZ_TIMEOUT) -x fuzz/regressions/OPEN $$dirs; \
	done

# libFuzzer binaries; the library is instrumented for coverage in its own
# build directory (fuzzer-no-link), the target links libFuzzer's main.
$(BUILD)/fuzz/libfuzzer_%: fuzz/%.c $(FUZZ_COMMON) include/licscan.h $(BUILD)/liblicscan.a | $(BUILD)/fuzz
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) -fsanitize=fuzzer -DLICSCAN_STATIC $< fuzz/fuzz_common.c \
	    $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

fuzz:
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
	    OPT="-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    CFLAGS="-fsanitize=address,undefined" fuzz-run

# Runs with BUILD=$(FUZZ_BUILD), from the fuzz target above. Each target
# starts from its seeds and what earlier runs found; not from the
# regressions, where a reproducer of an open bug would stop it at once.
fuzz-run: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/libfuzzer_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(BUILD)/fuzz/corpus/$$t $(BUILD)/fuzz/artifacts/$$t; \
	    echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	    nice -n 19 $(BUILD)/fuzz/libfuzzer_$$t $(BUILD)/fuzz/corpus/$$t fuzz/seeds/$$t -dict=fuzz/$$t.dict \
	        -max_total_time=$(FUZZ_SECONDS) -timeout=$(FUZZ_TIMEOUT) \
	        -artifact_prefix=$(BUILD)/fuzz/artifacts/$$t/ -print_final_stats=1 \
	        $(FUZZ_FLAGS); \
	done
