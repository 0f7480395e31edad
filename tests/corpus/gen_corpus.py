#!/usr/bin/env python3
"""Generate the test corpus (corpus/) from the shared reference data.

Usage: gen_corpus.py [--shared DIR] [--out DIR]

  --shared DIR   the shared data folder (default: $LICSCAN_SHARED, else
                 ../shared beside the repository)
  --out DIR      where to write (default: corpus/ at the repository root)

The output is deterministic (fixed seeds, sorted inputs): running it twice
gives the same bytes. Every subdirectory of the output folder is removed and
written anew, except the hand-written ones (HAND_WRITTEN: clauses/,
modified/), which are left alone; top-level files other than README.md are
left alone, and README.md is rewritten.

Hand-written expectations survive regeneration: members of an existing
expected file other than "matches", "references", "error" and
"restrictions_from" ("restrictions", "openness", "notes", ...) are read
before the old files are removed and written back into the new file of the
same name. The format variants of a reference text whose original has
restriction expectations (FORMAT_VARIANTS) get "restrictions_from":
"original.expected.json", so that the checker applies the original's.

Inputs come from shared/reference-texts/*.txt (the raw texts) and, for the
SPDX licenses listed in SPDX_IDS that have no reference text, from the SPDX
template rendered with render_template.py. Each input FILE.EXT gets a
FILE.expected.json beside it:

  {"matches": [{"id": "MIT", "kind": ["exact", "near"]}],
   "references": [], "error": false}

Meaning (checked by check_corpus.py): every listed match must be reported
with one of the listed kinds; no other match of kind exact, near or partial
may be reported; every id under "references" must be reported with kind
"reference" (other references are allowed); "error": true means the file
must be reported as unreadable.

Python 3 standard library only.
"""
import argparse
import json
import math
import os
import random
import re
import shutil
import sys
import textwrap
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import render_template  # noqa: E402

SPDX_IDS = [
    "BSD-2-Clause", "BSD-3-Clause", "ISC", "Zlib", "Unlicense", "0BSD", "BSL-1.0",
    "MPL-2.0", "GPL-2.0-only", "GPL-3.0-only", "LGPL-2.1-only", "LGPL-3.0-only",
    "AGPL-3.0-only", "EPL-2.0", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0",
]

# Reference texts that hold more than one document: (id, marker where the
# document starts (None: at the beginning), kinds expected for the unchanged
# text). INDEX.md: Llama-3-Community.txt is the license followed by the Meta
# Llama 3 AUP. That appended AUP is worded a little differently from
# Llama-3-AUP.txt ("Meta Llama 3" for "Llama 3", another URL), so it is
# allowed to be "near" even in the unchanged file.
MULTI_DOCS = {
    "Llama-3-Community": [
        ("Llama-3-Community", None, ["exact"]),
        ("Llama-3-AUP", "Meta Llama 3 Acceptable Use Policy\n", ["exact", "near"]),
    ],
}

# SPDX vars whose "original" their own pattern rejects (quirks of the SPDX
# data; render_template.py --check lists them). The corpus renders these with
# a value the pattern accepts, so that the rendering is an exact match.
FIT_VALUES = [
    (re.compile(r"section\d+TitleHyphens$"), "--"),
    (re.compile(r"ccLicensed$"), "CC-licensed"),
    (re.compile(r"upstreamLink$"),
     "For more information, please see <http://creativecommons.org/publicdomain/zero/1.0/>"),
]

# Optional blocks left out of a rendering: (id, start of the block's text).
# LGPL-3.0-only's template carries the whole GPL-3.0 as an optional block;
# rendered with it, the file would hold two licenses. The FSF's lgpl-3.0.txt
# is the LGPL part alone.
DROP_OPTIONAL = {
    "LGPL-3.0-only": ["GNU GENERAL PUBLIC LICENSE"],
}

# Where the copyright statement is not a line of its own.
COPYRIGHT_SPANS = {
    # Line 1 is "Copyright (c) 2023 Stability AI CreativeML Open RAIL++-M
    # License dated July 26, 2023": keep the title, it tells this text from
    # the November 2022 one.
    "CreativeML-OpenRAIL-PlusPlus-M-SDXL-1.0": "Copyright (c) 2023 Stability AI",
}
NEW_COPYRIGHT = "Copyright (c) 2025 Example Corp."

