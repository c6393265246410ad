# Bistånd: the two commands a newcomer needs are `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: run test test-fast test-dates lint services-up worker beat clean bench bench-quick prodlike

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet ".[dev]"
	touch $@

## make run: virtualenv, install, migrate, demo data, serve on http://127.0.0.1:8000
# The embedded default is chosen here, explicitly: every entry point defaults to production.
LOCAL := DJANGO_SETTINGS_MODULE=config.settings.local

run: $(VENV)/.installed
	$(LOCAL) $(PY) manage.py migrate --noinput
	$(LOCAL) REGISTER_FAKE_DELAY_MS=$${REGISTER_FAKE_DELAY_MS:-1200} $(PY) manage.py load_demo
	$(LOCAL) REGISTER_FAKE_DELAY_MS=$${REGISTER_FAKE_DELAY_MS:-1200} $(PY) manage.py runserver 127.0.0.1:8000

## make test: the whole suite: lint, migrations, unit+view+browser on SQLite in random order, the
## date matrix, and PostgreSQL+Redis+Celery service tests; one summary line per pass
test: $(VENV)/.installed
	VENV=$(VENV) bash scripts/test.sh

## make test-fast: the inner loop, unit and view tests only (no browser, no services)
test-fast: $(VENV)/.installed
	VENV=$(VENV) bash scripts/test.sh fast

## make test-dates: the tests marked `dates` at every moment of tests/clock.py's DATE_MATRIX
test-dates: $(VENV)/.installed
	VENV=$(VENV) bash scripts/test.sh dates

## make lint: ruff, the dependency rule (lint-imports) and mypy, as the lint pass of `make test`
lint: $(VENV)/.installed
	VENV=$(VENV) bash scripts/test.sh lint

## Against local services (see .env.example): a real worker and beat
worker: $(VENV)/.installed
	$(LOCAL) $(VENV)/bin/celery -A config worker -l info -c 2
beat: $(VENV)/.installed
	$(LOCAL) $(VENV)/bin/celery -A config beat -l info

## make prodlike: production settings, every outside system a simulator of its real protocol on
## loopback with TLS, gunicorn + worker + beat on PostgreSQL and Redis; no fake (scripts/prodlike.sh)
prodlike: $(VENV)/.installed
	VENV=$(VENV) bash scripts/prodlike.sh

## make bench / bench-quick: the benchmark (#10) on PostgreSQL (bistand_bench, created and
## dropped), a private Redis, real Celery workers and gunicorn; writes bench/results/latest.*
bench: $(VENV)/.installed
	$(PY) bench/run.py --full $(BENCH_ARGS)
bench-quick: $(VENV)/.installed
	$(PY) bench/run.py --quick $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .pytest-db* staticfiles
