"""Build hooks of the licscan Python package (the metadata is in
pyproject.toml).

The package loads liblicscan with ctypes; build_py puts the library in
the package, or records where the installed one is:

1. LICSCAN_LIBRARY_FILE=/path/liblicscan.so.N...: that file is bundled
   (make test-python passes the one it just built);
2. else, in the licscan source tree (this directory's parent holds the
   Makefile) and unless LICSCAN_SYSTEM_LIBRARY=1: `make python-lib` builds
   the shared library there (build/, or BUILD=...), and it is bundled;
3. else the installed library: pkg-config's libdir for licscan is recorded
   in licscan/_build_config.py (and, at run time, the system loader is the
   last resort); with neither, the build fails saying so.
"""
import os
import re
import shutil
import subprocess
import sys

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.dirname(HERE)
# The name of the bundled copy in the package (licscan/__init__.py loads it).
BUNDLED = "liblicscan.so"


def in_source_tree():
    return (os.path.exists(os.path.join(TREE, "Makefile")) and
            os.path.exists(os.path.join(TREE, "include", "licscan.h")))


def version():
    if in_source_tree():
        with open(os.path.join(TREE, "include", "licscan.h"), encoding="utf-8") as f:
            m = re.search(r'^#define LICSCAN_VERSION_STRING "([^"]+)"', f.read(), re.M)
        if m:
            return m.group(1)
    return os.environ.get("LICSCAN_VERSION", "0.3.0")


def build_library():
    """Build the shared library with the tree's Makefile; its path."""
    make = os.environ.get("MAKE", "make")
    cmd = [make, "-s", "--no-print-directory", "-C", TREE, "python-lib"]
    if os.environ.get("BUILD"):
        cmd.append("BUILD=" + os.environ["BUILD"])
    print("licscan: building the C library:", " ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
    path = out.strip().splitlines()[-1]
    if not os.path.isfile(path):
        sys.exit(f"licscan: `make python-lib` did not name the library ({out!r})")
    return path


def installed_library():
    """The installed library pkg-config names, or None."""
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "licscan"], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    path = os.path.join(libdir, "liblicscan.so")
    return path if os.path.exists(path) else None


class BuildPy(build_py):
    def run(self):
        super().run()
        pkg = os.path.join(self.build_lib, "licscan")
        config = os.path.join(pkg, "_build_config.py")
        bundled = os.path.join(pkg, BUNDLED)
        for stale in (config, bundled):
            if os.path.exists(stale):
                os.remove(stale)
        lib = os.environ.get("LICSCAN_LIBRARY_FILE")
        if not lib and in_source_tree() and os.environ.get("LICSCAN_SYSTEM_LIBRARY") != "1":
            lib = build_library()
        if lib:
            print(f"licscan: bundling {lib} as licscan/{BUNDLED}", file=sys.stderr)
            shutil.copyfile(lib, bundled)
            os.chmod(bundled, 0o755)
            return
        found = installed_library()
        if not found and os.environ.get("LICSCAN_SYSTEM_LIBRARY") != "1":
            sys.exit("licscan: no C library to bundle or link: build from the licscan "
                     "source tree, set LICSCAN_LIBRARY_FILE, install licscan where "
                     "pkg-config finds it, or set LICSCAN_SYSTEM_LIBRARY=1 to rely on "
                     "the system loader at run time")
        with open(config, "w", encoding="utf-8") as f:
            f.write(f"# Written by setup.py: the installed library found at build time.\n"
                    f"LIBRARY = {found!r}\n")


class BinaryDistribution(Distribution):
    """The wheel holds a shared library: it is tied to the platform (not to
    a Python ABI: ctypes needs none)."""

    def has_ext_modules(self):
        return True


cmdclass = {"build_py": BuildPy}
try:
    from wheel.bdist_wheel import bdist_wheel

    class BdistWheel(bdist_wheel):
        def get_tag(self):
            return ("py3", "none", super().get_tag()[2])

    cmdclass["bdist_wheel"] = BdistWheel
except ImportError:
    pass

setup(version=version(), cmdclass=cmdclass, distclass=BinaryDistribution)