# Subdirectories of the output folder that are written by hand, not by
# this script: never removed.
HAND_WRITTEN = ("clauses", "modified")

# Variants that change only the form of a text (not its words): they carry
# the original's restriction expectations.
FORMAT_VARIANTS = ("rewrapped", "c-comment", "hash-comment", "slash-comment", "smart-quotes",
                   "crlf", "copyright-changed", "utf16le", "utf16be")

# Members of an expected file this script writes; any other member was added
# by hand and is kept across regeneration.
GENERATED_KEYS = ("matches", "references", "error", "restrictions_from")
RESTRICTION_KEYS = ("restrictions", "restrictions_complete", "restrictions_optional", "openness")

EXACT = ["exact"]
EXACT_NEAR = ["exact", "near"]
PARTIAL = ["partial"]

EDIT_VOCAB = [
    "apple", "window", "river", "quietly", "purple", "engine", "garden", "lantern",
    "meadow", "copper", "violin", "harbor", "pencil", "thunder", "velvet", "orbit",
    "saddle", "marble", "glacier", "teapot",
]

WORD_RE = re.compile(r"\S+")


# ---------------------------------------------------------------- sources

class Source:
    """One license text: its id, its unchanged bytes, its decoded text (no
    BOM, LF line ends) and the documents it holds."""

    def __init__(self, sid, raw, origin):
        self.id = sid
        self.raw = raw
        self.origin = origin
        text = raw.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        self.text = text.replace("\r\n", "\n")
        self.docs = []
        for did, marker, kinds in MULTI_DOCS.get(sid, [(sid, None, EXACT)]):
            if marker is None:
                offset = 0
            else:
                offset = self.text.find(marker)
                if offset < 0:
                    raise SystemExit("%s: marker %r not found" % (sid, marker))
            self.docs.append((did, offset, kinds))


def fit_values(template_text):
    values = {}
    for var in render_template.iter_vars(render_template.parse(template_text)):
        if render_template.var_accepts(var, var.original):
            continue
        for rx, value in FIT_VALUES:
            if rx.match(var.name):
                values[var.name] = value
                break
    problems = render_template.check(template_text, values)
    return values, problems


def load_sources(shared):
    ref_dir = os.path.join(shared, "reference-texts")
    tpl_dir = os.path.join(shared, "spdx", "templates")
    sources = {}
    for name in sorted(os.listdir(ref_dir)):
        if not name.endswith(".txt"):
            continue
        sid = name[:-4]
        with open(os.path.join(ref_dir, name), "rb") as f:
            sources[sid] = Source(sid, f.read(), "reference-texts/" + name)
    for sid in SPDX_IDS:
        if sid in sources:
            continue
        path = os.path.join(tpl_dir, sid + ".template.txt")
        tpl = render_template.read_template(path)
        values, problems = fit_values(tpl)
        if problems:
            raise SystemExit("%s: no fitting value for: %s" % (path, "; ".join(problems)))
        drops = DROP_OPTIONAL.get(sid, [])
        dropped = []

        def keep(node, drops=drops, dropped=dropped):
            body = render_template.node_text(node).lstrip()
            for d in drops:
                if body.startswith(d):
                    dropped.append(d)
                    return False
            return True

        text = render_template.render(tpl, keep_optional=keep, values=values)
        if sorted(set(dropped)) != sorted(drops):
            raise SystemExit("%s: optional blocks to drop not found: %r" % (path, drops))
        sources[sid] = Source(sid, text.encode("utf-8"), "spdx/templates/%s.template.txt" % sid)
    return [sources[k] for k in sorted(sources)]


# ---------------------------------------------------------------- variants

def ensure_nl(text):
    return text if text.endswith("\n") else text + "\n"


def rewrap(text, width=60):
    out = []
    for para in re.split(r"\n[ \t]*\n", text):
        words = para.split()
        if words:
            out.append(textwrap.fill(" ".join(words), width=width,
                                     break_long_words=False, break_on_hyphens=False))
    return "\n\n".join(out) + "\n"


def comment_lines(text, prefix, empty):
    return [prefix + line if line.strip() else empty
            for line in (l.rstrip() for l in text.rstrip("\n").split("\n"))]


