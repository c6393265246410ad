"""Every form, fuzzed (#17): Hypothesis posts generated values (empty, huge, unicode, numbers
written oddly, one value in several fields, the applicant's own personnummer where another
person's is asked for, repeated keys) to every applicant and staff form. No post may give a 5xx,
and a post the page refuses stores nothing.

The inventory comes from the URL resolver: every named pattern whose view accepts POST must have
a row in FORMS or in SKIPPED (with the reason), so a new form is fuzzed from the day it is added.
Each row says who posts (the role's fixture), what the URL names (an object made for it) and the
fields (read from the form classes, with plausible values by field kind); Hypothesis draws each
post: every field plausible, every field plausible but one (so the weird value gets past the form
to the services and the database), or every field on its own; any value may be missing, repeated
under its key, or the same as another field's.

Each example runs in a savepoint that is rolled back afterwards, so every post meets the same
case: one example cannot use up what the next needs (a submitted draft, a spent token).

"Refused" follows the app's conventions: a 4xx; a 200 from a page that redirects when it has done
what was asked (the form shown again), or, for pages that answer htmx with a partial, a bound
form with errors or the partial's error flag; a redirect with an error message (or, for the few
views that refuse silently, a redirect to the page that says nothing happened, per row). On a
refused post every project table must be as before, except the tables that record who looked or
was refused (access log, access denials, history, sessions, lockouts): those may legitimately
grow on a refusal, and are left out of the comparison (as in tests/security/conftest.py).

Whatever the answer, what a post sends to the database must be what PostgreSQL, the production
database, takes (SQLite, which this pass runs on, takes anything): no NUL character in any query
parameter or stored text, text within its column's max_length, integers within their column's
range. And numbers are stored in ASCII digits: a personnummer in Arabic-Indic digits is another
person to every comparison.

Bugs found are pinned in BUGS (strict xfails, one per form they show on); the fuzzing steers
around their triggers meanwhile.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest
from django import forms
from django.apps import apps
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from accounts.eid import DevelopmentLoginForm, EidIdentity
from accounts.identity import birth_date, normalise_personnummer
from accounts.mandates import mandate_register
from accounts.models import Mandate, Municipality, Role, SecondFactorActivation, User
from accounts.second_factor import second_factor_activation_issue
from accounts.services import applicant_get_or_create
from accounts.views import ENROLLMENT_SESSION_KEY
from caseworker.audit.log import journal_write
from caseworker.caseload.referrals import referral_acknowledge, referral_create
from caseworker.caseload.reminders import reminder_create
from caseworker.caseload.views import ReferralForm, ReminderForm
from caseworker.decisions.applicant_views import ReplyForm
from caseworker.decisions.calculation import adjustable_codes, case_calculation_load
from caseworker.decisions.pauses import communication_send, supplement_request
from caseworker.decisions.services import decision_submit
from caseworker.letters.template_views import ReasonTemplateForm
from caseworker.models import OutreachStatus, OutreachTask, Referral, SilenceSignal, StaffAlert
from caseworker.payments.views import BankAccountForm
from caseworker.workbench.forms import (
    AdjustForm,
    ChildImpactForm,
    CommunicationForm,
    HouseholdLinkForm,
    JournalForm,
    SecondApprovalForm,
    SectionForm,
    SignForm,
    SupplementForm,
    TrackForm,
)
from eligibility.models import CaseWarning, HouseholdLink
from eligibility.trial.forms import TrialCalculationForm
from intake import services as intake
from intake.documents.attachments import attachment_upload
from intake.forms import (
    AppealForm,
    AssetsForm,
    AttachmentForm,
    ChangesForm,
    ChildFormSet,
    DeclarationForm,
    FeedbackForm,
    HouseholdForm,
    HousingForm,
    IncomesForm,
    MessageForm,
    MunicipalityForm,
    OtherCostsForm,
    PartnerDeclineForm,
    PartnerForm,
    PaymentForm,
    StartForm,
)
from intake.models import Application, Attachment, MemberRole
from intake.services import registration
from intake.states import Status
from intake.views.assisted import MandateForm, PaperForm, PersonnummerForm
from intake.views.assisted import _forms as assisted_forms
from intake.views.emergency import EmergencyForm
from kernel.money import MoneyField
from meetings.changes import meeting_free_slots
from meetings.forms import MeetingNeedsForm, NeedsScreenForm, RecordForm
from meetings.models import Meeting
from meetings.needs import adult_members
from notifications.views import NotificationSettingsForm
from tests.builders import WEDNESDAY, applicant_make, case_make, warnings_acknowledge_all
from tests.conftest import PASSWORD, PNR_ALVA, PNR_BILAL, PNR_CARINA, PNR_CHILD

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

# On the suite's working Wednesday morning, from before the first fixture runs (the pages read
# today's date: the open months, deadlines, free meeting times).
pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")

TODAY = WEDNESDAY.date()


# --- the inventory: every URL that accepts POST ----------------------------------------------


def allowed_methods(view: Callable[..., Any]) -> frozenset[str] | None:
    """The methods a view answers (None: any method). Function views carry Django's
    `require_http_methods` list in a closure somewhere along their `__wrapped__` chain; class
    views have a method per verb."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return frozenset(m.upper() for m in view_class.http_method_names if hasattr(view_class, m))
    current: Any = view
    while current is not None:
        code = getattr(current, "__code__", None)
        for name, cell in zip(
            code.co_freevars if code else (), current.__closure__ or (), strict=False
        ):
            if name == "request_method_list":
                return frozenset(cell.cell_contents)
        current = getattr(current, "__wrapped__", None)
    return None


