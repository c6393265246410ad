"""Who lives in the household and what they declared they earn."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    APPLICANT = "applicant", _("Sökande")
    PARTNER = "partner", _("Make, maka, sambo eller registrerad partner")
    CHILD = "child", _("Barn")
    ADULT = "adult", _("Annan vuxen i hushållet")


class HouseholdMember(models.Model):
    application = models.ForeignKey(
        "intake.Application", on_delete=models.CASCADE, related_name="members"
    )
    role = models.CharField(_("roll"), max_length=20, choices=MemberRole.choices)
    name = models.CharField(_("namn"), max_length=120)
    personnummer = models.CharField(_("personnummer"), max_length=12)
    age = models.PositiveSmallIntegerField(_("ålder"))
    preschool_lunch = models.BooleanField(_("äter lunch i förskolan"), default=False)
    in_school = models.BooleanField(_("går i gymnasieskolan"), default=False)

    class Meta:
        verbose_name = _("hushållsmedlem")
        verbose_name_plural = _("hushållsmedlemmar")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "personnummer"], name="member_once_per_application"
            ),
        ]
        # Submitting looks up every member's other applications of the month (one household,
        # one application): without it, a scan of every member ever declared.
        indexes = [models.Index(fields=["personnummer"], name="member_personnummer")]

    def __str__(self) -> str:
        return self.name


class IncomeType(models.TextChoices):
    SALARY = "salary", _("Lön (efter skatt)")
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit", _("A-kassa")
    SICKNESS_BENEFIT = "sickness_benefit", _("Sjukpenning eller sjukersättning")
    PARENTAL_BENEFIT = "parental_benefit", _("Föräldrapenning")
    ACTIVITY_SUPPORT = "activity_support", _("Aktivitetsstöd")
    CHILD_ALLOWANCE = "child_allowance", _("Barnbidrag")
    HOUSING_ALLOWANCE = "housing_allowance", _("Bostadsbidrag")
    MAINTENANCE_SUPPORT = "maintenance_support", _("Underhållsstöd")
    PENSION = "pension", _("Pension")
    STUDY_SUPPORT = "study_support", _("Studiemedel")
    TAX_REFUND = "tax_refund", _("Skatteåterbäring")
    OTHER = "other", _("Annan inkomst")


class DeclaredIncome(models.Model):
    application = models.ForeignKey(
        "intake.Application", on_delete=models.CASCADE, related_name="incomes"
    )
    type = models.CharField(_("slag"), max_length=30, choices=IncomeType.choices)
    amount = models.DecimalField(_("belopp per månad"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("uppgiven inkomst")
        verbose_name_plural = _("uppgivna inkomster")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "type"], name="one_declared_income_per_type"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="declared_income_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()}: {self.amount}"
