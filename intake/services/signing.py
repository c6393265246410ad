"""Signing the application (the applicant) and the consent (a partner) through the configured
signing provider (accounts.signing): with BankID a sign order is started, kept on the server
(`SigningOrder`), collected until it completes or fails, and on completion the signature is
checked (the right person, the text we asked them to sign, the OCSP answer) and stored with its
evidence before the application goes on exactly as a click on "Skicka ansökan" did.

The browser never names an order: every call finds the order by application and signer, so
nobody can collect (or cancel) another person's order.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.bankid import (
    AlreadyInProgress,
    BankIdError,
    BankIdRequestRefused,
    Complete,
    Failed,
    OrderStarted,
    signed_visible_text,
)
from accounts.models import User
from accounts.signing import SignedEvidence, SigningProvider
from intake.models import Application, SignatureMethod, SigningOrder
from intake.services.joint import application_partner_sign, partner_may_sign
from intake.services.lifecycle import (
    ApplicationIncomplete,
    application_submit,
    declaration_freeze,
    representative_reason,
)
from intake.states import NoLongerADraft, Status

logger = logging.getLogger(__name__)

# Our own failure codes, next to BankID's hint codes (accounts.bankid.FAILED_HINTS).
WRONG_PERSON = "personalNumberMismatch"
TEXT_MISMATCH = "signedTextMismatch"
OCSP_NOT_GOOD = "ocspNotGood"
ALREADY_IN_PROGRESS = "alreadyInProgress"


class NoSigningOrder(Exception):
    """No order of this signer on this application is running (finished, cancelled, never
    started, or someone else's)."""


@dataclass(frozen=True)
class SigningProgress:
    status: str  # "pending", "failed" or "complete"
    hint_code: str = ""
    application: Application | None = None


def declaration_text(application: Application) -> str:
    """What the signer sees in BankID (simpleMarkdownV1, in the active language): the
    declaration as the page words it, the application's reference and month; no other
    personal data."""
    month = formats.date_format(application.month, "F Y")
    lines = [
        "# " + _("Ansökan om ekonomiskt bistånd"),
        _("Ärende %(reference)s, %(month)s") % {"reference": application.reference, "month": month},
        "",
        _(
            "Jag intygar att uppgifterna är riktiga och fullständiga, "
            "och att jag meddelar ändringar."
        ),
    ]
    return "\n".join(lines)


def _declaration_digest(application: Application, declaration: dict[str, Any]) -> bytes:
    """userNonVisibleData: which application and which answers (`declaration_freeze`) were
    signed (a hash only)."""
    frozen = json.dumps(declaration, sort_keys=True, default=str)
    digest = hashlib.sha256(frozen.encode("utf-8")).hexdigest()
    return f"{application.reference}:sha256:{digest}".encode("ascii")


def _check_may_sign(application: Application, signer: User, as_partner: bool) -> None:
    if application.status != Status.DRAFT:
        raise NoLongerADraft(f"application {application.pk} is {application.status}")
    if not signer.personnummer:
        raise ApplicationIncomplete("The signer has no personnummer.")
    if as_partner:
        partner_may_sign(application, signer)
    elif application.applicant_id != signer.pk:
        representative_reason(application=application, user=signer)


def _finish(
    application: Application,
    signer: User,
    as_partner: bool,
    evidence: SignedEvidence,
    text: str,
    declaration: dict[str, Any] | None = None,
) -> Application:
    if as_partner:
        return application_partner_sign(
            application=application, partner=signer, evidence=evidence, signed_text=text
        )
    return application_submit(
        application=application,
        applicant=signer,
        evidence=evidence,
        signed_text=text,
        declaration=declaration,
    )


# An order's QR start codes live 30 s at BankID; a press within this time reuses the order.
ORDER_REUSED_WITHIN = timedelta(seconds=25)


def signing_start(
    *,
    application: Application,
    signer: User,
    as_partner: bool,
    end_user_ip: str,
    provider: SigningProvider,
) -> SigningOrder | Application:
    """Start signing. The development provider signs at once: the application goes on and is
    returned. BankID starts an order (any earlier one of this signer on this application is
    cancelled) and the stored order is returned. Raises BankIdError when BankID refuses or
    cannot be reached; AlreadyInProgress when the person has another order running (BankID
    aborts both: our stored ones are dropped, they may start again)."""
    _check_may_sign(application, signer, as_partner)
    personnummer = signer.personnummer or ""
    text = declaration_text(application)
    # The signer's orders on this application (one read; at most one is kept).
    orders = list(SigningOrder.objects.filter(application=application, signer=signer))
    # A second press of the same button (a double click without JavaScript, Back and send
    # again) gets the order already running: a second order would make BankID abort both.
    reused_since = timezone.now() - ORDER_REUSED_WITHIN
    running = next(
        (
            order
            for order in orders
            if order.as_partner == as_partner
            and order.text == text
            and order.started_at >= reused_since
        ),
        None,
    )
    if running is not None:
        return running
    for order in orders:
        _order_cancel(order, provider)
    # The answers as signed, read once: hashed into the order, and (signed at once) frozen on
    # the application by the submit (#20 d).
    declaration = declaration_freeze(application)
    try:
        started = provider.start(
            end_user_ip=end_user_ip,
            text=text,
            personnummer=personnummer,
            non_visible_data=_declaration_digest(application, declaration),
        )
    except AlreadyInProgress:
        SigningOrder.objects.filter(signer=signer).delete()
        raise
    if isinstance(started, SignedEvidence):
        with transaction.atomic():
            return _finish(application, signer, as_partner, started, text, declaration)
    return _order_store(application, signer, as_partner, started, text)


def _order_store(
    application: Application, signer: User, as_partner: bool, started: OrderStarted, text: str
) -> SigningOrder:
    with transaction.atomic():
        SigningOrder.objects.filter(application=application, signer=signer).delete()
        return SigningOrder.objects.create(
            application=application,
            signer=signer,
            as_partner=as_partner,
            order_ref=started.order_ref,
            auto_start_token=started.auto_start_token,
            qr_start_token=started.qr_start_token,
            qr_start_secret=started.qr_start_secret,
            started_at=timezone.now(),
            text=text,
            hint_code="outstandingTransaction",
        )


def signing_order_of(*, application: Application, signer: User) -> SigningOrder:
    """The running order of `signer` on `application` (a selector)."""
    order = SigningOrder.objects.filter(application=application, signer=signer).first()
    if order is None:
        raise NoSigningOrder(f"no order for application {application.pk}")
    return order


def qr_seconds(order: SigningOrder, now: datetime | None = None) -> int:
    return max(0, int(((now or timezone.now()) - order.started_at).total_seconds()))


def signing_collect(
    *, application: Application, signer: User, provider: SigningProvider
) -> SigningProgress:
    """Ask BankID how the order goes. Pending: the hint is kept for the page. Failed: the order
    is dropped, the application stays a draft. Complete: the signer, the signed text and the
    OCSP answer are checked, the signature stored and the application goes on (sent, or for a
    joint application waiting for the partner). Raises NoSigningOrder when there is none and
    BankIdError when BankID cannot answer (the page polls again)."""
    order = signing_order_of(application=application, signer=signer)
    try:
        result = provider.collect(order.order_ref)
    except BankIdRequestRefused as exc:  # e.g. notFound: BankID no longer knows the order
        SigningOrder.objects.filter(pk=order.pk).delete()
        return SigningProgress("failed", exc.error_code or "notFound")
    if isinstance(result, Failed):
        SigningOrder.objects.filter(pk=order.pk).delete()
        return SigningProgress("failed", result.hint_code)
    if not isinstance(result, Complete):
        SigningOrder.objects.filter(pk=order.pk).update(hint_code=result.hint_code[:40])
        return SigningProgress("pending", result.hint_code)
    problem = _completion_problem(result, order, signer)
    if problem:
        SigningOrder.objects.filter(pk=order.pk).delete()
        logger.warning(
            "intake.signing_refused",
            extra={"application": application.pk, "reason": problem},
        )
        return SigningProgress("failed", problem)
    completion = result.completion
    evidence = SignedEvidence(
        method=SignatureMethod.BANKID,
        personnummer=completion.personal_number,
        name=completion.name,
        device_ip=completion.device_ip,
        bankid_issue_date=completion.bankid_issue_date,
        signature=completion.signature,
        ocsp_response=completion.ocsp_response,
        ocsp_good=True,
        order_ref=order.order_ref,
    )
    with transaction.atomic():
        # Two tabs may both see "complete": the one that removes the order goes on, the other
        # finds it gone (and the page then shows the application as it is).
        if SigningOrder.objects.filter(pk=order.pk).delete()[0] != 1:
            raise NoSigningOrder(f"order of application {application.pk} already finished")
        application = Application.objects.get(pk=application.pk)
        if application.status != Status.DRAFT:
            raise NoLongerADraft(f"application {application.pk} is {application.status}")
        application = _finish(application, signer, order.as_partner, evidence, order.text)
    return SigningProgress("complete", application=application)


def _completion_problem(result: Complete, order: SigningOrder, signer: User) -> str:
    completion = result.completion
    if completion.personal_number != signer.personnummer:
        return WRONG_PERSON
    seen = signed_visible_text(completion.signature_xml)
    if seen is not None and seen != order.text:
        return TEXT_MISMATCH
    if not completion.ocsp_good:
        return OCSP_NOT_GOOD
    return ""


def signing_cancel(*, application: Application, signer: User, provider: SigningProvider) -> bool:
    """Cancel the signer's running order on `application`, if any (at BankID too; an order
    BankID no longer knows is fine). True when there was one."""
    order = SigningOrder.objects.filter(application=application, signer=signer).first()
    if order is None:
        return False
    _order_cancel(order, provider)
    return True


def _order_cancel(order: SigningOrder, provider: SigningProvider) -> None:
    try:
        provider.cancel(order.order_ref)
    except BankIdError as exc:
        logger.info("intake.signing_cancel_failed", extra={"error": exc.error_code or str(exc)})
    SigningOrder.objects.filter(pk=order.pk).delete()
