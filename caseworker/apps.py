from django.apps import AppConfig


class CaseworkerConfig(AppConfig):
    name = "caseworker"
    verbose_name = "Handläggning"
