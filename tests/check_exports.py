"""Check that the shared library exports exactly the public API.

The functions declared LICSCAN_API in the header must be the dynamic
symbols the library defines: a missing one breaks callers, an extra one is
an internal name that callers could start to depend on. The soname must be
the one the ABI version promises.

Run: python3 tests/check_exports.py LIBRARY HEADER SONAME
     python3 tests/check_exports.py --self-test LIBRARY HEADER SONAME
The self-test feeds the checker a header with one function too many and one
too few and fails unless both are reported, so the check can be seen to bite.
"""
import os
import re
import subprocess
import sys

# Symbols every ELF shared object may define that are not ours.
LINKER_SYMBOLS = {"_init", "_fini", "_edata", "_end", "__bss_start"}


def declared_functions(header_text):
    """Names of the functions declared with LICSCAN_API."""
    text = re.sub(r"/\*.*?\*/", " ", header_text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    # Drop preprocessor lines, where LICSCAN_API itself is defined.
    text = "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    names = set()
    for decl in re.finditer(r"\bLICSCAN_API\b([^;{]*)", text):
        # The declared name is the first identifier followed by "(".
        m = re.search(r"(\w+)\s*\(", decl.group(1))
        if m:
            names.add(m.group(1))
    return names


def exported_symbols(library):
    out = subprocess.run(["nm", "-D", "--defined-only", library],
                         capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 2:
            continue
        name = fields[-1].split("@")[0]  # drop a symbol version
        if name not in LINKER_SYMBOLS:
            names.add(name)
    return names


def soname(library):
    out = subprocess.run(["readelf", "-d", library],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return m.group(1) if m else None


def check(library, header_text, want_soname):
    """Returns a list of problems; empty when the library is right."""
    problems = []
    declared = declared_functions(header_text)
    exported = exported_symbols(library)
    if not declared:
        problems.append("no LICSCAN_API function found in the header")
    for name in sorted(declared - exported):
        problems.append(f"declared LICSCAN_API but not exported: {name}")
    for name in sorted(exported - declared):
        problems.append(f"exported but not declared LICSCAN_API: {name}")
    got = soname(library)
    if got != want_soname:
        problems.append(f"soname is {got!r}, expected {want_soname!r}")
    return problems, len(declared), len(exported)


def self_test(library, header_text, want_soname):
    declared = sorted(declared_functions(header_text))
    if not declared:
        print("check_exports self-test: no declaration found in the header")
        return 1
    # One function removed from the header, one invented.
    dropped = declared[0]
    pattern = re.compile(r"\b%s\s*\(" % re.escape(dropped))
    edited = pattern.sub("licscan_not_a_real_function_x(", header_text)
    problems, _, _ = check(library, edited, want_soname + ".wrong")
    expect = [f"declared LICSCAN_API but not exported: licscan_not_a_real_function_x",
              f"exported but not declared LICSCAN_API: {dropped}",
              "soname is"]
    missing = [e for e in expect if not any(p.startswith(e) for p in problems)]
    if missing:
        print("check_exports self-test: the checker missed: " + "; ".join(missing))
        return 1
    print(f"check_exports self-test: the checker reports all {len(expect)} planted faults")
    return 0


def main(argv):
    selftest = len(argv) > 1 and argv[1] == "--self-test"
    args = argv[2:] if selftest else argv[1:]
    if len(args) != 3:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    library, header, want_soname = args
    for path in (library, header):
        if not os.path.exists(path):
            print(f"check_exports: {path}: no such file", file=sys.stderr)
            return 2
    with open(header, encoding="utf-8") as f:
        header_text = f.read()
    if selftest:
        return self_test(library, header_text, want_soname)
    problems, ndeclared, nexported = check(library, header_text, want_soname)
    for p in problems:
        print(f"check_exports: {library}: {p}")
    if problems:
        return 1
    print(f"check_exports: {ndeclared} functions declared, {nexported} exported, "
          f"all agree; soname {want_soname}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
