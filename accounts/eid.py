"""Applicant login with e-ID behind one small interface.

`DevelopmentEidProvider` lets a developer pick or type a test personnummer; it is marked as a
test everywhere and refused by a system check when DEBUG is off. BankID or an OIDC e-ID broker
replaces it by setting `EID_PROVIDER` to another class with the same two methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from accounts.identity import normalise_personnummer


@dataclass(frozen=True)
class EidIdentity:
    personnummer: str
    given_name: str = ""
    family_name: str = ""


class EidProvider(Protocol):
    is_test: bool
    template_name: str

    def form(self, request: HttpRequest) -> forms.Form: ...

    def identity(self, form: forms.Form) -> EidIdentity: ...


# Skatteverket's published test personnummer (open data "Testpersonnummer", CC0): numbers that
# are never issued to real people. Use only such numbers in demo and test data.
TEST_IDENTITIES: tuple[tuple[str, str, str], ...] = (
    ("200306062381", "Alva", "Andersson"),
    ("200607092384", "Bilal", "Berg"),
    ("200802122390", "Carina", "Dahl"),
)


class DevelopmentLoginForm(forms.Form):
    personnummer = forms.CharField(
        label=_("Testpersonnummer"),
        max_length=13,
        help_text=_("12 siffror, till exempel 201701012393. Endast testnummer."),
    )
    given_name = forms.CharField(label=_("Förnamn"), max_length=60, required=False)
    family_name = forms.CharField(label=_("Efternamn"), max_length=60, required=False)

    def clean_personnummer(self) -> str:
        return normalise_personnummer(self.cleaned_data["personnummer"])


class DevelopmentEidProvider:
    """Test login: the personnummer is typed, so it may never run in production."""

    is_test = True
    template_name = "accounts/eid_development.html"

    def form(self, request: HttpRequest) -> forms.Form:
        return DevelopmentLoginForm(request.POST or None)

    def identity(self, form: forms.Form) -> EidIdentity:
        data = form.cleaned_data
        known = {p: (g, f) for p, g, f in TEST_IDENTITIES}
        given, family = known.get(data["personnummer"], ("", ""))
        return EidIdentity(
            personnummer=data["personnummer"],
            given_name=data.get("given_name") or given,
            family_name=data.get("family_name") or family,
        )


def get_eid_provider() -> EidProvider:
    provider: EidProvider = import_string(settings.EID_PROVIDER)()
    return provider
