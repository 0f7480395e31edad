"""licscan on Dask: files, or (path, bytes) records, to result rows.

    import licscan.dask as ld
    from dask.distributed import Client

    client = Client("tcp://scheduler:8786")   # or LocalCluster(), or none
    rows = ld.scan_files("models/")           # a dask Bag of dicts
    rows.filter(lambda r: "mau_threshold" in r.get("restrictions", {})).count().compute()
    df = ld.to_dataframe(rows)                # a dask DataFrame, one row per file

A row is the library's JSON line for the file as a dict (schema "1", the
same object `licscan --json` prints for it, with "file"); a file that
could not be read or scanned gives the CLI's error row ("error",
"status").

Each worker process opens one licscan database (the embedded set), the
first time it scans, and keeps it for every later task; its threads share
it. scan_files() reads the files on the workers (they must see the same
paths); scan_records() takes the bytes with the paths, for workers that do
not share a file system. Needs dask (bag; dataframe and pandas for
to_dataframe); Debian: python3-dask, python3-distributed, python3-pandas.
"""
import functools
import json
import os
import threading

import dask.bag

import licscan as _licscan

__all__ = ["scan_files", "scan_records", "scan_path", "scan_record", "to_dataframe",
           "worker_database", "worker_stats"]

_lock = threading.Lock()
_state = {"pid": None, "db": None, "opened": 0, "scanned": 0}


def worker_database():
    """This process's licscan database, opened on first use (and again in
    a child forked after that: a database is not shared across fork)."""
    with _lock:
        if _state["pid"] != os.getpid():
            _state.update(pid=os.getpid(), db=_licscan.Database(), opened=0, scanned=0)
            _state["opened"] += 1
        return _state["db"]


def worker_stats():
    """{"pid", "opened", "scanned"} of this process: how many databases it
    opened (1 once it scanned) and how many inputs it scanned. For
    client.run(licscan.dask.worker_stats)."""
    with _lock:
        if _state["pid"] != os.getpid():
            return {"pid": os.getpid(), "opened": 0, "scanned": 0}
        return {"pid": _state["pid"], "opened": _state["opened"], "scanned": _state["scanned"]}


def _count():
    with _lock:
        _state["scanned"] += 1


def _error_row(path, message, status):
    """The CLI's line for a file it could not read."""
    return {"schema": "1", "file": path, "matches": [], "spdx": "", "error": message,
            "status": _licscan._s(_licscan._strerror(status))}


def _row(data, path, opts, diffs):
    db = worker_database()
    _count()
    return json.loads(db._json(data, opts, path, diffs, check=False))


def scan_record(record, *, diffs=False, **options):
    """One (path, bytes) record to its row. options as for licscan.scan()."""
    path, data = record
    opts = _licscan._scan_options(**_licscan._checked(options))
    try:
        data = _licscan._text_bytes(data)
    except TypeError as e:
        return _error_row(path, str(e), _licscan._EINVAL)
    return _row(data, path, opts, diffs)


def scan_path(path, *, diffs=False, **options):
    """One file to its row, read here (on the worker)."""
    opts = _licscan._scan_options(**_licscan._checked(options))
    try:
        data = _licscan._read_file(path, opts.max_input_bytes)
    except _licscan.LicscanError as e:
        return _error_row(path, str(e), e.status)
    except OSError as e:
        return _error_row(path, f"{e.strerror or e}", _licscan._EIO)
    return _row(data, path, opts, diffs)


def _walk_entry(entry, diffs, options):
    path, problem = entry
    if problem:
        return _error_row(path, problem, _licscan._EIO)
    return scan_path(path, diffs=diffs, **options)


def _bag(items, npartitions):
    if isinstance(items, dask.bag.Bag):
        return items
    items = list(items)
    if npartitions is None:
        npartitions = max(1, min(len(items) // 50 + 1, 64))
    return dask.bag.from_sequence(items, npartitions=npartitions)


def scan_files(paths, *, npartitions=None, diffs=False, **options):
    """A Bag of rows: paths is a directory or file (walked on the client
    as the CLI walks it: the rows come in the CLI's order), a list of
    paths, or a Bag of paths. Files are read on the workers."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        entries = _licscan.walk(os.fsdecode(paths))
        fn = functools.partial(_walk_entry, diffs=diffs, options=options)
    else:
        fn = functools.partial(scan_path, diffs=diffs, **options)
        entries = paths
    return _bag(entries, npartitions).map(fn)


def scan_records(records, *, npartitions=None, diffs=False, **options):
    """A Bag of rows from (path, bytes) records: a Bag of them, or any
    iterable (made into a Bag)."""
    return _bag(records, npartitions).map(functools.partial(scan_record, diffs=diffs,
                                                            **options))


_COLUMNS = {"file": "object", "spdx": "object", "licenses": "object", "openness": "object",
            "flags": "object", "restrictions": "object", "error": "object", "json": "object"}


def _flat(row):
    """A row for a DataFrame: strings only (nested members as JSON)."""
    restrictions = row.get("restrictions", {})
    return {"file": row["file"], "spdx": row["spdx"],
            "licenses": " ".join(m["id"] for m in row["matches"]
                                 if m["kind"] in ("exact", "near")),
            "openness": row.get("openness", {}).get("category"),
            "flags": " ".join(restrictions),
            "restrictions": json.dumps({k: v["value"] for k, v in restrictions.items()},
                                       sort_keys=True),
            "error": row.get("error"),
            "json": json.dumps(row, separators=(",", ":"), ensure_ascii=False)}


def to_dataframe(rows):
    """A dask DataFrame of a Bag of rows: file, spdx, licenses (ids of the
    exact and near matches, space-separated), openness (category), flags
    (names, space-separated), restrictions (JSON object of flag values),
    error (None when scanned) and json (the whole row)."""
    return rows.map(_flat).to_dataframe(meta=_COLUMNS)
