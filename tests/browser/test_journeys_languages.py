"""#17: the applicant's five journeys on a 360 px phone, each in Swedish, English and Arabic.

Journeys: a single adult applies; a couple with a child applies together and both sign; a
renewal with a change; a document sent after submitting; an appeal. The language is chosen as a
person chooses it: with the language switcher in the page header (Django's `set_language`) on
the e-ID login page, before logging in.

On every page reached (after the language is chosen):
- axe-core at WCAG 2.1 A and AA reports no violation;
- `<html lang>` is the language chosen, and `dir` is `rtl` for Arabic, `ltr` otherwise;
- in English and Arabic, no Swedish text from the catalogue is shown: the Swedish msgids of
  locale/{en,ar}/LC_MESSAGES/django.po (and, for strings too new to be in a catalogue, the
  msgids in the templates and the code) are cut at their placeholders and tags, and no piece of
  at least MIN_LENGTH characters may appear in the page's visible text, its title or its
  aria-label/alt/title/placeholder attributes. Text inside an element marked `lang="sv"` is
  Swedish on purpose and is left out, and so is a piece that the language's own catalogue keeps
  in its translations (a proper name such as an authority's name). A Swedish time of day
  ("kl. 10:00", from a template's date format rather than the catalogue) is reported too.

Besides: an HTTP error (other than a 400, a form sent back with its errors), a console error
or an uncaught script error on any page.

A journey collects every problem of every page and fails once at its end with the whole list
(page, language, axe rule or Swedish string), so one run shows all the defects of a journey; a
broken flow fails at once, with the problems collected until then.
"""

from __future__ import annotations

import ast
import functools
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import translation
from playwright.sync_api import expect

from intake.models import Appeal, Application, ApplicationKind, Attachment, Decision
from intake.states import Status
from tests.conftest import PNR_ALVA, PNR_BILAL, PNR_CARINA

from .applicant import WCAG_TAGS, error_summary, phone
from .browser import Recorder

# The suite's working Wednesday morning (as in test_applicant_journeys.py): the window for next
# month is open, last month (October) is the month a renewal follows.
pytestmark = [
    pytest.mark.as_of("2026-11-18T10:00"),
    pytest.mark.browser,
    pytest.mark.timeout(180),
    pytest.mark.usefixtures("transactional_db"),
]

LANGUAGES = ("sv", "en", "ar")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BANK_ACCOUNT = "6000 123 456 789"
OCTOBER = date(2026, 10, 1)
DECLARATION = (
    "Jag intygar att uppgifterna är riktiga och fullständiga, och att jag meddelar ändringar."
)

# --- the Swedish catalogue -----------------------------------------------------------------------

