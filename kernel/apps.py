from typing import Any

from django.apps import AppConfig
from django.core.checks import Error, register


def _every_required_topic_is_subscribed(app_configs: Any, **kwargs: Any) -> list[Error]:
    from kernel.events import topics_without_subscribers  # after every app's ready()

    return [
        Error(
            f"Nothing subscribes to the required event {name}.",
            hint="The app that handles it is missing from INSTALLED_APPS, or its ready() "
            "does not subscribe (ADR 0012).",
            id="kernel.E001",
        )
        for name in topics_without_subscribers()
    ]


class KernelConfig(AppConfig):
    name = "kernel"
    verbose_name = "Kärna"

    def ready(self) -> None:
        register(_every_required_topic_is_subscribed)
