"""The case page: declared beside register, one access-log row per request, a fixed number of
queries whatever the number of warnings, journal entries and events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from caseworker.audit.log import journal_write
from caseworker.caseload.referrals import referral_create
from caseworker.caseload.reminders import reminder_create
from caseworker.decisions.services import decision_record
from caseworker.models import AccessDenial, AccessLog
from caseworker.workbench.case_page import calculation_facts
from eligibility.models import CaseWarning, RegisterSnapshot
from intake.documents.attachments import attachment_upload
from intake.models import Application, ApplicationEvent, Decision, DeclaredIncome
from tests.builders import client_for
from tests.conftest import PNR_ALVA, PNR_CHILD
from tests.titles import page_body, page_title, title_problems

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def case_url_names() -> list[tuple[str, list[str]]]:
    """Every caseworker URL under arende/<pk>/ with the names of its arguments."""
    found = []
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "caseworker":
            for pattern in entry.url_patterns:
                assert isinstance(pattern, URLPattern)
                route = str(pattern.pattern)
                if route.startswith("arende/<int:pk>/"):
                    found.append((pattern.name, list(pattern.pattern.converters)))
    return found


def test_the_enumeration_finds_the_case_page_and_its_actions() -> None:
    names = {name for name, _args in case_url_names()}
    assert {"case_detail", "case_warnings", "case_journal", "case_calculation"} <= names
    assert len(names) >= 10


# Case URLs that are deliberate acts, never a GET (the personnummer reveal, #18).
POST_ONLY = frozenset({"case_personnummer"})


def test_every_get_of_a_case_url_writes_exactly_one_access_log_row(
    submitted_application: Application,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """On a decided case with a document, so that the decision's letter and the attachment
    exist for their URLs too."""
    with django_capture_on_commit_callbacks(execute=True):
        decision_record(
            track="work",
            application=submitted_application,
            caseworker=caseworker,
            outcome="approved",
            reason="Ja.",
        )
    attachment = attachment_upload(
        application=submitted_application,
        kind="rent",
        file=SimpleUploadedFile("hyra.pdf", PDF, "application/pdf"),
        uploaded_by=submitted_application.applicant,
    )
    client = client_for(caseworker)
    for name, args in case_url_names():
        kwargs = {arg: submitted_application.pk if arg == "pk" else attachment.pk for arg in args}
        before = AccessLog.objects.count()
        response = client.get(reverse(f"caseworker:{name}", kwargs=kwargs))
        if name in POST_ONLY:  # a GET is refused before the case is read: nothing logged
            assert response.status_code == 405 and AccessLog.objects.count() == before, name
            continue
        assert response.status_code in (200, 302), (name, response.status_code)
        rows = list(AccessLog.objects.order_by("-id")[: AccessLog.objects.count() - before])
        assert len(rows) == 1, name
        assert (rows[0].user, rows[0].application_id) == (caseworker, submitted_application.pk)
    assert not AccessDenial.objects.exists()


def test_a_case_url_naming_a_missing_object_writes_a_denial_and_no_access_log_row(
    submitted_application: Application, caseworker: User
) -> None:
    """The case is the caseworker's to see; the object under it is not there (404): nothing
    was shown, so the access log says nothing, and the denial says what was asked for."""
    client = client_for(caseworker)
    with_objects = [(name, args) for name, args in case_url_names() if len(args) > 1]
    assert [name for name, _args in with_objects] == ["case_attachment"]
    for name, args in with_objects:
        kwargs = {arg: submitted_application.pk if arg == "pk" else 999999 for arg in args}
        url = reverse(f"caseworker:{name}", kwargs=kwargs)
        assert client.get(url).status_code == 404, name
        assert not AccessLog.objects.exists(), name
        denial = AccessDenial.objects.get(path=url)
        assert (denial.user, denial.object_id, denial.status) == (caseworker, "999999", 404)


def test_an_action_writes_one_change_row(submitted_application: Application, caseworker: User):
    client_for(caseworker).post(
        reverse("caseworker:case_journal", args=[submitted_application.pk]), {"text": "Notering."}
    )
    row = AccessLog.objects.get()
    assert (row.action, row.detail) == ("change", "case_journal")


def test_the_page_shows_declared_beside_register_with_differences_marked(
    submitted_application: Application, caseworker: User
) -> None:
    application = submitted_application
    DeclaredIncome.objects.create(application=application, type="salary", amount=3000)
    Application.objects.filter(pk=application.pk).update(robot_round=7)
    RegisterSnapshot.objects.create(
        application=application,
        source="population",
        round=7,
        status="ok",
        payload={
            "persons": [
                {
                    "personnummer": PNR_ALVA,
                    "found": True,
                    "household": [
                        {"relation": "barn", "personnummer": PNR_CHILD, "name": "Okänt Barn"}
                    ],
                    "payments": [
                        {
                            "kind": "salary",
                            "gross": "5000",
                            "tax": "1000",
                            "net": "4000",
                            "paid_on": "2026-10-25",
                        }
                    ],
                }
            ]
        },
    )
    response = client_for(caseworker).get(reverse("caseworker:case_detail", args=[application.pk]))
    comparison = response.context["comparison"]
    salary = next(r for r in comparison.incomes if r.kind == "salary")
    assert (salary.declared, salary.register, salary.differs) == (3000, 4000, True)
    child = next(m for m in comparison.members if m.personnummer == PNR_CHILD)
    assert (child.declared, child.in_register, child.differs) == (False, True, True)
    html = response.content.decode()
    assert "Okänt Barn" in html and "skiljer sig" in html


def _grow(application: Application, user: User, n: int) -> None:
    CaseWarning.objects.bulk_create(
        CaseWarning(application=application, kind="new_cost", key=f"k{n}-{i}", message=f"V {i}")
        for i in range(n)
    )
    for i in range(n):
        journal_write(application=application, text=f"Anteckning {i}", author=user)
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=application,
            from_status="awaiting_caseworker",
            to_status="awaiting_caseworker",
            actor_kind="caseworker",
            actor=user,
        )
        for _ in range(n)
    )


def test_the_case_page_query_count_does_not_grow_with_the_case(
    submitted_application: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:case_detail", args=[submitted_application.pk])
    client.get(url)  # warm caches (sessions, content types)
    _grow(submitted_application, caseworker, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _grow(submitted_application, caseworker, 27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries][-40:]
    assert len(few) <= 45


# --- the title is a label; the ownership block is on the page (security assessment, item 8) ---


@pytest.fixture
def case_with_ownership_work(
    submitted_application: Application, caseworker: User, secretary: User
) -> Application:
    """An emergency case with an open hand-over and an open reminder."""
    application = submitted_application
    Application.objects.filter(pk=application.pk).update(owner=caseworker, emergency_no_food=True)
    application.refresh_from_db()
    referral_create(
        application=application,
        from_owner=secretary,
        to_owner=caseworker,
        direction="work_to_social",
        reason="Hälsan gör det svårt att arbeta.",
    )
    reminder_create(
        application=application,
        by=caseworker,
        due_on=date(2026, 11, 20),
        text="Ring hyresvärden om skulden",
    )
    return application


def test_the_case_pages_title_is_the_reference_and_a_label_only(
    case_with_ownership_work: Application, caseworker: User, secretary: User
) -> None:
    application = case_with_ownership_work
    html = (
        client_for(caseworker)
        .get(reverse("caseworker:case_detail", args=[application.pk]))
        .content.decode()
    )
    title = page_title(html)
    assert title == f"Ärende {application.reference} – Bistånd"
    names = [
        caseworker.display_name(),
        secretary.display_name(),
        application.applicant.display_name(),
        "Testsson",
    ]
    assert title_problems(title, names=names) == []
    for leak in ("csrfmiddlewaretoken", "Akut ärende", "Ring hyresvärden", "Ansvarig"):
        assert leak not in title


def test_the_ownership_block_is_near_the_top_of_the_case_page_with_its_actions(
    case_with_ownership_work: Application, caseworker: User
) -> None:
    application = case_with_ownership_work
    referral = application.referrals.get()
    reminder = application.reminders.get()
    html = (
        client_for(caseworker)
        .get(reverse("caseworker:case_detail", args=[application.pk]))
        .content.decode()
    )
    body = page_body(html)
    assert body.count('id="case-ownership"') == 1
    block = body.split('id="case-ownership"', 1)[1].split("</section>", 1)[0]
    # Near the top: before the applicant's declared data, the first section of the case.
    assert body.index('id="case-ownership"') < body.index('id="declared-heading"')
    assert f"Ansvarig handläggare: {caseworker.display_name()}" in block
    assert "Akut ärende" in block
    assert f'id="referral-{referral.pk}"' in block
    assert "Ring hyresvärden om skulden" in block
    assert reverse("caseworker:reminder_done", args=[reminder.pk]) in block
    assert reverse("caseworker:reminder_new", args=[application.pk]) in block
    assert reverse("caseworker:referral_new", args=[application.pk]) in block
    assert 'name="csrfmiddlewaretoken"' in block  # the reminder forms can be posted


def test_the_ownership_block_without_referrals_or_reminders_says_so(
    submitted_application: Application, caseworker: User
) -> None:
    html = (
        client_for(caseworker)
        .get(reverse("caseworker:case_detail", args=[submitted_application.pk]))
        .content.decode()
    )
    body = page_body(html)
    block = body.split('id="case-ownership"', 1)[1].split("</section>", 1)[0]
    assert "Inga bevakningar." in block
    assert "Öppna överlämningar" not in block
    assert "Akut ärende" not in block
    assert title_problems(page_title(html)) == []


def test_a_decision_form_sent_to_a_case_already_decided_says_nothing_was_recorded(
    submitted_application: Application, caseworker: User, decide: Callable
) -> None:
    """Stranger run: a second tab's "Beviljat" after the first tab's refusal came back as the
    refused case with no word, so the caseworker believed they had approved."""
    decide(submitted_application, "rejected", amount=None, reason="Inkomsterna räcker.")
    url = reverse("caseworker:case_detail", args=[submitted_application.pk])

    response = client_for(caseworker).post(
        url,
        {"outcome": "approved", "reason": "Ja.", "track": "work", "months": "1"},
        follow=True,
    )

    assert "Ditt beslut registrerades inte" in response.content.decode()
    assert [d.outcome for d in Decision.objects.filter(application=submitted_application)] == [
        "rejected"
    ]


def test_a_refusals_decisive_facts_word_the_surplus_as_a_surplus_not_a_grant() -> None:
    """Stranger run: a refusal's facts listed "Inkomsterna täcker behovet – inget
    försörjningsstöd: 11670 kr" among the deciding facts, which reads as an amount granted."""
    calculation = SimpleNamespace(
        lines=[
            {
                "code": "riksnorm.personal.adult_single",
                "label": "Personliga kostnader",
                "amount": "3940",
            },
            {"code": "income.register", "label": "Lön", "amount": "-15610"},
            {
                "code": "no_negative_support",
                "label": "Inkomsterna täcker behovet – inget försörjningsstöd",
                "amount": "11670",
            },
        ]
    )

    facts = calculation_facts(calculation)

    assert facts[:2] == ["Personliga kostnader: 3940 kr", "Lön: -15610 kr"]
    assert facts[2] == "Inkomster utöver behovet, inget försörjningsstöd: 11670 kr"
    assert not any("täcker behovet" in fact for fact in facts)
