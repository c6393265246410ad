"""Meetings after an application: the work track (arbetslivssekreterare) and the social track
(socialsekreterare). "Never two meetings in one slot" is a database rule, on SQLite and PostgreSQL.

The field that names the staff member met is called ``secretary`` on every model: on the work
track it is an arbetslivssekreterare, on the social track a socialsekreterare (a caseworker).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake.models import Track

WEEKDAY_CHOICES = [
    (0, _("måndag")),
    (1, _("tisdag")),
    (2, _("onsdag")),
    (3, _("torsdag")),
    (4, _("fredag")),
    (5, _("lördag")),
    (6, _("söndag")),
]


# One Track enum (the application's); a meeting is on one of the two tracks, never "both".
MEETING_TRACKS = [(track.value, track.label) for track in (Track.WORK, Track.SOCIAL)]


class Attendance(models.TextChoices):
    ATTENDED = "attended", _("Kom till mötet")
    NO_SHOW = "no_show", _("Uteblev")
    CANCELLED = "cancelled", _("Mötet ställdes in")


class Outcome(models.TextChoices):
    JOB = "job", _("Arbete")
    INTERNSHIP = "internship", _("Praktik")
    EDUCATION = "education", _("Utbildning")
    SFI = "sfi", _("Svenska för invandrare (sfi)")
    WORK_ABILITY = "work_ability", _("Bedömning av arbetsförmåga")
    SOCIAL_REFERRAL = "social_referral", _("Hänvisning till socialtjänsten")


class CancelledBy(models.TextChoices):
    APPLICANT = "applicant", _("Sökande")
    RESCHEDULED = "rescheduled", _("Ombokat")
    STAFF = "staff", _("Personal")


class Room(models.Model):
    """Where a meeting is held: a room (possibly accessible) or a video link."""

    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="meeting_rooms"
    )
    name = models.CharField(_("namn"), max_length=100)
    address = models.CharField(_("adress"), max_length=200, blank=True)
    video_url = models.URLField(_("videolänk"), blank=True)
    accessible = models.BooleanField(_("tillgängligt rum"), default=False)

    class Meta:
        verbose_name = _("mötesplats")
        verbose_name_plural = _("mötesplatser")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="room_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class WorkingHours(models.Model):
    """One block of meeting hours for a staff member on a weekday, optionally in a room."""

    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("medarbetare"),
        on_delete=models.CASCADE,
        related_name="working_hours",
    )
    weekday = models.PositiveSmallIntegerField(_("veckodag"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("från"))
    end = models.TimeField(_("till"))
    room = models.ForeignKey(
        Room,
        verbose_name=_("mötesplats"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("arbetstid")
        verbose_name_plural = _("arbetstider")
        ordering = ["secretary", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="working_hours_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Absence(models.Model):
    """A staff member is away (holiday, course, illness) from ``start`` to ``end`` inclusive."""

    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("medarbetare"),
        on_delete=models.CASCADE,
        related_name="absences",
    )
    start = models.DateField(_("från och med"))
    end = models.DateField(_("till och med"))
    reason = models.CharField(_("anledning"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("frånvaro")
        verbose_name_plural = _("frånvaro")
        ordering = ["secretary", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="absence_order"),
        ]

    def __str__(self) -> str:
        return f"{self.secretary} {self.start}–{self.end}"


class ClosingDay(models.Model):
    """A day the municipality's offices are closed (e.g. a klämdag), on top of public holidays."""

    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.CASCADE, related_name="closing_days"
    )
    date = models.DateField(_("datum"))
    name = models.CharField(_("benämning"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("stängd dag")
        verbose_name_plural = _("stängda dagar")
        ordering = ["municipality", "date"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "date"], name="closing_day_once"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class Meeting(models.Model):
    municipality = models.ForeignKey(
        "accounts.Municipality", on_delete=models.PROTECT, related_name="meetings"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sekreterare"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="meetings"
    )
    track = models.CharField(_("spår"), max_length=10, choices=MEETING_TRACKS, default=Track.WORK)
    starts_at = models.DateTimeField(_("börjar"))
    ends_at = models.DateTimeField(_("slutar"))
    # A room that has held or will hold a meeting cannot be deleted: the meeting would lose
    # where it is (or was) held without anyone being told (Room has no "no longer used" flag).
    room = models.ForeignKey(
        Room,
        verbose_name=_("mötesplats"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    overflow = models.BooleanField(
        _("inte nästa arbetsdag"),
        default=False,
        help_text=_("Nästa arbetsdag var full; mötet lades på en senare dag."),
    )
    # Needs the applicant tells us about; shown to the secretary.
    interpreter_language = models.CharField(_("tolk på språk"), max_length=60, blank=True)
    accessible_room = models.BooleanField(_("behöver tillgängligt rum"), default=False)

    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.CharField(
        _("avbokad av"), max_length=20, choices=CancelledBy.choices, blank=True
    )

    attendance = models.CharField(
        _("närvaro"), max_length=20, choices=Attendance.choices, blank=True
    )
    outcome = models.CharField(_("planering"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("anteckning"), blank=True)
    recorded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["municipality", "starts_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["secretary", "starts_at"],
                condition=Q(cancelled_at__isnull=True),
                name="one_meeting_per_secretary_and_slot",
            ),
            models.UniqueConstraint(
                fields=["application", "track"],
                condition=Q(cancelled_at__isnull=True),
                name="one_active_meeting_per_application_and_track",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | ~Q(attendance=""), name="outcome_needs_attendance"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M} {self.secretary}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def has_started(self) -> bool:
        """Whether the meeting's start has come: only then can anyone have come or stayed
        away (#16)."""
        return self.starts_at <= timezone.now()


class NeedsScreen(models.Model):
    """A short, optional screen per adult in the household. It informs the track."""

    member = models.OneToOneField(
        "intake.HouseholdMember", on_delete=models.CASCADE, related_name="needs_screen"
    )
    health = models.BooleanField(_("Hälsa eller sjukdom gör det svårt att arbeta"), default=False)
    substance_use = models.BooleanField(_("Alkohol, droger eller spel"), default=False)
    violence = models.BooleanField(_("Våld eller hot i en nära relation"), default=False)
    housing_risk = models.BooleanField(
        _("Risk att förlora bostaden eller bli vräkt"), default=False
    )
    debt = models.BooleanField(_("Skulder"), default=False)
    language = models.BooleanField(_("Behöver lära sig svenska"), default=False)
    caring_for_others = models.BooleanField(
        _("Tar hand om en närstående eller ett barn med stora behov"), default=False
    )
    other = models.TextField(_("Något annat du vill berätta"), blank=True, max_length=1000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("behovsfrågor")
        verbose_name_plural = _("behovsfrågor")

    def __str__(self) -> str:
        return str(self.member)


class CalendarFeed(models.Model):
    """A secret, revocable URL for a staff member's meetings. Only a hash of the token is kept."""

    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kalenderprenumeration")
        verbose_name_plural = _("kalenderprenumerationer")
        constraints = [
            models.UniqueConstraint(
                fields=["secretary"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.secretary} ({'återkallad' if self.revoked_at else 'aktiv'})"