def post_url_names() -> dict[str, str]:
    """Every named URL pattern whose view accepts POST (or any method): name -> route."""
    found: dict[str, str] = {}

    def walk(patterns: Sequence[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                methods = allowed_methods(pattern.callback)
                if methods is None or "POST" in methods:
                    found.setdefault(namespace + pattern.name, prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "", "")
    return found


# POST-accepting URL names that are not fuzzed here, each with the reason.
SKIPPED: dict[str, str] = {
    # The same view at the same path as intake:step_housing (the older name): fuzzed there.
    "intake:step_costs": "alias of intake:step_housing",
    # Any method, no form: the decision letter's PDF (read-only downloads, generated from the
    # decision; tests/caseworker/letters cover them).
    "application_letter": "PDF download, no form",
    "caseworker:case_letter": "PDF download, no form",
    # A button with no fields (POST only): reveals the personnummer and logs it;
    # tests/caseworker/workbench/test_case_first_screen.py covers it.
    "caseworker:case_personnummer": "a button without fields",
    # Buttons with no fields (POST only) on the team lead's payment-files page (#18);
    # tests/caseworker/payments/test_payment_files_page.py covers them.
    "caseworker:payment_file_create": "a button without fields",
    "caseworker:payment_file_mark_sent": "a button without fields",
    # The bank's camt.054 upload (#19 item 5): a file only, refused unless it is XML the
    # hardened parser reads; tests/caseworker/payments/test_payment_returns_upload.py covers
    # non-XML, too large, malformed and hostile XML.
    "caseworker:payment_returns_upload": "a file upload, covered by its own tests",
    # BankID signing (#19 item 3): buttons with no fields (collect once, cancel) acting on the
    # signer's own order, found server-side; tests/intake/test_bankid_signing.py covers them.
    "intake:bankid_collect": "a button without fields",
    "intake:bankid_cancel": "a button without fields",
    "intake:partner_bankid_collect": "a button without fields",
    "intake:partner_bankid_cancel": "a button without fields",
    # The SMS gateway's delivery report (#19 item 4): posted by the gateway to a signed URL, not
    # a form; tests/notifications/test_sms_gateway.py posts forged, repeated and odd reports.
    "notifications:sms_delivery_report": "the gateway's callback, covered by its own tests",
}
# Django's admin is off in production (ADR 0006) and is not ours to fuzz.
SKIPPED_PREFIXES = ("admin:",)


# --- values ----------------------------------------------------------------------------------

ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

NASTY_TEXT: tuple[str, ...] = (
    "",
    " ",
    "\x00",
    "Alva\x00Andersson",
    "x" * 10_000,
    "å" * 10_000,
    "𝕏" * 10_000,  # four bytes each in UTF-8
    "مرحبا، أحتاج إلى مساعدة",  # right to left
    "\u202eevil\u202c",  # a right-to-left override
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "e\u0301\u0301\u0301\u0301",  # combining accents
    "Z̴̡̪a̷̙l̶̠g̵̱o̴̟",
    "\r\n\r\n",
    "\t",
    "\x1b[31mröd\x1b[0m",
    "<script>alert(1)</script>",
    "{{ 7|add:7 }}",
    "%(name)s %s {namn} {0} {",
    "' OR '1'='1' --",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "javascript:alert(1)",
    "None",
    "null",
    "[]",
    "on",
)
NASTY_NUMBERS: tuple[str, ...] = (
    "0",
    "-0",
    "-5",
    "1e3",
    "6.500",
    "6,500",
    "6 500,50",
    "6500,505",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1e999999999",
    "9" * 40,
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    "0x1F",
    "1_000",
    "٣",  # an Arabic-Indic digit (str.isdigit() is true)
    "²",  # a superscript two (str.isdigit() is true, int() refuses it)
    "½",
    "１２",  # full-width digits
    " 12 ",
)
NASTY_DATES: tuple[str, ...] = (
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-11",
    "18/11/2026",
    "2026-11-18T10:00",
    "1970-01-01",
)
NASTY: tuple[str, ...] = NASTY_TEXT + NASTY_NUMBERS + NASTY_DATES


def luhn(digits: str) -> str:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def personnummer_of(born: date, serial: int, coordination: bool = False) -> str:
    """A valid (checksum) personnummer, or samordningsnummer (day + 60), as 12 digits."""
    day = born.day + (60 if coordination else 0)
    nine = f"{born:%y%m}{day:02d}{serial:03d}"
    return f"{born.year // 100}{nine}{luhn(nine)}"


def written(number: str, style: str) -> str:
    """A 12-digit personnummer as people write it."""
    if style == "dash":
        return f"{number[:8]}-{number[8:]}"
    if style == "short":
        return f"{number[2:8]}-{number[8:]}"
    if style == "arabic":
        return number.translate(ARABIC_DIGITS)
    return number


# Valid personnummer, born anywhere from 1900 to 2030 (so also after the application's month).
valid_personnummer: SearchStrategy[str] = st.builds(
    written,
    st.builds(
        personnummer_of,
        st.one_of(
            st.dates(date(1900, 1, 1), date(2030, 12, 31)),
            st.dates(date(2005, 11, 1), date(2027, 12, 31)),  # around 18 and around birth
        ),
        st.integers(0, 999),
        st.booleans(),
    ),
    st.sampled_from(("plain", "dash", "short", "arabic")),
)


def pick(*values: str) -> SearchStrategy[str]:
    return st.sampled_from(values)


PERSONNUMMER: SearchStrategy[str] = st.one_of(
    pick(PNR_BILAL, PNR_CARINA, PNR_CHILD, "20170101-2393"), valid_personnummer
)
AMOUNTS = pick("6500", "6 500", "6500,50", "6 500 kr", "0", "")
DATES = pick(
    "2026-11-25",
    "2026-12-01",
    TODAY.isoformat(),
    (TODAY - timedelta(days=1)).isoformat(),
    (TODAY + timedelta(days=30)).isoformat(),
)
NEXT = pick("/ansokan/", "/handlaggare/", "//evil.example/", "https://evil.example/x")


@dataclass(frozen=True)
class Upload:
    """A file for a file field, made afresh at post time (an uploaded file is read once)."""

    name: str
    content: bytes
    content_type: str

    def file(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, self.content_type)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
UPLOADS: SearchStrategy[Upload] = st.builds(
    Upload,
    st.one_of(
        pick("hyresavi.pdf", "lönebesked.PDF", "كشف.pdf", "a" * 300 + ".pdf", ".pdf", "x"),
        st.sampled_from(NASTY_TEXT).map(lambda name: name[:500] + ".pdf"),
    ),
    st.one_of(
        st.just(PDF),
        st.just(b""),
        st.just(b"MZ\x90\x00" + b"\x00" * 60),
        st.just(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16),
        st.binary(max_size=64),
    ),
    pick("application/pdf", "image/png", "text/html", "", "application/octet-stream"),
)


def plausible(form_field: forms.Field) -> SearchStrategy[Any]:
    """Values the field would take (some of them), by its kind."""
    if isinstance(form_field, MoneyField):
        return AMOUNTS
    if isinstance(form_field, forms.FileField):
        return UPLOADS
    if isinstance(form_field, forms.BooleanField):
        return pick("on", "")
    if isinstance(form_field, forms.ChoiceField):  # also ModelChoiceField, TypedChoiceField
        choices: Iterable[tuple[Any, Any]] = form_field.choices  # type: ignore[assignment]
        values = [str(value) for value, _label in choices]
        return st.sampled_from(values or [""])
    if isinstance(form_field, forms.DateField):
        return DATES
    if isinstance(form_field, forms.IntegerField):
        return pick("1", "3", "12")
    if isinstance(form_field, forms.EmailField):
        return pick("alva@example.se", "a@b")
    return pick("Alva Andersson", "Kontrollerat i underlagen.", "Hyran är 6 000 kr.")


def form_fields(
    form: forms.BaseForm, **overrides: SearchStrategy[Any]
) -> dict[str, SearchStrategy[Any]]:
    """The form's fields under the names the page posts (with the form's prefix)."""
    return {
        form.add_prefix(name): overrides[name] if name in overrides else plausible(form_field)
        for name, form_field in form.fields.items()
    }


def formset_fields(
    formset: forms.BaseFormSet, rows: int = 3, **overrides: SearchStrategy[Any]
) -> dict[str, SearchStrategy[Any]]:
    """A formset's management form and its first `rows` forms."""
    prefix = formset.prefix
    fields: dict[str, SearchStrategy[Any]] = {
        f"{prefix}-TOTAL_FORMS": pick("0", "1", "2", "3", "10", "1001", "-1"),
        f"{prefix}-INITIAL_FORMS": pick("0", "1"),
        f"{prefix}-MIN_NUM_FORMS": pick("0"),
        f"{prefix}-MAX_NUM_FORMS": pick("1000", "10"),
    }
    for i in range(rows):
        form = formset.form(prefix=f"{prefix}-{i}")
        fields.update(form_fields(form, **overrides))
    return fields


# --- who posts what where --------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One form's page as the test meets it: where to post, as whom, and with which fields."""

    urls: tuple[str, ...]
    user: User | None
    fields: Mapping[str, SearchStrategy[Any]]
    # This form's self-references: the applicant's own personnummer, the object's own id, ...
    refs: tuple[str, ...] = ()
    # A redirect here without a success message is this view's way of refusing.
    refused_redirects: tuple[str, ...] = ()
    # Session keys the page needs (an enrolment in progress).
    session: Mapping[str, Any] = field(default_factory=dict)
    # Tables a refused post may change, beside the audit tables (each row says why).
    may_change: frozenset[str] = frozenset()
    # The page redirects when it has done what was asked: any 200 is the form shown again, a
    # refusal, even without an error on it (a form the view leaves unbound when the body is
    # empty). False for pages that answer a done htmx request with a partial.
    redirects_when_done: bool = True
    # Values only the running test knows (a TOTP code), for the known bugs' triggers.
    known: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Spec:
    name: str  # the URL name
    prepare: Callable[[World], Target]
    examples: int = 20
    read_only: bool = False  # nothing may change, whatever the answer


FORMS: dict[str, Spec] = {}


def fuzzes(
    name: str, *, variant: str = "", examples: int = 20, read_only: bool = False
) -> Callable[[Callable[[World], Target]], Callable[[World], Target]]:
    def register(prepare: Callable[[World], Target]) -> Callable[[World], Target]:
        key = f"{name}#{variant}" if variant else name
        assert key not in FORMS, key
        FORMS[key] = Spec(name, prepare, examples, read_only)
        return prepare

    return register


class World:
    """The people and cases the forms are about, each made the first time a row asks for it
    (through the suite's fixtures, so the case is submitted and assessed as in the other tests)."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self.request = request

    def fixture(self, name: str) -> Any:
        return self.request.getfixturevalue(name)

    def make(self, *names: str) -> None:
        """Make these people and cases now (the page lists them, or needs them to exist)."""
        for name in names:
            getattr(self, name)

    @cached_property
    def trelleborg(self) -> Municipality:
        return self.fixture("no_stickprov")

    @cached_property
    def svedala(self) -> Municipality:
        return self.fixture("svedala")

    @cached_property
    def applicant(self) -> User:
        return self.fixture("applicant")  # Alva

    @cached_property
    def partner(self) -> User:
        return self.fixture("other_applicant")  # Bilal

    @cached_property
    def caseworker(self) -> User:
        self.make("trelleborg")
        return self.fixture("caseworker")

    @cached_property
    def secretary(self) -> User:
        return self.fixture("secretary")

    def staff(self, username: str, role: Role) -> User:
        user: User = self.fixture("make_staff")(username, role, self.trelleborg)
        return user

    @cached_property
    def colleague(self) -> User:
        return self.staff("kollega", Role.CASEWORKER)

    @cached_property
    def second_secretary(self) -> User:
        return self.staff("sekreterare2", Role.SECRETARY)

    @cached_property
    def team_lead(self) -> User:
        return self.staff("gruppledare", Role.TEAM_LEAD)

    @cached_property
    def case(self) -> Application:
        """Alva's November application, submitted and assessed: waiting for the caseworker,
        with a meeting booked with the secretary."""
        self.make("trelleborg", "secretary")
        return self.fixture("submitted_application")

    @cached_property
    def draft(self) -> Application:
        """Alva's December application, a draft with rent (and a caseworker to receive it)."""
        self.make("caseworker")
        return self.fixture("make_draft")(self.applicant, month=date(2026, 12, 1))

    def refs(self, *extra: object) -> tuple[str, ...]:
        """Self-references: the applicant's own personnummer as people write it, and the ids
        the row names."""
        own = self.applicant.personnummer or ""
        numbers = [written(own, style) for style in ("plain", "dash", "short", "arabic")]
        return (*numbers, PNR_BILAL, *(str(value) for value in extra))


def url(name: str, *args: object, query: str = "") -> str:
    return reverse(name, args=list(args)) + query


# --- the applicant's forms -------------------------------------------------------------------


@fuzzes("intake:application_start")
def start(w: World) -> Target:
    newcomer = applicant_make("Nyfiken")  # no application yet
    w.make("trelleborg", "svedala")
    form = StartForm(municipalities=Municipality.objects.all())
    return Target(
        urls=(url("intake:application_start"),),
        user=newcomer,
        fields={
            **form_fields(form),
            "month": pick("2026-11", "2026-12", "2027-01", "2026-1", "2026-00", "1-01"),
        },
        refs=w.refs(),
        refused_redirects=(url("intake:application_list"),),
    )


def _step(name: str, form_class: type[forms.BaseForm], **overrides: SearchStrategy[Any]) -> None:
    @fuzzes(f"intake:{name}")
    def step(w: World) -> Target:
        return Target(
            urls=(url(f"intake:{name}", w.draft.pk),),
            user=w.applicant,
            fields={**form_fields(form_class(), **overrides), "action": pick("review", "")},
            refs=w.refs(w.draft.pk),
        )


_step("step_household", HouseholdForm)
_step("step_partner", PartnerForm, partner_personnummer=PERSONNUMMER)
_step("step_housing", HousingForm)
_step("step_other_costs", OtherCostsForm)
_step("step_incomes", IncomesForm)
_step("step_assets", AssetsForm)
_step("step_payment", PaymentForm, bank_account=pick("6000 123 456 789", "6000-123456789"))
_step("step_municipality", MunicipalityForm)


def _draft_with_partner(w: World) -> Application:
    """Alva's December draft with Bilal as her partner (his personnummer is taken, too)."""
    draft = w.draft
    intake.application_set_household(
        application=draft,
        applicant_name="Alva Andersson",
        others=[intake.MemberInput(MemberRole.PARTNER, "Bilal Berg", w.partner.personnummer or "")],
    )
    return draft


@fuzzes("intake:step_children")
def step_children(w: World) -> Target:
    draft = _draft_with_partner(w)
    return Target(
        urls=(url("intake:step_children", draft.pk),),
        user=w.applicant,
        fields={
            **formset_fields(ChildFormSet(prefix="children"), personnummer=PERSONNUMMER),
            "action": pick("review", ""),
        },
        refs=w.refs(draft.pk),
    )


@fuzzes("intake:autosave")
def autosave(w: World) -> Target:
    draft = _draft_with_partner(w)
    steps = ("household", "partner", "children", "housing", "incomes", "assets", "review", "x")
    return Target(
        urls=tuple(url("intake:autosave", draft.pk, step) for step in steps),
        user=w.applicant,
        fields={
            **form_fields(HouseholdForm()),
            **form_fields(PartnerForm(), partner_personnummer=PERSONNUMMER),
            **formset_fields(ChildFormSet(prefix="children"), personnummer=PERSONNUMMER),
            **form_fields(HousingForm()),
            **form_fields(IncomesForm()),
        },
        refs=w.refs(draft.pk),
        redirects_when_done=False,  # "Sparat kl. 14:32": a partial
    )


def _attachment(application: Application, by: User, name: str = "hyresavi.pdf") -> Attachment:
    return attachment_upload(
        application=application,
        kind="other",
        file=SimpleUploadedFile(name, PDF, "application/pdf"),
        uploaded_by=by,
    )


@fuzzes("intake:step_attachments")
def step_attachments(w: World) -> Target:
    return Target(
        urls=(url("intake:step_attachments", w.draft.pk),),
        user=w.applicant,
        fields=form_fields(AttachmentForm()),
        refs=w.refs(w.draft.pk),
    )


@fuzzes("intake:attachment_remove")
def attachment_remove(w: World) -> Target:
    attachment = _attachment(w.draft, w.applicant)
    return Target(
        urls=(
            url("intake:attachment_remove", w.draft.pk, attachment.pk),
            url("intake:attachment_remove", w.draft.pk, attachment.pk + 1000),
        ),
        user=w.applicant,
        fields={},
        refs=w.refs(w.draft.pk, attachment.pk),
    )


@fuzzes("intake:step_review")
def step_review(w: World) -> Target:
    return Target(
        urls=(url("intake:step_review", w.draft.pk),),
        user=w.applicant,
        fields=form_fields(DeclarationForm()),
        refs=w.refs(w.draft.pk),
    )


@fuzzes("intake:application_changes")
def application_changes(w: World) -> Target:
    return Target(
        urls=(url("intake:application_changes", w.draft.pk),),
        user=w.applicant,
        fields=form_fields(ChangesForm()),
        refs=w.refs(w.draft.pk),
    )


@fuzzes("intake:application_withdraw")
def application_withdraw(w: World) -> Target:
    return Target(
        urls=(
            url("intake:application_withdraw", w.draft.pk),
            url("intake:application_withdraw", w.case.pk),  # being handled: refused
        ),
        user=w.applicant,
        fields={},
        refs=w.refs(w.draft.pk),
    )


@fuzzes("intake:application_emergency")
def application_emergency(w: World) -> Target:
    return Target(
        urls=(
            url("intake:application_emergency", w.draft.pk),
            url("intake:application_emergency", w.case.pk),
        ),
        user=w.applicant,
        fields=form_fields(EmergencyForm()),
        refs=w.refs(w.case.pk),
    )


def _awaiting_supplement(w: World) -> Application:
    case = w.case
    supplement_request(
        application=case,
        by=w.caseworker,
        what="Hyresavin för december.",
        deadline=TODAY + timedelta(days=14),
    )
    case.refresh_from_db()
    return case


@fuzzes("intake:supplement_upload")
def supplement_upload(w: World) -> Target:
    case = _awaiting_supplement(w)
    return Target(
        urls=(url("intake:supplement_upload", case.pk),),
        user=w.applicant,
        fields=form_fields(AttachmentForm()),
        refs=w.refs(case.pk),
    )


@fuzzes("intake:supplement_send")
def supplement_send(w: World) -> Target:
    case = _awaiting_supplement(w)
    return Target(
        urls=(url("intake:supplement_send", case.pk),),
        user=w.applicant,
        fields={},
        refs=w.refs(case.pk),
    )


@fuzzes("intake:message_post")
def message_post(w: World) -> Target:
    return Target(
        urls=(url("intake:message_post", w.case.pk),),
        user=w.applicant,
        fields=form_fields(MessageForm()),
        refs=w.refs(w.case.pk),
    )


@fuzzes("intake:appeal")
def appeal(w: World) -> Target:
    case = w.fixture("approved").application
    return Target(
        urls=(url("intake:appeal", case.pk),),
        user=w.applicant,
        fields=form_fields(AppealForm()),
        refs=w.refs(case.pk),
    )


def _awaiting_partner(w: World) -> Application:
    draft = _draft_with_partner(w)
    intake.application_submit(application=draft, applicant=w.applicant)
    return draft


@fuzzes("intake:partner_sign")
def partner_sign(w: World) -> Target:
    draft = _awaiting_partner(w)
    return Target(
        urls=(url("intake:partner_sign", draft.pk),),
        user=w.partner,
        fields=form_fields(DeclarationForm()),
        refs=w.refs(draft.pk),
    )


@fuzzes("intake:partner_decline")
def partner_decline(w: World) -> Target:
    draft = _awaiting_partner(w)
    return Target(
        urls=(url("intake:partner_decline", draft.pk),),
        user=w.partner,
        fields=form_fields(PartnerDeclineForm()),
        refs=w.refs(draft.pk),
        # An invalid note sends the partner back to the page without a word.
        refused_redirects=(url("intake:partner_review", draft.pk),),
    )


def _mandate(w: World, representative: str, principal: str) -> Mandate:
    return mandate_register(
        representative_personnummer=representative,
        principal_personnummer=principal,
        kind="ombud",
        valid_from=date(2026, 11, 1),
        valid_until=None,
        document_reference="Dnr 2026/1",
        registered_by=w.caseworker,
    )


@fuzzes("intake:represented_start")
def represented_start(w: World) -> Target:
    carina = applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))
    principal = personnummer_of(date(1980, 1, 1), 123)
    mandate = _mandate(w, PNR_CARINA, principal)
    w.make("svedala")
    return Target(
        urls=(url("intake:represented_start", mandate.pk),),
        user=carina,
        fields={
            "municipality": st.sampled_from(
                [str(pk) for pk in Municipality.objects.values_list("pk", flat=True)]
            )
        },
        refs=w.refs(mandate.pk, principal),
        refused_redirects=(url("intake:represented_list"),),
    )


