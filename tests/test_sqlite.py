"""The SQLite extension in the sqlite3 program: a table of corpus texts,
every answer of licscan_spdx, licscan_json and licscan_flag compared with
the CLI's JSON for the same file; then NULL, blob, number, binary and bad
flag arguments, a generated column (the functions are deterministic), a
second load and a second connection.

    python3 tests/test_sqlite.py SQLITE3 EXTENSION LICSCAN

Run from the top of the source tree (make test-sqlite). SQLITE_PRELOAD in
the environment is a library to preload into sqlite3 (the ASan runtime,
for a sanitizer build of the extension).
"""
import glob
import json
import os
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def run_sqlite(sqlite3, script, expect_ok=True):
    env = dict(os.environ)
    if env.get("SQLITE_PRELOAD"):
        env["LD_PRELOAD"] = env["SQLITE_PRELOAD"]
        # LeakSanitizer at exit: a database the connection's destructor
        # does not free is a leak.
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    p = subprocess.run([sqlite3, "-bail", ":memory:"], input=script.encode(),
                       capture_output=True, env=env, timeout=600)
    if expect_ok and (p.returncode != 0 or p.stderr):
        sys.exit(f"test_sqlite: sqlite3 failed ({p.returncode}):\n{p.stderr.decode()}")
    return p


def json_rows(out):
    """The rows of every SELECT of a `.mode json` run, concatenated."""
    text, rows, dec, i = out.decode("utf-8"), [], json.JSONDecoder(), 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return rows
        part, i = dec.raw_decode(text, i)
        rows.extend(part)


