"""The public trial calculation's form: parses the query string into the engine's facts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality
from eligibility.rules import (
    Asset,
    Costs,
    Household,
    Income,
    InvalidHousehold,
    Member,
    norm_table_for,
)
from intake.models import IncomeType
from kernel.money import MoneyField

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_CHILDREN = 6
PRESCHOOL_MAX_AGE = 6
# Adult amounts do not depend on age; the engine only needs a valid adult age.
ADULT_AGE = 30
_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")

COST_FIELDS = (
    ("rent", _("Hyra eller boendekostnad")),
    ("electricity", _("Hushållsel")),
    ("home_insurance", _("Hemförsäkring")),
    ("work_travel", _("Arbetsresor")),
    ("union_fee", _("Fackavgift")),
    ("unemployment_fund_fee", _("Avgift till a-kassa")),
)
INCOME_TYPES = (
    IncomeType.SALARY,
    IncomeType.UNEMPLOYMENT_BENEFIT,
    IncomeType.SICKNESS_BENEFIT,
    IncomeType.PARENTAL_BENEFIT,
    IncomeType.ACTIVITY_SUPPORT,
    IncomeType.CHILD_ALLOWANCE,
    IncomeType.HOUSING_ALLOWANCE,
    IncomeType.MAINTENANCE_SUPPORT,
    IncomeType.STUDY_SUPPORT,
    IncomeType.PENSION,
    IncomeType.OTHER,
)


def _amount(label: StrOrPromise) -> MoneyField:
    return MoneyField(label=label, max_value=10_000_000, required=False)


class MonthInput(forms.TextInput):
    input_type = "month"


class TrialCalculationForm(forms.Form):
    """One household for one month. Children come as fixed rows so the page needs no script."""

    month = forms.CharField(
        label=_("Månad"),
        help_text=_("Den månad du vill räkna på, till exempel 2026-01."),
        widget=MonthInput(attrs={"placeholder": _("ÅÅÅÅ-MM")}),
    )
    municipality = forms.ModelChoiceField(
        label=_("Kommun"),
        queryset=Municipality.objects.none(),
        required=False,
        empty_label=_("Ingen vald (utan kommunens egna regler)"),
        help_text=_("Med en kommun räknas dess högsta boendekostnad och egna kostnadsposter."),
    )
    adults = forms.TypedChoiceField(
        label=_("Vuxna i hushållet"),
        choices=(
            (1, _("En vuxen")),
            (2, _("Två vuxna (gifta, sambor eller registrerade partner)")),
        ),
        coerce=int,
        empty_value=1,  # type: ignore[arg-type]  # any value may stand for empty; the stubs say str
        required=False,
        initial=1,
        widget=forms.RadioSelect,
    )
    savings = _amount(_("Pengar på bankkonton"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = cast("forms.ModelChoiceField[Municipality]", self.fields["municipality"])
        municipality.queryset = Municipality.objects.order_by("name")
        for n in range(1, MAX_CHILDREN + 1):
            self.fields[f"child{n}_age"] = forms.IntegerField(
                label=_("Barn %(n)s, ålder") % {"n": n},
                min_value=0,
                max_value=20,
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
            self.fields[f"child{n}_lunch"] = forms.BooleanField(
                label=_("Äter lunch i förskolan på vardagar"), required=False
            )
            self.fields[f"child{n}_school"] = forms.BooleanField(
                label=_("Går i gymnasieskolan (19–20 år)"), required=False
            )
        for name, label in COST_FIELDS:
            self.fields[f"cost_{name}"] = _amount(label)
        for kind in INCOME_TYPES:
            self.fields[f"income_{kind.value}"] = _amount(kind.label)

    # --- groups for the template --------------------------------------------------------------

    def child_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return [
            (self[f"child{n}_age"], self[f"child{n}_lunch"], self[f"child{n}_school"])
            for n in range(1, MAX_CHILDREN + 1)
        ]

    def cost_fields(self) -> list[forms.BoundField]:
        return [self[f"cost_{name}"] for name, _label in COST_FIELDS]

    def income_fields(self) -> list[forms.BoundField]:
        return [self[f"income_{kind.value}"] for kind in INCOME_TYPES]

    # --- validation ---------------------------------------------------------------------------

    def clean_month(self) -> datetime.date:
        match = _MONTH.match(self.cleaned_data["month"])
        month_number = int(match.group(2)) if match else 0
        if match is None or not 1 <= month_number <= 12:
            raise ValidationError(_("Skriv månaden som år och månad, till exempel 2026-01."))
        month = datetime.date(int(match.group(1)), month_number, 1)
        try:
            norm_table_for(month)
        except InvalidHousehold:
            raise ValidationError(
                _("Det finns inga normbelopp för %(month)s i beräkningen."),
                params={"month": f"{month:%Y-%m}"},
            ) from None
        return month

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for n in range(1, MAX_CHILDREN + 1):
            age = data.get(f"child{n}_age")
            if age is None:
                if data.get(f"child{n}_lunch") or data.get(f"child{n}_school"):
                    self.add_error(f"child{n}_age", _("Fyll i barnets ålder."))
                continue
            if data.get(f"child{n}_lunch") and age > PRESCHOOL_MAX_AGE:
                self.add_error(
                    f"child{n}_lunch", _("Lunch i förskolan gäller bara barn som är 0–6 år.")
                )
        return data

    # --- the engine's facts -------------------------------------------------------------------

    def household(self) -> Household:
        """The engine's Household (no municipal policy yet: the selector adds it)."""
        data = self.cleaned_data
        members = [Member(role="applicant", age=ADULT_AGE)]
        if data["adults"] == 2:
            members.append(Member(role="partner", age=ADULT_AGE))
        for n in range(1, MAX_CHILDREN + 1):
            age = data.get(f"child{n}_age")
            if age is not None:
                members.append(
                    Member(
                        role="child",
                        age=age,
                        preschool_lunch=bool(data.get(f"child{n}_lunch")),
                        in_school=bool(data.get(f"child{n}_school")),
                    )
                )
        costs = Costs(
            **{name: data.get(f"cost_{name}") or Decimal(0) for name, _label in COST_FIELDS}
        )
        incomes = tuple(
            Income(type=kind.value, amount=data[f"income_{kind.value}"])
            for kind in INCOME_TYPES
            if data.get(f"income_{kind.value}")
        )
        savings = data.get("savings")
        return Household(
            month=data["month"],
            members=tuple(members),
            costs=costs,
            incomes=incomes,
            assets=(Asset(type="bank", amount=savings),) if savings else (),
        )