@fuzzes("application_communication")
def application_communication(w: World) -> Target:
    facts = ["Bostadsbidrag 2 500 kr i oktober", "Lön 0 kr"]
    communication_send(
        application=w.case, by=w.caseworker, facts=facts, reply_by=TODAY + timedelta(days=7)
    )
    return Target(
        urls=(url("application_communication", w.case.pk),),
        user=w.applicant,
        fields=form_fields(ReplyForm(facts=facts)),
        refs=w.refs(w.case.pk),
    )


@fuzzes("notifications:settings")
def notification_settings(w: World) -> Target:
    return Target(
        urls=(url("notifications:settings"),),
        user=w.applicant,
        fields=form_fields(
            NotificationSettingsForm(instance=w.applicant),
            phone=pick("070-123 45 67", "+46701234567", ""),
        ),
        refs=w.refs(),
    )


@fuzzes("accessibility")
def accessibility(w: World) -> Target:
    return Target(
        urls=(url("accessibility"),), user=None, fields=form_fields(FeedbackForm()), refs=w.refs()
    )


def _meeting(w: World) -> Meeting:
    meeting = Meeting.objects.filter(application=w.case, cancelled_at__isnull=True).first()
    assert meeting is not None, "the robot books a meeting with the secretary"
    return meeting