def c_comment(text):
    return "/*\n" + "\n".join(comment_lines(text, " * ", " *")) + "\n */\n"


def hash_comment(text):
    return "\n".join(comment_lines(text, "# ", "#")) + "\n"


def slash_comment(text):
    return "\n".join(comment_lines(text, "// ", "//")) + "\n"


def smart_quotes(text):
    text = re.sub(r"(?<!-)--(?!-)", "\u2014", text)
    text = re.sub(r'(^|(?<=[\s(\[{\u2014]))"', "\u201c", text, flags=re.M)
    text = text.replace('"', "\u201d")
    text = re.sub(r"(^|(?<=[\s(\[{\u2014]))'(?=\w)", "\u2018", text, flags=re.M)
    text = text.replace("'", "\u2019")
    return ensure_nl(text)


def crlf(text):
    return ensure_nl(text).replace("\n", "\r\n")


def utf16(text, codec):
    return ("\ufeff" + ensure_nl(text)).encode(codec)


def change_copyright(src):
    text = src.text
    span = COPYRIGHT_SPANS.get(src.id)
    if span:
        if span not in text:
            raise SystemExit("%s: copyright span %r not found" % (src.id, span))
        return ensure_nl(text.replace(span, NEW_COPYRIGHT, 1)), span
    # A copyright line with placeholders (the one a user fills in) first,
    # else a copyright line near the top, else add one at the top.
    line_re = re.compile(r"^([ \t]*)(Copyright\b.*|<copyright notice>)$", re.M)
    placeholder = re.compile(
        r"<\s*(year|yyyy|owner|copyright holders|name of author|copyright notice)\s*>"
        r"|\[yyyy\]", re.I)
    found = None
    for m in line_re.finditer(text):
        if placeholder.search(m.group(2)):
            found = m
            break
    if found is None:
        top = "\n".join(text.split("\n")[:10])
        m = line_re.search(top)
        if m:
            found = m
    if found is None:
        return NEW_COPYRIGHT + "\n\n" + ensure_nl(text), None
    old = found.group(2)
    return ensure_nl(text[:found.start(2)] + NEW_COPYRIGHT + text[found.end(2):]), old


def seed_of(*parts):
    return zlib.crc32(":".join(parts).encode("utf-8"))


def edit_words(src, fraction=0.02, keep=3):
    rng = random.Random(seed_of(src.id, "edited-2pct"))
    parts = re.findall(r"(\s*)(\S+)", src.text)
    tail = src.text[len("".join(a + b for a, b in parts)):]
    n = len(parts)
    k = max(1, round(n * fraction))
    chosen = sorted(rng.sample(range(keep, n - keep), k))
    ops = {i: rng.choice(("replace", "delete", "insert")) for i in chosen}
    out = []
    carry = None  # whitespace with a line break, kept from a deleted word
    for i, (ws, word) in enumerate(parts):
        if carry is not None:
            if "\n" not in ws:
                ws = carry
            carry = None
        op = ops.get(i)
        if op == "delete":
            if "\n" in ws:
                carry = ws
            continue
        if op == "replace":
            word = rng.choice(EDIT_VOCAB)
        elif op == "insert":
            word = word + " " + rng.choice(EDIT_VOCAB)
        out.append(ws + word)
    return ensure_nl("".join(out) + tail), k


def truncate(src, fraction=0.30):
    words = list(WORD_RE.finditer(src.text))
    cut = math.ceil(len(words) * fraction)
    end = words[cut - 1].end()
    return src.text[:end] + "\n", end


def truncated_docs(src, end):
    """Documents of src that the first `end` characters reach into."""
    docs = []
    for i, (did, offset, _kinds) in enumerate(src.docs):
        if offset >= end:
            continue
        doc_end = src.docs[i + 1][1] if i + 1 < len(src.docs) else len(src.text)
        n_doc = len(WORD_RE.findall(src.text[offset:doc_end]))
        n_kept = len(WORD_RE.findall(src.text[offset:min(end, doc_end)]))
        if end < doc_end and n_kept < 0.15 * n_doc:
            raise SystemExit("%s: truncation leaves only a sliver of %s" % (src.id, did))
        docs.append((did, PARTIAL if end < doc_end else EXACT))
    return docs


