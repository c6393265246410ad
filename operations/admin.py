from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from operations.health import maintenance_banner_forget
from operations.models import MaintenanceBanner


@admin.register(MaintenanceBanner)
class MaintenanceBannerAdmin(admin.ModelAdmin):
    """Operations (#9): the banner shown on every page while active."""

    list_display = ("text", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("text",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)

    def save_model(
        self, request: HttpRequest, obj: MaintenanceBanner, form: Any, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        maintenance_banner_forget()

    def delete_model(self, request: HttpRequest, obj: MaintenanceBanner) -> None:
        super().delete_model(request, obj)
        maintenance_banner_forget()
