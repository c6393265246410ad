"""Signing with BankID: the page with the animated QR code and the link that opens BankID on
this device, the status polled about every other second (htmx; without JavaScript a button
asks once), and cancelling. The applicant signs the application (`as_partner` False), a
partner signs their consent (`as_partner` True); the order is found by application and the
logged-in person, never from anything the browser sends.
"""

from __future__ import annotations

import logging

import segno
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.bankid import AlreadyInProgress, BankIdError, auto_start_url, qr_code_data
from accounts.client import client_ip
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import applicant_required
from accounts.signing import get_signing_provider
from intake import services
from intake.access import access_application, access_application_as_partner
from intake.models import Application, SigningOrder
from intake.services.signing import (
    ALREADY_IN_PROGRESS,
    OCSP_NOT_GOOD,
    TEXT_MISMATCH,
    WRONG_PERSON,
    NoSigningOrder,
    qr_seconds,
    signing_cancel,
    signing_collect,
    signing_order_of,
    signing_start,
)
from intake.states import Status
from intake.views.steps import draft_for_applicant

logger = logging.getLogger(__name__)

# htmx stops polling on this status (a 2xx: the browser reports no error).
STOP_POLLING = 286


def hint_message(hint_code: str, *, pending: bool = False) -> str:
    """What the person is told for each of BankID's hint codes (and ours); an unknown code
    gets a general text (BankID may add codes)."""
    texts = {
        # pending
        "outstandingTransaction": _(
            "Starta BankID-appen och skanna QR-koden, eller öppna BankID på den här enheten."
        ),
        "noClient": _("Starta BankID-appen."),
        "started": _("Söker efter BankID. Det kan ta en liten stund."),
        "userMrtd": _("Följ instruktionerna i BankID-appen."),
        "userCallConfirm": _("Bekräfta i BankID-appen att du pratar i telefon med oss."),
        "userSign": _(
            "Skriv in din säkerhetskod i BankID-appen och välj Skriv under. "
            "Läs texten i appen innan du skriver under."
        ),
        # failed
        "expiredTransaction": _(
            "Tiden för att skriva under gick ut. Ansökan är sparad men inte skickad. Försök igen."
        ),
        "userCancel": _("Du avbröt underskriften i BankID. Ansökan är sparad men inte skickad."),
        "cancelled": _("Underskriften avbröts. Ansökan är sparad men inte skickad. Försök igen."),
        "startFailed": _(
            "BankID-appen startade inte eller kunde inte läsa QR-koden. Kontrollera att appen "
            "är installerad och uppdaterad och försök igen."
        ),
        "certificateErr": _(
            "Ditt BankID är för gammalt eller spärrat. Använd ett annat BankID eller skaffa "
            "ett nytt hos din bank."
        ),
        "userDeclinedCall": _("Underskriften avbröts. Ansökan är sparad men inte skickad."),
        "notSupported": _("Din BankID-app behöver uppdateras. Uppdatera den och försök igen."),
        "transactionRiskBlocked": _(
            "BankID stoppade underskriften. Ansökan är sparad men inte skickad. "
            "Kontakta kommunen om det händer igen."
        ),
        ALREADY_IN_PROGRESS: _(
            "Du har redan en inloggning eller underskrift med BankID igång. Vänta en liten "
            "stund och försök igen."
        ),
        WRONG_PERSON: _(
            "Underskriften gjordes med någon annans BankID. Du måste skriva under med ditt "
            "eget BankID. Ansökan är inte skickad."
        ),
        TEXT_MISMATCH: _("Underskriften kunde inte kontrolleras. Ansökan är inte skickad."),
        OCSP_NOT_GOOD: _("Underskriften kunde inte kontrolleras. Ansökan är inte skickad."),
    }
    if hint_code in texts:
        return texts[hint_code]
    if pending:
        return _("Underskriften pågår. Följ instruktionerna i BankID-appen.")
    return _("Något gick fel med BankID. Ansökan är sparad. Försök igen.")


# --- which application, whose page -----------------------------------------------------------


