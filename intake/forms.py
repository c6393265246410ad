from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.forms import BankAccountField
from accounts.identity import normalise_personnummer
from accounts.models import Municipality
from intake.documents.attachments import ACCEPT, MAX_FILE_BYTES
from intake.models import AttachmentKind, IncomeType, MemberRole
from kernel.money import MoneyField, kronor_for_input

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

AMOUNT: dict[str, Any] = {"max_value": 1_000_000, "required": False}


YES_NO = [("yes", _("Ja")), ("no", _("Nej"))]


class HouseholdForm(forms.Form):
    """Page 1: who applies, and whether a partner and children live in the household."""

    applicant_name = forms.CharField(
        label=_("Ditt namn"),
        max_length=120,
        error_messages={"required": _("Skriv ditt namn.")},
    )
    has_partner = forms.BooleanField(
        label=_("Jag bor med make, maka, sambo eller registrerad partner"),
        required=False,
        help_text=_("Ni ansöker då tillsammans och båda skriver under med e-legitimation."),
    )
    has_children = forms.BooleanField(
        label=_("Barn under 21 år bor hos mig"),
        required=False,
        help_text=_("Barn som bor hos dig minst halva tiden."),
    )


class PartnerForm(forms.Form):
    partner_name = forms.CharField(
        label=_("Partnerns namn"),
        max_length=120,
        error_messages={"required": _("Skriv partnerns namn.")},
    )
    partner_personnummer = forms.CharField(
        label=_("Partnerns personnummer"),
        max_length=13,
        help_text=_("12 siffror: år, månad, dag och fyra siffror (ÅÅÅÅMMDD-NNNN)."),
        error_messages={"required": _("Skriv partnerns personnummer.")},
    )

    def clean_partner_personnummer(self) -> str:
        return normalise_personnummer(self.cleaned_data.get("partner_personnummer", ""))


class ChildForm(forms.Form):
    name = forms.CharField(label=_("Barnets namn"), max_length=120, required=False)
    personnummer = forms.CharField(label=_("Barnets personnummer"), max_length=13, required=False)
    preschool_lunch = forms.BooleanField(
        label=_("Äter lunch i förskolan på vardagar"), required=False
    )
    in_school = forms.BooleanField(label=_("Går i gymnasieskolan (19–20 år)"), required=False)

    def clean_personnummer(self) -> str:
        value = self.cleaned_data.get("personnummer", "")
        return normalise_personnummer(value) if value else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("name")) != bool(data.get("personnummer")) and not self.errors:
            raise ValidationError(
                _("Fyll i både namn och personnummer för barnet, eller lämna båda tomma.")
            )
        return data


class BaseChildFormSet(forms.BaseFormSet):
    """The children, each once, and none with the applicant's or the partner's personnummer."""

    taken: frozenset[str] = frozenset()  # the household's other personnummer (set by the view)

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[str] = set()
        for form in self.forms:
            number = (getattr(form, "cleaned_data", None) or {}).get("personnummer", "")
            if not number:
                continue
            if number in self.taken or number in seen:
                raise ValidationError(
                    _("Samma personnummer står två gånger i hushållet: kontrollera det.")
                )
            seen.add(number)

    def add_household_error(self, message: str) -> None:
        """A rule of the household service refused the children (e.g. a "child" aged 51)."""
        errors = [str(error) for error in self.non_form_errors()]  # the formset's own first
        self._non_form_errors = self.error_class([*errors, message], error_class="nonform")


ChildFormSet = forms.formset_factory(ChildForm, formset=BaseChildFormSet, extra=4, max_num=10)


def amount(label: StrOrPromise, help_text: StrOrPromise = "") -> MoneyField:
    return MoneyField(label=label, help_text=help_text, **AMOUNT)


class HousingForm(forms.Form):
    rent = amount(
        _("Hyra eller boendekostnad per månad (kr)"),
        _("Det som står på hyresavin. Bor du i bostadsrätt: månadsavgiften."),
    )
    electricity = amount(
        _("Hushållsel per månad (kr)"), _("Ungefär vad elräkningen blir i genomsnitt per månad.")
    )
    home_insurance = amount(_("Hemförsäkring per månad (kr)"), _("Betalar du per år: dela med 12."))


