"""Register answers as people read them on the case page (#18): labels, dates, kronor, yes/no and
the authorities' Swedish names; never a Python repr, a dict or an internal code."""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseworker.wording import relation_text
from eligibility.registers import configured_registers
from eligibility.robot.findings import INCOME_LABELS
from kernel.money import kronor_text

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as StrPromise

# Detail keys the register adapters report, in Swedish. A key missing here is shown with its
# words ("some_key" → "Some key") so nothing is hidden, and tests/caseworker/workbench fail on it.
DETAIL_LABELS: dict[str, StrPromise] = {
    "age": gettext_lazy("Ålder"),
    "municipality_code": gettext_lazy("Folkbokförd i kommun (kommunkod)"),
    "registered": gettext_lazy("Inskriven som arbetssökande"),
    "registered_since": gettext_lazy("Inskriven sedan"),
    "category": gettext_lazy("Sökandekategori"),
    "programme": gettext_lazy("Program"),
    "latest_activity_report": gettext_lazy("Senaste aktivitetsrapport"),
    "period": gettext_lazy("Period"),
    "submitted_on": gettext_lazy("Lämnad"),
    "start": gettext_lazy("Från"),
    "end": gettext_lazy("Till"),
    "applied": gettext_lazy("Har sökt studiestöd"),
    "applied_on": gettext_lazy("Sökt"),
    "granted": gettext_lazy("Beviljat"),
    "decision": gettext_lazy("Beslut"),
    "study_rate_percent": gettext_lazy("Studietakt (procent)"),
    "grant": gettext_lazy("Studiebidrag"),
    "loan": gettext_lazy("Studielån"),
    "fund": gettext_lazy("A-kassa"),
    "member": gettext_lazy("Medlem"),
    "member_since": gettext_lazy("Medlem sedan"),
    "suspensions": gettext_lazy("Avstängningar"),
    "residence_status": gettext_lazy("Uppehållsstatus"),
    "permit_valid_until": gettext_lazy("Tillståndet gäller till"),
    "capital_income": gettext_lazy("Kapitalinkomst"),
    "interest": gettext_lazy("Ränta"),
    "dividends": gettext_lazy("Utdelningar"),
    "capital_gains": gettext_lazy("Kapitalvinster"),
    "total": gettext_lazy("Summa"),
    "income_year": gettext_lazy("Inkomstår"),
    "vehicles": gettext_lazy("Fordon"),
    "registration": gettext_lazy("Registreringsnummer"),
    "make": gettext_lazy("Märke"),
    "model_year": gettext_lazy("Årsmodell"),
    "estimated_value": gettext_lazy("Uppskattat värde"),
    "employer": gettext_lazy("Arbetsgivare"),
    "organisation_number": gettext_lazy("Organisationsnummer"),
}
VALUE_LABELS: dict[str, StrPromise] = {
    "citizen": gettext_lazy("Svensk medborgare"),
    "permanent": gettext_lazy("Permanent uppehållstillstånd"),
    "temporary": gettext_lazy("Tidsbegränsat uppehållstillstånd"),
    "none": gettext_lazy("Inget tillstånd"),
    "pending": gettext_lazy("Ej avgjort"),
    "rejected": gettext_lazy("Avslag"),
}
MONEY_KEYS = {
    "grant",
    "loan",
    "estimated_value",
    "interest",
    "dividends",
    "capital_gains",
    "total",
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def source_label(source: str) -> str:
    register = configured_registers().get(source)
    return str(getattr(register, "label", "") or source.replace("_", " ").capitalize())


def label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key.replace("_", " ").capitalize()))


def readable(value: Any, key: str = "") -> str:
    """One fact's value as text."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return str(_("Ja") if value else _("Nej"))
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {readable(v, k)}" for k, v in value.items())
    if key in MONEY_KEYS:
        return kronor_text(value)
    if isinstance(value, list):
        return " · ".join(readable(item) for item in value)
    if isinstance(value, date):
        return date_format(value, "j F Y")
    text = str(value)
    if ISO_DATE.fullmatch(text):
        return date_format(date.fromisoformat(text), "j F Y")
    if ISO_MONTH.fullmatch(text):
        return date_format(date.fromisoformat(f"{text}-01"), "F Y")
    return str(VALUE_LABELS.get(text, text))


def snapshot_view(snapshot: Any) -> dict[str, Any]:
    """What the case page shows of one register's answer."""
    persons = []
    for person in (snapshot.payload or {}).get("persons", []):
        persons.append(
            {
                "found": person.get("found", True),
                "address": person.get("address", ""),
                "household": [
                    {
                        "relation": relation_text(p.get("relation", "")),
                        "name": p.get("name", ""),
                    }
                    for p in person.get("household", [])
                ],
                "payments": [
                    {
                        "kind": INCOME_LABELS.get(p.get("kind", ""), label(p.get("kind", ""))),
                        "gross": kronor_text(p.get("gross", 0)),
                        "tax": kronor_text(p.get("tax", 0)),
                        "net": kronor_text(p.get("net", 0)),
                        "paid_on": readable(p.get("paid_on")),
                    }
                    for p in person.get("payments", [])
                ],
                "details": [
                    (label(key), readable(value, key))
                    for key, value in (person.get("details") or {}).items()
                ],
            }
        )
    return {
        "source": source_label(snapshot.source),
        "status": snapshot.status,
        "status_label": snapshot.get_status_display(),
        "error": snapshot.error,
        "persons": persons,
    }
