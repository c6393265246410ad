"""Production: DEBUG off and the web hardening `check --deploy` asks for.

Every outside system must be configured with its real adapter by environment variable (see
`.env.example` and README, "Going live"); until then no web, worker or beat process starts
(config/startup.py). DEBUG cannot be switched on here.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]  # required; read directly (see base.py)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Staff must confirm every login with a TOTP code (accounts.middleware.StaffSecondFactorMiddleware).
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=True)
# E-mail over SMTP with verified STARTTLS (notifications.smtp; the relay's settings in base.py).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="notifications.smtp.VerifiedSmtpBackend")
