#!/usr/bin/env python3
"""Check licscan against the test corpus.

Usage: check_corpus.py [--licscan CMD] [--templates DIR]... [--verbose]
                       [--timeout SECONDS] [corpus_dir]

Runs `CMD --json [--templates DIR]... FILE...` once over every input of the
corpus (default corpus_dir: corpus/ at the repository root; default CMD:
build/licscan there; CMD is split like a shell word list, so a wrapper such
as "valgrind -q build/licscan" works). Each input X.EXT in a subdirectory is
one case, judged against X.expected.json beside it:

  {"matches": [{"id": ID, "kind": [KIND, ...]}, ...],
   "references": [ID, ...], "error": false}

- every listed match must be reported with one of its kinds (each listed
  match takes one reported match);
- no other match of kind exact, near or partial may be reported;
- when "references" is a list, each id in it must be reported with kind
  "reference" (other references are always allowed);
- "error": true: the file's line must have an "error" member; false: it
  must not.

Prints one line per failed case (with --verbose, per case), then exactly
one summary line "N passed, N failed". Exit status 1 if any case failed,
else 0. Files that get no output line from the single run (a crash, say)
are run again one by one, to tell which input is to blame.

Python 3 standard library only.
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEXT_KINDS = ("exact", "near", "partial")
EXPECTED_SUFFIX = ".expected.json"


class Case:
    def __init__(self, path, expected_path):
        self.path = path
        self.expected_path = expected_path
        self.expected = None
        self.problem = None  # a failure found before running anything


def collect(corpus):
    """Cases of the corpus: inputs in its subdirectories, with their
    expected files. Top-level files (README.md) are not inputs."""
    cases = []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        if os.path.abspath(dirpath) == os.path.abspath(corpus):
            continue
        names = sorted(filenames)
        expected = {n[: -len(EXPECTED_SUFFIX)]: n for n in names if n.endswith(EXPECTED_SUFFIX)}
        inputs = [n for n in names if not n.endswith(EXPECTED_SUFFIX)]
        used = set()
        for name in inputs:
            stem = name
            if stem not in expected:
                stem = os.path.splitext(name)[0]
            path = os.path.join(dirpath, name)
            if stem not in expected:
                c = Case(path, None)
                c.problem = "no expected file (%s%s)" % (os.path.splitext(name)[0], EXPECTED_SUFFIX)
                cases.append(c)
                continue
            c = Case(path, os.path.join(dirpath, expected[stem]))
            if stem in used:
                c.problem = "%s is claimed by more than one input" % expected[stem]
            used.add(stem)
            cases.append(c)
        for stem, exp in expected.items():
            if stem not in used:
                c = Case(os.path.join(dirpath, exp), None)
                c.problem = "expected file without an input"
                cases.append(c)
    for c in cases:
        if c.problem or not c.expected_path:
            continue
        try:
            with open(c.expected_path, "rb") as f:
                c.expected = normalize_expected(json.loads(f.read().decode("utf-8")))
        except (OSError, ValueError) as e:
            c.problem = "bad expected file %s: %s" % (c.expected_path, e)
    return cases


def normalize_expected(exp):
    if not isinstance(exp, dict):
        raise ValueError("not a JSON object")
    matches = []
    for m in exp.get("matches", []):
        kinds = m["kind"]
        if isinstance(kinds, str):
            kinds = [kinds]
        matches.append({"id": m["id"], "kind": list(kinds)})
    refs = exp.get("references")
    if refs is not None and not isinstance(refs, list):
        raise ValueError('"references" must be a list')
    return {"matches": matches, "references": refs, "error": bool(exp.get("error", False))}


def run_cli(cmd, templates, files, timeout):
    """Run the CLI over files. Returns (results by file, exit status, stderr,
    stray lines)."""
    argv = list(cmd) + ["--json"]
    for t in templates:
        argv += ["--templates", t]
    argv += files
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except FileNotFoundError as e:
        return {}, None, "cannot run %s: %s" % (argv[0], e), []
    except subprocess.TimeoutExpired as e:
        out = e.stdout or b""
        res, stray = parse_lines(out)
        return res, None, "timed out after %ss" % timeout, stray
    res, stray = parse_lines(p.stdout)
    return res, p.returncode, p.stderr.decode("utf-8", "replace"), stray


def parse_lines(out):
    results = {}
    stray = []
    for line in out.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            stray.append(line)
            continue
        if isinstance(obj, dict) and isinstance(obj.get("file"), str):
            results[obj["file"]] = obj
            results.setdefault(os.path.normpath(obj["file"]), obj)
        else:
            stray.append(line)
    return results, stray


def status_text(rc):
    if rc is None:
        return "no exit status"
    if rc < 0:
        return "killed by signal %d" % -rc
    return "exit status %d" % rc


def fmt_expected(exp):
    parts = ["%s[%s]" % (m["id"], "|".join(m["kind"])) for m in exp["matches"]]
    s = ", ".join(parts) if parts else "no match"
    if exp["references"]:
        s += "; references " + ", ".join(exp["references"])
    if exp["error"]:
        s += "; an error"
    return s


def fmt_got(out):
    if out is None:
        return "no output line"
    parts = []
    for m in out.get("matches") or []:
        if not isinstance(m, dict):
            parts.append(repr(m))
            continue
        cov = m.get("coverage")
        cov_s = " %.3f" % cov if isinstance(cov, (int, float)) and m.get("kind") != "reference" else ""
        extra = ""
        ru = m.get("runner_up")
        if isinstance(ru, dict) and m.get("kind") != "reference":
            rc = ru.get("coverage")
            extra = " (runner-up %s%s)" % (ru.get("id"),
                                          " %.3f" % rc if isinstance(rc, (int, float)) else "")
        parts.append("%s %s%s%s" % (m.get("id"), m.get("kind"), cov_s, extra))
    s = ", ".join(parts) if parts else "no match"
    if "error" in out:
        s += "; error %r" % (out["error"],)
    return s


def judge(exp, out):
    """Problems of one output line against its expectation (empty: pass)."""
    if out is None:
        return ["no output line for this file"]
    problems = []
    has_error = "error" in out
    if exp["error"] and not has_error:
        problems.append("expected an error, got none")
    if not exp["error"] and has_error:
        problems.append("unexpected error %r" % (out.get("error"),))
    matches = out.get("matches")
    if matches is None:
        matches = []
    if not isinstance(matches, list):
        return problems + ["\"matches\" is not a list"]
    matches = [m for m in matches if isinstance(m, dict)]
    taken = set()
    for want in exp["matches"]:
        hit = None
        for i, m in enumerate(matches):
            if i not in taken and m.get("id") == want["id"] and m.get("kind") in want["kind"]:
                hit = i
                break
        if hit is None:
            same = [i for i, m in enumerate(matches) if i not in taken and m.get("id") == want["id"]]
            if same:
                taken.add(same[0])  # reported here, not again as unexpected
                problems.append("%s is %s, want %s" % (
                    want["id"], matches[same[0]].get("kind"), "|".join(want["kind"])))
            else:
                problems.append("%s missing" % want["id"])
        else:
            taken.add(hit)
    for i, m in enumerate(matches):
        if i in taken or m.get("kind") not in TEXT_KINDS:
            continue
        problems.append("unexpected %s %s" % (m.get("id"), m.get("kind")))
    for rid in exp["references"] or []:
        if not any(m.get("id") == rid and m.get("kind") == "reference" for m in matches):
            problems.append("reference %s missing" % rid)
    return problems


def main(argv=None):
    ap = argparse.ArgumentParser(description="Check licscan against the test corpus.")
    ap.add_argument("corpus", nargs="?", default=os.path.join(ROOT, "corpus"))
    ap.add_argument("--licscan", default=None,
                    help="command to run (default: build/licscan at the repository root)")
    ap.add_argument("--templates", action="append", default=[], metavar="DIR",
                    help="passed on to licscan (repeatable)")
    ap.add_argument("--verbose", "-v", action="store_true", help="print every case")
    ap.add_argument("--timeout", type=float, default=900,
                    help="seconds allowed for the run over all files (default 900)")
    args = ap.parse_args(argv)

    if args.licscan is None or not args.licscan.strip():
        args.licscan = os.path.join(ROOT, "build", "licscan")
    cmd = shlex.split(args.licscan)

    if not os.path.isdir(args.corpus):
        print("%s: not a directory" % args.corpus, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    cases = collect(args.corpus)
    runnable = [c for c in cases if c.problem is None]
    files = [c.path for c in runnable]

    results, rc, stderr, stray = ({}, 0, "", [])
    if files:
        results, rc, stderr, stray = run_cli(cmd, args.templates, files, args.timeout)
    for f in files:
        if f not in results and os.path.normpath(f) in results:
            results[f] = results[os.path.normpath(f)]
    missing = [f for f in files if f not in results]
    notes = []
    alone = {}
    if missing and rc is not None and (len(missing) < len(files) or rc < 0):
        # Something stopped the run part way: run the rest one by one.
        notes.append("%d of %d files got no output line from the run (%s); they were run one by one"
                     % (len(missing), len(files), status_text(rc)))
        for f in missing:
            r1, rc1, err1, _ = run_cli(cmd, args.templates, [f], min(args.timeout, 120))
            if f in r1:
                results[f] = r1[f]
            else:
                alone[f] = (rc1, err1)
    elif missing:
        err = " ".join((stderr or "").split())
        print("error: the run gave no output line for %d file(s) (%s%s)"
              % (len(missing), status_text(rc), ("; stderr: " + err[:300]) if err else ""))
    if any("error" in r for r in results.values()) and rc == 0:
        notes.append("some files were reported unreadable but the exit status was 0")
    if stray:
        notes.append("%d output line(s) were not JSON objects with a \"file\" member, e.g. %r"
                     % (len(stray), stray[0][:200]))

    passed = failed = 0
    for c in cases:
        if c.problem:
            failed += 1
            print("FAIL %s: %s" % (c.path, c.problem))
            continue
        out = results.get(c.path)
        problems = judge(c.expected, out)
        if out is None and c.path in alone:
            arc, aerr = alone[c.path]
            aerr = " ".join((aerr or "").split())
            problems = ["no output line (%s%s)" % (status_text(arc),
                                                   ("; stderr: " + aerr[:300]) if aerr else "")]
        if problems:
            failed += 1
            print("FAIL %s: %s; expected %s; got %s"
                  % (c.path, "; ".join(problems), fmt_expected(c.expected), fmt_got(out)))
        else:
            passed += 1
            if args.verbose:
                print("ok   %s: %s" % (c.path, fmt_got(out)))
    for n in notes:
        print("note: " + n)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
