from django.contrib import admin

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
class MeetingAdmin(admin.ModelAdmin):
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
    readonly_fields = ("created_at", "recorded_at", "recorded_by", "reminder_sent_at")


@admin.register(NeedsScreen)
class NeedsScreenAdmin(admin.ModelAdmin):
    list_display = ("member", "updated_at")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("secretary", "created_at", "revoked_at")
    readonly_fields = ("token_hash",)
