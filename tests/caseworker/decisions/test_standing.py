"""Standing decisions: the caseworker decides for several months; each month the robot
re-checks the registers and approves under the decision unless something changed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.eid import EidIdentity
from accounts.models import Municipality, User
from accounts.services import applicant_get_or_create
from caseworker.decisions.services import DecisionInvalid, decision_record
from caseworker.decisions.standing import standing_decision_renewals_create
from caseworker.decisions.tasks import standing_decision_renewals_task
from eligibility.models import CaseWarning, Proposal
from eligibility.registers import forsakringskassan
from eligibility.registers.base import Payment, month_end
from intake import services as intake
from intake.models import Application, ApplicationKind, Decision, DecisionOutcome
from intake.services import MemberInput
from intake.states import Actor, Status
from tests.builders import warnings_acknowledge_all
from tests.conftest import PNR_ALVA, PNR_CARINA, PNR_CHILD

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday", "no_stickprov")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)
JANUARY, FEBRUARY = date(2027, 1, 1), date(2027, 2, 1)


@pytest.fixture
def run_robot(django_capture_on_commit_callbacks: Callable) -> Callable[..., list[Application]]:
    """Create the month's renewals and run the after-commit hand-over (the robot, sync mode)."""

    def do(month: date) -> list[Application]:
        with django_capture_on_commit_callbacks(execute=True):
            created = standing_decision_renewals_create(month=month)
        for application in created:
            application.refresh_from_db()
        return created

    return do


def approve(application: Application, caseworker: User, months: int) -> Decision:
    proposal = Proposal.objects.filter(application=application).first()
    warnings_acknowledge_all(application, caseworker)
    return decision_record(
        track="work",
        application=application,
        caseworker=caseworker,
        outcome=DecisionOutcome.APPROVED,
        amount=proposal.amount,
        reason="Beviljas enligt förslaget.",
        months=months,
    )


@pytest.fixture
def standing(submitted_application: Application, caseworker: User) -> Decision:
    """Alva (stable registers, nothing declared, nothing paid) approved for Nov-Jan at once."""
    return approve(submitted_application, caseworker, months=3)


def month_of(applicant: User, month: date) -> list[Application]:
    return list(Application.objects.filter(applicant=applicant, month=month))


# --- the decision ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "months", "limit"),
    [
        (DecisionOutcome.APPROVED, 7, 6),  # above the default maximum
        (DecisionOutcome.APPROVED, 3, 2),  # above the municipality's own maximum
        (DecisionOutcome.APPROVED, 0, 6),
        (DecisionOutcome.REJECTED, 2, 6),  # only an approval can stand
    ],
)
def test_a_standing_decision_outside_the_rules_is_refused(
    submitted_application: Application,
    caseworker: User,
    trelleborg: Municipality,
    outcome: str,
    months: int,
    limit: int,
) -> None:
    trelleborg.standing_decision_max_months = limit
    trelleborg.save(update_fields=["standing_decision_max_months"])
    submitted_application.refresh_from_db()

    with pytest.raises(DecisionInvalid):
        decision_record(
            track="work",
            application=submitted_application,
            caseworker=caseworker,
            outcome=outcome,
            amount=Decimal(5000),
            reason="Beslut.",
            months=months,
        )

    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.AWAITING_CASEWORKER
    assert not Decision.objects.exists()


def test_the_longest_standing_decision_the_municipality_allows_is_accepted(
    submitted_application: Application, caseworker: User, trelleborg: Municipality
) -> None:
    decision = approve(
        submitted_application, caseworker, months=trelleborg.standing_decision_max_months
    )
    assert decision.months == 6
    assert decision.is_standing


def test_a_three_month_standing_approval_covers_three_months(standing: Decision) -> None:
    assert standing.is_standing
    assert standing.application.status == Status.APPROVED
    covered = [
        m for m in (date(2026, 10, 1), NOVEMBER, DECEMBER, JANUARY, FEBRUARY) if standing.covers(m)
    ]
    assert covered == [NOVEMBER, DECEMBER, JANUARY]


# --- nothing changed: approved under the standing decision ------------------------------------


