"""Every process that serves people or runs the robot refuses to start on an unsafe configuration.

`manage.py` runs Django's system checks; gunicorn and Celery do not. So the web (config.wsgi,
config.asgi), the worker and beat (config.celery) call `refuse_unsafe_configuration()` before
they take a single request or task: with DEBUG off, an unconfigured adapter, a fake register or
transport, the test e-ID login (accounts.checks), a real adapter that lacks its address,
certificate or secret (the checks tagged `kernel.checks.INTEGRATIONS`), or a required event that
nothing subscribes to (kernel.E001: an app that handles it is missing) stops the process with the
list.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ImproperlyConfigured

from kernel.events import topics_without_subscribers


class UnsafeConfiguration(ImproperlyConfigured):
    pass


def refuse_unsafe_configuration(process: str) -> None:
    # Here, not at the top: config is imported before Django's apps are loaded, and the checks
    # read models.
    from django.core.checks import run_checks

    from kernel.checks import INTEGRATIONS  # with the checks: kernel.checks imports Django's

    # The test-integration guard (accounts.checks) and every adapter's own configuration check
    # (SSBTEK, Navet, BankID, the transports), each registered with this tag.
    problems = [p for p in run_checks(tags=[INTEGRATIONS]) if p.is_serious()]
    missing = topics_without_subscribers()
    if missing:
        raise UnsafeConfiguration(
            f"Refusing to start the {process}: nothing subscribes to the required events "
            f"{', '.join(missing)} (kernel.E001: an app that handles them is missing)."
        )
    if problems:
        listed = "\n".join(f"  {p.id}: {p.msg}" for p in problems)
        raise UnsafeConfiguration(
            f"Refusing to start the {process}: this configuration would serve people with test "
            f"or missing integrations while DEBUG is off.\n{listed}"
        )


def exit_if_unsafe(process: str) -> None:
    """For Celery's worker_init and beat_init signals, whose receivers' exceptions Celery logs
    and ignores: the refusal ends the process instead (SystemExit is not an Exception)."""
    try:
        refuse_unsafe_configuration(process)
    except UnsafeConfiguration as refusal:
        print(refusal, file=sys.stderr, flush=True)
        raise SystemExit(3) from refusal
