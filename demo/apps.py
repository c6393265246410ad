from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for the embedded default (`make run`): it builds on every app, so it is its
    own app at the top, and nothing imports it."""

    name = "demo"
    verbose_name = "Demodata"
