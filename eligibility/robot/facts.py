"""From stored answers to plain data: the household the engine calculates, and the facts the
findings read (eligibility.robot.findings, pure)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from eligibility.models import RegisterSnapshot, SnapshotStatus
from eligibility.registers import configured_registers
from eligibility.registers.base import income_type, previous_month
from eligibility.robot.findings import (
    Facts,
    PaymentFact,
)
from eligibility.rules import (
    Asset,
    CalculationResult,
    Costs,
    Household,
    Income,
    Member,
)
from eligibility.selectors import policy_for
from intake.models import (
    Application,
    DeclaredIncome,
    HouseholdMember,
    MemberRole,
)
from intake.services import (
    COST_FIELDS,
    declared_members,
)
from meetings import routing


def snapshot_extracts(snapshot: RegisterSnapshot) -> list[dict[str, Any]]:
    """The per-person answers stored in a snapshot (payload `{"persons": [...]}`)."""
    if snapshot.status != SnapshotStatus.OK:
        return []
    persons: list[dict[str, Any]] = snapshot.payload.get("persons", [])
    return persons


def household_build(
    *,
    application: Application,
    members: list[HouseholdMember],
    snapshots: list[RegisterSnapshot],
    incomes: list[DeclaredIncome] | None = None,
) -> Household:
    """Facts for the engine: the declaration, register payments in the control month and the
    municipality's settings in force for the month (caps, asset buffer, own cost items)."""
    control_month = previous_month(application.month)
    member_index = {m.personnummer: i for i, m in enumerate(members)}
    register_incomes: list[Income] = []
    for snapshot in snapshots:
        for person in snapshot_extracts(snapshot):
            for payment in person.get("payments", []):
                if date.fromisoformat(payment["paid_on"]).replace(day=1) == control_month:
                    register_incomes.append(
                        Income(
                            type=income_type(payment["kind"]),
                            amount=Decimal(payment["net"]),
                            member=member_index.get(person.get("personnummer", "")),
                            source="register",
                        )
                    )
    merged_register = _merge_register_incomes(register_incomes)
    in_register = {income.type for income in merged_register}
    # A register figure replaces the declared one of the same kind (the declaration is a
    # household total, the register is per person); the difference is raised as a warning.
    declared = [
        Income(type=i.type, amount=i.amount, source="declared")
        for i in (incomes if incomes is not None else application.incomes.all())
        if i.type not in in_register
    ]
    assets = [Asset(type="bank", amount=application.savings)] if application.savings else []
    if application.owns_vehicle:
        assets.append(Asset(type="vehicle", amount=application.vehicle_value))
    if application.owns_property:
        assets.append(Asset(type="property", amount=application.property_value))
    household_members = tuple(
        Member(role=m.role, age=m.age, preschool_lunch=m.preschool_lunch, in_school=m.in_school)
        for m in members
    )
    return Household(
        month=application.month,
        members=household_members,
        costs=Costs(
            rent=application.rent,
            electricity=application.electricity,
            home_insurance=application.home_insurance,
            work_travel=application.work_travel,
            union_fee=application.union_fee,
            unemployment_fund_fee=application.unemployment_fund_fee,
        ),
        incomes=tuple(declared + merged_register),
        assets=tuple(assets),
        policy=policy_for(
            municipality=application.municipality_id,
            month=application.month,
            members=household_members,
        ),
    )


def _merge_register_incomes(incomes: list[Income]) -> list[Income]:
    """Several payments of one kind to one person in a month are one monthly income."""
    totals: dict[tuple[str, int | None], Decimal] = {}
    for income in incomes:
        key = (income.type, income.member)
        totals[key] = totals.get(key, Decimal(0)) + income.amount
    return [
        Income(type=kind, amount=amount, member=member, source="register")
        for (kind, member), amount in totals.items()
    ]


def facts_build(
    *,
    application: Application,
    members: list[HouseholdMember],
    incomes: list[DeclaredIncome],
    snapshots: list[RegisterSnapshot],
    result: CalculationResult,
    needs: list[routing.Needs] | None = None,
    other_applications: tuple[tuple[str, str], ...] = (),
) -> Facts:
    """Everything the findings need, as plain data."""
    payments: list[PaymentFact] = []
    register_household: tuple[tuple[str, str], ...] | None = None
    registered_municipality: str | None = None
    vehicles: list[dict[str, Any]] = []
    residence_status, permit_until, registered = None, None, None
    applicant_pnr = application.applicant.personnummer or ""
    for snapshot in snapshots:
        for person in snapshot_extracts(snapshot):
            pnr = person.get("personnummer", "")
            for payment in person.get("payments", []):
                payments.append(
                    PaymentFact(
                        source=snapshot.source,
                        personnummer=pnr,
                        kind=payment["kind"],
                        net=Decimal(payment["net"]),
                        paid_on=date.fromisoformat(payment["paid_on"]),
                    )
                )
            details = person.get("details", {}) or {}
            if snapshot.source == "population" and pnr == applicant_pnr:
                register_household = tuple(
                    (p["relation"], p["personnummer"]) for p in person.get("household", [])
                )
                registered_municipality = details.get("municipality_code") or None
            vehicles.extend(details.get("vehicles", []))
            if pnr == applicant_pnr and "residence_status" in details:
                residence_status = details["residence_status"]
                until = details.get("permit_valid_until")
                permit_until = date.fromisoformat(until) if until else None
            if pnr == applicant_pnr and "registered" in details:
                registered = bool(details["registered"])
    previous = application.previous
    municipality = application.municipality
    return Facts(
        month=application.month,
        application_kind=application.kind,
        declared_incomes={i.type: i.amount for i in incomes},
        payments=tuple(payments),
        declared_members=tuple((m.role, m.personnummer) for m in members),
        costs={name: getattr(application, name) for name in COST_FIELDS},
        engine_flags=result.flags,
        eligible=result.eligible,
        register_household=register_household,
        previous_costs=(
            {name: getattr(previous, name) for name in COST_FIELDS} if previous else None
        ),
        previous_members=(
            frozenset(m.personnummer for m in declared_members(previous)) if previous else None
        ),
        vehicles=tuple(vehicles),
        residence_status=residence_status,
        permit_valid_until=permit_until,
        registered_at_employment_service=registered,
        unavailable_sources=tuple(
            s.source for s in snapshots if s.status == SnapshotStatus.UNAVAILABLE
        ),
        invalid_sources=tuple(s.source for s in snapshots if s.status == SnapshotStatus.INVALID),
        source_names={
            source: str(register.label) for source, register in configured_registers().items()
        },
        needs=tuple(needs or ()),
        adult_ages=tuple(
            m.age for m in members if m.role in (MemberRole.APPLICANT, MemberRole.PARTNER)
        ),
        change_threshold=municipality.income_change_threshold,
        difference_threshold=municipality.declared_difference_threshold,
        municipality_code=municipality.code,
        registered_municipality_code=registered_municipality,
        other_applications=other_applications,
    )