def main():
    sqlite3, ext, cli = sys.argv[1:4]
    ext = os.path.splitext(os.path.abspath(ext))[0]  # .load adds the suffix
    files = sorted(glob.glob("corpus/*/original.txt") + glob.glob("corpus/modified/*.txt") +
                   glob.glob("corpus/Llama-3.1-Community/*.txt"))
    files = sorted(set(files))
    assert len(files) > 60, files
    out = subprocess.run([cli, "--json", *files], capture_output=True).stdout
    want = {}
    for line in out.decode().splitlines():
        w = json.loads(line)
        want[w.pop("file")] = w
    check(sorted(want) == files, "the CLI reported every file")
    flag_names = [l.split()[1] for l in open("include/licscan.h")
                  if l.startswith("#define LICSCAN_FLAG_")]
    flag_names = [n[len("LICSCAN_FLAG_"):].lower() for n in flag_names]
    assert len(flag_names) >= 22, flag_names

    load = f".load {sql_str(ext)}\n"
    inserts = "".join(f"INSERT INTO t VALUES ({sql_str(f)}, readfile({sql_str(f)}));\n"
                      for f in files)
    flags = "".join(f"INSERT INTO flags VALUES ({sql_str(n)});\n" for n in flag_names)
    script = (load + ".mode json\n"
              "CREATE TABLE t(path TEXT PRIMARY KEY, body BLOB);\n" + inserts +
              "CREATE TABLE flags(name TEXT);\n" + flags +
              "SELECT path, licscan_spdx(body) AS spdx, licscan_json(body) AS json FROM t;\n"
              "SELECT t.path, f.name, licscan_flag(body, f.name) AS value FROM t, flags f;\n"
              # The same bytes given as TEXT: the same answers for UTF-8 files.
              "SELECT count(*) AS differ FROM t WHERE path NOT LIKE '%utf16%' AND "
              "licscan_json(CAST(body AS TEXT)) IS NOT licscan_json(body);\n")
    rows = json_rows(run_sqlite(sqlite3, script).stdout)
    scans = [r for r in rows if "spdx" in r]
    values = [r for r in rows if "value" in r]
    [differ] = [r for r in rows if "differ" in r]
    check(len(scans) == len(files), f"{len(scans)} scan rows for {len(files)} files")
    for r in scans:
        w = want[r["path"]]
        check(r["spdx"] == w["spdx"], f"{r['path']}: licscan_spdx {r['spdx']!r}, CLI {w['spdx']!r}")
        check(json.loads(r["json"]) == w, f"{r['path']}: licscan_json differs from the CLI's JSON")
    check(len(values) == len(files) * len(flag_names), "a row per file and flag")
    set_flags = 0
    for r in values:
        w = want[r["path"]]["restrictions"].get(r["name"])
        if w is None:
            check(r["value"] is None, f"{r['path']}: {r['name']} is {r['value']!r}, CLI: not set")
        else:
            set_flags += 1
            check(r["value"] is not None and json.loads(r["value"]) == w["value"],
                  f"{r['path']}: {r['name']} is {r['value']!r}, CLI {w['value']!r}")
    check(set_flags > 300, f"only {set_flags} flags set over the corpus texts")
    check(differ["differ"] == 0, f"{differ['differ']} UTF-8 texts answer differently as TEXT")
    # Each shape of value met at least once.
    shapes = {type(json.loads(r["value"])).__name__ for r in values if r["value"]}
    check(shapes >= {"int", "str", "list", "bool", "dict"}, f"value shapes seen: {shapes}")

    # Edge cases, one row of named columns.
    mit = "corpus/MIT/original.txt"
    script = (load + ".mode json\n"
              "SELECT licscan_spdx(NULL) AS spdx_null, licscan_json(NULL) AS json_null,"
              " licscan_flag(NULL, 'mau_threshold') AS flag_null,"
              " licscan_spdx(x'') AS empty_blob, licscan_spdx('') AS empty_text,"
              " licscan_spdx(42) AS number, licscan_spdx(4.5) AS real,"
              " licscan_spdx(x'4d4954004c') AS binary_spdx,"
              " licscan_flag(x'00', 'attribution') AS binary_flag,"
              " licscan_json(x'00') AS binary_json,"
              f" licscan_spdx(readfile('{mit}')) AS blob,"
              f" licscan_spdx(CAST(readfile('{mit}') AS TEXT)) AS text,"
              f" licscan_flag(readfile('{mit}'), 'ATTRIBUTION') AS upper_name,"
              f" licscan_flag(readfile('{mit}'), 'mau_threshold') AS unset,"
              " licscan_spdx(readfile('corpus/Llama-3.1-Community/utf16be.txt')) AS utf16;\n"
              # Deterministic: allowed in a generated column and an index.
              "CREATE TABLE g(body BLOB, spdx TEXT AS (licscan_spdx(body)));\n"
              "CREATE INDEX g_spdx ON g(licscan_spdx(body));\n"
              f"INSERT INTO g(body) VALUES (readfile('{mit}'));\n"
              "SELECT spdx AS generated FROM g;\n"
              # Loading again replaces the functions (the first database is
              # released); a new connection gets its own.
              + load + "SELECT licscan_spdx(body) AS reloaded FROM g;\n"
              ".open :memory:\n" + load +
              f"SELECT licscan_spdx(readfile('{mit}')) AS second_connection;\n")
    rows = json_rows(run_sqlite(sqlite3, script).stdout)
    got = {}
    for r in rows:
        got.update(r)
    expect = {"spdx_null": None, "json_null": None, "flag_null": None, "empty_blob": "",
              "empty_text": "", "number": "", "real": "", "binary_spdx": None,
              "binary_flag": None, "blob": "MIT", "text": "MIT", "upper_name": "true",
              "unset": None, "utf16": "LicenseRef-Llama-3.1-Community", "generated": "MIT",
              "reloaded": "MIT", "second_connection": "MIT"}
    for k, v in expect.items():
        check(got.get(k, "missing") == v, f"{k}: {got.get(k, 'missing')!r}, want {v!r}")
    b = json.loads(got["binary_json"])
    check(b.get("status") == "binary input (NUL bytes), not text" and "NUL" in b.get("error", ""),
          f"binary_json: {got['binary_json']}")

    # Errors: a clear message, and sqlite3 goes on (no crash).
    for expr, msg in (("licscan_flag('text', 'nope')", "licscan_flag: unknown flag 'nope'; flags: "
                       "mau_threshold, revenue_threshold"),
                      ("licscan_flag('text', NULL)", "licscan_flag: the flag name is NULL"),
                      ("licscan_spdx()", "wrong number of arguments to function licscan_spdx()"),
                      ("licscan_flag(x'00')", "wrong number of arguments to function licscan_flag()")):
        p = run_sqlite(sqlite3, load + f"SELECT {expr};\n", expect_ok=False)
        err = p.stderr.decode()
        check(p.returncode == 1 and msg in err, f"{expr}: exit {p.returncode}, stderr {err!r}")
        check("AddressSanitizer" not in err and "runtime error" not in err, f"{expr}: {err}")

    if failures:
        sys.exit(f"test_sqlite: {len(failures)} failures")
    print(f"test_sqlite: {len(files)} corpus texts x ({len(flag_names)} flags + spdx + json) "
          f"agree with the CLI; NULL/blob/number/binary arguments, errors, generated column, "
          f"reload and second connection checked")


if __name__ == "__main__":
    main()
