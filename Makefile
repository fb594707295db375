# The two set-up commands of a fresh clone are `make run` and `make test`; the rest is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export GDDT_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint openapi messages bench worker clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/.installed  ## create the venv, initialise the embedded database with demo data, serve on :8000
	$(BIN)/gddt init
	$(BIN)/gddt demo
	$(BIN)/gddt serve --no-init

test: $(BIN)/.installed  ## lint, types, migrations, OpenAPI drift, then the suite on SQLite and PostgreSQL
	bash scripts/test.sh

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy src/gddt

openapi: $(BIN)/.installed  ## regenerate docs/openapi.json from the code
	GDDT_DATA_DIR=$$(mktemp -d) $(BIN)/gddt export_openapi_schema --api gddt.api.api --indent 2 --sorted > docs/openapi.json

messages: $(BIN)/.installed  ## extract translatable text into the .po files and compile them
	cd src/gddt && ../../$(BIN)/gddt makemessages -l vi --no-obsolete --add-location file && ../../$(BIN)/gddt compilemessages -l vi

bench: $(BIN)/.installed  ## throughput and latency figures, each against a same-run baseline
	$(BIN)/python bench/run.py

worker: $(BIN)/.installed
	$(BIN)/gddt worker

clean:
	rm -rf $(VENV) var
