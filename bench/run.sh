#!/bin/sh
# bench/run.sh BENCH CLI CORPUS_DIR SPDX_TEMPLATE_DIR
# Renders one text per SPDX template into a temporary directory (with the
# corpus renderer, so the texts are those the corpus tests use), copies
# them ten times over into another, and compiles the embedded set with the
# SPDX list into a database file (CLI --compile) and copies it; then runs
# BENCH, which also times CLI over them. All this is done before any timing and removed
# afterwards.
set -eu
bench=$1 cli=$2 corpus=$3 spdx=$4
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/licscan-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/rendered" "$tmp/x10"
if [ -d "$spdx" ]; then
    # A template the renderer rejects is reported and left out.
    python3 "$here/../tests/corpus/render_template.py" --out-dir "$tmp/rendered" \
        "$spdx"/*.template.txt || echo "bench: some templates not rendered" >&2
    for i in 0 1 2 3 4 5 6 7 8 9; do
        mkdir "$tmp/x10/copy$i"
        cp "$tmp/rendered"/* "$tmp/x10/copy$i/"
    done
    "$cli" -q --compile "$spdx" -o "$tmp/spdx.lsdb"
    # the file as most opens meet it (see bench.c): a copy
    cp "$tmp/spdx.lsdb" "$tmp/spdx-copy.lsdb"
fi
"$bench" "$corpus" "$spdx" "$tmp/rendered" "$cli" "$tmp/x10" "$tmp/spdx.lsdb" \
    "$tmp/spdx-copy.lsdb"
