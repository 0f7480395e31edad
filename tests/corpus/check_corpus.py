#!/usr/bin/env python3
"""Check licscan against the test corpus.

Usage: check_corpus.py [--licscan CMD] [--templates DIR]... [--verbose]
                       [--timeout SECONDS] [--only PATH]...
                       [--restrictions-report] [corpus_dir]

Runs `CMD --json [--templates DIR]... FILE...` once over every input of the
corpus (default corpus_dir: corpus/ at the repository root; default CMD:
build/licscan there; CMD is split like a shell word list, so a wrapper such
as "valgrind -q build/licscan" works). Each input X.EXT in a subdirectory is
one case, judged against X.expected.json beside it (corpus/README.md,
"Expected files", is the full description):

  {"matches": [{"id": ID, "kind": [KIND, ...]}, ...],
   "references": [ID, ...], "error": false,
   "restrictions": {FLAG: EXPECTED, ...}, "restrictions_complete": BOOL,
   "restrictions_optional": [FLAG, ...], "openness": CATEGORY,
   "flag_changes": [{"flag": FLAG, "change": "added"|"removed"}, ...],
   "flag_changes_complete": BOOL, "restrictions_from": FILE, "notes": ...}

Identification:
- every listed match must be reported with one of its kinds (each listed
  match takes one reported match);
- no other match of kind exact, near or partial may be reported;
  "matches": null leaves the matches (and references) unchecked;
- when "references" is a list, each id in it must be reported with kind
  "reference" (other references are always allowed);
- "error": true: the file's line must have an "error" member; false: it
  must not.

Restrictions (all optional; a file without them is judged as before):
- "restrictions": per flag, what its reported value must be. null (or
  false): the flag must be absent. true: present, any value. A number: equal.
  A string: the value (a text; for a list, one of its items) contains it,
  compared case-insensitively with whitespace collapsed, curly quotes as
  straight ones, dashes as "-" and the copyright sign as "(c)". A list: the
  reported list equals it as a set (category lists: the same names; other
  lists: each item contains an expected one and each expected one is in some
  item). {"items": [...], "optional_items": [...]}: a list holding every
  item of "items" and nothing outside both (empty "items": the flag may also
  be absent). {"any_of": [E, ...]}: one of the alternatives holds. Another
  object (revenue_threshold, output_training_ban): each member is checked
  against the value's member by these rules (null: the member is null).
- "restrictions_complete": true: a flag not listed (and not optional) must
  be absent.
- "restrictions_optional": flags accepted present (any value) or absent.
- "openness": the reported category, or a list of accepted categories; the
  reported freedoms must also follow from the reported flags (the rules in
  corpus/README.md), and so must the category.
- "flag_changes": each {"flag", "change"} (and "id", if given: of a match
  with that id) must be reported by some match; with
  "flag_changes_complete": true no other change may be reported.
- "values": per flag, {"threshold": {...}, "scope": ...}: the members of the
  flag's "threshold" object named (enums and numbers equal, "period_text"
  and "currency" contained, "duties" equal as a set, null: null) and its
  "scope" (null: none; a string: contained, as values are compared).
- "restrictions_from": a file (relative to this one) whose "restrictions",
  "restrictions_complete", "restrictions_optional" and "openness" apply
  where this file does not give its own (variants of a reference text use
  their original's).
Whenever a case has restriction expectations, each reported flag must also
have evidence spans inside the file.

Prints one line per failed case (with --verbose, per case), then exactly
one summary line "N passed, N failed". Exit status 1 if any case failed,
else 0. Files that get no output line from the single run (a crash, say)
are run again one by one, to tell which input is to blame.

--restrictions-report prints, instead of the failed cases, a table per flag
over the cases that have restriction expectations (expected, found,
correct, wrong value, missed, spurious, precision, recall), one per
category of the list flags, and the openness and flag-change tallies; then
the summary line. Its exit status is 0 whenever the run itself worked.
--only PATH (repeatable) keeps the cases under PATH (relative to the corpus
or as given), e.g. --only clauses.

Python 3 standard library only.
"""
import argparse
import json
import os
import re
import shlex
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TEXT_KINDS = ("exact", "near", "partial")
EXPECTED_SUFFIX = ".expected.json"

