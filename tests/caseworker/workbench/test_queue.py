"""The caseworker's queue: filters, counts, search, sorting, keyset pagination, htmx, and a query
count that does not grow with the number of rows."""

from __future__ import annotations

import base64
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Municipality, Role, User
from bench.queue_rows import queue_rows_create
from caseworker.models import AccessAction, AccessLog
from caseworker.workbench.queue import (
    SORTS,
    Cursor,
    QueueParams,
    cursor_decode,
    cursor_encode,
    queue_counts,
    queue_page,
    queue_params_parse,
)
from caseworker.workbench.queue_views import total_text
from eligibility.models import CaseWarning, Proposal, WarningStatus
from intake.models import Application, HouseholdMember, StatusChoices, Track
from intake.states import Status
from tests.builders import case_make, client_for
from tests.conftest import PNR_ALVA, PNR_CARINA

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=STOCKHOLM)  # a Wednesday
QUEUE = "/handlaggare/"
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def frozen_now() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def colleague(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("kollega", Role.CASEWORKER, trelleborg)


@pytest.fixture
def team_lead(make_staff: Callable[..., User], trelleborg: Municipality) -> User:
    return make_staff("gruppledare", Role.TEAM_LEAD, trelleborg)


@pytest.fixture
def svedala_caseworker(make_staff: Callable[..., User], svedala: Municipality) -> User:
    return make_staff("svedalabo", Role.CASEWORKER, svedala)


@pytest.fixture
def make_case(trelleborg: Municipality, caseworker: User) -> Callable[..., Application]:
    """A submitted application straight into a state (no robot): what the queue reads."""

    def make(
        *,
        first_name: str = "Test",
        last_name: str = "Person",
        personnummer: str | None = None,
        municipality: Municipality | None = None,
        **fields: object,
    ) -> Application:
        n = next(_numbers)
        applicant = User.objects.create(
            username=f"sokande-{n}",
            role=Role.APPLICANT,
            personnummer=personnummer or f"18{n:010d}",
            first_name=first_name,
            last_name=last_name,
        )
        values: dict[str, object] = {
            "municipality": municipality or trelleborg,
            "applicant": applicant,
            "month": date(2026, 11, 1),
            "status": Status.AWAITING_CASEWORKER,
            "owner": caseworker,
            "submitted_at": NOW - timedelta(hours=1),
        }
        values.update(fields)
        return Application.objects.create(**values)

    return make


def listed(response) -> list[str]:
    assert response.status_code == 200
    return [row.reference for row in response.context["rows"]]


def counts_of(response, facet: str) -> dict[str, int]:
    group = next(g for g in response.context["filter_groups"] if g["name"] == facet)
    labels = {item["label"]: item["count"] for item in group["items"]}
    return labels


# --- filters -----------------------------------------------------------------------------------


def test_the_default_queue_lists_open_cases_and_the_decided_filter_lists_decided_ones(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    waiting = make_case(status=Status.AWAITING_CASEWORKER)
    supplement = make_case(status=Status.AWAITING_SUPPLEMENT)
    approved = make_case(status=Status.APPROVED)
    rejected = make_case(status=Status.REJECTED)
    withdrawn = make_case(status=Status.WITHDRAWN)
    client = client_for(caseworker)

    assert set(listed(client.get(QUEUE))) == {waiting.reference, supplement.reference}
    assert set(listed(client.get(QUEUE + "?status=decided"))) == {
        approved.reference,
        rejected.reference,
    }
    assert listed(client.get(QUEUE + "?status=awaiting_supplement")) == [supplement.reference]
    assert len(listed(client.get(QUEUE + "?status=all"))) == 5
    assert withdrawn.reference in listed(client.get(QUEUE + "?status=withdrawn"))


def test_an_unknown_filter_value_falls_back_to_the_default(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    waiting = make_case()
    make_case(status=Status.APPROVED)
    response = client_for(caseworker).get(QUEUE + "?status=draft&track=x&deadline=soon&age=3")
    assert listed(response) == [waiting.reference]


def test_the_warnings_filter_counts_open_and_acknowledged_warnings_but_not_closed(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    open_one, acknowledged, closed, none = (make_case() for _ in range(4))
    for application, status in (
        (open_one, WarningStatus.OPEN),
        (acknowledged, WarningStatus.ACKNOWLEDGED),
        (closed, WarningStatus.CLOSED),
    ):
        CaseWarning.objects.create(
            application=application, kind="new_cost", key="k", message="m", status=status
        )
    client = client_for(caseworker)
    assert set(listed(client.get(QUEUE + "?warnings=yes"))) == {
        open_one.reference,
        acknowledged.reference,
    }
    assert set(listed(client.get(QUEUE + "?warnings=no"))) == {closed.reference, none.reference}
    rows = {row.reference: row.open_warnings for row in client.get(QUEUE).context["rows"]}
    assert rows == {open_one.reference: 1, acknowledged.reference: 1, closed.reference: 0,
                    none.reference: 0}  # fmt: skip


@pytest.mark.parametrize(
    ("value", "expected"),
    [("work", "work"), ("social", "social"), ("both", "both"), ("undecided", "")],
)
def test_the_track_filter(
    make_case: Callable[..., Application], caseworker: User, value: str, expected: str
) -> None:
    cases = {track: make_case(track=track) for track in ["", *Track.values]}
    response = client_for(caseworker).get(QUEUE + f"?track={value}")
    assert listed(response) == [cases[expected].reference]


def test_the_assignee_filter_me_unassigned_and_a_colleague(
    make_case: Callable[..., Application],
    caseworker: User,
    colleague: User,
    svedala_caseworker: User,
) -> None:
    mine = make_case(owner=caseworker)
    theirs = make_case(owner=colleague)
    # Only a withdrawn case may lack an owner (the model's constraint).
    nobodys = make_case(owner=None, status=Status.WITHDRAWN)
    client = client_for(caseworker)

    assert listed(client.get(QUEUE + "?assignee=me")) == [mine.reference]
    assert listed(client.get(QUEUE + f"?assignee={colleague.pk}")) == [theirs.reference]
    assert listed(client.get(QUEUE + "?assignee=unassigned&status=all")) == [nobodys.reference]
    # Someone who is not a colleague in my municipality is not a filter value: ignored.
    ignored = client.get(QUEUE + f"?assignee={svedala_caseworker.pk}")
    assert set(listed(ignored)) == {mine.reference, theirs.reference}
    assert ignored.context["params"].assignee == ""


def test_the_age_filter_lists_cases_submitted_longer_ago_than_the_chosen_days(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    today = make_case(submitted_at=NOW - timedelta(hours=3))
    three_days = make_case(submitted_at=NOW - timedelta(days=3))
    ten_days = make_case(submitted_at=NOW - timedelta(days=10))
    client = client_for(caseworker)
    assert set(listed(client.get(QUEUE + "?age=2"))) == {three_days.reference, ten_days.reference}
    assert listed(client.get(QUEUE + "?age=7")) == [ten_days.reference]
    assert listed(client.get(QUEUE + "?age=30")) == []
    assert today.reference in listed(client.get(QUEUE))


def test_the_deadline_filter_overdue_today_later_and_none(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    overdue = make_case(decision_due_at=NOW - timedelta(minutes=1))
    today = make_case(decision_due_at=NOW.replace(hour=23, minute=59))
    later = make_case(decision_due_at=NOW.replace(hour=0) + timedelta(days=1))  # midnight
    none = make_case(decision_due_at=None)
    client = client_for(caseworker)
    for value, expected in (
        ("overdue", overdue),
        ("today", today),
        ("later", later),
        ("none", none),
    ):
        assert listed(client.get(QUEUE + f"?deadline={value}")) == [expected.reference], value


def test_filters_combine(
    make_case: Callable[..., Application], caseworker: User, colleague: User
) -> None:
    hit = make_case(track=Track.WORK, owner=caseworker, decision_due_at=NOW - timedelta(hours=1))
    make_case(track=Track.WORK, owner=colleague, decision_due_at=NOW - timedelta(hours=1))
    make_case(track=Track.SOCIAL, owner=caseworker, decision_due_at=NOW - timedelta(hours=1))
    make_case(track=Track.WORK, owner=caseworker, decision_due_at=NOW + timedelta(days=2))
    response = client_for(caseworker).get(QUEUE + "?track=work&assignee=me&deadline=overdue")
    assert listed(response) == [hit.reference]


# --- counts --------------------------------------------------------------------------------------


def test_counts_per_filter_value_follow_the_other_filters(
    make_case: Callable[..., Application], caseworker: User, colleague: User
) -> None:
    make_case(track=Track.WORK, owner=caseworker)
    make_case(track=Track.WORK, owner=colleague)
    make_case(track=Track.SOCIAL, owner=caseworker)
    make_case(track=Track.SOCIAL, owner=caseworker, status=Status.APPROVED)
    client = client_for(caseworker)

    page = client.get(QUEUE)
    assert counts_of(page, "track")["Arbetsspåret"] == 2
    assert counts_of(page, "track")["Socialt spår"] == 1
    assert counts_of(page, "assignee")["Mina ärenden"] == 2
    assert counts_of(page, "status")["Alla aktuella"] == 3
    assert counts_of(page, "status")["Alla beslutade"] == 1
    assert counts_of(page, "status")["Alla ärenden"] == 4

    mine = client.get(QUEUE + "?assignee=me")
    assert counts_of(mine, "track")["Arbetsspåret"] == 1  # narrowed by "mine"
    assert counts_of(mine, "assignee")["Kollega Testsson"] == 1  # not narrowed by itself
    assert counts_of(mine, "status")["Alla beslutade"] == 1


@pytest.mark.parametrize("cases", [1, 40])
def test_all_counts_come_from_one_query_whatever_the_number_of_cases(
    make_case: Callable[..., Application], caseworker: User, colleague: User, cases: int
) -> None:
    # The count table (#20 c) and, in the same query, the few cases on a boundary day counted
    # from their times.
    make_case()
    for n in range(cases - 1):
        make_case(track="social", submitted_at=NOW - timedelta(days=n))
    with CaptureQueriesContext(connection) as queries:
        counts = queue_counts(
            user=caseworker,
            params=QueueParams(track="work"),
            now=NOW,
            colleague_ids=[caseworker.pk, colleague.pk],
        )
    assert len(queries) == 1
    assert "caseworker_queuecount" in queries[0]["sql"]
    assert counts["status"][""] == 0  # the one case has no track: "work" excludes it
    assert counts["track"]["undecided"] == 1


# --- search ------------------------------------------------------------------------------------


def test_search_by_name_first_last_and_both(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    alva = make_case(first_name="Alva", last_name="Andersson")
    make_case(first_name="Bilal", last_name="Berg")
    client = client_for(caseworker)
    for query in ("alva", "ANDERS", "Alva Andersson"):
        assert listed(client.post(QUEUE, {"q": query})) == [alva.reference], query


def test_search_ignores_diacritics_and_word_order_and_takes_the_last_four_digits(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    """#18: "akesson" finds Åkesson, "Berg Bilal" finds Bilal Berg, "2381" finds the person
    whose personnummer ends so."""
    akesson = make_case(first_name="Örjan", last_name="Åkesson")
    bilal = make_case(first_name="Bilal", last_name="Berg", personnummer=PNR_ALVA)
    make_case(first_name="Carina", last_name="Dahl")
    client = client_for(caseworker)
    for query, expected in (
        ("akesson", akesson),
        ("orjan AKESSON", akesson),
        ("Berg Bilal", bilal),
        ("bil be", bilal),
        (PNR_ALVA[-4:], bilal),
    ):
        assert listed(client.post(QUEUE, {"q": query})) == [expected.reference], query


def test_a_search_survives_back_without_the_query_in_any_url(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    """#18: the htmx search pushes '?sok=1' into the history; coming back there shows the same
    search (kept in the session), and the personnummer is in no URL."""
    bilal = make_case(first_name="Bilal", last_name="Berg", personnummer=PNR_ALVA)
    make_case(first_name="Carina", last_name="Dahl")
    client = client_for(caseworker)
    response = client.post(
        QUEUE, {"q": PNR_ALVA}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results"
    )
    pushed = response["HX-Push-Url"]
    assert pushed.endswith("sok=1") and PNR_ALVA not in pushed
    assert listed(client.get(pushed)) == [bilal.reference]
    assert len(listed(client.get(QUEUE))) == 2  # the queue itself, no search


def test_search_by_case_number_ignores_case(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    case = make_case()
    make_case()
    response = client_for(caseworker).post(QUEUE, {"q": case.reference.lower()})
    assert listed(response) == [case.reference]


def test_search_by_personnummer_finds_the_applicant_and_household_members_by_post_only(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    alva = make_case(personnummer=PNR_ALVA, first_name="Alva")
    household = make_case(first_name="Other")
    HouseholdMember.objects.create(
        application=household, role="partner", name="Carina", personnummer=PNR_CARINA, age=22
    )
    client = client_for(caseworker)
    assert listed(client.post(QUEUE, {"q": "20030606-2381"})) == [alva.reference]
    assert listed(client.post(QUEUE, {"q": PNR_CARINA})) == [household.reference]
    # In the URL it is no search at all: both cases listed, the query dropped.
    response = client.get(QUEUE + f"?q={PNR_ALVA}")
    assert set(listed(response)) == {alva.reference, household.reference}
    assert response.context["query"] == ""


def test_search_finds_decided_cases_and_keeps_explicit_filters(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    old = make_case(first_name="Alva", status=Status.APPROVED, track=Track.WORK)
    client = client_for(caseworker)
    assert listed(client.post(QUEUE, {"q": "Alva"})) == [old.reference]
    assert listed(client.post(QUEUE + "?track=social", {"q": "Alva"})) == []


def test_search_never_finds_another_municipalitys_case(
    make_case: Callable[..., Application],
    svedala: Municipality,
    svedala_caseworker: User,
    caseworker: User,
) -> None:
    theirs = make_case(
        municipality=svedala, owner=svedala_caseworker, first_name="Alva", personnummer=PNR_ALVA
    )
    client = client_for(caseworker)
    for query in ("Alva", PNR_ALVA, theirs.reference):
        assert listed(client.post(QUEUE, {"q": query})) == []
    assert theirs.reference not in client.get(QUEUE + "?status=all").content.decode()


def test_a_search_list_writes_no_access_log_but_opening_a_hit_writes_one_search_row(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    alva = make_case(personnummer=PNR_ALVA, first_name="Alva")
    client = client_for(caseworker)
    page = client.post(QUEUE, {"q": PNR_ALVA}).content.decode()
    assert not AccessLog.objects.exists()
    open_url = reverse("caseworker:queue_search_open", args=[alva.pk])
    assert open_url in page
    response = client.get(open_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("caseworker:case_detail", args=[alva.pk])
    row = AccessLog.objects.get()
    assert (row.user, row.application, row.action) == (caseworker, alva, AccessAction.SEARCH)


def test_opening_another_municipalitys_case_from_search_is_404_and_not_logged(
    make_case: Callable[..., Application], svedala: Municipality, svedala_caseworker: User,
    caseworker: User,
) -> None:  # fmt: skip
    theirs = make_case(municipality=svedala, owner=svedala_caseworker)
    url = reverse("caseworker:queue_search_open", args=[theirs.pk])
    assert client_for(caseworker).get(url).status_code == 404
    assert not AccessLog.objects.exists()


def test_the_search_form_posts_and_no_link_carries_the_personnummer(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    for _ in range(30):
        make_case()
    make_case(personnummer=PNR_ALVA)
    html = client_for(caseworker).post(QUEUE + "?size=25", {"q": PNR_ALVA}).content.decode()
    assert 'method="post" class="search"' in html
    for attribute in ('href="', 'hx-get="', 'hx-post="', 'action="'):
        values = [part.split('"', 1)[0] for part in html.split(attribute)[1:]]
        assert not any("20030606" in value or "2381" in value for value in values), attribute
    search_form_tag = html.split('class="search"')[1].split(">", 1)[0]
    assert "hx-post" in search_form_tag and "hx-push-url" not in search_form_tag


# --- sorting -------------------------------------------------------------------------------------


def test_the_default_order_is_oldest_submitted_first(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    newer = make_case(submitted_at=NOW - timedelta(hours=1))
    older = make_case(submitted_at=NOW - timedelta(days=2))
    client = client_for(caseworker)
    assert listed(client.get(QUEUE)) == [older.reference, newer.reference]
    assert listed(client.get(QUEUE + "?dir=desc")) == [newer.reference, older.reference]


def test_sorting_by_deadline_puts_cases_without_one_last(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    none = make_case(decision_due_at=None)
    late = make_case(decision_due_at=NOW + timedelta(days=2))
    soon = make_case(decision_due_at=NOW + timedelta(hours=2))
    client = client_for(caseworker)
    assert listed(client.get(QUEUE + "?sort=due")) == [
        soon.reference,
        late.reference,
        none.reference,
    ]
    assert listed(client.get(QUEUE + "?sort=due&dir=desc")) == [
        none.reference,
        late.reference,
        soon.reference,
    ]


def test_sorting_by_month_and_by_reference(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    october = make_case(month=date(2026, 10, 1), reference="EB-ZZZZ0001")
    december = make_case(month=date(2026, 12, 1), reference="EB-AAAA0001")
    client = client_for(caseworker)
    assert listed(client.get(QUEUE + "?sort=month")) == [october.reference, december.reference]
    assert listed(client.get(QUEUE + "?sort=month&dir=desc")) == [
        december.reference,
        october.reference,
    ]
    assert listed(client.get(QUEUE + "?sort=reference")) == [december.reference, october.reference]


def test_a_sort_header_toggles_the_direction_and_says_so(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    make_case()
    response = client_for(caseworker).get(QUEUE + "?sort=month")
    headers = response.context["sort_headers"]
    assert headers["month"] == {"href": "?sort=month&dir=desc", "aria_sort": "ascending"}
    assert headers["due"]["aria_sort"] == "none"
    assert 'aria-sort="ascending"' in response.content.decode()


# --- every column sorts (#18) -----------------------------------------------------------------

ALL_SORTS = list(SORTS)


def _sort_cases(
    make_case: Callable[..., Application], caseworker: User, colleague: User, team_lead: User
) -> list[Application]:
    """Cases that differ in every column, with ties on each (the id breaks them). One has a
    protected identity: the caseworker may handle those."""
    _may_handle_protected(caseworker)
    people = [
        ("Örjan", "Åkesson", "198503121234", False),
        ("bilal", "Berg", "200306062381", False),
        ("Carina", "Dahl", "197001011230", False),
        ("Alva", "Andersson", "190001011239", True),  # protected: born first, sorted last
        ("Bilal", "Berg", "199912312383", False),  # the same name as the second
        ("Dan", "Ek", "198503121258", False),  # the same birth date as the first
    ]
    statuses = [Status.AWAITING_SUPPLEMENT, Status.SUBMITTED, Status.APPROVED,
                Status.AWAITING_CASEWORKER, Status.SUBMITTED, Status.WITHDRAWN]  # fmt: skip
    owners = [colleague, caseworker, team_lead, caseworker, caseworker, None]  # None: withdrawn
    cases = []
    for n, (first, last, pnr, protected) in enumerate(people):
        cases.append(
            make_case(
                first_name=first,
                last_name=last,
                personnummer=pnr,
                protected_identity=protected,
                status=statuses[n],
                owner=owners[n],
                month=date(2026, 10 + n % 3, 1),
                submitted_at=NOW - timedelta(hours=n % 4),
                decision_due_at=None if n % 3 == 0 else NOW + timedelta(days=n % 2),
            )
        )
    for case, live, closed in zip(cases, [2, 0, 1, 0, 2, 0], [0, 1, 0, 3, 0, 0], strict=True):
        for k in range(live):
            CaseWarning.objects.create(application=case, kind="new_cost", key=f"l{k}", message="m")
        for k in range(closed):
            CaseWarning.objects.create(application=case, kind="new_cost", key=f"c{k}", message="m",
                                       status=WarningStatus.CLOSED)  # fmt: skip
    for case, amounts in zip(cases, [["9000", "1000"], ["2500"], [], ["500"], ["2500"], []],
                             strict=True):  # fmt: skip
        for round_, amount in enumerate(amounts, start=1):
            Proposal.objects.create(application=case, round=round_, eligible=True,
                                    amount=Decimal(amount), norm=Decimal(5220),
                                    parameter_version="t", as_of=case.month)  # fmt: skip
    return cases


def _may_handle_protected(user: User) -> None:
    user.may_handle_protected = True
    user.save(update_fields=["may_handle_protected"])


def _expected_key(case: Application, sort: str) -> Any:
    case.refresh_from_db()
    if sort == "submitted":
        return case.submitted_at
    if sort == "due":
        return case.decision_due_at or datetime(9999, 12, 31, tzinfo=STOCKHOLM)
    if sort == "month":
        return case.month
    if sort == "reference":
        return case.reference
    if sort == "name":
        return case.applicant.search_name
    if sort == "personnummer":
        return "99999999" if case.protected_identity else (case.applicant.personnummer or "")[:8]
    if sort == "status":
        return list(StatusChoices.values).index(case.status)
    if sort == "warnings":
        return case.warnings.filter(status__in=["open", "acknowledged"]).count()
    if sort == "amount":
        latest = case.proposals.order_by("-round").first()
        return latest.amount if latest else Decimal("9999999999.99")
    if sort == "owner":
        return case.owner.search_name if case.owner else ""
    raise AssertionError(sort)


@pytest.mark.parametrize("sort", ALL_SORTS)
def test_every_column_sorts_both_ways_with_the_id_breaking_ties(
    make_case: Callable[..., Application],
    caseworker: User,
    colleague: User,
    team_lead: User,
    sort: str,
) -> None:
    cases = _sort_cases(make_case, caseworker, colleague, team_lead)
    ascending = [c.reference for c in sorted(cases, key=lambda c: (_expected_key(c, sort), c.pk))]
    descending = [
        c.reference
        for c in sorted(cases, key=lambda c: (_expected_key(c, sort), c.pk), reverse=True)
    ]
    client = client_for(caseworker)
    assert listed(client.get(QUEUE + f"?status=all&sort={sort}")) == ascending
    assert listed(client.get(QUEUE + f"?status=all&sort={sort}&dir=desc")) == descending
    # The data has ties on the sort key (except for the unique reference): the id breaks them.
    assert len({_expected_key(c, sort) for c in cases}) < len(cases) or sort == "reference"


def test_the_sort_orders_in_words(
    make_case: Callable[..., Application], caseworker: User, colleague: User, team_lead: User
) -> None:
    """The same, spelled out: what a caseworker expects to see first."""
    cases = _sort_cases(make_case, caseworker, colleague, team_lead)
    client = client_for(caseworker)

    def names(sort: str, direction: str = "asc") -> list[str]:
        rows = client.get(QUEUE + f"?status=all&sort={sort}&dir={direction}").context["rows"]
        return [row.applicant.display_name() for row in rows]

    # Case and diacritics do not count: "Örjan Åkesson" sorts as "orjan akesson".
    assert names("name") == ["Alva Andersson", "bilal Berg", "Bilal Berg", "Carina Dahl",
                             "Dan Ek", "Örjan Åkesson"]  # fmt: skip
    # Born 1970, 1985 (twice), 1999, 2003; the protected identity (born 1900) last.
    assert names("personnummer") == ["Carina Dahl", "Örjan Åkesson", "Dan Ek", "Bilal Berg",
                                     "bilal Berg", "Alva Andersson"]  # fmt: skip
    # Most warnings first when descending; the biggest amount first, "no proposal" counts as
    # after every amount.
    assert names("warnings", "desc")[:2] == ["Bilal Berg", "Örjan Åkesson"]
    assert names("amount") == ["Alva Andersson", "Örjan Åkesson", "bilal Berg", "Bilal Berg",
                               "Carina Dahl", "Dan Ek"]  # fmt: skip
    # Mottagen before Väntar på komplettering before Beviljad before Återtagen.
    statuses = [row.status for row in client.get(QUEUE + "?status=all&sort=status").context["rows"]]
    assert statuses == ["submitted", "submitted", "awaiting_caseworker", "awaiting_supplement",
                        "approved", "withdrawn"]  # fmt: skip
    owners = [row.owner.display_name() if row.owner else "" for row in
              client.get(QUEUE + "?status=all&sort=owner").context["rows"]]  # fmt: skip
    assert owners == ["", "Gruppledare Testsson", "Handlaggare Testsson", "Handlaggare Testsson",
                      "Handlaggare Testsson", "Kollega Testsson"]  # fmt: skip
    assert len(cases) == 6


@pytest.mark.parametrize("sort", ALL_SORTS)
def test_every_sort_header_is_a_link_and_says_which_way_it_sorts(
    make_case: Callable[..., Application], caseworker: User, sort: str
) -> None:
    make_case()
    client = client_for(caseworker)
    html = client.get(QUEUE + f"?sort={sort}").content.decode()
    thead = html.split("<thead>")[1].split("</thead>")[0]
    headers = re.findall(r"<th [^>]*>.*?</th>", thead)
    assert len(headers) == 11  # the tick box and ten sortable columns
    assert all("<a href=" in th for th in headers[1:])
    assert thead.count('aria-sort="ascending"') == 1 and thead.count('aria-sort="none"') == 9
    assert f'href="/handlaggare/?sort={sort}&amp;dir=desc"' in thead or (
        sort == "submitted" and 'href="/handlaggare/?dir=desc"' in thead
    )
    html = client.get(QUEUE + f"?sort={sort}&dir=desc").content.decode()
    assert html.split("<thead>")[1].count('aria-sort="descending"') == 1


def test_a_sort_keeps_the_filters_and_the_search_and_starts_at_the_first_page(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    for n in range(30):
        make_case(track=Track.WORK, first_name="Alva", last_name=f"Andersson{n}")
    make_case(track=Track.SOCIAL, first_name="Alva", last_name="Social")
    make_case(track=Track.WORK, first_name="Bilal", last_name="Berg")
    client = client_for(caseworker)
    first = client.get(QUEUE + "?track=work")
    second = client.get(QUEUE + first.context["next_query"])
    href = second.context["sort_headers"]["name"]["href"]
    assert href == "?track=work&sort=name"  # the filter kept, no cursor
    assert len(listed(client.get(QUEUE + href))) == 25
    # A search: the sort link says only `sok=1`, and the same search comes back, sorted.
    searched = client.post(QUEUE + "?track=work", {"q": "alva"})
    assert searched.context["total"] == 30
    href = searched.context["sort_headers"]["name"]["href"]
    assert href == "?track=work&sort=name&sok=1"
    response = client.get(QUEUE + href)
    assert response.context["query"] == "alva" and response.context["total"] == 30
    rows = response.context["rows"]
    assert all(row.applicant.first_name == "Alva" for row in rows)
    keys = [row.applicant.search_name for row in rows]
    assert keys == sorted(keys)


@pytest.mark.parametrize("sort", ["name", "personnummer", "warnings", "amount", "owner", "status"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_keyset_pages_cover_every_row_once_for_the_looked_up_sorts(
    make_case: Callable[..., Application],
    caseworker: User,
    colleague: User,
    sort: str,
    direction: str,
) -> None:
    _may_handle_protected(caseworker)
    for n in range(60):
        case = make_case(
            first_name=["Alva", "Bilal", "Carina"][n % 3],
            last_name="Test",
            personnummer=f"19{80 + n % 5}0101{n:04d}",
            owner=caseworker if n % 2 else colleague,
            status=[Status.AWAITING_CASEWORKER, Status.AWAITING_SUPPLEMENT][n % 2],
            protected_identity=n % 11 == 0,
        )
        for k in range(n % 3):
            CaseWarning.objects.create(application=case, kind="new_cost", key=f"w{k}", message="m")
        if n % 4:
            Proposal.objects.create(application=case, round=1, eligible=True,
                                    amount=Decimal(1000 * (n % 4)), norm=Decimal(5220),
                                    parameter_version="t", as_of=case.month)  # fmt: skip
    client = client_for(caseworker)
    everything, pages_back = walk(client, QUEUE + f"?sort={sort}&dir={direction}")
    all_rows = listed(client.get(QUEUE + f"?sort={sort}&dir={direction}&size=100"))
    assert len(all_rows) == 60
    assert everything == all_rows
    assert [len(page) for page in pages_back] == [25, 25, 10]
    assert [ref for page in pages_back for ref in page] == all_rows


# --- how many: "N ärenden, visar 1–25" (#18) -------------------------------------------------


def _total_line(response) -> str:
    html = response.content.decode()
    line = html.split('class="queue-total">')[1].split("</p>")[0]
    return re.sub(r"<[^>]+>", "", line).replace("\u00a0", " ")


def test_the_total_for_the_filters_and_which_rows_the_page_shows(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    for _ in range(30):
        make_case(track=Track.WORK)
    make_case(track=Track.SOCIAL)
    make_case(status=Status.APPROVED)
    client = client_for(caseworker)
    first = client.get(QUEUE)
    assert first.context["total"] == 31
    assert _total_line(first) == "31 ärenden, visar 1–25"
    second = client.get(QUEUE + first.context["next_query"])
    assert _total_line(second) == "31 ärenden, visar 26–31"
    back = client.get(QUEUE + second.context["previous_query"])
    assert _total_line(back) == "31 ärenden, visar 1–25"
    assert _total_line(client.get(QUEUE + "?track=social")) == "1 ärende, visar 1–1"
    assert _total_line(client.get(QUEUE + "?track=both")) == "0 ärenden"
    assert _total_line(client.get(QUEUE + "?status=all&size=100")) == "32 ärenden, visar 1–32"


def test_the_total_for_a_search_counts_its_hits(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    make_case(first_name="Alva", last_name="Andersson")
    make_case(first_name="Alva", last_name="Berg", status=Status.APPROVED)
    make_case(first_name="Bilal", last_name="Berg")
    client = client_for(caseworker)
    assert _total_line(client.post(QUEUE, {"q": "alva"})) == "Sökträffar: 2 ärenden, visar 1–2"
    assert _total_line(client.post(QUEUE, {"q": "Bilal"})) == "Sökträffar: 1 ärende, visar 1–1"
    assert _total_line(client.post(QUEUE, {"q": "Zorro"})) == "Sökträffar: 0 ärenden"


def test_the_total_groups_thousands() -> None:
    assert total_text(1) == "1 ärende"
    assert total_text(2) == "2 ärenden"
    assert total_text(12345).replace("\u00a0", " ") == "12 345 ärenden"


# --- the personnummer column (#18) --------------------------------------------------------------


def test_each_row_shows_the_birth_date_and_hides_the_last_four(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    make_case(personnummer=PNR_ALVA, first_name="Alva")
    response = client_for(caseworker).get(QUEUE)
    html = response.content.decode()
    assert "20030606-\u2022\u2022\u2022\u2022" in html
    assert PNR_ALVA not in html and "20030606-2381" not in html and "060606-2381" not in html
    assert not re.search(r"2381", html.split("<tbody>")[1].split("</tbody>")[0])
    # The full number is not even read for the queue: only its masked form.
    row = response.context["rows"][0]
    assert "personnummer" not in row.applicant.__dict__
    assert row.personnummer_masked == "20030606-\u2022\u2022\u2022\u2022"
    assert 'data-label="Personnummer"' in html


def test_a_protected_identity_shows_skyddad_and_no_birth_date(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    _may_handle_protected(caseworker)
    make_case(personnummer=PNR_ALVA, first_name="Alva", protected_identity=True)
    response = client_for(caseworker).get(QUEUE)
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    assert "Skyddad" in body
    assert "20030606" not in body and "2381" not in body
    assert response.context["rows"][0].personnummer_masked == ""
    # Sorted by birth date, a protected case's key is no birth date either (nor in any cursor).
    sorted_page = client_for(caseworker).get(QUEUE + "?sort=personnummer")
    assert "20030606" not in sorted_page.content.decode()


# --- keyset pagination ------------------------------------------------------------------------


def walk(client: Client, url: str) -> tuple[list[str], list[list[str]]]:
    """Follow "Nästa sida" to the end, then "Föregående sida" back; return what each showed."""
    forward: list[list[str]] = []
    response = client.get(url)
    while True:
        forward.append(listed(response))
        if not response.context["next_query"]:
            break
        response = client.get(QUEUE + response.context["next_query"])
    backward = [listed(response)]
    while response.context["previous_query"]:
        response = client.get(QUEUE + response.context["previous_query"])
        backward.append(listed(response))
    return [ref for page in forward for ref in page], [*reversed(backward)]


def test_exactly_one_page_has_no_next_and_no_previous_link(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    for _ in range(25):
        make_case()
    response = client_for(caseworker).get(QUEUE)
    assert len(listed(response)) == 25
    assert response.context["next_query"] == ""
    assert response.context["previous_query"] == ""
    assert "Nästa sida" not in response.content.decode()


def test_the_26th_row_is_on_page_two_and_pages_walk_both_ways_without_gaps(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    # Ties on the sort key: the id breaks them, so no row is skipped or shown twice.
    cases = [make_case(submitted_at=NOW - timedelta(days=1 + n // 10)) for n in range(26)]
    expected = [c.reference for c in sorted(cases, key=lambda c: (c.submitted_at, c.pk))]
    client = client_for(caseworker)
    first = client.get(QUEUE)
    assert listed(first) == expected[:25]
    assert "Nästa sida" in first.content.decode()
    second = client.get(QUEUE + first.context["next_query"])
    assert listed(second) == expected[25:]
    assert second.context["next_query"] == ""
    assert "Föregående sida" in second.content.decode()
    back = client.get(QUEUE + second.context["previous_query"])
    assert listed(back) == expected[:25]
    assert back.context["previous_query"] == ""  # the first page again

    everything, _pages = walk(client, QUEUE)
    assert everything == expected


@pytest.mark.parametrize("sort", ["submitted", "due", "month", "reference"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_keyset_pages_cover_every_row_once_for_every_sort(
    make_case: Callable[..., Application], caseworker: User, sort: str, direction: str
) -> None:
    for n in range(60):
        make_case(
            month=date(2026, 1 + n % 3, 1),
            submitted_at=NOW - timedelta(hours=n % 7),
            decision_due_at=None if n % 4 == 0 else NOW + timedelta(hours=n % 5),
        )
    client = client_for(caseworker)
    everything, pages_back = walk(client, QUEUE + f"?sort={sort}&dir={direction}")
    all_rows = listed(client.get(QUEUE + f"?sort={sort}&dir={direction}&size=100"))
    assert len(all_rows) == 60
    assert everything == all_rows
    assert [len(page) for page in pages_back] == [25, 25, 10]
    assert [ref for page in pages_back for ref in page] == all_rows


def test_page_size_100_is_allowed_and_others_fall_back_to_25(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    for _ in range(30):
        make_case()
    client = client_for(caseworker)
    assert len(listed(client.get(QUEUE + "?size=100"))) == 30
    assert len(listed(client.get(QUEUE + "?size=5000"))) == 25


def test_a_broken_or_foreign_cursor_shows_the_first_page(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    cases = [make_case(submitted_at=NOW - timedelta(days=n)) for n in range(3)]
    client = client_for(caseworker)
    first_ref = cases[-1].reference  # the oldest
    for cursor in ("%%%", "bm90IGpzb24", cursor_encode("month", date(2026, 11, 1), cases[0].pk)):
        assert listed(client.get(QUEUE + f"?after={cursor}"))[0] == first_ref


def test_cursor_round_trip() -> None:
    when = datetime(2026, 11, 18, 9, 0, tzinfo=STOCKHOLM)
    assert cursor_decode("submitted", cursor_encode("submitted", when, 7)) == Cursor(when, 7, 1)
    assert cursor_decode("month", cursor_encode("month", date(2026, 1, 1), 3, 0, 24)) == Cursor(
        date(2026, 1, 1), 3, 0, 24
    )
    assert cursor_decode("reference", cursor_encode("reference", "EB-A", 1)) == Cursor("EB-A", 1)
    assert cursor_decode("due", cursor_encode("submitted", when, 7)) is None


def test_a_cursor_for_a_name_or_birth_date_sort_carries_no_key() -> None:
    """#18: a name, a birth date, an amount are looked up again from the row's id; the URL names
    no one."""
    for sort in ("name", "personnummer", "status", "warnings", "amount", "owner"):
        cursor = cursor_encode(sort, "Alva Andersson 20030606", 9, 1, 50)
        assert "Alva" not in base64.urlsafe_b64decode(cursor + "===").decode()
        assert cursor_decode(sort, cursor) == Cursor(None, 9, 1, 50)
    # A cursor that does carry a key for such a sort is not ours: the first page.
    forged = base64.urlsafe_b64encode(b'["name","Alva",9,1,0]').decode().rstrip("=")
    assert cursor_decode("name", forged) is None


def test_changing_a_filter_starts_again_at_the_first_page() -> None:
    params = queue_params_parse(_query("after=abc&track=work&size=100"))
    assert params.querystring(track="social") == "?track=social&size=100"
    assert params.querystring(after="xyz") == "?track=work&size=100&after=xyz"


def _query(text: str):
    from django.http import QueryDict

    return QueryDict(text)


# --- htmx ----------------------------------------------------------------------------------------


def test_htmx_requests_get_only_the_results_partial(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    case = make_case(track=Track.WORK)
    client = client_for(caseworker)
    headers = {"HX-Request": "true", "HX-Target": "queue-results"}
    partial = client.get(QUEUE + "?track=work", headers=headers)
    html = partial.content.decode()
    assert html.lstrip().startswith('<div id="queue-results"') or 'id="queue-results"' in html
    assert "<html" not in html and case.reference in html
    searched = client.post(QUEUE, {"q": case.reference}, headers=headers).content.decode()
    assert "<html" not in searched and case.reference in searched
    full = client.get(QUEUE + "?track=work").content.decode()
    assert "<html" in full and 'id="queue-results"' in full


def test_filter_sort_and_page_links_update_the_results_in_place_and_push_the_url(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    for _ in range(26):
        make_case()
    html = client_for(caseworker).get(QUEUE).content.decode()
    links = html.split("<a ")[1:]
    queue_links = [link for link in links if 'href="/handlaggare/?' in link]
    assert len(queue_links) > 20
    for link in queue_links:
        assert 'hx-target="#queue-results"' in link and 'hx-push-url="true"' in link, link
    assert 'rel="next"' in html
    assert 'hx-history="false"' in html


# --- bulk assign --------------------------------------------------------------------------------


def test_bulk_assign_gives_the_cases_to_a_colleague_with_a_journal_entry_each(
    make_case: Callable[..., Application], caseworker: User, colleague: User
) -> None:
    first, second = make_case(), make_case()
    untouched = make_case()
    client = client_for(caseworker)
    response = client.post(
        reverse("caseworker:queue_assign") + "?track=work",
        {"ids": [first.pk, second.pk], "owner": colleague.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?track=work"
    for case in (first, second):
        case.refresh_from_db()
        assert case.owner == colleague
        entry = case.journal.get()
        assert entry.text.startswith("Ärendet tilldelat Kollega Testsson av Handlaggare Testsson")
        assert entry.author == caseworker
        assert case.access_log.get().action == AccessAction.CHANGE
    untouched.refresh_from_db()
    assert untouched.owner == caseworker and not untouched.journal.exists()


def test_a_team_lead_may_assign(
    make_case: Callable[..., Application], team_lead: User, colleague: User
) -> None:
    case = make_case()
    client_for(team_lead).post(
        reverse("caseworker:queue_assign"), {"ids": [case.pk], "owner": colleague.pk}
    )
    case.refresh_from_db()
    assert case.owner == colleague


def test_bulk_assign_refuses_another_municipalitys_case_and_changes_nothing(
    make_case: Callable[..., Application],
    caseworker: User,
    colleague: User,
    svedala: Municipality,
    svedala_caseworker: User,
) -> None:
    mine = make_case()
    theirs = make_case(municipality=svedala, owner=svedala_caseworker)
    client = client_for(caseworker)
    response = client.post(
        reverse("caseworker:queue_assign"),
        {"ids": [mine.pk, theirs.pk], "owner": colleague.pk},
        follow=True,
    )
    assert "Inget har ändrats" in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.owner == caseworker and theirs.owner == svedala_caseworker
    assert not mine.journal.exists() and not AccessLog.objects.exists()


def test_bulk_assign_refuses_a_decided_case(
    make_case: Callable[..., Application], caseworker: User, colleague: User
) -> None:
    decided = make_case(status=Status.APPROVED)
    client_for(caseworker).post(
        reverse("caseworker:queue_assign"), {"ids": [decided.pk], "owner": colleague.pk}
    )
    decided.refresh_from_db()
    assert decided.owner == caseworker


@pytest.mark.parametrize("who", ["secretary", "svedala_caseworker", "applicant"])
def test_the_owner_must_be_a_caseworker_or_team_lead_of_the_same_municipality(
    make_case: Callable[..., Application],
    caseworker: User,
    request: pytest.FixtureRequest,
    who: str,
) -> None:
    owner = request.getfixturevalue(who)
    case = make_case()
    response = client_for(caseworker).post(
        reverse("caseworker:queue_assign"), {"ids": [case.pk], "owner": owner.pk}, follow=True
    )
    assert "Ärenden kan bara tilldelas en handläggare eller gruppledare" in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.owner == caseworker


def test_an_inactive_colleague_cannot_be_given_cases(
    make_case: Callable[..., Application], caseworker: User, colleague: User
) -> None:
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    case = make_case()
    client_for(caseworker).post(
        reverse("caseworker:queue_assign"), {"ids": [case.pk], "owner": colleague.pk}
    )
    case.refresh_from_db()
    assert case.owner == caseworker


def test_a_secretary_cannot_bulk_assign(
    make_case: Callable[..., Application], secretary: User, colleague: User
) -> None:
    case = make_case()
    response = client_for(secretary).post(
        reverse("caseworker:queue_assign"), {"ids": [case.pk], "owner": colleague.pk}
    )
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.owner != colleague


def test_bulk_assign_by_htmx_answers_with_the_updated_results(
    make_case: Callable[..., Application], caseworker: User, colleague: User
) -> None:
    case = make_case()
    response = client_for(caseworker).post(
        reverse("caseworker:queue_assign") + f"?assignee={colleague.pk}",
        {"ids": [case.pk], "owner": colleague.pk},
        headers={"HX-Request": "true", "HX-Target": "queue-results"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "1 ärende tilldelat Kollega Testsson." in html
    assert listed(response) == [case.reference]  # the filter kept: now the colleague's case


def test_the_assign_select_offers_only_colleagues_in_my_municipality(
    make_case: Callable[..., Application],
    caseworker: User,
    colleague: User,
    team_lead: User,
    secretary: User,
    svedala_caseworker: User,
) -> None:
    response = client_for(caseworker).get(QUEUE)
    assert set(response.context["colleagues"]) == {caseworker, colleague, team_lead}


# --- the number of queries -----------------------------------------------------------------------


def _queue_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("size", [25, 100])
def test_the_query_count_does_not_grow_with_the_rows(
    trelleborg: Municipality, caseworker: User, colleague: User, size: int
) -> None:
    client = client_for(caseworker)
    url = QUEUE + f"?size={size}&status=all"
    queue_rows_create(municipality=trelleborg, owners=[caseworker, colleague], count=10)
    client.get(url)  # the first page of a process also reads the maintenance banner (kept 30 s)
    few = _queue_queries(client, url)
    queue_rows_create(municipality=trelleborg, owners=[caseworker, colleague], count=190, start=10)
    many = _queue_queries(client, url)
    assert few == many
    # And the next page, a search and every filter at once cost the same.
    response = client.get(url)
    assert len(response.context["rows"]) == size if size == 25 else 100
    assert _queue_queries(client, QUEUE + response.context["next_query"]) == many
    assert (
        _queue_queries(client, url + f"&warnings=yes&track=work&assignee={colleague.pk}"
                       "&age=2&deadline=later&sort=due&dir=desc")
        == many
    )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        client.post(url, {"q": "Förnamn1"})
    assert len(queries) == many


def test_rows_carry_open_warnings_and_the_latest_proposal_without_extra_queries(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    case = make_case()
    for round_, amount in ((1, "1000"), (2, "2500")):
        Proposal.objects.create(
            application=case,
            round=round_,
            eligible=True,
            amount=Decimal(amount),
            norm=Decimal(5220),
            parameter_version="t",
            as_of=case.month,
        )
    with CaptureQueriesContext(connection) as queries:
        page = queue_page(user=caseworker, params=QueueParams(), now=NOW)
        row = page.rows[0]
        assert (row.proposal_amount, row.open_warnings) == (Decimal("2500.00"), 0)
        assert row.applicant.display_name() and row.owner.display_name()
    assert len(queries) == 1


def test_only_a_chosen_filter_is_marked_current(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    make_case()
    client = client_for(caseworker)
    assert 'aria-current="true"' not in client.get(QUEUE).content.decode().split("</aside>")[0]
    html = client.get(QUEUE + "?status=awaiting_caseworker").content.decode()
    aside = html.split("</aside>")[0]
    assert aside.count('aria-current="true"') == 1
    current = aside.split('aria-current="true"')[1].split("</a>")[0]
    assert "Väntar på handläggare" in current


# --- counts: grouped, exact and live --------------------------------------------------------


@pytest.mark.parametrize(
    "chosen",
    [
        {},
        {"status": "all"},
        {"status": "decided", "track": "work"},
        {"warnings": "yes", "assignee": "me"},
        {"age": "7", "deadline": "later", "status": "all"},
        {"track": "undecided", "warnings": "no", "deadline": "none"},
    ],
)
def test_every_count_equals_the_cases_its_filter_lists(
    caseworker: User, colleague: User, trelleborg: Municipality, chosen: dict[str, str]
) -> None:
    # Varied cases in every state, track, owner, age and deadline (bench/queue_rows.py), with
    # live warnings on some: the grouped counts must say what filtering by each value lists.
    queue_rows_create(municipality=trelleborg, owners=[caseworker, colleague], count=300, now=NOW)
    colleague_ids = [caseworker.pk, colleague.pk]
    params = QueueParams(**chosen)
    counts = queue_counts(user=caseworker, params=params, now=NOW, colleague_ids=colleague_ids)
    from caseworker.workbench.queue import queue_filtered

    for facet, values in counts.items():
        for value, count in values.items():
            narrowed = replace(params, **{facet: value})
            expected = queue_filtered(user=caseworker, params=narrowed, now=NOW).count()
            assert count == expected, (facet, value, count, expected)


def test_counts_are_live_like_the_rows(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    # Kept in a table in the same transaction as each change (#20 c): never a cached count.
    make_case()
    client = client_for(caseworker)
    first = client.get(QUEUE)
    assert counts_of(first, "status")["Alla aktuella"] == 1
    newer = make_case()
    again = client.get(QUEUE)
    assert newer.reference in listed(again)
    assert counts_of(again, "status")["Alla aktuella"] == 2
    searched = client.post(QUEUE, {"q": "Test"})
    assert counts_of(searched, "status")["Alla aktuella"] == 2


# --- emergencies first (#16 item 14) ------------------------------------------------------------


@pytest.mark.parametrize("sort", ["submitted", "due", "month", "reference"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_an_open_emergency_is_first_in_every_order(
    make_case: Callable[..., Application], caseworker: User, sort: str, direction: str
) -> None:
    ordinary = [
        make_case(submitted_at=NOW - timedelta(days=n + 1), decision_due_at=NOW + timedelta(days=n))
        for n in range(30)
    ]
    emergency = make_case(
        submitted_at=NOW - timedelta(minutes=5),
        decision_due_at=NOW + timedelta(days=40),
        emergency_no_food=True,
        emergency_eviction_notice=True,
    )
    make_case(status=Status.APPROVED, emergency_no_food=True)  # decided: not first any more
    # One ordinary case that every plain order would put first when descending: submitted
    # after the emergency, the latest deadline, a later month.
    ordinary.append(
        make_case(
            submitted_at=NOW - timedelta(minutes=1),
            decision_due_at=NOW + timedelta(days=100),
            month=date(2026, 12, 1),
        )
    )
    client = client_for(caseworker)
    response = client.get(QUEUE + f"?sort={sort}&dir={direction}")
    refs = listed(response)
    assert refs[0] == emergency.reference
    assert len(refs) == 25
    # The rest keep the caseworker's order; paging on from the first page finds every case once.
    rest = refs[1:]
    nxt = response.context["next_query"]
    while nxt:
        page = client.get(QUEUE + nxt)
        rest += listed(page)
        nxt = page.context["next_query"]
    assert sorted(rest) == sorted(c.reference for c in ordinary)
    assert emergency.reference not in rest


def test_paging_back_to_the_first_page_brings_the_emergency_back_on_top(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    for n in range(30):
        make_case(submitted_at=NOW - timedelta(days=n + 1))
    emergency = make_case(submitted_at=NOW - timedelta(minutes=5), emergency_no_food=True)
    client = client_for(caseworker)
    second = client.get(QUEUE + client.get(QUEUE).context["next_query"])
    back = client.get(QUEUE + second.context["previous_query"])
    assert listed(back)[0] == emergency.reference


def test_emergencies_have_a_marker_and_a_filter(
    make_case: Callable[..., Application], caseworker: User
) -> None:
    make_case()
    make_case()
    emergency = make_case(emergency_eviction_notice=True)
    client = client_for(caseworker)
    response = client.get(QUEUE)
    assert counts_of(response, "emergency") == {"Alla": 3, "Akuta ärenden": 1, "Inte akuta": 2}
    html = response.content.decode()
    assert html.count('class="marker emergency-marker"') == 1
    assert listed(client.get(QUEUE + "?emergency=yes")) == [emergency.reference]
    assert emergency.reference not in listed(client.get(QUEUE + "?emergency=no"))


def test_bulk_assign_with_nothing_ticked_says_so_and_one_case_is_singular(
    trelleborg: Municipality, caseworker: User, make_staff: Callable[..., User]
) -> None:
    """#18: no confirmation after a bulk assign, and nothing at all when nothing was ticked."""
    colleague = make_staff("kollega", Role.CASEWORKER, trelleborg)
    case = case_make(trelleborg, caseworker)
    client = client_for(caseworker)
    url = reverse("caseworker:queue_assign")
    nothing = client.post(url, {"owner": colleague.pk}, follow=True).content.decode()
    assert "Markera de ärenden som ska tilldelas." in nothing
    one = client.post(url, {"owner": colleague.pk, "ids": [case.pk]}, follow=True)
    assert f"1 ärende tilldelat {colleague.display_name()}." in one.content.decode()
    case.refresh_from_db()
    assert case.owner_id == colleague.pk


def test_a_case_number_is_found_without_its_prefix(
    trelleborg: Municipality, caseworker: User
) -> None:
    """#18 stranger run: "kapxs2t5" found nothing for EB-KAPXS2T5."""
    case = case_make(trelleborg, caseworker)
    response = client_for(caseworker).post(
        reverse("caseworker:queue"), {"q": case.reference.removeprefix("EB-").lower()}
    )
    assert listed(response) == [case.reference]
