"""#19 item 3 in the browser: signing the application with BankID against the BankID simulator
(RP API v6 over mutual TLS, `demo.simulators.bankid`).

- The applicant presses the review page's button, gets the BankID page with the animated QR code
  (it changes within two seconds) and the link that opens BankID on this device, and the page
  goes on by itself when BankID says complete, to the receipt and the status page showing
  "Underskriven med BankID". In Swedish, English and Arabic, at 360 and 1366 px: axe-core (WCAG
  2.1 A and AA) finds nothing, no page scrolls sideways, no Swedish left in en/ar pages, and on a
  360 px phone the QR code and the autostart link are on the first screen.
- A cancel in the BankID app: the review page says so and one can try again; "Avbryt" on the page
  cancels the order at BankID.
- A double click on the send button starts one order only.
- Without JavaScript, "Jag har signerat" asks BankID and the application is sent.
- The partner's BankID page (a joint application).
- The signature line on the caseworker's case page and the notice lines on the applicant's status
  page fit a 360 px phone.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import LazySettings
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.eid import EidIdentity
from accounts.models import User
from accounts.services import applicant_get_or_create
from demo.simulators.bankid import BankIdSimulator
from demo.simulators.https import Fault
from demo.simulators.pki import Pki
from intake import services
from intake.models import Application, Signature, SignatureMethod, SigningOrder
from intake.states import Status
from notifications.models import DeliveryChannel, Notification, NotificationKind, NotificationStatus
from tests.builders import client_for
from tests.conftest import PASSWORD, PNR_ALVA, PNR_CARINA

from .browser import settled_width
from .test_journeys_languages import Journey, swedish_catalogue

pytestmark = [
    pytest.mark.as_of("2026-11-18T10:00"),
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.usefixtures("transactional_db"),
]

SCREENS: dict[int, dict[str, Any]] = {
    1366: {"viewport": {"width": 1366, "height": 768}},
    360: {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}
LANGUAGES = ("sv", "en", "ar")
DECLARATION = (
    "Jag intygar att uppgifterna är riktiga och fullständiga, och att jag meddelar ändringar."
)
HINTS = (
    "Starta BankID-appen och skanna QR-koden, eller öppna BankID på den här enheten.",
    "Söker efter BankID. Det kan ta en liten stund.",
    "Skriv in din säkerhetskod i BankID-appen och välj Skriv under. "
    "Läs texten i appen innan du skriver under.",
)
# The simulator keeps an order pending as long as the test wants: it finishes on the next
# collect once `pending_collects` is lowered to 0.
FOREVER = 10**6


# --- the BankID simulator, configured for the live server ----------------------------------------


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return Pki.create(tmp_path_factory.mktemp("bankid-pki"))


@pytest.fixture
def bankid(pki: Pki, settings: LazySettings) -> Iterator[BankIdSimulator]:
    """BankID on loopback. The live server runs in this process and reads the settings on each
    request (`get_signing_provider`, `BankIdClient.from_settings`), so pytest-django's `settings`
    reaches it."""
    with BankIdSimulator(pki) as sim:
        assert isinstance(sim, BankIdSimulator)
        sim.pending_collects = FOREVER
        settings.SIGNING_PROVIDER = "accounts.bankid.BankIdSigning"
        settings.BANKID_URL = f"{sim.url}/rp/v6.0"
        settings.BANKID_CLIENT_CERT = str(pki.client.cert)
        settings.BANKID_CLIENT_KEY = str(pki.client.key)
        settings.BANKID_CA_FILE = str(pki.ca.cert)
        settings.BANKID_TIMEOUT_SECONDS = 3.0
        yield sim


def sign_requests(sim: BankIdSimulator) -> list[Any]:
    return [r for r in sim.requests if r.path == "/rp/v6.0/sign"]


@pytest.fixture
def draft(make_draft: Callable[..., Application], applicant: User, caseworker: User) -> Application:
    return make_draft(applicant)


# --- people in a language, at a width --------------------------------------------------------


@pytest.fixture
def journey(chromium: Any, live_server: Any) -> Iterator[Callable[[str, str], Journey]]:
    """`journey(lang, name)`: the languages journeys' page checks (axe, <html lang dir>, no
    Swedish in en/ar) with their report; the test ends with `assert_clean()`."""
    made: list[Journey] = []

    def make(lang: str, name: str) -> Journey:
        swedish = swedish_catalogue().get(lang, ())
        made.append(Journey(name, lang, live_server.url, chromium, swedish))
        return made[-1]

    try:
        yield make
    finally:
        for one in made:
            one.finish()
            one.close()
            report = [] if one.asserted else one.report()
            if report:
                print(f"\nBEFORE THE FLOW BROKE, {len(report)} problem(s):\n" + "\n".join(report))


def screen_for(j: Journey, who: str, width: int, **options: Any) -> Any:
    """A page at `width` whose language is chosen already (the cookie the header's switcher
    sets); HTTP errors, console and script errors are recorded in the journey."""
    context = j.chromium.new_context(
        locale="sv-SE", timezone_id="Europe/Stockholm", **SCREENS[width], **options
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": j.lang, "url": j.base}]
    )
    j.contexts.append(context)
    j.recorder.attach(context, who)

    def on_response(response: Any) -> None:
        if response.status >= 400:
            j.problem(f"HTTP {response.status}", f"{who}: {response.url}")

    context.on("response", on_response)
    page = context.new_page()
    page.who = who
    page.width = width
    return page


def log_in(page: Any, base: str, personnummer: str) -> None:
    page.goto(f"{base}/e-legitimation/")
    page.get_by_role("button", name=re.compile(personnummer)).click()
    page.wait_for_url(re.compile(r"/ansokan/$"))


def check(j: Journey, page: Any, what: str) -> None:
    """axe, <html lang/dir>, no Swedish in en/ar (the journeys' check), and no sideways scroll."""
    j.check(page, what)
    scroll, widest = settled_width(page, page.width)
    if scroll > page.width:
        j.problem(f"scrolls sideways at {page.width} px ({scroll} px: {widest})", page.who)


def on_first_screen(page: Any, locator: Any) -> bool:
    """Wholly inside the viewport with the page scrolled to the top."""
    page.evaluate("() => window.scrollTo(0, 0)")
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["x"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] + box["width"] <= size["width"]
    )


