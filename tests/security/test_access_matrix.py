"""Who may see and do what, through the test client: the permission matrix of the pages."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import Municipality, Role, User
from caseworker.decisions.calculation import case_calculation_load
from intake.models import Application, Decision
from intake.states import Status
from meetings.models import Meeting
from tests.builders import client_for
from tests.conftest import PNR_ALVA, PNR_BILAL, PNR_CARINA

# On the suite's working Wednesday morning, from before the first fixture runs.
pytestmark = pytest.mark.usefixtures("frozen_wednesday")

THURSDAY = "2026-11-19"

APPLICANT_GET_URLS = [
    "intake:application_detail",
    "intake:step_household",
    "intake:step_costs",
    "intake:step_incomes",
    "intake:step_assets",
    "intake:step_review",
]
APPLICANT_POST_URLS = [*APPLICANT_GET_URLS[1:], "intake:application_withdraw"]


@pytest.fixture
def draft(make_draft: Callable[..., Application], applicant: User) -> Application:
    return make_draft(applicant)


@pytest.fixture
def svedala_caseworker(make_staff: Callable[..., User], svedala: Municipality) -> User:
    return make_staff("svedalahandlaggare", Role.CASEWORKER, svedala)


@pytest.fixture
def team_lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("gruppledare", Role.TEAM_LEAD, trelleborg)


def listed(response) -> set[str]:
    """References of the rows in the queue (the search box echoes the query, so not the HTML)."""
    assert response.status_code == 200
    return {row.reference for row in response.context["rows"]}


def decide(client: Client, application: Application, **data: str):
    data.setdefault("track", "work")  # a case's first decision records its track (#16 item 10)
    return client.post(reverse("caseworker:case_detail", args=[application.pk]), data)


# --- anonymous ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["intake:application_list"])
def test_anonymous_applicant_list_redirects_to_the_eid_login(
    client: Client, db: None, name: str
) -> None:
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == reverse("accounts:eid_login")
    assert parse_qs(target.query)["next"] == [url]


@pytest.mark.parametrize("name", APPLICANT_GET_URLS)
def test_anonymous_applicant_pages_redirect_to_the_eid_login(
    client: Client, draft: Application, name: str
) -> None:
    response = client.get(reverse(name, args=[draft.pk]))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("accounts:eid_login")


def test_anonymous_withdraw_is_sent_to_log_in_and_changes_nothing(
    client: Client, draft: Application
) -> None:
    response = client.post(reverse("intake:application_withdraw", args=[draft.pk]))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("accounts:eid_login")
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


@pytest.mark.parametrize(
    ("name", "args"),
    [("caseworker:queue", []), ("caseworker:case_detail", [1]), ("meetings:day", [])],
)
def test_anonymous_staff_pages_redirect_to_the_staff_login(
    client: Client, db: None, name: str, args: list[int]
) -> None:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("accounts:staff_login")


# --- applicants -----------------------------------------------------------------------------


def test_an_applicant_sees_their_own_application(
    submitted_application: Application, applicant: User
) -> None:
    response = client_for(applicant).get(
        reverse("intake:application_detail", args=[submitted_application.pk])
    )
    assert response.status_code == 200
    assert submitted_application.reference in response.content.decode()


@pytest.mark.parametrize("name", APPLICANT_GET_URLS[1:])
def test_an_applicant_can_open_each_step_of_their_draft(
    draft: Application, applicant: User, name: str
) -> None:
    assert client_for(applicant).get(reverse(name, args=[draft.pk])).status_code == 200


def test_the_applicant_list_shows_only_their_own_applications(
    make_draft: Callable[..., Application], applicant: User, other_applicant: User
) -> None:
    mine, theirs = make_draft(applicant), make_draft(other_applicant)
    page = client_for(applicant).get(reverse("intake:application_list")).content.decode()
    assert mine.reference in page
    assert theirs.reference not in page


@pytest.mark.parametrize("name", APPLICANT_GET_URLS)
def test_another_applicants_draft_is_404_on_every_page(
    make_draft: Callable[..., Application], other_applicant: User, applicant: User, name: str
) -> None:
    theirs = make_draft(other_applicant)
    assert client_for(applicant).get(reverse(name, args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize("name", APPLICANT_POST_URLS)
def test_another_applicants_draft_is_404_for_every_post_and_stays_unchanged(
    make_draft: Callable[..., Application], other_applicant: User, applicant: User, name: str
) -> None:
    theirs = make_draft(other_applicant, rent="6000")
    response = client_for(applicant).post(
        reverse(name, args=[theirs.pk]),
        {
            "rent": "1",
            "applicant_name": "Inkräktare",
            "declaration": "on",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Status.DRAFT
    assert str(theirs.rent) == "6000.00"
    assert not theirs.events.exists()


@pytest.mark.parametrize("name", [*APPLICANT_GET_URLS, "intake:application_withdraw"])
def test_another_applicants_submitted_application_is_404(
    submitted_application: Application, other_applicant: User, name: str
) -> None:
    client = client_for(other_applicant)
    url = reverse(name, args=[submitted_application.pk])
    response = client.post(url) if name == "intake:application_withdraw" else client.get(url)
    assert response.status_code == 404
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.AWAITING_CASEWORKER


def test_a_missing_application_id_is_404_like_someone_elses(applicant: User) -> None:
    response = client_for(applicant).get(reverse("intake:application_detail", args=[999_999]))
    assert response.status_code == 404


def test_withdraw_is_post_only(draft: Application, applicant: User) -> None:
    client = client_for(applicant)
    url = reverse("intake:application_withdraw", args=[draft.pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN


def test_a_submitted_application_is_no_longer_editable_by_its_applicant(
    submitted_application: Application, applicant: User
) -> None:
    """Back after sending, an old tab or a double click: the form page answers with the status
    page (303) and a POST changes nothing."""
    url = reverse("intake:step_costs", args=[submitted_application.pk])
    status_page = reverse("intake:application_detail", args=[submitted_application.pk])
    client = client_for(applicant)
    before = submitted_application.rent
    for response in (client.get(url), client.post(url, {"rent": "99 999"})):
        assert (response.status_code, response["Location"]) == (303, status_page)
    submitted_application.refresh_from_db()
    assert submitted_application.rent == before
    assert "redan skickad" in client.get(status_page).content.decode()


def test_someone_elses_sent_application_stays_a_404_on_form_pages(
    submitted_application: Application,
) -> None:
    stranger = User.objects.create_user(
        username="eid-199001011234", role=Role.APPLICANT, personnummer="199001011234"
    )
    url = reverse("intake:step_costs", args=[submitted_application.pk])
    assert client_for(stranger).get(url).status_code == 404


@pytest.mark.parametrize("name", ["caseworker:queue", "meetings:day"])
def test_an_applicant_gets_403_on_staff_pages(applicant: User, name: str) -> None:
    assert client_for(applicant).get(reverse(name)).status_code == 403


def test_an_applicant_gets_403_on_a_case_page_even_for_their_own_case(
    submitted_application: Application, applicant: User
) -> None:
    url = reverse("caseworker:case_detail", args=[submitted_application.pk])
    assert client_for(applicant).get(url).status_code == 403


# --- staff roles ----------------------------------------------------------------------------


def test_a_secretary_gets_403_on_the_caseworker_queue(secretary: User) -> None:
    assert client_for(secretary).get(reverse("caseworker:queue")).status_code == 403


def test_a_secretary_gets_403_on_a_case_page(
    submitted_application: Application, secretary: User
) -> None:
    url = reverse("caseworker:case_detail", args=[submitted_application.pk])
    assert client_for(secretary).get(url).status_code == 403


def test_a_caseworker_gets_403_on_the_secretary_day_view(caseworker: User) -> None:
    assert client_for(caseworker).get(reverse("meetings:day")).status_code == 403


@pytest.mark.parametrize("name", ["intake:application_list"])
def test_staff_get_403_on_applicant_pages(caseworker: User, secretary: User, name: str) -> None:
    for user in (caseworker, secretary):
        assert client_for(user).get(reverse(name)).status_code == 403


def test_a_caseworker_gets_403_on_an_applicants_status_page(
    submitted_application: Application, caseworker: User
) -> None:
    url = reverse("intake:application_detail", args=[submitted_application.pk])
    assert client_for(caseworker).get(url).status_code == 403


def test_a_team_lead_may_use_both_the_queue_and_the_day_view(team_lead: User) -> None:
    client = client_for(team_lead)
    assert client.get(reverse("caseworker:queue")).status_code == 200
    assert client.get(reverse("meetings:day")).status_code == 200


def test_an_inactive_caseworker_is_refused(caseworker: User) -> None:
    client = client_for(caseworker)
    User.objects.filter(pk=caseworker.pk).update(is_active=False)
    response = client.get(reverse("caseworker:queue"))
    assert response.status_code in (302, 403)  # logged out by auth, or refused by the gate


# --- caseworkers: municipality and drafts ---------------------------------------------------


def test_a_caseworker_sees_their_municipalitys_case(
    submitted_application: Application, caseworker: User
) -> None:
    client = client_for(caseworker)
    assert (
        submitted_application.reference in client.get(reverse("caseworker:queue")).content.decode()
    )
    response = client.get(reverse("caseworker:case_detail", args=[submitted_application.pk]))
    assert response.status_code == 200
    assert submitted_application.reference in response.content.decode()


def test_a_caseworker_from_another_municipality_gets_404_and_an_empty_queue(
    submitted_application: Application, svedala_caseworker: User
) -> None:
    client = client_for(svedala_caseworker)
    url = reverse("caseworker:case_detail", args=[submitted_application.pk])
    assert client.get(url).status_code == 404
    assert (
        decide(
            client, submitted_application, outcome="approved", amount="1", reason="x"
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("caseworker:case_return_to_robot", args=[submitted_application.pk])
        ).status_code
        == 404
    )
    for response in (
        client.get(reverse("caseworker:queue")),
        client.get(reverse("caseworker:queue") + "?status=awaiting_caseworker"),
        client.post(reverse("caseworker:queue"), {"q": PNR_ALVA}),
        client.post(reverse("caseworker:queue"), {"q": submitted_application.reference}),
    ):
        assert submitted_application.reference not in listed(response)
    assert not Decision.objects.exists()


def test_a_caseworker_cannot_see_drafts(draft: Application, caseworker: User) -> None:
    client = client_for(caseworker)
    assert client.get(reverse("caseworker:case_detail", args=[draft.pk])).status_code == 404
    for response in (
        client.get(reverse("caseworker:queue")),
        client.get(reverse("caseworker:queue") + "?status=draft"),
        client.post(reverse("caseworker:queue"), {"q": PNR_ALVA}),
        client.post(reverse("caseworker:queue"), {"q": draft.reference}),
    ):
        assert draft.reference not in listed(response)


# --- deciding -------------------------------------------------------------------------------


def test_a_caseworker_approves_and_the_applicant_sees_decision_and_meeting(
    submitted_application: Application, caseworker: User, applicant: User, secretary: User
) -> None:
    response = decide(
        client_for(caseworker),
        submitted_application,
        outcome="approved",
        amount="11220",
        reason="Uppfyller villkoren enligt normen.",
    )
    assert response.status_code == 302

    decision = Decision.objects.get(application=submitted_application)
    assert decision.decided_by == caseworker
    assert decision.outcome == "approved"
    assert str(decision.amount) == "11220.00"
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.APPROVED
    event = submitted_application.events.last()
    assert (event.to_status, event.actor) == (Status.APPROVED, caseworker)

    page = (
        client_for(applicant)
        .get(reverse("intake:application_detail", args=[submitted_application.pk]))
        .content.decode()
    )
    assert "Beviljat" in page
    assert "11\u00a0220\u00a0kr" in page
    assert "Uppfyller villkoren enligt normen." in page
    assert caseworker.display_name() in page
    assert "19 november 2026 kl. 08:00" in page  # the meeting, in Swedish time
    assert secretary.display_name() in page


def test_a_second_decision_post_does_not_create_a_second_decision(
    submitted_application: Application,
    caseworker: User,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
) -> None:
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    first = decide(
        client_for(caseworker),
        submitted_application,
        outcome="approved",
        amount="11220",
        reason="Beviljas.",
    )
    assert first.status_code == 302
    for client in (client_for(caseworker), client_for(colleague)):
        again = decide(client, submitted_application, outcome="rejected", reason="Avslag ändå.")
        assert again.status_code == 302
    assert Decision.objects.filter(application=submitted_application).count() == 1
    assert Decision.objects.get().outcome == "approved"
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.APPROVED


def test_a_stale_decision_page_does_not_overwrite_a_decision(
    submitted_application: Application, caseworker: User
) -> None:
    """Two tabs open on the same case: the second submit is refused with a message."""
    from caseworker.decisions.services import decision_record

    stale = Application.objects.get(pk=submitted_application.pk)
    decision_record(
        track="work",
        application=submitted_application,
        caseworker=caseworker,
        outcome="approved",
        reason="Först.",
    )
    from intake.services import ConcurrentTransition

    with pytest.raises(ConcurrentTransition):
        decision_record(
            track="work",
            application=stale,
            caseworker=caseworker,
            outcome="rejected",
            reason="Sen.",
        )
    assert Decision.objects.count() == 1


def test_reject_without_reason_is_a_form_error(
    submitted_application: Application, caseworker: User
) -> None:
    response = decide(
        client_for(caseworker), submitted_application, outcome="rejected", reason="  "
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not Decision.objects.exists()
    submitted_application.refresh_from_db()
    assert submitted_application.status == Status.AWAITING_CASEWORKER


def test_approve_takes_the_calculations_amount_never_the_forms(
    submitted_application: Application, caseworker: User
) -> None:
    """#16 item 1: the form carries no amount the server trusts, empty or not."""
    for amount in ("", "99999"):
        response = decide(
            client_for(caseworker),
            submitted_application,
            track="work",
            outcome="approved",
            amount=amount,
            calculation="1-stale",
            reason="Beviljas.",
        )
        assert response.status_code == 200  # the page the caseworker saw is not today's
        assert "har ändrats" in str(response.context["form"].non_field_errors())
    assert not Decision.objects.exists()
    response = decide(
        client_for(caseworker),
        submitted_application,
        track="work",
        outcome="approved",
        amount="99999",
        reason="Beviljas.",
    )
    assert response.status_code == 302
    assert (
        Decision.objects.get().amount
        == case_calculation_load(submitted_application).caseworker_amount
    )