# ---------------------------------------------------------------- writing

def dump_expected(expected):
    """An expected file's bytes. Generated files (only matches, references
    and error) are one line; files with more members put each top-level
    member on a line of its own, and each member of "restrictions" and
    "notes" too, for reading and editing by hand."""
    if set(expected) <= {"matches", "references", "error"}:
        return (json.dumps(expected) + "\n").encode("utf-8")
    lines = []
    for k, v in expected.items():
        if isinstance(v, dict) and v and k in ("restrictions", "notes"):
            inner = ",\n".join("    %s: %s" % (json.dumps(ik), json.dumps(iv, ensure_ascii=False))
                               for ik, iv in v.items())
            lines.append("  %s: {\n%s\n  }" % (json.dumps(k), inner))
        else:
            lines.append("  %s: %s" % (json.dumps(k), json.dumps(v, ensure_ascii=False)))
    return ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")


def read_kept(out_dir):
    """Hand-added members of the expected files under out_dir (outside the
    hand-written folders), by path relative to out_dir."""
    kept = {}
    if not os.path.isdir(out_dir):
        return kept
    for dirpath, dirnames, filenames in os.walk(out_dir):
        rel_dir = os.path.relpath(dirpath, out_dir)
        if rel_dir == ".":
            dirnames[:] = [d for d in dirnames if d not in HAND_WRITTEN]
            continue
        for name in filenames:
            if not name.endswith(".expected.json"):
                continue
            with open(os.path.join(dirpath, name), "rb") as f:
                exp = json.loads(f.read().decode("utf-8"))
            extra = {k: v for k, v in exp.items() if k not in GENERATED_KEYS}
            if extra:
                kept[os.path.normpath(os.path.join(rel_dir, name))] = extra
    return kept


