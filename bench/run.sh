#!/bin/sh
# bench/run.sh BENCH CLI CORPUS_DIR SPDX_TEMPLATE_DIR
# Renders one text per SPDX template into a temporary directory (with the
# corpus renderer, so the texts are those the corpus tests use), then runs
# BENCH, which also times CLI over them. Rendering is done before any
# timing and the directory is removed afterwards.
set -eu
bench=$1 cli=$2 corpus=$3 spdx=$4
here=$(dirname "$0")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/licscan-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ -d "$spdx" ]; then
    # A template the renderer rejects is reported and left out.
    python3 "$here/../tests/corpus/render_template.py" --out-dir "$tmp" \
        "$spdx"/*.template.txt || echo "bench: some templates not rendered" >&2
fi
"$bench" "$corpus" "$spdx" "$tmp" "$cli"
