# mk/install.mk -- install/uninstall, the example programs, and the tests
# of the exported API, the examples and the installation. Included by the
# top-level Makefile, which defines BUILD, PREFIX, DESTDIR, SHLIB, SONAME...

BINDIR       ?= $(PREFIX)/bin
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
MANDIR       ?= $(PREFIX)/share/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

# The release version, as the header states it.
LICSCAN_VERSION := $(shell sed -n 's/^\#define LICSCAN_VERSION_STRING "\(.*\)"/\1/p' include/licscan.h)

# Every file install puts in place; uninstall removes exactly these.
INSTALLED_FILES := \
    $(BINDIR)/licscan \
    $(LIBDIR)/liblicscan.a \
    $(LIBDIR)/$(SHLIB) \
    $(LIBDIR)/$(SONAME) \
    $(LIBDIR)/liblicscan.so \
    $(INCLUDEDIR)/licscan.h \
    $(PKGCONFIGDIR)/licscan.pc \
    $(MANDIR)/man1/licscan.1 \
    $(if $(SQLITE_EXT),$(LIBDIR)/licscan_sqlite.so)

# ---------- pkg-config file ----------

# Regenerated on every run: it records PREFIX and LIBDIR, which may differ
# from one make invocation to the next without any file changing.
.PHONY: $(BUILD)/licscan.pc
# A directory under PREFIX is written as ${prefix}/..., which
# `pkg-config --define-prefix` can relocate; one elsewhere stays absolute.
pc_dir = $(patsubst $(PREFIX)/%,$${prefix}/%,$(1))
$(BUILD)/licscan.pc: licscan.pc.in
	@mkdir -p $(BUILD)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(call pc_dir,$(LIBDIR))|g' \
	    -e 's|@INCLUDEDIR@|$(call pc_dir,$(INCLUDEDIR))|g' -e 's|@VERSION@|$(LICSCAN_VERSION)|g' \
	    -e 's|@DEPS_LIBS@|$(strip $(DEPS_LIBS))|g' \
	    licscan.pc.in > $@

# ---------- install / uninstall ----------

# The SQLite extension (mk/ext-sqlite.mk) goes next to the library when it
# was built (SQLITE_EXT is empty without the SQLite headers).
install: all $(BUILD)/licscan.pc $(SQLITE_EXT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) \
	    $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 $(BUILD)/licscan $(DESTDIR)$(BINDIR)/licscan
	install -m 644 $(BUILD)/liblicscan.a $(DESTDIR)$(LIBDIR)/liblicscan.a
	install -m 755 $(BUILD)/$(SHLIB) $(DESTDIR)$(LIBDIR)/$(SHLIB)
	ln -sf $(SHLIB) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/liblicscan.so
	install -m 644 include/licscan.h $(DESTDIR)$(INCLUDEDIR)/licscan.h
	install -m 644 $(BUILD)/licscan.pc $(DESTDIR)$(PKGCONFIGDIR)/licscan.pc
	install -m 644 doc/licscan.1 $(DESTDIR)$(MANDIR)/man1/licscan.1
	$(if $(SQLITE_EXT),install -m 755 $(SQLITE_EXT) $(DESTDIR)$(LIBDIR)/licscan_sqlite.so,@echo "install: no SQLite headers: licscan_sqlite.so not built, not installed")

# Directories are left alone: they may hold other packages' files.
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))

# ---------- example programs ----------

EXAMPLE_PROGRAMS := $(BUILD)/examples/minimal $(BUILD)/examples/threads

$(BUILD)/examples:
	@mkdir -p $@

$(BUILD)/examples/minimal: examples/embed/minimal.c include/licscan.h $(BUILD)/liblicscan.a | $(BUILD)/examples
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) -DLICSCAN_STATIC $< $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

$(BUILD)/examples/threads: examples/threads/threads.c include/licscan.h $(BUILD)/liblicscan.a | $(BUILD)/examples
	$(CC) $(CPPFLAGS) $(APP_CFLAGS) -pthread -DLICSCAN_STATIC $< $(BUILD)/liblicscan.a $(DEPS_LIBS) -lm -o $@

# ---------- tests ----------

.PHONY: test-exports test-examples test-install

# The self-test first shows the checker catches planted differences.
test-exports: $(BUILD)/$(SHLIB)
	python3 tests/check_exports.py --self-test $(BUILD)/$(SHLIB) include/licscan.h $(SONAME)
	python3 tests/check_exports.py $(BUILD)/$(SHLIB) include/licscan.h $(SONAME)

test-examples: $(EXAMPLE_PROGRAMS) $(BUILD)/licscan
	python3 examples/embed/test_minimal.py $(BUILD)/examples/minimal $(BUILD)/licscan
	python3 examples/threads/test_threads.py $(BUILD)/examples/threads

# The install test links programs against the installed library with only
# what pkg-config says. A sanitizer build cannot be linked that way (the
# programs would need the sanitizer runtime and flags too), so under
# test-asan it is skipped, saying so.
SANITIZED := $(findstring -fsanitize,$(OPT) $(CFLAGS))
test-install: all $(EXAMPLE_PROGRAMS)
ifeq ($(SANITIZED),)
	MAKE="$(MAKE)" BUILD="$(BUILD)" CC="$(CC)" SONAME="$(SONAME)" SHLIB="$(SHLIB)" sh tests/test_install.sh
else
	@echo "test-install: skipped in a sanitizer build (installed programs are linked without sanitizer flags)"
endif

check-exports: test-exports

EXTRA_TESTS += test-exports test-examples test-install
