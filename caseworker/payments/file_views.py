"""The team lead's payment-files page (#18): list, create, download, mark sent, and the bank's
camt.054 notification uploaded (#19 item 5). Thin views: each action calls one service and
redirects back to the list with a message; the upload shows its result on the page. A file is
looked up within the team lead's municipality (another municipality's is a 404); other roles get
403. Works without JavaScript."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Municipality, Role
from accounts.permissions import role_required, staff_municipality_id
from caseworker.payments.debtors import PaymentDebtorUnavailable
from caseworker.payments.files import (
    PaymentFileAlreadySent,
    payment_file_download,
    payment_file_mark_sent,
    payment_file_of,
    payment_files_overview,
    payment_returns_receive,
)
from caseworker.payments.returns import ReturnFileInvalid
from caseworker.payments.services import PaymentFileInvalid, payment_file_create
from kernel.money import kronor_text

logger = logging.getLogger(__name__)

team_lead_required = role_required(Role.TEAM_LEAD)

# A day's camt.054 for one municipality is a few hundred kilobytes at most.
RETURN_FILE_MAX_BYTES = 5 * 1024 * 1024


class ReturnFileForm(forms.Form):
    return_file = forms.FileField(
        label=gettext_lazy("Bankens besked (camt.054, XML)"),
        help_text=gettext_lazy("Filen med bokförda och avvisade utbetalningar från banken."),
        widget=forms.FileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def clean_return_file(self) -> bytes:
        upload = self.cleaned_data["return_file"]
        if upload.size > RETURN_FILE_MAX_BYTES:
            raise forms.ValidationError(
                _("Filen är för stor. Bankens besked är högst %(mb)d MB.")
                % {"mb": RETURN_FILE_MAX_BYTES // (1024 * 1024)}
            )
        data = bytes(upload.read())
        # XML only: the first thing after a byte-order mark and white space is a tag.
        if not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):
            raise forms.ValidationError(_("Filen är inte en XML-fil. Välj bankens camt.054-fil."))
        return data


def _page(
    request: AuthenticatedHttpRequest, *, form: ReturnFileForm | None = None, **extra: object
) -> TemplateResponse:
    return TemplateResponse(
        request,
        "caseworker/payment_files.html",
        {
            "overview": payment_files_overview(staff_municipality_id(request.user)),
            "return_form": form or ReturnFileForm(),
            **extra,
        },
        status=400 if form is not None and form.errors else 200,
    )


@team_lead_required
@require_GET
def payment_files(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _page(request)


@team_lead_required
@require_POST
def payment_returns_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The bank's notification read back: the result is shown on the page (sending the same file
    again, or reloading, changes nothing more)."""
    form = ReturnFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form=form)
    try:
        result = payment_returns_receive(form.cleaned_data["return_file"], by=request.user)
    except ReturnFileInvalid as error:
        logger.warning("camt.054 upload refused: %s", error)
        form.add_error(
            "return_file",
            _("Filen är inte ett besked från banken som går att läsa (camt.054). Inget ändrades."),
        )
        return _page(request, form=form)
    logger.info(
        "camt.054 read: paid %d, rejected %d, already %d, pending %d, unknown %d, mismatched %d",
        len(result.paid),
        len(result.rejected),
        len(result.already),
        len(result.pending),
        len(result.unknown),
        len(result.mismatched),
    )
    return _page(request, returns=result)


@team_lead_required
@require_POST
def payment_file_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    municipality = get_object_or_404(Municipality, pk=staff_municipality_id(request.user))
    try:
        payment_file = payment_file_create(
            day=timezone.localdate(), municipality=municipality, created_by=request.user
        )
    except PaymentDebtorUnavailable as error:
        logger.error("Payment file not made: %s", error)
        messages.error(
            request,
            _(
                "%(municipality)s har inget giltigt konto att betala ut från inställt, så ingen "
                "betalfil skapades. Inga utbetalningar har flyttats. Be systemförvaltningen "
                "lägga in kommunens konto (PAYMENT_DEBTORS)."
            )
            % {"municipality": municipality.name},
        )
    except PaymentFileInvalid as error:
        logger.error("Payment file for municipality %s did not validate: %s", municipality, error)
        messages.error(
            request,
            _(
                "Betalfilen blev inte giltig enligt bankens format (pain.001) och skapades inte. "
                "Inga utbetalningar har flyttats. Kontakta systemförvaltningen."
            ),
        )
    except IntegrityError:
        # Another request made a file of the same orders at the same moment (a double click).
        messages.warning(
            request,
            _("En annan betalfil skapades samtidigt. Ingen ny fil skapades; se listan nedan."),
        )
    else:
        if payment_file is None:
            messages.info(
                request,
                _("Det finns inga godkända utbetalningar att betala. Ingen betalfil skapades."),
            )
        else:
            messages.success(
                request,
                ngettext(
                    "Betalfilen %(file)s är skapad med %(count)d utbetalning på %(total)s.",
                    "Betalfilen %(file)s är skapad med %(count)d utbetalningar på %(total)s.",
                    payment_file.number_of_orders,
                )
                % {
                    "file": payment_file.message_id,
                    "count": payment_file.number_of_orders,
                    "total": kronor_text(payment_file.control_sum),
                },
            )
    return redirect("caseworker:payment_files")


@team_lead_required
@require_GET
def payment_file_xml(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    payment_file = payment_file_of(request.user, pk)
    try:
        xml = payment_file_download(payment_file, by=request.user)
    except PaymentFileInvalid as error:
        logger.error("Payment file %s refused for download: %s", payment_file.message_id, error)
        messages.error(
            request,
            _(
                "Betalfilen %(file)s är inte giltig enligt bankens format (pain.001) och kan "
                "inte hämtas. Skicka den inte till banken. Kontakta systemförvaltningen."
            )
            % {"file": payment_file.message_id},
        )
        return redirect("caseworker:payment_files")
    # Shown on the next page the team lead opens: the download itself leaves the page as it was.
    messages.success(
        request,
        _("Betalfilen %(file)s hämtades. Hämtningen är loggad.")
        % {"file": payment_file.message_id},
    )
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{payment_file.message_id}.xml"'
    response["Cache-Control"] = "no-store"
    return response


@team_lead_required
@require_POST
def payment_file_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    payment_file = payment_file_of(request.user, pk)
    try:
        payment_file_mark_sent(payment_file, by=request.user)
    except PaymentFileAlreadySent:
        payment_file.refresh_from_db()
        messages.warning(
            request,
            _("Betalfilen %(file)s är redan markerad som skickad (%(when)s av %(who)s).")
            % {
                "file": payment_file.message_id,
                "when": timezone.localtime(payment_file.sent_at).strftime("%Y-%m-%d %H:%M")
                if payment_file.sent_at
                else "",
                "who": payment_file.sent_by.display_name() if payment_file.sent_by else "",
            },
        )
    else:
        messages.success(
            request,
            _("Betalfilen %(file)s är markerad som skickad till banken.")
            % {"file": payment_file.message_id},
        )
    return redirect("caseworker:payment_files")
