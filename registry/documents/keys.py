"""The registry's sealing key and certificate: made for local runs, loaded from configuration.

The key never goes into the repository or the database. Production supplies a PKCS#12 file
(or a PEM key and certificate) by path and its passphrase by environment variable;
``flask registry init-signing-key`` makes a self-signed pair in instance/ for local runs.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


def make_self_signed(directory: Path, common_name: str, organisation: str, passphrase: bytes) -> Path:
    """Write a new RSA key and a ten-year self-signed certificate as one PKCS#12 file."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
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
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "signing.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"registry-seal", key, certificate, None, serialization.BestAvailableEncryption(passphrase)
        )
    )
    path.chmod(0o600)
    return path
