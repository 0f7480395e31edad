#!/bin/sh
# Install into a temporary DESTDIR, build the examples against the installed
# library with nothing but what pkg-config says (shared and static), run
# them, then uninstall and check that nothing is left.
#
# Run from the top of the source tree: sh tests/test_install.sh
# Environment: MAKE, BUILD, CC, SONAME, SHLIB (as make test passes them),
# KEEP=1 to keep the temporary directory for a look.
set -eu

MAKE=${MAKE:-make}
BUILD=${BUILD:-build}
CC=${CC:-cc}
SONAME=${SONAME:?SONAME: the soname, as the Makefile has it}
SHLIB=${SHLIB:?SHLIB: the shared library file name, as the Makefile has it}
PREFIX=/usr/local
SAMPLE=examples/licenses/llama-3.1-model/LICENSE
SAMPLES="examples/licenses/mit-project/LICENSE examples/licenses/gemma-finetune/README.md $SAMPLE"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/licscan-install.XXXXXX")
cleanup() { [ "${KEEP:-0}" = 1 ] || rm -rf "$TMP"; }
trap cleanup EXIT
DEST=$TMP/root
checks=0

fail() {
    echo "test_install: FAIL: $*" >&2
    exit 1
}
pass() { checks=$((checks + 1)); }

# Make's own output goes to a log: the test prints what it checks.
run_make() {
    if ! $MAKE --no-print-directory BUILD="$BUILD" CC="$CC" PREFIX=$PREFIX \
        DESTDIR="$DEST" "$@" >"$TMP/make.log" 2>&1; then
        cat "$TMP/make.log" >&2
        fail "make $*"
    fi
}

# ---- install ----
run_make install
L=$DEST$PREFIX/lib
for f in bin/licscan lib/liblicscan.a lib/$SHLIB include/licscan.h \
    lib/pkgconfig/licscan.pc share/man/man1/licscan.1; do
    [ -f "$DEST$PREFIX/$f" ] && [ ! -L "$DEST$PREFIX/$f" ] || fail "$PREFIX/$f is not installed"
done
[ "$(readlink "$L/$SONAME")" = "$SHLIB" ] || fail "$SONAME does not point to $SHLIB"
[ "$(readlink "$L/liblicscan.so")" = "$SONAME" ] || fail "liblicscan.so does not point to $SONAME"
readelf -d "$L/$SHLIB" | grep -qF "Library soname: [$SONAME]" || fail "installed soname is not $SONAME"
cmp -s include/licscan.h "$DEST$PREFIX/include/licscan.h" || fail "installed header differs from include/licscan.h"
[ -x "$DEST$PREFIX/bin/licscan" ] || fail "bin/licscan is not executable"
"$DEST$PREFIX/bin/licscan" --version | grep -q '^licscan ' || fail "installed licscan --version"
pass

# ---- the SQLite extension, when it was built ----
if [ -f "$BUILD/licscan_sqlite.so" ]; then
    [ -f "$L/licscan_sqlite.so" ] || fail "$PREFIX/lib/licscan_sqlite.so is not installed"
    if command -v sqlite3 >/dev/null 2>&1; then
        got=$(sqlite3 :memory: ".load $L/licscan_sqlite" "SELECT licscan_spdx(readfile('examples/licenses/mit-project/LICENSE'))") ||
            fail "the installed SQLite extension does not load"
        [ "$got" = MIT ] || fail "installed SQLite extension: licscan_spdx gave '$got', not MIT"
    fi
    pass
fi

# ---- the pkg-config file ----
export PKG_CONFIG_PATH="$L/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$DEST"
PC=$L/pkgconfig/licscan.pc
grep -q "^prefix=$PREFIX\$" "$PC" || fail "licscan.pc: prefix is not $PREFIX"
# Relative to ${prefix}, so that --define-prefix can relocate them.
grep -q '^libdir=${prefix}/lib$' "$PC" || fail "licscan.pc: libdir is not \${prefix}/lib"
grep -q '^includedir=${prefix}/include$' "$PC" || fail "licscan.pc: includedir is not \${prefix}/include"
# No Requires.private: its packages' Cflags would reach users (below).
! grep -q '^Requires' "$PC" || fail "licscan.pc: Requires lines pass dependencies' Cflags on"
grep -q '^Libs.private: .*-lpcre2-8 .*-lutf8proc.* -lm$' "$PC" || fail "licscan.pc: Libs.private"
want_version=$(sed -n 's/^#define LICSCAN_VERSION_STRING "\(.*\)"/\1/p' include/licscan.h)
[ "$(pkg-config --modversion licscan)" = "$want_version" ] || fail "pkg-config --modversion is not $want_version"
pkg-config --validate licscan || fail "pkg-config --validate licscan"
cflags=$(pkg-config --cflags licscan)
libs=$(pkg-config --libs licscan)
static_libs=$(pkg-config --static --libs licscan)
case " $cflags " in *" -I$DEST$PREFIX/include "*) ;; *) fail "cflags lack -I$DEST$PREFIX/include: $cflags" ;; esac
for flag in "-L$L" -llicscan; do
    case " $libs " in *" $flag "*) ;; *) fail "libs lack $flag: $libs" ;; esac
done
for lib in -lm -lpcre2-8 -lutf8proc; do
    case " $static_libs " in *" $lib "*) ;; *) fail "static libs lack $lib: $static_libs" ;; esac
done
pass

