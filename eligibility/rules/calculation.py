"""The calculation of försörjningsstöd for one household and one calendar month.

Pure: no Django, no database, no clock. The month applied for picks the riksnorm table.

    support = max(0, norm + approved reasonable costs - counted net income - counted savings)

Every step is an explanation :class:`Line` rounded to whole kronor on its own
(``money.round_kronor``); the amount is the exact sum of the lines. When income exceeds the
need, a final "adjustment" line brings the sum to 0.

Rules and the choices made where the brief leaves room (see also
docs/adr/0002-eligibility-engine.md):

* Who is in the case. The applicant, a partner and children (role "child") aged 0-18, and 19-20
  when ``in_school``, form the case. A member with role "adult" (an adult sharing the dwelling
  without being a partner: adult child, lodger) is their own case, as is a child aged 19-20 who
  is not in school (flag ``young_adult_not_in_school``): they get no personal amount here, their
  incomes are not counted here (flag ``own_case_income_not_counted``), but they count as persons
  in the dwelling.
* Norm. Applicant alone: the single-adult amount; applicant + partner: the couple amount (once,
  for both). Each child in the case: the amount for its age band, the lower "lunch at preschool"
  amount for 0-6 with ``preschool_lunch``. Household common costs are looked up for the number
  of persons in the dwelling, ``n = shared_household_size or len(members)`` (more than 7: the
  7-person amount + ``each_additional`` per extra person). When the case has fewer persons
  ``k`` than the dwelling, the case gets its share ``common(n) * k / n`` (the statute's rule for
  an adult sharing a household: single amount + common costs / persons; k = 1 gives exactly that
  rule, e.g. 2024: 3 800 + 2 240 / 5 = 4 248).
* Costs. Rent (capped at ``policy.max_housing_cost`` when set: flag ``housing_cost_capped`` and a
  note with the excess), household electricity, home insurance, work travel, union fee,
  unemployment-fund fee; the municipality's extra items per adult in the case (1 or 2) or per
  household. Costs are the case's own share as claimed.
* Incomes, net per month. Grouped by (type, member): when any register figure exists for a group
  the register total replaces the declared total (never both); when both exist and differ:
  flag ``declared_register_difference``. A child's salary is exempt up to one price base amount
  per calendar year, applied monthly as prisbasbelopp / 12 (the engine sees one month; flag
  ``child_income_cap_reached`` when the month's salary reaches that share, so a person can check
  the year). Jobbstimulans (``job_stimulus``): 25 % of the net salary of the applicant/partner
  (or salary with no member) is not counted, one line per salary.
* Assets. Bank savings above ``policy.asset_buffer`` are counted for the month (flag
  ``savings_counted``); vehicle/property/other: flag ``asset:<type>``, no amount.
* Other needs are never approved: flag ``other_need:<code>`` for each.
* Rounding monotonicity: derived lines (jobbstimulans, child exemption) are the difference
  between two rounded totals, so the net effect of an income is ``-round(counted)`` and more
  income can never give more support.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import NamedTuple

from eligibility.rules.household import Household, Income, Member
from eligibility.rules.money import ONE, ZERO, format_kronor, quantize, round_kronor
from eligibility.rules.parameters import MAX_LISTED_PERSONS, NormTable, norm_table_for

__all__ = [
    "INCOME_LABELS",
    "CalculationResult",
    "Line",
    "calculate",
]

KINDS = ("norm", "cost", "income", "asset", "adjustment")


class Line(NamedTuple):
    """One explanation line. ``amount`` is signed whole kronor: + adds to support, - reduces.

    Immutable like the result that holds it. A NamedTuple because the engine makes several
    per household and a tuple is the cheapest immutable record Python builds."""

    code: str
    label: str
    amount: Decimal
    rule: str
    source: str
    kind: str


class CalculationResult(NamedTuple):
    """The outcome for one month. ``sum(line.amount for line in lines) == amount`` always.

    ``notes`` are explanations that change no amount (e.g. the part of the rent above the cap).
    Immutable; a NamedTuple like ``Line`` (the cheapest immutable record to build).
    """

    eligible: bool
    amount: Decimal
    norm: Decimal
    lines: tuple[Line, ...]
    flags: tuple[str, ...]
    parameter_version: str
    provisional: bool
    month: datetime.date
    notes: tuple[str, ...] = ()


# Fast construction for the hot path: ``tuple.__new__`` with the fields in order builds the
# same NamedTuple as the constructor without its keyword handling (see bench/engine.py). The
# hot path calls it in place (``_tuple_new(Line, (...))``) rather than through ``_line``: a
# Python call per line was a tenth of the engine's time.
_tuple_new = tuple.__new__


def _line(code: str, label: str, amount: Decimal, rule: str, source: str, kind: str) -> Line:
    """A Line built fast, for the rarer lines (the common ones are built in place)."""
    line: Line = _tuple_new(Line, (code, label, amount, rule, source, kind))
    return line


# --- labels (Swedish, plain) -------------------------------------------------------------

_BAND_LABELS = {
    "child_0": "barn under 1 år",
    "child_0_lunch": "barn under 1 år, lunch på förskola",
    "child_1_2": "barn 1–2 år",
    "child_1_2_lunch": "barn 1–2 år, lunch på förskola",
    "child_3": "barn 3 år",
    "child_3_lunch": "barn 3 år, lunch på förskola",
    "child_4_6": "barn 4–6 år",
    "child_4_6_lunch": "barn 4–6 år, lunch på förskola",
    "child_7_10": "barn 7–10 år",
    "child_11_14": "barn 11–14 år",
    "child_15_18": "ungdom 15–18 år",
    "child_19_20": "ungdom 19–20 år i skolan",
    "adult_single": "ensamstående vuxen",
    "adult_couple": "sammanboende vuxna (för båda)",
}

_COST_FIELDS = (
    ("rent", "Boendekostnad (hyra)"),
    ("electricity", "Hushållsel"),
    ("home_insurance", "Hemförsäkring"),
    ("work_travel", "Arbetsresor"),
    ("union_fee", "Fackavgift"),
    ("unemployment_fund_fee", "Avgift till a-kassa"),
)

INCOME_LABELS = {
    "salary": "Lön",
    "unemployment_benefit": "Arbetslöshetsersättning",
    "sickness_benefit": "Sjukpenning",
    "parental_benefit": "Föräldrapenning",
    "activity_support": "Aktivitetsstöd",
    "child_allowance": "Barnbidrag",
    "housing_allowance": "Bostadsbidrag",
    "maintenance_support": "Underhållsstöd",
    "pension": "Pension",
    "study_support": "Studiestöd",
    "tax_refund": "Skatteåterbäring",
    "other": "Övrig inkomst",
}

# Age band for a child in the case, by age (index) and preschool lunch.
_BANDS = (
    ("child_0", "child_0_lunch"),
    *(("child_1_2", "child_1_2_lunch"),) * 2,
    ("child_3", "child_3_lunch"),
    *(("child_4_6", "child_4_6_lunch"),) * 3,
    *(("child_7_10", "child_7_10"),) * 4,
    *(("child_11_14", "child_11_14"),) * 4,
    *(("child_15_18", "child_15_18"),) * 4,
    *(("child_19_20", "child_19_20"),) * 2,
)
YOUNG_ADULT_AGE = 19
JOB_STIMULUS_COUNTED = Decimal("0.75")

# (precomputed norm line, its amount, uses a provisional figure)
_NormEntry = tuple[Line, Decimal, bool]


class _Prepared:
    """Everything the calculation needs from one table, built once per table and reused:
    the norm lines (they depend only on the table and the band), the source texts, and the
    child salary exemption."""

    __slots__ = (
        "child_exempt_label",
        "child_exempt_per_month",
        "children",
        "common",
        "couple",
        "single",
        "source_assets",
        "source_child_income",
        "source_costs",
        "source_income",
        "source_job_stimulus",
        "source_municipal",
        "table",
        "version",
        "year",
    )

    def __init__(self, table: NormTable) -> None:
        self.table = table
        self.version = table.version
        self.year = table.year
        self.single = self._personal("adult_single")
        self.couple = self._personal("adult_couple")
        # By age 0-20: (entry without, entry with preschool lunch).
        self.children = tuple(
            (self._personal(plain), self._personal(lunch)) for plain, lunch in _BANDS
        )
        self.common: dict[tuple[int, int], _NormEntry] = {}
        sources = table.sources
        self.source_costs = sources["costs"]
        self.source_income = sources["income"]
        self.source_child_income = sources["child_income"]
        self.source_job_stimulus = sources["job_stimulus"]
        self.source_assets = sources["assets"]
        self.source_municipal = sources["municipal"]
        self.child_exempt_per_month = table.child_salary_exempt_per_month
        self.child_exempt_label = ""
        if table.price_base_amount is not None and self.child_exempt_per_month is not None:
            per_month = round_kronor(self.child_exempt_per_month * 100) / 100
            self.child_exempt_label = (
                f"upp till ett prisbasbelopp {format_kronor(table.price_base_amount)} kr per år, "
                f"{format_kronor(per_month)} kr per månad"
            )

    def _personal(self, band: str) -> _NormEntry:
        table = self.table
        figure = table.personal[band]
        line = Line(
            code="personal_costs",
            label=f"Personliga kostnader, {_BAND_LABELS[band]}",
            amount=round_kronor(figure.amount),
            rule=f"riksnorm.personal.{band}",
            source=table.sources["personal"],
            kind="norm",
        )
        return line, line.amount, figure.provisional

    def common_line(self, persons: int, in_case: int) -> _NormEntry:
        """Household common costs for ``persons`` in the dwelling, ``in_case`` of them here."""
        key = (persons, in_case)
        entry = self.common.get(key)
        if entry is None:
            entry = self.common[key] = self._common(persons, in_case)
        return entry

    def _common(self, persons: int, in_case: int) -> _NormEntry:
        table = self.table
        figure = table.common_costs(persons)
        if persons > MAX_LISTED_PERSONS:
            how = (
                f"{format_kronor(table.household['persons_7'].amount)} + "
                f"{persons - MAX_LISTED_PERSONS} × "
                f"{format_kronor(table.household['each_additional'].amount)}"
            )
            rule = "riksnorm.household.more_than_7"
        else:
            how = format_kronor(figure.amount)
            rule = f"riksnorm.household.persons_{persons}"
        if in_case == persons:
            label = (
                "Hushållsgemensamma kostnader, 1 person"
                if persons == 1
                else f"Hushållsgemensamma kostnader, {persons} personer"
            )
            if persons > MAX_LISTED_PERSONS:
                label += f" ({how})"
            amount = round_kronor(figure.amount)
            source = table.sources["household"]
        else:
            label = (
                f"Hushållsgemensamma kostnader, andel för {in_case} av {persons} personer "
                f"i hushållet ({how} × {in_case}/{persons})"
            )
            amount = round_kronor(figure.amount * in_case / persons)
            rule = "riksnorm.household.shared"
            source = table.sources["shared"]
        line = Line("household_costs", label, amount, rule, source, "norm")
        return line, amount, figure.provisional


# month (first day) -> (prepared table, the table is from an earlier year than the month);
# version -> prepared table. Bounded by the months seen.
_PREPARED_BY_MONTH: dict[datetime.date, tuple[_Prepared, bool]] = {}
_PREPARED_BY_VERSION: dict[str, _Prepared] = {}


def _prepared_for(month: datetime.date) -> tuple[_Prepared, bool]:
    entry = _PREPARED_BY_MONTH.get(month)
    if entry is None:
        table = norm_table_for(month)  # raises InvalidHousehold when no table covers the month
        prepared = _PREPARED_BY_VERSION.get(table.version)
        if prepared is None or prepared.table is not table:
            prepared = _PREPARED_BY_VERSION[table.version] = _Prepared(table)
        entry = _PREPARED_BY_MONTH[month] = (prepared, month.year > prepared.year)
    return entry


def _member_label(members: tuple[Member, ...], index: int | None) -> str:
    if index is None:
        return "hushållet"
    member = members[index]
    if member.role == "applicant":
        return "sökande"
    if member.role == "partner":
        return "partner"
    if member.role == "child":
        return f"barn {member.age} år (person {index + 1})"
    return f"vuxen i hushållet (person {index + 1})"


_RENT_LABEL = dict(_COST_FIELDS)["rent"]
# (code, label, rule) of the costs after rent, in line order.
_ELECTRICITY, _HOME_INSURANCE, _WORK_TRAVEL, _UNION_FEE, _UNEMPLOYMENT_FUND_FEE = (
    (name, label, f"cost.{name}") for name, label in _COST_FIELDS[1:]
)

# Texts the engine would otherwise format again for every household, each keyed by what alone
# decides it (so a cached text is the text it would format) and bounded by the few values met:
# income kind -> person -> (code, label when declared, label when from a register);
# (role, age, index) of a person -> the person's words in a label; a municipality's rent cap or
# savings buffer (whole kronor) -> its figure in kronor.
_INCOME_TEXTS: dict[str, dict[str, tuple[str, str, str]]] = {kind: {} for kind in INCOME_LABELS}
_PERSON_TEXTS: dict[tuple[str, int, int], str] = {}
_POLICY_KRONOR: dict[Decimal, str] = {}
_TEXT_CACHE_LIMIT = 4096


def _income_texts(kind: str, who: str) -> tuple[str, str, str]:
    texts = _INCOME_TEXTS[kind]
    if len(texts) >= _TEXT_CACHE_LIMIT:
        texts.clear()
    type_label = INCOME_LABELS[kind]
    entry = texts[who] = (
        f"income:{kind}",
        f"{type_label}, {who}",
        f"{type_label}, {who} (enligt register)",
    )
    return entry


def _person_text(members: tuple[Member, ...], index: int) -> str:
    member = members[index]
    key = (member.role, member.age, index)
    text = _PERSON_TEXTS.get(key)
    if text is None:
        if len(_PERSON_TEXTS) >= _TEXT_CACHE_LIMIT:
            _PERSON_TEXTS.clear()
        text = _PERSON_TEXTS[key] = _member_label(members, index)
    return text


def _policy_kronor(value: Decimal) -> str:
    """``format_kronor(value)`` for a municipality's figure (few values, each seen often)."""
    text = _POLICY_KRONOR.get(value)
    if text is None:
        text = format_kronor(value)
        # Kept for whole kronor only: their text depends on the value alone (0 and -0 alike),
        # while a fraction is rounded to öre in the caller's decimal context.
        if value == value.to_integral_value():
            if len(_POLICY_KRONOR) >= _TEXT_CACHE_LIMIT:
                _POLICY_KRONOR.clear()
            _POLICY_KRONOR[value] = text
    return text


