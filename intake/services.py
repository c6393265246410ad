"""Writes to the application aggregate. `application_transition` is the only writer of status."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from accounts.identity import age_on
from accounts.models import Municipality, User
from intake import events
from intake.models import (
    AccessibilityFeedback,
    Application,
    ApplicationEvent,
    ApplicationKind,
    Decision,
    DeclaredIncome,
    HouseholdMember,
    MemberRole,
    Message,
    Signature,
)
from intake.states import Actor, ConcurrentTransition, Status, check_transition

logger = logging.getLogger(__name__)


class ApplicationIncomplete(Exception):
    pass


class NoCaseworkerAvailable(Exception):
    pass


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


@transaction.atomic
def application_transition(
    *,
    application: Application,
    to: Status,
    actor_kind: Actor,
    actor: User | None = None,
    reason: str = "",
    only_if: Q | None = None,
    updates: dict[str, Any] | None = None,
    refresh: bool = True,
) -> Application:
    """Move `application` from the status it had when read to `to`.

    Compare-and-set: the UPDATE is conditional on the status (and `only_if`), so two concurrent
    movers cannot both win, on SQLite as on PostgreSQL. Appends an event in the same transaction.
    """
    current = Status(application.status)
    check_transition(current, to, actor_kind)
    if current == Status.DRAFT and to == Status.SUBMITTED:
        # Whoever submits (applicant, partner, staff on behalf, a standing decision), the
        # declaration as signed is frozen on the row: the robot and the record read it from there.
        updates = {**(updates or {}), "declaration": declaration_freeze(application)}
    condition = Q(pk=application.pk, status=current)
    if only_if is not None:
        condition &= only_if
    fields: dict[str, Any] = {"status": to, "updated_at": timezone.now(), **(updates or {})}
    if Application.objects.filter(condition).update(**fields) != 1:
        raise ConcurrentTransition(f"{application.reference} is no longer {current}")
    ApplicationEvent.objects.create(
        application=application,
        from_status=current,
        to_status=to,
        actor_kind=actor_kind,
        actor=actor,
        reason=reason,
    )
    computed = [name for name, value in fields.items() if hasattr(value, "resolve_expression")]
    for name, value in fields.items():
        if name not in computed:
            setattr(application, name, value)
    if computed and refresh:
        application.refresh_from_db(fields=computed)
    return application


def declaration_freeze(application: Application) -> dict[str, Any]:
    """The household, incomes and the adults' needs screens as signed (JSON, amounts as text)."""

    def needs(member: HouseholdMember) -> dict[str, bool] | None:
        screen = getattr(member, "needs_screen", None)
        if screen is None:
            return None
        return {
            field.name: getattr(screen, field.name)
            for field in screen._meta.fields
            if field.get_internal_type() == "BooleanField"
        }

    return {
        "version": 1,
        "members": [
            {
                "role": m.role,
                "name": m.name,
                "personnummer": m.personnummer,
                "age": m.age,
                "preschool_lunch": m.preschool_lunch,
                "in_school": m.in_school,
                "needs": needs(m),
            }
            for m in application.members.select_related("needs_screen")
        ],
        "incomes": [{"type": i.type, "amount": str(i.amount)} for i in application.incomes.all()],
    }


def declared_members(application: Application) -> list[HouseholdMember]:
    """The members as signed (unsaved objects from the frozen declaration), or from the table
    for an application that was never frozen (a draft)."""
    frozen = (application.declaration or {}).get("members")
    if frozen is None:
        return list(application.members.all())
    return [
        HouseholdMember(
            application=application,
            role=m["role"],
            name=m["name"],
            personnummer=m["personnummer"],
            age=m["age"],
            preschool_lunch=m["preschool_lunch"],
            in_school=m["in_school"],
        )
        for m in frozen
    ]


def declared_incomes(application: Application) -> list[DeclaredIncome]:
    frozen = (application.declaration or {}).get("incomes")
    if frozen is None:
        return list(application.incomes.all())
    return [
        DeclaredIncome(application=application, type=i["type"], amount=Decimal(i["amount"]))
        for i in frozen
    ]


