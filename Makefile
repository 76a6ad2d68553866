# Two commands for a newcomer: `make run` and `make test`; `make serve` as in production.
SHELL := bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := canvas

.PHONY: run serve test test-postgres setup db demo system test-system lint bench clean \
	translations messages

run: setup db demo
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(BIN)/flask --app canvas run --host 127.0.0.1 --port 5000

# Production: gunicorn sized from the CPU count (gunicorn.conf.py), settings from the
# environment (docs/deploy.md). Binds 127.0.0.1:8000 unless BIND says otherwise.
serve: setup db
	$(BIN)/gunicorn --config gunicorn.conf.py 'canvas:create_app()'

# SQLite (with the job tests on RQ against a throwaway redis-server), the browser tests,
# then the non-browser suite again on a throwaway PostgreSQL server.
test: setup test-system tests/lighthouse/node_modules/.installed db
	$(BIN)/ruff check canvas tests bench
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest -n auto -m "not browser"
	$(BIN)/python -m pytest -m browser
	$(MAKE) --no-print-directory test-postgres

# The non-browser suite on PostgreSQL: a cluster made in a temporary folder, on a Unix
# socket only, and removed afterwards whatever the outcome.
test-postgres: setup test-system
	@dir=$$(mktemp -d /tmp/canvas-postgres.XXXXXX); \
	trap 'bash scripts/services.sh postgres stop "$$dir"' EXIT; \
	url=$$(bash scripts/services.sh postgres start "$$dir") || exit 1; \
	echo "PostgreSQL: $$url"; \
	CANVAS_TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest -n auto -m "not browser"

setup: system $(VENV)/.installed translations

# Lighthouse for tests/browser/test_lighthouse.py, at the versions of the lock file.
tests/lighthouse/node_modules/.installed: tests/lighthouse/package-lock.json | test-system
	npm ci --prefix tests/lighthouse --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Compiled gettext catalogues (.mo) are build output, made from the .po files.
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d canvas/translations

# After changing interface text: extract it and merge it into the catalogues to translate.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k gettext_in:2 -k ngettext_in:2,3 -k pgettext_in:2c,3 -k say
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg $(BABEL_KEYWORDS) --add-location=file \
	  --sort-by-file -o canvas/translations/messages.pot .
	$(BIN)/pybabel -q update -i canvas/translations/messages.pot -d canvas/translations \
	  --no-fuzzy-matching --ignore-obsolete

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
	$(BIN)/lint-imports --no-cache

# Each writes its table to standard output; BENCHMARKS.md says how each is read.
bench: setup
	@bash scripts/system-packages.sh --bench
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/autosave.py
	$(BIN)/python bench/saves.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/growth.py
	$(BIN)/python bench/pdf.py
	$(BIN)/python bench/pdf_served.py
	$(BIN)/python bench/signin_memory.py
	$(BIN)/python bench/class.py

clean:
	rm -rf $(VENV) instance .pytest_cache canvas/translations/*/LC_MESSAGES/*.mo
