# python.mk -- the Python package (python/), included by the Makefile.
#
#   make test-python   build the package with pip into a fresh virtual
#                      environment of Debian's python3 (no network, no build
#                      isolation), then run python/tests against the
#                      installed package: the binding, scan_dir against the
#                      CLI, and licscan.dask on a LocalCluster (skipped,
#                      saying so, without python3-distributed)
#   make python-lib    build the shared library and print its path (what
#                      python/setup.py runs when pip builds from this tree)
#
# test-python is in PYTHON_TESTS, which test-asan empties: the package
# loads the shared library, which a sanitizer build cannot be loaded as.

# Debian's interpreter, not whatever python3 comes first on PATH: the
# Debian packages the tests use (setuptools, dask, distributed) are its.
PYTHON_SYSTEM ?= /usr/bin/python3
PY_VENV := $(BUILD)/python-venv

.PHONY: python-lib test-python

python-lib: $(BUILD)/$(SHLIB)
	@echo $(abspath $(BUILD)/$(SHLIB))

test-python: $(BUILD)/$(SHLIB) $(BUILD)/licscan
	rm -rf $(PY_VENV)
	$(PYTHON_SYSTEM) -m venv --system-site-packages $(PY_VENV)
	env -u LICSCAN_LIBRARY PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
	    LICSCAN_LIBRARY_FILE=$(abspath $(BUILD)/$(SHLIB)) \
	    $(PY_VENV)/bin/python -m pip install -q --no-build-isolation --no-index ./python
	cd $(PY_VENV) && env -u LICSCAN_LIBRARY LICSCAN_EXPECT_INSTALLED=1 \
	    LICSCAN_CLI=$(abspath $(BUILD)/licscan) \
	    bin/python -m unittest discover -s $(CURDIR)/python/tests

# What pip's in-tree build leaves in python/ (git ignores it).
.PHONY: clean-python
clean: clean-python
clean-python:
	rm -rf python/build python/src/licscan.egg-info
