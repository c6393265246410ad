from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from eligibility.robot.sweeper import robot_sweep


class Command(BaseCommand):
    help = "Re-dispatch applications waiting for the robot or stuck past their lease."

    def handle(self, *args: Any, **options: Any) -> None:
        result = robot_sweep()
        self.stdout.write(
            f"redispatched={len(result['redispatched'])} given_up={len(result['given_up'])}"
        )
