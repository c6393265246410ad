"""The needs screen's effect on routing: pure, no database."""

from __future__ import annotations

import pytest

from meetings.routing import Indicators, Needs, suggest_track

ONE_ADULT = Indicators(adults=1)


def test_no_answers_means_the_work_track_alone() -> None:
    work, social, reasons = suggest_track([], ONE_ADULT)

    assert (work, social) == (True, False)
    assert reasons and "Arbetsspåret" in reasons[0]


@pytest.mark.parametrize(
    ("need", "expected"),
    [
        pytest.param("violence", (True, True), id="violence-both"),
        pytest.param("substance_use", (True, True), id="substance-both"),
        pytest.param("housing_risk", (True, True), id="eviction-both"),
        pytest.param("caring_for_others", (True, True), id="carer-both"),
        pytest.param("debt", (True, True), id="debt-both"),
        pytest.param("health", (True, True), id="health-both"),
        pytest.param("language", (True, False), id="language-work-only"),
    ],
)
def test_each_need_adds_its_track(need: str, expected: tuple[bool, bool]) -> None:
    work, social, reasons = suggest_track(Needs(**{need: True}), ONE_ADULT)

    assert (work, social) == expected
    assert len(reasons) >= 1


def test_any_adults_need_counts_for_the_household() -> None:
    answers = [Needs(), Needs(violence=True)]

    work, social, reasons = suggest_track(answers, Indicators(adults=2))

    assert (work, social) == (True, True)
    assert any("Våld" in reason for reason in reasons)


def test_nobody_able_to_work_goes_to_the_social_track_only() -> None:
    work, social, reasons = suggest_track([], Indicators(adults=1, adults_of_pension_age=1))

    assert (work, social) == (False, True)
    assert any("arbetsmarknadens" in reason for reason in reasons)


def test_sick_single_adult_with_health_need_is_social_only() -> None:
    work, social, _reasons = suggest_track(
        Needs(health=True), Indicators(adults=1, adults_on_sickness_benefit=1)
    )

    assert (work, social) == (False, True)


def test_a_couple_where_one_can_work_keeps_the_work_track() -> None:
    work, social, _reasons = suggest_track(
        [Needs(), Needs(debt=True)], Indicators(adults=2, adults_on_sickness_benefit=1)
    )

    assert (work, social) == (True, True)


def test_at_least_one_track_always() -> None:
    for pension in range(3):
        work, social, _ = suggest_track([], Indicators(adults=2, adults_of_pension_age=pension))
        assert work or social
