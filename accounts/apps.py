from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Konton och kommuner"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from django_structlog.signals import bind_extra_request_metadata

        from accounts import checks  # noqa: F401  (registers the system checks)
        from accounts.client import bind_client_ip_to_logs
        from accounts.reference_cache import invalidate

        bind_extra_request_metadata.connect(bind_client_ip_to_logs, dispatch_uid="accounts.ip")

        for name in ("User", "Municipality"):
            model = self.get_model(name)
            post_save.connect(invalidate, sender=model, dispatch_uid=f"refcache-save-{name}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"refcache-del-{name}")