# The restriction flags, in the library's order (include/licscan.h).
FLAGS = [
    "mau_threshold", "revenue_threshold", "acceptable_use_policy", "use_restrictions",
    "output_training_ban", "branding", "name_prefix", "notice_text", "flow_down",
    "non_commercial", "field_of_use", "territory_exclusion", "remote_restriction",
    "license_updates", "attribution", "patent_grant", "patent_termination", "copyleft",
    "governing_law", "termination", "no_derivatives", "no_redistribution",
]
# List flags whose items are names from a fixed vocabulary: compared exactly.
CATEGORY_VOCAB = {
    "use_restrictions": {
        "weapons", "military", "surveillance", "disinformation", "discrimination",
        "harassment", "minors", "illegal_activity", "critical_infrastructure",
        "medical_advice", "legal_advice", "law_enforcement", "malware", "impersonation",
        "automated_decisions", "privacy", "violence", "self_harm", "fraud",
        "sexual_content", "ai_disclosure",
    },
    "field_of_use": {"research", "evaluation", "non_production", "personal", "education"},
    "termination": {"breach", "litigation", "at_will"},
}
# List flags whose items are free text: compared by containment.
TEXT_LIST_FLAGS = {"branding", "territory_exclusion"}
LIST_FLAGS = set(CATEGORY_VOCAB) | TEXT_LIST_FLAGS
CATEGORIES = ["open-source", "open-weight-restricted", "non-commercial", "proprietary", "unknown"]
FREEDOMS = ["use", "study", "modify", "share"]
BREAKS = {
    "use": ["mau_threshold", "revenue_threshold", "acceptable_use_policy", "use_restrictions",
            "output_training_ban", "non_commercial", "field_of_use", "territory_exclusion",
            "remote_restriction"],
    "study": [],
    "modify": ["no_derivatives"],
    "share": ["no_redistribution", "flow_down", "non_commercial"],
}
RESTRICTION_KEYS = ("restrictions", "restrictions_complete", "restrictions_optional", "openness")


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
        if "templates" in dirnames:  # templates of the cases beside it
            dirnames.remove("templates")
        if os.path.abspath(dirpath) == os.path.abspath(corpus):
            continue
        names = sorted(n for n in filenames if n != "README.md")
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
            c.expected = load_expected(c.expected_path)
        except (OSError, ValueError) as e:
            c.problem = "bad expected file %s: %s" % (c.expected_path, e)
    return cases


def case_templates(path, corpus):
    """The templates/ folder nearest above a case inside the corpus: its
    cases are scanned with those templates loaded too (a few SPDX
    templates a ranking case needs), or None."""
    d = os.path.dirname(os.path.abspath(path))
    top = os.path.abspath(corpus)
    while d.startswith(top) and d != top:
        t = os.path.join(d, "templates")
        if os.path.isdir(t):
            return t
        d = os.path.dirname(d)
    return None


def read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"))


def load_expected(path):
    raw = read_json(path)
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    src = raw.get("restrictions_from")
    if src is not None:
        if not isinstance(src, str):
            raise ValueError('"restrictions_from" must be a file name')
        other = read_json(os.path.join(os.path.dirname(path), src))
        if not isinstance(other, dict):
            raise ValueError("%s: not a JSON object" % src)
        raw = dict(raw)
        for k in RESTRICTION_KEYS:
            if k not in raw and k in other:
                raw[k] = other[k]
    return normalize_expected(raw)


def normalize_expected(exp):
    if not isinstance(exp, dict):
        raise ValueError("not a JSON object")
    if "matches" in exp and exp["matches"] is None:
        matches = None
    else:
        matches = []
        for m in exp.get("matches", []):
            kinds = m["kind"]
            if isinstance(kinds, str):
                kinds = [kinds]
            matches.append({"id": m["id"], "kind": list(kinds)})
    refs = exp.get("references")
    if refs is not None and not isinstance(refs, list):
        raise ValueError('"references" must be a list')
    out = {"matches": matches, "references": refs, "error": bool(exp.get("error", False))}

    restr = exp.get("restrictions")
    if restr is not None:
        if not isinstance(restr, dict):
            raise ValueError('"restrictions" must be an object')
        for flag, want in restr.items():
            if flag not in FLAGS:
                raise ValueError('unknown flag "%s" under "restrictions"' % flag)
            validate_spec(flag, want)
    optional = exp.get("restrictions_optional", [])
    if not isinstance(optional, list) or any(f not in FLAGS for f in optional):
        raise ValueError('"restrictions_optional" must be a list of flag names')
    complete = exp.get("restrictions_complete", False)
    if not isinstance(complete, bool):
        raise ValueError('"restrictions_complete" must be true or false')
    openness = exp.get("openness")
    if openness is not None:
        cats = [openness] if isinstance(openness, str) else openness
        if not isinstance(cats, list) or not cats or any(c not in CATEGORIES for c in cats):
            raise ValueError('"openness" must be one of %s, or a list of them' % ", ".join(CATEGORIES))
        openness = list(cats)
    changes = exp.get("flag_changes")
    if changes is not None:
        if not isinstance(changes, list):
            raise ValueError('"flag_changes" must be a list')
        for ch in changes:
            if (not isinstance(ch, dict) or ch.get("flag") not in FLAGS
                    or ch.get("change") not in ("added", "removed")):
                raise ValueError('bad "flag_changes" item %r' % (ch,))
    changes_complete = exp.get("flag_changes_complete", False)
    if not isinstance(changes_complete, bool):
        raise ValueError('"flag_changes_complete" must be true or false')
    values = exp.get("values")
    if values is not None:
        if not isinstance(values, dict):
            raise ValueError('"values" must be an object')
        for flag, want in values.items():
            if flag not in FLAGS or not isinstance(want, dict) \
                    or set(want) - {"threshold", "scope"}:
                raise ValueError('"values": %s: an object of "threshold" and "scope"' % flag)
            th = want.get("threshold")
            if th is not None and (not isinstance(th, dict) or set(th) - THRESHOLD_MEMBERS):
                raise ValueError('"values": %s: threshold members are %s'
                                 % (flag, ", ".join(sorted(THRESHOLD_MEMBERS))))
    out["values"] = values
    out.update({
        "restrictions": restr, "restrictions_complete": complete,
        "restrictions_optional": list(optional), "openness": openness,
        "flag_changes": changes, "flag_changes_complete": changes_complete,
    })
    out["has_restrictions"] = (restr is not None or complete or bool(optional)
                               or openness is not None)
    return out


