"""Form fields about a person that several apps ask for."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import BankAccountInvalid, bank_account_parts


class BankAccountField(forms.CharField):
    """A Swedish bank account, checked by the banks' rules and stored as "clearing-account"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        kwargs.setdefault(
            "help_text", _("Till exempel 8327-9 123 456 789-0 eller 6000 123 456 789.")
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = " ".join(str(super().clean(value) or "").split())
        if not text:
            return ""
        try:
            clearing, account = bank_account_parts(text)
        except BankAccountInvalid as error:
            raise forms.ValidationError(error.message, code="invalid") from None
        return f"{clearing}-{account}"
