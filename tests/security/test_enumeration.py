"""No form that names another person answers differently because of that person's applications.

#14 item 2: an applicant who typed someone's personnummer as partner or child and signed learned
whether that person was in an application this month, in any municipality; a caseworker
registering a person learned it across municipalities (separate authorities under secrecy).
Here every form that looks up another person is sent twice, once with the named person in a
live application and once without, and the two answers must be the same: status, where it
redirects, and the page (with tokens, ids and references blotted out). The robot links the
cases, for the municipality that owns them, and nobody else (tests/eligibility).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import transaction

from accounts.eid import EidIdentity
from accounts.models import Municipality, Role, User
from accounts.services import applicant_get_or_create
from intake import services as intake
from intake.models import Application
from tests.builders import client_for
from tests.conftest import PNR_BILAL, PNR_CARINA

NOVEMBER = date(2026, 11, 1)
BLOTS = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken": ""'),
    (re.compile(r"EB-[A-Z0-9]{8}"), "EB-REF"),
    (re.compile(r"/\d+/"), "/N/"),
    (re.compile(r"\b\d{1,6}\b"), "N"),
    (re.compile(r'nonce="[^"]+"'), 'nonce=""'),
]


def blotted(page: str) -> str:
    for pattern, replacement in BLOTS:
        page = pattern.sub(replacement, page)
    return page


def answer(response: object) -> tuple[int, str, str]:
    """What a person sees of a response: status, redirect target (blotted) and page (blotted)."""
    status = response.status_code
    location = blotted(response.get("Location", ""))
    page = blotted(response.content.decode()) if status == 200 else ""
    return status, location, page


def assert_same(without: list[tuple[int, str, str]], with_them: list[tuple[int, str, str]]) -> None:
    """The same answers, or the lines in which they differ (what an attacker could read)."""
    assert len(with_them) == len(without)
    for step, (one, other) in enumerate(zip(without, with_them, strict=True)):
        assert one[:2] == other[:2], f"step {step}: {one[:2]} != {other[:2]}"
        diff = [
            line
            for line in difflib.unified_diff(
                one[2].splitlines(), other[2].splitlines(), lineterm=""
            )
            if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
        ]
        assert not diff, f"step {step} differs:\n" + "\n".join(diff[:40])


@contextmanager
def rolled_back() -> Iterator[None]:
    """Everything inside is undone afterwards, so the second world starts as the first did."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def staffed(
    make_staff: Callable[..., User],
    caseworker: User,
    secretary: User,
    trelleborg: Municipality,
    svedala: Municipality,
) -> None:
    """Both municipalities have a caseworker and a secretary (owners and meetings)."""
    make_staff("svedala_cw", Role.CASEWORKER, svedala)
    make_staff("svedala_sek", Role.SECRETARY, svedala)


@pytest.fixture
def carina(db: None) -> User:
    return applicant_get_or_create(identity=EidIdentity(PNR_CARINA, "Carina", "Dahl"))


@pytest.fixture
def bilal(db: None) -> User:
    return applicant_get_or_create(identity=EidIdentity(PNR_BILAL, "Bilal", "Berg"))


@pytest.fixture
def carina_has_applied(
    carina: User, make_draft: Callable[..., Application], django_capture_on_commit_callbacks
) -> Callable[[Municipality], Application]:
    """Carina's own application this month, submitted and processed by the robot."""

    def applied(municipality: Municipality) -> Application:
        draft = make_draft(carina, month=NOVEMBER, municipality=municipality)
        with django_capture_on_commit_callbacks(execute=True):
            intake.application_submit(application=draft, applicant=carina)
        draft.refresh_from_db()
        return draft

    return applied


def both_worlds(
    flow: Callable[[], list[tuple[int, str, str]]],
    carina_has_applied: Callable[[Municipality], Application],
    municipality: Municipality,
) -> tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]]:
    with rolled_back():
        without = flow()
    with rolled_back():
        carina_has_applied(municipality)
        with_her = flow()
    return without, with_her


WHERE = ["trelleborg", "svedala"]


