"""Case data is read-only in the admin, for every role, a superuser included (#16 item 9).

A case changes only through its services: a decision is signed on the case page (the letter,
the attest, the status and the journal follow it), an application is changed by its applicant or
through the workbench. A row edited in the admin would do none of that (a "Beviljat 50 000 kr"
decided by nobody, an application moved to another applicant or municipality). So every admin of
case data (applications, decisions, payments, letters, the journal, meetings, register data)
lists and shows, and never adds, changes or deletes; only configuration (municipalities, people,
norms, reasons, rooms, hours, closing days) is edited there.

Every app's admin uses these; tests/accounts/test_admin_records.py classifies every registered
admin, so a newly registered model fails until someone decides which it is.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists and shows; no add, change or delete for anyone (nor the bulk delete action)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """The rows of a read-only admin's object, shown and never edited."""

    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
