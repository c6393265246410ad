"""Health and readiness (details only for staff or internal callers, T36), the worker heartbeat
and the maintenance banner."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from demo.simulators.clamd import free_port
from operations import health
from operations.models import Heartbeat, MaintenanceBanner
from operations.tasks import heartbeat

TOKEN = "internal-health-token-for-tests"


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def with_worker(settings, monkeypatch: pytest.MonkeyPatch, db: None) -> None:
    """A deployment with Redis and a worker; Redis itself answers (patched: no server here)."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.HEALTH_TOKEN = TOKEN
    monkeypatch.setattr(health, "_redis", lambda: (True, "ping"))


def body(response) -> dict[str, object]:
    return json.loads(response.content)


def test_liveness_is_public_and_says_nothing_more(client: Client) -> None:
    response = client.get(reverse("health_live"))
    assert response.status_code == 200 and body(response) == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readiness_without_redis_configured_is_ok_and_public_gets_no_details(
    client: Client, db: None
) -> None:
    response = client.get(reverse("health_ready"))
    assert response.status_code == 200
    assert body(response) == {"status": "ok"}


def test_a_recent_heartbeat_makes_the_worker_ready(client: Client, with_worker: None) -> None:
    heartbeat()  # what beat sends every minute
    response = client.get(reverse("health_ready"), HTTP_X_HEALTH_TOKEN=TOKEN)
    assert response.status_code == 200
    checks = body(response)["checks"]
    assert {name: check["ok"] for name, check in checks.items()} == {
        "database": True,
        "redis": True,
        "worker": True,
    }


def test_no_heartbeat_is_503_for_everyone_but_only_insiders_learn_why(
    client: Client, with_worker: None, caseworker: User, applicant: User
) -> None:
    public = client.get(reverse("health_ready"))
    assert public.status_code == 503 and body(public) == {"status": "fel"}
    assert body(logged_in(applicant).get(reverse("health_ready"))) == {"status": "fel"}
    wrong = client.get(reverse("health_ready"), HTTP_X_HEALTH_TOKEN="guess")
    assert body(wrong) == {"status": "fel"}
    for response in (
        client.get(reverse("health_ready"), HTTP_X_HEALTH_TOKEN=TOKEN),
        logged_in(caseworker).get(reverse("health_ready")),
    ):
        assert response.status_code == 503
        worker = body(response)["checks"]["worker"]
        assert worker["ok"] is False and worker["detail"] == "no heartbeat yet"


def test_a_stale_heartbeat_is_not_ready(client: Client, with_worker: None, settings) -> None:
    Heartbeat.objects.create(
        name="worker",
        at=timezone.now() - timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS + 5),
    )
    response = client.get(reverse("health_ready"), HTTP_X_HEALTH_TOKEN=TOKEN)
    assert response.status_code == 503
    assert "s ago" in body(response)["checks"]["worker"]["detail"]


def test_redis_down_is_not_ready(client: Client, settings, db: None) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    settings.HEALTH_TOKEN = TOKEN
    heartbeat()
    response = client.get(reverse("health_ready"), HTTP_X_HEALTH_TOKEN=TOKEN)
    assert response.status_code == 503
    checks = body(response)["checks"]
    assert checks["redis"]["ok"] is False and checks["database"]["ok"] is True


def test_without_a_configured_token_no_header_unlocks_details(
    client: Client, with_worker: None, settings
) -> None:
    settings.HEALTH_TOKEN = ""
    assert "checks" not in body(client.get(reverse("health_ready"), HTTP_X_HEALTH_TOKEN=""))


def test_the_heartbeat_task_updates_one_row(db: None) -> None:
    with time_machine.travel("2026-11-18 10:00 +01:00", tick=False):
        heartbeat()
    with time_machine.travel("2026-11-18 10:01 +01:00", tick=False):
        heartbeat()
        assert Heartbeat.objects.get(name="worker").at == timezone.now()
    assert Heartbeat.objects.count() == 1


# --- maintenance banner --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_cached_banner() -> None:
    cache.clear()


def test_a_banner_set_in_settings_is_on_every_page(
    client: Client, settings, applicant: User, caseworker: User
) -> None:
    settings.MAINTENANCE_BANNER = "Planerat underhåll i kväll 22–23."
    pages = [
        (client, reverse("home")),
        (client, reverse("accounts:staff_login")),
        (logged_in(applicant), reverse("intake:application_list")),
        (logged_in(caseworker), reverse("caseworker:queue")),
    ]
    for who, url in pages:
        page = who.get(url).content.decode()
        assert 'class="maintenance-banner"' in page, url
        assert "Planerat underhåll i kväll 22–23." in page, url


def test_an_active_banner_row_from_the_admin_is_shown_and_an_inactive_one_is_not(
    client: Client, db: None
) -> None:
    MaintenanceBanner.objects.create(text="Gammalt meddelande", active=False)
    assert "maintenance-banner" not in client.get(reverse("home")).content.decode()
    MaintenanceBanner.objects.create(text="Störning hos BankID just nu.", active=True)
    health.maintenance_banner_forget()  # what the admin does on save
    assert "Störning hos BankID just nu." in client.get(reverse("home")).content.decode()


def test_no_banner_by_default(client: Client, db: None) -> None:
    assert "maintenance-banner" not in client.get(reverse("home")).content.decode()
