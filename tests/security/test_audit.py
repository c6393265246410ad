"""Audit: change history (T64), the append-only access log and access-denial log (T61) and the
log review (T62)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.audit.log import access_denial_record, access_log_record
from caseworker.audit.review import log_review
from caseworker.decisions.calculation import case_calculation_load
from caseworker.models import AccessAction, AccessDenial, AccessLog
from caseworker.models.payments import PaymentOrder
from intake.models import Application, Decision
from tests.builders import client_for

ROOT = Path(__file__).resolve().parents[2]
STOCKHOLM = ZoneInfo("Europe/Stockholm")


# --- change history ----------------------------------------------------------------------------


def test_an_applicants_edit_leaves_a_history_row_naming_them(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    draft = make_draft(applicant)
    before = draft.history.count()
    response = client_for(applicant).post(
        reverse("intake:step_housing", args=[draft.pk]), {"rent": "7100", "electricity": "250"}
    )
    assert response.status_code == 302
    assert draft.history.count() == before + 1
    # Time is frozen, so order by the row id rather than the history date.
    latest, previous = draft.history.order_by("-history_id")[:2]
    assert (latest.history_type, latest.history_user, latest.rent) == ("~", applicant, 7100)
    assert previous.rent == Decimal(6000)
    assert {change.field for change in latest.diff_against(previous).changes} >= {
        "rent",
        "electricity",
    }


def test_a_decision_and_its_payment_order_have_history_naming_the_caseworker(
    submitted_application: Application, caseworker: User, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker).post(
            reverse("caseworker:case_detail", args=[submitted_application.pk]),
            {
                "track": "work",
                "outcome": "approved",
                "amount": "8000",  # never trusted: the amount is the calculation's
                "reason": "Uppfyller villkoren.",
            },
        )
    assert response.status_code == 302
    decision = Decision.objects.get(application=submitted_application)
    (created,) = decision.history.all()
    assert (created.history_type, created.history_user, created.amount) == (
        "+",
        caseworker,
        case_calculation_load(submitted_application).caseworker_amount,
    )
    order = PaymentOrder.objects.get(decision=decision)
    assert order.history.filter(history_type="+").count() == 1


def test_a_change_to_municipal_settings_is_kept_with_the_old_value(
    trelleborg: Municipality,
) -> None:
    trelleborg.sample_share = Decimal("0.250")
    trelleborg.save()
    values = list(trelleborg.history.order_by("history_id").values_list("sample_share", flat=True))
    assert values == [Decimal("0.100"), Decimal("0.250")]


def test_settings_history_covers_the_norm_settings_too() -> None:
    from eligibility.models import MunicipalNormSettings

    assert hasattr(MunicipalNormSettings, "history")
    assert MunicipalNormSettings.history.model._meta.db_table.endswith(
        "historicalmunicipalnormsettings"
    )


# --- access log: append-only -------------------------------------------------------------------


def _writes_to_access_log(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "caseworker_accesslog" in q["sql"]
        and q["sql"].lstrip().split()[0].upper() in {"UPDATE", "DELETE"}
    ]


def test_case_work_only_ever_inserts_into_the_access_log(
    submitted_application: Application, caseworker: User, django_capture_on_commit_callbacks
) -> None:
    client = client_for(caseworker)
    case = reverse("caseworker:case_detail", args=[submitted_application.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(case).status_code == 200
        assert client.get(case).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                case, {"track": "work", "outcome": "approved", "amount": "8000", "reason": "Ok."}
            )
    assert AccessLog.objects.filter(application=submitted_application).count() >= 2
    assert _writes_to_access_log(queries) == []


def test_refused_requests_only_ever_insert_into_the_access_denial_log(
    submitted_application: Application, caseworker: User, secretary: User
) -> None:
    case = reverse("caseworker:case_detail", args=[submitted_application.pk])
    attachment = reverse("caseworker:case_attachment", args=[submitted_application.pk, 999999])
    with CaptureQueriesContext(connection) as queries:
        assert client_for(secretary).get(case).status_code == 403
        assert client_for(caseworker).get(attachment).status_code == 404
    assert AccessDenial.objects.count() == 2
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "caseworker_accessdenial" in q["sql"]
        and q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert [sql.lstrip().split()[0].upper() for sql in writes] == ["INSERT", "INSERT"]


def test_no_code_updates_or_deletes_access_log_rows_except_retention() -> None:
    """A static rule: outside caseworker/audit/retention.py, nothing calls update/delete/save on an
    AccessLog or an AccessDenial (queryset or instance), and their rows are only created in
    caseworker.audit.log."""
    offenders: list[str] = []
    for path in ROOT.glob("*/**/*.py"):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv", "tests/", "caseworker/migrations")):
            continue
        if relative in {"caseworker/audit/retention.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            chain = ast.unparse(node.func)
            if any(
                word in chain
                for word in ("AccessLog", "access_log", "AccessDenial", "access_denial")
            ):
                if node.func.attr in {"update", "delete", "save", "bulk_update"}:
                    offenders.append(f"{relative}:{node.lineno} {chain}")
                if node.func.attr == "create" and relative != "caseworker/audit/log.py":
                    offenders.append(f"{relative}:{node.lineno} {chain}")
    assert offenders == []


# --- log review --------------------------------------------------------------------------------


@pytest.fixture
def fixture_log(
    trelleborg: Municipality, svedala: Municipality, make_staff: Callable[..., User], make_draft
) -> dict[str, User]:
    """Three staff, four cases and eleven accesses at fixed times in November 2026."""
    from accounts.eid import EidIdentity
    from accounts.services import applicant_get_or_create
    from tests.conftest import PNR_ALVA, PNR_BILAL, PNR_CARINA

    anna = make_staff("anna", Role.CASEWORKER, trelleborg)
    bo = make_staff("bo", Role.CASEWORKER, trelleborg)
    lead = make_staff("lena", Role.TEAM_LEAD, trelleborg)
    svea = make_staff("svea", Role.CASEWORKER, svedala)
    cases = {}
    for reference, pnr, owner, protected in (
        ("BA-0001", PNR_ALVA, anna, False),
        ("BA-0002", PNR_BILAL, anna, True),
        ("BA-0003", PNR_CARINA, bo, False),
    ):
        person = applicant_get_or_create(identity=EidIdentity(pnr, "Test", "Person"))
        app = make_draft(person)
        Application.objects.filter(pk=app.pk).update(
            reference=reference, owner=owner, protected_identity=protected
        )
        app.refresh_from_db()
        cases[reference] = app
    accesses = [
        ("2026-10-31 23:59", anna, "BA-0001", AccessAction.VIEW_CASE),  # before the period
        ("2026-11-02 09:00", anna, "BA-0001", AccessAction.VIEW_CASE),
        ("2026-11-02 09:05", anna, "BA-0002", AccessAction.VIEW_CASE),  # protected, own
        ("2026-11-03 10:00", bo, "BA-0001", AccessAction.VIEW_ATTACHMENT),  # not owner
        ("2026-11-03 10:01", bo, "BA-0002", AccessAction.VIEW_CASE),  # not owner + protected
        ("2026-11-04 14:30", bo, "BA-0003", AccessAction.VIEW_CASE),
        ("2026-11-05 08:15", lead, "BA-0003", AccessAction.VIEW_LETTER),  # not owner
        ("2026-11-10 11:00", svea, "BA-0001", AccessAction.VIEW_CASE),  # other municipality
        ("2026-11-20 16:45", anna, "BA-0001", AccessAction.CHANGE),
        ("2026-11-30 23:59", anna, "BA-0003", AccessAction.VIEW_PARTIAL),  # not owner
        ("2026-12-01 00:00", anna, "BA-0001", AccessAction.VIEW_CASE),  # after the period
    ]
    for at, user, reference, action in accesses:
        moment = datetime.fromisoformat(at).replace(tzinfo=STOCKHOLM)
        with time_machine.travel(moment, tick=False):
            access_log_record(user=user, application=cases[reference], action=action)
    denials = [
        ("2026-10-31 23:59", anna, 404),  # before the period
        ("2026-11-03 10:02", bo, 404),
        ("2026-11-06 09:00", svea, 404),
        ("2026-11-06 09:01", svea, 404),
        ("2026-11-07 12:00", lead, 403),
        ("2026-12-01 00:00", bo, 403),  # after the period
    ]
    for at, user, status in denials:
        moment = datetime.fromisoformat(at).replace(tzinfo=STOCKHOLM)
        with time_machine.travel(moment, tick=False):
            access_denial_record(
                user=user,
                url_name="caseworker:case_detail",
                path=f"/handlaggare/arende/{cases['BA-0001'].pk}/",
                object_id=str(cases["BA-0001"].pk),
                status=status,
            )
    return {"anna": anna, "bo": bo}


GOLDEN = """\
Loggkontroll 2026-11-01 – 2026-12-01 (till och med dagen före)
Åtkomster i perioden: 9