def test_a_rejection_is_recorded_with_amount_zero(
    submitted_application: Application, caseworker: User, applicant: User
) -> None:
    response = decide(
        client_for(caseworker),
        submitted_application,
        outcome="rejected",
        amount="5000",
        reason="Tillgångar räcker.",
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.outcome, decision.amount) == ("rejected", 0)
    page = (
        client_for(applicant)
        .get(reverse("intake:application_detail", args=[submitted_application.pk]))
        .content.decode()
    )
    assert "Avslag" in page
    assert "Tillgångar räcker." in page


# --- secretary day view ---------------------------------------------------------------------


def test_the_secretary_day_view_lists_their_meetings_only(
    submitted_application: Application,
    make_staff: Callable[..., User],
    trelleborg: Municipality,
    applicant: User,
) -> None:
    meeting = Meeting.objects.get(application=submitted_application)
    other = make_staff("annan", Role.SECRETARY, trelleborg)
    url = reverse("meetings:day") + f"?dag={THURSDAY}"

    mine = client_for(meeting.secretary).get(url)
    assert mine.status_code == 200
    page = mine.content.decode()
    assert submitted_application.reference in page
    assert "08:00–08:45" in page
    assert applicant.display_name() in page

    theirs = client_for(other).get(url).content.decode()
    assert submitted_application.reference not in theirs
    assert "Inga möten den här dagen." in theirs


