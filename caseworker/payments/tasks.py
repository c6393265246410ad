"""Thin Celery task: the banking day's payment files."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from caseworker.payments.services import payment_files_create


@shared_task(name="caseworker.payment_file_create")
def payment_file_create_task() -> list[int]:
    """On banking days: the day's pain.001 files (one per municipality) with every order that
    waits to be sent."""
    return [payment_file.pk for payment_file in payment_files_create(day=timezone.localdate())]
