"""Admin: rooms, working hours, absences and closing days are configuration; meetings, the needs
answers and calendar feeds are records, shown and never edited here (#16 item 9)."""

from django.contrib import admin

from accounts.admin_records import ReadOnlyAdmin
from meetings.models import (
    Absence,
    CalendarFeed,
    ClosingDay,
    Meeting,
    NeedsScreen,
    Room,
    WorkingHours,
)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "address", "video_url", "accessible")
    list_filter = ("municipality", "accessible")


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("secretary", "weekday", "start", "end", "room")
    list_filter = ("secretary__municipality", "weekday")


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("secretary", "start", "end", "reason")
    list_filter = ("secretary__municipality",)


@admin.register(ClosingDay)
class ClosingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "municipality")
    list_filter = ("municipality",)


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = (
        "starts_at",
        "secretary",
        "track",
        "application",
        "overflow",
        "attendance",
        "outcome",
        "cancelled_at",
    )
    list_filter = ("track", "attendance", "secretary")


@admin.register(NeedsScreen)
class NeedsScreenAdmin(ReadOnlyAdmin):
    list_display = ("member", "updated_at")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    """A secretary's calendar key: made and revoked on her own feed page, never here."""

    list_display = ("secretary", "created_at", "revoked_at")
    exclude = ("token_hash",)
