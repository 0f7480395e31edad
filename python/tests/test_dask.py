"""licscan.dask on a LocalCluster of two worker processes, over corpus/:
every row is the CLI's JSON for its file, in the CLI's order, and each
worker process opened one database. Skipped, saying so, without dask,
distributed and pandas (Debian: python3-distributed python3-dask
python3-pandas)."""
import json
import os
import subprocess
import sys
import unittest
import warnings

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(ROOT, "corpus")
CLI = os.environ.get("LICSCAN_CLI", os.path.join(ROOT, "build", "licscan"))

try:
    import dask.bag  # noqa: F401
    import dask.dataframe  # noqa: F401
    import distributed
    import pandas  # noqa: F401
    MISSING = None
except ImportError as e:
    MISSING = (f"licscan.dask tests skipped: {e} (apt-get install python3-distributed "
               "python3-dask python3-pandas)")
    print(MISSING, file=sys.stderr)  # unittest shows a skip's reason only with -v


def cli_rows(*args):
    out = subprocess.run([CLI, "--json", *args], capture_output=True).stdout
    return [json.loads(line) for line in out.decode("utf-8").splitlines()]


@unittest.skipIf(MISSING, MISSING)
class DaskTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.access(CLI, os.X_OK):
            raise unittest.SkipTest(f"no CLI at {CLI} (set LICSCAN_CLI)")
        import licscan.dask
        # distributed 2022.12 on Debian's tornado 6.2 warns on every start.
        warnings.filterwarnings("ignore", "make_current is deprecated", DeprecationWarning)
        cls.ld = licscan.dask
        cls.cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=2,
                                               processes=True, dashboard_address=None,
                                               silence_logs=50)
        cls.client = distributed.Client(cls.cluster)

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.cluster.close()

    def test_corpus_rows_are_the_cli_json(self):
        want = cli_rows(CORPUS)
        self.assertGreater(len(want), 1000)
        bag = self.ld.scan_files(CORPUS)
        self.assertGreater(bag.npartitions, 2)
        rows = bag.compute()
        self.assertEqual([r["file"] for r in rows], [w["file"] for w in want])
        for row, w in zip(rows, want):
            self.assertEqual(row, w, row["file"])
        # One database per worker process, opened there, used for every task.
        stats = self.client.run(self.ld.worker_stats)
        self.assertEqual(len(stats), 2)
        pids = {s["pid"] for s in stats.values()}
        self.assertNotIn(os.getpid(), pids)
        self.assertEqual(len(pids), 2)
        # a file refused unread (binary from its first block) is no scan
        scanned = [w for w in want if "encoding" in w]
        self.assertEqual(sum(s["scanned"] for s in stats.values()), len(scanned))
        for worker, s in stats.items():
            if s["scanned"]:
                self.assertEqual(s["opened"], 1, worker)
        self.assertEqual(sum(1 for s in stats.values() if s["scanned"]), 2, stats)
        self.assertEqual(self.ld.worker_stats()["scanned"], 0)  # nothing ran here

    def test_records_and_dataframe(self):
        paths = sorted(os.path.join(CORPUS, "modified", n)
                       for n in os.listdir(os.path.join(CORPUS, "modified")))
        want = {w["file"]: w for w in cli_rows(*paths)}
        records = []
        for p in paths:
            with open(p, "rb") as f:
                records.append((p, f.read()))
        records.append(("binary.bin", b"\0\1"))
        records.append(("text.txt", "You may not use the Model for commercial purposes."))
        rows = self.ld.scan_records(records, npartitions=3).compute()
        self.assertEqual([r["file"] for r in rows], [r[0] for r in records])
        for row in rows[:len(paths)]:
            self.assertEqual(row, want[row["file"]])
        self.assertEqual(rows[-2]["status"], "binary input (NUL bytes), not text")
        self.assertEqual(list(rows[-1]["restrictions"]), ["non_commercial"])

        df = self.ld.to_dataframe(self.ld.scan_files(paths, npartitions=2)).compute()
        self.assertEqual(list(df["file"]), paths)
        for _, r in df.iterrows():
            w = want[r["file"]]
            self.assertEqual(r["spdx"], w["spdx"])
            self.assertEqual(json.loads(r["json"]), w)
            self.assertEqual(json.loads(r["restrictions"]),
                             {k: v["value"] for k, v in w["restrictions"].items()})
            self.assertEqual(r["flags"].split(), list(w["restrictions"]))
            self.assertEqual(r["openness"], w["openness"]["category"])
        self.assertTrue(df["error"].isna().all())

    def test_unreadable_entries_are_error_rows(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            os.mkfifo(os.path.join(d, "fifo"))
            with open(os.path.join(d, "LICENSE"), "wb") as f:
                with open(os.path.join(CORPUS, "MIT", "original.txt"), "rb") as src:
                    f.write(src.read())
            want = cli_rows(d)
            rows = self.ld.scan_files(d).compute()
            self.assertEqual(rows, want)  # the FIFO row is the CLI's, word for word
            self.assertEqual([r["spdx"] for r in rows], ["MIT", ""])
            self.assertIn("FIFO", rows[1]["error"])


if __name__ == "__main__":
    unittest.main()
