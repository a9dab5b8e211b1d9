"""Sealing a finished PDF with the registry's PAdES signature, with a visible stamp.

The key is parsed once per process (it is the slow part) and the signature's size is
reserved up front, so pyHanko signs in one pass instead of estimating the size first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.stamp import TextStampStyle

from registry.documents.sync import outside_event_loop

FIELD_NAME = "RegistrySeal"
RESERVED_BYTES = 16384  # enough for an RSA-3072 CMS signature with its certificate


@dataclass(frozen=True)
class KeySource:
    """Where the key is: a PKCS#12 file, or a PEM key and certificate, with a passphrase."""

    pkcs12: str | None = None
    key_pem: str | None = None
    cert_pem: str | None = None
    passphrase: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.pkcs12 and Path(self.pkcs12).exists()) or bool(
            self.key_pem and self.cert_pem and Path(self.key_pem).exists() and Path(self.cert_pem).exists()
        )


class SealingUnavailable(RuntimeError):
    """No signing key is configured, so nothing can be sealed."""


class _ParsedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses (and validates) the DER private key on every signature, which
    costs more than the rest of sealing; this one parses it once and keeps the key object."""

    def __init__(self, loaded: signers.SimpleSigner) -> None:
        super().__init__(
            signing_cert=loaded.signing_cert,
            signing_key=loaded.signing_key,
            cert_registry=loaded.cert_registry,
            prefer_pss=loaded.prefer_pss,
        )
        self._key = serialization.load_der_private_key(loaded.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, RSAPrivateKey):
            return self._key.sign(data, PKCS1v15(), hash_algo)
        if mechanism == "ecdsa" and isinstance(self._key, EllipticCurvePrivateKey):
            return self._key.sign(data, ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)  # anything rarer: pyHanko's own path


@lru_cache(maxsize=4)
def load_signer(source: KeySource) -> signers.SimpleSigner:
    passphrase = source.passphrase.encode() if source.passphrase else None
    if source.pkcs12:
        signer = signers.SimpleSigner.load_pkcs12(source.pkcs12, passphrase=passphrase)
    elif source.key_pem and source.cert_pem:
        signer = signers.SimpleSigner.load(source.key_pem, source.cert_pem, key_passphrase=passphrase)
    else:
        signer = None
    if signer is None:
        raise SealingUnavailable("the signing key could not be loaded: check its path and passphrase")
    return _ParsedKeySigner(signer)


def seal(pdf: bytes, source: KeySource, *, reason: str, location: str) -> bytes:
    if not source.configured:
        raise SealingUnavailable(
            "no signing key is configured (SIGNING_PKCS12 or SIGNING_KEY_PEM and SIGNING_CERT_PEM)"
        )
    signer = load_signer(source)
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    fields.append_signature_field(
        writer, fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=-1, box=(340, 60, 560, 120))
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason,
        location=location,
    )
    stamp = TextStampStyle(stamp_text="Sealed by %(signer)s\n%(ts)s")
    pdf_signer = signers.PdfSigner(metadata, signer=signer, stamp_style=stamp)
    output = outside_event_loop(lambda: pdf_signer.sign_pdf(writer, bytes_reserved=RESERVED_BYTES))
    return output.getvalue()


def certificate(source: KeySource):  # type: ignore[no-untyped-def]
    """The registry's certificate (asn1crypto), the trust root for verification."""
    return load_signer(source).signing_cert
