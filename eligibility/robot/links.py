"""The month's other applications in the municipality that share a person with a household
(#14): found in one query, linked on both cases by a warning. Only the municipality's own cases:
another municipality is another authority."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Value

from eligibility.models import CaseWarning, HouseholdLink, RegisteredResident, RegisterSnapshot
from eligibility.robot import events
from eligibility.robot.facts import snapshot_extracts
from intake.models import (
    Application,
    ApplicationKind,
    HouseholdMember,
)
from intake.states import Status


@dataclass(frozen=True)
class OtherApplication:
    pk: int
    reference: str
    robot_round: int
    who: str  # this household's person who is also there: applicant, partner, child, registered


def household_people(
    members: list[HouseholdMember], snapshots: list[RegisterSnapshot], applicant_pnr: str
) -> dict[str, str]:
    """Personnummer -> who, for everyone in this household: declared, or registered at the
    applicant's address by the population register."""
    people = {m.personnummer: m.role for m in members if m.personnummer}
    for snapshot in snapshots:
        if snapshot.source != "population":
            continue
        for person in snapshot_extracts(snapshot):
            if person.get("personnummer") == applicant_pnr:
                for relative in person.get("household", []):
                    people.setdefault(relative["personnummer"], "registered")
    return people


def registered_residents_build(
    application: Application, members: list[HouseholdMember], snapshots: list[RegisterSnapshot]
) -> list[RegisteredResident]:
    """The (unsaved) people the population register places in the applicant's household whom
    the application does not declare (#16 item 3). Stored, they let a later application of one
    of them find this one even when its own register answer does not name this applicant."""
    applicant = application.applicant.personnummer or ""
    declared = {m.personnummer for m in members if m.personnummer}
    found: dict[str, str] = {}
    for snapshot in snapshots:
        if snapshot.source != "population":
            continue
        for person in snapshot_extracts(snapshot):
            if person.get("personnummer") != applicant:
                continue
            for relative in person.get("household", []):
                pnr = relative.get("personnummer") or ""
                if pnr and pnr not in declared and pnr != applicant:
                    found.setdefault(pnr, str(relative.get("relation", ""))[:20])
    return [
        RegisteredResident(application=application, personnummer=pnr, relation=relation)
        for pnr, relation in found.items()
    ]


def registered_residents_store(
    *, application: Application, members: list[HouseholdMember], snapshots: list[RegisterSnapshot]
) -> None:
    """Keep who the register places in the household undeclared (no query when nobody)."""
    RegisteredResident.objects.bulk_create(
        registered_residents_build(application, members, snapshots), ignore_conflicts=True
    )


def household_overlaps(
    households: list[tuple[Application, dict[str, str]]],
) -> dict[int, list[OtherApplication]]:
    """For each application, the other live applications of the same month in the same
    municipality that share a person with its household. One query for any number of
    applications (the batch asks once). Only the municipality's own cases: another municipality
    is another authority, and nothing about its cases may reach this one's staff (#14).

    A person is in the other application when it declares them or when the population register
    placed them in its household (`RegisteredResident`): so two partners registered together
    are found whichever applied first, even if the later one's register answer does not name
    the earlier applicant (#16 item 3)."""
    found: dict[int, list[OtherApplication]] = {a.pk: [] for a, _ in households}
    everyone = {pnr for _a, people in households for pnr in people}
    if not everyone:
        return found
    fields = (
        "personnummer",
        "application_id",
        "application__reference",
        "application__robot_round",
        "application__month",
        "application__municipality_id",
    )
    where = {
        "personnummer__in": everyone,
        "application__month__in": {a.month for a, _ in households},
        "application__municipality_id__in": {a.municipality_id for a, _ in households},
    }
    declared = (
        HouseholdMember.objects.filter(**where)
        .exclude(application__status__in=[Status.DRAFT, Status.WITHDRAWN])
        .exclude(application__kind=ApplicationKind.SUPPLEMENTARY)
        .order_by()
        .annotate(declared_first=Value(0))
        .values_list(*fields, "declared_first", "id")
    )
    registered = (
        RegisteredResident.objects.filter(**where)
        .exclude(application__status__in=[Status.DRAFT, Status.WITHDRAWN])
        .exclude(application__kind=ApplicationKind.SUPPLEMENTARY)
        .order_by()
        .annotate(declared_first=Value(1))
        .values_list(*fields, "declared_first", "id")
    )
    # Declared members first, in the order they were declared (the applicant first), as before.
    rows = sorted(declared.union(registered, all=True), key=lambda row: (row[6], row[7]))
    for pnr, pk, reference, round_, month, municipality_id, _source, _id in rows:
        for application, people in households:
            if (
                pk not in (application.pk, application.supplements_id)
                and pnr in people
                and month == application.month
                and municipality_id == application.municipality_id
                and all(o.pk != pk for o in found[application.pk])
            ):
                found[application.pk].append(OtherApplication(pk, reference, round_, people[pnr]))
    return found


def household_links_reciprocate(
    *, application: Application, others: list[OtherApplication]
) -> None:
    """The other case learns of this one too: an open warning on each (the unique index on live
    warnings makes it safe to run twice). Its own next robot run finds the same link.

    And the pair is linked (#16 item 3): one `HouseholdLink` per pair, whichever of the two found
    the other and however often, which keeps approval of both cases closed until a caseworker
    resolves it. A new link is announced (`household_linked`: the journal of both cases)."""
    if not others:
        return
    for other in others:
        low, high = sorted((application.pk, other.pk))
        link, created = HouseholdLink.objects.get_or_create(
            first_id=low, second_id=high, defaults={"who": other.who}
        )
        if created:
            events.household_linked.publish(
                events.HouseholdLinked(link, application.reference, other.reference)
            )
    CaseWarning.objects.bulk_create(
        [
            CaseWarning(
                application_id=other.pk,
                kind="household_in_other_application",
                key=f"household_in_other_application:{application.reference}",
                message=(
                    f"En person i hushållet finns också i ansökan {application.reference} för "
                    "samma månad. Ett hushåll ansöker en gång per månad: pröva ärendena "
                    "tillsammans, eller anteckna varför det är två hushåll."
                ),
                details={"other_reference": application.reference, "who": "registered"},
                round=other.robot_round,
            )
            for other in others
        ],
        ignore_conflicts=True,
    )
