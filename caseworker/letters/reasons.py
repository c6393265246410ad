"""Standard reasons (motivering): the values taken from a case, the municipality's or the
national text for a code, and the national default texts. Rendering: caseworker.wording.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict

from django.db import transaction
from django.db.models import F, Q

from caseworker.models.letters import ReasonTemplate
from caseworker.wording import kronor, month_label
from eligibility.selectors import policy_for

if TYPE_CHECKING:
    from accounts.models import Municipality
    from eligibility.models import Proposal
    from intake.models import Application, HouseholdMember


def reason_values(
    *,
    application: Application,
    proposal: Proposal | None,
    amount: Decimal | None = None,
    lines: Sequence[Mapping[str, str]] | None = None,
    members: Sequence[HouseholdMember] | None = None,
) -> dict[str, str]:
    """The placeholder values for one case, as text ready for a letter.

    `members`: the application's household members when the caller has read them already (the
    case page), else they are read here.

    `lines`: the calculation the decision rests on. Given, {hyra} is the housing cost that
    calculation accepted (capped by the robot or changed by the caseworker), which is what an
    approval's reason says "har räknats med"; without, it is the rent the applicant declared
    (what a refused part's reason compares with the municipality's limit). #18 stranger run: an
    approval said "boendekostnaden 6 250 kr har räknats med" when 4 500 kr had."""
    accepted_rent = next(
        (Decimal(line["amount"]) for line in lines or () if line.get("code") == "rent"), None
    )
    values: dict[str, str] = {
        "namn": application.applicant.display_name(),
        "månad": month_label(application.month),
        "hyra": kronor(accepted_rent if accepted_rent is not None else application.rent),
    }
    if amount is not None:
        values["belopp"] = kronor(amount)
    if proposal is not None:
        values.setdefault("belopp", kronor(proposal.amount))
        values["norm"] = kronor(proposal.norm)
        income = -sum(
            (Decimal(line["amount"]) for line in proposal.lines if line.get("kind") == "income"),
            Decimal(0),
        )
        values["inkomst"] = kronor(income)
    policy = policy_for(
        municipality=application.municipality_id,
        month=application.month,
        members=list(application.members.all()) if members is None else list(members),
    )
    if policy.max_housing_cost is not None:
        values["maxhyra"] = kronor(policy.max_housing_cost)
    return values


def reason_template_get(*, municipality: Municipality, code: str) -> ReasonTemplate | None:
    """The municipality's own text for ``code``, else the national default (selector; one
    query: the municipality's row sorts before the national one)."""
    return (
        ReasonTemplate.objects.filter(code=code, active=True)
        .filter(Q(municipality=municipality) | Q(municipality__isnull=True))
        .order_by(F("municipality").asc(nulls_last=True), "pk")
        .first()
    )


# --- National defaults ----------------------------------------------------------------------------
# Provision references follow DOMAIN.md; those carried over to the new SoL (2025:400) are to be
# verified by the municipality's lawyer before production use (SECURITY.md §2).
SOL = "Socialtjänstlagen (2025:400), rätten till ekonomiskt bistånd"
NORM = "Socialtjänstförordningen (2025:468) 12 kap. 2–3 §§ (riksnormen)"


class DefaultReason(TypedDict):
    code: str
    title: str
    text: str
    provisions: list[str]


