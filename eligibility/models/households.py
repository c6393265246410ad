"""Two applications of one month that may be one household (#16 item 3): the robot links them
when someone the application or the population register places in one household is in the
other application (the municipality's own cases only); a caseworker resolves the link. Until
then neither case can be approved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from intake.models.queue_facts import QueueFactsModel, QueueFactsQuerySet


class RegisteredResident(models.Model):
    """Someone the population register places in an application's household (at the
    applicant's address) whom the application does not declare, as the robot read it. The index
    by which a later application finds this one when its own register answer does not name this
    applicant back (a registration changed between the two runs, or a register that answers
    each person on their own): the declared members are `intake.HouseholdMember`."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="registered_residents"
    )
    personnummer = models.CharField(max_length=12, db_index=True)
    relation = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("folkbokförd i hushållet")
        verbose_name_plural = _("folkbokförda i hushållet")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "personnummer"], name="one_registered_resident_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.relation}"


class HouseholdLinkResolution(models.TextChoices):
    OPEN = "", _("Olöst")
    SEPARATE = "separate", _("Två hushåll")
    ONE_HOUSEHOLD = "one_household", _("Ett hushåll")


# An open link decides where both cases are counted in the caseworker's queue (#20 c).
LINK_QUEUE_FACT_FIELDS = frozenset({"resolution", "first", "first_id", "second", "second_id"})


class HouseholdLinkQuerySet(QueueFactsQuerySet["HouseholdLink"]):
    queue_fact_fields = LINK_QUEUE_FACT_FIELDS
    queue_application_columns = ("first_id", "second_id")


class HouseholdLink(QueueFactsModel):
    """One pair of applications (the lower id first), linked once whatever the number of robot
    rounds. Resolved once: two households (with the reason), or one household (the case that
    continues; the other is refused or withdrawn as a duplicate and can never be approved)."""

    first = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="household_links_first"
    )
    second = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="household_links_second"
    )
    who = models.CharField(
        _("gemensam person"),
        max_length=20,
        help_text=_("Vem i hushållet som också finns i den andra ansökan (sökande, partner ...)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolution = models.CharField(
        _("avgörande"),
        max_length=20,
        choices=HouseholdLinkResolution.choices,
        default=HouseholdLinkResolution.OPEN,
        blank=True,
    )
    kept = models.ForeignKey(
        "intake.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ärendet som prövas"),
    )
    reason = models.TextField(_("skäl"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = HouseholdLinkQuerySet.as_manager()
    queue_fact_fields = LINK_QUEUE_FACT_FIELDS
    queue_application_columns = ("first_id", "second_id")

    class Meta:
        verbose_name = _("hushållskoppling")
        verbose_name_plural = _("hushållskopplingar")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="one_link_per_pair"),
            models.CheckConstraint(
                condition=Q(first__lt=F("second")), name="household_link_lower_id_first"
            ),
            models.CheckConstraint(
                condition=Q(resolution="one_household", kept__isnull=False)
                | (~Q(resolution="one_household") & Q(kept__isnull=True)),
                name="household_link_kept_only_for_one_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.get_resolution_display()})"

    @property
    def resolved(self) -> bool:
        return self.resolution != HouseholdLinkResolution.OPEN

    def other_id(self, application_id: int) -> int:
        return self.second_id if application_id == self.first_id else self.first_id
