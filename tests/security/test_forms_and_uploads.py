"""T15 mass assignment and T55 uploads (the one door: tests/security/test_door.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from intake.models import Application, Attachment, Decision
from tests.builders import client_for
from tests.security.conftest import World

EXTRA = {
    "status": "approved",
    "amount": "99999",
    "granted_amount": "99999",
    "decided_by": "1",
    "applicant": "999",
    "municipality": "999",
    "owner": "1",
    "protected_identity": "on",
    "robot_attempts": "0",
}

APPLICANT_FORMS = {
    "intake:step_household": {"applicant_name": "Alva Andersson", "lives_with_partner": "no"},
    "intake:step_housing": {"rent": "6500"},
    "intake:step_other_costs": {},
    "intake:step_incomes": {"salary": "1200"},
    "intake:step_assets": {},
    "intake:step_children": {},
    "intake:step_review": {"declaration": "on"},
    "intake:application_changes": {"changed": "no"},
}


def _state(application: Application) -> tuple:
    application.refresh_from_db()
    return (
        application.applicant_id,
        application.municipality_id,
        application.protected_identity,
    )


def test_extra_fields_in_applicant_forms_are_ignored(
    world: World, make_draft: Callable[..., Application]
) -> None:
    other: User = world.outsiders["other_applicant"]
    draft = make_draft(other)
    client = client_for(other)
    before = _state(draft)
    for name, data in APPLICANT_FORMS.items():
        response = client.post(reverse(name, args=[draft.pk]), {**data, **EXTRA})
        assert response.status_code < 500, name
        assert _state(draft) == before, name
        assert Decision.objects.filter(application=draft).count() == 0
        assert draft.status not in {"approved", "rejected", "partly_approved"}, name
    response = client.post(
        reverse("intake:message_post", args=[world.application.pk]), {"body": "x", **EXTRA}
    )
    assert response.status_code == 404  # another's case; and for the owner:
    owner = client_for(world.owner)
    owner.post(reverse("intake:message_post", args=[world.application.pk]), {"body": "x", **EXTRA})
    world.application.refresh_from_db()
    assert world.application.status not in {"approved", "rejected"}
    assert not Decision.objects.filter(application=world.application).exists()


# --- uploads (intake.documents, built in #5) --------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 30
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content", "mime", "reason"),
    [
        ("lon.pdf", EXE, "application/pdf", "program"),
        ("bild.png", HTML, "image/png", "inte en PDF eller en bild"),
        ("arkiv.zip", ZIP, "application/zip", "arkiv"),
        ("stor.pdf", PDF + b"0" * (11 * 1024 * 1024), "application/pdf", "för stor"),
    ],
    ids=["exe_as_pdf", "html_as_png", "zip", "oversized"],
)
def test_hostile_uploads_get_a_clear_error(
    world: World,
    make_draft: Callable[..., Application],
    name: str,
    content: bytes,
    mime: str,
    reason: str,
) -> None:
    other: User = world.outsiders["other_applicant"]
    draft = make_draft(other)
    response = client_for(other).post(
        reverse("intake:step_attachments", args=[draft.pk]),
        {"kind": "other", "file": SimpleUploadedFile(name, content, mime)},
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Attachment.objects.filter(application=draft).exists()


@pytest.mark.parametrize(
    "name",
    ["x.html", "setup.exe", "utan-ändelse", "<img src=x onerror=alert(1)>.html"],
    ids=["html", "exe", "no_extension", "markup_in_name"],
)
def test_a_pdf_under_another_name_is_stored_and_served_as_a_pdf(
    world: World, make_draft: Callable[..., Application], name: str
) -> None:
    """T55 (security assessment item 13): the content decides the extension; the name the
    person gave is kept and shown only as text."""
    from tests.security.conftest import PDF

    other: User = world.outsiders["other_applicant"]
    draft = make_draft(other)
    client = client_for(other)
    response = client.post(
        reverse("intake:step_attachments", args=[draft.pk]),
        {"kind": "other", "file": SimpleUploadedFile(name, PDF, "text/html")},
        follow=True,
    )
    assert response.status_code == 200
    attachment = Attachment.objects.get(application=draft)
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == name
    assert attachment.stored_name.endswith(".pdf") and attachment.stored_name.count(".") == 1
    page = response.content.decode()
    assert "<img src=x" not in page  # the given name is text, never markup
    if name.startswith("<img"):
        assert "&lt;img src=x onerror=alert(1)&gt;.html" in page


def test_a_download_is_an_attachment_with_nosniff_and_a_sandbox(world: World) -> None:
    response = client_for(world.owner).get(
        reverse("intake:attachment_download", args=[world.application.pk, world.attachment.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