DEFAULT_REASONS: tuple[DefaultReason, ...] = (
    {
        "code": "approved_norm",
        "title": "Beviljas enligt riksnormen",
        "text": (
            "Du har ansökt om ekonomiskt bistånd för {månad}. Ditt hushålls behov enligt "
            "riksnormen är {norm} och godtagbara kostnader, bland annat boendekostnaden {hyra}, "
            "har räknats med. Hushållets inkomster är {inkomst}. Inkomsterna räcker inte till "
            "behovet och du beviljas därför {belopp} i försörjningsstöd."
        ),
        "provisions": [SOL, NORM],
    },
    {
        "code": "approved_automated",
        "title": "Beviljas automatiserat enligt riksnormen",
        "text": (
            "Du har ansökt om ekonomiskt bistånd för {månad}. Uppgifterna i din ansökan och i "
            "registren är desamma som tidigare och inget behöver bedömas av en handläggare. "
            "Ditt hushålls behov enligt riksnormen är {norm} och godtagbara kostnader, bland annat "
            "boendekostnaden {hyra}, har räknats med. Hushållets inkomster är {inkomst}. Du "
            "beviljas därför {belopp} i försörjningsstöd. Beslutet har fattats automatiserat."
        ),
        "provisions": [SOL, NORM, "Förvaltningslagen (2017:900) 28 § (automatiserat beslut)"],
    },
    {
        "code": "rejected_income_above_norm",
        "title": "Avslag: inkomsten är högre än normen",
        "text": (
            "Du har ansökt om ekonomiskt bistånd för {månad}. Ditt hushålls behov enligt "
            "riksnormen och godtagbara kostnader är {norm} plus boendekostnaden. Hushållets "
            "inkomster är {inkomst}, vilket räcker för att täcka behovet. Du har därför inte rätt "
            "till försörjningsstöd för månaden."
        ),
        "provisions": [SOL, NORM],
    },
    {
        "code": "partly_housing_cost_above_cap",
        "title": "Delvis avslag: boendekostnaden är högre än kommunens gräns",
        "text": (
            "Din boendekostnad är {hyra}. Kommunens högsta skäliga boendekostnad för ditt hushåll "
            "är {maxhyra}. Den del av kostnaden som är högre än gränsen räknas inte som en skälig "
            "kostnad. Du beviljas {belopp} för {månad}."
        ),
        "provisions": [SOL, "Kommunens riktlinjer för skälig boendekostnad"],
    },
    {
        "code": "partly_reduced",
        "title": "Delvis avslag: en eller flera kostnader beviljas inte fullt ut",
        "text": (
            "Du har ansökt om ekonomiskt bistånd för {månad}. Ditt hushålls behov enligt "
            "riksnormen är {norm}. En eller flera av de kostnader du har ansökt om är inte skäliga "
            "i sin helhet; vad du ansökte om, vad du beviljas och varför står för varje post. "
            "Du beviljas {belopp} i försörjningsstöd."
        ),
        "provisions": [SOL, NORM],
    },
    {
        "code": "standing_norm",
        "title": "Beviljas för flera månader (stående beslut)",
        "text": (
            "Ditt hushålls behov enligt riksnormen är {norm} och godtagbara kostnader har räknats "
            "med. Hushållets förhållanden är stabila och du beviljas försörjningsstöd för flera "
            "månader. Varje månad kontrolleras registren; ändras något prövas månaden på nytt."
        ),
        "provisions": [SOL, NORM],
    },
    {
        "code": "refused_part_cost",
        "title": "Avslag på en del: kostnaden är inte skälig i sin helhet",
        "text": "Kostnaden har bedömts som skälig med det beviljade beloppet.",
        "provisions": [SOL],
    },
    {
        "code": "refused_part_housing_cap",
        "title": "Avslag på en del: boendekostnaden över kommunens gräns",
        "text": (
            "Kommunens högsta skäliga boendekostnad för ditt hushåll är {maxhyra}. Den del av "
            "hyran som är högre än gränsen räknas inte som en skälig kostnad."
        ),
        "provisions": [SOL, "Kommunens riktlinjer för skälig boendekostnad"],
    },
    {
        "code": "rejected_savings",
        "title": "Avslag: sparade pengar eller andra tillgångar",
        "text": (
            "Du har ansökt om ekonomiskt bistånd för {månad}. Du har sparade pengar eller andra "
            "tillgångar som kan användas till hushållets behov innan ekonomiskt bistånd kan "
            "komma i fråga. Du har därför inte rätt till försörjningsstöd för månaden."
        ),
        "provisions": [SOL],
    },
    {
        "code": "rejected_missing_supplement",
        "title": "Avslag: begärd komplettering har inte kommit in",
        "text": (
            "Du har ansökt om ekonomiskt bistånd för {månad}. Vi bad dig komplettera ansökan "
            "men har inte fått de uppgifter som behövs för att pröva din rätt till bistånd. "
            "Rätten till bistånd har därför inte kunnat utredas och ansökan avslås."
        ),
        "provisions": [SOL, "Förvaltningslagen (2017:900) 23 § (utredningsansvar)"],
    },
)


# The template whose provisions a decision carries when the caseworker chose none, per type.
DEFAULT_TEMPLATE_BY_TYPE: dict[str, str] = {
    "approved": "approved_norm",
    "partly": "partly_reduced",
    "rejected": "rejected_income_above_norm",
    "standing": "standing_norm",
}
_DEFAULTS_BY_CODE: dict[str, DefaultReason] = {d["code"]: d for d in DEFAULT_REASONS}


@dataclass(frozen=True)
class ReasonText:
    code: str
    title: str
    text: str
    provisions: tuple[str, ...]


