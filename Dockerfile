FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY pyproject.toml ./
# EXTRAS="[dev]" for the `simulators` profile of docker-compose.yml (the simulators' SMTP relay).
ARG EXTRAS=""
RUN pip install --no-cache-dir ".${EXTRAS}" && useradd --system --home /app bistand
COPY . .
# Static files only: a throwaway key and host, never used at run time.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
USER bistand
EXPOSE 8000
# Deploy checks and migrations first, then gunicorn (scripts/start-web.sh). The worker and beat
# run `celery -A config worker|beat` (docker-compose.yml); every process refuses an unsafe
# configuration at start (config/startup.py).
CMD ["sh", "scripts/start-web.sh"]
