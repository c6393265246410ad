"""A team lead edits the municipality's standard reasons and their provisions; decisions then
carry them by default for their type (#16 item 6)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.models import ReasonTemplate
from intake.models import Application, Decision
from tests.builders import client_for

pytestmark = pytest.mark.usefixtures("frozen_wednesday", "private_media", "no_stickprov")


@pytest.fixture
def team_lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("ledare", Role.TEAM_LEAD, trelleborg)


def test_only_a_team_lead_sees_the_standard_reasons(team_lead: User, caseworker: User) -> None:
    url = reverse("caseworker:reason_templates")
    page = client_for(team_lead).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Beviljas enligt riksnormen" in html
    assert "Socialtjänstlagen (2025:400)" in html
    assert client_for(caseworker).get(url).status_code == 403
    dashboard = client_for(team_lead).get(reverse("caseworker:dashboard")).content.decode()
    assert url in dashboard
    assert "?kod=approved_norm" in html


def test_a_team_leads_provisions_become_the_default_for_the_decision_type(
    team_lead: User,
    trelleborg: Municipality,
    submitted_application: Application,
    decide: Callable[..., Decision],
) -> None:
    url = reverse("caseworker:reason_template_edit") + "?kod=approved_norm"
    assert "Beviljas enligt riksnormen" in client_for(team_lead).get(url).content.decode()
    response = client_for(team_lead).post(
        url,
        {
            "title": "Beviljas enligt riksnormen (Trelleborg)",
            "text": "Du beviljas {belopp} för {månad}.",
            "provisions": "4 kap. 1 § socialtjänstlagen (2025:400)\nTrelleborgs riktlinjer 2026",
            "active": "on",
        },
    )
    assert response.status_code == 302
    own = ReasonTemplate.objects.get(municipality=trelleborg, code="approved_norm")
    assert own.provisions == [
        "4 kap. 1 § socialtjänstlagen (2025:400)",
        "Trelleborgs riktlinjer 2026",
    ]
    assert ReasonTemplate.objects.filter(municipality=None, code="approved_norm").count() <= 1

    decision = decide(submitted_application, provisions=[])
    assert decision.provisions == [
        "4 kap. 1 § socialtjänstlagen (2025:400)",
        "Trelleborgs riktlinjer 2026",
    ]


def test_an_unknown_placeholder_is_refused(team_lead: User, trelleborg: Municipality) -> None:
    url = reverse("caseworker:reason_template_edit") + "?kod=approved_norm"
    response = client_for(team_lead).post(
        url, {"title": "X", "text": "Du beviljas {pengar}.", "provisions": "", "active": "on"}
    )
    assert response.status_code == 200
    assert "pengar" in response.content.decode()
    assert not ReasonTemplate.objects.filter(municipality=trelleborg).exists()


def test_an_unknown_code_is_404(team_lead: User) -> None:
    url = reverse("caseworker:reason_template_edit") + "?kod=finns-inte"
    assert client_for(team_lead).get(url).status_code == 404
