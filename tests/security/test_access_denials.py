"""The access log records what was shown; refusals are access denials (security assessment,
item 10; T61/T62).

- A request for an object that ends in 403 or 404 writes one `AccessDenial` (user, URL name,
  path without the query string, the id asked for, the status) and no access-log row.
- A request that shows something writes its access-log row, and no denial.
The IDOR matrix (tests/security/test_idor.py) checks the same for every object URL and attacker.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.response import TemplateResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import User
from caseworker.audit.log import (
    access_denial_record,
    access_log_when_shown,
    requested_object_id,
)
from caseworker.models import AccessAction, AccessDenial, AccessLog
from intake.documents.attachments import attachment_upload
from intake.models import Application, Attachment, ScanStatus
from tests.builders import client_for
from tests.security.conftest import PDF, World


@pytest.fixture
def other_case_attachment(
    world: World, make_draft: Callable[..., Application], django_capture_on_commit_callbacks
) -> Attachment:
    """A document of another case of the same municipality, one the caseworker may open."""
    from intake import services as intake

    applicant = world.outsiders["other_applicant"]
    other = make_draft(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=other, applicant=applicant)
    return attachment_upload(
        application=other,
        kind="rent",
        file=SimpleUploadedFile("annan.pdf", PDF, "application/pdf"),
        uploaded_by=applicant,
    )


def _attachment_url(application: Application, attachment_pk: int) -> str:
    return reverse("caseworker:case_attachment", args=[application.pk, attachment_pk])


def test_another_cases_attachment_is_a_denial_and_not_a_view(
    world: World, other_case_attachment: Attachment
) -> None:
    """The caseworker may open both cases; the attachment id of the second under the first case
    is refused (404) and must not be logged as an attachment viewed on the first."""
    client = client_for(world.caseworker)
    other = other_case_attachment.application
    assert client.get(_attachment_url(other, other_case_attachment.pk)).status_code == 200
    shown = set(AccessLog.objects.values_list("id", flat=True))
    url = _attachment_url(world.application, other_case_attachment.pk)

    response = client.get(url + "?utm=x")

    assert response.status_code == 404
    assert not AccessLog.objects.exclude(id__in=shown).exists()
    assert not AccessLog.objects.filter(
        application=world.application, action=AccessAction.VIEW_ATTACHMENT
    ).exists()
    denial = AccessDenial.objects.get()
    assert (denial.user, denial.url_name, denial.path, denial.object_id, denial.status) == (
        world.caseworker,
        "caseworker:case_attachment",
        url,  # without the query string
        str(other_case_attachment.pk),
        404,
    )


def test_a_missing_or_unscanned_attachment_is_a_denial_and_not_a_view(world: World) -> None:
    client = client_for(world.caseworker)
    missing = _attachment_url(world.application, 999999)
    assert client.get(missing).status_code == 404
    Attachment.objects.filter(pk=world.attachment.pk).update(scan_status=ScanStatus.PENDING)
    assert client.get(_attachment_url(world.application, world.attachment.pk)).status_code == 404

    assert not AccessLog.objects.exists()
    assert list(AccessDenial.objects.order_by("id").values_list("object_id", "status")) == [
        ("999999", 404),
        (str(world.attachment.pk), 404),
    ]


def test_a_shown_attachment_writes_exactly_one_view_attachment_and_no_denial(
    world: World,
) -> None:
    response = client_for(world.caseworker).get(
        _attachment_url(world.application, world.attachment.pk)
    )

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    row = AccessLog.objects.get()
    assert (row.user, row.application, row.action, row.detail) == (
        world.caseworker,
        world.application,
        AccessAction.VIEW_ATTACHMENT,
        "case_attachment",
    )
    assert not AccessDenial.objects.exists()


def test_a_secretary_on_a_caseworker_url_is_a_403_denial(world: World) -> None:
    url = reverse("caseworker:case_detail", args=[world.application.pk])

    response = client_for(world.host).get(url)

    assert response.status_code == 403
    assert not AccessLog.objects.exists()
    denial = AccessDenial.objects.get()
    assert (denial.user, denial.url_name, denial.path, denial.object_id, denial.status) == (
        world.host,
        "caseworker:case_detail",
        url,
        str(world.application.pk),
        403,
    )


def test_every_role_is_logged_when_refused(world: World) -> None:
    """An applicant asking for someone else's application is a denial too."""
    intruder = world.outsiders["other_applicant"]
    url = reverse("intake:application_detail", args=[world.application.pk])
    assert client_for(intruder).get(url).status_code == 404
    denial = AccessDenial.objects.get()
    assert (denial.user, denial.url_name, denial.status) == (
        intruder,
        "intake:application_detail",
        404,
    )


