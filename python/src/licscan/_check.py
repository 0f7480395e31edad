"""licscan.check(path, facts): one verdict per model, judged by the C
library (licscan_model_evaluate) as the CLI's `licscan check` judges it.

A model is a directory (a Hugging Face cache repository, models--ORG--NAME,
or a snapshot in one, is named ORG/NAME), or a single file. Its files whose
names say they hold terms are scanned (the library tells which:
licscan_file_role); the library reads the card's front matter (license,
license_name, license_link, base_model), and PyYAML, when it is installed
(Debian: python3-yaml), the license text of a gated repository
(extra_gated_prompt). A base model found in the same cache lends its
files; otherwise the library knows the base by its id
(licenses/models.tsv).
"""
import ctypes
import json
import os
import re
from dataclasses import dataclass, field

from . import (LicscanError, _c_db, _c_result, _default_db, _fn, _read_file,
               _result_free, _s, _scan, _scan_options, _strerror)

_c_model = ctypes.c_void_p
_c_verdict = ctypes.c_void_p

_file_role = _fn("licscan_file_role", ctypes.c_uint32, ctypes.c_char_p)
_role_name = _fn("licscan_role_name", ctypes.c_char_p, ctypes.c_uint32)
_use_lookup = _fn("licscan_use_lookup", ctypes.c_int, ctypes.c_char_p)
_modality_lookup = _fn("licscan_modality_lookup", ctypes.c_int, ctypes.c_char_p)
_facts_init = _fn("licscan_facts_init", ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t)
_model_new = _fn("licscan_model_new", ctypes.c_int, _c_db, ctypes.c_char_p,
                 ctypes.c_char_p, ctypes.POINTER(_c_model))
_model_free = _fn("licscan_model_free", None, _c_model)
_model_add_result = _fn("licscan_model_add_result", ctypes.c_int, _c_model,
                        ctypes.c_char_p, ctypes.c_uint32, _c_result,
                        ctypes.c_char_p, ctypes.c_size_t)
_model_add_base_result = _fn("licscan_model_add_base_result", ctypes.c_int, _c_model,
                             ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint32,
                             _c_result)
_model_add_error = _fn("licscan_model_add_error", ctypes.c_int, _c_model,
                       ctypes.c_char_p, ctypes.c_uint32, ctypes.c_char_p)
_model_base_count = _fn("licscan_model_base_count", ctypes.c_uint32, _c_model)
_model_base = _fn("licscan_model_base", ctypes.c_char_p, _c_model, ctypes.c_uint32)
_model_evaluate = _fn("licscan_model_evaluate", ctypes.c_int, _c_model,
                      ctypes.c_void_p, ctypes.POINTER(_c_verdict))
_verdict_json = _fn("licscan_verdict_json", ctypes.c_int, _c_verdict,
                    ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t))
_verdict_free = _fn("licscan_verdict_free", None, _c_verdict)

_ROLE_NONE, _ROLE_LICENSE, _ROLE_CARD = 0, 1, 6
_PERIODS = {"day": 1, "month": 2, "year": 3}
_MAX_BYTES = 64 << 20


class _Facts(ctypes.Structure):
    # licscan_facts as include/licscan.h declares it.
    _fields_ = [("struct_size", ctypes.c_uint32), ("uses", ctypes.c_uint32),
                ("mau", ctypes.c_int64), ("revenue", ctypes.c_int64),
                ("revenue_period", ctypes.c_uint32), ("revenue_currency", ctypes.c_char * 8),
                ("modality", ctypes.c_uint32), ("regions", ctypes.c_char_p),
                ("allow", ctypes.c_char_p), ("deny", ctypes.c_char_p)]


