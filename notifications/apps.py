from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Meddelanden till sökande"

    def ready(self) -> None:
        from intake import events as intake
        from notifications import checks, delivery, status
        from notifications import events as notifications

        # intake: a joint application's partner is asked to sign (#17 item 6).
        intake.partner_signature_requested.subscribe(delivery.partner_asked_to_sign)
        # A notice that failed for good goes again through the next channel (#19 item 4).
        notifications.notices_failed.subscribe(delivery.notices_fall_back)
        del checks  # imported for its @register: the transports' system checks
        # The applicant's timeline shows what we told them and whether it arrived (#19).
        intake.status_timeline.subscribe(status.status_timeline)
