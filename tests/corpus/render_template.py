#!/usr/bin/env python3
"""Render an SPDX-markup license template to plain text.

The markup (see shared/spdx/README.md):

  <<var;name="NAME";original="ORIGINAL";match="REGEX">>   replaceable text
  <<beginOptional>> ... <<endOptional>>                  text that may be left out

Rendering replaces every var by its `original`, keeps optional blocks (or
drops them with --drop-optional) and removes the markup. Anything else that
starts with "<<" (for example "<<<endOptional>>", a literal "<" before a
marker) is ordinary text.

Usage:
  render_template.py TEMPLATE                    rendering on stdout
  render_template.py TEMPLATE -o OUT             rendering into OUT
  render_template.py --out-dir DIR TEMPLATE...   DIR/<ID>.txt for each
                                                 <ID>.template.txt given
  render_template.py --check TEMPLATE...         parse only; report vars whose
                                                 original their own pattern
                                                 rejects (Python re dialect)
Options:
  --drop-optional   leave optional blocks out instead of keeping them
  --set NAME=VALUE  use VALUE for every var called NAME (repeatable)

As a module: render(text, keep_optional=True, values=None) -> str,
parse(text) -> nodes, check(text, values=None) -> list of problems.
Python 3 standard library only.
"""
import argparse
import os
import re
import sys

VAR_OPEN = "<<var;"
BEGIN_OPT = "<<beginOptional>>"
END_OPT = "<<endOptional>>"


class TemplateError(ValueError):
    pass


class Var:
    __slots__ = ("name", "original", "match", "offset")

    def __init__(self, name, original, match, offset):
        self.name, self.original, self.match, self.offset = name, original, match, offset

    def __repr__(self):
        return "Var(%r, %r, %r)" % (self.name, self.original, self.match)


class Optional:
    __slots__ = ("children", "offset")

    def __init__(self, offset):
        self.children = []
        self.offset = offset

    def __repr__(self):
        return "Optional(%r)" % (self.children,)


def _line_col(text, offset):
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return "%d:%d" % (line, col)


def _parse_var(text, pos):
    """Parse the var starting at text[pos] ("<<var;"). Returns (Var, end)."""
    name_key = VAR_OPEN + 'name="'
    if not text.startswith(name_key, pos):
        raise TemplateError("%s: var without name=" % _line_col(text, pos))
    p = pos + len(name_key)
    i_orig = text.find('";original="', p)
    if i_orig < 0:
        raise TemplateError("%s: var without original=" % _line_col(text, pos))
    name = text[p:i_orig]
    p = i_orig + len('";original="')
    i_match = text.find('";match="', p)
    if i_match < 0:
        raise TemplateError("%s: var without match=" % _line_col(text, pos))
    original = text[p:i_match]
    p = i_match + len('";match="')
    i_end = text.find('">>', p)
    if i_end < 0:
        raise TemplateError("%s: unterminated var" % _line_col(text, pos))
    match = text[p:i_end]
    if "\n" in name or "<<" in name:
        raise TemplateError("%s: malformed var name %r" % (_line_col(text, pos), name))
    return Var(name, original, match, pos), i_end + 3


def parse(text):
    """Parse template text into a list of nodes: str, Var and Optional."""
    root = []
    stack = [root]
    opens = []
    buf = []
    pos = 0
    n = len(text)

    def flush():
        if buf:
            stack[-1].append("".join(buf))
            buf.clear()

    while pos < n:
        i = text.find("<<", pos)
        if i < 0:
            buf.append(text[pos:])
            break
        buf.append(text[pos:i])
        if text.startswith(VAR_OPEN, i):
            flush()
            var, pos = _parse_var(text, i)
            stack[-1].append(var)
        elif text.startswith(BEGIN_OPT, i):
            flush()
            opt = Optional(i)
            stack[-1].append(opt)
            stack.append(opt.children)
            opens.append(i)
            pos = i + len(BEGIN_OPT)
        elif text.startswith(END_OPT, i):
            flush()
            if len(stack) == 1:
                raise TemplateError("%s: endOptional without beginOptional" % _line_col(text, i))
            stack.pop()
            opens.pop()
            pos = i + len(END_OPT)
        else:
            # A literal "<": the next "<<" may start one character later.
            buf.append("<")
            pos = i + 1
    flush()
    if len(stack) != 1:
        raise TemplateError("%s: beginOptional never closed" % _line_col(text, opens[-1]))
    return root


