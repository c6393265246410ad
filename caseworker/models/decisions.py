"""The caseworker's work on a case before and around the decision: adjustments, section
approvals, komplettering, kommunicering, child impact, the draft awaiting a second approver."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LineAdjustment(models.Model):
    """The caseworker's amount for one calculation line, with the reason. Kept apart from the
    robot's proposal so a robot refresh never overwrites it. Never edited: a new row for the same
    code replaces the earlier one in the calculation, and both stay in the history."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="line_adjustments"
    )
    code = models.CharField(_("post"), max_length=80)
    amount = models.DecimalField(_("belopp per månad"), max_digits=12, decimal_places=2)
    reason = models.TextField(_("skäl"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ändrad beräkningspost")
        verbose_name_plural = _("ändrade beräkningsposter")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["application", "code"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="line_adjustment_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.amount}"


class Section(models.TextChoices):
    CALCULATION = "calculation", _("Beräkning")
    PAYMENT = "payment", _("Utbetalning")
    DECISION = "decision", _("Beslut")


class SectionApproval(models.Model):
    """An approved section of a case is locked: edits to it are refused."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="section_approvals"
    )
    section = models.CharField(_("del"), max_length=20, choices=Section.choices)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("godkänd del")
        verbose_name_plural = _("godkända delar")
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "section"], name="one_approval_per_section"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.section}"


class SupplementRequest(models.Model):
    """Komplettering: the caseworker asks for more; the case pauses until it arrives or the
    deadline passes."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="supplement_requests"
    )
    what = models.TextField(_("vad som behövs"))
    deadline = models.DateField(_("senast"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(
        max_length=20,
        blank=True,
        choices=[("received", _("Inkommen")), ("deadline_passed", _("Tiden gick ut"))],
    )

    class Meta:
        verbose_name = _("begäran om komplettering")
        verbose_name_plural = _("begäran om komplettering")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(resolved_at__isnull=True),
                name="one_open_supplement_request_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} senast {self.deadline}"


class Communication(models.Model):
    """Kommunicering (FL 25 §): facts from registers shown to the applicant before an adverse
    decision, with a deadline to reply. The applicant may dispute a fact with a note."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="communications"
    )
    facts = models.JSONField(_("uppgifter"), default=list)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(auto_now_add=True)
    reply_by = models.DateField(_("svar senast"))
    reply = models.TextField(_("svar"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    disputed_facts = models.JSONField(
        _("ifrågasatta uppgifter"),
        default=list,
        blank=True,
        help_text=_('[{"fact": index, "note": text}, ...]'),
    )
    closed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Svar kom eller tiden gick ut.")
    )

    class Meta:
        verbose_name = _("kommunicering")
        verbose_name_plural = _("kommuniceringar")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_communication_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} svar senast {self.reply_by}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def disputed_notes(self) -> list[tuple[str, str]]:
        return [
            (self.facts[d["fact"]], d.get("note", ""))
            for d in self.disputed_facts
            if 0 <= d.get("fact", -1) < len(self.facts)
        ]


class CommunicationException(models.TextChoices):
    """The grounds on which förvaltningslagen (2017:900) 25 § andra stycket lets the authority
    decide without first communicating facts the applicant has not seen. A fixed list: free text
    alone never lets an adverse decision through."""

    NOT_ADVERSE = "not_adverse", _("Beslutet går inte parten emot (25 § andra stycket 1)")
    IRRELEVANT = "irrelevant", _("Uppgiften saknar betydelse för beslutet (25 § andra stycket 1)")
    OBVIOUSLY_UNNECESSARY = (
        "obviously_unnecessary",
        _("Kommunicering är av annan anledning uppenbart obehövlig (25 § andra stycket 1)"),
    )
    HARDER_TO_ENFORCE = (
        "harder_to_enforce",
        _("Beslutet skulle annars bli avsevärt svårare att genomföra (25 § andra stycket 2)"),
    )
    CANNOT_WAIT = "cannot_wait", _("Avgörandet kan inte skjutas upp (25 § andra stycket 3)")


class CommunicationWaiver(models.Model):
    """An adverse decision taken without communicating the register facts first, on one of the
    law's exceptions, with the caseworker's note. Journalled, and counted in the statistics."""

    decision = models.OneToOneField(
        "intake.Decision", on_delete=models.PROTECT, related_name="communication_waiver"
    )
    ground = models.CharField(
        _("undantag (FL 25 § andra stycket)"),
        max_length=30,
        choices=CommunicationException.choices,
    )
    note = models.TextField(_("anteckning"))
    facts = models.JSONField(_("uppgifter som inte kommunicerades"), default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("beslut utan kommunicering")
        verbose_name_plural = _("beslut utan kommunicering")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="communication_waiver_has_a_ground_and_a_note",
                condition=models.Q(ground__in=CommunicationException.values) & ~models.Q(note=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision_id} {self.ground}"


class ChildImpactAssessment(models.Model):
    """Barnkonsekvensanalys: required before a rejection or reduction for a household with
    children."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="child_impact_assessments"
    )
    text = models.TextField(_("bedömning"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("barnkonsekvensanalys")
        verbose_name_plural = _("barnkonsekvensanalyser")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.created_at:%Y-%m-%d}"


class DraftStatus(models.TextChoices):
    PENDING = "pending", _("Väntar på attest")
    APPROVED = "approved", _("Attesterat")
    SENT_BACK = "sent_back", _("Skickat tillbaka")


class DecisionDraft(models.Model):
    """A decision that needs a second caseworker (above the amount limit, or by a caseworker in
    introduction). The second caseworker approves it (the decision is then recorded) or sends it
    back. The proposer can never approve their own draft."""

    application = models.ForeignKey(
        "intake.Application", on_delete=models.PROTECT, related_name="decision_drafts"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=20)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    partly = models.BooleanField(default=False)
    months = models.PositiveSmallIntegerField(default=1)
    reason = models.TextField()
    provisions = models.JSONField(default=list, blank=True)
    decisive_facts = models.JSONField(default=list, blank=True)
    why_second = models.CharField(_("varför attest"), max_length=200)
    communication_exception = models.CharField(
        _("undantag från kommunicering"),
        max_length=30,
        choices=CommunicationException.choices,
        blank=True,
    )
    communication_note = models.TextField(_("anteckning om kommunicering"), blank=True)
    track = models.CharField(_("spår"), max_length=10, blank=True)
    track_reason = models.TextField(_("varför inget spår"), blank=True)
    status = models.CharField(
        max_length=20, choices=DraftStatus.choices, default=DraftStatus.PENDING
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("kommentar"), blank=True)

    class Meta:
        verbose_name = _("beslut som väntar på attest")
        verbose_name_plural = _("beslut som väntar på attest")
        ordering = ["proposed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status="pending"),
                name="one_pending_decision_draft_per_case",
            ),
            models.CheckConstraint(
                name="decision_draft_second_person_differs",
                condition=models.Q(handled_by__isnull=True)
                | ~models.Q(handled_by=models.F("proposed_by")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.outcome} {self.amount}"
