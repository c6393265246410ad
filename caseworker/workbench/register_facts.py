"""Register answers as people read them on the case page (#18): labels, dates, kronor, yes/no and
the authorities' Swedish names; never a Python repr, a dict or an internal code."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.utils.formats import date_format

from caseworker.wording import relation_text
from eligibility.registers import configured_registers
from eligibility.robot.findings import INCOME_LABELS
from kernel.money import kronor_text

# Detail keys the register adapters report, in Swedish. A key missing here is shown with its
# words ("some_key" → "Some key") so nothing is hidden, and tests/caseworker/workbench fail on it.
DETAIL_LABELS = {
    "age": "Ålder",
    "municipality_code": "Folkbokförd i kommun (kommunkod)",
    "registered": "Inskriven som arbetssökande",
    "registered_since": "Inskriven sedan",
    "category": "Sökandekategori",
    "programme": "Program",
    "latest_activity_report": "Senaste aktivitetsrapport",
    "period": "Period",
    "submitted_on": "Lämnad",
    "start": "Från",
    "end": "Till",
    "applied": "Har sökt studiestöd",
    "applied_on": "Sökt",
    "granted": "Beviljat",
    "decision": "Beslut",
    "study_rate_percent": "Studietakt (procent)",
    "grant": "Studiebidrag",
    "loan": "Studielån",
    "fund": "A-kassa",
    "member": "Medlem",
    "member_since": "Medlem sedan",
    "suspensions": "Avstängningar",
    "residence_status": "Uppehållsstatus",
    "permit_valid_until": "Tillståndet gäller till",
    "capital_income": "Kapitalinkomst",
    "interest": "Ränta",
    "dividends": "Utdelningar",
    "capital_gains": "Kapitalvinster",
    "total": "Summa",
    "income_year": "Inkomstår",
    "vehicles": "Fordon",
    "registration": "Registreringsnummer",
    "make": "Märke",
    "model_year": "Årsmodell",
    "estimated_value": "Uppskattat värde",
    "employer": "Arbetsgivare",
    "organisation_number": "Organisationsnummer",
}
VALUE_LABELS = {
    "citizen": "Svensk medborgare",
    "permanent": "Permanent uppehållstillstånd",
    "temporary": "Tidsbegränsat uppehållstillstånd",
    "none": "Inget tillstånd",
    "pending": "Ej avgjort",
    "rejected": "Avslag",
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
    return DETAIL_LABELS.get(key, key.replace("_", " ").capitalize())


def readable(value: Any, key: str = "") -> str:
    """One fact's value as text."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
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
    return VALUE_LABELS.get(text, text)


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
