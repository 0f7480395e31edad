"""licscan for Python: identify license texts and the restrictions they
impose, through the C library (ctypes).

    import licscan
    res = licscan.scan("MIT License ...")           # the text: str or bytes
    res = licscan.scan_file("LICENSE")              # a file
    for item in licscan.scan_dir("models/"):        # a tree, on the C thread pool
        print(item.path, item.result.spdx if item.result else item.error)
    for m in res:                                   # the matches
        print(m.id, m.kind, m.coverage, m.start, m.end)
        for c in m.flag_changes:                    # near/partial matches
            print("  ", c.change, c.flag)
    for name, r in res.restrictions.items():        # flags, in flag order
        print(name, r.value, r.qualifier)
        for ev in r.evidence:
            print("  ", ev.label, ev.start, ev.end, ev.rule, ev.text)
    print(res.openness.category, res.openness.use.broken_by)
    v = licscan.check("models/llama", {"mau": 5000000, "uses": ["commercial"]})
    print(v.verdict, v.licenses["weights"], [d.message for d in v.duties])

The shared library is found through the LICSCAN_LIBRARY environment
variable (a path to liblicscan.so), else the copy installed inside this
package (pip install of the source tree builds and bundles it), else the
one pkg-config named when the package was built, else in the build tree
when running from the source tree, else by the system loader.
Only the standard library is used. Results are copied into Python objects
and the C result is freed before scan() returns.
"""
import contextlib
import ctypes
import ctypes.util
import os
import stat
import threading
from dataclasses import dataclass

__all__ = ["Database", "LicscanError", "License", "Match", "Difference",
           "FlagChange", "Restriction", "Threshold", "Evidence", "Openness", "Freedom",
           "Result", "FileScan", "scan", "scan_file", "scan_dir", "scan_json",
           "walk", "flags", "version", "check", "Facts", "Verdict", "Reason"]

_HERE = os.path.dirname(os.path.abspath(__file__))
# The library setup.py bundles into the package (a copy of the one built).
_BUNDLED = "liblicscan.so"


def _candidates():
    if os.environ.get("LICSCAN_LIBRARY"):
        yield os.environ["LICSCAN_LIBRARY"]
    bundled = os.path.join(_HERE, _BUNDLED)
    if os.path.exists(bundled):
        yield bundled
    try:
        from ._build_config import LIBRARY  # written by setup.py, may be absent
    except ImportError:
        LIBRARY = None
    if LIBRARY:
        yield LIBRARY
    # Imported from the source tree (PYTHONPATH=python/src) after `make`.
    tree = os.path.join(_HERE, "..", "..", "..")
    if os.path.exists(os.path.join(tree, "include", "licscan.h")):
        yield os.path.join(tree, "build", "liblicscan.so")
    found = ctypes.util.find_library("licscan")
    if found:
        yield found


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("cannot load liblicscan: " + ("; ".join(errors) or
                      "not bundled, LICSCAN_LIBRARY unset and the system "
                      "loader does not know it"))


_lib = _load()

_c_db = ctypes.c_void_p
_c_result = ctypes.c_void_p
_c_match = ctypes.c_void_p
_c_license = ctypes.c_void_p


def _fn(name, restype, *argtypes):
    f = getattr(_lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


_version_string = _fn("licscan_version_string", ctypes.c_char_p)
_strerror = _fn("licscan_strerror", ctypes.c_char_p, ctypes.c_int)
_db_open_default = _fn("licscan_db_open_default", ctypes.c_int, ctypes.c_void_p,
                       ctypes.POINTER(_c_db))
_db_open_empty = _fn("licscan_db_open_empty", ctypes.c_int, ctypes.c_void_p,
                     ctypes.POINTER(_c_db))
_db_free = _fn("licscan_db_free", None, _c_db)
_db_add_template = _fn("licscan_db_add_template", ctypes.c_int, _c_db, ctypes.c_char_p,
                       ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                       ctypes.c_size_t, ctypes.c_char_p)
_db_load_dir = _fn("licscan_db_load_dir", ctypes.c_int, _c_db, ctypes.c_char_p)
_db_errmsg = _fn("licscan_db_errmsg", ctypes.c_char_p, _c_db)
_db_error_location = _fn("licscan_db_error_location", ctypes.c_int, _c_db,
                         ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_uint32),
                         ctypes.POINTER(ctypes.c_uint32))
_db_license_count = _fn("licscan_db_license_count", ctypes.c_uint32, _c_db)
_db_license = _fn("licscan_db_license", _c_license, _c_db, ctypes.c_uint32)
_db_lookup = _fn("licscan_db_lookup", _c_license, _c_db, ctypes.c_char_p)
_license_fields = {
    name: _fn("licscan_license_" + name, ctypes.c_char_p, _c_license)
    for name in ("id", "name", "version", "family", "kind", "url", "spdx",
                 "hf_tag", "scancode")
}
_license_osi = _fn("licscan_license_osi_approved", ctypes.c_int, _c_license)
_license_deprecated = _fn("licscan_license_deprecated", ctypes.c_int, _c_license)
_scan = _fn("licscan_scan", ctypes.c_int, _c_db, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_void_p, ctypes.POINTER(_c_result))
_result_free = _fn("licscan_result_free", None, _c_result)
_sniff_binary = _fn("licscan_sniff_binary", ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t,
                    ctypes.POINTER(ctypes.c_size_t))
