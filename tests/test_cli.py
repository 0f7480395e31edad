"""Tests of the licscan CLI: exit statuses, JSON Lines, errors, examples.

Run: python3 tests/test_cli.py [path/to/licscan]
"""
import json
import os
import shutil
import re
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


def run(*args, env=None):
    p = subprocess.run([LICSCAN, *args], capture_output=True, timeout=120, env=env)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def run_on_terminal(args, stdout_tty=False, env=None):
    """Runs licscan with stderr (and stdout, when asked) on a pseudo-terminal;
    returns (status, stdout, terminal text)."""
    import pty
    import select
    master, slave = pty.openpty()
    p = subprocess.Popen([LICSCAN, *args], stdout=slave if stdout_tty else subprocess.PIPE,
                         stderr=slave, env=env)
    os.close(slave)
    terminal = b""
    out = b""
    while True:
        ready, _, _ = select.select([master] + ([] if stdout_tty else [p.stdout]), [], [], 60)
        if not ready:
            p.kill()
            raise AssertionError("licscan hung")
        if master in ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the process ended
                chunk = b""
            if not chunk:
                break
            terminal += chunk
        if not stdout_tty and p.stdout in ready:
            out += p.stdout.read1(65536)
    if not stdout_tty:
        out += p.stdout.read()
        p.stdout.close()
    os.close(master)
    return p.wait(timeout=60), out.decode("utf-8", "replace"), terminal.decode("utf-8", "replace")


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

    def test_options_after_paths(self):
        """Options may follow the paths; after "--" everything is a path."""
        a = self.write("a", MIT_BODY)
        b = self.write("-b", MIT_BODY)
        rc, out, _ = run(a, "--json", "-j", "1")
        self.assertEqual(rc, 0)
        [line] = json_lines(out)
        self.assertEqual((line["file"], line["spdx"]), (a, "MIT"))
        os.chdir(self.dir)
        try:
            rc, out, _ = run("--json", "--", "a", "-b")
        finally:
            os.chdir(ROOT)
        self.assertEqual(rc, 0)
        self.assertEqual([l["file"] for l in json_lines(out)], ["a", "-b"])
        self.assertTrue(os.path.exists(b))

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

    def test_binary_or_oversized_files_in_a_walk_are_skipped(self):
        """A model directory holds weights next to its license: a binary or
        oversized file met in a walk is reported and skipped (exit 0); named
        on the command line, it is an error (exit 1)."""
        self.write("model/LICENSE", MIT_BODY)
        blob = self.write("model/model.safetensors", b"\x08\0\0\0weights")
        big = self.write("model/notes.txt", "word " * 2000)
        model = os.path.join(self.dir, "model")
        rc, out, err = run("--json", "--max-bytes", "4K", model)
        self.assertEqual(rc, 0, err)
        lines = {os.path.basename(l["file"]): l for l in json_lines(out)}
        self.assertEqual(lines["LICENSE"]["spdx"], "MIT")
        self.assertIn("binary", lines["model.safetensors"]["error"])
        self.assertIn("over the limit", lines["notes.txt"]["error"])
        self.assertIn("model.safetensors", err)
        for fmt in ("text", "spdx"):
            rc, out, _ = run("--format", fmt, "--max-bytes", "4K", model)
            self.assertEqual(rc, 0, fmt)
            self.assertIn("ERROR", out)
        self.assertEqual(run("--json", blob)[0], 1)
        self.assertEqual(run("--json", "--max-bytes", "4K", big)[0], 1)
        self.assertEqual(run("--json", "--max-bytes", "4K", model, blob)[0], 1)

    def test_unreadable_file(self):
        path = self.write("secret", MIT_BODY)
        os.chmod(path, 0)
        if os.geteuid() == 0:
            # root reads everything: run licscan as nobody instead
            setpriv = shutil.which("setpriv")
            if not setpriv:
                self.skipTest("root reads everything, and setpriv is missing")
            os.chmod(self.dir, 0o755)
            p = subprocess.run([setpriv, "--reuid=65534", "--regid=65534",
                                "--clear-groups", LICSCAN, "--json", path],
                               capture_output=True, timeout=120)
            rc, out = p.returncode, p.stdout.decode("utf-8", "replace")
        else:
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

    # Renderings of SPDX templates (each var's original, optional parts kept)
    # that must be exact matches of their own template: the ones that once
    # were not, with the cause, then a few that always were.
    SPDX_EXACT = [
        # words next to a var matched inside the var's text
        "PSF-2.0", "BSD-4.3TAHOE", "Sendmail", "X11-swapped", "FSFULLRWD",
        "LPPL-1.3a",
        # the template's punctuation around a var ("(c)", "<...>", "[...](#..)")
        "Python-2.0.1", "Beerware", "Mackerras-3-Clause-acknowledgment",
        "BlueOak-1.0.0", "Parity-7.0.0", "OSET-PL-2.1", "RPL-1.5",
        "BitTorrent-1.1",
        # several vars at one place
        "Apache-1.1", "xpp", "ANTLR-PD",
        # a var's original that its own pattern rejects
        "CC-BY-4.0", "CC-BY-SA-4.0", "CECILL-B",
        # a var of punctuation only, at the end
        "NASA-1.3",
        # "12. U.S. Government": "U" read as a list marker
        "CDDL-1.0", "MPL-1.1", "NPL-1.0", "SISSL",
        # words that touch across optional markers
        "GNU-compiler-exception", "NTP-0",
        # pruned by a longer template with the same words
        "Autoconf-exception-generic",
        # a phrase the template repeats broke the chain
        "CC-BY-SA-2.1-JP",
        # always exact
        "Apache-2.0", "BSD-3-Clause", "EUPL-1.2", "PHP-3.01", "Zlib", "ISC",
        "0BSD", "PostgreSQL", "Artistic-2.0", "MIT",
    ]

    def test_whole_spdx_list(self):
        """The SPDX list as published loads, and its texts identify."""
        if not os.path.isdir(SPDX_TEMPLATES):
            self.skipTest("../shared/spdx/templates is not here")
        sys.path.insert(0, os.path.join(ROOT, "tests", "corpus"))
        try:
            import render_template
        finally:
            sys.path.pop(0)
        paths = []
        for i in self.SPDX_EXACT:
            with open(os.path.join(SPDX_TEMPLATES, i + ".template.txt"), encoding="utf-8") as f:
                paths.append(self.write(i + ".txt", render_template.render(f.read())))
        rc, out, err = run("--json", "--no-default", "--templates", SPDX_TEMPLATES, *paths)
        self.assertEqual(rc, 0, err)
        lines = json_lines(out)
        self.assertEqual(len(lines), len(paths))
        for want, line in zip(self.SPDX_EXACT, lines):
            got = [(m["id"], m["kind"], m.get("extra_words")) for m in line["matches"]
                   if m["kind"] != "reference"]
            self.assertIn((want, "exact", 0), got, line["file"])

    def test_compiled_database(self):
        """--compile writes the database, --db opens it and scans alike;
        a bad file is one clear line and exit status 2."""
        db = os.path.join(self.dir, "db.lsdb")
        extra = self.write("tpl/Widget-1.0.template.txt",
                           "Widget License 1.0. Permission is granted to use, copy and modify this "
                           "widget for any purpose, provided this notice is kept in all copies.")
        rc, out, err = run("--compile", os.path.dirname(extra), "-o", db)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out, "")
        self.assertIn("templates", err)
        files = [os.path.join(ROOT, "examples", "licenses"), extra]
        rc1, want, err1 = run("--json", "--diff", "--templates", os.path.dirname(extra), *files)
        rc2, got, err2 = run("--json", "--diff", "--db", db, *files)
        self.assertEqual((rc1, want), (rc2, got), err2)
        self.assertIn("Widget-1.0", got)
        # --list alike, and --templates add to a --db
        self.assertEqual(run("--list", "--templates", os.path.dirname(extra))[1],
                         run("--list", "--db", db)[1])
        # usage errors
        for args in (["--compile", "x"], ["-o", db, "x"], ["--db", db, "--no-default", "x"],
                     ["--db"]):
            rc, out, err = run(*args)
            self.assertEqual(rc, 2, args)
        # a bad file
        bad = self.write("bad.lsdb", "not a database at all")
        rc, out, err = run("--db", bad, extra)
        self.assertEqual(rc, 2)
        self.assertIn("not a compiled licscan database", err)
        with open(db, "rb") as f:
            data = f.read()
        self.write("cut.lsdb", data[: len(data) // 2])
        rc, out, err = run("--db", os.path.join(self.dir, "cut.lsdb"), extra)
        self.assertEqual(rc, 2)
        self.assertIn("truncated", err)
        self.assertEqual(len(err.strip().splitlines()), 1, err)

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
        # symmetric: below the coverage when the text has words it lacks
        self.assertGreater(m["runner_up"]["similarity"], 0.5)
        self.assertLessEqual(m["runner_up"]["similarity"], 1.0)

    def test_runner_up_similarity_is_symmetric(self):
        """Llama 3 AUP is held whole in the 3.1 AUP (coverage 1), but the
        3.1 text has words it lacks: similarity tells the two apart."""
        rc, out, _ = run("--json", os.path.join(EXAMPLES, "llama-3.1-model", "USE_POLICY.md"))
        [m] = json_lines(out)[0]["matches"]
        self.assertEqual((m["id"], m["kind"]), ("Llama-3.1-AUP", "exact"))
        self.assertEqual(m["runner_up"]["id"], "Llama-3-AUP")
        self.assertEqual(m["runner_up"]["coverage"], 1.0)
        self.assertLess(m["runner_up"]["similarity"], 1.0)

    # ---- options added with the worker pool, formats, colour, --flags ----

    def make_tree(self, nfiles):
        """A tree with licenses, plain text, a binary file and a FIFO."""
        import shutil
        corpus = os.path.join(ROOT, "corpus")
        cases = sorted(os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs
                       if f.endswith(".txt"))
        step = max(1, len(cases) // nfiles)
        root = os.path.join(self.dir, "tree")
        for i, src in enumerate(cases[::step][:nfiles]):
            dst = os.path.join(root, "d%02d" % (i % 7), os.path.basename(src)[:-4] + "-%d" % i)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy(src, dst)
        self.write("tree/d03/blob.bin", b"\0\1\2")
        os.mkfifo(os.path.join(root, "d05", "pipe"))
        return root

    def test_jobs_do_not_change_the_output(self):
        root = self.make_tree(60)
        for fmt in ("text", "json", "spdx"):
            results = {n: run("--format", fmt, "--flags", "-j", str(n), root)
                       for n in (1, 2, 7)}
            self.assertEqual(results[1][0], 1, fmt)  # the binary file and the FIFO
            for n in (2, 7):
                self.assertEqual(results[n], results[1], f"{fmt} with -j {n}")
        rc, out, _ = run("--json", "--jobs=3", root)
        files = [l["file"] for l in json_lines(out)]
        self.assertEqual(len(files), 62)
        self.assertEqual(files, sorted(files))  # name order, subdirectories included

    def test_special_files_are_reported_not_opened(self):
        """FIFOs, sockets, devices and symbolic link loops: reported,
        skipped, exit status 1; a FIFO with no writer must not hang."""
        import socket
        self.write("d/LICENSE", MIT_BODY)
        fifo = os.path.join(self.dir, "d", "pipe")
        os.mkfifo(fifo)
        sock_path = os.path.join(self.dir, "d", "sock")
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(sock_path)
        self.addCleanup(sock.close)
        loop = os.path.join(self.dir, "d", "loop")
        os.symlink("loop", loop)
        os.symlink("LICENSE", os.path.join(self.dir, "d", "link"))  # a file inside the tree
        rc, out, err = run("--json", os.path.join(self.dir, "d"), "/dev/null", loop)
        self.assertEqual(rc, 1)
        lines = json_lines(out)
        got = [(os.path.basename(l["file"]), "error" in l) for l in lines]
        self.assertEqual(got, [("LICENSE", False), ("link", False), ("loop", True),
                               ("pipe", True), ("sock", True), ("null", True), ("loop", True)])
        for word in ("FIFO", "socket", "character device", "symbolic link loop"):
            self.assertIn(word, err)
        self.assertEqual(len(err.splitlines()), 5, err)

    def test_directory_loop_through_a_top_level_link(self):
        """A link to a directory is followed when named on the command line;
        inside the tree, links (here one back to the top) are not."""
        self.write("top/LICENSE", MIT_BODY)
        os.symlink("..", os.path.join(self.dir, "top", "parent"))
        os.symlink("top", os.path.join(self.dir, "alias"))
        rc, out, _ = run("--format", "spdx", os.path.join(self.dir, "alias"))
        self.assertEqual(rc, 0)
        self.assertEqual(out, os.path.join(self.dir, "alias", "LICENSE") + ": MIT\n")

    def test_non_utf8_file_name_in_an_error_line(self):
        name = os.path.join(self.dir.encode(), b"bad-\xff-name")
        p = subprocess.run([LICSCAN, "--json", name], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        line = json.loads(p.stdout)
        self.assertTrue(line["file"].endswith("bad-\ufffd-name"))
        self.assertIn("No such file", line["error"])

    def test_format_spdx(self):
        mit = self.write("LICENSE", MIT_BODY)
        empty = self.write("empty", b"")
        readme = os.path.join(EXAMPLES, "gemma-finetune", "README.md")
        rc, out, _ = run("--format", "spdx", mit, empty, readme)
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines(), [f"{mit}: MIT", f"{empty}: NONE",
                                            f"{readme}: NOASSERTION"])
        self.assertEqual(run("--format=spdx", mit)[1], f"{mit}: MIT\n")
        # --json is --format json; the last format given wins.
        self.assertEqual(run("--format", "spdx", "--json", mit)[1], run("--json", mit)[1])
        self.assertEqual(run("--json", "--format", "text", mit)[1], run(mit)[1])

    def test_bad_option_values(self):
        mit = self.write("LICENSE", MIT_BODY)
        for args, word in ((["--format", "xml"], "--format"),
                           (["--format"], "--format"),
                           (["--color=sometimes"], "--color"),
                           (["-j", "0"], "--jobs"), (["--jobs", "many"], "--jobs"),
                           (["-j999"], "--jobs"), (["--max-bytes", "-5"], "--max-bytes"),
                           (["--max-bytes", "12Q"], "--max-bytes"),
                           (["--rules"], "no FILE or DIR")):
            rc, out, err = run(*args, mit)
            self.assertEqual(rc, 2, args)
            self.assertIn(word, err, args)
            self.assertEqual(out, "", args)
        self.assertGreater(len(MIT_BODY), 512)
        rc, _, err = run("--max-bytes", "512", mit)
        self.assertEqual(rc, 1)
        self.assertIn("over the limit of 512 bytes", err)
        self.assertEqual(run("--max-bytes", "2K", mit)[0], 0)
        rc, _, err = run("--max-bytes", "1k", self.write("big", "word " * 300))
        self.assertEqual(rc, 1)
        self.assertIn("over the limit of 1024 bytes", err)

    def test_color(self):
        mit = self.write("LICENSE", MIT_BODY)
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        env["TERM"] = "xterm"
        self.assertIn("\033[", run("--color=always", mit, env=env)[1])
        self.assertIn("\033[", run("--color", mit, env=env)[1])
        self.assertNotIn("\033[", run("--color=never", mit, env=env)[1])
        self.assertNotIn("\033[", run(mit, env=env)[1])  # auto, stdout is a pipe
        self.assertNotIn("\033[", run("--color=always", "--json", mit, env=env)[1])
        self.assertNotIn("\033[", run("--color=always", "--format=spdx", mit, env=env)[1])
        rc, _, term = run_on_terminal([mit], stdout_tty=True, env=env)
        self.assertEqual(rc, 0)
        self.assertIn("\033[", term)
        env["NO_COLOR"] = "1"
        rc, _, term = run_on_terminal([mit], stdout_tty=True, env=env)
        self.assertNotIn("\033[", term)
        self.assertIn("MIT", term)
        rc, _, term = run_on_terminal(["--color=always", mit], stdout_tty=True, env=env)
        self.assertIn("\033[", term)  # an explicit request beats NO_COLOR

    def test_progress_only_on_a_terminal(self):
        root = os.path.join(self.dir, "many")
        for i in range(150):
            self.write(f"many/f{i:03d}", "nothing here %d" % i)
        rc, out, term = run_on_terminal(["-j", "2", root])
        self.assertEqual(rc, 0)
        self.assertIn("files scanned", term)
        self.assertTrue(term.endswith("\r\033[K"), repr(term[-40:]))  # erased at the end
        rc2, out2, err2 = run("-j", "2", root)
        self.assertEqual((rc2, out2, err2), (0, out, ""))
        # A short scan on a terminal stays quiet.
        rc, _, term = run_on_terminal([os.path.join(root, "f000")])
        self.assertEqual((rc, term), (0, ""))

    def test_list(self):
        rc, out, _ = run("--list")
        self.assertEqual(rc, 0)
        rows = out.splitlines()
        self.assertEqual(rows[0].split(), ["ID", "NAME", "VERSION", "SPDX", "HF", "SCANCODE"])
        self.assertTrue(any(r.split()[0] == "MIT" for r in rows[1:]))
        rc, out, _ = run("--list", "--json")
        self.assertEqual(rc, 0)
        entries = json_lines(out)
        self.assertEqual(len(entries), len(rows) - 1)
        by_id = {e["id"]: e for e in entries}
        self.assertEqual(len(by_id), len(entries))
        self.assertEqual((by_id["MIT"]["spdx"], by_id["MIT"]["hf"], by_id["MIT"]["osi_approved"]),
                         ("MIT", "mit", True))
        llama = by_id["Llama-3.1-Community"]
        self.assertEqual((llama["spdx"], llama["version"], llama["hf"]),
                         ("LicenseRef-Llama-3.1-Community", "3.1", "llama3.1"))
        self.assertFalse(llama["osi_approved"])
        # Added templates are listed; one replacing an embedded id is listed once.
        self.write("tpl/Widget.template.txt", "The widget license lets anyone use the widget.")
        self.write("tpl/MIT.template.txt", MIT_BODY)
        rc, out, _ = run("--list", "--json", "--templates", os.path.join(self.dir, "tpl"))
        ids = [e["id"] for e in json_lines(out)]
        self.assertEqual((ids.count("Widget"), ids.count("MIT")), (1, 1))
        rc, out, _ = run("--list", "--json", "--no-default", "--templates",
                         os.path.join(self.dir, "tpl"))
        self.assertEqual(sorted(e["id"] for e in json_lines(out)), ["MIT", "Widget"])
        rc, _, err = run("--list", EXAMPLES)
        self.assertEqual(rc, 2)
        self.assertIn("--list", err)

    def test_flags_summary_agrees_with_json(self):
        """--flags shows every flag of the JSON line, with each evidence
        span, label and quoted text, and the openness verdict."""
        path = os.path.join(EXAMPLES, "llama-3.1-model", "LICENSE")
        rc, out, _ = run("--flags", path)
        self.assertEqual(rc, 0)
        [line] = json_lines(run("--json", path)[1])
        category = line["openness"]["category"]
        self.assertRegex(out, r"\n  openness  %s\n" % re.escape(category))
        restrictions = line["restrictions"]
        if not restrictions:
            self.assertIn("\n  flags     none found\n", out)
        for name, r in restrictions.items():
            self.assertRegex(out, r"\n  flag      %s: " % re.escape(name))
            for ev in r["evidence"][:5]:
                span = "bytes %d-%d (" % (ev["start"], ev["end"])
                self.assertIn(span, out)
                if ev.get("label"):
                    self.assertIn("[%s] %s" % (ev["label"], span), out)
                self.assertRegex(out, re.escape(span) + r"\d+:\d+-\d+:\d+\) \"" +
                                 re.escape(ev["text"][:40]))
        for freedom in ("use", "study", "modify", "share"):
            broken = line["openness"][freedom]["broken_by"]
            if broken:
                self.assertIn("freedom to %s broken by %s\n" % (freedom, ", ".join(broken)), out)
            else:
                self.assertNotIn("freedom to %s broken" % freedom, out)
        # Without --flags, none of it.
        self.assertNotIn("openness", run(path)[1])

    def test_flags_on_the_llama_license(self):
        """Once clause extraction is in the library, the Llama 3.1 license
        shows its hallmark restrictions."""
        path = os.path.join(EXAMPLES, "llama-3.1-model", "LICENSE")
        if not self.rules_loaded():
            self.skipTest("this library build extracts no restriction flags yet")
        rc, out, _ = run("--flags", path)
        self.assertIn("flag      mau_threshold: 700,000,000", out)
        self.assertIn("flag      acceptable_use_policy", out)
        self.assertIn("openness  open-weight-restricted", out)

    def rules_loaded(self):
        """True when the library compiles clause rules (a malformed rules
        file is refused)."""
        bad = self.write("probe.rules", "this is not a rule file {{{\n")
        return run("--rules", bad, "--list")[0] == 2

    def test_readme_rule_example_loads_and_fires(self):
        """The rule shown in README's "Clause rules" loads as written."""
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        start = readme.index("```\n", readme.index("### Clause rules")) + 4
        rules = self.write("readme.rules", readme[start:readme.index("```", start)])
        text = self.write("t.txt", "Licensee must ask us first if it has more than "
                          "700 million monthly active users.\n")
        rc, out, err = run("--json", "--no-default", "--rules", rules, text)
        self.assertEqual(rc, 0, err)
        r = json_lines(out)[0]["restrictions"]["mau_threshold"]
        self.assertEqual(r["value"], 700000000)
        self.assertEqual(r["evidence"][0]["rule"], "user-cap-example")

    def test_rules_file_errors(self):
        missing = os.path.join(self.dir, "none.rules")
        rc, out, err = run("--rules", missing, self.write("x", MIT_BODY))
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("none.rules", err)
        if not self.rules_loaded():
            self.skipTest("this library build does not parse clause rules yet")
        bad = self.write("bad.rules", "this is not a rule file {{{\n")
        rc, out, err = run("--rules", bad, self.write("y", MIT_BODY))
        self.assertEqual((rc, out), (2, ""))
        self.assertRegex(err, r"bad\.rules:\d+:\d+: ")

    def test_rules_file_adds_a_flag(self):
        if not self.rules_loaded():
            self.skipTest("this library build does not parse clause rules yet")
        rules = ("rule test-tuesdays\n  flag field_of_use\n  keywords tuesdays\n"
                 "  match only on tuesdays\n  value const tuesdays\nend\n")
        rule_file = self.write("tpl/rules/days.rules", rules)
        text = self.write("terms.txt", "Terms.\n\nYou may use this software only on Tuesdays.\n")
        [line] = json_lines(run("--json", text)[1])
        self.assertNotIn("field_of_use", line["restrictions"])
        for args in (["--rules", rule_file], ["--templates", os.path.join(self.dir, "tpl")]):
            rc, out, _ = run("--json", *args, text)
            self.assertEqual(rc, 0, args)
            [line] = json_lines(out)
            flag = line["restrictions"]["field_of_use"]
            self.assertEqual(flag["value"], ["tuesdays"], args)
            [ev] = flag["evidence"]
            self.assertEqual((ev["start"], ev["end"], ev["rule"]), (8, 51, "test-tuesdays"))
        rc, out, _ = run("--flags", "--rules", rule_file, text)
        self.assertIn("  flag      field_of_use: tuesdays\n"
                      "            bytes 8-51 (3:1-3:43) \"You may use this software only on Tuesdays.\"\n",
                      out)
        self.assertIn("freedom to use broken by field_of_use\n", out)

    # ---- "A CLI you can script" ----

    def test_stdin_dash_and_pipes(self):
        """'-' reads standard input; /dev/stdin and <(...) are read."""
        p = subprocess.run([LICSCAN, "--json", "-"], input=MIT_BODY.encode(),
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        [line] = json_lines(p.stdout.decode())
        self.assertEqual((line["file"], line["spdx"]), ("-", "MIT"))
        p = subprocess.run([LICSCAN, "--format", "spdx", "/dev/stdin"],
                           input=MIT_BODY.encode(), capture_output=True, timeout=60)
        self.assertEqual((p.returncode, p.stdout), (0, b"/dev/stdin: MIT\n"))
        mit = self.write("LICENSE", MIT_BODY)
        p = subprocess.run(["bash", "-c", '"$0" --format spdx <(cat "$1")', LICSCAN, mit],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout.decode(), r"^/dev/fd/\d+: MIT\n$")
        # stdin that is binary: refused like a binary file
        p = subprocess.run([LICSCAN, "--format", "spdx", "-"], input=b"\x7fELF\0\0\1",
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"-: ERROR NUL byte at offset 4: binary input", p.stdout)

    def test_fifo_named_on_the_command_line_is_read(self):
        import threading
        fifo = os.path.join(self.dir, "pipe")
        os.mkfifo(fifo)

        def writer():
            with open(fifo, "w") as f:
                f.write(MIT_BODY)
        t = threading.Thread(target=writer)
        t.start()
        rc, out, err = run("--format", "spdx", fifo)
        t.join(10)
        self.assertEqual((rc, out, err), (0, fifo + ": MIT\n", ""))
        # met in a walk, a FIFO is still skipped without being opened
        self.write("tree/LICENSE", MIT_BODY)
        os.mkfifo(os.path.join(self.dir, "tree", "pipe"))
        rc, out, err = run("--format", "spdx", os.path.join(self.dir, "tree"))
        self.assertEqual(rc, 1)
        self.assertIn("pipe: ERROR a FIFO", out)

    def make_hf_cache(self):
        """A Hugging Face cache repository: snapshots/REV/* link to ../../blobs/."""
        repo = os.path.join(self.dir, "hub", "models--org--name")
        self.write("hub/models--org--name/blobs/0a1b2c", MIT_BODY)
        self.write("hub/models--org--name/blobs/3d4e5f", "just a readme, no license\n")
        snap = os.path.join(repo, "snapshots", "abc123")
        os.makedirs(snap)
        os.symlink("../../blobs/0a1b2c", os.path.join(snap, "LICENSE"))
        os.symlink("../../blobs/3d4e5f", os.path.join(snap, "README.md"))
        self.write("secret.txt", MIT_BODY)
        os.symlink(os.path.join(self.dir, "secret.txt"), os.path.join(snap, "outside"))
        os.makedirs(os.path.join(snap, "sub"))
        os.symlink("..", os.path.join(snap, "sub", "up"))  # a directory: only with -L
        return repo, snap

    def test_links_inside_the_tree_are_followed(self):
        repo, snap = self.make_hf_cache()
        rc, out, _ = run("--format", "spdx", repo)
        self.assertEqual(rc, 0)
        rel = [l.replace(repo + "/", "") for l in out.splitlines()]
        self.assertEqual(rel, ["blobs/0a1b2c: MIT", "blobs/3d4e5f: NONE",
                               "snapshots/abc123/LICENSE: MIT",
                               "snapshots/abc123/README.md: NONE"])
        # a snapshot named directly: its links into the repository's blobs
        # are followed, the link leading out of the repository is not
        rc, out, _ = run("--format", "spdx", snap)
        self.assertEqual(rc, 0)
        self.assertEqual(out.splitlines(), [snap + "/LICENSE: MIT", snap + "/README.md: NONE"])
        # outside any cache, a link out of the named tree is not followed
        self.write("plain/LICENSE", MIT_BODY)
        os.symlink(os.path.join(self.dir, "secret.txt"), os.path.join(self.dir, "plain", "out"))
        os.symlink("LICENSE", os.path.join(self.dir, "plain", "in"))
        rc, out, _ = run("--format", "spdx", os.path.join(self.dir, "plain"))
        self.assertEqual([l.split("/")[-1] for l in out.splitlines()], ["LICENSE: MIT", "in: MIT"])

    def test_follow_every_link_with_loop_protection(self):
        repo, snap = self.make_hf_cache()
        for opt in ("-L", "--follow"):
            rc, out, err = run("--format", "spdx", opt, snap)
            self.assertEqual(rc, 1, err)  # sub/up leads back to the snapshot: a loop
            names = [l.split(": ")[0].replace(snap + "/", "") for l in out.splitlines()]
            self.assertEqual(names, ["LICENSE", "README.md", "outside", "sub/up"])
            self.assertIn("sub/up: ERROR directory loop", out)
        os.symlink("nowhere", os.path.join(snap, "dangling"))
        rc, out, _ = run("--format", "spdx", "-L", snap)
        self.assertIn("dangling: ERROR dangling symbolic link", out)
        rc, out, _ = run("--format", "spdx", snap)  # without -L left out, as before
        self.assertNotIn("dangling", out)

    def peak_rss_kib(self, args):
        """Runs licscan in a fresh child; returns (status, stdout, stderr,
        peak RSS in KiB, seconds)."""
        code = ("import resource,subprocess,sys,time\n"
                "t=time.monotonic()\n"
                "p=subprocess.run(sys.argv[1:],capture_output=True)\n"
                "t=time.monotonic()-t\n"
                "sys.stdout.write('%d %d %f\\n' % (p.returncode, "
                "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, t))\n"
                "sys.stdout.write(p.stdout.decode('utf-8','replace'))\n")
        p = subprocess.run([sys.executable, "-c", code, LICSCAN, *args],
                           capture_output=True, timeout=120)
        head, _, out = p.stdout.decode().partition("\n")
        rc, rss, secs = head.split()
        return int(rc), out, int(rss), float(secs)

    def test_binary_refused_from_its_first_block(self):
        """A 200 MB file of random bytes under --max-bytes 1G is refused as
        binary without being read whole."""
        big = os.path.join(self.dir, "weights.bin")
        with open(big, "wb") as f:
            f.write(os.urandom(1 << 20))  # random bytes: NULs in the first block
            f.truncate(200 << 20)         # the rest sparse
        rc, out, rss, secs = self.peak_rss_kib(["--json", "--max-bytes", "1G", big])
        self.assertEqual(rc, 1)
        self.assertIn("binary input", json_lines(out)[0]["error"])
        self.assertLess(rss, 60 * 1024, "peak RSS %d KiB: the file was read" % rss)
        # the same without NULs near the start is read (and found binary later)
        late = self.write("late.bin", MIT_BODY * 100 + "\0")
        rc, out, _ = run("--json", late)
        self.assertEqual(rc, 1)
        self.assertIn("NUL byte at offset %d" % (len(MIT_BODY) * 100), json_lines(out)[0]["error"])
        # over the limit: refused by its size alone
        rc, out, rss, _ = self.peak_rss_kib(["--json", "--max-bytes", "100M", big])
        self.assertEqual(rc, 1)
        self.assertIn("over the limit", json_lines(out)[0]["error"])
        self.assertLess(rss, 60 * 1024)

    def test_utf16_without_bom(self):
        text = "Copyright 2020 X\r\n\r\n" + MIT_BODY.replace("\n", "\r\n")
        for codec, name in (("utf-16-le", "utf-16le"), ("utf-16-be", "utf-16be")):
            path = self.write(name, text.encode(codec))
            rc, out, err = run("--json", path)
            self.assertEqual(rc, 0, err)
            [line] = json_lines(out)
            self.assertEqual(line["encoding"], name)
            self.assertNotIn("bom", line.get("input", []))
            self.assertEqual([m["id"] for m in line["matches"]], ["MIT"])
            # line:col count characters, not bytes
            rc, out, _ = run(path)
            end = line["matches"][0]["end"]
            before = text.encode(codec)[:end - 2].decode(codec)
            want = "bytes 0-%d (1:1-%d:%d)" % (end, before.count("\n") + 1,
                                              len(before) - before.rfind("\n"))
            self.assertIn(want, out)

    def test_every_file_has_a_line_in_every_format(self):
        good = self.write("LICENSE", MIT_BODY)
        binary = self.write("blob.bin", b"abc\0def")
        missing = os.path.join(self.dir, "nope.txt")
        rc, out, err = run("--format", "spdx", good, binary, missing)
        self.assertEqual(rc, 1)
        self.assertEqual(out.splitlines(), [
            good + ": MIT", binary + ": ERROR NUL byte at offset 3: binary input",
            missing + ": ERROR No such file or directory"])
        self.assertEqual(len(err.splitlines()), 2)
        rc, out, _ = run(good, binary, missing)
        self.assertEqual(rc, 1)
        self.assertIn(binary + ": ERROR NUL byte at offset 3", out)
        self.assertIn(missing + ": ERROR No such file", out)
        # a file the library refuses (NUL past the first block) too
        late = self.write("late", MIT_BODY * 100 + "\0")
        rc, out, _ = run("--format", "spdx", late)
        self.assertEqual((rc, out.split(": ERROR ")[0]), (1, late))

    def test_quiet(self):
        good = self.write("LICENSE", MIT_BODY)
        missing = os.path.join(self.dir, "nope.txt")
        for opt in ("-q", "--quiet"):
            rc, out, err = run(opt, "--format", "spdx", good, missing)
            self.assertEqual((rc, err), (1, ""))
            self.assertEqual(len(out.splitlines()), 2)
        root = os.path.join(self.dir, "many")
        for i in range(150):
            self.write(f"many/f{i:03d}", "nothing here %d" % i)
        rc, _, term = run_on_terminal(["-q", "-j", "2", root])
        self.assertEqual((rc, term), (0, ""))

    def test_unknown_option_is_one_line(self):
        rc, out, err = run("--bogus", self.write("x", MIT_BODY))
        self.assertEqual((rc, out), (2, ""))
        self.assertEqual(err, "licscan: unknown option '--bogus'\n"
                              "Try 'licscan --help' for more information.\n")
        rc, out, err = run()
        self.assertEqual((rc, len(err.splitlines())), (2, 2))
        self.assertIn("--help", err)

    def test_list_columns_fit_long_ids(self):
        long_id = "A-Very-Long-Template-Identifier-That-Is-Far-Beyond-Thirty-Two"
        self.write("tpl/%s.template.txt" % long_id, "The widget license lets anyone use the widget.")
        rc, out, _ = run("--list", "--templates", os.path.join(self.dir, "tpl"))
        self.assertEqual(rc, 0)
        rows = out.splitlines()
        col = rows[0].index("NAME")
        self.assertGreater(col, len(long_id))
        for r in rows[1:]:
            # every NAME cell starts in the header's column, after two spaces
            self.assertEqual(r[col - 2:col], "  ", r)
            self.assertNotEqual(r[col], " ", r)

    def test_line_and_column_beside_byte_spans(self):
        head = "Copyright (c) 2024 Jane Doe\n\n  "
        path = self.write("LICENSE", head + MIT_BODY.replace("free of charge", "for a fee"))
        rc, out, _ = run("--diff", "--flags", path)
        self.assertEqual(rc, 0)
        [line] = json_lines(run("--json", path)[1])
        m = line["matches"][0]
        with open(path, "rb") as f:
            data = f.read()

        def pos(off):
            before = data[:off]
            nl = before.rfind(b"\n")
            return before.count(b"\n") + 1, len(before[nl + 1:].decode()) + 1
        want = "bytes %d-%d (%d:%d-%d:%d)" % ((m["start"], m["end"]) + pos(m["start"]) +
                                            pos(m["end"] - 1))
        self.assertIn(want, out)
        self.assertIn("(1:1-", want)
        self.assertRegex(out, r"replaced +@\d+-\d+ \(3:\d+-3:\d+\) input")
        # columns count characters, not bytes: every difference's position
        # after two-byte characters on its line
        data = (head + MIT_BODY.replace("Permission is", "Permissi\u00f3n \u00e9s")
                .replace("free of charge", "for a fee")).encode()
        path = self.write("L2", data)
        rc, out, _ = run("--diff", path)
        spans = re.findall(r"(?:@|bytes )(\d+)-(\d+) \((\d+):(\d+)(?:-(\d+):(\d+))?\)", out)
        self.assertGreaterEqual(len(spans), 2, out)
        for s, e, l1, c1, l2, c2 in spans:
            s, e = int(s), int(e)
            want = pos(s) + (pos(e - 1) if e > s else ())
            got = tuple(int(x) for x in (l1, c1, l2, c2) if x)
            self.assertEqual(want, got, out)

    def test_json_positions_on_the_corpus(self):
        """Every span of the JSON (matches, differences, flag changes,
        evidence) has line, col, end_line and end_col, counted here on the
        decoded text: LF, CR LF and a lone CR end lines, a column is a code
        point, a byte-order mark none, the end is the last character."""
        rc, out, _ = run("--json", "--diff", "-j2", os.path.join(ROOT, "corpus"))
        encodings = {"utf-8": "utf-8", "utf-8-latin1": None, "utf-16le": "utf-16-le",
                     "utf-16be": "utf-16-be"}
        checked = 0
        for line in json_lines(out):
            if line.get("error") or line["encoding"] not in encodings:
                continue
            with open(line["file"], "rb") as f:
                data = f.read()
            codec = encodings[line["encoding"]]
            # each character with the input offset it starts at
            chars, offs, i = [], [], 0
            if codec is None:  # valid UTF-8 kept, other bytes as Latin-1
                while i < len(data):
                    for k in (4, 3, 2, 1):
                        try:
                            chars.append(data[i:i + k].decode("utf-8"))
                            break
                        except UnicodeDecodeError:
                            k = 0
                    if not k:
                        chars.append(chr(data[i]))
                        k = 1
                    offs.append(i)
                    i += k
            else:
                unit = 2 if "16" in codec else 1
                text = data.decode(codec, "replace")
                for ch in text:
                    chars.append(ch)
                    offs.append(i)
                    i += len(ch.encode(codec, "surrogatepass")) if unit == 2 else len(ch.encode())
            if chars and chars[0] == "\ufeff":
                chars, offs = chars[1:], offs[1:]
            where, ln, col = {}, 1, 1
            for k, (ch, off) in enumerate(zip(chars, offs)):
                where[off] = (ln, col)
                nxt = chars[k + 1] if k + 1 < len(chars) else ""
                if ch == "\n" or (ch == "\r" and nxt != "\n"):
                    ln, col = ln + 1, 1
                else:
                    col += 1
            end_pos = (ln, col)

            def at(off):
                while off > 0 and off not in where and off < len(data):
                    off -= 1
                return where.get(off, end_pos)

            spans = []
            for m in line["matches"]:
                spans += [m] + m.get("differences", []) + m.get("flag_changes", [])
            for x in line["restrictions"].values():
                spans += x["evidence"]
            for sp in spans:
                s, e = sp["start"], sp["end"]
                want = at(s) + (at(e - 1) if e > s else at(s))
                got = (sp["line"], sp["col"], sp["end_line"], sp["end_col"])
                self.assertEqual(want, got, (line["file"], sp))
                checked += 1
        self.assertGreater(checked, 1000)

    def test_help_and_man_page_cover_every_option(self):
        rc, out, _ = run("--help")
        self.assertEqual(rc, 0)
        options = sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", out)))
        for opt in ("--format", "--json", "--diff", "--flags", "--color", "--list",
                    "--templates", "--rules", "--no-default", "--jobs", "--max-bytes",
                    "--quiet", "--follow", "--help", "--version"):
            self.assertIn(opt, options)
        self.assertIn("Exit status", out)
        man = os.path.join(ROOT, "doc", "licscan.1")
        with open(man, encoding="utf-8") as f:
            page = f.read().replace("\\-", "-")
        for opt in options:
            self.assertIn(opt, page, f"{opt} is not in doc/licscan.1")
        for section in (".SH SYNOPSIS", ".SH OPTIONS", ".SH EXIT STATUS", ".SH EXAMPLES"):
            self.assertIn(section, page)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        LICSCAN = os.path.abspath(sys.argv.pop(1))
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"test_cli: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
