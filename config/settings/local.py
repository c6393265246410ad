"""The embedded default (`make run`): DEBUG on, SQLite, the robot in-process, the fake registers
and transports and the test e-ID login. Chosen explicitly (DJANGO_SETTINGS_MODULE); never the
default of any entry point, which all default to production."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DEVELOPMENT_EID_PROVIDER,
    DEVELOPMENT_SIGNING_PROVIDER,
    FAKE_NOTIFICATION_BACKENDS,
    FAKE_REGISTER_BACKENDS,
    env,
    integrations,
)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-local-development-only")
REGISTER_BACKENDS, NOTIFICATION_BACKENDS, EID_PROVIDER = integrations(
    FAKE_REGISTER_BACKENDS, FAKE_NOTIFICATION_BACKENDS, DEVELOPMENT_EID_PROVIDER
)
SIGNING_PROVIDER = env.str("SIGNING_PROVIDER", default=DEVELOPMENT_SIGNING_PROVIDER)
# Without a virus scanner on a developer's machine, uploads pass unscanned (never in production).
ATTACHMENT_ALLOW_UNSCANNED = env.bool("ATTACHMENT_ALLOW_UNSCANNED", default=True)
