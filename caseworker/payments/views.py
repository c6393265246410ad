"""The case's payment order: shown to the caseworker, who registers the payee's account when the
order waits for one. Works without JavaScript (GET shows, POST redirects back)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.forms import BankAccountField
from accounts.http import AuthenticatedHttpRequest
from accounts.permissions import caseworker_required
from caseworker.audit.log import access_log_record
from caseworker.models import AccessAction
from caseworker.models.payments import PaymentOrder, PaymentStatus
from caseworker.payments.services import payment_order_set_account
from intake.access import access_application


class BankAccountForm(forms.Form):
    bank_account = BankAccountField(
        label=gettext_lazy("Clearingnummer och kontonummer"),
        help_text=gettext_lazy("Till exempel 6000-123456789. Swedbank: 8327-9 123 456 789-0."),
    )


@caseworker_required
@require_http_methods(["GET", "POST"])
def payment_order_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = access_application(request.user, pk)
    order = PaymentOrder.objects.filter(application=application).select_related("decision").first()
    if order is None:
        raise Http404
    access_log_record(
        user=request.user,
        application=application,
        action=AccessAction.CHANGE if request.method == "POST" else AccessAction.VIEW_PARTIAL,
        detail="payment_order",
    )
    form = BankAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment_order_set_account(
                order=order,
                bank_account=form.cleaned_data["bank_account"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Kontonumret är registrerat. Utbetalningen skickas."))
            return redirect("caseworker:payment_order_detail", pk=application.pk)
    return TemplateResponse(
        request,
        "caseworker/payment_order_detail.html",
        {
            "application": application,
            "order": order,
            "form": form,
            "needs_account": order.status == PaymentStatus.NEEDS_ACCOUNT,
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )
