# Rusplan: `make run` serves the app, `make test` runs the whole suite. Both work from a
# fresh clone: they create .venv, install the pinned dependencies and the npm packages.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NPM_STAMP := node_modules/.installed-stamp
PORT ?= 8000
# Extra pytest arguments, e.g. `make test PYTEST_ARGS="-m 'not browser'"`.
PYTEST_ARGS ?=
# Parallel test processes (pytest-xdist); each gets its own test database.
TEST_WORKERS ?= 2
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po) \
  $(wildcard locale_overrides/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run demo-users test reliability bench lint format check messages compilemessages lock clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NPM_STAMP) compilemessages

# Compiles each locale/<lang>/LC_MESSAGES/django.po that is newer than its .mo with
# GNU gettext's msgfmt, as `manage.py compilemessages` would, but without Django: that
# command needs importable settings and a locale/ directory it finds from the current
# directory, or stops with "This script should be run from the Django Git checkout...".
# Without msgfmt (apt-get install gettext), pages are shown in Bokmål.
compilemessages: $(MO_FILES)

%/LC_MESSAGES/django.mo: %/LC_MESSAGES/django.po
	@if command -v msgfmt >/dev/null 2>&1; then \
	  msgfmt --check -o $@ $<; \
	else \
	  echo "msgfmt not found (apt-get install gettext): $< not compiled" >&2; \
	fi

# The server and, when Redis answers, a job worker beside it (scripts/run_dev.sh).
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_bergen_plans
	PY=$(PY) PORT=$(PORT) scripts/run_dev.sh

# Demo caseworkers and a coordinator for trying the workflow locally; prints the
# password unless RUSPLAN_DEMO_PASSWORD is set. Never for production.
demo-users: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_bergen_plans
	$(PY) manage.py create_demo_users

test: install
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Load and fault tests against gunicorn + PostgreSQL + Redis on this machine (not part
# of `make test`): restarts PostgreSQL and stops Redis for a few seconds; see
# scripts/reliability.py. RELIABILITY_ARGS="--phases load" skips the faults.
RELIABILITY_ARGS ?=
reliability: install
	$(PY) scripts/reliability.py $(RELIABILITY_ARGS)

# The benchmark (not part of `make test`): gunicorn + PostgreSQL + Redis with the
# national-scale demo data in database rusplan_bench, load from ab (ApacheBench, from
# Debian's apache2-utils if missing); prints the figures and writes them to
# docs/benchmarks.md. See scripts/bench.py; e.g. BENCH_ARGS="--seconds 20 --no-write".
BENCH_ARGS ?=
bench: install
	@command -v ab >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  apache2-utils >/dev/null; }
	@command -v nginx >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	  nginx >/dev/null; }
	$(PY) scripts/bench.py $(BENCH_ARGS)

# ruff, then the import contracts in pyproject.toml ([tool.importlinter]): no import
# circles, leaves apart, the core in layers (docs/decisions.md, 43).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(STAMP)
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run

# Extract every translatable string into locale/{nn,en}/LC_MESSAGES/django.po.
messages: $(STAMP)
	mkdir -p locale
	$(PY) manage.py makemessages -l nn -l en --ignore=.venv --ignore=node_modules \
	  --ignore=staticfiles --ignore=var --no-obsolete

lock: $(STAMP)
	$(PY) -m pip install --quiet pip-tools
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements.txt requirements.in
	$(VENV)/bin/pip-compile --quiet --strip-extras --no-header --no-emit-index-url --no-emit-find-links -o requirements-dev.txt requirements-dev.in

clean:
	rm -rf $(VENV) node_modules var staticfiles
