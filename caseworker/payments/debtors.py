"""Each municipality's own account that pays out: the debtor of its pain.001 files (#19 item 5).

Configured, not edited in the admin: `PAYMENT_DEBTORS` (environment, JSON) maps a municipality
code to its account at its bank::

    {"1287": {"name": "Trelleborgs kommun", "organisation_number": "212000-1223",
              "iban": "SE45 5000 0000 0583 9825 7466", "bic": "ESSESESS",
              "bankgiro": "5050-1055", "clearing": "5839", "account": "8257466"}}

`bankgiro`, `clearing` and `account` may be left out. Every entry is checked (the system check
`caseworker.payments.checks` reports what is wrong, and no file is made from a wrong entry): the
IBAN's ISO 13616 mod-97 checksum, a Swedish IBAN; the BIC's form (ISO 9362, as the pain.001 XSD
writes it) and its country; the organisation number's and the bankgiro number's mod-10 digit;
given clearing and account, the banks' own rules (`bankkonto`, as for applicants' accounts) and
that they are the account the IBAN holds.

A municipality without an entry has no debtor: its payment file is refused with a message that
names it. Only where the test integrations are allowed (DEBUG, the test suite, the benchmark)
does it fall back to the one example account of PAYMENT_DEBTOR_* (local and demo runs).
"""

from __future__ import annotations

import json
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bankkonto.luhn import validate_luhn
from django.conf import settings

from accounts.models import BankAccountInvalid, Municipality, bank_account_parts

# What the pain.001.001.03 XSD accepts as a BIC (BICIdentifier).
BIC_PATTERN = re.compile(r"[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?")
MUNICIPALITY_CODE = re.compile(r"[0-9]{4}")
SWEDISH_IBAN_LENGTH = 24  # SE, 2 check digits, 3 bank code digits, 17 account digits
NAME_MAX = 70  # what Swedish banks read of a name in pain.001
KEYS = {"name", "organisation_number", "iban", "bic", "bankgiro", "clearing", "account"}
REQUIRED = ("name", "organisation_number", "iban", "bic")


class PaymentDebtorsMalformed(ValueError):
    """PAYMENT_DEBTORS is not a JSON object of objects."""


@dataclass(frozen=True)
class Debtor:
    """A municipality's paying account, normalised: IBAN and BIC in capitals without spaces,
    the organisation number as 10 digits, bankgiro, clearing and account as digits."""

    name: str
    organisation_number: str
    iban: str
    bic: str
    bankgiro: str = ""
    clearing: str = ""
    account: str = ""


@dataclass(frozen=True)
class DebtorEntry:
    """One configured entry: the debtor when it is valid, else what is wrong with it."""

    code: str
    debtor: Debtor | None
    problems: tuple[str, ...]


# --- the checks (pure) --------------------------------------------------------------------------


def _compact(value: str) -> str:
    return "".join(value.split()).replace("-", "")


def iban_checksum_valid(iban: str) -> bool:
    """ISO 13616: the country and check digits moved to the end, letters as 10..35, the number
    modulo 97 is 1."""
    iban = _compact(iban).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(string.ascii_uppercase.index(ch) + 10) if ch.isalpha() else ch
                     for ch in rearranged)  # fmt: skip
    return int(digits) % 97 == 1


def iban_problems(iban: str) -> list[str]:
    compact = _compact(iban).upper()
    if not compact.startswith("SE"):
        return ["iban: not a Swedish IBAN (SE...): the payments are domestic, in SEK"]
    if len(compact) != SWEDISH_IBAN_LENGTH or not compact[2:].isdigit():
        return [f"iban: a Swedish IBAN is SE and {SWEDISH_IBAN_LENGTH - 2} digits"]
    if not iban_checksum_valid(compact):
        return ["iban: the check digits are wrong (ISO 13616 mod 97)"]
    return []


def bic_problems(bic: str, *, iban: str = "") -> list[str]:
    compact = _compact(bic).upper()
    if not BIC_PATTERN.fullmatch(compact):
        return ["bic: not a BIC (8 or 11 letters and digits, ISO 9362)"]
    country = _compact(iban).upper()[:2]
    if iban and not iban_problems(iban) and compact[4:6] != country:
        return [f"bic: the bank is in {compact[4:6]}, the IBAN in {country}"]
    return []


def bankgiro_problems(bankgiro: str) -> list[str]:
    """A bankgiro number: 7 or 8 digits, the last a mod-10 (Luhn) check digit."""
    digits = _compact(bankgiro)
    if not digits.isdigit() or not 7 <= len(digits) <= 8:
        return ["bankgiro: 7 or 8 digits (e.g. 5050-1055)"]
    if not validate_luhn(digits):
        return ["bankgiro: the check digit is wrong (mod 10)"]
    return []


def organisation_number_normalised(value: str) -> str:
    digits = _compact(value)
    if len(digits) == 12 and digits.startswith("16"):
        digits = digits[2:]
    return digits


def organisation_number_problems(value: str) -> list[str]:
    """A Swedish organisation number: 10 digits, the third 2 or more (a legal person; a
    municipality's begins 212000), the last a mod-10 (Luhn) check digit."""
    digits = organisation_number_normalised(value)
    if not digits.isdigit() or len(digits) != 10 or digits[2] < "2":
        return ["organisation_number: a Swedish organisation number, 10 digits (212000-xxxx)"]
    if not validate_luhn(digits):
        return ["organisation_number: the check digit is wrong (mod 10)"]
    return []


