#!/usr/bin/env bash
# make prodlike: the production profile on this machine. Every outside system is a simulator of
# its real protocol on loopback (manage.py run_simulators: SSBTEK, Navet, the e-ID broker, BankID,
# the SMS gateway, the print service's SFTP, the mail relay, the virus scanner), with a
# certificate authority made at start; the web (gunicorn over TLS), a Celery worker and beat run
# with config.settings.production on PostgreSQL and Redis, and no fake anywhere: the deploy checks
# run at WARNING level before anything starts. Stops everything on Ctrl-C or SIGTERM.
#
#   PRODLIKE_DIR   state folder (certificates, files, logs)   default /tmp/bistand-prodlike
#   PRODLIKE_PORT  the web's HTTPS port                        default 8443
#   PRODLIKE_SIMULATOR_PORT  first simulator port              default 9400
#   PRODLIKE_DB / PRODLIKE_REDIS_DB                            default bistand_prodlike / 7
#   PGHOST, PGUSER, PGPASSWORD, PRODLIKE_REDIS_URL             other database and Redis servers
#   PRODLIKE_BIND  the address gunicorn listens on             default 127.0.0.1
#   PRODLIKE_DEMO=0 skips the demo data (municipalities, staff, applicants); =staff loads all but
#                  the demo applications
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
[ -x "$VENV/bin/python" ] || VENV=$(dirname "$(dirname "$(command -v python3)")")  # a container
PY="$VENV/bin/python"
STATE=$(realpath -m "${PRODLIKE_DIR:-/tmp/bistand-prodlike}")
WEB_PORT=${PRODLIKE_PORT:-8443}
SIMULATOR_PORT=${PRODLIKE_SIMULATOR_PORT:-9400}
DB=${PRODLIKE_DB:-bistand_prodlike}
REDIS_DB=${PRODLIKE_REDIS_DB:-7}
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}

rm -rf "$STATE"
mkdir -p "$STATE/logs"
pids=()
stop_all() {
    trap - EXIT INT TERM
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap stop_all EXIT INT TERM
say() { printf '[prodlike] %s\n' "$*"; }

# 1. The simulators, in a process of their own (local settings only to read the test people).
say "starting the simulators (logs: $STATE/logs/simulators.log)"
DJANGO_SETTINGS_MODULE=config.settings.local DATABASE_URL="sqlite:///$STATE/simulators.sqlite3" \
    "$PY" manage.py run_simulators --dir "$STATE/simulators" --env-file "$STATE/simulators.env" \
    --base-port "$SIMULATOR_PORT" --callback-base-url "https://127.0.0.1:$WEB_PORT" \
    >"$STATE/logs/simulators.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
    [ -s "$STATE/simulators.env" ] && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$STATE/logs/simulators.log"; exit 1; }
    sleep 0.2
done
[ -s "$STATE/simulators.env" ] || { say "the simulators did not start"; exit 1; }

# 2. The production profile, configured by environment only.
set -a
# shellcheck disable=SC1091
. "$STATE/simulators.env"
DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')
HEALTH_TOKEN=$("$PY" -c 'import secrets; print(secrets.token_urlsafe(24))')
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL="postgres://$PGUSER${PGPASSWORD:+:$PGPASSWORD}@$PGHOST:5432/$DB"
REDIS_URL="${PRODLIKE_REDIS_URL:-redis://127.0.0.1:6379/$REDIS_DB}"
PRIVATE_MEDIA_ROOT="$STATE/private-media"
STATIC_ROOT="$STATE/static"
DEFAULT_FROM_EMAIL="Trelleborgs kommun <noreply@trelleborg.example>"
PAYMENT_DEBTOR_NAME="Trelleborgs kommun"
# Each demo municipality's paying account (caseworker.payments.debtors; example accounts).
PAYMENT_DEBTORS='{"1287": {"name": "Trelleborgs kommun", "organisation_number": "212000-1231", "iban": "SE4550000000058398257466", "bic": "ESSESESS", "clearing": "5839", "account": "8257466"}, "1263": {"name": "Svedala kommun", "organisation_number": "212000-1223", "iban": "SE7160000000000123456789", "bic": "HANDSESS"}}'
set +a
# Everything a manage.py command needs to act on this installation, e.g.
#   (set -a; . /tmp/bistand-prodlike/prodlike.env; .venv/bin/python manage.py shell)
{
    cat "$STATE/simulators.env"
    for name in DJANGO_SETTINGS_MODULE SECRET_KEY HEALTH_TOKEN ALLOWED_HOSTS DATABASE_URL REDIS_URL \
        PRIVATE_MEDIA_ROOT STATIC_ROOT DEFAULT_FROM_EMAIL PAYMENT_DEBTOR_NAME PAYMENT_DEBTORS; do
        printf '%s=%q\n' "$name" "${!name}"
    done
    printf 'WEB_URL=https://127.0.0.1:%s\n' "$WEB_PORT"
} >"$STATE/prodlike.env"
chmod 600 "$STATE/prodlike.env"

# A fresh database and Redis database (Python clients: the container has no psql or redis-cli).
"$PY" - "$DB" <<'PYTHON'
import os, sys
import psycopg, redis
from psycopg import sql
with psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True) as db:
    db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(sys.argv[1])))
    db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(sys.argv[1])))
redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
PYTHON

say "deploy checks at WARNING level"
"$PY" manage.py check --deploy --fail-level WARNING
"$PY" manage.py migrate --noinput >"$STATE/logs/migrate.log"
"$PY" manage.py collectstatic --noinput >"$STATE/logs/collectstatic.log"

# 3. Web over TLS (the simulator CA's server certificate), a worker and beat.
PKI="$STATE/simulators/pki"
say "starting gunicorn on https://127.0.0.1:$WEB_PORT, a worker and beat"
"$VENV/bin/gunicorn" -c config/gunicorn.py config.wsgi:application \
    --bind "${PRODLIKE_BIND:-127.0.0.1}:$WEB_PORT" \
    --certfile "$PKI/server.pem" --keyfile "$PKI/server.key" \
    --timeout 60 --access-logfile "$STATE/logs/access.log" \
    >"$STATE/logs/web.log" 2>&1 &
pids+=($!)
"$VENV/bin/celery" -A config worker -l info -c 2 -n "prodlike@%h" >"$STATE/logs/worker.log" 2>&1 &
pids+=($!)
"$VENV/bin/celery" -A config beat -l info --schedule "$STATE/celerybeat-schedule" \
    >"$STATE/logs/beat.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 150); do
    if curl -fsS --cacert "$PKI/ca.pem" "https://127.0.0.1:$WEB_PORT/health/live" >/dev/null 2>&1; then
        break
    fi
    for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null || { say "a process stopped; see $STATE/logs"; tail -20 "$STATE"/logs/*.log; exit 1; }
    done
    sleep 0.2
done

if [ "${PRODLIKE_DEMO:-1}" != 0 ]; then
    say "demo data (municipalities, staff, applicants through the simulators)"
    demo_args=()
    [ "${PRODLIKE_DEMO:-1}" = staff ] && demo_args=(--without-applications)
    "$PY" manage.py load_demo "${demo_args[@]}" --base-url "https://127.0.0.1:$WEB_PORT" \
        >"$STATE/logs/demo.log" 2>&1 || { cat "$STATE/logs/demo.log"; exit 1; }
    sed -n '/Logins/,$p' "$STATE/logs/demo.log"
fi
touch "$STATE/ready"
say "ready: https://127.0.0.1:$WEB_PORT (CA: $PKI/ca.pem); settings in $STATE/prodlike.env"
say "staff log in with a second factor: manage.py second_factor_activation <username>"
wait -n "${pids[@]}"
say "a process stopped; see $STATE/logs"
exit 1
