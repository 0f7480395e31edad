"""unittest tests of the Python binding. From the repository root, after
`make`:  python3 -m unittest discover -s examples/python"""
import os
import pathlib
import tempfile
import threading
import unittest

import licscan

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples", "licenses")
MIT = os.path.join(EXAMPLES, "mit-project", "LICENSE")


class BindingTest(unittest.TestCase):
    def test_scan_path_and_bytes(self):
        by_path = licscan.scan(MIT)
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
        self.assertEqual(licscan.scan(pathlib.Path(MIT))[0].id, "MIT")

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
        self.assertEqual(len(licscan.scan(b"")), 0)
        self.assertIn("empty", licscan.scan(b"").input)
        with self.assertRaises(OSError):
            licscan.scan("/nonexistent/file")

    def test_database_templates_and_lookup(self):
        with licscan.Database(empty=True) as db:
            db.add_template("Widget-1.0", "The widget license lets anyone use, copy and "
                            "change the widget for any purpose at all, forever.",
                            meta="name: Widget License\nhf: widget\n")
            self.assertEqual(db.lookup("widget").name, "Widget License")
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


if __name__ == "__main__":
    unittest.main()