_result_status = _fn("licscan_result_status", ctypes.c_int, _c_result)
_result_errmsg = _fn("licscan_result_errmsg", ctypes.c_char_p, _c_result)
_result_encoding = _fn("licscan_result_encoding", ctypes.c_uint32, _c_result)
_encoding_name = _fn("licscan_encoding_name", ctypes.c_char_p, ctypes.c_uint32)
_result_input_flags = _fn("licscan_result_input_flags", ctypes.c_uint32, _c_result)
_input_flag_name = _fn("licscan_input_flag_name", ctypes.c_char_p, ctypes.c_uint32)
_warning_code = _fn("licscan_warning_code", ctypes.c_char_p, ctypes.c_uint32)
_warning_message = _fn("licscan_warning_message", ctypes.c_char_p, ctypes.c_uint32)
_status_name = _fn("licscan_status_name", ctypes.c_char_p, ctypes.c_int)
_result_spdx = _fn("licscan_result_spdx", ctypes.c_char_p, _c_result)
_result_match_count = _fn("licscan_result_match_count", ctypes.c_uint32, _c_result)
_result_match = _fn("licscan_result_match", _c_match, _c_result, ctypes.c_uint32)
_kind_name = _fn("licscan_kind_name", ctypes.c_char_p, ctypes.c_uint32)
_match_license = _fn("licscan_match_license", _c_license, _c_match)
_match_kind = _fn("licscan_match_kind", ctypes.c_uint32, _c_match)
_match_coverage = _fn("licscan_match_coverage", ctypes.c_double, _c_match)
_match_start = _fn("licscan_match_start", ctypes.c_uint64, _c_match)
_match_end = _fn("licscan_match_end", ctypes.c_uint64, _c_match)
_match_runner_up = _fn("licscan_match_runner_up", _c_license, _c_match,
                       ctypes.POINTER(ctypes.c_double))
_match_runner_up_similarity = _fn("licscan_match_runner_up_similarity",
                                  ctypes.c_double, _c_match)
_match_diff_count = _fn("licscan_match_diff_count", ctypes.c_uint32, _c_match)
_match_diff = _fn("licscan_match_diff", ctypes.c_int, _c_match, ctypes.c_uint32,
                  ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_uint64),
                  ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_char_p))
_diff_op_name = _fn("licscan_diff_op_name", ctypes.c_char_p, ctypes.c_uint32)
_db_add_rules = _fn("licscan_db_add_rules", ctypes.c_int, _c_db, ctypes.c_char_p,
                    ctypes.c_size_t, ctypes.c_char_p)
_db_rule_count = _fn("licscan_db_rule_count", ctypes.c_uint32, _c_db)
_scan_options_init = _fn("licscan_scan_options_init", ctypes.c_int, ctypes.c_void_p,
                         ctypes.c_size_t)
_result_json = _fn("licscan_result_json", ctypes.c_int, _c_result, ctypes.c_char_p,
                   ctypes.c_uint32, ctypes.POINTER(ctypes.c_void_p),
                   ctypes.POINTER(ctypes.c_size_t))

_c_restr = ctypes.c_void_p
_flag_count = _fn("licscan_flag_count", ctypes.c_uint32)
_flag_name = _fn("licscan_flag_name", ctypes.c_char_p, ctypes.c_uint32)
_flag_value_type = _fn("licscan_flag_value_type", ctypes.c_uint32, ctypes.c_uint32)
_result_restriction_count = _fn("licscan_result_restriction_count", ctypes.c_uint32,
                                _c_result)
_result_restriction = _fn("licscan_result_restriction", _c_restr, _c_result,
                          ctypes.c_uint32)
_restriction_flag = _fn("licscan_restriction_flag", ctypes.c_uint32, _c_restr)
_restriction_number = _fn("licscan_restriction_number", ctypes.c_int64, _c_restr)
_restriction_text = _fn("licscan_restriction_text", ctypes.c_char_p, _c_restr)
_restriction_qualifier = _fn("licscan_restriction_qualifier", ctypes.c_char_p, _c_restr)
_restriction_item_count = _fn("licscan_restriction_item_count", ctypes.c_uint32,
                              _c_restr)
_restriction_item = _fn("licscan_restriction_item", ctypes.c_char_p, _c_restr,
                        ctypes.c_uint32)
_restriction_evidence_count = _fn("licscan_restriction_evidence_count",
                                  ctypes.c_uint32, _c_restr)
