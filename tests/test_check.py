"""Tests of `licscan check`: one verdict per model, exit statuses that gate
a build.

The model directories are built in a temporary directory from the texts
in ../shared/reference-texts/ and ../shared/realworld/model-licenses/
(copied at test time, never modified); without ../shared the tests that
need it are skipped, saying so.

Run: python3 tests/test_check.py [path/to/licscan]
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LICSCAN = os.environ.get("LICSCAN", os.path.join(ROOT, "build", "licscan"))
SHARED = os.path.join(ROOT, "..", "shared")
REFERENCE = os.path.join(SHARED, "reference-texts")
REALWORLD = os.path.join(SHARED, "realworld", "model-licenses", "cases")
HAVE_SHARED = os.path.isdir(REFERENCE) and os.path.isdir(REALWORLD)
NEED_SHARED = unittest.skipUnless(
    HAVE_SHARED, f"{os.path.normpath(SHARED)} is absent: no reference texts to build models from")


MIT_TEXT = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of "
    "this software and associated documentation files (the \"Software\"), to deal in "
    "the Software without restriction, including without limitation the rights to use, "
    "copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the "
    "Software, and to permit persons to whom the Software is furnished to do so, "
    "subject to the following conditions:\n\nThe above copyright notice and this "
    "permission notice shall be included in all copies or substantial portions of the "
    "Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, "
    "EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, "
    "FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS "
    "OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN "
    "AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH "
    "THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n")
APACHE_NOTICE = "The code is licensed under the Apache License, Version 2.0.\n"


def check(*args):
    p = subprocess.run([LICSCAN, "check", *args], capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def check_json(*args):
    rc, out, err = check("--json", *args)
    return rc, [json.loads(line) for line in out.splitlines() if line.strip()], err


def reasons(v, code=None, outcome=None):
    return [r for r in v["duties"] + v["reasons"]
            if (code is None or r["code"] == code) and (outcome is None or r["outcome"] == outcome)]


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="licscan-check-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def model(self, name, files):
        """A model directory: {file name: reference text id, realworld case,
        or literal text (str/bytes)}."""
        d = os.path.join(self.dir, name)
        for fname, what in files.items():
            path = os.path.join(d, fname)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if isinstance(what, bytes):
                data = what
            elif what.startswith("case:"):
                with open(os.path.join(REALWORLD, what[5:]), "rb") as f:
                    data = f.read()
            elif "\n" not in what and os.path.exists(os.path.join(REFERENCE, what + ".txt")):
                with open(os.path.join(REFERENCE, what + ".txt"), "rb") as f:
                    data = f.read()
            else:
                data = what.encode()
            with open(path, "wb") as f:
                f.write(data)
        return d

    def llama31(self):
        return self.model("llama31", {"LICENSE": "Llama-3.1-Community",
                                      "USE_POLICY.md": "Llama-3.1-AUP",
                                      "model.safetensors": b"\x08\0\0\0weights"})

    # ---- the cases of the issue ----

    @NEED_SHARED
    def test_llama31_above_the_user_threshold_needs_a_license(self):
        rc, [v], _ = check_json("--mau", "800M", self.llama31())
        self.assertEqual(rc, 3)
        self.assertEqual(v["schema"], "check-1")
        self.assertEqual(v["verdict"], "needs-license")
        [mau] = reasons(v, "mau")
        self.assertEqual(mau["outcome"], "needs-license")
        self.assertEqual(mau["evidence"]["label"], "2")
        self.assertEqual(mau["file"], "LICENSE")
        self.assertEqual(mau["license"], "Llama-3.1-Community")
        self.assertIn("by 100,000,000", mau["message"])
        self.assertIn("section 2", mau["message"])
        self.assertEqual(v["licenses"]["weights"], ["Llama-3.1-Community"])
        self.assertEqual(v["licenses"]["policy"], ["Llama-3.1-AUP"])
        # the text output says the same
        rc, out, _ = check("--mau", "800000000", self.llama31())
        self.assertEqual(rc, 3)
        self.assertIn(": needs-license", out.splitlines()[0])
        self.assertIn("[2]", out)

    @NEED_SHARED
    def test_llama31_small_commercial_distribution_has_duties(self):
        rc, [v], _ = check_json("--mau", "5M", "--use", "commercial",
                                "--use", "distribute-weights", self.llama31())
        self.assertEqual(rc, 0)
        self.assertEqual(v["verdict"], "allowed-with-duties")
        codes = {d["code"]: d for d in v["duties"]}
        self.assertIn('"Built with Llama"', codes["built-with"]["message"])
        self.assertIn('"Llama"', codes["name-prefix"]["message"])
        self.assertIn("Llama 3.1 is licensed under", codes["notice-text"]["message"])
        self.assertEqual(codes["notice-text"]["evidence"]["label"], "1.b.iii")
        [mau] = reasons(v, "mau")
        self.assertEqual(mau["outcome"], "allowed")
        self.assertFalse(v["conflict"])

    @NEED_SHARED
    def test_llama32_eu_exclusion_covers_multimodal_models_only(self):
        d = self.model("llama32", {"LICENSE": "Llama-3.2-Community",
                                   "USE_POLICY.md": "Llama-3.2-AUP"})
        rc, [v], _ = check_json("--mau", "1000", "--region", "DE",
                                "--modality", "multimodal", d)
        self.assertEqual(rc, 3)
        self.assertEqual(v["verdict"], "forbidden")
        [t] = reasons(v, "territory")
        self.assertEqual(t["outcome"], "forbidden")
        self.assertIn("European Union", t["message"])
        self.assertIn("DE", t["message"])
        self.assertEqual(t["license"], "Llama-3.2-AUP")
        rc, [v], _ = check_json("--mau", "1000", "--region", "DE", "--modality", "text", d)
        self.assertEqual(rc, 0)
        self.assertNotEqual(v["verdict"], "forbidden")
        [t] = reasons(v, "territory")
        self.assertEqual(t["outcome"], "allowed")
        # elsewhere, or the EU named directly
        rc, [v], _ = check_json("--mau", "1000", "--region", "US", "--modality", "multimodal", d)
        self.assertEqual(reasons(v, "territory")[0]["outcome"], "allowed")
        rc, [v], _ = check_json("--mau", "1000", "--region", "EU", "--modality", "multimodal", d)
        self.assertEqual(v["verdict"], "forbidden")
        # no modality given: not known
        rc, [v], _ = check_json("--mau", "1000", "--region", "FR", d)
        self.assertEqual(reasons(v, "territory")[0]["outcome"], "unknown")
        self.assertEqual(rc, 0)
        self.assertEqual(check("--strict", "--mau", "1000", "--region", "FR", d)[0], 4)

    @NEED_SHARED
    def test_gemma_hosted_service_passes_the_prohibited_use_policy_on(self):
        d = self.model("gemma", {"LICENSE": "Gemma-Terms-of-Use",
                                 "USE_POLICY.md": "Gemma-Prohibited-Use-Policy"})
        rc, [v], _ = check_json("--use", "hosted-service", d)
        self.assertEqual(rc, 0)
        self.assertEqual(v["verdict"], "allowed-with-duties")
        [flow] = reasons(v, "flow-down")
        self.assertEqual(flow["license"], "Gemma-Terms-of-Use")
        self.assertIn("prohibited_use_policy", flow["message"])

    @NEED_SHARED
    def test_openrail_distribution_includes_the_use_restrictions(self):
        d = self.model("sd", {"LICENSE": "CreativeML-OpenRAIL-M"})
        rc, [v], _ = check_json("--use", "distribute-weights", d)
        self.assertEqual(rc, 0)
        [flow] = reasons(v, "flow-down")
        self.assertEqual(flow["license"], "CreativeML-OpenRAIL-M")
        self.assertIn("use restrictions", flow["message"])
        self.assertIn("Attachment A", flow["message"])
        # research only: nothing is distributed, no flow-down
        rc, [v], _ = check_json("--use", "research", d)
        self.assertEqual(reasons(v, "flow-down"), [])

    @NEED_SHARED
    def test_apache_model_has_the_notice_duty_and_nothing_else(self):
        d = self.model("apache", {"LICENSE": "Apache-2.0", "config.json": "{}"})
        rc, [v], _ = check_json(d)
        self.assertEqual(rc, 0)
        self.assertEqual(v["verdict"], "allowed-with-duties")
        self.assertEqual([r["code"] for r in v["duties"] + v["reasons"]], ["notice"])
        self.assertEqual(v["licenses"]["weights"], ["Apache-2.0"])
        self.assertEqual([f["file"] for f in v["files"]], ["LICENSE"])

    @NEED_SHARED
    def test_non_commercial_model_used_commercially_is_forbidden(self):
        d = self.model("ccnc", {"LICENSE": "CC-BY-NC-4.0"})
        rc, [v], _ = check_json("--use", "commercial", d)
        self.assertEqual(rc, 3)
        self.assertEqual(v["verdict"], "forbidden")
        self.assertEqual(reasons(v, "non-commercial")[0]["outcome"], "forbidden")
        rc, [v], _ = check_json("--use", "research", d)
        self.assertEqual(rc, 0)
        self.assertEqual(v["verdict"], "allowed-with-duties")

    def test_declared_license_that_drops_the_base_terms_is_a_conflict(self):
        card = ("---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n"
                "pipeline_tag: text-generation\n---\n# Llama-tuned\n")
        d = self.model("Llama-tuned", {"README.md": card})
        rc, [v], _ = check_json("--mau", "10", d)
        self.assertEqual(rc, 3)
        self.assertTrue(v["conflict"])
        [c] = reasons(v, "drops-base-terms")
        self.assertEqual(c["kind"], "conflict")
        self.assertIn("README.md says Apache-2.0", c["message"])
        self.assertIn("meta-llama/Llama-3.1-8B", c["message"])
        self.assertIn("licenses/models.tsv: meta-llama/Llama-3.1-*", c["message"])
        self.assertEqual(v["licenses"]["declared"], ["Apache-2.0"])
        self.assertEqual(v["licenses"]["inherited"], ["Llama-3.1-Community"])
        self.assertEqual(v["bases"], [{"id": "meta-llama/Llama-3.1-8B", "from": "models.tsv",
                                       "pattern": "meta-llama/Llama-3.1-*"}])
        # the inherited terms bind it: Llama's threshold, read from the
        # license's published text
        [mau] = reasons(v, "mau")
        self.assertEqual(mau["base"], "meta-llama/Llama-3.1-8B")
        # the name keeps the prefix the base asks for: no second conflict
        self.assertEqual(reasons(v, "name-prefix", "allowed-with-duties")[0]["kind"], "duty")
        # a derivative named without it
        d2 = self.model("tuned", {"README.md": card.replace("apache-2.0", "llama3.1")})
        rc, [v], _ = check_json("--mau", "10", d2)
        self.assertEqual(rc, 3)
        self.assertEqual([r["code"] for r in v["reasons"] if r["kind"] == "conflict"],
                         ["name-prefix"])
        # keeping the base's license and its name: no conflict
        d3 = self.model("Llama-tuned-2", {"README.md": card.replace("apache-2.0", "llama3.1")})
        rc, [v], _ = check_json("--mau", "10", d3)
        self.assertEqual(rc, 0)
        self.assertFalse(v["conflict"])

    @NEED_SHARED
    def test_hugging_face_cache_with_symlinked_snapshots(self):
        hub = os.path.join(self.dir, "hub")

        def repo(org_name, files):
            r = os.path.join(hub, "models--" + org_name.replace("/", "--"))
            snap = os.path.join(r, "snapshots", "0123abcd")
            os.makedirs(os.path.join(r, "blobs"))
            os.makedirs(snap)
            os.makedirs(os.path.join(r, "refs"))
            with open(os.path.join(r, "refs", "main"), "w") as f:
                f.write("0123abcd")
            for i, (fname, data) in enumerate(files.items()):
                blob = os.path.join(r, "blobs", "%040x" % (i + 1))
                with open(blob, "wb") as f:
                    f.write(data)
                os.symlink(os.path.join("..", "..", "blobs", os.path.basename(blob)),
                           os.path.join(snap, fname))
            return r, snap

        def ref(name):
            with open(os.path.join(REFERENCE, name + ".txt"), "rb") as f:
                return f.read()

        base, _ = repo("meta-llama/Llama-3.1-8B",
                       {"LICENSE": ref("Llama-3.1-Community"),
                        "USE_POLICY.md": ref("Llama-3.1-AUP"),
                        "model.safetensors": b"\x08\0\0\0weights"})
        tuned, snap = repo("someone/tuned-8B",
                           {"README.md": b"---\nlicense: mit\nbase_model:\n"
                                         b"- meta-llama/Llama-3.1-8B\n---\n"})
        # a link out of the repository is not followed
        os.symlink(os.path.join(REFERENCE, "MIT.txt"), os.path.join(snap, "LICENSE"))
        rc, lines, err = check_json("--mau", "10", hub)
        self.assertEqual([v["model"] for v in lines],
                         ["meta-llama/Llama-3.1-8B", "someone/tuned-8B"], err)
        self.assertEqual(rc, 3)  # the tuned model drops the base's terms
        llama, t = lines
        self.assertEqual(llama["verdict"], "allowed-with-duties")
        self.assertEqual([f["file"] for f in llama["files"]], ["LICENSE", "USE_POLICY.md"])
        self.assertEqual(t["bases"], [{"id": "meta-llama/Llama-3.1-8B", "from": "cache"}])
        self.assertTrue(t["conflict"])
        self.assertIn("meta-llama/Llama-3.1-8B/LICENSE",
                      {r.get("file") for r in t["duties"]})
        self.assertNotIn("LICENSE", [f["file"] for f in t["files"]])
        # the repository and the snapshot name the same model
        for path in (tuned, snap):
            rc, [v], _ = check_json("--mau", "10", path)
            self.assertEqual(v["model"], "someone/tuned-8B")
            self.assertEqual(v["bases"][0]["from"], "cache")

    def test_card_wording_keeps_weights_and_code_apart(self):
        """examples/licenses/gemma-finetune: the card declares gemma, says
        the model is under the Gemma Terms of Use and the training scripts
        under the Apache License 2.0."""
        d = os.path.join(ROOT, "examples", "licenses", "gemma-finetune")
        rc, [v], _ = check_json("--use", "hosted-service", d)
        self.assertEqual(rc, 0)
        self.assertEqual(v["licenses"]["weights"], ["Gemma-Terms-of-Use"])
        self.assertEqual(v["licenses"]["code"], ["Apache-2.0"])
        self.assertEqual(v["licenses"]["inherited"], ["Gemma-Terms-of-Use"])
        self.assertEqual(v["bases"][0]["pattern"], "google/gemma-*")
        self.assertFalse(v["conflict"])
        # the base's terms are the model's own: read once
        self.assertEqual(len(reasons(v, "flow-down")), 1)
        # LICENSE-MODEL and LICENSE-CODE
        d = self.model("split", {"LICENSE-MODEL": "Copyright 2024 X\n\n" + MIT_TEXT,
                                 "LICENSE-CODE": APACHE_NOTICE})
        rc, [v], _ = check_json(d)
        self.assertEqual(v["licenses"]["weights"], ["MIT"])
        self.assertEqual(v["licenses"]["code"], ["Apache-2.0"])  # named only
        self.assertEqual([f["role"] for f in v["files"]], ["code", "weights"])

    # ---- realworld texts no template knows ----

    @NEED_SHARED
    def test_terms_read_from_licenses_without_a_template(self):
        # Kolors: commercial use by registration below 300M MAU
        d = self.model("kolors", {"MODEL_LICENSE": "case:0005.txt"})
        rc, [v], _ = check_json("--mau", "400M", d)
        self.assertEqual(rc, 3)
        self.assertEqual(reasons(v, "mau")[0]["outcome"], "needs-license")
        self.assertEqual(v["files"][0]["role"], "weights")
        # OPT-175B: non-commercial research
        d = self.model("opt", {"LICENSE.md": "case:0001.md"})
        rc, [v], _ = check_json("--use", "commercial", d)
        self.assertEqual(v["verdict"], "forbidden")

    @NEED_SHARED
    def test_revenue_threshold(self):
        d = self.model("stability", {"LICENSE.md": "Stability-AI-Community-License"})
        rc, [v], _ = check_json("--revenue", "2000000/yearUSD", d)
        self.assertEqual(rc, 3)
        self.assertEqual(reasons(v, "revenue")[0]["outcome"], "needs-license")
        rc, [v], _ = check_json("--revenue", "50K/month", d)  # 600,000 a year
        self.assertEqual(reasons(v, "revenue")[0]["outcome"], "allowed")
        rc, [v], _ = check_json("--revenue", "50000/month EUR", d)
        self.assertEqual(reasons(v, "revenue")[0]["outcome"], "unknown")

    # ---- models without terms, files, errors ----

    def test_no_license_is_unknown_and_strict_fails(self):
        d = self.model("bare", {"config.json": "{}", "README.md": "# a model\n"})
        rc, [v], _ = check_json(d)
        self.assertEqual(rc, 0)
        self.assertEqual(v["verdict"], "unknown")
        self.assertEqual(reasons(v, "no-license")[0]["kind"], "license")
        self.assertEqual(check("--strict", d)[0], 4)
        # a LICENSE licscan cannot read
        d = self.model("odd", {"LICENSE": "All rights reserved by nobody in particular.\n"})
        rc, [v], _ = check_json(d)
        self.assertEqual(v["verdict"], "unknown")
        self.assertEqual(reasons(v, "unreadable")[0]["file"], "LICENSE")

    @NEED_SHARED
    def test_a_file_is_a_model_of_one_file(self):
        path = os.path.join(self.model("f", {"terms.txt": "CC-BY-NC-4.0"}), "terms.txt")
        rc, [v], _ = check_json("--use", "commercial", path)
        self.assertEqual(rc, 3)
        self.assertEqual(v["model"], path)
        self.assertEqual(v["licenses"]["weights"], ["CC-BY-NC-4.0"])

    def test_read_errors(self):
        rc, lines, err = check_json(os.path.join(self.dir, "nope"))
        self.assertEqual(rc, 1)
        self.assertIn("error", lines[0])
        self.assertIn("nope", err)
        # a binary LICENSE inside a model: reported, exit 1
        d = self.model("binlic", {"LICENSE": b"\0\1\2"})
        rc, [v], _ = check_json(d)
        self.assertEqual(rc, 1)
        self.assertIn("binary", v["files"][0]["error"])

    @NEED_SHARED
    def test_allow_and_deny(self):
        d = self.llama31()
        self.assertEqual(check("--mau", "5", "--deny", "territory_exclusion", d)[0], 0)
        rc, [v], _ = check_json("--mau", "5", "--deny", "mau_threshold", d)
        self.assertEqual(rc, 3)
        self.assertEqual(reasons(v, "denied")[0]["flag"], "mau_threshold")
        rc, [v], _ = check_json("--mau", "5", "--deny", "llama3.1", d)  # an HF tag
        self.assertEqual(rc, 3)
        self.assertEqual(check("--mau", "5", "--allow", "Apache-2.0", "--allow", "MIT", d)[0], 3)
        self.assertEqual(check("--mau", "5", "--allow", "LicenseRef-Llama-3.1-Community", d)[0], 0)
        # an accepted flag: the threshold no longer fails the check
        self.assertEqual(check("--mau", "800M", d)[0], 3)
        self.assertEqual(check("--mau", "800M", "--allow", "mau_threshold", d)[0], 0)

    # ---- the facts file and usage ----

    @NEED_SHARED
    def test_facts_file(self):
        d = self.llama31()
        facts = os.path.join(self.dir, "facts.json")
        with open(facts, "w") as f:
            json.dump({"mau": 800000000, "revenue": {"amount": 10, "period": "month",
                                                     "currency": "EUR"},
                       "regions": ["DE", "US"], "uses": ["commercial"],
                       "modality": "text", "allow": [], "deny": []}, f)
        rc, [v], _ = check_json("--facts", facts, d)
        self.assertEqual(rc, 3)
        self.assertEqual(v["verdict"], "needs-license")
        # the options add to the file
        rc, [v], _ = check_json("--facts", facts, "--mau", "5", d)
        self.assertEqual(rc, 0)

    def test_bad_facts_file_is_a_usage_error(self):
        d = self.model("m", {"README.md": "x"})
        cases = [
            ('{"mau": 5,', "bad JSON"),
            ('{"mau": 5}\n{"mau": 6}', "bad JSON"),
            ('[1, 2]', "JSON object"),
            ('{"mau": -3}', '"mau"'),
            ('{"mau": "many"}', '"mau"'),
            ('{"users": 5}', "unknown member"),
            ('{"regions": ["Germany"]}', '"regions"'),
            ('{"uses": ["piracy"]}', '"uses"'),
            ('{"revenue": {"amount": 5, "period": "fortnight"}}', '"revenue"'),
            ('{"revenue": {"amount": 5, "currency": "dollars"}}', '"revenue"'),
            ('{"modality": "smell"}', '"modality"'),
            ('{"mau": 1, "mau": 2}', "bad JSON"),
        ]
        for text, word in cases:
            path = os.path.join(self.dir, "facts.json")
            with open(path, "w") as f:
                f.write(text)
            rc, out, err = check("--facts", path, d)
            self.assertEqual(rc, 2, text)
            self.assertEqual(out, "", text)
            self.assertIn(word, err, text)
            self.assertIn("facts.json", err, text)
        rc, _, err = check("--facts", os.path.join(self.dir, "missing.json"), d)
        self.assertEqual(rc, 2)
        self.assertIn("cannot read the facts", err)
        # the line and column of a JSON error
        with open(path, "w") as f:
            f.write('{\n  "mau": 5,\n  oops\n}\n')
        rc, _, err = check("--facts", path, d)
        self.assertRegex(err, r"facts\.json:3:\d+: bad JSON")

    def test_usage_errors(self):
        d = self.model("m", {"README.md": "x"})
        for args in (["--mau", "lots", d], ["--use", "piracy", d], ["--region", "DEU", d],
                     ["--revenue", "1M/fortnight", d], ["--revenue", "1M/yearDOLLARS", d],
                     ["--modality", "smell", d], ["--frobnicate", d], [], ["--jobs", "0", d]):
            rc, out, err = check(*args)
            self.assertEqual(rc, 2, args)
            self.assertIn("Try 'licscan check --help'", err, args)
        rc, out, _ = check("--help")
        self.assertEqual(rc, 0)
        for opt in ("--mau", "--revenue", "--region", "--use", "--modality", "--facts",
                    "--allow", "--deny", "--strict", "--json", "Exit status"):
            self.assertIn(opt, out)

    @NEED_SHARED
    def test_output_is_the_same_for_any_jobs(self):
        for name in ("Apache-2.0", "MIT", "Llama-2-Community", "Yi-License"):
            self.model("many/" + name, {"LICENSE": name})
        args = ["--mau", "5", os.path.join(self.dir, "many")]
        # the parent is a plain directory: one model of four license files
        rc, [v], _ = check_json(*args)
        self.assertEqual(len(v["files"]), 4)
        paths = [os.path.join(self.dir, "many", n) for n in sorted(os.listdir(os.path.join(self.dir, "many")))]
        one = check("-j", "1", "--mau", "5", *paths)
        self.assertEqual(check("-j", "3", "--mau", "5", *paths), one)
        self.assertEqual(len(one[1].split("\n\n")), 1)
        self.assertEqual([l.split(":")[0] for l in one[1].splitlines() if not l.startswith(" ")],
                         paths)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        LICSCAN = os.path.abspath(sys.argv.pop(1))
    if not HAVE_SHARED:
        print(f"test_check: {os.path.normpath(SHARED)} is absent: the tests that build "
              "models from its texts are skipped")
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"test_check: {result.testsRun - failed} passed, {failed} failed, "
          f"{len(result.skipped)} skipped")
    sys.exit(1 if failed else 0)
