"""Regenerate the fuzz seed corpora (fuzz/seeds/<target>/) from corpus/ and
licenses/, plus a few hand-made hostile inputs. Deterministic; keeps every
seed small so fuzzing starts fast.

Run from the repository root: python3 fuzz/make_seeds.py
"""
import glob
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
sys.path.insert(0, os.path.join(ROOT, "tests", "corpus"))
import render_template  # noqa: E402  (the corpus renderer)


def read(rel):
    with open(os.path.join(ROOT, rel), "rb") as f:
        return f.read()


def cut(data, limit, utf16=False):
    """The first `limit` bytes; an even count for UTF-16."""
    if len(data) <= limit:
        return data
    return data[: limit - (limit % 2)] if utf16 else data[:limit]


def write_all(target, seeds):
    d = os.path.join(SEEDS, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


SHORT_LICENSES = ["MIT", "ISC", "0BSD", "Zlib", "BSD-2-Clause", "BSD-3-Clause",
                  "BSL-1.0", "Unlicense", "gpt-oss-Usage-Policy"]
MODEL_LICENSES = ["Llama-3.1-Community", "Llama-3.1-AUP", "Llama-2-Community",
                  "Gemma-Terms-of-Use", "CreativeML-OpenRAIL-M",
                  "Stability-AI-Community-License", "Tongyi-Qianwen-License",
                  "DeepSeek-License-1.0", "Apache-2.0", "Yi-License"]

HOSTILE = {
    "invalid-utf8": b"Permission is granted \xff\xfe\x80 to use \xc3 this\n",
    "overlong": b"MIT \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf License\n",
    "surrogate-utf8": b"use \xed\xa0\x80\xed\xb0\x80 freely\n",
    "latin1": "Copyright (c) Ren\xe9 M\xfcller. Permission is hereby granted.\n".encode("latin-1"),
    "utf16le-lone-surrogate": b"\xff\xfe" + "MIT ".encode("utf-16-le") + b"\x00\xd8" + "License".encode("utf-16-le"),
    "utf16be-lone-surrogate": b"\xfe\xff" + "MIT ".encode("utf-16-be") + b"\xdc\x00" + "License".encode("utf-16-be"),
    "utf16le-odd-length": b"\xff\xfeM\x00I\x00T",
    "utf8-bom": b"\xef\xbb\xbfMIT License\r\n",
    "nul": b"MIT License\x00binary",
    "html": b"<html><body><div><p><b><i>Licensed under the <a href='x'>Apache License, Version 2.0</a></i></b></p></div></body></html>\n",
    "markdown": b"# License\n\n> **Released** under the _[MIT License](LICENSE)_.\n\n* item\n1. one\n```\ncode\n```\n",
    "comments": b"/*\n * Licensed under the Apache License, Version 2.0\n */\n// SPDX-License-Identifier: MIT\n# hash\n-- dash\n; semi\nREM basic\n",
    "wide-chars": "\ufdfa \u00bd \ufb01 \u2460 \u0130 \u1e9e \U0001f600 \u00a9 \u2014 \u201cquoted\u201d\n".encode("utf-8"),
    "crlf-mixed": b"MIT License\r\n\rline\n\r\n",
    "empty": b"",
    "reference": b"This model is released under the Llama 2 Community License.\n",
}


def decode_seeds():
    seeds = dict(HOSTILE)
    for lic in ["MIT", "Apache-2.0", "Llama-3.1-Community", "Gemma-Terms-of-Use"]:
        for variant in ["crlf", "smart-quotes", "c-comment", "hash-comment"]:
            seeds["%s-%s" % (lic, variant)] = cut(read("corpus/%s/%s.txt" % (lic, variant)), 2048)
    for path in sorted(glob.glob(os.path.join(ROOT, "corpus", "*", "utf16*.txt")))[:8]:
        lic = os.path.basename(os.path.dirname(path))
        seeds["%s-%s" % (lic, os.path.basename(path)[:-4])] = cut(open(path, "rb").read(), 2048, True)
    return seeds


def scan_seeds():
    seeds = dict(HOSTILE)
    for lic in SHORT_LICENSES:
        seeds[lic] = read("corpus/%s/original.txt" % lic)
        seeds[lic + "-edited"] = read("corpus/%s/edited-2pct.txt" % lic)
    for lic in MODEL_LICENSES:
        seeds[lic] = cut(read("corpus/%s/original.txt" % lic), 16384)
        seeds[lic + "-truncated"] = cut(read("corpus/%s/truncated.txt" % lic), 8192)
    seeds["MIT-utf16le"] = read("corpus/MIT/utf16le.txt")
    seeds["apache-header"] = read("corpus/combined/apache-header.py")
    seeds["readme-mit"] = read("corpus/combined/readme-mit.md")
    seeds["model-card.md"] = read("corpus/identification/card-other.md")
    # a template's text as published: the scan takes its answer (its
    # winner searched alone), which the target compares with a full search
    for lic in ["MIT", "Zlib", "BSD-2-Clause"]:
        text = read("licenses/%s.template.txt" % lic).decode("utf-8")
        seeds[lic + "-published"] = render_template.render(text).encode("utf-8")
    return seeds


def template_seeds():
    seeds = {}
    for i, lic in enumerate(SHORT_LICENSES + ["Llama-3.1-AUP", "OpenMDW-1.0"]):
        text = read("licenses/%s.template.txt" % lic)
        # without its id line, so the meta agrees with whatever id the mode picks
        meta = b"".join(l for l in read("licenses/%s.meta" % lic).splitlines(True)
                        if not l.startswith(b"id:"))
        mode = bytes([i % 4])
        seeds[lic] = mode + text + b"\x00" + meta
        seeds[lic + "-no-meta"] = bytes([(i + 1) % 4]) + text
    seeds["nested-optional"] = (b"\x00" + b"<<beginOptional>>" * 9 + b"x" + b"<<endOptional>>" * 9)
    seeds["backtracking-var"] = (b"\x00start <<var;name=\"v\";original=\"aaaa\";match=\"(a+)+b\">> end\x00"
                                 b"name: Backtracking\n")
    seeds["bad-regex"] = b"\x00a <<var;name=\"v\";original=\"x\";match=\"(\">> b"
    seeds["unclosed-var"] = b"\x00a <<var;name=\"v\";original=\"x\" b"
    seeds["meta-id-differs"] = b"\x02a template of a few words\x00id: Not-MIT\n"
    seeds["bad-meta"] = b"\x01some words of a template\x00id MIT\nnot a key value line\n"
    return seeds


RULES_SAMPLE = b"""rule sample-flags
  flag non_commercial
  keywords non-commercial | noncommercial
  match non-?commercial (?:use|purposes?)
  unless commercial use is permitted
  value true
end

rule sample-prefix
  flag name_prefix
  keywords beginning of
  match include "(?<p>[a-z0-9 ]+)" at the beginning
  value capture p
  qualifier const prefix
end
"""


def rules_seeds():
    seeds = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "licenses", "rules", "*.rules"))):
        name = os.path.basename(path)[:-6]
        rules = open(path, "rb").read()
        seeds[name] = rules
        seeds[name + "-llama"] = rules + b"\x00" + cut(read("corpus/Llama-3.1-Community/original.txt"), 8192)
        seeds[name + "-gemma"] = rules + b"\x00" + cut(read("corpus/Gemma-Terms-of-Use/original.txt"), 8192)
    seeds["sample"] = RULES_SAMPLE
    seeds["sample-rail"] = RULES_SAMPLE + b"\x00" + cut(read("corpus/CreativeML-OpenRAIL-M/original.txt"), 8192)
    seeds["syntax-error"] = b"rule x\n  flag no_such_flag\n  match (\nend\n"
    seeds["unterminated"] = b"rule x\n  flag branding\n  keywords built with\n"
    seeds["comment-only"] = b"# nothing here\n\n"
    return seeds


