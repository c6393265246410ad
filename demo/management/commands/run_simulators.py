"""Start every outside system's simulator on loopback and write the settings that point the
production adapters at them (`make prodlike`, docker-compose's `simulators` profile).

A fresh certificate authority is made at start (`<dir>/pki`); the simulators present its server
certificate and ask for its client certificate where the real service asks for mutual TLS. The
environment file (`--env-file`) holds every variable the production profile needs to reach them;
the processes started with it use no fake. Faults are switched in `<dir>/faults.json` (see
demo/simulators/https.py). Runs until stopped (SIGTERM or Ctrl-C).
"""

from __future__ import annotations

import contextlib
import secrets
import shlex
import signal
import threading
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from demo.simulators.bankid import BankIdSimulator
from demo.simulators.clamd import FakeClamd
from demo.simulators.navet import NavetSimulator
from demo.simulators.oidc_broker import OidcBrokerSimulator
from demo.simulators.pki import Pki
from demo.simulators.pop3_bounces import Pop3BounceMailbox
from demo.simulators.print_service import PrintServiceSimulator
from demo.simulators.sms_gateway import SmsGatewaySimulator
from demo.simulators.smtp_relay import SmtpRelaySimulator
from demo.simulators.ssbtek import SsbtekSimulator

# One port per simulator, counted from --base-port, so the addresses do not move between runs.
PORTS = {
    "oidc": 1, "ssbtek": 2, "navet": 3, "bankid": 4, "sms": 5, "sftp": 6, "smtp": 7,
    "clamd": 8, "pop3": 9,
}  # fmt: skip


class Command(BaseCommand):
    help = "Run the simulators of every outside system on loopback (for make prodlike)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dir", type=Path, required=True, help="state folder (certificates, files)"
        )
        parser.add_argument("--env-file", type=Path, required=True)
        parser.add_argument("--base-port", type=int, default=9400)
        parser.add_argument(
            "--callback-base-url",
            default="https://127.0.0.1:8443",
            help="our own public address, for the SMS gateway's delivery reports",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        state: Path = options["dir"].resolve()
        state.mkdir(parents=True, exist_ok=True)
        pki = Pki.create(state / "pki")
        faults = state / "faults.json"
        if not faults.exists():
            faults.write_text("{}")
        base = options["base_port"]
        port = {name: base + offset for name, offset in PORTS.items()}
        running, environment = start_all(pki, state, faults, port, options["callback_base_url"])
        environment_file: Path = options["env_file"]
        environment_file.write_text(
            "".join(f"{key}={shlex.quote(str(value))}\n" for key, value in environment.items())
        )
        self.stdout.write(
            "Simulators on 127.0.0.1: "
            + ", ".join(f"{name} :{port[name]}" for name in PORTS)
            + f"\nSettings for the production profile: {environment_file}"
        )
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
        for simulator in reversed(running):
            simulator.stop()


def start_all(
    pki: Pki, state: Path, faults: Path, port: dict[str, int], callback_base_url: str
) -> tuple[list[Any], dict[str, str]]:
    """Start every simulator; return them and the environment that points production at them."""

    client = {
        "cert": str(pki.client.cert),
        "key": str(pki.client.key),
        "ca": str(pki.ca.cert),
    }
    oidc_secret, sms_secret, smtp_password = (secrets.token_urlsafe(18) for _ in range(3))
    oidc = OidcBrokerSimulator(
        pki, port=port["oidc"], control_file=faults, client_secret=oidc_secret
    ).start()
    ssbtek = SsbtekSimulator(pki, port=port["ssbtek"], control_file=faults).start()
    navet = NavetSimulator(pki, port=port["navet"], control_file=faults).start()
    bankid = BankIdSimulator(pki, port=port["bankid"], control_file=faults).start()
    sms = SmsGatewaySimulator(
        pki, port=port["sms"], control_file=faults, user="bistand", secret=sms_secret,
        ca_file=pki.ca.cert,
    ).start()  # fmt: skip
    sftp = PrintServiceSimulator(pki, root=state / "print-service", port=port["sftp"]).start()
    bounces = Pop3BounceMailbox(
        pki, user="studsar", password=smtp_password, port=port["pop3"]
    ).start()
    smtp = SmtpRelaySimulator(
        pki, user="bistand", password=smtp_password, port=port["smtp"], maildir=state / "mail",
        bounces=bounces,
    ).start()  # fmt: skip
    clamd = FakeClamd(port["clamd"]).start()
    environment = {
        # Every HTTPS client that has no CA setting of its own (the OIDC login) trusts this CA.
        "REQUESTS_CA_BUNDLE": client["ca"],
        "OIDC_OP_ISSUER": oidc.issuer,
        "OIDC_RP_CLIENT_ID": oidc.client_id,
        "OIDC_RP_CLIENT_SECRET": oidc_secret,
        "SSBTEK_URL": f"{ssbtek.url}/bastjanst",
        "SSBTEK_CLIENT_CERT": client["cert"],
        "SSBTEK_CLIENT_KEY": client["key"],
        "SSBTEK_CA_FILE": client["ca"],
        "SSBTEK_ORGANISATION_NUMBER": "2120001124",
        "SSBTEK_ORGANISATION_NAME": "Trelleborgs kommun",
        "NAVET_URL": f"{navet.url}/navet",
        "NAVET_CLIENT_CERT": client["cert"],
        "NAVET_CLIENT_KEY": client["key"],
        "NAVET_CA_FILE": client["ca"],
        "NAVET_ORGANISATION_NUMBER": "2120001124",
        "NAVET_ORDER_IDENTITY": navet.order_identity,
        "BANKID_URL": f"{bankid.url}/rp/v6.0",
        "BANKID_CLIENT_CERT": client["cert"],
        "BANKID_CLIENT_KEY": client["key"],
        "BANKID_CA_FILE": client["ca"],
        "SMS_GATEWAY_URL": sms.url,
        "SMS_GATEWAY_USER": "bistand",
        "SMS_GATEWAY_SECRET": sms_secret,
        "SMS_CA_FILE": client["ca"],
        "SMS_SENDER": "Trelleborg",
        "SMS_CALLBACK_BASE_URL": callback_base_url,
        **sftp.client_environment(),
        # A made-up forwarding address: the real one comes from Skatteverket.
        "PRINT_FORWARDING_ADDRESS": "Skatteverket|Postförmedling (simulator)|Box 1|100 00 Ort",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_HOST_USER": "bistand",
        "EMAIL_HOST_PASSWORD": smtp_password,
        "EMAIL_CA_FILE": client["ca"],
        "EMAIL_BOUNCE_ADDRESS": "studsar@trelleborg.example",
        "EMAIL_BOUNCE_POP3_HOST": "127.0.0.1",
        "EMAIL_BOUNCE_POP3_PORT": str(bounces.port),
        "EMAIL_BOUNCE_POP3_USER": "studsar",
        "EMAIL_BOUNCE_POP3_PASSWORD": smtp_password,
        "EMAIL_BOUNCE_CA_FILE": client["ca"],
        "CLAMD_HOST": "127.0.0.1",
        "CLAMD_PORT": str(clamd.port),
        "SIMULATOR_STATE_DIR": str(state),
    }
    return [oidc, ssbtek, navet, bankid, sms, sftp, smtp, bounces, clamd], environment
