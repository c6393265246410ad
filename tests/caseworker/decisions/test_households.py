"""Two approvals for one household (#16 item 3): registered partners who apply apart are linked
by the robot (one link, both paths), neither case can be approved (a caseworker, the second
approver, the automated function) until a caseworker resolves the link, and the link and its
resolution are journalled on both cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from accounts.eid import EidIdentity
from accounts.models import Municipality, Role, User
from accounts.services import applicant_get_or_create
from caseworker.decisions.automation import automated_decision_try, automation_blockers
from caseworker.decisions.households import (
    HouseholdLinkRefused,
    household_approval_blocker,
    household_link_resolve,
)
from caseworker.decisions.services import (
    DecisionInvalid,
    application_track_set,
    child_impact_record,
    decision_draft_approve,
    decision_record,
    decision_submit,
)
from caseworker.decisions.standing import standing_decision_renewals_create
from caseworker.models import CommunicationException, JournalEntry
from eligibility.models import CaseWarning, HouseholdLink, Proposal, WarningStatus
from eligibility.robot.assessment import assessment_run
from eligibility.robot.batch import robot_run
from eligibility.robot.warnings import warning_acknowledge
from intake import services as intake
from intake.models import Application, Decision
from intake.states import Status
from tests.builders import applicant_make, client_for
from tests.conftest import PNR_CARINA, PNR_CHILD

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "secretary", "no_stickprov")

NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def carina(db: None) -> User:
    return applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))


@pytest.fixture
def apart(
    carina: User, other_applicant: User, make_draft: Callable[..., Application]
) -> Callable[[], tuple[Application, Application]]:
    """Carina (as a single parent with Testa) and Bilal (alone) draft their own November
    applications; the population register has them as partners at Provvägen 7."""

    def make() -> tuple[Application, Application]:
        hers = make_draft(carina, month=NOVEMBER)
        intake.application_set_household(
            application=hers,
            applicant_name="Carina Dahl",
            others=[intake.MemberInput("child", "Testa Berg", PNR_CHILD)],
        )
        his = make_draft(other_applicant, month=NOVEMBER)
        return hers, his

    return make


@pytest.fixture
def linked(
    apart: Callable[[], tuple[Application, Application]],
    submit: Callable[[Application], Application],
) -> tuple[Application, Application]:
    hers, his = apart()
    return submit(hers), submit(his)


def acknowledge_all(application: Application, caseworker: User) -> None:
    """The open warnings (the robot's "someone is in another application" among them) are
    acknowledged and the track chosen, so only the link itself can stand in the approval's
    way."""
    for warning in CaseWarning.objects.filter(application=application, status=WarningStatus.OPEN):
        warning_acknowledge(warning=warning, user=caseworker, note="Sett, utreds.")
    application_track_set(application=application, by=caseworker, track="work")


def approve(application: Application, caseworker: User, capture: Callable) -> Decision:
    application.refresh_from_db()
    # The housing cap makes these approvals partial refusals: with children, a child impact
    # assessment comes first.
    child_impact_record(
        application=application, by=caseworker, text="Barnens boende påverkas inte."
    )
    proposal = Proposal.objects.filter(application=application).order_by("-round").first()
    with capture(execute=True):
        return decision_record(
            track="work",
            application=application,
            caseworker=caseworker,
            outcome="approved",
            reason="Inkomsterna räcker inte till behovet enligt riksnormen.",
            amount=proposal.amount,
            # The register's "partner in the household" is settled by the link's resolution.
            communication_exception=CommunicationException.IRRELEVANT,
            communication_note="Hushållen är utredda som två; uppgiften ligger inte till grund.",
        )


@pytest.mark.parametrize("batch_size", [1, 50], ids=["one-by-one", "batch"])
def test_partners_at_one_registered_address_who_apply_apart_are_linked_once(
    settings: Any,
    batch_size: int,
    apart: Callable[[], tuple[Application, Application]],
    submit: Callable[[Application], Application],
) -> None:
    settings.ROBOT_BATCH_SIZE = batch_size
    hers, his = apart()
    hers, his = submit(hers), submit(his)

    assert (hers.status, his.status) == (Status.AWAITING_CASEWORKER, Status.AWAITING_CASEWORKER)
    link = HouseholdLink.objects.get()
    assert (link.first_id, link.second_id) == tuple(sorted((hers.pk, his.pk)))
    assert not link.resolved
    for case, other in ((hers, his), (his, hers)):
        entry = JournalEntry.objects.get(application=case)
        assert entry.author is None
        assert f"Kopplat till ärende {other.reference}" in entry.text
        assert household_approval_blocker(case).startswith(
            f"Ärendet är kopplat till ärende {other.reference}"
        )


# A generated person of the fake population register whose register household names a partner
# (198208045610) whose own register answer names nobody back: the two runs of the robot see the
# household from one side only, as after a registration changed between them.
PNR_ONE_SIDED = "198001010019"
PNR_ONE_SIDED_PARTNER = "198208045610"


@pytest.mark.parametrize("batch_size", [1, 50], ids=["one-by-one", "batch"])
@pytest.mark.parametrize("partner_first", [False, True], ids=["she-first", "he-first"])
def test_partners_are_linked_whichever_applied_first_when_only_one_register_answer_names_both(
    settings: Any,
    batch_size: int,
    partner_first: bool,
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
) -> None:
    """The reported case: each applied alone and both were approved. Her register answer places
    him in her household; his names nobody. Whichever applied first, the later robot run links
    the two (before, only his-first did: her run found him declared in his application)."""
    settings.ROBOT_BATCH_SIZE = batch_size
    her = applicant_get_or_create(identity=EidIdentity(PNR_ONE_SIDED, "Sara", "Exempelsson"))
    him = applicant_get_or_create(identity=EidIdentity(PNR_ONE_SIDED_PARTNER, "Ali", "Provsson"))
    drafts = (
        [make_draft(him), make_draft(her)] if partner_first else [make_draft(her), make_draft(him)]
    )
    first, second = (submit(draft) for draft in drafts)

    link = HouseholdLink.objects.get()
    assert {link.first_id, link.second_id} == {first.pk, second.pk}
    for case in (first, second):
        assert household_approval_blocker(case)


def test_applications_waiting_together_are_linked_by_the_batch_as_one_by_one(
    settings: Any,
    apart: Callable[[], tuple[Application, Application]],
    django_capture_on_commit_callbacks: Callable,
    caseworker: User,
) -> None:
    """Both wait for the robot and one wake-up takes them in one batch: each finds the other
    (they are processing, not drafts) and the pair gets one link and one journal entry each."""
    settings.ROBOT_MODE = "celery"
    settings.CELERY_BROKER_URL = "memory://"
    hers, his = apart()
    for application in (hers, his):
        with django_capture_on_commit_callbacks(execute=True):
            intake.application_submit(application=application, applicant=application.applicant)
    assert robot_run(application_id=hers.pk, worker_id="w1") == 2

    link = HouseholdLink.objects.get()
    assert {link.first_id, link.second_id} == {hers.pk, his.pk}
    assert JournalEntry.objects.filter(application=hers).count() == 1
    assert JournalEntry.objects.filter(application=his).count() == 1
    for case in (hers, his):
        case.refresh_from_db()
        assert household_approval_blocker(case)


def test_neither_linked_case_can_be_approved_nor_sent_for_attest(
    linked: tuple[Application, Application],
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    for case in linked:
        acknowledge_all(case, caseworker)
        with pytest.raises(DecisionInvalid, match="kopplat till ärende"):
            approve(case, caseworker, django_capture_on_commit_callbacks)
        # A caseworker in introduction sends an approval for attest: refused just the same.
        novice = make_staff(f"ny{case.pk}", Role.CASEWORKER, trelleborg)
        novice.in_introduction = True
        novice.save(update_fields=["in_introduction"])
        with pytest.raises(DecisionInvalid, match="kopplat till ärende"):
            decision_submit(
                track="work",
                application=case,
                caseworker=novice,
                outcome="approved",
                reason="Behovet är styrkt.",
                amount=Proposal.objects.get(application=case).amount,
            )
        case.refresh_from_db()
        assert case.status == Status.AWAITING_CASEWORKER
    assert not Decision.objects.exists()


def test_two_households_with_a_reason_unblocks_both_and_is_journalled_on_both(
    linked: tuple[Application, Application],
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    hers, his = linked
    link = HouseholdLink.objects.get()
    with pytest.raises(HouseholdLinkRefused):
        household_link_resolve(
            application=hers, link_id=link.pk, by=caseworker, resolution="separate", reason=" "
        )
    household_link_resolve(
        application=hers,
        link_id=link.pk,
        by=caseworker,
        resolution="separate",
        reason="Separerade i oktober; Bilal har flyttat, adressändring är gjord.",
    )
    link.refresh_from_db()
    assert (link.resolution, link.resolved_by, link.kept) == ("separate", caseworker, None)
    for case in linked:
        last = JournalEntry.objects.filter(application=case).last()
        assert last.author == caseworker
        assert "Två hushåll" in last.text and "Separerade i oktober" in last.text
        assert household_approval_blocker(case) == ""
        acknowledge_all(case, caseworker)
        assert approve(case, caseworker, django_capture_on_commit_callbacks).amount > 0
    with pytest.raises(HouseholdLinkRefused, match="redan avgjord"):
        household_link_resolve(
            application=his, link_id=link.pk, by=caseworker, resolution="separate", reason="x"
        )


def test_one_household_lets_only_the_kept_case_be_approved_and_only_once(
    linked: tuple[Application, Application],
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    hers, his = linked
    link = HouseholdLink.objects.get()
    household_link_resolve(
        application=his,
        link_id=link.pk,
        by=caseworker,
        resolution="one_household",
        keep="other",
        reason="Sambor enligt folkbokföringen och hyreskontraktet.",
    )
    link.refresh_from_db()
    assert link.kept_id == hers.pk
    assert "dubblett" in household_approval_blocker(his)
    assert household_approval_blocker(hers) == ""
    assert f"ärende {his.reference} avslås eller återtas som dubblett" in (
        JournalEntry.objects.filter(application=hers).last().text
    )
    for case in linked:
        acknowledge_all(case, caseworker)
    with pytest.raises(DecisionInvalid, match="dubblett"):
        approve(his, caseworker, django_capture_on_commit_callbacks)
    approve(hers, caseworker, django_capture_on_commit_callbacks)


def test_a_withdrawn_other_application_no_longer_blocks(
    settings: Any,
    apart: Callable[[], tuple[Application, Application]],
    other_applicant: User,
    caseworker: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Bilal's application still waits for the robot when Carina's is assessed and linked to
    it; he withdraws it, and nothing is left to try together."""
    settings.ROBOT_MODE = "celery"
    settings.CELERY_BROKER_URL = "memory://"
    hers, his = apart()
    for application in (hers, his):
        with django_capture_on_commit_callbacks(execute=True):
            intake.application_submit(application=application, applicant=application.applicant)
    assert assessment_run(application_id=hers.pk, worker_id="w1")
    hers.refresh_from_db()
    assert household_approval_blocker(hers)
    his.refresh_from_db()
    intake.application_withdraw(application=his, applicant=other_applicant)
    assert household_approval_blocker(hers) == ""


def test_another_municipalitys_application_is_never_linked(
    carina: User,
    other_applicant: User,
    svedala: Municipality,
    make_staff: Callable[..., User],
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
) -> None:
    """Another municipality is another authority (ADR 0009): no link, no journal entry and no
    blocker that would tell this municipality's staff that someone applied there."""
    make_staff("sv_cw", Role.CASEWORKER, svedala)
    make_staff("sv_sek", Role.SECRETARY, svedala)
    hers = submit(make_draft(carina, month=NOVEMBER, municipality=svedala))
    his = submit(make_draft(other_applicant, month=NOVEMBER))
    assert not HouseholdLink.objects.exists()
    assert not JournalEntry.objects.filter(application__in=[hers, his]).exists()
    assert household_approval_blocker(his) == household_approval_blocker(hers) == ""


def test_the_automated_function_does_not_decide_a_linked_case(
    approved: Decision,
    applicant: User,
    caseworker: User,
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
    trelleborg: Municipality,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """A renewal the robot finds approvable is linked to another application of its month; the
    link blocks the automated decision even once every warning has been seen."""
    trelleborg.automated_decisions_enabled = True
    trelleborg.automation_delegation_reference = "SN 2026-03-12 § 41"
    trelleborg.save()
    Municipality.objects.filter(pk=trelleborg.pk).update(automated_decisions_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        renewal = intake.application_renew(previous=approved.application, month=date(2026, 12, 1))
        intake.application_submit(application=renewal, applicant=applicant)
    Municipality.objects.filter(pk=trelleborg.pk).update(automated_decisions_enabled=True)
    renewal.refresh_from_db()
    other = submit(make_draft(applicant_make("Dana"), month=date(2026, 12, 1)))
    HouseholdLink.objects.create(
        first_id=min(renewal.pk, other.pk), second_id=max(renewal.pk, other.pk), who="registered"
    )
    CaseWarning.objects.filter(application=renewal).update(status=WarningStatus.CLOSED)
    renewal.refresh_from_db()

    blockers = automation_blockers(
        application=renewal, proposal=Proposal.objects.get(application=renewal)
    )
    assert blockers == ["household_link"]
    with django_capture_on_commit_callbacks(execute=True):
        assert automated_decision_try(application=renewal) is None
    renewal.refresh_from_db()
    assert renewal.status == Status.AWAITING_CASEWORKER


# --- the pages: both case pages, the decision form, the resolution, the queue ------------------


def test_both_case_pages_show_the_link_and_the_form_refuses_the_approval(
    linked: tuple[Application, Application], caseworker: User
) -> None:
    hers, his = linked
    client = client_for(caseworker)
    for case, other in ((hers, his), (his, hers)):
        page = client.get(reverse("caseworker:case_detail", args=[case.pk])).content.decode()
        assert 'id="case-household"' in page
        assert f"Kopplat till ärende {other.reference}" in page
        assert reverse("caseworker:case_household_link", args=[case.pk]) in page
    acknowledge_all(hers, caseworker)
    response = client.post(
        reverse("caseworker:case_detail", args=[hers.pk]),
        {"outcome": "approved", "reason": "Behovet är styrkt.", "track": "work"},
    )
    assert response.status_code == 200
    assert f"Ärendet är kopplat till ärende {his.reference}" in response.content.decode()
    assert not Decision.objects.exists()


def test_the_queue_marks_and_filters_the_linked_cases_until_resolved(
    linked: tuple[Application, Application],
    caseworker: User,
    make_draft: Callable[..., Application],
    applicant: User,
    submit: Callable[[Application], Application],
) -> None:
    alone = submit(make_draft(applicant))
    client = client_for(caseworker)
    url = reverse("caseworker:queue")
    page = client.get(url).content.decode()
    assert page.count('class="marker household-linked"') == 2
    assert 'Kopplade till en annan ansökan, olösta <span class="count">(2)</span>' in page
    filtered = client.get(url, {"household": "linked"}).content.decode()
    assert all(case.reference in filtered for case in linked)
    assert alone.reference not in filtered

    household_link_resolve(
        application=linked[0],
        link_id=HouseholdLink.objects.get().pk,
        by=caseworker,
        resolution="separate",
        reason="Bilal bor hos sin bror sedan oktober.",
    )
    after = client.get(url, {"household": "linked"}).content.decode()
    assert not any(case.reference in after for case in linked)
    assert 'class="marker household-linked"' not in client.get(url).content.decode()


def test_a_caseworker_resolves_the_link_from_the_case_page(
    linked: tuple[Application, Application], caseworker: User
) -> None:
    hers, his = linked
    link = HouseholdLink.objects.get()
    client = client_for(caseworker)
    url = reverse("caseworker:case_household_link", args=[his.pk])
    refused = client.post(url, {"link": link.pk, "verdict": "keep_other", "reason": ""})
    assert refused.status_code == 200
    link.refresh_from_db()
    assert not link.resolved

    done = client.post(
        url, {"link": link.pk, "verdict": "keep_other", "reason": "Sambor, samma hyresavtal."}
    )
    assert done.status_code == 302
    link.refresh_from_db()
    assert (link.resolution, link.kept_id, link.resolved_by) == (
        "one_household",
        hers.pk,
        caseworker,
    )
    page = client.get(reverse("caseworker:case_detail", args=[his.pk])).content.decode()
    assert "Avgjort: Ett hushåll" in page
    assert f"Hushållets behov prövas i ärende {hers.reference}" in page


def test_a_link_of_another_case_cannot_be_resolved_through_this_one(
    linked: tuple[Application, Application],
    caseworker: User,
    applicant: User,
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
) -> None:
    unrelated = submit(make_draft(applicant))
    link = HouseholdLink.objects.get()
    client_for(caseworker).post(
        reverse("caseworker:case_household_link", args=[unrelated.pk]),
        {"link": link.pk, "verdict": "separate", "reason": "Fel ärende."},
    )
    link.refresh_from_db()
    assert not link.resolved


def test_a_month_under_a_standing_decision_is_not_approved_while_linked(
    settings: Any,
    submitted_application: Application,
    caseworker: User,
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
    django_capture_on_commit_callbacks: Callable,
) -> None:
    """Alva's three-month standing decision would approve December by itself; a link to
    another December application keeps the month for a caseworker."""
    acknowledge_all(submitted_application, caseworker)
    standing = decision_record(
        application=submitted_application,
        caseworker=caseworker,
        outcome="approved",
        amount=Proposal.objects.get(application=submitted_application).amount,
        reason="Beviljas enligt förslaget.",
        months=3,
    )
    other = submit(make_draft(applicant_make("Dana"), month=DECEMBER))
    settings.ROBOT_MODE = "celery"
    settings.CELERY_BROKER_URL = "memory://"
    with django_capture_on_commit_callbacks(execute=True):
        [december] = standing_decision_renewals_create(month=DECEMBER)
    december.refresh_from_db()
    assert december.standing_decision == standing and december.status == Status.SUBMITTED
    HouseholdLink.objects.create(first=other, second=december, who="registered")

    assert assessment_run(application_id=december.pk, worker_id="w1")
    december.refresh_from_db()
    assert december.status == Status.AWAITING_CASEWORKER
    assert not Decision.objects.filter(application=december).exists()


def test_a_decision_waiting_for_attest_is_not_signed_once_the_case_is_linked(
    submitted_application: Application,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    make_draft: Callable[..., Application],
    submit: Callable[[Application], Application],
) -> None:
    """The draft went to attest before the other application arrived; the second caseworker's
    signature is refused while the link is open."""
    novice = make_staff("introduktion", Role.CASEWORKER, trelleborg)
    novice.in_introduction = True
    novice.save(update_fields=["in_introduction"])
    acknowledge_all(submitted_application, caseworker)
    draft = decision_submit(
        application=submitted_application,
        caseworker=novice,
        outcome="approved",
        reason="Behovet är styrkt.",
        amount=Proposal.objects.get(application=submitted_application).amount,
    )
    assert not isinstance(draft, Decision)
    other = submit(make_draft(applicant_make("Dana")))
    HouseholdLink.objects.create(first=submitted_application, second=other, who="registered")
    submitted_application.refresh_from_db()

    with pytest.raises(DecisionInvalid, match="kopplat till ärende"):
        decision_draft_approve(application=submitted_application, by=caseworker)
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.AWAITING_SECOND_APPROVAL


def test_a_caseworker_who_may_not_see_the_other_case_sees_only_its_reference(
    linked: tuple[Application, Application], caseworker: User
) -> None:
    """The other case has a protected identity this caseworker may not handle: the page names
    its reference (as the robot's warning does) but not its status nor a way in, and the link
    is resolved by someone who may see both."""
    hers, his = linked
    Application.objects.filter(pk=his.pk).update(protected_identity=True)
    page = (
        client_for(caseworker)
        .get(reverse("caseworker:case_detail", args=[hers.pk]))
        .content.decode()
    )
    assert f"Kopplat till ärende {his.reference} för samma månad" in page
    assert (
        his.get_status_display() not in page.split('id="case-household"')[1].split("</section>")[0]
    )
    assert reverse("caseworker:case_detail", args=[his.pk]) not in page
    assert reverse("caseworker:case_household_link", args=[hers.pk]) not in page
    with pytest.raises(HouseholdLinkRefused, match="behörighet"):
        household_link_resolve(
            application=hers,
            link_id=HouseholdLink.objects.get().pk,
            by=caseworker,
            resolution="separate",
            reason="Två hushåll.",
        )
