"""Secretary pages (day, week, meeting, feed, report) and the applicant's meeting pages.

Views parse input, call one service or selector, and render. Mutations are POST with CSRF.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from accounts.models import Role, User
from accounts.permissions import applicant_required, role_required, secretary_required
from intake.access import access_application
from intake.events import CasesShown, cases_shown_when_rendered
from kernel import working_days
from meetings import ics
from meetings.availability import closing_days_for, day_bounds
from meetings.booking import SlotTaken
from meetings.changes import (
    FreeSlot,
    meeting_can_change,
    meeting_can_rebook,
    meeting_cancel,
    meeting_free_slots,
    meeting_record,
    meeting_replacement,
    meeting_reschedule,
    meeting_room_find,
    meeting_set_needs,
)
from meetings.feeds import calendar_feed_create, calendar_feed_owner, calendar_feed_revoke
from meetings.forms import MeetingNeedsForm, NeedsScreenForm, RecordForm, RescheduleForm
from meetings.models import Meeting, NeedsScreen
from meetings.needs import adult_members, needs_screen_save, needs_suggest_track
from meetings.selectors import (
    MeetingState,
    applicant_contact,
    applicant_meeting_state,
    applicant_summary,
    meeting_for_applicant,
    meeting_for_host,
    meeting_report,
    meetings_for_secretary_day,
    meetings_for_secretary_week,
)

# Staff who hold meetings: arbetslivssekreterare, and caseworkers on the social track.
host_required = role_required(Role.SECRETARY, Role.TEAM_LEAD, Role.CASEWORKER)

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 120


def _date_param(request: HttpRequest, name: str, default: date) -> date:
    try:
        return date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return default


def _shown(
    response: HttpResponse,
    *,
    user: User,
    meetings: Iterable[Meeting],
    page: str,
    change: bool = False,
) -> HttpResponse:
    """Every page that shows a person's data writes an access-log row (#16): the meetings'
    applicants (name, case, household), once `response` has shown them."""
    event = CasesShown(
        user=user,
        application_ids=tuple(meeting.application_id for meeting in meetings),
        page=page,
        change=change,
    )
    cases_shown_when_rendered(response, event)
    return response


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- secretary pages ------------------------------------------------------------------------


@secretary_required
@require_GET
def day(request: AuthenticatedHttpRequest) -> HttpResponse:
    chosen = _date_param(request, "dag", timezone.localdate())
    municipality = request.user.municipality
    closing = (
        closing_days_for(municipality, chosen, chosen) if municipality is not None else frozenset()
    )
    meetings = meetings_for_secretary_day(secretary=request.user, day=chosen)
    response = TemplateResponse(
        request,
        "meetings/meeting_day.html",
        {
            "day": chosen,
            "meetings": meetings,
            "previous_day": chosen - timedelta(days=1),
            "next_day": chosen + timedelta(days=1),
            "monday": chosen - timedelta(days=chosen.weekday()),
            "is_working_day": working_days.is_working_day(chosen, closing),
            "holiday": working_days.holiday_name(chosen),
        },
    )
    return _shown(response, user=request.user, meetings=meetings, page="meetings:day")


@secretary_required
@require_GET
def week(request: AuthenticatedHttpRequest) -> HttpResponse:
    chosen = _date_param(request, "dag", timezone.localdate())
    monday = chosen - timedelta(days=chosen.weekday())
    municipality = request.user.municipality
    closing = (
        closing_days_for(municipality, monday, monday + timedelta(days=6))
        if municipality is not None
        else frozenset()
    )
    days = [
        (d, meetings, working_days.is_working_day(d, closing), working_days.holiday_name(d))
        for d, meetings in meetings_for_secretary_week(secretary=request.user, monday=monday)
    ]
    response = TemplateResponse(
        request,
        "meetings/meeting_week.html",
        {
            "monday": monday,
            "week_number": monday.isocalendar().week,
            "days": days,
            "previous_week": monday - timedelta(days=7),
            "next_week": monday + timedelta(days=7),
        },
    )
    shown = [meeting for _d, meetings, _w, _h in days for meeting in meetings]
    return _shown(response, user=request.user, meetings=shown, page="meetings:week")


@host_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for_host(user=request.user, pk=pk)
    if request.method == "POST" and request.POST.get("action") == "room":
        return _room_find(request, meeting)
    initial = {
        "attendance": meeting.attendance,
        "outcome": meeting.outcome,
        "note": meeting.outcome_note,
    }
    form = RecordForm(request.POST or None, initial=initial, meeting=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            meeting_record(
                meeting=meeting,
                attendance=form.cleaned_data["attendance"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Närvaro och planering är sparade."))
            return _shown(
                redirect("meetings:meeting_detail", pk=meeting.pk),
                user=request.user,
                meetings=[meeting],
                page="meetings:meeting_detail",
                change=True,
            )
    response = TemplateResponse(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "summary": applicant_summary(meeting=meeting),
            "contact": applicant_contact(meeting=meeting),
            "suggestion": needs_suggest_track(application=meeting.application),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )
    return _shown(response, user=request.user, meetings=[meeting], page="meetings:meeting_detail")


def _room_find(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse:
    """The meeting page's "look for a free room" button, for a meeting booked without one."""
    meeting = meeting_room_find(meeting=meeting)
    if meeting.room_id is None:
        messages.error(request, _("Ingen lokal är ledig vid den tiden."))
    else:
        messages.success(request, _("Lokalen är bokad."))
    return _shown(
        redirect("meetings:meeting_detail", pk=meeting.pk),
        user=request.user,
        meetings=[meeting],
        page="meetings:meeting_detail",
        change=True,
    )


