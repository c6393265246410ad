"""Settings for every environment. Differences come only from environment variables.

The defaults here are the safe ones: DEBUG off and no outside-system adapter at all (no fake is
a default: production must name its real adapters, or no process starts, see config/startup.py).
`local.py` is the embedded default that `make run` chooses explicitly (DEBUG, SQLite, the fakes
and the test e-ID login); `production.py` adds the web hardening; `test.py` speeds up tests.
Every variable is documented in `.env.example`.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

from config.logging import logging_settings, structlog_configure

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Read directly: django-environ would treat a secret starting with "$" as a reference. No default
# here (local.py and test.py have their own; production.py requires it).
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rules",
    "django_structlog",
    "simple_history",
    # Bottom up (ADR 0012): the shared kernel, then the map of the domain.
    "kernel",
    "accounts",
    "operations",
    "intake",
    "notifications",
    "meetings",
    "eligibility",
    "caseworker",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A NUL character in a parameter: 400 (PostgreSQL cannot store it).
    "accounts.middleware.NullCharacterRefusedMiddleware",
    "accounts.middleware.ExplicitLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The applicant's language, remembered for the notices about their case (#17).
    "accounts.middleware.LanguageRememberedMiddleware",
    "caseworker.audit.middleware.AccessDenialMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.StaffSecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Binds a request id (and the user id) to every log line of the request.
    "django_structlog.middlewares.RequestMiddleware",
    # Who made a change, for the audit history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.RateLimitMiddleware",
    "accounts.middleware.NoStoreForAuthenticatedMiddleware",
    # A POST that lost a race to an identical one gets the case as it is now, not a 500.
    "intake.middleware.StateChangedMiddleware",
    # Last: django-axes answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "accounts.context_processors.environment",
                "accounts.context_processors.security",
                "operations.health.maintenance_banner",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Default: an SQLite file, so `make run` works on a bare machine. Production: PostgreSQL.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions and a busy timeout stop "database is locked" on lock upgrades.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Sessions live in the database: a Redis outage must not log anyone out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:staff_login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "sv"
# Arabic covers the applicant's pages (navigation, labels, help texts), pending translator review.
LANGUAGES = [("sv", "Svenska"), ("en", "English"), ("ar", "العربية")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / env.str("STATIC_ROOT", default="staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Decision letters and payment files: stored outside MEDIA_ROOT and never served by URL; only
# authorising views read them (caseworker.letters.views).
# PRIVATE_MEDIA_ROOT may be absolute or relative to the checkout.
PRIVATE_MEDIA_ROOT = BASE_DIR / env.str("PRIVATE_MEDIA_ROOT", default="private-media")
# Applicants' documents (intake.documents) live in PRIVATE_MEDIA_ROOT/attachments. Every upload
# is scanned by this back-end; NoScanner passes files only where unscanned files are allowed.
ATTACHMENT_SCAN_BACKEND = env.str(
    "ATTACHMENT_SCAN_BACKEND", default="intake.documents.scanning.NoScanner"
)
ATTACHMENT_ALLOW_UNSCANNED = env.bool("ATTACHMENT_ALLOW_UNSCANNED", default=DEBUG)

# --- Payments: each municipality's paying account (#19 item 5) ---------------------------------
# The debtor of each municipality's pain.001 file, as JSON keyed by municipality code:
# {"1287": {"name": ..., "organisation_number": ..., "iban": ..., "bic": ..., optional "bankgiro",
# "clearing", "account"}}; checked by caseworker.payments.debtors (system check bistand.E130-E132,
# `manage.py payment_debtors_check` lists municipalities without one). Read as text so a typo is
# reported by the check, not a traceback. A municipality without an entry gets no payment file.
PAYMENT_DEBTORS = env.str("PAYMENT_DEBTORS", default="")
# The one example account: used only where test integrations are allowed (DEBUG, tests, bench)
# for a municipality missing from PAYMENT_DEBTORS. Never in production.
PAYMENT_DEBTOR_NAME = env.str("PAYMENT_DEBTOR_NAME", default="Kommunen (exempel)")
PAYMENT_DEBTOR_ORGANISATION_NUMBER = env.str(
    "PAYMENT_DEBTOR_ORGANISATION_NUMBER", default="212000-1231"
)
PAYMENT_DEBTOR_IBAN = env.str("PAYMENT_DEBTOR_IBAN", default="SE4550000000058398257466")
PAYMENT_DEBTOR_BIC = env.str("PAYMENT_DEBTOR_BIC", default="ESSESESS")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Web security (#9, docs/adr/0009-web-security.md) -------------------------------------------
# A strict nonce-based CSP: no inline script or style, no eval (htmx runs with allowEval false),
# nothing from another origin, never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# Sessions: idle timeout = SESSION_COOKIE_AGE (renewed on every request), absolute lifetime from
# the login (accounts.middleware.SessionLifetimeMiddleware). The warning shows this long before
# the idle timeout.
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=8 * 60 * 60)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", default=2 * 60)

# Staff second factor: TOTP (django-otp). Required in production; off in development and tests
# unless a test turns it on. Applicants log in with e-ID, which is already two factors.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=False)
OTP_ACTIVATION_HOURS = env.int("OTP_ACTIVATION_HOURS", default=24)  # enrolment code life
OTP_TOTP_ISSUER = "Bistånd"
# django-otp's admin would show every device's key and QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# The client's address (accounts.client.client_ip), for rate limits, lockouts and logs. Behind
# the TLS proxy production assumes, every request comes from the proxy: name the proxies'
# addresses and the header they set. Only a request from a listed proxy has the header read, and
# then the right-most address in it that is not a listed proxy is the client. Unset: REMOTE_ADDR.
TRUSTED_PROXY_IPS = env.list("TRUSTED_PROXY_IPS", default=[])
TRUSTED_PROXY_HEADER = env.str("TRUSTED_PROXY_HEADER", default="X-Forwarded-For")

# Lockout of password logins (django-axes): 10 failures for one username from one client address
# lock that pair for an hour (the address is the real client's, never the proxy's, so one
# attacker cannot lock a caseworker out everywhere). Volume per address and per account is capped
# by the rate limits on the login view.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "accounts.client.client_ip_or_none"
AXES_VERBOSE = False

# Caches: Redis when REDIS_URL is set (shared between processes, atomic incr for the rate
# limits), otherwise per-process memory. Sessions never live here (see SESSION_ENGINE).
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rate limits by URL name (accounts.middleware.RateLimitMiddleware): one or more rules, each
# with its own key and rate; a request over any of them gets 429. Keys: "ip" (the client address,
# see TRUSTED_PROXY_IPS), "user" (the logged-in person, else the address) and "username" (the
# account a login form names, normalised), so a login is limited per address and per account
# separately. Only POSTs count unless "methods" says otherwise. When the shared cache (Redis)
# cannot answer, each process goes on limiting with its own counters and logs the degradation
# (accounts.security.rate_limit_exceeded): an outage never opens logins to guessing, nor closes
# them to everyone.
RATE_LIMITS: dict[str, list[dict[str, str]]] = {
    "accounts:staff_login": [
        {"key": "ip", "rate": "20/m"},
        {"key": "username", "rate": "50/h"},
    ],
    "accounts:otp_verify": [{"key": "user", "rate": "10/m"}],
    "accounts:otp_enroll": [{"key": "user", "rate": "10/m"}],
    "accounts:eid_login": [{"key": "ip", "rate": "20/m"}],
    "accounts:oidc_start": [{"key": "ip", "rate": "20/m", "methods": "GET,POST"}],
    "intake:step_review": [{"key": "user", "rate": "10/m"}],
    "intake:step_attachments": [{"key": "user", "rate": "30/m"}],
    "intake:supplement_upload": [{"key": "user", "rate": "30/m"}],
    # The SMS gateway's delivery reports (signed URLs; a batch of notices reports at once).
    "notifications:sms_delivery_report": [{"key": "ip", "rate": "600/m"}],
}
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)

# --- The robot, Celery and Redis ------------------------------------------------------------
# With REDIS_URL unset the robot runs in-process right after commit (no services needed).
REDIS_URL = env.str("REDIS_URL", default="")
ROBOT_MODE = env.str("ROBOT_MODE", default="celery" if REDIS_URL else "thread")
ROBOT_LEASE_SECONDS = env.int("ROBOT_LEASE_SECONDS", default=300)
# Applications one robot wake-up claims and writes together (1: one at a time). ADR 0011.
ROBOT_BATCH_SIZE = env.int("ROBOT_BATCH_SIZE", default=50)
ROBOT_MAX_ATTEMPTS = env.int("ROBOT_MAX_ATTEMPTS", default=10)
ROBOT_SWEEP_AFTER_SECONDS = env.int("ROBOT_SWEEP_AFTER_SECONDS", default=120)

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 900
_VISIBILITY_TIMEOUT = 3600
# Socket timeouts: a Redis that accepts connections but never answers must not hang a submit.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _VISIBILITY_TIMEOUT,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
CELERY_VISIBILITY_TIMEOUT = _VISIBILITY_TIMEOUT
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# Task modules inside capability packages (Celery autodiscovers only `<app>.tasks`).
CELERY_IMPORTS = [
    "eligibility.robot.tasks",
    "eligibility.robot.sweeper",
    "caseworker.audit.tasks",
    "caseworker.caseload.tasks",
    "caseworker.decisions.tasks",
    "caseworker.letters.tasks",
    "caseworker.payments.tasks",
    "caseworker.workbench.tasks",
]
CELERY_BEAT_SCHEDULE = {
    # Notices and decision delivery (#5): all idempotent.
    "notifications-retry": {"task": "notifications.retry", "schedule": 5 * 60.0},
    "meeting-reminders": {
        "task": "meetings.send_reminders",
        "schedule": crontab(minute=0, hour="10,16"),
    },
    "decisions-escalate-unopened": {
        "task": "caseworker.deliveries_escalate_unopened",
        "schedule": crontab(minute=15),
    },
    "robot-sweep": {"task": "eligibility.robot_sweep", "schedule": 60.0},
    "registers-recheck": {"task": "eligibility.registers_recheck", "schedule": 15 * 60.0},
    "payment-file-daily": {
        "task": "caseworker.payment_file_create",
        "schedule": crontab(minute=0, hour=15, day_of_week="mon-fri"),
    },
    "standing-decision-renewals": {
        "task": "caseworker.standing_decision_renewals",
        "schedule": crontab(minute=5, hour=0, day_of_month=1),
    },
    # Komplettering and kommunicering: a case whose deadline passed resumes by itself.
    "case-pauses-resume": {"task": "caseworker.pauses_resume", "schedule": 15 * 60.0},
    # Ownership (#7): stand-ins start and end, referrals escalate, the silence detector.
    "ownership-stand-ins": {
        "task": "caseworker.stand_ins_apply",
        "schedule": crontab(minute=10, hour="0,7"),
    },
    "ownership-owners-repair": {"task": "caseworker.owners_repair", "schedule": 15 * 60.0},
    "ownership-referrals-escalate": {
        "task": "caseworker.referrals_escalate",
        "schedule": 15 * 60.0,
    },
    "ownership-silence-detect": {
        "task": "caseworker.silence_detect",
        "schedule": crontab(minute=30, hour="8,14"),
    },
    # Operations (#9): the worker's heartbeat for /health/ready, files waiting for the virus
    # scanner, and the nightly retention run (gallring).
    "worker-heartbeat": {"task": "operations.heartbeat", "schedule": 60.0},
    "attachments-rescan": {"task": "intake.attachments_rescan", "schedule": 5 * 60.0},
    "retention-run": {"task": "caseworker.retention_run", "schedule": crontab(minute=30, hour=2)},
    # The queue's count table (#20 c): each key's appended changes merged into one row, and old
    # days into one, so the queue sums a few rows a day.
    "queue-counts-compact": {
        "task": "caseworker.queue_counts_compact",
        "schedule": 5 * 60.0,
    },
    # The print service's receipts: letters handed to the post, or rejected (#19 item 4).
    "print-receipts-collect": {
        "task": "notifications.print_receipts_collect",
        "schedule": 15 * 60.0,
    },
    "email-bounces-collect": {"task": "notifications.email_bounces_collect", "schedule": 5 * 60.0},
}

# --- Registers and e-ID ---------------------------------------------------------------------
# Outside systems are chosen by dotted path, like EMAIL_BACKEND: REGISTER_<SOURCE>,
# EID_PROVIDER and NOTIFICATION_<CHANNEL>. No default here; local.py and test.py default to the
# fakes below. With DEBUG off, every process refuses to start while any of them is unset, a fake
# or the test login (config/startup.py; the system check accounts.checks says the same).
FAKE_REGISTER_BACKENDS = {
    source: f"eligibility.registers.{module}"
    for source, module in (
        ("population", "fake.FakePopulationRegister"),
        ("forsakringskassan", "fake.FakeForsakringskassanRegister"),
        ("csn", "csn.FakeCsnRegister"),
        ("unemployment_fund", "unemployment_fund.FakeUnemploymentFundRegister"),
        ("arbetsformedlingen", "arbetsformedlingen.FakeArbetsformedlingenRegister"),
        ("skatteverket", "skatteverket.FakeSkatteverketRegister"),
        ("transportstyrelsen", "transportstyrelsen.FakeTransportstyrelsenRegister"),
        ("migrationsverket", "migrationsverket.FakeMigrationsverketRegister"),
        ("employer_pay", "employer_pay.FakeEmployerPayRegister"),
    )
}
FAKE_NOTIFICATION_BACKENDS = {
    "sms": "notifications.transports.FakeSmsBackend",
    "email": "notifications.transports.FakeEmailBackend",
    "letter": "notifications.transports.FakeLetterBackend",
}
DEVELOPMENT_EID_PROVIDER = "accounts.eid.DevelopmentEidProvider"


def integrations(
    registers: dict[str, str], notifications: dict[str, str], eid_provider: str
) -> tuple[dict[str, str], dict[str, str], str]:
    """The configured adapters (environment first), with the given defaults ("" = none)."""
    return (
        {s: env.str(f"REGISTER_{s.upper()}", default=registers.get(s, "")) for s in registers},
        {
            c: env.str(f"NOTIFICATION_{c.upper()}", default=notifications.get(c, ""))
            for c in notifications
        },
        env.str("EID_PROVIDER", default=eid_provider),
    )


REGISTER_BACKENDS, NOTIFICATION_BACKENDS, EID_PROVIDER = integrations(
    dict.fromkeys(FAKE_REGISTER_BACKENDS, ""), dict.fromkeys(FAKE_NOTIFICATION_BACKENDS, ""), ""
)
# Only the test suite and the benchmark run fakes with DEBUG off (test.py, bench/settings.py).
ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG = False
# --- Signing: BankID relying-party API v6 (#19 item 3) ----------------------------------------
# The application and a partner's consent are signed through SIGNING_PROVIDER (dotted path):
# accounts.signing.BankIdSigning in production; local.py and test.py default to
# DEVELOPMENT_SIGNING_PROVIDER (the click is the signature), which DEBUG off refuses. BankID: the
# RP API's base address (test: https://appapi2.test.bankid.com/rp/v6.0), the municipality's RP
# certificate and key (PEM) and the authority BankID's server certificate is checked against.
DEVELOPMENT_SIGNING_PROVIDER = "accounts.signing.DevelopmentSigning"
SIGNING_PROVIDER = env.str("SIGNING_PROVIDER", default="")
BANKID_URL = env.str("BANKID_URL", default="")
BANKID_CLIENT_CERT = env.str("BANKID_CLIENT_CERT", default="")
BANKID_CLIENT_KEY = env.str("BANKID_CLIENT_KEY", default="")
BANKID_CA_FILE = env.str("BANKID_CA_FILE", default="")
BANKID_TIMEOUT_SECONDS = env.float("BANKID_TIMEOUT_SECONDS", default=10.0)
# One look-up: deadline (seconds, counted from the start of an application's look-ups),
# retries of RegisterUnavailable with jittered backoff (0.1 s, 0.2 s ...), a circuit breaker per
# register (fail_max failed calls in a row open it for reset seconds; 0 turns it off), and the
# size of the per-process thread pool shared by all look-ups.
REGISTER_TIMEOUT_SECONDS = env.float("REGISTER_TIMEOUT_SECONDS", default=10.0)
REGISTER_RETRIES = env.int("REGISTER_RETRIES", default=2)
REGISTER_RETRY_BACKOFF_SECONDS = env.float("REGISTER_RETRY_BACKOFF_SECONDS", default=0.1)
REGISTER_BREAKER_FAIL_MAX = env.int("REGISTER_BREAKER_FAIL_MAX", default=5)
REGISTER_BREAKER_RESET_SECONDS = env.float("REGISTER_BREAKER_RESET_SECONDS", default=60.0)
REGISTER_MAX_WORKERS = env.int("REGISTER_MAX_WORKERS", default=64)
# Fakes only (see eligibility/registers/simulation.py): delay "0", "150" (ms) or
# "per_person:50-300"; REGISTER_FAKE_DELAY_MS is the older fixed delay and wins when non-zero;
# a JSON control file for failure injection across processes; in-process failures by source.
REGISTER_FAKE_DELAY = env.str("REGISTER_FAKE_DELAY", default="0")
REGISTER_FAKE_DELAY_MS = env.int("REGISTER_FAKE_DELAY_MS", default=0)
REGISTER_FAKE_CONTROL_FILE = env.str("REGISTER_FAKE_CONTROL_FILE", default="")
REGISTER_FAKE_FAILURES: dict[str, str] = {}
# --- Navet: the population register (#19 item 2) ------------------------------------------------
# REGISTER_POPULATION=eligibility.registers.navet.NavetPopulationRegister asks Skatteverket's
# Navet (ePersondata, Personpost) over SOAP with mutual TLS: the service address, the
# municipality's organisation certificate and key (PEM), the authority Navet's server certificate
# is checked against ("" = the system's), the municipality's organisationsnummer and the order
# identity (beställningsidentitet) Skatteverket issued for this use. Timeouts follow the look-up
# deadline (REGISTER_TIMEOUT_SECONDS). The system check eligibility.registers.navet_checks (E12x)
# says what is missing.
NAVET_URL = env.str("NAVET_URL", default="")
NAVET_CLIENT_CERT = env.str("NAVET_CLIENT_CERT", default="")
NAVET_CLIENT_KEY = env.str("NAVET_CLIENT_KEY", default="")
NAVET_CA_FILE = env.str("NAVET_CA_FILE", default="")
NAVET_ORGANISATION_NUMBER = env.str("NAVET_ORGANISATION_NUMBER", default="")
NAVET_ORDER_IDENTITY = env.str("NAVET_ORDER_IDENTITY", default="")
# --- SSBTEK, Sammansatt bastjänst för ekonomiskt bistånd (#19; eligibility/registers/ssbtek.py) ---
# One SOAP call per person covers Försäkringskassan/Pensionsmyndigheten, CSN, the unemployment
# funds, Arbetsförmedlingen, Skatteverket (incl. employer declarations), Transportstyrelsen and
# Migrationsverket. Mutual TLS with the municipality's organisation certificate (PEM files); the
# server is verified against SSBTEK_CA_FILE, or the system's authorities when it is empty.
SSBTEK_URL = env.str("SSBTEK_URL", default="")
SSBTEK_CLIENT_CERT = env.str("SSBTEK_CLIENT_CERT", default="")
SSBTEK_CLIENT_KEY = env.str("SSBTEK_CLIENT_KEY", default="")
SSBTEK_CA_FILE = env.str("SSBTEK_CA_FILE", default="")
SSBTEK_ORGANISATION_NUMBER = env.str("SSBTEK_ORGANISATION_NUMBER", default="")  # 10 digits
SSBTEK_ORGANISATION_NAME = env.str("SSBTEK_ORGANISATION_NAME", default="")
# syfte and lagtext sent with every look-up, per municipality code, with a "default" entry
# (JSON in the environment; its entries replace the default ones key by key). SoL (2001:453)
# was replaced by Socialtjänstlag (2025:400) from 1 July 2025: the municipality's lawyer
# confirms the provisions before going live (README, "Going live").
SSBTEK_LEGAL_BASIS: dict[str, dict[str, str]] = {
    "default": {
        "syfte": "Handläggning av ekonomiskt bistånd",
        "lagtext": "Socialtjänstlag (2025:400); förordning (2008:975) om uppgiftsskyldighet "
        "i vissa fall enligt socialtjänstlagen",
    },
    **env.json("SSBTEK_LEGAL_BASIS", default={}),
}
# The production profile's registers (every source but the population register, Navet).
SSBTEK_REGISTER_BACKENDS = {
    source: f"eligibility.registers.ssbtek.{name}"
    for source, name in (
        ("forsakringskassan", "SsbtekForsakringskassanRegister"),
        ("csn", "SsbtekCsnRegister"),
        ("unemployment_fund", "SsbtekUnemploymentFundRegister"),
        ("arbetsformedlingen", "SsbtekArbetsformedlingenRegister"),
        ("skatteverket", "SsbtekSkatteverketRegister"),
        ("transportstyrelsen", "SsbtekTransportstyrelsenRegister"),
        ("migrationsverket", "SsbtekMigrationsverketRegister"),
        ("employer_pay", "SsbtekEmployerPayRegister"),
    )
}
# --- Notices to applicants (#5) ---------------------------------------------------------------
# Transports (NOTIFICATION_BACKENDS) are set with the registers above. Letters get the address
# from the population register at send time (notifications.events.postal_address).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=5)
# E-mail (#19 item 4): the municipality's SMTP relay, STARTTLS on 587 with authentication; the
# relay's certificate verified against the system's authorities or EMAIL_CA_FILE.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
EMAIL_CA_FILE = env.str("EMAIL_CA_FILE", default="")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Bistånd <noreply@example.invalid>")
EMAIL_MESSAGE_ID_DOMAIN = env.str("EMAIL_MESSAGE_ID_DOMAIN", default="bistand.invalid")
# Bounces (notifications.bounces): each e-mail's envelope sender is EMAIL_BOUNCE_ADDRESS with
# "+<notice>-<signature>" added; the bounce mailbox is read over POP3 with TLS every 5 minutes and
# an e-mail that bounced falls back to the next channel. Empty: no bounces are read.
EMAIL_BOUNCE_ADDRESS = env.str("EMAIL_BOUNCE_ADDRESS", default="")
EMAIL_BOUNCE_POP3_HOST = env.str("EMAIL_BOUNCE_POP3_HOST", default="")
EMAIL_BOUNCE_POP3_PORT = env.int("EMAIL_BOUNCE_POP3_PORT", default=995)
EMAIL_BOUNCE_POP3_USER = env.str("EMAIL_BOUNCE_POP3_USER", default="")
EMAIL_BOUNCE_POP3_PASSWORD = env.str("EMAIL_BOUNCE_POP3_PASSWORD", default="")
EMAIL_BOUNCE_CA_FILE = env.str("EMAIL_BOUNCE_CA_FILE", default="")
# SMS (#19 item 4): an HTTPS SMS gateway in the manner of 46elks (notifications.sms,
# NOTIFICATION_SMS=notifications.sms.GatewaySmsBackend): POST /a1/sms with basic auth. The sender
# is a name of 3-11 letters and digits (or a number); delivery reports come back to
# SMS_CALLBACK_BASE_URL (this service's public https address), each URL signed with
# SMS_CALLBACK_SECRET (empty: derived from SECRET_KEY). SMS_CA_FILE: the gateway's authority when
# it is not one the system trusts.
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="https://api.46elks.com")
SMS_GATEWAY_USER = env.str("SMS_GATEWAY_USER", default="")
SMS_GATEWAY_SECRET = env.str("SMS_GATEWAY_SECRET", default="")
SMS_SENDER = env.str("SMS_SENDER", default="")
SMS_CALLBACK_BASE_URL = env.str("SMS_CALLBACK_BASE_URL", default="")
SMS_CALLBACK_SECRET = env.str("SMS_CALLBACK_SECRET", default="")
SMS_CA_FILE = env.str("SMS_CA_FILE", default="")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=10.0)
# Letters (#19 item 4): PDFs and a manifest per letter to the print-and-post service over SFTP
# (notifications.print_service, NOTIFICATION_LETTER=notifications.print_service.SftpLetterBackend);
# key-based login, the server's host key pinned in PRINT_SFTP_KNOWN_HOSTS (an OpenSSH known_hosts
# file; required). Receipts are read from PRINT_SFTP_RECEIPTS every 15 minutes and moved to
# PRINT_SFTP_ARCHIVE (never deleted). Letters to people with skyddade personuppgifter go to
# Skatteverket's forwarding address, PRINT_FORWARDING_ADDRESS (lines separated by "|";
# *unverified*: take it from Skatteverket).
PRINT_SFTP_HOST = env.str("PRINT_SFTP_HOST", default="")
PRINT_SFTP_PORT = env.int("PRINT_SFTP_PORT", default=22)
PRINT_SFTP_USER = env.str("PRINT_SFTP_USER", default="")
PRINT_SFTP_KEY_FILE = env.str("PRINT_SFTP_KEY_FILE", default="")
PRINT_SFTP_KNOWN_HOSTS = env.str("PRINT_SFTP_KNOWN_HOSTS", default="")
PRINT_SFTP_INBOX = env.str("PRINT_SFTP_INBOX", default="inkorg")
PRINT_SFTP_RECEIPTS = env.str("PRINT_SFTP_RECEIPTS", default="kvitto")
PRINT_SFTP_ARCHIVE = env.str("PRINT_SFTP_ARCHIVE", default="kvitto/arkiv")
PRINT_SFTP_TIMEOUT_SECONDS = env.float("PRINT_SFTP_TIMEOUT_SECONDS", default=30.0)
PRINT_FORWARDING_ADDRESS = [
    line.strip()
    for line in env.str("PRINT_FORWARDING_ADDRESS", default="").split("|")
    if line.strip()
]
# A posted decision is taken to have arrived this many days after posting (the appeal's three
# weeks count from then unless the person opened it online earlier). Verify with a lawyer.
DECISION_LETTER_ARRIVAL_DAYS = env.int("DECISION_LETTER_ARRIVAL_DAYS", default=3)

# The municipality's e-ID broker over OpenID Connect (EID_PROVIDER=accounts.oidc.OidcEidProvider).
# Endpoints come from the issuer's discovery document unless set one by one. The personnummer is
# read from OIDC_PERSONNUMMER_CLAIM in the verified ID token; the e-ID level must be one of
# OIDC_EID_ACR_VALUES (as `acr`, or among `amr`). See docs/how-to/oidc-e-id.md.
AUTHENTICATION_BACKENDS = [
    # First: django-axes refuses a locked-out username/IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Then: an applicant's account never opens with a password, only with e-ID (#18).
    "accounts.backends.ApplicantPasswordRefused",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions (the predicates in intake.access), checked with user.has_perm(p, obj).
    "rules.permissions.ObjectPermissionBackend",
    "accounts.oidc.EidOidcBackend",
]
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid profile")
OIDC_USE_NONCE = True
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
OIDC_CLOCK_SKEW_SECONDS = env.int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_PERSONNUMMER_CLAIM = env.str(
    "OIDC_PERSONNUMMER_CLAIM", default="https://id.oidc.se/claim/personalIdentityNumber"
)
OIDC_EID_ACR_VALUES = env.list(
    "OIDC_EID_ACR_VALUES",
    default=[
        "http://id.elegnamnden.se/loa/1.0/loa3",
        "http://id.swedenconnect.se/loa/1.0/uncertified-loa3",
    ],
)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
OIDC_REDIRECT_FIELD_NAME = "next"
LOGIN_REDIRECT_URL_FAILURE = "/e-legitimation/?fel=1"

# --- Logs, audit, retention, operations (#9) ---------------------------------------------------
# JSON lines with a request id (django-structlog) or a Celery task id; personnummer masked to the
# birth year and secrets dropped (config/logging.py). The access log is a table, not a log file.
LOGGING = logging_settings(env.str("LOG_LEVEL", default="INFO"))
structlog_configure()
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# django-structlog would take `ip` from X-Forwarded-For as the client wrote it; accounts binds
# accounts.client.client_ip instead (the trusted-proxy rule, TRUSTED_PROXY_IPS).
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False

# Retention (gallring): a personakt is kept this many years after its last entry, then its
# personal data is anonymised; access-log rows are kept their own period. Verify with the
# municipality's dokumenthanteringsplan before production.
RETENTION_CASE_YEARS = env.int("RETENTION_CASE_YEARS", default=5)
RETENTION_ACCESS_LOG_YEARS = env.int("RETENTION_ACCESS_LOG_YEARS", default=2)

# Health: /health/live and /health/ready answer 200/503 to anyone; the details (which check
# failed) only to staff or to a caller sending `X-Health-Token: <HEALTH_TOKEN>` (the platform).
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN", "")
# The worker is taken as alive while its heartbeat (a beat task every minute) is this recent.
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=180)

# A banner on every page ("planned maintenance tonight 22-23"). An admin can also set one in the
# admin (accounts.MaintenanceBanner); the setting wins when non-empty.
MAINTENANCE_BANNER = env.str("MAINTENANCE_BANNER", default="")

# ClamAV (ATTACHMENT_SCAN_BACKEND=intake.documents.scanning.ClamdScanner): clamd's address.
CLAMD_HOST = env.str("CLAMD_HOST", default="127.0.0.1")
CLAMD_PORT = env.int("CLAMD_PORT", default=3310)
CLAMD_SOCKET = env.str("CLAMD_SOCKET", default="")
CLAMD_TIMEOUT_SECONDS = env.float("CLAMD_TIMEOUT_SECONDS", default=30.0)

# --- Ownership of cases (#7, docs/adr/0010-ownership-caseloads-handoffs-silence.md) ---------
# Who gets a newly submitted case, and what an emergency sets off, are events intake announces
# and caseworker answers (intake.events, ADR 0012), not settings.
# An emergency is decided within this many hours of being said (same day).
EMERGENCY_DECISION_HOURS = env.int("EMERGENCY_DECISION_HOURS", default=4)
# Weighted caseload: a case weighs `base` plus what makes it heavier.
CASELOAD_WEIGHTS: dict[str, str | int] = {
    "base": "1.0",
    "first_application": "0.5",
    "open_warning": "0.25",
    "open_warnings_max": 4,
    "children": "0.5",
    "protected_identity": "1.0",
    "interpreter": "0.5",
    "emergency": "0.5",
}
# Ceiling of weighted load per caseworker, unless the municipality or the caseworker sets one.
CASELOAD_CEILING_DEFAULT = env.int("CASELOAD_CEILING_DEFAULT", default=35)
# Hours the receiving side has to acknowledge a referral, by urgency.
REFERRAL_ACKNOWLEDGE_HOURS = {"normal": 24, "urgent": 4, "emergency": 1}
# The silence detector: when the applicant is reminded, and when staff get an outreach task
# (always before anything lapses). See caseworker/caseload/silence.py.
SILENCE = {
    "reapply_history_months": 3,  # "usually re-applies": applied in at least ...
    "reapply_min_months": 2,  # ... this many of the last `reapply_history_months` months
    "reapply_remind_day": 5,  # day of the month: remind the household
    "reapply_outreach_day": 10,  # day of the month: outreach task
    "supplement_remind_days_before": 2,  # days before the supplement deadline
    "supplement_outreach_days_before": 0,  # on the deadline day (and after it, if missed)
    "draft_remind_days_before_month_end": 5,
    "draft_outreach_days_before_month_end": 2,
    "decision_remind_after_days": 2,  # days after the decision was sent, unopened
    "decision_outreach_after_days": 5,
}