@fuzzes("meetings:needs_screen")
def needs_screen(w: World) -> Target:
    fields: dict[str, SearchStrategy[Any]] = {}
    for member in adult_members(w.case):
        fields.update(form_fields(NeedsScreenForm(prefix=f"m{member.pk}")))
    return Target(
        urls=(url("meetings:needs_screen", w.case.pk),),
        user=w.applicant,
        fields=fields,
        refs=w.refs(w.case.pk),
    )


@fuzzes("meetings:applicant_reschedule")
def applicant_reschedule(w: World) -> Target:
    meeting = _meeting(w)
    keys = [slot.key for slot in meeting_free_slots(meeting=meeting, today=TODAY)][:5]
    return Target(
        urls=(url("meetings:applicant_reschedule", w.case.pk, meeting.pk),),
        user=w.applicant,
        fields={"choice": st.sampled_from(keys or [""])},
        refs=w.refs(w.case.pk, meeting.pk, f"{w.secretary.pk}|{meeting.starts_at.isoformat()}"),
    )


@fuzzes("meetings:applicant_cancel")
def applicant_cancel(w: World) -> Target:
    meeting = _meeting(w)
    return Target(
        urls=(url("meetings:applicant_cancel", w.case.pk, meeting.pk),),
        user=w.applicant,
        fields={},
        refs=w.refs(w.case.pk, meeting.pk),
    )


@fuzzes("meetings:applicant_needs")
def applicant_needs(w: World) -> Target:
    meeting = _meeting(w)
    return Target(
        urls=(url("meetings:applicant_needs", w.case.pk, meeting.pk),),
        user=w.applicant,
        fields=form_fields(MeetingNeedsForm(), interpreter_language=pick("arabiska", "")),
        refs=w.refs(w.case.pk, meeting.pk),
    )


@fuzzes("eligibility:trial_calculation", examples=25, read_only=True)
def trial_calculation(w: World) -> Target:
    """The public trial calculation (no login): nothing is ever stored."""
    w.make("trelleborg")
    return Target(
        urls=(url("eligibility:trial_calculation"),),
        user=None,
        fields=form_fields(
            TrialCalculationForm(),
            month=pick("2026-11", "2026-1", "2026-12"),
            # Lunch and upper school need an age that fits: plausible is to leave them out.
            **{f"child{n}_{flag}": pick("") for n in range(1, 7) for flag in ("lunch", "school")},
            **{f"child{n}_age": pick("", "4", "12") for n in range(1, 7)},
        ),
        refs=w.refs(),
        redirects_when_done=False,  # the page with the calculation
    )


# --- logging in and out ----------------------------------------------------------------------


@fuzzes("accounts:eid_login")
def eid_login(w: World) -> Target:
    return Target(
        urls=(url("accounts:eid_login"),),
        user=None,
        fields={**form_fields(DevelopmentLoginForm(), personnummer=PERSONNUMMER), "next": NEXT},
        refs=w.refs(),
    )


@fuzzes("accounts:staff_login")
def staff_login(w: World) -> Target:
    return Target(
        urls=(url("accounts:staff_login"),),
        user=None,
        fields={
            "username": pick(w.caseworker.username, "handlaggare ", "HANDLAGGARE"),
            "password": pick(PASSWORD, ""),
            "next": NEXT,
        },
        refs=w.refs(),
    )


def _totp_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _totp_device(user: User, confirmed: bool) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=confirmed, key=random_hex(20))


@fuzzes("accounts:otp_verify")
def otp_verify(w: World) -> Target:
    device = _totp_device(w.caseworker, confirmed=True)
    token = _totp_token(device)
    return Target(
        urls=(url("accounts:otp_verify"),),
        user=w.caseworker,
        fields={"token": pick(token, f" {token} ", "000000"), "next": NEXT},
        known={"token": token},
        refs=w.refs(),
        # A wrong code counts against the device (django-otp's throttling): that is the point.
        may_change=frozenset({"otp_totp_totpdevice"}),
    )


@fuzzes("accounts:otp_enroll", variant="activation")
def otp_enroll_activation(w: World) -> Target:
    code = second_factor_activation_issue(user=w.caseworker, issued_by=None)
    return Target(
        urls=(url("accounts:otp_enroll"),),
        user=w.caseworker,
        fields={"code": pick(code, code.lower(), f"{code[:5]}-{code[5:]}", "AAAAA-AAAAA")},
        refs=w.refs(),
        # A wrong code counts against the activation (five and it is void): that is the point.
        may_change=frozenset({"accounts_secondfactoractivation"}),
    )


@fuzzes("accounts:otp_enroll", variant="token")
def otp_enroll_token(w: World) -> Target:
    second_factor_activation_issue(user=w.caseworker, issued_by=None)
    activation = SecondFactorActivation.objects.get(user=w.caseworker, used_at__isnull=True)
    device = _totp_device(w.caseworker, confirmed=False)
    token = _totp_token(device)
    return Target(
        urls=(url("accounts:otp_enroll"),),
        user=w.caseworker,
        fields={"token": pick(token, "000000"), "next": NEXT},
        known={"token": token},
        refs=w.refs(),
        session={ENROLLMENT_SESSION_KEY: {"activation": activation.pk, "device": device.pk}},
        may_change=frozenset({"otp_totp_totpdevice"}),
    )


@fuzzes("accounts:logout", examples=5)
def logout(w: World) -> Target:
    return Target(urls=(url("accounts:logout"),), user=w.applicant, fields={}, refs=w.refs())


@fuzzes("accounts:session_extend", examples=10)
def session_extend(w: World) -> Target:
    return Target(
        urls=(url("accounts:session_extend"),),
        user=w.caseworker,
        fields={"next": NEXT},
        refs=w.refs(),
    )


@fuzzes("set_language", examples=10)
def set_language(w: World) -> Target:
    return Target(
        urls=(url("set_language"),),
        user=w.applicant,
        fields={"language": pick("sv", "en", "ar", "xx"), "next": NEXT},
        refs=w.refs(),
    )


@fuzzes("accounts:home", examples=5, read_only=True)
def accounts_home(w: World) -> Target:
    return Target(urls=(url("accounts:home"),), user=w.applicant, fields={}, refs=w.refs())


# --- staff: assisted registration and mandates -----------------------------------------------


@fuzzes("assisted:register_start")
def register_start(w: World) -> Target:
    w.make("case")  # Alva has applied this month: starting hers resumes it
    return Target(
        urls=(url("assisted:register_start"),),
        user=w.caseworker,
        fields=form_fields(PersonnummerForm(), personnummer=PERSONNUMMER),
        refs=w.refs(),
    )


def _registered_draft(w: World, channel: str) -> Application:
    return registration.application_register_start(
        staff=w.caseworker, personnummer=personnummer_of(date(1985, 5, 5), 42), channel=channel
    )


@fuzzes("assisted:register_application", examples=25)
def register_application(w: World) -> Target:
    draft = _registered_draft(w, "assisted")
    fields: dict[str, SearchStrategy[Any]] = {}
    for form in assisted_forms(draft).values():
        if isinstance(form, forms.BaseFormSet):
            fields.update(formset_fields(form, personnummer=PERSONNUMMER))
        else:
            fields.update(form_fields(form, partner_personnummer=PERSONNUMMER))
    own = draft.applicant.personnummer or ""
    return Target(
        urls=(url("assisted:register_application", draft.pk),),
        user=w.caseworker,
        fields=fields,
        refs=(*w.refs(draft.pk), own, written(own, "dash"), written(own, "arabic")),
    )


@fuzzes("assisted:register_submit_paper")
def register_submit_paper(w: World) -> Target:
    draft = _registered_draft(w, "paper")
    return Target(
        urls=(url("assisted:register_submit_paper", draft.pk),),
        user=w.caseworker,
        fields=form_fields(
            PaperForm(prefix="paper"),
            received_on=pick(TODAY.isoformat(), "2026-11-01", "2026-11-19"),
        ),
        refs=w.refs(draft.pk),
    )


@fuzzes("assisted:mandate_list")
def mandate_list(w: World) -> Target:
    return Target(
        urls=(url("assisted:mandate_list"),),
        user=w.caseworker,
        fields=form_fields(
            MandateForm(),
            representative_personnummer=PERSONNUMMER,
            principal_personnummer=PERSONNUMMER,
        ),
        refs=w.refs(),
    )


@fuzzes("assisted:mandate_revoke", examples=10)
def mandate_revoke(w: World) -> Target:
    mandate = _mandate(w, PNR_CARINA, w.applicant.personnummer or "")
    return Target(
        urls=(url("assisted:mandate_revoke", mandate.pk),),
        user=w.caseworker,
        fields={},
        refs=w.refs(mandate.pk),
    )


# --- staff: the queue and the case page ------------------------------------------------------


