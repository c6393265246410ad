"""Admin: the application, its status history and its decisions are case data, shown and never
edited here (accounts.admin_records; #16 item 9). Each row says what a person needs to recognise
it (#18): the case reference, linked to the case page, the month, the municipality and who did it,
by name."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_fields import PeopleByNameAdmin, person_column, person_name
from accounts.admin_records import ReadOnlyAdmin, ReadOnlyInline
from intake.models import Application, ApplicationEvent, Decision, HouseholdMember
from intake.models.decisions import DecisionOutcome
from kernel.money import kronor_text


def case_link(application: Application) -> SafeString:
    """The case reference, linked to the caseworker's case page."""
    return format_html(
        '<a href="{}">{}</a>',
        reverse("caseworker:case_detail", args=[application.pk]),
        application.reference,
    )


def month_text(application: Application) -> str:
    """ "november 2026"."""
    return date_format(application.month, "YEAR_MONTH_FORMAT")


class MemberInline(ReadOnlyInline):
    model = HouseholdMember
    fields = ("role", "name", "age")


@admin.register(Application)
class ApplicationAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    list_display = (
        "reference_column",
        "month_column",
        "municipality_column",
        "kind",
        "status",
        person_column("owner", _("ansvarig handläggare")),
        "submitted_at",
    )
    list_display_links = ("month_column",)
    list_filter = ("status", "municipality", "kind", "channel", "submitted_at")
    list_select_related = ("municipality", "owner")
    search_fields = ("reference", "owner__first_name", "owner__last_name")
    date_hierarchy = "submitted_at"
    ordering = ("-submitted_at", "-created_at")
    inlines = [MemberInline]

    @admin.display(description=_("ärendenummer"), ordering="reference")
    def reference_column(self, obj: Application) -> SafeString:
        return case_link(obj)

    @admin.display(description=_("månad"), ordering="month")
    def month_column(self, obj: Application) -> str:
        return month_text(obj)

    @admin.display(description=_("kommun"), ordering="municipality__name")
    def municipality_column(self, obj: Application) -> Any:
        return obj.municipality


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    list_display = (
        "reference_column",
        "from_column",
        "to_column",
        "actor_column",
        "time_column",
    )
    list_display_links = ("time_column",)
    list_filter = ("to_status", "actor_kind", "application__municipality", "created_at")
    list_select_related = ("application", "actor")
    search_fields = ("application__reference", "actor__first_name", "actor__last_name")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    @admin.display(description=_("ärendenummer"), ordering="application__reference")
    def reference_column(self, obj: ApplicationEvent) -> SafeString:
        return case_link(obj.application)

    @admin.display(description=_("från"), ordering="from_status")
    def from_column(self, obj: ApplicationEvent) -> str:
        return str(obj.get_from_status_display())

    @admin.display(description=_("till"), ordering="to_status")
    def to_column(self, obj: ApplicationEvent) -> str:
        return str(obj.get_to_status_display())

    @admin.display(description=_("utförd av"), ordering="actor__last_name")
    def actor_column(self, obj: ApplicationEvent) -> str:
        """The person by name; the robot or the system by what it is."""
        if obj.actor is not None:
            return person_name(obj.actor)
        return str(obj.get_actor_kind_display())

    @admin.display(description=_("Tid"), ordering="created_at")
    def time_column(self, obj: ApplicationEvent) -> datetime:
        return obj.created_at


@admin.register(Decision)
class DecisionAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    """The decisions: which case, what was decided, for how much, when and by whom."""

    list_display = (
        "reference_column",
        "outcome",
        "amount_column",
        "month_column",
        "decided_at",
        "decided_by_column",
        "municipality_column",
    )
    list_display_links = ("outcome",)
    list_filter = ("outcome", "application__municipality", "decided_at")
    list_select_related = ("application", "application__municipality", "decided_by")
    search_fields = (
        "application__reference",
        "decided_by__first_name",
        "decided_by__last_name",
        "automated_function",
    )
    date_hierarchy = "decided_at"
    ordering = ("-decided_at", "-id")

    @admin.display(description=_("ärendenummer"), ordering="application__reference")
    def reference_column(self, obj: Decision) -> SafeString:
        return case_link(obj.application)

    @admin.display(description=_("belopp"), ordering="amount")
    def amount_column(self, obj: Decision) -> str:
        """The amount granted; a rejection grants nothing and shows a dash, not "0 kr"."""
        if obj.outcome == DecisionOutcome.REJECTED:
            return "–"
        return kronor_text(obj.amount)

    @admin.display(description=_("månad"), ordering="application__month")
    def month_column(self, obj: Decision) -> str:
        return month_text(obj.application)

    @admin.display(description=_("beslutat av"), ordering="decided_by__last_name")
    def decided_by_column(self, obj: Decision) -> str:
        if obj.decided_by is None:
            return gettext("Automatiserat")
        return person_name(obj.decided_by)

    @admin.display(description=_("kommun"), ordering="application__municipality__name")
    def municipality_column(self, obj: Decision) -> Any:
        return obj.application.municipality
