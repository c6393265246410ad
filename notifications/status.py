"""The applicant's timeline, from the notices (#19): what we told them, by which channel, and
whether it arrived: an SMS the gateway reported delivered, an e-mail the relay took, a letter the
print service handed to the post (its receipt). intake's status page asks through
`intake.events.status_timeline` (subscribed in `NotificationsConfig.ready`).

Only the applicant's own notices are listed (a representative's are theirs), and nothing from the
message itself: the kind of notice and the channel.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from intake.events import TimelineEntry
from intake.models import Application
from notifications.models import DeliveryChannel, Notification, NotificationStatus

# The channel in the running text ("Vi skickade ett sms om …"), in the reader's language.
_SENT_BY = {
    DeliveryChannel.SMS: lambda: gettext("Sms skickat"),
    DeliveryChannel.EMAIL: lambda: gettext("E-post skickad"),
    DeliveryChannel.LETTER: lambda: gettext("Brev skickat"),
    DeliveryChannel.FORWARDING: lambda: gettext("Brev skickat via Skatteverket"),
}


def _when(moment: object) -> str:
    return date_format(
        timezone.localtime(moment),  # type: ignore[arg-type]  # a datetime from the row
        pgettext("date format", "l j F Y \\k\\l. H:i"),
    )


def status_timeline(application: Application) -> list[TimelineEntry]:
    entries = []
    notices = Notification.objects.filter(
        application=application, recipient_id=application.applicant_id, sent_at__isnull=False
    ).order_by("sent_at", "id")
    for notice in notices:
        letter = notice.channel in (DeliveryChannel.LETTER, DeliveryChannel.FORWARDING)
        if notice.status == NotificationStatus.FAILED:
            detail = gettext("Det gick inte fram. Vi försöker på ett annat sätt.")
        elif notice.delivered_at is not None:
            detail = (
                gettext("Lämnat till posten %(when)s.") if letter else gettext("Framme %(when)s.")
            ) % {"when": _when(notice.delivered_at)}
        else:
            detail = (
                gettext("Lämnat till tryckeriet %(when)s.")
                if letter
                else gettext("Skickat %(when)s.")
            ) % {"when": _when(notice.sent_at)}
        title = _SENT_BY.get(DeliveryChannel(notice.channel), _SENT_BY[DeliveryChannel.SMS])()
        entries.append(
            TimelineEntry(
                notice.delivered_at or notice.sent_at,  # type: ignore[arg-type]  # sent_at set
                f"{title}: {notice.get_kind_display().lower()}",
                detail,
                kind="notice",
            )
        )
    return entries