def calculate(household: Household) -> CalculationResult:
    """Calculate försörjningsstöd for ``household`` in ``household.month``.

    Raises InvalidHousehold when no riksnorm table covers the month.
    """
    h = household
    month = h.month
    prepared, outdated = _PREPARED_BY_MONTH.get(month) or _prepared_for(month)
    policy = h.policy
    members = h.members
    flags: list[str] = []
    notes: list[str] = []

    # --- who is in the case, and the norm -------------------------------------------------------
    partner = False
    provisional = False
    own_case: set[int] = set()
    children = prepared.children
    norm = ZERO
    lines = [prepared.single[0]]  # the place of the personal line, set after the loop
    for index, member in enumerate(members):
        role = member.role
        if role == "child":
            age = member.age
            if age >= YOUNG_ADULT_AGE and not member.in_school:
                own_case.add(index)
                flags.append("young_adult_not_in_school")
                notes.append(
                    f"Person {index + 1} ({age} år) går inte i skolan och räknas "
                    "inte in i hushållets norm (egen prövning)."
                )
            else:
                line, amount, prov = children[age][member.preschool_lunch]
                lines.append(line)
                norm += amount
                if prov:
                    provisional = True
        elif role == "partner":
            partner = True
        elif role == "adult":
            own_case.add(index)
    line, amount, prov = prepared.couple if partner else prepared.single
    lines[0] = line
    norm += amount
    if prov:
        provisional = True
    persons = h.shared_household_size or len(members)
    in_case = len(members) - len(own_case)
    entry = prepared.common.get((persons, in_case)) or prepared.common_line(persons, in_case)
    line, amount, prov = entry
    lines.append(line)
    norm += amount
    if prov:
        provisional = True
    total = norm

    # --- reasonable costs ---------------------------------------------------------------------
    costs = h.costs
    cost_source = prepared.source_costs
    rent = costs.rent
    if rent:
        cap = policy.max_housing_cost
        if cap is not None and rent > cap:
            flags.append("housing_cost_capped")
            rent_text = format_kronor(rent)
            cap_text = _policy_kronor(cap)
            notes.append(
                f"Hyran {rent_text} kr är högre än kommunens högsta skäliga "
                f"boendekostnad {cap_text} kr; {format_kronor(rent - cap)} kr "
                "godtas inte i beräkningen (en handläggare bedömer tid att flytta)."
            )
            amount = quantize(cap, ONE)
            if amount:
                lines.append(
                    _tuple_new(
                        Line,
                        (
                            "rent",
                            f"Boendekostnad (hyra {rent_text} kr, högst {cap_text} kr)",
                            amount,
                            "cost.rent_capped",
                            cost_source,
                            "cost",
                        ),
                    )
                )
                total += amount
        else:
            amount = quantize(rent, ONE)
            if amount:
                lines.append(
                    _tuple_new(
                        Line, ("rent", _RENT_LABEL, amount, "cost.rent", cost_source, "cost")
                    )
                )
                total += amount
    # The other costs, written out: a loop over the fields cost a third more.
    value = costs.electricity
    if value and (amount := quantize(value, ONE)):
        code, label, rule = _ELECTRICITY
        lines.append(_tuple_new(Line, (code, label, amount, rule, cost_source, "cost")))
        total += amount
    value = costs.home_insurance
    if value and (amount := quantize(value, ONE)):
        code, label, rule = _HOME_INSURANCE
        lines.append(_tuple_new(Line, (code, label, amount, rule, cost_source, "cost")))
        total += amount
    value = costs.work_travel
    if value and (amount := quantize(value, ONE)):
        code, label, rule = _WORK_TRAVEL
        lines.append(_tuple_new(Line, (code, label, amount, rule, cost_source, "cost")))
        total += amount
    value = costs.union_fee
    if value and (amount := quantize(value, ONE)):
        code, label, rule = _UNION_FEE
        lines.append(_tuple_new(Line, (code, label, amount, rule, cost_source, "cost")))
        total += amount
    value = costs.unemployment_fund_fee
    if value and (amount := quantize(value, ONE)):
        code, label, rule = _UNEMPLOYMENT_FUND_FEE
        lines.append(_tuple_new(Line, (code, label, amount, rule, cost_source, "cost")))
        total += amount
    if policy.extra_cost_items:
        adults = 2 if partner else 1
        for item in policy.extra_cost_items:
            if item.per == "adult":
                amount = quantize(item.amount * adults, ONE)
                label = item.label if adults == 1 else f"{item.label} ({adults} vuxna)"
            else:
                amount = quantize(item.amount, ONE)
                label = item.label
            if amount:
                lines.append(
                    _tuple_new(
                        Line,
                        (
                            f"municipal:{item.code}",
                            label,
                            amount,
                            f"municipal.extra_cost.per_{item.per}",
                            prepared.source_municipal,
                            "cost",
                        ),
                    )
                )
                total += amount

    # --- incomes -------------------------------------------------------------------------------
    # Merge rule: for each (type, member) the register total replaces the declared total when
    # any register figure exists; the two are never added together. Written in place, like
    # the rest of this function: it runs for every household (a call costs ~2 % here).
    if h.incomes:
        # (type, member) -> its first income; the keys with several incomes -> all of them (rare)
        firsts: dict[tuple[str, int | None], Income] = {}
        several: dict[tuple[str, int | None], list[Income]] | None = None
        for income in h.incomes:
            key = (income.type, income.member)
            if key not in firsts:
                firsts[key] = income
            elif several is None:
                several = {key: [firsts[key], income]}
            elif key in several:
                several[key].append(income)
            else:
                several[key] = [firsts[key], income]

        income_source = prepared.source_income
        income_total = ZERO
        for key, first in firsts.items():
            kind, person_index = key
            if person_index is None:
                who = "hushållet"
            else:
                if person_index in own_case:
                    flags.append("own_case_income_not_counted")
                    notes.append(
                        f"{INCOME_LABELS[kind]} för {_member_label(members, person_index)} "
                        "räknas inte här: personen prövas för sig (egen prövning)."
                    )
                    continue
                person = members[person_index]
                role = person.role
                if role == "applicant":
                    who = "sökande"
                elif role == "partner":
                    who = "partner"
                else:
                    who = _PERSON_TEXTS.get((role, person.age, person_index)) or _person_text(
                        members, person_index
                    )
            code, declared_label, register_label = _INCOME_TEXTS[kind].get(who) or _income_texts(
                kind, who
            )
            group = None if several is None else several.get(key)
            if group is None:  # the usual case: one figure for this type and member
                amount = first.amount
                differs = False
                if first.source == "register":
                    label = register_label
                    rule = "income.register"
                else:
                    label = declared_label
                    rule = "income.declared"
            else:
                declared = register = ZERO
                has_declared = has_register = False
                for income in group:
                    if income.source == "register":
                        register += income.amount
                        has_register = True
                    else:
                        declared += income.amount
                        has_declared = True
                amount = register if has_register else declared
                differs = has_register and has_declared and declared != register
                if differs:
                    flags.append("declared_register_difference")
                    label = (
                        f"{INCOME_LABELS[kind]}, {who} "
                        f"(enligt register; uppgivet {format_kronor(declared)} kr)"
                    )
                    rule = "income.register_replaces_declared"
                elif has_register:
                    label = register_label
                    rule = "income.register"
                else:
                    label = declared_label
                    rule = "income.declared"
            gross_line = quantize(amount, ONE)
            if not gross_line and not differs:
                continue
            lines.append(
                _tuple_new(Line, (code, label, -gross_line, rule, income_source, "income"))
            )
            income_total -= gross_line
            if kind != "salary" or not gross_line:
                continue
            if person_index is not None and members[person_index].role == "child":
                exempt_cap = prepared.child_exempt_per_month
                if exempt_cap is None:
                    flags.append("child_income_exemption_unavailable")
                    continue
                if amount >= exempt_cap:
                    flags.append("child_income_cap_reached")
                counted = quantize(max(amount - exempt_cap, ZERO), ONE)
                exempt = gross_line - counted
                if exempt:
                    lines.append(
                        _line(
                            "child_salary_exempt",
                            f"Barns arbetsinkomst räknas inte, {who} "
                            f"({prepared.child_exempt_label})",
                            exempt,
                            "income.child_salary_exempt",
                            prepared.source_child_income,
                            "income",
                        )
                    )
                    income_total += exempt
            elif h.job_stimulus:
                counted = quantize(amount * JOB_STIMULUS_COUNTED, ONE)
                disregarded = gross_line - counted
                if disregarded:
                    lines.append(
                        _line(
                            "job_stimulus",
                            f"Jobbstimulans, {who}: 25 % av nettolönen räknas inte",
                            disregarded,
                            "income.job_stimulus",
                            prepared.source_job_stimulus,
                            "income",
                        )
                    )
                    income_total += disregarded
        total += income_total

    # --- assets --------------------------------------------------------------------------------
    if h.assets:
        bank = ZERO
        for asset in h.assets:
            if asset.type == "bank":
                bank += asset.amount
            else:
                flags.append(f"asset:{asset.type}")
        buffer = policy.asset_buffer
        excess = bank - buffer
        if excess > ZERO:
            counted = quantize(excess, ONE)
            if counted:
                buffer_text = f" över buffert {_policy_kronor(buffer)} kr" if buffer else ""
                lines.append(
                    _tuple_new(
                        Line,
                        (
                            "savings",
                            f"Sparade medel{buffer_text} (ska användas först)",
                            -counted,
                            "asset.savings_above_buffer",
                            prepared.source_assets,
                            "asset",
                        ),
                    )
                )
                total -= counted
                flags.append("savings_counted")

    for code in h.other_needs:
        flags.append(f"other_need:{code}")
    if provisional:
        flags.append("provisional_norm")
    if outdated:
        flags.append("norm_table_outdated")

    # --- result ----------------------------------------------------------------------------------
    if total < ZERO:
        lines.append(
            _tuple_new(
                Line,
                (
                    "no_negative_support",
                    "Inkomsterna täcker behovet – inget försörjningsstöd",
                    -total,
                    "calculation.support_not_below_zero",
                    prepared.source_income,
                    "adjustment",
                ),
            )
        )
        flags.append("income_exceeds_need")
        total = ZERO
    result: CalculationResult = _tuple_new(
        CalculationResult,
        (
            total > ZERO,
            total,
            norm,
            tuple(lines),
            tuple(dict.fromkeys(flags)) if flags else (),
            prepared.version,
            provisional,
            month,
            tuple(notes),
        ),
    )
    return result
