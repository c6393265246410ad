"""#17: the decision letter carries a short summary in the applicant's language (the Swedish text
is the decision)."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.models import User
from caseworker.letters.render import letter_html, letter_pdf
from intake.models import Decision

pytestmark = [pytest.mark.dates, pytest.mark.django_db]


def test_no_summary_for_a_swedish_reader(approved: Decision) -> None:
    assert 'class="summary"' not in letter_html(approved)


@pytest.mark.parametrize(
    ("language", "heading", "granted"),
    [
        ("en", "Summary in your language", "You have been granted"),
        ("ar", "ملخص بلغتك", "حصلت على مساعدة"),
    ],
)
def test_the_letter_summarises_the_decision_in_the_applicants_language(
    approved: Decision, applicant: User, language: str, heading: str, granted: str
) -> None:
    applicant.language = language
    applicant.save(update_fields=["language"])
    html = letter_html(approved, notified_on=date(2026, 11, 2))
    summary = html.split('class="summary"')[1].split("</section>")[0]
    assert f'lang="{language}"' in html.split('class="summary"')[0][-60:] + summary[:40]
    assert heading in summary and granted in summary
    assert "23" in summary  # the appeal deadline, three weeks from 2 November
    assert "Beslut" in html  # the decision itself stays in Swedish
    assert letter_pdf(html).startswith(b"%PDF")
