from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from intake.models import Application, ApplicationEvent, Decision, HouseholdMember


class MemberInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ("reference", "municipality", "month", "status", "owner", "submitted_at")
    list_filter = ("status", "municipality")
    search_fields = ("reference",)
    inlines = [MemberInline]
    readonly_fields = ("status",)


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    list_display = ("application", "from_status", "to_status", "actor_kind", "actor", "created_at")

    def has_change_permission(
        self, request: HttpRequest, obj: ApplicationEvent | None = None
    ) -> bool:
        return False

    def has_delete_permission(
        self, request: HttpRequest, obj: ApplicationEvent | None = None
    ) -> bool:
        return False


admin.site.register(Decision)