def test_what_is_not_a_refused_request_for_an_object_writes_no_denial(world: World) -> None:
    client = client_for(world.caseworker)
    # Shown: a page of the caseworker's own case.
    assert client.get(reverse("caseworker:case_detail", args=[world.application.pk])).status_code
    # A URL that names no object (nothing matched), and one with a secret instead of an id.
    assert client.get("/finns-inte/").status_code == 404
    assert client.get(reverse("meetings:feed", args=["gissad-token"])).status_code == 404
    # A wrong method is not a refusal of the object.
    assert (
        client.delete(reverse("caseworker:case_detail", args=[world.application.pk])).status_code
        == 405
    )
    # Nobody logged in: sent to log in, no user to record.
    anonymous = Client().get(reverse("caseworker:case_detail", args=[world.application.pk]))
    assert anonymous.status_code == 302
    assert not AccessDenial.objects.exists()


def test_the_id_asked_for_is_the_most_specific_object_id_of_the_url() -> None:
    assert requested_object_id({"pk": 7}) == "7"
    assert requested_object_id({"pk": 7, "attachment_pk": 9}) == "9"
    assert requested_object_id({"application_pk": 7, "pk": 3}) == "3"
    assert requested_object_id({"pk": 7, "step": "hushall"}) == "7"
    assert requested_object_id({"token": "hemlig"}) is None
    assert requested_object_id({}) is None


def test_a_denial_is_a_403_or_a_404(world: World) -> None:
    with pytest.raises(ValueError, match="403 or a 404"):
        access_denial_record(
            user=world.caseworker, url_name="x", path="/x/", object_id="1", status=500
        )
    assert not AccessDenial.objects.exists()


def test_a_page_that_fails_to_render_is_not_logged_as_shown(world: World) -> None:
    request = RequestFactory().get("/")
    response = TemplateResponse(request, "caseworker/finns-inte.html", {})
    access_log_when_shown(
        response,
        user=world.caseworker,
        application=world.application,
        action=AccessAction.VIEW_CASE,
    )
    assert not AccessLog.objects.exists()  # nothing shown yet
    with pytest.raises(Exception, match="finns-inte"):
        response.render()
    assert not AccessLog.objects.exists()


def test_a_rendered_page_is_logged_once_when_rendered(world: World) -> None:
    request = RequestFactory().get("/")
    request.user = world.caseworker
    response = TemplateResponse(request, "404.html", {}, status=200)
    access_log_when_shown(
        response,
        user=world.caseworker,
        application=world.application,
        action=AccessAction.VIEW_CASE,
        detail="case_detail",
    )
    assert not AccessLog.objects.exists()
    response.render()
    assert AccessLog.objects.get().detail == "case_detail"


@pytest.mark.parametrize("status", [403, 404, 500])
def test_a_refused_or_failed_response_is_not_logged_as_shown(world: World, status: int) -> None:
    from django.http import HttpResponse

    access_log_when_shown(
        HttpResponse(status=status),
        user=world.caseworker,
        application=world.application,
        action=AccessAction.VIEW_CASE,
    )
    assert not AccessLog.objects.exists()


def test_the_log_review_counts_denials_per_user(world: World) -> None:
    from datetime import date

    from caseworker.audit.review import log_review

    caseworker, host = world.caseworker, world.host
    intruder: User = world.outsiders["other_applicant"]
    client_for(host).get(reverse("caseworker:case_detail", args=[world.application.pk]))
    client_for(host).get(reverse("caseworker:case_journal", args=[world.application.pk]))
    client_for(caseworker).get(_attachment_url(world.application, 999999))
    client_for(intruder).get(reverse("intake:application_detail", args=[world.application.pk]))

    review = log_review(start=date(2026, 11, 1), end=date(2026, 12, 1))

    assert [(d.user, d.forbidden, d.not_found) for d in review.denials] == [
        (host.username, 2, 0),
        (caseworker.username, 0, 1),
        (f"sökande #{intruder.pk}", 0, 1),
    ]
    text = "\n".join(review.lines())
    assert "Nekade åtkomster per användare (403 ingen behörighet, 404 finns inte): 4" in text
    assert intruder.personnummer not in text and intruder.username not in text