def account_problems(clearing: str, account: str, *, iban: str) -> list[str]:
    """Clearing and account by the banks' rules, and the account the Swedish IBAN holds: its 17
    account digits are the clearing number and account, or the account alone (Handelsbanken,
    Nordea's personal accounts), with leading zeros."""
    try:
        clearing, account = bank_account_parts(f"{clearing}-{account}")
    except BankAccountInvalid as error:
        return [f"clearing/account: {error.message}"]
    held = _compact(iban).upper()[7:]
    if held not in ((clearing + account).zfill(17), account.zfill(17)):
        return ["clearing/account: not the account the IBAN holds"]
    return []


def debtor_entry(code: str, raw: Any) -> DebtorEntry:
    """One PAYMENT_DEBTORS entry checked and normalised."""
    problems: list[str] = []
    if not MUNICIPALITY_CODE.fullmatch(str(code)):
        problems.append(f"{code!r} is not a municipality code (4 digits)")
    if not isinstance(raw, Mapping):
        return DebtorEntry(str(code), None, (*problems, "not an object"))
    unknown = sorted(set(raw) - KEYS)
    if unknown:
        problems.append(f"unknown keys: {', '.join(unknown)}")
    values = {key: str(raw.get(key) or "").strip() for key in KEYS}
    problems.extend(f"{key}: missing" for key in REQUIRED if not values[key])
    if len(values["name"]) > NAME_MAX:
        problems.append(f"name: at most {NAME_MAX} characters")
    if values["iban"]:
        problems.extend(iban_problems(values["iban"]))
    if values["bic"]:
        problems.extend(bic_problems(values["bic"], iban=values["iban"]))
    if values["organisation_number"]:
        problems.extend(organisation_number_problems(values["organisation_number"]))
    if values["bankgiro"]:
        problems.extend(bankgiro_problems(values["bankgiro"]))
    if bool(values["clearing"]) != bool(values["account"]):
        problems.append("clearing/account: give both or neither")
    elif values["clearing"] and not iban_problems(values["iban"]):
        problems.extend(
            account_problems(values["clearing"], values["account"], iban=values["iban"])
        )
    if problems:
        return DebtorEntry(str(code), None, tuple(problems))
    return DebtorEntry(
        str(code),
        Debtor(
            name=values["name"],
            organisation_number=organisation_number_normalised(values["organisation_number"]),
            iban=_compact(values["iban"]).upper(),
            bic=_compact(values["bic"]).upper(),
            bankgiro=_compact(values["bankgiro"]),
            clearing=_compact(values["clearing"]),
            account=_compact(values["account"]),
        ),
        (),
    )


def debtor_entries(configured: str | Mapping[str, Any]) -> dict[str, DebtorEntry]:
    """Every entry of PAYMENT_DEBTORS (a JSON text, as read from the environment, or a mapping),
    by municipality code. PaymentDebtorsMalformed when it is not a JSON object."""
    if isinstance(configured, str):
        if not configured.strip():
            return {}
        try:
            configured = json.loads(configured)
        except json.JSONDecodeError as error:
            raise PaymentDebtorsMalformed(f"not JSON: {error}") from None
    if not isinstance(configured, Mapping):
        raise PaymentDebtorsMalformed("not a JSON object keyed by municipality code")
    return {str(code): debtor_entry(str(code), raw) for code, raw in configured.items()}


# --- a municipality's debtor --------------------------------------------------------------------


class PaymentDebtorUnavailable(Exception):
    """The municipality has no valid paying account configured: no file is made for it."""

    def __init__(self, municipality: Municipality, problems: tuple[str, ...] = ()) -> None:
        self.municipality = municipality
        self.problems = problems
        what = "; ".join(problems) if problems else "no entry in PAYMENT_DEBTORS"
        super().__init__(f"No paying account for {municipality.code} {municipality.name}: {what}")


def example_debtor_allowed() -> bool:
    """Local and demo runs (and the tests) may pay from the one example account."""
    return bool(settings.DEBUG or settings.ALLOW_TEST_INTEGRATIONS_WITHOUT_DEBUG)


def example_debtor_entry() -> DebtorEntry:
    return debtor_entry(
        "0000",
        {
            "name": settings.PAYMENT_DEBTOR_NAME,
            "organisation_number": settings.PAYMENT_DEBTOR_ORGANISATION_NUMBER,
            "iban": settings.PAYMENT_DEBTOR_IBAN,
            "bic": settings.PAYMENT_DEBTOR_BIC,
        },
    )


def debtor_entry_for(municipality: Municipality) -> DebtorEntry | None:
    """The municipality's configured entry, or the example account where allowed; None when it
    has neither. PaymentDebtorsMalformed when PAYMENT_DEBTORS cannot be read."""
    entry = debtor_entries(settings.PAYMENT_DEBTORS).get(municipality.code)
    if entry is None and example_debtor_allowed():
        entry = example_debtor_entry()
    return entry


def payment_debtor_for(municipality: Municipality) -> Debtor:
    """The municipality's paying account. PaymentDebtorUnavailable without a valid one."""
    try:
        entry = debtor_entry_for(municipality)
    except PaymentDebtorsMalformed as error:
        raise PaymentDebtorUnavailable(municipality, (f"PAYMENT_DEBTORS: {error}",)) from error
    if entry is None:
        raise PaymentDebtorUnavailable(municipality)
    if entry.debtor is None:
        raise PaymentDebtorUnavailable(municipality, entry.problems)
    return entry.debtor
