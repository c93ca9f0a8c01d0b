# Everything a fresh machine needs: `make check` (the main job) and `make test` (the test suite).
# Each target creates the virtual environment .venv on first use and installs the package into it.
PYTHON ?= python3
VENV   := .venv
STAMP  := $(VENV)/.installed-stamp

.PHONY: check test bench docs clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

check: $(STAMP)
	$(VENV)/bin/nctheory check

# One worker per core (pytest-xdist), one test file per worker at a time (module fixtures run once each).
test: $(STAMP)
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider -n auto --dist loadfile
	$(VENV)/bin/python -m proofs_check

# Build the docs (MathJax is copied into the build: no network needed to read them), then, where
# Chromium is installed, check in a headless browser without network that every formula renders.
docs: $(STAMP)
	$(VENV)/bin/sphinx-build -q -b html docs docs/_build/html
	@echo "docs written to docs/_build/html/index.html"
	@if command -v chromium >/dev/null 2>&1; then \
		$(VENV)/bin/python docs/check_offline_math.py docs/_build/html --shots docs/_build/math-shots; \
	else \
		echo "chromium not installed: offline math rendering not checked (apt-get install chromium)"; \
	fi

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/bench_all.py
	$(VENV)/bin/python benchmarks/profile_dense.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
