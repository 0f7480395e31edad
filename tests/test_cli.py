"""Tests of the licscan CLI: exit statuses, JSON Lines, errors, examples.

Run: python3 tests/test_cli.py [path/to/licscan]
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LICSCAN = os.environ.get("LICSCAN", os.path.join(ROOT, "build", "licscan"))
EXAMPLES = os.path.join(ROOT, "examples", "licenses")
SPDX_TEMPLATES = os.path.join(ROOT, "..", "shared", "spdx", "templates")

MIT_BODY = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy "
    "of this software and associated documentation files (the \"Software\"), to deal "
    "in the Software without restriction, including without limitation the rights "
    "to use, copy, modify, merge, publish, distribute, sublicense, and/or sell "
    "copies of the Software, and to permit persons to whom the Software is "
    "furnished to do so, subject to the following conditions:\n\n"
    "The above copyright notice and this permission notice shall be included in all "
    "copies or substantial portions of the Software.\n\n"
    "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR "
    "IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, "
    "FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE "
    "AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER "
    "LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, "
    "OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE "
    "SOFTWARE.\n")


def run(*args):
    p = subprocess.run([LICSCAN, *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def json_lines(out):
    return [json.loads(line) for line in out.splitlines() if line.strip()]


class CliTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
        return path

    def test_help_and_version(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        self.assertIn("usage: licscan", out)
        rc, out, _ = run("--version")
        self.assertEqual(rc, 0)
        self.assertRegex(out, r"^licscan \d+\.\d+\.\d+")

    def test_usage_errors(self):
        self.assertEqual(run()[0], 2)
        rc, _, err = run("--bogus", "x")
        self.assertEqual(rc, 2)
        self.assertIn("unknown option", err)

    def test_json_line_shape(self):
        path = self.write("LICENSE", "Copyright (c) 2024 Jane Doe\n\n" + MIT_BODY)
        rc, out, _ = run("--json", path)
        self.assertEqual(rc, 0)
        [line] = json_lines(out)
        self.assertEqual(line["file"], path)
        self.assertEqual(line["spdx"], "MIT")
        [m] = line["matches"]
        for key in ("id", "name", "kind", "coverage", "start", "end"):
            self.assertIn(key, m)
        self.assertEqual((m["id"], m["kind"], m["coverage"]), ("MIT", "exact", 1.0))
        self.assertEqual(m["start"], 0)
        self.assertEqual(m["end"], len(("Copyright (c) 2024 Jane Doe\n\n" + MIT_BODY).encode()) - 2)

    def test_diff_lists_differences(self):
        path = self.write("LICENSE", MIT_BODY.replace("free of charge", "for a small fee"))
        rc, out, _ = run("--json", "--diff", path)
        self.assertEqual(rc, 0)
        [m] = json_lines(out)[0]["matches"]
        self.assertEqual(m["kind"], "near")
        self.assertTrue(any(d["op"] == "replaced" and d["template"] == "free of charge"
                            for d in m["differences"]), m["differences"])
        rc, out, _ = run("--diff", path)
        self.assertIn("replaced", out)

    def test_errors_do_not_stop_the_scan(self):
        good = self.write("a/LICENSE", MIT_BODY)
        binary = self.write("b/blob.bin", b"abc\0def")
        missing = os.path.join(self.dir, "nope.txt")
        rc, out, err = run("--json", good, binary, missing)
        self.assertEqual(rc, 1)
        lines = json_lines(out)
        self.assertEqual([l["file"] for l in lines], [good, binary, missing])
        self.assertNotIn("error", lines[0])
        self.assertIn("binary", lines[1]["error"])
        self.assertIn("error", lines[2])
        self.assertIn("blob.bin", err)
        self.assertIn("nope.txt", err)

    def test_unreadable_file(self):
        if os.geteuid() == 0:
            self.skipTest("root reads everything")
        path = self.write("secret", MIT_BODY)
        os.chmod(path, 0)
        rc, out, _ = run("--json", path)
        self.assertEqual(rc, 1)
        self.assertIn("error", json_lines(out)[0])

    def test_directory_walk_in_name_order(self):
        self.write("z/LICENSE", MIT_BODY)
        self.write("a/LICENSE", MIT_BODY)
        self.write("m.txt", "nothing to see here")
        rc, out, _ = run("--json", self.dir)
        self.assertEqual(rc, 0)
        files = [os.path.relpath(l["file"], self.dir) for l in json_lines(out)]
        self.assertEqual(files, ["a/LICENSE", "m.txt", "z/LICENSE"])

    def test_empty_file_is_no_match(self):
        path = self.write("empty", b"")
        rc, out, _ = run("--json", path)
        self.assertEqual(rc, 0)
        line = json_lines(out)[0]
        self.assertEqual(line["matches"], [])
        self.assertIn("empty", line["input"])

    def test_utf16_and_crlf(self):
        text = ("Copyright 2020 X\r\n\r\n" + MIT_BODY.replace("\n", "\r\n"))
        path = self.write("utf16", b"\xff\xfe" + text.encode("utf-16-le"))
        rc, out, _ = run("--json", path)
        line = json_lines(out)[0]
        self.assertEqual(line["encoding"], "utf-16le")
        self.assertIn("crlf", line["input"])
        [m] = line["matches"]
        self.assertEqual((m["id"], m["kind"]), ("MIT", "exact"))
        last = text.rindex("SOFTWARE") + len("SOFTWARE")
        self.assertEqual(m["end"], 2 + len(text[:last].encode("utf-16-le")))

    def test_bad_template_directory(self):
        self.write("tpl/Bad.template.txt", "some words <<var;name=\"x\";original=\"y\"")
        rc, _, err = run("--templates", os.path.join(self.dir, "tpl"), self.dir)
        self.assertEqual(rc, 2)
        self.assertRegex(err, r"Bad\.template\.txt:1:12: ")

    def test_extra_templates(self):
        self.write("tpl/Widget.template.txt",
                   "The widget license lets anyone use, copy and change the widget "
                   "for any purpose as long as this sentence stays with every copy.")
        self.write("tpl/Widget.meta", "name: Widget License\nreference: Widget License\n")
        path = self.write("x.txt", "The widget license lets anyone use, copy and change "
                          "the widget for any purpose as long as this sentence stays "
                          "with every copy.")
        ref = self.write("y.txt", "This is under the Widget License, like all our toys.")
        rc, out, _ = run("--json", "--templates", os.path.join(self.dir, "tpl"), path, ref)
        self.assertEqual(rc, 0)
        a, b = json_lines(out)
        self.assertEqual([(m["id"], m["kind"]) for m in a["matches"]], [("Widget", "exact")])
        self.assertEqual([(m["id"], m["kind"]) for m in b["matches"]], [("Widget", "reference")])

    def test_whole_spdx_list(self):
        """The SPDX list as published loads, and its texts identify."""
        if not os.path.isdir(SPDX_TEMPLATES):
            self.skipTest("../shared/spdx/templates is not here")
        import re
        ids = ["Apache-2.0", "BSD-3-Clause", "EUPL-1.2", "PHP-3.01", "Zlib",
               "ISC", "0BSD", "PostgreSQL", "Artistic-2.0"]
        paths = []
        for i in ids:
            with open(os.path.join(SPDX_TEMPLATES, i + ".template.txt"), encoding="utf-8") as f:
                t = f.read()
            t = re.sub(r'<<var;name="[^"]*";original="(.*?)";match=".*?">>',
                       lambda m: m.group(1), t, flags=re.S)
            t = t.replace("<<beginOptional>>", "").replace("<<endOptional>>", "")
            paths.append(self.write(i + ".txt", t))
        rc, out, err = run("--json", "--no-default", "--templates", SPDX_TEMPLATES, *paths)
        self.assertEqual(rc, 0, err)
        for want, line in zip(ids, json_lines(out)):
            got = [(m["id"], m["kind"]) for m in line["matches"] if m["kind"] != "reference"]
            self.assertIn((want, "exact"), got, line["file"])

    def test_bundled_examples(self):
        rc, out, _ = run("--json", EXAMPLES)
        self.assertEqual(rc, 0)
        got = {os.path.relpath(l["file"], EXAMPLES):
               sorted((m["id"], m["kind"]) for m in l["matches"]) for l in json_lines(out)}
        self.assertEqual(got["llama-3.1-model/LICENSE"], [("Llama-3.1-Community", "exact")])
        self.assertEqual(got["llama-3.1-model/USE_POLICY.md"], [("Llama-3.1-AUP", "exact")])
        self.assertEqual(got["mit-project/LICENSE"], [("MIT", "exact")])
        self.assertEqual(got["mit-project/tokenizer.py"], [("MIT", "exact")])
        self.assertIn(("Gemma-Terms-of-Use", "reference"), got["gemma-finetune/README.md"])

    def test_version_runner_up(self):
        """Llama 3.1 is told from 3.2/3.3, which are reported as close."""
        rc, out, _ = run("--json", os.path.join(EXAMPLES, "llama-3.1-model", "LICENSE"))
        [m] = json_lines(out)[0]["matches"]
        self.assertEqual(m["id"], "Llama-3.1-Community")
        self.assertIn(m["runner_up"]["id"], ("Llama-3.2-Community", "Llama-3.3-Community"))
        self.assertGreater(m["runner_up"]["coverage"], 0.9)
        self.assertLess(m["runner_up"]["coverage"], 1.0)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        LICSCAN = sys.argv.pop(1)
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"test_cli: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