_restriction_evidence = _fn("licscan_restriction_evidence", ctypes.c_int, _c_restr,
                            ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint64),
                            ctypes.POINTER(ctypes.c_uint64),
                            ctypes.POINTER(ctypes.c_char_p),
                            ctypes.POINTER(ctypes.c_char_p),
                            ctypes.POINTER(ctypes.c_char_p))


class _Threshold(ctypes.Structure):
    # licscan_threshold as include/licscan.h declares it.
    _fields_ = [("struct_size", ctypes.c_size_t), ("measure", ctypes.c_uint32),
                ("amount", ctypes.c_int64), ("currency", ctypes.c_char_p),
                ("period", ctypes.c_uint32), ("period_text", ctypes.c_char_p),
                ("consequence", ctypes.c_uint32),
                ("consequence_flags", ctypes.c_char_p)]


_restriction_threshold = _fn("licscan_restriction_threshold", ctypes.c_int, _c_restr,
                             ctypes.POINTER(_Threshold), ctypes.c_size_t)
_restriction_scope = _fn("licscan_restriction_scope", ctypes.c_char_p, _c_restr)
_result_openness = _fn("licscan_result_openness", ctypes.c_uint32, _c_result)
_openness_name = _fn("licscan_openness_name", ctypes.c_char_p, ctypes.c_uint32)
_freedom_name = _fn("licscan_freedom_name", ctypes.c_char_p, ctypes.c_uint32)
_result_freedom = _fn("licscan_result_freedom", ctypes.c_int, _c_result,
                      ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint64))
_match_flag_change_count = _fn("licscan_match_flag_change_count", ctypes.c_uint32,
                               _c_match)
_match_flag_change = _fn("licscan_match_flag_change", ctypes.c_int, _c_match,
                         ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32),
                         ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_uint64),
                         ctypes.POINTER(ctypes.c_uint64))


class _ScanOptions(ctypes.Structure):
    # licscan_scan_options as include/licscan.h declares it.
    _fields_ = [("struct_size", ctypes.c_uint32), ("max_differences", ctypes.c_uint32),
                ("max_input_bytes", ctypes.c_uint64), ("flags", ctypes.c_uint32),
                ("max_evidence", ctypes.c_uint32)]


_SCAN_NO_CLAUSES = 0x1
_JSON_DIFFS = 0x1


class _Position(ctypes.Structure):
    # licscan_position: where a span's first and last characters are.
    _fields_ = [("line", ctypes.c_uint32), ("col", ctypes.c_uint32),
                ("end_line", ctypes.c_uint32), ("end_col", ctypes.c_uint32)]


_match_position = _fn("licscan_match_position", ctypes.c_int, _c_match,
                      ctypes.POINTER(_Position))
_match_diff_position = _fn("licscan_match_diff_position", ctypes.c_int, _c_match,
                           ctypes.c_uint32, ctypes.POINTER(_Position))
_match_flag_change_position = _fn("licscan_match_flag_change_position", ctypes.c_int,
                                  _c_match, ctypes.c_uint32, ctypes.POINTER(_Position))
_restriction_evidence_position = _fn("licscan_restriction_evidence_position", ctypes.c_int,
                                     _c_restr, ctypes.c_uint32, ctypes.POINTER(_Position))


def _position(fn, *args):
    """(line, col, end_line, end_col) of a span, as licscan_position."""
    p = _Position()
    rc = fn(*args, ctypes.byref(p))
    if rc:
        raise LicscanError(rc, None)
    return p.line, p.col, p.end_line, p.end_col


class _WalkFile(ctypes.Structure):
    # licscan_walk_file as include/licscan.h declares it.
    _fields_ = [("struct_size", ctypes.c_size_t), ("path", ctypes.c_char_p),
                ("index", ctypes.c_uint64), ("walked", ctypes.c_int),
                ("status", ctypes.c_int), ("message", ctypes.c_char_p),
                ("os_error", ctypes.c_int), ("result", _c_result),
                ("data", ctypes.c_void_p), ("len", ctypes.c_size_t),
                ("report", ctypes.c_void_p), ("stopping", ctypes.c_int)]


class _WalkOptions(ctypes.Structure):
    # licscan_walk_options; the two optional callbacks are left NULL.
    _fields_ = [("struct_size", ctypes.c_uint32), ("flags", ctypes.c_uint32),
                ("jobs", ctypes.c_uint32), ("max_depth", ctypes.c_uint32),
                ("scan", ctypes.POINTER(_ScanOptions)),
                ("on_scanned", ctypes.c_void_p), ("progress", ctypes.c_void_p)]


_WALK_LIST_ONLY = 0x4
_walk_fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(_WalkFile), ctypes.c_void_p)
_walk_options_init = _fn("licscan_walk_options_init", ctypes.c_int,
                         ctypes.POINTER(_WalkOptions), ctypes.c_size_t)
