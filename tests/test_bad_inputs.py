"""Hostile input for the licscan CLI: a table of cases, each built in a
temporary directory and run as `licscan --json ...`, with the outcome it
must have (exit status, an "error" member or not, input flags, a match or
not). Each case prints its name and how long it took; the suite fails on
any mismatch and on any case slower than 30 s.

Run: python3 tests/test_bad_inputs.py [path/to/licscan]
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LICSCAN = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "licscan")
# seconds per case; sanitizer builds run several times slower and pass a
# larger limit through LICSCAN_TIME_LIMIT
TIME_LIMIT = float(os.environ.get("LICSCAN_TIME_LIMIT", "30"))
MIB = 1024 * 1024

with open(os.path.join(ROOT, "corpus", "MIT", "original.txt"), encoding="utf-8") as f:
    MIT = f.read()
MIT_WORDS = MIT.split()


class Line:
    """What one JSON line must say. error: None for no "error" member, or
    text the member must contain. match: None for no match at all, or the
    id of a template that must be among the matches. flags: input flags
    that must be present; no_flags: flags that must be absent."""

    def __init__(self, error=None, match=None, flags=(), no_flags=(),
                 encoding=None, check=None):
        self.error, self.match, self.encoding = error, match, encoding
        self.flags, self.no_flags, self.check = set(flags), set(no_flags), check

    def mismatches(self, obj):
        out = []
        if self.error is None and "error" in obj:
            out.append("unexpected error: %r" % obj["error"])
        if self.error is not None and self.error not in obj.get("error", ""):
            out.append("error should contain %r, got %r" % (self.error, obj.get("error")))
        ids = [m["id"] for m in obj.get("matches", [])]
        if self.match is None and ids:
            out.append("expected no match, got %s" % ids)
        if self.match is not None and self.match not in ids:
            out.append("expected a %s match, got %s" % (self.match, ids))
        flags = set(obj.get("input", []))
        if not self.flags <= flags:
            out.append("input flags %s lack %s" % (sorted(flags), sorted(self.flags - flags)))
        if self.no_flags & flags:
            out.append("input flags %s should not have %s" % (sorted(flags), sorted(self.no_flags & flags)))
        if self.encoding and obj.get("encoding") != self.encoding:
            out.append("encoding %r, expected %r" % (obj.get("encoding"), self.encoding))
        if self.check:
            problem = self.check(obj)
            if problem:
                out.append(problem)
        return out


class Case:
    """setup(dir) writes the files and returns the command-line arguments;
    rc is the expected exit status; lines the expected JSON lines in order;
    stderr a regular expression the diagnostics must match."""

    def __init__(self, name, setup, rc, lines, stderr=None, skip=None):
        self.name, self.setup, self.rc = name, setup, rc
        self.lines, self.stderr, self.skip = lines, stderr, skip


def write(d, name, data):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def mit_with(separator_between_words):
    """The MIT text with `separator` (bytes) between its first two words."""
    head, rest = MIT.split(" ", 1)
    return head.encode() + separator_between_words + rest.encode()


def utf16_with_lone_surrogate(big_endian):
    codec = "utf-16-be" if big_endian else "utf-16-le"
    bom = b"\xfe\xff" if big_endian else b"\xff\xfe"
    lone = b"\xd8\x00" if big_endian else b"\x00\xd8"  # U+D800, no pair
    head, rest = MIT.split(" ", 1)
    return bom + (head + " ").encode(codec) + lone + (" " + rest).encode(codec)


def big_repeated_word(d):
    # shared by the two 100 MB cases: written once
    path = os.path.join(os.path.dirname(d), "big-100mb.txt")
    if not os.path.exists(path):
        with open(path, "wb") as f:
            chunk = b"license " * (MIB // 8)
            for _ in range(100):
                f.write(chunk)
    return path


BACKTRACK_TEMPLATE = (
    "The Backtracking Test License. Permission is given to copy this text for "
    "testing only, provided that the value here "
    '<<var;name="v";original="aaaab";match="(a+)+b">> stays with every copy of '
    "the text.\n")


def backtrack_setup(d):
    write(d, "tpl/Backtrack.template.txt", BACKTRACK_TEMPLATE)
    write(d, "tpl/Backtrack.meta", "name: Backtracking Test License\n")
    text = BACKTRACK_TEMPLATE.split("<<")[0] + "a" * 30000 + " stays with every copy of the text.\n"
    return ["--diff", "--templates", os.path.join(d, "tpl"), write(d, "in.txt", text)]


def rejected_at_variable(obj):
    for m in obj.get("matches", []):
        if m["id"] == "Backtrack":
            ops = [x["op"] for x in m.get("differences", [])]
            if "variable" not in ops:
                return "no variable difference: %s" % ops
            codes = [w["code"] for w in obj.get("warnings", [])]
            return None if "var-limit" in codes else "no var-limit warning: %s" % codes
    return "no Backtrack match"


# The rule's `match` on line 10 does not compile.
BAD_RULES = """# a valid rule, then a broken one
rule built-with
  flag branding
  keywords built with
  match built with (?<name>\\w+)
  value capture name