# Users' Cflags carry only the include directory: nothing of a dependency's
# own build flags (libutf8proc.pc says -DUTF8PROC_EXPORTS).
for c in "$cflags" "$(pkg-config --static --cflags licscan)"; do
    case " $c " in *UTF8PROC_EXPORTS*) fail "cflags leak a dependency's define: $c" ;; esac
    [ "$(echo $c)" = "-I$DEST$PREFIX/include" ] || fail "cflags are not just -I$DEST$PREFIX/include: $c"
done
pass

# ---- the installation moved elsewhere: pkg-config --define-prefix ----
# The tree is copied under another prefix (no DESTDIR, no sysroot); the
# flags --define-prefix gives must point into the copy, and a program
# built with them alone must run.
MOVED=$TMP/moved/opt/licscan
mkdir -p "$TMP/moved/opt"
cp -a "$DEST$PREFIX" "$MOVED"
moved_cflags=$(PKG_CONFIG_SYSROOT_DIR= PKG_CONFIG_PATH=$MOVED/lib/pkgconfig pkg-config --define-prefix --cflags licscan)
moved_cflags=$(echo $moved_cflags) # pkg-config ends with a space
moved_libs=$(PKG_CONFIG_SYSROOT_DIR= PKG_CONFIG_PATH=$MOVED/lib/pkgconfig pkg-config --define-prefix --libs licscan)
moved_libs=$(echo $moved_libs)
[ "$moved_cflags" = "-I$MOVED/include" ] || fail "--define-prefix cflags: '$moved_cflags', not -I$MOVED/include"
[ "$moved_libs" = "-L$MOVED/lib -llicscan" ] || fail "--define-prefix libs: '$moved_libs', not -L$MOVED/lib -llicscan"
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Wextra -Werror examples/embed/minimal.c $moved_cflags $moved_libs -o "$TMP/minimal-moved" ||
    fail "building minimal against the moved installation"
LD_LIBRARY_PATH=$MOVED/lib ldd "$TMP/minimal-moved" | grep -qF "$SONAME => $MOVED/lib/$SONAME " ||
    fail "minimal-moved does not resolve to the moved library"
LD_LIBRARY_PATH=$MOVED/lib "$TMP/minimal-moved" $SAMPLE >"$TMP/out" || fail "minimal-moved $SAMPLE failed"
"$BUILD/examples/minimal" $SAMPLE | cmp -s - "$TMP/out" ||
    fail "minimal built against the moved installation differs from the in-tree build"
rm -rf "$TMP/moved"
pass

# ---- build the examples against the installation ----
# Only pkg-config's flags (and the warnings every build here uses); the
# source tree's include/ and build/ are nowhere on the command line.
WARN="-std=c11 -Wall -Wextra -Werror"
for prog in embed/minimal threads/threads; do
    name=${prog#*/}
    # shellcheck disable=SC2086 # flags are meant to split
    $CC $WARN examples/$prog.c $cflags $libs -o "$TMP/$name-shared" || fail "building $name (shared)"
    # shellcheck disable=SC2086
    $CC $WARN -static examples/$prog.c $(pkg-config --static --cflags licscan) $static_libs \
        -o "$TMP/$name-static" || fail "building $name (static)"
done
# The shared build needs the installed library, the static one nothing.
readelf -d "$TMP/minimal-shared" | grep -F NEEDED | grep -qF "[$SONAME]" || fail "minimal-shared does not load $SONAME"
if readelf -d "$TMP/minimal-static" 2>/dev/null | grep -q NEEDED; then
    fail "minimal-static loads shared libraries"
fi
LD_LIBRARY_PATH=$L ldd "$TMP/minimal-shared" | grep -qF "$SONAME => $L/$SONAME " ||
    fail "minimal-shared does not resolve to the installed library"
pass

# ---- run them ----
# The reference is the same example built in the tree (make test-examples).
for kind in shared static; do
    LD_LIBRARY_PATH=$L "$TMP/minimal-$kind" $SAMPLE >"$TMP/out" || fail "minimal-$kind $SAMPLE failed"
    grep -q '^match: Llama-3.1-Community exact coverage 1.000 bytes ' "$TMP/out" || fail "minimal-$kind: no exact Llama 3.1 match"
    grep -q '^openness: ' "$TMP/out" || fail "minimal-$kind: no openness line"
    "$BUILD/examples/minimal" $SAMPLE | cmp -s - "$TMP/out" || fail "minimal-$kind output differs from the in-tree build"
    # shellcheck disable=SC2086
    LD_LIBRARY_PATH=$L "$TMP/threads-$kind" -t 3 $SAMPLES >"$TMP/out" || fail "threads-$kind failed"
    # shellcheck disable=SC2086
    LD_LIBRARY_PATH=$L "$TMP/threads-$kind" -t 1 $SAMPLES | cmp -s - "$TMP/out" || fail "threads-$kind: 3 threads differ from 1"
    grep -q '^examples/licenses/mit-project/LICENSE: MIT$' "$TMP/out" || fail "threads-$kind: MIT not found"
    pass
done

# ---- the man page renders without warnings ----
if command -v groff >/dev/null 2>&1; then
    warnings=$(groff -man -ww -z "$DEST$PREFIX/share/man/man1/licscan.1" 2>&1)
    [ -z "$warnings" ] || fail "man page: $warnings"
    pass
fi

# ---- uninstall leaves nothing ----
run_make uninstall
left=$(find "$DEST" ! -type d)
[ -z "$left" ] || fail "left behind after uninstall: $left"
pass

echo "test_install: $checks checks passed (DESTDIR install, pkg-config shared and static builds, --define-prefix relocation, uninstall)"