@fuzzes("caseworker:queue", examples=15, read_only=True)
def queue(w: World) -> Target:
    w.make("case")
    return Target(
        urls=(url("caseworker:queue"), url("caseworker:queue", query="?status=all&sort=due")),
        user=w.caseworker,
        fields={"q": pick("Alva", w.case.reference, "")},
        refs=w.refs(w.case.pk),
        redirects_when_done=False,
    )


@fuzzes("caseworker:queue_assign")
def queue_assign(w: World) -> Target:
    case = w.case
    return Target(
        urls=(url("caseworker:queue_assign"), url("caseworker:queue_assign", query="?desc=1")),
        user=w.caseworker,
        fields={
            "ids": pick(str(case.pk)),
            "owner": pick(str(w.caseworker.pk), str(w.colleague.pk), str(w.secretary.pk)),
        },
        refs=w.refs(case.pk, w.caseworker.pk, w.applicant.pk),
        redirects_when_done=False,  # with htmx: the results partial, `error` when refused
    )


@fuzzes("caseworker:case_detail", examples=25)
def case_detail(w: World) -> Target:
    case = w.case
    warnings_acknowledge_all(case, w.caseworker)
    version = case_calculation_load(case).version
    return Target(
        urls=(url("caseworker:case_detail", case.pk),),
        user=w.caseworker,
        fields={
            **form_fields(
                SignForm(),
                calculation=pick(version, ""),
                months=pick("1", "2", "6"),
                provisions=pick("4 kap. 1 § SoL", "4 kap. 1 § SoL\n4 kap. 1 § SoL", ""),
            ),
            "attempt": pick("token-1", ""),
        },
        refs=w.refs(case.pk),
    )


@fuzzes("caseworker:case_return_to_robot", examples=10)
def case_return_to_robot(w: World) -> Target:
    manual = case_make(w.trelleborg, w.caseworker, status=Status.NEEDS_MANUAL)
    return Target(
        urls=(
            url("caseworker:case_return_to_robot", manual.pk),
            url("caseworker:case_return_to_robot", w.case.pk),  # not the robot's to take: refused
        ),
        user=w.caseworker,
        fields={},
        refs=w.refs(w.case.pk, manual.pk),
    )


@fuzzes("caseworker:case_warnings")
def case_warnings(w: World) -> Target:
    case = w.case
    warning = CaseWarning.objects.filter(application=case).first() or CaseWarning.objects.create(
        application=case, kind="other", key="fuzz", message="Kontrollera hyran."
    )
    return Target(
        urls=(url("caseworker:case_warnings", case.pk),),
        user=w.caseworker,
        fields={
            "warning": pick(str(warning.pk), str(warning.pk + 1000)),
            "note": pick("Kontrollerat i underlagen.", ""),
        },
        refs=w.refs(case.pk, warning.pk),
        redirects_when_done=False,  # with htmx: the partial, `warnings_error` when refused
    )


