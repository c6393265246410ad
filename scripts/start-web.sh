#!/bin/sh
# The container's web process (Dockerfile CMD): refuse to go on if the deploy checks find an
# error (an outside system unconfigured or fake, the test login, weak web settings), migrate,
# then serve. gunicorn itself refuses unsafe configurations too (config/startup.py).
set -eu
python manage.py check --deploy --fail-level ERROR
python manage.py migrate --noinput
# The worker model (gthread, WEB_WORKERS × WEB_THREADS) and timeout: config/gunicorn.py.
exec gunicorn -c config/gunicorn.py config.wsgi:application --bind "0.0.0.0:${PORT:-8000}"
