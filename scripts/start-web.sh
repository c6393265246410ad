#!/bin/sh
# The container's web process (Dockerfile CMD): refuse to go on if the deploy checks find an
# error (an outside system unconfigured or fake, the test login, weak web settings), migrate,
# then serve. gunicorn itself refuses unsafe configurations too (config/startup.py).
set -eu
python manage.py check --deploy --fail-level ERROR
python manage.py migrate --noinput
exec gunicorn config.wsgi:application --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${WEB_WORKERS:-3}" --timeout "${WEB_TIMEOUT:-30}"