def dbfile_seeds():
    """Small compiled databases (two templates, one rule file), written by
    build/licscan --compile: mode byte bit 0 checks the checksums, bit 1
    keeps the portable loops' database (both are compared on AVX2), bit 2
    opens the bytes as a file too (read through small windows). One
    seed is of the format version before (refused: recompile), two have
    a template's words damaged (found by the scans). Skipped
    (the old seeds kept) when the CLI is not built."""
    import subprocess
    import tempfile
    cli = os.path.join(ROOT, "build", "licscan")
    if not os.path.exists(cli):
        return None
    seeds = {}
    with tempfile.TemporaryDirectory() as tmp:
        tdir = os.path.join(tmp, "templates")
        os.makedirs(tdir)
        for name in ("MIT.template.txt", "MIT.meta", "0BSD.template.txt"):
            shutil.copy(os.path.join(ROOT, "licenses", name), tdir)
        out = os.path.join(tmp, "seed.lsdb")
        subprocess.run([cli, "-q", "--no-default", "--rules",
                        os.path.join(ROOT, "licenses", "rules", "thresholds.rules"),
                        "--compile", tdir, "-o", out], check=True)
        with open(out, "rb") as f:
            db = f.read()
        # a clause memo with answers: values, qualifiers and contexts
        for name in ("Llama-3.1-Community.template.txt",
                     "Llama-3.1-Community.meta"):
            shutil.copy(os.path.join(ROOT, "licenses", name), tdir)
        rules = []
        for name in ("grants", "thresholds", "obligations"):
            rules += ["--rules", os.path.join(ROOT, "licenses", "rules",
                                              name + ".rules")]
        subprocess.run([cli, "-q", "--no-default"] + rules +
                       ["--compile", tdir, "-o", out], check=True)
        with open(out, "rb") as f:
            grants = f.read()
    seeds["mit-0bsd-checked"] = b"\x01" + db
    seeds["mit-0bsd-unchecked"] = b"\x00" + db
    seeds["mit-0bsd-portable"] = b"\x03" + db
    seeds["older-version"] = b"\x01" + db[:8] + b"\x02" + db[9:]
    seeds["truncated"] = b"\x00" + db[: len(db) // 2]
    seeds["llama-rules-memo"] = b"\x00" + grants
    # bit 2: opened as a file too, read through small windows
    seeds["mit-0bsd-windows"] = b"\x05" + db
    seeds["llama-rules-memo-windows"] = b"\x04" + grants
    seeds["truncated-windows"] = b"\x04" + db[: len(db) // 2]
    # a letter of MIT's source changed (the sources are the file's last
    # array): it opens, and the scans that read its words fail
    at = db.rfind(b"Permission is hereby granted")
    damaged = bytearray(db)
    damaged[at] ^= 0x20
    seeds["damaged-words"] = b"\x01" + bytes(damaged)
    seeds["damaged-words-portable"] = b"\x03" + bytes(damaged)
    return seeds


def main():
    dbfile = dbfile_seeds()
    if dbfile is not None:
        write_all("fuzz_dbfile", dbfile)
    write_all("fuzz_decode", decode_seeds())
    write_all("fuzz_scan", scan_seeds())
    write_all("fuzz_template", template_seeds())
    write_all("fuzz_rules", rules_seeds())
    total = sum(os.path.getsize(p) for p in glob.glob(os.path.join(SEEDS, "*", "*")))
    print("seeds: %d bytes" % total)


if __name__ == "__main__":
    main()