def test_a_month_where_nothing_changed_is_approved_under_the_standing_decision(
    standing: Decision,
    caseworker: User,
    applicant: User,
    run_robot: Callable[..., list[Application]],
) -> None:
    [december] = run_robot(DECEMBER)

    assert december.kind == ApplicationKind.RENEWAL
    assert december.previous == standing.application
    assert december.standing_decision == standing
    assert december.owner == caseworker
    assert december.status == Status.APPROVED
    proposal = Proposal.objects.get(application=december)
    assert (proposal.approvable, proposal.sampled) == (True, False)
    assert not CaseWarning.objects.filter(application=december).exists()

    decision = december.decision
    assert decision.outcome == DecisionOutcome.APPROVED
    assert decision.under_standing_decision == standing
    assert decision.decided_by == caseworker  # the decision stays the caseworker's
    assert decision.amount == proposal.amount
    assert decision.months == 1
    assert caseworker.display_name() in decision.reason
    assert list(december.events.values_list("from_status", "to_status", "actor_kind")) == [
        (Status.DRAFT, Status.SUBMITTED, Actor.SYSTEM),
        (Status.SUBMITTED, Status.PROCESSING, Actor.ROBOT),
        (Status.PROCESSING, Status.AWAITING_CASEWORKER, Actor.ROBOT),
        (Status.AWAITING_CASEWORKER, Status.APPROVED, Actor.SYSTEM),
    ]
    assert list(standing.monthly_decisions.all()) == [decision]
    assert month_of(applicant, DECEMBER) == [december]


def test_running_the_renewals_twice_creates_nothing_more(
    standing: Decision, applicant: User, run_robot: Callable[..., list[Application]]
) -> None:
    [december] = run_robot(DECEMBER)
    assert run_robot(DECEMBER) == []
    assert month_of(applicant, DECEMBER) == [december]
    assert Decision.objects.filter(under_standing_decision=standing).count() == 1


def test_the_next_month_builds_on_the_month_approved_under_the_decision(
    standing: Decision, run_robot: Callable[..., list[Application]]
) -> None:
    [december] = run_robot(DECEMBER)
    [january] = run_robot(JANUARY)
    assert january.previous == december
    assert january.standing_decision == standing
    assert january.status == Status.APPROVED
    assert january.decision.under_standing_decision == standing


@pytest.mark.parametrize("month", [NOVEMBER, FEBRUARY, date(2027, 6, 1)])
def test_a_month_outside_the_standing_decision_gets_nothing(
    standing: Decision,
    applicant: User,
    run_robot: Callable[..., list[Application]],
    month: date,
) -> None:
    before = Application.objects.count()
    assert run_robot(month) == []
    assert Application.objects.count() == before


def test_a_one_month_decision_creates_no_renewals(
    submitted_application: Application,
    caseworker: User,
    run_robot: Callable[..., list[Application]],
) -> None:
    approve(submitted_application, caseworker, months=1)
    assert run_robot(DECEMBER) == []


def test_a_household_that_already_applied_for_the_month_gets_no_second_application(
    standing: Decision,
    applicant: User,
    trelleborg: Municipality,
    run_robot: Callable[..., list[Application]],
) -> None:
    own = intake.application_start(applicant=applicant, municipality=trelleborg, month=DECEMBER)
    assert run_robot(DECEMBER) == []
    assert month_of(applicant, DECEMBER) == [own]


# --- something changed: back to the caseworker -----------------------------------------------


def pension(*, before: str, control: str) -> Callable[[str, tuple[date, ...]], list[Payment]]:
    """Försäkringskassan's fixture payments, with Alva paid a pension in the two months."""
    original = forsakringskassan._fixture_payments

    def payments(personnummer: str, months: tuple[date, ...]) -> list[Payment]:
        if personnummer != PNR_ALVA:
            return original(personnummer, months)
        return [
            Payment(
                kind="pension",
                gross=Decimal(net),
                tax=Decimal(0),
                net=Decimal(net),
                paid_on=month.replace(day=18),
                period_start=month,
                period_end=month_end(month),
                payer="Pensionsmyndigheten",
            )
            for month, net in zip(months, (before, control), strict=True)
        ]

    return payments


@pytest.fixture
def pensioner(
    make_draft: Callable[..., Application],
    applicant: User,
    caseworker: User,
    secretary: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable,
) -> Decision:
    """Alva declares her pension of 3 000 kr a month; approved for three months at once."""
    monkeypatch.setattr(
        forsakringskassan, "_fixture_payments", pension(before="3000", control="3000")
    )
    draft = make_draft(applicant)
    intake.application_set_incomes(application=draft, incomes={"pension": Decimal(3000)})
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=draft, applicant=applicant)
    draft.refresh_from_db()
    assert not CaseWarning.objects.filter(application=draft).exists()
    return approve(draft, caseworker, months=3)


