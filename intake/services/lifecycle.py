"""The application's life cycle: the only writer of its status (`application_transition`: lock,
check the table in intake.states, save, append an event), the declaration frozen at signing,
submitting, withdrawing, and the hand-overs after commit (the robot, an emergency, the owner:
intake.events)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Field, Q, Value, When
from django.utils import timezone

from accounts.mandates import acting_label, mandate_for
from accounts.models import Municipality, User
from accounts.signing import SignedEvidence
from intake import events
from intake.models import (
    Application,
    ApplicationEvent,
    ApplicationKind,
    DeclaredIncome,
    HouseholdMember,
    MemberRole,
    Signature,
    SignatureMethod,
)
from intake.states import Actor, ConcurrentTransition, Status, check_transition
from kernel.working_days import is_working_day


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
    if current == Status.DRAFT and to == Status.SUBMITTED and "declaration" not in (updates or {}):
        # Whoever submits (applicant, partner, staff on behalf, a standing decision), the
        # declaration as signed is frozen on the row: the robot and the record read it from there.
        # (A caller that froze it already, to sign it, passes it in `updates`.)
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


def owner_choose(
    *,
    municipality: Municipality,
    application: Application | None = None,
    preferred: User | None = None,
) -> User:
    """The caseworker who owns a newly submitted case: asked of the caseload capability
    (`events.owner_for_new_case`, answered by caseworker.caseload.ownership), which intake never
    imports. `preferred` keeps the case when they may own it. Raises NoCaseworkerAvailable when
    nobody can take it."""
    return events.owner_for_new_case.ask(
        events.OwnerQuery(municipality=municipality, application=application, preferred=preferred)
    )


# Said less than this before the office closes, an emergency is the on-call service's.
EMERGENCY_OFFICE_MINIMUM = timedelta(hours=1)


@dataclass(frozen=True)
class EmergencyDeadline:
    due: datetime
    after_hours: bool  # the applicant is told to call the on-call service until then
    phone: str  # the municipality's on-call number ("" when none is recorded)


def emergency_deadline(declared: datetime, municipality: Municipality) -> EmergencyDeadline:
    """When an emergency said at `declared` must be decided, following the municipality's
    office hours (working days, so not on a public or de facto holiday, `office_opens`–
    `office_closes`):

    - said in office hours, with at least an hour left: within EMERGENCY_DECISION_HOURS, and
      before the office closes;
    - otherwise (evening, night, weekend, the last hour): the on-call service (socialjouren,
      `on_call_phone`) is the channel meanwhile, and the decision comes the next morning at
      the latest (`emergency_morning_deadline`; the same morning when said before it).
    """
    local = timezone.localtime(declared)
    zone = local.tzinfo
    closes = datetime.combine(local.date(), municipality.office_closes, tzinfo=zone)
    in_office = (
        is_working_day(local.date())
        and municipality.office_opens <= local.time() < municipality.office_closes
        and closes - local >= EMERGENCY_OFFICE_MINIMUM
    )
    if in_office:
        due = min(declared + timedelta(hours=settings.EMERGENCY_DECISION_HOURS), closes)
        return EmergencyDeadline(due=due, after_hours=False, phone=municipality.on_call_phone)
    morning = datetime.combine(local.date(), municipality.emergency_morning_deadline, tzinfo=zone)
    if local >= morning:
        morning = datetime.combine(
            local.date() + timedelta(days=1), municipality.emergency_morning_deadline, tzinfo=zone
        )
    return EmergencyDeadline(due=morning, after_hours=True, phone=municipality.on_call_phone)


def emergency_deadline_of(application: Application) -> EmergencyDeadline | None:
    """The deadline an open emergency case was given (None for any other case)."""
    if not application.is_emergency or application.emergency_declared_at is None:
        return None
    found = emergency_deadline(application.emergency_declared_at, application.municipality)
    due = application.decision_due_at or found.due  # as stored (never later than `found`)
    return EmergencyDeadline(due=due, after_hours=found.after_hours, phone=found.phone)


def emergency_updates(application: Application, now: datetime) -> dict[str, Any]:
    """An emergency (no money for food today, an eviction or disconnection notice) is decided
    at once: within hours in office hours, by the next morning at the latest outside them
    (`emergency_deadline`)."""
    if not application.is_emergency:
        return {}
    declared = application.emergency_declared_at or now
    due = emergency_deadline(declared, application.municipality).due
    if application.decision_due_at is not None:
        due = min(due, application.decision_due_at)
    return {"emergency_declared_at": declared, "decision_due_at": due}


def emergency_hand_over(application_id: int) -> None:
    """After commit: the case side handles an emergency (on-call owner, alerts):
    `events.emergency_submitted`."""
    events.emergency_submitted.publish(application_id)


@transaction.atomic
def application_submit(
    *,
    application: Application,
    applicant: User,
    evidence: SignedEvidence | None = None,
    signed_text: str = "",
    declaration: dict[str, Any] | None = None,
) -> Application:
    """Sign and submit. The robot is handed the application only after the commit.

    The signature is recorded with its evidence (`evidence`: BankID's answer, or None for a
    test signature; `signed_text`: what the signer was shown). A joint application (a partner
    is declared) needs both adults' signatures: the applicant's signature is recorded and the
    application stays a draft, waiting for the partner, until the partner signs too
    (`application_partner_sign`). `declaration`: the household and incomes as frozen for this
    signing (`declaration_freeze`), when the caller read them already; the members are read
    once per submit (#20 d).
    """
    reason = "Ansökan signerad och inskickad"
    if application.applicant_id != applicant.pk:
        # A god man, förvaltare or ombud signs for the applicant (#5, accounts.mandates).
        reason = representative_reason(application=application, user=applicant)
    else:
        application.applicant = applicant  # the signer: not read again for the personnummer
    if declaration is None:
        declaration = declaration_freeze(application)
    partner = next(
        (m["personnummer"] for m in declaration["members"] if m["role"] == MemberRole.PARTNER),
        None,
    )
    signature_record(
        application,
        application.applicant.personnummer or "",
        evidence=evidence,
        signed_text=signed_text,
    )
    if partner is not None and application.kind != ApplicationKind.SUPPLEMENTARY:
        # A new signing round after a decline; the same round when the applicant signs again
        # (a reload): the partner is asked once per round (`partner_signature_requested`).
        application.signatures.filter(personnummer=partner, declined_at__isnull=False).delete()
        Signature.objects.get_or_create(application=application, personnummer=partner)
        transaction.on_commit(
            partial(events.partner_signature_requested.publish, application.pk), robust=True
        )
        return application
    return application_submit_signed(
        application, actor=applicant, reason=reason, declaration=declaration
    )


def representative_reason(*, application: Application, user: User) -> str:
    """The event reason when a representative submits; refused without an active mandate."""

    mandate = mandate_for(
        representative=user, principal_personnummer=application.applicant.personnummer or ""
    )
    if mandate is None:
        raise ApplicationIncomplete("Only the applicant or their representative can submit.")
    return f"Ansökan signerad och inskickad av {acting_label(user=user, mandate=mandate)}"


def signature_record(
    application: Application,
    personnummer: str,
    *,
    evidence: SignedEvidence | None = None,
    signed_text: str = "",
) -> None:
    """`personnummer` signed `application` now (for a representative: the applicant's number;
    the evidence names who signed). Without BankID evidence it is a test signature."""
    proof = evidence or SignedEvidence(method=SignatureMethod.TEST, personnummer=personnummer)
    fields = {
        "signed_at": timezone.now(),
        "declined_at": None,
        "note": "",
        "method": proof.method,
        "signer_name": proof.name[:200],
        "bankid_order_ref": proof.order_ref,
        "bankid_signature": proof.signature,
        "bankid_ocsp_response": proof.ocsp_response,
        "ocsp_verified": proof.ocsp_good,
        "bankid_issue_date": proof.bankid_issue_date[:10],
        "device_ip": proof.device_ip or None,
        "signed_text_sha256": (
            hashlib.sha256(signed_text.encode("utf-8")).hexdigest() if signed_text else ""
        ),
    }
    # One statement (INSERT … ON CONFLICT DO UPDATE on the one-signature-per-person key),
    # where update_or_create took a SELECT FOR UPDATE, an INSERT and two savepoints.
    Signature.objects.bulk_create(
        [Signature(application=application, personnummer=personnummer, **fields)],
        update_conflicts=True,
        unique_fields=["application", "personnummer"],
        update_fields=list(fields),
    )


def application_submit_signed(
    application: Application,
    *,
    actor: User,
    reason: str = "Ansökan signerad och inskickad",
    declaration: dict[str, Any] | None = None,
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
            **({"declaration": declaration} if declaration is not None else {}),
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
        if not isinstance(field, Field):
            raise TypeError(f"{name} is not a column of Application")
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
            "owner": owner_choose(
                municipality=application.municipality,
                application=application,
                preferred=application.previous.owner if application.previous else None,
            ),
        },
    )
    transaction.on_commit(partial(hand_over_to_robot, application.pk), robust=True)
    return application


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
