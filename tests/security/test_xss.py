"""T17: hostile text in every free-text field the applicant or staff can fill stays inert in
pages, htmx partials, the decision letter (HTML and PDF) and notification bodies.

Rather than list the fields (and miss the next one), every free text column of every row of the
case is overwritten with the payload, the way a factory would, and every page that shows them is
read back."""

from __future__ import annotations

import io
from decimal import Decimal

import pypdf
import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from caseworker.decisions.services import decision_record
from caseworker.letters.render import letter_html, letter_pdf
from intake.models import Decision
from notifications.transports import FakeEmailBackend, FakeLetterBackend, FakeSmsBackend
from tests.builders import client_for, warnings_acknowledge_all
from tests.security.conftest import World

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(1)> hx-get="/x" {{7*7}}'
# What must never appear unescaped in HTML.
LIVE = ["<script>alert(1)", "<img src=x", 'hx-get="/x"', "onerror=alert(1)>"]
# Column names that are identifiers, codes or machine values, not text people write.
NOT_FREE_TEXT = (
    "personnummer",
    "token",
    "key",
    "code",
    "reference",
    "path",
    "hash",
    "sha",
    "username",
    "password",
    "email",
    "phone",
    "bank",
    "iban",
    "bic",
    "language",
    "kind",
    "status",
    "role",
    "source",
    "version",
    "channel",
    "slug",
    "step",
    "filename",
    "content_type",
    "mime",
    "security_stamp",
    "outcome",
    "track",
    "attendance",
    "stored_name",
    "ip",
    "action",
)


def free_text_fields(model: type[models.Model]) -> list[str]:
    return [
        f.name
        for f in model._meta.get_fields()
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not f.unique
        and not f.primary_key
        and not any(word in f.name for word in NOT_FREE_TEXT)
    ]


def poison(world: World) -> list[str]:
    """Write PAYLOAD into every free-text column of the case's rows; return what was poisoned."""
    poisoned = []
    for model in apps.get_models():
        if model._meta.app_label not in {
            "accounts",
            "intake",
            "eligibility",
            "caseworker",
            "meetings",
        }:
            continue
        if "historical" in model._meta.model_name:
            continue
        names = free_text_fields(model)
        if not names:
            continue
        rows = model.objects.all()
        if rows.exists():
            rows.update(**dict.fromkeys(names, PAYLOAD))
            poisoned += [f"{model._meta.label}.{name}" for name in names]
    return poisoned


def assert_inert(html: str, where: str) -> None:
    for live in LIVE:
        assert live not in html, f"{live!r} unescaped in {where}"


@pytest.fixture
def decided_world(world: World, django_capture_on_commit_callbacks) -> World:
    world.application.municipality.sample_share = Decimal(0)
    world.application.municipality.save(update_fields=["sample_share"])
    # The hostile warnings are acknowledged (their text goes into the journal too).
    warnings_acknowledge_all(world.application, world.caseworker)
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            track="work",
            application=world.application,
            caseworker=world.caseworker,
            outcome="approved",
            reason="Bistånd enligt norm.",
            provisions=["SoL"],
            decisive_facts=["Inga inkomster"],
        )
    return world


def test_hostile_text_is_inert_in_every_page_and_partial(decided_world: World) -> None:
    world = decided_world
    journal = client_for(world.caseworker).post(
        reverse("caseworker:case_journal", args=[world.application.pk]),
        {"text": PAYLOAD},
        headers={"HX-Request": "true"},
    )
    assert journal.status_code == 200
    assert_inert(journal.content.decode(), "journal partial after posting")
    poisoned = poison(world)
    for expected in (
        "intake.HouseholdMember.name",
        "caseworker.JournalEntry.text",
        "intake.Decision.reason",
    ):
        assert any(p.startswith(expected.rsplit(".", 1)[0]) for p in poisoned), expected
    pk = world.application.pk
    pages = [
        (world.owner, reverse("intake:application_detail", args=[pk]), {}),
        (world.owner, reverse("intake:application_detail", args=[pk]), {"HX-Request": "true"}),
        (world.owner, reverse("intake:application_list"), {}),
        (world.owner, reverse("meetings:applicant_meeting", args=[pk, world.meeting.pk]), {}),
        (world.caseworker, reverse("caseworker:queue"), {}),
        (
            world.caseworker,
            reverse("caseworker:queue"),
            {"HX-Request": "true", "HX-Target": "queue-results"},
        ),
        (world.caseworker, reverse("caseworker:case_detail", args=[pk]), {}),
        (world.host, reverse("meetings:meeting_detail", args=[world.meeting.pk]), {}),
        (world.host, reverse("meetings:day"), {}),
    ]
    for name in ("case_journal", "case_warnings", "case_calculation"):
        pages.append(
            (world.caseworker, reverse(f"caseworker:{name}", args=[pk]), {"HX-Request": "true"})
        )
    shown = 0
    for user, url, headers in pages:
        response = client_for(user).get(url, headers=headers)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert_inert(html, url)
        shown += html.count("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert shown >= 5, "the payload is on the pages, escaped"


def test_hostile_text_is_inert_in_the_decision_letter_and_notifications(
    decided_world: World,
) -> None:
    poison(decided_world)
    decision = Decision.objects.get(application=decided_world.application)
    html = letter_html(decision)
    assert_inert(html, "letter HTML")
    assert "&lt;script&gt;" in html
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(letter_pdf(html))).pages
    )
    assert "<script>alert(1)</script>" in text or "alert(1)" in text  # shown as text, not run
    for backend in (FakeSmsBackend, FakeEmailBackend, FakeLetterBackend):
        for message in backend.outbox:
            assert PAYLOAD not in message.body
            assert "<script>" not in message.body
