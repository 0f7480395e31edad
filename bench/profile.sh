#!/bin/sh
# bench/profile.sh PROFILE_CASE CORPUS_DIR SPDX_TEMPLATE_DIR [OUT_DIR]
# Runs each bench case once under callgrind and prints its top functions
# (self cost). Instruction counts, not time, but steady on a busy machine
# where timings are not. PCRE2's JIT code shows as '???' entries: the
# time spent in clause-rule patterns.
set -eu
pc=$1 corpus=$2 spdx=$3 out=${4:-$(mktemp -d "${TMPDIR:-/tmp}/licscan-prof.XXXXXX")}
here=$(dirname "$0")
mkdir -p "$out"
python3 "$here/../tests/corpus/render_template.py" --out-dir "$out/rendered" \
    "$spdx"/*.template.txt || echo "profile: some templates not rendered" >&2
run() {
    name=$1; shift
    valgrind --tool=callgrind --callgrind-out-file="$out/$name.out" "$pc" "$@" \
        >/dev/null 2>"$out/$name.log" || { cat "$out/$name.log"; exit 1; }
    echo "== $name: $pc $*"
    grep -o 'refs: *[0-9,]*' "$out/$name.log" | sed 's/^/   instructions /'
    echo "   self:"
    callgrind_annotate --auto=no --inclusive=no "$out/$name.out" |
        sed -n '/file:function/,$p' | sed -n '3,14p' | sed 's/ \[.*//'
    # inclusive, the library's own functions (absolute-path duplicates out)
    echo "   inclusive (lib/):"
    callgrind_annotate --auto=no --inclusive=yes "$out/$name.out" |
        sed -n '/file:function/,$p' | grep '  lib/' | sed -n '1,12p' |
        sed 's/ \[.*//'
}
run open open
run corpus corpus "$corpus"
run corpus-noclauses corpus "$corpus" noclauses
run load load "$spdx"
run spdx spdx "$spdx" "$out/rendered"
echo "callgrind files in $out (callgrind_annotate --inclusive=yes FILE)"
