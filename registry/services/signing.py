"""Signing an approved version by every party, then sealing the signed PDF.

Each party's signatory (a partner user of that organisation marked as a signatory) signs
the exact approved document: the registry records who, when and its SHA-256. When the last
party signs, the registry builds the signed PDF (signature page filled in, completion
certificate with a verification code and QR code), seals it with its PAdES signature,
stores it with its fingerprint, and the agreement becomes active.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from registry.dates import utcnow
from registry.documents import agreement_pdf, content
from registry.documents.seal import KeySource, seal
from registry.documents.verify import sha256
from registry.extensions import db
from registry.models import Agreement, AgreementVersion, Party, Role, Signature, SignedDocument, User
from registry.services import audit, lifecycle, variations
from registry.services.errors import DomainError
from registry.services.persist import flush

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


class SigningRefused(DomainError):
    pass


def key_source() -> KeySource:
    config = current_app.config
    return KeySource(
        pkcs12=config.get("SIGNING_PKCS12"),
        key_pem=config.get("SIGNING_KEY_PEM"),
        cert_pem=config.get("SIGNING_CERT_PEM"),
        passphrase=config.get("SIGNING_KEY_PASSPHRASE"),
    )


def render_version(agreement: Agreement, version: AgreementVersion) -> bytes:
    """The approved document of a version, exactly as the parties sign it."""
    document = content.build(
        version.snapshot, status_label="Approved", draft=False, council=current_app.config["ORGANISATION_NAME"]
    )
    return agreement_pdf.render(document)


def render_current(agreement: Agreement, record: dict) -> bytes:
    """The agreement as it stands; anything not yet approved carries the DRAFT mark."""
    draft = agreement.status in ("draft", "awaiting_approval")
    document = content.build(
        record, status_label=agreement.status_label, draft=draft, council=current_app.config["ORGANISATION_NAME"]
    )
    return agreement_pdf.render(document)


def fingerprint_version(agreement: Agreement, version: AgreementVersion) -> str:
    version.document_sha256 = sha256(render_version(agreement, version))
    return version.document_sha256


def current_version(agreement: Agreement) -> AgreementVersion | None:
    return lifecycle.version(agreement, agreement.version_number)


def signatures(agreement: Agreement) -> list[Signature]:
    """The valid (not voided) signatures of the version the record holds (a variation's: its proposed
    version; they are kept under the agreement in the register, as its versions are)."""
    return list(
        db.session.scalars(
            select(Signature)
            .where(
                Signature.agreement_id == agreement.root_id,
                Signature.version_number == agreement.version_number,
                Signature.voided_at.is_(None),
            )
            .order_by(Signature.signed_at, Signature.id)
        )
    )


@dataclass(frozen=True)
class PartyState:
    party: Party
    signature: Signature | None


def party_states(agreement: Agreement) -> list[PartyState]:
    signed = {s.organisation_id: s for s in signatures(agreement)}
    return [PartyState(p, signed.get(p.organisation_id)) for p in agreement.parties]


def party_to_sign(user: User, agreement: Agreement) -> Party | None:
    """The party this user may sign for now, if any."""
    if user.role != Role.PARTNER or not user.is_signatory or agreement.status != "awaiting_signatures":
        return None
    if agreement.is_variation and not agreement.is_open_variation:
        return None
    party = next((p for p in agreement.parties if p.organisation_id == user.organisation_id), None)
    if party is None or any(s.organisation_id == party.organisation_id for s in signatures(agreement)):
        return None
    return party


def sign(actor: User, agreement: Agreement, *, job_title: str, fingerprint: str) -> Signature:
    """Sign for the actor's organisation, in the account's own name and email. The agreement (and, for
    a variation, the one it varies first) is locked, so the last two parties signing at once cannot
    both miss each other's signature and leave the document unsealed."""
    variations.lock_both(agreement)
    party = party_to_sign(actor, agreement)
    if party is None:
        raise SigningRefused("You cannot sign this agreement: it is not awaiting your organisation’s signature")
    version = current_version(agreement)
    if version is None or version.document_sha256 != fingerprint:
        raise SigningRefused("The document changed after you opened it: read the current version, then sign")
    signature = Signature(
        agreement_id=agreement.root_id,
        version_number=agreement.version_number,
        organisation_id=party.organisation_id,
        user_id=actor.id,
        signer_name=actor.name,
        signer_email=actor.email,
        job_title=job_title.strip(),
        signed_at=utcnow(),
        document_sha256=fingerprint,
    )
    db.session.add(signature)
    flush()
    audit.record(
        "agreement.signed",
        "agreement",
        agreement.reference,
        actor=actor,
        changes={
            "organisation": {"before": None, "after": party.organisation.name},
            "signer": {"before": None, "after": f"{signature.signed_by}, {signature.job_title}"},
            "version": {"before": None, "after": agreement.version_number},
            "document_sha256": {"before": None, "after": fingerprint},
        },
    )
    if all(state.signature for state in party_states(agreement)):
        complete(actor, agreement, version)
    return signature


def _verification_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def complete(actor: User, agreement: Agreement, version: AgreementVersion) -> SignedDocument:
    """Every party has signed: build, seal and store the signed PDF; the agreement becomes active."""
    signed = signatures(agreement)
    code = _verification_code()
    events = [
        (
            version.approved_at,
            f"Version {version.number} approved by "
            f"{version.approved_by.name if version.approved_by else 'an IG officer'}",
        )
    ]
    events += [(s.signed_at, f"Signed by {s.signed_by}, {s.job_title}, for {s.organisation.name}") for s in signed]
    certificate = agreement_pdf.Certificate(
        events=events,
        fingerprint=version.document_sha256 or "",
        verification_code=code,
        verify_url=f"{current_app.config['BASE_URL']}/verify?code={code}",
    )
    document = content.build(
        version.snapshot,
        status_label="Signed",
        draft=False,
        council=current_app.config["ORGANISATION_NAME"],
        signatures={s.organisation.name: s for s in signed},
        certificate=certificate,
    )
    sealed = seal(
        agreement_pdf.render(document),
        key_source(),
        reason=f"Signed by every party: {agreement.register_reference} version {version.number}",
        location=current_app.config["ORGANISATION_NAME"],
    )
    stored = SignedDocument(
        agreement_id=agreement.root_id,
        version_number=version.number,
        pdf=sealed,
        sha256=sha256(sealed),
        approved_sha256=version.document_sha256 or "",
        verification_code=code,
        sealed_at=utcnow(),
        size=len(sealed),
    )
    db.session.add(stored)
    flush()
    audit.record(
        "agreement.sealed",
        "agreement",
        agreement.reference,
        actor=actor,
        changes={
            "signed_document_sha256": {"before": None, "after": stored.sha256},
            "verification_code": {"before": None, "after": code},
        },
    )
    lifecycle.activate(actor, agreement)
    return stored


def signed_documents(agreement: Agreement) -> list[SignedDocument]:
    return list(
        db.session.scalars(
            select(SignedDocument)
            .where(SignedDocument.agreement_id == agreement.root_id)
            .order_by(SignedDocument.version_number)
        )
    )


def signed_document(agreement: Agreement, version_number: int) -> SignedDocument | None:
    return db.session.scalar(
        select(SignedDocument).where(
            SignedDocument.agreement_id == agreement.root_id, SignedDocument.version_number == version_number
        )
    )
