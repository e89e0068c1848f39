"""Test keys and certificates for the sandbox, generated at first run into a folder (never
committed): the WeChat v2 API key shared by both sides, the Alipay app key pair (the POS signs,
the sandbox verifies), the sandbox's own Alipay gateway key pair (the sandbox signs, the POS
verifies), and a small CA with a server certificate for 127.0.0.1 and a WeChat merchant client
certificate (``apiclient_cert.pem`` / ``apiclient_key.pem``) for the optional TLS mode.

``ensure_keys(folder)`` is idempotent: existing files are kept, missing ones are made. Private
key files are written 0600, each through a temporary file and a rename.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

WECHAT_APPID = "wx00sandbox000001"
WECHAT_MCH_ID = "1900000109"
ALIPAY_APP_ID = "2021000100000001"


@dataclass(frozen=True, slots=True)
class SandboxKeys:
    """Paths of everything generated; the POS config points at the "POS side" files."""

    folder: Path

    def path(self, name: str) -> Path:
        return self.folder / name

    # POS side
    @property
    def wechat_api_key(self) -> Path:
        return self.path("wechat_api_key.txt")

    @property
    def alipay_app_private_key(self) -> Path:
        return self.path("alipay_app_private_key.pem")

    @property
    def alipay_public_key(self) -> Path:
        """The "Alipay public key" the POS verifies replies with (the sandbox's)."""
        return self.path("alipay_gateway_public_key.pem")

    @property
    def ca_cert(self) -> Path:
        return self.path("sandbox_ca.pem")

    @property
    def client_cert(self) -> Path:
        return self.path("apiclient_cert.pem")

    @property
    def client_key(self) -> Path:
        return self.path("apiclient_key.pem")

    # sandbox side
    @property
    def alipay_app_public_key(self) -> Path:
        return self.path("alipay_app_public_key.pem")

    @property
    def alipay_gateway_private_key(self) -> Path:
        return self.path("alipay_gateway_private_key.pem")

    @property
    def server_cert(self) -> Path:
        return self.path("sandbox_server_cert.pem")

    @property
    def server_key(self) -> Path:
        return self.path("sandbox_server_key.pem")


def ensure_keys(folder: Path) -> SandboxKeys:
    """Make whatever is missing in ``folder`` and return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = SandboxKeys(folder)
    if not keys.wechat_api_key.exists():
        alphabet = string.ascii_letters + string.digits
        _write(
            keys.wechat_api_key,
            "".join(secrets.choice(alphabet) for _ in range(32)).encode(),
            private=True,
        )
    for private, public in (
        (keys.alipay_app_private_key, keys.alipay_app_public_key),
        (keys.alipay_gateway_private_key, keys.alipay_public_key),
    ):
        if not (private.exists() and public.exists()):
            _rsa_pair(private, public)
    tls = (keys.ca_cert, keys.server_cert, keys.server_key, keys.client_cert, keys.client_key)
    if not all(path.exists() for path in tls):
        _tls_files(keys)
    return keys


def _write(path: Path, data: bytes, *, private: bool) -> None:
    partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.replace(partial, path)


def _private_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _rsa_pair(private: Path, public: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _write(private, _private_pem(key), private=True)
    _write(
        public,
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
        private=False,
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "POS payment sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    extra: list[x509.ExtensionType],
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    signer_name, signer_key = issuer or (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(signer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()),
            critical=False,
        )
    )
    for extension in extra:
        builder = builder.add_extension(extension, critical=False)
    return builder.sign(signer_key, hashes.SHA256())


def _tls_files(keys: SandboxKeys) -> None:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("POS sandbox CA", ca_key, None, [])
    server_key = ec.generate_private_key(ec.SECP256R1())
    names = x509.SubjectAlternativeName(
        [
            x509.DNSName("localhost"),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        ]
    )
    server = _certificate("localhost", server_key, ("POS sandbox CA", ca_key), [names])
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate(WECHAT_MCH_ID, client_key, ("POS sandbox CA", ca_key), [])
    pem = serialization.Encoding.PEM
    _write(keys.ca_cert, ca.public_bytes(pem), private=False)
    _write(keys.server_cert, server.public_bytes(pem), private=False)
    _write(keys.server_key, _private_pem(server_key), private=True)
    _write(keys.client_cert, client.public_bytes(pem), private=False)
    _write(keys.client_key, _private_pem(client_key), private=True)
