"""Decision letters: content (FL 31–33 §§), a tagged PDF/UA file, rendering after commit, and
download views that only the right people reach."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pypdf
import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.decisions.services import decision_record, line_adjust
from caseworker.letters.render import appeal_deadline, letter_context, letter_html, letter_render
from caseworker.letters.tasks import letter_for_decision_queue
from caseworker.models import AccessAction, AccessLog
from caseworker.models.letters import DecisionLetter
from eligibility.models import Proposal
from intake.models import Application, Decision, DecisionOutcome
from tests.conftest import PASSWORD

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- content ------------------------------------------------------------------------------------


def test_letter_for_an_approval_states_amount_lines_reasons_and_who_decided(
    approved: Decision, caseworker: User
) -> None:
    context = letter_context(approved)
    proposal = Proposal.objects.get(application=approved.application)

    assert context["approved"] is True
    assert "beviljas ekonomiskt bistånd" in context["outcome_text"]
    assert "november 2026" in context["outcome_text"]
    assert context["amount_text"].replace("\u00a0", " ") == (
        f"{int(approved.amount):,} kr".replace(",", " ")
    )
    assert [line["label"] for line in context["lines"]] == [
        line["label"] for line in proposal.lines
    ]
    assert context["reason_paragraphs"] == [
        "Inkomsterna räcker inte till behovet enligt riksnormen."
    ]
    assert context["decisive_facts"] == [  # money as the letter prints it (#16 item 6)
        "Hushållet har inga inkomster",
        "Hyran 6\u00a0000\u00a0kr är skälig",
    ]
    assert context["provisions"] == [  # the approval's default provisions (#16 item 6)
        "Socialtjänstlagen (2025:400), rätten till ekonomiskt bistånd",
        "Socialtjänstförordningen (2025:468) 12 kap. 2–3 §§ (riksnormen)",
    ]
    assert caseworker.display_name() in context["decided_by_text"]
    assert "automatiserat" not in context["decided_by_text"]
    assert context["decided_on"] == "18 november 2026"


def test_a_caseworker_amount_below_the_proposal_shows_the_adjusted_line_not_a_difference(
    submitted_application: Application, decide: Callable[..., Decision], caseworker: User
) -> None:
    """The letter prints the calculation the amount was taken from, the caseworker's adjusted
    line included (#16 item 1), not the robot's lines and an opaque difference."""
    proposal = Proposal.objects.get(application=submitted_application)
    line_adjust(
        application=submitted_application,
        code="rent",
        amount=Decimal(5000),
        reason="Hyresavin visar 5 000 kr.",
        by=caseworker,
    )
    decision = decide(submitted_application, amount=None)

    context = letter_context(decision)

    assert "delvis" in context["outcome_text"]
    assert decision.amount == proposal.amount - 1000
    rent = [line for line in context["lines"] if line["code"] == "rent"]
    assert [line["amount_text"] for line in rent] == ["5\u00a0000\u00a0kr"]
    assert not any("Handläggarens bedömning" in line["label"] for line in context["lines"])


def test_letter_for_a_rejection_says_so_and_still_shows_how_to_appeal(
    submitted_application: Application, decide: Callable[..., Decision]
) -> None:
    decision = decide(
        submitted_application,
        outcome=DecisionOutcome.REJECTED,
        reason="Du har sparade pengar som ska användas först.",
    )

    html = letter_html(decision)

    assert "avslås" in html
    assert "Du har sparade pengar som ska användas först." in html
    assert "förvaltningsrätten" in html
    assert "inom tre veckor från den dag du fick del av beslutet" in html
    assert "Socialnämnden, Trelleborg" in html


def test_the_appeal_deadline_is_three_weeks_from_notification_when_known(
    approved: Decision,
) -> None:
    html = letter_html(approved, notified_on=date(2026, 11, 19))

    assert "senast den 10 december 2026" in html
    assert "inom tre veckor" in html


@pytest.mark.parametrize(
    ("notified", "deadline"),
    [
        (date(2026, 11, 19), date(2026, 12, 10)),  # a Thursday: three weeks later
        (date(2026, 11, 21), date(2026, 12, 14)),  # ends on a Saturday: moves to Monday
        (date(2026, 12, 3), date(2026, 12, 28)),  # ends on Christmas Eve: after the holidays
    ],
)
def test_an_appeal_deadline_on_a_holiday_moves_to_the_next_working_day(
    notified: date, deadline: date
) -> None:
    assert appeal_deadline(notified) == deadline


def test_an_automated_decision_letter_names_the_function_rule_version_and_delegation(
    approved: Decision,
) -> None:
    Decision.objects.filter(pk=approved.pk).update(
        decided_by=None,
        automated_function="Bistånd robot",
        rule_version="riksnorm-2026 / motor 1",
        delegation_reference="SN 2026-03-12 § 41",
    )
    approved.refresh_from_db()

    text = letter_context(approved)["decided_by_text"]

    assert "automatiserat" in text
    assert "Bistånd robot" in text
    assert "regelversion riksnorm-2026 / motor 1" in text
    assert "SN 2026-03-12 § 41" in text
    assert "förvaltningslagen 28 §" in text


def test_the_letter_prints_no_address(approved: Decision) -> None:
    html = letter_html(approved)
    assert "Adress:" not in html
    assert "Gatan" not in html  # the applicant's address is not stored or printed


# --- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_is_tagged_with_language_and_title_and_holds_the_content(
    approved: Decision,
) -> None:
    letter = DecisionLetter.objects.get(decision=approved)
    data = letter.pdf.read()

    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert data.startswith(b"%PDF-")
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "sv"
    assert (
        reader.metadata.title == f"Beslut om ekonomiskt bistånd – {approved.application.reference}"
    )
    text = pdf_text(data)
    assert "Hur du överklagar" in text
    assert "förvaltningsrätten" in text
    assert approved.application.reference in text