@fuzzes("caseworker:case_journal")
def case_journal(w: World) -> Target:
    entry = journal_write(application=w.case, text="Första anteckningen.", author=w.caseworker)
    return Target(
        urls=(url("caseworker:case_journal", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(JournalForm(), corrects=pick(str(entry.pk), "", str(entry.pk + 1000))),
        refs=w.refs(w.case.pk, entry.pk),
        redirects_when_done=False,  # with htmx: the partial
    )


@fuzzes("caseworker:case_calculation")
def case_calculation(w: World) -> Target:
    return Target(
        urls=(url("caseworker:case_calculation", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(AdjustForm(codes=adjustable_codes())),
        refs=w.refs(w.case.pk),
        redirects_when_done=False,  # with htmx: the partial
    )


@fuzzes("caseworker:case_section_approve", examples=15)
def case_section_approve(w: World) -> Target:
    return Target(
        urls=(url("caseworker:case_section_approve", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(SectionForm()),
        refs=w.refs(w.case.pk),
    )


@fuzzes("caseworker:case_second_approval")
def case_second_approval(w: World) -> Target:
    case = w.case
    Municipality.objects.filter(pk=case.municipality_id).update(second_approval_limit=1000)
    case.municipality.refresh_from_db()
    warnings_acknowledge_all(case, w.caseworker)
    decision_submit(
        track="work", application=case, caseworker=w.caseworker, outcome="approved", reason="Ja."
    )
    return Target(
        urls=(url("caseworker:case_second_approval", case.pk),),
        user=w.colleague,
        fields=form_fields(SecondApprovalForm()),
        refs=w.refs(case.pk),
    )


@fuzzes("caseworker:case_supplement_request")
def case_supplement_request(w: World) -> Target:
    return Target(
        urls=(url("caseworker:case_supplement_request", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(SupplementForm()),
        refs=w.refs(w.case.pk),
    )


@fuzzes("caseworker:case_supplement_received", examples=10)
def case_supplement_received(w: World) -> Target:
    case = _awaiting_supplement(w)
    return Target(
        urls=(url("caseworker:case_supplement_received", case.pk),),
        user=w.caseworker,
        fields={},
        refs=w.refs(case.pk),
    )


@fuzzes("caseworker:case_communication_send")
def case_communication_send(w: World) -> Target:
    return Target(
        urls=(url("caseworker:case_communication_send", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(
            CommunicationForm(), facts=pick("Lön 2 000 kr\nBostadsbidrag 2 500 kr", "Lön", "\n")
        ),
        refs=w.refs(w.case.pk),
    )


@fuzzes("caseworker:case_child_impact")
def case_child_impact(w: World) -> Target:
    return Target(
        urls=(url("caseworker:case_child_impact", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(ChildImpactForm()),
        refs=w.refs(w.case.pk),
    )


@fuzzes("caseworker:case_track")
def case_track(w: World) -> Target:
    return Target(
        urls=(url("caseworker:case_track", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(TrackForm()),
        refs=w.refs(w.case.pk),
    )


@fuzzes("caseworker:case_household_link")
def case_household_link(w: World) -> Target:
    case = w.case
    other = case_make(w.trelleborg, w.colleague, month=case.month)
    first, second = sorted((case.pk, other.pk))
    link = HouseholdLink.objects.create(first_id=first, second_id=second, who="registered")
    return Target(
        urls=(url("caseworker:case_household_link", case.pk),),
        user=w.caseworker,
        fields=form_fields(HouseholdLinkForm(), link=pick(str(link.pk), str(link.pk + 1000))),
        refs=w.refs(case.pk, other.pk, link.pk),
    )


@fuzzes("caseworker:case_attachment", examples=10, read_only=True)
def case_attachment(w: World) -> Target:
    attachment = _attachment(w.case, w.applicant)
    return Target(
        urls=(url("caseworker:case_attachment", w.case.pk, attachment.pk),),
        user=w.caseworker,
        fields={},
        refs=w.refs(w.case.pk, attachment.pk),
        redirects_when_done=False,  # the file
    )


@fuzzes("caseworker:payment_order_detail")
def payment_order_detail(w: World) -> Target:
    w.make("trelleborg")
    approved = w.fixture("approved")  # the applicant has no account: the order waits for one
    case = approved.application
    return Target(
        urls=(url("caseworker:payment_order_detail", case.pk),),
        user=w.caseworker,
        fields=form_fields(
            BankAccountForm(), bank_account=pick("6000-123456789", "8327-9 123 456 789-0", "1")
        ),
        refs=w.refs(case.pk),
    )


# --- staff: ownership, referrals, reminders, outreach, standard texts -------------------------


@fuzzes("caseworker:alert_resolve", examples=10)
def alert_resolve(w: World) -> Target:
    alert = StaffAlert.objects.create(
        municipality=w.trelleborg, kind="emergency", text="Akut ärende", dedupe_key="fuzz"
    )
    return Target(
        urls=(
            url("caseworker:alert_resolve", alert.pk),
            url("caseworker:alert_resolve", alert.pk + 1000),
        ),
        user=w.team_lead,
        fields={"next": NEXT},
        refs=w.refs(alert.pk),
    )


@fuzzes("caseworker:reason_template_edit")
def reason_template_edit(w: World) -> Target:
    return Target(
        urls=(
            url("caseworker:reason_template_edit", query="?kod=approved_norm"),
            url("caseworker:reason_template_edit", query="?kod=rejected_income_above_norm"),
        ),
        user=w.team_lead,
        fields=form_fields(
            ReasonTemplateForm(),
            text=pick("Du får {belopp} för {månad}.", "{okänd}", "{", "Text utan platshållare."),
            provisions=pick("4 kap. 1 § SoL", "4 kap. 1 § SoL\n\n4 kap. 1 § SoL", ""),
        ),
        refs=w.refs(),
    )


@fuzzes("caseworker:referral_new")
def referral_new(w: World) -> Target:
    w.make("colleague", "secretary")
    form = ReferralForm(municipality_id=w.trelleborg.pk, exclude=w.caseworker.pk)
    return Target(
        urls=(url("caseworker:referral_new", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(  # the social side hands over to the work side
            form, direction=pick("social_to_work"), to_owner=pick(str(w.secretary.pk))
        ),
        refs=w.refs(w.case.pk, w.caseworker.pk),
    )


def _referral(w: World) -> Referral:
    return referral_create(
        application=w.case,
        from_owner=w.caseworker,
        to_owner=w.secretary,
        direction="social_to_work",
        reason="Behöver stöd till arbete.",
    )


def _referral_action(name: str, user: Callable[[World], User]) -> None:
    @fuzzes(f"caseworker:{name}", examples=15)
    def action(w: World) -> Target:
        referral = _referral(w)
        if name == "referral_close":  # only an acknowledged referral closes
            referral = referral_acknowledge(referral=referral, by=w.secretary)
        return Target(
            urls=(url(f"caseworker:{name}", referral.pk),),
            user=user(w),
            fields={
                "note": pick("Klart.", ""),
                "to_owner": pick(str(w.second_secretary.pk), str(w.caseworker.pk)),
                "next": NEXT,
            },
            refs=w.refs(referral.pk, w.secretary.pk, w.team_lead.pk),
        )


_referral_action("referral_acknowledge", lambda w: w.secretary)
_referral_action("referral_close", lambda w: w.secretary)
_referral_action("referral_reassign", lambda w: w.team_lead)


@fuzzes("caseworker:reminder_new")
def reminder_new(w: World) -> Target:
    return Target(
        urls=(url("caseworker:reminder_new", w.case.pk),),
        user=w.caseworker,
        fields=form_fields(ReminderForm()),
        refs=w.refs(w.case.pk),
    )


@fuzzes("caseworker:reminder_done", examples=10)
def reminder_done(w: World) -> Target:
    reminder = reminder_create(
        application=w.case, by=w.caseworker, due_on=TODAY, text="Ring hyresvärden."
    )
    return Target(
        urls=(url("caseworker:reminder_done", reminder.pk),),
        user=w.caseworker,
        fields={"next": NEXT},
        refs=w.refs(reminder.pk),
    )


@fuzzes("caseworker:outreach_done")
def outreach_done(w: World) -> Target:
    case = w.case
    signal = SilenceSignal.objects.create(
        trigger="no_reapplication",
        applicant=w.applicant,
        month=case.month,
        application=case,
        municipality=w.trelleborg,
    )
    task = OutreachTask.objects.create(
        signal=signal,
        application=case,
        municipality=w.trelleborg,
        assigned_to=w.caseworker,
        text="Ring",
        due_at=WEDNESDAY + timedelta(days=5),
    )
    return Target(
        urls=(url("caseworker:outreach_done", task.pk),),
        user=w.caseworker,
        fields={
            "status": st.sampled_from(OutreachStatus.values),
            "note": pick("Hon svarade inte.", ""),
            "next": NEXT,
        },
        refs=w.refs(task.pk),
    )


def _read_only_page(name: str, user: Callable[[World], User]) -> None:
    """Pages that answer any method and read no form: a POST is read as a GET."""

    @fuzzes(name, examples=5, read_only=True)
    def page(w: World) -> Target:
        w.make("case")
        return Target(
            urls=(url(name),),
            user=user(w),
            fields={"manad": DATES},
            refs=w.refs(),
            redirects_when_done=False,
        )


_read_only_page("caseworker:dashboard", lambda w: w.team_lead)
_read_only_page("caseworker:statistics", lambda w: w.team_lead)
_read_only_page("caseworker:statistics_export", lambda w: w.team_lead)
_read_only_page("caseworker:reason_templates", lambda w: w.team_lead)
_read_only_page("caseworker:referral_list", lambda w: w.caseworker)


# --- staff: meetings -------------------------------------------------------------------------


@fuzzes("meetings:meeting_detail")
def meeting_detail(w: World) -> Target:
    meeting = _meeting(w)
    # Begun an hour ago: attendance can be recorded (before the start only "cancelled" can).
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=WEDNESDAY - timedelta(hours=1))
    meeting.refresh_from_db()
    return Target(
        urls=(url("meetings:meeting_detail", meeting.pk),),
        user=meeting.secretary,
        fields=form_fields(RecordForm(meeting=meeting)),
        refs=w.refs(meeting.pk, w.case.pk),
    )


@fuzzes("meetings:feed_settings", examples=10)
def feed_settings(w: World) -> Target:
    return Target(
        urls=(url("meetings:feed_settings"),),
        user=w.secretary,
        fields={"action": pick("create", "revoke", "")},
        refs=w.refs(),
        redirects_when_done=False,  # "create" shows the new link
    )


# --- the post, the answer, the database ------------------------------------------------------


@dataclass(frozen=True)
class Post:
    url: str
    data: Mapping[str, tuple[Any, ...]]
    htmx: bool

    def encoded(self) -> dict[str, list[Any]]:
        return {
            key: [value.file() if isinstance(value, Upload) else value for value in values]
            for key, values in self.data.items()
        }


# Keys a page does not ask for (mass assignment is tests/security/test_forms_and_uploads.py's).
EXTRA_KEYS = ("status", "amount", "owner", "applicant", "pk", "id", "decided_by")


# The nastiest, drawn more often than the rest.
NASTIEST: tuple[str, ...] = (
    "",
    "Alva\x00Andersson",
    "x" * 10_000,
    "مرحبا، أحتاج إلى مساعدة",
    "👩‍👩‍👧‍👦🏳️‍🌈",
    "9" * 40,
    "-5",
    "²",
)


def weird(refs: Sequence[str]) -> SearchStrategy[Any]:
    """Nasty text, a number written oddly, a self-reference or arbitrary text."""
    options: list[SearchStrategy[Any]] = [st.sampled_from(NASTIEST), st.sampled_from(NASTY)]
    if refs:
        options.append(st.sampled_from(refs))
    options.append(st.text(max_size=20))
    return st.one_of(options)


def any_value(good: SearchStrategy[Any], refs: Sequence[str]) -> SearchStrategy[Any]:
    """Half the time a plausible value (Hypothesis shrinks towards it), else a weird one."""
    return st.one_of(good, weird(refs))


@st.composite
def posts(draw: st.DrawFn, target: Target) -> Post:
    """One post: every field plausible; or every field plausible but one (so the weird value
    reaches the code behind a valid form: the services, the database); or every field drawn on
    its own. A value may be missing, the same as another field's, or its key repeated."""
    refs = target.refs
    keys = list(target.fields)
    shared = draw(st.one_of(*target.fields.values(), weird(refs)), label="shared")
    mode = draw(st.sampled_from(("all good but one", "all good", "chaos")), label="mode")
    bad = draw(st.sampled_from(keys), label="bad") if mode == "all good but one" and keys else None
    data: dict[str, tuple[Any, ...]] = {}
    for key, good in target.fields.items():
        if mode != "chaos" and key != bad:
            how = draw(st.sampled_from(("good",) * 7 + ("missing",)), label=key)
        else:
            how = draw(st.sampled_from(("one", "missing", "shared", "repeated")), label=key)
        if how == "good":
            data[key] = (draw(good, label=key),)
        elif how == "one":
            data[key] = (draw(any_value(good, refs) if bad is None else weird(refs), label=key),)
        elif how == "shared":  # the same value in several fields
            data[key] = (shared,)
        elif how == "repeated":  # the key twice or three times (a QueryDict list)
            data[key] = tuple(draw(st.lists(any_value(good, refs), min_size=2, max_size=3)))
    if mode == "chaos":
        for key in draw(st.lists(st.sampled_from(EXTRA_KEYS), max_size=2, unique=True)):
            data[key] = (draw(any_value(st.sampled_from(refs or ("1",)), refs)),)
    return Post(draw(st.sampled_from(target.urls)), data, draw(st.booleans(), label="htmx"))


# Tables that record who looked or was refused: they may grow on a refused request (as in
# tests/security/conftest.py's database_fingerprint).
AUDIT_TABLE_HINTS = ("accesslog", "accessdenial", "historical", "axes", "session")
SNAPSHOT_APPS = (
    "accounts",
    "intake",
    "eligibility",
    "caseworker",
    "meetings",
    "notifications",
    "operations",
    "otp_totp",
)
VOLATILE = {("accounts_user", "last_login")}  # set by logging the test's client in
POSTGRES = BaseDatabaseOperations.integer_field_ranges


@dataclass(frozen=True)
class Table:
    name: str
    pk: str
    columns: tuple[tuple[str, models.Field[Any, Any]], ...]


def tables() -> list[Table]:
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.app_label not in SNAPSHOT_APPS or meta.proxy or not meta.managed:
            continue
        if any(hint in meta.db_table for hint in AUDIT_TABLE_HINTS):
            continue
        columns = tuple(
            (f.column, f) for f in meta.concrete_fields if (meta.db_table, f.column) not in VOLATILE
        )
        found.append(Table(meta.db_table, meta.pk.column, columns))
    return found


Snapshot = dict[str, dict[Any, tuple[Any, ...]]]


def snapshot(all_tables: list[Table]) -> Snapshot:
    state: Snapshot = {}
    with connection.cursor() as cursor:
        for table in all_tables:
            names = ", ".join(f'"{column}"' for column, _f in table.columns)
            cursor.execute(f'SELECT {names} FROM "{table.name}"')  # noqa: S608 - our own names
            pk_index = [column for column, _f in table.columns].index(table.pk)
            state[table.name] = {row[pk_index]: tuple(row) for row in cursor.fetchall()}
    return state


def changes(before: Snapshot, after: Snapshot, ignore: frozenset[str] = frozenset()) -> list[str]:
    said = []
    for name, rows in after.items():
        if name in ignore or rows == before[name]:
            continue
        old = before[name]
        added = sorted(set(rows) - set(old), key=str)
        removed = sorted(set(old) - set(rows), key=str)
        changed = sorted((pk for pk in rows if pk in old and rows[pk] != old[pk]), key=str)
        said.append(f"{name}: added {added[:5]}, removed {removed[:5]}, changed {changed[:5]}")
    return said


def unstorable(before: Snapshot, after: Snapshot, all_tables: list[Table]) -> list[str]:
    """What a post wrote that should not be stored: values PostgreSQL would refuse (a 500
    there, stored here), and numbers stored in other digits than ASCII ("٢٠٠٣..." or full-width
    "２００３..."): a personnummer so written is another person to every comparison (the
    applicant her own partner, a second account, a mandate for oneself), a bank account so
    written goes into the bank's payment file."""
    problems = []
    for table in all_tables:
        old = before[table.name]
        for pk, row in after[table.name].items():
            if old.get(pk) != row:
                for (column, model_field), value in zip(table.columns, row, strict=True):
                    said = value_problem(column, model_field, value)
                    if said:
                        problems.append(f"{table.name}.{column} (pk {pk}): {said}")
    return problems


def value_problem(column: str, model_field: models.Field[Any, Any], value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        bounds = POSTGRES.get(model_field.get_internal_type())
        return f"{value} out of range" if bounds and not bounds[0] <= value <= bounds[1] else ""
    if not isinstance(value, str):
        return ""
    if "\x00" in value or (isinstance(model_field, models.JSONField) and "\\u0000" in value):
        return "a NUL character"
    limit = getattr(model_field, "max_length", None)
    if isinstance(model_field, models.CharField) and limit and len(value) > limit:
        return f"{len(value)} characters, max {limit}"
    if column.endswith("personnummer") and value:
        plain = len(value) == 12 and value.isascii() and value.isdigit()
        return "" if plain else f"personnummer {value!r}"
    if column in ("bank_account", "clearing", "account") and not value.isascii():
        return f"bank account {value!r}"
    return ""


def form_errors(value: Any) -> bool:
    """A bound form or formset with errors, anywhere in one context value."""
    if isinstance(value, forms.BaseFormSet):
        return value.is_bound and (any(value.errors) or bool(value.non_form_errors()))
    if isinstance(value, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    if isinstance(value, (list, tuple)):
        return any(form_errors(item) for item in value[:50])
    return False


def refused(response: TestResponse, target: Target) -> bool:
    """Did the page refuse the post (by the app's conventions)?"""
    status = response.status_code
    if status >= 400:
        return True
    if status == 200:
        if target.redirects_when_done:
            return True
        for context in response.context or []:
            for layer in getattr(context, "dicts", [context]):
                for key, value in layer.items():
                    if key in ("not_saved", "warnings_error", "error") and value:
                        return True
                    if form_errors(value):
                        return True
        return False
    if 300 <= status < 400:
        levels = [m.level for m in get_messages(response.wsgi_request)]
        if any(level >= message_levels.WARNING for level in levels):
            return True
        location = urlsplit(response["Location"]).path
        success = any(level == message_levels.SUCCESS for level in levels)
        return location in target.refused_redirects and not success
    return False


class NulInQueries:
    """Notes every SQL parameter with a NUL character: PostgreSQL refuses such a string in any
    query (a 500 there), SQLite takes it."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        rows = params if many else [params]
        for row in rows or []:
            values = row.values() if isinstance(row, Mapping) else row or ()
            for value in values:
                if isinstance(value, str) and "\x00" in value:
                    self.seen.append(f"{sql[:60]}... with {value[:40]!r}")
        return execute(sql, params, many, context)


def post_once(spec: Spec, target: Target, post: Post, all_tables: list[Table]) -> None:
    """One post, in a savepoint rolled back afterwards: the next example meets the same case."""
    with transaction.atomic():
        client = Client()
        if target.user is not None:
            client.force_login(target.user)
        if target.session:
            session = client.session
            session.update(target.session)
            session.save()
        before = snapshot(all_tables)
        headers = {"HX-Request": "true", "HX-Target": "queue-results"} if post.htmx else {}
        nul = NulInQueries()
        with connection.execute_wrapper(nul):
            response = client.post(post.url, post.encoded(), headers=headers)
        assert response.status_code < 500, f"{post.url}: {response.status_code}"
        assert nul.seen == [], "a NUL character reached the database: a 500 on PostgreSQL"
        after = snapshot(all_tables)
        assert unstorable(before, after, all_tables) == []
        if spec.read_only or refused(response, target):
            ignore = frozenset() if spec.read_only else target.may_change
            assert changes(before, after, ignore) == [], (
                f"{post.url} answered {response.status_code}, refused, yet stored a change"
            )
        transaction.set_rollback(True)


# --- bugs the fuzzing found (#17), fixed ------------------------------------------------------
#
# Each bug the fuzzing found is pinned by the input that showed it, posted to each form it
# showed on by test_a_bug_the_fuzzing_found_stays_fixed. While a bug was open its test was a
# strict xfail and the fuzzing steered around its trigger (`avoid`, kept for the next one found:
# `steered`); all eight are fixed, so nothing is steered.


@dataclass(frozen=True)
class Trigger:
    """The post that shows a bug on one form (to the target's `url`-th URL)."""

    data: Mapping[str, tuple[str, ...] | None]  # None: the target's known value
    url: int = 0

    def post(self, target: Target) -> Post:
        data = {
            key: (target.known[key],) if values is None else values
            for key, values in self.data.items()
        }
        return Post(target.urls[self.url], data, htmx=False)


@dataclass(frozen=True)
class Bug:
    reason: str
    triggers: Mapping[str, Trigger]  # FORMS key -> the post that shows it there
    avoid: Callable[[dict[str, tuple[Any, ...]]], dict[str, tuple[Any, ...]]]


def _next_with_a_slash(data: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """A `next` without "/" or "." is read by redirect() as a URL name (see BUGS["next"])."""
    if "next" in data:
        data["next"] = tuple(
            f"/{value}" if isinstance(value, str) and not {"/", "."} & set(value) else value
            for value in data["next"]
        )
    return data


def _digits_only(key: str) -> Callable[[dict[str, tuple[Any, ...]]], dict[str, tuple[Any, ...]]]:
    """Only ASCII digits in this field (a view that hands it to the database unchecked)."""

    def avoid(data: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
        if key in data:
            data[key] = tuple(
                value if isinstance(value, str) and value.isascii() and value.isdigit() else "0"
                for value in data[key]
            )
        return data

    return avoid


def _int_refuses(value: Any) -> bool:
    """str.isdigit() says yes, int() says no: "²", "①"."""
    if not isinstance(value, str) or not value.isdigit():
        return False
    try:
        int(value)
    except ValueError:
        return True
    return False


def _no_superscripts(data: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """No "²" where the view trusts str.isdigit() (see BUGS["isdigit-is-not-int"])."""
    for key in ("ids", "owner"):
        if key in data:
            data[key] = tuple("x" if _int_refuses(value) else value for value in data[key])
    return data


def _no_nul(data: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """No NUL in the fields a view reads raw (see BUGS["nul-reaches-postgresql"])."""
    for key in ("q", "note"):
        if key in data:
            data[key] = tuple(
                value.replace("\x00", "") if isinstance(value, str) else value
                for value in data[key]
            )
    return data


def _ascii_digits(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return "".join(str(unicodedata.digit(ch)) if ch.isdigit() else ch for ch in value)


def _ascii_bank_account(data: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """Bank accounts in ASCII digits (see BUGS["bank-account-digits"])."""
    if "bank_account" in data:
        data["bank_account"] = tuple(_ascii_digits(value) for value in data["bank_account"])
    return data


def _ascii_personnummer(data: dict[str, tuple[Any, ...]]) -> dict[str, tuple[Any, ...]]:
    """Personnummer fields in ASCII digits, born by the application's month (see BUGS)."""
    for key in data:
        if "personnummer" in key:
            data[key] = tuple(_plain_and_born(value) for value in data[key])
    return data


def _plain_and_born(value: Any) -> Any:
    if not isinstance(value, str):
        return value

    value = _ascii_digits(value)
    try:
        born = birth_date(normalise_personnummer(value))
    except (ValueError, ValidationError):
        return value
    return PNR_CHILD if born > date(2026, 11, 1) else value


NEXT_FORMS = (
    "accounts:eid_login",  # after a successful login
    "accounts:session_extend",
    "caseworker:alert_resolve",
    "caseworker:referral_acknowledge",
    "caseworker:referral_close",
    "caseworker:referral_reassign",
    "caseworker:reminder_done",
    "caseworker:outreach_done",
)
ARABIC_ALVA = written(PNR_ALVA, "arabic")
ARABIC_ACCOUNT = "6000-123456789".translate(ARABIC_DIGITS)
NO_CHILDREN = {"children-TOTAL_FORMS": ("0",), "children-INITIAL_FORMS": ("0",)}
BORN_LATER = personnummer_of(date(2027, 3, 1), 12)  # after the application's month

BUGS: dict[str, Bug] = {
    "next": Bug(
        reason=(
            "a `next` without '/' or '.' (e.g. 'x', or a personnummer) passes "
            "url_has_allowed_host_and_scheme as a relative URL and is handed to "
            "django.shortcuts.redirect(), which reads it as a URL name: NoReverseMatch, HTTP 500 "
            "(caseworker.caseload.views._back; accounts.views session_extend, eid_login, "
            "otp_verify and otp_enroll via accounts.security.safe_next)"
        ),
        triggers={
            **{key: Trigger({"next": ("x",), "personnummer": (PNR_BILAL,)}) for key in NEXT_FORMS},
            # after a right code (accounts.views.otp_verify and otp_enroll: redirect(next_url))
            "accounts:otp_verify": Trigger({"next": ("x",), "token": None}),
            "accounts:otp_enroll#token": Trigger({"next": ("x",), "token": None}),
        },
        avoid=_next_with_a_slash,
    ),
    "represented-start-municipality": Bug(
        reason=(
            "intake:represented_start filters Municipality by the raw POST value: an empty or "
            "non-numeric `municipality` raises ValueError (\"Field 'id' expected a number but "
            "got ''\"), HTTP 500, instead of the page's 'Det gick inte att starta en ansökan.'"
        ),
        triggers={"intake:represented_start": Trigger({"municipality": ("",)})},
        avoid=_digits_only("municipality"),
    ),
    "referral-reassign-to-owner": Bug(
        reason=(
            "caseworker:referral_reassign filters User by the raw POST value: a non-numeric "
            "`to_owner` (' ', 'x') raises ValueError (\"Field 'id' expected a number but got "
            "' '\"), HTTP 500, instead of the page's 'Välj en mottagare.' "
            "(caseworker.caseload.views._referral_action)"
        ),
        triggers={"caseworker:referral_reassign": Trigger({"to_owner": (" ",)})},
        avoid=_digits_only("to_owner"),
    ),
    "nul-reaches-postgresql": Bug(
        reason=(
            "text read straight from request.POST, not through a form field (which refuses a "
            "NUL character), goes to the database with its NUL: PostgreSQL refuses such a "
            "string in any query, HTTP 500 in production (SQLite takes it): the queue's search "
            "`q` (caseworker.workbench.queue_views.queue), the `note` of referral_close (stored "
            "in Referral.close_note and the journal) and of outreach_done (OutreachTask.note)"
        ),
        triggers={
            "caseworker:queue": Trigger({"q": ("Alva\x00Andersson",)}),
            "caseworker:referral_close": Trigger({"note": ("Klart\x00",)}),
            "caseworker:outreach_done": Trigger({"status": ("reached",), "note": ("Nådd\x00",)}),
        },
        avoid=_no_nul,
    ),
    "isdigit-is-not-int": Bug(
        reason=(
            "caseworker:queue_assign keeps `owner` and `ids` values that pass str.isdigit() and "
            "then calls int() on them: '²' (a superscript two) is a digit to isdigit() but not "
            "to int(): ValueError, HTTP 500 (caseworker.workbench.queue_views.queue_assign)"
        ),
        triggers={"caseworker:queue_assign": Trigger({"owner": ("²",)})},
        avoid=_no_superscripts,
    ),
    "child-born-after-the-month": Bug(
        reason=(
            "a child whose personnummer says they are born after the application's month gets "
            "a negative age; HouseholdMember.age is a PositiveSmallIntegerField, so the insert "
            "fails its CHECK constraint: IntegrityError, HTTP 500 (intake.services.drafts."
            "application_set_household checks partner >= 18 and child < 21, not age >= 0)"
        ),
        triggers={
            "intake:step_children": Trigger(
                {
                    **NO_CHILDREN,
                    "children-TOTAL_FORMS": ("1",),
                    "children-0-name": ("Ofödd",),
                    "children-0-personnummer": (BORN_LATER,),
                }
            ),
            "intake:autosave": Trigger(
                {
                    **NO_CHILDREN,
                    "children-TOTAL_FORMS": ("1",),
                    "children-0-name": ("Ofödd",),
                    "children-0-personnummer": (BORN_LATER,),
                },
                url=2,  # /spara/children/
            ),
            "assisted:register_application": Trigger(
                {
                    "name-applicant_name": ("Sökande",),
                    "children-TOTAL_FORMS": ("1",),
                    "children-INITIAL_FORMS": ("0",),
                    "children-0-name": ("Ofödd",),
                    "children-0-personnummer": (BORN_LATER,),
                }
            ),
        },
        avoid=_ascii_personnummer,
    ),
    "bank-account-digits": Bug(
        reason=(
            "accounts.models.users.bank_account_parts takes any character str.isdigit() "
            "accepts: a bank account in Arabic-Indic or full-width digits ('٦٠٠٠-١٢٣٤٥٦٧٨٩') "
            "passes the banks' check and is stored so, on the applicant and on the payment "
            "order, for the bank's pain.001 file"
        ),
        triggers={
            "intake:step_payment": Trigger({"bank_account": (ARABIC_ACCOUNT,)}),
            "caseworker:payment_order_detail": Trigger({"bank_account": (ARABIC_ACCOUNT,)}),
        },
        avoid=_ascii_bank_account,
    ),
    "personnummer-digits": Bug(
        reason=(
            "accounts.identity.normalise_personnummer accepts a personnummer written in other "
            "digits (Arabic-Indic '٢٠٠٣٠٦٠٦٢٣٨١', full-width) and stores it so: the applicant's "
            "own number is accepted as her partner, eID login with it makes a second account "
            "for the same person, a mandate can name one person as both representative and "
            "principal"
        ),
        triggers={
            "intake:step_partner": Trigger(
                {"partner_name": ("Alva",), "partner_personnummer": (ARABIC_ALVA,)}
            ),
            "intake:autosave": Trigger(
                {"partner_name": ("Alva",), "partner_personnummer": (ARABIC_ALVA,)}, url=1
            ),
            "intake:step_children": Trigger(
                {
                    **NO_CHILDREN,
                    "children-TOTAL_FORMS": ("1",),
                    "children-0-name": ("Testa",),
                    "children-0-personnummer": (written(PNR_CHILD, "arabic"),),
                }
            ),
            "assisted:register_application": Trigger(
                {
                    **NO_CHILDREN,
                    "name-applicant_name": ("Sökande",),
                    "name-has_partner": ("on",),
                    "partner-partner_name": ("Bilal",),
                    "partner-partner_personnummer": (written(PNR_BILAL, "arabic"),),
                }
            ),
            "accounts:eid_login": Trigger({"personnummer": (written(PNR_BILAL, "arabic"),)}),
            "assisted:register_start": Trigger(
                {"personnummer": (written(PNR_CARINA, "arabic"),), "channel": ("assisted",)}
            ),
            "assisted:mandate_list": Trigger(
                {
                    "representative_personnummer": (written(PNR_CARINA, "arabic"),),
                    "principal_personnummer": (PNR_CARINA,),
                    "kind": ("ombud",),
                    "valid_from": ("2026-11-18",),
                    "document_reference": ("Dnr 2026/7",),
                }
            ),
        },
        avoid=_ascii_personnummer,
    ),
}


def steered(key: str, post: Post) -> Post:
    data = dict(post.data)
    for bug in BUGS.values():
        if key in bug.triggers:
            data = bug.avoid(data)
    return Post(post.url, data, post.htmx)


# --- the tests -------------------------------------------------------------------------------


def test_every_url_that_accepts_a_post_is_fuzzed_or_skipped_with_a_reason() -> None:
    names = post_url_names()
    covered = {spec.name for spec in FORMS.values()}
    missing = sorted(
        name
        for name in names
        if name not in covered and name not in SKIPPED and not name.startswith(SKIPPED_PREFIXES)
    )
    assert missing == [], "add a row to FORMS (or, with the reason, to SKIPPED)"
    assert sorted(name for name in covered | set(SKIPPED) if name not in names) == [], (
        "a row names a URL that no longer accepts POST"
    )
    assert {key for bug in BUGS.values() for key in bug.triggers} <= set(FORMS)


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=min(examples, settings().max_examples),  # fewer in the `fast` profile
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.mark.sweep  # every form of the site: `make test`'s SQLite pass, not `make test-fast`
@pytest.mark.django_db
@pytest.mark.parametrize("key", list(FORMS))
def test_a_fuzzed_post_never_fails_and_a_refused_one_stores_nothing(
    key: str, request: pytest.FixtureRequest
) -> None:
    spec = FORMS[key]
    target = spec.prepare(World(request))
    all_tables = tables()

    @fuzz_settings(spec.examples)
    @given(post=posts(target))
    def fuzz(post: Post) -> None:
        post_once(spec, target, post, all_tables)  # the bugs in BUGS are fixed: not steered

    fuzz()


def _fixed_bugs() -> Iterator[Any]:
    for name, bug in BUGS.items():
        for key in bug.triggers:
            yield pytest.param(name, key, id=f"{name}-{key}")


@pytest.mark.django_db
@pytest.mark.parametrize(("bug", "key"), list(_fixed_bugs()))
def test_a_bug_the_fuzzing_found_stays_fixed(
    bug: str, key: str, request: pytest.FixtureRequest
) -> None:
    spec = FORMS[key]
    target = spec.prepare(World(request))
    post_once(spec, target, BUGS[bug].triggers[key].post(target), tables())