def validate_spec(flag, want, depth=0):
    """Raise ValueError for an expectation no value could ever meet (a typo
    in a category name, say)."""
    if want is None or isinstance(want, bool) or isinstance(want, (int, float, str)):
        return
    if isinstance(want, list):
        if flag in CATEGORY_VOCAB:
            bad = [i for i in want if i not in CATEGORY_VOCAB[flag]]
            if bad:
                raise ValueError("%s: unknown categories %s" % (flag, ", ".join(map(str, bad))))
        if any(not isinstance(i, str) for i in want):
            raise ValueError("%s: list items must be strings" % flag)
        return
    if isinstance(want, dict):
        if "any_of" in want:
            if set(want) != {"any_of"} or not isinstance(want["any_of"], list) or not want["any_of"]:
                raise ValueError('%s: "any_of" takes a non-empty list and nothing else' % flag)
            for alt in want["any_of"]:
                validate_spec(flag, alt, depth + 1)
            return
        if "items" in want or "optional_items" in want:
            if flag not in LIST_FLAGS or set(want) - {"items", "optional_items"}:
                raise ValueError('%s: "items"/"optional_items" are for list flags' % flag)
            validate_spec(flag, want.get("items", []), depth + 1)
            validate_spec(flag, want.get("optional_items", []), depth + 1)
            return
        if depth == 0 and flag in ("revenue_threshold", "output_training_ban"):
            members = {"revenue_threshold": {"amount", "currency"},
                       "output_training_ban": {"scope", "exception"}}[flag]
            bad = set(want) - members
            if bad:
                raise ValueError("%s: unknown members %s" % (flag, ", ".join(sorted(bad))))
            for v in want.values():
                validate_spec(flag, v, depth + 1)
            return
    raise ValueError("%s: cannot read expectation %r" % (flag, want))


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
    except OSError as e:
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
    if exp["matches"] is None:
        return "any match"
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


def judge_matches(exp, out):
    problems = []
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


def judge(exp, out, path=None):
    """Problems of one output line against its expectation (empty: pass)."""
    if out is None:
        return ["no output line for this file"]
    problems = []
    has_error = "error" in out
    if exp["error"] and not has_error:
        problems.append("expected an error, got none")
    if not exp["error"] and has_error:
        problems.append("unexpected error %r" % (out.get("error"),))
    if exp["matches"] is not None:
        problems += judge_matches(exp, out)
    if exp.get("has_restrictions") or exp.get("flag_changes") is not None:
        problems += judge_restrictions(exp, out, path)
    return problems


# ---------------------------------------------------------------- values

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                         "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-",
                         "\u00a0": " ", "\u00a9": "(c)"})


def norm_text(s):
    s = str(s).translate(_QUOTES).casefold()
    s = s.replace("--", "-")
    return " ".join(s.split())


