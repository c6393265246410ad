from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Konton och kommuner"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import checks  # noqa: F401  (registers the system checks)
        from .reference_cache import invalidate

        for name in ("User", "Municipality"):
            model = self.get_model(name)
            post_save.connect(invalidate, sender=model, dispatch_uid=f"refcache-save-{name}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"refcache-del-{name}")