def declared_needs(application: Application) -> list[dict[str, bool]] | None:
    """The adults' needs answers as signed, or None when the declaration was not frozen."""
    frozen = (application.declaration or {}).get("members")
    if frozen is None:
        return None
    return [m["needs"] for m in frozen if m.get("needs") and m["role"] in ("applicant", "partner")]


@transaction.atomic
def application_start(
    *,
    applicant: User,
    municipality: Municipality,
    month: date,
    any_municipality: bool = True,
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


@transaction.atomic
def application_set_household(
    *, application: Application, applicant_name: str, others: list[MemberInput]
) -> None:
    _ensure_draft(application)
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
def application_set_incomes(*, application: Application, incomes: dict[str, Decimal]) -> None:
    _ensure_draft(application)
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


def owner_choose(*, municipality: Municipality, application: Application | None = None) -> User:
    """The caseworker who owns a newly submitted case: asked of the caseload capability
    (`events.owner_for_new_case`, answered by caseworker.caseload.ownership), which intake never
    imports. Raises NoCaseworkerAvailable when nobody can take it."""
    return events.owner_for_new_case.ask(
        events.OwnerQuery(municipality=municipality, application=application)
    )


def emergency_updates(application: Application, now: datetime) -> dict[str, Any]:
    """An emergency (no money for food today, an eviction or disconnection notice) is decided
    the same day: the deadline is counted in hours from when it was said."""
    if not application.is_emergency:
        return {}
    declared = application.emergency_declared_at or now
    due = declared + timedelta(hours=settings.EMERGENCY_DECISION_HOURS)
    if application.decision_due_at is not None:
        due = min(due, application.decision_due_at)
    return {"emergency_declared_at": declared, "decision_due_at": due}


def emergency_hand_over(application_id: int) -> None:
    """After commit: the case side handles an emergency (on-call owner, alerts):
    `events.emergency_submitted`."""
    events.emergency_submitted.publish(application_id)


@transaction.atomic
def application_submit(*, application: Application, applicant: User) -> Application:
    """Sign and submit. The robot is handed the application only after the commit.

    A joint application (a partner is declared) needs both adults' signatures: the applicant's
    signature is recorded and the application stays a draft, waiting for the partner, until the
    partner signs too (`application_partner_sign`).
    """
    reason = "Ansökan signerad och inskickad"
    if application.applicant_id != applicant.pk:
        # A god man, förvaltare or ombud signs for the applicant (#5, accounts.mandates).
        reason = representative_reason(application=application, user=applicant)
    partner = application.members.filter(role=MemberRole.PARTNER).first()
    if partner is not None and application.kind != ApplicationKind.SUPPLEMENTARY:
        _sign(application, application.applicant.personnummer or "")
        application.signatures.filter(personnummer=partner.personnummer).delete()
        Signature.objects.create(application=application, personnummer=partner.personnummer)
        return application
    return _submit_signed(application, actor=applicant, reason=reason)


def representative_reason(*, application: Application, user: User) -> str:
    """The event reason when a representative submits; refused without an active mandate."""
    from accounts.mandates import acting_label, mandate_for

    mandate = mandate_for(
        representative=user, principal_personnummer=application.applicant.personnummer or ""
    )
    if mandate is None:
        raise ApplicationIncomplete("Only the applicant or their representative can submit.")
    return f"Ansökan signerad och inskickad av {acting_label(user=user, mandate=mandate)}"


def _sign(application: Application, personnummer: str) -> None:
    Signature.objects.update_or_create(
        application=application,
        personnummer=personnummer,
        defaults={"signed_at": timezone.now(), "declined_at": None, "note": ""},
    )


def _submit_signed(
    application: Application, *, actor: User, reason: str = "Ansökan signerad och inskickad"
) -> Application:
    now = timezone.now()
    application = application_transition(
        application=application,
        to=Status.SUBMITTED,
        actor_kind=Actor.APPLICANT,
        actor=actor,
        reason=reason,
        updates={
            "declaration_accepted_at": now,
            "submitted_at": now,
            "robot_requested_at": now,
            "owner": owner_choose(municipality=application.municipality, application=application),
            **emergency_updates(application, now),
        },
    )
    transaction.on_commit(partial(hand_over_to_robot, application.pk), robust=True)
    if application.is_emergency:
        transaction.on_commit(partial(emergency_hand_over, application.pk), robust=True)
    return application


def hand_over_to_robot(application_id: int) -> None:
    """After commit: the robot takes the application (`events.application_submitted`)."""
    events.application_submitted.publish(application_id)


@transaction.atomic
def application_withdraw(*, application: Application, applicant: User) -> Application:
    return application_transition(
        application=application,
        to=Status.WITHDRAWN,
        actor_kind=Actor.APPLICANT,
        actor=applicant,
        reason="Återtagen av sökande",
    )


@dataclass(frozen=True)
class BulkTransition:
    """One application's part of ``applications_transition_many``."""

    application: Application
    reason: str
    updates: dict[str, Any]


def applications_transition_many(
    *,
    items: list[BulkTransition],
    from_status: Status,
    to: Status,
    actor_kind: Actor,
    only_if: Q | None = None,
) -> None:
    """``application_transition`` for many applications in one UPDATE and one INSERT of events.

    All or nothing: when any row is no longer ``from_status`` (or fails ``only_if``) nothing is
    changed and ConcurrentTransition is raised (the caller rolls back and goes one by one).
    Every item must set the same fields in ``updates``.
    """
    if not items:
        return
    check_transition(from_status, to, actor_kind)
    names = list(items[0].updates)
    ids = [item.application.pk for item in items]
    fields: dict[str, Any] = {"status": to, "updated_at": timezone.now()}
    for name in names:
        values = [item.updates[name] for item in items]
        if all(value == values[0] for value in values):
            fields[name] = values[0]
            continue
        field = Application._meta.get_field(name)
        fields[name] = Case(
            *(When(pk=i.application.pk, then=Value(i.updates[name], field)) for i in items),
            output_field=field,
        )
    condition = Q(pk__in=ids, status=from_status)
    if only_if is not None:
        condition &= only_if
    with transaction.atomic():
        if Application.objects.filter(condition).update(**fields) != len(ids):
            raise ConcurrentTransition(f"{len(ids)} applications are no longer {from_status}")
        ApplicationEvent.objects.bulk_create(
            [
                ApplicationEvent(
                    application=item.application,
                    from_status=from_status,
                    to_status=to,
                    actor_kind=actor_kind,
                    reason=item.reason,
                )
                for item in items
            ]
        )
    for item in items:
        item.application.status = to
        for name in names:
            setattr(item.application, name, item.updates[name])


@transaction.atomic
def application_submit_for_standing_decision(*, application: Application) -> Application:
    """The system submits the monthly renewal a standing decision created."""
    now = timezone.now()
    application = application_transition(
        application=application,
        to=Status.SUBMITTED,
        actor_kind=Actor.SYSTEM,
        reason="Månadens ansökan enligt stående beslut",
        updates={
            "submitted_at": now,
            "robot_requested_at": now,
            "owner": application.previous.owner
            if application.previous
            else owner_choose(municipality=application.municipality, application=application),
        },
    )
    transaction.on_commit(partial(hand_over_to_robot, application.pk), robust=True)
    return application


# --- Joint applications, drafts, supplements and messages (issue #5) ------------------------


class SignatureState(StrEnum):
    NOT_JOINT = "not_joint"
    UNSIGNED = "unsigned"  # nobody has signed yet
    AWAITING_PARTNER = "awaiting_partner"  # "Väntar på partnerns underskrift"
    PARTNER_DECLINED = "partner_declined"
    SIGNED = "signed"


def application_signature_state(application: Application) -> SignatureState:
    """What a joint draft waits for (a selector: reads only)."""
    partner = application.members.filter(role=MemberRole.PARTNER).first()
    if partner is None:
        return SignatureState.NOT_JOINT
    partner_signature = application.signatures.filter(personnummer=partner.personnummer).first()
    if partner_signature is not None and partner_signature.declined_at is not None:
        return SignatureState.PARTNER_DECLINED
    if partner_signature is not None and partner_signature.signed_at is not None:
        return SignatureState.SIGNED
    applicant_signed = application.signatures.filter(
        personnummer=application.applicant.personnummer, signed_at__isnull=False
    ).exists()
    return SignatureState.AWAITING_PARTNER if applicant_signed else SignatureState.UNSIGNED


def _partner_of(application: Application, partner: User) -> HouseholdMember:
    member = application.members.filter(
        role=MemberRole.PARTNER, personnummer=partner.personnummer or "-"
    ).first()
    if member is None or application.status != Status.DRAFT:
        raise ApplicationIncomplete("Only the declared partner can sign a draft.")
    if application_signature_state(application) != SignatureState.AWAITING_PARTNER:
        raise ApplicationIncomplete("The applicant has not signed (again) yet.")
    return member


@transaction.atomic
def application_partner_sign(*, application: Application, partner: User) -> Application:
    """The partner signs with their own e-ID; with both signatures the application is sent."""
    Application.objects.select_for_update().filter(pk=application.pk).first()
    member = _partner_of(application, partner)
    _sign(application, member.personnummer)
    return _submit_signed(application, actor=partner)


@transaction.atomic
def application_partner_decline(*, application: Application, partner: User, note: str) -> None:
    """The partner declines: the application stays a draft; the applicant is told and may
    change the household (for example apply alone) and sign again."""
    member = _partner_of(application, partner)
    application.signatures.filter(personnummer=member.personnummer).update(
        declined_at=timezone.now(), signed_at=None, note=note[:2000]
    )
    application.signatures.exclude(personnummer=member.personnummer).update(signed_at=None)


@transaction.atomic
def application_touch(*, application: Application) -> None:
    """A draft's answers changed: record the save time and void any signatures on it (a
    signature covers the answers as they were)."""
    _ensure_draft(application)
    application.updated_at = timezone.now()
    Application.objects.filter(pk=application.pk).update(updated_at=application.updated_at)
    application.signatures.filter(declined_at__isnull=True).delete()


def application_months_open(*, today: date, opens_day: int) -> list[date]:
    """The months a household may apply for on `today`: the current month, and from the
    municipality's opening day (e.g. the 15th) also the next month."""
    current = first_of_month(today)
    return [current, next_month(current)] if today.day >= opens_day else [current]


@transaction.atomic
def application_supplement_send(*, application: Application, applicant: User) -> Application:
    """The applicant has sent what the caseworker asked for: the case goes back to them."""
    if application.applicant_id != applicant.pk:
        raise ApplicationIncomplete("Only the applicant can send a supplement.")
    return application_transition(
        application=application,
        to=Status.AWAITING_CASEWORKER,
        actor_kind=Actor.APPLICANT,
        actor=applicant,
        reason="Sökanden har skickat komplettering",
    )


@transaction.atomic
def message_send(*, application: Application, author: User, body: str) -> Message:
    """A message on the case, from the applicant or the caseworker (both sides call this)."""
    body = body.strip()
    if not body:
        raise ApplicationIncomplete("A message needs a text.")
    return Message.objects.create(application=application, author=author, body=body[:4000])


@transaction.atomic
def messages_mark_read(*, application: Application, reader: User) -> int:
    """Mark the other side's messages as read by `reader`."""
    return (
        application.messages.filter(read_at__isnull=True)
        .exclude(author=reader)
        .update(read_at=timezone.now())
    )


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


@transaction.atomic
def feedback_record(*, message: str, page: str = "", contact: str = "") -> AccessibilityFeedback:
    return AccessibilityFeedback.objects.create(
        message=message.strip()[:4000], page=page.strip()[:300], contact=contact.strip()[:200]
    )