_scan_paths = _fn("licscan_scan_paths", ctypes.c_int, _c_db,
                  ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
                  ctypes.POINTER(_WalkOptions), _walk_fn, ctypes.c_void_p)

# The bits of licscan_result_input_flags() the library names (as the JSON
# "input" member does), and the warnings among them: (bit, name, message).
_INPUT_FLAGS = [(1 << i, _input_flag_name(1 << i).decode("ascii"))
                for i in range(32) if _input_flag_name(1 << i)]
_WARNINGS = [(bit, name, _warning_message(bit).decode("utf-8"))
             for bit, name in _INPUT_FLAGS if _warning_code(bit)]
_VALUE_TYPES = ["bool", "number", "text", "list"]
# Flag names by number; the library's own table, read once.
_FLAGS = [_flag_name(i).decode("ascii") for i in range(_flag_count())]
# LICSCAN_FREEDOM_USE .. LICSCAN_FREEDOM_SHARE
_freedom_count = _fn("licscan_freedom_count", ctypes.c_uint32)
_FREEDOMS = [_freedom_name(i).decode("ascii") for i in range(_freedom_count())]


def _s(b):
    return b.decode("utf-8", "replace") if b is not None else ""


def version():
    """The C library's version string."""
    return _s(_version_string())


def flags():
    """Every restriction flag the library knows, in flag order: a dict of
    flag name to value type ("bool", "number", "text" or "list")."""
    return {name: _VALUE_TYPES[_flag_value_type(i)] for i, name in enumerate(_FLAGS)}


class LicscanError(Exception):
    """A licscan call failed: .status is the C status code (LICSCAN_E*,
    negative), .status_name its name ("LICSCAN_EBINARY"), .file/.line/.column locate a template or rule error when
    there is one."""

    def __init__(self, status, message, file=None, line=0, column=0):
        super().__init__(message or _s(_strerror(status)))
        self.status = status
        # "LICSCAN_ENOMEM" and so on; None for a code the library does not know
        name = _status_name(status)
        self.status_name = name.decode("ascii") if name else None
        self.file = file
        self.line = line
        self.column = column


class License:
    """A template's metadata (a plain snapshot)."""

    __slots__ = ("id", "name", "version", "family", "kind", "url", "spdx",
                 "hf_tag", "scancode", "osi_approved", "deprecated")

    def __init__(self, handle):
        for name, f in _license_fields.items():
            setattr(self, name, _s(f(handle)))
        self.osi_approved = bool(_license_osi(handle))
        self.deprecated = bool(_license_deprecated(handle))

    def __repr__(self):
        return f"License({self.id!r})"


class Difference:
    """A differing run: its op, input span (with its lines and columns, as
    the JSON's), and the template wording involved."""
    __slots__ = ("op", "start", "end", "template", "line", "col", "end_line", "end_col")

    def __init__(self, op, start, end, template, line=0, col=0, end_line=0, end_col=0):
        self.op, self.start, self.end, self.template = op, start, end, template
        self.line, self.col, self.end_line, self.end_col = line, col, end_line, end_col

    def __repr__(self):
        return f"Difference({self.op!r}, {self.start}, {self.end}, {self.template!r})"


@dataclass(frozen=True)
class FlagChange:
    """A flag a near or partial match's differences add (set by an inserted
    or replaced clause, spanning it) or remove (set by template wording the
    input lacks; the span is empty at the place of the deletion)."""
    flag: str
    added: bool
    start: int
    end: int
    line: int = 0      # where the span's first character is (1-based)
    col: int = 0
    end_line: int = 0  # where its last character is
    end_col: int = 0

    @property
    def change(self):
        """"added" or "removed", as in the JSON."""
        return "added" if self.added else "removed"


@dataclass(frozen=True)
class Evidence:
    """A clause that sets a flag: its byte span in the input (end
    exclusive), its text (whitespace collapsed, quotes and dashes made
    ASCII), its section label ("1.b.v", or "") and the id of the rule that
    fired; line, col, end_line and end_col where its first and last
    characters are (1-based; README, "Lines and columns")."""
    start: int
    end: int
    text: str
    label: str
    rule: str
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0


_ENOTFOUND = -9  # LICSCAN_ENOTFOUND: the restriction is no threshold

# The names of LICSCAN_MEASURE_*, LICSCAN_PERIOD_* and
# LICSCAN_CONSEQUENCE_*, as the JSON's "threshold" spells them.
MEASURES = ("unknown", "monthly_active_users", "daily_active_users", "users",
            "visits", "revenue")
PERIODS = ("unknown", "day", "month", "year")
CONSEQUENCES = ("unknown", "license_required", "duty", "fee")


@dataclass(frozen=True)
class Threshold:
    """What a threshold (mau_threshold, revenue_threshold) measures (one of
    MEASURES), its amount and currency ("" when none), its period (one of
    PERIODS) and the period as written ("" when none), and what crossing it
    does (one of CONSEQUENCES); for "duty", duties names the flags the duty
    is ("branding",)."""
    measure: str
    amount: int
    currency: str
    period: str
    period_text: str
    consequence: str
    duties: tuple


