#!/usr/bin/env bash
# The whole suite, as `make test` and CI run it.
#  1. lint and migrations check
#  2. unit, view and browser tests on the embedded default (SQLite, robot in-process)
#  3. service tests on PostgreSQL + Redis with a real Celery worker process
# On a bare machine the browser and service tests skip with a printed reason; with CI=true they
# are required and a missing service fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
status=0

echo "== lint (ruff) and migrations check"
"$VENV/bin/ruff" check . || status=1
DJANGO_SETTINGS_MODULE=config.settings.test "$PY" manage.py makemigrations --check --dry-run >/dev/null \
  || { echo "missing migrations"; status=1; }

echo "== unit, view and browser tests (SQLite, robot in-process)"
# Two processes: this machine has two cores; each process has its own SQLite test database.
env -u DATABASE_URL -u REDIS_URL "$PY" -m pytest -m "not services" -q -p no:cacheprovider -n 2
rc=$?; [ $rc -ne 0 ] && status=$rc

echo "== service tests (PostgreSQL, a private Redis, real Celery workers)"
# The pass starts its own redis-server (AOF on, data in a temporary directory) on a port of its
# own, so the fault tests may stop, kill and restart it without touching the machine's Redis.
PG_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/bistand}"
REDIS_PORT="${BISTAND_TEST_REDIS_PORT:-0}"  # 0: a free port, so two runs never share it
REDIS_DIR="$(mktemp -d "${TMPDIR:-/tmp}/bistand-redis.XXXXXX")"
REDIS_CTL=("$PY" tests/services/redis_server.py)
stop_redis() { "${REDIS_CTL[@]}" stop "$REDIS_PORT" "$REDIS_DIR" >/dev/null 2>&1; rm -rf "$REDIS_DIR"; }
service_env=(DATABASE_URL="$PG_URL")
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "${CI:-}" = "true" ]; then
    echo "redis-server is not installed (required in CI: run scripts/ensure_services.sh)"; status=1
  else
    echo "SKIP service tests need redis-server (apt install redis-server); they skip below"
  fi
  service_env+=(BISTAND_TEST_REDIS_MISSING="redis-server is not installed")
elif ! REDIS_PORT="$("${REDIS_CTL[@]}" start "$REDIS_PORT" "$REDIS_DIR")"; then
  echo "could not start a private redis-server on port $REDIS_PORT"
  [ "${CI:-}" = "true" ] && status=1
  service_env+=(BISTAND_TEST_REDIS_MISSING="could not start redis-server on port $REDIS_PORT")
else
  trap stop_redis EXIT
  service_env+=(
    REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
    BISTAND_TEST_REDIS_PORT="$REDIS_PORT"
    BISTAND_TEST_REDIS_DIR="$REDIS_DIR"
  )
fi
started=$SECONDS
env -u REDIS_URL "${service_env[@]}" "$PY" -m pytest -m services -q -p no:cacheprovider
rc=$?; [ $rc -ne 0 ] && status=$rc
echo "service pass: $((SECONDS - started)) s"
stop_redis; trap - EXIT

exit $status
