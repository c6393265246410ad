"""The municipality's dated settings, edited by the system administrator in the admin.

Validation lives on the models (``clean()``, validators and check constraints), so the admin,
any form and the database agree.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from eligibility.models import HousingCostCap, MunicipalCostItem, MunicipalNormSettings
from kernel.money import kronor_text


class HousingCostCapInline(admin.TabularInline):
    model = HousingCostCap
    extra = 0


class MunicipalCostItemInline(admin.TabularInline):
    model = MunicipalCostItem
    extra = 0


@admin.register(MunicipalNormSettings)
class MunicipalNormSettingsAdmin(admin.ModelAdmin):
    list_display = ("municipality", "valid_from", "asset_buffer_column", "decided_by")
    list_display_links = ("municipality", "valid_from")
    list_filter = ("municipality", "valid_from")
    list_select_related = ("municipality",)
    search_fields = ("municipality__name", "decided_by")
    date_hierarchy = "valid_from"
    ordering = ("municipality__name", "-valid_from")
    inlines = [HousingCostCapInline, MunicipalCostItemInline]

    @admin.display(description=_("buffert för sparade medel"), ordering="asset_buffer")
    def asset_buffer_column(self, obj: MunicipalNormSettings) -> str:
        return kronor_text(obj.asset_buffer)