@pytest.mark.parametrize(
    ("control", "approved"),
    [
        ("3000", True),
        ("3360", True),  # +12 %: within the threshold
        ("3363", False),  # +12.1 %: changed
        ("2640", True),  # -12 %
        ("2637", False),  # -12.1 %
    ],
)
def test_an_income_that_changed_sends_the_month_back_to_the_caseworker(
    pensioner: Decision,
    caseworker: User,
    trelleborg: Municipality,
    monkeypatch: pytest.MonkeyPatch,
    run_robot: Callable[..., list[Application]],
    control: str,
    approved: bool,
) -> None:
    # The declared difference is not what this test is about.
    trelleborg.declared_difference_threshold = Decimal(5000)
    trelleborg.save(update_fields=["declared_difference_threshold"])
    monkeypatch.setattr(
        forsakringskassan, "_fixture_payments", pension(before="3000", control=control)
    )

    [december] = run_robot(DECEMBER)

    warnings = set(CaseWarning.objects.filter(application=december).values_list("key", flat=True))
    if approved:
        assert december.status == Status.APPROVED
        assert warnings == set()
    else:
        assert december.status == Status.AWAITING_CASEWORKER
        assert warnings == {"income_changed:pension"}
        assert not Decision.objects.filter(application=december).exists()
        assert december.owner == caseworker
        assert Proposal.objects.get(application=december).approvable is False


def test_an_income_the_household_did_not_declare_sends_the_month_back(
    standing: Decision,
    monkeypatch: pytest.MonkeyPatch,
    run_robot: Callable[..., list[Application]],
) -> None:
    monkeypatch.setitem(
        forsakringskassan.FIXTURES, PNR_ALVA, [("pension", Decimal(9000), Decimal(1800))]
    )
    [december] = run_robot(DECEMBER)
    assert december.status == Status.AWAITING_CASEWORKER
    assert set(CaseWarning.objects.filter(application=december).values_list("key", flat=True)) == {
        "unhandled_income:pension"
    }
    assert "roboten hittade 1 varning" in december.events.last().reason


def test_a_month_picked_for_stickprov_goes_to_the_caseworker(
    standing: Decision, trelleborg: Municipality, run_robot: Callable[..., list[Application]]
) -> None:
    trelleborg.sample_share = Decimal(1)
    trelleborg.save(update_fields=["sample_share"])
    [december] = run_robot(DECEMBER)
    assert december.status == Status.AWAITING_CASEWORKER
    assert Proposal.objects.get(application=december).sampled is True


def test_a_provisional_norm_figure_is_shown_but_does_not_hold_back_a_standing_month(
    other_applicant: User,
    trelleborg: Municipality,
    caseworker: User,
    secretary: User,
    run_robot: Callable[..., list[Application]],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Bilal's household: registers stable; every 2026 child figure is provisional, which is
    a fact about the year's data, not about the household: shown, not blocking."""
    draft = intake.application_start(
        applicant=other_applicant, municipality=trelleborg, month=NOVEMBER
    )
    intake.application_set_household(
        application=draft,
        applicant_name="Bilal Berg",
        others=[
            MemberInput("partner", "Carina Dahl", PNR_CARINA),
            MemberInput("child", "Testa Berg", PNR_CHILD),
        ],
    )
    intake.application_set_costs(application=draft, costs={"rent": Decimal(6000)})
    intake.application_set_incomes(
        application=draft,
        incomes={"child_allowance": Decimal(1250), "sickness_benefit": Decimal(6120)},
    )
    carina = applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=draft, applicant=other_applicant)
        intake.application_partner_sign(application=draft, partner=carina)  # joint: both sign
    draft.refresh_from_db()
    approve(draft, caseworker, months=3)

    [december] = run_robot(DECEMBER)

    assert december.status == Status.APPROVED
    assert december.decision.under_standing_decision is not None
    assert set(CaseWarning.objects.filter(application=december).values_list("key", flat=True)) == {
        "provisional_norm"
    }


def test_an_income_both_declared_and_in_the_register_counts_once(
    pensioner: Decision,
) -> None:
    proposal = Proposal.objects.get(application=pensioner.application)
    pension_lines = [line for line in proposal.lines if line["code"] == "income:pension"]
    assert sum(line["amount"] for line in pension_lines) == -3000


# --- the monthly task ------------------------------------------------------------------------


def test_the_task_on_the_first_of_the_month_creates_and_decides_the_months_renewals(
    standing: Decision,
    applicant: User,
    caseworker: User,
    frozen_wednesday: time_machine.Traveller,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    frozen_wednesday.move_to(datetime(2026, 12, 1, 0, 5, tzinfo=STOCKHOLM))

    with django_capture_on_commit_callbacks(execute=True):
        assert standing_decision_renewals_task.run() == 1
    [december] = month_of(applicant, DECEMBER)
    assert december.status == Status.APPROVED
    assert december.decision.under_standing_decision == standing
    assert december.decision.decided_by == caseworker

    with django_capture_on_commit_callbacks(execute=True):
        assert standing_decision_renewals_task.run() == 0
    assert month_of(applicant, DECEMBER) == [december]
