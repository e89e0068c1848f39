"""WeChat Pay v3 test keys for the sandbox, generated at first run into the state folder (never
committed), next to the v2 ones of ``keys.py``:

- the merchant API key pair and certificate (``wechat_v3_merchant_key.pem`` /
  ``wechat_v3_merchant_cert.pem``): the POS signs with the key and sends the certificate's
  serial as ``serial_no``; the sandbox verifies with the certificate;
- the platform key and certificate (``wechat_v3_platform_key.pem`` /
  ``wechat_v3_platform_cert.pem``): the sandbox signs replies in certificate mode, the POS
  verifies with the certificate, chosen by its serial;
- the WeChat Pay public key pair (``wechat_v3_pub_key_private.pem`` / ``wechat_v3_pub_key.pem``)
  and its id ``PUB_KEY_ID_…`` (``wechat_v3_pub_key_id.txt``): public-key mode;
- the APIv3 key (``wechat_v3_apiv3_key.txt``, 32 characters): callbacks' AES-256-GCM key.

``ensure_v3_keys(folder)`` is idempotent; private files are written 0600.
"""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from backends.payments.signing import certificate_key
from backends.sandbox.keys import WECHAT_MCH_ID, _private_pem, _write


@dataclass(frozen=True, slots=True)
class SandboxV3Keys:
    folder: Path

    def path(self, name: str) -> Path:
        return self.folder / name

    # POS side
    @property
    def merchant_key(self) -> Path:
        return self.path("wechat_v3_merchant_key.pem")

    @property
    def platform_cert(self) -> Path:
        return self.path("wechat_v3_platform_cert.pem")

    @property
    def public_key(self) -> Path:
        return self.path("wechat_v3_pub_key.pem")

    @property
    def public_key_id_file(self) -> Path:
        return self.path("wechat_v3_pub_key_id.txt")

    @property
    def apiv3_key(self) -> Path:
        return self.path("wechat_v3_apiv3_key.txt")

    # sandbox side
    @property
    def merchant_cert(self) -> Path:
        return self.path("wechat_v3_merchant_cert.pem")

    @property
    def platform_key(self) -> Path:
        return self.path("wechat_v3_platform_key.pem")

    @property
    def public_key_private(self) -> Path:
        return self.path("wechat_v3_pub_key_private.pem")

    # derived
    @property
    def merchant_serial(self) -> str:
        return certificate_key(self.merchant_cert.read_bytes())[0]

    @property
    def platform_serial(self) -> str:
        return certificate_key(self.platform_cert.read_bytes())[0]

    @property
    def public_key_id(self) -> str:
        return self.public_key_id_file.read_text(encoding="ascii").strip()


def ensure_v3_keys(folder: Path) -> SandboxV3Keys:
    """Make whatever v3 file is missing in ``folder`` and return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = SandboxV3Keys(folder)
    if not keys.apiv3_key.exists():
        alphabet = string.ascii_letters + string.digits
        text = "".join(secrets.choice(alphabet) for _ in range(32))
        _write(keys.apiv3_key, text.encode(), private=True)
    for key_file, cert_file, name in (
        (keys.merchant_key, keys.merchant_cert, f"{WECHAT_MCH_ID} sandbox merchant API"),
        (keys.platform_key, keys.platform_cert, "Sandbox WeChat Pay platform"),
    ):
        if not (key_file.exists() and cert_file.exists()):
            _key_and_certificate(key_file, cert_file, name)
    if not (
        keys.public_key.exists()
        and keys.public_key_private.exists()
        and keys.public_key_id_file.exists()
    ):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write(keys.public_key_private, _private_pem(key), private=True)
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _write(keys.public_key, public, private=False)
        key_id = "PUB_KEY_ID_" + "".join(secrets.choice(string.digits) for _ in range(32))
        _write(keys.public_key_id_file, key_id.encode(), private=False)
    return keys


def _key_and_certificate(key_file: Path, cert_file: Path, common_name: str) -> None:
    """An RSA-2048 key and a self-signed certificate with a random (hex) serial."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "POS payment sandbox"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=5 * 365))  # platform certificates: 5 years
        .sign(key, hashes.SHA256())
    )
    _write(key_file, _private_pem(key), private=True)
    _write(cert_file, certificate.public_bytes(serialization.Encoding.PEM), private=False)
