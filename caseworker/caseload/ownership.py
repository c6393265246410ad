"""Who owns a case (#7): automatic assignment by weighted caseload with a ceiling, continuity,
and stand-ins during absence (cases, reminders and referrals move and move back).

Every submitted case has an owner at every moment: `intake.Application` has the database
constraint `submitted_application_has_owner` (owner required unless draft or withdrawn). A draft
is not a case yet: nobody at the municipality sees it until it is submitted, and submitting
chooses the owner in the same UPDATE that changes the status. The chooser never returns nobody:
when everyone is at the ceiling the least-loaded caseworker gets the case anyway and the team
leads are alerted.

`owner_choose_weighted` is what `intake.services.owner_choose` calls (settings.OWNER_CHOOSER).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.events import StaffAccessNarrowed
from accounts.models import CASE_HANDLING_ROLES, Municipality, Role, User
from accounts.reference_cache import cached
from caseworker.audit.log import journal_write
from caseworker.models.audit import JournalCategory
from caseworker.models.caseload import (
    AlertKind,
    CaseworkerProfile,
    OwnershipSettings,
    Referral,
    Reminder,
    StaffAlert,
)
from eligibility.models import CaseWarning, WarningStatus
from intake.events import OwnerQuery
from intake.models import Application, ApplicationKind, HouseholdMember, MemberRole
from intake.services import NoCaseworkerAvailable, previous_month
from intake.states import OPEN_STATUSES
from kernel.compiled import CompiledQuery
from kernel.text import decimal_text
from meetings.models import Absence, Meeting

logger = logging.getLogger(__name__)


# Markers for CompiledQuery: no row has these ids, no application this month.
MARKER_ID = -7_310_000_000_001
MARKER_OTHER_ID = -7_310_000_000_002
MARKER_MONTH = date(1001, 1, 1)


@dataclass(frozen=True)
class Weights:
    base: Decimal
    first_application: Decimal
    open_warning: Decimal
    open_warnings_max: int
    children: Decimal
    protected_identity: Decimal
    interpreter: Decimal
    emergency: Decimal


def weights() -> Weights:
    raw = settings.CASELOAD_WEIGHTS
    return Weights(
        base=Decimal(str(raw["base"])),
        first_application=Decimal(str(raw["first_application"])),
        open_warning=Decimal(str(raw["open_warning"])),
        open_warnings_max=int(raw["open_warnings_max"]),
        children=Decimal(str(raw["children"])),
        protected_identity=Decimal(str(raw["protected_identity"])),
        interpreter=Decimal(str(raw["interpreter"])),
        emergency=Decimal(str(raw["emergency"])),
    )


@dataclass(frozen=True)
class CaseFacts:
    """What makes a case heavier than another."""

    first_application: bool = False
    open_warnings: int = 0
    children: bool = False
    protected_identity: bool = False
    interpreter: bool = False
    emergency: bool = False


def case_weight(facts: CaseFacts, w: Weights | None = None) -> Decimal:
    w = w or weights()
    total = w.base
    if facts.first_application:
        total += w.first_application
    total += w.open_warning * min(facts.open_warnings, w.open_warnings_max)
    if facts.children:
        total += w.children
    if facts.protected_identity:
        total += w.protected_identity
    if facts.interpreter:
        total += w.interpreter
    if facts.emergency:
        total += w.emergency
    return total


class _FactsAnnotations(TypedDict):
    n_warnings: Coalesce
    has_children: Exists
    has_interpreter: Exists


def _facts_annotations() -> _FactsAnnotations:
    return {
        "n_warnings": Coalesce(
            Subquery(
                CaseWarning.objects.filter(application=OuterRef("pk"), status=WarningStatus.OPEN)
                .values("application")
                .annotate(n=Count("pk"))
                .values("n")[:1],
                output_field=IntegerField(),
            ),
            0,
        ),
        "has_children": Exists(
            HouseholdMember.objects.filter(application=OuterRef("pk"), role=MemberRole.CHILD)
        ),
        "has_interpreter": Exists(
            Meeting.objects.filter(application=OuterRef("pk"), cancelled_at__isnull=True).exclude(
                interpreter_language=""
            )
        ),
    }


def _facts_of_row(row: dict[str, Any]) -> CaseFacts:
    return CaseFacts(
        first_application=row["kind"] == ApplicationKind.NEW and row["previous_id"] is None,
        open_warnings=int(row["n_warnings"] or 0),
        children=bool(row["has_children"]),
        protected_identity=bool(row["protected_identity"]),
        interpreter=bool(row["has_interpreter"]),
        emergency=bool(
            row["emergency_no_food"]
            or row["emergency_eviction_notice"]
            or row["emergency_disconnection_notice"]
        ),
    )


_FACT_FIELDS = (
    "pk",
    "owner_id",
    "kind",
    "previous_id",
    "protected_identity",
    "emergency_no_food",
    "emergency_eviction_notice",
    "emergency_disconnection_notice",
    "n_warnings",
    "has_children",
    "has_interpreter",
)


_FACTS_OF_ONE = CompiledQuery(
    lambda pk: (
        Application.objects.filter(pk=pk)
        .annotate(**_facts_annotations())
        .values(*_FACT_FIELDS)
        .order_by()
    ),
    MARKER_ID,
)


def application_facts(application: Application) -> CaseFacts:
    found = _FACTS_OF_ONE.rows(application.pk) if application.pk else []
    row = found[0] if found else None
    if row is None:  # not saved yet
        return CaseFacts(
            first_application=application.kind == ApplicationKind.NEW
            and application.previous_id is None,
            protected_identity=application.protected_identity,
            emergency=application.is_emergency,
        )
    return _facts_of_row(row)


def open_case_weights(municipality_id: int) -> dict[int, Decimal]:
    """Open case id -> weight, for a municipality (one query)."""
    w = weights()
    rows = (
        Application.objects.filter(municipality_id=municipality_id, status__in=OPEN_STATUSES)
        .annotate(**_facts_annotations())
        .values(*_FACT_FIELDS)
    )
    return {row["pk"]: case_weight(_facts_of_row(row), w) for row in rows}


@dataclass(frozen=True)
class Caseload:
    user: User
    cases: int
    load: Decimal
    ceiling: Decimal

    @property
    def utilisation(self) -> Decimal:
        return self.load / self.ceiling if self.ceiling else Decimal(0)

    @property
    def over_ceiling(self) -> bool:
        return self.load > self.ceiling


def municipality_settings(municipality_id: int) -> OwnershipSettings:
    found = OwnershipSettings.objects.filter(municipality_id=municipality_id).first()
    return found or OwnershipSettings(
        municipality_id=municipality_id,
        default_ceiling=Decimal(str(settings.CASELOAD_CEILING_DEFAULT)),
    )


def caseloads(
    municipality_id: int,
    users: list[User] | None = None,
    *,
    reference: OwnerReference | None = None,
) -> dict[int, Caseload]:
    """Weighted open caseload per case-handling staff member (two or three queries; one with
    the owner choice's cached `reference` for the ceilings)."""
    if users is None:
        users = list(
            User.objects.filter(
                municipality_id=municipality_id, role__in=CASE_HANDLING_ROLES, is_active=True
            ).order_by("id")
        )
    if reference is not None:
        default, own = reference.default_ceiling, reference.ceilings
    else:
        default = municipality_settings(municipality_id).default_ceiling
        own = _own_ceilings([user.pk for user in users])
    loads, counts = _loads_per_owner(municipality_id, weights())
    return {
        user.pk: Caseload(
            user=user,
            cases=counts.get(user.pk, 0),
            load=loads.get(user.pk, Decimal(0)),
            ceiling=own.get(user.pk, default),
        )
        for user in users
    }


def _own_ceilings(user_ids: list[int]) -> dict[int, Decimal]:
    return {
        user_id: ceiling
        for user_id, ceiling in CaseworkerProfile.objects.filter(
            user_id__in=user_ids, caseload_ceiling__isnull=False
        ).values_list("user_id", "caseload_ceiling")
        if ceiling is not None
    }


# --- The owner choice's reference data, cached (#20 d) -----------------------------------------
# Who may take a new case changes seldom (an account, a ceiling, an absence); cases come in all
# day. So the active caseworkers of a municipality, their ceilings and who is away today are
# read once and kept in this process (`accounts.reference_cache`), under a generation token
# kept in the shared cache: a save or delete of a case handler's account, a CaseworkerProfile,
# OwnershipSettings or Absence anywhere, or an account narrowed, gives a new token
# (caseworker/apps.py), after its commit too, and every process reads anew on its next submit.
# A write that sends no signal (a queryset update) is seen within REFERENCE_CACHE_SECONDS.
# The loads are never cached (each submit changes them).
OWNER_REFERENCE_GENERATION = "caseworker:owner-reference:generation"


@dataclass(frozen=True)
class OwnerReference:
    caseworkers: tuple[User, ...]  # active caseworkers of the municipality, by id
    absent: frozenset[int]  # of them, away on `day`
    default_ceiling: Decimal
    ceilings: dict[int, Decimal]  # their own ceilings, where set
    day: date


def owner_reference_generation() -> str:
    """The shared token (one round trip to the cache); "" when the shared cache cannot answer,
    which reads the reference data anew."""
    try:
        token = cache.get(OWNER_REFERENCE_GENERATION)
        if token is None:
            cache.add(OWNER_REFERENCE_GENERATION, uuid.uuid4().hex, timeout=None)
            token = cache.get(OWNER_REFERENCE_GENERATION)
    except Exception:  # Redis down: the database is the truth
        logger.warning("caseworker.owner_reference_uncached", exc_info=True)
        return ""
    return str(token or "")


def owner_reference_invalidate(*args: Any, **kwargs: Any) -> None:
    """A new generation token now and after the commit (signal receiver)."""

    def rotate() -> None:
        try:
            cache.set(OWNER_REFERENCE_GENERATION, uuid.uuid4().hex, timeout=None)
        except Exception:  # reported by the next owner_reference_generation
            logger.warning("caseworker.owner_reference_not_invalidated", exc_info=True)

    rotate()
    transaction.on_commit(rotate)


def owner_reference_staff_saved(sender: Any, instance: User, **kwargs: Any) -> None:
    """A User saved or deleted: only a case handler's account changes who may own a case (an
    account that stops being one is `staff_access_narrowed`, which invalidates too)."""
    if instance.role in CASE_HANDLING_ROLES:
        owner_reference_invalidate()


def owner_reference(municipality_id: int, day: date) -> OwnerReference:
    """The owner choice's reference data of a municipality on `day` (see above)."""

    def read() -> OwnerReference:
        caseworkers = tuple(
            eligible_owners(
                municipality_id=municipality_id, protected_identity=False, roles=(Role.CASEWORKER,)
            )
        )
        ids = [user.pk for user in caseworkers]
        return OwnerReference(
            caseworkers=caseworkers,
            absent=frozenset(absent_ids(ids, day)),
            default_ceiling=municipality_settings(municipality_id).default_ceiling,
            ceilings=_own_ceilings(ids),
            day=day,
        )

    token = owner_reference_generation()
    if not token:
        return read()
    return cached(("owner-reference", municipality_id, day, token), read)


def _loads_per_owner(municipality_id: int, w: Weights) -> tuple[dict[int, Decimal], dict[int, int]]:
    """Weighted load and number of open cases per owner, summed by the database (one query,
    a row per owner): ``case_weight`` as an SQL expression in hundredths, so the sum is exact
    on SQLite and PostgreSQL alike. Reading every open case into Python instead cost each
    submit ~60 ms of CPU at 10,000 open cases (#10); writing the query anew for each submit
    cost ~9 ms more (#20 d), so it is compiled once per process and weights."""
    compiled = _LOADS.get(w)
    if compiled is None:
        compiled = _LOADS.setdefault(
            w, CompiledQuery(lambda municipality: _loads_query(municipality, w), MARKER_ID)
        )
    rows = compiled.rows(municipality_id)
    loads = {row["owner_id"]: Decimal(row["load"]) / 100 for row in rows}
    counts = {row["owner_id"]: row["cases"] for row in rows}
    return loads, counts


_LOADS: dict[Weights, CompiledQuery] = {}


def _loads_query(municipality_id: int, w: Weights) -> QuerySet[Application, dict[str, Any]]:
    """The weighted load per owner (see `_loads_per_owner`)."""

    def hundredths(amount: Decimal) -> int:
        return int((amount * 100).to_integral_value())

    def when(condition: Q | Exists, amount: Decimal) -> Case:
        return Case(
            When(condition, then=Value(hundredths(amount))),
            default=Value(0),
            output_field=IntegerField(),
        )

    facts = _facts_annotations()
    weight = (
        Value(hundredths(w.base))
        + when(Q(kind=ApplicationKind.NEW, previous__isnull=True), w.first_application)
        + Value(hundredths(w.open_warning))
        * Least(facts["n_warnings"], Value(w.open_warnings_max), output_field=IntegerField())
        + when(facts["has_children"], w.children)
        + when(Q(protected_identity=True), w.protected_identity)
        + when(facts["has_interpreter"], w.interpreter)
        + when(
            Q(emergency_no_food=True)
            | Q(emergency_eviction_notice=True)
            | Q(emergency_disconnection_notice=True),
            w.emergency,
        )
    )
    return (
        Application.objects.filter(
            municipality_id=municipality_id, status__in=OPEN_STATUSES, owner__isnull=False
        )
        .values("owner_id")
        .annotate(load=Sum(weight, output_field=IntegerField()), cases=Count("pk"))
        .order_by()
    )


def absent_ids(user_ids: list[int], day: date) -> set[int]:
    return set(
        Absence.objects.filter(secretary_id__in=user_ids, start__lte=day, end__gte=day).values_list(
            "secretary_id", flat=True
        )
    )


def team_leads(municipality_id: int) -> list[User]:
    """The named team leads of both sides, or every active team lead of the municipality."""
    found = municipality_settings(municipality_id)
    named = [
        user
        for user in (found.work_team_lead, found.social_team_lead)
        if found.pk and user is not None and user.is_active
    ]
    if named:
        unique = {user.pk: user for user in named}
        return list(unique.values())
    return list(
        User.objects.filter(
            municipality_id=municipality_id, role=Role.TEAM_LEAD, is_active=True
        ).order_by("id")
    )


def alert_team_leads(
    *,
    municipality_id: int,
    kind: AlertKind,
    text: str,
    key: str,
    application: Application | None = None,
    referral: Referral | None = None,
) -> list[StaffAlert]:
    """One alert per team lead (or one without a recipient when there is none). Idempotent."""
    leads: list[User | None] = list(team_leads(municipality_id)) or [None]
    created = []
    for lead in leads:
        alert, made = StaffAlert.objects.get_or_create(
            dedupe_key=f"{key}:{lead.pk if lead else 0}"[:120],
            defaults={
                "municipality_id": municipality_id,
                "kind": kind,
                "recipient": lead,
                "application": application,
                "referral": referral,
                "text": text,
            },
        )
        if made:
            created.append(alert)
    return created


# --- Who may own a case (#16, item 7) -------------------------------------------------------
# One rule, used by every writer of `owner` (submission, assisted registration, the monthly
# renewal, bulk assignment, stand-ins and their return, emergencies, the robot finding a
# protected identity, a staff account losing access): the owner is an active caseworker or
# team lead of the case's municipality and, for skyddade personuppgifter, allowed to handle
# them. Otherwise the owner could not even open the case (`intake.access`) and it would vanish
# from every queue. On PostgreSQL the database also refuses an owner of another municipality
# or role (caseworker migration 0004); whether the person is active or may handle protected
# identities changes outside the case row, so that part is this service's.


class OwnerRefused(Exception):
    """`owner` may not own the case: the message says why (shown to staff)."""


def owner_refusal(*, owner: User | None, application: Application) -> str | None:
    """Why `owner` may not own `application`, or None when they may."""
    if owner is None:
        return _("ärendet har ingen ansvarig")
    name = owner.display_name()
    if not owner.is_active:
        return _("%(name)s är inaktiverad") % {"name": name}
    if owner.role not in CASE_HANDLING_ROLES:
        return _("%(name)s är inte handläggare eller gruppledare") % {"name": name}
    if owner.municipality_id != application.municipality_id:
        return _("%(name)s tillhör en annan kommun") % {"name": name}
    if application.protected_identity and not owner.may_handle_protected:
        return _("%(name)s får inte handlägga skyddade personuppgifter") % {"name": name}
    return None


def owner_check(*, owner: User | None, application: Application) -> None:
    """Raise OwnerRefused unless `owner` may own `application`."""
    reason = owner_refusal(owner=owner, application=application)
    if reason is not None:
        raise OwnerRefused(reason)


def eligible_owners(
    *, municipality_id: int, protected_identity: bool, roles: tuple[str, ...] = CASE_HANDLING_ROLES
) -> QuerySet[User]:
    """Everyone who may own a case of the municipality (the same rule as `owner_refusal`)."""
    found = User.objects.filter(municipality_id=municipality_id, role__in=roles, is_active=True)
    if protected_identity:
        found = found.filter(may_handle_protected=True)
    return found.order_by("id")


def owner_invalid_q() -> Q:
    """Cases (Application rows) whose owner may not own them: nobody, an inactive account,
    another role or municipality, or no permission for a protected identity."""
    return (
        Q(owner__isnull=True)
        | Q(owner__is_active=False)
        | ~Q(owner__role__in=CASE_HANDLING_ROLES)
        | ~Q(owner__municipality_id=F("municipality_id"))
        | Q(protected_identity=True, owner__may_handle_protected=False)
    )


def alert_owner_invalid(
    *, application: Application, reason: str, owner: User | None
) -> list[StaffAlert]:
    """The team leads learn at once of a case nobody responsible may see (`owner` is who has
    it now; one alert per case and owner)."""
    return alert_team_leads(
        municipality_id=application.municipality_id,
        kind=AlertKind.OWNER_INVALID,
        text=_(
            "Ärende %(ref)s har ingen ansvarig som får se det (%(reason)s). Ge ärendet till en "
            "behörig handläggare."
        )
        % {"ref": application.reference, "reason": reason},
        key=f"owner-invalid:{application.pk}:{owner.pk if owner else 0}",
        application=application,
    )


@transaction.atomic
def owner_ensure(*, application_id: int, why: str = "") -> User | None:
    """Make sure an open case's owner may own it. When not, the case goes to a stand-in (when
    the owner is away with a named one who may own it) or back to automatic assignment, with
    a journal entry; when nobody may own it the team leads are alerted at once. Returns the
    owner after the call (None for a closed or unknown case). Safe to run twice."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(pk=application_id, status__in=OPEN_STATUSES)
        .first()
    )
    if application is None:
        return None
    previous = application.owner
    reason = owner_refusal(owner=previous, application=application)
    if reason is None:
        return previous
    chosen = _stand_in_for(previous, application) or owner_choose_weighted(
        municipality=application.municipality, application=application
    )
    still = owner_refusal(owner=chosen, application=application)
    if still is not None:
        alert_owner_invalid(application=application, reason=still, owner=chosen)
        if previous is not None and previous.is_active:
            return previous  # no better owner: keep the case where it is and wait for a lead
    Application.objects.filter(pk=application.pk).update(owner=chosen, updated_at=timezone.now())
    application.owner = chosen
    journal_write(
        category=JournalCategory.OWNERSHIP,
        application=application,
        author=None,
        text=_("Ärendet flyttat till %(to)s: %(reason)s%(why)s.")
        % {"to": chosen.display_name(), "reason": reason, "why": f" ({why})" if why else ""},
    )
    return chosen


def _stand_in_for(owner: User | None, application: Application) -> User | None:
    """The named stand-in of an owner away today, when they may own the case."""
    if owner is None:
        return None
    today = timezone.localdate()
    for absence in Absence.objects.filter(
        secretary=owner, start__lte=today, end__gte=today, stand_in__isnull=False
    ).select_related("stand_in__stand_in"):
        stand_in = absence.stand_in.stand_in
        if owner_refusal(owner=stand_in, application=application) is None:
            return stand_in
    return None


def owners_invalid_repair(*, municipality_id: int | None = None) -> int:
    """Every open case whose owner may not own it gets a new owner (or raises the alert).
    Returns how many cases changed owner."""
    found = Application.objects.filter(status__in=OPEN_STATUSES).filter(owner_invalid_q())
    if municipality_id is not None:
        found = found.filter(municipality_id=municipality_id)
    changed = 0
    for pk, owner_id in list(found.values_list("pk", "owner_id").order_by("pk")):
        after = owner_ensure(application_id=pk)
        if after is not None and after.pk != owner_id:
            changed += 1
    return changed


def owner_cases_hand_over(change: StaffAccessNarrowed) -> None:
    """Subscriber of `accounts.staff_access_narrowed`, in the transaction that saves the
    account: every open case the person may no longer own goes to their stand-in or back to
    automatic assignment (journalled on each case), and their open reminders on those cases
    follow the case."""
    user = change.user
    ids = list(
        Application.objects.filter(owner=user, status__in=OPEN_STATUSES)
        .filter(owner_invalid_q())
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    why = _("kontot ändrat av %(by)s") % {"by": change.by.display_name()} if change.by else ""
    for pk in ids:
        after = owner_ensure(application_id=pk, why=why)
        if after is not None and after.pk != user.pk:
            Reminder.objects.filter(application_id=pk, owner=user, done_at__isnull=True).update(
                owner=after
            )


def owner_after_robot(application: Application) -> None:
    """Subscriber of the robot's `proposal_ready`: the register may just have shown a protected
    identity the owner chosen at submission may not handle. The robot changes nothing else an
    owner depends on, so an unprotected case costs no query (the robot's budget, ADR 0003)."""
    if application.protected_identity:
        owner_ensure(application_id=application.pk, why=_("registeruppgifter"))


_OWNER_OF = CompiledQuery(
    lambda pk: Application.objects.filter(pk=pk).values("owner_id").order_by()[:1], MARKER_ID
)
_OWNER_LAST_MONTH = CompiledQuery(
    lambda applicant, month, pk: (
        Application.objects.filter(applicant_id=applicant, month=month, owner__isnull=False)
        .exclude(pk=pk)
        .order_by("-submitted_at")
        .values("owner_id")[:1]
    ),
    MARKER_ID,
    MARKER_MONTH,
    MARKER_OTHER_ID,
)


def _previous_owner_id(application: Application) -> int | None:
    """Continuity: last month's caseworker for the household."""
    if application.previous_id:
        rows = _OWNER_OF.rows(application.previous_id)
    else:
        rows = _OWNER_LAST_MONTH.rows(
            application.applicant_id,
            previous_month(application.month),
            application.pk if application.pk is not None else MARKER_OTHER_ID,
        )
    owner_id: int | None = rows[0]["owner_id"] if rows else None
    return owner_id


def on_call_ids(user_ids: list[int]) -> set[int]:
    return set(
        CaseworkerProfile.objects.filter(user_id__in=user_ids, on_call=True).values_list(
            "user_id", flat=True
        )
    )


def least_utilised(loads: list[Caseload]) -> Caseload:
    return min(loads, key=lambda c: (c.utilisation, c.load, c.user.pk))


def owner_choose_weighted(
    *, municipality: Municipality, application: Application | None = None
) -> User:
    """The caseworker who gets a new case. Order of preference:

    1. an emergency goes to the least-loaded caseworker on call (team leads are alerted when
       nobody is on call, and the case is assigned as usual);
    2. continuity: last month's caseworker, when present and under the ceiling with this case;
    3. the caseworker with the lowest weighted load relative to their ceiling who stays under
       it with this case;
    4. when everyone would be over the ceiling: the least-loaded anyway, and the team leads are
       alerted (the case is never left without an owner).

    Only those who may own the case are considered (`eligible_owners`: active, of the
    municipality, allowed to handle a protected identity); absent caseworkers (meetings.Absence
    today) are left out. Without any such caseworker a team lead who may own it gets the case.
    When nobody may own it (a protected identity and nobody allowed) an active team lead or
    caseworker holds it, since a submitted case must have an owner, and the team leads are
    alerted at once.
    """
    today = timezone.localdate()
    protected = application is not None and application.protected_identity
    reference = owner_reference(municipality.pk, today)
    staff = [user for user in reference.caseworkers if not protected or user.may_handle_protected]
    present = [user for user in staff if user.pk not in reference.absent] or staff
    if not present:
        lead = eligible_owners(
            municipality_id=municipality.pk,
            protected_identity=protected,
            roles=(Role.TEAM_LEAD,),
        ).first()
        if lead is not None:
            return lead
        holder = (
            eligible_owners(municipality_id=municipality.pk, protected_identity=False)
            .order_by("-role", "id")  # team_lead before caseworker
            .first()
        )
        if holder is None:
            raise NoCaseworkerAvailable(municipality.code)
        if application is not None and application.pk:
            alert_owner_invalid(
                application=application,
                reason=_("ingen i kommunen får handlägga skyddade personuppgifter"),
                owner=holder,
            )
        return holder
    loads = caseloads(municipality.pk, present, reference=reference)
    facts = application_facts(application) if application is not None else CaseFacts()
    weight = case_weight(facts)
    pool = list(loads.values())
    if application is not None and application.is_emergency:
        on_call = on_call_ids([c.user.pk for c in pool])
        if on_call:
            return least_utilised([c for c in pool if c.user.pk in on_call]).user
        if application.pk:
            # The same alarm, under the same key, as the escalation raises for this case: one
            # alarm per case, whichever notices first.
            alert_team_leads(
                municipality_id=municipality.pk,
                kind=AlertKind.NO_ON_CALL,
                text=_("Akut ärende %(ref)s: ingen handläggare är i jour.")
                % {"ref": application.reference},
                key=f"no-on-call:{application.pk}",
                application=application,
            )
        else:
            alert_team_leads(
                municipality_id=municipality.pk,
                kind=AlertKind.NO_ON_CALL,
                text=_("Ett akut ärende kom in men ingen handläggare är i jour."),
                key=f"no-on-call:{municipality.pk}:{today:%Y%m%d}",
            )
    if application is not None:
        previous_owner = _previous_owner_id(application)
        if previous_owner in loads:
            load = loads[previous_owner]
            if load.load + weight <= load.ceiling:
                return load.user
    fits = [c for c in pool if c.load + weight <= c.ceiling]
    if fits:
        return least_utilised(fits).user
    chosen = least_utilised(pool)
    alert_team_leads(
        municipality_id=municipality.pk,
        kind=AlertKind.CEILING_EXCEEDED,
        text=_(
            "Alla handläggare är vid taket. Ärendet gavs till %(name)s "
            "(viktad ärendemängd %(load)s av %(ceiling)s)."
        )
        % {
            "name": chosen.user.display_name(),
            "load": decimal_text(chosen.load),
            "ceiling": decimal_text(chosen.ceiling),
        },
        key=f"ceiling:{municipality.pk}:{application.pk if application and application.pk else ''}"
        f":{timezone.now():%Y%m%d%H%M%S%f}",
        application=application if application is not None and application.pk else None,
    )
    return chosen.user


def applications_without_owner(municipality_id: int) -> int:
    """Open cases without an owner who may own them: none at all (the database forbids it), or
    an owner who is inactive, of another role or municipality, or not allowed for a protected
    identity. Such a case is in nobody's queue, so the dashboard counts it as without owner."""
    return (
        Application.objects.filter(municipality_id=municipality_id, status__in=OPEN_STATUSES)
        .filter(owner_invalid_q())
        .count()
    )


def owners_who_may_not_own(municipality_id: int) -> dict[int, int]:
    """Owner id -> open cases of the municipality they hold but may not own (an inactive
    account, say): the dashboard lists them instead of dropping them."""
    rows = (
        Application.objects.filter(
            municipality_id=municipality_id, status__in=OPEN_STATUSES, owner__isnull=False
        )
        .filter(owner_invalid_q())
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["owner_id"]: row["n"] for row in rows}


def owner_for_new_case(query: OwnerQuery) -> User:
    """intake asks who owns a newly submitted case (`intake.events.owner_for_new_case`); a
    preferred owner (last month's, for a renewal under a standing decision) keeps it when they
    may own it."""
    if (
        query.preferred is not None
        and query.application is not None
        and owner_refusal(owner=query.preferred, application=query.application) is None
    ):
        return query.preferred
    return owner_choose_weighted(municipality=query.municipality, application=query.application)
