"""Structured logs: JSON with a request id or task id, no personnummer, no secrets (T59, T56)."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
import structlog
from django.test import Client
from django.urls import reverse

from accounts.models import Municipality, User
from config.logging import UUID_RE, json_formatter, mask_personnummer
from intake.models import Application, Decision
from intake.states import Status
from tests.conftest import PNR_ALVA, PNR_BILAL

pytestmark = pytest.mark.django_db  # the home page lists the municipalities to call (#17)

# Anything shaped like a personnummer: 10 or 12 digits, optionally with - or + before the last 4.
PNR_SHAPE = re.compile(r"(?<![0-9])(\d{2})?\d{6}[-+]?\d{4}(?![0-9])")


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """Every record of every logger, at DEBUG, through the production JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def records(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("200306062381", "2003XXXX-XXXX"),
        ("20030606-2381", "2003XXXX-XXXX"),
        ("030606-2381", "03XXXX-XXXX"),
        ("0306062381", "03XXXX-XXXX"),
        ("191203062381+", "1912XXXX-XXXX+"),
        ("030606+2381", "03XXXX+XXXX"),
        ("sökande 200306062381 ringde", "sökande 2003XXXX-XXXX ringde"),
    ],
)
def test_a_personnummer_keeps_only_the_birth_year(raw: str, masked: str) -> None:
    assert mask_personnummer(raw) == masked


def test_shorter_and_longer_digit_runs_are_left_alone() -> None:
    text = "ärende 123456789, belopp 11220, konto 1234567890123"
    assert mask_personnummer(text) == text


def test_stdlib_records_become_json_with_the_personnummer_masked(captured: io.StringIO) -> None:
    logging.getLogger("intake.test").warning("lookup failed for %s", PNR_ALVA)
    (record,) = records(captured)
    assert record["event"] == "lookup failed for 2003XXXX-XXXX"
    assert record["level"] == "warning"
    assert record["logger"] == "intake.test"
    assert str(record["timestamp"]).endswith("Z")  # UTC
    assert PNR_ALVA not in captured.getvalue()


def test_exceptions_are_masked_too(captured: io.StringIO) -> None:
    try:
        raise ValueError(f"no such person {PNR_BILAL}")
    except ValueError:
        logging.getLogger("eligibility.test").exception("register failed")
    text = captured.getvalue()
    assert "ValueError" in text
    assert PNR_BILAL not in text and "2006XXXX-XXXX" in text


def test_secrets_are_dropped_by_key_in_structlog_events(captured: io.StringIO) -> None:
    structlog.get_logger("accounts.test").info(
        "bankid_collect",
        orderRef="131daac9-16c6-4618-beb0-365768f37288",
        qrStartSecret="d28db9a7-4cde-429e-a983-359be676944c",
        password="hunter2",
        extra={"token": "abc", "personnummer": PNR_ALVA, "note": f"pnr {PNR_ALVA}"},
    )
    (record,) = records(captured)
    assert record["orderRef"] == record["qrStartSecret"] == record["password"] == "[bortrensat]"
    assert record["extra"] == {
        "token": "[bortrensat]",
        "personnummer": "[bortrensat]",
        "note": "pnr 2003XXXX-XXXX",
    }
    for secret in ("131daac9", "d28db9a7", "hunter2", PNR_ALVA):
        assert secret not in captured.getvalue()


def test_stdlib_extra_fields_are_masked(captured: io.StringIO) -> None:
    logging.getLogger("intake.test").info("x", extra={"who": PNR_ALVA, "password": "p"})
    (record,) = records(captured)
    assert record["who"] == "2003XXXX-XXXX" and record["password"] == "[bortrensat]"


def test_a_task_id_bound_by_the_worker_is_on_every_line(captured: io.StringIO) -> None:
    """The worker's django-structlog step binds task_id to the context; plain loggers and
    structlog loggers both carry it."""
    task_id = "4bd0c4a7-1234-4567-8901-234567890123"  # all-digit last group: still kept
    structlog.contextvars.bind_contextvars(task_id=task_id)
    try:
        logging.getLogger("eligibility.robot.tasks").warning("retrying")
        structlog.get_logger("eligibility.robot.tasks").info("done")
    finally:
        structlog.contextvars.clear_contextvars()
    assert [r["task_id"] for r in records(captured)] == [task_id, task_id]


def test_a_request_id_sent_by_the_client_cannot_smuggle_a_personnummer(
    client: Client, captured: io.StringIO
) -> None:
    client.get(reverse("home"), HTTP_X_REQUEST_ID=f"x-{PNR_ALVA}")
    assert PNR_ALVA not in captured.getvalue()
    (request_id,) = {r.get("request_id") for r in records(captured)}
    assert UUID_RE.fullmatch(str(request_id))


