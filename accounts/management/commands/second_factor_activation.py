"""Issue a one-time activation code for a staff member's authenticator app and print it.

For the first administrator (who has nobody to issue one) and as the break-glass way when the
admin cannot be reached. The code is printed once, to this terminal only: never logged.

    python manage.py second_factor_activation <username>
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import second_factor
from accounts.models import User


class Command(BaseCommand):
    help = "Issue a one-time activation code for a staff member's authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="The staff member's username.")

    def handle(self, *args: Any, **options: Any) -> None:
        username: str = options["username"]
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        try:
            code = second_factor.second_factor_activation_issue(user=user, issued_by=None)
        except second_factor.ActivationRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stdout.write(
            f"Activation code for {user.username}: {second_factor.activation_code_display(code)}"
        )
        self.stdout.write(
            f"Valid once, for {settings.OTP_ACTIVATION_HOURS} hours. Earlier unused codes of "
            "this person no longer work. Hand it over in person or by phone, never by e-mail."
        )
