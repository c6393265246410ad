from __future__ import annotations

import functools
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from caseworker.letters.reasons import reason_template_choices
from caseworker.models import CommunicationException, JournalCategory, Section
from intake.models import DecisionOutcome, DecisionTrack, StatusChoices, Track
from kernel.money import MoneyField


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Beslut"), choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    amount = MoneyField(label=_("Belopp (kr)"), decimal_places=0, required=False)
    months = forms.IntegerField(
        label=_("Antal månader (stående beslut)"),
        min_value=1,
        max_value=12,
        initial=1,
        required=False,
        help_text=_(
            "Fler än en månad för ett stabilt hushåll: roboten kontrollerar registren varje "
            "månad och ärendet kommer tillbaka till dig om något ändras."
        ),
    )
    reason = forms.CharField(
        label=_("Motivering"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alla aktuella")), *list(StatusChoices.choices)[1:]],
    )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SignForm(DecisionForm):
    """The decision with its reasons (FL 32 §): the provisions applied and the decisive facts.

    It carries no amount: the server takes it from the calculation and the recorded line
    adjustments. `calculation` is the version of the calculation the caseworker saw; when it no
    longer matches, nothing is decided and the page says what changed."""

    amount = None  # type: ignore[assignment]  # no amount from a form (removes the parent's field)
    calculation = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
    partly = forms.BooleanField(
        label=_("Delvis avslag"),
        required=False,
        help_text=_(
            "Sätts också när beräkningen (med dina ändrade poster) är lägre än robotens förslag. "
            "Ett annat belopp får du genom att ändra en post i beräkningen, med skäl."
        ),
    )
    reason_template = forms.ChoiceField(
        label=_("Standardtext och lagrum"),
        choices=reason_template_choices,
        required=False,
        help_text=_(
            "Beslutet får lagrummen från den valda standardmotiveringen, eller från "
            "standarden för beslutstypen. Egna bestämmelser nedan läggs till."
        ),
    )
    provisions = forms.CharField(
        label=_("Fler tillämpade bestämmelser (en per rad)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    decisive_facts = forms.CharField(
        label=_("Avgörande omständigheter (en per rad)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
    )

    communication_exception = forms.ChoiceField(
        label=_("Undantag från kommunicering (FL 25 § andra stycket)"),
        choices=[
            ("", _("Inget undantag: uppgifterna är kommunicerade")),
            *CommunicationException.choices,
        ],
        required=False,
        help_text=_(
            "Bara när ett avslag eller delvis avslag bygger på registeruppgifter som den sökande "
            "inte har sett och uppgifterna inte har kommunicerats. Valet journalförs."
        ),
    )
    communication_note = forms.CharField(
        label=_("Varför undantaget gäller i ärendet"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    track = forms.ChoiceField(
        label=_("Spår"),
        choices=DecisionTrack.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Ärendets första beslut anger spåret: arbete, socialt, båda eller inget spår (med "
            "skäl). Senare månader följer ärendets spår."
        ),
    )
    track_reason = forms.CharField(
        label=_("Varför inget spår"),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The standard reasons are read when the field is first rendered or validated and
        # then kept for this form (the select asked twice: its options and whether the first
        # is empty, one query each).
        cast(forms.ChoiceField, self.fields["reason_template"]).choices = functools.cache(
            reason_template_choices
        )

    def clean_provisions(self) -> list[str]:
        return _lines(self.cleaned_data.get("provisions", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("track") == DecisionTrack.NONE and not (data.get("track_reason") or "").strip():
            self.add_error("track_reason", _("Skriv varför ärendet inte har något spår."))
        return data

    def clean_decisive_facts(self) -> list[str]:
        return _lines(self.cleaned_data.get("decisive_facts", ""))


class AcknowledgeForm(forms.Form):
    warning = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Kommentar"), required=False, max_length=2000)


class JournalForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Sort"),
        choices=[
            (JournalCategory.NOTE, _("Anteckning")),
            (JournalCategory.CONTACT, _("Kontakt med sökanden (samtal, besök, meddelande)")),
        ],
        initial=JournalCategory.NOTE,
        widget=forms.RadioSelect,
        required=False,
    )
    text = forms.CharField(
        label=_("Ny anteckning"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )
    corrects = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_category(self) -> str:
        return self.cleaned_data.get("category") or JournalCategory.NOTE


class AdjustForm(forms.Form):
    code = forms.ChoiceField(label=_("Post"), choices=())
    # Whole kronor: the calculation rounds every line to kronor, so "4 500,50" would be shown
    # as 4 501 in the calculation and 4 500 in the journal (#18 stranger run).
    amount = MoneyField(label=_("Belopp per månad (kr)"), decimal_places=0)
    reason = forms.CharField(label=_("Skäl till ändringen"), max_length=2000)

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["code"]).choices = codes


class SupplementForm(forms.Form):
    what = forms.CharField(
        label=_("Vad behövs?"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    deadline = forms.DateField(label=_("Senast"), widget=forms.DateInput(attrs={"type": "date"}))


class CommunicationForm(forms.Form):
    facts = forms.CharField(
        label=_("Uppgifter att kommunicera (en per rad)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )
    reply_by = forms.DateField(
        label=_("Svar senast"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_facts(self) -> list[str]:
        facts = _lines(self.cleaned_data.get("facts", ""))
        if not facts:
            raise forms.ValidationError(_("Ange minst en uppgift."))
        return facts


class ChildImpactForm(forms.Form):
    text = forms.CharField(
        label=_("Barnkonsekvensanalys"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text=_("Hur påverkas barnen i hushållet av beslutet, och hur har det vägts in?"),
    )


class TrackForm(forms.Form):
    track = forms.ChoiceField(label=_("Spår"), choices=Track.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Kommentar"), required=False, max_length=2000)


class SectionForm(forms.Form):
    section = forms.ChoiceField(
        choices=[
            (Section.CALCULATION, Section.CALCULATION.label),
            (Section.PAYMENT, Section.PAYMENT.label),
        ],
        widget=forms.HiddenInput,
    )


class SecondApprovalForm(forms.Form):
    verdict = forms.ChoiceField(
        label=_("Attest"),
        choices=[("approve", _("Attestera beslutet")), ("send_back", _("Skicka tillbaka"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Kommentar (krävs när beslutet skickas tillbaka)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("verdict") == "send_back" and not (data.get("note") or "").strip():
            self.add_error("note", _("Skriv varför beslutet skickas tillbaka."))
        return data


class HouseholdLinkForm(forms.Form):
    """Resolve a link between two applications that may be one household (#16 item 3)."""

    link = forms.IntegerField(widget=forms.HiddenInput)
    verdict = forms.ChoiceField(
        label=_("Bedömning"),
        choices=[
            ("separate", _("Två hushåll: ärendena prövas var för sig")),
            ("keep_this", _("Ett hushåll: det här ärendet prövas, det andra avslås som dubblett")),
            ("keep_other", _("Ett hushåll: det andra ärendet prövas, det här avslås som dubblett")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Skäl"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("Till exempel: separerade, inneboende, folkbokföringen inte ändrad än."),
    )
