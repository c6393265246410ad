"""Demo data: two municipalities, staff for every role, secretaries' hours and applicants in
several states. Applicants use Skatteverket's published test personnummer (never issued)."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.eid import EidIdentity
from accounts.models import Municipality, Role, User
from accounts.services import applicant_get_or_create
from caseworker.decisions.services import case_warning_acknowledge, decision_record
from caseworker.models import CommunicationException
from eligibility.models import HouseholdType, HousingCostCap, MunicipalNormSettings
from intake import services as intake
from intake.models import Application
from meetings.models import WorkingHours

DEMO_PASSWORD = "demo-losen-2026"  # noqa: S105 - printed for local demo logins only

STAFF = [
    # username, first, last, role, municipality code
    ("handlaggare", "Hanna", "Handläggare", Role.CASEWORKER, "1287"),
    ("gruppledare", "Gustav", "Gruppledare", Role.TEAM_LEAD, "1287"),
    ("sekreterare1", "Sara", "Sekreterare", Role.SECRETARY, "1287"),
    ("sekreterare2", "Samir", "Sekreterare", Role.SECRETARY, "1287"),
    ("svedala_handlaggare", "Siv", "Svedala", Role.CASEWORKER, "1263"),
    ("svedala_sekreterare", "Sven", "Svedala", Role.SECRETARY, "1263"),
]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--without-applications",
            action="store_true",
            help="municipalities, staff and settings only (the prodlike journey applies itself)",
        )
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="for the logins")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            trelleborg, _ = Municipality.objects.get_or_create(
                code="1287",
                defaults={
                    "name": "Trelleborg",
                    "postal_address": "Socialnämnden\nTrelleborgs kommun\n231 83 Trelleborg",
                },
            )
            svedala, _ = Municipality.objects.get_or_create(
                code="1263",
                defaults={
                    "name": "Svedala",
                    "postal_address": "Socialnämnden\nSvedala kommun\n233 80 Svedala",
                },
            )
            by_code = {"1287": trelleborg, "1263": svedala}
            # Contact details for the applicant's pages (#17); numbers from PTS's range for
            # fiction (031-390 06 00 to 031-390 06 99), so nobody real is called.
            for municipality, digits in ((trelleborg, "10"), (svedala, "20")):
                municipality.contact_phone = municipality.contact_phone or f"031-390 06 {digits}"
                municipality.on_call_phone = (
                    municipality.on_call_phone or f"031-390 06 {digits[0]}9"
                )
                municipality.phone_hours = (
                    municipality.phone_hours or "måndag–fredag 9–11 och 13–14"
                )
                municipality.reception = municipality.reception or (
                    f"Socialtjänstens reception, {municipality.name}: måndag–torsdag 9–15"
                )
                municipality.save(
                    update_fields=["contact_phone", "on_call_phone", "phone_hours", "reception"]
                )
            for username, first, last, role, code in STAFF:
                user, created = User.objects.get_or_create(
                    username=username,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "role": role,
                        "municipality": by_code[code],
                    },
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                if role == Role.SECRETARY and not user.working_hours.exists():
                    for weekday in range(5):
                        WorkingHours.objects.create(
                            secretary=user, weekday=weekday, start=time(8, 30), end=time(12, 0)
                        )
                        WorkingHours.objects.create(
                            secretary=user, weekday=weekday, start=time(13, 0), end=time(16, 0)
                        )
                if role == Role.CASEWORKER and not user.working_hours.exists():
                    # Socialsekreterare meet social-track households on Tuesday-Thursday afternoons.
                    for weekday in (1, 2, 3):
                        WorkingHours.objects.create(
                            secretary=user, weekday=weekday, start=time(13, 0), end=time(16, 0)
                        )
            self._demo_norm_settings(trelleborg)
            if not User.objects.filter(username="admin").exists():
                User.objects.create_superuser("admin", password=DEMO_PASSWORD, role=Role.ADMIN)

        if not options["without_applications"] and not Application.objects.exists():
            # The robot runs synchronously here so the demo states are ready when the server starts.
            with override_settings(ROBOT_MODE="sync"):
                self._demo_applications(trelleborg)
        self._print_logins(
            base_url=options["base_url"], applications=not options["without_applications"]
        )

    def _demo_norm_settings(self, municipality: Municipality) -> None:
        """Housing-cost caps as an example (Malmö's published 2018 figures, DOMAIN.md)."""
        from datetime import date

        settings_row, created = MunicipalNormSettings.objects.get_or_create(
            municipality=municipality,
            valid_from=date(2026, 1, 1),
            defaults={"asset_buffer": Decimal(0), "decided_by": "Demo: exempelvärden"},
        )
        if created:
            caps = {
                HouseholdType.ONE_ADULT: 5065,
                HouseholdType.TWO_ADULTS: 6220,
                HouseholdType.CHILDREN_1: 7500,
                HouseholdType.CHILDREN_2: 8975,
                HouseholdType.CHILDREN_3: 10450,
            }
            HousingCostCap.objects.bulk_create(
                HousingCostCap(
                    settings=settings_row, household_type=kind, max_amount=Decimal(amount)
                )
                for kind, amount in caps.items()
            )

    def _demo_applications(self, municipality: Municipality) -> None:
        month = timezone.localdate()
        caseworker = User.objects.get(username="handlaggare")
        # 1. Carina: submitted, processed by the robot, decided (approved).
        carina = applicant_get_or_create(identity=EidIdentity("200802122390", "Carina", "Dahl"))
        app = intake.application_start(applicant=carina, municipality=municipality, month=month)
        intake.application_set_household(application=app, applicant_name="Carina Dahl", others=[])
        intake.application_set_costs(
            application=app,
            costs={
                "rent": Decimal("6200"),
                "electricity": Decimal("350"),
                "home_insurance": Decimal("150"),
            },
        )
        intake.application_submit(application=app, applicant=carina)
        app.refresh_from_db()
        proposal = app.proposals.first()
        if proposal is not None and app.status == "awaiting_caseworker":
            for warning_pk in app.warnings.filter(status="open").values_list("pk", flat=True):
                case_warning_acknowledge(
                    application=app,
                    warning_pk=warning_pk,
                    by=caseworker,
                    note="Kontrollerat mot hyresavi och kontoutdrag.",
                )
            decision_record(
                application=app,
                caseworker=caseworker,
                outcome="approved" if proposal.eligible else "rejected",
                reason="Beviljas enligt riksnormen och skäliga boendekostnader.",
                amount=proposal.amount if proposal.eligible else None,
                track="work",
                # The registers report what Carina did not declare: a decision resting on it
                # is communicated first, or rests on one of the law's exceptions (FL 25 §).
                communication_exception=CommunicationException.CANNOT_WAIT,
                communication_note="Hyran förfaller i morgon; beslutet kan inte vänta på svar.",
            )
        # 2. Bilal: household with partner and child, submitted and waiting for the caseworker.
        bilal = applicant_get_or_create(identity=EidIdentity("200607092384", "Bilal", "Berg"))
        app = intake.application_start(applicant=bilal, municipality=municipality, month=month)
        intake.application_set_household(
            application=app,
            applicant_name="Bilal Berg",
            others=[intake.MemberInput("child", "Testa Berg", "201701012393")],
        )
        intake.application_set_costs(
            application=app, costs={"rent": Decimal("7400"), "electricity": Decimal("420")}
        )
        intake.application_set_incomes(
            application=app, incomes={"child_allowance": Decimal("1250")}
        )
        intake.application_submit(application=app, applicant=bilal)
        # 3. Alva: a draft left half-way (Alva is also free to log in and apply herself).
        alva = applicant_get_or_create(identity=EidIdentity("200306062381", "Alva", "Andersson"))
        app = intake.application_start(applicant=alva, municipality=municipality, month=month)
        intake.application_set_household(
            application=app, applicant_name="Alva Andersson", others=[]
        )

    def _print_logins(self, *, base_url: str, applications: bool) -> None:
        self.stdout.write(self.style.SUCCESS("Demo data ready. Logins:"))
        self.stdout.write(f"  Applicants: {base_url}/e-legitimation/ (e-ID: a test person)")
        if applications:
            self.stdout.write(
                "    200306062381 Alva Andersson (draft), 200607092384 Bilal Berg (waiting),"
            )
            self.stdout.write("    200802122390 Carina Dahl (decided)")
        else:
            self.stdout.write(
                "    200306062381 Alva Andersson, 200607092384 Bilal Berg (no applications yet)"
            )
        self.stdout.write(
            f"  Staff: {base_url}/personal/logga-in/  password for all: {DEMO_PASSWORD}"
        )
        for username, _first, _last, role, code in STAFF:
            self.stdout.write(f"    {username:22} {role.label} ({code})")
        self.stdout.write("    admin                  Systemförvaltare (/admin/)")
