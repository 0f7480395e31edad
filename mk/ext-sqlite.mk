# ext-sqlite.mk -- the SQLite loadable extension (ext/sqlite/), included by
# the Makefile (before install.mk, which installs it).
#
#   make                 also builds $(BUILD)/licscan_sqlite.so when the
#                        SQLite headers are there (libsqlite3-dev)
#   make test-sqlite     loads it in the sqlite3 CLI over a table of
#                        corpus/ texts and checks every answer against the
#                        CLI's JSON (part of make test and make test-asan;
#                        skipped, saying so, without sqlite3 or its headers)
#
# The library is linked in statically (its objects are -fPIC) and its
# symbols kept local: the extension needs no liblicscan.so and cannot clash
# with one loaded in the same process. It sees include/ only, not lib/.

HAVE_SQLITE := $(shell $(PKG_CONFIG) --exists sqlite3 && echo yes)
SQLITE_EXT  := $(if $(HAVE_SQLITE),$(BUILD)/licscan_sqlite.so)
SQLITE3     ?= sqlite3

.PHONY: test-sqlite
EXTRA_TESTS += test-sqlite

all: $(SQLITE_EXT)

$(BUILD)/licscan_sqlite.so: ext/sqlite/licscan_sqlite.c include/licscan.h $(BUILD)/liblicscan.a
	$(CC) $(filter-out -Ilib,$(CPPFLAGS)) $(APP_CFLAGS) -fPIC -fvisibility=hidden -DLICSCAN_STATIC \
	    $(shell $(PKG_CONFIG) --cflags sqlite3) -shared -Wl,--no-undefined -Wl,--exclude-libs,ALL \
	    $< $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

# A sanitizer build of the extension needs the ASan runtime loaded first
# into the (uninstrumented) sqlite3 program.
SQLITE_PRELOAD = $(if $(findstring -fsanitize=address,$(OPT) $(CFLAGS)),$(shell $(CC) -print-file-name=libasan.so))

ifeq ($(HAVE_SQLITE),yes)
test-sqlite: $(SQLITE_EXT) $(BUILD)/licscan
	@if ! command -v $(SQLITE3) >/dev/null 2>&1; then \
	    echo "test-sqlite: skipped: no $(SQLITE3) program (apt-get install sqlite3)"; \
	else \
	    echo "python3 tests/test_sqlite.py $(SQLITE3) $(SQLITE_EXT) $(BUILD)/licscan"; \
	    SQLITE_PRELOAD="$(SQLITE_PRELOAD)" python3 tests/test_sqlite.py $(SQLITE3) $(SQLITE_EXT) $(BUILD)/licscan; \
	fi
else
test-sqlite:
	@echo "test-sqlite: skipped: no SQLite headers (apt-get install libsqlite3-dev sqlite3)"
endif
