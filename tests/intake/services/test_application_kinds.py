"""New applications, renewals and supplementary applications: one household, one month."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from accounts.eid import EidIdentity
from accounts.models import Municipality, Role, User
from accounts.services import applicant_get_or_create
from caseworker.decisions.services import decision_record
from eligibility.models import CaseWarning, Proposal
from intake import services as intake
from intake.models import Application, ApplicationKind, Decision
from intake.services import MemberInput
from intake.states import Status
from tests.builders import warnings_acknowledge_all
from tests.conftest import PNR_CARINA, PNR_CHILD

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday", "secretary")

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)
ALREADY_GRANTED = "Redan beviljat för månaden"


@pytest.fixture
def approve(caseworker: User) -> Callable[..., Decision]:
    """The caseworker approves the robot's proposal as it stands."""

    def do(application: Application) -> Decision:
        proposal = Proposal.objects.filter(application=application).first()
        warnings_acknowledge_all(application, caseworker)
        return decision_record(
            track="work",
            application=application,
            caseworker=caseworker,
            outcome="approved",
            amount=proposal.amount,
            reason="Beviljas enligt förslaget.",
        )

    return do


@pytest.fixture
def carina(db: None) -> User:
    return applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))


def proposal_of(application: Application) -> Proposal:
    return Proposal.objects.get(application=application)


def lines_sum(proposal: Proposal) -> Decimal:
    return sum((Decimal(line["amount"]) for line in proposal.lines), Decimal(0))


# --- new applications -------------------------------------------------------------------------


def test_a_first_application_is_new_and_always_goes_to_a_person(
    submitted_application: Application,
) -> None:
    assert submitted_application.kind == ApplicationKind.NEW
    assert submitted_application.previous is None
    proposal = proposal_of(submitted_application)
    assert proposal.eligible is True
    assert proposal.approvable is False
    assert proposal.sampled is False
    assert any("Ny sökande" in reason for reason in proposal.person_reasons)
    assert not CaseWarning.objects.filter(application=submitted_application).exists()


def test_starting_again_for_the_same_month_returns_the_same_application(
    make_draft: Callable[..., Application], applicant: User, trelleborg: Municipality
) -> None:
    draft = make_draft(applicant)
    again = intake.application_start(
        applicant=applicant, municipality=trelleborg, month=date(2026, 11, 23)
    )
    assert again.pk == draft.pk
    assert Application.objects.filter(applicant=applicant).count() == 1


def test_a_draft_for_last_month_does_not_make_a_renewal(
    make_draft: Callable[..., Application], applicant: User
) -> None:
    make_draft(applicant, month=NOVEMBER)
    december = make_draft(applicant, month=DECEMBER)
    assert (december.kind, december.previous) == (ApplicationKind.NEW, None)


# --- renewals ----------------------------------------------------------------------------------


def test_the_month_after_a_submitted_application_is_a_renewal_prefilled_from_it(
    make_draft: Callable[..., Application],
    applicant: User,
    trelleborg: Municipality,
    submit: Callable[..., Application],
) -> None:
    november = make_draft(applicant, month=NOVEMBER)
    intake.application_set_household(
        application=november,
        applicant_name="Alva Andersson",
        others=[MemberInput("child", "Testa Berg", PNR_CHILD, in_school=False)],
    )
    intake.application_set_costs(
        application=november,
        costs={"rent": Decimal(6500), "electricity": Decimal(400), "home_insurance": Decimal(150)},
    )
    intake.application_set_incomes(application=november, incomes={"salary": Decimal(2000)})
    intake.application_set_assets(application=november, assets={"savings": Decimal(1500)})
    november = submit(november)
    assert november.status == Status.AWAITING_CASEWORKER  # submitted, not yet decided

    december = intake.application_start(
        applicant=applicant, municipality=trelleborg, month=DECEMBER
    )

    assert december.kind == ApplicationKind.RENEWAL
    assert december.previous == november
    assert december.status == Status.DRAFT
    assert december.month == DECEMBER
    assert [(m.role, m.name, m.personnummer) for m in december.members.all()] == [
        (m.role, m.name, m.personnummer) for m in november.members.all()
    ]
    assert (december.rent, december.electricity, december.home_insurance, december.savings) == (
        Decimal(6500),
        Decimal(400),
        Decimal(150),
        Decimal(1500),
    )
    assert [(i.type, i.amount) for i in december.incomes.all()] == [("salary", Decimal(2000))]
    # Starting again gives the same renewal.
    again = intake.application_start(applicant=applicant, municipality=trelleborg, month=DECEMBER)
    assert again.pk == december.pk


