"""The municipality's own settings for the calculation, as dated data (riksnorm is in
eligibility.rules.parameters)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class HouseholdType(models.TextChoices):
    """Household types for the highest reasonable housing cost (Malmö's published grouping).

    Adults are the applicant and a partner; children are the members with role "child". With
    children, one or two adults share the same cap.
    """

    ONE_ADULT = "one_adult", _("En vuxen utan barn")
    TWO_ADULTS = "two_adults", _("Två vuxna utan barn")
    CHILDREN_1 = "children_1", _("En eller två vuxna med 1 barn")
    CHILDREN_2 = "children_2", _("En eller två vuxna med 2 barn")
    CHILDREN_3 = "children_3", _("En eller två vuxna med 3 barn")
    CHILDREN_4_PLUS = "children_4_plus", _("En eller två vuxna med 4 barn eller fler")

    @classmethod
    def for_household(cls, *, adults: int, children: int) -> HouseholdType:
        if children <= 0:
            return cls.TWO_ADULTS if adults >= 2 else cls.ONE_ADULT
        return (cls.CHILDREN_1, cls.CHILDREN_2, cls.CHILDREN_3, cls.CHILDREN_4_PLUS)[
            min(children, 4) - 1
        ]


class CostPer(models.TextChoices):
    ADULT = "adult", _("per vuxen (sökande och partner)")
    HOUSEHOLD = "household", _("per hushåll")


class MunicipalNormSettings(models.Model):
    """A municipality's calculation settings from ``valid_from`` until the next row's date.

    The settings in force for a month are the row with the latest ``valid_from`` on or before
    it (``eligibility.selectors.policy_for``). Rows are never edited for the past: add a new row
    from the month the change applies, so older proposals can be recomputed.
    """

    municipality = models.ForeignKey(
        "accounts.Municipality",
        verbose_name=_("kommun"),
        on_delete=models.PROTECT,
        related_name="norm_settings",
    )
    valid_from = models.DateField(
        _("gäller från"), help_text=_("Första dagen i den månad då inställningarna börjar gälla.")
    )
    asset_buffer = models.DecimalField(
        _("buffert för sparade medel"),
        max_digits=12,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text=_("Sparade pengar upp till detta belopp räknas inte som tillgång."),
    )
    decided_by = models.CharField(
        _("beslutat av / referens"),
        max_length=200,
        blank=True,
        help_text=_("Till exempel nämndbeslut och datum."),
    )

    # Audit (#9): every save leaves an append-only historical row with who and when.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kommunens norminställningar")
        verbose_name_plural = _("kommunens norminställningar")
        ordering = ["municipality", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "valid_from"],
                name="one_norm_settings_per_municipality_and_date",
            ),
            models.CheckConstraint(
                condition=models.Q(asset_buffer__gte=0),
                name="norm_settings_asset_buffer_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} från {self.valid_from:%Y-%m}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.valid_from and self.valid_from.day != 1:
            errors["valid_from"] = _("Inställningar gäller från den första dagen i en månad.")
        if self.asset_buffer is not None and self.asset_buffer < 0:
            errors["asset_buffer"] = _("Bufferten får inte vara negativ.")
        if errors:
            raise ValidationError(errors)


class HousingCostCap(models.Model):
    """The highest reasonable housing cost for one household type (no row = no cap)."""

    settings = models.ForeignKey(
        MunicipalNormSettings, on_delete=models.CASCADE, related_name="housing_caps"
    )
    household_type = models.CharField(
        _("hushållstyp"), max_length=20, choices=HouseholdType.choices
    )
    max_amount = models.DecimalField(
        _("högsta skäliga boendekostnad per månad"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        verbose_name = _("högsta boendekostnad")
        verbose_name_plural = _("högsta boendekostnader")
        ordering = ["settings", "household_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["settings", "household_type"], name="one_housing_cap_per_household_type"
            ),
            models.CheckConstraint(
                condition=models.Q(max_amount__gte=0), name="housing_cap_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_household_type_display()}: {self.max_amount} kr"

    def clean(self) -> None:
        if self.max_amount is not None and self.max_amount < 0:
            raise ValidationError({"max_amount": _("Beloppet får inte vara negativt.")})


class MunicipalCostItem(models.Model):
    """A cost the municipality adds for everyone, e.g. a local public-transport card per adult."""

    settings = models.ForeignKey(
        MunicipalNormSettings, on_delete=models.CASCADE, related_name="cost_items"
    )
    code = models.CharField(
        _("kod"),
        max_length=64,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]{0,63}$",
                _("Små bokstäver a–z, siffror och understreck; börja med en bokstav."),
            )
        ],
        help_text=_("Till exempel busskort. Syns i beräkningens regelhänvisning."),
    )
    label = models.CharField(_("text i beräkningen"), max_length=120)
    amount = models.DecimalField(
        _("belopp per månad"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    per = models.CharField(
        _("räknas"), max_length=20, choices=CostPer.choices, default=CostPer.ADULT
    )

    class Meta:
        verbose_name = _("kommunal kostnadspost")
        verbose_name_plural = _("kommunala kostnadsposter")
        ordering = ["settings", "code"]
        constraints = [
            models.UniqueConstraint(fields=["settings", "code"], name="one_cost_item_per_code"),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="municipal_cost_item_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.amount} kr {self.get_per_display()}"

    def clean(self) -> None:
        errors: dict[str, StrOrPromise] = {}
        if self.amount is not None and self.amount < 0:
            errors["amount"] = _("Beloppet får inte vara negativt.")
        if not (self.label or "").strip():
            errors["label"] = _("Skriv en text som visas i beräkningen.")
        if errors:
            raise ValidationError(errors)
