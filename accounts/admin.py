from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import MaintenanceBanner, Municipality, User


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "meeting_minutes")
    search_fields = ("name", "code")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "municipality", "is_active")
    list_filter = ("role", "municipality", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Bistånd", {"fields": ("role", "municipality", "personnummer")}),
    )


@admin.register(MaintenanceBanner)
class MaintenanceBannerAdmin(admin.ModelAdmin):
    """Operations (#9): the banner shown on every page while active."""

    list_display = ("text", "active", "created_at")

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from config.health import maintenance_banner_forget

        super().save_model(request, obj, form, change)
        maintenance_banner_forget()

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        from config.health import maintenance_banner_forget

        super().delete_model(request, obj)
        maintenance_banner_forget()
