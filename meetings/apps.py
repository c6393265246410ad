from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Möten"

    def ready(self) -> None:
        from accounts.reference_cache import invalidate
        from intake import events as intake
        from meetings import selectors

        # intake: the applicant's timeline shows meetings booked, moved, cancelled (#17).
        intake.status_timeline.subscribe(selectors.status_timeline)
        # intake: the status page tells about the meeting: to come, held, or called off.
        intake.status_page_context.subscribe(selectors.status_page_context)

        for name in ("WorkingHours", "Absence", "ClosingDay", "Room"):
            model = self.get_model(name)
            post_save.connect(invalidate, sender=model, dispatch_uid=f"refcache-save-{name}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"refcache-del-{name}")