def test_the_secretary_day_view_defaults_to_today(
    submitted_application: Application, secretary: User, frozen_wednesday: time_machine.Traveller
) -> None:
    client = client_for(secretary)
    assert (
        submitted_application.reference not in client.get(reverse("meetings:day")).content.decode()
    )
    frozen_wednesday.move_to("2026-11-19 07:00 +01:00")
    client = client_for(secretary)
    assert submitted_application.reference in client.get(reverse("meetings:day")).content.decode()
    # a nonsense date falls back to today rather than failing
    assert client.get(reverse("meetings:day") + "?dag=igår").status_code == 200


# --- the queue search -----------------------------------------------------------------------


def test_the_queue_search_by_personnummer_works_by_post(
    submitted_application: Application,
    make_draft: Callable[..., Application],
    other_applicant: User,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    from intake import services as intake

    bilal = make_draft(other_applicant)
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=bilal, applicant=other_applicant)
    client = client_for(caseworker)

    for query in (PNR_ALVA, "20030606-2381", "030606-2381"):
        page = client.post(reverse("caseworker:queue"), {"q": query}).content.decode()
        assert submitted_application.reference in page
        assert bilal.reference not in page

    page = client.post(reverse("caseworker:queue"), {"q": PNR_BILAL}).content.decode()
    assert bilal.reference in page
    assert submitted_application.reference not in page

    page = client.post(reverse("caseworker:queue"), {"q": PNR_CARINA}).content.decode()
    assert "Inga ärenden." in page