def reason_text_get(*, municipality: Municipality, code: str) -> ReasonText | None:
    """The municipality's text for ``code``, else the national one stored, else the national
    default in code (so a letter never lacks its legal basis before the templates are loaded)."""
    found = reason_template_get(municipality=municipality, code=code)
    if found is not None:
        return ReasonText(found.code, found.title, found.text, tuple(found.provisions or ()))
    default = _DEFAULTS_BY_CODE.get(code)
    if default is None:
        return None
    return ReasonText(code, default["title"], default["text"], tuple(default["provisions"]))


def reason_template_choices() -> list[tuple[str, str]]:
    """The decision form's choice of standard reason (codes of the active national texts and
    of the defaults; a municipality's own text replaces the national one with the same code)."""
    titles = {d["code"]: d["title"] for d in DEFAULT_REASONS}
    for code, title in ReasonTemplate.objects.filter(active=True).values_list("code", "title"):
        titles.setdefault(code, title)
    return [("", "Standard för beslutstypen"), *sorted(titles.items())]


def decision_type(*, outcome: str, partly: bool, months: int) -> str:
    if outcome != "approved":
        return "rejected"
    if partly:
        return "partly"
    return "standing" if months > 1 else "approved"


def decision_provisions(
    *,
    municipality: Municipality,
    outcome: str,
    partly: bool,
    months: int,
    template_code: str = "",
    typed: Sequence[str] = (),
) -> list[str]:
    """The provisions a decision carries: those of the chosen standard reason (or the default
    one for the decision's type) followed by any the caseworker added. Never empty."""
    code = (
        template_code
        or DEFAULT_TEMPLATE_BY_TYPE[decision_type(outcome=outcome, partly=partly, months=months)]
    )
    template = reason_text_get(municipality=municipality, code=code)
    if template is None:
        raise ValueError(f"Okänd standardmotivering: {code}")
    chosen = [*template.provisions, *(p.strip() for p in typed if p.strip())]
    if not chosen:  # an edited template without provisions: the law still applies
        chosen = [SOL]
    return list(dict.fromkeys(chosen))


def reason_templates_load(*, overwrite: bool = False) -> tuple[int, int]:
    """Create the national default texts; with ``overwrite`` also reset edited ones.

    Returns (created, updated). Safe to run again.
    """
    created = updated = 0
    for default in DEFAULT_REASONS:
        fields = {k: v for k, v in default.items() if k != "code"}
        existing = ReasonTemplate.objects.filter(
            municipality__isnull=True, code=default["code"]
        ).first()
        if existing is None:
            ReasonTemplate.objects.create(municipality=None, code=default["code"], **fields)
            created += 1
        elif overwrite:
            for key, value in fields.items():
                setattr(existing, key, value)
            existing.save()
            updated += 1
    return created, updated


# --- The team lead's own texts ----------------------------------------------------------------


@dataclass(frozen=True)
class ReasonTemplateRow:
    code: str
    title: str
    provisions: tuple[str, ...]
    own: bool  # the municipality has its own text for the code
    active: bool


def reason_templates_for(*, municipality: Municipality) -> list[ReasonTemplateRow]:
    """Every standard reason as it applies in ``municipality`` (selector): its own text where it
    has one, else the national one (stored, or the default in code)."""
    codes = list(dict.fromkeys([d["code"] for d in DEFAULT_REASONS]))
    codes += [
        code
        for code in ReasonTemplate.objects.filter(municipality__in=[None, municipality])
        .order_by("code")
        .values_list("code", flat=True)
        if code not in codes
    ]
    own = {t.code: t for t in ReasonTemplate.objects.filter(municipality=municipality)}
    rows = []
    for code in codes:
        mine = own.get(code)
        text = reason_text_get(municipality=municipality, code=code)
        if text is None and mine is None:
            continue
        rows.append(
            ReasonTemplateRow(
                code=code,
                title=mine.title if mine else text.title if text else code,
                provisions=tuple(mine.provisions) if mine else text.provisions if text else (),
                own=mine is not None,
                active=mine.active if mine else True,
            )
        )
    return rows


@transaction.atomic
def reason_template_save(
    *,
    municipality: Municipality,
    code: str,
    title: str,
    text: str,
    provisions: Sequence[str],
    active: bool = True,
) -> ReasonTemplate:
    """A team lead's own version of a standard reason for the municipality (it replaces the
    national one with the same code; the national text stays for the other municipalities)."""
    template = ReasonTemplate.objects.filter(municipality=municipality, code=code).first()
    if template is None:
        template = ReasonTemplate(municipality=municipality, code=code)
    template.title = title.strip()
    template.text = text.strip()
    template.provisions = [p.strip() for p in provisions if p.strip()]
    template.active = active
    template.full_clean()
    template.save()
    return template
