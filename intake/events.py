"""What the application announces, and what it asks the layers above (kernel.events, ADR 0012).

intake is below the robot (eligibility) and below who decides (caseworker): it imports neither.
These topics are how it reaches them; each higher app subscribes in its `AppConfig.ready()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.http import HttpResponseBase
from django.template.response import SimpleTemplateResponse

from kernel.events import Topic

if TYPE_CHECKING:
    from accounts.models import Municipality, User
    from intake.models import Application


@dataclass(frozen=True)
class OwnerQuery:
    municipality: Municipality
    application: Application | None
    preferred: User | None = None  # kept when they may own the case (a standing decision)


@dataclass(frozen=True)
class HouseholdQuery:
    personnummer: str
    month: date
    municipality_code: str
    case_reference: str


@dataclass(frozen=True)
class ResidenceQuery:
    personnummer: str
    month: date


@dataclass(frozen=True)
class IncomeQuery:
    personnummers: tuple[str, ...]  # the adults of the household
    month: date
    municipality_code: str
    case_reference: str


@dataclass(frozen=True)
class RegisteredMember:
    role: str  # "partner" or "child" (MemberRole values)
    name: str
    personnummer: str


@dataclass(frozen=True)
class ApplicationShown:
    application: Application
    user: User


# Submitted (after commit, with the application's id): the robot takes it (eligibility).
application_submitted: Topic[int, None] = Topic("intake.application_submitted")
# An emergency submitted (after commit): the on-call caseworker and the alerts (caseworker);
# what the handlers return is not used.
emergency_submitted: Topic[int, object] = Topic("intake.emergency_submitted")
# Who owns a newly submitted case (inside the submit's transaction): one answer (caseworker).
owner_for_new_case: Topic[OwnerQuery, User] = Topic("intake.owner_for_new_case", single=True)
# The partner and children the population register places with the applicant, to propose the
# household; None when the register could not answer (eligibility).
registered_household: Topic[HouseholdQuery, list[RegisteredMember] | None] = Topic(
    "intake.registered_household", single=True
)
# The household's monthly payments from Försäkringskassan (and Pensionsmyndigheten) by income
# type, net, in the month before the one applied for, to propose the incomes; None when the
# register could not answer (eligibility).
registered_incomes: Topic[IncomeQuery, dict[str, Decimal] | None] = Topic(
    "intake.registered_incomes", single=True
)
# The municipality code (kommunkod) where the population register places the person, to propose
# where to apply; None when the register could not answer (eligibility).
registered_municipality: Topic[ResidenceQuery, str | None] = Topic(
    "intake.registered_municipality", single=True
)
# The applicant's status page: more to show (merged into the page's context; the case's contact
# person, a decision's appeal deadline), and that it was shown (a decision counts as opened).
status_page_context: Topic[Application, dict[str, object]] = Topic(
    "intake.status_page_context", required=False
)
application_shown: Topic[ApplicationShown, None] = Topic("intake.application_shown")


@dataclass(frozen=True)
class TimelineEntry:
    """One thing that happened to the case, as the applicant's timeline shows it."""

    at: datetime
    title: str
    detail: str = ""
    link: str = ""
    link_text: str = ""
    kind: str = (
        ""  # received, robot, request, document, message, decision, payment, meeting, appeal
    )


# The applicant's timeline: what other layers know happened (payments, meetings, requests for
# documents); each subscriber returns its entries, in the reader's language (caseworker, meetings).
status_timeline: Topic[Application, list[TimelineEntry]] = Topic(
    "intake.status_timeline", required=False
)
# An appeal sent online (inside its transaction, with the appeal's id): the case's owner is
# told and the journal records it, for reconsideration first (FL 37–39 §§) (caseworker).
appeal_received: Topic[int, None] = Topic("intake.appeal_received")
# A joint application signed by the applicant (after commit, with its id): the partner is asked
# to sign through their channel (notifications).
partner_signature_requested: Topic[int, None] = Topic("intake.partner_signature_requested")
# A document sent after the application (inside the upload's transaction, with the attachment's
# id): the case's journal records it, so the caseworker sees it (caseworker).
document_received: Topic[int, None] = Topic("intake.document_received")


@dataclass(frozen=True)
class CasesShown:
    """A staff page showed these cases' people (name, household, ...)."""

    user: User
    application_ids: tuple[int, ...]
    page: str  # the URL name, for the access log's detail
    change: bool = False  # the request also changed something (a POST that succeeded)


# A staff page that shows cases' people without passing caseworker's case door (assisted
# registration here; the secretary's meeting pages and calendar files in meetings): one
# access-log row per case, as for every page that shows a person's data (caseworker, #16).
cases_shown: Topic[CasesShown, None] = Topic("intake.cases_shown")


def cases_shown_when_rendered(response: HttpResponseBase, event: CasesShown) -> None:
    """Publish `event` once `response` has shown it: a template response when rendered, any
    other response now. A form shown again with its errors (400) shows the data too; a refusal
    or a failure (403, 404, 5xx) shows nothing and publishes nothing."""

    def publish(rendered: HttpResponseBase) -> None:
        if rendered.status_code <= 400 and event.application_ids:
            cases_shown.publish(event)

    if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
        response.add_post_render_callback(publish)
    else:
        publish(response)
