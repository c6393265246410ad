"""Which track(s) a household's first meeting should be on. Pure: no Django, no project imports.

The work track (arbetslivssekreterare) is the default: Trelleborg's model meets everyone who can
work the next working day. The needs screen and a few facts from the application add the social
track (socialsekreterare), alone or together with the work track.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Indicators", "Needs", "suggest_track"]


@dataclass(frozen=True)
class Needs:
    """One adult's answers to the optional needs screen (all False when not answered)."""

    health: bool = False
    substance_use: bool = False
    violence: bool = False
    housing_risk: bool = False
    debt: bool = False
    language: bool = False
    caring_for_others: bool = False


@dataclass(frozen=True)
class Indicators:
    """Facts about the household from the application itself."""

    adults: int = 1
    adults_of_pension_age: int = 0
    adults_on_sickness_benefit: int = 0
    # From the registers (the robot): activity compensation, Arbetsförmedlingen registration.
    adults_on_activity_compensation: int = 0
    registered_at_employment_service: bool | None = None


# (needs attribute, adds the social track, reason shown to staff). No need removes the work
# track: who can work still meets an arbetslivssekreterare, both tracks at once where needed.
_RULES: tuple[tuple[str, bool, str], ...] = (
    ("violence", True, "Våld eller hot i nära relation: socialsekreterare först."),
    ("substance_use", True, "Alkohol, droger eller spel: stöd från socialtjänsten."),
    ("housing_risk", True, "Risk att förlora bostaden: socialtjänsten behöver agera."),
    ("caring_for_others", True, "Tar hand om en närstående: socialtjänsten ser över stödet."),
    ("debt", True, "Skulder: budget- och skuldrådgivning."),
    ("health", True, "Hälsa: stöd från socialtjänsten och bedömning av arbetsförmåga."),
    ("language", False, "Språk: sfi kan ingå i planeringen på arbetsspåret."),
)


def suggest_track(
    needs: Needs | Iterable[Needs], indicators: Indicators
) -> tuple[bool, bool, list[str]]:
    """(work, social, reasons) for one household. At least one track is always True.

    ``needs`` is one adult's answers or every adult's; any adult's need counts for the household.
    """
    answers = [needs] if isinstance(needs, Needs) else list(needs)
    reasons: list[str] = []
    able_adults = (
        indicators.adults
        - indicators.adults_of_pension_age
        - indicators.adults_on_sickness_benefit
        - indicators.adults_on_activity_compensation
    )
    work = able_adults > 0
    social = False
    if indicators.adults_on_sickness_benefit:
        reasons.append("Sjukpenning eller sjukersättning betalas ut.")
    if indicators.adults_on_activity_compensation:
        reasons.append("Aktivitetsersättning betalas ut.")
    if work and indicators.registered_at_employment_service is False:
        reasons.append("Inte inskriven på Arbetsförmedlingen: behöver skriva in sig.")
    if not work:
        reasons.append("Ingen vuxen i hushållet står till arbetsmarknadens förfogande just nu.")
    for attribute, adds_social, reason in _RULES:
        if any(getattr(answer, attribute) for answer in answers):
            social = social or adds_social
            reasons.append(reason)
    if not work and not social:
        social = True
        reasons.append("Socialsekreterare tar första mötet.")
    if work and not social:
        reasons.insert(0, "Arbetsspåret: möte med arbetslivssekreterare nästa arbetsdag.")
    return work, social, reasons