def test_a_quiet_renewal_is_approvable_as_proposed(
    submitted_application: Application,
    trelleborg: Municipality,
    applicant: User,
    no_stickprov: Municipality,
    submit: Callable[..., Application],
) -> None:
    december = submit(
        intake.application_start(applicant=applicant, municipality=trelleborg, month=DECEMBER)
    )
    assert december.kind == ApplicationKind.RENEWAL
    proposal = proposal_of(december)
    assert (proposal.approvable, proposal.sampled, proposal.person_reasons) == (True, False, [])
    assert december.status == Status.AWAITING_CASEWORKER  # no standing decision: a person signs
    assert "kan beviljas enligt förslaget" in december.events.last().reason


def test_an_approvable_renewal_picked_for_stickprov_is_reviewed_by_a_person(
    submitted_application: Application,
    trelleborg: Municipality,
    applicant: User,
    submit: Callable[..., Application],
) -> None:
    trelleborg.sample_share = Decimal(1)
    trelleborg.save(update_fields=["sample_share"])
    december = submit(
        intake.application_start(applicant=applicant, municipality=trelleborg, month=DECEMBER)
    )
    proposal = proposal_of(december)
    assert (proposal.approvable, proposal.sampled) == (True, True)
    assert proposal.person_reasons == ["Stickprov: ärendet granskas av en handläggare."]
    assert "stickprov" in december.events.last().reason


def test_a_changed_rent_in_a_renewal_raises_a_warning(
    submitted_application: Application,
    trelleborg: Municipality,
    applicant: User,
    no_stickprov: Municipality,
    submit: Callable[..., Application],
) -> None:
    december = intake.application_start(
        applicant=applicant, municipality=trelleborg, month=DECEMBER
    )
    intake.application_set_costs(application=december, costs={"rent": Decimal(7000)})
    december = submit(december)
    warning = CaseWarning.objects.get(application=december)
    assert (warning.kind, warning.status) == ("housing_cost_changed", "open")
    assert proposal_of(december).approvable is False


# --- one application per household and month --------------------------------------------------


@pytest.fixture
def bilal_with_carina(other_applicant: User, make_draft: Callable[..., Application]) -> Application:
    """Bilal's November draft with Carina as his partner."""
    application = make_draft(other_applicant, month=NOVEMBER)
    intake.application_set_household(
        application=application,
        applicant_name="Bilal Berg",
        others=[MemberInput("partner", "Carina Dahl", PNR_CARINA)],
    )
    return application


def test_a_person_named_in_someone_elses_draft_starts_their_own_as_usual(
    bilal_with_carina: Application, carina: User, trelleborg: Municipality
) -> None:
    """Refusing told Carina that someone had named her (#14): she starts her own, and if both
    are submitted the robot links them for the caseworkers (tests/eligibility)."""
    own = intake.application_start(applicant=carina, municipality=trelleborg, month=NOVEMBER)
    assert (own.applicant, own.kind, own.status) == (carina, ApplicationKind.NEW, Status.DRAFT)


def test_the_partner_can_apply_for_another_month(
    bilal_with_carina: Application, carina: User, trelleborg: Municipality
) -> None:
    own = intake.application_start(applicant=carina, municipality=trelleborg, month=DECEMBER)
    assert own.kind == ApplicationKind.NEW


def test_a_withdrawn_application_frees_the_month_for_the_household(
    bilal_with_carina: Application, other_applicant: User, carina: User, trelleborg: Municipality
) -> None:
    intake.application_withdraw(application=bilal_with_carina, applicant=other_applicant)

    own = intake.application_start(applicant=carina, municipality=trelleborg, month=NOVEMBER)
    assert (own.kind, own.month) == (ApplicationKind.NEW, NOVEMBER)


