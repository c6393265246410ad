"""Decision letter downloads: the applicant's own letter and the staff copy, both through the
one door (intake.access), as attachments. Staff downloads are written to the access log."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required, caseworker_required
from caseworker.audit.log import access_log_record
from caseworker.letters.render import letter_read
from caseworker.models import AccessAction
from caseworker.models.letters import DecisionLetter
from intake.access import access_application
from intake.models import Application


def _letter_for(application: Application) -> DecisionLetter:
    letter = DecisionLetter.objects.filter(decision__application=application).first()
    if letter is None:
        raise Http404  # no decision yet, or its letter is still being made
    return letter


def _attachment(letter: DecisionLetter, application: Application) -> HttpResponse:
    response = HttpResponse(letter_read(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="beslut-{application.reference}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@applicant_required
def letter_download_applicant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """/ansokan/<pk>/beslut.pdf: applicants see only their own applications' letters."""
    application = access_application(request.user, pk)
    return _attachment(_letter_for(application), application)


@caseworker_required
def letter_download_staff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The case page's copy; staff of another municipality get 404 (the one door)."""
    application = access_application(request.user, pk)
    letter = _letter_for(application)
    response = _attachment(letter, application)
    access_log_record(
        user=request.user,
        application=application,
        action=AccessAction.VIEW_LETTER,
        detail=f"Beslutsbrev {letter.sha256[:12]}",
    )
    return response