def short(v, n=90):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[: n - 3] + "..."


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_value(flag, want, got):
    """None when the reported value `got` meets the expectation `want` (the
    flag being present), else the reason it does not."""
    if want is True:
        return None
    if isinstance(want, dict) and "any_of" in want:
        reasons = []
        for alt in want["any_of"]:
            r = check_value(flag, alt, got)
            if r is None:
                return None
            reasons.append(r)
        return "none of the alternatives: " + " / ".join(reasons)
    if is_number(want):
        if not is_number(got):
            return "value %s is not a number, want %s" % (short(got), want)
        return None if got == want else "value %s, want %s" % (short(got), want)
    if isinstance(want, str):
        if isinstance(got, list):
            if any(isinstance(i, str) and norm_text(want) in norm_text(i) for i in got):
                return None
            return "no item of %s contains %s" % (short(got), short(want))
        if not isinstance(got, str):
            return "value %s is not a text, want one containing %s" % (short(got), short(want))
        if norm_text(want) in norm_text(got):
            return None
        return "value %s does not contain %s" % (short(got), short(want))
    if isinstance(want, list):
        return check_list(flag, want, [], got)
    if isinstance(want, dict) and ("items" in want or "optional_items" in want):
        return check_list(flag, want.get("items", []), want.get("optional_items", []), got)
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return "value %s is not an object, want %s" % (short(got), short(want))
        reasons = []
        for k, w in want.items():
            g = got.get(k)
            if w is None:
                if g not in (None, ""):
                    reasons.append("%s is %s, want null" % (k, short(g)))
                continue
            if g is None:
                reasons.append("%s is null, want %s" % (k, short(w)))
                continue
            r = check_value(flag, w, g)
            if r is not None:
                reasons.append("%s: %s" % (k, r))
        return "; ".join(reasons) if reasons else None
    return "cannot check expectation %s" % short(want)


def item_matches(flag, want_item, got_item):
    if not isinstance(got_item, str):
        return False
    if flag in CATEGORY_VOCAB:
        return want_item.casefold() == got_item.strip().casefold()
    return norm_text(want_item) in norm_text(got_item)


def check_list(flag, required, optional, got):
    if not isinstance(got, list):
        return "value %s is not a list" % short(got)
    missing = [w for w in required if not any(item_matches(flag, w, g) for g in got)]
    allowed = list(required) + list(optional)
    extra = [g for g in got if not any(item_matches(flag, w, g) for w in allowed)]
    if not missing and not extra:
        return None
    parts = []
    if missing:
        parts.append("missing %s" % ", ".join(missing))
    if extra:
        parts.append("unexpected %s" % ", ".join(str(g) for g in extra))
    return "%s (got %s)" % ("; ".join(parts), short(got, 200))


def expectation_of(exp, flag):
    """How the case judges a flag: ("present", want), ("absent", None),
    ("optional", want_or_None) or ("unjudged", None)."""
    restr = exp.get("restrictions") or {}
    if flag in exp.get("restrictions_optional", []):
        return "optional", None
    if flag in restr:
        want = restr[flag]
        if want is None or want is False:
            return "absent", None
        if isinstance(want, dict) and ("items" in want or "optional_items" in want) \
                and not want.get("items"):
            return "optional", want  # may be absent; if present, only these items
        return "present", want
    if exp.get("restrictions_complete"):
        return "absent", None
    return "unjudged", None


def reported_restrictions(out):
    r = out.get("restrictions")
    return r if isinstance(r, dict) else {}


def flag_value(entry):
    return entry.get("value") if isinstance(entry, dict) else entry


def judge_flag(exp, flag, restr):
    """(status, reason): status one of correct, wrong, missed, spurious,
    ok-absent, optional, unjudged; reason says what is wrong."""
    kind, want = expectation_of(exp, flag)
    present = flag in restr
    got = flag_value(restr.get(flag))
    if kind == "present":
        if not present:
            return "missed", "%s missing (want %s)" % (flag, short(want))
        r = check_value(flag, want, got)
        return ("correct", None) if r is None else ("wrong", "%s: %s" % (flag, r))
    if kind == "absent":
        if present:
            return "spurious", "unexpected %s = %s" % (flag, short(got))
        return "ok-absent", None
    if kind == "optional":
        if present and want is not None:
            r = check_value(flag, want, got)
            if r is not None:
                return "wrong", "%s: %s" % (flag, r)
        return "optional", None
    return "unjudged", None


def evidence_problems(flag, entry, size):
    if not isinstance(entry, dict):
        return ["%s: not an object with value and evidence" % flag]
    ev = entry.get("evidence")
    if not isinstance(ev, list) or not ev:
        return ["%s: no evidence" % flag]
    for e in ev:
        if not isinstance(e, dict):
            return ["%s: evidence item %s is not an object" % (flag, short(e))]
        s, t = e.get("start"), e.get("end")
        if not (isinstance(s, int) and isinstance(t, int) and 0 <= s < t
                and (size is None or t <= size)):
            return ["%s: evidence span %s-%s is not inside the file (%s bytes)" % (flag, s, t, size)]
        if not isinstance(e.get("text"), str) or not e.get("text").strip():
            return ["%s: evidence %s-%s has no text" % (flag, s, t)]
    return []