def test_a_withdrawn_application_lets_the_applicant_start_afresh(
    make_draft: Callable[..., Application], applicant: User, trelleborg: Municipality
) -> None:
    first = make_draft(applicant)
    intake.application_withdraw(application=first, applicant=applicant)

    fresh = intake.application_start(applicant=applicant, municipality=trelleborg, month=NOVEMBER)
    assert fresh.pk != first.pk
    assert fresh.status == Status.DRAFT


def test_two_applications_sharing_a_person_are_linked_for_the_caseworkers_not_refused(
    carina: User,
    other_applicant: User,
    make_draft: Callable[..., Application],
    submit: Callable[..., Application],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Both go in; each case carries a warning naming the other (the municipality's own
    caseworkers resolve it: one joint case, or two households with a recorded reason)."""
    hers = submit(make_draft(carina, month=NOVEMBER))
    bilal = make_draft(other_applicant, month=NOVEMBER)
    intake.application_set_household(
        application=bilal,
        applicant_name="Bilal Berg",
        others=[MemberInput("partner", "Carina Dahl", PNR_CARINA)],
    )
    submit(bilal)  # joint: waits for Carina's signature
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_partner_sign(application=bilal, partner=carina)
    his = Application.objects.get(pk=bilal.pk)
    assert his.status == Status.AWAITING_CASEWORKER
    links = CaseWarning.objects.filter(kind="household_in_other_application", status="open")
    assert {(w.application_id, w.details["other_reference"]) for w in links} == {
        (his.pk, hers.reference),
        (hers.pk, his.reference),
    }
    mine = links.get(application=his)
    assert "Partnern finns också i ansökan" in mine.message
    assert not Proposal.objects.get(application=his).approvable


def test_another_municipalitys_application_is_never_linked_nor_named(
    carina: User,
    other_applicant: User,
    svedala: Municipality,
    make_staff: Callable[..., User],
    make_draft: Callable[..., Application],
    submit: Callable[..., Application],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Two municipalities are two authorities under secrecy: neither case mentions the other.
    Carina, registered in Trelleborg, applying in Svedala is Svedala's own warning."""
    make_staff("sv_cw", Role.CASEWORKER, svedala)
    make_staff("sv_sek", Role.SECRETARY, svedala)
    hers = submit(make_draft(carina, month=NOVEMBER, municipality=svedala))
    bilal = make_draft(other_applicant, month=NOVEMBER)
    intake.application_set_household(
        application=bilal,
        applicant_name="Bilal Berg",
        others=[MemberInput("partner", "Carina Dahl", PNR_CARINA)],
    )
    submit(bilal)
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_partner_sign(application=bilal, partner=carina)
    assert not CaseWarning.objects.filter(kind="household_in_other_application").exists()
    texts = " ".join(CaseWarning.objects.values_list("message", flat=True))
    assert hers.reference not in texts and bilal.reference not in texts
    elsewhere = CaseWarning.objects.get(kind="registered_elsewhere")
    assert elsewhere.application_id == hers.pk
    assert elsewhere.details == {"registered": "1287", "applied": "1263"}


# --- supplementary applications -----------------------------------------------------------------


@pytest.fixture
def decided_november(
    submitted_application: Application, approve: Callable[..., Decision]
) -> Application:
    approve(submitted_application)
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.APPROVED
    return submitted_application


def test_a_supplementary_application_adds_costs_to_a_decided_month(
    decided_november: Application, applicant: User, submit: Callable[..., Application]
) -> None:
    supplementary = intake.application_start_supplementary(
        applicant=applicant, supplements=decided_november
    )
    assert supplementary.kind == ApplicationKind.SUPPLEMENTARY
    assert supplementary.supplements == decided_november
    assert supplementary.previous == decided_november
    assert supplementary.month == NOVEMBER
    assert supplementary.rent == decided_november.rent
    assert [m.personnummer for m in supplementary.members.all()] == [
        m.personnummer for m in decided_november.members.all()
    ]

    intake.application_set_costs(
        application=supplementary, costs={"rent": Decimal(6000), "electricity": Decimal(500)}
    )
    supplementary = submit(supplementary)

    proposal = proposal_of(supplementary)
    granted = decided_november.decision.amount
    [already] = [line for line in proposal.lines if line["label"] == ALREADY_GRANTED]
    assert already["amount"] == -int(granted)
    assert already["source"] == "Beslut för 2026-11"
    assert proposal.amount == Decimal(500)  # only what the month still lacks
    assert lines_sum(proposal) == proposal.amount
    assert proposal.approvable is False
    assert any("Tilläggsansökan" in reason for reason in proposal.person_reasons)
    assert CaseWarning.objects.get(application=supplementary).key == "new_cost:electricity"


def test_a_supplementary_application_without_new_costs_proposes_nothing(
    decided_november: Application, applicant: User, submit: Callable[..., Application]
) -> None:
    supplementary = submit(
        intake.application_start_supplementary(applicant=applicant, supplements=decided_november)
    )
    proposal = proposal_of(supplementary)
    assert proposal.amount == 0
    assert proposal.eligible is False
    assert lines_sum(proposal) == 0


def test_a_supplementary_application_does_not_take_the_months_place(
    decided_november: Application, applicant: User, trelleborg: Municipality
) -> None:
    intake.application_start_supplementary(applicant=applicant, supplements=decided_november)
    again = intake.application_start(applicant=applicant, municipality=trelleborg, month=NOVEMBER)
    assert again == decided_november


@pytest.mark.parametrize("whose", ["a draft", "someone else's"])
def test_only_a_submitted_application_of_ones_own_can_be_supplemented(
    make_draft: Callable[..., Application],
    applicant: User,
    other_applicant: User,
    submitted_application: Application,
    whose: str,
) -> None:
    target, who = (
        (make_draft(other_applicant), other_applicant)
        if whose == "a draft"
        else (submitted_application, other_applicant)
    )
    with pytest.raises(intake.ApplicationIncomplete):
        intake.application_start_supplementary(applicant=who, supplements=target)


def test_a_supplementary_application_never_proposes_what_the_month_already_got(
    decided_november: Application,
    applicant: User,
    submit: Callable[..., Application],
    approve: Callable[..., Decision],
) -> None:
    first = intake.application_start_supplementary(
        applicant=applicant, supplements=decided_november
    )
    intake.application_set_costs(
        application=first, costs={"rent": Decimal(6000), "electricity": Decimal(500)}
    )
    approve(submit(first))
    second = intake.application_start_supplementary(applicant=applicant, supplements=first)
    intake.application_set_costs(
        application=second,
        costs={"rent": Decimal(6000), "electricity": Decimal(500), "home_insurance": Decimal(200)},
    )
    second = submit(second)

    assert proposal_of(second).amount == Decimal(200)


# --- the database backs it up -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (ApplicationKind.NEW, ApplicationKind.NEW),
        (ApplicationKind.NEW, ApplicationKind.RENEWAL),
        (ApplicationKind.RENEWAL, ApplicationKind.RENEWAL),
    ],
)
def test_one_new_application_or_renewal_per_applicant_and_month(
    applicant: User, trelleborg: Municipality, first: str, second: str
) -> None:
    Application.objects.create(
        applicant=applicant, municipality=trelleborg, month=NOVEMBER, kind=first
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            applicant=applicant, municipality=trelleborg, month=NOVEMBER, kind=second
        )


def test_a_withdrawn_application_does_not_hold_the_month_in_the_database(
    applicant: User, trelleborg: Municipality
) -> None:
    Application.objects.create(
        applicant=applicant, municipality=trelleborg, month=NOVEMBER, status=Status.WITHDRAWN
    )
    Application.objects.create(applicant=applicant, municipality=trelleborg, month=NOVEMBER)
    assert Application.objects.filter(applicant=applicant, month=NOVEMBER).count() == 2


def test_a_supplementary_application_must_name_what_it_supplements(
    applicant: User, trelleborg: Municipality
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            applicant=applicant,
            municipality=trelleborg,
            month=NOVEMBER,
            kind=ApplicationKind.SUPPLEMENTARY,
        )


def test_several_supplementary_applications_may_share_a_month(
    applicant: User, trelleborg: Municipality
) -> None:
    original = Application.objects.create(
        applicant=applicant, municipality=trelleborg, month=NOVEMBER
    )
    for _ in range(2):
        Application.objects.create(
            applicant=applicant,
            municipality=trelleborg,
            month=NOVEMBER,
            kind=ApplicationKind.SUPPLEMENTARY,
            supplements=original,
        )
    assert Application.objects.filter(applicant=applicant, month=NOVEMBER).count() == 3
