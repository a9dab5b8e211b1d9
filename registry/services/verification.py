"""What the registry knows about a document someone wants to check."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from registry.documents import verify
from registry.documents.seal import SealingUnavailable, certificate
from registry.extensions import db
from registry.models import Agreement, SignedDocument
from registry.services.signing import key_source


@dataclass(frozen=True)
class Outcome:
    verdict: str  # genuine, altered, not_ours, not_pdf, damaged, unknown_code, found_code
    message: str
    document: SignedDocument | None = None
    agreement: Agreement | None = None

    @property
    def standing(self) -> str | None:
        """Whether the document's version is still the one in force."""
        if self.agreement is None or self.document is None:
            return None
        if self.agreement.status in ("terminated", "expired"):
            return f"The agreement has been {self.agreement.status_label.lower()}."
        if self.document.version_number < self.agreement.version_number:
            return (
                f"This is version {self.document.version_number}; it has been superseded by version "
                f"{self.agreement.version_number}."
            )
        return f"This is the current version, and the agreement is {self.agreement.status_label.lower()}."


def _found(where) -> tuple[SignedDocument | None, Agreement | None]:  # type: ignore[no-untyped-def]
    document = db.session.scalar(select(SignedDocument).where(where))
    agreement = db.session.get(Agreement, document.agreement_id) if document else None
    return document, agreement


def check_file(data: bytes) -> Outcome:
    try:
        root = certificate(key_source())
    except SealingUnavailable:
        return Outcome("not_ours", "This registry has no seal configured, so it cannot check documents.")
    finding = verify.check(data, root)
    if finding.verdict in (verify.Verdict.NOT_PDF, verify.Verdict.DAMAGED):
        return Outcome(finding.verdict.value, finding.detail)
    document, agreement = _found(
        or_(SignedDocument.sha256 == finding.sha256, SignedDocument.sha256 == (finding.sealed_sha256 or ""))
    )
    if finding.verdict == verify.Verdict.GENUINE and document is not None and document.sha256 == finding.sha256:
        return Outcome("genuine", "This is a genuine, unaltered document sealed by this registry.", document, agreement)
    if finding.verdict == verify.Verdict.NOT_OURS:
        return Outcome("not_ours", finding.detail + " It is not a document this registry sealed.")
    named = f" It started as {agreement.reference} version {document.version_number}." if document and agreement else ""
    return Outcome(
        "altered",
        "This document has been changed since the registry sealed it. " + finding.detail + named,
        document,
        agreement,
    )


def check_code(code: str) -> Outcome:
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    formatted = f"{cleaned[:4]}-{cleaned[4:8]}-{cleaned[8:12]}" if len(cleaned) == 12 else code.strip().upper()
    document, agreement = _found(SignedDocument.verification_code == formatted)
    if document is None:
        return Outcome("unknown_code", "No document sealed by this registry has that verification code.")
    return Outcome(
        "found_code",
        "A document with this code was sealed by this registry. Upload your copy to check "
        "that it has not been changed.",
        document,
        agreement,
    )