@dataclass(frozen=True)
class Restriction:
    """A flag the text sets. value depends on value_type: True ("bool"),
    an int ("number", with its unit in qualifier), a str ("text", "" when
    the flag is set but no text was read; an exception in qualifier), or a
    tuple of str ("list"). threshold: a Threshold for mau_threshold and
    revenue_threshold, else None; scope: what the text limits the flag to,
    as written ("multimodal models"), or ""."""
    flag: str
    value_type: str
    value: object
    qualifier: str
    evidence: tuple
    threshold: "Threshold | None" = None
    scope: str = ""

    @property
    def flag_id(self):
        """The flag's number (LICSCAN_FLAG_*)."""
        return _FLAGS.index(self.flag)


@dataclass(frozen=True)
class Freedom:
    """One of the OSI freedoms: ok, or broken by the flags named."""
    name: str
    ok: bool
    broken_by: tuple


@dataclass(frozen=True)
class Openness:
    """The openness verdict: a category ("unknown", "open-source",
    "open-weight-restricted", "non-commercial" or "proprietary") and the
    four freedoms."""
    category: str
    use: Freedom
    study: Freedom
    modify: Freedom
    share: Freedom

    @property
    def freedoms(self):
        return (self.use, self.study, self.modify, self.share)

    @property
    def broken(self):
        """Names of the freedoms some flag breaks."""
        return [f.name for f in self.freedoms if not f.ok]


def _flag_names(mask):
    return tuple(n for i, n in enumerate(_FLAGS) if mask & (1 << i))


def _restriction(handle):
    flag = _restriction_flag(handle)
    vtype = _VALUE_TYPES[_flag_value_type(flag)]
    if vtype == "number":
        value = _restriction_number(handle)
    elif vtype == "text":
        value = _s(_restriction_text(handle))
    elif vtype == "list":
        value = tuple(_s(_restriction_item(handle, i))
                      for i in range(_restriction_item_count(handle)))
    else:
        value = True
    evidence = []
    s, e = ctypes.c_uint64(), ctypes.c_uint64()
    text, label, rule = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
    for i in range(_restriction_evidence_count(handle)):
        rc = _restriction_evidence(handle, i, ctypes.byref(s), ctypes.byref(e),
                                   ctypes.byref(text), ctypes.byref(label),
                                   ctypes.byref(rule))
        if rc:
            raise LicscanError(rc, None)
        evidence.append(Evidence(s.value, e.value, _s(text.value), _s(label.value),
                                 _s(rule.value),
                                 *_position(_restriction_evidence_position, handle, i)))
    threshold = None
    t = _Threshold()
    rc = _restriction_threshold(handle, ctypes.byref(t), ctypes.sizeof(t))
    if rc == 0:
        def name(names, i):
            return names[i] if i < len(names) else "unknown"
        duties = _s(t.consequence_flags)
        threshold = Threshold(name(MEASURES, t.measure), t.amount, _s(t.currency),
                              name(PERIODS, t.period), _s(t.period_text),
                              name(CONSEQUENCES, t.consequence),
                              tuple(duties.split(",")) if duties else ())
    elif rc != _ENOTFOUND:
        raise LicscanError(rc, None)
    return Restriction(_FLAGS[flag], vtype, value, _s(_restriction_qualifier(handle)),
                       tuple(evidence), threshold, _s(_restriction_scope(handle)))


def _openness(handle):
    freedoms = []
    mask = ctypes.c_uint64()
    for i, name in enumerate(_FREEDOMS):
        rc = _result_freedom(handle, i, ctypes.byref(mask))
        if rc < 0:
            raise LicscanError(rc, None)
        freedoms.append(Freedom(name, rc == 1, _flag_names(mask.value) if rc == 0 else ()))
    return Openness(_s(_openness_name(_result_openness(handle))), *freedoms)


