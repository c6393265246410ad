"""The Celery app. Tasks are explicitly named; the beat schedule lives in settings (code)."""

import os

from celery import Celery
from celery.signals import (
    after_setup_logger,
    after_setup_task_logger,
    beat_init,
    task_postrun,
    task_prerun,
    worker_init,
)
from django_structlog.celery.steps import DjangoStructLogInitStep

from config.logging import celery_handlers_to_json
from config.startup import exit_if_unsafe

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("bistand")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Celery's Django fixup closes every database connection after each task unless this is set:
# a new PostgreSQL backend per task, a third of a busy worker's CPU in the bench (#10). The
# connections live as CONN_MAX_AGE says instead; broken or expired ones are dropped around
# every task below, as Django does around every request.
app.conf.CELERY_DB_REUSE_MAX = 10_000
# Task logs carry the task id (django-structlog binds it) and go out as masked JSON.
app.steps["worker"].add(DjangoStructLogInitStep)
after_setup_logger.connect(celery_handlers_to_json, weak=False)
after_setup_task_logger.connect(celery_handlers_to_json, weak=False)


# When the worker or beat starts (config.startup loads the checks only then: this module is
# imported with the config package, before Django's apps are loaded).
def _refuse_unsafe_worker(sender: object = None, **kwargs: object) -> None:
    exit_if_unsafe("Celery worker")


def _refuse_unsafe_beat(sender: object = None, **kwargs: object) -> None:
    exit_if_unsafe("Celery beat")


# Before the worker takes a task or beat sends one (config/startup.py).
worker_init.connect(_refuse_unsafe_worker, weak=False)
beat_init.connect(_refuse_unsafe_beat, weak=False)


def _database_connections_tidy(sender: object = None, **kwargs: object) -> None:
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return  # run in the caller's thread (tests, apply()): its connection is the caller's
    from django.db import close_old_connections

    close_old_connections()


task_prerun.connect(_database_connections_tidy, weak=False)
task_postrun.connect(_database_connections_tidy, weak=False)
