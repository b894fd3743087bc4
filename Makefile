# 干部选任全程纪实 — developer entry points. `make run` and `make test` are all you need.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

# Debian packages: WeasyPrint's libraries, a CJK font for PDFs, Chromium for the browser tests,
# poppler-utils (pdftotext, pdftoppm) for the tests that read PDFs back.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-wqy-microhei chromium poppler-utils

# The embedded default: SQLite file, tasks run in-process, development settings.
EMBEDDED := env -u DATABASE_URL -u REDIS_URL -u DJANGO_ENV

.PHONY: help venv system-deps run test lint format migrations-check

help:
	@echo "make run               migrate the SQLite database, load the demo data, serve on http://127.0.0.1:8000/"
	@echo "make test              run the test suite (PYTEST_ARGS='-k foo' to select)"
	@echo "make lint              ruff check + ruff format --check"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make venv              create .venv and install the dependencies of pyproject.toml"
	@echo "make system-deps       install the Debian packages WeasyPrint and the browser tests need"

venv: $(STAMP)

# Re-install only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

system-deps:
	@missing=""; \
	for pkg in $(SYSTEM_PACKAGES); do \
		dpkg -s "$$pkg" 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$pkg"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else \
		echo "Missing Debian packages:$$missing" >&2; \
		echo "Install them as root:  apt-get install -y$$missing" >&2; \
		exit 1; \
	fi; \
	echo "Installing Debian packages:$$missing"; \
	$$sudo apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing

run: system-deps venv
	$(EMBEDDED) $(BIN)/python manage.py migrate --noinput
	$(EMBEDDED) $(BIN)/python manage.py load_demo
	$(EMBEDDED) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: system-deps venv
	@mkdir -p artifacts
	@$(BIN)/pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc = 5 ]; then echo "ERROR: pytest collected no tests (exit 5): the suite under tests/ is missing or deselected" >&2; fi; \
	exit $$rc

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	$(BIN)/python manage.py makemigrations --check --dry-run