@pytest.mark.parametrize("where", WHERE)
@pytest.mark.parametrize("role", ["partner", "child"])
def test_an_applicant_who_names_someone_learns_nothing_of_their_applications(
    request: pytest.FixtureRequest,
    where: str,
    role: str,
    bilal: User,
    trelleborg: Municipality,
    make_draft: Callable[..., Application],
    carina_has_applied: Callable[[Municipality], Application],
) -> None:
    def flow() -> list[tuple[int, str, str]]:
        draft = make_draft(bilal, month=NOVEMBER)
        intake.application_set_household(
            application=draft,
            applicant_name="Bilal Berg",
            others=[intake.MemberInput(role, "Carina Dahl", PNR_CARINA)],
        )
        client = client_for(bilal)
        answers = [answer(client.get(f"/ansokan/{draft.pk}/granska/"))]
        signed = client.post(f"/ansokan/{draft.pk}/granska/", {"declaration": "on"})
        answers.append(answer(signed))
        answers.append(answer(client.get(signed["Location"])))
        answers.append(answer(client.get(f"/ansokan/{draft.pk}/")))
        answers.append(answer(client.get("/ansokan/")))
        return answers

    without, with_her = both_worlds(flow, carina_has_applied, request.getfixturevalue(where))
    assert without[1][0] == 302  # the signature went through in both worlds
    assert_same(without, with_her)


@pytest.mark.parametrize("where", WHERE)
def test_a_person_named_in_someone_elses_application_starts_their_own_unaware(
    request: pytest.FixtureRequest,
    where: str,
    bilal: User,
    carina: User,
    trelleborg: Municipality,
    make_draft: Callable[..., Application],
    django_capture_on_commit_callbacks,
) -> None:
    """Bilal's signed joint application names Carina; Carina starting her own month sees the
    same as if it did not (she is asked to co-sign it through its own page, not told here)."""
    municipality = request.getfixturevalue(where)

    def flow() -> list[tuple[int, str, str]]:
        client = client_for(carina)
        started = client.post("/ansokan/ny/", {"municipality": trelleborg.pk})
        return [answer(started), answer(client.get(started["Location"]))]

    with rolled_back():
        without = flow()
    with rolled_back():
        draft = make_draft(bilal, month=NOVEMBER, municipality=municipality)
        intake.application_set_household(
            application=draft,
            applicant_name="Bilal Berg",
            others=[intake.MemberInput("child", "Carina Dahl", PNR_CARINA)],
        )
        with django_capture_on_commit_callbacks(execute=True):
            intake.application_submit(application=draft, applicant=bilal)
        with_him = flow()
    assert without[0][0] == 302
    assert_same(without, with_him)


def test_staff_registering_a_person_learn_nothing_of_another_municipalitys_cases(
    caseworker: User,
    svedala: Municipality,
    carina_has_applied: Callable[[Municipality], Application],
) -> None:
    def flow() -> list[tuple[int, str, str]]:
        client = client_for(caseworker)
        started = client.post(
            "/handlaggare/registrera/", {"personnummer": PNR_CARINA, "channel": "paper"}
        )
        answers = [answer(started)]
        if started.status_code == 302:
            answers.append(answer(client.get(started["Location"])))
        return answers

    without, with_her = both_worlds(flow, carina_has_applied, svedala)
    assert without[0][0] == 302  # a draft to register, in both worlds
    assert_same(without, with_her)
    # And the Svedala application was not touched by a Trelleborg caseworker.
    assert not Application.objects.filter(assisted_by=caseworker, municipality=svedala).exists()


@pytest.mark.parametrize("where", WHERE)
def test_staff_submitting_a_paper_application_learn_nothing_of_the_partners_applications(
    request: pytest.FixtureRequest,
    where: str,
    caseworker: User,
    bilal: User,
    trelleborg: Municipality,
    carina_has_applied: Callable[[Municipality], Application],
) -> None:
    def flow() -> list[tuple[int, str, str]]:
        client = client_for(caseworker)
        started = client.post(
            "/handlaggare/registrera/", {"personnummer": PNR_BILAL, "channel": "paper"}
        )
        draft = Application.objects.get(applicant=bilal, municipality=trelleborg)
        intake.application_set_household(
            application=draft,
            applicant_name="Bilal Berg",
            others=[intake.MemberInput("partner", "Carina Dahl", PNR_CARINA)],
        )
        intake.application_set_costs(application=draft, costs={"rent": 6000})
        sent = client.post(
            f"/handlaggare/registrera/{draft.pk}/papper/",
            {
                "paper-document_reference": "Dnr 2026/77",
                "paper-received_on": "2026-11-17",
                "paper-note": "",
            },
        )
        return [answer(started), answer(sent), answer(client.get(sent["Location"]))]

    without, with_her = both_worlds(flow, carina_has_applied, request.getfixturevalue(where))
    assert without[1][0] == 302
    assert_same(without, with_her)
