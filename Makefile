# The README's commands. Each target sets up .venv first when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench bench-store clean

# constraints.txt pins every package to the set the tests passed with: the verdicts depend on
# the parsers' versions (Genie, ntc-templates) and collection on paramiko's internals.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/inspector demo

test: $(STAMP)
	$(BIN)/python -m pytest

# The inspector against the plain Nornir approach on the mock lab, 10 to 1000 chassis, with
# and without latency: about half an hour (bench/bench.py --help; docs/performance.md).
bench: $(STAMP)
	$(BIN)/python bench/bench.py

# The fleet store at 100,000 chassis and 1,000,000 inspections on SQLite: `store add` of a
# 1000-chassis run, history and diff latency; about 3 GB of disk and a few minutes
# (bench/store_bench.py --help; docs/scale.md).
bench-store: $(STAMP)
	$(BIN)/python bench/store_bench.py

lint: $(STAMP)
	$(BIN)/python -m ruff check inspector checks reports mock_devices tests
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) out .pytest_cache