def test_the_get_queue_ignores_a_personnummer_in_the_url_and_never_puts_one_there(
    submitted_application: Application,
    make_draft: Callable[..., Application],
    other_applicant: User,
    caseworker: User,
    secretary: User,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    from intake import services as intake

    bilal = make_draft(other_applicant)
    with django_capture_on_commit_callbacks(execute=True):
        intake.application_submit(application=bilal, applicant=other_applicant)
    client = client_for(caseworker)

    response = client.get(reverse("caseworker:queue") + f"?q={PNR_ALVA}")
    page = response.content.decode()
    assert response.context["query"] == ""
    assert submitted_application.reference in page and bilal.reference in page  # not filtered
    assert 'method="post" class="search"' in page

    searched = client.post(reverse("caseworker:queue"), {"q": PNR_ALVA}).content.decode()
    for html in (page, searched):
        hrefs = [part.split('"', 1)[0] for part in html.split('href="')[1:]]
        assert not any(PNR_ALVA in href or "20030606" in href for href in hrefs)


def test_the_queue_status_filter(submitted_application: Application, caseworker: User) -> None:
    client = client_for(caseworker)
    url = reverse("caseworker:queue")
    assert (
        submitted_application.reference
        in client.get(url + "?status=awaiting_caseworker").content.decode()
    )
    assert (
        submitted_application.reference
        not in client.get(url + "?status=needs_manual").content.decode()
    )


# --- e-ID login, logout, caching ------------------------------------------------------------


def test_eid_login_with_a_test_personnummer_creates_an_applicant_and_logs_in(
    client: Client, db: None
) -> None:
    response = client.post(reverse("accounts:eid_login"), {"personnummer": "20080212-2390"})
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:application_list")

    user = User.objects.get(personnummer=PNR_CARINA)
    assert user.role == Role.APPLICANT
    assert user.first_name == "Carina"  # from the test identity list
    assert not user.has_usable_password()
    assert client.get(reverse("intake:application_list")).status_code == 200


def test_eid_login_twice_is_the_same_user(client: Client, applicant: User) -> None:
    client.post(reverse("accounts:eid_login"), {"personnummer": PNR_ALVA})
    assert User.objects.filter(personnummer=PNR_ALVA).count() == 1
    assert int(client.session["_auth_user_id"]) == applicant.pk


@pytest.mark.parametrize("value", ["200802122391", "20230230123" + "5", "abc", ""])
def test_eid_login_with_an_invalid_personnummer_shows_an_error(
    client: Client, db: None, value: str
) -> None:
    response = client.post(reverse("accounts:eid_login"), {"personnummer": value})
    assert response.status_code == 200
    assert response.context["form"].errors["personnummer"]
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example",
        "https://evil.example/ansokan/",
        "//evil.example/",
        "http:evil.example",
    ],
)
def test_eid_login_does_not_follow_an_offsite_next(client: Client, db: None, evil: str) -> None:
    response = client.post(
        reverse("accounts:eid_login") + "?next=" + evil, {"personnummer": PNR_ALVA, "next": evil}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:application_list")


def test_eid_login_follows_an_onsite_next(client: Client, draft: Application) -> None:
    target = reverse("intake:application_detail", args=[draft.pk])
    response = client.post(
        reverse("accounts:eid_login"), {"personnummer": PNR_ALVA, "next": target}
    )
    assert response["Location"] == target


def test_the_eid_login_page_carries_next_into_the_form(client: Client, db: None) -> None:
    response = client.get(reverse("accounts:eid_login") + "?next=/ansokan/")
    assert response.status_code == 200
    assert 'name="next" value="/ansokan/"' in response.content.decode()


def test_logout_is_post_only_and_clears_site_data(applicant: User) -> None:
    client = client_for(applicant)
    url = reverse("accounts:logout")
    assert client.get(url).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(url)
    assert response.status_code == 302
    assert "cookies" in response["Clear-Site-Data"]
    assert '"cache"' in response["Clear-Site-Data"]
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("intake:application_list")).status_code == 302


@pytest.mark.parametrize(
    ("user_fixture", "name"),
    [
        ("applicant", "intake:application_list"),
        ("caseworker", "caseworker:queue"),
        ("secretary", "meetings:day"),
    ],
)
def test_authenticated_pages_are_never_cached(
    request: pytest.FixtureRequest, user_fixture: str, name: str
) -> None:
    user = request.getfixturevalue(user_fixture)
    response = client_for(user).get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]


def test_the_applicant_status_page_is_not_cached_either(
    submitted_application: Application, applicant: User
) -> None:
    response = client_for(applicant).get(
        reverse("intake:application_detail", args=[submitted_application.pk]),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "HX-Request" in response["Vary"]


def test_home_for_user_sends_each_role_to_its_start_page(
    applicant: User, caseworker: User, secretary: User
) -> None:
    expected = {
        applicant: reverse("intake:application_list"),
        caseworker: reverse("caseworker:queue"),
        secretary: reverse("meetings:day"),
    }
    for user, target in expected.items():
        assert client_for(user).get(reverse("accounts:home"))["Location"] == target
