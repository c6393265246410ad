"""Two applications that may be one household (#16 item 3).

The robot links two applications of the same month in the same municipality when someone the
application or the population register places in one household (partner, child, a person
registered at the same address) is in the other (`eligibility.robot.links`). Neither case can be
approved, by a caseworker, a second approver or the automated function, until a caseworker
resolves the link:

- **two households**, with the reason (they have separated, a lodger, a registration not yet
  corrected ...): both cases are tried on their own;
- **one household**: one case continues (the household's needs are tried there, with both
  adults); the other can never be approved: it is refused or withdrawn as a duplicate.

No mechanism merges two submitted applications into one joint case (a joint application is one
the partner signs before it is submitted), so "one household" is recorded on the link with the
case that continues. Another municipality's applications are never linked (ADR 0009): they are
another authority's, and nothing about them may reach this municipality's staff.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from caseworker.audit.log import journal_write
from caseworker.models.audit import JournalCategory
from eligibility.models import HouseholdLink, HouseholdLinkResolution
from eligibility.robot.events import HouseholdLinked
from intake.access import applications_visible_to
from intake.models import Application
from intake.states import Status


class HouseholdLinkRefused(Exception):
    pass


@dataclass(frozen=True)
class LinkedCase:
    """One link as seen from one of its cases: the other case and what has been decided."""

    link: HouseholdLink
    other: Application
    blocks_approval: str  # why this case cannot be approved because of the link ("" if not)
    # Whether the viewer may open the other case (a protected identity they may not handle:
    # the page names its reference, as the robot's warning does, and nothing more).
    other_visible: bool = True

    @property
    def open(self) -> bool:
        return not self.link.resolved


def _links_of(application: Application) -> list[HouseholdLink]:
    """The case's links with both cases and the kept one. Most cases have none: the links are
    read on their own (joining three applications costs the case page ~8 % of its time, #20 f)
    and the other cases only when there is a link, in one query more."""
    links = list(
        HouseholdLink.objects.filter(Q(first=application) | Q(second=application))
        .select_related("resolved_by")
        .order_by("created_at", "pk")
    )
    if not links:
        return links
    wanted = {pk for link in links for pk in (link.first_id, link.second_id, link.kept_id)}
    cases = Application.objects.in_bulk([pk for pk in wanted if pk is not None])
    cases[application.pk] = application
    for link in links:
        link.first = cases[link.first_id]
        link.second = cases[link.second_id]
        link.kept = cases[link.kept_id] if link.kept_id is not None else None
    return links


def _blocks(link: HouseholdLink, application: Application, other: Application) -> str:
    if link.resolution == HouseholdLinkResolution.SEPARATE:
        return ""
    if link.resolution == HouseholdLinkResolution.ONE_HOUSEHOLD:
        if link.kept_id != application.pk:
            return (
                f"Ett hushåll: hushållets behov prövas i ärende {other.reference}. Det här "
                "ärendet kan bara avslås eller återtas som dubblett."
            )
        if other.status == Status.APPROVED:
            return (
                f"Ett hushåll: ärende {other.reference} är redan beviljat för hushållet. "
                "Hushållet kan inte beviljas två gånger för samma månad."
            )
        return ""
    if other.status in (Status.WITHDRAWN, Status.DRAFT):
        return ""  # the other application is gone: nothing left to try together
    return (
        f"Ärendet är kopplat till ärende {other.reference} för samma månad: någon i hushållet "
        "finns i båda ansökningarna. Avgör först om det är ett hushåll eller två."
    )


def household_links_for(
    application: Application, *, viewer: User | None = None
) -> list[LinkedCase]:
    """The case's links, each with the other case and whether it blocks an approval here
    (with `viewer`: and whether they may open the other case; one query more, only when there
    is a link)."""
    links = _links_of(application)
    others = [link.second if link.first_id == application.pk else link.first for link in links]
    visible = {other.pk for other in others}
    if viewer is not None and others:
        visible = set(
            applications_visible_to(viewer).filter(pk__in=visible).values_list("pk", flat=True)
        )
    return [
        LinkedCase(link, other, _blocks(link, application, other), other.pk in visible)
        for link, other in zip(links, others, strict=True)
    ]


def household_approval_blocker(application: Application) -> str:
    """Why the case may not be approved because of a household link ("" when it may). Every
    path that approves asks (`decision_record`, so also the second approval and the automated
    function; `decision_submit` before a draft goes to attest; a standing decision's month)."""
    reasons = (case.blocks_approval for case in household_links_for(application))
    return next((reason for reason in reasons if reason), "")


def household_linked_journal(linked: HouseholdLinked) -> None:
    """Subscriber of the robot's `household_linked` (inside its transaction): the journal of
    both cases records the link, by the automated function."""
    link = linked.link
    cases = {a.pk: a for a in Application.objects.filter(pk__in=[link.first_id, link.second_id])}
    for pk, other_pk in ((link.first_id, link.second_id), (link.second_id, link.first_id)):
        journal_write(
            category=JournalCategory.HOUSEHOLD,
            application=cases[pk],
            author=None,
            text=(
                f"Kopplat till ärende {cases[other_pk].reference} för samma månad: någon som "
                "ansökan eller folkbokföringen räknar till hushållet finns i båda ansökningarna. "
                "Inget av ärendena kan beviljas förrän en handläggare har avgjort om det är ett "
                "hushåll eller två."
            ),
        )


@transaction.atomic
def household_link_resolve(
    *,
    application: Application,
    link_id: int,
    by: User,
    resolution: str,
    reason: str,
    keep: str = "this",
) -> HouseholdLink:
    """Resolve the link once, from either case: two households (the reason is required), or one
    household (`keep`: "this" or "other" case continues; the other can only be refused or
    withdrawn). Journalled on both cases."""
    reason = reason.strip()
    link = (
        HouseholdLink.objects.select_for_update()
        .filter(Q(first=application) | Q(second=application), pk=link_id)
        .first()
    )
    if link is None:
        raise HouseholdLinkRefused("Kopplingen finns inte.")
    if link.resolved:
        raise HouseholdLinkRefused("Kopplingen är redan avgjord.")
    if not reason:
        raise HouseholdLinkRefused("Skriv skälet till bedömningen.")
    other = applications_visible_to(by).filter(pk=link.other_id(application.pk)).first()
    if other is None:  # a protected identity `by` may not handle: someone who may decides
        raise HouseholdLinkRefused(
            "Du har inte behörighet till det andra ärendet: en handläggare med behörighet avgör "
            "kopplingen."
        )
    if resolution == HouseholdLinkResolution.SEPARATE:
        kept = None
        summary = f"Två hushåll: ärendena prövas var för sig. Skäl: {reason}"
    elif resolution == HouseholdLinkResolution.ONE_HOUSEHOLD:
        if keep not in ("this", "other"):
            raise HouseholdLinkRefused("Välj vilket ärende som prövas.")
        kept, dropped = (application, other) if keep == "this" else (other, application)
        if kept.status in (Status.WITHDRAWN, Status.REJECTED):
            raise HouseholdLinkRefused(
                f"Ärende {kept.reference} är avslutat och kan inte vara det som prövas."
            )
        summary = (
            f"Ett hushåll: hushållets behov prövas i ärende {kept.reference}; ärende "
            f"{dropped.reference} avslås eller återtas som dubblett. Skäl: {reason}"
        )
    else:
        raise HouseholdLinkRefused(f"Okänt avgörande: {resolution}")
    HouseholdLink.objects.filter(pk=link.pk).update(
        resolution=resolution,
        kept=kept,
        reason=reason,
        resolved_by=by,
        resolved_at=timezone.now(),
    )
    link.refresh_from_db()
    for case, counterpart in ((application, other), (other, application)):
        journal_write(
            category=JournalCategory.HOUSEHOLD,
            application=case,
            author=by,
            text=f"Kopplingen till ärende {counterpart.reference} är avgjord. {summary}",
        )
    return link
