"""Admin: the application, its status history and its decisions are case data, shown and never
edited here (accounts.admin_records; #16 item 9)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_records import ReadOnlyAdmin, ReadOnlyInline
from intake.models import Application, ApplicationEvent, Decision, HouseholdMember


class MemberInline(ReadOnlyInline):
    model = HouseholdMember


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ("reference", "municipality", "month", "status", "owner", "submitted_at")
    list_filter = ("status", "municipality")
    search_fields = ("reference",)
    inlines = [MemberInline]


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdmin):
    list_display = ("application", "from_status", "to_status", "actor_kind", "actor", "created_at")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "amount", "decided_by", "decided_at")
    list_filter = ("outcome",)
