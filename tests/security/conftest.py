"""A small world to attack: one household's case with everything hanging off it (attachment,
meeting, mandate), its rightful users, and everyone who must not reach it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
import time_machine
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict

from accounts.mandates import mandate_register
from accounts.models import Mandate, Municipality, Role, User
from intake.documents.attachments import attachment_upload
from intake.models import Application, Attachment
from meetings.models import Meeting
from tests.conftest import PNR_CARINA

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _on_wednesday(frozen_wednesday: time_machine.Traveller) -> time_machine.Traveller:
    """Every security test runs on the suite's working Wednesday morning."""
    return frozen_wednesday


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@dataclass
class World:
    application: Application
    attachment: Attachment
    meeting: Meeting
    mandate: Mandate
    owner: User
    caseworker: User
    host: User
    rightful: dict[str, User]
    outsiders: dict[str, User]


@pytest.fixture
def world(
    submitted_application: Application,
    applicant: User,
    other_applicant: User,
    caseworker: User,
    secretary: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    svedala: Municipality,
) -> World:
    application = submitted_application
    attachment = attachment_upload(
        application=application,
        kind="other",
        file=SimpleUploadedFile("hyresavi.pdf", PDF, "application/pdf"),
        uploaded_by=applicant,
    )
    meeting = Meeting.objects.filter(application=application).first()
    assert meeting is not None, "the robot books the next-day meeting"
    host = meeting.secretary
    mandate = mandate_register(
        representative_personnummer=PNR_CARINA,
        principal_personnummer=applicant.personnummer or "",
        kind="ombud",
        valid_from=date(2026, 11, 1),
        valid_until=None,
        document_reference="Dnr 2026/1",
        registered_by=caseworker,
    )
    admin = User.objects.create_user(
        username="forvaltare", password="x-Long-pass-1", role=Role.ADMIN
    )
    outsiders = {
        "other_applicant": other_applicant,
        "svedala_caseworker": make_staff("svcw", Role.CASEWORKER, svedala),
        "svedala_team_lead": make_staff("svtl", Role.TEAM_LEAD, svedala),
        "svedala_secretary": make_staff("svsec", Role.SECRETARY, svedala),
        "other_secretary": make_staff("sek2", Role.SECRETARY, trelleborg, hours=False),
        "admin": admin,
    }
    rightful = {"owner": applicant, "caseworker": caseworker, "host": host}
    return World(
        application, attachment, meeting, mandate, applicant, caseworker, host, rightful, outsiders
    )


# Tables that record who looked or was refused (access log, access denials, history, lockouts,
# sessions): they may grow on a refused request; everything else must stay exactly as it was.
AUDIT_TABLE_HINTS = (
    "accesslog",
    "accessdenial",
    "historical",
    "axes",
    "session",
    "securityevent",
    "auditevent",
)


# Set by logging in (the test logs every attacker in), not by the request under test.
VOLATILE = frozenset({"last_login"})


def database_fingerprint() -> dict[str, object]:
    """Every row of every project table (audit tables excluded), as plain values."""
    state: dict[str, object] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label not in {
            "accounts",
            "intake",
            "eligibility",
            "caseworker",
            "meetings",
        }:
            continue
        if any(hint in label for hint in AUDIT_TABLE_HINTS):
            continue
        state[label] = sorted(
            repr(sorted((k, v) for k, v in model_to_dict(row).items() if k not in VOLATILE))
            for row in model.objects.all()
        )
    return state


def upload_bytes(name: str, content: bytes, mime: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, mime)
