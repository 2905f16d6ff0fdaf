# hb developer entry points. `make demo` and `make test` work on a fresh Debian machine with
# Python 3.11; both create .venv and install every member of the workspace into it, hb-lab
# (plugins-contrib/hb-lab: the lab, `hb lab` and `hb demo`) included.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
WHEELHOUSE := $(VENV)/wheelhouse
TOOLS  := $(VENV)/tools
MEMBERS := ./hookspecs ./hbcore $(wildcard ./plugins-builtin/hb-*) $(wildcard ./plugins-contrib/hb-*)

.PHONY: dev demo test fuzz lint clean dist version

$(BIN)/hb: pyproject.toml hookspecs/pyproject.toml hbcore/pyproject.toml $(wildcard plugins-*/hb-*/pyproject.toml)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(addprefix -e ,$(MEMBERS))
	$(BIN)/pip install --quiet pytest hypothesis ruff mypy "hatchling>=1.27"
	@# twine and matplotlib (bench/plot_failover.py) in a venv of their own: twine pulls rich, which
	@# structlog imports whenever it is installed, and the nodes this venv runs (tests, benches)
	@# must weigh what a production node weighs.
	$(TOOLS)/bin/python -c 'import matplotlib, twine' 2>/dev/null || { { test -x $(TOOLS)/bin/python || $(PYTHON) -m venv $(TOOLS); } && $(TOOLS)/bin/pip install --quiet twine matplotlib; }
	@# The third-party wheels every distribution needs, so that tests install by name offline.
	$(BIN)/python .ci/dist.py requirements > $(VENV)/third-party.txt
	$(BIN)/pip wheel --quiet --wheel-dir $(WHEELHOUSE) --requirement $(VENV)/third-party.txt
	touch $(BIN)/hb

dev: $(BIN)/hb

demo: dev
	$(BIN)/hb --version
	$(BIN)/hb plugins list
	@# git keeps no file modes: check a copy whose authkeys is 0600, as heartbeat demands.
	rm -rf $(VENV)/demo-ha.d && cp -r tests/fixtures/seed/ha.d $(VENV)/demo-ha.d
	chmod 600 $(VENV)/demo-ha.d/authkeys
	$(BIN)/hb check -c $(VENV)/demo-ha.d
	$(BIN)/hb demo

test: dev
	$(BIN)/python -m pytest
	$(MAKE) lint

# Before a release: every property and fuzz test at 10,000 examples, and 100,000 mutated
# real-world configurations through hb check (hours, not minutes).
fuzz: dev
	$(BIN)/python -m pytest -m fuzz --hypothesis-profile=release -q
	$(BIN)/python bench/check_fuzz.py --cases 100000 --seed $$(date +%s)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy hookspecs/src
	MYPYPATH=hookspecs/src:hbcore/src $(BIN)/mypy hbcore/src
	MYPYPATH=hookspecs/src:hbcore/src $(BIN)/mypy plugins-contrib/hb-lab/src
	MYPYPATH=hookspecs/src:hbcore/src $(BIN)/mypy plugins-contrib/hb-ra-ocf/src plugins-contrib/hb-ra-systemd/src
	MYPYPATH=hookspecs/src:hbcore/src $(BIN)/mypy plugins-contrib/hb-export-pacemaker/src
	MYPYPATH=hookspecs/src:hbcore/src $(BIN)/mypy plugins-contrib/hb-exporter-prometheus/src

# Every distribution's sdist and wheel in dist/, reproducible (SOURCE_DATE_EPOCH: the last
# commit's time unless set), checked as PyPI would. Install them by name, offline:
# pip install --find-links dist --find-links $(WHEELHOUSE) hb-cluster (docs/install.md).
dist: dev
	rm -rf dist
	$(BIN)/python .ci/dist.py build dist
	$(TOOLS)/bin/twine check --strict dist/*

# One version for the whole workspace: `make version V=0.3.0` writes it into every pyproject.toml
# (the version and the pins between members) and hbcore.__version__; add its CHANGELOG.md entry.
version:
	@test -n "$(V)" || { echo "usage: make version V=X.Y.Z"; exit 2; }
	$(PYTHON) .ci/dist.py version $(V)

clean:
	rm -rf $(VENV)
