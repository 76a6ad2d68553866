# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := canvas

.PHONY: run test setup db demo system test-system lint bench clean

run: setup db demo
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/flask --app canvas run --host 127.0.0.1 --port 5000

test: setup test-system db
	$(BIN)/ruff check canvas tests bench
	$(BIN)/python -m pytest

setup: system $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

system:
	@bash scripts/system-packages.sh

test-system:
	@bash scripts/system-packages.sh --test

db: $(VENV)/.installed instance/config.py
	$(BIN)/flask --app canvas db upgrade

# A secret key of this install's own, made once (the instance folder is not committed).
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

demo: $(VENV)/.installed
	$(BIN)/flask --app canvas demo load

lint: $(VENV)/.installed
	$(BIN)/ruff check canvas tests bench

bench: setup
	$(BIN)/python bench/autosave.py
	$(BIN)/python bench/pdf.py

clean:
	rm -rf $(VENV) instance .pytest_cache