@dataclass(frozen=True)
class Facts:
    """Facts about the user. revenue is an amount per revenue_period
    ("year", "month" or "day") in revenue_currency (ISO 4217); regions are
    ISO 3166-1 alpha-2 codes (EU members count as the EU); uses are
    "commercial", "hosted-service", "distribute-weights", "modify",
    "train-other-models", "research", "military"; modality "text" or
    "multimodal"; allow and deny hold license ids or flag names. None or
    empty: not given. The same names as the CLI's facts file."""
    mau: int = None
    revenue: int = None
    revenue_period: str = "year"
    revenue_currency: str = "USD"
    regions: tuple = ()
    uses: tuple = ()
    modality: str = None
    allow: tuple = ()
    deny: tuple = ()

    @classmethod
    def from_dict(cls, d):
        """From the JSON of a facts file (README, "What binds me")."""
        d = dict(d or {})
        rev = d.pop("revenue", None)
        kw = {}
        if isinstance(rev, dict):
            kw["revenue"] = rev.get("amount")
            kw["revenue_period"] = rev.get("period", "year")
            kw["revenue_currency"] = rev.get("currency", "USD")
        elif rev is not None:
            kw["revenue"] = rev
        for key in ("regions", "uses", "allow", "deny"):
            if key in d:
                kw[key] = tuple(d.pop(key))
        for key in ("mau", "modality"):
            if key in d:
                kw[key] = d.pop(key)
        d.pop("schema", None)
        d.pop("comment", None)
        if d:
            raise ValueError(f"unknown facts: {', '.join(sorted(d))}")
        return cls(**kw)

    def _struct(self):
        f = _Facts()
        rc = _facts_init(ctypes.byref(f), ctypes.sizeof(f))
        if rc:
            raise LicscanError(rc, None)
        for name in ("mau", "revenue"):
            v = getattr(self, name)
            if v is not None:
                if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                    raise ValueError(f"{name} must be an int >= 0, not {v!r}")
                setattr(f, name, v)
        if self.revenue_period not in _PERIODS:
            raise ValueError(f"revenue_period must be year, month or day, not "
                             f"{self.revenue_period!r}")
        f.revenue_period = _PERIODS[self.revenue_period]
        cur = self.revenue_currency or ""
        if not re.fullmatch(r"[A-Za-z]{3}|", cur):
            raise ValueError(f"revenue_currency must be an ISO 4217 code, not {cur!r}")
        f.revenue_currency = cur.upper().encode("ascii")
        for use in _strings(self.uses, "uses"):
            bit = _use_lookup(use.encode())
            if bit < 0:
                raise ValueError(f"unknown use {use!r}")
            f.uses |= bit
        if self.modality is not None:
            m = _modality_lookup(str(self.modality).encode())
            if m < 0:
                raise ValueError(f"modality must be text or multimodal, not {self.modality!r}")
            f.modality = m
        regions = _strings(self.regions, "regions")
        for r in regions:
            if not re.fullmatch(r"[A-Za-z]{2}", r):
                raise ValueError(f"regions are ISO 3166-1 alpha-2 codes, not {r!r}")
        # the strings must outlive the call: kept on the struct's owner
        self_bytes = [",".join(regions).encode(), ",".join(_strings(self.allow, "allow")).encode(),
                      ",".join(_strings(self.deny, "deny")).encode()]
        f.regions, f.allow, f.deny = self_bytes
        return f, self_bytes


def _strings(v, name):
    if isinstance(v, str):
        v = (v,)
    v = tuple(v or ())
    if not all(isinstance(x, str) and x for x in v):
        raise ValueError(f"{name} must be non-empty strings")
    return v


@dataclass(frozen=True)
class Reason:
    """One clause of the verdict: kind ("duty", "threshold", "territory",
    "use", "conflict", "policy", "license"), the outcome it alone gives,
    a code ("built-with", "mau", ...), an English message, the flag, the
    license and file it comes from, the base model it is inherited from,
    and its evidence (dict with start, end, line, col, end_line, end_col,
    label, text) or None."""
    kind: str
    outcome: str
    code: str
    message: str
    flag: str = None
    license: str = ""
    file: str = ""
    base: str = ""
    evidence: dict = None


@dataclass(frozen=True)
class Verdict:
    """licscan.check()'s answer: verdict ("allowed", "allowed-with-duties",
    "needs-license", "forbidden", "unknown"), conflict (sources disagree),
    licenses by part (weights, code, policy, declared, inherited), bases,
    duties and the other reasons, the files read, and the check-1 JSON
    object as json."""
    model: str
    path: str
    verdict: str
    conflict: bool
    licenses: dict
    bases: tuple
    duties: tuple
    reasons: tuple
    files: tuple
    json: dict = field(repr=False, compare=False)

    @property
    def ok(self):
        """What `licscan check` exits 0 for."""
        return self.verdict in ("allowed", "allowed-with-duties") and not self.conflict

    @classmethod
    def _from_json(cls, d):
        def reasons(items):
            return tuple(Reason(**r) for r in items)
        return cls(model=d["model"], path=d.get("path", ""), verdict=d["verdict"],
                   conflict=d["conflict"],
                   licenses={k: tuple(v) for k, v in d["licenses"].items()},
                   bases=tuple(d["bases"]), duties=reasons(d["duties"]),
                   reasons=reasons(d["reasons"]), files=tuple(d["files"]), json=d)


# ---- finding a model's files ----

def _inside(root, path):
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip("/") + "/")


def _model_files(top, root):
    """(path, shown, role) of the files whose names say they hold terms,
    in name order; links followed when they stay inside root."""
    out = []

    def walk(d, rel, depth):
        try:
            names = sorted(os.listdir(d), key=os.fsencode)
        except OSError:
            return
        for name in names:
            if name in (".git", ".cache"):
                continue
            p = os.path.join(d, name)
            shown = f"{rel}/{name}" if rel else name
            if os.path.islink(p) and not (os.path.exists(p) and _inside(root, p)):
                continue
            if os.path.isdir(p) and not os.path.islink(p):
                if depth < 6:
                    walk(p, shown, depth + 1)
            elif os.path.isfile(p):
                role = _file_role(os.fsencode(name))
                if role != _ROLE_NONE:
                    out.append((p, shown, role))
    walk(top, "", 0)
    return out


def _hf_snapshot(repo):
    try:
        with open(os.path.join(repo, "refs", "main")) as f:
            rev = f.read().strip()
        snap = os.path.join(repo, "snapshots", rev)
        if rev and "/" not in rev and os.path.isdir(snap):
            return snap
    except OSError:
        pass
    try:
        snaps = sorted(os.listdir(os.path.join(repo, "snapshots")))
    except OSError:
        return None
    return os.path.join(repo, "snapshots", snaps[-1]) if snaps else None


