"""Tests of the CLI's SBOM formats: --format cyclonedx (CycloneDX 1.6 JSON)
and --format spdx-json (SPDX 2.3 JSON), validated with Debian's
python3-jsonschema: SPDX documents against the official SPDX 2.3 JSON
schema (tests/data/spdx-2.3.schema.json, tests/data/README) and both
against the strict subsets in tests/data/, which also pin what licscan
itself promises (its flags as namespaced properties, and so on).

Run with Debian's Python: /usr/bin/python3 tests/test_cli_sbom.py [licscan]
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

import jsonschema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LICSCAN = os.path.join(ROOT, "build", "licscan")
EXAMPLES = os.path.join(ROOT, "examples", "licenses")
LLAMA = os.path.join(EXAMPLES, "llama-3.1-model", "LICENSE")
MIT = os.path.join(EXAMPLES, "mit-project", "LICENSE")


def schema(name):
    with open(os.path.join(ROOT, "tests", "data", name), encoding="utf-8") as f:
        s = json.load(f)
    jsonschema.Draft7Validator.check_schema(s)
    return jsonschema.Draft7Validator(s, format_checker=jsonschema.FormatChecker())


CDX = schema("cyclonedx-1.6-subset.schema.json")
SPDX = schema("spdx-2.3-subset.schema.json")


def official_schema(name):
    """A published schema, checked by the validator of the draft it names
    ($schema: 2019-09 for SPDX 2.3)."""
    with open(os.path.join(ROOT, "tests", "data", name), encoding="utf-8") as f:
        s = json.load(f)
    cls = jsonschema.validators.validator_for(s)
    cls.check_schema(s)
    return cls(s, format_checker=jsonschema.FormatChecker())


SPDX_OFFICIAL = official_schema("spdx-2.3.schema.json")


def run(*args, epoch="1700000000"):
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    p = subprocess.run([LICSCAN, *args], capture_output=True, timeout=120, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def validate(validator, doc):
    """doc against validator, and an SPDX document against the official
    schema as well."""
    for v in [validator] + ([SPDX_OFFICIAL] if validator is SPDX else []):
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            raise AssertionError("\n".join("%s: %s" % (list(e.path), e.message)
                                           for e in errors[:10]))


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def props(obj, name):
    return [p["value"] for p in obj.get("properties", []) if p["name"] == name]


class SbomTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return path

    def test_schemas_are_strict(self):
        """The test schemas reject what the specifications reject."""
        good = {"bomFormat": "CycloneDX", "specVersion": "1.6",
                "components": [{"type": "file", "name": "x"}]}
        validate(CDX, good)
        for bad in ({"bomFormat": "CycloneDX"},
                    dict(good, components=[{"type": "file"}]),
                    dict(good, components=[{"type": "blob", "name": "x"}]),
                    dict(good, components=[{"type": "file", "name": "x",
                                            "licenses": [{"license": {"id": "MIT", "acknowledgement": "found"}}]}]),
                    dict(good, components=[{"type": "file", "name": "x",
                                            "licenses": [{"license": {"id": "MIT", "name": "MIT"}}]}]),
                    dict(good, serialNumber="urn:uuid:1234"),
                    dict(good, extra=1)):
            self.assertFalse(CDX.is_valid(bad), bad)
        doc = {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
               "name": "n", "documentNamespace": "urn:uuid:x",
               "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]},
               "files": [{"SPDXID": "SPDXRef-F", "fileName": "f",
                          "checksums": [{"algorithm": "SHA1", "checksumValue": "ab"}]}]}
        validate(SPDX, doc)
        self.assertFalse(SPDX.is_valid(dict(doc, files=[{"SPDXID": "SPDXRef-F", "fileName": "f",
                                                         "checksums": []}])))
        self.assertFalse(SPDX.is_valid(dict(doc, files=[{"SPDXID": "SPDXRef-F", "fileName": "f",
                                                         "checksums": [{"algorithm": "SHA256", "checksumValue": "ab"}]}])))
        self.assertFalse(SPDX.is_valid(dict(doc, creationInfo={"created": "2024-01-01", "creators": ["Tool: t"]})))

    def test_official_spdx_schema(self):
        """tests/data holds the SPDX 2.3 schema (its $id and a field new in
        2.3), and it rejects what SPDX 2.3 rejects; a whole corpus document
        passes it."""
        s = SPDX_OFFICIAL.schema
        self.assertEqual(s["$id"], "http://spdx.org/rdf/terms/2.3")
        self.assertIn("primaryPackagePurpose", s["properties"]["packages"]["items"]["properties"])
        doc = {"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
               "name": "n", "documentNamespace": "https://example.com/x",
               "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: t"]}}
        self.assertTrue(SPDX_OFFICIAL.is_valid(doc))
        for bad in ({k: v for k, v in doc.items() if k != "creationInfo"},
                    dict(doc, files=[{"SPDXID": "SPDXRef-F", "fileName": "f"}]),  # no checksums
                    dict(doc, creationInfo={"created": "2024-01-01", "creators": ["Tool: t"]}),
                    dict(doc, unknown=1)):
            self.assertFalse(SPDX_OFFICIAL.is_valid(bad))
        rc, out, _ = run("--format", "spdx-json", os.path.join(ROOT, "corpus"))
        validate(SPDX, json.loads(out))

    def test_cyclonedx(self):
        missing = os.path.join(self.dir, "nope")
        binary = self.write("blob.bin", b"\x7fELF\0\0\0")
        rc, out, err = run("--format", "cyclonedx", LLAMA, MIT, binary, missing)
        self.assertEqual(rc, 1)
        doc = json.loads(out)
        validate(CDX, doc)
        self.assertEqual((doc["bomFormat"], doc["specVersion"], doc["version"]), ("CycloneDX", "1.6", 1))
        self.assertEqual(doc["metadata"]["timestamp"], "2023-11-14T22:13:20Z")
        self.assertEqual(doc["metadata"]["tools"]["components"][0]["name"], "licscan")
        comps = doc["components"]
        # every file, failed ones too, in walk order
        self.assertEqual([c["name"] for c in comps], [LLAMA, MIT, binary, missing])
        self.assertEqual(len({c["bom-ref"] for c in comps}), 4)
        llama, mit, blob, nope = comps
        # hashes of the file's bytes
        data = read(LLAMA)
        self.assertEqual({h["alg"]: h["content"] for h in llama["hashes"]},
                         {"SHA-1": hashlib.sha1(data).hexdigest(),
                          "SHA-256": hashlib.sha256(data).hexdigest()})
        # a license without an SPDX id: LicenseRef- name with the text found
        [lic] = [l["license"] for l in llama["licenses"]]
        self.assertEqual(lic["name"], "LicenseRef-Llama-3.1-Community")
        self.assertEqual(lic["acknowledgement"], "concluded")
        self.assertTrue(lic["text"]["content"].startswith("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT"))
        self.assertEqual(props(lic, "licscan:license_name"), ["Llama 3.1 Community License Agreement"])
        # an SPDX license by its id
        [lic] = [l["license"] for l in mit["licenses"]]
        self.assertEqual((lic["id"], lic["acknowledgement"]), ("MIT", "concluded"))
        self.assertNotIn("text", lic)  # SPDX has the text
        self.assertEqual(mit["evidence"]["licenses"], [{"license": {"id": "MIT"}}])
        [occ] = mit["evidence"]["occurrences"]
        self.assertEqual((occ["location"], occ["symbol"]), (MIT, "MIT"))
        # every flag with its value and evidence, as namespaced properties
        jl = json.loads(run("--json", LLAMA)[1])
        self.assertTrue(jl["restrictions"])
        for flag, r in jl["restrictions"].items():
            [value] = props(llama, "licscan:restriction:" + flag)
            self.assertEqual(json.loads(value), r["value"])
            evidence = [json.loads(v) for v in props(llama, "licscan:restriction:%s:evidence" % flag)]
            self.assertEqual([(e["start"], e["end"], e["text"]) for e in evidence],
                             [(e["start"], e["end"], e["text"]) for e in r["evidence"]])
            for e in evidence:
                self.assertGreaterEqual(e["line"], 1)
                self.assertGreaterEqual(e["end_line"], e["line"])
        self.assertEqual(props(llama, "licscan:openness"), ["open-weight-restricted"])
        self.assertEqual(json.loads(props(llama, "licscan:restriction:mau_threshold")[0]), 700000000)
        self.assertEqual(props(llama, "licscan:spdx"), ["LicenseRef-Llama-3.1-Community"])
        # failed files: a component with the error
        self.assertIn("binary", props(blob, "licscan:error")[0])
        self.assertNotIn("hashes", blob)
        self.assertEqual(props(nope, "licscan:error"), ["No such file or directory"])

    def test_spdx_json(self):
        missing = os.path.join(self.dir, "nope")
        readme = os.path.join(EXAMPLES, "gemma-finetune", "README.md")
        llama2 = self.write("copy-of-llama", read(LLAMA))
        rc, out, err = run("--format", "spdx-json", LLAMA, MIT, readme, llama2, missing)
        self.assertEqual(rc, 1)
        doc = json.loads(out)
        validate(SPDX, doc)
        self.assertEqual(doc["creationInfo"]["created"], "2023-11-14T22:13:20Z")
        files = doc["files"]
        self.assertEqual([f["fileName"] for f in files], [LLAMA, MIT, readme, llama2])
        llama, mit, gemma, _ = files
        data = read(MIT)
        self.assertEqual({c["algorithm"]: c["checksumValue"] for c in mit["checksums"]},
                         {"SHA1": hashlib.sha1(data).hexdigest(),
                          "SHA256": hashlib.sha256(data).hexdigest()})
        self.assertEqual((mit["licenseConcluded"], mit["licenseInfoInFiles"]), ("MIT", ["MIT"]))
        self.assertEqual(llama["licenseConcluded"], "LicenseRef-Llama-3.1-Community")
        # only named: no conclusion, but what the file holds is listed
        self.assertEqual(gemma["licenseConcluded"], "NOASSERTION")
        self.assertIn("LicenseRef-Gemma-Terms-of-Use", gemma["licenseInfoInFiles"])
        # every LicenseRef- used is defined once, with the text of an exact match
        used = {i for f in files for i in f["licenseInfoInFiles"] if i.startswith("LicenseRef-")}
        infos = doc["hasExtractedLicensingInfos"]
        self.assertEqual(sorted(i["licenseId"] for i in infos), sorted(used))
        [ll] = [i for i in infos if i["licenseId"] == "LicenseRef-Llama-3.1-Community"]
        self.assertTrue(ll["extractedText"].startswith("LLAMA 3.1 COMMUNITY LICENSE AGREEMENT"))
        self.assertEqual(ll["name"], "Llama 3.1 Community License Agreement")
        # restriction flags as annotations by the tool
        notes = {a["comment"].split(" ", 1)[0]: json.loads(a["comment"].split(" ", 1)[1])
                 for a in llama["annotations"]}
        self.assertEqual(notes["licscan:restriction:mau_threshold"]["value"], 700000000)
        self.assertEqual(notes["licscan:openness"]["category"], "open-weight-restricted")
        self.assertTrue(all(a["annotator"] == "Tool: licscan-" + run("--version")[1].split()[1]
                            for a in llama["annotations"]))
        # the document describes each file
        self.assertEqual([r["relatedSpdxElement"] for r in doc["relationships"]],
                         [f["SPDXID"] for f in files])
        # the file that could not be read: an annotation of the document
        [note] = doc["annotations"]
        kind, _, body = note["comment"].partition(" ")
        self.assertEqual(kind, "licscan:error")
        self.assertEqual(json.loads(body)["file"], missing)

    def test_utf16_text_is_decoded(self):
        text = read(LLAMA).decode("utf-8")
        path = self.write("utf16", b"\xff\xfe" + text.encode("utf-16-le"))
        rc, out, _ = run("--format", "cyclonedx", path)
        self.assertEqual(rc, 0)
        doc = json.loads(out)
        validate(CDX, doc)
        content = doc["components"][0]["licenses"][0]["license"]["text"]["content"]
        self.assertTrue(content.startswith("LLAMA 3.1 COMMUNITY"))
        self.assertIn("Meta\u2019s", content)

    def test_deterministic_with_source_date_epoch(self):
        for fmt in ("cyclonedx", "spdx-json"):
            a = run("--format", fmt, "-j", "1", EXAMPLES)
            b = run("--format", fmt, "-j", "3", EXAMPLES)
            self.assertEqual(a, b, fmt)
            validate(CDX if fmt == "cyclonedx" else SPDX, json.loads(a[1]))
            # without it: a new serial number / namespace and the time now
            c = json.loads(run("--format", fmt, EXAMPLES, epoch=None)[1])
            d = json.loads(run("--format", fmt, EXAMPLES, epoch=None)[1])
            key = "serialNumber" if fmt == "cyclonedx" else "documentNamespace"
            self.assertNotEqual(c[key], d[key])
            self.assertNotEqual(c[key], json.loads(a[1])[key])
        self.assertEqual(run("--format", "cyclonedx", MIT, epoch="soon")[0], 2)

    def test_empty_scan(self):
        empty = os.path.join(self.dir, "empty")
        os.mkdir(empty)
        for fmt, v in (("cyclonedx", CDX), ("spdx-json", SPDX)):
            rc, out, _ = run("--format", fmt, empty)
            self.assertEqual(rc, 0)
            validate(v, json.loads(out))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        LICSCAN = os.path.abspath(sys.argv.pop(1))
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"test_cli_sbom: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
