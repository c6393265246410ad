"""The Celery app. Tasks are explicitly named; the beat schedule lives in settings (code)."""

import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger
from django_structlog.celery.steps import DjangoStructLogInitStep

from config.logging import celery_handlers_to_json

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("bistand")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Task logs carry the task id (django-structlog binds it) and go out as masked JSON.
app.steps["worker"].add(DjangoStructLogInitStep)
after_setup_logger.connect(celery_handlers_to_json, weak=False)
after_setup_task_logger.connect(celery_handlers_to_json, weak=False)


@app.task(name="config.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every minute; a worker running it proves the broker, beat and a worker
    all work. /health/ready reads the row's age."""
    from accounts.models import heartbeat_beat

    heartbeat_beat(name="worker")
