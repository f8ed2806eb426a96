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
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)

.PHONY: install run demo-users test lint format check messages compilemessages lock clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	touch $@

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NPM_STAMP) compilemessages

# Needs GNU gettext (msgfmt). Without it, or before any catalogue exists, pages are
# shown in Bokmål, the source language.
compilemessages: $(STAMP)
ifneq ($(PO_FILES),)
	@if command -v msgfmt >/dev/null 2>&1; then \
	  $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0; \
	else \
	  echo "msgfmt not found (apt-get install gettext): translations not compiled" >&2; \
	fi
endif

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_bergen_plans
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Demo caseworkers and a coordinator for trying the workflow locally; prints the
# password unless RUSPLAN_DEMO_PASSWORD is set. Never for production.
demo-users: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_bergen_plans
	$(PY) manage.py create_demo_users

test: install
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

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