def _emit(nodes, keep_optional, values, out):
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Var):
            out.append(values.get(node.name, node.original))
        elif keep_optional is True or (callable(keep_optional) and keep_optional(node)):
            _emit(node.children, keep_optional, values, out)


def _tidy(text):
    # Trailing blanks at line ends and runs of blank lines carry no words.
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    out = []
    for line in lines:
        if line == "" and out and out[-1] == "":
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def render(text, keep_optional=True, values=None):
    """Plain text of a template: vars -> original (or values[name] when
    given), optional blocks kept or dropped, markup removed, trailing blanks
    and repeated blank lines tidied. keep_optional may also be a function
    of an Optional node (see node_text) that says whether to keep it."""
    if text.startswith("\ufeff"):
        text = text[1:]
    out = []
    _emit(parse(text), keep_optional, values or {}, out)
    return _tidy("".join(out))


def node_text(node, values=None):
    """Text of a node (str, Var or Optional) with everything inside kept."""
    out = []
    nodes = node.children if isinstance(node, Optional) else [node]
    _emit(nodes, True, values or {}, out)
    return "".join(out)


def iter_vars(nodes):
    for node in nodes:
        if isinstance(node, Var):
            yield node
        elif isinstance(node, Optional):
            yield from iter_vars(node.children)


_POSIX_CLASSES = {
    "[:space:]": r"\s", "[:alpha:]": "a-zA-Z", "[:digit:]": "0-9",
    "[:alnum:]": "a-zA-Z0-9", "[:upper:]": "A-Z", "[:lower:]": "a-z",
    "[:punct:]": r"!-/:-@\[-`{-~", "[:blank:]": r" \t",
}


def _py_pattern(ere):
    for k, v in _POSIX_CLASSES.items():
        ere = ere.replace(k, v)
    return ere


def var_accepts(var, value):
    """Whether var's pattern accepts value (Python re approximation of the
    POSIX ERE; case-insensitive; whitespace collapsed). None if the pattern
    cannot be compiled."""
    try:
        rx = re.compile(_py_pattern(var.match), re.IGNORECASE | re.DOTALL)
    except re.error:
        return None
    return bool(rx.fullmatch(value) or rx.fullmatch(" ".join(value.split())))


def check(text, values=None):
    """Problems found in a template: a list of strings (empty when fine)."""
    problems = []
    values = values or {}
    for var in iter_vars(parse(text)):
        value = values.get(var.name, var.original)
        ok = var_accepts(var, value)
        if ok is None:
            problems.append("%s: var %s: pattern not understood by Python re"
                            % (_line_col(text, var.offset), var.name))
            continue
        if not ok:
            problems.append("%s: var %s: value %r not matched by %r"
                            % (_line_col(text, var.offset), var.name, value, var.match))
    return problems


def template_id(path):
    base = os.path.basename(path)
    for suffix in (".template.txt", ".txt"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def read_template(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description="Render SPDX-markup templates to plain text.")
    ap.add_argument("templates", nargs="+", metavar="TEMPLATE")
    ap.add_argument("-o", "--output", help="output file (one template only)")
    ap.add_argument("--out-dir", help="write DIR/<ID>.txt for each template")
    ap.add_argument("--drop-optional", action="store_true",
                    help="leave optional blocks out instead of keeping them")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="use VALUE instead of the original for every var called NAME")
    ap.add_argument("--check", action="store_true",
                    help="only parse, and report vars whose original fails their pattern")
    args = ap.parse_args(argv)

    if args.output and len(args.templates) != 1:
        ap.error("-o takes exactly one TEMPLATE")
    if not args.out_dir and not args.output and not args.check and len(args.templates) != 1:
        ap.error("several templates need --out-dir")

    values = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            ap.error("--set wants NAME=VALUE")
        values[name] = value

    status = 0
    if args.out_dir:
        os.makedirs(args.out_dir, exist_ok=True)
    for path in args.templates:
        try:
            text = read_template(path)
            if args.check:
                for p in check(text, values):
                    print("%s:%s" % (path, p))
                continue
            rendered = render(text, keep_optional=not args.drop_optional, values=values)
        except (OSError, UnicodeDecodeError, TemplateError) as e:
            print("%s: %s" % (path, e), file=sys.stderr)
            status = 1
            continue
        data = rendered.encode("utf-8")
        if args.out_dir:
            dest = os.path.join(args.out_dir, template_id(path) + ".txt")
        else:
            dest = args.output
        if dest:
            with open(dest, "wb") as f:
                f.write(data)
        else:
            sys.stdout.buffer.write(data)
    return status


if __name__ == "__main__":
    sys.exit(main())
