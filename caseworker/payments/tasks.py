"""Thin Celery task: the banking day's payment file."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from caseworker.payments.services import payment_file_create


@shared_task(name="caseworker.payment_file_create")
def payment_file_create_task() -> int | None:
    """On banking days: the day's pain.001 file with every order that waits to be sent."""
    payment_file = payment_file_create(day=timezone.localdate())
    return payment_file.pk if payment_file else None
