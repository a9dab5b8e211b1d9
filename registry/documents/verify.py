"""Checking a PDF someone uploads: is it a genuine, unaltered document sealed by this registry?

A file is genuine and unaltered when its SHA-256 is one we stored when sealing, and its seal
validates against the registry's certificate. A file whose seal covers an earlier revision
we sealed, followed by later changes, is reported as altered and named; a file whose seal
does not validate is reported as not genuine.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from io import BytesIO

from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko_certvalidator import ValidationContext

from registry.documents.seal import FIELD_NAME
from registry.documents.sync import outside_event_loop

# pyHanko logs a full traceback when it finds a suspicious later revision; our verdict says it plainly
logging.getLogger("pyhanko.sign.diff_analysis").setLevel(logging.CRITICAL)


class Verdict(StrEnum):
    GENUINE = "genuine"
    ALTERED = "altered"
    NOT_OURS = "not_ours"
    NOT_PDF = "not_pdf"
    DAMAGED = "damaged"


@dataclass(frozen=True)
class Finding:
    verdict: Verdict
    sha256: str | None = None  # of the file as uploaded
    sealed_sha256: str | None = None  # of the revision our seal covers, when there is one
    detail: str = ""


# what a parser meets in a malformed file; RecursionError too, since pyHanko reads nested arrays and
# dictionaries by recursion, so a file whose objects nest some hundreds deep exhausts the stack
UNREADABLE = (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError)
UNREADABLE_MESSAGE = "The selected file is not a PDF we can read. Upload the PDF as the registry sent it"
logger = logging.getLogger(__name__)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check(data: bytes, trust_root) -> Finding:  # type: ignore[no-untyped-def]
    """What the file is. The caller looks the fingerprints up among the documents it sealed."""
    if data.lstrip()[:5] != b"%PDF-":
        return Finding(Verdict.NOT_PDF, detail="The file is not a PDF.")
    digest = sha256(data)
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        seals = [s for s in reader.embedded_signatures if s.field_name == FIELD_NAME]
    except UNREADABLE as error:
        logger.info("An uploaded PDF could not be read: %s", type(error).__name__)
        return Finding(Verdict.DAMAGED, digest, detail=UNREADABLE_MESSAGE)
    if not seals:
        return Finding(Verdict.NOT_OURS, digest, detail="The PDF has no seal from this registry.")
    embedded = seals[0]
    try:
        context = ValidationContext(trust_roots=[trust_root])
        status = outside_event_loop(lambda: validate_pdf_signature(embedded, context))
    except (SignatureValidationError, *UNREADABLE) as error:
        return Finding(Verdict.ALTERED, digest, detail=f"The seal could not be validated ({type(error).__name__}).")
    if not (status.intact and status.valid):
        return Finding(Verdict.ALTERED, digest, detail="The seal does not match the content: the file was changed.")
    if not status.trusted:
        return Finding(Verdict.NOT_OURS, digest, detail="The seal was not made with this registry’s certificate.")
    byte_range = [int(n) for n in embedded.sig_object["/ByteRange"]]
    covered = data[: byte_range[2] + byte_range[3]]  # the revision the seal signed
    if status.coverage.name != "ENTIRE_FILE" or len(covered) != len(data):
        return Finding(
            Verdict.ALTERED, digest, sha256(covered), detail="Something was added to the file after it was sealed."
        )
    return Finding(Verdict.GENUINE, digest, digest)