def rule_openness(out, restr):
    """(broken sets by freedom, accepted categories) that the README rules
    give for the reported flags."""
    flags = set(restr)
    broken = {fr: sorted(f for f in BREAKS[fr] if f in flags) for fr in FREEDOMS}
    # a threshold whose crossing only starts a duty keeps the freedom to use
    broken["use"] = [f for f in broken["use"]
                     if not (isinstance(restr.get(f), dict)
                             and (restr[f].get("threshold") or {}).get("consequence") == "duty")]
    if "no_derivatives" in flags or "no_redistribution" in flags:
        cats = ["proprietary"]
    elif "non_commercial" in flags:
        cats = ["non-commercial"]
    elif broken["use"] or broken["share"]:
        cats = ["open-weight-restricted"]
    elif flags:
        cats = ["open-source"]
    else:
        kinds = {m.get("kind") for m in out.get("matches") or [] if isinstance(m, dict)}
        if kinds & {"exact", "near"}:
            cats = ["open-source"]
        elif kinds & {"partial", "reference"}:
            cats = ["open-source", "unknown"]  # "a license text match": read either way
        else:
            cats = ["unknown"]
    return broken, cats


def judge_openness(exp, out, restr):
    problems = []
    op = out.get("openness")
    if not isinstance(op, dict):
        return ["no openness object"]
    cat = op.get("category")
    want = exp.get("openness")
    if want is not None and cat not in want:
        problems.append("openness %s, want %s" % (cat, "|".join(want)))
    broken, cats = rule_openness(out, restr)
    for fr in FREEDOMS:
        f = op.get(fr)
        if not isinstance(f, dict):
            problems.append("openness.%s missing" % fr)
            continue
        got = sorted(f.get("broken_by") or [])
        if got != broken[fr]:
            problems.append("openness.%s broken_by %s, but the reported flags give %s"
                            % (fr, got, broken[fr]))
        if f.get("ok") is not (not broken[fr]):
            problems.append("openness.%s ok is %s, but the reported flags give %s"
                            % (fr, f.get("ok"), not broken[fr]))
    if cat not in cats:
        problems.append("openness %s does not follow from the reported flags (%s)"
                        % (cat, "|".join(cats)))
    return problems


def reported_changes(out):
    res = []
    for m in out.get("matches") or []:
        if not isinstance(m, dict):
            continue
        for ch in m.get("flag_changes") or []:
            if isinstance(ch, dict):
                res.append((m.get("id"), ch.get("flag"), ch.get("change")))
    return res


def judge_flag_changes(exp, out):
    problems = []
    got = reported_changes(out)
    used = set()
    for want in exp["flag_changes"] or []:
        hit = None
        for i, (mid, flag, change) in enumerate(got):
            if (flag == want["flag"] and change == want["change"]
                    and ("id" not in want or want["id"] == mid)):
                hit = i
                break
        if hit is None:
            problems.append("flag change %s %s%s not reported" % (
                want["flag"], want["change"], (" on " + want["id"]) if "id" in want else ""))
        else:
            used.add(hit)
    if exp.get("flag_changes_complete"):
        for i, (mid, flag, change) in enumerate(got):
            if i not in used and not any(
                    flag == w["flag"] and change == w["change"] for w in exp["flag_changes"] or []):
                problems.append("unexpected flag change %s %s on %s" % (flag, change, mid))
    return problems


THRESHOLD_MEMBERS = {"measure", "amount", "currency", "period", "period_text",
                     "consequence", "duties"}


def judge_values(exp, restr):
    """The details under "values": per flag, "threshold" members (enums and
    numbers equal, period_text and currency contained, duties a set, null:
    null) and "scope" (null: none; a string: contained)."""
    problems = []
    for flag, want in (exp.get("values") or {}).items():
        entry = restr.get(flag)
        if not isinstance(entry, dict):
            problems.append("values: %s not reported" % flag)
            continue
        if "scope" in want:
            got = entry.get("scope")
            if want["scope"] is None:
                if got is not None:
                    problems.append("values: %s scope %s, want none" % (flag, short(got)))
            elif got is None or norm_text(want["scope"]) not in norm_text(got):
                problems.append("values: %s scope %s, want %s" % (flag, short(got), short(want["scope"])))
        th = want.get("threshold")
        if th is None:
            continue
        got = entry.get("threshold")
        if not isinstance(got, dict):
            problems.append("values: %s has no threshold" % flag)
            continue
        for k, w in th.items():
            g = got.get(k)
            if k == "duties":
                ok = isinstance(g, list) and sorted(g) == sorted(w)
            elif w is None:
                ok = g is None
            elif k in ("period_text", "currency"):
                ok = isinstance(g, str) and norm_text(w) in norm_text(g)
            else:
                ok = g == w
            if not ok:
                problems.append("values: %s threshold %s %s, want %s" % (flag, k, short(g), short(w)))
    return problems


