"""licscan for Python: identify license texts through the C library (ctypes).

    import licscan
    for m in licscan.scan(b"...license text..."):   # or a path
        print(m.id, m.kind, m.coverage, m.start, m.end)

The shared library is found through the LICSCAN_LIBRARY environment
variable (a path to liblicscan.so), else in the build tree of this
repository (build/liblicscan.so), else by the system loader.
Only the standard library is used. Results are copied into Python objects
and the C result is freed before scan() returns.
"""
import ctypes
import ctypes.util
import os
import threading

__all__ = ["Database", "LicscanError", "License", "Match", "Difference",
           "Result", "scan", "version"]

_HERE = os.path.dirname(os.path.abspath(__file__))


def _load():
    candidates = []
    if os.environ.get("LICSCAN_LIBRARY"):
        candidates.append(os.environ["LICSCAN_LIBRARY"])
    candidates.append(os.path.join(_HERE, "..", "..", "build", "liblicscan.so"))
    found = ctypes.util.find_library("licscan")
    if found:
        candidates.append(found)
    errors = []
    for path in candidates:
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError("cannot load liblicscan: " + "; ".join(errors))


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
_scan = _fn("licscan_scan", ctypes.c_int, _c_db, ctypes.c_char_p, ctypes.c_size_t,
            ctypes.c_void_p, ctypes.POINTER(_c_result))
_result_free = _fn("licscan_result_free", None, _c_result)
_result_status = _fn("licscan_result_status", ctypes.c_int, _c_result)
_result_errmsg = _fn("licscan_result_errmsg", ctypes.c_char_p, _c_result)
_result_encoding = _fn("licscan_result_encoding", ctypes.c_uint32, _c_result)
_encoding_name = _fn("licscan_encoding_name", ctypes.c_char_p, ctypes.c_uint32)
_result_input_flags = _fn("licscan_result_input_flags", ctypes.c_uint32, _c_result)
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
_match_diff_count = _fn("licscan_match_diff_count", ctypes.c_uint32, _c_match)
_match_diff = _fn("licscan_match_diff", ctypes.c_int, _c_match, ctypes.c_uint32,
                  ctypes.POINTER(ctypes.c_uint32), ctypes.POINTER(ctypes.c_uint64),
                  ctypes.POINTER(ctypes.c_uint64), ctypes.POINTER(ctypes.c_char_p))
_diff_op_name = _fn("licscan_diff_op_name", ctypes.c_char_p, ctypes.c_uint32)

_INPUT_FLAGS = ["invalid-utf8", "bom", "crlf", "empty", "invalid-utf16",
                "differences-truncated", "search-limit"]


def _s(b):
    return b.decode("utf-8", "replace") if b is not None else ""


def version():
    """The C library's version string."""
    return _s(_version_string())


class LicscanError(Exception):
    """A licscan call failed: .status is the C status code, .file/.line/
    .column locate a template error when there is one."""

    def __init__(self, status, message, file=None, line=0, column=0):
        super().__init__(message or _s(_strerror(status)))
        self.status = status
        self.file = file
        self.line = line
        self.column = column


class License:
    """A template's metadata (a plain snapshot)."""

    __slots__ = ("id", "name", "version", "family", "kind", "url", "spdx",
                 "hf_tag", "scancode", "osi_approved")

    def __init__(self, handle):
        for name, f in _license_fields.items():
            setattr(self, name, _s(f(handle)))
        self.osi_approved = bool(_license_osi(handle))

    def __repr__(self):
        return f"License({self.id!r})"


class Difference:
    __slots__ = ("op", "start", "end", "template")

    def __init__(self, op, start, end, template):
        self.op, self.start, self.end, self.template = op, start, end, template

    def __repr__(self):
        return f"Difference({self.op!r}, {self.start}, {self.end}, {self.template!r})"


class Match:
    """One license found in the text."""

    __slots__ = ("license", "kind", "coverage", "start", "end", "runner_up",
                 "runner_up_coverage", "differences")

    def __init__(self, handle):
        self.license = License(_match_license(handle))
        self.kind = _s(_kind_name(_match_kind(handle)))
        self.coverage = _match_coverage(handle)
        self.start = _match_start(handle)
        self.end = _match_end(handle)
        cov = ctypes.c_double()
        ru = _match_runner_up(handle, ctypes.byref(cov))
        self.runner_up = License(ru) if ru else None
        self.runner_up_coverage = cov.value if ru else 0.0
        self.differences = []
        op, s, e, t = ctypes.c_uint32(), ctypes.c_uint64(), ctypes.c_uint64(), ctypes.c_char_p()
        for i in range(_match_diff_count(handle)):
            _match_diff(handle, i, ctypes.byref(op), ctypes.byref(s), ctypes.byref(e),
                        ctypes.byref(t))
            self.differences.append(Difference(_s(_diff_op_name(op.value)), s.value,
                                               e.value, _s(t.value)))

    @property
    def id(self):
        return self.license.id

    def __repr__(self):
        return (f"Match({self.id!r}, {self.kind!r}, coverage={self.coverage:.3f}, "
                f"span=({self.start}, {self.end}))")


class Result(list):
    """The matches of one scan (a list), with .spdx, .encoding, .input."""

    def __init__(self, handle):
        super().__init__(Match(_result_match(handle, i))
                         for i in range(_result_match_count(handle)))
        self.spdx = _s(_result_spdx(handle))
        self.encoding = _s(_encoding_name(_result_encoding(handle)))
        flags = _result_input_flags(handle)
        self.input = [n for i, n in enumerate(_INPUT_FLAGS) if flags & (1 << i)]


class Database:
    """A template database. Database() holds the embedded default set;
    Database(empty=True) holds nothing until templates are added. Scans may
    run from several threads at once; loading must not overlap them."""

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
        """Add every *.template.txt of a directory (with its .meta)."""
        rc = _db_load_dir(self._handle(), os.fsencode(path))
        if rc:
            raise self._error(rc)

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

    def scan(self, data):
        """Scan bytes, or the file at a path (str or os.PathLike). Returns a
        Result; raises LicscanError when the input cannot be scanned
        (binary, too large), OSError when the file cannot be read."""
        if isinstance(data, (str, os.PathLike)):
            with open(data, "rb") as f:
                data = f.read()
        data = bytes(data)
        res = _c_result()
        rc = _scan(self._handle(), data, len(data), None, ctypes.byref(res))
        if not res:
            raise LicscanError(rc, None)
        try:
            if rc:
                raise LicscanError(rc, _s(_result_errmsg(res)))
            return Result(res)
        finally:
            _result_free(res)


_default = None
_default_lock = threading.Lock()


def scan(data):
    """Scan with the embedded default set (opened once, on first use).
    data: bytes, or a path (str or os.PathLike)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Database()
    return _default.scan(data)
