"""What the robot finds, its track suggestion and approvability: pure, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from eligibility.robot.findings import (
    Facts,
    Finding,
    PaymentFact,
    approvability,
    detect,
    income_by_month,
    is_sampled,
    suggest_track,
)

MONTH = date(2026, 11, 1)  # the month applied for
CONTROL = date(2026, 10, 25)  # paid in the control month (the month before)
BEFORE = date(2026, 9, 25)  # paid two months before
APPLICANT = "200306062381"
PARTNER = "200802122390"
CHILD = "201701012393"
LODGER = "199001012395"


def facts(**overrides: Any) -> Facts:
    """Minimal facts: a one-person renewal with nothing declared, paid or found."""
    base: dict[str, Any] = {
        "month": MONTH,
        "application_kind": "renewal",
        "declared_incomes": {},
        "payments": (),
        "declared_members": (("applicant", APPLICANT),),
        "costs": {},
    }
    return Facts(**{**base, **overrides})


def paid(kind: str, net: str, on: date = CONTROL, pnr: str = APPLICANT) -> PaymentFact:
    return PaymentFact(
        source="forsakringskassan", personnummer=pnr, kind=kind, net=Decimal(net), paid_on=on
    )


def monthly(kind: str, before: str, control: str) -> tuple[PaymentFact, ...]:
    """One payment in the month before the control month and one in the control month."""
    return (paid(kind, before, BEFORE), paid(kind, control, CONTROL))


def found(f: Facts) -> set[tuple[str, str]]:
    return {(finding.kind, finding.key) for finding in detect(f)}


def kr(amount: str) -> Decimal:
    return Decimal(amount)


# --- income: control month vs the month before, declared vs register -------------------------


INCOME_CASES = [
    # (id, declared, payments, extra facts, expected (kind, key))
    ("unchanged", {"child_allowance": kr("1250")}, monthly("child_allowance", "1250", "1250"),
     {}, set()),
    ("up exactly 12 % is no change", {"sickness_benefit": kr("1120")},
     monthly("sickness_benefit", "1000", "1120"), {}, set()),
    ("up 12.1 % is a change", {"sickness_benefit": kr("1121")},
     monthly("sickness_benefit", "1000", "1121"), {},
     {("income_changed", "income_changed:sickness_benefit")}),
    ("down exactly 12 % is no change", {"sickness_benefit": kr("880")},
     monthly("sickness_benefit", "1000", "880"), {}, set()),
    ("down 12.1 % is a change", {"sickness_benefit": kr("879")},
     monthly("sickness_benefit", "1000", "879"), {},
     {("income_changed", "income_changed:sickness_benefit")}),
    ("the municipality's own threshold applies", {"sickness_benefit": kr("1150")},
     monthly("sickness_benefit", "1000", "1150"), {"change_threshold": kr("0.20")}, set()),
    ("a lower threshold catches a smaller change", {"sickness_benefit": kr("1060")},
     monthly("sickness_benefit", "1000", "1060"), {"change_threshold": kr("0.05")},
     {("income_changed", "income_changed:sickness_benefit")}),
    ("several payments of a kind in a month are summed", {"parental_benefit": kr("3000")},
     (paid("parental_benefit", "3000", BEFORE), paid("parental_benefit", "1500", CONTROL),
      paid("parental_benefit", "1500", date(2026, 10, 5))), {}, set()),
    ("new income in the control month, declared", {"pension": kr("9000")},
     (paid("pension", "9000"),), {}, {("new_income", "new_income:pension")}),
    ("new income in the control month, not declared", {}, (paid("pension", "9000"),), {},
     {("new_income", "new_income:pension"), ("unhandled_income", "unhandled_income:pension")}),
    ("income gone: paid the month before, not in the control month", {"pension": kr("9000")},
     (paid("pension", "9000", BEFORE),), {}, {("income_gone", "income_gone:pension")}),
    ("register income both months but not declared", {},
     monthly("housing_allowance", "2000", "2000"), {},
     {("unhandled_income", "unhandled_income:housing_allowance")}),
    ("declared differs by exactly the threshold: no warning", {"child_allowance": kr("1150")},
     monthly("child_allowance", "1250", "1250"), {}, set()),
    ("declared differs by more than the threshold", {"child_allowance": kr("1149")},
     monthly("child_allowance", "1250", "1250"), {},
     {("declared_register_difference", "declared_register_difference:child_allowance")}),
    ("declared above the register by more than the threshold", {"child_allowance": kr("1351")},
     monthly("child_allowance", "1250", "1250"), {},
     {("declared_register_difference", "declared_register_difference:child_allowance")}),
    ("the municipality's own difference threshold applies", {"child_allowance": kr("1200")},
     monthly("child_allowance", "1250", "1250"), {"difference_threshold": kr("40")},
     {("declared_register_difference", "declared_register_difference:child_allowance")}),
    ("declared but nothing in the registers: no register warning", {"salary": kr("5000")}, (),
     {}, set()),
    ("payments outside the two months do not count", {},
     (paid("pension", "9000", date(2026, 8, 25)), paid("pension", "9000", date(2026, 11, 5))),
     {}, set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("declared", "payments", "extra", "expected"),
    [case[1:] for case in INCOME_CASES],
    ids=[case[0] for case in INCOME_CASES],
)
def test_income_findings_compare_the_control_month_with_the_month_before(
    declared: dict[str, Decimal],
    payments: tuple[PaymentFact, ...],
    extra: dict[str, Any],
    expected: set[tuple[str, str]],
) -> None:
    assert found(facts(declared_incomes=declared, payments=payments, **extra)) == expected


def test_the_control_month_is_the_month_before_the_month_applied_for_across_new_year() -> None:
    january = facts(
        month=date(2027, 1, 1),
        payments=(
            paid("pension", "100", date(2026, 11, 18)),
            paid("pension", "200", date(2026, 12, 18)),
            paid("pension", "999", date(2027, 1, 18)),
        ),
    )
    assert income_by_month(january) == ({"pension": kr("200")}, {"pension": kr("100")})


def test_an_income_change_message_shows_both_amounts_and_the_share() -> None:
    [finding] = detect(
        facts(
            declared_incomes={"sickness_benefit": kr("1250")},
            payments=monthly("sickness_benefit", "1000", "1250"),
        )
    )
    assert finding.message == "Sjukpenning: 1 000 kr → 1 250 kr (+25 %)."
    assert finding.details == {
        "income": "sickness_benefit",
        "control_month": "1250",
        "month_before": "1000",
    }


# --- household: the population register and last month ---------------------------------------


HOUSEHOLD_CASES = [
    # (id, declared members, register household, previous members, expected)
    ("the register did not answer: nothing to compare", (("applicant", APPLICANT),), None, None,
     set()),
    ("register and application agree", (("applicant", APPLICANT), ("partner", PARTNER),
     ("child", CHILD)), (("partner", PARTNER), ("child", CHILD)), None, set()),
    ("the applicant need not be listed in their own household", (("applicant", APPLICANT),), (),
     None, set()),
    ("a registered person missing from the application", (("applicant", APPLICANT),),
     (("partner", PARTNER),), None, {("new_household_member", f"new_household_member:{PARTNER}")}),
    ("a declared person not registered in the household", (("applicant", APPLICANT),
     ("child", CHILD)), (), None,
     {("person_missing_in_register", f"person_missing_in_register:{CHILD}")}),
    ("a person new since last month", (("applicant", APPLICANT), ("adult", LODGER)), None,
     frozenset({APPLICANT}), {("new_household_member", f"new_household_member:{LODGER}")}),
    ("the same household as last month", (("applicant", APPLICANT), ("child", CHILD)), None,
     frozenset({APPLICANT, CHILD}), set()),
    ("someone who left since last month is no warning", (("applicant", APPLICANT),), None,
     frozenset({APPLICANT, CHILD}), set()),
    ("new in the register and since last month: one warning", (("applicant", APPLICANT),
     ("partner", PARTNER)), (("partner", PARTNER),), frozenset({APPLICANT}),
     {("new_household_member", f"new_household_member:{PARTNER}")}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("members", "register", "previous", "expected"),
    [case[1:] for case in HOUSEHOLD_CASES],
    ids=[case[0] for case in HOUSEHOLD_CASES],
)
def test_household_findings_from_the_population_register_and_last_month(
    members: tuple[tuple[str, str], ...],
    register: tuple[tuple[str, str], ...] | None,
    previous: frozenset[str] | None,
    expected: set[tuple[str, str]],
) -> None:
    f = facts(declared_members=members, register_household=register, previous_members=previous)
    assert found(f) == expected


# --- costs: last month and the engine's flags ---------------------------------------------------


COST_CASES = [
    # (id, costs, previous costs, engine flags, expected)
    ("a new application has no last month to compare", {"rent": kr("6000")}, None, (), set()),
    ("the same costs as last month", {"rent": kr("6000"), "electricity": kr("400")},
     {"rent": kr("6000"), "electricity": kr("400")}, (), set()),
    ("rent changed", {"rent": kr("6500")}, {"rent": kr("6000")}, (),
     {("housing_cost_changed", "housing_cost_changed")}),
    ("rent gone", {"rent": kr("0")}, {"rent": kr("6000")}, (),
     {("housing_cost_changed", "housing_cost_changed")}),
    ("rent where there was none is a new cost", {"rent": kr("6000")}, {"rent": kr("0")}, (),
     {("new_cost", "new_cost:rent")}),
    ("a new cost item", {"rent": kr("6000"), "electricity": kr("400")},
     {"rent": kr("6000"), "electricity": kr("0")}, (), {("new_cost", "new_cost:electricity")}),
    ("a cost item last month did not have at all", {"union_fee": kr("300")}, {}, (),
     {("new_cost", "new_cost:union_fee")}),
    ("another cost that changed is not a warning", {"electricity": kr("500")},
     {"electricity": kr("400")}, (), set()),
    ("a cost outside the norm needs assessment", {}, None, ("other_need:dental_care",),
     {("cost_needs_assessment", "cost_needs_assessment:dental_care")}),
    ("two such costs, two warnings", {}, None, ("other_need:dental_care", "other_need:glasses"),
     {("cost_needs_assessment", "cost_needs_assessment:dental_care"),
      ("cost_needs_assessment", "cost_needs_assessment:glasses")}),
    ("housing capped at the municipality's limit", {}, None, ("housing_cost_capped",),
     {("cost_capped", "cost_capped")}),
    ("other engine flags are no cost warning", {}, None, ("income_exceeds_need",), set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("costs", "previous", "flags", "expected"),
    [case[1:] for case in COST_CASES],
    ids=[case[0] for case in COST_CASES],
)
def test_cost_findings(
    costs: dict[str, Decimal],
    previous: dict[str, Decimal] | None,
    flags: tuple[str, ...],
    expected: set[tuple[str, str]],
) -> None:
    assert found(facts(costs=costs, previous_costs=previous, engine_flags=flags)) == expected


# --- assets ----------------------------------------------------------------------------------

VOLVO = {"registration": "ABC123", "make": "Volvo", "estimated_value": "45000"}
BOAT = {"registration": "XYZ789", "make": "Buster", "estimated_value": "30000"}

ASSET_CASES = [
    # (id, vehicles, engine flags, expected)
    ("nothing", (), (), set()),
    ("a vehicle in Transportstyrelsen", (VOLVO,), (),
     {("asset_found", "asset_found:vehicle:ABC123")}),
    ("two vehicles, two warnings", (VOLVO, BOAT), (),
     {("asset_found", "asset_found:vehicle:ABC123"),
      ("asset_found", "asset_found:vehicle:XYZ789")}),
    ("a declared vehicle", (), ("asset:vehicle",), {("asset_found", "asset_found:asset:vehicle")}),
    ("a declared property", (), ("asset:property",),
     {("asset_found", "asset_found:asset:property")}),
    ("savings counted in the proposal", (), ("savings_counted",),
     {("asset_found", "asset_found:savings")}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("vehicles", "flags", "expected"),
    [case[1:] for case in ASSET_CASES],
    ids=[case[0] for case in ASSET_CASES],
)
def test_asset_findings(
    vehicles: tuple[dict[str, str], ...], flags: tuple[str, ...], expected: set[tuple[str, str]]
) -> None:
    assert found(facts(vehicles=vehicles, engine_flags=flags)) == expected


def test_a_vehicle_finding_carries_the_register_details_as_text() -> None:
    [finding] = detect(facts(vehicles=({"registration": "ABC123", "model_year": 2015},)))
    assert finding.details == {"registration": "ABC123", "model_year": "2015"}


# --- registers, norm, residence ---------------------------------------------------------------


OTHER_CASES = [
    # (id, extra facts, expected)
    ("a register that did not answer", {"unavailable_sources": ("forsakringskassan",)},
     {("register_unavailable", "register_unavailable:forsakringskassan")}),
    ("an unreadable register answer", {"invalid_sources": ("population",)},
     {("register_unavailable", "register_invalid:population")}),
    ("one of each", {"unavailable_sources": ("csn",), "invalid_sources": ("csn",)},
     {("register_unavailable", "register_unavailable:csn"),
      ("register_unavailable", "register_invalid:csn")}),
    ("a provisional norm figure", {"engine_flags": ("provisional_norm",)},
     {("provisional_norm", "provisional_norm")}),
    ("no residence permit", {"residence_status": "none"},
     {("residence_status", "residence_status")}),
    ("a temporary permit that ran out before the month", {"residence_status": "temporary",
     "permit_valid_until": date(2026, 10, 31)}, {("residence_status", "residence_status")}),
    ("a temporary permit ending during the month", {"residence_status": "temporary",
     "permit_valid_until": date(2026, 11, 15)}, {("residence_status", "residence_status")}),
    ("a temporary permit covering the whole month", {"residence_status": "temporary",
     "permit_valid_until": date(2026, 11, 30)}, set()),
    ("a temporary permit without an end date", {"residence_status": "temporary"}, set()),
    ("a permanent permit", {"residence_status": "permanent"}, set()),
    ("a citizen", {"residence_status": "citizen"}, set()),
    ("Migrationsverket did not say", {"residence_status": None}, set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "expected"),
    [case[1:] for case in OTHER_CASES],
    ids=[case[0] for case in OTHER_CASES],
)
def test_register_norm_and_residence_findings(
    extra: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    assert found(facts(**extra)) == expected


def test_nothing_found_for_a_quiet_renewal() -> None:
    assert detect(facts()) == []


def test_every_finding_has_a_unique_key_and_a_message() -> None:
    everything = facts(
        declared_incomes={"child_allowance": kr("900")},
        payments=(
            *monthly("child_allowance", "1250", "1250"),
            *monthly("sickness_benefit", "1000", "2000"),
            paid("pension", "9000"),
            paid("housing_allowance", "2000", BEFORE),
        ),
        declared_members=(("applicant", APPLICANT), ("child", CHILD)),
        register_household=(("partner", PARTNER),),
        costs={"rent": kr("7000"), "electricity": kr("400")},
        previous_costs={"rent": kr("6000")},
        previous_members=frozenset({APPLICANT}),
        engine_flags=(
            "other_need:dental_care",
            "housing_cost_capped",
            "savings_counted",
            "provisional_norm",
        ),
        vehicles=(VOLVO,),
        residence_status="none",
        unavailable_sources=("csn",),
        invalid_sources=("employer_pay",),
    )
    findings = detect(everything)
    keys = [f.key for f in findings]
    assert len(keys) == len(set(keys))
    assert all(f.message for f in findings)
    assert {f.kind for f in findings} == {
        "declared_register_difference",
        "income_changed",
        "unhandled_income",
        "new_income",
        "income_gone",
        "new_household_member",
        "person_missing_in_register",
        "housing_cost_changed",
        "new_cost",
        "cost_needs_assessment",
        "cost_capped",
        "asset_found",
        "provisional_norm",
        "residence_status",
        "register_unavailable",
    }
    assert detect(everything) == findings  # stable order


# --- the track suggestion ----------------------------------------------------------------------

SICK = (paid("sickness_benefit", "6000"),)
SICK_PARTNER = (paid("sickness_benefit", "6000", pnr=PARTNER),)
COUPLE = (("applicant", APPLICANT), ("partner", PARTNER))

TRACK_CASES = [
    # (id, extra facts, work, social, a reason shown with the suggestion)
    ("no indicators: the work track", {}, True, False, "Arbetsspåret"),
    ("registered at Arbetsförmedlingen: the work track",
     {"registered_at_employment_service": True}, True, False, "Arbetsspåret"),
    ("not registered: the work track, and the applicant must register",
     {"registered_at_employment_service": False}, True, False,
     "Inte inskriven på Arbetsförmedlingen"),
    ("sickness benefit: the social track", {"payments": SICK}, False, True, "Sjukpenning"),
    ("sickness compensation: the social track",
     {"payments": (paid("sickness_compensation", "9000"),)}, False, True, "sjukersättning"),
    ("activity compensation: the social track",
     {"payments": (paid("activity_compensation", "9000"),)}, False, True, "Aktivitetsersättning"),
    ("sickness benefit only the month before does not count",
     {"payments": (paid("sickness_benefit", "6000", BEFORE),)}, True, False, "Arbetsspåret"),
    ("a child's payment says nothing about the adults",
     {"payments": (paid("sickness_benefit", "6000", pnr=CHILD),),
      "declared_members": (("applicant", APPLICANT), ("child", CHILD))}, True, False,
     "Arbetsspåret"),
    ("the applicant says health prevents work: both tracks",
     {"own_answers": {"health_prevents_work": True}}, True, True, "Hälsa"),
    ("an answer of no is no indicator", {"own_answers": {"health_prevents_work": False}}, True,
     False, "Arbetsspåret"),
    ("a partner on sickness benefit: the other adult can work", {"payments": SICK_PARTNER,
     "declared_members": COUPLE}, True, False, "Sjukpenning"),
    ("both adults on sickness benefit: the social track", {"payments": SICK + SICK_PARTNER,
     "declared_members": COUPLE}, False, True, "Sjukpenning"),
    ("of pension age: the social track", {"adult_ages": (70,)}, False, True,
     "Ingen vuxen i hushållet"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "work", "social", "reason"),
    [case[1:] for case in TRACK_CASES],
    ids=[case[0] for case in TRACK_CASES],
)
def test_suggest_track_from_indicators_with_its_reasons(
    extra: dict[str, Any], work: bool, social: bool, reason: str
) -> None:
    suggestion = suggest_track(facts(**extra))
    assert (suggestion.work, suggestion.social) == (work, social)
    assert any(reason in shown for shown in suggestion.reasons), suggestion.reasons


def test_the_track_suggestion_is_stored_as_json_with_its_reasons() -> None:
    suggestion = suggest_track(facts(payments=SICK))
    assert suggestion.to_json() == {
        "work": False,
        "social": True,
        "reasons": list(suggestion.reasons),
    }
    assert suggestion.reasons


# --- approvability ---------------------------------------------------------------------------

A_FINDING = Finding("new_cost", "new_cost:rent", "Hyra: ny kostnad.")
NEW = "Ny sökande: första ansökan prövas alltid av en handläggare."
SUPPLEMENTARY = "Tilläggsansökan: kostnaderna bedöms av en handläggare."
REJECTION = "Förslaget är avslag: ett avslag beslutas alltid av en handläggare."

APPROVABILITY_CASES = [
    # (id, kind, eligible, findings, approvable, reasons)
    ("a renewal without findings", "renewal", True, [], True, []),
    ("a new applicant always goes to a person", "new", True, [], False, [NEW]),
    ("a supplementary application", "supplementary", True, [], False, [SUPPLEMENTARY]),
    ("a proposed rejection", "renewal", False, [], False, [REJECTION]),
    ("a renewal with a warning", "renewal", True, [A_FINDING], False,
     ["1 varning att bedöma."]),
    ("everything at once", "new", False, [A_FINDING, A_FINDING], False,
     [NEW, REJECTION, "2 varningar att bedöma."]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "eligible", "findings", "approvable", "reasons"),
    [case[1:] for case in APPROVABILITY_CASES],
    ids=[case[0] for case in APPROVABILITY_CASES],
)
def test_approvable_as_proposed_only_when_nothing_needs_a_person(
    kind: str, eligible: bool, findings: list[Finding], approvable: bool, reasons: list[str]
) -> None:
    result = approvability(facts(application_kind=kind, eligible=eligible), findings)
    assert result == (approvable, reasons)


# --- stickprov -------------------------------------------------------------------------------

REFERENCES = [f"EB-{n:08d}" for n in range(10_000)]


def test_the_sample_draw_is_deterministic_per_case() -> None:
    share = Decimal("0.5")
    first = [is_sampled(reference, share) for reference in REFERENCES[:200]]
    assert [is_sampled(reference, share) for reference in REFERENCES[:200]] == first
    assert any(first)
    assert not all(first)


@pytest.mark.parametrize("share", ["0.10", "0.25", "0.5"])
def test_the_sampled_share_is_close_to_the_setting(share: str) -> None:
    picked = sum(is_sampled(reference, Decimal(share)) for reference in REFERENCES)
    assert abs(Decimal(picked) / len(REFERENCES) - Decimal(share)) <= Decimal("0.01")


def test_a_share_of_zero_never_samples_and_one_always_does() -> None:
    assert not any(is_sampled(reference, Decimal(0)) for reference in REFERENCES)
    assert all(is_sampled(reference, Decimal(1)) for reference in REFERENCES)


def test_a_larger_share_keeps_every_case_a_smaller_share_picked() -> None:
    small = {r for r in REFERENCES if is_sampled(r, Decimal("0.05"))}
    large = {r for r in REFERENCES if is_sampled(r, Decimal("0.20"))}
    assert small <= large


# --- the municipality's own cross-checks (#14) -----------------------------------------------


def test_another_application_sharing_a_person_is_a_finding_naming_it_per_case() -> None:
    found = detect(
        facts(other_applications=(("EB-AAAA1111", "partner"), ("EB-BBBB2222", "registered")))
    )
    linked = [f for f in found if f.kind == "household_in_other_application"]
    assert [f.key for f in linked] == [
        "household_in_other_application:EB-AAAA1111",
        "household_in_other_application:EB-BBBB2222",
    ]
    assert linked[0].message.startswith("Partnern finns också i ansökan EB-AAAA1111")
    assert linked[1].message.startswith("En person som är folkbokförd med sökanden")
    assert not approvability(facts(), linked)[0]


@pytest.mark.parametrize(
    ("applied", "registered", "expected"),
    [("1263", "1287", True), ("1287", "1287", False), ("1287", None, False), ("", "1287", False)],
)
def test_an_applicant_registered_in_another_municipality_is_a_finding(
    applied: str, registered: str | None, expected: bool
) -> None:
    found = detect(facts(municipality_code=applied, registered_municipality_code=registered))
    elsewhere = [f for f in found if f.kind == "registered_elsewhere"]
    assert bool(elsewhere) is expected
    if expected:
        assert "kommunkod 1287" in elsewhere[0].message and "(1263)" in elsewhere[0].message


def test_two_assets_are_two_rows_a_person_can_tell_apart() -> None:
    """#18: two vehicles, or a declared vehicle and a house, were two identical 'Tillgång
    hittad' rows."""
    messages = [
        f.message
        for f in detect(
            facts(vehicles=(VOLVO, BOAT), engine_flags=("asset:vehicle", "asset:property"))
        )
        if f.kind == "asset_found"
    ]
    assert len(messages) == len(set(messages)) == 4
    assert any("ABC123" in m for m in messages) and any("XYZ789" in m for m in messages)
    assert "Uppgiven tillgång som en handläggare bedömer: fastighet." in messages
