"""Test of examples/embed/minimal.c: what it prints agrees with the CLI.

Run: python3 examples/embed/test_minimal.py path/to/minimal path/to/licscan
For each bundled example license, every match, restriction flag (with its
first evidence span) and the openness category that minimal prints must be
the ones the CLI reports in JSON for the same file. The C code blocks of
README.md's "The C API" section must be word for word parts of minimal.c
(indentation aside), so the README shows code that is built and tested.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples", "licenses")


def flag_value(name, value):
    """The value as minimal prints it, from the JSON member."""
    if value is True:
        return "true"
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, dict) and "amount" in value:  # revenue_threshold
        return f"{value['amount']}" + (f" {value['currency']}" if value["currency"] else "")
    if isinstance(value, dict):  # output_training_ban
        text = f"\"{value['scope'] or ''}\""
        return text + (f" (except {value['exception']})" if value["exception"] else "")
    if isinstance(value, int):
        return str(value)
    return f"\"{value}\""


def expected_lines(path, line):
    out = [f"file: {path}", f"spdx: {line['spdx'] or '(none)'}"]
    for m in line["matches"]:
        out.append(f"match: {m['id']} {m['kind']} coverage {m['coverage']:.3f} "
                   f"bytes {m['start']}-{m['end']}")
    for name, r in line.get("restrictions", {}).items():
        text = f"flag: {name} = {flag_value(name, r['value'])}"
        if r["evidence"]:
            ev = r["evidence"][0]
            text += f" (evidence bytes {ev['start']}-{ev['end']})"
        out.append(text)
    out.append(f"openness: {line['openness']['category']}")
    return out


def readme_blocks_missing_from_source():
    """The README's C API blocks that are not a run of lines of minimal.c."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    section = readme[readme.index("\n## The C API\n"):]
    section = section[:section.index("\n## ", 1)]
    blocks = re.findall(r"^```c\n(.*?)^```$", section, re.S | re.M)
    with open(os.path.join(ROOT, "examples", "embed", "minimal.c"), encoding="utf-8") as f:
        source = f.read().splitlines()
    missing = []
    for block in blocks:
        n = len(block.splitlines())
        if not any(textwrap.dedent("\n".join(source[i:i + n])) == block.rstrip("\n")
                   for i in range(len(source) - n + 1)):
            missing.append(block)
    return blocks, missing


def main(minimal, licscan):
    failures = 0
    blocks, missing = readme_blocks_missing_from_source()
    if len(blocks) < 2 or missing:
        failures += 1
        print(f"test_minimal: README.md, The C API: {len(blocks)} C blocks, "
              f"{len(missing)} not found in minimal.c:")
        for block in missing:
            print("    " + "\n    ".join(block.splitlines()))
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(EXAMPLES) for f in fs)
    for path in files:
        got = subprocess.run([minimal, path], capture_output=True, text=True, timeout=60)
        ref = subprocess.run([licscan, "--json", path], capture_output=True, text=True,
                             timeout=60)
        want = expected_lines(path, json.loads(ref.stdout))
        if got.returncode != 0 or got.stdout.splitlines() != want:
            failures += 1
            print(f"test_minimal: {path}: exit {got.returncode}, stderr {got.stderr!r}")
            print("  got:\n    " + "\n    ".join(got.stdout.splitlines()))
            print("  expected:\n    " + "\n    ".join(want))
    # The bundled Llama license must come out as exactly that.
    llama = os.path.join(EXAMPLES, "llama-3.1-model", "LICENSE")
    out = subprocess.run([minimal, llama], capture_output=True, text=True).stdout
    if "match: Llama-3.1-Community exact coverage 1.000" not in out:
        failures += 1
        print(f"test_minimal: {llama}: no exact Llama 3.1 match in:\n{out}")
    # Errors: a missing file, and bad usage.
    with tempfile.TemporaryDirectory() as tmp:
        missing = os.path.join(tmp, "no-such-file")
        p = subprocess.run([minimal, missing], capture_output=True, text=True)
        if p.returncode != 1 or "no-such-file" not in p.stderr or p.stdout:
            failures += 1
            print(f"test_minimal: missing file: exit {p.returncode}, stderr {p.stderr!r}")
        binary = os.path.join(tmp, "blob")
        with open(binary, "wb") as f:
            f.write(b"abc\0def")
        p = subprocess.run([minimal, binary], capture_output=True, text=True)
        if p.returncode != 1 or "blob" not in p.stderr:
            failures += 1
            print(f"test_minimal: binary file: exit {p.returncode}, stderr {p.stderr!r}")
    p = subprocess.run([minimal], capture_output=True, text=True)
    if p.returncode != 2 or "usage" not in p.stderr:
        failures += 1
        print(f"test_minimal: no argument: exit {p.returncode}, stderr {p.stderr!r}")
    checks = len(files) + 5
    print(f"test_minimal: {checks - failures} of {checks} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: test_minimal.py MINIMAL LICSCAN")
    sys.exit(main(sys.argv[1], sys.argv[2]))
