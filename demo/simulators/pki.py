"""A throw-away certificate authority for the simulators and their tests.

`Pki.create(directory)` writes a CA, a server certificate for 127.0.0.1/localhost signed by it, and
a client certificate (the municipality's organisation certificate, as the real services ask for)
signed by it; plus an unrelated "rogue" CA with its own server certificate, for the fault "the
server presents a certificate we do not trust". Keys are EC P-256. The certificates are valid ten
years either side of the moment they are made: tests that freeze the clock (time-machine) make
them at a frozen moment while OpenSSL checks them against the real one.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_DAYS = 3650


@dataclass(frozen=True)
class CertificatePair:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Pki:
    directory: Path
    ca: CertificatePair  # the authority both sides trust
    server: CertificatePair  # what every simulator presents
    client: CertificatePair  # the municipality's organisation certificate
    rogue_ca: CertificatePair  # an authority nobody trusts
    rogue_server: CertificatePair  # a server certificate from it (fault: wrong certificate)

    @classmethod
    def create(cls, directory: Path, organisation_number: str = "2120000000") -> Pki:
        directory.mkdir(parents=True, exist_ok=True)
        ca_key, ca_cert = _authority("Bistånd simulator CA")
        rogue_key, rogue_cert = _authority("Unknown CA")
        server = _leaf("localhost", ca_key, ca_cert, server=True)
        client = _leaf(f"Kommunen {organisation_number}", ca_key, ca_cert, server=False)
        rogue_server = _leaf("localhost", rogue_key, rogue_cert, server=True)
        return cls(
            directory=directory,
            ca=_write(directory, "ca", ca_key, ca_cert),
            server=_write(directory, "server", *server),
            client=_write(directory, "client", *client),
            rogue_ca=_write(directory, "rogue-ca", rogue_key, rogue_cert),
            rogue_server=_write(directory, "rogue-server", *rogue_server),
        )

    @classmethod
    def load(cls, directory: Path) -> Pki:
        """The files `create` wrote to `directory`."""

        def pair(name: str) -> CertificatePair:
            return CertificatePair(directory / f"{name}.pem", directory / f"{name}.key")

        return cls(
            directory, pair("ca"), pair("server"), pair("client"), pair("rogue-ca"),
            pair("rogue-server"),
        )  # fmt: skip


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _authority(common_name: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(_name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=_DAYS))
        .not_valid_after(now + dt.timedelta(days=_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _leaf(
    common_name: str, ca_key: ec.EllipticCurvePrivateKey, ca_cert: x509.Certificate, *, server: bool
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=_DAYS))
        .not_valid_after(now + dt.timedelta(days=_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
    )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def _write(
    directory: Path, name: str, key: ec.EllipticCurvePrivateKey, cert: x509.Certificate
) -> CertificatePair:
    pair = CertificatePair(directory / f"{name}.pem", directory / f"{name}.key")
    pair.cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pair.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    pair.key.chmod(0o600)
    return pair