def to_review(j: Journey, page: Any, application: Application) -> None:
    page.goto(f"{j.base}/ansokan/{application.pk}/granska/")
    expect(page.get_by_role("heading", level=1)).to_have_text(j.exactly("Kontrollera dina svar"))
    page.get_by_label(j.exactly(DECLARATION)).check()


# --- the applicant signs -------------------------------------------------------------------


def bankid_page(j: Journey, page: Any, url: str, what: str) -> None:
    """The BankID page: the QR code changes within two seconds, the autostart link, what BankID
    is doing; on a phone both ways to sign are on the first screen; the page's checks."""
    page.wait_for_url(re.compile(re.escape(url) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(j.exactly("Skriv under med BankID"))
    qr = page.locator("#bankid-qr img")
    autostart = page.get_by_role("link", name=j.exactly("Öppna BankID på den här enheten"))
    expect(qr).to_have_attribute("src", re.compile(r"^data:image/svg\+xml"))
    expect(qr).to_have_attribute("alt", j.t("QR-kod för BankID. Den byts varje sekund."))
    expect(autostart).to_have_attribute("href", re.compile(r"^bankid:///\?autostarttoken=.+"))
    first = qr.get_attribute("src")
    expect(qr).not_to_have_attribute("src", first or "", timeout=2_500)  # animated
    expect(page.locator("#bankid-status")).to_contain_text(
        re.compile("|".join(re.escape(j.t(hint)) for hint in HINTS))
    )
    if page.width == 360:
        for name, locator in (("the QR code", qr), ("the autostart link", autostart)):
            if not on_first_screen(page, locator):
                j.problem(
                    f"{name} is not on the first screen at 360×740 ({locator.bounding_box()})",
                    f"{page.who}: {what}",
                )
    check(j, page, what)


@pytest.mark.parametrize("width", [360, 1366])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_signing_with_bankid_in_the_browser(
    journey: Callable[[str, str], Journey],
    lang: str,
    width: int,
    draft: Application,
    bankid: BankIdSimulator,
) -> None:
    j = journey(lang, f"BankID signing at {width} px")
    page = screen_for(j, "Alva", width)
    log_in(page, j.base, PNR_ALVA)
    to_review(j, page, draft)
    j.press(page, "Skicka ansökan")
    bankid_page(j, page, f"/ansokan/{draft.pk}/bankid/", "BankID page")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT  # nothing is sent before BankID says complete

    bankid.pending_collects = 0  # the person signs in the app: the next collect completes
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/skickad/$"), timeout=8_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(j.exactly("Ansökan är skickad"))
    expect(page.locator(".messages")).to_have_count(0)  # no "Ansökan är redan skickad"
    check(j, page, "sent")
    page.get_by_role("link", name=j.exactly("Följ din ansökan")).click()
    signed = page.locator("#timeline li", has_text=j.t("Underskriven med BankID"))
    expect(signed).to_contain_text(
        j.t("Underskriven av %(name)s. Underskriften är kontrollerad.") % {"name": "Alva Andersson"}
    )
    check(j, page, "status")

    assert len(sign_requests(bankid)) == 1
    draft.refresh_from_db()
    assert draft.status != Status.DRAFT
    assert draft.signatures.get().method == SignatureMethod.BANKID
    j.assert_clean()


def test_a_cancel_in_the_app_is_told_and_one_may_try_again_or_cancel_on_the_page(
    journey: Callable[[str, str], Journey], draft: Application, bankid: BankIdSimulator
) -> None:
    j = journey("en", "BankID cancelled")
    page = screen_for(j, "Alva", 360)
    log_in(page, j.base, PNR_ALVA)
    bankid.scenario = "userCancel"
    to_review(j, page, draft)
    j.press(page, "Skicka ansökan")
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/bankid/$"))
    bankid.pending_collects = 0  # the person presses Avbryt in the app

    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/granska/$"), timeout=8_000)
    expect(page.locator(".messages")).to_contain_text(
        j.t("Du avbröt underskriften i BankID. Ansökan är sparad men inte skickad.")
    )
    expect(page.locator(".messages")).to_be_focused()
    send = page.get_by_role("button", name=j.exactly("Skicka ansökan"))
    expect(send).to_be_visible()  # and one may try again
    check(j, page, "review, cancelled in the app")
    assert not SigningOrder.objects.exists()

    bankid.scenario, bankid.pending_collects = "complete", FOREVER
    page.get_by_label(j.exactly(DECLARATION)).check()
    send.click()
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/bankid/$"))
    order_ref = SigningOrder.objects.get().order_ref
    j.press(page, "Avbryt")
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/granska/$"))
    expect(page.locator(".messages")).to_contain_text(
        j.t("Underskriften avbröts. Ansökan är sparad men inte skickad.")
    )
    check(j, page, "review, cancelled on the page")
    assert bankid.cancelled == [order_ref]
    assert len(sign_requests(bankid)) == 2
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and not draft.signatures.exists()
    j.assert_clean()


def test_a_double_click_on_send_starts_one_order(
    journey: Callable[[str, str], Journey], draft: Application, bankid: BankIdSimulator
) -> None:
    j = journey("sv", "BankID double click")
    page = screen_for(j, "Alva", 360)
    log_in(page, j.base, PNR_ALVA)
    to_review(j, page, draft)
    box = page.get_by_role("button", name=j.exactly("Skicka ansökan")).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    arrived: list[tuple[float, str]] = []
    page.on("framenavigated", lambda frame: arrived.append((time.monotonic(), frame.url)))
    bankid.fault = Fault("slow", 1.0)  # BankID takes a moment: the review page stays up
    page.mouse.click(x, y)
    page.wait_for_timeout(150)  # a person's double click: the first request is on its way
    second = time.monotonic()
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/bankid/$"))
    bankid.fault = Fault()
    left = min(t for t, url in arrived if url.endswith(f"/ansokan/{draft.pk}/bankid/"))
    assert left > second, "the second click was not on the review page: no double click tested"
    posts = [u for _, m, u in j.recorder.requests if m == "POST" and u.endswith("/granska/")]
    assert len(posts) == 1, posts
    expect(page.locator("#bankid-qr img")).to_be_visible()
    assert len(sign_requests(bankid)) == 1, [r.json() for r in sign_requests(bankid)]
    assert SigningOrder.objects.count() == 1

    bankid.pending_collects = 0
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/skickad/$"), timeout=8_000)
    draft.refresh_from_db()
    assert draft.status != Status.DRAFT
    j.assert_clean()


def test_without_javascript_the_button_asks_bankid(
    journey: Callable[[str, str], Journey], draft: Application, bankid: BankIdSimulator
) -> None:
    j = journey("sv", "BankID without JavaScript")
    page = screen_for(j, "Alva", 360, java_script_enabled=False)
    log_in(page, j.base, PNR_ALVA)
    to_review(j, page, draft)
    j.press(page, "Skicka ansökan")
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/bankid/$"))
    expect(page.locator("#bankid-qr img")).to_have_attribute("src", re.compile("^data:image/svg"))
    expect(
        page.get_by_role("link", name=j.exactly("Öppna BankID på den här enheten"))
    ).to_be_visible()
    # The <noscript> advice is in the page (Chromium with scripts disabled by the DevTools
    # protocol still parses it as if scripts ran, so it is not rendered here).
    assert j.t("Utan JavaScript gäller koden bara en kort stund") in page.content()
    page.wait_for_timeout(2_500)
    assert [r.path for r in bankid.requests] == ["/rp/v6.0/sign"]  # nobody polls

    j.press(page, "Jag har signerat")  # still pending: the BankID page again, with what is going on
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/bankid/$"))
    expect(page.locator("#bankid-status")).to_contain_text(j.t(HINTS[0]))
    bankid.pending_collects = 0
    j.press(page, "Jag har signerat")
    page.wait_for_url(re.compile(rf"/ansokan/{draft.pk}/skickad/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(j.exactly("Ansökan är skickad"))
    assert [r.path for r in bankid.requests].count("/rp/v6.0/collect") == 2
    draft.refresh_from_db()
    assert draft.status != Status.DRAFT
    assert draft.signatures.get().method == SignatureMethod.BANKID
    j.assert_clean()


# --- the partner signs -----------------------------------------------------------------------


def test_the_partner_signs_with_bankid_on_a_phone(
    journey: Callable[[str, str], Journey],
    make_draft: Callable[..., Application],
    other_applicant: User,
    caseworker: User,
    bankid: BankIdSimulator,
) -> None:
    joint = make_draft(other_applicant)
    services.application_set_household(
        application=joint,
        applicant_name="Bilal Berg",
        others=[services.MemberInput("partner", "Carina Dahl", PNR_CARINA)],
    )
    applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))
    bilal = client_for(other_applicant)  # Bilal signs first (tests/intake covers his pages)
    bankid.pending_collects = 0
    bilal.post(f"/ansokan/{joint.pk}/granska/", {"declaration": "on"})
    bilal.post(f"/ansokan/{joint.pk}/bankid/status/", HTTP_HX_REQUEST="true")
    assert services.application_signature_state(joint) == services.SignatureState.AWAITING_PARTNER

    bankid.pending_collects = FOREVER
    j = journey("ar", "the partner signs with BankID")
    page = screen_for(j, "Carina", 360)
    log_in(page, j.base, PNR_CARINA)
    page.goto(f"{j.base}/ansokan/{joint.pk}/medsokande/")
    expect(page.get_by_role("heading", level=1)).to_have_text(j.exactly("Skriv under ansökan"))
    page.get_by_label(j.exactly(DECLARATION)).check()
    j.press(page, "Skriv under")
    bankid_page(j, page, f"/ansokan/{joint.pk}/medsokande/bankid/", "partner's BankID page")

    bankid.pending_collects = 0
    page.wait_for_url(re.compile(rf"/ansokan/{joint.pk}/medsokande/$"), timeout=8_000)
    expect(page.locator(".messages")).to_contain_text(
        j.t("Du har skrivit under med BankID. Ansökan är skickad.")
    )
    expect(page.locator("#timeline li", has_text=j.t("Underskriven med BankID"))).to_have_count(2)
    check(j, page, "partner's review, sent")
    joint.refresh_from_db()
    assert joint.status != Status.DRAFT
    assert {s.method for s in joint.signatures.all()} == {SignatureMethod.BANKID}
    j.assert_clean()


# --- what staff and the applicant see afterwards, on a phone ----------------------------------

LONG_NAME = "Alexandra Vilhelmina Christina Andersson-Bergström"


@pytest.mark.usefixtures("private_media", "no_stickprov")
def test_the_signature_line_and_the_notice_lines_fit_a_phone(
    journey: Callable[[str, str], Journey], submitted_application: Application, caseworker: User
) -> None:
    app = submitted_application
    Notification.objects.filter(application=app).delete()
    Signature.objects.update_or_create(
        application=app,
        personnummer=app.applicant.personnummer,
        defaults={
            "method": SignatureMethod.BANKID,
            "signer_name": LONG_NAME,
            "signed_at": timezone.now() - timedelta(minutes=30),
            "ocsp_verified": True,
        },
    )
    now, sent, failed = timezone.now(), NotificationStatus.SENT, NotificationStatus.FAILED
    for kind, channel, status, delivered_at in (
        (NotificationKind.DECISION, DeliveryChannel.SMS, sent, now),
        (NotificationKind.DECISION_LETTER, DeliveryChannel.LETTER, sent, None),
        (NotificationKind.MEETING_BOOKED, DeliveryChannel.EMAIL, failed, None),
        (NotificationKind.DECISION_LETTER, DeliveryChannel.FORWARDING, sent, now),
    ):
        Notification.objects.create(
            application=app,
            recipient=app.applicant,
            kind=kind,
            channel=channel,
            body="Det finns något nytt i din ansökan – logga in för att läsa.",
            status=status,
            sent_at=now - timedelta(minutes=20),
            delivered_at=delivered_at,
        )

    staff = journey("sv", "caseworker's signature line")
    page = screen_for(staff, "caseworker", 360)
    page.goto(f"{staff.base}/personal/logga-in/")
    page.get_by_label("Användarnamn").fill(caseworker.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_load_state()
    page.goto(f"{staff.base}/handlaggare/arende/{app.pk}/")
    line = page.locator("#case-signatures li")
    expect(line).to_contain_text(f"av {LONG_NAME}, verifierad (OCSP)")
    expect(line).to_contain_text("Signerad med BankID")
    check(staff, page, "case page")
    box = line.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 360, box
    staff.assert_clean()

    for lang in LANGUAGES:
        j = journey(lang, "notice lines on the status page")
        page = screen_for(j, "Alva", 360)
        log_in(page, j.base, PNR_ALVA)
        page.goto(f"{j.base}/ansokan/{app.pk}/")
        timeline = page.locator("#timeline")
        for title in (
            "Sms skickat",
            "Brev skickat",
            "E-post skickad",
            "Brev skickat via Skatteverket",
            "Underskriven med BankID",
        ):
            expect(timeline).to_contain_text(j.t(title))
        for entry in timeline.locator("li").all():
            box = entry.bounding_box()
            if box is not None and (box["x"] < 0 or box["x"] + box["width"] > 360):
                j.problem(f"a timeline entry sticks out of the screen ({box})", "status")
        check(j, page, "status with notices")
        j.assert_clean()