@host_required
@require_GET
def meeting_ics_staff(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = meeting_for_host(user=request.user, pk=pk)
    response = _ics_response(
        ics.meetings_to_ics([meeting], audience="staff"), f"mote-{meeting.pk}.ics"
    )
    return _shown(response, user=request.user, meetings=[meeting], page="meetings:meeting_ics")


@host_required
@require_http_methods(["GET", "POST"])
def feed_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    token = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            token = calendar_feed_create(secretary=request.user)
        elif action == "revoke":
            calendar_feed_revoke(secretary=request.user)
            messages.success(request, _("Kalenderlänken är återkallad och fungerar inte längre."))
            return redirect("meetings:feed_settings")
        else:
            return HttpResponse(status=400)
    feed_url = request.build_absolute_uri(reverse("meetings:feed", args=[token])) if token else None
    return TemplateResponse(
        request,
        "meetings/feed_settings.html",
        {
            "feed_url": feed_url,
            "has_feed": request.user.calendar_feeds.filter(revoked_at__isnull=True).exists(),
        },
    )


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The secret feed: no login (calendar apps cannot log in), the token is the key."""
    owner = calendar_feed_owner(token=token)
    if owner is None:
        raise Http404
    today = timezone.localdate()
    start, _end = day_bounds(today - timedelta(days=FEED_DAYS_BACK))
    _start, end = day_bounds(today + timedelta(days=FEED_DAYS_AHEAD))
    meetings = (
        owner.meetings.filter(cancelled_at__isnull=True, starts_at__gte=start, starts_at__lt=end)
        .select_related("application", "room", "secretary")
        .order_by("starts_at")
    )
    response = _ics_response(
        ics.meetings_to_ics(meetings, audience="staff", name=_("Mina möten")), "moten.ics"
    )
    response["Content-Disposition"] = 'inline; filename="moten.ics"'
    response["Referrer-Policy"] = "no-referrer"
    # The token is the owner's key: what it shows is logged as shown to the owner.
    return _shown(response, user=owner, meetings=meetings, page="meetings:feed")


@secretary_required
@require_GET
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    municipality = request.user.municipality
    if municipality is None:
        raise Http404
    today = timezone.localdate()
    start = _date_param(request, "fran", today.replace(day=1))
    end = _date_param(request, "till", today)
    if end < start:
        start, end = end, start
    end = min(end, start + timedelta(days=366))
    return TemplateResponse(
        request,
        "meetings/meeting_report.html",
        {"report": meeting_report(municipality=municipality, start=start, end=end)},
    )


# --- applicant pages ------------------------------------------------------------------------


def _applicant_page(
    request: AuthenticatedHttpRequest,
    meeting: Meeting,
    *,
    reschedule_form: RescheduleForm | None = None,
    needs_form: MeetingNeedsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    state = applicant_meeting_state(meeting)
    # A meeting that is over is not moved or cancelled any more; one the staff called off may
    # be replaced by a new time, once.
    can_change = meeting_can_change(meeting) and state == MeetingState.UPCOMING
    rebook = meeting_can_rebook(meeting)
    slots = meeting_free_slots(meeting=meeting, today=today) if can_change or rebook else []
    return TemplateResponse(
        request,
        "meetings/applicant_meeting.html",
        {
            "meeting": meeting,
            "application": meeting.application,
            "state": state,
            "can_change": can_change,
            "replacement": meeting_replacement(meeting),
            "municipalities": [meeting.application.municipality],
            "reschedule_form": reschedule_form or RescheduleForm(slots=slots),
            "needs_form": needs_form
            or MeetingNeedsForm(
                initial={
                    "interpreter_language": meeting.interpreter_language,
                    "accessible_room": meeting.accessible_room,
                }
            ),
        },
        status=status,
    )


@applicant_required
@require_GET
def applicant_meeting(
    request: AuthenticatedHttpRequest, application_pk: int, pk: int
) -> HttpResponse:
    meeting = meeting_for_applicant(user=request.user, application_pk=application_pk, meeting_pk=pk)
    return _applicant_page(request, meeting)


@applicant_required
@require_POST
def applicant_reschedule(
    request: AuthenticatedHttpRequest, application_pk: int, pk: int
) -> HttpResponse:
    meeting = meeting_for_applicant(user=request.user, application_pk=application_pk, meeting_pk=pk)
    replacement = meeting_replacement(meeting)
    if replacement is not None and FreeSlot.of(replacement).key == request.POST.get("choice"):
        # The new time asked for again (a double click): it is booked already.
        return redirect(
            "meetings:applicant_meeting", application_pk=application_pk, pk=replacement.pk
        )
    today = timezone.localdate()
    slots = meeting_free_slots(meeting=meeting, today=today)
    form = RescheduleForm(request.POST, slots=slots)
    if not form.is_valid():
        if request.POST.get("choice"):
            # A time that was on offer when the page was shown but is gone now.
            return _slot_taken(request, meeting)
        return _applicant_page(request, meeting, reschedule_form=form, status=400)
    try:
        new = meeting_reschedule(meeting=meeting, choice=form.cleaned_data["choice"], today=today)
    except SlotTaken:
        return _slot_taken(request, meeting)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _applicant_page(request, meeting, reschedule_form=form, status=400)
    messages.success(request, _("Din nya tid är bokad."))
    return redirect("meetings:applicant_meeting", application_pk=application_pk, pk=new.pk)


def _slot_taken(request: AuthenticatedHttpRequest, meeting: Meeting) -> HttpResponse:
    messages.error(request, _("Tiden togs precis av någon annan. Här är de lediga tiderna nu."))
    meeting.refresh_from_db()
    return _applicant_page(request, meeting, status=409)


@applicant_required
@require_POST
def applicant_cancel(
    request: AuthenticatedHttpRequest, application_pk: int, pk: int
) -> HttpResponse:
    meeting = meeting_for_applicant(user=request.user, application_pk=application_pk, meeting_pk=pk)
    meeting_cancel(meeting=meeting)
    messages.success(request, _("Mötet är avbokat."))
    return redirect("meetings:applicant_meeting", application_pk=application_pk, pk=meeting.pk)


@applicant_required
@require_POST
def applicant_needs(
    request: AuthenticatedHttpRequest, application_pk: int, pk: int
) -> HttpResponse:
    meeting = meeting_for_applicant(user=request.user, application_pk=application_pk, meeting_pk=pk)
    form = MeetingNeedsForm(request.POST)
    if not form.is_valid() or meeting.cancelled_at is not None:
        return _applicant_page(request, meeting, needs_form=form, status=400)
    meeting_set_needs(
        meeting=meeting,
        interpreter_language=form.cleaned_data["interpreter_language"],
        accessible_room=form.cleaned_data["accessible_room"],
    )
    messages.success(request, _("Tack! Vi har noterat dina behov inför mötet."))
    return redirect("meetings:applicant_meeting", application_pk=application_pk, pk=meeting.pk)


@applicant_required
@require_GET
def applicant_ics(request: AuthenticatedHttpRequest, application_pk: int, pk: int) -> HttpResponse:
    meeting = meeting_for_applicant(user=request.user, application_pk=application_pk, meeting_pk=pk)
    return _ics_response(
        ics.meetings_to_ics([meeting], audience="applicant"), f"mote-{meeting.pk}.ics"
    )


@applicant_required
@require_http_methods(["GET", "POST"])
def needs_screen(request: AuthenticatedHttpRequest, application_pk: int) -> HttpResponse:
    application = access_application(request.user, application_pk)
    adults = adult_members(application)
    existing = {s.member_id: s for s in NeedsScreen.objects.filter(member__in=adults)}
    forms = [
        (
            member,
            NeedsScreenForm(
                request.POST or None,
                instance=existing.get(member.pk),
                prefix=f"m{member.pk}",
            ),
        )
        for member in adults
    ]
    if request.method == "POST" and all(form.is_valid() for _m, form in forms):
        for member, form in forms:
            needs_screen_save(
                member=member, answers=form.cleaned_data, other=form.cleaned_data["other"]
            )
        messages.success(request, _("Tack! Dina svar hjälper oss att boka rätt möte."))
        return redirect("intake:application_detail", application.pk)
    return TemplateResponse(
        request,
        "meetings/needs_screen.html",
        {"application": application, "forms": forms},
        status=400 if request.method == "POST" else 200,
    )
