"""Standard reasons: a safe renderer, values from the case, national defaults and local texts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from accounts.models import Municipality
from caseworker.letters.reasons import (
    DEFAULT_REASONS,
    reason_template_get,
    reason_templates_load,
    reason_values,
)
from caseworker.models.letters import ReasonTemplate
from caseworker.wording import reason_render
from eligibility.models import Proposal
from intake.models import Application

# Reads today's date: also runs at every moment of the date matrix (tests/clock.py).
pytestmark = pytest.mark.dates

VALUES = {"namn": "Alva Andersson", "belopp": "5 220 kr", "månad": "november 2026"}


def test_allowed_placeholders_are_filled() -> None:
    rendered = reason_render("{namn} beviljas {belopp} för {månad}.", VALUES)
    assert rendered.text == "Alva Andersson beviljas 5 220 kr för november 2026."
    assert rendered.complete


def test_an_unknown_placeholder_stays_visible_and_is_flagged() -> None:
    rendered = reason_render("Hej {namn}, ditt {okänt} är {hyra}.", VALUES)
    assert rendered.text == "Hej Alva Andersson, ditt {okänt} är {hyra}."
    assert rendered.unknown == ("okänt", "hyra")  # hyra is allowed but has no value here
    assert not rendered.complete


@pytest.mark.parametrize(
    "template",
    ["{namn.__class__}", "{namn.__class__.__mro__}", "{belopp[0]}", "{namn!r}", "{namn:>40}"],
)
def test_no_attribute_index_conversion_or_format_access(template: str) -> None:
    rendered = reason_render(template, VALUES)
    assert rendered.text == template
    assert rendered.unknown
    assert "class" not in rendered.text.replace(template, "")


def test_attribute_access_never_reaches_an_object() -> None:
    class Secret:
        password = "hemligt"

        def __str__(self) -> str:
            return "Alva"

    rendered = reason_render("{namn.password}", {"namn": Secret()})
    assert "hemligt" not in rendered.text
    assert rendered.text == "{namn.password}"


def test_doubled_braces_are_literal_braces() -> None:
    assert reason_render("{{namn}} {namn}", VALUES).text == "{namn} Alva Andersson"


def test_an_unclosed_brace_returns_the_text_unchanged_and_flags_it() -> None:
    rendered = reason_render("Beviljas {belopp", VALUES)
    assert rendered.text == "Beviljas {belopp"
    assert rendered.malformed


def test_the_national_defaults_are_seeded_and_render_completely(
    submitted_application: Application, trelleborg: Municipality
) -> None:
    from eligibility.models import HousingCostCap, MunicipalNormSettings

    settings_row = MunicipalNormSettings.objects.create(
        municipality=trelleborg, valid_from=submitted_application.month
    )
    HousingCostCap.objects.create(
        settings=settings_row, household_type="one_adult", max_amount=Decimal(5500)
    )
    proposal = Proposal.objects.get(application=submitted_application)
    values = reason_values(application=submitted_application, proposal=proposal)

    codes = set(ReasonTemplate.objects.filter(municipality=None).values_list("code", flat=True))
    assert codes == {d["code"] for d in DEFAULT_REASONS}
    assert {"approved_norm", "rejected_income_above_norm", "partly_housing_cost_above_cap"} <= codes
    assert {"rejected_savings", "rejected_missing_supplement"} <= codes
    for template in ReasonTemplate.objects.all():
        rendered = reason_render(template.text, values)
        assert rendered.complete, (template.code, rendered.unknown)
    assert values["maxhyra"] == "5\u00a0500\u00a0kr"
    assert values["hyra"] == "6\u00a0000\u00a0kr"
    assert values["månad"] == "november 2026"
    assert values["namn"] == submitted_application.applicant.display_name()


def test_a_municipality_text_replaces_the_national_default(
    trelleborg: Municipality, svedala: Municipality
) -> None:
    ReasonTemplate.objects.create(
        municipality=trelleborg, code="approved_norm", title="Lokal", text="Trelleborgs text."
    )
    assert reason_template_get(municipality=trelleborg, code="approved_norm").title == "Lokal"
    assert reason_template_get(municipality=svedala, code="approved_norm").municipality is None


def test_an_inactive_local_text_falls_back_to_the_default(trelleborg: Municipality) -> None:
    ReasonTemplate.objects.create(
        municipality=trelleborg, code="approved_norm", title="Lokal", text="x", active=False
    )
    assert reason_template_get(municipality=trelleborg, code="approved_norm").municipality is None


def test_the_command_is_safe_to_run_again_and_resets_only_with_overwrite(db: None) -> None:
    ReasonTemplate.objects.filter(code="approved_norm").update(text="Ändrad {namn}.")

    call_command("load_reason_templates")
    assert ReasonTemplate.objects.get(code="approved_norm").text == "Ändrad {namn}."
    assert ReasonTemplate.objects.filter(municipality=None).count() == len(DEFAULT_REASONS)

    assert reason_templates_load(overwrite=True) == (0, len(DEFAULT_REASONS))
    assert ReasonTemplate.objects.get(code="approved_norm").text != "Ändrad {namn}."


def test_creating_after_deletion_restores_the_defaults(db: None) -> None:
    ReasonTemplate.objects.all().delete()
    assert reason_templates_load() == (len(DEFAULT_REASONS), 0)


def test_the_admin_refuses_an_unknown_placeholder(db: None) -> None:
    template = ReasonTemplate(code="x", title="X", text="Hej {namn.__class__} och {foo}.")
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "foo" in str(error.value)


def test_the_admin_refuses_an_unclosed_brace(db: None) -> None:
    with pytest.raises(ValidationError):
        ReasonTemplate(code="x", title="X", text="Hej {namn").full_clean()


def test_the_admin_can_edit_reason_templates(db: None) -> None:
    from django.test import Client

    from accounts.models import Role, User

    admin = User.objects.create_superuser(
        username="systemforvaltare", password="x-test-pass-123", role=Role.ADMIN
    )
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/caseworker/reasontemplate/")
    assert response.status_code == 200
    assert "approved_norm" in response.content.decode()


def test_the_national_reasons_exist_again_after_a_flush(transactional_db: None) -> None:
    """A transactional test empties every table when it ends; the reasons other tests need come
    back with post_migrate, as content types do (they went missing in random order, #13)."""
    call_command("flush", interactive=False, verbosity=0)
    national = ReasonTemplate.objects.filter(municipality__isnull=True)
    assert sorted(national.values_list("code", flat=True)) == sorted(
        r["code"] for r in DEFAULT_REASONS
    )
