"""Template tags for ownership (#7), usable from the applicant's status page without intake
importing caseworker: `{% load ownership_tags %}{% case_contact application as contact %}`."""

from __future__ import annotations

from django import template

from caseworker.caseload.referrals import CaseContact, case_contact, referrals_open_for
from caseworker.caseload.reminders import reminders_on_case
from caseworker.models.caseload import Referral, Reminder
from intake.models import Application

register = template.Library()


@register.simple_tag
def case_contact_for(application: Application) -> CaseContact | None:
    """Who has the applicant's case and by when they will be contacted."""
    return case_contact(application)


@register.simple_tag
def case_referrals(application: Application) -> list[Referral]:
    return list(
        referrals_open_for(application).select_related("from_owner", "to_owner").order_by("pk")
    )


@register.simple_tag
def case_reminders(application: Application) -> list[Reminder]:
    return list(reminders_on_case(application).filter(done_at__isnull=True))
