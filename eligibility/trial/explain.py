"""Plain-language text for the engine's flags (and the robot's), for people to read.

The engine's flags are stable codes (``housing_cost_capped``, ``asset:vehicle``,
``other_need:dental``, ...). Unknown codes are shown as they are, so nothing is hidden.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_FLAGS = {
    "housing_cost_capped": gettext_lazy(
        "Boendekostnaden är högre än kommunens högsta skäliga boendekostnad. Bara den högsta "
        "godtagbara kostnaden räknas; en handläggare bedömer om det finns tid att flytta."
    ),
    "young_adult_not_in_school": gettext_lazy(
        "En ungdom som är 19 eller 20 år och inte går i skolan räknas inte in i hushållets "
        "norm utan prövas för sig."
    ),
    "own_case_income_not_counted": gettext_lazy(
        "Inkomster för en person som prövas för sig räknas inte med här."
    ),
    "declared_register_difference": gettext_lazy(
        "En uppgiven inkomst skiljer sig från registrets uppgift. Registrets uppgift används."
    ),
    "child_income_cap_reached": gettext_lazy(
        "Barnets arbetsinkomst når gränsen för vad barnet får behålla (ett prisbasbelopp per "
        "år). En handläggare kontrollerar hela året."
    ),
    "child_income_exemption_unavailable": gettext_lazy(
        "Prisbasbeloppet för året saknas, så barnets arbetsinkomst räknas fullt ut."
    ),
    "savings_counted": gettext_lazy(
        "Sparade pengar räknas av: de ska användas först, innan försörjningsstöd kan ges."
    ),
    "provisional_norm": gettext_lazy(
        "Beräkningen använder preliminära normbelopp. De ersätts när regeringens belopp för "
        "året är publicerade."
    ),
    "norm_table_outdated": gettext_lazy(
        "Normbeloppen för månadens år finns inte än. Beräkningen använder föregående års belopp."
    ),
    "meeting_not_booked": gettext_lazy(
        "Inget möte med arbetslivssekreterare kunde bokas (ingen ledig tid de närmaste "
        "arbetsdagarna). Boka en tid manuellt."
    ),
    "meeting_not_booked:social": gettext_lazy(
        "Inget möte med socialsekreterare kunde bokas (ingen ledig tid de närmaste "
        "arbetsdagarna). Boka en tid manuellt."
    ),
    "income_exceeds_need": gettext_lazy(
        "Inkomsterna är högre än behovet, så det blir inget försörjningsstöd."
    ),
}

_ASSETS = {
    "vehicle": gettext_lazy("bil, mc eller båt"),
    "property": gettext_lazy("bostad, fritidshus eller mark"),
    "other": gettext_lazy("annan tillgång"),
}

_OTHER_NEEDS = {
    "dental": gettext_lazy("tandvård"),
    "glasses": gettext_lazy("glasögon"),
    "medical": gettext_lazy("läkarvård"),
    "medicine": gettext_lazy("medicin"),
    "childcare_fee": gettext_lazy("barnomsorgsavgift"),
    "furniture": gettext_lazy("möbler"),
}


def flag_text(flag: str) -> str:
    """A sentence for one flag, in the active language."""
    if flag in _FLAGS:
        return str(_FLAGS[flag])
    kind, _sep, what = flag.partition(":")
    if kind == "asset":
        return _("Tillgång (%(what)s): en handläggare bedömer om den ska användas först.") % {
            "what": _ASSETS.get(what, what)
        }
    if kind == "other_need":
        return _("Kostnad för %(what)s bedöms alltid av en handläggare.") % {
            "what": _OTHER_NEEDS.get(what, what)
        }
    if kind == "register_unavailable":
        return _(
            "Registret %(what)s svarade inte. Uppgifterna därifrån saknas i beräkningen och "
            "ärendet kontrolleras igen."
        ) % {"what": what}
    if kind == "register_invalid":
        return _(
            "Registret %(what)s gav ett svar som inte gick att läsa. En handläggare behöver "
            "titta på uppgifterna."
        ) % {"what": what}
    return flag