class OtherCostsForm(forms.Form):
    work_travel = amount(
        _("Resor till arbete per månad (kr)"),
        _("Till exempel månadskort för buss eller tåg till jobbet."),
    )
    union_fee = amount(_("Fackavgift per månad (kr)"), _("Medlemsavgiften till facket."))
    unemployment_fund_fee = amount(
        _("A-kasseavgift per månad (kr)"), _("Medlemsavgiften till a-kassan.")
    )


HOUSING_FIELDS = tuple(HousingForm.base_fields)
OTHER_COST_FIELDS = tuple(OtherCostsForm.base_fields)

INCOME_HELP: dict[str, StrOrPromise] = {
    IncomeType.SALARY: _("Det som kommer in på kontot efter skatt."),
    IncomeType.CHILD_ALLOWANCE: _("Från Försäkringskassan, för barn under 16 år."),
    IncomeType.HOUSING_ALLOWANCE: _("Bostadsbidrag eller bostadstillägg."),
    IncomeType.STUDY_SUPPORT: _("Studiebidrag och studielån från CSN."),
    IncomeType.OTHER: _("Till exempel hyresintäkter, gåvor eller swish från andra."),
}


class IncomesForm(forms.Form):
    """One amount per kind of income for the whole household, after tax. Amounts fetched from
    Försäkringskassan (`prefilled`) are proposed and said to be fetched; changing one asks why."""

    def __init__(
        self, *args: Any, prefilled: dict[str, Decimal] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.prefilled = prefilled or {}
        for value, label in IncomeType.choices:
            help_text = INCOME_HELP.get(value, "")
            if value in self.prefilled:
                help_text = _(
                    "Vi hämtade %(amount)s kr från Försäkringskassan (förra månaden). Stämmer det "
                    "inte? Ändra beloppet och skriv varför nedan."
                ) % {"amount": kronor_for_input(self.prefilled[value])}
            self.fields[value] = amount(label, help_text)
        if self.prefilled:
            self.fields["change_reason"] = forms.CharField(
                label=_("Om du ändrade ett belopp vi hämtade: varför?"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Till exempel: barnbidraget har slutat eftersom barnet har flyttat."),
            )

    def changed_from_register(self) -> list[str]:
        data = getattr(self, "cleaned_data", {})
        return [
            kind
            for kind, fetched in self.prefilled.items()
            if (data.get(kind) or Decimal(0)) != Decimal(fetched)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.changed_from_register() and not data.get("change_reason", "").strip():
            self.add_error(
                "change_reason",
                _("Du har ändrat ett belopp vi hämtade från Försäkringskassan. Skriv varför."),
            )
        return data


class AssetsForm(forms.Form):
    savings = amount(
        _("Pengar på bankkonton (kr)"), _("Alla konton i hushållet, också sparkonton.")
    )
    owns_vehicle = forms.BooleanField(
        label=_("Någon i hushållet äger bil, motorcykel eller båt"), required=False
    )
    vehicle_value = amount(_("Fordonets ungefärliga värde (kr)"))
    owns_property = forms.BooleanField(
        label=_("Någon i hushållet äger bostad, fritidshus eller mark"), required=False
    )
    property_value = amount(_("Fastighetens ungefärliga värde (kr)"))


class PaymentForm(forms.Form):
    """Where the money goes: the applicant's bank account, checked by the banks' rules."""

    bank_account = BankAccountField(
        label=_("Ditt bankkonto: clearingnummer och kontonummer"),
        required=False,
        help_text=_(
            "Till exempel 8327-9 123 456 789-0 eller 6000 123 456 789. Du hittar det i bankens "
            "app. Har du inget bankkonto: lämna tomt, så hör handläggaren av sig om hur du får "
            "pengarna."
        ),
    )


class MunicipalityForm(forms.Form):
    municipality: forms.ModelChoiceField[Municipality] = forms.ModelChoiceField(
        queryset=Municipality.objects.order_by("name"),
        label=_("Kommun där du bor"),
        empty_label=None,
        error_messages={"invalid_choice": _("Välj en kommun i listan.")},
    )


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label=_(
            "Jag intygar att uppgifterna är riktiga och fullständiga, "
            "och att jag meddelar ändringar."
        ),
        required=True,
        error_messages={
            "required": _("Du måste intyga att uppgifterna stämmer för att skicka ansökan.")
        },
    )


class ChangesForm(forms.Form):
    """A renewal: "has anything changed since last month?"."""

    changed = forms.ChoiceField(
        label=_("Har något ändrats sedan förra månaden?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=_("Till exempel hushållet, hyran, inkomster eller pengar på kontot."),
        error_messages={"required": _("Svara ja eller nej.")},
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Vad visar dokumentet?"),
        choices=AttachmentKind.choices,
        error_messages={
            "required": _("Välj vad dokumentet visar."),
            "invalid_choice": _("Välj vad dokumentet visar."),
        },
    )
    file = forms.FileField(
        label=_("Välj fil eller ta ett foto"),
        help_text=_("PDF, JPEG, PNG eller HEIC. Högst 10 MB per fil."),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ACCEPT,
                "data-max-bytes": str(MAX_FILE_BYTES),
                "data-too-big": _(
                    "Filen är för stor: högst 10 MB. Välj en mindre fil, eller ta ett nytt foto "
                    "med lägre upplösning."
                ),
                "data-wrong-type": _(
                    "Den filtypen går inte att skicka. Välj en PDF, JPEG, PNG eller HEIC."
                ),
            }
        ),
        error_messages={"required": _("Välj en fil att ladda upp.")},
    )


class AppealForm(forms.Form):
    reasons = forms.CharField(
        label=_("Varför tycker du att beslutet är fel?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Skriv med egna ord. Du kan skicka dokument som visar det under Dokument."),
        error_messages={"required": _("Skriv varför du tycker att beslutet är fel.")},
    )
    wanted = forms.CharField(
        label=_("Hur vill du att beslutet ska ändras?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Till exempel: att jag får bistånd till hela hyran, 6 500 kr."),
        error_messages={"required": _("Skriv hur du vill att beslutet ska ändras.")},
    )


class PartnerDeclineForm(forms.Form):
    note = forms.CharField(
        label=_("Vill du säga varför? (frivilligt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Det du skriver visas för den som ansökte."),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Skriv till din handläggare"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Skriv ett meddelande.")},
    )