class Match:
    """One license found in the text."""

    __slots__ = ("license", "kind", "coverage", "start", "end", "runner_up",
                 "runner_up_coverage", "runner_up_similarity", "differences",
                 "flag_changes",
                 "line", "col", "end_line", "end_col")

    def __init__(self, handle):
        self.license = License(_match_license(handle))
        self.kind = _s(_kind_name(_match_kind(handle)))
        self.coverage = _match_coverage(handle)
        self.start = _match_start(handle)
        self.end = _match_end(handle)
        self.line, self.col, self.end_line, self.end_col = _position(_match_position, handle)
        cov = ctypes.c_double()
        ru = _match_runner_up(handle, ctypes.byref(cov))
        self.runner_up = License(ru) if ru else None
        self.runner_up_coverage = cov.value if ru else 0.0
        self.runner_up_similarity = _match_runner_up_similarity(handle)
        self.differences = []
        op, s, e, t = ctypes.c_uint32(), ctypes.c_uint64(), ctypes.c_uint64(), ctypes.c_char_p()
        for i in range(_match_diff_count(handle)):
            _match_diff(handle, i, ctypes.byref(op), ctypes.byref(s), ctypes.byref(e),
                        ctypes.byref(t))
            self.differences.append(Difference(_s(_diff_op_name(op.value)), s.value,
                                               e.value, _s(t.value),
                                               *_position(_match_diff_position, handle, i)))
        self.flag_changes = []
        flag, added = ctypes.c_uint32(), ctypes.c_int()
        for i in range(_match_flag_change_count(handle)):
            rc = _match_flag_change(handle, i, ctypes.byref(flag), ctypes.byref(added),
                                    ctypes.byref(s), ctypes.byref(e))
            if rc:
                raise LicscanError(rc, None)
            self.flag_changes.append(FlagChange(_FLAGS[flag.value], bool(added.value),
                                                s.value, e.value,
                                                *_position(_match_flag_change_position,
                                                           handle, i)))

    @property
    def id(self):
        return self.license.id

    def __repr__(self):
        return (f"Match({self.id!r}, {self.kind!r}, coverage={self.coverage:.3f}, "
                f"span=({self.start}, {self.end}))")


class Result(list):
    """The matches of one scan (a list), with .spdx, .encoding, .input (the
    notable facts about the input, named as in the JSON), .warnings (the
    limits the scan hit: (code, message) pairs), .restrictions (a
    dict of flag name to Restriction, in flag order, holding only the flags
    the text sets) and .openness."""

    def __init__(self, handle):
        super().__init__(Match(_result_match(handle, i))
                         for i in range(_result_match_count(handle)))
        self.spdx = _s(_result_spdx(handle))
        self.encoding = _s(_encoding_name(_result_encoding(handle)))
        flags = _result_input_flags(handle)
        self.input = [n for bit, n in _INPUT_FLAGS if flags & bit]
        # the limits the scan hit: (code, message) pairs, as the JSON's "warnings"
        self.warnings = [(n, msg) for bit, n, msg in _WARNINGS if flags & bit]
        restrictions = (_restriction(_result_restriction(handle, i))
                        for i in range(_result_restriction_count(handle)))
        self.restrictions = {r.flag: r for r in restrictions}
        self.openness = _openness(handle)