def test_an_id_that_is_not_a_uuid_is_masked_like_any_value(captured: io.StringIO) -> None:
    structlog.get_logger("x").info("e", request_id=f"x-{PNR_ALVA}")
    assert records(captured)[0]["request_id"] == "x-2003XXXX-XXXX"


def test_a_request_gets_a_request_id_on_its_log_lines(
    client: Client, captured: io.StringIO
) -> None:
    assert client.get(reverse("home")).status_code == 200
    lines = [
        r for r in records(captured) if r.get("logger") == "django_structlog.middlewares.request"
    ]
    assert [r["event"] for r in lines] == ["request_started", "request_finished"]
    assert lines[0]["request_id"] == lines[1]["request_id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", str(lines[0]["request_id"]))


class Journey:
    """A test client that remembers every URL it asked for (and every redirect it was given)."""

    def __init__(self, user: User) -> None:
        self.client = Client()
        self.client.force_login(user)
        self.urls: list[str] = []

    def get(self, url: str, **data: str):
        return self._seen(url, self.client.get(url, data))

    def post(self, url: str, data: dict[str, str]):
        return self._seen(url, self.client.post(url, data))

    def _seen(self, url: str, response):
        self.urls.append(url)
        if response.status_code in (301, 302, 303):
            self.urls.append(response["Location"])
        assert response.status_code < 400, (url, response.status_code)
        return response


def test_a_full_journey_logs_no_personnummer_and_puts_none_in_a_url(
    captured: io.StringIO,
    trelleborg: Municipality,
    applicant: User,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    alva = Journey(applicant)
    started = alva.post(
        reverse("intake:application_start"),
        {"municipality": str(trelleborg.pk), "month": "2026-11"},
    )
    application = Application.objects.get(applicant=applicant)
    assert urlsplit(started["Location"]).path == reverse(
        "intake:step_household", args=[application.pk]
    )
    steps = [
        ("step_household", {"applicant_name": "Alva Andersson"}),
        ("step_housing", {"rent": "6500", "electricity": "300"}),
        ("step_other_costs", {"work_travel": "0"}),
        ("step_incomes", {"salary": "2000"}),
        ("step_assets", {"savings": "0"}),
    ]
    for name, data in steps:
        url = reverse(f"intake:{name}", args=[application.pk])
        alva.get(url)
        alva.post(url, data)
    review = reverse("intake:step_review", args=[application.pk])
    alva.get(review)
    with django_capture_on_commit_callbacks(execute=True):  # the robot runs (sync mode)
        alva.post(review, {"declaration": "on"})
    application.refresh_from_db()
    assert application.status == Status.AWAITING_CASEWORKER

    handler = Journey(caseworker)
    handler.get(reverse("caseworker:queue"))
    case = reverse("caseworker:case_detail", args=[application.pk])
    handler.get(case)
    with django_capture_on_commit_callbacks(execute=True):
        handler.post(
            case,
            {
                "track": "work",
                "outcome": "approved",
                "amount": "8000",
                "reason": "Uppfyller villkoren.",
            },
        )
    assert Decision.objects.get(application=application).outcome == "approved"
    alva.get(reverse("intake:application_detail", args=[application.pk]))
    alva.get(reverse("intake:application_list"))

    lines = captured.getvalue().splitlines()
    finished = [r for r in records(captured) if r["event"] == "request_finished"]
    assert len(finished) >= 15, "the journey's requests were not logged"
    assert all(r.get("request_id") for r in finished)
    # A UUID (request or task id) may end in twelve digits; it is not a personnummer.
    offending = [line for line in lines if PNR_SHAPE.search(UUID_RE.sub("", line))]
    assert offending == []
    for pnr in (PNR_ALVA, PNR_ALVA[2:], f"{PNR_ALVA[:8]}-{PNR_ALVA[8:]}"):
        assert pnr not in captured.getvalue()

    urls = alva.urls + handler.urls
    assert len(urls) >= 20
    assert [url for url in urls if PNR_SHAPE.search(url)] == []


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [([], "203.0.113.9"), (["203.0.113.9"], "198.51.100.4")],
    ids=["forged-header-ignored", "trusted-proxy-header-read"],
)
def test_the_logged_ip_is_the_client_by_the_trusted_proxy_rule(
    captured: io.StringIO, settings, trusted: list[str], expected: str
) -> None:
    """A forged X-Forwarded-For was logged as `ip` (#14 item 11): the logs follow the same rule
    as the rate limits and the lockout (accounts.client.client_ip)."""
    settings.TRUSTED_PROXY_IPS = trusted
    Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.4").get(reverse("home"))
    lines = [r for r in records(captured) if r.get("event") == "request_finished"]
    assert lines and {r.get("ip") for r in lines} == {expected}
