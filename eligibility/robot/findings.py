"""What the robot finds that a person must look at, its routing suggestion, and whether the
proposal may be approved as it stands. Pure: plain data in, plain data out (no Django, no clock).

The robot gathers `Facts` from the declaration, the register answers, last month's application
and the engine's result; `detect` returns findings (each becomes a warning with a life cycle),
`suggest_track` suggests the work or social track with its reasons (the caseworker decides) and
`approvability` says whether nothing needs a person's judgement.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from kernel.money import kronor_text
from meetings import routing

INCOME_LABELS = {
    "salary": "Lön",
    "unemployment_benefit": "A-kassa",
    "sickness_benefit": "Sjukpenning",
    "sickness_compensation": "Sjukersättning",
    "activity_compensation": "Aktivitetsersättning",
    "parental_benefit": "Föräldrapenning",
    "activity_support": "Aktivitetsstöd",
    "child_allowance": "Barnbidrag",
    "large_family_supplement": "Flerbarnstillägg",
    "housing_allowance": "Bostadsbidrag",
    "maintenance_support": "Underhållsstöd",
    "pension": "Pension",
    "study_support": "Studiemedel",
    "tax_refund": "Skatteåterbäring",
    "other": "Annan inkomst",
}
COST_LABELS = {
    "rent": "Hyra",
    "electricity": "Hushållsel",
    "home_insurance": "Hemförsäkring",
    "work_travel": "Arbetsresor",
    "union_fee": "Fackavgift",
    "unemployment_fund_fee": "A-kasseavgift",
}
ZERO = Decimal(0)
PENSION_AGE = 67
INFORMATIONAL_KINDS = frozenset({"provisional_norm"})


@dataclass(frozen=True)
class PaymentFact:
    source: str
    personnummer: str
    kind: str
    net: Decimal
    paid_on: date


@dataclass(frozen=True)
class Facts:
    month: date  # first day of the month applied for
    application_kind: str  # "new" | "renewal" | "supplementary"
    declared_incomes: Mapping[str, Decimal]
    payments: tuple[PaymentFact, ...]
    declared_members: tuple[tuple[str, str], ...]  # (role, personnummer)
    costs: Mapping[str, Decimal]
    engine_flags: tuple[str, ...] = ()
    eligible: bool = True
    # (relation, personnummer) from the population register; None when it did not answer.
    register_household: tuple[tuple[str, str], ...] | None = None
    previous_costs: Mapping[str, Decimal] | None = None
    previous_members: frozenset[str] | None = None
    vehicles: tuple[Mapping[str, Any], ...] = ()
    residence_status: str | None = None
    permit_valid_until: date | None = None
    registered_at_employment_service: bool | None = None
    unavailable_sources: tuple[str, ...] = ()
    invalid_sources: tuple[str, ...] = ()
    # The registers' names as a caseworker reads them ("Försäkringskassan", not a code).
    source_names: Mapping[str, str] = field(default_factory=dict)
    change_threshold: Decimal = Decimal("0.12")
    difference_threshold: Decimal = Decimal("100")
    own_answers: Mapping[str, bool] = field(default_factory=dict)
    needs: tuple[routing.Needs, ...] = ()
    adult_ages: tuple[int, ...] = ()
    # The municipality applied to, and the one the population register places the applicant in
    # (None when the register did not say).
    municipality_code: str = ""
    registered_municipality_code: str | None = None
    # Other live applications of the month in the same municipality that one of this household's
    # people (declared, or registered with the applicant) is also in: (reference, who).
    other_applications: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Finding:
    kind: str
    key: str
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TrackSuggestion:
    work: bool
    social: bool
    reasons: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"work": self.work, "social": self.social, "reasons": list(self.reasons)}


def previous_month(day: date) -> date:
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def _kr(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal(1)):,}".replace(",", " ") + " kr"


def income_by_month(facts: Facts) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    """Net register income per kind in the control month and the month before it."""
    control = previous_month(facts.month)
    before = previous_month(control)
    now: dict[str, Decimal] = defaultdict(lambda: ZERO)
    earlier: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for payment in facts.payments:
        paid_month = payment.paid_on.replace(day=1)
        if paid_month == control:
            now[payment.kind] += payment.net
        elif paid_month == before:
            earlier[payment.kind] += payment.net
    return dict(now), dict(earlier)


def _income_findings(facts: Facts) -> list[Finding]:
    now, earlier = income_by_month(facts)
    findings: list[Finding] = []
    for kind in sorted(set(now) | set(earlier)):
        label = INCOME_LABELS.get(kind, kind)
        current, before = now.get(kind, ZERO), earlier.get(kind, ZERO)
        details = {"income": kind, "control_month": str(current), "month_before": str(before)}
        if current and not before:
            findings.append(
                Finding(
                    "new_income",
                    f"new_income:{kind}",
                    f"{label}: ny utbetalning {_kr(current)} i kontrollmånaden.",
                    details,
                )
            )
        elif before and not current:
            findings.append(
                Finding(
                    "income_gone",
                    f"income_gone:{kind}",
                    f"{label}: {_kr(before)} månaden innan, ingen utbetalning i kontrollmånaden.",
                    details,
                )
            )
        elif before and abs(current - before) / before > facts.change_threshold:
            share = (current - before) / before * 100
            findings.append(
                Finding(
                    "income_changed",
                    f"income_changed:{kind}",
                    f"{label}: {_kr(before)} → {_kr(current)} ({share:+.0f} %).",
                    details,
                )
            )
        declared = facts.declared_incomes.get(kind, ZERO)
        if current and not declared:
            findings.append(
                Finding(
                    "unhandled_income",
                    f"unhandled_income:{kind}",
                    f"{label}: {_kr(current)} enligt register men inte uppgiven i ansökan.",
                    details,
                )
            )
        elif current and abs(declared - current) > facts.difference_threshold:
            findings.append(
                Finding(
                    "declared_register_difference",
                    f"declared_register_difference:{kind}",
                    f"{label}: uppgivet {_kr(declared)}, enligt register {_kr(current)}.",
                    {**details, "declared": str(declared)},
                )
            )
    return findings


def _household_findings(facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    declared = {pnr for _role, pnr in facts.declared_members}
    applicant = next((pnr for role, pnr in facts.declared_members if role == "applicant"), "")
    if facts.register_household is not None:
        registered = {pnr for _relation, pnr in facts.register_household}
        for relation, pnr in facts.register_household:
            if pnr not in declared:
                findings.append(
                    Finding(
                        "new_household_member",
                        f"new_household_member:{pnr}",
                        "Folkbokföringen visar en person i hushållet som inte finns i "
                        f"ansökan ({relation}).",
                        {"relation": relation},
                    )
                )
        for role, pnr in facts.declared_members:
            if pnr != applicant and pnr not in registered:
                findings.append(
                    Finding(
                        "person_missing_in_register",
                        f"person_missing_in_register:{pnr}",
                        "En person i ansökan finns inte i hushållet enligt folkbokföringen "
                        f"({role}).",
                        {"role": role},
                    )
                )
    if facts.previous_members is not None:
        for role, pnr in facts.declared_members:
            if pnr not in facts.previous_members:
                findings.append(
                    Finding(
                        "new_household_member",
                        f"new_household_member:{pnr}",
                        f"Ny person i hushållet jämfört med förra månaden ({role}).",
                        {"role": role},
                    )
                )
    return _unique(findings)


def _cost_findings(facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    if facts.previous_costs is not None:
        for name, amount in sorted(facts.costs.items()):
            before = facts.previous_costs.get(name, ZERO)
            label = COST_LABELS.get(name, name)
            if name == "rent" and amount != before and before:
                findings.append(
                    Finding(
                        "housing_cost_changed",
                        "housing_cost_changed",
                        f"Boendekostnaden har ändrats: {_kr(before)} → {_kr(amount)}.",
                        {"before": str(before), "now": str(amount)},
                    )
                )
            elif amount and not before:
                findings.append(
                    Finding(
                        "new_cost",
                        f"new_cost:{name}",
                        f"{label}: ny kostnad {_kr(amount)} jämfört med förra månaden.",
                        {"cost": name, "now": str(amount)},
                    )
                )
    for flag in facts.engine_flags:
        if flag.startswith("other_need:"):
            need = flag.partition(":")[2]
            findings.append(
                Finding(
                    "cost_needs_assessment",
                    f"cost_needs_assessment:{need}",
                    "Kostnad utanför normen som alltid bedöms av en handläggare.",
                    {"need": need},
                )
            )
        elif flag == "housing_cost_capped":
            findings.append(
                Finding(
                    "cost_capped",
                    "cost_capped",
                    "Boendekostnaden är högre än kommunens högsta skäliga kostnad.",
                )
            )
    return findings


# What each declared asset is, in the warning's text (#18: two vehicles or a vehicle and a house
# were two identical "Tillgång hittad" rows).
ASSET_LABELS = {"vehicle": "fordon", "property": "fastighet", "other": "annan tillgång"}


def _vehicle_text(vehicle: Mapping[str, Any]) -> str:
    described = ", ".join(
        part
        for part in (
            str(vehicle.get("registration") or ""),
            str(vehicle.get("make") or ""),
            f"årsmodell {vehicle['model_year']}" if vehicle.get("model_year") else "",
            f"uppskattat värde {kronor_text(str(vehicle['estimated_value']))}"
            if vehicle.get("estimated_value")
            else "",
        )
        if part
    )
    return "Transportstyrelsen: fordon registrerat på en person i hushållet" + (
        f" ({described})." if described else "."
    )


def _asset_findings(facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    for vehicle in facts.vehicles:
        registration = str(vehicle.get("registration", ""))
        findings.append(
            Finding(
                "asset_found",
                f"asset_found:vehicle:{registration}",
                _vehicle_text(vehicle),
                {k: str(v) for k, v in vehicle.items()},
            )
        )
    for flag in dict.fromkeys(facts.engine_flags):
        if flag.startswith("asset:"):
            kind = ASSET_LABELS.get(flag.partition(":")[2], "annan tillgång")
            findings.append(
                Finding(
                    "asset_found",
                    f"asset_found:{flag}",
                    f"Uppgiven tillgång som en handläggare bedömer: {kind}.",
                    {"flag": flag},
                )
            )
        elif flag == "savings_counted":
            findings.append(
                Finding(
                    "asset_found",
                    "asset_found:savings",
                    "Sparade pengar räknas av i förslaget.",
                    {},
                )
            )
    return findings


def _other_findings(facts: Facts) -> list[Finding]:
    findings: list[Finding] = []
    for source in facts.unavailable_sources:
        findings.append(
            Finding(
                "register_unavailable",
                f"register_unavailable:{source}",
                f"Registret {facts.source_names.get(source, source)} svarade inte; "
                "uppgifterna kontrolleras igen.",
                {"source": source},
            )
        )
    for source in facts.invalid_sources:
        findings.append(
            Finding(
                "register_unavailable",
                f"register_invalid:{source}",
                f"Registret {facts.source_names.get(source, source)} gav ett svar som inte gick "
                "att läsa.",
                {"source": source},
            )
        )
    if "provisional_norm" in facts.engine_flags:
        findings.append(
            Finding(
                "provisional_norm",
                "provisional_norm",
                "Beräkningen använder preliminära normbelopp.",
            )
        )
    status = facts.residence_status
    # A permit must cover the whole month applied for (to its last day).
    next_month = date(facts.month.year + facts.month.month // 12, facts.month.month % 12 + 1, 1)
    last_day = next_month - timedelta(days=1)
    expired = facts.permit_valid_until is not None and facts.permit_valid_until < last_day
    if status in ("none", "temporary") and (status == "none" or expired):
        findings.append(
            Finding(
                "residence_status",
                "residence_status",
                "Migrationsverket: uppehållstillstånd saknas eller har gått ut.",
                {"status": status},
            )
        )
    return findings


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for finding in findings:
        seen.setdefault(finding.key, finding)
    return list(seen.values())


WHO_LABELS = {
    "applicant": "Sökanden",
    "partner": "Partnern",
    "child": "Ett barn i hushållet",
    "registered": "En person som är folkbokförd med sökanden",
}


def _linked_findings(facts: Facts) -> list[Finding]:
    """The municipality's own cross-checks: an application elsewhere in its caseload that shares
    a person with this household, and an applicant registered in another municipality. Nothing
    here ever comes from, or goes to, another municipality's cases."""
    findings = [
        Finding(
            "household_in_other_application",
            f"household_in_other_application:{reference}",
            f"{WHO_LABELS.get(who, WHO_LABELS['registered'])} finns också i ansökan {reference} "
            "för samma månad. Ett hushåll ansöker en gång per månad: pröva ärendena tillsammans, "
            "eller anteckna varför det är två hushåll.",
            {"other_reference": reference, "who": who},
        )
        for reference, who in sorted(set(facts.other_applications))
    ]
    registered = facts.registered_municipality_code
    if registered and facts.municipality_code and registered != facts.municipality_code:
        findings.append(
            Finding(
                "registered_elsewhere",
                "registered_elsewhere",
                f"Sökanden är folkbokförd i en annan kommun (kommunkod {registered}) än den "
                f"ansökan gäller ({facts.municipality_code}). Kontrollera vilken kommun som "
                "ansvarar.",
                {"registered": registered, "applied": facts.municipality_code},
            )
        )
    return findings


