"""Production: DEBUG off, the web hardening `check --deploy` asks for, and the real adapters.

Configured by environment only (`.env.example`, README "Going live"). Every outside system
defaults to its production adapter: SSBTEK for the income registers, Navet for the population
register, the OIDC broker for login, BankID for signatures, the SMS gateway, the SMTP relay, the
print service over SFTP and ClamAV for uploaded documents. Each adapter's own system check says
which address, certificate or secret it still lacks; until none is missing no web, worker or beat
process starts
(config/startup.py). A variable (REGISTER_<SOURCE>, NOTIFICATION_<CHANNEL>, EID_PROVIDER,
SIGNING_PROVIDER) can point one system at another adapter; a fake is still refused. DEBUG cannot
be switched on here.
"""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import env, integrations

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

# The production adapter of every outside system (#19), unless the environment names another.
PRODUCTION_REGISTER_BACKENDS = {
    **SSBTEK_REGISTER_BACKENDS,  # noqa: F405 - every income register through SSBTEK
    "population": "eligibility.registers.navet.NavetPopulationRegister",
}
PRODUCTION_NOTIFICATION_BACKENDS = {
    "sms": "notifications.sms.GatewaySmsBackend",
    "email": "notifications.transports.DjangoEmailBackend",
    "letter": "notifications.print_service.SftpLetterBackend",
}
REGISTER_BACKENDS, NOTIFICATION_BACKENDS, EID_PROVIDER = integrations(
    PRODUCTION_REGISTER_BACKENDS, PRODUCTION_NOTIFICATION_BACKENDS, "accounts.oidc.OidcEidProvider"
)
SIGNING_PROVIDER = env.str("SIGNING_PROVIDER", default="accounts.bankid.BankIdSigning")
# Every uploaded document through ClamAV (CLAMD_HOST/CLAMD_PORT or CLAMD_SOCKET); NoScanner is
# refused here like a fake register (bistand.E008).
ATTACHMENT_SCAN_BACKEND = env.str(
    "ATTACHMENT_SCAN_BACKEND", default="intake.documents.scanning.ClamdScanner"
)