def _application(request: AuthenticatedHttpRequest, pk: int, as_partner: bool) -> Application:
    """The draft the logged-in person signs: their own (or as a representative) or, as a
    partner, the joint application they were asked to sign. A sent one raises NoLongerADraft
    for the applicant (answered with the status page)."""
    if as_partner:
        return access_application_as_partner(request.user, pk)
    return draft_for_applicant(request, pk)


def _return_page(application: Application, as_partner: bool) -> str:
    """Where the signer goes back to: the page they signed from."""
    name = "intake:partner_review" if as_partner else "intake:step_review"
    return reverse(name, args=[application.pk])


def _done_page(application: Application, as_partner: bool) -> str:
    if as_partner:
        return reverse("intake:partner_review", args=[application.pk])
    if application.status == Status.DRAFT:  # joint: waits for the partner
        return reverse("intake:step_review", args=[application.pk])
    return reverse("intake:application_sent", args=[application.pk])


def _go(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    if request.htmx:
        response = HttpResponse(status=200)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _page_name(as_partner: bool, part: str) -> str:
    return f"intake:{'partner_' if as_partner else ''}bankid_{part}"


# --- starting: called by the review pages ("Skicka ansökan", "Skriv under") -------------------


def signing_begin(
    request: AuthenticatedHttpRequest, application: Application, *, as_partner: bool
) -> Application | HttpResponse | str:
    """Start signing from a review page. Answers the application when the development
    provider signed at once (the caller goes on as before), a redirect to the BankID page when
    an order started, or an error text for the form when BankID could not start."""
    try:
        outcome = signing_start(
            application=application,
            signer=request.user,
            as_partner=as_partner,
            end_user_ip=client_ip(request),
            provider=get_signing_provider(),
        )
    except AlreadyInProgress:
        return hint_message(ALREADY_IN_PROGRESS)
    except BankIdError as exc:
        logger.warning(
            "intake.bankid_start_failed",
            extra={"application": application.pk, "error": exc.error_code or type(exc).__name__},
        )
        return _("BankID kunde inte startas just nu. Ansökan är sparad. Försök igen om en stund.")
    if isinstance(outcome, SigningOrder):
        return redirect(_page_name(as_partner, "sign"), pk=application.pk)
    return outcome


# --- the BankID page ---------------------------------------------------------------------------


def _qr_image(order: SigningOrder) -> str:
    data = qr_code_data(order.qr_start_token, order.qr_start_secret, qr_seconds(order))
    return str(segno.make(data, error="l").svg_data_uri(scale=5))


def _order_or_back(
    request: AuthenticatedHttpRequest, application: Application, as_partner: bool
) -> SigningOrder | HttpResponse:
    if application.status != Status.DRAFT:
        return _go(request, _done_page(application, as_partner))
    try:
        return signing_order_of(application=application, signer=request.user)
    except NoSigningOrder:
        return _go(request, _return_page(application, as_partner))


@applicant_required
@require_GET
def bankid_sign(request: AuthenticatedHttpRequest, pk: int, as_partner: bool) -> HttpResponse:
    application = _application(request, pk, as_partner)
    order = _order_or_back(request, application, as_partner)
    if isinstance(order, HttpResponse):
        return order
    return TemplateResponse(
        request,
        "intake/bankid_sign.html",
        {
            "application": application,
            "order": order,
            "qr_image": _qr_image(order),
            "auto_start_url": auto_start_url(order.auto_start_token),
            "status_text": hint_message(order.hint_code, pending=True),
            "qr_url": reverse(_page_name(as_partner, "qr"), args=[pk]),
            "collect_url": reverse(_page_name(as_partner, "collect"), args=[pk]),
            "cancel_url": reverse(_page_name(as_partner, "cancel"), args=[pk]),
        },
    )


@applicant_required
@require_GET
def bankid_qr(request: AuthenticatedHttpRequest, pk: int, as_partner: bool) -> HttpResponse:
    """The QR code as it is this second (htmx asks every second). Once the order is over (the
    application sent, the order failed or cancelled) htmx is told to stop asking (286) and the
    status poll, which says what happened, moves the page on: a QR request that came in just
    after the collect that sent the application used to race it to the status page with
    "Ansökan är redan skickad" (found by tests/browser/test_bankid_signing_pages.py)."""
    order: SigningOrder | HttpResponse
    if request.htmx:
        application = (
            access_application_as_partner(request.user, pk)
            if as_partner
            else access_application(request.user, pk)
        )
        if application.status != Status.DRAFT:
            return HttpResponse(status=STOP_POLLING)
        try:
            order = signing_order_of(application=application, signer=request.user)
        except NoSigningOrder:
            return HttpResponse(status=STOP_POLLING)
    else:
        order = _order_or_back(request, _application(request, pk, as_partner), as_partner)
        if isinstance(order, HttpResponse):
            return order
    return TemplateResponse(
        request,
        "intake/_bankid_qr.html",
        {"qr_image": _qr_image(order), "qr_url": reverse(_page_name(as_partner, "qr"), args=[pk])},
    )


@applicant_required
@require_POST
def bankid_collect(request: AuthenticatedHttpRequest, pk: int, as_partner: bool) -> HttpResponse:
    """Ask BankID once. Pending: htmx gets the status text (nothing when it did not change),
    otherwise back to the BankID page. Complete: on as after "Skicka ansökan". Failed: back to
    the review page with what happened; the application is still a draft."""
    application = _application(request, pk, as_partner)
    order = _order_or_back(request, application, as_partner)
    if isinstance(order, HttpResponse):
        return order
    shown = order.hint_code
    try:
        progress = signing_collect(
            application=application, signer=request.user, provider=get_signing_provider()
        )
    except NoSigningOrder:
        return _go(request, _return_page(application, as_partner))
    except BankIdError as exc:
        logger.warning(
            "intake.bankid_collect_failed",
            extra={"application": application.pk, "error": exc.error_code or type(exc).__name__},
        )
        if request.htmx:
            return HttpResponse(
                format_html("<p>{}</p>", _("BankID svarar inte just nu. Vi försöker igen."))
            )
        messages.warning(request, _("BankID svarar inte just nu. Försök igen om en stund."))
        return redirect(_page_name(as_partner, "sign"), pk=pk)
    except services.NoCaseworkerAvailable:
        signing_cancel(
            application=application, signer=request.user, provider=get_signing_provider()
        )
        logger.error(
            "intake.submit_no_owner",
            extra={"application": application.pk, "municipality": application.municipality_id},
        )
        messages.error(
            request,
            _(
                "Ansökan kunde inte skickas just nu: kommunen kan inte ta emot den i "
                "e-tjänsten. Ansökan är sparad. Försök igen senare eller kontakta kommunen."
            ),
        )
        return _go(request, _return_page(application, as_partner))
    if progress.status == "pending":
        if request.htmx:
            if progress.hint_code == shown:
                return HttpResponse(status=204)
            return HttpResponse(
                format_html("<p>{}</p>", hint_message(progress.hint_code, pending=True))
            )
        return redirect(_page_name(as_partner, "sign"), pk=pk)
    if progress.status == "failed":
        messages.error(request, hint_message(progress.hint_code))
        return _go(request, _return_page(application, as_partner))
    if progress.application is None:  # complete always carries it
        return _go(request, _return_page(application, as_partner))
    if as_partner:
        messages.success(request, _("Du har skrivit under med BankID. Ansökan är skickad."))
    elif progress.application.status == Status.DRAFT:
        messages.success(
            request, _("Du har skrivit under med BankID. Nu behöver din partner skriva under.")
        )
    return _go(request, _done_page(progress.application, as_partner))


@applicant_required
@require_POST
def bankid_cancel(request: AuthenticatedHttpRequest, pk: int, as_partner: bool) -> HttpResponse:
    application = _application(request, pk, as_partner)
    if application.status == Status.DRAFT and signing_cancel(
        application=application, signer=request.user, provider=get_signing_provider()
    ):
        messages.info(request, _("Underskriften avbröts. Ansökan är sparad men inte skickad."))
    return redirect(_return_page(application, as_partner))
