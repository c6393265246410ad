"""The application's URLs plus one bench-only endpoint (never in `config/urls.py`)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from intake.services import feedback_record


@require_POST
def one_insert(request: HttpRequest) -> HttpResponse:
    """The floor for a write request: the same middleware (session, CSRF, auth) and one
    INSERT, no template. `submit_cpu_ratio_to_floor` compares a submit's CPU with this."""
    feedback_record(message="bench", page="bench")
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/one-insert/", one_insert, name="bench_one_insert"),
    path("", include("config.urls")),
]
