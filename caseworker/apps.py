"""The caseworker app: who decides, and everything around the decision.

`ready()` subscribes the caseworker's handlers to the events the layers below announce
(kernel.events, ADR 0012). Each topic's definition says who publishes it and when.
"""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


def _national_reasons_seeded(sender: AppConfig, **kwargs: Any) -> None:
    """The national default reasons exist after every migrate, and after every flush (which
    sends post_migrate too: a test database emptied by a transactional test gets them back, as it
    gets its content types back). Missing rows only; edited texts are left alone."""
    from caseworker.letters.reasons import reason_templates_load  # models: only once ready

    reason_templates_load(overwrite=False)


class CaseworkerConfig(AppConfig):
    name = "caseworker"
    verbose_name = "Handläggning"

    def ready(self) -> None:
        # Imported here, not at the top: the apps registry must be ready before models load.
        from accounts import events as accounts
        from caseworker.audit import log as access
        from caseworker.caseload import emergency, ownership, referrals
        from caseworker.decisions import automation, households, pauses, standing
        from caseworker.decisions import events as decisions
        from caseworker.letters import delivery
        from caseworker.letters import render as letter_rendering
        from caseworker.letters import tasks as letters
        from caseworker.payments import checks  # noqa: F401  (registers the system checks)
        from caseworker.payments import services as payments
        from caseworker.workbench import queue_counts
        from eligibility.robot import events as robot
        from intake import events as intake
        from intake.models.queue_facts import queue_facts_changed
        from meetings import events as meetings
        from notifications import events as notifications

        post_migrate.connect(
            _national_reasons_seeded, sender=self, dispatch_uid="caseworker.national_reasons"
        )
        # Who may take a new case, cached for the owner choice (#20 d): any change, a new token.
        for label, receiver in (
            ("accounts.User", ownership.owner_reference_staff_saved),
            ("caseworker.CaseworkerProfile", ownership.owner_reference_invalidate),
            ("caseworker.OwnershipSettings", ownership.owner_reference_invalidate),
            ("meetings.Absence", ownership.owner_reference_invalidate),
        ):
            for signal in (post_save, post_delete):
                signal.connect(
                    receiver,
                    sender=label,
                    dispatch_uid=f"owner-reference-{signal is post_save}-{label}",
                )
        # accounts: a staff account that loses access hands its open cases on (#16 item 8).
        accounts.staff_access_narrowed.subscribe(ownership.owner_cases_hand_over)
        accounts.staff_access_narrowed.subscribe(ownership.owner_reference_invalidate)
        accounts.bank_account_given.subscribe(payments.payments_waiting_take_account)
        # Every change that moves a case between the queue's counts, in its transaction (#20 c).
        queue_facts_changed.subscribe(queue_counts.queue_counts_refresh)
        # intake: the case's owner, emergencies, what the applicant's status page shows.
        intake.owner_for_new_case.subscribe(ownership.owner_for_new_case)
        intake.emergency_submitted.subscribe(emergency.emergency_escalate)
        intake.status_page_context.subscribe(referrals.status_page_context)
        intake.status_page_context.subscribe(pauses.status_page_context)
        intake.status_page_context.subscribe(delivery.status_page_context)
        intake.application_shown.subscribe(delivery.application_shown)
        intake.cases_shown.subscribe(access.cases_shown)
        intake.document_received.subscribe(access.document_received_journal)
        intake.appeal_received.subscribe(access.appeal_received_journal)
        intake.status_timeline.subscribe(pauses.status_timeline)
        intake.status_timeline.subscribe(payments.status_timeline)
        # The robot: a month under a standing decision, an automated decision where delegated.
        robot.proposal_stored.subscribe(standing.month_approve_if_unchanged)
        # The register may show a protected identity the owner may not handle (#16 item 7):
        # before any automated decision.
        robot.proposal_ready.subscribe(ownership.owner_after_robot)
        robot.proposal_ready.subscribe(automation.case_ready)
        # Two applications that may be one household: the journal of both cases (#16 item 3).
        robot.household_linked.subscribe(households.household_linked_journal)
        # A signed decision: the letter, the payment order, the notice and its delivery record.
        decisions.decision_signed.subscribe(letters.letter_for_decision_queue)
        decisions.decision_signed.subscribe(payments.payment_order_for_decision)
        decisions.decision_signed.subscribe(delivery.decision_notice_queue)
        # meetings: a plan that refers the household to social services.
        meetings.social_referral_planned.subscribe(referrals.referral_from_meeting_plan)
        notifications.notices_sent.subscribe(delivery.deliveries_record_sent)
        notifications.notices_delivered.subscribe(delivery.deliveries_record_delivered)
        # A letter that cannot be posted (no address, not protected): a task to reach them.
        notifications.notices_undeliverable.subscribe(delivery.no_address_tasks)
        # A letter refused for good (the print service rejected it): a task to reach them; and
        # the decision letter's PDF for the print service (#19 item 4).
        notifications.notices_failed.subscribe(delivery.letter_refused_tasks)
        notifications.letter_enclosure.subscribe(letter_rendering.decision_letter_enclosure)
