# One table of commands. A newcomer needs two: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo serve test test-postgres lint format typecheck migrate export-schema check-schema bench ci clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("rm-graphql needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: $(STAMP) ## create .venv and install rm-graphql with its dev tools

demo: setup ## the main job: a whole program on a fake BambooHR (embedded SQLite), then serve it
	$(BIN)/rm-graphql demo

serve: setup ## serve the API with the current RM_* settings
	$(BIN)/rm-graphql serve

test: setup ## the whole suite (SQLite; PostgreSQL too when RM_TEST_POSTGRES_URL is set)
	$(BIN)/pytest

test-postgres: setup ## the whole suite on SQLite and the local PostgreSQL server
	RM_TEST_POSTGRES_URL=$${RM_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres} \
	RM_REQUIRE_POSTGRES=1 $(BIN)/pytest

lint: setup ## ruff lint and format check
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations

format: setup ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix src tests bench migrations
	$(BIN)/ruff format src tests bench migrations

typecheck: setup ## mypy strict over src/
	$(BIN)/mypy src

migrate: setup ## upgrade the RM_DATABASE_URL database to the newest revision
	$(BIN)/rm-graphql migrate

export-schema: setup ## write schema/schema.graphql from the code
	$(BIN)/rm-graphql export-schema

check-schema: setup ## fail when schema/schema.graphql differs from the code
	$(BIN)/rm-graphql export-schema --check

bench: setup ## run the benchmarks (see docs/benchmarks.md)
	$(BIN)/python -m bench.matching
	$(BIN)/python -m bench.sync
	$(BIN)/python -m bench.jobs
	$(BIN)/python -m bench.kpis
	$(BIN)/python -m bench.graphql
	$(BIN)/python -m bench.graphql.soak

ci: ## what CI runs
	bash .ci/run

clean: ## remove the virtualenv and local databases
	rm -rf $(VENV) var
