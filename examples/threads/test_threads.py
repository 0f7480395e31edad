"""Test of examples/threads/threads.c: the output does not depend on the
number of threads, and lists every file in the order given.

Run: python3 examples/threads/test_threads.py path/to/threads
"""
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def inputs():
    """The bundled examples and a slice of the corpus: enough files that
    threads take them in a different order from run to run."""
    files = []
    for top in ("examples/licenses", "corpus"):
        for d, _, names in sorted(os.walk(os.path.join(ROOT, top))):
            files += [os.path.join(d, n) for n in sorted(names) if not n.endswith(".json")]
    return files[:5] + files[5::9]


def main(threads):
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        files = inputs()
        # A missing file in the middle: reported, and the others still come out.
        missing = os.path.join(tmp, "missing.txt")
        files.insert(len(files) // 2, missing)
        single = subprocess.run([threads, "-t", "1", *files], capture_output=True,
                                text=True, timeout=300)
        heads = [l.split(": ")[0] for l in single.stdout.splitlines()
                 if not l.startswith(" ")]
        # Files that could not be scanned (the missing one, the corpus's
        # binary decoy) are on stderr instead.
        failed = [f for f in files if f"threads: {f}: " in single.stderr]
        if missing not in failed or heads != [f for f in files if f not in failed]:
            failures += 1
            print("test_threads: the single-thread run does not list the files in order")
        if single.returncode != 1 or "missing.txt" not in single.stderr:
            failures += 1
            print(f"test_threads: missing file: exit {single.returncode}, "
                  f"stderr {single.stderr!r}")
        for n in (2, 4, 7):
            p = subprocess.run([threads, "-t", str(n), *files], capture_output=True,
                               text=True, timeout=300)
            if (p.stdout, p.stderr, p.returncode) != (single.stdout, single.stderr,
                                                      single.returncode):
                failures += 1
                print(f"test_threads: {n} threads differ from one thread")
        p = subprocess.run([threads, "-t", "0", files[0]], capture_output=True, text=True)
        if p.returncode != 2 or "thread count" not in p.stderr:
            failures += 1
            print(f"test_threads: -t 0: exit {p.returncode}, stderr {p.stderr!r}")
    print(f"test_threads: {len(files)} files; 1, 2, 4 and 7 threads agree" if not failures
          else f"test_threads: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: test_threads.py THREADS")
    sys.exit(main(sys.argv[1]))