class FeedbackForm(forms.Form):
    message = forms.CharField(
        label=_("Vad fungerade inte?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Skriv inga personuppgifter eller uppgifter om ditt ärende här."),
        error_messages={"required": _("Beskriv vad som inte fungerade.")},
    )
    page = forms.CharField(
        label=_("Vilken sida gäller det? (frivilligt)"), required=False, max_length=300
    )
    contact = forms.CharField(
        label=_("Hur kan vi nå dig? (frivilligt)"),
        required=False,
        max_length=200,
        help_text=_("Telefon eller e-post om du vill ha svar."),
    )


class StartForm(forms.Form):
    """Where to apply: the municipality the population register places the person in is chosen
    for them; without an answer from the register nothing is preselected (an untouched list
    once sent applications to the first municipality in it)."""

    municipality: forms.ModelChoiceField[Municipality] = forms.ModelChoiceField(
        queryset=None,
        label=_("Kommun där du bor"),
        empty_label=_("Välj kommun"),
        help_text=_("Kommunen där du är folkbokförd."),
        error_messages={
            "required": _("Välj kommunen där du bor."),
            "invalid_choice": _("Välj en kommun i listan."),
        },
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast("forms.ModelChoiceField[Municipality]", self.fields["municipality"])
        field.queryset = municipalities


MEMBER_ROLES = MemberRole
