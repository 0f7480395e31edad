"""Tests of the CLI's SBOM formats: --format cyclonedx (CycloneDX 1.6 JSON)
and --format spdx-json (SPDX 2.3 JSON), validated with Debian's
python3-jsonschema against the official schemas in tests/data/
(tests/data/README): CycloneDX 1.6 (bom-1.6.schema.json with the
jsf-0.82.schema.json it refers to, and its spdx.schema.json license-id
enumeration built here from ../shared/spdx/licenses.tsv) and SPDX 2.3;
SPDX documents also against a strict subset that pins what licscan itself
promises (one annotation per flag, and so on).

Run with Debian's Python: /usr/bin/python3 tests/test_cli_sbom.py [licscan]
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import jsonschema
from jsonschema.exceptions import ValidationError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "tests", "data")
LICSCAN = os.path.join(ROOT, "build", "licscan")
EXAMPLES = os.path.join(ROOT, "examples", "licenses")
LLAMA = os.path.join(EXAMPLES, "llama-3.1-model", "LICENSE")
MIT = os.path.join(EXAMPLES, "mit-project", "LICENSE")
SPDX_LIST = os.path.join(ROOT, "..", "shared", "spdx", "licenses.tsv")


def load(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return json.load(f)


def schema(name):
    s = load(name)
    jsonschema.Draft7Validator.check_schema(s)
    return jsonschema.Draft7Validator(s, format_checker=jsonschema.FormatChecker())


SPDX = schema("spdx-2.3-subset.schema.json")


def official_schema(name):
    """A published schema, checked by the validator of the draft it names
    ($schema: 2019-09 for SPDX 2.3)."""
    s = load(name)
    cls = jsonschema.validators.validator_for(s)
    cls.check_schema(s)
    return cls(s, format_checker=jsonschema.FormatChecker())


SPDX_OFFICIAL = official_schema("spdx-2.3.schema.json")


def spdx_id_schema():
    """CycloneDX's spdx.schema.json, the enumeration of SPDX license and
    exception ids that a license "id" must be one of. The copy in the
    CycloneDX repository we could get is of license list 3.10, older than
    bom-1.6; it is built here as that file is (licenses sorted, then the
    exceptions) from the SPDX list in ../shared. None without it."""
    if not os.path.exists(SPDX_LIST):
        return None
    licenses, exceptions = [], []
    with open(SPDX_LIST, encoding="utf-8") as f:
        next(f)  # header
        for line in f:
            cols = line.rstrip("\n").split("\t")
            (licenses if cols[2] == "license" else exceptions).append(cols[0])
    return {"$schema": "http://json-schema.org/draft-07/schema#",
            "$id": "http://cyclonedx.org/schema/spdx.schema.json",
            "$comment": "built by tests/test_cli_sbom.py from " + SPDX_LIST,
            "type": "string", "enum": sorted(licenses) + exceptions}


def additional_items(validator, extra, instance, schema):
    """Draft 7 additionalItems. python3-jsonschema 4.10 sorts the extra
    items for its error message, which raises TypeError on objects (a
    component with two licenses against licenseChoice's one-expression
    branch)."""
    items = schema.get("items", {})
    if not validator.is_type(instance, "array") or validator.is_type(items, "object"):
        return
    if validator.is_type(extra, "object"):
        for i, item in enumerate(instance[len(items):], start=len(items)):
            yield from validator.descend(item, extra, path=i)
    elif not extra and len(instance) > len(items):
        yield ValidationError("%d additional items are not allowed"
                              % (len(instance) - len(items)))


def cyclonedx_schema():
    """bom-1.6.schema.json with its $refs resolved offline. Without the
    SPDX list, a license id is only checked to be a string."""
    bom, jsf = load("bom-1.6.schema.json"), load("jsf-0.82.schema.json")
    ids = spdx_id_schema() or {"$schema": "http://json-schema.org/draft-07/schema#",
                               "$id": "http://cyclonedx.org/schema/spdx.schema.json",
                               "type": "string"}
    cls = jsonschema.validators.validator_for(bom)
    cls.check_schema(bom)
    cls = jsonschema.validators.extend(cls, {"additionalItems": additional_items})
    fc = jsonschema.FormatChecker()
    try:  # python3-jsonschema >= 4.18
        from referencing import Registry, Resource
    except ImportError:
        store = {s["$id"]: s for s in (bom, jsf, ids)}
        return cls(bom, resolver=jsonschema.RefResolver.from_schema(bom, store=store),
                   format_checker=fc)
    registry = Registry().with_resources((s["$id"], Resource.from_contents(s))
                                         for s in (bom, jsf, ids))
    return cls(bom, registry=registry, format_checker=fc)


CDX = cyclonedx_schema()
# RFC 3339, which format "date-time" asks for and this python3-jsonschema
# does not check (it needs rfc3339-validator)
DATE_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}"
                       r"(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")


def run(*args, epoch="1700000000"):
    env = dict(os.environ)
    env.pop("SOURCE_DATE_EPOCH", None)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = epoch
    p = subprocess.run([LICSCAN, *args], capture_output=True, timeout=120, env=env)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def validate(validator, doc):
    """doc against validator; an SPDX document against the official schema
    as well, a CycloneDX one for the version and time the schema leaves
    open."""
    extra = [SPDX_OFFICIAL] if validator is SPDX else []
    for v in [validator] + extra:
        errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        if errors:
            raise AssertionError("\n".join("%s: %s" % (list(e.path), e.message)
                                           for e in errors[:10]))
    if validator is CDX:
        assert doc["specVersion"] == "1.6", doc["specVersion"]
        assert DATE_TIME.match(doc["metadata"]["timestamp"]), doc["metadata"]["timestamp"]


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
        self.assertTrue(CDX.is_valid(good))
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

    def test_official_cyclonedx_schema(self):
        """tests/data holds the CycloneDX 1.6 schema (its $id and a member
        new in 1.6), its $refs resolve offline, a license id must be on the
        SPDX list, and a whole corpus document passes it."""
        s = CDX.schema
        self.assertEqual(s["$id"], "http://cyclonedx.org/schema/bom-1.6.schema.json")
        self.assertIn("acknowledgement", s["definitions"]["license"]["properties"])
        doc = {"bomFormat": "CycloneDX", "specVersion": "1.6",
               "components": [{"type": "file", "name": "x", "licenses": [
                   {"license": {"id": "MIT"}}, {"license": {"id": "Apache-2.0"}}]}]}
        self.assertTrue(CDX.is_valid(doc))
        sig = {"algorithm": "RS256", "value": "x"}
        self.assertFalse(CDX.is_valid(dict(doc, signature=dict(sig, algorithm="rot13"))))
        rc, out, _ = run("--format", "cyclonedx", os.path.join(ROOT, "corpus"))
        validate(CDX, json.loads(out))
        if spdx_id_schema() is None:
            self.skipTest("no SPDX list at %s: license ids not checked" % SPDX_LIST)
        for bad in ("Acme-1.0", "LicenseRef-Acme", "MIT AND Zlib"):
            comp = {"type": "file", "name": "x", "licenses": [{"license": {"id": bad}}]}
            self.assertFalse(CDX.is_valid(dict(doc, components=[comp])), bad)
        comp = {"type": "file", "name": "x", "licenses": [{"license": {"id": "Classpath-exception-2.0"}}]}
        self.assertTrue(CDX.is_valid(dict(doc, components=[comp])))

    def test_runtime_template_license_ref(self):
        """A template added at run time with spdx: LicenseRef-... is named
        with its text, as the official schema wants an id to be SPDX's."""
        tpl = os.path.join(self.dir, "tpl")
        os.mkdir(tpl)
        text = ("Acme Model License 1.0\n\nPermission is granted to use the Acme model "
                "weights for any lawful purpose, provided that this notice is kept with "
                "every copy of the weights.\n")
        with open(os.path.join(tpl, "Acme-Model-1.0.template.txt"), "w") as f:
            f.write(text)
        with open(os.path.join(tpl, "Acme-Model-1.0.meta"), "w") as f:
            f.write("id: Acme-Model-1.0\nname: Acme Model License\n"
                    "spdx: LicenseRef-Acme-Model-1.0\n")
        rc, out, err = run("--templates", tpl, "--format", "cyclonedx",
                           self.write("LICENSE", text))
        self.assertEqual(rc, 0, err)
        doc = json.loads(out)
        validate(CDX, doc)
        [lic] = [l["license"] for l in doc["components"][0]["licenses"]]
        self.assertEqual(lic["name"], "LicenseRef-Acme-Model-1.0")
        self.assertTrue(lic["text"]["content"].startswith("Acme Model License 1.0"))

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
