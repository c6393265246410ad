from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.availability import stockholm
from meetings.changes import ATTENDANCE_AFTER_START, FreeSlot, not_started_message
from meetings.models import Attendance, Meeting, NeedsScreen, Outcome


class RecordForm(forms.Form):
    attendance = forms.ChoiceField(
        label=_("Närvaro"), choices=Attendance.choices, widget=forms.RadioSelect
    )
    outcome = forms.ChoiceField(
        label=_("Planering"),
        choices=[("", _("Ingen planering ännu")), *Outcome.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Anteckning"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
    )

    def __init__(self, *args: Any, meeting: Meeting, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") and data.get("attendance") != Attendance.ATTENDED:
            self.add_error("outcome", _("En planering kräver att sökande kom till mötet."))
        if data.get("attendance") in ATTENDANCE_AFTER_START and not self.meeting.has_started:
            self.add_error("attendance", not_started_message(self.meeting))
        return data


class MeetingNeedsForm(forms.Form):
    interpreter_language = forms.CharField(
        label=_("Jag behöver tolk på språket"),
        required=False,
        max_length=60,
        help_text=_("Lämna tomt om du inte behöver tolk."),
    )
    accessible_room = forms.BooleanField(
        label=_("Jag behöver ett tillgängligt rum (till exempel för rullstol)"), required=False
    )


class RescheduleForm(forms.Form):
    choice = forms.ChoiceField(label=_("Välj en ny tid"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, slots: list[FreeSlot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tz = stockholm()
        cast(forms.ChoiceField, self.fields["choice"]).choices = [
            (
                slot.key,
                f"{slot.starts_at.astimezone(tz):%Y-%m-%d %H:%M} – {slot.secretary_name}",
            )
            for slot in slots
        ]


class NeedsScreenForm(forms.ModelForm):
    class Meta:
        model = NeedsScreen
        fields = [
            "health",
            "substance_use",
            "violence",
            "housing_risk",
            "debt",
            "language",
            "caring_for_others",
            "other",
        ]
        widgets = {"other": forms.Textarea(attrs={"rows": 3})}