def judge_restrictions(exp, out, path):
    problems = []
    restr = reported_restrictions(out)
    if "restrictions" in out and not isinstance(out.get("restrictions"), dict):
        problems.append('"restrictions" is not an object')
    if exp.get("has_restrictions"):
        for flag in FLAGS:
            status, reason = judge_flag(exp, flag, restr)
            if reason:
                problems.append(reason)
        for flag in restr:
            if flag not in FLAGS:
                problems.append("unknown flag %s reported" % flag)
        size = None
        if path:
            try:
                size = os.path.getsize(path)
            except OSError:
                pass
        for flag, entry in restr.items():
            problems += evidence_problems(flag, entry, size)
        problems += judge_openness(exp, out, restr)
    if exp.get("values"):
        problems += judge_values(exp, restr)
    if exp.get("flag_changes") is not None:
        problems += judge_flag_changes(exp, out)
    return problems


# ---------------------------------------------------------------- report

def case_group(path, corpus):
    """Report group of a case: its folder for hand-written and combined
    cases; for license folders, originals apart from the other variants."""
    rel = os.path.relpath(path, corpus).split(os.sep)
    if len(rel) < 2:
        return "other"
    if rel[0] in ("clauses", "modified", "combined", "decoys"):
        return rel[0]
    return "license originals" if rel[-1].startswith("original.") else "license variants"


def restrictions_report(judged, corpus):
    """judged: list of (case, out, passed) with restriction expectations.
    Returns the report's lines."""
    stats = {f: {"expected": 0, "found": 0, "correct": 0, "wrong": 0, "missed": 0,
                 "spurious": 0, "absent_ok": 0} for f in FLAGS}
    items = {}
    op_total = op_right = 0
    fc_want = fc_found = fc_spurious = 0
    n_cases = 0
    groups = {}
    for c, out, ok in judged:
        g = groups.setdefault(case_group(c.path, corpus), [0, 0])
        g[0] += 1
        g[1] += 1 if ok else 0
        exp = c.expected
        if out is None:
            continue
        if exp.get("has_restrictions"):
            n_cases += 1
            restr = reported_restrictions(out)
            for flag in FLAGS:
                status, _ = judge_flag(exp, flag, restr)
                s = stats[flag]
                kind, want = expectation_of(exp, flag)
                if kind == "present":
                    s["expected"] += 1
                if status in ("correct", "wrong", "spurious"):
                    s["found"] += 1
                if status == "correct":
                    s["correct"] += 1
                elif status == "wrong":
                    s["wrong"] += 1
                elif status == "missed":
                    s["missed"] += 1
                elif status == "spurious":
                    s["spurious"] += 1
                elif status == "ok-absent":
                    s["absent_ok"] += 1
                if flag in CATEGORY_VOCAB and kind in ("present", "absent", "optional"):
                    tally_items(items, flag, kind, want, restr)
            if exp.get("openness") is not None:
                op_total += 1
                cat = (out.get("openness") or {}).get("category")
                if cat in exp["openness"]:
                    op_right += 1
        if exp.get("flag_changes") is not None:
            got = reported_changes(out)
            wanted = [(w["flag"], w["change"]) for w in exp["flag_changes"]]
            fc_want += len(wanted)
            fc_found += sum(1 for w in wanted if any((f, ch) == w for _m, f, ch in got))
            if exp.get("flag_changes_complete"):
                fc_spurious += sum(1 for _m, f, ch in got if (f, ch) not in wanted)

    def pct(a, b):
        return "%5.1f%%" % (100.0 * a / b) if b else "    - "

    lines = ["restrictions report: %d cases with restriction expectations" % n_cases]
    lines.append("%-22s %6s %6s" % ("group", "cases", "passed"))
    for g in sorted(groups):
        lines.append("%-22s %6d %6d" % (g, groups[g][0], groups[g][1]))
    lines += ["",
             "%-22s %8s %6s %7s %6s %6s %8s %9s %6s" % (
                 "flag", "expected", "found", "correct", "wrong", "missed", "spurious",
                 "precision", "recall")]
    tot = {k: 0 for k in ("expected", "found", "correct", "wrong", "missed", "spurious")}
    for f in FLAGS:
        s = stats[f]
        for k in tot:
            tot[k] += s[k]
        lines.append("%-22s %8d %6d %7d %6d %6d %8d %9s %6s" % (
            f, s["expected"], s["found"], s["correct"], s["wrong"], s["missed"], s["spurious"],
            pct(s["correct"], s["found"]), pct(s["correct"], s["expected"])))
    lines.append("%-22s %8d %6d %7d %6d %6d %8d %9s %6s" % (
        "all flags", tot["expected"], tot["found"], tot["correct"], tot["wrong"], tot["missed"],
        tot["spurious"], pct(tot["correct"], tot["found"]), pct(tot["correct"], tot["expected"])))
    if items:
        lines.append("")
        lines.append("%-42s %8s %7s %6s %8s %9s %6s" % (
            "list item", "expected", "correct", "missed", "spurious", "precision", "recall"))
        for key in sorted(items):
            s = items[key]
            found = s["correct"] + s["spurious"]
            lines.append("%-42s %8d %7d %6d %8d %9s %6s" % (
                key, s["expected"], s["correct"], s["missed"], s["spurious"],
                pct(s["correct"], found), pct(s["correct"], s["expected"])))
    lines.append("")
    lines.append("openness category: %d of %d right" % (op_right, op_total))
    lines.append("flag changes: %d of %d expected reported; %d unexpected (where complete)"
                 % (fc_found, fc_want, fc_spurious))
    return lines