def detect(facts: Facts) -> list[Finding]:
    """Every finding for the facts, one per cause (key), in a stable order."""
    return _unique(
        _income_findings(facts)
        + _household_findings(facts)
        + _linked_findings(facts)
        + _cost_findings(facts)
        + _asset_findings(facts)
        + _other_findings(facts)
    )


def suggest_track(facts: Facts) -> TrackSuggestion:
    """The robot's suggestion from register indicators, the needs screens and the applicant's
    own answers, through the one routing rule (`meetings.routing`). The caseworker decides."""
    control = previous_month(facts.month)
    adults = [pnr for role, pnr in facts.declared_members if role in ("applicant", "partner")]

    def adults_paid(kinds: tuple[str, ...]) -> int:
        return len(
            {
                p.personnummer
                for p in facts.payments
                if p.kind in kinds
                and p.personnummer in adults
                and p.paid_on.replace(day=1) == control
            }
        )

    needs = list(facts.needs)
    if facts.own_answers.get("health_prevents_work"):
        needs.append(routing.Needs(health=True))
    work, social, reasons = routing.suggest_track(
        needs or [routing.Needs()],
        routing.Indicators(
            adults=len(adults) or 1,
            adults_of_pension_age=sum(1 for age in facts.adult_ages if age >= PENSION_AGE),
            adults_on_sickness_benefit=adults_paid(("sickness_benefit", "sickness_compensation")),
            adults_on_activity_compensation=adults_paid(("activity_compensation",)),
            registered_at_employment_service=facts.registered_at_employment_service,
        ),
    )
    return TrackSuggestion(work=work, social=social, reasons=tuple(reasons))


def approvability(facts: Facts, findings: list[Finding]) -> tuple[bool, list[str]]:
    """Approvable as proposed only when nothing needs a person's judgement."""
    reasons: list[str] = []
    if facts.application_kind == "new":
        reasons.append("Ny sökande: första ansökan prövas alltid av en handläggare.")
    elif facts.application_kind == "supplementary":
        reasons.append("Tilläggsansökan: kostnaderna bedöms av en handläggare.")
    if not facts.eligible:
        reasons.append("Förslaget är avslag: ett avslag beslutas alltid av en handläggare.")
    # Provisional norm figures are a fact about the year's data, not about this household:
    # the warning is shown, but it does not hold back an otherwise clear case.
    to_judge = [f for f in findings if f.kind not in INFORMATIONAL_KINDS]
    if to_judge:
        n = len(to_judge)
        reasons.append(f"{n} {'varning' if n == 1 else 'varningar'} att bedöma.")
    return (not reasons, reasons)


def is_sampled(reference: str, share: Decimal) -> bool:
    """Stickprov: a deterministic draw per case, so a re-run draws the same."""
    digest = hashlib.sha256(f"stickprov:{reference}".encode()).digest()
    draw = Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**32)
    return draw < share
