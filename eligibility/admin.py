"""The municipality's dated settings, edited by the system administrator in the admin.

Validation lives on the models (``clean()``, validators and check constraints), so the admin,
any form and the database agree.
"""

from __future__ import annotations

from django.contrib import admin

from eligibility.models import HousingCostCap, MunicipalCostItem, MunicipalNormSettings


class HousingCostCapInline(admin.TabularInline):
    model = HousingCostCap
    extra = 0


class MunicipalCostItemInline(admin.TabularInline):
    model = MunicipalCostItem
    extra = 0


@admin.register(MunicipalNormSettings)
class MunicipalNormSettingsAdmin(admin.ModelAdmin):
    list_display = ("municipality", "valid_from", "asset_buffer", "decided_by")
    list_filter = ("municipality",)
    date_hierarchy = "valid_from"
    inlines = [HousingCostCapInline, MunicipalCostItemInline]
