#!/usr/bin/env bash
# The suite, as `make test` (and CI, through .ci/run) runs it, in passes:
#   lint        ruff check, ruff format --check, lint-imports (the dependency rule), mypy,
#               the catalogues complete (scripts/i18n_check.sh)
#   migrations  makemigrations --check
#   sqlite      unit, view and browser tests on the embedded default (SQLite, robot in-process),
#               in random order (pytest-randomly; the seed is printed: TEST_SEED=N repeats it)
#   dates       the tests marked `dates`, once at every moment of tests/clock.py's DATE_MATRIX
#   services    PostgreSQL + a private Redis + real Celery worker processes
# Each pass prints one summary line (counts and seconds); the run fails if any pass failed or ran
# no test. On a bare machine the browser and service tests skip with a printed reason; with
# CI=true they are required and a missing service fails the run.
#
#   scripts/test.sh            every pass (make test)
#   scripts/test.sh fast       unit and view tests only: no browser, no services, no sweeps (make test-fast)
#   scripts/test.sh dates      the date matrix alone (make test-dates)
#   scripts/test.sh sqlite services ...   any passes, in that order
set -uo pipefail
# Compiled modules (and pytest's rewritten test modules) are cached in __pycache__ (ignored by git):
# without them every test process compiles Django and the project again, seconds each.
unset PYTHONDONTWRITEBYTECODE
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
SEED="${TEST_SEED:-$(( (RANDOM << 15) | RANDOM ))}"
WORKERS="${TEST_WORKERS:-2}"  # this machine has two cores; each process gets its own database copy
RESULTS="$(mktemp -d "${TMPDIR:-/tmp}/bistand-test.XXXXXX")"
trap 'rm -rf "$RESULTS"' EXIT
passes=("$@")
[ ${#passes[@]} -eq 0 ] && passes=(lint migrations sqlite dates services)

record() {  # record NAME STARTED RC [JUNIT]
  "$PY" scripts/pass_summary.py record "$RESULTS" "$1" "$((SECONDS - $2))" "$3" ${4:+"$4"}
}

# Every pytest pass: quiet, no cache (a fresh clone has none), a JUnit file for the summary.
pytest_pass() {  # pytest_pass NAME PYTEST-ARGS...
  local name=$1; shift
  local started=$SECONDS
  echo "== $name: pytest $*"
  env -u DATABASE_URL -u REDIS_URL "$PY" -m pytest -q -p no:cacheprovider \
    --junitxml="$RESULTS/$name.xml" "$@"
  record "$name" "$started" $? "$RESULTS/$name.xml"
}

pass_lint() {
  local started=$SECONDS rc=0
  echo "== lint: ruff check . && ruff format --check . && lint-imports && mypy"
  "$VENV/bin/ruff" check . || rc=1
  "$VENV/bin/ruff" format --check . || rc=1
  # the contracts in pyproject.toml; the project root on the path so grimp finds the apps
  PYTHONPATH=. "$VENV/bin/lint-imports" --no-cache || rc=1
  env -u DATABASE_URL "$VENV/bin/mypy" || rc=1
  VENV="$VENV" bash scripts/i18n_check.sh || rc=1  # en and ar complete: 0 untranslated, 0 fuzzy
  record lint "$started" $rc
}

pass_migrations() {
  local started=$SECONDS
  echo "== migrations: makemigrations --check"
  DJANGO_SETTINGS_MODULE=config.settings.test "$PY" manage.py makemigrations --check --dry-run
  record migrations "$started" $?
}

pass_sqlite() {
  pytest_pass sqlite -m "not services" -n "$WORKERS" --dist worksteal -p randomly --randomly-seed="$SEED"
}

pass_fast() {
  # The inner loop tries fewer Hypothesis examples (tests/conftest.py's `fast` profile).
  HYPOTHESIS_PROFILE="${HYPOTHESIS_PROFILE:-fast}" pytest_pass fast -m "not services and not browser and not sweep" -n "$WORKERS" --dist worksteal -p randomly \
    --randomly-seed="$SEED"
}

pass_dates() {
  # Twice the processes: a good part of this pass is browser tests waiting on pages and polls.
  pytest_pass dates -m "dates and not services" --date-matrix -n "$((WORKERS * 2))" --dist worksteal -p randomly \
    --randomly-seed="$SEED"
}

pass_services() {
  # The pass starts its own redis-server (AOF on, data in a temporary directory) on a port of its
  # own, so the fault tests may stop, kill and restart it without touching the machine's Redis.
  local pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bistand}"
  local port="${BISTAND_TEST_REDIS_PORT:-0}"  # 0: a free port, so two runs never share it
  local dir; dir="$(mktemp -d "${TMPDIR:-/tmp}/bistand-redis.XXXXXX")"
  local ctl=("$PY" tests/services/redis_server.py)
  local env_args=(DATABASE_URL="$pg_url")
  local started=$SECONDS
  if ! command -v redis-server >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then
      echo "redis-server is not installed (required in CI: run scripts/ensure_services.sh)"
      record services "$started" 1; return
    fi
    echo "SKIP service tests need redis-server (apt install redis-server); they skip below"
    env_args+=(BISTAND_TEST_REDIS_MISSING="redis-server is not installed")
  elif ! port="$("${ctl[@]}" start "$port" "$dir")"; then
    echo "could not start a private redis-server"
    [ "${CI:-}" = "true" ] && { record services "$started" 1; return; }
    env_args+=(BISTAND_TEST_REDIS_MISSING="could not start redis-server")
  else
    env_args+=(
      REDIS_URL="redis://127.0.0.1:$port/0"
      BISTAND_TEST_REDIS_PORT="$port"
      BISTAND_TEST_REDIS_DIR="$dir"
    )
  fi
  echo "== services: pytest -m services (PostgreSQL $pg_url, Redis port $port)"
  env -u REDIS_URL "${env_args[@]}" "$PY" -m pytest -q -p no:cacheprovider -m services \
    -p randomly --randomly-seed="$SEED" --junitxml="$RESULTS/services.xml"
  local rc=$?
  "${ctl[@]}" stop "$port" "$dir" >/dev/null 2>&1
  rm -rf "$dir"
  record services "$started" $rc "$RESULTS/services.xml"
}

echo "== test order seed: $SEED (TEST_SEED=$SEED scripts/test.sh ${passes[*]} repeats it)"
for name in "${passes[@]}"; do
  case "$name" in
    lint | migrations | sqlite | fast | dates | services) "pass_$name" ;;
    *) echo "unknown pass: $name (lint, migrations, sqlite, fast, dates, services)"; exit 2 ;;
  esac
done
"$PY" scripts/pass_summary.py table "$RESULTS"