def test_the_stored_letter_has_its_checksum_and_lives_outside_media(
    approved: Decision, private_media: Path
) -> None:
    import hashlib

    letter = DecisionLetter.objects.get(decision=approved)
    path = Path(letter.pdf.path)

    assert path.is_relative_to(private_media)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == letter.sha256
    with pytest.raises(ValueError):
        letter.pdf.url  # noqa: B018 (no URL: only the authorising views serve it)


def test_rendering_twice_keeps_one_letter_and_one_file(
    approved: Decision, private_media: Path
) -> None:
    first = DecisionLetter.objects.get(decision=approved)

    again = letter_render(decision_id=approved.pk)

    assert again.pk == first.pk
    assert DecisionLetter.objects.count() == 1
    assert len(list(private_media.rglob("*.pdf"))) == 1


def test_the_letter_is_rendered_after_commit_not_inside_the_transaction(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    with mock.patch("caseworker.letters.tasks.letter_render") as render:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            decision = decision_record(
                track="work",
                application=submitted_application,
                caseworker=caseworker,
                outcome=DecisionOutcome.APPROVED,
                reason="Beviljas.",
            )
        render.assert_not_called()
        for callback in callbacks:
            callback()
    render.assert_called_once_with(decision_id=decision.pk)


def test_in_celery_mode_the_letter_is_queued_as_a_named_task(
    approved: Decision, settings: object, django_capture_on_commit_callbacks: Callable
) -> None:
    from caseworker.letters.tasks import render_decision_letter_task

    settings.ROBOT_MODE = "celery"
    with (
        mock.patch.object(render_decision_letter_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        letter_for_decision_queue(approved)

    delay.assert_called_once_with(approved.pk)
    assert render_decision_letter_task.name == "caseworker.render_decision_letter"
    # The task is idempotent: run again, it returns the stored letter.
    assert render_decision_letter_task(approved.pk) == DecisionLetter.objects.get().pk


# --- downloads ----------------------------------------------------------------------------------


def applicant_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_applicant_downloads_their_letter_as_an_attachment(approved: Decision) -> None:
    application = approved.application
    response = applicant_client(application.applicant).get(
        reverse("application_letter", args=[application.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="beslut-{application.reference}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"%PDF-")


def test_the_status_page_links_to_the_letter(approved: Decision) -> None:
    application = approved.application
    response = applicant_client(application.applicant).get(
        reverse("intake:application_detail", args=[application.pk])
    )
    assert reverse("application_letter", args=[application.pk]) in response.content.decode()


def test_another_applicant_gets_404_for_the_letter(
    approved: Decision, other_applicant: User
) -> None:
    response = applicant_client(other_applicant).get(
        reverse("application_letter", args=[approved.application.pk])
    )
    assert response.status_code == 404


def test_staff_cannot_use_the_applicants_download(approved: Decision, caseworker: User) -> None:
    client = Client()
    client.login(username=caseworker.username, password=PASSWORD)
    response = client.get(reverse("application_letter", args=[approved.application.pk]))
    assert response.status_code == 403


def test_no_letter_yet_is_404(submitted_application: Application) -> None:
    response = applicant_client(submitted_application.applicant).get(
        reverse("application_letter", args=[submitted_application.pk])
    )
    assert response.status_code == 404


def test_staff_download_writes_the_access_log(approved: Decision, caseworker: User) -> None:
    client = Client()
    client.login(username=caseworker.username, password=PASSWORD)
    before = AccessLog.objects.filter(action=AccessAction.VIEW_LETTER).count()

    response = client.get(reverse("caseworker:case_letter", args=[approved.application.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    rows = AccessLog.objects.filter(action=AccessAction.VIEW_LETTER)
    assert rows.count() == before + 1
    row = rows.first()
    assert row.user == caseworker
    assert row.application == approved.application


def test_staff_of_another_municipality_gets_404_and_no_log(
    approved: Decision, make_staff: Callable[..., User], svedala: Municipality
) -> None:
    outsider = make_staff("svedala_hl", Role.CASEWORKER, svedala)
    client = Client()
    client.login(username=outsider.username, password=PASSWORD)

    response = client.get(reverse("caseworker:case_letter", args=[approved.application.pk]))

    assert response.status_code == 404
    assert not AccessLog.objects.filter(user=outsider).exists()


def test_an_applicant_cannot_use_the_staff_download(approved: Decision) -> None:
    response = applicant_client(approved.application.applicant).get(
        reverse("caseworker:case_letter", args=[approved.application.pk])
    )
    assert response.status_code == 403


def test_a_tampered_letter_is_not_served(approved: Decision, caseworker: User) -> None:
    letter = DecisionLetter.objects.get(decision=approved)
    Path(letter.pdf.path).write_bytes(b"%PDF-1.7 changed")
    client = Client(raise_request_exception=False)
    client.login(username=caseworker.username, password=PASSWORD)

    response = client.get(reverse("caseworker:case_letter", args=[approved.application.pk]))

    assert response.status_code == 500