Åtkomst till ärenden där användaren inte är ansvarig handläggare: 5
  2026-11-03 10:00  bo               BA-0001      Öppnade bilaga
  2026-11-03 10:01  bo               BA-0002      Visade ärendet
  2026-11-05 08:15  lena             BA-0003      Öppnade beslutsbrev
  2026-11-10 11:00  svea             BA-0001      Visade ärendet
  2026-11-30 23:59  anna             BA-0003      Visade del av ärendet

Åtkomst till ärenden med skyddade personuppgifter: 2
  2026-11-02 09:05  anna             BA-0002      Visade ärendet
  2026-11-03 10:01  bo               BA-0002      Visade ärendet

Åtkomst till en annan kommuns ärenden: 1
  2026-11-10 11:00  svea             BA-0001      Visade ärendet

Slumpvis urval (frö 'golden'): 3
{sample}

Nekade åtkomster per användare (403 ingen behörighet, 404 finns inte): 4
  svea                 2  (403: 0, 404: 2)
  bo                   1  (403: 0, 404: 1)
  lena                 1  (403: 1, 404: 0)"""


def test_the_log_review_report_matches_the_golden_report(fixture_log: dict[str, User]) -> None:
    review = log_review(
        start=date(2026, 11, 1), end=date(2026, 12, 1), sample_size=3, seed="golden"
    )
    sample = "\n".join(row.line() for row in review.sample)
    assert "\n".join(review.lines()) == GOLDEN.format(sample=sample)
    # The sample is drawn from the period's accesses, the same for the same seed.
    assert len(review.sample) == 3 and len({row.id for row in review.sample}) == 3
    again = log_review(start=date(2026, 11, 1), end=date(2026, 12, 1), sample_size=3, seed="golden")
    assert [row.id for row in again.sample] == [row.id for row in review.sample]
    period_ids = set(
        AccessLog.objects.filter(
            at__gte=datetime(2026, 11, 1, tzinfo=STOCKHOLM),
            at__lt=datetime(2026, 12, 1, tzinfo=STOCKHOLM),
        ).values_list("id", flat=True)
    )
    assert {row.id for row in review.sample} <= period_ids


def test_a_different_seed_can_draw_a_different_sample(fixture_log: dict[str, User]) -> None:
    draws = {
        tuple(
            row.id
            for row in log_review(
                start=date(2026, 11, 1), end=date(2026, 12, 1), sample_size=3, seed=str(seed)
            ).sample
        )
        for seed in range(10)
    }
    assert len(draws) > 1


def test_the_log_review_command_prints_the_report_without_personnummer(
    fixture_log: dict[str, User],
) -> None:
    out = StringIO()
    call_command("log_review", "--from", "2026-11-01", "--to", "2026-12-01", stdout=out)
    text = out.getvalue()
    assert "Åtkomster i perioden: 9" in text
    assert "Slumpvis urval (frö '2026-11-01/2026-12-01'): 9" in text  # default sample 20 > 9
    assert "Nekade åtkomster per användare (403 ingen behörighet, 404 finns inte): 4" in text
    from tests.security.test_logging import PNR_SHAPE

    assert not PNR_SHAPE.search(text)


def test_the_log_review_command_refuses_a_backwards_period(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("log_review", "--from", "2026-12-01", "--to", "2026-11-01")
