"""unittest tests of the Python binding. make test-python runs them
against the package installed in a virtual environment; from the
repository root, after `make`, on the source tree:
PYTHONPATH=python/src python3 -m unittest discover -s python/tests"""
import contextlib
import ctypes
import dataclasses
import glob
import io
import json
import os
import pathlib
import re
import tempfile
import threading
import unittest

import licscan

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples", "licenses")
MIT = os.path.join(EXAMPLES, "mit-project", "LICENSE")
CORPUS = os.path.join(ROOT, "corpus")
LLAMA31 = os.path.join(CORPUS, "Llama-3.1-Community")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def clause_words(text):
    """Text as evidence gives it: whitespace collapsed, quotes and dashes
    ASCII (the smart-quotes variant turns "--" into an em dash)."""
    text = text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"',
                           0x2013: "-", 0x2014: "-"})
    return " ".join(text.replace("--", "-").split())


class BindingTest(unittest.TestCase):
    def test_scan_path_and_bytes(self):
        by_path = licscan.scan_file(MIT)
        with open(MIT, "rb") as f:
            data = f.read()
        by_bytes = licscan.scan(data)
        for res in (by_path, by_bytes):
            self.assertEqual(len(res), 1)
            m = res[0]
            self.assertEqual((m.id, m.kind, m.coverage), ("MIT", "exact", 1.0))
            self.assertEqual(m.license.spdx, "MIT")
            self.assertEqual(res.spdx, "MIT")
            self.assertEqual(data[m.start:m.end].split()[0], b"MIT")
        self.assertEqual(licscan.scan_file(pathlib.Path(MIT))[0].id, "MIT")

    def test_differences_and_runner_up(self):
        with open(os.path.join(EXAMPLES, "llama-3.1-model", "LICENSE"), "rb") as f:
            data = f.read().replace(b"700 million", b"7 billion")
        [m] = licscan.scan(data)
        self.assertEqual(m.id, "Llama-3.1-Community")
        self.assertEqual(m.kind, "near")
        self.assertTrue(m.runner_up.id.startswith("Llama-3"))
        ops = [(d.op, d.template) for d in m.differences]
        self.assertIn(("replaced", "700 million"), ops)
        d = [d for d in m.differences if d.template == "700 million"][0]
        self.assertEqual(data[d.start:d.end], b"7 billion")

    def test_errors(self):
        with self.assertRaises(licscan.LicscanError) as cm:
            licscan.scan(b"binary\0data")
        self.assertIn("NUL", str(cm.exception))
        self.assertEqual(cm.exception.status, -4)
        self.assertEqual(cm.exception.status_name, "LICSCAN_EBINARY")
        self.assertEqual(len(licscan.scan(b"")), 0)
        self.assertIn("empty", licscan.scan(b"").input)
        with self.assertRaises(OSError):
            licscan.scan_file("/nonexistent/file")

    def test_database_templates_and_lookup(self):
        with licscan.Database(empty=True) as db:
            db.add_template("Widget-1.0", "The widget license lets anyone use, copy and "
                            "change the widget for any purpose at all, forever.",
                            meta="name: Widget License\nhf: widget\n")
            db.add_template("Widget-0.9", "The widget license lets anyone use, copy and "
                            "change the widget for any purpose at all, forever.",
                            meta="name: Widget License (old id)\ndeprecated: true\n")
            self.assertEqual(db.lookup("widget").name, "Widget License")
            self.assertEqual((db.lookup("Widget-1.0").deprecated, db.lookup("Widget-0.9").deprecated),
                             (False, True))
            self.assertIsNone(db.lookup("nope"))
            with self.assertRaises(licscan.LicscanError) as cm:
                db.add_template("Bad", "a b <<beginOptional>> c", source="bad.txt")
            self.assertEqual((cm.exception.file, cm.exception.line, cm.exception.column),
                             ("bad.txt", 1, 5))
            res = db.scan(b"The widget license lets anyone use, copy and change the "
                          b"widget for any purpose at all, forever.")
            self.assertEqual([(m.id, m.kind) for m in res], [("Widget-1.0", "exact")])
        with self.assertRaises(ValueError):
            db.scan(b"x")
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "T.template.txt"), "w") as f:
                f.write("ok words <<var;name=\"x\";original=\"y\"")
            with licscan.Database(empty=True) as db, self.assertRaises(licscan.LicscanError) as cm:
                db.load_dir(d)
            self.assertTrue(cm.exception.file.endswith("T.template.txt"))

    def test_crosswalk(self):
        db = licscan.Database()
        for key, want in [("llama3.1", "Llama-3.1-Community"), ("gemma", "Gemma-Terms-of-Use"),
                          ("LicenseRef-Llama-2-Community", "Llama-2-Community"),
                          ("llama-2-license-2023", "Llama-2-Community"),
                          ("apache-2.0", "Apache-2.0"), ("openrail++", "CreativeML-OpenRAIL-PlusPlus-M")]:
            self.assertEqual(db.lookup(key).id, want, key)
        self.assertGreaterEqual(len(db.licenses), 50)
        db.close()

    def test_threads_share_one_database(self):
        db = licscan.Database()
        with open(MIT, "rb") as f:
            data = f.read()
        out = []

        def work():
            for _ in range(20):
                out.append(db.scan(data)[0].id)
        ts = [threading.Thread(target=work) for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(out, ["MIT"] * 80)


class RestrictionTest(unittest.TestCase):
    def assert_evidence_slices(self, data, res, encoding="utf-8"):
        """Each evidence span, cut from the input bytes, reads as its text."""
        for name, r in res.restrictions.items():
            self.assertTrue(r.evidence, name)
            for ev in r.evidence:
                self.assertLess(ev.start, ev.end, name)
                self.assertLessEqual(ev.end, len(data), name)
                self.assertTrue(ev.rule, name)
                self.assertEqual(clause_words(data[ev.start:ev.end].decode(encoding)),
                                 clause_words(ev.text), name)

    def test_llama_mau_threshold_and_evidence(self):
        for variant, encoding in [("original", "utf-8"), ("crlf", "utf-8"),
                                  ("smart-quotes", "utf-8"), ("utf16be", "utf-16-be")]:
            with self.subTest(variant=variant):
                path = os.path.join(LLAMA31, variant + ".txt")
                data = read(path)
                res = licscan.scan_file(path)
                self.assertEqual([(m.id, m.kind) for m in res],
                                 [("Llama-3.1-Community", "exact")])
                mau = res.restrictions["mau_threshold"]
                self.assertEqual((mau.flag, mau.value_type, mau.value, mau.qualifier),
                                 ("mau_threshold", "number", 700000000, ""))
                self.assertEqual(mau.flag_id, 0)
                [ev] = mau.evidence
                self.assertEqual(ev.label, "2")
                self.assertIn("700 million monthly active users", ev.text)
                self.assert_evidence_slices(data, res, encoding)

    def test_values_follow_value_types(self):
        res = licscan.scan_file(os.path.join(LLAMA31, "original.txt"))
        r = res.restrictions
        self.assertIn("Built with Llama", r["branding"].value)
        self.assertEqual(r["name_prefix"].value, "Llama")
        self.assertEqual(r["acceptable_use_policy"].value,
                         "https://llama.meta.com/llama3_1/use-policy")
        self.assertIs(r["attribution"].value, True)
        self.assertIn("breach", r["termination"].value)
        types = licscan.flags()
        python_type = {"bool": bool, "number": int, "text": str, "list": tuple}
        for name, x in r.items():
            self.assertEqual(x.value_type, types[name], name)
            self.assertIsInstance(x.value, python_type[x.value_type], name)
        # Flag order, as the library lists them.
        self.assertEqual(list(r), [f for f in types if f in r])

    def test_revenue_and_output_ban_qualifiers(self):
        r = licscan.scan_file(os.path.join(CORPUS, "modified",
                                      "stability-community-revenue-5m.txt")).restrictions
        self.assertEqual((r["revenue_threshold"].value, r["revenue_threshold"].qualifier),
                         (5000000, "USD"))
        ban = r["output_training_ban"]
        self.assertEqual(ban.value_type, "text")
        self.assertTrue(ban.value and ban.qualifier, ban)

    def test_threshold_values(self):
        """A threshold's measure, period and consequence, typed."""
        r = licscan.scan_file(os.path.join(LLAMA31, "original.txt")).restrictions
        t = r["mau_threshold"].threshold
        self.assertIsInstance(t, licscan.Threshold)
        self.assertEqual((t.measure, t.amount, t.currency, t.period, t.period_text,
                          t.consequence, t.duties),
                         ("monthly_active_users", 700000000, "", "month",
                          "in the preceding calendar month", "license_required", ()))
        self.assertIsNone(r["branding"].threshold)  # no threshold
        self.assertEqual(r["branding"].scope, "")
        # a threshold that starts a duty keeps the freedom to use
        res = licscan.scan_file(os.path.join(CORPUS, "clauses", "mau_threshold-07.txt"))
        mau = res.restrictions["mau_threshold"].threshold
        rev = res.restrictions["revenue_threshold"].threshold
        self.assertEqual((mau.consequence, mau.duties), ("duty", ("branding",)))
        self.assertEqual((rev.measure, rev.amount, rev.currency, rev.period),
                         ("revenue", 30000000, "USD", "month"))
        self.assertEqual(res.restrictions["branding"].scope, "commercial products or services")
        self.assertTrue(res.openness.use.ok)
        dau = licscan.scan_file(os.path.join(CORPUS, "clauses", "mau_threshold-08.txt"))
        t = dau.restrictions["mau_threshold"].threshold
        self.assertEqual((t.measure, t.period, t.consequence),
                         ("daily_active_users", "day", "license_required"))
        fee = licscan.scan_file(os.path.join(CORPUS, "clauses", "revenue_threshold-04.txt"))
        self.assertEqual(fee.restrictions["revenue_threshold"].threshold.consequence, "fee")

    def test_scope(self):
        r = licscan.scan_file(os.path.join(CORPUS, "Llama-3.2-AUP", "original.txt")).restrictions
        self.assertEqual(r["territory_exclusion"].scope, "multimodal models")
        r = licscan.scan_file(os.path.join(CORPUS, "clauses",
                                           "territory_exclusion-08.txt")).restrictions
        self.assertEqual(r["territory_exclusion"].value, ("Iran", "North Korea", "Cuba"))
        self.assertEqual(r["territory_exclusion"].scope, "")

    def test_llama_openness(self):
        o = licscan.scan_file(os.path.join(LLAMA31, "original.txt")).openness
        self.assertEqual(o.category, "open-weight-restricted")
        self.assertFalse(o.use.ok)
        self.assertIn("mau_threshold", o.use.broken_by)
        self.assertIn("acceptable_use_policy", o.use.broken_by)
        self.assertTrue(o.study.ok and o.modify.ok and o.share.ok)
        self.assertEqual(o.broken, ["use"])
        self.assertEqual([f.name for f in o.freedoms], ["use", "study", "modify", "share"])

    def test_mit_is_open(self):
        res = licscan.scan_file(MIT)
        self.assertNotIn("use_restrictions", res.restrictions)
        self.assertEqual(list(res.restrictions), ["attribution"])
        self.assertEqual(res.openness.category, "open-source")
        self.assertEqual(res.openness.broken, [])
        for f in res.openness.freedoms:
            self.assertEqual((f.ok, f.broken_by), (True, ()), f.name)
        self.assertEqual(res[0].flag_changes, [])
        self.assert_evidence_slices(read(MIT), res)

    def test_clauses_without_a_template(self):
        data = (b"You may not use the Model or its outputs for military purposes or "
                b"weapons development.\n\nThe monthly active users of your products "
                b"must not exceed 700 million in any calendar month without a separate "
                b"license from us.\n")
        res = licscan.scan(data)
        self.assertEqual([m.kind for m in res if m.kind in ("exact", "near")], [])
        self.assertEqual(set(res.restrictions["use_restrictions"].value),
                         {"weapons", "military"})
        self.assertEqual(res.restrictions["mau_threshold"].value, 700000000)
        self.assertEqual(res.openness.category, "open-weight-restricted")
        self.assert_evidence_slices(data, res)
        nc = licscan.scan(b"You may not use the Model for commercial purposes.")
        self.assertEqual(list(nc.restrictions), ["non_commercial"])
        self.assertEqual(nc.openness.category, "non-commercial")
        self.assertEqual(nc.openness.share.broken_by, ("non_commercial",))

    def test_flag_changes(self):
        res = licscan.scan_file(os.path.join(CORPUS, "modified", "llama-3.1-minus-mau.txt"))
        [m] = res
        self.assertEqual((m.id, m.kind), ("Llama-3.1-Community", "near"))
        [c] = m.flag_changes
        self.assertEqual((c.flag, c.added, c.change), ("mau_threshold", False, "removed"))
        self.assertEqual(c.start, c.end)
        self.assertNotIn("mau_threshold", res.restrictions)

        path = os.path.join(CORPUS, "modified", "mit-plus-non-commercial.txt")
        [m] = licscan.scan_file(path)
        [c] = m.flag_changes
        self.assertEqual((c.flag, c.change), ("non_commercial", "added"))
        self.assertIn(b"commercial", read(path)[c.start:c.end])

    def test_agrees_with_the_json(self):
        """What the binding reads through the accessors is what the
        library's JSON says, for every bundled example and modified text."""
        paths = sorted(glob.glob(os.path.join(EXAMPLES, "*", "*")) +
                       glob.glob(os.path.join(CORPUS, "modified", "*.txt")) +
                       glob.glob(os.path.join(CORPUS, "*", "original.txt")))
        self.assertGreater(len(paths), 60)
        for path in paths:
            with self.subTest(path=os.path.relpath(path, ROOT)):
                res = licscan.scan_file(path)
                want = json.loads(licscan.scan_json(read(path), file=path))
                self.assertEqual(want["file"], path)
                self.assertEqual(as_json_restrictions(res), want["restrictions"])
                self.assertEqual(as_json_openness(res.openness), want["openness"])
                self.assertEqual([[dataclasses.asdict(c) | {"change": c.change}
                                   for c in m.flag_changes] for m in res],
                                 [[{"added": c["change"] == "added", **c}
                                   for c in m.get("flag_changes", [])]
                                  for m in want["matches"]])
                self.assertEqual(res.input, want.get("input", []))
                self.assertEqual(res.warnings, [(w["code"], w["message"])
                                                for w in want.get("warnings", [])])

    def test_results_are_plain_python(self):
        """Nothing in a result points into the freed C result."""
        res = licscan.scan_file(os.path.join(CORPUS, "modified", "mit-plus-non-commercial.txt"))
        seen = []

        def walk(x):
            seen.append(type(x))
            self.assertNotIsInstance(x, (ctypes._SimpleCData, ctypes._Pointer,
                                         ctypes.Structure))
            if dataclasses.is_dataclass(x):
                for f in dataclasses.fields(x):
                    walk(getattr(x, f.name))
            elif isinstance(x, dict):
                for k, v in x.items():
                    walk(k)
                    walk(v)
            elif isinstance(x, (list, tuple)):
                for v in x:
                    walk(v)
            elif hasattr(x, "__slots__"):
                for name in x.__slots__:
                    walk(getattr(x, name))
        walk(list(res))
        walk(res.restrictions)
        walk(res.openness)
        self.assertIn(licscan.Evidence, seen)
        self.assertIn(licscan.FlagChange, seen)

    def test_scan_options(self):
        path = os.path.join(LLAMA31, "original.txt")
        self.assertEqual(licscan.scan_file(path, clauses=False).restrictions, {})
        full = licscan.scan_file(path)
        self.assertGreater(len(full.restrictions["attribution"].evidence), 1)
        self.assertNotIn("evidence-truncated", full.input)
        one = licscan.scan_file(path, max_evidence=1)
        self.assertEqual({k: len(r.evidence) for k, r in one.restrictions.items()},
                         {k: 1 for k in full.restrictions})
        self.assertIn("evidence-truncated", one.input)
        self.assertIn("evidence-truncated", [code for code, _ in one.warnings])
        self.assertEqual(len(licscan.scan_file(path, max_bytes=len(read(path)))), 1)

    def test_bad_input_raises(self):
        with self.assertRaises(licscan.LicscanError) as cm:
            licscan.scan_file(os.path.join(LLAMA31, "original.txt"), max_bytes=100)
        self.assertEqual(cm.exception.status, -5)
        self.assertIn("100 bytes", str(cm.exception))
        with self.assertRaises(licscan.LicscanError) as cm:
            licscan.scan(bytearray(b"text\0with a NUL"))
        self.assertEqual(cm.exception.status, -4)
        self.assertEqual(cm.exception.status_name, "LICSCAN_EBINARY")
        with self.assertRaises(licscan.LicscanError):
            licscan.scan_json(b"\0")
        for bad in (123, None, ["MIT"]):
            with self.assertRaises(TypeError):
                licscan.scan(bad)
        for bad in (-1, 2**32, 1.5, True):
            with self.assertRaises(ValueError):
                licscan.scan(b"MIT", max_evidence=bad)
        with self.assertRaises(TypeError):
            licscan.scan(b"MIT", max_evidnce=1)


class TextFileDirTest(unittest.TestCase):
    """scan() takes the text, scan_file() a path, scan_dir() a tree."""

    def test_scan_takes_text_not_a_path(self):
        text = read(MIT).decode("utf-8")
        self.assertTrue(text.startswith("MIT License"))
        by_str = licscan.scan(text)
        self.assertEqual([(m.id, m.kind) for m in by_str], [("MIT", "exact")])
        self.assertEqual(by_str.spdx, licscan.scan(text.encode()).spdx)
        # A str that happens to be a path is text, scanned as such.
        self.assertEqual(len(licscan.scan(MIT)), 0)
        self.assertEqual(licscan.scan("é MIT License").encoding, "utf-8")
        # Bytes read as str with surrogateescape are scanned as they were.
        latin1 = "Copyright \xa9 Widget".encode("latin-1").decode("utf-8", "surrogateescape")
        self.assertEqual(licscan.scan(latin1).input, ["invalid-utf8"])
        with self.assertRaises(UnicodeEncodeError):
            licscan.scan("\ud800 lone surrogate")
        with self.assertRaises(TypeError) as cm:
            licscan.scan(pathlib.Path(MIT))
        self.assertIn("scan_file", str(cm.exception))

    def test_scan_file_errors(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaises(IsADirectoryError):
                licscan.scan_file(d)
            fifo = os.path.join(d, "pipe")
            os.mkfifo(fifo)
            with self.assertRaises(licscan.LicscanError) as cm:
                licscan.scan_file(fifo)  # never opened: it would block
            self.assertIn("FIFO", str(cm.exception))
        with self.assertRaises(TypeError):
            licscan.scan_file(b"x".decode, clauses=False)

    def make_tree(self, d):
        os.makedirs(os.path.join(d, "b", "sub"))
        os.makedirs(os.path.join(d, ".git"))
        for rel, src in (("b/sub/LICENSE", MIT), ("a.txt", os.path.join(LLAMA31, "original.txt")),
                         (".git/LICENSE", MIT), ("B", MIT)):
            with open(os.path.join(d, rel), "wb") as f:
                f.write(read(src))
        with open(os.path.join(d, "bin.dat"), "wb") as f:
            f.write(b"\0\1binary")
        os.symlink(MIT, os.path.join(d, "link"))      # not followed inside a tree
        os.mkfifo(os.path.join(d, "fifo"))

    def test_scan_dir_walk_order_and_errors(self):
        with tempfile.TemporaryDirectory() as d:
            self.make_tree(d)
            items = licscan.scan_dir(d, jobs=3)
            rel = [os.path.relpath(i.path, d) for i in items]
            self.assertEqual(rel, ["B", "a.txt", "b/sub/LICENSE", "bin.dat", "fifo"])
            self.assertEqual([i.result.spdx if i.ok else i.error.status for i in items],
                             ["MIT", "LicenseRef-Llama-3.1-Community", "MIT", -4, -3])
            self.assertIn("FIFO", str(items[4].error))
            self.assertIsInstance(items[1].result, licscan.Result)
            one = licscan.scan_dir(d, jobs=1, clauses=False)
            self.assertEqual([i.result.restrictions if i.ok else None for i in one][:3],
                             [{}, {}, {}])
            self.assertEqual([(i.path, i.result.spdx if i.ok else str(i.error)) for i in one],
                             [(i.path, i.result.spdx if i.ok else str(i.error)) for i in items])
        with self.assertRaises(ValueError):
            licscan.scan_dir(EXAMPLES, jobs=0)

    def test_scan_dir_agrees_with_the_cli(self):
        """Same files, same order, same JSON as `licscan --json DIR`."""
        cli = os.environ.get("LICSCAN_CLI", os.path.join(ROOT, "build", "licscan"))
        if not os.access(cli, os.X_OK):
            self.skipTest(f"no CLI at {cli} (set LICSCAN_CLI)")
        import subprocess
        out = subprocess.run([cli, "--json", EXAMPLES], capture_output=True, check=True).stdout
        want = [json.loads(line) for line in out.decode().splitlines()]
        items = licscan.scan_dir(EXAMPLES)
        self.assertEqual([i.path for i in items], [w["file"] for w in want])
        for item, w in zip(items, want):
            self.assertEqual(item.result.spdx, w["spdx"], item.path)
            self.assertEqual(json.loads(licscan.scan_json(read(item.path), file=item.path)), w)

    def test_scan_dir_is_the_c_pool_and_agrees_on_the_corpus(self):
        """scan_dir walks and scans in the library (licscan_scan_paths, one
        call, no Python thread), and gives what `licscan --json -j2
        corpus/` says of every file, in the same order."""
        cli = os.environ.get("LICSCAN_CLI", os.path.join(ROOT, "build", "licscan"))
        corpus = os.path.join(ROOT, "corpus")
        if not os.access(cli, os.X_OK) or not os.path.isdir(corpus):
            self.skipTest(f"no CLI at {cli} or no corpus/ (set LICSCAN_CLI)")
        import subprocess
        out = subprocess.run([cli, "--json", "-j2", corpus], capture_output=True).stdout
        want = [json.loads(line) for line in out.decode().splitlines()]
        calls, threads = [], []
        real = licscan._scan_paths

        def counting(*args):
            calls.append(args[2])
            threads.append(threading.active_count())
            return real(*args)

        licscan._scan_paths = counting
        try:
            items = licscan.Database().scan_dir(corpus, jobs=3)
        finally:
            licscan._scan_paths = real
        self.assertEqual(calls, [1])
        self.assertEqual(threads, [threading.active_count()])  # no Python pool
        self.assertEqual([i.path for i in items], [w["file"] for w in want])
        for item, w in zip(items, want):
            if "error" in w:
                self.assertFalse(item.ok, item.path)
                continue
            r = item.result
            self.assertEqual(r.spdx, w["spdx"], item.path)
            self.assertEqual([(m.id, m.kind, m.start, m.end) for m in r],
                             [(m["id"], m["kind"], m["start"], m["end"])
                              for m in w["matches"]], item.path)
            self.assertEqual(list(r.restrictions), list(w["restrictions"]), item.path)
            self.assertEqual(
                [[(e.start, e.end) for e in x.evidence] for x in r.restrictions.values()],
                [[(e["start"], e["end"]) for e in x["evidence"]]
                 for x in w["restrictions"].values()], item.path)

    def test_scan_dir_errors_are_typed(self):
        with tempfile.TemporaryDirectory() as d:
            missing = os.path.join(d, "nothing")
            items = licscan.scan_dir(missing)
            self.assertEqual(len(items), 1)
            self.assertIsInstance(items[0].error, FileNotFoundError)
            self.assertEqual(items[0].error.filename, missing)
            self.assertEqual(licscan.walk(missing), [(missing, "No such file or directory")])

    def test_installed_package(self):
        """Under make test-python the binding is the installed package,
        with its bundled library, not the source tree."""
        if not os.environ.get("LICSCAN_EXPECT_INSTALLED"):
            self.skipTest("LICSCAN_EXPECT_INSTALLED not set (running from the source tree)")
        here = os.path.realpath(os.path.dirname(licscan.__file__))
        import sys
        self.assertNotEqual(here, os.path.realpath(os.path.join(ROOT, "python", "src", "licscan")))
        self.assertTrue(here.startswith(os.path.realpath(sys.prefix) + os.sep), here)
        self.assertIn("site-packages", here)
        self.assertNotEqual(sys.prefix, sys.base_prefix)  # a virtual environment
        self.assertEqual(os.path.dirname(os.path.realpath(licscan._lib._name)), here)


class ReadmeTest(unittest.TestCase):
    def test_readme_example_runs(self):
        """The Python block of README.md runs and prints what its comments say."""
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        section = readme[readme.index("\n## Python\n"):]
        section = section[:section.index("\n## ", 1)]
        [code] = re.findall(r"^```python\n(.*?)^```$", section, re.S | re.M)
        out = io.StringIO()
        cwd = os.getcwd()
        os.chdir(ROOT)  # the example names a file relative to the root
        try:
            with contextlib.redirect_stdout(out):
                exec(code, {})
        finally:
            os.chdir(cwd)
        printed = out.getvalue().splitlines()
        said = [line.split("# ", 1)[1] for line in code.splitlines()
                if line.startswith("print(") and "# " in line]
        self.assertEqual(len(said), 3)
        for comment in said:
            self.assertIn(comment, printed)


RULE = """rule widget-share-ban
  flag no_redistribution
  keywords widget
  match widgets? (?:may|must) not be shared
  value true
end
"""


class RulesTest(unittest.TestCase):
    TEXT = b"Preamble.\n\n3. Widgets may not be shared with anyone.\n"

    def test_add_rules_to_an_empty_database(self):
        with licscan.Database(empty=True) as db:
            self.assertEqual(db.rule_count, 0)
            self.assertEqual(db.scan(self.TEXT).restrictions, {})
            db.add_rules(RULE, source="widget.rules")
            self.assertEqual(db.rule_count, 1)
            res = db.scan(self.TEXT)
            [ev] = res.restrictions["no_redistribution"].evidence
            self.assertEqual((ev.rule, ev.label), ("widget-share-ban", "3"))
            self.assertEqual(self.TEXT[ev.start:ev.end].decode(), ev.text)
            self.assertEqual(res.openness.share.broken_by, ("no_redistribution",))
            self.assertEqual(res.openness.category, "proprietary")

    def test_bad_rule_raises_and_adds_nothing(self):
        with licscan.Database() as db:
            before = db.rule_count
            self.assertGreater(before, 20)
            bad = RULE + "rule second\n  flag no_such_flag\n  match x\n  value true\nend\n"
            with self.assertRaises(licscan.LicscanError) as cm:
                db.add_rules(bad, source="bad.rules")
            e = cm.exception
            self.assertEqual((e.status, e.file, e.line), (-7, "bad.rules", 8))
            self.assertGreater(e.column, 0)
            self.assertEqual(db.rule_count, before)
            self.assertNotIn("no_redistribution", db.scan(self.TEXT).restrictions)

    def test_load_dir_adds_rules(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "rules"))
            with open(os.path.join(d, "rules", "widget.rules"), "w") as f:
                f.write(RULE)
            with licscan.Database() as db:
                before = db.rule_count
                db.load_dir(d)
                self.assertEqual(db.rule_count, before + 1)
                res = db.scan(self.TEXT)
                self.assertEqual(res.restrictions["no_redistribution"].evidence[0].rule,
                                 "widget-share-ban")


def as_json_value(r):
    """A Restriction's value in the shape lib/json.c gives it."""
    if r.flag == "revenue_threshold":
        return {"amount": r.value, "currency": r.qualifier or None}
    if r.flag == "output_training_ban":
        return {"scope": r.value or None, "exception": r.qualifier or None}
    if r.value_type == "list":
        return list(r.value)
    if r.value_type == "text" and not r.value:
        return True
    return r.value


def as_json_restrictions(res):
    out = {}
    for name, r in res.restrictions.items():
        evidence = []
        for ev in r.evidence:
            e = dataclasses.asdict(ev)
            if not e["label"]:
                del e["label"]
            evidence.append(e)
        out[name] = {"value": as_json_value(r)}
        if r.threshold is not None:
            t = r.threshold
            out[name]["threshold"] = {
                "measure": t.measure, "amount": t.amount, "currency": t.currency or None,
                "period": t.period, "period_text": t.period_text or None,
                "consequence": t.consequence, "duties": list(t.duties)}
        if r.scope:
            out[name]["scope"] = r.scope
        out[name]["evidence"] = evidence
    return out


def as_json_openness(o):
    out = {"category": o.category}
    for f in o.freedoms:
        out[f.name] = {"ok": f.ok, "broken_by": list(f.broken_by)}
    return out


if __name__ == "__main__":
    unittest.main()
