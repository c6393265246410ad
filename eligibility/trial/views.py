"""Public pages of the eligibility app: the trial calculation (no login, nothing stored)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import formats, timezone
from django.views.decorators.http import require_http_methods

from eligibility.rules import CalculationResult
from eligibility.selectors import trial_calculate
from eligibility.trial.explain import flag_text
from eligibility.trial.forms import TrialCalculationForm


def _kronor(amount: Any) -> str:
    return formats.number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)


def _result_context(result: CalculationResult) -> dict[str, Any]:
    return {
        "result": result,
        "amount": _kronor(result.amount),
        "lines": [
            {
                "label": line.label,
                "amount": _kronor(abs(line.amount)),
                "sign": "−" if line.amount < 0 else "+",
                "kind": line.kind,
                "rule": line.rule,
            }
            for line in result.lines
        ],
        "flags": [flag_text(flag) for flag in result.flags],
        "notes": list(result.notes),
    }


@require_http_methods(["GET", "POST"])
def trial_calculation(request: HttpRequest) -> HttpResponse:
    """The form is sent by POST (#17): a household's incomes and savings never travel in the
    address, where they would stay in the browser's history and the servers' logs. Nothing is
    stored; the page is the whole output."""
    bound = request.method == "POST"
    form = TrialCalculationForm(
        request.POST if bound else None, initial={"month": f"{timezone.localdate():%Y-%m}"}
    )
    context: dict[str, Any] = {"form": form}
    if bound and form.is_valid():
        result = trial_calculate(
            household=form.household(), municipality=form.cleaned_data["municipality"]
        )
        context["calculation"] = _result_context(result)
    return TemplateResponse(request, "eligibility/trial_calculation.html", context)