ROOT = Path(settings.BASE_DIR)
MIN_LENGTH = 12
# Pieces of Swedish that may stand in an English or Arabic page as proper names. Empty: what a
# translation keeps verbatim is found in the catalogue itself (see `swedish_catalogue`).
PROPER_NAMES: frozenset[str] = frozenset()  # casefolded
# Folders of the project's own code and templates (a new string is looked for there).
NOT_SOURCE = {".venv", ".git", "tests", "build", "docs", "static", "locale", "scripts", "bench"}
GETTEXT_CALLS = {
    "_": (0,),
    "gettext": (0,),
    "gettext_lazy": (0,),
    "gettext_noop": (0,),
    "ngettext": (0, 1),
    "ngettext_lazy": (0, 1),
    "pgettext": (1,),
    "pgettext_lazy": (1,),
    "npgettext": (1, 2),
    "npgettext_lazy": (1, 2),
}
PO_LINE = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"$')
PO_ESCAPE = re.compile(r"\\(.)")
# Where a msgid is cut: placeholders (gettext's and the template's) and markup.
CUT = re.compile(r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|%%|\{\{.*?\}\}|\{\w*\}|<[^>]*>")
TRANSLATE_TAG = re.compile(r"""{%\s*trans(?:late)?\s+(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
BLOCK_TAG = re.compile(
    r"{%\s*blocktrans(?:late)?\b(.*?)%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S
)
PLURAL_TAG = re.compile(r"{%\s*plural\s*%}")
TEMPLATE_VAR = re.compile(r"{{\s*(\w+)\s*}}")


def _collapse(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


@dataclass
class PoEntry:
    msgids: tuple[str, ...]  # the msgid, and the msgid_plural if any
    msgstrs: tuple[str, ...]
    fuzzy: bool


def po_entries(path: Path) -> list[PoEntry]:
    """The entries of a .po file (no polib here): msgid(s), msgstr(s), fuzzy flag."""
    entries: list[PoEntry] = []
    fields: dict[str, str] = {}
    fuzzy = False
    key = ""

    def finish() -> None:
        nonlocal fields, fuzzy, key
        if fields.get("msgid"):
            ids = tuple(fields[k] for k in ("msgid", "msgid_plural") if k in fields)
            strs = tuple(v for k, v in sorted(fields.items()) if k.startswith("msgstr"))
            entries.append(PoEntry(ids, strs, fuzzy))
        fields, fuzzy, key = {}, False, ""

    def unquote(text: str) -> str:
        return PO_ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#~"):
            if not line:
                finish()
            continue
        if line.startswith("#"):
            if any(k.startswith("msgstr") for k in fields):
                finish()  # a new entry without a blank line before it
            fuzzy = fuzzy or (line.startswith("#,") and "fuzzy" in line)
            continue
        found = PO_LINE.match(line)
        if found:
            if found[1] in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in fields):
                finish()
            key = found[1]
            fields[key] = unquote(found[2])
        elif line.startswith('"') and key:
            fields[key] += unquote(line[1:-1])
    finish()
    return entries


def source_msgids() -> set[str]:
    """The msgids in the project's templates and code as they are now (whitespace collapsed,
    template variables as gettext placeholders), to find those not yet in a catalogue."""
    found: set[str] = set()
    folders = [p for p in ROOT.iterdir() if p.is_dir() and p.name not in NOT_SOURCE]
    folders = [p for p in folders if not p.name.startswith(".") and not p.name.endswith("-info")]
    for folder in folders:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for match in TRANSLATE_TAG.finditer(text):
                found.add(_collapse((match[1] or match[2] or "").replace('\\"', '"')))
            for match in BLOCK_TAG.finditer(text):
                for body in PLURAL_TAG.split(match[2]):
                    body = TEMPLATE_VAR.sub(r"%(\1)s", body.replace("%", "%%"))
                    found.add(_collapse(body))
        for path in folder.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"))
            except (SyntaxError, UnicodeDecodeError):
                continue  # someone is editing it right now: it is not served either
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                for index in GETTEXT_CALLS.get(name, ()):
                    if index < len(node.args):
                        arg = node.args[index]
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            found.add(_collapse(arg.value))
    found.discard("")
    return found


def pieces(msgid: str) -> list[str]:
    """The runs of fixed text in a msgid long enough to be told apart from a name or a word."""
    return [p.strip() for p in CUT.split(_collapse(msgid)) if len(p.strip()) >= MIN_LENGTH]


@dataclass(frozen=True)
class Swedish:
    msgid: str
    why: str
    keys: tuple[str, ...]  # its pieces, casefolded: what is looked for in a page


WHY_TRANSLATED = "translated in the catalogue, yet shown in Swedish"
WHY_NEW = "new: in the code, in no catalogue yet"


@functools.cache
def swedish_catalogue() -> dict[str, tuple[Swedish, ...]]:
    """Per language (en, ar): the Swedish msgids (as their pieces) that must not be shown in a
    page in that language, each with why it would be Swedish there."""
    catalogues = {
        lang: po_entries(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po")
        for lang in ("en", "ar")
    }
    in_any = {_collapse(m) for entries in catalogues.values() for e in entries for m in e.msgids}
    new = sorted(source_msgids() - in_any)
    result: dict[str, tuple[Swedish, ...]] = {}
    for lang, entries in catalogues.items():
        same: set[str] = set()  # the same in Swedish and in `lang`: not Swedish-only
        wanted: dict[str, str] = {}  # msgid -> why
        for entry in entries:
            if all(s == entry.msgids[0] or s in entry.msgids for s in entry.msgstrs):
                same.update(entry.msgids)
                continue
            if entry.fuzzy:
                why = "fuzzy in the catalogue (Django shows the Swedish)"
            elif not any(entry.msgstrs):
                why = "untranslated in the catalogue (empty msgstr)"
            else:
                why = WHY_TRANSLATED
            for msgid in entry.msgids:
                wanted.setdefault(msgid, why)
        known_here = {_collapse(m) for e in entries for m in e.msgids}
        for other, other_entries in catalogues.items():
            for entry in other_entries if other != lang else ():
                for msgid in entry.msgids:
                    if _collapse(msgid) not in known_here:
                        wanted.setdefault(msgid, f"missing from the {lang} catalogue")
        for msgid in new:
            wanted.setdefault(msgid, WHY_NEW)
        # What the translations themselves keep verbatim is a name, not a forgotten string.
        kept = "\n".join(_collapse(s) for e in entries for s in e.msgstrs).casefold()
        not_swedish_only = {p.casefold() for m in same for p in pieces(m)}
        found = []
        for msgid, why in sorted(wanted.items()):
            keys = tuple(
                key
                for key in dict.fromkeys(p.casefold() for p in pieces(msgid))
                if key not in kept and key not in not_swedish_only and key not in PROPER_NAMES
            )
            if keys:
                found.append(Swedish(msgid, why, keys))
        assert len(found) > 500, f"the {lang} catalogue was not read ({len(found)} msgids)"
        result[lang] = tuple(found)
    return result


@pytest.fixture(scope="session")
def swedish_only() -> dict[str, tuple[Swedish, ...]]:
    return swedish_catalogue()


# --- a journey: its people, its pages and what was wrong on them --------------------------------

PAGE_TEXTS = """() => {
  const marked = [...document.querySelectorAll('body [lang]')]
    .filter(e => e.lang.toLowerCase().startsWith('sv') && !e.closest('select'))
    .map(e => e.innerText);
  const attributes = [];
  for (const e of document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')) {
    if (e.closest('[lang^="sv"]')) continue;
    for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = e.getAttribute(a);
      if (value) attributes.push(value);
    }
  }
  const controls = [...document.querySelectorAll(
    'main input:not([type=hidden]), main select, main textarea')]
    .filter(e => e.getClientRects().length).length;
  return {
    body: document.body.innerText, marked, attributes, title: document.title, controls,
    lang: document.documentElement.getAttribute('lang'),
    dir: document.documentElement.getAttribute('dir'),
  };
}"""

_axe = Axe()
CLIENT_ERROR = re.compile(r"status of 4\d\d")
# A Swedish time of day from a template's date format ("18 November 2026 kl. 10:00"): not in the
# catalogue, but Swedish shown in an English or Arabic page all the same.
SWEDISH_CLOCK = re.compile(r"\bkl\. ?\d{1,2}[:.]\d{2}")


@dataclass
class Journey:
    """One journey in one language: the people's phones, the pages checked, what was wrong."""

    name: str
    lang: str
    base: str
    chromium: Any
    swedish: tuple[Swedish, ...]
    recorder: Recorder = field(default_factory=Recorder)
    contexts: list[Any] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # "who: what (url)" per page checked
    controls: int = 0  # form controls shown in <main>, summed over the pages checked
    fields: list[str] = field(default_factory=list)  # each form control the people set
    # what was wrong -> the pages it was wrong on ("who: what (url)")
    problems: dict[str, list[str]] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)
    asserted: bool = False

    # -- translation
    def t(self, msgid: str) -> str:
        """The text as the page shows it in the journey's language (the catalogue's own
        translation: a string missing from it stays Swedish, and the Swedish check says so)."""
        with translation.override(self.lang):
            return translation.gettext(msgid)

    def exactly(self, msgid: str) -> re.Pattern[str]:
        """The whole accessible name (a link's CSS arrow, "‹ ", is part of it)."""
        return re.compile(rf"^[\W_]*{re.escape(self.t(msgid))}[\W_]*$")

    def containing(self, msgid: str) -> re.Pattern[str]:
        return re.compile(re.escape(self.t(msgid)))

    # -- people and language
    def phone_for(self, who: str) -> Any:
        context = phone(self.chromium)
        self.contexts.append(context)
        self.recorder.attach(context, who)

        def on_response(response: Any) -> None:
            # 400 is a form sent back with its errors (the appeal's empty form, on purpose).
            if response.status > 400:
                self.problem(f"HTTP {response.status}", f"{who}: {response.url}")

        context.on("response", on_response)
        page = context.new_page()
        page.who = who  # type: ignore[attr-defined]
        return page

    def log_in(self, page: Any, personnummer: str) -> None:
        """The e-ID login page; the language chosen there with the header's switcher (as a
        person does), then the test identity's button."""
        page.goto(f"{self.base}/e-legitimation/")
        expect(page.locator("html")).to_have_attribute("lang", "sv")
        if self.lang != "sv":  # the Swedish login page is checked in the journey's sv case
            page.locator("#language-select").select_option(self.lang)
            self.fields.append("language")
            page.locator(".language-switcher button[type=submit]").click()
            expect(page.locator("html")).to_have_attribute("lang", self.lang)
        expect(page.get_by_role("heading", level=1)).to_have_text(
            self.exactly("Logga in med e-legitimation")
        )
        self.check(page, "e-ID login")
        page.get_by_role("button", name=re.compile(personnummer)).click()
        page.wait_for_url(re.compile(r"/ansokan/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text(self.exactly("Mina ansökningar"))
        self.check(page, "my applications")

    # -- form controls, counted
    def fill(self, locator: Any, value: str) -> None:
        locator.fill(value)
        self.fields.append(locator.get_attribute("name") or "?")

    def tick(self, locator: Any) -> None:
        locator.check()
        self.fields.append(locator.get_attribute("name") or "?")

    def choose(self, locator: Any, value: str) -> None:
        locator.select_option(value)
        self.fields.append(locator.get_attribute("name") or "?")

    def press(self, page: Any, msgid: str, **options: Any) -> None:
        page.get_by_role("button", name=self.exactly(msgid), **options).click()

    # -- the checks of every page
    def problem(self, what: str, where: str) -> None:
        self.problems.setdefault(what, []).append(where)

    def check(self, page: Any, what: str) -> None:
        page.wait_for_load_state("load")
        where = f"{page.who}: {what} ({page.url.removeprefix(self.base)})"
        self.pages.append(where)
        texts = page.evaluate(PAGE_TEXTS)
        self.controls += texts["controls"]
        expected_dir = "rtl" if self.lang == "ar" else "ltr"
        if (texts["lang"], texts["dir"]) != (self.lang, expected_dir):
            self.problem(
                f"<html lang={texts['lang']!r} dir={texts['dir']!r}>, expected "
                f"lang={self.lang!r} dir={expected_dir!r}",
                where,
            )
        results = _axe.run(
            page,
            options={
                "runOnly": {"type": "tag", "values": WCAG_TAGS},
                "resultTypes": ["violations"],
            },
        )
        for violation in results.response["violations"]:
            nodes = violation["nodes"]
            html = "; ".join(_collapse(n["html"])[:120] for n in nodes[:3])
            self.problem(
                f"axe {violation['id']} ({violation['impact']}): {violation['help']}: "
                f"{len(nodes)} node(s), e.g. {[n['target'] for n in nodes][:3]} {html}",
                where,
            )
        if self.lang != "sv":
            self._swedish_check(where, texts)

    def _swedish_check(self, where: str, texts: dict[str, Any]) -> None:
        """The catalogue's Swedish msgids shown on the page, each said once: a msgid all of
        whose pieces are on the page is found (longest first, its text then taken out, so a
        shorter msgid inside it is not found again); a piece left over is a part of a msgid."""
        body = _collapse(texts["body"])
        for marked in texts["marked"]:  # Swedish on purpose, and said so
            body = body.replace(_collapse(marked), " ")
        shown = {
            "text": body.casefold(),
            "title": _collapse(texts["title"]).casefold(),
            "attribute": _collapse(" | ".join(texts["attributes"])).casefold(),
        }
        for clock in SWEDISH_CLOCK.finditer(body):
            around = re.sub(r"\d", "#", body[max(0, clock.start() - 40) : clock.end()])
            self.problem(
                f"Swedish in the text: 'kl.' in a time of day, '…{around}' (a date format in "
                "the code or a template, not a catalogue string)",
                where,
            )
        for part, text in shown.items():
            present = {key for s in self.swedish for key in s.keys if key in text}
            if not present:
                continue
            whole = [s for s in self.swedish if all(key in present for key in s.keys)]
            # Longest first; of msgids with the same text, one not translated in the catalogue.
            whole.sort(key=lambda s: (-sum(map(len, s.keys)), s.why == WHY_TRANSLATED))
            for swedish in whole:
                if all(key in text for key in swedish.keys):
                    self.problem(f"Swedish in the {part}: {swedish.msgid!r} – {swedish.why}", where)
                    for key in swedish.keys:
                        text = text.replace(key, "\x00")
            for swedish in self.swedish:
                for key in swedish.keys:
                    if key in text:
                        self.problem(
                            f"Swedish in the {part}: {key!r}, part of {swedish.msgid!r} – "
                            f"{swedish.why}",
                            where,
                        )
                        text = text.replace(key, "\x00")

    # -- the end
    def finish(self) -> None:
        seconds = time.perf_counter() - self.started
        distinct = len(dict.fromkeys(p.rsplit(" (", 1)[0] for p in self.pages))
        print(
            f"\nJOURNEY {self.name} [{self.lang}]: {len(self.pages)} pages checked "
            f"({distinct} distinct screens), {self.controls} form controls shown, "
            f"{len(self.fields)} set "
            f"({', '.join(self.fields)}), {seconds:.1f} s"
        )
        for where in self.pages:
            print(f"  checked {where}")

    def assert_clean(self) -> None:
        """The journey's end: every problem of every page, or nothing."""
        self.asserted = True
        report = self.report()
        if report:
            pytest.fail(f"{len(report)} problem(s):\n" + "\n".join(report), pytrace=False)

    def report(self) -> list[str]:
        problems = {what: list(where) for what, where in self.problems.items()}
        for who, text, url in self.recorder.console_errors:
            if not CLIENT_ERROR.search(text):  # a 4xx is recorded (or not) from the response
                problems.setdefault(f"console error: {text} ({url})", []).append(who)
        for who, text in self.recorder.page_errors:
            problems.setdefault(f"page error: {text}", []).append(who)
        return [
            f"[{self.lang}] {what}\n      on {len(where)} page(s): " + "; ".join(where)
            for what, where in problems.items()
        ]

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(
    request: pytest.FixtureRequest,
    chromium: Any,
    live_server: Any,
    swedish_only: dict[str, tuple[Swedish, ...]],
) -> Iterator[Callable[[str], Journey]]:
    """`journey(name)`: a Journey in the test's language. The test ends with
    `assert_clean()`; when its flow breaks before, the problems found until then are printed
    with the failure."""
    made: list[Journey] = []
    lang = request.node.callspec.params["lang"]

    def make(name: str) -> Journey:
        made.append(Journey(name, lang, live_server.url, chromium, swedish_only.get(lang, ())))
        return made[-1]

    try:
        yield make
    finally:
        for one in made:
            one.finish()
            one.close()
        for one in made:  # the flow broke on the way: what was found until then
            report = [] if one.asserted else one.report()
            if report:
                print(f"\nBEFORE THE FLOW BROKE, {len(report)} problem(s):\n" + "\n".join(report))


# --- the steps shared by the journeys ----------------------------------------------------------


def start_this_month(j: Journey, page: Any, municipality_pk: int) -> None:
    """From the list: the municipality the population register knows is chosen already."""
    expect(page.get_by_label(j.t("Kommun där du bor"))).to_have_value(str(municipality_pk))
    page.get_by_role("button", name=j.containing("Börja ansökan för denna månad")).click()


def save(j: Journey, page: Any) -> None:
    j.press(page, "Spara och fortsätt")


def heading(j: Journey, page: Any, msgid: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(j.exactly(msgid))


def money_steps(j: Journey, page: Any, *, rent: str, incomes: dict[str, str] | None = None) -> None:
    """Housing → other costs → incomes → assets → payment → documents (nothing uploaded)."""
    heading(j, page, "Boende")
    j.check(page, "housing")
    j.fill(page.get_by_label(j.t("Hyra eller boendekostnad per månad (kr)")), rent)
    save(j, page)
    heading(j, page, "Andra kostnader")
    j.check(page, "other costs")
    save(j, page)
    heading(j, page, "Inkomster")
    j.check(page, "incomes")
    for label, amount in (incomes or {}).items():
        j.fill(page.get_by_label(j.t(label), exact=True), amount)
    save(j, page)
    heading(j, page, "Tillgångar")
    j.check(page, "assets")
    save(j, page)
    heading(j, page, "Vart ska pengarna betalas?")
    j.check(page, "payment")
    account = page.get_by_label(j.t("Ditt bankkonto: clearingnummer och kontonummer"))
    if account.input_value() != "6000-123456789":
        j.fill(account, BANK_ACCOUNT)
    save(j, page)
    heading(j, page, "Dokument")
    j.check(page, "documents")
    page.get_by_role("link", name=j.exactly("Fortsätt till Kontrollera dina svar")).click()
    heading(j, page, "Kontrollera dina svar")


def answer(j: Journey, page: Any, msgid: str) -> Any:
    """The value shown for `msgid` on check answers."""
    term = page.locator("dt").filter(has_text=j.exactly(msgid)).first
    return term.locator("xpath=following-sibling::dd[1]")


def declare(j: Journey, page: Any) -> None:
    j.tick(page.get_by_label(j.exactly(DECLARATION)))


def sent_and_followed(j: Journey, page: Any) -> None:
    """The confirmation page, then the status page it links to."""
    heading(j, page, "Ansökan är skickad")
    j.check(page, "sent")
    page.get_by_role("link", name=j.exactly("Följ din ansökan")).click()
    expect(page.locator("#application-status .status-now")).to_have_attribute(
        "data-status", re.compile("awaiting_caseworker|needs_manual")
    )
    j.check(page, "status")


def status_page_from_list(j: Journey, page: Any, application: Application) -> None:
    page.get_by_role("link", name=application.reference, exact=True).click()
    expect(page.locator("#application-status")).to_be_visible()


# --- 1. a single adult -------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_single_adult_applies(
    journey: Callable[[str], Journey],
    lang: str,
    trelleborg: Any,
    svedala: Any,
    caseworker: Any,
    secretary: Any,
) -> None:
    j = journey("single adult")
    page = j.phone_for("Alva")
    j.log_in(page, PNR_ALVA)
    start_this_month(j, page, trelleborg.pk)

    heading(j, page, "Ditt hushåll")
    expect(page.get_by_text(j.t("Ingen mer än du."))).to_be_visible()
    expect(page.get_by_label(j.t("Ditt namn"))).to_have_value("Alva Andersson")
    expect(
        page.get_by_label(j.exactly("Jag bor med make, maka, sambo eller registrerad partner"))
    ).not_to_be_checked()
    expect(page.get_by_label(j.exactly("Barn under 21 år bor hos mig"))).not_to_be_checked()
    j.check(page, "household")
    save(j, page)
    money_steps(j, page, rent="6 500", incomes={"Lön (efter skatt)": "1 200"})

    expect(answer(j, page, "Hyra")).to_have_text(re.compile(r"6\D?500"))
    expect(answer(j, page, "Bankkonto")).to_contain_text("6000-123456789")
    j.check(page, "check answers")
    declare(j, page)
    j.press(page, "Skicka ansökan")
    sent_and_followed(j, page)

    application = Application.objects.get()
    assert application.status != Status.DRAFT
    assert (application.rent, application.municipality_id) == (6500, trelleborg.pk)
    j.assert_clean()


# --- 2. a couple with a child, signing together ------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_couple_with_a_child_signs_together(
    journey: Callable[[str], Journey],
    lang: str,
    trelleborg: Any,
    caseworker: Any,
    secretary: Any,
) -> None:
    j = journey("couple with children, joint signing")
    bilal = j.phone_for("Bilal")
    j.log_in(bilal, PNR_BILAL)
    start_this_month(j, bilal, trelleborg.pk)

    heading(j, bilal, "Ditt hushåll")
    notice = bilal.locator(
        ".notice", has_text=j.t("Vi har hämtat ditt hushåll från folkbokföringen:")
    )
    expect(notice).to_contain_text("Carina Dahl")
    expect(notice).to_contain_text("Testa Berg")
    expect(
        bilal.get_by_label(j.exactly("Jag bor med make, maka, sambo eller registrerad partner"))
    ).to_be_checked()
    expect(bilal.get_by_label(j.exactly("Barn under 21 år bor hos mig"))).to_be_checked()
    expect(bilal.get_by_label(j.t("Ditt namn"))).to_have_value("Bilal Berg")
    j.check(bilal, "household, from the population register")
    save(j, bilal)

    heading(j, bilal, "Din partner")
    expect(bilal.get_by_label(j.t("Partnerns namn"))).to_have_value("Carina Dahl")
    j.check(bilal, "partner")
    save(j, bilal)

    heading(j, bilal, "Barn i hushållet")
    expect(bilal.get_by_label(j.t("Barnets namn")).first).to_have_value("Testa Berg")
    j.check(bilal, "children")
    save(j, bilal)
    money_steps(j, bilal, rent="8 200", incomes={"Barnbidrag": "1 250"})

    expect(answer(j, bilal, "Hyra")).to_have_text(re.compile(r"8\D?200"))
    j.check(bilal, "check answers (joint)")
    declare(j, bilal)
    j.press(bilal, "Skriv under och skicka till min partner")
    expect(bilal.locator(".notice h2")).to_have_text(j.exactly("Väntar på partnerns underskrift"))
    j.check(bilal, "check answers, waiting for the partner")
    bilal.get_by_role("link", name=j.exactly("Mina ansökningar")).click()
    expect(bilal.locator(".notice.resume h2")).to_contain_text(
        j.t("Din ansökan för %(month)s väntar på din partners underskrift").split("%(month)s")[0]
    )
    j.check(bilal, "my applications, waiting for the partner")

    application = Application.objects.get()
    assert application.status == Status.DRAFT
    carina = j.phone_for("Carina")
    j.log_in(carina, PNR_CARINA)
    joint = carina.locator(
        "li", has=carina.get_by_role("link", name=re.compile(application.reference))
    )
    expect(joint).to_contain_text(j.t("väntar på din underskrift"))
    carina.get_by_role("link", name=re.compile(application.reference)).click()
    heading(j, carina, "Skriv under ansökan")
    j.check(carina, "partner's review")
    declare(j, carina)
    j.press(carina, "Skriv under")
    expect(carina.locator(".messages")).to_contain_text(
        j.t("Du har skrivit under. Ansökan är skickad.")
    )
    expect(carina.locator("#application-status")).to_be_visible()
    j.check(carina, "partner's review, sent")

    bilal.get_by_role("link", name=j.exactly("Mina ansökningar")).click()
    expect(bilal.locator(".notice.resume")).to_have_count(0)
    j.check(bilal, "my applications, sent")
    status_page_from_list(j, bilal, application)
    expect(bilal.locator(".status-now")).not_to_have_attribute("data-status", "draft")
    j.check(bilal, "status")
    application.refresh_from_db()
    assert application.status != Status.DRAFT
    assert application.signatures.filter(signed_at__isnull=False).count() == 2
    j.assert_clean()


# --- 3. a renewal with a change ----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_renewal_with_a_new_rent(
    journey: Callable[[str], Journey],
    lang: str,
    trelleborg: Any,
    applicant: Any,
    make_draft: Callable[..., Application],
    submit: Callable[..., Application],
    decide: Callable[..., Decision],
    secretary: Any,
) -> None:
    october = submit(make_draft(applicant, month=OCTOBER))
    decide(october)
    october.refresh_from_db()
    assert october.status == Status.APPROVED

    j = journey("renewal with a change")
    page = j.phone_for("Alva")
    j.log_in(page, PNR_ALVA)
    start_this_month(j, page, trelleborg.pk)
    heading(j, page, "Har något ändrats?")
    expect(answer(j, page, "Hyra")).to_have_text(re.compile(r"6\D?000"))
    j.check(page, "has anything changed?")
    j.tick(page.get_by_label(j.t("Ja"), exact=True))
    j.press(page, "Fortsätt")

    heading(j, page, "Ditt hushåll")
    j.check(page, "household (renewal)")
    save(j, page)
    money_steps(j, page, rent="6 800")
    expect(answer(j, page, "Hyra")).to_have_text(re.compile(r"6\D?800"))
    j.check(page, "check answers (renewal)")
    declare(j, page)
    j.press(page, "Skicka ansökan")
    sent_and_followed(j, page)

    november = Application.objects.get(month=date(2026, 11, 1))
    assert (november.kind, november.previous_id, november.rent) == (
        ApplicationKind.RENEWAL,
        october.pk,
        6800,
    )
    assert november.status != Status.DRAFT
    j.assert_clean()


# --- 4. a document sent after submitting -------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_document_sent_after_submitting(
    journey: Callable[[str], Journey], lang: str, submitted_application: Application
) -> None:
    j = journey("documents after submitting")
    page = j.phone_for("Alva")
    j.log_in(page, PNR_ALVA)
    status_page_from_list(j, page, submitted_application)
    j.check(page, "status")

    j.choose(page.get_by_label(j.t("Vad visar dokumentet?")), "rent")
    upload = page.get_by_label(j.t("Välj fil eller ta ett foto"))
    upload.set_input_files(
        {"name": "hyresavi-nov.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    j.fields.append("file")
    j.press(page, "Ladda upp")
    receipt = page.locator("#documents .receipt", has_text="hyresavi-nov.pdf")
    expect(receipt).to_contain_text(j.t("Hyresavi eller hyreskontrakt"))
    expect(page.locator(".messages")).to_contain_text("hyresavi-nov.pdf")
    entry = page.locator("#timeline li.timeline-document")
    expect(entry).to_contain_text(j.t("Dokument mottaget: %(name)s") % {"name": "hyresavi-nov.pdf"})
    expect(entry).to_contain_text(j.t("Hyresavi eller hyreskontrakt"))
    j.check(page, "status, document received")

    attachment = Attachment.objects.get(application=submitted_application)
    assert (attachment.kind, attachment.original_name) == ("rent", "hyresavi-nov.pdf")
    j.assert_clean()


# --- 5. an appeal ------------------------------------------------------------------------------

APPEAL = {
    "sv": ("Hyran är 6 500 kr, inte 6 000 kr.", "Bistånd till hela hyran."),
    "en": ("My rent is 6,500 kronor, not 6,000.", "Assistance for the whole rent."),
    "ar": ("إيجاري 6500 كرونة وليس 6000.", "مساعدة للإيجار كاملاً."),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_appeal(
    journey: Callable[[str], Journey],
    lang: str,
    approved: Decision,
    submitted_application: Application,
) -> None:
    j = journey("appeal")
    page = j.phone_for("Alva")
    j.log_in(page, PNR_ALVA)
    status_page_from_list(j, page, submitted_application)
    expect(page.locator(".status-now")).to_have_attribute("data-status", "approved")
    expect(page.locator("#decision-heading")).to_have_text(j.exactly("Beslut"))
    j.check(page, "status, decided")

    page.get_by_role("link", name=j.exactly("Överklaga beslutet")).click()
    heading(j, page, "Överklaga beslutet")
    j.check(page, "appeal")
    j.press(page, "Skicka överklagandet")
    expect(error_summary(page)).to_contain_text(j.t("Skriv varför du tycker att beslutet är fel."))
    expect(error_summary(page)).to_contain_text(j.t("Skriv hur du vill att beslutet ska ändras."))
    expect(error_summary(page)).to_be_focused()
    assert not Appeal.objects.exists()
    j.check(page, "appeal, errors")

    reasons, wanted = APPEAL[lang]
    j.fill(page.get_by_label(j.t("Varför tycker du att beslutet är fel?")), reasons)
    j.fill(page.get_by_label(j.t("Hur vill du att beslutet ska ändras?")), wanted)
    j.press(page, "Skicka överklagandet")
    expect(page.locator(".panel-confirmation h2")).to_have_text(
        j.exactly("Ditt överklagande är mottaget")
    )
    expect(page.locator("dl.summary")).to_contain_text(reasons)
    j.check(page, "appeal receipt")

    page.get_by_role("link", name=j.exactly("Tillbaka till ansökan")).click()
    expect(page.locator("#timeline li.timeline-appeal")).to_contain_text(
        j.t("Överklagande mottaget")
    )
    j.check(page, "status, appealed")
    appeal = Appeal.objects.get()
    assert (appeal.decision_id, appeal.reasons) == (approved.pk, reasons)
    j.assert_clean()
