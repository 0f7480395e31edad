# hardening.mk -- thread-safety and hostile-input tests, included by the
# Makefile.
#
#   make test-threads      scan corpus/ on 1 and 4 threads sharing one
#                          database; the JSON must agree byte for byte
#   make test-bad-inputs   the CLI on a table of hostile inputs
#   make test-tsan         test-threads built with ThreadSanitizer
#                          (library included, in build-tsan/)

THREAD_CORPUS ?= corpus
TSAN_BUILD    ?= build-tsan

.PHONY: test-threads test-bad-inputs test-tsan

EXTRA_TESTS += test-fuzz-replay test-threads test-bad-inputs
BAD_INPUT_TIME_LIMIT ?= 30

$(BUILD)/tests/thread_scan: tests/thread_scan.c tests/check.h include/licscan.h $(BUILD)/liblicscan.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) -pthread -DLICSCAN_STATIC $< $(BUILD)/liblicscan.a \
	    $(DEPS_LIBS) -lm -o $@

test-threads: $(BUILD)/tests/thread_scan
	$(TEST_WRAPPER) $(BUILD)/tests/thread_scan $(THREAD_CORPUS)

test-bad-inputs: $(BUILD)/licscan
	LICSCAN_TIME_LIMIT=$(BAD_INPUT_TIME_LIMIT) python3 tests/test_bad_inputs.py $(BUILD)/licscan

test-tsan:
	$(MAKE) BUILD=$(TSAN_BUILD) OPT="-O2 -g -fsanitize=thread -fno-omit-frame-pointer" \
	    CFLAGS="-fsanitize=thread" test-threads
