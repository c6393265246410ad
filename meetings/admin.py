"""Admin: rooms, working hours, absences and closing days are configuration; meetings, the needs
answers and calendar feeds are records, shown and never edited here (#16 item 9). People are
shown and chosen by name and role, and only staff who hold meetings can be given hours or an
absence (#18)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin_fields import MEETING_ROLES, PeopleByNameAdmin, person_column
from accounts.admin_records import ReadOnlyAdmin
from intake.admin import case_link
from meetings.models import (
    Absence,
    CalendarFeed,
    ClosingDay,
    Meeting,
    NeedsScreen,
    Room,
    WorkingHours,
)

STAFF_SEARCH = ("secretary__first_name", "secretary__last_name", "secretary__username")


class RoomChoiceField(forms.ModelChoiceField):
    """Rooms of several municipalities may share a name: each is shown with its municipality."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.municipality.name})"


class MeetingStaffAdmin(PeopleByNameAdmin):
    """Configuration of the people who hold meetings: secretaries and caseworkers by name."""

    person_roles = {"secretary": MEETING_ROLES}

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.ModelChoiceField | None:
        if db_field.related_model is Room:
            kwargs.setdefault(
                "queryset",
                Room.objects.select_related("municipality").order_by("municipality__name", "name"),
            )
            kwargs["form_class"] = RoomChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "address", "video_url", "accessible")
    list_filter = ("municipality", "accessible")
    list_select_related = ("municipality",)
    search_fields = ("name", "address")
    ordering = ("municipality__name", "name")


@admin.register(WorkingHours)
class WorkingHoursAdmin(MeetingStaffAdmin):
    list_display = (
        person_column("secretary", _("medarbetare")),
        "role_column",
        "municipality_column",
        "weekday",
        "start",
        "end",
        "room",
    )
    list_display_links = ("weekday",)
    list_filter = ("secretary__municipality", "secretary__role", "weekday")
    list_select_related = ("secretary", "secretary__municipality", "room")
    search_fields = STAFF_SEARCH
    ordering = ("secretary__last_name", "secretary__first_name", "weekday", "start")

    @admin.display(description=_("roll"), ordering="secretary__role")
    def role_column(self, obj: WorkingHours) -> str:
        return str(obj.secretary.get_role_display())

    @admin.display(description=_("kommun"), ordering="secretary__municipality__name")
    def municipality_column(self, obj: WorkingHours) -> Any:
        return obj.secretary.municipality


@admin.register(Absence)
class AbsenceAdmin(MeetingStaffAdmin):
    list_display = (
        person_column("secretary", _("medarbetare")),
        "municipality_column",
        "start",
        "end",
        "reason",
    )
    list_display_links = ("start",)
    list_filter = ("secretary__municipality", "secretary__role", "start")
    list_select_related = ("secretary", "secretary__municipality")
    search_fields = (*STAFF_SEARCH, "reason")
    date_hierarchy = "start"
    ordering = ("-start", "secretary__last_name")

    @admin.display(description=_("kommun"), ordering="secretary__municipality__name")
    def municipality_column(self, obj: Absence) -> Any:
        return obj.secretary.municipality


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "municipality")
    list_filter = ("municipality", "date")
    list_select_related = ("municipality",)
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date", "municipality__name")


@admin.register(Meeting)
class MeetingAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    list_display = (
        "starts_at",
        person_column("secretary", _("medarbetare")),
        "municipality_column",
        "track",
        "reference_column",
        "room",
        "overflow",
        "attendance",
        "outcome",
        "cancelled_column",
    )
    list_filter = ("track", "attendance", "outcome", "municipality", "starts_at")
    list_select_related = ("secretary", "municipality", "application", "room")
    search_fields = ("application__reference", *STAFF_SEARCH)
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)

    @admin.display(description=_("ärendenummer"), ordering="application__reference")
    def reference_column(self, obj: Meeting) -> Any:
        return case_link(obj.application)

    @admin.display(description=_("kommun"), ordering="municipality__name")
    def municipality_column(self, obj: Meeting) -> Any:
        return obj.municipality

    @admin.display(description=_("avbokat"), ordering="cancelled_at")
    def cancelled_column(self, obj: Meeting) -> Any:
        return obj.cancelled_at


@admin.register(NeedsScreen)
class NeedsScreenAdmin(ReadOnlyAdmin):
    list_display = ("member", "reference_column", "updated_at")
    list_select_related = ("member", "member__application")
    search_fields = ("member__application__reference",)
    ordering = ("-updated_at",)

    @admin.display(description=_("ärendenummer"), ordering="member__application__reference")
    def reference_column(self, obj: NeedsScreen) -> Any:
        return case_link(obj.member.application)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    """A secretary's calendar key: made and revoked on her own feed page, never here."""

    list_display = (person_column("secretary", _("medarbetare")), "created_at", "revoked_at")
    list_filter = ("secretary__municipality", "revoked_at")
    list_select_related = ("secretary",)
    search_fields = STAFF_SEARCH
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    exclude = ("token_hash",)
