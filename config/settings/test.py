"""Tests: fast hashing, the robot runs synchronously after commit unless a test says otherwise."""

import os
import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403
from config.settings.base import (
    DATABASES,
    DEVELOPMENT_EID_PROVIDER,
    DEVELOPMENT_SIGNING_PROVIDER,
    FAKE_NOTIFICATION_BACKENDS,
    FAKE_REGISTER_BACKENDS,
    env,
    integrations,
)

SECRET_KEY = "django-insecure-tests-only"  # noqa: S105 - tests only
REGISTER_BACKENDS, NOTIFICATION_BACKENDS, EID_PROVIDER = integrations(
    FAKE_REGISTER_BACKENDS, FAKE_NOTIFICATION_BACKENDS, DEVELOPMENT_EID_PROVIDER
)
SIGNING_PROVIDER = env.str("SIGNING_PROVIDER", default=DEVELOPMENT_SIGNING_PROVIDER)
ATTACHMENT_ALLOW_UNSCANNED = True
# The suite (and its Celery worker processes) runs with DEBUG off and the fakes; the tests of the
# production guard switch this off again (tests/accounts/test_checks.py).
ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ROBOT_MODE = env.str("ROBOT_MODE", default="sync")
# As in production: a wake-up claims the waiting applications in batches (ADR 0011).
ROBOT_BATCH_SIZE = env.int("ROBOT_BATCH_SIZE", default=50)
REGISTER_FAKE_DELAY_MS = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the live server and the robot's thread share it in browser tests.
    # One file per process, so two test runs in one checkout never delete each other's database.
    DATABASES["default"]["TEST"] = {
        "NAME": str(BASE_DIR / f".pytest-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Letters and payment files from tests go to a temporary folder per process, not the checkout.
PRIVATE_MEDIA_ROOT = Path(tempfile.gettempdir()) / f"bistand-private-media-{os.getpid()}"
# django-axes needs the request in authenticate(), which Client.login() does not pass; tests of
# the lockout turn it on (tests/security). Rate limits likewise: the suite logs in many times.
AXES_ENABLED = False
RATE_LIMITS_ENABLED = False