def _hf_name(dirname):
    rest = dirname[len("models--"):]
    return rest.replace("--", "/", 1)


def _find_model(path):
    """(name, files, cache): what `licscan check PATH` takes for one model."""
    path = os.fspath(path)
    if os.path.isfile(path):
        role = _file_role(os.fsencode(path)) or _ROLE_LICENSE
        return path, [(path, os.path.basename(path), role)], None
    if not os.path.isdir(path):
        raise FileNotFoundError(2, "No such file or directory", path)
    real = os.path.realpath(path)
    base = os.path.basename(real)
    m = re.match(r"(.*/(models--[^/]+))/snapshots/[^/]+$", real)
    if base.startswith("models--"):
        snap = _hf_snapshot(real)
        if snap is None:
            raise LicscanError(-3, f"{path}: a cache repository with no snapshot")
        return _hf_name(base), _model_files(snap, real), os.path.dirname(real)
    if m:
        return _hf_name(m.group(2)), _model_files(real, m.group(1)), os.path.dirname(m.group(1))
    if any(n.startswith("models--") for n in os.listdir(real)):
        raise ValueError(f"{path} is a cache of several models: check each "
                         "models--ORG--NAME directory in it")
    return path.rstrip("/") or path, _model_files(real, real), None


def _front_matter(text):
    """The card's fields from its YAML front matter (PyYAML), or {}."""
    m = re.match(r"\ufeff?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", text,
                 re.S)
    if not m:
        return {}
    try:
        import yaml
    except ImportError:
        return {}
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def check(path, facts=None, *, database=None):
    """The verdict on one model (a directory, a Hugging Face cache
    repository or snapshot, or a file) given facts about the user (a
    Facts, a dict as in a facts file, or None). Returns a Verdict; raises
    OSError for a path that cannot be read, ValueError for bad facts."""
    if not isinstance(facts, Facts):
        facts = Facts.from_dict(facts)
    cfacts, keep = facts._struct()
    db = database or _default_db()
    name, files, cache = _find_model(path)
    model = _c_model()
    rc = _model_new(db._handle(), name.encode(), os.fsencode(os.fspath(path)),
                    ctypes.byref(model))
    if rc:
        raise LicscanError(rc, None)
    opts = _scan_options()
    card = {}

    def scan_into(p, shown, role, base=None):
        try:
            data = _read_file(p, _MAX_BYTES)
        except (OSError, LicscanError) as e:
            if base is None:
                _model_add_error(model, shown.encode(), role, str(e).encode())
            return None
        res = _c_result()
        rc = _scan(db._handle(), data, len(data), ctypes.byref(opts), ctypes.byref(res))
        if rc:
            if base is None:
                _model_add_error(model, shown.encode(), role,
                                 _s(_strerror(rc)).encode())
            _result_free(res)
            return None
        # the model owns the result from here on
        if base is None:
            _model_add_result(model, shown.encode(), role, res, data, len(data))
        else:
            _model_add_base_result(model, base.encode(), shown.encode(), role, res)
        return data

    try:
        for p, shown, role in files:
            data = scan_into(p, shown, role)
            if role == _ROLE_CARD and data is not None and not card:
                card = _front_matter(data.decode("utf-8", "replace"))
        # the library read license, license_name, license_link and
        # base_model from the card; PyYAML gives a gated repository's text
        bases = [_s(_model_base(model, i)) for i in range(_model_base_count(model))]
        gated = card.get("extra_gated_prompt")
        if isinstance(gated, str):
            g = gated.encode()
            res = _c_result()
            if _scan(db._handle(), g, len(g), ctypes.byref(opts), ctypes.byref(res)) == 0:
                _model_add_result(model, b"README.md#extra_gated_prompt", _ROLE_CARD,
                                  res, g, len(g))
            else:
                _result_free(res)
        for b in bases:
            if cache and "/" in b and ".." not in b:
                org, nm = b.split("/", 1)
                repo = os.path.join(cache, f"models--{org}--{nm}")
                snap = _hf_snapshot(repo) if os.path.isdir(repo) else None
                if snap:
                    for p, shown, role in _model_files(snap, os.path.realpath(repo)):
                        if role != _ROLE_CARD:
                            scan_into(p, f"{b}/{shown}", role, base=b)
        verdict = _c_verdict()
        rc = _model_evaluate(model, ctypes.byref(cfacts), ctypes.byref(verdict))
        if rc:
            raise LicscanError(rc, None)
        try:
            text, n = ctypes.c_char_p(), ctypes.c_size_t()
            rc = _verdict_json(verdict, ctypes.byref(text), ctypes.byref(n))
            if rc:
                raise LicscanError(rc, None)
            d = json.loads(ctypes.string_at(text, n.value).decode("utf-8"))
        finally:
            _verdict_free(verdict)
    finally:
        _model_free(model)
        del keep
    return Verdict._from_json(d)