def tally_items(items, flag, kind, want, restr):
    if kind == "present" and isinstance(want, list):
        required, optional = want, []
    elif isinstance(want, dict) and ("items" in want or "optional_items" in want):
        required, optional = want.get("items", []), want.get("optional_items", [])
    elif kind == "absent":
        required, optional = [], []
    else:
        return  # true, or optional without a value: items not judged
    got = flag_value(restr.get(flag)) if flag in restr else []
    got = [g.strip().casefold() for g in got if isinstance(g, str)] if isinstance(got, list) else []
    for w in required:
        s = items.setdefault("%s.%s" % (flag, w), {"expected": 0, "correct": 0, "missed": 0,
                                                   "spurious": 0})
        s["expected"] += 1
        if w in got:
            s["correct"] += 1
        else:
            s["missed"] += 1
    for g in got:
        if g not in required and g not in optional:
            s = items.setdefault("%s.%s" % (flag, g), {"expected": 0, "correct": 0, "missed": 0,
                                                       "spurious": 0})
            s["spurious"] += 1


# ---------------------------------------------------------------- main

def under(path, prefixes, corpus):
    if not prefixes:
        return True
    p = os.path.abspath(path)
    for pre in prefixes:
        for base in (os.path.join(corpus, pre), pre):
            b = os.path.abspath(base)
            if p == b or p.startswith(b.rstrip(os.sep) + os.sep):
                return True
    return False


KNOWN_FAILURES = "KNOWN_FAILURES.txt"


def load_known_failures(corpus):
    """Cases the current code is known to get wrong: `PATH  # reason`
    lines in KNOWN_FAILURES.txt at the corpus root, PATH relative to it.
    They are reported as XFAIL and not counted; one that passes is a
    failure (XPASS) until it is taken off the list, so the list stays
    true."""
    known = {}
    path = os.path.join(corpus, KNOWN_FAILURES)
    if not os.path.exists(path):
        return known
    with open(path, encoding="utf-8") as f:
        for line in f:
            entry, _, reason = line.partition("#")
            entry = entry.strip()
            if entry:
                known[os.path.normpath(entry)] = reason.strip() or "known failure"
    return known


# Variants that change only a text's layout or encoding: what they impose
# must read exactly as in the original beside them (values, qualifiers,
# evidence text, labels, rules, openness); only offsets may move.
LAYOUT_VARIANTS = ("c-comment.txt", "hash-comment.txt", "slash-comment.txt",
                   "crlf.txt", "smart-quotes.txt", "utf16le.txt", "utf16be.txt",
                   "copyright-changed.txt")


def obligations(out):
    restr = {}
    for flag, entry in (out.get("restrictions") or {}).items():
        if entry:
            restr[flag] = (json.dumps(entry.get("value"), sort_keys=True),
                           json.dumps(entry.get("qualifier")),
                           [(e.get("text"), e.get("label"), e.get("rule"))
                            for e in entry.get("evidence", [])])
    return restr, json.dumps(out.get("openness"), sort_keys=True)


