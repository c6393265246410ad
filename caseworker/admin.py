"""Admin: standard reasons are edited here; letters and payments are read-only records
(accounts.admin_records; #16 item 9)."""

from __future__ import annotations

from django.contrib import admin

from accounts.admin_records import ReadOnlyAdmin
from caseworker.models.letters import DecisionLetter, ReasonTemplate
from caseworker.models.payments import PaymentFile, PaymentOrder


@admin.register(ReasonTemplate)
class ReasonTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "municipality", "active", "updated_at")
    list_filter = ("municipality", "active")
    search_fields = ("code", "title", "text")


@admin.register(DecisionLetter)
class DecisionLetterAdmin(ReadOnlyAdmin):
    list_display = ("decision", "created_at", "sha256")


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = ("application", "amount", "status", "payment_date", "created_at")
    list_filter = ("status",)
    exclude = ("payee_personnummer", "clearing", "account")


@admin.register(PaymentFile)
class PaymentFileAdmin(ReadOnlyAdmin):
    list_display = ("message_id", "created_for", "number_of_orders", "control_sum", "created_at")
