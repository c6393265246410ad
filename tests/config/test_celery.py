"""Every task the beat schedule names exists: a renamed or moved task would otherwise never run
again, silently (task names are strings)."""

from __future__ import annotations

from django.conf import settings

from config.celery import app


def test_every_scheduled_task_is_a_registered_task() -> None:
    app.loader.import_default_modules()  # autodiscovered `tasks` modules and CELERY_IMPORTS
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled - set(app.tasks) == set()


def test_the_robot_and_letter_tasks_are_registered_under_their_names() -> None:
    app.loader.import_default_modules()
    assert {
        "eligibility.process_application",
        "eligibility.robot_sweep",
        "caseworker.render_decision_letter",
        "notifications.send",
        "notifications.send_many",
    } <= set(app.tasks)
