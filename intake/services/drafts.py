"""A draft and its answers: starting (new, renewal prefilled from last month, supplementary),
the household, costs, incomes and assets, and the months one may apply for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts import events as accounts_events
from accounts.identity import age_on
from accounts.models import Municipality, User
from intake.models import (
    Application,
    ApplicationKind,
    Decision,
    DeclaredIncome,
    HouseholdMember,
    IncomeType,
    MemberRole,
)
from intake.services.lifecycle import (
    ApplicationIncomplete,
    first_of_month,
    next_month,
    previous_month,
)
from intake.states import Status


@transaction.atomic
def application_start(
    *,
    applicant: User,
    municipality: Municipality,
    month: date,
    any_municipality: bool = True,
    as_partner_too: bool = False,
) -> Application:
    """Start (or resume) the applicant's application for `month`.

    One live application per person, municipality and month. The applicant resumes their own
    application wherever it is (`any_municipality`); staff registering for a person look only in
    their own municipality (another municipality's cases are another authority's secret).
    Nothing here tells anyone about *other* people's applications: that someone in the household
    is in another application of the month is for the robot to find and the municipality's
    caseworkers to resolve (#14).

    When the household applied for the month before, this is a renewal prefilled from that
    application ("has anything changed?"); otherwise a new application with the applicant as
    first member.
    """
    month = first_of_month(month)
    if as_partner_too and applicant.personnummer:
        # The person's own start: when they are already the partner in the month's joint
        # application, that one, not a second one for the household (stranger run, #17).
        joint = (
            Application.objects.filter(
                month=month,
                members__role=MemberRole.PARTNER,
                members__personnummer=applicant.personnummer,
            )
            .exclude(applicant=applicant)
            .exclude(status=Status.WITHDRAWN)
            .exclude(kind=ApplicationKind.SUPPLEMENTARY)
            .filter(Q(signatures__personnummer=applicant.personnummer) | ~Q(status=Status.DRAFT))
            .first()
        )
        if joint is not None:
            return joint
    own = Application.objects.filter(applicant=applicant, month=month)
    if not any_municipality:
        own = own.filter(municipality=municipality)
    live = own.exclude(status=Status.WITHDRAWN).exclude(kind=ApplicationKind.SUPPLEMENTARY)
    existing = live.first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return _application_create(applicant=applicant, municipality=municipality, month=month)
    except IntegrityError:
        # An identical request (a double click) created it a moment before: that one it is.
        existing = live.first()
        if existing is None:
            raise
        return existing


def _application_create(*, applicant: User, municipality: Municipality, month: date) -> Application:
    previous = (
        Application.objects.filter(applicant=applicant, month=previous_month(month))
        .exclude(status__in=[Status.DRAFT, Status.WITHDRAWN])
        .exclude(kind=ApplicationKind.SUPPLEMENTARY)
        .first()
    )
    if previous is not None:
        return application_renew(previous=previous, month=month)
    application = Application.objects.create(
        applicant=applicant, municipality=municipality, month=month, kind=ApplicationKind.NEW
    )
    HouseholdMember.objects.create(
        application=application,
        role=MemberRole.APPLICANT,
        name=applicant.display_name() if applicant.get_full_name() else "",
        personnummer=applicant.personnummer or "",
        age=age_on(applicant.personnummer or "", month),
    )
    return application


COPIED_FIELDS = (
    "rent",
    "electricity",
    "home_insurance",
    "work_travel",
    "union_fee",
    "unemployment_fund_fee",
    "savings",
    "owns_vehicle",
    "vehicle_value",
    "owns_property",
    "property_value",
)


@transaction.atomic
def application_renew(
    *, previous: Application, month: date, standing_decision: Decision | None = None
) -> Application:
    """A renewal draft for `month`, prefilled from `previous` (members, costs, incomes, assets)."""
    application = Application.objects.create(
        applicant_id=previous.applicant_id,
        municipality_id=previous.municipality_id,
        month=first_of_month(month),
        kind=ApplicationKind.RENEWAL,
        previous=previous,
        standing_decision=standing_decision,
        **{name: getattr(previous, name) for name in COPIED_FIELDS},
        answered_steps=list(STEP_KEYS),  # last month's answers, confirmed by "anything changed?"
    )
    HouseholdMember.objects.bulk_create(
        HouseholdMember(
            application=application,
            role=m.role,
            name=m.name,
            personnummer=m.personnummer,
            age=age_on(m.personnummer, application.month),
            preschool_lunch=m.preschool_lunch,
            in_school=m.in_school,
        )
        for m in previous.members.all()
    )
    DeclaredIncome.objects.bulk_create(
        DeclaredIncome(application=application, type=i.type, amount=i.amount)
        for i in previous.incomes.all()
    )
    return application


@transaction.atomic
def application_start_supplementary(*, applicant: User, supplements: Application) -> Application:
    """A supplementary application: more costs for a month already applied for."""
    if supplements.applicant_id != applicant.pk or supplements.status in (
        Status.DRAFT,
        Status.WITHDRAWN,
    ):
        raise ApplicationIncomplete(
            "Only a submitted application of one's own can be supplemented."
        )
    application = Application.objects.create(
        applicant=applicant,
        municipality_id=supplements.municipality_id,
        month=supplements.month,
        kind=ApplicationKind.SUPPLEMENTARY,
        supplements=supplements,
        previous=supplements,
        **{name: getattr(supplements, name) for name in COPIED_FIELDS},
    )
    HouseholdMember.objects.bulk_create(
        HouseholdMember(
            application=application,
            role=m.role,
            name=m.name,
            personnummer=m.personnummer,
            age=m.age,
            preschool_lunch=m.preschool_lunch,
            in_school=m.in_school,
        )
        for m in supplements.members.all()
    )
    DeclaredIncome.objects.bulk_create(
        DeclaredIncome(application=application, type=i.type, amount=i.amount)
        for i in supplements.incomes.all()
    )
    return application


@dataclass(frozen=True)
class MemberInput:
    role: str
    name: str
    personnummer: str
    preschool_lunch: bool = False
    in_school: bool = False


def _ensure_draft(application: Application) -> None:
    if application.status != Status.DRAFT:
        raise ApplicationIncomplete("Only a draft can be changed.")


class HouseholdInvalid(Exception):
    """One person twice in the household (the applicant as their own partner, a child twice):
    said to the applicant, never a database error."""


PARTNER_MIN_AGE = 18  # a spouse or sambo in the household norm is an adult (SoL 4 kap. 1 §)
CHILD_MAX_AGE = 20  # children count in the household until 21 (in upper secondary school)
PRESCHOOL_MAX_AGE = 6  # lunch in preschool (the norm's supplement) is for children 0–6


def _check_plausible(member: MemberInput, age: int) -> None:
    """Plausibility of a person's role for their age (the personnummer gives the birth date)."""
    if age < 0:
        raise HouseholdInvalid(
            gettext(
                "Enligt personnumret är %(name)s inte född än i den månad du ansöker för. "
                "Kontrollera personnumret."
            )
            % {"name": member.name}
        )
    if member.role == MemberRole.PARTNER and age < PARTNER_MIN_AGE:
        raise HouseholdInvalid(
            gettext(
                "Enligt personnumret är %(name)s %(age)s år. En partner i ansökan ska vara minst "
                "18 år: kontrollera personnumret."
            )
            % {"name": member.name, "age": age}
        )
    if member.role == MemberRole.CHILD and member.preschool_lunch and age > PRESCHOOL_MAX_AGE:
        raise HouseholdInvalid(
            gettext(
                "Enligt personnumret är %(name)s %(age)s år. Lunch i förskolan gäller barn upp "
                "till 6 år: ta bort den bocken."
            )
            % {"name": member.name, "age": age}
        )
    if member.role == MemberRole.CHILD and age > CHILD_MAX_AGE:
        raise HouseholdInvalid(
            gettext(
                "Enligt personnumret är %(name)s %(age)s år. Barn i ansökan ska vara under 21 år; "
                "vuxna barn ansöker själva. Kontrollera personnumret."
            )
            % {"name": member.name, "age": age}
        )


@transaction.atomic
def application_set_payment_account(*, application: Application, bank_account: str) -> None:
    """The account the applicant wants the money paid to (kept on the person, for every month;
    blank: no account, the caseworker arranges another way). `bank_account` is checked."""
    _ensure_draft(application)
    applicant = application.applicant
    if applicant.bank_account != bank_account:
        applicant.bank_account = bank_account
        applicant.save(update_fields=["bank_account"])
        if bank_account:
            accounts_events.bank_account_given.publish(applicant.pk)


@transaction.atomic
def application_prefill_incomes(*, application: Application, incomes: dict[str, Decimal]) -> None:
    """Propose the incomes a register reported (shown as "we fetched"); the applicant confirms
    or changes them, with a reason when changed."""
    _ensure_draft(application)
    known = {kind: amount for kind, amount in incomes.items() if kind in IncomeType.values}
    application_set_incomes(application=application, incomes=known)
    application.prefilled_incomes = {kind: str(amount) for kind, amount in known.items()}
    application.save(update_fields=["prefilled_incomes"])


@transaction.atomic
def application_change_municipality(
    *, application: Application, municipality: Municipality
) -> None:
    """The applicant moved the draft to another municipality (from check answers)."""
    _ensure_draft(application)
    if application.municipality_id == municipality.pk:
        return
    application.municipality = municipality
    application.updated_at = timezone.now()
    application.save(update_fields=["municipality", "updated_at"])


@transaction.atomic
def application_set_household(
    *, application: Application, applicant_name: str, others: list[MemberInput]
) -> None:
    _ensure_draft(application)
    seen = {application.applicant.personnummer} if application.applicant.personnummer else set()
    for member in others:
        if not member.personnummer:
            continue
        if member.personnummer == application.applicant.personnummer:
            raise HouseholdInvalid(
                gettext("Personnumret är ditt eget: skriv den andra personens personnummer.")
            )
        if member.personnummer in seen:
            raise HouseholdInvalid(
                gettext("Samma personnummer står två gånger i hushållet: kontrollera det.")
            )
        seen.add(member.personnummer)
        _check_plausible(member, age_on(member.personnummer, application.month))
    application.members.filter(role=MemberRole.APPLICANT).update(name=applicant_name)
    application.members.exclude(role=MemberRole.APPLICANT).delete()
    HouseholdMember.objects.bulk_create(
        HouseholdMember(
            application=application,
            role=m.role,
            name=m.name,
            personnummer=m.personnummer,
            age=age_on(m.personnummer, application.month),
            preschool_lunch=m.preschool_lunch,
            in_school=m.in_school,
        )
        for m in others
    )


COST_FIELDS = (
    "rent",
    "electricity",
    "home_insurance",
    "work_travel",
    "union_fee",
    "unemployment_fund_fee",
)


ASSET_FIELDS = ("savings", "owns_vehicle", "vehicle_value", "owns_property", "property_value")


@transaction.atomic
def application_set_costs(*, application: Application, costs: dict[str, Decimal]) -> None:
    _ensure_draft(application)
    for name in COST_FIELDS:
        setattr(application, name, costs.get(name) or Decimal(0))
    application.save(update_fields=[*COST_FIELDS, "updated_at"])


@transaction.atomic
def application_set_incomes(
    *, application: Application, incomes: dict[str, Decimal], change_note: str | None = None
) -> None:
    _ensure_draft(application)
    if change_note is not None and change_note != application.income_change_note:
        application.income_change_note = change_note[:2000]
        application.save(update_fields=["income_change_note"])
    application.incomes.all().delete()
    DeclaredIncome.objects.bulk_create(
        DeclaredIncome(application=application, type=kind, amount=amount)
        for kind, amount in incomes.items()
        if amount
    )


@transaction.atomic
def application_set_assets(*, application: Application, assets: dict[str, Any]) -> None:
    _ensure_draft(application)
    for name in ASSET_FIELDS:
        setattr(
            application,
            name,
            assets.get(name) or (False if name.startswith("owns") else Decimal(0)),
        )
    application.save(update_fields=[*ASSET_FIELDS, "updated_at"])


STEP_KEYS = (
    "household",
    "partner",
    "children",
    "housing",
    "other_costs",
    "incomes",
    "assets",
    "payment",
    "attachments",
)


@transaction.atomic
def application_touch(*, application: Application, answered: str = "") -> None:
    """A draft's answers changed: record the save time, the step answered (for check answers
    and for resuming), and void any signatures on it (a signature covers the answers as they
    were)."""
    _ensure_draft(application)
    application.updated_at = timezone.now()
    fields: dict[str, Any] = {"updated_at": application.updated_at}
    if answered in STEP_KEYS and answered not in application.answered_steps:
        application.answered_steps = [*application.answered_steps, answered]
        fields["answered_steps"] = application.answered_steps
    Application.objects.filter(pk=application.pk).update(**fields)
    application.signatures.filter(declined_at__isnull=True).delete()


def application_months_open(*, today: date, opens_day: int) -> list[date]:
    """The months a household may apply for on `today`: the current month, and from the
    municipality's opening day (e.g. the 15th) also the next month."""
    current = first_of_month(today)
    return [current, next_month(current)] if today.day >= opens_day else [current]


@transaction.atomic
def application_prefill_household(
    *, application: Application, members: list[MemberInput], source: str
) -> None:
    """Propose the household from a register; the applicant confirms or changes it."""
    _ensure_draft(application)
    applicant_name = application.members.get(role=MemberRole.APPLICANT).name
    application_set_household(
        application=application, applicant_name=applicant_name, others=members
    )
    Application.objects.filter(pk=application.pk).update(household_source=source)
    application.household_source = source