def layout_problems(results):
    """Layout variants whose obligations differ from their original's."""
    problems = []
    for path, out in sorted(results.items()):
        d, base = os.path.split(path)
        orig = results.get(os.path.join(d, "original.txt"))
        if base not in LAYOUT_VARIANTS or orig is None or "error" in out:
            continue
        (mine, my_open), (theirs, their_open) = obligations(out), obligations(orig)
        flags = sorted(f for f in set(mine) | set(theirs) if mine.get(f) != theirs.get(f))
        if flags or my_open != their_open:
            problems.append("%s: reads differently from original.txt (%s)"
                            % (path, ", ".join(flags) or "openness"))
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
    ap.add_argument("--only", action="append", default=[], metavar="PATH",
                    help="only the cases under PATH (relative to the corpus, or as given)")
    ap.add_argument("--restrictions-report", action="store_true",
                    help="print a per-flag table of the restriction expectations instead of "
                         "the failed cases; exit status 0 when the run worked")
    args = ap.parse_args(argv)

    if args.licscan is None or not args.licscan.strip():
        args.licscan = os.path.join(ROOT, "build", "licscan")
    cmd = shlex.split(args.licscan)

    if not os.path.isdir(args.corpus):
        print("%s: not a directory" % args.corpus, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    cases = [c for c in collect(args.corpus) if under(c.path, args.only, args.corpus)]
    runnable = [c for c in cases if c.problem is None]
    files = [c.path for c in runnable]

    results, rc, stderr, stray = ({}, 0, "", [])
    groups = {}
    for f in files:
        groups.setdefault(case_templates(f, args.corpus), []).append(f)
    for extra, group in sorted(groups.items(), key=lambda kv: kv[0] or ""):
        templates = args.templates + ([extra] if extra else [])
        r1, rc1, err1, stray1 = run_cli(cmd, templates, group, args.timeout)
        results.update(r1)
        rc = rc1 if rc1 else rc
        stderr += err1 or ""
        stray += stray1
    for f in files:
        if f not in results and os.path.normpath(f) in results:
            results[f] = results[os.path.normpath(f)]
    missing = [f for f in files if f not in results]
    notes = []
    alone = {}
    run_failed = False
    if missing and rc is not None and (len(missing) < len(files) or rc < 0):
        # Something stopped the run part way: run the rest one by one.
        notes.append("%d of %d files got no output line from the run (%s); they were run one by one"
                     % (len(missing), len(files), status_text(rc)))
        for f in missing:
            extra = case_templates(f, args.corpus)
            r1, rc1, err1, _ = run_cli(cmd, args.templates + ([extra] if extra else []), [f],
                                       min(args.timeout, 120))
            if f in r1:
                results[f] = r1[f]
            else:
                alone[f] = (rc1, err1)
    elif missing:
        run_failed = True
        err = " ".join((stderr or "").split())
        print("error: the run gave no output line for %d file(s) (%s%s)"
              % (len(missing), status_text(rc), ("; stderr: " + err[:300]) if err else ""))
    if any("error" in r for r in results.values()) and rc == 0:
        notes.append("some files were reported unreadable but the exit status was 0")
    if stray:
        notes.append("%d output line(s) were not JSON objects with a \"file\" member, e.g. %r"
                     % (len(stray), stray[0][:200]))

    known = load_known_failures(args.corpus)
    xfailed = 0
    passed = failed = 0
    judged = []
    quiet = args.restrictions_report and not args.verbose
    for c in cases:
        if c.problem:
            failed += 1
            print("FAIL %s: %s" % (c.path, c.problem))
            continue
        out = results.get(c.path)
        problems = judge(c.expected, out, c.path)
        if out is None and c.path in alone:
            arc, aerr = alone[c.path]
            aerr = " ".join((aerr or "").split())
            problems = ["no output line (%s%s)" % (status_text(arc),
                                                   ("; stderr: " + aerr[:300]) if aerr else "")]
        if c.expected.get("has_restrictions") or c.expected.get("flag_changes") is not None:
            judged.append((c, out, not problems))
        rel = os.path.relpath(c.path, args.corpus)
        if rel in known:
            if problems:
                xfailed += 1
                if not quiet:
                    print("XFAIL %s (%s): %s" % (c.path, known[rel], "; ".join(problems)))
            else:
                failed += 1
                print("XPASS %s: passes now; take it off %s" % (c.path, KNOWN_FAILURES))
            continue
        if problems:
            failed += 1
            if not quiet:
                if c.expected["matches"] is None and out is not None:
                    print("FAIL %s: %s" % (c.path, "; ".join(problems)))
                else:
                    print("FAIL %s: %s; expected %s; got %s"
                          % (c.path, "; ".join(problems), fmt_expected(c.expected), fmt_got(out)))
        else:
            passed += 1
            if args.verbose:
                print("ok   %s: %s" % (c.path, fmt_got(out)))
    for problem in layout_problems(results):
        failed += 1
        print("FAIL " + problem)
    if args.restrictions_report:
        for line in restrictions_report(judged, args.corpus):
            print(line)
    for n in notes:
        print("note: " + n)
    if known:
        print("%d known failures (listed in %s)" % (xfailed, KNOWN_FAILURES))
    print("%d passed, %d failed" % (passed, failed))
    if args.restrictions_report:
        return 1 if run_failed or not files else 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
