"""unittest tests of licscan.check(path, facts): the verdict the library
gives a model, the same as `licscan check --json` prints. Models are built
from examples/licenses/ and, when ../shared is there, from its reference
texts (copied into a temporary directory)."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

import licscan

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.path.join(ROOT, "examples", "licenses")
REFERENCE = os.path.join(ROOT, "..", "shared", "reference-texts")
CLI = os.environ.get("LICSCAN_CLI", os.path.join(ROOT, "build", "licscan"))


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="licscan-pycheck-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def reference_model(self, name, files):
        if not os.path.isdir(REFERENCE):
            self.skipTest(f"{os.path.normpath(REFERENCE)} is absent")
        d = os.path.join(self.dir, name)
        os.makedirs(d)
        for fname, ref in files.items():
            shutil.copy(os.path.join(REFERENCE, ref + ".txt"), os.path.join(d, fname))
        return d

    def test_llama_thresholds_and_duties(self):
        d = os.path.join(EXAMPLES, "llama-3.1-model")
        v = licscan.check(d, {"mau": 800000000})
        self.assertIsInstance(v, licscan.Verdict)
        self.assertEqual(v.verdict, "needs-license")
        self.assertFalse(v.ok)
        [mau] = [r for r in v.reasons if r.code == "mau"]
        self.assertEqual(mau.evidence["label"], "2")
        self.assertEqual(mau.file, "LICENSE")
        self.assertEqual(v.licenses["weights"], ("Llama-3.1-Community",))
        v = licscan.check(d, licscan.Facts(mau=5000000,
                                           uses=("commercial", "distribute-weights")))
        self.assertEqual(v.verdict, "allowed-with-duties")
        self.assertTrue(v.ok)
        codes = {r.code for r in v.duties}
        self.assertTrue({"built-with", "name-prefix", "notice-text"} <= codes, codes)
        self.assertTrue(all(isinstance(r, licscan.Reason) for r in v.duties))

    def test_same_as_the_cli(self):
        if not os.path.exists(CLI):
            self.skipTest(f"no CLI at {CLI} (set LICSCAN_CLI)")
        facts = {"mau": 10, "uses": ["hosted-service"], "regions": ["DE"],
                 "modality": "text"}
        path = os.path.join(self.dir, "facts.json")
        with open(path, "w") as f:
            json.dump(facts, f)
        for name in sorted(os.listdir(EXAMPLES)):
            d = os.path.join(EXAMPLES, name)
            p = subprocess.run([CLI, "check", "--json", "--facts", path, d],
                               capture_output=True, check=False)
            cli = json.loads(p.stdout)
            self.assertEqual(licscan.check(d, facts).json, cli, name)

    def test_card_conflict_with_its_base(self):
        d = os.path.join(self.dir, "tuned")
        os.makedirs(d)
        with open(os.path.join(d, "README.md"), "w") as f:
            f.write("---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n---\n")
        v = licscan.check(d, {"mau": 10})
        self.assertTrue(v.conflict)
        self.assertFalse(v.ok)
        self.assertEqual(v.licenses["inherited"], ("Llama-3.1-Community",))
        self.assertIn("drops-base-terms", [r.code for r in v.reasons])

    def test_reference_models(self):
        d = self.reference_model("llama32", {"LICENSE": "Llama-3.2-Community",
                                             "USE_POLICY.md": "Llama-3.2-AUP"})
        v = licscan.check(d, {"mau": 1, "regions": ["DE"], "modality": "multimodal"})
        self.assertEqual(v.verdict, "forbidden")
        v = licscan.check(d, {"mau": 1, "regions": ["DE"], "modality": "text"})
        self.assertNotEqual(v.verdict, "forbidden")
        d = self.reference_model("ccnc", {"LICENSE": "CC-BY-NC-4.0"})
        self.assertEqual(licscan.check(d, {"uses": ["commercial"]}).verdict, "forbidden")
        d = self.reference_model("apache", {"LICENSE": "Apache-2.0"})
        v = licscan.check(d)
        self.assertEqual((v.verdict, [r.code for r in v.duties + v.reasons]),
                         ("allowed-with-duties", ["notice"]))

    def test_a_file_and_errors(self):
        v = licscan.check(os.path.join(EXAMPLES, "mit-project", "LICENSE"))
        self.assertEqual(v.licenses["weights"], ("MIT",))
        with self.assertRaises(OSError):
            licscan.check(os.path.join(self.dir, "nope"))
        for bad in ({"mau": -1}, {"uses": ["piracy"]}, {"regions": ["Germany"]},
                    {"modality": "smell"}, {"revenue": {"amount": 5, "period": "week"}},
                    {"users": 3}):
            with self.assertRaises(ValueError, msg=bad):
                licscan.check(EXAMPLES + "/mit-project", bad)


if __name__ == "__main__":
    unittest.main()
