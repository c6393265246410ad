from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Meddelanden till sökande"

    def ready(self) -> None:
        from intake import events as intake
        from notifications import delivery

        # intake: a joint application's partner is asked to sign (#17 item 6).
        intake.partner_signature_requested.subscribe(delivery.partner_asked_to_sign)