class Database:
    """A database of templates and clause rules. Database() holds the
    embedded default set; Database(empty=True) holds nothing until templates
    or rules are added. Scans may run from several threads at once; loading
    must not overlap them. close() (or a with block) frees it at once."""

    def __init__(self, empty=False):
        self._h = _c_db()
        rc = (_db_open_empty if empty else _db_open_default)(None, ctypes.byref(self._h))
        if rc:
            raise LicscanError(rc, None)

    def close(self):
        if self._h:
            _db_free(self._h)
            self._h = _c_db()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __del__(self):
        self.close()

    def _handle(self):
        if not self._h:
            raise ValueError("database is closed")
        return self._h

    def _error(self, rc):
        f, line, col = ctypes.c_char_p(), ctypes.c_uint32(), ctypes.c_uint32()
        _db_error_location(self._h, ctypes.byref(f), ctypes.byref(line), ctypes.byref(col))
        return LicscanError(rc, _s(_db_errmsg(self._h)),
                            _s(f.value) if f.value else None, line.value, col.value)

    def load_dir(self, path):
        """Add every *.template.txt of a directory (with its .meta), and the
        clause rules of every *.rules file in it and in its rules/."""
        rc = _db_load_dir(self._handle(), os.fsencode(path))
        if rc:
            raise self._error(rc)

    def add_rules(self, text, source=None):
        """Add clause rules (the format of licenses/rules/*.rules). All or
        nothing: a malformed rule raises LicscanError with .file (source),
        .line and .column, and no rule of the text is added."""
        t = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        rc = _db_add_rules(self._handle(), t, len(t),
                           source.encode("utf-8") if source else None)
        if rc:
            raise self._error(rc)

    @property
    def rule_count(self):
        """Number of clause rules in the database."""
        return _db_rule_count(self._handle())

    def add_template(self, id, text, meta=None, source=None):
        """Add one template (SPDX template markup) and its metadata."""
        t = text.encode("utf-8") if isinstance(text, str) else bytes(text)
        m = meta.encode("utf-8") if isinstance(meta, str) else meta
        rc = _db_add_template(self._handle(), id.encode("utf-8"), t, len(t), m,
                              len(m) if m else 0,
                              source.encode("utf-8") if source else None)
        if rc:
            raise self._error(rc)

    @property
    def licenses(self):
        h = self._handle()
        return [License(_db_license(h, i)) for i in range(_db_license_count(h))]

    def lookup(self, key):
        """A license by template id, SPDX id, Hugging Face tag or ScanCode
        key; None when unknown."""
        lic = _db_lookup(self._handle(), key.encode("utf-8"))
        return License(lic) if lic else None

    @contextlib.contextmanager
    def _scanned(self, data, opts, check=True):
        """The C result of scanning bytes, freed when the block ends.
        LicscanError when the scan failed (with check=False a failed scan's
        result is yielded too, when there is one)."""
        res = _c_result()
        # ctypes releases the GIL for the call: scans on threads overlap.
        rc = _scan(self._handle(), data, len(data), ctypes.byref(opts), ctypes.byref(res))
        if not res:
            raise LicscanError(rc, None)
        try:
            if rc and check:
                raise LicscanError(rc, _s(_result_errmsg(res)))
            yield res
        finally:
            _result_free(res)

    def scan(self, data, *, clauses=True, max_evidence=None, max_differences=None,
             max_bytes=None):
        """Scan a license text: bytes (any encoding the library reads), or
        a str (scanned as UTF-8). Not a path: see scan_file(). Returns a
        Result; raises LicscanError when the input cannot be scanned
        (binary, too large), TypeError for data of another type.
        clauses=False skips restriction extraction; the max_* arguments
        override the library's limits (evidence spans kept per flag,
        differing runs kept per match, input size)."""
        opts = _scan_options(clauses, max_evidence, max_differences, max_bytes)
        with self._scanned(_text_bytes(data), opts) as res:
            return Result(res)

    def scan_file(self, path, **options):
        """Scan the file at path (str, bytes or os.PathLike); options as for
        scan(). Raises OSError when the file cannot be read, LicscanError
        when it is not a regular file, is larger than the input limit
        (before reading it) or cannot be scanned."""
        opts = _scan_options(**_checked(options))
        with self._scanned(_read_file(path, opts.max_input_bytes), opts) as res:
            return Result(res)

    def scan_dir(self, path, *, jobs=None, **options):
        """Scan every file under path, walked as the CLI walks (walk()), on
        the C library's pool of `jobs` threads (licscan_scan_paths; default:
        one per online CPU) sharing this database. Returns a list of
        FileScan in walk order, whatever the number of threads: .result
        for a file scanned, .error for one that could not be (OSError when
        the system said why, else LicscanError). options as for scan()."""
        opts = _scan_options(**_checked(options))

        def one(f):
            p = os.fsdecode(f.path)
            if f.result and f.status == 0:
                return FileScan(p, Result(f.result), None)
            if f.os_error and not f.result:
                return FileScan(p, None, OSError(f.os_error, _s(f.message), p))
            message = _s(f.message)
            if not f.result:  # the walk's reason or the read's: name the file
                message = f"{p}: {message}"
            return FileScan(p, None, LicscanError(f.status, message))

        return _walk_c(self._handle(), path, jobs, opts, 0, one)

    def scan_json(self, data, *, file=None, diffs=False, clauses=True, max_evidence=None,
                  max_differences=None, max_bytes=None):
        """The scan rendered by the library as one line of JSON (a str; the
        schema is in README.md). file is written as the "file" member;
        diffs=True adds each match's differences. The other arguments are
        those of scan()."""
        opts = _scan_options(clauses, max_evidence, max_differences, max_bytes)
        return self._json(_text_bytes(data), opts, file, diffs, check=True)

    def _json(self, data, opts, file, diffs, check):
        """The library's JSON line for bytes; with check=False a failed
        scan gives its line with "error" and "status", as the CLI writes."""
        with self._scanned(data, opts, check) as res:
            text, n = ctypes.c_void_p(), ctypes.c_size_t()
            rc = _result_json(res, os.fsencode(file) if file is not None else None,
                              _JSON_DIFFS if diffs else 0, ctypes.byref(text),
                              ctypes.byref(n))
            if rc:
                raise LicscanError(rc, None)
            return ctypes.string_at(text, n.value).decode("utf-8")


_EINVAL = -2
_EIO = -3
_EBINARY = -4
_ETOOBIG = -5
_FIRST_BLOCK = 64 << 10  # read first, as the CLI does: a binary file stops there


def _scan_options(clauses=True, max_evidence=None, max_differences=None, max_bytes=None):
    """A licscan_scan_options with the library's defaults and the caller's
    overrides. The only place the binding calls licscan_scan_options_init:
    a change of its signature is made here."""
    # init writes no more than the struct we pass, whatever the library's
    opts = _ScanOptions()
    rc = _scan_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
    if rc:
        raise LicscanError(rc, None)
    if not clauses:
        opts.flags |= _SCAN_NO_CLAUSES
    for field, v, limit in (("max_evidence", max_evidence, 2**32),
                            ("max_differences", max_differences, 2**32),
                            ("max_input_bytes", max_bytes, 2**64)):
        if v is None:
            continue
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < limit:
            raise ValueError(f"{field} must be an int in 0..{limit - 1}, not {v!r}")
        setattr(opts, field, v)
    return opts


