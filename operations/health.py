"""Liveness, readiness and the maintenance banner (#9, SECURITY.md §3.9; ASVS 13.4.5).

/health/live   200 while the process serves requests (no dependencies checked).
/health/ready  200 when the database answers, Redis answers (when configured) and a worker's
               heartbeat is recent; otherwise 503. Anyone gets the status code and "ok"/"fel";
               which check failed and why only a staff session or a caller with the
               `X-Health-Token` header (settings.HEALTH_TOKEN) sees.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.models import STAFF_ROLES
from operations.models import Heartbeat, MaintenanceBanner

logger = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    ms: float


def _timed(name: str, probe: Any) -> Check:
    started = time.monotonic()
    try:
        ok, detail = probe()
    except Exception as exc:  # any failure of a dependency is "not ready", never a 500
        ok, detail = False, f"{type(exc).__name__}: {exc}"[:200]
    return Check(name, ok, detail, round((time.monotonic() - started) * 1000, 1))


def _database() -> tuple[bool, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connection.vendor


def _redis() -> tuple[bool, str]:
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return True, "not configured (robot runs in-process)"
    import redis

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return True, "ping"


def _worker() -> tuple[bool, str]:
    if not getattr(settings, "REDIS_URL", ""):
        return True, "no worker expected (robot runs in-process)"
    beat = Heartbeat.objects.filter(name="worker").first()
    if beat is None:
        return False, "no heartbeat yet"
    age = timezone.now() - beat.at
    limit = timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS)
    return age <= limit, f"last heartbeat {int(age.total_seconds())} s ago"


def readiness_checks() -> list[Check]:
    return [
        _timed("database", _database),
        _timed("redis", _redis),
        _timed("worker", _worker),
    ]


def may_see_details(request: HttpRequest) -> bool:
    token = settings.HEALTH_TOKEN
    sent = request.headers.get("X-Health-Token", "")
    if token and sent and hmac.compare_digest(token.encode(), sent.encode()):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.role in STAFF_ROLES)


@require_GET
@never_cache
def live(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def ready(request: HttpRequest) -> HttpResponse:
    checks = readiness_checks()
    ok = all(check.ok for check in checks)
    if not ok:
        logger.warning("health_not_ready", failed=[check.name for check in checks if not check.ok])
    body: dict[str, Any] = {"status": "ok" if ok else "fel"}
    if may_see_details(request):
        body["checks"] = {
            check.name: {"ok": check.ok, "detail": check.detail, "ms": check.ms} for check in checks
        }
    return JsonResponse(body, status=200 if ok else 503)


BANNER_CACHE_KEY = "maintenance_banner"
BANNER_CACHE_SECONDS = 30


def _banner_row_text() -> str:
    try:
        banner = MaintenanceBanner.objects.filter(active=True).first()
    except Exception:  # the banner must never break a page (e.g. before migrate)
        return ""
    return banner.text if banner is not None else ""


def maintenance_banner(request: HttpRequest) -> dict[str, str]:
    """Context processor: the banner text for base.html. The setting wins over the admin's row;
    the row is read at most every 30 s per cache (the admin clears the key on save)."""
    text = getattr(settings, "MAINTENANCE_BANNER", "")
    if not text:
        try:
            text = cache.get_or_set(BANNER_CACHE_KEY, _banner_row_text, BANNER_CACHE_SECONDS)
        except Exception:  # a cache outage (Redis down) must not break pages
            text = _banner_row_text()
    return {"maintenance_banner": text or ""}


def maintenance_banner_forget() -> None:
    try:
        cache.delete(BANNER_CACHE_KEY)
    except Exception:
        logger.warning("maintenance_banner_cache_unavailable")
