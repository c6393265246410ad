"""The robot and the calculation. `ready()` subscribes the robot to what the layers below ask of
it (kernel.events, ADR 0012) and keeps the reference cache honest."""

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = "Roboten och beräkningen"

    def ready(self) -> None:
        # Imported here, not at the top: the apps registry must be ready before models load.
        from accounts.reference_cache import invalidate
        from eligibility import selectors
        from eligibility.registers import (
            navet_checks,  # noqa: F401  (the Navet check)
            ssbtek_checks,  # noqa: F401  (the SSBTEK check)
        )
        from eligibility.robot import dispatch, population
        from intake import events as intake
        from notifications import events as notifications

        for name in ("MunicipalNormSettings", "HousingCostCap", "MunicipalCostItem"):
            model = self.get_model(name)
            post_save.connect(invalidate, sender=model, dispatch_uid=f"refcache-save-{name}")
            post_delete.connect(invalidate, sender=model, dispatch_uid=f"refcache-del-{name}")
        # A submitted application goes to the robot; the population register answers for
        # intake (the household to propose) and notifications (a letter's address).
        intake.application_submitted.subscribe(dispatch.robot_dispatch)
        intake.registered_household.subscribe(population.registered_household)
        intake.registered_municipality.subscribe(population.registered_municipality)
        intake.registered_incomes.subscribe(population.registered_incomes)
        notifications.postal_address.subscribe(population.postal_address)
        # The applicant's timeline says when a register has not answered yet (#19).
        intake.status_timeline.subscribe(selectors.status_timeline)
