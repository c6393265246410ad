"""Who may own a case (#16 item 7): every writer of `owner` keeps the owner an active
caseworker or team lead of the case's municipality who, for skyddade personuppgifter, may
handle them; a case nobody responsible may see alerts the team leads at once."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory

from accounts.admin import UserAdmin
from accounts.events import staff_access_narrowed
from accounts.models import Municipality, Role, User
from accounts.services import staff_user_deactivate, staff_user_save
from caseworker.caseload.dashboard import dashboard_for
from caseworker.caseload.ownership import owner_choose_weighted, owner_refusal
from caseworker.caseload.stand_ins import caseworker_absence_record, stand_ins_apply
from caseworker.caseload.tasks import owners_repair_task
from caseworker.models import JournalEntry
from caseworker.models.caseload import AlertKind, Reminder, StaffAlert
from caseworker.workbench.assignment import AssignmentRefused, applications_assign
from eligibility.registers.population import FakePopulationRegister
from eligibility.robot.events import proposal_ready
from intake import services as intake
from intake.models import Application
from intake.states import Status
from kernel.events import NoSubscriber
from tests.builders import case_make, client_for

pytestmark = pytest.mark.usefixtures("frozen_wednesday")

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _allowed(user: User) -> User:
    user.may_handle_protected = True
    user.save(update_fields=["may_handle_protected"])
    return user


@pytest.fixture
def anna(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("anna", Role.CASEWORKER, trelleborg)


@pytest.fixture
def bo(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("bo", Role.CASEWORKER, trelleborg)


@pytest.fixture
def lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return _allowed(make_staff("ledare", Role.TEAM_LEAD, trelleborg))


def _alerts(case: Application) -> list[StaffAlert]:
    return list(StaffAlert.objects.filter(application=case, kind=AlertKind.OWNER_INVALID))


def test_the_rule_names_why_someone_may_not_own_a_case(
    trelleborg: Municipality,
    svedala: Municipality,
    anna: User,
    bo: User,
    make_staff: Callable[..., User],
) -> None:
    protected = case_make(trelleborg, _allowed(make_staff("carl", Role.CASEWORKER, trelleborg)))
    protected.protected_identity = True
    assert owner_refusal(owner=anna, application=protected) is not None
    elsewhere = make_staff("sven", Role.CASEWORKER, svedala)
    assert "annan kommun" in (owner_refusal(owner=elsewhere, application=protected) or "")
    secretary = make_staff("sara", Role.SECRETARY, trelleborg)
    assert owner_refusal(owner=secretary, application=case_make(trelleborg, anna)) is not None
    anna.is_active = False
    assert "inaktiverad" in (owner_refusal(owner=anna, application=case_make(trelleborg, bo)) or "")


def test_bulk_assignment_refuses_an_owner_who_may_not_handle_a_protected_identity(
    trelleborg: Municipality, anna: User, lead: User
) -> None:
    case = case_make(trelleborg, lead, protected=True)
    with pytest.raises(AssignmentRefused, match="skyddade personuppgifter"):
        applications_assign(applications=[case], owner=anna, by=lead)
    case.refresh_from_db()
    assert case.owner == lead


def test_a_stand_in_who_may_not_handle_a_protected_identity_does_not_get_that_case(
    trelleborg: Municipality,
    anna: User,
    bo: User,
    lead: User,
    make_staff: Callable[..., User],
) -> None:
    _allowed(anna)
    carl = _allowed(make_staff("carl", Role.CASEWORKER, trelleborg))
    protected = case_make(trelleborg, anna, protected=True)
    ordinary = case_make(trelleborg, anna)
    caseworker_absence_record(
        caseworker=anna, start=date(2026, 11, 18), end=date(2026, 11, 20), stand_in=bo, by=lead
    )
    protected.refresh_from_db()
    ordinary.refresh_from_db()
    assert ordinary.owner == bo
    assert protected.owner == carl


def test_a_case_does_not_return_to_an_owner_deactivated_during_the_absence(
    trelleborg: Municipality,
    anna: User,
    bo: User,
    lead: User,
    frozen_wednesday: time_machine.Traveller,
) -> None:
    case = case_make(trelleborg, anna)
    caseworker_absence_record(
        caseworker=anna, start=date(2026, 11, 18), end=date(2026, 11, 20), stand_in=bo, by=lead
    )
    User.objects.filter(pk=anna.pk).update(is_active=False)  # not through the service
    frozen_wednesday.move_to(datetime(2026, 11, 23, 7, 0, tzinfo=STOCKHOLM))
    stand_ins_apply()
    case.refresh_from_db()
    assert case.owner == bo


def test_the_robot_finding_a_protected_identity_moves_the_case_to_someone_allowed_at_once(
    trelleborg: Municipality, anna: User, lead: User, make_staff: Callable[..., User]
) -> None:
    carl = _allowed(make_staff("carl", Role.CASEWORKER, trelleborg))
    case = case_make(trelleborg, anna)
    # What the robot writes when the population register shows skyddade personuppgifter.
    Application.objects.filter(pk=case.pk).update(protected_identity=True)
    case.refresh_from_db()
    proposal_ready.publish(case)
    case.refresh_from_db()
    assert case.owner == carl
    assert JournalEntry.objects.filter(
        application=case, text__contains="skyddade personuppgifter"
    ).exists()


def test_a_protected_case_nobody_may_handle_alerts_the_team_leads_at_once(
    trelleborg: Municipality, anna: User, make_staff: Callable[..., User]
) -> None:
    lead = make_staff("ledare", Role.TEAM_LEAD, trelleborg)  # not allowed either
    draft = case_make(trelleborg, None, status=Status.DRAFT, protected=True)
    holder = owner_choose_weighted(municipality=trelleborg, application=draft)
    assert holder.municipality_id == trelleborg.pk and holder.is_active
    alerts = _alerts(draft)
    assert [alert.recipient for alert in alerts] == [lead]
    assert draft.reference in alerts[0].text


def test_a_protected_case_held_by_someone_not_allowed_counts_as_without_owner(
    trelleborg: Municipality, anna: User, lead: User
) -> None:
    case_make(trelleborg, anna, protected=True)
    case_make(trelleborg, anna)
    board = dashboard_for(lead)
    assert board.unassigned == 1
    assert [row.cases_not_visible for row in board.owners if row.user == anna] == [1]


def test_a_renewal_under_a_standing_decision_keeps_last_months_owner_only_if_allowed(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    previous = case_make(trelleborg, anna, status=Status.APPROVED, month=date(2026, 10, 1))
    kept = case_make(trelleborg, None, status=Status.DRAFT, previous=previous)
    intake.application_submit_for_standing_decision(application=kept)
    assert kept.owner == anna

    User.objects.filter(pk=anna.pk).update(is_active=False)
    previous.refresh_from_db()
    moved = case_make(trelleborg, None, status=Status.DRAFT, previous=previous)
    intake.application_submit_for_standing_decision(application=moved)
    assert moved.owner == bo


# The PostgreSQL trigger behind this rule: tests/services/test_pg_fault.py (the service pass).


# --- Deactivating a caseworker (#16 item 8) ------------------------------------------------------


def test_deactivating_a_caseworker_in_the_admin_hands_every_open_case_on_at_once(
    trelleborg: Municipality, anna: User, bo: User, lead: User, rf: RequestFactory
) -> None:
    ordinary = case_make(trelleborg, anna)
    emergency = case_make(trelleborg, anna)
    Application.objects.filter(pk=emergency.pk).update(emergency_no_food=True)
    closed = case_make(trelleborg, anna, status=Status.APPROVED)
    reminder = Reminder.objects.create(
        application=ordinary, owner=anna, due_on=date(2026, 11, 19), text="Ring", created_by=anna
    )
    admin_user = User.objects.create_user(username="admin", role=Role.ADMIN, is_staff=True)
    request = rf.post("/admin/accounts/user/")
    request.user = admin_user
    anna.is_active = False
    UserAdmin(User, admin.site).save_model(request, anna, form=None, change=True)
    for case in (ordinary, emergency):
        case.refresh_from_db()
        assert case.owner is not None and case.owner != anna and case.owner.is_active
        assert JournalEntry.objects.filter(application=case, text__contains="inaktiverad").exists()
    closed.refresh_from_db()
    assert closed.owner == anna  # a closed case keeps who decided it
    reminder.refresh_from_db()
    assert reminder.owner == ordinary.owner
    assert dashboard_for(lead).unassigned == 0


def test_deactivation_gives_the_cases_to_the_named_stand_in(
    trelleborg: Municipality,
    anna: User,
    bo: User,
    lead: User,
    make_staff: Callable[..., User],
) -> None:
    make_staff("carl", Role.CASEWORKER, trelleborg)  # less loaded than bo, but not named
    case_make(trelleborg, bo)
    case = case_make(trelleborg, anna)
    caseworker_absence_record(
        caseworker=anna, start=date(2026, 11, 25), end=date(2026, 11, 27), stand_in=bo, by=lead
    )
    with time_machine.travel(datetime(2026, 11, 25, 9, 0, tzinfo=STOCKHOLM)):
        staff_user_deactivate(user=anna, by=lead)
    case.refresh_from_db()
    assert case.owner == bo


def test_deactivation_without_the_caseload_handler_fails_loudly_and_changes_nothing(
    trelleborg: Municipality, anna: User, bo: User
) -> None:
    case = case_make(trelleborg, anna)
    with staff_access_narrowed.overridden(), pytest.raises(NoSubscriber):
        staff_user_deactivate(user=anna)
    anna.refresh_from_db()
    case.refresh_from_db()
    assert anna.is_active and case.owner == anna


def test_the_dashboard_counts_an_inactive_owners_cases_as_without_owner_and_shows_the_person(
    trelleborg: Municipality, anna: User, bo: User, lead: User
) -> None:
    case_make(trelleborg, anna)
    case_make(trelleborg, anna)
    case_make(trelleborg, bo)
    User.objects.filter(pk=anna.pk).update(is_active=False)  # as before the hand-over existed
    board = dashboard_for(lead)
    assert board.unassigned == 2
    rows = {row.user.pk: row for row in board.owners}
    assert rows[anna.pk].cases == 2 and rows[anna.pk].cases_not_visible == 2
    assert rows[bo.pk].cases_not_visible == 0


def test_the_beat_gives_a_case_held_by_an_owner_who_may_not_own_it_a_new_owner(
    trelleborg: Municipality, anna: User, bo: User, lead: User
) -> None:
    case = case_make(trelleborg, anna)
    User.objects.filter(pk=anna.pk).update(is_active=False)  # around every service
    assert owners_repair_task() == 1
    case.refresh_from_db()
    assert case.owner == bo
    assert owners_repair_task() == 0  # safe twice


def test_the_dashboard_page_names_the_inactive_owner_and_counts_the_cases_as_without_owner(
    trelleborg: Municipality, anna: User, bo: User, lead: User
) -> None:
    case_make(trelleborg, anna)
    User.objects.filter(pk=anna.pk).update(is_active=False)
    html = client_for(lead).get("/handlaggare/ledning/").content.decode()
    assert (
        '<dd id="figure-unassigned"><a href="/handlaggare/?assignee=unassigned">1</a></dd>' in html
    )
    row = html[html.index(f'id="owner-{anna.pk}"') :]
    assert "inaktiverad" in row[: row.index("</tr>")]


def test_the_robot_run_that_finds_a_protected_identity_moves_the_case_from_its_first_owner(
    monkeypatch: pytest.MonkeyPatch,
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    secretary: User,
    trelleborg: Municipality,
    make_staff: Callable[..., User],
    submit: Callable[[Application], Application],
) -> None:
    carl = _allowed(make_staff("carl", Role.CASEWORKER, trelleborg))
    for _ in range(3):
        case_make(trelleborg, carl)  # carl is busier: the unprotected case goes to `caseworker`
    answer = FakePopulationRegister.answer

    def protected_answer(self: FakePopulationRegister, personnummer: str, *, as_of: date) -> Any:
        extract = answer(self, personnummer, as_of=as_of)
        if personnummer != applicant.personnummer:
            return extract
        return dataclasses.replace(extract, protected_identity=True, address="")

    monkeypatch.setattr(FakePopulationRegister, "answer", protected_answer)
    case = submit(make_draft(applicant))
    assert case.status == Status.AWAITING_CASEWORKER and case.protected_identity
    assert case.owner == carl
    assert JournalEntry.objects.filter(application=case, text__contains="Handlaggare").exists()


def test_moving_a_caseworker_to_another_municipality_hands_their_cases_on(
    trelleborg: Municipality, svedala: Municipality, anna: User, bo: User, lead: User
) -> None:
    """The way a case came to be owned by a caseworker of another municipality (EB-8A2HJHRA):
    the account was moved, the cases stayed."""
    case = case_make(trelleborg, anna, protected=True)
    _allowed(bo)
    anna.municipality = svedala
    staff_user_save(user=anna, by=lead)
    case.refresh_from_db()
    assert case.owner == bo
    assert dashboard_for(lead).unassigned == 0


def test_withdrawing_the_protected_identity_permission_hands_those_cases_on(
    trelleborg: Municipality, anna: User, bo: User, lead: User
) -> None:
    _allowed(anna)
    _allowed(bo)
    protected = case_make(trelleborg, anna, protected=True)
    ordinary = case_make(trelleborg, anna)
    anna.may_handle_protected = False
    staff_user_save(user=anna, by=lead)
    protected.refresh_from_db()
    ordinary.refresh_from_db()
    assert protected.owner == bo and ordinary.owner == anna
