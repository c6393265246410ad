"""Admin: standard reasons are edited here; letters and payments are read-only records
(accounts.admin_records; #16 item 9), each row with its case reference, amount in kronor and
the people by name (#18)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin_fields import PeopleByNameAdmin
from accounts.admin_records import ReadOnlyAdmin
from caseworker.models.letters import DecisionLetter, ReasonTemplate
from caseworker.models.payments import PaymentFile, PaymentOrder
from intake.admin import case_link
from kernel.money import kronor_text


@admin.register(ReasonTemplate)
class ReasonTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "municipality_column", "active", "updated_at")
    list_filter = ("municipality", "active")
    list_select_related = ("municipality",)
    search_fields = ("code", "title", "text")
    ordering = ("code", "municipality__name")

    @admin.display(description=_("kommun"), ordering="municipality__name")
    def municipality_column(self, obj: ReasonTemplate) -> Any:
        """A row without municipality is the national text every municipality gets."""
        return obj.municipality or gettext("Alla kommuner")


@admin.register(DecisionLetter)
class DecisionLetterAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    list_display = ("reference_column", "outcome_column", "created_at", "sha256")
    list_display_links = ("created_at",)
    list_filter = ("decision__outcome", "decision__application__municipality", "created_at")
    list_select_related = ("decision", "decision__application")
    search_fields = ("decision__application__reference", "sha256")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    # The decision by its case and outcome ("Avslag 0.00 kr" says neither); the PDF by name (a
    # private file has no URL: it is opened through the case page's authorising view).
    exclude = ("decision", "pdf")
    readonly_fields = ("reference_column", "outcome_column", "file_column")

    @admin.display(description=_("ärendenummer"), ordering="decision__application__reference")
    def reference_column(self, obj: DecisionLetter) -> SafeString:
        return case_link(obj.decision.application)

    @admin.display(description=_("beslut"), ordering="decision__outcome")
    def outcome_column(self, obj: DecisionLetter) -> str:
        return str(obj.decision.get_outcome_display())

    @admin.display(description=_("fil"))
    def file_column(self, obj: DecisionLetter) -> str:
        return obj.pdf.name or "–"


@admin.register(PaymentOrder)
class PaymentOrderAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    list_display = (
        "reference_column",
        "payee_name",
        "amount_column",
        "status",
        "payment_date",
        "municipality_column",
        "created_at",
    )
    list_display_links = ("payee_name",)
    list_filter = ("status", "application__municipality", "payment_date")
    list_select_related = ("application", "application__municipality")
    search_fields = ("application__reference", "payee_name")
    date_hierarchy = "payment_date"
    ordering = ("-created_at", "-id")
    exclude = ("decision", "application", "amount", "payee_personnummer", "clearing", "account")
    readonly_fields = ("reference_column", "amount_column")

    @admin.display(description=_("ärendenummer"), ordering="application__reference")
    def reference_column(self, obj: PaymentOrder) -> SafeString:
        return case_link(obj.application)

    @admin.display(description=_("belopp"), ordering="amount")
    def amount_column(self, obj: PaymentOrder) -> str:
        return kronor_text(obj.amount)

    @admin.display(description=_("kommun"), ordering="application__municipality__name")
    def municipality_column(self, obj: PaymentOrder) -> Any:
        return obj.application.municipality


@admin.register(PaymentFile)
class PaymentFileAdmin(PeopleByNameAdmin, ReadOnlyAdmin):
    list_display = (
        "message_id",
        "created_for",
        "municipality_column",
        "number_of_orders",
        "sum_column",
        "created_at",
    )
    search_fields = ("message_id",)
    date_hierarchy = "created_for"
    ordering = ("-created_at", "-id")
    # A private file has no URL (the team lead downloads it from the payments page): by name.
    exclude = ("xml", "control_sum")
    readonly_fields = ("sum_column", "file_column")

    @admin.display(description=_("fil"))
    def file_column(self, obj: PaymentFile) -> str:
        return obj.xml.name or "–"

    @admin.display(description=_("summa"), ordering="control_sum")
    def sum_column(self, obj: PaymentFile) -> str:
        return kronor_text(obj.control_sum)

    @admin.display(description=_("kommun"))
    def municipality_column(self, obj: PaymentFile) -> Any:
        # Files made before #18 held every municipality's orders and name none.
        return getattr(obj, "municipality", None) or gettext("Alla kommuner")