class Writer:
    def __init__(self, out_dir, kept=None):
        self.out_dir = out_dir
        self.kept = kept or {}
        self.count = 0
        self.bytes = 0

    def write(self, rel, data, matches, references=None, error=False):
        path = os.path.join(self.out_dir, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        with open(path, "wb") as f:
            f.write(data)
        stem = os.path.splitext(path)[0]
        expected = {
            "matches": [{"id": i, "kind": list(k)} for i, k in matches],
            "references": list(references or []),
            "error": bool(error),
        }
        rel_exp = os.path.normpath(os.path.relpath(stem, self.out_dir) + ".expected.json")
        variant = os.path.basename(stem)
        original = os.path.join(os.path.dirname(rel_exp), "original.expected.json")
        if (variant in FORMAT_VARIANTS
                and any(k in self.kept.get(original, {}) for k in RESTRICTION_KEYS)):
            expected["restrictions_from"] = "original.expected.json"
        expected.update(self.kept.get(rel_exp, {}))
        exp = dump_expected(expected)
        with open(stem + ".expected.json", "wb") as f:
            f.write(exp)
        self.count += 1
        self.bytes += len(data) + len(exp)


def utf16_orders(sid, both):
    """Byte orders of the UTF-16 variants. To keep the corpus under 6 MB each
    license gets one, chosen by a stable hash of its id, so both orders are
    tested across the set (--both-utf16 writes both for every license)."""
    if both:
        return ["le", "be"]
    return ["le"] if seed_of(sid, "utf16") % 2 == 0 else ["be"]


def write_license_variants(w, src, log, both_utf16=False):
    d = src.id
    all_kinds = [(did, kinds) for did, _o, kinds in src.docs]
    near = [(did, EXACT_NEAR) for did, _o, _k in src.docs]
    text = src.text

    w.write(d + "/original.txt", src.raw, all_kinds)
    w.write(d + "/rewrapped.txt", rewrap(text), near)
    w.write(d + "/c-comment.txt", c_comment(text), near)
    w.write(d + "/hash-comment.txt", hash_comment(text), near)
    w.write(d + "/slash-comment.txt", slash_comment(text), near)
    w.write(d + "/smart-quotes.txt", smart_quotes(text), near)
    w.write(d + "/crlf.txt", crlf(text), near)
    changed, old = change_copyright(src)
    w.write(d + "/copyright-changed.txt", changed, near)
    for order in utf16_orders(src.id, both_utf16):
        w.write(d + "/utf16%s.txt" % order, utf16(text, "utf-16-" + order), near)
    edited, n_edits = edit_words(src)
    w.write(d + "/edited-2pct.txt", edited, near)
    n_words = len(WORD_RE.findall(text))
    trunc_note = "skipped (under 200 words)"
    if n_words >= 200:
        cut, end = truncate(src)
        w.write(d + "/truncated.txt", cut, truncated_docs(src, end))
        trunc_note = "%d of %d chars" % (end, len(text))
    log.append("%-58s %5d words; copyright: %s; edits: %d; truncated: %s"
               % (d, n_words, ("replaced %r" % old) if old else "added at top",
                  n_edits, trunc_note))


def joined(*texts):
    return "\n\n".join(t.rstrip("\n") for t in texts) + "\n"


README_MIT_INTRO = """\
# tinytok

tinytok is a small byte-pair tokenizer for experiments with language models.
It trains a vocabulary from plain text files, encodes and decodes strings,
and saves its merges as a single JSON file that other tools can read.

It is written in pure Python and has no dependencies beyond the standard
library, so it is easy to vendor into a research code base.

## Installation

    pip install tinytok

## Usage

```python
from tinytok import Tokenizer
tok = Tokenizer.train(["corpus.txt"], vocab_size=8000)
ids = tok.encode("hello world")
```
"""

README_MIT_FOOTER = """\
---

Questions and bug reports are welcome on the issue tracker. If tinytok helped
your research, a star or a mention in your paper is appreciated.
"""

PY_BODY = '''\
"""Sharded checkpoint loader for the example model."""

import json
import os


def load_index(path):
    """Read the shard index that maps parameter names to shard files."""
    with open(os.path.join(path, "model.index.json"), encoding="utf-8") as f:
        return json.load(f)["weight_map"]


def shards(path):
    return sorted(set(load_index(path).values()))


if __name__ == "__main__":
    import sys
    for name in shards(sys.argv[1]):
        print(name)
'''

PROSE = """\
Notes on training a small language model

We trained a model with about 350 million parameters on a mixture of web
pages, books and source code. The data was deduplicated at the document level
with MinHash, and documents in languages other than English were kept only
when a language classifier was confident about them. After filtering, the
training set held a little over 40 billion tokens.

Training ran for three weeks on a cluster of sixty-four accelerators. We used
a cosine learning-rate schedule with a short warm-up, a batch of about one
million tokens, and weight decay of 0.1. The loss curve was smooth apart from
two spikes, both of which went away after we skipped the batches that caused
them and lowered the learning rate for a few hundred steps.

The most useful change turned out to be the tokenizer. A vocabulary trained
on the final data mix, rather than on web text alone, shortened code files by
almost a fifth, which made every training step cheaper and let the model see
more distinct documents within the same budget.

For evaluation we held out a sample of each source and measured perplexity on
it every thousand steps. We also ran a handful of question-answering and
summarization tasks at the end, mostly to check that nothing had gone badly
wrong. The model is not meant for deployment; it is a baseline for studying
how data quality affects what a small model learns.
"""

C_SOURCE = """\
#include <ctype.h>
#include <stdio.h>

/* Count lines, words and bytes on standard input, like a tiny wc. */

struct counts {
    unsigned long lines, words, bytes;
};

static void count(FILE *in, struct counts *c)
{
    int ch, in_word = 0;

    while ((ch = getc(in)) != EOF) {
        c->bytes++;
        if (ch == '\\n')
            c->lines++;
        if (isspace(ch)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            c->words++;
        }
    }
}

int main(void)
{
    struct counts c = {0, 0, 0};

    count(stdin, &c);
    printf("%lu %lu %lu\\n", c.lines, c.words, c.bytes);
    return ferror(stdin) ? 1 : 0;
}
"""

NAMES_ONLY_README = """\
# Example-7B

Example-7B is a seven-billion-parameter language model fine-tuned for
summarizing technical documents. It was trained on a mix of public papers,
manuals and forum threads, and it works best on inputs of up to eight
thousand tokens.

## Usage

Load the weights with any library that reads safetensors files, and prompt
the model with the document followed by the word "Summary:".

## License

This model is released under the Llama 2 Community License.
Code is under the Apache License 2.0.
"""

BINARY = (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x03\x00\x3e\x00\x01\x00\x00\x00"
          + bytes(range(256)) + b"\x00" * 200 + b"MIT License\x00\x00\x00" + b"\x00" * 64)


def write_combined(w, by_id):
    t = {k: v.text for k, v in by_id.items()}
    w.write("combined/apache-then-mit.txt", joined(t["Apache-2.0"], t["MIT"]),
            [("Apache-2.0", EXACT), ("MIT", EXACT)])
    w.write("combined/llama-3.1-license-and-aup.txt",
            joined(t["Llama-3.1-Community"], t["Llama-3.1-AUP"]),
            [("Llama-3.1-Community", EXACT), ("Llama-3.1-AUP", EXACT)])
    mit = t["MIT"].replace("Copyright (c) <year> <copyright holders>",
                           "Copyright (c) 2024 The tinytok Authors")
    w.write("combined/readme-mit.md",
            joined(README_MIT_INTRO, "## License", mit, README_MIT_FOOTER),
            [("MIT", EXACT_NEAR)])
    apache = t["Apache-2.0"].replace("Copyright [yyyy] [name of copyright owner]",
                                     "Copyright 2024 Example Labs")
    header = "#!/usr/bin/env python3\n" + hash_comment(apache)
    w.write("combined/apache-header.py", header + "\n" + PY_BODY, [("Apache-2.0", EXACT_NEAR)])


def write_decoys(w):
    w.write("decoys/prose.txt", PROSE, [])
    w.write("decoys/no-license.c", C_SOURCE, [])
    w.write("decoys/names-only-README.md", NAMES_ONLY_README, [],
            references=["Llama-2-Community", "Apache-2.0"])
    w.write("decoys/empty.txt", b"", [])
    w.write("decoys/binary.bin", BINARY, [], error=True)


README = """\
# Test corpus

Inputs for the identification and restriction tests, each with its
expected results: `X.EXT` is checked against `X.expected.json` beside it.
{count} inputs, {size}: {n_gen} generated by `tests/corpus/gen_corpus.py`
from the shared reference texts and SPDX templates (regenerate, do not edit
their inputs by hand), and {n_hand} written by hand in `clauses/` and
`modified/`. The restriction expectations ("restrictions", "openness",
"notes", ... below) are written by hand, also in generated expected files;
regeneration keeps them.

## Contents

- `<ID>/`, one folder for each of the {n_ids} licenses: {n_ref} reference
  texts, and {n_spdx} SPDX templates rendered with
  `tests/corpus/render_template.py`. Variants:
  - `original`: unchanged (for SPDX-only licenses, the rendering);
  - `rewrapped`: paragraphs re-flowed to 60 columns;
  - `c-comment`, `hash-comment`, `slash-comment`: inside comments;
  - `smart-quotes`: curly quotes, `--` as an em dash;
  - `crlf`: CR LF line ends;
  - `copyright-changed`: the copyright line replaced by
    "Copyright (c) 2025 Example Corp.", or that line added at the top;
  - `utf16le` or `utf16be`: UTF-16 with a BOM; one byte order per license,
    picked by a hash of its id, to keep the corpus under 6 MB
    (`--both-utf16` writes both);
  - `edited-2pct`: 2% of the words replaced, deleted or inserted (fixed
    seed; never the first or last 3 words);
  - `truncated`: the first 30% of the words (texts of 200 words or more).

  Expected: the license as `exact` (original) or `exact`/`near` (other
  variants), `partial` (truncated). `Llama-3-Community` holds the license
  and the Meta Llama 3 AUP, so it expects `Llama-3-AUP` as well.
  Restrictions: every `original.expected.json` lists the flags its text
  sets, read from the text by hand (not from the templates' metadata or
  the clause rules), with `"restrictions_complete": true`, the openness
  category, and a note on each judgement call. The variants that change
  only the form (all but `edited-2pct` and `truncated`) point at it with
  `"restrictions_from": "original.expected.json"`.
- `combined/`: Apache-2.0 then MIT in one file; the Llama 3.1 license then
  its AUP; MIT inside a Markdown README; Apache-2.0 in `#` comments at the
  top of a Python file.
- `decoys/`: no license text: prose, C source, a README that only names
  licenses (expects the references `Llama-2-Community` and `Apache-2.0`
  and no text match), an empty file, a binary file (expects an error).
- Conventions: `acceptable_use_policy` is set by an incorporated use
  policy, and also by a short inline list of prohibited uses (military,
  surveillance, defamation, ...) in a license that names no policy of its
  own: such a list binds the licensee like a use policy (value `"inline
  use restrictions"`). DeepFloyd-IF, SDXL-0.9, Yi and
  `modified/apache-plus-military` expect it on that ground. A daily
  active user threshold is a `mau_threshold` whose `threshold.measure` is
  `daily_active_users`. `territory_exclusion` lists one item per place.
- `clauses/` (by hand): short snippets, one clause or a few, for each flag:
  positive cases in several wordings (`<flag>-NN.txt`) and negative ones
  that mention the idea without imposing it (`<flag>-not-NN.txt`). Their
  matches are not checked (`"matches": null`); negatives list the flags
  they must not set as `null`. `clauses/README.md` lists them.
- `modified/` (by hand): reference texts with a clause inserted (a flag
  added) or deleted (a flag removed), expecting the license as `near` (or
  `exact`/`partial` where noted), its `flag_changes`, and the restrictions
  of the edited text. `modified/README.md` lists them.

SPDX renderings keep optional blocks and put each var's `original`, except
that vars whose `original` their own pattern rejects get a fitting value
(the CC `--` section dashes, `CC-licensed`, the CC0 link), and that
LGPL-3.0-only leaves out the optional copy of the GPL-3.0 its template
carries.

## Expected files

    {{"matches": [{{"id": "MIT", "kind": ["exact", "near"]}}],
     "references": [], "error": false,
     "restrictions": {{"attribution": true, "copyleft": null}},
     "restrictions_complete": true,
     "restrictions_optional": [],
     "openness": "open-source",
     "flag_changes": [{{"flag": "no_derivatives", "change": "added"}}],
     "flag_changes_complete": true,
     "notes": {{"attribution": "why, for a judgement call"}}}}

Identification: every listed match must be reported with one of its kinds;
no other match of kind exact, near or partial may be reported
(`"matches": null`: matches and references are not checked); each id under
`references` must be reported with kind `reference` (other references are
allowed); `"error": true` means the file must be reported as unreadable.

Restrictions (each member optional; without them a case is judged on
identification alone):

- `restrictions`: per flag, what the reported value must be:
  - `null` (or `false`): the flag must be absent;
  - `true`: present, any value;
  - a number: equal (`mau_threshold`);
  - a string: the value contains it, compared case-insensitively with
    whitespace collapsed, curly quotes as straight ones, dashes as `-` and
    `©` as `(c)`; against a list value, one item contains it;
  - a list: equal as a set; for `use_restrictions`, `field_of_use` and
    `termination` the items are category names compared exactly, for
    `branding` and `territory_exclusion` each reported item must contain an
    expected one and each expected one must be in some item;
  - `{{"items": [...], "optional_items": [...]}}` (list flags): every item
    of `items` and nothing outside both lists; when `items` is empty the
    flag may also be absent;
  - `{{"any_of": [E, ...]}}`: one of the alternatives holds;
  - an object for `revenue_threshold` (`amount`, `currency`) or
    `output_training_ban` (`scope`, `exception`): each member checked by
    these rules against the value's member (`null`: must be null).
- `restrictions_complete`: `true`: any flag not listed (and not optional)
  must be absent.
- `restrictions_optional`: flags accepted present (with any value) or
  absent, for genuine judgement calls; `notes` says why.
- `openness`: the category (`open-source`, `open-weight-restricted`,
  `non-commercial`, `proprietary`, `unknown`) or a list of accepted ones.
  The reported freedoms must also follow from the reported flags: `use` is
  broken by mau_threshold, revenue_threshold, acceptable_use_policy,
  use_restrictions, output_training_ban, non_commercial, field_of_use,
  territory_exclusion, remote_restriction (a threshold whose reported
  `threshold.consequence` is `duty` does not break it); `modify` by
  no_derivatives; `share` by no_redistribution, flow_down,
  non_commercial; `study` by none. Category: proprietary if
  no_derivatives or no_redistribution, else non-commercial if
  non_commercial, else open-weight-restricted if use or share is broken,
  else open-source with a license text match or any flag, else unknown.
- `values`: per flag, `{{"threshold": {{...}}, "scope": ...}}`: the members named
  of the flag's reported `threshold` (`measure`, `period`, `consequence`
  equal; `amount` equal; `currency` and `period_text` contained, as
  strings are; `duties` equal as a set; `null`: must be null) and its
  `scope` (`null`: none; a string: contained).
- `flag_changes`: each `{{"flag", "change"}}` (`added`/`removed`; with
  `"id"`, on a match of that id) must be reported in some match's
  `flag_changes`; `flag_changes_complete`: `true`: no other change may be.
- `restrictions_from`: another expected file (relative path) whose
  `restrictions`, `restrictions_complete`, `restrictions_optional` and
  `openness` apply where this file gives none.
- `notes`: free text for people (not checked).

Every flag reported in a case with restriction expectations must also have
at least one evidence span inside the file, with its text.

## Commands

Regenerate (reads the shared data folder, `../shared` beside the
repository by default; only needed when the generator or the data change;
keeps `clauses/`, `modified/` and the hand-written members of the expected
files):

    python3 tests/corpus/gen_corpus.py [--shared DIR] [-v]

Check (runs `build/licscan --json` once over all inputs; `make test-corpus`):

    python3 tests/corpus/check_corpus.py [--licscan build/licscan] [--templates DIR] [--verbose] [--only PATH] corpus

Progress of the restriction extractor, a table per flag (expected, found,
correct, wrong value, missed, spurious, precision, recall), per category
of the list flags, and the openness and flag-change tallies (exit status
0 whatever the failures):

    python3 tests/corpus/check_corpus.py --restrictions-report [--only clauses] corpus
"""


def count_hand_written(out_dir):
    """Inputs (and bytes, with their expected files) in the hand-written
    folders."""
    n = size = 0
    for sub in HAND_WRITTEN:
        for dirpath, _dirs, files in os.walk(os.path.join(out_dir, sub)):
            for name in files:
                if name == "README.md":
                    continue
                size += os.path.getsize(os.path.join(dirpath, name))
                if not name.endswith(".expected.json"):
                    n += 1
    return n, size


def human_size(n):
    return "%.1f MB" % (n / 1e6) if n >= 1e6 else "%d KB" % round(n / 1e3)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", default=os.environ.get("LICSCAN_SHARED")
                    or os.path.join(os.path.dirname(ROOT), "shared"))
    ap.add_argument("--out", default=os.path.join(ROOT, "corpus"))
    ap.add_argument("--both-utf16", action="store_true",
                    help="write utf16le and utf16be for every license (about 1 MB more)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="tell what was done to each license")
    args = ap.parse_args(argv)

    sources = load_sources(args.shared)
    os.makedirs(args.out, exist_ok=True)
    kept = read_kept(args.out)
    for name in sorted(os.listdir(args.out)):
        p = os.path.join(args.out, name)
        if os.path.isdir(p) and not os.path.islink(p) and name not in HAND_WRITTEN:
            shutil.rmtree(p)

    w = Writer(args.out, kept)
    log = []
    for src in sources:
        write_license_variants(w, src, log, args.both_utf16)
    by_id = {s.id: s for s in sources}
    write_combined(w, by_id)
    write_decoys(w)

    n_hand, hand_bytes = count_hand_written(args.out)
    n_spdx = sum(1 for s in sources if s.origin.startswith("spdx/"))
    readme = README.format(count=w.count + n_hand, size=human_size(w.bytes + hand_bytes),
                           n_gen=w.count, n_hand=n_hand, n_ids=len(sources),
                           n_ref=len(sources) - n_spdx, n_spdx=n_spdx)
    with open(os.path.join(args.out, "README.md"), "wb") as f:
        f.write(readme.encode("utf-8"))
    if args.verbose:
        print("\n".join(log))
    print("%d inputs, %s, in %s (and %d hand-written inputs kept)"
          % (w.count, human_size(w.bytes), args.out, n_hand))
    return 0


if __name__ == "__main__":
    sys.exit(main())