_OPTION_NAMES = ("clauses", "max_evidence", "max_differences", "max_bytes")


def _checked(options):
    bad = sorted(set(options) - set(_OPTION_NAMES))
    if bad:
        raise TypeError(f"unexpected keyword argument {bad[0]!r}")
    return options


def _text_bytes(data):
    """The bytes of a text to scan: bytes as they are, a str as UTF-8 (the
    bytes a str decoded with errors="surrogateescape" came from are
    restored; another lone surrogate is a UnicodeEncodeError)."""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, os.PathLike):
        raise TypeError("scan() takes the text itself (bytes or str), not a path: "
                        "use scan_file() for a file")
    raise TypeError(f"expected bytes or str, not {type(data).__name__}")


def _special_kind(mode):
    for test, what in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return what + ", not a regular file: skipped"
    return "not a regular file or directory: skipped"


def _read_file(path, limit):
    """A regular file's bytes; a FIFO is never opened (it could block), and
    a file over limit is not read."""
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"expected a path, not {type(path).__name__}")
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(21, "Is a directory (use scan_dir())", os.fsdecode(path))
    if not stat.S_ISREG(st.st_mode):
        raise LicscanError(_EIO, f"{os.fsdecode(path)}: {_special_kind(st.st_mode)}")
    if st.st_size > limit:
        raise LicscanError(_ETOOBIG, f"{os.fsdecode(path)}: {st.st_size} bytes, over the "
                           f"limit of {limit} bytes")
    with open(path, "rb") as f:
        head = f.read(_FIRST_BLOCK)
        nul = ctypes.c_size_t(0)
        if _sniff_binary(head, len(head), ctypes.byref(nul)):
            raise LicscanError(_EBINARY, f"NUL byte at offset {nul.value}: binary input")
        return head + f.read()


def walk(path):
    """The files under path, as the CLI walks them (the C library's walk:
    licscan_scan_paths listing only): (path, None) for a regular file,
    (path, problem) for what cannot be scanned (a FIFO, socket or device, a
    symbolic link loop, a directory that contains itself, an unreadable
    directory). Directories are walked in name order (bytes of the name);
    .git is skipped; inside the tree a symbolic link is followed only to a
    regular file inside the tree (path itself is followed when it is one).
    path as a file gives that file."""
    return _walk_c(None, path, 1, None, _WALK_LIST_ONLY,
                   lambda f: (os.fsdecode(f.path), _s(f.message) or None))


def _walk_c(db, path, jobs, scan_opts, flags, one):
    """licscan_scan_paths over path: one(file) for each file, in walk
    order, on this thread (ctypes releases the GIL during the call, and
    takes it back for each callback)."""
    if jobs is None:
        jobs = 0  # the library's default: one per online CPU
    elif not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs < 2**32:
        raise ValueError(f"jobs must be an int >= 1, not {jobs!r}")
    o = _WalkOptions()
    rc = _walk_options_init(ctypes.byref(o), ctypes.sizeof(o))
    if rc:
        raise LicscanError(rc, None)
    o.flags = flags
    o.jobs = jobs
    if scan_opts is not None:
        o.scan = ctypes.pointer(scan_opts)
    items, failure = [], []

    def on_file(f, _user):
        try:
            items.append(one(f.contents))
            return 0
        except BaseException as e:  # KeyboardInterrupt too: stop the walk
            failure.append(e)
            return 1

    callback = _walk_fn(on_file)  # kept alive for the call
    paths = (ctypes.c_char_p * 1)(os.fsencode(os.fspath(path)))
    rc = _scan_paths(db, paths, 1, ctypes.byref(o), callback, None)
    if failure:
        raise failure[0]
    if rc:
        raise LicscanError(rc, None)
    return items


@dataclass(frozen=True)
class FileScan:
    """One file of scan_dir(): its path, and its Result, or the error
    (OSError or LicscanError) that kept it from being scanned."""
    path: str
    result: object
    error: object

    @property
    def ok(self):
        return self.error is None


_default = None
_default_lock = threading.Lock()


def _default_db():
    global _default
    with _default_lock:
        if _default is None:
            _default = Database()
    return _default


def scan(data, **options):
    """Scan a text (bytes, or str scanned as UTF-8) with the embedded
    default set (opened once, on first use); options as for
    Database.scan()."""
    return _default_db().scan(data, **options)


def scan_file(path, **options):
    """Database.scan_file() with the embedded default set."""
    return _default_db().scan_file(path, **options)


def scan_dir(path, **options):
    """Database.scan_dir() with the embedded default set."""
    return _default_db().scan_dir(path, **options)


def scan_json(data, **options):
    """Database.scan_json() with the embedded default set."""
    return _default_db().scan_json(data, **options)


# licscan.check(path, facts): one verdict per model (_check.py).
from ._check import Facts, Reason, Verdict, check  # noqa: E402
