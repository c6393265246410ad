from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _national_reasons_seeded(sender: AppConfig, **kwargs: Any) -> None:
    """The national default reasons exist after every migrate, and after every flush (which
    sends post_migrate too: a test database emptied by a transactional test gets them back, as it
    gets its content types back). Missing rows only; edited texts are left alone."""
    from .reasons import reason_templates_load  # models are ready only once ready() has run

    reason_templates_load(overwrite=False)


class CaseworkerConfig(AppConfig):
    name = "caseworker"
    verbose_name = "Handläggning"

    def ready(self) -> None:
        post_migrate.connect(
            _national_reasons_seeded, sender=self, dispatch_uid="caseworker.national_reasons"
        )