end

rule broken
  match (unclosed
  flag branding
end
"""
BAD_RULES_LOCATION = r"bad\.rules:10:\d+: "

# A rule whose pattern backtracks exponentially on a long run of "a".
BACKTRACK_RULES = """rule backtrack
  flag non_commercial
  keywords aaaa
  match (a+)+b
end
"""


def backtrack_rule_setup(d):
    return ["--rules", write(d, "bt.rules", BACKTRACK_RULES),
            write(d, "f", "You shall not use " + "a" * 40 + "c by any means.\n")]


def warned(code):
    def check(obj):
        codes = [w["code"] for w in obj.get("warnings", [])]
        return None if code in codes else "no %s warning: %s" % (code, codes)
    return check


def cli_has_rules_option():
    p = subprocess.run([LICSCAN, "--help"], capture_output=True)
    return b"--rules" in p.stdout


def symlink_loop_setup(d):
    os.symlink("loop", os.path.join(d, "loop"))
    return [os.path.join(d, "loop")]


def tree_with_links_setup(d):
    t = os.path.join(d, "tree")
    write(t, "LICENSE", MIT)
    os.symlink("..", os.path.join(t, "parent"))
    os.symlink("missing", os.path.join(t, "dangling"))
    return [t]


def tree_with_loop_setup(d):
    t = os.path.join(d, "tree")
    write(t, "LICENSE", MIT)
    os.symlink("self", os.path.join(t, "self"))
    return [t]


def fifo_setup(d):
    """A FIFO named on the command line is read: a writer feeds it."""
    import threading
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "w") as f:
            f.write(MIT)
    threading.Thread(target=feed, daemon=True).start()
    return [fifo]


def tree_with_fifo_setup(d):
    t = os.path.join(d, "tree")
    write(t, "LICENSE", MIT)
    os.mkfifo(os.path.join(t, "pipe"))
    return [t]


def unreadable_setup(d):
    path = write(d, "secret.txt", MIT)
    os.chmod(path, 0)
    return [path]


def twice_setup(d):
    t = os.path.join(d, "tree")
    write(t, "LICENSE", MIT)
    return [t, t]


def same_lines(n):
    return lambda lines: None if len(set(lines)) == 1 else "the %d lines differ" % n


NON_UTF8_NAME = b"caf\xe9-\xff.txt"


def non_utf8_name_setup(d):
    path = os.path.join(os.fsencode(d), NON_UTF8_NAME)
    with open(path, "wb") as f:
        f.write(MIT.encode())
    return [path]


CASES = [
    Case("invalid UTF-8", lambda d: [write(d, "f", mit_with(b" \xff\xfe\x80 "))], 0,
         [Line(match="MIT", flags={"invalid-utf8"}, encoding="utf-8+latin-1")]),
    Case("overlong UTF-8", lambda d: [write(d, "f", mit_with(b" \xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf "))], 0,
         [Line(match="MIT", flags={"invalid-utf8"}, encoding="utf-8+latin-1")]),
    Case("UTF-8 encoded surrogate", lambda d: [write(d, "f", mit_with(b" \xed\xa0\x80 "))], 0,
         [Line(match="MIT", flags={"invalid-utf8"})]),
    Case("UTF-16LE lone surrogate", lambda d: [write(d, "f", utf16_with_lone_surrogate(False))], 0,
         [Line(match="MIT", flags={"bom", "invalid-utf16"}, encoding="utf-16le")]),
    Case("UTF-16BE lone surrogate", lambda d: [write(d, "f", utf16_with_lone_surrogate(True))], 0,
         [Line(match="MIT", flags={"bom", "invalid-utf16"}, encoding="utf-16be")]),
    Case("NUL bytes", lambda d: [write(d, "f", MIT.encode() + b"\x00\x01\x02")], 1,
         [Line(error="binary")], stderr="binary"),
    Case("empty file", lambda d: [write(d, "f", b"")], 0,
         [Line(match=None, flags={"empty"})]),
    Case("100 MB of one word, default --max-bytes (64 MiB)",
         lambda d: [big_repeated_word(d)], 1,
         [Line(error="over the limit")], stderr="over the limit"),
    Case("100 MB of one word, --max-bytes 128M",
         lambda d: ["--max-bytes", str(128 * MIB), big_repeated_word(d)], 0,
         [Line(match=None)]),
    Case("10 MB line without newline",
         lambda d: [write(d, "f", "lorem ipsum dolor " * (10 * MIB // 18) + " ".join(MIT_WORDS))], 0,
         [Line(match="MIT")]),
    Case("HTML nested 100000 deep",
         lambda d: [write(d, "f.html", "<div>" * 100000 + MIT + "</div>" * 100000)], 0,
         [Line(match="MIT")]),
    Case("Markdown quotes and bullets 250 deep",
         lambda d: [write(d, "f.md", "".join("> " * 200 + "* " * 50 + l + "\n" for l in MIT.splitlines()))], 0,
         [Line(match="MIT")]),
    Case("template var (a+)+b against 30000 a's", backtrack_setup, 0,
         [Line(match="Backtrack", flags=["var-limit"], check=rejected_at_variable)]),
    Case("clause rule (a+)+b against 40 a's", backtrack_rule_setup, 0,
         [Line(flags=["rule-limit"], check=warned("rule-limit"))],
         skip=None if cli_has_rules_option() else "this licscan has no --rules"),
    Case("rule syntax error in --templates DIR",
         lambda d: ["--templates", os.path.dirname(write(d, "rules/bad.rules", BAD_RULES)),
                    write(d, "f", MIT)], 2,
         [], stderr=BAD_RULES_LOCATION),
    Case("rule syntax error in --rules FILE",
         lambda d: ["--rules", write(d, "bad.rules", BAD_RULES), write(d, "f", MIT)], 2,
         [], stderr=BAD_RULES_LOCATION,
         skip=None if cli_has_rules_option() else "this licscan has no --rules"),
    Case("symbolic link loop", symlink_loop_setup, 1,
         [Line(error="loop")], stderr="loop"),
    Case("tree with a link to its parent, a dangling link", tree_with_links_setup, 0,
         [Line(match="MIT")]),
    Case("tree holding a link to itself", tree_with_loop_setup, 1,
         [Line(match="MIT"), Line(error="loop")], stderr="loop"),
    Case("FIFO named on the command line, with a writer", fifo_setup, 0, [Line(match="MIT")]),
    Case("tree holding a FIFO", tree_with_fifo_setup, 1,
         [Line(match="MIT"), Line(error="FIFO")], stderr="FIFO"),
    Case("file without read permission", unreadable_setup, 1,
         [Line(error="ermission")], stderr="ermission",
         skip="running as root, which reads every file" if os.geteuid() == 0 else None),
    Case("directory passed twice", twice_setup, 0, [Line(match="MIT"), Line(match="MIT")]),
    Case("file name not UTF-8", non_utf8_name_setup, 0, [Line(match="MIT")]),
]

# Whole-output checks for cases whose lines must relate to each other.
OUTPUT_CHECKS = {"directory passed twice": same_lines(2)}


def run_case(case, d):
    args = case.setup(d)
    start = time.monotonic()
    try:
        p = subprocess.run([LICSCAN, "--json", *args], capture_output=True,
                           timeout=4 * TIME_LIMIT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return time.monotonic() - start, ["no answer after %d s: hung" % (4 * TIME_LIMIT)]
    took = time.monotonic() - start
    problems = []
    if took > TIME_LIMIT:
        problems.append("took %.1f s, over %d s" % (took, TIME_LIMIT))
    if p.returncode != case.rc:
        problems.append("exit status %d, expected %d" % (p.returncode, case.rc))
    stderr = p.stderr.decode("utf-8", "replace")
    if case.stderr and not re.search(case.stderr, stderr):
        problems.append("stderr %r does not match %r" % (stderr[:300], case.stderr))
    try:
        raw = [l for l in p.stdout.decode("utf-8").splitlines() if l.strip()]
        objs = [json.loads(l) for l in raw]
    except (UnicodeDecodeError, ValueError) as e:
        return took, problems + ["output is not JSON Lines in UTF-8: %s" % e]
    if len(objs) != len(case.lines):
        problems.append("%d JSON lines, expected %d" % (len(objs), len(case.lines)))
    for i, (want, obj) in enumerate(zip(case.lines, objs)):
        problems += ["line %d: %s" % (i + 1, m) for m in want.mismatches(obj)]
    extra = OUTPUT_CHECKS.get(case.name)
    if extra and extra(raw):
        problems.append(extra(raw))
    return took, problems


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as top:
        for n, case in enumerate(CASES):
            if case.skip:
                print("%-55s skipped: %s" % (case.name, case.skip))
                continue
            d = os.path.join(top, "case%02d" % n)
            os.makedirs(d)
            took, problems = run_case(case, d)
            print("%-55s %7.3f s  %s" % (case.name, took, "FAIL" if problems else "ok"))
            for p in problems:
                print("    " + p)
            failed += bool(problems)
    print("test_bad_inputs: %d cases, %d failed" % (len(CASES), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
